//! Page-based pagination with a hard maximum page size and a total count.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    Settings,
    error::{ServiceError, ServiceResult},
};

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
        if page == 0 || page > 1_000_000 {
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
#[derive(Clone, Copy, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page (default 25, at most the configured maximum, 100 unless changed).
    pub per_page: Option<u64>,
}

/// One page of a list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u64,
    pub per_page: u64,
    /// How many items match, over all pages.
    pub total: u64,
    pub total_pages: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: u64) -> Self {
        Self {
            items,
            page: request.page,
            per_page: request.per_page,
            total,
            total_pages: total.div_ceil(request.per_page),
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
            total_pages: self.total_pages,
        }
    }
}
