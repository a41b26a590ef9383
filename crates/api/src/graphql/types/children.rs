//! Agreements, progress reports and lessons of an initiative.

use async_graphql::SimpleObject;
use chrono::{DateTime, NaiveDate, Utc};
use service::{agreements, lessons, reports};
use uuid::Uuid;

use crate::graphql::enums::{AgreementStatus, AgreementType};

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
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
            version: l.version,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}
