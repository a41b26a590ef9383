#!/usr/bin/env bash
# The whole test suite, on SQLite and on PostgreSQL (`make test`; `.ci/run` runs it too).
# Extra arguments go to `cargo test`, e.g. `bash scripts/test.sh organizations::`.
#
# PostgreSQL is required here. To run the SQLite half only, skip this script and run
# `cargo test --workspace` with MSP_TEST_POSTGRES_URL unset (each PostgreSQL test then prints
# a notice and passes without running; under CI=true it fails instead).
set -euo pipefail

cd "$(dirname "$0")/.."

export MSP_TEST_POSTGRES_URL="${MSP_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# The database the tests make their schemas in; name another to test two checkouts at once.
export MSP_TEST_DATABASE="${MSP_TEST_DATABASE:-msp_test}"

if ! bash scripts/pg-up.sh; then
    echo "test: PostgreSQL is not reachable at $MSP_TEST_POSTGRES_URL" >&2
    echo "test: to run without it, use: env -u MSP_TEST_POSTGRES_URL cargo test --workspace" >&2
    exit 1
fi

# A clean slate: the tests create the database `msp_test` (one schema per test) on demand.
if command -v psql >/dev/null 2>&1; then
    psql "$MSP_TEST_POSTGRES_URL" -q -v ON_ERROR_STOP=1 \
        -c "DROP DATABASE IF EXISTS $MSP_TEST_DATABASE WITH (FORCE)"
fi

echo "test: cargo test --workspace --all-targets $* (PostgreSQL: $MSP_TEST_POSTGRES_URL)"
cargo test --workspace --all-targets "$@"
