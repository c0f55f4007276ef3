"""What drove the change: for every account and service, usage + rate + discounts + other equals the
change exactly, and the drivers' costs agree with the ranked report and with sums of the raw files."""
import json
import os
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402
from test_trend import independent_months  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")


class Drivers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        code, _, err = run(["report", "--format", "json", "--out", cls.tmp.name, "--accounts",
                            os.path.join(SAMPLES, "accounts.json"), CUR2])
        if code != 0:
            raise AssertionError(err)
        with open(os.path.join(cls.tmp.name, "costrank-2026-10.json"), encoding="utf-8") as f:
            cls.rep = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_drivers_add_up_exactly(self):
        drivers = self.rep["drivers"]
        self.assertTrue(drivers)
        for d in drivers:
            parts = sum(Decimal(d[k]) for k in ("usage", "rate", "discounts", "other"))
            self.assertEqual(parts, Decimal(d["change"]), d)
            self.assertEqual(Decimal(d["change"]), Decimal(d["cost"]) - Decimal(d["previous_cost"]))
        # each (account, service) once
        keys = [(d["account_id"], d["service"]) for d in drivers]
        self.assertEqual(len(keys), len(set(keys)))
        # the samples move usage, and somewhere the rate too
        self.assertTrue(any(Decimal(d["usage"]) != 0 for d in drivers))
        self.assertTrue(any(Decimal(d["rate"]) != 0 for d in drivers))

    def test_drivers_match_the_report_and_the_files(self):
        accounts, _ = independent_months()
        by_account = {}
        for d in self.rep["drivers"]:
            c, p = by_account.get(d["account_id"], (Decimal(0), Decimal(0)))
            by_account[d["account_id"]] = (c + Decimal(d["cost"]), p + Decimal(d["previous_cost"]))
        for a in self.rep["accounts"]:
            self.assertEqual(by_account[a["id"]], (Decimal(a["total"]), Decimal(a["previous_total"])))
            self.assertEqual(by_account[a["id"]], (accounts.get(("2026-10", a["id"]), Decimal(0)),
                                                   accounts.get(("2026-09", a["id"]), Decimal(0))))
            for s in a["services"]:
                if s["other"]:
                    continue
                d = [x for x in self.rep["drivers"]
                     if x["account_id"] == a["id"] and x["service"] == s["name"]][0]
                self.assertEqual(Decimal(d["cost"]), Decimal(s["cost"]))
                self.assertEqual(Decimal(d["previous_cost"]), Decimal(s["previous_cost"]))

    def test_no_previous_period(self):
        with tempdir() as d:
            code, _, err = run(["report", "--format", "json", "--out", d, "--month", "2026-09",
                                CUR2])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-09.json"), encoding="utf-8") as f:
                self.assertIsNone(json.load(f)["drivers"])


if __name__ == "__main__":
    unittest.main()
