//! The schema: queries, mutations, no subscriptions; with the configured limits.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::{
    admin::{AdminMutation, AdminQuery},
    mutation::RegistryMutation,
    query::RegistryQuery,
};
use crate::config::GraphqlLimits;

/// Every query: the registry's and tenant administration's.
#[derive(MergedObject, Default)]
pub struct QueryRoot(RegistryQuery, AdminQuery);

/// Every mutation: the registry's and tenant administration's.
#[derive(MergedObject, Default)]
pub struct MutationRoot(RegistryMutation, AdminMutation);

pub type RegistrySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema with the depth and complexity limits (the body size is checked before parsing,
/// page sizes by each list).
pub fn build_schema(limits: GraphqlLimits) -> RegistrySchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .finish()
}

/// The schema in SDL, as committed in `openapi/schema.graphql`.
pub fn sdl() -> String {
    build_schema(GraphqlLimits::default()).sdl()
}
