"""Credentials from IAM Identity Center (SSO), a credential_process and EC2 instance metadata.

The real binary pulls October from the local Cost Explorer (tests/tools/mock_ce.py, which checks
every signature) with credentials it got from a local SSO portal and the token cache `aws sso
login` leaves, from a credential_process script, and from a local IMDSv2 service.  Every pull must
be signed with the keys of its source only and give the report that keys from the environment give
(test_cost_explorer.py checks that one against the sample files); refusals are one line with exit
6; no secret (SSO access token, keys, session tokens, the metadata token, the process's arguments)
may appear on stdout, stderr or in any file written."""
import hashlib
import json
import os
import socket
import sys
import threading
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from common import SAMPLES, run, tempdir, without_resources  # noqa: E402
from mock_ce import MockCostExplorer  # noqa: E402

ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
NOW = "2026-11-15"
ENV_AKID = "AKIDENVEXAMPLE"
ENV_SECRET = "EnvSecretKey/e2eEXAMPLEabcdefghijklmnopq"
START_URL = "https://larkspur.awsapps.com/start"
SSO_TOKEN = "aoaAAAAAGe2eSSOACCESSTOKENxyz0123456789"
SSO_REFRESH = "aorAAAAAGe2eREFRESHTOKEN"
SSO_AKID = "ASIASSOEXAMPLE"
SSO_SECRET = "SsoSecretKey/e2eEXAMPLEabcdefghijklmnop"
SSO_SESSION = "IQoJSSOSESSIONTOKENe2eEXAMPLE0123456789"
PROC_AKID = "ASIAPROCEXAMPLE"
PROC_SECRET = "ProcSecretKey/e2eEXAMPLEabcdefghijklmno"
PROC_SESSION = "IQoJPROCSESSIONTOKENe2eEXAMPLE012345678"
PROC_ARG = "vault-password-e2eEXAMPLE"
IMDS_TOKEN = "AQAEAE2eIMDSTOKENEXAMPLE=="
IMDS_AKID = "ASIAIMDSEXAMPLE"
IMDS_SECRET = "ImdsSecretKey/e2eEXAMPLEabcdefghijklmno"
IMDS_SESSION = "IQoJIMDSSESSIONTOKENe2eEXAMPLE012345678"
SECRETS = [SSO_TOKEN, SSO_REFRESH, SSO_SECRET, SSO_SESSION, PROC_SECRET, PROC_SESSION, PROC_ARG,
           IMDS_TOKEN, IMDS_SECRET, IMDS_SESSION, ENV_SECRET]


def without_source(report):
    return {k: v for k, v in without_resources(report).items() if k != "source"}


class Server:
    """A local HTTP server whose answers come from handle(method, path, headers)."""

    def __init__(self, handle):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self):
                outer.requests.append((self.command, self.path, dict(self.headers)))
                status, body = handle(self.command, self.path, self.headers)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class CredentialSources(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = MockCostExplorer(os.path.join(SAMPLES, "cur2"), {
            SSO_AKID: {"secret": SSO_SECRET, "token": SSO_SESSION},
            PROC_AKID: {"secret": PROC_SECRET, "token": PROC_SESSION},
            IMDS_AKID: {"secret": IMDS_SECRET, "token": IMDS_SESSION},
            ENV_AKID: {"secret": ENV_SECRET},
        }).start()
        cls.reference = None
        cls.portal_status = 200
        cls.portal = Server(cls.sso_portal)
        cls.imds = Server(cls.metadata)
        cls.tmp = tempdir()
        cls.home = cls.tmp.name
        aws = os.path.join(cls.home, ".aws")
        os.makedirs(os.path.join(aws, "sso", "cache"))
        # what `aws sso login --sso-session corp` leaves: named by the SHA-1 of the session name
        cache = os.path.join(aws, "sso", "cache", hashlib.sha1(b"corp").hexdigest() + ".json")
        with open(cache, "w") as f:
            json.dump({"startUrl": START_URL, "region": "eu-west-1", "accessToken": SSO_TOKEN,
                       "expiresAt": "2099-01-01T00:00:00Z", "refreshToken": SSO_REFRESH}, f)
        cls.script = os.path.join(cls.home, "creds helper.sh")
        with open(cls.script, "w") as f:
            f.write("#!/bin/sh\n"
                    "[ \"$1\" = --password ] && [ \"$2\" = '%s' ] || exit 9\n"
                    "if [ \"$3\" = fail ]; then echo \"$2\"; exit 4; fi\n"
                    "cat <<'EOF'\n%s\nEOF\n"
                    % (PROC_ARG, json.dumps({"Version": 1, "AccessKeyId": PROC_AKID,
                                             "SecretAccessKey": PROC_SECRET,
                                             "SessionToken": PROC_SESSION,
                                             "Expiration": "2099-01-01T00:00:00Z"})))
        os.chmod(cls.script, 0o755)
        with open(os.path.join(aws, "config"), "w") as f:
            f.write("[profile sso-dev]\nsso_session = corp\nsso_account_id = 731904582216\n"
                    "sso_role_name = FinOpsReadOnly\n\n"
                    "[sso-session corp]\nsso_start_url = %s\nsso_region = eu-west-1\n"
                    "sso_registration_scopes = sso:account:access\n\n"
                    "[profile proc]\ncredential_process = \"%s\" --password '%s'\n\n"
                    "[profile proc-fail]\ncredential_process = \"%s\" --password '%s' fail\n"
                    % (START_URL, cls.script, PROC_ARG, cls.script, PROC_ARG))

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        cls.portal.stop()
        cls.imds.stop()
        cls.tmp.cleanup()

    @classmethod
    def sso_portal(cls, method, path, headers):
        url = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(url.query)
        if (method != "GET" or url.path != "/federation/credentials"
                or query != {"account_id": ["731904582216"], "role_name": ["FinOpsReadOnly"]}
                or headers.get("x-amz-sso_bearer_token") != SSO_TOKEN):
            return 400, b'{"message": "bad request"}'
        if cls.portal_status != 200:
            # a refusal that quotes the token: it must not get through
            return cls.portal_status, json.dumps({
                "message": "Session token %s not found or invalid" % SSO_TOKEN,
                "__type": "com.amazonaws.switchboard.portal#UnauthorizedException"}).encode()
        return 200, json.dumps({"roleCredentials": {
            "accessKeyId": SSO_AKID, "secretAccessKey": SSO_SECRET, "sessionToken": SSO_SESSION,
            "expiration": 4070908800000}}).encode()

    @staticmethod
    def metadata(method, path, headers):
        if method == "PUT" and path == "/latest/api/token":
            if headers.get("X-aws-ec2-metadata-token-ttl-seconds") != "21600":
                return 400, b""
            return 200, IMDS_TOKEN.encode()
        if method != "GET" or headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
            return 401, b""
        if path == "/latest/meta-data/iam/security-credentials/":
            return 200, b"costrank-instance"
        if path == "/latest/meta-data/iam/security-credentials/costrank-instance":
            return 200, json.dumps({"Code": "Success", "Type": "AWS-HMAC",
                                    "AccessKeyId": IMDS_AKID, "SecretAccessKey": IMDS_SECRET,
                                    "Token": IMDS_SESSION,
                                    "Expiration": "2099-01-01T00:00:00Z"}).encode()
        return 404, b""

    def env(self, cache, **extra):
        env = {
            "HOME": self.home, "XDG_CACHE_HOME": cache, "COSTRANK_NOW": NOW,
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
            "AWS_CONFIG_FILE": "", "AWS_SHARED_CREDENTIALS_FILE": "",
            "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
            "AWS_ROLE_ARN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_REGION": "",
            "AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL_STS": "",
            "AWS_ENDPOINT_URL_COST_EXPLORER": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": "", "AWS_ENDPOINT_URL_SSO": self.portal.url,
            "HTTPS_PROXY": "", "https_proxy": "",
        }
        env.update(extra)
        return env

    def pull(self, *args, env):
        """Runs a Cost Explorer report into a fresh directory and cache; returns (code, stdout,
        stderr, report or None) after checking that no secret is anywhere."""
        with tempdir() as out, tempdir() as cache:
            argv = ["report", "--endpoint-url", self.mock.url, "--format", "json,csv,md,html",
                    "--out", out, "--month", "2026-10", "--accounts", ACCOUNTS,
                    "--color", "never"] + list(args)
            code, so, se = run(argv, env=self.env(cache, **env))
            texts = {"stdout": so, "stderr": se}
            for root in (out, cache):
                for d, _, names in os.walk(root):
                    for n in names:
                        with open(os.path.join(d, n), "rb") as f:
                            texts[os.path.join(d, n)] = f.read().decode("utf-8", "replace")
            for where, text in texts.items():
                for secret in SECRETS:
                    self.assertNotIn(secret, text, where)
            try:
                with open(os.path.join(out, "costrank-2026-10.json")) as f:
                    return code, so, se, json.load(f)
            except FileNotFoundError:
                return code, so, se, None

    def assert_report(self, code, err, rep, akid):
        self.assertEqual(code, 0, err)
        self.assertEqual(self.mock.sig_failures, [])
        self.assertTrue(self.mock.log)
        self.assertEqual({entry[2] for entry in self.mock.log}, {akid})
        if CredentialSources.reference is None:
            code, _, err, ref = self.pull(env={"AWS_ACCESS_KEY_ID": ENV_AKID,
                                               "AWS_SECRET_ACCESS_KEY": ENV_SECRET})
            self.assertEqual(code, 0, err)
            self.assertEqual(len(ref["accounts"]), 7)
            CredentialSources.reference = ref
        self.assertEqual(without_source(rep), without_source(CredentialSources.reference))

    def setUp(self):
        self.mock.reset_counts()
        type(self).portal_status = 200
        self.portal.requests.clear()

    def test_sso(self):
        code, _, err, rep = self.pull("--profile", "sso-dev", env={})
        self.assert_report(code, err, rep, SSO_AKID)
        self.assertEqual(len(self.portal.requests), 1)

    def test_sso_refused(self):
        type(self).portal_status = 403
        code, _, err, rep = self.pull("--profile", "sso-dev", env={})
        self.assertEqual(code, 6, err)
        self.assertIsNone(rep)
        lines = err.strip().split("\n")
        self.assertEqual(len(lines), 1, err)
        self.assertIn("the SSO session has expired or lacks access to account 731904582216 "
                      "role FinOpsReadOnly", lines[0])
        self.assertIn("aws sso login --profile sso-dev", lines[0])
        self.assertEqual(self.mock.attempts, 0)

    def test_credential_process(self):
        code, _, err, rep = self.pull(env={"AWS_PROFILE": "proc"})
        self.assert_report(code, err, rep, PROC_AKID)

    def test_credential_process_fails(self):
        code, _, err, rep = self.pull(env={"AWS_PROFILE": "proc-fail"})
        self.assertEqual(code, 6, err)
        self.assertIsNone(rep)
        lines = err.strip().split("\n")
        self.assertEqual(len(lines), 1, err)
        self.assertIn("profile 'proc-fail': credential_process %s exited with status 4"
                      % self.script, lines[0])
        self.assertEqual(self.mock.attempts, 0)

    def test_instance_metadata(self):
        self.imds.requests.clear()
        code, _, err, rep = self.pull(env={"AWS_EC2_METADATA_DISABLED": "",
                                           "AWS_EC2_METADATA_SERVICE_ENDPOINT": self.imds.url,
                                           "AWS_CONFIG_FILE": os.path.join(self.home, "none")})
        self.assert_report(code, err, rep, IMDS_AKID)
        self.assertEqual([r[0] for r in self.imds.requests], ["PUT", "GET", "GET"])

    def test_nothing_answers(self):
        with socket.socket() as s:  # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        code, _, err, rep = self.pull(env={"AWS_EC2_METADATA_DISABLED": "",
                                           "AWS_EC2_METADATA_SERVICE_ENDPOINT":
                                           "http://127.0.0.1:%d" % port,
                                           "AWS_CONFIG_FILE": os.path.join(self.home, "none")})
        self.assertEqual(code, 6, err)
        self.assertEqual(len(err.strip().split("\n")), 1, err)
        self.assertIn("no AWS credentials found; tried ", err)
        self.assertIn("EC2 instance metadata (no answer)", err)


if __name__ == "__main__":
    unittest.main()
