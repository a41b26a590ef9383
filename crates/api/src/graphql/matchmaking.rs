//! Levers and needs, organisations' offers, partner suggestions and value assessments over
//! GraphQL, through the service functions `routes/matchmaking.rs` calls.

use async_graphql::{Context, InputObject, Object};
use service::{
    ServiceError,
    matchmaking::{LeversInput, NeedsInput, SuggestionQuery},
    valuation,
};
use uuid::Uuid;

use super::{
    context::{RequestCtx, request},
    enums::{Gain, Lever, ResourceKind, ValueSource},
    errors,
    mutation::meta,
    scalars::Decimal,
    types::matchmaking::{Offers, PartnerSuggestion, ValueAssessment},
};

fn into_all<T: Copy, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

/// The value assessment of an initiative the caller may read; null when it has none yet
/// (the service's "value assessment not found"), `NOT_FOUND` when the initiative is not
/// readable.
pub(super) async fn value_assessment(
    rc: &RequestCtx,
    initiative_id: Uuid,
) -> async_graphql::Result<Option<ValueAssessment>> {
    match rc
        .registry
        .value_assessment(&rc.caller, initiative_id)
        .await
    {
        Ok(found) => Ok(Some(found.into())),
        Err(ServiceError::NotFound {
            entity: "value assessment",
        }) => Ok(None),
        Err(other) => Err(errors::service_error(other, rc.request_id.as_deref())),
    }
}

/// What an organisation the caller may read offers.
pub(super) async fn offers(
    rc: &RequestCtx,
    organization_id: Uuid,
) -> async_graphql::Result<Offers> {
    let found = rc
        .registry
        .organization_offers(&rc.caller, organization_id)
        .await;
    Ok(rc.map(found)?.into())
}

/// Partner suggestions for an initiative the caller may read.
pub(super) async fn suggestions(
    rc: &RequestCtx,
    initiative_id: Uuid,
    limit: Option<u64>,
) -> async_graphql::Result<Vec<PartnerSuggestion>> {
    let found = rc
        .registry
        .partner_suggestions(&rc.caller, initiative_id, SuggestionQuery { limit })
        .await;
    Ok(rc.map(found)?.into_iter().map(Into::into).collect())
}

/// What an organisation offers (replaces the whole list).
#[derive(InputObject)]
pub struct OffersInput {
    #[graphql(default)]
    pub resource_kinds: Vec<ResourceKind>,
    /// WSIS action line codes (case-insensitive).
    #[graphql(default)]
    pub action_lines: Vec<String>,
    /// ISO 3166-1 alpha-2 codes.
    #[graphql(default)]
    pub countries: Vec<String>,
    #[graphql(default)]
    pub motivations: Vec<Gain>,
}

impl From<OffersInput> for service::matchmaking::Offers {
    fn from(i: OffersInput) -> Self {
        Self {
            resource_kinds: into_all(i.resource_kinds),
            action_lines: i.action_lines,
            countries: i.countries,
            motivations: into_all(i.motivations),
        }
    }
}

/// One source of value and its rating.
#[derive(InputObject)]
pub struct ValueRatingInput {
    pub source: ValueSource,
    /// 0 (none) to 3 (high).
    pub rating: u8,
    pub note: Option<String>,
}

/// An exact amount and its currency.
#[derive(InputObject)]
pub struct MoneyInput {
    pub amount: Decimal,
    /// ISO 4217.
    pub currency: String,
}

/// A value assessment (replaces the whole assessment).
#[derive(InputObject)]
pub struct ValueAssessmentInput {
    /// Ratings of some or all of the ten sources; unrated sources count as not assessed.
    pub ratings: Vec<ValueRatingInput>,
    /// The estimated cost of partnering (staff time, meetings, brokering).
    pub partnering_cost: Option<MoneyInput>,
    pub notes: Option<String>,
}

impl From<ValueAssessmentInput> for valuation::ValueAssessmentInput {
    fn from(i: ValueAssessmentInput) -> Self {
        Self {
            ratings: i
                .ratings
                .into_iter()
                .map(|r| valuation::Rating {
                    source: r.source.into(),
                    rating: r.rating,
                    note: r.note,
                })
                .collect(),
            partnering_cost: i.partnering_cost.map(|m| valuation::Money {
                amount: m.amount.0,
                currency: m.currency,
            }),
            notes: i.notes,
        }
    }
}

#[derive(Default)]
pub struct MatchmakingQuery;

#[Object]
impl MatchmakingQuery {
    /// What an organisation can offer (as `GET /api/v1/organizations/{id}/offers`).
    async fn organization_offers(
        &self,
        ctx: &Context<'_>,
        organization_id: Uuid,
    ) -> async_graphql::Result<Offers> {
        offers(request(ctx)?, organization_id).await
    }

    /// Organisations (the tenant's and public ones) ranked by how well they fill the
    /// initiative's gaps, each with its reasons (as
    /// `GET /api/v1/initiatives/{id}/partner-suggestions`). `limit`: 1 to 50, 10 by default.
    async fn partner_suggestions(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        limit: Option<u64>,
    ) -> async_graphql::Result<Vec<PartnerSuggestion>> {
        suggestions(request(ctx)?, initiative_id, limit).await
    }

    /// The value assessment of an initiative (as
    /// `GET /api/v1/initiatives/{id}/value-assessment`); null when it has not been assessed.
    async fn value_assessment(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
    ) -> async_graphql::Result<Option<ValueAssessment>> {
        value_assessment(request(ctx)?, initiative_id).await
    }
}

#[derive(Default)]
pub struct MatchmakingMutation;

#[Object]
impl MatchmakingMutation {
    /// Replaces the levers the initiative brings to bear (editors; as
    /// `PUT /api/v1/initiatives/{id}/levers`). Returns them, duplicates dropped.
    async fn set_levers(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        levers: Vec<Lever>,
        reason: Option<String>,
    ) -> async_graphql::Result<Vec<Lever>> {
        let rc = request(ctx)?;
        let input = LeversInput {
            levers: into_all(levers),
        };
        let done = rc
            .registry
            .set_levers(&rc.caller, initiative_id, input, &meta(reason))
            .await;
        Ok(into_all(rc.map(done)?))
    }

    /// Replaces the resource kinds the initiative still needs (editors; as
    /// `PUT /api/v1/initiatives/{id}/needs`). Returns them, duplicates dropped.
    async fn set_needs(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        needs: Vec<ResourceKind>,
        reason: Option<String>,
    ) -> async_graphql::Result<Vec<ResourceKind>> {
        let rc = request(ctx)?;
        let input = NeedsInput {
            needs: into_all(needs),
        };
        let done = rc
            .registry
            .set_needs(&rc.caller, initiative_id, input, &meta(reason))
            .await;
        Ok(into_all(rc.map(done)?))
    }

    /// Replaces what an organisation of the caller's tenant offers (editors; as
    /// `PUT /api/v1/organizations/{id}/offers`).
    async fn set_organization_offers(
        &self,
        ctx: &Context<'_>,
        organization_id: Uuid,
        input: OffersInput,
    ) -> async_graphql::Result<Offers> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .set_organization_offers(&rc.caller, organization_id, input.into())
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Records or replaces the value assessment of an initiative (editors; as
    /// `PUT /api/v1/initiatives/{id}/value-assessment`). Replacing one needs `expectedVersion`
    /// (its `version`): `BAD_REQUEST` without it, `STALE_VERSION` when it is not current.
    async fn set_value_assessment(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        expected_version: Option<i32>,
        input: ValueAssessmentInput,
        reason: Option<String>,
    ) -> async_graphql::Result<ValueAssessment> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .put_value_assessment(
                &rc.caller,
                initiative_id,
                expected_version.into(),
                input.into(),
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.into())
    }
}
