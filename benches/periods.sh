#!/usr/bin/env bash
# Period reports over many stored days: generates DAYS days of ROWS rows
# each (one folder per day), backfills them into a fresh SQLite file and a
# fresh MariaDB database, then times `report` (the latest complete day),
# `--last 7d`, `--last 4w` and `--last 3m --by week` from each, ROUNDS times
# alternated, then `--last 4w` from the folder itself (no warehouse), and
# prints the median and the slowest wall time of each.
# Usage: benches/periods.sh [DAYS] [ROWS] [ROUNDS]   (default 90 200000 5)
#        NO_MYSQL=1 benches/periods.sh                (SQLite only)
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-90}
rows=${2:-200000}
rounds=${3:-5}
server=${SALES_ETL_BENCH_MYSQL:-mysql://root@127.0.0.1:3306}
cargo build --release --quiet
bin=$PWD/target/release/sales-etl
data=$PWD/benches/data/days_${days}x${rows}
first=2026-06-01
last=$(date -d "$first + $((days - 1)) days" +%F)
if [ ! -f "$data/.complete" ]; then
  rm -rf "$data"
  for ((i = 0; i < days; i++)); do
    day=$(date -d "$first + $i days" +%F)
    "$bin" generate --rows "$rows" --date "$day" --out "$data/$day" --seed $((i + 1)) 2>/dev/null
    rm "$data/$day/_truth.json"
  done
  touch "$data/.complete"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

targets=("sqlite://$work/w.db")
if [ -z "${NO_MYSQL:-}" ]; then
  db=sales_etl_bench_periods_$$
  mysql -h 127.0.0.1 -u root -e "CREATE DATABASE $db"
  trap 'rm -rf "$work"; mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db"' EXIT
  targets+=("$server/$db")
fi
for target in "${targets[@]}"; do
  /usr/bin/time -f "%e" -o load.txt "$bin" run "$data" --from "$first" --to "$last" --db "$target" -q > /dev/null
  printf 'backfilled %s days x %s rows into %s in %s s\n' "$days" "$rows" "${target%%://*}" "$(cat load.txt)"
done
printf '\n| warehouse | report | median s | slowest s |\n|---|---|---:|---:|\n'
reports=("" "--last 7d" "--last 4w" "--last 3m --by week")
declare -A times
for ((round = 0; round < rounds; round++)); do
  for target in "${targets[@]}"; do
    for args in "${reports[@]}"; do
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e" -o t.txt "$bin" report --db "$target" $args --format json -q > /dev/null
      times["${target%%://*}|$args"]+="$(cat t.txt) "
    done
  done
done
# The same from the folder, no warehouse: every row is read and cleaned.
for ((round = 0; round < rounds; round++)); do
  /usr/bin/time -f "%e" -o t.txt "$bin" report "$data" --last 4w --format json -q > /dev/null
  times["folder|--last 4w"]+="$(cat t.txt) "
done
for target in "${targets[@]}" folder; do
  reports_of=("${reports[@]}")
  [ "$target" = folder ] && reports_of=("--last 4w")
  for args in "${reports_of[@]}"; do
    key="${target%%://*}|$args"
    python3 - "${target%%://*}" "${args:-(latest day)}" ${times[$key]} <<'PY'
import statistics, sys
values = [float(v) for v in sys.argv[3:]]
print(f"| {sys.argv[1]} | `report {sys.argv[2]}` | {statistics.median(values):.3f} | {max(values):.3f} |")
PY
  done
done
