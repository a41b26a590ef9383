#!/usr/bin/env bash
# Starts the local PostgreSQL server if it is down, and waits until it accepts connections.
# Used by `make test`, `make pg-up` and `.ci/run`. Host and port: PGUP_HOST / PGUP_PORT
# (default 127.0.0.1:5432). Exits non-zero with a message when PostgreSQL cannot be reached.
set -euo pipefail

host="${PGUP_HOST:-127.0.0.1}"
port="${PGUP_PORT:-5432}"
user="${PGUP_USER:-postgres}"
wait_secs=30

is_up() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$host" -p "$port"
    elif command -v psql >/dev/null 2>&1; then
        psql -h "$host" -p "$port" -U "$user" -d postgres -tAqc 'select 1' >/dev/null 2>&1
    else
        echo "pg-up: neither pg_isready nor psql is installed; cannot check PostgreSQL" >&2
        return 1
    fi
}

if is_up; then
    echo "pg-up: PostgreSQL is up on $host:$port"
    exit 0
fi

echo "pg-up: PostgreSQL is not answering on $host:$port; starting the local cluster"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "pg-up: pg_ctlcluster is not installed: start PostgreSQL on $host:$port yourself" >&2
    exit 1
fi

version="$(ls /etc/postgresql 2>/dev/null | head -1 || true)"
if [ -z "$version" ] \
    || ! pg_ctlcluster --skip-systemctl-redirect "$version" main start; then
    echo "pg-up: falling back to: pg_ctlcluster 15 main start"
    pg_ctlcluster 15 main start || true
fi

for _ in $(seq 1 "$wait_secs"); do
    if is_up; then
        echo "pg-up: PostgreSQL is up on $host:$port"
        exit 0
    fi
    sleep 1
done

echo "pg-up: PostgreSQL did not come up on $host:$port within ${wait_secs}s" >&2
echo "pg-up: see /var/log/postgresql/ and 'pg_lsclusters'" >&2
exit 1
