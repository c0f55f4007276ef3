"""The live source against a local Cost Explorer (tests/tools/mock_ce.py).

The mock aggregates the sample organisation's CUR 2.0 files as each request asks, pages its
answers, checks every signature on its own and injects faults.  A report pulled through it must
equal the report of the sample files (everything but the "source" block); the paid requests must
match the plan --dry-run prints; a second run must be free; faults must be retried or reported in
one line with the right exit code; no secret may appear anywhere."""
import datetime
import json
import os
import re
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from common import (OPERATION_DEPENDENT, SAMPLES, run, tempdir,  # noqa: E402
                    without_commitments, without_resources)
from mock_ce import MockCostExplorer  # noqa: E402
from test_allocation import CATEGORY, check_against, oracle  # noqa: E402

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENxyz0123456789abcdefSECRETTOKEN"
ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
NOW = "2026-11-15"
ALL_FORMATS = "json,csv,xlsx,md,html,table"



def without_source(report):
    return without_commitments({k: v for k, v in without_resources(report).items()
            if k not in ("source", "anomalies", "drivers") + OPERATION_DEPENDENT})


class CostExplorer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = MockCostExplorer(os.path.join(SAMPLES, "cur2"),
                                    {AKID: {"secret": SECRET}}).start()
        cls.tmp = tempdir()
        cls.home = cls.tmp.name
        with tempdir() as d:
            code, _, err = run(["report", "--format", "json", "--out", d, "--accounts", ACCOUNTS,
                                "--month", "2026-10", os.path.join(SAMPLES, "cur2")])
            assert code == 0, err
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                cls.files_report = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.mock.set_faults([])
        self.mock.page_size = 50
        self.mock.estimated_from = None
        self.mock.roles = {}

    def env(self, cache, **extra):
        env = {
            "HOME": self.home, "XDG_CACHE_HOME": cache, "COSTRANK_NOW": NOW,
            "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_CONFIG_FILE": os.path.join(self.home, "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.home, "no-credentials"),
            "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
            "AWS_ROLE_ARN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_REGION": "",
            "AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL_STS": "",
            "AWS_ENDPOINT_URL_COST_EXPLORER": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_EC2_METADATA_DISABLED": "true",
            "HTTPS_PROXY": "", "https_proxy": "",
        }
        env.update(extra)
        return env

    def live(self, *args, cache, out=None, formats="json", env=None, accounts=ACCOUNTS):
        """Runs a Cost Explorer report; returns (code, stdout, stderr, report or None)."""
        with tempdir() as d:
            out = out or d
            argv = ["report", "--endpoint-url", self.mock.url, "--format", formats, "--out", out,
                    "--color", "never"]
            if accounts:
                argv += ["--accounts", accounts]
            code, so, se = run(argv + list(args), env=env or self.env(cache))
            path = os.path.join(out, "costrank-2026-10.json")
            rep = None
            if os.path.exists(path):
                with open(path) as f:
                    rep = json.load(f)
            return code, so, se, rep

    # (1) the same report as from the files, through small pages
    def test_report_equals_file_report(self):
        with tempdir() as cache:
            before = self.mock.ok
            code, _, err, rep = self.live(cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(without_source(rep), without_source(self.files_report))
            src = rep["source"]
            self.assertEqual(src["kind"], "cost-explorer")
            self.assertEqual(src["files"], [self.mock.url])
            self.assertEqual(src["requests"], self.mock.ok - before)
            self.assertGreater(src["requests"], 13, "small pages: answers span several pages")
            self.assertEqual(src["cached_requests"], 0)
            self.assertFalse(src["estimated"])
            self.assertFalse(src["partial"])
            self.assertEqual(src["data_through"], "2026-10-31")
            self.assertEqual(self.mock.sig_failures, [])
            self.assertTrue(rep["proposals"])
            models = {p["model"] for p in rep["proposals"]}
            self.assertTrue({"commitment-floor", "schedule", "weekend"} <= models, models)

    # (2) paid requests == the plan, within accounts + 6
    def test_paid_requests_equal_the_plan(self):
        self.mock.page_size = 100000
        with tempdir() as cache:
            attempts = self.mock.attempts
            code, out, err, _ = self.live("--dry-run", cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(self.mock.attempts, attempts, "--dry-run calls nothing")
            planned = int(re.search(r"planned requests: (\d+)", out).group(1))
            self.assertLessEqual(planned, 7 + 6)
            code, _, err, rep = self.live(cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(rep["source"]["requests"], planned)
            self.assertEqual(self.mock.attempts - attempts, planned)
            self.assertEqual(without_source(rep), without_source(self.files_report))

    # (2b) --by: GroupBy TAG and COST_CATEGORY, one request per dimension more, as planned
    def test_by_tag_and_cost_category(self):
        self.mock.page_size = 100000
        by = ["--by", "tag:team", "--by", CATEGORY]
        with tempdir() as cache:
            code, out, err, _ = self.live("--dry-run", cache=cache)
            self.assertEqual(code, 0, err)
            base = int(re.search(r"planned requests: (\d+)", out).group(1))
            attempts = self.mock.attempts
            code, out, err, _ = self.live("--dry-run", *by, cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(self.mock.attempts, attempts, "--dry-run calls nothing")
            planned = int(re.search(r"planned requests: (\d+)", out).group(1))
            self.assertEqual(planned, base + 2, out)
            self.assertIn("TAG team, SERVICE", out)
            self.assertIn("COST_CATEGORY CostCenter, SERVICE", out)
            # a budget for the plan without the dimensions stops before any request
            code, _, err, rep = self.live("--max-requests", str(base), *by, cache=cache)
            self.assertEqual(code, 1, err)
            self.assertIn("--max-requests", err)
            self.assertEqual(self.mock.attempts, attempts)
            code, _, err, rep = self.live("--max-requests", str(planned), *by, cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(rep["source"]["requests"], planned)
            self.assertEqual(self.mock.attempts - attempts, planned)
            want = oracle("cur2")
            self.assertEqual([a["dimension"] for a in rep["allocation"]], ["tag:team", CATEGORY])
            check_against(self, rep, want)
            # each dimension: its own request, two GroupBy keys, the ranked record types
            asked = [body["GroupBy"] for body, status, _ in self.mock.log[-planned:]
                     if body and body["GroupBy"][0]["Type"] in ("TAG", "COST_CATEGORY")
                     and body["GroupBy"][0]["Key"] != "environment"]
            self.assertEqual(asked, [[{"Type": "TAG", "Key": "team"},
                                      {"Type": "DIMENSION", "Key": "SERVICE"}],
                                     [{"Type": "COST_CATEGORY", "Key": "CostCenter"},
                                      {"Type": "DIMENSION", "Key": "SERVICE"}]])
            without = {k: v for k, v in without_source(rep).items() if k != "allocation"}
            self.assertEqual(without, without_source(self.files_report))
            # again from the cache, free
            ok = self.mock.ok
            code, _, err, again = self.live(*by, cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(self.mock.ok, ok)
            self.assertEqual(again["allocation"], rep["allocation"])
        # region is not asked of Cost Explorer
        with tempdir() as cache:
            code, _, err, rep = self.live("--by", "region", cache=cache)
            self.assertEqual(code, 2, err)
            self.assertIn("--by region", err)

    # (3) a re-run is free; the cache is private and holds no secret
    def test_second_run_is_free(self):
        with tempdir() as cache:
            code, _, err, first = self.live(cache=cache)
            self.assertEqual(code, 0, err)
            ok = self.mock.ok
            code, _, err, second = self.live(cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(self.mock.ok, ok, "the second run asked Cost Explorer")
            self.assertEqual(second["source"]["requests"], 0)
            self.assertEqual(second["source"]["cached_requests"], first["source"]["requests"])
            self.assertEqual(without_source(second), without_source(first))
            d = os.path.join(cache, "costrank")
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700)
            names = os.listdir(d)
            self.assertEqual(len(names), 10)
            for n in names:
                p = os.path.join(d, n)
                self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o600, n)
                with open(p, "rb") as f:
                    data = f.read()
                for secret in (SECRET, AKID):
                    self.assertNotIn(secret.encode(), data, n)
                entry = json.loads(data)
                self.assertIsNone(entry["expires"], "a closed month is kept for good")
            # --offline answers from it and uses no credentials (the key id only names
            # whose answers to read)
            code, _, err, third = self.live("--offline", cache=cache, env=self.env(
                cache, AWS_SECRET_ACCESS_KEY=""))
            self.assertEqual(code, 0, err)
            self.assertEqual(without_source(third), without_source(first))

    # (4) throttling and server errors are retried
    def test_throttling_and_5xx_are_retried(self):
        self.mock.set_faults([
            {"nth": 2, "status": 400, "code": "LimitExceededException", "message": "Rate exceeded"},
            {"nth": 5, "status": 429, "code": "TooManyRequestsException"},
            {"nth": 9, "status": 503, "code": "ServiceUnavailable"},
            {"nth": 10, "status": 400, "code": "ThrottlingException"},
            {"nth": 14, "status": 502, "body": b"<html><title>502 Bad Gateway</title></html>"},
        ])
        with tempdir() as cache:
            attempts, ok = self.mock.attempts, self.mock.ok
            code, _, err, rep = self.live(cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(without_source(rep), without_source(self.files_report))
            self.assertEqual(self.mock.attempts - attempts, self.mock.ok - ok + 5)
            self.assertEqual(rep["source"]["requests"], self.mock.ok - ok)

    # (5) errors: one line, status and code, the right exit code, no report
    def test_errors_are_one_line_and_write_nothing(self):
        cases = [
            ({"nth": 1, "status": 400, "code": "AccessDeniedException",
              "message": "User: arn:aws:iam::731904582216:user/ci is not authorized"},
             6, ["HTTP 400 AccessDeniedException", "ce:GetCostAndUsage"]),
            ({"nth": 1, "status": 400, "code": "AccessDeniedException",
              "message": "User not enabled for cost explorer access"},
             6, ["HTTP 400 AccessDeniedException", "enable it"]),
            ({"nth": 2, "status": 400, "code": "DataUnavailableException",
              "message": "Data is not available"},
             5, ["HTTP 400 DataUnavailableException", "Data is not available", "run later"]),
            ({"with_token": True, "status": 400, "code": "InvalidNextTokenException",
              "message": "Invalid token"},
             5, ["HTTP 400 InvalidNextTokenException", "run again"]),
            ({"nth": 1, "status": 400, "code": "BillExpirationException", "message": "too old"},
             5, ["HTTP 400 BillExpirationException", "later --month"]),
            ({"nth": 1, "status": 403, "code": "ExpiredTokenException", "message": "expired"},
             6, ["HTTP 403 ExpiredTokenException", "expired"]),
            ({"nth": 3, "status": 200, "body": b"<!DOCTYPE html><html><head><title>Proxy login"
              b"</title></head></html>"}, 5, ["HTML page", "Proxy login"]),
            ({"nth": 3, "status": 200, "body": b'{"ResultsByTime": [{"TimePeriod": {"Start": '},
             5, ["ends early"]),
            ({"nth": 3, "status": 200, "body": b'{"ResultsByTime": [{"TimePeriod": {"Start": '
              b'"2026-09-01", "End": "2026-10-01"}, "Groups": [{"Keys": ["a", "b"], "Metrics": '
              b'{"UnblendedCost": {"Amount": 12, "Unit": "USD"}}}]}]}'},
             5, ["ResultsByTime[0].Groups[0].Metrics.UnblendedCost.Amount is not a string"]),
        ]
        host = self.mock.url.split("//")[1]
        for fault, want, parts in cases:
            with self.subTest(fault=fault.get("code") or fault["body"][:20]):
                self.mock.set_faults([dict(fault, times=9)])
                with tempdir() as cache, tempdir() as out:
                    code, so, err, rep = self.live("--no-cache", cache=cache, out=out,
                                                   formats="json,csv,table")
                    self.assertEqual(code, want, err)
                    self.assertIsNone(rep)
                    self.assertEqual(os.listdir(out), [])
                    self.assertEqual(so, "")
                    lines = err.strip().split("\n")
                    self.assertEqual(len(lines), 1, err)
                    self.assertTrue(lines[0].startswith("costrank: error: "), err)
                    self.assertIn(host, lines[0])
                    for p in parts:
                        self.assertIn(p, lines[0])

    def test_allow_partial_marks_the_report(self):
        self.mock.set_faults([{"nth": 4, "status": 400, "code": "DataUnavailableException",
                               "message": "Data is not available"}])
        with tempdir() as cache:
            code, out, err, rep = self.live("--allow-partial", cache=cache,
                                            formats="json,md,table")
            self.assertEqual(code, 0, err)
            self.assertIn("DataUnavailableException", err)
            self.assertIn("partial", err)
            self.assertTrue(rep["source"]["partial"])
            self.assertTrue(any("partial" in w for w in rep["warnings"]), rep["warnings"])
            self.assertIn("partial", out.lower())

    def test_rules_that_need_more_daily_data(self):
        """A usage type under three services of one account (asked apart), and a weekend rule
        on net daily spend over lines that Savings Plans cover (the amortised metric: their
        cost is not all on-demand, so their net daily spend is asked too)."""
        rules = {"rules": [
            {"id": "t-storage-floor", "title": "Storage floor", "action": "commitment",
             "match": {"service": "*", "usage_type": "*TimedStorage-ByteHrs"},
             "environments": ["any"], "on_demand_only": True,
             "savings": {"model": "commitment-floor", "discount": 0.1}, "effort": "low",
             "risk": "low", "rationale": "test", "reference": "https://example.com/"},
            {"id": "t-prod-weekend", "title": "Weekend net", "action": "weekend-shutdown",
             "match": {"service": "Amazon Elastic Compute Cloud - Compute",
                       "usage_type": "*BoxUsage:*"},
             "environments": ["production"], "savings": {"model": "weekend"},
             "effort": "low", "risk": "low", "rationale": "test",
             "reference": "https://example.com/"}]}
        self.mock.page_size = 100000
        with tempdir() as cache:
            path = os.path.join(cache, "rules.json")
            with open(path, "w") as f:
                json.dump(rules, f)
            extra = ["--rules", path, "--metric", "amortized", "--month", "2026-10"]
            with tempdir() as d:
                code, _, err = run(["report", "--format", "json", "--out", d, "--accounts",
                                    ACCOUNTS, *extra, os.path.join(SAMPLES, "cur2")])
                self.assertEqual(code, 0, err)
                with open(os.path.join(d, "costrank-2026-10.json")) as f:
                    files = json.load(f)
            log = len(self.mock.log)
            code, _, err, rep = self.live(*extra, cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(without_source(rep), without_source(files))
            self.assertTrue(any(p["rule"] == "t-storage-floor" for p in rep["proposals"]))
            daily = [b for b, _, _ in self.mock.log[log:] if b and b["Granularity"] == "DAILY"]
            self.assertEqual(len(daily), 4, "three for the storage, one for net daily spend")
            self.assertEqual(rep["source"]["requests"], 13)

    # (6) a budget below the plan fails before any call
    def test_max_requests_below_the_plan(self):
        self.mock.page_size = 100000
        with tempdir() as cache, tempdir() as out:
            attempts = self.mock.attempts
            code, _, err, rep = self.live("--max-requests", "5", cache=cache, out=out)
            self.assertEqual(code, 1, err)
            self.assertIn("--max-requests 5", err)
            self.assertEqual(self.mock.attempts, attempts)
            self.assertEqual(os.listdir(out), [])
            code, _, err, rep = self.live("--max-requests", "10", cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(rep["source"]["requests"], 10)
            # the cache makes the budget of a re-run zero
            code, _, err, rep = self.live("--max-requests", "0", cache=cache)
            self.assertEqual(code, 0, err)
            self.assertEqual(rep["source"]["requests"], 0)

    def test_max_requests_stops_a_pull_that_pages_more(self):
        with tempdir() as cache, tempdir() as out:
            ok = self.mock.ok
            code, _, err, rep = self.live("--max-requests", "12", cache=cache, out=out)
            self.assertEqual(code, 1, err)
            self.assertIn("--max-requests 12 reached", err)
            self.assertEqual(self.mock.ok - ok, 12)
            self.assertEqual(os.listdir(out), [])

    # (7) --offline without a cache
    def test_offline_with_an_empty_cache(self):
        with tempdir() as cache:
            attempts = self.mock.attempts
            code, _, err, rep = self.live("--offline", cache=cache,
                                          env=self.env(cache, AWS_ACCESS_KEY_ID="",
                                                       AWS_SECRET_ACCESS_KEY=""))
            self.assertEqual(code, 7, err)
            self.assertIn("--offline", err)
            self.assertIn("no answer", err)
            self.assertIn(os.path.join(cache, "costrank"), err)
            self.assertIsNone(rep)
            self.assertEqual(self.mock.attempts, attempts)

    def test_missing_credentials_say_what_was_tried(self):
        with tempdir() as cache:
            code, _, err, _ = self.live(cache=cache, env=self.env(
                cache, AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY=""))
            self.assertEqual(code, 6, err)
            self.assertEqual(len(err.strip().split("\n")), 1, err)
            self.assertIn("no AWS credentials found; tried environment variables", err)

    def test_estimated_running_month(self):
        self.mock.estimated_from = datetime.date(2026, 10, 1)
        with tempdir() as cache:
            code, _, err, rep = self.live("--month", "2026-10", cache=cache,
                                          env=self.env(cache, COSTRANK_NOW="2026-10-20"))
            self.assertEqual(code, 0, err)
            self.assertTrue(rep["source"]["estimated"])
            self.assertEqual(rep["source"]["data_through"], "2026-10-19")
            self.assertTrue(any("estimated" in w for w in rep["warnings"]), rep["warnings"])
            for n in os.listdir(os.path.join(cache, "costrank")):
                with open(os.path.join(cache, "costrank", n)) as f:
                    self.assertIsNotNone(json.load(f)["expires"], "running month: a lifetime")

    # (8) separate accounts, each through its own role
    def test_separate_accounts_through_roles(self):
        with open(ACCOUNTS) as f:
            doc = json.load(f)
        for i, a in enumerate(doc["accounts"]):
            arn = "arn:aws:iam::%s:role/costrank-read" % a["id"]
            a["role_arn"] = arn
            ext = "larkspur-finops-%d" % i if i % 2 else None
            if ext:
                a["external_id"] = ext
            self.mock.roles[arn] = {"external_id": ext}
        with tempdir() as cache:
            path = os.path.join(cache, "accounts.json")
            with open(path, "w") as f:
                json.dump(doc, f)
            sts = self.mock.sts_calls
            env = self.env(cache, AWS_ENDPOINT_URL_STS=self.mock.url, AWS_SESSION_TOKEN="")
            code, _, err, rep = self.live(cache=cache, accounts=path, env=env, formats=ALL_FORMATS)
            self.assertEqual(code, 0, err)
            self.assertEqual(self.mock.sts_calls - sts, 7)
            self.assertEqual(self.mock.sig_failures, [])
            self.assertEqual(without_source(rep), without_source(self.files_report))
            self.assertEqual(len(rep["source"]["files"]), 7)
            # a wrong external id is refused by STS: credentials, exit 6
            self.mock.roles[doc["accounts"][1]["role_arn"]] = {"external_id": "other"}
            code, _, err, _ = self.live("--no-cache", cache=cache, accounts=path, env=env)
            self.assertEqual(code, 6, err)
            self.assertIn("AccessDenied", err)
            self.assertIn(doc["accounts"][1]["id"], err)

    def test_separate_accounts_through_a_profile(self):
        """An entry naming a profile whose role the AWS config assumes from another."""
        with open(ACCOUNTS) as f:
            doc = json.load(f)
        for a in doc["accounts"]:
            arn = "arn:aws:iam::%s:role/costrank-read" % a["id"]
            self.mock.roles[arn] = {"external_id": None}
            if a["name"] == "larkspur-data":
                a["profile"] = "data-ro"
            else:
                a["role_arn"] = arn
        with tempdir() as cache:
            conf = os.path.join(cache, "config")
            creds = os.path.join(cache, "credentials")
            with open(conf, "w") as f:
                f.write("[profile data-ro]\nrole_arn = arn:aws:iam::364058812907:role/"
                        "costrank-read\nsource_profile = finops\n")
            with open(creds, "w") as f:
                f.write("[finops]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                        % (AKID, SECRET))
            os.chmod(creds, 0o600)
            path = os.path.join(cache, "accounts.json")
            with open(path, "w") as f:
                json.dump(doc, f)
            sts = self.mock.sts_calls
            env = self.env(cache, AWS_ENDPOINT_URL_STS=self.mock.url, AWS_CONFIG_FILE=conf,
                           AWS_SHARED_CREDENTIALS_FILE=creds)
            code, _, err, rep = self.live(cache=cache, accounts=path, env=env)
            self.assertEqual(code, 0, err)
            self.assertEqual(self.mock.sts_calls - sts, 7)
            self.assertEqual(without_source(rep), without_source(self.files_report))
            # the cache keeps each account's answers apart, and a re-run is free
            code, _, err, again = self.live(cache=cache, accounts=path, env=env)
            self.assertEqual(code, 0, err)
            self.assertEqual(again["source"]["requests"], 0)
            self.assertEqual(self.mock.sts_calls - sts, 7, "a cached re-run needs no role")

    # (9) no secret anywhere
    def test_no_secret_leaks(self):
        self.mock.keys["ASIAEXAMPLESESSION"] = {"secret": SECRET + "2", "token": TOKEN}
        secrets = [SECRET, SECRET + "2", TOKEN]
        with tempdir() as cache, tempdir() as out:
            env = self.env(cache, AWS_ACCESS_KEY_ID="ASIAEXAMPLESESSION",
                           AWS_SECRET_ACCESS_KEY=SECRET + "2", AWS_SESSION_TOKEN=TOKEN)
            texts = []
            code, so, se, _ = self.live(cache=cache, out=out, env=env, formats=ALL_FORMATS)
            self.assertEqual(code, 0, se)
            texts += [so, se]
            self.mock.set_faults([{"nth": 1, "status": 403, "code": "UnrecognizedClientException",
                                   "message": "The security token %s is invalid" % TOKEN}])
            code, so, se, _ = self.live("--no-cache", cache=cache, env=env)
            self.assertEqual(code, 6, se)
            self.assertIn("[redacted]", se)
            texts += [so, se]
            secrets += [k["secret"] for k in self.mock.keys.values()]
            secrets += [k["token"] for k in self.mock.keys.values() if k.get("token")]
            blobs = [t.encode() for t in texts]
            for root in (out, cache):
                for d, _, names in os.walk(root):
                    for n in names:
                        with open(os.path.join(d, n), "rb") as f:
                            blobs.append(f.read())
            self.assertGreater(len(blobs), 10)
            for s in secrets:
                for b in blobs:
                    self.assertNotIn(s.encode(), b)
            # the access key ids name nothing in files either
            for b in blobs[4:]:
                self.assertNotIn(b"ASIAEXAMPLESESSION", b)

    def test_usage_errors(self):
        cases = [
            (["--source", "ce", os.path.join(SAMPLES, "cur2")], "takes no FILE"),
            (["--offline", os.path.join(SAMPLES, "cur2")], "apply to Cost Explorer"),
            (["--max-requests", "3", os.path.join(SAMPLES, "cur2")], "apply to Cost Explorer"),
            (["--offline", "--no-cache"], "cannot go with --no-cache"),
            (["--max-requests", "-1"], "--max-requests '-1'"),
            (["--endpoint-url", "http://ce.example.com"], "http"),
            (["--source", "files"], "no input"),
        ]
        for args, part in cases:
            with self.subTest(args=args):
                code, out, err = run(["report"] + args, env={"COSTRANK_NOW": NOW})
                self.assertEqual(code, 2, err)
                self.assertIn(part, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
