//! Reference vocabularies for building forms.

use std::hash::{DefaultHasher, Hash, Hasher};

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use service::{
    ServiceError,
    agreements::elements::{TEMPLATE, TemplateElement},
    reference::{ReferenceEntry, ReferenceKind, entries},
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::problem::{ApiResult, Problem};

pub fn configure(cfg: &mut ServiceConfig) {
    // Before `/reference/{kind}`, which would take the literal segment as a kind.
    cfg.service(agreement_template).service(list);
}

/// The partnering agreement template: its essential elements in the order of a draft, each
/// with a stable `code`, its title, the journey step that produces it and the template's
/// guidance. An agreement's `elements` and its draft follow it. Cacheable: `ETag`, 304.
#[utoipa::path(
    operation_id = "reference_agreement_template",
    security(()),
    tag = "reference",
    params(("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = Vec<TemplateElement>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified"),
    )
)]
#[get("/reference/agreement-template")]
pub async fn agreement_template(req: HttpRequest) -> ApiResult<HttpResponse> {
    let body = serde_json::to_vec(&TEMPLATE).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(cacheable(&req, body))
}

/// One reference vocabulary: `action-lines` (WSIS C1–C11 with the eight C7 sub-lines), `sdgs`
/// (the 17 goals with their 169 targets), `sectors`, `roles`, `journey-stages`, `spectrum`,
/// `engagement-models`, `value-sources`, `levers`, `resource-kinds`. Each entry has a stable
/// `code` (the value the API takes), a label and a description. Cacheable: `ETag`, 304.
#[utoipa::path(
    operation_id = "reference_list",
    security(()),
    tag = "reference",
    params(
        ("kind" = ReferenceKind, Path),
        ("If-None-Match" = Option<String>, Header),
    ),
    responses(
        (status = 200, body = Vec<ReferenceEntry>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such vocabulary", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reference/{kind}")]
pub async fn list(req: HttpRequest, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let kind: ReferenceKind = serde_json::from_value(serde_json::Value::String(path.into_inner()))
        .map_err(|_| ServiceError::NotFound {
            entity: "reference vocabulary",
        })?;
    let body =
        serde_json::to_vec(&entries(kind)).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(cacheable(&req, body))
}

/// A JSON body with its `ETag` and caching headers; 304 when `If-None-Match` names it.
fn cacheable(req: &HttpRequest, body: Vec<u8>) -> HttpResponse {
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    let etag = format!("\"{:016x}\"", hasher.finish());
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"));
    if fresh {
        response.finish()
    } else {
        response.content_type("application/json").body(body)
    }
}
