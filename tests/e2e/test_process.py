"""The process around the reports: standard descriptors, signals, pipes,
concurrent runs, the report set committed whole, standard output as a
target, and bounds on what the environment and options may ask for."""
import json
import os
import resource
import signal
import subprocess
import sys
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")
HEADER = ("identity_line_item_id,line_item_usage_account_id,line_item_usage_account_name,"
          "line_item_line_item_type,line_item_usage_start_date,line_item_product_code,"
          "line_item_usage_type,line_item_usage_amount,line_item_currency_code,"
          "line_item_unblended_cost,pricing_unit,product\n")


def row(cost="1.25", date="2026-10-03T00:00:00Z", acct="012345678901", svc="AmazonEC2",
        ut="BoxUsage:m5.large"):
    return (f'id1,{acct},prod,Usage,{date},{svc},{ut},1,USD,{cost},Hrs,'
            f'"{{""product_name"":""{svc}""}}"\n')


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

    def test_fx_rate_out_of_range_is_a_usage_error(self):
        with tempdir() as d:
            code, _, err = run(["report", "--fx", "JPY=1e18", "-f", "json", "-o", d, CUR2])
            self.assertEqual(code, 2, err)
            self.assertIn("--fx 'JPY=1e18'", err)
            self.assertEqual(os.listdir(d), [])
            # a rate within bounds that still puts one amount of this report out of range
            big = os.path.join(d, "big.csv")
            with open(big, "w") as f:
                f.write(HEADER + row("123456789012.5") + row("1", "2026-10-31T00:00:00Z"))
            out = os.path.join(d, "out")
            code, _, err = run(["report", "--fx", "IRR=1e9", "-f", "json,csv", "-o", out, big])
            self.assertEqual(code, 2, err)
            self.assertRegex(err, r"(?m)^costrank: error: --fx: at 1000000000(\.0+)? IRR per unit, "
                             r"the report's largest amount \(USD [0-9,]+\.\d\d\) is out "
                             r"of the range")
            self.assertFalse(os.path.exists(out))
            code, _, err = run(["report", "--fx", "IRR=1e6", "-f", "json", "-o", out, big])
            self.assertEqual(code, 0, err)


def many_accounts(path, accounts=4000):
    """A month of 3 services for each of `accounts` accounts: a few seconds of writing."""
    with open(path, "w") as f:
        f.write(HEADER)
        for a in range(accounts):
            for svc in ("AmazonEC2", "AmazonS3", "AWSLambda"):
                f.write(row(f"{a % 997}.25", acct=f"{100000000000 + a:012d}", svc=svc,
                            ut=f"Use:{svc}"))


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def temporaries(d):
    return [n for n in os.listdir(d) if ".tmp." in n] if os.path.isdir(d) else []


class Descriptors(unittest.TestCase):
    def test_closed_stdout(self):
        with tempdir() as d:
            p = subprocess.run([BIN, "report", "-f", "table,json", "-o", d, CUR2],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=lambda: os.close(1), env=env_for_run())
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn(b"standard output: it is closed", p.stderr)
            self.assertEqual(os.listdir(d), [], "no report when the table cannot be written")
            # without the table, a closed stdout is no obstacle, and the JSON is whole
            p = subprocess.run([BIN, "report", "-f", "json", "-o", d, CUR2],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=lambda: os.close(1), env=env_for_run())
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                self.assertEqual(json.load(f)["schema"], "costrank.report/v1")
            for args in (["--version"], ["report", "--help"], ["rules", "list"],
                         ["report", "-f", "json", "-o", "-", CUR2]):
                p = subprocess.run([BIN] + args, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
                self.assertEqual(p.returncode, 4, args)

    def test_closed_stderr_and_stdin(self):
        with tempdir() as d:
            def close_0_2():
                os.close(0)
                os.close(2)
            p = subprocess.run([BIN, "report", "-f", "table,json,csv", "-o", d, CUR2],
                               stdout=subprocess.PIPE, preexec_fn=close_0_2, env=env_for_run())
            self.assertEqual(p.returncode, 0)
            self.assertIn(b"Total", p.stdout)
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                json.load(f)
            with open(os.path.join(d, "costrank-2026-10.csv"), encoding="utf-8") as f:
                self.assertTrue(f.readline().startswith("period_start,"))
            # an error still has its exit code
            p = subprocess.run([BIN, "report", "-o", d, os.path.join(d, "nope.csv")],
                               stdout=subprocess.PIPE, preexec_fn=close_0_2)
            self.assertEqual(p.returncode, 3)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run a process as another user")
    def test_not_dumpable(self):
        """A process marked non-dumpable has its /proc/PID owned by root whoever runs it:
        costrank run as nobody, holding a secret in its environment, against cat."""
        def as_nobody():
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        procs = {}
        for name, argv in (("cat", ["cat"]), ("costrank", [BIN, "report", "-f", "json",
                                                            "-o", "-", "-"])):
            procs[name] = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                           stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, preexec_fn=as_nobody,
                                           cwd="/", env=env_for_run(
                                               {"AWS_SECRET_ACCESS_KEY": "fake/secret"}))
        try:
            time.sleep(0.5)   # past main()'s first lines: both wait for input
            owner = {n: os.stat(f"/proc/{p.pid}/environ").st_uid for n, p in procs.items()}
            self.assertIsNone(procs["costrank"].poll())
            self.assertEqual(owner, {"cat": 65534, "costrank": 0})
        finally:
            for p in procs.values():
                p.kill()
                p.communicate()


class Pipes(unittest.TestCase):
    def test_head_never_kills_a_run(self):
        """| head -1 twenty times: never 141, no temporary file, reports complete or
        absent."""
        seen = set()
        for i in range(20):
            with tempdir() as d:
                out = os.path.join(d, "out")
                script = (f'"{BIN}" report -f table,json,csv,xlsx -o "{out}" "{CUR2}" '
                          f'2>"{d}/err" | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}')
                p = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, check=True,
                                   env=env_for_run(), timeout=120)
                code = int(p.stdout)
                seen.add(code)
                self.assertIn(code, (0, 4), f"run {i}")
                self.assertEqual(temporaries(out), [], f"run {i}")
                names = sorted(os.listdir(out)) if os.path.isdir(out) else []
                if code == 4:
                    self.assertEqual(names, [], f"run {i}")
                    with open(f"{d}/err") as f:
                        self.assertIn("Broken pipe", f.read())
                    continue
                self.assertEqual(len(names), 10, names)   # -resources, -drivers, -anomalies.csv too
                with open(os.path.join(out, "costrank-2026-10.json")) as f:
                    json.load(f)
                with zipfile.ZipFile(os.path.join(out, "costrank-2026-10.xlsx")) as z:
                    self.assertIsNone(z.testzip())
        print(f"head -1 exit codes seen: {sorted(seen)}", file=sys.stderr)

    def test_out_dash(self):
        code, out, err = run(["report", "-f", "json", "-o", "-", CUR2])
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["schema"], "costrank.report/v1")
        self.assertNotIn("wrote", err)
        self.assertFalse(os.path.exists(os.path.join(SOURCE_DIR, "-")))
        code, out, err = run(["report", "-f", "csv", "-o", "-", "-q", CUR2])
        self.assertEqual(code, 0, err)
        self.assertEqual(err, "")
        self.assertTrue(out.startswith("period_start,period_end,currency,metric,account_rank"))
        self.assertNotIn("rule,", out.splitlines()[0], "the usage-types CSV alone")
        code, out, err = run(["report", "-f", "md", "-o", "-", CUR2])
        self.assertEqual(code, 0, err)
        self.assertTrue(out.startswith("#"))
        for fmt in ("table,json,csv", "json,csv", "xlsx", "html", "table,json", "json,md"):
            with self.subTest(fmt=fmt):
                code, out, err = run(["report", "-f", fmt, "-o", "-", CUR2])
                self.assertEqual(code, 2, err)
                self.assertEqual(out, "")
                self.assertRegex(err, r"^costrank: error: --out - writes (one report|JSON, CSV "
                                 r"or Markdown) to standard output.*json, csv or md")
        code, out, err = run(["report", "-o", "-", CUR2])   # the default formats: several
        self.assertEqual(code, 2, err)
        self.assertFalse(os.path.exists(os.path.join(SOURCE_DIR, "-")))

    def test_quiet_is_silent(self):
        with tempdir() as d:
            code, out, err = run(["report", "-q", "-o", d, CUR2])
            self.assertEqual((code, out, err), (0, "", ""))
            self.assertIn("costrank-2026-10.json", os.listdir(d))
            code, out, err = run(["report", "-q", "-f", "table", CUR2])
            self.assertEqual(code, 0, err)
            self.assertIn("Total", out, "the table when --format names it")
            self.assertEqual(err, "")


class Signals(unittest.TestCase):
    def start(self, args, **kw):
        return subprocess.Popen([BIN] + args, stderr=subprocess.PIPE, env=env_for_run(), **kw)

    def test_signal_during_a_large_read(self):
        """The input arrives on a pipe without end; the signal comes mid-read."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(sig=sig), tempdir() as d:
                old = os.path.join(d, "costrank-2026-10.json")
                with open(old, "w") as f:
                    f.write('{"previous": true}')
                p = self.start(["report", "-f", "json,csv,xlsx", "-o", d, "-"],
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
                p.stdin.write(HEADER.encode())
                chunk = "".join(row(f"{i}.5", acct=f"{100000000000 + i:012d}")
                                for i in range(2000)).encode()
                sent = 0
                while sent < 32 << 20:
                    p.stdin.write(chunk)
                    sent += len(chunk)
                p.stdin.flush()
                p.send_signal(sig)
                try:
                    while True:
                        p.stdin.write(chunk)
                except (BrokenPipeError, OSError):
                    pass
                try:
                    p.stdin.close()
                except (BrokenPipeError, OSError):
                    pass
                err = p.stderr.read()
                p.stderr.close()
                # ended by the signal itself: a shell says 130 or 143
                self.assertEqual(p.wait(timeout=60), -sig, err)
                self.assertEqual(sorted(os.listdir(d)), ["costrank-2026-10.json"])
                with open(old) as f:
                    self.assertEqual(f.read(), '{"previous": true}')

    def test_shell_sees_128_plus_the_signal(self):
        with tempdir() as d:
            fifo = os.path.join(d, "input")
            os.mkfifo(fifo)
            script = (f'exec 3<>"{fifo}"; "{BIN}" report -f json -o "{d}/out" - <"{fifo}" & '
                      f'pid=$!; sleep 0.5; kill -TERM $pid; wait $pid; echo $?')
            p = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, timeout=60,
                               env=env_for_run())
            self.assertEqual(p.stdout, b"143\n")
            self.assertFalse(os.path.exists(os.path.join(d, "out")))

    def test_signal_during_writing(self):
        """The signal comes once the first temporary exists, and once the workbook is being
        assembled (its scratch file in --out)."""
        with tempdir() as d:
            data = os.path.join(d, "many.csv")
            many_accounts(data)
            cases = [(signal.SIGINT, ".tmp."), (signal.SIGTERM, ".tmp."),
                     (signal.SIGINT, ".costrank-xlsx.tmp.")]
            for n, (sig, mark) in enumerate(cases):
                with self.subTest(sig=sig, mark=mark):
                    out = os.path.join(d, f"out-{n}")
                    os.mkdir(out)
                    with open(os.path.join(out, "costrank-2026-10.csv"), "w") as f:
                        f.write("previous\n")
                    p = self.start(["report", "-f", "json,csv,xlsx,html", "-o", out, data],
                                   stdout=subprocess.DEVNULL)
                    deadline = time.monotonic() + 120
                    while (not any(mark in t for t in temporaries(out))
                           and p.poll() is None):
                        self.assertLess(time.monotonic(), deadline)
                        time.sleep(0.002)
                    self.assertIsNone(p.poll(), "the run ended before it wrote")
                    p.send_signal(sig)
                    _, err = p.communicate(timeout=60)
                    self.assertEqual(p.returncode, -sig, err)
                    self.assertEqual(os.listdir(out), ["costrank-2026-10.csv"])
                    with open(os.path.join(out, "costrank-2026-10.csv")) as f:
                        self.assertEqual(f.read(), "previous\n")


class SharedOut(unittest.TestCase):
    def test_two_runs_at_once(self):
        with tempdir() as d:
            runs = [subprocess.Popen([BIN, "report", "-q", "-f", "json,csv,xlsx,md,html",
                                      "-o", d, CUR2], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env_for_run())
                    for _ in range(2)]
            for p in runs:
                _, err = p.communicate(timeout=120)
                self.assertEqual(p.returncode, 0, err)
            self.assertEqual(temporaries(d), [])
            self.assertEqual(len(os.listdir(d)), 12)   # -resources, -drivers, -anomalies.csv too
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                json.load(f)
            with zipfile.ZipFile(os.path.join(d, "costrank-2026-10.xlsx")) as z:
                self.assertIsNone(z.testzip())

    def test_dead_runs_leftovers_are_swept(self):
        with tempdir() as d:
            for name in (".costrank-2026-10.json.tmp.Xy12Ab", ".costrank-xlsx.tmp.q1w2e3"):
                with open(os.path.join(d, name), "w") as f:
                    f.write("left by a run killed with SIGKILL")
            code, _, err = run(["report", "-f", "json", "-o", d, CUR2])
            self.assertEqual(code, 0, err)
            self.assertEqual(os.listdir(d), ["costrank-2026-10.json"])

    def test_planted_directory_keeps_the_previous_set(self):
        with tempdir() as d:
            code, _, err = run(["report", "-q", "-f", "json,csv", "-o", d, "--month", "2026-09",
                                CUR2])
            self.assertEqual(code, 0, err)
            before = {n: read_bytes(os.path.join(d, n)) for n in os.listdir(d)}
            # this month's files, one of them blocked by a directory
            for n in ("costrank-2026-10.json", "costrank-2026-10-services.csv"):
                with open(os.path.join(d, n), "w") as f:
                    f.write("previous " + n)
            os.mkdir(os.path.join(d, "costrank-2026-10.csv"))
            code, _, err = run(["report", "-f", "json,csv", "-o", d, CUR2])
            self.assertEqual(code, 4, err)
            self.assertRegex(err, r"^costrank: error: cannot write '.*/costrank-2026-10\.csv': "
                             r"Is a directory\n$")
            for n in ("costrank-2026-10.json", "costrank-2026-10-services.csv"):
                with open(os.path.join(d, n)) as f:
                    self.assertEqual(f.read(), "previous " + n)
            self.assertFalse(os.path.exists(os.path.join(d, "costrank-2026-10-proposals.csv")))
            for n, data in before.items():
                self.assertEqual(read_bytes(os.path.join(d, n)), data)
            self.assertEqual(temporaries(d), [])


if __name__ == "__main__":
    unittest.main()
