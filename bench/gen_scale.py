#!/usr/bin/env python3
"""Write a CUR 2.0 CSV file with many accounts and usage types (the scale case).

Where gen_cur2.py writes a realistic export (125 columns, hourly rows, 60
accounts), this writes the shape that stresses the savings pass: A accounts
x U usage types (each a distinct ledger line) over D days, one row per line
and day, in the few columns costrank reads.  Usage types are drawn from
those the default rule table matches (instances, EBS, NAT, RDS, S3,
CloudWatch, Lambda...), so nearly every line gets proposals.  Accounts take
the environments production, staging, development and sandbox in turn.

  gen_scale.py --accounts 10000 --usage-types 50 --days 3 -o scale.csv
  gen_scale.py --accounts 20000 --usage-types 50 --days 2 -o scale-1m.csv

Deterministic; Python 3 standard library only.
"""

import argparse
import datetime

COLUMNS = [
    "line_item_usage_account_id", "line_item_usage_account_name", "line_item_line_item_type",
    "line_item_usage_start_date", "line_item_product_code", "line_item_usage_type",
    "line_item_operation", "line_item_unblended_cost", "line_item_usage_amount",
    "line_item_currency_code", "pricing_unit", "pricing_term", "resource_tags_user_environment",
]

# (product code, usage type stem, operation, unit)
KINDS = [
    ("AmazonEC2", "BoxUsage:m5.{}xlarge", "RunInstances", "Hrs"),
    ("AmazonEC2", "BoxUsage:r5.{}xlarge", "RunInstances:0002", "Hrs"),
    ("AmazonEC2", "EBS:VolumeUsage.gp2", "CreateVolume-Gp2", "GB-Mo"),
    ("AmazonEC2", "EBS:SnapshotUsage", "CreateSnapshot", "GB-Mo"),
    ("AmazonEC2", "NatGateway-Hours", "NatGateway", "Hrs"),
    ("AmazonEC2", "NatGateway-Bytes", "NatGateway", "GB"),
    ("AmazonRDS", "InstanceUsage:db.m5.{}xlarge", "CreateDBInstance:0014", "Hrs"),
    ("AmazonRDS", "RDS:ChargedBackupUsage", "", "GB-Mo"),
    ("AmazonS3", "TimedStorage-ByteHrs", "StandardStorage", "GB-Mo"),
    ("AmazonCloudWatch", "DataProcessing-Bytes", "PutLogEvents", "GB"),
    ("AWSLambda", "Lambda-GB-Second", "Invoke", "Lambda-GB-Second"),
    ("AmazonVPC", "PublicIPv4:IdleAddress", "IdleAddress", "Hrs"),
]
REGIONS = ["", "USW2-", "EU-", "APN1-", "EUC1-"]
ENVS = ["production", "staging", "development", "sandbox"]


def usage_types(n):
    out = []
    i = 0
    while len(out) < n:
        code, stem, op, unit = KINDS[i % len(KINDS)]
        round_ = i // len(KINDS)
        region = REGIONS[round_ % len(REGIONS)]
        size = 1 + round_ // len(REGIONS)
        ut = region + (stem.format(size) if "{}" in stem else stem)
        if "{}" not in stem and round_ >= len(REGIONS):
            ut = region + stem + "-" + str(round_)
        out.append((code, ut, op, unit))
        i += 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, required=True)
    ap.add_argument("--usage-types", type=int, default=50)
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    y, m = map(int, a.month.split("-"))
    uts = usage_types(a.usage_types)
    with open(a.output, "w", newline="") as f:
        f.write(",".join(COLUMNS) + "\n")
        for d in range(a.days):
            day = datetime.date(y, m, 1) + datetime.timedelta(days=d)
            start = day.isoformat() + "T00:00:00Z"
            rows = []
            for acct in range(a.accounts):
                aid = "%012d" % (100000000000 + acct * 7919)
                env = ENVS[acct % len(ENVS)]
                name = "acct-%d-%s" % (acct, env[:4])
                for j, (code, ut, op, unit) in enumerate(uts):
                    cents = 500 + (acct * 131 + j * 977 + d * 17) % 250000
                    cost = "%d.%02d" % (cents // 100, cents % 100)
                    rows.append("%s,%s,Usage,%s,%s,%s,%s,%s,%d,USD,%s,OnDemand,%s\n" % (
                        aid, name, start, code, ut, op, cost, 24 + j, unit, env))
                if len(rows) > 100000:
                    f.write("".join(rows))
                    rows = []
            f.write("".join(rows))


if __name__ == "__main__":
    main()
