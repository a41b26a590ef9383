//! The tenant dashboard: counts across the caller's initiatives by stage, kind, sector mix,
//! spectrum, engagement model, country, action line, outcome and reporting status, and
//! registrations per month.
//!
//! Initiatives confirmed-linked as one partnership count once, as their group's oldest record
//! ([`links::counted_once`]): its stage, kind, countries and partners.
//!
//! Every figure comes from a `GROUP BY` query in the database (a fixed handful of them):
//! nothing loads the initiatives themselves, so the work does not grow with them in memory.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::{
    enums::{
        EngagementModel, InitiativeKind, JourneyStage, Outcome, PartnerStatus, Sector, Spectrum,
    },
    initiative, initiative_partner, initiative_tag, organization,
};
use sea_orm::{
    ActiveEnum, Condition, ConnectionTrait, DatabaseBackend, DbErr, ExprTrait, Iterable,
    QueryResult,
    sea_query::{Expr, Func, Query, SelectStatement},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AnalyticsQuery, Coverage, join_all};
use crate::{
    Caller, Registry,
    country::CountryCode,
    duplicates::links,
    error::{ServiceError, ServiceResult},
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

/// `COUNT(*)`: answered from an index where one covers the filter (never `COUNT(id)`, which
/// makes SQLite read every row).
fn count_all() -> Expr {
    Expr::cust("COUNT(*)")
}

fn as_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Rows of (key, count), keyed by the key (`None` for NULL).
fn counted(rows: Vec<QueryResult>) -> ServiceResult<HashMap<Option<String>, u64>> {
    let mut out = HashMap::new();
    for row in rows {
        let key: Option<String> = row.try_get_by_index(0)?;
        let count: i64 = row.try_get_by_index(1)?;
        *out.entry(key).or_default() += as_count(count);
    }
    Ok(out)
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

/// `SELECT id FROM initiative WHERE scope`: the covered initiatives, for `IN (...)`.
fn covered_ids(scope: &Condition) -> SelectStatement {
    Query::select()
        .expr(col(initiative::Column::Id))
        .from(initiative::Entity)
        .cond_where(scope.clone())
        .to_owned()
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

/// Each initiative's reporting status as one SQL `CASE`: the rule of
/// `derived::reporting_status`, with the same thresholds.
fn reporting_status_case(today: NaiveDate, settings: &crate::Settings) -> Expr {
    let bounds = reporting_bounds(today, settings);
    let last = || col(initiative::Column::LastReportedOn);
    let created = || col(initiative::Column::CreatedAt);
    Expr::case(last().gte(bounds.due), REPORTING_KEYS[0].1)
        .case(last().gte(bounds.overdue), REPORTING_KEYS[1].1)
        .case(last().is_not_null(), REPORTING_KEYS[2].1)
        .case(created().gte(midnight(bounds.due)), REPORTING_KEYS[0].1)
        .case(
            created().gte(midnight(bounds.inactive)),
            REPORTING_KEYS[1].1,
        )
        .finally(REPORTING_KEYS[3].1)
        .into()
}

const REPORTING_KEYS: [(ReportingStatus, &str); 4] = [
    (ReportingStatus::OnTrack, "on_track"),
    (ReportingStatus::Due, "due"),
    (ReportingStatus::Overdue, "overdue"),
    (ReportingStatus::Inactive, "inactive"),
];

/// The per-initiative dimensions counted in one pass over the initiatives.
#[derive(Default)]
struct Dimensions {
    kind: HashMap<Option<String>, u64>,
    spectrum: HashMap<Option<String>, u64>,
    engagement_model: HashMap<Option<String>, u64>,
    outcome: HashMap<Option<String>, u64>,
    reporting: HashMap<Option<String>, u64>,
}

impl Registry {
    /// The dashboard: counts across the caller's initiatives (members: their tenant's,
    /// private ones included, or `scope`; anonymous callers: every public one).
    ///
    /// Five aggregate queries, whatever the number of initiatives, run concurrently: stages
    /// (from the tenant/stage index), the other per-initiative dimensions together in one
    /// pass, the sector mix, countries and action lines together, and registrations per month.
    pub async fn dashboard(
        &self,
        caller: &Caller,
        query: AnalyticsQuery,
    ) -> ServiceResult<Dashboard> {
        let db = self.db();
        let coverage = Coverage::listed(caller, query.scope);
        // Initiatives linked as one partnership count once, as their group's oldest record.
        let set = coverage.condition::<initiative::Entity>();
        let scope = links::counted_once(set.clone());
        let backend = db.get_database_backend();
        let now = Utc::now();
        let today = now.date_naive();

        // Stages; their sum is the total.
        let stage_query = Query::select()
            .expr(col(initiative::Column::Stage))
            .expr(count_all())
            .from(initiative::Entity)
            .cond_where(scope.clone())
            .group_by_col((initiative::Entity, initiative::Column::Stage))
            .to_owned();
        // Kind, spectrum, engagement model, outcome and reporting status in one pass: grouped
        // by all five (a few hundred groups at most), then summed per dimension here.
        let dimensions_query = Query::select()
            .expr(col(initiative::Column::Kind))
            .expr(col(initiative::Column::Spectrum))
            .expr(col(initiative::Column::EngagementModel))
            .expr(col(initiative::Column::Outcome))
            .expr(reporting_status_case(today, self.settings()))
            .expr(count_all())
            .from(initiative::Entity)
            .cond_where(scope.clone())
            .add_group_by((1..=5).map(|i| Expr::cust(i.to_string())))
            .to_owned();

        // Sector mix: active partners, and the initiatives they take part in, per sector. A
        // tenant's partners carry its id, so its own dashboard needs no join to initiatives.
        let p = |c: initiative_partner::Column| (initiative_partner::Entity, c);
        let sector_col = (organization::Entity, organization::Column::Sector);
        let mut sector_query = Query::select()
            .expr(Expr::col(sector_col))
            .expr(count_all())
            .expr(Func::count_distinct(Expr::col(p(
                initiative_partner::Column::InitiativeId,
            ))))
            .from(initiative_partner::Entity)
            .inner_join(
                organization::Entity,
                Expr::col((organization::Entity, organization::Column::Id))
                    .equals(p(initiative_partner::Column::OrganizationId)),
            )
            .and_where(
                Expr::col(p(initiative_partner::Column::Status))
                    .eq(PartnerStatus::Active.to_value()),
            )
            .group_by_col(sector_col)
            .to_owned();
        let partner_initiative = Expr::col(p(initiative_partner::Column::InitiativeId));
        match (coverage, backend) {
            (Coverage::Tenant(tenant), _) => {
                sector_query
                    .and_where(Expr::col(p(initiative_partner::Column::TenantId)).eq(tenant))
                    .cond_where(links::not_represented(
                        initiative_partner::Column::InitiativeId,
                        set,
                    ));
            }
            (_, DatabaseBackend::Postgres) => {
                sector_query
                    .inner_join(
                        initiative::Entity,
                        col(initiative::Column::Id)
                            .equals(p(initiative_partner::Column::InitiativeId)),
                    )
                    .cond_where(scope.clone());
            }
            // SQLite reads the covered ids once rather than an initiative row per partner.
            _ => {
                sector_query.and_where(partner_initiative.in_subquery(covered_ids(&scope)));
            }
        }

        // Countries and action lines, in one pass over the tags.
        let t = |c: initiative_tag::Column| (initiative_tag::Entity, c);
        let tag_query = Query::select()
            .expr(Expr::col(t(initiative_tag::Column::Kind)))
            .expr(Expr::col(t(initiative_tag::Column::Value)))
            .expr(count_all())
            .from(initiative_tag::Entity)
            .and_where(
                Expr::col(t(initiative_tag::Column::InitiativeId)).in_subquery(covered_ids(&scope)),
            )
            .and_where(
                Expr::col(t(initiative_tag::Column::Kind)).is_in([TAG_COUNTRY, TAG_ACTION_LINE]),
            )
            .group_by_col(t(initiative_tag::Column::Kind))
            .group_by_col(t(initiative_tag::Column::Value))
            .to_owned();

        // Registrations per month over the window.
        let months = month_starts(today, REGISTRATION_MONTHS);
        let since = months.first().copied().unwrap_or(today);
        let month_query = Query::select()
            .expr(month_of_creation(backend))
            .expr(count_all())
            .from(initiative::Entity)
            .cond_where(scope)
            .and_where(col(initiative::Column::CreatedAt).gte(midnight(since)))
            .add_group_by([Expr::cust("1")])
            .to_owned();

        // The five queries run together, each on its own pooled connection.
        let statements = [
            &stage_query,
            &dimensions_query,
            &sector_query,
            &tag_query,
            &month_query,
        ];
        let results = join_all(statements.iter().map(|q| db.query_all(*q)).collect()).await;
        let [
            stage_rows,
            dimension_rows,
            sector_rows,
            tag_rows,
            month_rows,
        ]: [Vec<QueryResult>; 5] = results
            .into_iter()
            .collect::<Result<Vec<_>, DbErr>>()?
            .try_into()
            .map_err(|_| ServiceError::Internal("a dashboard query went missing".into()))?;

        let stages = counted(stage_rows)?;
        let total = stages.values().sum();
        let by_stage = every(&stages, |stage: JourneyStage, count| StageCount {
            stage,
            count,
        });

        let mut dims = Dimensions::default();
        for row in dimension_rows {
            let count = as_count(row.try_get_by_index(5)?);
            for (i, map) in [
                &mut dims.kind,
                &mut dims.spectrum,
                &mut dims.engagement_model,
                &mut dims.outcome,
                &mut dims.reporting,
            ]
            .into_iter()
            .enumerate()
            {
                let key: Option<String> = row.try_get_by_index(i)?;
                *map.entry(key).or_default() += count;
            }
        }
        let by_kind = every(&dims.kind, |kind: InitiativeKind, count| KindCount {
            kind,
            count,
        });
        let by_outcome = every(&dims.outcome, |outcome: Outcome, count| OutcomeCount {
            outcome,
            count,
        });
        let mut by_spectrum = every(&dims.spectrum, |s: Spectrum, count| SpectrumCount {
            spectrum: Some(s),
            count,
        });
        by_spectrum.push(SpectrumCount {
            spectrum: None,
            count: dims.spectrum.get(&None).copied().unwrap_or(0),
        });
        let mut by_engagement_model = every(&dims.engagement_model, |m: EngagementModel, count| {
            EngagementModelCount {
                engagement_model: Some(m),
                count,
            }
        });
        by_engagement_model.push(EngagementModelCount {
            engagement_model: None,
            count: dims.engagement_model.get(&None).copied().unwrap_or(0),
        });
        let by_reporting_status = REPORTING_KEYS
            .into_iter()
            .map(|(reporting_status, key)| ReportingStatusCount {
                reporting_status,
                count: dims
                    .reporting
                    .get(&Some(key.to_owned()))
                    .copied()
                    .unwrap_or(0),
            })
            .collect();

        let mut sectors: HashMap<String, (u64, u64)> = HashMap::new();
        for row in sector_rows {
            let sector: String = row.try_get_by_index(0)?;
            let partners: i64 = row.try_get_by_index(1)?;
            let initiatives: i64 = row.try_get_by_index(2)?;
            sectors.insert(sector, (as_count(partners), as_count(initiatives)));
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

        let mut by_country = Vec::new();
        let mut by_action_line = Vec::new();
        for row in tag_rows {
            let kind: String = row.try_get_by_index(0)?;
            let code: String = row.try_get_by_index(1)?;
            let count = as_count(row.try_get_by_index(2)?);
            if kind == TAG_COUNTRY {
                let name = CountryCode::parse(&code)
                    .map(|c| c.name())
                    .unwrap_or_default();
                by_country.push(CountryCount {
                    country: code,
                    name,
                    count,
                });
            } else {
                let label = reference::action_line(&code)
                    .map(|a| a.label.to_owned())
                    .unwrap_or_default();
                by_action_line.push(ActionLineCount {
                    action_line: code,
                    label,
                    count,
                });
            }
        }
        by_country.sort_by(|a, b| b.count.cmp(&a.count).then(a.country.cmp(&b.country)));
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

        let per_month = counted(month_rows)?;
        let registrations_by_month = months
            .into_iter()
            .map(|start| {
                let month = start.format("%Y-%m").to_string();
                let count = per_month.get(&Some(month.clone())).copied().unwrap_or(0);
                MonthCount { month, count }
            })
            .collect();

        Ok(Dashboard {
            total,
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
