//! REST handlers: bulk export (streamed CSV, JSON, NDJSON, IATI 2.03 XML) and bulk import of
//! initiatives.

use actix_web::{HttpRequest, HttpResponse, get, http::header, post, web};
use futures_util::StreamExt;
use serde::Deserialize;
use service::{
    Registry, Role,
    export::{ExportFormat, ExportStream, InitiativeExportQuery, OrganizationExportQuery},
    import::{ImportFormat, ImportMode, ImportOptions, ImportReport},
};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    extract::{ApiQuery, Auth},
    problem::{ApiError, ApiResult, Problem},
};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_initiatives)
        .service(export_organizations)
        .service(import_initiatives);
}

fn streamed(format: ExportFormat, name: &str, body: ExportStream) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{}\"", format.extension()),
        ))
        .streaming(body.map(|chunk| chunk.map(web::Bytes::from)))
}

/// Exports the initiatives matching the list's filters, streamed in constant memory.
///
/// Access as for the list: anonymous callers get every tenant's public initiatives; members
/// their `scope` (`tenant` by default). Records come in id order, with their tenant, partners,
/// contributions and contribution totals. `format`:
/// - `json` (default): a JSON array; `ndjson`: one initiative per line;
/// - `csv`: one row per initiative with a header row; lists joined with `;`, partners as
///   `name (sector; roles)` joined with ` | `, contributions as totals per currency
///   (`USD 1200.00; EUR 30.00`);
/// - `iati`: IATI 2.03 `iati-activities` XML (the mapping is in the README).
#[utoipa::path(
    operation_id = "initiatives_export",
    tag = "bulk",
    security((), ("bearer" = [])),
    params(InitiativeExportQuery),
    responses(
        (status = 200, description = "The export, streamed", content(
            (String = "text/csv"),
            (Vec<service::export::ExportedInitiative> = "application/json"),
            (String = "application/x-ndjson"),
            (String = "application/xml"),
        )),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/export/initiatives")]
pub async fn export_initiatives(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<InitiativeExportQuery>,
) -> ApiResult<HttpResponse> {
    let format = query.format.unwrap_or_default();
    let body = registry.export_initiatives(caller, query).await?;
    Ok(streamed(format, "initiatives", body))
}

/// Exports the organisations matching the list's filters (`csv`, `json` or `ndjson`), streamed.
/// Access as for the organisation list.
#[utoipa::path(
    operation_id = "organizations_export",
    tag = "bulk",
    security((), ("bearer" = [])),
    params(OrganizationExportQuery),
    responses(
        (status = 200, description = "The export, streamed", content(
            (String = "text/csv"),
            (Vec<service::organizations::Organization> = "application/json"),
            (String = "application/x-ndjson"),
        )),
        (status = 400, description = "Unknown or malformed parameter (or format=iati)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/export/organizations")]
pub async fn export_organizations(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<OrganizationExportQuery>,
) -> ApiResult<HttpResponse> {
    let format = query.format.unwrap_or_default();
    let body = registry.export_organizations(caller, query).await?;
    Ok(streamed(format, "organizations", body))
}

/// Options of an import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Validate and report without writing anything.
    pub dry_run: Option<bool>,
    /// `all_or_nothing` (the default and only mode): one bad row and nothing is written.
    pub mode: Option<ImportMode>,
}

/// Imports initiatives into the caller's tenant. Editors and above.
///
/// The body is CSV (`text/csv`, the columns of the CSV export), a JSON array
/// (`application/json`) or NDJSON (`application/x-ndjson`). Every row is validated first by the
/// rules of a single create; any problem answers 422 with every bad row's field errors named
/// `rows[N].field`, where `N` is the row's line number (CSV: the physical line where the record
/// starts, the header being line 1; JSON: array index + 1; NDJSON: the line), and nothing is
/// written. Otherwise all rows are written in one transaction (`dry_run=true` rolls it back).
/// Rows upsert by `iati_identifier`: re-importing the same file changes nothing. Likely
/// duplicates (same title and country) are listed in `duplicates`; the same IATI identifier
/// twice in a file is an error. At most `MSP_IMPORT_MAX_ROWS` rows (422 `too_many_rows`) and
/// `MSP_IMPORT_BODY_LIMIT_BYTES` bytes (413).
#[utoipa::path(
    operation_id = "initiatives_import",
    tag = "bulk",
    security(("bearer" = [])),
    params(ImportParams),
    request_body(content(
        (String = "text/csv"),
        (Vec<service::initiatives::NewInitiative> = "application/json"),
        (String = "application/x-ndjson"),
    )),
    responses(
        (status = 200, body = ImportReport),
        (status = 400, description = "Not CSV / JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over MSP_IMPORT_BODY_LIMIT_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows (`rows[N].field`), duplicates in the file, or too many rows", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/import/initiatives")]
pub async fn import_initiatives(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(params): ApiQuery<ImportParams>,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    // Refuse before reading the body.
    caller.require(Role::Editor)?;
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let format = ImportFormat::from_media_type(&essence).ok_or_else(|| {
        ApiError::UnsupportedMediaType(
            "send the rows as text/csv, application/json or application/x-ndjson".into(),
        )
    })?;
    let limit = registry.settings().import_body_limit_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::BadRequest(format!("the request body could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    let options = ImportOptions {
        dry_run: params.dry_run.unwrap_or(false),
        mode: params.mode.unwrap_or_default(),
    };
    let report = registry
        .import_initiatives(&caller, format, &body, options)
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
