#!/usr/bin/env bash
# Runs the shell examples of the documentation against real servers, so they cannot drift.
#
# Every fenced block whose info string is exactly `sh` in the files below runs, in order, in one
# bash per file (`set -euo pipefail`), with `curl` failing on any HTTP error status (and showing
# the problem it got). Blocks meant to be read but not run use `console` (commands for operators,
# calls with placeholders) or `text`/`json` (answers).
#
# - README.md runs as a new user runs it: in the folder of a fresh server on the embedded SQLite
#   default with the demo tenant, signing in from data/demo-credentials.txt.
# - docs/guide.md runs against a fresh server with the tenant and owner of scripts/ci/serve.sh,
#   given `$BASE` and that owner's `$TOKEN`.
#
#   bash scripts/ci/docs-examples.sh [DATABASE_URL]    # the guide's database; default SQLite
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD

guide_port="${DOCS_EXAMPLES_PORT:-18095}"
readme_port="${DOCS_README_PORT:-18096}"
work=$root/target/ci/docs-examples
bin=$root/target/debug/msp-registry
rm -rf "$work"
mkdir -p "$work/readme"

# The blocks of one file as a script: `curl` fails on an error status and shows its body.
script_of() {
    local file=$1 prelude=$2
    echo 'set -euo pipefail'
    printf '%s\n' "$prelude"
    cat <<'WRAP'
curl() {
    local out rc=0
    out=$(mktemp)
    command curl --fail-with-body --show-error -w '\n' "$@" >"$out" || rc=$?
    if [ "$rc" -ne 0 ]; then cat "$out" >&2; rm -f "$out"; return "$rc"; fi
    cat "$out"; rm -f "$out"
}
WRAP
    awk -v file="$file" '
        /^```/ {
            if (inblock) { inblock = 0; next }
            if ($0 == "```sh") { inblock = 1; n++; printf "echo \"--- %s, block %d (line %d)\" >&2\n", file, n, NR; next }
        }
        inblock { print }
    ' "$root/$file"
}

# Runs `file`'s blocks in folder `dir`; 0 when every block passed.
run_blocks() {
    local file=$1 dir=$2 prelude=$3 script
    script="$work/$(basename "$file" .md).sh"
    script_of "$file" "$prelude" >"$script"
    if (cd "$dir" && bash "$script") >"$script.out" 2>&1; then
        echo "docs-examples: $file: $(grep -c '^--- ' "$script.out") blocks ran"
    else
        echo "docs-examples: $file failed; its output:" >&2
        tail -n 40 "$script.out" >&2
        return 1
    fi
}

readme_pid=
cleanup() {
    bash scripts/ci/serve.sh stop "$guide_port"
    [ -z "$readme_pid" ] || kill "$readme_pid" 2>/dev/null || true
}
trap cleanup EXIT

status=0

# README.md: `cargo run --release` as a new user runs it, in its own folder (debug build here).
cargo build -q -p msp-api --bin msp-registry
# `exec`, so that the pid is the server's and the trap stops it.
(cd "$work/readme" && exec env -u MSP_DATABASE_URL MSP_BIND="127.0.0.1:$readme_port" \
    MSP_JWT_SECRET= MSP_DEMO= "$bin" serve >"$work/readme/server.log" 2>&1) &
readme_pid=$!
readme_base="http://127.0.0.1:$readme_port"
for _ in $(seq 1 150); do
    curl -fsS "$readme_base/ready" >/dev/null 2>&1 && [ -f "$work/readme/data/demo-credentials.txt" ] && break
    if ! kill -0 "$readme_pid" 2>/dev/null; then
        echo "docs-examples: the README's server did not start; its log:" >&2
        cat "$work/readme/server.log" >&2
        exit 1
    fi
    sleep 0.2
done
run_blocks README.md "$work/readme" "BASE='$readme_base'" || status=1

# docs/guide.md: the owner of a fresh CI tenant.
base=$(bash scripts/ci/serve.sh start "$guide_port" "${1:-}")
token=$(curl -fsS "$base/api/v1/auth/token" -d grant_type=password \
    --data-urlencode "username=${CI_EMAIL:-owner@ci.example.org}" \
    --data-urlencode "password=${CI_PASSWORD:-ci-password-not-secret-0123}" | jq -r .access_token)
run_blocks docs/guide.md "$work" "BASE='$base'
TOKEN='$token'" || status=1

exit "$status"
