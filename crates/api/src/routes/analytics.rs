//! REST handlers: partnership analytics — the stakeholder map (JSON or SVG), leverage and
//! return on investment, and the dashboard.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::header::{self, HeaderValue},
    web,
};
use service::{
    Registry, Visibility,
    analytics::{
        AnalyticsQuery,
        dashboard::Dashboard,
        leverage::{EngagementModelLeverage, InitiativeLeverage, OrganizationLeverage},
        stakeholder_map::{StakeholderMap, render_svg},
    },
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiQuery, Auth},
    problem::{ApiResult, Problem},
};

const SVG: &str = "image/svg+xml";
/// Public maps may be cached briefly by anyone; private ones only by the caller, revalidated.
const CACHE_PUBLIC: &str = "public, max-age=60";
const CACHE_PRIVATE: &str = "private, no-cache";
/// An SVG opened on its own runs nothing and loads nothing.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// Registers this module's routes under `/api/v1` (the `.svg` route before the negotiated one).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(stakeholder_map_svg)
        .service(stakeholder_map)
        .service(initiative_leverage)
        .service(organization_leverage)
        .service(engagement_models)
        .service(dashboard);
}

/// How much the client accepts `type/subtype` (0 to 1), from the most specific matching range
/// of its `Accept` header.
pub(crate) fn quality(accept: &str, ty: &str, subtype: &str) -> f32 {
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let Some((rt, rs)) = media.split_once('/') else {
            continue;
        };
        let specificity = match (rt == ty, rs == subtype, rt == "*" && rs == "*") {
            (true, true, _) => 2,
            (true, false, _) if rs == "*" => 1,
            (_, _, true) => 0,
            _ => continue,
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// Whether the request prefers the SVG picture to JSON (JSON wins ties and is the default).
fn prefers_svg(req: &HttpRequest) -> bool {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let svg = quality(accept, "image", "svg+xml");
    svg > 0.0 && svg > quality(accept, "application", "json")
}

/// Whether `If-None-Match` names `tag` (or `*`).
fn matches_tag(req: &HttpRequest, tag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag
            })
        })
}

/// The map as SVG or JSON, with its ETag and caching headers; 304 when the client has it.
fn map_response(
    req: &HttpRequest,
    map: &StakeholderMap,
    svg: bool,
    negotiated: bool,
) -> HttpResponse {
    let tag = format!(
        "\"map-{}-{}\"",
        map.cache_key(),
        if svg { "svg" } else { "json" }
    );
    let cache = if map.visibility == Visibility::Public {
        CACHE_PUBLIC
    } else {
        CACHE_PRIVATE
    };
    let mut response = if matches_tag(req, &tag) {
        HttpResponse::NotModified().finish()
    } else if svg {
        HttpResponse::Ok()
            .content_type(SVG)
            .insert_header((header::CONTENT_SECURITY_POLICY, SVG_POLICY))
            .body(render_svg(map))
    } else {
        HttpResponse::Ok().json(map)
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if negotiated {
        headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    }
    response
}

/// The stakeholder map of an initiative: every active partner and prospect (former partners
/// left out) on the interest/influence grid, with its quadrant. Influence and interest at or
/// above 3 are high: `manage_closely` (both high), `keep_satisfied` (influence only),
/// `keep_informed` (interest only), `monitor` (neither). Partners without an interest or an
/// influence are listed under `unplaced` with the reason.
///
/// JSON by default; an SVG picture to embed in a portal when the `Accept` header prefers
/// `image/svg+xml` (or use the `.svg` path). The ETag follows the initiative's version and its
/// partners' organisations; readable as the initiative is.
#[utoipa::path(
    operation_id = "initiative_stakeholder_map_get",
    tag = "analytics",
    security((), ("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("If-None-Match" = Option<String>, Header),
    ),
    responses(
        (status = 200, description = "The map, as JSON or as an SVG picture",
            content((StakeholderMap = "application/json"), (String = "image/svg+xml")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Vary" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/stakeholder-map")]
pub async fn stakeholder_map(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let map = registry.stakeholder_map(&caller, path.into_inner()).await?;
    Ok(map_response(&req, &map, prefers_svg(&req), true))
}

/// The stakeholder map of an initiative as an SVG picture (`image/svg+xml`), whatever the
/// `Accept` header: a 2x2 grid with the four quadrants, axes `Interest` and `Influence`, one
/// `circle.stakeholder` per placed stakeholder with its organisation's name and a tooltip,
/// coloured by sector with a legend; prospects dashed. Errors stay problem+json.
#[utoipa::path(
    operation_id = "initiative_stakeholder_map_svg",
    tag = "analytics",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The map as an SVG picture", content((String = "image/svg+xml")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/stakeholder-map.svg")]
pub async fn stakeholder_map_svg(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let map = registry.stakeholder_map(&caller, path.into_inner()).await?;
    Ok(map_response(&req, &map, true, false))
}

/// Leverage and return on investment of an initiative: per currency, the total resources
/// mobilised and each contributing partner's own contribution against it, with its leverage
/// ratio `(total − own) / own` (`null` when its own is zero), split pledged vs delivered; and
/// each partner's count of unvalued in-kind contributions. Exact decimal strings; currencies
/// are never added together.
#[utoipa::path(
    operation_id = "initiative_leverage_get",
    tag = "analytics",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = InitiativeLeverage),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/leverage")]
pub async fn initiative_leverage(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .initiative_leverage(&caller, path.into_inner())
            .await?,
    ))
}

/// Leverage and return on investment of an organisation across the initiatives the caller may
/// read in which it is a partner: its own contributions against everything mobilised in them,
/// per currency, pledged vs delivered, overall and per initiative.
#[utoipa::path(
    operation_id = "organization_leverage_get",
    tag = "analytics",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = OrganizationLeverage),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}/leverage")]
pub async fn organization_leverage(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .organization_leverage(&caller, path.into_inner())
            .await?,
    ))
}

/// Resources mobilised per private-sector engagement model (corporate philanthropy,
/// value-added, partnership, market-making, and none recorded): the number of initiatives and,
/// per currency, the pledged, delivered and total amounts. Members see their tenant's
/// initiatives (`scope=tenant`, the default), every public one (`scope=public`) or both
/// (`scope=all`); anonymous callers every tenant's public initiatives.
#[utoipa::path(
    operation_id = "analytics_engagement_models",
    tag = "analytics",
    security((), ("bearer" = [])),
    params(AnalyticsQuery),
    responses(
        (status = 200, body = EngagementModelLeverage),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/analytics/engagement-models")]
pub async fn engagement_models(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<AnalyticsQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(registry.engagement_model_leverage(&caller, query).await?))
}

/// The dashboard: how many initiatives, and their counts by journey stage, kind, sector mix of
/// the active partners, spectrum, engagement model, country, action line, outcome and
/// reporting status, with registrations per month over the last 24 months. Members see their
/// tenant's initiatives, private ones included (`scope=tenant`, the default; or `public`,
/// `all`); anonymous callers every tenant's public initiatives.
#[utoipa::path(
    operation_id = "analytics_dashboard",
    tag = "analytics",
    security((), ("bearer" = [])),
    params(AnalyticsQuery),
    responses(
        (status = 200, body = Dashboard),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/analytics/dashboard")]
pub async fn dashboard(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<AnalyticsQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(registry.dashboard(&caller, query).await?))
}

#[cfg(test)]
mod tests {
    use super::quality;

    #[test]
    fn accept_ranges_are_weighed() {
        let browser = "image/avif,image/webp,image/svg+xml,image/*,*/*;q=0.8";
        assert_eq!(quality(browser, "image", "svg+xml"), 1.0);
        assert_eq!(quality(browser, "application", "json"), 0.8);
        assert_eq!(quality("*/*", "image", "svg+xml"), 1.0);
        assert_eq!(quality("application/json", "image", "svg+xml"), 0.0);
        assert_eq!(
            quality("image/svg+xml;q=0.5, application/json", "image", "svg+xml"),
            0.5
        );
        assert_eq!(quality("image/*;q=0.3", "image", "svg+xml"), 0.3);
    }
}
