use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    pagination::Page,
    partners::{NewPartner, Partner, PartnerPatch, PartnerQuery},
};
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, versioned, write_meta},
    problem::{ApiResult, Problem},
};

/// The partners of an initiative, with their organisations.
#[utoipa::path(
    operation_id = "initiative_partners_list",
    tag = "partners",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), PartnerQuery),
    responses(
        (status = 200, body = Page<Partner>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/partners")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<PartnerQuery>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(
        &req,
        &registry
            .list_partners(&caller, path.into_inner(), query)
            .await?,
    )
}

/// Adds an organisation (the tenant's own, or a public one) as a partner. Editors and above.
#[utoipa::path(
    operation_id = "initiative_partners_create",
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("X-Change-Reason" = Option<String>, Header)),
    request_body = NewPartner,
    responses(
        (status = 201, body = Partner, headers(("ETag" = String), ("Location" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a partner", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/initiatives/{id}/partners")]
pub async fn create(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<NewPartner>,
) -> ApiResult<HttpResponse> {
    let initiative = path.into_inner();
    let partner = registry
        .add_partner(&caller, initiative, input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(partner.version)))
        .insert_header((
            "Location",
            format!("/api/v1/initiatives/{initiative}/partners/{}", partner.id),
        ))
        .json(partner))
}

/// One partner.
#[utoipa::path(
    operation_id = "initiative_partners_get",
    tag = "partners",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("partner_id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = Partner, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/partners/{partner_id}")]
pub async fn get(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let partner = registry.get_partner(&caller, initiative, id).await?;
    Ok(versioned(&req, partner.version, &partner))
}

/// Changes a partner. Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_partners_update",
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("partner_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    request_body = PartnerPatch,
    responses(
        (status = 200, body = Partner, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/initiatives/{id}/partners/{partner_id}")]
pub async fn update(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<PartnerPatch>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let partner = registry
        .update_partner(
            &caller,
            initiative,
            id,
            if_match(&req),
            input,
            &write_meta(&req),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(partner.version)))
        .json(partner))
}

/// Removes a partner (409 while its contributions are recorded). Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_partners_delete",
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("partner_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/initiatives/{id}/partners/{partner_id}")]
pub async fn delete(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    registry
        .remove_partner(&caller, initiative, id, if_match(&req), &write_meta(&req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
