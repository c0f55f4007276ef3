// The aggregation costrank does, in DuckDB: unblended cost of one month by
// account, product code and usage type, credits, refunds and tax left out.
//
//   node aggregate.mjs --threads 2 --month 2026-10 [--parquet] FILE...
//
// Prints one JSON object: {"seconds": query time, "groups": [[account,
// product code, usage type, cost], ...]} with costs as exact decimal
// strings.  Every column is read as text (all_varchar) and the cost is cast
// to DECIMAL(38,10): CUR amounts have at most 10 decimal places, so the
// sums are exact and can be compared digit for digit with costrank's.
import { DuckDBInstance } from '@duckdb/node-api';

function parseArgs(argv) {
  const opts = { threads: 2, month: null, files: [], parquet: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--threads') opts.threads = Number(argv[++i]);
    else if (argv[i] === '--parquet') opts.parquet = true;
    else if (argv[i] === '--month') opts.month = argv[++i];
    else opts.files.push(argv[i]);
  }
  if (!opts.month || !opts.files.length) {
    console.error('usage: node aggregate.mjs [--threads N] --month YYYY-MM FILE...');
    process.exit(2);
  }
  return opts;
}

function nextMonth(month) {
  let [y, m] = month.split('-').map(Number);
  m += 1;
  if (m === 13) { y += 1; m = 1; }
  return `${y}-${String(m).padStart(2, '0')}`;
}

const quote = (s) => `'${s.replaceAll("'", "''")}'`;

const opts = parseArgs(process.argv.slice(2));
const instance = await DuckDBInstance.create(':memory:', { threads: String(opts.threads) });
const con = await instance.connect();
const files = `[${opts.files.map(quote).join(', ')}]`;
// --parquet: typed columns (DOUBLE amounts, TIMESTAMP dates) read natively;
// amounts of at most 10 decimals cast exactly to DECIMAL(38, 10)
const from = opts.parquet
  ? `read_parquet(${files})`
  : `read_csv(${files}, header = true, all_varchar = true, quote = '"', escape = '"',
                delim = ',', max_line_size = 67108864)`;
const sql = `
  SELECT line_item_usage_account_id AS account,
         line_item_product_code AS product_code,
         coalesce(line_item_usage_type, '') AS usage_type,
         CAST(sum(CAST(line_item_unblended_cost AS DECIMAL(38, 10))) AS VARCHAR) AS cost
  FROM ${from}
  WHERE line_item_line_item_type NOT IN ('Credit', 'Refund', 'Tax')
    AND line_item_usage_start_date >= ${quote(opts.month + '-01')}
    AND line_item_usage_start_date < ${quote(nextMonth(opts.month) + '-01')}
  GROUP BY ALL
  ORDER BY ALL`;
const t0 = process.hrtime.bigint();
const reader = await con.runAndReadAll(sql);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const groups = reader.getRows().map((r) => r.map((v) => (v === null ? '' : String(v))));
process.stdout.write(JSON.stringify({ seconds, groups }) + '\n');
