use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use service::{Registry, Role, ServiceError, SubjectKind, auth::Grant, tenants::Tenant};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    extract::{Auth, BodyLimit, parse_json, read_limited},
    problem::{ApiError, ApiResult},
};

/// An OAuth2 token request (RFC 6749 field names), as `application/x-www-form-urlencoded`
/// or JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "msp_abc123", "client_secret": "s3cr3t..."}))]
pub struct TokenRequest {
    /// `password` (people) or `client_credentials` (portals and partner systems).
    pub grant_type: String,
    /// Email, for the password grant.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Slug of the tenant to act in, for people who belong to several.
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Accepted and ignored: the role comes from the membership or client.
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub tenant_id: Uuid,
    pub role: Role,
}

fn grant_of(req: TokenRequest) -> Result<Grant, ServiceError> {
    let missing = |field: &str| {
        ServiceError::field(
            field,
            "required",
            format!("{field} is required for this grant"),
        )
    };
    match req.grant_type.as_str() {
        "password" => Ok(Grant::Password {
            username: req.username.ok_or_else(|| missing("username"))?,
            password: req.password.ok_or_else(|| missing("password"))?,
            tenant: req.tenant,
        }),
        "client_credentials" => Ok(Grant::ClientCredentials {
            client_id: req.client_id.ok_or_else(|| missing("client_id"))?,
            client_secret: req.client_secret.ok_or_else(|| missing("client_secret"))?,
        }),
        other => Err(ServiceError::field(
            "grant_type",
            "unsupported_grant_type",
            format!("`{other}` is not supported: use password or client_credentials"),
        )),
    }
}

/// Issues a short-lived access token (JWT, HS256).
///
/// Wrong credentials answer 401 without saying which part was wrong. After repeated failures
/// for one account or client, attempts answer 429 until the window has passed.
#[utoipa::path(
    tag = "auth",
    request_body(content(
        (TokenRequest = "application/x-www-form-urlencoded"),
        (TokenRequest = "application/json"),
    )),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Credentials not accepted", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field the grant needs is missing", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    payload: web::Payload,
    registry: web::Data<Registry>,
) -> ApiResult<HttpResponse> {
    let limit = req.app_data::<BodyLimit>().map_or(64 * 1024, |l| l.0);
    let mut inner = payload.into_inner();
    let body = read_limited(&mut inner, limit).await?;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let request: TokenRequest = if content_type.starts_with("application/json") {
        parse_json(&body).map_err(|e| match e {
            ApiError::Service(inner) => ApiError::Token(inner),
            other => other,
        })?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| ServiceError::field("body", "invalid", e.to_string()))?
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send application/x-www-form-urlencoded or application/json".into(),
        ));
    };
    let grant = grant_of(request).map_err(ApiError::Token)?;
    let issued = registry.issue_token(grant).await.map_err(ApiError::Token)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: issued.access_token,
            token_type: "Bearer".into(),
            expires_in: issued.expires_in,
            tenant_id: issued.principal.tenant_id,
            role: issued.principal.role,
        }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub subject: Uuid,
    pub kind: SubjectKind,
    pub role: Role,
    pub platform_admin: bool,
    pub tenant: Tenant,
}

/// The caller: who they are, their tenant and role.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Me),
        (status = 401, body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
pub async fn me(Auth(caller): Auth, registry: web::Data<Registry>) -> ApiResult<HttpResponse> {
    let tenant = registry.current_tenant(&caller).await?;
    let principal = caller.principal().ok_or(ServiceError::Unauthenticated)?;
    Ok(HttpResponse::Ok().json(Me {
        subject: principal.subject,
        kind: principal.kind,
        role: principal.role,
        platform_admin: principal.platform_admin,
        tenant,
    }))
}
