"""Anomalies: a spike injected on one day of a month generated from the sample rows is found with
its account, service, day and usage type; the unchanged samples show no spike."""
import csv
import gzip
import io
import json
import os
import shutil
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402
from test_samples import data_files  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")
DAY = "2026-10-14"
EXTRA = Decimal("2500")


def report(out, inputs, extra=()):
    code, _, err = run(["report", "--format", "json", "--out", out, "--month", "2026-10",
                        "--accounts", os.path.join(SAMPLES, "accounts.json"), *extra, *inputs])
    rep = None
    if os.path.exists(os.path.join(out, "costrank-2026-10.json")):
        with open(os.path.join(out, "costrank-2026-10.json"), encoding="utf-8") as f:
            rep = json.load(f)
    return code, err, rep


def inject(dest):
    """Copies the sample files into dest and adds one row: a usage line of an EC2 instance
    type, EXTRA more on DAY (a new line item id). Returns that row."""
    for path in data_files(CUR2):
        shutil.copy(path, os.path.join(dest, os.path.basename(os.path.dirname(path)) + "-" +
                                       os.path.basename(path)))
    for path in data_files(CUR2):
        with open(path, "rb") as f:
            text = gzip.decompress(f.read()).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        hit = [r for r in rows if r["line_item_usage_start_date"].startswith(DAY)
               and r["line_item_line_item_type"] == "Usage"
               and "BoxUsage" in r["line_item_usage_type"]]
        if hit:
            row = dict(hit[0])
            break
    row["line_item_unblended_cost"] = str(EXTRA)
    row["identity_line_item_id"] = "injected-spike-0001"
    with open(os.path.join(dest, "injected.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(row))
        w.writeheader()
        w.writerow(row)
    return row


class Anomalies(unittest.TestCase):
    def test_samples_have_no_spike(self):
        with tempdir() as d:
            code, err, rep = report(d, [CUR2])
            self.assertEqual(code, 0, err)
            kinds = [a["kind"] for a in rep["anomalies"]]
            self.assertEqual([k for k in kinds if k == "spike"], [], rep["anomalies"])
            # the new usage types are those the report marks new, at least 100
            new = sorted((a["account_id"], a["usage_types"][0]["usage_type"])
                         for a in rep["anomalies"] if a["kind"] == "new_usage_type")
            want = sorted((a["id"], u["usage_type"]) for a in rep["accounts"]
                          for s in a["services"] for u in s["usage_types"]
                          if u["new"] and not u["other"] and Decimal(u["cost"]) >= 100)
            self.assertEqual(new, want)
            self.assertTrue(new)
            # new usage types are listed but gate nothing: the unchanged
            # samples pass --fail-on-anomaly
            code, err, _ = report(os.path.join(d, "gate"), [CUR2], ["--fail-on-anomaly"])
            self.assertEqual(code, 0, err)
            self.assertNotIn("anomaly", err)

    def test_injected_spike_is_found(self):
        with tempdir() as d:
            src = os.path.join(d, "in")
            os.mkdir(src)
            row = inject(src)
            code, err, rep = report(os.path.join(d, "out"), [src])
            self.assertEqual(code, 0, err)
            spikes = [a for a in rep["anomalies"] if a["kind"] == "spike"]
            self.assertEqual(len(spikes), 1, spikes)
            s = spikes[0]
            self.assertEqual(s["account_id"], row["line_item_usage_account_id"])
            self.assertEqual(s["day"], DAY)
            self.assertEqual(s["usage_types"][0]["usage_type"], row["line_item_usage_type"])
            # the day's cost is its usual cost plus the injected amount, exactly
            self.assertEqual(Decimal(s["cost"]) - Decimal(s["baseline_median"]),
                             Decimal(s["excess"]))
            self.assertGreaterEqual(Decimal(s["usage_types"][0]["excess"]), EXTRA - 100)
            # --fail-on-anomaly fails the run naming the account and the day
            code, err, _ = report(os.path.join(d, "gate"), [src], ["--fail-on-anomaly"])
            self.assertEqual(code, 1, err)
            self.assertIn("anomaly: account %s" % row["line_item_usage_account_id"], err)
            self.assertIn(DAY, err)


if __name__ == "__main__":
    unittest.main()
