//! Bulk export of initiatives and organisations as CSV, JSON, NDJSON and (initiatives only)
//! IATI 2.03 activity XML.
//!
//! The export takes the filters of the list (the same [`InitiativeQuery`] and
//! [`OrganizationQuery`] rules and access: anonymous callers get every tenant's public records,
//! members their scope) and walks the filtered set in keyset batches ordered by id
//! ([`BATCH_SIZE`] at a time). Each batch is encoded into one chunk of text and the next batch is
//! fetched only when the consumer asks for more, so memory stays flat whatever the number of
//! records. The first batch is fetched before the stream is handed out, so a bad filter is an
//! ordinary error rather than a broken body.
//!
//! CSV flattening (one row per initiative, RFC 4180 quoting, a header row):
//! - `countries`, `action_lines`, `sdg_goals`, `sdg_targets`, `levers`, `sectors`: joined with `;`
//! - `external_identifiers`: `scheme:identifier` joined with `;`
//! - `partners`: `name (sector; role, role)` joined with ` | ` (every partner, any status)
//! - `contributions`: the pledged-plus-delivered total per currency, `USD 1200.00; EUR 30.00`
//!
//! The IATI mapping is documented on [`iati`] and in the README.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    enums::{JourneyStage, Sector, TenantKind},
    initiative, organization, tenant,
};
use futures_util::{Stream, StreamExt, stream};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, Registry,
    contributions::{Contribution, ContributionTotals},
    db::scope,
    error::{ServiceError, ServiceResult},
    initiatives::{Initiative, InitiativeQuery, ReportingStatus},
    language::LanguageChoice,
    organizations::{Organization, OrganizationQuery, Scope},
    partners::Partner,
    translations::TranslationMap,
};

/// Records fetched per query while exporting.
pub const BATCH_SIZE: u64 = 500;

/// The format of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    /// A JSON array (the default).
    #[default]
    Json,
    /// One JSON object per line.
    Ndjson,
    /// IATI 2.03 `iati-activities` XML (initiatives only).
    Iati,
}

impl ExportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::Ndjson => "application/x-ndjson",
            ExportFormat::Iati => "application/xml; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Iati => "xml",
        }
    }
}

/// The initiative export: the list's filters (no sorting or paging: records come in id order)
/// and the format. Unknown parameters are refused.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeExportQuery {
    /// `csv`, `json` (default), `ndjson` or `iati`.
    pub format: Option<ExportFormat>,
    /// `tenant` (members' default), `public`, or `all`.
    pub scope: Option<Scope>,
    /// Full-text search; every word must match.
    pub q: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// WSIS action line codes, comma-separated; a main line (`C7`) takes in its sub-lines.
    pub action_line: Option<String>,
    /// SDG goal number.
    pub sdg: Option<u8>,
    /// SDG target codes (`4.1`, `9.c`), comma-separated: any of them.
    pub sdg_target: Option<String>,
    pub lever: Option<entity::enums::Lever>,
    pub sector: Option<Sector>,
    pub organization: Option<Uuid>,
    pub stage: Option<JourneyStage>,
    pub kind: Option<entity::enums::InitiativeKind>,
    pub spectrum: Option<entity::enums::Spectrum>,
    pub engagement_model: Option<entity::enums::EngagementModel>,
    pub form: Option<entity::enums::PartnershipForm>,
    /// Initiatives with at least one agreement of this status.
    pub agreement_status: Option<entity::enums::AgreementStatus>,
    pub scale: Option<entity::enums::Scale>,
    pub outcome: Option<entity::enums::Outcome>,
    pub reporting_status: Option<ReportingStatus>,
    pub visibility: Option<entity::enums::Visibility>,
    pub start_from: Option<NaiveDate>,
    pub start_to: Option<NaiveDate>,
    pub end_from: Option<NaiveDate>,
    pub end_to: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::validation::optional_timestamp")]
    pub updated_since: Option<DateTime<Utc>>,
}

impl InitiativeExportQuery {
    fn filters(&self) -> InitiativeQuery {
        InitiativeQuery {
            scope: self.scope,
            q: self.q.clone(),
            country: self.country.clone(),
            action_line: self.action_line.clone(),
            sdg: self.sdg.map(|g| g.to_string()),
            sdg_target: self.sdg_target.clone(),
            lever: self.lever.as_ref().map(crate::codes::code),
            sector: self.sector,
            organization: self.organization,
            stage: self.stage,
            kind: self.kind,
            spectrum: self.spectrum,
            engagement_model: self.engagement_model,
            form: self.form,
            agreement_status: self.agreement_status,
            scale: self.scale,
            outcome: self.outcome,
            reporting_status: self.reporting_status,
            visibility: self.visibility,
            start_from: self.start_from,
            start_to: self.start_to,
            end_from: self.end_from,
            end_to: self.end_to,
            updated_since: self.updated_since,
            sort: None,
            ..InitiativeQuery::default()
        }
    }
}

/// The organisation export: the list's filters and the format (`csv`, `json`, `ndjson`).
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationExportQuery {
    /// `csv`, `json` (default) or `ndjson`.
    pub format: Option<ExportFormat>,
    pub scope: Option<Scope>,
    pub sector: Option<Sector>,
    pub country: Option<String>,
    pub visibility: Option<entity::enums::Visibility>,
    pub sub_type: Option<String>,
    pub q: Option<String>,
    #[serde(default, deserialize_with = "crate::validation::optional_timestamp")]
    pub updated_since: Option<DateTime<Utc>>,
}

impl OrganizationExportQuery {
    fn filters(&self) -> OrganizationQuery {
        OrganizationQuery {
            scope: self.scope,
            sector: self.sector,
            country: self.country.clone(),
            visibility: self.visibility,
            sub_type: self.sub_type.clone(),
            q: self.q.clone(),
            updated_since: self.updated_since,
            ..OrganizationQuery::default()
        }
    }
}

/// One exported initiative: the record as the API returns it, its tenant, its partners, its
/// contributions and their totals.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ExportedInitiative {
    #[serde(flatten)]
    pub initiative: Initiative,
    /// The slug of the tenant that keeps it.
    pub tenant: String,
    pub partners: Vec<Partner>,
    pub contributions: Vec<Contribution>,
    pub contribution_totals: ContributionTotals,
}

/// The tenant of exported records, as the IATI export names its reporting organisation.
#[derive(Clone, Debug)]
struct TenantInfo {
    slug: String,
    name: String,
    kind: TenantKind,
}

/// A stream of text chunks (one per batch, plus the head and tail of the document).
pub type ExportStream = std::pin::Pin<Box<dyn Stream<Item = ServiceResult<String>>>>;

impl Registry {
    /// One batch of the initiative export: the filtered initiatives with id above `after`, in
    /// id order, with everything the export writes.
    async fn initiative_batch(
        &self,
        caller: &Caller,
        query: &InitiativeQuery,
        after: Option<Uuid>,
        tenants: &mut HashMap<Uuid, TenantInfo>,
    ) -> ServiceResult<Vec<ExportedInitiative>> {
        let mut select = self.filtered_initiatives(caller, query).await?;
        if let Some(after) = after {
            select = select.filter(initiative::Column::Id.gt(after));
        }
        let rows = crate::initiatives::document::translated_initiatives(
            self.db(),
            select
                .order_by_asc(initiative::Column::Id)
                .limit(BATCH_SIZE),
            self.settings(),
        )
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        self.remember_tenants(rows.iter().map(|r| r.tenant_id), tenants)
            .await?;
        let mut partners = self.partners_by_initiative(caller, &ids).await?;
        let mut contributions = self.contributions_by_initiative(caller, &ids).await?;
        let mut totals = self.contribution_totals_by_initiative(caller, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|initiative| {
                let id = initiative.id;
                let tenant = tenants
                    .get(&initiative.tenant_id)
                    .map(|t| t.slug.clone())
                    .unwrap_or_default();
                ExportedInitiative {
                    initiative,
                    tenant,
                    partners: partners.remove(&id).unwrap_or_default(),
                    contributions: contributions.remove(&id).unwrap_or_default(),
                    contribution_totals: totals.remove(&id).unwrap_or_default(),
                }
            })
            .collect())
    }

    async fn remember_tenants(
        &self,
        ids: impl Iterator<Item = Uuid>,
        known: &mut HashMap<Uuid, TenantInfo>,
    ) -> ServiceResult<()> {
        let missing: HashSet<Uuid> = ids.filter(|id| !known.contains_key(id)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        for t in tenant::Entity::find()
            .filter(tenant::Column::Id.is_in(missing))
            .all(self.db())
            .await?
        {
            known.insert(
                t.id,
                TenantInfo {
                    slug: t.slug,
                    name: t.name,
                    kind: t.kind,
                },
            );
        }
        Ok(())
    }

    async fn organization_batch(
        &self,
        caller: &Caller,
        query: &OrganizationQuery,
        after: Option<Uuid>,
    ) -> ServiceResult<Vec<Organization>> {
        let mut select = self.filtered_organizations(caller, query).await?;
        if let Some(after) = after {
            select = select.filter(organization::Column::Id.gt(after));
        }
        let organizations = select
            .order_by_asc(organization::Column::Id)
            .limit(BATCH_SIZE)
            .all(self.db())
            .await?
            .into_iter()
            .map(Organization::from)
            .collect::<Vec<_>>();
        // Every translation beside the originals, as `lang=*` reads them: an export keeps all.
        let (organizations, _) = self
            .localize_organizations(organizations, Some(LanguageChoice::All))
            .await?;
        Ok(organizations)
    }

    /// Exports the initiatives the caller may read that match the filters, as a stream of text
    /// chunks in the chosen format. Filters are checked (and the first batch read) before the
    /// stream is returned.
    pub async fn export_initiatives(
        &self,
        caller: Caller,
        query: InitiativeExportQuery,
    ) -> ServiceResult<ExportStream> {
        self.export_initiatives_or_partners(caller, query, false)
            .await
    }

    /// The companion partners CSV of the initiative export: the same filters and access, one
    /// row per partner of each initiative ([`PARTNER_COLUMNS`]). Only `format=csv` (the JSON and
    /// NDJSON initiative exports carry their partners).
    pub async fn export_partners(
        &self,
        caller: Caller,
        query: InitiativeExportQuery,
    ) -> ServiceResult<ExportStream> {
        if query.format != Some(ExportFormat::Csv) {
            return Err(ServiceError::bad_parameter(
                "format",
                "the partners export is csv (give format=csv); JSON and NDJSON initiative exports carry their partners",
            ));
        }
        self.export_initiatives_or_partners(caller, query, true)
            .await
    }

    async fn export_initiatives_or_partners(
        &self,
        caller: Caller,
        query: InitiativeExportQuery,
        partners: bool,
    ) -> ServiceResult<ExportStream> {
        let format = query.format.unwrap_or_default();
        let filters = query.filters();
        let mut tenants = HashMap::new();
        let first = self
            .initiative_batch(&caller, &filters, None, &mut tenants)
            .await?;
        if format == ExportFormat::Iati && first.is_empty() {
            // The IATI 2.03 activity schema needs at least one `iati-activity`: an empty
            // `<iati-activities/>` is not a valid file, so there is no document to send.
            return Err(ServiceError::NotFound {
                entity: "initiative matching these filters (an IATI file needs at least one activity)",
            });
        }
        let state = InitiativeState {
            partners,
            registry: self.clone(),
            caller,
            filters,
            format,
            tenants,
            pending: Some(first),
            after: None,
            step: Step::Head,
            written: 0,
        };
        Ok(carry_scope(stream::unfold(state, |mut s| async move {
            let chunk = s.next_chunk().await?;
            Some((chunk, s))
        })))
    }

    /// Exports the organisations the caller may read that match the filters (CSV, JSON or
    /// NDJSON; IATI is refused).
    pub async fn export_organizations(
        &self,
        caller: Caller,
        query: OrganizationExportQuery,
    ) -> ServiceResult<ExportStream> {
        let format = query.format.unwrap_or_default();
        if format == ExportFormat::Iati {
            return Err(ServiceError::bad_parameter(
                "format",
                "organisations export as csv, json or ndjson (IATI activity XML is for initiatives)",
            ));
        }
        let filters = query.filters();
        let first = self.organization_batch(&caller, &filters, None).await?;
        let state = OrganizationState {
            registry: self.clone(),
            caller,
            filters,
            format,
            pending: Some(first),
            after: None,
            step: Step::Head,
            written: 0,
        };
        Ok(carry_scope(stream::unfold(state, |mut s| async move {
            let chunk = s.next_chunk().await?;
            Some((chunk, s))
        })))
    }
}

/// The body is read after the handler returns, outside the request's task: each chunk is read
/// with the request's tenant named (PostgreSQL's row-level security, `db::scope`).
fn carry_scope(body: impl Stream<Item = ServiceResult<String>> + 'static) -> ExportStream {
    let tenant = scope::current();
    let body = Box::pin(body);
    Box::pin(stream::unfold(body, move |mut body| async move {
        let chunk = scope::carrying(tenant, body.next()).await?;
        Some((chunk, body))
    }))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Head,
    Body,
    Tail,
    Done,
}

struct InitiativeState {
    /// The companion partners CSV rather than the initiatives.
    partners: bool,
    registry: Registry,
    caller: Caller,
    filters: InitiativeQuery,
    format: ExportFormat,
    tenants: HashMap<Uuid, TenantInfo>,
    /// A batch read ahead (the first one, read before the stream starts).
    pending: Option<Vec<ExportedInitiative>>,
    after: Option<Uuid>,
    step: Step,
    written: u64,
}

impl InitiativeState {
    /// The next chunk, or `None` at the end. An error ends the stream after it.
    async fn next_chunk(&mut self) -> Option<ServiceResult<String>> {
        loop {
            match self.step {
                Step::Head => {
                    self.step = Step::Body;
                    let head = match self.format {
                        ExportFormat::Csv if self.partners => {
                            csv_line(PARTNER_COLUMNS.iter().copied())
                        }
                        ExportFormat::Csv => csv_line(
                            INITIATIVE_COLUMNS
                                .iter()
                                .chain(&TRANSLATED_COLUMNS)
                                .copied(),
                        ),
                        ExportFormat::Json => "[".to_owned(),
                        ExportFormat::Ndjson => String::new(),
                        ExportFormat::Iati => iati::head(Utc::now()),
                    };
                    if !head.is_empty() {
                        return Some(Ok(head));
                    }
                }
                Step::Body => {
                    let batch = match self.pending.take() {
                        Some(batch) => batch,
                        None => match self
                            .registry
                            .initiative_batch(
                                &self.caller,
                                &self.filters,
                                self.after,
                                &mut self.tenants,
                            )
                            .await
                        {
                            Ok(batch) => batch,
                            Err(e) => {
                                self.step = Step::Done;
                                return Some(Err(e));
                            }
                        },
                    };
                    let Some(last) = batch.last() else {
                        self.step = Step::Tail;
                        continue;
                    };
                    self.after = Some(last.initiative.id);
                    if (batch.len() as u64) < BATCH_SIZE {
                        // A short batch is the last one: no need to ask again.
                        self.pending = Some(Vec::new());
                    }
                    let mut out = String::new();
                    for item in &batch {
                        match self.format {
                            ExportFormat::Csv if self.partners => {
                                for row in partner_rows(item) {
                                    out.push_str(&csv_line(row));
                                }
                            }
                            ExportFormat::Csv => out.push_str(&csv_line(initiative_row(item))),
                            ExportFormat::Json | ExportFormat::Ndjson => {
                                if self.format == ExportFormat::Json && self.written > 0 {
                                    out.push(',');
                                }
                                match serde_json::to_string(item) {
                                    Ok(json) => out.push_str(&json),
                                    Err(e) => {
                                        self.step = Step::Done;
                                        return Some(Err(ServiceError::Internal(e.to_string())));
                                    }
                                }
                                out.push('\n');
                            }
                            ExportFormat::Iati => {
                                let tenant = self.tenants.get(&item.initiative.tenant_id);
                                iati::activity(&mut out, item, tenant);
                            }
                        }
                        self.written += 1;
                    }
                    crate::telemetry::export_rows("initiative", self.format, batch.len());
                    return Some(Ok(out));
                }
                Step::Tail => {
                    self.step = Step::Done;
                    let tail = match self.format {
                        ExportFormat::Json => "]\n",
                        ExportFormat::Iati => "</iati-activities>\n",
                        ExportFormat::Csv | ExportFormat::Ndjson => "",
                    };
                    if !tail.is_empty() {
                        return Some(Ok(tail.to_owned()));
                    }
                }
                Step::Done => return None,
            }
        }
    }
}

struct OrganizationState {
    registry: Registry,
    caller: Caller,
    filters: OrganizationQuery,
    format: ExportFormat,
    pending: Option<Vec<Organization>>,
    after: Option<Uuid>,
    step: Step,
    written: u64,
}

impl OrganizationState {
    async fn next_chunk(&mut self) -> Option<ServiceResult<String>> {
        loop {
            match self.step {
                Step::Head => {
                    self.step = Step::Body;
                    match self.format {
                        ExportFormat::Csv => {
                            return Some(Ok(csv_line(
                                ORGANIZATION_COLUMNS
                                    .iter()
                                    .chain(&ORGANIZATION_TRANSLATED_COLUMNS)
                                    .copied(),
                            )));
                        }
                        ExportFormat::Json => return Some(Ok("[".to_owned())),
                        _ => {}
                    }
                }
                Step::Body => {
                    let batch = match self.pending.take() {
                        Some(batch) => batch,
                        None => match self
                            .registry
                            .organization_batch(&self.caller, &self.filters, self.after)
                            .await
                        {
                            Ok(batch) => batch,
                            Err(e) => {
                                self.step = Step::Done;
                                return Some(Err(e));
                            }
                        },
                    };
                    let Some(last) = batch.last() else {
                        self.step = Step::Tail;
                        continue;
                    };
                    self.after = Some(last.id);
                    if (batch.len() as u64) < BATCH_SIZE {
                        self.pending = Some(Vec::new());
                    }
                    let mut out = String::new();
                    for org in &batch {
                        if self.format == ExportFormat::Csv {
                            out.push_str(&csv_line(organization_row(org)));
                        } else {
                            if self.format == ExportFormat::Json && self.written > 0 {
                                out.push(',');
                            }
                            match serde_json::to_string(org) {
                                Ok(json) => out.push_str(&json),
                                Err(e) => {
                                    self.step = Step::Done;
                                    return Some(Err(ServiceError::Internal(e.to_string())));
                                }
                            }
                            out.push('\n');
                        }
                        self.written += 1;
                    }
                    crate::telemetry::export_rows("organization", self.format, batch.len());
                    return Some(Ok(out));
                }
                Step::Tail => {
                    self.step = Step::Done;
                    if self.format == ExportFormat::Json {
                        return Some(Ok("]\n".to_owned()));
                    }
                }
                Step::Done => return None,
            }
        }
    }
}

/// The columns of the initiative CSV, in order. The import reads the same header (see
/// `crate::import`): the editable columns are taken, the derived ones ignored.
pub const INITIATIVE_COLUMNS: [&str; 34] = [
    "id",
    "tenant",
    "title",
    "summary",
    "description",
    "kind",
    "countries",
    "scale",
    "action_lines",
    "sdg_goals",
    "sdg_targets",
    "levers",
    "spectrum",
    "engagement_model",
    "form",
    "stage",
    "stage_changed_on",
    "start_date",
    "end_date",
    "outcome",
    "outcome_summary",
    "visibility",
    "iati_identifier",
    "external_identifiers",
    "sectors",
    "is_ppp",
    "is_multi_stakeholder",
    "reporting_status",
    "last_reported_on",
    "partners",
    "contributions",
    "version",
    "created_at",
    "updated_at",
];

/// The columns of an initiative's texts in each of the six languages (`title@fr`), after
/// [`INITIATIVE_COLUMNS`] and its `language`: a cell is that language's translation, empty
/// where it has none (the original's texts are in `title`… and their language in `language`).
/// A translation into a tag the six do not name exactly (`fr-CA`) is in the JSON exports only.
pub const TRANSLATED_COLUMNS: [&str; 25] = [
    "language",
    "title@ar",
    "summary@ar",
    "description@ar",
    "outcome_summary@ar",
    "title@en",
    "summary@en",
    "description@en",
    "outcome_summary@en",
    "title@es",
    "summary@es",
    "description@es",
    "outcome_summary@es",
    "title@fr",
    "summary@fr",
    "description@fr",
    "outcome_summary@fr",
    "title@ru",
    "summary@ru",
    "description@ru",
    "outcome_summary@ru",
    "title@zh",
    "summary@zh",
    "description@zh",
    "outcome_summary@zh",
];

/// The columns of an organisation's texts in each of the six languages (`name@fr`), after
/// [`ORGANIZATION_COLUMNS`] and its `language`, as [`TRANSLATED_COLUMNS`] are for initiatives.
pub const ORGANIZATION_TRANSLATED_COLUMNS: [&str; 19] = [
    "language",
    "name@ar",
    "acronym@ar",
    "description@ar",
    "name@en",
    "acronym@en",
    "description@en",
    "name@es",
    "acronym@es",
    "description@es",
    "name@fr",
    "acronym@fr",
    "description@fr",
    "name@ru",
    "acronym@ru",
    "description@ru",
    "name@zh",
    "acronym@zh",
    "description@zh",
];

/// The columns of the companion partners CSV (`GET /api/v1/export/partners?format=csv`), one
/// row per partner of each exported initiative, in order. The initiative columns name the row
/// of the initiatives file the partner belongs to (see `crate::import`).
pub const PARTNER_COLUMNS: [&str; 16] = [
    "initiative_id",
    "initiative_iati_identifier",
    "initiative_title",
    "initiative_countries",
    "organization_id",
    "organization_name",
    "organization_acronym",
    "organization_sector",
    "organization_country",
    "roles",
    "status",
    "gains",
    "interest",
    "influence",
    "joined_on",
    "left_on",
];

/// The columns of the organisation CSV, in order.
pub const ORGANIZATION_COLUMNS: [&str; 14] = [
    "id",
    "tenant_id",
    "name",
    "acronym",
    "sector",
    "sub_type",
    "country",
    "website",
    "description",
    "iati_identifier",
    "visibility",
    "version",
    "created_at",
    "updated_at",
];

pub(crate) use crate::codes::code;

fn opt_code<T: Serialize>(value: &Option<T>) -> String {
    value.as_ref().map(code).unwrap_or_default()
}

fn opt_text<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn joined<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

/// One CSV record with RFC 4180 quoting, ending in CRLF.
fn csv_line<I, S>(fields: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let escaped = escape_formula(field.as_ref());
        let field = escaped.as_ref();
        if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ')
        {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
    out
}

/// What a spreadsheet would run as a formula: a cell starting with `=`, `+`, `-`, `@`, a tab or
/// a carriage return (OWASP, "CSV injection").
fn formula_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// Escapes a CSV cell a spreadsheet would run as a formula with a leading `'` (OWASP). A cell
/// that already starts with `'` gets one too, so that [`unescape_formula`] (which the import
/// applies to every cell) gives back exactly the text exported.
pub fn escape_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if formula_trigger(c) || c == '\'' => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The inverse of [`escape_formula`]: drops one leading `'` when what follows starts with a
/// formula trigger or another `'`; any other cell is returned as it is.
pub fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(|c: char| formula_trigger(c) || c == '\'') => rest,
        _ => cell,
    }
}

/// Partners as `name (sector; role, role)` joined with ` | `.
pub fn flatten_partners(partners: &[Partner]) -> String {
    partners
        .iter()
        .map(|p| {
            let roles: Vec<String> = p.roles.iter().map(code).collect();
            if roles.is_empty() {
                format!("{} ({})", p.organization.name, code(&p.organization.sector))
            } else {
                format!(
                    "{} ({}; {})",
                    p.organization.name,
                    code(&p.organization.sector),
                    roles.join(", ")
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Contribution totals as `USD 1200.00; EUR 30.00` (pledged plus delivered, per currency).
pub fn flatten_totals(totals: &ContributionTotals) -> String {
    totals
        .by_currency
        .iter()
        .map(|c| format!("{} {}", c.currency, c.total))
        .collect::<Vec<_>>()
        .join("; ")
}

fn initiative_row(e: &ExportedInitiative) -> Vec<String> {
    let i = &e.initiative;
    vec![
        i.id.to_string(),
        e.tenant.clone(),
        i.title.clone(),
        opt_text(&i.summary),
        opt_text(&i.description),
        code(&i.kind),
        joined(&i.countries),
        opt_code(&i.scale),
        joined(&i.action_lines),
        joined(&i.sdg_goals),
        joined(&i.sdg_targets),
        i.levers.iter().map(code).collect::<Vec<_>>().join(";"),
        opt_code(&i.spectrum),
        opt_code(&i.engagement_model),
        opt_code(&i.form),
        code(&i.stage),
        i.stage_changed_on.to_string(),
        opt_text(&i.start_date),
        opt_text(&i.end_date),
        code(&i.outcome),
        opt_text(&i.outcome_summary),
        code(&i.visibility),
        opt_text(&i.iati_identifier),
        i.external_identifiers
            .iter()
            .map(|x| format!("{}:{}", x.scheme, x.identifier))
            .collect::<Vec<_>>()
            .join(";"),
        i.sectors.iter().map(code).collect::<Vec<_>>().join(";"),
        i.is_ppp.to_string(),
        i.is_multi_stakeholder.to_string(),
        code(&i.reporting_status),
        opt_text(&i.last_reported_on),
        flatten_partners(&e.partners),
        flatten_totals(&e.contribution_totals),
        i.version.to_string(),
        i.created_at.to_rfc3339(),
        i.updated_at.to_rfc3339(),
    ]
    .into_iter()
    .chain(translated_cells(
        &TRANSLATED_COLUMNS,
        &i.language,
        i.translations.as_ref(),
    ))
    .collect()
}

fn partner_rows(e: &ExportedInitiative) -> impl Iterator<Item = Vec<String>> + '_ {
    let i = &e.initiative;
    e.partners.iter().map(move |p| {
        vec![
            i.id.to_string(),
            opt_text(&i.iati_identifier),
            i.title.clone(),
            joined(&i.countries),
            p.organization.id.to_string(),
            p.organization.name.clone(),
            opt_text(&p.organization.acronym),
            code(&p.organization.sector),
            opt_text(&p.organization.country),
            p.roles.iter().map(code).collect::<Vec<_>>().join(";"),
            code(&p.status),
            p.gains.iter().map(code).collect::<Vec<_>>().join(";"),
            opt_text(&p.interest),
            opt_text(&p.influence),
            opt_text(&p.joined_on),
            opt_text(&p.left_on),
        ]
    })
}

/// The cells of `columns` (`language`, then `field@tag`): the record's original language, then
/// each language's translation of each field, empty where it has none.
fn translated_cells<'a>(
    columns: &'a [&'a str],
    language: &'a str,
    translations: Option<&'a TranslationMap>,
) -> impl Iterator<Item = String> + 'a {
    columns
        .iter()
        .map(move |column| match column.split_once('@') {
            None => language.to_owned(),
            Some((field, tag)) => translations
                .and_then(|t| t.get(tag))
                .and_then(|texts| texts.get(field))
                .cloned()
                .unwrap_or_default(),
        })
}

fn organization_row(o: &Organization) -> Vec<String> {
    vec![
        o.id.to_string(),
        o.tenant_id.to_string(),
        o.name.clone(),
        opt_text(&o.acronym),
        code(&o.sector),
        opt_text(&o.sub_type),
        opt_text(&o.country),
        opt_text(&o.website),
        opt_text(&o.description),
        opt_text(&o.iati_identifier),
        code(&o.visibility),
        o.version.to_string(),
        o.created_at.to_rfc3339(),
        o.updated_at.to_rfc3339(),
    ]
    .into_iter()
    .chain(translated_cells(
        &ORGANIZATION_TRANSLATED_COLUMNS,
        &o.language,
        o.translations.as_ref(),
    ))
    .collect()
}

/// IATI 2.03 activity XML. The mapping from the registry's vocabularies:
///
/// | IATI | from |
/// |---|---|
/// | `iati-identifier` | `iati_identifier`, else `MSPREG-{tenant-slug}-{id}` |
/// | `reporting-org` | the tenant: `ref="MSPREG-{tenant-slug}"`, type from the tenant kind (national registry 10, UN programme 40, donor portfolio 10, network/other 90) |
/// | `title`, `description` (type 1) | title; summary, else description, else title |
/// | `participating-org` | each active or former partner (prospects are left out), once per distinct IATI role of its roles (`partners::iati_role`: funder 1, lead/co-lead 2, coordinator 3, implementer/technical/beneficiary 4; 4 when it has none), `type` from the sector (see [`iati::organisation_type`]); the tenant as accountable (2) when there is none |
/// | `other-identifier` (type A1) | each external identifier other than IATI's |
/// | `activity-status` | journey stage (see [`activity_status`]) |
/// | `activity-date` | start date (2 actual start once implementing, else 1 planned), end date (4 actual end when closed or discontinued, else 3 planned); the registration date as planned start (1) when no date is known (IATI needs one) |
/// | `recipient-country` | countries, percentages split evenly summing to 100 |
/// | `sector` | SDG goals (vocabulary 7) and targets (vocabulary 8), each vocabulary's percentages summing to 100 |
/// | `tag` | WSIS action lines, vocabulary 99 (reporting organisation) with the WSIS Plan of Action as `vocabulary-uri` |
/// | `transaction` | each valued contribution: pledged → 13 incoming pledge, delivered → 1 incoming funds; `value` with currency and value-date = the contribution date (else its registration date); `provider-org` the partner |
pub mod iati {
    use std::fmt::Write;

    use chrono::{DateTime, Utc};
    use entity::enums::{ContributionStatus, JourneyStage, PartnerStatus, Sector, TenantKind};

    use super::{ExportedInitiative, TenantInfo};

    /// The vocabulary URI of the WSIS action line tags.
    pub const WSIS_VOCABULARY_URI: &str =
        "https://www.itu.int/net/wsis/docs/geneva/official/poa.html";

    /// IATI OrganisationType of a sector.
    pub fn organisation_type(sector: Sector) -> u8 {
        match sector {
            Sector::Government => 10,
            Sector::Business => 70,
            Sector::CivilSociety => 22,
            Sector::Academia => 80,
            Sector::UnitedNationsMultilateral => 40,
            Sector::Donor => 10,
            Sector::Foundation => 60,
        }
    }

    /// IATI ActivityStatus of a journey stage.
    pub fn activity_status(stage: JourneyStage) -> u8 {
        match stage {
            JourneyStage::UnderstandContext
            | JourneyStage::AgreeVision
            | JourneyStage::AgreePurpose
            | JourneyStage::AgreeObjectives
            | JourneyStage::AgreeResources
            | JourneyStage::Structure
            | JourneyStage::SignAgreement => 1,
            JourneyStage::Implementing | JourneyStage::Sustaining => 2,
            JourneyStage::Reviewing => 3,
            JourneyStage::Closed => 4,
            JourneyStage::Discontinued => 5,
        }
    }

    /// IATI TransactionType of a contribution status.
    pub fn transaction_type(status: ContributionStatus) -> u8 {
        match status {
            ContributionStatus::Pledged => 13,
            ContributionStatus::Delivered => 1,
        }
    }

    fn reporting_type(kind: TenantKind) -> u8 {
        match kind {
            TenantKind::NationalRegistry | TenantKind::DonorPortfolio => 10,
            TenantKind::UnProgramme => 40,
            TenantKind::PartnershipNetwork | TenantKind::Other => 90,
        }
    }

    /// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                '\t' | '\n' | '\r' => out.push(c),
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
                c => out.push(c),
            }
        }
        out
    }

    /// Splits 100 evenly over `n` items with two decimals; the last takes the rest.
    pub fn percentages(n: usize) -> Vec<String> {
        if n == 0 {
            return Vec::new();
        }
        let each = 10_000 / n as u64; // hundredths of a percent
        let mut out: Vec<u64> = vec![each; n];
        if let Some(last) = out.last_mut() {
            *last = 10_000 - each * (n as u64 - 1);
        }
        out.into_iter()
            .map(|h| format!("{}.{:02}", h / 100, h % 100))
            .collect()
    }

    pub(super) fn head(now: DateTime<Utc>) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\" generated-datetime=\"{}\">\n",
            now.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }

    /// The reporting organisation reference of a tenant.
    pub fn org_ref(slug: &str) -> String {
        format!("MSPREG-{slug}")
    }

    pub(super) fn activity(out: &mut String, e: &ExportedInitiative, tenant: Option<&TenantInfo>) {
        let i = &e.initiative;
        let slug = tenant.map(|t| t.slug.as_str()).unwrap_or("unknown");
        let identifier = i
            .iati_identifier
            .clone()
            .unwrap_or_else(|| format!("{}-{}", org_ref(slug), i.id));
        let _ = writeln!(
            out,
            "  <iati-activity last-updated-datetime=\"{}\" xml:lang=\"{}\">",
            i.updated_at.format("%Y-%m-%dT%H:%M:%SZ"),
            escape(&i.language)
        );
        let _ = writeln!(
            out,
            "    <iati-identifier>{}</iati-identifier>",
            escape(&identifier)
        );
        let _ = writeln!(
            out,
            "    <reporting-org ref=\"{}\" type=\"{}\"><narrative>{}</narrative></reporting-org>",
            escape(&org_ref(slug)),
            tenant.map(|t| reporting_type(t.kind)).unwrap_or(90),
            escape(tenant.map(|t| t.name.as_str()).unwrap_or(slug))
        );
        // The activity's own language is its original's; each translation is a narrative of
        // its own language (IATI `narrative/@xml:lang`).
        let translated = |field: &str| -> String {
            let mut narratives = String::new();
            for (tag, texts) in i.translations.iter().flatten() {
                if let Some(text) = texts.get(field) {
                    let _ = write!(
                        narratives,
                        "<narrative xml:lang=\"{}\">{}</narrative>",
                        escape(tag),
                        escape(text)
                    );
                }
            }
            narratives
        };
        let _ = writeln!(
            out,
            "    <title><narrative>{}</narrative>{}</title>",
            escape(&i.title),
            translated("title")
        );
        let (description, field) = match (&i.summary, &i.description) {
            (Some(summary), _) => (summary.as_str(), "summary"),
            (None, Some(description)) => (description.as_str(), "description"),
            (None, None) => (i.title.as_str(), "title"),
        };
        let _ = writeln!(
            out,
            "    <description type=\"1\"><narrative>{}</narrative>{}</description>",
            escape(description),
            translated(field)
        );
        // Prospects are not (yet) participating organisations: only active and former partners.
        let participants: Vec<&super::Partner> = e
            .partners
            .iter()
            .filter(|p| p.status != PartnerStatus::Prospect)
            .collect();
        if participants.is_empty() {
            let _ = writeln!(
                out,
                "    <participating-org ref=\"{}\" role=\"2\"><narrative>{}</narrative></participating-org>",
                escape(&org_ref(slug)),
                escape(tenant.map(|t| t.name.as_str()).unwrap_or(slug))
            );
        }
        for p in participants {
            let roles = if p.iati_roles.is_empty() {
                vec![4]
            } else {
                p.iati_roles.clone()
            };
            for role in roles {
                let _ = writeln!(
                    out,
                    "    <participating-org role=\"{role}\" type=\"{}\"><narrative>{}</narrative></participating-org>",
                    organisation_type(p.organization.sector),
                    escape(&p.organization.name)
                );
            }
        }
        for x in &i.external_identifiers {
            if x.scheme.eq_ignore_ascii_case("iati") {
                continue;
            }
            let _ = writeln!(
                out,
                "    <other-identifier ref=\"{}\" type=\"A1\"/>",
                escape(&format!("{}:{}", x.scheme, x.identifier))
            );
        }
        let _ = writeln!(
            out,
            "    <activity-status code=\"{}\"/>",
            activity_status(i.stage)
        );
        let started = !matches!(
            activity_status(i.stage),
            1 // still in the pipeline
        );
        let ended = matches!(i.stage, JourneyStage::Closed | JourneyStage::Discontinued);
        match i.start_date {
            Some(d) => {
                let _ = writeln!(
                    out,
                    "    <activity-date type=\"{}\" iso-date=\"{d}\"/>",
                    if started { 2 } else { 1 }
                );
            }
            None if i.end_date.is_none() => {
                let _ = writeln!(
                    out,
                    "    <activity-date type=\"1\" iso-date=\"{}\"/>",
                    i.created_at.date_naive()
                );
            }
            None => {}
        }
        if let Some(d) = i.end_date {
            let _ = writeln!(
                out,
                "    <activity-date type=\"{}\" iso-date=\"{d}\"/>",
                if ended { 4 } else { 3 }
            );
        }
        for (country, pct) in i.countries.iter().zip(percentages(i.countries.len())) {
            let _ = writeln!(
                out,
                "    <recipient-country code=\"{}\" percentage=\"{pct}\"/>",
                escape(country)
            );
        }
        for (goal, pct) in i.sdg_goals.iter().zip(percentages(i.sdg_goals.len())) {
            let _ = writeln!(
                out,
                "    <sector vocabulary=\"7\" code=\"{goal}\" percentage=\"{pct}\"/>"
            );
        }
        for (target, pct) in i.sdg_targets.iter().zip(percentages(i.sdg_targets.len())) {
            let _ = writeln!(
                out,
                "    <sector vocabulary=\"8\" code=\"{}\" percentage=\"{pct}\"/>",
                escape(target)
            );
        }
        for line in &i.action_lines {
            let _ = writeln!(
                out,
                "    <tag vocabulary=\"99\" vocabulary-uri=\"{WSIS_VOCABULARY_URI}\" code=\"{}\"><narrative>WSIS action line {}</narrative></tag>",
                escape(line),
                escape(line)
            );
        }
        for c in &e.contributions {
            let (Some(amount), Some(currency)) = (&c.amount, &c.currency) else {
                continue;
            };
            let date = c
                .contributed_on
                .unwrap_or_else(|| c.created_at.date_naive());
            let _ = writeln!(out, "    <transaction>");
            let _ = writeln!(
                out,
                "      <transaction-type code=\"{}\"/>",
                transaction_type(c.status)
            );
            let _ = writeln!(out, "      <transaction-date iso-date=\"{date}\"/>");
            let _ = writeln!(
                out,
                "      <value currency=\"{}\" value-date=\"{date}\">{}</value>",
                escape(currency),
                escape(amount)
            );
            let kind = super::code(&c.resource_kind);
            let text = match &c.description {
                Some(d) => format!("{kind}: {d}"),
                None => kind,
            };
            let _ = writeln!(
                out,
                "      <description><narrative>{}</narrative></description>",
                escape(&text)
            );
            let _ = writeln!(
                out,
                "      <provider-org><narrative>{}</narrative></provider-org>",
                escape(&c.organization_name)
            );
            let _ = writeln!(out, "    </transaction>");
        }
        let _ = writeln!(out, "  </iati-activity>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped_and_read_back_exactly() {
        for (cell, written) in [
            ("=1+1", "'=1+1"),
            ("+33 1 23", "'+33 1 23"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'quoted", "''quoted"),
            ("''", "'''"),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(escape_formula(cell), written, "{cell:?}");
            assert_eq!(unescape_formula(written), cell, "{written:?}");
        }
        // A hand-written quote before something harmless stays.
        assert_eq!(unescape_formula("'not a formula"), "'not a formula");
    }
}
