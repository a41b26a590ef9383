//! Progress reports of an initiative: the period covered, a narrative, achievements,
//! challenges and indicators. The latest period end becomes the initiative's
//! `last_reported_on`, from which its reporting status (on track, due, overdue, inactive)
//! follows.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{initiative, progress_report};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    EntityKind, Principal,
    children::{ChildResource, child_table},
    error::ServiceResult,
    pagination::PageParams,
    validation::{Checks, double_option},
};

const MAX_TEXT: usize = 50_000;
const MAX_INDICATORS: usize = 100;

/// One indicator of a report: what is measured, the target and what was achieved. Target and
/// achieved are free text ("5,000 households", "40%") so that any measure fits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Schools connected", "target": "400", "achieved": "312", "unit": "schools"}))]
pub struct Indicator {
    pub name: String,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub achieved: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
}

/// A progress report of an initiative.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgressReport {
    pub id: Uuid,
    pub initiative_id: Uuid,
    /// First day of the period covered.
    pub period_start: NaiveDate,
    /// Last day of the period covered; the latest one sets the initiative's reporting status.
    pub period_end: NaiveDate,
    pub narrative: String,
    pub achievements: Option<String>,
    pub challenges: Option<String>,
    pub indicators: Vec<Indicator>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "period_start": "2025-01-01",
    "period_end": "2025-12-31",
    "narrative": "The pooled connectivity contract reached its second year.",
    "achievements": "312 schools online; the provider extended its backbone to three regions.",
    "challenges": "Power outages in rural schools.",
    "indicators": [{"name": "Schools connected", "target": "400", "achieved": "312", "unit": "schools"}]
}))]
pub struct NewReport {
    pub period_start: NaiveDate,
    /// Not before `period_start`, and not in the future.
    pub period_end: NaiveDate,
    pub narrative: String,
    #[serde(default)]
    pub achievements: Option<String>,
    #[serde(default)]
    pub challenges: Option<String>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
}

/// A PATCH of a report: absent fields stay; `null` clears; `indicators` replaces the list.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportPatch {
    #[serde(default)]
    pub period_start: Option<NaiveDate>,
    #[serde(default)]
    pub period_end: Option<NaiveDate>,
    #[serde(default)]
    pub narrative: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub achievements: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub challenges: Option<Option<String>>,
    #[serde(default)]
    pub indicators: Option<Vec<Indicator>>,
}

struct Fields {
    period_start: NaiveDate,
    period_end: NaiveDate,
    narrative: String,
    achievements: Option<String>,
    challenges: Option<String>,
    indicators: Vec<Indicator>,
}

fn check(f: Fields) -> ServiceResult<Fields> {
    let mut c = Checks::new();
    c.date("period_start", Some(f.period_start));
    c.date("period_end", Some(f.period_end));
    if f.period_end < f.period_start {
        c.push(
            "period_end",
            "before_start",
            "must not be before period_start",
        );
    }
    if f.period_end > Utc::now().date_naive() {
        c.push(
            "period_end",
            "in_future",
            "a report covers a period that has ended: must not be in the future",
        );
    }
    let narrative = c.required_text("narrative", &f.narrative, MAX_TEXT);
    let achievements = c.optional_text("achievements", f.achievements.as_deref(), MAX_TEXT);
    let challenges = c.optional_text("challenges", f.challenges.as_deref(), MAX_TEXT);
    if f.indicators.len() > MAX_INDICATORS {
        c.push(
            "indicators",
            "too_many",
            format!("at most {MAX_INDICATORS} indicators"),
        );
    }
    let indicators = f
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| Indicator {
            name: c.required_text(&format!("indicators[{i}].name"), &ind.name, 200),
            target: c.optional_text(
                &format!("indicators[{i}].target"),
                ind.target.as_deref(),
                200,
            ),
            achieved: c.optional_text(
                &format!("indicators[{i}].achieved"),
                ind.achieved.as_deref(),
                200,
            ),
            unit: c.optional_text(&format!("indicators[{i}].unit"), ind.unit.as_deref(), 50),
        })
        .collect();
    c.finish()?;
    Ok(Fields {
        narrative,
        achievements,
        challenges,
        indicators,
        ..f
    })
}

pub(crate) fn to_view(r: progress_report::Model) -> ProgressReport {
    ProgressReport {
        id: r.id,
        initiative_id: r.initiative_id,
        period_start: r.period_start,
        period_end: r.period_end,
        narrative: r.narrative,
        achievements: r.achievements,
        challenges: r.challenges,
        indicators: serde_json::from_str(&r.indicators).unwrap_or_default(),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// Sets the initiative's `last_reported_on` to the latest period end of its reports (none
/// when it has none left).
async fn refresh_last_reported<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
) -> ServiceResult<()> {
    let latest: Option<Option<NaiveDate>> = progress_report::Entity::find()
        .select_only()
        .column_as(progress_report::Column::PeriodEnd.max(), "latest")
        .filter(progress_report::Column::InitiativeId.eq(initiative_id))
        .into_tuple()
        .one(db)
        .await?;
    initiative::Entity::update_many()
        .set(initiative::ActiveModel {
            last_reported_on: Set(latest.flatten()),
            ..Default::default()
        })
        .filter(initiative::Column::Id.eq(initiative_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The progress reports of initiatives, as a child resource.
pub struct Reports;

impl ChildResource for Reports {
    child_table!(progress_report, view: ProgressReport, query: PageParams);
    type New = NewReport;
    type Patch = ReportPatch;

    const KIND: EntityKind = EntityKind::Report;
    const NAME: &'static str = "report";

    /// The latest period first.
    fn order(select: Select<progress_report::Entity>) -> Select<progress_report::Entity> {
        select
            .order_by_desc(progress_report::Column::PeriodEnd)
            .order_by_desc(progress_report::Column::PeriodStart)
            .order_by_desc(progress_report::Column::Id)
    }

    async fn views<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        rows: Vec<progress_report::Model>,
    ) -> ServiceResult<Vec<ProgressReport>> {
        Ok(rows.into_iter().map(to_view).collect())
    }

    async fn new_row<C: ConnectionTrait>(
        _db: &C,
        _initiative: &initiative::Model,
        _principal: &Principal,
        input: NewReport,
    ) -> ServiceResult<progress_report::ActiveModel> {
        Ok(row(check(Fields {
            period_start: input.period_start,
            period_end: input.period_end,
            narrative: input.narrative,
            achievements: input.achievements,
            challenges: input.challenges,
            indicators: input.indicators,
        })?))
    }

    async fn patch_row<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        before: &ProgressReport,
        patch: ReportPatch,
    ) -> ServiceResult<progress_report::ActiveModel> {
        Ok(row(check(Fields {
            period_start: patch.period_start.unwrap_or(before.period_start),
            period_end: patch.period_end.unwrap_or(before.period_end),
            narrative: patch.narrative.unwrap_or_else(|| before.narrative.clone()),
            achievements: patch
                .achievements
                .unwrap_or_else(|| before.achievements.clone()),
            challenges: patch
                .challenges
                .unwrap_or_else(|| before.challenges.clone()),
            indicators: patch
                .indicators
                .unwrap_or_else(|| before.indicators.clone()),
        })?))
    }

    /// The initiative's `last_reported_on` follows its reports.
    async fn after_write<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        _id: Uuid,
        _after: Option<&ProgressReport>,
    ) -> ServiceResult<()> {
        refresh_last_reported(db, initiative_id).await
    }
}

/// The columns of a report's checked fields.
fn row(f: Fields) -> progress_report::ActiveModel {
    progress_report::ActiveModel {
        period_start: Set(f.period_start),
        period_end: Set(f.period_end),
        narrative: Set(f.narrative),
        achievements: Set(f.achievements),
        challenges: Set(f.challenges),
        indicators: Set(json(&f.indicators)),
        ..Default::default()
    }
}
