# The MSP Registry server. Built by docker-compose.yml; see README.md ("Docker compose").

# --- build ---------------------------------------------------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /src
# Every workspace member must be present for cargo to read the workspace.
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
COPY migrations ./migrations
COPY tests ./tests
RUN cargo build --release --locked -p msp-api \
    && cp target/release/msp-registry /usr/local/bin/msp-registry

# --- run -----------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system msp \
    && useradd --system --gid msp --home-dir /data --no-create-home msp \
    && mkdir -p /data \
    && chown msp:msp /data
COPY --from=builder /usr/local/bin/msp-registry /usr/local/bin/msp-registry

# Listen on every interface; the embedded SQLite default keeps its file in /data. With
# MSP_DATABASE_URL=postgres://... (as in docker-compose.yml) /data stays unused.
ENV MSP_BIND=0.0.0.0:8080 \
    MSP_DATA_DIR=/data
USER msp
WORKDIR /data
VOLUME /data
EXPOSE 8080
# No HEALTHCHECK: the slim image has no HTTP client and the binary has no probe subcommand.
# Orchestrators should probe GET /health (liveness) and GET /ready (database reachable).
ENTRYPOINT ["msp-registry"]
CMD ["serve"]
