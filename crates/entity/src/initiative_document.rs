use sea_orm::entity::prelude::*;

/// An initiative's API view as stored JSON (the read model): `item` is the list view (without
/// its reporting status, computed at read time from `created_at` and `last_reported_on`),
/// `detail` what the single-record read adds; `tenant_id` and `visibility` decide who reads it;
/// `version`, `title_key`, `start_date` and `updated_at` are the initiative's, for ETags and
/// cursors.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub initiative_id: Uuid,
    pub tenant_id: Uuid,
    pub visibility: super::enums::Visibility,
    pub version: i32,
    pub title_key: String,
    pub start_date: Option<Date>,
    pub updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub last_reported_on: Option<Date>,
    /// The tag rows (`[[kind, value], …]`) the document was built with: what the tag counts
    /// (`initiative_tag_count`) counted for it.
    #[sea_orm(column_type = "Text")]
    pub tags: String,
    #[sea_orm(column_type = "Text")]
    pub item: String,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
    /// The BCP 47 tag of the language of the item's texts (the initiative's original).
    pub language: String,
    /// The initiative's texts in other languages (`{"fr": {"title": …}}`), when it has any.
    #[sea_orm(column_type = "Text", nullable)]
    pub translations: Option<String>,
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
