"""A stand-in for Amazon S3 on 127.0.0.1, for the tests of costrank's S3 reader.

It serves objects held in memory, path-style (http://127.0.0.1:PORT/BUCKET/KEY), as S3 does
for a custom endpoint:

    ListObjectsV2   GET /BUCKET?list-type=2&prefix=P[&continuation-token=T][&max-keys=N]
                    [&encoding-type=url]: keys in order, pages of at most page_size keys
                    (default 2, so that every listing of more than two objects is paginated),
                    keys encoded as S3 encodes them (quote_plus) with encoding-type=url
    GetObject       GET /BUCKET/KEY with Range (bytes=A-, bytes=A-B), If-Match (412 on another
                    ETag) and If-None-Match (304 on the same ETag); ETag is the MD5 in quotes

Every request's Signature Version 4 is checked with botocore's S3SigV4Auth (canonical request,
string to sign and signature computed by botocore from the request as received, for the
access key, region and date it names); a bad one is answered 403 SignatureDoesNotMatch and
recorded in sig_failures.  A bucket lives in a region (regions, default us-east-1): a request
signed for another region is answered 301 PermanentRedirect with x-amz-bucket-region, as S3
does.  Session tokens are checked against the key's "token".

Faults, each a dict in faults (matched in order, "times" counts down, None = always):

    {"op": "get"|"list"|"any", "key": substring of the key (or "" for any),
     "kind": "reset_mid"   send half of the requested bytes, then reset the connection
             "slowdown"    503 SlowDown
             "internal"    500 InternalError
             "denied"      403 AccessDenied
             "expired"     400 ExpiredToken
             "nosuchkey"   404 NoSuchKey (also for an object that exists)
             "slow"        wait "seconds" before answering
             "ignore_range" answer 200 with the whole object to a Range request
             "changed"     answer with another ETag (the object was replaced)
     "times": N}

    mock = MockS3({"bucket": {"key": b"bytes"}}, keys={"AKID": {"secret": "..."}})
    mock.start(); ... mock.url ...; mock.stop()

Run alone: python3 mock_s3.py --dir DIR --bucket NAME --key AKID:SECRET
"""
import argparse
import datetime as dt
import hashlib
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import botocore.auth
import botocore.awsrequest
import botocore.credentials

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def etag_of(data):
    return hashlib.md5(data).hexdigest()


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class MockS3:
    def __init__(self, buckets, keys, regions=None, page_size=2):
        self.buckets = buckets            # {bucket: {key: bytes}}
        self.keys = keys                  # {akid: {"secret": s, "token": t or None}}
        self.regions = regions or {}      # {bucket: region}
        self.page_size = page_size
        self.faults = []
        self.log = []                     # (op, bucket, key, headers dict, status)
        self.sig_failures = []
        self.mtime = 1764547200           # 2025-12-01
        self.lock = threading.Lock()
        self.server = None

    # ---- control -----------------------------------------------------------------------

    def start(self):
        mock = self

        class Handler(S3Handler):
            pass
        Handler.mock = mock
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def requests(self, op=None):
        with self.lock:
            return [r for r in self.log if op is None or r[0] == op]

    def fault_for(self, op, key):
        with self.lock:
            for f in self.faults:
                if f.get("op", "any") not in ("any", op):
                    continue
                if f.get("key", "") not in key:
                    continue
                t = f.get("times")
                if t is not None:
                    if t <= 0:
                        continue
                    f["times"] = t - 1
                return f
        return None

    # ---- signatures ---------------------------------------------------------------------

    def verify(self, handler, path):
        """None when the request's SigV4 is right, else the reason."""
        h = handler.headers
        auth = h.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return "no SigV4 Authorization"
        parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        cred = parts.get("Credential", "").split("/")
        if len(cred) != 5 or cred[3] != "s3" or cred[4] != "aws4_request":
            return "bad credential scope"
        akid, day, region = cred[0], cred[1], cred[2]
        key = self.keys.get(akid)
        if not key:
            return "unknown access key"
        if key.get("token") != h.get("X-Amz-Security-Token"):
            return "wrong session token"
        amz_date = h.get("X-Amz-Date", "")
        if not amz_date.startswith(day):
            return "date and scope disagree"
        signed = parts.get("SignedHeaders", "").split(";")
        for need in ("host", "x-amz-date", "x-amz-content-sha256"):
            if need not in signed:
                return "%s not signed" % need
        for name in h.keys():
            if name.lower() in ("range", "if-match", "if-none-match", "x-amz-security-token") \
                    and name.lower() not in signed:
                return "%s sent but not signed" % name.lower()
        if h.get("X-Amz-Content-SHA256") != EMPTY_SHA256:
            return "x-amz-content-sha256 is not the hash of the empty body"
        hdrs = botocore.awsrequest.HTTPHeaders()
        for name in signed:
            if h.get(name) is None:
                return "signed header %s missing" % name
            hdrs[name] = h.get(name)
        req = botocore.awsrequest.AWSRequest(method=handler.command,
                                             url="http://%s%s" % (h.get("Host"), path),
                                             headers=hdrs)
        req.context["timestamp"] = amz_date
        signer = botocore.auth.S3SigV4Auth(
            botocore.credentials.Credentials(akid, key["secret"], key.get("token")), "s3", region)
        canonical = signer.canonical_request(req)
        sts = signer.string_to_sign(req, canonical)
        want = signer.signature(sts, req)
        if want != parts.get("Signature"):
            return "signature mismatch (botocore's canonical request: %r)" % canonical
        return None


class S3Handler(BaseHTTPRequestHandler):
    mock = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_xml(self, status, body, headers=None):
        data = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message, key="", extra=None, headers=None):
        body = "<Error><Code>%s</Code><Message>%s</Message>" % (code, escape(message))
        if key:
            body += "<Key>%s</Key>" % escape(key)
        body += (extra or "") + "<RequestId>MOCK</RequestId></Error>"
        self.send_xml(status, body, headers)

    def reset(self):
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_GET(self):
        try:
            self.get()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up: a timeout under test

    def get(self):
        m = self.mock
        raw_path, _, query = self.path.partition("?")
        segs = raw_path.lstrip("/").split("/", 1)
        bucket = urllib.parse.unquote(segs[0])
        key = urllib.parse.unquote(segs[1]) if len(segs) > 1 else ""
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        op = "list" if "list-type" in params else "get"
        status = [0]

        def record(s):
            with m.lock:
                m.log.append((op, bucket, key, dict(self.headers.items()), s))

        why = m.verify(self, self.path)
        if why:
            with m.lock:
                m.sig_failures.append(why)
            record(403)
            return self.error(403, "SignatureDoesNotMatch", "The request signature we calculated "
                              "does not match the signature you provided.")
        if bucket not in m.buckets:
            record(404)
            return self.error(404, "NoSuchBucket", "The specified bucket does not exist",
                              extra="<BucketName>%s</BucketName>" % escape(bucket))
        region = m.regions.get(bucket, "us-east-1")
        signed_region = self.headers.get("Authorization").split("Credential=")[1].split("/")[2]
        if signed_region != region:
            record(301)
            return self.error(301, "PermanentRedirect", "The bucket you are attempting to "
                              "access must be addressed using the specified endpoint.",
                              headers={"x-amz-bucket-region": region})
        f = m.fault_for(op, key if op == "get" else params.get("prefix", ""))
        kind = f["kind"] if f else None
        if kind == "slow":
            time.sleep(f.get("seconds", 2))
        if kind == "slowdown":
            record(503)
            return self.error(503, "SlowDown", "Please reduce your request rate.")
        if kind == "internal":
            record(500)
            return self.error(500, "InternalError", "We encountered an internal error.")
        if kind == "denied":
            record(403)
            return self.error(403, "AccessDenied", "Access Denied")
        if kind == "expired":
            record(400)
            return self.error(400, "ExpiredToken", "The provided token has expired.")
        if op == "list":
            record(200)
            return self.list(bucket, params)
        objs = m.buckets[bucket]
        if kind == "nosuchkey" or key not in objs:
            record(404)
            return self.error(404, "NoSuchKey", "The specified key does not exist.", key=key)
        data = objs[key]
        etag = etag_of(data) if kind != "changed" else etag_of(data + b"changed")
        qetag = '"%s"' % etag
        inm = self.headers.get("If-None-Match")
        if inm is not None and inm == qetag:
            record(304)
            self.send_response(304)
            self.send_header("ETag", qetag)
            self.end_headers()
            return None
        im = self.headers.get("If-Match")
        if im is not None and im != qetag:
            record(412)
            return self.error(412, "PreconditionFailed", "At least one of the pre-conditions "
                              "you specified did not hold")
        start, end = 0, len(data) - 1
        rng = self.headers.get("Range")
        partial = False
        if rng and kind != "ignore_range":
            spec = rng[len("bytes="):]
            a, _, b = spec.partition("-")
            start = int(a)
            end = int(b) if b else len(data) - 1
            end = min(end, len(data) - 1)
            if start >= len(data):
                record(416)
                return self.error(416, "InvalidRange", "The requested range is not satisfiable")
            partial = True
        body = data[start:end + 1]
        record(206 if partial else 200)
        self.send_response(206 if partial else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", qetag)
        self.send_header("Last-Modified", self.date_time_string(m.mtime))
        if partial:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, len(data)))
        self.end_headers()
        if kind == "reset_mid" and len(body) > 1:
            self.wfile.write(body[:len(body) // 2])
            return self.reset()
        if kind == "slow_body":
            half = len(body) // 2
            self.wfile.write(body[:half])
            self.wfile.flush()
            time.sleep(f.get("seconds", 2))
            self.wfile.write(body[half:])
            return None
        self.wfile.write(body)
        return None

    def list(self, bucket, params):
        m = self.mock
        prefix = params.get("prefix", "")
        size = min(int(params.get("max-keys", "1000")), m.page_size)
        keys = sorted(k for k in m.buckets[bucket] if k.startswith(prefix))
        start = 0
        token = params.get("continuation-token")
        if token is not None:
            start = int(token[len("tok-"):])
        page = keys[start:start + size]
        more = start + size < len(keys)
        url = params.get("encoding-type") == "url"
        out = ['<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
               "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount>" % (
                   escape(bucket), escape(prefix), len(page)),
               "<MaxKeys>%d</MaxKeys><IsTruncated>%s</IsTruncated>" % (
                   size, "true" if more else "false")]
        if url:
            out.append("<EncodingType>url</EncodingType>")
        if more:
            out.append("<NextContinuationToken>tok-%d</NextContinuationToken>" % (start + size))
        for k in page:
            data = m.buckets[bucket][k]
            out.append("<Contents><Key>%s</Key><LastModified>%s</LastModified>"
                       "<ETag>&quot;%s&quot;</ETag><Size>%d</Size>"
                       "<StorageClass>STANDARD</StorageClass></Contents>" % (
                           escape(urllib.parse.quote_plus(k, safe="/") if url else k),
                           iso(m.mtime), etag_of(data), len(data)))
        out.append("</ListBucketResult>")
        self.send_xml(200, "".join(out))


def load_dir(root):
    """{key: bytes} of every file under root, keys relative with '/'."""
    objs = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                objs[os.path.relpath(path, root).replace(os.sep, "/")] = f.read()
    return objs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--bucket", default="bucket")
    ap.add_argument("--key", default="AKIDEXAMPLE:secret")
    ap.add_argument("--page-size", type=int, default=1000)
    a = ap.parse_args()
    akid, secret = a.key.split(":", 1)
    mock = MockS3({a.bucket: load_dir(a.dir)}, {akid: {"secret": secret}},
                  page_size=a.page_size).start()
    print(mock.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        mock.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
