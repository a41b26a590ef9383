#!/usr/bin/env bash
# The API contract as tools read it (issue 11): lints openapi/openapi.json with Redocly CLI
# (0 errors, 0 warnings), validates it with openapi-spec-validator, generates a Python client
# (openapi-python-client) and TypeScript types (openapi-typescript, type-checked with tsc),
# failing on any generator warning, then runs a short script in each language against a
# running server, on SQLite and on PostgreSQL. Generated code goes to target/contract/.
#
#   bash scripts/ci/contract.sh            # CONTRACT_PORT (default 18100) and the next one
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
out=target/contract
venv=target/contract-venv
port="${CONTRACT_PORT:-18100}"
pg_server="${MSP_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_database="${CONTRACT_DATABASE:-msp_contract_ci}"
export CI_EMAIL="${CI_EMAIL:-owner@ci.example.org}"
export CI_PASSWORD="${CI_PASSWORD:-ci-password-not-secret-0123}"

step() { printf '\n--> contract: %s\n' "$*"; }
fail() {
    echo "contract: $*" >&2
    exit 1
}

started=()
cleanup() {
    for p in "${started[@]}"; do bash scripts/ci/serve.sh stop "$p" || true; done
}
trap cleanup EXIT

step "tools (npm ci in tools/, Python venv $venv)"
(cd tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || {
        apt-get update && apt-get install -y python3-venv && python3 -m venv "$venv"
    }
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r tools/clients/python/requirements.txt
export PATH="$root/$venv/bin:$PATH"
rm -rf "$out"
mkdir -p "$out"

step "Redocly lint (redocly.yaml)"
if ! tools/node_modules/.bin/redocly lint openapi/openapi.json --config redocly.yaml \
    --format=stylish --max-problems=1000 >"$out/redocly.log" 2>&1; then
    cat "$out/redocly.log"
    fail "Redocly lint found errors"
fi
if grep -qE '^\s+[0-9]+:[0-9]+\s+warning' "$out/redocly.log"; then
    cat "$out/redocly.log"
    fail "Redocly lint found warnings"
fi
grep -E 'valid|ignored' "$out/redocly.log" | grep -v '^\s*$' || true

step "openapi-spec-validator"
openapi-spec-validator openapi/openapi.json

step "openapi-python-client"
openapi-python-client generate --path openapi/openapi.json --meta none \
    --config tools/clients/python/generator.yaml \
    --output-path "$out/python/msp_registry_client" >"$out/python-generator.log" 2>&1 || {
    cat "$out/python-generator.log"
    fail "openapi-python-client failed"
}
if grep -qiE 'warning|skipp|error' "$out/python-generator.log"; then
    cat "$out/python-generator.log"
    fail "openapi-python-client left something out"
fi
echo "generated $(find "$out/python/msp_registry_client/api" -name '*.py' ! -name '__init__.py' | wc -l) operations"

step "openapi-typescript + tsc"
mkdir -p "$out/ts"
# From tools/: openapi-typescript reads a redocly.yaml in its working directory, and the
# lint above has already applied ours (with its ignore file).
(cd tools && node_modules/.bin/openapi-typescript ../openapi/openapi.json \
    -o "../$out/ts/schema.ts") >"$out/ts-generator.log" 2>&1 || {
    cat "$out/ts-generator.log"
    fail "openapi-typescript failed"
}
if grep -qiE 'warn|✘|skipp' "$out/ts-generator.log"; then
    cat "$out/ts-generator.log"
    fail "openapi-typescript warned"
fi
cp tools/clients/ts/client.ts tools/clients/ts/smoke.ts tools/clients/ts/tsconfig.json "$out/ts/"
echo '{"type": "module", "private": true}' >"$out/ts/package.json"
(cd "$out/ts" && "$root/tools/node_modules/.bin/tsc" -p tsconfig.json)
echo "schema.ts, client.ts and smoke.ts type-check"

smoke() {
    local base="$1"
    PYTHONPATH="$root/$out/python" python "$root/tools/clients/python/smoke.py" \
        "$base" "$CI_EMAIL" "$CI_PASSWORD"
    node "$root/$out/ts/out/smoke.js" "$base" "$CI_EMAIL" "$CI_PASSWORD"
}

step "clients against a server on SQLite (port $port)"
started+=("$port")
base=$(bash scripts/ci/serve.sh start "$port")
smoke "$base"
bash scripts/ci/serve.sh stop "$port"

pg_port=$((port + 1))
step "clients against a server on PostgreSQL (database $pg_database, port $pg_port)"
bash scripts/pg-up.sh >/dev/null
PGOPTIONS="-c client_min_messages=warning" psql -q "$pg_server" -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" -c "CREATE DATABASE $pg_database"
pg_url="${pg_server%/*}/$pg_database"
started+=("$pg_port")
base=$(bash scripts/ci/serve.sh start "$pg_port" "$pg_url")
smoke "$base"
bash scripts/ci/serve.sh stop "$pg_port"
psql -q "$pg_server" -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)"

step "contract checks passed"
