use sea_orm::entity::prelude::*;

/// How many of a tenant's initiatives carry a tag (kind and value), and how many of those are
/// public: the exact totals of lists filtered by one tag, kept by the read model's refresh.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_tag_count")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub total: i64,
    pub public: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
