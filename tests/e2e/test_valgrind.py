"""The sample run under valgrind: no memory error and no definite leak.

valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    costrank report --accounts samples/accounts.json --format table,json,csv --out DIR samples/cur2

then every writer on hostile names, and refused inputs (error paths free
what they allocated too).  Runs on the normal build only: the sanitizer
build (COSTRANK_SANITIZED=1, or a binary with AddressSanitizer in it) has
its own checks and cannot run under valgrind.  Skipped when valgrind is not
installed (scripts/install-deps installs it).
"""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, SAMPLES, SOURCE_DIR, tempdir  # noqa: E402

VALGRIND = ["valgrind", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite",
            "--track-fds=no", "--num-callers=30"]
HOSTILE = os.path.join(SOURCE_DIR, "tests", "hostile")


def sanitized():
    if os.environ.get("COSTRANK_SANITIZED") == "1":
        return True
    try:
        with open(BIN, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


@unittest.skipIf(sanitized(), "the sanitizer build is checked by ASan+UBSan, not valgrind")
@unittest.skipIf(shutil.which("valgrind") is None, "valgrind is not installed (scripts/install-deps)")
class Valgrind(unittest.TestCase):
    def run_valgrind(self, args, want_code, cwd=SOURCE_DIR):
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        p = subprocess.run(VALGRIND + [BIN] + args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=900)
        err = p.stderr.decode("utf-8", "replace")
        self.assertNotEqual(p.returncode, 99, f"valgrind found errors:\n{err[-6000:]}")
        self.assertEqual(p.returncode, want_code, err[-3000:])
        self.assertIn("ERROR SUMMARY: 0 errors", err, err[-3000:])
        self.assertTrue("definitely lost: 0 bytes" in err or "no leaks are possible" in err,
                        f"definite leak:\n{err[-6000:]}")
        return err

    def test_sample_run(self):
        with tempdir() as d:
            self.run_valgrind(["report", "--accounts", os.path.join(SAMPLES, "accounts.json"),
                               "--format", "table,json,csv", "--out", d, os.path.join(SAMPLES, "cur2")], 0)
            self.assertTrue(os.path.exists(os.path.join(d, "costrank-2026-10.json")))

    def test_every_writer_on_hostile_names(self):
        with tempdir() as d:
            self.run_valgrind(["report", "--format", "table,json,csv,md,html,xlsx", "--out", d,
                               os.path.join(HOSTILE, "billing", "control-characters-in-names.csv"),
                               os.path.join(HOSTILE, "billing", "path-like-names.csv")], 0)

    def test_refused_inputs(self):
        cases = [
            (["billing", "unterminated-quote.csv"], []),
            (["billing", "mixed-currencies.csv"], []),
            (["rules", "wrong-types.json"], ["--rules"]),
            (["accounts", "duplicate-id.json"], ["--accounts"]),
        ]
        good = os.path.join(HOSTILE, "billing", "negative-amounts.csv")
        for (kind, name), opt in cases:
            with self.subTest(case=name), tempdir() as d:
                path = os.path.join(HOSTILE, kind, name)
                args = ["report", "--out", d] + (opt + [path, good] if opt else [path])
                self.run_valgrind(args, 3)


if __name__ == "__main__":
    unittest.main(verbosity=2)
