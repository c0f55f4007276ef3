"""The monthly trend (--months) on the samples: the October report's trend equals sums computed
here with Decimal, per account and month, straight from the raw CUR 2.0 files."""
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
from test_samples import data_files, read_rows  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")
EXCLUDED = ("Credit", "Refund", "Tax")


def independent_months():
    """{(month, account): ranked cost} and {month: ranked cost} from the raw files."""
    accounts, total = {}, {}
    for path in data_files(CUR2):
        for row in read_rows(path):
            if row["line_item_line_item_type"] in EXCLUDED:
                continue
            month = row["line_item_usage_start_date"][:7]
            cost = row["line_item_unblended_cost"]
            amount = Decimal(cost) if cost not in ("", "NULL") else Decimal(0)
            key = (month, row["line_item_usage_account_id"])
            accounts[key] = accounts.get(key, Decimal(0)) + amount
            total[month] = total.get(month, Decimal(0)) + amount
    return accounts, total


class Trend(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        cls.out = cls.tmp.name
        code, _, err = run(["report", "--format", "json,csv", "--out", cls.out, "--month",
                            "2026-10", "--accounts", os.path.join(SAMPLES, "accounts.json"), CUR2])
        if code != 0:
            raise AssertionError(err)
        with open(os.path.join(cls.out, "costrank-2026-10.json")) as f:
            cls.rep = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_trend_equals_decimal_sums(self):
        accounts, total = independent_months()
        t = self.rep["trend"]
        self.assertEqual(t["months"], ["2026-09", "2026-10"])
        self.assertEqual([Decimal(x) for x in t["total"]], [total["2026-09"], total["2026-10"]])
        self.assertEqual(len(t["accounts"]), len(self.rep["accounts"]))
        for a in t["accounts"]:
            for k, m in enumerate(t["months"]):
                self.assertEqual(Decimal(a["cost"][k]), accounts.get((m, a["id"]), Decimal(0)),
                                 (a["id"], m))
                # the services of an account ("Other services" included) add up to it
                self.assertEqual(sum(Decimal(s["cost"][k]) for s in a["services"]),
                                 Decimal(a["cost"][k]), (a["id"], m))
        # the last month is the report; the one before it the previous period
        for a, ra in zip(t["accounts"], self.rep["accounts"]):
            self.assertEqual(a["id"], ra["id"])
            self.assertEqual(Decimal(a["cost"][-1]), Decimal(ra["total"]))
            self.assertEqual(Decimal(a["cost"][-2]), Decimal(ra["previous_total"]))
            for s, rs in zip(a["services"], ra["services"]):
                self.assertEqual((s["name"], Decimal(s["cost"][-1])),
                                 (rs["name"], Decimal(rs["cost"])))

    def test_trend_csv(self):
        accounts, total = independent_months()
        with open(os.path.join(self.out, "costrank-2026-10-trend.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        orgs = {r["month"]: Decimal(r["cost"]) for r in rows if r["scope"] == "organisation"}
        self.assertEqual(orgs, total)
        accts = {(r["month"], r["account_id"]): Decimal(r["cost"]) for r in rows
                 if r["scope"] == "account"}
        self.assertEqual(accts, {k: v for k, v in accounts.items()
                                 if k[1] in {a["id"] for a in self.rep["accounts"]}})
        self.assertTrue(any(r["scope"] == "service" for r in rows))

    def test_sparklines(self):
        blocks = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"

        def spark(values):
            v = [float(Decimal(x)) for x in values]
            lo, hi = min(v), max(v)
            return "".join(blocks[int((x - lo) / (hi - lo) * 7 + 0.5) if hi > lo else 3]
                           for x in v)
        out = os.path.join(self.out, "spark")
        code, table, err = run(["report", "--format", "table,md", "--out", out, "--color",
                                "never", "--accounts", os.path.join(SAMPLES, "accounts.json"),
                                CUR2], env={"COLUMNS": "120"})
        self.assertEqual(code, 0, err)
        t = self.rep["trend"]
        with open(os.path.join(out, "costrank-2026-10.md"), encoding="utf-8") as f:
            md = f.read()
        lines = table.splitlines()
        self.assertIn("Trend", [x for x in lines if "Account" in x and "Share" in x][0])
        total = [x for x in lines if x.strip().startswith("Total") and "100.0%" in x][0]
        self.assertTrue(total.rstrip().endswith(spark(t["total"])), total)
        kinds = set()
        for a in t["accounts"]:
            s = spark(a["cost"])
            kinds.add(s)
            heading = [x for x in md.splitlines() if x.startswith("#### ") and a["id"] in x][0]
            self.assertTrue(heading.endswith(", trend %s)" % s), heading)
            row = [x for x in lines if x.startswith(" ") and a["name"] in x and "%" in x][0]
            self.assertTrue(row.rstrip().endswith(s), row)
            for svc in a["services"]:
                self.assertIn(" | %s |" % spark(svc["cost"]), md)
        self.assertEqual(kinds, {blocks[0] + blocks[7], blocks[7] + blocks[0]})

    def test_html_and_xlsx_charts(self):
        out = os.path.join(self.out, "charts")
        code, _, err = run(["report", "--format", "html,xlsx", "--out", out, "--accounts",
                            os.path.join(SAMPLES, "accounts.json"), CUR2])
        self.assertEqual(code, 0, err)
        t = self.rep["trend"]
        lines = 1 + min(5, len(t["accounts"]))
        with open(os.path.join(out, "costrank-2026-10.html"), encoding="utf-8") as f:
            html = f.read()
        svg = html[html.index('aria-labelledby="chart-trend-title'):]
        svg = svg[:svg.index("</svg>")]
        self.assertEqual(svg.count("<polyline"), lines)
        self.assertEqual(svg.count("<circle"), lines * len(t["months"]))
        for m in t["months"]:
            self.assertIn(">%s</text>" % m, svg)
        self.assertNotIn("<script", html)
        with zipfile.ZipFile(os.path.join(out, "costrank-2026-10.xlsx")) as z:
            book = z.read("xl/workbook.xml").decode()
            self.assertIn('name="Trend"', book)
            charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
            line = [c for c in charts if "<c:lineChart>" in c]
            self.assertEqual(len(line), 1)
            self.assertEqual(line[0].count("<c:ser>"), lines)
            self.assertIn("Trend!$E$2:$F$2", line[0])
            sheet = z.read("xl/worksheets/sheet5.xml").decode()
        row2 = re.search(r'<row r="2".*?</row>', sheet).group(0)
        values = [float(v) for v in re.findall(r'<c r="[A-Z]+2"(?![^>]*t="s")[^>]*><v>([^<]*)</v>',
                                                 row2)]
        self.assertEqual(values, [float(Decimal(x)) for x in t["total"]])

    def test_no_trend(self):
        # one month asked for, or a period that is not a calendar month: "trend" is null, and no
        # trend file is written
        for extra, name in ((["--months", "1"], "m1"), (["--month", "2026-09"], "sep"),
                            (["--from", "2026-10-01", "--to", "2026-10-15"], "range")):
            out = os.path.join(self.out, name)
            code, _, err = run(["report", "--format", "json,csv", "--out", out] + extra + [CUR2])
            self.assertEqual(code, 0, err)
            files = os.listdir(out)
            rep = json.load(open(os.path.join(out, [f for f in files if f.endswith(".json")][0])))
            self.assertIsNone(rep["trend"], name)
            self.assertEqual([f for f in files if f.endswith("-trend.csv")], [], name)
            self.assertTrue([f for f in files if f.endswith("-services.csv")], name)
        code, _, err = run(["report", "--months", "13", "--out", self.out, CUR2])
        self.assertEqual(code, 2)
        self.assertIn("--months '13'", err)


if __name__ == "__main__":
    unittest.main()
