//! Contributions and their totals. Amounts are exact decimals (the `Decimal` scalar, a string)
//! with an ISO 4217 currency; amounts in different currencies are never added up.

use async_graphql::SimpleObject;
use chrono::{DateTime, NaiveDate, Utc};
use service::contributions;
use uuid::Uuid;

use crate::graphql::{
    enums::{ContributionStatus, ResourceKind},
    scalars::Decimal,
};

/// An exact amount in one currency.
#[derive(Clone, Debug, SimpleObject)]
pub struct Money {
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
}

/// A contribution of a partner to an initiative.
#[derive(Clone, Debug, SimpleObject)]
pub struct Contribution {
    pub id: Uuid,
    pub initiative_id: Uuid,
    /// The contributing partner (a partner of this initiative).
    pub partner_id: Uuid,
    /// The partner's organisation.
    pub organization_id: Uuid,
    pub organization_name: String,
    pub resource_kind: ResourceKind,
    pub description: Option<String>,
    /// The amount with its currency, with the currency's minor units; null for an in-kind
    /// contribution that was not valued.
    pub amount: Option<Money>,
    pub status: ContributionStatus,
    pub contributed_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<contributions::Contribution> for Contribution {
    fn from(c: contributions::Contribution) -> Self {
        Self {
            id: c.id,
            initiative_id: c.initiative_id,
            partner_id: c.partner_id,
            organization_id: c.organization_id,
            organization_name: c.organization_name,
            resource_kind: c.resource_kind.into(),
            description: c.description,
            amount: match (c.amount, c.currency) {
                (Some(amount), Some(currency)) => Some(Money {
                    amount: Decimal(amount),
                    currency,
                }),
                _ => None,
            },
            status: c.status.into(),
            contributed_on: c.contributed_on,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The pledged and delivered amounts in one currency.
#[derive(Clone, Debug, SimpleObject)]
pub struct CurrencyTotal {
    pub currency: String,
    pub pledged: Decimal,
    pub delivered: Decimal,
    /// Pledged plus delivered.
    pub total: Decimal,
}

/// The contributions of one resource kind.
#[derive(Clone, Debug, SimpleObject)]
pub struct KindTotal {
    pub resource_kind: ResourceKind,
    /// How many contributions of this kind, valued or not.
    pub count: u64,
    pub amounts: Vec<Money>,
}

/// A partner's amount in one currency, and its share of that currency's total.
#[derive(Clone, Debug, SimpleObject)]
pub struct PartnerAmount {
    pub currency: String,
    pub total: Decimal,
    /// The partner's fraction of the currency's total, with four decimal places.
    pub share: Decimal,
}

/// What one partner contributed.
#[derive(Clone, Debug, SimpleObject)]
pub struct PartnerTotal {
    pub partner_id: Uuid,
    pub organization_name: String,
    /// Per currency; empty when the partner's contributions were not valued.
    pub amounts: Vec<PartnerAmount>,
}

/// What an initiative's contributions add up to. Sums are exact.
#[derive(Clone, Debug, SimpleObject)]
pub struct ContributionTotals {
    /// Per currency, ordered by code.
    pub by_currency: Vec<CurrencyTotal>,
    /// Per resource kind present, counting unvalued in-kind contributions too.
    pub by_kind: Vec<KindTotal>,
    /// Per contributing partner, ordered by organisation name.
    pub by_partner: Vec<PartnerTotal>,
}

impl From<contributions::ContributionTotals> for ContributionTotals {
    fn from(t: contributions::ContributionTotals) -> Self {
        Self {
            by_currency: t
                .by_currency
                .into_iter()
                .map(|c| CurrencyTotal {
                    currency: c.currency,
                    pledged: Decimal(c.pledged),
                    delivered: Decimal(c.delivered),
                    total: Decimal(c.total),
                })
                .collect(),
            by_kind: t
                .by_kind
                .into_iter()
                .map(|k| KindTotal {
                    resource_kind: k.resource_kind.into(),
                    count: k.count,
                    amounts: k
                        .amounts
                        .into_iter()
                        .map(|a| Money {
                            amount: Decimal(a.total),
                            currency: a.currency,
                        })
                        .collect(),
                })
                .collect(),
            by_partner: t
                .by_partner
                .into_iter()
                .map(|p| PartnerTotal {
                    partner_id: p.partner_id,
                    organization_name: p.organization_name,
                    amounts: p
                        .amounts
                        .into_iter()
                        .map(|a| PartnerAmount {
                            currency: a.currency,
                            total: Decimal(a.total),
                            share: Decimal(a.share),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
