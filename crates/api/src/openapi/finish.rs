//! The passes over the assembled document that need every handler's path: the `oauth2` scheme
//! beside `bearer`, short summaries, the shared headers (`Idempotency-Key`, `If-Match`,
//! `If-None-Match`), a description for every response, and problem examples made by the same
//! code that answers errors, so they cannot drift from what the server sends.

use actix_web::{ResponseError, body::MessageBody};
use sea_orm::{DbErr, error::ConnAcquireErr};
use serde_json::Value;
use service::{FieldError, ServiceError};
use std::collections::BTreeMap;

use utoipa::openapi::{
    ContentBuilder, Object, OpenApi, PathItem, Ref, RefOr, Required, Schema, Type,
    example::ExampleBuilder,
    header::Header,
    path::{Operation, Parameter, ParameterBuilder, ParameterIn},
    response::{Response, ResponseBuilder},
    schema::ArrayItems,
    security::SecurityRequirement,
};

use super::{BEARER, OAUTH2, TOKEN_URL, summaries::SUMMARIES};
use crate::problem::ApiError;

/// The request id shown in the examples (real responses carry the request's own).
const EXAMPLE_REQUEST_ID: &str = "7f2b9d1e-3c4a-4f5b-8a6c-1d2e3f4a5b6c";

pub fn finish(mut api: OpenApi) -> OpenApi {
    reference_page_items(&mut api);
    for (path, item) in api.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            offer_oauth2(operation);
            document_401(method, path, operation);
            document_429(path, operation);
            // Every handler that declares a body reads one (JSON, a form, an import file).
            if let Some(body) = operation.request_body.as_mut() {
                body.required.get_or_insert(Required::True);
            }
            summarise(operation);
            document_headers(method, path, operation);
            describe_parameters(path, operation);
            describe_responses(operation);
            document_truth(path, operation);
            problem_examples(path, operation);
        }
    }
    shared_responses(&mut api);
    component_truth(&mut api);
    api
}

/// Rules of the named schemas that utoipa cannot derive from the Rust types: country codes
/// (`countries` items, `country`, `home_country`) are assigned ISO 3166-1 alpha-2 codes and
/// SDG goals are 1 to 17, in bodies as in query filters.
fn component_truth(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        for (name, property) in object.properties.iter_mut() {
            let RefOr::T(property) = property else {
                continue;
            };
            match (name.as_str(), property) {
                ("country" | "home_country", Schema::Object(text))
                    if is_string(&text.schema_type) && text.enum_values.is_none() =>
                {
                    text.pattern = Some(country_pattern(false));
                }
                ("countries" | "sdg_goals", Schema::Array(list)) => {
                    let ArrayItems::RefOrSchema(item) = &mut list.items else {
                        continue;
                    };
                    let RefOr::T(Schema::Object(item)) = item.as_mut() else {
                        continue;
                    };
                    if name == "countries" && is_string(&item.schema_type) {
                        item.pattern = Some(country_pattern(false));
                    } else if name == "sdg_goals" {
                        item.minimum = Some(utoipa::Number::UInt(1));
                        item.maximum = Some(utoipa::Number::UInt(17));
                    }
                }
                _ => {}
            }
        }
    }
}

/// The document as a server serves it: [`finish`]'s, with `per_page` bounded by this server's
/// `MSP_MAX_PAGE_SIZE` (the committed document has the default).
pub fn served(api: OpenApi, max_page_size: u64) -> OpenApi {
    let mut api = finish(api);
    let maximum = utoipa::Number::UInt(usize::try_from(max_page_size).unwrap_or(usize::MAX));
    for item in api.paths.paths.values_mut() {
        for (_, operation) in operations_mut(item) {
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.name == "per_page"
                    && matches!(parameter.parameter_in, ParameterIn::Query)
                    && let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut()
                {
                    schema.maximum = Some(maximum.clone());
                }
            }
        }
    }
    api
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("GET", item.get.as_mut()),
        ("PUT", item.put.as_mut()),
        ("POST", item.post.as_mut()),
        ("DELETE", item.delete.as_mut()),
        ("OPTIONS", item.options.as_mut()),
        ("HEAD", item.head.as_mut()),
        ("PATCH", item.patch.as_mut()),
        ("TRACE", item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
}

/// utoipa inlines the item type of each `Page<T>`: where it is a named schema, refer to it
/// (generated clients then type a page's items as `Initiative`, not an anonymous copy).
fn reference_page_items(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let named: BTreeMap<String, Value> = components
        .schemas
        .iter()
        .filter_map(|(name, schema)| Some((name.clone(), serde_json::to_value(schema).ok()?)))
        .collect();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        let RefOr::T(Schema::Object(page)) = schema else {
            continue;
        };
        let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") else {
            continue;
        };
        let ArrayItems::RefOrSchema(inline) = &items.items else {
            continue;
        };
        if named.contains_key(item)
            && serde_json::to_value(inline.as_ref()).ok().as_ref() == named.get(item)
        {
            items.items =
                ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
}

/// Whoever sends a bad token gets a 401, wherever a token is accepted, and on every POST
/// that honours `Idempotency-Key` (a key is kept per caller, so a request that sends both
/// a key and a bad token is refused, even where no token is needed, as on `/auth/revoke`).
fn document_401(method: &str, path: &str, operation: &mut Operation) {
    let bearer = SecurityRequirement::new(BEARER, Vec::<String>::new());
    let takes_token = operation
        .security
        .as_ref()
        .is_some_and(|s| s.contains(&bearer));
    let keyed = crate::idempotency::applies(method, path);
    if (takes_token || keyed) && !has_response(operation, "401") {
        operation
            .responses
            .responses
            .insert("401".into(), RefOr::T(problem_answer("401")));
    }
}

/// An answer of `status` whose body is a problem document.
fn problem_answer(status: &str) -> Response {
    ResponseBuilder::new()
        .description(status_description(status))
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// The shared answer of the request rate limit (`crate::rate_limit`), in
/// `components/responses`.
const TOO_MANY_REQUESTS: &str = "TooManyRequests";

/// The request rate limit applies to every operation under `/api/`: each refers to the shared
/// answer (the token endpoint documents its own 429, its sign-in delay among them).
fn document_429(path: &str, operation: &mut Operation) {
    if path.starts_with("/api/") && !has_response(operation, "429") {
        operation.responses.responses.insert(
            "429".into(),
            RefOr::Ref(Ref::new(format!(
                "#/components/responses/{TOO_MANY_REQUESTS}"
            ))),
        );
    }
}

fn shared_responses(api: &mut OpenApi) {
    let mut response = problem_answer("429");
    status_headers("429", &mut response);
    add_examples(
        &mut response,
        vec![(
            "rate_limited",
            ApiError::TooManyRequests {
                retry_after_secs: 1,
            },
        )],
    );
    api.components
        .get_or_insert_with(Default::default)
        .responses
        .insert(TOO_MANY_REQUESTS.into(), RefOr::T(response));
}

/// Every operation that accepts the `bearer` scheme accepts `oauth2` too, listed first, so
/// Swagger UI's Authorize signs in for it.
fn offer_oauth2(operation: &mut Operation) {
    let bearer = SecurityRequirement::new(BEARER, Vec::<String>::new());
    let oauth2 = SecurityRequirement::new(OAUTH2, Vec::<String>::new());
    if let Some(security) = operation.security.as_mut()
        && let Some(at) = security.iter().position(|s| *s == bearer)
        && !security.contains(&oauth2)
    {
        security.insert(at, oauth2);
    }
}

/// The short summary from [`SUMMARIES`]; the doc comment's first paragraph (utoipa's summary)
/// opens the description instead.
fn summarise(operation: &mut Operation) {
    let long = operation
        .summary
        .take()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let short = operation
        .operation_id
        .as_deref()
        .and_then(|id| SUMMARIES.iter().find(|(op, _)| *op == id))
        .map(|(_, summary)| (*summary).to_owned())
        .unwrap_or_else(|| first_sentence(&long));
    let description = match operation.description.take() {
        Some(rest) if !rest.trim().is_empty() => format!("{long}\n\n{rest}"),
        _ => long,
    };
    operation.summary = Some(short);
    operation.description = Some(description).filter(|d| !d.is_empty());
}

fn first_sentence(text: &str) -> String {
    let end = text.find(". ").map_or(text.len(), |at| at);
    text[..end].trim_end_matches('.').to_owned()
}

fn header_parameter(name: &str, required: bool, description: &str, schema: Object) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn has_parameter(operation: &Operation, name: &str) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.name.eq_ignore_ascii_case(name) && matches!(p.parameter_in, ParameterIn::Header))
}

fn has_response(operation: &Operation, status: &str) -> bool {
    operation.responses.responses.contains_key(status)
}

/// `Idempotency-Key` wherever the middleware honours it; `If-None-Match` wherever a 304 can
/// answer; `If-Match` wherever a 412 can; each described the same way everywhere.
fn document_headers(method: &str, path: &str, operation: &mut Operation) {
    let mut added = Vec::new();
    if crate::idempotency::applies(method, path) && !has_parameter(operation, "Idempotency-Key") {
        added.push(header_parameter(
            "Idempotency-Key",
            false,
            "Makes a retry safe: the same key with the same request within 24 hours returns \
             the first response (with `Idempotent-Replayed: true`) and creates nothing more; \
             the same key with a different request is a 422 `idempotency_key_reused`. 1 to \
             255 visible ASCII characters, per caller.",
            Object::builder()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(service::idempotency::MAX_KEY_LEN))
                .pattern(Some("^[!-~]+$"))
                .build(),
        ));
    }
    if has_response(operation, "304") && !has_parameter(operation, "If-None-Match") {
        added.push(header_parameter(
            "If-None-Match",
            false,
            "An ETag this client holds: when it is still current the answer is 304 with no \
             body.",
            Object::with_type(Type::String),
        ));
    }
    if has_response(operation, "412") && !has_parameter(operation, "If-Match") {
        added.push(header_parameter(
            "If-Match",
            true,
            "The ETag last read: the change applies only to that version (412 when stale, 428 \
             when missing).",
            Object::with_type(Type::String),
        ));
    }
    for parameter in operation.parameters.iter_mut().flatten() {
        if matches!(parameter.parameter_in, ParameterIn::Header) {
            let fallback = match parameter.name.as_str() {
                "If-Match" => Some(
                    "The ETag last read: the change applies only to that version (412 when \
                     stale, 428 when missing).",
                ),
                "If-None-Match" => Some(
                    "An ETag this client holds: when it is still current the answer is 304 \
                     with no body.",
                ),
                "X-Change-Reason" => Some("Why; kept in the revision history"),
                _ => None,
            };
            if parameter.description.as_deref().is_none_or(str::is_empty) {
                parameter.description = fallback.map(str::to_owned);
            }
        }
    }
    if !added.is_empty() {
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .extend(added);
    }
}

/// What a path or query parameter means, for those whose type carries no doc comment: the
/// path ids, paging, and the equality filters the lists share.
fn parameter_description(path: &str, parameter: &Parameter) -> Option<String> {
    let name = parameter.name.as_str();
    Some(match (&parameter.parameter_in, name) {
        (ParameterIn::Path, "id") => format!("The {}'s id", entity_of(path_up_to(path, "{id}"))),
        (ParameterIn::Path, "kind") => "The vocabulary".to_owned(),
        (ParameterIn::Path, other) => {
            let entity = entity_of(path_up_to(path, &format!("{{{other}}}")));
            format!("The {entity}'s id")
        }
        (ParameterIn::Query, "page") => "Page number, from 1".to_owned(),
        (ParameterIn::Query, "per_page") => {
            "Items per page (default 25, at most the configured maximum, 100 unless changed)"
                .to_owned()
        }
        (ParameterIn::Query, "updated_since") => "Changed at or after (RFC 3339)".to_owned(),
        (ParameterIn::Query, "start_from") => "Start date on or after".to_owned(),
        (ParameterIn::Query, "start_to") => "Start date on or before".to_owned(),
        (ParameterIn::Query, "end_from") => "End date on or after".to_owned(),
        (ParameterIn::Query, "end_to") => "End date on or before".to_owned(),
        (ParameterIn::Query, "organization") => "Only those of this organisation".to_owned(),
        (ParameterIn::Query, "q") => "Full-text search: every word must match".to_owned(),
        (ParameterIn::Query, "scope") => {
            "`tenant` (members' default), `public`, or `all` (own tenant plus every public one)"
                .to_owned()
        }
        (ParameterIn::Query, "country") => "ISO 3166-1 alpha-2".to_owned(),
        (ParameterIn::Query, filter) => format!("Only those whose `{filter}` is this value"),
        _ => return None,
    })
}

/// `path` cut after the segment `segment` (so the entity named is the one that id belongs to).
fn path_up_to<'a>(path: &'a str, segment: &str) -> &'a str {
    path.find(segment)
        .map_or(path, |at| &path[..at + segment.len()])
}

fn describe_parameters(path: &str, operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if parameter.description.as_deref().is_none_or(str::is_empty) {
            parameter.description = parameter_description(path, parameter);
        }
    }
}

/// What a status means in this API, for responses whose handler gave no description.
fn status_description(status: &str) -> &'static str {
    match status {
        "200" => "Success",
        "201" => "Created: `Location` names the new record",
        "202" => "Accepted",
        "204" => "Done (no content)",
        "304" => "Not modified: the representation still has the ETag named in If-None-Match",
        "400" => "A malformed request: unreadable JSON, or an unknown or malformed parameter",
        "401" => "No valid access token",
        "403" => "The caller's role or tenant does not allow this",
        "404" => "Nothing of that id that the caller may see",
        "409" => "Conflicts with the current state of the registry",
        "412" => "If-Match names a version that is no longer current",
        "413" => "The request body is larger than the limit",
        "415" => "The body is not of a media type this operation takes",
        "422" => "The input is not valid: `errors` names every bad field",
        "428" => "This change needs If-Match",
        "429" => "Too many requests: retry after `Retry-After` seconds",
        "503" => "The database is not reachable: retry after `Retry-After` seconds",
        _ => "See the problem document",
    }
}

/// The headers of an answer the request rate limit applies to
/// (draft-ietf-httpapi-ratelimit-headers-07).
const RATE_LIMIT_HEADERS: [(&str, &str, Type); 4] = [
    (
        "RateLimit-Limit",
        "Requests the bucket holds",
        Type::Integer,
    ),
    (
        "RateLimit-Remaining",
        "Requests left in the bucket",
        Type::Integer,
    ),
    (
        "RateLimit-Reset",
        "Seconds until the bucket is full again",
        Type::Integer,
    ),
    (
        "RateLimit-Policy",
        "`<requests>;w=<seconds to refill>`",
        Type::String,
    ),
];

fn describe_responses(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if response.description.trim().is_empty() {
            response.description = status_description(status).to_owned();
        }
        status_headers(status, response);
    }
}

/// The headers every answer of `status` carries.
fn status_headers(status: &str, response: &mut Response) {
    let header = |description: &str, schema: Type| {
        let mut header = Header::new(Object::with_type(schema));
        header.description = Some(description.to_owned());
        header
    };
    match status {
        "401" => {
            response
                .headers
                .entry("WWW-Authenticate".into())
                .or_insert_with(|| header("`Bearer realm=\"msp-registry\"`", Type::String));
        }
        "429" | "503" => {
            response
                .headers
                .entry("Retry-After".into())
                .or_insert_with(|| header("Seconds to wait before retrying", Type::Integer));
        }
        _ => {}
    }
    if status == "429" {
        for (name, description, schema) in RATE_LIMIT_HEADERS {
            response
                .headers
                .entry(name.into())
                .or_insert_with(|| header(description, schema));
        }
    }
}

/// The entity a 404 names for `path` (as the service's `NotFound` does).
fn entity_of(path: &str) -> &'static str {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let named = segments
        .iter()
        .rev()
        .find(|s| s.starts_with('{'))
        .copied()
        .unwrap_or_default();
    let resource = |index: Option<usize>| {
        index
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| segments.get(i))
            .copied()
            .unwrap_or_default()
    };
    let owner = resource(segments.iter().position(|s| *s == named));
    match (named, owner) {
        ("{lesson_id}", _) => "lesson",
        ("{partner_id}", _) => "partner",
        ("{report_id}", _) => "report",
        ("{agreement_id}", _) => "agreement",
        ("{contribution_id}", _) => "contribution",
        ("{user_id}", _) => "member",
        (_, "organizations") => "organization",
        (_, "webhooks") => "webhook",
        (_, "clients") => "client",
        _ => "initiative",
    }
}

/// The body the server sends for `err`, as a JSON value, with an example request id. Made by
/// the error mapping itself; logging is silenced (a 5xx example is not an incident).
fn example_body(err: ApiError) -> Option<Value> {
    let response =
        tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || {
            err.error_response()
        });
    let bytes = response.into_body().try_into_bytes().ok()?;
    let mut body: Value = serde_json::from_slice(&bytes).ok()?;
    body["request_id"] = Value::String(EXAMPLE_REQUEST_ID.into());
    Some(body)
}

/// The problems an operation answers with `status`, by name.
fn problems_for(path: &str, operation: &Operation, status: &str) -> Vec<(&'static str, ApiError)> {
    let token = path == TOKEN_URL;
    let needs_token = operation
        .security
        .as_ref()
        .is_some_and(|s| !s.iter().any(|r| *r == SecurityRequirement::default()));
    let has_body = operation.request_body.is_some();
    match status {
        "400" if has_body => vec![(
            "malformed_json",
            ApiError::BadRequest(
                "the body is not valid JSON: EOF while parsing an object at line 1 column 1".into(),
            ),
        )],
        "400" => vec![(
            "bad_parameter",
            ServiceError::bad_parameter("per_page", "invalid digit found in string").into(),
        )],
        "401" if token => vec![(
            "invalid_credentials",
            ApiError::Token(ServiceError::InvalidCredentials),
        )],
        "401" if needs_token => vec![
            ("unauthenticated", ServiceError::Unauthenticated.into()),
            ("invalid_token", ServiceError::InvalidToken.into()),
        ],
        "401" => vec![("invalid_token", ServiceError::InvalidToken.into())],
        "403" => vec![(
            "forbidden",
            ServiceError::forbidden("this action needs the editor role or higher").into(),
        )],
        "404" => vec![(
            "not_found",
            ServiceError::NotFound {
                entity: entity_of(path),
            }
            .into(),
        )],
        "409" => vec![(
            "conflict",
            ServiceError::Conflict("a record with the same unique key already exists".into())
                .into(),
        )],
        "412" => vec![(
            "stale_version",
            ServiceError::StaleVersion { current: 1 }.into(),
        )],
        "413" => vec![(
            "payload_too_large",
            ApiError::PayloadTooLarge { limit: 1024 * 1024 },
        )],
        "406" => vec![(
            "not_acceptable",
            ApiError::NotAcceptable(
                "this resource is available as text/markdown, text/html or application/json".into(),
            ),
        )],
        "415" => vec![(
            "unsupported_media_type",
            ApiError::UnsupportedMediaType("send the body as application/json".into()),
        )],
        "422" if token => vec![(
            "validation",
            ApiError::Token(ServiceError::field(
                "password",
                "required",
                "password is required for this grant",
            )),
        )],
        "422" => {
            let mut problems = vec![(
                "validation",
                ServiceError::Validation(vec![FieldError::new(
                    "country",
                    "invalid_country",
                    "`XX` is not an assigned ISO 3166-1 alpha-2 code",
                )])
                .into(),
            )];
            if has_parameter(operation, "Idempotency-Key") {
                problems.push((
                    "idempotency_key_reused",
                    ServiceError::IdempotencyKeyReused.into(),
                ));
            }
            problems
        }
        "428" => vec![(
            "precondition_required",
            ServiceError::PreconditionRequired.into(),
        )],
        "429" if token => vec![
            (
                "sign_in_delayed",
                ApiError::Token(ServiceError::RateLimited {
                    retry_after_secs: 4,
                }),
            ),
            (
                "rate_limited",
                ApiError::TooManyRequests {
                    retry_after_secs: 1,
                },
            ),
        ],
        "503" => vec![(
            "unavailable",
            ServiceError::Unavailable(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)).into(),
        )],
        _ => Vec::new(),
    }
}

fn problem_examples(path: &str, operation: &mut Operation) {
    let statuses: Vec<String> = operation.responses.responses.keys().cloned().collect();
    for status in statuses {
        let problems = problems_for(path, operation, &status);
        let Some(RefOr::T(response)) = operation.responses.responses.get_mut(&status) else {
            continue;
        };
        add_examples(response, problems);
    }
}

fn add_examples(response: &mut Response, problems: Vec<(&'static str, ApiError)>) {
    let Some(content) = response.content.get_mut("application/problem+json") else {
        return;
    };
    if !content.examples.is_empty() || content.example.is_some() {
        return;
    }
    for (name, err) in problems {
        let Some(body) = example_body(err) else {
            continue;
        };
        let summary = body["detail"].as_str().unwrap_or_default().to_owned();
        content.examples.insert(
            name.to_owned(),
            RefOr::T(
                ExampleBuilder::new()
                    .summary(summary)
                    .value(Some(body))
                    .build(),
            ),
        );
    }
}

/// No control character (C0 but TAB, LF and CR; DEL; C1), as `service::text` refuses them in
/// every text a request carries.
const NO_CONTROL_CHARACTERS: &str = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$";

/// What the server answers that the handlers' annotations leave out, and the bounds its
/// parameters really have, so that a tool that trusts the document (schemathesis in CI) is not
/// misled: a 400 wherever a parameter or header can be refused, 413 and 415 wherever a body is
/// read, a 422 wherever an `Idempotency-Key` can be reused; `page`, `per_page` and `limit` with
/// their ranges; `country` and `fields` with the values they take; and every other free text
/// parameter without control characters.
fn document_truth(path: &str, operation: &mut Operation) {
    let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let has_body = operation.request_body.is_some();
    let mut statuses = Vec::new();
    if has_parameters || has_body {
        statuses.push("400");
    }
    if has_body {
        // 422: a well-formed body of the wrong shape (types, unknown fields), on every write.
        statuses.extend(["413", "415", "422"]);
    }
    if has_parameter(operation, "Idempotency-Key") {
        statuses.push("422");
    }
    for status in statuses {
        if !has_response(operation, status) {
            operation
                .responses
                .responses
                .insert(status.into(), RefOr::T(problem_answer(status)));
        }
    }
    for parameter in operation.parameters.iter_mut().flatten() {
        let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else {
            continue;
        };
        let name = parameter.name.as_str();
        if matches!(parameter.parameter_in, ParameterIn::Path) {
            if name == "country" {
                schema.pattern = Some(country_pattern(false));
            }
            continue;
        }
        if matches!(parameter.parameter_in, ParameterIn::Query) {
            let range = match name {
                "page" if path.ends_with("/initiatives") => {
                    Some((1, service::initiatives::MAX_PAGE_OFFSET + 1))
                }
                "page" => Some((1, service::pagination::MAX_PAGE_NUMBER)),
                "per_page" => Some((1, service::Settings::default().max_page_size)),
                "limit" if path.ends_with("/partner-suggestions") => {
                    Some((1, service::matchmaking::MAX_LIMIT))
                }
                "limit" => Some((1, service::feed::MAX_LIMIT)),
                _ => None,
            };
            if let Some((min, max)) = range {
                schema.minimum = Some(utoipa::Number::UInt(min));
                schema.maximum = Some(utoipa::Number::UInt(
                    usize::try_from(max).unwrap_or(usize::MAX),
                ));
                continue;
            }
        }
        // Headers are read only where they mean something (`If-Match`, `If-None-Match`).
        if !matches!(parameter.parameter_in, ParameterIn::Query) {
            continue;
        }
        let free_text = schema.enum_values.is_none()
            && schema.format.is_none()
            && schema.pattern.is_none()
            && is_string(&schema.schema_type);
        if !free_text {
            continue;
        }
        schema.pattern = Some(match name {
            "country" => country_pattern(true),
            "fields" => fields_pattern(!path.ends_with("/initiatives")),
            _ => NO_CONTROL_CHARACTERS.to_owned(),
        });
    }
}

fn is_string(schema_type: &utoipa::openapi::schema::SchemaType) -> bool {
    use utoipa::openapi::schema::SchemaType;
    match schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    }
}

/// Any assigned ISO 3166-1 alpha-2 code (upper case), or a comma-separated list of them.
fn country_pattern(list: bool) -> String {
    let codes = service::country::assigned_codes().join("|");
    if list {
        format!("^ *({codes}) *(, *({codes}) *)*$")
    } else {
        format!("^ *({codes}) *$")
    }
}

/// A comma-separated list of the fields of an initiative (of a list item or a detail).
fn fields_pattern(detail: bool) -> String {
    let names = service::initiatives::Fieldset::names(detail).join("|");
    format!("^ *({names}) *(, *({names}) *)*$")
}
