//! Candidate duplicates: one partnership registered twice (see `docs/duplicates.md`).

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use service::{
    Registry,
    duplicates::{
        DuplicatePair, DuplicateQuery,
        links::{DuplicateLink, NewDuplicateLink},
    },
    pagination::Page,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, versioned, write_meta},
    problem::{ApiResult, Problem},
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create_link)
        .service(get_link)
        .service(reject_link);
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

/// Says that two initiatives are one partnership: `initiative_id` is the caller's tenant's,
/// `other_initiative_id` its own or another tenant's public one. Within a tenant the link is
/// `confirmed` at once; across tenants it stays `proposed` until the other tenant posts the
/// same pair (from its side), which confirms it (200). Editors and above.
#[utoipa::path(
    operation_id = "duplicate_links_create",
    tag = "duplicates",
    security(("bearer" = [])),
    params(("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history")),
    request_body = NewDuplicateLink,
    responses(
        (status = 201, description = "Proposed (or, within a tenant, confirmed)", body = DuplicateLink, headers(("ETag" = String), ("Location" = String))),
        (status = 200, description = "An existing link of the pair, now confirmed by the caller's side", body = DuplicateLink, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/duplicates/links")]
pub async fn create_link(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiJson(input): ApiJson<NewDuplicateLink>,
) -> ApiResult<HttpResponse> {
    let (link, created) = registry
        .link_duplicates(&caller, input, &write_meta(&req))
        .await?;
    let mut res = if created {
        let mut res = HttpResponse::Created();
        res.insert_header(("Location", format!("/api/v1/duplicates/links/{}", link.id)));
        res
    } else {
        HttpResponse::Ok()
    };
    Ok(res.insert_header(("ETag", etag(link.version))).json(link))
}

/// One link, for members of either side; any other caller gets 404.
#[utoipa::path(
    operation_id = "duplicate_links_get",
    tag = "duplicates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = DuplicateLink, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/duplicates/links/{id}")]
pub async fn get_link(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let link = registry.get_duplicate_link(&caller, *id).await?;
    Ok(versioned(&req, link.version, &link))
}

/// Rejects a link (either side, editors and above; needs `If-Match`): the two are not one
/// partnership. The link stays, `rejected`, so the pair is no longer an open candidate;
/// posting the pair again starts over.
#[utoipa::path(
    operation_id = "duplicate_links_reject",
    tag = "duplicates",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    responses(
        (status = 200, description = "Rejected", body = DuplicateLink, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/duplicates/links/{id}")]
pub async fn reject_link(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let link = registry
        .reject_duplicate_link(&caller, *id, if_match(&req), &write_meta(&req))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(link.version)))
        .json(link))
}
