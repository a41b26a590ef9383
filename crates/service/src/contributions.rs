//! Contributions of partners to an initiative: cash and in-kind resources (hardware, venue,
//! expertise, mentoring...), pledged or delivered, with an exact decimal amount in an ISO 4217
//! currency (never a float). The totals per currency, per resource kind and per partner (with
//! each partner's share) are the raw material of leverage and return-on-investment reporting.

use std::{collections::BTreeMap, str::FromStr};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    contribution,
    enums::{ContributionStatus, ResourceKind},
    initiative, initiative_partner, organization,
};
use iso_currency::Currency;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, Select, Set};
use serde::{Deserialize, Deserializer, Serialize, de};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Principal, Registry,
    children::{ChildResource, child_table},
    error::{ServiceError, ServiceResult},
    initiatives::access,
    validation::{Checks, double_option},
};

/// Digits before the decimal point an amount may have (up to a quadrillion less one): far above
/// any real contribution, far below what the exact sums could overflow.
const MAX_INTEGER_DIGITS: usize = 15;
/// Decimal places written after the point that are looked at all (trailing zeros included).
const MAX_WRITTEN_PLACES: usize = 12;
/// Decimal places of a partner's share of a currency's total.
const SHARE_PLACES: u32 = 4;
const MAX_DESCRIPTION: usize = 4000;

/// A contribution of a partner to an initiative.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
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
    /// Exact decimal as a string, with the currency's minor units (`"12500.50"`); absent for an
    /// in-kind contribution that was not valued.
    #[schema(example = "12500.50")]
    pub amount: Option<String>,
    /// ISO 4217 code; present exactly when `amount` is.
    #[schema(example = "USD")]
    pub currency: Option<String>,
    pub status: ContributionStatus,
    pub contributed_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An amount as the client wrote it: a JSON string such as `"12500.50"`. A JSON number is
/// refused, as a binary float cannot hold most decimal amounts exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecimalText(pub String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct Visitor;
        const NOT_A_NUMBER: &str = "must be a decimal written as a JSON string, such as \"12500.50\" (a JSON number is not exact)";

        impl de::Visitor<'_> for Visitor {
            type Value = DecimalText;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal written as a string, such as \"12500.50\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_owned()))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<DecimalText, E> {
                Err(E::custom(NOT_A_NUMBER))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<DecimalText, E> {
                Err(E::custom(NOT_A_NUMBER))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<DecimalText, E> {
                Err(E::custom(NOT_A_NUMBER))
            }
        }

        de.deserialize_any(Visitor)
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "partner_id": "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d",
    "resource_kind": "cash",
    "description": "Seed funding for the first twenty telecentres",
    "amount": "12500.50",
    "currency": "USD",
    "status": "pledged",
    "contributed_on": "2005-03-01"
}))]
pub struct NewContribution {
    /// A partner of the same initiative.
    pub partner_id: Uuid,
    pub resource_kind: ResourceKind,
    #[serde(default)]
    pub description: Option<String>,
    /// Exact decimal as a JSON string (`"12500.50"`), greater than zero, with at most the
    /// currency's decimal places. Optional for in-kind contributions.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "12500.50")]
    pub amount: Option<DecimalText>,
    /// ISO 4217 code (case-insensitive); required with an amount, refused without one.
    #[serde(default)]
    pub currency: Option<String>,
    /// Defaults to `pledged`.
    #[serde(default)]
    pub status: Option<ContributionStatus>,
    #[serde(default)]
    pub contributed_on: Option<NaiveDate>,
}

/// A PATCH of a contribution: absent fields stay; `null` clears. Clearing the amount needs the
/// currency cleared too.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContributionPatch {
    #[serde(default)]
    pub partner_id: Option<Uuid>,
    #[serde(default)]
    pub resource_kind: Option<ResourceKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "12500.50")]
    pub amount: Option<Option<DecimalText>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub currency: Option<Option<String>>,
    #[serde(default)]
    pub status: Option<ContributionStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub contributed_on: Option<Option<NaiveDate>>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContributionQuery {
    /// Only this partner's contributions.
    pub partner_id: Option<Uuid>,
    pub resource_kind: Option<ResourceKind>,
    pub status: Option<ContributionStatus>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// What the initiative's contributions add up to. Sums are exact; amounts are decimal strings.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct ContributionTotals {
    /// Per currency, ordered by code. Amounts in different currencies are never added up.
    pub by_currency: Vec<CurrencyTotal>,
    /// Per resource kind present, counting unvalued in-kind contributions too.
    pub by_kind: Vec<KindTotal>,
    /// Per contributing partner, ordered by organisation name.
    pub by_partner: Vec<PartnerTotal>,
}

/// The pledged and delivered amounts in one currency.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CurrencyTotal {
    #[schema(example = "USD")]
    pub currency: String,
    #[schema(example = "10000.00")]
    pub pledged: String,
    #[schema(example = "2500.50")]
    pub delivered: String,
    /// Pledged plus delivered.
    #[schema(example = "12500.50")]
    pub total: String,
}

/// An amount in one currency.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CurrencyAmount {
    pub currency: String,
    #[schema(example = "12500.50")]
    pub total: String,
}

/// The contributions of one resource kind.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct KindTotal {
    pub resource_kind: ResourceKind,
    /// How many contributions of this kind, valued or not.
    pub count: u64,
    pub amounts: Vec<CurrencyAmount>,
}

/// A partner's amount in one currency, and its share of that currency's total.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerAmount {
    pub currency: String,
    #[schema(example = "12500.50")]
    pub total: String,
    /// The partner's fraction of the currency's total, with four decimal places.
    #[schema(example = "0.2500")]
    pub share: String,
}

/// What one partner contributed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerTotal {
    pub partner_id: Uuid,
    pub organization_name: String,
    /// Per currency; empty when the partner's contributions were not valued.
    pub amounts: Vec<PartnerAmount>,
}

/// Decimal places of a currency (its ISO 4217 minor unit).
fn places_of(currency: Option<Currency>) -> u32 {
    currency
        .and_then(Currency::exponent)
        .map(u32::from)
        .unwrap_or(2)
}

/// An amount given in hundredths (`cents`) written with the currency's minor units, as the API
/// stores it: `12345` is `"123.45"` USD, `"123"` XOF (no minor unit: the hundredths are
/// dropped) and `"123.450"` KWD.
pub(crate) fn amount_text(cents: i64, currency: &str) -> String {
    let places = places_of(Currency::from_code(currency));
    let whole = cents / 100;
    match places {
        0 => whole.to_string(),
        1 => format!("{whole}.{}", (cents % 100) / 10),
        p => format!("{whole}.{:02}{}", cents % 100, "0".repeat(p as usize - 2)),
    }
}

/// An ISO 4217 code of a currency of payment (not `XXX`, `XTS`, metals or units of account).
fn check_currency(c: &mut Checks, raw: Option<&str>) -> Option<Currency> {
    let raw = raw.map(str::trim).filter(|v| !v.is_empty())?;
    let code = raw.to_ascii_uppercase();
    match Currency::from_code(&code) {
        Some(currency) if !currency.is_special() => Some(currency),
        Some(_) => {
            c.push(
                "currency",
                "invalid_currency",
                format!("{code} is not a currency of payment"),
            );
            None
        }
        None => {
            c.push(
                "currency",
                "invalid_currency",
                "must be an ISO 4217 currency code, such as USD or XOF",
            );
            None
        }
    }
}

/// An amount: a plain decimal string (`123`, `12500.50`), greater than zero, at most
/// [`MAX_INTEGER_DIGITS`] digits before the point and `places` significant places after it.
/// Returned with exactly `places` decimal places.
fn check_amount(c: &mut Checks, raw: &str, places: u32, currency: &str) -> Option<Decimal> {
    let text = raw.trim();
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        c.push(
            "amount",
            "invalid_decimal",
            "must be a decimal number written as a string, such as \"12500.50\"",
        );
        return None;
    }
    if int.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
        c.push(
            "amount",
            "out_of_range",
            format!("must have at most {MAX_INTEGER_DIGITS} digits before the decimal point"),
        );
        return None;
    }
    let frac = frac.unwrap_or("");
    let significant = frac.trim_end_matches('0').len();
    if frac.len() > MAX_WRITTEN_PLACES || significant > places as usize {
        c.push(
            "amount",
            "too_many_decimals",
            format!("must have at most {places} decimal places in {currency}"),
        );
        return None;
    }
    let Ok(mut value) = Decimal::from_str(text) else {
        c.push(
            "amount",
            "invalid_decimal",
            "must be a decimal number written as a string, such as \"12500.50\"",
        );
        return None;
    };
    if value <= Decimal::ZERO {
        c.push("amount", "not_positive", "must be greater than zero");
        return None;
    }
    value.rescale(places);
    Some(value)
}

struct Fields {
    resource_kind: ResourceKind,
    description: Option<String>,
    amount: Option<String>,
    currency: Option<String>,
    status: ContributionStatus,
    contributed_on: Option<NaiveDate>,
}

fn check(f: Fields) -> ServiceResult<Fields> {
    let mut c = Checks::new();
    let description = c.optional_text("description", f.description.as_deref(), MAX_DESCRIPTION);
    c.date("contributed_on", f.contributed_on);
    let currency = check_currency(&mut c, f.currency.as_deref());
    let code = currency.map_or("this currency", |cur| cur.code());
    let amount = f
        .amount
        .as_deref()
        .and_then(|raw| check_amount(&mut c, raw, places_of(currency), code));
    let currency_given = f.currency.as_deref().is_some_and(|v| !v.trim().is_empty());
    match (f.amount.is_some(), currency_given) {
        (true, false) => c.push("currency", "required", "is required with an amount"),
        (false, true) => c.push(
            "currency",
            "without_amount",
            "is only allowed with an amount",
        ),
        _ => {}
    }
    c.finish()?;
    Ok(Fields {
        description,
        amount: amount.map(|a| a.to_string()),
        currency: currency.map(|cur| cur.code().to_owned()),
        ..f
    })
}

/// An exact amount with its ISO 4217 currency, both or neither (fields `amount` and `currency`),
/// for other records that carry money. Returns the canonical amount text and currency code.
pub(crate) fn check_money(
    c: &mut Checks,
    amount: Option<&str>,
    currency: Option<&str>,
) -> (Option<String>, Option<String>) {
    let checked_currency = check_currency(c, currency);
    let code = checked_currency.map_or("this currency", |cur| cur.code());
    let checked = amount.and_then(|raw| check_amount(c, raw, places_of(checked_currency), code));
    let currency_given = currency.is_some_and(|v| !v.trim().is_empty());
    match (amount.is_some(), currency_given) {
        (true, false) => c.push("currency", "required", "is required with an amount"),
        (false, true) => c.push(
            "currency",
            "without_amount",
            "is only allowed with an amount",
        ),
        _ => {}
    }
    (
        checked.map(|a| a.to_string()),
        checked_currency.map(|cur| cur.code().to_owned()),
    )
}

pub(crate) fn to_view(
    c: contribution::Model,
    partner: &initiative_partner::Model,
    org: &organization::Model,
) -> Contribution {
    Contribution {
        id: c.id,
        initiative_id: c.initiative_id,
        partner_id: partner.id,
        organization_id: org.id,
        organization_name: org.name.clone(),
        resource_kind: c.resource_kind,
        description: c.description,
        amount: c.amount,
        currency: c.currency,
        status: c.status,
        contributed_on: c.contributed_on,
        version: c.version,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// The partners of an initiative with their organisations, by partner id.
async fn partners_of<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
) -> ServiceResult<BTreeMap<Uuid, (initiative_partner::Model, organization::Model)>> {
    Ok(initiative_partner::Entity::find()
        .filter(initiative_partner::Column::InitiativeId.eq(initiative_id))
        .find_also_related(organization::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(p, o)| o.map(|o| (p.id, (p, o))))
        .collect())
}

/// A partner of this initiative (else a 422 on `partner_id`), with its organisation.
async fn partner_of<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    partner_id: Uuid,
) -> ServiceResult<(initiative_partner::Model, organization::Model)> {
    initiative_partner::Entity::find_by_id(partner_id)
        .filter(initiative_partner::Column::InitiativeId.eq(initiative_id))
        .find_also_related(organization::Entity)
        .one(db)
        .await?
        .and_then(|(p, o)| o.map(|o| (p, o)))
        .ok_or_else(|| {
            ServiceError::field(
                "partner_id",
                "unknown_partner",
                "must be a partner of this initiative",
            )
        })
}

fn add(a: Decimal, b: Decimal) -> ServiceResult<Decimal> {
    a.checked_add(b)
        .ok_or_else(|| ServiceError::Internal("a contribution total overflows".into()))
}

/// Zero with the currency's decimal places (`0.00` for USD, `0` for XOF).
fn zero_in(currency: &str) -> Decimal {
    Decimal::new(0, places_of(Currency::from_code(currency)))
}

/// The totals of an initiative's contributions: per currency (pledged, delivered, total), per
/// resource kind, and per partner with its share of each currency's total. Exact decimal sums;
/// different currencies are kept apart, never converted.
pub async fn totals<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
) -> ServiceResult<ContributionTotals> {
    let rows = contribution::Entity::find()
        .filter(contribution::Column::InitiativeId.eq(initiative_id))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(ContributionTotals::default());
    }
    let partners = partners_of(db, initiative_id).await?;
    totals_of(rows, &partners)
}

/// The totals of one initiative's contribution rows; `partners` (by partner id) name the
/// contributors. Shared by [`totals`] and the batch loaders of `crate::batch`.
pub(crate) fn totals_of(
    rows: Vec<contribution::Model>,
    partners: &BTreeMap<Uuid, (initiative_partner::Model, organization::Model)>,
) -> ServiceResult<ContributionTotals> {
    if rows.is_empty() {
        return Ok(ContributionTotals::default());
    }
    // currency -> (pledged, delivered)
    let mut by_currency: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    // kind -> (count, currency -> total)
    let mut by_kind: Vec<(ResourceKind, u64, BTreeMap<String, Decimal>)> = ResourceKind::iter()
        .map(|k| (k, 0, BTreeMap::new()))
        .collect();
    // partner -> currency -> total
    let mut by_partner: BTreeMap<Uuid, BTreeMap<String, Decimal>> = BTreeMap::new();

    for row in rows {
        let partner_amounts = by_partner.entry(row.partner_id).or_default();
        let mut kind = by_kind.iter_mut().find(|(k, _, _)| *k == row.resource_kind);
        if let Some((_, count, _)) = kind.as_deref_mut() {
            *count += 1;
        }
        let (Some(amount), Some(currency)) = (row.amount.as_deref(), row.currency) else {
            continue;
        };
        let Ok(amount) = Decimal::from_str(amount) else {
            tracing::warn!(contribution = %row.id, "unreadable stored amount left out of the totals");
            continue;
        };
        let zero = zero_in(&currency);
        let sums = by_currency.entry(currency.clone()).or_insert((zero, zero));
        match row.status {
            ContributionStatus::Pledged => sums.0 = add(sums.0, amount)?,
            ContributionStatus::Delivered => sums.1 = add(sums.1, amount)?,
        }
        if let Some((_, _, amounts)) = kind {
            let sum = amounts.entry(currency.clone()).or_insert(zero);
            *sum = add(*sum, amount)?;
        }
        let sum = partner_amounts.entry(currency).or_insert(zero);
        *sum = add(*sum, amount)?;
    }

    let mut currency_totals = BTreeMap::new();
    let mut currencies = Vec::with_capacity(by_currency.len());
    for (currency, (pledged, delivered)) in by_currency {
        let total = add(pledged, delivered)?;
        currency_totals.insert(currency.clone(), total);
        currencies.push(CurrencyTotal {
            currency,
            pledged: pledged.to_string(),
            delivered: delivered.to_string(),
            total: total.to_string(),
        });
    }
    let kinds = by_kind
        .into_iter()
        .filter(|(_, count, _)| *count > 0)
        .map(|(resource_kind, count, amounts)| KindTotal {
            resource_kind,
            count,
            amounts: amounts
                .into_iter()
                .map(|(currency, total)| CurrencyAmount {
                    currency,
                    total: total.to_string(),
                })
                .collect(),
        })
        .collect();
    let mut partner_totals: Vec<PartnerTotal> = by_partner
        .into_iter()
        .map(|(partner_id, amounts)| PartnerTotal {
            partner_id,
            organization_name: partners
                .get(&partner_id)
                .map(|(_, o)| o.name.clone())
                .unwrap_or_default(),
            amounts: amounts
                .into_iter()
                .map(|(currency, total)| {
                    let share = currency_totals
                        .get(&currency)
                        .and_then(|all| total.checked_div(*all))
                        .unwrap_or(Decimal::ZERO);
                    let mut share = share.round_dp_with_strategy(
                        SHARE_PLACES,
                        RoundingStrategy::MidpointAwayFromZero,
                    );
                    share.rescale(SHARE_PLACES);
                    PartnerAmount {
                        currency,
                        total: total.to_string(),
                        share: share.to_string(),
                    }
                })
                .collect(),
        })
        .collect();
    partner_totals.sort_by(|a, b| {
        a.organization_name
            .to_lowercase()
            .cmp(&b.organization_name.to_lowercase())
            .then(a.partner_id.cmp(&b.partner_id))
    });
    Ok(ContributionTotals {
        by_currency: currencies,
        by_kind: kinds,
        by_partner: partner_totals,
    })
}

/// The contributions of initiatives, as a child resource.
pub struct Contributions;

impl ChildResource for Contributions {
    child_table!(contribution, view: Contribution, query: ContributionQuery);
    type New = NewContribution;
    type Patch = ContributionPatch;

    const KIND: EntityKind = EntityKind::Contribution;
    const NAME: &'static str = "contribution";

    fn filter(
        mut select: Select<contribution::Entity>,
        query: &ContributionQuery,
    ) -> ServiceResult<Select<contribution::Entity>> {
        if let Some(partner_id) = query.partner_id {
            select = select.filter(contribution::Column::PartnerId.eq(partner_id));
        }
        if let Some(kind) = query.resource_kind {
            select = select.filter(contribution::Column::ResourceKind.eq(kind));
        }
        if let Some(status) = query.status {
            select = select.filter(contribution::Column::Status.eq(status));
        }
        Ok(select)
    }

    /// With their partners' organisations, read in one query.
    async fn views<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        rows: Vec<contribution::Model>,
    ) -> ServiceResult<Vec<Contribution>> {
        let mut ids: Vec<Uuid> = rows.iter().map(|c| c.partner_id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let partners: BTreeMap<Uuid, (initiative_partner::Model, organization::Model)> =
            initiative_partner::Entity::find()
                .filter(crate::tenancy::child_of::<initiative_partner::Entity>(
                    initiative_id,
                ))
                .filter(initiative_partner::Column::Id.is_in(ids))
                .find_also_related(organization::Entity)
                .all(db)
                .await?
                .into_iter()
                .filter_map(|(p, o)| o.map(|o| (p.id, (p, o))))
                .collect();
        Ok(rows
            .into_iter()
            .filter_map(|c| {
                let (p, o) = partners.get(&c.partner_id)?;
                Some(to_view(c, p, o))
            })
            .collect())
    }

    async fn new_row<C: ConnectionTrait>(
        db: &C,
        initiative: &initiative::Model,
        _principal: &Principal,
        input: NewContribution,
    ) -> ServiceResult<contribution::ActiveModel> {
        let f = check(Fields {
            resource_kind: input.resource_kind,
            description: input.description,
            amount: input.amount.map(|a| a.0),
            currency: input.currency,
            status: input.status.unwrap_or(ContributionStatus::Pledged),
            contributed_on: input.contributed_on,
        })?;
        let (partner, _) = partner_of(db, initiative.id, input.partner_id).await?;
        Ok(row(f, partner.id))
    }

    async fn patch_row<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        before: &Contribution,
        patch: ContributionPatch,
    ) -> ServiceResult<contribution::ActiveModel> {
        let f = check(Fields {
            resource_kind: patch.resource_kind.unwrap_or(before.resource_kind),
            description: patch
                .description
                .unwrap_or_else(|| before.description.clone()),
            amount: match patch.amount {
                Some(amount) => amount.map(|a| a.0),
                None => before.amount.clone(),
            },
            currency: patch.currency.unwrap_or_else(|| before.currency.clone()),
            status: patch.status.unwrap_or(before.status),
            contributed_on: patch.contributed_on.unwrap_or(before.contributed_on),
        })?;
        let partner_id = match patch.partner_id {
            Some(partner_id) if partner_id != before.partner_id => {
                partner_of(db, initiative_id, partner_id).await?.0.id
            }
            _ => before.partner_id,
        };
        Ok(row(f, partner_id))
    }
}

/// The columns of a contribution's checked fields.
fn row(f: Fields, partner_id: Uuid) -> contribution::ActiveModel {
    contribution::ActiveModel {
        partner_id: Set(partner_id),
        resource_kind: Set(f.resource_kind),
        description: Set(f.description),
        amount: Set(f.amount),
        currency: Set(f.currency),
        status: Set(f.status),
        contributed_on: Set(f.contributed_on),
        ..Default::default()
    }
}

impl Registry {
    /// The totals of an initiative's contributions (as in the initiative's detail).
    pub async fn contribution_totals(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
    ) -> ServiceResult<ContributionTotals> {
        access::readable(self.db(), caller, initiative_id).await?;
        totals(self.db(), initiative_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(amount: &str, currency: &str) -> Result<(String, String), Vec<String>> {
        check(Fields {
            resource_kind: ResourceKind::Cash,
            description: None,
            amount: Some(amount.into()),
            currency: Some(currency.into()),
            status: ContributionStatus::Pledged,
            contributed_on: None,
        })
        .map(|f| (f.amount.unwrap_or_default(), f.currency.unwrap_or_default()))
        .map_err(|e| match e {
            ServiceError::Validation(errors) => errors.into_iter().map(|e| e.code).collect(),
            other => vec![other.to_string()],
        })
    }

    #[test]
    fn generated_amounts_take_the_currency_minor_units() {
        assert_eq!(amount_text(12345, "USD"), "123.45");
        assert_eq!(amount_text(12345, "XOF"), "123");
        assert_eq!(amount_text(12345, "KWD"), "123.450");
        assert_eq!(amount_text(100, "JPY"), "1");
    }

    #[test]
    fn amounts_take_the_currency_minor_units() {
        assert_eq!(
            checked("12500.5", "usd"),
            Ok(("12500.50".into(), "USD".into()))
        );
        assert_eq!(checked("007", "EUR"), Ok(("7.00".into(), "EUR".into())));
        assert_eq!(
            checked("1500.000", "XOF"),
            Ok(("1500".into(), "XOF".into()))
        );
        assert_eq!(checked("1.125", "KWD"), Ok(("1.125".into(), "KWD".into())));
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in ["", "1e5", "1_000", "+5", "12,50", ".5", "5.", "0x10", "NaN"] {
            assert_eq!(
                checked(bad, "USD"),
                Err(vec!["invalid_decimal".into()]),
                "{bad}"
            );
        }
        assert_eq!(checked("-1", "USD"), Err(vec!["not_positive".into()]));
        assert_eq!(checked("0.00", "USD"), Err(vec!["not_positive".into()]));
        assert_eq!(
            checked("0.001", "USD"),
            Err(vec!["too_many_decimals".into()])
        );
        assert_eq!(checked("1.5", "XOF"), Err(vec!["too_many_decimals".into()]));
        assert_eq!(
            checked("1000000000000000", "USD"),
            Err(vec!["out_of_range".into()])
        );
    }

    #[test]
    fn only_currencies_of_payment() {
        assert_eq!(checked("1", "XXX"), Err(vec!["invalid_currency".into()]));
        assert_eq!(checked("1", "XAU"), Err(vec!["invalid_currency".into()]));
        assert_eq!(checked("1", "ABC"), Err(vec!["invalid_currency".into()]));
    }

    #[test]
    fn numbers_are_not_amounts() {
        let parsed: Result<NewContribution, _> = serde_json::from_value(serde_json::json!({
            "partner_id": Uuid::nil(), "resource_kind": "cash", "amount": 12.5, "currency": "USD"
        }));
        assert!(parsed.is_err());
        let parsed: Result<NewContribution, _> = serde_json::from_value(serde_json::json!({
            "partner_id": Uuid::nil(), "resource_kind": "cash", "amount": "12.5", "currency": "USD"
        }));
        assert_eq!(
            parsed.ok().and_then(|p| p.amount),
            Some(DecimalText("12.5".into()))
        );
    }
}
