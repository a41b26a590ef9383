//! The `Idempotency-Key` header on POST requests under `/api/v1`: a retried create returns the
//! first response (with `Idempotent-Replayed: true`) and never makes a second record. The rules
//! (claims, binding the record inside the create's transaction, expiry) live in
//! `service::idempotency`; this middleware reads the header, fingerprints the request, replays
//! or passes the claim on in the request's extensions (where `extract::write_meta` finds it)
//! and stores the response afterwards.

use actix_web::{
    Error, HttpMessage, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody, to_bytes},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{Method, StatusCode, header},
    middleware::Next,
    web,
};
use service::{
    Caller, Registry,
    idempotency::{Begin, IdempotencyClaim, StoredResponse},
};
use sha2::{Digest, Sha256};

use crate::{extract, problem::ApiError};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// Headers of the first response that a replay repeats.
const KEPT_HEADERS: [header::HeaderName; 3] =
    [header::LOCATION, header::ETAG, header::CONTENT_TYPE];

/// Whether `Idempotency-Key` is honoured on `method` `path` (the OpenAPI document says so
/// where it is): POSTs under `/api/v1`, except the token endpoint, which creates nothing and
/// whose `Authorization` may be HTTP Basic.
pub fn applies(method: &str, path: &str) -> bool {
    method == Method::POST.as_str()
        && path.starts_with("/api/v1/")
        && path != crate::openapi::TOKEN_URL
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let applies = applies(req.method().as_str(), req.path());
    let key = req.headers().get(IDEMPOTENCY_KEY).cloned();
    let (Some(key), true) = (key, applies) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // The key's form is checked for every caller, anonymous ones too (who have no keys kept):
    // what the document says the header takes is what every POST refuses otherwise.
    let key = match service::idempotency::check_key(key.to_str().unwrap_or_default()) {
        Ok(key) => key.to_owned(),
        Err(e) => return Ok(problem(req, e.into())),
    };
    let caller = match extract::caller(req.request()).await {
        Ok(caller) => caller,
        Err(e) => return Ok(problem(req, e)),
    };
    // Keys are per principal; an anonymous POST (a sign-in) has none to keep them under.
    if caller == Caller::Anonymous {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(registry) = req.app_data::<web::Data<Registry>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // The same limits as the handlers: the import's for imports, the JSON body limit elsewhere.
    let limit = if req.path().starts_with("/api/v1/import/") {
        registry.settings().import_body_limit_bytes
    } else {
        req.app_data::<extract::BodyLimit>()
            .map_or(1024 * 1024, |l| l.0)
    };
    let mut payload = req.take_payload();
    let body = match extract::read_limited(&mut payload, limit).await {
        Ok(body) => body.freeze(),
        Err(e) => return Ok(problem(req, e)),
    };
    let target = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    let mut hasher = Sha256::new();
    hasher.update(b"POST ");
    hasher.update(target.as_bytes());
    hasher.update(b"\n");
    if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
        hasher.update(ct.as_bytes());
    }
    hasher.update(b"\n");
    hasher.update(&body);
    let fingerprint = crate::listing::hex(&hasher.finalize());

    let claim = match registry
        .idempotency_begin(&caller, &key, &fingerprint, &target)
        .await
    {
        Ok(Begin::Proceed(claim)) => claim,
        Ok(Begin::Replay(stored)) => {
            tracing::info!(key = %key, "idempotent request replayed");
            return Ok(req.into_response(replay(stored)));
        }
        Err(e) => return Ok(problem(req, ApiError::Service(e))),
    };
    req.extensions_mut().insert(claim);
    req.set_payload(Payload::from(body));
    let res = next.call(req).await?;
    finish(&registry, claim, res).await
}

/// Keeps a successful response for replay, or frees the key of a failed request.
async fn finish<B: MessageBody + 'static>(
    registry: &Registry,
    claim: IdempotencyClaim,
    res: ServiceResponse<B>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if !res.status().is_success() {
        if let Err(e) = registry.idempotency_release(&claim).await {
            tracing::warn!(error = %e, "could not release an idempotency key");
        }
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    // A response that must not be stored (it carries a secret shown once: an API client's or a
    // webhook's) is not kept either: a retry learns that the request succeeded and where its
    // record is, not the secret.
    let secret = head
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    let bytes = to_bytes(body).await.map_err(|e| {
        let e: Box<dyn std::error::Error> = e.into();
        ApiError::Service(service::ServiceError::Internal(format!(
            "response body: {e}"
        )))
    })?;
    let stored = if secret {
        withheld(
            head.headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
        )
    } else {
        StoredResponse {
            status: head.status().as_u16(),
            headers: KEPT_HEADERS
                .iter()
                .filter_map(|name| {
                    let value = head.headers().get(name)?.to_str().ok()?;
                    Some((name.as_str().to_owned(), value.to_owned()))
                })
                .collect(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    };
    if let Err(e) = registry.idempotency_complete(&claim, &stored).await {
        // The record exists and is bound to the key; a retry is told so (409) instead of
        // getting a replay.
        tracing::warn!(error = %e, "could not keep the response of an idempotent request");
    }
    let res = head.set_body(bytes).map_into_boxed_body();
    Ok(ServiceResponse::new(req, res))
}

/// What a retry of a request whose response held a secret gets: a 409 naming the record.
fn withheld(location: Option<&str>) -> StoredResponse {
    let problem = serde_json::json!({
        "type": format!("{}conflict", crate::problem::PROBLEM_BASE),
        "title": "Conflict",
        "status": 409,
        "code": "conflict",
        "detail": "this request succeeded before; its response held a secret shown only once \
                   and was not kept",
        "location": location,
    });
    let mut headers = vec![(
        header::CONTENT_TYPE.as_str().to_owned(),
        "application/problem+json".to_owned(),
    )];
    if let Some(location) = location {
        headers.push((header::LOCATION.as_str().to_owned(), location.to_owned()));
    }
    StoredResponse {
        status: 409,
        headers,
        body: problem.to_string(),
    }
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    for (name, value) in &stored.headers {
        res.insert_header((name.as_str(), value.as_str()));
    }
    res.insert_header((IDEMPOTENT_REPLAYED, "true"));
    res.body(stored.body)
}

fn problem(req: ServiceRequest, e: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(e.error_response())
}
