//! Links between initiatives that are one partnership.
//!
//! A tenant proposes a link from one of its initiatives to another it can read (its own, or
//! another tenant's public one). Within a tenant the proposal is the confirmation; across
//! tenants the link is `confirmed` once the other tenant confirms it too (it posts the same
//! pair from its side, its initiative first; it may name the proposer's initiative even when
//! that one is private, as the proposal named it). Either side may reject a link (`DELETE`): it is kept as
//! `rejected`, so the pair is no longer an open candidate, and proposing it again starts over.
//! Confirmed links make linked groups (connected components), counted once by the showcase and
//! collapsed by `collapse=linked` to the group's oldest initiative (the lowest id: ids are
//! UUIDv7); coverage, the dashboard and the analytics count each group once as that record
//! ([`counted_once`]).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use entity::duplicate_link;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Registry, Role,
    error::{ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta, snapshot},
    initiatives::access,
    precondition::{Precondition, expect_version},
    tenancy::Coverage,
    validation::Checks,
};

pub const PROPOSED: &str = "proposed";
pub const CONFIRMED: &str = "confirmed";
pub const REJECTED: &str = "rejected";

/// Where a link stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// One tenant said the two are one partnership; the other has not yet.
    Proposed,
    /// Both sides (or the one tenant owning both) said so.
    Confirmed,
    /// A side said they are not.
    Rejected,
}

/// A link between two initiatives.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DuplicateLink {
    pub id: Uuid,
    /// The proposing tenant and its initiative.
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    /// The other side (the same tenant for a link within a tenant).
    pub other_tenant_id: Uuid,
    pub other_initiative_id: Uuid,
    pub confirmed_by_tenant: bool,
    pub confirmed_by_other: bool,
    pub status: LinkStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A proposal (or confirmation) that two initiatives are one partnership.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "initiative_id": "0193a1b2-0000-7000-8000-000000000001",
    "other_initiative_id": "0193a1b2-0000-7000-8000-000000000002"
}))]
pub struct NewDuplicateLink {
    /// One of the caller's tenant's initiatives.
    pub initiative_id: Uuid,
    /// The initiative it duplicates: the caller's own, or another tenant's public one.
    pub other_initiative_id: Uuid,
}

fn view(row: duplicate_link::Model) -> DuplicateLink {
    DuplicateLink {
        status: match row.status.as_str() {
            CONFIRMED => LinkStatus::Confirmed,
            REJECTED => LinkStatus::Rejected,
            _ => LinkStatus::Proposed,
        },
        id: row.id,
        tenant_id: row.tenant_id,
        initiative_id: row.initiative_id,
        other_tenant_id: row.other_tenant_id,
        other_initiative_id: row.other_initiative_id,
        confirmed_by_tenant: row.confirmed_by_tenant,
        confirmed_by_other: row.confirmed_by_other,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn of_pair(a: Uuid, b: Uuid) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(duplicate_link::Column::InitiativeId.eq(a))
                .add(duplicate_link::Column::OtherInitiativeId.eq(b)),
        )
        .add(
            Condition::all()
                .add(duplicate_link::Column::InitiativeId.eq(b))
                .add(duplicate_link::Column::OtherInitiativeId.eq(a)),
        )
}

fn of_tenant(tenant: Uuid) -> Condition {
    Condition::any()
        .add(duplicate_link::Column::TenantId.eq(tenant))
        .add(duplicate_link::Column::OtherTenantId.eq(tenant))
}

/// The pairs that are no longer open candidates for the tenant of `coverage`: the confirmed
/// and rejected links it is a side of (none for an anonymous caller).
pub async fn closed_pairs<C: ConnectionTrait>(
    db: &C,
    coverage: Coverage,
) -> ServiceResult<HashSet<(Uuid, Uuid)>> {
    let Some(tenant) = coverage.tenant() else {
        return Ok(HashSet::new());
    };
    let rows: Vec<(Uuid, Uuid)> = duplicate_link::Entity::find()
        .select_only()
        .column(duplicate_link::Column::InitiativeId)
        .column(duplicate_link::Column::OtherInitiativeId)
        .filter(of_tenant(tenant))
        .filter(duplicate_link::Column::Status.is_in([CONFIRMED, REJECTED]))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(a, b)| super::pair_key(a, b))
        .collect())
}

/// Every initiative in a linked group mapped to its group's representative (the lowest id),
/// from the confirmed links among `ids` (links to initiatives outside `ids` do not join).
pub async fn representatives<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<BTreeMap<Uuid, Uuid>> {
    let mut parent: BTreeMap<Uuid, Uuid> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(parent);
    }
    let wanted: HashSet<Uuid> = ids.iter().copied().collect();
    let mut edges: Vec<(Uuid, Uuid)> = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(Uuid, Uuid)> = duplicate_link::Entity::find()
            .select_only()
            .column(duplicate_link::Column::InitiativeId)
            .column(duplicate_link::Column::OtherInitiativeId)
            .filter(duplicate_link::Column::Status.eq(CONFIRMED))
            .filter(duplicate_link::Column::InitiativeId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        edges.extend(rows.into_iter().filter(|(_, b)| wanted.contains(b)));
    }
    fn find(parent: &mut BTreeMap<Uuid, Uuid>, x: Uuid) -> Uuid {
        let mut root = x;
        while let Some(&p) = parent.get(&root) {
            if p == root {
                break;
            }
            root = p;
        }
        parent.insert(x, root);
        root
    }
    for (a, b) in edges {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        let (low, high) = if ra <= rb { (ra, rb) } else { (rb, ra) };
        parent.insert(high, low);
        parent.entry(low).or_insert(low);
    }
    let keys: Vec<Uuid> = parent.keys().copied().collect();
    for k in keys {
        find(&mut parent, k);
    }
    Ok(parent)
}

/// The condition of `collapse=linked` on a select of initiatives: not confirmed-linked to an
/// older initiative (a lower id) that `coverage` covers.
pub fn not_collapsed(coverage: Coverage) -> Condition {
    not_represented(
        entity::initiative::Column::Id,
        coverage.condition::<entity::initiative::Entity>(),
    )
}

/// The initiatives of `set` (a condition on `initiative`) counted once per linked group: those
/// of `set` that `collapse=linked` over `set` keeps. Every count of initiatives across records
/// (the dashboard, coverage, the analytics) selects through it, so each group counts as its
/// oldest record of `set`, with that record's stage, kind, countries and partners.
pub fn counted_once(set: Condition) -> Condition {
    Condition::all()
        .add(set.clone())
        .add(not_represented(entity::initiative::Column::Id, set))
}

/// The condition that the initiative id in `column` (of `initiative` or of a table that names
/// one) is not confirmed-linked to an older initiative (a lower id) of `set`: the one rule
/// behind [`not_collapsed`] and [`counted_once`].
pub fn not_represented(column: impl ColumnTrait, set: Condition) -> Condition {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let in_set = || {
        Query::select()
            .column(entity::initiative::Column::Id)
            .from(entity::initiative::Entity)
            .cond_where(set.clone())
            .to_owned()
    };
    let linked_to_older = |me: duplicate_link::Column, them: duplicate_link::Column| {
        Query::select()
            .column(me)
            .from(duplicate_link::Entity)
            .and_where(duplicate_link::Column::Status.eq(CONFIRMED))
            .and_where(Expr::col(them).lt(Expr::col(me)))
            .and_where(them.in_subquery(in_set()))
            .to_owned()
    };
    Condition::all()
        .add(column.not_in_subquery(linked_to_older(
            duplicate_link::Column::InitiativeId,
            duplicate_link::Column::OtherInitiativeId,
        )))
        .add(column.not_in_subquery(linked_to_older(
            duplicate_link::Column::OtherInitiativeId,
            duplicate_link::Column::InitiativeId,
        )))
}

impl Registry {
    /// Proposes that two initiatives are one partnership, or confirms another tenant's
    /// proposal of the same pair (editors and above of the tenant owning `initiative_id`).
    /// Answers the link and whether it was created.
    pub async fn link_duplicates(
        &self,
        caller: &Caller,
        input: NewDuplicateLink,
        meta: &WriteMeta,
    ) -> ServiceResult<(DuplicateLink, bool)> {
        let uow = self.unit_of_work().await?;
        let (own, principal) = access::writable(&uow, caller, input.initiative_id).await?;
        let principal = principal.clone();
        let existing = duplicate_link::Entity::find()
            .filter(of_pair(own.id, input.other_initiative_id))
            .one(&uow)
            .await?;
        // The other side of a proposal made to the caller's tenant may be confirmed even when
        // the caller cannot read it (the proposer's private record): the proposal named it.
        let proposed_to_us = existing
            .as_ref()
            .is_some_and(|l| l.tenant_id != principal.tenant_id);
        let (other_id, other_tenant) =
            match access::readable(&uow, caller, input.other_initiative_id).await {
                Ok(row) => (row.id, row.tenant_id),
                Err(ServiceError::NotFound { .. }) if proposed_to_us => (
                    input.other_initiative_id,
                    existing
                        .as_ref()
                        .map_or(principal.tenant_id, |l| l.tenant_id),
                ),
                Err(e) => return Err(e),
            };
        let mut checks = Checks::new();
        if own.id == other_id {
            checks.push(
                "other_initiative_id",
                "same_initiative",
                "an initiative cannot duplicate itself",
            );
        }
        checks.finish()?;
        let now = Utc::now();
        let within = own.tenant_id == other_tenant;
        let (before, saved, created) = match existing {
            None => {
                let row = duplicate_link::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(principal.tenant_id),
                    initiative_id: Set(own.id),
                    other_tenant_id: Set(other_tenant),
                    other_initiative_id: Set(other_id),
                    confirmed_by_tenant: Set(true),
                    confirmed_by_other: Set(within),
                    status: Set(if within { CONFIRMED } else { PROPOSED }.to_owned()),
                    created_by: Set(Some(principal.subject)),
                    updated_by: Set(Some(principal.subject)),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&uow)
                .await?;
                (None, row, true)
            }
            Some(row) => {
                let before = view(row.clone());
                let mine_is_tenant_side = row.tenant_id == principal.tenant_id;
                let restart = row.status == REJECTED;
                let (mut by_tenant, mut by_other) = if restart {
                    (false, false)
                } else {
                    (row.confirmed_by_tenant, row.confirmed_by_other)
                };
                if within {
                    (by_tenant, by_other) = (true, true);
                } else if mine_is_tenant_side {
                    by_tenant = true;
                } else {
                    by_other = true;
                }
                let status = if by_tenant && by_other {
                    CONFIRMED
                } else {
                    PROPOSED
                };
                let version = row.version + 1;
                let mut active: duplicate_link::ActiveModel = row.into();
                active.confirmed_by_tenant = Set(by_tenant);
                active.confirmed_by_other = Set(by_other);
                active.status = Set(status.to_owned());
                active.updated_by = Set(Some(principal.subject));
                active.version = Set(version);
                active.updated_at = Set(now);
                (Some(before), active.update(&uow).await?, false)
            }
        };
        let link = view(saved);
        uow.changed(Change {
            tenant_id: principal.tenant_id,
            initiative_id: own.id,
            entity_type: EntityKind::DuplicateLink,
            entity_id: link.id,
            operation: if created {
                Operation::Create
            } else {
                Operation::Update
            },
            actor: Some(principal.subject),
            meta,
            before: before.as_ref().and_then(snapshot),
            after: snapshot(&link),
        })
        .await?;
        uow.commit().await?;
        tracing::info!(link = %link.id, status = ?link.status, "duplicate link written");
        Ok((link, created))
    }

    /// One link, for a member of either side (else `NotFound`, as for a missing one).
    pub async fn get_duplicate_link(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> ServiceResult<DuplicateLink> {
        let principal = caller.require(Role::Viewer)?;
        duplicate_link::Entity::find_by_id(id)
            .filter(of_tenant(principal.tenant_id))
            .one(self.db())
            .await?
            .map(view)
            .ok_or(ServiceError::NotFound {
                entity: "duplicate link",
            })
    }

    /// Rejects a link (editors and above of either side), provided `expected` is current: the
    /// pair stops being an open candidate and no longer counts as one partnership.
    pub async fn reject_duplicate_link(
        &self,
        caller: &Caller,
        id: Uuid,
        expected: Precondition,
        meta: &WriteMeta,
    ) -> ServiceResult<DuplicateLink> {
        let principal = caller.require(Role::Viewer)?.clone();
        let uow = self.unit_of_work().await?;
        let row = duplicate_link::Entity::find_by_id(id)
            .filter(of_tenant(principal.tenant_id))
            .one(&uow)
            .await?
            .ok_or(ServiceError::NotFound {
                entity: "duplicate link",
            })?;
        caller.require(Role::Editor)?;
        expect_version(expected, row.version)?;
        let before = view(row.clone());
        let own_side = if row.tenant_id == principal.tenant_id {
            row.initiative_id
        } else {
            row.other_initiative_id
        };
        let version = row.version + 1;
        let mut active: duplicate_link::ActiveModel = row.into();
        active.status = Set(REJECTED.to_owned());
        active.confirmed_by_tenant = Set(false);
        active.confirmed_by_other = Set(false);
        active.updated_by = Set(Some(principal.subject));
        active.version = Set(version);
        active.updated_at = Set(Utc::now());
        let link = view(active.update(&uow).await?);
        uow.changed(Change {
            tenant_id: principal.tenant_id,
            initiative_id: own_side,
            entity_type: EntityKind::DuplicateLink,
            entity_id: link.id,
            operation: Operation::Update,
            actor: Some(principal.subject),
            meta,
            before: snapshot(&before),
            after: snapshot(&link),
        })
        .await?;
        uow.commit().await?;
        Ok(link)
    }
}
