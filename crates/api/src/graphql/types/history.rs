//! The revision history of an initiative and its children.

use async_graphql::{Json, SimpleObject};
use chrono::{DateTime, Utc};
use service::history;
use uuid::Uuid;

/// One field's change.
#[derive(Clone, Debug, SimpleObject)]
pub struct FieldChange {
    pub field: String,
    /// The BCP 47 tag of the language of a text field's change (absent for other fields).
    pub language: Option<String>,
    /// The value before (null on creation), as JSON.
    pub before: Json<serde_json::Value>,
    /// The value after (null on deletion), as JSON.
    pub after: Json<serde_json::Value>,
}

/// One recorded write: who, when, what changed and why.
#[derive(Clone, Debug, SimpleObject)]
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
    /// The reason the caller gave (the `reason` argument of a mutation).
    pub reason: Option<String>,
    pub changes: Vec<FieldChange>,
}

impl From<history::RevisionEntry> for RevisionEntry {
    fn from(r: history::RevisionEntry) -> Self {
        Self {
            id: r.id,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            operation: r.operation,
            actor: r.actor,
            at: r.at,
            reason: r.reason,
            changes: r
                .changes
                .into_iter()
                .map(|c| FieldChange {
                    field: c.field,
                    language: c.language,
                    before: Json(c.before),
                    after: Json(c.after),
                })
                .collect(),
        }
    }
}
