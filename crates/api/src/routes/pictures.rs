//! Pictures portals can embed (`image/svg+xml`): an initiative's journey, contributions and
//! health, the WSIS showcase map. Readable as the JSON they draw; labels in the reader's
//! language (`lang=` or `Accept-Language`, chosen as for the reference reads and answered in
//! `Content-Language`); a strong `ETag` from the picture's bytes (304 on `If-None-Match`);
//! `Cache-Control` public for public data, private otherwise. Every handler is one
//! [`svg_response`] around its service call.

use std::future::Future;

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::header::{self, HeaderValue},
    web,
};
use service::{
    Registry, ServiceResult,
    language::Language,
    pictures::{Picture, PictureQuery},
};
use sha2::{Digest, Sha256};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiQuery, Auth},
    language,
    listing::{hex, matches_etag},
    problem::{ApiResult, Problem},
};

const SVG: &str = "image/svg+xml";
/// Public pictures may be cached briefly by anyone; private ones only by the caller, revalidated.
const CACHE_PUBLIC: &str = "public, max-age=60";
const CACHE_PRIVATE: &str = "private, no-cache";
/// An SVG opened on its own runs nothing and loads nothing.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(journey)
        .service(contributions)
        .service(health)
        .service(showcase_map);
}

/// The answer of every picture: the reader's language (`lang=` over `Accept-Language`; a
/// malformed `lang` is a 400 problem), the picture `draw` makes in it, then [`answer`].
async fn svg_response<F, Fut>(
    req: &HttpRequest,
    query: &PictureQuery,
    draw: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(Language) -> Fut,
    Fut: Future<Output = ServiceResult<Picture>>,
{
    let lang = language::choose(req, query.lang.as_deref())?.language();
    Ok(answer(req, draw(lang).await?))
}

/// The picture with its validators and caching headers; 304 when the client has it.
fn answer(req: &HttpRequest, picture: Picture) -> HttpResponse {
    let digest = Sha256::digest(picture.svg.as_bytes());
    let tag = format!("\"svg-{}\"", hex(&digest[..12]));
    let mut response = if matches_etag(req, &tag) {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok()
            .content_type(SVG)
            .insert_header((header::CONTENT_SECURITY_POLICY, SVG_POLICY))
            .body(picture.svg)
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if picture.public {
            CACHE_PUBLIC
        } else {
            CACHE_PRIVATE
        }),
    );
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(picture.lang.tag()),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Authorization"),
    );
    response
}

/// The partnership journey of an initiative as an SVG timeline: one row per stage (named in the
/// reader's language), one `g.stage-change` marker per dated stage change on the row of the
/// stage it moved to, with its date. Readable as the initiative is (another tenant's private
/// initiative answers 404); errors stay problem+json.
#[utoipa::path(
    operation_id = "initiative_journey_svg",
    tag = "pictures",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), PictureQuery, ("Accept-Language" = Option<String>, Header, description = "Preferred languages of the labels, with q-values; `lang` wins"), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The journey as an SVG picture", content((String = "image/svg+xml")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/pictures/journey.svg")]
pub async fn journey(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<PictureQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    svg_response(&req, &query, |lang| {
        registry.journey_picture(&caller, id, lang)
    })
    .await
}

/// An initiative's contributions as SVG bar charts: one `g.row` per resource kind (how many,
/// with amounts), then per currency one `g.row` per partner (its total and share), and the
/// partners whose contributions were not valued. Readable as the initiative is.
#[utoipa::path(
    operation_id = "initiative_contributions_svg",
    tag = "pictures",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), PictureQuery, ("Accept-Language" = Option<String>, Header, description = "Preferred languages of the labels, with q-values; `lang` wins"), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The contributions as an SVG picture", content((String = "image/svg+xml")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/pictures/contributions.svg")]
pub async fn contributions(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<PictureQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    svg_response(&req, &query, |lang| {
        registry.contributions_picture(&caller, id, lang)
    })
    .await
}

/// An initiative's health as an SVG chart of the six fundamentals (as its health report): one
/// `g.row` per fundamental (`data-key` its code, named in the reader's language) holding a
/// `circle.dot` per partner's latest rating (`data-value` 1–5, `data-key` the partner), a
/// `rect.bar` for the registry's evidence score, and the class `disagreement` when partners'
/// ratings spread by 3 or more; a legend names each partner. `<desc>` says the weakest
/// fundamental and where partners disagree; with no assessment yet, the picture says so.
/// Readable as the initiative is.
#[utoipa::path(
    operation_id = "initiative_health_svg",
    tag = "pictures",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), PictureQuery, ("Accept-Language" = Option<String>, Header, description = "Preferred languages of the labels, with q-values; `lang` wins"), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The health as an SVG picture", content((String = "image/svg+xml")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/pictures/health.svg")]
pub async fn health(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<PictureQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    svg_response(&req, &query, |lang| {
        registry.health_picture(&caller, id, lang)
    })
    .await
}

/// The WSIS showcase as an SVG world map (Natural Earth 110m boundaries, public domain): one
/// `path.country` per country, filled by its state in the showcase table (`designated`,
/// `eligible`, `initiatives` but none eligible, `none`) and titled with its name and state, and
/// a legend counting the countries in each state. Members see their tenant's view; anonymous
/// callers the public picture.
#[utoipa::path(
    operation_id = "wsis_showcase_map_svg",
    tag = "pictures",
    security((), ("bearer" = [])),
    params(PictureQuery, ("Accept-Language" = Option<String>, Header, description = "Preferred languages of the labels, with q-values; `lang` wins"), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The map as an SVG picture", content((String = "image/svg+xml")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/wsis/showcase/map.svg")]
pub async fn showcase_map(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<PictureQuery>,
) -> ApiResult<HttpResponse> {
    svg_response(&req, &query, |lang| {
        registry.showcase_map_picture(&caller, lang)
    })
    .await
}
