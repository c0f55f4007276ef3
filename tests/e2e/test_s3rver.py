"""The S3 reader against a real S3-compatible server: s3rver (npm), on 127.0.0.1.

s3rver keeps objects on disk, paginates ListObjectsV2 with continuation tokens, honours Range and
conditional requests and knows one access key, S3RVER.  It parses SigV4 Authorization headers
but does not check the signature (3.7.1 leaves that unimplemented): tests/e2e/test_s3.py checks
every signature with botocore.  The samples are uploaded with botocore (an independent client), then listed and
read back through tests/tools/s3_fetch (COSTRANK_S3_TOOL).

s3rver is installed by scripts/test (`npm ci` in tests/tools/s3rver, pinned by its
package-lock.json); nothing is downloaded here.  Without it this test is skipped with a message
on a developer machine, and fails where the CI variable is set.
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, SOURCE_DIR, run  # noqa: E402

TOOL = os.environ.get("COSTRANK_S3_TOOL")
S3RVER = os.path.join(SOURCE_DIR, "tests", "tools", "s3rver", "node_modules", ".bin", "s3rver")
IN_CI = bool(os.environ.get("CI"))
BUCKET = "cur-bucket"
KEY = SECRET = "S3RVER"


def require():
    why = None
    if not (TOOL and os.access(TOOL, os.X_OK)):
        why = "COSTRANK_S3_TOOL is not the s3_fetch program"
    elif not os.access(S3RVER, os.X_OK) or not shutil.which("node"):
        why = ("s3rver is not installed: run `npm ci --prefix tests/tools/s3rver` "
               "(scripts/test does)")
    if why:
        if IN_CI:
            raise AssertionError(why)
        raise unittest.SkipTest(why)


class S3rverTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require()
        import botocore.config
        import botocore.session
        cls.dir = tempfile.TemporaryDirectory(prefix="costrank-s3rver-")
        cls.proc = subprocess.Popen(
            [S3RVER, "-d", cls.dir.name, "-a", "127.0.0.1", "-p", "0",
             "--configure-bucket", BUCKET],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 60
        cls.url = None
        while time.time() < deadline:
            line = cls.proc.stdout.readline()
            if not line:
                break
            m = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
            if m:
                cls.url = "http://" + m.group(1)
                break
        if not cls.url:
            cls.tearDownClass()
            raise AssertionError("s3rver did not start")
        cls.client = botocore.session.get_session().create_client(
            "s3", region_name="us-east-1", endpoint_url=cls.url, aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            config=botocore.config.Config(s3={"addressing_style": "path"}))
        cls.objs = {}
        for sub in ("cur2", "legacy-cur", "focus"):
            for dirpath, _, files in os.walk(os.path.join(SAMPLES, sub)):
                for name in files:
                    path = os.path.join(dirpath, name)
                    key = "exports/" + os.path.relpath(path, SAMPLES).replace(os.sep, "/")
                    with open(path, "rb") as f:
                        data = f.read()
                    cls.client.put_object(Bucket=BUCKET, Key=key, Body=data)
                    cls.objs[key] = data

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "client", None):
            cls.client.close()
        proc = getattr(cls, "proc", None)
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        if getattr(cls, "dir", None):
            cls.dir.cleanup()

    def run_tool(self, *args, key=KEY):
        home = tempfile.mkdtemp(prefix="costrank-s3rver-home-")
        self.addCleanup(shutil.rmtree, home, True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
               "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": SECRET,
               "AWS_ENDPOINT_URL_S3": self.url, "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        p = subprocess.run([TOOL] + list(args), env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")

    def test_list_matches_the_upload(self):
        rc, out, err = self.run_tool("list", "s3://%s/exports/" % BUCKET)
        self.assertEqual(rc, 0, err)
        got = {}
        for line in out.decode().splitlines():
            url, size, etag, _ = line.rsplit(" ", 3)
            got[url[len("s3://%s/" % BUCKET):]] = int(size)
        self.assertEqual(got, {k: len(v) for k, v in self.objs.items()})

    def test_objects_read_back_exactly(self):
        keys = sorted(self.objs)
        rc, out, err = self.run_tool("--no-cache", "cat", *["s3://%s/%s" % (BUCKET, k) for k in keys])
        self.assertEqual(rc, 0, err)
        want = b"".join(gzip.decompress(self.objs[k]) if k.endswith(".gz") else self.objs[k]
                        for k in keys)
        self.assertEqual(out, want)

    def test_range_and_cache(self):
        key = next(k for k in sorted(self.objs) if "BILLING_PERIOD=2026-09" in k and k.endswith(".gz"))
        rc, out, err = self.run_tool("range", "s3://%s/%s" % (BUCKET, key), "5", "100")
        self.assertEqual((rc, out), (0, self.objs[key][5:105]), err)
        cache = tempfile.mkdtemp(prefix="costrank-s3rver-cache-")
        self.addCleanup(shutil.rmtree, cache, True)
        for fetched, cached in ((1, 0), (0, 1)):
            rc, out, err = self.run_tool("--cache-dir", cache, "cat", "s3://%s/%s" % (BUCKET, key))
            self.assertEqual((rc, out), (0, gzip.decompress(self.objs[key])), err)
            self.assertIn("fetched=%d/" % fetched, err)
            self.assertIn("cached=%d/" % cached, err)

    def test_unknown_access_key(self):
        rc, out, err = self.run_tool("cat", "s3://%s/%s" % (BUCKET, sorted(self.objs)[0]),
                                     key="AKIDUNKNOWN")
        self.assertEqual(rc, 6, err)
        self.assertIn("HTTP 403 InvalidAccessKeyId", err)

    def report(self, inp, env):
        with tempfile.TemporaryDirectory(prefix="costrank-s3rver-out-") as out:
            no_cache = ["--no-cache"] if inp.startswith("s3://") else []
            code, _, err = run(["report", "--format", "json", "--out", out] + no_cache + [inp],
                               env=env)
            self.assertEqual(code, 0, err)
            with open(os.path.join(out, os.listdir(out)[0])) as f:
                return json.load(f)

    def test_report_equals_the_disk(self):
        home = tempfile.mkdtemp(prefix="costrank-s3rver-home-")
        self.addCleanup(shutil.rmtree, home, True)
        env = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "HOME": home,
               "AWS_ENDPOINT_URL_S3": self.url, "AWS_CONFIG_FILE": "/nonexistent",
               "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
        for sub in ("cur2", "legacy-cur", "focus"):
            got = self.report("s3://%s/exports/%s/" % (BUCKET, sub), env)
            want = self.report(os.path.join(SAMPLES, sub), env)
            self.assertEqual(len(got["source"]["files"]), len(want["source"]["files"]))
            self.assertGreater(got["source"]["s3"]["bytes_fetched"], 0)
            for doc in (got, want):
                doc.pop("source")
            self.assertEqual(got, want, sub)

    def test_missing_key(self):
        rc, out, err = self.run_tool("cat", "s3://%s/exports/none.csv" % BUCKET)
        self.assertEqual(rc, 5, err)
        self.assertIn("s3://%s/exports/none.csv: HTTP 404 NoSuchKey" % BUCKET, err)


if __name__ == "__main__":
    unittest.main()
