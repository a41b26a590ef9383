use sea_orm::entity::prelude::*;

/// One field of a record in one language other than the record's own (`language` on the
/// record): an initiative's, a lesson's or an organisation's text. One row per record, field
/// and language.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "translation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// `initiative`, `lesson` or `organization`.
    pub entity_type: String,
    pub entity_id: Uuid,
    /// The record's field (`title`, `statement`, `name`, …).
    pub field: String,
    /// A BCP 47 tag (`fr`, `zh-Hans`).
    pub language: String,
    #[sea_orm(column_type = "Text")]
    pub text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
