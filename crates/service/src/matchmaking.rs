//! Levers and needs of initiatives, what organisations can offer, and partner suggestions that
//! explain themselves: which needs an organisation covers, which sector it adds, where it works.

use std::collections::HashSet;

use entity::{
    enums::{Gain, Lever, PartnerStatus, ResourceKind, Role, Sector},
    initiative_partner, initiative_tag, organization, organization_offer,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Registry,
    codes::{code, dedup, from_code},
    country::CountryCode,
    error::{FieldError, ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta},
    initiatives::{access, load_sectors, load_tags},
    organizations::Organization,
    reference, write,
};

/// The most suggestions one request returns (`limit`, 10 by default).
pub const MAX_LIMIT: u64 = 50;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeversInput {
    pub levers: Vec<Lever>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedsInput {
    /// Resource kinds the initiative still needs.
    pub needs: Vec<ResourceKind>,
}

/// What an organisation can offer to partnerships.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Offers {
    #[serde(default)]
    pub resource_kinds: Vec<ResourceKind>,
    /// WSIS action line codes.
    #[serde(default)]
    pub action_lines: Vec<String>,
    /// ISO 3166-1 alpha-2 codes of the countries it works in.
    #[serde(default)]
    pub countries: Vec<String>,
    /// What moves it to take part.
    #[serde(default)]
    pub motivations: Vec<Gain>,
}

/// One suggested partner, with its score explained.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Suggestion {
    pub organization: Organization,
    pub score: u32,
    /// Needs of the initiative this organisation offers.
    pub covers_needs: Vec<ResourceKind>,
    /// The sector it would add, when the active partners lack it.
    pub adds_sector: Option<Sector>,
    /// Countries of the initiative where it works.
    pub shared_countries: Vec<String>,
    /// Action lines of the initiative it offers to work on.
    pub shared_action_lines: Vec<String>,
    /// One sentence per reason, for people.
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestionQuery {
    /// How many suggestions (default 10, at most 50).
    pub limit: Option<u64>,
}

const OFFER_RESOURCE: &str = "resource_kind";
const OFFER_ACTION_LINE: &str = "action_line";
const OFFER_COUNTRY: &str = "country";
const OFFER_MOTIVATION: &str = "motivation";

/// Points per covered need, added sector, shared country and shared action line.
const NEED_POINTS: u32 = 3;
const SECTOR_POINTS: u32 = 2;
const COUNTRY_POINTS: u32 = 2;
const ACTION_LINE_POINTS: u32 = 1;

async fn replace_tags<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    kind: &str,
    values: Vec<String>,
) -> ServiceResult<()> {
    initiative_tag::Entity::delete_many()
        .filter(initiative_tag::Column::InitiativeId.eq(id))
        .filter(initiative_tag::Column::Kind.eq(kind))
        .exec(db)
        .await?;
    let rows: Vec<initiative_tag::ActiveModel> = values
        .into_iter()
        .map(|value| initiative_tag::ActiveModel {
            initiative_id: Set(id),
            kind: Set(kind.to_owned()),
            value: Set(value),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        initiative_tag::Entity::insert_many(rows).exec(db).await?;
    }
    // The new rows' sort keys are filled by the refresh of the initiatives this write touched
    // (`write::steps::refresh_initiatives`, when the unit of work commits).
    Ok(())
}

async fn load_offers<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<std::collections::HashMap<Uuid, Offers>> {
    let mut map: std::collections::HashMap<Uuid, Offers> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = organization_offer::Entity::find()
            .filter(organization_offer::Column::OrganizationId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for row in rows {
            let offers = map.entry(row.organization_id).or_default();
            match row.kind.as_str() {
                OFFER_RESOURCE => offers
                    .resource_kinds
                    .extend(from_code::<ResourceKind>(&row.value)),
                OFFER_ACTION_LINE => offers.action_lines.push(row.value),
                OFFER_COUNTRY => offers.countries.push(row.value),
                OFFER_MOTIVATION => offers.motivations.extend(from_code::<Gain>(&row.value)),
                _ => {}
            }
        }
    }
    Ok(map)
}

impl Registry {
    /// Replaces the levers an initiative brings to bear (editors).
    pub async fn set_levers(
        &self,
        caller: &Caller,
        id: Uuid,
        input: LeversInput,
        meta: &WriteMeta,
    ) -> ServiceResult<Vec<Lever>> {
        let levers = dedup(&input.levers);
        self.set_initiative_tags(
            caller,
            id,
            crate::initiatives::TAG_LEVER,
            "levers",
            levers.iter().map(code).collect(),
            meta,
        )
        .await?;
        Ok(levers)
    }

    /// Replaces the resource kinds an initiative still needs (editors).
    pub async fn set_needs(
        &self,
        caller: &Caller,
        id: Uuid,
        input: NeedsInput,
        meta: &WriteMeta,
    ) -> ServiceResult<Vec<ResourceKind>> {
        let needs = dedup(&input.needs);
        self.set_initiative_tags(
            caller,
            id,
            crate::initiatives::TAG_NEED,
            "needs",
            needs.iter().map(code).collect(),
            meta,
        )
        .await?;
        Ok(needs)
    }

    async fn set_initiative_tags(
        &self,
        caller: &Caller,
        id: Uuid,
        kind: &str,
        field: &str,
        values: Vec<String>,
        meta: &WriteMeta,
    ) -> ServiceResult<()> {
        let txn = self.unit_of_work().await?;
        let (row, principal) = access::writable(&txn, caller, id).await?;
        let before: Vec<String> = initiative_tag::Entity::find()
            .filter(initiative_tag::Column::InitiativeId.eq(id))
            .filter(initiative_tag::Column::Kind.eq(kind))
            .all(&txn)
            .await?
            .into_iter()
            .map(|t| t.value)
            .collect();
        replace_tags(&txn, id, kind, values.clone()).await?;
        write::child_changed(
            &txn,
            Change {
                tenant_id: row.tenant_id,
                initiative_id: id,
                entity_type: EntityKind::Initiative,
                entity_id: id,
                operation: Operation::Update,
                actor: Some(principal.subject),
                meta,
                before: Some(serde_json::json!({ field: before })),
                after: Some(serde_json::json!({ field: values })),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// What an organisation the caller may read offers.
    pub async fn organization_offers(&self, caller: &Caller, id: Uuid) -> ServiceResult<Offers> {
        self.get_organization(caller, id).await?;
        Ok(load_offers(self.db(), &[id])
            .await?
            .remove(&id)
            .unwrap_or_default())
    }

    /// Replaces what an organisation of the caller's tenant offers (editors).
    pub async fn set_organization_offers(
        &self,
        caller: &Caller,
        id: Uuid,
        input: Offers,
    ) -> ServiceResult<Offers> {
        crate::tenancy::writable(
            caller,
            organization::Entity::find_by_id(id).one(self.db()).await?,
        )?;
        caller.require(Role::Editor)?;
        let mut errors = Vec::new();
        let mut countries = Vec::new();
        for (i, raw) in input.countries.iter().enumerate() {
            match CountryCode::parse(raw) {
                Ok(c) => countries.push(c.as_str().to_owned()),
                Err(m) => errors.push(FieldError::new(
                    format!("countries[{i}]"),
                    "invalid_country",
                    m,
                )),
            }
        }
        let mut lines = Vec::new();
        for (i, raw) in input.action_lines.iter().enumerate() {
            match reference::action_line(raw) {
                Some(a) => lines.push(a.code.to_owned()),
                None => errors.push(FieldError::new(
                    format!("action_lines[{i}]"),
                    "invalid_action_line",
                    format!("`{raw}` is not a WSIS action line"),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }
        let offers = Offers {
            resource_kinds: dedup(&input.resource_kinds),
            action_lines: dedup(&lines),
            countries: dedup(&countries),
            motivations: dedup(&input.motivations),
        };
        let txn = self.unit_of_work().await?;
        organization_offer::Entity::delete_many()
            .filter(organization_offer::Column::OrganizationId.eq(id))
            .exec(&txn)
            .await?;
        let rows: Vec<organization_offer::ActiveModel> = offers
            .resource_kinds
            .iter()
            .map(|v| (OFFER_RESOURCE, code(v)))
            .chain(
                offers
                    .action_lines
                    .iter()
                    .map(|v| (OFFER_ACTION_LINE, v.clone())),
            )
            .chain(offers.countries.iter().map(|v| (OFFER_COUNTRY, v.clone())))
            .chain(
                offers
                    .motivations
                    .iter()
                    .map(|v| (OFFER_MOTIVATION, code(v))),
            )
            .map(|(kind, value)| organization_offer::ActiveModel {
                organization_id: Set(id),
                kind: Set(kind.to_owned()),
                value: Set(value),
            })
            .collect();
        if !rows.is_empty() {
            organization_offer::Entity::insert_many(rows)
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(offers)
    }

    /// Organisations (the tenant's own and public ones) ranked by how well they fill the
    /// initiative's gaps: unmet needs they offer, a sector the active partners lack, the
    /// initiative's countries and action lines. Active partners are left out.
    pub async fn partner_suggestions(
        &self,
        caller: &Caller,
        id: Uuid,
        query: SuggestionQuery,
    ) -> ServiceResult<Vec<Suggestion>> {
        let limit = query.limit.unwrap_or(10);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::bad_parameter(
                "limit",
                "must be between 1 and 50",
            ));
        }
        let row = access::readable(self.db(), caller, id).await?;
        let tags = load_tags(self.db(), &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let sectors = load_sectors(self.db(), &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let active: HashSet<Uuid> = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.eq(id))
            .filter(initiative_partner::Column::Status.eq(PartnerStatus::Active))
            .all(self.db())
            .await?
            .into_iter()
            .map(|p| p.organization_id)
            .collect();
        // The initiative's tenant's organisations and every public one.
        let candidates = organization::Entity::find()
            .filter(
                crate::tenancy::Coverage::TenantAndPublic(row.tenant_id)
                    .condition::<organization::Entity>(),
            )
            .all(self.db())
            .await?;
        let candidates: Vec<organization::Model> = candidates
            .into_iter()
            .filter(|o| !active.contains(&o.id))
            .filter(|o| crate::tenancy::may_read(caller, o))
            .collect();
        let ids: Vec<Uuid> = candidates.iter().map(|o| o.id).collect();
        let mut offers = load_offers(self.db(), &ids).await?;
        let mut suggestions: Vec<Suggestion> = candidates
            .into_iter()
            .filter_map(|org| {
                let offer = offers.remove(&org.id).unwrap_or_default();
                let covers_needs: Vec<ResourceKind> = tags
                    .needs
                    .iter()
                    .filter(|n| offer.resource_kinds.contains(n))
                    .copied()
                    .collect();
                let adds_sector = (!sectors.contains(&org.sector)).then_some(org.sector);
                let mut shared_countries: Vec<String> = tags
                    .countries
                    .iter()
                    .filter(|c| {
                        offer.countries.contains(c) || org.country.as_deref() == Some(c.as_str())
                    })
                    .cloned()
                    .collect();
                shared_countries.dedup();
                let shared_action_lines: Vec<String> = tags
                    .action_lines
                    .iter()
                    .filter(|a| {
                        offer
                            .action_lines
                            .iter()
                            .any(|o| reference::action_line_covers(o, a))
                    })
                    .cloned()
                    .collect();
                let score = NEED_POINTS * covers_needs.len() as u32
                    + if adds_sector.is_some() {
                        SECTOR_POINTS
                    } else {
                        0
                    }
                    + if shared_countries.is_empty() {
                        0
                    } else {
                        COUNTRY_POINTS
                    }
                    + ACTION_LINE_POINTS * shared_action_lines.len() as u32;
                // Adding a sector alone is not a reason to suggest a partner.
                if covers_needs.is_empty()
                    && shared_countries.is_empty()
                    && shared_action_lines.is_empty()
                {
                    return None;
                }
                let mut reasons = Vec::new();
                if !covers_needs.is_empty() {
                    reasons.push(format!(
                        "offers {}, which the initiative still needs",
                        covers_needs.iter().map(code).collect::<Vec<_>>().join(", ")
                    ));
                }
                if let Some(sector) = adds_sector {
                    reasons.push(format!(
                        "adds the {} sector, missing among the active partners",
                        code(&sector)
                    ));
                }
                if !shared_countries.is_empty() {
                    reasons.push(format!("works in {}", shared_countries.join(", ")));
                }
                if !shared_action_lines.is_empty() {
                    reasons.push(format!(
                        "works on action line(s) {}",
                        shared_action_lines.join(", ")
                    ));
                }
                Some(Suggestion {
                    organization: org.into(),
                    score,
                    covers_needs,
                    adds_sector,
                    shared_countries,
                    shared_action_lines,
                    reasons,
                })
            })
            .collect();
        suggestions.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| {
                a.organization
                    .name
                    .to_lowercase()
                    .cmp(&b.organization.name.to_lowercase())
            })
        });
        suggestions.truncate(usize::try_from(limit).unwrap_or(10));
        Ok(suggestions)
    }
}
