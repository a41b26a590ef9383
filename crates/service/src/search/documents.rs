//! What the index holds of each record, read from the database: an initiative from its read
//! model document (the same JSON the API answers with) with its lessons' texts, its partners
//! and its agreements' statuses; a lesson from its row; an organisation from its row.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{
    agreement, enums::Visibility, initiative, initiative_document, initiative_partner, lesson,
    organization,
};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use super::{DocKind, schema::Slot};
use crate::{error::ServiceResult, language::Language};

/// How many records one statement reads.
const CHUNK: usize = 500;

/// One record as the index holds it.
#[derive(Clone, Debug)]
pub struct Source {
    pub kind: DocKind,
    pub id: Uuid,
    pub tenant: Uuid,
    pub public: bool,
    /// A lesson's initiative.
    pub initiative: Option<Uuid>,
    /// Filter values and facets: (`country`, `BR`)...
    pub tags: Vec<(&'static str, String)>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub updated_at: i64,
    /// The language the record's own texts are in.
    pub language: Language,
    /// Its texts.
    pub texts: Vec<Text>,
}

/// One text of a record.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Text {
    /// Where it sits (its weight).
    #[serde(skip, default = "default_slot")]
    pub slot: Slot,
    /// The API field it is (`title`, `summary`, `statement`...): snippets are named by it.
    pub field: String,
    /// Its language's tag.
    pub language: String,
    pub text: String,
}

fn default_slot() -> Slot {
    Slot::Body
}

/// What became of one record.
pub enum Loaded {
    Put(Box<Source>),
    /// The record is gone (for an initiative: its lessons with it).
    Gone(DocKind, Uuid),
}

/// The language of a record's texts, detected from them (for records whose language the
/// registry does not hold as given).
fn language_of(texts: &[(Slot, &'static str, String)]) -> Language {
    let sample: String = texts
        .iter()
        .filter(|(slot, _, _)| *slot != Slot::Lessons)
        .map(|(_, _, t)| t.as_str())
        .collect::<Vec<_>>()
        .join(". ");
    crate::language::detect(&sample).unwrap_or(Language::ORIGINAL)
}

fn with_language(
    texts: Vec<(Slot, &'static str, String)>,
    declared: Option<Language>,
) -> (Language, Vec<Text>) {
    let language = declared.unwrap_or_else(|| language_of(&texts));
    (
        language,
        texts
            .into_iter()
            .filter(|(_, _, t)| !t.trim().is_empty())
            .map(|(slot, field, text)| Text {
                slot,
                field: field.to_owned(),
                language: language.tag().to_owned(),
                text,
            })
            .collect(),
    )
}

/// `texts` with each of a record's translations in its own language's fields, at the slot
/// `slot_of` gives its field.
fn with_translations(
    mut texts: Vec<Text>,
    translated: Vec<(String, Language, String)>,
    slot_of: impl Fn(&str) -> Slot,
) -> Vec<Text> {
    for (field, language, text) in translated {
        if !text.trim().is_empty() {
            texts.push(Text {
                slot: slot_of(&field),
                field,
                language: language.tag().to_owned(),
                text,
            });
        }
    }
    texts
}

/// The current state of the given records.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    kind: DocKind,
    ids: &[Uuid],
) -> ServiceResult<Vec<Loaded>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let found = match kind {
            DocKind::Initiative => initiatives(db, chunk).await?,
            DocKind::Lesson => lessons(db, chunk).await?,
            DocKind::Organization => organizations(db, chunk).await?,
        };
        let mut by_id: HashMap<Uuid, Source> = found.into_iter().map(|s| (s.id, s)).collect();
        for id in chunk {
            out.push(match by_id.remove(id) {
                Some(source) => Loaded::Put(Box::new(source)),
                None => Loaded::Gone(kind, *id),
            });
        }
    }
    Ok(out)
}

/// The ids of every record of a kind, in id order, after `after` (a rebuild reads them a
/// chunk at a time).
pub async fn ids_after<C: ConnectionTrait>(
    db: &C,
    kind: DocKind,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<Uuid>> {
    macro_rules! page {
        ($entity:ident, $column:expr) => {{
            let mut select = $entity::Entity::find()
                .select_only()
                .column($column)
                .order_by_asc($column)
                .limit(limit);
            if let Some(after) = after {
                select = select.filter($column.gt(after));
            }
            select.into_tuple::<Uuid>().all(db).await?
        }};
    }
    use sea_orm::QueryOrder;
    Ok(match kind {
        DocKind::Initiative => page!(
            initiative_document,
            initiative_document::Column::InitiativeId
        ),
        DocKind::Lesson => page!(lesson, lesson::Column::Id),
        DocKind::Organization => page!(organization, organization::Column::Id),
    })
}

fn text(item: &Value, name: &str) -> Option<String> {
    item.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn strings(item: &Value, name: &str) -> Vec<String> {
    match item.get(name) {
        Some(Value::Array(values)) => values
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn date(item: &Value, name: &str) -> Option<NaiveDate> {
    item.get(name)
        .and_then(Value::as_str)
        .and_then(|d| d.parse().ok())
}

async fn initiatives<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> ServiceResult<Vec<Source>> {
    let docs = initiative_document::Entity::find()
        .filter(initiative_document::Column::InitiativeId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut lessons: HashMap<Uuid, Vec<String>> = HashMap::new();
    for l in lesson::Entity::find()
        .filter(lesson::Column::InitiativeId.is_in(ids.iter().copied()))
        .all(db)
        .await?
    {
        let texts = lessons.entry(l.initiative_id).or_default();
        texts.push(l.statement);
        texts.extend(l.context);
        texts.extend(l.challenge);
        texts.extend(l.recommendation);
    }
    let mut partners: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (initiative, organization) in initiative_partner::Entity::find()
        .select_only()
        .column(initiative_partner::Column::InitiativeId)
        .column(initiative_partner::Column::OrganizationId)
        .filter(initiative_partner::Column::InitiativeId.is_in(ids.iter().copied()))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
    {
        partners.entry(initiative).or_default().push(organization);
    }
    let mut agreements: HashMap<Uuid, Vec<String>> = HashMap::new();
    for a in agreement::Entity::find()
        .filter(agreement::Column::InitiativeId.is_in(ids.iter().copied()))
        .all(db)
        .await?
    {
        agreements
            .entry(a.initiative_id)
            .or_default()
            .push(a.status.to_value());
    }
    let mut translated =
        crate::translations::texts_of(db, crate::EntityKind::Initiative, ids).await?;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        let Ok(item) = serde_json::from_str::<Value>(&doc.item) else {
            continue;
        };
        let id = doc.initiative_id;
        let mut texts = vec![(
            Slot::Title,
            "title",
            text(&item, "title").unwrap_or_default(),
        )];
        for (slot, field) in [
            (Slot::Summary, "summary"),
            (Slot::Body, "description"),
            (Slot::Body, "outcome_summary"),
        ] {
            texts.extend(text(&item, field).map(|t| (slot, field, t)));
        }
        for t in lessons.remove(&id).unwrap_or_default() {
            texts.push((Slot::Lessons, "lessons", t));
        }
        let mut tags = Vec::new();
        let mut tag = |root: &'static str, values: Vec<String>| {
            tags.extend(values.into_iter().map(|v| (root, v)));
        };
        tag("country", strings(&item, "countries"));
        tag("action_line", strings(&item, "action_lines"));
        tag("sdg_goal", strings(&item, "sdg_goals"));
        tag("sdg_target", strings(&item, "sdg_targets"));
        tag("lever", strings(&item, "levers"));
        tag("sector", strings(&item, "sectors"));
        for name in [
            "stage",
            "kind",
            "spectrum",
            "engagement_model",
            "form",
            "scale",
            "outcome",
            "visibility",
        ] {
            tag(name, strings(&item, name));
        }
        tag(
            "organization",
            partners
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|o| o.to_string())
                .collect(),
        );
        tag(
            "agreement_status",
            agreements.remove(&id).unwrap_or_default(),
        );
        let declared = text(&item, "language").and_then(|t| Language::from_tag(&t));
        let (language, texts) = with_language(texts, declared);
        // Each translation in its own language's fields.
        let texts =
            with_translations(
                texts,
                translated.remove(&id).unwrap_or_default(),
                |field| match field {
                    "title" => Slot::Title,
                    "summary" => Slot::Summary,
                    _ => Slot::Body,
                },
            );
        out.push(Source {
            kind: DocKind::Initiative,
            id,
            tenant: doc.tenant_id,
            public: doc.visibility == Visibility::Public,
            initiative: None,
            tags,
            start_date: date(&item, "start_date"),
            end_date: date(&item, "end_date"),
            updated_at: doc.updated_at.timestamp(),
            language,
            texts,
        });
    }
    Ok(out)
}

async fn lessons<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> ServiceResult<Vec<Source>> {
    let rows = lesson::Entity::find()
        .filter(lesson::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let public: Vec<Uuid> = initiative::Entity::find()
        .select_only()
        .column(initiative::Column::Id)
        .filter(initiative::Column::Id.is_in(rows.iter().map(|l| l.initiative_id)))
        .filter(initiative::Column::Visibility.eq(Visibility::Public))
        .into_tuple()
        .all(db)
        .await?;
    let mut translated = crate::translations::texts_of(db, crate::EntityKind::Lesson, ids).await?;
    Ok(rows
        .into_iter()
        .map(|l| {
            let mut texts = vec![(Slot::Title, "statement", l.statement)];
            texts.extend(l.context.map(|t| (Slot::Summary, "context", t)));
            texts.extend(l.challenge.map(|t| (Slot::Body, "challenge", t)));
            texts.extend(l.recommendation.map(|t| (Slot::Body, "recommendation", t)));
            let tags: Vec<String> = serde_json::from_str(&l.tags).unwrap_or_default();
            if !tags.is_empty() {
                texts.push((Slot::Body, "tags", tags.join(", ")));
            }
            let (language, texts) = with_language(texts, Language::from_tag(&l.language));
            let texts = with_translations(
                texts,
                translated.remove(&l.id).unwrap_or_default(),
                |field| match field {
                    "statement" => Slot::Title,
                    "context" => Slot::Summary,
                    _ => Slot::Body,
                },
            );
            Source {
                kind: DocKind::Lesson,
                id: l.id,
                tenant: l.tenant_id,
                public: public.contains(&l.initiative_id),
                initiative: Some(l.initiative_id),
                tags: Vec::new(),
                start_date: None,
                end_date: None,
                updated_at: l.updated_at.timestamp(),
                language,
                texts,
            }
        })
        .collect())
}

async fn organizations<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> ServiceResult<Vec<Source>> {
    let rows = organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut translated =
        crate::translations::texts_of(db, crate::EntityKind::Organization, ids).await?;
    Ok(rows
        .into_iter()
        .map(|o| {
            let mut texts = vec![(Slot::Title, "name", o.name)];
            texts.extend(o.acronym.map(|t| (Slot::Title, "acronym", t)));
            texts.extend(o.description.map(|t| (Slot::Body, "description", t)));
            let (language, texts) = with_language(texts, Language::from_tag(&o.language));
            let texts = with_translations(
                texts,
                translated.remove(&o.id).unwrap_or_default(),
                |field| match field {
                    "name" | "acronym" => Slot::Title,
                    _ => Slot::Body,
                },
            );
            Source {
                kind: DocKind::Organization,
                id: o.id,
                tenant: o.tenant_id,
                public: o.visibility == Visibility::Public,
                initiative: None,
                tags: vec![("sector", o.sector.to_value())],
                start_date: None,
                end_date: None,
                updated_at: o.updated_at.timestamp(),
                language,
                texts,
            }
        })
        .collect())
}
