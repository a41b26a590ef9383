//! Input objects, each turning into the service's input struct as it is. In a patch, an absent
//! field stays as it is and `null` clears an optional one (as in a REST PATCH); lists replace.

use async_graphql::{InputObject, MaybeUndefined};
use chrono::{DateTime, NaiveDate, Utc};
use service::{
    agreements::{
        AgreementElements, AgreementPatch, Governance, NewAgreement, NewSignature, PartyRole,
        Representative, Term,
    },
    contributions::{ContributionPatch, DecimalText, NewContribution},
    initiatives::{ExternalIdentifier, InitiativePatch, InitiativeQuery, NewInitiative},
    lessons::{LessonPatch, NewLesson},
    organizations::{NewOrganization, OrganizationPatch, OrganizationQuery},
    partners::{NewPartner, PartnerPatch},
    reports::{Indicator, NewReport, ReportPatch},
    tenants::TenantPatch,
};
use uuid::Uuid;

use super::{
    enums::{
        AgreementStatus, AgreementType, ContributionStatus, EngagementModel, Gain, InitiativeKind,
        JourneyStage, Lever, Outcome, PartnerRole, PartnerStatus, PartnershipForm, ReportingStatus,
        RepresentativeLevel, ResourceKind, Scale, Sector, Spectrum, TenantKind, Visibility,
    },
    scalars::Decimal,
};

/// Absent → unchanged; null → cleared; a value → set.
fn patch<T, U: From<T>>(value: MaybeUndefined<T>) -> Option<Option<U>> {
    Option::<Option<T>>::from(value).map(|v| v.map(U::from))
}

fn into_all<T: Copy, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

/// Filters of the initiative list (the query parameters of `GET /api/v1/initiatives`).
#[derive(Default, InputObject)]
pub struct InitiativeFilter {
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// WSIS action line codes (`C2`, `C7.e-health`), comma-separated: any of them. A main line
    /// (`C7`) takes in its sub-lines; a sub-line matches only itself.
    pub action_line: Option<String>,
    /// SDG goal number.
    pub sdg: Option<u8>,
    /// SDG target codes (`4.1`, `9.c`), comma-separated: any of them.
    pub sdg_target: Option<String>,
    /// A lever the initiative brings to bear.
    pub lever: Option<Lever>,
    /// A sector present among the active partners.
    pub sector: Option<Sector>,
    /// An organisation taking part (any partner status).
    pub organization: Option<Uuid>,
    pub stage: Option<JourneyStage>,
    pub kind: Option<InitiativeKind>,
    pub spectrum: Option<Spectrum>,
    pub engagement_model: Option<EngagementModel>,
    /// The partnership's form.
    pub form: Option<PartnershipForm>,
    /// Initiatives with at least one agreement of this status.
    pub agreement_status: Option<AgreementStatus>,
    pub scale: Option<Scale>,
    pub outcome: Option<Outcome>,
    pub reporting_status: Option<ReportingStatus>,
    pub visibility: Option<Visibility>,
    /// Start date on or after.
    pub start_from: Option<NaiveDate>,
    /// Start date on or before.
    pub start_to: Option<NaiveDate>,
    /// End date on or after.
    pub end_from: Option<NaiveDate>,
    /// End date on or before.
    pub end_to: Option<NaiveDate>,
    /// Changed at or after.
    pub updated_since: Option<DateTime<Utc>>,
}

impl InitiativeFilter {
    pub fn into_query(self) -> InitiativeQuery {
        InitiativeQuery {
            country: self.country,
            action_line: self.action_line,
            sdg: self.sdg.map(|g| g.to_string()),
            sdg_target: self.sdg_target,
            lever: self.lever.map(|l| lever_code(l.into())),
            sector: self.sector.map(Into::into),
            organization: self.organization,
            stage: self.stage.map(Into::into),
            kind: self.kind.map(Into::into),
            spectrum: self.spectrum.map(Into::into),
            engagement_model: self.engagement_model.map(Into::into),
            form: self.form.map(Into::into),
            agreement_status: self.agreement_status.map(Into::into),
            scale: self.scale.map(Into::into),
            outcome: self.outcome.map(Into::into),
            reporting_status: self.reporting_status.map(Into::into),
            visibility: self.visibility.map(Into::into),
            start_from: self.start_from,
            start_to: self.start_to,
            end_from: self.end_from,
            end_to: self.end_to,
            updated_since: self.updated_since,
            ..InitiativeQuery::default()
        }
    }
}

/// Filters of the organisation list.
#[derive(Default, InputObject)]
pub struct OrganizationFilter {
    pub sector: Option<Sector>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub visibility: Option<Visibility>,
    /// Exact sub-type, case-insensitive.
    pub sub_type: Option<String>,
    /// Only organisations changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

impl OrganizationFilter {
    pub fn into_query(self) -> OrganizationQuery {
        OrganizationQuery {
            sector: self.sector.map(Into::into),
            country: self.country,
            visibility: self.visibility.map(Into::into),
            sub_type: self.sub_type,
            updated_since: self.updated_since,
            ..OrganizationQuery::default()
        }
    }
}

#[derive(InputObject)]
pub struct ExternalIdentifierInput {
    /// `iati`, `donor`, `national`, or another short scheme name.
    pub scheme: String,
    pub identifier: String,
}

fn identifiers(items: Vec<ExternalIdentifierInput>) -> Vec<ExternalIdentifier> {
    items
        .into_iter()
        .map(|e| ExternalIdentifier {
            scheme: e.scheme,
            identifier: e.identifier,
        })
        .collect()
}

/// An initiative's texts in one language (`language`, a BCP 47 tag).
#[derive(InputObject)]
pub struct InitiativeTextsInput {
    pub language: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub outcome_summary: Option<String>,
}

/// The translations given as a map of languages to texts, as the service takes them.
fn translation_map(items: Vec<InitiativeTextsInput>) -> service::translations::TranslationMap {
    items
        .into_iter()
        .map(|t| {
            let texts = [
                ("title", t.title),
                ("summary", t.summary),
                ("description", t.description),
                ("outcome_summary", t.outcome_summary),
            ]
            .into_iter()
            .filter_map(|(field, text)| text.map(|text| (field.to_owned(), text)))
            .collect();
            (t.language, texts)
        })
        .collect()
}

/// A new initiative. `visibility: PUBLIC` runs the publish check.
#[derive(InputObject)]
pub struct NewInitiativeInput {
    pub title: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub kind: InitiativeKind,
    #[graphql(default)]
    pub countries: Vec<String>,
    pub scale: Option<Scale>,
    #[graphql(default)]
    pub action_lines: Vec<String>,
    #[graphql(default)]
    pub sdg_goals: Vec<u8>,
    #[graphql(default)]
    pub sdg_targets: Vec<String>,
    pub spectrum: Option<Spectrum>,
    pub engagement_model: Option<EngagementModel>,
    pub form: Option<PartnershipForm>,
    /// Defaults to `UNDERSTAND_CONTEXT`.
    pub stage: Option<JourneyStage>,
    /// The day the initiative reached its `stage` (default today; not in the future).
    pub changed_on: Option<NaiveDate>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Defaults to `NOT_YET_KNOWN`.
    pub outcome: Option<Outcome>,
    pub outcome_summary: Option<String>,
    /// Defaults to `PRIVATE`.
    pub visibility: Option<Visibility>,
    pub iati_identifier: Option<String>,
    #[graphql(default)]
    pub external_identifiers: Vec<ExternalIdentifierInput>,
    /// The BCP 47 tag of the language its texts are in; absent, the language `title` and
    /// `summary` read as, else `en`.
    pub language: Option<String>,
    /// Its texts in other languages.
    pub translations: Option<Vec<InitiativeTextsInput>>,
}

impl From<NewInitiativeInput> for NewInitiative {
    fn from(i: NewInitiativeInput) -> Self {
        NewInitiative {
            title: i.title,
            summary: i.summary,
            description: i.description,
            kind: i.kind.into(),
            countries: i.countries,
            scale: i.scale.map(Into::into),
            action_lines: i.action_lines,
            sdg_goals: i.sdg_goals,
            sdg_targets: i.sdg_targets,
            spectrum: i.spectrum.map(Into::into),
            engagement_model: i.engagement_model.map(Into::into),
            form: i.form.map(Into::into),
            stage: i.stage.map(Into::into),
            changed_on: i.changed_on,
            start_date: i.start_date,
            end_date: i.end_date,
            outcome: i.outcome.map(Into::into),
            outcome_summary: i.outcome_summary,
            visibility: i.visibility.map(Into::into).unwrap_or_default(),
            iati_identifier: i.iati_identifier,
            external_identifiers: identifiers(i.external_identifiers),
            language: i.language,
            translations: i.translations.map(translation_map),
        }
    }
}

/// Changes to an initiative: absent fields stay, `null` clears an optional one, lists replace.
/// A stage change follows the journey order; a skip or a step back needs a `reason`.
#[derive(Default, InputObject)]
pub struct InitiativePatchInput {
    pub title: Option<String>,
    pub summary: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub kind: Option<InitiativeKind>,
    pub countries: Option<Vec<String>>,
    pub scale: MaybeUndefined<Scale>,
    pub action_lines: Option<Vec<String>>,
    pub sdg_goals: Option<Vec<u8>>,
    pub sdg_targets: Option<Vec<String>>,
    pub spectrum: MaybeUndefined<Spectrum>,
    pub engagement_model: MaybeUndefined<EngagementModel>,
    pub form: MaybeUndefined<PartnershipForm>,
    pub stage: Option<JourneyStage>,
    /// The day the stage change happened (default today), only with a new `stage`: not in the
    /// future, nor before the previous stage change.
    pub changed_on: Option<NaiveDate>,
    pub start_date: MaybeUndefined<NaiveDate>,
    pub end_date: MaybeUndefined<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub outcome_summary: MaybeUndefined<String>,
    /// `PUBLIC` runs the publish check.
    pub visibility: Option<Visibility>,
    pub iati_identifier: MaybeUndefined<String>,
    pub external_identifiers: Option<Vec<ExternalIdentifierInput>>,
    /// The BCP 47 tag of the language the texts given here are in: another language than the
    /// initiative's own sets that language's translation.
    pub language: Option<String>,
    /// Texts in other languages: each language given replaces that language's texts.
    pub translations: Option<Vec<InitiativeTextsInput>>,
}

impl From<InitiativePatchInput> for InitiativePatch {
    fn from(p: InitiativePatchInput) -> Self {
        InitiativePatch {
            title: p.title,
            summary: patch(p.summary),
            description: patch(p.description),
            kind: p.kind.map(Into::into),
            countries: p.countries,
            scale: patch(p.scale),
            action_lines: p.action_lines,
            sdg_goals: p.sdg_goals,
            sdg_targets: p.sdg_targets,
            spectrum: patch(p.spectrum),
            engagement_model: patch(p.engagement_model),
            form: patch(p.form),
            stage: p.stage.map(Into::into),
            changed_on: p.changed_on,
            start_date: patch(p.start_date),
            end_date: patch(p.end_date),
            outcome: p.outcome.map(Into::into),
            outcome_summary: patch(p.outcome_summary),
            visibility: p.visibility.map(Into::into),
            iati_identifier: patch(p.iati_identifier),
            external_identifiers: p.external_identifiers.map(identifiers),
            language: p.language,
            translations: p.translations.map(translation_map),
        }
    }
}

/// A new organisation.
#[derive(InputObject)]
pub struct NewOrganizationInput {
    pub name: String,
    pub acronym: Option<String>,
    pub sector: Sector,
    pub sub_type: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub iati_identifier: Option<String>,
    /// Defaults to `PRIVATE`.
    pub visibility: Option<Visibility>,
    /// The BCP 47 tag of the language its texts are in; detected from them when omitted.
    pub language: Option<String>,
}

impl From<NewOrganizationInput> for NewOrganization {
    fn from(i: NewOrganizationInput) -> Self {
        NewOrganization {
            name: i.name,
            acronym: i.acronym,
            sector: i.sector.into(),
            sub_type: i.sub_type,
            country: i.country,
            website: i.website,
            description: i.description,
            iati_identifier: i.iati_identifier,
            visibility: i.visibility.map(Into::into).unwrap_or_default(),
            language: i.language,
        }
    }
}

/// Changes to an organisation: absent fields stay, `null` clears an optional one.
#[derive(Default, InputObject)]
pub struct OrganizationPatchInput {
    pub name: Option<String>,
    pub acronym: MaybeUndefined<String>,
    pub sector: Option<Sector>,
    pub sub_type: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub iati_identifier: MaybeUndefined<String>,
    pub visibility: Option<Visibility>,
}

impl From<OrganizationPatchInput> for OrganizationPatch {
    fn from(p: OrganizationPatchInput) -> Self {
        OrganizationPatch {
            name: p.name,
            acronym: patch(p.acronym),
            sector: p.sector.map(Into::into),
            sub_type: patch(p.sub_type),
            country: patch(p.country),
            website: patch(p.website),
            description: patch(p.description),
            iati_identifier: patch(p.iati_identifier),
            visibility: p.visibility.map(Into::into),
        }
    }
}

/// A new partner of an initiative.
#[derive(InputObject)]
pub struct NewPartnerInput {
    /// An organisation of the caller's tenant, or a public one of another tenant.
    pub organization_id: Uuid,
    #[graphql(default)]
    pub roles: Vec<PartnerRole>,
    /// Defaults to `ACTIVE`.
    pub status: Option<PartnerStatus>,
    #[graphql(default)]
    pub gains: Vec<Gain>,
    /// 1 (low) to 5 (high).
    pub interest: Option<u8>,
    /// 1 (low) to 5 (high).
    pub influence: Option<u8>,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
}

impl From<NewPartnerInput> for NewPartner {
    fn from(i: NewPartnerInput) -> Self {
        NewPartner {
            organization_id: i.organization_id,
            roles: into_all(i.roles),
            status: i.status.map(Into::into),
            gains: into_all(i.gains),
            interest: i.interest,
            influence: i.influence,
            joined_on: i.joined_on,
            left_on: i.left_on,
        }
    }
}

/// Changes to a partner: absent fields stay, `null` clears, lists replace.
#[derive(Default, InputObject)]
pub struct PartnerPatchInput {
    pub roles: Option<Vec<PartnerRole>>,
    pub status: Option<PartnerStatus>,
    pub gains: Option<Vec<Gain>>,
    pub interest: MaybeUndefined<u8>,
    pub influence: MaybeUndefined<u8>,
    pub joined_on: MaybeUndefined<NaiveDate>,
    pub left_on: MaybeUndefined<NaiveDate>,
}

impl From<PartnerPatchInput> for PartnerPatch {
    fn from(p: PartnerPatchInput) -> Self {
        PartnerPatch {
            roles: p.roles.map(into_all),
            status: p.status.map(Into::into),
            gains: p.gains.map(into_all),
            interest: patch(p.interest),
            influence: patch(p.influence),
            joined_on: patch(p.joined_on),
            left_on: patch(p.left_on),
        }
    }
}

/// A new contribution of a partner.
#[derive(InputObject)]
pub struct NewContributionInput {
    /// A partner of the same initiative.
    pub partner_id: Uuid,
    pub resource_kind: ResourceKind,
    pub description: Option<String>,
    /// Greater than zero, with at most the currency's decimal places. Optional for in-kind
    /// contributions.
    pub amount: Option<Decimal>,
    /// ISO 4217 code (case-insensitive); required with an amount, refused without one.
    pub currency: Option<String>,
    /// Defaults to `PLEDGED`.
    pub status: Option<ContributionStatus>,
    pub contributed_on: Option<NaiveDate>,
}

impl From<NewContributionInput> for NewContribution {
    fn from(i: NewContributionInput) -> Self {
        NewContribution {
            partner_id: i.partner_id,
            resource_kind: i.resource_kind.into(),
            description: i.description,
            amount: i.amount.map(|a| DecimalText(a.0)),
            currency: i.currency,
            status: i.status.map(Into::into),
            contributed_on: i.contributed_on,
        }
    }
}

/// Changes to a contribution: absent fields stay, `null` clears. Clearing the amount needs the
/// currency cleared too.
#[derive(Default, InputObject)]
pub struct ContributionPatchInput {
    pub partner_id: Option<Uuid>,
    pub resource_kind: Option<ResourceKind>,
    pub description: MaybeUndefined<String>,
    pub amount: MaybeUndefined<Decimal>,
    pub currency: MaybeUndefined<String>,
    pub status: Option<ContributionStatus>,
    pub contributed_on: MaybeUndefined<NaiveDate>,
}

impl From<ContributionPatchInput> for ContributionPatch {
    fn from(p: ContributionPatchInput) -> Self {
        ContributionPatch {
            partner_id: p.partner_id,
            resource_kind: p.resource_kind.map(Into::into),
            description: patch(p.description),
            amount: Option::<Option<Decimal>>::from(p.amount).map(|a| a.map(|a| DecimalText(a.0))),
            currency: patch(p.currency),
            status: p.status.map(Into::into),
            contributed_on: patch(p.contributed_on),
        }
    }
}

/// A new agreement.
#[derive(InputObject)]
pub struct NewAgreementInput {
    pub agreement_type: AgreementType,
    pub title: String,
    /// Partner ids of this initiative.
    #[graphql(default)]
    pub parties: Vec<Uuid>,
    /// Required when the status is `SIGNED` or `ACTIVE`.
    pub signed_on: Option<NaiveDate>,
    /// Defaults to `DRAFT`.
    pub status: Option<AgreementStatus>,
    /// An absolute http(s) URL.
    pub document_url: Option<String>,
    /// The essential elements agreed so far.
    pub elements: Option<AgreementElementsInput>,
    /// An agreement of this initiative that this one is a new version of.
    pub supersedes: Option<Uuid>,
}

/// Who represents a party, and at what level.
#[derive(InputObject)]
#[graphql(name = "AgreementRepresentativeInput")]
pub struct RepresentativeInput {
    /// A party to the agreement.
    pub partner_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub level: RepresentativeLevel,
}

/// What one partner is responsible for, and the contributions it brings.
#[derive(InputObject)]
#[graphql(name = "AgreementPartyRoleInput")]
pub struct PartyRoleInput {
    /// A party to the agreement.
    pub partner_id: Uuid,
    pub responsibilities: String,
    /// Contributions of that partner to this initiative.
    #[graphql(default)]
    pub contribution_ids: Vec<Uuid>,
}

/// How the partnership is run.
#[derive(InputObject)]
#[graphql(name = "AgreementGovernanceInput")]
pub struct GovernanceInput {
    pub decision_making: Option<String>,
    pub meetings: Option<String>,
    pub reporting: Option<String>,
}

/// How long the agreement runs, its review and exit.
#[derive(InputObject)]
#[graphql(name = "AgreementTermInput")]
pub struct TermInput {
    pub starts_on: Option<NaiveDate>,
    /// Not before `startsOn`.
    pub ends_on: Option<NaiveDate>,
    pub review: Option<String>,
    pub exit: Option<String>,
}

/// The essential elements of a partnering agreement; all optional.
#[derive(InputObject)]
pub struct AgreementElementsInput {
    #[graphql(default)]
    pub representatives: Vec<RepresentativeInput>,
    pub context: Option<String>,
    pub vision: Option<String>,
    pub purpose: Option<String>,
    #[graphql(default)]
    pub objectives: Vec<String>,
    #[graphql(default)]
    pub activities: Vec<String>,
    pub resources: Option<String>,
    #[graphql(default)]
    pub roles: Vec<PartyRoleInput>,
    pub governance: Option<GovernanceInput>,
    pub term: Option<TermInput>,
}

impl From<AgreementElementsInput> for AgreementElements {
    fn from(e: AgreementElementsInput) -> Self {
        AgreementElements {
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

/// A party's signature.
#[derive(InputObject)]
pub struct NewSignatureInput {
    /// A party to the agreement that has not signed yet.
    pub partner_id: Uuid,
    /// Defaults to the party's representative named in the elements.
    pub representative: Option<String>,
}

impl From<NewSignatureInput> for NewSignature {
    fn from(s: NewSignatureInput) -> Self {
        NewSignature {
            partner_id: s.partner_id,
            representative: s.representative,
        }
    }
}

impl From<NewAgreementInput> for NewAgreement {
    fn from(i: NewAgreementInput) -> Self {
        NewAgreement {
            agreement_type: i.agreement_type.into(),
            title: i.title,
            parties: i.parties,
            signed_on: i.signed_on,
            status: i.status.map(Into::into),
            document_url: i.document_url,
            elements: i.elements.map(Into::into),
            supersedes: i.supersedes,
        }
    }
}

/// Changes to an agreement: absent fields stay, `null` clears, `parties` replaces the list.
#[derive(Default, InputObject)]
pub struct AgreementPatchInput {
    pub agreement_type: Option<AgreementType>,
    pub title: Option<String>,
    pub parties: Option<Vec<Uuid>>,
    pub signed_on: MaybeUndefined<NaiveDate>,
    pub status: Option<AgreementStatus>,
    pub document_url: MaybeUndefined<String>,
    /// Replaces all the elements (`null` clears them); refused (`CONFLICT`) once signed.
    pub elements: MaybeUndefined<AgreementElementsInput>,
}

impl From<AgreementPatchInput> for AgreementPatch {
    fn from(p: AgreementPatchInput) -> Self {
        AgreementPatch {
            agreement_type: p.agreement_type.map(Into::into),
            title: p.title,
            parties: p.parties,
            signed_on: patch(p.signed_on),
            status: p.status.map(Into::into),
            document_url: patch(p.document_url),
            elements: patch(p.elements),
        }
    }
}

/// One indicator of a report.
#[derive(InputObject)]
pub struct IndicatorInput {
    pub name: String,
    pub target: Option<String>,
    pub achieved: Option<String>,
    pub unit: Option<String>,
}

fn indicators(items: Vec<IndicatorInput>) -> Vec<Indicator> {
    items
        .into_iter()
        .map(|i| Indicator {
            name: i.name,
            target: i.target,
            achieved: i.achieved,
            unit: i.unit,
        })
        .collect()
}

/// A new progress report.
#[derive(InputObject)]
pub struct NewReportInput {
    pub period_start: NaiveDate,
    /// Not before `periodStart`, and not in the future.
    pub period_end: NaiveDate,
    pub narrative: String,
    pub achievements: Option<String>,
    pub challenges: Option<String>,
    #[graphql(default)]
    pub indicators: Vec<IndicatorInput>,
}

impl From<NewReportInput> for NewReport {
    fn from(i: NewReportInput) -> Self {
        NewReport {
            period_start: i.period_start,
            period_end: i.period_end,
            narrative: i.narrative,
            achievements: i.achievements,
            challenges: i.challenges,
            indicators: indicators(i.indicators),
        }
    }
}

/// Changes to a report: absent fields stay, `null` clears, `indicators` replaces the list.
#[derive(Default, InputObject)]
pub struct ReportPatchInput {
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub narrative: Option<String>,
    pub achievements: MaybeUndefined<String>,
    pub challenges: MaybeUndefined<String>,
    pub indicators: Option<Vec<IndicatorInput>>,
}

impl From<ReportPatchInput> for ReportPatch {
    fn from(p: ReportPatchInput) -> Self {
        ReportPatch {
            period_start: p.period_start,
            period_end: p.period_end,
            narrative: p.narrative,
            achievements: patch(p.achievements),
            challenges: patch(p.challenges),
            indicators: p.indicators.map(indicators),
        }
    }
}

/// A new lesson learned.
#[derive(InputObject)]
pub struct NewLessonInput {
    pub statement: String,
    pub context: Option<String>,
    pub challenge: Option<String>,
    pub recommendation: Option<String>,
    /// Trimmed, lower-cased and deduplicated; at most 20, each at most 50 characters.
    #[graphql(default)]
    pub tags: Vec<String>,
    /// The BCP 47 tag of the language its texts are in; detected from them when omitted.
    pub language: Option<String>,
}

impl From<NewLessonInput> for NewLesson {
    fn from(i: NewLessonInput) -> Self {
        NewLesson {
            statement: i.statement,
            context: i.context,
            challenge: i.challenge,
            recommendation: i.recommendation,
            tags: i.tags,
            language: i.language,
        }
    }
}

/// Changes to a lesson: absent fields stay, `null` clears, `tags` replaces the list.
#[derive(Default, InputObject)]
pub struct LessonPatchInput {
    pub statement: Option<String>,
    pub context: MaybeUndefined<String>,
    pub challenge: MaybeUndefined<String>,
    pub recommendation: MaybeUndefined<String>,
    pub tags: Option<Vec<String>>,
}

impl From<LessonPatchInput> for LessonPatch {
    fn from(p: LessonPatchInput) -> Self {
        LessonPatch {
            statement: p.statement,
            context: patch(p.context),
            challenge: patch(p.challenge),
            recommendation: patch(p.recommendation),
            tags: p.tags,
        }
    }
}

/// Changes to the caller's tenant (owners only).
#[derive(Default, InputObject)]
pub struct TenantPatchInput {
    pub name: Option<String>,
    pub kind: Option<TenantKind>,
    /// ISO 3166-1 alpha-2; `null` clears it.
    pub home_country: MaybeUndefined<String>,
}

impl From<TenantPatchInput> for TenantPatch {
    fn from(p: TenantPatchInput) -> Self {
        TenantPatch {
            name: p.name,
            kind: p.kind.map(Into::into),
            home_country: patch(p.home_country),
        }
    }
}

/// The REST code of a lever (the service's `lever` filter takes codes).
fn lever_code(lever: entity::enums::Lever) -> String {
    match serde_json::to_value(lever) {
        Ok(serde_json::Value::String(code)) => code,
        _ => String::new(),
    }
}
