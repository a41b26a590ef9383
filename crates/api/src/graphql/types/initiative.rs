//! An initiative (a PPP or MSP record) and the fields nested under it.

use std::sync::Arc;

use async_graphql::{ComplexObject, Context, ID, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use service::{contributions, initiatives};
use uuid::Uuid;

use super::{
    Agreement, Contribution, ContributionTotals, Lesson, Partner, ProgressReport, RevisionEntry,
    analytics::{InitiativeLeverage, StakeholderMap},
    global_id,
    matchmaking::{FieldLanguage, PartnerSuggestion, ValueAssessment},
    nested_first, take,
    wsis::ShowcaseEligibility,
};
use crate::graphql::{
    enums::{
        self, EngagementModel, InitiativeKind, JourneyStage, Lever, Outcome, PartnerStatus,
        PartnershipForm, ReportingStatus, ResourceKind, Scale, Sector, Spectrum, Visibility,
    },
    limits::cost,
    loaders,
};

/// An identifier of the initiative in another system (an IATI activity identifier, a donor's
/// project number...).
#[derive(Clone, Debug, SimpleObject)]
pub struct ExternalIdentifier {
    /// `iati`, `donor`, `national`, or another short scheme name.
    pub scheme: String,
    pub identifier: String,
}

/// An initiative's texts in one language.
#[derive(Clone, Debug, SimpleObject)]
pub struct InitiativeTexts {
    /// A BCP 47 tag.
    pub language: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub outcome_summary: Option<String>,
}

impl InitiativeTexts {
    fn of(language: String, mut texts: service::translations::Texts) -> Self {
        Self {
            language,
            title: texts.remove("title"),
            summary: texts.remove("summary"),
            description: texts.remove("description"),
            outcome_summary: texts.remove("outcome_summary"),
        }
    }
}

/// One change of journey stage.
#[derive(Clone, Debug, SimpleObject)]
pub struct StageChange {
    pub from: Option<JourneyStage>,
    pub to: JourneyStage,
    /// When the change was recorded.
    pub changed_at: DateTime<Utc>,
    /// The day it happened.
    pub changed_on: NaiveDate,
    pub reason: Option<String>,
}

impl From<initiatives::StageChangeEntry> for StageChange {
    fn from(c: initiatives::StageChangeEntry) -> Self {
        Self {
            from: c.from.map(Into::into),
            to: c.to.into(),
            changed_at: c.changed_at,
            changed_on: c.changed_on,
            reason: c.reason,
        }
    }
}

/// What a single read returned beside the initiative, so that its nested fields need no
/// further query.
#[derive(Clone)]
struct Preloaded {
    stage_changes: Vec<initiatives::StageChangeEntry>,
    totals: contributions::ContributionTotals,
}

/// A public-private or multi-stakeholder partnership for development.
#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Initiative {
    /// The UUID; GraphQL shows it as the global id (`id: ID!`, see [`super::node`]).
    #[graphql(skip)]
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
    /// Levers the initiative brings to bear.
    pub levers: Vec<Lever>,
    /// Resource kinds it still needs.
    pub needs: Vec<ResourceKind>,
    pub spectrum: Option<Spectrum>,
    pub engagement_model: Option<EngagementModel>,
    pub form: Option<PartnershipForm>,
    pub stage: JourneyStage,
    /// When the current stage was recorded.
    pub stage_changed_at: DateTime<Utc>,
    /// The day the current stage began.
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
    /// Increases with every change to the initiative or its children: pass it as
    /// `expectedVersion` to change or delete the initiative.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The BCP 47 tag of the language its texts were written in (its original language).
    pub language: String,
    /// The text fields not in the language asked for (`lang`), each with the language it
    /// fell back to; empty when every text is in that language.
    pub field_languages: Vec<FieldLanguage>,
    /// Every translation of its texts (`lang: "*"` only; empty otherwise).
    pub translations: Vec<InitiativeTexts>,
    #[graphql(skip)]
    preloaded: Option<Arc<Preloaded>>,
}

impl From<initiatives::Initiative> for Initiative {
    fn from(i: initiatives::Initiative) -> Self {
        Self {
            id: i.id,
            tenant_id: i.tenant_id,
            title: i.title,
            summary: i.summary,
            description: i.description,
            kind: i.kind.into(),
            countries: i.countries,
            scale: i.scale.map(Into::into),
            action_lines: i.action_lines,
            sdg_goals: i.sdg_goals,
            sdg_targets: i.sdg_targets,
            levers: enums::list(&i.levers),
            needs: enums::list(&i.needs),
            spectrum: i.spectrum.map(Into::into),
            engagement_model: i.engagement_model.map(Into::into),
            form: i.form.map(Into::into),
            stage: i.stage.into(),
            stage_changed_at: i.stage_changed_at,
            stage_changed_on: i.stage_changed_on,
            start_date: i.start_date,
            end_date: i.end_date,
            outcome: i.outcome.into(),
            outcome_summary: i.outcome_summary,
            visibility: i.visibility.into(),
            iati_identifier: i.iati_identifier,
            external_identifiers: i
                .external_identifiers
                .into_iter()
                .map(|e| ExternalIdentifier {
                    scheme: e.scheme,
                    identifier: e.identifier,
                })
                .collect(),
            sectors: enums::list(&i.sectors),
            is_multi_stakeholder: i.is_multi_stakeholder,
            is_ppp: i.is_ppp,
            reporting_status: i.reporting_status.into(),
            last_reported_on: i.last_reported_on,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
            language: i.language,
            field_languages: i
                .field_languages
                .unwrap_or_default()
                .into_iter()
                .map(|(field, language)| FieldLanguage { field, language })
                .collect(),
            translations: i
                .translations
                .unwrap_or_default()
                .into_iter()
                .map(|(language, texts)| InitiativeTexts::of(language, texts))
                .collect(),
            preloaded: None,
        }
    }
}

impl From<initiatives::InitiativeDetail> for Initiative {
    fn from(d: initiatives::InitiativeDetail) -> Self {
        let mut initiative = Initiative::from(d.initiative);
        initiative.preloaded = Some(Arc::new(Preloaded {
            stage_changes: d.stage_changes,
            totals: d.contribution_totals,
        }));
        initiative
    }
}

#[ComplexObject]
impl Initiative {
    /// The global id: the record's UUID, as REST and `node(id:)` take it.
    pub async fn id(&self, _ctx: &Context<'_>) -> async_graphql::Result<ID> {
        Ok(global_id(self.id))
    }

    /// Every change of stage, oldest first, with its date.
    async fn stage_changes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StageChange>> {
        if let Some(p) = &self.preloaded {
            return Ok(p.stage_changes.iter().cloned().map(Into::into).collect());
        }
        let found = loaders::of(ctx)?.stage_changes.load_one(self.id).await?;
        Ok(take(found, usize::MAX))
    }

    /// What the contributions add up to: per currency, per resource kind, per partner.
    async fn contribution_totals(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<ContributionTotals> {
        if let Some(p) = &self.preloaded {
            return Ok(p.totals.clone().into());
        }
        let found = loaders::of(ctx)?.totals.load_one(self.id).await?;
        Ok(found.unwrap_or_default().into())
    }

    /// The partners, oldest first; optionally of one status only.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        status: Option<PartnerStatus>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Partner>> {
        let n = nested_first(ctx, first)?;
        let found = loaders::of(ctx)?.partners.load_one(self.id).await?;
        let status = status.map(entity::enums::PartnerStatus::from);
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .filter(|p| status.is_none_or(|s| p.status == s))
            .take(n)
            .map(Partner::from)
            .collect())
    }

    /// The contributions, oldest first.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn contributions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Contribution>> {
        let n = nested_first(ctx, first)?;
        Ok(take(
            loaders::of(ctx)?.contributions.load_one(self.id).await?,
            n,
        ))
    }

    /// The agreements, oldest first.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn agreements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Agreement>> {
        let n = nested_first(ctx, first)?;
        Ok(take(
            loaders::of(ctx)?.agreements.load_one(self.id).await?,
            n,
        ))
    }

    /// The progress reports, the latest period first.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<ProgressReport>> {
        let n = nested_first(ctx, first)?;
        Ok(take(loaders::of(ctx)?.reports.load_one(self.id).await?, n))
    }

    /// The lessons learned, newest first.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn lessons(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Lesson>> {
        let n = nested_first(ctx, first)?;
        Ok(take(loaders::of(ctx)?.lessons.load_one(self.id).await?, n))
    }

    /// The partnership journey as an SVG picture (as `GET
    /// /api/v1/initiatives/{id}/pictures/journey.svg`); `lang`: a BCP 47 tag (`ar`, `en`, `es`,
    /// `fr`, `ru`, `zh`; another language draws English).
    async fn journey_svg(
        &self,
        ctx: &Context<'_>,
        lang: Option<String>,
    ) -> async_graphql::Result<String> {
        crate::graphql::pictures::svg(ctx, lang, |rc, lang| {
            rc.registry.journey_picture(&rc.caller, self.id, lang)
        })
        .await
    }

    /// The contributions by resource kind and partner as an SVG picture (as `GET
    /// /api/v1/initiatives/{id}/pictures/contributions.svg`).
    async fn contributions_svg(
        &self,
        ctx: &Context<'_>,
        lang: Option<String>,
    ) -> async_graphql::Result<String> {
        crate::graphql::pictures::svg(ctx, lang, |rc, lang| {
            rc.registry.contributions_picture(&rc.caller, self.id, lang)
        })
        .await
    }

    /// The health of the six fundamentals as an SVG picture, each partner's latest rating a dot
    /// (as `GET /api/v1/initiatives/{id}/pictures/health.svg`).
    async fn health_svg(
        &self,
        ctx: &Context<'_>,
        lang: Option<String>,
    ) -> async_graphql::Result<String> {
        crate::graphql::pictures::svg(ctx, lang, |rc, lang| {
            rc.registry.health_picture(&rc.caller, self.id, lang)
        })
        .await
    }

    /// The WSIS showcase checklist (as the root field `showcaseEligibility`).
    async fn showcase_eligibility(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<ShowcaseEligibility> {
        crate::graphql::wsis::eligibility(crate::graphql::context::request(ctx)?, self.id).await
    }

    /// The value assessment; null when it has not been assessed.
    async fn value_assessment(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ValueAssessment>> {
        crate::graphql::matchmaking::value_assessment(
            crate::graphql::context::request(ctx)?,
            self.id,
        )
        .await
    }

    /// Partner suggestions (as the root field `partnerSuggestions`).
    async fn partner_suggestions(
        &self,
        ctx: &Context<'_>,
        limit: Option<u64>,
    ) -> async_graphql::Result<Vec<PartnerSuggestion>> {
        crate::graphql::matchmaking::suggestions(
            crate::graphql::context::request(ctx)?,
            self.id,
            limit,
        )
        .await
    }

    /// The stakeholder map (as the root field `stakeholderMap`).
    async fn stakeholder_map(&self, ctx: &Context<'_>) -> async_graphql::Result<StakeholderMap> {
        crate::graphql::analytics::stakeholder_map(crate::graphql::context::request(ctx)?, self.id)
            .await
    }

    /// Leverage and return on investment (as the root field `initiativeLeverage`).
    async fn leverage(&self, ctx: &Context<'_>) -> async_graphql::Result<InitiativeLeverage> {
        crate::graphql::analytics::initiative_leverage(
            crate::graphql::context::request(ctx)?,
            self.id,
        )
        .await
    }

    /// The latest entries of the revision history, newest first. Members of the owning
    /// tenant only (`UNAUTHENTICATED` without a token, `NOT_FOUND` for another tenant's
    /// initiative, as in REST); the whole history pages with `initiativeHistory`.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Option<Vec<RevisionEntry>>> {
        let n = nested_first(ctx, first)?;
        match loaders::of(ctx)?.history.load_one((self.id, n)).await? {
            Some(entries) => Ok(Some(entries.into_iter().map(Into::into).collect())),
            None => Err(crate::graphql::errors::service_error(
                service::ServiceError::NotFound {
                    entity: "initiative",
                },
                None,
            )),
        }
    }
}
