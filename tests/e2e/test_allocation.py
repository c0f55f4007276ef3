"""--by tag:team and --by region on the bundled samples: for every value,
and for the untagged spend, the cost of the period and of the previous one
equal sums computed here with Decimal straight from the raw files, for CUR
2.0, legacy CUR and FOCUS; the values sum to the ranked total exactly; the
CSV file for finance holds the same figures."""
import csv
import json
import os
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402
from test_samples import FORMATS, data_files, read_rows  # noqa: E402

PERIODS = {"cur": ("2026-10-01", "2026-10-31"), "prev": ("2026-09-01", "2026-09-30")}


def fields(fmt, row):
    """(day, excluded?, cost, team, region) of a raw row."""
    if fmt == "cur2":
        tags = json.loads(row["resource_tags"] or "{}")
        team = tags.get("user:team") or tags.get("user_team") or ""
        return (row["line_item_usage_start_date"][:10],
                row["line_item_line_item_type"] in ("Credit", "Refund", "Tax"),
                row["line_item_unblended_cost"], team, row["product_region_code"])
    if fmt == "cur":
        return (row["lineItem/UsageStartDate"][:10],
                row["lineItem/LineItemType"] in ("Credit", "Refund", "Tax"),
                row["lineItem/UnblendedCost"], row.get("resourceTags/user:team", ""),
                row["product/region"])
    tags = json.loads(row["Tags"] or "{}")
    return (row["ChargePeriodStart"][:10], row["ChargeCategory"] in ("Tax", "Credit"),
            row["BilledCost"], tags.get("team", ""), row["RegionId"])


def oracle(fmt):
    """{dimension: {period: {value or None: Decimal}}} from the raw files."""
    out = {"tag:team": {"cur": {}, "prev": {}}, "region": {"cur": {}, "prev": {}}}
    for path in data_files(FORMATS[fmt]):
        for row in read_rows(path):
            day, excluded, cost, team, region = fields(fmt, row)
            if excluded or cost in ("", "NULL"):
                continue
            for period, (first, last) in PERIODS.items():
                if first <= day <= last:
                    for dim, value in (("tag:team", team), ("region", region)):
                        sums = out[dim][period]
                        key = value or None
                        sums[key] = sums.get(key, Decimal(0)) + Decimal(cost)
    return out


class Allocation(unittest.TestCase):
    def test_by_tag_and_region_equal_the_raw_files(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt), tempdir() as out:
                code, _, err = run(["report", "--format", "json,csv", "--out", out,
                                    "--month", "2026-10", "--no-rules", "--by", "tag:team",
                                    "--by", "region", FORMATS[fmt]])
                self.assertEqual(code, 0, err)
                with open(os.path.join(out, "costrank-2026-10.json")) as f:
                    rep = json.load(f)
                want = oracle(fmt)
                self.assertEqual([a["dimension"] for a in rep["allocation"]],
                                 ["tag:team", "region"])
                for al in rep["allocation"]:
                    dim = al["dimension"]
                    got = {v["value"]: Decimal(v["cost"]) for v in al["values"]}
                    prev = {v["value"]: Decimal(v["previous_cost"]) for v in al["values"]}
                    cur_want = want[dim]["cur"]
                    cur_want.setdefault(None, Decimal(0))  # the untagged row is always there
                    for value in want[dim]["prev"]:  # a value gone since: listed at 0
                        cur_want.setdefault(value, Decimal(0))
                    self.assertEqual(got, cur_want, dim)
                    for value, amount in want[dim]["prev"].items():
                        self.assertEqual(prev.get(value, Decimal(0)), amount, (dim, value))
                    self.assertEqual(sum(got.values()), Decimal(rep["total"]), dim)
                    self.assertEqual(Decimal(al["untagged_cost"]), cur_want[None])
                    self.assertAlmostEqual(al["untagged_share"],
                                           float(cur_want[None] / Decimal(rep["total"])),
                                           places=4)
                    self.assertTrue(al["values"][-1]["untagged"])
                    ranked = [Decimal(v["cost"]) for v in al["values"][:-1]]
                    self.assertEqual(ranked, sorted(ranked, reverse=True))
                    for v in al["values"]:
                        self.assertEqual(Decimal(v["change"]),
                                         Decimal(v["cost"]) - Decimal(v["previous_cost"]))
                        self.assertLessEqual(len(v["services"]), 10)
                        self.assertLessEqual(sum(Decimal(s["cost"]) for s in v["services"]),
                                             Decimal(v["cost"]) + Decimal("1e-9"))
                    # the CSV for finance: the same values, exact
                    name = "costrank-2026-10-by-%s.csv" % dim.replace(":", "-")
                    with open(os.path.join(out, name), newline="", encoding="utf-8") as f:
                        rows = list(csv.DictReader(f))
                    self.assertEqual({None if r["untagged"] == "true" else r["value"]:
                                      Decimal(r["cost"]) for r in rows}, cur_want, name)
                    self.assertEqual(rows[-1]["value"],
                                     "(no region)" if dim == "region" else "(untagged)")
                # the untagged spend of the samples is real: the test can fail
                self.assertNotEqual(want["tag:team"]["cur"][None], 0)
                self.assertGreater(len(want["tag:team"]["cur"]), 3)

    def test_refused(self):
        for args, word in ((["--by", "cost-category:x"], "--by"),
                           (["--by", "tag:"], "--by"),
                           (["--by", "tag:team", "--source", "ce"], "billing files")):
            with self.subTest(args=args), tempdir() as out:
                code, _, err = run(["report", "--out", out, *args] +
                                   ([] if "--source" in args else [FORMATS["cur2"]]))
                self.assertEqual(code, 2, err)
                self.assertIn(word, err)
                self.assertEqual(os.listdir(out), [])


if __name__ == "__main__":
    unittest.main()
