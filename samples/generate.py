#!/usr/bin/env python3
"""Generate the Larkspur Freight sample billing files.

Writes two complete months (2026-09 and 2026-10) of daily AWS billing data for
the fictitious organisation Larkspur Freight, identically in three formats:

  cur2/         CUR 2.0 (Data Exports), gzip CSV parts plus a manifest
  legacy-cur/   legacy Cost and Usage Report, plain CSV (CRLF) plus a manifest
  focus/        FOCUS 1.0 in the AWS export flavour, plain CSV with a UTF-8 BOM
  accounts.json the linked accounts and their environments

The output is deterministic: the same command writes byte-identical files.
Python 3 standard library only.
"""

import argparse
import base64
import collections
import csv
import decimal
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import random
import sys
from decimal import Decimal, ROUND_HALF_EVEN, ROUND_FLOOR, getcontext

getcontext().prec = 40

SEED = "larkspur-freight-2026"
Q10 = Decimal("0.0000000001")
ZERO = Decimal(0)
MONTHS = ((2026, 9), (2026, 10))
DOMAIN = "larkspur-freight.example"

# --------------------------------------------------------------------------
# Organisation
# --------------------------------------------------------------------------

PAYER_ID = "731904582216"
PAYER_NAME = "larkspur-payer"

ACCOUNTS = [
    # key, id, name, environment, owner
    ("mgmt", PAYER_ID, PAYER_NAME, "shared", "cloud-finance@" + DOMAIN),
    ("prod", "048213306571", "larkspur-prod", "production", "platform@" + DOMAIN),
    ("staging", "519377024816", "larkspur-staging", "staging", "platform@" + DOMAIN),
    ("dev", "286640195352", "larkspur-dev", "development", "engineering@" + DOMAIN),
    ("sandbox", "907125843369", "larkspur-sandbox", "sandbox", "labs@" + DOMAIN),
    ("data", "364058812907", "larkspur-data", "production", "data-eng@" + DOMAIN),
    ("shared", "153390677428", "larkspur-shared-services", "shared", "platform@" + DOMAIN),
]
ACCT = {a[0]: {"id": a[1], "name": a[2], "env": a[3], "owner": a[4]} for a in ACCOUNTS}

INVOICE = {(2026, 9): "2187735501", (2026, 10): "2203918846"}
SP_ARN = "arn:aws:savingsplans::048213306571:savingsplan/3f9c1e52-7a1d-4e0b-9c55-2d6b8f41a7e3"
RI_ARN = "arn:aws:rds:us-east-1:048213306571:ri:larkspur-prod-pg-r6g-large"

# product code -> (product name, FOCUS service category)
PRODUCTS = {
    "AmazonEC2": ("Amazon Elastic Compute Cloud", "Compute"),
    "AWSELB": ("Elastic Load Balancing", "Networking"),
    "AmazonRDS": ("Amazon Relational Database Service", "Databases"),
    "AmazonS3": ("Amazon Simple Storage Service", "Storage"),
    "AmazonCloudWatch": ("AmazonCloudWatch", "Management and Governance"),
    "AmazonVPC": ("Amazon Virtual Private Cloud", "Networking"),
    "AmazonDynamoDB": ("Amazon DynamoDB", "Databases"),
    "AWSLambda": ("AWS Lambda", "Compute"),
    "AmazonElastiCache": ("Amazon ElastiCache", "Databases"),
    "AmazonES": ("Amazon OpenSearch Service", "Analytics"),
    "AmazonEKS": ("Amazon Elastic Container Service for Kubernetes", "Compute"),
    "AmazonECR": ("Amazon EC2 Container Registry (ECR)", "Compute"),
    "AmazonECS": ("Amazon Elastic Container Service", "Compute"),
    "AmazonCloudFront": ("Amazon CloudFront", "Networking"),
    "AmazonRoute53": ("Amazon Route 53", "Networking"),
    "awskms": ("AWS Key Management Service", "Security"),
    "AWSSecretsManager": ("AWS Secrets Manager", "Security"),
    "AWSQueueService": ("Amazon Simple Queue Service", "Integration"),
    "AmazonSNS": ("Amazon Simple Notification Service", "Integration"),
    "AWSGlue": ("AWS Glue", "Analytics"),
    "AmazonEFS": ("Amazon Elastic File System", "Storage"),
    "AmazonKinesisFirehose": ("Amazon Kinesis Firehose", "Analytics"),
    "AmazonMSK": ("Amazon Managed Streaming for Apache Kafka", "Analytics"),
    "AmazonApiGateway": ("Amazon API Gateway", "Networking"),
    "AWSCloudTrail": ("AWS CloudTrail", "Management and Governance"),
    "AWSConfig": ("AWS Config", "Management and Governance"),
    "AmazonGuardDuty": ("Amazon GuardDuty", "Security"),
    "AWSCodeBuild": ("CodeBuild", "Developer Tools"),
    "AmazonAthena": ("Amazon Athena", "Analytics"),
    "AWSDataTransfer": ("AWS Data Transfer", "Networking"),
    "ComputeSavingsPlans": ("Savings Plans for AWS Compute usage", "Compute"),
    "AWSSupportBusiness": ("AWS Support (Business)", "Other"),
}

# usage-type prefix -> region code
PREFIX_REGION = {
    "USE1": "us-east-1",
    "USW2": "us-west-2",
    "EU": "eu-west-1",
    "EUC1": "eu-central-1",
    "APN1": "ap-northeast-1",
}
REGION_LOCATION = {
    "us-east-1": "US East (N. Virginia)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-central-1": "EU (Frankfurt)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}

# On-Demand Linux hourly prices per region (public list prices, rounded)
EC2_PRICE = {
    "us-east-1": {
        "t2.medium": "0.0464", "t3.micro": "0.0104", "t3.small": "0.0208",
        "t3.medium": "0.0416", "t3.large": "0.0832", "t3.xlarge": "0.1664",
        "m4.xlarge": "0.20", "m5.large": "0.096", "m5.xlarge": "0.192",
        "m5.2xlarge": "0.384", "m6i.xlarge": "0.192", "c5.xlarge": "0.17",
        "c5.2xlarge": "0.34", "c5.4xlarge": "0.68", "c6i.4xlarge": "0.68",
        "r5.xlarge": "0.252", "r5.2xlarge": "0.504", "r6i.4xlarge": "1.008",
        "i3.2xlarge": "0.624", "g4dn.xlarge": "0.526", "p3.2xlarge": "3.06",
    },
    "us-west-2": {"m6i.xlarge": "0.192", "g5.xlarge": "1.006", "t3.medium": "0.0416"},
    "eu-west-1": {"m5.large": "0.107", "c5.xlarge": "0.192", "t3.medium": "0.0456"},
    "eu-central-1": {"m6i.large": "0.115"},
    "ap-northeast-1": {"c6g.2xlarge": "0.3424", "c7g.2xlarge": "0.3632",
                       "m6g.xlarge": "0.198", "t3.medium": "0.0544"},
}
SPOT_PRICE = {
    ("us-east-1", "c5.2xlarge"): "0.1316", ("us-east-1", "m5.2xlarge"): "0.1489",
    ("us-east-1", "c5.4xlarge"): "0.2632", ("us-east-1", "r5.2xlarge"): "0.1655",
    ("ap-northeast-1", "c6g.2xlarge"): "0.1187",
}
WINDOWS_PRICE = {("us-east-1", "m5.xlarge"): "0.376"}
SIZE_FACTOR = {"micro": "0.5", "small": "1", "medium": "2", "large": "4",
               "xlarge": "8", "2xlarge": "16", "4xlarge": "32"}

# --------------------------------------------------------------------------
# Series catalogue
# --------------------------------------------------------------------------


class Series:
    """One account x product code x usage type x operation, billed daily.

    qty is the daily level: a resource count for kind "hours" (count x 24 hours),
    gigabytes (or metrics, keys, secrets) held for kind "gbmo" (billed per month,
    so a day is 1/days-in-month of it), or a plain daily amount for kind "qty".
    pat is the daily pattern (see pattern_factor); months limits the series to
    one month ("sep" or "oct"), where first..last are the days it runs.
    """

    def __init__(self, acct, code, ut, unit, rate, qty, *, op="", kind="qty",
                 pat="flat", months="both", octf=1.0, trend=0.0, desc="",
                 rid="", team="", term="OnDemand", itype="", sc=None,
                 region=None, az="", nf="", ondemand=None, tag=True,
                 places=6, sp_disc=None, lit="Usage", first=1, last=31):
        self.acct = acct
        self.code = code
        self.ut = ut
        self.unit = unit
        self.rate = Decimal(rate)
        self.qty = qty
        self.op = op
        self.kind = kind          # hours (count x 24), gbmo (GB held), qty (per day)
        self.pat = pat
        self.months = months      # both, sep, oct
        self.octf = octf          # October level relative to September
        self.trend = trend        # relative growth per day since 2026-09-01
        self.desc = desc
        self.rid = rid
        self.team = team
        self.term = term
        self.itype = itype
        self.sc = sc or code
        self.region = region if region is not None else region_of(ut)
        self.az = az
        self.nf = nf
        self.ondemand = Decimal(ondemand) if ondemand else None
        self.tag = tag            # carries environment and team tags
        self.places = places
        self.sp_disc = Decimal(sp_disc) if sp_disc else None  # Savings Plan discount, if eligible
        self.lit = lit
        self.first = first        # first and last day, for one-month series
        self.last = last


def region_of(ut):
    head = ut.split("-", 1)[0] if "-" in ut else ""
    return PREFIX_REGION.get(head, "us-east-1")


def money(s):
    """Rate as AWS prints it in descriptions: at least 3 decimals."""
    d = Decimal(s).normalize()
    text = format(d, "f")
    if "." not in text:
        text += ".000"
    whole, frac = text.split(".")
    return whole + "." + frac.ljust(3, "0")


def loc(region):
    return REGION_LOCATION.get(region, "")


CATALOGUE = []


def S(*args, **kw):
    s = Series(*args, **kw)
    CATALOGUE.append(s)
    return s


def pre(prefix, name):
    return prefix + "-" + name if prefix else name


RESOURCE_SEEN = collections.Counter()


def resource_id(kind, acct, region, *parts):
    """A resource id as CUR writes it: i-0..., vol-0..., a snapshot or NAT
    gateway ARN; derived from the series, a second alike series gets another."""
    key = "|".join((kind, acct, region) + parts)
    RESOURCE_SEEN[key] += 1
    h = hashlib.sha256(("%s|%d" % (key, RESOURCE_SEEN[key])).encode()).hexdigest()
    if kind == "instance":
        return "i-0" + h[:16]
    if kind == "volume":
        return "vol-0" + h[:16]
    arn = "arn:aws:ec2:%s:%s:" % (region, ACCT[acct]["id"])
    if kind == "snapshot":
        return arn + "snapshot/snap-0" + h[:16]
    return arn + "natgateway/nat-0" + h[:16]


def ec2(acct, prefix, itype, count, pat, team, *, spot=False, windows=False,
        sp_disc=None, **kw):
    region = PREFIX_REGION.get(prefix, "us-east-1")
    size = itype.split(".")[1]
    od = EC2_PRICE[region][itype] if not windows else WINDOWS_PRICE[(region, itype)]
    if spot:
        rate = SPOT_PRICE[(region, itype)]
        ut = pre(prefix, "SpotUsage:" + itype)
        desc = "$%s per Linux/UNIX (Amazon VPC), %s Spot Instance-hour" % (money(rate), itype)
        op = "RunInstances:SV001"
        term = "Spot"
    else:
        rate = od
        ut = pre(prefix, "BoxUsage:" + itype)
        desc = "$%s per On Demand %s %s Instance Hour" % (
            money(rate), "Windows" if windows else "Linux", itype)
        op = "RunInstances:0002" if windows else "RunInstances"
        term = "OnDemand"
    az = kw.pop("az", region + "a")
    kw.setdefault("rid", resource_id("instance", acct, region, ut, team))
    return S(acct, "AmazonEC2", ut, "Hrs", rate, count, op=op, kind="hours",
             pat=pat, desc=desc, team=team, term=term, itype=itype, az=az,
             nf=SIZE_FACTOR.get(size, ""), ondemand=od, sp_disc=sp_disc, **kw)


def ebs(acct, prefix, what, gb, team, **kw):
    region = PREFIX_REGION.get(prefix, "us-east-1")
    prices = {
        "gp2": ("0.10", "0.11", "0.12"), "gp3": ("0.08", "0.088", "0.096"),
        "io2": ("0.125", "0.138", "0.142"), "st1": ("0.045", "0.05", "0.054"),
        "snap": ("0.05", "0.05", "0.05"),
    }
    col = 0 if region in ("us-east-1", "us-west-2") else (2 if region == "ap-northeast-1" else 1)
    rate = prices[what][col]
    where = loc(region)
    if what == "snap":
        ut = pre(prefix, "EBS:SnapshotUsage")
        desc = "$%s per GB-Month of snapshot data stored - %s" % (money(rate), where)
        op = "CreateSnapshot"
    else:
        ut = pre(prefix, "EBS:VolumeUsage." + what)
        name = {"gp2": "General Purpose SSD (gp2)", "gp3": "General Purpose (gp3)",
                "io2": "Provisioned IOPS SSD (io2)", "st1": "Throughput Optimized HDD (st1)"}[what]
        desc = "$%s per GB-month of %s provisioned storage - %s" % (money(rate), name, where)
        op = "CreateVolume-" + {"gp2": "Gp2", "gp3": "Gp3", "io2": "Io2", "st1": "St1"}[what]
    kw.setdefault("rid", resource_id("snapshot" if what == "snap" else "volume", acct,
                                     region, ut, team))
    return S(acct, "AmazonEC2", ut, "GB-Mo", rate, gb, op=op, kind="gbmo",
             desc=desc, team=team, **kw)


def nat(acct, prefix, count, gb_day, rate, team, pat="prod", octf_bytes=1.0, quoted=False):
    region = PREFIX_REGION.get(prefix, "us-east-1")
    rid = resource_id("natgateway", acct, region, team)
    S(acct, "AmazonEC2", pre(prefix, "NatGateway-Hours"), "Hrs", rate, count,
      op="NatGateway", kind="hours", desc="$%s per NAT Gateway Hour" % money(rate),
      team=team, az=region + "a", rid=rid)
    bdesc = ('USD %s per GB, "NAT Gateway" data processed' % money(rate)) if quoted else \
        "$%s per GB Data Processed by NAT Gateways" % money(rate)
    S(acct, "AmazonEC2", pre(prefix, "NatGateway-Bytes"), "GB", rate, gb_day,
      op="NatGateway", pat=pat, desc=bdesc, tag=False, octf=octf_bytes, az=region + "a",
      rid=rid)


def dt_out(acct, ut, gb_day, rate, desc, code="AmazonEC2", pat="prod", **kw):
    sc = "AWSDataTransfer"
    return S(acct, code, ut, "GB", rate, gb_day, op=kw.pop("op", "RunInstances"),
             pat=pat, desc=desc, sc=sc, tag=False, **kw)


def monthly(acct, code, ut, unit, rate, qty, desc, **kw):
    return S(acct, code, ut, unit, rate, qty, pat="first", desc=desc, **kw)


TEAM = {"prod": "platform", "staging": "platform", "dev": "web", "data": "data-eng",
        "shared": "security", "mgmt": "finance", "sandbox": "labs"}
COUNT_UNITS = ("Requests", "Queries", "Notifications", "Events", "Objects", "Evaluations",
               "ConfigurationItem", "Canary-runs", "Metrics", "Minutes", "API Requests", "IOs",
               "ReadRequestUnits", "WriteRequestUnits")


def build_catalogue():
    CATALOGUE.clear()
    A = "prod"
    # ---------------- production: compute ----------------
    ec2(A, "", "m5.xlarge", 30, "prod", "tracking", sp_disc="0.28")
    ec2(A, "", "c6i.4xlarge", 12, "prod", "routing", sp_disc="0.30", octf=1.08)
    ec2(A, "", "r5.xlarge", 16, "prod", "tracking", sp_disc="0.27", az="us-east-1b")
    ec2(A, "", "m5.2xlarge", 14, "prod", "web", octf=1.12)
    ec2(A, "", "c5.2xlarge", 24, "prod", "routing", spot=True, octf=1.15)
    ec2(A, "APN1", "c6g.2xlarge", 10, "prod", "routing", octf=0.42)
    ec2(A, "APN1", "c7g.2xlarge", 6, "prod", "routing", months="oct", first=6)
    ec2(A, "APN1", "m6g.xlarge", 8, "prod", "tracking")
    # storage
    ebs(A, "", "gp2", 22000, "platform", octf=0.68)
    ebs(A, "", "gp3", 48000, "platform", octf=1.22)
    ebs(A, "", "io2", 4000, "tracking")
    S(A, "AmazonEC2", "EBS:VolumeP-IOPS.io2", "IOPS-Mo", "0.065", 40000, op="CreateVolume-Io2",
      kind="gbmo", desc="$0.065 per IOPS-month provisioned (io2) - US East (N. Virginia)",
      team="tracking")
    ebs(A, "", "snap", 60000, "platform", trend=0.004)
    # network
    nat(A, "", 3, 2600, "0.045", "platform", quoted=True, octf_bytes=1.1)
    nat(A, "APN1", 3, 900, "0.062", "platform")
    dt_out(A, "DataTransfer-Out-Bytes", 1900, "0.09",
           "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier", octf=1.08)
    dt_out(A, "DataTransfer-Regional-Bytes", 5200, "0.01",
           "$0.010 per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB",
           op="InterZone-In")
    dt_out(A, "USE1-APN1-AWS-Out-Bytes", 420, "0.02",
           "$0.020 per GB - US East (Northern Virginia) data transfer to Asia Pacific (Tokyo)")
    S(A, "AmazonVPC", "PublicIPv4:InUseAddress", "Hrs", "0.005", 64, op="AssociateAddressVPC",
      kind="hours", desc="$0.005 per In-use public IPv4 address per hour", team="platform")
    S(A, "AmazonVPC", "VpcEndpoint-Hours", "Hrs", "0.01", 12, op="VpcEndpoint", kind="hours",
      desc="$0.01 per VPC Endpoint Hour", team="platform")
    S(A, "AWSELB", "LoadBalancerUsage", "Hrs", "0.0225", 8, op="LoadBalancing:Application",
      kind="hours", desc="$0.0225 per Application LoadBalancer-hour (or partial hour)", team="web")
    S(A, "AWSELB", "LCUUsage", "LCU-Hrs", "0.008", 1500, op="LoadBalancing:Application", pat="prod",
      desc="$0.008 per used Application load balancer capacity unit-hour (or partial hour)", team="web")
    # databases
    S(A, "AmazonRDS", "InstanceUsage:db.r6g.large", "Hrs", "0", 3, op="CreateDBInstance:0014",
      kind="hours", pat="ri", lit="DiscountedUsage", term="Reserved", itype="db.r6g.large",
      desc="PostgreSQL, db.r6g.large reserved instance applied", team="billing", nf="4",
      ondemand="0.225", az="us-east-1a",
      rid="arn:aws:rds:us-east-1:048213306571:db:larkspur-prod-billing")
    S(A, "AmazonRDS", "InstanceUsage:db.r6g.large", "Hrs", "0.225", 1, op="CreateDBInstance:0014",
      kind="hours", months="oct", first=10, itype="db.r6g.large", team="billing", nf="4",
      desc="$0.225 per RDS db.r6g.large instance hour (or partial hour) running PostgreSQL",
      az="us-east-1b", rid="arn:aws:rds:us-east-1:048213306571:db:larkspur-prod-billing-ro")
    S(A, "AmazonRDS", "Multi-AZUsage:db.r5.2xlarge", "Hrs", "2.00", 2, op="CreateDBInstance:0014",
      kind="hours", itype="db.r5.2xlarge", team="routing", nf="16",
      desc="$2.00 per RDS db.r5.2xlarge Multi-AZ instance hour (or partial hour) running PostgreSQL",
      rid="arn:aws:rds:us-east-1:048213306571:db:larkspur-prod-orders")
    S(A, "AmazonRDS", "RDS:ChargedBackupUsage", "GB-Mo", "0.095", 9000, op="CreateDBInstance:0014",
      kind="gbmo", team="routing", trend=0.003,
      desc="$0.095 per additional GB-month of backup storage exceeding free allocation running PostgreSQL")
    S(A, "AmazonRDS", "InstanceUsage:db.r6g.xlarge", "Hrs", "0.519", 3, op="CreateDBInstance:0021",
      kind="hours", itype="db.r6g.xlarge", team="tracking", nf="8",
      desc="$0.519 per RDS db.r6g.xlarge instance hour (or partial hour) running Aurora PostgreSQL")
    S(A, "AmazonRDS", "Aurora:StorageUsage", "GB-Mo", "0.10", 1200, op="CreateDBInstance:0021",
      kind="gbmo", team="tracking", trend=0.003,
      desc="$0.10 per GB-month of storage used by Aurora PostgreSQL")
    S(A, "AmazonRDS", "Aurora:StorageIOUsage", "IOs", "0.0000002", 400000000, op="CreateDBInstance:0021",
      pat="prod", team="tracking", places=0, octf=1.1,
      desc="$0.20 per 1 million I/O requests - Aurora PostgreSQL")
    S(A, "AmazonDynamoDB", "ReadRequestUnits", "ReadRequestUnits", "0.000000125", 700000000,
      op="PayPerRequestThroughput", pat="prod", places=0, team="tracking", octf=1.15,
      desc="$0.125 per million read request units (US East (N. Virginia))")
    S(A, "AmazonDynamoDB", "WriteRequestUnits", "WriteRequestUnits", "0.000000625", 130000000,
      op="PayPerRequestThroughput", pat="prod", places=0, team="tracking", octf=1.1,
      desc="$0.625 per million write request units (US East (N. Virginia))")
    S(A, "AmazonDynamoDB", "TimedStorage-ByteHrs", "GB-Mo", "0.25", 2400, op="StandardStorage",
      kind="gbmo", trend=0.003, team="tracking",
      desc="$0.25 per GB-Month of storage used beyond first 25 free GB-Months")
    S(A, "AmazonDynamoDB", "TimedBackupStorage-ByteHrs", "GB-Mo", "0.10", 12000, op="BackupStorage",
      kind="gbmo", trend=0.008, team="tracking", desc="$0.10 per GB-Month of on-demand backup storage")
    S(A, "AmazonElastiCache", "NodeUsage:cache.r6g.large", "Hrs", "0.206", 6, op="CreateCacheCluster:0002",
      kind="hours", itype="cache.r6g.large", team="tracking",
      desc="$0.206 per Cache r6g.large node hour (or partial hour) running Redis")
    S(A, "AmazonES", "ESInstance:r6g.large.search", "Hrs", "0.167", 6, op="ESDomain", kind="hours",
      itype="r6g.large.search", team="platform",
      desc="$0.167 per R6G.large.search instance hour (or partial hour)",
      rid="arn:aws:es:us-east-1:048213306571:domain/larkspur-prod-logs")
    # storage and logs
    S(A, "AmazonS3", "TimedStorage-ByteHrs", "GB-Mo", "0.023", 240000, op="StandardStorage",
      kind="gbmo", trend=0.002, team="tracking", rid="larkspur-prod-tracking-events",
      desc="$0.023 per GB - first 50 TB / month of storage used")
    S(A, "AmazonS3", "TimedStorage-INT-IA-ByteHrs", "GB-Mo", "0.0125", 90000,
      op="IntelligentTieringIAStorage", kind="gbmo", team="tracking", trend=0.004,
      desc="$0.0125 per GB-Month of storage used - Infrequent Access Tier")
    S(A, "AmazonS3", "Requests-Tier2", "Requests", "0.0000004", 40000000, op="GetObject",
      pat="prod", places=0, team="tracking",
      desc="$0.0004 per 1,000 GET and all other requests")
    monthly(A, "AmazonS3", "Monitoring-Automation-INT", "Objects", "0.0000025", 48000000,
            "$0.0025 per 1,000 objects monitored in Intelligent-Tiering",
            op="IntelligentTieringFAStorage", places=0, team="tracking")
    S(A, "AmazonCloudWatch", "DataProcessing-Bytes", "GB", "0.50", 260, op="PutLogEvents",
      pat="prod", octf=0.62, team="platform", desc="$0.50 per GB - Standard log data ingested")
    S(A, "AmazonCloudWatch", "DataProcessingIA-Bytes", "GB", "0.25", 105, op="PutLogEvents",
      pat="prod", months="oct", team="platform",
      desc="$0.25 per GB - Infrequent Access log data ingested")
    S(A, "AmazonCloudWatch", "TimedStorage-ByteHrs", "GB-Mo", "0.03", 38000, op="HourlyStorageMetering",
      kind="gbmo", trend=0.006, team="platform", desc="$0.03 per GB-mo of log storage")
    S(A, "AmazonCloudWatch", "CW:MetricMonitorUsage", "Metrics", "0.30", 9000, op="MetricStorage",
      kind="gbmo", team="platform", octf=1.05,
      desc="$0.30 per metric-month - first 10,000 metrics")
    S(A, "AmazonCloudWatch", "CW:Requests", "Requests", "0.00001", 5000000, op="GetMetricData",
      pat="prod", places=0, team="platform",
      desc="$0.01 per 1,000 metrics requested using GetMetricStatistics, ListMetrics, PutMetricData, "
           "GetDashboard, ListDashboards, PutDashboard and DeleteDashboards requests")
    # serverless and containers
    S(A, "AWSLambda", "Lambda-GB-Second", "Lambda-GB-Second", "0.0000166667", 6000000, op="Invoke",
      pat="prod", places=2, team="tracking", octf=0.85,
      desc="AWS Lambda - Total Compute - US East (N. Virginia)")
    S(A, "AWSLambda", "Lambda-GB-Second-ARM", "Lambda-GB-Second", "0.0000133334", 4000000, op="Invoke",
      pat="prod", places=2, team="tracking", octf=1.35,
      desc="AWS Lambda - Total Compute (Arm) - US East (N. Virginia)")
    S(A, "AWSLambda", "Request", "Requests", "0.0000002", 60000000, op="Invoke", pat="prod",
      places=0, team="tracking", desc="AWS Lambda - Total Requests - US East (N. Virginia)")
    S(A, "AmazonEKS", "AmazonEKS-Hours:perCluster", "Hrs", "0.10", 2, op="CreateOperation",
      kind="hours", team="platform", desc="Amazon EKS cluster usage in US East (N. Virginia)",
      rid="arn:aws:eks:us-east-1:048213306571:cluster/larkspur-prod-main")
    S(A, "AmazonECS", "Fargate-vCPU-Hours:perCPU", "hours", "0.04048", 960, op="FargateTask",
      pat="prod", places=4, team="web", desc="AWS Fargate - vCPU - US East (N. Virginia)")
    S(A, "AmazonECS", "Fargate-GB-Hours", "hours", "0.004445", 3840, op="FargateTask",
      pat="prod", places=4, team="web", desc="AWS Fargate - Memory - US East (N. Virginia)")
    S(A, "AmazonCloudFront", "US-DataTransfer-Out-Bytes", "GB", "0.085", 900, op="WebDistribution",
      pat="prod", region="", team="web",
      desc="$0.085 per GB - first 10 TB / month data transfer out (United States)")
    S(A, "AmazonCloudFront", "US-Requests-Tier2-HTTPS", "Requests", "0.000001", 20000000,
      op="WebDistribution", pat="prod", region="", places=0, team="web",
      desc="$0.010 per 10,000 HTTPS requests")
    S(A, "AmazonApiGateway", "ApiGatewayRequest", "Requests", "0.0000035", 25000000, op="ApiGatewayRequest",
      pat="prod", places=0, team="web", octf=1.06,
      desc="$3.50 per million API Gateway REST API requests for the first 333 million")
    # small services
    S(A, "AmazonRoute53", "DNS-Queries", "Queries", "0.0000004", 30000000, op="Query",
      pat="prod", region="", places=0, team="platform",
      desc="$0.40 per 1,000,000 queries for the first 1 Billion queries")
    S(A, "awskms", "KMS-Requests", "Requests", "0.000003", 20000000, op="DescribeKey",
      pat="prod", places=0, team="platform", octf=0.55,
      desc="$0.03 per 10,000 requests - US East (Northern Virginia)")
    S(A, "AWSSecretsManager", "AWSSecretsManager-Secrets", "Secrets", "0.40", 120, op="StorageSecret",
      kind="gbmo", team="platform", desc="$0.40 per secret per month")
    S(A, "AWSQueueService", "Requests-RBP", "Requests", "0.0000004", 150000000, op="ReceiveMessage",
      pat="prod", places=0, team="routing", desc="$0.40 per 1,000,000 Amazon SQS Standard Requests")
    monthly(A, "AmazonRoute53", "HostedZone", "HostedZone", "0.50", 25,
            "$0.50 per Hosted Zone for the first 25 Hosted Zones", region="", places=0,
            team="platform")
    monthly(A, "AmazonRoute53", "Health-Check-AWS", "Health-Check", "0.50", 10,
            "$0.50 per Health Check to AWS Endpoint", region="", places=0, team="platform")

    # ---------------- data (production environment) ----------------
    A = "data"
    ec2(A, "", "r5.2xlarge", 6, "flat", "data-eng")
    ec2(A, "", "r6i.4xlarge", 4, "batch", "data-eng", octf=1.2)
    ec2(A, "", "r5.2xlarge", 14, "batch", "data-eng", spot=True)
    ebs(A, "", "gp2", 15000, "data-eng")
    ebs(A, "", "st1", 20000, "data-eng", months="sep")
    nat(A, "", 2, 1400, "0.045", "data-eng", pat="batch")
    S(A, "AmazonS3", "TimedStorage-ByteHrs", "GB-Mo", "0.023", 250000, op="StandardStorage",
      kind="gbmo", trend=0.003, team="data-eng", rid="larkspur-data-lake-raw",
      desc="$0.023 per GB - first 50 TB / month of storage used")
    S(A, "AmazonS3", "TimedStorage-GlacierByteHrs", "GB-Mo", "0.0036", 300000, op="GlacierStorage",
      kind="gbmo", trend=0.002, team="data-eng",
      desc="$0.0036 per GB-Month of storage used - S3 Glacier Flexible Retrieval")
    S(A, "AmazonS3", "TimedStorage-GDA-ByteHrs", "GB-Mo", "0.00099", 500000, op="DeepArchiveStorage",
      kind="gbmo", team="data-eng", desc="$0.00099 per GB-Month of storage used - S3 Glacier Deep Archive")
    S(A, "AWSGlue", "USE1-ETL-DPU-Hour", "DPU-Hour", "0.44", 300, op="Jobrun", pat="batch",
      places=4, team="data-eng", octf=0.8,
      desc="$0.44 per Data Processing Unit-Hour for AWS Glue ETL job")
    S(A, "AWSGlue", "USE1-ETL-Flex-DPU-Hour", "DPU-Hour", "0.29", 140, op="Jobrun", pat="batch",
      places=4, team="data-eng", months="oct",
      desc="$0.29 per Data Processing Unit-Hour for AWS Glue Flex ETL job")
    S(A, "AmazonAthena", "USE1-DataScannedInTB", "Terabytes", "5.00", 5, op="RunQueries",
      pat="weekdayonly", places=6, team="data-eng", desc="$5.00 per TB of data scanned")
    S(A, "AmazonMSK", "USE1-Kafka.m5.large", "Hrs", "0.21", 3, op="RunBroker", kind="hours",
      itype="kafka.m5.large", team="data-eng", desc="$0.21 per Kafka.m5.large broker-hour")
    S(A, "AmazonKinesisFirehose", "BilledBytes", "GB", "0.029", 800, op="PutRecordBatch", pat="prod",
      team="data-eng", desc="$0.029 per GB of data ingested (first 500 TB / month)")

    # ---------------- staging ----------------
    A = "staging"
    ec2(A, "", "m5.large", 26, "flat", "platform", octf=0.55)
    ebs(A, "", "gp2", 14000, "platform", octf=0.9)
    S(A, "AmazonEC2", "NatGateway-Hours", "Hrs", "0.045", 2, op="NatGateway", kind="hours",
      desc="$0.045 per NAT Gateway Hour", team="platform", az="us-east-1a")
    S(A, "AmazonRDS", "Multi-AZUsage:db.m5.large", "Hrs", "0.342", 4, op="CreateDBInstance:0014",
      kind="hours", itype="db.m5.large", team="routing", nf="4",
      desc="$0.342 per RDS db.m5.large Multi-AZ instance hour (or partial hour) running PostgreSQL")
    S(A, "AmazonElastiCache", "NodeUsage:cache.m5.large", "Hrs", "0.156", 4, op="CreateCacheCluster:0002",
      kind="hours", itype="cache.m5.large", team="tracking",
      desc="$0.156 per Cache m5.large node hour (or partial hour) running Redis")
    S(A, "AmazonEKS", "AmazonEKS-Hours:extendedSupport", "Hrs", "0.60", 1, op="CreateOperation",
      kind="hours", team="platform",
      desc="Amazon EKS cluster extended support usage in US East (N. Virginia)",
      rid="arn:aws:eks:us-east-1:519377024816:cluster/larkspur-staging-main")
    S(A, "AWSELB", "LoadBalancerUsage", "Hrs", "0.0225", 4, op="LoadBalancing:Application",
      kind="hours", team="web", desc="$0.0225 per Application LoadBalancer-hour (or partial hour)")
    S(A, "AmazonVPC", "PublicIPv4:IdleAddress", "Hrs", "0.005", 8, op="AssociateAddressVPC",
      kind="hours", desc="$0.005 per Idle public IPv4 address per hour", team="platform")
    S(A, "AmazonVPC", "VpcEndpoint-Hours", "Hrs", "0.01", 8, op="VpcEndpoint", kind="hours",
      desc="$0.01 per VPC Endpoint Hour", team="platform")

    # ---------------- development ----------------
    A = "dev"
    ec2(A, "", "t3.large", 22, "flat", "web")            # runs all week
    ec2(A, "", "t3.medium", 30, "office", "routing")     # already stopped at weekends
    ec2(A, "", "m5.large", 12, "office", "tracking", octf=1.2)
    ec2(A, "", "t2.medium", 4, "flat", "billing", octf=0.5)
    ec2(A, "", "m4.xlarge", 3, "flat", "billing", months="sep")
    ebs(A, "", "gp2", 6000, "platform")
    ebs(A, "", "snap", 24000, "platform", trend=0.005)
    S(A, "AmazonEC2", "NatGateway-Hours", "Hrs", "0.045", 3, op="NatGateway", kind="hours",
      desc="$0.045 per NAT Gateway Hour", team="platform", az="us-east-1a")
    S(A, "AmazonRDS", "InstanceUsage:db.t3.medium", "Hrs", "0.072", 5, op="CreateDBInstance:0014",
      kind="hours", itype="db.t3.medium", team="routing", nf="2",
      desc="$0.072 per RDS db.t3.medium instance hour (or partial hour) running PostgreSQL")
    S(A, "AmazonRDS", "RDS:GP2-Storage", "GB-Mo", "0.115", 500, op="CreateDBInstance:0014",
      kind="gbmo", team="routing", desc="$0.115 per GB-month of provisioned GP2 storage running PostgreSQL")

    # ---------------- sandbox ----------------
    A = "sandbox"
    ec2(A, "", "t3.micro", 6, "flat", "labs")
    ec2(A, "", "t3.small", 4, "flat", "labs")
    ebs(A, "", "gp3", 1500, "labs")
    ec2(A, "", "p3.2xlarge", 1, "flat", "labs", months="sep", first=14, last=18)
    ec2(A, "", "g4dn.xlarge", 2, "office", "labs", months="oct", first=5)

    # ---------------- shared services ----------------
    A = "shared"
    ec2(A, "", "m5.xlarge", 2, "flat", "platform", windows=True)
    ec2(A, "", "c5.2xlarge", 8, "weekdayonly", "platform", spot=True)
    ebs(A, "", "gp3", 5000, "platform")
    S(A, "AmazonVPC", "TransitGateway-Hours", "Hrs", "0.05", 6, op="TransitGatewayVPC", kind="hours",
      desc="$0.05 per Transit Gateway attachment hour", team="platform")
    S(A, "AmazonVPC", "TransitGateway-Bytes", "GB", "0.02", 1500, op="TransitGatewayVPC", pat="prod",
      desc="$0.02 per GB - Transit Gateway data processed", tag=False)
    S(A, "AWSCodeBuild", "Build-Min:Linux:g1.small", "Minutes", "0.005", 9000, op="LinuxContainer",
      pat="weekdayonly", places=0, team="platform", desc="$0.005 per build-minute for general1.small")
    S(A, "AWSCodeBuild", "Build-Min:Linux:g1.medium", "Minutes", "0.01", 6000, op="LinuxContainer",
      pat="weekdayonly", places=0, team="platform", octf=0.7,
      desc="$0.01 per build-minute for general1.medium")
    S(A, "AWSCodeBuild", "Build-Min:ARM:g1.large", "Minutes", "0.015", 3000, op="ARMContainer",
      pat="weekdayonly", places=0, team="platform", months="oct",
      desc="$0.015 per build-minute for arm1.large")
    S(A, "AmazonS3", "TimedStorage-ByteHrs", "GB-Mo", "0.023", 150000, op="StandardStorage",
      kind="gbmo", trend=0.004, team="security", rid="larkspur-log-archive",
      desc="$0.023 per GB - first 50 TB / month of storage used")
    S(A, "AmazonCloudWatch", "DataProcessing-Bytes", "GB", "0.50", 80, op="PutLogEvents",
      pat="noisy", team="platform", desc="$0.50 per GB - Standard log data ingested")
    S(A, "AWSCloudTrail", "PaidEventsRecorded", "Events", "0.00002", 1500000, op="None", pat="prod",
      places=0, team="security",
      desc="$2.00 per 100,000 management events delivered (additional trails)")
    S(A, "AWSConfig", "ConfigurationItemRecorded", "ConfigurationItem", "0.003", 25000,
      op="RecordConfigurationItem", pat="prod", places=0, team="security",
      desc="$0.003 per Configuration Item recorded in US East (N. Virginia) region")
    S(A, "AmazonEFS", "TimedStorage-ByteHrs", "GB-Mo", "0.30", 1500, op="Storage", kind="gbmo",
      team="platform", desc="$0.30 per GB-Mo for Standard storage")
    S(A, "AWSDataTransfer", "USE1-USW2-AWS-Out-Bytes", "GB", "0.02", 700, op="PublicIP-Out",
      pat="prod", tag=False,
      desc="$0.020 per GB - US East (Northern Virginia) data transfer to US West (Oregon)")

    # ---------------- management (payer) ----------------
    A = "mgmt"
    S(A, "AmazonS3", "TimedStorage-ByteHrs", "GB-Mo", "0.023", 450, op="StandardStorage", kind="gbmo",
      trend=0.01, team="finance", rid="larkspur-billing-exports",
      desc="$0.023 per GB - first 50 TB / month of storage used")
    S(A, "AmazonAthena", "USE1-DataScannedInTB", "Terabytes", "5.00", 0.08, op="RunQueries",
      pat="weekdayonly", places=6, team="finance", desc="$5.00 per TB of data scanned")

    add_episodes()
    add_weekly()
    return CATALOGUE


def add_episodes():
    """Short-lived environments: a few consecutive days each."""
    episodes = [
        # account, month, first day, last day, team, [(code, usage type, unit, rate, qty, kind, op, desc)]
        ("prod", 10, 19, 22, "web", [  # EU load test
            ("AmazonEC2", "EU-BoxUsage:c5.xlarge", "Hrs", "0.192", 12, "hours", "RunInstances",
             "$0.192 per On Demand Linux c5.xlarge Instance Hour"),
            ("AWSELB", "EU-LoadBalancerUsage", "Hrs", "0.0252", 2, "hours", "LoadBalancing:Application",
             "$0.0252 per Application LoadBalancer-hour (or partial hour)"),
            ("AWSELB", "EU-LCUUsage", "LCU-Hrs", "0.008", 900, "qty", "LoadBalancing:Application",
             "$0.008 per used Application load balancer capacity unit-hour (or partial hour)"),
            ("AmazonEC2", "EU-NatGateway-Hours", "Hrs", "0.048", 2, "hours", "NatGateway",
             "$0.048 per NAT Gateway Hour"),
            ("AmazonEC2", "EU-NatGateway-Bytes", "GB", "0.048", 700, "qty", "NatGateway",
             "$0.048 per GB Data Processed by NAT Gateways"),
            ("AmazonEC2", "EU-DataTransfer-Out-Bytes", "GB", "0.09", 300, "qty", "RunInstances",
             "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier"),
            ("AmazonEC2", "EU-EBS:VolumeUsage.gp2", "GB-Mo", "0.11", 2400, "gbmo", "CreateVolume-Gp2",
             "$0.110 per GB-month of General Purpose SSD (gp2) provisioned storage - EU (Ireland)"),
            ("AmazonEC2", "EU-DataTransfer-Regional-Bytes", "GB", "0.01", 1100, "qty", "InterZone-In",
             "$0.010 per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB"),
            ("AmazonVPC", "EU-PublicIPv4:InUseAddress", "Hrs", "0.005", 14, "hours", "AssociateAddressVPC",
             "$0.005 per In-use public IPv4 address per hour"),
        ]),
        ("prod", 9, 15, 17, "routing", [  # Tokyo disaster-recovery drill
            ("AmazonEKS", "APN1-AmazonEKS-Hours:perCluster", "Hrs", "0.10", 1, "hours", "CreateOperation",
             "Amazon EKS cluster usage in Asia Pacific (Tokyo)"),
            ("AWSELB", "APN1-LoadBalancerUsage", "Hrs", "0.0243", 3, "hours", "LoadBalancing:Application",
             "$0.0243 per Application LoadBalancer-hour (or partial hour)"),
            ("AWSELB", "APN1-LCUUsage", "LCU-Hrs", "0.0081", 400, "qty", "LoadBalancing:Application",
             "$0.0081 per used Application load balancer capacity unit-hour (or partial hour)"),
            ("AmazonRDS", "APN1-InstanceUsage:db.r6g.large", "Hrs", "0.273", 2, "hours",
             "CreateDBInstance:0014",
             "$0.273 per RDS db.r6g.large instance hour (or partial hour) running PostgreSQL"),
            ("AmazonRDS", "APN1-RDS:GP3-Storage", "GB-Mo", "0.138", 1500, "gbmo", "CreateDBInstance:0014",
             "$0.138 per GB-month of provisioned GP3 storage running PostgreSQL"),
            ("AmazonElastiCache", "APN1-NodeUsage:cache.r6g.large", "Hrs", "0.262", 2, "hours",
             "CreateCacheCluster:0002",
             "$0.262 per Cache r6g.large node hour (or partial hour) running Redis"),
            ("AmazonEC2", "APN1-SpotUsage:c6g.2xlarge", "Hrs", "0.1187", 12, "hours", "RunInstances:SV001",
             "$0.1187 per Linux/UNIX (Amazon VPC), c6g.2xlarge Spot Instance-hour"),
            ("AmazonEC2", "APN1-EBS:VolumeUsage.gp3", "GB-Mo", "0.096", 3000, "gbmo", "CreateVolume-Gp3",
             "$0.096 per GB-month of General Purpose (gp3) provisioned storage - Asia Pacific (Tokyo)"),
            ("AmazonDynamoDB", "APN1-WriteRequestUnits", "WriteRequestUnits", "0.0000007125", 30000000,
             "qty", "PayPerRequestThroughput",
             "$0.7125 per million write request units (Asia Pacific (Tokyo))"),
            ("AmazonDynamoDB", "APN1-ReadRequestUnits", "ReadRequestUnits", "0.0000001425", 150000000,
             "qty", "PayPerRequestThroughput",
             "$0.1425 per million read request units (Asia Pacific (Tokyo))"),
            ("AmazonVPC", "APN1-PublicIPv4:InUseAddress", "Hrs", "0.005", 12, "hours",
             "AssociateAddressVPC", "$0.005 per In-use public IPv4 address per hour"),
            ("AWSLambda", "APN1-Lambda-GB-Second", "Lambda-GB-Second", "0.0000166667", 900000, "qty",
             "Invoke", "AWS Lambda - Total Compute - Asia Pacific (Tokyo)"),
            ("AmazonES", "APN1-ESInstance:r6g.large.search", "Hrs", "0.2", 3, "hours", "ESDomain",
             "$0.200 per R6G.large.search instance hour (or partial hour)"),
            ("AmazonVPC", "APN1-VpcEndpoint-Hours", "Hrs", "0.014", 6, "hours", "VpcEndpoint",
             "$0.014 per VPC Endpoint Hour"),
            ("AmazonEC2", "APN1-DataTransfer-Regional-Bytes", "GB", "0.01", 800, "qty", "InterZone-In",
             "$0.010 per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB"),
            ("AmazonCloudWatch", "APN1-DataProcessing-Bytes", "GB", "0.76", 45, "qty", "PutLogEvents",
             "$0.76 per GB - Standard log data ingested"),
            ("AmazonEC2", "APN1-EBS:SnapshotUsage", "GB-Mo", "0.05", 9000, "gbmo", "CreateSnapshot",
             "$0.050 per GB-Month of snapshot data stored - Asia Pacific (Tokyo)"),
        ]),
        ("prod", 9, 22, 24, "web", [  # CloudFront cut-over rehearsal for the Japan and EU storefronts
            ("AmazonCloudFront", "EU-DataTransfer-Out-Bytes", "GB", "0.085", 350, "qty", "WebDistribution",
             "$0.085 per GB - first 10 TB / month data transfer out (Europe)"),
            ("AmazonCloudFront", "JP-DataTransfer-Out-Bytes", "GB", "0.114", 150, "qty", "WebDistribution",
             "$0.114 per GB - first 10 TB / month data transfer out (Japan)"),
            ("AmazonCloudFront", "EU-Requests-Tier2-HTTPS", "Requests", "0.0000012", 8000000, "qty",
             "WebDistribution", "$0.012 per 10,000 HTTPS requests"),
            ("AmazonCloudFront", "JP-Requests-Tier2-HTTPS", "Requests", "0.0000012", 4000000, "qty",
             "WebDistribution", "$0.012 per 10,000 HTTPS requests"),
        ]),
        ("sandbox", 9, 8, 11, "labs", [
            ("AmazonEC2", "USW2-BoxUsage:g5.xlarge", "Hrs", "1.006", 1, "hours", "RunInstances",
             "$1.006 per On Demand Linux g5.xlarge Instance Hour"),
            ("AmazonEC2", "USW2-EBS:VolumeUsage.gp3", "GB-Mo", "0.08", 500, "gbmo", "CreateVolume-Gp3",
             "$0.080 per GB-month of General Purpose (gp3) provisioned storage - US West (Oregon)"),
        ]),
        ("sandbox", 10, 20, 24, "labs", [
            ("AmazonEC2", "USW2-BoxUsage:g5.xlarge", "Hrs", "1.006", 2, "hours", "RunInstances",
             "$1.006 per On Demand Linux g5.xlarge Instance Hour"),
            ("AmazonEC2", "USW2-EBS:VolumeUsage.gp3", "GB-Mo", "0.08", 1000, "gbmo", "CreateVolume-Gp3",
             "$0.080 per GB-month of General Purpose (gp3) provisioned storage - US West (Oregon)"),
            ("AmazonVPC", "USW2-PublicIPv4:InUseAddress", "Hrs", "0.005", 2, "hours", "AssociateAddressVPC",
             "$0.005 per In-use public IPv4 address per hour"),
            ("AmazonEC2", "USW2-EBS:SnapshotUsage", "GB-Mo", "0.05", 600, "gbmo", "CreateSnapshot",
             "$0.050 per GB-Month of snapshot data stored - US West (Oregon)"),
        ]),
        ("sandbox", 9, 22, 25, "labs", [
            ("AmazonEC2", "EUC1-BoxUsage:m6i.large", "Hrs", "0.115", 2, "hours", "RunInstances",
             "$0.115 per On Demand Linux m6i.large Instance Hour"),
            ("AmazonEC2", "EUC1-EBS:VolumeUsage.gp3", "GB-Mo", "0.0952", 200, "gbmo", "CreateVolume-Gp3",
             "$0.0952 per GB-month of General Purpose (gp3) provisioned storage - EU (Frankfurt)"),
            ("AmazonEC2", "EUC1-NatGateway-Hours", "Hrs", "0.052", 1, "hours", "NatGateway",
             "$0.052 per NAT Gateway Hour"),
            ("AmazonEC2", "EUC1-DataTransfer-Out-Bytes", "GB", "0.09", 12, "qty", "RunInstances",
             "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier"),
            ("AmazonVPC", "EUC1-PublicIPv4:InUseAddress", "Hrs", "0.005", 2, "hours", "AssociateAddressVPC",
             "$0.005 per In-use public IPv4 address per hour"),
            ("AWSELB", "EUC1-LoadBalancerUsage", "Hrs", "0.027", 1, "hours", "LoadBalancing:Application",
             "$0.027 per Application LoadBalancer-hour (or partial hour)"),
            ("AWSELB", "EUC1-LCUUsage", "LCU-Hrs", "0.008", 6, "qty", "LoadBalancing:Application",
             "$0.008 per used Application load balancer capacity unit-hour (or partial hour)"),
        ]),
        ("sandbox", 10, 13, 16, "labs", [
            ("AmazonEC2", "EU-BoxUsage:t3.medium", "Hrs", "0.0456", 3, "hours", "RunInstances",
             "$0.0456 per On Demand Linux t3.medium Instance Hour"),
            ("AmazonEC2", "EU-EBS:VolumeUsage.gp3", "GB-Mo", "0.088", 300, "gbmo", "CreateVolume-Gp3",
             "$0.088 per GB-month of General Purpose (gp3) provisioned storage - EU (Ireland)"),
        ]),
        ("sandbox", 9, 2, 4, "labs", [
            ("AmazonEC2", "APN1-BoxUsage:t3.medium", "Hrs", "0.0544", 2, "hours", "RunInstances",
             "$0.0544 per On Demand Linux t3.medium Instance Hour"),
            ("AmazonEC2", "APN1-EBS:VolumeUsage.gp2", "GB-Mo", "0.12", 200, "gbmo", "CreateVolume-Gp2",
             "$0.120 per GB-month of General Purpose SSD (gp2) provisioned storage - Asia Pacific (Tokyo)"),
        ]),
        ("dev", 10, 6, 9, "web", [
            ("AmazonEC2", "USW2-BoxUsage:t3.medium", "Hrs", "0.0416", 4, "hours", "RunInstances",
             "$0.0416 per On Demand Linux t3.medium Instance Hour"),
            ("AmazonEC2", "USW2-NatGateway-Hours", "Hrs", "0.045", 1, "hours", "NatGateway",
             "$0.045 per NAT Gateway Hour"),
            ("AmazonEC2", "USW2-NatGateway-Bytes", "GB", "0.045", 30, "qty", "NatGateway",
             "$0.045 per GB Data Processed by NAT Gateways"),
        ]),
        ("dev", 9, 15, 17, "web", [
            ("AmazonEC2", "USW2-BoxUsage:m6i.xlarge", "Hrs", "0.192", 2, "hours", "RunInstances",
             "$0.192 per On Demand Linux m6i.xlarge Instance Hour"),
            ("AmazonEC2", "USW2-DataTransfer-Out-Bytes", "GB", "0.09", 25, "qty", "RunInstances",
             "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier"),
        ]),
    ]
    for acct, month, first, last, team, items in episodes:
        region_az = None
        for code, ut, unit, rate, qty, kind, op, desc in items:
            region = region_of(ut) if code != "AmazonCloudFront" else ""
            sc = "AWSDataTransfer" if "DataTransfer" in ut and code == "AmazonEC2" else None
            itype = ""
            nf = ""
            term = "OnDemand"
            ondemand = None
            if ":" in ut and ("BoxUsage" in ut or "SpotUsage" in ut or "InstanceUsage" in ut
                              or "NodeUsage" in ut):
                itype = ut.split(":", 1)[1]
                nf = SIZE_FACTOR.get(itype.split(".")[-1], "")
            if "SpotUsage" in ut:
                term = "Spot"
                ondemand = EC2_PRICE[region][itype]
            az = region + "a" if code == "AmazonEC2" and region else ""
            places = 0 if unit in COUNT_UNITS else 4
            S(acct, code, ut, unit, rate, qty, op=op, kind=kind, months="sep" if month == 9 else "oct",
              first=first, last=last, desc=desc, team=team, sc=sc, region=region, itype=itype,
              nf=nf, term=term, ondemand=ondemand, az=az, places=places,
              pat="prod" if kind == "qty" else "flat")


def add_weekly():
    """Jobs and occasional usage on one weekday (0 = Monday ... 6 = Sunday)."""
    transfers = [
        ("prod", "AmazonEC2", "USE1-EUC1-AWS-Out-Bytes", 900, "0.02", 5,
         "US East (Northern Virginia) data transfer to EU (Frankfurt)"),
        ("prod", "AmazonEC2", "USE1-USW2-AWS-Out-Bytes", 1600, "0.02", 6,
         "US East (Northern Virginia) data transfer to US West (Oregon)"),
        ("prod", "AmazonEC2", "USE1-EU-AWS-Out-Bytes", 2400, "0.02", 6,
         "US East (Northern Virginia) data transfer to EU (Ireland)"),
        ("prod", "AmazonEC2", "APN1-USE1-AWS-Out-Bytes", 1800, "0.09", 6,
         "Asia Pacific (Tokyo) data transfer to US East (Northern Virginia)"),
        ("prod", "AmazonEC2", "APN1-EU-AWS-Out-Bytes", 140, "0.09", 2,
         "Asia Pacific (Tokyo) data transfer to EU (Ireland)"),
        ("prod", "AmazonEC2", "EU-USE1-AWS-Out-Bytes", 320, "0.02", 3,
         "EU (Ireland) data transfer to US East (Northern Virginia)"),
        ("data", "AmazonEC2", "USE1-APN1-AWS-Out-Bytes", 650, "0.02", 6,
         "US East (Northern Virginia) data transfer to Asia Pacific (Tokyo)"),
        ("data", "AmazonS3", "USE1-EU-AWS-Out-Bytes", 1200, "0.02", 0,
         "US East (Northern Virginia) data transfer to EU (Ireland)"),
        ("shared", "AmazonS3", "USE1-USW2-AWS-Out-Bytes", 2200, "0.02", 6,
         "US East (Northern Virginia) data transfer to US West (Oregon)"),
        ("shared", "AmazonEC2", "USW2-USE1-AWS-Out-Bytes", 180, "0.02", 1,
         "US West (Oregon) data transfer to US East (Northern Virginia)"),
        ("prod", "AmazonDynamoDB", "USE1-APN1-AWS-Out-Bytes", 90, "0.02", 4,
         "US East (Northern Virginia) data transfer to Asia Pacific (Tokyo)"),
    ]
    for acct, code, ut, gb, rate, wd, what in transfers:
        S(acct, code, ut, "GB", rate, gb, op="PublicIP-Out" if code == "AmazonEC2" else "",
          pat="weekly%d" % wd, sc="AWSDataTransfer", tag=False,
          desc="$%s per GB - %s" % (money(rate), what))
    S("prod", "AmazonEC2", "SpotUsage:c5.4xlarge", "Hrs", "0.2632", 40, op="RunInstances:SV001",
      kind="hours", pat="weekly6", team="routing", term="Spot", itype="c5.4xlarge", nf="32",
      ondemand="0.68", az="us-east-1c", desc="$0.2632 per Linux/UNIX (Amazon VPC), c5.4xlarge Spot Instance-hour")
    occasional = [
        # account, code, usage type, unit, rate, qty, weekday, operation, description
        ("prod", "AmazonDynamoDB", "ExportDataSize-Bytes", "GB", "0.10", 2400, 6,
         "ExportTableToPointInTime", "$0.10 per GB of data exported to Amazon S3"),
        ("prod", "AmazonRDS", "RDS:SnapshotExport", "GB", "0.012", 1500, 0, "SnapshotExport",
         "$0.012 per GB of snapshot size exported to Amazon S3"),
        ("prod", "AmazonS3", "Requests-Tier3", "Requests", "0.00003", 40000, 3, "RestoreObject",
         "$0.03 per 1,000 Glacier restore requests (Standard retrieval)"),
        ("prod", "AWSLambda", "EU-Lambda-GB-Second-ARM", "Lambda-GB-Second", "0.0000133334", 250000, 4,
         "Invoke", "AWS Lambda - Total Compute (Arm) - EU (Ireland)"),
        ("prod", "AWSLambda", "APN1-Request", "Requests", "0.0000002", 5000000, 4, "Invoke",
         "AWS Lambda - Total Requests - Asia Pacific (Tokyo)"),
        ("prod", "AWSLambda", "Lambda-Provisioned-Concurrency", "Lambda-GB-Second", "0.0000041667",
         8000000, 0, "Invoke", "AWS Lambda - Provisioned Concurrency - US East (N. Virginia)"),
        ("prod", "AmazonApiGateway", "APN1-ApiGatewayRequest", "Requests", "0.00000425", 2000000, 3,
         "ApiGatewayRequest", "$4.25 per million API Gateway REST API requests"),
        ("prod", "AmazonApiGateway", "ApiGatewayHttpRequest", "Requests", "0.000001", 20000000, 2,
         "ApiGatewayHttpApi", "$1.00 per million HTTP API requests for the first 300 million"),
        ("prod", "AmazonCloudWatch", "CW:GMD-Metrics", "Metrics", "0.00001", 6000000, 1,
         "GetMetricData", "$0.01 per 1,000 metrics requested using GetMetricData"),
        ("prod", "AmazonCloudWatch", "EU-DataProcessing-Bytes", "GB", "0.57", 20, 2,
         "PutLogEvents", "$0.57 per GB - Standard log data ingested"),
        ("prod", "AmazonCloudWatch", "CW:Canary-runs", "Canary-runs", "0.0012", 20000, 5,
         "Canary", "$0.0012 per canary run"),
        ("prod", "AmazonCloudWatch", "VendedLog-Bytes", "GB", "0.50", 500, 0, "PutLogEvents",
         "$0.50 per GB - Vended logs delivered to CloudWatch Logs"),
        ("prod", "AmazonSNS", "DeliveryAttempts-SMTP", "Notifications", "0.00002", 120000, 1,
         "Notification", "$2.00 per 100,000 Email/Email-JSON notifications"),
        ("prod", "AWSQueueService", "Requests-FIFO-RBP", "Requests", "0.0000005", 60000000, 0,
         "SendMessage", "$0.50 per 1,000,000 Amazon SQS FIFO Requests"),
        ("prod", "AWSQueueService", "APN1-Requests-RBP", "Requests", "0.0000004", 9000000, 2,
         "ReceiveMessage", "$0.40 per 1,000,000 Amazon SQS Standard Requests"),
        ("prod", "awskms", "APN1-KMS-Requests", "Requests", "0.000003", 2000000, 3,
         "Decrypt", "$0.03 per 10,000 requests - Asia Pacific (Tokyo)"),
        ("prod", "AWSSecretsManager", "AWSSecretsManager-APIRequest", "API Requests", "0.000005",
         3000000, 3, "GetSecretValue", "$0.05 per 10,000 API requests"),
        ("prod", "AmazonCloudFront", "US-Requests-Tier1", "Requests", "0.00000075", 3000000, 5,
         "WebDistribution", "$0.0075 per 10,000 HTTP requests"),
        ("prod", "AmazonRoute53", "Intra-AWS-DNS-Queries", "Queries", "0.0000004", 2000000, 6,
         "Query", "$0.40 per 1,000,000 queries for the first 1 Billion queries"),
        ("prod", "AmazonGuardDuty", "PaidLogsAnalyzed", "GB", "1.00", 380, 6, "FlowLogsAnalysis",
         "$1.00 per GB of VPC Flow and DNS Logs analyzed"),
        ("prod", "AmazonS3", "TimedStorage-INT-FA-ByteHrs", "GB-Mo", "0.023", 14000, 0,
         "IntelligentTieringFAStorage", "$0.023 per GB - first 50 TB / month of storage used - Frequent Access Tier"),
        ("staging", "AmazonApiGateway", "ApiGatewayRequest", "Requests", "0.0000035", 300000, 2,
         "ApiGatewayRequest", "$3.50 per million API Gateway REST API requests for the first 333 million"),
        ("staging", "AmazonS3", "Requests-Tier1", "Requests", "0.000005", 600000, 2,
         "PutObject", "$0.005 per 1,000 PUT, COPY, POST, or LIST requests"),
        ("staging", "AWSLambda", "Lambda-GB-Second-ARM", "Lambda-GB-Second", "0.0000133334", 200000, 3,
         "Invoke", "AWS Lambda - Total Compute (Arm) - US East (N. Virginia)"),
        ("staging", "AmazonES", "ESInstance:m6g.large.search", "Hrs", "0.128", 48, 2, "ESDomain",
         "$0.128 per M6G.large.search instance hour (or partial hour)"),
        ("staging", "AmazonCloudWatch", "CW:MetricMonitorUsage", "Metrics", "0.30", 70, 0,
         "MetricStorage", "$0.30 per metric-month - first 10,000 metrics"),
        ("dev", "AmazonDynamoDB", "WriteRequestUnits", "WriteRequestUnits", "0.000000625", 3000000, 2,
         "PayPerRequestThroughput", "$0.625 per million write request units (US East (N. Virginia))"),
        ("dev", "AWSCodeBuild", "Build-Min:Linux:g1.large", "Minutes", "0.02", 1200, 4,
         "LinuxContainer", "$0.02 per build-minute for general1.large"),
        ("dev", "AmazonAthena", "USE1-DataScannedInTB", "Terabytes", "5.00", 0.4, 3,
         "RunQueries", "$5.00 per TB of data scanned"),
        ("dev", "AmazonEC2", "CPUCredits:t3", "vCPU-Hours", "0.05", 60, 1, "RunInstances",
         "$0.05 per vCPU-Hour of T3 CPU Credits"),
        ("dev", "AmazonEKS", "AmazonEKS-Hours:perCluster", "Hrs", "0.10", 24, 2, "CreateOperation",
         "Amazon EKS cluster usage in US East (N. Virginia)"),
        ("dev", "AWSLambda", "Lambda-GB-Second", "Lambda-GB-Second", "0.0000166667", 900000, 3,
         "Invoke", "AWS Lambda - Total Compute - US East (N. Virginia)"),
        ("data", "AWSGlue", "USE1-Crawler-DPU-Hour", "DPU-Hour", "0.44", 36, 6, "CrawlerRun",
         "$0.44 per DPU-Hour for AWS Glue crawler"),
        ("data", "AWSGlue", "USE1-Catalog-Request", "Requests", "0.000001", 9000000, 0, "CatalogRequest",
         "$1.00 per million requests to the Glue Data Catalog"),
        ("data", "AmazonS3", "Inventory-ObjectsListed", "Objects", "0.0000000025", 900000000, 0,
         "S3Inventory", "$0.0025 per million objects listed in S3 Inventory"),
        ("data", "AmazonS3", "Retrieval-SIA", "GB", "0.01", 1800, 1, "GetObject",
         "$0.01 per GB - retrieval fee for Standard-Infrequent Access"),
        ("data", "AmazonS3", "EarlyDelete-SIA", "GB-Mo", "0.0125", 2200, 0, "StandardIAStorage",
         "$0.0125 per GB-Month prorated early delete - Standard-Infrequent Access"),
        ("data", "AmazonS3", "Requests-Tier2", "Requests", "0.0000004", 300000000, 0, "GetObject",
         "$0.0004 per 1,000 GET and all other requests"),
        ("data", "AmazonAthena", "APN1-DataScannedInTB", "Terabytes", "5.00", 0.6, 1,
         "RunQueries", "$5.00 per TB of data scanned"),
        ("data", "AmazonKinesisFirehose", "USE1-DataFormatConversion-Bytes", "GB", "0.018", 400, 2,
         "PutRecordBatch", "$0.018 per GB of data format conversion"),
        ("data", "AmazonMSK", "USE1-Kafka.Storage.GP2", "GB-Mo", "0.10", 700, 0, "RunVolume",
         "$0.10 per GB-month of broker storage"),
        ("data", "AmazonEFS", "IATimedStorage-ByteHrs", "GB-Mo", "0.016", 8000, 0, "Storage",
         "$0.016 per GB-Mo for Infrequent Access storage"),
        ("data", "AmazonEFS", "IADataAccess-Bytes", "GB", "0.01", 600, 0, "Storage",
         "$0.01 per GB for Infrequent Access data read"),
        ("shared", "AWSConfig", "ConfigRuleEvaluations", "Evaluations", "0.001", 160000, 1,
         "ConfigRuleEvaluation", "$0.001 per Config rule evaluation"),
        ("shared", "AWSConfig", "ConformancePackEvaluations", "Evaluations", "0.001", 20000, 1,
         "ConformancePackEvaluation", "$0.001 per conformance pack evaluation"),
        ("shared", "AWSConfig", "APN1-ConfigurationItemRecorded", "ConfigurationItem", "0.003", 4000, 1,
         "RecordConfigurationItem", "$0.003 per Configuration Item recorded in Asia Pacific (Tokyo) region"),
        ("shared", "AWSCloudTrail", "DataEventsRecorded", "Events", "0.000001", 200000000, 6, "None",
         "$0.10 per 100,000 data events delivered"),
        ("shared", "AWSCloudTrail", "APN1-PaidEventsRecorded", "Events", "0.00002", 200000, 1, "None",
         "$2.00 per 100,000 management events delivered (additional trails)"),
        ("shared", "AmazonGuardDuty", "PaidS3DataEventsAnalyzed", "Events", "0.0000008", 400000000, 6,
         "S3DataEventsAnalysis", "$0.80 per million S3 data events analyzed"),
        ("shared", "AmazonGuardDuty", "APN1-PaidLogsAnalyzed", "GB", "1.00", 6, 2,
         "FlowLogsAnalysis", "$1.00 per GB of VPC Flow and DNS Logs analyzed"),
        ("shared", "AmazonCloudWatch", "DataScanned-Bytes", "GB", "0.005", 3500, 2, "StartQuery",
         "$0.005 per GB of data scanned by CloudWatch Logs Insights queries"),
        ("shared", "AmazonSNS", "DeliveryAttempts-HTTP", "Notifications", "0.0000006", 400000, 4,
         "Notification", "$0.60 per 1 million HTTP notifications"),
        ("shared", "AmazonECR", "TimedStorage-ByteHrs", "GB-Mo", "0.10", 400, 1, "StorageUsage",
         "$0.10 per GB-month of data storage"),
        ("shared", "awskms", "KMS-Keys", "Keys", "1.00", 12, 0, "CreateKey",
         "$1 per customer managed key per month"),
        ("shared", "AmazonRoute53", "ResolverNetworkInterface", "Hrs", "0.125", 96, 3, "ResolverEndpoint",
         "$0.125 per Resolver endpoint elastic network interface-hour"),
        ("prod", "AmazonEC2", "EBS:FastSnapshotRestore", "DSU-Hrs", "0.75", 8, 6, "FastSnapshotRestore",
         "$0.75 per DSU-hour of Fast Snapshot Restore"),
        ("prod", "AmazonDynamoDB", "RestoreDataSize-Bytes", "GB", "0.15", 300, 2, "RestoreTableFromBackup",
         "$0.15 per GB of data restored"),
        ("prod", "AWSLambda", "Lambda-Edge-Request", "Requests", "0.0000006", 12000000, 5, "Invoke",
         "AWS Lambda@Edge - Total Requests"),
        ("prod", "AWSLambda", "Lambda-Edge-GB-Second", "Lambda-GB-Second", "0.00005001", 90000, 5, "Invoke",
         "AWS Lambda@Edge - Total Compute"),
        ("prod", "AmazonCloudFront", "Invalidations", "URL", "0.005", 600, 2, "Invalidation",
         "$0.005 per path requested for invalidation beyond the first 1,000 paths per month"),
        ("prod", "AmazonSNS", "Requests-Tier1", "Requests", "0.0000005", 30000000, 0, "Publish",
         "$0.50 per 1 million Amazon SNS requests"),
        ("data", "AWSGlue", "USE1-GlueInteractiveSession-DPU-Hour", "DPU-Hour", "0.44", 20, 3,
         "CreateSession", "$0.44 per DPU-Hour for AWS Glue interactive sessions"),
        ("shared", "awskms", "KMS-Requests-Asymmetric", "Requests", "0.000015", 200000, 3, "Sign",
         "$0.15 per 10,000 asymmetric requests"),
        ("shared", "AmazonVPC", "VPN-Usage-Hours:ipsec.1", "Hrs", "0.05", 24, 2, "CreateVpnConnection",
         "$0.05 per VPN Connection-Hour"),
        ("staging", "AmazonVPC", "VpcEndpoint-Bytes", "GB", "0.01", 3, 3, "VpcEndpoint",
         "$0.01 per GB - VPC Endpoint data processed"),
        ("shared", "AWSCloudTrail", "InsightsEvents", "Events", "0.0000035", 3000000, 0, "None",
         "$0.35 per 100,000 write management events analyzed by CloudTrail Insights"),
        ("staging", "AmazonRDS", "Aurora:ServerlessV2Usage", "ACU-Hr", "0.12", 96, 2,
         "CreateDBInstance:0021", "$0.12 per Aurora Capacity Unit hour running Aurora PostgreSQL Serverless v2"),
        ("data", "AmazonECS", "Fargate-ARM-vCPU-Hours:perCPU", "hours", "0.03238", 640, 6, "FargateTask",
         "AWS Fargate - ARM - vCPU - US East (N. Virginia)"),
        ("data", "AmazonECS", "Fargate-ARM-GB-Hours", "hours", "0.00356", 2560, 6, "FargateTask",
         "AWS Fargate - ARM - Memory - US East (N. Virginia)"),
        ("data", "AmazonECS", "Fargate-EphemeralStorage-GB-Hours", "hours", "0.000111", 4000, 6,
         "FargateTask", "AWS Fargate - Ephemeral Storage - US East (N. Virginia)"),
        ("mgmt", "AWSConfig", "ConfigurationItemRecorded", "ConfigurationItem", "0.003", 600, 1,
         "RecordConfigurationItem", "$0.003 per Configuration Item recorded in US East (N. Virginia) region"),
        ("mgmt", "AWSCloudTrail", "PaidEventsRecorded", "Events", "0.00002", 2000000, 0, "None",
         "$2.00 per 100,000 management events delivered (additional trails)"),
        ("mgmt", "AmazonS3", "Requests-Tier2", "Requests", "0.0000004", 2000000, 1, "GetObject",
         "$0.0004 per 1,000 GET and all other requests"),
    ]
    for acct, code, ut, unit, rate, q, wd, op, desc in occasional:
        places = 0 if unit in COUNT_UNITS else (6 if unit == "Terabytes" else 4)
        region = "" if code in ("AmazonCloudFront",) or ut in ("Intra-AWS-DNS-Queries",
                                                              "Lambda-Edge-Request",
                                                              "Lambda-Edge-GB-Second") else None
        S(acct, code, ut, unit, rate, q, op=op, pat="weekly%d" % wd, places=places, desc=desc,
          team=TEAM[acct], region=region)


# --------------------------------------------------------------------------
# Daily quantities
# --------------------------------------------------------------------------

def month_days(year, month):
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return [first + dt.timedelta(days=i) for i in range((nxt - first).days)]


def series_rng(s):
    return random.Random("%s|%s|%s|%s|%s|%s" % (SEED, s.acct, s.code, s.ut, s.op, s.lit))


def active(s, day):
    m = day.month
    if s.months == "sep" and m != 9:
        return False
    if s.months == "oct" and m != 10:
        return False
    if s.months != "both" and not (s.first <= day.day <= s.last):
        return False
    return True


def pattern_factor(s, day, rng):
    """Relative level for this day, or None when the series has no line."""
    wd = day.weekday()  # Monday 0 ... Sunday 6
    p = s.pat
    if p in ("flat", "ri"):
        return Decimal(1)
    if p == "first":
        return Decimal(1) if day.day == 1 else None
    if p == "prod":
        base = 1.0 if wd < 5 else 0.9
        return Decimal(repr(round(base * (1 + rng.uniform(-0.025, 0.025)), 4)))
    if p == "noisy":
        return Decimal(repr(round(1 + rng.uniform(-0.1, 0.1), 4)))
    if p == "batch":
        return Decimal(repr(round(1 + rng.uniform(-0.3, 0.3), 4)))
    if p == "weekday":
        if wd < 5:
            return Decimal(repr(round(1 + rng.uniform(-0.15, 0.15), 4)))
        return Decimal(repr(round(rng.uniform(0.05, 0.12), 4)))
    if p == "weekdayonly":
        if wd < 5:
            return Decimal(repr(round(1 + rng.uniform(-0.15, 0.15), 4)))
        return None
    if p.startswith("weekly"):
        if wd == int(p[6:]):
            return Decimal(repr(round(1 + rng.uniform(-0.1, 0.1), 4)))
        return None
    if p == "office":
        # stopped Friday 19:00 UTC, started Monday 07:00 UTC
        return {0: Decimal(17) / 24, 1: Decimal(1), 2: Decimal(1), 3: Decimal(1),
                4: Decimal(19) / 24}.get(wd, Decimal(0))
    raise ValueError("unknown pattern " + p)


def day_index(day):
    return (day - dt.date(2026, 9, 1)).days


def quantity(s, day, rng):
    """Usage amount of the series on this day (Decimal), or None."""
    f = pattern_factor(s, day, rng)  # drawn every day, so the stream does not depend on activity
    if not active(s, day) or f is None:
        return None
    level = Decimal(repr(s.qty))
    if day.month == 10 and s.months == "both":
        level *= Decimal(repr(s.octf))
    if s.trend:
        level *= 1 + Decimal(repr(s.trend)) * day_index(day)
    hours_in_month = Decimal(len(month_days(day.year, day.month)) * 24)
    if s.kind == "hours":
        q = level * 24 * f
        if s.pat == "office" and day.weekday() >= 5:
            # an instance or two left running for a couple of hours
            q = Decimal(rng.choice((0, 0, 0, 1, 2))) * Decimal("1.5")
        if s.months != "both" and day.day == s.first and s.first > 1:
            q *= Decimal("0.625")  # started mid-morning
        q = q.quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
    elif s.kind == "gbmo":
        q = (level * 24 / hours_in_month * f).quantize(Q10, ROUND_HALF_EVEN)
    else:
        q = (level * f).quantize(Decimal(1).scaleb(-s.places), ROUND_HALF_EVEN)
    if q <= 0:
        return None
    return q


# --------------------------------------------------------------------------
# Line items
# --------------------------------------------------------------------------

def q10(x):
    x = Decimal(x).quantize(Q10, ROUND_HALF_EVEN)
    return x if x != 0 else Decimal(0).quantize(Q10)


def new_row(s, day, lit, usage, rate, cost, **extra):
    row = {
        "acct": s.acct, "code": s.code, "ut": s.ut, "op": s.op, "lit": lit,
        "start": dt.datetime(day.year, day.month, day.day),
        "end": dt.datetime(day.year, day.month, day.day) + dt.timedelta(days=1),
        "usage": usage, "rate": rate, "cost": q10(cost), "desc": s.desc,
        "unit": s.unit, "region": s.region, "az": s.az, "rid": s.rid,
        "team": s.team if s.tag else "", "term": s.term, "itype": s.itype,
        "sc": s.sc, "nf": s.nf, "od_cost": None,
        "ri_arn": "", "ri_eff": None, "ri_unused_upfront": None, "ri_unused_recurring": None,
        "ri_amort_upfront": None,
        "sp_arn": "", "sp_eff": None, "sp_rate": None, "sp_total": None, "sp_used": None,
        "sku": sku(s.code, s.region, s.ut, s.op),
    }
    row.update(extra)
    return row


def sku(code, region, ut, op):
    h = hashlib.sha256(("%s|%s|%s|%s" % (code, region, ut, op)).encode()).digest()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(alphabet[b % 32] for b in h[:16])


SP_COMMITMENT_HOURLY = Decimal("12.50")
RI_COUNT = 3
RI_UPFRONT_HOURLY = Decimal("0.0719")
RI_RECURRING_HOURLY = Decimal("0.0740")
TAX_RATE = Decimal("0.06")


def daily_quantities(catalogue):
    """Usage amount per (series index, day) over both months, one random stream per series."""
    table = {}
    for i, s in enumerate(catalogue):
        rng = series_rng(s)
        for year, month in MONTHS:
            for day in month_days(year, month):
                q = quantity(s, day, rng)
                if q is not None:
                    table[(i, day)] = q
    return table


def generate_month(year, month, catalogue, table):
    rows = []
    days = month_days(year, month)
    sp_series = [s for s in catalogue if s.sp_disc is not None]
    ri_series = [s for s in catalogue if s.lit == "DiscountedUsage"]
    ri_used_hours = Decimal(0)
    for day in days:
        commitment = SP_COMMITMENT_HOURLY * 24
        remaining = commitment
        sp_used = Decimal(0)
        for i, s in enumerate(catalogue):
            q = table.get((i, day))
            if q is None:
                continue
            if s in ri_series:
                hours = Decimal(RI_COUNT * 24)
                if month == 9 and 8 <= day.day <= 14:
                    hours = Decimal(2 * 24)  # one instance stopped during a migration
                ri_used_hours += hours
                eff = hours * (RI_UPFRONT_HOURLY + RI_RECURRING_HOURLY)
                rows.append(new_row(s, day, "DiscountedUsage", hours, Decimal(0), 0,
                                    od_cost=q10(hours * s.ondemand), ri_arn=RI_ARN,
                                    ri_eff=q10(eff)))
                continue
            od_cost = q10(q * (s.ondemand or s.rate))
            if s in sp_series:
                sp_rate = (s.rate * (1 - s.sp_disc)).quantize(Decimal("0.0001"))
                full = q * sp_rate
                if full <= remaining:
                    covered = q
                else:
                    covered = (remaining / sp_rate).quantize(Decimal("0.0001"), ROUND_FLOOR)
                if covered > 0:
                    eff = q10(covered * sp_rate)
                    remaining -= eff
                    sp_used += eff
                    c_cost = q10(covered * s.rate)
                    rows.append(new_row(s, day, "SavingsPlanCoveredUsage", covered, s.rate, c_cost,
                                        od_cost=c_cost, sp_arn=SP_ARN, sp_eff=eff, sp_rate=sp_rate))
                    neg_desc = "SavingsPlanNegation used by AccountId : %s and UsageSku : %s" % (
                        ACCT[s.acct]["id"], sku(s.code, s.region, s.ut, s.op))
                    rows.append(new_row(s, day, "SavingsPlanNegation", covered, s.rate, -c_cost,
                                        od_cost=q10(0), sp_arn=SP_ARN, desc=neg_desc,
                                        sp_rate=sp_rate))
                rest = q - covered
                if rest > 0:
                    rows.append(new_row(s, day, "Usage", rest, s.rate, rest * s.rate,
                                        od_cost=q10(rest * s.rate)))
                continue
            rows.append(new_row(s, day, s.lit, q, s.rate, q * s.rate, od_cost=od_cost))
        # the Savings Plan's daily recurring fee
        fee = Series("prod", "ComputeSavingsPlans", "ComputeSP:1yrNoUpfront", "Hrs",
                     SP_COMMITMENT_HOURLY, 24, term="", region="",
                     desc="1 year No Upfront Compute Savings Plan", tag=False)
        rows.append(new_row(fee, day, "SavingsPlanRecurringFee", Decimal(24), SP_COMMITMENT_HOURLY,
                            commitment, sp_arn=SP_ARN, sp_total=q10(commitment),
                            sp_used=q10(sp_used), rid=SP_ARN))
    first = days[0]
    hours_in_month = Decimal(len(days) * 24)
    # the RDS reservation's monthly fee
    reserved = hours_in_month * RI_COUNT
    unused = reserved - ri_used_hours
    rifee = Series("prod", "AmazonRDS", "HeavyUsage:db.r6g.large", "Hrs", RI_RECURRING_HOURLY, 0,
                   op="CreateDBInstance:0014", term="Reserved", itype="db.r6g.large",
                   desc="USD %s hourly fee per PostgreSQL, db.r6g.large instance" % money(RI_RECURRING_HOURLY),
                   tag=False, nf="4")
    rows.append(monthly_row(rifee, first, "RIFee", reserved, RI_RECURRING_HOURLY,
                            reserved * RI_RECURRING_HOURLY, ri_arn=RI_ARN,
                            ri_unused_upfront=q10(unused * RI_UPFRONT_HOURLY),
                            ri_unused_recurring=q10(unused * RI_RECURRING_HOURLY),
                            ri_amort_upfront=q10(reserved * RI_UPFRONT_HOURLY), rid=RI_ARN))
    # one credit per month, one refund in October
    if month == 9:
        credit = Series("prod", "AmazonEC2", "", "", 0, 0, region="", term="", tag=False,
                        desc='AWS Promotional Credit, "Graviton Migration" program')
        rows.append(new_row(credit, dt.date(2026, 9, 30), "Credit", None, None, Decimal("-2500")))
    else:
        credit = Series("sandbox", "AmazonEC2", "", "", 0, 0, region="", term="", tag=False,
                        desc='AWS Promotional Credit, "Labs Experimentation" program')
        rows.append(new_row(credit, dt.date(2026, 10, 31), "Credit", None, None, Decimal("-750")))
        refund = Series("prod", "AmazonEC2", "NatGateway-Bytes", "", 0, 0, op="NatGateway",
                        region="us-east-1", term="", tag=False,
                        desc="Refund for NAT Gateway data processing billed twice, case 17284456301")
        rows.append(new_row(refund, dt.date(2026, 10, 14), "Refund", None, None,
                            Decimal("-318.4217500000")))
    # business support: tiered on the month's charges
    base = sum((r["cost"] for r in rows if r["lit"] not in ("Credit", "Refund", "Tax")), Decimal(0))
    support_fee = support_charge(base)
    support = Series("mgmt", "AWSSupportBusiness", "Dollar", "Dollar", 1, 0, region="", term="",
                     desc="AWS Support (Business)", tag=False)
    rows.append(monthly_row(support, first, "Fee", support_fee, Decimal(1), support_fee))
    # tax per account and product code
    bases = {}
    for r in rows:
        if r["lit"] in ("Credit", "Refund", "Tax"):
            continue
        key = (r["acct"], r["code"])
        bases[key] = bases.get(key, Decimal(0)) + r["cost"]
    for (acct, code), amount in sorted(bases.items(), key=lambda kv: (ACCT[kv[0][0]]["id"], kv[0][1])):
        if amount <= 0:
            continue
        t = Series(acct, code, "", "", 0, 0, region="", term="", tag=False,
                   desc="Tax for product code %s" % code)
        rows.append(monthly_row(t, first, "Tax", None, None, amount * TAX_RATE))
    return rows


def monthly_row(s, first, lit, usage, rate, cost, **extra):
    row = new_row(s, first, lit, usage, rate, cost, **extra)
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    row["end"] = dt.datetime(nxt.year, nxt.month, nxt.day)
    return row


def support_charge(base):
    tiers = ((Decimal(10000), Decimal("0.10")), (Decimal(80000), Decimal("0.07")),
             (Decimal(250000), Decimal("0.05")), (None, Decimal("0.03")))
    fee, lower = Decimal(0), Decimal(0)
    for upper, pct in tiers:
        top = base if upper is None else min(base, upper)
        if top > lower:
            fee += (top - lower) * pct
        lower = upper if upper is not None else lower
    return q10(max(fee, Decimal(100)))


def amortized(r):
    lit = r["lit"]
    if lit == "SavingsPlanCoveredUsage":
        return r["sp_eff"]
    if lit == "SavingsPlanRecurringFee":
        return r["sp_total"] - r["sp_used"]
    if lit in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
        return Decimal(0)
    if lit == "DiscountedUsage":
        return r["ri_eff"]
    if lit == "RIFee":
        return r["ri_unused_upfront"] + r["ri_unused_recurring"]
    return r["cost"]


def scale_rows(rows, n):
    """Split each usage line into n resource-level lines with the same totals."""
    if n <= 1:
        return rows
    out = []
    split_fields = ("usage", "cost", "od_cost", "ri_eff", "sp_eff")
    for r in rows:
        if r["lit"] not in ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage",
                            "SavingsPlanNegation"):
            out.append(r)
            continue
        parts = [dict(r) for _ in range(n)]
        for f in split_fields:
            v = r[f]
            if v is None:
                continue
            step = Decimal(1).scaleb(v.as_tuple().exponent) if f == "usage" else Q10
            share = (v / n).quantize(step, ROUND_HALF_EVEN)
            for p in parts[:-1]:
                p[f] = share
            parts[-1][f] = v - share * (n - 1)
        base = r["rid"] or "%s-%s" % (r["acct"], r["ut"].replace(":", "-").lower())
        for i, p in enumerate(parts):
            p["rid"] = "%s/%04d" % (base, i + 1)
            p["part"] = i + 1
        out.extend(parts)
    return out


# --------------------------------------------------------------------------
# Output formats
# --------------------------------------------------------------------------

def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def num(x):
    return "" if x is None else format(q10(x), "f")


def usage_text(x):
    """Usage amounts without trailing zeros, but with at least one decimal (24.0, 0.0322580645)."""
    if x is None:
        return ""
    text = format(q10(x).normalize(), "f")
    return text if "." in text else text + ".0"


def line_item_id(r, year, month):
    key = "%04d-%02d|%s|%s|%s|%s|%s|%s|%s|%s" % (
        year, month, ACCT[r["acct"]]["id"], r["code"], r["ut"], r["op"], r["lit"],
        iso(r["start"]), r["rid"], r.get("part", 0))
    return base64.b32encode(hashlib.sha256(key.encode()).digest()).decode().rstrip("=").lower()[:52]


def sort_key(r):
    return (r["start"], ACCT[r["acct"]]["id"], r["code"], r["ut"], r["lit"], r["op"], r["rid"])


def period_bounds(year, month):
    start = dt.datetime(year, month, 1)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1)
    return start, end


CUR2_COLUMNS = sorted([
    "identity_line_item_id", "identity_time_interval",
    "bill_bill_type", "bill_billing_entity", "bill_billing_period_start_date",
    "bill_billing_period_end_date", "bill_invoice_id", "bill_invoicing_entity",
    "bill_payer_account_id", "bill_payer_account_name",
    "line_item_usage_account_id", "line_item_usage_account_name", "line_item_line_item_type",
    "line_item_usage_start_date", "line_item_usage_end_date", "line_item_product_code",
    "line_item_usage_type", "line_item_operation", "line_item_availability_zone",
    "line_item_resource_id", "line_item_usage_amount", "line_item_normalization_factor",
    "line_item_currency_code", "line_item_unblended_rate", "line_item_unblended_cost",
    "line_item_blended_rate", "line_item_blended_cost", "line_item_net_unblended_cost",
    "line_item_line_item_description", "line_item_legal_entity",
    "product", "product_servicecode", "product_region_code", "product_instance_type",
    "pricing_term", "pricing_unit", "pricing_public_on_demand_cost",
    "reservation_reservation_a_r_n", "reservation_effective_cost",
    "reservation_amortized_upfront_fee_for_billing_period",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
    "savings_plan_savings_plan_a_r_n", "savings_plan_savings_plan_effective_cost",
    "savings_plan_savings_plan_rate", "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "resource_tags", "cost_category", "discount",
])

LEGACY_COLUMNS = [
    "identity/LineItemId", "identity/TimeInterval", "bill/PayerAccountId",
    "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
    "lineItem/UsageEndDate", "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation",
    "lineItem/AvailabilityZone", "lineItem/ResourceId", "lineItem/UsageAmount",
    "lineItem/CurrencyCode", "lineItem/UnblendedRate", "lineItem/UnblendedCost",
    "lineItem/BlendedCost", "lineItem/LineItemDescription", "product/ProductName",
    "product/region", "product/servicecode", "pricing/term", "pricing/unit",
    "reservation/ReservationARN", "reservation/EffectiveCost",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation/UnusedRecurringFee",
    "savingsPlan/SavingsPlanARN", "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/TotalCommitmentToDate", "savingsPlan/UsedCommitment",
    "resourceTags/user:environment", "resourceTags/user:team", "costCategory/CostCenter",
]

FOCUS_COLUMNS = [
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
    "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
    "CommitmentDiscountId", "ConsumedQuantity", "ConsumedUnit", "EffectiveCost",
    "InvoiceIssuerName", "ListCost", "PricingCategory", "PricingQuantity", "PricingUnit",
    "ProviderName", "PublisherName", "RegionId", "ResourceId", "ServiceCategory", "ServiceName",
    "SkuId", "SubAccountId", "SubAccountName", "Tags", "x_Operation", "x_ServiceCode",
    "x_UsageType",
]


def tags_of(r):
    if not r["team"]:
        return {}
    return {"environment": ACCT[r["acct"]]["env"], "team": r["team"]}


# the organisation's cost category "CostCenter", by team; untagged lines and the labs team
# have none
COST_CENTER = {
    "web": "CC-100 Digital", "routing": "CC-200 Logistics", "tracking": "CC-200 Logistics",
    "platform": "CC-300 Shared", "security": "CC-300 Shared", "data-eng": "CC-400 Data",
    "billing": "CC-500 Finance", "finance": "CC-500 Finance",
}


def cost_center(r):
    return COST_CENTER.get(r["team"], "")


def product_map(r):
    m = {"product_name": PRODUCTS[r["code"]][0]}
    if r["region"]:
        m["region"] = r["region"]
    m["servicecode"] = r["sc"]
    if r["itype"]:
        m["instance_type"] = r["itype"]
    if r["ut"]:
        m["usagetype"] = r["ut"]
    return m


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def cur2_record(r, year, month):
    ps, pe = period_bounds(year, month)
    a = ACCT[r["acct"]]
    t = tags_of(r)
    rate = r["rate"]
    rec = {
        "identity_line_item_id": line_item_id(r, year, month),
        "identity_time_interval": "%s/%s" % (iso(r["start"]), iso(r["end"])),
        "bill_bill_type": "Anniversary",
        "bill_billing_entity": "AWS",
        "bill_billing_period_start_date": iso(ps),
        "bill_billing_period_end_date": iso(pe),
        "bill_invoice_id": INVOICE[(year, month)],
        "bill_invoicing_entity": "Amazon Web Services, Inc.",
        "bill_payer_account_id": PAYER_ID,
        "bill_payer_account_name": PAYER_NAME,
        "line_item_usage_account_id": a["id"],
        "line_item_usage_account_name": a["name"],
        "line_item_line_item_type": r["lit"],
        "line_item_usage_start_date": iso(r["start"]),
        "line_item_usage_end_date": iso(r["end"]),
        "line_item_product_code": r["code"],
        "line_item_usage_type": r["ut"],
        "line_item_operation": r["op"],
        "line_item_availability_zone": r["az"],
        "line_item_resource_id": r["rid"],
        "line_item_usage_amount": usage_text(r["usage"]),
        "line_item_normalization_factor": r["nf"],
        "line_item_currency_code": "USD",
        "line_item_unblended_rate": num(rate),
        "line_item_unblended_cost": num(r["cost"]),
        "line_item_blended_rate": num(rate),
        "line_item_blended_cost": num(r["cost"]),
        "line_item_net_unblended_cost": num(r["cost"]),
        "line_item_line_item_description": r["desc"].replace("\n", " "),
        "line_item_legal_entity": "Amazon Web Services, Inc.",
        "product": dumps(product_map(r)),
        "product_servicecode": r["sc"] if r["lit"] != "Tax" else r["code"],
        "product_region_code": r["region"],
        "product_instance_type": r["itype"],
        "pricing_term": r["term"],
        "pricing_unit": r["unit"],
        "pricing_public_on_demand_cost": num(r["od_cost"]),
        "reservation_reservation_a_r_n": r["ri_arn"],
        "reservation_effective_cost": num(r["ri_eff"]),
        "reservation_amortized_upfront_fee_for_billing_period": num(r["ri_amort_upfront"]),
        "reservation_unused_amortized_upfront_fee_for_billing_period": num(r["ri_unused_upfront"]),
        "reservation_unused_recurring_fee": num(r["ri_unused_recurring"]),
        "savings_plan_savings_plan_a_r_n": r["sp_arn"],
        "savings_plan_savings_plan_effective_cost": num(r["sp_eff"]),
        "savings_plan_savings_plan_rate": num(r["sp_rate"]),
        "savings_plan_total_commitment_to_date": num(r["sp_total"]),
        "savings_plan_used_commitment": num(r["sp_used"]),
        "resource_tags": dumps({"user:" + k: v for k, v in t.items()}),
        "cost_category": dumps({"CostCenter": cost_center(r)} if cost_center(r) else {}),
        "discount": "{}",
    }
    return [rec[c] for c in CUR2_COLUMNS]


def legacy_record(r, year, month):
    ps, pe = period_bounds(year, month)
    t = tags_of(r)
    return [
        line_item_id(r, year, month),
        "%s/%s" % (iso(r["start"]), iso(r["end"])),
        PAYER_ID, iso(ps), iso(pe),
        ACCT[r["acct"]]["id"], r["lit"], iso(r["start"]), iso(r["end"]),
        r["code"], r["ut"], r["op"], r["az"], r["rid"], usage_text(r["usage"]),
        "USD", num(r["rate"]), num(r["cost"]), num(r["cost"]),
        r["desc"].replace("\n", " "),
        PRODUCTS[r["code"]][0], r["region"], r["sc"] if r["lit"] != "Tax" else r["code"],
        r["term"], r["unit"],
        r["ri_arn"], num(r["ri_eff"]), num(r["ri_unused_upfront"]), num(r["ri_unused_recurring"]),
        r["sp_arn"], num(r["sp_eff"]), num(r["sp_total"]), num(r["sp_used"]),
        t.get("environment", ""), t.get("team", ""), cost_center(r),
    ]


CHARGE_CATEGORY = {
    "Usage": "Usage", "DiscountedUsage": "Usage", "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage", "RIFee": "Purchase", "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase", "Fee": "Purchase", "Tax": "Tax", "Credit": "Credit",
    "Refund": "Credit",
}


def focus_record(r, year, month):
    ps, pe = period_bounds(year, month)
    a = ACCT[r["acct"]]
    lit = r["lit"]
    cat = CHARGE_CATEGORY.get(lit, "Usage")
    null = "NULL"
    start = iso(r["start"])
    if r["start"].day == 2:
        start = r["start"].strftime("%Y-%m-%d %H:%M:%S")
    if lit in ("SavingsPlanCoveredUsage", "SavingsPlanNegation", "SavingsPlanRecurringFee"):
        cdc, cdi = "Spend", r["sp_arn"]
    elif lit in ("DiscountedUsage", "RIFee"):
        cdc, cdi = "Usage", r["ri_arn"]
    elif lit in ("Credit", "Refund"):
        cdc, cdi = null, null
    else:
        cdc, cdi = "", ""
    if lit in ("Usage",) and r["term"] == "Spot":
        pcat = "Dynamic"
    elif lit in ("Usage",):
        pcat = "Standard"
    elif lit in ("SavingsPlanCoveredUsage", "SavingsPlanNegation", "DiscountedUsage", "RIFee",
                 "SavingsPlanRecurringFee"):
        pcat = "Committed"
    elif lit == "Fee":
        pcat = "Standard"
    else:
        pcat = ""
    if lit in ("SavingsPlanRecurringFee", "RIFee", "Fee"):
        freq = "Recurring"
    elif lit in ("Tax", "Credit", "Refund"):
        freq = "One-Time"
    else:
        freq = "Usage-Based"
    if cat == "Usage":
        consumed, cunit = usage_text(r["usage"]), r["unit"]
    elif lit in ("Credit", "Refund"):
        consumed, cunit = null, null
    else:
        consumed, cunit = "", ""
    if lit in ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation"):
        list_cost = r["od_cost"] if r["od_cost"] is not None else r["cost"]
    elif lit in ("Credit", "Refund"):
        list_cost = Decimal(0)
    else:
        list_cost = r["cost"]
    t = tags_of(r)
    # a few empty optional values written as the literal NULL, as some real exports do
    sparse_nulls = lit == "Fee" or (lit == "Tax" and r["acct"] == "mgmt")
    az = r["az"] or (null if sparse_nulls else "")
    rid = r["rid"] or (null if sparse_nulls else "")
    desc = r["desc"]
    if lit == "Refund":
        desc = "Refund for NAT Gateway data processing billed twice\n(support case 17284456301)"
    return [
        az, num(r["cost"]), PAYER_ID, PAYER_NAME, "USD", iso(pe), iso(ps), cat,
        "Correction" if lit == "Refund" else "", desc, freq, iso(r["end"]), start, cdc, cdi,
        consumed, cunit, num(amortized(r)), "AWS", num(list_cost), pcat, usage_text(r["usage"]),
        r["unit"], "AWS", "AWS", r["region"], rid, PRODUCTS[r["code"]][1], PRODUCTS[r["code"]][0],
        r["sku"] if lit not in ("Tax", "Credit", "Refund") else "", a["id"], a["name"],
        dumps(t), r["op"], r["code"], r["ut"],
    ]


def csv_bytes(header, records, newline):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(records)
    return buf.getvalue().encode("utf-8")


def write_file(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def gzip_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as g:
        g.write(data)
    return buf.getvalue()


def uuid_of(text):
    h = hashlib.sha256(text.encode()).hexdigest()
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])


def write_cur2(out, year, month, rows):
    period = "%04d-%02d" % (year, month)
    records = [cur2_record(r, year, month) for r in rows]
    nparts = 2 if month % 2 else 3
    size = (len(records) + nparts - 1) // nparts
    names = []
    for i in range(nparts):
        name = "larkspur-cur2-%05d.csv.gz" % (i + 1)
        names.append(name)
        data = csv_bytes(CUR2_COLUMNS, records[i * size:(i + 1) * size], "\n")
        write_file(os.path.join(out, "cur2", "data", "BILLING_PERIOD=" + period, name), gzip_bytes(data))
    ps, pe = period_bounds(year, month)
    export_arn = "arn:aws:bcm-data-exports:us-east-1:%s:export/larkspur-cur2-%s" % (
        PAYER_ID, uuid_of("export"))
    manifest = {
        "bucket": "larkspur-billing-exports",
        "dataFiles": ["s3://larkspur-billing-exports/cur2/larkspur-cur2/data/BILLING_PERIOD=%s/%s"
                      % (period, n) for n in names],
        "billingPeriod": {"start": ps.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                          "end": pe.strftime("%Y-%m-%dT%H:%M:%S.000Z")},
        "executionId": uuid_of("execution-" + period),
        "exportArn": export_arn,
        "exportName": "larkspur-cur2",
        "exportTime": (pe + dt.timedelta(days=2, hours=6, minutes=12)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "format": "TEXT_OR_CSV",
        "compression": "GZIP",
        "rowCount": len(records),
        "schema": [{"name": c, "type": ("map<string,string>" if c in (
            "product", "resource_tags", "cost_category", "discount") else "string")}
            for c in CUR2_COLUMNS],
    }
    write_file(os.path.join(out, "cur2", "metadata", "BILLING_PERIOD=" + period,
                            "larkspur-cur2-Manifest.json"),
               (json.dumps(manifest, indent=2) + "\n").encode())


def legacy_type(column):
    name = column.split("/", 1)[1]
    if name == "TimeInterval":
        return "Interval"
    if name.endswith("Date"):
        return "DateTime"
    if name.endswith(("Amount", "Rate", "Cost", "Fee", "BillingPeriod", "Commitment", "ToDate")):
        return "OptionalBigDecimal"
    return "String"


def write_legacy(out, year, month, rows):
    ps, pe = period_bounds(year, month)
    folder = "%s-%s" % (ps.strftime("%Y%m%d"), pe.strftime("%Y%m%d"))
    records = [legacy_record(r, year, month) for r in rows]
    write_file(os.path.join(out, "legacy-cur", folder, "larkspur-legacy-1.csv"),
               csv_bytes(LEGACY_COLUMNS, records, "\r\n"))
    assembly = uuid_of("assembly-" + folder)
    cols = []
    for c in LEGACY_COLUMNS:
        cat, name = c.split("/", 1)
        cols.append({"category": cat, "name": name, "type": legacy_type(c)})
    manifest = {
        "assemblyId": assembly,
        "account": PAYER_ID,
        "columns": cols,
        "charset": "UTF-8",
        "compression": "NONE",
        "contentType": "text/csv",
        "reportId": hashlib.sha256(b"larkspur-legacy").hexdigest(),
        "reportName": "larkspur-legacy",
        "billingPeriod": {"start": ps.strftime("%Y%m%dT%H%M%S.000Z"),
                          "end": pe.strftime("%Y%m%dT%H%M%S.000Z")},
        "bucket": "larkspur-billing-legacy",
        "reportKeys": ["legacy/larkspur-legacy/%s/%s/larkspur-legacy-1.csv" % (folder, assembly)],
        "additionalArtifactKeys": [],
    }
    write_file(os.path.join(out, "legacy-cur", folder, "larkspur-legacy-Manifest.json"),
               (json.dumps(manifest, indent=2) + "\n").encode())


def write_focus(out, year, month, rows):
    records = [focus_record(r, year, month) for r in rows]
    data = csv_bytes(FOCUS_COLUMNS, records, "\n")
    write_file(os.path.join(out, "focus", "larkspur-focus-%04d-%02d.csv" % (year, month)),
               b"\xef\xbb\xbf" + data)


# ---- the same months in Parquet ------------------------------------------------

def parquet_writer():
    """tests/tools/parquet_writer.py: a small deterministic Parquet writer."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                    "tools"))
    import parquet_writer
    return parquet_writer


def athena_name(column):
    """lineItem/UsageAccountId as Athena names legacy CUR columns: line_item_usage_account_id."""
    parts = []
    for part in column.split("/"):
        if ":" in part:
            parts.append(part.replace(":", "_").lower())
        else:
            parts.append("".join("_" + c.lower() if c.isupper() else c for c in part).lstrip("_"))
    return "_".join(parts)


def epoch_micros(text):
    t = dt.datetime.strptime(text.rstrip("Z").replace("T", " "), "%Y-%m-%d %H:%M:%S")
    return int((t - dt.datetime(1970, 1, 1)).total_seconds()) * 1000000


def parquet_column(pw, name, kind, texts):
    """A column of the typed Parquet file; empty and NULL texts are nulls."""
    vals = [None if t in ("", "NULL") else t for t in texts]
    if kind == "timestamp":
        return pw.Column(name, pw.INT64, [None if v is None else epoch_micros(v) for v in vals],
                         logical=pw.TIMESTAMP("MICROS"), dictionary=True, codec="GZIP")
    if kind == "double":
        return pw.Column(name, pw.DOUBLE, [None if v is None else float(v) for v in vals],
                         codec="GZIP")
    if kind == "decimal":
        return pw.Column(name, pw.FLBA,
                         [None if v is None else
                          int(decimal.Decimal(v).scaleb(10)).to_bytes(16, "big", signed=True)
                          for v in vals], type_length=16, logical=pw.DECIMAL(10, 38),
                         codec="GZIP")
    return pw.Column(name, pw.BYTE_ARRAY, [None if v is None else v.encode() for v in vals],
                     logical=pw.STRING, dictionary=True, codec="GZIP")


def write_legacy_parquet(out, year, month, rows):
    """Legacy CUR as Athena's Parquet integration has it: flat Athena names,
    DOUBLE amounts, TIMESTAMP dates."""
    pw = parquet_writer()
    ps, pe = period_bounds(year, month)
    folder = "%s-%s" % (ps.strftime("%Y%m%d"), pe.strftime("%Y%m%d"))
    records = [legacy_record(r, year, month) for r in rows]
    def kind(c):
        if c.endswith(("Amount", "Rate", "Cost", "Fee", "BillingPeriod", "Commitment", "ToDate")):
            return "double"
        return "timestamp" if c.endswith("Date") else "string"
    cols = [parquet_column(pw, athena_name(c), kind(c), [rec[i] for rec in records])
            for i, c in enumerate(LEGACY_COLUMNS)]
    write_file(os.path.join(out, "parquet", "legacy-cur", folder, "larkspur-legacy-1.parquet"),
               pw.write(cols))


def write_focus_parquet(out, year, month, rows):
    """FOCUS as Azure's FocusCost Parquet has it: DECIMAL amounts, TIMESTAMP
    periods, Tags as JSON text."""
    pw = parquet_writer()
    records = [focus_record(r, year, month) for r in rows]
    cols = []
    for i, c in enumerate(FOCUS_COLUMNS):
        kind = ("decimal" if c.endswith(("Cost", "Quantity")) else
                "timestamp" if c.endswith(("PeriodStart", "PeriodEnd")) else "string")
        cols.append(parquet_column(pw, c, kind, [rec[i] for rec in records]))
    write_file(os.path.join(out, "parquet", "focus", "larkspur-focus-%04d-%02d.parquet"
                            % (year, month)), pw.write(cols))


def write_accounts(out):
    accts = sorted(ACCOUNTS, key=lambda a: a[1])
    doc = {"accounts": [{"id": a[1], "name": a[2], "environment": a[3], "owner": a[4]} for a in accts]}
    write_file(os.path.join(out, "accounts.json"), (json.dumps(doc, indent=2) + "\n").encode())


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------

LIT_ORDER = ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation",
             "SavingsPlanRecurringFee", "RIFee", "Fee", "Credit", "Refund", "Tax"]


def summary(all_rows):
    lines = []
    for (year, month), rows in all_rows:
        lines.append("%04d-%02d  %d line items" % (year, month, len(rows)))
        lines.append("  %-26s %6s %18s %18s" % ("line item type", "lines", "unblended", "amortized"))
        tu = ta = Decimal(0)
        for lit in LIT_ORDER:
            sel = [r for r in rows if r["lit"] == lit]
            if not sel:
                continue
            u = sum((r["cost"] for r in sel), Decimal(0))
            am = sum((amortized(r) for r in sel), Decimal(0))
            tu += u
            ta += am
            lines.append("  %-26s %6d %18s %18s" % (lit, len(sel), f2(u), f2(am)))
        lines.append("  %-26s %6d %18s %18s" % ("total", len(rows), f2(tu), f2(ta)))
        lines.append("  exact: unblended %s  amortized %s" % (num(tu), num(ta)))
        lines.append("  by account (unblended / amortized):")
        for key, aid, name, env, _ in sorted(ACCOUNTS, key=lambda a: a[1]):
            sel = [r for r in rows if r["acct"] == key]
            lines.append("    %s %-26s %-11s %14s %14s" % (
                aid, name, env, f2(sum((r["cost"] for r in sel), Decimal(0))),
                f2(sum((amortized(r) for r in sel), Decimal(0)))))
        lines.append("")
    services = set()
    usage_types = set()
    by_month = {}
    for (year, month), rows in all_rows:
        s = set()
        for r in rows:
            services.add(r["code"])
            if r["ut"]:
                usage_types.add(r["ut"])
                s.add(r["ut"])
        by_month[month] = s
    lines.append("distinct product codes: %d" % len(services))
    lines.append("distinct usage types:   %d" % len(usage_types))
    lines.append("usage types only in 2026-10: %s" % ", ".join(sorted(by_month[10] - by_month[9])))
    lines.append("usage types only in 2026-09: %s" % ", ".join(sorted(by_month[9] - by_month[10])))
    return "\n".join(lines) + "\n"


def f2(x):
    return "{:,.2f}".format(x.quantize(Decimal("0.01"), ROUND_HALF_EVEN))


# --------------------------------------------------------------------------

def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="Write the Larkspur Freight sample billing files (CUR 2.0, legacy CUR, "
                    "FOCUS 1.0 and accounts.json) for 2026-09 and 2026-10.")
    ap.add_argument("--out", default=here, metavar="DIR",
                    help="output folder (default: the folder holding this script)")
    ap.add_argument("--scale", type=int, default=1, metavar="N",
                    help="split every usage line into N resource-level lines (default 1)")
    ap.add_argument("--summary", action="store_true",
                    help="print totals per month and line item type instead of writing files")
    args = ap.parse_args(argv)
    if args.scale < 1:
        ap.error("--scale must be at least 1")
    catalogue = build_catalogue()
    table = daily_quantities(catalogue)
    all_rows = []
    for year, month in MONTHS:
        rows = generate_month(year, month, catalogue, table)
        rows = scale_rows(rows, args.scale)
        rows.sort(key=sort_key)
        all_rows.append(((year, month), rows))
    if args.summary:
        sys.stdout.write(summary(all_rows))
        return 0
    for (year, month), rows in all_rows:
        write_cur2(args.out, year, month, rows)
        write_legacy(args.out, year, month, rows)
        write_focus(args.out, year, month, rows)
        write_legacy_parquet(args.out, year, month, rows)
        write_focus_parquet(args.out, year, month, rows)
    write_accounts(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
