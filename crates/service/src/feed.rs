//! The change feed: every create, update and delete of initiatives, their children and
//! organisations, in commit order, for portals that mirror the registry.
//!
//! Ordering: on PostgreSQL each writer takes a transaction-scoped advisory lock just before it
//! appends its event, as its last step before committing, so sequence numbers are handed out in
//! commit order and a follower reading `seq > cursor` can never skip an event that commits
//! later with a smaller number. SQLite serialises writers already (`BEGIN IMMEDIATE`).

use chrono::{DateTime, Utc};
use entity::{change_event, enums::Role};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Registry,
    error::{ServiceError, ServiceResult},
    history::Operation,
};

/// The advisory lock key of the feed ("MSPFEED" in ASCII).
/// The most events one read of the feed returns (`limit`, 100 by default).
pub const MAX_LIMIT: u64 = 1000;

const FEED_LOCK: i64 = 0x004d_5350_4645_4544;

/// What one write appends.
pub(crate) struct Event {
    pub tenant_id: Uuid,
    pub entity_type: EntityKind,
    pub entity_id: Uuid,
    pub initiative_id: Option<Uuid>,
    pub operation: Operation,
    pub version: Option<i32>,
    pub public_before: bool,
    pub public_after: bool,
}

/// Appends events of one tenant, in order, with one multi-row insert per chunk, and their
/// webhook deliveries (the outbox, in the same transaction: a rollback sends nothing, a commit
/// cannot lose an event). Called by the write pipeline (`write::steps::record`) as a write's
/// last step before its refresh and commit.
pub(crate) async fn append_many<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    events: &[Event],
) -> ServiceResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    lock(db).await?;
    let at = Utc::now();
    // 9 columns a row: well under both engines' limits on bound values.
    for chunk in events.chunks(1000) {
        let mut seqs = change_event::Entity::insert_many(chunk.iter().map(|e| event_row(e, at)))
            .exec_with_returning_keys(db)
            .await?;
        // One statement numbers its rows in order; RETURNING's own order is not promised.
        seqs.sort_unstable();
        if seqs.len() != chunk.len() {
            return Err(ServiceError::Internal(format!(
                "the change feed returned {} keys for {} events",
                seqs.len(),
                chunk.len()
            )));
        }
        let numbered: Vec<(i64, &Event)> = seqs.into_iter().zip(chunk.iter()).collect();
        crate::webhooks::outbox::enqueue_many(db, tenant_id, &numbered, at).await?;
    }
    Ok(())
}

/// On PostgreSQL, the transaction-scoped lock that hands out sequence numbers in commit order.
async fn lock<C: ConnectionTrait>(db: &C) -> ServiceResult<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({FEED_LOCK})"))
            .await?;
    }
    Ok(())
}

fn event_row(e: &Event, at: DateTime<Utc>) -> change_event::ActiveModel {
    change_event::ActiveModel {
        tenant_id: Set(e.tenant_id),
        entity_type: Set(e.entity_type.as_str().to_owned()),
        entity_id: Set(e.entity_id),
        initiative_id: Set(e.initiative_id),
        operation: Set(e.operation.as_str().to_owned()),
        version: Set(e.version),
        public_before: Set(e.public_before),
        public_after: Set(e.public_after),
        at: Set(at),
        ..Default::default()
    }
}

/// One change, as the feed shows it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangeEntry {
    /// Pass it as `after` to continue from here.
    pub cursor: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    /// The initiative the record belongs to (itself, for initiatives).
    pub initiative_id: Option<Uuid>,
    /// `create`, `update` or `delete`. In the public feed a record that stopped being public
    /// appears as `delete`.
    pub operation: String,
    /// The record's version after the change (none after a delete).
    pub version: Option<i32>,
    pub at: DateTime<Utc>,
    /// Where to read the record now (none after a delete).
    pub href: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeEntry>,
    /// The cursor to pass as `after` next time (unchanged when there was nothing new).
    pub next_cursor: String,
    /// More changes are waiting: ask again at once.
    pub has_more: bool,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// The `next_cursor` of the previous page; absent or `0` starts from the beginning.
    pub after: Option<String>,
    /// How many changes (default 100, at most 1000).
    pub limit: Option<u64>,
}

pub(crate) fn href(
    kind: EntityKind,
    entity_id: Uuid,
    initiative_id: Option<Uuid>,
) -> Option<String> {
    let child = |segment: &str| {
        initiative_id.map(|i| format!("/api/v1/initiatives/{i}/{segment}/{entity_id}"))
    };
    match kind {
        EntityKind::Initiative => Some(format!("/api/v1/initiatives/{entity_id}")),
        EntityKind::Organization => Some(format!("/api/v1/organizations/{entity_id}")),
        EntityKind::Partner => child("partners"),
        EntityKind::Contribution => child("contributions"),
        EntityKind::Agreement => child("agreements"),
        EntityKind::Report => child("reports"),
        EntityKind::Lesson => child("lessons"),
        EntityKind::HealthAssessment => child("health-assessments"),
        EntityKind::ValueAssessment => {
            initiative_id.map(|i| format!("/api/v1/initiatives/{i}/value-assessment"))
        }
        EntityKind::DuplicateLink => Some(format!("/api/v1/duplicates/links/{entity_id}")),
    }
}

/// The position of the newest event of the feed (0 when it is empty).
pub(crate) async fn head<C: sea_orm::ConnectionTrait>(db: &C) -> ServiceResult<i64> {
    let head: Option<Option<i64>> = change_event::Entity::find()
        .select_only()
        .column_as(change_event::Column::Seq.max(), "head")
        .into_tuple()
        .one(db)
        .await?;
    Ok(head.flatten().unwrap_or(0))
}

impl Registry {
    /// The sequence number of the newest committed event of the whole feed (0 when empty).
    /// Every cursor the feed hands out, to any caller, is at most this: events are never
    /// deleted, so a larger cursor was never handed out.
    async fn feed_head(&self) -> ServiceResult<i64> {
        head(self.db()).await
    }

    /// The caller's feed: members follow their tenant's changes; anonymous callers the public
    /// feed of every tenant, where records that stop being public appear as deletions.
    pub async fn changes(&self, caller: &Caller, query: ChangeQuery) -> ServiceResult<ChangePage> {
        let after: i64 = match query.after.as_deref().map(str::trim) {
            None | Some("") => 0,
            Some(c) => c.parse().ok().filter(|n: &i64| *n >= 0).ok_or_else(|| {
                ServiceError::bad_parameter("after", "not a cursor from this feed")
            })?,
        };
        let limit = query.limit.unwrap_or(100);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::bad_parameter(
                "limit",
                "must be between 1 and 1000",
            ));
        }
        if after > 0 {
            let head = self.feed_head().await?;
            if after > head {
                return Err(ServiceError::CursorAhead {
                    cursor: after,
                    head,
                });
            }
        }
        let mut select = change_event::Entity::find().filter(change_event::Column::Seq.gt(after));
        let public = match caller.principal() {
            Some(p) => {
                caller.require(Role::Viewer)?;
                select = select.filter(crate::tenancy::own::<change_event::Entity>(p.tenant_id));
                false
            }
            None => {
                select = select.filter(
                    Condition::any()
                        .add(change_event::Column::PublicAfter.eq(true))
                        .add(change_event::Column::PublicBefore.eq(true)),
                );
                true
            }
        };
        let rows = select
            .order_by_asc(change_event::Column::Seq)
            .limit(limit + 1)
            .all(self.db())
            .await?;
        let has_more = rows.len() as u64 > limit;
        let rows: Vec<change_event::Model> = rows
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(100))
            .collect();
        let next_cursor = rows.last().map_or(after, |r| r.seq).to_string();
        let items = rows
            .into_iter()
            .map(|r| {
                let removed = public && !r.public_after;
                let operation = if removed {
                    "delete".to_owned()
                } else {
                    r.operation
                };
                let gone = operation == "delete";
                ChangeEntry {
                    cursor: r.seq.to_string(),
                    href: if gone {
                        None
                    } else {
                        EntityKind::parse(&r.entity_type)
                            .and_then(|kind| href(kind, r.entity_id, r.initiative_id))
                    },
                    version: if gone { None } else { r.version },
                    entity_type: r.entity_type,
                    entity_id: r.entity_id,
                    initiative_id: r.initiative_id,
                    operation,
                    at: r.at,
                }
            })
            .collect();
        Ok(ChangePage {
            items,
            next_cursor,
            has_more,
        })
    }
}
