//! REST handlers: the health check of a partnership against the six fundamentals, and the
//! self-assessments it reads (`service::health`).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    health::{
        HealthAssessment, HealthAssessmentPatch, HealthAssessmentQuery, HealthAssessments,
        HealthReport, NewHealthAssessment,
    },
    pagination::Page,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::children::child_routes;
use crate::{
    extract::{ApiJson, ApiQuery, Auth},
    problem::{ApiResult, Problem},
};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(report)
        .service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete);
}

/// The health report of an initiative: per fundamental, what the registry's records say (each
/// finding with its reason), the partners' self-assessments (mean, minimum, maximum of each
/// partner's latest; `disagreement` when they spread by 3 or more), the trend across assessment
/// dates and a score from 1 to 5; then the overall score, the weakest fundamental and the
/// levers and next journey step that address it, and the team's MUST competencies.
#[utoipa::path(
    operation_id = "initiative_health_get",
    tag = "health",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = HealthReport),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/health")]
pub async fn report(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let report = registry
        .initiative_health(&caller, path.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

child_routes! {
    resource: HealthAssessments,
    tag: "health",
    segment: "health-assessments",
    item_param: "assessment_id",
    view: HealthAssessment,
    new: NewHealthAssessment,
    patch: HealthAssessmentPatch,
    query: HealthAssessmentQuery,
    list: {
        /// The health self-assessments of an initiative, oldest first.
        id: "initiative_health_assessments_list",
        path: "/initiatives/{id}/health-assessments"
    },
    create: {
        /// Files a self-assessment: `fundamentals` for one partner of the initiative (each of the
        /// six fundamentals rated 1–5 with a note), or the partnership team's `competencies`
        /// (MUST). Every bad rating is named. Editors and above.
        id: "initiative_health_assessments_create",
        problems: [(status = 422, body = Problem, content_type = "application/problem+json"),]
    },
    get: {
        /// One health self-assessment.
        id: "initiative_health_assessments_get",
        path: "/initiatives/{id}/health-assessments/{assessment_id}"
    },
    update: {
        /// Changes a self-assessment's ratings or date (its kind and partner stay). Needs
        /// `If-Match`.
        id: "initiative_health_assessments_update"
    },
    delete: {
        /// Deletes a self-assessment. Needs `If-Match`.
        id: "initiative_health_assessments_delete",
        done: "Deleted",
        problems: []
    },
}
