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
//! Cursors are opaque. On the lists the service pages by keys (initiatives, organisations,
//! revisions, members, API clients) a connection's cursors are the service's own keyset cursors,
//! the `next_cursor`/`prev_cursor` of REST: `first`/`after` and `last`/`before` become one service
//! page after or before that cursor, as fast deep in the list as at its start, and a record
//! added or removed elsewhere in the list never shifts the window. Lists the service pages by
//! number only (lessons, and searches sorted by relevance) give `offset:N` cursors, the position
//! of the item in the ordered list: `first`/`after` become the one page (or the two adjacent
//! pages) that cover the items asked for, and such a list pages forward only.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use service::{
    ServiceResult,
    pagination::{Page, PageParams},
};

use super::{errors::bad_argument, types::Paged};

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
        let mut search: Option<service::search::SearchInfo> = None;
        for (page, size) in self.pages(max) {
            let first_index = (page - 1) * size;
            let got = fetch(page, size).await?;
            total = got.total.unwrap_or_default();
            let within = |i: usize| {
                let index = first_index + i as u64;
                index >= self.start && index < self.start + self.count
            };
            if let Some(info) = got.search {
                let hits = info
                    .hits
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| within(*i));
                match &mut search {
                    Some(s) => s.hits.extend(hits.map(|(_, h)| h)),
                    None => {
                        search = Some(service::search::SearchInfo {
                            hits: hits.map(|(_, h)| h).collect(),
                            facets: info.facets,
                        })
                    }
                }
            }
            for (i, item) in got.items.into_iter().enumerate() {
                if within(i) {
                    items.push((first_index + i as u64, item));
                }
            }
        }
        Ok(Slice {
            items,
            total,
            start: self.start,
            search,
        })
    }
}

/// A connection's paging arguments, as the client gave them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Args<'a> {
    pub first: Option<i32>,
    pub after: Option<&'a str>,
    pub last: Option<i32>,
    pub before: Option<&'a str>,
}

/// One page asked of the service: by number (the first page, or a page of an offset window),
/// or after or before one of its cursors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ask {
    pub page: Option<u64>,
    pub per_page: u64,
    pub after: Option<String>,
    pub before: Option<String>,
}

impl Ask {
    /// The service's paging parameters for this page (lists without filters of their own).
    pub fn params(self) -> PageParams {
        PageParams {
            page: self.page,
            per_page: Some(self.per_page),
            after: self.after,
            before: self.before,
            count: None,
        }
    }
}

/// How a connection's arguments are served.
#[derive(Debug, PartialEq, Eq)]
pub enum Paging {
    /// One service page: the first, or the one after or before a service cursor.
    Page(Ask),
    /// An offset window, after an `offset:` cursor of a list paged by number.
    Window(Window),
}

impl Paging {
    /// Reads the arguments of a connection over a list the service pages by keys (`keyset`),
    /// or by number only (forward only: `first` and `after`).
    pub fn new(
        args: Args<'_>,
        default: u64,
        max: u64,
        keyset: bool,
    ) -> async_graphql::Result<Self> {
        if args.first.is_some() && args.last.is_some() {
            return Err(bad_argument("last", "give first or last, not both"));
        }
        if args.after.is_some() && args.before.is_some() {
            return Err(bad_argument("before", "give after or before, not both"));
        }
        if args.last.is_some() || args.before.is_some() {
            if !keyset {
                return Err(bad_argument(
                    if args.before.is_some() {
                        "before"
                    } else {
                        "last"
                    },
                    "this list pages forward only: first and after",
                ));
            }
            let Some(before) = args.before else {
                return Err(bad_argument(
                    "last",
                    "pages back from a cursor: give before as well",
                ));
            };
            if args.first.is_some() {
                return Err(bad_argument(
                    "first",
                    "goes with after; before goes with last",
                ));
            }
            return Ok(Paging::Page(Ask {
                page: None,
                per_page: first(args.last, default, max)?,
                after: None,
                before: Some(before.to_owned()),
            }));
        }
        match args.after {
            Some(after) if !keyset || decode(after).is_some() => Ok(Paging::Window(Window::new(
                args.first,
                Some(after),
                default,
                max,
            )?)),
            after => Ok(Paging::Page(Ask {
                page: after.is_none().then_some(1),
                per_page: first(args.first, default, max)?,
                after: after.map(str::to_owned),
                before: None,
            })),
        }
    }

    /// Fetches what was asked through `fetch`, the service's paged list: its cursors on a
    /// list it pages by keys, else offset cursors.
    pub async fn fetch<T, F, Fut>(self, max: u64, mut fetch: F) -> ServiceResult<Paged<T>>
    where
        F: FnMut(Ask) -> Fut,
        Fut: std::future::Future<Output = ServiceResult<Page<T>>>,
    {
        match self {
            Paging::Window(window) => {
                let slice = window
                    .fetch(max, |page, per_page| {
                        fetch(Ask {
                            page: Some(page),
                            per_page,
                            ..Ask::default()
                        })
                    })
                    .await?;
                Ok(Paged::from_slice(slice, |item| item))
            }
            Paging::Page(ask) => {
                let from_a_cursor = ask.page.is_none();
                let page = fetch(ask).await?;
                let keyed = page.cursors.len() == page.items.len() && !page.cursors.is_empty();
                if from_a_cursor || keyed {
                    return Ok(Paged::from_keyset(page));
                }
                // The first page of a list paged by number: offset cursors from 0.
                let total = page.total.unwrap_or_default();
                let items = (0u64..).zip(page.items).collect();
                Ok(Paged::from_slice(
                    Slice {
                        items,
                        total,
                        start: 0,
                        search: page.search,
                    },
                    |item| item,
                ))
            }
        }
    }
}

/// The items of a window with their positions, and the total over all pages.
pub struct Slice<T> {
    pub items: Vec<(u64, T)>,
    pub total: u64,
    pub start: u64,
    /// A search's hits (those of the window's items) and facets.
    pub search: Option<service::search::SearchInfo>,
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

    fn args<'a>(
        first: Option<i32>,
        after: Option<&'a str>,
        last: Option<i32>,
        before: Option<&'a str>,
    ) -> Args<'a> {
        Args {
            first,
            after,
            last,
            before,
        }
    }

    #[test]
    fn keyset_lists_pass_the_service_cursors_on() {
        assert_eq!(
            Paging::new(args(Some(10), None, None, None), 25, 100, true).ok(),
            Some(Paging::Page(Ask {
                page: Some(1),
                per_page: 10,
                ..Ask::default()
            }))
        );
        assert_eq!(
            Paging::new(args(None, Some("abc"), None, None), 25, 100, true).ok(),
            Some(Paging::Page(Ask {
                page: None,
                per_page: 25,
                after: Some("abc".into()),
                before: None,
            }))
        );
        assert_eq!(
            Paging::new(args(None, None, Some(5), Some("abc")), 25, 100, true).ok(),
            Some(Paging::Page(Ask {
                page: None,
                per_page: 5,
                after: None,
                before: Some("abc".into()),
            }))
        );
    }

    #[test]
    fn offset_cursors_open_a_window() {
        let after = cursor(49);
        assert_eq!(
            Paging::new(args(Some(25), Some(&after), None, None), 25, 100, true).ok(),
            Some(Paging::Window(Window {
                start: 50,
                count: 25
            }))
        );
    }

    #[test]
    fn backward_paging_needs_a_keyset_list_and_a_cursor() {
        for a in [
            args(None, None, Some(5), None),
            args(Some(5), None, Some(5), Some("abc")),
            args(Some(5), None, None, Some("abc")),
            args(None, Some("a"), None, Some("b")),
        ] {
            assert!(Paging::new(a, 25, 100, true).is_err(), "{a:?}");
        }
        assert!(Paging::new(args(None, None, Some(5), Some("abc")), 25, 100, false).is_err());
        assert!(Paging::new(args(None, Some("abc"), None, None), 25, 100, false).is_err());
    }

    #[test]
    fn first_is_checked_against_the_maximum() {
        assert!(first(Some(101), 25, 100).is_err());
        assert!(first(Some(0), 25, 100).is_err());
        assert_eq!(first(None, 25, 100).ok(), Some(25));
    }
}
