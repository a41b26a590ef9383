//! Partners of an initiative: which organisations take part, in what roles, what they gain,
//! and their interest in and influence over the issue (for stakeholder mapping). An
//! organisation appears once per initiative.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agreement, contribution,
    enums::{Gain, PartnerRole, PartnerStatus, Sector, Visibility},
    initiative, initiative_partner, organization,
};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    Select, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    EntityKind, Principal,
    children::{ChildResource, child_table},
    codes::dedup,
    error::{ServiceError, ServiceResult},
    validation::{Checks, double_option},
};

/// The organisation behind a partner, in brief.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrganizationRef {
    pub id: Uuid,
    pub name: String,
    pub acronym: Option<String>,
    pub sector: Sector,
    pub country: Option<String>,
}

/// A partner of an initiative.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Partner {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub organization: OrganizationRef,
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

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d",
    "roles": ["implementer"],
    "status": "active",
    "gains": ["profit", "visibility"],
    "interest": 4,
    "influence": 5,
    "joined_on": "2005-01-15"
}))]
pub struct NewPartner {
    /// An organisation of the caller's tenant, or a public one of another tenant.
    pub organization_id: Uuid,
    /// At least one.
    #[schema(min_items = 1)]
    pub roles: Vec<PartnerRole>,
    /// Defaults to `active`.
    #[serde(default)]
    pub status: Option<PartnerStatus>,
    #[serde(default)]
    pub gains: Vec<Gain>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub interest: Option<u8>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub influence: Option<u8>,
    #[serde(default)]
    pub joined_on: Option<NaiveDate>,
    #[serde(default)]
    pub left_on: Option<NaiveDate>,
}

/// A PATCH of a partner: absent fields stay; `null` clears; lists replace.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerPatch {
    /// At least one, when given.
    #[serde(default)]
    #[schema(min_items = 1)]
    pub roles: Option<Vec<PartnerRole>>,
    #[serde(default)]
    pub status: Option<PartnerStatus>,
    #[serde(default)]
    pub gains: Option<Vec<Gain>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 5)]
    pub interest: Option<Option<u8>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 5)]
    pub influence: Option<Option<u8>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub joined_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub left_on: Option<Option<NaiveDate>>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    pub status: Option<PartnerStatus>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The IATI organisation role code of a partner role.
pub fn iati_role(role: PartnerRole) -> u8 {
    match role {
        PartnerRole::Funder => 1,
        PartnerRole::Lead | PartnerRole::CoLead => 2,
        PartnerRole::Coordinator => 3,
        PartnerRole::Implementer
        | PartnerRole::TechnicalPartner
        | PartnerRole::BeneficiaryRepresentative => 4,
    }
}

struct Fields {
    /// `None`: the stored roles, unchanged by a patch that does not name them.
    roles: Option<Vec<PartnerRole>>,
    status: PartnerStatus,
    gains: Vec<Gain>,
    interest: Option<u8>,
    influence: Option<u8>,
    joined_on: Option<NaiveDate>,
    left_on: Option<NaiveDate>,
}

fn check(f: Fields) -> ServiceResult<Fields> {
    let mut c = Checks::new();
    if f.roles.as_ref().is_some_and(Vec::is_empty) {
        c.push(
            "roles",
            "required",
            "a partner takes at least one role (lead, co_lead, funder, implementer, coordinator, technical_partner, beneficiary_representative)",
        );
    }
    for (field, value) in [("interest", f.interest), ("influence", f.influence)] {
        if value.is_some_and(|v| !(1..=5).contains(&v)) {
            c.push(field, "out_of_range", "must be from 1 (low) to 5 (high)");
        }
    }
    c.date("joined_on", f.joined_on);
    c.date("left_on", f.left_on);
    if let (Some(joined), Some(left)) = (f.joined_on, f.left_on)
        && left < joined
    {
        c.push("left_on", "before_joined", "must not be before joined_on");
    }
    c.finish()?;
    Ok(Fields {
        roles: f.roles.as_deref().map(dedup),
        gains: dedup(&f.gains),
        ..f
    })
}

pub(crate) fn to_view(p: initiative_partner::Model, org: organization::Model) -> Partner {
    let roles: Vec<PartnerRole> = serde_json::from_str(&p.roles).unwrap_or_default();
    let mut iati_roles: Vec<u8> = roles.iter().map(|r| iati_role(*r)).collect();
    iati_roles.sort_unstable();
    iati_roles.dedup();
    Partner {
        id: p.id,
        initiative_id: p.initiative_id,
        organization: OrganizationRef {
            id: org.id,
            name: org.name,
            acronym: org.acronym,
            sector: org.sector,
            country: org.country,
        },
        roles,
        iati_roles,
        status: p.status,
        gains: serde_json::from_str(&p.gains).unwrap_or_default(),
        interest: p.interest.and_then(|v| u8::try_from(v).ok()),
        influence: p.influence.and_then(|v| u8::try_from(v).ok()),
        joined_on: p.joined_on,
        left_on: p.left_on,
        version: p.version,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// The partners of initiatives, as a child resource.
pub struct Partners;

impl ChildResource for Partners {
    child_table!(initiative_partner, view: Partner, query: PartnerQuery);
    type New = NewPartner;
    type Patch = PartnerPatch;

    const KIND: EntityKind = EntityKind::Partner;
    const NAME: &'static str = "partner";

    fn filter(
        select: Select<initiative_partner::Entity>,
        query: &PartnerQuery,
    ) -> ServiceResult<Select<initiative_partner::Entity>> {
        Ok(match query.status {
            Some(status) => select.filter(initiative_partner::Column::Status.eq(status)),
            None => select,
        })
    }

    /// With their organisations, read in one query.
    async fn views<C: ConnectionTrait>(
        db: &C,
        _initiative_id: Uuid,
        rows: Vec<initiative_partner::Model>,
    ) -> ServiceResult<Vec<Partner>> {
        let mut ids: Vec<Uuid> = rows.iter().map(|p| p.organization_id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let orgs: HashMap<Uuid, organization::Model> = organization::Entity::find()
            .filter(organization::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|p| {
                let org = orgs.get(&p.organization_id)?.clone();
                Some(to_view(p, org))
            })
            .collect())
    }

    /// The organisation must be one the caller can see (its own tenant's, or public) and not
    /// yet a partner of the initiative.
    async fn new_row<C: ConnectionTrait>(
        db: &C,
        initiative: &initiative::Model,
        principal: &Principal,
        input: NewPartner,
    ) -> ServiceResult<initiative_partner::ActiveModel> {
        let f = check(Fields {
            roles: Some(input.roles),
            status: input.status.unwrap_or(PartnerStatus::Active),
            gains: input.gains,
            interest: input.interest,
            influence: input.influence,
            joined_on: input.joined_on,
            left_on: input.left_on,
        })?;
        let org = organization::Entity::find_by_id(input.organization_id)
            .one(db)
            .await?
            .filter(|o| o.tenant_id == principal.tenant_id || o.visibility == Visibility::Public)
            .ok_or_else(|| {
                ServiceError::field(
                    "organization_id",
                    "unknown_organization",
                    "no such organization",
                )
            })?;
        let taken = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.eq(initiative.id))
            .filter(initiative_partner::Column::OrganizationId.eq(org.id))
            .count(db)
            .await?;
        if taken > 0 {
            return Err(ServiceError::Conflict(format!(
                "{} is already a partner of this initiative",
                org.name
            )));
        }
        let mut row = row(f);
        row.organization_id = Set(org.id);
        Ok(row)
    }

    async fn patch_row<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        before: &Partner,
        patch: PartnerPatch,
    ) -> ServiceResult<initiative_partner::ActiveModel> {
        Ok(row(check(Fields {
            roles: patch.roles,
            status: patch.status.unwrap_or(before.status),
            gains: patch.gains.unwrap_or_else(|| before.gains.clone()),
            interest: patch.interest.unwrap_or(before.interest),
            influence: patch.influence.unwrap_or(before.influence),
            joined_on: patch.joined_on.unwrap_or(before.joined_on),
            left_on: patch.left_on.unwrap_or(before.left_on),
        })?))
    }

    /// Refused (409) while contributions name the partner as their contributor or agreements
    /// name it as a party.
    async fn before_delete<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        id: Uuid,
    ) -> ServiceResult<()> {
        let contributions = contribution::Entity::find()
            .filter(contribution::Column::PartnerId.eq(id))
            .count(db)
            .await?;
        if contributions > 0 {
            return Err(ServiceError::Conflict(format!(
                "this partner made {contributions} recorded contribution(s): delete them first, or mark the partner former"
            )));
        }
        // Agreements keep their parties as a list of partner ids: look for this one.
        let named_in = agreement::Entity::find()
            .filter(agreement::Column::InitiativeId.eq(initiative_id))
            .all(db)
            .await?
            .into_iter()
            .filter(|a| {
                serde_json::from_str::<Vec<Uuid>>(&a.parties)
                    .map(|parties| parties.contains(&id))
                    .unwrap_or(false)
            })
            .count();
        if named_in > 0 {
            return Err(ServiceError::Conflict(format!(
                "this partner is a party to {named_in} agreement(s): change them first, or mark the partner former"
            )));
        }
        Ok(())
    }
}

/// The columns of a partner's checked fields.
fn row(f: Fields) -> initiative_partner::ActiveModel {
    initiative_partner::ActiveModel {
        roles: f.roles.map_or(NotSet, |roles| Set(json(&roles))),
        status: Set(f.status),
        gains: Set(json(&f.gains)),
        interest: Set(f.interest.map(i16::from)),
        influence: Set(f.influence.map(i16::from)),
        joined_on: Set(f.joined_on),
        left_on: Set(f.left_on),
        ..Default::default()
    }
}
