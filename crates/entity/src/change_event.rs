use sea_orm::entity::prelude::*;

/// One entry of the change feed. `seq` grows in commit order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub tenant_id: Uuid,
    /// `initiative`, `partner`, `contribution`, `agreement`, `report`, `lesson`,
    /// `value_assessment`, `organization`.
    pub entity_type: String,
    pub entity_id: Uuid,
    pub initiative_id: Option<Uuid>,
    /// `create`, `update`, `delete`.
    pub operation: String,
    pub version: Option<i32>,
    /// Whether the record was public before and after the change (for the public feed).
    pub public_before: bool,
    pub public_after: bool,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
