//! Reference vocabularies for building forms.

use std::hash::{DefaultHasher, Hash, Hasher};

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use service::{
    ServiceError,
    agreements::elements::{TEMPLATE, TemplateElement},
    language::{LanguageChoice, LanguageQuery},
    reference::{ReferenceEntry, ReferenceKind, localized},
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    extract::ApiQuery,
    language,
    problem::{ApiResult, Problem},
};

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
    Ok(cacheable(&req, body, None))
}

/// One reference vocabulary: `action-lines` (WSIS C1–C11 with the eight C7 sub-lines), `sdgs`
/// (the 17 goals with their 169 targets), `sectors`, `roles`, `journey-stages`, `spectrum`,
/// `engagement-models`, `value-sources`, `levers`, `resource-kinds`, `fundamentals` (the six
/// fundamentals of a partnership), `competencies` (the partnering competencies, MUST). Each
/// entry has a stable `code` (the value the API takes), a label and a description, in the
/// reader's language (`lang=` or `Accept-Language`; `Content-Language` says which): the SDGs in
/// the UN's six official texts, the other labels in the registry's own translations
/// (`official: false`), a text with none in English (named in `languages`). `lang=*` adds
/// every translation. Cacheable: `ETag`, 304, `Vary: Accept-Language`.
#[utoipa::path(
    operation_id = "reference_list",
    security(()),
    tag = "reference",
    params(
        ("kind" = ReferenceKind, Path),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "Preferred languages, with q-values (`fr-CH, fr;q=0.9, en;q=0.8`)"),
        ("If-None-Match" = Option<String>, Header),
    ),
    responses(
        (status = 200, body = Vec<ReferenceEntry>, headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "`lang` is not a language tag", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such vocabulary", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reference/{kind}")]
pub async fn list(
    req: HttpRequest,
    path: web::Path<String>,
    ApiQuery(query): ApiQuery<LanguageQuery>,
) -> ApiResult<HttpResponse> {
    let kind: ReferenceKind = serde_json::from_value(serde_json::Value::String(path.into_inner()))
        .map_err(|_| ServiceError::NotFound {
            entity: "reference vocabulary",
        })?;
    let choice = language::choice(&req, &query)?;
    let body = serde_json::to_vec(&localized(kind, choice))
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(cacheable(&req, body, Some(choice)))
}

/// A JSON body with its `ETag` and caching headers (and, for a body in the reader's language,
/// `Content-Language` and `Vary`); 304 when `If-None-Match` names it.
fn cacheable(req: &HttpRequest, body: Vec<u8>, choice: Option<LanguageChoice>) -> HttpResponse {
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
    if let Some(choice) = choice {
        response
            .insert_header((header::CONTENT_LANGUAGE, language::content_language(choice)))
            .insert_header((header::VARY, "Accept-Language"));
    }
    if fresh {
        response.finish()
    } else {
        response.content_type("application/json").body(body)
    }
}
