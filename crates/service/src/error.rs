//! The one error type of the service layer, with stable codes that REST (problem+json `code`)
//! and GraphQL (`extensions.code`) both expose.

use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use utoipa::ToSchema;

mod db_error;

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Stable, machine-readable error codes. Clients match on these; never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthenticated,
    InvalidCredentials,
    InvalidToken,
    RateLimited,
    Forbidden,
    NotFound,
    Validation,
    BadRequest,
    Conflict,
    /// An `Idempotency-Key` sent again with a different request.
    IdempotencyKeyReused,
    StaleVersion,
    PreconditionRequired,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// None of the media types the `Accept` header asks for can be produced (406).
    NotAcceptable,
    /// The path exists but not with this method (the `Allow` header lists those it has).
    MethodNotAllowed,
    /// A change-feed cursor beyond the feed's head: it was not handed out by this feed.
    CursorAhead,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Validation => "validation",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Conflict => "conflict",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::StaleVersion => "stale_version",
            ErrorCode::PreconditionRequired => "precondition_required",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::NotAcceptable => "not_acceptable",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::CursorAhead => "cursor_ahead",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

/// One problem with one input field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a path in the request: a body's JSON path (`country`,
    /// `partners[2].role`) or a query parameter's name.
    pub field: String,
    /// A stable code for the rule that failed (`required`, `invalid_type`, `invalid_value`,
    /// `unknown_field`, `length`, `invalid_country`...).
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// What the field takes, when the value had the wrong type or form: `string`, `integer`,
    /// `boolean`, `array`, `object`, `date` (YYYY-MM-DD), `date-time` (RFC 3339), `uuid`, or
    /// `enum` (then `allowed` lists the values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The values (or, for an unknown field, the field names) that are allowed here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
            expected: None,
            allowed: Vec::new(),
        }
    }

    /// Names what the field takes (see [`FieldError::expected`]).
    pub fn expecting(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Lists the allowed values (see [`FieldError::allowed`]).
    pub fn allowing(mut self, allowed: Vec<String>) -> Self {
        self.allowed = allowed;
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("authentication is required")]
    Unauthenticated,
    #[error("the credentials were not accepted")]
    InvalidCredentials,
    #[error("the access token is invalid or expired")]
    InvalidToken,
    #[error("too many failed sign-in attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    Forbidden(String),
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("the input is not valid")]
    Validation(Vec<FieldError>),
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("this Idempotency-Key was used for a different request; use a new key")]
    IdempotencyKeyReused,
    #[error(
        "the cursor {cursor} is beyond the head of this feed ({head}): it was not handed out by this feed; start again from `after=0` or from your last stored cursor"
    )]
    CursorAhead { cursor: i64, head: i64 },
    #[error("the record has changed since it was read (current version {current})")]
    StaleVersion { current: i32 },
    #[error("this change needs an If-Match header with the record's current ETag")]
    PreconditionRequired,
    #[error("the database is not available")]
    Unavailable(#[source] DbErr),
    #[error("database error")]
    Database(#[source] DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Unauthenticated => ErrorCode::Unauthenticated,
            ServiceError::InvalidCredentials => ErrorCode::InvalidCredentials,
            ServiceError::InvalidToken => ErrorCode::InvalidToken,
            ServiceError::RateLimited { .. } => ErrorCode::RateLimited,
            ServiceError::Forbidden(_) => ErrorCode::Forbidden,
            ServiceError::NotFound { .. } => ErrorCode::NotFound,
            ServiceError::Validation(_) => ErrorCode::Validation,
            ServiceError::BadRequest { .. } => ErrorCode::BadRequest,
            ServiceError::CursorAhead { .. } => ErrorCode::CursorAhead,
            ServiceError::Conflict(_) => ErrorCode::Conflict,
            ServiceError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            ServiceError::StaleVersion { .. } => ErrorCode::StaleVersion,
            ServiceError::PreconditionRequired => ErrorCode::PreconditionRequired,
            ServiceError::Unavailable(_) => ErrorCode::Unavailable,
            ServiceError::Database(_) | ServiceError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn forbidden(msg: impl Into<String>) -> Self {
        ServiceError::Forbidden(msg.into())
    }

    /// A bad query parameter (400), as opposed to a bad body (422).
    pub fn bad_parameter(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ServiceError::BadRequest {
            detail: format!("invalid query parameter `{field}`: {message}"),
            errors: vec![FieldError::new(field, "invalid", message)],
        }
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ServiceError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// Whether a database error means "the store is not reachable right now" rather than a bug
    /// (see [`db_error`]).
    pub fn is_unavailable(err: &DbErr) -> bool {
        db_error::is_unavailable(err)
    }
}

impl From<DbErr> for ServiceError {
    fn from(err: DbErr) -> Self {
        if ServiceError::is_unavailable(&err) {
            return ServiceError::Unavailable(err);
        }
        if db_error::is_unstorable_text(&err) {
            tracing::warn!(error = %err, "the database refused a character of the input");
            return ServiceError::BadRequest {
                detail: "the request holds a character the database cannot store".into(),
                errors: vec![FieldError::new(
                    "request",
                    crate::text::CONTROL_CHARACTER,
                    "holds a character the database cannot store",
                )],
            };
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                ServiceError::Conflict("a record with the same unique key already exists".into())
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => ServiceError::Conflict(
                "the record is referenced by, or refers to, another record".into(),
            ),
            _ => ServiceError::Database(err),
        }
    }
}
