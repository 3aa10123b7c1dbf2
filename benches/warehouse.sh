#!/usr/bin/env bash
# The run with a database beside the run without one, on one generated day:
# wall time, peak RSS and load rate of `run --no-db`, the default run into a
# fresh SQLite file, a re-run of the same (unchanged) day into that file,
# the same with --reload, a run into a fresh MariaDB database and a re-run
# into it; alternated within each round, so that a noisy
# machine spreads over all of them alike. Then a small run (20 rows of a
# file of another name) into a SQLite warehouse that holds the day.
# Usage: benches/warehouse.sh [ROWS] [ROUNDS]   (default 10000000 rows, 3 rounds)
#        NO_MYSQL=1 benches/warehouse.sh        (SQLite only)
#        ID_ORDER=sequential benches/warehouse.sh  (ids nearly in key order;
#        the default is random, hashed ids: run both)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
rounds=${2:-3}
server=${SALES_ETL_BENCH_MYSQL:-mysql://root@127.0.0.1:3306}
cargo build --release --quiet
bin=$PWD/target/release/sales-etl
order=${ID_ORDER:-random}
dir=$PWD/benches/data/generated_${rows}_$order
[ -d "$dir" ] || "$bin" generate --rows "$rows" --date 2026-11-25 --out "$dir" --seed 1 --id-order "$order" 2>/dev/null
input=$(du -sbL --apparent-size "$dir" | cut -f1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# One run: prints "wall_s peak_MiB load_rows load_s".
measure() {
  /usr/bin/time -f "%e %M" -o time.txt "$bin" run "$dir" -q --format json "$@" > run.json
  read -r wall kib < time.txt
  python3 - "$wall" "$kib" <<'PY'
import json, sys
load = json.load(open("run.json"))["load"] or {"rows": 0, "seconds": 0}
print(sys.argv[1], int(sys.argv[2]) // 1024, load["rows"], round(load["seconds"], 2))
PY
}

printf 'input: %s rows, %d MiB on disk, ids %s\n\n' "$rows" "$((input / 1048576))" "$order"
printf '| round | command | wall s | peak RSS MiB | rows loaded | load s | load rows/s |\n|---:|---|---:|---:|---:|---:|---:|\n'
row() { # round name wall rss rows seconds
  local rate=0
  [ "$5" != 0 ] && rate=$(echo "$5 / $6" | bc)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$6" "$rate"
}
for round in $(seq 1 "$rounds"); do
  # shellcheck disable=SC2046
  row "$round" "run --no-db" $(measure --no-db)
  rm -f sales.db sales.db-journal
  # shellcheck disable=SC2046
  row "$round" "run (SQLite, fresh file)" $(measure)
  # shellcheck disable=SC2046
  row "$round" "run again (SQLite, same file, unchanged)" $(measure)
  # shellcheck disable=SC2046
  row "$round" "run again --reload (SQLite, same file)" $(measure --reload)
  if [ -z "${NO_MYSQL:-}" ]; then
    mariadb --protocol=tcp -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS sales_etl_bench_w"
    # shellcheck disable=SC2046
    row "$round" "run --db mysql:// (MariaDB, fresh database)" $(measure --db "$server/sales_etl_bench_w")
    # shellcheck disable=SC2046
    row "$round" "run again --db mysql:// (MariaDB, unchanged)" $(measure --db "$server/sales_etl_bench_w")
  fi
done
[ -z "${NO_MYSQL:-}" ] && mariadb --protocol=tcp -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS sales_etl_bench_w"

# 20 rows of a file no earlier run loaded, into the warehouse holding the day.
mkdir small
{ echo "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price"
  for i in $(seq 1 20); do echo "X-$i,2026-11-25 12:00:00,web,,C-1,SKU-00001,1,9.99"; done
} > small/extra_2026-11-25.csv
/usr/bin/time -f "%e" -o time.txt "$bin" run small -q --format json > run.json
printf '\n20-row run into the SQLite warehouse holding the day: %s s wall\n' "$(cat time.txt)"
