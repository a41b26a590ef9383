//! The health check of a partnership over GraphQL: the report, the self-assessments and their
//! mutations, through the service functions `routes/partnership_health.rs` calls.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use service::{
    health::{self, HealthAssessmentQuery},
    pagination::Page,
};
use uuid::Uuid;

use super::{
    children::{add, child_mutations, remove, update},
    context::request,
    enums::{JourneyStage, Lever},
};

/// What a health assessment rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum AssessmentKind {
    /// The six fundamentals, filed for one partner.
    Fundamentals,
    /// The partnership team's partnering competencies (MUST).
    Competencies,
}

impl From<health::AssessmentKind> for AssessmentKind {
    fn from(k: health::AssessmentKind) -> Self {
        match k {
            health::AssessmentKind::Fundamentals => AssessmentKind::Fundamentals,
            health::AssessmentKind::Competencies => AssessmentKind::Competencies,
        }
    }
}

impl From<AssessmentKind> for health::AssessmentKind {
    fn from(k: AssessmentKind) -> Self {
        match k {
            AssessmentKind::Fundamentals => health::AssessmentKind::Fundamentals,
            AssessmentKind::Competencies => health::AssessmentKind::Competencies,
        }
    }
}

/// Whether a finding speaks for or against a fundamental.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum HealthSignal {
    Strength,
    Concern,
    /// The registry holds nothing on it: the self-assessments decide.
    Unknown,
}

impl From<health::Signal> for HealthSignal {
    fn from(s: health::Signal) -> Self {
        match s {
            health::Signal::Strength => HealthSignal::Strength,
            health::Signal::Concern => HealthSignal::Concern,
            health::Signal::Unknown => HealthSignal::Unknown,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum TrendDirection {
    Improving,
    Steady,
    Declining,
}

impl From<health::TrendDirection> for TrendDirection {
    fn from(d: health::TrendDirection) -> Self {
        match d {
            health::TrendDirection::Improving => TrendDirection::Improving,
            health::TrendDirection::Steady => TrendDirection::Steady,
            health::TrendDirection::Declining => TrendDirection::Declining,
        }
    }
}

/// One fundamental or competency rated 1–5.
#[derive(Clone, Debug, SimpleObject)]
pub struct HealthRating {
    pub code: String,
    pub rating: i32,
    pub note: Option<String>,
}

/// A self-assessment of an initiative's health.
#[derive(Clone, Debug, SimpleObject)]
pub struct HealthAssessment {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub kind: AssessmentKind,
    /// The partner a `FUNDAMENTALS` assessment speaks for; null for `COMPETENCIES`.
    pub partner_id: Option<Uuid>,
    pub ratings: Vec<HealthRating>,
    pub assessed_on: NaiveDate,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<health::HealthAssessment> for HealthAssessment {
    fn from(a: health::HealthAssessment) -> Self {
        Self {
            id: a.id,
            initiative_id: a.initiative_id,
            kind: a.kind.into(),
            partner_id: a.partner_id,
            ratings: a
                .ratings
                .into_iter()
                .map(|r| HealthRating {
                    code: r.code,
                    rating: r.rating,
                    note: r.note,
                })
                .collect(),
            assessed_on: a.assessed_on,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// What the registry's records say about a fundamental, with the reason.
#[derive(Clone, Debug, SimpleObject)]
pub struct HealthFinding {
    pub signal: HealthSignal,
    pub code: String,
    pub reason: String,
}

/// The ratings of one code over each filer's latest assessment.
#[derive(Clone, Debug, SimpleObject)]
pub struct RatingSpread {
    pub count: u32,
    pub mean: f64,
    pub min: i32,
    pub max: i32,
    /// The ratings spread by 3 or more.
    pub disagreement: bool,
}

/// The mean rating of one code on one assessment date.
#[derive(Clone, Debug, SimpleObject)]
pub struct TrendPoint {
    pub assessed_on: NaiveDate,
    pub mean: f64,
    pub count: u32,
}

fn trend(points: Vec<health::TrendPoint>) -> Vec<TrendPoint> {
    points
        .into_iter()
        .map(|p| TrendPoint {
            assessed_on: p.assessed_on,
            mean: p.mean,
            count: p.count,
        })
        .collect()
}

/// One fundamental's health (as REST's `FundamentalHealth`).
#[derive(Clone, Debug, SimpleObject)]
pub struct FundamentalHealth {
    pub code: String,
    pub label: String,
    pub findings: Vec<HealthFinding>,
    pub evidence_score: Option<f64>,
    pub self_assessment: Option<RatingSpread>,
    pub trend: Vec<TrendPoint>,
    pub trend_direction: Option<TrendDirection>,
    pub score: Option<f64>,
}

/// One partnering competency of the team.
#[derive(Clone, Debug, SimpleObject)]
pub struct CompetencyHealth {
    pub code: String,
    pub label: String,
    pub latest: Option<i32>,
    pub trend: Vec<TrendPoint>,
    pub trend_direction: Option<TrendDirection>,
}

/// What to do about the weakest fundamental.
#[derive(Clone, Debug, SimpleObject)]
pub struct HealthSuggestion {
    pub fundamental: String,
    pub levers: Vec<Lever>,
    pub next_stage: JourneyStage,
    pub reason: String,
}

/// The health report of an initiative (as `GET /api/v1/initiatives/{id}/health`).
#[derive(Clone, Debug, SimpleObject)]
pub struct HealthReport {
    pub initiative_id: Uuid,
    pub fundamentals: Vec<FundamentalHealth>,
    pub competencies: Vec<CompetencyHealth>,
    pub overall_score: Option<f64>,
    pub disagreements: Vec<String>,
    pub suggestion: Option<HealthSuggestion>,
    pub assessments: u32,
}

impl From<health::HealthReport> for HealthReport {
    fn from(r: health::HealthReport) -> Self {
        Self {
            initiative_id: r.initiative_id,
            fundamentals: r
                .fundamentals
                .into_iter()
                .map(|f| FundamentalHealth {
                    code: f.code,
                    label: f.label,
                    findings: f
                        .findings
                        .into_iter()
                        .map(|x| HealthFinding {
                            signal: x.signal.into(),
                            code: x.code,
                            reason: x.reason,
                        })
                        .collect(),
                    evidence_score: f.evidence_score,
                    self_assessment: f.self_assessment.map(|s| RatingSpread {
                        count: s.count,
                        mean: s.mean,
                        min: s.min,
                        max: s.max,
                        disagreement: s.disagreement,
                    }),
                    trend: trend(f.trend),
                    trend_direction: f.trend_direction.map(Into::into),
                    score: f.score,
                })
                .collect(),
            competencies: r
                .competencies
                .into_iter()
                .map(|c| CompetencyHealth {
                    code: c.code,
                    label: c.label,
                    latest: c.latest,
                    trend: trend(c.trend),
                    trend_direction: c.trend_direction.map(Into::into),
                })
                .collect(),
            overall_score: r.overall_score,
            disagreements: r.disagreements,
            suggestion: r.suggestion.map(|s| HealthSuggestion {
                fundamental: s.fundamental,
                levers: s.levers.into_iter().map(Into::into).collect(),
                next_stage: s.next_stage.into(),
                reason: s.reason,
            }),
            assessments: r.assessments,
        }
    }
}

/// One rating of a new or changed assessment.
#[derive(InputObject)]
pub struct HealthRatingInput {
    /// A code of the `FUNDAMENTALS` (or `COMPETENCIES`) reference vocabulary.
    pub code: String,
    /// 1 (weak) to 5 (strong).
    pub rating: i32,
    pub note: Option<String>,
}

fn ratings(input: Vec<HealthRatingInput>) -> Vec<health::HealthRating> {
    input
        .into_iter()
        .map(|r| health::HealthRating {
            code: r.code,
            rating: r.rating,
            note: r.note,
        })
        .collect()
}

/// A new health self-assessment.
#[derive(InputObject)]
pub struct NewHealthAssessmentInput {
    pub kind: AssessmentKind,
    /// For `FUNDAMENTALS`: the partner of the initiative it speaks for; absent for
    /// `COMPETENCIES`.
    pub partner_id: Option<Uuid>,
    pub ratings: Vec<HealthRatingInput>,
    /// Today when absent.
    pub assessed_on: Option<NaiveDate>,
}

impl From<NewHealthAssessmentInput> for health::NewHealthAssessment {
    fn from(i: NewHealthAssessmentInput) -> Self {
        health::NewHealthAssessment {
            kind: i.kind.into(),
            partner_id: i.partner_id,
            ratings: ratings(i.ratings),
            assessed_on: i.assessed_on,
        }
    }
}

/// Changes to a self-assessment: absent fields stay; `ratings` replaces the list.
#[derive(Default, InputObject)]
pub struct HealthAssessmentPatchInput {
    pub ratings: Option<Vec<HealthRatingInput>>,
    pub assessed_on: Option<NaiveDate>,
}

impl From<HealthAssessmentPatchInput> for health::HealthAssessmentPatch {
    fn from(p: HealthAssessmentPatchInput) -> Self {
        health::HealthAssessmentPatch {
            ratings: p.ratings.map(ratings),
            assessed_on: p.assessed_on,
        }
    }
}

#[derive(Default)]
pub struct HealthQuery;

#[Object]
impl HealthQuery {
    /// The health report of an initiative the caller may read (as
    /// `GET /api/v1/initiatives/{id}/health`).
    async fn initiative_health(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
    ) -> async_graphql::Result<HealthReport> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .initiative_health(&rc.caller, initiative_id)
            .await;
        Ok(rc.map(done)?.into())
    }

    /// One page of an initiative's health self-assessments, oldest first (as
    /// `GET /api/v1/initiatives/{id}/health-assessments`; `perPage` at most the list maximum).
    async fn health_assessments(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        kind: Option<AssessmentKind>,
        page: Option<u64>,
        per_page: Option<u64>,
    ) -> async_graphql::Result<Vec<HealthAssessment>> {
        let rc = request(ctx)?;
        let done: Result<Page<health::HealthAssessment>, _> = rc
            .registry
            .list_children::<health::HealthAssessments>(
                &rc.caller,
                initiative_id,
                HealthAssessmentQuery {
                    kind: kind.map(Into::into),
                    page,
                    per_page,
                },
            )
            .await;
        Ok(rc.map(done)?.items.into_iter().map(Into::into).collect())
    }
}

child_mutations! {
    HealthMutation for service::health::HealthAssessments => HealthAssessment {
        /// Files a health self-assessment: `FUNDAMENTALS` for one partner of the initiative, or
        /// the team's `COMPETENCIES`; every bad rating is named. Editors and above of the
        /// initiative's tenant; recorded in its history with `reason`.
        add_health_assessment(NewHealthAssessmentInput);
        /// Changes a self-assessment's ratings or date, provided `expectedVersion` is its current
        /// version (`STALE_VERSION` otherwise).
        update_health_assessment(HealthAssessmentPatchInput);
        /// Removes a self-assessment, provided `expectedVersion` is current. Returns the removed id.
        remove_health_assessment;
    }
}
