use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub statement: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub context: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub challenge: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub recommendation: Option<String>,
    /// JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub tags: String,
    /// The BCP 47 tag of the language its text columns are in (its original language).
    pub language: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
