# Shortcuts for the usual commands; see README.md and CONTRIBUTING.md.
.PHONY: run test fmt lint openapi graphql-schema ci pg-up fuzz audit

# The server on the embedded SQLite file under ./data (demo tenant on an empty database).
run:
	cargo run --release

# The whole test suite on SQLite and PostgreSQL (starts the local PostgreSQL if it is down).
test:
	bash scripts/test.sh

fmt:
	cargo fmt --all
	cargo fmt --manifest-path fuzz/Cargo.toml

lint:
	cargo clippy --workspace --all-targets -- -D warnings

# Regenerates the committed OpenAPI document (written to a temporary file first, so a failed
# build does not leave an empty document behind).
openapi:
	cargo run -q -p msp-api -- openapi > openapi/openapi.json.tmp \
		&& mv openapi/openapi.json.tmp openapi/openapi.json \
		|| { rm -f openapi/openapi.json.tmp; exit 1; }

# Regenerates the committed GraphQL schema (SDL), the same way.
graphql-schema:
	cargo run -q -p msp-api -- graphql-schema > openapi/schema.graphql.tmp \
		&& mv openapi/schema.graphql.tmp openapi/schema.graphql \
		|| { rm -f openapi/schema.graphql.tmp; exit 1; }

# What CI runs: PostgreSQL up, fmt check, clippy -D warnings, the test suite.
ci:
	bash .ci/run

# The fuzz targets for MSP_FUZZ_SECONDS (60) each, and cargo audit (docs/security.md).
fuzz:
	bash scripts/ci/fuzz.sh

audit:
	bash scripts/ci/audit.sh

pg-up:
	bash scripts/pg-up.sh
