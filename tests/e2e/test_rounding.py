"""Amounts with more than 18 decimals: a hand-made CUR 2.0 file whose costs and quantities carry
digits past the 18th decimal place.  They are rounded half to even when read; the report must say
so, counting them and giving the total effect on the costs, checked against Python's Decimal, in
the JSON reconciliation and as a warning in the table, JSON, Markdown and HTML.  A file without such amounts has
neither."""
import json
import os
import sys
import unittest
from decimal import ROUND_HALF_EVEN, Decimal, getcontext

sys.path.insert(0, os.path.dirname(__file__))
from common import run, tempdir  # noqa: E402

getcontext().prec = 80

HEADER = ("identity_line_item_id,line_item_usage_account_id,line_item_usage_account_name,"
          "line_item_line_item_type,line_item_usage_start_date,line_item_product_code,"
          "line_item_usage_type,line_item_usage_amount,line_item_currency_code,"
          "line_item_unblended_cost,pricing_unit,product\n")

# (cost, quantity): ties to even both ways, negative amounts, an exponent, more than 36 decimals
ROWS = [
    ("0.1234567890123456789", "1"),                       # rounded up
    ("1.0000000000000000005", "2"),                       # a tie: to even, down
    ("1.0000000000000000015", "2"),                       # a tie: to even, up
    ("-2.00000000000000000051", "1"),                     # negative, rounded away
    ("3.25", "0.3333333333333333333333"),                 # a quantity only
    ("12345678901234567E-35", "1"),                       # an exponent: 1.2345...e-19
    ("0.1000000000000000000000000000000000000007", "1"),  # past the 36th place
    ("7.5", "1"),                                         # nothing to round
]


def cur_file(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for i, (cost, qty) in enumerate(rows):
            f.write(f'id{i},012345678901,prod,Usage,2026-10-{i + 3:02d}T00:00:00Z,AmazonEC2,'
                    f'BoxUsage:m5.large,{qty},USD,{cost},Hrs,'
                    f'"{{""product_name"":""Amazon Elastic Compute Cloud""}}"\n')


def rounded(s):
    return Decimal(s).quantize(Decimal("1e-18"), rounding=ROUND_HALF_EVEN)


class Rounding(unittest.TestCase):
    def report(self, rows, formats="json,md,csv,html"):
        with tempdir() as d:
            path = os.path.join(d, "cur.csv")
            cur_file(path, rows)
            out = os.path.join(d, "out")
            code, so, se = run(["report", "--month", "2026-10", "--format", "table," + formats,
                                "--out", out, "--color", "never", path],
                               env={"COLUMNS": "1000"})  # notes on one line each
            self.assertEqual(code, 0, se)
            files = {}
            for n in os.listdir(out):
                with open(os.path.join(out, n), encoding="utf-8") as f:
                    files[n] = f.read()
            return so, files

    def test_rounded_amounts_are_counted_and_their_effect_given(self):
        so, files = self.report(ROWS)
        rep = json.loads(files["costrank-2026-10.json"])
        costs = [c for c, _ in ROWS if rounded(c) != Decimal(c)]
        qtys = [q for _, q in ROWS if rounded(q) != Decimal(q)]
        # the effect counts digits to the 36th place only
        effect = sum((rounded(c) - Decimal(c)).quantize(Decimal("1e-36"), rounding="ROUND_DOWN")
                     for c in costs)
        self.assertEqual(len(costs), 6)
        self.assertEqual(len(qtys), 1)
        got = rep["reconciliation"]["rounded"]
        self.assertEqual(got["costs"], 6)
        self.assertEqual(got["quantities"], 1)
        self.assertEqual(Decimal(got["cost_effect"]), effect, got)
        # the ranked total is the sum of the rounded costs, exactly
        self.assertEqual(Decimal(rep["total"]), sum(rounded(c) for c, _ in ROWS))
        warn = [w for w in rep["warnings"] if "past the 18th decimal place" in w]
        self.assertEqual(len(warn), 1, rep["warnings"])
        self.assertIn("7 amounts of the input (6 costs, 1 quantity)", warn[0])
        self.assertIn(got["cost_effect"], warn[0])
        # of the CSV files, the notes file carries the report's warnings
        for name, text in [(n, t) for n, t in files.items()
                           if not n.endswith(".csv") or n.endswith("-notes.csv")] + [
                ("table", so)]:
            with self.subTest(format=name):
                self.assertIn("past the 18th decimal place", text)

    def test_no_rounding_no_mention(self):
        so, files = self.report([("1.25", "1"), ("0.000000000000000001", "2")])
        rep = json.loads(files["costrank-2026-10.json"])
        self.assertNotIn("rounded", rep["reconciliation"])
        for text in list(files.values()) + [so]:
            self.assertNotIn("decimal place", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
