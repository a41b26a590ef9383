//! Progress reports of an initiative: the period covered, a narrative, achievements,
//! challenges and indicators. The latest period end becomes the initiative's
//! `last_reported_on`, from which its reporting status (on track, due, overdue, inactive)
//! follows.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{initiative, progress_report};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Registry,
    error::{ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta, snapshot},
    initiatives::access,
    pagination::{Page, PageParams, PageRequest},
    precondition::Precondition,
    validation::{Checks, double_option},
    write,
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

async fn find<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    id: Uuid,
) -> ServiceResult<ProgressReport> {
    progress_report::Entity::find_by_id(id)
        .filter(crate::tenancy::child_of::<progress_report::Entity>(
            initiative_id,
        ))
        .one(db)
        .await?
        .map(to_view)
        .ok_or(ServiceError::NotFound { entity: "report" })
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

impl Registry {
    /// The reports of an initiative, the latest period first.
    pub async fn list_reports(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        params: PageParams,
    ) -> ServiceResult<Page<ProgressReport>> {
        access::readable(self.db(), caller, initiative_id).await?;
        let request = PageRequest::new(params.page, params.per_page, self.settings())?;
        let select = progress_report::Entity::find()
            .filter(progress_report::Column::InitiativeId.eq(initiative_id));
        let total = select.clone().count(self.db()).await?;
        let rows = select
            .order_by_desc(progress_report::Column::PeriodEnd)
            .order_by_desc(progress_report::Column::PeriodStart)
            .order_by_desc(progress_report::Column::Id)
            .offset(request.offset())
            .limit(request.per_page)
            .all(self.db())
            .await?;
        Ok(Page::new(
            rows.into_iter().map(to_view).collect(),
            request,
            total,
        ))
    }

    pub async fn get_report(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
    ) -> ServiceResult<ProgressReport> {
        access::readable(self.db(), caller, initiative_id).await?;
        find(self.db(), initiative_id, id).await
    }

    pub async fn add_report(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        input: NewReport,
        meta: &WriteMeta,
    ) -> ServiceResult<ProgressReport> {
        let txn = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&txn, caller, initiative_id).await?;
        let f = check(Fields {
            period_start: input.period_start,
            period_end: input.period_end,
            narrative: input.narrative,
            achievements: input.achievements,
            challenges: input.challenges,
            indicators: input.indicators,
        })?;
        let now = Utc::now();
        let row = progress_report::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(initiative.tenant_id),
            initiative_id: Set(initiative_id),
            period_start: Set(f.period_start),
            period_end: Set(f.period_end),
            narrative: Set(f.narrative),
            achievements: Set(f.achievements),
            challenges: Set(f.challenges),
            indicators: Set(json(&f.indicators)),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let view = to_view(row);
        refresh_last_reported(&txn, initiative_id).await?;
        write::child_changed(
            &txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Report,
                entity_id: view.id,
                operation: Operation::Create,
                actor: Some(principal.subject),
                meta,
                before: None,
                after: snapshot(&view),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(view)
    }

    pub async fn update_report(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: Precondition,
        patch: ReportPatch,
        meta: &WriteMeta,
    ) -> ServiceResult<ProgressReport> {
        let txn = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&txn, caller, initiative_id).await?;
        let before = find(&txn, initiative_id, id).await?;
        crate::precondition::expect_version(expected_version, before.version)?;
        let f = check(Fields {
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
        })?;
        let result = progress_report::Entity::update_many()
            .set(progress_report::ActiveModel {
                period_start: Set(f.period_start),
                period_end: Set(f.period_end),
                narrative: Set(f.narrative),
                achievements: Set(f.achievements),
                challenges: Set(f.challenges),
                indicators: Set(json(&f.indicators)),
                version: Set(before.version + 1),
                updated_at: Set(Utc::now()),
                ..Default::default()
            })
            .filter(progress_report::Column::Id.eq(id))
            .filter(progress_report::Column::Version.eq(before.version))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: before.version + 1,
            });
        }
        let after = find(&txn, initiative_id, id).await?;
        refresh_last_reported(&txn, initiative_id).await?;
        write::child_changed(
            &txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Report,
                entity_id: id,
                operation: Operation::Update,
                actor: Some(principal.subject),
                meta,
                before: snapshot(&before),
                after: snapshot(&after),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    pub async fn remove_report(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: Precondition,
        meta: &WriteMeta,
    ) -> ServiceResult<()> {
        let txn = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&txn, caller, initiative_id).await?;
        let before = find(&txn, initiative_id, id).await?;
        crate::precondition::expect_version(expected_version, before.version)?;
        let result = progress_report::Entity::delete_many()
            .filter(progress_report::Column::Id.eq(id))
            .filter(progress_report::Column::Version.eq(before.version))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: before.version + 1,
            });
        }
        refresh_last_reported(&txn, initiative_id).await?;
        write::child_changed(
            &txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Report,
                entity_id: id,
                operation: Operation::Delete,
                actor: Some(principal.subject),
                meta,
                before: snapshot(&before),
                after: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
