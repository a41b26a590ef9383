//! A partner of an initiative, and its organisation.

use async_graphql::{ComplexObject, Context, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use service::partners;
use uuid::Uuid;

use super::Organization;
use crate::graphql::{
    enums::{self, Gain, PartnerRole, PartnerStatus, Sector},
    loaders,
};

/// The organisation behind a partner, in brief: what anyone who may read the initiative sees.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(complex)]
pub struct PartnerOrganization {
    pub id: Uuid,
    pub name: String,
    pub acronym: Option<String>,
    pub sector: Sector,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
}

#[ComplexObject]
impl PartnerOrganization {
    /// The organisation's full record, when the caller may read it (its own tenant's, or a
    /// public one); null otherwise.
    async fn details(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let found = loaders::of(ctx)?.organizations.load_one(self.id).await?;
        Ok(found.map(Into::into))
    }
}

/// A partner of an initiative: which organisation, in what roles, what it gains, and its
/// interest in and influence over the issue (for stakeholder mapping).
#[derive(Clone, Debug, SimpleObject)]
pub struct Partner {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub organization: PartnerOrganization,
    pub roles: Vec<PartnerRole>,
    /// IATI organisation role codes the roles map to (1 funding, 2 accountable, 3 extending,
    /// 4 implementing), for export.
    pub iati_roles: Vec<u8>,
    pub status: PartnerStatus,
    /// What the partner gains from taking part.
    pub gains: Vec<Gain>,
    /// Interest in the issue, 1 (low) to 5 (high).
    pub interest: Option<u8>,
    /// Influence over the issue, 1 (low) to 5 (high).
    pub influence: Option<u8>,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<partners::Partner> for Partner {
    fn from(p: partners::Partner) -> Self {
        Self {
            id: p.id,
            initiative_id: p.initiative_id,
            organization: PartnerOrganization {
                id: p.organization.id,
                name: p.organization.name,
                acronym: p.organization.acronym,
                sector: p.organization.sector.into(),
                country: p.organization.country,
            },
            roles: enums::list(&p.roles),
            iati_roles: p.iati_roles,
            status: p.status.into(),
            gains: enums::list(&p.gains),
            interest: p.interest,
            influence: p.influence,
            joined_on: p.joined_on,
            left_on: p.left_on,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}
