"""A stand-in for AWS Cost Explorer (and STS AssumeRole) on 127.0.0.1, for the tests.

It answers GetCostAndUsage by aggregating the sample billing data (samples/cur2, the CUR 2.0
export of the sample organisation) exactly as each request asks: TimePeriod (Start inclusive, End
exclusive), Granularity (DAILY, or MONTHLY split at month starts), Metrics, GroupBy (at most two
DIMENSION, TAG or COST_CATEGORY keys) and Filter (And / Or / Not / Dimensions / Tags, one root per expression).
Cost Explorer's view of a CUR line:

    LINKED_ACCOUNT  line_item_usage_account_id (names: line_item_usage_account_name, returned as
                    DimensionValueAttributes "description" when grouping by LINKED_ACCOUNT)
    SERVICE         the Cost Explorer service name of the product code (the table below; EC2
                    instance hours are "Amazon Elastic Compute Cloud - Compute", the rest of
                    AmazonEC2 "EC2 - Other"; Tax lines "Tax")
    USAGE_TYPE      line_item_usage_type, "NoUsageType" when empty
    RECORD_TYPE     line_item_line_item_type
    PURCHASE_TYPE   "Spot Instances" (pricing term Spot), "Savings Plans" (Savings Plan record
                    types), "Standard Reserved Instances" (DiscountedUsage, RIFee), else
                    "On Demand Instances"
    TAG environment resource_tags["user:environment"], keys "environment$<value>"
    COST_CATEGORY N cost_category["N"], keys "N$<value>" ("N$" for lines without one)
    UnblendedCost   line_item_unblended_cost; AmortizedCost the CUR query library's formula
    UsageQuantity   line_item_usage_amount of every matched line; Unit the one pricing unit of
                    those lines, else "N/A"

A group is answered when any line matches, even when its amounts sum to zero.  Answers are cut
into pages of page_size groups with a NextPageToken bound to the request (another body with the
token gives RequestChangedException, a bad token InvalidNextTokenException).

Every request's Signature Version 4 is checked here, independently of costrank, with Python's
hmac against the secret of the access key it names (and its session token); a bad one is
answered 403 and recorded in sig_failures.  Faults (throttling, 5xx, AWS errors, odd bodies,
connections reset without an answer, answers that never come) are injected by the rules in
faults.  STS AssumeRole (a form POST without X-Amz-Target) hands out session credentials scoped
to the role's account: Cost Explorer then shows them that account only, as a member account
without Organizations sees its own costs.  AssumeRoleWithWebIdentity does the same, unsigned,
for a role whose "web_identity_token" the request carries.

    mock = MockCostExplorer(samples_dir, keys={"AKIDEXAMPLE": {"secret": "..."}})
    mock.start(); ... mock.url ...; mock.stop()

Run alone: python3 mock_ce.py --samples samples/cur2 --key AKID:SECRET [--page-size 50]
"""
import argparse
import base64
import csv
import datetime as dt
import gzip
import hashlib
import hmac
import io
import json
import os
import socket
import struct
import threading
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE_NAMES = {
    "AWSCloudTrail": "AWS CloudTrail", "AWSCodeBuild": "CodeBuild", "AWSConfig": "AWS Config",
    "AWSDataTransfer": "AWS Data Transfer", "AWSELB": "Amazon Elastic Load Balancing",
    "AWSEvents": "CloudWatch Events", "AWSGlue": "AWS Glue", "AWSLambda": "AWS Lambda",
    "AWSQueueService": "Amazon Simple Queue Service", "AWSSecretsManager": "AWS Secrets Manager",
    "AWSSecurityHub": "AWS Security Hub", "AWSSupportBusiness": "AWS Support (Business)",
    "AWSSupportEnterprise": "AWS Support (Enterprise)", "AWSTransfer": "AWS Transfer Family",
    "AWSXRay": "AWS X-Ray", "AmazonApiGateway": "Amazon API Gateway",
    "AmazonAthena": "Amazon Athena", "AmazonCloudFront": "Amazon CloudFront",
    "AmazonCloudWatch": "AmazonCloudWatch",
    "AmazonDocDB": "Amazon DocumentDB (with MongoDB compatibility)",
    "AmazonDynamoDB": "Amazon DynamoDB", "AmazonECR": "Amazon EC2 Container Registry (ECR)",
    "AmazonECS": "Amazon Elastic Container Service", "AmazonEFS": "Amazon Elastic File System",
    "AmazonEKS": "Amazon Elastic Container Service for Kubernetes",
    "AmazonES": "Amazon OpenSearch Service", "AmazonElastiCache": "Amazon ElastiCache",
    "AmazonGlacier": "Amazon Glacier", "AmazonGuardDuty": "Amazon GuardDuty",
    "AmazonKinesisFirehose": "Amazon Kinesis Firehose",
    "AmazonMSK": "Amazon Managed Streaming for Apache Kafka",
    "AmazonRDS": "Amazon Relational Database Service", "AmazonRoute53": "Amazon Route 53",
    "AmazonS3": "Amazon Simple Storage Service", "AmazonSES": "Amazon Simple Email Service",
    "AmazonSNS": "Amazon Simple Notification Service", "AmazonVPC": "Amazon Virtual Private Cloud",
    "ComputeSavingsPlans": "Savings Plans for AWS Compute usage",
    "OCBPremiumSupport": "AWS Premium Support", "awskms": "AWS Key Management Service",
}
EC2_COMPUTE = ("BoxUsage", "SpotUsage", "DedicatedUsage", "HostUsage", "HeavyUsage", "UnusedBox",
               "UnusedDed", "UnusedHost", "ReservedHostUsage", "DedicatedRes", "HostBoxUsage",
               "SchedUsage", "CapacityBlock")
DIMENSIONS = ("LINKED_ACCOUNT", "SERVICE", "USAGE_TYPE", "RECORD_TYPE", "PURCHASE_TYPE")
METRICS = ("UnblendedCost", "AmortizedCost", "BlendedCost", "NetUnblendedCost",
           "NetAmortizedCost", "UsageQuantity", "NormalizedUsageAmount")
REQUEST_KEYS = ("TimePeriod", "Granularity", "Filter", "Metrics", "GroupBy", "NextPageToken",
                "BillingViewArn")


class ApiError(Exception):
    def __init__(self, status, code, message, retry_after=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.retry_after = retry_after


class TransportFault(Exception):
    """A fault below HTTP, from a fault rule: "reset" (the connection is reset, no answer) or
    "stall" (no answer for that many seconds, then the connection is closed)."""

    def __init__(self, rule):
        super().__init__("reset" if rule.get("reset") else "stall")
        self.rule = rule


def ec2_is_compute(ut):
    rest = ut
    while True:
        if rest.startswith(EC2_COMPUTE):
            return True
        dash, colon = rest.find("-"), rest.find(":")
        if dash < 0 or (0 <= colon < dash):
            return False
        rest = rest[dash + 1:]


def dec(s):
    return Decimal(s) if s not in ("", None, "NULL") else Decimal(0)


def amortized(r):
    """The CUR query library's amortised cost of a CUR 2.0 row."""
    lit = r["line_item_line_item_type"]
    if lit == "SavingsPlanCoveredUsage":
        return dec(r["savings_plan_savings_plan_effective_cost"])
    if lit == "SavingsPlanRecurringFee":
        return dec(r["savings_plan_total_commitment_to_date"]) - dec(r["savings_plan_used_commitment"])
    if lit in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
        return Decimal(0)
    if lit == "DiscountedUsage":
        return dec(r["reservation_effective_cost"])
    if lit == "RIFee":
        return (dec(r["reservation_unused_amortized_upfront_fee_for_billing_period"])
                + dec(r["reservation_unused_recurring_fee"]))
    if lit == "Fee" and r.get("reservation_reservation_a_r_n"):
        return Decimal(0)
    return dec(r["line_item_unblended_cost"])


def service_of(r):
    code, ut, lit = r["line_item_product_code"], r["line_item_usage_type"], r["line_item_line_item_type"]
    if lit == "Tax":
        return "Tax"
    if code == "AmazonEC2":
        return "Amazon Elastic Compute Cloud - Compute" if ec2_is_compute(ut) else "EC2 - Other"
    if code in SERVICE_NAMES:
        return SERVICE_NAMES[code]
    try:
        return json.loads(r.get("product") or "{}").get("product_name") or code
    except ValueError:
        return code


def purchase_type(r):
    lit, term = r["line_item_line_item_type"], r.get("pricing_term", "")
    if lit.startswith("SavingsPlan"):
        return "Savings Plans"
    if lit in ("DiscountedUsage", "RIFee"):
        return "Standard Reserved Instances"
    if term == "Spot":
        return "Spot Instances"
    return "On Demand Instances"


def load_rows(root):
    """Cost Explorer's view of every CUR 2.0 line below root."""
    rows = []
    for d, _, names in sorted(os.walk(root)):
        for n in sorted(names):
            if not n.endswith((".csv", ".csv.gz", ".gz")):
                continue
            with open(os.path.join(d, n), "rb") as f:
                raw = f.read()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")):
                tags = json.loads(r.get("resource_tags") or "{}")
                usage = r["line_item_usage_amount"]
                rows.append({
                    "day": dt.date.fromisoformat(r["line_item_usage_start_date"][:10]),
                    "LINKED_ACCOUNT": r["line_item_usage_account_id"],
                    "name": r.get("line_item_usage_account_name", ""),
                    "SERVICE": service_of(r),
                    "USAGE_TYPE": r["line_item_usage_type"] or "NoUsageType",
                    "RECORD_TYPE": r["line_item_line_item_type"],
                    "PURCHASE_TYPE": purchase_type(r),
                    "tags": {k[5:] if k.startswith("user:") else k: v for k, v in tags.items()},
                    "categories": json.loads(r.get("cost_category") or "{}"),
                    "UnblendedCost": dec(r["line_item_unblended_cost"]),
                    "AmortizedCost": amortized(r),
                    "usage": dec(usage) if usage not in ("", "NULL") else None,
                    "unit": r.get("pricing_unit", ""),
                })
    return rows


def amount(x):
    return format(x, "f")


def month_pieces(start, end):
    out = []
    while start < end:
        nxt = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        out.append((start, min(nxt, end)))
        start = nxt
    return out


def sign_key(secret, date, region, service):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def canonical_uri(path):
    segs = [urllib.parse.quote(s, safe="-_.~") for s in path.split("/")]
    return "/".join(segs) or "/"


def canonical_query(query):
    pairs = []
    for part in query.split("&") if query else []:
        if not part:
            continue
        k, _, v = part.partition("=")
        pairs.append((urllib.parse.quote(urllib.parse.unquote(k), safe="-_.~"),
                      urllib.parse.quote(urllib.parse.unquote(v), safe="-_.~")))
    return "&".join("%s=%s" % kv for kv in sorted(pairs))


class MockCostExplorer:
    def __init__(self, samples, keys, page_size=50, region="us-east-1", estimated_from=None):
        self.rows = load_rows(samples)
        self.names = {}
        for r in self.rows:
            self.names.setdefault(r["LINKED_ACCOUNT"], r["name"])
        self.keys = {k: dict(v) for k, v in keys.items()}  # akid -> secret, token, account
        self.roles = {}            # role ARN -> {"external_id": ...}
        self.page_size = page_size
        self.region = region
        self.estimated_from = estimated_from
        self.faults = []           # see fault_for
        self.fault_base = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.reset_counts()
        self.server = None
        self.issued = 0

    def reset_counts(self):
        with getattr(self, "lock", threading.Lock()):
            self.ok = 0            # CE answers with HTTP 200: billed requests
            self.attempts = 0      # CE requests of any outcome
            self.sts_calls = 0
            self.sig_failures = []
            self.log = []          # (body without NextPageToken, status, key id)

    # ---- the server --------------------------------------------------------

    def start(self):
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                try:
                    status, headers, payload = mock.handle(self.command, self.path, self.headers,
                                                           body)
                except TransportFault as t:
                    mock.transport_fault(self, t.rule)
                    return
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)
                self.close_connection = True

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def stop(self):
        self.stopping.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # ---- requests ----------------------------------------------------------

    def handle(self, method, path, headers, body):
        target = headers.get("X-Amz-Target")
        if method != "POST":
            return 405, [], b""
        if not target:
            return self.sts(path, headers, body)
        with self.lock:
            self.attempts += 1
            ordinal = self.attempts
        try:
            akid = self.verify(path, headers, body, "ce")
            req = self.parse_request(target, headers, body)
            fault = self.fault_for(ordinal, req)
            if fault:
                return self.fault_answer(fault, req)
            answer = self.cost_and_usage(req, self.keys[akid].get("account"))
        except ApiError as e:
            with self.lock:
                self.log.append((None, e.status, None))
            return self.error(e)
        with self.lock:
            self.ok += 1
            self.log.append((self.without_token(req), 200, akid))
        return 200, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(answer).encode()

    @staticmethod
    def error(e):
        doc = {"__type": "com.amazonaws.awsinsightsindexservice#" + e.code, "message": e.message}
        headers = [("Content-Type", "application/x-amz-json-1.1"),
                   ("x-amzn-ErrorType", e.code + ":http://internal.amazon.com/")]
        if e.retry_after is not None:
            headers.append(("Retry-After", str(e.retry_after)))
        return e.status, headers, json.dumps(doc).encode()

    def transport_fault(self, handler, rule):
        """Answers nothing: resets the connection, or keeps it silent for rule["stall"]
        seconds (less when the mock stops) and closes it."""
        with self.lock:
            self.log.append((None, 0, None))
        handler.close_connection = True
        if rule.get("stall"):
            self.stopping.wait(rule["stall"])
            return
        # SO_LINGER 0: closing sends a TCP reset instead of a FIN
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()

    def set_faults(self, faults):
        """Fault rules from now on: "nth" (the n-th Cost Explorer request from now, retries
        included), "from" (the n-th request from now and every later one), "with_token" (a
        later page), "account" (the request filters on this LINKED_ACCOUNT), "times" (how
        often; default once); then either "status", "code", "message" and "retry_after" (an AWS
        error, with a Retry-After field when given), "status", "headers" and "body" (any
        answer), "reset": True (the connection is reset without an answer) or "stall": seconds
        (no answer for that long)."""
        with self.lock:
            self.faults = [dict(f) for f in faults]
            self.fault_base = self.attempts

    def fault_for(self, ordinal, req):
        """The first fault rule matching this request, its use counted."""
        with self.lock:
            for f in self.faults:
                if f.get("times", 1) <= 0:
                    continue
                if "nth" in f and f["nth"] != ordinal - self.fault_base:
                    continue
                if "from" in f and ordinal - self.fault_base < f["from"]:
                    continue
                if f.get("with_token") and "NextPageToken" not in req:
                    continue
                if "account" in f and f["account"] not in json.dumps(req.get("Filter", {})):
                    continue
                f["times"] = f.get("times", 1) - 1
                return f
        return None

    def fault_answer(self, f, req):
        if f.get("reset") or f.get("stall"):
            raise TransportFault(f)
        if "body" in f:
            return f.get("status", 200), f.get("headers", []), f["body"]
        raise ApiError(f.get("status", 400), f["code"], f.get("message", f["code"]),
                       f.get("retry_after"))

    # ---- SigV4 ------------------------------------------------------------

    def verify(self, path, headers, body, service):
        """Checks the request's Signature Version 4; returns the access key id."""
        def fail(code, msg):
            with self.lock:
                self.sig_failures.append(msg)
            raise ApiError(403, code, msg)

        auth = headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            fail("IncompleteSignatureException", "no AWS4-HMAC-SHA256 Authorization")
        fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        akid, date, region, svc, term = fields["Credential"].split("/")
        key = self.keys.get(akid)
        if not key:
            fail("UnrecognizedClientException", "The security token included in the request is invalid.")
        amz_date = headers.get("X-Amz-Date", "")
        when = dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
        if abs((dt.datetime.now(dt.timezone.utc) - when).total_seconds()) > 300:
            fail("InvalidSignatureException", "Signature expired")
        if date != amz_date[:8] or svc != service or term != "aws4_request":
            fail("InvalidSignatureException", "bad credential scope " + fields["Credential"])
        if service == "ce" and region != self.region:
            fail("InvalidSignatureException", "wrong region " + region)
        signed = fields["SignedHeaders"].split(";")
        need = ["host", "x-amz-date"] + (["content-type", "x-amz-target"] if service == "ce" else [])
        if key.get("token"):
            need.append("x-amz-security-token")
            if headers.get("X-Amz-Security-Token") != key["token"]:
                fail("UnrecognizedClientException", "The security token included in the request is invalid.")
        if any(h not in signed for h in need) or signed != sorted(signed):
            fail("InvalidSignatureException", "signed headers " + fields["SignedHeaders"])
        canon = ""
        for h in signed:
            values = headers.get_all(h) or []
            canon += "%s:%s\n" % (h, ",".join(" ".join(v.split()) for v in values))
        p, _, q = path.partition("?")
        creq = "\n".join(["POST", canonical_uri(p), canonical_query(q), canon, ";".join(signed),
                          hashlib.sha256(body).hexdigest()])
        scope = "/".join([date, region, svc, "aws4_request"])
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
        want = hmac.new(sign_key(key["secret"], date, region, svc), sts.encode(),
                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, fields["Signature"]):
            fail("InvalidSignatureException", "The request signature we calculated does not match")
        return akid

    # ---- STS --------------------------------------------------------------

    def sts(self, path, headers, body):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        action = form.get("Action")
        arn = form.get("RoleArn", "")
        role = self.roles.get(arn)
        with self.lock:
            self.sts_calls += 1
        try:
            if action == "AssumeRoleWithWebIdentity":
                # unsigned: the token is the credential
                if role is None or role.get("web_identity_token") != form.get("WebIdentityToken"):
                    raise ApiError(403, "AccessDenied", "not authorized to perform "
                                   "sts:AssumeRoleWithWebIdentity on " + arn)
            else:
                self.verify(path, headers, body, "sts")
                if action != "AssumeRole":
                    raise ApiError(400, "InvalidAction", "only AssumeRole")
                if role is None or role.get("external_id") != form.get("ExternalId"):
                    raise ApiError(403, "AccessDenied",
                                   "not authorized to perform sts:AssumeRole on " + arn)
        except ApiError as e:
            xml = ("<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message>"
                   "</Error><RequestId>mock</RequestId></ErrorResponse>" % (e.code, e.message))
            return e.status, [("Content-Type", "text/xml")], xml.encode()
        with self.lock:
            self.issued += 1
            n = self.issued
        akid = "ASIAMOCK%08d" % n
        secret = hashlib.sha256(b"mock-secret-%d" % n).hexdigest()[:40]
        token = "FwoGZXIvYXdzEMOCK" + hashlib.sha256(b"mock-token-%d" % n).hexdigest() * 3
        self.keys[akid] = {"secret": secret, "token": token, "account": arn.split(":")[4]}
        exp = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        xml = ('<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%sResult>'
               "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
               "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
               "<AssumedRoleUser><Arn>%s/costrank</Arn><AssumedRoleId>AROAMOCK:costrank</AssumedRoleId>"
               "</AssumedRoleUser></%sResult><ResponseMetadata><RequestId>mock</RequestId>"
               "</ResponseMetadata></%sResponse>"
               % (action, action, akid, secret, token, exp, arn, action, action))
        return 200, [("Content-Type", "text/xml")], xml.encode()

    # ---- GetCostAndUsage ----------------------------------------------------

    def parse_request(self, target, headers, body):
        if headers.get("Content-Type") != "application/x-amz-json-1.1":
            raise ApiError(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1")
        if target != "AWSInsightsIndexService.GetCostAndUsage":
            raise ApiError(400, "UnknownOperationException", "unknown operation " + target)
        try:
            req = json.loads(body)
        except ValueError:
            raise ApiError(400, "SerializationException", "body is not JSON")
        if not isinstance(req, dict) or any(k not in REQUEST_KEYS for k in req):
            raise ApiError(400, "ValidationException", "unknown request keys")
        return req

    @staticmethod
    def without_token(req):
        return {k: v for k, v in req.items() if k != "NextPageToken"}

    def check_filter(self, e):
        if not isinstance(e, dict) or len([k for k, v in e.items() if v is not None]) != 1:
            raise ApiError(400, "ValidationException", "Expression must have exactly one root")
        (k, v), = [(k, v) for k, v in e.items() if v is not None]
        if k in ("And", "Or"):
            if not isinstance(v, list) or len(v) < 2:
                raise ApiError(400, "ValidationException", k + " needs at least two expressions")
            for x in v:
                self.check_filter(x)
        elif k == "Not":
            self.check_filter(v)
        elif k in ("Dimensions", "Tags"):
            if not v.get("Values") or (k == "Dimensions" and v.get("Key") not in DIMENSIONS):
                raise ApiError(400, "ValidationException", "bad " + k)
        else:
            raise ApiError(400, "ValidationException", "unknown expression " + k)

    def match(self, e, r):
        (k, v), = [(k, v) for k, v in e.items() if v is not None]
        if k == "And":
            return all(self.match(x, r) for x in v)
        if k == "Or":
            return any(self.match(x, r) for x in v)
        if k == "Not":
            return not self.match(v, r)
        if k == "Dimensions":
            return r[v["Key"]] in v["Values"]
        return r["tags"].get(v["Key"], "") in v["Values"]

    @staticmethod
    def group_value(g, r):
        if g["Type"] == "TAG":
            return "%s$%s" % (g["Key"], r["tags"].get(g["Key"], ""))
        if g["Type"] == "COST_CATEGORY":
            return "%s$%s" % (g["Key"], r["categories"].get(g["Key"], ""))
        return r[g["Key"]]

    def cost_and_usage(self, req, scope_account):
        tp = req.get("TimePeriod") or {}
        try:
            start = dt.date.fromisoformat(tp["Start"])
            end = dt.date.fromisoformat(tp["End"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "ValidationException", "TimePeriod needs Start and End dates")
        if start >= end:
            raise ApiError(400, "ValidationException", "Start must be before End")
        gran = req.get("Granularity")
        if gran not in ("DAILY", "MONTHLY"):
            raise ApiError(400, "ValidationException", "Granularity must be DAILY or MONTHLY")
        metrics = req.get("Metrics") or []
        if not metrics or any(m not in METRICS for m in metrics):
            raise ApiError(400, "ValidationException", "bad Metrics")
        groups = req.get("GroupBy") or []
        if len(groups) > 2 or any(g.get("Type") not in ("DIMENSION", "TAG", "COST_CATEGORY") or
                                  (g["Type"] == "DIMENSION" and g.get("Key") not in DIMENSIONS)
                                  for g in groups):
            raise ApiError(400, "ValidationException", "bad GroupBy")
        filt = req.get("Filter")
        if filt is not None:
            self.check_filter(filt)
        if gran == "DAILY":
            periods = [(start + dt.timedelta(days=i), start + dt.timedelta(days=i + 1))
                       for i in range((end - start).days)]
        else:
            periods = month_pieces(start, end)

        buckets = {p: {} for p in periods}
        for r in self.rows:
            if not (start <= r["day"] < end):
                continue
            if scope_account and r["LINKED_ACCOUNT"] != scope_account:
                continue
            if filt is not None and not self.match(filt, r):
                continue
            p = next(p for p in periods if p[0] <= r["day"] < p[1])
            key = tuple(self.group_value(g, r) for g in groups)
            buckets[p].setdefault(key, []).append(r)

        def metric_values(rows):
            out = {}
            for m in metrics:
                if m in ("UsageQuantity", "NormalizedUsageAmount"):
                    used = [r for r in rows if r["usage"] is not None]
                    units = {r["unit"] for r in used if r["unit"]}
                    out[m] = {"Amount": amount(sum((r["usage"] for r in used), Decimal(0))),
                              "Unit": units.pop() if len(units) == 1 else "N/A"}
                else:
                    src = "AmortizedCost" if "Amortized" in m else "UnblendedCost"
                    out[m] = {"Amount": amount(sum((r[src] for r in rows), Decimal(0))),
                              "Unit": "USD"}
            return out

        items = []  # (period, key or None, rows)
        for p in periods:
            keys = sorted(buckets[p])
            if not groups:
                items.append((p, (), sum(buckets[p].values(), [])))
            elif not keys:
                items.append((p, None, None))
            for k in keys if groups else []:
                items.append((p, k, buckets[p][k]))

        digest = hashlib.sha256(json.dumps(self.without_token(req), sort_keys=True).encode()).hexdigest()[:16]
        offset = 0
        if "NextPageToken" in req:
            try:
                tok = json.loads(base64.urlsafe_b64decode(req["NextPageToken"].encode()))
                offset = int(tok["o"])
            except (ValueError, KeyError, TypeError):
                raise ApiError(400, "InvalidNextTokenException", "The token is not valid")
            if tok.get("h") != digest:
                raise ApiError(400, "RequestChangedException", "The request changed between pages")
        page = items[offset:offset + self.page_size] if groups else items
        results, attrs = [], set()
        for p, k, rows in page:
            if not results or results[-1]["TimePeriod"]["Start"] != p[0].isoformat():
                est = self.estimated_from is not None and p[1] > self.estimated_from
                results.append({"TimePeriod": {"Start": p[0].isoformat(), "End": p[1].isoformat()},
                                "Total": {}, "Groups": [], "Estimated": est})
            if not groups:
                results[-1]["Total"] = metric_values(rows)
            elif k is not None:
                results[-1]["Groups"].append({"Keys": list(k), "Metrics": metric_values(rows)})
                for g, v in zip(groups, k):
                    if g["Key"] == "LINKED_ACCOUNT":
                        attrs.add(v)
        answer = {"GroupDefinitions": [{"Type": g["Type"], "Key": g["Key"]} for g in groups],
                  "ResultsByTime": results,
                  "DimensionValueAttributes": [{"Value": a, "Attributes": {"description": self.names.get(a, "")}}
                                               for a in sorted(attrs)]}
        if groups and offset + self.page_size < len(items):
            tok = {"o": offset + self.page_size, "h": digest}
            answer["NextPageToken"] = base64.urlsafe_b64encode(json.dumps(tok).encode()).decode()
        return answer


def main():
    ap = argparse.ArgumentParser(description="A local Cost Explorer for tests.")
    ap.add_argument("--samples", required=True, help="folder of CUR 2.0 files")
    ap.add_argument("--key", action="append", default=[], metavar="AKID:SECRET")
    ap.add_argument("--page-size", type=int, default=50)
    args = ap.parse_args()
    keys = {k.split(":", 1)[0]: {"secret": k.split(":", 1)[1]} for k in args.key}
    mock = MockCostExplorer(args.samples, keys, page_size=args.page_size).start()
    print("listening on %s" % mock.url, flush=True)
    try:
        mock.thread.join()
    except KeyboardInterrupt:
        mock.stop()


if __name__ == "__main__":
    main()
