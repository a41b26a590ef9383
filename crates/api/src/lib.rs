//! The HTTP face of the MSP Registry: REST handlers, the GraphQL endpoint, auth extraction, problem+json errors,
//! the OpenAPI document and Swagger UI, configuration and telemetry. Rules live in the
//! `service` crate; nothing here decides what a caller may do.

pub mod cli;
pub mod client_address;
pub mod config;
pub mod extract;
pub mod graphql;
pub mod idempotency;
pub mod language;
pub mod listing;
pub mod methods;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod rate_limit;
pub mod routes;
pub mod startup;
pub mod telemetry;
pub mod validate;
