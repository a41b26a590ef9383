//! The one place where errors become HTTP responses: RFC 9457 `application/problem+json`.
//! A 5xx logs the full cause chain and tells the caller only the request id.

use actix_web::{HttpResponse, ResponseError, http::StatusCode, http::header};
use serde::Serialize;
use service::{ErrorCode, FieldError, ServiceError};
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://msp-registry.dev/problems/validation",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "the input is not valid",
    "code": "validation",
    "request_id": "7f2b9d1e-3c4a-4f5b-8a6c-1d2e3f4a5b6c",
    "errors": [{"field": "country", "code": "invalid_country", "message": "`XX` is not an assigned ISO 3166-1 alpha-2 code"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable per `code`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code (the same as GraphQL's `extensions.code`, in snake case).
    pub code: ErrorCode,
    /// The request's id, as in the `X-Request-Id` header and the server's logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Per-field problems, for validation errors and bad parameters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// OAuth2 error code, on the token endpoint only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

pub const PROBLEM_BASE: &str = "https://msp-registry.dev/problems/";

tokio::task_local! {
    /// The id of the request being served, set by the request-id middleware.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The api crate's error: a service error, or a problem found while reading the request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// No media type of the `Accept` header can be produced.
    #[error("{0}")]
    NotAcceptable(String),
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    BadRequest(String),
    /// The request rate limit (`crate::rate_limit`), as against failed sign-ins (the service's
    /// `RateLimited`).
    #[error("too many requests; try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// An error of the OAuth2 token endpoint: a problem document that also carries the
    /// RFC 6749 `error` code.
    #[error(transparent)]
    Token(ServiceError),
}

impl ApiError {
    fn code(&self) -> ErrorCode {
        match self {
            ApiError::Service(e) | ApiError::Token(e) => e.code(),
            ApiError::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            ApiError::NotAcceptable(_) => ErrorCode::NotAcceptable,
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            ApiError::TooManyRequests { .. } => ErrorCode::RateLimited,
        }
    }
}

pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials | ErrorCode::InvalidToken => {
            StatusCode::UNAUTHORIZED
        }
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::StaleVersion => StatusCode::PRECONDITION_FAILED,
        ErrorCode::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::CursorAhead => StatusCode::BAD_REQUEST,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Writes `err` and every source beneath it, for logs.
fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// A problem response for `code` with `detail` and field errors.
pub fn problem_response(code: ErrorCode, detail: String, errors: Vec<FieldError>) -> HttpResponse {
    problem_with(code, detail, errors, None)
}

/// A 503 problem for a state the service expects to leave by itself (the search index being
/// built): no error is logged, and `Retry-After` says when to ask again.
pub fn unavailable(detail: &str, retry_after_secs: u32) -> HttpResponse {
    let mut response = problem_with(ErrorCode::Unavailable, detail.to_owned(), Vec::new(), None);
    if let Ok(value) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn problem_with(
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    oauth_error: Option<&'static str>,
) -> HttpResponse {
    let status = status_of(code);
    let body = Problem {
        kind: format!("{PROBLEM_BASE}{}", code.as_str()),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code,
        request_id: current_request_id(),
        errors,
        error: oauth_error,
    };
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .json(body)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.code())
    }

    fn error_response(&self) -> HttpResponse {
        let code = self.code();
        let status = status_of(code);
        let service_error = match self {
            ApiError::Service(e) | ApiError::Token(e) => Some(e),
            _ => None,
        };
        let (detail, errors) = match service_error {
            Some(ServiceError::Validation(errors)) => (self.to_string(), errors.clone()),
            Some(ServiceError::BadRequest { detail, errors }) => (detail.clone(), errors.clone()),
            Some(ServiceError::CursorAhead { head, .. }) => (
                self.to_string(),
                vec![FieldError::new(
                    "after",
                    "cursor_ahead",
                    format!("must be a cursor this feed handed out, at most {head}"),
                )],
            ),
            _ if status.is_server_error() => {
                tracing::error!(error = %cause_chain(self), code = code.as_str(), "request failed");
                let detail = match code {
                    ErrorCode::Unavailable => {
                        "the service is temporarily unavailable; retry shortly".to_owned()
                    }
                    _ => "an internal error occurred; quote the request id when reporting it"
                        .to_owned(),
                };
                (detail, Vec::new())
            }
            _ => (self.to_string(), Vec::new()),
        };
        let oauth_error = match self {
            ApiError::Token(e) => Some(oauth_error_code(e)),
            _ => None,
        };
        let mut response = problem_with(code, detail, errors, oauth_error);
        let retry_after = match (self, service_error) {
            (ApiError::TooManyRequests { retry_after_secs }, _)
            | (_, Some(ServiceError::RateLimited { retry_after_secs })) => Some(retry_after_secs),
            _ => None,
        };
        if let Some(retry_after_secs) = retry_after
            && let Ok(value) = header::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if matches!(code, ErrorCode::Unavailable) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"msp-registry\""),
            );
        }
        response
    }
}

/// The RFC 6749 section 5.2 error code for a token endpoint failure.
fn oauth_error_code(err: &ServiceError) -> &'static str {
    match err {
        ServiceError::InvalidCredentials | ServiceError::RateLimited { .. } => "invalid_grant",
        ServiceError::Validation(errors)
            if errors.iter().any(|e| e.code == "unsupported_grant_type") =>
        {
            "unsupported_grant_type"
        }
        ServiceError::Validation(errors)
            if errors.iter().any(|e| e.code == "unsupported_token_type") =>
        {
            "unsupported_token_type"
        }
        ServiceError::Validation(_) | ServiceError::BadRequest { .. } => "invalid_request",
        _ => "server_error",
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
