//! What the API takes and returns for initiatives.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    EngagementModel, InitiativeKind, JourneyStage, Lever, Outcome, PartnershipForm, ResourceKind,
    Scale, Sector, Spectrum, Visibility,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::derived::ReportingStatus;
use crate::{
    contributions::ContributionTotals, translations::TranslationMap, validation::double_option,
};

/// An identifier of the initiative in another system (an IATI activity identifier, a donor's
/// project number...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalIdentifier {
    /// `iati`, `donor`, `national`, or another short scheme name.
    pub scheme: String,
    pub identifier: String,
}

/// One change of journey stage.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StageChangeEntry {
    pub from: Option<JourneyStage>,
    pub to: JourneyStage,
    /// When the change was recorded.
    pub changed_at: DateTime<Utc>,
    /// The day it happened (given as `changed_on` with the change; the day it was recorded by
    /// default).
    pub changed_on: NaiveDate,
    pub reason: Option<String>,
}

/// An initiative as the API returns it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Initiative {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub kind: InitiativeKind,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    pub scale: Option<Scale>,
    /// WSIS action line codes (`C1`..`C11`, `C7.e-health`...).
    pub action_lines: Vec<String>,
    /// SDG goal numbers (1..17).
    pub sdg_goals: Vec<u8>,
    /// SDG target codes (`9.c`, `4.4`...).
    pub sdg_targets: Vec<String>,
    /// Levers the initiative brings to bear (set with `PUT .../levers`).
    pub levers: Vec<Lever>,
    /// Resource kinds it still needs (set with `PUT .../needs`; used by partner suggestions).
    pub needs: Vec<ResourceKind>,
    pub spectrum: Option<Spectrum>,
    pub engagement_model: Option<EngagementModel>,
    pub form: Option<PartnershipForm>,
    pub stage: JourneyStage,
    /// When the current stage was recorded.
    pub stage_changed_at: DateTime<Utc>,
    /// The day the current stage began (the `changed_on` of its stage change).
    pub stage_changed_on: NaiveDate,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub outcome: Outcome,
    pub outcome_summary: Option<String>,
    pub visibility: Visibility,
    pub iati_identifier: Option<String>,
    pub external_identifiers: Vec<ExternalIdentifier>,
    /// Derived: the sectors of the active partners.
    pub sectors: Vec<Sector>,
    /// Derived: three or more sectors among the active partners.
    pub is_multi_stakeholder: bool,
    /// Derived: government and business both among the active partners.
    pub is_ppp: bool,
    /// Derived from the latest progress report and the registration date.
    pub reporting_status: ReportingStatus,
    pub last_reported_on: Option<NaiveDate>,
    /// Increases with every change to the initiative or its children; the ETag.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The BCP 47 tag of the language its texts were written in (its original language).
    #[serde(default = "crate::translations::english")]
    pub language: String,
    /// The language of each text field that is not in the answer's language (it fell back to
    /// the original), when the reader asked for another language (`lang=`, `Accept-Language`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_languages: Option<BTreeMap<String, String>>,
    /// Every translation of its texts, by language (`lang=*` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, BTreeMap<String, String>>>)]
    pub translations: Option<TranslationMap>,
}

/// An initiative with its journey so far (single-record reads).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InitiativeDetail {
    #[serde(flatten)]
    pub initiative: Initiative,
    /// Every change of stage, oldest first, with its date.
    pub stage_changes: Vec<StageChangeEntry>,
    /// What the contributions add up to: per currency, per resource kind, per partner.
    pub contribution_totals: ContributionTotals,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Macedonia Connects",
    "summary": "Nationwide school connectivity by aggregating demand into one contract.",
    "kind": "msp",
    "countries": ["MK"],
    "scale": "national",
    "action_lines": ["C2", "C7.e-learning"],
    "sdg_goals": [4, 9],
    "sdg_targets": ["9.c"],
    "spectrum": "system_transformation",
    "engagement_model": "market_making",
    "form": "project",
    "stage": "implementing",
    "start_date": "2004-09-01"
}))]
pub struct NewInitiative {
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub kind: InitiativeKind,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub scale: Option<Scale>,
    #[serde(default)]
    pub action_lines: Vec<String>,
    #[serde(default)]
    pub sdg_goals: Vec<u8>,
    #[serde(default)]
    pub sdg_targets: Vec<String>,
    #[serde(default)]
    pub spectrum: Option<Spectrum>,
    #[serde(default)]
    pub engagement_model: Option<EngagementModel>,
    #[serde(default)]
    pub form: Option<PartnershipForm>,
    /// Defaults to `understand_context`; any stage may be given for a partnership registered
    /// mid-way.
    #[serde(default)]
    pub stage: Option<JourneyStage>,
    /// The day the initiative reached its `stage` (default today; not in the future), for a
    /// partnership registered after the fact.
    #[serde(default)]
    pub changed_on: Option<NaiveDate>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// Defaults to `not_yet_known`.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub outcome_summary: Option<String>,
    /// Defaults to `private`; `public` runs the publish check.
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub iati_identifier: Option<String>,
    #[serde(default)]
    pub external_identifiers: Vec<ExternalIdentifier>,
    /// The BCP 47 tag of the language its texts are in (its original language). Absent: the
    /// language `title` and `summary` read as, else `en`.
    #[serde(default)]
    pub language: Option<String>,
    /// Its texts in other languages: `{"fr": {"title": "…", "summary": "…"}}` (title, summary,
    /// description, outcome_summary).
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, BTreeMap<String, String>>>)]
    pub translations: Option<TranslationMap>,
}

/// A PATCH of an initiative: absent fields stay; `null` clears an optional one; lists replace.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage": "reviewing", "outcome": "partly_successful", "visibility": "public"}))]
pub struct InitiativePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub kind: Option<InitiativeKind>,
    #[serde(default)]
    pub countries: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Scale>)]
    pub scale: Option<Option<Scale>>,
    #[serde(default)]
    pub action_lines: Option<Vec<String>>,
    #[serde(default)]
    pub sdg_goals: Option<Vec<u8>>,
    #[serde(default)]
    pub sdg_targets: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Spectrum>)]
    pub spectrum: Option<Option<Spectrum>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<EngagementModel>)]
    pub engagement_model: Option<Option<EngagementModel>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<PartnershipForm>)]
    pub form: Option<Option<PartnershipForm>>,
    /// A change follows the journey order; a skip or a step back needs a reason.
    #[serde(default)]
    pub stage: Option<JourneyStage>,
    /// The day the stage change happened (default today), only with a new `stage`: not in the
    /// future, nor before the initiative's previous stage change.
    #[serde(default)]
    pub changed_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub outcome_summary: Option<Option<String>>,
    /// `public` runs the publish check.
    #[serde(default)]
    pub visibility: Option<Visibility>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub iati_identifier: Option<Option<String>>,
    #[serde(default)]
    pub external_identifiers: Option<Vec<ExternalIdentifier>>,
    /// The BCP 47 tag of the language the texts given here are in. Another language than the
    /// initiative's own sets that language's translation; absent, the texts are the original.
    #[serde(default)]
    pub language: Option<String>,
    /// Texts in other languages: each language given replaces that language's texts.
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, BTreeMap<String, String>>>)]
    pub translations: Option<TranslationMap>,
}
