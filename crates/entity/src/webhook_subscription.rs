use sea_orm::entity::prelude::*;

/// A tenant's webhook subscription: where to send which events, signed with which secret.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_subscription")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub url: String,
    /// JSON array of event types (`initiative.created`, `partner.*`...); empty or `*` = all.
    #[sea_orm(column_type = "Text")]
    pub event_types: String,
    /// `whsec_` + base64 of the key bytes. Never listed.
    pub secret: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub enabled: bool,
    pub disabled_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub disabled_reason: Option<String>,
    /// Deliveries that failed for good in a row (reset by a success or by re-enabling).
    pub consecutive_failures: i32,
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
