//! The one place where errors become GraphQL errors, with a stable `extensions.code` in upper
//! snake case (the problem+json `code` of REST, upper-cased):
//!
//! | code | when |
//! |---|---|
//! | `UNAUTHENTICATED` | no token where one is needed, an invalid or expired token, bad credentials |
//! | `FORBIDDEN` | the caller's role or tenant does not allow the change |
//! | `NOT_FOUND` | no such record, or one the caller may not read (another tenant's private one) |
//! | `VALIDATION` | the input breaks a rule; `extensions.errors` lists `{field, code, message}` |
//! | `BAD_REQUEST` | a bad argument (`first`, `after`, a filter) or a document that does not parse or validate |
//! | `CONFLICT` | a duplicate, or a record still referenced |
//! | `STALE_VERSION` | `expectedVersion` is not the current version (`extensions.currentVersion`) |
//! | `RATE_LIMITED`, `UNAVAILABLE`, `INTERNAL` | as in REST; an internal error never shows its cause |
//! | `QUERY_TOO_DEEP`, `QUERY_TOO_COMPLEX`, `PAYLOAD_TOO_LARGE` | a limit of [`super::limits`] |
//! | `UNSUPPORTED_MEDIA_TYPE`, `METHOD_NOT_ALLOWED` | not a JSON POST, or a mutation sent with GET |
//!
//! Field paths in `extensions.errors` are written as the GraphQL input names them
//! (`organizationId`, `externalIdentifiers[0].scheme`).

use async_graphql::{ErrorExtensionValues, Response, ServerError, Value};
use service::{ErrorCode, FieldError, ServiceError};

/// The GraphQL code of a service error code.
pub fn code_of(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials | ErrorCode::InvalidToken => {
            "UNAUTHENTICATED"
        }
        ErrorCode::RateLimited => "RATE_LIMITED",
        ErrorCode::Forbidden => "FORBIDDEN",
        ErrorCode::NotFound => "NOT_FOUND",
        ErrorCode::Validation => "VALIDATION",
        ErrorCode::BadRequest | ErrorCode::PreconditionRequired | ErrorCode::CursorAhead => {
            "BAD_REQUEST"
        }
        ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
        ErrorCode::Conflict => "CONFLICT",
        ErrorCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
        ErrorCode::StaleVersion => "STALE_VERSION",
        ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
        ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
        ErrorCode::NotAcceptable => "NOT_ACCEPTABLE",
        ErrorCode::Unavailable => "UNAVAILABLE",
        ErrorCode::Internal => "INTERNAL",
    }
}

/// `organization_id` → `organizationId`, `external_identifiers[0].scheme` →
/// `externalIdentifiers[0].scheme`.
pub fn camel_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for ch in path.chars() {
        match ch {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

fn field_errors(errors: &[FieldError]) -> Value {
    Value::List(
        errors
            .iter()
            .map(|e| {
                let mut item = async_graphql::indexmap::IndexMap::new();
                item.insert(
                    async_graphql::Name::new("field"),
                    Value::from(camel_path(&e.field)),
                );
                item.insert(
                    async_graphql::Name::new("code"),
                    Value::from(e.code.clone()),
                );
                item.insert(
                    async_graphql::Name::new("message"),
                    Value::from(e.message.clone()),
                );
                Value::Object(item)
            })
            .collect(),
    )
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

/// A GraphQL error with `code` and a message.
pub fn coded(code: &str, message: impl Into<String>) -> async_graphql::Error {
    let mut error = async_graphql::Error::new(message);
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", code);
    error
}

/// A service error as a GraphQL error. Internal and availability errors are logged with their
/// cause and the request id; the client sees neither the cause nor any internal detail.
pub fn service_error(err: ServiceError, request_id: Option<&str>) -> async_graphql::Error {
    let code = code_of(err.code());
    let message = match &err {
        ServiceError::Unavailable(_) => {
            tracing::error!(error = %cause_chain(&err), request_id, code, "graphql resolver failed");
            "the service is temporarily unavailable; retry shortly".to_owned()
        }
        ServiceError::Database(_) | ServiceError::Internal(_) => {
            tracing::error!(error = %cause_chain(&err), request_id, code, "graphql resolver failed");
            "an internal error occurred; quote the request id when reporting it".to_owned()
        }
        other => other.to_string(),
    };
    let mut error = coded(code, message);
    let ext = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    match &err {
        ServiceError::Validation(errors) | ServiceError::BadRequest { errors, .. } => {
            ext.set("errors", field_errors(errors));
        }
        ServiceError::StaleVersion { current } => ext.set("currentVersion", *current),
        ServiceError::RateLimited { retry_after_secs } => {
            ext.set("retryAfterSeconds", *retry_after_secs)
        }
        _ => {}
    }
    if let Some(id) = request_id {
        ext.set("requestId", id);
    }
    error
}

/// A bad argument of a GraphQL field (`first`, `after`...), as the service words a bad query
/// parameter: `BAD_REQUEST` with the argument in `extensions.errors`.
pub fn bad_argument(name: &str, message: impl Into<String>) -> async_graphql::Error {
    service_error(ServiceError::bad_parameter(name, message), None)
}

/// Gives every error of a response a code: errors raised before execution (a document that
/// does not parse or validate, or one over a limit) carry none of their own.
pub fn classify(response: &mut Response, request_id: Option<&str>) {
    for error in &mut response.errors {
        classify_one(error, request_id);
    }
}

fn classify_one(error: &mut ServerError, request_id: Option<&str>) {
    let ext = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    if ext.get("code").is_some() {
        return;
    }
    let code = if error.message == "Query is nested too deep." {
        "QUERY_TOO_DEEP"
    } else if error.message == "Query is too complex." {
        "QUERY_TOO_COMPLEX"
    } else if error.path.is_empty()
        || error.message.starts_with("Failed to parse")
        || error.message.starts_with("Invalid value")
    {
        "BAD_REQUEST"
    } else {
        // A resolver error that did not come through `service_error`: a bug. Log it, hide it.
        tracing::error!(error = %error.message, request_id, "graphql resolver failed without a code");
        error.message = "an internal error occurred; quote the request id when reporting it".into();
        "INTERNAL"
    };
    ext.set("code", code);
    if let Some(id) = request_id {
        ext.set("requestId", id);
    }
}

/// A whole response that is one request-level error (nothing was executed).
pub fn request_error(code: &str, message: impl Into<String>, request_id: Option<&str>) -> Response {
    let mut error = ServerError::new(message, None);
    let ext = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    ext.set("code", code);
    if let Some(id) = request_id {
        ext.set("requestId", id);
    }
    Response::from_errors(vec![error])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_follow_graphql_names() {
        assert_eq!(camel_path("organization_id"), "organizationId");
        assert_eq!(
            camel_path("external_identifiers[0].scheme"),
            "externalIdentifiers[0].scheme"
        );
        assert_eq!(camel_path("countries[2]"), "countries[2]");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = service_error(ServiceError::Internal("secret detail".into()), Some("r1"));
        assert!(!err.message.contains("secret"));
        let code = err.extensions.as_ref().and_then(|e| e.get("code")).cloned();
        assert_eq!(code, Some(Value::from("INTERNAL")));
    }
}
