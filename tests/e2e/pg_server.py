"""A throwaway PostgreSQL server for the end-to-end tests, holding the samples' CUR 2.0 data.

Debian's postgresql package gives initdb and pg_ctl under /usr/lib/postgresql/N/bin.  The server
listens on 127.0.0.1 on a free port, with its socket in its own temporary directory and trust
authentication for local connections, except for the role READER, which must give its password
(scram-sha-256); run as root, it runs as the postgres user.  The CUR 2.0
table "cur" has the export's columns: costs and amounts numeric, dates timestamp, the product,
resource_tags and cost_category maps json (or jsonb, or text holding JSON), everything else text (README, "Push-down to Athena and
PostgreSQL/Redshift")."""
import csv
import glob
import gzip
import io
import os
import shutil
import socket
import subprocess
import tempfile

NUMERIC = {
    "line_item_blended_cost", "line_item_blended_rate", "line_item_net_unblended_cost",
    "line_item_normalization_factor", "line_item_unblended_cost", "line_item_unblended_rate",
    "line_item_usage_amount", "pricing_public_on_demand_cost",
    "reservation_amortized_upfront_fee_for_billing_period", "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee", "savings_plan_savings_plan_effective_cost",
    "savings_plan_savings_plan_rate", "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
}
TIMESTAMP = {
    "bill_billing_period_end_date", "bill_billing_period_start_date",
    "line_item_usage_end_date", "line_item_usage_start_date",
}
JSON = {"product", "resource_tags", "cost_category", "discount"}
USER = "costrank"
DATABASE = "billing"
READER = "reader"  # a role that logs in with a password only (grant_reader)


def binaries():
    """The directory of initdb and pg_ctl, or None."""
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(d, "initdb"), os.X_OK) and os.access(
                os.path.join(d, "pg_ctl"), os.X_OK):
            return d
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def column_type(name, maps="json"):
    if name in NUMERIC:
        return "numeric"
    if name in TIMESTAMP:
        return "timestamp"
    if name in JSON:
        return maps
    return "text"


class PostgresServer:
    def __init__(self):
        self.bin = binaries()
        if not self.bin:
            raise RuntimeError("PostgreSQL server binaries not found (Debian package postgresql)")
        self.dir = tempfile.mkdtemp(prefix="costrank-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.started = False

    def _run(self, args, **kw):
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--"] + args
        return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=True,
                              timeout=120, **kw)

    def start(self):
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", USER,
                   "--auth=trust", "-E", "UTF8", "--locale=C"])
        opts = "-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c fsync=off" % (
            self.port, self.dir)
        hba = os.path.join(self.data, "pg_hba.conf")
        with open(hba, encoding="utf-8") as f:
            rules = f.read()
        with open(hba, "w", encoding="utf-8") as f:
            f.write("host all %s 127.0.0.1/32 scram-sha-256\n%s" % (READER, rules))
        self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-o", opts, "-w",
                   "-l", os.path.join(self.dir, "log"), "start"])
        self.started = True
        self.psql("postgres", "CREATE DATABASE %s" % DATABASE)
        return self

    def stop(self):
        if self.started:
            try:
                self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate",
                           "stop"])
            except subprocess.CalledProcessError:
                pass
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, user=USER):
        return "postgresql://%s@127.0.0.1:%d/%s" % (user, self.port, DATABASE)

    def grant_reader(self, password, table="cur"):
        """Creates the role READER with password, allowed to read table."""
        self.psql(DATABASE, "CREATE ROLE %s LOGIN PASSWORD '%s'; GRANT SELECT ON \"%s\" TO %s"
                  % (READER, password.replace("'", "''"), table.replace('"', '""'), READER))

    def psql(self, db, sql, stdin=None):
        """Runs sql with psql over TCP; returns its output (unaligned, tuples only)."""
        psql = os.path.join(self.bin, "psql")
        p = subprocess.run([psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                            "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", db, "-c", sql],
                           input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        if p.returncode:
            raise RuntimeError("psql: %s" % p.stderr.decode("utf-8", "replace"))
        return p.stdout.decode("utf-8")

    def load_cur2(self, root, table="cur", maps="json"):
        """Loads every CUR 2.0 part under root into table, its map columns of type maps (json,
        jsonb or text: JSON text, an empty map as ''); returns the number of rows."""
        parts = sorted(glob.glob(os.path.join(root, "**", "*.csv.gz"), recursive=True))
        header = None
        body = io.StringIO()
        for path in parts:
            with gzip.open(path, "rt", newline="") as f:
                rows = csv.reader(f)
                h = next(rows)
                if header is None:
                    header = h
                    w = csv.writer(body, lineterminator="\n")
                assert h == header, "%s: another header" % path
                for r in rows:
                    w.writerow(r)
        quoted = ['"%s"' % c.replace('"', '""') for c in header]
        staging = '"%s_text"' % table.replace('"', '""')
        target = '"%s"' % table.replace('"', '""')
        self.psql(DATABASE, "CREATE TABLE %s (%s)" % (
            staging, ", ".join("%s text" % q for q in quoted)))
        self.psql(DATABASE, "COPY %s FROM STDIN WITH (FORMAT csv)" % staging,
                  stdin=body.getvalue().encode("utf-8"))
        casts = ["NULLIF(%s, '')::%s AS %s" % (q, column_type(c, maps), q)
                 if column_type(c, maps) != "text" else q for c, q in zip(header, quoted)]
        self.psql(DATABASE, "CREATE TABLE %s AS SELECT %s FROM %s" % (
            target, ", ".join(casts), staging))
        self.psql(DATABASE, "DROP TABLE %s" % staging)
        return int(self.psql(DATABASE, "SELECT count(*) FROM %s" % target))


def query_rows(server, sql):
    """Runs sql on server's database; returns (column names, rows of text; NULL as None)."""
    psql = os.path.join(server.bin, "psql")
    p = subprocess.run([psql, "-X", "-q", "--csv", "-P", "null=\\N", "-v", "ON_ERROR_STOP=1",
                        "-h", "127.0.0.1", "-p", str(server.port), "-U", USER, "-d", DATABASE],
                       input=sql.encode("utf-8"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    if p.returncode:
        raise RuntimeError(p.stderr.decode("utf-8", "replace").strip())
    rows = list(csv.reader(io.StringIO(p.stdout.decode("utf-8"))))
    if not rows:
        return [], []
    return rows[0], [[None if v == "\\N" else v for v in r] for r in rows[1:]]
