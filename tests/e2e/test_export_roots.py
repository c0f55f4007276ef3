"""Exports laid out as AWS delivers them (tests/tools/make_export_fixtures.py):
each billing period is counted once, from its current delivery; a missing
part stops the run (or, with --allow-partial, is a warning in every format);
the same file given twice is read once."""
import csv
import json
import os
import subprocess
import sys
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from common import SOURCE_DIR, run, tempdir  # noqa: E402

GENERATOR = os.path.join(SOURCE_DIR, "tests", "tools", "make_export_fixtures.py")
REPORT = "costrank-2026-10.json"
ALL_FORMATS = "table,json,csv,xlsx,md,html"


def xlsx_text(path):
    """Every string of a workbook."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


class ExportRoots(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempdir()
        cls.dir = cls.tmp.name
        subprocess.run([sys.executable, GENERATOR, cls.dir], check=True)
        with open(os.path.join(cls.dir, "index.json")) as f:
            cls.index = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def report(self, inputs, *opts, code=0):
        """Runs a JSON report; returns (document, stderr)."""
        with tempdir() as out:
            c, _, err = run(["report", "--format", "json", "--out", out] + list(opts) + list(inputs))
            self.assertEqual(c, code, err)
            if code:
                self.assertEqual(os.listdir(out), [])
                return None, err
            with open(os.path.join(out, REPORT)) as f:
                return json.load(f), err

    def same_as_current(self, layout, root=None, warned=False):
        lay = self.index[layout]
        got, err = self.report([root or lay["root"]])
        want, _ = self.report(lay["current"])
        self.assertEqual(sorted(got["source"]["files"]), sorted(lay["current"]))
        warnings = got["warnings"]
        if warned:
            self.assertTrue(warnings, layout)
            got["warnings"] = want["warnings"]
        for doc in (got, want):
            doc.pop("source")
        self.assertEqual(got, want, layout)
        return warnings, err

    def test_every_layout_gives_the_current_delivery_alone(self):
        for layout in ("legacy-versions", "legacy-overwrite", "legacy-zip", "cur2-new-files",
                       "cur2-overwrite",
                       "focus-new-files", "focus-overwrite"):
            with self.subTest(layout=layout):
                _, err = self.same_as_current(layout)
                self.assertNotIn("warning", err)

    def test_versions_given_as_files_are_never_summed(self):
        """Every version's files given by hand: refused as overlapping, and an
        older version alone is a different (smaller) report."""
        lay = self.index["legacy-versions"]
        everything = []
        for d, _, names in os.walk(lay["root"]):
            everything += [os.path.join(d, n) for n in names if n.endswith(".csv.gz")]
        self.assertGreater(len(everything), len(lay["current"]))
        _, err = self.report(sorted(everything), code=3)
        self.assertIn("hold the same line items", err)
        older = [f.replace("assembly-3", "assembly-2") for f in lay["current"]
                 if "assembly-3/larkspur-1" in f]
        old, _ = self.report(older, "--month", "2026-10")
        current, _ = self.report(lay["current"], "--month", "2026-10")
        self.assertLess(float(old["total"]), float(current["total"]))

    def test_without_manifest_the_latest_delivery_with_a_warning(self):
        warnings, err = self.same_as_current("cur2-no-manifest", warned=True)
        self.assertIn("no manifest", err)
        self.assertIn("2026-10-16T06:12:00.000Z-exec-a/", err)
        self.assertTrue(any("exec-a" in w and "left out" in w for w in warnings), warnings)

    def test_a_folder_below_the_root_stands_for_its_period(self):
        lay = self.index["cur2-new-files"]
        old = os.path.dirname([f for f in lay["older"] if "BILLING_PERIOD=2026-10" in f][0])
        got, _ = self.report([old], "--month", "2026-10")
        want, _ = self.report([f for f in lay["current"] if "BILLING_PERIOD=2026-10" in f],
                              "--month", "2026-10")
        self.assertEqual(got["total"], want["total"])
        self.assertEqual(got["accounts"], want["accounts"])

    def test_missing_part_is_an_error_naming_it(self):
        lay = self.index["legacy-missing"]
        _, err = self.report([lay["root"]], code=3)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        self.assertEqual(len(lines), 1, err)
        self.assertIn(lay["missing"][0] + ": part named by ", err)
        self.assertIn("larkspur-Manifest.json is absent", err)

    def test_missing_part_with_allow_partial_warns_in_every_format(self):
        lay = self.index["legacy-missing"]
        with tempdir() as out:
            # a width that holds every note on one line, paths whole
            code, so, err = run(["report", "--allow-partial", "--month", "2026-10",
                                 "--format", ALL_FORMATS,
                                 "--out", out, lay["root"]], env={"COLUMNS": "1000"})
            self.assertEqual(code, 0, err)
            name = os.path.basename(lay["missing"][0])
            self.assertIn(name, err)
            self.assertIn(name, so)
            with open(os.path.join(out, REPORT)) as f:
                doc = json.load(f)
            self.assertTrue(doc["source"]["partial"])
            self.assertTrue(any(name in w for w in doc["warnings"]), doc["warnings"])
            for fmt in ("md", "html"):
                with open(os.path.join(out, "costrank-2026-10." + fmt)) as f:
                    self.assertIn(name, f.read(), fmt)
            self.assertIn(name, xlsx_text(os.path.join(out, "costrank-2026-10.xlsx")))
        # at 80 columns the note's long paths go on over the next lines, never cut
        code, so, err = run(["report", "--allow-partial", "--month", "2026-10", "--format",
                             "table", lay["root"]], env={"COLUMNS": "80"})
        self.assertEqual(code, 0, err)
        self.assertTrue(all(len(l) <= 80 for l in so.splitlines()))
        self.assertIn(lay["missing"][0].split("/cur/", 1)[1], so.replace("\n      ", ""))

    def test_the_same_file_given_twice_is_read_once(self):
        lay = self.index["cur2-overwrite"]
        part = [f for f in lay["current"] if "BILLING_PERIOD=2026-10" in f][0]
        folder = os.path.dirname(part)
        folder_parts = sorted(f for f in lay["current"] if os.path.dirname(f) == folder)
        with tempdir() as d:
            link, hard = os.path.join(d, "link.csv.gz"), os.path.join(d, "hard.csv.gz")
            os.symlink(part, link)
            cases = [([part, part], [part]), ([folder, part], folder_parts), ([part, link], [part])]
            try:
                os.link(part, hard)
                cases.append(([hard, part], [hard]))
            except OSError:
                pass   # another file system: no hard link to test
            for inputs, once in cases:
                with self.subTest(inputs=inputs):
                    got, err = self.report(inputs, "--month", "2026-10")
                    want, _ = self.report(once, "--month", "2026-10")
                    self.assertEqual(got["source"]["files"], want["source"]["files"])
                    for doc in (got, want):
                        doc.pop("source")
                    self.assertEqual(got, want)
                    self.assertIn("given more than once, read once", err)

    def test_overlapping_exports_are_an_error_naming_both(self):
        """The same spend from two exports: a CUR 2.0 export in both modes, and
        two versions of a legacy report given as files."""
        a, b = self.index["cur2-overwrite"], self.index["cur2-new-files"]
        _, err = self.report([a["root"], b["root"]], code=3)
        self.assertIn("hold the same line items", err)
        self.assertIn(a["root"], err)
        self.assertIn(b["root"], err)
        lay = self.index["legacy-versions"]
        old = [f for f in self.index["legacy-versions"]["current"] if "2026-10" in f][0]
        older = old.replace("assembly-3", "assembly-2")
        _, err = self.report([older, old], code=3)
        self.assertIn(older + " and " + old + " hold the same line items", err)
        self.assertTrue(lay["current"])

    def test_choosing_costs_one_listing_and_one_read_per_manifest(self):
        """The counters the benchmarks record: one listing pass per folder
        walked, one read per period manifest followed, none of the versions'."""
        lay = self.index["legacy-versions"]
        with tempdir() as out:
            code, _, err = run(["report", "--format", "json", "--out", out, lay["root"]],
                               env={"COSTRANK_EXPORT_STATS": "1"})
            self.assertEqual(code, 0, err)
        objects = sum(len(n) for _, _, n in os.walk(lay["root"]))
        self.assertIn(f"export selection: 1 listing, {objects} objects listed, 2 manifests read",
                      err)

    def check_every_format(self, args, words):
        """Runs a report in every format; each says all of words."""
        with tempdir() as out:
            code, so, err = run(["report", "--format", ALL_FORMATS, "--out", out] + args,
                                env={"COLUMNS": "1000"})
            self.assertEqual(code, 0, err)
            names = [n for n in os.listdir(out) if n.endswith(".json")]
            with open(os.path.join(out, names[0])) as f:
                doc = json.load(f)
            stem = names[0][:-5]
            texts = {"table": so, "json": "\n".join(doc["warnings"]),
                     "xlsx": xlsx_text(os.path.join(out, stem + ".xlsx"))}
            for fmt in ("md", "html"):
                with open(os.path.join(out, stem + "." + fmt)) as f:
                    texts[fmt] = f.read()
            with open(os.path.join(out, stem + "-notes.csv"), newline="") as f:
                texts["csv"] = "\n".join(row[2] for row in list(csv.reader(f))[1:])
            for fmt, text in texts.items():
                for w in words:
                    self.assertTrue(w in text, f"{fmt} lacks {w!r}")
            return doc

    def test_month_covered_in_part_warns_in_every_format(self):
        lay = self.index["cur2-open-month"]
        doc = self.check_every_format(["--month", "2026-10", lay["root"]],
                                      ["2026-10 is covered in part", "through 2026-10-15",
                                       "not comparable"])
        self.assertIsNone(doc["previous_total"])   # no change against September is shown
        # the same month complete: no warning, and the change is there
        whole, _ = self.report([self.index["cur2-overwrite"]["root"]], "--month", "2026-10")
        self.assertEqual(whole["warnings"], [])
        self.assertIsNotNone(whole["previous_total"])

    def test_range_past_the_data_warns(self):
        lay = self.index["cur2-overwrite"]
        doc = self.check_every_format(["--from", "2026-10-20", "--to", "2026-11-05", lay["root"]],
                                      ["covered in part", "through 2026-10-31",
                                       "the period ends 2026-11-05"])
        self.assertIsNone(doc["previous_total"])

    def test_manifest_period_the_rows_do_not_fill_warns(self):
        lay = self.index["cur2-open-month"]
        self.check_every_format(["--from", "2026-10-01", "--to", "2026-10-10", lay["root"]],
                                ["the manifest declares the billing period 2026-10-01 through "
                                 "2026-10-31 but its rows end on 2026-10-15"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
