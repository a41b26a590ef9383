use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use service::{
    Registry,
    clients::{ApiClient, CreatedApiClient, NewApiClient},
    pagination::{Page, PageParams},
};
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth},
    problem::{ApiResult, Problem},
};

/// The tenant's API clients (portals, partner systems). Admins and owners.
#[utoipa::path(
    operation_id = "clients_list",
    tag = "clients",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, body = Page<ApiClient>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/clients")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(&req, &registry.list_clients(&caller, params).await?)
}

/// Creates an API client. The answer holds `client_secret`: it is shown this once.
#[utoipa::path(
    operation_id = "clients_create",
    tag = "clients",
    security(("bearer" = [])),
    request_body = NewApiClient,
    responses(
        (status = 201, body = CreatedApiClient),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/clients")]
pub async fn create(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiJson(input): ApiJson<NewApiClient>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(registry.create_client(&caller, input).await?))
}

/// Revokes an API client: its secret stops working at once.
#[utoipa::path(
    operation_id = "clients_revoke",
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/clients/{id}")]
pub async fn revoke(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    registry.revoke_client(&caller, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
