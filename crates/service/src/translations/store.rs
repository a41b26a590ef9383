//! The `translation` rows: read, written and removed with the record's unit of work.

use std::collections::HashMap;

use entity::translation;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{Texts, TranslationMap};
use crate::{EntityKind, error::ServiceResult, language::Language};

/// How many records one read covers (bound values stay well under both engines' limits).
const CHUNK: usize = 500;

/// The translations of the given records of `kind`, by record (records without any are left
/// out).
pub(crate) async fn load<C: ConnectionTrait>(
    db: &C,
    kind: EntityKind,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, TranslationMap>> {
    let mut found: HashMap<Uuid, TranslationMap> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for row in translation::Entity::find()
            .filter(translation::Column::EntityType.eq(kind.as_str()))
            .filter(translation::Column::EntityId.is_in(chunk.iter().copied()))
            .order_by_asc(translation::Column::Language)
            .order_by_asc(translation::Column::Field)
            .all(db)
            .await?
        {
            found
                .entry(row.entity_id)
                .or_default()
                .entry(row.language)
                .or_default()
                .insert(row.field, row.text);
        }
    }
    Ok(found)
}

/// Every translation (not the original columns) of the given records, in one of the six
/// languages, as `(field, language, text)`: what the search indexer analyses beside the
/// original. Records without any are left out.
pub(crate) async fn texts_of<C: ConnectionTrait>(
    db: &C,
    kind: EntityKind,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<(String, Language, String)>>> {
    Ok(load(db, kind, ids)
        .await?
        .into_iter()
        .map(|(id, map)| {
            let texts = map
                .into_iter()
                .filter_map(|(tag, texts)| Language::from_tag(&tag).map(|l| (l, texts)))
                .flat_map(|(language, texts)| {
                    texts
                        .into_iter()
                        .map(move |(field, text)| (field, language, text))
                })
                .collect();
            (id, texts)
        })
        .collect())
}

fn rows(
    tenant_id: Uuid,
    kind: EntityKind,
    id: Uuid,
    tag: &str,
    texts: &Texts,
) -> Vec<translation::ActiveModel> {
    texts
        .iter()
        .map(|(field, text)| translation::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id),
            entity_type: Set(kind.as_str().to_owned()),
            entity_id: Set(id),
            field: Set(field.clone()),
            language: Set(tag.to_owned()),
            text: Set(text.clone()),
        })
        .collect()
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    rows: Vec<translation::ActiveModel>,
) -> ServiceResult<()> {
    // 7 columns a row: well under both engines' limits on bound values.
    for chunk in rows.chunks(1000) {
        translation::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Replaces every translation of a record with `map`.
pub(crate) async fn replace<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    kind: EntityKind,
    id: Uuid,
    map: &TranslationMap,
) -> ServiceResult<()> {
    remove_all(db, kind, &[id]).await?;
    let all = map
        .iter()
        .flat_map(|(tag, texts)| rows(tenant_id, kind, id, tag, texts))
        .collect();
    insert(db, all).await
}

/// Removes every translation of the given records (they are being deleted).
pub(crate) async fn remove_all<C: ConnectionTrait>(
    db: &C,
    kind: EntityKind,
    ids: &[Uuid],
) -> ServiceResult<()> {
    for chunk in ids.chunks(CHUNK) {
        translation::Entity::delete_many()
            .filter(translation::Column::EntityType.eq(kind.as_str()))
            .filter(translation::Column::EntityId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}
