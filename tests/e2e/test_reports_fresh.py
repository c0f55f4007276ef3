"""reports/ holds what the Quick start writes from the samples: fail when stale.
Regenerate with: scripts/bootstrap (or the command in COMMAND below)."""
import filecmp
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import SOURCE_DIR, run, tempdir  # noqa: E402

COMMAND = ["report", "--accounts", "samples/accounts.json", "--format", "json,csv",
           "samples/cur2"]


class Fresh(unittest.TestCase):
    def test_reports_match_the_samples(self):
        with tempdir() as d:
            code, _, err = run(COMMAND + ["--out", d])
            self.assertEqual(code, 0, err)
            made = sorted(os.listdir(d))
            committed = sorted(n for n in os.listdir(os.path.join(SOURCE_DIR, "reports"))
                               if n.startswith("costrank-"))
            self.assertEqual(made, [n for n in committed if not n.endswith(".txt")])
            for name in made:
                self.assertTrue(filecmp.cmp(os.path.join(d, name),
                                            os.path.join(SOURCE_DIR, "reports", name),
                                            shallow=False),
                                f"reports/{name} is stale: run scripts/bootstrap")

    def test_samples_are_what_the_generator_makes(self):
        with tempdir() as d:
            subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "samples", "generate.py"),
                            "--out", d], check=True, stdout=subprocess.DEVNULL)
            for root, _, names in os.walk(d):
                for n in names:
                    made = os.path.join(root, n)
                    rel = os.path.relpath(made, d)
                    committed = os.path.join(SOURCE_DIR, "samples", rel)
                    self.assertTrue(os.path.exists(committed), f"samples/{rel} not committed")
                    self.assertTrue(filecmp.cmp(made, committed, shallow=False),
                                    f"samples/{rel} differs from samples/generate.py output")


if __name__ == "__main__":
    unittest.main(verbosity=2)
