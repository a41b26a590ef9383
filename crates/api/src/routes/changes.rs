//! The change feed for portals that mirror the registry.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use service::{
    Registry,
    feed::{ChangePage, ChangeQuery},
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    extract::{ApiQuery, Auth},
    problem::{ApiResult, Problem},
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

/// Every create, update and delete of initiatives, their children and organisations, in commit
/// order. Follow `next_cursor` (as `after`) and you never miss a change nor see one twice, also
/// with many concurrent writers. Members follow their tenant's feed; anonymous callers follow
/// the public feed of every tenant, where a record that stops being public appears as a
/// `delete`. Each entry links to the record (`href`).
#[utoipa::path(
    operation_id = "changes_list",
    tag = "changes",
    security((), ("bearer" = [])),
    params(ChangeQuery),
    responses(
        (status = 200, body = ChangePage, headers(("Link" = String, description = "rel=\"next\": the same query continuing after this page"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/changes")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<ChangeQuery>,
) -> ApiResult<HttpResponse> {
    let page = registry.changes(&caller, query).await?;
    let next = crate::listing::with_param(&req, "after", &page.next_cursor);
    Ok(HttpResponse::Ok()
        .insert_header((header::LINK, format!("<{next}>; rel=\"next\"")))
        .json(page))
}
