#!/usr/bin/env bash
# sales-etl against the same job written for pandas, DuckDB and Polars from
# Python (benches/peers/), on generated days: wall time and peak RSS (median
# of RUNS runs), throughput and ratios to sales-etl, and whether each tool's
# counts and reports equal the generator's truth. Also the floor (Polars
# merely reading the files), and sales-etl on 1 and 2 threads and pinned to
# one core (taskset), with MB/s per core.
#
# Usage: benches/compare.sh [ROWS...]      (default: 1000000 10000000)
#        RUNS=5 PEERS="duckdb polars" benches/compare.sh 1000000
# Needs python3 with venv; peers install from benches/peers/requirements.txt
# into benches/peers/.venv, and a peer that cannot be installed is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
rows=("$@")
[ ${#rows[@]} -eq 0 ] && rows=(1000000 10000000)
cargo build --release --quiet
bin=target/release/sales-etl

venv=benches/peers/.venv
peers=()
if [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >/dev/null 2>&1; then
  for peer in ${PEERS:-pandas duckdb polars}; do
    line=$(grep -E "^$peer==" benches/peers/requirements.txt || true)
    # shellcheck disable=SC2086
    if [ -n "$line" ] && { "$venv/bin/python" -c "import $peer" 2>/dev/null \
        || "$venv/bin/pip" install -q $line >/dev/null 2>&1; }; then
      peers+=("$peer")
    else
      echo "skipping $peer: cannot install ${line:-it}" >&2
    fi
  done
else
  echo "skipping every peer: python3 -m venv failed" >&2
fi
has_polars=0
for p in "${peers[@]}"; do [ "$p" = polars ] && has_polars=1; done

# Runs "$@" $runs times; prints "median_seconds median_peak_MiB".
measure() {
  local times=() rss=() log
  log=$(mktemp)
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>>"$log.err" || {
      echo "failed: $*" >&2; tail -5 "$log.err" >&2; rm -f "$log" "$log.err"; return 1; }
    read -r t m <"$log"
    times+=("$t"); rss+=("$m")
  done
  rm -f "$log" "$log.err"
  printf '%s %s\n' \
    "$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
    "$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END {print int(a[int((NR+1)/2)]/1024)}')"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "runs per figure: $runs (median)"
printf '\n| rows | input MiB | tool | cores | wall s | peak RSS MiB | rows/s | MB/s per core | time vs sales-etl | memory vs sales-etl | equals truth |\n'
printf '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n'
for n in "${rows[@]}"; do
  dir=benches/data/generated_$n
  [ -f "$dir/_truth.json" ] || "$bin" generate --rows "$n" --date 2026-11-25 --out "$dir" --seed 1 >/dev/null 2>&1
  size=$(du -smL --exclude=_truth.json "$dir" | cut -f1)
  bytes=$(du -sbL --apparent-size --exclude=_truth.json "$dir" | cut -f1)
  out=$(mktemp -d)
  read -r base_t base_m < <(measure "$bin" run "$dir" -q --no-db --format json \
      --errors-dir "$out/errors" --reports-dir "$out/reports")
  "$bin" run "$dir" -q --no-db --format json --errors-dir "$out/errors" \
      --reports-dir "$out/reports" >"$out/sales-etl.json"
  row() { # tool cores seconds mib match
    printf '| %s | %s | %s | %s | %.2f | %s | %.0f | %.0f | %.2f× | %.2f× | %s |\n' "$n" "$size" "$1" "$2" "$3" "$4" \
      "$(echo "$n / $3" | bc -l)" "$(echo "$bytes / 1000000 / $3 / $2" | bc -l)" \
      "$(echo "$3 / $base_t" | bc -l)" "$(echo "$4 / $base_m" | bc -l)" "$5"
  }
  match() { if "$venv/bin/python" benches/peers/check.py "$dir/_truth.json" "$@" 2>"$out/diff"; then echo yes; else echo "**no**"; cat "$out/diff" >&2; fi; }
  cores=$(nproc)
  row sales-etl "$cores" "$base_t" "$base_m" "$(match "$out/sales-etl.json" --sales-etl)"
  for peer in "${peers[@]}"; do
    if read -r t m < <(measure "$venv/bin/python" "benches/peers/${peer}_peer.py" "$dir" "$out/$peer"); then
      row "$peer (Python)" "$cores" "$t" "$m" "$(match "$out/$peer/result.json")"
    else
      echo "| $n | $size | $peer (Python) | $cores | failed | | | | | | |"
    fi
  done
  if [ "$has_polars" = 1 ]; then
    read -r t m < <(measure "$venv/bin/python" benches/peers/bare_read.py "$dir")
    row "floor: Polars reads the files as text, nothing else" "$cores" "$t" "$m" "n/a"
  fi
  for threads in 1 2; do
    read -r t m < <(measure "$bin" run "$dir" -q --no-db --format json --threads "$threads" \
        --errors-dir "$out/errors" --reports-dir "$out/reports")
    row "sales-etl --threads $threads" "$threads" "$t" "$m" "-"
  done
  read -r t m < <(measure taskset -c 0 "$bin" run "$dir" -q --no-db --format json --threads 1 \
      --errors-dir "$out/errors" --reports-dir "$out/reports")
  row "sales-etl --threads 1, pinned to one core (taskset -c 0)" 1 "$t" "$m" "-"
  rm -rf "$out"
done
