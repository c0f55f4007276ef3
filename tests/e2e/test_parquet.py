"""End to end on Parquet: the sample organisation written as Parquet by
DuckDB (the independent writer: typed columns, maps, every codec) gives the
same report as the same data in CSV, for CUR 2.0, legacy CUR (Athena
names) and FOCUS; DuckDB also checks the sums.

DuckDB comes from tests/duckdb (npm ci there, as scripts/test does); when
it is missing the test skips with a message."""
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
from common import SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402

DUCKDB_DIR = os.path.join(SOURCE_DIR, "tests", "duckdb")
HAVE_DUCKDB = (shutil.which("node") is not None and
               os.path.isdir(os.path.join(DUCKDB_DIR, "node_modules", "@duckdb", "node-api")))
SKIP_WHY = "DuckDB unavailable: run 'npm ci' in tests/duckdb (scripts/test does)"


def duckdb(*statements):
    """Runs SQL in DuckDB; the rows of the last statement, values as text."""
    p = subprocess.run(["node", os.path.join(DUCKDB_DIR, "sql.mjs")] + list(statements),
                       cwd=DUCKDB_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=600)
    if p.returncode != 0:
        raise AssertionError("duckdb failed: " + p.stderr.decode("utf-8", "replace"))
    return json.loads(p.stdout)


def q(s):
    return "'" + s.replace("'", "''") + "'"


def csv_files(root):
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.join(d, n) for n in names if n.endswith((".csv", ".csv.gz"))]
    return sorted(out)


def header(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    line = raw.decode("utf-8-sig").split("\n", 1)[0].rstrip("\r")
    return next(csv.reader([line]))


CUR2_AMOUNT = re.compile(r"(cost|amount|_fee|fee_for_billing_period|commitment_to_date|"
                         r"used_commitment|_rate)$")
CUR2_MAPS = ("product", "resource_tags", "cost_category", "discount")


def cur2_select(cols):
    """CUR 2.0 as AWS writes it in Parquet: DOUBLE amounts, TIMESTAMP dates, maps."""
    out = []
    for c in cols:
        e = '"%s"' % c
        if c in CUR2_MAPS:
            out.append("CAST(json(NULLIF(%s, '')) AS MAP(VARCHAR, VARCHAR)) AS %s" % (e, e))
        elif CUR2_AMOUNT.search(c):
            out.append("TRY_CAST(NULLIF(%s, '') AS DOUBLE) AS %s" % (e, e))
        elif c.endswith("_date"):
            out.append("strptime(NULLIF(%s, ''), '%%Y-%%m-%%dT%%H:%%M:%%SZ') AS %s" % (e, e))
        else:
            out.append(e)
    return ", ".join(out)


def athena_name(col):
    """legacy CUR's lineItem/UsageAccountId as Athena names it (samples/generate.py)."""
    sys.path.insert(0, SAMPLES)
    import generate
    return generate.athena_name(col)


def legacy_select(cols):
    out = []
    for c in cols:
        name = athena_name(c)
        e = '"%s"' % c
        if re.search(r"(Cost|Amount|Fee|FeeForBillingPeriod|CommitmentToDate|UsedCommitment|Rate)$",
                     c):
            out.append("TRY_CAST(NULLIF(%s, '') AS DOUBLE) AS %s" % (e, name))
        elif c.endswith("Date"):
            out.append("strptime(NULLIF(%s, ''), '%%Y-%%m-%%dT%%H:%%M:%%SZ') AS %s" % (e, name))
        else:
            out.append("%s AS %s" % (e, name))
    return ", ".join(out)


FOCUS_AMOUNT = re.compile(r"(Cost|Quantity)$")


def focus_select(cols):
    """FOCUS with DECIMAL amounts (as Azure writes them), TIMESTAMP periods, a Tags map."""
    out = []
    for c in cols:
        e = '"%s"' % c
        if FOCUS_AMOUNT.search(c):
            out.append("CAST(NULLIF(NULLIF(%s, ''), 'NULL') AS DECIMAL(38, 18)) AS %s" % (e, e))
        elif c in ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart",
                   "BillingPeriodEnd"):
            out.append("CAST(NULLIF(%s, '') AS TIMESTAMP) AS %s" % (e, e))
        elif c == "Tags":
            out.append("CAST(json(NULLIF(%s, '')) AS MAP(VARCHAR, VARCHAR)) AS %s" % (e, e))
        else:
            out.append(e)
    return ", ".join(out)


def to_parquet(root, out, select, codecs, extra=""):
    """Every CSV part below root as a Parquet part below out, same names and
    folders; the parts take the codecs in turn."""
    statements = []
    for i, src in enumerate(csv_files(root)):
        rel = os.path.relpath(src, root)
        dst = os.path.join(out, re.sub(r"\.csv(\.gz)?$", ".parquet", rel))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        statements.append(
            "COPY (SELECT %s FROM read_csv(%s, header = true, all_varchar = true)) TO %s "
            "(FORMAT parquet, COMPRESSION %s%s)" % (select(header(src)), q(src), q(dst),
                                                    codecs[i % len(codecs)], extra))
    duckdb(*statements)
    return out


def report(inputs, out, *extra, env=None):
    code, stdout, stderr = run(["report", "--month", "2026-10",
                                "--format", "json", "--out", out] + list(extra) + inputs,
                               env=env)
    if code != 0:
        raise AssertionError("costrank failed (%d): %s" % (code, stderr))
    with open(os.path.join(out, "costrank-2026-10.json")) as f:
        doc = json.load(f)
    doc["source"]["files"] = len(doc["source"]["files"])
    return doc


class Samples(unittest.TestCase):
    """samples/parquet (written by samples/generate.py, no DuckDB needed):
    legacy CUR with Athena's names and FOCUS with DECIMAL amounts give the
    reports of their CSV twins."""

    def test_parquet_samples_give_the_csv_reports(self):
        with tempdir() as tmp:
            for fmt, kind in (("legacy-cur", "cur"), ("focus", "focus")):
                want = report([os.path.join(SAMPLES, fmt)], os.path.join(tmp, fmt + "-csv"))
                got = report([os.path.join(SAMPLES, "parquet", fmt)],
                             os.path.join(tmp, fmt + "-pq"))
                self.assertEqual(got, want, fmt)
                self.assertEqual(got["source"]["kind"], kind)
                self.assertGreater(len(got["accounts"]), 5)


@unittest.skipUnless(HAVE_DUCKDB, SKIP_WHY)
class SameReport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        cls.dir = cls.tmp.name
        cls.cur2 = os.path.join(SAMPLES, "cur2")
        cls.cur2_snappy = to_parquet(cls.cur2, os.path.join(cls.dir, "snappy"), cur2_select,
                                     ["snappy"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def same(self, csv_root, pq_root, *extra):
        name = os.path.basename(pq_root)
        want = report([csv_root], os.path.join(self.dir, name + "-csv-out"), *extra)
        got = report([pq_root], os.path.join(self.dir, name + "-pq-out"), *extra)
        self.assertEqual(got, want)
        self.assertGreater(Decimal(want["total"]), 0)
        return got

    def test_cur2_snappy_folder(self):
        doc = self.same(self.cur2, self.cur2_snappy)
        self.assertEqual(doc["source"]["kind"], "cur2")
        self.assertEqual(doc["source"]["files"], len(csv_files(self.cur2)))

    def test_cur2_amortized(self):
        self.same(self.cur2, self.cur2_snappy, "--metric", "amortized")

    def test_cur2_zstd_folder(self):
        self.same(self.cur2, to_parquet(self.cur2, os.path.join(self.dir, "zstd"),
                                        cur2_select, ["zstd"]))

    def test_cur2_one_file_of_many_row_groups(self):
        # row groups of 2048 rows: several in one file, read on two threads
        parts = csv_files(self.cur2)
        dst = os.path.join(self.dir, "one", "cur2.parquet")
        os.makedirs(os.path.dirname(dst))
        duckdb("COPY (SELECT %s FROM read_csv([%s], header = true, all_varchar = true)) TO %s "
               "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)"
               % (cur2_select(header(parts[0])), ", ".join(q(p) for p in parts), q(dst)))
        groups = duckdb("SELECT count(DISTINCT row_group_id) FROM parquet_metadata(%s)" % q(dst))
        self.assertGreater(int(groups[0][0]), 2)
        for threads in ("1", "2"):
            want = report([self.cur2], os.path.join(self.dir, "one-csv-" + threads))
            got = report([dst], os.path.join(self.dir, "one-pq-" + threads),
                         env={"COSTRANK_THREADS": threads})
            got["source"]["files"] = want["source"]["files"]
            self.assertEqual(got, want)

    def test_cur2_every_codec(self):
        codecs = ["gzip", "uncompressed", "lz4_raw", "zstd", "snappy"]
        self.same(self.cur2, to_parquet(self.cur2, os.path.join(self.dir, "mixed"),
                                        cur2_select, codecs))

    def test_legacy_cur_athena_names(self):
        root = os.path.join(SAMPLES, "legacy-cur")
        doc = self.same(root, to_parquet(root, os.path.join(self.dir, "legacy"),
                                         legacy_select, ["snappy"]))
        self.assertEqual(doc["source"]["kind"], "cur")

    def test_focus_decimal_amounts(self):
        root = os.path.join(SAMPLES, "focus")
        doc = self.same(root, to_parquet(root, os.path.join(self.dir, "focus"), focus_select,
                                         ["snappy"]))
        self.assertEqual(doc["source"]["kind"], "focus")

    def test_account_totals_match_duckdb(self):
        """October's unblended cost per account, credits, refunds and tax
        left out, summed by DuckDB from the Parquet files as exact decimals
        of the doubles' shortest text."""
        files = [os.path.join(d, n) for d, _, ns in os.walk(self.cur2_snappy) for n in ns]
        rows = duckdb(
            "SELECT line_item_usage_account_id, CAST(sum(CAST(CAST("
            "line_item_unblended_cost AS VARCHAR) AS DECIMAL(38, 18))) AS VARCHAR) "
            "FROM read_parquet([%s]) WHERE line_item_line_item_type NOT IN "
            "('Credit', 'Refund', 'Tax') AND line_item_usage_start_date >= '2026-10-01' "
            "AND line_item_usage_start_date < '2026-11-01' GROUP BY 1"
            % ", ".join(q(f) for f in files))
        doc = report([self.cur2_snappy], os.path.join(self.dir, "oracle-out"))
        got = {a["id"]: Decimal(a["total"]) for a in doc["accounts"]}
        want = {a: Decimal(s) for a, s in rows}
        self.assertEqual(got, want)


if __name__ == "__main__":
    unittest.main()
