#!/usr/bin/env bash
# The security suite (issue 13): schemathesis (PyPI, pinned in tools/schemathesis/requirements.txt)
# with every check on (`--checks all`, set in the config file so that its per-operation
# exclusions apply) against the document a running server serves, four times: {SQLite,
# PostgreSQL} x {anonymous, authenticated as the owner of tenant `ci-registry`}. Any failure
# fails the script. Configuration: tools/schemathesis/schemathesis.toml; reports go to
# target/schemathesis/.
#
#   bash scripts/ci/schemathesis.sh        # SCHEMATHESIS_PORT (default 18400) and the next one
#   SCHEMATHESIS_MAX_EXAMPLES=25 bash scripts/ci/schemathesis.sh
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
out=target/schemathesis
venv=target/schemathesis-venv
port="${SCHEMATHESIS_PORT:-18400}"
examples="${SCHEMATHESIS_MAX_EXAMPLES:-10}"
phases="${SCHEMATHESIS_PHASES:-examples,coverage,fuzzing,stateful}"
pg_server="${MSP_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_database="${SCHEMATHESIS_DATABASE:-msp_schemathesis_ci}"
export CI_EMAIL="${CI_EMAIL:-owner@ci.example.org}"
export CI_PASSWORD="${CI_PASSWORD:-ci-password-not-secret-0123}"
# schemathesis sends many wrong passwords to /auth/token: the CI server lets them all through
# undelayed (the throttle itself is tested in tests/api/throttle.rs). Without this the owner's
# own sign-in below could be delayed and the authenticated runs would test only 429s.
export MSP_LOGIN_MAX_FAILURES=1000

step() { printf '\n--> schemathesis: %s\n' "$*"; }
fail() {
    echo "schemathesis: $*" >&2
    exit 1
}

started=()
cleanup() {
    for p in "${started[@]}"; do bash scripts/ci/serve.sh stop "$p" || true; done
}
trap cleanup EXIT

step "tools (Python venv $venv)"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || {
        apt-get update && apt-get install -y python3-venv && python3 -m venv "$venv"
    }
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r tools/schemathesis/requirements.txt
"$venv/bin/schemathesis" --version
rm -rf "$out"
mkdir -p "$out"

token_of() {
    curl -fsS -X POST "$1/api/v1/auth/token" \
        --data-urlencode grant_type=password \
        --data-urlencode "username=$CI_EMAIL" \
        --data-urlencode "password=$CI_PASSWORD" |
        "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

failed=()
# run NAME BASE [schemathesis options...]
run() {
    local name="$1" base="$2"
    shift 2
    local started_at=$SECONDS status=0
    step "$name"
    # From $out, so that schemathesis's own files (its report directory) land under target/.
    local attempt
    for attempt in 1 2; do
        status=0
        (cd "$out" && "$root/$venv/bin/schemathesis" \
            --config-file "$root/tools/schemathesis/schemathesis.toml" run \
            "$base/api-docs/openapi.json" --max-examples "$examples" \
            --phases "$phases" --workers 2 --seed 13 \
            --report junit --report-dir "$name" "$@") >"$out/$name.log" 2>&1 || status=$?
        # Once more only when schemathesis itself broke (a "Runtime Error" inside the tool, seen
        # as CPython's "AST constructor recursion depth mismatch" under its worker threads) and
        # no check failed: a failure of the API is never retried.
        if [ "$status" -eq 0 ] || grep -q "= FAILURES =" "$out/$name.log" \
            || ! grep -q "Runtime Error" "$out/$name.log"; then
            break
        fi
        echo "$name: schemathesis broke internally (attempt $attempt), no check failed: once more"
    done
    # The summary: operations, test cases, failures, time.
    sed -n '/= SUMMARY =/,$p' "$out/$name.log"
    echo "$name: exit $status, $((SECONDS - started_at)) s"
    if [ "$status" -ne 0 ]; then
        failed+=("$name")
    fi
}

suite() {
    local db="$1" base="$2" token
    # Signed in first: the anonymous run's requests may leave the owner unable to sign in.
    token=$(token_of "$base") || fail "could not sign in as $CI_EMAIL on $base"
    run "$db-anonymous" "$base"
    # The authenticated run does not end its own access: signing out, or removing or demoting
    # the owner it acts as (once it has made another member owner), would leave every later
    # request testing only the 401. These three run anonymously above and are tested in
    # tests/api/sessions.rs and tests/api/roles.rs.
    run "$db-authenticated" "$base" -H "Authorization: Bearer $token" \
        --exclude-operation-id auth_sign_out \
        --exclude-operation-id members_remove \
        --exclude-operation-id members_change_role
}

cargo build -q -p msp-api --bin msp-registry

step "server on SQLite (port $port)"
started+=("$port")
base=$(bash scripts/ci/serve.sh start "$port")
suite sqlite "$base"
bash scripts/ci/serve.sh stop "$port"

pg_port=$((port + 1))
step "server on PostgreSQL (database $pg_database, port $pg_port)"
bash scripts/pg-up.sh >/dev/null
PGOPTIONS="-c client_min_messages=warning" psql -q "$pg_server" \
    -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" -c "CREATE DATABASE $pg_database"
started+=("$pg_port")
base=$(bash scripts/ci/serve.sh start "$pg_port" "${pg_server%/*}/$pg_database")
suite postgres "$base"
bash scripts/ci/serve.sh stop "$pg_port"
psql -q "$pg_server" -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)"

if [ "${#failed[@]}" -gt 0 ]; then
    for name in "${failed[@]}"; do
        echo "--- $out/$name.log (failures) ---"
        sed -n '/= FAILURES =/,/= SUMMARY =/p' "$out/$name.log" | head -400
    done
    fail "failures in: ${failed[*]}"
fi
step "0 failures in 4 runs"
