#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md for import, status and load recomputation.
#
#   scripts/bench.sh [WORKDIR]
#
# Builds release binaries, writes ten simulated years (≈ 2,900 runs, ≈ 250 MB) as FIT files
# with Fettle's encoder, then measures with medians of several runs:
#   - `fettle import` of the whole folder (wall time, CPU time, peak RSS), 2 threads and 1;
#   - `fettle status` on that database against `fettle --version` (process start) in the same run;
#   - `fettle profile set` (recomputes every load) against `fettle profile show`.
# Needs hyperfine and GNU time (Debian: apt-get install hyperfine time).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
runs=${RUNS:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p fettle --bin fettle
cargo build --release -q -p fettle-sim --example write_fit
bin=$CARGO_TARGET_DIR/release/fettle
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -d $work/fit ]] || "$CARGO_TARGET_DIR/release/examples/write_fit" "$work/fit" 10 1

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for threads in 2 1; do
  : >"$work/import-$threads.txt"
  for _ in $(seq "$runs"); do
    rm -f "$work"/import.sqlite*
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
      "$bin" --db "$work/import.sqlite" import --threads "$threads" "$work/fit" >/dev/null
    cat "$work/time.txt" >>"$work/import-$threads.txt"
  done
  printf 'import, %s thread(s): median wall %s s, CPU %s s, peak RSS %s MB (%s runs)\n' "$threads" \
    "$(cut -d' ' -f1 "$work/import-$threads.txt" | median)" \
    "$(awk '{print $2+$3}' "$work/import-$threads.txt" | median)" \
    "$(awk '{print $4/1024}' "$work/import-$threads.txt" | median)" "$runs"
done
echo "activities: $("$bin" --db "$work/import.sqlite" activities --json | grep -c '"id"')"

hyperfine -N -w 3 -r 30 --export-json "$work/status.json" \
  "$bin --db $work/import.sqlite --version" \
  "$bin --db $work/import.sqlite status --json" >/dev/null
hyperfine -N -w 1 -r 7 --export-json "$work/recompute.json" \
  "$bin --db $work/import.sqlite profile show --json" \
  "$bin --db $work/import.sqlite profile set --lthr 172 --json" >/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
for name in ("status", "recompute"):
    rs = json.load(open(f"{w}/{name}.json"))["results"]
    base, cmd = rs[0], rs[1]
    print(f"{name}: median {cmd['median']*1000:.1f} ms (baseline '{base['command'].split()[-1]}' "
          f"{base['median']*1000:.1f} ms, ratio {cmd['median']/base['median']:.1f}x)")
PY
