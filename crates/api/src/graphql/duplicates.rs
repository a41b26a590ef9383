//! Candidate duplicates and duplicate links over GraphQL, through the service functions
//! `routes/duplicates.rs` calls.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use service::{
    duplicates::{self as dup, DuplicateQuery, links::NewDuplicateLink},
    precondition::Precondition,
};
use uuid::Uuid;

use super::{context::request, enums::LinkStatus, mutation::meta};

/// One reason two initiatives look alike.
#[derive(SimpleObject)]
pub struct DuplicateReason {
    /// `similar_title`, `same_countries`, `shared_partners`, `overlapping_dates` or
    /// `shared_identifier`.
    pub code: String,
    pub detail: String,
}

/// Another initiative that may be the same partnership.
#[derive(SimpleObject)]
pub struct DuplicateCandidate {
    pub initiative_id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    /// From 0 to 1; candidates start at 0.7.
    pub score: f64,
    pub reasons: Vec<DuplicateReason>,
}

impl From<dup::DuplicateCandidate> for DuplicateCandidate {
    fn from(c: dup::DuplicateCandidate) -> Self {
        DuplicateCandidate {
            initiative_id: c.initiative_id,
            tenant_id: c.tenant_id,
            title: c.title,
            score: c.score,
            reasons: c
                .reasons
                .into_iter()
                .map(|r| DuplicateReason {
                    code: r.code,
                    detail: r.detail,
                })
                .collect(),
        }
    }
}

/// An open candidate pair: one of the caller's initiatives and a record it may duplicate.
#[derive(SimpleObject)]
pub struct DuplicatePair {
    pub initiative_id: Uuid,
    pub title: String,
    pub candidate: DuplicateCandidate,
}

/// A page of open candidate pairs.
#[derive(SimpleObject)]
pub struct DuplicatePairPage {
    pub items: Vec<DuplicatePair>,
    pub total: Option<u64>,
    pub page: Option<u64>,
    pub per_page: u64,
}

/// A link between two initiatives judged to be one partnership.
#[derive(SimpleObject)]
pub struct DuplicateLink {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    pub other_tenant_id: Uuid,
    pub other_initiative_id: Uuid,
    pub confirmed_by_tenant: bool,
    pub confirmed_by_other: bool,
    pub status: LinkStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<dup::links::DuplicateLink> for DuplicateLink {
    fn from(l: dup::links::DuplicateLink) -> Self {
        DuplicateLink {
            id: l.id,
            tenant_id: l.tenant_id,
            initiative_id: l.initiative_id,
            other_tenant_id: l.other_tenant_id,
            other_initiative_id: l.other_initiative_id,
            confirmed_by_tenant: l.confirmed_by_tenant,
            confirmed_by_other: l.confirmed_by_other,
            status: l.status.into(),
            version: l.version,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

#[derive(Default)]
pub struct DuplicatesQuery;

#[Object]
impl DuplicatesQuery {
    /// The candidate duplicates of an initiative the caller may read, among its own tenant's
    /// records and every public one, best first. `NOT_FOUND` when it may not read it.
    async fn possible_duplicates(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
    ) -> async_graphql::Result<Vec<DuplicateCandidate>> {
        let rc = request(ctx)?;
        let found = rc
            .registry
            .possible_duplicates(&rc.caller, initiative_id)
            .await;
        Ok(rc.map(found)?.into_iter().map(Into::into).collect())
    }

    /// The open candidate pairs of the caller's tenant (as `GET /api/v1/duplicates`).
    async fn duplicates(
        &self,
        ctx: &Context<'_>,
        page: Option<u64>,
        per_page: Option<u64>,
    ) -> async_graphql::Result<DuplicatePairPage> {
        let rc = request(ctx)?;
        let found = rc
            .registry
            .list_duplicates(&rc.caller, DuplicateQuery { page, per_page })
            .await;
        let found = rc.map(found)?;
        Ok(DuplicatePairPage {
            total: found.total,
            page: found.page,
            per_page: found.per_page,
            items: found
                .items
                .into_iter()
                .map(|p| DuplicatePair {
                    initiative_id: p.initiative_id,
                    title: p.title,
                    candidate: p.candidate.into(),
                })
                .collect(),
        })
    }

    /// One duplicate link, for members of either side (`NOT_FOUND` for anyone else).
    async fn duplicate_link(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> async_graphql::Result<DuplicateLink> {
        let rc = request(ctx)?;
        let found = rc.registry.get_duplicate_link(&rc.caller, id).await;
        Ok(rc.map(found)?.into())
    }
}

#[derive(Default)]
pub struct DuplicatesMutation;

#[Object]
impl DuplicatesMutation {
    /// Says that two initiatives are one partnership (as `POST /api/v1/duplicates/links`):
    /// confirmed at once within a tenant, across tenants once the other side posts the pair
    /// from its side.
    async fn link_duplicates(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        other_initiative_id: Uuid,
        reason: Option<String>,
    ) -> async_graphql::Result<DuplicateLink> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .link_duplicates(
                &rc.caller,
                NewDuplicateLink {
                    initiative_id,
                    other_initiative_id,
                },
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.0.into())
    }

    /// Rejects a duplicate link, provided `expectedVersion` is current (as `DELETE
    /// /api/v1/duplicates/links/{id}`).
    async fn reject_duplicate_link(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: i32,
        reason: Option<String>,
    ) -> async_graphql::Result<DuplicateLink> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .reject_duplicate_link(
                &rc.caller,
                id,
                Precondition::Version(expected_version),
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.into())
    }
}
