//! Output types. Each mirrors a service view (same fields, camelCase, GraphQL enums and
//! scalars) and adds the nested fields REST reaches through other routes, resolved through the
//! request's DataLoaders.

pub mod analytics;
pub mod children;
pub mod connection;
pub mod contribution;
pub mod history;
pub mod initiative;
pub mod matchmaking;
pub mod me;
pub mod node;
pub mod organization;
pub mod partner;
pub mod reference;
pub mod search;
pub mod texts;
pub mod wsis;

pub use children::{Agreement, Lesson, ProgressReport};
pub use connection::{
    ApiClientConnection, InitiativeConnection, LessonConnection, MemberConnection,
    OrganizationConnection, PageInfo, Paged, RevisionConnection,
};
pub use contribution::{Contribution, ContributionTotals};
pub use history::RevisionEntry;
pub use initiative::Initiative;
pub use me::{Me, Tenant};
pub use node::{Node, global_id};
pub use organization::Organization;
pub use partner::Partner;
pub use reference::ReferenceData;

use async_graphql::Context;

use super::{errors::bad_argument, limits};

/// `first` of a nested list: 1 to the maximum page size, the default page size when absent.
pub fn nested_first(ctx: &Context<'_>, first: Option<i32>) -> async_graphql::Result<usize> {
    let rc = super::context::request(ctx)?;
    let settings = rc.registry.settings();
    let n = limits::first(first, settings.default_page_size, settings.max_page_size)?;
    usize::try_from(n).map_err(|_| bad_argument("first", "too large"))
}

/// The first `n` items of a list.
pub fn take<T: Clone, U: From<T>>(items: Option<Vec<T>>, n: usize) -> Vec<U> {
    items
        .unwrap_or_default()
        .into_iter()
        .take(n)
        .map(U::from)
        .collect()
}
