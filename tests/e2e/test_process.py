"""The process around the reports: standard descriptors, signals, pipes,
concurrent runs, the report set committed whole, standard output as a
target, and bounds on what the environment and options may ask for."""
import os
import resource
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")
HEADER = ("identity_line_item_id,line_item_usage_account_id,line_item_usage_account_name,"
          "line_item_line_item_type,line_item_usage_start_date,line_item_product_code,"
          "line_item_usage_type,line_item_usage_amount,line_item_currency_code,"
          "line_item_unblended_cost,pricing_unit,product\n")


def row(cost="1.25", date="2026-10-03T00:00:00Z", acct="012345678901", svc="AmazonEC2",
        ut="BoxUsage:m5.large"):
    return (f'id1,{acct},prod,Usage,{date},{svc},{ut},1,USD,{cost},Hrs,'
            f'"{{""product_name"":""{svc}""}}"\n')


def env_for_run(extra=None):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update(extra or {})
    return env


def limit_output():
    # a runaway writer is stopped (SIGXFSZ) instead of filling the disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 << 20, 16 << 20))


class Bounds(unittest.TestCase):
    def test_huge_columns_is_capped(self):
        with tempdir() as d:
            out = os.path.join(d, "table.txt")
            with open(out, "wb") as f:
                p = subprocess.run([BIN, "report", "-f", "table", CUR2], stdout=f,
                                   stderr=subprocess.PIPE, timeout=60,
                                   env=env_for_run({"COLUMNS": "2147483647"}),
                                   preexec_fn=limit_output)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out, encoding="utf-8") as f:
                lines = f.read().splitlines()
            self.assertTrue(lines)
            # capped at 1000 columns (the layout within them is the table's own test)
            self.assertLessEqual(max(len(line) for line in lines), 1100)

    def test_columns_garbage_is_ignored(self):
        for cols in ("99999999999999999999", "-5", "120x", ""):
            code, out, err = run(["report", "-f", "table", CUR2], env={"COLUMNS": cols})
            self.assertEqual(code, 0, err)
            self.assertLessEqual(max(len(line) for line in out.splitlines()), 1100, cols)

    def test_fx_rate_out_of_range_is_a_usage_error(self):
        with tempdir() as d:
            code, _, err = run(["report", "--fx", "JPY=1e18", "-f", "json", "-o", d, CUR2])
            self.assertEqual(code, 2, err)
            self.assertIn("--fx 'JPY=1e18'", err)
            self.assertEqual(os.listdir(d), [])
            # a rate within bounds that still puts one amount of this report out of range
            big = os.path.join(d, "big.csv")
            with open(big, "w") as f:
                f.write(HEADER + row("123456789012.5") + row("1", "2026-10-31T00:00:00Z"))
            out = os.path.join(d, "out")
            code, _, err = run(["report", "--fx", "IRR=1e9", "-f", "json,csv", "-o", out, big])
            self.assertEqual(code, 2, err)
            self.assertRegex(err, r"^costrank: error: --fx: at 1000000000(\.0+)? IRR per unit, "
                             r"the report's largest amount \(USD [0-9,]+\.\d\d\) is out "
                             r"of the range")
            self.assertFalse(os.path.exists(out))
            code, _, err = run(["report", "--fx", "IRR=1e6", "-f", "json", "-o", out, big])
            self.assertEqual(code, 0, err)


if __name__ == "__main__":
    unittest.main()
