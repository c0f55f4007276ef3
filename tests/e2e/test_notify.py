"""End to end: --post to chat and webhooks, --dry-run, the CI gates and --fx.

A local receiver (http.server on 127.0.0.1, in a thread) stands in for
Slack, Microsoft Teams, Google Chat and a generic webhook: it records every
POST and answers as each test scripts it.  The webhook URL carries fake
secrets in its path and query; they must never appear on stdout, on stderr
or in any report file.
"""
import csv
import http.server
import io
import json
import os
import sys
import threading
import time
import unittest
import zipfile
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, run, tempdir  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")
ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
SECRET_PATH = "/services/T0SECRETTEAM/B0SECRETHOOK/zQ9sEcReTtOkEnVaLuE"
SECRET_QUERY = "sig=qUeRyS1gNaTuRe"
SECRETS = ("SECRETTEAM", "SECRETHOOK", "sEcReTtOkEn", "qUeRyS1gNaTuRe", "/services/")

SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3000
SLACK_MAX_FIELDS = 10
SLACK_MAX_FIELD = 2000
SLACK_MAX_HEADER = 150
TEAMS_MAX_BYTES = 25000
GCHAT_MAX_BYTES = 32000
GCHAT_MAX_WIDGETS = 100


class Receiver:
    """Records POSTs; answers with script[i] = (status, body, headers), the
    last entry repeating."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        self.times = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body})
                receiver.times.append(time.monotonic())
                i = min(len(receiver.requests), len(receiver.script)) - 1
                status, answer, headers = receiver.script[i]
                data = answer.encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def host(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self):
        return f"{self.host}{SECRET_PATH}?{SECRET_QUERY}"

    def payloads(self):
        return [json.loads(r["body"].decode("utf-8")) for r in self.requests]


def files_text(out):
    """Every report file's bytes, with the members of zip files (xlsx)."""
    chunks = []
    if not os.path.isdir(out):
        return b""
    for root, _, names in os.walk(out):
        for n in names:
            with open(os.path.join(root, n), "rb") as f:
                data = f.read()
            chunks.append(data)
            if data[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    chunks.extend(z.read(m) for m in z.namelist())
    return b"\n".join(chunks)


def cps(s):
    return len(s)  # Python strings count code points


def check_slack(test, msg):
    blocks = msg["blocks"]
    test.assertTrue(msg["text"])
    test.assertLessEqual(len(blocks), SLACK_MAX_BLOCKS)
    test.assertEqual(blocks[0]["type"], "header")
    test.assertEqual(blocks[-1]["type"], "context")
    for b in blocks:
        test.assertIn(b["type"], ("header", "section", "divider", "context"))
        if b["type"] == "header":
            test.assertEqual(b["text"]["type"], "plain_text")
            test.assertLessEqual(cps(b["text"]["text"]), SLACK_MAX_HEADER)
        if b["type"] == "section":
            if "text" in b:
                test.assertEqual(b["text"]["type"], "mrkdwn")
                test.assertLessEqual(cps(b["text"]["text"]), SLACK_MAX_SECTION)
            for f in b.get("fields", []):
                test.assertLessEqual(cps(f["text"]), SLACK_MAX_FIELD)
            test.assertLessEqual(len(b.get("fields", [])), SLACK_MAX_FIELDS)
        if b["type"] == "context":
            test.assertLessEqual(len(b["elements"]), 10)
        # Slack links URLs and channel names in mrkdwn unless told not to
        for t in ([b["text"]] if "text" in b else []) + b.get("fields", []) + b.get(
                "elements", []):
            if t["type"] == "mrkdwn":
                test.assertIs(t.get("verbatim"), True, t)


def check_teams(test, msg, raw):
    test.assertLessEqual(len(raw), TEAMS_MAX_BYTES)
    test.assertEqual(msg["type"], "message")
    att = msg["attachments"][0]
    test.assertEqual(att["contentType"], "application/vnd.microsoft.card.adaptive")
    card = att["content"]
    test.assertEqual(card["type"], "AdaptiveCard")
    test.assertEqual(card["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json")
    test.assertIn(card["version"], ("1.2", "1.3", "1.4", "1.5"))
    for el in card["body"]:
        test.assertIn(el["type"], ("TextBlock", "FactSet", "Container"))


def check_gchat(test, msg, raw):
    test.assertLessEqual(len(raw), GCHAT_MAX_BYTES)
    test.assertTrue(msg["text"])
    card = msg["cardsV2"][0]["card"]
    test.assertTrue(card["header"]["title"])
    widgets = sum(len(s["widgets"]) for s in card["sections"])
    test.assertLessEqual(widgets, GCHAT_MAX_WIDGETS)


def big_org(path, accounts):
    """A FOCUS export of `accounts` accounts with 10 services each, for
    September and October 2026."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["BilledCost", "ChargePeriodStart", "ServiceName", "ChargeCategory",
                    "SubAccountId", "SubAccountName", "BillingCurrency", "x_UsageType"])
        for a in range(accounts):
            for s in range(10):
                for day, amount in (("2026-09-01", 100 + a * 10 + s), ("2026-09-30", 1),
                                    ("2026-10-01", 110 + a * 10 + s), ("2026-10-31", 1)):
                    w.writerow([f"{amount}.25", day + "T00:00:00Z", f"Service {s:02d}", "Usage",
                                f"{700000000000 + a:012d}", f"big-{a:03d}", "USD", f"Use-{s}"])


class Notify(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        with open(os.path.join(SAMPLES, "..", "reports", "costrank-2026-10.json"),
                  encoding="utf-8") as f:
            cls.report = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def out(self, name):
        return os.path.join(self.tmp.name, name)

    def report_run(self, out, extra, url=None, env=None, inputs=None):
        e = dict(env or {})
        if url is not None:
            e["COSTRANK_WEBHOOK_URL"] = url
        args = ["report", "--accounts", ACCOUNTS, "--out", out] + extra + (inputs or [CUR2])
        code, stdout, stderr = run(args, env=e)
        for s in SECRETS:
            self.assertNotIn(s, stdout)
            self.assertNotIn(s, stderr)
            self.assertNotIn(s.encode(), files_text(out))
        return code, stdout, stderr

    # ---- each kind, from the samples -------------------------------------------------

    def test_slack(self):
        with Receiver([(200, "ok", {})]) as rx:
            out = self.out("slack")
            code, stdout, err = self.report_run(out, ["--format", "json,md", "--post", "slack"],
                                                rx.url)
            self.assertEqual(code, 0, err)
            self.assertEqual(len(rx.requests), 1)
            req = rx.requests[0]
            self.assertEqual(req["path"], f"{SECRET_PATH}?{SECRET_QUERY}")
            self.assertTrue(req["headers"]["Content-Type"].startswith("application/json"))
            msg = rx.payloads()[0]
            check_slack(self, msg)
            text = json.dumps(msg, ensure_ascii=False)
            self.assertIn("$173,607.31", text)
            self.assertIn("+4.1%", text)
            for a in self.report["accounts"]:
                self.assertIn(a["id"], text)
            self.assertIn("Top 5 savings proposals", text)
            self.assertIn("2026-10-01 to 2026-10-31", msg["blocks"][-1]["elements"][0]["text"])
            self.assertIn("source: cur2", msg["blocks"][-1]["elements"][0]["text"])
            self.assertIn(f"posted 1 message to Slack ({rx.host})", err)
            self.assertTrue(os.path.exists(os.path.join(out, "costrank-2026-10.md")))

    def test_teams(self):
        with Receiver([(202, "", {})]) as rx:
            code, _, err = self.report_run(self.out("teams"), ["--format", "json", "--post",
                                                               "teams"], rx.url)
            self.assertEqual(code, 0, err)
            self.assertEqual(len(rx.requests), 1)
            check_teams(self, rx.payloads()[0], rx.requests[0]["body"])
            self.assertIn("larkspur-prod", rx.requests[0]["body"].decode())

    def test_gchat(self):
        with Receiver([(200, '{"name": "spaces/AAA/messages/BBB"}', {})]) as rx:
            code, _, err = self.report_run(self.out("gchat"), ["--format", "json", "--post",
                                                               "gchat"], rx.url)
            self.assertEqual(code, 0, err)
            self.assertEqual(len(rx.requests), 1)
            check_gchat(self, rx.payloads()[0], rx.requests[0]["body"])

    def test_link_like_names_stay_text(self):
        path = self.out("links.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["BilledCost", "ChargePeriodStart", "ServiceName", "ChargeCategory",
                        "SubAccountId", "SubAccountName", "BillingCurrency", "x_UsageType"])
            for day in ("2026-09-01", "2026-10-01"):
                w.writerow(["12.50", day + "T00:00:00Z", "https://svc.example", "Usage",
                            "700000000001", "www.evil.example", "USD", "Use"])
        for kind in ("slack", "teams", "gchat"):
            with self.subTest(kind=kind), Receiver([(200, "ok", {})]) as rx:
                code, _, err = self.report_run(self.out("links-" + kind),
                                               ["--format", "json", "--post", kind], rx.url,
                                               inputs=[path])
                self.assertEqual(code, 0, err)
                body = rx.requests[0]["body"].decode()
                msg = rx.payloads()[0]
                if kind == "slack":
                    check_slack(self, msg)
                    self.assertIn("www.evil.example", body)
                else:
                    self.assertNotIn("www.evil.example", body)
                    self.assertNotIn("https://svc", body)
                    self.assertIn("www.\u2060evil.\u2060example",
                                  json.dumps(msg, ensure_ascii=False))

    def test_webhook(self):
        with Receiver([(204, "", {})]) as rx:
            code, _, err = self.report_run(self.out("webhook"), ["--format", "json,csv",
                                                                 "--post", "webhook"], rx.url)
            self.assertEqual(code, 0, err)
            doc = rx.payloads()[0]
            self.assertEqual(doc["schema"], "costrank.notify/v1")
            self.assertEqual(doc["total"], self.report["total"])
            self.assertEqual(doc["previous_total"], self.report["previous_total"])
            self.assertEqual(doc["savings_total"], self.report["savings_total"])
            self.assertEqual([a["id"] for a in doc["accounts"]],
                             [a["id"] for a in self.report["accounts"]])
            self.assertEqual(len(doc["top_proposals"]), 5)
            self.assertIn("costrank-2026-10.json", doc["reports"])
            self.assertIn("costrank-2026-10-services.csv", doc["reports"])

    # ---- an organisation too large for one message ---------------------------------------

    def test_large_org_is_split(self):
        src = self.out("big-60.csv")
        big_org(src, 60)
        src120 = self.out("big-120.csv")
        big_org(src120, 120)
        for kind, inputs, answer in (("slack", src, (200, "ok", {})),
                                     ("teams", src, (202, "", {})),
                                     ("gchat", src120, (200, "{}", {}))):
            with self.subTest(kind=kind), Receiver([answer]) as rx:
                code, _, err = self.report_run(self.out("big-" + kind),
                                               ["--format", "json", "--month", "2026-10",
                                                "--post", kind], rx.url, inputs=[inputs])
                self.assertEqual(code, 0, err)
                n = len(rx.requests)
                self.assertGreaterEqual(n, 2, f"{kind}: one message for a large organisation")
                self.assertLessEqual(n, 5)
                accounts = 60 if inputs == src else 120
                seen = []
                for i, (msg, req) in enumerate(zip(rx.payloads(), rx.requests)):
                    if kind == "slack":
                        check_slack(self, msg)
                    elif kind == "teams":
                        check_teams(self, msg, req["body"])
                    else:
                        check_gchat(self, msg, req["body"])
                    body = req["body"].decode()
                    self.assertIn(f"part {i + 1} of {n}", body)
                    seen += [a for a in range(accounts) if f"{700000000000 + a:012d}" in body]
                self.assertEqual(sorted(seen), list(range(accounts)))  # each exactly once
                if kind == "slack":
                    # Slack takes about one message a second per webhook
                    gaps = [b - a for a, b in zip(rx.times, rx.times[1:])]
                    self.assertTrue(all(g >= 0.9 for g in gaps), gaps)

    # ---- failures ---------------------------------------------------------------------------

    def test_429_retry_after(self):
        with Receiver([(429, "rate_limited", {"Retry-After": "1"}), (200, "ok", {})]) as rx:
            t0 = time.monotonic()
            code, _, err = self.report_run(self.out("429"), ["--format", "json", "--post",
                                                             "slack"], rx.url)
            self.assertEqual(code, 0, err)
            self.assertEqual(len(rx.requests), 2)
            self.assertGreaterEqual(rx.times[1] - rx.times[0], 0.95)
            self.assertLess(time.monotonic() - t0, 30)
            self.assertEqual(rx.requests[0]["body"], rx.requests[1]["body"])

    def test_permanent_404(self):
        answer = f"no_service (POST {SECRET_PATH}?{SECRET_QUERY})"
        with Receiver([(404, answer, {})]) as rx:
            out = self.out("404")
            code, _, err = self.report_run(out, ["--format", "json,csv,xlsx,md,html",
                                                 "--post", "slack"], rx.url)
            self.assertEqual(code, 8, err)
            self.assertEqual(len(rx.requests), 1)  # no retry
            self.assertIn("HTTP 404 no_service", err)
            self.assertIn(rx.host, err)
            self.assertIn("the reports are written", err)
            for name in ("costrank-2026-10.json", "costrank-2026-10.csv", "costrank-2026-10.xlsx",
                         "costrank-2026-10.md", "costrank-2026-10.html"):
                self.assertTrue(os.path.getsize(os.path.join(out, name)) > 0, name)

    def test_persistent_500_is_retried_then_fails(self):
        with Receiver([(500, "rollup_error", {})]) as rx:
            out = self.out("500")
            code, _, err = self.report_run(out, ["--format", "json", "--post", "slack"], rx.url)
            self.assertEqual(code, 8, err)
            self.assertEqual(len(rx.requests), 4)
            self.assertIn("HTTP 500 rollup_error after 4 attempts", err)
            self.assertTrue(os.path.exists(os.path.join(out, "costrank-2026-10.json")))

    def test_unreachable(self):
        with Receiver([(200, "ok", {})]) as rx:
            url = rx.url
        out = self.out("unreachable")
        code, _, err = self.report_run(out, ["--format", "json", "--post", "webhook"], url)
        self.assertEqual(code, 8, err)
        self.assertTrue(os.path.exists(os.path.join(out, "costrank-2026-10.json")))

    # ---- the URL: environment only ---------------------------------------------------------

    def test_webhook_url_on_the_command_line_is_refused(self):
        for args in (["--webhook-url", "https://hooks.slack.com" + SECRET_PATH],
                     ["--webhook-url=https://hooks.slack.com" + SECRET_PATH]):
            out = self.out("argv")
            code, _, err = self.report_run(out, ["--post", "slack"] + args)
            self.assertEqual(code, 2)
            self.assertIn("COSTRANK_WEBHOOK_URL", err)
            self.assertIn("secret", err)
            self.assertFalse(os.path.exists(out))
        # nor as an input
        code, _, err = self.report_run(self.out("argv2"), ["--post", "slack"],
                                       inputs=["https://hooks.slack.com" + SECRET_PATH])
        self.assertEqual(code, 2)
        self.assertIn("not shown", err)

    def test_url_from_the_environment_only(self):
        out = self.out("noenv")
        code, _, err = self.report_run(out, ["--post", "slack"],
                                       env={"COSTRANK_WEBHOOK_URL": ""})
        self.assertEqual(code, 2)
        self.assertIn("COSTRANK_WEBHOOK_URL", err)
        self.assertFalse(os.path.exists(out))  # refused before any work
        # --webhook-env names another variable
        with Receiver([(200, "ok", {})]) as rx:
            code, _, err = self.report_run(self.out("env"), ["--format", "json", "--post",
                                                             "slack", "--webhook-env",
                                                             "TEAM_SLACK_HOOK"],
                                           env={"TEAM_SLACK_HOOK": rx.url,
                                                "COSTRANK_WEBHOOK_URL": ""})
            self.assertEqual(code, 0, err)
            self.assertEqual(len(rx.requests), 1)
        # plain http only to loopback: the message names the host only
        code, _, err = self.report_run(self.out("remote"), ["--post", "slack"],
                                       "http://hooks.example.com" + SECRET_PATH)
        self.assertEqual(code, 2)
        self.assertIn("http://hooks.example.com", err)

    def test_dry_run_prints_instead_of_sending(self):
        with Receiver([(200, "ok", {})]) as rx:
            for kind in ("slack", "teams", "gchat", "webhook"):
                out = self.out("dry-" + kind)
                code, stdout, err = self.report_run(out, ["--format", "json", "--post", kind,
                                                          "--dry-run"], rx.url)
                self.assertEqual(code, 0, err)
                lines = stdout.splitlines()
                self.assertGreaterEqual(len(lines), 1)
                for line in lines:
                    msg = json.loads(line)
                    if kind == "slack":
                        check_slack(self, msg)
                    elif kind == "teams":
                        check_teams(self, msg, line.encode())
                    elif kind == "gchat":
                        check_gchat(self, msg, line.encode())
                    else:
                        self.assertEqual(msg["total"], self.report["total"])
                self.assertIn("not sent", err)
                self.assertTrue(os.path.exists(os.path.join(out, "costrank-2026-10.json")))
            self.assertEqual(rx.requests, [])
        # --dry-run with files means the --post payload
        code, _, err = self.report_run(self.out("dry-alone"), ["--dry-run"])
        self.assertEqual(code, 2)
        self.assertIn("--post", err)

    # ---- CI gates -----------------------------------------------------------------------------

    def test_fail_on_increase(self):
        out = self.out("gate-1")
        code, _, err = self.report_run(out, ["--format", "json", "--fail-on-increase", "1"])
        self.assertEqual(code, 1, err)
        self.assertIn("threshold exceeded", err)
        self.assertIn("4.1%", err)
        self.assertTrue(os.path.exists(os.path.join(out, "costrank-2026-10.json")))
        code, _, err = self.report_run(self.out("gate-10"), ["--format", "json",
                                                             "--fail-on-increase", "10"])
        self.assertEqual(code, 0, err)
        # exactly at the change is not above it; a hair below is
        change = Decimal(self.report["change"]) * 100 / Decimal(self.report["previous_total"])
        exact = str(change.quantize(Decimal("0.000001")))
        lower = str((change - Decimal("0.000001")).quantize(Decimal("0.000001")))
        code, _, _ = self.report_run(self.out("gate-x"), ["--format", "json",
                                                          "--fail-on-increase", exact])
        self.assertEqual(code, 0 if Decimal(exact) >= change else 1)
        code, _, _ = self.report_run(self.out("gate-y"), ["--format", "json",
                                                          "--fail-on-increase", lower])
        self.assertEqual(code, 1)
        code, _, err = self.report_run(self.out("gate-bad"), ["--fail-on-increase", "ten"])
        self.assertEqual(code, 2)

    def test_fail_on_total(self):
        out = self.out("total-1000")
        code, _, err = self.report_run(out, ["--format", "json", "--fail-on-total", "1000"])
        self.assertEqual(code, 1, err)
        self.assertIn("USD 173,607.31 is above --fail-on-total 1000", err)
        self.assertTrue(os.path.exists(os.path.join(out, "costrank-2026-10.json")))
        code, _, err = self.report_run(self.out("total-1m"), ["--format", "json",
                                                              "--fail-on-total", "1e6"])
        self.assertEqual(code, 0, err)

    def test_gates_after_posting(self):
        # the post happens, then the gate fails the run
        with Receiver([(200, "ok", {})]) as rx:
            code, _, err = self.report_run(self.out("gate-post"),
                                           ["--format", "json", "--post", "slack",
                                            "--fail-on-increase", "1"], rx.url)
            self.assertEqual(code, 1, err)
            self.assertEqual(len(rx.requests), 1)
        # a failed post wins over an exceeded gate; both are reported
        with Receiver([(403, "action_prohibited", {})]) as rx:
            code, _, err = self.report_run(self.out("gate-post-fail"),
                                           ["--format", "json", "--post", "slack",
                                            "--fail-on-total", "1000"], rx.url)
            self.assertEqual(code, 8, err)
            self.assertIn("HTTP 403 action_prohibited", err)
            self.assertIn("threshold exceeded", err)

    def test_gate_scope(self):
        # the expected failures, from the report's own account and service figures: a rise of
        # more than 10% (a rise from nothing always counts)
        def rose(cost, prev):
            cost, prev = Decimal(cost), Decimal(prev)
            return cost > prev and (prev == 0 or (cost - prev) * 100 > Decimal(10) * abs(prev))
        accounts = [a for a in self.report["accounts"] if rose(a["total"], a["previous_total"])]
        self.assertTrue(accounts)
        self.assertFalse(rose(self.report["total"], self.report["previous_total"]))
        no_ci = {"GITHUB_SERVER_URL": "", "GITHUB_REPOSITORY": "", "GITHUB_RUN_ID": "",
                 "CI_JOB_URL": ""}
        # organisation (the default) passes; account fails naming each account that rose
        code, _, err = self.report_run(self.out("scope-org"), ["--format", "json",
                                                               "--fail-on-increase", "10"])
        self.assertEqual(code, 0, err)
        code, _, err = self.report_run(self.out("scope-acct"),
                                       ["--format", "json", "--fail-on-increase", "10",
                                        "--gate-scope", "account"], env=no_ci)
        self.assertEqual(code, 1, err)
        errors = [x for x in err.splitlines() if "threshold exceeded" in x]
        self.assertEqual(len(errors), len(accounts), err)
        for a, line in zip(accounts, errors):
            self.assertIn("account %s (%s): the total rose" % (a["id"], a["name"]), line)
            self.assertIn("more than --fail-on-increase 10", line)
        # service: each listed service of each account, named with its account
        services = [(a, s) for a in self.report["accounts"] for s in a["services"]
                    if not s["other"] and rose(s["cost"], s["previous_cost"])]
        code, _, err = self.report_run(self.out("scope-svc"),
                                       ["--format", "json", "--fail-on-increase", "10",
                                        "--gate-scope", "service"], env=no_ci)
        self.assertEqual(code, 1, err)
        a, s = services[0]
        self.assertIn("account %s (%s), %s: the cost rose" % (a["id"], a["name"], s["name"]), err)
        self.assertEqual(err.count("threshold exceeded"), min(len(services), 20) +
                         (len(services) > 20), err)
        # --fail-on-total per account: only the accounts above it
        code, _, err = self.report_run(self.out("scope-total"),
                                       ["--format", "json", "--fail-on-total", "50000",
                                        "--gate-scope", "account"])
        above = [a for a in self.report["accounts"] if Decimal(a["total"]) > 50000]
        self.assertEqual(code, 1 if above else 0, err)
        self.assertEqual(err.count("is above --fail-on-total 50000"), len(above), err)
        # usage errors
        code, _, err = self.report_run(self.out("scope-bad"), ["--fail-on-total", "1",
                                                               "--gate-scope", "team"])
        self.assertEqual(code, 2)
        self.assertIn("--gate-scope 'team'", err)
        code, _, err = self.report_run(self.out("scope-alone"), ["--gate-scope", "account"])
        self.assertEqual(code, 2)
        self.assertIn("--fail-on-increase", err)

    def test_gate_in_payloads(self):
        a = [x for x in self.report["accounts"]
             if Decimal(x["total"]) > Decimal(x["previous_total"]) * Decimal("1.1")][0]
        gate = ["--format", "json", "--fail-on-increase", "10", "--gate-scope", "account",
                "--dry-run", "--post"]
        ci = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/finops",
              "GITHUB_RUN_ID": "4242", "CI_JOB_URL": ""}
        link = "https://github.com/acme/finops/actions/runs/4242"
        code, stdout, err = self.report_run(self.out("pay-slack"), gate + ["slack"], env=ci)
        self.assertEqual(code, 1, err)
        msg = json.loads(stdout.splitlines()[0])
        self.assertIn("FAILED: ", msg["text"])
        section = msg["blocks"][1]["text"]["text"]
        self.assertIn("Gate failed", section)
        self.assertIn("account %s (%s): the total rose" % (a["id"], a["name"]), section)
        footer = msg["blocks"][-1]["elements"][0]["text"]
        self.assertIn("<%s|CI run>" % link, footer)
        self.assertNotIn("full report:", footer)

        code, stdout, err = self.report_run(self.out("pay-teams"), gate + ["teams"], env=ci)
        self.assertEqual(code, 1, err)
        body = json.loads(stdout.splitlines()[0])["attachments"][0]["content"]["body"]
        alerts = [b["text"] for b in body if b.get("color") == "Attention"]
        self.assertTrue(alerts[0].startswith("**Gate failed"), alerts)
        self.assertTrue(any(a["id"] in t and "the total rose" in t for t in alerts), alerts)
        self.assertIn("[CI run](%s)" % link, body[-1]["text"])

        code, stdout, err = self.report_run(self.out("pay-gchat"), gate + ["gchat"],
                                            env={"CI_JOB_URL": "https://gitlab.example/j/7",
                                                 "GITHUB_RUN_ID": ""})
        self.assertEqual(code, 1, err)
        text = stdout.splitlines()[0]
        self.assertIn("Gate failed", text)
        self.assertIn('<a href=\\"https://gitlab.example/j/7\\">CI run</a>', text)

        code, stdout, err = self.report_run(self.out("pay-hook"), gate + ["webhook"], env=ci)
        doc = json.loads(stdout.splitlines()[0])
        self.assertTrue(doc["gate_failed"])
        self.assertTrue(any(a["id"] in f for f in doc["gate_failures"]))
        self.assertEqual(doc["run_url"], link)

        # every gate passing: nothing said; a run address that is not plain https is not linked
        code, stdout, err = self.report_run(self.out("pay-pass"),
                                            ["--format", "json", "--fail-on-increase", "50",
                                             "--gate-scope", "account", "--dry-run", "--post",
                                             "slack"],
                                            env={"CI_JOB_URL": "javascript:alert(1)",
                                                 "GITHUB_RUN_ID": ""})
        self.assertEqual(code, 0, err)
        msg = json.loads(stdout.splitlines()[0])
        self.assertNotIn("FAILED", msg["text"])
        self.assertNotIn("Gate failed", stdout)
        self.assertNotIn("javascript", stdout)
        self.assertIn("full report: costrank-2026-10.json", msg["blocks"][-1]["elements"][0]["text"])

    # ---- --fx -----------------------------------------------------------------------------------

    def test_fx(self):
        out = self.out("fx")
        code, stdout, err = self.report_run(out, ["--format", "table,json,csv,md",
                                                  "--color", "never", "--fx", "JPY=151.20"])
        self.assertEqual(code, 0, err)
        rate = Decimal("151.20")
        with open(os.path.join(out, "costrank-2026-10.json"), encoding="utf-8") as f:
            rep = json.load(f)
        # the source currency stays primary; the conversion is exact
        self.assertEqual(rep["currency"], "USD")
        self.assertEqual(rep["total"], self.report["total"])
        self.assertEqual(rep["fx"], {"currency": "JPY", "rate": "151.2", "date": "2026-10-31"})
        self.assertEqual(Decimal(rep["total_fx"]), Decimal(rep["total"]) * rate)
        self.assertEqual(Decimal(rep["previous_total_fx"]), Decimal(rep["previous_total"]) * rate)
        for a in rep["accounts"]:
            self.assertEqual(Decimal(a["total_fx"]), Decimal(a["total"]) * rate)
        yen = (Decimal(rep["total"]) * rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        # every amount is shown in yen; the basis names the rate and the billed total
        line = "amounts in JPY at 151.20 JPY/USD (2026-10-31); billed $173,607.31"
        self.assertIn(f"Total  \u00a5{yen:,}", stdout)
        self.assertIn(line, stdout)
        with open(os.path.join(out, "costrank-2026-10.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn(line.replace("$", "\\$"), md)  # Markdown escapes "$"
        self.assertIn(f"**Total \u00a5{yen:,}**", md)
        # CSV: the default columns, then the converted ones
        with open(os.path.join(out, "costrank-2026-10-services.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(list(rows[0].keys())[-5:], ["cost_fx", "previous_cost_fx", "fx_currency",
                                                      "fx_rate", "fx_date"])
        exact = {(a["id"], s["name"]): Decimal(s["cost"]) for a in rep["accounts"]
                 for s in a["services"]}
        for row in rows:
            self.assertEqual((row["fx_currency"], row["fx_rate"], row["fx_date"]),
                             ("JPY", "151.2", "2026-10-31"))
            want = (exact[(row["account_id"], row["service"])] * rate).quantize(
                Decimal("1"), rounding=ROUND_HALF_UP)
            self.assertEqual(Decimal(row["cost_fx"]), want)
        # without --fx the columns and keys stay as they were
        code, _, err = self.report_run(self.out("nofx"), ["--format", "json,csv"])
        with open(os.path.join(self.out("nofx"), "costrank-2026-10-services.csv"),
                  encoding="utf-8") as f:
            self.assertNotIn("cost_fx", f.readline())
        with open(os.path.join(self.out("nofx"), "costrank-2026-10.json"), encoding="utf-8") as f:
            self.assertNotIn("total_fx", f.read())

    def test_fx_date_and_errors(self):
        out = self.out("fx-eur")
        code, _, err = self.report_run(out, ["--format", "json", "--fx", "eur=0.9215@2026-11-03"])
        self.assertEqual(code, 0, err)
        with open(os.path.join(out, "costrank-2026-10.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["fx"],
                             {"currency": "EUR", "rate": "0.9215", "date": "2026-11-03"})
        for bad in ("JPY", "JPY=-1", "JP1=151", "JPY=151@2026-02-30", "JPY=abc", "JPY=0"):
            code, _, err = self.report_run(self.out("fx-bad"), ["--fx", bad])
            self.assertEqual(code, 2, bad)
            self.assertIn("--fx", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
