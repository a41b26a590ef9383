use sea_orm::entity::prelude::*;

use crate::enums::{
    EngagementModel, InitiativeKind, JourneyStage, Outcome, PartnershipForm, Scale, Spectrum,
    Visibility,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    /// Lower-cased, whitespace-folded title, for sorting.
    pub title_key: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub kind: InitiativeKind,
    pub scale: Option<Scale>,
    pub spectrum: Option<Spectrum>,
    pub engagement_model: Option<EngagementModel>,
    pub form: Option<PartnershipForm>,
    pub stage: JourneyStage,
    pub stage_changed_at: DateTimeUtc,
    /// The day the current stage began (`None` before it was kept: the day of `stage_changed_at`).
    pub stage_changed_on: Option<Date>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub outcome: Outcome,
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome_summary: Option<String>,
    pub visibility: Visibility,
    pub iati_identifier: Option<String>,
    /// JSON array of `{scheme, identifier}`.
    #[sea_orm(column_type = "Text")]
    pub external_identifiers: String,
    /// End of the latest progress report's period.
    pub last_reported_on: Option<Date>,
    /// The BCP 47 tag of the language its text columns are in (its original language).
    pub language: String,
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
