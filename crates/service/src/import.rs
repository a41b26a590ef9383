//! Bulk import of initiatives from CSV, a JSON array or NDJSON, into the caller's tenant.
//!
//! - **Validation first.** Every row is parsed and checked by the same rules as a single create
//!   (`initiatives::validate_new`); then every row is applied inside ONE transaction, where the
//!   create and update paths run their own checks (publishing, journey). Every problem of every
//!   row is collected; if there is any, nothing is written and the answer is a 422 whose
//!   `errors` name the field as `rows[N].field`, `N` being the row's line number: the physical
//!   line where the record starts for CSV (the header is line 1), the array index + 1 for JSON,
//!   the line for NDJSON.
//! - **Bulk writes.** Rows that update an existing initiative go first, one by one through the
//!   update path; then new initiatives are written by the bulk create (multi-row inserts, 500
//!   initiatives a round: the same checks and the same rows, history and feed events as a
//!   single create), in the file's order. So the history and the change feed list an import's
//!   updates before its creates.
//! - **Dry run.** `dry_run` runs the same import in a transaction that is rolled back: it writes
//!   nothing and reports exactly what a real run would do.
//! - **Upsert by external identifier.** A row whose `iati_identifier` matches an initiative of
//!   the tenant updates it, changing only the fields the row gives (CSV: the columns present;
//!   JSON: the keys present) and only when they differ: re-running the same file changes
//!   nothing (no new version, no history entry). Rows without an identifier are always created.
//!   Stage changes from an import may skip journey steps (the reason recorded is "bulk import").
//! - **Duplicates.** The same `iati_identifier` twice in one file is an error. The same title and
//!   country as another initiative of the tenant (or another row of the file) is reported in the
//!   answer's `duplicates` as a likely duplicate, and does not stop the import.
//! - **Limits.** At most `Settings::import_max_rows` rows (422 `too_many_rows` on `body`); the
//!   api enforces the body size (`Settings::import_body_limit_bytes`, 413).
//! - Columns and keys the export writes but an import cannot set (`id`, `tenant`, derived fields,
//!   `partners`, `contributions`, `levers`...) are ignored, so an export can be imported again.

use std::collections::{HashMap, HashSet};

use entity::{
    enums::{Role, Visibility},
    initiative,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

mod partners;

use crate::{
    Caller, Registry,
    duplicates::DuplicateCandidate,
    error::{FieldError, ServiceError, ServiceResult},
    export::unescape_formula,
    history::WriteMeta,
    initiatives::{ExternalIdentifier, Initiative, InitiativePatch, NewInitiative, validate_new},
    precondition::Precondition,
    validation::name_key,
    write::UnitOfWork,
};

/// The body's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Csv,
    Json,
    Ndjson,
}

impl ImportFormat {
    /// The format of a media type (`text/csv`, `application/json`, `application/x-ndjson`).
    pub fn from_media_type(essence: &str) -> Option<Self> {
        match essence {
            "text/csv" => Some(ImportFormat::Csv),
            "application/json" => Some(ImportFormat::Json),
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" => {
                Some(ImportFormat::Ndjson)
            }
            _ => None,
        }
    }

    /// The format of a file name's extension (`.csv`, `.json`, `.ndjson`/`.jsonl`).
    pub fn from_path(path: &str) -> Option<Self> {
        let ext = path.rsplit('.').next()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(ImportFormat::Csv),
            "json" => Some(ImportFormat::Json),
            "ndjson" | "jsonl" => Some(ImportFormat::Ndjson),
            _ => None,
        }
    }
}

/// How failures are handled. Only `all_or_nothing` (the default) exists: one bad row and
/// nothing is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    #[default]
    AllOrNothing,
}

/// Options of an import.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub mode: ImportMode,
}

/// What happened (or, in a dry run, would happen) to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Created,
    Updated,
    Unchanged,
}

/// One row's outcome.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportedRow {
    /// The row's line number (see the module documentation).
    pub line: usize,
    pub action: RowAction,
    /// The initiative's id (in a dry run, the id it would have had: not kept).
    pub id: Uuid,
    pub iati_identifier: Option<String>,
    /// The initiative's version after the import.
    pub version: i32,
    /// For a created row: other initiatives the caller can read (its tenant's, and other
    /// tenants' public ones) that may be the same partnership, best first, as a create answers
    /// them (a warning: the row was imported). Empty for updated and unchanged rows.
    pub possible_duplicates: Vec<DuplicateCandidate>,
}

/// A likely duplicate: a row with the same title and a common country as another initiative
/// of the tenant or another row of the file.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LikelyDuplicate {
    pub line: usize,
    /// `same_title_and_country` (an existing initiative) or `same_title_and_country_in_file`.
    pub kind: String,
    /// The existing initiative it resembles.
    pub existing_id: Option<Uuid>,
    /// The other row of the file it resembles.
    pub other_line: Option<usize>,
    pub message: String,
}

/// The answer of an import that had no errors.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub mode: ImportMode,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub items: Vec<ImportedRow>,
    pub duplicates: Vec<LikelyDuplicate>,
}

/// A parsed row: the create input, which fields the row gives, the id it was exported with and
/// its partners (when the row or the companion CSV lists them).
struct Row {
    line: usize,
    id: Option<Uuid>,
    input: NewInitiative,
    given: HashSet<&'static str>,
    partners: Option<Vec<partners::PartnerRow>>,
}

/// The fields an import sets.
const EDITABLE: [&str; 23] = [
    "title",
    "summary",
    "description",
    "kind",
    "countries",
    "scale",
    "action_lines",
    "sdg_goals",
    "sdg_targets",
    "spectrum",
    "engagement_model",
    "form",
    "stage",
    // The day of the stage: the `changed_on` of a new initiative, or of a changed stage.
    "stage_changed_on",
    "start_date",
    "end_date",
    "outcome",
    "outcome_summary",
    "visibility",
    "iati_identifier",
    "external_identifiers",
    // The original language (taken by a create; an update keeps the initiative's) and the
    // texts in other languages (JSON: a map by tag; CSV: the `title@fr`… columns).
    "language",
    "translations",
];

/// What the export writes that an import does not set (ignored when present).
const IGNORED: [&str; 20] = [
    "id",
    "tenant",
    "tenant_id",
    "levers",
    "needs",
    "sectors",
    "is_ppp",
    "is_multi_stakeholder",
    "reporting_status",
    "last_reported_on",
    "partners",
    "contributions",
    "contribution_totals",
    "stage_changes",
    "stage_changed_at",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
];

fn editable(name: &str) -> Option<&'static str> {
    EDITABLE
        .iter()
        .chain(&crate::export::TRANSLATED_COLUMNS)
        .copied()
        .find(|f| *f == name)
}

fn row_field(line: usize, field: &str) -> String {
    if field.is_empty() || field == "body" {
        format!("rows[{line}]")
    } else {
        format!("rows[{line}].{field}")
    }
}

/// Prefixes the fields of an initiative's validation error with the row, each named as the
/// file names its column: the API's `changed_on` is the file's `stage_changed_on`.
fn in_row(line: usize, err: ServiceError, errors: &mut Vec<FieldError>) -> ServiceResult<()> {
    let from = errors.len();
    in_field(&row_field(line, ""), err, errors)?;
    let api_name = row_field(line, "changed_on");
    for e in &mut errors[from..] {
        if e.field == api_name {
            e.field = row_field(line, "stage_changed_on");
        }
    }
    Ok(())
}

/// Prefixes the fields of a validation error (or a conflict) with `prefix` (`rows[3]`,
/// `rows[3].partners[0]`, `partners[5]`); any other error is returned.
fn in_field(prefix: &str, err: ServiceError, errors: &mut Vec<FieldError>) -> ServiceResult<()> {
    let at = |field: &str| {
        if field.is_empty() || field == "body" {
            prefix.to_owned()
        } else {
            format!("{prefix}.{field}")
        }
    };
    match err {
        ServiceError::Validation(list) | ServiceError::BadRequest { errors: list, .. }
            if !list.is_empty() =>
        {
            errors.extend(
                list.into_iter()
                    .map(|e| FieldError::new(at(&e.field), e.code, e.message)),
            );
            Ok(())
        }
        ServiceError::Conflict(message) => {
            errors.push(FieldError::new(prefix, "conflict", message));
            Ok(())
        }
        other => Err(other),
    }
}

/// The physical line where a CSV record starts, counted incrementally from byte offsets (the
/// csv reader's own line count lags behind on CRLF endings).
struct LineCounter<'a> {
    body: &'a [u8],
    seen_byte: usize,
    seen_line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(body: &'a [u8]) -> Self {
        Self {
            body,
            seen_byte: 0,
            seen_line: 1,
        }
    }

    fn at(&mut self, byte: usize) -> usize {
        let body = self.body;
        let mut start = byte.min(body.len());
        while start < body.len() && matches!(body[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.seen_byte {
            self.seen_line += body[self.seen_byte..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.seen_byte = start;
        }
        self.seen_line
    }
}

/// The natural key of an initiative: its title's key (case and spacing ignored) and its set of
/// countries (upper case, sorted).
fn natural_key(title: &str, countries: &[String]) -> (String, Vec<String>) {
    let mut countries: Vec<String> = countries
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .collect();
    countries.sort_unstable();
    countries.dedup();
    (name_key(title), countries)
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One CSV record to a row; problems go to `errors`.
fn csv_row(
    line: usize,
    headers: &[(usize, &'static str)],
    id_column: Option<usize>,
    record: &csv::StringRecord,
    errors: &mut Vec<FieldError>,
) -> Option<Row> {
    let mut obj = Map::new();
    let mut given = HashSet::new();
    let mut ok = true;
    let id = match id_column.and_then(|i| record.get(i)).map(str::trim) {
        None | Some("") => None,
        Some(raw) => match raw.parse::<Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                ok = false;
                errors.push(FieldError::new(
                    row_field(line, "id"),
                    "invalid",
                    format!("`{raw}` is not an id (a UUID); leave it empty for a new initiative"),
                ));
                None
            }
        },
    };
    let mut translations = Map::new();
    for (index, field) in headers {
        // The export escapes what a spreadsheet would run as a formula; undo exactly that.
        let raw = unescape_formula(record.get(*index).unwrap_or("").trim());
        // `title@fr`: a text of the French translation; empty cells give none.
        if let Some((name, tag)) = field.split_once('@') {
            given.insert("translations");
            if !raw.is_empty()
                && let Value::Object(texts) = translations
                    .entry(tag.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()))
            {
                texts.insert(name.to_owned(), Value::from(raw));
            }
            continue;
        }
        let value = match *field {
            "countries" | "action_lines" | "sdg_targets" => Value::from(split_list(raw)),
            "sdg_goals" => {
                let mut goals = Vec::new();
                for (i, g) in split_list(raw).iter().enumerate() {
                    match g.parse::<u8>() {
                        Ok(n) => goals.push(Value::from(n)),
                        Err(_) => {
                            ok = false;
                            errors.push(FieldError::new(
                                row_field(line, &format!("sdg_goals[{i}]")),
                                "invalid_sdg_goal",
                                format!("`{g}` is not an SDG goal number (1 to 17)"),
                            ));
                        }
                    }
                }
                Value::from(goals)
            }
            "external_identifiers" => {
                let mut ids = Vec::new();
                for (i, item) in split_list(raw).iter().enumerate() {
                    match item.split_once(':') {
                        Some((scheme, identifier)) => ids.push(serde_json::json!({
                            "scheme": scheme.trim(), "identifier": identifier.trim()
                        })),
                        None => {
                            ok = false;
                            errors.push(FieldError::new(
                                row_field(line, &format!("external_identifiers[{i}]")),
                                "invalid",
                                "write each identifier as scheme:identifier, separated by ;",
                            ));
                        }
                    }
                }
                Value::from(ids)
            }
            // An empty cell leaves these as they are (or their defaults on create).
            "stage" | "outcome" | "visibility" | "kind" if raw.is_empty() => continue,
            _ if raw.is_empty() => Value::Null,
            _ => Value::from(raw),
        };
        obj.insert((*field).to_owned(), value);
        given.insert(*field);
    }
    if given.contains("translations") {
        obj.insert("translations".to_owned(), Value::Object(translations));
    }
    let row = json_fields(line, obj, given, errors).map(|row| Row { id, ..row });
    if ok { row } else { None }
}

/// A JSON object (keys already filtered) to a row, field by field so that each problem names
/// its field.
fn json_fields(
    line: usize,
    obj: Map<String, Value>,
    given: HashSet<&'static str>,
    errors: &mut Vec<FieldError>,
) -> Option<Row> {
    let before = errors.len();
    let mut clean = Map::new();
    for (key, value) in obj {
        // Check each field alone: an enum, date or number of the wrong shape names its field.
        let problem = match key.as_str() {
            "kind" => check_value::<entity::enums::InitiativeKind>(&value),
            "scale" => check_value::<Option<entity::enums::Scale>>(&value),
            "spectrum" => check_value::<Option<entity::enums::Spectrum>>(&value),
            "engagement_model" => check_value::<Option<entity::enums::EngagementModel>>(&value),
            "form" => check_value::<Option<entity::enums::PartnershipForm>>(&value),
            "stage" => check_value::<Option<entity::enums::JourneyStage>>(&value),
            "outcome" => check_value::<Option<entity::enums::Outcome>>(&value),
            "visibility" => check_value::<entity::enums::Visibility>(&value),
            "start_date" | "end_date" | "stage_changed_on" => {
                check_value::<Option<chrono::NaiveDate>>(&value)
            }
            "countries" | "action_lines" | "sdg_targets" => check_value::<Vec<String>>(&value),
            "sdg_goals" => check_value::<Vec<u8>>(&value),
            "external_identifiers" => check_value::<Vec<ExternalIdentifier>>(&value),
            "title" => check_value::<String>(&value),
            "translations" => check_value::<Option<crate::translations::TranslationMap>>(&value),
            _ => check_value::<Option<String>>(&value),
        };
        if let Some(message) = problem {
            errors.push(FieldError::new(row_field(line, &key), "invalid", message));
        } else if key == "stage_changed_on" {
            clean.insert("changed_on".to_owned(), value);
        } else {
            clean.insert(key, value);
        }
    }
    if !clean.contains_key("title") && before == errors.len() {
        errors.push(FieldError::new(
            row_field(line, "title"),
            "required",
            "is required",
        ));
    }
    if !clean.contains_key("kind") && !errors[before..].iter().any(|e| e.field.ends_with(".kind")) {
        errors.push(FieldError::new(
            row_field(line, "kind"),
            "required",
            "is required (ppp or msp)",
        ));
    }
    if errors.len() > before {
        return None;
    }
    match serde_json::from_value::<NewInitiative>(Value::Object(clean)) {
        Ok(input) => Some(Row {
            line,
            id: None,
            input,
            given,
            partners: None,
        }),
        Err(e) => {
            errors.push(FieldError::new(
                row_field(line, ""),
                "invalid",
                e.to_string(),
            ));
            None
        }
    }
}

fn check_value<T: DeserializeOwned>(value: &Value) -> Option<String> {
    serde_json::from_value::<T>(value.clone())
        .err()
        .map(|e| match value {
            Value::String(s) => format!("`{s}` is not an accepted value ({e})"),
            _ => e.to_string(),
        })
}

/// A JSON value (one array item or NDJSON line) to a row.
fn json_row(line: usize, value: Value, errors: &mut Vec<FieldError>) -> Option<Row> {
    let Value::Object(map) = value else {
        errors.push(FieldError::new(
            row_field(line, ""),
            "invalid",
            "each row must be a JSON object",
        ));
        return None;
    };
    let mut obj = Map::new();
    let mut given = HashSet::new();
    let mut ok = true;
    let mut id = None;
    let mut partner_rows = None;
    for (key, value) in map {
        if let Some(field) = editable(&key) {
            given.insert(field);
            obj.insert(key, value);
        } else if key == "id" {
            match value {
                Value::Null => {}
                Value::String(raw) if raw.trim().is_empty() => {}
                Value::String(raw) => {
                    match raw.trim().parse::<Uuid>() {
                        Ok(v) => id = Some(v),
                        Err(_) => {
                            ok = false;
                            errors.push(FieldError::new(
                            row_field(line, "id"),
                            "invalid",
                            format!("`{raw}` is not an id (a UUID); leave it out for a new initiative"),
                        ));
                        }
                    }
                }
                _ => {
                    ok = false;
                    errors.push(FieldError::new(
                        row_field(line, "id"),
                        "invalid",
                        "must be an id (a UUID as a string)",
                    ));
                }
            }
        } else if key == "partners" {
            let before = errors.len();
            let rows = partners::from_json(&row_field(line, "partners"), value, errors);
            ok &= errors.len() == before;
            partner_rows = Some(rows);
        } else if !IGNORED.contains(&key.as_str()) {
            ok = false;
            errors.push(FieldError::new(
                row_field(line, &key),
                "unknown_field",
                "is not a field of an initiative",
            ));
        }
    }
    let row = json_fields(line, obj, given, errors).map(|row| Row {
        id,
        partners: partner_rows,
        ..row
    });
    if ok { row } else { None }
}

/// Parses the body into rows, collecting every problem; refuses more than `max_rows` rows.
fn parse(
    format: ImportFormat,
    body: &[u8],
    max_rows: usize,
) -> ServiceResult<(Vec<Row>, Vec<FieldError>)> {
    let too_many = || {
        ServiceError::Validation(vec![FieldError::new(
            "body",
            "too_many_rows",
            format!("an import takes at most {max_rows} rows; split the file"),
        )])
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    match format {
        ImportFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(true)
                .from_reader(body);
            let header = reader
                .headers()
                .map_err(|e| ServiceError::bad_parameter("body", format!("not CSV: {e}")))?
                .clone();
            let mut columns = Vec::new();
            let mut id_column = None;
            for (index, name) in header.iter().enumerate() {
                let name = name.trim().trim_start_matches('\u{feff}');
                if name == "id" {
                    id_column = Some(index);
                } else if let Some(field) = editable(name) {
                    columns.push((index, field));
                } else if !IGNORED.contains(&name) {
                    errors.push(FieldError::new(
                        row_field(1, name),
                        "unknown_column",
                        "is not a column of the initiative CSV",
                    ));
                }
            }
            let width = header.len();
            let mut record = csv::StringRecord::new();
            let mut lines = LineCounter::new(body);
            let mut line_at = |byte: usize| lines.at(byte);
            loop {
                match reader.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line =
                            line_at(record.position().map(|p| p.byte() as usize).unwrap_or(0));
                        if record.iter().all(|f| f.trim().is_empty()) {
                            continue;
                        }
                        if rows.len() + 1 > max_rows {
                            return Err(too_many());
                        }
                        if record.len() != width {
                            errors.push(FieldError::new(
                                row_field(line, ""),
                                "malformed",
                                format!("has {} fields where the header has {width}", record.len()),
                            ));
                            continue;
                        }
                        if let Some(row) = csv_row(line, &columns, id_column, &record, &mut errors)
                        {
                            rows.push(row);
                        }
                    }
                    Err(e) => {
                        let line = line_at(e.position().map(|p| p.byte() as usize).unwrap_or(0));
                        errors.push(FieldError::new(
                            row_field(line, ""),
                            "malformed",
                            format!("is not valid CSV: {e}"),
                        ));
                        if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                            break;
                        }
                    }
                }
            }
        }
        ImportFormat::Json => {
            let items: Vec<Value> = serde_json::from_slice(body).map_err(|e| {
                ServiceError::bad_parameter("body", format!("not a JSON array: {e}"))
            })?;
            if items.len() > max_rows {
                return Err(too_many());
            }
            for (i, item) in items.into_iter().enumerate() {
                if let Some(row) = json_row(i + 1, item, &mut errors) {
                    rows.push(row);
                }
            }
        }
        ImportFormat::Ndjson => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ServiceError::bad_parameter("body", "is not UTF-8"))?;
            let mut count = 0;
            for (i, raw) in text.lines().enumerate() {
                if raw.trim().is_empty() {
                    continue;
                }
                count += 1;
                if count > max_rows {
                    return Err(too_many());
                }
                match serde_json::from_str::<Value>(raw) {
                    Ok(value) => {
                        if let Some(row) = json_row(i + 1, value, &mut errors) {
                            rows.push(row);
                        }
                    }
                    Err(e) => errors.push(FieldError::new(
                        row_field(i + 1, ""),
                        "malformed",
                        format!("is not JSON: {e}"),
                    )),
                }
            }
        }
    }
    Ok((rows, errors))
}

/// The parsing stage of an import alone, without a database: the line of every row that parses
/// and every problem found, of the file and of a companion partners CSV. For the fuzz target
/// `import_file` (fuzz/, through `crate::fuzzing`).
pub(crate) fn parse_only(
    format: ImportFormat,
    body: &[u8],
    companion: Option<&[u8]>,
    max_rows: usize,
) -> ServiceResult<(Vec<usize>, Vec<FieldError>)> {
    let (rows, mut errors) = parse(format, body, max_rows)?;
    let mut lines: Vec<usize> = rows.iter().map(|row| row.line).collect();
    if let Some(companion) = companion {
        let (list, problems) = partners::from_csv(companion, max_rows)?;
        lines.extend(list.iter().map(|(line, _, _)| *line));
        errors.extend(problems);
    }
    Ok((lines, errors))
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let a: HashSet<&String> = a.iter().collect();
    let b: HashSet<&String> = b.iter().collect();
    a == b
}

/// The patch that brings `current` to the row (only given fields that differ); `None` when
/// nothing differs.
fn patch_of(
    row: &Row,
    n: &NewInitiative,
    current: &Initiative,
    current_translations: &crate::translations::TranslationMap,
) -> Option<InitiativePatch> {
    let g = |f: &str| row.given.contains(f);
    let mut p = InitiativePatch::default();
    let mut changed = false;
    macro_rules! set {
        ($field:ident, $value:expr) => {{
            p.$field = Some($value);
            changed = true;
        }};
    }
    if g("title") && n.title != current.title {
        set!(title, n.title.clone());
    }
    if g("summary") && n.summary != current.summary {
        set!(summary, n.summary.clone());
    }
    if g("description") && n.description != current.description {
        set!(description, n.description.clone());
    }
    if g("kind") && n.kind != current.kind {
        set!(kind, n.kind);
    }
    if g("countries") && !same_set(&n.countries, &current.countries) {
        set!(countries, n.countries.clone());
    }
    if g("scale") && n.scale != current.scale {
        set!(scale, n.scale);
    }
    if g("action_lines") && !same_set(&n.action_lines, &current.action_lines) {
        set!(action_lines, n.action_lines.clone());
    }
    if g("sdg_goals") {
        let mut a = n.sdg_goals.clone();
        a.sort_unstable();
        let mut b = current.sdg_goals.clone();
        b.sort_unstable();
        if a != b {
            set!(sdg_goals, n.sdg_goals.clone());
        }
    }
    if g("sdg_targets") && !same_set(&n.sdg_targets, &current.sdg_targets) {
        set!(sdg_targets, n.sdg_targets.clone());
    }
    if g("spectrum") && n.spectrum != current.spectrum {
        set!(spectrum, n.spectrum);
    }
    if g("engagement_model") && n.engagement_model != current.engagement_model {
        set!(engagement_model, n.engagement_model);
    }
    if g("form") && n.form != current.form {
        set!(form, n.form);
    }
    if let Some(stage) = n.stage
        && stage != current.stage
    {
        set!(stage, stage);
        if g("stage_changed_on") {
            p.changed_on = n.changed_on;
        }
    }
    if g("start_date") && n.start_date != current.start_date {
        set!(start_date, n.start_date);
    }
    if g("end_date") && n.end_date != current.end_date {
        set!(end_date, n.end_date);
    }
    if let Some(outcome) = n.outcome
        && outcome != current.outcome
    {
        set!(outcome, outcome);
    }
    if g("outcome_summary") && n.outcome_summary != current.outcome_summary {
        set!(outcome_summary, n.outcome_summary.clone());
    }
    if g("visibility") && n.visibility != current.visibility {
        set!(visibility, n.visibility);
    }
    if g("iati_identifier") && n.iati_identifier != current.iati_identifier {
        set!(iati_identifier, n.iati_identifier.clone());
    }
    if g("external_identifiers") && n.external_identifiers != current.external_identifiers {
        set!(external_identifiers, n.external_identifiers.clone());
    }
    if g("translations") {
        // The row's translations are all of them: a language it leaves out is removed.
        let mut wanted = n.translations.clone().unwrap_or_default();
        wanted.retain(|_, texts| !texts.is_empty());
        if wanted != *current_translations {
            for tag in current_translations.keys() {
                wanted.entry(tag.clone()).or_default();
            }
            set!(translations, wanted);
        }
    }
    changed.then_some(p)
}

/// Attaches each row of the companion partners CSV to the initiative row it names: by
/// `initiative_id` (the row's `id`), else `initiative_iati_identifier`, else
/// `initiative_title` with `initiative_countries` (the natural key).
fn attach_partners(
    rows: &mut [Row],
    companion: Vec<partners::CompanionRow>,
    errors: &mut Vec<FieldError>,
) {
    // One index per way a partner row names its initiative row (the first row wins, as a
    // scan would): a lookup per partner row, not a scan of every initiative row.
    let mut by_id = HashMap::new();
    let mut by_iati = HashMap::new();
    let mut by_key = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(id) = row.id {
            by_id.entry(id).or_insert(i);
        }
        if let Some(iati) = row.input.iati_identifier.as_deref() {
            by_iati.entry(iati.trim().to_owned()).or_insert(i);
        }
        by_key
            .entry(natural_key(&row.input.title, &row.input.countries))
            .or_insert(i);
    }
    for (line, r, partner) in companion {
        let found =
            r.id.and_then(|id| by_id.get(&id))
                .or_else(|| by_iati.get(r.iati_identifier.as_deref()?))
                .or_else(|| by_key.get(&natural_key(r.title.as_deref()?, &r.countries)))
                .copied();
        match found {
            Some(i) => rows[i].partners.get_or_insert_with(Vec::new).push(partner),
            None => errors.push(FieldError::new(
                format!("partners[{line}].initiative_id"),
                "unknown_initiative",
                "matches no row of the initiatives file (by initiative_id, initiative_iati_identifier, or initiative_title with initiative_countries)",
            )),
        }
    }
}

/// Where a row goes: an existing initiative of the tenant, or a new one.
enum Target {
    Existing(Box<Initiative>),
    New,
}

/// A row that creates an initiative, while the bulk create runs.
struct PendingCreate {
    line: usize,
    iati_identifier: Option<String>,
    partners: Option<Vec<partners::PartnerRow>>,
    /// Created private, published once its partners are in.
    publish_later: bool,
}

impl Registry {
    /// Imports initiatives into the caller's tenant (editors and above). See the module
    /// documentation for the rules; the HTTP endpoint and the CLI both call this.
    pub async fn import_initiatives(
        &self,
        caller: &Caller,
        format: ImportFormat,
        body: &[u8],
        options: ImportOptions,
    ) -> ServiceResult<ImportReport> {
        self.import_initiatives_with_partners(caller, format, body, None, options)
            .await
    }

    /// [`Registry::import_initiatives`] with the companion partners CSV (the shape of
    /// `GET /api/v1/export/partners?format=csv`): its rows become partners of the initiative
    /// rows they name. Its problems are named `partners[N].column`.
    pub async fn import_initiatives_with_partners(
        &self,
        caller: &Caller,
        format: ImportFormat,
        body: &[u8],
        partners_csv: Option<&[u8]>,
        options: ImportOptions,
    ) -> ServiceResult<ImportReport> {
        let principal = caller.require(Role::Editor)?.clone();
        let tenant_id = principal.tenant_id;
        let max_rows = self.settings().import_max_rows;
        let (mut rows, mut errors) = parse(format, body, max_rows)?;
        if rows.is_empty() && errors.is_empty() {
            return Err(ServiceError::Validation(vec![FieldError::new(
                "body",
                "empty",
                "the file has no rows",
            )]));
        }
        if let Some(companion) = partners_csv {
            let (list, problems) = partners::from_csv(companion, max_rows)?;
            errors.extend(problems);
            attach_partners(&mut rows, list, &mut errors);
        }

        // 1. Every row by the rules of create.
        let mut checked: Vec<(Row, NewInitiative)> = Vec::with_capacity(rows.len());
        for row in rows {
            match validate_new(&row.input) {
                Ok(n) => checked.push((row, n)),
                Err(e) => in_row(row.line, e, &mut errors)?,
            }
        }

        // 2. The same IATI identifier twice in the file.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (row, n) in &checked {
            if let Some(id) = &n.iati_identifier {
                if let Some(first) = seen.get(id) {
                    errors.push(FieldError::new(
                        row_field(row.line, "iati_identifier"),
                        "duplicate_in_file",
                        format!("`{id}` is also on line {first}"),
                    ));
                } else {
                    seen.insert(id.clone(), row.line);
                }
            }
        }

        // 3. What exists already: by id, by IATI identifier, and by title (for the natural
        // key and for likely duplicates).
        let ids: Vec<Uuid> = checked.iter().filter_map(|(row, _)| row.id).collect();
        let mut by_id: HashMap<Uuid, Initiative> = HashMap::new();
        for chunk in ids.chunks(500) {
            let found = initiative::Entity::find()
                .filter(crate::tenancy::own::<initiative::Entity>(tenant_id))
                .filter(initiative::Column::Id.is_in(chunk.iter().copied()))
                .all(self.db())
                .await?;
            for view in self.views(found).await? {
                by_id.insert(view.id, view);
            }
        }
        let identifiers: Vec<String> = seen.keys().cloned().collect();
        let mut existing: HashMap<String, Initiative> = HashMap::new();
        for chunk in identifiers.chunks(500) {
            let found = initiative::Entity::find()
                .filter(crate::tenancy::own::<initiative::Entity>(tenant_id))
                .filter(initiative::Column::IatiIdentifier.is_in(chunk.iter().cloned()))
                .all(self.db())
                .await?;
            for view in self.views(found).await? {
                if let Some(key) = view.iati_identifier.clone() {
                    existing.insert(key, view);
                }
            }
        }
        let title_keys: Vec<String> = {
            let set: HashSet<String> = checked.iter().map(|(_, n)| name_key(&n.title)).collect();
            set.into_iter().collect()
        };
        let mut by_title: HashMap<String, Vec<Initiative>> = HashMap::new();
        for chunk in title_keys.chunks(500) {
            let found = initiative::Entity::find()
                .filter(crate::tenancy::own::<initiative::Entity>(tenant_id))
                .filter(initiative::Column::TitleKey.is_in(chunk.iter().cloned()))
                .all(self.db())
                .await?;
            for view in self.views(found).await? {
                by_title
                    .entry(name_key(&view.title))
                    .or_default()
                    .push(view);
            }
        }

        // 4. The target of each row: its id (an initiative of the tenant), else its IATI
        // identifier, else (for a row with neither) its natural key among the initiatives no
        // other row of the file claims. One initiative is the target of one row at most.
        let mut targets: Vec<Option<Target>> = Vec::with_capacity(checked.len());
        let mut claimed: HashMap<Uuid, usize> = HashMap::new();
        for (row, n) in &checked {
            let found = row
                .id
                .and_then(|id| by_id.get(&id))
                .or_else(|| n.iati_identifier.as_ref().and_then(|i| existing.get(i)));
            match found {
                Some(current) => {
                    // A row found by its id may not take an IATI identifier another
                    // initiative of the tenant holds: the identifier names one activity.
                    if let Some(holder) = n
                        .iati_identifier
                        .as_ref()
                        .and_then(|i| existing.get(i))
                        .filter(|holder| holder.id != current.id)
                    {
                        errors.push(FieldError::new(
                            row_field(row.line, "iati_identifier"),
                            "iati_identifier_taken",
                            format!("initiative {} already has this IATI identifier", holder.id),
                        ));
                    }
                    if let Some(first) = claimed.get(&current.id) {
                        errors.push(FieldError::new(
                            row_field(row.line, "id"),
                            "duplicate_in_file",
                            format!("line {first} also updates initiative {}", current.id),
                        ));
                    } else {
                        claimed.insert(current.id, row.line);
                    }
                    targets.push(Some(Target::Existing(Box::new(current.clone()))));
                }
                None if n.iati_identifier.is_some() => targets.push(Some(Target::New)),
                None => targets.push(None),
            }
        }
        let mut natural_in_file: HashMap<(String, Vec<String>), usize> = HashMap::new();
        for ((row, n), target) in checked.iter().zip(targets.iter_mut()) {
            if target.is_some() {
                continue;
            }
            let key = natural_key(&n.title, &n.countries);
            let candidates: Vec<&Initiative> = by_title
                .get(&key.0)
                .into_iter()
                .flatten()
                .filter(|i| natural_key(&i.title, &i.countries) == key)
                .filter(|i| !claimed.contains_key(&i.id))
                .collect();
            if let Some(first) = natural_in_file.get(&key) {
                errors.push(FieldError::new(
                    row_field(row.line, "title"),
                    "duplicate_in_file",
                    format!(
                        "line {first} has the same title and countries: give either an id or an iati_identifier"
                    ),
                ));
                continue;
            }
            natural_in_file.insert(key, row.line);
            match candidates.as_slice() {
                [] => *target = Some(Target::New),
                [one] => {
                    claimed.insert(one.id, row.line);
                    *target = Some(Target::Existing(Box::new((*one).clone())));
                }
                many => errors.push(FieldError::new(
                    row_field(row.line, "title"),
                    "ambiguous_match",
                    format!(
                        "{} initiatives of the tenant have this title and these countries ({}): give the row the id of the one it updates",
                        many.len(),
                        many.iter()
                            .map(|i| i.id.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }

        let mut duplicates = Vec::new();
        let mut in_file: HashMap<(String, String), usize> = HashMap::new();
        for ((row, n), target) in checked.iter().zip(&targets) {
            let key = name_key(&n.title);
            let own = match target {
                Some(Target::Existing(current)) => Some(current.id),
                _ => None,
            };
            for other in by_title.get(&key).into_iter().flatten() {
                if Some(other.id) != own
                    && !claimed.contains_key(&other.id)
                    && n.countries.iter().any(|c| other.countries.contains(c))
                {
                    duplicates.push(LikelyDuplicate {
                        line: row.line,
                        kind: "same_title_and_country".into(),
                        existing_id: Some(other.id),
                        other_line: None,
                        message: format!(
                            "initiative {} of the tenant has the same title and a common country",
                            other.id
                        ),
                    });
                }
            }
            for country in &n.countries {
                match in_file.get(&(key.clone(), country.clone())) {
                    Some(first) => {
                        duplicates.push(LikelyDuplicate {
                            line: row.line,
                            kind: "same_title_and_country_in_file".into(),
                            existing_id: None,
                            other_line: Some(*first),
                            message: format!(
                                "line {first} has the same title and country {country}"
                            ),
                        });
                        break;
                    }
                    None => {
                        in_file.insert((key.clone(), country.clone()), row.line);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }

        // 5. Apply every row in one transaction; a dry run rolls it back. Updates go one by
        // one through the update path (partners first, so that a row may publish what its
        // partners make publishable); creates go through the bulk create, which checks and
        // stores each row exactly as a single create does. A new public initiative with
        // partners is created private, given its partners, then published.
        let meta = WriteMeta::reason("bulk import");
        let txn = self.unit_of_work().await?;
        let mut items = Vec::with_capacity(checked.len());
        let mut orgs = partners::Organizations::default();
        // Problems found by the create, update and partner paths, by line.
        let mut refused: Vec<(usize, Vec<FieldError>)> = Vec::new();
        let mut creates: Vec<PendingCreate> = Vec::new();
        let mut inputs: Vec<NewInitiative> = Vec::new();
        for ((row, mut n), target) in checked.into_iter().zip(targets) {
            let Some(Target::Existing(current)) = target else {
                let publish_later = n.visibility == Visibility::Public
                    && row.partners.as_ref().is_some_and(|p| !p.is_empty());
                if publish_later {
                    n.visibility = Visibility::Private;
                }
                creates.push(PendingCreate {
                    line: row.line,
                    iati_identifier: n.iati_identifier.clone(),
                    partners: row.partners,
                    publish_later,
                });
                inputs.push(n);
                continue;
            };
            let mut list = Vec::new();
            let mut version = current.version;
            let mut changed = 0;
            if let Some(wanted) = &row.partners {
                changed = self
                    .sync_partners(
                        &txn, caller, &principal, current.id, wanted, &mut orgs, &meta, &mut list,
                    )
                    .await?;
                if changed > 0 {
                    version = self.version_in(&txn, current.id).await?;
                }
            }
            let current_translations =
                crate::translations::load(&txn, crate::EntityKind::Initiative, &[current.id])
                    .await?
                    .remove(&current.id)
                    .unwrap_or_default();
            if list.is_empty()
                && let Some(patch) = patch_of(&row, &n, &current, &current_translations)
            {
                match self
                    .update_in(
                        &txn,
                        caller,
                        current.id,
                        Precondition::Version(version),
                        patch,
                        &meta,
                    )
                    .await
                {
                    Ok(d) => {
                        changed += 1;
                        version = d.initiative.version;
                    }
                    Err(e) => in_row(row.line, e, &mut list)?,
                }
            }
            if !list.is_empty() {
                refused.push((row.line, list));
                continue;
            }
            items.push(ImportedRow {
                line: row.line,
                action: if changed > 0 {
                    RowAction::Updated
                } else {
                    RowAction::Unchanged
                },
                id: current.id,
                iati_identifier: n.iati_identifier.clone(),
                version,
                possible_duplicates: Vec::new(),
            });
        }
        let created = self.create_many_in(&txn, &principal, inputs, &meta).await?;
        for (pending, result) in creates.into_iter().zip(created) {
            let PendingCreate {
                line,
                iati_identifier,
                partners: wanted,
                publish_later,
            } = pending;
            let new = match result {
                Ok(new) => new,
                Err(e) => {
                    let mut list = Vec::new();
                    in_row(line, e, &mut list)?;
                    refused.push((line, list));
                    continue;
                }
            };
            let mut list = Vec::new();
            let mut version = new.version;
            if let Some(wanted) = &wanted {
                let changed = self
                    .sync_partners(
                        &txn, caller, &principal, new.id, wanted, &mut orgs, &meta, &mut list,
                    )
                    .await?;
                if changed > 0 {
                    version = self.version_in(&txn, new.id).await?;
                }
            }
            if publish_later && list.is_empty() {
                let patch = InitiativePatch {
                    visibility: Some(Visibility::Public),
                    ..Default::default()
                };
                match self
                    .update_in(
                        &txn,
                        caller,
                        new.id,
                        Precondition::Version(version),
                        patch,
                        &meta,
                    )
                    .await
                {
                    Ok(d) => version = d.initiative.version,
                    Err(e) => in_row(line, e, &mut list)?,
                }
            }
            if !list.is_empty() {
                refused.push((line, list));
                continue;
            }
            items.push(ImportedRow {
                line,
                action: RowAction::Created,
                id: new.id,
                iati_identifier,
                version,
                possible_duplicates: Vec::new(),
            });
        }
        items.sort_by_key(|item| item.line);
        refused.sort_by_key(|(line, _)| *line);
        errors.extend(refused.into_iter().flat_map(|(_, list)| list));
        if !errors.is_empty() {
            txn.rollback().await?;
            return Err(ServiceError::Validation(errors));
        }
        // The created rows' possible duplicates, read in the transaction (a dry run's rows
        // exist only there): one pool of candidates for the whole import.
        let created_ids: Vec<Uuid> = items
            .iter()
            .filter(|i| i.action == RowAction::Created)
            .map(|i| i.id)
            .collect();
        let mut found =
            crate::duplicates::possible_duplicates_of(&txn, caller, &created_ids).await?;
        for item in &mut items {
            if let Some(list) = found.remove(&item.id) {
                item.possible_duplicates = list;
            }
        }
        if options.dry_run {
            txn.rollback().await?;
        } else {
            txn.commit().await?;
        }
        let count = |a: RowAction| items.iter().filter(|i| i.action == a).count();
        let report = ImportReport {
            dry_run: options.dry_run,
            mode: options.mode,
            rows: items.len(),
            created: count(RowAction::Created),
            updated: count(RowAction::Updated),
            unchanged: count(RowAction::Unchanged),
            items,
            duplicates,
        };
        tracing::info!(
            tenant = %tenant_id,
            rows = report.rows,
            created = report.created,
            updated = report.updated,
            unchanged = report.unchanged,
            dry_run = report.dry_run,
            "initiatives imported"
        );
        if !report.dry_run {
            crate::telemetry::import_rows(report.created, report.updated, report.unchanged);
        }
        Ok(report)
    }

    /// An initiative's current version, read within `txn`.
    async fn version_in(&self, txn: &UnitOfWork, id: Uuid) -> ServiceResult<i32> {
        initiative::Entity::find_by_id(id)
            .one(txn)
            .await?
            .map(|row| row.version)
            .ok_or(ServiceError::NotFound {
                entity: "initiative",
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_and_fields_are_reported() {
        let body = b"title,kind,countries,sdg_goals\nGood,msp,ML,4\n\"Multi\nline\",ppp,XX,99\nBad kind,nope,ML,\n";
        let (rows, errors) = parse(ImportFormat::Csv, body, 10).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 3);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "rows[5].kind");
    }

    #[test]
    fn too_many_rows_are_refused() {
        let body = b"{\"title\":\"a\",\"kind\":\"msp\"}\n{\"title\":\"b\",\"kind\":\"msp\"}\n";
        assert!(parse(ImportFormat::Ndjson, body, 1).is_err());
        assert!(parse(ImportFormat::Ndjson, body, 2).is_ok());
    }
}
