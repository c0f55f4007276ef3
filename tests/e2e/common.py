"""Shared helpers for the end-to-end tests: run the real costrank binary."""
import os
import subprocess
import tempfile

SOURCE_DIR = os.environ.get("COSTRANK_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BIN = os.environ.get("COSTRANK_BIN", os.path.join(SOURCE_DIR, "build", "costrank"))
SAMPLES = os.path.join(SOURCE_DIR, "samples")

# The tests expect English unless they say otherwise: a developer machine with
# LANG=ja_JP.UTF-8 (or LC_ALL, LC_MESSAGES, LANGUAGE set) must not turn their
# reports Japanese.  Pinned in this process's environment, so that every run
# inherits it -- run() and the tests that start the binary themselves; a test
# that passes its own env chooses its own locale.
LOCALE_ENV = {"LANG": "C.UTF-8"}
LOCALE_UNSET = ("LC_ALL", "LC_MESSAGES", "LANGUAGE")
os.environ.update(LOCALE_ENV)
for _var in LOCALE_UNSET:
    os.environ.pop(_var, None)


def run(args, cwd=SOURCE_DIR, env=None, stdin=None):
    """Runs costrank with args; returns (exit code, stdout, stderr)."""
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    # a test machine on EC2 must not lend its instance role to a run; the tests of instance
    # metadata say otherwise explicitly
    full_env["AWS_EC2_METADATA_DISABLED"] = "true"
    if env:
        full_env.update(env)
    p = subprocess.run([BIN] + list(args), cwd=cwd, env=full_env, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def tempdir():
    return tempfile.TemporaryDirectory(prefix="costrank-e2e-")
