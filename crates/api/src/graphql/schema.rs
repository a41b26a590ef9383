//! The schema: queries, mutations, no subscriptions; with the configured limits.

use async_graphql::{EmptySubscription, Schema};

use super::{mutation::MutationRoot, query::QueryRoot};
use crate::config::GraphqlLimits;

pub type RegistrySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema with the depth and complexity limits (the body size is checked before parsing,
/// page sizes by each list).
pub fn build_schema(limits: GraphqlLimits) -> RegistrySchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .finish()
}

/// The schema in SDL, as committed in `openapi/schema.graphql`.
pub fn sdl() -> String {
    build_schema(GraphqlLimits::default()).sdl()
}
