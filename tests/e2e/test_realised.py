"""Realised savings (--baseline): a generated November in which some October proposals were carried
out (tests/tools/gen_next_month.py) shows them done with the amounts of a Decimal computation from the
raw rows; September's report as the baseline of October gives every proposal a status; a bad
baseline is one line naming the file and place, exit 3, nothing written."""
import csv
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import unittest
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")
OCT = os.path.join(CUR2, "data", "BILLING_PERIOD=2026-10")
GEN = os.path.join(SOURCE_DIR, "tests", "tools", "gen_next_month.py")
STATUSES = {"done", "partly-done", "not-yet", "line-gone", "line-grew"}
Q = Decimal(1).scaleb(-18)


def tracked(proposals):
    """The baseline proposals --baseline tracks: not the rows folding several small ones
    (--min-saving) nor the organisation-wide plans (account "*")."""
    return [p for p in proposals if not p.get("folded") and p["account_id"] != "*"]


def report(out, inputs, extra=()):
    code, _, err = run(["report", "--format", "json", "--out", out, *extra, *inputs])
    reps = [f for f in os.listdir(out) if f.endswith(".json")] if os.path.isdir(out) else []
    rep = None
    if len(reps) == 1:
        with open(os.path.join(out, reps[0]), encoding="utf-8") as f:
            rep = json.load(f)
    return code, err, rep


def rows_of(folder):
    out = []
    for name in sorted(os.listdir(folder)):
        with gzip.open(os.path.join(folder, name), "rt", encoding="utf-8-sig", newline="") as f:
            out.extend(csv.DictReader(f))
    return out


def line_cost(rows, account, usage_type, weekend=None):
    """The line's ranked cost (tax, credits and refunds left out), all days or weekend days only."""
    total = Decimal(0)
    for r in rows:
        if (r["line_item_usage_account_id"] != account or r["line_item_usage_type"] != usage_type
                or r["line_item_line_item_type"] in ("Tax", "Credit", "Refund")):
            continue
        day = dt.date.fromisoformat(r["line_item_usage_start_date"][:10])
        if weekend is not None and (day.weekday() >= 5) != weekend:
            continue
        total += Decimal(r["line_item_unblended_cost"])
    return total


def scale(x, num, den):
    return (x * num / den).quantize(Q, rounding=ROUND_HALF_UP)


class Realised(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        t = cls.tmp.name
        cls.nov = os.path.join(t, "nov")
        subprocess.run([sys.executable, GEN, cls.nov], check=True)
        # --min-saving 0: every proposal on a line of its own, so each can be tracked
        code, err, cls.oct_rep = report(os.path.join(t, "oct"), [CUR2],
                                        ["--month", "2026-10", "--min-saving", "0"])
        assert code == 0, err
        cls.oct_json = os.path.join(t, "oct", "costrank-2026-10.json")
        code, err, cls.rep = report(os.path.join(t, "out"), [OCT, cls.nov],
                                    ["--month", "2026-11", "--baseline", cls.oct_json])
        assert code == 0, err
        cls.real = cls.rep["realised"]
        cls.oct_rows, cls.nov_rows = rows_of(OCT), rows_of(os.path.join(cls.nov,
                                                                      "BILLING_PERIOD=2026-11"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def item(self, rule, account, usage_type):
        hit = [i for i in self.real["items"] if (i["rule"], i["account_id"], i["usage_type"]) ==
               (rule, account, usage_type)]
        self.assertEqual(len(hit), 1, (rule, account, usage_type))
        return hit[0]

    def test_every_proposal_has_a_status(self):
        self.assertEqual(len(self.real["items"]), len(tracked(self.oct_rep["proposals"])))
        self.assertEqual(self.real["baseline_period"], "2026-10")
        self.assertTrue(self.real["measured_from_data"])
        for i in self.real["items"]:
            self.assertIn(i["status"], STATUSES)
        self.assertEqual(Decimal(self.real["proposed"]),
                         sum(Decimal(p["estimated_monthly_savings"])
                             for p in tracked(self.oct_rep["proposals"])))
        self.assertEqual(Decimal(self.real["realised"]),
                         sum(Decimal(i["realised"]) for i in self.real["items"]))

    def test_weekend_stop_is_done(self):
        it = self.item("ec2-nonprod-weekend-stop", "519377024816", "BoxUsage:m5.large")
        self.assertEqual(it["status"], "done")
        self.assertEqual(it["measured_on"], "weekend-days")
        # October's weekend spend per weekend day x November's weekend days, less November's (0)
        oct_we = line_cost(self.oct_rows, "519377024816", "BoxUsage:m5.large", weekend=True)
        self.assertEqual(line_cost(self.nov_rows, "519377024816", "BoxUsage:m5.large", True), 0)
        self.assertEqual(Decimal(it["realised"]), scale(oct_we, 9, 9))
        self.assertGreater(oct_we, 0)

    def test_gp2_to_gp3_is_done_net_of_gp3(self):
        acct = "364058812907"
        it = self.item("ebs-gp2-to-gp3", acct, "EBS:VolumeUsage.gp2")
        self.assertEqual(it["status"], "done")
        self.assertEqual(it["target_usage_type"], "EBS:VolumeUsage.gp3")
        gp2_oct = line_cost(self.oct_rows, acct, "EBS:VolumeUsage.gp2")
        gp3_oct = line_cost(self.oct_rows, acct, "EBS:VolumeUsage.gp3")
        gp3_nov = line_cost(self.nov_rows, acct, "EBS:VolumeUsage.gp3")
        drop = scale(gp2_oct, 30, 31) - line_cost(self.nov_rows, acct, "EBS:VolumeUsage.gp2")
        growth = min(max(gp3_nov - scale(gp3_oct, 30, 31), Decimal(0)), drop)
        net = drop - growth
        # shared in rank order: each proposal of the line up to its proposed saving, the rest
        # to the first
        line = sorted((i for i in self.real["items"] if (i["account_id"], i["usage_type"]) ==
                       (acct, "EBS:VolumeUsage.gp2")), key=lambda i: i["baseline_rank"])
        left, want = net, {}
        for i in line:
            want[i["rule"]] = min(max(left, Decimal(0)), Decimal(i["proposed_period"]))
            left -= want[i["rule"]]
        want[line[0]["rule"]] += max(left, Decimal(0))
        for i in line:
            self.assertEqual(Decimal(i["realised"]), want[i["rule"]], i["rule"])
        self.assertEqual(Decimal(it["target_growth"]), growth)
        # 80% moved: the saving is about a fifth of the gp2 cost
        self.assertAlmostEqual(float(net / scale(gp2_oct, 30, 31)), 0.2, places=6)

    def test_untouched_lines_are_not_done(self):
        changed = {("519377024816", "BoxUsage:m5.large"), ("364058812907", "EBS:VolumeUsage.gp2")}
        others = [i for i in self.real["items"] if (i["account_id"], i["usage_type"]) not in changed]
        not_yet = 0
        for i in others:
            a, u = i["account_id"], i["usage_type"]
            drop = scale(line_cost(self.oct_rows, a, u), 30, 31) - line_cost(self.nov_rows, a, u)
            if drop < Decimal(i["proposed_period"]) / 10:
                self.assertIn(i["status"], ("not-yet", "line-grew"), i)
                not_yet += i["status"] == "not-yet"
        self.assertGreater(not_yet, 100)

    def test_commitment_bought(self):
        self.assertEqual([(c["account_id"], c["usage_type"]) for c in self.real["commitments_bought"]],
                         [("519377024816", "HeavyUsage:db.r6g.large")])

    def test_september_baseline_for_october(self):
        with tempdir() as d:
            code, err, sep = report(os.path.join(d, "sep"), [CUR2], ["--month", "2026-09"])
            folded = [p for p in sep["proposals"] if p.get("folded")]
            self.assertTrue(folded)     # the default --min-saving folds small proposals
            self.assertEqual(code, 0, err)
            code, err, rep = report(os.path.join(d, "oct"), [CUR2], [
                "--month", "2026-10", "--baseline", os.path.join(d, "sep", "costrank-2026-09.json")])
            self.assertEqual(code, 0, err)
            real = rep["realised"]
            self.assertEqual([(i["rule"], i["account_id"], i["usage_type"]) for i in real["items"]],
                             [(p["rule"], p["account_id"], p["usage_type"])
                              for p in tracked(sep["proposals"])])
            for i in real["items"]:
                self.assertIn(i["status"], STATUSES)
                self.assertEqual(Decimal(i["remaining"]),
                                 max(Decimal(i["proposed_period"]) - Decimal(i["realised"]), 0))
            self.assertEqual(sum(real["status_counts"].values()), len(tracked(sep["proposals"])))
            # the folded rows and the organisation's plan are said to be left out
            n = len(sep["proposals"]) - len(tracked(sep["proposals"]))
            self.assertTrue(any(w.startswith("%d proposals of the baseline" % n)
                                for w in rep["warnings"]), rep["warnings"])
            self.assertEqual(real["commitments_bought"], [])

    def test_baseline_period_not_in_the_data_is_said_in_the_reports_language(self):
        with tempdir() as d:
            code, err, _ = report(os.path.join(d, "sep"), [CUR2], ["--month", "2026-09"])
            self.assertEqual(code, 0, err)
            base = os.path.join(d, "sep", "costrank-2026-09.json")
            for lang, start in (("en", "the data does not cover the baseline period 2026-09"),
                                ("ja", "データが比較元の期間 2026-09 を含みません")):
                with self.subTest(lang=lang):
                    # October's files alone: September, the baseline's period, is not there
                    code, err, rep = report(os.path.join(d, lang), [OCT], [
                        "--month", "2026-10", "--lang", lang, "--baseline", base])
                    self.assertEqual(code, 0, err)
                    self.assertFalse(rep["realised"]["measured_from_data"])
                    self.assertTrue(any(w.startswith(start) for w in rep["warnings"]),
                                    rep["warnings"])

    def test_bad_baselines(self):
        with tempdir() as d:
            def check(name, text, want, code=3):
                path = os.path.join(d, name)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                out = os.path.join(d, "out-" + name)
                c, err, rep = report(out, [CUR2], ["--month", "2026-10", "--baseline", path])
                self.assertEqual(c, code, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn(path, err)
                self.assertIn(want, err)
                self.assertFalse(os.path.exists(out) and os.listdir(out), "written: " + name)

            good = json.load(open(self.oct_json, encoding="utf-8"))
            check("truncated.json", '{"schema": "costrank.report/v1",\n "period": {', ":2:")
            check("schema.json", '{"schema": "costrank.report/v2"}', ":1:2: schema")
            bad = dict(good, proposals=[dict(good["proposals"][0], estimated_monthly_savings=12)])
            text = json.dumps(bad, indent=1)
            check("amount.json", text, "proposals[0].estimated_monthly_savings")
            line = text[:text.index('"estimated_monthly_savings"')].count("\n") + 1
            check("amount2.json", text, ":%d:" % line)
            bad = dict(good, currency="EUR")
            check("currency.json", json.dumps(bad), "EUR")
            # October's own report as October's baseline: a usage error
            check("late.json", json.dumps(good), "does not end before", code=2)
            check("missing.json", json.dumps({k: v for k, v in good.items() if k != "period"}),
                  "period")
            # extra fields are ignored, as a newer report's would be
            extra = dict(good, proposals=[dict(p, confidence="high", resources=["i-1"])
                                          for p in good["proposals"]], more={"x": 1})
            path = os.path.join(d, "extra.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(extra, f)
            c, err, rep = report(os.path.join(d, "x"), [OCT, self.nov],
                                 ["--month", "2026-11", "--baseline", path])
            self.assertEqual(c, 0, err)
            self.assertEqual(rep["realised"]["items"], self.real["items"])


if __name__ == "__main__":
    unittest.main()
