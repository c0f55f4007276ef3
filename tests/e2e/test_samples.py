"""End to end on the bundled samples: the three export formats of the same
organisation give the same rankings, and the reconciliation matches sums
computed here, independently of costrank, from the raw files."""
import csv
import gzip
import io
import json
import os
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402

FORMATS = {
    "cur2": os.path.join(SAMPLES, "cur2"),
    "cur": os.path.join(SAMPLES, "legacy-cur"),
    "focus": os.path.join(SAMPLES, "focus"),
}
MONTH = ("2026-10-01", "2026-10-31")


def data_files(root):
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.join(d, n) for n in names if n.endswith((".csv", ".csv.gz"))]
    return sorted(out)


def read_rows(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    return csv.DictReader(io.StringIO(text, newline=""))


def independent_sums(fmt):
    """Grand total and excluded categories for October, straight from the files."""
    sums = {"grand": Decimal(0), "credits": Decimal(0), "refunds": Decimal(0), "tax": Decimal(0)}
    accounts = {}
    for path in data_files(FORMATS[fmt]):
        for row in read_rows(path):
            if fmt == "cur2":
                day, kind, cost, acct = (row["line_item_usage_start_date"][:10],
                                         row["line_item_line_item_type"],
                                         row["line_item_unblended_cost"],
                                         row["line_item_usage_account_id"])
                cat = {"Credit": "credits", "Refund": "refunds", "Tax": "tax"}.get(kind)
            elif fmt == "cur":
                day, kind, cost, acct = (row["lineItem/UsageStartDate"][:10],
                                         row["lineItem/LineItemType"],
                                         row["lineItem/UnblendedCost"],
                                         row["lineItem/UsageAccountId"])
                cat = {"Credit": "credits", "Refund": "refunds", "Tax": "tax"}.get(kind)
            else:
                day, kind, cost, acct = (row["ChargePeriodStart"][:10], row["ChargeCategory"],
                                         row["BilledCost"], row["SubAccountId"])
                cat = None
                if kind == "Tax":
                    cat = "tax"
                elif kind == "Credit":
                    cat = "refunds" if row.get("ChargeClass") == "Correction" else "credits"
            if not (MONTH[0] <= day <= MONTH[1]):
                continue
            amount = Decimal(cost) if cost not in ("", "NULL") else Decimal(0)
            sums["grand"] += amount
            if cat:
                sums[cat] += amount
            else:
                accounts[acct] = accounts.get(acct, Decimal(0)) + amount
    return sums, accounts


def report(fmt, outdir, *extra):
    code, out, err = run(["report", "--format", "json,csv,table", "--out", outdir,
                          "--month", "2026-10", "--color", "never",
                          "--accounts", os.path.join(SAMPLES, "accounts.json"), *extra, FORMATS[fmt]])
    if code != 0:
        raise AssertionError(f"costrank on {fmt} exited {code}: {err}")
    with open(os.path.join(outdir, "costrank-2026-10.json")) as f:
        return json.load(f), out


def ranking(rep):
    """Everything that must not depend on the export format."""
    return [(a["id"], a["name"], a["total"], a["previous_total"],
             [(s["rank"], s["name"], s["cost"], s["previous_cost"],
               [(u["rank"], u["usage_type"], u["cost"], u["previous_cost"], u["new"])
                for u in s["usage_types"]])
              for s in a["services"]])
            for a in rep["accounts"]]


class SampleReports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.reports = {}
        cls.tables = {}
        for fmt in FORMATS:
            with tempdir() as d:
                cls.reports[fmt], cls.tables[fmt] = report(fmt, d)

    def test_all_formats_rank_the_same(self):
        base = ranking(self.reports["cur2"])
        self.assertGreaterEqual(len(base), 6)
        for fmt in ("cur", "focus"):
            with self.subTest(fmt=fmt):
                self.assertEqual(ranking(self.reports[fmt]), base)
                self.assertEqual(self.reports[fmt]["total"], self.reports["cur2"]["total"])

    def test_organisation_services_are_whole(self):
        """The organisation's services sum each service over every account, including where an
        account folds it into "Other services": checked against a run that folds nothing."""
        with tempdir() as d:
            full, _ = report("cur2", d, "--top", "1000", "--top-usage", "1")
        want = {}
        paying, listed = {}, {}
        for a in full["accounts"]:
            for s in a["services"]:
                self.assertFalse(s["other"])
                want[s["name"]] = want.get(s["name"], Decimal(0)) + Decimal(s["cost"])
                paying[s["name"]] = paying.get(s["name"], 0) + (Decimal(s["cost"]) != 0)
                listed[s["name"]] = listed.get(s["name"], 0) + 1
        for fmt, rep in self.reports.items():
            with self.subTest(fmt=fmt):
                got = rep["services"]
                self.assertEqual({s["name"]: Decimal(s["cost"]) for s in got}, want)
                self.assertEqual(sum(Decimal(s["cost"]) for s in got), Decimal(rep["total"]))
                self.assertEqual([s["rank"] for s in got], list(range(1, len(got) + 1)))
                costs = [Decimal(s["cost"]) for s in got]
                self.assertEqual(costs, sorted(costs, reverse=True))
                self.assertEqual(got, self.reports["cur2"]["services"])
        # a service folded away in some account still counts there
        folded = {s["name"] for a in self.reports["cur2"]["accounts"] for s in a["services"]
                  if not s["other"]}
        self.assertTrue(any(sum(1 for a in self.reports["cur2"]["accounts"]
                                if s["name"] in {x["name"] for x in a["services"]}) < s["accounts"]
                            for s in self.reports["cur2"]["services"] if s["name"] in folded))
        for s in self.reports["cur2"]["services"]:
            self.assertGreaterEqual(s["accounts"], paying[s["name"]], s["name"])
            self.assertLessEqual(s["accounts"], listed[s["name"]], s["name"])

    def test_reconciliation_matches_independent_sum(self):
        for fmt, rep in self.reports.items():
            with self.subTest(fmt=fmt):
                sums, accounts = independent_sums(fmt)
                rec = rep["reconciliation"]
                self.assertEqual(Decimal(rec["grand_total"]), sums["grand"])
                for cat in ("credits", "refunds", "tax"):
                    self.assertEqual(Decimal(rec[cat]), sums[cat], cat)
                ranked = sums["grand"] - sums["credits"] - sums["refunds"] - sums["tax"]
                self.assertEqual(Decimal(rec["ranked"]), ranked)
                self.assertEqual(Decimal(rep["total"]), ranked)
                self.assertEqual(round(Decimal(rec["ranked"]), 2), round(ranked, 2))
                got = {a["id"]: Decimal(a["total"]) for a in rep["accounts"]}
                self.assertEqual(got, accounts)

    def test_samples_exercise_the_reconciliation(self):
        rec = self.reports["cur2"]["reconciliation"]
        for cat in ("credits", "refunds", "tax"):
            self.assertNotEqual(Decimal(rec[cat]), 0, f"samples should hold {cat}")

    def test_structure(self):
        rep = self.reports["cur2"]
        self.assertEqual(rep["schema"], "costrank.report/v1")
        self.assertEqual(rep["period"]["start"], "2026-10-01")
        self.assertEqual(rep["period"]["end"], "2026-10-31")
        self.assertEqual(rep["previous_period"], {"start": "2026-09-01", "end": "2026-09-30"})
        self.assertEqual(rep["currency"], "USD")
        self.assertEqual(rep["source"]["kind"], "cur2")
        totals = [Decimal(a["total"]) for a in rep["accounts"]]
        self.assertEqual(totals, sorted(totals, reverse=True))
        self.assertTrue(any(a["id"].startswith("0") for a in rep["accounts"]),
                        "an account id with a leading zero must stay a string")
        for a in rep["accounts"]:
            listed = [s for s in a["services"] if not s["other"]]
            self.assertLessEqual(len(listed), 10)
            self.assertEqual(sum(Decimal(s["cost"]) for s in a["services"]), Decimal(a["total"]))
            costs = [Decimal(s["cost"]) for s in listed]
            self.assertEqual(costs, sorted(costs, reverse=True))
            for s in a["services"]:
                if s["other"]:
                    continue
                self.assertEqual(sum(Decimal(u["cost"]) for u in s["usage_types"]),
                                 Decimal(s["cost"]), s["name"])
                self.assertLessEqual(len([u for u in s["usage_types"] if not u["other"]]), 5)
        names = {s["name"] for a in rep["accounts"] for s in a["services"]}
        self.assertIn("Amazon Elastic Compute Cloud - Compute", names)
        self.assertIn("EC2 - Other", names)
        self.assertNotIn("Amazon Elastic Compute Cloud", names)
        self.assertTrue(any(u["new"] for a in rep["accounts"] for s in a["services"]
                            for u in s["usage_types"]), "October has new usage types")

    def test_csv_matches_json(self):
        with tempdir() as d:
            rep, _ = report("cur2", d)
            with open(os.path.join(d, "costrank-2026-10.csv"), newline="") as f:
                rows = list(csv.DictReader(f))
        total = sum(Decimal(r["cost"]) for r in rows)
        # rows are rounded to the cent: the sum may differ by half a cent a row
        self.assertLessEqual(abs(total - Decimal(rep["total"])), Decimal("0.005") * len(rows))
        ids = {r["account_id"] for r in rows}
        self.assertEqual(ids, {a["id"] for a in rep["accounts"]})

    def test_table_shows_every_account_and_the_total(self):
        out = self.tables["cur2"]
        rep = self.reports["cur2"]
        for a in rep["accounts"]:
            self.assertIn(a["id"], out)
        total = Decimal(rep["total"]).quantize(Decimal("0.01"))
        self.assertIn(f"{total:,}", out)
        self.assertNotIn("\x1b[", out)

    def test_amortized_differs_and_reconciles(self):
        with tempdir() as d:
            unb, _ = report("cur2", d)
        with tempdir() as d:
            am2, _ = report("cur2", d, "--metric", "amortized")
        with tempdir() as d:
            amf, _ = report("focus", d, "--metric", "amortized")
        self.assertEqual(am2["metric"], "amortized")
        self.assertNotEqual(am2["total"], unb["total"])
        self.assertEqual(ranking(am2), ranking(amf))

    def test_include_moves_categories_into_the_ranking(self):
        with tempdir() as d:
            rep, _ = report("cur2", d, "--include", "credits,refunds,tax")
        rec = rep["reconciliation"]
        self.assertEqual(Decimal(rep["total"]), Decimal(rec["grand_total"]))
        self.assertEqual(sorted(rec["included"]), ["credits", "refunds", "tax"])
        names = {s["name"] for a in rep["accounts"] for s in a["services"]}
        self.assertIn("Tax", names)


if __name__ == "__main__":
    unittest.main(verbosity=2)
