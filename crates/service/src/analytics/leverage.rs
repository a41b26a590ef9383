//! Leverage and return on investment (DOMAIN.md, "Private-sector engagement models": track the
//! return on investment and leveraging potential of each partnership).
//!
//! A partner's *own* contribution is set against the *total resources mobilised* (what every
//! partner put in, itself included). Its **leverage ratio** is `(total − own) / own`: how much
//! the others brought for each unit it brought (own 100.00, others 300.00 → `"3.00"`); `null`
//! when its own contribution is zero. Everything is per currency (amounts in different
//! currencies are never added or converted) and split pledged vs delivered; sums are exact
//! decimals written as strings. Unvalued in-kind contributions (no amount) are counted apart.

use std::collections::{BTreeMap, HashMap};

use entity::{
    contribution,
    enums::{ContributionStatus, EngagementModel},
    initiative, initiative_partner, organization,
};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, ExprTrait,
    Iterable, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Query, SelectStatement},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    AnalyticsQuery, PerCurrency, Sums, add, initiative_scope, join_all, money, parse_amount,
    readable_initiatives,
};
use crate::{
    Caller, Registry,
    contributions::CurrencyTotal,
    duplicates::links::counted_once,
    error::{ServiceError, ServiceResult},
    initiatives::access,
    partners::OrganizationRef,
};

/// SQLite: the number of decimal places written in an amount.
const SQLITE_PLACES: &str = "CASE WHEN instr(\"contribution\".\"amount\", '.') = 0 THEN 0 \
ELSE length(\"contribution\".\"amount\") - instr(\"contribution\".\"amount\", '.') END";
/// SQLite: the sum of the amounts' integer parts.
const SQLITE_INTEGER_SUM: &str = "SUM(CAST(CASE WHEN instr(\"contribution\".\"amount\", '.') = 0 \
THEN \"contribution\".\"amount\" ELSE substr(\"contribution\".\"amount\", 1, \
instr(\"contribution\".\"amount\", '.') - 1) END AS INTEGER))";
/// SQLite: the sum of the amounts' fractional digits, read as integers (grouped by places).
const SQLITE_FRACTION_SUM: &str = "SUM(CASE WHEN instr(\"contribution\".\"amount\", '.') = 0 \
THEN 0 ELSE CAST(substr(\"contribution\".\"amount\", instr(\"contribution\".\"amount\", '.') + 1) \
AS INTEGER) END)";

/// Decimal places of a leverage ratio.
pub const RATIO_PLACES: u32 = 2;

/// Amounts in one currency, pledged and delivered. Exact decimal strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AmountSplit {
    #[schema(example = "100.00")]
    pub pledged: String,
    #[schema(example = "50.00")]
    pub delivered: String,
    /// Pledged plus delivered.
    #[schema(example = "150.00")]
    pub total: String,
}

/// Leverage ratios, `(total − own) / own` to two decimal places, per status; `null` where the
/// own contribution is zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeverageRatios {
    #[schema(example = "3.00")]
    pub pledged: Option<String>,
    #[schema(example = "2.50")]
    pub delivered: Option<String>,
    #[schema(example = "2.75")]
    pub total: Option<String>,
}

/// One partner's leverage in one currency of an initiative.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerLeverage {
    pub partner_id: Uuid,
    pub organization: OrganizationRef,
    /// What this partner contributed.
    pub own: AmountSplit,
    /// What the other partners contributed: mobilised minus own.
    pub others: AmountSplit,
    pub leverage: LeverageRatios,
}

/// An initiative's resources in one currency and each contributing partner's leverage.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CurrencyLeverage {
    #[schema(example = "USD")]
    pub currency: String,
    /// The total resources mobilised: every partner's contributions in this currency.
    pub mobilised: AmountSplit,
    /// The partners with a contribution in this currency, the largest own total first.
    pub partners: Vec<PartnerLeverage>,
}

/// A partner's contributions that carry no amount (in kind, not valued).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerInKind {
    pub partner_id: Uuid,
    pub organization: OrganizationRef,
    /// Unvalued contributions, pledged or delivered.
    pub count: u64,
    pub pledged: u64,
    pub delivered: u64,
}

/// Leverage and return on investment of one initiative.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InitiativeLeverage {
    pub initiative_id: Uuid,
    pub initiative_title: String,
    /// Per currency, ordered by code.
    pub currencies: Vec<CurrencyLeverage>,
    /// Per partner with unvalued in-kind contributions, ordered by organisation name.
    pub in_kind: Vec<PartnerInKind>,
}

/// An organisation's own contribution against what was mobilised, in one currency.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrganizationCurrencyLeverage {
    #[schema(example = "USD")]
    pub currency: String,
    /// What the organisation contributed.
    pub own: AmountSplit,
    /// Everything mobilised in the same initiatives, the organisation's own included.
    pub mobilised: AmountSplit,
    /// Mobilised minus own.
    pub others: AmountSplit,
    pub leverage: LeverageRatios,
}

/// An organisation's leverage in one initiative.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrganizationInitiativeLeverage {
    pub initiative_id: Uuid,
    pub initiative_title: String,
    /// Per currency present in the initiative, ordered by code.
    pub currencies: Vec<OrganizationCurrencyLeverage>,
    /// The organisation's unvalued in-kind contributions to the initiative.
    pub unvalued_in_kind: u64,
}

/// Leverage and return on investment of one organisation across the initiatives the caller may
/// read in which it is a partner (any partner status).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrganizationLeverage {
    pub organization: OrganizationRef,
    /// The readable initiatives it takes part in.
    pub initiative_count: u64,
    /// Over all those initiatives, per currency, ordered by code.
    pub currencies: Vec<OrganizationCurrencyLeverage>,
    /// Its unvalued in-kind contributions to those initiatives.
    pub unvalued_in_kind: u64,
    /// Per initiative, ordered by title.
    pub initiatives: Vec<OrganizationInitiativeLeverage>,
}

/// The initiatives of one engagement model and what they mobilised.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct EngagementModelFigures {
    /// `null` for initiatives with no engagement model recorded.
    pub engagement_model: Option<EngagementModel>,
    pub initiatives: u64,
    /// Resources mobilised (pledged, delivered, total) per currency, ordered by code.
    pub mobilised: Vec<CurrencyTotal>,
}

/// Resources mobilised per private-sector engagement model.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct EngagementModelLeverage {
    /// The four engagement models in the order DOMAIN.md gives them, then the initiatives
    /// with none recorded.
    pub models: Vec<EngagementModelFigures>,
}

fn split(sums: &Sums, currency: &str) -> ServiceResult<AmountSplit> {
    Ok(AmountSplit {
        pledged: money(sums.pledged, currency),
        delivered: money(sums.delivered, currency),
        total: money(sums.total()?, currency),
    })
}

/// `(all − own) / own` to [`RATIO_PLACES`] places; `None` when `own` is zero.
pub fn ratio(own: Decimal, all: Decimal) -> Option<String> {
    if own.is_zero() {
        return None;
    }
    let mut r = all
        .checked_sub(own)?
        .checked_div(own)?
        .round_dp_with_strategy(RATIO_PLACES, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(RATIO_PLACES);
    Some(r.to_string())
}

fn difference(all: &Sums, own: &Sums) -> ServiceResult<Sums> {
    let sub = |a: Decimal, b: Decimal| {
        a.checked_sub(b)
            .ok_or_else(|| ServiceError::Internal("a contribution total overflows".into()))
    };
    Ok(Sums {
        pledged: sub(all.pledged, own.pledged)?,
        delivered: sub(all.delivered, own.delivered)?,
    })
}

fn ratios(own: &Sums, all: &Sums) -> ServiceResult<LeverageRatios> {
    Ok(LeverageRatios {
        pledged: ratio(own.pledged, all.pledged),
        delivered: ratio(own.delivered, all.delivered),
        total: ratio(own.total()?, all.total()?),
    })
}

/// Own, mobilised, others and the ratios, for one currency.
fn figures(currency: &str, own: &Sums, all: &Sums) -> ServiceResult<OrganizationCurrencyLeverage> {
    Ok(OrganizationCurrencyLeverage {
        currency: currency.to_owned(),
        own: split(own, currency)?,
        mobilised: split(all, currency)?,
        others: split(&difference(all, own)?, currency)?,
        leverage: ratios(own, all)?,
    })
}

fn organization_ref(org: &organization::Model) -> OrganizationRef {
    OrganizationRef {
        id: org.id,
        name: org.name.clone(),
        acronym: org.acronym.clone(),
        sector: org.sector,
        country: org.country.clone(),
    }
}

fn by_name(a: &OrganizationRef, b: &OrganizationRef) -> std::cmp::Ordering {
    a.name
        .to_lowercase()
        .cmp(&b.name.to_lowercase())
        .then(a.id.cmp(&b.id))
}

fn is_delivered(status: &str) -> bool {
    status == ContributionStatus::Delivered.to_value()
}

/// An organisation the caller may read (its tenant's, or a public one), else 404.
async fn readable_organization<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<organization::Model> {
    crate::tenancy::readable(caller, organization::Entity::find_by_id(id).one(db).await?)
}

/// `initiative.id IN (initiatives where the organisation is a partner)`.
fn partnered_by(org: Uuid) -> SelectStatement {
    Query::select()
        .column(initiative_partner::Column::InitiativeId)
        .from(initiative_partner::Entity)
        .and_where(Expr::col(initiative_partner::Column::OrganizationId).eq(org))
        .to_owned()
}

impl Registry {
    /// Each partner's own contribution to an initiative against the total mobilised, per
    /// currency, pledged vs delivered, with its leverage ratio; and the unvalued in-kind
    /// contributions per partner. Readable as the initiative is.
    pub async fn initiative_leverage(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
    ) -> ServiceResult<InitiativeLeverage> {
        let initiative = access::readable(self.db(), caller, initiative_id).await?;
        let rows = contribution::Entity::find()
            .filter(contribution::Column::InitiativeId.eq(initiative_id))
            .order_by_asc(contribution::Column::Id)
            .all(self.db())
            .await?;

        // Partners after contributions: a partner named by a contribution cannot be removed.
        let partners: HashMap<Uuid, OrganizationRef> = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.eq(initiative_id))
            .find_also_related(organization::Entity)
            .all(self.db())
            .await?
            .into_iter()
            .filter_map(|(p, o)| o.map(|o| (p.id, organization_ref(&o))))
            .collect();
        let mut mobilised = PerCurrency::new();
        let mut own: BTreeMap<String, HashMap<Uuid, Sums>> = BTreeMap::new();
        let mut in_kind: HashMap<Uuid, (u64, u64)> = HashMap::new();
        for row in rows {
            if !partners.contains_key(&row.partner_id) {
                tracing::warn!(contribution = %row.id, "contribution of a vanished partner left out");
                continue;
            }
            let delivered = row.status == ContributionStatus::Delivered;
            let (Some(amount), Some(currency)) = (row.amount.as_deref(), row.currency) else {
                let counts = in_kind.entry(row.partner_id).or_default();
                if delivered {
                    counts.1 += 1;
                } else {
                    counts.0 += 1;
                }
                continue;
            };
            let Some(amount) = parse_amount(amount) else {
                continue;
            };
            mobilised
                .entry(currency.clone())
                .or_default()
                .add(delivered, amount)?;
            own.entry(currency)
                .or_default()
                .entry(row.partner_id)
                .or_default()
                .add(delivered, amount)?;
        }

        let organization_of = |partner_id: &Uuid| {
            partners
                .get(partner_id)
                .cloned()
                .ok_or_else(|| ServiceError::Internal(format!("partner {partner_id} not found")))
        };
        let mut currencies = Vec::with_capacity(mobilised.len());
        for (currency, all) in &mobilised {
            let mut partners_in: Vec<(Decimal, PartnerLeverage)> = Vec::new();
            for (partner_id, sums) in own.remove(currency).unwrap_or_default() {
                partners_in.push((
                    sums.total()?,
                    PartnerLeverage {
                        partner_id,
                        organization: organization_of(&partner_id)?,
                        own: split(&sums, currency)?,
                        others: split(&difference(all, &sums)?, currency)?,
                        leverage: ratios(&sums, all)?,
                    },
                ));
            }
            partners_in.sort_by(|(a, pa), (b, pb)| {
                b.cmp(a)
                    .then_with(|| by_name(&pa.organization, &pb.organization))
            });
            currencies.push(CurrencyLeverage {
                currency: currency.clone(),
                mobilised: split(all, currency)?,
                partners: partners_in.into_iter().map(|(_, p)| p).collect(),
            });
        }
        let mut in_kind: Vec<PartnerInKind> = in_kind
            .into_iter()
            .map(|(partner_id, (pledged, delivered))| {
                Ok(PartnerInKind {
                    partner_id,
                    organization: organization_of(&partner_id)?,
                    count: pledged + delivered,
                    pledged,
                    delivered,
                })
            })
            .collect::<ServiceResult<_>>()?;
        in_kind.sort_by(|a, b| by_name(&a.organization, &b.organization));
        Ok(InitiativeLeverage {
            initiative_id,
            initiative_title: initiative.title,
            currencies,
            in_kind,
        })
    }

    /// One organisation's own contributions against the total mobilised in the initiatives
    /// the caller may read in which it is a partner: overall and per initiative, per currency,
    /// pledged vs delivered. The organisation must be readable (its tenant's, or public).
    pub async fn organization_leverage(
        &self,
        caller: &Caller,
        organization_id: Uuid,
    ) -> ServiceResult<OrganizationLeverage> {
        let org = readable_organization(self.db(), caller, organization_id).await?;
        // The readable initiatives it takes part in, those linked as one partnership once.
        let scope = counted_once(
            Condition::all()
                .add(readable_initiatives(caller))
                .add(initiative::Column::Id.in_subquery(partnered_by(organization_id))),
        );
        let initiatives: Vec<(Uuid, String)> = initiative::Entity::find()
            .select_only()
            .column(initiative::Column::Id)
            .column(initiative::Column::Title)
            .filter(scope.clone())
            .order_by_asc(initiative::Column::TitleKey)
            .order_by_asc(initiative::Column::Id)
            .into_tuple()
            .all(self.db())
            .await?;

        let query = Query::select()
            .column((contribution::Entity, contribution::Column::InitiativeId))
            .column((
                initiative_partner::Entity,
                initiative_partner::Column::OrganizationId,
            ))
            .column((contribution::Entity, contribution::Column::Currency))
            .column((contribution::Entity, contribution::Column::Status))
            .column((contribution::Entity, contribution::Column::Amount))
            .from(contribution::Entity)
            .inner_join(
                initiative_partner::Entity,
                Expr::col((initiative_partner::Entity, initiative_partner::Column::Id))
                    .equals((contribution::Entity, contribution::Column::PartnerId)),
            )
            .inner_join(
                initiative::Entity,
                Expr::col((initiative::Entity, initiative::Column::Id))
                    .equals((contribution::Entity, contribution::Column::InitiativeId)),
            )
            .cond_where(scope)
            .to_owned();
        let rows = self.db().query_all(&query).await?;

        // Per initiative: (own, all) per currency, and the own unvalued count.
        type PerInitiative = (BTreeMap<String, (Sums, Sums)>, u64);
        let mut per: HashMap<Uuid, PerInitiative> = HashMap::new();
        for row in rows {
            let initiative_id: Uuid = row.try_get_by_index(0)?;
            let contributor: Uuid = row.try_get_by_index(1)?;
            let currency: Option<String> = row.try_get_by_index(2)?;
            let status: String = row.try_get_by_index(3)?;
            let amount: Option<String> = row.try_get_by_index(4)?;
            let is_own = contributor == organization_id;
            let entry = per.entry(initiative_id).or_default();
            let (Some(currency), Some(amount)) = (currency, amount) else {
                if is_own {
                    entry.1 += 1;
                }
                continue;
            };
            let Some(amount) = parse_amount(&amount) else {
                continue;
            };
            let delivered = is_delivered(&status);
            let (own, all) = entry.0.entry(currency).or_default();
            all.add(delivered, amount)?;
            if is_own {
                own.add(delivered, amount)?;
            }
        }

        let mut overall: BTreeMap<String, (Sums, Sums)> = BTreeMap::new();
        let mut unvalued_in_kind = 0;
        let mut items = Vec::with_capacity(initiatives.len());
        for (initiative_id, title) in &initiatives {
            let (currencies, unvalued) = per.remove(initiative_id).unwrap_or_default();
            unvalued_in_kind += unvalued;
            let mut list = Vec::with_capacity(currencies.len());
            for (currency, (own, all)) in &currencies {
                let total = overall.entry(currency.clone()).or_default();
                total.0 = Sums {
                    pledged: add(total.0.pledged, own.pledged)?,
                    delivered: add(total.0.delivered, own.delivered)?,
                };
                total.1 = Sums {
                    pledged: add(total.1.pledged, all.pledged)?,
                    delivered: add(total.1.delivered, all.delivered)?,
                };
                list.push(figures(currency, own, all)?);
            }
            items.push(OrganizationInitiativeLeverage {
                initiative_id: *initiative_id,
                initiative_title: title.clone(),
                currencies: list,
                unvalued_in_kind: unvalued,
            });
        }
        let currencies = overall
            .iter()
            .map(|(currency, (own, all))| figures(currency, own, all))
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok(OrganizationLeverage {
            organization: organization_ref(&org),
            initiative_count: initiatives.len() as u64,
            currencies,
            unvalued_in_kind,
            initiatives: items,
        })
    }

    /// Per private-sector engagement model: how many initiatives, and what they mobilised per
    /// currency (pledged, delivered, total). Members see their tenant's initiatives (or
    /// `scope`), anonymous callers every public one.
    pub async fn engagement_model_leverage(
        &self,
        caller: &Caller,
        query: AnalyticsQuery,
    ) -> ServiceResult<EngagementModelLeverage> {
        // Initiatives linked as one partnership count once, as their group's oldest record,
        // and so do their contributions (see docs/duplicates.md).
        let scope = counted_once(initiative_scope(caller, query.scope));
        let model_col = (initiative::Entity, initiative::Column::EngagementModel);
        let counts = Query::select()
            .expr(Expr::col(model_col))
            .expr(Expr::cust("COUNT(*)"))
            .from(initiative::Entity)
            .cond_where(scope.clone())
            .group_by_col(model_col)
            .to_owned();
        // Exact sums in the database, per model, currency and status. PostgreSQL adds the
        // amounts as NUMERIC; SQLite, which has no exact decimal type, adds the integer parts
        // and the fractional digits (per number of places) as 64-bit integers, put together
        // here. A sum too large for that is an error, never a rounded figure.
        let c = |col: contribution::Column| (contribution::Entity, col);
        let backend = self.db().get_database_backend();
        let mut sums = Query::select()
            .expr(Expr::col(model_col))
            .expr(Expr::col(c(contribution::Column::Currency)))
            .expr(Expr::col(c(contribution::Column::Status)))
            .from(contribution::Entity)
            .inner_join(
                initiative::Entity,
                Expr::col((initiative::Entity, initiative::Column::Id))
                    .equals(c(contribution::Column::InitiativeId)),
            )
            .cond_where(scope)
            .and_where(Expr::col(c(contribution::Column::Amount)).is_not_null())
            .and_where(Expr::col(c(contribution::Column::Currency)).is_not_null())
            .to_owned();
        match backend {
            DatabaseBackend::Postgres => {
                sums.expr(Expr::cust(
                    "CAST(SUM(CAST(\"contribution\".\"amount\" AS NUMERIC)) AS TEXT)",
                ))
                .add_group_by((1..=3).map(|i| Expr::cust(i.to_string())));
            }
            _ => {
                sums.expr(Expr::cust(SQLITE_PLACES))
                    .expr(Expr::cust(SQLITE_INTEGER_SUM))
                    .expr(Expr::cust(SQLITE_FRACTION_SUM))
                    .add_group_by((1..=4).map(|i| Expr::cust(i.to_string())));
            }
        }
        let mut results = join_all(vec![
            self.db().query_all(&counts),
            self.db().query_all(&sums),
        ])
        .await
        .into_iter();
        let (Some(count_rows), Some(sum_rows)) = (results.next(), results.next()) else {
            return Err(ServiceError::Internal(
                "an analytics query went missing".into(),
            ));
        };
        let (count_rows, sum_rows) = (count_rows?, sum_rows?);
        let mut initiatives: HashMap<Option<String>, u64> = HashMap::new();
        for row in count_rows {
            let model: Option<String> = row.try_get_by_index(0)?;
            let count: i64 = row.try_get_by_index(1)?;
            initiatives.insert(model, u64::try_from(count).unwrap_or(0));
        }

        let mut mobilised: HashMap<Option<String>, PerCurrency> = HashMap::new();
        for row in sum_rows {
            let model: Option<String> = row.try_get_by_index(0)?;
            let currency: String = row.try_get_by_index(1)?;
            let status: String = row.try_get_by_index(2)?;
            let amount = match backend {
                DatabaseBackend::Postgres => {
                    let text: String = row.try_get_by_index(3)?;
                    parse_amount(&text)
                }
                _ => {
                    let places: i64 = row.try_get_by_index(3)?;
                    let integer: i64 = row.try_get_by_index(4)?;
                    let fraction: i64 = row.try_get_by_index(5)?;
                    u32::try_from(places)
                        .ok()
                        .filter(|p| *p <= 18)
                        .and_then(|p| Decimal::from(integer).checked_add(Decimal::new(fraction, p)))
                }
            };
            let Some(amount) = amount else {
                return Err(ServiceError::Internal(
                    "a contribution total could not be read".into(),
                ));
            };
            mobilised
                .entry(model)
                .or_default()
                .entry(currency)
                .or_default()
                .add(is_delivered(&status), amount)?;
        }

        let keys = EngagementModel::iter()
            .map(|m| (Some(m), Some(m.to_value())))
            .chain(std::iter::once((None, None)));
        let mut models = Vec::new();
        for (model, key) in keys {
            let mut totals = Vec::new();
            for (currency, sums) in mobilised.remove(&key).unwrap_or_default() {
                totals.push(CurrencyTotal {
                    pledged: money(sums.pledged, &currency),
                    delivered: money(sums.delivered, &currency),
                    total: money(sums.total()?, &currency),
                    currency,
                });
            }
            models.push(EngagementModelFigures {
                engagement_model: model,
                initiatives: initiatives.remove(&key).unwrap_or(0),
                mobilised: totals,
            });
        }
        Ok(EngagementModelLeverage { models })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn leverage_is_what_the_others_bring_per_unit_of_own() {
        assert_eq!(ratio(d("100.00"), d("400.00")).as_deref(), Some("3.00"));
        assert_eq!(ratio(d("300.00"), d("400.00")).as_deref(), Some("0.33"));
        assert_eq!(ratio(d("400.00"), d("400.00")).as_deref(), Some("0.00"));
        assert_eq!(ratio(d("3"), d("5")).as_deref(), Some("0.67"));
        assert_eq!(ratio(d("0.00"), d("400.00")), None);
    }
}
