#!/usr/bin/env bash
# The real-browser check: Debian's Chromium, driven by playwright-core (tools/browser/), against
# a throwaway server. Swagger UI at /docs signs in through Authorize and runs Try it out on a
# list, a create and a delete (the requests sent must be exactly the ones chosen); GraphiQL at
# /graphql renders with no request leaving the server, loads the schema docs by introspection
# and runs a query. Screenshots: target/browser/*.png. Exits non-zero on any failure.
#
#   bash scripts/ci/browser.sh            # BROWSER_PORT (default 18121) for the server
set -euo pipefail

cd "$(dirname "$0")/../.."

port="${BROWSER_PORT:-18121}"

if [ ! -x /usr/bin/chromium ]; then
    echo "browser.sh: installing Debian's chromium" >&2
    apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
fi
(cd tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

shots="$PWD/target/browser"
rm -rf "$shots"
mkdir -p "$shots"

base=$(bash scripts/ci/serve.sh start "$port")
trap 'bash scripts/ci/serve.sh stop "$port"' EXIT

status=0
for check in swagger graphiql; do
    echo "browser.sh: $check" >&2
    if ! (cd tools/browser && BASE="$base" SHOTS="$shots" node "$check.mjs"); then
        echo "browser.sh: the $check check failed (screenshots in $shots, server log in target/ci/serve-$port.log)" >&2
        status=1
    fi
done
ls "$shots"/*.png >&2
exit "$status"
