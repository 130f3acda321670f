#!/usr/bin/env bash
# Measures `fettle import` on the hostile inputs of issue 11: peak RSS and wall time per case.
#
#   scripts/hostile-import.sh [WORKDIR]
#
# Builds the release binary and the generator (crates/fettle-formats/examples/hostile_inputs.rs),
# writes the inputs into WORKDIR (≈ 250 MB; a temporary folder by default), then imports each
# into a fresh SQLite database under GNU time and prints one table row per case: exit status,
# activities imported, files failed, peak RSS (MiB) and wall time (s), with the first failure's
# reason. `baseline` (20 ordinary one-hour FIT runs) is the same-run reference.
# Needs GNU time (Debian: apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p fettle --bin fettle
cargo build --release -q -p fettle-formats --example hostile_inputs
bin=$CARGO_TARGET_DIR/release/fettle
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -f $work/inputs/gpx-1m-points.gpx ]] ||
  "$CARGO_TARGET_DIR/release/examples/hostile_inputs" "$work/inputs"

printf '| case | input size | exit | imported | failed | peak RSS (MiB) | wall (s) | first failure |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---|\n'
for input in "$work"/inputs/baseline "$work"/inputs/*.zip "$work"/inputs/*.fit "$work"/inputs/*.gpx; do
  name=$(basename "$input")
  rm -f "$work"/case.sqlite*
  set +e
  /usr/bin/time -v -o "$work/time.txt" \
    "$bin" --db "$work/case.sqlite" import --json "$input" >"$work/summary.json" 2>"$work/stderr.txt"
  code=$?
  set -e
  rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt" |
    awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  size=$(du -sh "$input" | cut -f1)
  read -r imported failed reason < <(python3 - "$work/summary.json" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except Exception:
    print("- - (no summary)")
    raise SystemExit
reason = s["failures"][0]["reason"] if s["failures"] else ""
print(s["imported"], s["failed"], reason[:90].replace("|", "/"))
PY
)
  printf '| %s | %s | %s | %s | %s | %d | %.1f | %s |\n' \
    "$name" "$size" "$code" "$imported" "$failed" $((rss_kib / 1024)) "$wall" "$reason"
done

echo
echo "== FIT decoding alone (median of 5):"
for input in "$work"/inputs/fit-16k-sessions*.fit; do
  "$CARGO_TARGET_DIR/release/examples/hostile_inputs" --decode "$input"
done
