//! The WSIS call: "each country is encouraged to establish at least one functioning PPP or MSP
//! as a showcase". Which initiatives qualify (a checklist of named criteria, each with its
//! reason), which countries meet the call, the showcase each tenant designates per country, and
//! the country × action line coverage of functioning partnerships.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Months, NaiveDate, Utc};
use entity::{
    agreement,
    enums::{
        AgreementStatus, AgreementType, InitiativeKind, JourneyStage, Role, Sector, Visibility,
    },
    initiative, initiative_tag, showcase_designation,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, Registry, Settings,
    country::CountryCode,
    error::{FieldError, ServiceError, ServiceResult},
    initiatives::{access, load_sectors, load_tags},
    reference::ACTION_LINES,
    tenancy,
};

/// The stages in which a partnership counts as functioning.
pub const FUNCTIONING: [JourneyStage; 3] = [
    JourneyStage::Implementing,
    JourneyStage::Reviewing,
    JourneyStage::Sustaining,
];

/// One named criterion of the showcase checklist.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Criterion {
    /// `functioning`, `public_sector`, `sectors`, `signed_agreement`, `recent_report`,
    /// `health` (with `MSP_SHOWCASE_MIN_HEALTH`), `action_line`.
    pub criterion: String,
    pub passed: bool,
    /// Why it passed or failed, for people.
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Eligibility {
    pub initiative_id: Uuid,
    pub title: String,
    /// Every criterion passed.
    pub eligible: bool,
    pub criteria: Vec<Criterion>,
}

/// What the checklist looks at, for one initiative.
struct Facts {
    id: Uuid,
    title: String,
    tenant_id: Uuid,
    visibility: Visibility,
    stage: JourneyStage,
    kind: InitiativeKind,
    last_reported_on: Option<NaiveDate>,
    countries: Vec<String>,
    action_lines: Vec<String>,
    sectors: Vec<Sector>,
    signed_agreement: Option<NaiveDate>,
    /// The overall health score, read only when `MSP_SHOWCASE_MIN_HEALTH` is set.
    health: Option<f64>,
}

fn stage_name(stage: JourneyStage) -> String {
    crate::initiatives::journey::name(stage)
}

fn evaluate(f: &Facts, settings: &Settings, today: NaiveDate) -> Vec<Criterion> {
    let mut out = Vec::new();
    let mut add = |criterion: &str, passed: bool, reason: String| {
        out.push(Criterion {
            criterion: criterion.into(),
            passed,
            reason,
        });
    };
    let functioning = FUNCTIONING.contains(&f.stage);
    add(
        "functioning",
        functioning,
        if functioning {
            format!("stage is {}", stage_name(f.stage))
        } else {
            format!(
                "stage is {}; functioning means implementing, reviewing or sustaining",
                stage_name(f.stage)
            )
        },
    );
    let government = f.sectors.contains(&Sector::Government);
    add(
        "public_sector",
        government,
        if government {
            "a government partner is active".into()
        } else {
            "no active government partner".into()
        },
    );
    let needed = if f.kind == InitiativeKind::Msp {
        settings.showcase_min_sectors_msp
    } else {
        settings.showcase_min_sectors
    };
    let names: Vec<String> = f.sectors.iter().map(crate::codes::code).collect();
    add(
        "sectors",
        f.sectors.len() >= needed,
        format!(
            "{} sector(s) among active partners ({}); {} needs at least {needed}",
            f.sectors.len(),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            },
            if f.kind == InitiativeKind::Msp {
                "an MSP"
            } else {
                "a PPP"
            },
        ),
    );
    if settings.showcase_require_agreement {
        add(
            "signed_agreement",
            f.signed_agreement.is_some(),
            match f.signed_agreement {
                Some(on) => format!("partnership agreement signed on {on}"),
                None => "no signed or active partnership agreement".into(),
            },
        );
    }
    let since = today
        .checked_sub_months(Months::new(settings.showcase_report_months))
        .unwrap_or(NaiveDate::MIN);
    add(
        "recent_report",
        f.last_reported_on.is_some_and(|d| d >= since),
        match f.last_reported_on {
            Some(d) if d >= since => format!("latest progress report period ended {d}"),
            Some(d) => format!(
                "latest progress report period ended {d}, more than {} months ago",
                settings.showcase_report_months
            ),
            None => "no progress report".into(),
        },
    );
    if let Some(min) = settings.showcase_min_health {
        add(
            "health",
            f.health.is_some_and(|h| h >= min),
            match f.health {
                Some(h) if h >= min => format!("overall health score {h} of 5 (at least {min})"),
                Some(h) => format!("overall health score {h} of 5, below {min}"),
                None => format!("no health score (at least {min} needed)"),
            },
        );
    }
    add(
        "action_line",
        !f.action_lines.is_empty(),
        if f.action_lines.is_empty() {
            "not mapped to any WSIS action line".into()
        } else {
            format!("mapped to {}", f.action_lines.join(", "))
        },
    );
    out
}

/// Loads the facts of many initiatives with a few queries per batch.
async fn facts_of<C: ConnectionTrait>(
    db: &C,
    rows: Vec<initiative::Model>,
    settings: &Settings,
) -> ServiceResult<Vec<Facts>> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|r| r.id).collect();
        let mut tags = load_tags(db, &ids).await?;
        let mut sectors = load_sectors(db, &ids).await?;
        let agreements = agreement::Entity::find()
            .filter(agreement::Column::InitiativeId.is_in(ids.clone()))
            .filter(agreement::Column::AgreementType.eq(AgreementType::PartnershipAgreement))
            .filter(
                agreement::Column::Status.is_in([AgreementStatus::Signed, AgreementStatus::Active]),
            )
            .filter(agreement::Column::SignedOn.is_not_null())
            .all(db)
            .await?;
        let mut signed: HashMap<Uuid, NaiveDate> = HashMap::new();
        for a in agreements {
            if let Some(on) = a.signed_on {
                let entry = signed.entry(a.initiative_id).or_insert(on);
                *entry = (*entry).max(on);
            }
        }
        for r in chunk {
            let t = tags.remove(&r.id).unwrap_or_default();
            // One report per initiative: only when the criterion is configured.
            let health = match settings.showcase_min_health {
                Some(_) => crate::health::health_score(db, r.clone()).await?,
                None => None,
            };
            out.push(Facts {
                id: r.id,
                title: r.title.clone(),
                tenant_id: r.tenant_id,
                visibility: r.visibility,
                stage: r.stage,
                kind: r.kind,
                last_reported_on: r.last_reported_on,
                countries: t.countries,
                action_lines: t.action_lines,
                sectors: sectors.remove(&r.id).unwrap_or_default(),
                signed_agreement: signed.get(&r.id).copied(),
                health,
            });
        }
    }
    Ok(out)
}

/// An initiative named in the showcase table.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InitiativeRef {
    pub id: Uuid,
    pub title: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NearMiss {
    pub id: Uuid,
    pub title: String,
    /// The criteria it fails (one or two), with reasons.
    pub failed: Vec<Criterion>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Designation {
    pub tenant_id: Uuid,
    pub country: String,
    pub initiative_id: Uuid,
    pub title: String,
    pub designated_at: DateTime<Utc>,
    /// False when the designated initiative no longer passes the checklist.
    pub still_eligible: bool,
}

/// One country's line of the showcase table.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CountryShowcase {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub country_name: String,
    /// At least one functioning PPP/MSP passes the checklist.
    pub meets_call: bool,
    /// Why the country meets the call or does not: no initiative registered in it, none that
    /// passes the checklist, or how many do.
    pub reason: String,
    /// The initiatives in the country the table counts (the caller's view); initiatives linked
    /// as one partnership (confirmed duplicate links) count once.
    pub initiative_count: usize,
    pub eligible: Vec<InitiativeRef>,
    pub designations: Vec<Designation>,
    pub near_misses: Vec<NearMiss>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ShowcaseTable {
    pub countries: Vec<CountryShowcase>,
    /// How many countries meet the call.
    pub countries_meeting_call: usize,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignationInput {
    pub initiative_id: Uuid,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    #[default]
    Json,
    Csv,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShowcaseQuery {
    /// Only these countries, ISO 3166-1 alpha-2 codes, comma-separated (`FR,MK`): each is
    /// listed, also one without any initiative (`meets_call: false` with its reason).
    pub country: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<TableFormat>,
}

/// The country × action line matrix of functioning partnerships.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Coverage {
    /// The columns: every action line code.
    pub action_lines: Vec<String>,
    pub rows: Vec<CoverageRow>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CoverageRow {
    pub country: String,
    /// Functioning initiatives per action line code (absent codes are 0).
    pub counts: BTreeMap<String, u64>,
    /// Functioning initiatives in the country (any action line).
    pub total: u64,
}

/// The countries of the `country` parameter, checked, without repeats; `None` for every country.
fn named_countries(param: Option<&str>) -> ServiceResult<Option<Vec<String>>> {
    param
        .map(|text| crate::initiatives::country_codes("country", text, 250))
        .transpose()
}

/// A country's line before its initiatives are counted.
fn empty_line(country: &str) -> CountryShowcase {
    CountryShowcase {
        country: country.to_owned(),
        country_name: country_name(country),
        meets_call: false,
        reason: String::new(),
        initiative_count: 0,
        eligible: Vec::new(),
        designations: Vec::new(),
        near_misses: Vec::new(),
    }
}

/// Why a counted line meets the call or does not.
fn reason_of(line: &CountryShowcase) -> String {
    let name = if line.country_name.is_empty() {
        line.country.as_str()
    } else {
        line.country_name.as_str()
    };
    match (line.initiative_count, line.eligible.len()) {
        (0, _) => format!("no initiative is registered in {name}"),
        (n, 0) => format!(
            "none of the {n} initiative(s) in {name} passes the showcase checklist (active, at least two sectors including government, a signed agreement, a recent progress report): see near_misses"
        ),
        (_, 1) => "1 functioning partnership passes the showcase checklist".to_owned(),
        (_, e) => format!("{e} functioning partnerships pass the showcase checklist"),
    }
}

fn country_name(code: &str) -> String {
    CountryCode::parse(code)
        .map(|c| c.name())
        .unwrap_or_default()
}

impl Registry {
    /// The showcase checklist of one initiative the caller may read.
    pub async fn showcase_eligibility(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> ServiceResult<Eligibility> {
        let row = access::readable(self.db(), caller, id).await?;
        let facts = facts_of(self.db(), vec![row], self.settings()).await?;
        let f = facts.first().ok_or(ServiceError::NotFound {
            entity: "initiative",
        })?;
        let criteria = evaluate(f, self.settings(), Utc::now().date_naive());
        Ok(Eligibility {
            initiative_id: f.id,
            title: f.title.clone(),
            eligible: criteria.iter().all(|c| c.passed),
            criteria,
        })
    }

    /// Per country: whether it meets the call, its eligible initiatives, designated showcases and
    /// near misses. Members see their tenant's initiatives; anonymous callers the public ones.
    pub async fn showcase_table(
        &self,
        caller: &Caller,
        query: &ShowcaseQuery,
    ) -> ServiceResult<ShowcaseTable> {
        let only = named_countries(query.country.as_deref())?;
        let coverage = tenancy::Coverage::showcase(caller);
        let rows = initiative::Entity::find()
            .filter(coverage.condition::<initiative::Entity>())
            .order_by_asc(initiative::Column::TitleKey)
            .order_by_asc(initiative::Column::Id)
            .all(self.db())
            .await?;
        let facts = facts_of(self.db(), rows, self.settings()).await?;
        // Initiatives linked as one partnership (confirmed duplicates) count once per country.
        let ids: Vec<Uuid> = facts.iter().map(|f| f.id).collect();
        let groups = crate::duplicates::links::representatives(self.db(), &ids).await?;
        let mut counted: std::collections::HashSet<(String, Uuid)> = Default::default();
        let today = Utc::now().date_naive();
        // Every named country has its line, with or without initiatives.
        let mut by_country: BTreeMap<String, CountryShowcase> = only
            .iter()
            .flatten()
            .map(|c| (c.clone(), empty_line(c)))
            .collect();
        let mut eligible_ids: HashMap<Uuid, bool> = HashMap::new();
        for f in &facts {
            let criteria = evaluate(f, self.settings(), today);
            let failed: Vec<Criterion> = criteria.into_iter().filter(|c| !c.passed).collect();
            eligible_ids.insert(f.id, failed.is_empty());
            for country in &f.countries {
                if only.as_ref().is_some_and(|o| !o.contains(country)) {
                    continue;
                }
                let line = by_country
                    .entry(country.clone())
                    .or_insert_with(|| empty_line(country));
                let group = groups.get(&f.id).copied().unwrap_or(f.id);
                if counted.insert((country.clone(), group)) {
                    line.initiative_count += 1;
                }
                if failed.is_empty() {
                    line.meets_call = true;
                    line.eligible.push(InitiativeRef {
                        id: f.id,
                        title: f.title.clone(),
                    });
                } else if failed.len() <= 2 {
                    line.near_misses.push(NearMiss {
                        id: f.id,
                        title: f.title.clone(),
                        failed: failed.clone(),
                    });
                }
            }
        }
        // Designations: the caller's tenant's, or (anonymous) those of public initiatives.
        let mut designations = showcase_designation::Entity::find();
        if let Some(tenant) = coverage.tenant() {
            designations =
                designations.filter(tenancy::own::<showcase_designation::Entity>(tenant));
        }
        let titles: HashMap<Uuid, (&str, Visibility, Uuid)> = facts
            .iter()
            .map(|f| (f.id, (f.title.as_str(), f.visibility, f.tenant_id)))
            .collect();
        for d in designations.all(self.db()).await? {
            let Some((title, visibility, owner)) = titles.get(&d.initiative_id) else {
                continue;
            };
            if !coverage.allows(*owner, *visibility) {
                continue;
            }
            if let Some(line) = by_country.get_mut(&d.country) {
                line.designations.push(Designation {
                    tenant_id: d.tenant_id,
                    country: d.country.clone(),
                    initiative_id: d.initiative_id,
                    title: (*title).to_owned(),
                    designated_at: d.designated_at,
                    still_eligible: eligible_ids.get(&d.initiative_id).copied().unwrap_or(false),
                });
            }
        }
        let countries: Vec<CountryShowcase> = by_country
            .into_values()
            .map(|line| CountryShowcase {
                reason: reason_of(&line),
                ..line
            })
            .collect();
        Ok(ShowcaseTable {
            countries_meeting_call: countries.iter().filter(|c| c.meets_call).count(),
            countries,
        })
    }

    /// Designates the caller's tenant's showcase for `country` (admins and owners). Only an
    /// initiative of the tenant that works in that country and passes the checklist qualifies.
    pub async fn designate_showcase(
        &self,
        caller: &Caller,
        country: &str,
        input: DesignationInput,
    ) -> ServiceResult<Designation> {
        let principal = caller.require(Role::Admin)?;
        let country = CountryCode::parse(country)
            .map_err(|m| ServiceError::field("country", "invalid_country", m))?;
        let eligibility = self
            .showcase_eligibility(caller, input.initiative_id)
            .await?;
        let row = access::readable(self.db(), caller, input.initiative_id).await?;
        if row.tenant_id != principal.tenant_id {
            return Err(ServiceError::forbidden(
                "only the tenant's own initiatives can be its showcase",
            ));
        }
        let tags = load_tags(self.db(), &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        let mut problems = Vec::new();
        if !tags.countries.iter().any(|c| c == country.as_str()) {
            problems.push(FieldError::new(
                "initiative_id",
                "other_country",
                format!("the initiative does not work in {}", country.as_str()),
            ));
        }
        for c in eligibility.criteria.iter().filter(|c| !c.passed) {
            problems.push(FieldError::new(
                "initiative_id",
                c.criterion.clone(),
                c.reason.clone(),
            ));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Validation(problems));
        }
        let txn = self.unit_of_work().await?;
        showcase_designation::Entity::delete_many()
            .filter(crate::tenancy::own::<showcase_designation::Entity>(
                principal.tenant_id,
            ))
            .filter(showcase_designation::Column::Country.eq(country.as_str()))
            .exec(&txn)
            .await?;
        let now = Utc::now();
        showcase_designation::ActiveModel {
            tenant_id: Set(principal.tenant_id),
            country: Set(country.as_str().to_owned()),
            initiative_id: Set(row.id),
            designated_by: Set(Some(principal.subject)),
            designated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(country = country.as_str(), initiative = %row.id, "showcase designated");
        Ok(Designation {
            tenant_id: principal.tenant_id,
            country: country.as_str().to_owned(),
            initiative_id: row.id,
            title: row.title,
            designated_at: now,
            still_eligible: true,
        })
    }

    /// Removes the caller's tenant's designation for `country` (admins and owners).
    pub async fn remove_showcase(&self, caller: &Caller, country: &str) -> ServiceResult<()> {
        let principal = caller.require(Role::Admin)?;
        let country = CountryCode::parse(country)
            .map_err(|m| ServiceError::field("country", "invalid_country", m))?;
        let result = showcase_designation::Entity::delete_many()
            .filter(crate::tenancy::own::<showcase_designation::Entity>(
                principal.tenant_id,
            ))
            .filter(showcase_designation::Column::Country.eq(country.as_str()))
            .exec(self.db())
            .await?;
        if result.rows_affected == 0 {
            return Err(ServiceError::NotFound {
                entity: "showcase designation",
            });
        }
        Ok(())
    }

    /// Functioning initiatives per country and action line, counted in SQL. Initiatives linked
    /// as one partnership count once, as their group's oldest functioning record
    /// (`links::counted_once`).
    pub async fn wsis_coverage(&self, caller: &Caller) -> ServiceResult<Coverage> {
        use sea_orm::{
            ExprTrait,
            sea_query::{Alias, Expr, Func, JoinType, Query},
        };
        let functioning = sea_orm::Condition::all()
            .add(tenancy::Coverage::showcase(caller).condition::<initiative::Entity>())
            .add(initiative::Column::Stage.is_in(FUNCTIONING));
        let counted = Query::select()
            .column(initiative::Column::Id)
            .from(initiative::Entity)
            .cond_where(crate::duplicates::links::counted_once(functioning))
            .to_owned();
        let (c, a) = (Alias::new("c"), Alias::new("a"));
        let tag =
            |alias: &Alias, column: initiative_tag::Column| Expr::col((alias.clone(), column));
        let countries = || {
            Query::select()
                .expr(tag(&c, initiative_tag::Column::Value))
                .from_as(initiative_tag::Entity, c.clone())
                .and_where(tag(&c, initiative_tag::Column::Kind).eq("country"))
                .and_where(
                    tag(&c, initiative_tag::Column::InitiativeId).in_subquery(counted.clone()),
                )
                .group_by_col((c.clone(), initiative_tag::Column::Value))
                .order_by(
                    (c.clone(), initiative_tag::Column::Value),
                    sea_orm::Order::Asc,
                )
                .to_owned()
        };
        let cells = countries()
            .expr(tag(&a, initiative_tag::Column::Value))
            .expr(Func::count_distinct(tag(
                &c,
                initiative_tag::Column::InitiativeId,
            )))
            .join_as(
                JoinType::InnerJoin,
                initiative_tag::Entity,
                a.clone(),
                tag(&a, initiative_tag::Column::InitiativeId)
                    .equals((c.clone(), initiative_tag::Column::InitiativeId))
                    .and(tag(&a, initiative_tag::Column::Kind).eq("action_line")),
            )
            .group_by_col((a.clone(), initiative_tag::Column::Value))
            .order_by(
                (a.clone(), initiative_tag::Column::Value),
                sea_orm::Order::Asc,
            )
            .to_owned();
        let totals = countries()
            .expr(Func::count_distinct(tag(
                &c,
                initiative_tag::Column::InitiativeId,
            )))
            .to_owned();
        let rows = self.db().query_all(&cells).await?;
        let totals = self.db().query_all(&totals).await?;
        let mut by_country: BTreeMap<String, CoverageRow> = BTreeMap::new();
        for row in totals {
            let country: String = row.try_get_by_index(0)?;
            let n: i64 = row.try_get_by_index(1)?;
            by_country.insert(
                country.clone(),
                CoverageRow {
                    country,
                    counts: BTreeMap::new(),
                    total: u64::try_from(n).unwrap_or(0),
                },
            );
        }
        for row in rows {
            let country: String = row.try_get_by_index(0)?;
            let line: String = row.try_get_by_index(1)?;
            let n: i64 = row.try_get_by_index(2)?;
            if let Some(entry) = by_country.get_mut(&country) {
                entry.counts.insert(line, u64::try_from(n).unwrap_or(0));
            }
        }
        Ok(Coverage {
            action_lines: ACTION_LINES.iter().map(|a| a.code.to_owned()).collect(),
            rows: by_country.into_values().collect(),
        })
    }
}

/// The showcase table as CSV: one line per country.
pub fn showcase_csv(table: &ShowcaseTable) -> String {
    fn cell(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    }
    let mut out = String::from(
        "country,country_name,meets_call,eligible_count,eligible,designated,designated_still_eligible,near_misses,reason\r\n",
    );
    for c in &table.countries {
        let eligible: Vec<&str> = c.eligible.iter().map(|e| e.title.as_str()).collect();
        let designated: Vec<&str> = c.designations.iter().map(|d| d.title.as_str()).collect();
        let still: Vec<&str> = c
            .designations
            .iter()
            .map(|d| if d.still_eligible { "yes" } else { "no" })
            .collect();
        let near: Vec<String> = c
            .near_misses
            .iter()
            .map(|n| {
                format!(
                    "{} (fails: {})",
                    n.title,
                    n.failed
                        .iter()
                        .map(|f| f.criterion.as_str())
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            })
            .collect();
        out.push_str(
            &[
                cell(&c.country),
                cell(&c.country_name),
                c.meets_call.to_string(),
                c.eligible.len().to_string(),
                cell(&eligible.join("; ")),
                cell(&designated.join("; ")),
                cell(&still.join("; ")),
                cell(&near.join("; ")),
                cell(&c.reason),
            ]
            .join(","),
        );
        out.push_str("\r\n");
    }
    out
}
