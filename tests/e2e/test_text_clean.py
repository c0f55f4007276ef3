"""Text from the data reaches no report or chat payload as an escape sequence, a
bidirectional control or invalid UTF-8, and no CSV text cell runs as a formula.

Names are planted in a billing file (service, usage type, account name) and every
format is checked byte by byte: table, JSON, CSV, Markdown, HTML, XLSX (its XML
parts) and the Slack, Teams, Google Chat and webhook payloads of --post --dry-run.
"""
import csv
import io
import json
import os
import unittest
import zipfile

from common import run, tempdir

HEADER = ("line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,"
          "line_item_product_code,line_item_usage_type,line_item_unblended_cost,"
          "product_product_name\n").encode()

# U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 in UTF-8
BIDI = [b"\xd8\x9c", b"\xe2\x80\x8e", b"\xe2\x80\x8f"] + \
       [b"\xe2\x80" + bytes([c]) for c in range(0xAA, 0xAF)] + \
       [b"\xe2\x81" + bytes([c]) for c in range(0xA6, 0xAA)]


def row(usage_type, cost, service=b"Amazon Simple Storage Service", code=b"AmazonS3"):
    return b"012345678901,Usage,2026-10-01T00:00:00Z," + code + b"," + usage_type + b"," + \
        cost + b"," + service + b"\n"


def assert_clean(test, name, data):
    """data holds no ESC, C1 control, bidirectional control nor invalid UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        test.fail("%s: invalid UTF-8: %s" % (name, e))
    test.assertNotIn("\x1b", text, name)
    test.assertFalse(any(0x80 <= ord(c) <= 0x9f for c in text), name + ": a C1 control")
    for b in BIDI:
        test.assertNotIn(b.decode("utf-8"), text, "%s: %r" % (name, b))


class TextCleanTest(unittest.TestCase):

    def hostile_file(self, d):
        path = os.path.join(d, "in.csv")
        rows = [
            row(b"Box\xe2\x80\xaeredro\xe2\x80\xac-Usage", b"100"),
            row(b"\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", b"50"),
            row(b"Latin\xe9-1\xff", b"25"),
            row(b"Iso\xe2\x81\xa6late\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c", b"12",
                service=b"\xe2\x80\xaeEvil Service\x1b[2J\xc2\x9b", code=b"Evil"),
        ]
        with open(path, "wb") as f:
            f.write(HEADER + b"".join(rows))
        accounts = os.path.join(d, "accounts.json")
        with open(accounts, "wb") as f:
            f.write(b'{"accounts": [{"id": "012345678901", "name": "Pay\xe2\x80\xaeroll'
                    b'\\u001b]0;title\\u0007", "environment": "production"}]}')
        return path, accounts

    def test_every_format_and_payload_is_clean(self):
        with tempdir() as d:
            data, accounts = self.hostile_file(d)
            out = os.path.join(d, "out")
            code, table, err = run(["report", "--no-rules", "--accounts", accounts,
                                    "--format", "table,json,csv,md,html,xlsx",
                                    "--out", out, data], env={"COLUMNS": "200"})
            self.assertEqual(code, 0, err)
            assert_clean(self, "table", table.encode("utf-8", "surrogateescape"))
            self.assertNotIn("\ufffd" * 3, table)
            names = sorted(os.listdir(out))
            self.assertEqual(len(names), 7, names)
            for name in names:
                path = os.path.join(out, name)
                if name.endswith(".xlsx"):
                    with zipfile.ZipFile(path) as z:
                        for part in z.namelist():
                            assert_clean(self, name + ":" + part, z.read(part))
                    continue
                with open(path, "rb") as f:
                    assert_clean(self, name, f.read())
            with open(os.path.join(out, "costrank-2026-10.json")) as f:
                rep = json.load(f)
            usage = [u["usage_type"] for a in rep["accounts"] for s in a["services"]
                     for u in s["usage_types"]]
            self.assertIn("Box?redro?-Usage", usage)
            self.assertIn("Latin\ufffd-1\ufffd", usage)
            self.assertEqual(rep["accounts"][0]["name"], "Pay?roll?]0;title?")
            with open(os.path.join(out, "costrank-2026-10.csv"), newline="",
                      encoding="utf-8") as f:
                cells = [r["usage_type"] for r in csv.DictReader(f)]
            self.assertIn("?]8;;http://evil.example?\\link?]8;;?\\", cells)

            for kind in ("slack", "teams", "gchat", "webhook"):
                code, payload, err = run(["report", "--no-rules", "--accounts", accounts,
                                          "--format", "json", "--out", os.path.join(d, kind),
                                          "--post", kind, "--dry-run", data])
                self.assertEqual(code, 0, err)
                self.assertTrue(payload.strip(), kind)
                for line in payload.splitlines():
                    doc = json.loads(line)
                    assert_clean(self, kind, json.dumps(doc, ensure_ascii=False).encode())

    def test_csv_formula_guard(self):
        cases = {
            b"+1+1": "'+1+1",
            b"-1-1": "'-1-1",
            b"\"\n=1+1\"": "' =1+1",
            b"\xef\xbc\x9d1+1": "'\uff1d1+1",
            b"\xef\xbc\x8bcmd": "'\uff0bcmd",
            b"\xef\xbc\x8dcmd": "'\uff0dcmd",
            b"\xef\xbc\xa0SUM(A1)": "'\uff20SUM(A1)",
            b"\" @SUM(A1)\"": "' @SUM(A1)",
            b"plain-usage": "plain-usage",
        }
        with tempdir() as d:
            data = os.path.join(d, "in.csv")
            rows = [row(k, b"%d" % (i + 1)) for i, k in enumerate(cases)]
            rows.append(b"012345678901,Credit,2026-10-02T00:00:00Z,AmazonEC2,refund,-70,"
                        b"Amazon Elastic Compute Cloud\n")
            with open(data, "wb") as f:
                f.write(HEADER + b"".join(rows))
            code, _, err = run(["report", "--no-rules", "--include", "credits",
                                "--top-usage", "20", "--format", "csv", "--out", d, data])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.csv"), newline="",
                      encoding="utf-8") as f:
                got = {r["usage_type"]: r for r in csv.DictReader(f)}
        for want in cases.values():
            self.assertIn(want, got)
        self.assertEqual(got["refund"]["cost"], "-70.00", "amounts stay numbers")
        total = sum(float(r["cost"]) for r in got.values())
        self.assertAlmostEqual(total, sum(range(1, len(cases) + 1)) - 70)


if __name__ == "__main__":
    unittest.main()
