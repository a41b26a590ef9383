#!/usr/bin/env bash
# The benchmark: fills a database with N synthetic initiatives through the bulk path
# (`msp-registry generate`), runs the release server, and measures with wrk on 127.0.0.1.
# Writes bench/RESULTS.md. Loopback only; every load is bounded by DURATION.
#
#   bash bench/run.sh                 # both engines, N=100000
#   N=20000 BACKENDS=sqlite bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N="${N:-100000}"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
BACKENDS="${BACKENDS:-postgres sqlite}"
PG_SERVER="${PG_SERVER:-postgres://postgres@127.0.0.1:5432}"
PORT="${PORT:-18080}"
OUT="bench/RESULTS.md"
BIN=target/release/msp-registry

command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
# SKIP_BUILD=1 measures the binary already in target/release (say, while the sources move on).
[ "${SKIP_BUILD:-0}" = 1 ] || cargo build --release -q -p msp-api

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

{
  echo "# Benchmark results"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "- $N initiatives; wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency on 127.0.0.1; server in release mode, MSP_WORKERS=2, pool 16"
  echo "- produced by \`bash bench/run.sh\`; numbers are as measured on this run, not targets"
  echo
} > "$OUT.tmp"

measure() { # name url [token] [wrk script]
  local name=$1 url=$2 token=${3:-} script=${4:-} args=()
  [ -n "$token" ] && args=(-H "Authorization: Bearer $token")
  [ -n "$script" ] && args+=(-s "$script")
  local log="$work/wrk.log"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${args[@]}" "$url" > "$log"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$log")
  p50=$(awk '$1=="50%" {print $2}' "$log")
  p99=$(awk '$1=="99%" {print $2}' "$log")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$log")
  local rss
  rss=$(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$server_pid/status")
  echo "| $name | $rps | $p50 | $p99 | ${non2xx:-0} | $rss |" >> "$OUT.tmp"
}

for backend in $BACKENDS; do
  case $backend in
    sqlite)
      url="sqlite://$work/bench.sqlite?mode=rwc" ;;
    postgres)
      psql "$PG_SERVER/postgres" -q -c 'DROP DATABASE IF EXISTS msp_bench WITH (FORCE)' -c 'CREATE DATABASE msp_bench'
      url="$PG_SERVER/msp_bench" ;;
  esac
  export MSP_DATABASE_URL="$url" MSP_DEMO=false MSP_LOG_LEVEL=warn MSP_WORKERS=2 MSP_DB_MAX_CONNECTIONS=16 \
    MSP_BIND="127.0.0.1:$PORT" MSP_JWT_SECRET="bench-secret-bench-secret-bench-secret-000"
  gen=$("$BIN" generate --initiatives "$N" --tenant bench 2>&1 >/dev/null | tail -1)
  "$BIN" user create --email bench@example.org --name Bench --password "bench password 1" --tenant bench --role viewer > /dev/null
  token=$("$BIN" token --email bench@example.org)
  "$BIN" serve > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
  base="http://127.0.0.1:$PORT/api/v1"
  id=$(curl -fs -H "Authorization: Bearer $token" "$base/initiatives?country=ML&per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  {
    echo "## $backend"
    echo
    echo "Generation: $gen"
    echo
    echo "| scenario | req/s | p50 | p99 | non-2xx | server RSS after |"
    echo "|---|---|---|---|---|---|"
  } >> "$OUT.tmp"
  measure "list filtered by country (50 per page, member)" "$base/initiatives?country=ML&per_page=50" "$token"
  measure "GraphQL list filtered by country (50, with partners' organisations, member)" "http://127.0.0.1:$PORT/graphql" "$token" bench/graphql_list.lua
  measure "full-text search (q=school connectivity, 50 per page)" "$base/initiatives?q=school%20connectivity&per_page=50" "$token"
  measure "get one initiative (detail with partner sectors and totals)" "$base/initiatives/$id" "$token"
  measure "get one initiative's partners" "$base/initiatives/$id/partners" "$token"
  measure "anonymous public list (50 per page)" "$base/initiatives?per_page=50"
  # Bulk export: every initiative as NDJSON through curl; rows/s and the server's RSS sampled
  # while it streams (it should stay flat whatever N).
  # Let requests queued by the last wrk run drain before exporting.
  sleep 10
  rss_before=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status")
  ( while kill -0 "$server_pid" 2>/dev/null; do
      awk '/VmRSS/ {printf "%.0f\n", $2/1024}' "/proc/$server_pid/status" >> "$work/rss.log"; sleep 0.1; done ) &
  sampler=$!
  t0=$(date +%s.%N)
  curl -fs --retry 5 --retry-delay 5 --retry-all-errors -H "Authorization: Bearer $token" "$base/export/initiatives?format=ndjson" > "$work/export.ndjson"
  t1=$(date +%s.%N)
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  rows=$(wc -l < "$work/export.ndjson")
  echo "| bulk export, NDJSON ($rows rows, $(du -m "$work/export.ndjson" | cut -f1) MB) | $(awk -v n="$rows" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f rows/s", n/(b-a)}') | $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f s", b-a}') | | | RSS $rss_before MB before, $(sort -n "$work/rss.log" | tail -1) MB max while streaming |" >> "$OUT.tmp"
  peak=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$server_pid/status")
  echo >> "$OUT.tmp"
  echo "Server peak RSS (VmHWM): $peak" >> "$OUT.tmp"
  echo >> "$OUT.tmp"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

  # wrk repeats one URL, so the runs above are answered from the read cache after the first
  # request (each still reads the change feed's head). The same reads with the cache off:
  MSP_READ_CACHE_MB=0 "$BIN" serve > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
  {
    echo "The same reads with the read cache off (\`MSP_READ_CACHE_MB=0\`): every request queries the database."
    echo
    echo "| scenario | req/s | p50 | p99 | non-2xx | server RSS after |"
    echo "|---|---|---|---|---|---|"
  } >> "$OUT.tmp"
  measure "list filtered by country, cache off" "$base/initiatives?country=ML&per_page=50" "$token"
  measure "full-text search, cache off" "$base/initiatives?q=school%20connectivity&per_page=50" "$token"
  measure "get one initiative, cache off" "$base/initiatives/$id" "$token"
  measure "anonymous public list, cache off" "$base/initiatives?per_page=50"
  echo >> "$OUT.tmp"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  sleep 5

  # Bulk import: the first IMPORT_N (default: all N) exported rows into a new tenant through `msp-registry import` (one
  # transaction; made private, as an imported initiative has no partner to be public with).
  "$BIN" tenant create --slug bench-import --name "Bench import" > /dev/null
  head -n "${IMPORT_N:-$N}" "$work/export.ndjson" | sed 's/"visibility":"public"/"visibility":"private"/' > "$work/import.ndjson"
  imported=$(MSP_IMPORT_MAX_ROWS="$N" MSP_IMPORT_BODY_LIMIT_BYTES=4000000000 "$BIN" import --file "$work/import.ndjson" --tenant bench-import 2>&1 >/dev/null | tail -1)
  echo "Bulk import (\`msp-registry import\`, NDJSON): $imported" >> "$OUT.tmp"
  echo >> "$OUT.tmp"

  echo "Query plans ($backend):" >> "$OUT.tmp"
  echo '```' >> "$OUT.tmp"
  case $backend in
    postgres)
      tenant=$(psql "$url" -Atc "select id from tenant where slug='bench'")
      echo "-- list filtered by country, the page (tag sort-key index):" >> "$OUT.tmp"
      psql "$url" -Atc "EXPLAIN SELECT initiative_id FROM initiative_tag WHERE kind = 'country' AND value = 'ML' AND tenant_id = '$tenant' ORDER BY title_key, initiative_id LIMIT 50" >> "$OUT.tmp"
      echo "-- its total:" >> "$OUT.tmp"
      psql "$url" -Atc "EXPLAIN SELECT COUNT(*) FROM initiative_tag WHERE kind = 'country' AND value = 'ML' AND tenant_id = '$tenant'" >> "$OUT.tmp"
      echo "-- the same filter with any other filter (general path):" >> "$OUT.tmp"
      psql "$url" -Atc "SET max_parallel_workers_per_gather = 0; EXPLAIN SELECT * FROM initiative WHERE tenant_id = '$tenant' AND stage = 'implementing' AND id IN (SELECT initiative_id FROM initiative_tag WHERE kind = 'country' AND value = 'ML') ORDER BY title_key, id LIMIT 50" >> "$OUT.tmp"
      echo >> "$OUT.tmp"
      echo "-- full-text search:" >> "$OUT.tmp"
      psql "$url" -Atc "EXPLAIN SELECT * FROM initiative WHERE tenant_id = '$tenant' AND id IN (SELECT entity_id FROM search_document WHERE vector @@ plainto_tsquery('simple', 'school connectivity')) LIMIT 50" >> "$OUT.tmp"
      echo >> "$OUT.tmp"
      echo "-- anonymous public list:" >> "$OUT.tmp"
      psql "$url" -Atc "EXPLAIN SELECT * FROM initiative WHERE visibility = 'public' ORDER BY title_key, id LIMIT 50" >> "$OUT.tmp"
      ;;
    sqlite)
      db="$work/bench.sqlite"
      echo "-- list filtered by country, the page (tag sort-key index):" >> "$OUT.tmp"
      sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT initiative_id FROM initiative_tag WHERE kind = 'country' AND value = 'ML' AND tenant_id = x'00' ORDER BY title_key, initiative_id LIMIT 50" >> "$OUT.tmp"
      echo "-- its total:" >> "$OUT.tmp"
      sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM initiative_tag WHERE kind = 'country' AND value = 'ML' AND tenant_id = x'00'" >> "$OUT.tmp"
      echo "-- the same filter with any other filter (general path):" >> "$OUT.tmp"
      sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT * FROM initiative WHERE tenant_id = x'00' AND stage = 'implementing' AND id IN (SELECT initiative_id FROM initiative_tag WHERE kind = 'country' AND value = 'ML') ORDER BY title_key, id LIMIT 50" >> "$OUT.tmp"
      echo >> "$OUT.tmp"
      echo "-- full-text search:" >> "$OUT.tmp"
      sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT * FROM initiative WHERE id IN (SELECT entity_id FROM search_document WHERE search_document MATCH '\"school\" \"connectivity\"') LIMIT 50" >> "$OUT.tmp"
      echo >> "$OUT.tmp"
      echo "-- anonymous public list:" >> "$OUT.tmp"
      sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT * FROM initiative WHERE visibility = 'public' ORDER BY title_key, id LIMIT 50" >> "$OUT.tmp"
      ;;
  esac
  echo '```' >> "$OUT.tmp"
  echo >> "$OUT.tmp"
done
mv "$OUT.tmp" "$OUT"
echo "bench: wrote $OUT"
