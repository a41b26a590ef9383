//! Page-based pagination with a hard maximum page size and a total count.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    Settings,
    error::{ServiceError, ServiceResult},
};

/// The highest `page` number a list takes.
pub const MAX_PAGE_NUMBER: u64 = 1_000_000;

/// A checked page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    /// Checks the requested page against the settings: `page` from 1, `per_page` from 1 to the
    /// maximum (a larger one is refused, not silently clipped).
    pub fn new(
        page: Option<u64>,
        per_page: Option<u64>,
        settings: &Settings,
    ) -> ServiceResult<Self> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(settings.default_page_size);
        if page == 0 || page > MAX_PAGE_NUMBER {
            return Err(ServiceError::bad_parameter(
                "page",
                "must be between 1 and 1000000",
            ));
        }
        if per_page == 0 || per_page > settings.max_page_size {
            return Err(ServiceError::bad_parameter(
                "per_page",
                format!("must be between 1 and {}", settings.max_page_size),
            ));
        }
        Ok(Self { page, per_page })
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

/// Paging parameters of a list that has no filters of its own. Unknown parameters are refused.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page (default 25, at most the configured maximum, 100 unless changed).
    pub per_page: Option<u64>,
    /// The `next_cursor` of the page before: the page that follows it (not with `page`).
    pub after: Option<String>,
    /// The `prev_cursor` of the page after: the page that precedes it (not with `page`).
    pub before: Option<String>,
    /// `exact` (default), `estimated` or `none` (no total).
    pub count: Option<CountMode>,
}

impl PageParams {
    /// The first page of `per_page` items (for callers that walk a list).
    pub fn first(per_page: u64) -> Self {
        Self {
            per_page: Some(per_page),
            ..Self::default()
        }
    }

    /// The cursor parameters of these.
    pub fn cursor(&self) -> CursorParams {
        CursorParams {
            after: self.after.clone(),
            before: self.before.clone(),
            count: self.count,
        }
    }
}

/// How a list counts its total (`count=`): `exact` (the default), `estimated` (the planner's
/// estimate on PostgreSQL, exact on SQLite), or `none` (no count: `total` and `total_pages` are
/// `null`, and the list is as fast as its page).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CountMode {
    #[default]
    Exact,
    Estimated,
    None,
}

/// A position in a sorted list, opaque to clients: the sort-key values and the id of the row a
/// page starts after (`after=`) or ends before (`before=`). Encoded as base64url of a JSON
/// array, so any key types fit and the same cursor works on both databases.
#[derive(Clone, Debug, PartialEq)]
pub struct Cursor(pub Vec<serde_json::Value>);

impl Cursor {
    /// The text a client sends back.
    pub fn encode(&self) -> String {
        use base64::Engine;
        let json = serde_json::Value::Array(self.0.clone()).to_string();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a cursor sent as the parameter `param`; anything else than one this service
    /// made is a 400 naming the parameter.
    pub fn decode(text: &str, param: &'static str) -> ServiceResult<Self> {
        use base64::Engine;
        let bad = || ServiceError::bad_parameter(param, "not a cursor of this list");
        if text.len() > 2048 {
            return Err(bad());
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| bad())?;
        match serde_json::from_slice(&bytes) {
            Ok(serde_json::Value::Array(keys)) if !keys.is_empty() => Ok(Self(keys)),
            _ => Err(bad()),
        }
    }
}

/// Where a requested page lies: by number (offset, kept for the first pages), or after or
/// before a cursor (keyset: as fast deep in the list as at its start).
#[derive(Clone, Debug, PartialEq)]
pub enum Position {
    Page(u64),
    After(Cursor),
    Before(Cursor),
}

/// Cursor paging parameters, beside `page`: at most one of `after` and `before`.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorParams {
    /// The `next_cursor` of the page before: the page that follows it.
    pub after: Option<String>,
    /// The `prev_cursor` of the page after: the page that precedes it.
    pub before: Option<String>,
    /// `exact` (default), `estimated` or `none` (no total: fastest).
    pub count: Option<CountMode>,
}

impl CursorParams {
    /// What a keyset list is asked for: the position, a checked page size, and the count.
    pub(crate) fn ask(
        &self,
        page: Option<u64>,
        per_page: Option<u64>,
        settings: &Settings,
    ) -> ServiceResult<crate::keyset::PageAsk> {
        let request = PageRequest::new(page, per_page, settings)?;
        Ok(crate::keyset::PageAsk {
            position: self.position(page)?,
            per_page: request.per_page,
            count: self.count.unwrap_or_default(),
        })
    }

    /// The position these parameters ask for, with `page` (which neither cursor may go with).
    pub fn position(&self, page: Option<u64>) -> ServiceResult<Position> {
        match (&self.after, &self.before, page) {
            (Some(_), Some(_), _) => Err(ServiceError::bad_parameter(
                "before",
                "give either after or before, not both",
            )),
            (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => Err(ServiceError::bad_parameter(
                "page",
                "a cursor (after, before) and page cannot be combined",
            )),
            (Some(a), None, None) => Ok(Position::After(Cursor::decode(a, "after")?)),
            (None, Some(b), None) => Ok(Position::Before(Cursor::decode(b, "before")?)),
            (None, None, page) => Ok(Position::Page(page.unwrap_or(1))),
        }
    }
}

/// One page of a list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The page number, from 1; `null` for a page reached by cursor.
    pub page: Option<u64>,
    pub per_page: u64,
    /// How many items match, over all pages; `null` with `count=none`.
    pub total: Option<u64>,
    /// `null` with `count=none`.
    pub total_pages: Option<u64>,
    /// How `total` was counted.
    pub count: CountMode,
    /// Send as `after=` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Send as `before=` for the previous page; `null` on the first page.
    pub prev_cursor: Option<String>,
    /// Each item's own cursor, in the order of `items`, where the list made them (keyset
    /// lists asked for them: GraphQL's edges carry them); else empty. Not part of the REST
    /// answer.
    #[serde(skip)]
    pub cursors: Vec<String>,
    /// Only when searching (`q`): each hit's score and snippets, and the result's facets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<crate::search::SearchInfo>,
}

impl<T> Page<T> {
    /// A page by number with an exact total (lists without cursors).
    pub fn new(items: Vec<T>, request: PageRequest, total: u64) -> Self {
        Self {
            items,
            page: Some(request.page),
            per_page: request.per_page,
            total: Some(total),
            total_pages: Some(total.div_ceil(request.per_page)),
            count: CountMode::Exact,
            next_cursor: None,
            prev_cursor: None,
            cursors: Vec::new(),
            search: None,
        }
    }

    /// A page of a keyset list: `page` is its number when reached by number, the total is as
    /// counted (`None` with `count=none`), and the cursors lead on from its ends.
    pub fn keyset(
        items: Vec<T>,
        page: Option<u64>,
        per_page: u64,
        count: CountMode,
        total: Option<u64>,
        next_cursor: Option<String>,
        prev_cursor: Option<String>,
    ) -> Self {
        Self {
            items,
            page,
            per_page,
            total_pages: total.map(|t| t.div_ceil(per_page)),
            total,
            count,
            next_cursor,
            prev_cursor,
            cursors: Vec::new(),
            search: None,
        }
    }

    /// The page with each item's cursor (in the order of `items`).
    pub fn with_cursors(self, cursors: Vec<String>) -> Self {
        Self { cursors, ..self }
    }

    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Page<U> {
        self.filter_map(|item| Some(f(item)))
    }

    /// The page with each item turned into another, or the first error `f` gives.
    pub fn try_map<U, E>(mut self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        let items = std::mem::take(&mut self.items);
        Ok(self.with_items(items.into_iter().map(f).collect::<Result<Vec<U>, E>>()?))
    }

    /// The page with each item turned into another, dropping those `f` gives none for (and
    /// their cursors).
    pub fn filter_map<U>(mut self, mut f: impl FnMut(T) -> Option<U>) -> Page<U> {
        let items = std::mem::take(&mut self.items);
        if self.cursors.len() != items.len() {
            self.cursors.clear();
            return self.with_items(items.into_iter().filter_map(f).collect());
        }
        let cursors = std::mem::take(&mut self.cursors);
        let (items, cursors): (Vec<U>, Vec<String>) = items
            .into_iter()
            .zip(cursors)
            .filter_map(|(item, cursor)| f(item).map(|item| (item, cursor)))
            .unzip();
        self.with_items(items).with_cursors(cursors)
    }

    /// This page's position and totals with `items` in place of its own.
    fn with_items<U>(self, items: Vec<U>) -> Page<U> {
        Page {
            items,
            page: self.page,
            per_page: self.per_page,
            total: self.total,
            total_pages: self.total_pages,
            count: self.count,
            next_cursor: self.next_cursor,
            prev_cursor: self.prev_cursor,
            cursors: self.cursors,
            search: self.search,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_made() {
        let cursor = Cursor(vec![serde_json::json!("title key"), serde_json::json!(7)]);
        assert_eq!(Cursor::decode(&cursor.encode(), "after").ok(), Some(cursor));
    }

    #[test]
    fn anything_else_is_not_a_cursor() {
        for text in ["", "nope!", "bnVsbA", "W10"] {
            assert!(Cursor::decode(text, "after").is_err(), "{text}");
        }
    }
}
