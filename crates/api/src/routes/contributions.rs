//! REST handlers: the contributions of an initiative's partners, and their totals.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    contributions::{
        Contribution, ContributionPatch, ContributionQuery, ContributionTotals, Contributions,
        NewContribution,
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

/// Registers this module's routes under `/api/v1` (`totals` before `{contribution_id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(totals)
        .service(create)
        .service(get)
        .service(update)
        .service(delete);
}

/// What the contributions add up to: per currency (pledged, delivered, total), per resource
/// kind, and per partner with its share of each currency's total. Exact decimal strings;
/// currencies are never added together.
#[utoipa::path(
    operation_id = "initiative_contributions_totals",
    tag = "contributions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = ContributionTotals),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/contributions/totals")]
pub async fn totals(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        registry
            .contribution_totals(&caller, path.into_inner())
            .await?,
    ))
}

child_routes! {
    resource: Contributions,
    tag: "contributions",
    segment: "contributions",
    item_param: "contribution_id",
    view: Contribution,
    new: NewContribution,
    patch: ContributionPatch,
    query: ContributionQuery,
    list: {
        /// The contributions of an initiative, oldest first; filter by partner, resource kind, status.
        id: "initiative_contributions_list",
        path: "/initiatives/{id}/contributions"
    },
    create: {
        /// Records a contribution of a partner of the initiative. Amounts are decimal strings
        /// (`"12500.50"`), never JSON numbers. Editors and above.
        id: "initiative_contributions_create",
        problems: [(status = 422, description = "Invalid input, e.g. a number as amount, an unknown currency, or a partner of another initiative", body = Problem, content_type = "application/problem+json"),]
    },
    get: {
        /// One contribution.
        id: "initiative_contributions_get",
        path: "/initiatives/{id}/contributions/{contribution_id}"
    },
    update: {
        /// Changes a contribution. Needs `If-Match`.
        id: "initiative_contributions_update"
    },
    delete: {
        /// Deletes a contribution. Needs `If-Match`.
        id: "initiative_contributions_delete",
        done: "Deleted",
        problems: []
    },
}
