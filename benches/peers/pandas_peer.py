"""The sales-etl job written the way it is done before sales-etl: pandas
read_csv, boolean masks per rule, drop_duplicates-style first rows, IQR
fences with quantile, groupby, to_csv.

read_csv pads short rows with the same value as an empty field (NaN, or ""
with keep_default_na=False), so each file is also read as whole lines to
count fields outside quotes.
Like every peer it assumes one record per line (no line breaks inside
quoted fields): true of the generated days it is benchmarked on.
"""
import csv
import os

import numpy as np
import pandas as pd

from common import (COLUMNS, COMPARED, IQR_K, PLAIN_DECIMAL, RULES, TIMESTAMP, TOP,
                    args, input_files, write_result)

WIDE = 16  # columns read per record; a ragged row may carry more fields than the header


def read(path, index):
    raw = pd.read_csv(path, header=None, names=range(WIDE), dtype=str, keep_default_na=False,
                      na_values=[], skip_blank_lines=False, encoding="utf-8-sig")
    lines = pd.read_csv(path, header=None, names=["line"], sep="\x1f", quoting=csv.QUOTE_NONE,
                        dtype=str, keep_default_na=False, skip_blank_lines=False,
                        encoding="utf-8-sig")["line"].str.rstrip("\r")
    assert len(lines) == len(raw), f"{path}: line and record counts differ"
    fields = lines.str.replace('"[^"]*"', "", regex=True).str.count(",") + 1
    keep = ~lines.str.startswith("#") & (lines.str.strip(" \t") != "")
    raw, fields = raw[keep], fields[keep]
    names = [str(v).strip().lower() if isinstance(v, str) else "" for v in raw.iloc[0]]
    width = fields.iloc[0]
    data = raw.iloc[1:]
    frame = pd.DataFrame({
        "file": index,
        "source_line": data.index + 1,
        "ragged": (fields.iloc[1:] != width).to_numpy(),
    })
    for c in COLUMNS:
        frame[c] = data[names.index(c)].to_numpy() if c in names else None
    return frame


def main():
    folder, out = args()
    df = pd.concat([read(p, i) for i, p in enumerate(input_files(folder))], ignore_index=True)
    t = {c: df[c].str.strip(" \t") for c in COLUMNS}
    missing = {c: t[c].isna() | (t[c] == "") for c in COLUMNS}

    looks_int = t["quantity"].str.fullmatch(r"[+-]?[0-9]+").fillna(False).astype(bool)
    q = pd.to_numeric(t["quantity"].where(looks_int), errors="coerce")
    df["qty"] = q.where(q.between(-2**31, 2**31 - 1)).astype("Int64")

    p = t["unit_price"]
    plain = p.str.fullmatch(PLAIN_DECIMAL[1:-1]).fillna(False).astype(bool)
    body = p.where(plain).str.lstrip("+-")
    whole = pd.to_numeric(body.str.split(".", n=1).str[0].replace("", "0"), errors="coerce")
    frac = body.str.split(".", n=1).str[1].fillna("").str.ljust(6, "0").str[:6]
    frac = pd.to_numeric(frac.where(plain), errors="coerce")
    sign = np.where(p.str.startswith("-", na=False), -1, 1)
    micros = (whole.astype("Int64") * 1_000_000 + frac.astype("Int64")) * sign
    df["price_us"] = micros.where(plain & (whole < 10**12)).astype("Int64")

    g = t["timestamp"].str.extract(TIMESTAMP)
    base = pd.to_datetime(g[0] + " " + g[1], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    base_us = pd.Series(base.to_numpy().astype("datetime64[us]").astype("int64"), index=df.index)
    base_us = base_us.where(base.notna())
    fraction = pd.to_numeric(g[2].str[1:7].str.ljust(6, "0"), errors="coerce").fillna(0)
    off = g[3]
    oh = pd.to_numeric(off.str[1:3], errors="coerce")
    om = pd.to_numeric(off.str[4:6], errors="coerce")
    offset = np.where(off.isna() | (off == "Z"), 0,
                      np.where((oh <= 23) & (om <= 59),
                               (oh * 60 + om) * np.where(off.str.startswith("-", na=False), -1, 1),
                               np.nan))
    ts = base_us + fraction - pd.Series(offset, index=df.index) * 60_000_000
    df["ts_us"] = ts.astype("Int64")

    name = t["channel"].str.lower()
    df["channel_name"] = name.where(name.isin(["web", "mobile", "store"]))

    def unparsed(c, typed):
        return ~missing[c] & df[typed].isna()

    broken = {
        "ragged_row": df["ragged"],
        "bad_encoding": pd.Series(False, index=df.index),  # the generated days are UTF-8
        "missing_transaction_id": missing["transaction_id"],
        "missing_timestamp": missing["timestamp"],
        "missing_channel": missing["channel"],
        "missing_product_id": missing["product_id"],
        "missing_quantity": missing["quantity"],
        "missing_unit_price": missing["unit_price"],
        "bad_quantity": unparsed("quantity", "qty"),
        "bad_unit_price": unparsed("unit_price", "price_us"),
        "bad_timestamp": unparsed("timestamp", "ts_us"),
        "bad_channel": unparsed("channel", "channel_name"),
        "nonpositive_quantity": (df["qty"] <= 0).fillna(False).astype(bool),
        "negative_unit_price": (df["price_us"] < 0).fillna(False).astype(bool),
    }
    df["reason"] = np.select([broken[r].to_numpy(dtype=bool) for r in RULES], RULES, default="")

    invalid = df[df["reason"] != ""]
    passed = df[df["reason"] == ""]
    first = ~passed["transaction_id"].duplicated(keep="first")
    kept, later = passed[first], passed[~first].copy()
    joined = later[["transaction_id"]].merge(kept[["transaction_id", *COMPARED]], on="transaction_id",
                                             how="left")
    same = np.ones(len(later), dtype=bool)
    for c in COMPARED:
        a, b = later[c].reset_index(drop=True), joined[c]
        same &= ((a == b) | (a.isna() & b.isna())).fillna(False).to_numpy(dtype=bool)
    later["reason"] = np.where(same, "duplicate", "conflicting_duplicate")

    q1, q3 = kept["qty"].astype(float).quantile([0.25, 0.75])
    lower, upper = q1 - IQR_K * (q3 - q1), q3 + IQR_K * (q3 - q1)
    outside = (kept["qty"] < lower) | (kept["qty"] > upper)
    outliers = kept[outside].assign(reason="outlier")
    valid = kept[~outside].copy()
    valid["date"] = pd.to_datetime(valid["ts_us"].astype("int64"), unit="us").dt.date
    valid["revenue"] = valid["qty"] * valid["price_us"]

    rejected = pd.concat([invalid, later, outliers]).sort_values(["file", "source_line"])
    rejected[["file", "source_line", *COLUMNS, "reason"]].to_csv(
        os.path.join(out, "rejected.csv"), index=False)
    daily = (valid.groupby(["date", "channel_name"])
             .agg(orders=("qty", "size"), units=("qty", "sum"), revenue=("revenue", "sum"))
             .reset_index())
    top = (valid.groupby(["date", "product_id"])
           .agg(units=("qty", "sum"), revenue=("revenue", "sum")).reset_index()
           .sort_values(["date", "units", "revenue", "product_id"],
                        ascending=[True, False, False, True]))
    top["rank"] = top.groupby("date").cumcount() + 1
    top = top[top["rank"] <= TOP]
    daily.to_csv(os.path.join(out, "daily_sales.csv"), index=False)
    top.to_csv(os.path.join(out, "top_products.csv"), index=False)

    counts = {"valid": len(valid), "invalid": len(invalid), "duplicate": len(later),
              "outlier": len(outliers)}
    write_result(out, len(df), counts, invalid["reason"].value_counts().to_dict(),
                 daily[["date", "channel_name", "orders", "units", "revenue"]].itertuples(index=False),
                 top[["date", "rank", "product_id", "units", "revenue"]].itertuples(index=False))


if __name__ == "__main__":
    main()
