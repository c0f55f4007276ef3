#!/usr/bin/env python3
"""Write a CUR 2.0 CSV with many distinct resource ids, for the memory bound
of --resources (README "Resources", bench/RESULTS.md).

    bench/gen_resources.py --ids 1000000 -o /tmp/ids.csv
    /usr/bin/time -v build/costrank report --resources 3 --format json -q -o /tmp/o /tmp/ids.csv

Every id is billed on 3 days of October 2026 (one row each), under one of
40 usage types of 5 accounts, with ids as long as real ones
(arn:aws:ec2:REGION:ACCOUNT:volume/vol-0 and 17 hex digits, 55 bytes).
Python 3 standard library only; deterministic."""
import argparse
import hashlib
import sys

HEADER = ("line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,"
          "line_item_product_code,line_item_usage_type,line_item_unblended_cost,"
          "line_item_usage_amount,line_item_currency_code,line_item_resource_id\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ids", type=int, default=1000000)
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    accounts = ["%012d" % (111111111111 * (k + 1)) for k in range(5)]
    with open(a.out, "w", newline="") as f:
        f.write(HEADER)
        for i in range(a.ids):
            h = hashlib.blake2b(i.to_bytes(8, "little"), digest_size=9).hexdigest()[:16]
            acct = accounts[i % 5]
            rid = "arn:aws:ec2:us-east-1:%s:volume/vol-0%s" % (acct, h)
            ut = "EBS:VolumeUsage.gp%d-%d" % (2 + i % 2, i % 20)
            for d in (1 + i % 10, 11 + i % 10, 21 + i % 10):
                f.write("%s,Usage,2026-10-%02dT00:00:00Z,AmazonEC2,%s,0.%04d,1.0,USD,%s\n"
                        % (acct, d, ut, 1 + i % 9973, rid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
