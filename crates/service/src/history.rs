//! The revision history of initiatives and their children: who changed what, when, with
//! field-level before/after and the caller's optional reason. Rows have no foreign key to the
//! initiative, so the history outlives a deletion.

use chrono::{DateTime, Utc};
use entity::{enums::Role, revision};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Registry,
    error::{ServiceError, ServiceResult},
    keyset::{self, Key, KeyType, Keyset},
    pagination::{Page, PageParams, Position},
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
    /// The BCP 47 tag of the language of a text field's change: the record's own language for
    /// its own fields, the translation's for a translated text (absent for other fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
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
    let language = a
        .get("language")
        .or_else(|| b.get("language"))
        .and_then(Value::as_str);
    fields
        .into_iter()
        .filter(|f| !BOOKKEEPING.contains(&f.as_str()))
        .filter_map(|f| {
            let old = b.get(f).cloned().unwrap_or(Value::Null);
            let new = a.get(f).cloned().unwrap_or(Value::Null);
            (old != new).then(|| {
                let (field, language) = crate::translations::field_language(f, language);
                FieldChange {
                    field,
                    language,
                    before: old,
                    after: new,
                }
            })
        })
        .collect()
}

/// What a write changed, as a step reports it to its unit of work (`write::UnitOfWork::changed`).
pub(crate) struct Change<'a> {
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    pub entity_type: EntityKind,
    pub entity_id: Uuid,
    pub operation: Operation,
    pub actor: Option<Uuid>,
    pub meta: &'a WriteMeta,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The history row of one change (its field-level differences, the actor and the reason).
pub(crate) fn revision_row(change: &Change<'_>) -> revision::ActiveModel {
    let changes = diff(change.before.as_ref(), change.after.as_ref());
    revision::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(change.tenant_id),
        initiative_id: Set(change.initiative_id),
        entity_type: Set(change.entity_type.as_str().to_owned()),
        entity_id: Set(change.entity_id),
        operation: Set(change.operation.as_str().to_owned()),
        actor: Set(change.actor),
        at: Set(Utc::now()),
        reason: Set(change.meta.reason_text().map(str::to_owned)),
        changes: Set(serde_json::to_string(&changes).unwrap_or_else(|_| "[]".into())),
    }
}

/// Inserts history rows, in multi-row inserts (the write pipeline's first step).
pub(crate) async fn insert<C: ConnectionTrait>(
    db: &C,
    rows: Vec<revision::ActiveModel>,
) -> ServiceResult<()> {
    // 10 columns a row: well under both engines' limits on bound values.
    for chunk in rows.chunks(1000) {
        revision::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
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
        let ask = params
            .cursor()
            .ask(params.page, params.per_page, self.settings())?;
        let select = revision::Entity::find()
            .filter(revision::Column::InitiativeId.eq(initiative_id))
            .filter(crate::tenancy::own::<revision::Entity>(principal.tenant_id));
        let newest_first = Keyset {
            tag: "history",
            keys: vec![
                Key::column(
                    revision::Column::At,
                    true,
                    KeyType::Timestamp,
                    |r: &revision::Model| keyset::json(&r.at),
                ),
                Key::column(
                    revision::Column::Id,
                    true,
                    KeyType::Uuid,
                    |r: &revision::Model| keyset::json(&r.id),
                ),
            ],
        };
        let first_page = ask.position == Position::Page(1);
        let page = newest_first.page(self.db(), select, ask).await?;
        // An initiative always has its creation in the history: none means no such initiative
        // (or another tenant's).
        if first_page && page.items.is_empty() {
            return Err(ServiceError::NotFound {
                entity: "initiative",
            });
        }
        Ok(page.map(|r| RevisionEntry {
            id: r.id,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            operation: r.operation,
            actor: r.actor,
            at: r.at,
            reason: r.reason,
            changes: serde_json::from_str(&r.changes).unwrap_or_default(),
        }))
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
