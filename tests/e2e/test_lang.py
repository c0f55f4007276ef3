"""--lang: the reports in Japanese; the catalogue po/ja.po complete and valid."""
import glob
import re
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402

ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
CUR2 = os.path.join(SAMPLES, "cur2")
PO = os.path.join(SOURCE_DIR, "po", "ja.po")
RULES = os.path.join(SOURCE_DIR, "src", "rules", "default_rules.json")
RULES_JA = os.path.join(SOURCE_DIR, "src", "rules", "default_rules.ja.json")
# every file whose strings are marked for translation
MARKED = ["src/report/*.c", "src/notify/*.c", "src/cli/*.c", "src/cli/*.h", "src/rules/*.c",
          "src/ledger/metric.c", "src/ledger/period.c", "src/core/fx.c", "src/core/i18n.c",
          "src/sources/export_root.c", "src/sources/ce_source.c", "src/sources/source.c",
          "src/rank/rank.c", "src/rank/allocation.c"]


def minimal_env(**extra):
    """No locale variables at all, as in a minimal container: no ja_JP locale is needed."""
    env = {"PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true", "COLUMNS": "100"}
    env.update(extra)
    return env


def run_min(args, **extra):
    p = subprocess.run([BIN] + list(args), cwd=SOURCE_DIR, env=minimal_env(**extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def po_entries(text):
    """{msgid: msgstr} of a .po file (the header entry left out)."""
    import json
    entries, cur, field = {}, None, None
    for line in text.splitlines():
        if line.startswith("msgid "):
            cur = [json.loads(line[6:]), ""]
            field = 0
        elif line.startswith("msgstr "):
            cur[1] = json.loads(line[7:])
            field = 1
            entries[cur[0]] = cur
        elif line.startswith('"') and cur is not None:
            cur[field] += json.loads(line)
    return {k: v[1] for k, v in entries.items() if k}


def marked_strings():
    files = sorted(f for pat in MARKED for f in glob.glob(os.path.join(SOURCE_DIR, pat)))
    p = subprocess.run(["xgettext", "--keyword=_", "--keyword=N_", "--from-code=UTF-8",
                        "--no-location", "--omit-header", "-o", "-"] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return set(po_entries(p.stdout.decode("utf-8")))


class Catalogue(unittest.TestCase):
    def setUp(self):
        if not shutil.which("msgfmt") or not shutil.which("xgettext"):
            self.skipTest("gettext tools not installed (scripts/install-deps)")

    def test_msgfmt_check(self):
        p = subprocess.run(["msgfmt", "--check", "-o", os.devnull, PO],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertEqual(p.returncode, 0, p.stdout.decode())

    def test_every_marked_string_is_translated(self):
        with open(PO, encoding="utf-8") as f:
            po = po_entries(f.read())
        marked = marked_strings()
        self.assertGreater(len(marked), 40)
        missing = sorted(m for m in marked if not po.get(m))
        self.assertEqual(missing, [], "marked in the code, not translated in po/ja.po")
        stale = sorted(set(po) - marked)
        self.assertEqual(stale, [], "in po/ja.po, no longer in the code")


# Words a Japanese report keeps in Latin letters: the product, currencies,
# file formats, and the option a note names.
KEPT = {"costrank", "USD", "JPY", "EUR", "JSON", "CSV", "API", "GitHub", "cur2", "csv", "json",
        "include", "format", "Slack", "Microsoft", "Teams", "Google", "Chat", "webhook",
        "unknown",
        # AWS product names in the translated kinds of action (Graviton, gp3 volumes)
        # and in the commitments section, as AWS's Japanese pages write them
        "Graviton", "gp", "Savings", "Plans", "Windows"}


def drop_shortened(text, names):
    """Removes the names shortened to fit a column ("Amazon Elastic Compute Cloud - Comp…")
    before the whole names are removed: a short name inside a long one (the usage type
    "Compute" in the EC2 service name) would otherwise split the shortened long one."""
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch != "…":
            continue
        window = text[max(start, i - 200):i]
        cut = 0
        for n in names:
            for k in range(min(len(n), len(window)), cut, -1):
                if window.endswith(n[:k]):
                    cut = k
                    break
        out.append(text[start:i - cut] + " ")
        start = i + 1
    out.append(text[start:])
    return "".join(out)


def product_names():
    """The Latin words the Japanese rule texts keep: product and feature names (AWS, EBS,
    NAT, Savings Plans...), which the Japanese text names as they are."""
    import json
    with open(RULES_JA, encoding="utf-8") as f:
        cat = json.load(f)["rules"]
    return {w for e in cat.values() for t in e.values() for w in re.findall(r"[A-Za-z]{2,}", t)}


PRODUCTS = product_names()
# command-line options named in a text (--min-saving): not translated
OPTION = r"--[a-z][a-z0-9-]*"


def english_words(text, names):
    """The Latin-letter words of text left after removing the names the data brings."""
    longest_first = sorted(names, key=len, reverse=True)
    text = drop_shortened(text, longest_first)
    for n in longest_first:
        text = text.replace(n, " ")
    # a name shortened to fit the table ends with "…"
    text = re.sub(r"[^\s…]+(?: [^\s…]+)*…", " ", text)
    text = re.sub(r"https?://\S+|[\w.+-]+@[\w.-]+|costrank[.-][\w./-]+|" + OPTION, " ", text)
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    return sorted(w for w in words if w not in KEPT and w not in PRODUCTS)


def data_names():
    """Account, service and usage-type names, and the rule table's own text (translated
    separately), as the JSON report gives them."""
    import json
    code, out, _ = run_min(["report", "--accounts", ACCOUNTS, "--format", "json", "--out", "-",
                            CUR2])
    assert code == 0
    d = json.loads(out)
    names = {"samples/cur2", "cur2"}
    for a in d["accounts"]:
        names.update(filter(None, (a.get("id"), a.get("name"), a.get("environment"),
                                   a.get("owner"))))
        for s in a.get("services", []):
            names.add(s.get("name") or "")
            for u in s.get("usage_types", []):
                names.update(filter(None, (u.get("usage_type"), u.get("unit"))))
                names.update(x["resource_id"] for x in u.get("resources", []))
    for s in d.get("services", []):
        names.add(s.get("name") or "")
    # usage types the drivers' top movers and the anomalies name (gone ones too)
    for dr in d.get("drivers") or []:
        names.update(m["usage_type"] for m in dr["top_movers"] if m["usage_type"])
    for an in d.get("anomalies") or []:
        names.update(u["usage_type"] for u in an["usage_types"] if u["usage_type"])
    # (formulas and evidence are translated: not data)
    for p in d["proposals"]:
        names.update(filter(None, (p.get("rule"), p.get("usage_type"), p.get("service"),
                                   p.get("reference"))))
        for alt in p.get("alternatives", []):
            names.add(alt.get("rule") or "")
    # the usage types the idle rules look for (named in their evidence), and the rule ids
    # (a folded row's evidence names the rules it folds)
    with open(RULES, encoding="utf-8") as f:
        rules = json.load(f)["rules"]
    names.update(r["savings"]["traffic"] for r in rules if r.get("savings", {}).get("traffic"))
    names.update(r["id"] for r in rules)
    return {n for n in names if n}


class Language(unittest.TestCase):
    def html_page(self):
        with tempdir() as d:
            code, _, err = run_min(["report", "--lang", "ja", "--accounts", ACCOUNTS, "--format",
                                    "html", "--out", d, CUR2])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.html"), encoding="utf-8") as f:
                return f.read()

    def test_table_aligned_with_japanese_names(self):
        import json
        import re
        import unicodedata

        def cells(line):
            return sum(0 if unicodedata.combining(ch) else
                       2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)

        with open(ACCOUNTS, encoding="utf-8") as f:
            accounts = json.load(f)
        names = ["本番環境アカウント", "データ基盤", "共有サービス", "請求管理", "開発",
                 "ステージング", "検証用サンドボックス（長い名前のアカウント）"]
        for a, n in zip(accounts["accounts"], names):
            a["name"] = n
        with tempdir() as d:
            path = os.path.join(d, "accounts.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(accounts, f, ensure_ascii=False)
            for width in (80, 120):
                with self.subTest(width=width):
                    code, out, err = run_min(["report", "--lang", "ja", "--accounts", path,
                                              "--format", "table", CUR2], COLUMNS=str(width))
                    self.assertEqual(code, 0, err)
                    lines = out.splitlines()
                    self.assertTrue(all(cells(x) <= width for x in lines),
                                    max(lines, key=cells))
                    # the overview's rows end their share column at the same cell
                    head = lines.index(next(x for x in lines if x.startswith(" #  アカウント")))
                    # (a trend column of sparklines may follow the share)
                    rows = [x for x in lines[head:head + 9] if re.search(r"\d%(\s+[▁-█]+)?$", x)]
                    self.assertEqual(len(rows), 8, lines[head:head + 9])
                    share_end = {cells(x[:[m.end() for m in re.finditer(r"\d%", x)][-1]])
                                 for x in rows}
                    hd = lines[head]
                    self.assertEqual(share_end, {cells(hd[:hd.index("構成比") + 3])})
                    self.assertIn("本番環境アカウント", out)

    def test_no_english_left(self):
        import html
        import re
        names = data_names()
        for fmt in ("table", "md"):
            with self.subTest(format=fmt):
                args = ["report", "--accounts", ACCOUNTS, "--format", fmt] + \
                    (["--out", "-"] if fmt == "md" else []) + [CUR2]
                code, out, err = run_min(args[:1] + ["--lang", "ja"]
                                         + args[1:])
                self.assertEqual(code, 0, err)
                self.assertEqual(english_words(out, names), [])
                # the check sees English where there is some
                _, en, _ = run_min(args)
                self.assertIn("Total", english_words(en, names))
        page = self.html_page()
        # the footer's list of source files holds paths
        body = page[page.index("<body>"):page.index("<details>")]
        text = html.unescape(re.sub(r"<[^>]*>", " ", body))
        self.assertEqual(english_words(text, names), [])


    def table(self, *args, **env):
        code, out, err = run_min(["report", "--accounts", ACCOUNTS, "--format", "table"]
                                 + list(args) + [CUR2], **env)
        self.assertEqual(code, 0, err)
        return out

    def test_lang_ja_without_any_locale(self):
        out = self.table("--lang", "ja")
        self.assertIn("削減提案", out)
        self.assertIn("アカウント", out)
        self.assertNotIn("Savings proposals", out)

    def test_default_is_english(self):
        out = self.table()
        self.assertIn("Savings proposals", out)
        self.assertNotIn("削減提案", out)

    def test_environment_chooses(self):
        self.assertIn("削減提案", self.table(LANG="ja_JP.UTF-8"))
        self.assertIn("削減提案", self.table(LC_MESSAGES="ja_JP.UTF-8", LANG="C"))
        # LC_ALL comes first
        self.assertIn("Savings proposals", self.table(LC_ALL="C.UTF-8", LANG="ja_JP.UTF-8"))
        # --lang wins over the environment
        self.assertIn("Savings proposals", self.table("--lang", "en", LANG="ja_JP.UTF-8"))

    def test_markdown_in_japanese(self):
        code, out, err = run_min(["report", "--lang", "ja", "--accounts", ACCOUNTS, "--format",
                                  "md", "--out", "-", CUR2])
        self.assertEqual(code, 0, err)
        # the heading names the month as a Japanese reader writes it; data cells stay ISO
        self.assertIn("## costrank レポート — 2026年10月", out)
        self.assertIn("前期 2026年9月", out)
        self.assertIn("2026-10-01〜2026-10-31", out)
        for word in ("削減提案", "請求総額", "突合", "構成比"):
            self.assertIn(word, out)
        # the same figures as in English
        _, en, _ = run_min(["report", "--accounts", ACCOUNTS, "--format", "md", "--out", "-",
                            CUR2])
        self.assertIn("\\$173,607.31", out)
        self.assertIn("\\$173,607.31", en)
        self.assertIn("## costrank report — 2026-10", en)

    def test_html_in_japanese(self):
        page = self.html_page()
        self.assertIn('<html lang="ja">', page)
        self.assertIn("Noto Sans CJK JP", page)
        self.assertIn("<h1>costrank レポート 2026年10月</h1>", page)
        for word in ("概要", "削減提案", "突合", "請求総額", "増減率"):
            self.assertIn(word, page)
        # data cells keep ISO dates
        self.assertIn('<span id="data-through">2026-10-31</span>', page)

    def test_xlsx_in_japanese(self):
        import re
        import zipfile
        with tempdir() as d:
            code, _, err = run_min(["report", "--lang", "ja", "--accounts", ACCOUNTS, "--format",
                                    "xlsx", "--out", d, CUR2])
            self.assertEqual(code, 0, err)
            with zipfile.ZipFile(os.path.join(d, "costrank-2026-10.xlsx")) as z:
                book = z.read("xl/workbook.xml").decode()
                strings = z.read("xl/sharedStrings.xml").decode()
                styles = z.read("xl/styles.xml").decode()
                sheets = "".join(z.read(n).decode() for n in z.namelist()
                                 if n.startswith("xl/worksheets/sheet"))
                charts = "".join(z.read(n).decode() for n in z.namelist()
                                 if n.startswith("xl/charts/"))
        self.assertEqual(re.findall(r'<sheet name="([^"]*)"', book),
                         ["概要", "サービス", "使用タイプ", "削減提案", "推移", "コミットメント",
                          "変動の要因", "異常", "リソース"])
        for title in ("アカウントID", "アカウント名", "増減率", "月間削減額", "優先度",
                      "costrank レポート 2026年10月", "請求総額"):
            self.assertIn(title, strings)
        self.assertIn('<name val="Yu Gothic"/>', styles)
        # formulas and charts refer to the sheets by their Japanese names
        self.assertIn("'削減提案'!", sheets)
        self.assertIn("'概要'!", charts)
        self.assertNotIn("Summary", charts)

    def test_chat_in_japanese(self):
        for kind in ("slack", "teams", "gchat"):
            with self.subTest(kind=kind), tempdir() as d:
                code, out, err = run_min(["report", "--lang", "ja", "--format", "json", "--out", d,
                                          "--post", kind, "--dry-run", CUR2],
                                         COSTRANK_WEBHOOK_URL="https://chat.example/hook")
                self.assertEqual(code, 0, err)
                self.assertIn("costrank レポート — 2026年10月", out)
                for word in ("合計", "削減提案", "前期"):
                    self.assertIn(word, out)
                for word in ("Total", "Savings proposals", " vs "):
                    self.assertNotIn(word, out)

    def test_html_screenshot_in_chromium(self):
        chromium = "/usr/bin/chromium"
        if not os.access(chromium, os.X_OK):
            self.skipTest("Chromium not installed (scripts/install-test-deps)")
        # a Japanese font for the page to render with (fonts-noto-cjk)
        if shutil.which("fc-list"):
            fonts = subprocess.run(["fc-list", ":lang=ja"], stdout=subprocess.PIPE).stdout
            if not fonts.strip():
                self.skipTest("no Japanese font installed (fonts-noto-cjk)")
        page = self.html_page()
        with tempdir() as d:
            html_path = os.path.join(d, "ja.html")
            with open(html_path, "w", encoding="utf-8") as f:
                f.write(page)
            shot = os.path.join(d, "ja.png")
            home = os.path.join(d, "home")
            os.mkdir(home)
            p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", "--no-first-run",
                                "--user-data-dir=" + os.path.join(home, "profile"),
                                "--screenshot=" + shot, "--window-size=1280,1600",
                                "file://" + html_path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180,
                               env=dict(os.environ, HOME=home, XDG_CONFIG_HOME=home,
                                        XDG_CACHE_HOME=home))
            self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace")[-2000:])
            with open(shot, "rb") as f:
                png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        # a blank page compresses to a few kilobytes; Japanese text and charts do not
        self.assertGreater(len(png), 60000)

    def test_csv_headers(self):
        args = ["report", "--lang", "ja", "--format", "csv", "--out", "-", CUR2]
        code, out, err = run_min(args)
        self.assertEqual(code, 0, err)
        english = out.splitlines()
        self.assertTrue(english[0].startswith("period_start,period_end,currency,"))
        code, out, err = run_min(args[:1] + ["--csv-headers", "localized"] + args[1:])
        self.assertEqual(code, 0, err)
        local = out.splitlines()
        self.assertTrue(local[0].startswith("期間開始,期間終了,通貨,"))
        self.assertEqual(len(local[0].split(",")), len(english[0].split(",")))
        self.assertEqual(local[1:], english[1:])
        code, _, err = run_min(["report", "--csv-headers", "french", CUR2])
        self.assertEqual(code, 2)
        self.assertIn("--csv-headers", err)

    def test_unknown_language(self):
        code, _, err = run(["report", "--lang", "fr", CUR2])
        self.assertEqual(code, 2)
        self.assertIn("--lang", err)
        self.assertEqual(len(err.strip().splitlines()), 1)



class Workbook(unittest.TestCase):
    """The --lang ja workbook as openpyxl (python3-openpyxl) reads it: Japanese sheet and
    column titles, and yen without minor units."""

    def setUp(self):
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            if os.environ.get("CI"):
                raise
            self.skipTest("openpyxl is not installed (scripts/install-test-deps)")

    def book(self, *args):
        import openpyxl
        with tempdir() as d:
            code, _, err = run_min(["report", "--lang", "ja", "--accounts", ACCOUNTS,
                                    "--format", "xlsx", "--out", d] + list(args) + [CUR2])
            self.assertEqual(code, 0, err)
            return openpyxl.load_workbook(os.path.join(d, "costrank-2026-10.xlsx"))

    def test_sheets_and_columns_in_japanese(self):
        wb = self.book()
        self.assertEqual(wb.sheetnames, ["概要", "サービス", "使用タイプ", "削減提案", "推移",
                                         "コミットメント", "変動の要因", "異常", "リソース"])
        heads = {ws.title: [c.value for c in ws[1] if c.value] for ws in wb.worksheets}
        for name in ("サービス", "使用タイプ", "削減提案"):
            self.assertTrue(heads[name], name)
            for title in heads[name]:
                self.assertRegex(str(title), r"[\u3040-\u30ff\u4e00-\u9fff]|^[A-Z]{2,}",
                                 (name, title))
        self.assertIn("アカウントID", heads["サービス"])
        self.assertIn("月間削減額", heads["削減提案"])

    def test_yen_cells_have_no_minor_units(self):
        import re
        wb = self.book("--fx", "JPY=151.20")
        money = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    fmt = c.number_format or ""
                    if not isinstance(c.value, (int, float)) or not re.search(r'¥|"JPY"', fmt):
                        continue
                    money += 1
                    # every section of the format: no decimals ("0.00") at all
                    self.assertNotRegex(fmt, r"0\.0", (ws.title, c.coordinate, fmt))
        self.assertGreater(money, 50)


class PinnedLocale(unittest.TestCase):
    """tests/e2e/common.py pins LANG=C.UTF-8 and unsets LC_ALL, LC_MESSAGES and LANGUAGE,
    so a developer's Japanese locale does not turn the English tests' reports Japanese."""

    def test_lang_alone_selects_japanese(self):
        code, out, err = run(["report", "--format", "table", CUR2], env={"LANG": "ja_JP.UTF-8"})
        self.assertEqual(code, 0, err)
        self.assertIn("削減提案", out)

    def test_a_japanese_machine_still_runs_english_tests(self):
        script = ("import sys; sys.path.insert(0, %r); import common; "
                  "print(common.run(['report', '--format', 'table', %r])[1])"
                  % (os.path.dirname(__file__), CUR2))
        env = dict(os.environ, LC_ALL="ja_JP.UTF-8", LC_MESSAGES="ja_JP.UTF-8",
                   LANG="ja_JP.UTF-8", LANGUAGE="ja", COSTRANK_BIN=BIN)
        p = subprocess.run([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
        out = p.stdout.decode("utf-8")
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
        self.assertIn("Savings proposals", out)
        self.assertNotIn("削減提案", out)


OPTION_NAME = re.compile(r"^  (?:-\w, )?\s*(--[a-z0-9-]+)", re.M)


class Help(unittest.TestCase):
    """--help and the usage errors in the chosen language; the option names stay as typed."""

    def help(self, *args, **env):
        code, out, err = run_min(list(args), **env)
        self.assertEqual(code, 0, err)
        return out

    def test_help_in_japanese_wherever_lang_stands(self):
        en = self.help("report", "--help")
        self.assertIn("Options:", en)
        for args in (["report", "--help", "--lang", "ja"], ["report", "--lang=ja", "--help"],
                     ["--lang", "ja", "report", "--help"]):
            with self.subTest(args=args):
                out = self.help(*args)
                self.assertIn("オプション:", out)
                self.assertIn("このヘルプを表示する", out)
                self.assertNotIn("Options:", out)
                self.assertEqual(OPTION_NAME.findall(out), OPTION_NAME.findall(en))

    def test_environment_chooses_the_help(self):
        for args in (["--help"], ["report", "--help"], ["rules", "--help"],
                     ["rules", "list", "--help"]):
            with self.subTest(args=args):
                out = self.help(*args, LANG="ja_JP.UTF-8")
                self.assertRegex(out, "使い方|オプション")
                self.assertNotIn("usage:", out)
                self.assertIn("usage:", self.help(*args, LANG="ja_JP.UTF-8", LC_ALL="C"))
        self.assertIn("使い方: costrank", self.help("--help", "--lang", "ja"))
        self.assertIn("使い方: costrank rules", self.help("rules", "--help", "--lang", "ja"))

    def test_usage_errors_in_japanese(self):
        for args, text in ((["report", "--bogus", "--lang", "ja"], "不明なオプション '--bogus'"),
                           (["report", "--month", "2026-13", "--lang", "ja"], "--month '2026-13'"),
                           (["--lang", "ja", "nope"], "不明なコマンド 'nope'"),
                           (["rules", "nope", "--lang", "ja"], "不明な rules のサブコマンド"),
                           (["report", "--fx", "JPY", "--lang", "ja"], "--fx 'JPY': ISO 4217")):
            with self.subTest(args=args):
                code, out, err = run_min(args)
                self.assertEqual(code, 2)
                self.assertEqual(out, "")
                self.assertIn(text, err)
                # the prefix stays English: logs are searched for it
                self.assertTrue(err.startswith("costrank: error: "), err)
        code, _, err = run_min(["--lang", "xx", "report"], LANG="ja_JP.UTF-8")
        self.assertEqual(code, 2)
        self.assertIn("不明な言語 'xx'", err)
        code, _, err = run_min(["--lang"])
        self.assertEqual(code, 2)
        self.assertIn("--lang", err)


if __name__ == "__main__":
    unittest.main()
