//! What organisations offer, partner suggestions, value assessments and the reference
//! vocabularies, mirroring the service's views behind the REST routes of `matchmaking` and
//! `reference`.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use service::{matchmaking, reference, valuation};
use uuid::Uuid;

use super::{Organization, contribution::Money};
use crate::graphql::{
    enums::{self, Gain, ResourceKind, Sector, ValueSource},
    scalars::Decimal,
};

/// What an organisation can offer to partnerships.
#[derive(Clone, Debug, SimpleObject)]
pub struct Offers {
    pub resource_kinds: Vec<ResourceKind>,
    /// WSIS action line codes.
    pub action_lines: Vec<String>,
    /// ISO 3166-1 alpha-2 codes of the countries it works in.
    pub countries: Vec<String>,
    /// What moves it to take part.
    pub motivations: Vec<Gain>,
}

impl From<matchmaking::Offers> for Offers {
    fn from(o: matchmaking::Offers) -> Self {
        Self {
            resource_kinds: enums::list(&o.resource_kinds),
            action_lines: o.action_lines,
            countries: o.countries,
            motivations: enums::list(&o.motivations),
        }
    }
}

/// One suggested partner, with its score explained.
#[derive(Clone, Debug, SimpleObject)]
pub struct PartnerSuggestion {
    pub organization: Organization,
    pub score: u32,
    /// Needs of the initiative this organisation offers.
    pub covers_needs: Vec<ResourceKind>,
    /// The sector it would add, when the active partners lack it.
    pub adds_sector: Option<Sector>,
    /// Countries of the initiative where it works.
    pub shared_countries: Vec<String>,
    /// Action lines of the initiative it offers to work on.
    pub shared_action_lines: Vec<String>,
    /// One sentence per reason, for people.
    pub reasons: Vec<String>,
}

impl From<matchmaking::Suggestion> for PartnerSuggestion {
    fn from(s: matchmaking::Suggestion) -> Self {
        Self {
            organization: s.organization.into(),
            score: s.score,
            covers_needs: enums::list(&s.covers_needs),
            adds_sector: s.adds_sector.map(Into::into),
            shared_countries: s.shared_countries,
            shared_action_lines: s.shared_action_lines,
            reasons: s.reasons,
        }
    }
}

/// A source of value and its rating.
#[derive(Clone, Debug, SimpleObject)]
pub struct ValueRating {
    pub source: ValueSource,
    /// 0 (none) to 3 (high).
    pub rating: u8,
    pub note: Option<String>,
}

/// Where the partnership creates value, in sum.
#[derive(Clone, Debug, SimpleObject)]
pub struct ValueSummary {
    /// Sum of the ratings.
    pub score: u32,
    /// Highest possible score (3 per source, ten sources).
    pub max_score: u32,
    /// Sources rated 2 or 3, highest first.
    pub value_created_by: Vec<ValueSource>,
    /// Sources not rated yet.
    pub not_assessed: Vec<ValueSource>,
}

/// The value assessment of an initiative.
#[derive(Clone, Debug, SimpleObject)]
pub struct ValueAssessment {
    pub initiative_id: Uuid,
    pub ratings: Vec<ValueRating>,
    /// The estimated cost of partnering.
    pub partnering_cost: Option<Money>,
    pub notes: Option<String>,
    pub summary: ValueSummary,
    /// Pass it as `expectedVersion` to replace the assessment.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<valuation::ValueAssessment> for ValueAssessment {
    fn from(v: valuation::ValueAssessment) -> Self {
        Self {
            initiative_id: v.initiative_id,
            ratings: v
                .ratings
                .into_iter()
                .map(|r| ValueRating {
                    source: r.source.into(),
                    rating: r.rating,
                    note: r.note,
                })
                .collect(),
            partnering_cost: v.partnering_cost.map(|m| Money {
                amount: Decimal(m.amount),
                currency: m.currency,
            }),
            notes: v.notes,
            summary: ValueSummary {
                score: v.summary.score,
                max_score: v.summary.max_score,
                value_created_by: enums::list(&v.summary.value_created_by),
                not_assessed: enums::list(&v.summary.not_assessed),
            },
            version: v.version,
            updated_at: v.updated_at,
        }
    }
}

/// One entry of a reference vocabulary, as `GET /api/v1/reference/{kind}` serves it, in the
/// language asked for where it has a text in it.
#[derive(Clone, Debug, SimpleObject)]
pub struct ReferenceEntry {
    /// The stable code the REST API takes (`civil_society`, `C7.e-health`, `9.c`).
    pub code: String,
    pub label: String,
    pub description: Option<String>,
    /// Whether the label is an official text (the UN's SDG wording, the registry's own
    /// English vocabulary); `false` for the registry's own translations.
    pub official: bool,
    /// The fields whose text is not in the language asked for (they fell back to English).
    pub languages: Vec<FieldLanguage>,
    /// With `lang: "*"`: the entry in every other language that has a text of it.
    pub translations: Vec<EntryTranslation>,
    /// Sub-entries: the targets of an SDG.
    pub children: Vec<ReferenceEntry>,
}

/// The language one field's text is in.
#[derive(Clone, Debug, SimpleObject)]
pub struct FieldLanguage {
    pub field: String,
    /// A BCP 47 tag.
    pub language: String,
}

/// An entry's texts in one language.
#[derive(Clone, Debug, SimpleObject)]
pub struct EntryTranslation {
    /// A BCP 47 tag.
    pub language: String,
    pub label: String,
    pub description: Option<String>,
    pub official: bool,
}

impl From<reference::ReferenceEntry> for ReferenceEntry {
    fn from(e: reference::ReferenceEntry) -> Self {
        Self {
            code: e.code,
            label: e.label,
            description: e.description,
            official: e.official,
            languages: e
                .languages
                .into_iter()
                .map(|(field, language)| FieldLanguage { field, language })
                .collect(),
            translations: e
                .translations
                .into_iter()
                .map(|(language, t)| EntryTranslation {
                    language,
                    label: t.label,
                    description: t.description,
                    official: t.official,
                })
                .collect(),
            children: e.children.into_iter().map(Into::into).collect(),
        }
    }
}
