"""costrank's fast reading path against a plain reference.

Small CUR 2.0 files made by bench/gen_cur2.py (quoted descriptions with commas,
quotes and line breaks, JSON map columns, NULL literals, amounts in scientific
notation, CRLF, a byte order mark, gzip, several parts) are reported by
costrank, and the same report is computed here with the csv module and
decimal.Decimal, following the rules of the README: every total, cost and
quantity must agree to the last decimal, and every ranking must be the same.
Several parts read on one thread or two must give byte-identical reports.
"""
import collections
import csv
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SOURCE_DIR, run, tempdir  # noqa: E402

GEN = os.path.join(SOURCE_DIR, "bench", "gen_cur2.py")
MONTH = "2026-10"
EXCLUDED = {"credit": "credits", "refund": "refunds", "tax": "tax"}
USAGE_TYPES = {"usage", "discountedusage", "savingsplancoveredusage"}


def service_rules():
    """The product code table and EC2 instance prefixes, from services.c."""
    with open(os.path.join(SOURCE_DIR, "src", "core", "services.c")) as f:
        src = f.read()
    table = src[src.index("service_map[] = {"):]
    table = table[:table.index("};")]
    codes = dict(re.findall(r'\{ "([^"]+)", "([^"]+)" \}', table))
    pre = src[src.index("ec2_compute_prefixes[] = {"):]
    prefixes = re.findall(r'"([^"]+)"', pre[:pre.index("};")])
    return codes, prefixes


CODES, EC2_PREFIXES = service_rules()
csv.field_size_limit(1 << 30)


def ec2_is_compute(ut):
    start = 0
    while True:
        if any(ut.startswith(p, start) for p in EC2_PREFIXES):
            return True
        dash, colon = ut.find("-", start), ut.find(":", start)
        if dash < 0 or (0 <= colon < dash):
            return False
        start = dash + 1


def service_of(code, ut, product_name, is_tax):
    if is_tax:
        return "Tax"
    if code == "AmazonEC2":
        return ("Amazon Elastic Compute Cloud - Compute" if ec2_is_compute(ut)
                else "EC2 - Other")
    if code in CODES:
        return CODES[code]
    return product_name or code


def rows_of(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.lower() for h in next(reader)]
    col = {h: i for i, h in enumerate(header)}
    for row in reader:
        def get(name, row=row):
            v = row[col[name]] if name in col else ""
            return "" if v == "NULL" else v
        yield get


def reference(paths):
    """The report, computed from the files with the csv module and Decimal."""
    acc = collections.defaultdict(lambda: collections.defaultdict(
        lambda: collections.defaultdict(lambda: [Decimal(0), Decimal(0)])))
    recon = {"credits": Decimal(0), "refunds": Decimal(0), "tax": Decimal(0)}
    names, envs = {}, collections.defaultdict(collections.Counter)
    for path in paths:
        for get in rows_of(path):
            account = get("line_item_usage_account_id")
            if get("line_item_usage_account_name") and account not in names:
                names[account] = get("line_item_usage_account_name")
            tags = get("resource_tags")
            if tags:
                env = json.loads(tags).get("user:environment")
                if env:
                    envs[account][env] += 1
            if not get("line_item_usage_start_date").startswith(MONTH):
                continue
            lt = get("line_item_line_item_type").lower()
            cost = Decimal(get("line_item_unblended_cost") or "0")
            if lt in EXCLUDED:
                recon[EXCLUDED[lt]] += cost
                continue
            ut, code = get("line_item_usage_type"), get("line_item_product_code")
            usage = lt in USAGE_TYPES
            qty = Decimal(get("line_item_usage_amount") or "0") if usage else Decimal(0)
            pmap = get("product")
            pname = json.loads(pmap).get("product_name", "") if pmap else ""
            cell = acc[account][service_of(code, ut, pname, False)][ut]
            cell[0] += cost
            cell[1] += qty
    accounts = []
    for account, services in acc.items():
        svc = []
        for name, uts in services.items():
            us = sorted(((c, q, u) for u, (c, q) in uts.items()), key=lambda x: (-x[0], x[2]))
            svc.append((sum((u[0] for u in us), Decimal(0)), name, us))
        svc.sort(key=lambda s: (-s[0], s[1]))
        env = ""
        if envs[account]:
            total = sum(envs[account].values())
            best = sorted(envs[account].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            env = best[0] if best[1] * 2 > total else ""
        accounts.append((sum((s[0] for s in svc), Decimal(0)), account,
                         names.get(account, ""), env, svc))
    accounts.sort(key=lambda a: (-a[0], a[1]))
    return {"total": sum((a[0] for a in accounts), Decimal(0)), "recon": recon,
            "accounts": accounts}


def generate(out, *args):
    subprocess.run([sys.executable, GEN, "--month", MONTH, "-o", out] + list(args), check=True)


class FastPath(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        d = cls.tmp.name
        cls.files = {
            "lf": os.path.join(d, "lf.csv"),
            "crlf": os.path.join(d, "crlf.csv"),
            "gz": os.path.join(d, "lf.csv.gz"),
        }
        generate(cls.files["lf"], "--size-mb", "3", "--days", "2", "--accounts", "9", "--seed", "7",
                 "--newline-every", "11", "--nulls", "--exotic")
        generate(cls.files["crlf"], "--size-mb", "2", "--days", "3", "--accounts", "5", "--seed", "8",
                 "--crlf", "--bom", "--newline-every", "5")
        with open(cls.files["lf"], "rb") as f, gzip.open(cls.files["gz"], "wb") as g:
            shutil.copyfileobj(f, g)
        cls.parts = os.path.join(d, "parts")
        generate(os.path.join(cls.parts, "part.csv"), "--size-mb", "3", "--days", "3", "--parts", "3",
                 "--accounts", "7", "--seed", "9", "--newline-every", "17", "--exotic")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def report(self, inputs, env=None, tag="r"):
        out = os.path.join(self.tmp.name, tag)
        code, _, err = run(["report", "--format", "json,csv", "--out", out, "--month", MONTH,
                            "--top", "1000", "--top-usage", "1000", "--quiet"] + inputs, env=env)
        self.assertEqual(code, 0, err)
        paths = [os.path.join(out, "costrank-%s.%s" % (MONTH, ext)) for ext in ("json", "csv")]
        with open(paths[0]) as f:
            rep = json.load(f)
        with open(paths[0], "rb") as f, open(paths[1], "rb") as g:
            return rep, f.read(), g.read()

    def check(self, rep, ref):
        self.assertEqual(Decimal(rep["total"]), ref["total"])
        for k, v in ref["recon"].items():
            self.assertEqual(Decimal(rep["reconciliation"][k]), v, k)
        got = [(a["id"], Decimal(a["total"]), a["name"] or "", a["environment"] or "")
               for a in rep["accounts"]]
        want = [(a[1], a[0], a[2], a[3]) for a in ref["accounts"]]
        self.assertEqual(got, want)
        for a, ra in zip(rep["accounts"], ref["accounts"]):
            self.assertEqual([(s["name"], Decimal(s["cost"])) for s in a["services"]],
                             [(s[1], s[0]) for s in ra[4]], a["id"])
            for s, rs in zip(a["services"], ra[4]):
                self.assertFalse(s["other"])
                self.assertEqual(
                    [(u["usage_type"], Decimal(u["cost"]), Decimal(u["quantity"]))
                     for u in s["usage_types"]],
                    [(u[2], u[0], u[1]) for u in rs[2]], (a["id"], s["name"]))

    def test_lf_nulls_exponents_newlines(self):
        rep, _, _ = self.report([self.files["lf"]])
        self.check(rep, reference([self.files["lf"]]))

    def test_crlf_bom(self):
        rep, _, _ = self.report([self.files["crlf"]])
        self.check(rep, reference([self.files["crlf"]]))

    def test_gzip_same_as_plain(self):
        plain, _, _ = self.report([self.files["lf"]], tag="plain")
        zipped, _, _ = self.report([self.files["gz"]], tag="gz")
        self.check(zipped, reference([self.files["gz"]]))
        plain.pop("source")
        zipped.pop("source")
        self.assertEqual(plain, zipped)

    def test_parts_on_one_thread_or_two(self):
        names = sorted(os.path.join(self.parts, n) for n in os.listdir(self.parts))
        self.assertEqual(len(names), 3)
        one = self.report([self.parts], env={"COSTRANK_THREADS": "1"}, tag="t1")
        two = self.report([self.parts], env={"COSTRANK_THREADS": "2"}, tag="t2")
        self.assertEqual(one[1], two[1], "JSON differs between one thread and two")
        self.assertEqual(one[2], two[2], "CSV differs between one thread and two")
        self.check(two[0], reference(names))


def rewrite(src, dst, change):
    """Copies a CUR file row by row through the csv module; change(i, n, row)
    may edit row i of n (a dict) and returns a list of rows to write."""
    with open(src, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        fields = reader.fieldnames
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for i, row in enumerate(rows):
            w.writerows(change(i, len(rows), row))


class TwoHalves(unittest.TestCase):
    """One plain file read in two halves (COSTRANK_SPLIT_MIN lowers the size
    from which that happens): reports, errors and line numbers are those of
    one thread, wherever the middle falls."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        cls.base = os.path.join(cls.tmp.name, "base.csv")
        generate(cls.base, "--size-mb", "2", "--days", "2", "--accounts", "6", "--seed", "21",
                 "--newline-every", "9", "--exotic")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def both(self, path, tag):
        """Reports path on one thread and on two; both must agree exactly."""
        out = []
        for threads in ("1", "2"):
            d = os.path.join(self.tmp.name, "%s-%s" % (tag, threads))
            code, stdout, err = run(["report", "--format", "json,csv", "--out", d, "--month",
                                     MONTH, "--top", "1000", "--top-usage", "1000", "--quiet",
                                     path], env={"COSTRANK_THREADS": threads,
                                                 "COSTRANK_SPLIT_MIN": "1"})
            files = {}
            if os.path.isdir(d):
                for n in sorted(os.listdir(d)):
                    with open(os.path.join(d, n), "rb") as f:
                        files[n] = f.read()
            out.append((code, stdout, err, files))
        self.assertEqual(out[0], out[1])
        return out[1]

    def test_plain_split(self):
        code, _, err, files = self.both(self.base, "plain")
        self.assertEqual(code, 0, err)
        self.check_reference(files, self.base)

    def test_middle_inside_a_quoted_field(self):
        path = os.path.join(self.tmp.name, "long-field.csv")

        def change(i, n, row):
            if i == n // 3:
                # a description with line breaks, longer than the rest of the file
                row["line_item_line_item_description"] = 'a, "b"\n' * 400000
            return [row]
        rewrite(self.base, path, change)
        code, _, err, files = self.both(path, "long")
        self.assertEqual(code, 0, err)
        self.check_reference(files, path)

    def test_error_in_the_second_half(self):
        path = os.path.join(self.tmp.name, "bad-second.csv")

        def change(i, n, row):
            if i == n * 3 // 4:
                row["line_item_unblended_cost"] = "12.3.4"
            return [row]
        rewrite(self.base, path, change)
        code, _, err, _ = self.both(path, "bad2")
        self.assertEqual(code, 3)
        self.assertIn("not a number in column line_item_unblended_cost", err)

    def test_error_in_the_first_half(self):
        path = os.path.join(self.tmp.name, "bad-first.csv")

        def change(i, n, row):
            if i == n // 4:
                row["line_item_usage_start_date"] = "2026-13-01T00:00:00Z"
            return [row]
        rewrite(self.base, path, change)
        code, _, err, _ = self.both(path, "bad1")
        self.assertEqual(code, 3)
        self.assertIn("date in column line_item_usage_start_date", err)

    def test_currency_changes_in_the_second_half(self):
        path = os.path.join(self.tmp.name, "eur.csv")

        def change(i, n, row):
            if i >= n * 2 // 3:
                row["line_item_currency_code"] = "EUR"
            return [row]
        rewrite(self.base, path, change)
        code, _, err, _ = self.both(path, "eur")
        self.assertEqual(code, 3)
        self.assertIn("currency 'EUR'", err)

    def test_currency_changes_exactly_in_the_middle(self):
        """Each half is consistent on its own; together they are not."""
        base = os.path.join(self.tmp.name, "one-line-rows.csv")
        path = os.path.join(self.tmp.name, "eur-half.csv")
        generate(base, "--size-mb", "1", "--days", "2", "--accounts", "4", "--seed", "22")
        with open(base, "rb") as f:
            data = f.read()
        middle = data.index(b"\n", len(data) // 2) + 1
        with open(path, "wb") as f:
            f.write(data[:middle] + data[middle:].replace(b",USD,", b",EUR,"))
        code, _, err, _ = self.both(path, "eur-half")
        self.assertEqual(code, 3)
        line = data[:middle].count(b"\n") + 1
        self.assertIn("%s:%d: currency 'EUR'" % (path, line), err)

    def check_reference(self, files, path):
        rep = json.loads(files["costrank-%s.json" % MONTH])
        FastPath.check(self, rep, reference([path]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
