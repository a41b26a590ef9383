//! A partner organisation and the initiatives it takes part in.

use async_graphql::{ComplexObject, Context, ID, SimpleObject};
use chrono::{DateTime, Utc};
use service::organizations;
use uuid::Uuid;

use super::{
    Initiative, analytics::OrganizationLeverage, global_id, matchmaking::Offers, nested_first, take,
};
use crate::graphql::{
    enums::{Sector, Visibility},
    limits::cost,
    loaders,
};

/// A partner organisation: a stakeholder that takes part in partnerships.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(complex)]
pub struct Organization {
    /// The UUID; GraphQL shows it as the global id (`id: ID!`, see [`super::node`]).
    #[graphql(skip)]
    pub id: Uuid,
    /// The tenant that keeps this record.
    pub tenant_id: Uuid,
    pub name: String,
    pub acronym: Option<String>,
    pub sector: Sector,
    /// Free text refining the sector: local government, telecom operator, international NGO...
    pub sub_type: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    /// The IATI organisation identifier, when known.
    pub iati_identifier: Option<String>,
    pub visibility: Visibility,
    /// The BCP 47 tag of the language its texts were written in (its original language).
    pub language: String,
    /// The text fields not in the language asked for (`lang`), each with the language it
    /// fell back to.
    pub field_languages: Vec<super::matchmaking::FieldLanguage>,
    /// Every translation of its texts (`lang: "*"` only; empty otherwise).
    pub translations: Vec<super::texts::FieldText>,
    /// Increases with every change: pass it as `expectedVersion` to change or delete.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<organizations::Organization> for Organization {
    fn from(o: organizations::Organization) -> Self {
        Self {
            id: o.id,
            tenant_id: o.tenant_id,
            name: o.name,
            acronym: o.acronym,
            sector: o.sector.into(),
            sub_type: o.sub_type,
            country: o.country,
            website: o.website,
            description: o.description,
            iati_identifier: o.iati_identifier,
            visibility: o.visibility.into(),
            language: o.language,
            field_languages: super::texts::field_languages(o.field_languages),
            translations: super::texts::translations(o.translations),
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[ComplexObject]
impl Organization {
    /// The global id: the record's UUID, as REST and `node(id:)` take it.
    pub async fn id(&self, _ctx: &Context<'_>) -> async_graphql::Result<ID> {
        Ok(global_id(self.id))
    }

    /// What the organisation offers (as the root field `organizationOffers`).
    async fn offers(&self, ctx: &Context<'_>) -> async_graphql::Result<Offers> {
        crate::graphql::matchmaking::offers(crate::graphql::context::request(ctx)?, self.id).await
    }

    /// Leverage and return on investment across the initiatives the caller may read (as the
    /// root field `organizationLeverage`).
    async fn leverage(&self, ctx: &Context<'_>) -> async_graphql::Result<OrganizationLeverage> {
        crate::graphql::analytics::organization_leverage(
            crate::graphql::context::request(ctx)?,
            self.id,
        )
        .await
    }

    /// The initiatives this organisation takes part in (any partner status) that the caller
    /// may read: its own tenant's and every public one; by title.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Initiative>> {
        let n = nested_first(ctx, first)?;
        let found = loaders::of(ctx)?
            .organization_initiatives
            .load_one(self.id)
            .await?;
        Ok(take(found, n))
    }
}
