//! Partnership analytics: answers derived from the records, for the people who run and fund
//! partnerships (DOMAIN.md, "Value and levers" and "Kinds of partnership").
//!
//! - [`stakeholder_map`]: every partner and prospect of an initiative on the interest/influence
//!   grid, as data and as an SVG picture.
//! - [`leverage`]: own contribution against the total resources mobilised, per currency,
//!   pledged vs delivered; per initiative, per organisation and per engagement model.
//! - [`dashboard`]: counts across the caller's initiatives, aggregated in SQL.
//!
//! Nothing here is stored: every figure is computed from initiatives, partners, organisations
//! and contributions when asked, under the same access rules as the records themselves.

pub mod dashboard;
pub mod leverage;
pub mod stakeholder_map;

use std::{collections::BTreeMap, future::Future, pin::Pin, str::FromStr, task::Poll};

use entity::initiative;
use iso_currency::Currency;
use rust_decimal::Decimal;
use sea_orm::Condition;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    Caller,
    error::{ServiceError, ServiceResult},
    organizations::Scope,
};

/// Which initiatives a cross-initiative figure covers.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// `tenant` (members' default): the caller's tenant's initiatives, private ones included;
    /// `public`: every tenant's public initiatives; `all`: both. Anonymous callers always get
    /// `public`.
    pub scope: Option<Scope>,
}

/// The initiatives a cross-initiative figure covers: as for the initiative list
/// (`tenancy::Coverage::listed`).
pub(crate) use crate::tenancy::Coverage;

/// The initiatives a cross-initiative figure covers, as a condition on `initiative`.
pub(crate) fn initiative_scope(caller: &Caller, scope: Option<Scope>) -> Condition {
    Coverage::listed(caller, scope).condition::<initiative::Entity>()
}

/// Every initiative the caller may read: its tenant's and every public one.
pub(crate) fn readable_initiatives(caller: &Caller) -> Condition {
    Coverage::readable(caller).condition::<initiative::Entity>()
}

/// Awaits every future concurrently on the current task and returns their outputs in order
/// (the analytics queries each take their own pooled connection, so they run side by side).
pub(crate) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// Decimal places of a currency (its ISO 4217 minor unit; 2 when unknown).
pub(crate) fn places_of(currency: &str) -> u32 {
    Currency::from_code(currency)
        .and_then(Currency::exponent)
        .map(u32::from)
        .unwrap_or(2)
}

/// An exact sum written with the currency's decimal places (`"0.00"` USD, `"1500"` XOF).
pub(crate) fn money(value: Decimal, currency: &str) -> String {
    let mut value = value;
    let places = places_of(currency);
    if value.scale() < places {
        value.rescale(places);
    }
    value.to_string()
}

/// `a + b`, or an internal error on overflow (amounts are capped far below it).
pub(crate) fn add(a: Decimal, b: Decimal) -> ServiceResult<Decimal> {
    a.checked_add(b)
        .ok_or_else(|| ServiceError::Internal("a contribution total overflows".into()))
}

/// A stored amount, or `None` (logged) when it cannot be read.
pub(crate) fn parse_amount(raw: &str) -> Option<Decimal> {
    match Decimal::from_str(raw.trim()) {
        Ok(value) => Some(value),
        Err(_) => {
            tracing::warn!(
                amount = raw,
                "unreadable stored amount left out of the analytics"
            );
            None
        }
    }
}

/// Pledged and delivered sums in one currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub pledged: Decimal,
    pub delivered: Decimal,
}

impl Sums {
    pub fn add(&mut self, delivered: bool, amount: Decimal) -> ServiceResult<()> {
        if delivered {
            self.delivered = add(self.delivered, amount)?;
        } else {
            self.pledged = add(self.pledged, amount)?;
        }
        Ok(())
    }

    pub fn total(&self) -> ServiceResult<Decimal> {
        add(self.pledged, self.delivered)
    }
}

/// Sums per currency, ordered by code.
pub(crate) type PerCurrency = BTreeMap<String, Sums>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_takes_the_currency_places() {
        assert_eq!(money(Decimal::ZERO, "USD"), "0.00");
        assert_eq!(money(Decimal::new(1500, 0), "XOF"), "1500");
        assert_eq!(money(Decimal::new(1125, 3), "KWD"), "1.125");
        assert_eq!(money(Decimal::new(40000, 2), "EUR"), "400.00");
    }
}
