use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use service::Registry;
use utoipa::ToSchema;

use crate::problem::ApiResult;

#[derive(Serialize, ToSchema)]
pub struct HealthStatus {
    /// `ok`
    pub status: &'static str,
}

/// Liveness: the process is up and serving.
#[utoipa::path(
    operation_id = "health_get",
    security(()),
    tag = "operations",
    responses((status = 200, body = HealthStatus)),
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// Readiness: the database answers and the search index is built or caught up. 503 while
/// either is not.
#[utoipa::path(
    operation_id = "ready_get",
    security(()),
    tag = "operations",
    responses(
        (status = 200, body = HealthStatus),
        (status = 503, description = "The database is not reachable, or the search index is being built", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ready")]
pub async fn ready(registry: web::Data<Registry>) -> ApiResult<HttpResponse> {
    registry.ping().await?;
    if !registry.search().is_ready() {
        return Ok(crate::problem::unavailable(
            "the search index is being built; retry shortly",
            5,
        ));
    }
    Ok(HttpResponse::Ok().json(HealthStatus { status: "ok" }))
}
