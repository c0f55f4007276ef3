"""End to end: the deliverables for finance and chat, from the sample
organisation.

    costrank report --format xlsx,md,html,csv --out DIR --accounts samples/accounts.json samples/cur2

(a) the workbook, read back with openpyxl (Debian python3-openpyxl): four
    sheets, money as numbers with a currency format, totals as SUM formulas,
    account ids as text, two charts;
(b) the Markdown: the total, at most 65,536 characters;
(c) the HTML, rendered by headless Chromium (Debian chromium): a screenshot,
    the DOM with the formatted total and every account name, no console
    errors;
(d) the services CSV: its columns, and a cost column that adds up to the
    total.

openpyxl and Chromium come from Debian packages (scripts/install-deps).  On
a developer machine without them the tests that need them are skipped with
a message; where the CI variable is set (as CI services set it) they fail.
"""
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile
from decimal import ROUND_HALF_UP, Decimal

SYSTEM_PYTHON = "/usr/bin/python3"
CHROMIUM = "/usr/bin/chromium"


def _use_system_python():
    """Debian's python3-openpyxl is only on the system interpreter's path: when
    another interpreter runs this file (a pyenv python3 found first on PATH),
    run it again with the system one if that one has openpyxl."""
    try:
        import openpyxl  # noqa: F401
        return
    except ImportError:
        pass
    if (os.environ.get("COSTRANK_E2E_SYSTEM_PYTHON") or not os.access(SYSTEM_PYTHON, os.X_OK)
            or os.path.realpath(sys.executable) == os.path.realpath(SYSTEM_PYTHON)):
        return
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import openpyxl"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode == 0:
        os.environ["COSTRANK_E2E_SYSTEM_PYTHON"] = "1"
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])


if __name__ == "__main__":
    _use_system_python()

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, SOURCE_DIR, run  # noqa: E402

try:
    import openpyxl
except ImportError:
    openpyxl = None

IN_CI = bool(os.environ.get("CI"))
LIMIT = 65536
SHEETS = ["Summary", "Services", "Usage types", "Savings proposals", "Trend", "Commitments",
          "What drove the change", "Anomalies", "Resources"]
SERVICE_COLUMNS = ["period_start", "period_end", "currency", "metric", "account_rank",
                   "account_id", "account_name", "environment", "service_rank", "service",
                   "cost", "previous_cost", "change", "change_pct", "share_of_account_pct",
                   "usage_types_total", "new"]


def require(available, what, package):
    """Skips on a developer machine without `package`; fails in CI."""
    if available:
        return
    message = f"{what} is not available: install the Debian package {package} " \
              f"(scripts/install-deps)"
    if IN_CI:
        raise AssertionError(message)
    raise unittest.SkipTest(message)


# how the proposals are ordered, as every human format says it (src/report/render.c)
ORDER = ("Order: measured and priced proposals (counted in the total) first, then the "
         "estimates to investigate; each part by priority = monthly saving / effort weight "
         "(low 1, medium 2, high 4) x risk factor (low 1, medium 3/4, high 1/2), then by the "
         "larger saving.")


def priority(x):
    """A proposal's priority as the human formats show it: '4,602.95'."""
    return f"{Decimal(str(x)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def money(amount):
    """'$173,607.31' from an exact decimal string, rounded half away from zero."""
    q = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return ("-" if q < 0 else "") + "$" + f"{abs(q):,.2f}"


class Deliverables(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="costrank-e2e-")
        cls.out = os.path.join(cls.tmp.name, "out")
        accounts = os.path.join(SAMPLES, "accounts.json")
        code, _, err = run(["report", "--format", "xlsx,md,html,csv", "--out", cls.out,
                            "--accounts", accounts, os.path.join(SAMPLES, "cur2")])
        if code != 0:
            raise AssertionError(f"costrank failed ({code}): {err}")
        ref = os.path.join(cls.tmp.name, "ref")
        code, _, err = run(["report", "--format", "json", "--out", ref, "-q",
                            "--accounts", accounts, os.path.join(SAMPLES, "cur2")])
        if code != 0:
            raise AssertionError(f"costrank failed ({code}): {err}")
        with open(os.path.join(ref, "costrank-2026-10.json"), encoding="utf-8") as f:
            cls.report = json.load(f)
        with open(accounts, encoding="utf-8") as f:
            cls.accounts = json.load(f)["accounts"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.out, name)

    def test_files(self):
        self.assertEqual(sorted(os.listdir(self.out)), sorted([
            "costrank-2026-10.csv", "costrank-2026-10-services.csv",
            "costrank-2026-10-resources.csv", "costrank-2026-10-proposals.csv", "costrank-2026-10-notes.csv", "costrank-2026-10-trend.csv", "costrank-2026-10.xlsx",
            "costrank-2026-10-drivers.csv", "costrank-2026-10-anomalies.csv",
            "costrank-2026-10.md", "costrank-2026-10.html"]))

    # ---- (a) the workbook ------------------------------------------------

    def test_xlsx_parts(self):
        with zipfile.ZipFile(self.path("costrank-2026-10.xlsx")) as z:
            self.assertIsNone(z.testzip())
            names = z.namelist()
        for part in ("xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/drawings/drawing1.xml",
                     "xl/worksheets/sheet4.xml", "docProps/core.xml"):
            self.assertIn(part, names)

    def test_xlsx(self):
        require(openpyxl is not None, "openpyxl", "python3-openpyxl")
        wb = openpyxl.load_workbook(self.path("costrank-2026-10.xlsx"))
        self.assertEqual(wb.sheetnames, SHEETS)
        self.assertEqual(wb.properties.title, "costrank report 2026-10")
        self.assertEqual(wb.properties.subject, "2026-10")
        self.assertEqual(wb.properties.creator, "costrank")
        total = Decimal(self.report["total"])

        # Services: every listed service, money as numbers, a SUM total row
        ws = wb["Services"]
        self.assertEqual(ws.freeze_panes, "A2")
        self.assertTrue(ws.auto_filter.ref)
        head = [c.value for c in ws[1]]
        self.assertEqual(head[:6], ["Account id", "Account name", "Environment", "Rank",
                                    "Service", "Cost"])
        n_services = sum(len(a["services"]) for a in self.report["accounts"])
        rows = list(ws.iter_rows(min_row=2, max_row=1 + n_services))
        cost_sum = 0.0
        for row in rows:
            account_id, cost = row[0], row[5]
            self.assertIsInstance(account_id.value, str)
            self.assertRegex(account_id.value, r"^\d{12}$")
            self.assertIsInstance(cost.value, (int, float), cost.coordinate)
            self.assertNotIsInstance(cost.value, bool)
            self.assertIn("$", cost.number_format)
            self.assertIn("0.00", cost.number_format)
            cost_sum += cost.value
            share = row[9]
            self.assertIsInstance(share.value, (int, float))
            self.assertIn("%", share.number_format)
        self.assertAlmostEqual(cost_sum, float(total), places=6)
        self.assertIn("048213306571", [r[0].value for r in rows])
        total_row = ws[2 + n_services]
        self.assertEqual(total_row[4].value, "Total")
        self.assertEqual(total_row[5].value, f"=SUM(F2:F{1 + n_services})")
        self.assertIn("$", total_row[5].number_format)
        self.assertTrue(str(total_row[6].value).startswith("=SUM("))

        # Usage types: quantities and units, a SUM total
        ws = wb["Usage types"]
        self.assertEqual(ws.freeze_panes, "A2")
        self.assertTrue(ws.auto_filter.ref)
        last = ws.max_row
        self.assertEqual(ws.cell(last, 7).value, "Total")
        self.assertEqual(ws.cell(last, 8).value, f"=SUM(H2:H{last - 1})")
        qty = [ws.cell(r, 9).value for r in range(2, last)]
        self.assertTrue(any(isinstance(q, (int, float)) and q > 0 for q in qty))
        self.assertAlmostEqual(sum(ws.cell(r, 8).value for r in range(2, last)), float(total),
                               places=6)

        # Savings proposals: every one, a SUM of the savings, then how they are ordered
        ws = wb["Savings proposals"]
        props = self.report["proposals"]
        n = len(props)
        self.assertGreater(n, 0)
        self.assertEqual(ws.max_row, n + 3)
        col = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
        self.assertEqual((col["Rule"], col["Title"], col["Monthly saving"], col["Annual saving"],
                          col["Priority"], col["Counted"]), (2, 3, 11, 12, 15, 20))
        # the total counts the measured and priced rows only (Counted = 1), as the headline
        self.assertEqual(ws.cell(n + 2, 11).value, f"=SUMIF(T2:T{n + 1},1,K2:K{n + 1})")
        self.assertEqual(ws.cell(n + 2, 12).value, f"=SUMIF(T2:T{n + 1},1,L2:L{n + 1})")
        self.assertEqual([ws.cell(r, 20).value for r in range(2, n + 2)],
                         [1 if p["counted"] else 0 for p in props])
        saved = sum(ws.cell(r, 11).value for r in range(2, n + 2) if ws.cell(r, 20).value == 1)
        self.assertAlmostEqual(saved, float(Decimal(self.report["savings_total"])), places=6)
        self.assertIsInstance(ws.cell(2, col["Account id"]).value, str)
        # every row's rule, title and priority, as the JSON has them
        self.assertEqual([(ws.cell(r, 2).value, ws.cell(r, 3).value) for r in range(2, n + 2)],
                         [(p["rule"], p["title"]) for p in props])
        self.assertEqual([round(ws.cell(r, 15).value, 2) for r in range(2, n + 2)],
                         [p["priority"] for p in props])
        self.assertTrue(ws.cell(n + 3, 1).value.startswith(ORDER), ws.cell(n + 3, 1).value)
        # the Summary's savings figure is the sheet's total
        summary = wb["Summary"]
        refs = [c.value for row in summary.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("='Savings proposals'!")]
        self.assertEqual(refs, [f"='Savings proposals'!K{n + 2}"])

        # Summary: the reconciliation sums to the grand total, accounts as text
        ws = wb["Summary"]
        labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
        r = labels["Grand total (billed)"]
        first = labels["Ranked"]
        self.assertEqual(ws.cell(r, 2).value, f"=SUM(B{first}:B{r - 1})")
        parts = [ws.cell(i, 2).value for i in range(first, r)]
        self.assertTrue(all(isinstance(p, (int, float)) for p in parts))
        self.assertAlmostEqual(sum(parts), float(Decimal(self.report["reconciliation"]
                                                         ["grand_total"])), places=6)
        self.assertTrue(str(ws.cell(labels["Total (ranked)"], 2).value).startswith("="))
        r = labels["Paid API requests"]
        self.assertEqual(ws.cell(r, 2).value, 0)
        self.assertIn("billing files", ws.cell(r, 3).value)
        r = labels["Data through"]
        self.assertEqual(ws.cell(r, 2).value.date().isoformat(),
                         self.report["source"].get("data_through") or "2026-10-31")
        ids = [ws.cell(i, 2).value for i in range(1, ws.max_row + 1)]
        for account in self.accounts:
            self.assertIn(account["id"], ids)
        self.assertTrue(str(ws.cell(labels["Total"], 4).value).startswith("=SUM("))

        # the charts are on the Summary sheet
        charts = getattr(ws, "_charts", None)
        if charts is not None:
            self.assertEqual(len(charts), 2)

    # ---- (b) the Markdown ------------------------------------------------

    def test_markdown(self):
        with open(self.path("costrank-2026-10.md"), encoding="utf-8") as f:
            text = f.read()
        self.assertLessEqual(len(text), LIMIT)
        self.assertLessEqual(len(text.encode("utf-8")), LIMIT)
        self.assertTrue(text.startswith("## costrank report \u2014 2026-10\n"))
        self.assertIn("**Total " + money(self.report["total"]).replace("$", "\\$") + "**", text)
        self.assertIn(money(self.report["reconciliation"]["grand_total"]).replace("$", "\\$"),
                      text)
        for account in self.accounts:
            self.assertIn(account["name"], text)
        self.assertIn("### Savings proposals", text)
        self.assertNotIn("omitted", text)
        # the top proposals by title, rule and priority, and how they are ordered, once
        section = text[text.index("### Savings proposals"):]
        section = section[:section.index("\n### ", 1)]
        for p in self.report["proposals"][:10]:
            row = next(x for x in section.splitlines() if x.startswith(f"| {p['rank']} | "))
            self.assertIn(p["title"].replace("*", "\\*"), row)
            self.assertIn(f"`{p['rule']}`", row)
            self.assertIn(f" | {priority(p['priority'])} | ", row)
        self.assertEqual(section.count(ORDER), 1)

    # ---- (c) the HTML in a browser ----------------------------------------

    def chromium(self, *args):
        """Runs headless Chromium on the report; returns (seconds, stdout, stderr)."""
        require(os.access(CHROMIUM, os.X_OK), "Chromium", "chromium")
        home = tempfile.mkdtemp(prefix="chromium-", dir=self.tmp.name)
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home, XDG_CACHE_HOME=home)
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--no-first-run",
               "--disable-component-update", "--disable-sync",
               "--user-data-dir=" + os.path.join(home, "profile"), *args,
               "file://" + self.path("costrank-2026-10.html")]
        start = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise AssertionError("Chromium did not finish within 180 s")
        finally:
            shutil.rmtree(os.path.join(home, "profile"), ignore_errors=True)
        seconds = time.monotonic() - start
        self.assertEqual(p.returncode, 0, err.decode("utf-8", "replace")[-2000:])
        return seconds, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    def test_html_screenshot(self):
        shot = os.path.join(self.tmp.name, "report.png")
        seconds, _, err = self.chromium("--screenshot=" + shot, "--window-size=1280,2000",
                                        "--enable-logging=stderr", "--v=0")
        print(f"\nChromium screenshot: {seconds:.1f} s", file=sys.stderr)
        with open(shot, "rb") as f:
            png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual((int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")),
                         (1280, 2000))
        # a blank page compresses to a few kilobytes; text and charts do not
        self.assertGreater(len(png), 60000)
        # no console messages about the page: script errors, failed loads
        problems = [line for line in err.splitlines()
                    if "Uncaught" in line or "CONSOLE" in line
                    or ("costrank-2026-10.html" in line and "ERROR" in line)
                    or "net::ERR_" in line]
        self.assertEqual(problems, [])

    def test_html_dom(self):
        _, dom, _ = self.chromium("--dump-dom")
        self.assertIn('<html lang="en">', dom)
        m = re.search(r'<dd id="total" data-amount="([^"]*)">([^<]*)<', dom)
        self.assertIsNotNone(m, "no element with id=total")
        self.assertEqual(Decimal(m.group(1)), Decimal(self.report["total"]))
        self.assertEqual(m.group(2), money(self.report["total"]))
        self.assertIn(money(self.report["reconciliation"]["grand_total"]), dom)
        for account in self.accounts:
            self.assertIn(account["name"], dom)
            self.assertIn(account["id"], dom)
        self.assertEqual(dom.count('<svg role="img"'), 4)
        self.assertNotIn("<script", dom)


# ---- proposals readable in every human format ----------------------------

class ReadableProposals(unittest.TestCase):
    """Every human format shows a proposal's title and priority, and says once
    how the proposals are ordered; the JSON is the reference."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="costrank-e2e-")
        code, _, err = run(["report", "--format", "json,html", "--out", cls.tmp.name, "-q",
                            "--accounts", os.path.join(SAMPLES, "accounts.json"),
                            os.path.join(SAMPLES, "cur2")])
        if code != 0:
            raise AssertionError(f"costrank failed ({code}): {err}")
        with open(os.path.join(cls.tmp.name, "costrank-2026-10.json"), encoding="utf-8") as f:
            cls.proposals = json.load(f)["proposals"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_html(self):
        import html
        with open(os.path.join(self.tmp.name, "costrank-2026-10.html"), encoding="utf-8") as f:
            page = f.read()
        section = page[page.index('<section aria-labelledby="h-proposals">'):]
        section = section[:section.index("</section>")]
        rows = re.findall(r'<tr class="main">(.*?)</tr>', section)
        self.assertEqual(len(rows), len(self.proposals))
        for p, row in zip(self.proposals, rows):
            cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
            self.assertEqual(cells[0], str(p["rank"]))
            self.assertTrue(cells[1].startswith(html.escape(p["title"]) + "<br><small>"), row)
            self.assertIn(f"<code>{html.escape(p['rule'])}</code>", cells[1])
            self.assertEqual(cells[-1], priority(p["priority"]))
        self.assertEqual(section.count(ORDER), 1)
        self.assertIn('<th scope="col" class="num">Priority</th>', section)

    def test_table(self):
        code, out, err = run(["report", "--format", "table", "--accounts",
                              os.path.join(SAMPLES, "accounts.json"),
                              os.path.join(SAMPLES, "cur2")], env={"COLUMNS": "200"})
        self.assertEqual(code, 0, err)
        section = out[out.index("Savings proposals"):]
        for p in self.proposals[:10]:
            self.assertIn(f"{p['title']} \u00b7 priority {priority(p['priority'])}\n", section)
        self.assertEqual(" ".join(section.split()).count(ORDER), 1)

    def test_folded_rows(self):
        # a folded row of several rules reads as what it is, in the workbook's
        # evidence and the HTML's how-line alike
        folded = [p for p in self.proposals if p["folded"] and p["rule"] == p["action"]]
        self.assertTrue(folded)
        with open(os.path.join(self.tmp.name, "costrank-2026-10.html"), encoding="utf-8") as f:
            page = f.read()
        for p in folded:
            self.assertIn("several rules", p["title"])
            self.assertIn(p["evidence"], page)


# ---- (d) the services CSV ------------------------------------------------

class ServicesCsv(unittest.TestCase):
    def test_columns_and_total(self):
        with tempfile.TemporaryDirectory(prefix="costrank-e2e-") as d:
            code, _, err = run(["report", "--format", "csv,json", "--out", d, "-q", "--csv-bom",
                                "--accounts", os.path.join(SAMPLES, "accounts.json"),
                                os.path.join(SAMPLES, "cur2")])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.json"), encoding="utf-8") as f:
                report = json.load(f)
            with open(os.path.join(d, "costrank-2026-10-services.csv"), "rb") as f:
                raw = f.read()
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        self.assertEqual(raw.count(b"\n"), raw.count(b"\r\n"))
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        self.assertEqual(rows[0], SERVICE_COLUMNS)
        data = [dict(zip(rows[0], r)) for r in rows[1:]]
        self.assertEqual(len(data), sum(len(a["services"]) for a in report["accounts"]))
        total = sum(Decimal(r["cost"]) for r in data)
        # each row is rounded to the cent
        self.assertLessEqual(abs(total - Decimal(report["total"])),
                             Decimal("0.005") * len(data))
        for r in data:
            self.assertRegex(r["cost"], r"^-?\d+\.\d\d$")
            self.assertEqual((r["period_start"], r["period_end"]), ("2026-10-01", "2026-10-31"))
        self.assertIn("048213306571", {r["account_id"] for r in data})
        others = [r for r in data if r["service"] == "Other services"]
        self.assertTrue(others)
        self.assertTrue(all(r["service_rank"] == "" for r in others))


if __name__ == "__main__":
    unittest.main(verbosity=2)
