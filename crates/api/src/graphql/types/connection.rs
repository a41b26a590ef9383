//! Relay-style connections: `edges { cursor node }`, `nodes`, `pageInfo` and `totalCount`.

use async_graphql::SimpleObject;
use service::pagination::Page;

use super::{Initiative, Lesson, Organization, RevisionEntry, search::SearchResult};
use crate::graphql::{
    admin::{ApiClient, Member},
    limits::{Slice, cursor},
};

/// Where a page of a connection lies in the whole list.
#[derive(Clone, Debug, SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// A page of items with their positions as cursors.
pub struct Paged<T> {
    pub edges: Vec<(String, T)>,
    pub page_info: PageInfo,
    pub total_count: u64,
    pub search: Option<service::search::SearchInfo>,
}

impl<T> Paged<T> {
    /// A page of a list the service pages by keys: each item with its own cursor, and the
    /// service's cursors on from its ends saying whether there is more either way.
    pub fn from_keyset(page: Page<T>) -> Self {
        let page_info = PageInfo {
            has_next_page: page.next_cursor.is_some(),
            has_previous_page: page.prev_cursor.is_some(),
            start_cursor: page.cursors.first().cloned(),
            end_cursor: page.cursors.last().cloned(),
        };
        Self {
            total_count: page.total.unwrap_or_default(),
            edges: page.cursors.into_iter().zip(page.items).collect(),
            page_info,
            search: page.search,
        }
    }

    /// The page with each item turned into another.
    pub fn map<U>(self, convert: impl Fn(T) -> U) -> Paged<U> {
        Paged {
            edges: self
                .edges
                .into_iter()
                .map(|(cursor, item)| (cursor, convert(item)))
                .collect(),
            page_info: self.page_info,
            total_count: self.total_count,
            search: self.search,
        }
    }

    pub fn from_slice<S>(slice: Slice<S>, convert: impl Fn(S) -> T) -> Self {
        let edges: Vec<(String, T)> = slice
            .items
            .into_iter()
            .map(|(index, item)| (cursor(index), convert(item)))
            .collect();
        let end = slice.start + edges.len() as u64;
        Self {
            page_info: PageInfo {
                has_next_page: end < slice.total,
                has_previous_page: slice.start > 0,
                start_cursor: edges.first().map(|e| e.0.clone()),
                end_cursor: edges.last().map(|e| e.0.clone()),
            },
            edges,
            total_count: slice.total,
            search: slice.search,
        }
    }
}

macro_rules! connection {
    ($($(#[$meta:meta])* $connection:ident, $edge:ident, $node:ty $(, $search:ident)?;)+) => {
        $(
            /// One item of a connection, with the cursor to page on from it.
            #[derive(Clone, SimpleObject)]
            pub struct $edge {
                pub cursor: String,
                pub node: $node,
            }

            $(#[$meta])*
            #[derive(SimpleObject)]
            pub struct $connection {
                pub edges: Vec<$edge>,
                /// The items of `edges`, without their cursors.
                pub nodes: Vec<$node>,
                pub page_info: PageInfo,
                /// How many items match, over all pages.
                pub total_count: u64,
                $(
                    /// Only when searching: each hit's score and snippets, in the order of
                    /// `nodes`, and the facets of the whole result.
                    pub $search: Option<SearchResult>,
                )?
            }

            impl From<Paged<$node>> for $connection {
                fn from(p: Paged<$node>) -> Self {
                    Self {
                        nodes: p.edges.iter().map(|(_, n)| n.clone()).collect(),
                        edges: p
                            .edges
                            .into_iter()
                            .map(|(cursor, node)| $edge { cursor, node })
                            .collect(),
                        page_info: p.page_info,
                        total_count: p.total_count,
                        $($search: p.search.map(SearchResult::from),)?
                    }
                }
            }
        )+
    };
}

connection! {
    /// A page of initiatives.
    InitiativeConnection, InitiativeEdge, Initiative, search;
    /// A page of organisations.
    OrganizationConnection, OrganizationEdge, Organization;
    /// A page of lessons learned.
    LessonConnection, LessonEdge, Lesson, search;
    /// A page of the revision history.
    RevisionConnection, RevisionEdge, RevisionEntry;
    /// A page of members.
    MemberConnection, MemberEdge, Member;
    /// A page of API clients.
    ApiClientConnection, ApiClientEdge, ApiClient;
}
