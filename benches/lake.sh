#!/usr/bin/env bash
# `query --lake` against DuckDB reading the same lake: DAYS generated days of
# ROWS rows each are exported once with `run --export` (Parquet, Hive
# partitions by date), then three questions are asked ROUNDS times of each
# engine, alternated: revenue per date and channel over the month (a full
# scan), one day's count and revenue (one partition), and the month's top
# ten customers. Wall time of the whole command, median and slowest; the
# answers are checked to agree (money to the cent).
# Usage: benches/lake.sh [DAYS] [ROWS] [ROUNDS]   (default 30 1000000 5)
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-30}
rows=${2:-1000000}
rounds=${3:-5}
cargo build --release --quiet
bin=$PWD/target/release/sales-etl
venv=benches/peers/.venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import duckdb" 2>/dev/null \
  || "$venv/bin/pip" install -q "$(grep '^duckdb' benches/peers/requirements.txt)"
python=$PWD/$venv/bin/python
data=$PWD/benches/data/lake_${days}x${rows}
first=2026-06-01
last=$(date -d "$first + $((days - 1)) days" +%F)
middle=$(date -d "$first + $((days / 2)) days" +%F)
if [ ! -f "$data/.complete" ]; then
  rm -rf "$data"
  for ((i = 0; i < days; i++)); do
    day=$(date -d "$first + $i days" +%F)
    "$bin" generate --rows "$rows" --date "$day" --out "$data/raw/$day" --seed $((i + 1)) 2>/dev/null
    rm "$data/raw/$day/_truth.json"
  done
  (cd "$data" && "$bin" run raw --from "$first" --to "$last" --no-db --export lake -q > /dev/null)
  touch "$data/.complete"
fi
lake=$data/lake
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'lake: %s days x %s rows, %s MiB of Parquet\n\n' "$days" "$rows" "$(du -sm "$lake/sales" | cut -f1)"

questions=(
  "SELECT date, channel, SUM(line_revenue) AS revenue FROM sales GROUP BY date, channel ORDER BY date, channel"
  "SELECT COUNT(*) AS n, SUM(line_revenue) AS revenue FROM sales WHERE date = '$middle'"
  "SELECT customer_id, SUM(line_revenue) AS revenue FROM sales WHERE customer_id IS NOT NULL GROUP BY customer_id ORDER BY revenue DESC, customer_id LIMIT 10"
)
names=("revenue per date and channel" "one day" "top 10 customers")
cat > "$work/duck.py" <<'PY'
import csv, sys, duckdb
lake, sql, out = sys.argv[1:4]
con = duckdb.connect()
con.execute(
    f"CREATE VIEW sales AS SELECT * FROM read_parquet('{lake}/sales/*/*.parquet', hive_partitioning = true)"
)
result = con.execute(sql)
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow([d[0] for d in result.description])
    w.writerows(result.fetchall())
PY
cat > "$work/same.py" <<'PY'
import csv, sys
from decimal import Decimal, ROUND_HALF_UP
def rows(path):
    out = []
    for row in list(csv.reader(open(path)))[1:]:
        cells = []
        for cell in row:
            try:
                cells.append(str(Decimal(cell).quantize(Decimal("0.01"), ROUND_HALF_UP)))
            except Exception:
                cells.append(cell)
        out.append(cells)
    return out
a, b = rows(sys.argv[1]), rows(sys.argv[2])
print("yes" if a == b and a else "**no**")
PY
# What DuckDB's side spends before its query: Python starting and
# importing duckdb (the sales-etl side's start is inside its own times).
start=()
for ((round = 0; round < rounds; round++)); do
  /usr/bin/time -f "%e" -o "$work/t" "$python" -c "import duckdb; duckdb.connect()"
  start+=("$(cat "$work/t")")
done
python3 - "${start[@]}" <<'PY'
import statistics, sys
v = [float(x) for x in sys.argv[1:]]
print(f"DuckDB's start (Python, import duckdb, connect): median {statistics.median(v):.2f} s\n")
PY
printf '| question | engine | median s | slowest s | same answer |\n|---|---|---:|---:|---|\n'
for i in "${!questions[@]}"; do
  sql=${questions[$i]}
  ours=() duck=()
  for ((round = 0; round < rounds; round++)); do
    /usr/bin/time -f "%e" -o "$work/t" "$bin" query "$sql" --lake "$lake" --format csv -q > "$work/ours.csv"
    ours+=("$(cat "$work/t")")
    /usr/bin/time -f "%e" -o "$work/t" "$python" "$work/duck.py" "$lake" "$sql" "$work/duck.csv"
    duck+=("$(cat "$work/t")")
  done
  same=$("$python" "$work/same.py" "$work/ours.csv" "$work/duck.csv")
  for engine in sales-etl duckdb; do
    if [ "$engine" = sales-etl ]; then values=("${ours[@]}"); else values=("${duck[@]}"); fi
    python3 - "${names[$i]}" "$engine" "$same" "${values[@]}" <<'PY'
import statistics, sys
v = [float(x) for x in sys.argv[4:]]
print(f"| {sys.argv[1]} | {sys.argv[2]} | {statistics.median(v):.2f} | {max(v):.2f} | {sys.argv[3]} |")
PY
  done
done
