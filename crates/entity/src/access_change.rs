use sea_orm::entity::prelude::*;

/// A principal (user or API client) whose access changed: every process forgets what it
/// remembered of it. `seq` grows in commit order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub subject: Uuid,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
