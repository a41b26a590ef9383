//! The revision history of initiatives and their children: who changed what, when, with
//! field-level before/after and the caller's optional reason. Rows have no foreign key to the
//! initiative, so the history outlives a deletion.

use chrono::{DateTime, Utc};
use entity::{
    enums::{Role, Visibility},
    initiative, revision,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, Registry,
    error::{ServiceError, ServiceResult},
    pagination::{Page, PageParams, PageRequest},
};

/// What a write is, for the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// The caller's words on a write: why it was made. Stored in the history; a journey stage
/// change that skips or goes back needs one.
#[derive(Clone, Debug, Default)]
pub struct WriteMeta {
    pub reason: Option<String>,
    /// The request's claimed `Idempotency-Key`, bound to the record a create makes.
    pub idempotency: Option<crate::idempotency::IdempotencyClaim>,
}

impl WriteMeta {
    pub fn reason(reason: impl Into<String>) -> Self {
        Self {
            reason: Some(reason.into()),
            idempotency: None,
        }
    }

    /// The reason, trimmed; blank counts as none.
    pub fn reason_text(&self) -> Option<&str> {
        self.reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

/// One field's change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    /// The value before (`null` on creation).
    pub before: Value,
    /// The value after (`null` on deletion).
    pub after: Value,
}

/// One recorded write.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RevisionEntry {
    pub id: Uuid,
    /// `initiative`, `partner`, `contribution`, `agreement`, `report` or `lesson`.
    pub entity_type: String,
    pub entity_id: Uuid,
    /// `create`, `update` or `delete`.
    pub operation: String,
    /// The user or API client that made the change.
    pub actor: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// Fields that change on every write and say nothing on their own.
const BOOKKEEPING: &[&str] = &["version", "updated_at", "created_at", "stage_changed_at"];

/// Field-level differences between two JSON objects (absent objects count as empty).
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut fields: Vec<&String> = b.keys().chain(a.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !BOOKKEEPING.contains(&f.as_str()))
        .filter_map(|f| {
            let old = b.get(f).cloned().unwrap_or(Value::Null);
            let new = a.get(f).cloned().unwrap_or(Value::Null);
            (old != new).then(|| FieldChange {
                field: f.clone(),
                before: old,
                after: new,
            })
        })
        .collect()
}

/// What to record about one write.
pub(crate) struct Change<'a> {
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub operation: Operation,
    pub actor: Option<Uuid>,
    pub meta: &'a WriteMeta,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Records a write, inside the caller's transaction, in the history and in the change feed.
/// Call it last, just before committing (the feed's ordering depends on it).
pub(crate) async fn record<C: ConnectionTrait>(db: &C, change: Change<'_>) -> ServiceResult<()> {
    let (row, event) = prepare(db, &change).await?;
    if change.operation == Operation::Create {
        crate::idempotency::bind(db, change.meta, change.entity_type, change.entity_id).await?;
    }
    if change.entity_type == "initiative" && change.operation != Operation::Delete {
        crate::initiatives::store::sync_tag_keys(db, change.entity_id).await?;
    }
    crate::initiatives::document::refresh(db, &[change.initiative_id]).await?;
    row.insert(db).await?;
    crate::feed::append(db, event).await
}

/// Records the creation of many initiatives of one tenant at once (the bulk import): the same
/// history rows and feed events as `record`, in multi-row inserts. The bulk create writes the
/// tags with their sort keys already, so there is nothing to sync.
pub(crate) async fn record_initiative_creates<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    changes: Vec<Change<'_>>,
) -> ServiceResult<()> {
    let mut rows = Vec::with_capacity(changes.len());
    let mut events = Vec::with_capacity(changes.len());
    for change in &changes {
        if change.tenant_id != tenant_id
            || change.entity_type != "initiative"
            || change.operation != Operation::Create
        {
            return Err(ServiceError::Internal(
                "record_initiative_creates takes creates of one tenant's initiatives".into(),
            ));
        }
        let (row, event) = prepare(db, change).await?;
        crate::idempotency::bind(db, change.meta, change.entity_type, change.entity_id).await?;
        rows.push(row);
        events.push(event);
    }
    // 10 columns a row: well under both engines' limits on bound values.
    for chunk in rows.chunks(1000) {
        revision::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let ids: Vec<Uuid> = changes.iter().map(|c| c.initiative_id).collect();
    crate::initiatives::document::refresh(db, &ids).await?;
    crate::feed::append_many(db, tenant_id, &events).await
}

/// The history row and the feed event of one change (reads the initiative only for a child).
async fn prepare<C: ConnectionTrait>(
    db: &C,
    change: &Change<'_>,
) -> ServiceResult<(revision::ActiveModel, crate::feed::Event)> {
    let public = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| v.get("visibility"))
            .map(|vis| vis == "public")
    };
    let (public_before, public_after) = match (public(&change.before), public(&change.after)) {
        // The initiative's own snapshots say whether it was public.
        (before, after)
            if change.entity_type == "initiative" && (before.is_some() || after.is_some()) =>
        {
            (before.unwrap_or(false), after.unwrap_or(false))
        }
        _ => {
            // A child (or a partial snapshot) is as public as its initiative now.
            let visible = initiative::Entity::find_by_id(change.initiative_id)
                .one(db)
                .await?
                .is_some_and(|i| i.visibility == Visibility::Public);
            (visible, visible)
        }
    };
    let version = change
        .after
        .as_ref()
        .and_then(|v| v["version"].as_i64())
        .and_then(|v| i32::try_from(v).ok());
    let event = crate::feed::Event {
        tenant_id: change.tenant_id,
        entity_type: change.entity_type,
        entity_id: change.entity_id,
        initiative_id: Some(change.initiative_id),
        operation: change.operation,
        version,
        public_before,
        public_after,
    };
    let changes = diff(change.before.as_ref(), change.after.as_ref());
    let row = revision::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(change.tenant_id),
        initiative_id: Set(change.initiative_id),
        entity_type: Set(change.entity_type.to_owned()),
        entity_id: Set(change.entity_id),
        operation: Set(change.operation.as_str().to_owned()),
        actor: Set(change.actor),
        at: Set(Utc::now()),
        reason: Set(change.meta.reason_text().map(str::to_owned)),
        changes: Set(serde_json::to_string(&changes).unwrap_or_else(|_| "[]".into())),
    };
    Ok((row, event))
}

/// A value as JSON for the history (a view struct of the record).
pub(crate) fn snapshot<T: Serialize>(value: &T) -> Option<Value> {
    serde_json::to_value(value).ok()
}

impl Registry {
    /// The history of an initiative and its children, newest first. Members of the owning
    /// tenant only (it may hold what was once private); it stays readable after deletion.
    pub async fn initiative_history(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        params: PageParams,
    ) -> ServiceResult<Page<RevisionEntry>> {
        let principal = caller.require(Role::Viewer)?;
        let request = PageRequest::new(params.page, params.per_page, self.settings())?;
        let select = revision::Entity::find()
            .filter(revision::Column::InitiativeId.eq(initiative_id))
            .filter(revision::Column::TenantId.eq(principal.tenant_id));
        let total = select.clone().count(self.db()).await?;
        if total == 0 {
            return Err(ServiceError::NotFound {
                entity: "initiative",
            });
        }
        let rows = select
            .order_by_desc(revision::Column::At)
            .order_by_desc(revision::Column::Id)
            .offset(request.offset())
            .limit(request.per_page)
            .all(self.db())
            .await?;
        let items = rows
            .into_iter()
            .map(|r| RevisionEntry {
                id: r.id,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
                operation: r.operation,
                actor: r.actor,
                at: r.at,
                reason: r.reason,
                changes: serde_json::from_str(&r.changes).unwrap_or_default(),
            })
            .collect();
        Ok(Page::new(items, request, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_changed_fields_only() {
        let before = json!({"title": "A", "summary": "S", "version": 1});
        let after = json!({"title": "B", "summary": "S", "version": 2, "kind": "msp"});
        let changes = diff(Some(&before), Some(&after));
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title"]);
        assert_eq!(changes[1].before, json!("A"));
    }
}
