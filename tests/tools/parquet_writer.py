"""A small Parquet writer for tests: Thrift compact written by hand, flat
columns only, for what DuckDB does not write (INT96, the DELTA encodings,
BYTE_STREAM_SPLIT, data page v2) and for damaged files (every field of the
footer and page headers can be overridden).  Deterministic; standard
library only (codecs UNCOMPRESSED and GZIP).

    cols = [Column("line_item_unblended_cost", DOUBLE, [1.5, None, 2.25],
                   encoding="BYTE_STREAM_SPLIT")]
    data = write(cols, row_groups=[3])
"""
import struct
import zlib

BOOLEAN, INT32, INT64, INT96, FLOAT, DOUBLE, BYTE_ARRAY, FLBA = range(8)
ENCODINGS = {"PLAIN": 0, "PLAIN_DICTIONARY": 2, "RLE": 3, "BIT_PACKED": 4,
             "DELTA_BINARY_PACKED": 5, "DELTA_LENGTH_BYTE_ARRAY": 6, "DELTA_BYTE_ARRAY": 7,
             "RLE_DICTIONARY": 8, "BYTE_STREAM_SPLIT": 9}
CODECS = {"UNCOMPRESSED": 0, "SNAPPY": 1, "GZIP": 2, "LZO": 3, "BROTLI": 4, "LZ4": 5,
          "ZSTD": 6, "LZ4_RAW": 7}

# Thrift compact types
T_TRUE, T_FALSE, T_BYTE, T_I16, T_I32, T_I64, T_DOUBLE, T_BINARY, T_LIST, T_SET, T_MAP, \
    T_STRUCT = range(1, 13)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return varint((n << 1) ^ (n >> 63))


def enc_value(kind, v):
    if kind in (T_I32, T_I64, T_I16):
        return zigzag(v)
    if kind == T_BINARY:
        v = v.encode() if isinstance(v, str) else v
        return varint(len(v)) + v
    if kind == T_STRUCT:
        return enc_struct(v)
    if kind == T_LIST:
        et, items = v
        n = len(items)
        head = bytes([(n << 4) | et]) if n < 15 else bytes([0xF0 | et]) + varint(n)
        return head + b"".join(enc_value(et, x) for x in items)
    raise ValueError(kind)


def enc_struct(fields):
    """fields: [(id, type, value)]; None values are left out; T_TRUE for a bool."""
    out = bytearray()
    last = 0
    for fid, kind, v in sorted(fields, key=lambda f: f[0]):
        if v is None:
            continue
        if kind == T_TRUE:
            kind = T_TRUE if v else T_FALSE
        delta = fid - last
        if 0 < delta <= 15:
            out.append((delta << 4) | kind)
        else:
            out.append(kind)
            out += zigzag(fid)
        last = fid
        if kind not in (T_TRUE, T_FALSE):
            out += enc_value(kind, v)
    out.append(0)
    return bytes(out)


# ---- encodings -----------------------------------------------------------------

def bitpack(values, width):
    acc = 0
    for i, v in enumerate(values):
        acc |= v << (i * width)
    return acc.to_bytes((len(values) * width + 7) // 8, "little")


def rle_hybrid(values, width):
    """RLE runs for repeats, bit-packed groups of 8 otherwise."""
    out = bytearray()
    i = 0
    nb = (width + 7) // 8
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i]:
            j += 1
        if j - i >= 8 or len(values) - i < 8:
            run = j - i
            out += varint(run << 1) + values[i].to_bytes(nb, "little") if nb else varint(run << 1)
            i = j
        else:
            group = values[i:i + 8]
            out += varint((1 << 1) | 1) + bitpack(group, width)
            i += 8
    return bytes(out)


def bit_width(n):
    return n.bit_length()


def delta_binary_packed(values, block=128, minis=4):
    per = block // minis
    out = bytearray(varint(block) + varint(minis) + varint(len(values)))
    out += zigzag(values[0] if values else 0)
    deltas = [values[i] - values[i - 1] for i in range(1, len(values))]
    for b in range(0, len(deltas), block):
        chunk = deltas[b:b + block]
        mn = min(chunk)
        out += zigzag(mn)
        rel = [d - mn for d in chunk]
        groups = [rel[m:m + per] for m in range(0, len(rel), per)]
        widths = [bit_width(max(g)) for g in groups] + [0] * (minis - len(groups))
        out += bytes(widths)
        for g, w in zip(groups, widths):
            out += bitpack(g + [0] * (per - len(g)), w)
    return bytes(out)


def plain(ptype, values, type_length=0):
    if ptype == BOOLEAN:
        return bitpack([1 if v else 0 for v in values], 1)
    if ptype == INT32:
        return b"".join(struct.pack("<i", v) for v in values)
    if ptype == INT64:
        return b"".join(struct.pack("<q", v) for v in values)
    if ptype == INT96:
        return b"".join(v for v in values)
    if ptype == FLOAT:
        return b"".join(struct.pack("<f", v) for v in values)
    if ptype == DOUBLE:
        return b"".join(struct.pack("<d", v) for v in values)
    if ptype == BYTE_ARRAY:
        return b"".join(struct.pack("<I", len(v)) + v for v in values)
    return b"".join(values)


def as_bytes(v):
    return v.encode() if isinstance(v, str) else v


def encode_values(col, values):
    enc = col.encoding
    if enc == "PLAIN":
        return plain(col.ptype, values, col.type_length)
    if enc == "DELTA_BINARY_PACKED":
        return delta_binary_packed(values)
    if enc == "DELTA_LENGTH_BYTE_ARRAY":
        return delta_binary_packed([len(v) for v in values]) + b"".join(values)
    if enc == "DELTA_BYTE_ARRAY":
        prefixes, suffixes, prev = [], [], b""
        for v in values:
            p = 0
            while p < min(len(v), len(prev)) and v[p] == prev[p]:
                p += 1
            prefixes.append(p)
            suffixes.append(v[p:])
            prev = v
        return (delta_binary_packed(prefixes) + delta_binary_packed([len(s) for s in suffixes]) +
                b"".join(suffixes))
    if enc == "BYTE_STREAM_SPLIT":
        raw = plain(col.ptype, values, col.type_length)
        w = len(raw) // len(values) if values else 1
        return bytes(raw[i * w + k] for k in range(w) for i in range(len(values)))
    if enc == "RLE":
        body = rle_hybrid([1 if v else 0 for v in values], 1)
        return struct.pack("<I", len(body)) + body
    raise ValueError(enc)


class Column:
    """A flat column.  values: Python values of the physical type (bytes or
    str for byte arrays, 12-byte strings for INT96), None for null."""

    def __init__(self, name, ptype, values, encoding="PLAIN", codec="UNCOMPRESSED",
                 required=False, logical=None, converted=None, scale=None, precision=None,
                 type_length=None, page_version=1, dictionary=False, page_rows=None):
        self.name, self.ptype, self.values = name, ptype, values
        self.encoding, self.codec, self.required = encoding, codec, required
        self.logical, self.converted, self.scale, self.precision = logical, converted, scale, precision
        self.type_length, self.page_version, self.dictionary = type_length, page_version, dictionary
        self.page_rows = page_rows
        # overrides for damaged files
        self.tamper = {}

    def schema(self):
        return [(1, T_I32, self.ptype), (2, T_I32, self.type_length),
                (3, T_I32, 0 if self.required else 1), (4, T_BINARY, self.name),
                (6, T_I32, self.converted), (7, T_I32, self.scale), (8, T_I32, self.precision),
                (10, T_STRUCT, self.logical)]


# logical types (LogicalType union members)
STRING = [(1, T_STRUCT, [])]


def DECIMAL(scale, precision):  # noqa: N802
    return [(5, T_STRUCT, [(1, T_I32, scale), (2, T_I32, precision)])]


def TIMESTAMP(unit, utc=True):  # noqa: N802
    member = {"MILLIS": 1, "MICROS": 2, "NANOS": 3}[unit]
    return [(8, T_STRUCT, [(1, T_TRUE, utc), (2, T_STRUCT, [(member, T_STRUCT, [])])])]


DATE = [(6, T_STRUCT, [])]


def compress(codec, data):
    if codec == "UNCOMPRESSED":
        return data
    if codec == "GZIP":
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        return c.compress(data) + c.flush()
    return data   # other codecs: only declared (damaged files)


def page_header(ptype, unc, comp, sub_id, sub, t):
    fields = [(1, T_I32, t.get("page_type", ptype)), (2, T_I32, t.get("unc", unc)),
              (3, T_I32, t.get("comp", comp)), (sub_id, T_STRUCT, sub)]
    return enc_struct(fields)


def column_chunk(col, values, offset):
    """The pages of one column chunk for `values`; returns (bytes, meta)."""
    t = col.tamper
    out = bytearray()
    codec = col.codec
    dict_off = None
    encodings = {ENCODINGS[col.encoding], 3}
    present = [v for v in values if v is not None]
    if col.ptype == BYTE_ARRAY:
        present = [as_bytes(v) for v in present]
    indices = None
    if col.dictionary:
        uniq = []
        for v in present:
            if v not in uniq:
                uniq.append(v)
        indices = [uniq.index(v) for v in present]
        if "dict_indices" in t:
            indices = t["dict_indices"]
        body = plain(col.ptype, uniq, col.type_length)
        comp = compress(codec, body)
        dict_off = offset
        out += page_header(2, len(body), len(comp), 7,
                           [(1, T_I32, len(uniq)), (2, T_I32, 0)], t) + comp
        encodings.add(8)
    rows = col.page_rows or max(len(values), 1)
    data_off = offset + len(out)
    pos = 0
    for start in range(0, max(len(values), 1), rows):
        page_vals = values[start:start + rows]
        page_present = [v for v in page_vals if v is not None]
        if col.ptype == BYTE_ARRAY:
            page_present = [as_bytes(v) for v in page_present]
        defs = [0 if v is None else 1 for v in page_vals]
        if indices is not None:
            idx = indices[pos:pos + len(page_present)]
            w = t.get("dict_width", max(1, bit_width(max(idx) if idx else 0)))
            vbody = bytes([w]) + rle_hybrid(idx, w)
            enc = 8
        else:
            vbody = encode_values(col, page_present)
            enc = ENCODINGS[col.encoding]
        pos += len(page_present)
        nvalues = t.get("num_values", len(page_vals))
        if col.page_version == 1:
            levels = b""
            if not col.required:
                lv = t.get("def_levels_raw") or rle_hybrid(defs, 1)
                levels = struct.pack("<I", len(lv)) + lv
            body = levels + vbody
            comp = compress(codec, body)
            out += page_header(0, len(body), len(comp), 5,
                               [(1, T_I32, nvalues), (2, T_I32, enc), (3, T_I32, 3),
                                (4, T_I32, 3)], t) + comp
        else:
            lv = b"" if col.required else (t.get("def_levels_raw") or rle_hybrid(defs, 1))
            comp_vals = compress(codec, vbody)
            out += page_header(3, len(lv) + len(vbody), len(lv) + len(comp_vals), 8,
                               [(1, T_I32, nvalues), (2, T_I32, defs.count(0)),
                                (3, T_I32, len(page_vals)), (4, T_I32, enc),
                                (5, T_I32, len(lv)), (6, T_I32, 0),
                                (7, T_TRUE, codec != "UNCOMPRESSED")], t) + lv + comp_vals
    meta = [(1, T_I32, t.get("chunk_type", col.ptype)),
            (2, T_LIST, (T_I32, sorted(encodings))),
            (3, T_LIST, (T_BINARY, [col.name])),
            (4, T_I32, t.get("codec", CODECS[codec])),
            (5, T_I64, t.get("chunk_values", len(values))),
            (6, T_I64, len(out)), (7, T_I64, t.get("chunk_size", len(out))),
            (9, T_I64, t.get("data_offset", data_off)),
            (11, T_I64, dict_off)]
    return bytes(out), meta


def write(columns, row_groups=None, footer_tamper=None):
    """The bytes of a Parquet file of the flat columns, split into row
    groups of the given sizes (default: one)."""
    nrows = len(columns[0].values)
    row_groups = row_groups or [nrows]
    out = bytearray(b"PAR1")
    groups = []
    start = 0
    for size in row_groups:
        chunks = []
        total = 0
        for col in columns:
            data, meta = column_chunk(col, col.values[start:start + size], len(out))
            chunks.append([(2, T_I64, len(out)), (3, T_STRUCT, meta)])
            out += data
            total += len(data)
        groups.append([(1, T_LIST, (T_STRUCT, chunks)), (2, T_I64, total), (3, T_I64, size)])
        start += size
    schema = [[(4, T_BINARY, "schema"), (5, T_I32, len(columns))]] + [c.schema() for c in columns]
    footer = enc_struct([(1, T_I32, 1), (2, T_LIST, (T_STRUCT, schema)), (3, T_I64, nrows),
                         (4, T_LIST, (T_STRUCT, groups)),
                         (6, T_BINARY, "costrank tests/tools/parquet_writer.py")])
    flen = len(footer)
    if footer_tamper and "footer_len" in footer_tamper:
        flen = footer_tamper["footer_len"]
    out += footer + struct.pack("<I", flen) + b"PAR1"
    return bytes(out)


def int96(days_since_epoch, nanos_of_day):
    return struct.pack("<qi", nanos_of_day, days_since_epoch + 2440588)


# ---- a small CUR 2.0 export, for the tests and the hostile corpus -------------

EPOCH_2026_10_01 = 20727          # days from 1970-01-01 to 2026-10-01
DAY_US = 86400 * 1000000


def cur2_rows(n=40):
    """n usage rows of October 2026: (account, day 0-30, product code,
    usage type, cost text, usage amount text or None)."""
    accounts = ["111111111111", "222222222222", "333333333333"]
    products = [("AmazonEC2", "BoxUsage:m5.large"), ("AmazonEC2", "EBS:VolumeUsage.gp3"),
                ("AmazonS3", "TimedStorage-ByteHrs"), ("AWSLambda", "Lambda-GB-Second")]
    costs = ["1.25", "0.0000412", "123.4567891234", "0.1", "7", "0.3333333333", "-0.5",
             "1000000.0000000001"]
    rows = []
    for i in range(n):
        code, ut = products[i % len(products)]
        amount = None if i % 7 == 3 else str(i % 5 + 1) + ".5"
        rows.append((accounts[i % 3], (i * 3) % 31, code, ut, costs[i % len(costs)], amount))
    return rows


def cur2_columns(rows, cost_type="double", date_type="micros", **enc):
    """The columns of a CUR 2.0 file of rows; cost_type: double, float,
    dec64, dec32, flba, bytes; date_type: micros, millis, nanos, int96,
    date; enc:
    per-column keyword arguments for Column (by short name)."""
    from decimal import Decimal
    cost, date = cost_type, date_type

    def kw(name):
        return enc.get(name, {})

    cols = [Column("line_item_usage_account_id", BYTE_ARRAY, [r[0] for r in rows],
                   logical=STRING, **kw("account")),
            Column("line_item_line_item_type", BYTE_ARRAY, ["Usage"] * len(rows),
                   logical=STRING, **kw("type"))]
    days = [EPOCH_2026_10_01 + r[1] for r in rows]
    if date == "int96":
        cols.append(Column("line_item_usage_start_date", INT96,
                           [int96(d, 3600 * 10 ** 9) for d in days], **kw("date")))
    elif date == "date":
        cols.append(Column("line_item_usage_start_date", INT32, days, logical=DATE,
                           **kw("date")))
    else:
        per_day = {"millis": 86400 * 1000, "micros": DAY_US, "nanos": 86400 * 10 ** 9}[date]
        cols.append(Column("line_item_usage_start_date", INT64, [d * per_day for d in days],
                           logical=TIMESTAMP(date.upper()), **kw("date")))
    cols += [Column("line_item_product_code", BYTE_ARRAY, [r[2] for r in rows], logical=STRING,
                    **kw("product")),
             Column("line_item_usage_type", BYTE_ARRAY, [r[3] for r in rows], logical=STRING,
                    **kw("usage"))]
    texts = [r[4] for r in rows]
    if cost == "double":
        c = Column("line_item_unblended_cost", DOUBLE, [float(t) for t in texts], **kw("cost"))
    elif cost == "float":
        c = Column("line_item_unblended_cost", FLOAT, [float(t) for t in texts], **kw("cost"))
    else:
        scaled = [int(Decimal(t) * 10 ** 10) for t in texts]
        if cost == "dec64":
            c = Column("line_item_unblended_cost", INT64, scaled, logical=DECIMAL(10, 18),
                       **kw("cost"))
        elif cost == "dec32":
            scaled = [int(Decimal(t) * 100) for t in texts]
            c = Column("line_item_unblended_cost", INT32, scaled, logical=DECIMAL(2, 9),
                       converted=5, scale=2, precision=9, **kw("cost"))
        else:
            raw = [v.to_bytes(16, "big", signed=True) for v in scaled]
            if cost == "flba":
                c = Column("line_item_unblended_cost", FLBA, raw, type_length=16,
                           logical=DECIMAL(10, 38), **kw("cost"))
            else:
                c = Column("line_item_unblended_cost", BYTE_ARRAY,
                           [v.to_bytes(9, "big", signed=True) for v in scaled],
                           logical=DECIMAL(10, 20), **kw("cost"))
    cols.append(c)
    cols += [Column("line_item_usage_amount", DOUBLE,
                    [None if r[5] is None else float(r[5]) for r in rows], **kw("amount")),
             Column("line_item_currency_code", BYTE_ARRAY, ["USD"] * len(rows), logical=STRING,
                    **kw("currency")),
             Column("pricing_unit", BYTE_ARRAY, ["Hrs"] * len(rows), logical=STRING,
                    **kw("unit"))]
    return cols
