use sea_orm::entity::prelude::*;

use crate::enums::JourneyStage;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub from_stage: Option<JourneyStage>,
    pub to_stage: JourneyStage,
    /// When it was recorded.
    pub changed_at: DateTimeUtc,
    /// The day it happened (`None` for rows recorded before it was kept: the day of `changed_at`).
    pub changed_on: Option<Date>,
    pub changed_by: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
