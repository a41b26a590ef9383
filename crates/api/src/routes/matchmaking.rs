//! Levers and needs, organisations' offers, partner suggestions and value assessments.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use service::{
    Registry,
    matchmaking::{LeversInput, NeedsInput, Offers, Suggestion, SuggestionQuery},
    valuation::{ValueAssessment, ValueAssessmentInput},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, versioned, write_meta},
    problem::{ApiResult, Problem},
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(put_levers)
        .service(put_needs)
        .service(get_offers)
        .service(put_offers)
        .service(suggestions)
        .service(get_value)
        .service(put_value);
}

/// Replaces the levers the initiative brings to bear (editors). Filter lists with `lever=`.
#[utoipa::path(
    operation_id = "initiative_levers_replace",
    tag = "matchmaking",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("X-Change-Reason" = Option<String>, Header)),
    request_body = LeversInput,
    responses(
        (status = 200, body = LeversInput),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/initiatives/{id}/levers")]
pub async fn put_levers(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<LeversInput>,
) -> ApiResult<HttpResponse> {
    let levers = registry
        .set_levers(&caller, path.into_inner(), input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Ok().json(LeversInput { levers }))
}

/// Replaces the resource kinds the initiative still needs (editors); partner suggestions look
/// for organisations that offer them.
#[utoipa::path(
    operation_id = "initiative_needs_replace",
    tag = "matchmaking",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("X-Change-Reason" = Option<String>, Header)),
    request_body = NeedsInput,
    responses(
        (status = 200, body = NeedsInput),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/initiatives/{id}/needs")]
pub async fn put_needs(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<NeedsInput>,
) -> ApiResult<HttpResponse> {
    let needs = registry
        .set_needs(&caller, path.into_inner(), input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Ok().json(NeedsInput { needs }))
}

/// What an organisation can offer: resource kinds, action lines, countries, motivations.
#[utoipa::path(
    operation_id = "organization_offers_get",
    tag = "matchmaking",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Offers),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}/offers")]
pub async fn get_offers(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .organization_offers(&caller, path.into_inner())
            .await?,
    ))
}

/// Replaces what an organisation of the caller's tenant offers (editors).
#[utoipa::path(
    operation_id = "organization_offers_replace",
    tag = "matchmaking",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = Offers,
    responses(
        (status = 200, body = Offers),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organizations/{id}/offers")]
pub async fn put_offers(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<Offers>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .set_organization_offers(&caller, path.into_inner(), input)
            .await?,
    ))
}

/// Organisations (the tenant's and public ones) ranked by how well they fill the initiative's
/// gaps: unmet needs they offer (3 points each), a sector the active partners lack (2), the
/// initiative's countries (2), shared action lines (1 each). Each comes with its reasons.
/// Active partners are left out.
#[utoipa::path(
    operation_id = "initiative_partner_suggestions_list",
    tag = "matchmaking",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path), SuggestionQuery),
    responses(
        (status = 200, body = Vec<Suggestion>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/partner-suggestions")]
pub async fn suggestions(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<SuggestionQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .partner_suggestions(&caller, path.into_inner(), query)
            .await?,
    ))
}

/// The initiative's value assessment: the ten sources of partnership value rated 0–3, the cost
/// of partnering, and a summary of where value is created.
#[utoipa::path(
    operation_id = "initiative_value_assessment_get",
    tag = "matchmaking",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = ValueAssessment, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such initiative, or not assessed yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/value-assessment")]
pub async fn get_value(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let va = registry
        .value_assessment(&caller, path.into_inner())
        .await?;
    Ok(versioned(&req, va.version, &va))
}

/// Records or replaces the value assessment (editors). Replacing needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_value_assessment_replace",
    tag = "matchmaking",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Needed when an assessment exists"), ("X-Change-Reason" = Option<String>, Header)),
    request_body = ValueAssessmentInput,
    responses(
        (status = 200, body = ValueAssessment, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/initiatives/{id}/value-assessment")]
pub async fn put_value(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<ValueAssessmentInput>,
) -> ApiResult<HttpResponse> {
    let va = registry
        .put_value_assessment(
            &caller,
            path.into_inner(),
            if_match(&req),
            input,
            &write_meta(&req),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(va.version)))
        .json(va))
}
