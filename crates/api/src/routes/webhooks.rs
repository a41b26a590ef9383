//! Webhook subscriptions and their delivery log.
//!
//! Events are POSTed as JSON (`{"type", "timestamp", "data"}`) with the Standard Webhooks
//! headers `webhook-id`, `webhook-timestamp` and `webhook-signature`. SSRF precautions: only
//! http(s) URLs without credentials; unless the server allows private networks, hosts that are
//! or resolve to loopback, private, link-local or other internal addresses are refused at
//! registration and again at delivery; no redirects are followed; requests time out.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    pagination::Page,
    webhooks::{DeliveryEntry, DeliveryQuery, NewWebhook, Webhook, WebhookPatch},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, versioned},
    problem::{ApiResult, Problem},
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(deliveries)
        .service(ping);
}

/// The caller's tenant's webhook subscriptions (secrets are never listed). Members.
#[utoipa::path(
    operation_id = "webhooks_list",
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Webhook>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks")]
pub async fn list(Auth(caller): Auth, registry: web::Data<Registry>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(registry.list_webhooks(&caller).await?))
}

/// Subscribes a URL to events of the caller's tenant. Admins and owners.
///
/// Event types are `{entity}.created`, `{entity}.updated`, `{entity}.deleted` or `{entity}.*`
/// for the entities `initiative`, `partner`, `contribution`, `agreement`, `report`, `lesson`,
/// `value_assessment` and `organization`; `*` or an empty list selects every event. The answer
/// carries the signing `secret` (`whsec_` + base64), this once only.
///
/// SSRF precautions: the URL must be http or https, without credentials; unless the server
/// runs with `MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`, a host that is or resolves to a
/// loopback, private, link-local, shared, unspecified, multicast or reserved address is refused
/// (422, `private_address`), here and again at every delivery. Redirects are never followed.
#[utoipa::path(
    operation_id = "webhooks_create",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = NewWebhook,
    responses(
        (status = 201, body = Webhook, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many subscriptions", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad URL or scheme, internal address, unknown event type, bad secret", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
pub async fn create(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiJson(input): ApiJson<NewWebhook>,
) -> ApiResult<HttpResponse> {
    let hook = registry.create_webhook(&caller, input).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("ETag", etag(hook.version)))
        .insert_header(("Location", format!("/api/v1/webhooks/{}", hook.id)))
        .json(hook))
}

/// One subscription of the caller's tenant (another tenant's answers 404). Members.
#[utoipa::path(
    operation_id = "webhooks_get",
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-None-Match" = Option<String>, Header, description = "An ETag: answers 304 when it is current"),
    ),
    responses(
        (status = 200, body = Webhook, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let hook = registry.get_webhook(&caller, path.into_inner()).await?;
    Ok(versioned(&req, hook.version, &hook))
}

/// Changes a subscription: URL, event types, description, `enabled`. `enabled: true`
/// re-enables a subscription disabled after repeated failures and resets its failure count;
/// `enabled: false` disables it (its undelivered events are abandoned). Admins and owners;
/// needs `If-Match`. The URL is checked as on creation (SSRF precautions).
#[utoipa::path(
    operation_id = "webhooks_update",
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body = WebhookPatch,
    responses(
        (status = 200, body = Webhook, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<WebhookPatch>,
) -> ApiResult<HttpResponse> {
    let hook = registry
        .update_webhook(&caller, path.into_inner(), if_match(&req), input)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(hook.version)))
        .json(hook))
}

/// Deletes a subscription with its delivery log; undelivered events are dropped. Admins and
/// owners; needs `If-Match`.
#[utoipa::path(
    operation_id = "webhooks_delete",
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    registry
        .delete_webhook(&caller, path.into_inner(), if_match(&req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log of a subscription, newest first: each event with its state (`pending`,
/// `delivering`, `succeeded`, `failed`, `abandoned`), attempts (time, HTTP status, duration,
/// error) and the next attempt's time. Members.
#[utoipa::path(
    operation_id = "webhook_deliveries_list",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), DeliveryQuery),
    responses(
        (status = 200, body = Page<DeliveryEntry>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(
        &req,
        &registry
            .webhook_deliveries(&caller, path.into_inner(), query)
            .await?,
    )
}

/// Queues a `webhook.ping` message for the subscription (whatever its event types), delivered
/// like any event, after those queued before it. Admins and owners.
#[utoipa::path(
    operation_id = "webhooks_test",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 202, description = "Queued", body = DeliveryEntry),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The subscription is disabled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/test")]
pub async fn ping(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let delivery = registry.ping_webhook(&caller, path.into_inner()).await?;
    Ok(HttpResponse::Accepted().json(delivery))
}
