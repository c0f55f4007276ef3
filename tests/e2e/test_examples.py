"""examples/: the GitHub Actions workflow and the GitLab CI job parse as
YAML, have what the README promises (a monthly schedule, the OIDC role,
the reports kept as artifacts, the Markdown job summary, the Slack post and
the gate), call costrank with documented options only, grant no permission
the README does not list, and their build commands build costrank in a
fresh clone of the source tree.  scripts/install-deps lists what building
and running need, and no test-only package.

PyYAML comes from the Debian package python3-yaml; without it the tests
are skipped on a developer machine and fail where the CI variable is set.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import SOURCE_DIR, run  # noqa: E402

try:
    import yaml
except ImportError:
    yaml = None

EXAMPLES = os.path.join(SOURCE_DIR, "examples")
ACTION = re.compile(r"\b(?:ce|sts|iam|organizations):[A-Z][A-Za-z]+")
# packages only the tests need: never in scripts/install-deps
TEST_ONLY = {"libcmocka-dev", "python3-botocore", "python3-openpyxl", "python3-yaml", "chromium",
             "groff-base", "clang", "libclang-rt-14-dev", "valgrind", "postgresql"}
IN_CI = bool(os.environ.get("CI"))
OPTION = re.compile(r"^  (?:-(\w), )?\s*--([a-z0-9-]+)(?: (\S+))?\s{2,}")


def load(name):
    if yaml is None:
        message = "PyYAML is not available: install the Debian package python3-yaml"
        if IN_CI:
            raise AssertionError(message)
        raise unittest.SkipTest(message)
    with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
        return yaml.safe_load(f)


def documented():
    """Long option -> takes a value, from `costrank report --help`."""
    code, out, _ = run(["report", "--help"])
    assert code == 0
    opts = {}
    for line in out.splitlines():
        m = OPTION.match(line)
        if m:
            opts[m.group(2)] = m.group(3) is not None
    return opts


def readme():
    with open(os.path.join(SOURCE_DIR, "README.md"), encoding="utf-8") as f:
        return f.read()


def readme_permissions():
    """The actions of the README's "IAM permissions" list."""
    text = readme()
    start = text.index("**IAM permissions**")
    block = text[start:text.index("\n\n", start + 1) + 2]
    rest = text[start + len(block):]
    items = rest[:rest.index("\n\n")]
    return {m.group(0) for line in items.splitlines() if line.startswith("- ")
            for m in [ACTION.search(line)] if m}


def script_packages(name):
    """The Debian packages a scripts/install-* file names (words that look like them)."""
    with open(os.path.join(SOURCE_DIR, "scripts", name), encoding="utf-8") as f:
        text = f.read()
    if name == "install-deps":
        text = text[text.index('PACKAGES="'):]
        text = text[:text.index('"', len('PACKAGES="'))]
    else:
        text = text[text.index("\nscripts/install-deps"):]
        text = text[:text.index("\n\n")]
    words = text.replace("\\\n", " ").replace('PACKAGES="', " ").split()
    return {w for w in words if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", w)} - {"exec"}


def build_commands(text):
    """The shell commands of a build step, one a line."""
    return [line.strip() for line in text.splitlines() if line.strip() and
            not line.strip().startswith("#")]


def costrank_calls(scripts):
    """The argument lists of every `costrank ...` command in shell scripts."""
    calls = []
    for script in scripts:
        text = script.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("costrank "):
                calls.append(shlex.split(line)[1:])
    return calls


class Examples(unittest.TestCase):
    def check_calls(self, calls):
        opts = documented()
        self.assertTrue(calls)
        for args in calls:
            self.assertEqual(args[0], "report")
            i = 1
            seen = set()
            while i < len(args):
                a = args[i]
                self.assertTrue(a.startswith("--"), f"unexpected argument {a!r}")
                name, _, inline = a[2:].partition("=")
                self.assertIn(name, opts, f"--{name} is not in costrank report --help")
                value = None
                if opts[name]:
                    value = inline or args[i + 1]
                    i += 1
                seen.add(name)
                if name == "format":
                    self.assertTrue(set(value.split(",")) <= {"table", "json", "csv", "xlsx",
                                                               "md", "html"}, value)
                if name == "post":
                    self.assertIn(value, ("slack", "teams", "gchat", "webhook"))
                i += 1
            self.assertNotIn("webhook-url", seen)
            self.assertTrue({"post", "fail-on-increase", "format", "out"} <= seen, seen)
        # the command line is accepted as a whole: a dry run (nothing is
        # called, posted or written) plans the Cost Explorer requests
        for args in calls:
            code, out, err = run(args + ["--dry-run"], env={"COSTRANK_NOW": "2026-11-03"})
            self.assertEqual(code, 0, err)
            self.assertIn("2026-10", out)

    def test_github_actions(self):
        doc = load("github-actions.yml")
        on = doc.get("on", doc.get(True))          # YAML 1.1 reads `on` as true
        self.assertRegex(on["schedule"][0]["cron"], r"^\S+ \S+ \d+ \* \*$")  # monthly
        self.assertEqual(doc["permissions"]["id-token"], "write")
        (job,) = doc["jobs"].values()
        steps = job["steps"]
        runs = [s["run"] for s in steps if "run" in s]
        text = "\n".join(runs)
        self.assertIn("ACTIONS_ID_TOKEN_REQUEST_URL", text)
        self.assertIn("AWS_WEB_IDENTITY_TOKEN_FILE", text)
        self.assertIn("GITHUB_STEP_SUMMARY", text)
        self.assertIn("cmake --install build", text)
        env = {k: v for s in steps for k, v in (s.get("env") or {}).items()}
        self.assertIn("AWS_ROLE_ARN", env)
        self.assertIn("secrets.", env["COSTRANK_WEBHOOK_URL"])
        uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
        self.assertEqual(len(uploads), 1)
        self.assertEqual(uploads[0]["if"], "always()")
        self.assertNotIn("configure-aws-credentials", str(doc))
        self.check_calls(costrank_calls(runs))

    def test_gitlab_ci(self):
        doc = load("gitlab-ci.yml")
        (job,) = doc.values()
        self.assertIn("schedule", str(job["rules"]))
        self.assertEqual(job["id_tokens"]["AWS_ID_TOKEN"]["aud"], "sts.amazonaws.com")
        self.assertEqual(job["artifacts"]["when"], "always")
        self.assertIn("reports/", job["artifacts"]["paths"])
        scripts = job["before_script"] + job["script"]
        self.assertIn("AWS_WEB_IDENTITY_TOKEN_FILE", "\n".join(scripts))
        self.check_calls(costrank_calls(scripts))

    def test_permissions_and_where_the_role_lives(self):
        allowed = readme_permissions()
        self.assertEqual(allowed, {"ce:GetCostAndUsage", "sts:AssumeRole"})
        for name in ("github-actions.yml", "gitlab-ci.yml"):
            with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
                text = f.read()
            named = set(ACTION.findall(text))
            self.assertIn("ce:GetCostAndUsage", named, name)
            self.assertLessEqual(named, allowed, name)
            self.assertNotIn("GetDimensionValues", text, name)
            flat = " ".join(l.lstrip("# ") for l in text.splitlines())
            self.assertIn("management (payer) account", flat, name)
            self.assertIn("--accounts", flat, name)

    def test_install_scripts_split_build_and_test_packages(self):
        build = script_packages("install-deps")
        tests = script_packages("install-test-deps")
        self.assertFalse(build & TEST_ONLY, build & TEST_ONLY)
        self.assertLessEqual(TEST_ONLY, tests)
        self.assertIn("libpq-dev", build)
        with open(os.path.join(SOURCE_DIR, "scripts", "test"), encoding="utf-8") as f:
            lines = [l.strip() for l in f if not l.lstrip().startswith("#")]
        self.assertIn("scripts/install-test-deps", lines)
        self.assertNotIn("scripts/install-deps", lines)
        text = readme()
        quick = text[text.index("## Quick start"):text.index("## Usage")]
        block = quick[quick.index("```sh\n") + 6:]
        block = block[:block.index("```")]
        self.assertEqual([l.split()[0] for l in block.splitlines() if l.strip()],
                         ["scripts/bootstrap", "scripts/test"])
        deps = text[text.index("## Dependencies"):]
        deps = deps[:deps.index("From the npm registry")]
        rows = [l.split("|")[1].strip() for l in deps.splitlines()
                if l.startswith("| ") and not l.startswith("| package")]
        listed = [p.strip() for r in rows for p in r.split(",")]
        # npm is installed only where Node.js did not bring it (install-test-deps)
        self.assertEqual(sorted(listed), sorted(build | tests | {"npm"}), "one README line each")

    def test_install_deps_covers_what_cmake_requires(self):
        # the host has every package, so the fresh-clone build below cannot see one missing
        # from the list: every library CMakeLists.txt requires must come from a listed package
        pc_of = {"ZLIB": "zlib", "OpenSSL": "openssl", "CURL": "libcurl", "LibXml2": "libxml-2.0"}
        with open(os.path.join(SOURCE_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
            cmake = f.read()
        modules = set()
        for m in re.finditer(r"pkg_check_modules\((\w+)([^)]*)\)", cmake):
            if "REQUIRED" in m.group(2):
                modules.add(m.group(2).split()[-1])
        for m in re.finditer(r"find_package\((\w+)[^)]*REQUIRED", cmake):
            if m.group(1) in ("PkgConfig", "Threads"):
                continue
            self.assertIn(m.group(1), pc_of, "find_package(%s): add its pkg-config name "
                          "to this test" % m.group(1))
            modules.add(pc_of[m.group(1)])
        self.assertGreaterEqual(len(modules), 7, modules)
        build = script_packages("install-deps")
        for mod in sorted(modules):
            pcdir = subprocess.run(["pkg-config", "--variable=pcfiledir", mod],
                                   stdout=subprocess.PIPE, check=True).stdout.decode().strip()
            owner = subprocess.run(["dpkg", "-S", os.path.join(pcdir, mod + ".pc")],
                                   stdout=subprocess.PIPE, check=True).stdout.decode()
            package = owner.split(":")[0]
            self.assertIn(package, build, "%s comes from %s, which scripts/install-deps "
                          "does not list" % (mod, package))

    def test_build_steps_in_a_fresh_clone(self):
        github = load("github-actions.yml")
        (job,) = github["jobs"].values()
        (step,) = [s for s in job["steps"] if "install-deps" in s.get("run", "")]
        gh = build_commands(step["run"])
        gitlab = load("gitlab-ci.yml")
        (gl_job,) = gitlab.values()
        gl = [c for c in gl_job["before_script"]]
        self.assertEqual(gh, gl, "the two examples build alike")
        self.assertEqual(gh[0], "scripts/install-deps")
        if not os.path.isdir(os.path.join(SOURCE_DIR, ".git")) and \
                not os.path.isfile(os.path.join(SOURCE_DIR, ".git")):
            self.skipTest("the source tree is not a git checkout")
        with tempfile.TemporaryDirectory(prefix="costrank-clone-") as d:
            src = os.path.join(d, "src")
            subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", SOURCE_DIR, src],
                           check=True, timeout=120)
            # a bare environment, as in a fresh container; DESTDIR keeps the
            # install step inside the temporary directory
            env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": d, "LANG": "C.UTF-8",
                   "DESTDIR": os.path.join(d, "root")}
            script = "set -eu\n" + "\n".join(gh) + "\n"
            p = subprocess.run(["sh", "-c", script], cwd=src, env=env, timeout=900,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.assertEqual(p.returncode, 0, p.stdout.decode("utf-8", "replace")[-3000:])
            binary = os.path.join(d, "root", "usr", "local", "bin", "costrank")
            self.assertTrue(os.path.isfile(binary))
            out = os.path.join(d, "out")
            p = subprocess.run([binary, "report", "--format", "json", "--out", out,
                                os.path.join(src, "samples", "cur2")], env=env, timeout=120,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            self.assertEqual(os.listdir(out), ["costrank-2026-10.json"])

    def test_no_secret_in_the_examples(self):
        for name in os.listdir(EXAMPLES):
            with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
                text = f.read()
            self.assertNotRegex(text, r"hooks\.slack\.com/services/\w")
            self.assertNotRegex(text, r"AKIA[0-9A-Z]{12}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
