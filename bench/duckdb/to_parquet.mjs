// Writes a CUR 2.0 CSV file as AWS writes CUR 2.0 Parquet: DOUBLE amounts,
// TIMESTAMP dates, the product / resource_tags / cost_category / discount
// maps as MAP(VARCHAR, VARCHAR); Snappy pages, DuckDB's row groups.
//
//   node to_parquet.mjs IN.csv OUT.parquet
import { DuckDBInstance } from '@duckdb/node-api';

const [src, dst] = process.argv.slice(2);
if (!src || !dst) {
  console.error('usage: node to_parquet.mjs IN.csv OUT.parquet');
  process.exit(2);
}
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await instance.connect();
const csv = `read_csv(${quote(src)}, header = true, all_varchar = true, quote = '"', escape = '"', ` +
            `delim = ',', max_line_size = 67108864)`;
const cols = (await con.runAndReadAll(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${csv})`))
  .getRows().map((r) => String(r[0]));
const maps = new Set(['product', 'resource_tags', 'cost_category', 'discount']);
const amount = /(cost|amount|_fee|fee_for_billing_period|commitment_to_date|used_commitment|_rate)$/;
const select = cols.map((c) => {
  const e = `"${c}"`;
  if (maps.has(c)) return `CAST(json(NULLIF(${e}, '')) AS MAP(VARCHAR, VARCHAR)) AS ${e}`;
  if (amount.test(c)) return `TRY_CAST(NULLIF(${e}, '') AS DOUBLE) AS ${e}`;
  if (c.endsWith('_date')) return `TRY_CAST(NULLIF(${e}, '') AS TIMESTAMP) AS ${e}`;
  return e;
}).join(', ');
await con.run(`COPY (SELECT ${select} FROM ${csv}) TO ${quote(dst)} (FORMAT parquet, COMPRESSION snappy)`);
