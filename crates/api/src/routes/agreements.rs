//! REST handlers: the agreements of an initiative (partnership agreements, contracts, work plans,
//! memoranda of understanding).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    agreements::{Agreement, AgreementPatch, AgreementQuery, NewAgreement},
    pagination::Page,
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

/// The agreements of an initiative, oldest first, with their parties resolved.
#[utoipa::path(
    operation_id = "initiative_agreements_list",
    tag = "agreements",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), AgreementQuery),
    responses(
        (status = 200, body = Page<Agreement>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/agreements")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<AgreementQuery>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(
        &req,
        &registry
            .list_agreements(&caller, path.into_inner(), query)
            .await?,
    )
}

/// Records an agreement between partners of the initiative. Editors and above.
#[utoipa::path(
    operation_id = "initiative_agreements_create",
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("X-Change-Reason" = Option<String>, Header)),
    request_body = NewAgreement,
    responses(
        (status = 201, body = Agreement, headers(("ETag" = String), ("Location" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, e.g. a party that is not a partner of this initiative, or a signed agreement without `signed_on`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/initiatives/{id}/agreements")]
pub async fn create(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<NewAgreement>,
) -> ApiResult<HttpResponse> {
    let initiative = path.into_inner();
    let agreement = registry
        .add_agreement(&caller, initiative, input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(agreement.version)))
        .insert_header((
            "Location",
            format!(
                "/api/v1/initiatives/{initiative}/agreements/{}",
                agreement.id
            ),
        ))
        .json(agreement))
}

/// One agreement.
#[utoipa::path(
    operation_id = "initiative_agreements_get",
    tag = "agreements",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("agreement_id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = Agreement, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/agreements/{agreement_id}")]
pub async fn get(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let agreement = registry.get_agreement(&caller, initiative, id).await?;
    Ok(versioned(&req, agreement.version, &agreement))
}

/// Changes an agreement. Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_agreements_update",
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("agreement_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    request_body = AgreementPatch,
    responses(
        (status = 200, body = Agreement, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/initiatives/{id}/agreements/{agreement_id}")]
pub async fn update(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<AgreementPatch>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let agreement = registry
        .update_agreement(
            &caller,
            initiative,
            id,
            if_match(&req),
            input,
            &write_meta(&req),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(agreement.version)))
        .json(agreement))
}

/// Deletes an agreement. Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_agreements_delete",
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("agreement_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/initiatives/{id}/agreements/{agreement_id}")]
pub async fn delete(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    registry
        .remove_agreement(&caller, initiative, id, if_match(&req), &write_meta(&req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
