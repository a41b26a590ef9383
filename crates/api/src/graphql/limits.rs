//! Limits against abusive queries, and the mapping of Relay paging onto the service's pages.
//!
//! - **Depth** (`MSP_GRAPHQL_MAX_DEPTH`, default 12) and **complexity**
//!   (`MSP_GRAPHQL_MAX_COMPLEXITY`, default 20,000) are checked before anything runs. Every
//!   field costs 1; a list costs `first` times its items (the default page size, 25, when
//!   `first` is not given), so `initiatives(first: 50) { nodes { partners { id } } }` costs
//!   about 50 × 25. The depth counts data fields only: introspection (`__schema`, `__type`) has
//!   its own rule, in [`super::depth`], so that the standard introspection query works.
//! - **Page size**: `first` is 1 to the REST maximum (`MSP_MAX_PAGE_SIZE`, default 100), on
//!   connections and on nested lists alike; more is refused, not clipped.
//! - **Request size** (`MSP_GRAPHQL_MAX_BODY_BYTES`, default 256 KiB) for a POST body or a GET
//!   query string.
//!
//! Cursors are opaque: base64 of `offset:N`, the position of the item in the ordered list. The
//! service pages by page number and page size, so `first`/`after` become the one page (or the
//! two adjacent pages) that cover the items asked for. As with any offset paging, a record
//! added or removed before the cursor between two requests shifts the window by one.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use service::{ServiceResult, pagination::Page};

use super::errors::bad_argument;

/// The page size the complexity assumes when `first` is not given (the service's default).
pub const DEFAULT_FIRST: usize = 25;

/// The cost of a list field: `first` (or [`DEFAULT_FIRST`]) times the cost of one item.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let n = first.map_or(DEFAULT_FIRST, |n| usize::try_from(n).unwrap_or(0));
    n.saturating_mul(child_complexity).saturating_add(1)
}

/// Which items a connection asks for: `count` items from position `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: u64,
    pub count: u64,
}

/// Checks `first` against the default and maximum page sizes.
pub fn first(first: Option<i32>, default: u64, max: u64) -> async_graphql::Result<u64> {
    match first {
        None => Ok(default.min(max)),
        Some(n) if n >= 1 && (n as u64) <= max => Ok(n as u64),
        Some(_) => Err(bad_argument(
            "first",
            format!("must be between 1 and {max}"),
        )),
    }
}

pub fn cursor(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode(cursor: &str) -> Option<u64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("offset:")?.parse().ok()
}

impl Window {
    pub fn new(
        first_arg: Option<i32>,
        after: Option<&str>,
        default: u64,
        max: u64,
    ) -> async_graphql::Result<Self> {
        let count = first(first_arg, default, max)?;
        let start = match after {
            None => 0,
            Some(c) => decode(c)
                .and_then(|o| o.checked_add(1))
                .filter(|o| *o <= 1_000_000_000)
                .ok_or_else(|| bad_argument("after", "not a cursor of this list"))?,
        };
        Ok(Self { start, count })
    }

    /// The service pages (page number from 1, page size) that cover the window: one page when
    /// some page size from `count` to `max` holds the whole window, else two adjacent pages of
    /// `count` items.
    pub fn pages(&self, max: u64) -> Vec<(u64, u64)> {
        let last = self.start + self.count - 1;
        for size in self.count..=max.max(self.count) {
            if self.start / size == last / size {
                return vec![(self.start / size + 1, size)];
            }
        }
        let size = self.count;
        let page = self.start / size + 1;
        vec![(page, size), (page + 1, size)]
    }

    /// Fetches the window through `fetch(page, per_page)`, the service's paged list.
    pub async fn fetch<T, F, Fut>(&self, max: u64, mut fetch: F) -> ServiceResult<Slice<T>>
    where
        F: FnMut(u64, u64) -> Fut,
        Fut: std::future::Future<Output = ServiceResult<Page<T>>>,
    {
        let mut items = Vec::new();
        let mut total = 0;
        for (page, size) in self.pages(max) {
            let first_index = (page - 1) * size;
            let got = fetch(page, size).await?;
            total = got.total.unwrap_or_default();
            for (i, item) in got.items.into_iter().enumerate() {
                let index = first_index + i as u64;
                if index >= self.start && index < self.start + self.count {
                    items.push((index, item));
                }
            }
        }
        Ok(Slice {
            items,
            total,
            start: self.start,
        })
    }
}

/// The items of a window with their positions, and the total over all pages.
pub struct Slice<T> {
    pub items: Vec<(u64, T)>,
    pub total: u64,
    pub start: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode(&cursor(42)), Some(42));
        assert_eq!(decode("nonsense"), None);
    }

    #[test]
    fn aligned_windows_take_one_page() {
        let w = Window {
            start: 50,
            count: 25,
        };
        assert_eq!(w.pages(100), vec![(3, 25)]);
    }

    #[test]
    fn unaligned_windows_take_a_covering_page() {
        let w = Window {
            start: 10,
            count: 25,
        };
        // 35 items per page: page 1 holds positions 0..35, which covers 10..35.
        assert_eq!(w.pages(100), vec![(1, 35)]);
        let w = Window {
            start: 90,
            count: 100,
        };
        assert_eq!(w.pages(100), vec![(1, 100), (2, 100)]);
    }

    #[test]
    fn first_is_checked_against_the_maximum() {
        assert!(first(Some(101), 25, 100).is_err());
        assert!(first(Some(0), 25, 100).is_err());
        assert_eq!(first(None, 25, 100).ok(), Some(25));
    }
}
