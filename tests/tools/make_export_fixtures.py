#!/usr/bin/env python3
"""Writes billing exports laid out as AWS delivers them, built from samples/.

    make_export_fixtures.py OUT

Each layout goes into OUT/<layout>/ and OUT/index.json says, for each, the
root to give costrank, the files of the current delivery (the only ones a
correct report reads), and what a test needs to know besides.  Older
deliveries are cumulative cuts of the same month (the rows up to a day), as
AWS writes them, so summing them would show.  Deterministic: the same
samples give the same bytes (gzip and ZIP timestamps fixed, object times
set explicitly).

Layouts:
  legacy-versions    legacy CUR keeping versions: three <assemblyId>/ folders a
                     month, each with its manifest, the period manifest naming
                     the third (two parts)
  legacy-overwrite   legacy CUR in overwrite mode: parts in the period folder
  legacy-missing     overwrite mode with October's second part deleted
  legacy-zip         overwrite mode, ZIP compression (.csv.zip)
  cur2-new-files     CUR 2.0 Data Export, "create new export file": an earlier
                     partial delivery and the current one per month
  cur2-overwrite     CUR 2.0 Data Export overwriting in place
  cur2-no-manifest   cur2-new-files without metadata/: the latest delivery by
                     its folder's timestamp, with a warning
  cur2-open-month    cur2-overwrite with October delivered through the 15th,
                     its manifest declaring the whole month
  focus-new-files    FOCUS Data Export in both modes, as for CUR 2.0
  focus-overwrite
"""
import csv
import gzip
import io
import json
import os
import sys
import zipfile

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = os.path.join(SOURCE, "samples")
MONTHS = {"2026-09": ("20260901", "20261001"), "2026-10": ("20261001", "20261101")}
BUCKET = "larkspur-billing"
# object times: older deliveries older
T0 = 1790000000


def read_csv_text(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def month_rows(fmt, month):
    """(header, rows, date column) of a sample month."""
    if fmt == "cur":
        start, end = MONTHS[month]
        h, rows = read_csv_text(os.path.join(SAMPLES, "legacy-cur", f"{start}-{end}",
                                             "larkspur-legacy-1.csv"))
        return h, rows, h.index("lineItem/UsageStartDate")
    if fmt == "cur2":
        d = os.path.join(SAMPLES, "cur2", "data", f"BILLING_PERIOD={month}")
        header, rows = None, []
        for name in sorted(os.listdir(d)):
            h, r = read_csv_text(os.path.join(d, name))
            header = header or h
            rows += r
        return header, rows, header.index("line_item_usage_start_date")
    h, rows = read_csv_text(os.path.join(SAMPLES, "focus", f"larkspur-focus-{month}.csv"))
    return h, rows, h.index("ChargePeriodStart")


def cut(rows, col, month, day):
    """The rows of the month up to its day `day` (a cumulative delivery)."""
    if day is None:
        return rows
    last = f"{month}-{day:02d}"
    return [r for r in rows if r[col][:10] <= last]


def csv_bytes(header, rows):
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_part(path, header, rows, mtime):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = csv_bytes(header, rows)
    if path.endswith(".gz"):
        data = gzip.compress(data, compresslevel=1, mtime=0)
    elif path.endswith(".zip"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo(os.path.basename(path)[:-4], date_time=(2026, 11, 3, 6, 12, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        data = buf.getvalue()
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))


def write_json(path, doc, mtime):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    os.utime(path, (mtime, mtime))


def split(rows, n):
    k = (len(rows) + n - 1) // n
    return [rows[i * k:(i + 1) * k] for i in range(n)]


def legacy(out, name, mode, ext=".csv.gz", drop=None):
    """Legacy CUR: mode "versions" (three assemblies) or "overwrite"."""
    root = os.path.join(out, name)
    report = "larkspur"
    current, dropped = [], []
    for month, (start, end) in MONTHS.items():
        header, rows, col = month_rows("cur", month)
        period = f"{start}-{end}"
        pdir = os.path.join(root, "cur", report, period)
        bp = {"start": f"{start}T000000.000Z", "end": f"{end}T000000.000Z"}
        versions = [(10, 1), (20, 1), (None, 2)] if mode == "versions" else [(None, 2)]
        manifest = None
        for v, (day, nparts) in enumerate(versions):
            asm = f"{month}-assembly-{v + 1}"
            folder = os.path.join(pdir, asm) if mode == "versions" else pdir
            keys = []
            for p, part in enumerate(split(cut(rows, col, month, day), nparts)):
                fname = f"{report}-{p + 1}{ext}"
                path = os.path.join(folder, fname)
                keys.append(f"cur/{report}/{period}/{asm}/{fname}")
                write_part(path, header, part, T0 + v * 86400)
                if day is None:
                    current.append(path)
            manifest = {"assemblyId": asm, "account": "731904582216", "billingPeriod": bp,
                        "bucket": BUCKET, "reportKeys": keys, "reportName": report,
                        "compression": "ZIP" if ext.endswith(".zip") else "GZIP",
                        "contentType": "text/csv"}
            if mode == "versions":
                write_json(os.path.join(folder, f"{report}-Manifest.json"), manifest,
                           T0 + v * 86400)
        write_json(os.path.join(pdir, f"{report}-Manifest.json"), manifest, T0 + 3 * 86400)
    if drop:
        for path in list(current):
            if drop in path:
                os.unlink(path)
                current.remove(path)
                dropped.append(path)
    return {"root": root, "current": current, "missing": dropped}


def data_export(out, name, fmt, mode, manifests=True, open_month=None):
    """A Data Export (CUR 2.0 or FOCUS): mode "new-files" (an earlier partial
    delivery, then the current one, each in <timestamp>-<executionId>/) or
    "overwrite".  open_month: the month whose current delivery reaches its
    15th only (a month still open), the manifest declaring the whole month."""
    root = os.path.join(out, name)
    export = f"larkspur-{fmt}"
    base = os.path.join(root, "exports", export)
    current, older = [], []
    for month in MONTHS:
        header, rows, col = month_rows(fmt, month)
        y, m = map(int, month.split("-"))
        nxt = f"{y + (m == 12)}-{m % 12 + 1:02d}"
        ddir = os.path.join(base, "data", f"BILLING_PERIOD={month}")
        deliveries = [(15, f"{month}-16T06:12:00.000Z-exec-a"), (None, f"{nxt}-03T06:12:00.000Z-exec-b")]
        if mode == "overwrite":
            deliveries = [(15 if month == open_month else None, "")]
        files = []
        for v, (day, folder) in enumerate(deliveries):
            files = []
            for p, part in enumerate(split(cut(rows, col, month, day), 2)):
                path = os.path.join(ddir, folder, f"{export}-{p + 1:05d}.csv.gz")
                write_part(path, header, part, T0 + v * 86400)
                files.append(path)
            (current if v == len(deliveries) - 1 else older).extend(files)
        if manifests:
            keys = [f"s3://{BUCKET}/exports/{export}/data/" + os.path.relpath(f, os.path.join(base, "data"))
                    for f in files]
            write_json(os.path.join(base, "metadata", f"BILLING_PERIOD={month}", f"{export}-Manifest.json"),
                       {"executionId": deliveries[-1][1] or "exec-b", "exportName": export,
                        "billingPeriod": {"start": f"{month}-01T00:00:00.000Z",
                                          "end": f"{nxt}-01T00:00:00.000Z"},
                        "dataFiles": keys, "format": "TEXT_OR_CSV", "compression": "GZIP"},
                       T0 + 3 * 86400)
    return {"root": root, "current": current, "older": older}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_export_fixtures.py OUT")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    index = {
        "legacy-versions": legacy(out, "legacy-versions", "versions"),
        "legacy-overwrite": legacy(out, "legacy-overwrite", "overwrite"),
        "legacy-missing": legacy(out, "legacy-missing", "overwrite",
                                 drop=os.path.join("20261001-20261101", "larkspur-2.csv.gz")),
        "legacy-zip": legacy(out, "legacy-zip", "overwrite", ext=".csv.zip"),
        "cur2-new-files": data_export(out, "cur2-new-files", "cur2", "new-files"),
        "cur2-overwrite": data_export(out, "cur2-overwrite", "cur2", "overwrite"),
        "cur2-no-manifest": data_export(out, "cur2-no-manifest", "cur2", "new-files",
                                        manifests=False),
        "cur2-open-month": data_export(out, "cur2-open-month", "cur2", "overwrite",
                                       open_month="2026-10"),
        "focus-new-files": data_export(out, "focus-new-files", "focus", "new-files"),
        "focus-overwrite": data_export(out, "focus-overwrite", "focus", "overwrite"),
    }
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=2)


if __name__ == "__main__":
    main()
