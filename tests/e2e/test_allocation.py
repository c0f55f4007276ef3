"""--by tag:team and --by region on the bundled samples: for every value,
and for the untagged spend, the cost of the period and of the previous one
equal sums computed here with Decimal straight from the raw files, for CUR
2.0, legacy CUR and FOCUS; the values sum to the ranked total exactly; the
CSV file for finance holds the same figures."""
import csv
import json
import os
import re
import sys
import unittest
import zipfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402
from test_samples import FORMATS, data_files, read_rows  # noqa: E402

CATEGORY = "cost-category:CostCenter"
PERIODS = {"cur": ("2026-10-01", "2026-10-31"), "prev": ("2026-09-01", "2026-09-30")}


def fields(fmt, row):
    """(day, excluded?, cost, team, region, cost category CostCenter) of a raw row."""
    if fmt == "cur2":
        tags = json.loads(row["resource_tags"] or "{}")
        team = tags.get("user:team") or tags.get("user_team") or ""
        return (row["line_item_usage_start_date"][:10],
                row["line_item_line_item_type"] in ("Credit", "Refund", "Tax"),
                row["line_item_unblended_cost"], team, row["product_region_code"],
                json.loads(row["cost_category"] or "{}").get("CostCenter", ""))
    if fmt == "cur":
        return (row["lineItem/UsageStartDate"][:10],
                row["lineItem/LineItemType"] in ("Credit", "Refund", "Tax"),
                row["lineItem/UnblendedCost"], row.get("resourceTags/user:team", ""),
                row["product/region"], row["costCategory/CostCenter"])
    tags = json.loads(row["Tags"] or "{}")
    return (row["ChargePeriodStart"][:10], row["ChargeCategory"] in ("Tax", "Credit"),
            row["BilledCost"], tags.get("team", ""), row["RegionId"], "")  # FOCUS: no category


def oracle(fmt):
    """{dimension: {period: {value or None: Decimal}}} from the raw files."""
    out = {d: {"cur": {}, "prev": {}} for d in ("tag:team", "region", CATEGORY)}
    for path in data_files(FORMATS[fmt]):
        for row in read_rows(path):
            day, excluded, cost, team, region, category = fields(fmt, row)
            if excluded or cost in ("", "NULL"):
                continue
            for period, (first, last) in PERIODS.items():
                if first <= day <= last:
                    for dim, value in (("tag:team", team), ("region", region),
                                       (CATEGORY, category)):
                        sums = out[dim][period]
                        key = value or None
                        sums[key] = sums.get(key, Decimal(0)) + Decimal(cost)
    return out


def expected(want, dim):
    """The period's values of dim as a report lists them: the untagged row always, a value
    seen only in the previous period at 0."""
    cur = dict(want[dim]["cur"])
    cur.setdefault(None, Decimal(0))
    for value in want[dim]["prev"]:
        cur.setdefault(value, Decimal(0))
    return cur


def check_against(test, rep, want):
    """Every allocation of rep against the oracle want: each value's cost and previous cost
    exact, the values summing to the ranked total exactly.  Returns {dimension: expected}."""
    out = {}
    for al in rep["allocation"]:
        dim = al["dimension"]
        cur = out[dim] = expected(want, dim)
        got = {v["value"]: Decimal(v["cost"]) for v in al["values"]}
        test.assertEqual(got, cur, dim)
        test.assertEqual(sum(got.values()), Decimal(rep["total"]), dim)
        prev = {v["value"]: Decimal(v["previous_cost"]) for v in al["values"]}
        for value, amount in want[dim]["prev"].items():
            test.assertEqual(prev.get(value, Decimal(0)), amount, (dim, value))
    return out


class Allocation(unittest.TestCase):
    def test_by_tag_and_region_equal_the_raw_files(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt), tempdir() as out:
                code, _, err = run(["report", "--format", "json,csv", "--out", out,
                                    "--month", "2026-10", "--no-rules", "--by", "tag:team",
                                    "--by", "region", "--by", CATEGORY, FORMATS[fmt]])
                self.assertEqual(code, 0, err)
                with open(os.path.join(out, "costrank-2026-10.json")) as f:
                    rep = json.load(f)
                want = oracle(fmt)
                self.assertEqual([a["dimension"] for a in rep["allocation"]],
                                 ["tag:team", "region", CATEGORY])
                # FOCUS has no cost category: all of it uncategorized, and said so
                warned = [w for w in rep["warnings"] if CATEGORY in w and "FOCUS" in w]
                self.assertEqual(len(warned), 1 if fmt == "focus" else 0, rep["warnings"])
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
                    self.assertEqual(rows[-1]["value"], {"region": "(no region)",
                                                         CATEGORY: "(uncategorized)"}.get(
                                                             dim, "(untagged)"))
                # the untagged spend of the samples is real: the test can fail
                self.assertNotEqual(want["tag:team"]["cur"][None], 0)
                self.assertGreater(len(want["tag:team"]["cur"]), 3)
                if fmt != "focus":
                    self.assertGreater(len(want[CATEGORY]["cur"]), 3)

    def test_every_format_has_the_section(self):
        """table, Markdown, HTML, the workbook and the chat summary carry the same
        values in the order of the JSON allocation; without --by none of them does."""
        with tempdir() as out:
            code, table, err = run(["report", "--format", "table,json,md,html,xlsx", "--out",
                                    out, "--month", "2026-10", "--no-rules", "--color", "never",
                                    "--by", "tag:team", FORMATS["cur2"]],
                                   env={"COSTRANK_WEBHOOK_URL":
                                        "https://hooks.slack.com/services/T0/B0/x"})
            self.assertEqual(code, 0, err)
            with open(os.path.join(out, "costrank-2026-10.json")) as f:
                al = json.load(f)["allocation"][0]
            names = [v["value"] for v in al["values"][:-1]] + ["(untagged)"]
            share = "%.1f%%" % (al["untagged_share"] * 100)
            texts = {"table": table}
            for ext in ("md", "html"):
                with open(os.path.join(out, "costrank-2026-10." + ext), encoding="utf-8") as f:
                    texts[ext] = f.read()
            with zipfile.ZipFile(os.path.join(out, "costrank-2026-10.xlsx")) as z:
                self.assertIn('name="Allocation"', z.read("xl/workbook.xml").decode())
                texts["xlsx"] = z.read("xl/sharedStrings.xml").decode()
            for fmt, text in texts.items():
                self.assertIn("tag:team", text, fmt)
                at = [text.find(n) for n in names]
                self.assertNotIn(-1, at, fmt)
                if fmt != "xlsx":  # shared strings are in first-use order
                    pos = text.find("By tag:team")
                    self.assertGreaterEqual(pos, 0, fmt)
                    self.assertIn(share, text[pos:], fmt)
                    for n in names:  # each value after the one before
                        pos = text.find(n, pos)
                        self.assertGreaterEqual(pos, 0, (fmt, n))
                        pos += len(n)
            code, payload, err = run(["report", "--format", "json", "--out", out, "--month", "2026-10",
                                "--no-rules", "--by", "tag:team", "--post", "slack",
                                "--dry-run", FORMATS["cur2"]],
                               env={"COSTRANK_WEBHOOK_URL":
                                    "https://hooks.slack.com/services/T0/B0/x"})
            self.assertEqual(code, 0, err)
        # one line in the chat summary: the top three values and the untagged share
        m = re.search(r"By tag:team: ([^\"\\]*)", payload)
        self.assertIsNotNone(m, payload[:300])
        parts = re.findall(r"([^,\u00b7]+?) (\d+\.\d)%", m.group(1))
        self.assertEqual([p[0].strip() for p in parts], names[:3] + ["(untagged)"])
        total = sum(Decimal(v["cost"]) for v in al["values"])
        for (name, pct), v in zip(parts, al["values"][:3] + al["values"][-1:]):
            exact = Decimal(v["cost"]) / total * 100
            self.assertLessEqual(abs(Decimal(pct) - exact), Decimal("0.05"), name)

    def test_hostile_tag_values(self):
        """Tag values are data: escape sequences never reach the terminal, a
        formula never starts a CSV cell, a broken map is untagged, and the
        values still sum to the total."""
        head = ("line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,"
                "line_item_product_code,line_item_usage_type,line_item_unblended_cost,"
                "resource_tags\n")
        values = ['=HYPERLINK(""http://x"")', "\x1b[31mred\x1b[0m", "a" * 5000, 'q\\""uote']
        rows = ["111122223333,Usage,2026-10-0%d,AmazonEC2,BoxUsage,1.5,"
                '"{""user:team"":""%s""}"' % (i + 1, v) for i, v in enumerate(values)]
        rows.append('111122223333,Usage,2026-10-09,AmazonEC2,BoxUsage,0.25,"{""user:team"":"')
        with tempdir() as out:
            path = os.path.join(out, "hostile.csv")
            with open(path, "w", encoding="utf-8") as f:
                f.write(head + "\n".join(rows) + "\n")
            reports = os.path.join(out, "r")
            code, table, err = run(["report", "--format", "table,json,csv", "--out", reports,
                                    "--month", "2026-10", "--no-rules", "--color", "never",
                                    "--by", "tag:team", path])
            self.assertEqual(code, 0, err)
            self.assertNotIn("\x1b", table)
            with open(os.path.join(reports, "costrank-2026-10.json")) as f:
                rep = json.load(f)
            al = rep["allocation"][0]
            self.assertEqual(sum(Decimal(v["cost"]) for v in al["values"]), Decimal("6.25"))
            self.assertEqual(Decimal(al["untagged_cost"]), Decimal("0.25"))
            self.assertEqual(len(al["values"]), 5)
            with open(os.path.join(reports, "costrank-2026-10-by-tag-team.csv"),
                      encoding="utf-8") as f:
                cells = [r["value"] for r in csv.DictReader(f)]
            self.assertFalse([c for c in cells if c[:1] in "=+-@"], cells)
            self.assertFalse([c for c in cells if "\x1b" in c], cells)

    def test_refused(self):
        for args, word in ((["--by", "cost-category:"], "--by"),
                           (["--by", "team"], "--by"),
                           (["--by", "tag:"], "--by"),
                           (["--by", "region", "--source", "ce"], "--by region")):
            with self.subTest(args=args), tempdir() as out:
                code, _, err = run(["report", "--out", out, *args] +
                                   ([] if "--source" in args else [FORMATS["cur2"]]))
                self.assertEqual(code, 2, err)
                self.assertIn(word, err)
                self.assertEqual(os.listdir(out), [])


class Parquet(unittest.TestCase):
    """The Parquet copies of the samples book tags, regions and resources as
    their CSV originals do: the same allocation and the same top resources."""

    def report(self, path, *extra):
        with tempdir() as out:
            code, _, err = run(["report", "--by", "tag:team", "--by", "region", "--month",
                                "2026-10", "--format", "json", "--out", out] + list(extra)
                               + [path])
            self.assertEqual(code, 0, err)
            with open(os.path.join(out, "costrank-2026-10.json")) as f:
                return json.load(f)

    def test_parquet_equals_csv(self):
        for fmt, folder in (("focus", "focus"), ("legacy", "legacy-cur")):
            with self.subTest(format=fmt):
                pq = self.report(os.path.join(SAMPLES, "parquet", folder))
                csv_ = self.report(os.path.join(SAMPLES, folder))
                self.assertEqual(pq["allocation"], csv_["allocation"])
                self.assertEqual(pq["accounts"], csv_["accounts"])
                teams = [v for v in pq["allocation"][0]["values"] if not v["untagged"]]
                self.assertGreater(len(teams), 3)
                regions = [v for v in pq["allocation"][1]["values"] if not v["untagged"]]
                self.assertGreater(len(regions), 1)


if __name__ == "__main__":
    unittest.main()
