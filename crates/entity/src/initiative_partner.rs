use sea_orm::entity::prelude::*;

use crate::enums::PartnerStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_partner")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    pub organization_id: Uuid,
    /// JSON array of partner roles.
    #[sea_orm(column_type = "Text")]
    pub roles: String,
    pub status: PartnerStatus,
    /// JSON array of gains.
    #[sea_orm(column_type = "Text")]
    pub gains: String,
    pub interest: Option<i16>,
    pub influence: Option<i16>,
    pub joined_on: Option<Date>,
    pub left_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
