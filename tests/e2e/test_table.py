"""End to end: the terminal table at 80, 100 and 120 columns (golden files), Japanese
account names, --top-usage 0, --detail, money in its currency's minor unit and --fx in
every format.

The golden files are tests/data/table/*.txt; after a deliberate change of the table,
COSTRANK_UPDATE_GOLDEN=1 rewrites them (then read the diff).  Display widths are
measured with Python's unicodedata (East Asian Wide and Fullwidth count two), an
oracle independent of costrank's own width table; amounts are checked against
Python Decimal.
"""
import csv
import gzip
import json
import os
import re
import shutil
import sys
import unicodedata
import unittest
import zipfile
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402

GOLDEN = os.path.join(SOURCE_DIR, "tests", "data", "table")
CUR2 = os.path.join(SAMPLES, "cur2")
ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
UPDATE = bool(os.environ.get("COSTRANK_UPDATE_GOLDEN"))
ELLIPSIS = "\u2026"
RATE = Decimal("151.20")
# an amount with a fraction: "1,234.50", "0.07" (a percentage is followed by "%")
FRACTION = re.compile(r"(?<![\w.:-])\d{1,3}(?:,\d{3})*\.\d+(?![\w.%])")
# a yen amount with a fraction, wherever the currency is written out
YEN_FRACTION = re.compile(r"(?:\u00a5|JPY )[+-]?[\d,]*\d\.\d|\d\.\d+ JPY")

# Japanese names: wide kanji and kana, fullwidth Latin, and halfwidth katakana (narrow)
JA_NAMES = {
    "048213306571": "本番環境-物流システム",
    "364058812907": "データ基盤",
    "153390677428": "共有サービス（ＡＷＳ基盤）",
    "286640195352": "ｶｲﾊﾂ環境",
}


def cells(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in s)


def table(width, *extra, accounts=ACCOUNTS, inputs=CUR2):
    env = {"COLUMNS": str(width)} if width else {}
    args = ["report", "--format", "table", "--color", "never", "--quiet"]
    if accounts:
        args += ["--accounts", accounts]
    with tempdir() as out:
        code, stdout, err = run(args + ["--out", out] + list(extra) + [inputs],
                                env=env)
    return code, stdout, err


def yen(amount):
    v = (Decimal(amount) * RATE).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{v:,}"


def cents(amount):
    v = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{v:,}"


class Table(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with tempdir() as out:
            code, _, err = run(["report", "--format", "json", "--quiet", "--accounts", ACCOUNTS,
                                "--out", out, CUR2])
            assert code == 0, err
            with open(os.path.join(out, "costrank-2026-10.json"), encoding="utf-8") as f:
                cls.report = json.load(f)

    def check_golden(self, name, text):
        path = os.path.join(GOLDEN, name)
        if UPDATE:
            os.makedirs(GOLDEN, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(text, f.read(), f"{name} differs (COSTRANK_UPDATE_GOLDEN=1 rewrites)")

    def check_fits(self, text, width):
        for n, line in enumerate(text.split("\n"), 1):
            self.assertLessEqual(cells(line), width, f"line {n} is too wide: {line!r}")

    def check_no_cut_number(self, text):
        for n, line in enumerate(text.split("\n"), 1):
            for m in re.finditer(ELLIPSIS, line):
                before = line[m.start() - 1] if m.start() else ""
                after = line[m.end()] if m.end() < len(line) else ""
                self.assertFalse(before.isdigit() or after.isdigit() or after == ",",
                                 f"line {n} cuts a number: {line!r}")
        # every "Other ..." row keeps its count: the counts are the JSON's
        want = sorted([s["other_count"] for a in self.report["accounts"] for s in a["services"]
                       if s.get("other") and s.get("other_count")] +
                      [u["other_count"] for a in self.report["accounts"] for s in a["services"]
                       for u in s["usage_types"] if u.get("other") and u.get("other_count")])
        got = sorted(int(c) for c in re.findall(r"Other (?:usage types|services)\S* \((\d+)\)", text))
        self.assertEqual(got, want)
        # every account's total, whole, in the overview and in its header
        for a in self.report["accounts"]:
            self.assertGreaterEqual(text.count(cents(a["total"])), 2, a["id"])

    def test_golden_widths(self):
        for width in (80, 100, 120):
            with self.subTest(width=width):
                code, out, err = table(width)
                self.assertEqual(code, 0, err)
                self.check_fits(out, width)
                self.check_no_cut_number(out)
                self.check_golden(f"samples-{width}.txt", out)
        # the overview comes first: accounts ranked by total
        lines = out.split("\n")
        first = lines.index("Accounts (7)")
        self.assertLess(first, next(i for i, l in enumerate(lines) if l.startswith("1. ")))
        ranked = [l.split()[1] for l in lines[first + 2:first + 9]]
        self.assertEqual(ranked, [a["name"] for a in self.report["accounts"]])

    def test_80_columns_keep_counts_and_addresses(self):
        _, out, _ = table(80)
        self.assertIn("Other usage types (22)", out)
        # the proposals fit: no Effort/risk wrapped onto a line of its own
        for line in out.split("\n"):
            self.assertNotRegex(line, r"^\s*(low|medium|high)/(low|medium|high)\s*$")
        # an owner's address is whole on its line, never broken
        for owner in {a["owner"] for a in self.report["accounts"] if a.get("owner")}:
            self.assertIn(owner, out)
        # account headers fit (they ran to 125 characters at 100 columns)
        _, out, _ = table(100)
        for line in out.split("\n"):
            self.assertLessEqual(cells(line), 100)

    def test_piped_without_columns_is_80(self):
        _, out, _ = table(None)
        _, out80, _ = table(80)
        self.assertEqual(out, out80)

    def test_japanese_account_names(self):
        with open(ACCOUNTS, encoding="utf-8") as f:
            doc = json.load(f)
        for a in doc["accounts"]:
            a["name"] = JA_NAMES.get(a["id"], a["name"])
        with tempdir() as d:
            path = os.path.join(d, "accounts-ja.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False)
            for width in (80, 120):
                with self.subTest(width=width):
                    code, out, err = table(width, accounts=path)
                    self.assertEqual(code, 0, err)
                    self.check_fits(out, width)
                    self.check_no_cut_number(out)
                    self.check_golden(f"japanese-{width}.txt", out)
                    lines = out.split("\n")
                    first = lines.index("Accounts (7)")
                    rows = lines[first + 1:first + 10]
                    # the columns line up by display width: each amount ends where the
                    # header's "Total" ends
                    head = rows[0]
                    end = cells(head[:head.index("Total") + len("Total")])
                    for row in rows[1:]:
                        m = re.search(r"\d[\d,]*\.\d\d", row)
                        self.assertIsNotNone(m, row)
                        self.assertEqual(cells(row[:m.end()]), end, row)
                    # a shortened name ends with the ellipsis after whole characters
                    for name in JA_NAMES.values():
                        if name not in out:
                            self.assertRegex(out, re.escape(name[:2]) + r"[^\n]*" + ELLIPSIS)

    def test_top_usage_zero_lists_services_only(self):
        code, out, err = table(100, "--top-usage", "0")
        self.assertEqual(code, 0, err)
        self.assertNotIn("usage type", out.split("Savings proposals")[0])
        self.assertNotIn("BoxUsage", out.split("Savings proposals")[0])
        self.assertIn("Amazon Elastic Compute Cloud - Compute", out)
        # the other formats: one "Other usage types" row per service, summing it
        with tempdir() as out:
            code, _, err = run(["report", "--quiet", "--top-usage", "0", "--format",
                                "json,csv,xlsx,md,html", "--out", out, CUR2])
            self.assertEqual(code, 0, err)
            with open(os.path.join(out, "costrank-2026-10.json"), encoding="utf-8") as f:
                rep = json.load(f)
        self.assertEqual(rep["top_usage_types"], 0)
        for a in rep["accounts"]:
            for s in (s for s in a["services"] if not s["other"]):
                self.assertEqual(len(s["usage_types"]), 1, s["name"])
                self.assertTrue(s["usage_types"][0]["other"])
                self.assertEqual(Decimal(s["usage_types"][0]["cost"]), Decimal(s["cost"]))
        code, _, err = table(100, "--top-usage", "-1")
        self.assertEqual(code, 2)
        self.assertIn("--top-usage", err)

    def test_detail_summary(self):
        code, out, err = table(80, "--detail", "summary")
        self.assertEqual(code, 0, err)
        self.assertIn("Accounts (7)", out)
        self.assertIn("Savings proposals", out)
        self.assertNotIn("Service / usage type", out)
        self.assertNotIn("1. larkspur-prod", out)
        # (the proposals' legend says what the marks mean and how the rows are ordered)
        self.assertLess(len(out.split("\n")), 64)
        _, full, _ = table(80, "--detail", "full")
        _, default, _ = table(80)
        self.assertEqual(full, default)
        code, _, err = table(80, "--detail", "some")
        self.assertEqual(code, 2)
        self.assertIn("--detail 'some' is not full or summary", err)


def xlsx_parts(path):
    """(number formats, numbers, strings) of a workbook, read with the standard library."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        styles = ET.fromstring(z.read("xl/styles.xml"))
        fmts = [n.get("formatCode") for n in styles.iterfind(".//m:numFmt", ns)]
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
            strings = ["".join(t.text or "" for t in si.iterfind(".//m:t", ns))
                       for si in sst.iterfind("m:si", ns)]
        numbers = []
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                sheet = ET.fromstring(z.read(name))
                for c in sheet.iterfind(".//m:c", ns):
                    v = c.find("m:v", ns)
                    if v is not None and c.get("t") not in ("s", "str", "b", "e"):
                        numbers.append(float(v.text))
    return fmts, numbers, strings


def html_text(path):
    with open(path, encoding="utf-8") as f:
        page = f.read()
    page = re.sub(r"<(style|svg)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def payloads(inputs, out, *extra):
    """The chat payloads of every kind, as text, from --dry-run."""
    texts = []
    for kind in ("slack", "teams", "gchat"):
        code, stdout, err = run(["report", "--quiet", "--format", "json", "--out", out,
                                 "--post", kind, "--dry-run"] + list(extra) + [inputs],
                                env={"COSTRANK_WEBHOOK_URL": "https://chat.invalid/hook"})
        assert code == 0, err
        for line in stdout.splitlines():
            texts.append(json.dumps(json.loads(line), ensure_ascii=False))
    return "\n".join(texts)


class Money(unittest.TestCase):
    def human_formats(self, inputs, out, *extra):
        code, stdout, err = run(["report", "--quiet", "--color", "never", "--format",
                                 "table,json,md,html,xlsx", "--accounts", ACCOUNTS,
                                 "--out", out] + list(extra) + [inputs],
                                env={"COLUMNS": "120"})
        self.assertEqual(code, 0, err)
        with open(os.path.join(out, "costrank-2026-10.md"), encoding="utf-8") as f:
            md = f.read()
        with open(os.path.join(out, "costrank-2026-10.json"), encoding="utf-8") as f:
            rep = json.load(f)
        return (rep, {"table": stdout, "md": md,
                      "html": html_text(os.path.join(out, "costrank-2026-10.html")),
                      "chat": payloads(inputs, os.path.join(out, "chat"), *extra)},
                xlsx_parts(os.path.join(out, "costrank-2026-10.xlsx")))

    def test_jpy_has_no_minor_units(self):
        with tempdir() as d:
            # the samples billed in yen: the same figures, currency JPY
            src = os.path.join(d, "cur2-jpy")
            shutil.copytree(CUR2, src)
            for root, _, files in os.walk(src):
                for name in files:
                    if not name.endswith(".csv.gz"):
                        continue
                    path = os.path.join(root, name)
                    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
                        rows = list(csv.reader(f))
                    col = rows[0].index("line_item_currency_code")
                    for row in rows[1:]:
                        row[col] = "JPY"
                    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
                        csv.writer(f, lineterminator="\n").writerows(rows)
            rep, texts, (fmts, _, strings) = self.human_formats(src, os.path.join(d, "out"))
        self.assertEqual(rep["currency"], "JPY")
        total = Decimal(rep["total"]).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        for name, text in texts.items():
            with self.subTest(format=name):
                self.assertIn(f"{total:,}", text)
                # the table's cells are bare digits; elsewhere "1.1" is a rank
                pattern = FRACTION if name == "table" else YEN_FRACTION
                found = [text[max(0, m.start() - 30):m.end() + 10]
                         for m in pattern.finditer(text)]
                self.assertEqual(found, [], name)
                self.assertNotIn("JPY 0.", text)
        with self.subTest(format="xlsx"):
            money = [f for f in fmts if "JPY" in f]
            self.assertTrue(money, fmts)
            for f in money:
                self.assertNotIn(".", f)
            self.assertEqual([s for s in strings if YEN_FRACTION.search(s)], [])
        # JSON keeps the exact decimal strings
        self.assertRegex(rep["total"], r"^\d+\.\d+$")

    def test_fx_converts_every_amount(self):
        with tempdir() as d:
            rep, texts, (fmts, numbers, strings) = self.human_formats(
                CUR2, os.path.join(d, "out"), "--fx", "JPY=151.20")
        self.assertEqual(rep["currency"], "USD")
        accounts = rep["accounts"]
        services = [s for a in accounts for s in a["services"]]
        for name, text in texts.items():
            with self.subTest(format=name):
                self.assertIn(f"\u00a5{yen(rep['total'])}", text)
                self.assertIn("amounts in JPY at 151.20 JPY/USD (2026-10-31)", text)
                for a in accounts:
                    self.assertIn(yen(a["total"]), text, a["id"])
                    self.assertNotIn(cents(a["total"]), text, a["id"])
        # the table and the HTML page list every service of every account
        for name in ("table", "html"):
            for s in services:
                if Decimal(s["cost"]) >= 1:
                    self.assertIn(yen(s["cost"]), texts[name], (name, s["name"]))
        # the table's amounts are all whole yen, but the formulas in the billed currency
        body = "\n".join(l for l in texts["table"].split("\n")
                         if "USD" not in l and "billed $" not in l)
        self.assertEqual(FRACTION.findall(body), [])
        # the workbook: every account total converted, in a yen format
        with self.subTest(format="xlsx"):
            self.assertTrue(any("JPY" in f for f in fmts), fmts)
            for a in accounts:
                want = float(Decimal(a["total"]) * RATE)
                self.assertTrue(any(abs(n - want) <= 1e-6 * want for n in numbers), a["id"])
                usd = float(Decimal(a["total"]))
                self.assertFalse(any(abs(n - usd) <= 1e-9 * usd for n in numbers), a["id"])


if __name__ == "__main__":
    unittest.main()
