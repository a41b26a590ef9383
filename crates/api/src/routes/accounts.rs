//! People's accounts across tenants, for platform administrators.

use actix_web::{HttpResponse, post, web};
use service::{Registry, members::Account};
use uuid::Uuid;

use crate::{
    extract::Auth,
    problem::{ApiResult, Problem},
};

/// Disables a person's account (platform administrators): it can no longer sign in or
/// refresh a session, and every token it holds, in every tenant, stops working on every
/// server process within `MSP_ACCESS_POLL_MS`. Its memberships stay, for when it is enabled
/// again. You cannot disable your own account.
#[utoipa::path(
    operation_id = "accounts_disable",
    tag = "accounts",
    security(("bearer" = [])),
    params(("user_id" = Uuid, Path, description = "The account's user id")),
    responses(
        (status = 200, body = Account),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Your own account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/{user_id}/disable")]
pub async fn disable(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let account = registry
        .set_account_disabled(&caller, path.into_inner(), true)
        .await?;
    Ok(HttpResponse::Ok().json(account))
}

/// Enables a disabled account again (platform administrators). It signs in afresh: the
/// tokens it held when it was disabled stay ended.
#[utoipa::path(
    operation_id = "accounts_enable",
    tag = "accounts",
    security(("bearer" = [])),
    params(("user_id" = Uuid, Path, description = "The account's user id")),
    responses(
        (status = 200, body = Account),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/{user_id}/enable")]
pub async fn enable(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let account = registry
        .set_account_disabled(&caller, path.into_inner(), false)
        .await?;
    Ok(HttpResponse::Ok().json(account))
}
