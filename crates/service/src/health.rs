//! The health check of a partnership against its six fundamentals (value creation; the right
//! stakeholders and resources; shared vision and aligned interest; compatible values; empowered
//! partners; senior-level commitment and skills).
//!
//! Two sources are combined per fundamental. The partners' **self-assessments**
//! ([`HealthAssessments`], a child record of the initiative): a partner's representative rates
//! each fundamental 1–5 with a note, and the partnership team rates its partnering competencies
//! ("MUST": mindset, understanding of other sectors, skills in human relationships, technical
//! partnering knowledge) likewise. And the registry's own **evidence**: what the initiative's
//! records say (its value assessment, its partners' sectors, roles, influence and stated gains,
//! its needs and contributions, its journey stage and texts, its agreements), as findings that
//! each give their reason. [`Registry::initiative_health`] builds the report: per fundamental
//! the findings, the self-assessment's mean, minimum and maximum over each filer's latest
//! assessment, a disagreement flag when those ratings spread by [`DISAGREEMENT_SPREAD`] or more,
//! the trend over the assessment dates, a score; then the overall score, the weakest
//! fundamental, and the levers and next journey step that address it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agreement, contribution,
    enums::{
        AgreementStatus, AgreementType, Gain, JourneyStage, Lever, PartnerRole, PartnerStatus,
        RepresentativeLevel, ResourceKind, Sector,
    },
    health_assessment, initiative, initiative_partner, initiative_tag, organization,
    value_assessment,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder, Select, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Principal, Registry,
    children::{ChildResource, child_table},
    codes::from_code,
    error::ServiceResult,
    initiatives::{TAG_NEED, access},
    reference::{COMPETENCIES, FUNDAMENTALS, Row},
    tenancy,
    validation::Checks,
};

/// The lowest and highest rating of a self-assessment.
pub const MIN_RATING: i32 = 1;
pub const MAX_RATING: i32 = 5;
/// Partners disagree on a fundamental when their latest ratings of it differ by this much or
/// more (one rates it 4, another 1).
pub const DISAGREEMENT_SPREAD: i32 = 3;
/// A trend is `improving` or `declining` when the latest date's mean differs from the first
/// date's by at least this much; else `steady`.
pub const TREND_STEP: f64 = 0.5;

/// What a health assessment rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    /// The six fundamentals (`/api/v1/reference/fundamentals`), filed for one partner.
    Fundamentals,
    /// The partnership team's partnering competencies (`/api/v1/reference/competencies`).
    Competencies,
}

impl AssessmentKind {
    fn as_str(self) -> &'static str {
        match self {
            AssessmentKind::Fundamentals => "fundamentals",
            AssessmentKind::Competencies => "competencies",
        }
    }

    fn parse(raw: &str) -> AssessmentKind {
        if raw == "competencies" {
            AssessmentKind::Competencies
        } else {
            AssessmentKind::Fundamentals
        }
    }

    fn vocabulary(self) -> &'static [Row] {
        match self {
            AssessmentKind::Fundamentals => FUNDAMENTALS,
            AssessmentKind::Competencies => COMPETENCIES,
        }
    }
}

/// One fundamental or competency rated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthRating {
    /// A code of `/api/v1/reference/fundamentals` (or `competencies`, as the kind says).
    pub code: String,
    /// 1 (weak) to 5 (strong).
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    #[serde(default)]
    pub note: Option<String>,
}

/// A self-assessment of an initiative's health.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HealthAssessment {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub kind: AssessmentKind,
    /// The partner whose representative filed a `fundamentals` assessment; null for the
    /// partnership team's `competencies` (or once that partner was removed).
    pub partner_id: Option<Uuid>,
    pub ratings: Vec<HealthRating>,
    pub assessed_on: NaiveDate,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "competencies",
    "assessed_on": "2026-06-30",
    "ratings": [{"code": "mindset", "rating": 4, "note": "Leaders take risks together"},
                {"code": "technical_knowledge", "rating": 2}]
}))]
pub struct NewHealthAssessment {
    pub kind: AssessmentKind,
    /// For `fundamentals`: the partner (of this initiative) the assessment speaks for. Absent
    /// for `competencies`.
    #[serde(default)]
    pub partner_id: Option<Uuid>,
    /// Some or all of the kind's codes, each once.
    pub ratings: Vec<HealthRating>,
    /// The day of the assessment; today when absent.
    #[serde(default)]
    pub assessed_on: Option<NaiveDate>,
}

/// A PATCH of a health assessment: absent fields stay; `ratings` replaces the list.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthAssessmentPatch {
    #[serde(default)]
    pub ratings: Option<Vec<HealthRating>>,
    #[serde(default)]
    pub assessed_on: Option<NaiveDate>,
}

/// The health assessments of one initiative, oldest first: a kind filter and paging.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HealthAssessmentQuery {
    /// Only assessments of this kind.
    pub kind: Option<AssessmentKind>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Checks ratings against the kind's vocabulary: every code known and rated once, every rating
/// from 1 to 5, every note at most 2,000 characters.
fn check_ratings(c: &mut Checks, kind: AssessmentKind, ratings: &[HealthRating]) {
    if ratings.is_empty() {
        c.push("ratings", "required", "rate at least one");
    }
    let vocabulary = kind.vocabulary();
    let mut seen: Vec<&str> = Vec::new();
    for (i, r) in ratings.iter().enumerate() {
        if !vocabulary.iter().any(|(code, _, _)| *code == r.code) {
            c.push(
                &format!("ratings[{i}].code"),
                "unknown_code",
                format!("not one of the {}", kind.as_str()),
            );
        } else if seen.contains(&r.code.as_str()) {
            c.push(
                &format!("ratings[{i}].code"),
                "duplicate",
                "each code is rated once",
            );
        }
        seen.push(&r.code);
        if !(MIN_RATING..=MAX_RATING).contains(&r.rating) {
            c.push(
                &format!("ratings[{i}].rating"),
                "out_of_range",
                "must be from 1 to 5",
            );
        }
        c.optional_text(&format!("ratings[{i}].note"), r.note.as_deref(), 2_000);
    }
}

/// The ratings with their notes trimmed (a blank note is none).
fn cleaned(ratings: Vec<HealthRating>) -> Vec<HealthRating> {
    ratings
        .into_iter()
        .map(|r| HealthRating {
            note: r
                .note
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            ..r
        })
        .collect()
}

fn to_view(m: health_assessment::Model) -> HealthAssessment {
    HealthAssessment {
        id: m.id,
        initiative_id: m.initiative_id,
        kind: AssessmentKind::parse(&m.kind),
        partner_id: m.partner_id,
        ratings: serde_json::from_str(&m.ratings).unwrap_or_default(),
        assessed_on: m.assessed_on,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn ratings_json(ratings: &[HealthRating]) -> String {
    serde_json::to_string(ratings).unwrap_or_else(|_| "[]".into())
}

/// The health assessments of initiatives, as a child resource.
pub struct HealthAssessments;

impl ChildResource for HealthAssessments {
    child_table!(health_assessment, view: HealthAssessment, query: HealthAssessmentQuery);
    type New = NewHealthAssessment;
    type Patch = HealthAssessmentPatch;

    const KIND: EntityKind = EntityKind::HealthAssessment;
    const NAME: &'static str = "health assessment";

    fn filter(
        select: Select<health_assessment::Entity>,
        query: &HealthAssessmentQuery,
    ) -> ServiceResult<Select<health_assessment::Entity>> {
        Ok(match query.kind {
            Some(kind) => select.filter(health_assessment::Column::Kind.eq(kind.as_str())),
            None => select,
        })
    }

    /// Oldest assessment first.
    fn order(select: Select<health_assessment::Entity>) -> Select<health_assessment::Entity> {
        select
            .order_by_asc(health_assessment::Column::AssessedOn)
            .order_by_asc(health_assessment::Column::CreatedAt)
            .order_by_asc(health_assessment::Column::Id)
    }

    async fn views<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        rows: Vec<health_assessment::Model>,
    ) -> ServiceResult<Vec<HealthAssessment>> {
        Ok(rows.into_iter().map(to_view).collect())
    }

    async fn new_row<C: ConnectionTrait>(
        db: &C,
        initiative: &initiative::Model,
        _principal: &Principal,
        input: NewHealthAssessment,
    ) -> ServiceResult<health_assessment::ActiveModel> {
        let mut c = Checks::new();
        check_ratings(&mut c, input.kind, &input.ratings);
        c.date("assessed_on", input.assessed_on);
        match (input.kind, input.partner_id) {
            (AssessmentKind::Fundamentals, None) => c.push(
                "partner_id",
                "required",
                "a fundamentals assessment speaks for one partner of the initiative",
            ),
            (AssessmentKind::Competencies, Some(_)) => c.push(
                "partner_id",
                "not_allowed",
                "competencies are the partnership team's: name no partner",
            ),
            (AssessmentKind::Fundamentals, Some(partner)) => {
                let known = initiative_partner::Entity::find_by_id(partner)
                    .filter(initiative_partner::Column::InitiativeId.eq(initiative.id))
                    .one(db)
                    .await?
                    .is_some();
                if !known {
                    c.push(
                        "partner_id",
                        "unknown_partner",
                        "must be a partner of this initiative",
                    );
                }
            }
            (AssessmentKind::Competencies, None) => {}
        }
        c.finish()?;
        Ok(health_assessment::ActiveModel {
            kind: Set(input.kind.as_str().to_owned()),
            partner_id: Set(input.partner_id),
            ratings: Set(ratings_json(&cleaned(input.ratings))),
            assessed_on: Set(input.assessed_on.unwrap_or_else(|| Utc::now().date_naive())),
            ..Default::default()
        })
    }

    async fn patch_row<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        before: &HealthAssessment,
        patch: HealthAssessmentPatch,
    ) -> ServiceResult<health_assessment::ActiveModel> {
        let ratings = patch.ratings.unwrap_or_else(|| before.ratings.clone());
        let assessed_on = patch.assessed_on.unwrap_or(before.assessed_on);
        let mut c = Checks::new();
        check_ratings(&mut c, before.kind, &ratings);
        c.date("assessed_on", Some(assessed_on));
        c.finish()?;
        Ok(health_assessment::ActiveModel {
            ratings: Set(ratings_json(&cleaned(ratings))),
            assessed_on: Set(assessed_on),
            ..Default::default()
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The report

/// Whether a finding speaks for or against a fundamental.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    Strength,
    Concern,
    /// The registry holds nothing on it: the self-assessments decide.
    Unknown,
}

/// What the registry's records say about a fundamental, with the reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub signal: Signal,
    /// A stable code of the finding (`value_assessed`, `one_sector`, …).
    pub code: String,
    /// Why, from the records.
    pub reason: String,
}

/// The ratings of one code over each filer's latest assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RatingSpread {
    /// How many filers rated it.
    pub count: u32,
    /// Rounded to two decimals.
    pub mean: f64,
    pub min: i32,
    pub max: i32,
    /// The ratings spread by 3 or more: the partners see it very differently.
    pub disagreement: bool,
}

/// The mean rating of one code on one assessment date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrendPoint {
    pub assessed_on: NaiveDate,
    pub mean: f64,
    pub count: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    Improving,
    Steady,
    Declining,
}

/// One fundamental's health.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FundamentalHealth {
    /// A code of `/api/v1/reference/fundamentals`.
    pub code: String,
    pub label: String,
    /// What the registry's records say, each with its reason.
    pub findings: Vec<Finding>,
    /// The findings as a score from 1 to 5: 3, plus one per strength, minus one per concern;
    /// null when the registry holds nothing on it.
    pub evidence_score: Option<f64>,
    /// The self-assessments (each partner's latest); null when none rated it.
    pub self_assessment: Option<RatingSpread>,
    /// The mean rating per assessment date, oldest first.
    pub trend: Vec<TrendPoint>,
    /// From the first date to the last (null with fewer than two dates).
    pub trend_direction: Option<TrendDirection>,
    /// The mean of the evidence score and the self-assessment mean (whichever exist), from 1
    /// to 5; null when neither does.
    pub score: Option<f64>,
}

/// One partnering competency of the team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompetencyHealth {
    /// A code of `/api/v1/reference/competencies`.
    pub code: String,
    pub label: String,
    /// The latest competencies assessment's rating, and how it spread across assessments.
    pub latest: Option<i32>,
    pub trend: Vec<TrendPoint>,
    pub trend_direction: Option<TrendDirection>,
}

/// What to do about the weakest fundamental.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HealthSuggestion {
    /// The weakest fundamental (the lowest score; the first in reference order on a tie).
    pub fundamental: String,
    /// Levers (`/api/v1/reference/levers`) that address it.
    pub levers: Vec<Lever>,
    /// The journey step that addresses it: its stage of the development journey when the
    /// initiative has not reached it yet, else `reviewing` (review the partnership).
    pub next_stage: JourneyStage,
    pub reason: String,
}

/// The health report of an initiative.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HealthReport {
    pub initiative_id: Uuid,
    /// The six fundamentals, in reference order.
    pub fundamentals: Vec<FundamentalHealth>,
    /// The four MUST competencies, in reference order.
    pub competencies: Vec<CompetencyHealth>,
    /// The mean of the fundamentals' scores, from 1 to 5 (two decimals).
    pub overall_score: Option<f64>,
    /// Fundamentals on which partners disagree.
    pub disagreements: Vec<String>,
    pub suggestion: Option<HealthSuggestion>,
    /// How many assessments the report read.
    pub assessments: u32,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn mean(values: &[i32]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(f64::from(values.iter().sum::<i32>()) / values.len() as f64)
    }
}

fn finding(signal: Signal, code: &str, reason: impl Into<String>) -> Finding {
    Finding {
        signal,
        code: code.to_owned(),
        reason: reason.into(),
    }
}

fn label_of(vocabulary: &[Row], code: &str) -> String {
    vocabulary
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, label, _)| (*label).to_owned())
        .unwrap_or_default()
}

/// The levers and journey stage that address a weak fundamental.
fn remedy(code: &str) -> (Vec<Lever>, JourneyStage) {
    match code {
        "value_creation" => (
            vec![Lever::InclusiveBusiness, Lever::EvidenceInformationData],
            JourneyStage::AgreeObjectives,
        ),
        "stakeholders_resources" => (
            vec![Lever::AffordableFinance, Lever::HumanCommunityCapital],
            JourneyStage::AgreeResources,
        ),
        "shared_vision" => (
            vec![
                Lever::AdvocacyBalancingPower,
                Lever::InfluenceBehaviourChange,
            ],
            JourneyStage::AgreeVision,
        ),
        "compatible_values" => (
            vec![Lever::NewNorms, Lever::Standards],
            JourneyStage::AgreePurpose,
        ),
        "empowered_partners" => (
            vec![Lever::Organisation, Lever::AdvocacyBalancingPower],
            JourneyStage::Structure,
        ),
        _ => (
            vec![
                Lever::PolicyRegulationTaxation,
                Lever::EducationCapacityDevelopment,
            ],
            JourneyStage::SignAgreement,
        ),
    }
}

fn stage_index(stage: JourneyStage) -> usize {
    JourneyStage::iter()
        .position(|s| s == stage)
        .unwrap_or_default()
}

/// Per date, the mean of the ratings of `code` in `assessments` (oldest first).
fn trend_of(assessments: &[&HealthAssessment], code: &str) -> Vec<TrendPoint> {
    let mut by_day: BTreeMap<NaiveDate, Vec<i32>> = BTreeMap::new();
    for a in assessments {
        if let Some(r) = a.ratings.iter().find(|r| r.code == code) {
            by_day.entry(a.assessed_on).or_default().push(r.rating);
        }
    }
    by_day
        .into_iter()
        .filter_map(|(day, ratings)| {
            mean(&ratings).map(|m| TrendPoint {
                assessed_on: day,
                mean: round2(m),
                count: ratings.len() as u32,
            })
        })
        .collect()
}

fn direction(trend: &[TrendPoint]) -> Option<TrendDirection> {
    let (first, last) = (trend.first()?, trend.last()?);
    if trend.len() < 2 {
        return None;
    }
    let delta = last.mean - first.mean;
    Some(if delta >= TREND_STEP {
        TrendDirection::Improving
    } else if delta <= -TREND_STEP {
        TrendDirection::Declining
    } else {
        TrendDirection::Steady
    })
}

/// What the registry holds about an initiative, for the findings.
struct Evidence {
    initiative: initiative::Model,
    /// Partners (not former) with their organisations.
    partners: Vec<(initiative_partner::Model, organization::Model)>,
    contributions: Vec<contribution::Model>,
    agreements: Vec<agreement::Model>,
    value: Option<crate::valuation::ValueAssessment>,
    needs: Vec<ResourceKind>,
}

fn codes_of<T: serde::de::DeserializeOwned>(json: &str) -> Vec<T> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| from_code(c))
        .collect()
}

fn sector_name(s: Sector) -> String {
    crate::codes::code(&s)
}

fn findings_of(code: &str, e: &Evidence) -> Vec<Finding> {
    use Signal::{Concern, Strength, Unknown};
    let mut out = Vec::new();
    match code {
        "value_creation" => match &e.value {
            None => out.push(finding(
                Concern,
                "no_value_assessment",
                "no value assessment is recorded: what value the partnership creates is not known",
            )),
            Some(v) => {
                let s = &v.summary;
                if s.value_created_by.is_empty() {
                    out.push(finding(
                        Concern,
                        "little_value",
                        format!(
                            "the value assessment rates no source of value 2 or more (score {} of {})",
                            s.score, s.max_score
                        ),
                    ));
                } else {
                    let sources: Vec<String> =
                        s.value_created_by.iter().map(crate::codes::code).collect();
                    out.push(finding(
                        Strength,
                        "value_created",
                        format!(
                            "the value assessment finds value created by {} (score {} of {})",
                            sources.join(", "),
                            s.score,
                            s.max_score
                        ),
                    ));
                }
            }
        },
        "stakeholders_resources" => {
            let sectors: BTreeSet<String> = e
                .partners
                .iter()
                .map(|(_, o)| sector_name(o.sector))
                .collect();
            let listed = sectors.iter().cloned().collect::<Vec<_>>().join(", ");
            if sectors.len() >= 2 {
                out.push(finding(
                    Strength,
                    "several_sectors",
                    format!("partners come from {} sectors: {listed}", sectors.len()),
                ));
            } else {
                out.push(finding(
                    Concern,
                    "one_sector",
                    if sectors.is_empty() {
                        "the initiative has no partners".to_owned()
                    } else {
                        format!("every partner comes from one sector: {listed}")
                    },
                ));
            }
            if !e.partners.is_empty() && !sectors.contains("government") {
                out.push(finding(
                    Concern,
                    "no_public_sector",
                    "no partner comes from government (the public sector)",
                ));
            }
            let offered: Vec<ResourceKind> =
                e.contributions.iter().map(|c| c.resource_kind).collect();
            let unmet: Vec<String> = e
                .needs
                .iter()
                .filter(|n| !offered.contains(n))
                .map(crate::codes::code)
                .collect();
            if !unmet.is_empty() {
                out.push(finding(
                    Concern,
                    "unmet_needs",
                    format!("stated needs no contribution covers: {}", unmet.join(", ")),
                ));
            } else if !e.needs.is_empty() {
                out.push(finding(
                    Strength,
                    "needs_covered",
                    "every stated need is covered by a contribution",
                ));
            }
            if e.contributions.is_empty() {
                out.push(finding(
                    Concern,
                    "no_contributions",
                    "no contributions are recorded",
                ));
            }
        }
        "shared_vision" => {
            let reached = stage_index(e.initiative.stage);
            if reached > stage_index(JourneyStage::AgreeObjectives) {
                out.push(finding(
                    Strength,
                    "objectives_agreed",
                    format!(
                        "the journey is past agreeing the vision, purpose and objectives (stage {})",
                        crate::codes::code(&e.initiative.stage)
                    ),
                ));
            } else if reached > stage_index(JourneyStage::AgreeVision) {
                out.push(finding(
                    Strength,
                    "vision_agreed",
                    format!(
                        "the vision is agreed; objectives not yet (stage {})",
                        crate::codes::code(&e.initiative.stage)
                    ),
                ));
            } else {
                out.push(finding(
                    Concern,
                    "vision_not_agreed",
                    format!(
                        "no vision is agreed yet (stage {})",
                        crate::codes::code(&e.initiative.stage)
                    ),
                ));
            }
            if e.initiative
                .description
                .as_deref()
                .or(e.initiative.summary.as_deref())
                .is_none_or(|t| t.trim().is_empty())
            {
                out.push(finding(
                    Concern,
                    "purpose_unstated",
                    "the initiative states no summary or description of its purpose",
                ));
            }
            let silent: Vec<&str> = e
                .partners
                .iter()
                .filter(|(p, _)| codes_of::<Gain>(&p.gains).is_empty())
                .map(|(_, o)| o.name.as_str())
                .collect();
            if e.partners.is_empty() {
            } else if silent.is_empty() {
                out.push(finding(
                    Strength,
                    "gains_stated",
                    "every partner states what it gains (aligned interest)",
                ));
            } else {
                out.push(finding(
                    Concern,
                    "gains_unstated",
                    format!("partners stating no gain: {}", silent.join(", ")),
                ));
            }
        }
        "compatible_values" => out.push(finding(
            Unknown,
            "not_recorded",
            "the registry records nothing of the partners' values: the self-assessments decide",
        )),
        "empowered_partners" => {
            let roles: BTreeSet<String> = e
                .partners
                .iter()
                .flat_map(|(p, _)| codes_of::<PartnerRole>(&p.roles))
                .map(|r| crate::codes::code(&r))
                .collect();
            if e.partners.len() >= 2 && roles.len() >= 3 {
                out.push(finding(
                    Strength,
                    "roles_spread",
                    format!("partners hold {} different roles", roles.len()),
                ));
            } else if e.partners.len() >= 2 {
                out.push(finding(
                    Concern,
                    "roles_narrow",
                    format!("partners hold only {} different roles", roles.len()),
                ));
            }
            let influence: Vec<i16> = e.partners.iter().filter_map(|(p, _)| p.influence).collect();
            if let (Some(lo), Some(hi)) = (influence.iter().min(), influence.iter().max())
                && influence.len() >= 2
            {
                if hi - lo >= 3 {
                    out.push(finding(
                        Concern,
                        "influence_concentrated",
                        format!("partners' influence ranges from {lo} to {hi}"),
                    ));
                } else {
                    out.push(finding(
                        Strength,
                        "influence_balanced",
                        format!("partners' influence is balanced ({lo} to {hi})"),
                    ));
                }
            }
            let contributing: BTreeSet<Uuid> =
                e.contributions.iter().map(|c| c.partner_id).collect();
            let idle = e
                .partners
                .iter()
                .filter(|(p, _)| !contributing.contains(&p.id))
                .count();
            if !e.contributions.is_empty() && idle > 0 {
                out.push(finding(
                    Concern,
                    "partners_not_contributing",
                    format!("{idle} of {} partners contribute nothing", e.partners.len()),
                ));
            }
        }
        _ => {
            let signed: Vec<&agreement::Model> = e
                .agreements
                .iter()
                .filter(|a| matches!(a.status, AgreementStatus::Signed | AgreementStatus::Active))
                .collect();
            match signed
                .iter()
                .find(|a| a.agreement_type == AgreementType::PartnershipAgreement)
            {
                Some(a) => {
                    let parties = crate::agreements::party_ids(a);
                    out.push(finding(
                        Strength,
                        "agreement_signed",
                        format!(
                            "a partnership agreement is signed by {} of {} partners{}",
                            parties.len(),
                            e.partners.len(),
                            a.signed_on.map(|d| format!(" on {d}")).unwrap_or_default()
                        ),
                    ));
                    out.push(signatory_level(e, a, &parties));
                }
                None if !signed.is_empty() => out.push(finding(
                    Strength,
                    "commitment_signed",
                    format!(
                        "{} signed agreement(s), none a partnership agreement",
                        signed.len()
                    ),
                )),
                None => out.push(finding(
                    Concern,
                    "nothing_signed",
                    "no agreement is signed: no commitment at signatory level is recorded",
                )),
            }
        }
    }
    out
}

/// Senior-level commitment read off the signed partnership agreement: for each party, the
/// level its elements give the representative who signed for it (or, where no signature is
/// recorded, its named representatives; the highest where there are several).
fn signatory_level(e: &Evidence, agreement: &agreement::Model, parties: &[Uuid]) -> Finding {
    use Signal::{Concern, Strength, Unknown};
    let representatives = crate::agreements::elements_of(agreement).representatives;
    let signatures = crate::agreements::signatures_of(agreement);
    let name_of = |id: &Uuid| {
        e.partners
            .iter()
            .find(|(p, _)| p.id == *id)
            .map_or_else(|| id.to_string(), |(_, o)| o.name.clone())
    };
    let mut below = Vec::new();
    let mut unnamed = Vec::new();
    for party in parties {
        let signed_for: Vec<&str> = signatures
            .iter()
            .filter(|s| s.partner_id == *party)
            .map(|s| s.representative.as_str())
            .collect();
        let levels: Vec<RepresentativeLevel> = representatives
            .iter()
            .filter(|r| r.partner_id == *party)
            .filter(|r| signed_for.is_empty() || signed_for.contains(&r.name.as_str()))
            .map(|r| r.level)
            .collect();
        if levels.is_empty() {
            unnamed.push(name_of(party));
        } else if !levels.iter().any(|l| l.is_senior()) {
            below.push(name_of(party));
        }
    }
    if !below.is_empty() {
        finding(
            Concern,
            "signatories_below_senior",
            format!(
                "represented below senior level in the agreement: {}",
                below.join(", ")
            ),
        )
    } else if !unnamed.is_empty() {
        finding(
            Unknown,
            "representatives_unnamed",
            format!(
                "the agreement gives no level for the representative of: {}",
                unnamed.join(", ")
            ),
        )
    } else {
        finding(
            Strength,
            "signatories_senior",
            format!(
                "every party ({}) is represented at senior or executive level",
                parties.len()
            ),
        )
    }
}

fn evidence_score(findings: &[Finding]) -> Option<f64> {
    let strengths = findings
        .iter()
        .filter(|f| f.signal == Signal::Strength)
        .count() as f64;
    let concerns = findings
        .iter()
        .filter(|f| f.signal == Signal::Concern)
        .count() as f64;
    if strengths + concerns == 0.0 {
        return None;
    }
    Some((3.0 + strengths - concerns).clamp(1.0, 5.0))
}

/// Each filer's latest fundamentals assessment, by the partner it speaks for (`None`: a partner
/// since removed), of `assessments` (oldest first).
fn latest_by_filer(assessments: &[HealthAssessment]) -> BTreeMap<Option<Uuid>, &HealthAssessment> {
    let mut latest = BTreeMap::new();
    for a in assessments
        .iter()
        .filter(|a| a.kind == AssessmentKind::Fundamentals)
    {
        latest.insert(a.partner_id, a);
    }
    latest
}

/// Builds the report from the evidence and the assessments (oldest first).
fn report(e: &Evidence, assessments: &[HealthAssessment]) -> HealthReport {
    let fundamentals_filed: Vec<&HealthAssessment> = assessments
        .iter()
        .filter(|a| a.kind == AssessmentKind::Fundamentals)
        .collect();
    let latest = latest_by_filer(assessments);
    let mut fundamentals = Vec::new();
    for (code, label, _) in FUNDAMENTALS {
        let findings = findings_of(code, e);
        let evidence = evidence_score(&findings);
        let ratings: Vec<i32> = latest
            .values()
            .filter_map(|a| a.ratings.iter().find(|r| r.code == *code))
            .map(|r| r.rating)
            .collect();
        let self_assessment = mean(&ratings).map(|m| {
            let (min, max) = (
                ratings.iter().copied().min().unwrap_or_default(),
                ratings.iter().copied().max().unwrap_or_default(),
            );
            RatingSpread {
                count: ratings.len() as u32,
                mean: round2(m),
                min,
                max,
                disagreement: max - min >= DISAGREEMENT_SPREAD,
            }
        });
        let parts: Vec<f64> = evidence
            .into_iter()
            .chain(self_assessment.as_ref().map(|s| s.mean))
            .collect();
        let score =
            (!parts.is_empty()).then(|| round2(parts.iter().sum::<f64>() / parts.len() as f64));
        let trend = trend_of(&fundamentals_filed, code);
        fundamentals.push(FundamentalHealth {
            code: (*code).to_owned(),
            label: (*label).to_owned(),
            findings,
            evidence_score: evidence,
            self_assessment,
            trend_direction: direction(&trend),
            trend,
            score,
        });
    }
    let team: Vec<&HealthAssessment> = assessments
        .iter()
        .filter(|a| a.kind == AssessmentKind::Competencies)
        .collect();
    let competencies = COMPETENCIES
        .iter()
        .map(|(code, label, _)| {
            let trend = trend_of(&team, code);
            CompetencyHealth {
                code: (*code).to_owned(),
                label: (*label).to_owned(),
                latest: team
                    .iter()
                    .rev()
                    .find_map(|a| a.ratings.iter().find(|r| r.code == *code))
                    .map(|r| r.rating),
                trend_direction: direction(&trend),
                trend,
            }
        })
        .collect();
    let scored: Vec<(&str, f64)> = fundamentals
        .iter()
        .filter_map(|f| f.score.map(|s| (f.code.as_str(), s)))
        .collect();
    let overall_score = (!scored.is_empty())
        .then(|| round2(scored.iter().map(|(_, s)| s).sum::<f64>() / scored.len() as f64));
    let weakest = scored
        .iter()
        .fold(None::<(&str, f64)>, |low, &(code, s)| match low {
            Some((_, l)) if l <= s => low,
            _ => Some((code, s)),
        });
    let suggestion = weakest.map(|(code, score)| {
        let (levers, stage) = remedy(code);
        let next_stage = if stage_index(e.initiative.stage) < stage_index(stage) {
            stage
        } else {
            JourneyStage::Reviewing
        };
        HealthSuggestion {
            fundamental: code.to_owned(),
            levers,
            next_stage,
            reason: format!(
                "{} is the weakest fundamental (score {score} of 5)",
                label_of(FUNDAMENTALS, code)
            ),
        }
    });
    HealthReport {
        initiative_id: e.initiative.id,
        disagreements: fundamentals
            .iter()
            .filter(|f| f.self_assessment.as_ref().is_some_and(|s| s.disagreement))
            .map(|f| f.code.clone())
            .collect(),
        fundamentals,
        competencies,
        overall_score,
        suggestion,
        assessments: assessments.len() as u32,
    }
}

/// The evidence and assessments of a readable initiative.
async fn gather<C: ConnectionTrait>(
    db: &C,
    initiative: initiative::Model,
) -> ServiceResult<(Evidence, Vec<HealthAssessment>)> {
    let id = initiative.id;
    let partners = initiative_partner::Entity::find()
        .filter(tenancy::child_of::<initiative_partner::Entity>(id))
        .filter(initiative_partner::Column::Status.ne(PartnerStatus::Former))
        .find_also_related(organization::Entity)
        .order_by_asc(initiative_partner::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(p, o)| o.map(|o| (p, o)))
        .collect();
    let contributions = contribution::Entity::find()
        .filter(tenancy::child_of::<contribution::Entity>(id))
        .all(db)
        .await?;
    let agreements = agreement::Entity::find()
        .filter(tenancy::child_of::<agreement::Entity>(id))
        .order_by_asc(agreement::Column::CreatedAt)
        .all(db)
        .await?;
    let value = value_assessment::Entity::find_by_id(id)
        .filter(tenancy::child_of::<value_assessment::Entity>(id))
        .one(db)
        .await?
        .map(crate::valuation::to_view);
    let needs = initiative_tag::Entity::find()
        .filter(initiative_tag::Column::InitiativeId.eq(id))
        .filter(initiative_tag::Column::Kind.eq(TAG_NEED))
        .all(db)
        .await?
        .iter()
        .filter_map(|t| from_code(&t.value))
        .collect();
    let assessments = health_assessment::Entity::find()
        .filter(tenancy::child_of::<health_assessment::Entity>(id))
        .order_by_asc(health_assessment::Column::AssessedOn)
        .order_by_asc(health_assessment::Column::CreatedAt)
        .order_by_asc(health_assessment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_view)
        .collect();
    Ok((
        Evidence {
            initiative,
            partners,
            contributions,
            agreements,
            value,
            needs,
        },
        assessments,
    ))
}

impl Registry {
    /// The health report of an initiative the caller may read (`NotFound` otherwise).
    pub async fn initiative_health(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
    ) -> ServiceResult<HealthReport> {
        let initiative = access::readable(self.db(), caller, initiative_id).await?;
        let (evidence, assessments) = gather(self.db(), initiative).await?;
        Ok(report(&evidence, &assessments))
    }
}

/// A partner's latest fundamentals assessment, as the health picture draws it.
#[derive(Clone, Debug)]
pub struct Filer {
    /// The partner it speaks for (`None` once that partner was removed).
    pub partner_id: Option<Uuid>,
    /// Its organisation's name; `None` for a partner removed or no longer current.
    pub name: Option<String>,
    pub ratings: Vec<HealthRating>,
}

/// The health report of an initiative with what a picture of it draws beside the report.
#[derive(Clone, Debug)]
pub struct HealthView {
    pub initiative: initiative::Model,
    pub report: HealthReport,
    /// Each filer's latest fundamentals assessment: current partners in the order they joined,
    /// then the others.
    pub filers: Vec<Filer>,
}

impl Registry {
    /// The health report of an initiative the caller may read (`NotFound` otherwise, as
    /// [`Registry::initiative_health`]), with each partner's latest ratings.
    pub async fn initiative_health_view(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
    ) -> ServiceResult<HealthView> {
        let initiative = access::readable(self.db(), caller, initiative_id).await?;
        let (evidence, assessments) = gather(self.db(), initiative).await?;
        let report = report(&evidence, &assessments);
        let position = |partner: Option<Uuid>| {
            partner
                .and_then(|id| evidence.partners.iter().position(|(p, _)| p.id == id))
                .unwrap_or(usize::MAX)
        };
        let mut latest: Vec<&HealthAssessment> =
            latest_by_filer(&assessments).into_values().collect();
        latest.sort_by_key(|a| position(a.partner_id));
        let filers = latest
            .into_iter()
            .map(|a| Filer {
                partner_id: a.partner_id,
                name: evidence
                    .partners
                    .get(position(a.partner_id))
                    .map(|(_, o)| o.name.clone()),
                ratings: a.ratings.clone(),
            })
            .collect();
        Ok(HealthView {
            initiative: evidence.initiative,
            report,
            filers,
        })
    }
}

/// The overall health score of an initiative, for the showcase criterion (no access check: the
/// caller has read the initiative already).
pub(crate) async fn health_score<C: ConnectionTrait>(
    db: &C,
    initiative: initiative::Model,
) -> ServiceResult<Option<f64>> {
    let (evidence, assessments) = gather(db, initiative).await?;
    Ok(report(&evidence, &assessments).overall_score)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceError;

    fn rating(code: &str, rating: i32) -> HealthRating {
        HealthRating {
            code: code.into(),
            rating,
            note: None,
        }
    }

    #[test]
    fn every_bad_rating_is_named() {
        let mut c = Checks::new();
        check_ratings(
            &mut c,
            AssessmentKind::Fundamentals,
            &[
                rating("value_creation", 6),
                rating("mindset", 3),
                rating("value_creation", 2),
            ],
        );
        let Err(ServiceError::Validation(errors)) = c.finish() else {
            panic!("bad ratings accepted");
        };
        let named: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            named,
            ["ratings[0].rating", "ratings[1].code", "ratings[2].code"]
        );
    }

    #[test]
    fn a_trend_needs_two_dates() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).unwrap_or_default();
        let point = |d, mean| TrendPoint {
            assessed_on: day(d),
            mean,
            count: 1,
        };
        assert_eq!(direction(&[point(1, 2.0)]), None);
        assert_eq!(
            direction(&[point(1, 2.0), point(2, 4.0)]),
            Some(TrendDirection::Improving)
        );
        assert_eq!(
            direction(&[point(1, 4.0), point(2, 3.8)]),
            Some(TrendDirection::Steady)
        );
    }
}
