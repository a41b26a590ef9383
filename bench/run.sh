#!/usr/bin/env bash
# The benchmark of issue 12, in one run on one machine: the peers of ../shared/peers (hand-written
# actix-web + sqlx, PostGraphile 5) through their compare.sh, then this service on PostgreSQL and
# on SQLite with N synthetic initiatives (`msp-registry generate`) and the read cache off, measured
# with wrk on 127.0.0.1: REST list by country, get-one (random ids), search (one word, and random
# words in the six languages with random filters, with and without writes beside: issue 14), two
# GraphQL lists, mixed portal traffic with a steady writer beside it, a deep page; then export and
# import.
# Writes bench/RESULTS.md (the peers' rows, ours, and each target with its ratio). See
# docs/benchmark.md.
#
#   bash bench/run.sh                          # peers + both engines, N=100000 (about 20 min)
#   N_LARGE=1000000 bash bench/run.sh          # and list/get-one at 1,000,000 on PostgreSQL
#   N=20000 BACKENDS=sqlite PEERS=0 bash bench/run.sh
#   SCENARIOS="search_words search_words_writes" PEERS=0 bash bench/run.sh    # the search rows only
#
# Env: N, N_LARGE, BACKENDS ("postgres sqlite"), DURATION (15s), WARMUP (5s, as compare.sh), THREADS (2),
# CONNECTIONS (64), WRITES_PER_S (10), PEERS (1; 0 skips them), PEERS_DIR, PORT (18300),
# PG_SERVER, EXPORT_IMPORT (1), MIXED_CACHE_ON (1), SKIP_BUILD, OUT (bench/RESULTS.md),
# SCENARIOS (the keys of the rows to measure, space-separated; default every row),
# SEARCH_WORDS (bench/queries/search_words.tsv, the search rows' vocabulary),
# BENCH_NOTE (a line printed at the top of the results, say "debug run, machine loaded").
set -Eeuo pipefail
cd "$(dirname "$0")/.."

N="${N:-100000}"
N_LARGE="${N_LARGE:-}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
WRITES_PER_S="${WRITES_PER_S:-10}"
BACKENDS="${BACKENDS:-postgres sqlite}"
PG_SERVER="${PG_SERVER:-postgres://postgres@127.0.0.1:5432}"
PORT="${PORT:-18300}"
OUT="${OUT:-bench/RESULTS.md}"
BIN="${BIN:-target/release/msp-registry}"   # another binary: with SKIP_BUILD=1
SCENARIOS="${SCENARIOS:-}"
SEARCH_WORDS="${SEARCH_WORDS:-bench/queries/search_words.tsv}"
started=$(date +%s)

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install $tool)" >&2; exit 1; }
done
if [ -z "${PEERS_DIR:-}" ]; then
  for d in ../shared/peers ../../shared/peers /work/shared/peers; do
    [ -f "$d/compare.sh" ] && { PEERS_DIR=$(cd "$d" && pwd); break; }
  done
fi
# SKIP_BUILD=1 measures the binary already in target/release (say, while the sources move on).
[ "${SKIP_BUILD:-0}" = 1 ] || cargo build --release -q -p msp-api
[ -x "$BIN" ] || { echo "bench: no $BIN (build it, or unset SKIP_BUILD)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
sampler=""
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
results="$work/results.tsv"
: > "$results"
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
secs() { case $1 in *ms) echo 1 ;; *s) echo "${1%s}" ;; *m) echo $(( ${1%m} * 60 )) ;; *) echo "$1" ;; esac; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
load_start=$(load_avg)

# The read cache's variables, whatever they are called now (MSP_READ_CACHE_MB today): those the
# sources name and the binary holds are set to 0 for the cache-off server. None: no read cache
# (and /metrics is checked for cache hits after the cache-off rows, in case).
cache_vars=()
for v in $( { grep -rhoE '"MSP_READ_CACHE[A-Z_]*"' crates/*/src || true; } | tr -d '"' | sort -u); do
  grep -aqF "$v" "$BIN" && cache_vars+=("$v")
done

# PostgreSQL statements per request, when pg_stat_statements is loaded (never restarts PostgreSQL).
pgss=0
if [[ " $BACKENDS " == *" postgres "* ]] &&
   psql "$PG_SERVER/postgres" -Atc 'show shared_preload_libraries' 2>/dev/null | grep -q pg_stat_statements; then
  pgss=1
fi

# ---------------------------------------------------------------------------------------------
# The peers, first (they stop what they start).
if [ "${PEERS:-1}" = 1 ]; then
  if [ -z "${PEERS_DIR:-}" ]; then
    echo "The peers were skipped: no ../shared/peers/compare.sh found (set PEERS_DIR)." > "$work/notes-peers.md"
  elif [ ! -x "${PEERS_HOME:-/tmp/peers}/baseline-src/target/release/peer" ] ||
       [ ! -d "${PEERS_HOME:-/tmp/peers}/postgraphile/node_modules" ]; then
    echo "The peers were skipped: run \`$PEERS_DIR/setup-baseline.sh\` and \`$PEERS_DIR/setup-postgraphile.sh\` first." > "$work/notes-peers.md"
  else
    log "peers: compare.sh"
    if DURATION=$DURATION THREADS=$THREADS CONNS=$CONNECTIONS WARMUP=$WARMUP \
         bash "$PEERS_DIR/compare.sh" > "$work/peers.md" 2> "$work/peers.err"; then
      python3 bench/report.py peers "$work/peers.md" >> "$results"
      echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION after a $WARMUP warm-up, one URL each; compare.sh reports no timeouts, statuses or RSS." > "$work/notes-peers.md"
    else
      { echo "compare.sh failed; its last lines:"; echo '```'; tail -5 "$work/peers.err"; echo '```'; } > "$work/notes-peers.md"
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------
# This service.
rss_start() {
  : > "$work/rss.now"
  ( while kill -0 "$server_pid" 2>/dev/null; do
      awk '/VmRSS/ {print $2}' "/proc/$server_pid/status" >> "$work/rss.now" 2>/dev/null || true
      sleep 0.2
    done ) &
  sampler=$!
}
rss_stop() { # sets rss: the largest sample, in MB
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=""
  rss=$(sort -n "$work/rss.now" | tail -1 | awk '{printf "%.0f", $1/1024}')
}
stmts_reset() {
  [ "$pgss" = 1 ] && [ "$backend" = postgres ] || return 0
  psql "$url" -Atqc "select pg_stat_statements_reset(0, $dbid, 0)" >/dev/null 2>&1 || true
}
stmts_count() { # statements this database ran since the reset, ours excluded
  [ "$pgss" = 1 ] && [ "$backend" = postgres ] || return 0
  psql "$url" -Atc "select coalesce(sum(calls), 0) from pg_stat_statements where dbid = $dbid and query not ilike '%pg_stat_statements%'" 2>/dev/null || true
}
stmts_top() { # the five most called statements since the reset
  [ "$pgss" = 1 ] && [ "$backend" = postgres ] || return 0
  psql "$url" -Atc "select calls || ' × ' || round(mean_exec_time::numeric, 3) || ' ms: ' || left(regexp_replace(query, '\s+', ' ', 'g'), 160) from pg_stat_statements where dbid = $dbid and query not ilike '%pg_stat_statements%' order by calls desc limit 5" 2>/dev/null || true
}

# measure KEY LABEL WRK-ARGS...: warm up, measure, append a line to results.tsv.
measure() {
  local key=$1 label=$2; shift 2
  [ -z "$SCENARIOS" ] || [[ " $SCENARIOS " == *" $key "* ]] || return 0
  local out="$work/wrk-$backend-$key.log"
  log "$backend: $label"
  [ "$(secs "$WARMUP")" = 0 ] || wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" > /dev/null 2>&1 || true
  stmts_reset
  rss_start
  [ -n "${writer_for:-}" ] && { python3 bench/writer.py "$base" "$wtoken" "$data" "$(secs "$DURATION")" "$WRITES_PER_S" \
    > "$work/writer-$backend-$key.json" 2> "$work/writer.err" & writer_pid=$!; }
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" > "$out" 2>&1 || true
  [ -n "${writer_for:-}" ] && { wait "$writer_pid" || cat "$work/writer.err" >&2; }
  local stmts="" calls requests
  rss_stop
  IFS=$'\t' read -r rps p50 p99 timeouts non2xx requests statuses < <(python3 bench/report.py wrk "$out")
  calls=$(stmts_count)
  if [ -n "$calls" ] && [ "${requests:-0}" -gt 0 ]; then
    stmts=$(awk -v c="$calls" -v r="$requests" 'BEGIN {printf "%.2f", c/r}')
    { echo "Most called statements during \`$key\` ($requests requests):"; echo '```'; stmts_top; echo '```'; echo; } >> "$work/stmts-$backend.md"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$key" "$label" "$rps" "$p50" "$p99" \
    "$timeouts" "$non2xx" "$requests" "$statuses" "$rss" "$stmts" >> "$results"
  grep -q 'Requests/sec' "$out" || { echo "wrk failed for \`$key\`:"; echo '```'; tail -5 "$out"; echo '```'; } >> "$notes"
}

# check LABEL CURL-ARGS...: one request before the load; a failure or a GraphQL error is noted.
check() {
  local label=$1; shift
  local code
  code=$(curl -s -o "$work/check.body" -w '%{http_code}' "$@" || echo 000)
  if [[ $code != 2* ]]; then
    echo "- \`$label\`: a single request answered $code: $(head -c 300 "$work/check.body")" >> "$notes"
  elif grep -q '"errors"' "$work/check.body"; then
    echo "- \`$label\`: the answer carries GraphQL errors: $(head -c 300 "$work/check.body")" >> "$notes"
  fi
}

start_server() { # cache: off | on
  local env=(MSP_LOG_LEVEL=warn)
  if [ "$1" = off ]; then for v in "${cache_vars[@]}"; do env+=("$v=0"); done; fi
  env "${env[@]}" "$BIN" serve > "$work/server-$backend-$1.log" 2>&1 &
  server_pid=$!
  # Ready once the search index is built or caught up (a first start builds it: minutes at most).
  for _ in $(seq 1 1500); do curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null && return 0; sleep 0.2; done
  echo "bench: the server did not become ready ($backend, cache $1):" >&2; tail -20 "$work/server-$backend-$1.log" >&2
  exit 1
}
stop_server() {
  # The peak RSS of the servers that serve the scenarios (not of the export's).
  awk '/VmHWM/ {printf "%.0f\n", $2/1024}' "/proc/$server_pid/status" >> "$work/hwm-${hwm_of:-$backend}" 2>/dev/null || true
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  local log="$work/server-$backend-$1.log" level n
  sed -i 's/\x1b\[[0-9;]*m//g' "$log"
  for level in 'ERROR|panicked' 'WARN'; do
    n=$(grep -c -E "\b($level)\b" "$log" || true)
    [ "${n:-0}" -gt 0 ] || continue
    { echo "The server logged $n lines matching $level (cache $1), the commonest (timestamps cut):"; echo '```'
      grep -E "\b($level)\b" "$log" | sed -E 's/^[0-9T:.+-]+Z? *//' | cut -c1-240 | sort | uniq -c | sort -rn | head -6 || true; echo '```'; echo; } >> "$notes"
  done
}

cache_hits() { # read-cache hits counted by /metrics (0 when the cache is off or gone)
  { curl -fs "http://127.0.0.1:$PORT/metrics" 2>/dev/null || true; } |
    awk '/^msp_read_cache_lookups_total/ && /hit/ {s += $NF} END {print s + 0}'
}

# generate DB-URL COUNT: fills a new database; prints the CLI's summary line and the wall time.
generate() {
  local t0 t1 line
  t0=$(date +%s.%N)
  line=$(MSP_DATABASE_URL=$1 "$BIN" generate --initiatives "$2" --tenant bench 2>&1 >/dev/null | tail -1)
  t1=$(date +%s.%N)
  gen_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b-a}')
  gen_line="$line (wall time with migrations: $gen_secs s)"
}

setup_database() { # backend db-name: sets url (and dbid for pg_stat_statements)
  case $1 in
    sqlite) rm -f "$work/$2.sqlite"*; url="sqlite://$work/$2.sqlite?mode=rwc" ;;
    postgres)
      psql "$PG_SERVER/postgres" -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" -c "CREATE DATABASE $2"
      url="$PG_SERVER/$2"
      if [ "$pgss" = 1 ]; then
        psql "$url" -qc 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' 2>/dev/null || pgss=0
        dbid=$(psql "$PG_SERVER/postgres" -Atc "select oid from pg_database where datname = '$2'")
      fi ;;
  esac
}

# The plans PostgreSQL runs the service's own statements by, one request of each kind: auto_explain
# turned on for the benchmark's database (every statement's plan goes to the server log, PG_LOG),
# a marker statement before each request, and bench/plans.py cutting the log at the markers.
explain_requests() {
  local pglog="${PG_LOG:-$(ls /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -1)}"
  if [ -z "$pglog" ] || [ ! -r "$pglog" ]; then
    echo "(the service's plans were not logged: no readable PostgreSQL server log; set PG_LOG)"; return 0
  fi
  local db=${url##*/} offset id gqlp
  psql "$url" -q -c "ALTER DATABASE $db SET session_preload_libraries = 'auto_explain'" \
    -c "ALTER DATABASE $db SET auto_explain.log_min_duration = 0" >/dev/null
  offset=$(stat -c %s "$pglog")
  start_server plans
  id=$(grep -m1 '^id' "$data" | cut -f2)
  gqlp=(-H 'Content-Type: application/json' --data @bench/queries/gql_list_partners.json "$gql")
  ask() { psql "$url" -Atqc "SELECT 'bench-plan: ${1//\'/}'" >/dev/null; shift; curl -s -o /dev/null "$@" || true; }
  ask "list by country (member)" "${auth[@]}" "$base/initiatives?country=KE&per_page=50"
  ask "list by country (anonymous)" "$base/initiatives?country=KE&per_page=50"
  ask "list by two countries" "${auth[@]}" "$base/initiatives?country=KE,BR&per_page=50"
  ask "list by country and SDG" "${auth[@]}" "$base/initiatives?country=KE&sdg=4&per_page=50"
  ask "list by country and stage" "${auth[@]}" "$base/initiatives?country=KE&stage=implementing&per_page=50"
  ask "list sorted by -start_date,title" "${auth[@]}" "$base/initiatives?sort=-start_date,title&per_page=50"
  ask "list by country sorted by -updated_at" "${auth[@]}" "$base/initiatives?country=KE&sort=-updated_at&per_page=50"
  ask "list changed since 2026-01-01" "${auth[@]}" "$base/initiatives?updated_since=2026-01-01&per_page=50"
  ask "deep page by cursor" "${auth[@]}" "$deep_url"
  ask "search q=school" "${auth[@]}" "$base/initiatives?q=school&per_page=20"
  ask "get one" "${auth[@]}" "$base/initiatives/$id"
  ask "GraphQL list with the partners and their organisations" "${auth[@]}" "${gqlp[@]}"
  sleep 1
  stop_server plans
  psql "$url" -q -c "ALTER DATABASE $db RESET session_preload_libraries" \
    -c "ALTER DATABASE $db RESET auto_explain.log_min_duration" >/dev/null
  python3 bench/plans.py "$pglog" "$offset"
}

members() { # a viewer who reads and an editor who writes; their tokens
  "$BIN" user create --email bench@example.org --name Bench --password "bench password 1" --tenant bench --role viewer > /dev/null 2>&1
  "$BIN" user create --email writer@example.org --name Writer --password "bench password 1" --tenant bench --role editor > /dev/null 2>&1
  token=$("$BIN" token --email bench@example.org)
  wtoken=$("$BIN" token --email writer@example.org)
}

export MSP_DEMO=false MSP_LOG_LEVEL=warn MSP_WORKERS=2 MSP_DB_MAX_CONNECTIONS=16 MSP_TOKEN_TTL_SECS=7200 \
  MSP_BIND="127.0.0.1:$PORT" MSP_JWT_SECRET="bench-secret-bench-secret-bench-secret-000"
base="http://127.0.0.1:$PORT/api/v1"
gql="http://127.0.0.1:$PORT/graphql"
declare -A gen_rate

for backend in $BACKENDS; do
  notes="$work/notes-$backend.md"
  : > "$notes"
  setup_database "$backend" msp_bench
  export MSP_DATABASE_URL="$url"
  # The search index of this backend's servers (built from the database at their first start).
  export MSP_SEARCH_INDEX="$work/search-index-$backend"
  log "$backend: generating $N initiatives"
  generate "$url" "$N"
  gen_rate[$backend]=$(awk -v n="$N" -v s="$gen_secs" 'BEGIN {printf "%.0f", n/(s>0?s:1)}')
  members
  data="$work/data-$backend.txt"
  auth=(-H "Authorization: Bearer $token")

  start_server off
  log "$backend: gathering ids and codes"
  python3 bench/prepare.py gather "$base" "$token" "$data" 2> "$work/gather.log" || { cat "$work/gather.log" >&2; exit 1; }
  deep=$(python3 bench/prepare.py deep "$base" "$token" 1000 2>> "$work/gather.log") || deep=""
  deep_mode=${deep%%$'\t'*} deep_url=${deep#*$'\t'}
  [ -n "$deep" ] || { deep_mode="offset (finding the page failed)"; deep_url="$base/initiatives?per_page=50&page=1000"; }
  {
    echo "Generation: $gen_line."
    echo
    echo "Read cache off for every row but those marked *cache on*: $(if [ ${#cache_vars[@]} -gt 0 ]; then printf '`%s=0`' "${cache_vars[@]}"; else echo 'this build has no read cache (no `MSP_READ_CACHE_*` variable)'; fi). Picked from: $(head -1 "$work/gather.log" | head -c 300)."
  } > "$work/head-$backend.md"

  check list_country "${auth[@]}" "$base/initiatives?country=KE&per_page=50"
  check gql_list "${auth[@]}" -H 'Content-Type: application/json' --data @bench/queries/gql_list.json "$gql"
  check gql_list_partners "${auth[@]}" -H 'Content-Type: application/json' --data @bench/queries/gql_list_partners.json "$gql"
  check search "${auth[@]}" "$base/initiatives?q=school&per_page=20"
  check search_words "${auth[@]}" "$base/initiatives?q=connectivit%C3%A9&stage=implementing&per_page=20"
  check page_deep "${auth[@]}" "$deep_url"

  measure list_country "REST list of 50 by country (KE, member)" "${auth[@]}" "$base/initiatives?country=KE&per_page=50"
  measure public_list_country "REST list of 50 by country (KE, anonymous: public initiatives)" "$base/initiatives?country=KE&per_page=50"
  measure get_one "REST get one by id (random among $(grep -c '^id' "$data") ids, member)" "${auth[@]}" -s bench/get_random.lua "$base/initiatives" -- "$data" id
  measure search "REST search q=school, 20 a page (member)" "${auth[@]}" "$base/initiatives?q=school&per_page=20"
  measure search_words "REST search, 1-3 random words of one of six languages, random country/SDG/stage filters, 20 a page (member)" "${auth[@]}" -s bench/search.lua "$base/initiatives" -- "$data" "$SEARCH_WORDS"
  writer_for=1 measure search_words_writes "the same random searches with $WRITES_PER_S writes/s beside them" "${auth[@]}" -s bench/search.lua "$base/initiatives" -- "$data" "$SEARCH_WORDS"
  measure gql_list "GraphQL list of 50 by country (id, title, countries, stage; member)" "${auth[@]}" -s bench/post.lua "$gql" -- bench/queries/gql_list.json
  measure gql_list_partners "GraphQL list of 50 by country with partners' organisations (member)" "${auth[@]}" -s bench/post.lua "$gql" -- bench/queries/gql_list_partners.json
  measure mixed "mixed portal traffic, no writes" -s bench/mixed.lua "http://127.0.0.1:$PORT" -- "$data" "$token"
  writer_for=1 measure mixed_writes "mixed portal traffic with $WRITES_PER_S writes/s beside it" -s bench/mixed.lua "http://127.0.0.1:$PORT" -- "$data" "$token"
  measure page_1 "member list, page 1 (50 a page, no filter)" "${auth[@]}" "$base/initiatives?per_page=50"
  measure page_deep "member list, page 1,000 by $deep_mode (50 a page, no filter)" "${auth[@]}" "$deep_url"
  hits=$(cache_hits)
  [ "${hits:-0}" = 0 ] || echo "- **The read cache answered $hits lookups while meant to be off**: the cache-off rows above are not all cache-off." >> "$notes"
  stop_server off

  if [ "${MIXED_CACHE_ON:-1}" = 1 ] && [ ${#cache_vars[@]} -gt 0 ]; then
    start_server on
    measure mixed_cache_on "*cache on*: mixed portal traffic, no writes" -s bench/mixed.lua "http://127.0.0.1:$PORT" -- "$data" "$token"
    writer_for=1 measure mixed_writes_cache_on "*cache on*: mixed portal traffic with $WRITES_PER_S writes/s beside it" -s bench/mixed.lua "http://127.0.0.1:$PORT" -- "$data" "$token"
    stop_server on
  fi

  if [ "${EXPORT_IMPORT:-1}" = 1 ]; then
    # Bulk export: every initiative as NDJSON through curl; rows/s and the server's RSS sampled
    # while it streams (it should stay flat whatever N). Then the export imported into a new
    # tenant through `msp-registry import` (one transaction; made private, as an imported
    # initiative has no partner to be public with).
    start_server off
    log "$backend: export and import"
    rss_start
    t0=$(date +%s.%N)
    curl -fs -H "Authorization: Bearer $token" "$base/export/initiatives?format=ndjson" > "$work/export.ndjson" || true
    t1=$(date +%s.%N)
    rss_stop
    hwm_of=export-$backend stop_server off
    rows=$(wc -l < "$work/export.ndjson")
    echo "Bulk export (NDJSON, $rows rows, $(du -m "$work/export.ndjson" | cut -f1) MB): $(awk -v n="$rows" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f rows/s in %.1f s", n/(b-a), b-a}'), server RSS at most $rss MB while streaming." >> "$notes"
    "$BIN" tenant create --slug bench-import --name "Bench import" > /dev/null
    sed 's/"visibility":"public"/"visibility":"private"/' "$work/export.ndjson" > "$work/import.ndjson"
    rm -f "$work/export.ndjson"
    imported=$(MSP_IMPORT_MAX_ROWS="$N" MSP_IMPORT_BODY_LIMIT_BYTES=4000000000 "$BIN" import --file "$work/import.ndjson" --tenant bench-import 2>&1 >/dev/null | tail -1)
    rm -f "$work/import.ndjson"
    { echo; echo "Bulk import (\`msp-registry import\`, NDJSON): $imported"; echo; } >> "$notes"
  fi

  [ -f "$work/stmts-$backend.md" ] && cat "$work/stmts-$backend.md" >> "$notes"
  [ "$backend" = postgres ] && [ "$pgss" = 0 ] && echo "Statements per request: not counted (pg_stat_statements is not in shared_preload_libraries; the run does not restart PostgreSQL)." >> "$notes"

  # Query plans of the read paths: on PostgreSQL those of the service's own statements; on
  # SQLite of hand-written equivalents (a failing EXPLAIN is printed, not fatal).
  {
    echo; echo "Query plans ($backend):"; echo '```'
    case $backend in
      postgres)
        echo "The service's own statements, one request of each kind, with the plans PostgreSQL ran them by (auto_explain, generic plans):"
        explain_requests ;;
      sqlite)
        db="$work/msp_bench.sqlite"
        plan() { echo "-- $1:"; sqlite3 "$db" "EXPLAIN QUERY PLAN $2" 2>&1 || true; }
        plan "list filtered by country, the page" "SELECT initiative_id FROM initiative_tag WHERE kind = 'country' AND value = 'KE' AND tenant_id = x'00' ORDER BY title_key, initiative_id LIMIT 50"
        plan "its total" "SELECT COUNT(*) FROM initiative_tag WHERE kind = 'country' AND value = 'KE' AND tenant_id = x'00'"
        plan "full-text search" "SELECT * FROM initiative WHERE id IN (SELECT entity_id FROM search_document WHERE search_document MATCH '\"school\"') LIMIT 20"
        plan "anonymous public list" "SELECT * FROM initiative WHERE visibility = 'public' ORDER BY title_key, id LIMIT 50" ;;
    esac
    echo '```'
  } >> "$notes"
  if [ -n "$N_LARGE" ]; then
    echo "Generating $N_LARGE at this rate (${gen_rate[$backend]} initiatives/s) would take about $(( N_LARGE / ${gen_rate[$backend]:-1} / 60 + 1 )) min." >> "$work/head-$backend.md"
  else
    echo "At this rate (${gen_rate[$backend]} initiatives/s), generating 1,000,000 would take about $(( 1000000 / ${gen_rate[$backend]:-1} / 60 + 1 )) min (\`N_LARGE=1000000\` runs it)." >> "$work/head-$backend.md"
  fi
  if [ "$backend" = sqlite ]; then rm -f "$work/msp_bench.sqlite"*; fi
done

# ---------------------------------------------------------------------------------------------
# The large run: list and get-one at N_LARGE on PostgreSQL, against the N figures above.
if [ -n "$N_LARGE" ] && [[ " $BACKENDS " == *" postgres "* ]]; then
  backend=postgres
  notes="$work/notes-$backend.md"
  setup_database postgres msp_bench_large
  export MSP_DATABASE_URL="$url"
  log "postgres: generating $N_LARGE initiatives"
  generate "$url" "$N_LARGE"
  echo "Large run: $gen_line." >> "$work/head-$backend.md"
  members
  auth=(-H "Authorization: Bearer $token")
  data="$work/data-large.txt"
  start_server off
  python3 bench/prepare.py gather "$base" "$token" "$data" 2> "$work/gather.log" || { cat "$work/gather.log" >&2; exit 1; }
  measure large_list_country "REST list of 50 by country (KE, member), $N_LARGE initiatives" "${auth[@]}" "$base/initiatives?country=KE&per_page=50"
  measure large_get_one "REST get one by id (random, member), $N_LARGE initiatives" "${auth[@]}" -s bench/get_random.lua "$base/initiatives" -- "$data" id
  stop_server off
  psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS msp_bench_large WITH (FORCE)"
fi

# ---------------------------------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- crates migrations 2>/dev/null || commit="$commit (with uncommitted changes)"
took=$(( $(date +%s) - started ))
{
  echo "# Benchmark results"
  echo
  [ -n "${BENCH_NOTE:-}" ] && { echo "**$BENCH_NOTE**"; echo; }
  echo "- produced by \`bash bench/run.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((took / 60)) min $((took % 60)) s; numbers as measured in this run"
  echo "- commit $commit$([ "${SKIP_BUILD:-0}" = 1 ] && echo ", binary built before the run (SKIP_BUILD=1): $(date -u -r "$BIN" +%Y-%m-%dT%H:%MZ)")"
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); load average $load_start at the start, $(load_avg) at the end"
  echo "- $N initiatives$([ -n "$N_LARGE" ] && echo " (and $N_LARGE for the large rows)"); wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (2 s timeout) after a $WARMUP warm-up, on 127.0.0.1; server \`$BIN\`, MSP_WORKERS=2, pool 16"
  echo "- timeouts: wrk's socket timeouts (no answer within 2 s); non-2xx: wrk's count; statuses: every answer's status, for the scripts that count them; max RSS: the server's VmRSS sampled every 0.2 s during the measurement"
} > "$work/header.md"
python3 bench/report.py render "$work" "$OUT"
log "wrote $OUT in $((took / 60)) min $((took % 60)) s"
