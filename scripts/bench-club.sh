#!/usr/bin/env bash
# Measures the coach and club server (issue 7, requirement 7): 1,000 athletes × 2 years of
# simulated training in PostgreSQL, `fettle serve --multi-user` (release build), and wrk with
# 100 concurrent clients, each request authenticated by a different user's API token:
#   - GET /api/v1/status as the athletes (each their own),
#   - GET /api/v1/squad as the 20 coaches (squads of 50: the squad page's data),
# first on a cold server (nothing cached: the first SECONDS after start), then warm.
#
# Usage: scripts/bench-club.sh [SECONDS]   (default 15 s per measurement)
# Needs: wrk (apt-get install wrk), PostgreSQL at $FETTLE_BENCH_POSTGRES
# (default postgres://postgres@127.0.0.1:5432/test). The data goes to schema
# $FETTLE_BENCH_SCHEMA (default fettle_bench) and is kept: the first run loads it (≈ 25 min on
# two cores), later runs reuse it. Set CARGO_TARGET_DIR to reuse a build.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-15}"
connections=100
threads=2
port="${FETTLE_BENCH_PORT:-18081}"
postgres="${FETTLE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
schema="${FETTLE_BENCH_SCHEMA:-fettle_bench}"

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }

echo "== building (release)"
cargo build --release -p fettle --quiet
cargo build --release -p fettle-app --example squad_bench --quiet
target="${CARGO_TARGET_DIR:-target}"
fettle="$target/release/fettle"

work="$(mktemp -d)"
server=""
cleanup() {
    if [[ -n "$server" ]]; then kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== data and accounts (schema $schema; loaded once, then reused)"
"$target/release/examples/squad_bench" --postgres "$postgres" --schema "$schema" \
    --athletes 1000 --days 730 --squad-size 50 --load-only --accounts "$work/tokens"

database="$postgres?options=-csearch_path%3D$schema"
start_server() {
    "$fettle" --database "$database" serve --multi-user --addr "127.0.0.1:$port" \
        > /dev/null 2> "$work/serve.log" &
    server=$!
    for _ in $(seq 200); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/me" || true)
        [[ "$code" == "401" ]] && return 0
        sleep 0.1
    done
    echo "the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1
}
stop_server() { kill -INT "$server"; wait "$server" 2>/dev/null || true; server=""; }

measure() { # LABEL PATH TOKENS
    local label="$1" path="$2" tokens="$3"
    FETTLE_TOKENS="$tokens" wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 30s \
        --latency -s scripts/bench-club.lua "http://127.0.0.1:$port$path" > "$work/wrk.txt"
    local p50 p99 rps errors
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    rps=$(awk '$1 == "Requests/sec:" {print $2}' "$work/wrk.txt")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk.txt" | tr '\n' ' ')
    printf 'RESULT %-22s %-16s p50 %-8s p99 %-8s %8s requests/s %s\n' \
        "$label" "$path" "$p50" "$p99" "$rps" "$errors"
}

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for path in /api/v1/status /api/v1/squad; do
    tokens="$work/tokens/athletes.txt"
    [[ "$path" == /api/v1/squad ]] && tokens="$work/tokens/coaches.txt"
    start_server
    measure "cold (fresh server)" "$path" "$tokens"
    measure "warm" "$path" "$tokens"
    stop_server
done
echo "== access log lines written: $(wc -l < "$work/serve.log")"
