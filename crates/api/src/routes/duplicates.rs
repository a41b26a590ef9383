//! Candidate duplicates: one partnership registered twice (see `docs/duplicates.md`).

use actix_web::{HttpRequest, HttpResponse, get, web};
use service::{
    Registry,
    duplicates::{DuplicatePair, DuplicateQuery},
    pagination::Page,
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    extract::{ApiQuery, Auth},
    problem::{ApiResult, Problem},
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

/// The open candidate duplicates of the caller's tenant: each of its initiatives with another
/// initiative it may duplicate, among its own records and every other tenant's public ones
/// (never another tenant's private ones), best score first, each with its reasons. Pairs
/// already linked or rejected are left out. Members (viewers and above).
#[utoipa::path(
    operation_id = "duplicates_list",
    tag = "duplicates",
    security(("bearer" = [])),
    params(DuplicateQuery),
    responses(
        (status = 200, body = Page<DuplicatePair>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/duplicates")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<DuplicateQuery>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(&req, &registry.list_duplicates(&caller, query).await?)
}
