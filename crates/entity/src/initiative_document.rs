use sea_orm::entity::prelude::*;

/// An initiative's API view as stored JSON (the read model): `item` is the list view, `detail`
/// what the single-record read adds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub initiative_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub item: String,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::initiative::Entity",
        from = "Column::InitiativeId",
        to = "super::initiative::Column::Id"
    )]
    Initiative,
}

impl ActiveModelBehavior for ActiveModel {}
