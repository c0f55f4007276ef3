"""The pseudo-translation run: every msgid of po/ja.po translated as itself
wrapped in ⟦…⟧, loaded at run time with COSTRANK_TEST_CATALOGUE (README
"Languages"; no build of its own), then the samples are rendered with
--lang ja in every human format, with September's report as --baseline so
that the realised savings, the drivers of change and the anomalies are
rendered too.  What English is left outside the marks
must be data -- account, service and usage-type names, rule ids, file
names -- never text of the program that escaped the catalogue."""
import html
import json
import os
import re
import struct
import sys
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402
from test_lang import KEPT, OPTION, PRODUCTS, data_names, po_entries  # noqa: E402
from test_rounding import ROWS, cur_file  # noqa: E402

ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
CUR2 = os.path.join(SAMPLES, "cur2")
PO = os.path.join(SOURCE_DIR, "po", "ja.po")
OPEN, CLOSE = "\u27e6", "\u27e7"


def pseudo(msgid):
    """msgid marked, its surrounding spaces and newlines left outside the marks."""
    core = msgid.strip()
    if not core:
        return msgid
    lead = msgid[:len(msgid) - len(msgid.lstrip())]
    trail = msgid[len(msgid.rstrip()):]
    return lead + OPEN + core + CLOSE + trail


def write_mo(path, catalogue):
    """A GNU .mo file (no hash table): the format i18n.c reads."""
    keys = sorted(catalogue, key=lambda k: k.encode("utf-8"))
    ids = [k.encode("utf-8") for k in keys]
    strs = [catalogue[k].encode("utf-8") for k in keys]
    n = len(keys)
    start = 28 + 16 * n
    blob, orig, trans = b"", [], []
    for table, items in ((orig, ids), (trans, strs)):
        for s in items:
            table.append((len(s), start + len(blob)))
            blob += s + b"\0"
    head = struct.pack("<7I", 0x950412de, 0, n, 28, 28 + 8 * n, 0, start)
    with open(path, "wb") as f:
        f.write(head)
        for ln, off in orig + trans:
            f.write(struct.pack("<2I", ln, off))
        f.write(blob)


def unmarked(text):
    """text with every marked stretch (nested ones too) taken out."""
    prev = None
    while prev != text:
        prev = text
        text = re.sub(OPEN + "[^" + OPEN + CLOSE + "]*" + CLOSE, " ", text)
    # a marked string the table shortened to fit: "⟦Savings propo…"
    return re.sub(OPEN + "[^" + CLOSE + "]*…", " ", text)


def english_left(text, names):
    # the chat posts break long names with word joiners
    text = unmarked(text).replace("\u2060", "")
    for n in sorted(names, key=len, reverse=True):
        text = text.replace(n, " ")
    text = re.sub(r"[^\s…]+(?: [^\s…]+)*…", " ", text)  # a name shortened to fit
    text = re.sub(r"https?://\S+|[\w.+-]+@[\w.-]+|costrank[.-][\w./-]+|/[\w./-]+|" + OPTION, " ", text)
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    return sorted(w for w in words if w not in KEPT and w not in PRODUCTS)


class PseudoTranslation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempdir()
        with open(PO, encoding="utf-8") as f:
            entries = po_entries(f.read())
        cls.count = len(entries)
        cls.mo = os.path.join(cls.dir.name, "pseudo.mo")
        write_mo(cls.mo, {k: pseudo(k) for k in entries})
        cls.names = data_names()
        out = os.path.join(cls.dir.name, "sep")
        code, _, err = run(["report", "--accounts", ACCOUNTS, "--month", "2026-09", "--format",
                            "json", "--out", out, CUR2])
        assert code == 0, err
        cls.baseline = os.path.join(out, "costrank-2026-09.json")
        # the baseline's proposals are data too: their lines may be gone in October
        with open(cls.baseline, encoding="utf-8") as f:
            for p in json.load(f)["proposals"]:
                cls.names.update(filter(None, (p["rule"], p["usage_type"], p["service"])))

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def render(self, *args, **env):
        code, out, err = run(["report", "--lang", "ja", "--accounts", ACCOUNTS,
                              "--baseline", self.baseline] + list(args) + [CUR2], env=dict({"COSTRANK_TEST_CATALOGUE": self.mo,
                                                 "COLUMNS": "160"}, **env))
        self.assertEqual(code, 0, err)
        return out, err

    def assertNoEnglish(self, text, what):
        self.assertIn(OPEN, text, what + ": the pseudo catalogue was not used")
        self.assertEqual(english_left(text, self.names), [], what)

    def test_catalogue_is_real(self):
        self.assertGreater(self.count, 250)

    def test_table(self):
        out, _ = self.render("--format", "table")
        self.assertNoEnglish(out, "table")
        for title in ("Realised savings", "What drove the change", "Anomalies: "):
            self.assertIn(OPEN + title, out)

    def test_markdown(self):
        out, _ = self.render("--format", "md", "--out", "-")
        self.assertNoEnglish(out, "md")

    def test_html(self):
        with tempdir() as d:
            self.render("--format", "html", "--out", d)
            with open(os.path.join(d, "costrank-2026-10.html"), encoding="utf-8") as f:
                page = f.read()
        body = page[page.index("<body>"):page.index("<details>")]
        text = html.unescape(re.sub(r"<[^>]*>", " ", body))
        self.assertNoEnglish(text, "html")

    def test_xlsx(self):
        with tempdir() as d:
            self.render("--format", "xlsx", "--out", d)
            with zipfile.ZipFile(os.path.join(d, "costrank-2026-10.xlsx")) as z:
                strings = z.read("xl/sharedStrings.xml").decode()
                book = z.read("xl/workbook.xml").decode()
        texts = [html.unescape(t) for t in re.findall(r"<t[^>]*>([^<]*)</t>", strings)]
        self.assertNoEnglish("\n".join(texts), "xlsx cells")
        sheets = re.findall(r'<sheet name="([^"]*)"', book)
        self.assertTrue(all(s.startswith(OPEN) for s in sheets), sheets)

    def test_chat(self):
        for kind in ("slack", "teams", "gchat"):
            with self.subTest(kind=kind), tempdir() as d:
                out, _ = self.render("--format", "json", "--out", d, "--post", kind, "--dry-run",
                                     COSTRANK_WEBHOOK_URL="https://chat.example/hook")
                texts = []

                def walk(v):
                    if isinstance(v, dict):
                        for k, x in v.items():
                            if k in ("text", "title", "value", "fallback", "header"):
                                walk(x) if not isinstance(x, str) else texts.append(x)
                            else:
                                walk(x)
                    elif isinstance(v, list):
                        for x in v:
                            walk(x)
                for doc in re.findall(r"^\{.*\}$", out, re.M):
                    walk(json.loads(doc))
                self.assertTrue(texts, out[:500])
                # Google Chat's text carries its own markup (<br>, <font color=...>)
                text = re.sub(r"<[^>]*>", " ", "\n".join(texts))
                self.assertNoEnglish(text, kind)

    def test_input_warnings(self):
        # the notes the input readers raise: a period the data covers in part ...
        period = ["--from", "2026-10-15", "--to", "2026-11-14"]
        code, js, err = run(["report", "--accounts", ACCOUNTS, "--format", "json", "--out", "-"]
                            + period + [CUR2])
        self.assertEqual(code, 0, err)
        names = set(self.names)   # this period ranks other usage types, proposes other rules
        names.update(p["rule"] for p in json.loads(js)["proposals"])
        for a in json.loads(js)["accounts"]:
            for sv in a.get("services", []):
                names.update(filter(None, [sv.get("name")] + [u.get("usage_type") for u in
                                                              sv.get("usage_types", [])]))
                for u in sv.get("usage_types", []):
                    names.update(x["resource_id"] for x in u.get("resources", []))
        for fmt in ("md", "table"):
            with self.subTest(format=fmt):
                args = ["--out", "-"] if fmt == "md" else []
                out, err = self.render(*period, "--format", fmt, *args)
                warnings = [ln[len("costrank: warning: "):] for ln in err.splitlines()
                            if ln.startswith("costrank: warning: ")]
                self.assertTrue(warnings, err)
                for w in warnings:
                    self.assertIn(w.split(":")[0].strip(OPEN), out.replace("\\", ""))
                self.assertIn(OPEN, out)
                self.assertEqual(english_left(out, names), [], fmt + " with a coverage note")
                self.assertNoEnglish("\n".join(warnings), "stderr warnings")
        # ... and amounts rounded when read (with a month covered in part)
        with tempdir() as d:
            path = os.path.join(d, "cur.csv")
            cur_file(path, ROWS)
            code, out, err = run(["report", "--lang", "ja", "--month", "2026-10", "--format",
                                  "md", "--out", "-", path],
                                 env={"COSTRANK_TEST_CATALOGUE": self.mo})
        self.assertEqual(code, 0, err)
        self.assertIn("18", out)
        names = self.names | {"prod", "AmazonEC2", "BoxUsage:m5.large", "Hrs",
                              "Amazon Elastic Compute Cloud"}
        self.assertEqual(english_left(out, names), [], out)

    def test_help(self):
        # what --help leaves outside the marks: option names, metavars, command names
        for args in (["--help"], ["report", "--help"], ["rules", "--help"]):
            with self.subTest(args=args):
                code, out, err = run(args + ["--lang", "ja"],
                                     env={"COSTRANK_TEST_CATALOGUE": self.mo})
                self.assertEqual(code, 0, err)
                self.assertIn(OPEN, out)
                left = re.sub(r"(?m)^  (?:-\w, )?\s*--[a-z0-9-]+(?: \S+)?|^  (report|rules) ",
                              " ", unmarked(out))
                self.assertEqual(english_left(left, set()), [], "\n" + out)

    def test_usage_errors(self):
        for args in (["report", "--bogus"], ["report", "--month", "2026-13"], ["nope"],
                     ["report", "--detail", "x"], ["report", "--fx", "JPY"]):
            with self.subTest(args=args):
                code, _, err = run(args + ["--lang", "ja"], env={"COSTRANK_TEST_CATALOGUE": self.mo})
                self.assertEqual(code, 2)
                msg = err[len("costrank: error: "):]
                self.assertIn(OPEN, msg)
                self.assertEqual(english_left(msg, set()), [], err)

    def test_the_check_sees_unmarked_english(self):
        # without the pseudo catalogue the same run is English: the check can fail
        code, out, _ = run(["report", "--accounts", ACCOUNTS, "--format", "md", "--out", "-",
                            CUR2])
        self.assertEqual(code, 0)
        self.assertIn("Total", english_left(out, self.names))

    def test_a_bad_catalogue_entry_is_refused(self):
        # a translation taking other arguments than its msgid is not used
        bad = os.path.join(self.dir.name, "bad.mo")
        write_mo(bad, {"%zu proposals": "%s %s %s", "Savings proposals": "⟦ok⟧"})
        code, out, err = run(["report", "--lang", "ja", "--format", "md", "--out", "-", CUR2],
                             env={"COSTRANK_TEST_CATALOGUE": bad})
        self.assertEqual(code, 0, err)
        self.assertIn("⟦ok⟧", out)


if __name__ == "__main__":
    unittest.main()
