#!/usr/bin/env bash
# Wall time and peak memory of a release build on generated days.
# Usage: benches/quick.sh [ROWS...]   (default: 1000000 10000000)
# Data goes to benches/data/ (git-ignored); results print as a table.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
rows=("${@:-1000000 10000000}")
[ $# -eq 0 ] && rows=(1000000 10000000)
mkdir -p benches/data
printf '| rows | input | wall s | peak RSS MiB | rows/s |\n|---:|---:|---:|---:|---:|\n'
for n in "${rows[@]}"; do
  dir=benches/data/generated_$n
  [ -d "$dir" ] || target/release/sales-etl generate --rows "$n" --date 2026-11-25 --out "$dir" --seed 1 2>/dev/null
  size=$(du -sm "$dir" | cut -f1)
  out=$(mktemp -d)
  /usr/bin/time -v target/release/sales-etl run "$dir" -q --format json --no-db \
      --errors-dir "$out/errors" --reports-dir "$out/reports" >/dev/null 2>"$out/time.txt"
  wall=$(grep "Elapsed (wall clock)" "$out/time.txt" | awk '{print $NF}')
  secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" "$out/time.txt" | awk '{print int($NF/1024)}')
  printf '| %s | %s MiB | %.2f | %s | %.0f |\n' "$n" "$size" "$secs" "$rss" "$(echo "$n / $secs" | bc -l)"
  rm -rf "$out"
done
