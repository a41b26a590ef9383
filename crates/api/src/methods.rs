//! Methods: `HEAD` wherever `GET` is served, `405 Method Not Allowed` with an `Allow` header
//! for a path that exists with other methods, and `OPTIONS` answering which methods a path has.
//!
//! Which methods a path has comes from the OpenAPI document (collected from the same handler
//! registrations the router uses) plus the few routes it does not describe (Swagger UI, the
//! document itself, GraphQL).

use std::sync::OnceLock;

use actix_web::{
    Error, HttpMessage, HttpRequest, HttpResponse,
    body::{BodySize, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{Method, StatusCode, header},
    middleware::Next,
};
use service::ErrorCode;

use crate::problem::problem_response;

/// Routes served outside the OpenAPI document, with their methods. A template ending in
/// `/{tail}*` takes any path below it.
const UNDOCUMENTED: &[(&str, &[&str])] = &[
    ("/docs", &["GET"]),
    ("/docs/{tail}*", &["GET"]),
    ("/api-docs/openapi.json", &["GET"]),
    ("/graphql", &["GET", "POST"]),
    ("/graphql/assets/{version}/{file}", &["GET"]),
    ("/metrics", &["GET"]),
];

/// The order methods are listed in `Allow`.
const ORDER: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

struct Route {
    segments: Vec<String>,
    /// The template ends in a catch-all.
    tail: bool,
    methods: Vec<String>,
}

impl Route {
    fn new(template: &str, methods: Vec<String>) -> Self {
        let (template, tail) = match template.strip_suffix("/{tail}*") {
            Some(prefix) => (prefix, true),
            None => (template, false),
        };
        Route {
            segments: template.split('/').map(str::to_owned).collect(),
            tail,
            methods,
        }
    }

    /// How many of the template's segments are literal (not a `{placeholder}`).
    fn literals(&self) -> usize {
        self.segments
            .iter()
            .filter(|t| !(t.starts_with('{') && t.ends_with('}')))
            .count()
    }

    fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let fixed = self.segments.len();
        let length_fits = if self.tail {
            parts.len() > fixed
        } else {
            parts.len() == fixed
        };
        length_fits
            && self.segments.iter().zip(&parts).all(|(t, p)| {
                if t.starts_with('{') && t.ends_with('}') {
                    !p.is_empty()
                } else {
                    t == p
                }
            })
    }
}

fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut routes: Vec<Route> = crate::validate::document()
            .get("paths")
            .and_then(serde_json::Value::as_object)
            .map(|paths| {
                paths
                    .iter()
                    .map(|(template, item)| {
                        let methods = ORDER
                            .iter()
                            .filter(|m| item.get(m.to_ascii_lowercase()).is_some())
                            .map(|m| (*m).to_owned())
                            .collect();
                        Route::new(template, methods)
                    })
                    .collect()
            })
            .unwrap_or_default();
        routes.extend(UNDOCUMENTED.iter().map(|(template, methods)| {
            Route::new(template, methods.iter().map(|m| (*m).to_owned()).collect())
        }));
        routes
    })
}

/// The methods `path` has, as an `Allow` header lists them (`HEAD` with `GET`, and
/// `OPTIONS`); `None` for a path that names nothing.
pub fn allowed(path: &str) -> Option<String> {
    // The router prefers a literal segment to a placeholder (`/contributions/totals` is not
    // `/contributions/{contribution_id}`): only the most literal templates that match count.
    let matching: Vec<&Route> = routes().iter().filter(|r| r.matches(path)).collect();
    let most_literal = matching.iter().map(|r| r.literals()).max().unwrap_or(0);
    let mut methods: Vec<&str> = Vec::new();
    for route in matching.iter().filter(|r| r.literals() == most_literal) {
        methods.extend(route.methods.iter().map(String::as_str));
    }
    if methods.is_empty() {
        return None;
    }
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods.push("OPTIONS");
    let listed: Vec<&str> = ORDER
        .iter()
        .copied()
        .filter(|m| methods.contains(m))
        .collect();
    Some(listed.join(", "))
}

/// Whether `method` on `path` would reach a less literal template than the path's own:
/// `PATCH /members/invitations` names the invitations list (which has no PATCH), not the member
/// `invitations` of `/members/{user_id}`. The router would take the template; the answer is a 405.
fn shadowed(path: &str, method: &Method) -> bool {
    let matching: Vec<&Route> = routes().iter().filter(|r| r.matches(path)).collect();
    let most_literal = matching.iter().map(|r| r.literals()).max().unwrap_or(0);
    let has = |r: &&&Route| r.methods.iter().any(|m| m == method.as_str());
    !matching
        .iter()
        .filter(|r| r.literals() == most_literal)
        .any(|r| has(&r))
        && matching
            .iter()
            .filter(|r| r.literals() < most_literal)
            .any(|r| has(&r))
}

fn method_not_allowed(method: &Method, path: &str, allow: &str) -> HttpResponse {
    let mut response = problem_response(
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed on {path}; it allows {allow}"),
        Vec::new(),
    );
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// The method a request came with, when [`methods`] serves it as another (`HEAD` as `GET`).
#[derive(Clone)]
struct SentMethod(Method);

fn sent_method(req: &HttpRequest) -> Method {
    req.extensions()
        .get::<SentMethod>()
        .map_or_else(|| req.method().clone(), |m| m.0.clone())
}

/// The app's default service: a 404 for a path that names nothing, a 405 with `Allow` for a
/// path that exists with other methods, and a 204 with `Allow` for `OPTIONS`.
pub async fn fallback(req: HttpRequest) -> HttpResponse {
    match allowed(req.path()) {
        None => problem_response(ErrorCode::NotFound, "no such resource".into(), Vec::new()),
        Some(allow) if req.method() == Method::OPTIONS => HttpResponse::NoContent()
            .insert_header((header::ALLOW, allow))
            .finish(),
        Some(allow) => method_not_allowed(&sent_method(&req), req.path(), &allow),
    }
}

/// Serves `HEAD` as `GET` (the same status and headers, `ETag` and 304 included; the HTTP
/// layer sends no body for a `HEAD`, and a streamed body is not produced at all), and gives a
/// route's own 405 (a resource with several methods) the full `Allow` header, and the
/// problem document when it has no body of its own.
pub async fn methods(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if shadowed(req.path(), req.method())
        && let Some(allow) = allowed(req.path())
    {
        let response = method_not_allowed(req.method(), req.path(), &allow);
        return Ok(req.into_response(response));
    }
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(SentMethod(Method::HEAD));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    if res.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = allowed(res.request().path())
    {
        if res.request().method() == Method::OPTIONS {
            let request = res.request().clone();
            let response = HttpResponse::NoContent()
                .insert_header((header::ALLOW, allow))
                .finish();
            res = ServiceResponse::new(request, response);
        } else if matches!(
            res.response().body().size(),
            BodySize::None | BodySize::Sized(0)
        ) {
            let request = res.request().clone();
            let response = method_not_allowed(&sent_method(&request), request.path(), &allow);
            res = ServiceResponse::new(request, response);
        } else if let Ok(value) = header::HeaderValue::from_str(&allow) {
            // A 405 with its own body (GraphQL's, for a mutation sent with GET) keeps it.
            res.headers_mut().insert(header::ALLOW, value);
        }
    }
    if head && matches!(res.response().body().size(), BodySize::Stream) {
        res = res.map_body(|_, _| BoxBody::new(()));
    }
    Ok(res)
}
