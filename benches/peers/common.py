"""What every peer shares: the rule order, the file list and the result
format (the generator's `_truth.json`), so that the comparison script can
check each tool against the truth and against sales-etl.

Money is handled as integer millionths everywhere (as sales-etl does); the
peers never sum floats.
"""
import json
import os
import sys

# The rules, in the order that decides a row's reason (sales-etl's RULES).
RULES = [
    "ragged_row",
    "bad_encoding",
    "missing_transaction_id",
    "missing_timestamp",
    "missing_channel",
    "missing_product_id",
    "missing_quantity",
    "missing_unit_price",
    "bad_quantity",
    "bad_unit_price",
    "bad_timestamp",
    "bad_channel",
    "nonpositive_quantity",
    "negative_unit_price",
]
COLUMNS = [
    "transaction_id",
    "timestamp",
    "channel",
    "store_id",
    "customer_id",
    "product_id",
    "quantity",
    "unit_price",
]
# Fields compared between a kept row and a later row with its id.
COMPARED = ["ts_us", "channel_name", "store_id", "customer_id", "product_id", "qty", "price_us"]
IQR_K = 3.0
TOP = 5
# A plain decimal with up to six decimals (further digits only zeros).
PLAIN_DECIMAL = r"^[+-]?([0-9]+(\.[0-9]{0,6}0*)?|\.[0-9]{1,6}0*)$"
# YYYY-MM-DD HH:MM:SS (or T), optional fraction, optional Z or +-HH:MM.
TIMESTAMP = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"


def input_files(folder):
    """The run's files in byte order of their names, as sales-etl reads them."""
    names = sorted(
        (n for n in os.listdir(folder) if n.lower().endswith(".csv") and not n.startswith(".")),
        key=lambda n: n.encode(),
    )
    return [os.path.join(folder, n) for n in names]


def cents(micros):
    """Millionths to a `1234.50` string, half away from zero (sales-etl's Money)."""
    micros = int(micros)
    c = (abs(micros) + 5_000) // 10_000
    sign = "-" if micros < 0 and c else ""
    return f"{sign}{c // 100}.{c % 100:02d}"


def write_result(out, rows, counts, reasons, daily, top):
    """`daily`: (date, channel, orders, units, revenue_micros) rows;
    `top`: (date, rank, product_id, units, revenue_micros) rows."""
    top5 = {}
    for date, rank, product, units, revenue in sorted(top):
        top5.setdefault(str(date), []).append(
            {"rank": int(rank), "product_id": product, "units": int(units), "revenue": cents(revenue)}
        )
    result = {
        "rows": int(rows),
        "dispositions": {k: int(v) for k, v in sorted(counts.items())},
        "invalid_reasons": {k: int(v) for k, v in sorted(reasons.items()) if v},
        "daily_sales": [
            {"date": str(d), "channel": c, "orders": int(o), "units": int(u), "revenue": cents(r)}
            for d, c, o, u, r in sorted(daily)
        ],
        "top5_products": top5,
    }
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")


def args():
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} INPUT_DIR OUT_DIR")
    os.makedirs(sys.argv[2], exist_ok=True)
    return sys.argv[1], sys.argv[2]
