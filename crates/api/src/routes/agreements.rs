//! REST handlers: the agreements of an initiative (partnership agreements, contracts, work plans,
//! memoranda of understanding).

use actix_web::{delete, get, patch, post};
use service::{
    Registry,
    agreements::{Agreement, AgreementPatch, AgreementQuery, Agreements, NewAgreement},
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
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete);
}

child_routes! {
    resource: Agreements,
    tag: "agreements",
    segment: "agreements",
    item_param: "agreement_id",
    view: Agreement,
    new: NewAgreement,
    patch: AgreementPatch,
    query: AgreementQuery,
    list: {
        /// The agreements of an initiative, oldest first, with their parties resolved.
        id: "initiative_agreements_list",
        path: "/initiatives/{id}/agreements"
    },
    create: {
        /// Records an agreement between partners of the initiative. Editors and above.
        id: "initiative_agreements_create",
        problems: [(status = 422, description = "Invalid input, e.g. a party that is not a partner of this initiative, or a signed agreement without `signed_on`", body = Problem, content_type = "application/problem+json"),]
    },
    get: {
        /// One agreement.
        id: "initiative_agreements_get",
        path: "/initiatives/{id}/agreements/{agreement_id}"
    },
    update: {
        /// Changes an agreement. Needs `If-Match`.
        id: "initiative_agreements_update"
    },
    delete: {
        /// Deletes an agreement. Needs `If-Match`.
        id: "initiative_agreements_delete",
        done: "Deleted",
        problems: []
    },
}
