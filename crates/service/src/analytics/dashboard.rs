//! The tenant dashboard: counts across the caller's initiatives by stage, kind, sector mix,
//! spectrum, engagement model, country, action line, outcome and reporting status, and
//! registrations per month.
//!
//! Every figure is one `GROUP BY` query in the database: nothing loads the initiatives
//! themselves, so the dashboard stays fast with hundreds of thousands of them.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::{
    enums::{
        EngagementModel, InitiativeKind, JourneyStage, Outcome, PartnerStatus, Sector, Spectrum,
    },
    initiative, initiative_partner, initiative_tag, organization,
};
use sea_orm::{
    ActiveEnum, Condition, ConnectionTrait, DatabaseBackend, ExprTrait, Iterable,
    sea_query::{Expr, Func, Query, SelectStatement},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AnalyticsQuery, initiative_scope};
use crate::{
    Caller, Registry,
    country::CountryCode,
    error::ServiceResult,
    initiatives::{
        ReportingStatus,
        derived::{SECTOR_ORDER, reporting_bounds},
    },
    reference,
};

/// Months of registrations shown, the current one included.
pub const REGISTRATION_MONTHS: u32 = 24;

/// The `initiative_tag.kind` of countries and of action lines.
const TAG_COUNTRY: &str = "country";
const TAG_ACTION_LINE: &str = "action_line";

/// Counts across the caller's initiatives.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    /// Initiatives counted.
    pub total: u64,
    /// Every journey stage, in journey order.
    pub by_stage: Vec<StageCount>,
    pub by_kind: Vec<KindCount>,
    /// Sector mix of the active partners: every sector, in the order DOMAIN.md lists them.
    pub by_sector: Vec<SectorCount>,
    /// Every spectrum position, then `null` (not recorded).
    pub by_spectrum: Vec<SpectrumCount>,
    /// Every engagement model, then `null` (not recorded).
    pub by_engagement_model: Vec<EngagementModelCount>,
    /// Countries with at least one initiative, the most frequent first.
    pub by_country: Vec<CountryCount>,
    /// Action lines with at least one initiative, in Plan of Action order.
    pub by_action_line: Vec<ActionLineCount>,
    pub by_outcome: Vec<OutcomeCount>,
    /// As each initiative's `reporting_status`, with the configured thresholds.
    pub by_reporting_status: Vec<ReportingStatusCount>,
    /// Initiatives registered per calendar month (UTC) over the last 24 months, oldest first,
    /// months without any included.
    pub registrations_by_month: Vec<MonthCount>,
    pub generated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StageCount {
    pub stage: JourneyStage,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct KindCount {
    pub kind: InitiativeKind,
    pub count: u64,
}

/// Active partners of one sector.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SectorCount {
    pub sector: Sector,
    /// Active partners whose organisation is of this sector.
    pub partners: u64,
    /// Initiatives with at least one such partner.
    pub initiatives: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SpectrumCount {
    pub spectrum: Option<Spectrum>,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct EngagementModelCount {
    pub engagement_model: Option<EngagementModel>,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CountryCount {
    /// ISO 3166-1 alpha-2.
    #[schema(example = "ML")]
    pub country: String,
    #[schema(example = "Mali")]
    pub name: String,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ActionLineCount {
    #[schema(example = "C4")]
    pub action_line: String,
    #[schema(example = "Capacity building")]
    pub label: String,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OutcomeCount {
    pub outcome: Outcome,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportingStatusCount {
    pub reporting_status: ReportingStatus,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`.
    #[schema(example = "2026-03")]
    pub month: String,
    pub count: u64,
}

fn col(c: initiative::Column) -> Expr {
    Expr::col((initiative::Entity, c))
}

fn count_ids() -> Expr {
    col(initiative::Column::Id).count()
}

/// Runs a query whose rows are (key, count), keyed by the key (`None` for NULL).
async fn counted<C: ConnectionTrait>(
    db: &C,
    query: &SelectStatement,
) -> ServiceResult<HashMap<Option<String>, u64>> {
    let mut out = HashMap::new();
    for row in db.query_all(query).await? {
        let key: Option<String> = row.try_get_by_index(0)?;
        let count: i64 = row.try_get_by_index(1)?;
        *out.entry(key).or_default() += u64::try_from(count).unwrap_or(0);
    }
    Ok(out)
}

/// `SELECT column, COUNT(id) FROM initiative WHERE scope GROUP BY column`.
fn by_column(scope: &Condition, c: initiative::Column) -> SelectStatement {
    Query::select()
        .expr(col(c))
        .expr(count_ids())
        .from(initiative::Entity)
        .cond_where(scope.clone())
        .group_by_col((initiative::Entity, c))
        .to_owned()
}

/// `SELECT tag.value, COUNT(*) FROM initiative_tag JOIN initiative WHERE kind = ? GROUP BY value`.
fn by_tag(scope: &Condition, kind: &str) -> SelectStatement {
    let value = (initiative_tag::Entity, initiative_tag::Column::Value);
    Query::select()
        .expr(Expr::col(value))
        .expr(count_ids())
        .from(initiative_tag::Entity)
        .inner_join(
            initiative::Entity,
            col(initiative::Column::Id)
                .equals((initiative_tag::Entity, initiative_tag::Column::InitiativeId)),
        )
        .cond_where(scope.clone())
        .and_where(Expr::col((initiative_tag::Entity, initiative_tag::Column::Kind)).eq(kind))
        .group_by_col(value)
        .to_owned()
}

/// Counts per enumeration value, every value included (zero when absent).
fn every<E: ActiveEnum<Value = String> + Iterable, T>(
    counts: &HashMap<Option<String>, u64>,
    make: impl Fn(E, u64) -> T,
) -> Vec<T> {
    E::iter()
        .map(|v| {
            let n = counts.get(&Some(v.to_value())).copied().unwrap_or(0);
            make(v, n)
        })
        .collect()
}

/// Midnight UTC at the start of a day.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_default()
}

/// `YYYY-MM` of the creation time, in UTC, on each engine.
fn month_of_creation(backend: DatabaseBackend) -> Expr {
    match backend {
        DatabaseBackend::Postgres => {
            Expr::cust("to_char(\"initiative\".\"created_at\" AT TIME ZONE 'UTC', 'YYYY-MM')")
        }
        // Stored as RFC 3339 text in UTC: the month is its first seven characters.
        _ => Expr::cust("substr(\"initiative\".\"created_at\", 1, 7)"),
    }
}

/// The first day of each of the last `months` months (the current one included), oldest first.
fn month_starts(today: NaiveDate, months: u32) -> Vec<NaiveDate> {
    let first = today.with_day(1).unwrap_or(today);
    (0..months)
        .rev()
        .filter_map(|back| first.checked_sub_months(Months::new(back)))
        .collect()
}

impl Registry {
    /// The dashboard: counts across the caller's initiatives (members: their tenant's,
    /// private ones included, or `scope`; anonymous callers: every public one).
    pub async fn dashboard(
        &self,
        caller: &Caller,
        query: AnalyticsQuery,
    ) -> ServiceResult<Dashboard> {
        let db = self.db();
        let scope = initiative_scope(caller, query.scope);
        let now = Utc::now();
        let today = now.date_naive();

        let total_query = Query::select()
            .expr(count_ids())
            .from(initiative::Entity)
            .cond_where(scope.clone())
            .to_owned();
        let total: i64 = match db.query_one(&total_query).await? {
            Some(row) => row.try_get_by_index(0)?,
            None => 0,
        };

        let stages = counted(db, &by_column(&scope, initiative::Column::Stage)).await?;
        let by_stage = every(&stages, |stage: JourneyStage, count| StageCount {
            stage,
            count,
        });
        let kinds = counted(db, &by_column(&scope, initiative::Column::Kind)).await?;
        let by_kind = every(&kinds, |kind: InitiativeKind, count| KindCount {
            kind,
            count,
        });
        let outcomes = counted(db, &by_column(&scope, initiative::Column::Outcome)).await?;
        let by_outcome = every(&outcomes, |outcome: Outcome, count| OutcomeCount {
            outcome,
            count,
        });
        let spectra = counted(db, &by_column(&scope, initiative::Column::Spectrum)).await?;
        let mut by_spectrum = every(&spectra, |s: Spectrum, count| SpectrumCount {
            spectrum: Some(s),
            count,
        });
        by_spectrum.push(SpectrumCount {
            spectrum: None,
            count: spectra.get(&None).copied().unwrap_or(0),
        });
        let models = counted(db, &by_column(&scope, initiative::Column::EngagementModel)).await?;
        let mut by_engagement_model =
            every(&models, |m: EngagementModel, count| EngagementModelCount {
                engagement_model: Some(m),
                count,
            });
        by_engagement_model.push(EngagementModelCount {
            engagement_model: None,
            count: models.get(&None).copied().unwrap_or(0),
        });

        // Sector mix: active partners and the initiatives they take part in, per sector.
        let p = |c: initiative_partner::Column| (initiative_partner::Entity, c);
        let sector_col = (organization::Entity, organization::Column::Sector);
        let sector_query = Query::select()
            .expr(Expr::col(sector_col))
            .expr(Expr::col(p(initiative_partner::Column::Id)).count())
            .expr(Func::count_distinct(Expr::col(p(
                initiative_partner::Column::InitiativeId,
            ))))
            .from(initiative_partner::Entity)
            .inner_join(
                organization::Entity,
                Expr::col((organization::Entity, organization::Column::Id))
                    .equals(p(initiative_partner::Column::OrganizationId)),
            )
            .inner_join(
                initiative::Entity,
                col(initiative::Column::Id).equals(p(initiative_partner::Column::InitiativeId)),
            )
            .cond_where(scope.clone())
            .and_where(
                Expr::col(p(initiative_partner::Column::Status))
                    .eq(PartnerStatus::Active.to_value()),
            )
            .group_by_col(sector_col)
            .to_owned();
        let mut sectors: HashMap<String, (u64, u64)> = HashMap::new();
        for row in db.query_all(&sector_query).await? {
            let sector: String = row.try_get_by_index(0)?;
            let partners: i64 = row.try_get_by_index(1)?;
            let initiatives: i64 = row.try_get_by_index(2)?;
            sectors.insert(
                sector,
                (
                    u64::try_from(partners).unwrap_or(0),
                    u64::try_from(initiatives).unwrap_or(0),
                ),
            );
        }
        let by_sector = SECTOR_ORDER
            .into_iter()
            .map(|sector| {
                let (partners, initiatives) =
                    sectors.get(&sector.to_value()).copied().unwrap_or((0, 0));
                SectorCount {
                    sector,
                    partners,
                    initiatives,
                }
            })
            .collect();

        let mut by_country: Vec<CountryCount> = counted(db, &by_tag(&scope, TAG_COUNTRY))
            .await?
            .into_iter()
            .filter_map(|(code, count)| {
                let code = code?;
                let name = CountryCode::parse(&code)
                    .map(|c| c.name())
                    .unwrap_or_default();
                Some(CountryCount {
                    country: code,
                    name,
                    count,
                })
            })
            .collect();
        by_country.sort_by(|a, b| b.count.cmp(&a.count).then(a.country.cmp(&b.country)));

        let mut by_action_line: Vec<ActionLineCount> =
            counted(db, &by_tag(&scope, TAG_ACTION_LINE))
                .await?
                .into_iter()
                .filter_map(|(code, count)| {
                    let code = code?;
                    let label = reference::action_line(&code)
                        .map(|a| a.label.to_owned())
                        .unwrap_or_default();
                    Some(ActionLineCount {
                        action_line: code,
                        label,
                        count,
                    })
                })
                .collect();
        let position = |code: &str| {
            reference::ACTION_LINES
                .iter()
                .position(|a| a.code == code)
                .unwrap_or(usize::MAX)
        };
        by_action_line.sort_by(|a, b| {
            position(&a.action_line)
                .cmp(&position(&b.action_line))
                .then(a.action_line.cmp(&b.action_line))
        });

        // Reporting status: the same rule as `derived::reporting_status`, as one CASE.
        let bounds = reporting_bounds(today, self.settings());
        let last = || col(initiative::Column::LastReportedOn);
        let created = || col(initiative::Column::CreatedAt);
        let status_of = Expr::case(last().gte(bounds.due), "on_track")
            .case(last().gte(bounds.overdue), "due")
            .case(last().is_not_null(), "overdue")
            .case(created().gte(midnight(bounds.due)), "on_track")
            .case(created().gte(midnight(bounds.inactive)), "due")
            .finally("inactive");
        let reporting_query = Query::select()
            .expr(status_of)
            .expr(count_ids())
            .from(initiative::Entity)
            .cond_where(scope.clone())
            .add_group_by([Expr::cust("1")])
            .to_owned();
        let reporting = counted(db, &reporting_query).await?;
        let by_reporting_status = [
            (ReportingStatus::OnTrack, "on_track"),
            (ReportingStatus::Due, "due"),
            (ReportingStatus::Overdue, "overdue"),
            (ReportingStatus::Inactive, "inactive"),
        ]
        .into_iter()
        .map(|(reporting_status, key)| ReportingStatusCount {
            reporting_status,
            count: reporting.get(&Some(key.to_owned())).copied().unwrap_or(0),
        })
        .collect();

        // Registrations per month over the window.
        let months = month_starts(today, REGISTRATION_MONTHS);
        let since = months.first().copied().unwrap_or(today);
        let month_query = Query::select()
            .expr(month_of_creation(db.get_database_backend()))
            .expr(count_ids())
            .from(initiative::Entity)
            .cond_where(scope)
            .and_where(created().gte(midnight(since)))
            .add_group_by([Expr::cust("1")])
            .to_owned();
        let per_month = counted(db, &month_query).await?;
        let registrations_by_month = months
            .into_iter()
            .map(|start| {
                let month = start.format("%Y-%m").to_string();
                let count = per_month.get(&Some(month.clone())).copied().unwrap_or(0);
                MonthCount { month, count }
            })
            .collect();

        Ok(Dashboard {
            total: u64::try_from(total).unwrap_or(0),
            by_stage,
            by_kind,
            by_sector,
            by_spectrum,
            by_engagement_model,
            by_country,
            by_action_line,
            by_outcome,
            by_reporting_status,
            registrations_by_month,
            generated_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_ends_with_the_current_month() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap_or_default();
        let months = month_starts(today, 24);
        assert_eq!(months.len(), 24);
        assert_eq!(
            months.first().map(|d| d.to_string()).as_deref(),
            Some("2024-04-01")
        );
        assert_eq!(
            months.last().map(|d| d.to_string()).as_deref(),
            Some("2026-03-01")
        );
    }
}
