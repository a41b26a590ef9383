//! The read model: each initiative's API view stored as one JSON document
//! (`initiative_document`), rebuilt inside the transaction of every write that changes what the
//! initiative shows, and read back with one statement by the list, the detail, the export and
//! GraphQL.
//!
//! `item` holds the `Initiative` object without its reporting status, `detail` what the
//! single-record read adds (stage changes and contribution totals). The reporting status
//! depends on today's date: it is computed at read time from the document's `created_at` and
//! `last_reported_on` columns and written into the JSON as it passes through ([`ItemJson`]):
//! REST answers send the stored text on without decoding and encoding it again. The document's
//! other columns (tenant, visibility, version, sort keys) let a list page or a detail be read,
//! checked and given its cursors and ETag from the document alone.
//!
//! Writers call [`refresh`] with the ids of the initiatives a write touched (the write
//! pipeline's refresh step does it for every initiative and child write). Documents of
//! initiatives written before the read model existed are built at startup by [`backfill`].

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    contribution, enums::Visibility, initiative, initiative_document, initiative_partner,
    initiative_tag, organization, stage_change,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Select, Set,
};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::{
    derived,
    store::{load_sectors, load_tags, to_view},
    tag_count,
    views::{Initiative, InitiativeDetail, StageChangeEntry},
};
use crate::{
    Caller, EntityKind, Settings,
    contributions::{self, ContributionTotals},
    error::{ServiceError, ServiceResult},
    language::LanguageChoice,
    translations::{self, render},
};

/// How many initiatives one refresh statement covers (bound values stay well under both
/// engines' limits).
const CHUNK: usize = 500;

/// The stored item's field the reader writes in.
const STATUS_FIELD: &str = "reporting_status";

/// What the detail adds to the item.
#[derive(Serialize, Deserialize)]
struct DetailPart {
    stage_changes: Vec<StageChangeEntry>,
    contribution_totals: ContributionTotals,
}

/// Rebuilds the documents of the given initiatives from the tables; an id whose initiative is
/// gone loses its document. Runs in the writer's transaction.
pub(crate) async fn refresh<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> ServiceResult<()> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(CHUNK) {
        let old = stored_counts(db, chunk).await?;
        let docs = build(db, chunk).await?;
        tag_count::apply(db, &old, &counted(docs.iter().cloned())?).await?;
        initiative_document::Entity::delete_many()
            .filter(initiative_document::Column::InitiativeId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
        if !docs.is_empty() {
            initiative_document::Entity::insert_many(docs)
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(())
}

/// What the stored documents of `ids` count in the tag counts (their tenant, visibility and
/// tags only: not the JSON of their views).
async fn stored_counts<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<Vec<tag_count::Counted>> {
    let rows: Vec<(Uuid, Visibility, String)> = initiative_document::Entity::find()
        .select_only()
        .column(initiative_document::Column::TenantId)
        .column(initiative_document::Column::Visibility)
        .column(initiative_document::Column::Tags)
        .filter(initiative_document::Column::InitiativeId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(tenant, visibility, tags)| {
            Ok(tag_count::Counted {
                tenant,
                public: visibility == Visibility::Public,
                tags: tag_count::decode(&tags)?,
            })
        })
        .collect()
}

/// What each document counts in the tag counts.
fn counted<D: sea_orm::IntoActiveModel<initiative_document::ActiveModel>>(
    docs: impl IntoIterator<Item = D>,
) -> ServiceResult<Vec<tag_count::Counted>> {
    docs.into_iter()
        .map(|doc| {
            let doc = doc.into_active_model();
            let (Some(tenant), Some(visibility), Some(tags)) = (
                doc.tenant_id.try_as_ref(),
                doc.visibility.try_as_ref(),
                doc.tags.try_as_ref(),
            ) else {
                return Err(ServiceError::Internal(
                    "an initiative document without its tenant, visibility or tags".into(),
                ));
            };
            Ok(tag_count::Counted {
                tenant: *tenant,
                public: *visibility == Visibility::Public,
                tags: tag_count::decode(tags)?,
            })
        })
        .collect()
}

/// Builds the documents of every initiative that has none (a database written before the read
/// model, or by a tool past the service), in batches of one transaction each. Returns how many
/// were built. Run at startup, after the migrations.
pub async fn backfill(db: &sea_orm::DatabaseConnection) -> ServiceResult<usize> {
    use sea_orm::TransactionTrait;
    let mut built = 0;
    loop {
        let txn = db.begin().await?;
        let missing: Vec<Uuid> = initiative::Entity::find()
            .select_only()
            .column(initiative::Column::Id)
            .join(
                JoinType::LeftJoin,
                initiative_document::Relation::Initiative.def().rev(),
            )
            .filter(initiative_document::Column::InitiativeId.is_null())
            .limit(CHUNK as u64)
            .into_tuple()
            .all(&txn)
            .await?;
        if missing.is_empty() {
            return Ok(built);
        }
        built += missing.len();
        refresh(&txn, &missing).await?;
        txn.commit().await?;
    }
}

/// The documents of the given initiatives (that exist), built from the tables:
/// the rows to store. The stored item has no reporting status: readers write it in.
async fn build<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<Vec<initiative_document::ActiveModel>> {
    let rows = initiative::Entity::find()
        .filter(initiative::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut tags = load_tags(db, ids).await?;
    let mut pairs = tag_count::pairs_of(db, ids).await?;
    let mut sectors = load_sectors(db, ids).await?;
    let mut translated = translations::load(db, EntityKind::Initiative, ids).await?;
    let mut changes: HashMap<Uuid, Vec<StageChangeEntry>> = HashMap::new();
    for c in stage_change::Entity::find()
        .filter(stage_change::Column::InitiativeId.is_in(ids.iter().copied()))
        .order_by_asc(stage_change::Column::ChangedAt)
        .order_by_asc(stage_change::Column::Id)
        .all(db)
        .await?
    {
        changes
            .entry(c.initiative_id)
            .or_default()
            .push(super::store::stage_change_entry(c));
    }
    let mut contributions_of: HashMap<Uuid, Vec<contribution::Model>> = HashMap::new();
    for c in contribution::Entity::find()
        .filter(contribution::Column::InitiativeId.is_in(ids.iter().copied()))
        .all(db)
        .await?
    {
        contributions_of.entry(c.initiative_id).or_default().push(c);
    }
    let partners: BTreeMap<Uuid, (initiative_partner::Model, organization::Model)> =
        if contributions_of.is_empty() {
            BTreeMap::new()
        } else {
            let with: Vec<Uuid> = contributions_of.keys().copied().collect();
            initiative_partner::Entity::find()
                .filter(initiative_partner::Column::InitiativeId.is_in(with))
                .find_also_related(organization::Entity)
                .all(db)
                .await?
                .into_iter()
                .filter_map(|(p, o)| o.map(|o| (p.id, (p, o))))
                .collect()
        };
    // The status is left out of the stored item; this one is never read.
    let settings = Settings::default();
    let mut docs = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
        let (tenant_id, visibility, version) = (row.tenant_id, row.visibility, row.version);
        let (title_key, start_date, updated_at) =
            (row.title_key.clone(), row.start_date, row.updated_at);
        let (created_at, last_reported_on) = (row.created_at, row.last_reported_on);
        let language = row.language.clone();
        let item = to_view(
            row,
            tags.remove(&id).unwrap_or_default(),
            sectors.remove(&id).unwrap_or_default(),
            &settings,
        );
        let detail = DetailPart {
            stage_changes: changes.remove(&id).unwrap_or_default(),
            contribution_totals: contributions::totals_of(
                contributions_of.remove(&id).unwrap_or_default(),
                &partners,
            )?,
        };
        docs.push(initiative_document::ActiveModel {
            initiative_id: Set(id),
            tenant_id: Set(tenant_id),
            visibility: Set(visibility),
            version: Set(version),
            title_key: Set(title_key),
            start_date: Set(start_date),
            updated_at: Set(updated_at),
            created_at: Set(created_at),
            last_reported_on: Set(last_reported_on),
            tags: Set(tag_count::encode(&pairs.remove(&id).unwrap_or_default())?),
            item: Set(encode_item(&item)?),
            detail: Set(encode(&detail)?),
            language: Set(language),
            translations: Set(translated.remove(&id).map(|t| encode(&t)).transpose()?),
        });
    }
    Ok(docs)
}

fn encode<T: Serialize>(value: &T) -> ServiceResult<String> {
    serde_json::to_string(value)
        .map_err(|e| ServiceError::Internal(format!("encoding an initiative document: {e}")))
}

/// The stored form of an item: its JSON object without the reporting status.
fn encode_item(item: &Initiative) -> ServiceResult<String> {
    let mut value = serde_json::to_value(item)
        .map_err(|e| ServiceError::Internal(format!("encoding an initiative document: {e}")))?;
    if let Some(fields) = value.as_object_mut() {
        fields.remove(STATUS_FIELD);
    }
    encode(&value)
}

fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> ServiceResult<T> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::Internal(format!("reading an initiative document: {e}")))
}

/// The values a cursor of a listed initiative is made of (its sort keys and id).
#[derive(Clone, Debug)]
pub(crate) struct SortValues {
    pub id: Uuid,
    pub title_key: String,
    pub start_date: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

/// One listed initiative as it leaves the read model: the stored item's JSON with today's
/// reporting status written in. It serialises as that text, unchanged (the REST list), and
/// decodes to an [`Initiative`] where one is needed (GraphQL, the CLI).
#[derive(Clone, Debug)]
pub struct ItemJson {
    json: Box<RawValue>,
    pub(crate) sort: SortValues,
    /// The texts the item's JSON is in: its original language until localised.
    texts: Texts,
}

/// The languages of a document's texts: its original, its stored translations (JSON), and the
/// language of the answer made of it.
#[derive(Clone, Debug)]
struct Texts {
    original: String,
    translations: Option<String>,
    answer: String,
}

impl Texts {
    fn new(original: String, translations: Option<String>) -> Self {
        Texts {
            answer: original.clone(),
            original,
            translations,
        }
    }

    /// `json` in the reader's `choice`, when it changes; and the answer's language.
    fn localize(
        &mut self,
        json: &RawValue,
        choice: LanguageChoice,
    ) -> ServiceResult<Option<Box<RawValue>>> {
        let (changed, answer) = render::localize_json(
            json.get(),
            &translations::INITIATIVE,
            &self.original,
            self.translations.as_deref(),
            choice,
        )?;
        self.answer = answer;
        changed
            .map(|text| {
                RawValue::from_string(text).map_err(|e| {
                    ServiceError::Internal(format!("reading an initiative document: {e}"))
                })
            })
            .transpose()
    }
}

impl ItemJson {
    /// The initiative's id.
    pub fn id(&self) -> Uuid {
        self.sort.id
    }

    /// The item as an [`Initiative`].
    pub fn decode(&self) -> ServiceResult<Initiative> {
        decode(self.json.get())
    }

    /// The item with only the fields of `fields`.
    pub(crate) fn keep(self, fields: &super::Fieldset) -> ServiceResult<Self> {
        Ok(Self {
            json: fields.keep(&self.json)?,
            sort: self.sort,
            texts: self.texts,
        })
    }

    /// The item in the reader's language (`None`: as stored, in its original language): each
    /// text in that language where the initiative has it, the original elsewhere (named in
    /// `field_languages`); `lang=*` adds every translation.
    pub fn localized(mut self, choice: Option<LanguageChoice>) -> ServiceResult<Self> {
        if let Some(choice) = choice
            && let Some(json) = self.texts.localize(&self.json, choice)?
        {
            self.json = json;
        }
        Ok(self)
    }

    /// The language of the answer's texts (`Content-Language`).
    pub fn content_language(&self) -> &str {
        &self.texts.answer
    }
}

impl Serialize for ItemJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

/// One initiative's detail as it leaves the read model: the stored item and detail joined into
/// one JSON object, with today's reporting status; and the version, for its ETag.
#[derive(Clone, Debug)]
pub struct DetailJson {
    json: Box<RawValue>,
    pub version: i32,
    texts: Texts,
}

impl DetailJson {
    /// The detail as an [`InitiativeDetail`].
    pub fn decode(&self) -> ServiceResult<InitiativeDetail> {
        decode(self.json.get())
    }

    /// The detail with only the fields of `fields`.
    pub(crate) fn keep(self, fields: &super::Fieldset) -> ServiceResult<Self> {
        Ok(Self {
            json: fields.keep(&self.json)?,
            version: self.version,
            texts: self.texts,
        })
    }

    /// The detail in the reader's language, as [`ItemJson::localized`].
    pub fn localized(mut self, choice: Option<LanguageChoice>) -> ServiceResult<Self> {
        if let Some(choice) = choice
            && let Some(json) = self.texts.localize(&self.json, choice)?
        {
            self.json = json;
        }
        Ok(self)
    }

    /// The language of the answer's texts (`Content-Language`).
    pub fn content_language(&self) -> &str {
        &self.texts.answer
    }
}

impl Serialize for DetailJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

/// A stored JSON object's fields, without its braces (`"a":1,"b":2`).
fn fields_of(object: &str) -> ServiceResult<&str> {
    object
        .trim()
        .strip_prefix('{')
        .and_then(|o| o.strip_suffix('}'))
        .map(str::trim)
        .filter(|fields| !fields.is_empty())
        .ok_or_else(|| ServiceError::Internal("an initiative document is not an object".into()))
}

/// `{"reporting_status":…,<fields>…}`: the stored objects' fields after today's status.
fn with_status(
    parts: &[&str],
    created_at: DateTime<Utc>,
    last_reported_on: Option<NaiveDate>,
    settings: &Settings,
) -> ServiceResult<Box<RawValue>> {
    let status = derived::reporting_status(
        last_reported_on,
        created_at,
        Utc::now().date_naive(),
        settings,
    );
    let mut json = format!("{{\"{STATUS_FIELD}\":{}", encode(&status)?);
    for part in parts {
        json.push(',');
        json.push_str(fields_of(part)?);
    }
    json.push('}');
    RawValue::from_string(json)
        .map_err(|e| ServiceError::Internal(format!("reading an initiative document: {e}")))
}

/// The columns a list reads of each document.
#[derive(FromQueryResult)]
struct ItemRow {
    initiative_id: Uuid,
    title_key: String,
    start_date: Option<NaiveDate>,
    updated_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    last_reported_on: Option<NaiveDate>,
    item: String,
    language: String,
    translations: Option<String>,
}

impl ItemRow {
    fn into_item(self, settings: &Settings) -> ServiceResult<ItemJson> {
        Ok(ItemJson {
            json: with_status(
                &[&self.item],
                self.created_at,
                self.last_reported_on,
                settings,
            )?,
            sort: SortValues {
                id: self.initiative_id,
                title_key: self.title_key,
                start_date: self.start_date,
                updated_at: self.updated_at,
            },
            texts: Texts::new(self.language, self.translations),
        })
    }
}

/// The item columns of a select that has the document joined, in the select's order.
async fn fetch<C: ConnectionTrait, E: EntityTrait>(
    db: &C,
    select: Select<E>,
    settings: &Settings,
) -> ServiceResult<Vec<ItemJson>> {
    use initiative_document::Column as D;
    let rows = select
        .select_only()
        .columns([
            D::InitiativeId,
            D::TitleKey,
            D::StartDate,
            D::UpdatedAt,
            D::CreatedAt,
            D::LastReportedOn,
            D::Item,
            D::Language,
            D::Translations,
        ])
        .into_model::<ItemRow>()
        .all(db)
        .await?;
    rows.into_iter().map(|r| r.into_item(settings)).collect()
}

/// The items of the initiatives a select of tag rows finds, in its order and with its limit and
/// offset, in one statement (the tag list's index range, joined to the documents alone).
pub(crate) async fn items_of_tags<C: ConnectionTrait>(
    db: &C,
    tags: Select<initiative_tag::Entity>,
    settings: &Settings,
) -> ServiceResult<Vec<ItemJson>> {
    let to_document: sea_orm::RelationDef =
        initiative_tag::Entity::belongs_to(initiative_document::Entity)
            .from(initiative_tag::Column::InitiativeId)
            .to(initiative_document::Column::InitiativeId)
            .into();
    fetch(db, tags.join(JoinType::InnerJoin, to_document), settings).await
}

/// The items of the initiatives `select` finds, in its order and with its limit and offset, in
/// one statement (the select's filters and sort keys stay; its columns are replaced).
pub(crate) async fn items<C: ConnectionTrait>(
    db: &C,
    select: Select<initiative::Entity>,
    settings: &Settings,
) -> ServiceResult<Vec<ItemJson>> {
    let joined = select.join(
        JoinType::InnerJoin,
        initiative_document::Relation::Initiative.def().rev(),
    );
    fetch(db, joined, settings).await
}

/// The decoded items of the initiatives `select` finds, in its order.
pub(crate) async fn initiatives<C: ConnectionTrait>(
    db: &C,
    select: Select<initiative::Entity>,
    settings: &Settings,
) -> ServiceResult<Vec<Initiative>> {
    items(db, select, settings)
        .await?
        .iter()
        .map(ItemJson::decode)
        .collect()
}

/// The decoded items of the initiatives `select` finds, in its order, each with every
/// translation of its texts (`translations`), as the export writes them.
pub(crate) async fn translated_initiatives<C: ConnectionTrait>(
    db: &C,
    select: Select<initiative::Entity>,
    settings: &Settings,
) -> ServiceResult<Vec<Initiative>> {
    items(db, select, settings)
        .await?
        .into_iter()
        .map(|item| item.localized(Some(LanguageChoice::All))?.decode())
        .collect()
}

/// The items of the given initiatives, in the order of `ids` (missing ones left out), in one
/// statement. No access check: the caller has chosen readable ids.
pub(crate) async fn items_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    settings: &Settings,
) -> ServiceResult<Vec<ItemJson>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = fetch(
        db,
        initiative_document::Entity::find()
            .filter(initiative_document::Column::InitiativeId.is_in(ids.iter().copied())),
        settings,
    )
    .await?;
    let mut by_id: HashMap<Uuid, ItemJson> = found.into_iter().map(|i| (i.id(), i)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One initiative's detail, if the caller may read it (own tenant, or public; else
/// `NotFound`), in one statement on the document alone.
pub(crate) async fn detail<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    settings: &Settings,
) -> ServiceResult<DetailJson> {
    let found = initiative_document::Entity::find_by_id(id).one(db).await?;
    match found {
        Some(doc)
            if crate::tenancy::Coverage::readable(caller).allows(doc.tenant_id, doc.visibility) =>
        {
            Ok(DetailJson {
                json: with_status(
                    &[&doc.item, &doc.detail],
                    doc.created_at,
                    doc.last_reported_on,
                    settings,
                )?,
                version: doc.version,
                texts: Texts::new(doc.language, doc.translations),
            })
        }
        _ => Err(ServiceError::NotFound {
            entity: "initiative",
        }),
    }
}
