// Runs SQL statements in an in-memory DuckDB and prints the rows of the
// last one as JSON (every value as text, NULL as null).
//
//   node sql.mjs "COPY (...) TO 'x.parquet' (FORMAT parquet)" "SELECT ..."
//
// One thread, so that files are written the same way on every run.
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await instance.connect();
let rows = [];
for (const sql of process.argv.slice(2)) {
  const reader = await con.runAndReadAll(sql);
  rows = reader.getRows().map((r) => r.map((v) => (v === null ? null : String(v))));
}
process.stdout.write(JSON.stringify(rows) + '\n');
