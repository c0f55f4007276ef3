"""The commitments section: every format shows the figures of the JSON report's
"commitments" (the writers format them, never compute them again)."""
import json
import os
import re
import sys
import unittest
import zipfile
from decimal import Decimal, ROUND_HALF_EVEN

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402

ARGS = ["report", "--accounts", os.path.join(SAMPLES, "accounts.json"), "--month", "2026-10"]
CUR2 = os.path.join(SAMPLES, "cur2")


def money(s):
    d = Decimal(s).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return "${:,.2f}".format(d)


def pct(x):
    return "%.1f%%" % (x * 100)


class Commitments(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with tempdir() as d:
            code, _, err = run(ARGS + ["--format", "json,md,html,xlsx,table", "--out", d, CUR2])
            assert code == 0, err
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                cls.rep = json.load(f)
            with open(os.path.join(d, "costrank-2026-10.md"), encoding="utf-8") as f:
                cls.md = f.read()
            with open(os.path.join(d, "costrank-2026-10.html"), encoding="utf-8") as f:
                cls.html = f.read()
            with zipfile.ZipFile(os.path.join(d, "costrank-2026-10.xlsx")) as z:
                cls.book = z.read("xl/workbook.xml").decode()
                cls.strings = z.read("xl/sharedStrings.xml").decode()
        code, cls.table, err = run(ARGS + ["--format", "table", CUR2], env={"COLUMNS": "200"})
        assert code == 0, err

    def figures(self):
        c = self.rep["commitments"]
        sp, ri = c["savings_plans"], c["reservations"]
        out = [money(sp["total_commitment"]), money(sp["used_commitment"]),
               pct(sp["utilization"]), pct(sp["coverage"]), pct(ri["coverage"]),
               money(ri["unused_cost"])]
        for p in c["plans"]:
            out += [money(p["hourly_commitment"]), money(p["covered_on_demand"]),
                    money(p["savings"]), pct(p["discount"])]
        return out

    def test_sample_has_commitments_and_plans(self):
        c = self.rep["commitments"]
        self.assertEqual([p["platform"] for p in c["plans"]], ["other", "windows"])
        self.assertEqual(c["plans"][1]["discount_source"], "table")

    def test_every_format_shows_the_json_figures(self):
        md = self.md[self.md.index("### Commitments"):].replace("\\$", "$")
        html = self.html[self.html.index('id="h-commitments"'):]
        table = self.table[self.table.index("\nCommitments"):]
        for fig in self.figures():
            with self.subTest(figure=fig):
                self.assertIn(fig, md)
                self.assertIn(fig, html)
                self.assertIn(fig, table)

    def test_workbook_has_a_commitments_sheet(self):
        self.assertIn('name="Commitments"', self.book)
        for label in ("Savings Plan utilization", "Unused reservation cost", "Commitment/h"):
            self.assertIn(label, self.strings)

    def test_no_section_without_commitment_columns(self):
        with tempdir() as d:
            code, _, err = run(ARGS + ["--format", "json,md", "--out", d,
                                       os.path.join(SAMPLES, "focus")])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.md"), encoding="utf-8") as f:
                self.assertNotIn("Commitments", f.read())
        self.assertTrue(re.search(r"Savings Plan for Windows", self.table))


if __name__ == "__main__":
    unittest.main()
