//! The OpenAPI 3.1 document: paths are collected from the handlers' `#[utoipa::path]`
//! annotations; this adds the description, tags, security scheme and shared schemas.

use actix_web::App;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{
        ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes,
        SecurityScheme,
    },
};
use utoipa_actix_web::AppExt;

use crate::{problem::Problem, routes};

mod finish;
mod summaries;

pub use finish::{finish, served};

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
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "MSP Registry maintainers", url = "https://example.invalid/msp-registry"),
    ),
    servers((url = "/", description = "The server this document is served from")),
    modifiers(&SecuritySchemes),
    components(schemas(
        Problem,
        service::FieldError,
        service::ErrorCode,
        // Types of query and path parameters (`IntoParams` fields refer to them by name).
        service::organizations::Scope,
        service::organizations::OrganizationSort,
        service::export::ExportFormat,
        service::reference::ReferenceKind,
        service::health::AssessmentKind,
        service::showcase::TableFormat,
        service::initiatives::Collapse,
    )),
    tags(
        (name = "auth", description = "Access tokens and the caller"),
        (name = "tenants", description = "Registry operators"),
        (name = "members", description = "People in a tenant and their roles"),
        (name = "accounts", description = "People's accounts across tenants (platform administrators)"),
        (name = "clients", description = "API clients of portals and partner systems"),
        (name = "organizations", description = "Partner organisations (stakeholders)"),
        (name = "initiatives", description = "PPP/MSP initiatives: search, journey, publishing, history"),
        (name = "partners", description = "Organisations taking part in an initiative"),
        (name = "contributions", description = "What partners contribute to an initiative (cash and in kind), with exact totals per currency, kind and partner"),
        (name = "agreements", description = "Partnership agreements, contracts, work plans and memoranda of understanding of an initiative"),
        (name = "reports", description = "Progress reports of an initiative; they set its reporting status"),
        (name = "lessons", description = "Lessons learned: per initiative, across the registry, searchable"),
        (name = "health", description = "Health check of a partnership against the six fundamentals: self-assessments and the report"),
        (name = "reference", description = "Reference vocabularies (action lines, SDGs, sectors, roles...)"),
        (name = "wsis", description = "The WSIS national showcase: eligibility, countries, designations, coverage"),
        (name = "pictures", description = "Pictures portals can embed (SVG, accessible, in the six UN languages): an initiative's journey, contributions and health, the WSIS showcase map"),
        (name = "analytics", description = "Partnership analytics: stakeholder map (JSON or SVG), leverage and return on investment, engagement models, dashboard"),
        (name = "matchmaking", description = "Levers, needs, offers, partner suggestions and value assessments"),
        (name = "changes", description = "The change feed for mirroring portals"),
        (name = "webhooks", description = "Webhook subscriptions (signed per Standard Webhooks, retried with backoff, SSRF-guarded) and their delivery log"),
        (name = "bulk", description = "Bulk export (CSV, JSON, NDJSON, IATI 2.03 XML; streamed) and bulk import of initiatives"),
        (name = "operations", description = "Health and readiness"),
        (name = "duplicates", description = "Candidate duplicates of initiatives, within a tenant and across tenants"),
    )
)]
pub struct ApiDoc;

/// The token endpoint, as the OAuth2 flows name it (relative to the server).
pub const TOKEN_URL: &str = "/api/v1/auth/token";

/// The name of the OAuth2 security scheme. Handlers name `bearer` in their `security(...)`;
/// [`finish`] offers `oauth2` beside it wherever they do.
pub const OAUTH2: &str = "oauth2";
pub const BEARER: &str = "bearer";

/// Two ways to send the same bearer token: `oauth2` (the password and client-credentials flows
/// of the token endpoint, so Swagger UI's Authorize signs in) and `bearer` (a token obtained
/// elsewhere: `msp-registry token`, an external identity provider).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            OAUTH2,
            SecurityScheme::OAuth2(OAuth2::with_description(
                [
                    Flow::Password(Password::with_refresh_url(
                        TOKEN_URL,
                        Scopes::new(),
                        TOKEN_URL,
                    )),
                    Flow::ClientCredentials(ClientCredentials::new(TOKEN_URL, Scopes::new())),
                ],
                "OAuth2 (RFC 6749) at POST /api/v1/auth/token: the password grant for people \
(email as `username`; no client needed, client credentials sent with it are ignored) and the \
client-credentials grant for API clients (client id and secret in the form or as HTTP Basic). \
There are no scopes: the role comes from the membership or the client.",
            )),
        );
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from POST /api/v1/auth/token (or `msp-registry token`)",
                    ))
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
    finish(api)
}

/// The document as committed in `openapi/openapi.json` (pretty JSON, trailing newline).
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}
