"""costrank rules: list, show and check through the binary."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import run, tempdir  # noqa: E402

BAD = """{"rules": [
  {"id": "ec2-rightsizing", "enabeld": false},
  {"id": "team-x", "title": "X", "action": "spot",
   "match": {"usage_type": "*Box[Usage"},
   "environments": ["prod"],
   "savings": {"model": "fraction", "fraction": 1.5},
   "effort": "low", "risk": "low", "rationale": "R",
   "reference": "https://example.com/"}
]}
"""

NEW_RULE = {
    "id": "team-batch-spot", "title": "Batch on Spot", "action": "spot",
    "match": {"service": "Amazon Elastic Compute Cloud - Compute", "usage_type": "*BoxUsage:c5.*"},
    "environments": ["production"], "on_demand_only": True,
    "savings": {"model": "fraction", "fraction": 0.5, "basis": "team measurement"},
    "effort": "low", "risk": "high", "rationale": "Batch tolerates interruptions.",
    "reference": "https://aws.amazon.com/ec2/spot/pricing/",
}


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class RulesCli(unittest.TestCase):
    def test_help(self):
        for args in (["rules", "--help"], ["rules", "list", "--help"], ["rules", "help"]):
            code, out, _ = run(args)
            self.assertEqual(code, 0, args)
            for word in ("list", "show", "check", "--rules", "Examples:"):
                self.assertIn(word, out)
        code, out, _ = run(["--help"])
        self.assertIn("rules", out)

    def test_usage_errors(self):
        for args in (["rules"], ["rules", "frobnicate"], ["rules", "check", "--rules", "x.json"],
                     ["rules", "list", "--strict"], ["rules", "list", "--bogus"], ["rules", "list", "extra"],
                     ["rules", "list", "--rules"]):
            code, _, err = run(args)
            self.assertEqual(code, 2, (args, err))

    def test_list_default_table(self):
        code, out, err = run(["rules", "list"])
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("ID"))
        rules = lines[1:]
        self.assertGreaterEqual(len(rules), 32)
        ids = [line.split()[0] for line in rules]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertIn("ec2-spot-production", ids)
        spot = rules[ids.index("ec2-spot-production")]
        for word in ("spot", "medium/high", "production", "fraction 0.60", "enabled",
                     "*BoxUsage:*", "on-demand only"):
            self.assertIn(word, spot)

    def test_show_round_trip(self):
        code, out, err = run(["rules", "show"])
        self.assertEqual(code, 0, err)
        table = json.loads(out)
        self.assertGreaterEqual(len(table["rules"]), 32)
        for rule in table["rules"]:
            for key in ("id", "title", "action", "match", "environments", "savings",
                        "effort", "risk", "rationale", "reference", "enabled"):
                self.assertIn(key, rule)
            self.assertTrue(rule["reference"].startswith("https://"))
        with tempdir() as d:
            path = write(d, "shown.json", out)
            # the default table passes the check...
            code, out2, err = run(["rules", "check", path])
            self.assertEqual(code, 0, err)
            self.assertEqual(out2, "%s: ok (%d rules)\n" % (path, len(table["rules"])))
            # ...and loads again to the same table
            code, out3, err = run(["rules", "show", "--rules", path])
            self.assertEqual(code, 0, err)
            self.assertEqual(json.loads(out3), table)

    def test_check_stdin(self):
        code, out, err = run(["rules", "check", "-"], stdin=b'{"rules": []}')
        self.assertEqual((code, out, err), (0, "<stdin>: ok (0 rules)\n", ""))

    def test_check_bad_file(self):
        with tempdir() as d:
            path = write(d, "bad.json", BAD)
            code, out, err = run(["rules", "check", path])
            self.assertEqual(code, 3)
            self.assertEqual(out, "")
            lines = err.splitlines()
            self.assertEqual(lines, [
                "costrank: %s:2:29: rule ec2-rightsizing: unknown key \"enabeld\" "
                "(did you mean \"enabled\"?)" % path,
                "costrank: %s:4:28: rule team-x: bad glob in \"match.usage_type\" \"*Box[Usage\": "
                "unterminated character class: '[' without a closing ']'" % path,
                "costrank: %s:5:21: rule team-x: unknown environment \"prod\" (did you mean "
                "\"production\"?; known: production, staging, development, sandbox, shared, "
                "unknown, non-production, any)" % path,
                "costrank: %s:6:49: rule team-x: \"savings.fraction\" is 1.5: it must be "
                "from 0 to 1" % path,
                "costrank: 4 problems in %s" % path,
            ])
            # a good and a bad file: both reported, exit 3
            good = write(d, "good.json", json.dumps({"rules": [NEW_RULE]}))
            code, out, err = run(["rules", "check", good, path])
            self.assertEqual(code, 3)
            # (its texts are English only: warnings, test_rules_ja.py)
            self.assertEqual(out, "%s: ok (1 rules, 3 warnings)\n" % good)
            self.assertIn("4 problems in", err)

    def test_check_syntax_error_and_missing_file(self):
        with tempdir() as d:
            path = write(d, "broken.json", '{"rules": [\n  {"id": "x",}\n]}\n')
            code, _, err = run(["rules", "check", path])
            self.assertEqual(code, 3)
            self.assertIn("%s:2:14: " % path, err)
            self.assertIn("1 problem in", err)
        code, _, err = run(["rules", "check", "/nonexistent/rules.json"])
        self.assertEqual(code, 3)
        self.assertIn("/nonexistent/rules.json", err)

    def test_endless_rule_file_is_refused(self):
        # /dev/zero never ends: the file is refused at the size cap, well within a 512 MiB
        # address space, instead of growing until the memory runs out
        import resource
        import subprocess
        from common import BIN, SAMPLES

        def limit():
            # the sanitizers reserve terabytes of address space: no limit under them
            if not os.environ.get("COSTRANK_SANITIZED"):
                resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))

        with tempdir() as d:
            for args in (["rules", "check", "/dev/zero"],
                         ["report", "--rules", "/dev/zero", "-f", "json", "-o", d,
                          os.path.join(SAMPLES, "cur2")]):
                p = subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   preexec_fn=limit, timeout=60)
                err = p.stderr.decode()
                self.assertEqual(p.returncode, 3, err)
                self.assertIn("/dev/zero: larger than 4194304 bytes", err)
            self.assertEqual(os.listdir(d), [])
        big = '{"rules": [], "x": "' + "a" * (4 << 20) + '"}'
        code, _, err = run(["rules", "check", "-"], stdin=big.encode())
        self.assertEqual(code, 3)
        self.assertIn("<stdin>: larger than", err)

    def test_overrides_with_rules(self):
        with tempdir() as d:
            path = write(d, "team.json", json.dumps({"rules": [
                {"id": "ec2-spot-production", "enabled": False},
                {"id": "ec2-rightsizing", "min_monthly_cost": 500},
                NEW_RULE,
            ]}))
            code, out, err = run(["rules", "show", "--rules", path])
            self.assertEqual(code, 0, err)
            rules = {r["id"]: r for r in json.loads(out)["rules"]}
            self.assertFalse(rules["ec2-spot-production"]["enabled"])
            self.assertEqual(rules["ec2-rightsizing"]["min_monthly_cost"], 500)
            self.assertEqual(rules["team-batch-spot"]["savings"]["fraction"], 0.5)
            code, out, err = run(["rules", "list", "-r", path])
            self.assertEqual(code, 0, err)
            line = [l for l in out.splitlines() if l.startswith("ec2-spot-production ")][0]
            self.assertIn("disabled", line)
            self.assertIn("team-batch-spot", out)

    def test_bad_rules_file_stops_list(self):
        with tempdir() as d:
            path = write(d, "bad.json", BAD)
            code, out, err = run(["rules", "list", "--rules", path])
            self.assertEqual(code, 3)
            self.assertEqual(out, "")
            self.assertIn("%s:2:29: rule ec2-rightsizing" % path, err)
            self.assertIn("costrank: error: 4 problems in the rule files", err)


if __name__ == "__main__":
    unittest.main()
