#!/usr/bin/env bash
# Runs the shell examples of the documentation against a real server, so they cannot drift.
#
# Every fenced block whose info string is exactly `sh` in the files below runs, in order, in one
# bash per file (`set -euo pipefail`), with `$BASE` and an owner's `$TOKEN` given, and `curl`
# failing on any HTTP error status. Blocks meant to be read but not run use `console` (commands
# for operators) or `text`/`json` (answers).
#
#   bash scripts/ci/docs-examples.sh [DATABASE_URL]    # default: a fresh SQLite file
set -euo pipefail

cd "$(dirname "$0")/../.."

files=(docs/guide.md)
port="${DOCS_EXAMPLES_PORT:-18095}"
work=target/ci/docs-examples
rm -rf "$work"
mkdir -p "$work"

base=$(bash scripts/ci/serve.sh start "$port" "${1:-}")
trap 'bash scripts/ci/serve.sh stop "$port"' EXIT

token=$(curl -fsS "$base/api/v1/auth/token" -d grant_type=password \
    --data-urlencode "username=${CI_EMAIL:-owner@ci.example.org}" \
    --data-urlencode "password=${CI_PASSWORD:-ci-password-not-secret-0123}" | jq -r .access_token)

status=0
for file in "${files[@]}"; do
    script="$work/$(basename "$file" .md).sh"
    {
        echo 'set -euo pipefail'
        echo "BASE='$base'"
        echo "TOKEN='$token'"
        # curl as the reader types it, but an error status fails the block and shows its body.
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
        ' "$file"
    } >"$script"
    if bash "$script" >"$script.out" 2>&1; then
        echo "docs-examples: $file: $(grep -c '^--- ' "$script.out") blocks ran"
    else
        echo "docs-examples: $file failed; its output:" >&2
        tail -n 40 "$script.out" >&2
        status=1
    fi
done
exit "$status"
