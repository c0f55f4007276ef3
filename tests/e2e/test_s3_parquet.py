"""Parquet exports read from S3 (the stand-in of tests/tools/mock_s3.py, every signature
checked with botocore): each object ending .parquet is read by ranged GETs (the footer,
then the column chunks the report needs), and the report equals the one read from the
same files on disk, but for the source block."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
sys.path.insert(0, os.path.dirname(__file__))

from common import SAMPLES, run, tempdir  # noqa: E402
from mock_s3 import MockS3, load_dir  # noqa: E402

AKID, SECRET = "AKIDPARQUET", "parquet-secret-never-printed"
ROOT = os.path.join(SAMPLES, "parquet")


class S3Parquet(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = MockS3({"pq": load_dir(ROOT)}, {AKID: {"secret": SECRET}}, page_size=3).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def tearDown(self):
        self.assertEqual(self.mock.sig_failures, [])

    def report(self, inputs, env=None):
        with tempdir() as home, tempdir() as out:
            full = {"AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
                    "AWS_ENDPOINT_URL_S3": self.mock.url, "HOME": home,
                    "AWS_CONFIG_FILE": "/nonexistent",
                    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
            opts = ["--no-cache"] if inputs[0].startswith("s3://") else []
            code, _, err = run(["report", "--format", "json", "--out", out] + opts + inputs,
                               env=full)
            self.assertEqual(code, 0, err)
            self.assertNotIn(SECRET, err)
            (name,) = os.listdir(out)
            with open(os.path.join(out, name)) as f:
                return json.load(f), err

    def test_same_report_as_from_disk(self):
        for fmt in sorted(os.listdir(ROOT)):
            with self.subTest(format=fmt):
                got, err = self.report(["s3://pq/%s/" % fmt])
                want, _ = self.report([os.path.join(ROOT, fmt)])
                self.assertTrue(got["source"]["s3"]["requests"] > 0, got["source"])
                for doc in (got, want):
                    doc.pop("source")
                self.assertEqual(got, want)
                self.assertIn("S3:", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
