//! The WSIS national showcase: eligibility, the per-country table, designations, coverage.

use actix_web::{HttpResponse, delete, get, put, web};
use service::{
    Registry,
    showcase::{
        Coverage, Designation, DesignationInput, Eligibility, ShowcaseQuery, ShowcaseTable,
        TableFormat, showcase_csv,
    },
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth},
    problem::{ApiResult, Problem},
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(eligibility)
        .service(table)
        .service(designate)
        .service(undesignate)
        .service(coverage);
}

/// The showcase checklist of an initiative: each named criterion passed or failed, with its
/// reason (functioning stage, government partner, enough sectors, signed partnership agreement,
/// recent progress report, action line). Thresholds are configuration (`MSP_SHOWCASE_*`).
#[utoipa::path(
    operation_id = "initiative_showcase_eligibility_get",
    tag = "wsis",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Eligibility),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/showcase-eligibility")]
pub async fn eligibility(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .showcase_eligibility(&caller, path.into_inner())
            .await?,
    ))
}

/// Per country: whether it meets the WSIS call (a functioning PPP/MSP passing the checklist), its
/// eligible initiatives, designated showcases (and whether they still qualify), and near misses
/// with the criteria they fail. Members see their tenant's view; anonymous callers the public
/// picture across all tenants. `format=csv` gives the same table as CSV.
#[utoipa::path(
    operation_id = "wsis_showcase_table",
    tag = "wsis",
    security((), ("bearer" = [])),
    params(ShowcaseQuery),
    responses(
        (status = 200, content((ShowcaseTable = "application/json"), (String = "text/csv"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/wsis/showcase")]
pub async fn table(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<ShowcaseQuery>,
) -> ApiResult<HttpResponse> {
    let table = registry.showcase_table(&caller, &query).await?;
    Ok(match query.format.unwrap_or_default() {
        TableFormat::Json => HttpResponse::Ok().json(table),
        TableFormat::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"wsis-showcase.csv\"",
            ))
            .body(showcase_csv(&table)),
    })
}

/// Designates the tenant's showcase for a country (admins and owners). Only an initiative of
/// the tenant that works in that country and passes the checklist can be designated (422 lists
/// the failed criteria).
#[utoipa::path(
    operation_id = "wsis_showcase_designate",
    tag = "wsis",
    security(("bearer" = [])),
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2")),
    request_body = DesignationInput,
    responses(
        (status = 200, body = Designation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not eligible, or not in that country", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/wsis/showcase/{country}")]
pub async fn designate(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<String>,
    ApiJson(input): ApiJson<DesignationInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .designate_showcase(&caller, &path.into_inner(), input)
            .await?,
    ))
}

/// Removes the tenant's showcase designation for a country (admins and owners).
#[utoipa::path(
    operation_id = "wsis_showcase_undesignate",
    tag = "wsis",
    security(("bearer" = [])),
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an assigned ISO 3166-1 alpha-2 code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/wsis/showcase/{country}")]
pub async fn undesignate(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    registry
        .remove_showcase(&caller, &path.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The country × action line matrix of functioning partnerships (implementing, reviewing or
/// sustaining). Members: their tenant; anonymous: public initiatives of all tenants.
#[utoipa::path(
    operation_id = "wsis_coverage_get",
    tag = "wsis",
    security((), ("bearer" = [])),
    responses((status = 200, body = Coverage))
)]
#[get("/wsis/coverage")]
pub async fn coverage(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(registry.wsis_coverage(&caller).await?))
}
