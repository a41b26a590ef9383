//! REST handlers: bulk export (streamed CSV, JSON, NDJSON, IATI 2.03 XML) and bulk import of
//! initiatives.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, get, http::header, post, web};
use futures_util::StreamExt;
use serde::Deserialize;
use service::{
    Registry, Role,
    error::ServiceError,
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
        .service(export_partners)
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

/// Exports the partners of the initiatives matching the list's filters as CSV, streamed: the
/// companion of the initiatives CSV.
///
/// The same filters and access as `GET /api/v1/export/initiatives`, and `format=csv` (the only
/// format: JSON and NDJSON initiative exports carry their partners). One row per partner:
/// `initiative_id`, `initiative_iati_identifier`, `initiative_title`, `initiative_countries`
/// (which initiative row it belongs to), `organization_id`, `organization_name`,
/// `organization_acronym`, `organization_sector`, `organization_country`, `roles` and `gains`
/// (joined with `;`), `status`, `interest`, `influence`, `joined_on`, `left_on`. Send it back
/// with the initiatives CSV as the `partners` part of a multipart import.
#[utoipa::path(
    tag = "bulk",
    operation_id = "partners_export",
    security((), ("bearer" = [])),
    params(InitiativeExportQuery),
    responses(
        (status = 200, description = "The partners CSV, streamed", content_type = "text/csv", body = String),
        (status = 400, description = "Unknown or malformed parameter, or a format other than csv", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/export/partners")]
pub async fn export_partners(
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<InitiativeExportQuery>,
) -> ApiResult<HttpResponse> {
    let body = registry.export_partners(caller, query).await?;
    Ok(streamed(ExportFormat::Csv, "partners", body))
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
/// A row updates the tenant's initiative with its `id`, else with its `iati_identifier`, else
/// (a row with neither) with the same title and countries (the natural key); otherwise it
/// creates one: an export imported back updates what it came from, and re-importing the same
/// file changes nothing. JSON and NDJSON rows may carry `partners` (the export's shape; each
/// names its organisation by `organization.id` or `organization.name`). A CSV import may come
/// as `multipart/form-data` with the part `initiatives` (the file, with its own content type or
/// a `.csv`/`.json`/`.ndjson` file name) and the part `partners` (the companion CSV of
/// `GET /api/v1/export/partners`). Likely duplicates (same title and a common country) are
/// listed in `duplicates`, and each created row's item lists its `possible_duplicates` as a
/// create answers them (initiatives the caller can read, scored by the same rules; a warning
/// only); the same IATI identifier, or the same title and countries without
/// an identifier, twice in a file is an error. At most `MSP_IMPORT_MAX_ROWS` rows (422
/// `too_many_rows`) and `MSP_IMPORT_BODY_LIMIT_BYTES` bytes (413).
#[utoipa::path(
    operation_id = "initiatives_import",
    tag = "bulk",
    security(("bearer" = [])),
    params(ImportParams),
    request_body(content(
        (String = "text/csv"),
        (Vec<service::initiatives::NewInitiative> = "application/json"),
        (String = "application/x-ndjson"),
        (String = "multipart/form-data"),
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
    let multipart = essence == "multipart/form-data";
    let format = ImportFormat::from_media_type(&essence);
    if format.is_none() && !multipart {
        return Err(ApiError::UnsupportedMediaType(
            "send the rows as text/csv, application/json, application/x-ndjson, or multipart/form-data with the parts initiatives and partners".into(),
        ));
    }
    let limit = registry.settings().import_body_limit_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let options = ImportOptions {
        dry_run: params.dry_run.unwrap_or(false),
        mode: params.mode.unwrap_or_default(),
    };
    let report = match format {
        Some(format) => {
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
            registry
                .import_initiatives(&caller, format, &body, options)
                .await?
        }
        None => {
            let parts = read_parts(&req, payload, limit).await?;
            registry
                .import_initiatives_with_partners(
                    &caller,
                    parts.format,
                    &parts.initiatives,
                    parts.partners.as_deref(),
                    options,
                )
                .await?
        }
    };
    Ok(HttpResponse::Ok().json(report))
}

/// The parts of a multipart import.
struct Parts {
    format: ImportFormat,
    initiatives: Vec<u8>,
    partners: Option<Vec<u8>>,
}

/// Reads the `initiatives` and `partners` parts of a multipart import, at most `limit` bytes
/// in all. The initiatives part's format comes from its content type, else its file name.
async fn read_parts(req: &HttpRequest, payload: web::Payload, limit: usize) -> ApiResult<Parts> {
    let bad =
        |field: &str, message: String| ApiError::from(ServiceError::bad_parameter(field, message));
    let mut form = Multipart::new(req.headers(), payload);
    let mut total = 0usize;
    let mut initiatives = None;
    let mut partners = None;
    while let Some(field) = form.next().await {
        let mut field = field
            .map_err(|e| ApiError::BadRequest(format!("the multipart body is malformed: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        if name != "initiatives" && name != "partners" {
            return Err(bad(
                &name,
                "is not a part of an import (send `initiatives` and, optionally, `partners`)"
                    .into(),
            ));
        }
        let format = field
            .content_type()
            .and_then(|m| ImportFormat::from_media_type(m.essence_str()))
            .or_else(|| {
                field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename())
                    .and_then(ImportFormat::from_path)
            });
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::BadRequest(format!("the multipart body is malformed: {e}"))
            })?;
            total += chunk.len();
            if total > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            data.extend_from_slice(&chunk);
        }
        if name == "initiatives" {
            initiatives = Some((format, data));
        } else {
            partners = Some(data);
        }
    }
    let Some((format, initiatives)) = initiatives else {
        return Err(bad(
            "initiatives",
            "is required: the part with the initiatives file".into(),
        ));
    };
    let format = format.ok_or_else(|| {
        bad(
            "initiatives",
            "give the part a content type (text/csv, application/json, application/x-ndjson) or a .csv, .json or .ndjson file name".into(),
        )
    })?;
    Ok(Parts {
        format,
        initiatives,
        partners,
    })
}
