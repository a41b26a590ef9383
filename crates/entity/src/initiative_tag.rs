use sea_orm::entity::prelude::*;

/// A country, action line, SDG goal, SDG target, lever or need of an initiative (`kind`,
/// `value`), with copies of the initiative's tenant, title key and visibility that let one
/// index serve "this tag, this tenant (or public), by title".
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_tag")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub initiative_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
    pub tenant_id: Option<Uuid>,
    pub title_key: Option<String>,
    pub is_public: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
