use sea_orm::entity::prelude::*;

/// A POST sent with an `Idempotency-Key`: its fingerprint, what it created and the response to
/// replay. Unique per (tenant, principal, key).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// `user:<id>` or `client:<id>`.
    pub principal: String,
    pub key: String,
    /// SHA-256 of the method, path and body, hex.
    pub fingerprint: String,
    pub request_path: String,
    /// `in_progress`, `committed` (the create's transaction bound its record) or `completed`
    /// (the response is stored).
    pub state: String,
    /// Which attempt holds the key; a takeover of an abandoned key changes it.
    pub attempt: Uuid,
    /// An `in_progress` key not finished by then counts as abandoned.
    pub locked_until: DateTimeUtc,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub response_status: Option<i32>,
    /// JSON object of the replayed headers (`Location`, `ETag`, `Content-Type`).
    pub response_headers: Option<String>,
    pub response_body: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
