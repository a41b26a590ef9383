//! The steps every write ends with, in the one order [`super::UnitOfWork::commit`] runs them:
//! [`record`] (history rows, then idempotency bindings, then feed events with their webhook
//! deliveries), then [`refresh_initiatives`].

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::Record;
use crate::{error::ServiceResult, feed, history, idempotency, initiatives};

/// Writes the reported changes, in the order they were reported: their history rows, the
/// idempotency bindings of the records they created, then their change-feed events and webhook
/// deliveries (last: on PostgreSQL the feed's lock is held from here to the commit).
pub(crate) async fn record<C: ConnectionTrait>(db: &C, records: Vec<Record>) -> ServiceResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let mut revisions = Vec::with_capacity(records.len());
    let mut bindings = Vec::new();
    let mut events = Vec::with_capacity(records.len());
    for r in records {
        revisions.extend(r.revision);
        bindings.extend(r.binding);
        events.push(r.event);
    }
    history::insert(db, revisions).await?;
    for (claim, kind, id) in bindings {
        idempotency::bind(db, claim, kind, id).await?;
    }
    // One append per run of events of one tenant (a unit of work acts for one caller, so in
    // practice there is one run).
    let mut start = 0;
    while start < events.len() {
        let tenant_id = events[start].tenant_id;
        let end = events[start..]
            .iter()
            .position(|e| e.tenant_id != tenant_id)
            .map_or(events.len(), |n| start + n);
        feed::append_many(db, tenant_id, &events[start..end]).await?;
        start = end;
    }
    Ok(())
}

/// Brings the derived state of every initiative the write touched in step with what it now
/// stores (today: the sort keys copied onto its tag rows). Runs once per write, after the
/// feed, inside the write's transaction; an id whose initiative was deleted is skipped.
pub(crate) async fn refresh_initiatives<C: ConnectionTrait>(
    db: &C,
    touched: &BTreeSet<Uuid>,
) -> ServiceResult<()> {
    if touched.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = touched.iter().copied().collect();
    initiatives::store::sync_tag_keys(db, &ids).await?;
    initiatives::document::refresh(db, &ids).await
}
