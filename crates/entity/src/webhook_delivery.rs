use sea_orm::entity::prelude::*;

/// One event for one subscription: the outbox row the worker delivers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    /// The outbox order (commit order of the events).
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The `webhook-id` header, the same on every retry.
    #[sea_orm(unique)]
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub tenant_id: Uuid,
    /// The change feed's sequence number of the event (0 for a test ping).
    pub event_seq: i64,
    pub event_type: String,
    /// The JSON body sent.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// `pending`, `delivering`, `succeeded`, `failed`, `abandoned`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// The lease of the worker that claimed it (`delivering`); claimable again once passed.
    pub locked_until: Option<DateTimeUtc>,
    /// Names the claim holding the lease, so a worker whose lease expired cannot overwrite
    /// the outcome of the worker that took over.
    pub lease_token: Option<Uuid>,
    pub last_status_code: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
