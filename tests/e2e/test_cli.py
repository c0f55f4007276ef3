"""The command line: help, version, colour rules, output names."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")


class Cli(unittest.TestCase):
    def test_help(self):
        code, out, _ = run(["--help"])
        self.assertEqual(code, 0)
        self.assertIn("report", out)
        self.assertIn("Examples:", out)

    def test_report_help_lists_every_option(self):
        code, out, _ = run(["report", "--help"])
        self.assertEqual(code, 0)
        for opt in ("--format", "--out", "--month", "--from", "--to", "--top", "--top-usage",
                    "--metric", "--include", "--accounts", "--color", "--csv-bom", "--quiet"):
            self.assertIn(opt, out)
        self.assertIn("Examples:", out)

    def test_version(self):
        code, out, _ = run(["--version"])
        self.assertEqual(code, 0)
        self.assertRegex(out, r"^costrank \d+\.\d+\.\d+\n$")

    def test_no_arguments_is_a_usage_error(self):
        code, _, err = run([])
        self.assertEqual(code, 2)
        self.assertIn("usage:", err)

    def test_color_rules(self):
        args = ["report", "--format", "table", CUR2]
        code, out, _ = run(args + ["--color", "always"])
        self.assertEqual(code, 0)
        self.assertIn("\x1b[", out)
        code, out, _ = run(args + ["--color", "always"], env={"NO_COLOR": "1"})
        self.assertNotIn("\x1b[", out)
        code, out, _ = run(args)  # not a terminal
        self.assertNotIn("\x1b[", out)

    def test_files_named_by_period_and_quiet(self):
        with tempdir() as d:
            code, out, err = run(["report", "--format", "json,csv", "--out", d,
                                  "--from", "2026-10-01", "--to", "2026-10-15", CUR2])
            self.assertEqual(code, 0, err)
            self.assertEqual(sorted(os.listdir(d)), [
                "costrank-2026-10-01_2026-10-15-anomalies.csv",
                "costrank-2026-10-01_2026-10-15-drivers.csv",
                "costrank-2026-10-01_2026-10-15-notes.csv",
                "costrank-2026-10-01_2026-10-15-proposals.csv",
                "costrank-2026-10-01_2026-10-15-resources.csv",
                "costrank-2026-10-01_2026-10-15-services.csv",
                "costrank-2026-10-01_2026-10-15.csv", "costrank-2026-10-01_2026-10-15.json"])
            self.assertIn("wrote", err)
            self.assertEqual(out, "")
            mode = os.stat(os.path.join(d, "costrank-2026-10-01_2026-10-15.json")).st_mode
            self.assertEqual(mode & 0o077, 0, "reports hold account data: not world-readable")
            code, _, err = run(["report", "--quiet", "--format", "json", "--out", d, CUR2])
            self.assertEqual((code, err), (0, ""))

    def test_default_period_is_latest_complete_month(self):
        with tempdir() as d:
            code, _, err = run(["report", "--format", "json", "--out", d, CUR2])
            self.assertEqual(code, 0, err)
            self.assertEqual(os.listdir(d), ["costrank-2026-10.json"])

    def test_csv_bom(self):
        with tempdir() as d:
            run(["report", "--format", "csv", "--csv-bom", "--out", d, CUR2])
            with open(os.path.join(d, "costrank-2026-10.csv"), "rb") as f:
                self.assertEqual(f.read(3), b"\xef\xbb\xbf")

    def test_csv_cells_never_run_as_formulas(self):
        import csv as csvmod
        header = ("line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,"
                  "line_item_product_code,line_item_usage_type,line_item_unblended_cost,"
                  "product_product_name\n")
        rows = ("012345678901,Usage,2026-10-01T00:00:00Z,Weird,=HYPERLINK(\"http://x\"),5,@SUM(A1)\n"
                "012345678901,Usage,2026-10-31T00:00:00Z,Weird,-cmd,3,@SUM(A1)\n"
                "012345678901,Credit,2026-10-31T00:00:00Z,Weird,x,-2,@SUM(A1)\n")
        with tempdir() as d:
            data = os.path.join(d, "in.csv")
            with open(data, "w") as f:
                f.write(header + rows)
            code, _, err = run(["report", "--format", "csv", "--no-rules", "--include", "credits",
                                "--out", d, data])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.csv"), newline="") as f:
                got = list(csvmod.DictReader(f))
        cells = {r["usage_type"]: r for r in got}
        self.assertIn("'=HYPERLINK(\"http://x\")", cells)
        self.assertIn("'-cmd", cells)
        self.assertEqual(cells["x"]["cost"], "-2.00", "amounts are never guarded")
        self.assertTrue(all(r["service"] == "'@SUM(A1)" for r in got))

    def test_top_limits(self):
        import json
        with tempdir() as d:
            code, _, err = run(["report", "--format", "json", "--top", "3", "--top-usage", "2",
                                "--out", d, CUR2])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                rep = json.load(f)
        for a in rep["accounts"]:
            ranked = [s for s in a["services"] if not s["other"]]
            self.assertLessEqual(len(ranked), 3)
            if a["services_total"] > 3:
                self.assertTrue(a["services"][-1]["other"])
                self.assertEqual(a["services"][-1]["other_count"], a["services_total"] - 3)
            for s in ranked:
                self.assertLessEqual(len([u for u in s["usage_types"] if not u["other"]]), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
