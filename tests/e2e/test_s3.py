"""End-to-end tests of the S3 reader (s3.h) against the stand-in S3 of tests/tools/mock_s3.py,
which checks every request's SigV4 signature with botocore.

The reader is driven through tests/tools/s3_fetch (COSTRANK_S3_TOOL): listings, objects streamed
through cr_input_open (gunzipped as files are), small and ranged GETs.  Each test compares with
the bytes the stand-in holds, and checks what went over the wire in the stand-in's log: pages,
Range and If-Match on a resumed transfer, If-None-Match for a cached object, the region
redirect, retries after faults.
"""
import gzip
import hashlib
import os
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
sys.path.insert(0, os.path.dirname(__file__))

from common import SAMPLES, tempdir  # noqa: E402
from mock_s3 import MockS3, load_dir  # noqa: E402

TOOL = os.environ.get("COSTRANK_S3_TOOL")
AKID, SECRET, TOKEN = "AKIDS3TEST", "s3-secret-never-printed", "s3-session-token-never-printed"
BUCKET = "cur-bucket"
CUR2 = "cur2/data/BILLING_PERIOD=2026-10/larkspur-cur2-00001.csv.gz"
LEGACY = "legacy-cur/20261001-20261101/larkspur-legacy-1.csv"


def objects():
    objs = {k: v for k, v in load_dir(SAMPLES).items()
            if k.startswith(("cur2/", "legacy-cur/", "focus/"))}
    # keys S3 must encode in a listing, and a big object that takes several ring fills
    objs["odd keys/a b+c.csv"] = b"x,y\n1,2\n"
    objs["dots/../x/./y.csv"] = b"d,e\n5,6\n"
    big = b"".join(b"line %08d,%s\n" % (i, b"z" * 60) for i in range(200000))
    objs["big/BILLING_PERIOD=2026-10/big.csv.gz"] = gzip.compress(big, 1)
    objs["running/BILLING_PERIOD=2099-01/now.csv"] = b"a,b\n3,4\n"
    return objs, big


@unittest.skipUnless(TOOL and os.access(TOOL, os.X_OK), "COSTRANK_S3_TOOL is not the s3_fetch program")
class S3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objs, cls.big = objects()

    def setUp(self):
        self.mock = MockS3({BUCKET: dict(self.objs), "eu-bucket": {"k.csv": b"p,q\n"}},
                           {AKID: {"secret": SECRET, "token": TOKEN}},
                           regions={"eu-bucket": "eu-west-1"}, page_size=2).start()
        self.tmp = tempdir()
        self.home = self.tmp.name
        self.addCleanup(self.tmp.cleanup)
        self.addCleanup(self.mock.stop)

    def run_tool(self, *args, env=None):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
             "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
             "AWS_SESSION_TOKEN": TOKEN, "AWS_ENDPOINT_URL_S3": self.mock.url,
             "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
             "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                e[k] = os.environ[k]
        e.update(env or {})
        e = {k: v for k, v in e.items() if v is not None}
        p = subprocess.run([TOOL] + list(args), env=e, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        err = p.stderr.decode("utf-8", "replace")
        for secret in (SECRET, TOKEN):
            self.assertNotIn(secret, err)
        return p.returncode, p.stdout, err

    def url(self, key, bucket=BUCKET):
        return "s3://%s/%s" % (bucket, key)

    def tearDown(self):
        self.assertEqual(self.mock.sig_failures, [], "signatures botocore refused")

    # ---- listing --------------------------------------------------------------------------

    def test_list_follows_continuation_tokens(self):
        rc, out, err = self.run_tool("list", "s3://%s/cur2/" % BUCKET)
        self.assertEqual(rc, 0, err)
        lines = out.decode().splitlines()
        want = sorted(k for k in self.objs if k.startswith("cur2/"))
        self.assertEqual([ln.split(" ")[0] for ln in lines], [self.url(k) for k in want])
        for ln in lines:
            u, size, etag, mtime = ln.split(" ")
            data = self.objs[u[len("s3://%s/" % BUCKET):]]
            self.assertEqual(int(size), len(data))
            self.assertEqual(int(mtime), self.mock.mtime)
            self.assertEqual(len(etag), 32)
        pages = self.mock.requests("list")
        self.assertEqual(len(pages), (len(want) + 1) // 2)
        self.assertIn("requests=%d " % len(pages), err)

    def test_list_decodes_keys(self):
        rc, out, err = self.run_tool("list", "s3://%s/odd" % BUCKET)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.decode().rsplit(" ", 3)[0], self.url("odd keys/a b+c.csv"))

    def test_list_of_an_empty_prefix_is_empty(self):
        rc, out, err = self.run_tool("list", "s3://%s/nothing-here/" % BUCKET)
        self.assertEqual((rc, out), (0, b""), err)

    # ---- objects ----------------------------------------------------------------------------

    def test_cat_gunzips_like_a_file(self):
        rc, out, err = self.run_tool("--no-cache", "cat", self.url(CUR2), self.url(LEGACY))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, gzip.decompress(self.objs[CUR2]) + self.objs[LEGACY])
        self.assertIn("fetched=2/%d " % (len(self.objs[CUR2]) + len(self.objs[LEGACY])), err)

    def test_key_with_reserved_characters(self):
        rc, out, err = self.run_tool("--no-cache", "cat", self.url("odd keys/a b+c.csv"))
        self.assertEqual((rc, out), (0, b"x,y\n1,2\n"), err)

    def test_key_with_dot_segments(self):
        rc, out, err = self.run_tool("--no-cache", "cat", self.url("dots/../x/./y.csv"))
        self.assertEqual((rc, out), (0, b"d,e\n5,6\n"), err)

    def test_big_object_streams_whole(self):
        rc, out, err = self.run_tool("--no-cache", "cat", self.url("big/BILLING_PERIOD=2026-10/big.csv.gz"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, self.big)

    def test_get_range_and_small(self):
        rc, out, err = self.run_tool("range", self.url(LEGACY), "100", "50")
        self.assertEqual((rc, out), (0, self.objs[LEGACY][100:150]), err)
        self.assertEqual(self.mock.requests("get")[-1][3].get("Range"), "bytes=100-149")
        rc, out, err = self.run_tool("small", self.url(LEGACY), str(len(self.objs[LEGACY])))
        self.assertEqual((rc, out), (0, self.objs[LEGACY]), err)
        rc, out, err = self.run_tool("small", self.url(LEGACY), "100")
        self.assertEqual(rc, 5)
        self.assertIn("larger than 100 bytes", err)

    # ---- interrupted transfers ----------------------------------------------------------

    def test_reset_mid_object_resumes_with_range(self):
        key = "big/BILLING_PERIOD=2026-10/big.csv.gz"
        self.mock.faults.append({"op": "get", "key": key, "kind": "reset_mid", "times": 2})
        rc, out, err = self.run_tool("--no-cache", "cat", self.url(key))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, self.big)
        gets = self.mock.requests("get")
        self.assertEqual(len(gets), 3)
        self.assertNotIn("Range", gets[0][3])
        size = len(self.objs[key])
        # a reset may drop bytes in flight: each resumption starts where the data stopped
        starts = [int(g[3].get("Range", "bytes=0-")[len("bytes="):-1]) for g in gets]
        self.assertTrue(0 == starts[0] < starts[1] < starts[2] < size, starts)
        self.assertEqual(gets[1][3].get("If-Match"), '"%s"' % hashlib.md5(self.objs[key]).hexdigest())
        self.assertIn("fetched=1/%d " % size, err)

    def test_object_replaced_while_resuming_is_an_error(self):
        self.mock.faults += [{"op": "get", "key": CUR2, "kind": "reset_mid", "times": 1},
                             {"op": "get", "key": CUR2, "kind": "changed", "times": 1}]
        rc, out, err = self.run_tool("--no-cache", "cat", self.url(CUR2))
        self.assertEqual(rc, 5, err)
        self.assertIn("s3://%s/%s: HTTP 412 PreconditionFailed" % (BUCKET, CUR2), err)
        self.assertIn("changed while it was being read", err)

    def test_server_ignoring_range_still_gives_each_byte_once(self):
        self.mock.faults += [{"op": "get", "key": LEGACY, "kind": "reset_mid", "times": 1},
                             {"op": "get", "key": LEGACY, "kind": "ignore_range", "times": 1}]
        rc, out, err = self.run_tool("--no-cache", "cat", self.url(LEGACY))
        self.assertEqual((rc, out), (0, self.objs[LEGACY]), err)

    def test_stalled_body_is_resumed(self):
        # libcurl measures speed over the last few seconds: a stall shows after about six
        self.mock.faults.append({"op": "get", "key": LEGACY, "kind": "slow_body", "seconds": 10,
                                 "times": 1})
        rc, out, err = self.run_tool("--no-cache", "--timeout-ms", "1000", "cat", self.url(LEGACY))
        self.assertEqual((rc, out), (0, self.objs[LEGACY]), err)
        gets = self.mock.requests("get")
        self.assertEqual(len(gets), 2)
        self.assertTrue(gets[1][3].get("Range", "").startswith("bytes="))

    def test_slow_listing_times_out_and_is_retried(self):
        self.mock.faults.append({"op": "list", "kind": "slow", "seconds": 3, "times": 1})
        rc, out, err = self.run_tool("--timeout-ms", "1000", "list", "s3://%s/legacy-cur/" % BUCKET)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.decode().splitlines()),
                         len([k for k in self.objs if k.startswith("legacy-cur/")]))
        self.assertIn("requests=3 ", err)  # two pages, the first one twice

    # ---- faults and errors ------------------------------------------------------------------

    def test_slowdown_and_500_are_retried(self):
        self.mock.faults += [{"op": "get", "kind": "slowdown", "times": 1},
                             {"op": "get", "kind": "internal", "times": 1}]
        rc, out, err = self.run_tool("--no-cache", "cat", self.url(LEGACY))
        self.assertEqual((rc, out), (0, self.objs[LEGACY]), err)
        self.assertEqual([r[4] for r in self.mock.requests("get")], [503, 500, 200])

    def test_slowdown_for_good_gives_up(self):
        self.mock.faults.append({"op": "get", "kind": "slowdown"})
        rc, out, err = self.run_tool("--no-cache", "cat", self.url(LEGACY))
        self.assertEqual(rc, 5)
        self.assertIn("s3://%s/%s: HTTP 503 SlowDown" % (BUCKET, LEGACY), err)
        self.assertIn("4 attempts", err)
        self.assertEqual(out, b"")

    def test_access_denied(self):
        self.mock.faults.append({"op": "get", "kind": "denied"})
        rc, out, err = self.run_tool("cat", self.url(LEGACY))
        self.assertEqual(rc, 6)
        line = [ln for ln in err.splitlines() if ln.startswith("s3_fetch:")]
        self.assertEqual(len(line), 1)
        self.assertIn("s3://%s/%s: HTTP 403 AccessDenied: Access Denied" % (BUCKET, LEGACY), line[0])
        self.assertIn("s3:GetObject", line[0])
        self.assertEqual(len(self.mock.requests("get")), 1)

    def test_listing_denied(self):
        self.mock.faults.append({"op": "list", "kind": "denied"})
        rc, out, err = self.run_tool("list", "s3://%s/cur2/" % BUCKET)
        self.assertEqual(rc, 6)
        self.assertIn("s3://%s/cur2/: HTTP 403 AccessDenied" % BUCKET, err)
        self.assertIn("s3:ListBucket", err)

    def test_expired_token(self):
        self.mock.faults.append({"op": "get", "kind": "expired"})
        rc, out, err = self.run_tool("cat", self.url(LEGACY))
        self.assertEqual(rc, 6)
        self.assertIn("HTTP 400 ExpiredToken", err)

    def test_no_such_key_and_bucket(self):
        rc, out, err = self.run_tool("cat", self.url("cur2/missing.csv.gz"))
        self.assertEqual(rc, 5)
        self.assertIn("s3://%s/cur2/missing.csv.gz: HTTP 404 NoSuchKey" % BUCKET, err)
        rc, out, err = self.run_tool("cat", "s3://no-such-bucket/a.csv")
        self.assertEqual(rc, 5)
        self.assertIn("s3://no-such-bucket/a.csv: HTTP 404 NoSuchBucket", err)

    def test_wrong_secret_is_refused_by_the_signature_check(self):
        rc, out, err = self.run_tool("cat", self.url(LEGACY),
                                     env={"AWS_SECRET_ACCESS_KEY": "another-secret-value"})
        self.assertEqual(rc, 6)
        self.assertIn("HTTP 403 SignatureDoesNotMatch", err)
        self.assertNotIn("another-secret-value", err)
        self.mock.sig_failures.clear()

    def test_no_credentials(self):
        rc, out, err = self.run_tool("cat", self.url(LEGACY),
                                     env={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None,
                                          "AWS_SESSION_TOKEN": None})
        self.assertEqual(rc, 6)
        self.assertIn("no AWS credentials found", err)
        self.assertEqual(self.mock.requests(), [])

    def test_malformed_urls(self):
        for url, what in (("s3://", "no bucket name"), ("s3:///key", "no bucket name"),
                          ("s3://bad bucket/k", "not an S3 bucket name")):
            rc, out, err = self.run_tool("cat", url)
            self.assertEqual(rc, 3, url)
            self.assertIn(what, err)

    # ---- endpoints and regions --------------------------------------------------------------

    def test_bucket_in_another_region(self):
        rc, out, err = self.run_tool("--no-cache", "cat", "s3://eu-bucket/k.csv", "s3://eu-bucket/k.csv")
        self.assertEqual((rc, out), (0, b"p,q\n" * 2), err)
        statuses = [r[4] for r in self.mock.requests("get")]
        self.assertEqual(statuses, [301, 200, 200])  # the region is remembered

    def test_endpoint_from_the_config_file(self):
        conf = os.path.join(self.home, "config")
        with open(conf, "w") as f:
            f.write("[profile s3test]\nregion = us-east-1\nendpoint_url = %s\n" % self.mock.url)
        rc, out, err = self.run_tool("--no-cache", "cat", self.url(LEGACY),
                                     env={"AWS_ENDPOINT_URL_S3": None, "AWS_CONFIG_FILE": conf,
                                          "AWS_PROFILE": "s3test"})
        self.assertEqual((rc, out), (0, self.objs[LEGACY]), err)
        # AWS_ENDPOINT_URL (for every service) comes before the config file
        rc, out, err = self.run_tool("--no-cache", "cat", self.url(LEGACY),
                                     env={"AWS_ENDPOINT_URL_S3": None, "AWS_CONFIG_FILE": conf,
                                          "AWS_PROFILE": "s3test",
                                          "AWS_ENDPOINT_URL": "http://127.0.0.1:9/"})
        self.assertEqual(rc, 5, err)
        self.assertIn("http://127.0.0.1:9", err)

    def test_plain_http_to_a_remote_endpoint_is_refused(self):
        rc, out, err = self.run_tool("cat", self.url(LEGACY),
                                     env={"AWS_ENDPOINT_URL_S3": "http://s3.example.com"})
        self.assertEqual(rc, 2)
        self.assertIn("plain http is allowed only to loopback hosts", err)
        self.assertEqual(self.mock.requests(), [])

    # ---- the cache ----------------------------------------------------------------------------

    def cache_files(self, d):
        return sorted(f for f in os.listdir(d) if f.startswith("s3-")) if os.path.isdir(d) else []

    def test_closed_period_is_fetched_once(self):
        cache = os.path.join(self.home, "cache")
        rc, out1, err = self.run_tool("--cache-dir", cache, "cat", self.url(CUR2))
        self.assertEqual(rc, 0, err)
        self.assertIn("fetched=1/%d cached=0/0" % len(self.objs[CUR2]), err)
        self.assertEqual(stat.S_IMODE(os.stat(cache).st_mode), 0o700)
        files = self.cache_files(cache)
        self.assertEqual(len(files), 1)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(cache, files[0])).st_mode), 0o600)
        rc, out2, err = self.run_tool("--cache-dir", cache, "cat", self.url(CUR2))
        self.assertEqual((rc, out2), (0, out1), err)
        self.assertIn("fetched=0/0 cached=1/%d" % len(self.objs[CUR2]), err)
        last = self.mock.requests("get")[-1]
        self.assertEqual(last[4], 304)
        self.assertEqual(last[3].get("If-None-Match"), '"%s"' % hashlib.md5(self.objs[CUR2]).hexdigest())

    def test_changed_object_is_fetched_again(self):
        cache = os.path.join(self.home, "cache")
        self.assertEqual(self.run_tool("--cache-dir", cache, "cat", self.url(LEGACY))[0], 0)
        self.mock.buckets[BUCKET][LEGACY] = self.objs[LEGACY] + b"extra\n"
        rc, out, err = self.run_tool("--cache-dir", cache, "cat", self.url(LEGACY))
        self.assertEqual((rc, out), (0, self.objs[LEGACY] + b"extra\n"), err)
        self.assertIn("fetched=1/", err)

    def test_running_period_and_no_cache_are_not_cached(self):
        cache = os.path.join(self.home, "cache")
        rc, out, err = self.run_tool("--cache-dir", cache, "cat",
                                     self.url("running/BILLING_PERIOD=2099-01/now.csv"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.cache_files(cache), [])
        rc, out, err = self.run_tool("--cache-dir", cache, "--no-cache", "cat", self.url(CUR2))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.cache_files(cache), [])

    def test_foreign_writable_or_symlinked_entries_are_ignored(self):
        cache = os.path.join(self.home, "cache")
        self.assertEqual(self.run_tool("--cache-dir", cache, "cat", self.url(CUR2))[0], 0)
        entry = os.path.join(cache, self.cache_files(cache)[0])
        os.chmod(entry, 0o620)
        rc, out, err = self.run_tool("--cache-dir", cache, "cat", self.url(CUR2))
        self.assertEqual(rc, 0, err)
        self.assertIn("fetched=1/", err)
        self.assertNotIn("If-None-Match", self.mock.requests("get")[-1][3])
        # the entry was replaced by a private one; now make it a symbolic link
        target = entry + ".elsewhere"
        os.rename(entry, target)
        os.symlink(target, entry)
        rc, out, err = self.run_tool("--cache-dir", cache, "cat", self.url(CUR2))
        self.assertEqual(rc, 0, err)
        self.assertIn("fetched=1/", err)
        self.assertNotIn("If-None-Match", self.mock.requests("get")[-1][3])

    def test_truncated_cache_entry_is_ignored(self):
        cache = os.path.join(self.home, "cache")
        self.assertEqual(self.run_tool("--cache-dir", cache, "cat", self.url(CUR2))[0], 0)
        entry = os.path.join(cache, self.cache_files(cache)[0])
        with open(entry, "r+b") as f:
            f.truncate(os.path.getsize(entry) - 10)
        rc, out, err = self.run_tool("--cache-dir", cache, "cat", self.url(CUR2))
        self.assertEqual((rc, out), (0, gzip.decompress(self.objs[CUR2])), err)
        self.assertIn("fetched=1/", err)


if __name__ == "__main__":
    unittest.main()
