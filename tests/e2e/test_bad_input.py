"""Bad input: one clear message naming the place, the documented exit code,
and no report file left behind (not even a temporary one)."""
import gzip
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import run, tempdir  # noqa: E402

HEADER = ("identity_line_item_id,line_item_usage_account_id,line_item_usage_account_name,"
          "line_item_line_item_type,line_item_usage_start_date,line_item_product_code,"
          "line_item_usage_type,line_item_usage_amount,line_item_currency_code,"
          "line_item_unblended_cost,pricing_unit,product\n")


def row(cost="1.25", date="2026-10-03T00:00:00Z", cur="USD", acct="012345678901",
        ut="BoxUsage:m5.large", kind="Usage"):
    return (f'id1,{acct},prod,{kind},{date},AmazonEC2,{ut},1,{cur},{cost},Hrs,'
            f'"{{""product_name"":""Amazon Elastic Compute Cloud""}}"\n')


GOOD = HEADER + row() + row(date="2026-10-31T00:00:00Z")

# name -> (file bytes or None for "missing", expected exit, expected message parts)
CASES = {
    "missing file": (None, 3, ["cannot open", "nope.csv", "No such file"]),
    "empty file": (b"", 3, ["empty file"]),
    "unknown header": (b"a,b,c\n1,2,3\n", 3, ["unrecognised header", "line_item_usage_account_id",
                                              "lineItem/UsageAccountId", "BilledCost"]),
    "header lacks a column": ((HEADER.replace("line_item_usage_type,", "")).encode(), 3,
                              ["CUR 2.0 header lacks", "line_item_usage_type"]),
    "wrong field count": ((HEADER + row() + "a,b,c\n").encode(), 3,
                          [":3:", "3 fields", "header has 12"]),
    "unterminated quote": ((HEADER + row() + 'x,012345678901,"prod\n').encode(), 3,
                           [":3:", "unterminated"]),
    "amount not a number": ((HEADER + row(cost="12.5abc")).encode(), 3,
                            [":2:", "not a number", "line_item_unblended_cost", "12.5abc"]),
    "amount overflows": ((HEADER + row(cost="9" * 45)).encode(), 3,
                         [":2:", "too large", "line_item_unblended_cost"]),
    "sum overflows": ((HEADER + row(cost="1" + "0" * 20) * 3).encode(), 3, ["overflow"]),
    "impossible date": ((HEADER + row(date="2026-02-30T00:00:00Z")).encode(), 3,
                        [":2:", "date", "2026-02-30"]),
    "mixed currencies": ((GOOD + row(cur="EUR")).encode(), 3,
                         [":4:", "currency 'EUR'", "'USD'"]),
    "missing account id": ((HEADER + row(acct="")).encode(), 3, [":2:", "account id"]),
    "truncated gzip": (gzip.compress((HEADER + row() * 2000).encode(), mtime=0)[:-40], 3,
                       ["truncated gzip"]),
    "corrupt gzip": (gzip.compress((HEADER + row() * 2000).encode(), mtime=0)[:20] + b"\xff" * 80, 3,
                     ["corrupt gzip"]),
    "NUL byte": ((HEADER + row()).encode().replace(b",prod,", b",pr\x00d,"), 3, [":2:", "NUL"]),
    "no rows for the month": (GOOD.encode(), 7, ["no billing rows for 2026-09"]),
}


class BadInput(unittest.TestCase):
    def check(self, name, content, want_code, parts, extra=()):
        with tempdir() as d:
            out = os.path.join(d, "reports")
            path = os.path.join(d, "nope.csv" if content is None else "input.csv")
            if content is not None:
                with open(path, "wb") as f:
                    f.write(content)
            args = ["report", "--out", out, "--format", "json,csv"]
            if name == "no rows for the month":
                args += ["--month", "2026-09"]
            code, stdout, stderr = run(args + list(extra) + [path])
            self.assertEqual(code, want_code, f"{name}: exit code; stderr={stderr!r}")
            lines = [ln for ln in stderr.splitlines() if ln.strip()]
            self.assertEqual(len(lines), 1, f"{name}: one line of error, got {stderr!r}")
            self.assertTrue(lines[0].startswith("costrank: error: "), f"{name}: {lines[0]!r}")
            for part in parts:
                self.assertIn(part, lines[0], f"{name}: message {lines[0]!r}")
            if content is not None and name != "no rows for the month":
                self.assertIn("input.csv", lines[0], f"{name}: names the file")
            left = os.listdir(out) if os.path.isdir(out) else []
            self.assertEqual(left, [], f"{name}: no report file may be left")

    def test_cases(self):
        for name, (content, code, parts) in CASES.items():
            with self.subTest(case=name):
                self.check(name, content, code, parts)

    def test_good_input_is_accepted(self):
        with tempdir() as d:
            path = os.path.join(d, "ok.csv")
            with open(path, "w") as f:
                f.write(GOOD)
            code, _, err = run(["report", "--out", d, "--format", "json", path])
            self.assertEqual(code, 0, err)
            self.assertTrue(os.path.exists(os.path.join(d, "costrank-2026-10.json")))
            self.assertFalse([n for n in os.listdir(d) if n.startswith(".")],
                             "no temporary file left")

    def test_mixed_formats_refused(self):
        with tempdir() as d:
            a, b = os.path.join(d, "a.csv"), os.path.join(d, "b.csv")
            with open(a, "w") as f:
                f.write(GOOD)
            with open(b, "w") as f:
                f.write("SubAccountId,BilledCost,ChargePeriodStart,ServiceName,ChargeCategory\n"
                        "012345678901,1.00,2026-10-01T00:00:00Z,Amazon S3,Usage\n")
            code, _, err = run(["report", "--out", os.path.join(d, "r"), a, b])
            self.assertEqual(code, 3)
            self.assertIn("FOCUS", err)
            self.assertIn("CUR 2.0", err)

    def test_bad_accounts_file(self):
        cases = {
            '{"accounts": [{"id": "1", "name": "x",}]}': ["accounts.json:1:", "costrank"],
            '{"accounts": [{"id": 12}]}': ["accounts[0].id", "expected a string", "leading zeros"],
            '{"accounts": [{"id": "1", "environment": "prodd"}]}': ["prodd", "production"],
            '{"accounts": [{"id": "1", "colour": "red"}]}': ["unknown key 'colour'"],
            '{"accounts": [{"id": "1"}, {"id": "1"}]}': ["already listed"],
        }
        for text, parts in cases.items():
            with self.subTest(text=text), tempdir() as d:
                acc = os.path.join(d, "accounts.json")
                data = os.path.join(d, "ok.csv")
                with open(acc, "w") as f:
                    f.write(text)
                with open(data, "w") as f:
                    f.write(GOOD)
                code, _, err = run(["report", "--out", os.path.join(d, "r"),
                                    "--accounts", acc, data])
                self.assertEqual(code, 3, err)
                for p in parts[:-1] if parts[-1] == "costrank" else parts:
                    self.assertIn(p, err)
                self.assertFalse(os.path.exists(os.path.join(d, "r")))

    def test_bad_rule_file_stops_report_before_work(self):
        bad = ('{"rules": [{"id": "x", "title": "t", "action": "spott", '
               '"match": {"usage_type": "*Box[Usage"}, "environments": ["production"], '
               '"savings": {"model": "fraction", "fraction": 1.5}, "effort": "low", '
               '"risk": "low", "rationale": "r", "reference": "https://docs.aws.amazon.com/x"}]}')
        with tempdir() as d:
            rules = os.path.join(d, "rules.json")
            data = os.path.join(d, "ok.csv")
            with open(rules, "w") as f:
                f.write(bad)
            with open(data, "w") as f:
                f.write(GOOD)
            out = os.path.join(d, "r")
            code, _, err = run(["report", "--rules", rules, "--out", out, data])
            self.assertEqual(code, 3, err)
            lines = err.splitlines()
            self.assertEqual(len(lines), 4, err)
            self.assertIn("rules.json:1:48: rule x: unknown action", lines[0])
            self.assertIn("rules.json:1:81: rule x: bad glob", lines[1])
            self.assertIn("rules.json:1:173: rule x: \"savings.fraction\" is 1.5", lines[2])
            self.assertIn("3 problems in the rule files", lines[3])
            self.assertTrue(lines[3].startswith("costrank: error: "))
            self.assertFalse(os.path.exists(out))

    def test_unwritable_output(self):
        with tempdir() as d:
            data = os.path.join(d, "ok.csv")
            with open(data, "w") as f:
                f.write(GOOD)
            blocker = os.path.join(d, "file")
            open(blocker, "w").close()
            code, _, err = run(["report", "--out", os.path.join(blocker, "sub"), data])
            self.assertEqual(code, 4, err)
            self.assertIn("file/sub", err)

    def test_full_disk_on_stdout(self):
        with tempdir() as d:
            data = os.path.join(d, "ok.csv")
            with open(data, "w") as f:
                f.write(GOOD)
            with open("/dev/full", "w") as full:
                import subprocess
                from common import BIN
                p = subprocess.run([BIN, "report", "--format", "table,json", "--out", d, data],
                                   stdout=full, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn(b"standard output", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "costrank-2026-10.json")),
                             "no report when the run failed")


    def test_full_disk_under_out(self):
        """A file size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes writes fail with EFBIG as a
        full disk fails them with ENOSPC: at each limit one of the reports cannot be written,
        the run exits 4 naming it, and no report, whole or partial, nor a temporary file is
        left, while an earlier report in the directory stays as it was."""
        import resource
        import signal
        import subprocess
        from common import BIN, SAMPLES

        def limit(kib):
            def apply():
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (kib * 1024, kib * 1024))
            return apply

        for kib in (4, 30, 60, 120):
            with self.subTest(kib=kib), tempdir() as d:
                old = os.path.join(d, "costrank-2026-09.json")
                with open(old, "w") as f:
                    f.write('{"kept": true}')
                p = subprocess.run([BIN, "report", "--format", "csv,xlsx,md,html,json",
                                    "--out", d, "--quiet", "--accounts",
                                    os.path.join(SAMPLES, "accounts.json"),
                                    os.path.join(SAMPLES, "cur2")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   preexec_fn=limit(kib), timeout=120)
                err = p.stderr.decode("utf-8", "replace")
                self.assertEqual(p.returncode, 4, err)
                self.assertRegex(err, r"^costrank: error: cannot write (the Excel workbook "
                                 r"\(assembled in .*\)|'.*/costrank-2026-10[^']*'): "
                                 r"File too large\n$")
                self.assertEqual(os.listdir(d), ["costrank-2026-09.json"])
                with open(old) as f:
                    self.assertEqual(f.read(), '{"kept": true}')


class BadOptions(unittest.TestCase):
    CASES = [
        (["report", "--fromat", "json", "x"], "did you mean --format?"),
        (["report", "--format", "pdf", "x"], "unknown format 'pdf'"),
        (["report", "--top", "0", "x"], "--top '0'"),
        (["report", "--top", "ten", "x"], "whole number"),
        (["report", "--month", "2026-13", "x"], "--month '2026-13'"),
        (["report", "--from", "2026-10-01", "x"], "--from and --to go together"),
        (["report", "--from", "2026-10-05", "--to", "2026-10-01", "x"], "before --from"),
        (["report", "--month", "2026-10", "--from", "2026-10-01", "--to", "2026-10-02", "x"],
         "cannot be combined"),
        (["report", "--metric", "blended", "x"], "--metric 'blended'"),
        (["report", "--include", "discounts", "x"], "unknown category 'discounts'"),
        (["report", "--color", "sometimes", "x"], "--color 'sometimes'"),
        (["report", "--out"], "needs a value"),
        (["report", "--source", "files"], "no input"),
        (["frobnicate"], "unknown command 'frobnicate'"),
    ]

    def test_usage_errors(self):
        for args, part in self.CASES:
            with self.subTest(args=args):
                code, out, err = run(args)
                self.assertEqual(code, 2, err)
                self.assertIn(part, err)
                self.assertEqual(out, "")


if __name__ == "__main__":
    unittest.main(verbosity=2)
