//! Partners in an import: the `partners` of a JSON or NDJSON row (the export's shape), and the
//! companion partners CSV (`GET /api/v1/export/partners?format=csv`, one row per partner). A
//! partner names its organisation by id or by name; the import makes each listed partner of an
//! initiative what the file says (adding it, or changing only what differs) and keeps the
//! partners the file does not list.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::{
    enums::{Gain, PartnerRole, PartnerStatus, Sector, Visibility},
    initiative_partner, organization,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;
use uuid::Uuid;

use super::{LineCounter, in_field, split_list};
use crate::{
    Caller, Principal, Registry,
    codes::dedup,
    error::{FieldError, ServiceError, ServiceResult},
    export::{PARTNER_COLUMNS, unescape_formula},
    history::WriteMeta,
    organizations::NewOrganization,
    partners::{NewPartner, Partner, PartnerPatch},
    validation::name_key,
    write::UnitOfWork,
};

/// One partner as a file gives it.
#[derive(Clone, Debug)]
pub(super) struct PartnerRow {
    /// Where its problems are reported: `rows[N].partners[i]` or `partners[N]`.
    pub field: String,
    /// Prepended to the organisation's fields: `...partners[i].organization.` or
    /// `partners[N].organization_`.
    pub org_prefix: String,
    pub organization_id: Option<Uuid>,
    pub name: Option<String>,
    pub acronym: Option<String>,
    pub sector: Option<Sector>,
    pub country: Option<String>,
    pub roles: Vec<PartnerRole>,
    pub status: Option<PartnerStatus>,
    pub gains: Vec<Gain>,
    pub interest: Option<u8>,
    pub influence: Option<u8>,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
}

/// A row of the companion partners CSV: its line, the initiative row it names, the partner.
pub(super) type CompanionRow = (usize, InitiativeRef, PartnerRow);

/// Which initiative row of the main file a companion CSV row belongs to.
#[derive(Clone, Debug, Default)]
pub(super) struct InitiativeRef {
    pub id: Option<Uuid>,
    pub iati_identifier: Option<String>,
    pub title: Option<String>,
    pub countries: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationItem {
    #[serde(default)]
    id: Option<Uuid>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    acronym: Option<String>,
    #[serde(default)]
    sector: Option<Sector>,
    #[serde(default)]
    country: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartnerItem {
    #[serde(default)]
    organization: Option<OrganizationItem>,
    #[serde(default)]
    organization_id: Option<Uuid>,
    #[serde(default)]
    roles: Vec<PartnerRole>,
    #[serde(default)]
    status: Option<PartnerStatus>,
    #[serde(default)]
    gains: Vec<Gain>,
    #[serde(default)]
    interest: Option<u8>,
    #[serde(default)]
    influence: Option<u8>,
    #[serde(default)]
    joined_on: Option<NaiveDate>,
    #[serde(default)]
    left_on: Option<NaiveDate>,
}

/// What the export writes of a partner that an import does not set.
const IGNORED_KEYS: [&str; 6] = [
    "id",
    "initiative_id",
    "iati_roles",
    "version",
    "created_at",
    "updated_at",
];

/// The `partners` of a JSON row (`rows[N].partners`).
pub(super) fn from_json(
    prefix: &str,
    value: Value,
    errors: &mut Vec<FieldError>,
) -> Vec<PartnerRow> {
    let items = match value {
        Value::Null => return Vec::new(),
        Value::Array(items) => items,
        _ => {
            errors.push(FieldError::new(
                prefix,
                "invalid",
                "must be an array of partners",
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let field = format!("{prefix}[{i}]");
        let item = match item {
            Value::Object(mut map) => {
                for key in IGNORED_KEYS {
                    map.remove(key);
                }
                if let Some(Value::Object(org)) = map.get_mut("organization") {
                    // The export's organisation reference may carry more than the import reads.
                    org.retain(|k, _| {
                        ["id", "name", "acronym", "sector", "country"].contains(&k.as_str())
                    });
                }
                Value::Object(map)
            }
            _ => {
                errors.push(FieldError::new(field, "invalid", "must be a JSON object"));
                continue;
            }
        };
        match serde_json::from_value::<PartnerItem>(item) {
            Ok(p) => {
                let org = p.organization;
                out.push(PartnerRow {
                    org_prefix: format!("{field}.organization."),
                    organization_id: p
                        .organization_id
                        .or_else(|| org.as_ref().and_then(|o| o.id)),
                    name: org.as_ref().and_then(|o| o.name.clone()),
                    acronym: org.as_ref().and_then(|o| o.acronym.clone()),
                    sector: org.as_ref().and_then(|o| o.sector),
                    country: org.as_ref().and_then(|o| o.country.clone()),
                    roles: p.roles,
                    status: p.status,
                    gains: p.gains,
                    interest: p.interest,
                    influence: p.influence,
                    joined_on: p.joined_on,
                    left_on: p.left_on,
                    field,
                });
            }
            Err(e) => errors.push(FieldError::new(field, "invalid", e.to_string())),
        }
    }
    out
}

fn parse_cell<T: DeserializeOwned>(
    field: String,
    raw: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    if raw.is_empty() {
        return None;
    }
    let value = match raw.parse::<u64>() {
        Ok(n) if what == "number" => Value::from(n),
        _ => Value::from(raw),
    };
    match serde_json::from_value::<T>(value) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "invalid",
                format!("`{raw}` is not an accepted {what}"),
            ));
            None
        }
    }
}

fn parse_list<T: DeserializeOwned>(
    field: &str,
    raw: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<T> {
    split_list(raw)
        .iter()
        .enumerate()
        .filter_map(|(i, item)| parse_cell(format!("{field}[{i}]"), item, what, errors))
        .collect()
}

/// The companion partners CSV: every row with the initiative row it belongs to. Problems are
/// named `partners[N].column`, `N` being the physical line where the record starts (the header
/// is line 1).
pub(super) fn from_csv(
    body: &[u8],
    max_rows: usize,
) -> ServiceResult<(Vec<CompanionRow>, Vec<FieldError>)> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body);
    let header = reader
        .headers()
        .map_err(|e| ServiceError::bad_parameter("partners", format!("not CSV: {e}")))?
        .clone();
    let mut columns: HashMap<&'static str, usize> = HashMap::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}');
        match PARTNER_COLUMNS.iter().find(|c| **c == name) {
            Some(column) => {
                columns.insert(column, index);
            }
            None => errors.push(FieldError::new(
                format!("partners[1].{name}"),
                "unknown_column",
                "is not a column of the partners CSV",
            )),
        }
    }
    let width = header.len();
    let mut lines = LineCounter::new(body);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.at(record.position().map(|p| p.byte() as usize).unwrap_or(0));
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                if out.len() + 1 > max_rows {
                    return Err(ServiceError::Validation(vec![FieldError::new(
                        "partners",
                        "too_many_rows",
                        format!("an import takes at most {max_rows} partner rows; split the file"),
                    )]));
                }
                let prefix = format!("partners[{line}]");
                if record.len() != width {
                    errors.push(FieldError::new(
                        prefix,
                        "malformed",
                        format!("has {} fields where the header has {width}", record.len()),
                    ));
                    continue;
                }
                let cell = |name: &str| -> String {
                    columns
                        .get(name)
                        .and_then(|i| record.get(*i))
                        .map(|v| unescape_formula(v.trim()).to_owned())
                        .unwrap_or_default()
                };
                let text = |name: &str| Some(cell(name)).filter(|v| !v.is_empty());
                let at = |name: &str| format!("{prefix}.{name}");
                let initiative = InitiativeRef {
                    id: parse_cell(
                        at("initiative_id"),
                        &cell("initiative_id"),
                        "id",
                        &mut errors,
                    ),
                    iati_identifier: text("initiative_iati_identifier"),
                    title: text("initiative_title"),
                    countries: split_list(&cell("initiative_countries"))
                        .into_iter()
                        .map(|c| c.to_ascii_uppercase())
                        .collect(),
                };
                let row = PartnerRow {
                    org_prefix: format!("{prefix}.organization_"),
                    organization_id: parse_cell(
                        at("organization_id"),
                        &cell("organization_id"),
                        "id",
                        &mut errors,
                    ),
                    name: text("organization_name"),
                    acronym: text("organization_acronym"),
                    sector: parse_cell(
                        at("organization_sector"),
                        &cell("organization_sector"),
                        "sector",
                        &mut errors,
                    ),
                    country: text("organization_country"),
                    roles: parse_list(&at("roles"), &cell("roles"), "role", &mut errors),
                    status: parse_cell(at("status"), &cell("status"), "status", &mut errors),
                    gains: parse_list(&at("gains"), &cell("gains"), "gain", &mut errors),
                    interest: parse_cell(at("interest"), &cell("interest"), "number", &mut errors),
                    influence: parse_cell(
                        at("influence"),
                        &cell("influence"),
                        "number",
                        &mut errors,
                    ),
                    joined_on: parse_cell(at("joined_on"), &cell("joined_on"), "date", &mut errors),
                    left_on: parse_cell(at("left_on"), &cell("left_on"), "date", &mut errors),
                    field: prefix,
                };
                out.push((line, initiative, row));
            }
            Err(e) => {
                let line = lines.at(e.position().map(|p| p.byte() as usize).unwrap_or(0));
                errors.push(FieldError::new(
                    format!("partners[{line}]"),
                    "malformed",
                    format!("is not valid CSV: {e}"),
                ));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
    Ok((out, errors))
}

/// The patch that brings a partner to the row (only what differs); `None` when nothing does.
fn patch_of(current: &Partner, p: &PartnerRow) -> Option<PartnerPatch> {
    let mut patch = PartnerPatch::default();
    let mut changed = false;
    let roles = dedup(&p.roles);
    if roles != current.roles {
        patch.roles = Some(roles);
        changed = true;
    }
    let status = p.status.unwrap_or(PartnerStatus::Active);
    if status != current.status {
        patch.status = Some(status);
        changed = true;
    }
    let gains = dedup(&p.gains);
    if gains != current.gains {
        patch.gains = Some(gains);
        changed = true;
    }
    if p.interest != current.interest {
        patch.interest = Some(p.interest);
        changed = true;
    }
    if p.influence != current.influence {
        patch.influence = Some(p.influence);
        changed = true;
    }
    if p.joined_on != current.joined_on {
        patch.joined_on = Some(p.joined_on);
        changed = true;
    }
    if p.left_on != current.left_on {
        patch.left_on = Some(p.left_on);
        changed = true;
    }
    changed.then_some(patch)
}

/// The organisations an import found or created, by name key (so that a new organisation named
/// by several rows is created once).
#[derive(Default)]
pub(super) struct Organizations {
    by_key: HashMap<String, Uuid>,
}

impl Registry {
    /// The organisation a partner row names: its id, when the caller may use that organisation
    /// (its own tenant's or a public one); else the tenant's organisation of that name; else a
    /// new private organisation of the tenant made from the row (name, acronym, sector,
    /// country).
    async fn organization_of(
        &self,
        txn: &UnitOfWork,
        principal: &Principal,
        p: &PartnerRow,
        known: &mut Organizations,
        meta: &WriteMeta,
        errors: &mut Vec<FieldError>,
    ) -> ServiceResult<Option<Uuid>> {
        if let Some(id) = p.organization_id
            && let Some(org) = organization::Entity::find_by_id(id).one(txn).await?
            && crate::tenancy::Coverage::TenantAndPublic(principal.tenant_id)
                .allows(org.tenant_id, org.visibility)
        {
            return Ok(Some(org.id));
        }
        let Some(name) = p.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
            errors.push(FieldError::new(
                format!("{}name", p.org_prefix),
                "required",
                "name the organisation (or give the id of one the tenant may use)",
            ));
            return Ok(None);
        };
        let key = name_key(name);
        if let Some(id) = known.by_key.get(&key) {
            return Ok(Some(*id));
        }
        if let Some(org) = organization::Entity::find()
            .filter(crate::tenancy::own::<organization::Entity>(
                principal.tenant_id,
            ))
            .filter(organization::Column::NameKey.eq(key.clone()))
            .one(txn)
            .await?
        {
            known.by_key.insert(key, org.id);
            return Ok(Some(org.id));
        }
        let Some(sector) = p.sector else {
            errors.push(FieldError::new(
                format!("{}sector", p.org_prefix),
                "required",
                format!(
                    "the tenant has no organisation named `{name}`: give its sector to create it"
                ),
            ));
            return Ok(None);
        };
        let input = NewOrganization {
            name: name.to_owned(),
            acronym: p.acronym.clone(),
            sector,
            sub_type: None,
            country: p.country.clone(),
            website: None,
            description: None,
            iati_identifier: None,
            visibility: Visibility::Private,
            language: None,
        };
        match self
            .create_organization_in(txn, principal, input, meta)
            .await
        {
            Ok(org) => {
                known.by_key.insert(key, org.id);
                Ok(Some(org.id))
            }
            Err(e) => {
                let prefix = p.org_prefix.trim_end_matches(['.', '_']);
                in_field(prefix, e, errors)?;
                Ok(None)
            }
        }
    }

    /// Makes each listed partner of the initiative what the rows say; returns how many partners
    /// were added or changed. Problems go to `errors`, named by each row's field.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn sync_partners(
        &self,
        txn: &UnitOfWork,
        caller: &Caller,
        principal: &Principal,
        initiative_id: Uuid,
        wanted: &[PartnerRow],
        known: &mut Organizations,
        meta: &WriteMeta,
        errors: &mut Vec<FieldError>,
    ) -> ServiceResult<usize> {
        let current: Vec<Partner> = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.eq(initiative_id))
            .find_also_related(organization::Entity)
            .all(txn)
            .await?
            .into_iter()
            .filter_map(|(p, o)| o.map(|o| crate::partners::to_view(p, o)))
            .collect();
        let mut changes = 0;
        let mut seen = HashSet::new();
        for p in wanted {
            let Some(org_id) = self
                .organization_of(txn, principal, p, known, meta, errors)
                .await?
            else {
                continue;
            };
            if !seen.insert(org_id) {
                errors.push(FieldError::new(
                    &p.field,
                    "duplicate_in_file",
                    "this organisation is listed twice for the same initiative",
                ));
                continue;
            }
            let result = match current.iter().find(|c| c.organization.id == org_id) {
                Some(c) => match patch_of(c, p) {
                    None => continue,
                    Some(patch) => crate::children::update_in::<crate::partners::Partners>(
                        txn,
                        caller,
                        initiative_id,
                        c.id,
                        crate::precondition::Precondition::Version(c.version),
                        patch,
                        meta,
                    )
                    .await
                    .map(|_| ()),
                },
                None => crate::children::create_in::<crate::partners::Partners>(
                    txn,
                    caller,
                    initiative_id,
                    NewPartner {
                        organization_id: org_id,
                        roles: p.roles.clone(),
                        status: p.status,
                        gains: p.gains.clone(),
                        interest: p.interest,
                        influence: p.influence,
                        joined_on: p.joined_on,
                        left_on: p.left_on,
                    },
                    meta,
                )
                .await
                .map(|_| ()),
            };
            match result {
                Ok(()) => changes += 1,
                Err(e) => in_field(&p.field, e, errors)?,
            }
        }
        Ok(changes)
    }
}
