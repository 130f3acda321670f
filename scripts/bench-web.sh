#!/usr/bin/env bash
# Measures `fettle serve` (issue #6, requirement 6): p50/p99 latency and throughput of
# GET /api/v1/status and of the Today page (/) at 50 concurrent clients, with ten years of
# simulated training in the database, release build, measured with wrk.
#
# Usage: scripts/bench-web.sh [DAYS] [SECONDS]   (defaults: 3650 days, 10 s per URL)
# Needs: wrk (Debian: apt-get install wrk). Set CARGO_TARGET_DIR to reuse a build; set
# FETTLE_BENCH_DB to keep (and reuse) the filled database instead of a temporary one.
set -euo pipefail
cd "$(dirname "$0")/.."

days="${1:-3650}"
seconds="${2:-10}"
connections=50
threads=2
port="${FETTLE_BENCH_PORT:-18080}"

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }

echo "== building (release)"
cargo build --release -p fettle --quiet
target="${CARGO_TARGET_DIR:-target}"
fettle="$target/release/fettle"

work="$(mktemp -d)"
server=""
cleanup() {
    if [[ -n "$server" ]]; then kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

db="${FETTLE_BENCH_DB:-$work/bench.sqlite}"
if [[ -s "$db" ]]; then
    echo "== reusing $db"
else
    echo "== filling $db with $days days of simulated training (demo: FIT files → import)"
    started=$SECONDS
    "$fettle" --db "$db" demo --days "$days" --json > "$work/demo.json"
    echo "demo of $days days took $((SECONDS - started)) s"
fi
"$fettle" --db "$db" activities --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)), "activities")'

echo "== serving on 127.0.0.1:$port"
"$fettle" --db "$db" serve --addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/api/v1/status" > /dev/null && break
    sleep 0.1
done

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for path in /api/v1/status /; do
    url="http://127.0.0.1:$port$path"
    # A short warm-up so first-request costs (page cache, connection set-up) are not measured.
    wrk -t"$threads" -c"$connections" -d2s "$url" > /dev/null
    echo "== wrk -t$threads -c$connections -d${seconds}s --latency $url"
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$url" | tee "$work/wrk.txt"
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    rps=$(awk '$1 == "Requests/sec:" {print $2}' "$work/wrk.txt")
    printf 'RESULT %-16s p50 %-8s p99 %-8s %s requests/s\n' "$path" "$p50" "$p99" "$rps"
done
