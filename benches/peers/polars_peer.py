"""The sales-etl job written for Polars from Python, lazily where it can be.

Polars' CSV reader cannot tell a short row from one with empty trailing
fields (both come back null, or both "" with missing_utf8_is_empty_string),
so each file is also read as whole lines to count fields outside quotes.
Like every peer it assumes one record per line (no line breaks inside
quoted fields): true of the generated days it is benchmarked on.
"""
import os

import polars as pl

from common import (COLUMNS, COMPARED, IQR_K, PLAIN_DECIMAL, RULES, TIMESTAMP, TOP,
                    args, input_files, write_result)

def read(path, index):
    lines = pl.read_csv(path, has_header=False, separator="\x1f", quote_char=None,
                        schema={"line": pl.String}, encoding="utf8-lossy")
    line = pl.col("line").str.strip_chars_start("\ufeff").str.strip_chars_end("\r")
    lines = lines.with_row_index("source_line", offset=1).with_columns(line=line).with_columns(
        keep=~pl.col("line").str.starts_with("#") & (pl.col("line").str.strip_chars(" \t") != ""),
        fields=fields_in(pl.col("line")))
    header_at = lines["keep"].arg_true()[0]
    header = [f.strip().lower() for f in lines["line"][header_at].split(",")]
    width = len(header)
    # Exactly the header's columns: a longer row is ragged by its field
    # count above, whatever its extra fields hold.
    fields = pl.read_csv(path, has_header=False, truncate_ragged_lines=True,
                         schema={f"c{i}": pl.String for i in range(width)}, encoding="utf8-lossy")
    assert lines.height == fields.height, f"{path}: line and record counts differ"
    frame = pl.concat([lines.drop("line"), fields], how="horizontal").filter("keep")
    return frame.slice(1).select(
        pl.lit(index, pl.UInt32).alias("file"),
        pl.col("source_line"),
        (pl.col("fields") != width).alias("ragged"),
        *[(pl.col(f"c{header.index(c)}") if c in header else pl.lit(None, pl.String)).alias(c)
          for c in COLUMNS],
    )


def fields_in(line):
    """Fields of a CSV line: commas outside quoted sections, plus one (the
    pattern only where the line has a quote)."""
    quoted = line.str.contains('"', literal=True)
    outside = pl.when(quoted).then(line.str.replace_all('"[^"]*"', "")).otherwise(line)
    return outside.str.count_matches(",", literal=True) + 1


def main():
    folder, out = args()
    rows = pl.concat([read(p, i) for i, p in enumerate(input_files(folder))]).lazy()
    # Each step's columns once, as their own columns: a pattern match or a
    # trim used by several rules is not computed again for each.
    rows = rows.with_columns(**{f"t_{c}": pl.col(c).str.strip_chars(" \t") for c in COLUMNS})
    t = {c: pl.col(f"t_{c}") for c in COLUMNS}

    def missing(c):
        return t[c].is_null() | (t[c] == "")

    def unparsed(c, typed):
        return (~missing(c)) & pl.col(typed).is_null()

    # Polars' string-to-integer cast takes exactly an optional sign and digits.
    q = t["quantity"].cast(pl.Int64, strict=False)
    qty = pl.when(q.is_between(-2**31, 2**31 - 1)).then(q)
    p = t["unit_price"]
    rows = rows.with_columns(
        price_parts=p.str.strip_chars_start("+-").str.split_exact(".", 1),
        ts_parts=t["timestamp"].str.extract_groups(TIMESTAMP),
        price_plain=p.str.contains(PLAIN_DECIMAL),
    )
    parts = pl.col("price_parts")
    whole = parts.struct.field("field_0").replace("", "0").cast(pl.Int64, strict=False)
    frac = parts.struct.field("field_1").fill_null("").str.pad_end(6, "0").str.slice(0, 6).cast(pl.Int64)
    micros = (whole * 1_000_000 + frac) * pl.when(p.str.starts_with("-")).then(-1).otherwise(1)
    price = pl.when(pl.col("price_plain") & (whole < 10**12)).then(micros)
    g = pl.col("ts_parts")
    base = pl.concat_str([g.struct.field("1"), g.struct.field("2")], separator=" ").str.strptime(
        pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    fraction = g.struct.field("3").str.slice(1, 6).str.pad_end(6, "0").cast(pl.Int64).fill_null(0)
    off = g.struct.field("4")
    oh, om = off.str.slice(1, 2).cast(pl.Int64, strict=False), off.str.slice(4, 2).cast(pl.Int64, strict=False)
    offset = (pl.when(off.is_null() | (off == "Z")).then(0)
              .when((oh <= 23) & (om <= 59))
              .then((oh * 60 + om) * pl.when(off.str.starts_with("-")).then(-1).otherwise(1)))
    ts = base.dt.epoch("us") + fraction - offset * 60_000_000
    name = t["channel"].str.to_lowercase()
    channel = pl.when(name.is_in(["web", "mobile", "store"])).then(name)

    typed = rows.with_columns(qty=qty, price_us=price, ts_us=ts, channel_name=channel)
    broken = {
        "ragged_row": pl.col("ragged"),
        "bad_encoding": pl.lit(False),  # the generated days are UTF-8
        "missing_transaction_id": missing("transaction_id"),
        "missing_timestamp": missing("timestamp"),
        "missing_channel": missing("channel"),
        "missing_product_id": missing("product_id"),
        "missing_quantity": missing("quantity"),
        "missing_unit_price": missing("unit_price"),
        "bad_quantity": unparsed("quantity", "qty"),
        "bad_unit_price": unparsed("unit_price", "price_us"),
        "bad_timestamp": unparsed("timestamp", "ts_us"),
        "bad_channel": unparsed("channel", "channel_name"),
        "nonpositive_quantity": (pl.col("qty") <= 0).fill_null(False),
        "negative_unit_price": (pl.col("price_us") < 0).fill_null(False),
    }
    reason = pl.coalesce([pl.when(broken[r]).then(pl.lit(r)) for r in RULES])
    judged = typed.with_columns(reason=reason).drop(
        "price_parts", "ts_parts", "price_plain", *[f"t_{c}" for c in COLUMNS]).collect()

    invalid = judged.filter(pl.col("reason").is_not_null())
    passed = judged.filter(pl.col("reason").is_null()).with_columns(
        first=pl.col("transaction_id").is_first_distinct())
    kept = passed.filter("first")
    later = passed.filter(~pl.col("first"))
    compared = later.join(kept.select("transaction_id", *COMPARED), on="transaction_id", suffix="_kept")
    differs = pl.any_horizontal([~pl.col(c).eq_missing(pl.col(f"{c}_kept")) for c in COMPARED])
    later = compared.with_columns(
        reason=pl.when(differs).then(pl.lit("conflicting_duplicate")).otherwise(pl.lit("duplicate")))

    q1 = kept["qty"].quantile(0.25, "linear")
    q3 = kept["qty"].quantile(0.75, "linear")
    lower, upper = q1 - IQR_K * (q3 - q1), q3 + IQR_K * (q3 - q1)
    outside = (pl.col("qty") < lower) | (pl.col("qty") > upper)
    outliers = kept.filter(outside).with_columns(reason=pl.lit("outlier"))
    valid = kept.filter(~outside).with_columns(
        date=pl.from_epoch("ts_us", "us").dt.date(), revenue=pl.col("qty") * pl.col("price_us"))

    rejected = pl.concat([invalid, later.select(invalid.columns), outliers.select(invalid.columns)])
    rejected.sort("file", "source_line").select("file", "source_line", *COLUMNS, "reason").write_csv(
        os.path.join(out, "rejected.csv"))
    daily = (valid.group_by("date", "channel_name")
             .agg(orders=pl.len(), units=pl.col("qty").sum(), revenue=pl.col("revenue").sum())
             .sort("date", "channel_name"))
    top = (valid.group_by("date", "product_id")
           .agg(units=pl.col("qty").sum(), revenue=pl.col("revenue").sum())
           .sort(["date", "units", "revenue", "product_id"], descending=[False, True, True, False])
           .with_columns(rank=pl.int_range(1, pl.len() + 1).over("date"))
           .filter(pl.col("rank") <= TOP))
    daily.write_csv(os.path.join(out, "daily_sales.csv"))
    top.write_csv(os.path.join(out, "top_products.csv"))

    counts = {"valid": valid.height, "invalid": invalid.height, "duplicate": later.height,
              "outlier": outliers.height}
    reasons = dict(invalid.group_by("reason").len().iter_rows())
    write_result(out, judged.height, counts, reasons,
                 daily.select("date", "channel_name", "orders", "units", "revenue").iter_rows(),
                 top.select("date", "rank", "product_id", "units", "revenue").iter_rows())


if __name__ == "__main__":
    main()
