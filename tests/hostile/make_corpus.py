#!/usr/bin/env python3
"""The hostile inputs that are large or binary: written at test time.

    tests/hostile/make_corpus.py DIR

writes them under DIR/<kind>/<name>, as cases.json lists them (the cases
with "generated": true).  The output is deterministic (no randomness, gzip
without a timestamp), so a failing case can be regenerated and replayed:

    costrank report --out /tmp/r DIR/billing/columns-50000.csv

Standard library only.
"""
import gzip
import io
import os
import sys
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import parquet_writer as pw  # noqa: E402

CUR2_COLUMNS = ["identity_line_item_id", "line_item_usage_account_id", "line_item_usage_account_name",
                "line_item_line_item_type", "line_item_usage_start_date", "line_item_product_code",
                "line_item_usage_type", "line_item_usage_amount", "line_item_currency_code",
                "line_item_unblended_cost", "pricing_unit", "product"]
HEADER = ",".join(CUR2_COLUMNS) + "\n"


def row(cost="1.25", date="2026-10-03T00:00:00Z", ut="BoxUsage:m5.large", name="prod"):
    return (f'id1,012345678901,{name},Usage,{date},AmazonEC2,{ut},1,USD,{cost},Hrs,'
            f'"{{""product_name"":""Amazon Elastic Compute Cloud""}}"\n')


# The last day of the month, so that October 2026 is complete.
END = row(cost="0", date="2026-10-31T00:00:00Z")
GOOD = (HEADER + row() + END).encode()
MANY_ROWS = (HEADER + row() * 3000 + END).encode()


def wide(ncols):
    """A CUR 2.0 file whose header has ncols columns: the needed ones among
    filler columns, and one row of as many fields."""
    fill = ncols - len(CUR2_COLUMNS)
    head = CUR2_COLUMNS[:6] + [f"x_filler_{i}" for i in range(fill)] + CUR2_COLUMNS[6:]
    cells = row(cost="3").rstrip("\n").split(",", 11)
    # the product map holds a comma inside quotes: split it off whole
    values = cells[:6] + [""] * fill + cells[6:]
    end = END.rstrip("\n").split(",", 11)
    end_values = end[:6] + [""] * fill + end[6:]
    return (",".join(head) + "\n" + ",".join(values) + "\n" + ",".join(end_values) + "\n").encode()


def billing():
    out = {}
    out["nul-byte.csv"] = HEADER.encode() + row().encode().replace(b",prod,", b",pr\x00d,") + END.encode()
    out["invalid-utf8.csv"] = (HEADER.encode() +
                               row(cost="2").encode().replace(b",prod,", b",pr\xff\xfeod\xc3(,")
                               .replace(b"BoxUsage:m5.large", b"Box\xed\xa0\x80Usage\xf8\x88\x80\x80\x80") +
                               END.encode())
    out["field-1mb-usage-type.csv"] = (HEADER + row(ut="BoxUsage:" * 116509, cost="4") + END).encode()
    out["field-1mb-amount.csv"] = (HEADER + row(cost="1" * (1 << 20)) + END).encode()
    out["field-1mb-quoted-name.csv"] = (HEADER + row(name='"' + 'a""b,\n' * 174763 + '"', cost="5") + END).encode()
    out["columns-50000.csv"] = wide(50000)
    out["columns-150000.csv"] = wide(150000)
    whole = gzip.compress(MANY_ROWS, mtime=0)
    out["truncated.csv.gz"] = whole[:len(whole) // 2]
    out["truncated-trailer.csv.gz"] = whole[:-4]
    out["corrupt.csv.gz"] = whole[:20] + b"\xff" * 80 + whole[100:]
    out["corrupt-crc.csv.gz"] = whole[:-8] + bytes(b ^ 0x55 for b in whole[-8:-4]) + whole[-4:]
    out["gzip-trailing-garbage.csv.gz"] = gzip.compress(GOOD, mtime=0) + b"this is not gzip\n"
    out["gzip-magic-only.csv.gz"] = b"\x1f\x8b"
    out["gzip-empty-content.csv.gz"] = gzip.compress(b"", mtime=0)
    # two members, as when parts are concatenated: both are read
    out["gzip-concatenated.csv.gz"] = (gzip.compress((HEADER + row(cost="1")).encode(), mtime=0) +
                                       gzip.compress(END.encode(), mtime=0))
    # a small file that inflates to 64 MiB of blank lines, then one header
    out["gzip-blank-bomb.csv.gz"] = gzip.compress(b"\n" * (64 << 20) + GOOD, mtime=0, compresslevel=9)
    # ZIP compression of legacy CUR: one CSV per archive
    one = zip_of({"part-1.csv": MANY_ROWS})
    out["zip-accepted.csv.zip"] = zip_of({"part-1.csv": GOOD})
    out["zip-two-files.csv.zip"] = zip_of({"part-1.csv": GOOD, "part-2.csv": GOOD})
    out["zip-empty-archive.csv.zip"] = zip_of({})
    out["zip-truncated.csv.zip"] = one[:len(one) // 2]
    out["zip-corrupt-data.csv.zip"] = one[:60] + b"\xff" * 200 + one[260:]
    return out


def zip_of(members):
    """A deterministic ZIP archive (fixed timestamps, deflated)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 3, 6, 12, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def parquet_cols(**enc):
    """A small CUR 2.0 file in Parquet (tests/tools/parquet_writer.py)."""
    return pw.cur2_columns(pw.cur2_rows(12), **enc)


def parquet():
    out = {}
    good = pw.write(parquet_cols())
    out["pq-good.parquet"] = good
    out["pq-truncated.parquet"] = good[:len(good) // 2]
    out["pq-wrong-magic.parquet"] = good[:-4] + b"PAR2"
    out["pq-wrong-start-magic.parquet"] = b"PAR2" + good[4:]
    out["pq-footer-past-end.parquet"] = pw.write(parquet_cols(), footer_tamper={"footer_len": 1 << 30})
    cols = parquet_cols(cost={"codec": "GZIP"})
    cols[5].tamper = {"unc": 40}
    out["pq-page-inflates-more.parquet"] = pw.write(cols)
    cols = parquet_cols(usage={"dictionary": True})
    cols[4].tamper = {"dict_indices": [0, 1, 2, 3, 9, 0, 1, 2, 3, 0, 1, 2]}
    out["pq-dictionary-index.parquet"] = pw.write(cols)
    cols = parquet_cols()
    cols[6].tamper = {"num_values": 20, "chunk_values": 20}
    out["pq-levels-short.parquet"] = pw.write(cols)
    out["pq-required-column-missing.parquet"] = pw.write(
        [c for c in parquet_cols() if c.name != "line_item_unblended_cost"])
    cols = parquet_cols()
    cols[5].tamper = {"codec": 4}
    out["pq-unsupported-codec.parquet"] = pw.write(cols)
    cols = parquet_cols()
    cols[5].tamper = {"chunk_type": pw.INT32}
    out["pq-chunk-type-differs.parquet"] = pw.write(cols)
    cols = parquet_cols()
    cols[5].tamper = {"chunk_size": 1 << 40}
    out["pq-chunk-past-end.parquet"] = pw.write(cols)
    cols = parquet_cols(cost_type="dec64")
    cols[5].logical = pw.DECIMAL(40, 60)
    out["pq-decimal-scale.parquet"] = pw.write(cols)
    cols = parquet_cols()
    cols[5].values[2] = float("nan")
    out["pq-nan-amount.parquet"] = pw.write(cols)
    cols = parquet_cols()
    cols[1].values = [None] + cols[1].values[1:]
    cols[1].required = True
    out["pq-required-null.parquet"] = pw.write(cols)
    return out


def deep_json(depth):
    return ("[" * depth + "]" * depth).encode()


def rules():
    return {
        "deep-nesting.json": b'{"rules": ' + deep_json(100000) + b"}",
        "invalid-utf8.json": b'{"rules": [{"id": "ec2-rightsizing", "title": "caf\xe9 \xff"}]}\n',
        "binary.json": bytes(range(256)) * 4,
        # 10,000 complete rules: validated and matched in reasonable time
        "huge-file.json": ('{"rules": [' + ",".join(
            '{"id": "team-%d", "title": "t", "action": "rightsizing", "match": {"usage_type": "*Box%d*"}, '
            '"environments": ["any"], "savings": {"model": "fraction", "fraction": 0.1}, "effort": "low", '
            '"risk": "low", "rationale": "r", "reference": "https://example.com/%d"}' % (i, i, i)
            for i in range(10000)) + "]}\n").encode(),
    }


def accounts():
    return {
        "deep-nesting.json": b'{"accounts": ' + deep_json(100000) + b"}",
        "invalid-utf8.json": b'{"accounts": [{"id": "012345678901", "name": "caf\xe9"}]}\n',
        "name-1mb.json": ('{"accounts": [{"id": "012345678901", "name": "' + "n" * (1 << 20) +
                          '", "environment": "production"}]}\n').encode(),
        "nul-byte.json": b'{"accounts": [{"id": "0123\x0045678901"}]}\n',
    }


def generate(dest):
    for kind, files in (("billing", {**billing(), **parquet()}), ("rules", rules()),
                        ("accounts", accounts())):
        os.makedirs(os.path.join(dest, kind), exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(dest, kind, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py DIR")
    generate(sys.argv[1])
