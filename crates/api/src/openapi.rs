//! The OpenAPI 3.1 document: paths are collected from the handlers' `#[utoipa::path]`
//! annotations; this adds the description, tags, security scheme and shared schemas.

use actix_web::App;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_actix_web::AppExt;

use crate::{problem::Problem, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "MSP Registry API",
        description = "A multi-tenant registry of public-private partnerships (PPP) and \
multi-stakeholder partnerships (MSP) for development work, after the WSIS Plan of Action's call \
that every country establish at least one functioning PPP/MSP as a showcase.\n\n\
Errors are RFC 9457 `application/problem+json` documents with a stable `code`. Writes need a \
bearer token (`POST /api/v1/auth/token`); anonymous callers read public records only. Single \
records carry an `ETag`; changes need `If-Match` (412 when stale, 428 when missing).",
        license(name = "Apache-2.0"),
    ),
    modifiers(&BearerScheme),
    components(schemas(Problem, service::FieldError, service::ErrorCode)),
    tags(
        (name = "auth", description = "Access tokens and the caller"),
        (name = "tenants", description = "Registry operators"),
        (name = "members", description = "People in a tenant and their roles"),
        (name = "clients", description = "API clients of portals and partner systems"),
        (name = "organizations", description = "Partner organisations (stakeholders)"),
        (name = "initiatives", description = "PPP/MSP initiatives: search, journey, publishing, history"),
        (name = "partners", description = "Organisations taking part in an initiative"),
        (name = "contributions", description = "What partners contribute to an initiative (cash and in kind), with exact totals per currency, kind and partner"),
        (name = "agreements", description = "Partnership agreements, contracts, work plans and memoranda of understanding of an initiative"),
        (name = "reports", description = "Progress reports of an initiative; they set its reporting status"),
        (name = "lessons", description = "Lessons learned: per initiative, across the registry, searchable"),
        (name = "reference", description = "Reference vocabularies (action lines, SDGs, sectors, roles...)"),
        (name = "wsis", description = "The WSIS national showcase: eligibility, countries, designations, coverage"),
        (name = "analytics", description = "Partnership analytics: stakeholder map (JSON or SVG), leverage and return on investment, engagement models, dashboard"),
        (name = "matchmaking", description = "Levers, needs, offers, partner suggestions and value assessments"),
        (name = "changes", description = "The change feed for mirroring portals"),
        (name = "webhooks", description = "Webhook subscriptions (signed per Standard Webhooks, retried with backoff, SSRF-guarded) and their delivery log"),
        (name = "bulk", description = "Bulk export (CSV, JSON, NDJSON, IATI 2.03 XML; streamed) and bulk import of initiatives"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

/// The document the running service serves at `/api-docs/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    api
}

/// The document as committed in `openapi/openapi.json` (pretty JSON, trailing newline).
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}
