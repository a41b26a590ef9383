//! The endpoint: `POST /graphql` with a JSON body, `GET /graphql?query=...` for queries, and
//! GraphiQL at a bare `GET /graphql` (its assets, from the binary, under `/graphql/assets/`).
//!
//! Each request is authenticated as REST does (no `Authorization` header: anonymous; a header
//! that is not a valid bearer token: `UNAUTHENTICATED`, never silently anonymous), gets its
//! own DataLoaders built for its caller, and has its errors given codes.

use std::sync::Arc;

use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, http::StatusCode, web};
use async_graphql::{
    Pos, Request, Response,
    parser::{parse_query, types::OperationType},
};
use async_graphql_actix_web::GraphQLResponse;
use service::{Caller, Registry, ServiceError};

use super::{
    context::RequestCtx,
    errors::{classify, code_of, request_error, service_error},
    loaders::Loaders,
    schema::{RegistrySchema, build_schema},
};
use crate::{
    config::GraphqlLimits,
    extract::{Auth, read_limited},
    problem::{ApiError, current_request_id},
};

/// The schema and the limits, shared by the workers.
pub struct GraphqlState {
    pub schema: RegistrySchema,
    pub limits: GraphqlLimits,
}

impl GraphqlState {
    pub fn new(limits: GraphqlLimits) -> Self {
        Self {
            schema: build_schema(limits),
            limits,
        }
    }
}

/// Mounts `/graphql`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(post))
            .route(web::get().to(get)),
    )
    .route(
        "/graphql/assets/{version}/{file}",
        web::get().to(super::graphiql::asset),
    );
}

/// A response made of one request-level error, with an HTTP status.
fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> HttpResponse {
    let request_id = current_request_id();
    let body = request_error(code, message, request_id.as_deref());
    HttpResponse::build(status)
        .content_type("application/graphql-response+json")
        .json(body)
}

/// The GraphQL answer to a refusal made before the request reached the schema (the rate
/// limit's, a token's, a body's).
pub(crate) fn refuse_api(err: &ApiError) -> HttpResponse {
    match err {
        ApiError::PayloadTooLarge { limit } => refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the request is larger than {limit} bytes"),
        ),
        ApiError::Service(e) | ApiError::Token(e) => {
            let status = crate::problem::status_of(e.code());
            let mut response = refuse(status, code_of(e.code()), e.to_string());
            if status == StatusCode::UNAUTHORIZED {
                response.headers_mut().insert(
                    actix_web::http::header::WWW_AUTHENTICATE,
                    actix_web::http::header::HeaderValue::from_static(
                        "Bearer realm=\"msp-registry\"",
                    ),
                );
            }
            response
        }
        ApiError::UnsupportedMediaType(m) => refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            m.clone(),
        ),
        ApiError::NotAcceptable(m) => {
            refuse(StatusCode::NOT_ACCEPTABLE, "NOT_ACCEPTABLE", m.clone())
        }
        ApiError::BadRequest(m) => refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", m.clone()),
        ApiError::TooManyRequests { .. } => refuse(
            StatusCode::TOO_MANY_REQUESTS,
            code_of(service::ErrorCode::RateLimited),
            err.to_string(),
        ),
    }
}

/// Runs a request for the caller of `req`.
async fn execute(
    req: &HttpRequest,
    registry: &Registry,
    state: &GraphqlState,
    request: Request,
) -> HttpResponse {
    let caller = match Auth::extract(req).await {
        Ok(Auth(caller)) => caller,
        Err(err) => return refuse_api(&err),
    };
    let request_id = current_request_id();
    // No write is anonymous: a mutation without a token is refused before its input is looked
    // at, so an anonymous caller learns nothing of it.
    if matches!(caller, Caller::Anonymous) && is_mutation(&request) {
        let error = service_error(ServiceError::Unauthenticated, request_id.as_deref());
        let response = Response::from_errors(vec![error.into_server_error(Pos::default())]);
        return HttpResponse::build(StatusCode::UNAUTHORIZED)
            .content_type("application/graphql-response+json")
            .json(response);
    }
    let refused = super::text::control_characters(&request);
    if !refused.is_empty() {
        let error = service_error(ServiceError::Validation(refused), request_id.as_deref());
        let response = Response::from_errors(vec![error.into_server_error(Pos::default())]);
        return HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
            .content_type("application/graphql-response+json")
            .json(response);
    }
    let rc = Arc::new(RequestCtx {
        registry: registry.clone(),
        caller,
        request_id: request_id.clone(),
    });
    let loaders = Loaders::new(&rc);
    let mut response: Response = state.schema.execute(request.data(rc).data(loaders)).await;
    classify(&mut response, request_id.as_deref());
    // A request error (the document does not parse or validate: nothing ran, no error has a
    // path) is a 400, as GraphQL over HTTP asks of an `application/graphql-response+json`
    // answer; an error while running a field (`VALIDATION`, `NOT_FOUND`, a bad argument) keeps
    // its 200.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let mut answer = actix_web::Responder::respond_to(GraphQLResponse::from(response), req);
    if request_error {
        *answer.status_mut() = StatusCode::BAD_REQUEST;
    }
    answer
}

async fn post(
    req: HttpRequest,
    body: web::Payload,
    registry: web::Data<Registry>,
    state: web::Data<GraphqlState>,
) -> HttpResponse {
    let is_json = req.mime_type().ok().flatten().is_some_and(|m| {
        m.essence_str() == "application/json" || m.suffix().is_some_and(|s| s == "json")
    });
    if !is_json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the GraphQL request as application/json",
        );
    }
    let mut payload = body.into_inner();
    let bytes = match read_limited(&mut payload, state.limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(err) => return refuse_api(&err),
    };
    let request: Request = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(err) if serde_json::from_slice::<Vec<serde_json::Value>>(&bytes).is_ok() => {
            tracing::debug!(%err, "batched graphql request refused");
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "batched requests are not supported: send one operation per request",
            );
        }
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!("the body is not a GraphQL request: {err}"),
            );
        }
    };
    execute(&req, &registry, &state, request).await
}

/// Whether the operation a request would run is a mutation (GET may only run queries).
fn is_mutation(request: &Request) -> bool {
    let Ok(document) = parse_query(&request.query) else {
        return false;
    };
    document.operations.iter().any(|(name, op)| {
        op.node.ty == OperationType::Mutation
            && match (&request.operation_name, name) {
                (Some(wanted), Some(name)) => wanted.as_str() == name.as_str(),
                _ => true,
            }
    })
}

async fn get(
    req: HttpRequest,
    registry: web::Data<Registry>,
    state: web::Data<GraphqlState>,
) -> HttpResponse {
    let query_string = req.query_string();
    if query_string.is_empty() {
        return super::graphiql::page();
    }
    if query_string.len() > state.limits.max_body_bytes {
        return refuse_api(&ApiError::PayloadTooLarge {
            limit: state.limits.max_body_bytes,
        });
    }
    let request = match async_graphql::http::parse_query_string(query_string) {
        Ok(request) => request,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!("the query string is not a GraphQL request: {err}"),
            );
        }
    };
    if is_mutation(&request) {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
        );
        response.headers_mut().insert(
            actix_web::http::header::ALLOW,
            actix_web::http::header::HeaderValue::from_static("POST"),
        );
        return response;
    }
    execute(&req, &registry, &state, request).await
}
