"""--resources on the bundled samples: the top resources of every listed
usage type, their cost, share, first and last day, the cost of the other
resources and of the lines without a resource id equal what is computed here
with Decimal straight from the raw CUR 2.0 and legacy CUR files (CSV, and
the legacy Parquet copy); the CSV file for finance holds the same figures;
a period of days keeps only its days; hostile ids (1 MB long, a newline,
quotes) are reported exactly and the table stays within its width."""
import csv
import gzip
import json
import os
import sys
import unittest
from collections import defaultdict
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402
from test_samples import data_files, read_rows  # noqa: E402

EXCLUDED = ("Credit", "Refund", "Tax")
COLS = {
    "cur2": ("line_item_usage_account_id", "line_item_product_code", "line_item_usage_type",
             "line_item_resource_id",
             "line_item_usage_start_date", "line_item_line_item_type",
             "line_item_unblended_cost"),
    "cur": ("lineItem/UsageAccountId", "lineItem/ProductCode", "lineItem/UsageType",
            "lineItem/ResourceId",
            "lineItem/UsageStartDate", "lineItem/LineItemType", "lineItem/UnblendedCost"),
}


def oracle(fmt, first, last):
    """{(account, usage type): {product code: {resource id ("" for none): [cost, first,
    last]}}}: the report names services, not codes; the code whose cost is the usage
    type's is the one (check)."""
    out = defaultdict(lambda: defaultdict(dict))
    root = os.path.join(SAMPLES, "cur2" if fmt == "cur2" else "legacy-cur")
    acct_c, code_c, ut_c, rid_c, day_c, lit_c, cost_c = COLS[fmt]
    for path in data_files(root):
        for row in read_rows(path):
            day = row[day_c][:10]
            if not first <= day <= last or row[lit_c] in EXCLUDED:
                continue
            ut = row[ut_c] or "(no usage type)"
            res = out[(row[acct_c], ut)][row[code_c]].setdefault(row[rid_c], [Decimal(0), day, day])
            res[0] += Decimal(row[cost_c])
            res[1] = min(res[1], day)
            res[2] = max(res[2], day)
    return out


def report(path, *extra):
    with tempdir() as out:
        code, _, err = run(["report", "--format", "json,csv", "--out", out, "--quiet"]
                           + list(extra) + [path])
        assert code == 0, err
        names = os.listdir(out)
        with open(os.path.join(out, next(n for n in names if n.endswith(".json")))) as f:
            rep = json.load(f)
        rows = None
        for n in names:
            if n.endswith("-resources.csv"):
                with open(os.path.join(out, n), newline="") as f:
                    rows = list(csv.DictReader(f))
        return rep, rows


csv.field_size_limit(1 << 24)


class Resources(unittest.TestCase):
    def check(self, rep, want, n):
        listed = with_ids = 0
        self.assertEqual(rep["top_resources"], n)
        for a in rep["accounts"]:
            for s in a["services"]:
                for u in s["usage_types"]:
                    if u["other"]:
                        self.assertNotIn("resources", u)
                        continue
                    listed += 1
                    if Decimal(u["cost"]) == 0:   # billed only in the previous period
                        self.assertEqual((u["resources"], u["resources_total"]), ([], 0))
                        continue
                    fits = [g for g in want[(a["id"], u["usage_type"])].values()
                            if sum(x[0] for x in g.values()) == Decimal(u["cost"])]
                    self.assertEqual(len(fits), 1, (a["id"], s["name"], u["usage_type"]))
                    got = fits[0]
                    none = got.get("", [Decimal(0)])[0]
                    ids = sorted(((-v[0], k, v) for k, v in got.items() if k),
                                 key=lambda t: (t[0], t[1].encode()))
                    self.assertEqual(Decimal(u["no_resource_id_cost"]), none)
                    self.assertEqual(u["resources_total"], len(ids))
                    self.assertEqual(Decimal(u["resources_other_cost"]),
                                     sum((v[0] for _, _, v in ids[n:]), Decimal(0)))
                    self.assertEqual([(x["resource_id"], Decimal(x["cost"]), x["first_day"],
                                       x["last_day"]) for x in u["resources"]],
                                     [(k, v[0], v[1], v[2]) for _, k, v in ids[:n]])
                    for x in u["resources"]:
                        self.assertAlmostEqual(x["share"], float(Decimal(x["cost"])
                                                                 / Decimal(u["cost"])), 9)
                    with_ids += bool(ids)
        # the samples hold both kinds
        self.assertGreater(listed, 50)
        self.assertGreater(with_ids, 10)
        return listed

    def test_cur2_and_legacy_csv(self):
        for fmt, folder in (("cur2", "cur2"), ("cur", "legacy-cur")):
            want = oracle(fmt, "2026-10-01", "2026-10-31")
            for n in (1, 3):
                with self.subTest(format=fmt, n=n):
                    rep, rows = report(os.path.join(SAMPLES, folder), "--month", "2026-10",
                                       "--resources", str(n), "--top-usage", "8")
                    self.check(rep, want, n)
                    self.check_csv(rep, rows)

    def test_legacy_parquet(self):
        want = oracle("cur", "2026-10-01", "2026-10-31")
        rep, _ = report(os.path.join(SAMPLES, "parquet", "legacy-cur"), "--month", "2026-10")
        self.check(rep, want, 3)

    def test_a_period_of_days(self):
        want = oracle("cur2", "2026-10-05", "2026-10-12")
        rep, _ = report(os.path.join(SAMPLES, "cur2"), "--from", "2026-10-05", "--to",
                        "2026-10-12", "--resources", "2")
        self.check(rep, want, 2)

    def check_csv(self, rep, rows):
        """Every listed usage type's rows sum to its cost, and name its resources."""
        sums = defaultdict(Decimal)
        for r in rows:
            sums[(r["account_id"], r["service"], r["usage_type"])] += Decimal(r["cost"])
            self.assertIn(r["row"], ("resource", "other_resources", "no_resource_id"))
        seen = 0
        for a in rep["accounts"]:
            for s in a["services"]:
                for u in s["usage_types"]:
                    key = (a["id"], s["name"], u["usage_type"])
                    if key in sums:
                        seen += 1
                        self.assertEqual(sums[key], Decimal(u["cost"]))
        self.assertGreater(seen, 10)

    def test_off(self):
        rep, rows = report(os.path.join(SAMPLES, "cur2"), "--resources", "0")
        self.assertNotIn("top_resources", rep)
        self.assertIsNone(rows)
        for bad in ("-1", "101", "x"):
            code, _, err = run(["report", "--resources", bad, os.path.join(SAMPLES, "cur2")])
            self.assertEqual(code, 2, err)

    def test_hostile_ids(self):
        head = ("line_item_usage_account_id,line_item_line_item_type,"
                "line_item_usage_start_date,line_item_product_code,line_item_usage_type,"
                "line_item_unblended_cost,line_item_resource_id\n")
        big = "arn:aws:s3:::" + "b" * (1 << 20)
        ids = [big, 'i-"quoted"', "vol-new\nline"] + ["i-%06d" % i for i in range(5000)]
        lines = []
        for k, rid in enumerate(ids):
            cost = "3" if k < 3 else "0.001"
            q = '"%s"' % rid.replace('"', '""')
            lines.append("111122223333,Usage,2026-10-%02dT00:00:00Z,AmazonEC2,BoxUsage,%s,%s\n"
                         % (1 + k % 28, cost, q))
        lines.append("111122223333,Usage,2026-10-02T00:00:00Z,AmazonEC2,BoxUsage,0.5,\n")
        with tempdir() as d:
            path = os.path.join(d, "hostile.csv.gz")
            with gzip.open(path, "wt", newline="") as f:
                f.write(head + "".join(lines))
            rep, rows = report(path, "--month", "2026-10", "--resources", "3")
            u = rep["accounts"][0]["services"][0]["usage_types"][0]
            self.assertEqual(sorted(x["resource_id"] for x in u["resources"]), sorted(ids[:3]))
            self.assertEqual(u["resources_total"], len(ids))
            self.assertEqual(Decimal(u["resources_other_cost"]), Decimal("5.000"))
            self.assertEqual(Decimal(u["no_resource_id_cost"]), Decimal("0.5"))
            self.assertEqual(sum(Decimal(r["cost"]) for r in rows), Decimal(u["cost"]))
            code, out, err = run(["report", "--format", "table", "--out", d, "--color", "never",
                                  path], env={"COLUMNS": "100"})
            self.assertEqual(code, 0, err)
            self.assertTrue(all(len(line) <= 100 for line in out.splitlines()),
                            max(out.splitlines(), key=len)[:200])


if __name__ == "__main__":
    unittest.main()
