"""Hostile inputs: every case of tests/hostile/cases.json through the real binary.

Each case runs in an empty working directory with HOME, TMPDIR and the cache
directory inside it.  A refused input must give the documented exit code and
exactly one line "costrank: error: ..." naming the file (a rule file: one
line per problem, each naming the file, then one error line), no report and
no temporary file in --out, and nothing written anywhere else.  An accepted
input must give the expected total, exactly the report files asked for
(mode 0600) and valid UTF-8, and nothing elsewhere either.  Under the
sanitizer build the same runs fail on any sanitizer report.

Cost Explorer answers (kind "ce") are served from 127.0.0.1 to the live
source when the binary has one (`report --endpoint-url`), and S3 answers
(kind "s3") to the listing of an s3:// input.
"""
import hashlib
import http.server
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, SOURCE_DIR, tempdir  # noqa: E402

HOSTILE = os.path.join(SOURCE_DIR, "tests", "hostile")
sys.path.insert(0, HOSTILE)
import make_corpus  # noqa: E402

with open(os.path.join(HOSTILE, "cases.json"), encoding="utf-8") as f:
    CASES = json.load(f)["cases"]

ALL_FORMATS = "table,json,csv,md,html,xlsx"
# the files --format ALL_FORMATS writes for a period, rules on
ALL_SUFFIXES = [".json", ".csv", "-services.csv", "-proposals.csv", "-notes.csv", ".md", ".html", ".xlsx"]
SANITIZER_MARKS = ("runtime error", "Sanitizer", "sanitizer", "==ERROR")
# The base export for --rules and --accounts cases: total 2.
GOOD = make_corpus.HEADER + make_corpus.row(cost="2") + make_corpus.END
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYHOSTILESECRET"
ACCESS_KEY = "AKIAHOSTILEEXAMPLE12"
TIMEOUT = 600


def snapshot(root, skip=()):
    """Every path under root (but the skipped top-level names) with a digest
    of each file: what a run must leave as it found it."""
    seen = {}
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        if rel == ".":
            dirs[:] = [n for n in dirs if n not in skip]
            files = [n for n in files if n not in skip]
        for name in dirs:
            seen[os.path.normpath(os.path.join(rel, name))] = "dir"
        for name in files:
            p = os.path.join(d, name)
            key = os.path.normpath(os.path.join(rel, name))
            if os.path.islink(p):
                seen[key] = "link:" + os.readlink(p)
                continue
            with open(p, "rb") as fh:
                seen[key] = hashlib.sha256(fh.read()).hexdigest()
    return seen


def control_free(text):
    """The characters of text that a terminal would act on, but line ends."""
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or ord(c) == 0x7f or
            0x80 <= ord(c) < 0xa0]


class Work:
    """An empty working directory: in/ (the inputs), home/, tmp/, cache/."""

    def __init__(self, d):
        self.root = d
        for sub in ("in", "home", "tmp", "cache"):
            os.mkdir(os.path.join(d, sub))
        self.out = os.path.join(d, "out")

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k not in ("NO_COLOR", "HTTPS_PROXY", "https_proxy",
                                                         "HTTP_PROXY", "http_proxy", "ALL_PROXY")}
        env.update({
            "HOME": os.path.join(self.root, "home"),
            "TMPDIR": os.path.join(self.root, "tmp"),
            "XDG_CACHE_HOME": os.path.join(self.root, "cache"),
            "XDG_CONFIG_HOME": os.path.join(self.root, "home", ".config"),
            "AWS_CONFIG_FILE": os.path.join(self.root, "home", "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.root, "home", "no-aws-credentials"),
        })
        env.update(extra or {})
        return env

    def run(self, args, env=None):
        p = subprocess.run([BIN] + args, cwd=self.root, env=self.env(env), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr


class Hostile(unittest.TestCase):
    gen = None

    @classmethod
    def setUpClass(cls):
        cls.gen_dir = tempdir()
        make_corpus.generate(cls.gen_dir.name)

    @classmethod
    def tearDownClass(cls):
        cls.gen_dir.cleanup()

    def source(self, case):
        base = self.gen_dir.name if case.get("generated") else HOSTILE
        return os.path.join(base, case["file"])

    def check_stderr_clean(self, name, err):
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, err, f"{name}: sanitizer report:\n{err[-3000:]}")
        self.assertEqual(control_free(err), [], f"{name}: control characters on stderr: {err[-500:]!r}")

    def check_accepted(self, name, case, work, code, out, err, formats):
        self.assertEqual(code, 0, f"{name}: accepted input must succeed; stderr={err[-2000:]!r}")
        lines = [ln for ln in err.splitlines() if ln.strip()]
        self.assertFalse([ln for ln in lines if ln.startswith("costrank: error:")], name)
        for ln in lines:
            self.assertTrue(ln.startswith("costrank: "), f"{name}: stray stderr line {ln!r}")
        self.assertEqual(control_free(out), [], f"{name}: control characters on stdout")
        names = sorted(os.listdir(work.out))
        jsons = [n for n in names if n.endswith(".json")]
        self.assertEqual(len(jsons), 1, f"{name}: one JSON report, got {names}")
        with open(os.path.join(work.out, jsons[0]), "rb") as fh:
            raw = fh.read()
        report = json.loads(raw.decode("utf-8"))  # strict: valid UTF-8
        label = report["period"]["label"]
        suffixes = list(ALL_SUFFIXES if formats == ALL_FORMATS else [".json"])
        if formats == ALL_FORMATS:   # written only when they have rows
            suffixes += [s for s, key in (("-anomalies.csv", "anomalies"),
                                          ("-drivers.csv", "drivers")) if report.get(key)]
        want = sorted("costrank-" + label + s for s in suffixes)
        self.assertEqual(names, want, f"{name}: exactly the reports asked for")
        for n in names:
            mode = stat.S_IMODE(os.stat(os.path.join(work.out, n)).st_mode)
            self.assertEqual(mode, 0o600, f"{name}: {n} has mode {oct(mode)}")
        self.assertEqual(report["total"], case["accept"]["total"], f"{name}: total")

    def check_refused(self, name, case, work, code, out, err, shown):
        self.assertEqual(code, case["exit"], f"{name}: exit code; stderr={err[-2000:]!r}")
        lines = [ln for ln in err.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("costrank: error: ")]
        self.assertEqual(len(errors), 1, f"{name}: one error line, got {lines[-5:]!r}")
        if case["kind"] == "rules":
            problems = lines[:-1]
            self.assertEqual(lines[-1], errors[0], f"{name}: the error line comes last")
            if not problems:  # a single problem is the error line itself
                problems = [errors[0]]
            for ln in problems:
                self.assertTrue(ln.startswith("costrank: ") and shown in ln,
                                f"{name}: each problem names the file: {ln!r}")
            text = "\n".join(lines)
        else:
            self.assertEqual(len(lines), 1, f"{name}: exactly one line on stderr, got {lines!r}")
            self.assertIn(shown, errors[0], f"{name}: the message names {shown}")
            text = errors[0]
        for part in case["error"]:
            self.assertIn(part, text, f"{name}: message {text[:1000]!r}")
        self.assertEqual(out, "", f"{name}: nothing on stdout")
        left = os.listdir(work.out) if os.path.isdir(work.out) else []
        self.assertEqual(left, [], f"{name}: no report or temporary file left in --out")

    def run_file_case(self, case):
        name = case["file"]
        with tempdir() as d:
            work = Work(d)
            base = os.path.basename(name)
            shutil.copyfile(self.source(case), os.path.join(d, "in", base))
            with open(os.path.join(d, "in", "good.csv"), "w", newline="") as fh:
                fh.write(GOOD)
            rel = os.path.join("in", base)
            formats = ALL_FORMATS
            args = ["report", "--out", "out"]
            if case["kind"] == "manifest":
                # the period manifest of a legacy CUR export folder with one part
                period = os.path.join(d, "in", "cur", "r", "20261001-20261101")
                os.makedirs(period)
                os.replace(os.path.join(d, rel), os.path.join(period, "r-Manifest.json"))
                os.replace(os.path.join(d, "in", "good.csv"), os.path.join(period, "r-1.csv"))
                rel = os.path.join("in", "cur", "r", "20261001-20261101", "r-Manifest.json")
                args += ["--format", formats, "in"]
            elif case["kind"] == "billing":
                args += ["--format", formats, rel]
            else:
                formats = "json"
                opt = "--rules" if case["kind"] == "rules" else "--accounts"
                args += ["--format", formats, opt, rel, os.path.join("in", "good.csv")]
            before = snapshot(d, skip=("out",))
            code, out, err = work.run(args)
            out = out.decode("utf-8", "strict")
            err = err.decode("utf-8", "replace")
            self.check_stderr_clean(name, err)
            if "accept" in case:
                self.check_accepted(name, case, work, code, out, err, formats)
            else:
                self.check_refused(name, case, work, code, out, err, rel)
            self.assertEqual(snapshot(d, skip=("out",)), before,
                             f"{name}: nothing may be written outside --out")

    def test_billing_exports(self):
        for case in CASES:
            if case["kind"] == "billing":
                with self.subTest(case=case["file"]):
                    self.run_file_case(case)

    def test_manifests(self):
        for case in CASES:
            if case["kind"] == "manifest":
                with self.subTest(case=case["file"]):
                    self.run_file_case(case)

    def test_rule_files(self):
        for case in CASES:
            if case["kind"] == "rules":
                with self.subTest(case=case["file"]):
                    self.run_file_case(case)

    def test_accounts_files(self):
        for case in CASES:
            if case["kind"] == "accounts":
                with self.subTest(case=case["file"]):
                    self.run_file_case(case)

    def test_corpus_size(self):
        """At least 40 cases across every kind of input, each file present."""
        self.assertGreaterEqual(len(CASES), 40)
        self.assertEqual({c["kind"] for c in CASES},
                         {"billing", "rules", "accounts", "ce", "manifest", "s3"})
        for case in CASES:
            self.assertTrue(("accept" in case) != ("error" in case), case["file"])
            if not case.get("generated"):
                self.assertTrue(os.path.isfile(self.source(case)), case["file"])
            else:
                self.assertTrue(os.path.isfile(self.source(case)),
                                f"{case['file']}: make_corpus.py writes it")


class DataCannotChooseFiles(unittest.TestCase):
    """Whatever the data says, files go to --out only, named by the period."""

    NASTY = ["../../etc/passwd", "/tmp/costrank-hostile-x", "..\\..\\windows\\win.ini", "out/../../escape",
             "~/.ssh/authorized_keys", "$(touch pwned)", "`touch pwned`", "%2e%2e%2fpwned",
             "name\x1b]0;title\x07", "tab\there", "con", "costrank-2026-10.json"]

    def export(self):
        rows = []
        for i, n in enumerate(self.NASTY):
            q = '"' + n.replace('"', '""') + '"'
            rows.append(f'id{i},{q},{q},Usage,2026-10-{i % 28 + 1:02d}T00:00:00Z,{q},{q},1,USD,{i + 1},{q},'
                        f'"{{""product_name"":""{n.replace(chr(34), "")}""}}"\n')
        rows.append(make_corpus.row(cost="1", date="2026-10-01T00:00:00Z"))
        rows.append(make_corpus.END)
        return make_corpus.HEADER + "".join(rows)

    def test_names_from_the_data_choose_no_file(self):
        victim_outside = "/tmp/costrank-hostile-x"
        self.assertFalse(os.path.exists(victim_outside), "left over from an earlier run?")
        with tempdir() as d:
            work = Work(d)
            with open(os.path.join(d, "in", "export.csv"), "w", newline="") as fh:
                fh.write(self.export())
            with open(os.path.join(d, "in", "accounts.json"), "w") as fh:
                json.dump({"accounts": [{"id": n, "name": n, "owner": n} for n in self.NASTY[:4]]}, fh)
            # a symbolic link where a report goes: replaced, never followed
            victim = os.path.join(d, "victim")
            with open(victim, "w") as fh:
                fh.write("untouched\n")
            os.mkdir(work.out)
            os.symlink(victim, os.path.join(work.out, "costrank-2026-10.json"))
            before = snapshot(d, skip=("out",))
            code, out, err = work.run(["report", "--out", "out", "--format", ALL_FORMATS,
                                       "--accounts", "in/accounts.json", "in/export.csv"])
            err = err.decode("utf-8", "replace")
            self.assertEqual(code, 0, err)
            for mark in SANITIZER_MARKS:
                self.assertNotIn(mark, err)
            self.assertEqual(sorted(os.listdir(work.out)),
                             sorted("costrank-2026-10" + s for s in ALL_SUFFIXES))
            self.assertFalse(os.path.islink(os.path.join(work.out, "costrank-2026-10.json")))
            with open(victim) as fh:
                self.assertEqual(fh.read(), "untouched\n")
            self.assertEqual(snapshot(d, skip=("out",)), before, "nothing written outside --out")
            self.assertFalse(os.path.exists(victim_outside))
            self.assertFalse(os.path.exists(os.path.join(d, "pwned")))
            self.assertEqual(control_free(out.decode("utf-8")), [], "no control characters on stdout")
            with open(os.path.join(work.out, "costrank-2026-10.json"), encoding="utf-8") as fh:
                report = json.load(fh)
            self.assertEqual(report["period"]["label"], "2026-10")
            ids = {a["id"] for a in report["accounts"]}
            self.assertIn("../../etc/passwd", ids, "names are data, kept as they are")


# ---- Cost Explorer answers ----------------------------------------------------------

class _Answer(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b""
    requests = 0

    def do_POST(self):  # noqa: N802 (the http.server API)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).requests += 1
        self.send_response(type(self).status)
        ctype = "text/html" if type(self).body.lstrip().startswith(b"<") else "application/x-amz-json-1.1"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(type(self).body)))
        self.end_headers()
        self.wfile.write(type(self).body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


def live_source_available():
    try:
        p = subprocess.run([BIN, "report", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=60)
    except OSError:
        return False
    return b"--endpoint-url" in p.stdout


class _ServedAnswers(unittest.TestCase):
    """Hostile answers served from 127.0.0.1 (_Answer): one error naming the
    place, the documented exit code, no report, no secret in the message."""

    @classmethod
    def setUpClass(cls):
        if not live_source_available():
            raise unittest.SkipTest("this binary has no Cost Explorer source yet (report --endpoint-url)")
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.endpoint = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def run_answers(self, kind, args, env, place):
        for case in CASES:
            if case["kind"] != kind:
                continue
            with self.subTest(case=case["file"]), tempdir() as d:
                name = case["file"]
                work = Work(d)
                with open(os.path.join(HOSTILE, name), "rb") as fh:
                    _Answer.body = fh.read()
                _Answer.status = case["status"]
                _Answer.requests = 0
                before = snapshot(d, skip=("out", "cache"))
                code, out, err = work.run(args, env=dict(env, AWS_ACCESS_KEY_ID=ACCESS_KEY,
                                                         AWS_SECRET_ACCESS_KEY=SECRET))
                err = err.decode("utf-8", "replace")
                for mark in SANITIZER_MARKS:
                    self.assertNotIn(mark, err, f"{name}: sanitizer report:\n{err[-3000:]}")
                self.assertEqual(control_free(err), [], f"{name}: control characters on stderr")
                self.assertGreater(_Answer.requests, 0, f"{name}: the endpoint was asked")
                self.assertEqual(code, case["exit"], f"{name}: exit code; stderr={err[-2000:]!r}")
                lines = [ln for ln in err.splitlines() if ln.strip()]
                errors = [ln for ln in lines if ln.startswith("costrank: error: ")]
                self.assertEqual(len(errors), 1, f"{name}: one error line, got {lines[-5:]!r}")
                self.assertIn(place, errors[0], f"{name}: the message names the place")
                for part in case["error"]:
                    self.assertIn(part, errors[0], f"{name}: message {errors[0]!r}")
                for i in range(len(SECRET) - 11):
                    self.assertNotIn(SECRET[i:i + 12], err, f"{name}: part of the secret key shown")
                self.assertNotIn(ACCESS_KEY, err, f"{name}: the access key shown")
                left = os.listdir(work.out) if os.path.isdir(work.out) else []
                self.assertEqual(left, [], f"{name}: no report left")
                self.assertEqual(snapshot(d, skip=("out", "cache")), before,
                                 f"{name}: nothing written outside --out and the cache")


class CostExplorerAnswers(_ServedAnswers):
    def test_answers(self):
        self.run_answers("ce", ["report", "--source", "ce", "--endpoint-url", self.endpoint,
                                "--cache-dir", "cache", "--month", "2026-10", "--format", "json",
                                "--out", "out"],
                         {"AWS_REGION": "us-east-1", "COSTRANK_NOW": "2026-11-05"}, "127.0.0.1")


class S3Answers(_ServedAnswers):
    """Hostile S3 answers to the listing of an s3:// input (kind "s3")."""

    def test_answers(self):
        self.run_answers("s3", ["report", "--endpoint-url", self.endpoint, "--cache-dir", "cache",
                                "--format", "json", "--out", "out", "s3://bucket/cur/"],
                         {"AWS_REGION": "us-east-1"}, "s3://bucket/cur/")


if __name__ == "__main__":
    unittest.main(verbosity=2)
