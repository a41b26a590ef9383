//! The write pipeline: every write of the registry is one [`UnitOfWork`].
//!
//! ```text
//! let uow = registry.unit_of_work().await?;        // the transaction (BEGIN IMMEDIATE on SQLite)
//! access::writable(&uow, caller, id).await?;       // the steps: access, precondition, checks,
//! precondition::expect_version(expected, v)?;      // the change itself, run on `&uow` as the
//! ... insert / update / delete on &uow ...         // connection,
//! uow.changed(Change { .. }).await?;                // each reporting what it changed
//! uow.commit().await?;                             // then, here and in this order: history,
//!                                                   // idempotency, feed + outbox, refresh, COMMIT
//! ```
//!
//! The steps never write history, feed events, idempotency bindings or derived state
//! themselves: they report each change ([`UnitOfWork::changed`], [`child_changed`] for a child
//! record of an initiative, [`UnitOfWork::organization_changed`]) and [`UnitOfWork::commit`]
//! writes them in one fixed order ([`steps`]). A unit of work dropped without `commit` (a step
//! failed) rolls back with everything it reported: nothing of a refused write is kept.
//!
//! The dependency runs one way: `write` calls `history`, `idempotency`, `feed` (which writes
//! the webhook outbox) and the initiatives' derived state; none of them calls back.

mod connection;
pub(crate) mod steps;

use std::{collections::BTreeSet, sync::Mutex};

use entity::{enums::Visibility, initiative};
use sea_orm::{DatabaseTransaction, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    EntityKind, Registry,
    error::ServiceResult,
    feed,
    history::{self, Change, Operation},
    idempotency::IdempotencyClaim,
    search::DocKind,
};

/// One write: its transaction, and what its steps reported they changed.
///
/// It is the connection its steps run on (it implements `ConnectionTrait` by running every
/// statement in its transaction), so a step reads and writes through `&uow` exactly as through
/// a transaction, and the records it reports are written by `commit` in that same transaction.
pub struct UnitOfWork {
    txn: DatabaseTransaction,
    ledger: Mutex<Ledger>,
    registry: Registry,
}

/// What the steps reported, not yet written.
#[derive(Default)]
struct Ledger {
    records: Vec<Record>,
    /// Every initiative a change touched (its own change, or a child's), for the refresh.
    touched: BTreeSet<Uuid>,
    /// The searchable records the changes touched, refreshed in the index after the commit.
    searched: BTreeSet<(DocKind, Uuid)>,
}

/// One reported change, as the pipeline writes it.
pub(crate) struct Record {
    /// The history row (none for organisations, which have no revision history).
    pub revision: Option<entity::revision::ActiveModel>,
    /// The `Idempotency-Key` claim a create binds to the new record.
    pub binding: Option<(IdempotencyClaim, EntityKind, Uuid)>,
    /// The change-feed event (and, through it, the webhook deliveries).
    pub event: feed::Event,
}

/// An organisation write, reported to the unit of work (organisations have no history; their
/// feed event says whether the organisation was and is public).
pub(crate) struct OrganizationChange<'a> {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub operation: Operation,
    /// The stored version after the change (none after a delete).
    pub version: Option<i32>,
    pub public_before: bool,
    pub public_after: bool,
    pub meta: &'a history::WriteMeta,
}

impl Registry {
    /// Opens a unit of work: the transaction of one write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`, see [`Registry::begin_write`]).
    pub async fn unit_of_work(&self) -> ServiceResult<UnitOfWork> {
        Ok(UnitOfWork {
            txn: self.begin_write().await?,
            ledger: Mutex::new(Ledger::default()),
            registry: self.clone(),
        })
    }
}

impl UnitOfWork {
    /// The transaction, for a step that takes one by type. Statements run on it are part of the
    /// write as those run on the unit of work itself.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Reports a change of an initiative or one of its children. Its history row and feed event
    /// are made now, from the snapshots and from whether the initiative is public at this point
    /// of the write; they are written by `commit`.
    pub(crate) async fn changed(&self, change: Change<'_>) -> ServiceResult<()> {
        let (public_before, public_after) = self.publicity(&change).await?;
        let version = change
            .after
            .as_ref()
            .and_then(|v| v["version"].as_i64())
            .and_then(|v| i32::try_from(v).ok());
        let record = Record {
            revision: Some(history::revision_row(&change)),
            binding: binding(&change.meta.idempotency, change.operation)
                .map(|claim| (claim, change.entity_type, change.entity_id)),
            event: feed::Event {
                tenant_id: change.tenant_id,
                entity_type: change.entity_type,
                entity_id: change.entity_id,
                initiative_id: Some(change.initiative_id),
                operation: change.operation,
                version,
                public_before,
                public_after,
            },
        };
        self.push(record, Some(change.initiative_id));
        Ok(())
    }

    /// Reports an organisation write. Organisations belong to no initiative; the initiatives
    /// they are partners of are touched with [`UnitOfWork::touch`] by the step that knows them.
    pub(crate) fn organization_changed(&self, change: OrganizationChange<'_>) {
        let record = Record {
            revision: None,
            binding: binding(&change.meta.idempotency, change.operation)
                .map(|claim| (claim, EntityKind::Organization, change.id)),
            event: feed::Event {
                tenant_id: change.tenant_id,
                entity_type: EntityKind::Organization,
                entity_id: change.id,
                initiative_id: None,
                operation: change.operation,
                version: change.version,
                public_before: change.public_before,
                public_after: change.public_after,
            },
        };
        self.push(record, None);
    }

    /// Marks initiatives whose derived state the write may have changed without a change of
    /// their own (the initiatives an organisation is a partner of, when it changes).
    pub(crate) fn touch(&self, initiative_ids: impl IntoIterator<Item = Uuid>) {
        self.ledger().touched.extend(initiative_ids);
    }

    /// Writes what was reported so far (history, idempotency, feed and outbox, in that order)
    /// and keeps the unit of work open. Only for writes that report very many changes (the
    /// bulk import, a chunk at a time), so that memory follows the chunk, not the file; the
    /// refresh of the touched initiatives still runs once, in `commit`.
    pub(crate) async fn flush(&self) -> ServiceResult<()> {
        let records = std::mem::take(&mut self.ledger().records);
        steps::record(&self.txn, records).await
    }

    /// Ends the write: records its history, binds the idempotency key of what it created,
    /// appends its change-feed events with their webhook deliveries, refreshes the derived
    /// state of every initiative it touched, and commits. A failure of any step rolls the whole
    /// write back.
    ///
    /// After the commit, the search index reads again what the write touched, before this
    /// returns: the writer's next search sees its write. The write stands if that fails (the
    /// index then catches up through the change feed, as other processes do).
    pub async fn commit(self) -> ServiceResult<()> {
        let UnitOfWork {
            txn,
            ledger,
            registry,
        } = self;
        let Ledger {
            records,
            touched,
            mut searched,
        } = ledger
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        steps::record(&txn, records).await?;
        steps::refresh_initiatives(&txn, &touched).await?;
        txn.commit().await?;
        searched.extend(touched.into_iter().map(|id| (DocKind::Initiative, id)));
        if let Err(e) = registry.search().refresh(registry.db(), searched).await {
            tracing::warn!(error = %e, "search index: cannot refresh after a write; the change feed will bring it");
        }
        Ok(())
    }

    /// Ends the write without keeping anything (a dry run): what the steps changed and
    /// reported is discarded. Dropping a unit of work does the same.
    pub async fn rollback(self) -> ServiceResult<()> {
        self.txn.rollback().await?;
        Ok(())
    }

    fn push(&self, record: Record, initiative_id: Option<Uuid>) {
        let mut ledger = self.ledger();
        let searched = match record.event.entity_type {
            EntityKind::Initiative => Some(DocKind::Initiative),
            EntityKind::Lesson => Some(DocKind::Lesson),
            EntityKind::Organization => Some(DocKind::Organization),
            _ => None,
        };
        if let Some(kind) = searched {
            ledger.searched.insert((kind, record.event.entity_id));
        }
        ledger.records.push(record);
        ledger.touched.extend(initiative_id);
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // Held only to push or take, never across an await: a poisoned lock still holds a
        // consistent ledger.
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the change's record was and is public: an initiative's own snapshots say so; a
    /// child (or a partial snapshot) is as public as its initiative is now.
    async fn publicity(&self, change: &Change<'_>) -> ServiceResult<(bool, bool)> {
        let public = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|v| v.get("visibility"))
                .map(|vis| vis == "public")
        };
        match (public(&change.before), public(&change.after)) {
            (before, after)
                if change.entity_type == EntityKind::Initiative
                    && (before.is_some() || after.is_some()) =>
            {
                Ok((before.unwrap_or(false), after.unwrap_or(false)))
            }
            _ => {
                let visible = initiative::Entity::find_by_id(change.initiative_id)
                    .one(&self.txn)
                    .await?
                    .is_some_and(|i| i.visibility == Visibility::Public);
                Ok((visible, visible))
            }
        }
    }
}

/// The claim a change binds: a create's, when the request carried one.
fn binding(claim: &Option<IdempotencyClaim>, operation: Operation) -> Option<IdempotencyClaim> {
    claim.filter(|_| operation == Operation::Create)
}

/// Reports a change of a child record of an initiative (partner, contribution, agreement,
/// report, lesson, value assessment, the initiative's levers and needs): raises the
/// initiative's version, so its ETag changes with what it shows, then reports the change. The
/// one entry point of every child write.
pub(crate) async fn child_changed(uow: &UnitOfWork, change: Change<'_>) -> ServiceResult<()> {
    if let Some(actor) = change.actor {
        crate::initiatives::access::touch(uow, change.initiative_id, actor).await?;
    }
    uow.changed(change).await
}
