//! Partners of an initiative: which organisations take part, in what roles, what they gain,
//! and their interest in and influence over the issue (for stakeholder mapping). An
//! organisation appears once per initiative.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agreement, contribution,
    enums::{Gain, PartnerRole, PartnerStatus, Sector, Visibility},
    initiative_partner, organization,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Registry,
    codes::dedup,
    error::{ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta, snapshot},
    initiatives::access,
    pagination::{Page, PageRequest},
    precondition::Precondition,
    validation::{Checks, double_option},
    write::{self, UnitOfWork},
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
    #[serde(default)]
    pub roles: Vec<PartnerRole>,
    /// Defaults to `active`.
    #[serde(default)]
    pub status: Option<PartnerStatus>,
    #[serde(default)]
    pub gains: Vec<Gain>,
    #[serde(default)]
    pub interest: Option<u8>,
    #[serde(default)]
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
    #[serde(default)]
    pub roles: Option<Vec<PartnerRole>>,
    #[serde(default)]
    pub status: Option<PartnerStatus>,
    #[serde(default)]
    pub gains: Option<Vec<Gain>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u8>)]
    pub interest: Option<Option<u8>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u8>)]
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
    roles: Vec<PartnerRole>,
    status: PartnerStatus,
    gains: Vec<Gain>,
    interest: Option<u8>,
    influence: Option<u8>,
    joined_on: Option<NaiveDate>,
    left_on: Option<NaiveDate>,
}

fn check(f: Fields) -> ServiceResult<Fields> {
    let mut c = Checks::new();
    for (field, value) in [("interest", f.interest), ("influence", f.influence)] {
        if value.is_some_and(|v| !(1..=5).contains(&v)) {
            c.push(field, "out_of_range", "must be from 1 (low) to 5 (high)");
        }
    }
    if let (Some(joined), Some(left)) = (f.joined_on, f.left_on)
        && left < joined
    {
        c.push("left_on", "before_joined", "must not be before joined_on");
    }
    c.finish()?;
    Ok(Fields {
        roles: dedup(&f.roles),
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

async fn find<C: ConnectionTrait>(db: &C, initiative_id: Uuid, id: Uuid) -> ServiceResult<Partner> {
    initiative_partner::Entity::find_by_id(id)
        .filter(crate::tenancy::child_of::<initiative_partner::Entity>(
            initiative_id,
        ))
        .find_also_related(organization::Entity)
        .one(db)
        .await?
        .and_then(|(p, o)| o.map(|o| to_view(p, o)))
        .ok_or(ServiceError::NotFound { entity: "partner" })
}

impl Registry {
    pub async fn list_partners(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        query: PartnerQuery,
    ) -> ServiceResult<Page<Partner>> {
        access::readable(self.db(), caller, initiative_id).await?;
        let request = PageRequest::new(query.page, query.per_page, self.settings())?;
        let mut select = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.eq(initiative_id));
        if let Some(status) = query.status {
            select = select.filter(initiative_partner::Column::Status.eq(status));
        }
        let total = select.clone().count(self.db()).await?;
        let rows = select
            .find_also_related(organization::Entity)
            .order_by_asc(initiative_partner::Column::CreatedAt)
            .order_by_asc(initiative_partner::Column::Id)
            .offset(request.offset())
            .limit(request.per_page)
            .all(self.db())
            .await?;
        let items = rows
            .into_iter()
            .filter_map(|(p, o)| o.map(|o| to_view(p, o)))
            .collect();
        Ok(Page::new(items, request, total))
    }

    pub async fn get_partner(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
    ) -> ServiceResult<Partner> {
        access::readable(self.db(), caller, initiative_id).await?;
        find(self.db(), initiative_id, id).await
    }

    pub async fn add_partner(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        input: NewPartner,
        meta: &WriteMeta,
    ) -> ServiceResult<Partner> {
        let txn = self.unit_of_work().await?;
        let view = self
            .add_partner_in(&txn, caller, initiative_id, input, meta)
            .await?;
        txn.commit().await?;
        Ok(view)
    }

    /// Adds a partner within the transaction `txn` (the bulk import adds many in one).
    pub(crate) async fn add_partner_in(
        &self,
        txn: &UnitOfWork,
        caller: &Caller,
        initiative_id: Uuid,
        input: NewPartner,
        meta: &WriteMeta,
    ) -> ServiceResult<Partner> {
        let (initiative, principal) = access::writable(txn, caller, initiative_id).await?;
        let f = check(Fields {
            roles: input.roles,
            status: input.status.unwrap_or(PartnerStatus::Active),
            gains: input.gains,
            interest: input.interest,
            influence: input.influence,
            joined_on: input.joined_on,
            left_on: input.left_on,
        })?;
        // The organisation must be one the caller can see: its own tenant's, or public.
        let org = organization::Entity::find_by_id(input.organization_id)
            .one(txn)
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
            .filter(initiative_partner::Column::InitiativeId.eq(initiative_id))
            .filter(initiative_partner::Column::OrganizationId.eq(org.id))
            .count(txn)
            .await?;
        if taken > 0 {
            return Err(ServiceError::Conflict(format!(
                "{} is already a partner of this initiative",
                org.name
            )));
        }
        let now = Utc::now();
        let row = initiative_partner::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(initiative.tenant_id),
            initiative_id: Set(initiative_id),
            organization_id: Set(org.id),
            roles: Set(json(&f.roles)),
            status: Set(f.status),
            gains: Set(json(&f.gains)),
            interest: Set(f.interest.map(i16::from)),
            influence: Set(f.influence.map(i16::from)),
            joined_on: Set(f.joined_on),
            left_on: Set(f.left_on),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        let view = to_view(row, org);
        write::child_changed(
            txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Partner,
                entity_id: view.id,
                operation: Operation::Create,
                actor: Some(principal.subject),
                meta,
                before: None,
                after: snapshot(&view),
            },
        )
        .await?;
        Ok(view)
    }

    pub async fn update_partner(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: Precondition,
        patch: PartnerPatch,
        meta: &WriteMeta,
    ) -> ServiceResult<Partner> {
        let txn = self.unit_of_work().await?;
        let after = self
            .update_partner_in(
                &txn,
                caller,
                initiative_id,
                id,
                expected_version,
                patch,
                meta,
            )
            .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Changes a partner within the transaction `txn` (the bulk import changes many in one).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn update_partner_in(
        &self,
        txn: &UnitOfWork,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: Precondition,
        patch: PartnerPatch,
        meta: &WriteMeta,
    ) -> ServiceResult<Partner> {
        let (initiative, principal) = access::writable(txn, caller, initiative_id).await?;
        let before = find(txn, initiative_id, id).await?;
        crate::precondition::expect_version(expected_version, before.version)?;
        let f = check(Fields {
            roles: patch.roles.unwrap_or_else(|| before.roles.clone()),
            status: patch.status.unwrap_or(before.status),
            gains: patch.gains.unwrap_or_else(|| before.gains.clone()),
            interest: patch.interest.unwrap_or(before.interest),
            influence: patch.influence.unwrap_or(before.influence),
            joined_on: patch.joined_on.unwrap_or(before.joined_on),
            left_on: patch.left_on.unwrap_or(before.left_on),
        })?;
        let result = initiative_partner::Entity::update_many()
            .set(initiative_partner::ActiveModel {
                roles: Set(json(&f.roles)),
                status: Set(f.status),
                gains: Set(json(&f.gains)),
                interest: Set(f.interest.map(i16::from)),
                influence: Set(f.influence.map(i16::from)),
                joined_on: Set(f.joined_on),
                left_on: Set(f.left_on),
                version: Set(before.version + 1),
                updated_at: Set(Utc::now()),
                ..Default::default()
            })
            .filter(initiative_partner::Column::Id.eq(id))
            .filter(initiative_partner::Column::Version.eq(before.version))
            .exec(txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: before.version + 1,
            });
        }
        let after = find(txn, initiative_id, id).await?;
        write::child_changed(
            txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Partner,
                entity_id: id,
                operation: Operation::Update,
                actor: Some(principal.subject),
                meta,
                before: snapshot(&before),
                after: snapshot(&after),
            },
        )
        .await?;
        Ok(after)
    }

    /// Removes a partner; refused (409) while contributions name it as their contributor or
    /// agreements name it as a party.
    pub async fn remove_partner(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: Precondition,
        meta: &WriteMeta,
    ) -> ServiceResult<()> {
        let txn = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&txn, caller, initiative_id).await?;
        let before = find(&txn, initiative_id, id).await?;
        crate::precondition::expect_version(expected_version, before.version)?;
        let contributions = contribution::Entity::find()
            .filter(contribution::Column::PartnerId.eq(id))
            .count(&txn)
            .await?;
        if contributions > 0 {
            return Err(ServiceError::Conflict(format!(
                "this partner made {contributions} recorded contribution(s): delete them first, or mark the partner former"
            )));
        }
        // Agreements keep their parties as a list of partner ids: look for this one.
        let named_in = agreement::Entity::find()
            .filter(agreement::Column::InitiativeId.eq(initiative_id))
            .all(&txn)
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
        let result = initiative_partner::Entity::delete_many()
            .filter(initiative_partner::Column::Id.eq(id))
            .filter(initiative_partner::Column::Version.eq(before.version))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: before.version + 1,
            });
        }
        write::child_changed(
            &txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Partner,
                entity_id: id,
                operation: Operation::Delete,
                actor: Some(principal.subject),
                meta,
                before: snapshot(&before),
                after: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
