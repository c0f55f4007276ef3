"""Secrets and files: no credential or webhook secret anywhere, private files, and nothing
written outside --out and the cache directory.

One sequence of runs, in an empty working directory with an empty HOME (and the default cache,
~/.cache/costrank), uses distinctive fake secrets: an access key and secret with a session
token in the environment, a web identity token file, the keys and tokens the mock STS hands
out for assumed roles, a secret key in a shared credentials file, and a webhook URL with a
token in its path and its query:

  - Cost Explorer (tests/tools/mock_ce.py) with every format, posted to Slack; again from the
    cache, posted to the generic webhook; through a web identity (every format, posted to
    Teams); through a role per account assumed with keys from a credentials file (posted to
    Google Chat); with --dry-run; with account names that are paths;
  - billing files with --post --dry-run for every kind;
  - failures: a post refused with an answer that quotes the URL, a 403 from Cost Explorer
    quoting the session token and the secret, STS refusing the web identity token, a
    credentials file with a broken line holding its secret.

Then stdout and stderr of every run, every file under every --out (the workbook's XML parts
too), every cache file and every body posted must hold none of the secrets (the webhook URL
reaches the receiver as the request path: that is where it belongs; it must not be in a body),
and no access key id either; reports and cache files must be mode 0600 and the cache
directory 0700; and the working directory, HOME and TMPDIR must hold nothing new but the
--out directories and the cache.
"""
import http.server
import io
import json
import os
import stat
import sys
import threading
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from common import SAMPLES, run, tempdir  # noqa: E402
from mock_ce import MockCostExplorer  # noqa: E402

ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
CUR2 = os.path.join(SAMPLES, "cur2")
NOW = "2026-11-15"

AKID = "ASIAZSECRETSENVKEY01"
SECRET = "zS3cr3tAcc3ssK3y/EnvOnly+9f8e7d6c5b4a3210"
TOKEN = "IQoJzS3ss10nT0k3nEnvOnly" + "Q2VzdCBuJ2VzdCBwYXMgdW4gdG9rZW4" * 4
FILE_AKID = "AKIAZSECRETSFILEKEY1"
FILE_SECRET = "zF1l3S3cr3tK3y/CredentialsFile+0123456789"
BROKEN_SECRET = "zBr0k3nL1n3S3cr3t/NeverShown+abcdef012345"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.zW3bId3nt1tyT0k3nPayload0123456789.zS1gnatureW3b"
HOOK_PATH = "/services/T0ZSECRET/B0ZHOOKID/zH00kPathT0k3n"
HOOK_QUERY = "sig=zH00kQu3ryS1gnatur3&team=finops"
HOOK_SECRETS = ("zH00kPathT0k3n", "zH00kQu3ryS1gnatur3", "T0ZSECRET", "B0ZHOOKID", "/services/")
ROLE_ARN = "arn:aws:iam::048213306571:role/costrank-oidc"


class Receiver:
    """A chat or webhook service on 127.0.0.1 that records every POST; answers with
    (status, body), the body possibly quoting the request's path and query."""

    def __init__(self):
        self.requests = []
        self.answer = (200, "ok")
        rx = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                rx.requests.append({"path": self.path, "headers": dict(self.headers),
                                    "body": body})
                status, text = rx.answer
                data = text.replace("{url}", self.path).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d%s?%s" % (self.server.server_address[1], HOOK_PATH,
                                             HOOK_QUERY)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def walk(root):
    """Every path below root, relative, directories with a trailing '/'."""
    out = set()
    for d, dirs, names in os.walk(root):
        rel = os.path.relpath(d, root)
        for n in dirs:
            out.add(os.path.normpath(os.path.join(rel, n)) + "/")
        for n in names:
            out.add(os.path.normpath(os.path.join(rel, n)))
    return out


def file_blobs(root):
    """(path, bytes) of every file below root, with the members of zip files."""
    blobs = []
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                data = f.read()
            blobs.append((p, data))
            if data[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    blobs.extend((p + ":" + m, z.read(m)) for m in z.namelist())
    return blobs


class Secrets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dirs = [tempdir() for _ in range(4)]
        cls.cwd, cls.home, cls.tmpdir, cls.conf = (d.name for d in cls.dirs)
        cls.mock = MockCostExplorer(CUR2, {AKID: {"secret": SECRET, "token": TOKEN},
                                           FILE_AKID: {"secret": FILE_SECRET}}).start()
        cls.rx = Receiver()
        cls.runs = []      # (what, code, stdout, stderr)
        cls.outs = []      # every --out directory, absolute
        cls.token_file = os.path.join(cls.conf, "web-identity-token")
        with open(cls.token_file, "w") as f:
            f.write(WEB_TOKEN + "\n")
        cls.creds_file = os.path.join(cls.conf, "credentials")
        with open(cls.creds_file, "w") as f:
            f.write("[finops]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (FILE_AKID, FILE_SECRET))
        os.chmod(cls.creds_file, 0o600)
        cls.broken_creds = os.path.join(cls.conf, "credentials-broken")
        with open(cls.broken_creds, "w") as f:
            f.write("[default]\naws_access_key_id = %s\naws_secret_access_key %s\n"
                    % (FILE_AKID, BROKEN_SECRET))
        os.chmod(cls.broken_creds, 0o600)
        cls.before = {root: walk(root) for root in (cls.cwd, cls.home, cls.tmpdir)}
        try:
            cls.sequence()
        finally:
            cls.after = {root: walk(root) for root in (cls.cwd, cls.home, cls.tmpdir)}
            cls.mock.stop()
            cls.rx.stop()

    @classmethod
    def tearDownClass(cls):
        for d in cls.dirs:
            d.cleanup()

    @classmethod
    def env(cls, **extra):
        env = {
            "HOME": cls.home, "TMPDIR": cls.tmpdir, "XDG_CACHE_HOME": "", "COSTRANK_NOW": NOW,
            "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_SESSION_TOKEN": TOKEN,
            "AWS_CONFIG_FILE": os.path.join(cls.conf, "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(cls.conf, "no-credentials"),
            "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "", "AWS_ROLE_ARN": "",
            "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
            "AWS_ENDPOINT_URL_STS": cls.mock.url, "AWS_ENDPOINT_URL_COST_EXPLORER": "",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_EC2_METADATA_DISABLED": "true",
            "HTTPS_PROXY": "", "https_proxy": "",
            "COSTRANK_WEBHOOK_URL": cls.rx.url, "NO_COLOR": "",
        }
        env.update(extra)
        return env

    @classmethod
    def costrank(cls, what, args, want, out=None, ce=True, **env):
        argv = ["report"]
        if ce:
            argv += ["--endpoint-url", cls.mock.url]
        if out:
            argv += ["--out", out]
            cls.outs.append(os.path.join(cls.cwd, out))
        code, so, se = run(argv + args, cwd=cls.cwd, env=cls.env(**env))
        cls.runs.append((what, code, so, se))
        assert code == want, "%s: exit %d, not %d: %s" % (what, code, want, se)
        return so, se

    @classmethod
    def sequence(cls):
        mock, rx = cls.mock, cls.rx
        every = "table,json,csv,xlsx,md,html"
        # Cost Explorer with environment keys and a session token, every format, to Slack
        rx.answer = (200, "ok")
        cls.costrank("ce slack", ["--accounts", ACCOUNTS, "--format", every, "--post", "slack"],
                     0, out="out-ce")
        # the same from the cache (no request), the default --out, to the generic webhook
        rx.answer = (204, "")
        ok = mock.ok
        cls.costrank("ce cached webhook", ["--accounts", ACCOUNTS, "--post", "webhook"], 0)
        cls.outs.append(os.path.join(cls.cwd, "reports"))
        assert mock.ok == ok, "the second run asked Cost Explorer"
        # a web identity (GitHub Actions OIDC): the role's account only, to Teams
        mock.roles[ROLE_ARN] = {"web_identity_token": WEB_TOKEN}
        rx.answer = (202, "")
        oidc = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
                "AWS_ROLE_ARN": ROLE_ARN, "AWS_WEB_IDENTITY_TOKEN_FILE": cls.token_file,
                "AWS_ROLE_SESSION_NAME": "costrank-ci"}
        cls.costrank("ce web identity teams", ["--format", every, "--post", "teams"], 0,
                     out="out-oidc", **oidc)
        # a role per account, assumed with keys from a credentials file, to Google Chat
        with open(ACCOUNTS) as f:
            doc = json.load(f)
        for i, a in enumerate(doc["accounts"]):
            arn = "arn:aws:iam::%s:role/costrank-read" % a["id"]
            a["role_arn"] = arn
            a["external_id"] = "ext-%d" % i
            mock.roles[arn] = {"external_id": "ext-%d" % i}
        roles = os.path.join(cls.conf, "accounts-roles.json")
        with open(roles, "w") as f:
            json.dump(doc, f)
        rx.answer = (200, "{}")
        cls.costrank("ce roles gchat", ["--accounts", roles, "--format", "json,xlsx",
                                        "--post", "gchat"], 0, out="out-roles",
                     AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="", AWS_SESSION_TOKEN="",
                     AWS_PROFILE="finops", AWS_SHARED_CREDENTIALS_FILE=cls.creds_file)
        # --dry-run: the plan, nothing called, nothing written
        attempts = mock.attempts
        so, _ = cls.costrank("ce dry run", ["--accounts", ACCOUNTS, "--dry-run", "--no-cache"], 0,
                             out="out-dry")
        assert "planned requests" in so and mock.attempts == attempts
        # account names that are paths and file names
        names = dict(mock.names)
        for i, acct in enumerate(sorted(mock.names)):
            mock.names[acct] = ["../../../%s/escape.json" % cls.home, "/tmp/costrank-2026-10.json",
                                "costrank-2026-10.json", "..", "~/.cache/costrank/x",
                                "../out-ce/costrank-2026-10.csv", "reports/../../x"][i % 7]
        try:
            cls.costrank("ce names that are paths", ["--format", every, "--no-cache"], 0,
                         out="out-names")
        finally:
            mock.names = names
        # billing files: the payload of every kind, printed, not sent
        posted = len(rx.requests)
        for kind in ("slack", "teams", "gchat", "webhook"):
            cls.costrank("files dry run " + kind, ["--accounts", ACCOUNTS, "--format", "json",
                                                   "--post", kind, "--dry-run", CUR2], 0,
                         out="out-files-" + kind, ce=False)
        assert len(rx.requests) == posted, "--dry-run posted"
        # failures: a post refused with an answer quoting the URL
        rx.answer = (403, "invalid_token: {url} is not a valid webhook")
        _, se = cls.costrank("post refused", ["--accounts", ACCOUNTS, "--format", "json",
                                              "--post", "slack"], 8, out="out-refused")
        assert "invalid_token" in se
        # a 403 from Cost Explorer quoting the token and the secret
        mock.set_faults([{"nth": 1, "status": 403, "code": "UnrecognizedClientException",
                          "message": "The security token %s (secret %s) is invalid"
                          % (TOKEN, SECRET)}])
        _, se = cls.costrank("ce 403", ["--accounts", ACCOUNTS, "--no-cache"], 6, out="out-403")
        mock.set_faults([])
        assert "[redacted]" in se
        # STS refusing the web identity token
        mock.roles[ROLE_ARN] = {"web_identity_token": "another-token"}
        cls.costrank("sts refused", ["--no-cache"], 6, out="out-sts", **oidc)
        # a credentials file with a broken line that holds its secret
        cls.costrank("bad credentials file", ["--no-cache"], 3,
                     out="out-badcreds", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
                     AWS_SESSION_TOKEN="", AWS_SHARED_CREDENTIALS_FILE=cls.broken_creds)

    # ---- the checks ----------------------------------------------------------------

    def secrets(self):
        """Every secret of the sequence, the ones the mock STS handed out included."""
        s = [SECRET, TOKEN, FILE_SECRET, BROKEN_SECRET, WEB_TOKEN] + list(HOOK_SECRETS)
        for akid, k in self.mock.keys.items():
            s.append(k["secret"])
            if k.get("token"):
                s.append(k["token"])
        return s

    def key_ids(self):
        return list(self.mock.keys)

    def test_sequence(self):
        self.assertGreaterEqual(len(self.runs), 14)
        self.assertGreaterEqual(self.mock.issued, 8, "the STS secrets were handed out")
        for what, code, so, se in self.runs:
            with self.subTest(run=what):
                for line in se.strip().splitlines():
                    self.assertTrue(line.startswith("costrank: "), line)

    def test_stdout_and_stderr(self):
        for what, code, so, se in self.runs:
            for s in self.secrets() + self.key_ids():
                with self.subTest(run=what, secret=s[:12]):
                    self.assertNotIn(s, so)
                    self.assertNotIn(s, se)

    def test_report_and_cache_files(self):
        cache = os.path.join(self.home, ".cache", "costrank")
        blobs = []
        self.assertTrue(os.path.isdir(cache))
        for root in self.outs + [cache]:
            blobs += file_blobs(root)  # the failed runs and the dry run made no directory
        self.assertGreater(len([p for p, _ in blobs if ".xlsx:" in p]), 10, "xlsx parts")
        self.assertGreater(len([p for p, _ in blobs if p.startswith(cache)]), 10)
        for s in self.secrets() + self.key_ids():
            for path, data in blobs:
                self.assertNotIn(s.encode(), data, "%s holds %s..." % (path, s[:12]))

    def test_posted_payloads(self):
        bodies = [r["body"] for r in self.rx.requests]
        self.assertGreaterEqual(len(bodies), 5)
        for r in self.rx.requests:
            # the URL arrives as the request path: where it belongs
            self.assertEqual(r["path"], "%s?%s" % (HOOK_PATH, HOOK_QUERY))
            json.loads(r["body"])
            headers = json.dumps(r["headers"])
            for s in self.secrets() + self.key_ids():
                self.assertNotIn(s.encode(), r["body"])
                if s not in HOOK_SECRETS:
                    self.assertNotIn(s, headers)
        # --dry-run printed the payloads, without the URL
        dry = [so for what, _, so, _ in self.runs if what.startswith("files dry run")]
        self.assertEqual(len(dry), 4)
        for so in dry:
            self.assertTrue(so.strip())
            for line in so.splitlines():
                json.loads(line)

    def test_modes(self):
        cache = os.path.join(self.home, ".cache", "costrank")
        self.assertEqual(stat.S_IMODE(os.stat(cache).st_mode), 0o700)
        files = 0
        for root in self.outs + [cache]:
            for d, _, names in os.walk(root):
                for n in names:
                    p = os.path.join(d, n)
                    self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o600, p)
                    files += 1
        self.assertGreater(files, 40)

    def test_nothing_written_elsewhere(self):
        cache = os.path.relpath(os.path.join(self.home, ".cache", "costrank"), self.home)
        allowed = {self.cwd: [os.path.relpath(o, self.cwd) for o in self.outs],
                   self.home: [cache], self.tmpdir: []}
        for root, before in self.before.items():
            new = self.after[root] - before
            for p in sorted(new):
                ok = any(p.rstrip("/") == a or p.startswith(a + "/") for a in allowed[root])
                # the cache directory's parent (~/.cache) is made for it
                ok = ok or (root == self.home and p == os.path.dirname(cache) + "/")
                self.assertTrue(ok, "%s appeared in %s" % (p, root))
            self.assertEqual(before - self.after[root], set(), "something was removed")
        # the failed runs left nothing, the dry run of Cost Explorer neither
        for name in ("out-refused", "out-403", "out-sts", "out-badcreds", "out-dry"):
            path = os.path.join(self.cwd, name)
            listed = os.listdir(path) if os.path.isdir(path) else []
            if name == "out-refused":
                self.assertIn("costrank-2026-10.json", listed)  # a failed post: reports kept
            else:
                self.assertEqual(listed, [], name)
        self.assertEqual(os.listdir(self.tmpdir), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
