#!/usr/bin/env bash
# Load throughput into the local MariaDB: sales-etl's whole load (rows
# streamed by LOAD DATA LOCAL while the run judges them, replaced-row
# bookkeeping, sales per file, reports, one transaction) against the
# `mariadb` client's plain LOAD DATA LOCAL INFILE of the same rows into the
# same empty table, twice: rows sorted by the table's key (the client's best
# case) and rows in the order of the input files (what a user would do).
# ID_ORDER is the generator's `--id-order`: `random` (hashed ids, the
# default) or `sequential` (ids nearly in key order); run both.
# Usage: benches/load.sh [ROWS] [RUNS] [ID_ORDER]   (default 1000000 rows, 3 runs, random)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
order=${3:-random}
server=${SALES_ETL_BENCH_MYSQL:-mysql://root@127.0.0.1:3306}
db=sales_etl_bench
cargo build --release --quiet
dir=benches/data/clean_${rows}_$order
[ -d "$dir" ] || target/release/sales-etl generate --rows "$rows" --date 2026-11-25 --out "$dir" --seed 1 --defect-rate 0 --id-order "$order" 2>/dev/null
mysql() { command mariadb --protocol=tcp -h127.0.0.1 -uroot "$@"; }
tmp=$(mktemp -d)
columns="transaction_id, \`timestamp\`, \`date\`, channel, store_id, customer_id, product_id, quantity, unit_price, line_revenue, source_file, source_line, run_id, loaded_at"
client_load() { # file -> seconds
  mysql "$db" -e "TRUNCATE staging_sales"
  local start end
  start=$(date +%s.%N)
  mysql --local-infile=1 "$db" -e "LOAD DATA LOCAL INFILE '$1' INTO TABLE staging_sales"
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
printf '| run | rows | sales-etl s | sales-etl rows/s | client, key order s | ratio | client, file order s | ratio |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for run in $(seq 1 "$runs"); do
  mysql -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
  target/release/sales-etl run "$dir" -q --format json --no-outliers \
      --errors-dir "$tmp/e" --reports-dir "$tmp/r" --db "$server/$db" > "$tmp/run.json"
  read -r loaded seconds method < <(python3 -c "import json,sys; l=json.load(open('$tmp/run.json'))['load']; print(l['rows'], l['seconds'], l['method'])")
  # The same rows, as the client's default tab format.
  mysql -N -B "$db" -e "SELECT $columns FROM staging_sales ORDER BY \`date\`, transaction_id" > "$tmp/by_key.tsv"
  mysql -N -B "$db" -e "SELECT $columns FROM staging_sales ORDER BY source_file, source_line" > "$tmp/by_file.tsv"
  by_key=$(client_load "$tmp/by_key.tsv")
  by_file=$(client_load "$tmp/by_file.tsv")
  count=$(mysql -N -B "$db" -e "SELECT COUNT(*) FROM staging_sales")
  [ "$count" = "$loaded" ] || { echo "client loaded $count rows, sales-etl $loaded" >&2; exit 1; }
  printf '| %s | %s | %.2f | %.0f | %.2f | %.2f | %.2f | %.2f |\n' "$run" "$loaded" "$seconds" \
    "$(echo "$loaded / $seconds" | bc -l)" "$by_key" "$(echo "$by_key / $seconds" | bc -l)" \
    "$by_file" "$(echo "$by_file / $seconds" | bc -l)"
done
echo "ids: $order; method: $method; ratio = client seconds / sales-etl seconds (above 1: sales-etl is faster)"
mysql -e "DROP DATABASE IF EXISTS $db"
rm -rf "$tmp"
