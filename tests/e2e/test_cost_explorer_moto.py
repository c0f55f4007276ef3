"""The live source against moto_server, with moto's IAM authentication on, so that moto
checks every signature with botocore's signer.

moto does not aggregate billing data: it answers each distinct GetCostAndUsage body with the
next answer queued through /moto-api/static/ce/cost-and-usage-results.  The answers queued are
the ones tests/tools/mock_ce.py computes from the sample files for the requests costrank makes,
in costrank's order (recorded once against the mock).  The report pulled through moto must equal
the report of the sample files, and a wrong secret must be refused (exit 6).

Skipped, with a message, when moto_server is not installed (it is not a Debian package) or
botocore cannot be imported (needed to create moto's IAM user)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from common import SAMPLES, run, tempdir, without_commitments, without_resources  # noqa: E402
from mock_ce import MockCostExplorer  # noqa: E402

try:
    import botocore.session
except ImportError:  # pragma: no cover - depends on the machine
    botocore = None

MOTO = shutil.which("moto_server")
ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
NOW = "2026-11-15"
SKIP = ("moto_server is not installed (pip install 'moto[server]'): the moto test is skipped"
        if not MOTO else
        "botocore cannot be imported (apt install python3-botocore): the moto test is skipped"
        if botocore is None else None)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def base_env(home, akid, secret):
    return {"HOME": home, "XDG_CACHE_HOME": os.path.join(home, "cache"), "COSTRANK_NOW": NOW,
            "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "",
            "AWS_PROFILE": "", "AWS_CONFIG_FILE": os.path.join(home, "none"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "none"),
            "AWS_ENDPOINT_URL_COST_EXPLORER": "", "AWS_EC2_METADATA_DISABLED": "true",
            "HTTPS_PROXY": "", "https_proxy": ""}


@unittest.skipIf(SKIP, SKIP)
class Moto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        port = free_port()
        cls.url = "http://127.0.0.1:%d" % port
        # the first three actions (the IAM setup below) go unauthenticated, every later
        # request must be signed by a key moto knows
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
        cls.log = open(os.path.join(cls.tmp.name, "moto.log"), "wb")
        cls.proc = subprocess.Popen([MOTO, "-H", "127.0.0.1", "-p", str(port)], env=env,
                                    stdout=cls.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                urllib.request.urlopen(cls.url + "/moto-api/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        iam = botocore.session.get_session().create_client(
            "iam", endpoint_url=cls.url, region_name="us-east-1",
            aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="costrank")
        key = iam.create_access_key(UserName="costrank")["AccessKey"]
        iam.put_user_policy(UserName="costrank", PolicyName="cost-explorer-read",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                {"Effect": "Allow", "Action": "ce:GetCostAndUsage",
                                 "Resource": "*"}]}))
        cls.akid, cls.secret = key["AccessKeyId"], key["SecretAccessKey"]

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=30)
        cls.log.close()
        cls.tmp.cleanup()

    def report(self, endpoint, env, *extra):
        with tempdir() as out:
            code, _, err = run(["report", "--endpoint-url", endpoint, "--accounts", ACCOUNTS,
                                "--format", "json", "--out", out, "--no-cache", *extra], env=env)
            rep = None
            path = os.path.join(out, "costrank-2026-10.json")
            if os.path.exists(path):
                with open(path) as f:
                    rep = json.load(f)
            return code, err, rep

    def test_report_through_moto_equals_the_files(self):
        home = self.tmp.name
        # the requests costrank makes, and their answers, from the mock
        mock = MockCostExplorer(os.path.join(SAMPLES, "cur2"), {"AKIDMOCK": {"secret": "s" * 40}},
                                page_size=10 ** 6).start()
        try:
            code, err, want = self.report(mock.url, base_env(home, "AKIDMOCK", "s" * 40))
            self.assertEqual(code, 0, err)
            answers = [mock.cost_and_usage(body, None) for body, status, _ in mock.log
                       if status == 200]
        finally:
            mock.stop()
        req = urllib.request.Request(self.url + "/moto-api/static/ce/cost-and-usage-results",
                                     data=json.dumps({"results": answers}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        self.assertEqual(urllib.request.urlopen(req).status, 201)

        code, err, got = self.report(self.url, base_env(home, self.akid, self.secret))
        self.assertEqual(code, 0, err)
        self.assertEqual(got["source"]["requests"], len(answers))
        got.pop("source")
        for k in ("anomalies", "drivers"):
            got.pop(k)
        want.pop("source")
        for k in ("anomalies", "drivers"):
            want.pop(k)
        with tempdir() as out:
            code, _, err = run(["report", "--format", "json", "--out", out, "--accounts",
                                ACCOUNTS, "--month", "2026-10", os.path.join(SAMPLES, "cur2")])
            self.assertEqual(code, 0, err)
            with open(os.path.join(out, "costrank-2026-10.json")) as f:
                files = json.load(f)
        for k in ("source", "anomalies", "drivers"):
            files.pop(k)
        # Cost Explorer carries no operation: proposals that depend on the platform or the
        # engine (Windows, Aurora) differ from the files' by design
        for k in ("savings_total", "savings_share", "savings_to_investigate", "proposals"):
            got.pop(k)
            files.pop(k)
            want.pop(k)
        self.assertEqual(without_commitments(without_resources(got)),
                         without_commitments(without_resources(files)))
        self.assertEqual(got, want)

    def test_moto_refuses_a_wrong_signature(self):
        code, err, rep = self.report(self.url, base_env(self.tmp.name, self.akid, "x" * 40))
        self.assertEqual(code, 6, err)
        self.assertIn("HTTP 403 SignatureDoesNotMatch", err)
        self.assertIsNone(rep)


if __name__ == "__main__":
    unittest.main(verbosity=2)
