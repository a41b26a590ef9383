//! Reading requests: the caller from the bearer token, JSON bodies and query strings with
//! field-level errors, and the `If-Match`/`If-None-Match` preconditions.

use std::{future::Future, pin::Pin};

use actix_web::{
    FromRequest, HttpMessage, HttpRequest, HttpResponse, dev::Payload, http::header, web,
};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use service::{Caller, FieldError, Registry, ServiceError, precondition::Precondition};
use utoipa::{IntoParams, PartialSchema};

use crate::problem::ApiError;

/// The caller of a request: anonymous when there is no `Authorization` header, a principal
/// when it carries a valid bearer token, and a 401 for anything else.
pub struct Auth(pub Caller);

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller(req);
        Box::pin(async move { caller.await.map(Auth) })
    }
}

/// The caller a request's `Authorization` header names (see [`Auth`]).
pub fn caller(req: &HttpRequest) -> impl Future<Output = Result<Caller, ApiError>> + 'static {
    let registry = req.app_data::<web::Data<Registry>>().cloned();
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().map(str::to_owned));
    async move {
        let Some(header) = header else {
            return Ok(Caller::Anonymous);
        };
        let header = header.map_err(|_| ServiceError::InvalidToken)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ServiceError::InvalidToken)?;
        let registry =
            registry.ok_or_else(|| ServiceError::Internal("registry not configured".into()))?;
        let principal = registry.authenticate(token).await?;
        let span = tracing::Span::current();
        span.record("tenant", tracing::field::display(principal.tenant_id));
        span.record("subject", tracing::field::display(principal.subject));
        Ok(Caller::Member(principal))
    }
}

/// The request body limit, in bytes (app data).
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// A JSON body. Malformed JSON is a 400; a well-formed body with wrong types, missing fields,
/// unknown fields or unknown enum values is a 422 naming every such field; a body over the
/// limit is a 413; another media type is a 415.
///
/// Every route that reads one is a write, and no write is anonymous: without an
/// `Authorization` header the answer is a 401 before the body is read, so an anonymous caller
/// learns nothing of a write's schema. (A bad token is refused by [`Auth`], which every such
/// handler takes first.)
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + PartialSchema + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .copied()
            .unwrap_or(BodyLimit(1024 * 1024))
            .0;
        let is_json = req.mime_type().ok().flatten().is_some_and(|m| {
            m.essence_str() == "application/json" || m.suffix().is_some_and(|s| s == "json")
        });
        let anonymous = req.headers().get(header::AUTHORIZATION).is_none();
        let mut payload = payload.take();
        Box::pin(async move {
            if anonymous {
                return Err(ServiceError::Unauthenticated.into());
            }
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let body = read_limited(&mut payload, limit).await?;
            parse_json(&body).map(ApiJson)
        })
    }
}

pub async fn read_limited(payload: &mut Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => ApiError::PayloadTooLarge { limit },
            other => ApiError::BadRequest(format!("the request body could not be read: {other}")),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a JSON body as `T`. Syntactically broken JSON is a 400 naming the line and column; a
/// well-formed body that does not fit `T` is a 422 listing every bad field with its path and
/// what it takes (see [`crate::validate`]).
///
/// A string anywhere in the body (a member name too) holding a control character is a 422
/// naming it, whatever `T` is (`service::text`, the rule GraphQL applies as well).
pub fn parse_json<T: DeserializeOwned + PartialSchema>(body: &[u8]) -> Result<T, ApiError> {
    let not_json =
        |e: serde_json::Error| ApiError::BadRequest(format!("the body is not valid JSON: {e}"));
    if service::text::json_may_hold_refused(body)
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
    {
        let errors = service::text::json_errors("", &value);
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors).into());
        }
    }
    // The body is read straight into `T`: once, and a member given twice is refused as serde
    // refuses it. Only a body `T` refuses is read again, as a value, to find every bad field.
    let mut reader = serde_json::Deserializer::from_slice(body);
    let first = match serde_path_to_error::deserialize::<_, T>(&mut reader) {
        Ok(parsed) => {
            reader.end().map_err(not_json)?;
            return Ok(parsed);
        }
        Err(err) => err,
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(not_json)?;
    let serde_error = match serde_path_to_error::deserialize::<_, T>(&value) {
        Err(err) => err,
        // The value reads where the text did not: only a member given twice (the value keeps
        // the last) makes the two readings differ.
        Ok(_) => {
            let error = serde_field_error(
                &first.path().to_string(),
                &first.inner().to_string(),
                "body",
            );
            return Err(ServiceError::Validation(vec![error]).into());
        }
    };
    let mut errors = crate::validate::body_errors::<T>(&value);
    for judged in serde_errors::<T>(value, serde_error) {
        merge(&mut errors, judged);
    }
    Err(ServiceError::Validation(errors).into())
}

/// serde's errors, one after the other: serde stops at the first, so each bad field is taken
/// out of the body and the body read again, until it reads, the error cannot be taken out (a
/// missing field, an array item), or 32 rounds have passed.
fn serde_errors<T: DeserializeOwned>(
    mut value: serde_json::Value,
    first: serde_path_to_error::Error<serde_json::Error>,
) -> Vec<FieldError> {
    let mut found = Vec::new();
    let mut error = first;
    for _ in 0..32 {
        found.push(serde_field_error(
            &error.path().to_string(),
            &error.inner().to_string(),
            "body",
        ));
        if !take_out(&mut value, error.path()) {
            break;
        }
        match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(_) => break,
            Err(next) => error = next,
        }
    }
    found
}

/// Removes the object member `path` names; false when it names no object member.
fn take_out(value: &mut serde_json::Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return false;
    };
    let mut current = value;
    for segment in parents {
        current = match (segment, current) {
            (Segment::Map { key }, serde_json::Value::Object(map)) => match map.get_mut(key) {
                Some(next) => next,
                None => return false,
            },
            (Segment::Seq { index }, serde_json::Value::Array(items)) => {
                match items.get_mut(*index) {
                    Some(next) => next,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    match current {
        serde_json::Value::Object(map) => map.remove(key).is_some(),
        _ => false,
    }
}

/// Adds serde's error to the schema's: when both name the same field, the schema's code,
/// `expected` and `allowed` stay, and a message a type wrote for people (a custom one, such as
/// an amount's "must be a decimal written as a JSON string") replaces the generic one.
fn merge(errors: &mut Vec<FieldError>, judged: FieldError) {
    const GENERIC: &[&str] = &[
        "invalid type:",
        "invalid value:",
        "invalid length",
        "unknown variant",
        "missing field",
        "unknown field",
        "duplicate field",
    ];
    match errors.iter_mut().find(|e| e.field == judged.field) {
        Some(found) => {
            if !GENERIC.iter().any(|g| judged.message.starts_with(g)) {
                found.message = judged.message;
            }
        }
        None => errors.push(judged),
    }
}

/// serde's error at `path` as a field error: a missing or unknown field is named by its own
/// path (`partners[2].role`), not by the object that lacks or has it.
fn serde_field_error(path: &str, message: &str, root: &str) -> FieldError {
    let message = strip_position(message);
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let parent = if path == "." { "" } else { path };
    let (field, code) = if let Some(name) = named("missing field `") {
        (join_path(parent, &name), "required")
    } else if let Some(name) = named("unknown field `") {
        (field_path(parent, &name), "unknown_field")
    } else if let Some(name) = named("duplicate field `") {
        (field_path(parent, &name), "duplicate_field")
    } else if parent.is_empty() {
        (root.to_owned(), "invalid")
    } else {
        (parent.to_owned(), "invalid")
    };
    FieldError::new(field, code, message)
}

fn join_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// serde's path to an unknown or duplicate field already ends with its name.
fn field_path(path: &str, name: &str) -> String {
    if path == name || path.ends_with(&format!(".{name}")) {
        path.to_owned()
    } else {
        join_path(path, name)
    }
}

/// serde_json appends " at line 1 column 17" to data errors: useful for syntax, noise here.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Query parameters. Every unknown parameter, every value of the wrong form and every name or
/// value holding a control character (`service::text`) is a 400 naming it, all at once.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + IntoParams> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

pub fn parse_query<T: DeserializeOwned + IntoParams>(query: &str) -> Result<T, ApiError> {
    let refused = control_characters(query.as_bytes());
    if !refused.is_empty() {
        return Err(query_problem(refused).into());
    }
    let de = serde_urlencoded::Deserializer::new(url_pairs(query));
    let serde_error = match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(parsed) => return Ok(parsed),
        Err(err) => err,
    };
    let pairs: Vec<(String, String)> = url_pairs(query)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut errors = crate::validate::query_errors::<T>(&pairs);
    let judged = serde_field_error(
        &serde_error.path().to_string(),
        &serde_error.inner().to_string(),
        "query",
    );
    merge(&mut errors, judged);
    Err(query_problem(errors).into())
}

/// The parameters of a query string (or form body) whose name or decoded value holds a control
/// character.
pub fn control_characters(query: &[u8]) -> Vec<FieldError> {
    form_urlencoded::parse(query)
        .filter_map(|(k, v)| {
            service::text::refused(&k)
                .or_else(|| service::text::refused(&v))
                .map(|c| service::text::control_error(&k, c))
        })
        .collect()
}

/// The 400 for bad query parameters, naming each.
fn query_problem(errors: Vec<FieldError>) -> ServiceError {
    let detail = match errors.as_slice() {
        [one] => format!("invalid query parameter `{}`: {}", one.field, one.message),
        many => format!(
            "{} query parameters are invalid: {}",
            many.len(),
            many.iter()
                .map(|e| format!("`{}`", e.field))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    ServiceError::BadRequest { detail, errors }
}

fn url_pairs(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// The precondition an `If-Match` header states: `Missing` when absent (the service answers
/// 428), `Any` for `*` (any current version matches, RFC 9110), the first version of a list that
/// can be read, and a version no record has (0) when none can (so the service answers 412).
pub fn if_match(req: &HttpRequest) -> Precondition {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Precondition::Missing;
    };
    let Ok(value) = value.to_str() else {
        return Precondition::Version(NO_VERSION);
    };
    if value.trim() == "*" {
        return Precondition::Any;
    }
    Precondition::Version(value.split(',').find_map(parse_etag).unwrap_or(NO_VERSION))
}

/// A version no record has (versions start at 1): an unreadable `If-Match` never matches.
const NO_VERSION: i32 = 0;

/// The ETag of a record at `version`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The ETag of a record at `version` read in `languages` (its `Content-Language`): `"3-fr"`,
/// `"3-ar.en.es.fr.ru.zh"` for every language. Each language is its own representation, so it
/// has its own validator (RFC 9110 §8.8.3); `If-Match` still reads the version from it.
pub fn etag_in(version: i32, languages: &str) -> String {
    let variant: Vec<&str> = languages
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .collect();
    if variant.is_empty() {
        return etag(version);
    }
    format!("\"{version}-{}\"", variant.join("."))
}

/// The version an ETag names (`"3"`, `W/"3"`, `"3-fr"`).
fn parse_etag(value: &str) -> Option<i32> {
    let v = value.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    let opaque = v.strip_prefix('"')?.strip_suffix('"')?;
    let version = opaque
        .split_once('-')
        .map_or(opaque, |(version, _)| version);
    version.parse().ok()
}

/// A 200 with a record read in a language the reader asked for, its language-specific ETag
/// ([`etag_in`]), or a 304 when `If-None-Match` names that ETag.
pub fn versioned_in<T: serde::Serialize>(
    req: &HttpRequest,
    version: i32,
    languages: &str,
    body: &T,
) -> HttpResponse {
    tagged(req, etag_in(version, languages), body)
}

/// A 200 with the record as JSON and its ETag, or a 304 when the client has it already.
pub fn versioned<T: serde::Serialize>(req: &HttpRequest, version: i32, body: &T) -> HttpResponse {
    tagged(req, etag(version), body)
}

/// A 200 with `body` under the ETag `tag`, or a 304 when `If-None-Match` names exactly that
/// tag (weak comparison, RFC 9110): `"3-fr"` is not `"3"`.
fn tagged<T: serde::Serialize>(req: &HttpRequest, tag: String, body: &T) -> HttpResponse {
    if crate::listing::matches_etag(req, &tag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(body)
}

/// The caller's reason for a write, from the `X-Change-Reason` header (kept in the history;
/// needed for a journey stage change that skips or goes back).
pub fn write_meta(req: &HttpRequest) -> service::history::WriteMeta {
    service::history::WriteMeta {
        reason: req
            .headers()
            .get("x-change-reason")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(2000).collect()),
        idempotency: req
            .extensions()
            .get::<service::idempotency::IdempotencyClaim>()
            .copied(),
    }
}
