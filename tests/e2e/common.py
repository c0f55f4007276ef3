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


RESOURCE_KEYS = ("resources", "resources_total", "resources_other_cost", "no_resource_id_cost",
                 "no_resource_id_share")


def without_resources(report):
    """The report without what --resources adds: the top resources that only
    billing files give, and the note a pull writes instead, so that a file
    report and a pulled one compare equal."""
    out = {k: v for k, v in report.items() if k != "top_resources"}
    if "warnings" in out:
        out["warnings"] = [w for w in out["warnings"]
                           if not w.startswith("top resources are not shown")]
    accounts = []
    for a in out.get("accounts", []):
        a = dict(a)
        services = []
        for s in a.get("services", []):
            s = dict(s)
            s["usage_types"] = [{k: v for k, v in u.items() if k not in RESOURCE_KEYS}
                                for u in s.get("usage_types", [])]
            services.append(s)
        a["services"] = services
        accounts.append(a)
    if "accounts" in out:
        out["accounts"] = accounts
    return out


# Cost Explorer and the SQL push-down carry no operation: proposals that depend on the platform
# or the engine (Windows, Aurora) differ from the files' by design, so only the ranking is compared.
OPERATION_DEPENDENT = ("savings_total", "savings_share", "savings_to_investigate", "proposals")


def without_commitments(report):
    """A report without what the organisation's Savings Plan changes: only CUR and
    CUR 2.0 files carry the savings_plan_* / reservation_* columns it is sized
    from; Cost Explorer answers and the SQL pushdown queries do not (README,
    "Commitments"), so their lines keep per-line commitment proposals.  Every
    other proposal, and the rest of the report, must be the same."""
    r = {k: v for k, v in report.items()
         if k not in ("commitments", "savings_total", "savings_share", "savings_total_fx")}
    if "proposals" in r:
        r["proposals"] = [{k: v for k, v in p.items() if k != "rank"}
                          for p in r["proposals"] if p.get("action") != "commitment"]
    return r
