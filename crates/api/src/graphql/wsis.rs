//! The WSIS showcase over GraphQL: the checklist, the per-country table, designations and the
//! coverage matrix, through the service functions `routes/wsis.rs` calls.

use async_graphql::{Context, Object};
use service::showcase::{DesignationInput, ShowcaseQuery};
use uuid::Uuid;

use super::{
    context::{RequestCtx, request},
    types::wsis::{ShowcaseDesignation, ShowcaseEligibility, ShowcaseTable, WsisCoverage},
};

/// The showcase checklist of an initiative the caller may read (shared by the root field and
/// `Initiative.showcaseEligibility`).
pub(super) async fn eligibility(
    rc: &RequestCtx,
    initiative_id: Uuid,
) -> async_graphql::Result<ShowcaseEligibility> {
    let found = rc
        .registry
        .showcase_eligibility(&rc.caller, initiative_id)
        .await;
    Ok(rc.map(found)?.into())
}

#[derive(Default)]
pub struct WsisQuery;

#[Object]
impl WsisQuery {
    /// The showcase checklist of an initiative: each named criterion passed or failed, with its
    /// reason (as `GET /api/v1/initiatives/{id}/showcase-eligibility`). `NOT_FOUND` when the
    /// caller may not read the initiative.
    async fn showcase_eligibility(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
    ) -> async_graphql::Result<ShowcaseEligibility> {
        eligibility(request(ctx)?, initiative_id).await
    }

    /// Per country: whether it meets the WSIS call, its eligible initiatives, designated
    /// showcases and near misses (as `GET /api/v1/wsis/showcase`). Members see their tenant's
    /// view; anonymous callers the public picture. `country` (ISO 3166-1 alpha-2 codes,
    /// comma-separated) narrows it to those countries, each listed even without initiatives
    /// (`BAD_REQUEST` when one is not a country).
    async fn wsis_showcase(
        &self,
        ctx: &Context<'_>,
        country: Option<String>,
    ) -> async_graphql::Result<ShowcaseTable> {
        let rc = request(ctx)?;
        let query = ShowcaseQuery {
            country,
            format: None,
        };
        let table = rc.registry.showcase_table(&rc.caller, &query).await;
        Ok(rc.map(table)?.into())
    }

    /// The country × action line matrix of functioning partnerships (as
    /// `GET /api/v1/wsis/coverage`). Members: their tenant; anonymous: public initiatives.
    async fn wsis_coverage(&self, ctx: &Context<'_>) -> async_graphql::Result<WsisCoverage> {
        let rc = request(ctx)?;
        let coverage = rc.registry.wsis_coverage(&rc.caller).await;
        Ok(rc.map(coverage)?.into())
    }

    /// The WSIS showcase as an SVG world map (as `GET /api/v1/wsis/showcase/map.svg`): each
    /// country filled by its state, with a legend; `lang` as `journeySvg`'s.
    async fn showcase_map_svg(
        &self,
        ctx: &Context<'_>,
        lang: Option<String>,
    ) -> async_graphql::Result<String> {
        super::pictures::svg(ctx, lang, |rc, lang| {
            rc.registry.showcase_map_picture(&rc.caller, lang)
        })
        .await
    }
}

#[derive(Default)]
pub struct WsisMutation;

#[Object]
impl WsisMutation {
    /// Designates the tenant's showcase for `country` (admins and owners; as
    /// `PUT /api/v1/wsis/showcase/{country}`). Only an initiative of the tenant that works in
    /// that country and passes the checklist qualifies: `VALIDATION` lists the failed criteria.
    /// A new designation replaces the previous one for the country.
    async fn designate_showcase(
        &self,
        ctx: &Context<'_>,
        country: String,
        initiative_id: Uuid,
    ) -> async_graphql::Result<ShowcaseDesignation> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .designate_showcase(&rc.caller, &country, DesignationInput { initiative_id })
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Removes the tenant's designation for `country` (admins and owners; as
    /// `DELETE /api/v1/wsis/showcase/{country}`); `NOT_FOUND` when there is none. Returns true.
    async fn remove_showcase(
        &self,
        ctx: &Context<'_>,
        country: String,
    ) -> async_graphql::Result<bool> {
        let rc = request(ctx)?;
        let done = rc.registry.remove_showcase(&rc.caller, &country).await;
        rc.map(done)?;
        Ok(true)
    }
}
