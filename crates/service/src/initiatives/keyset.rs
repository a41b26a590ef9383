//! Sorting and keyset paging of the initiative list: `sort=-start_date,title` parsed into sort
//! keys (id always breaks ties), the `ORDER BY` they give, the cursor of a row, and the
//! condition "after (or before) this cursor" that an index range scan answers, so a page deep in
//! the list costs what the first one does.
//!
//! A start date may be missing: the list sorts on `COALESCE(start_date, '9999-12-31')` on both
//! engines (an initiative without a start date sorts as if it started last), the same expression
//! the indexes are built on and the cursor compares, so NULLs never fall between two pages.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use entity::initiative;
use sea_orm::{
    Condition, ExprTrait, Order, QueryOrder, Select,
    sea_query::{Expr, SimpleExpr, Value},
};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    error::{FieldError, ServiceError, ServiceResult},
    initiatives::document::SortValues,
    pagination::Cursor,
};

/// The date a missing start date sorts as.
pub(crate) const NO_START_DATE: &str = "9999-12-31";

/// The names `sort` takes, each also with a leading `-`.
const KEY_NAMES: [&str; 3] = ["title", "start_date", "updated_at"];

/// At most this many keys in one `sort`.
const MAX_KEYS: usize = 3;

/// One sort key of the initiative list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Title,
    StartDate,
    UpdatedAt,
}

/// How a list is ordered: by keys (each ascending or descending; id last, in the direction of
/// the last key), or by search relevance.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Sorting {
    Keys(Vec<(Key, Order)>),
    Relevance,
}

fn bad_sort(message: String) -> ServiceError {
    let mut allowed: Vec<String> = Vec::new();
    for name in KEY_NAMES {
        allowed.push(name.to_owned());
        allowed.push(format!("-{name}"));
    }
    allowed.push("relevance".to_owned());
    ServiceError::BadRequest {
        detail: format!("invalid query parameter `sort`: {message}"),
        errors: vec![FieldError::new("sort", "invalid", message).allowing(allowed)],
    }
}

impl Sorting {
    /// Reads `sort`: comma-separated keys, `-` for descending; `relevance` alone and only with
    /// search terms. Without `sort`: relevance with a search, else title.
    pub(crate) fn parse(text: Option<&str>, searching: bool) -> ServiceResult<Self> {
        let Some(text) = text else {
            return Ok(if searching {
                Sorting::Relevance
            } else {
                Sorting::Keys(vec![(Key::Title, Order::Asc)])
            });
        };
        let mut keys: Vec<(Key, Order)> = Vec::new();
        let members: Vec<&str> = text.split(',').map(str::trim).collect();
        if members == ["relevance"] {
            if !searching {
                return Err(ServiceError::bad_parameter("sort", "relevance needs q"));
            }
            return Ok(Sorting::Relevance);
        }
        if members.len() > MAX_KEYS {
            return Err(bad_sort(format!("at most {MAX_KEYS} sort keys")));
        }
        for member in members {
            let (name, order) = match member.strip_prefix('-') {
                Some(name) => (name, Order::Desc),
                None => (member, Order::Asc),
            };
            let key = match name {
                "title" => Key::Title,
                "start_date" => Key::StartDate,
                "updated_at" => Key::UpdatedAt,
                "relevance" => {
                    return Err(bad_sort(
                        "`relevance` is a sort of its own, not combined with other keys".into(),
                    ));
                }
                _ => return Err(bad_sort(format!("`{member}` is not a sort key"))),
            };
            if keys.iter().any(|(k, _)| *k == key) {
                return Err(bad_sort(format!("`{name}` is given twice")));
            }
            keys.push((key, order));
        }
        Ok(Sorting::Keys(keys))
    }
}

/// The SQL expression a key sorts on (over the `initiative` table).
pub(crate) fn expr(key: Key) -> SimpleExpr {
    match key {
        Key::Title => Expr::col((initiative::Entity, initiative::Column::TitleKey)),
        Key::StartDate => Expr::cust(format!(
            "COALESCE(\"initiative\".\"start_date\", '{NO_START_DATE}')"
        )),
        Key::UpdatedAt => Expr::col((initiative::Entity, initiative::Column::UpdatedAt)),
    }
}

fn reversed(order: &Order) -> Order {
    match order {
        Order::Desc => Order::Asc,
        _ => Order::Desc,
    }
}

/// The columns of a keyset, in order, each with its direction: the sort keys and the id.
pub(crate) struct Keyset {
    pub columns: Vec<(SimpleExpr, Order)>,
}

impl Keyset {
    /// The keyset of `keys` over the initiative table.
    pub(crate) fn of(keys: &[(Key, Order)]) -> Self {
        let mut columns: Vec<(SimpleExpr, Order)> =
            keys.iter().map(|(k, o)| (expr(*k), o.clone())).collect();
        let last = keys.last().map_or(Order::Asc, |(_, o)| o.clone());
        columns.push((
            Expr::col((initiative::Entity, initiative::Column::Id)),
            last,
        ));
        Self { columns }
    }

    /// `select` ordered by the keyset, or by its reverse (to read a page backwards, before a
    /// cursor).
    pub(crate) fn order<E: sea_orm::EntityTrait>(
        &self,
        mut select: Select<E>,
        backwards: bool,
    ) -> Select<E> {
        for (column, order) in &self.columns {
            let order = if backwards {
                reversed(order)
            } else {
                order.clone()
            };
            select = select.order_by(column.clone(), order);
        }
        select
    }

    /// The rows strictly after (`backwards`: before) the position `values` in list order. The
    /// first key's bound comes first and alone, so the database starts its index range there
    /// rather than filtering from the start of the list.
    pub(crate) fn beyond(&self, values: &[Value], backwards: bool) -> Condition {
        let past = |i: usize| {
            let (column, order) = &self.columns[i];
            let value = values[i].clone();
            let ascending = matches!(order, Order::Asc) != backwards;
            if ascending {
                column.clone().gt(value)
            } else {
                column.clone().lt(value)
            }
        };
        let mut any = Condition::any();
        for i in 0..self.columns.len() {
            let mut all = Condition::all();
            for ((column, _), value) in self.columns.iter().zip(values).take(i) {
                all = all.add(column.clone().eq(value.clone()));
            }
            any = any.add(all.add(past(i)));
        }
        let (first, order) = &self.columns[0];
        let ascending = matches!(order, Order::Asc) != backwards;
        let bound = if ascending {
            first.clone().gte(values[0].clone())
        } else {
            first.clone().lte(values[0].clone())
        };
        Condition::all().add(bound).add(any)
    }
}

/// The fingerprint of a list (its filters and sort): a cursor carries it, so a cursor of
/// another list is refused rather than read as a position in this one.
pub(crate) fn fingerprint(list: &str) -> String {
    let digest = Sha256::digest(list.as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// The cursor of a row: the list's fingerprint, the row's value of every key, its id.
pub(crate) fn cursor_of(row: &SortValues, keys: &[(Key, Order)], fingerprint: &str) -> String {
    let mut values = vec![Json::String(fingerprint.to_owned())];
    for (key, _) in keys {
        values.push(Json::String(match key {
            Key::Title => row.title_key.clone(),
            Key::StartDate => row
                .start_date
                .map_or_else(|| NO_START_DATE.to_owned(), |d| d.to_string()),
            Key::UpdatedAt => row.updated_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        }));
    }
    values.push(Json::String(row.id.to_string()));
    Cursor(values).encode()
}

/// The key values of a cursor of this list (same fingerprint, same keys), typed for SQL; a
/// 400 naming `param` for anything else.
pub(crate) fn values_of(
    cursor: &Cursor,
    keys: &[(Key, Order)],
    fingerprint: &str,
    param: &'static str,
) -> ServiceResult<Vec<Value>> {
    let other = || {
        ServiceError::bad_parameter(
            param,
            "not a cursor of this list (its filters or sort differ): start again from the first page",
        )
    };
    let texts: Vec<&str> = cursor.0.iter().filter_map(Json::as_str).collect();
    if texts.len() != cursor.0.len() || texts.len() != keys.len() + 2 || texts[0] != fingerprint {
        return Err(other());
    }
    let mut values = Vec::with_capacity(keys.len() + 1);
    for ((key, _), text) in keys.iter().zip(&texts[1..]) {
        values.push(match key {
            Key::Title => Value::from(text.to_string()),
            Key::StartDate => {
                let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| other())?;
                Value::from(date)
            }
            Key::UpdatedAt => {
                let at = DateTime::parse_from_rfc3339(text).map_err(|_| other())?;
                Value::from(at.with_timezone(&Utc))
            }
        });
    }
    let id = Uuid::parse_str(texts[keys.len() + 1]).map_err(|_| other())?;
    values.push(Value::from(id));
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_reads_several_keys() {
        assert_eq!(
            Sorting::parse(Some("-start_date,title"), false).ok(),
            Some(Sorting::Keys(vec![
                (Key::StartDate, Order::Desc),
                (Key::Title, Order::Asc)
            ]))
        );
        assert!(Sorting::parse(Some("title,title"), false).is_err());
        assert!(Sorting::parse(Some("relevance"), false).is_err());
        assert!(Sorting::parse(Some("relevance,title"), true).is_err());
        assert!(Sorting::parse(Some("newest"), false).is_err());
        assert_eq!(Sorting::parse(None, true).ok(), Some(Sorting::Relevance));
    }
}
