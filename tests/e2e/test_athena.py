"""--source athena against a local Athena endpoint (tests/tools/mock_athena.py).

The mock checks every signature, runs the SQL it receives on a throwaway PostgreSQL server loaded
with the samples' CUR 2.0 rows (a view adds the billing_period partition column of a CUR 2.0 Data
Exports table), walks each query through QUEUED and RUNNING, and pages its answers.  The report
must equal the report of the sample files (everything but the "source" block and the line on the
bytes scanned); FAILED and CANCELLED queries, throttled polls and a retried start must behave;
no secret may appear anywhere."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from common import (OPERATION_DEPENDENT, SAMPLES, run, tempdir,  # noqa: E402
                    without_commitments, without_resources)
import pg_server  # noqa: E402
from test_allocation import CATEGORY, check_against, oracle  # noqa: E402

AKID = "AKIDATHENAEXAMPLE"
SECRET = "athenaSECRETkeyEXAMPLE/K7MDENG+bPxRfiCY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEathenaSESSIONTOKEN0123456789"
ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
DATABASE = "cur_exports"
TABLE = "data"
LEGACY_TABLE = "legacy_cur"
LEGACY_COLUMNS = [
    "line_item_usage_account_id", "line_item_line_item_type", "pricing_term",
    "line_item_product_code", "line_item_usage_type", "pricing_unit", "line_item_currency_code",
    "line_item_usage_start_date", "line_item_unblended_cost", "line_item_usage_amount",
    "savings_plan_savings_plan_effective_cost", "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment", "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee", "reservation_reservation_a_r_n",
]
SCANNED_LINE = re.compile(r"^Athena scanned (\d+) bytes in (\d+) quer(?:y|ies) \(billed as (\d+) "
                          r"bytes\): USD (\d+\.\d{4}) at USD 5 per TB$")



def comparable(report):
    r = without_commitments({k: v for k, v in without_resources(report).items()
         if k not in ("source", "anomalies", "drivers") + OPERATION_DEPENDENT})
    r["warnings"] = [w for w in r.get("warnings", []) if not SCANNED_LINE.match(w)]
    return r


@unittest.skipIf(pg_server.binaries() is None and os.environ.get("CI") != "true",
                 "PostgreSQL server binaries absent (Debian package postgresql)")
class Athena(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from mock_athena import MockAthena
        cls.server = pg_server.PostgresServer().start()
        cls.line_items = cls.server.load_cur2(os.path.join(SAMPLES, "cur2"))
        cls.server.psql(pg_server.DATABASE, 'CREATE VIEW "%s" AS SELECT *, to_char('
                        '"bill_billing_period_start_date", \'YYYY-MM\') AS "billing_period" '
                        'FROM "cur"' % TABLE)
        # a legacy CUR table as AWS's Athena integration lays it out: flat columns (no account
        # name, no maps) and "year"/"month" partitions with unpadded months
        cls.server.psql(pg_server.DATABASE, 'CREATE VIEW "%s" AS SELECT %s, '
                        'json_extract_path_text("product", \'product_name\') AS '
                        '"product_product_name", json_extract_path_text("resource_tags", '
                        '\'user:environment\') AS "resource_tags_user_environment", '
                        'json_extract_path_text("resource_tags", \'user:team\') AS '
                        '"resource_tags_user_team", json_extract_path_text("cost_category", '
                        '\'CostCenter\') AS "cost_category_costcenter", "product_region_code" AS '
                        '"product_region", '
                        'to_char("bill_billing_period_start_date", \'FMYYYY\') AS "year", '
                        'to_char("bill_billing_period_start_date", \'FMMM\') AS "month" '
                        'FROM "cur"' % (LEGACY_TABLE, ", ".join('"%s"' % c for c in LEGACY_COLUMNS)))
        cls.mock = MockAthena(cls.server, {AKID: {"secret": SECRET, "token": TOKEN}},
                              DATABASE).start()
        cls.tmp = tempdir()
        with tempdir() as d:
            code, _, err = run(["report", "--format", "json", "--out", d, "--accounts", ACCOUNTS,
                                "--month", "2026-10", os.path.join(SAMPLES, "cur2")])
            assert code == 0, err
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                cls.files_report = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        cls.server.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.mock.reset()
        self.mock.page_size = 50

    def env(self, **extra):
        home = self.tmp.name
        env = {
            "HOME": home, "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_SESSION_TOKEN": TOKEN,
            "AWS_CONFIG_FILE": os.path.join(home, "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-credentials"),
            "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "", "AWS_ROLE_ARN": "",
            "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_EC2_METADATA_DISABLED": "true",
            "HTTPS_PROXY": "", "https_proxy": "",
            "COSTRANK_ATHENA_POLL_MS": "20",
        }
        env.update(extra)
        return env

    def athena(self, *extra, table=TABLE, env=None, formats="json"):
        with tempdir() as d:
            argv = ["report", "--source", "athena", "--endpoint-url", self.mock.url,
                    "--athena-database", DATABASE, "--athena-workgroup", "finops",
                    "--athena-output", "s3://results-bucket/costrank/", "--table", table,
                    "--format", formats, "--out", d, "--accounts", ACCOUNTS,
                    "--month", "2026-10"] + list(extra)
            code, out, err = run(argv, env=env or self.env())
            rep, texts = None, [out, err]
            for name in os.listdir(d):
                with open(os.path.join(d, name), encoding="utf-8", errors="replace") as f:
                    texts.append(f.read())
            path = os.path.join(d, "costrank-2026-10.json")
            if os.path.exists(path):
                with open(path) as f:
                    rep = json.load(f)
            for t in texts:
                for secret in (SECRET, TOKEN):
                    self.assertNotIn(secret, t)
            return code, out, err, rep

    def test_report_equals_file_report(self):
        code, out, err, rep = self.athena(formats="json,csv,md,html")
        self.assertEqual(code, 0, err)
        self.assertEqual(comparable(rep), comparable(self.files_report))
        self.assertEqual(rep["source"]["kind"], "athena")
        self.assertEqual(self.mock.sig_failures, [])
        # three queries, each walked through its states and paged
        self.assertEqual(len(self.mock.executed), 3)
        self.assertEqual(self.mock.count("StartQueryExecution"), 3)
        self.assertGreaterEqual(self.mock.count("GetQueryExecution"), 9)
        self.assertGreater(self.mock.count("GetQueryResults"), 10, "small pages")
        for req in self.mock.starts:
            self.assertEqual(req["WorkGroup"], "finops")
            self.assertEqual(req["ResultConfiguration"]["OutputLocation"],
                             "s3://results-bucket/costrank/")
            self.assertEqual(req["QueryExecutionContext"]["Catalog"], "AwsDataCatalog")
        self.assertEqual(len({r["ClientRequestToken"] for r in self.mock.starts}), 3)
        # partition predicate: only the two months are scanned
        self.assertIn("\"billing_period\" IN ('2026-09', '2026-10')", self.mock.executed[0])
        self.assertIn('FROM "data"', self.mock.executed[0])
        scanned = [w for w in rep["warnings"] if SCANNED_LINE.match(w)]
        self.assertEqual(len(scanned), 1, rep["warnings"])
        m = SCANNED_LINE.match(scanned[0])
        self.assertEqual(int(m.group(1)), 3 * 123456789)
        self.assertEqual(m.group(4), "%.4f" % (3 * 123456789 * 5 / 1e12))
        m = re.search(r"Athena: 3 queries, \d+ calls, (\d+) aggregated rows pulled back for "
                      r"(\d+) line items", err)
        self.assertTrue(m, err)
        self.assertEqual(int(m.group(2)), self.line_items)
        self.assertLess(int(m.group(1)) * 3, self.line_items)
        self.assertEqual(rep["source"]["pushdown"], {
            "queries": 3, "rows": int(m.group(1)), "line_items": self.line_items,
            "bytes_scanned": 3 * 123456789, "bytes_billed": 3 * 123456789})

    def test_legacy_cur_table(self):
        for metric in ("unblended", "amortized"):
            code, out, err, rep = self.athena("--table-layout", "legacy", "--metric", metric,
                                              table=LEGACY_TABLE)
            self.assertEqual(code, 0, err)
            self.assertIn('("year" = \'2026\' AND "month" = \'9\') OR '
                          '("year" = \'2026\' AND "month" = \'10\')', self.mock.executed[0])
            self.assertNotIn('"billing_period"', self.mock.executed[0])
            if metric == "unblended":
                self.assertEqual(comparable(rep), comparable(self.files_report))
            else:
                with tempdir() as d:
                    c, _, e = run(["report", "--format", "json", "--out", d, "--accounts",
                                   ACCOUNTS, "--month", "2026-10", "--metric", "amortized",
                                   os.path.join(SAMPLES, "cur2")])
                    self.assertEqual(c, 0, e)
                    with open(os.path.join(d, "costrank-2026-10.json")) as f:
                        self.assertEqual(comparable(rep), comparable(json.load(f)))
            self.mock.reset()

    def test_by_is_grouped_in_the_engine(self):
        """--by tag:team, region and cost-category:CostCenter from the CUR 2.0 maps
        (element_at) and from a legacy table's flat columns: one more query per dimension, and
        every value and the untagged spend equal Decimal sums of the raw sample files."""
        want = oracle("cur2")
        by = ["--by", "tag:team", "--by", "region", "--by", CATEGORY]
        for table, layout in ((TABLE, []), (LEGACY_TABLE, ["--table-layout", "legacy"])):
            with self.subTest(table=table):
                self.mock.reset()
                code, out, err, rep = self.athena(*(by + layout), table=table)
                self.assertEqual(code, 0, err)
                self.assertEqual(len(self.mock.executed), 6)
                dims = self.mock.executed[3:]
                if table == TABLE:
                    self.assertIn("element_at(\"resource_tags\", 'user:team')", dims[0])
                    self.assertIn("element_at(\"cost_category\", 'CostCenter')", dims[2])
                else:
                    self.assertIn('"resource_tags_user_team"', dims[0])
                    self.assertIn('"product_region"', dims[1])
                    self.assertIn('"cost_category_costcenter"', dims[2])
                self.assertEqual(len(check_against(self, rep, want)), 3)

    def test_failed_query_shows_the_engine_message(self):
        self.mock.fail_next = "COLUMN_NOT_FOUND: line 3:2: Column 'pricing_term' cannot be resolved"
        code, out, err, rep = self.athena()
        self.assertEqual(code, 5, err)
        self.assertIsNone(rep)
        self.assertIn("failed: COLUMN_NOT_FOUND: line 3:2: Column 'pricing_term' cannot be "
                      "resolved (check --table-layout", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_missing_table_gets_advice(self):
        # Athena's own wording (the mock's engine would say it as PostgreSQL does)
        self.mock.fail_next = ("TABLE_NOT_FOUND: line 16:6: Table "
                               "'awsdatacatalog.cur_exports.no_such_table' does not exist")
        code, out, err, rep = self.athena(table="no_such_table")
        self.assertEqual(code, 5, err)
        self.assertIn("does not exist (check --table and --athena-database)", err)

    def test_empty_partitions_are_no_data(self):
        for layout, table, hint in (("data-exports", TABLE, "billing_period partitions"),
                                    ("legacy", LEGACY_TABLE, "year/month partitions")):
            code, out, err, rep = self.athena("--table-layout", layout, "--month", "2025-01",
                                              table=table)
            self.assertEqual(code, 7, err)
            self.assertIsNone(rep)
            self.assertIn("the Athena table %s holds no line items for the billing periods "
                          "2024-12 to 2025-01" % table, err)
            self.assertIn(hint, err)
            self.assertIn("MSCK REPAIR TABLE", err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_cancelled_query(self):
        self.mock.cancel_next = True
        code, out, err, rep = self.athena()
        self.assertEqual(code, 5, err)
        self.assertIn("was cancelled: Query cancelled by user", err)

    def test_throttled_polls_are_retried(self):
        self.mock.throttle_polls = 3
        code, out, err, rep = self.athena("--no-rules")
        self.assertEqual(code, 0, err)
        self.assertEqual(sum(1 for op, s in self.mock.calls
                             if op == "GetQueryExecution" and s == 400), 3)

    def test_retried_start_runs_the_query_once(self):
        self.mock.fail_start = 2
        code, out, err, rep = self.athena("--no-rules")
        self.assertEqual(code, 0, err)
        tokens = [r["ClientRequestToken"] for r in self.mock.starts]
        self.assertEqual(len(tokens), 4)  # the first start three times, then the second
        self.assertEqual(tokens[0], tokens[1])
        self.assertEqual(tokens[1], tokens[2])
        self.assertEqual(len(self.mock.executed), 2)
        self.assertEqual(comparable(rep)["total"], self.files_report["total"])

    def test_engine_error_for_hostile_table(self):
        code, out, err, rep = self.athena(table='data"; DROP VIEW data; --')
        self.assertEqual(code, 5, err)
        self.assertIn('relation "data"; DROP VIEW data; --" does not exist', err)
        self.assertIn('FROM "data""; DROP VIEW data; --"', self.mock.starts[0]["QueryString"])
        self.assertEqual(self.server.psql(pg_server.DATABASE,
                                          'SELECT count(*) FROM "data"').strip(),
                         str(self.line_items))

    def test_wrong_secret_is_an_auth_error(self):
        code, out, err, rep = self.athena(env=self.env(AWS_SECRET_ACCESS_KEY="wrong" + SECRET))
        self.assertEqual(code, 6, err)
        self.assertIn("InvalidSignatureException", err)
        self.assertNotIn("wrong" + SECRET, err)

    def test_usage_errors(self):
        code, out, err = run(["report", "--source", "athena", "--table", "t"], env=self.env())
        self.assertEqual(code, 2, err)
        self.assertIn("--athena-database", err)
        code, out, err = run(["report", "--athena-database", "db", os.path.join(SAMPLES, "cur2")],
                             env=self.env())
        self.assertEqual(code, 2, err)
        code, out, err = run(["report", "--source", "athena", "--athena-database", "db",
                              "--table", "t", "--table-layout", "parquet"], env=self.env())
        self.assertEqual(code, 2, err)
        self.assertIn("--table-layout 'parquet' is not data-exports, cur2 or legacy", err)
        code, out, err = run(["report", "--table-layout", "legacy", os.path.join(SAMPLES, "cur2")],
                             env=self.env())
        self.assertEqual(code, 2, err)
        self.assertIn("--table-layout apply to --source athena or postgres", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
