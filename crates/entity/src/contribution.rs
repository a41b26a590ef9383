use sea_orm::entity::prelude::*;

use crate::enums::{ContributionStatus, ResourceKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contribution")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    /// The contributing partner (an `initiative_partner` row).
    pub partner_id: Uuid,
    pub resource_kind: ResourceKind,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// Exact decimal, as text (never a float).
    pub amount: Option<String>,
    /// ISO 4217.
    pub currency: Option<String>,
    pub status: ContributionStatus,
    pub contributed_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
