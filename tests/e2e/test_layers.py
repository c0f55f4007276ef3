"""The pipeline's layers, checked over the #include lines.

Sources end at the ledger: no file in src/sources reaches the ranker
(rank.h) or the report model (report.h), directly or through another
header, so a source cannot build a report mid-pull.  The ledger itself
stays below the report model too.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import SOURCE_DIR  # noqa: E402

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
FORBIDDEN = ("costrank/rank.h", "costrank/report.h")
ROOTS = (os.path.join(SOURCE_DIR, "include"), os.path.join(SOURCE_DIR, "src"))


def resolve(name, here):
    for d in (here,) + ROOTS:
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return os.path.normpath(p)
    return None


def reached(path):
    """Every project header path reaches, with the chain that reaches it."""
    seen = {}
    todo = [(path, ())]
    while todo:
        p, chain = todo.pop()
        with open(p, encoding="utf-8") as f:
            text = f.read()
        for name in INCLUDE.findall(text):
            h = resolve(name, os.path.dirname(p))
            if h is None or h in seen:
                continue
            key = os.path.relpath(h, ROOTS[0]) if h.startswith(ROOTS[0]) else h
            seen[h] = (key, chain + (name,))
            todo.append((h, chain + (name,)))
    return seen.values()


def files(folder):
    d = os.path.join(SOURCE_DIR, folder)
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith((".c", ".h")))


class Layers(unittest.TestCase):
    def assert_below_report(self, paths):
        self.assertTrue(paths)
        for path in paths:
            for key, chain in reached(path):
                self.assertNotIn(key, FORBIDDEN, "%s reaches %s through %s"
                                 % (os.path.relpath(path, SOURCE_DIR), key, " -> ".join(chain)))

    def test_sources_end_at_the_ledger(self):
        self.assert_below_report(files("src/sources"))

    def test_ledger_is_below_the_report(self):
        self.assert_below_report(files("src/ledger"))

    def test_the_check_sees_an_include(self):
        # the walk itself: the ranker does reach the report model
        keys = [k for k, _ in reached(os.path.join(SOURCE_DIR, "src", "rank", "rank.c"))]
        self.assertIn("costrank/report.h", keys)


if __name__ == "__main__":
    unittest.main()
