"""Parquet files written by hand (tests/tools/parquet_writer.py) for what
DuckDB does not write: INT96 timestamps, the DELTA encodings,
BYTE_STREAM_SPLIT, data page v2, decimals on every physical type, several
pages and row groups.  Each variant of the same rows must give the same
report, with the total Python computes: Python's repr of a float is the
shortest text that reads back as it, the rule costrank follows for DOUBLE
amounts."""
import json
import os
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from common import run, tempdir  # noqa: E402
import parquet_writer as pw  # noqa: E402

ROWS = pw.cur2_rows(200)

# name: (cost type, date type, Column arguments by short column name)
VARIANTS = {
    "plain": ("double", "micros", {}),
    "dictionary": ("double", "micros", {k: {"dictionary": True}
                                        for k in ("account", "product", "usage", "cost")}),
    "delta": ("double", "micros", dict(account={"encoding": "DELTA_LENGTH_BYTE_ARRAY"},
                                       usage={"encoding": "DELTA_BYTE_ARRAY"},
                                       product={"encoding": "DELTA_BYTE_ARRAY"})),
    "delta-dates": ("double", "micros", dict(date={"encoding": "DELTA_BINARY_PACKED"})),
    "byte-stream-split": ("double", "micros", dict(cost={"encoding": "BYTE_STREAM_SPLIT"},
                                                   amount={"encoding": "BYTE_STREAM_SPLIT"})),
    "page-v2-gzip": ("double", "micros",
                     {k: {"page_version": 2, "codec": "GZIP", "page_rows": 37}
                      for k in ("account", "type", "date", "product", "usage", "cost",
                                "amount", "currency", "unit")}),
    "page-v2-plain": ("double", "micros", {k: {"page_version": 2}
                                           for k in ("account", "cost", "amount")}),
    "many-pages-gzip": ("double", "micros", {k: {"codec": "GZIP", "page_rows": 16}
                                             for k in ("account", "usage", "cost", "amount")}),
    "int96": ("double", "int96", {}),
    "date": ("double", "date", {}),
    "millis": ("double", "millis", {}),
    "nanos": ("double", "nanos", {}),
    "required": ("double", "micros", {k: {"required": True}
                                      for k in ("account", "type", "date", "cost")}),
    "decimal-int64-delta": ("dec64", "micros", dict(cost={"encoding": "DELTA_BINARY_PACKED"})),
    "decimal-flba": ("flba", "micros", {}),
    "decimal-flba-delta": ("flba", "micros", dict(cost={"encoding": "DELTA_BYTE_ARRAY"})),
    "decimal-bytes": ("bytes", "micros", {}),
    "decimal-int32": ("dec32", "micros", {}),
}


def build(name, row_groups=None):
    cost, date, enc = VARIANTS[name]
    return pw.write(pw.cur2_columns(ROWS, cost_type=cost, date_type=date, **enc),
                    row_groups=row_groups)


def report(path, out):
    code, _, err = run(["report", "--month", "2026-10", "--format", "json", "--out", out, path])
    if code != 0:
        raise AssertionError("costrank failed (%d) on %s: %s" % (code, path, err))
    with open(os.path.join(out, "costrank-2026-10.json")) as f:
        doc = json.load(f)
    doc["source"]["files"] = None
    return doc


def expected_total(cost):
    if cost in ("double", "float"):
        return sum(Decimal(repr(float(r[4]))) for r in ROWS)
    if cost == "dec32":
        return sum(Decimal(r[4]).quantize(Decimal("0.01"), rounding="ROUND_DOWN") for r in ROWS)
    return sum(Decimal(r[4]) for r in ROWS)


def without_savings(rep):
    """The report without what the savings pass derives from it."""
    return {k: v for k, v in rep.items()
            if k not in ("commitments", "proposals", "savings_total", "savings_share")}


class HandMade(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        path = os.path.join(cls.tmp.name, "plain.parquet")
        with open(path, "wb") as f:
            f.write(build("plain"))
        cls.want = report(path, os.path.join(cls.tmp.name, "plain-out"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_plain_total_is_the_sum_of_shortest_texts(self):
        self.assertEqual(Decimal(self.want["total"]), expected_total("double"))
        self.assertEqual(len(self.want["accounts"]), 3)

    def test_variants_give_the_same_report(self):
        for name in VARIANTS:
            with self.subTest(variant=name):
                path = os.path.join(self.tmp.name, name + ".parquet")
                with open(path, "wb") as f:
                    f.write(build(name, row_groups=[64, 64, 72]))
                got = report(path, os.path.join(self.tmp.name, name + "-out"))
                cost = VARIANTS[name][0]
                if cost != "double":
                    # exact decimals: the texts' sum, not the doubles'
                    self.assertEqual(Decimal(got["total"]), expected_total(cost))
                elif name == "int96":
                    # its timestamps are at 01:00 (the time of day is decoded too), so
                    # the Savings Plan is sized on an hourly series, not on daily / 24
                    self.assertEqual(got["commitments"]["plans"][0]["method"], "hourly")
                    self.assertEqual(without_savings(got), without_savings(self.want))
                else:
                    self.assertEqual(got, self.want)

    def test_float_amounts(self):
        rows = [r[:4] + ("1.25",) + r[5:] for r in ROWS]
        path = os.path.join(self.tmp.name, "float.parquet")
        with open(path, "wb") as f:
            f.write(pw.write(pw.cur2_columns(rows, cost_type="float")))
        got = report(path, os.path.join(self.tmp.name, "float-out"))
        self.assertEqual(Decimal(got["total"]), Decimal("1.25") * len(rows))


if __name__ == "__main__":
    unittest.main()
