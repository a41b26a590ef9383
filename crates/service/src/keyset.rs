//! Keyset paging over a sorted select: the page after (or before) a cursor is found by
//! comparing the sort keys, never by skipping rows, so a page deep in a list costs what the
//! first one does. Pages by number (`page=`) are still served, by offset, for the first pages.
//!
//! A list names its sort keys once ([`Keyset`]): each a column, its direction and how to read
//! its value off a loaded row, the last one unique (the id). The cursor carries the keyset's tag
//! and the key values of the row it points at, so a cursor of another list or sort is refused.

use chrono::{DateTime, Utc};
use sea_orm::{
    Condition, ConnectionTrait, EntityTrait, ExprTrait, IntoSimpleExpr, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
    sea_query::{Expr, Func, SimpleExpr},
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    error::{ServiceError, ServiceResult},
    pagination::{CountMode, Cursor, Page, Position},
};

/// The type of a sort key's values, to read them back from a cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyType {
    Text,
    Timestamp,
    Uuid,
}

/// One sort key: a never-null expression (a column, or a nullable one with a stand-in for
/// null), its direction, and its value on a loaded row.
pub(crate) struct Key<E: EntityTrait> {
    pub expr: SimpleExpr,
    pub descending: bool,
    pub kind: KeyType,
    pub value: fn(&E::Model) -> Value,
}

impl<E: EntityTrait> Key<E> {
    /// A non-null column, ascending (`descending` false) or descending.
    pub(crate) fn column(
        column: E::Column,
        descending: bool,
        kind: KeyType,
        value: fn(&E::Model) -> Value,
    ) -> Self {
        Self {
            expr: column.into_simple_expr(),
            descending,
            kind,
            value,
        }
    }

    /// A nullable text column sorted as if null were the empty text (`value` must read it so).
    pub(crate) fn text_or_empty(
        column: E::Column,
        descending: bool,
        value: fn(&E::Model) -> Value,
    ) -> Self {
        Self {
            expr: Func::coalesce([column.into_simple_expr(), Expr::val("")]).into(),
            descending,
            kind: KeyType::Text,
            value,
        }
    }
}

/// The sort of a list: a tag naming it (checked on every cursor) and its keys, the last unique.
pub(crate) struct Keyset<E: EntityTrait> {
    pub tag: &'static str,
    pub keys: Vec<Key<E>>,
}

/// What a keyset page asks for.
pub(crate) struct PageAsk {
    pub position: Position,
    pub per_page: u64,
    pub count: CountMode,
}

impl<E: EntityTrait> Keyset<E> {
    fn cursor_of(&self, row: &E::Model) -> String {
        let mut values = vec![Value::String(self.tag.to_owned())];
        values.extend(self.keys.iter().map(|k| (k.value)(row)));
        Cursor(values).encode()
    }

    /// The key values of a cursor of this keyset, as database values; else a 400 on `param`.
    fn values_of(
        &self,
        cursor: &Cursor,
        param: &'static str,
    ) -> ServiceResult<Vec<sea_orm::Value>> {
        let bad = || ServiceError::bad_parameter(param, "not a cursor of this list and sort");
        let (tag, values) = cursor.0.split_first().ok_or_else(bad)?;
        if tag.as_str() != Some(self.tag) || values.len() != self.keys.len() {
            return Err(bad());
        }
        self.keys
            .iter()
            .zip(values)
            .map(|(key, value)| db_value(key.kind, value).ok_or_else(bad))
            .collect()
    }

    /// The rows strictly past `values` in the list's order (`forward`) or strictly before it.
    fn beyond(&self, values: Vec<sea_orm::Value>, forward: bool) -> Condition {
        let mut any = Condition::any();
        for i in 0..self.keys.len() {
            let mut all = Condition::all();
            for (key, value) in self.keys.iter().zip(&values).take(i) {
                all = all.add(key.expr.clone().eq(value.clone()));
            }
            let key = &self.keys[i];
            let value = values[i].clone();
            all = all.add(if key.descending == forward {
                key.expr.clone().lt(value)
            } else {
                key.expr.clone().gt(value)
            });
            any = any.add(all);
        }
        any
    }

    fn ordered(&self, select: Select<E>, forward: bool) -> Select<E> {
        self.keys.iter().fold(select, |select, key| {
            let order = if key.descending == forward {
                Order::Desc
            } else {
                Order::Asc
            };
            select.order_by(key.expr.clone(), order)
        })
    }

    /// One page of `select` (filtered, not yet sorted): the rows, the total as asked, and the
    /// cursors on from its ends.
    pub(crate) async fn page<C: ConnectionTrait>(
        &self,
        db: &C,
        select: Select<E>,
        ask: PageAsk,
    ) -> ServiceResult<Page<E::Model>>
    where
        E::Model: Send + Sync,
    {
        let total = match ask.count {
            CountMode::None => None,
            CountMode::Exact | CountMode::Estimated => Some(select.clone().count(db).await?),
        };
        let take = ask.per_page + 1;
        let (mut rows, number, forward, after_a_cursor) = match &ask.position {
            Position::Page(n) => {
                let offset = (n.saturating_sub(1)).saturating_mul(ask.per_page);
                let rows = self
                    .ordered(select, true)
                    .offset(offset)
                    .limit(take)
                    .all(db)
                    .await?;
                (rows, Some(*n), true, *n > 1)
            }
            Position::After(cursor) => {
                let values = self.values_of(cursor, "after")?;
                let rows = self
                    .ordered(select.filter(self.beyond(values, true)), true)
                    .limit(take)
                    .all(db)
                    .await?;
                (rows, None, true, true)
            }
            Position::Before(cursor) => {
                let values = self.values_of(cursor, "before")?;
                let rows = self
                    .ordered(select.filter(self.beyond(values, false)), false)
                    .limit(take)
                    .all(db)
                    .await?;
                (rows, None, false, true)
            }
        };
        let more = rows.len() as u64 > ask.per_page;
        rows.truncate(ask.per_page as usize);
        if !forward {
            rows.reverse();
        }
        // Going forward, `more` says there is a next page; going back, a previous one.
        let (has_next, has_prev) = if forward {
            (more, after_a_cursor)
        } else {
            (true, more)
        };
        let next = has_next
            .then(|| rows.last().map(|r| self.cursor_of(r)))
            .flatten();
        let prev = has_prev
            .then(|| rows.first().map(|r| self.cursor_of(r)))
            .flatten();
        let cursors = rows.iter().map(|r| self.cursor_of(r)).collect();
        Ok(Page::keyset(
            rows,
            number,
            ask.per_page,
            match ask.count {
                CountMode::Estimated => CountMode::Exact,
                mode => mode,
            },
            total,
            next,
            prev,
        )
        .with_cursors(cursors))
    }
}

/// A cursor's JSON value as a database value of the key's type.
fn db_value(kind: KeyType, value: &Value) -> Option<sea_orm::Value> {
    Some(match kind {
        KeyType::Text => value.as_str()?.to_owned().into(),
        KeyType::Timestamp => DateTime::parse_from_rfc3339(value.as_str()?)
            .ok()?
            .with_timezone(&Utc)
            .into(),
        KeyType::Uuid => value.as_str()?.parse::<Uuid>().ok()?.into(),
    })
}

/// A key value for a cursor: any serialisable value (a string, a timestamp, an id...).
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_values_read_back_as_their_types() {
        let at = Utc::now();
        assert_eq!(
            db_value(KeyType::Timestamp, &json(&at)),
            Some(sea_orm::Value::from(at))
        );
        let id = Uuid::now_v7();
        assert_eq!(
            db_value(KeyType::Uuid, &json(&id)),
            Some(sea_orm::Value::from(id))
        );
        assert_eq!(db_value(KeyType::Uuid, &json(&"no")), None);
        assert_eq!(db_value(KeyType::Timestamp, &json(&7)), None);
    }
}
