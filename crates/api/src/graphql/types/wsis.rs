//! The WSIS showcase: the checklist of an initiative, the per-country table, designations and
//! the country × action line coverage. Each type mirrors the service's view of `GET
//! /api/v1/initiatives/{id}/showcase-eligibility`, `/api/v1/wsis/showcase` and
//! `/api/v1/wsis/coverage`.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use service::showcase;
use uuid::Uuid;

/// One named criterion of the showcase checklist.
#[derive(Clone, Debug, SimpleObject)]
pub struct ShowcaseCriterion {
    /// `functioning`, `public_sector`, `sectors`, `signed_agreement`, `recent_report`,
    /// `action_line`.
    pub criterion: String,
    pub passed: bool,
    /// Why it passed or failed, for people.
    pub reason: String,
}

impl From<showcase::Criterion> for ShowcaseCriterion {
    fn from(c: showcase::Criterion) -> Self {
        Self {
            criterion: c.criterion,
            passed: c.passed,
            reason: c.reason,
        }
    }
}

/// The showcase checklist of an initiative.
#[derive(Clone, Debug, SimpleObject)]
pub struct ShowcaseEligibility {
    pub initiative_id: Uuid,
    pub title: String,
    /// Every criterion passed.
    pub eligible: bool,
    pub criteria: Vec<ShowcaseCriterion>,
}

impl From<showcase::Eligibility> for ShowcaseEligibility {
    fn from(e: showcase::Eligibility) -> Self {
        Self {
            initiative_id: e.initiative_id,
            title: e.title,
            eligible: e.eligible,
            criteria: e.criteria.into_iter().map(Into::into).collect(),
        }
    }
}

/// An initiative named in the showcase table.
#[derive(Clone, Debug, SimpleObject)]
pub struct ShowcaseInitiative {
    pub id: Uuid,
    pub title: String,
}

/// An initiative of a country that fails one or two criteria.
#[derive(Clone, Debug, SimpleObject)]
pub struct ShowcaseNearMiss {
    pub id: Uuid,
    pub title: String,
    /// The criteria it fails, with reasons.
    pub failed: Vec<ShowcaseCriterion>,
}

/// A tenant's showcase for a country.
#[derive(Clone, Debug, SimpleObject)]
pub struct ShowcaseDesignation {
    pub tenant_id: Uuid,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub initiative_id: Uuid,
    pub title: String,
    pub designated_at: DateTime<Utc>,
    /// False when the designated initiative no longer passes the checklist.
    pub still_eligible: bool,
}

impl From<showcase::Designation> for ShowcaseDesignation {
    fn from(d: showcase::Designation) -> Self {
        Self {
            tenant_id: d.tenant_id,
            country: d.country,
            initiative_id: d.initiative_id,
            title: d.title,
            designated_at: d.designated_at,
            still_eligible: d.still_eligible,
        }
    }
}

/// One country's line of the showcase table.
#[derive(Clone, Debug, SimpleObject)]
pub struct CountryShowcase {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub country_name: String,
    /// At least one functioning PPP/MSP passes the checklist.
    pub meets_call: bool,
    /// Why the country meets the call or does not: no initiative registered in it, none that
    /// passes the checklist, or how many do.
    pub reason: String,
    /// The initiatives in the country the table counts (the caller's view).
    pub initiative_count: u64,
    pub eligible: Vec<ShowcaseInitiative>,
    pub designations: Vec<ShowcaseDesignation>,
    pub near_misses: Vec<ShowcaseNearMiss>,
}

/// The showcase table: per country, whether it meets the WSIS call.
#[derive(Clone, Debug, SimpleObject)]
pub struct ShowcaseTable {
    pub countries: Vec<CountryShowcase>,
    /// How many countries meet the call.
    pub countries_meeting_call: u64,
}

impl From<showcase::ShowcaseTable> for ShowcaseTable {
    fn from(t: showcase::ShowcaseTable) -> Self {
        Self {
            countries_meeting_call: t.countries_meeting_call as u64,
            countries: t
                .countries
                .into_iter()
                .map(|c| CountryShowcase {
                    country: c.country,
                    country_name: c.country_name,
                    meets_call: c.meets_call,
                    reason: c.reason,
                    initiative_count: c.initiative_count as u64,
                    eligible: c
                        .eligible
                        .into_iter()
                        .map(|i| ShowcaseInitiative {
                            id: i.id,
                            title: i.title,
                        })
                        .collect(),
                    designations: c.designations.into_iter().map(Into::into).collect(),
                    near_misses: c
                        .near_misses
                        .into_iter()
                        .map(|n| ShowcaseNearMiss {
                            id: n.id,
                            title: n.title,
                            failed: n.failed.into_iter().map(Into::into).collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Functioning initiatives of a country under one action line.
#[derive(Clone, Debug, SimpleObject)]
pub struct CoverageCell {
    /// Action line code (`C2`, `C7.e-health`).
    pub action_line: String,
    pub count: u64,
}

/// One country's row of the coverage matrix.
#[derive(Clone, Debug, SimpleObject)]
pub struct CoverageRow {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Functioning initiatives per action line, in code order; action lines without any are
    /// left out (they count 0).
    pub counts: Vec<CoverageCell>,
    /// Functioning initiatives in the country (any action line).
    pub total: u64,
}

/// The country × action line matrix of functioning partnerships.
#[derive(Clone, Debug, SimpleObject)]
pub struct WsisCoverage {
    /// The columns: every action line code.
    pub action_lines: Vec<String>,
    pub rows: Vec<CoverageRow>,
}

impl From<showcase::Coverage> for WsisCoverage {
    fn from(c: showcase::Coverage) -> Self {
        Self {
            action_lines: c.action_lines,
            rows: c
                .rows
                .into_iter()
                .map(|r| CoverageRow {
                    country: r.country,
                    counts: r
                        .counts
                        .into_iter()
                        .map(|(action_line, count)| CoverageCell { action_line, count })
                        .collect(),
                    total: r.total,
                })
                .collect(),
        }
    }
}
