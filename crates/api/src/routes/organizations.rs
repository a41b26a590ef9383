use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry, ServiceError,
    language::LanguageQuery,
    organizations::{NewOrganization, Organization, OrganizationPatch, OrganizationQuery},
    pagination::Page,
};
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, write_meta},
    language,
    problem::{ApiResult, Problem},
};

/// Lists partner organisations.
///
/// Anonymous callers see every tenant's public organisations. Members see their tenant's
/// (`scope=tenant`, the default), every tenant's public ones (`scope=public`), or both
/// (`scope=all`). Unknown parameters answer 400. Names and descriptions are in the reader's
/// language (`lang=` over `Accept-Language`) where an organisation has them, else in its own
/// `language`, with `field_languages` naming those that fell back.
#[utoipa::path(
    operation_id = "organizations_list",
    tag = "organizations",
    security((), ("bearer" = [])),
    params(OrganizationQuery, ("Accept-Language" = Option<String>, Header, description = "Preferred languages, with q-values (`fr-CH, fr;q=0.9, en;q=0.8`)")),
    responses(
        (status = 200, body = Page<Organization>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<OrganizationQuery>,
) -> ApiResult<HttpResponse> {
    let choice = language::ask(&req, query.lang.as_deref())?;
    let mut page = registry.list_organizations(&caller, query).await?;
    let (items, content_language) = registry
        .localize_organizations(std::mem::take(&mut page.items), choice)
        .await?;
    page.items = items;
    Ok(language::mark(
        crate::listing::page(&req, &page)?,
        &content_language,
    ))
}

/// Registers a partner organisation in the caller's tenant. Editors and above.
#[utoipa::path(
    operation_id = "organizations_create",
    tag = "organizations",
    security(("bearer" = [])),
    request_body = NewOrganization,
    responses(
        (status = 201, body = Organization, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name already used in this tenant", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations")]
pub async fn create(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiJson(input): ApiJson<NewOrganization>,
) -> ApiResult<HttpResponse> {
    let org = registry
        .create_organization(&caller, input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(org.version)))
        .insert_header(("Location", format!("/api/v1/organizations/{}", org.id)))
        .json(org))
}

/// One organisation. Another tenant's private organisation answers 404, as a missing one. Its
/// texts are in the reader's language (`lang=` over `Accept-Language`) where it has them.
#[utoipa::path(
    operation_id = "organizations_get",
    tag = "organizations",
    security((), ("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        LanguageQuery,
        ("If-None-Match" = Option<String>, Header, description = "An ETag: answers 304 when it is current"),
        ("Accept-Language" = Option<String>, Header, description = "Preferred languages, with q-values"),
    ),
    responses(
        (status = 200, body = Organization, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 304, description = "Not modified"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}")]
pub async fn get(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<LanguageQuery>,
) -> ApiResult<HttpResponse> {
    let choice = language::ask(&req, query.lang.as_deref())?;
    let org = registry
        .get_organization(&caller, path.into_inner())
        .await?;
    let (mut orgs, content_language) = registry.localize_organizations(vec![org], choice).await?;
    let Some(org) = orgs.pop() else {
        return Err(ServiceError::NotFound {
            entity: "organization",
        }
        .into());
    };
    Ok(language::versioned(
        &req,
        choice,
        org.version,
        &content_language,
        &org,
    ))
}

/// Changes an organisation (JSON merge semantics: absent fields stay, `null` clears).
/// Editors and above, in the organisation's own tenant; needs `If-Match`.
#[utoipa::path(
    operation_id = "organizations_update",
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body = OrganizationPatch,
    responses(
        (status = 200, body = Organization, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another tenant's public organisation, or role too low", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<OrganizationPatch>,
) -> ApiResult<HttpResponse> {
    let org = registry
        .update_organization(&caller, path.into_inner(), if_match(&req), input)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(org.version)))
        .json(org))
}

/// Deletes an organisation. Editors and above; needs `If-Match`.
#[utoipa::path(
    operation_id = "organizations_delete",
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still a partner in an initiative", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/organizations/{id}")]
pub async fn delete(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    registry
        .delete_organization(&caller, path.into_inner(), if_match(&req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
