use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use service::{
    Registry, Role, ServiceError, SubjectKind,
    auth::{Grant, TokenHint},
    tenants::Tenant,
};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    client_address::client_address,
    extract::{Auth, BodyLimit, control_characters, parse_json, read_limited},
    problem::{ApiError, ApiResult},
};

/// An OAuth2 token request (RFC 6749 field names), as `application/x-www-form-urlencoded`
/// or JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "msp_abc123", "client_secret": "s3cr3t..."}))]
pub struct TokenRequest {
    /// `password` (people), `refresh_token` (a person's session continued) or
    /// `client_credentials` (portals and partner systems).
    pub grant_type: String,
    /// The refresh token of the last token response, for the refresh-token grant.
    pub refresh_token: Option<String>,
    /// Email, for the password grant.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Slug of the tenant to act in, for people who belong to several.
    pub tenant: Option<String>,
    /// The API client, for the client-credentials grant (or send it as HTTP Basic).
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
    /// For people: presents with `grant_type=refresh_token` for the next access token. Each
    /// use hands out a new one and spends this one; a spent one presented again ends the
    /// session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Seconds the refresh token stays usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_in: Option<u64>,
    pub tenant_id: Uuid,
    pub role: Role,
}

/// Client credentials sent as HTTP Basic (RFC 6749 section 2.3.1: form-encoded id and secret,
/// joined by `:`, in base64) fill `client_id` and `client_secret`. An empty pair (`Basic Og==`,
/// which Swagger UI sends with a password grant when no client is entered) counts as none;
/// credentials both in the header and in the body are refused, as RFC 6749 asks.
fn with_basic_client(
    mut request: TokenRequest,
    req: &HttpRequest,
) -> Result<TokenRequest, ServiceError> {
    let Some(encoded) = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then(|| rest.trim())
        })
    else {
        return Ok(request);
    };
    let malformed = || {
        ServiceError::field(
            "authorization",
            "invalid",
            "the Basic credentials are not base64 of `client_id:client_secret`",
        )
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(malformed)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let form_decode = |part: &str| -> String {
        form_urlencoded::parse(format!("v={part}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (id, secret) = (form_decode(id), form_decode(secret));
    if let Some(error) = service::text::check("authorization", &id)
        .or_else(|| service::text::check("authorization", &secret))
    {
        return Err(ServiceError::Validation(vec![error]));
    }
    if id.is_empty() && secret.is_empty() {
        return Ok(request);
    }
    if request.client_id.is_some() || request.client_secret.is_some() {
        return Err(ServiceError::field(
            "authorization",
            "invalid",
            "send the client credentials either as HTTP Basic or in the body, not both",
        ));
    }
    request.client_id = Some(id).filter(|v| !v.is_empty());
    request.client_secret = Some(secret).filter(|v| !v.is_empty());
    Ok(request)
}

/// The body of an OAuth2 endpoint: `application/x-www-form-urlencoded` (as RFC 6749 and 7009
/// have it) or the same fields as JSON. Errors answer in the OAuth2 shape.
async fn oauth_form<T: DeserializeOwned + ToSchema>(
    req: &HttpRequest,
    payload: web::Payload,
) -> ApiResult<T> {
    let limit = req.app_data::<BodyLimit>().map_or(64 * 1024, |l| l.0);
    let mut inner = payload.into_inner();
    let body = read_limited(&mut inner, limit).await?;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/json") {
        parse_json(&body).map_err(|e| match e {
            ApiError::Service(inner) => ApiError::Token(inner),
            other => other,
        })
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let refused = control_characters(&body);
        if !refused.is_empty() {
            return Err(ApiError::Token(ServiceError::Validation(refused)));
        }
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| ApiError::Token(ServiceError::field("body", "invalid", e.to_string())))
    } else {
        Err(ApiError::UnsupportedMediaType(
            "send application/x-www-form-urlencoded or application/json".into(),
        ))
    }
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
        "refresh_token" => Ok(Grant::RefreshToken {
            refresh_token: req.refresh_token.ok_or_else(|| missing("refresh_token"))?,
        }),
        other => Err(ServiceError::field(
            "grant_type",
            "unsupported_grant_type",
            format!(
                "`{other}` is not supported: use password, refresh_token or client_credentials"
            ),
        )),
    }
}

/// Issues a short-lived access token (JWT, HS256).
///
/// The OAuth2 token endpoint (RFC 6749) of the `oauth2` security scheme: `grant_type=password`
/// with `username` (the email) and `password`, or `grant_type=client_credentials` with the
/// client's id and secret, in the form or as HTTP Basic (`Authorization: Basic`, as Swagger UI's
/// Authorize sends them). The same fields are accepted as a JSON object (`application/json`)
/// too. `scope` is accepted and ignored. Wrong credentials answer 401 without
/// saying which part was wrong. Attempts are throttled per account (or client) and client
/// address: after `MSP_LOGIN_MAX_FAILURES` attempts without success, each further one must
/// wait a delay that doubles from one second (429 with `Retry-After` until then, the password
/// unchecked); a success clears the count. Other addresses are not delayed.
#[utoipa::path(
    operation_id = "auth_token",
    security(()),
    tag = "auth",
    // The form only, as RFC 6749 has it: the same fields as JSON work too (the description
    // says so), but two media types of one schema trip openapi-python-client 0.29.
    request_body(content((TokenRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Credentials not accepted", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field the grant needs is missing", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "A sign-in attempt before its delay has passed, or too many requests", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    payload: web::Payload,
    registry: web::Data<Registry>,
) -> ApiResult<HttpResponse> {
    let request: TokenRequest = oauth_form(&req, payload).await?;
    let request = with_basic_client(request, &req).map_err(ApiError::Token)?;
    let grant = grant_of(request).map_err(ApiError::Token)?;
    let issued = registry
        .issue_token(grant, client_address(&req))
        .await
        .map_err(ApiError::Token)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: issued.access_token,
            token_type: "Bearer".into(),
            expires_in: issued.expires_in,
            refresh_token: issued.session.as_ref().map(|s| s.refresh_token.clone()),
            refresh_expires_in: issued.session.as_ref().map(|s| s.refresh_expires_in),
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
    operation_id = "me_get",
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

/// Signs the caller out everywhere: every access token issued to this person (or API client)
/// in this tenant stops working, this one included, on every server process within
/// `MSP_ACCESS_POLL_MS` (250 ms by default). Sign in again for a new token. Tokens of an
/// external identity provider are ended at the provider (400 here).
#[utoipa::path(
    operation_id = "auth_sign_out",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out: the caller's tokens no longer work"),
        (status = 400, body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/sign-out")]
pub async fn sign_out(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
) -> ApiResult<HttpResponse> {
    registry.sign_out(&caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A token revocation request (RFC 7009), as `application/x-www-form-urlencoded` or JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"token": "mspr_…", "token_type_hint": "refresh_token"}))]
pub struct RevocationRequest {
    /// The refresh token or access token to revoke.
    pub token: String,
    /// `refresh_token` or `access_token`; only a hint (any other value is ignored).
    pub token_type_hint: Option<String>,
}

/// Revokes a token (RFC 7009): ends the session it belongs to.
///
/// A refresh token ends its session: the refresh tokens rotated from the same sign-in and
/// every access token issued in it stop working, on every server process within
/// `MSP_ACCESS_POLL_MS`. An access token ends its own session the same way (for a person,
/// the sign-in it came from; for an API client, that token alone). The caller's other
/// sessions go on; `POST /auth/sign-out` ends them all. No client authentication is needed:
/// holding the token is the proof. An unknown, expired or already revoked token answers 200
/// too (RFC 7009 section 2.2), so the answer tells nothing about the token.
#[utoipa::path(
    operation_id = "auth_revoke",
    security(()),
    tag = "auth",
    request_body(content((RevocationRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Revoked, or not a token that could be"),
        (status = 415, description = "Neither a form nor JSON", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `token`, or a token of the external identity provider (`unsupported_token_type`)", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/revoke")]
pub async fn revoke(
    req: HttpRequest,
    payload: web::Payload,
    registry: web::Data<Registry>,
) -> ApiResult<HttpResponse> {
    let request: RevocationRequest = oauth_form(&req, payload).await?;
    let hint = match request.token_type_hint.as_deref() {
        Some("refresh_token") => Some(TokenHint::RefreshToken),
        Some("access_token") => Some(TokenHint::AccessToken),
        _ => None,
    };
    registry
        .revoke_token(request.token.trim(), hint)
        .await
        .map_err(ApiError::Token)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}
