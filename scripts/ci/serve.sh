#!/usr/bin/env bash
# Starts a throwaway server for the checks that point real tools at the API (generated clients,
# the browser tests), with a tenant `ci-registry` and its owner, and stops it again.
#
#   bash scripts/ci/serve.sh start PORT [DATABASE_URL]   # default: a fresh SQLite file
#   bash scripts/ci/serve.sh stop PORT
#
# `start` prints nothing but the base URL on stdout (logs go to target/ci/serve-PORT.log), so
# `BASE=$(bash scripts/ci/serve.sh start 18080)` works. The owner signs in with
# CI_EMAIL / CI_PASSWORD below (exported for the tools the caller runs).
set -euo pipefail

cd "$(dirname "$0")/../.."

CI_EMAIL="${CI_EMAIL:-owner@ci.example.org}"
CI_PASSWORD="${CI_PASSWORD:-ci-password-not-secret-0123}"
bin=target/debug/msp-registry
state=target/ci

action="${1:?usage: serve.sh start|stop PORT [DATABASE_URL]}"
port="${2:?usage: serve.sh start|stop PORT [DATABASE_URL]}"
pidfile="$state/serve-$port.pid"

stop() {
    if [ -f "$pidfile" ]; then
        kill "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    fi
}

case "$action" in
stop)
    stop
    exit 0
    ;;
start) ;;
*)
    echo "serve.sh: unknown action $action" >&2
    exit 2
    ;;
esac

mkdir -p "$state"
stop
cargo build -q -p msp-api --bin msp-registry >&2

db_dir="$state/serve-$port"
rm -rf "$db_dir"
mkdir -p "$db_dir"
url="${3:-sqlite://$PWD/$db_dir/ci.sqlite?mode=rwc}"
log="$state/serve-$port.log"

export MSP_DATABASE_URL="$url"
export MSP_BIND="127.0.0.1:$port"
export MSP_DEMO=false
export MSP_LOG_LEVEL="${MSP_LOG_LEVEL:-info}"
export MSP_JWT_SECRET="${MSP_JWT_SECRET:-ci-secret-ci-secret-ci-secret-0123456789}"

if ! {
    "$bin" user create --email "$CI_EMAIL" --name "CI owner" --password "$CI_PASSWORD" &&
        "$bin" tenant create --slug ci-registry --name "CI registry" --owner-email "$CI_EMAIL"
} >>"$log" 2>&1; then
    echo "serve.sh: could not create the CI tenant and owner; the log:" >&2
    cat "$log" >&2
    exit 1
fi

"$bin" serve >>"$log" 2>&1 &
echo $! >"$pidfile"

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    if curl -fsS "$base/ready" >/dev/null 2>&1; then
        echo "$base"
        exit 0
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
echo "serve.sh: the server did not become ready on $base; its log:" >&2
cat "$log" >&2
stop
exit 1
