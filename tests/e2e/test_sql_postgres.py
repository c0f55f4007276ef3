"""--source postgres against a real PostgreSQL server holding the samples' CUR 2.0 rows.

The suite starts a throwaway server (tests/e2e/pg_server.py) on a loopback port and loads
samples/cur2 into the table "cur".  The report pulled by the aggregation queries must equal the
report of the sample files (everything but the "source" block), for both metrics and with the
rules, while far fewer rows come back than there are line items.  The tests log in as a role that
needs a password, given in PGPASSWORD or a ~/.pgpass file; a password inside --db-url is refused,
and neither the password nor libpq's text quoting the URL appears anywhere; a hostile table name
and a refused query must fail in one line.  Without the
server binaries (a developer machine) the tests skip, unless CI=true."""
import csv
import json
import os
import re
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from common import (OPERATION_DEPENDENT, SAMPLES, run, tempdir,  # noqa: E402
                    without_commitments, without_resources)
import pg_server  # noqa: E402
from test_allocation import CATEGORY, check_against, oracle  # noqa: E402

ACCOUNTS = os.path.join(SAMPLES, "accounts.json")
PASSWORD = "pg-S3cret-never-shown"



def without_source(report):
    return without_commitments({k: v for k, v in without_resources(report).items()
            if k not in ("source", "anomalies", "drivers") + OPERATION_DEPENDENT})


ENV = {"PGPASSWORD": PASSWORD}


def report_json(args, env=ENV):
    with tempdir() as d:
        code, out, err = run(["report", "--format", "json,csv,md", "--out", d, "--accounts",
                              ACCOUNTS] + args, env=env)
        files = {}
        if code == 0:
            for name in os.listdir(d):
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    files[name] = f.read()
        return code, out, err, files


@unittest.skipIf(pg_server.binaries() is None and os.environ.get("CI") != "true",
                 "PostgreSQL server binaries absent (Debian package postgresql)")
class SqlPostgres(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = pg_server.PostgresServer().start()
        cls.line_items = cls.server.load_cur2(os.path.join(SAMPLES, "cur2"))
        cls.server.grant_reader(PASSWORD)
        cls.url = cls.server.url(pg_server.READER)
        # the same rows with jsonb and text maps, and with a column per tag and category
        for maps in ("jsonb", "text"):
            cls.server.load_cur2(os.path.join(SAMPLES, "cur2"), "cur_" + maps, maps)
        cls.server.psql(pg_server.DATABASE, """
            CREATE TABLE cur_flat AS SELECT *,
                resource_tags ->> 'user:team' AS resource_tags_user_team,
                resource_tags ->> 'user:environment' AS resource_tags_user_environment,
                cost_category ->> 'CostCenter' AS cost_category_costcenter,
                product_region_code AS product_region FROM cur;
            ALTER TABLE cur_flat DROP COLUMN resource_tags, DROP COLUMN cost_category,
                DROP COLUMN product_region_code""")
        cls.server.psql(pg_server.DATABASE, "GRANT SELECT ON cur_jsonb, cur_text, cur_flat TO %s"
                        % pg_server.READER)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def pg(self, *extra):
        return ["--source", "postgres", "--db-url", self.url, "--table", "cur"] + list(extra)

    def check_same(self, extra, month="2026-10"):
        extra = ["--month", month] + extra
        name = "costrank-%s.json" % month
        code, out, err, files = report_json(["--format", "json"] + extra +
                                            [os.path.join(SAMPLES, "cur2")])
        self.assertEqual(code, 0, err)
        want = json.loads(files[name])
        code, out, err, got_files = report_json(self.pg("--format", "json", *extra))
        self.assertEqual(code, 0, err)
        got = json.loads(got_files[name])
        self.assertEqual(without_source(got), without_source(want))
        self.assertEqual(got["source"]["kind"], "postgres")
        if month == "2026-10":  # the files hold no later month than the table scans
            self.assertEqual(got["source"]["data_through"], want["source"]["data_through"])
        for text in [out, err] + list(got_files.values()):
            self.assertNotIn(PASSWORD, text)
        m = re.search(r"PostgreSQL: (\d+) quer(?:y|ies), (\d+) aggregated rows? pulled back "
                      r"for (\d+) line items?", err)
        self.assertTrue(m, err)
        queries, rows, items = int(m.group(1)), int(m.group(2)), int(m.group(3))
        self.assertIsNone(want["source"]["pushdown"])
        self.assertEqual(got["source"]["pushdown"], {
            "queries": queries, "rows": rows, "line_items": items, "bytes_scanned": None,
            "bytes_billed": None})
        if month == "2026-10":  # the table's rows are those of 2026-09 and 2026-10
            self.assertEqual(items, self.line_items)
        else:
            self.assertLess(items, self.line_items)
        return queries, rows, items

    def test_same_report_as_files(self):
        queries, rows, items = self.check_same([])
        # the table's columns; per period; per day for the rules' lines; tags
        self.assertEqual(queries, 4)
        self.assertLess(rows * 3, items, "aggregated rows should be far fewer than line items")
        print("postgres: %d queries, %d rows for %d line items" % (queries, rows, items))

    def test_same_report_amortized(self):
        self.check_same(["--metric", "amortized"])

    def test_same_report_without_rules(self):
        queries, rows, items = self.check_same(["--no-rules"])
        self.assertEqual(queries, 3)
        self.assertLess(rows * 10, items)

    def test_same_report_with_included_categories(self):
        self.check_same(["--include", "credits,refunds,tax", "--top", "3", "--top-usage", "2"])

    def test_other_period(self):
        self.check_same([], month="2026-09")

    def test_by_equals_the_raw_files_for_every_map_type(self):
        """--by tag:team, region and cost-category:CostCenter grouped in the engine, from json,
        jsonb and text maps and from a column per tag: every value and the untagged spend equal
        Decimal sums of the raw sample files, in the JSON, the CSV for finance and the table, and
        the whole report equals the one read from the files."""
        want = oracle("cur2")
        by = ["--by", "tag:team", "--by", "region", "--by", CATEGORY]
        code, _, err, files = report_json(["--month", "2026-10", "--format", "json"] + by +
                                          [os.path.join(SAMPLES, "cur2")])
        self.assertEqual(code, 0, err)
        from_files = json.loads(files["costrank-2026-10.json"])
        for table in ("cur", "cur_jsonb", "cur_text", "cur_flat"):
            with self.subTest(table=table), tempdir() as d:
                code, out, err = run(["report", "--format", "table,json,csv", "--out", d,
                                      "--color", "never", "--accounts", ACCOUNTS, "--source",
                                      "postgres", "--db-url", self.url, "--table", table,
                                      "--month", "2026-10"] + by, env=ENV)
                self.assertEqual(code, 0, err)
                with open(os.path.join(d, "costrank-2026-10.json"), encoding="utf-8") as f:
                    rep = json.load(f)
                self.assertEqual(without_source(rep), without_source(from_files))
                self.assertIn("PostgreSQL: 7 queries", err)  # columns, 3, one per dimension
                expect = check_against(self, rep, want)
                for dim, cur in expect.items():
                    name = "costrank-2026-10-by-%s.csv" % dim.replace(":", "-")
                    with open(os.path.join(d, name), newline="", encoding="utf-8") as f:
                        rows = list(csv.DictReader(f))
                    self.assertEqual({None if r["untagged"] == "true" else r["value"]:
                                      Decimal(r["cost"]) for r in rows}, cur, name)
                    # the table: each value on a line of its own with its cost to the cent
                    section = out[out.index("By " + dim):]
                    for value, amount in cur.items():
                        label = value or {"region": "(no region)",
                                          CATEGORY: "(uncategorized)"}.get(dim, "(untagged)")
                        line = next((ln for ln in section.splitlines()[2:]
                                     if re.match(r"\s*(\d+\s+)?%s\s" % re.escape(label), ln)),
                                    None)
                        self.assertIsNotNone(line, (dim, label))
                        cents = "{:,.2f}".format(amount.quantize(Decimal("0.01")))
                        self.assertIn(cents, line, (dim, label))
        self.assertNotEqual(want["tag:team"]["cur"][None], 0)

    def test_empty_period_is_no_data(self):
        with tempdir() as d:
            code, out, err = run(["report", "--format", "json,csv", "--out", d, "--source",
                                  "postgres", "--db-url", self.url, "--table", "cur",
                                  "--month", "2025-01"], env=ENV)
            self.assertEqual(os.listdir(d), [])
        self.assertEqual(code, 7, err)
        self.assertNotIn(PASSWORD, err)
        self.assertIn("the PostgreSQL table cur holds no line items for the billing periods "
                      "2024-12 to 2025-01: check --table and --table-layout", err)

    def test_hostile_table_is_quoted(self):
        for name in ['cur"; DROP TABLE cur; --', "db.tab\"le", "cur' OR '1'='1"]:
            code, out, err, _ = report_json(["--source", "postgres", "--db-url", self.url,
                                             "--table", name])
            self.assertEqual(code, 5, err)
            self.assertIn("does not exist", err)
            self.assertNotIn(PASSWORD, err)
        self.assertEqual(self.server.psql(pg_server.DATABASE, "SELECT count(*) FROM cur").strip(),
                         str(self.line_items))

    def test_refused_connection(self):
        url = "postgresql://costrank@127.0.0.1:1/billing"
        code, out, err, _ = report_json(["--source", "postgres", "--db-url", url, "--table",
                                         "cur"])
        self.assertEqual(code, 5, err)
        self.assertIn("postgresql://127.0.0.1:1/billing: cannot connect", err)
        self.assertNotIn(PASSWORD, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_usage_errors(self):
        for args, text in [(["--source", "postgres", "--table", "cur"], "--db-url"),
                           (["--source", "postgres", "--db-url", self.url], "--table"),
                           (["--table", "cur", os.path.join(SAMPLES, "cur2")], "--table"),
                           (["--source", "postgres", "--db-url", self.url, "--table", "a..b"],
                            "not a table name")]:
            code, out, err, _ = report_json(args + ["--month", "2026-10"])
            self.assertEqual(code, 2, (args, err))
            self.assertIn(text, err)

    def test_dry_run_prints_the_queries(self):
        code, out, err = run(["report", "--source", "postgres", "--db-url", self.url, "--table",
                              "cur", "--month", "2026-10", "--dry-run"], env=ENV)
        self.assertEqual(code, 0, err)
        self.assertIn('FROM "cur"', out)
        self.assertIn("\"bill_billing_period_start_date\" >= TIMESTAMP '2026-09-01 00:00:00'", out)
        self.assertNotIn(PASSWORD, out + err)

    def test_password_from_pgpass_file(self):
        with tempdir() as d:
            passfile = os.path.join(d, "pgpass")
            with open(passfile, "w", encoding="utf-8") as f:
                f.write("127.0.0.1:%d:%s:%s:%s\n" % (self.server.port, pg_server.DATABASE,
                                                      pg_server.READER, PASSWORD))
            os.chmod(passfile, 0o600)
            code, out, err, files = report_json(self.pg("--month", "2026-10"),
                                                env={"PGPASSFILE": passfile})
        self.assertEqual(code, 0, err)
        self.assertIn("costrank-2026-10.json", files)

    def test_wrong_password_is_an_auth_error(self):
        code, out, err, files = report_json(self.pg("--month", "2026-10"),
                                            env={"PGPASSWORD": "not-" + PASSWORD})
        self.assertEqual(code, 6, err)
        self.assertEqual(files, {})
        self.assertIn("postgresql://127.0.0.1:%d/billing: cannot connect: " % self.server.port,
                      err)
        self.assertIn("password authentication failed", err)
        self.assertNotIn(PASSWORD, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_password_in_url_is_refused(self):
        port = self.server.port
        for url in ["postgresql://reader:%s@127.0.0.1:%d/billing" % (PASSWORD, port),
                    "postgresql://reader:Pa/ss-%s@127.0.0.1:%d/billing" % (PASSWORD, port),
                    "postgresql://reader:Pa?ss-%s@127.0.0.1:%d/billing" % (PASSWORD, port),
                    "postgresql://reader:Pa#ss-%s@127.0.0.1:%d/billing" % (PASSWORD, port),
                    "POSTGRESQL://reader:%s@127.0.0.1:%d/billing" % (PASSWORD, port),
                    "postgres://reader@127.0.0.1:%d/billing?password=%s" % (port, PASSWORD),
                    "host=127.0.0.1 port=%d dbname=billing user=reader password=%s" % (
                        port, PASSWORD)]:
            with self.subTest(url=url):
                code, out, err, files = report_json(self.pg("--month", "2026-10")[:3] +
                                                    [url, "--table", "cur"], env={})
                self.assertEqual(code, 2, err)
                self.assertEqual(files, {})
                self.assertIn("--db-url", err)
                self.assertIn("PGPASSWORD", err)
                self.assertNotIn(PASSWORD, out + err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_libpq_text_quoting_the_url_is_not_shown(self):
        secret = "Dont-Echo-Me"
        for url, why in [("postgresql://reader@127.0.0.1/bill%zz" + secret, "'%'"),
                         ("postgresql://reader@127.0.0.1/bill%00" + secret, "%00"),
                         ("postgresql://reader@[::1/" + secret, "IPv6"),
                         ("postgresql://reader@127.0.0.1/billing?" + secret + "=1", "parameter"),
                         ("mysql://reader@127.0.0.1/" + secret, "neither")]:
            with self.subTest(url=url):
                code, out, err, files = report_json(["--source", "postgres", "--db-url", url,
                                                     "--table", "cur"])
                self.assertEqual(code, 2, err)
                self.assertIn("--db-url (not shown) is not a libpq URL", err)
                self.assertIn(why, err)
                self.assertNotIn(secret, out + err)

    def test_upper_case_scheme_connects(self):
        url = self.url.replace("postgresql://", "POSTGRESQL://")
        code, out, err, files = report_json(["--source", "postgres", "--db-url", url, "--table",
                                             "cur", "--month", "2026-10"])
        self.assertEqual(code, 0, err)
        self.assertNotIn("POSTGRESQL", out + err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
