"""The monthly loop in the human formats: October rendered with September's report as --baseline.
The table, Markdown and HTML carry the realised-savings headline with the JSON's amounts (rounded
to cents), the drivers' and anomalies' figures; the workbook's Realised savings, What drove the
change and Anomalies sheets hold the JSON's figures, read back with openpyxl."""
import html
import json
import os
import re
import sys
import unittest
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402

ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
CUR2 = os.path.join(SAMPLES, "cur2")


def money(x, plus=False):
    """As the human formats show an amount: "$1,234.50", "+$7.10", "-$2.00"."""
    d = Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else "+" if plus and d > 0 else ""
    return f"{sign}${abs(d):,.2f}"


def digits(x, plus=False):
    return money(x, plus).replace("$", "")


class LoopFormats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        t = cls.tmp.name
        code, _, err = run(["report", "--accounts", ACCOUNTS, "--month", "2026-09", "--format",
                            "json", "--out", os.path.join(t, "sep"), CUR2])
        assert code == 0, err
        cls.out = os.path.join(t, "oct")
        code, _, err = run(["report", "--accounts", ACCOUNTS, "--format", "json,md,html,xlsx",
                            "--out", cls.out, "--baseline",
                            os.path.join(t, "sep", "costrank-2026-09.json"), CUR2])
        assert code == 0, err
        with open(os.path.join(cls.out, "costrank-2026-10.json"), encoding="utf-8") as f:
            cls.rep = json.load(f)
        cls.real = cls.rep["realised"]
        cls.headline = (f"Last month (2026-09): {cls.real['proposals']} proposals, "
                        f"{money(cls.real['proposed'])} proposed, "
                        f"{money(cls.real['realised'])} realised")
        code, cls.table, err = run(["report", "--accounts", ACCOUNTS, "--format", "table",
                                    "--baseline", os.path.join(t, "sep", "costrank-2026-09.json"),
                                    CUR2], env={"COLUMNS": "200"})
        assert code == 0, err
        with open(os.path.join(cls.out, "costrank-2026-10.md"), encoding="utf-8") as f:
            cls.md = f.read().replace("\\", "")
        with open(os.path.join(cls.out, "costrank-2026-10.html"), encoding="utf-8") as f:
            cls.html = f.read()
        cls.html_text = html.unescape(re.sub(r"<[^>]*>", " ", cls.html))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_samples_have_every_section(self):
        with open(os.path.join(self.tmp.name, "sep", "costrank-2026-09.json"), encoding="utf-8") as f:
            props = json.load(f)["proposals"]
        self.assertEqual(self.real["proposals"],
                         len([p for p in props if not p.get("folded") and p["account_id"] != "*"]))
        self.assertGreater(self.real["proposals"], 50)
        self.assertTrue(self.rep["drivers"])
        self.assertTrue(self.rep["anomalies"])

    def test_headline_in_table_markdown_html(self):
        for name, text in (("table", self.table), ("md", self.md), ("html", self.html_text)):
            with self.subTest(format=name):
                self.assertIn(self.headline, text)
                self.assertIn(f"{money(self.real['proposed_period'])} proposed, "
                              f"{money(self.real['remaining'])} remaining", text)
                for k, v in self.real["status_counts"].items():
                    self.assertIn(f"{k.replace('-', ' ')} {v}", text)

    def test_table_rows_are_the_json_items(self):
        lines = self.table.split("\n")
        for it in self.real["items"][:10]:
            want = [str(it["baseline_rank"]), digits(it["proposed_period"]),
                    digits(it["realised"]), digits(it["remaining"])]
            row = [ln for ln in lines
                   if ln.split()[:1] == [want[0]] and all(w in ln.split() for w in want[1:])
                   and it["usage_type"] in ln]
            self.assertTrue(row, it)
        self.assertIn(f"{len(self.real['items']) - 10} more proposals", self.table)

    def test_drivers_in_table_markdown_html(self):
        biggest = {}
        for d in self.rep["drivers"]:
            if Decimal(d["change"]) and (d["account_id"] not in biggest or abs(
                    Decimal(d["change"])) > abs(Decimal(biggest[d["account_id"]]["change"]))):
                biggest[d["account_id"]] = d
        for d in biggest.values():
            cells = [digits(d[k], True) for k in ("change", "usage", "rate", "discounts",
                                                   "other")]
            row = [ln for ln in self.table.split("\n") if ln.split()[-5:] == cells]
            self.assertTrue(row, (d, cells))
            md_row = " | ".join([d["service"]] + [money(d[k], True) for k in
                                                   ("change", "usage", "rate", "discounts",
                                                    "other")])
            self.assertIn(md_row, self.md)
            for k in ("change", "usage", "rate", "discounts", "other"):
                self.assertIn(f'data-amount="{d[k]}">{html.escape(money(d[k], True))}<',
                              self.html)
            for m in d["top_movers"]:
                self.assertIn(f"{m['usage_type']} {money(m['change'], True)}", self.html_text)

    def test_anomalies_in_table_markdown_html(self):
        spikes = sum(a["kind"] == "spike" for a in self.rep["anomalies"])
        title = (f"Anomalies: {spikes} day-level spikes, "
                 f"{len(self.rep['anomalies']) - spikes} new usage types")
        for name, text in (("table", self.table), ("md", self.md), ("html", self.html_text)):
            with self.subTest(format=name):
                self.assertIn(title, text)
                for a in self.rep["anomalies"]:
                    u = a["usage_types"][0]
                    self.assertIn(f"{u['usage_type']} {money(u['excess'], True)}", text)
                    self.assertIn(digits(a["cost"]), text)

    def test_workbook_sheets_hold_the_json_figures(self):
        try:
            import openpyxl
        except ImportError:
            self.skipTest("openpyxl is not installed")
        wb = openpyxl.load_workbook(os.path.join(self.out, "costrank-2026-10.xlsx"))
        self.assertEqual(wb.sheetnames[-4:], ["Realised savings", "What drove the change",
                                              "Anomalies", "Resources"])
        ws = wb["Realised savings"]
        self.assertEqual(ws["A1"].value, self.headline)
        rows = list(ws.iter_rows(min_row=5, values_only=True))
        items = self.real["items"]
        for it, row in zip(items, rows):
            self.assertEqual(row[0], it["baseline_rank"])
            self.assertEqual(row[2], it["status"].replace("-", " "))
            self.assertEqual((row[3], row[6]), (it["account_id"], it["usage_type"]))
            for col, key in ((9, "proposed"), (10, "proposed_period"), (11, "baseline_cost"),
                             (12, "expected_cost"), (13, "current_cost"),
                             (14, "target_growth"), (15, "realised"), (16, "remaining")):
                self.assertAlmostEqual(row[col], float(it[key]), places=6, msg=(it, key))
        total = rows[len(items)]
        self.assertEqual(total[6], "Total")
        for col, key in ((9, "proposed"), (10, "proposed_period"), (15, "realised"),
                         (16, "remaining")):
            self.assertAlmostEqual(total[col], float(self.real[key]), places=6)

        rows = list(wb["What drove the change"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(rows), len(self.rep["drivers"]))
        for d, row in zip(self.rep["drivers"], rows):
            self.assertEqual((row[0], row[2]), (d["account_id"], d["service"]))
            for col, key in ((3, "previous_cost"), (4, "cost"), (5, "change"), (6, "usage"),
                             (7, "rate"), (8, "discounts"), (9, "other")):
                self.assertAlmostEqual(row[col], float(d[key]), places=6, msg=(d, key))

        rows = list(wb["Anomalies"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(rows), len(self.rep["anomalies"]))
        for a, row in zip(self.rep["anomalies"], rows):
            self.assertEqual((row[1], row[3]), (a["account_id"], a["service"]))
            self.assertAlmostEqual(row[4], float(a["cost"]), places=6)
            self.assertAlmostEqual(row[6], float(a["excess"]), places=6)
            if a["kind"] == "spike":
                self.assertEqual(row[0].date().isoformat(), a["day"])
                self.assertAlmostEqual(row[5], float(a["baseline_median"]), places=6)
            else:
                self.assertEqual(row[0], "new usage type")


if __name__ == "__main__":
    unittest.main(verbosity=2)
