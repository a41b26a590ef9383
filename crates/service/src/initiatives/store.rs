//! Creating, reading, changing and deleting initiatives.

mod bulk;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agreement, contribution,
    enums::{JourneyStage, Lever, Outcome, PartnerStatus, ResourceKind, Role, Sector, Visibility},
    initiative, initiative_partner, initiative_tag, lesson, organization, progress_report,
    stage_change,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    access, derived, journey,
    views::{
        ExternalIdentifier, Initiative, InitiativeDetail, InitiativePatch, NewInitiative,
        StageChangeEntry,
    },
};
use crate::{
    Caller, EntityKind, Registry, Settings,
    country::CountryCode,
    error::{FieldError, ServiceError, ServiceResult},
    history::{self, Change, Operation, WriteMeta},
    precondition::Precondition,
    reference,
    translations::{self, Texts, TranslationEdit, TranslationMap},
    validation::{Checks, name_key},
    write::UnitOfWork,
};

pub(crate) const TAG_COUNTRY: &str = "country";
pub(crate) const TAG_ACTION_LINE: &str = "action_line";
pub(crate) const TAG_SDG_GOAL: &str = "sdg_goal";
pub(crate) const TAG_SDG_TARGET: &str = "sdg_target";
pub(crate) const TAG_LEVER: &str = "lever";
pub(crate) const TAG_NEED: &str = "need";

/// The tag kinds the initiative's own fields own (levers and needs are set separately).
const FIELD_TAGS: [&str; 4] = [TAG_COUNTRY, TAG_ACTION_LINE, TAG_SDG_GOAL, TAG_SDG_TARGET];

/// Every editable field of an initiative, as it will be stored.
#[derive(Clone, Debug)]
pub(super) struct Draft {
    title: String,
    summary: Option<String>,
    description: Option<String>,
    kind: entity::enums::InitiativeKind,
    countries: Vec<String>,
    scale: Option<entity::enums::Scale>,
    action_lines: Vec<String>,
    sdg_goals: Vec<u8>,
    sdg_targets: Vec<String>,
    spectrum: Option<entity::enums::Spectrum>,
    engagement_model: Option<entity::enums::EngagementModel>,
    form: Option<entity::enums::PartnershipForm>,
    stage: JourneyStage,
    /// The day of the stage (a new initiative's, or a patch's new one), when given.
    changed_on: Option<NaiveDate>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    outcome: Outcome,
    outcome_summary: Option<String>,
    visibility: Visibility,
    iati_identifier: Option<String>,
    external_identifiers: Vec<ExternalIdentifier>,
    /// The language of its texts (a new initiative's as given, or detected).
    language: Option<String>,
    /// Its texts in other languages (a new initiative's).
    translations: TranslationMap,
}

/// The tags of one initiative.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tags {
    pub countries: Vec<String>,
    pub action_lines: Vec<String>,
    pub sdg_goals: Vec<u8>,
    pub sdg_targets: Vec<String>,
    pub levers: Vec<Lever>,
    pub needs: Vec<ResourceKind>,
}

/// Checks and normalises a draft; every problem is reported at once.
fn check(d: Draft) -> ServiceResult<Draft> {
    let mut c = Checks::new();
    let title = c.required_text("title", &d.title, 300);
    let summary = c.optional_text("summary", d.summary.as_deref(), 2_000);
    let description = c.optional_text("description", d.description.as_deref(), 50_000);
    let outcome_summary = c.optional_text("outcome_summary", d.outcome_summary.as_deref(), 10_000);
    let iati_identifier = c.optional_text("iati_identifier", d.iati_identifier.as_deref(), 150);
    let language = translations::original_of(
        &mut c,
        d.language.as_deref(),
        &format!("{} {}", title, summary.as_deref().unwrap_or_default()),
    );
    let translated = translations::check_map(
        &mut c,
        &translations::INITIATIVE,
        &language,
        &d.translations,
        "translations",
    );

    let mut countries = Vec::new();
    for (i, raw) in d.countries.iter().enumerate() {
        match CountryCode::parse(raw) {
            Ok(code) if !countries.contains(&code.as_str().to_owned()) => {
                countries.push(code.as_str().to_owned())
            }
            Ok(_) => {}
            Err(message) => c.push(&format!("countries[{i}]"), "invalid_country", message),
        }
    }
    let mut action_lines = Vec::new();
    for (i, raw) in d.action_lines.iter().enumerate() {
        match reference::action_line(raw) {
            Some(line) if !action_lines.contains(&line.code.to_owned()) => action_lines.push(line.code.to_owned()),
            Some(_) => {}
            None => c.push(
                &format!("action_lines[{i}]"),
                "invalid_action_line",
                format!("`{raw}` is not a WSIS action line (C1..C11, or C7.e-government, C7.e-health...)"),
            ),
        }
    }
    let mut sdg_targets = Vec::new();
    for (i, raw) in d.sdg_targets.iter().enumerate() {
        if let Some(code) = reference::sdg_target(raw) {
            if !sdg_targets.contains(&code) {
                sdg_targets.push(code);
            }
        } else {
            c.push(
                &format!("sdg_targets[{i}]"),
                "invalid_sdg_target",
                format!("`{raw}` is not an SDG target (e.g. 9.c, 4.4)"),
            );
        }
    }
    let mut sdg_goals = Vec::new();
    for (i, goal) in d.sdg_goals.iter().enumerate() {
        if !(1..=17).contains(goal) {
            c.push(
                &format!("sdg_goals[{i}]"),
                "invalid_sdg_goal",
                "SDG goals are numbered 1 to 17",
            );
        } else if !sdg_goals.contains(goal) {
            sdg_goals.push(*goal);
        }
    }
    // A target implies its goal.
    for target in &sdg_targets {
        if let Some(goal) = target.split('.').next().and_then(|g| g.parse::<u8>().ok())
            && !sdg_goals.contains(&goal)
        {
            sdg_goals.push(goal);
        }
    }
    sdg_goals.sort_unstable();
    for (field, day) in [
        ("changed_on", d.changed_on),
        ("start_date", d.start_date),
        ("end_date", d.end_date),
    ] {
        c.date(field, day);
    }
    if d.changed_on.is_some_and(|on| on > Utc::now().date_naive()) {
        c.push(
            "changed_on",
            "in_future",
            "a stage change is dated on the day it happened: must not be in the future",
        );
    }
    if let (Some(start), Some(end)) = (d.start_date, d.end_date)
        && end < start
    {
        c.push("end_date", "before_start", "must not be before start_date");
    }
    let mut external_identifiers = Vec::new();
    for (i, e) in d.external_identifiers.iter().enumerate() {
        let scheme = c.required_text(&format!("external_identifiers[{i}].scheme"), &e.scheme, 50);
        let identifier = c.required_text(
            &format!("external_identifiers[{i}].identifier"),
            &e.identifier,
            200,
        );
        external_identifiers.push(ExternalIdentifier { scheme, identifier });
    }
    if d.countries.len() > 250
        || d.action_lines.len() > 50
        || d.sdg_targets.len() > 169
        || d.external_identifiers.len() > 50
    {
        c.push(
            "body",
            "too_many",
            "a list is longer than any initiative needs",
        );
    }
    c.finish()?;
    Ok(Draft {
        title,
        summary,
        description,
        countries,
        action_lines,
        sdg_goals,
        sdg_targets,
        outcome_summary,
        iati_identifier,
        external_identifiers,
        language: Some(language),
        translations: translated,
        ..d
    })
}

/// What publishing needs and is missing (empty when the initiative may be public).
fn publish_problems(d: &Draft, has_active_partner: bool) -> Vec<FieldError> {
    let mut missing = Vec::new();
    let mut need = |field: &str, ok: bool, what: &str| {
        if !ok {
            missing.push(FieldError::new(
                field,
                "required_for_publishing",
                format!("publishing needs {what}"),
            ));
        }
    };
    need("title", !d.title.is_empty(), "a title");
    need("summary", d.summary.is_some(), "a summary");
    need("countries", !d.countries.is_empty(), "at least one country");
    need(
        "action_lines",
        !d.action_lines.is_empty(),
        "at least one WSIS action line",
    );
    need(
        "partners",
        has_active_partner,
        "at least one active partner",
    );
    missing
}

async fn has_active_partner<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
) -> ServiceResult<bool> {
    Ok(initiative_partner::Entity::find()
        .filter(initiative_partner::Column::InitiativeId.eq(initiative_id))
        .filter(initiative_partner::Column::Status.eq(PartnerStatus::Active))
        .count(db)
        .await?
        > 0)
}

fn ensure_publishable(d: &Draft, has_active_partner: bool) -> ServiceResult<()> {
    if d.visibility != Visibility::Public {
        return Ok(());
    }
    let problems = publish_problems(d, has_active_partner);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Validation(problems))
    }
}

pub(crate) async fn load_tags<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Tags>> {
    let rows = initiative_tag::Entity::find()
        .filter(initiative_tag::Column::InitiativeId.is_in(ids.iter().copied()))
        .order_by_asc(initiative_tag::Column::InitiativeId)
        .order_by_asc(initiative_tag::Column::Kind)
        .order_by_asc(initiative_tag::Column::Value)
        .all(db)
        .await?;
    let mut map: HashMap<Uuid, Tags> = HashMap::new();
    for row in rows {
        let tags = map.entry(row.initiative_id).or_default();
        match row.kind.as_str() {
            TAG_COUNTRY => tags.countries.push(row.value),
            TAG_ACTION_LINE => tags.action_lines.push(row.value),
            TAG_SDG_GOAL => {
                if let Ok(goal) = row.value.parse() {
                    tags.sdg_goals.push(goal);
                }
            }
            TAG_SDG_TARGET => tags.sdg_targets.push(row.value),
            TAG_LEVER => tags
                .levers
                .extend(crate::codes::from_code::<Lever>(&row.value)),
            TAG_NEED => tags
                .needs
                .extend(crate::codes::from_code::<ResourceKind>(&row.value)),
            _ => {}
        }
    }
    for tags in map.values_mut() {
        // Text order whatever the database's collation (PostgreSQL's may put 10.1 before 1.2).
        tags.sdg_targets.sort();
        tags.sdg_goals.sort_unstable();
        tags.action_lines
            .sort_by_key(|code| reference::ACTION_LINES.iter().position(|a| a.code == code));
    }
    Ok(map)
}

/// The sectors of each initiative's active partners. Two narrow queries (the partners' ids by
/// the partner index, then their organisations by primary key) rather than one join, which
/// PostgreSQL answers with a scan of every organisation.
pub(crate) async fn load_sectors<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Sector>>> {
    let partners: Vec<(Uuid, Uuid)> = initiative_partner::Entity::find()
        .select_only()
        .column(initiative_partner::Column::InitiativeId)
        .column(initiative_partner::Column::OrganizationId)
        .filter(initiative_partner::Column::InitiativeId.is_in(ids.iter().copied()))
        .filter(initiative_partner::Column::Status.eq(PartnerStatus::Active))
        .into_tuple()
        .all(db)
        .await?;
    if partners.is_empty() {
        return Ok(HashMap::new());
    }
    let mut organizations: Vec<Uuid> = partners.iter().map(|(_, org)| *org).collect();
    organizations.sort_unstable();
    organizations.dedup();
    let sector_of: HashMap<Uuid, Sector> = organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .column(organization::Column::Sector)
        .filter(organization::Column::Id.is_in(organizations))
        .into_tuple::<(Uuid, Sector)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut raw: HashMap<Uuid, Vec<Sector>> = HashMap::new();
    for (initiative_id, org) in partners {
        if let Some(sector) = sector_of.get(&org) {
            raw.entry(initiative_id).or_default().push(*sector);
        }
    }
    Ok(raw
        .into_iter()
        .map(|(id, s)| (id, derived::sectors(s)))
        .collect())
}

/// Builds the API view of stored rows.
pub(crate) fn to_view(
    m: initiative::Model,
    tags: Tags,
    sectors: Vec<Sector>,
    settings: &Settings,
) -> Initiative {
    let today = Utc::now().date_naive();
    Initiative {
        reporting_status: derived::reporting_status(
            m.last_reported_on,
            m.created_at,
            today,
            settings,
        ),
        is_multi_stakeholder: derived::is_multi_stakeholder(&sectors),
        is_ppp: derived::is_ppp(&sectors),
        sectors,
        id: m.id,
        tenant_id: m.tenant_id,
        title: m.title,
        summary: m.summary,
        description: m.description,
        kind: m.kind,
        countries: tags.countries,
        scale: m.scale,
        action_lines: tags.action_lines,
        sdg_goals: tags.sdg_goals,
        sdg_targets: tags.sdg_targets,
        levers: tags.levers,
        needs: tags.needs,
        spectrum: m.spectrum,
        engagement_model: m.engagement_model,
        form: m.form,
        stage: m.stage,
        stage_changed_on: m
            .stage_changed_on
            .unwrap_or_else(|| m.stage_changed_at.date_naive()),
        stage_changed_at: m.stage_changed_at,
        start_date: m.start_date,
        end_date: m.end_date,
        outcome: m.outcome,
        outcome_summary: m.outcome_summary,
        visibility: m.visibility,
        iati_identifier: m.iati_identifier,
        external_identifiers: serde_json::from_str(&m.external_identifiers).unwrap_or_default(),
        last_reported_on: m.last_reported_on,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
        language: m.language,
        field_languages: None,
        translations: None,
    }
}

/// The full view of one stored initiative.
pub(crate) async fn view_of<C: ConnectionTrait>(
    db: &C,
    m: initiative::Model,
    settings: &Settings,
) -> ServiceResult<Initiative> {
    let ids = [m.id];
    let tags = load_tags(db, &ids).await?.remove(&m.id).unwrap_or_default();
    let sectors = load_sectors(db, &ids)
        .await?
        .remove(&m.id)
        .unwrap_or_default();
    Ok(to_view(m, tags, sectors, settings))
}

async fn detail_of<C: ConnectionTrait>(
    db: &C,
    m: initiative::Model,
    settings: &Settings,
) -> ServiceResult<InitiativeDetail> {
    let changes = stage_change::Entity::find()
        .filter(stage_change::Column::InitiativeId.eq(m.id))
        .order_by_asc(stage_change::Column::ChangedAt)
        .order_by_asc(stage_change::Column::Id)
        .all(db)
        .await?;
    let contribution_totals = crate::contributions::totals(db, m.id).await?;
    Ok(InitiativeDetail {
        initiative: view_of(db, m, settings).await?,
        stage_changes: changes.into_iter().map(stage_change_entry).collect(),
        contribution_totals,
    })
}

/// One stored stage change as the API shows it (a row recorded before the day was kept shows
/// the day it was recorded).
pub(crate) fn stage_change_entry(c: stage_change::Model) -> StageChangeEntry {
    StageChangeEntry {
        from: c.from_stage,
        to: c.to_stage,
        changed_on: c.changed_on.unwrap_or_else(|| c.changed_at.date_naive()),
        changed_at: c.changed_at,
        reason: c.reason,
    }
}

/// A new initiative's fields, checked as create checks them (with the publish check: a new
/// initiative has no partners yet).
pub(super) fn checked_new(input: NewInitiative) -> ServiceResult<Draft> {
    let d = check(draft_of_new(input))?;
    ensure_publishable(&d, false)?;
    Ok(d)
}

/// The stored row of a new initiative.
pub(super) fn new_row(
    principal: &crate::Principal,
    d: &Draft,
    id: Uuid,
    now: DateTime<Utc>,
) -> initiative::ActiveModel {
    initiative::ActiveModel {
        id: Set(id),
        tenant_id: Set(principal.tenant_id),
        title_key: Set(name_key(&d.title)),
        title: Set(d.title.clone()),
        summary: Set(d.summary.clone()),
        description: Set(d.description.clone()),
        kind: Set(d.kind),
        scale: Set(d.scale),
        spectrum: Set(d.spectrum),
        engagement_model: Set(d.engagement_model),
        form: Set(d.form),
        stage: Set(d.stage),
        stage_changed_at: Set(now),
        stage_changed_on: Set(Some(d.changed_on.unwrap_or_else(|| now.date_naive()))),
        start_date: Set(d.start_date),
        end_date: Set(d.end_date),
        outcome: Set(d.outcome),
        outcome_summary: Set(d.outcome_summary.clone()),
        visibility: Set(d.visibility),
        iati_identifier: Set(d.iati_identifier.clone()),
        external_identifiers: Set(external_json(d)),
        language: Set(d.language()),
        last_reported_on: Set(None),
        version: Set(1),
        created_by: Set(Some(principal.subject)),
        updated_by: Set(Some(principal.subject)),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// The first entry of a new initiative's journey.
pub(super) fn first_stage_change(
    principal: &crate::Principal,
    d: &Draft,
    id: Uuid,
    now: DateTime<Utc>,
    meta: &WriteMeta,
) -> stage_change::ActiveModel {
    stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        initiative_id: Set(id),
        from_stage: Set(None),
        to_stage: Set(d.stage),
        changed_at: Set(now),
        changed_on: Set(Some(d.changed_on.unwrap_or_else(|| now.date_naive()))),
        changed_by: Set(Some(principal.subject)),
        reason: Set(meta.reason_text().map(str::to_owned)),
    }
}

/// The tag rows of the draft's own fields (countries, action lines, SDG goals and targets),
/// without their sort keys (`sync_tag_keys` fills them when the write commits).
pub(super) fn tag_rows(id: Uuid, d: &Draft) -> Vec<initiative_tag::ActiveModel> {
    d.countries
        .iter()
        .map(|v| (TAG_COUNTRY, v.clone()))
        .chain(d.action_lines.iter().map(|v| (TAG_ACTION_LINE, v.clone())))
        .chain(d.sdg_goals.iter().map(|v| (TAG_SDG_GOAL, v.to_string())))
        .chain(d.sdg_targets.iter().map(|v| (TAG_SDG_TARGET, v.clone())))
        .map(|(kind, value)| initiative_tag::ActiveModel {
            initiative_id: Set(id),
            kind: Set(kind.to_owned()),
            value: Set(value),
            ..Default::default()
        })
        .collect()
}

/// The draft's tags as `load_tags` would read them back.
pub(super) fn tags_of(d: &Draft) -> Tags {
    let mut tags = Tags {
        countries: d.countries.clone(),
        action_lines: d.action_lines.clone(),
        sdg_goals: d.sdg_goals.clone(),
        sdg_targets: d.sdg_targets.clone(),
        ..Tags::default()
    };
    tags.countries.sort();
    tags.countries.dedup();
    tags.sdg_targets.sort();
    tags.sdg_targets.dedup();
    tags.sdg_goals.sort_unstable();
    tags.sdg_goals.dedup();
    tags.action_lines.sort();
    tags.action_lines.dedup();
    tags.action_lines
        .sort_by_key(|code| reference::ACTION_LINES.iter().position(|a| a.code == code));
    tags
}

async fn write_tags<C: ConnectionTrait>(db: &C, id: Uuid, d: &Draft) -> ServiceResult<()> {
    initiative_tag::Entity::delete_many()
        .filter(initiative_tag::Column::InitiativeId.eq(id))
        .filter(initiative_tag::Column::Kind.is_in(FIELD_TAGS))
        .exec(db)
        .await?;
    let rows = tag_rows(id, d);
    if !rows.is_empty() {
        initiative_tag::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Copies each initiative's tenant, title key and visibility onto its tags (the sort keys of
/// the indexed tag lists), one statement per 500 initiatives. Run by the write pipeline's
/// refresh (`write::steps::refresh_initiatives`) for every initiative a write touched.
pub(crate) async fn sync_tag_keys<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> ServiceResult<()> {
    // Each tag takes the values of its own initiative: correlated subqueries, the same SQL on
    // both engines (a boolean comparison is 0/1 on SQLite, which stores booleans so).
    let of_initiative = |column: &str| {
        Expr::cust(format!(
            "(SELECT i.{column} FROM initiative i WHERE i.id = initiative_tag.initiative_id)"
        ))
    };
    let public = Expr::cust(
        "(SELECT i.visibility = 'public' FROM initiative i WHERE i.id = initiative_tag.initiative_id)",
    );
    for chunk in ids.chunks(500) {
        initiative_tag::Entity::update_many()
            .col_expr(initiative_tag::Column::TenantId, of_initiative("tenant_id"))
            .col_expr(initiative_tag::Column::TitleKey, of_initiative("title_key"))
            .col_expr(initiative_tag::Column::IsPublic, public.clone())
            .filter(initiative_tag::Column::InitiativeId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

fn draft_of_new(input: NewInitiative) -> Draft {
    Draft {
        title: input.title,
        summary: input.summary,
        description: input.description,
        kind: input.kind,
        countries: input.countries,
        scale: input.scale,
        action_lines: input.action_lines,
        sdg_goals: input.sdg_goals,
        sdg_targets: input.sdg_targets,
        spectrum: input.spectrum,
        engagement_model: input.engagement_model,
        form: input.form,
        stage: input.stage.unwrap_or(JourneyStage::UnderstandContext),
        changed_on: input.changed_on,
        start_date: input.start_date,
        end_date: input.end_date,
        outcome: input.outcome.unwrap_or(Outcome::NotYetKnown),
        outcome_summary: input.outcome_summary,
        visibility: input.visibility,
        iati_identifier: input.iati_identifier,
        external_identifiers: input.external_identifiers,
        language: input.language,
        translations: input.translations.unwrap_or_default(),
    }
}

/// Checks a new initiative's fields by the rules of create (not the publish check, which
/// depends on its partners) and returns them normalised (countries upper-cased, duplicates
/// dropped, goals implied by targets added). Used by the bulk import to validate every row first.
pub(crate) fn validate_new(input: &NewInitiative) -> ServiceResult<NewInitiative> {
    let d = check(draft_of_new(input.clone()))?;
    Ok(NewInitiative {
        title: d.title,
        summary: d.summary,
        description: d.description,
        kind: d.kind,
        countries: d.countries,
        scale: d.scale,
        action_lines: d.action_lines,
        sdg_goals: d.sdg_goals,
        sdg_targets: d.sdg_targets,
        spectrum: d.spectrum,
        engagement_model: d.engagement_model,
        form: d.form,
        stage: input.stage,
        changed_on: d.changed_on,
        start_date: d.start_date,
        end_date: d.end_date,
        outcome: input.outcome,
        outcome_summary: d.outcome_summary,
        visibility: d.visibility,
        iati_identifier: d.iati_identifier,
        external_identifiers: d.external_identifiers,
        language: d.language,
        translations: Some(d.translations).filter(|t| !t.is_empty()),
    })
}

fn draft_of_patch(current: &Initiative, p: InitiativePatch) -> Draft {
    fn pick<T: Clone>(patch: Option<T>, current: &T) -> T {
        patch.unwrap_or_else(|| current.clone())
    }
    Draft {
        title: pick(p.title, &current.title),
        summary: pick(p.summary, &current.summary),
        description: pick(p.description, &current.description),
        kind: pick(p.kind, &current.kind),
        countries: pick(p.countries, &current.countries),
        scale: pick(p.scale, &current.scale),
        action_lines: pick(p.action_lines, &current.action_lines),
        sdg_goals: pick(p.sdg_goals, &current.sdg_goals),
        sdg_targets: pick(p.sdg_targets, &current.sdg_targets),
        spectrum: pick(p.spectrum, &current.spectrum),
        engagement_model: pick(p.engagement_model, &current.engagement_model),
        form: pick(p.form, &current.form),
        stage: pick(p.stage, &current.stage),
        changed_on: p.changed_on,
        start_date: pick(p.start_date, &current.start_date),
        end_date: pick(p.end_date, &current.end_date),
        outcome: pick(p.outcome, &current.outcome),
        outcome_summary: pick(p.outcome_summary, &current.outcome_summary),
        visibility: pick(p.visibility, &current.visibility),
        iati_identifier: pick(p.iati_identifier, &current.iati_identifier),
        external_identifiers: pick(p.external_identifiers, &current.external_identifiers),
        language: Some(current.language.clone()),
        translations: TranslationMap::new(),
    }
}

impl Draft {
    /// The language of its texts (checked drafts always have one).
    fn language(&self) -> String {
        self.language.clone().unwrap_or_else(translations::english)
    }

    /// Its texts in other languages.
    pub(super) fn translations(&self) -> &TranslationMap {
        &self.translations
    }
}

/// What a patch does to an initiative's translations, given its `original` language and its
/// `current` translations: the texts given in another `language` are that language's, and each
/// language of `translations` replaces its texts. Takes those texts out of `patch` (what stays
/// is for the record's own fields) and answers the translations after the patch, or `None` when
/// it leaves them alone.
fn translated_patch(
    original: &str,
    current: &TranslationMap,
    patch: &mut InitiativePatch,
) -> ServiceResult<Option<TranslationMap>> {
    let spec = &translations::INITIATIVE;
    let mut c = Checks::new();
    let mut next = current.clone();
    let mut touched = false;
    let language = match patch.language.take() {
        Some(tag) => translations::check_tag(&mut c, "language", &tag),
        None => None,
    };
    if let Some(tag) = language.filter(|t| t != original) {
        let mut given = Texts::new();
        let mut cleared = Vec::new();
        let mut take = |name: &str, value: Option<Option<String>>| match value {
            Some(Some(text)) => {
                given.insert(name.to_owned(), text);
            }
            Some(None) => cleared.push(name.to_owned()),
            None => {}
        };
        take("title", patch.title.take().map(Some));
        take("summary", patch.summary.take());
        take("description", patch.description.take());
        take("outcome_summary", patch.outcome_summary.take());
        let checked = translations::check_texts(&mut c, spec, "", &given);
        let texts = next.entry(tag.clone()).or_default();
        for name in cleared.iter().chain(given.keys()) {
            texts.remove(name);
        }
        texts.extend(checked);
        if texts.is_empty() {
            next.remove(&tag);
        }
        touched = true;
    }
    if let Some(map) = patch.translations.take() {
        let checked = translations::check_map(&mut c, spec, original, &map, "translations");
        for tag in map
            .keys()
            .filter(|t| crate::language::well_formed(t.trim()))
        {
            next.remove(&translations::canonical(tag.trim()));
        }
        next.extend(checked);
        touched = true;
    }
    c.finish()?;
    Ok((touched && next != *current).then_some(next))
}

fn external_json(d: &Draft) -> String {
    serde_json::to_string(&d.external_identifiers).unwrap_or_else(|_| "[]".into())
}

impl Registry {
    /// One initiative with its journey, if the caller may read it (else `NotFound`).
    pub async fn get_initiative(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> ServiceResult<InitiativeDetail> {
        self.get_initiative_json(caller, id, None).await?.decode()
    }

    /// [`Registry::get_initiative`] in the language `lang` (a BCP 47 tag, `*` for every
    /// translation; `None` for the original), as GraphQL reads it.
    pub async fn get_initiative_in(
        &self,
        caller: &Caller,
        id: Uuid,
        lang: Option<&str>,
    ) -> ServiceResult<InitiativeDetail> {
        let choice = crate::language::ask(lang, None)?;
        self.get_initiative_json(caller, id, None)
            .await?
            .localized(choice)?
            .decode()
    }

    /// [`Registry::get_initiative`] as the stored JSON, passed through (the REST read),
    /// keeping only the fields of `fields` (a sparse fieldset, see `Fieldset`) when given.
    pub async fn get_initiative_json(
        &self,
        caller: &Caller,
        id: Uuid,
        fields: Option<&str>,
    ) -> ServiceResult<super::DetailJson> {
        let fields = fields
            .map(|f| super::Fieldset::parse(f, true))
            .transpose()?;
        let detail = super::document::detail(self.db(), caller, id, self.settings()).await?;
        match fields {
            Some(fields) => detail.keep(&fields),
            None => Ok(detail),
        }
    }

    /// Registers an initiative in the caller's tenant (editors and above).
    pub async fn create_initiative(
        &self,
        caller: &Caller,
        input: NewInitiative,
        meta: &WriteMeta,
    ) -> ServiceResult<InitiativeDetail> {
        let principal = caller.require(Role::Editor)?.clone();
        let txn = self.unit_of_work().await?;
        let detail = self.create_in(&txn, &principal, input, meta).await?;
        txn.commit().await?;
        tracing::info!(initiative = %detail.initiative.id, tenant = %principal.tenant_id, "initiative created");
        Ok(detail)
    }

    /// Registers an initiative within the transaction `txn` (the bulk import runs many in one).
    pub(crate) async fn create_in(
        &self,
        txn: &UnitOfWork,
        principal: &crate::Principal,
        input: NewInitiative,
        meta: &WriteMeta,
    ) -> ServiceResult<InitiativeDetail> {
        let d = checked_new(input)?;
        let now = Utc::now();
        let id = Uuid::now_v7();
        let row = new_row(principal, &d, id, now).insert(txn).await?;
        write_tags(txn, id, &d).await?;
        translations::replace(
            txn,
            principal.tenant_id,
            EntityKind::Initiative,
            id,
            &d.translations,
        )
        .await?;
        first_stage_change(principal, &d, id, now, meta)
            .insert(txn)
            .await?;
        let detail = detail_of(txn, row, self.settings()).await?;
        txn.changed(Change {
            tenant_id: principal.tenant_id,
            initiative_id: id,
            entity_type: EntityKind::Initiative,
            entity_id: id,
            operation: Operation::Create,
            actor: Some(principal.subject),
            meta,
            before: None,
            after: translations::snapshot(history::snapshot(&detail.initiative), &d.translations),
        })
        .await?;
        Ok(detail)
    }

    /// Changes an initiative, provided `expected_version` is current. Journey rules and the
    /// publish check apply; the change is recorded in the history with the caller's reason.
    pub async fn update_initiative(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        patch: InitiativePatch,
        meta: &WriteMeta,
    ) -> ServiceResult<InitiativeDetail> {
        let txn = self.unit_of_work().await?;
        let detail = self
            .update_in(&txn, caller, id, expected_version, patch, meta)
            .await?;
        txn.commit().await?;
        tracing::info!(initiative = %id, version = detail.initiative.version, "initiative updated");
        Ok(detail)
    }

    /// Changes an initiative within the transaction `txn` (the bulk import runs many in one).
    pub(crate) async fn update_in(
        &self,
        txn: &UnitOfWork,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        patch: InitiativePatch,
        meta: &WriteMeta,
    ) -> ServiceResult<InitiativeDetail> {
        self.update_with(txn, caller, id, expected_version, patch, None, meta)
            .await
    }

    /// Sets, removes or replaces an initiative's translations (`edit`), provided
    /// `expected_version` is current: a write of the initiative like any other (its version
    /// rises, the history records each text with its language). Answers its translations.
    pub async fn edit_initiative_translations(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        edit: TranslationEdit,
        meta: &WriteMeta,
    ) -> ServiceResult<translations::RecordTranslations> {
        let txn = self.unit_of_work().await?;
        let detail = self
            .update_with(
                &txn,
                caller,
                id,
                expected_version,
                InitiativePatch::default(),
                Some(edit),
                meta,
            )
            .await?;
        let mut found = translations::load(&txn, EntityKind::Initiative, &[id]).await?;
        txn.commit().await?;
        Ok(translations::RecordTranslations {
            id,
            language: detail.initiative.language,
            version: detail.initiative.version,
            translations: found.remove(&id).unwrap_or_default(),
        })
    }

    /// Changes an initiative's fields (`patch`) and translations (those of the patch, or
    /// `edit`).
    #[allow(clippy::too_many_arguments)]
    async fn update_with(
        &self,
        txn: &UnitOfWork,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        mut patch: InitiativePatch,
        edit: Option<TranslationEdit>,
        meta: &WriteMeta,
    ) -> ServiceResult<InitiativeDetail> {
        let (row, principal) = access::writable(txn, caller, id).await?;
        crate::precondition::expect_version(expected_version, row.version)?;
        let before = view_of(txn, row.clone(), self.settings()).await?;
        let current = translations::load(txn, EntityKind::Initiative, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let translated = match edit {
            Some(edit) => Some(edit.apply(&translations::INITIATIVE, &row.language, &current)?),
            None => translated_patch(&row.language, &current, &mut patch)?,
        };
        let d = check(draft_of_patch(&before, patch))?;
        let now = Utc::now();
        let stage_changed = d.stage != before.stage;
        let stage_changed_on = d.changed_on.unwrap_or_else(|| now.date_naive());
        let mut problems: Vec<FieldError> =
            journey::check(before.stage, d.stage, meta.reason_text())
                .into_iter()
                .collect();
        if stage_changed {
            // The current stage began on `stage_changed_on` (its change's day, or the day the
            // initiative was recorded in it): the next change cannot be dated before it.
            problems.extend(journey::check_date(
                before.stage_changed_on,
                stage_changed_on,
            ));
        } else if d.changed_on.is_some() {
            problems.push(FieldError::new(
                "changed_on",
                "without_stage_change",
                "dates a stage change: give it with a new `stage`",
            ));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Validation(problems));
        }
        ensure_publishable(&d, has_active_partner(txn, id).await?)?;
        let mut active: initiative::ActiveModel = row.clone().into();
        active.title_key = Set(name_key(&d.title));
        active.title = Set(d.title.clone());
        active.summary = Set(d.summary.clone());
        active.description = Set(d.description.clone());
        active.kind = Set(d.kind);
        active.scale = Set(d.scale);
        active.spectrum = Set(d.spectrum);
        active.engagement_model = Set(d.engagement_model);
        active.form = Set(d.form);
        active.stage = Set(d.stage);
        if stage_changed {
            active.stage_changed_at = Set(now);
            active.stage_changed_on = Set(Some(stage_changed_on));
        }
        active.start_date = Set(d.start_date);
        active.end_date = Set(d.end_date);
        active.outcome = Set(d.outcome);
        active.outcome_summary = Set(d.outcome_summary.clone());
        active.visibility = Set(d.visibility);
        active.iati_identifier = Set(d.iati_identifier.clone());
        active.external_identifiers = Set(external_json(&d));
        active.version = Set(row.version + 1);
        active.updated_by = Set(Some(principal.subject));
        active.updated_at = Set(now);
        // Optimistic concurrency: the row must still be at the version we read.
        let result = initiative::Entity::update_many()
            .set(active)
            .filter(initiative::Column::Id.eq(id))
            .filter(initiative::Column::Version.eq(row.version))
            .exec(txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: row.version + 1,
            });
        }
        write_tags(txn, id, &d).await?;
        if let Some(next) = &translated {
            translations::replace(txn, row.tenant_id, EntityKind::Initiative, id, next).await?;
        }
        if stage_changed {
            stage_change::ActiveModel {
                id: Set(Uuid::now_v7()),
                initiative_id: Set(id),
                from_stage: Set(Some(before.stage)),
                to_stage: Set(d.stage),
                changed_at: Set(now),
                changed_on: Set(Some(stage_changed_on)),
                changed_by: Set(Some(principal.subject)),
                reason: Set(meta.reason_text().map(str::to_owned)),
            }
            .insert(txn)
            .await?;
        }
        let updated =
            initiative::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(ServiceError::NotFound {
                    entity: "initiative",
                })?;
        let detail = detail_of(txn, updated, self.settings()).await?;
        txn.changed(Change {
            tenant_id: row.tenant_id,
            initiative_id: id,
            entity_type: EntityKind::Initiative,
            entity_id: id,
            operation: Operation::Update,
            actor: Some(principal.subject),
            meta,
            before: translations::snapshot(history::snapshot(&before), &current),
            after: translations::snapshot(
                history::snapshot(&detail.initiative),
                translated.as_ref().unwrap_or(&current),
            ),
        })
        .await?;
        Ok(detail)
    }

    /// Deletes an initiative and its children, provided `expected_version` is current. The
    /// history stays.
    pub async fn delete_initiative(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        meta: &WriteMeta,
    ) -> ServiceResult<()> {
        let txn = self.unit_of_work().await?;
        let (row, principal) = access::writable(&txn, caller, id).await?;
        crate::precondition::expect_version(expected_version, row.version)?;
        let before = view_of(&txn, row.clone(), self.settings()).await?;
        contribution::Entity::delete_many()
            .filter(contribution::Column::InitiativeId.eq(id))
            .exec(&txn)
            .await?;
        agreement::Entity::delete_many()
            .filter(agreement::Column::InitiativeId.eq(id))
            .exec(&txn)
            .await?;
        progress_report::Entity::delete_many()
            .filter(progress_report::Column::InitiativeId.eq(id))
            .exec(&txn)
            .await?;
        let lesson_ids: Vec<Uuid> = lesson::Entity::find()
            .select_only()
            .column(lesson::Column::Id)
            .filter(lesson::Column::InitiativeId.eq(id))
            .into_tuple()
            .all(&txn)
            .await?;
        translations::remove_all(&txn, EntityKind::Lesson, &lesson_ids).await?;
        lesson::Entity::delete_many()
            .filter(lesson::Column::InitiativeId.eq(id))
            .exec(&txn)
            .await?;
        initiative_partner::Entity::delete_many()
            .filter(initiative_partner::Column::InitiativeId.eq(id))
            .exec(&txn)
            .await?;
        initiative_tag::Entity::delete_many()
            .filter(initiative_tag::Column::InitiativeId.eq(id))
            .exec(&txn)
            .await?;
        stage_change::Entity::delete_many()
            .filter(stage_change::Column::InitiativeId.eq(id))
            .exec(&txn)
            .await?;
        let before_translations = translations::load(&txn, EntityKind::Initiative, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        translations::remove_all(&txn, EntityKind::Initiative, &[id]).await?;
        let result = initiative::Entity::delete_many()
            .filter(initiative::Column::Id.eq(id))
            .filter(initiative::Column::Version.eq(row.version))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: row.version + 1,
            });
        }
        txn.changed(Change {
            tenant_id: row.tenant_id,
            initiative_id: id,
            entity_type: EntityKind::Initiative,
            entity_id: id,
            operation: Operation::Delete,
            actor: Some(principal.subject),
            meta,
            before: translations::snapshot(history::snapshot(&before), &before_translations),
            after: None,
        })
        .await?;
        txn.commit().await?;
        tracing::info!(initiative = %id, "initiative deleted");
        Ok(())
    }
}
