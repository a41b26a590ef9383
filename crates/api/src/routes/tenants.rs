use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use service::{
    Registry,
    tenants::{NewTenant, Tenant, TenantPatch},
};

use crate::{
    extract::{ApiJson, Auth, etag, if_match, versioned},
    problem::{ApiResult, Problem},
};

/// Creates a tenant (a registry operator). Platform administrators only.
#[utoipa::path(
    operation_id = "tenants_create",
    tag = "tenants",
    security(("bearer" = [])),
    request_body = NewTenant,
    responses(
        (status = 201, body = Tenant, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tenants")]
pub async fn create(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiJson(input): ApiJson<NewTenant>,
) -> ApiResult<HttpResponse> {
    let tenant = registry.create_tenant(&caller, input).await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(tenant.version)))
        .json(tenant))
}

/// The caller's tenant.
#[utoipa::path(
    operation_id = "tenants_current_get",
    tag = "tenants",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Tenant, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tenants/current")]
pub async fn current(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
) -> ApiResult<HttpResponse> {
    let tenant = registry.current_tenant(&caller).await?;
    Ok(versioned(&req, tenant.version, &tenant))
}

/// Changes the caller's tenant. Owners only; needs `If-Match`.
#[utoipa::path(
    operation_id = "tenants_current_update",
    tag = "tenants",
    security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag last read")),
    request_body = TenantPatch,
    responses(
        (status = 200, body = Tenant, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/tenants/current")]
pub async fn update_current(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiJson(input): ApiJson<TenantPatch>,
) -> ApiResult<HttpResponse> {
    let tenant = registry
        .update_current_tenant(&caller, if_match(&req), input)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(tenant.version)))
        .json(tenant))
}
