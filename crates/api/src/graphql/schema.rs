//! The schema: queries, mutations, no subscriptions; with the configured limits.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::{
    accounts::{AccountsMutation, AccountsQuery},
    admin::{AdminMutation, AdminQuery},
    agreements::{AgreementQuery, AgreementSignMutation},
    analytics::AnalyticsQuery,
    children::{
        AgreementMutation, ContributionMutation, LessonMutation, PartnerMutation, ReportMutation,
    },
    depth::DocumentLimits,
    duplicates::{DuplicatesMutation, DuplicatesQuery},
    health::{HealthMutation, HealthQuery},
    matchmaking::{MatchmakingMutation, MatchmakingQuery},
    mutation::RegistryMutation,
    query::RegistryQuery,
    wsis::{WsisMutation, WsisQuery},
};
use crate::config::GraphqlLimits;

/// Every query: the registry's, tenant administration's, the WSIS showcase, matchmaking and
/// analytics.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    RegistryQuery,
    AdminQuery,
    AccountsQuery,
    WsisQuery,
    MatchmakingQuery,
    AnalyticsQuery,
    HealthQuery,
    AgreementQuery,
    DuplicatesQuery,
);

/// Every mutation: the registry's, tenant administration's, the WSIS showcase's and
/// matchmaking's.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    RegistryMutation,
    PartnerMutation,
    ContributionMutation,
    AgreementMutation,
    ReportMutation,
    LessonMutation,
    AdminMutation,
    AccountsMutation,
    WsisMutation,
    MatchmakingMutation,
    HealthMutation,
    AgreementSignMutation,
    DuplicatesMutation,
);

pub type RegistrySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema with the depth and complexity limits (the body size is checked before parsing,
/// page sizes by each list). The depth, and the fields once fragments are spread, are measured
/// by [`DocumentLimits`], not async-graphql's `limit_depth`, so that the standard introspection
/// query is not refused and a document of fragments spreading each other is refused before it
/// is walked.
pub fn build_schema(limits: GraphqlLimits) -> RegistrySchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .extension(DocumentLimits::new(limits.max_depth, limits.max_complexity))
    .limit_complexity(limits.max_complexity)
    .finish()
}

/// The schema in SDL, as committed in `openapi/schema.graphql`.
pub fn sdl() -> String {
    build_schema(GraphqlLimits::default()).sdl()
}
