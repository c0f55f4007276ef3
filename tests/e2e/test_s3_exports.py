"""`costrank report s3://...` on exports laid out as AWS delivers them, against the stand-in S3
of tests/tools/mock_s3.py (every signature checked with botocore): the report read from S3
equals the one read from the same files on disk (JSON equal but for the source block), each
billing period counted once from its current delivery, and no superseded object fetched.

The layouts come from tests/tools/make_export_fixtures.py; each is served as a bucket of its
own, its keys the paths below the layout's folder.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
sys.path.insert(0, os.path.dirname(__file__))

from common import SOURCE_DIR, run, tempdir  # noqa: E402
from mock_s3 import MockS3, load_dir  # noqa: E402

GENERATOR = os.path.join(SOURCE_DIR, "tests", "tools", "make_export_fixtures.py")
AKID, SECRET = "AKIDEXPORTS", "exports-secret-never-printed"
LAYOUTS = ("legacy-versions", "legacy-overwrite", "cur2-new-files", "cur2-overwrite",
           "cur2-no-manifest", "focus-new-files", "focus-overwrite")


class S3Exports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        cls.dir = os.path.realpath(cls.tmp.name)
        subprocess.run([sys.executable, GENERATOR, cls.dir], check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(cls.dir, "index.json")) as f:
            cls.index = json.load(f)
        buckets = {}
        for name, lay in cls.index.items():
            buckets[name] = load_dir(os.path.join(cls.dir, lay["root"]) if not
                                     os.path.isabs(lay["root"]) else lay["root"])
        cls.buckets = buckets
        cls.mock = MockS3(buckets, {AKID: {"secret": SECRET}}, page_size=3).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.home = tempdir()
        self.addCleanup(self.home.cleanup)

    def tearDown(self):
        self.assertEqual(self.mock.sig_failures, [])

    def root(self, name):
        r = self.index[name]["root"]
        return r if os.path.isabs(r) else os.path.join(self.dir, r)

    def to_url(self, name, path):
        return "s3://%s/%s" % (name, os.path.relpath(os.path.join(self.dir, path) if not
                                                     os.path.isabs(path) else path,
                                                     self.root(name)))

    def report(self, inputs, *opts, code=0):
        env = {"AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
               "AWS_ENDPOINT_URL_S3": self.mock.url, "HOME": self.home.name,
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
        with tempdir() as out:
            c, _, err = run(["report", "--format", "json", "--out", out] + list(opts) + list(inputs),
                            cwd=self.dir, env=env)
            self.assertEqual(c, code, err)
            self.assertNotIn(SECRET, err)
            if code:
                self.assertEqual(os.listdir(out), [])
                return None, err
            names = os.listdir(out)
            self.assertEqual(len(names), 1)
            with open(os.path.join(out, names[0])) as f:
                return json.load(f), err

    def same_from_s3(self, name, sub=""):
        lay = self.index[name]
        url = "s3://%s/%s" % (name, sub)
        disk = os.path.join(self.root(name), sub)
        before = len(self.mock.requests())
        got, err = self.report([url], "--no-cache")
        want, _ = self.report([disk])
        current = sorted(self.to_url(name, p) for p in lay["current"]
                         if not sub or self.to_url(name, p).startswith(url))
        self.assertEqual(sorted(got["source"]["files"]), current)
        # only the current delivery's data and the manifests were fetched
        fetched = sorted("s3://%s/%s" % (r[1], r[2]) for r in self.mock.requests()[before:]
                         if r[0] == "get")
        data = [u for u in fetched if "Manifest" not in u]
        self.assertEqual(data, current)
        s3 = got["source"]["s3"]
        self.assertEqual(s3["objects_fetched"], len(fetched))
        self.assertEqual(s3["bytes_fetched"],
                         sum(len(self.buckets[name][u[len("s3://%s/" % name):]]) for u in fetched))
        self.assertEqual(s3["requests"], len(self.mock.requests()) - before)
        self.assertIn("costrank: S3: %d objects fetched" % len(fetched), err)
        # warnings name the places they are about: the same once the roots are aligned
        got_w = [w.replace(url.rstrip("/"), "ROOT") for w in got["warnings"]]
        want_w = [w.replace(disk.rstrip("/"), "ROOT") for w in want["warnings"]]
        self.assertEqual(got_w, want_w)
        for doc in (got, want):
            doc.pop("source")
            doc.pop("warnings")
        self.assertEqual(got, want)
        return got

    def test_every_layout_equals_the_disk(self):
        for name in LAYOUTS:
            with self.subTest(layout=name):
                self.same_from_s3(name)

    def test_three_cumulative_versions_count_once(self):
        got = self.same_from_s3("legacy-versions")
        alone, _ = self.report(self.index["legacy-versions"]["current"])
        self.assertEqual(got["total"], alone["total"])

    def test_a_folder_below_the_root(self):
        self.same_from_s3("legacy-versions", "cur/larkspur/20261001-20261101/")
        self.same_from_s3("cur2-new-files", "exports/larkspur-cur2/")

    def test_missing_part_names_the_object(self):
        lay = self.index["legacy-missing"]
        _, err = self.report(["s3://legacy-missing/"], "--no-cache", code=3)
        self.assertIn(self.to_url("legacy-missing", lay["missing"][0]), err)

    def test_zip_parts_are_refused_clearly(self):
        _, err = self.report(["s3://legacy-zip/"], "--no-cache", code=3)
        self.assertIn("ZIP-compressed objects are not read from S3", err)

    def test_closed_months_come_from_the_cache(self):
        cache = os.path.join(self.home.name, "cache")
        first, _ = self.report(["s3://cur2-overwrite/"], "--cache-dir", cache)
        second, err = self.report(["s3://cur2-overwrite/"], "--cache-dir", cache)
        parts = len(first["source"]["files"])
        self.assertEqual(first["source"]["s3"]["objects_cached"], 0)
        self.assertEqual(second["source"]["s3"]["objects_cached"], parts)
        # manifests are read every time; the parts only revalidated
        self.assertEqual(second["source"]["s3"]["objects_fetched"],
                         first["source"]["s3"]["objects_fetched"] - parts)
        self.assertIn("%d from the cache" % parts, err)
        for doc in (first, second):
            doc.pop("source")
        self.assertEqual(first, second)

    def test_s3_options_are_accepted_and_others_refused(self):
        got, _ = self.report(["s3://cur2-overwrite/"], "--region", "us-east-1", "--no-cache",
                             "--endpoint-url", self.mock.url)
        self.assertTrue(got["source"]["files"])
        _, err = self.report(["s3://cur2-overwrite/"], "--max-requests", "3", code=2)
        self.assertIn("apply to Cost Explorer", err)


if __name__ == "__main__":
    unittest.main()
