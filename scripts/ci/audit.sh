#!/usr/bin/env bash
# cargo audit of Cargo.lock (and fuzz/Cargo.lock) against the RustSec advisory database vendored
# in tools/advisory-db/ (CI cannot reach GitHub; docs/security.md says how to refresh it).
# Fails on any advisory not listed, with its reason, in .cargo/audit.toml.
set -euo pipefail

cd "$(dirname "$0")/../.."
root="$PWD"
cargo_audit_version="0.22.2"

# Installed once per machine, outside the checkout (a clean clone reuses it), at a pinned
# version: MSP_TOOLS_DIR, by default ~/.cache/msp-registry/tools.
tools="${MSP_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/msp-registry/tools}"
export PATH="$tools/bin:$PATH"
if ! cargo audit --version 2>/dev/null | grep -qF "$cargo_audit_version"; then
    # No default features: binary scanning (`cargo audit bin`) is not used.
    cargo install --locked --root "$tools" --no-default-features cargo-audit --version "$cargo_audit_version"
fi

db="$root/target/advisory-db"
rm -rf "$db"
tar -xzf tools/advisory-db/advisory-db.tar.gz -C "$root/target"
echo "audit: advisory database of $(cat tools/advisory-db/SNAPSHOT)"

for lock in Cargo.lock fuzz/Cargo.lock; do
    echo "audit: $lock"
    cargo audit --no-fetch --db "$db" --file "$lock" --deny warnings
done
