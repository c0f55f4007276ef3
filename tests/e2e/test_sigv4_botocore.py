"""Differential test: costrank's SigV4 signer against botocore's SigV4Auth.

Several hundred randomised requests (fixed seed) are signed by both: the C
signer through the test program tests/tools/sigv4_sign (path in
COSTRANK_SIGV4_TOOL, one JSON request per line in, one JSON result per line
out) and botocore.auth.SigV4Auth with botocore's clock pinned to the same
instant.  The Authorization values must be identical.

botocore comes from Debian's python3-botocore.  When the interpreter running
this file cannot import it (a pyenv python on PATH, say) and /usr/bin/python3
can, the file runs itself again with /usr/bin/python3; when neither can, the
test is skipped with a message.

The random inputs stay inside the domain where the two signers are meant to
agree:
- paths start with '/' and hold unreserved and reserved characters, spaces,
  '%' (encoded again by both), UTF-8, and - only when botocore is seen to
  normalise them (probed at start-up; botocore 1.29 removes dot segments and
  collapses '//' exactly as costrank does) - '.', '..' and empty segments;
  never '?' or '#', and every generated URL is checked to split back into
  the same path and query (urlsplit strips some whitespace);
- query strings are given to botocore either as raw (name, value) pairs,
  which it encodes, with costrank getting their canonical encoding, or as a
  URL query that is already canonically encoded: botocore sorts URL query
  pairs verbatim while costrank decodes and re-encodes them, which agree
  only on canonical input; repeated names, names without '=', empty values;
- header values are ASCII with odd spacing (botocore's str.split() also
  splits on Unicode spaces and \\x1c-\\x1f), names repeat in different case;
  no Date header (botocore replaces it with its own date);
- User-Agent, Expect, X-Amzn-Trace-Id and Authorization may appear: neither
  signer signs them;
- bodies are random bytes or JSON; X-Amz-Content-SHA256 sometimes replaces
  the body hash in both.
"""
import datetime
import hashlib
import json
import os
import random
import string
import subprocess
import sys
import types
import unittest
from unittest import mock
from urllib.parse import quote, urlsplit

REEXEC_GUARD = "COSTRANK_SIGV4_BOTOCORE_REEXEC"
SYSTEM_PYTHON = "/usr/bin/python3"

try:
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
except ImportError:  # pragma: no cover - depends on the machine
    botocore = None

if (botocore is None and not os.environ.get(REEXEC_GUARD)
        and os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON)
        and os.access(SYSTEM_PYTHON, os.X_OK)
        and subprocess.run([SYSTEM_PYTHON, "-c", "import botocore.auth"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0):
    sys.exit(subprocess.run([SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:],
                            env=dict(os.environ, **{REEXEC_GUARD: "1"})).returncode)

TOOL = os.environ.get("COSTRANK_SIGV4_TOOL")
SEED = 20261005
COUNT = 400

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "me-south-1"]
SERVICES = ["ce", "sts", "athena", "execute-api", "service", "iam"]
METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"]
HOSTS = ["ce.us-east-1.amazonaws.com", "sts.amazonaws.com", "example.amazonaws.com",
         "127.0.0.1:8443", "athena.eu-west-1.amazonaws.com"]
UNRESERVED = string.ascii_letters + string.digits + "-_.~"
RESERVED = "!$&'()*+,;=:@"
UTF8 = ["\u00e9", "\u1234", "\u00fc", "\U0001f600", "\u4e2d"]
HEADER_NAMES = ["X-Custom", "x-custom", "X-CUSTOM", "X-Amz-Meta-Owner", "Content-Type",
                "X-Amz-Target", "Accept", "X-Dup", "x-dup", "My-Header1", "Content-MD5"]
UNSIGNED_NAMES = ["User-Agent", "Expect", "X-Amzn-Trace-Id", "Authorization"]
HEADER_CHARS = string.ascii_letters + string.digits + " \t-_.,;:/=+()\"'<>?[]{}@!#$%&*"


class _PinnedClock(datetime.datetime):
    """Older botocore.auth reads datetime.datetime.utcnow(); this answers `at`."""
    at = None

    @classmethod
    def utcnow(cls):
        return cls.at


def pinned_clock(at):
    """Pins botocore's signing clock to at, whichever way this version reads
    it: botocore.auth.get_current_datetime() (newer) or
    datetime.datetime.utcnow() (1.29, Debian 12)."""
    _PinnedClock.at = at
    if hasattr(botocore.auth, "get_current_datetime"):
        return mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: at)
    return mock.patch.object(botocore.auth, "datetime", types.SimpleNamespace(datetime=_PinnedClock))


def botocore_normalises_paths():
    """Whether this botocore removes dot segments and empty segments."""
    creds = botocore.credentials.Credentials("AKID", "SECRET")
    auth = botocore.auth.SigV4Auth(creds, "service", "us-east-1")
    req = botocore.awsrequest.AWSRequest(method="GET", url="https://h/a/./b/../c//d/")
    return auth._normalize_url_path(urlsplit(req.url).path) == "/a/c/d/"


def rand_text(rng, alphabet, lo, hi):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def rand_segment(rng, dots):
    r = rng.random()
    if dots and r < 0.08:
        return rng.choice([".", "..", ""])
    if r < 0.45:
        return rand_text(rng, UNRESERVED, 1, 10)
    parts = []
    for _ in range(rng.randint(1, 6)):
        k = rng.random()
        if k < 0.35:
            parts.append(rand_text(rng, UNRESERVED, 1, 4))
        elif k < 0.6:
            parts.append(rng.choice(RESERVED))
        elif k < 0.7:
            parts.append(" ")
        elif k < 0.8:
            parts.append(rng.choice(["%", "%20", "%2F", "%zz"]))
        else:
            parts.append(rng.choice(UTF8))
    return "".join(parts)


def rand_path(rng, dots):
    if rng.random() < 0.1:
        return "/"
    path = "/" + "/".join(rand_segment(rng, dots) for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.25:
        path += "/"
    return path


def rand_raw_param(rng):
    alphabet = UNRESERVED + RESERVED + " /%?#" + "".join(UTF8)
    return rand_text(rng, alphabet, 0, 8)


def encode(s):
    return quote(s, safe="-_.~")


def rand_query(rng):
    """(params for botocore or None, query for the URL, query for costrank)."""
    if rng.random() < 0.3:
        return None, "", ""
    keys = [rand_raw_param(rng) or "k" for _ in range(rng.randint(1, 4))]
    pairs = []
    for _ in range(rng.randint(1, 7)):
        pairs.append((rng.choice(keys), rand_raw_param(rng)))
    if rng.random() < 0.5:
        encoded = "&".join(encode(k) + "=" + encode(v) for k, v in pairs)
        return pairs, "", encoded
    items = []
    for k, v in pairs:
        if v == "" and rng.random() < 0.5:
            items.append(encode(k))            # a name without '='
        else:
            items.append(encode(k) + "=" + encode(v))
    q = "&".join(items)
    return None, q, q


def rand_header_value(rng):
    r = rng.random()
    if r < 0.1:
        return ""
    if r < 0.2:
        return " " * rng.randint(1, 3)
    v = rand_text(rng, HEADER_CHARS, 1, 30)
    if rng.random() < 0.3:
        v = " " * rng.randint(1, 3) + v + "\t" * rng.randint(0, 2)
    return v


def rand_request(rng, dots):
    host = rng.choice(HOSTS)
    while True:
        path = rand_path(rng, dots)
        params, url_query, c_query = rand_query(rng)
        url = "https://" + host + path + ("?" + url_query if url_query else "")
        parts = urlsplit(url)
        if parts.path == path and parts.query == url_query and parts.netloc == host:
            break
    headers = [(rng.choice(["Host", "host", "HOST"]), host)]
    for _ in range(rng.randint(0, 6)):
        headers.append((rng.choice(HEADER_NAMES), rand_header_value(rng)))
    if rng.random() < 0.1:
        headers.append((rng.choice(UNSIGNED_NAMES), rand_header_value(rng)))
    if rng.random() < 0.15:
        headers.append(("X-Amz-Date", "19990101T000000Z"))     # replaced by both
    if rng.random() < 0.05:
        headers.append(("X-Amz-Security-Token", "stale-token"))
    rng.shuffle(headers)
    r = rng.random()
    if r < 0.3:
        body = b""
    elif r < 0.6:
        body = json.dumps({"TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"},
                           "n": rng.randint(0, 10 ** 9)}).encode()
    else:
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))
    if rng.random() < 0.05:
        headers.append(("X-Amz-Content-SHA256", rng.choice(
            ["UNSIGNED-PAYLOAD", hashlib.sha256(body).hexdigest()])))
    at = datetime.datetime(2001, 1, 1) + datetime.timedelta(
        seconds=rng.randint(0, 36 * 365 * 86400))
    token = None
    if rng.random() < 0.5:
        token = rand_text(rng, string.ascii_letters + string.digits + "/+", 40, 300) + "=="
    return {
        "method": rng.choice(METHODS), "host": host, "path": path, "params": params,
        "url": url, "c_query": c_query, "headers": headers, "body": body,
        "region": rng.choice(REGIONS), "service": rng.choice(SERVICES), "at": at,
        "access_key": "AKIA" + rand_text(rng, string.ascii_uppercase + string.digits, 16, 16),
        "secret_key": rand_text(rng, string.ascii_letters + string.digits + "/+", 40, 40),
        "token": token,
    }


def botocore_sign(r):
    hdrs = botocore.awsrequest.HTTPHeaders()
    for name, value in r["headers"]:
        hdrs[name] = value                         # appends: repeated names stay
    req = botocore.awsrequest.AWSRequest(method=r["method"], url=r["url"], headers=hdrs,
                                         data=r["body"], params=r["params"])
    creds = botocore.credentials.Credentials(r["access_key"], r["secret_key"], r["token"])
    auth = botocore.auth.SigV4Auth(creds, r["service"], r["region"])
    seen = []
    canonical_request = auth.canonical_request

    def capture(request):
        seen.append(canonical_request(request))
        return seen[-1]

    auth.canonical_request = capture
    with pinned_clock(r["at"]):
        auth.add_auth(req)
    return req.headers["Authorization"], seen[0] if seen else None


def costrank_sign(requests):
    lines = []
    for r in requests:
        lines.append(json.dumps({
            "method": r["method"], "path": r["path"], "query": r["c_query"],
            "headers": [[n, v] for n, v in r["headers"]], "body_hex": r["body"].hex(),
            "region": r["region"], "service": r["service"],
            "amz_date": r["at"].strftime("%Y%m%dT%H%M%SZ"),
            "access_key": r["access_key"], "secret_key": r["secret_key"],
            "session_token": r["token"], "add_date": True, "add_token": True,
        }))
    p = subprocess.run([TOOL], input=("\n".join(lines) + "\n").encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise AssertionError("sigv4_sign failed: " + p.stderr.decode("utf-8", "replace"))
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


@unittest.skipIf(botocore is None, "botocore is not importable (Debian package python3-botocore)")
@unittest.skipIf(not TOOL or not os.access(TOOL, os.X_OK),
                 "COSTRANK_SIGV4_TOOL does not name the sigv4_sign test program")
class SigV4AgainstBotocore(unittest.TestCase):
    def test_random_requests(self):
        dots = botocore_normalises_paths()
        rng = random.Random(SEED)
        requests = [rand_request(rng, dots) for _ in range(COUNT)]
        ours = costrank_sign(requests)
        self.assertEqual(len(ours), len(requests))
        mismatches = []
        for i, (r, mine) in enumerate(zip(requests, ours)):
            theirs, creq = botocore_sign(r)
            if mine.get("authorization") != theirs:
                mismatches.append(
                    f"request {i}: {r['method']} {r['url']!r} params={r['params']!r}\n"
                    f"  botocore: {theirs}\n  costrank: {mine.get('authorization') or mine}\n"
                    f"  botocore canonical request:\n{creq}\n"
                    f"  costrank canonical request:\n{mine.get('canonical_request')}")
        if mismatches:
            self.fail(f"{len(mismatches)} of {COUNT} signatures differ; first ones:\n"
                      + "\n".join(mismatches[:3]))
        print(f"{COUNT} random requests signed identically (path dot segments "
              f"{'included' if dots else 'excluded'}; botocore {botocore.__version__})",
              file=sys.stderr)

    def test_domain_is_exercised(self):
        """The generator really produces the awkward cases it claims to."""
        rng = random.Random(SEED)
        requests = [rand_request(rng, botocore_normalises_paths()) for _ in range(COUNT)]
        self.assertTrue(any(r["token"] for r in requests))
        self.assertTrue(any(not r["token"] for r in requests))
        self.assertTrue(any(r["params"] for r in requests))
        self.assertTrue(any("&" in r["url"].partition("?")[2] for r in requests))
        self.assertTrue(any(len({k for k, _ in r["params"] or []}) < len(r["params"] or [])
                            for r in requests), "no repeated query names")
        self.assertTrue(any(" " in r["path"] for r in requests))
        self.assertTrue(any("%" in r["path"] for r in requests))
        self.assertTrue(any(len([n for n, _ in r["headers"] if n.lower() == "x-dup"]) > 1
                            or len([n for n, _ in r["headers"] if n.lower() == "x-custom"]) > 1
                            for r in requests), "no repeated header names")
        self.assertGreater(len({r["method"] for r in requests}), 5)
        self.assertTrue(any(r["body"] for r in requests))


if __name__ == "__main__":
    unittest.main()
