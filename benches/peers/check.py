"""Compares a tool's result with the generator's `_truth.json`.

Usage: check.py TRUTH RESULT [--sales-etl]
RESULT is a peer's result.json, or with --sales-etl the JSON summary of
`sales-etl run --format json`. Prints the first differences; exit 1 if any.
"""
import json
import sys


def from_sales_etl(summary):
    totals = summary["totals"]
    top = {}
    for t in summary["top_products"]:
        top.setdefault(t["date"], []).append(
            {"rank": t["rank"], "product_id": t["product_id"], "units": t["units"], "revenue": t["revenue"]})
    return {
        "rows": totals["data_rows"],
        "dispositions": {k: totals[k] for k in ("duplicate", "invalid", "outlier", "valid")},
        "invalid_reasons": {k: v for k, v in summary["reasons"].items()
                            if k not in ("duplicate", "conflicting_duplicate", "outlier")},
        "daily_sales": [{k: d[k] for k in ("date", "channel", "orders", "units", "revenue")}
                        for d in summary["daily_sales"]],
        "top5_products": top,
    }


def main():
    truth = json.load(open(sys.argv[1]))
    result = json.load(open(sys.argv[2]))
    if "--sales-etl" in sys.argv:
        result = from_sales_etl(result)
    differences = [key for key in truth if truth[key] != result.get(key)]
    for key in differences[:3]:
        print(f"  {key}: expected {json.dumps(truth[key])[:300]}", file=sys.stderr)
        print(f"  {key}:      got {json.dumps(result.get(key))[:300]}", file=sys.stderr)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
