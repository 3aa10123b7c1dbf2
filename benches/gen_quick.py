#!/usr/bin/env python3
"""Quick synthetic sales day for timing runs: `gen_quick.py ROWS OUT_DIR [SEED] [clean]`.

Writes web/mobile/store CSV files (about 50/30/20) for 2026-11-25 with about
2% defects of several kinds (none with `clean`, where every row is valid
and no quantity is an outlier). Deterministic for a seed. This is the stop-gap
generator the core issue allows; `sales-etl generate` will replace it.
"""
import os
import random
import sys


def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    clean = len(sys.argv) > 4 and sys.argv[4] == "clean"
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    products = [f"SKU-{i:05d}" for i in range(5000)]
    prices = [f"{rng.uniform(1, 500):.2f}" for _ in products]
    weights = [1.0 / (i + 1) for i in range(len(products))]
    picks = rng.choices(range(len(products)), weights=weights, k=100_000)
    header = "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price\n"
    shares = [("web", 0.5), ("mobile", 0.3), ("store", 0.2)]
    tid = 0
    for channel, share in shares:
        n = int(rows * share)
        with open(os.path.join(out, f"{channel}_2026-11-25.csv"), "w", newline="") as f:
            f.write(header)
            buf = []
            for i in range(n):
                tid += 1
                p = picks[(tid * 7919) % len(picks)]
                sec = (tid * 37) % 86400
                ts = f"2026-11-25 {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"
                q = 1 + (tid % 4) if tid % 97 or clean else 1 + tid % 40
                store = f"ST-{tid % 50:02d}" if channel == "store" else ""
                row = [f"{channel[0].upper()}-{tid}", ts, channel, store, f"C-{tid % 100000}", products[p], str(q), prices[p]]
                d = 0 if clean else tid % 50
                if d == 1:
                    row[6] = "-1"
                elif d == 2:
                    row[1] = "not a time"
                elif d == 3:
                    row[0] = ""
                elif d == 4:
                    row = row[:5]
                elif d == 5 and tid > 10:
                    row[0] = f"{channel[0].upper()}-{tid - 5}"
                elif d == 6:
                    row[4] = '"Doe, ""J"""'
                buf.append(",".join(row))
                if len(buf) >= 100_000:
                    f.write("\n".join(buf) + "\n")
                    buf = []
            if buf:
                f.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
