//! REST handlers: the contributions of an initiative's partners, and their totals.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    contributions::{
        Contribution, ContributionPatch, ContributionQuery, ContributionTotals, NewContribution,
    },
    pagination::Page,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, versioned, write_meta},
    problem::{ApiResult, Problem},
};

/// Registers this module's routes under `/api/v1` (`totals` before `{contribution_id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(totals)
        .service(create)
        .service(get)
        .service(update)
        .service(delete);
}

/// The contributions of an initiative, oldest first; filter by partner, resource kind, status.
#[utoipa::path(
    operation_id = "initiative_contributions_list",
    tag = "contributions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ContributionQuery),
    responses(
        (status = 200, body = Page<Contribution>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/contributions")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<ContributionQuery>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(
        &req,
        &registry
            .list_contributions(&caller, path.into_inner(), query)
            .await?,
    )
}

/// What the contributions add up to: per currency (pledged, delivered, total), per resource
/// kind, and per partner with its share of each currency's total. Exact decimal strings;
/// currencies are never added together.
#[utoipa::path(
    operation_id = "initiative_contributions_totals",
    tag = "contributions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = ContributionTotals),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/contributions/totals")]
pub async fn totals(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .contribution_totals(&caller, path.into_inner())
            .await?,
    ))
}

/// Records a contribution of a partner of the initiative. Amounts are decimal strings
/// (`"12500.50"`), never JSON numbers. Editors and above.
#[utoipa::path(
    operation_id = "initiative_contributions_create",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("X-Change-Reason" = Option<String>, Header)),
    request_body = NewContribution,
    responses(
        (status = 201, body = Contribution, headers(("ETag" = String), ("Location" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, e.g. a number as amount, an unknown currency, or a partner of another initiative", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/initiatives/{id}/contributions")]
pub async fn create(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<NewContribution>,
) -> ApiResult<HttpResponse> {
    let initiative = path.into_inner();
    let contribution = registry
        .add_contribution(&caller, initiative, input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(contribution.version)))
        .insert_header((
            "Location",
            format!(
                "/api/v1/initiatives/{initiative}/contributions/{}",
                contribution.id
            ),
        ))
        .json(contribution))
}

/// One contribution.
#[utoipa::path(
    operation_id = "initiative_contributions_get",
    tag = "contributions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("contribution_id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = Contribution, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/contributions/{contribution_id}")]
pub async fn get(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let contribution = registry.get_contribution(&caller, initiative, id).await?;
    Ok(versioned(&req, contribution.version, &contribution))
}

/// Changes a contribution. Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_contributions_update",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("contribution_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    request_body = ContributionPatch,
    responses(
        (status = 200, body = Contribution, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/initiatives/{id}/contributions/{contribution_id}")]
pub async fn update(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<ContributionPatch>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let contribution = registry
        .update_contribution(
            &caller,
            initiative,
            id,
            if_match(&req),
            input,
            &write_meta(&req),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(contribution.version)))
        .json(contribution))
}

/// Deletes a contribution. Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_contributions_delete",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("contribution_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/initiatives/{id}/contributions/{contribution_id}")]
pub async fn delete(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    registry
        .remove_contribution(&caller, initiative, id, if_match(&req), &write_meta(&req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
