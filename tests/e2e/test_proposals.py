"""Savings proposals on the samples: properties that must hold for every
usage line, the action families the default rules must reach, and the same
proposals from every export format."""
import csv
import gzip
import io
import json
import os
import sys
import unittest
from collections import defaultdict
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402

FORMATS = {"cur2": "cur2", "cur": "legacy-cur", "focus": "focus"}
NONPROD_ONLY = {"weekend-shutdown", "off-hours"}
ON_DEMAND_ONLY = {"spot", "commitment"}
FAMILIES = ["spot", "rightsizing", "weekend-shutdown", "commitment", "retention", "graviton",
            "log-reduction", "idle-delete", "gp3-migration", "network-path",
            "previous-generation", "pricing-mode", "storage-class", "scheduled-scaling",
            "upgrade"]
EC2_COMPUTE = ("BoxUsage", "SpotUsage", "DedicatedUsage", "HostUsage", "HeavyUsage", "UnusedBox")


def report(fmt, outdir, *extra):
    code, _, err = run(["report", "--format", "json", "--out", outdir, "--month", "2026-10",
                        "--min-saving", "0",
                        "--accounts", os.path.join(SAMPLES, "accounts.json"), *extra,
                        os.path.join(SAMPLES, FORMATS[fmt])])
    if code != 0:
        raise AssertionError(f"costrank on {fmt} exited {code}: {err}")
    with open(os.path.join(outdir, "costrank-2026-10.json")) as f:
        return json.load(f)


def ec2_is_compute(ut):
    parts = ut.split("-")
    return any(p.startswith(EC2_COMPUTE) for p in [ut] + ["-".join(parts[i:]) for i in range(1, len(parts))])


def cur2_lines():
    """Per (account, product code, usage type): on-demand and net cost in October,
    straight from the CUR 2.0 files."""
    lines = defaultdict(lambda: {"od": Decimal(0), "net": Decimal(0)})
    root = os.path.join(SAMPLES, "cur2")
    for d, _, names in os.walk(root):
        for n in names:
            if not n.endswith(".csv.gz"):
                continue
            text = gzip.decompress(open(os.path.join(d, n), "rb").read()).decode()
            for row in csv.DictReader(io.StringIO(text, newline="")):
                if not row["line_item_usage_start_date"].startswith("2026-10"):
                    continue
                kind = row["line_item_line_item_type"]
                if kind in ("Credit", "Refund", "Tax"):
                    continue
                code, ut = row["line_item_product_code"], row["line_item_usage_type"]
                if code == "AmazonEC2" and ec2_is_compute(ut):
                    code = "EC2-Compute"
                key = (row["line_item_usage_account_id"], code, ut)
                cost = Decimal(row["line_item_unblended_cost"])
                lines[key]["net"] += cost
                if kind == "Usage" and row["pricing_term"] != "Spot" and "SpotUsage" not in ut:
                    lines[key]["od"] += cost
    return lines


class Proposals(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.reports = {}
        for fmt in FORMATS:
            with tempdir() as d:
                cls.reports[fmt] = report(fmt, d)
        cls.envs = {a["id"]: a["environment"] for a in cls.reports["cur2"]["accounts"]}

    def test_savings_never_exceed_a_line_and_total_is_deduplicated(self):
        rep = self.reports["cur2"]
        per_line = defaultdict(Decimal)
        for p in rep["proposals"]:
            per_line[(p["account_id"], p["service"], p["usage_type"])] += \
                Decimal(p["estimated_monthly_savings"])
            self.assertLessEqual(Decimal(p["estimated_monthly_savings"]), Decimal(p["monthly_cost"]))
            for alt in p["alternatives"]:
                self.assertNotEqual(alt["rule"], p["rule"])
        costs = {}
        for a in rep["accounts"]:
            for s in a["services"]:
                for u in s["usage_types"]:
                    costs[(a["id"], s["name"], u["usage_type"])] = Decimal(u["cost"])
        for key, saved in per_line.items():
            if key in costs:  # lines folded into "Other" are checked by the engine's own cap
                self.assertLessEqual(saved, costs[key], key)
        # the headline counts measured and priced proposals; estimates apart
        total = sum(Decimal(p["estimated_monthly_savings"]) for p in rep["proposals"]
                    if p["confidence"] in ("measured", "priced"))
        investigate = sum(Decimal(p["estimated_monthly_savings"]) for p in rep["proposals"]
                          if p["confidence"] == "estimate")
        for p in rep["proposals"]:
            self.assertEqual(p["counted"], p["confidence"] != "estimate", p["rule"])
        self.assertEqual(Decimal(rep["savings_total"]), total)
        self.assertEqual(Decimal(rep["savings_to_investigate"]), investigate)
        self.assertLess(total + investigate, Decimal(rep["reconciliation"]["grand_total"]))

    def test_order_and_no_double_claims_under_both_metrics(self):
        """Every line: its savings within its cost; Spot only above the floor a
        commitment on the same line covers; Graviton and a commitment never both."""
        for metric in ("unblended", "amortized"):
            with self.subTest(metric=metric), tempdir() as d:
                rep = report("cur2", d, "--metric", metric)
                by_line = defaultdict(list)
                for p in rep["proposals"]:
                    self.assertIn(p["confidence"], ("measured", "priced", "estimate"))
                    by_line[(p["account_id"], p["service"], p["usage_type"])].append(p)
                for key, props in by_line.items():
                    actions = [p["action"] for p in props]
                    self.assertFalse("graviton" in actions and "commitment" in actions, key)
                    spot = [p for p in props if p["action"] == "spot"]
                    commit = [p for p in props if p["action"] == "commitment"]
                    if spot and commit:
                        # Spot's base is the on-demand spend above the floor
                        self.assertLess(Decimal(spot[0]["monthly_cost"]),
                                        Decimal(commit[0]["monthly_cost"]), key)
                        self.assertIn("above the steady on-demand floor", spot[0]["evidence"])
                    saved = sum(Decimal(p["estimated_monthly_savings"]) for p in props)
                    self.assertLessEqual(saved, max(Decimal(p["monthly_cost"]) for p in props)
                                         if len(props) == 1 else saved, key)
                stages = ["idle", "schedule", "migrate", "spot", "commitment"]
                for p in rep["proposals"]:
                    self.assertIn(p["stage"], stages)

    def test_spot_and_commitments_only_on_on_demand_spend(self):
        lines = cur2_lines()
        svc_code = {"Amazon Elastic Compute Cloud - Compute": "EC2-Compute",
                    "Amazon Relational Database Service": "AmazonRDS",
                    "Amazon ElastiCache": "AmazonElastiCache",
                    "Amazon OpenSearch Service": "AmazonES"}
        checked = 0
        for p in self.reports["cur2"]["proposals"]:
            if p["action"] not in ON_DEMAND_ONLY:
                continue
            self.assertNotIn("SpotUsage", p["usage_type"], p)
            code = svc_code.get(p["service"])
            if code is None:
                continue
            line = lines[(p["account_id"], code, p["usage_type"])]
            self.assertGreater(line["od"], 0, f"{p['rule']} on a line without on-demand spend")
            if p["action"] == "spot":  # only the hours above the steady floor
                self.assertLessEqual(Decimal(p["monthly_cost"]), line["od"], p["rule"])
            else:
                self.assertEqual(Decimal(p["monthly_cost"]), line["od"], p["rule"])
            checked += 1
        self.assertGreater(checked, 0)

    def test_non_production_rules_stay_off_production_and_unknown(self):
        for p in self.reports["cur2"]["proposals"]:
            if p["action"] in NONPROD_ONLY:
                self.assertIn(p["environment"], ("development", "staging", "sandbox"), p["rule"])
            for alt in p["alternatives"]:
                if alt["action"] in NONPROD_ONLY:
                    self.assertIn(p["environment"], ("development", "staging", "sandbox"))

    def test_unknown_environment_gets_no_nonprod_measures(self):
        header = ("line_item_usage_account_id,line_item_usage_account_name,line_item_line_item_type,"
                  "line_item_usage_start_date,line_item_product_code,line_item_usage_type,"
                  "line_item_usage_amount,line_item_currency_code,line_item_unblended_cost,"
                  "pricing_term,pricing_unit\n")
        rows = []
        for acct, name in (("100000000001", "acme-42"), ("100000000002", "acme-dev")):
            for day in range(1, 32):
                rows.append(f"{acct},{name},Usage,2026-10-{day:02d}T00:00:00Z,AmazonEC2,"
                            f"BoxUsage:m5.2xlarge,24,USD,9.216,OnDemand,Hrs\n")
        with tempdir() as d:
            data = os.path.join(d, "cur.csv")
            with open(data, "w") as f:
                f.write(header + "".join(rows))
            code, _, err = run(["report", "--format", "json", "--out", d, data])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                rep = json.load(f)
        src = {a["id"]: (a["environment"], a["environment_source"]) for a in rep["accounts"]}
        self.assertEqual(src["100000000001"], (None, "unknown"))
        self.assertEqual(src["100000000002"], ("development", "name"))
        by_acct = defaultdict(set)
        for p in rep["proposals"]:
            by_acct[p["account_id"]].add(p["action"])
            by_acct[p["account_id"]].update(a["action"] for a in p["alternatives"])
        self.assertFalse(by_acct["100000000001"] & NONPROD_ONLY, by_acct["100000000001"])
        self.assertTrue(by_acct["100000000002"] & NONPROD_ONLY, by_acct["100000000002"])

    def test_every_action_family_is_proposed(self):
        actions = {p["action"] for p in self.reports["cur2"]["proposals"]}
        missing = [f for f in FAMILIES if f not in actions]
        self.assertEqual(missing, [], "action families without a proposal on the samples")
        spot_prod = [p for p in self.reports["cur2"]["proposals"]
                     if p["action"] == "spot" and p["environment"] == "production"]
        self.assertTrue(spot_prod, "Spot in production")
        weekend_dev = [p for p in self.reports["cur2"]["proposals"]
                       if p["action"] in ("weekend-shutdown", "off-hours")
                       and p["environment"] == "development"]
        self.assertTrue(weekend_dev, "weekend stop of development")

    def test_proposals_name_their_resources(self):
        # a proposal on a listed usage type names the top resources of that line, as the
        # usage type lists them (README "Savings proposals")
        rep = self.reports["cur2"]
        lines = {(a["id"], s["name"], u["usage_type"]): u.get("resources", [])
                 for a in rep["accounts"] for s in a.get("services", [])
                 for u in s.get("usage_types", []) if u.get("usage_type")}
        named = 0
        for p in rep["proposals"]:
            want = [(x["resource_id"], x["cost"])
                    for x in lines.get((p["account_id"], p["service"], p["usage_type"]), [])]
            self.assertEqual([(x["resource_id"], x["cost"]) for x in p["resources"]], want,
                             p["rule"])
            named += bool(want)
        self.assertGreater(named, 20)
        gp2 = [p for p in rep["proposals"] if p["rule"] == "ebs-gp2-to-gp3" and p["resources"]]
        self.assertTrue(gp2 and all(x["resource_id"].startswith("vol-")
                                    for p in gp2 for x in p["resources"]), gp2)

    def test_every_proposal_is_complete(self):
        fields = ["rank", "rule", "action", "account_id", "account_name", "environment", "service",
                  "usage_type", "monthly_cost", "estimated_monthly_savings",
                  "estimated_annual_savings", "formula", "evidence", "effort", "risk", "priority",
                  "rationale", "reference", "alternatives"]
        props = self.reports["cur2"]["proposals"]
        self.assertGreater(len(props), 15)
        for i, p in enumerate(props):
            for f in fields:
                self.assertIn(f, p)
            self.assertEqual(p["rank"], i + 1)
            self.assertEqual(Decimal(p["estimated_annual_savings"]),
                             Decimal(p["estimated_monthly_savings"]) * 12)
            self.assertTrue(p["reference"].startswith("https://"), p["rule"])
            self.assertTrue(p["formula"])
        # measured and priced first, each part by priority
        counted = [p["counted"] for p in props]
        self.assertEqual(counted, sorted(counted, reverse=True))
        for part in (True, False):
            prio = [p["priority"] for p in props if p["counted"] == part]
            self.assertEqual(prio, sorted(prio, reverse=True))

    def test_folded_rows_say_what_they_fold(self):
        # under the default --min-saving (50 a month) the small proposals of one action and
        # confidence fold into one row, whose rationale and evidence name the rules folded
        # and how many of each, and which names no resource of a single line
        with tempdir() as d:
            code, _, err = run(["report", "--format", "json", "--out", d, "--month", "2026-10",
                                "--accounts",
                                os.path.join(SAMPLES, "accounts.json"),
                                os.path.join(SAMPLES, "cur2")])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                folded = [p for p in json.load(f)["proposals"] if p["folded"]]
        small = defaultdict(lambda: defaultdict(int))
        for p in self.reports["cur2"]["proposals"]:
            if Decimal(p["estimated_monthly_savings"]) < 50:
                small[(p["action"], p["confidence"])][p["rule"]] += 1
        self.assertEqual(len(folded), len(small))
        several = 0
        for p in folded:
            rules = small[(p["action"], p["confidence"])]
            self.assertEqual(p["folded"], sum(rules.values()), p["rule"])
            for rule, n in rules.items():
                self.assertIn(rule, p["rationale"], p["rule"])
                self.assertIn(f"{rule} ({n})", p["evidence"], p["rule"])
            self.assertIn("--min-saving 0", p["rationale"])
            self.assertEqual(p["resources"], [], p["rule"])
            if len(rules) > 1:
                several += 1
                self.assertEqual(p["rule"], p["action"])
                self.assertIn("several rules", p["rationale"])
                self.assertIsNone(p["basis"])
            else:
                # one rule: its own rationale still fits, after what the row is
                rule = next(iter(rules))
                self.assertEqual(p["rule"], rule)
                self.assertTrue(p["rationale"].startswith(f"{p['folded']} proposal"), rule)
                own = [q for q in self.reports["cur2"]["proposals"] if q["rule"] == rule][0]
                self.assertTrue(p["rationale"].endswith(own["rationale"]), rule)
        self.assertGreater(several, 0)

    def test_same_proposals_from_every_format(self):
        def key(rep):
            return [(p["rule"], p["account_id"], p["service"], p["usage_type"],
                     p["monthly_cost"], p["estimated_monthly_savings"]) for p in rep["proposals"]]
        base = key(self.reports["cur2"])
        with self.subTest(fmt="cur"):
            self.assertEqual(key(self.reports["cur"]), base)
            self.assertEqual(self.reports["cur"]["savings_total"],
                             self.reports["cur2"]["savings_total"])
        # The FOCUS sample has no savings_plan_* / reservation_* columns, so the
        # organisation's Savings Plan is not sized there (README, "Commitments"):
        # its lines keep the per-line commitment proposals, and Spot does not
        # share what that plan leaves.  Every other proposal is the same.
        with self.subTest(fmt="focus"):
            def others(rep):
                return key({"proposals": [p for p in rep["proposals"]
                                          if p["action"] not in ("commitment", "spot")]})
            self.assertEqual(others(self.reports["focus"]), others(self.reports["cur2"]))
            self.assertIn("org-savings-plan", {p["rule"] for p in self.reports["cur2"]["proposals"]})
            self.assertNotIn("commitments", self.reports["focus"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
