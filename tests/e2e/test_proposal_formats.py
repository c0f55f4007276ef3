"""Savings proposals in every output format: the same figures, ranks and
totals as the JSON report, and the per-line properties (no line saves more
than it costs, Spot and a commitment never claim the same hours) on the
proposals as each format shows them, under both metrics, with and without
folding small proposals (README "Savings proposals", "Outputs").  Each
format is read by its column headers, not by the columns' places; each shows
the JSON's title and, rounded as it shows amounts, its priority."""
import csv
import math
import os
import re
import sys
import unittest
from collections import defaultdict
from decimal import Decimal, ROUND_HALF_UP
from html.parser import HTMLParser
from itertools import takewhile

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402

try:
    import openpyxl
except ImportError:  # pragma: no cover - the Debian package python3-openpyxl
    openpyxl = None

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")
METRICS = ("unblended", "amortized")
FOLDING = (("every line", ["--min-saving", "0"]), ("folded", []))
CONFIDENCE_MARK = {"M": "measured", "P": "priced", "E": "estimate"}
# the commitment-floor formula: "lowest daily on-demand spend 96.00 USD x 31 days x 30% = ..."
FLOOR_RE = re.compile(r"lowest daily on-demand spend ([0-9,.]+) USD x (\d+) days")
# the organisation's plan: "...; 744 h: 22,522.03 USD - 744 x c = ..."
COVERED_RE = re.compile(r"; \d+ h: ([0-9,.]+) USD - ")


def cents(x):
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


def same_double(cell, exact):
    """A workbook number against an exact amount: the nearest double, to the 16
    significant digits the workbook's number text carries."""
    return isinstance(cell, (int, float)) and math.isclose(cell, float(Decimal(exact)),
                                                           rel_tol=1e-15, abs_tol=1e-12)


def shown_priority(p):
    """The JSON priority (2 decimals) as the human formats of a USD report
    show it: to the cent."""
    return Decimal(repr(p["priority"])).quantize(CENT, rounding=ROUND_HALF_UP)


def workbook_priority_ok(cell, p):
    """The workbook keeps the priority unrounded and shows it to 2 decimals:
    it must round to the JSON's (a value on a half-cent tie, which the 16
    significant digits of the file may put on either side, may round either
    way)."""
    return isinstance(cell, (int, float)) and \
        abs(Decimal(repr(cell)) - shown_priority(p)) <= HALF_CENT + Decimal("1e-9")


def money(text):
    """A human-format amount ("$1,234.50", "\\$6,137.27", "-$750.00", "1,234.50") as a Decimal."""
    t = text.replace("\\", "").replace("$", "").replace(",", "").replace("USD", "").strip()
    return Decimal(t)


def report(outdir, metric, extra, fmts="table,json,csv,xlsx,md,html"):
    code, out, err = run(["report", "--format", fmts, "--out", outdir, "--month", "2026-10",
                          "--metric", metric, "--accounts", os.path.join(SAMPLES, "accounts.json"),
                          *extra, os.path.join(SAMPLES, "cur2")],
                         env={"COLUMNS": "1000"})
    if code != 0:
        raise AssertionError(f"costrank exited {code}: {err}")
    return out


def json_report(outdir):
    import json
    with open(os.path.join(outdir, "costrank-2026-10.json"), encoding="utf-8") as f:
        return json.load(f)


# ---- the formats, read back -------------------------------------------------

def read_csv(outdir):
    with open(os.path.join(outdir, "costrank-2026-10-proposals.csv"), encoding="utf-8",
              newline="") as f:
        return list(csv.DictReader(f))


def read_xlsx(outdir):
    path = os.path.join(outdir, "costrank-2026-10.xlsx")
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    return formulas, values


def by_header(head, cells, where):
    """A row's cells by their column's header; as many cells as headers."""
    if len(set(head)) != len(head):
        raise AssertionError(f"{where}: a header named twice: {head}")
    if len(cells) != len(head):
        raise AssertionError(f"{where}: {len(cells)} cells under {len(head)} headers: {cells}")
    return dict(zip(head, cells))


def sheet_rows(ws):
    """A worksheet's rows below its header, each by the header's names."""
    head = [c.value for c in ws[1]]
    return [by_header(head, [c.value for c in row], ws.title) for row in ws.iter_rows(min_row=2)]


def column_formats(ws, name, n):
    """The number formats of a sheet's column, by its header, on rows 2..n+1."""
    col = [c.value for c in ws[1]].index(name) + 1
    return [ws.cell(r, col).number_format for r in range(2, n + 2)]


def without_currency(fmt):
    """An amount's number format without its currency: "#,##0.00", "#,##0"."""
    m = re.search(r"#,##0(?:\.0+)?", fmt)
    if not m:
        raise AssertionError(f"not an amount's format: {fmt}")
    return m.group(0)


def split_action(cell, sep=" · "):
    """An Action cell that reads "title · action, confidence · rule" (Markdown)
    or the HTML's small line "action, confidence · rule": the pieces, the
    title (which may itself hold the separator) first."""
    *title, action, rule = cell.split(sep)
    return sep.join(title), action, rule


def md_cells(line):
    """The cells of a Markdown table row, split on unescaped pipes and unescaped."""
    cells, cur, i = [], "", 0
    body = line.strip()[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            cur += body[i + 1]
            i += 2
            continue
        if ch == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    cells.append(cur.strip())
    return [c.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for c in cells]


def read_md(outdir):
    """The headline paragraph of the proposals section and its table's rows,
    each by the header's names."""
    with open(os.path.join(outdir, "costrank-2026-10.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("### Savings proposals"):]
    section = section[:section.index("\n### ", 5)] if "\n### " in section[5:] else section
    head = section.split("\n\n")[1]
    lines = section.splitlines()
    # the header row is the one above the alignment row
    sep = next(i for i, ln in enumerate(lines) if re.match(r"^\|[-:|]+\|$", ln))
    names = md_cells(lines[sep - 1])
    rows = [by_header(names, md_cells(ln), "Markdown")
            for ln in takewhile(lambda ln: ln.startswith("|"), lines[sep + 1:])]
    return head, rows


class ProposalsHTML(HTMLParser):
    """The proposals table of the HTML page: per main row its cells, each a
    list of the text pieces between <br>; the column headers; the footer
    total; the headline."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.total, self.headline = [], None, None
        self.head, self.in_head = [], False
        self.in_table = self.in_row = self.in_cell = False
        self.in_total = False
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "dd" and a.get("id") == "savings-total":
            self.headline = a.get("data-amount")
        if tag == "table" and a.get("class") == "proposals":
            self.in_table = True
        if not self.in_table:
            return
        if tag == "thead":
            self.in_head = True
        elif tag == "th" and self.in_head:
            self.head.append("")
        elif tag == "tr" and a.get("class") == "main":
            self.in_row = True
            self.rows.append([])
        elif tag in ("td", "th") and self.in_row:
            self.cell = [""]
            self.rows[-1].append(self.cell)
        elif tag == "br" and self.cell is not None:
            self.cell.append("")
        elif tag == "td" and a.get("id") == "proposals-total":
            self.in_total = True
            self.total = ""

    def handle_endtag(self, tag):
        if tag == "table" and self.in_table:
            self.in_table = False
        if tag == "thead":
            self.in_head = False
        if tag == "tr":
            self.in_row = False
            self.cell = None
        if tag == "td":
            self.in_total = False

    def handle_data(self, data):
        if self.in_total:
            self.total += data
        elif self.in_head and self.head:
            self.head[-1] += data
        elif self.cell is not None:
            self.cell[-1] += data


def read_html(outdir):
    """The HTML's proposals; rows by the header's names."""
    p = ProposalsHTML()
    with open(os.path.join(outdir, "costrank-2026-10.html"), encoding="utf-8") as f:
        p.feed(f.read())
    p.rows = [by_header(p.head, row, "HTML") for row in p.rows]
    return p


TABLE_TITLE_RE = re.compile(r"^(.*) · priority (\S+)$")


def read_table(stdout):
    """The proposals of the terminal table, per row a dict: rank, saving, mark,
    action, effort/risk, account, "usage type (service)" sliced at the header's
    column starts, then the title and priority of the line under the row and
    the formula under that; and the headline line."""
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Savings proposals:"))
    head = lines[start + 1]
    names = ("Saving/mo", "C", "Action", "Effort/risk", "Account", "Usage type (service)")
    cols = [head.index(t + " ") if t == "C" else head.index(t) for t in names]
    rows = []
    for i in range(start + 2, len(lines)):
        ln = lines[i]
        if not ln.startswith(" ") or ln.lstrip().startswith("Confidence:"):
            break
        m = re.match(r"^\s*(\d+)\s", ln)
        if not m or len(ln) <= cols[-1]:
            continue
        row = {"#": int(m.group(1)), "Saving/mo": ln[:cols[1]].strip().split()[-1]}
        for k, name in enumerate(names[1:], 1):
            row[name] = ln[cols[k]:cols[k + 1] if k + 1 < len(cols) else None].strip()
        t = TABLE_TITLE_RE.match(lines[i + 1].strip()) if i + 1 < len(lines) else None
        row["title"], row["priority"] = t.groups() if t else (None, None)
        row["formula"] = lines[i + 2].strip() if i + 2 < len(lines) else ""
        rows.append(row)
    return lines[start], rows


# ---- the properties of the proposals of one line ----------------------------

class LineChecks:
    """Per-line properties over proposals as one format shows them:
    (action, confidence, monthly_cost or None, saving, formula or None)."""

    def check_lines(self, fmt, by_line, line_cost, tol):
        for key, props in by_line.items():
            with self.subTest(fmt=fmt, line=key):
                saved = sum(p[3] for p in props)
                self.assertGreaterEqual(min(p[3] for p in props), 0)
                for p in props:
                    if p[2] is not None:
                        self.assertLessEqual(p[3], p[2] + tol, (fmt, key, p))
                if key in line_cost:
                    # every step takes at most what the earlier ones leave
                    self.assertLessEqual(saved, line_cost[key] + tol * len(props), (fmt, key))
                spot = [p for p in props if p[0] == "spot"]
                commit = [p for p in props if p[0] == "commitment"]
                self.assertLessEqual(len(spot), 1, key)
                self.assertLessEqual(len(commit), 1, key)
                if spot and commit:
                    s, c = spot[0], commit[0]
                    # never the same hours twice: both fit in the line's on-demand spend
                    if c[2] is not None:
                        self.assertLessEqual(s[3] + c[3], c[2] + 2 * tol, (fmt, key))
                    if c[4] and s[2] is not None:
                        m = FLOOR_RE.search(c[4])
                        self.assertIsNotNone(m, c[4])
                        floor = Decimal(m.group(1).replace(",", "")) * int(m.group(2))
                        # Spot only on the hours above the floor the commitment covers
                        self.assertLessEqual(s[2] + floor, c[2] + tol * int(m.group(2)) + tol,
                                             (fmt, key))
        return len(by_line)

    def check_plan_and_spot(self, fmt, props):
        """The organisation's Savings Plan covers part of the eligible on-demand
        spend; Spot may claim only what the plan leaves: the Spot bases and the
        plan's covered spend fit together in the eligible spend."""
        plans = [p for p in props if p["rule"] == "org-savings-plan"]
        if not plans:
            return False
        plan = plans[0]
        m = COVERED_RE.search(plan["formula"])
        self.assertIsNotNone(m, plan["formula"])
        covered = Decimal(m.group(1).replace(",", ""))
        spot_rows = [p["cost"] for p in props if p["action"] == "spot"]
        spot = sum(spot_rows)
        self.assertLessEqual(spot + covered, plan["cost"] + CENT * (1 + len(spot_rows)),
                             f"{fmt}: Spot bases {spot} and the plan's covered {covered} "
                             f"overlap in the eligible on-demand spend {plan['cost']}")
        return True


@unittest.skipIf(openpyxl is None, "openpyxl (python3-openpyxl) is not installed")
class SameProposalsEveryFormat(unittest.TestCase, LineChecks):
    @classmethod
    def setUpClass(cls):
        cls.runs = {}
        for metric in METRICS:
            with tempdir() as d:
                report(d, metric, ["--top", "1000", "--top-usage", "1000", "--min-saving", "0"],
                       fmts="json")
                full = json_report(d)
            line_cost = {(a["id"], s["name"], u["usage_type"]): Decimal(u["cost"])
                         for a in full["accounts"] for s in a["services"]
                         for u in s["usage_types"] if not u.get("other")}
            for label, extra in FOLDING:
                with tempdir() as d:
                    stdout = report(d, metric, extra)
                    cls.runs[(metric, label)] = {
                        "json": json_report(d), "csv": read_csv(d), "xlsx": read_xlsx(d),
                        "md": read_md(d), "html": read_html(d), "table": read_table(stdout),
                        "line_cost": line_cost}

    def each_run(self):
        """The runs, each in a subtest of its own."""
        for (metric, label), r in self.runs.items():
            yield self.subTest(metric=metric, proposals=label), r

    def test_runs_differ_where_they_should(self):
        # the folded run has fewer rows with the same totals; the metrics differ
        for metric in METRICS:
            every = self.runs[(metric, "every line")]["json"]
            folded = self.runs[(metric, "folded")]["json"]
            self.assertLess(len(folded["proposals"]), len(every["proposals"]))
            self.assertEqual(folded["savings_total"], every["savings_total"])
            self.assertEqual(Decimal(folded["savings_to_investigate"]),
                             Decimal(every["savings_to_investigate"]))
            self.assertTrue(any(p["evidence"].startswith("folded under --min-saving")
                                for p in folded["proposals"]))
        self.assertNotEqual(self.runs[("unblended", "every line")]["json"]["total"],
                            self.runs[("amortized", "every line")]["json"]["total"])

    def test_json_totals(self):
        for sub, r in self.each_run():
            with sub:
                props = r["json"]["proposals"]
                self.assertEqual([p["rank"] for p in props], list(range(1, len(props) + 1)))
                for p in props:
                    self.assertIn(p["confidence"], ("measured", "priced", "estimate"))
                    self.assertEqual(p["counted"], p["confidence"] != "estimate")
                self.assertEqual(Decimal(r["json"]["savings_total"]),
                                 sum(Decimal(p["estimated_monthly_savings"]) for p in props
                                     if p["counted"]))
                self.assertEqual(Decimal(r["json"]["savings_to_investigate"]),
                                 sum(Decimal(p["estimated_monthly_savings"]) for p in props
                                     if not p["counted"]))

    def test_csv(self):
        for sub, r in self.each_run():
            with sub:
                props, rows = r["json"]["proposals"], r["csv"]
                self.assertEqual(len(rows), len(props))
                for p, row in zip(props, rows):
                    self.assertEqual(int(row["rank"]), p["rank"])
                    for f in ("rule", "action", "account_id", "service", "usage_type", "confidence",
                              "title"):
                        self.assertEqual(row[f], p[f], (p["rank"], f))
                    self.assertEqual(row["counted"], "true" if p["counted"] else "false")
                    for f in ("monthly_cost", "estimated_monthly_savings", "estimated_annual_savings"):
                        self.assertEqual(Decimal(row[f]), cents(p[f]), (p["rank"], f))
                    self.assertEqual(Decimal(row["priority"]), shown_priority(p), p["rank"])
                # rounded to the cent per row: the counted rows add up to the headline
                counted = [Decimal(x["estimated_monthly_savings"]) for x in rows
                           if x["counted"] == "true"]
                other = [Decimal(x["estimated_monthly_savings"]) for x in rows
                         if x["counted"] == "false"]
                self.assertLessEqual(abs(sum(counted) - Decimal(r["json"]["savings_total"])),
                                     HALF_CENT * len(counted))
                self.assertLessEqual(abs(sum(other) - Decimal(r["json"]["savings_to_investigate"])),
                                     HALF_CENT * len(other))

    def test_xlsx(self):
        for sub, r in self.each_run():
            with sub:
                props = r["json"]["proposals"]
                wbf, wbv = r["xlsx"]
                ws, wv = wbf["Savings proposals"], wbv["Savings proposals"]
                head = [c.value for c in ws[1]]
                rows = sheet_rows(ws)
                # the proposals, the total row, and how the rows are ordered under it
                self.assertEqual(len(rows), len(props) + 2)
                total, order = rows[len(props)], rows[len(props) + 1]
                self.assertEqual(total["Usage type"], "Total measured and priced (de-duplicated)")
                self.assertTrue(str(order["Rank"]).startswith("Order: "), order["Rank"])
                self.assertEqual([k for k, v in order.items() if v is not None], ["Rank"])
                for p, row in zip(props, rows):
                    self.assertEqual(row["Rank"], p["rank"])
                    self.assertEqual(row["Rule"], p["rule"])
                    self.assertEqual(row["Title"], p["title"])
                    self.assertEqual(row["Action"], f"{p['action']}, {p['confidence']}")
                    self.assertEqual(row["Account id"] or "", p["account_id"])
                    self.assertEqual(row["Service"] or "", p["service"])
                    self.assertEqual(row["Usage type"] or "", p["usage_type"])
                    self.assertEqual(row["Counted"], 1 if p["counted"] else 0)
                    # numbers: the double nearest the exact amount, as libxlsxwriter
                    # writes it (16 significant digits)
                    self.assertTrue(same_double(row["Monthly saving"],
                                                p["estimated_monthly_savings"]), p["rank"])
                    self.assertTrue(same_double(row["Monthly cost"], p["monthly_cost"]))
                    self.assertTrue(workbook_priority_ok(row["Priority"], p),
                                    (p["rank"], row["Priority"], p["priority"]))
                # the priority shown to the amounts' places, with their separators
                places = {without_currency(f)
                          for f in column_formats(ws, "Monthly saving", len(props))}
                self.assertEqual(places, {"#,##0.00"})
                self.assertEqual(set(column_formats(ws, "Priority", len(props))), places)
                total_row = len(props) + 2
                letter = {name: openpyxl.utils.get_column_letter(i + 1)
                          for i, name in enumerate(head)}
                s, j, y = letter["Counted"], letter["Monthly saving"], letter["Annual saving"]
                for c in (j, y):
                    self.assertEqual(ws[f"{c}{total_row}"].value,
                                     f"=SUMIF({s}2:{s}{total_row - 1},1,{c}2:{c}{total_row - 1})")
                # the stored value, and the SUMIF recomputed from the cells
                cached = wv[f"{j}{total_row}"].value
                self.assertTrue(same_double(cached, r["json"]["savings_total"]), cached)
                recomputed = sum(Decimal(repr(x["Monthly saving"])) for x in rows[:len(props)]
                                 if x["Counted"] == 1)
                self.assertLessEqual(abs(recomputed - Decimal(r["json"]["savings_total"])),
                                     Decimal("1e-6"))
                summary = wbf["Summary"]
                refs = [row[1].value for row in summary.iter_rows()
                        if row[0].value == "Savings proposed a month"]
                self.assertEqual(refs, [f"='Savings proposals'!{j}{total_row}"])

    def names(self, r):
        return {a["id"]: a["name"] or a["id"] for a in r["json"]["accounts"]}

    def label(self, r, p):
        return self.names(r).get(p["account_id"], p["account_id"]) if p["account_id"] else ""

    def test_markdown(self):
        for sub, r in self.each_run():
            with sub:
                props = r["json"]["proposals"]
                head, rows = r["md"]
                self.assertEqual(len(rows), min(10, len(props)))
                self.assertIn(f"from {len(props)} proposals", head)
                total = money(re.search(r"\*\*(.+?) a month\*\*", head).group(1))
                self.assertEqual(total, cents(r["json"]["savings_total"]))
                for p, row in zip(props, rows):
                    self.assertEqual(int(row["#"]), p["rank"])
                    # title · action, confidence · `rule`
                    self.assertEqual(split_action(row["Action"]),
                                     (p["title"], f"{p['action']}, {p['confidence']}",
                                      f"`{p['rule']}`"))
                    self.assertEqual(row["Account"], self.label(r, p))
                    svc = row["Service · usage type"]
                    self.assertTrue(svc.startswith(f"{p['service']} · {p['usage_type']}"),
                                    (svc, p["usage_type"]))
                    self.assertEqual(money(row["Saving/mo"]),
                                     cents(p["estimated_monthly_savings"]))
                    self.assertEqual(money(row["Priority"]), shown_priority(p), p["rank"])
                    self.assertEqual(row["Effort / risk"], f"{p['effort']} / {p['risk']}")

    def test_html(self):
        for sub, r in self.each_run():
            with sub:
                props, h = r["json"]["proposals"], r["html"]
                self.assertEqual(len(h.rows), len(props))
                self.assertEqual(Decimal(h.headline), Decimal(r["json"]["savings_total"]))
                self.assertEqual(money(h.total), cents(r["json"]["savings_total"]))
                for p, row in zip(props, h.rows):
                    self.assertEqual(int(row["#"][0]), p["rank"])
                    # the title, then "action, confidence · rule" in small type
                    title, small = row["Action"]
                    self.assertEqual(title, p["title"])
                    self.assertEqual(split_action(small),
                                     ("", f"{p['action']}, {p['confidence']}", p["rule"]))
                    self.assertEqual(row["Account"][0], self.label(r, p))
                    self.assertEqual(row["Service / usage type"], [p["service"], p["usage_type"]])
                    self.assertEqual(money(row["Monthly cost"][0]), cents(p["monthly_cost"]))
                    self.assertEqual(money(row["Saving / month"][0]),
                                     cents(p["estimated_monthly_savings"]))
                    self.assertEqual(money(row["Saving / year"][0]),
                                     cents(p["estimated_annual_savings"]))
                    self.assertEqual(money(row["Priority"][0]), shown_priority(p), p["rank"])
                    self.assertEqual(row["Effort / risk"], [f"{p['effort']} / {p['risk']}"])

    def test_table(self):
        for sub, r in self.each_run():
            with sub:
                props = r["json"]["proposals"]
                headline, rows = r["table"]
                self.assertEqual(len(rows), min(10, len(props)))
                m = re.match(r"Savings proposals: (\d+), (\S+) a month", headline)
                self.assertIsNotNone(m, headline)
                self.assertEqual(int(m.group(1)), len(props))
                self.assertEqual(money(m.group(2)), cents(r["json"]["savings_total"]))
                for p, row in zip(props, rows):
                    self.assertEqual(row["#"], p["rank"])
                    self.assertEqual(money(row["Saving/mo"]), cents(p["estimated_monthly_savings"]))
                    self.assertEqual(CONFIDENCE_MARK[row["C"]], p["confidence"])
                    self.assertEqual(row["Action"], p["action"])
                    self.assertEqual(row["Effort/risk"], f"{p['effort']}/{p['risk']}")
                    self.assertEqual(row["Account"], self.label(r, p))
                    self.assertEqual(row["Usage type (service)"],
                                     f"{p['usage_type']} ({p['service']})")
                    # under the row: "title · priority N", then the formula
                    self.assertEqual(row["title"], p["title"])
                    self.assertIsNotNone(row["priority"], p["rank"])
                    self.assertEqual(money(row["priority"]), shown_priority(p), p["rank"])
                    self.assertTrue(row["formula"] and p["formula"].startswith(row["formula"]),
                                    (row["formula"], p["formula"]))

        # ---- the per-line properties on every format's own figures ----

    def lines_from(self, r, fmt):
        """(account id, service, usage type) -> [(action, confidence, monthly cost,
        saving, formula)] as the format shows them; folded rows are no line."""
        by_line = defaultdict(list)
        ids = {v: k for k, v in self.names(r).items()}
        if fmt == "json":
            src = [(p["account_id"], p["service"], p["usage_type"], p["action"], p["confidence"],
                    Decimal(p["monthly_cost"]), Decimal(p["estimated_monthly_savings"]),
                    p["formula"]) for p in r["json"]["proposals"]]
        elif fmt == "csv":
            src = [(x["account_id"], x["service"], x["usage_type"], x["action"],
                    x["confidence"], Decimal(x["monthly_cost"]),
                    Decimal(x["estimated_monthly_savings"]), x["formula"]) for x in r["csv"]]
        elif fmt == "xlsx":
            # the proposals, without the total row and the order under it
            rows = sheet_rows(r["xlsx"][0]["Savings proposals"])[:len(r["json"]["proposals"])]
            src = [(x["Account id"] or "", x["Service"] or "", x["Usage type"] or "",
                    *x["Action"].split(", "), Decimal(repr(x["Monthly cost"])),
                    Decimal(repr(x["Monthly saving"])), x["Formula"]) for x in rows]
        elif fmt == "html":
            src = []
            for x in r["html"].rows:
                acct = x["Account"][0]
                svc, ut = x["Service / usage type"]
                action = split_action(x["Action"][1])[1]
                src.append((ids.get(acct, acct), svc, ut, *action.split(", "),
                            money(x["Monthly cost"][0]), money(x["Saving / month"][0]), None))
        elif fmt == "md":
            src = []
            for x in r["md"][1]:
                svc, ut = x["Service · usage type"].split(" · ", 1)
                ut = re.sub(r" \([^()]*\)$", "", ut)
                action = split_action(x["Action"])[1]
                src.append((ids.get(x["Account"], x["Account"]), svc, ut, *action.split(", "),
                            None, money(x["Saving/mo"]), None))
        else:  # table
            src = []
            for x in r["table"][1]:
                ut, svc = re.match(r"^(.*) \((.*)\)$", x["Usage type (service)"]).groups()
                src.append((ids.get(x["Account"], x["Account"]), svc, ut, x["Action"],
                            CONFIDENCE_MARK[x["C"]], None, money(x["Saving/mo"]), x["formula"]))
        for acct, svc, ut, action, conf, cost, saving, formula in src:
            if not acct or acct == "*" or not ut:
                continue  # a folded row or the organisation's plan: no one line
            by_line[(acct, svc, ut)].append((action, conf, cost, saving, formula))
        return by_line

    def test_line_properties_in_every_format(self):
        for sub, r in self.each_run():
            with sub:
                for fmt, tol in (("json", Decimal(0)), ("csv", HALF_CENT), ("xlsx", Decimal("1e-9")),
                                 ("html", HALF_CENT), ("md", HALF_CENT), ("table", HALF_CENT)):
                    n = self.check_lines(fmt, self.lines_from(r, fmt), r["line_cost"], tol)
                    self.assertGreater(n, 0, fmt)

    def test_plan_and_spot_share_no_hours(self):
        for sub, r in self.each_run():
            with sub:
                props = [{"rule": p["rule"], "action": p["action"], "formula": p["formula"],
                          "cost": Decimal(p["monthly_cost"])} for p in r["json"]["proposals"]]
                self.assertTrue(self.check_plan_and_spot("json", props))
                props = [{"rule": x["rule"], "action": x["action"], "formula": x["formula"],
                          "cost": Decimal(x["monthly_cost"])} for x in r["csv"]]
                self.assertTrue(self.check_plan_and_spot("csv", props))


@unittest.skipIf(openpyxl is None, "openpyxl (python3-openpyxl) is not installed")
class PriorityInTheShownCurrency(unittest.TestCase):
    """With --fx the human formats show the priority converted, as the saving
    it comes from, to the shown currency's minor unit (none for yen), and all
    of them alike; JSON and CSV keep the report currency's (README "Savings
    proposals")."""

    RATE = Decimal("151.20")

    @classmethod
    def setUpClass(cls):
        with tempdir() as d:
            stdout = report(d, "unblended", ["--fx", f"JPY={cls.RATE}"],
                            fmts="table,json,xlsx,md,html")
            cls.json, cls.ws = json_report(d), read_xlsx(d)[0]["Savings proposals"]
            cls.md, cls.html = read_md(d)[1], read_html(d).rows
            cls.table = read_table(stdout)[1]

    def test_every_format_shows_the_converted_priority(self):
        props = self.json["proposals"]
        self.assertEqual(self.json["fx"]["currency"], "JPY")
        # the workbook: the converted number, unrounded, in the amounts' format
        # without the currency
        places = {without_currency(f)
                  for f in column_formats(self.ws, "Monthly saving", len(props))}
        self.assertEqual(places, {"#,##0"})
        self.assertEqual(set(column_formats(self.ws, "Priority", len(props))), places)
        converted = {}
        for p, row in zip(props, sheet_rows(self.ws)):
            self.assertEqual(row["Rank"], p["rank"])
            cell = Decimal(repr(row["Priority"]))
            self.assertLessEqual(abs(cell - Decimal(repr(p["priority"])) * self.RATE),
                                 HALF_CENT * self.RATE + Decimal("1e-6"), p["rank"])
            converted[p["rank"]] = cell
        # Markdown, HTML and the table: that number to the yen, with separators
        shown = [("md", int(x["#"]), x["Priority"]) for x in self.md] + \
            [("html", int(x["#"][0]), x["Priority"][0]) for x in self.html] + \
            [("table", x["#"], x["priority"]) for x in self.table]
        self.assertEqual(len(shown), 10 + len(props) + 10)
        for fmt, rank, text in shown:
            with self.subTest(fmt=fmt, rank=rank):
                self.assertRegex(text or "", r"^\d{1,3}(,\d{3})*$")
                self.assertLessEqual(abs(money(text) - converted[rank]),
                                     Decimal("0.5") + Decimal("1e-6"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
