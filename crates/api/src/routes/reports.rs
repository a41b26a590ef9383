//! REST handlers: progress reports of an initiative.

use actix_web::{delete, get, patch, post};
use service::{
    Registry,
    pagination::{Page, PageParams},
    reports::{NewReport, ProgressReport, ReportPatch, Reports},
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
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete);
}

child_routes! {
    resource: Reports,
    tag: "reports",
    segment: "reports",
    item_param: "report_id",
    view: ProgressReport,
    new: NewReport,
    patch: ReportPatch,
    query: PageParams,
    list: {
        /// The progress reports of an initiative, the latest period first.
        id: "initiative_reports_list",
        path: "/initiatives/{id}/reports"
    },
    create: {
        /// Files a progress report; the initiative's `last_reported_on` and reporting status follow
        /// the latest period end. Editors and above.
        id: "initiative_reports_create",
        problems: [(status = 422, body = Problem, content_type = "application/problem+json"),]
    },
    get: {
        /// One progress report.
        id: "initiative_reports_get",
        path: "/initiatives/{id}/reports/{report_id}"
    },
    update: {
        /// Changes a progress report. Needs `If-Match`.
        id: "initiative_reports_update"
    },
    delete: {
        /// Deletes a progress report; the reporting status falls back to the remaining reports (or
        /// to the registration date). Needs `If-Match`.
        id: "initiative_reports_delete",
        done: "Deleted",
        problems: []
    },
}
