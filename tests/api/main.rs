//! Black-box tests of the HTTP API. Each `both_databases!` test runs once on a fresh SQLite
//! file (`NAME::sqlite`) and once on a fresh PostgreSQL schema (`NAME::postgres`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_ends;
mod agreements;
mod analytics;
mod auth;
mod battery;
mod bulk;
mod changes;
mod contract;
mod contributions;
mod conventions;
mod cursors;
mod dates;
mod document_truth;
mod fieldsets;
mod graphql;
mod graphql_analytics;
mod graphql_batching;
mod graphql_limits;
mod graphql_tools;
mod hostile_input;
mod idempotency;
mod initiatives;
mod invitations;
mod isolation;
mod jwks;
mod lessons;
mod listing;
mod matchmaking;
mod metrics;
mod operations;
mod organizations;
mod paging;
mod partners;
mod reports;
mod roles;
mod row_security;
mod sessions;
mod statements;
mod tenancy;
mod throttle;
mod webhooks;
mod write_pipeline;
mod wsis;
