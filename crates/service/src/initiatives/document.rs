//! The read model: each initiative's API view stored as one JSON document
//! (`initiative_document`), rebuilt inside the transaction of every write that changes what the
//! initiative shows, and read back with one statement by the list, the detail, the export and
//! GraphQL.
//!
//! `item` holds the `Initiative` object, `detail` what the single-record read adds (stage
//! changes and contribution totals). The reporting status depends on today's date: it is
//! computed at read time from the initiative row's `last_reported_on` and `created_at`, read in
//! the same statement as the document.
//!
//! Writers call [`refresh`] with the ids of the initiatives a write touched (the history's
//! `record` does it for every initiative and child write). Documents of initiatives written
//! before the read model existed are built at startup by [`backfill`].

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    contribution, enums::Visibility, initiative, initiative_document, initiative_partner,
    initiative_tag, organization, stage_change,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, Select,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    derived,
    store::{load_sectors, load_tags, to_view},
    views::{Initiative, InitiativeDetail, StageChangeEntry},
};
use crate::{
    Caller, Settings,
    contributions::{self, ContributionTotals},
    error::{ServiceError, ServiceResult},
};

/// How many initiatives one refresh statement covers (bound values stay well under both
/// engines' limits).
const CHUNK: usize = 500;

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
        let docs = build(db, chunk).await?;
        initiative_document::Entity::delete_many()
            .filter(initiative_document::Column::InitiativeId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
        if !docs.is_empty() {
            initiative_document::Entity::insert_many(docs.into_iter().map(|(id, item, detail)| {
                initiative_document::ActiveModel {
                    initiative_id: sea_orm::Set(id),
                    item: sea_orm::Set(item),
                    detail: sea_orm::Set(detail),
                }
            }))
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
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
/// `(id, item, detail)`. The stored item's reporting status is a placeholder; readers compute it.
async fn build<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<Vec<(Uuid, String, String)>> {
    let rows = initiative::Entity::find()
        .filter(initiative::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut tags = load_tags(db, ids).await?;
    let mut sectors = load_sectors(db, ids).await?;
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
            .push(StageChangeEntry {
                from: c.from_stage,
                to: c.to_stage,
                changed_at: c.changed_at,
                reason: c.reason,
            });
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
    // The stored status is replaced on every read.
    let settings = Settings::default();
    let mut docs = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
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
        docs.push((id, encode(&item)?, encode(&detail)?));
    }
    Ok(docs)
}

fn encode<T: Serialize>(value: &T) -> ServiceResult<String> {
    serde_json::to_string(value)
        .map_err(|e| ServiceError::Internal(format!("encoding an initiative document: {e}")))
}

fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> ServiceResult<T> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::Internal(format!("reading an initiative document: {e}")))
}

/// One stored item with what its reporting status is computed from.
type ItemRow = (String, Option<NaiveDate>, DateTime<Utc>);

fn item_of(
    (text, last_reported_on, created_at): ItemRow,
    settings: &Settings,
) -> ServiceResult<Initiative> {
    let mut item: Initiative = decode(&text)?;
    item.last_reported_on = last_reported_on;
    item.reporting_status = derived::reporting_status(
        last_reported_on,
        created_at,
        Utc::now().date_naive(),
        settings,
    );
    Ok(item)
}

/// The item columns of a select that has the initiative in its FROM, the document joined.
async fn fetch<C: ConnectionTrait, E: EntityTrait>(
    db: &C,
    select: Select<E>,
    settings: &Settings,
) -> ServiceResult<Vec<Initiative>> {
    let rows: Vec<ItemRow> = select
        .select_only()
        .column(initiative_document::Column::Item)
        .column(initiative::Column::LastReportedOn)
        .column(initiative::Column::CreatedAt)
        .join(
            JoinType::InnerJoin,
            initiative_document::Relation::Initiative.def().rev(),
        )
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter().map(|r| item_of(r, settings)).collect()
}

/// The items of the initiatives a select of tag rows finds, in its order and with its limit and
/// offset, in one statement (the tag list's index range, joined to the initiatives).
pub(crate) async fn items_of_tags<C: ConnectionTrait>(
    db: &C,
    tags: Select<initiative_tag::Entity>,
    settings: &Settings,
) -> ServiceResult<Vec<Initiative>> {
    let to_initiative: sea_orm::RelationDef =
        initiative_tag::Entity::belongs_to(initiative::Entity)
            .from(initiative_tag::Column::InitiativeId)
            .to(initiative::Column::Id)
            .into();
    fetch(db, tags.join(JoinType::InnerJoin, to_initiative), settings).await
}

/// The items of the initiatives `select` finds, in its order and with its limit and offset, in
/// one statement (the select's filters and sort keys stay; its columns are replaced).
pub(crate) async fn items<C: ConnectionTrait>(
    db: &C,
    select: Select<initiative::Entity>,
    settings: &Settings,
) -> ServiceResult<Vec<Initiative>> {
    fetch(db, select, settings).await
}

/// The items of the given initiatives, in the order of `ids` (missing ones left out), in one
/// statement. No access check: the caller has chosen readable ids.
pub(crate) async fn items_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    settings: &Settings,
) -> ServiceResult<Vec<Initiative>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = items(
        db,
        initiative::Entity::find().filter(initiative::Column::Id.is_in(ids.iter().copied())),
        settings,
    )
    .await?;
    let mut by_id: HashMap<Uuid, Initiative> = found.into_iter().map(|i| (i.id, i)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One initiative's detail, if the caller may read it (own tenant, or public; else
/// `NotFound`), in one statement.
pub(crate) async fn detail<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    settings: &Settings,
) -> ServiceResult<InitiativeDetail> {
    type Row = (
        Uuid,
        Visibility,
        String,
        String,
        Option<NaiveDate>,
        DateTime<Utc>,
    );
    let row: Option<Row> = initiative::Entity::find_by_id(id)
        .select_only()
        .column(initiative::Column::TenantId)
        .column(initiative::Column::Visibility)
        .column(initiative_document::Column::Item)
        .column(initiative_document::Column::Detail)
        .column(initiative::Column::LastReportedOn)
        .column(initiative::Column::CreatedAt)
        .join(
            JoinType::InnerJoin,
            initiative_document::Relation::Initiative.def().rev(),
        )
        .into_tuple()
        .one(db)
        .await?;
    match row {
        Some((tenant, visibility, item, detail, last, created))
            if crate::tenancy::Coverage::readable(caller).allows(tenant, visibility) =>
        {
            let part: DetailPart = decode(&detail)?;
            Ok(InitiativeDetail {
                initiative: item_of((item, last, created), settings)?,
                stage_changes: part.stage_changes,
                contribution_totals: part.contribution_totals,
            })
        }
        _ => Err(ServiceError::NotFound {
            entity: "initiative",
        }),
    }
}
