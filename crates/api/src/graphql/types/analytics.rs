//! Partnership analytics: the stakeholder map (as data; the SVG picture stays REST's), leverage
//! and return on investment per initiative, per organisation and per engagement model, and the
//! dashboard. Each type mirrors the service's view behind `routes/analytics.rs`; amounts and
//! ratios are exact decimals (the `Decimal` scalar), never added across currencies.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use service::{
    analytics::{dashboard, leverage, stakeholder_map},
    contributions, partners,
};
use uuid::Uuid;

use super::{contribution::CurrencyTotal, partner::PartnerOrganization};
use crate::graphql::{
    enums::{
        self, EngagementModel, InitiativeKind, JourneyStage, Outcome, PartnerRole, PartnerStatus,
        Quadrant, ReportingStatus, Sector, Spectrum, UnplacedReason, Visibility,
    },
    scalars::Decimal,
};

fn organization(o: partners::OrganizationRef) -> PartnerOrganization {
    PartnerOrganization {
        id: o.id,
        name: o.name,
        acronym: o.acronym,
        sector: o.sector.into(),
        country: o.country,
    }
}

// ---- The stakeholder map ----

/// Where the grid is split: at or above each threshold is "high".
#[derive(Clone, Debug, SimpleObject)]
pub struct MapThresholds {
    pub interest: u8,
    pub influence: u8,
    /// Both scales run from `scaleMin` (low) to `scaleMax` (high).
    pub scale_min: u8,
    pub scale_max: u8,
}

/// One quadrant of the grid and how many stakeholders it holds.
#[derive(Clone, Debug, SimpleObject)]
pub struct QuadrantSummary {
    pub quadrant: Quadrant,
    pub label: String,
    pub description: String,
    pub count: u64,
}

/// A partner or prospect placed on the grid.
#[derive(Clone, Debug, SimpleObject)]
pub struct Stakeholder {
    pub partner_id: Uuid,
    pub organization: PartnerOrganization,
    /// `ACTIVE` or `PROSPECT`.
    pub status: PartnerStatus,
    pub roles: Vec<PartnerRole>,
    /// 1 (low) to 5 (high).
    pub interest: u8,
    /// 1 (low) to 5 (high).
    pub influence: u8,
    pub quadrant: Quadrant,
}

/// A partner or prospect that cannot be placed, with the reason.
#[derive(Clone, Debug, SimpleObject)]
pub struct UnplacedStakeholder {
    pub partner_id: Uuid,
    pub organization: PartnerOrganization,
    pub status: PartnerStatus,
    pub roles: Vec<PartnerRole>,
    pub interest: Option<u8>,
    pub influence: Option<u8>,
    pub reason: UnplacedReason,
    /// The reason, in a sentence.
    pub detail: String,
}

/// The map of an initiative's stakeholders on the interest/influence grid (as
/// `GET /api/v1/initiatives/{id}/stakeholder-map`; its SVG picture is REST-only).
#[derive(Clone, Debug, SimpleObject)]
pub struct StakeholderMap {
    pub initiative_id: Uuid,
    pub initiative_title: String,
    /// The initiative's version the map was drawn from.
    pub version: i32,
    pub visibility: Visibility,
    pub thresholds: MapThresholds,
    /// The four quadrants, manage closely first.
    pub quadrants: Vec<QuadrantSummary>,
    /// Placed stakeholders, by quadrant, then influence and interest (highest first), then name.
    pub stakeholders: Vec<Stakeholder>,
    pub unplaced: Vec<UnplacedStakeholder>,
}

impl From<stakeholder_map::StakeholderMap> for StakeholderMap {
    fn from(m: stakeholder_map::StakeholderMap) -> Self {
        Self {
            initiative_id: m.initiative_id,
            initiative_title: m.initiative_title,
            version: m.version,
            visibility: m.visibility.into(),
            thresholds: MapThresholds {
                interest: m.thresholds.interest,
                influence: m.thresholds.influence,
                scale_min: m.thresholds.scale_min,
                scale_max: m.thresholds.scale_max,
            },
            quadrants: m
                .quadrants
                .into_iter()
                .map(|q| QuadrantSummary {
                    quadrant: q.quadrant.into(),
                    label: q.label,
                    description: q.description,
                    count: q.count,
                })
                .collect(),
            stakeholders: m
                .stakeholders
                .into_iter()
                .map(|s| Stakeholder {
                    partner_id: s.partner_id,
                    organization: organization(s.organization),
                    status: s.status.into(),
                    roles: enums::list(&s.roles),
                    interest: s.interest,
                    influence: s.influence,
                    quadrant: s.quadrant.into(),
                })
                .collect(),
            unplaced: m
                .unplaced
                .into_iter()
                .map(|u| UnplacedStakeholder {
                    partner_id: u.partner_id,
                    organization: organization(u.organization),
                    status: u.status.into(),
                    roles: enums::list(&u.roles),
                    interest: u.interest,
                    influence: u.influence,
                    reason: u.reason.into(),
                    detail: u.detail,
                })
                .collect(),
        }
    }
}

// ---- Leverage ----

/// Amounts in one currency, pledged and delivered.
#[derive(Clone, Debug, SimpleObject)]
pub struct AmountSplit {
    pub pledged: Decimal,
    pub delivered: Decimal,
    /// Pledged plus delivered.
    pub total: Decimal,
}

impl From<leverage::AmountSplit> for AmountSplit {
    fn from(a: leverage::AmountSplit) -> Self {
        Self {
            pledged: Decimal(a.pledged),
            delivered: Decimal(a.delivered),
            total: Decimal(a.total),
        }
    }
}

/// Leverage ratios, `(total − own) / own` to two decimal places, per status; null where the
/// own contribution is zero.
#[derive(Clone, Debug, SimpleObject)]
pub struct LeverageRatios {
    pub pledged: Option<Decimal>,
    pub delivered: Option<Decimal>,
    pub total: Option<Decimal>,
}

impl From<leverage::LeverageRatios> for LeverageRatios {
    fn from(r: leverage::LeverageRatios) -> Self {
        Self {
            pledged: r.pledged.map(Decimal),
            delivered: r.delivered.map(Decimal),
            total: r.total.map(Decimal),
        }
    }
}

/// One partner's leverage in one currency of an initiative.
#[derive(Clone, Debug, SimpleObject)]
pub struct PartnerLeverage {
    pub partner_id: Uuid,
    pub organization: PartnerOrganization,
    /// What this partner contributed.
    pub own: AmountSplit,
    /// What the other partners contributed.
    pub others: AmountSplit,
    pub leverage: LeverageRatios,
}

/// An initiative's resources in one currency and each contributing partner's leverage.
#[derive(Clone, Debug, SimpleObject)]
pub struct CurrencyLeverage {
    /// ISO 4217.
    pub currency: String,
    /// Every partner's contributions in this currency.
    pub mobilised: AmountSplit,
    /// The partners with a contribution in this currency, the largest own total first.
    pub partners: Vec<PartnerLeverage>,
}

/// A partner's contributions that carry no amount (in kind, not valued).
#[derive(Clone, Debug, SimpleObject)]
pub struct PartnerInKind {
    pub partner_id: Uuid,
    pub organization: PartnerOrganization,
    /// Unvalued contributions, pledged or delivered.
    pub count: u64,
    pub pledged: u64,
    pub delivered: u64,
}

/// Leverage and return on investment of one initiative.
#[derive(Clone, Debug, SimpleObject)]
pub struct InitiativeLeverage {
    pub initiative_id: Uuid,
    pub initiative_title: String,
    /// Per currency, ordered by code.
    pub currencies: Vec<CurrencyLeverage>,
    /// Per partner with unvalued in-kind contributions, ordered by organisation name.
    pub in_kind: Vec<PartnerInKind>,
}

impl From<leverage::InitiativeLeverage> for InitiativeLeverage {
    fn from(l: leverage::InitiativeLeverage) -> Self {
        Self {
            initiative_id: l.initiative_id,
            initiative_title: l.initiative_title,
            currencies: l
                .currencies
                .into_iter()
                .map(|c| CurrencyLeverage {
                    currency: c.currency,
                    mobilised: c.mobilised.into(),
                    partners: c
                        .partners
                        .into_iter()
                        .map(|p| PartnerLeverage {
                            partner_id: p.partner_id,
                            organization: organization(p.organization),
                            own: p.own.into(),
                            others: p.others.into(),
                            leverage: p.leverage.into(),
                        })
                        .collect(),
                })
                .collect(),
            in_kind: l
                .in_kind
                .into_iter()
                .map(|k| PartnerInKind {
                    partner_id: k.partner_id,
                    organization: organization(k.organization),
                    count: k.count,
                    pledged: k.pledged,
                    delivered: k.delivered,
                })
                .collect(),
        }
    }
}

/// An organisation's own contribution against what was mobilised, in one currency.
#[derive(Clone, Debug, SimpleObject)]
pub struct OrganizationCurrencyLeverage {
    /// ISO 4217.
    pub currency: String,
    /// What the organisation contributed.
    pub own: AmountSplit,
    /// Everything mobilised in the same initiatives, the organisation's own included.
    pub mobilised: AmountSplit,
    /// Mobilised minus own.
    pub others: AmountSplit,
    pub leverage: LeverageRatios,
}

impl From<leverage::OrganizationCurrencyLeverage> for OrganizationCurrencyLeverage {
    fn from(c: leverage::OrganizationCurrencyLeverage) -> Self {
        Self {
            currency: c.currency,
            own: c.own.into(),
            mobilised: c.mobilised.into(),
            others: c.others.into(),
            leverage: c.leverage.into(),
        }
    }
}

/// An organisation's leverage in one initiative.
#[derive(Clone, Debug, SimpleObject)]
pub struct OrganizationInitiativeLeverage {
    pub initiative_id: Uuid,
    pub initiative_title: String,
    /// Per currency present in the initiative, ordered by code.
    pub currencies: Vec<OrganizationCurrencyLeverage>,
    /// The organisation's unvalued in-kind contributions to the initiative.
    pub unvalued_in_kind: u64,
}

/// Leverage and return on investment of one organisation across the initiatives the caller may
/// read in which it is a partner.
#[derive(Clone, Debug, SimpleObject)]
pub struct OrganizationLeverage {
    pub organization: PartnerOrganization,
    /// The readable initiatives it takes part in.
    pub initiative_count: u64,
    /// Over all those initiatives, per currency, ordered by code.
    pub currencies: Vec<OrganizationCurrencyLeverage>,
    pub unvalued_in_kind: u64,
    /// Per initiative, ordered by title.
    pub initiatives: Vec<OrganizationInitiativeLeverage>,
}

impl From<leverage::OrganizationLeverage> for OrganizationLeverage {
    fn from(l: leverage::OrganizationLeverage) -> Self {
        Self {
            organization: organization(l.organization),
            initiative_count: l.initiative_count,
            currencies: l.currencies.into_iter().map(Into::into).collect(),
            unvalued_in_kind: l.unvalued_in_kind,
            initiatives: l
                .initiatives
                .into_iter()
                .map(|i| OrganizationInitiativeLeverage {
                    initiative_id: i.initiative_id,
                    initiative_title: i.initiative_title,
                    currencies: i.currencies.into_iter().map(Into::into).collect(),
                    unvalued_in_kind: i.unvalued_in_kind,
                })
                .collect(),
        }
    }
}

fn currency_total(c: contributions::CurrencyTotal) -> CurrencyTotal {
    CurrencyTotal {
        currency: c.currency,
        pledged: Decimal(c.pledged),
        delivered: Decimal(c.delivered),
        total: Decimal(c.total),
    }
}

/// The initiatives of one engagement model and what they mobilised.
#[derive(Clone, Debug, SimpleObject)]
pub struct EngagementModelFigures {
    /// Null for initiatives with no engagement model recorded.
    pub engagement_model: Option<EngagementModel>,
    pub initiatives: u64,
    /// Per currency, ordered by code.
    pub mobilised: Vec<CurrencyTotal>,
}

/// Resources mobilised per private-sector engagement model.
#[derive(Clone, Debug, SimpleObject)]
pub struct EngagementModelLeverage {
    /// The four engagement models, then the initiatives with none recorded.
    pub models: Vec<EngagementModelFigures>,
}

impl From<leverage::EngagementModelLeverage> for EngagementModelLeverage {
    fn from(l: leverage::EngagementModelLeverage) -> Self {
        Self {
            models: l
                .models
                .into_iter()
                .map(|m| EngagementModelFigures {
                    engagement_model: m.engagement_model.map(Into::into),
                    initiatives: m.initiatives,
                    mobilised: m.mobilised.into_iter().map(currency_total).collect(),
                })
                .collect(),
        }
    }
}

// ---- The dashboard ----

#[derive(Clone, Debug, SimpleObject)]
pub struct StageCount {
    pub stage: JourneyStage,
    pub count: u64,
}

#[derive(Clone, Debug, SimpleObject)]
pub struct KindCount {
    pub kind: InitiativeKind,
    pub count: u64,
}

/// Active partners of one sector.
#[derive(Clone, Debug, SimpleObject)]
pub struct SectorCount {
    pub sector: Sector,
    /// Active partners whose organisation is of this sector.
    pub partners: u64,
    /// Initiatives with at least one such partner.
    pub initiatives: u64,
}

#[derive(Clone, Debug, SimpleObject)]
pub struct SpectrumCount {
    /// Null: not recorded.
    pub spectrum: Option<Spectrum>,
    pub count: u64,
}

#[derive(Clone, Debug, SimpleObject)]
pub struct EngagementModelCount {
    /// Null: not recorded.
    pub engagement_model: Option<EngagementModel>,
    pub count: u64,
}

#[derive(Clone, Debug, SimpleObject)]
pub struct CountryCount {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub name: String,
    pub count: u64,
}

#[derive(Clone, Debug, SimpleObject)]
pub struct ActionLineCount {
    pub action_line: String,
    pub label: String,
    pub count: u64,
}

#[derive(Clone, Debug, SimpleObject)]
pub struct OutcomeCount {
    pub outcome: Outcome,
    pub count: u64,
}

#[derive(Clone, Debug, SimpleObject)]
pub struct ReportingStatusCount {
    pub reporting_status: ReportingStatus,
    pub count: u64,
}

#[derive(Clone, Debug, SimpleObject)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub count: u64,
}

/// Counts across the caller's initiatives (as `GET /api/v1/analytics/dashboard`).
#[derive(Clone, Debug, SimpleObject)]
pub struct Dashboard {
    /// Initiatives counted.
    pub total: u64,
    /// Every journey stage, in journey order.
    pub by_stage: Vec<StageCount>,
    pub by_kind: Vec<KindCount>,
    /// Sector mix of the active partners: every sector.
    pub by_sector: Vec<SectorCount>,
    /// Every spectrum position, then null (not recorded).
    pub by_spectrum: Vec<SpectrumCount>,
    /// Every engagement model, then null (not recorded).
    pub by_engagement_model: Vec<EngagementModelCount>,
    /// Countries with at least one initiative, the most frequent first.
    pub by_country: Vec<CountryCount>,
    /// Action lines with at least one initiative, in Plan of Action order.
    pub by_action_line: Vec<ActionLineCount>,
    pub by_outcome: Vec<OutcomeCount>,
    pub by_reporting_status: Vec<ReportingStatusCount>,
    /// Initiatives registered per calendar month (UTC) over the last 24 months, oldest first.
    pub registrations_by_month: Vec<MonthCount>,
    pub generated_at: DateTime<Utc>,
}

impl From<dashboard::Dashboard> for Dashboard {
    fn from(d: dashboard::Dashboard) -> Self {
        Self {
            total: d.total,
            by_stage: d
                .by_stage
                .into_iter()
                .map(|c| StageCount {
                    stage: c.stage.into(),
                    count: c.count,
                })
                .collect(),
            by_kind: d
                .by_kind
                .into_iter()
                .map(|c| KindCount {
                    kind: c.kind.into(),
                    count: c.count,
                })
                .collect(),
            by_sector: d
                .by_sector
                .into_iter()
                .map(|c| SectorCount {
                    sector: c.sector.into(),
                    partners: c.partners,
                    initiatives: c.initiatives,
                })
                .collect(),
            by_spectrum: d
                .by_spectrum
                .into_iter()
                .map(|c| SpectrumCount {
                    spectrum: c.spectrum.map(Into::into),
                    count: c.count,
                })
                .collect(),
            by_engagement_model: d
                .by_engagement_model
                .into_iter()
                .map(|c| EngagementModelCount {
                    engagement_model: c.engagement_model.map(Into::into),
                    count: c.count,
                })
                .collect(),
            by_country: d
                .by_country
                .into_iter()
                .map(|c| CountryCount {
                    country: c.country,
                    name: c.name,
                    count: c.count,
                })
                .collect(),
            by_action_line: d
                .by_action_line
                .into_iter()
                .map(|c| ActionLineCount {
                    action_line: c.action_line,
                    label: c.label,
                    count: c.count,
                })
                .collect(),
            by_outcome: d
                .by_outcome
                .into_iter()
                .map(|c| OutcomeCount {
                    outcome: c.outcome.into(),
                    count: c.count,
                })
                .collect(),
            by_reporting_status: d
                .by_reporting_status
                .into_iter()
                .map(|c| ReportingStatusCount {
                    reporting_status: c.reporting_status.into(),
                    count: c.count,
                })
                .collect(),
            registrations_by_month: d
                .registrations_by_month
                .into_iter()
                .map(|c| MonthCount {
                    month: c.month,
                    count: c.count,
                })
                .collect(),
            generated_at: d.generated_at,
        }
    }
}
