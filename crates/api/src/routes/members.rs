use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    invitations::{Addition, Invitation},
    members::{Member, MemberPatch, NewMember},
    pagination::{Page, PageParams},
};
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth},
    problem::{ApiResult, Problem},
};

/// The people of the caller's tenant and their roles.
#[utoipa::path(
    operation_id = "members_list",
    tag = "members",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, body = Page<Member>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/members")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(&req, &registry.list_members(&caller, params).await?)
}

/// Adds a person. An email without an account gets a new one (with the display name and
/// password given) and is a member at once (201). A person who already has an account, in
/// another tenant, is invited instead (202): they become a member only when they accept,
/// signed in as themselves (`POST /invitations/{id}/accept`). Admins and owners; only owners
/// grant the owner role.
#[utoipa::path(
    operation_id = "members_add",
    tag = "members",
    security(("bearer" = [])),
    request_body = NewMember,
    responses(
        (status = 201, description = "A new account, now a member", body = Member),
        (status = 202, description = "An existing account, invited: a member once they accept", body = Invitation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/members")]
pub async fn add(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiJson(input): ApiJson<NewMember>,
) -> ApiResult<HttpResponse> {
    Ok(match registry.add_member(&caller, input).await? {
        Addition::Added(member) => HttpResponse::Created().json(member),
        Addition::Invited(invitation) => HttpResponse::Accepted().json(invitation),
    })
}

/// Changes a member's role. A tenant always keeps one owner.
#[utoipa::path(
    operation_id = "members_change_role",
    tag = "members",
    security(("bearer" = [])),
    params(("user_id" = Uuid, Path)),
    request_body = MemberPatch,
    responses(
        (status = 200, body = Member),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave the tenant without an owner", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/members/{user_id}")]
pub async fn change_role(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<MemberPatch>,
) -> ApiResult<HttpResponse> {
    let member = registry
        .change_member_role(&caller, path.into_inner(), input)
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

/// Removes a member from the tenant (the account stays).
#[utoipa::path(
    operation_id = "members_remove",
    tag = "members",
    security(("bearer" = [])),
    params(("user_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave the tenant without an owner", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/members/{user_id}")]
pub async fn remove(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    registry.remove_member(&caller, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
