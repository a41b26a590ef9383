//! The GraphQL face of the registry: `POST /graphql` (and `GET /graphql?query=...` for
//! queries), with GraphiQL at a bare `GET /graphql`.
//!
//! Resolvers read like the REST handlers: take the caller and the input, call one service
//! function, map the result. No rule lives here: tenancy, roles, validation, journey rules, the
//! publish check, history and optimistic concurrency are the service's, shared with REST.
//! Nested fields are batched per request with DataLoaders built for the request's caller
//! ([`loaders`]), errors are mapped once ([`errors`]), and the depth, complexity, page size and
//! request size are limited ([`limits`]).

mod accounts;
mod admin;
mod agreements;
mod analytics;
mod children;
mod context;
pub mod depth;
mod duplicates;
pub mod enums;
pub mod errors;
pub mod graphiql;
mod health;
mod http;
pub(crate) use http::refuse_api as refusal;
mod inputs;
pub mod limits;
mod loaders;
mod matchmaking;
mod mutation;
mod pictures;
mod query;
pub mod scalars;
pub mod schema;
mod text;
pub mod types;
mod wsis;

pub use http::{GraphqlState, configure};
pub use schema::{RegistrySchema, build_schema, sdl};
