//! Partnership analytics over GraphQL: the stakeholder map (as data), leverage per initiative,
//! organisation and engagement model, and the dashboard, through the service functions
//! `routes/analytics.rs` calls. Nothing is computed here.

use async_graphql::{Context, Object};
use service::analytics::AnalyticsQuery as Query;
use uuid::Uuid;

use super::{
    context::{RequestCtx, request},
    enums::Scope,
    types::analytics::{
        Dashboard, EngagementModelLeverage, InitiativeLeverage, OrganizationLeverage,
        StakeholderMap,
    },
};

/// The stakeholder map of an initiative the caller may read.
pub(super) async fn stakeholder_map(
    rc: &RequestCtx,
    initiative_id: Uuid,
) -> async_graphql::Result<StakeholderMap> {
    let found = rc.registry.stakeholder_map(&rc.caller, initiative_id).await;
    Ok(rc.map(found)?.into())
}

/// Leverage of an initiative the caller may read.
pub(super) async fn initiative_leverage(
    rc: &RequestCtx,
    initiative_id: Uuid,
) -> async_graphql::Result<InitiativeLeverage> {
    let found = rc
        .registry
        .initiative_leverage(&rc.caller, initiative_id)
        .await;
    Ok(rc.map(found)?.into())
}

/// Leverage of an organisation the caller may read.
pub(super) async fn organization_leverage(
    rc: &RequestCtx,
    organization_id: Uuid,
) -> async_graphql::Result<OrganizationLeverage> {
    let found = rc
        .registry
        .organization_leverage(&rc.caller, organization_id)
        .await;
    Ok(rc.map(found)?.into())
}

#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// The stakeholder map of an initiative: every active partner and prospect on the
    /// interest/influence grid, with its quadrant, and those that cannot be placed (as
    /// `GET /api/v1/initiatives/{id}/stakeholder-map`; the SVG picture is REST-only).
    async fn stakeholder_map(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
    ) -> async_graphql::Result<StakeholderMap> {
        stakeholder_map(request(ctx)?, initiative_id).await
    }

    /// Leverage and return on investment of an initiative, per currency and partner (as
    /// `GET /api/v1/initiatives/{id}/leverage`).
    async fn initiative_leverage(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
    ) -> async_graphql::Result<InitiativeLeverage> {
        initiative_leverage(request(ctx)?, initiative_id).await
    }

    /// Leverage and return on investment of an organisation across the initiatives the caller
    /// may read (as `GET /api/v1/organizations/{id}/leverage`).
    async fn organization_leverage(
        &self,
        ctx: &Context<'_>,
        organization_id: Uuid,
    ) -> async_graphql::Result<OrganizationLeverage> {
        organization_leverage(request(ctx)?, organization_id).await
    }

    /// Resources mobilised per private-sector engagement model (as
    /// `GET /api/v1/analytics/engagement-models`). `scope`: `TENANT` (members' default),
    /// `PUBLIC` or `ALL`; anonymous callers always get public initiatives.
    async fn engagement_model_leverage(
        &self,
        ctx: &Context<'_>,
        scope: Option<Scope>,
    ) -> async_graphql::Result<EngagementModelLeverage> {
        let rc = request(ctx)?;
        let query = Query {
            scope: scope.map(Into::into),
        };
        let found = rc
            .registry
            .engagement_model_leverage(&rc.caller, query)
            .await;
        Ok(rc.map(found)?.into())
    }

    /// The dashboard: counts across the caller's initiatives by stage, kind, sector mix,
    /// spectrum, engagement model, country, action line, outcome, reporting status and month
    /// of registration (as `GET /api/v1/analytics/dashboard`). `scope` as for
    /// `engagementModelLeverage`.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        scope: Option<Scope>,
    ) -> async_graphql::Result<Dashboard> {
        let rc = request(ctx)?;
        let query = Query {
            scope: scope.map(Into::into),
        };
        let found = rc.registry.dashboard(&rc.caller, query).await;
        Ok(rc.map(found)?.into())
    }
}
