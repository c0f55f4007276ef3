#!/usr/bin/env python3
"""Writes November 2026 as CUR 2.0 from the October samples, with some October proposals carried out,
for the realised-savings test (tests/e2e/test_realised.py).  The committed samples are only read.

Every October row of days 1-30 is moved to the same day of November (the 31st is dropped; a month-long
row spans November), with new line item and invoice ids, and then:
  * weekend stop: the staging m5.large instance line (519377024816, BoxUsage:m5.large) has no row on
    Saturdays and Sundays;
  * gp2 -> gp3: every EBS:VolumeUsage.gp2 row of 364058812907 becomes EBS:VolumeUsage.gp3 at 80% of
    its cost (every cost column);
  * a commitment bought: the RIFee row is repeated for 519377024816.
Usage: gen_next_month.py OUT_DIR   (writes OUT_DIR/BILLING_PERIOD=2026-11/next-00001.csv.gz)"""
import csv
import datetime as dt
import gzip
import hashlib
import io
import os
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
OCT = os.path.join(HERE, "..", "..", "samples", "cur2", "data", "BILLING_PERIOD=2026-10")
WEEKEND_LINE = ("519377024816", "BoxUsage:m5.large")
GP2_ACCOUNT = "364058812907"
COMMITMENT_ACCOUNT = "519377024816"


def read_october():
    rows, header = [], None
    for name in sorted(os.listdir(OCT)):
        with gzip.open(os.path.join(OCT, name), "rt", encoding="utf-8-sig", newline="") as f:
            r = csv.DictReader(f)
            header = header or r.fieldnames
            rows.extend(r)
    return header, rows


def ts(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def fmt(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def shift(row):
    """The row moved to November, or None for October 31."""
    start, end = ts(row["line_item_usage_start_date"]), ts(row["line_item_usage_end_date"])
    if start.day == 31:
        return None
    if start.day == 1 and end == dt.datetime(2026, 11, 1):
        ns, ne = dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1)
    else:
        ns = start.replace(month=11)
        ne = ns + (end - start)
    out = dict(row)
    out["line_item_usage_start_date"], out["line_item_usage_end_date"] = fmt(ns), fmt(ne)
    out["bill_billing_period_start_date"] = "2026-11-01T00:00:00Z"
    out["bill_billing_period_end_date"] = "2026-12-01T00:00:00Z"
    if out.get("identity_time_interval"):
        out["identity_time_interval"] = "%s/%s" % (fmt(ns), fmt(ne))
    out["bill_invoice_id"] = "2203918847"
    return out


def new_id(row, salt):
    h = hashlib.sha256((salt + row["identity_line_item_id"]).encode()).hexdigest()
    row["identity_line_item_id"] = h[:52]


def scale_costs(row, factor):
    for k, v in row.items():
        if "cost" in k and v:
            try:
                row[k] = str(Decimal(v) * factor)
            except ArithmeticError:
                pass


def november():
    header, rows = read_october()
    out = []
    for r in rows:
        n = shift(r)
        if n is None:
            continue
        new_id(n, "nov")
        day = ts(n["line_item_usage_start_date"])
        kind = n["line_item_line_item_type"]
        acct, ut = n["line_item_usage_account_id"], n["line_item_usage_type"]
        if (acct, ut) == WEEKEND_LINE and day.weekday() >= 5 and ts(
                n["line_item_usage_end_date"]) - day == dt.timedelta(days=1):
            continue
        if acct == GP2_ACCOUNT and ut == "EBS:VolumeUsage.gp2":
            n["line_item_usage_type"] = "EBS:VolumeUsage.gp3"
            scale_costs(n, Decimal("0.8"))
        out.append(n)
        if kind == "RIFee":
            c = dict(n)
            c["line_item_usage_account_id"] = COMMITMENT_ACCOUNT
            c["line_item_usage_account_name"] = "larkspur-staging"
            new_id(c, "bought")
            out.append(c)
    return header, out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    header, rows = november()
    d = os.path.join(sys.argv[1], "BILLING_PERIOD=2026-11")
    os.makedirs(d, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    with open(os.path.join(d, "next-00001.csv.gz"), "wb") as f:
        f.write(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))


if __name__ == "__main__":
    main()
