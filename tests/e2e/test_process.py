"""The process around the reports: standard descriptors, signals, pipes,
concurrent runs, the report set committed whole, standard output as a
target, and bounds on what the environment and options may ask for."""
import os
import resource
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")


def env_for_run(extra=None):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update(extra or {})
    return env


def limit_output():
    # a runaway writer is stopped (SIGXFSZ) instead of filling the disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 << 20, 16 << 20))


class Bounds(unittest.TestCase):
    def test_huge_columns_is_capped(self):
        with tempdir() as d:
            out = os.path.join(d, "table.txt")
            with open(out, "wb") as f:
                p = subprocess.run([BIN, "report", "-f", "table", CUR2], stdout=f,
                                   stderr=subprocess.PIPE, timeout=60,
                                   env=env_for_run({"COLUMNS": "2147483647"}),
                                   preexec_fn=limit_output)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out, encoding="utf-8") as f:
                lines = f.read().splitlines()
            self.assertTrue(lines)
            # capped at 1000 columns (the layout within them is the table's own test)
            self.assertLessEqual(max(len(line) for line in lines), 1100)

    def test_columns_garbage_is_ignored(self):
        for cols in ("99999999999999999999", "-5", "120x", ""):
            code, out, err = run(["report", "-f", "table", CUR2], env={"COLUMNS": cols})
            self.assertEqual(code, 0, err)
            self.assertLessEqual(max(len(line) for line in out.splitlines()), 1100, cols)


if __name__ == "__main__":
    unittest.main()
