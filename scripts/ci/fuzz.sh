#!/usr/bin/env bash
# The cargo-fuzz targets of fuzz/ (docs/security.md), each for a bounded time; fails on any
# crash, panic, timeout or failed assertion, leaving the input in fuzz/artifacts/<target>/.
#
# cargo-fuzz passes nightly-only flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
# `--sanitizer none`: the code is safe Rust (unsafe_code is forbidden), so AddressSanitizer
# would find nothing a panic does not, and it needs a nightly standard library.
#
#   MSP_FUZZ_SECONDS   seconds each target runs (default 60)
set -euo pipefail

cd "$(dirname "$0")/../.."
root="$PWD"
seconds="${MSP_FUZZ_SECONDS:-60}"
cargo_fuzz_version="0.13.2"
targets=(query_string import_file)

# Installed once per machine, outside the checkout (a clean clone reuses it), at a pinned
# version: MSP_TOOLS_DIR, by default ~/.cache/msp-registry/tools.
tools="${MSP_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/msp-registry/tools}"
export PATH="$tools/bin:$PATH"
if ! cargo fuzz --version 2>/dev/null | grep -qF "$cargo_fuzz_version"; then
    cargo install --locked --root "$tools" cargo-fuzz --version "$cargo_fuzz_version"
fi

export RUSTC_BOOTSTRAP=1
cd fuzz
start=$(date +%s)
cargo fuzz build --dev --sanitizer none
echo "fuzz: build $(( $(date +%s) - start )) s"

for target in "${targets[@]}"; do
    # libFuzzer adds what it finds to the first corpus directory: a scratch copy, so the
    # committed seeds (fuzz/corpus/<target>/) stay as they are.
    work="target/corpus/$target"
    mkdir -p "$work" "artifacts/$target"
    echo "fuzz: $target for ${seconds} s"
    cargo fuzz run --dev --sanitizer none "$target" "$work" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
echo "fuzz: total $(( $(date +%s) - start )) s"
