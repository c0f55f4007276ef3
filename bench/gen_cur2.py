#!/usr/bin/env python3
"""Write a synthetic AWS CUR 2.0 (Data Exports) CSV file of a requested size.

The file looks like a real export of a large organisation: the 125 columns of
the CUR 2.0 table in their usual order, hourly line items for every resource
over one calendar month, thousands of resource ids spread over dozens of
accounts and services, line item descriptions with commas and double quotes,
the JSON map columns (product, resource_tags, cost_category, discount), most
columns empty, and the usual mix of line item types: usage, Spot, Savings
Plan covered usage and negation, RI-covered usage and fees, discounts, and
the credits, refunds and tax that reports leave out by default.

The output is deterministic: the same arguments give byte-identical files.
All amounts have at most 10 decimal places, so exact sums can be compared.

  gen_cur2.py --size-mb 1024 --seed 1 --month 2026-10 -o cur2-1g.csv
  gen_cur2.py --size-mb 1024 --gzip -o cur2-1g.csv.gz
  gen_cur2.py --size-mb 1024 --parts 4 -o dir/part.csv   (dir/part-00001.csv ...)

Options for the equivalence test only (not realistic): --days N bills only
the first N days of the month (a small file then holds many resources),
--newline-every N puts a line break inside a quoted description every N rows,
--crlf ends records with CR LF, --bom starts the file with a UTF-8 byte order
mark, --nulls writes the literal NULL in some empty columns, --exotic adds
amounts in scientific notation and other corner cases the parser must accept.

Python 3 standard library only.
"""

import argparse
import base64
import calendar
import gzip
import os
import random
import sys

COLUMNS = [
    "bill_bill_type", "bill_billing_entity", "bill_billing_period_end_date",
    "bill_billing_period_start_date", "bill_invoice_id", "bill_invoicing_entity",
    "bill_payer_account_id", "bill_payer_account_name", "cost_category", "discount",
    "discount_bundled_discount", "discount_total_discount", "identity_line_item_id",
    "identity_time_interval", "line_item_availability_zone", "line_item_blended_cost",
    "line_item_blended_rate", "line_item_currency_code", "line_item_legal_entity",
    "line_item_line_item_description", "line_item_line_item_type",
    "line_item_net_unblended_cost", "line_item_net_unblended_rate",
    "line_item_normalization_factor", "line_item_normalized_usage_amount",
    "line_item_operation", "line_item_product_code", "line_item_resource_id",
    "line_item_tax_type", "line_item_unblended_cost", "line_item_unblended_rate",
    "line_item_usage_account_id", "line_item_usage_account_name", "line_item_usage_amount",
    "line_item_usage_end_date", "line_item_usage_start_date", "line_item_usage_type",
    "pricing_currency", "pricing_lease_contract_length", "pricing_offering_class",
    "pricing_public_on_demand_cost", "pricing_public_on_demand_rate",
    "pricing_purchase_option", "pricing_rate_code", "pricing_rate_id", "pricing_term",
    "pricing_unit", "product", "product_comment", "product_fee_code",
    "product_fee_description", "product_from_location", "product_from_location_type",
    "product_from_region_code", "product_instance_family", "product_instance_type",
    "product_instancesku", "product_location", "product_location_type",
    "product_operation", "product_pricing_unit", "product_product_family",
    "product_region_code", "product_servicecode", "product_sku", "product_to_location",
    "product_to_location_type", "product_to_region_code", "product_usagetype",
    "reservation_amortized_upfront_cost_for_usage",
    "reservation_amortized_upfront_fee_for_billing_period",
    "reservation_availability_zone", "reservation_effective_cost", "reservation_end_time",
    "reservation_modification_status", "reservation_net_amortized_upfront_cost_for_usage",
    "reservation_net_amortized_upfront_fee_for_billing_period",
    "reservation_net_effective_cost", "reservation_net_recurring_fee_for_usage",
    "reservation_net_unused_amortized_upfront_fee_for_billing_period",
    "reservation_net_unused_recurring_fee", "reservation_net_upfront_value",
    "reservation_normalized_units_per_reservation", "reservation_number_of_reservations",
    "reservation_recurring_fee_for_usage", "reservation_reservation_a_r_n",
    "reservation_start_time", "reservation_subscription_id",
    "reservation_total_reserved_normalized_units", "reservation_total_reserved_units",
    "reservation_units_per_reservation",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_normalized_unit_quantity", "reservation_unused_quantity",
    "reservation_unused_recurring_fee", "reservation_upfront_value", "resource_tags",
    "savings_plan_amortized_upfront_commitment_for_billing_period",
    "savings_plan_end_time", "savings_plan_instance_type_family",
    "savings_plan_net_amortized_upfront_commitment_for_billing_period",
    "savings_plan_net_recurring_commitment_for_billing_period",
    "savings_plan_net_savings_plan_effective_cost", "savings_plan_offering_type",
    "savings_plan_payment_option", "savings_plan_purchase_term",
    "savings_plan_recurring_commitment_for_billing_period", "savings_plan_region",
    "savings_plan_savings_plan_a_r_n", "savings_plan_savings_plan_effective_cost",
    "savings_plan_savings_plan_rate", "savings_plan_start_time",
    "savings_plan_total_commitment_to_date", "savings_plan_used_commitment",
    "split_line_item_actual_usage", "split_line_item_net_split_cost",
    "split_line_item_net_unused_cost", "split_line_item_parent_resource_id",
    "split_line_item_public_on_demand_split_cost",
    "split_line_item_public_on_demand_unused_cost", "split_line_item_reserved_usage",
    "split_line_item_split_cost", "split_line_item_split_usage",
    "split_line_item_split_usage_ratio", "split_line_item_unused_cost",
]
COL = {name: i for i, name in enumerate(COLUMNS)}

# Columns that change on every row; the rest are fixed per resource.
VARYING = [
    "identity_line_item_id", "identity_time_interval", "line_item_blended_cost",
    "line_item_net_unblended_cost", "line_item_normalized_usage_amount",
    "line_item_unblended_cost", "line_item_usage_amount", "line_item_usage_end_date",
    "line_item_usage_start_date", "pricing_public_on_demand_cost",
    "savings_plan_savings_plan_effective_cost",
]

REGIONS = [
    # region, usage type prefix, location, availability zones
    ("us-east-1", "", "US East (N. Virginia)", "abcdef"),
    ("us-west-2", "USW2-", "US West (Oregon)", "abcd"),
    ("eu-west-1", "EU-", "EU (Ireland)", "abc"),
    ("eu-central-1", "EUC1-", "EU (Frankfurt)", "abc"),
    ("ap-northeast-1", "APN1-", "Asia Pacific (Tokyo)", "acd"),
    ("ap-southeast-2", "APS2-", "Asia Pacific (Sydney)", "abc"),
]

INSTANCE_TYPES = [
    ("t3.micro", "0.0104"), ("t3.large", "0.0832"), ("m5.large", "0.096"),
    ("m5.2xlarge", "0.384"), ("m6i.xlarge", "0.192"), ("m7g.large", "0.0816"),
    ("c5.xlarge", "0.17"), ("c6g.4xlarge", "0.544"), ("r5.2xlarge", "0.504"),
    ("r6g.large", "0.1008"), ("i3.xlarge", "0.312"), ("g5.xlarge", "1.006"),
]

# product code, product name, kind of resources: (usage type, operation,
# unit, rate, description, usage generator)
SERVICES = [
    ("AmazonS3", "Amazon Simple Storage Service", [
        ("TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", "0.023",
         "$0.023 per GB - first 50 TB / month of storage used", "storage"),
        ("Requests-Tier1", "PutObject", "Requests", "0.000005",
         "$0.005 per 1,000 PUT, COPY, POST, or LIST requests", "requests"),
        ("Requests-Tier2", "GetObject", "Requests", "0.0000004",
         "$0.0004 per 10,000 GET and all other requests", "requests"),
    ]),
    ("AmazonRDS", "Amazon Relational Database Service", [
        ("InstanceUsage:db.r6g.large", "CreateDBInstance:0014", "Hrs", "0.225",
         "$0.225 per RDS db.r6g.large instance hour (or partial hour) running PostgreSQL", "hour"),
        ("RDS:GP3-Storage", "CreateDBInstance:0014", "GB-Mo", "0.115",
         "$0.115 per GB-month of provisioned gp3 storage running PostgreSQL", "storage"),
    ]),
    ("AWSLambda", "AWS Lambda", [
        ("Lambda-GB-Second", "Invoke", "Lambda-GB-Second", "0.0000166667",
         "AWS Lambda - Total Compute - US East (Northern Virginia)", "requests"),
        ("Request", "Invoke", "Requests", "0.0000002",
         "AWS Lambda - Total Requests - US East (Northern Virginia)", "requests"),
    ]),
    ("AmazonDynamoDB", "Amazon DynamoDB", [
        ("ReadRequestUnits", "GetItem", "ReadRequestUnits", "0.00000025",
         "$0.25 per million read request units", "requests"),
        ("TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", "0.25",
         "$0.25 per GB-Month of storage used beyond first 25 free GB-Months", "storage"),
    ]),
    ("AmazonCloudWatch", "AmazonCloudWatch", [
        ("CW:MetricMonitorUsage", "MetricStorage", "Metrics", "0.3",
         "$0.30 per metric-month - first 10,000 metrics", "storage"),
        ("DataProcessing-Bytes", "PutLogEvents", "GB", "0.5",
         "$0.50 per GB custom log data ingested", "gb"),
    ]),
    ("AWSELB", "Elastic Load Balancing", [
        ("LoadBalancerUsage", "LoadBalancing:Application", "Hrs", "0.0225",
         "$0.0225 per Application LoadBalancer-hour (or partial hour)", "hour"),
        ("LCUUsage", "LoadBalancing:Application", "LCU-Hrs", "0.008",
         "$0.008 per used Application load balancer capacity unit-hour (or partial hour)", "gb"),
    ]),
    ("AmazonVPC", "Amazon Virtual Private Cloud", [
        ("VpcEndpoint-Hours", "VpcEndpoint", "Hrs", "0.01",
         "$0.01 per VPC Endpoint Hour", "hour"),
        ("PublicIPv4:InUseAddress", "AssociateAddressVPC", "Hrs", "0.005",
         "$0.005 per In-use public IPv4 address per hour", "hour"),
    ]),
    ("AmazonElastiCache", "Amazon ElastiCache", [
        ("NodeUsage:cache.r6g.large", "CreateCacheCluster:0002", "NodeHour", "0.206",
         "$0.206 per Redis OSS cache.r6g.large node-hour (or partial hour)", "hour"),
    ]),
    ("AmazonEKS", "Amazon Elastic Container Service for Kubernetes", [
        ("AmazonEKS-Hours:perCluster", "CreateOperation", "Hours", "0.1",
         "Amazon EKS cluster usage in US East (N. Virginia)", "hour"),
    ]),
    ("AmazonES", "Amazon OpenSearch Service", [
        ("ESInstance:r6g.large", "ESDomain", "Hrs", "0.167",
         "$0.167 per r6g.large.search instance hour (or partial hour)", "hour"),
    ]),
    ("AmazonSageMaker", "Amazon SageMaker", [
        ("Notebk:ml.t3.medium", "RunInstance", "Hrs", "0.05",
         "$0.05 per On Demand Notebook ml.t3.medium hour in US East (N. Virginia)", "hour"),
    ]),
    ("AmazonRedshift", "Amazon Redshift", [
        ("Node:ra3.xlplus", "RunComputeNode:0001", "Hrs", "1.086",
         "$1.086 per RA3 XLPlus Compute Node Hour (or partial hour)", "hour"),
    ]),
    ("AmazonKinesis", "Amazon Kinesis", [
        ("Storage-ShardHour", "shardHourStorage", "ShardHour", "0.015",
         "$0.015 per shard hour, \"provisioned\" mode", "hour"),
    ]),
    ("AWSGlue", "AWS Glue", [
        ("ETL-DPU-Hour", "Jobrun", "DPU-Hour", "0.44",
         "$0.44 per Data Processing Unit-Hour for Apache Spark or Spark Streaming job", "gb"),
    ]),
]

EC2_EXTRA = [
    ("EBS:VolumeUsage.gp3", "CreateVolume-Gp3", "GB-Mo", "0.08",
     "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Northern Virginia)",
     "storage"),
    ("EBS:SnapshotUsage", "CreateSnapshot", "GB-Mo", "0.05",
     "$0.05 per GB-Month of snapshot data stored - US East (Northern Virginia)", "storage"),
    ("NatGateway-Hours", "NatGateway", "Hrs", "0.045", "$0.045 per NAT Gateway Hour", "hour"),
    ("NatGateway-Bytes", "NatGateway", "GB", "0.045",
     "$0.045 per GB Data Processed by NAT Gateways", "gb"),
    ("DataTransfer-Out-Bytes", "", "GB", "0.09",
     "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier", "gb"),
    ("DataTransfer-Regional-Bytes", "InterZone-Out", "GB", "0.01",
     "$0.010 per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB",
     "gb"),
]

TEAMS = ["platform", "web", "data", "ml", "payments", "search", "mobile", "identity",
         "growth", "ops", "billing", "risk"]
ENVS = ["production", "staging", "development", "sandbox", "shared"]

SCALE = 10 ** 10      # amounts are integers of 1e-10
NULLS = False         # --nulls: the literal NULL in some empty columns


def fmt(q, places=10):
    """An integer amount in units of 10^-places as a plain decimal string."""
    sign = "-" if q < 0 else ""
    q = abs(q)
    unit = 10 ** places
    return "%s%d.%0*d" % (sign, q // unit, places, q % unit)


def scaled(text, places=10):
    """'0.096' -> 960000000 (units of 10^-places)."""
    whole, _, frac = text.partition(".")
    return int(whole) * 10 ** places + int((frac + "0" * places)[:places] or 0)


def csv_field(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def json_map(pairs):
    return "{" + ",".join('"%s":"%s"' % (k, v.replace("\\", "\\\\").replace('"', '\\"'))
                          for k, v in pairs) + "}"


def b32(rng, nbits=260):
    return base64.b32encode(rng.getrandbits(nbits).to_bytes(33, "big")).decode()[:52].lower()


class Month:
    def __init__(self, text):
        year, month = (int(x) for x in text.split("-"))
        self.year, self.month = year, month
        self.days = calendar.monthrange(year, month)[1]
        ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
        self.start = "%04d-%02d-01T00:00:00Z" % (year, month)
        self.end = "%04d-%02d-01T00:00:00Z" % (ny, nm)

    def hour(self, h):
        """Start and end timestamps of hour h of the month."""
        d, hh = divmod(h, 24)
        s = "%04d-%02d-%02dT%02d:00:00Z" % (self.year, self.month, d + 1, hh)
        if hh == 23:
            if d + 1 == self.days:
                e = self.end
            else:
                e = "%04d-%02d-%02dT00:00:00Z" % (self.year, self.month, d + 2)
        else:
            e = "%04d-%02d-%02dT%02d:00:00Z" % (self.year, self.month, d + 1, hh + 1)
        return s, e

    def day(self, d):
        s = "%04d-%02d-%02dT00:00:00Z" % (self.year, self.month, d + 1)
        if d + 1 == self.days:
            return s, self.end
        return s, "%04d-%02d-%02dT00:00:00Z" % (self.year, self.month, d + 2)


class Org:
    """Accounts and the resources that run in them."""

    def __init__(self, rng, naccounts):
        self.payer = "%012d" % rng.randrange(10 ** 11, 10 ** 12)
        self.accounts = []
        seen = set()
        while len(self.accounts) < naccounts:
            aid = "%012d" % rng.randrange(10 ** 10, 10 ** 12)
            if aid in seen:
                continue
            seen.add(aid)
            env = ENVS[len(self.accounts) % len(ENVS)]
            team = TEAMS[len(self.accounts) % len(TEAMS)]
            self.accounts.append((aid, "acme-%s-%02d" % (team, len(self.accounts)), env))


class Resource:
    """One billed thing: a fixed row template and how its amounts vary."""

    def __init__(self, rng, org, month, idx, opts):
        aid, aname, env = org.accounts[rng.randrange(len(org.accounts))]
        region, prefix, location, azs = REGIONS[rng.randrange(len(REGIONS))] \
            if rng.random() < 0.6 else REGIONS[0]
        az = region + azs[rng.randrange(len(azs))]
        team = TEAMS[rng.randrange(len(TEAMS))]
        line_type = "Usage"
        term = "OnDemand"
        extra = {}
        r = rng.random()
        if r < 0.45:
            code, pname = "AmazonEC2", "Amazon Elastic Compute Cloud"
            itype, rate = INSTANCE_TYPES[rng.randrange(len(INSTANCE_TYPES))]
            sub = rng.random()
            if sub < 0.12:
                ut = prefix + "SpotUsage:" + itype
                line_type, term = "Usage", "Spot"
                rate = fmt(scaled(rate) * 3 // 10)
                desc = "$%s per Linux/UNIX (Amazon VPC), %s Spot Instance-hour" % (rate[:7], itype)
                op = "RunInstances:SV001"
            elif sub < 0.30:
                ut = prefix + "BoxUsage:" + itype
                line_type = "SavingsPlanCoveredUsage"
                desc = "Linux/UNIX (Amazon VPC), %s instance-hour covered by Compute Savings Plan" % itype
                op = "RunInstances"
                extra["sp"] = True
            elif sub < 0.38:
                ut = prefix + "BoxUsage:" + itype
                line_type = "DiscountedUsage"
                desc = "Linux/UNIX (Amazon VPC), %s reserved instance applied" % itype
                op = "RunInstances"
                extra["ri"] = True
            else:
                ut = prefix + "BoxUsage:" + itype
                desc = "$%s per On Demand Linux %s Instance Hour" % (rate, itype)
                op = "RunInstances"
            unit, kind = "Hrs", "hour"
            rid = "i-%017x" % rng.getrandbits(68)
            pmap = [("product_name", pname), ("region", region), ("servicecode", code),
                    ("usagetype", ut), ("operation", op), ("instance_type", itype),
                    ("instance_family", "General purpose"), ("operating_system", "Linux"),
                    ("tenancy", "Shared"), ("vcpu", "2"), ("memory", "8 GiB"),
                    ("physical_processor", "Intel Xeon Platinum 8175"),
                    ("network_performance", "Up to 10 Gigabit"),
                    ("location", location), ("location_type", "AWS Region")]
            extra["itype"] = itype
        elif r < 0.62:
            code, pname = "AmazonEC2", "Amazon Elastic Compute Cloud"
            ut, op, unit, rate, desc, kind = EC2_EXTRA[rng.randrange(len(EC2_EXTRA))]
            ut = prefix + ut
            rid = ("vol-%017x" if ut.endswith("gp3") else
                   "snap-%017x" if "Snapshot" in ut else
                   "nat-%017x" if "Nat" in ut else "i-%017x") % rng.getrandbits(68)
            pmap = [("product_name", pname), ("region", region), ("servicecode", code),
                    ("usagetype", ut), ("operation", op), ("location", location),
                    ("location_type", "AWS Region"), ("product_family", "Storage")]
        else:
            code, pname, kinds = SERVICES[rng.randrange(len(SERVICES))]
            ut, op, unit, rate, desc, kind = kinds[rng.randrange(len(kinds))]
            ut = prefix + ut
            rid = "arn:aws:%s:%s:%s:resource/%s-%06d" % (
                code.lower().replace("amazon", "").replace("aws", "") or "svc", region, aid,
                team, idx)
            pmap = [("product_name", pname), ("region", region), ("servicecode", code),
                    ("usagetype", ut), ("operation", op), ("location", location),
                    ("location_type", "AWS Region")]
        if opts.exotic and rng.random() < 0.05:
            # a backslash-escaped quote in a map value, a comma in a name
            pmap.append(("comment", 'says "hi", ok'))
        self.code, self.ut, self.unit, self.kind = code, ut, unit, kind
        self.rate = scaled(rate)
        self.line_type = line_type
        self.sp, self.ri = extra.get("sp"), extra.get("ri")
        self.daily = kind == "storage"
        self.base = rng.randrange(1, 200) if kind != "hour" else 1
        # Most resources run all month; the others (autoscaling, jobs) for a few days.
        nhours = opts.days * 24
        if kind == "storage" or rng.random() < 0.5:
            self.first, self.last = 0, nhours
        else:
            length = rng.randrange(min(24, nhours // 2), min(10 * 24, nhours))
            self.first = rng.randrange(0, nhours - length)
            self.last = self.first + length

        v = [""] * len(COLUMNS)
        v[COL["bill_bill_type"]] = "Anniversary"
        v[COL["bill_billing_entity"]] = "AWS"
        v[COL["bill_billing_period_end_date"]] = month.end
        v[COL["bill_billing_period_start_date"]] = month.start
        v[COL["bill_invoice_id"]] = "2203918846"
        v[COL["bill_invoicing_entity"]] = "Amazon Web Services, Inc."
        v[COL["bill_payer_account_id"]] = org.payer
        v[COL["bill_payer_account_name"]] = "acme-payer"
        v[COL["cost_category"]] = '{"team":"%s"}' % team if rng.random() < 0.5 else "{}"
        v[COL["discount"]] = "{}"
        v[COL["line_item_availability_zone"]] = az if kind == "hour" else ""
        v[COL["line_item_blended_rate"]] = fmt(self.rate)
        v[COL["line_item_currency_code"]] = "USD"
        v[COL["line_item_legal_entity"]] = "Amazon Web Services, Inc."
        v[COL["line_item_line_item_description"]] = desc
        v[COL["line_item_line_item_type"]] = line_type
        v[COL["line_item_net_unblended_rate"]] = fmt(self.rate)
        v[COL["line_item_normalization_factor"]] = "4" if code == "AmazonEC2" and kind == "hour" else ""
        v[COL["line_item_operation"]] = op
        v[COL["line_item_product_code"]] = code
        v[COL["line_item_resource_id"]] = rid
        v[COL["line_item_unblended_rate"]] = fmt(self.rate)
        v[COL["line_item_usage_account_id"]] = aid
        v[COL["line_item_usage_account_name"]] = aname
        v[COL["line_item_usage_type"]] = ut
        v[COL["pricing_currency"]] = "USD"
        v[COL["pricing_public_on_demand_rate"]] = fmt(self.rate)
        v[COL["pricing_purchase_option"]] = "" if term == "Spot" else "No Upfront"
        v[COL["pricing_rate_code"]] = "%s.%s.%s" % (b32(rng)[:16].upper(), "JRTCKXETXF", "6YS6EN2CT7")
        v[COL["pricing_rate_id"]] = str(rng.randrange(10 ** 9, 10 ** 10))
        v[COL["pricing_term"]] = term
        v[COL["pricing_unit"]] = unit
        v[COL["product"]] = json_map(pmap)
        v[COL["product_from_location"]] = location if "Transfer" in ut else ""
        v[COL["product_from_location_type"]] = "AWS Region" if "Transfer" in ut else ""
        v[COL["product_from_region_code"]] = region if "Transfer" in ut else ""
        v[COL["product_instance_family"]] = "General purpose" if extra.get("itype") else ""
        v[COL["product_instance_type"]] = extra.get("itype", "")
        v[COL["product_instancesku"]] = ""
        v[COL["product_location"]] = location
        v[COL["product_location_type"]] = "AWS Region"
        v[COL["product_operation"]] = op
        v[COL["product_pricing_unit"]] = unit
        v[COL["product_product_family"]] = "Compute Instance" if kind == "hour" else "Storage"
        v[COL["product_region_code"]] = region
        v[COL["product_servicecode"]] = code
        v[COL["product_sku"]] = b32(rng)[:16].upper()
        v[COL["product_usagetype"]] = ut
        tags = [("user:environment", env), ("user:team", team)]
        if rng.random() < 0.7:
            tags.append(("user:cost-center", "cc-%04d" % rng.randrange(10000)))
        if rng.random() < 0.3:
            tags.append(("user:Name", "%s-%s-%d" % (team, code.lower(), idx)))
        v[COL["resource_tags"]] = json_map(tags)
        if self.sp:
            v[COL["savings_plan_savings_plan_a_r_n"]] = \
                "arn:aws:savingsplans::%s:savingsplan/%s" % (org.payer, b32(rng)[:36])
            v[COL["savings_plan_savings_plan_rate"]] = fmt(self.rate * 7 // 10)
            v[COL["savings_plan_offering_type"]] = "ComputeSavingsPlans"
            v[COL["savings_plan_payment_option"]] = "No Upfront"
            v[COL["savings_plan_purchase_term"]] = "1yr"
            v[COL["savings_plan_start_time"]] = "2026-01-01T00:00:00.000Z"
            v[COL["savings_plan_end_time"]] = "2027-01-01T00:00:00.000Z"
        if self.ri:
            v[COL["reservation_reservation_a_r_n"]] = \
                "arn:aws:ec2:%s:%s:reserved-instances/%s" % (region, org.payer, b32(rng)[:36])
            v[COL["reservation_start_time"]] = "2026-01-01T00:00:00.000Z"
            v[COL["reservation_end_time"]] = "2027-01-01T00:00:00.000Z"
            v[COL["reservation_number_of_reservations"]] = "4"
            v[COL["reservation_units_per_reservation"]] = "744"
        if opts.nulls:
            for name in ("line_item_tax_type", "product_comment", "product_fee_code",
                         "split_line_item_split_cost"):
                v[COL[name]] = "NULL"
            if rng.random() < 0.2:
                v[COL["resource_tags"]] = "NULL"
            if rng.random() < 0.2:
                v[COL["pricing_term"]] = "NULL"
        self.values = v
        self.template = self.compile(v, opts)

    @staticmethod
    def compile(v, opts):
        """A %-template of the row with %s for the varying columns."""
        parts = []
        varying = set(COL[n] for n in VARYING)
        for i, s in enumerate(v):
            parts.append("%s" if i in varying else csv_field(s).replace("%", "%%"))
        return ",".join(parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=float, required=True,
                    help="approximate size of the uncompressed data, MiB")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--accounts", type=int, default=60)
    ap.add_argument("--days", type=int, default=0,
                    help="bill only the first N days of the month (more resources per MB)")
    ap.add_argument("--parts", type=int, default=1,
                    help="split the month into N files NAME-00001.csv ...")
    ap.add_argument("--gzip", action="store_true", help="gzip the output (level 6)")
    ap.add_argument("--newline-every", type=int, default=0,
                    help="a line break inside a quoted description every N rows")
    ap.add_argument("--crlf", action="store_true")
    ap.add_argument("--bom", action="store_true")
    ap.add_argument("--nulls", action="store_true")
    ap.add_argument("--exotic", action="store_true")
    ap.add_argument("-o", "--output", required=True)
    opts = ap.parse_args(argv)

    global NULLS
    NULLS = opts.nulls
    rng = random.Random(opts.seed)
    month = Month(opts.month)
    org = Org(rng, opts.accounts)
    eol = "\r\n" if opts.crlf else "\n"
    target = int(opts.size_mb * 1024 * 1024)

    # Resources until their rows fill the requested size.
    resources = []
    est = 0
    opts.days = min(opts.days or month.days, month.days)
    hours = opts.days * 24
    while est < target:
        res = Resource(rng, org, month, len(resources), opts)
        resources.append(res)
        row_len = len(res.template) + 230
        n = opts.days if res.daily else res.last - res.first
        est += row_len * n * (2 if res.sp else 1)
    header = ",".join(COLUMNS) + eol

    if opts.parts > 1:
        stem = opts.output
        for ext in (".gz", ".csv"):
            if stem.endswith(ext):
                stem = stem[: -len(ext)]
        names = ["%s-%05d.csv%s" % (stem, i + 1, ".gz" if opts.gzip else "")
                 for i in range(opts.parts)]
    else:
        names = [opts.output]
    for n in names:
        d = os.path.dirname(n)
        if d:
            os.makedirs(d, exist_ok=True)

    outs = []
    for n in names:
        if opts.gzip:
            f = gzip.GzipFile(n + ".tmp", "wb", compresslevel=6, mtime=0)
        else:
            f = open(n + ".tmp", "wb", buffering=1 << 20)
        pre = ("\ufeff" if opts.bom else "") + header
        f.write(pre.encode())
        outs.append(f)

    write_rows(resources, org, month, rng, outs, eol, opts, hours)

    for f, n in zip(outs, names):
        f.close()
        os.replace(n + ".tmp", n)
    return 0


def write_rows(resources, org, month, rng, outs, eol, opts, hours):
    nparts = len(outs)
    per_part = (hours + nparts - 1) // nparts
    row_no = 0
    chunk = []
    chunk_len = 0
    out = outs[0]
    part = 0
    nl_every = opts.newline_every
    # Per-resource generators of usage.
    usage_rng = random.Random(rng.getrandbits(64))
    desc_col = COL["line_item_line_item_description"]
    changes = set(r.first for r in resources) | set(r.last for r in resources) | {0}
    active = []

    def flush():
        nonlocal chunk, chunk_len
        if chunk:
            out.write("".join(chunk).encode())
            chunk = []
            chunk_len = 0

    for h in range(hours):
        if h // per_part != part:
            flush()
            part = h // per_part
            out = outs[part]
        start, end = month.hour(h)
        interval = start + "/" + end
        daily_slot = h % 24 == 0
        if daily_slot:
            dstart, dend = month.day(h // 24)
            dinterval = dstart + "/" + dend
        if h in changes:
            active = [r for r in resources if r.first <= h < r.last]
        for res in active:
            if res.daily:
                if not daily_slot:
                    continue
                s, e, iv = dstart, dend, dinterval
            else:
                s, e, iv = start, end, interval
            row_no += 1
            if res.kind == "hour":
                usage = 10 ** 6   # 1 hour, units of 1e-6
                if usage_rng.random() < 0.03:
                    usage = usage_rng.randrange(1, 10 ** 6)
            elif res.kind == "storage":
                usage = res.base * 10 ** 6 // 31 + usage_rng.randrange(10 ** 5)
            elif res.kind == "requests":
                usage = usage_rng.randrange(1, 10 ** 5) * 10 ** 6 * res.base
            else:
                usage = usage_rng.randrange(1, 10 ** 7) * res.base
            # usage (1e-6) * rate (1e-10) = 1e-16 -> 1e-10, half up
            cost = (usage * res.rate + 5 * 10 ** 5) // 10 ** 6
            lt = res.line_type
            if lt == "DiscountedUsage":
                ucost = 0
            else:
                ucost = cost
            usage_s = fmt(usage, 6).rstrip("0").rstrip(".") if usage % 10 ** 6 else str(usage // 10 ** 6)
            cost_s = fmt(ucost)
            if opts.exotic and row_no % 89 == 0:
                cost_s += "00000000000"          # 21 decimal places
            elif opts.exotic and row_no % 83 == 0 and ucost > 0:
                cost_s = "+" + cost_s
            elif opts.exotic and row_no % 97 == 0 and ucost:
                # the same value in scientific notation
                digits = str(abs(ucost)).rstrip("0")
                zeros = len(str(abs(ucost))) - len(digits)
                cost_s = "%s%s.%sE%d" % ("-" if ucost < 0 else "", digits[0], digits[1:] or "0",
                                          len(digits) - 1 + zeros - 10)
            lid = b32(usage_rng)
            sp_eff = fmt(cost * 7 // 10) if res.sp else ""
            row = res.template % (lid, iv, cost_s, cost_s, usage_s, cost_s, usage_s, e, s,
                                  fmt(cost), sp_eff)
            if nl_every and row_no % nl_every == 0:
                v = list(res.values)
                for name, val in zip(VARYING, (lid, iv, cost_s, cost_s, usage_s, cost_s,
                                               usage_s, e, s, fmt(cost), sp_eff)):
                    v[COL[name]] = val
                v[desc_col] = v[desc_col] + eol + 'second line, with "quotes"' + eol
                row = ",".join(csv_field(x) for x in v)
            chunk.append(row)
            chunk.append(eol)
            chunk_len += len(row) + 2
            if res.sp:
                # the negation that cancels the covered usage
                row_no += 1
                neg = fmt(-cost)
                v = res.template % (b32(usage_rng), iv, neg, neg, "0", neg, "0", e, s, "", "")
                v = v.replace(",SavingsPlanCoveredUsage,", ",SavingsPlanNegation,", 1)
                chunk.append(v)
                chunk.append(eol)
                chunk_len += len(v) + 2
            if chunk_len > 1 << 20:
                flush()
        if h % 24 == 23:
            # daily charges that are not usage
            d = h // 24
            ds, de = month.day(d)
            div = ds + "/" + de
            flush_rows = special_rows(org, month, resources, usage_rng, ds, de, div, d, opts)
            for r in flush_rows:
                chunk.append(r)
                chunk.append(eol)
                chunk_len += len(r) + 2
    # monthly charges: tax, fees, RI and Savings Plan fees, refunds
    ms, me = month.start, month.end
    for r in monthly_rows(org, month, resources, usage_rng, ms, me):
        chunk.append(r)
        chunk.append(eol)
    flush()


def row_from(res, usage_rng, lt, desc, iv, s, e, cost, usage="", unit="", code=None,
             ut=None, resource_id=None):
    v = list(res.values)
    v[COL["identity_line_item_id"]] = b32(usage_rng)
    v[COL["identity_time_interval"]] = iv
    v[COL["line_item_usage_start_date"]] = s
    v[COL["line_item_usage_end_date"]] = e
    for name in ("line_item_blended_cost", "line_item_net_unblended_cost",
                 "line_item_unblended_cost"):
        v[COL[name]] = fmt(cost)
    v[COL["line_item_usage_amount"]] = usage or ("NULL" if NULLS else "")
    v[COL["line_item_normalized_usage_amount"]] = ""
    v[COL["pricing_public_on_demand_cost"]] = ""
    v[COL["savings_plan_savings_plan_effective_cost"]] = ""
    v[COL["line_item_line_item_type"]] = lt
    v[COL["line_item_line_item_description"]] = desc
    v[COL["pricing_unit"]] = unit
    v[COL["line_item_availability_zone"]] = ""
    if code is not None:
        v[COL["line_item_product_code"]] = code
    if ut is not None:
        v[COL["line_item_usage_type"]] = ut
    if resource_id is not None:
        v[COL["line_item_resource_id"]] = resource_id
    return ",".join(csv_field(x) for x in v)


def special_rows(org, month, resources, rng, s, e, iv, day, opts):
    rows = []
    step = max(1, len(resources) // 40)
    for i in range(day % step, len(resources), step):
        res = resources[i]
        k = (i // step + day) % 4
        if k == 0:
            rows.append(row_from(res, rng, "Credit", "AWS Credits, \"Activate\" program",
                                 iv, s, e, -rng.randrange(1, 10 ** 11)))
        elif k == 1:
            rows.append(row_from(res, rng, "BundledDiscount",
                                 "Free tier, bundled discount", iv, s, e,
                                 -rng.randrange(1, 10 ** 9)))
    if day % 7 == 3:
        res = resources[day % len(resources)]
        rows.append(row_from(res, rng, "Refund", "Refund for \"service event\", 2026-10",
                             iv, s, e, -rng.randrange(1, 10 ** 12)))
    return rows


def monthly_rows(org, month, resources, rng, s, e):
    rows = []
    iv = s + "/" + e
    seen = {}
    for res in resources:
        key = (res.values[COL["line_item_usage_account_id"]], res.code)
        seen.setdefault(key, res)
    for (aid, code), res in sorted(seen.items()):
        rows.append(row_from(res, rng, "Tax", "Tax for product code " + code, iv, s, e,
                             rng.randrange(1, 10 ** 13), ut=""))
    by_account = {}
    for res in resources:
        by_account.setdefault(res.values[COL["line_item_usage_account_id"]], res)
    for aid, res in sorted(by_account.items()):
        rows.append(row_from(res, rng, "Fee", "AWS Support (Business), 10% of usage", iv, s, e,
                             rng.randrange(10 ** 11, 10 ** 13), code="AWSSupportBusiness",
                             ut="Dollar", resource_id=""))
        if res.ri or res.sp:
            continue
    for res in resources:
        if res.ri:
            rows.append(row_from(res, rng, "RIFee", "Reserved instance recurring fee, monthly",
                                 iv, s, e, rng.randrange(10 ** 11, 10 ** 13), usage="744",
                                 unit="Hrs"))
            break
    for res in resources:
        if res.sp:
            rows.append(row_from(res, rng, "SavingsPlanRecurringFee",
                                 "1 year No Upfront Compute Savings Plan", iv, s, e,
                                 rng.randrange(10 ** 12, 10 ** 14), usage="744", unit="Hrs",
                                 code="ComputeSavingsPlans", ut="ComputeSP:1yrNoUpfront"))
            break
    return rows


if __name__ == "__main__":
    sys.exit(main())
