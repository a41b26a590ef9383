//! REST handlers: progress reports of an initiative.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    pagination::{Page, PageParams},
    reports::{NewReport, ProgressReport, ReportPatch},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, versioned, write_meta},
    problem::{ApiResult, Problem},
};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete);
}

/// The progress reports of an initiative, the latest period first.
#[utoipa::path(
    operation_id = "initiative_reports_list",
    tag = "reports",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), PageParams),
    responses(
        (status = 200, body = Page<ProgressReport>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/reports")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(
        &req,
        &registry
            .list_reports(&caller, path.into_inner(), params)
            .await?,
    )
}

/// Files a progress report; the initiative's `last_reported_on` and reporting status follow
/// the latest period end. Editors and above.
#[utoipa::path(
    operation_id = "initiative_reports_create",
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("X-Change-Reason" = Option<String>, Header)),
    request_body = NewReport,
    responses(
        (status = 201, body = ProgressReport, headers(("ETag" = String), ("Location" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/initiatives/{id}/reports")]
pub async fn create(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<NewReport>,
) -> ApiResult<HttpResponse> {
    let initiative = path.into_inner();
    let report = registry
        .add_report(&caller, initiative, input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(report.version)))
        .insert_header((
            "Location",
            format!("/api/v1/initiatives/{initiative}/reports/{}", report.id),
        ))
        .json(report))
}

/// One progress report.
#[utoipa::path(
    operation_id = "initiative_reports_get",
    tag = "reports",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("report_id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = ProgressReport, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/reports/{report_id}")]
pub async fn get(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let report = registry.get_report(&caller, initiative, id).await?;
    Ok(versioned(&req, report.version, &report))
}

/// Changes a progress report. Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_reports_update",
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("report_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    request_body = ReportPatch,
    responses(
        (status = 200, body = ProgressReport, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/initiatives/{id}/reports/{report_id}")]
pub async fn update(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<ReportPatch>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let report = registry
        .update_report(
            &caller,
            initiative,
            id,
            if_match(&req),
            input,
            &write_meta(&req),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(report.version)))
        .json(report))
}

/// Deletes a progress report; the reporting status falls back to the remaining reports (or
/// to the registration date). Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_reports_delete",
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("report_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/initiatives/{id}/reports/{report_id}")]
pub async fn delete(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    registry
        .remove_report(&caller, initiative, id, if_match(&req), &write_meta(&req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
