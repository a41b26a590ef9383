//! REST handlers: the partners of an initiative.

use actix_web::{delete, get, patch, post};
use service::{
    Registry,
    pagination::Page,
    partners::{NewPartner, Partner, PartnerPatch, PartnerQuery, Partners},
};
use uuid::Uuid;

use super::children::child_routes;
use crate::{
    extract::{ApiJson, ApiQuery, Auth},
    problem::{ApiResult, Problem},
};

child_routes! {
    resource: Partners,
    tag: "partners",
    segment: "partners",
    item_param: "partner_id",
    view: Partner,
    new: NewPartner,
    patch: PartnerPatch,
    query: PartnerQuery,
    list: {
        /// The partners of an initiative, with their organisations.
        id: "initiative_partners_list",
        path: "/initiatives/{id}/partners"
    },
    create: {
        /// Adds an organisation (the tenant's own, or a public one) as a partner. Editors and above.
        id: "initiative_partners_create",
        problems: [
            (status = 409, description = "Already a partner", body = Problem, content_type = "application/problem+json"),
            (status = 422, body = Problem, content_type = "application/problem+json"),
        ]
    },
    get: {
        /// One partner.
        id: "initiative_partners_get",
        path: "/initiatives/{id}/partners/{partner_id}"
    },
    update: {
        /// Changes a partner. Needs `If-Match`.
        id: "initiative_partners_update"
    },
    delete: {
        /// Removes a partner (409 while its contributions are recorded). Needs `If-Match`.
        id: "initiative_partners_delete",
        done: "Removed",
        problems: [(status = 409, body = Problem, content_type = "application/problem+json"),]
    },
}
