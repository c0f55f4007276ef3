"""Parts of an export joined with cat (`cat part*.csv.gz > month.csv.gz`) read as the parts
do: a header row that repeats the file's header is skipped, and one that differs is named
as a second header row with its line, not reported as an amount that is not a number."""
import glob
import gzip
import json
import os
import unittest

from common import SAMPLES, run, tempdir

CUR2_OCT = os.path.join(SAMPLES, "cur2", "data", "BILLING_PERIOD=2026-10")
CUR2_SEP = os.path.join(SAMPLES, "cur2", "data", "BILLING_PERIOD=2026-09")


def report(args, d, name):
    out = os.path.join(d, name)
    code, _, err = run(["report", "--no-rules", "--format", "json", "--out", out] + args)
    if code != 0:
        return code, err, None
    with open(os.path.join(out, "costrank-2026-10.json")) as f:
        rep = json.load(f)
    return code, err, rep


def join(paths, dest):
    """cat paths > dest"""
    with open(dest, "wb") as out:
        for p in paths:
            with open(p, "rb") as f:
                out.write(f.read())
    return dest


def figures(rep):
    """What the report says, less where it was read from."""
    rep = dict(rep)
    for key in ("files", "source", "generated_at", "warnings"):
        rep.pop(key, None)
    return rep


class ConcatenatedTest(unittest.TestCase):

    def test_gzip_parts_joined_with_cat(self):
        parts = sorted(glob.glob(os.path.join(CUR2_OCT, "*.csv.gz")))
        self.assertGreater(len(parts), 1)
        with tempdir() as d:
            joined = join(parts, os.path.join(d, "month.csv.gz"))
            code, err, want = report([CUR2_OCT], d, "parts")
            self.assertEqual(code, 0, err)
            code, err, got = report([joined], d, "joined")
            self.assertEqual(code, 0, err)
        self.assertEqual(figures(got), figures(want))

    def test_plain_parts_read_in_two_halves(self):
        # the second half of a big plain file is read on its own thread: a repeated
        # header there is skipped too (COSTRANK_SPLIT_MIN makes any file big)
        lines = []
        for p in sorted(glob.glob(os.path.join(CUR2_OCT, "*.csv.gz"))):
            with gzip.open(p, "rt", encoding="utf-8", newline="") as f:
                lines.append(f.read())
        with tempdir() as d:
            joined = os.path.join(d, "month.csv")
            with open(joined, "w", encoding="utf-8", newline="") as f:
                f.write("".join(lines))
            code, err, want = report([CUR2_OCT], d, "parts")
            self.assertEqual(code, 0, err)
            for split in ("1", "999999999999"):
                out = os.path.join(d, "split" + split)
                code, _, err = run(["report", "--no-rules", "--format", "json", "--out", out,
                                    joined], env={"COSTRANK_SPLIT_MIN": split})
                self.assertEqual(code, 0, err)
                with open(os.path.join(out, "costrank-2026-10.json")) as f:
                    self.assertEqual(figures(json.load(f)), figures(want), split)

    def test_focus_and_legacy_months_joined(self):
        for fmt, files in (("focus", sorted(glob.glob(os.path.join(SAMPLES, "focus", "*.csv")))),
                           ("legacy", sorted(glob.glob(os.path.join(SAMPLES, "legacy-cur", "*",
                                                                    "*.csv"))))):
            with tempdir() as d:
                joined = join(files, os.path.join(d, "both.csv"))
                code, err, want = report(files, d, "apart")
                self.assertEqual(code, 0, fmt + ": " + err)
                code, err, got = report([joined], d, "joined")
                self.assertEqual(code, 0, fmt + ": " + err)
                self.assertEqual(figures(got), figures(want), fmt)

    def test_a_different_second_header_is_named(self):
        with gzip.open(sorted(glob.glob(os.path.join(CUR2_OCT, "*.csv.gz")))[0], "rt",
                       encoding="utf-8", newline="") as f:
            first = f.read()
        with gzip.open(sorted(glob.glob(os.path.join(CUR2_SEP, "*.csv.gz")))[0], "rt",
                       encoding="utf-8", newline="") as f:
            second = f.read()
        header, rest = second.split("\n", 1)
        line = first.count("\n") + 1
        cases = {
            "renamed": header.replace("line_item_usage_account_id", "usage_account", 1),
            "extra column": header + ",extra",
        }
        with tempdir() as d:
            for what, h in cases.items():
                path = os.path.join(d, "joined.csv")
                body = rest if what != "extra column" else \
                    "".join(r + ",\n" for r in rest.splitlines())
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(first + h + "\n" + body)
                out = os.path.join(d, "out")
                code, _, err = run(["report", "--no-rules", "--format", "json", "--out", out,
                                    path])
                self.assertEqual(code, 3, what + ": " + err)
                self.assertIn("%s:%d: a second header row, different from the one on line 1"
                              % (path, line), err)
                self.assertNotIn("not a number", err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertFalse(os.path.exists(out) and os.listdir(out))


if __name__ == "__main__":
    unittest.main()
