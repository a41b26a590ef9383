use sea_orm::entity::prelude::*;

/// A self-assessment of an initiative's health: the six fundamentals (filed for one partner)
/// or the partnership team's MUST competencies, each rated 1–5 with a note.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "health_assessment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    /// The partner (an `initiative_partner` row) a fundamentals assessment speaks for; none for
    /// the partnership team's competencies (or once that partner was removed).
    pub partner_id: Option<Uuid>,
    /// `fundamentals` or `competencies`.
    pub kind: String,
    /// JSON array of `{code, rating, note}`.
    #[sea_orm(column_type = "Text")]
    pub ratings: String,
    pub assessed_on: Date,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
