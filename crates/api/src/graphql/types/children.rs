//! Agreements, progress reports and lessons of an initiative.

use async_graphql::SimpleObject;
use chrono::{DateTime, NaiveDate, Utc};
use service::{agreements, lessons, reports};
use uuid::Uuid;

use crate::graphql::enums::{AgreementStatus, AgreementType, JourneyStage, RepresentativeLevel};

/// A party to an agreement: a partner of the initiative and its organisation.
#[derive(Clone, Debug, SimpleObject)]
pub struct AgreementParty {
    pub partner_id: Uuid,
    pub organization_id: Uuid,
    /// The organisation's name.
    pub name: String,
}

/// An agreement of an initiative: partnership agreement, contract, work plan or memorandum.
#[derive(Clone, Debug, SimpleObject)]
pub struct Agreement {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub agreement_type: AgreementType,
    pub title: String,
    /// The partners party to it, in the order given.
    pub parties: Vec<AgreementParty>,
    pub signed_on: Option<NaiveDate>,
    pub status: AgreementStatus,
    pub document_url: Option<String>,
    /// The essential elements of the partnering agreement (each empty until agreed).
    pub elements: AgreementElements,
    /// Who signed for which party, and when.
    pub signatures: Vec<Signature>,
    /// The agreement this one is a new version of.
    pub supersedes: Option<Uuid>,
    /// The agreement that is a new version of this one.
    pub superseded_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Who represents a party, and at what level.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "AgreementRepresentative")]
pub struct Representative {
    pub partner_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub level: RepresentativeLevel,
}

/// What one partner is responsible for, and the contributions it brings.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "AgreementPartyRole")]
pub struct PartyRole {
    pub partner_id: Uuid,
    pub responsibilities: String,
    pub contribution_ids: Vec<Uuid>,
}

/// How the partnership is run.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "AgreementGovernance")]
pub struct Governance {
    pub decision_making: Option<String>,
    pub meetings: Option<String>,
    pub reporting: Option<String>,
}

/// How long the agreement runs, its review and exit.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "AgreementTerm")]
pub struct Term {
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub review: Option<String>,
    pub exit: Option<String>,
}

/// The essential elements of a partnering agreement, each produced at one journey step.
#[derive(Clone, Debug, SimpleObject)]
pub struct AgreementElements {
    pub representatives: Vec<Representative>,
    pub context: Option<String>,
    pub vision: Option<String>,
    pub purpose: Option<String>,
    pub objectives: Vec<String>,
    pub activities: Vec<String>,
    pub resources: Option<String>,
    pub roles: Vec<PartyRole>,
    pub governance: Option<Governance>,
    pub term: Option<Term>,
}

/// A party's signature of an agreement.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "AgreementSignature")]
pub struct Signature {
    pub partner_id: Uuid,
    pub representative: String,
    /// The signed-in user (or API client) who recorded it.
    pub signed_by: Uuid,
    pub signed_at: DateTime<Utc>,
}

/// One element of the partnering agreement template.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "AgreementTemplateElement")]
pub struct TemplateElement {
    pub code: String,
    pub title: String,
    /// The journey step that produces it.
    pub journey_step: JourneyStage,
    pub guidance: String,
}

impl From<&agreements::elements::TemplateElement> for TemplateElement {
    fn from(e: &agreements::elements::TemplateElement) -> Self {
        Self {
            code: e.code.into(),
            title: e.title.into(),
            journey_step: e.journey_step.into(),
            guidance: e.guidance.into(),
        }
    }
}

/// The draft of an agreement.
#[derive(Clone, Debug, SimpleObject)]
pub struct AgreementDraft {
    pub agreement_id: Uuid,
    pub version: i32,
    /// The language of the text (BCP 47).
    pub language: String,
    /// The codes of the template elements not yet agreed.
    pub missing: Vec<String>,
    pub markdown: String,
    /// The same draft as a printable HTML page.
    pub html: String,
}

impl From<agreements::draft::AgreementDraft> for AgreementDraft {
    fn from(d: agreements::draft::AgreementDraft) -> Self {
        Self {
            html: d.html(),
            agreement_id: d.agreement_id,
            version: d.version,
            language: d.language.into(),
            missing: d.missing.iter().map(|m| (*m).to_owned()).collect(),
            markdown: d.markdown,
        }
    }
}

impl From<agreements::AgreementElements> for AgreementElements {
    fn from(e: agreements::AgreementElements) -> Self {
        Self {
            representatives: e
                .representatives
                .into_iter()
                .map(|r| Representative {
                    partner_id: r.partner_id,
                    name: r.name,
                    title: r.title,
                    level: r.level.into(),
                })
                .collect(),
            context: e.context,
            vision: e.vision,
            purpose: e.purpose,
            objectives: e.objectives,
            activities: e.activities,
            resources: e.resources,
            roles: e
                .roles
                .into_iter()
                .map(|r| PartyRole {
                    partner_id: r.partner_id,
                    responsibilities: r.responsibilities,
                    contribution_ids: r.contribution_ids,
                })
                .collect(),
            governance: e.governance.map(|g| Governance {
                decision_making: g.decision_making,
                meetings: g.meetings,
                reporting: g.reporting,
            }),
            term: e.term.map(|t| Term {
                starts_on: t.starts_on,
                ends_on: t.ends_on,
                review: t.review,
                exit: t.exit,
            }),
        }
    }
}

impl From<agreements::Agreement> for Agreement {
    fn from(a: agreements::Agreement) -> Self {
        Self {
            id: a.id,
            initiative_id: a.initiative_id,
            agreement_type: a.agreement_type.into(),
            title: a.title,
            parties: a
                .parties
                .into_iter()
                .map(|p| AgreementParty {
                    partner_id: p.partner_id,
                    organization_id: p.organization_id,
                    name: p.name,
                })
                .collect(),
            signed_on: a.signed_on,
            status: a.status.into(),
            document_url: a.document_url,
            elements: a.elements.into(),
            signatures: a
                .signatures
                .into_iter()
                .map(|s| Signature {
                    partner_id: s.partner_id,
                    representative: s.representative,
                    signed_by: s.signed_by,
                    signed_at: s.signed_at,
                })
                .collect(),
            supersedes: a.supersedes,
            superseded_by: a.superseded_by,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// One indicator of a report: what is measured, the target and what was achieved.
#[derive(Clone, Debug, SimpleObject)]
pub struct Indicator {
    pub name: String,
    pub target: Option<String>,
    pub achieved: Option<String>,
    pub unit: Option<String>,
}

/// A progress report of an initiative.
#[derive(Clone, Debug, SimpleObject)]
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

impl From<reports::ProgressReport> for ProgressReport {
    fn from(r: reports::ProgressReport) -> Self {
        Self {
            id: r.id,
            initiative_id: r.initiative_id,
            period_start: r.period_start,
            period_end: r.period_end,
            narrative: r.narrative,
            achievements: r.achievements,
            challenges: r.challenges,
            indicators: r
                .indicators
                .into_iter()
                .map(|i| Indicator {
                    name: i.name,
                    target: i.target,
                    achieved: i.achieved,
                    unit: i.unit,
                })
                .collect(),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A lesson learned from an initiative.
#[derive(Clone, Debug, SimpleObject)]
pub struct Lesson {
    pub id: Uuid,
    pub initiative_id: Uuid,
    /// The lesson in one short statement.
    pub statement: String,
    /// The situation in which it was learned.
    pub context: Option<String>,
    /// The difficulty met.
    pub challenge: Option<String>,
    /// What to do next time.
    pub recommendation: Option<String>,
    /// Lower-case keywords.
    pub tags: Vec<String>,
    /// The BCP 47 tag of the language its texts were written in (its original language).
    pub language: String,
    /// The text fields not in the language asked for (`lang`), each with the language it
    /// fell back to.
    pub field_languages: Vec<super::matchmaking::FieldLanguage>,
    /// Every translation of its texts (`lang: "*"` only; empty otherwise).
    pub translations: Vec<super::texts::FieldText>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<lessons::Lesson> for Lesson {
    fn from(l: lessons::Lesson) -> Self {
        Self {
            id: l.id,
            initiative_id: l.initiative_id,
            statement: l.statement,
            context: l.context,
            challenge: l.challenge,
            recommendation: l.recommendation,
            tags: l.tags,
            language: l.language,
            field_languages: super::texts::field_languages(l.field_languages),
            translations: super::texts::translations(l.translations),
            version: l.version,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}
