"""Faults injected into a Cost Explorer pull (tests/tools/mock_ce.py), one test each.

Every fault is one the network or AWS really produces: a connection reset without an answer,
an answer slower than the request timeout, throttling that outlasts the retries, a Retry-After
beyond the one honoured, credentials that expire in the middle of a pull, a page token that
stops being valid, no server at all, a 200 answer cut short, a proxy's HTML error page.  Each
run must end with the documented exit code (5 remote, 6 credentials) and one line,
"costrank: error: ...", that names the endpoint host (never its path) and the HTTP status and
AWS error code or the transport failure, and says what to do next; no report and no temporary
file in --out; a cache holding only complete answers, so that a run without the fault gives the
full report, paying only for what was not cached.  With --allow-partial a failure after the
first answers writes the reports marked partial instead.

The request timeout is made short with COSTRANK_HTTP_TIMEOUT_MS; throttling answers carry
"Retry-After: 0" so that six attempts take no time.  Faults that are retried without a
Retry-After (resets, stalls, refusals, 502) wait the real backoff: about 8 s each.

At the end the module prints "faults tried: N", the number of faulty pulls made.
"""
import json
import os
import socket
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from common import (OPERATION_DEPENDENT, SAMPLES, run, tempdir,  # noqa: E402
                    without_commitments, without_resources)
from mock_ce import MockCostExplorer  # noqa: E402

AKID = "AKIDFAULTEXAMPLE"
SECRET = "fAuLtSeCrEt/K7MDENG+bPxRfiCYEXAMPLEKEY0"
SESSION_AKID = "ASIAFAULTSESSION"
SESSION_SECRET = "sEsSiOnSeCrEt/K7MDENG+bPxRfiCYEXAMPLE00"
TOKEN = "IQoJb3JpZ2luX2VjFAULTSESSIONTOKENabcdef0123456789EXAMPLE"
ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
NOW = "2026-11-15"
REPORT = "costrank-2026-10.json"
# the endpoint has a path: messages must name the host only
PATH = "/vpce-0f3a9private-path/"
FORMATS = "json,csv,md,table"

faults_tried = 0


def tearDownModule():
    print("faults tried: %d" % faults_tried, flush=True)



def without_source(report):
    return without_commitments({k: v for k, v in without_resources(report).items()
            if k not in ("source", "anomalies", "drivers") + OPERATION_DEPENDENT})


def body_key(body):
    return json.dumps(body, sort_keys=True)


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = MockCostExplorer(os.path.join(SAMPLES, "cur2"), {
            AKID: {"secret": SECRET},
            SESSION_AKID: {"secret": SESSION_SECRET, "token": TOKEN},
        }).start()
        cls.tmp = tempdir()
        cls.home = cls.tmp.name
        with tempdir() as d:
            code, _, err = run(["report", "--format", "json", "--out", d, "--accounts", ACCOUNTS,
                                "--month", "2026-10", os.path.join(SAMPLES, "cur2")])
            assert code == 0, err
            with open(os.path.join(d, REPORT)) as f:
                cls.files_report = json.load(f)
        # a pull without faults: the paid requests, and the pages of each request
        with tempdir() as cache, tempdir() as out:
            log = len(cls.mock.log)
            code, _, err = run(cls.argv(cls, out, "--no-cache"), env=cls.env(cls, cache))
            assert code == 0, err
            with open(os.path.join(out, REPORT)) as f:
                cls.paid = json.load(f)["source"]["requests"]
        cls.pages = {}
        for body, status, _ in cls.mock.log[log:]:
            assert status == 200
            cls.pages[body_key(body)] = cls.pages.get(body_key(body), 0) + 1
        assert sum(cls.pages.values()) == cls.paid
        assert any(n > 1 for n in cls.pages.values()), "some answers must have pages"

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.mock.set_faults([])

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
            "COSTRANK_HTTP_TIMEOUT_MS": "",
        }
        env.update(extra)
        return env

    def argv(self, out, *extra, endpoint=None):
        return ["report", "--endpoint-url", (endpoint or self.mock.url) + PATH,
                "--format", FORMATS, "--out", out, "--color", "never",
                "--accounts", ACCOUNTS] + list(extra)

    def faulty_pull(self, faults, *extra, endpoint=None, **env):
        """A pull with faults injected into a fresh cache; returns (code, stdout, stderr,
        the cache directory, the out directory, the pages answered in full per request)."""
        global faults_tried
        faults_tried += 1
        cache, out = tempdir(), tempdir()
        self.addCleanup(cache.cleanup)
        self.addCleanup(out.cleanup)
        self.mock.set_faults(faults)
        log = len(self.mock.log)
        code, so, se = run(self.argv(out.name, *extra, endpoint=endpoint),
                           env=self.env(cache.name, **env))
        self.mock.set_faults([])
        answered = {}
        for body, status, _ in self.mock.log[log:]:
            if status == 200:
                answered[body_key(body)] = answered.get(body_key(body), 0) + 1
        return code, so, se, cache.name, out.name, answered

    # ---- what every failure must show --------------------------------------------

    def check_failure(self, code, so, se, out, want, parts, advice, env_secrets=()):
        self.assertEqual(code, want, se)
        self.assertEqual(so, "")
        lines = se.strip().split("\n")
        self.assertEqual(len(lines), 1, se)
        line = lines[0]
        self.assertTrue(line.startswith("costrank: error: "), line)
        self.assertIn("127.0.0.1:", line)
        self.assertNotIn(PATH.strip("/"), line, "the endpoint's path is not for messages")
        for s in (SECRET, SESSION_SECRET, TOKEN, AKID, SESSION_AKID) + tuple(env_secrets):
            self.assertNotIn(s, line)
        for p in parts:
            self.assertIn(p, line)
        self.assertTrue(any(a in line for a in advice), "no advice in: " + line)
        self.assertEqual(os.listdir(out), [], "a failed run leaves nothing in --out")
        return line

    def cache_entries(self, cache):
        """The cache's entries; each must be private, final and a complete answer."""
        d = os.path.join(cache, "costrank")
        if not os.path.isdir(d):
            return []
        self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700)
        entries = []
        for n in sorted(os.listdir(d)):
            self.assertFalse(n.startswith(".tmp-"), "a temporary cache file was left: " + n)
            p = os.path.join(d, n)
            self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o600, n)
            with open(p) as f:
                entry = json.load(f)
            pages = [json.loads(t) for t in entry["pages"]]
            self.assertNotIn("NextPageToken", pages[-1], "an answer cut at a page")
            for pg in pages[:-1]:
                self.assertIn("NextPageToken", pg)
            entries.append(entry)
        return entries

    def check_rerun(self, cache, answered, **env):
        """A run without faults over the cache the faulty one left (with the same
        credentials): the full report, paying only for the requests the faulty run did not
        answer in full."""
        complete = sum(n for k, n in answered.items() if self.pages.get(k) == n)
        entries = self.cache_entries(cache)
        self.assertEqual(sum(len(e["pages"]) for e in entries), complete)
        with tempdir() as out:
            ok = self.mock.ok
            code, _, se = run(self.argv(out), env=self.env(cache, **env))
            self.assertEqual(code, 0, se)
            with open(os.path.join(out, REPORT)) as f:
                rep = json.load(f)
        self.assertEqual(without_source(rep), without_source(self.files_report))
        self.assertEqual(rep["source"]["cached_requests"], complete)
        self.assertEqual(rep["source"]["requests"], self.paid - complete)
        self.assertEqual(self.mock.ok - ok, self.paid - complete)
        self.assertFalse(rep["source"]["partial"])
        return complete

    def check_partial(self, faults, error_part, **env):
        """--allow-partial: the same fault, the reports written and marked partial."""
        code, so, se, cache, out, answered = self.faulty_pull(faults, "--allow-partial", **env)
        self.assertEqual(code, 0, se)
        self.assertIn("costrank: warning: ", se)
        self.assertIn(error_part, se)
        self.assertIn("the report is marked partial", se)
        names = sorted(os.listdir(out))
        self.assertIn(REPORT, names)
        self.assertFalse([n for n in names if ".tmp" in n], names)
        with open(os.path.join(out, REPORT)) as f:
            rep = json.load(f)
        self.assertTrue(rep["source"]["partial"])
        self.assertTrue(any("partial" in w for w in rep["warnings"]), rep["warnings"])
        with open(os.path.join(out, "costrank-2026-10.md")) as f:
            self.assertIn("partial", f.read().lower())
        self.assertIn("partial", so.lower())
        # what the partial run cached is complete: the next run gives the full report
        self.check_rerun(cache, answered, **env)

    # ---- the faults ------------------------------------------------------------------

    def test_connection_reset(self):
        faults = [{"from": 4, "reset": True, "times": 1000}]
        code, so, se, cache, out, answered = self.faulty_pull(faults)
        self.check_failure(code, so, se, out, 5, ["reset", "6 attempts"],
                           ["check the network", "run again"])
        self.assertGreater(self.check_rerun(cache, answered), 0)
        self.check_partial(faults, "reset")

    def test_answer_slower_than_the_timeout(self):
        faults = [{"from": 3, "stall": 5, "times": 1000}]
        code, so, se, cache, out, answered = self.faulty_pull(
            faults, COSTRANK_HTTP_TIMEOUT_MS="300")
        self.check_failure(code, so, se, out, 5, ["timed out", "6 attempts"],
                           ["check the network", "run again"])
        self.check_rerun(cache, answered)
        # the variable is checked
        with tempdir() as cache, tempdir() as out:
            code, _, se = run(self.argv(out), env=self.env(cache, COSTRANK_HTTP_TIMEOUT_MS="0.3s"))
            self.assertEqual(code, 2, se)
            self.assertIn("COSTRANK_HTTP_TIMEOUT_MS", se)

    def test_throttling_beyond_the_retries(self):
        faults = [{"from": 5, "status": 400, "code": "ThrottlingException",
                   "message": "Rate exceeded", "retry_after": 0, "times": 1000}]
        code, so, se, cache, out, answered = self.faulty_pull(faults)
        self.check_failure(code, so, se, out, 5,
                           ["HTTP 400 ThrottlingException", "Rate exceeded", "6 attempts"],
                           ["run again later"])
        self.check_rerun(cache, answered)
        self.check_partial(faults, "ThrottlingException")

    def test_retry_after_beyond_the_budget(self):
        # a Retry-After longer than the 60 s honoured fails at once
        faults = [{"from": 2, "status": 429, "code": "TooManyRequestsException",
                   "message": "Too many requests", "retry_after": 3600, "times": 1000}]
        attempts = self.mock.attempts
        code, so, se, cache, out, answered = self.faulty_pull(faults)
        self.check_failure(code, so, se, out, 5, ["HTTP 429 TooManyRequestsException"],
                           ["run again later"])
        self.assertEqual(self.mock.attempts - attempts, 2, "no retry against a long Retry-After")
        self.check_rerun(cache, answered)

    def test_token_expires_mid_pull(self):
        faults = [{"from": 6, "status": 400, "code": "ExpiredTokenException",
                   "message": "The security token included in the request is expired",
                   "times": 1000}]
        session = {"AWS_ACCESS_KEY_ID": SESSION_AKID, "AWS_SECRET_ACCESS_KEY": SESSION_SECRET,
                   "AWS_SESSION_TOKEN": TOKEN}
        code, so, se, cache, out, answered = self.faulty_pull(faults, **session)
        self.check_failure(code, so, se, out, 6, ["HTTP 400 ExpiredTokenException", "expired"],
                           ["refresh them"])
        # the session's answers cached before the failure are complete (a refreshed session
        # is another identity for the cache: it would ask again)
        self.assertGreater(self.check_rerun(cache, answered, **session), 0)
        self.check_partial(faults, "ExpiredTokenException", **session)

    def test_page_token_becomes_invalid(self):
        faults = [{"with_token": True, "status": 400, "code": "InvalidNextTokenException",
                   "message": "The token is not valid", "times": 1000}]
        code, so, se, cache, out, answered = self.faulty_pull(faults)
        line = self.check_failure(code, so, se, out, 5,
                                  ["HTTP 400 InvalidNextTokenException", "page 2"],
                                  ["run again"])
        self.assertIn("answers already complete are in the cache", line)
        self.assertGreater(self.check_rerun(cache, answered), 0)
        self.check_partial(faults, "InvalidNextTokenException")

    def test_page_tokens_in_a_cycle(self):
        def page(token):
            return json.dumps({"GroupDefinitions": [], "ResultsByTime": [],
                               "NextPageToken": token}).encode()
        faults = [{"nth": 1, "status": 200, "body": page("tok-A")},
                  {"nth": 2, "status": 200, "body": page("tok-B")},
                  {"nth": 3, "status": 200, "body": page("tok-A")},
                  {"from": 4, "status": 200, "body": page("tok-B"), "times": 1000}]
        code, so, se, cache, out, answered = self.faulty_pull(faults)
        line = self.check_failure(code, so, se, out, 5,
                                  ["NextPageToken 'tok-A' of page 2 again", "cycle", "page 3",
                                   "3 paid requests were made (USD 0.03)"], ["run again"])
        self.assertEqual(self.cache_entries(cache), [], line)

    def test_paid_requests_are_told_when_a_pull_fails(self):
        faults = [{"nth": 4, "status": 400, "code": "DataUnavailableException",
                   "message": "Data is not available"}]
        code, so, se, cache, out, answered = self.faulty_pull(faults)
        self.check_failure(code, so, se, out, 5, ["DataUnavailableException",
                                                  "3 paid requests were made (USD 0.03)"],
                           ["run later"])

    def test_no_server(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        code, so, se, cache, out, answered = self.faulty_pull(
            [], endpoint="http://127.0.0.1:%d" % port)
        self.check_failure(code, so, se, out, 5, ["127.0.0.1:%d" % port, "6 attempts"],
                           ["check the network", "--endpoint-url"])
        self.assertTrue("refused" in se or "connect" in se.lower(), se)
        self.assertEqual(answered, {})
        self.assertEqual(self.cache_entries(cache), [])

    def test_answer_cut_short(self):
        body = b'{"GroupDefinitions": [], "ResultsByTime": [{"TimePeriod": {"Start": "2026-'
        faults = [{"nth": 4, "status": 200, "body": body}]
        code, so, se, cache, out, answered = self.faulty_pull(faults)
        self.check_failure(code, so, se, out, 5, ["ends early"], ["run again"])
        self.check_rerun(cache, answered)
        self.check_partial(faults, "ends early")

    def test_proxy_error_page(self):
        page = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
                b"<h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p>"
                b"</body></html>")
        faults = [{"from": 3, "status": 502, "headers": [("Content-Type", "text/html")],
                   "body": page, "times": 1000}]
        code, so, se, cache, out, answered = self.faulty_pull(faults)
        self.check_failure(code, so, se, out, 5, ["HTTP 502", "an HTML page", "6 attempts"],
                           ["run again later"])
        self.check_rerun(cache, answered)


if __name__ == "__main__":
    unittest.main(verbosity=2)
