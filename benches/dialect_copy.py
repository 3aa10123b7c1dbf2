"""Writes a generated day twice from the same rows, for BENCHMARKS.md
("Files from other tools"): iso/ (UTF-8, `,`, ISO timestamps without a
zone) and eu/ (Windows-1252, `;`, decimal commas, DD/MM/YYYY HH:MM:SS,
CRLF), as an Excel in a European locale writes it. Characters Windows-1252
cannot hold are replaced in both copies alike; comment lines are dropped.

    python3 benches/dialect_copy.py GENERATED_DAY iso eu
"""
import csv, re, sys, os
src, iso_dir, eu_dir = sys.argv[1:4]
ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]00:00)?$")
PRICE = re.compile(r"^-?\d+\.\d+$")
csv.field_size_limit(1 << 30)
for name in sorted(os.listdir(src)):
    if not name.endswith(".csv"):
        continue
    with open(os.path.join(src, name), encoding="utf-8-sig", errors="surrogateescape", newline="") as f, \
         open(os.path.join(iso_dir, name), "w", encoding="utf-8", newline="") as iso, \
         open(os.path.join(eu_dir, name), "w", encoding="cp1252", newline="") as eu:
        iso_w = csv.writer(iso, lineterminator="\n")
        eu_w = csv.writer(eu, delimiter=";", lineterminator="\r\n")
        header = None
        for row in csv.reader(f):
            row = [x.encode("cp1252", errors="replace").decode("cp1252") for x in row]
            if not row or row[0].startswith("#") or row[0].startswith("\ufeff#"):
                continue
            if header is None:
                header = [h.strip().lower() for h in row]
                iso_w.writerow(row); eu_w.writerow(row)
                continue
            eu_row = list(row)
            if "timestamp" in header and len(row) == len(header):
                t = header.index("timestamp")
                m = ISO.match(row[t].strip())
                if m:
                    y, mo, d, h, mi, s = m.groups()[:6]
                    row[t] = f"{y}-{mo}-{d} {h}:{mi}:{s}"
                    eu_row[t] = f"{d}/{mo}/{y} {h}:{mi}:{s}"
            if "unit_price" in header and len(row) == len(header):
                p = header.index("unit_price")
                if PRICE.match(row[p].strip()):
                    eu_row[p] = row[p].replace(".", ",")
            iso_w.writerow(row); eu_w.writerow(eu_row)
