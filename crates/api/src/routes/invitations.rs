//! Invitations: a tenant inviting a person who has an account elsewhere, and that person's
//! answer.

use actix_web::{HttpResponse, delete, get, post, web};
use service::{Registry, invitations::Invitation};
use uuid::Uuid;

use crate::{
    extract::Auth,
    problem::{ApiResult, Problem},
};

/// The invitations waiting for the signed-in person's answer, from every tenant. Sign in as
/// yourself (in any tenant you belong to) to see them.
#[utoipa::path(
    operation_id = "invitations_mine",
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Invitation>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a person (an API client)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/invitations")]
pub async fn mine(Auth(caller): Auth, registry: web::Data<Registry>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(registry.my_invitations(&caller).await?))
}

/// Accepts an invitation: you become a member of the inviting tenant with the invited role.
/// Sign in there by naming its slug (`tenant`) at the token endpoint.
#[utoipa::path(
    operation_id = "invitations_accept",
    tag = "members",
    security(("bearer" = [])),
    params(("invitation_id" = Uuid, Path)),
    responses(
        (status = 200, body = Invitation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a person (an API client)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invitation for you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered, or expired", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/invitations/{invitation_id}/accept")]
pub async fn accept(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let answered = registry
        .answer_invitation(&caller, path.into_inner(), true)
        .await?;
    Ok(HttpResponse::Ok().json(answered))
}

/// Declines an invitation.
#[utoipa::path(
    operation_id = "invitations_decline",
    tag = "members",
    security(("bearer" = [])),
    params(("invitation_id" = Uuid, Path)),
    responses(
        (status = 200, body = Invitation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a person (an API client)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invitation for you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered, or expired", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/invitations/{invitation_id}/decline")]
pub async fn decline(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let answered = registry
        .answer_invitation(&caller, path.into_inner(), false)
        .await?;
    Ok(HttpResponse::Ok().json(answered))
}

/// The caller's tenant's invitations still waiting for an answer (admins).
#[utoipa::path(
    operation_id = "members_invitations_list",
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Invitation>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/members/invitations")]
pub async fn sent(Auth(caller): Auth, registry: web::Data<Registry>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(registry.tenant_invitations(&caller).await?))
}

/// Withdraws an invitation still waiting for its answer (admins).
#[utoipa::path(
    operation_id = "members_invitations_withdraw",
    tag = "members",
    security(("bearer" = [])),
    params(("invitation_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invitation waiting", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/members/invitations/{invitation_id}")]
pub async fn withdraw(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    registry
        .withdraw_invitation(&caller, path.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
