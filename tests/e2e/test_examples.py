"""examples/: the GitHub Actions workflow and the GitLab CI job parse as
YAML, have what the README promises (a monthly schedule, the OIDC role,
the reports kept as artifacts, the Markdown job summary, the Slack post and
the gate), and call costrank with documented options only.

PyYAML comes from the Debian package python3-yaml; without it the tests
are skipped on a developer machine and fail where the CI variable is set.
"""
import os
import re
import shlex
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import SOURCE_DIR, run  # noqa: E402

try:
    import yaml
except ImportError:
    yaml = None

EXAMPLES = os.path.join(SOURCE_DIR, "examples")
IN_CI = bool(os.environ.get("CI"))
OPTION = re.compile(r"^  (?:-(\w), )?\s*--([a-z0-9-]+)(?: (\S+))?\s{2,}")


def load(name):
    if yaml is None:
        message = "PyYAML is not available: install the Debian package python3-yaml"
        if IN_CI:
            raise AssertionError(message)
        raise unittest.SkipTest(message)
    with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
        return yaml.safe_load(f)


def documented():
    """Long option -> takes a value, from `costrank report --help`."""
    code, out, _ = run(["report", "--help"])
    assert code == 0
    opts = {}
    for line in out.splitlines():
        m = OPTION.match(line)
        if m:
            opts[m.group(2)] = m.group(3) is not None
    return opts


def costrank_calls(scripts):
    """The argument lists of every `costrank ...` command in shell scripts."""
    calls = []
    for script in scripts:
        text = script.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("costrank "):
                calls.append(shlex.split(line)[1:])
    return calls


class Examples(unittest.TestCase):
    def check_calls(self, calls):
        opts = documented()
        self.assertTrue(calls)
        for args in calls:
            self.assertEqual(args[0], "report")
            i = 1
            seen = set()
            while i < len(args):
                a = args[i]
                self.assertTrue(a.startswith("--"), f"unexpected argument {a!r}")
                name, _, inline = a[2:].partition("=")
                self.assertIn(name, opts, f"--{name} is not in costrank report --help")
                value = None
                if opts[name]:
                    value = inline or args[i + 1]
                    i += 1
                seen.add(name)
                if name == "format":
                    self.assertTrue(set(value.split(",")) <= {"table", "json", "csv", "xlsx",
                                                               "md", "html"}, value)
                if name == "post":
                    self.assertIn(value, ("slack", "teams", "gchat", "webhook"))
                i += 1
            self.assertNotIn("webhook-url", seen)
            self.assertTrue({"post", "fail-on-increase", "format", "out"} <= seen, seen)
        # the command line is accepted as a whole: a dry run (nothing is
        # called, posted or written) plans the Cost Explorer requests
        for args in calls:
            code, out, err = run(args + ["--dry-run"], env={"COSTRANK_NOW": "2026-11-03"})
            self.assertEqual(code, 0, err)
            self.assertIn("2026-10", out)

    def test_github_actions(self):
        doc = load("github-actions.yml")
        on = doc.get("on", doc.get(True))          # YAML 1.1 reads `on` as true
        self.assertRegex(on["schedule"][0]["cron"], r"^\S+ \S+ \d+ \* \*$")  # monthly
        self.assertEqual(doc["permissions"]["id-token"], "write")
        (job,) = doc["jobs"].values()
        steps = job["steps"]
        runs = [s["run"] for s in steps if "run" in s]
        text = "\n".join(runs)
        self.assertIn("ACTIONS_ID_TOKEN_REQUEST_URL", text)
        self.assertIn("AWS_WEB_IDENTITY_TOKEN_FILE", text)
        self.assertIn("GITHUB_STEP_SUMMARY", text)
        self.assertIn("cmake --install build", text)
        env = {k: v for s in steps for k, v in (s.get("env") or {}).items()}
        self.assertIn("AWS_ROLE_ARN", env)
        self.assertIn("secrets.", env["COSTRANK_WEBHOOK_URL"])
        uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
        self.assertEqual(len(uploads), 1)
        self.assertEqual(uploads[0]["if"], "always()")
        self.assertNotIn("configure-aws-credentials", str(doc))
        self.check_calls(costrank_calls(runs))

    def test_gitlab_ci(self):
        doc = load("gitlab-ci.yml")
        (job,) = doc.values()
        self.assertIn("schedule", str(job["rules"]))
        self.assertEqual(job["id_tokens"]["AWS_ID_TOKEN"]["aud"], "sts.amazonaws.com")
        self.assertEqual(job["artifacts"]["when"], "always")
        self.assertIn("reports/", job["artifacts"]["paths"])
        scripts = job["before_script"] + job["script"]
        self.assertIn("AWS_WEB_IDENTITY_TOKEN_FILE", "\n".join(scripts))
        self.check_calls(costrank_calls(scripts))

    def test_no_secret_in_the_examples(self):
        for name in os.listdir(EXAMPLES):
            with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
                text = f.read()
            self.assertNotRegex(text, r"hooks\.slack\.com/services/\w")
            self.assertNotRegex(text, r"AKIA[0-9A-Z]{12}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
