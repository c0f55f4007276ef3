"""A local Amazon Athena endpoint for the end-to-end tests.

It speaks the JSON protocol of StartQueryExecution, GetQueryExecution and GetQueryResults,
checks every request's Signature Version 4 (service "athena") as tests/tools/mock_ce.py does, and
runs the received SQL on a PostgreSQL server (tests/e2e/pg_server.py) after the one translation
the dialects need (Athena's element_at on a map column is json_extract_path_text on the JSON
column).  A query goes QUEUED, RUNNING, then SUCCEEDED; its answer is served in pages of
page_size rows, the first row of the first page being the header, NULL as a cell without
VarCharValue.  Faults: fail_next (FAILED with that message), cancel_next (CANCELLED),
throttle_polls (that many GetQueryExecution calls answer 400 ThrottlingException), fail_start
(that many StartQueryExecution calls start the query but answer 500, so that the client retries
with the same ClientRequestToken)."""
import json
import os
import re
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from mock_ce import ApiError, MockCostExplorer  # noqa: E402
import pg_server  # noqa: E402

SCANNED = 123456789


def translate(sql):
    """Athena SQL to PostgreSQL: the map lookups."""
    return re.sub(r'element_at\(("[a-z_]+"), ', r"json_extract_path_text(\1, ", sql)


class MockAthena:
    def __init__(self, server, keys, database, region="us-east-1", page_size=50):
        self.pg = server
        self.keys = keys
        self.database = database
        self.region = region
        self.page_size = page_size
        self.lock = threading.Lock()
        self.sig_failures = []
        self.server = None
        self.reset()

    def reset(self):
        with self.lock:
            self.queries = {}         # id -> dict
            self.tokens = {}          # ClientRequestToken -> id
            self.calls = []           # (operation, status)
            self.executed = []        # SQL run on PostgreSQL
            self.starts = []          # StartQueryExecution requests
            self.fail_next = None
            self.cancel_next = False
            self.throttle_polls = 0
            self.fail_start = 0
            self.sig_failures = []

    def start(self):
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                status, headers, payload = mock.handle(self.path, self.headers, body)
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def count(self, operation):
        with self.lock:
            return sum(1 for op, status in self.calls if op == operation and status == 200)

    # ---- requests ----------------------------------------------------------

    def handle(self, path, headers, body):
        target = headers.get("X-Amz-Target", "")
        op = target[len("AmazonAthena."):] if target.startswith("AmazonAthena.") else target
        try:
            MockCostExplorer.verify(self, path, headers, body, "athena")
            signed = headers.get("Authorization", "")
            if "content-type" not in signed or "x-amz-target" not in signed:
                raise ApiError(403, "InvalidSignatureException", "unsigned target")
            if headers.get("Content-Type") != "application/x-amz-json-1.1":
                raise ApiError(400, "InvalidRequestException", "content type")
            req = json.loads(body)
            if op == "StartQueryExecution":
                answer = self.start_query(req)
            elif op == "GetQueryExecution":
                answer = self.get_execution(req)
            elif op == "GetQueryResults":
                answer = self.get_results(req)
            else:
                raise ApiError(400, "UnknownOperationException", "no operation " + target)
        except ApiError as e:
            with self.lock:
                self.calls.append((op, e.status))
            doc = {"__type": e.code, "Message": e.message}
            return e.status, [("Content-Type", "application/x-amz-json-1.1"),
                              ("x-amzn-ErrorType", e.code)], json.dumps(doc).encode()
        with self.lock:
            self.calls.append((op, 200))
        return 200, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(answer).encode()

    def start_query(self, req):
        token = req.get("ClientRequestToken", "")
        if not 32 <= len(token) <= 128:
            raise ApiError(400, "InvalidRequestException", "ClientRequestToken length")
        ctx = req.get("QueryExecutionContext", {})
        if ctx.get("Database") != self.database:
            raise ApiError(400, "InvalidRequestException", "unknown database %r" %
                           ctx.get("Database"))
        with self.lock:
            self.starts.append(req)
            qid = self.tokens.get(token)
            if qid is None:
                qid = str(uuid.uuid4())
                self.tokens[token] = qid
                q = {"sql": req["QueryString"], "polls": 0, "state": "QUEUED"}
                if self.fail_next:
                    q["fail"], self.fail_next = self.fail_next, None
                elif self.cancel_next:
                    q["cancel"], self.cancel_next = True, False
                self.queries[qid] = q
            if self.fail_start:
                self.fail_start -= 1
                raise ApiError(500, "InternalServerException", "try again")
        return {"QueryExecutionId": qid}

    def query(self, req):
        with self.lock:
            q = self.queries.get(req.get("QueryExecutionId"))
        if not q:
            raise ApiError(400, "InvalidRequestException", "QueryExecution not found")
        return q

    def get_execution(self, req):
        q = self.query(req)
        with self.lock:
            if self.throttle_polls:
                self.throttle_polls -= 1
                raise ApiError(400, "ThrottlingException", "Rate exceeded")
            q["polls"] += 1
            polls = q["polls"]
        status = {}
        if polls == 1:
            state = "QUEUED"
        elif polls == 2:
            state = "RUNNING"
        elif "fail" in q:
            state = "FAILED"
            status = {"StateChangeReason": q["fail"],
                      "AthenaError": {"ErrorCategory": 2, "ErrorMessage": q["fail"]}}
        elif "cancel" in q:
            state = "CANCELLED"
            status = {"StateChangeReason": "Query cancelled by user"}
        else:
            if "rows" not in q and "error" not in q:
                try:
                    with self.lock:
                        self.executed.append(q["sql"])
                    q["columns"], q["rows"] = pg_server.query_rows(self.pg, translate(q["sql"]))
                except RuntimeError as e:
                    q["error"] = str(e)
            if "error" in q:
                state = "FAILED"
                status = {"StateChangeReason": q["error"],
                          "AthenaError": {"ErrorCategory": 2, "ErrorMessage": q["error"]}}
            else:
                state = "SUCCEEDED"
        status["State"] = state
        return {"QueryExecution": {
            "QueryExecutionId": req["QueryExecutionId"], "Query": q["sql"], "Status": status,
            "Statistics": {"DataScannedInBytes": SCANNED if state == "SUCCEEDED" else 0}}}

    def get_results(self, req):
        q = self.query(req)
        if "rows" not in q:
            raise ApiError(400, "InvalidRequestException", "query has not succeeded")
        rows = [q["columns"]] + q["rows"]
        start = int(req.get("NextToken") or 0)
        size = min(int(req.get("MaxResults", 1000)), self.page_size)
        page = rows[start:start + size]
        out = {"ResultSet": {
            "Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in r]}
                     for r in page],
            "ResultSetMetadata": {"ColumnInfo": [{"Name": c, "Type": "varchar"}
                                                 for c in q["columns"]]}}}
        if start + size < len(rows):
            out["NextToken"] = str(start + size)
        return out
