//! Exact totals of lists filtered by one tag, kept by the read model: per tenant and tag (kind
//! and value), how many of the tenant's initiatives carry it and how many of those are public
//! (`initiative_tag_count`).
//!
//! Each document stores the tag rows it was built from; the read model's refresh takes away
//! what the old documents counted and adds what the new ones count, in the writer's
//! transaction, so the counts move with the tag table and never need a scan of it. A list by one
//! tag reads its total from one row (a tenant's list) or one row per tenant (public lists).

use std::collections::{BTreeMap, HashMap};

use entity::{initiative_tag, initiative_tag_count};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};

/// A tag row's kind and value.
pub(crate) type TagPair = (String, String);

/// The pseudo-tag every document counts under: its row holds how many initiatives a tenant has
/// (and how many are public), the total of an unfiltered list. No tag row has this kind.
pub(crate) const EVERY: (&str, &str) = ("*", "*");

/// What one document counts: its tenant, whether it is public, its tag rows.
pub(crate) struct Counted {
    pub tenant: Uuid,
    pub public: bool,
    pub tags: Vec<TagPair>,
}

/// The tag rows of the given initiatives, each initiative's in kind and value order.
pub(crate) async fn pairs_of<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<TagPair>>> {
    let rows: Vec<(Uuid, String, String)> = initiative_tag::Entity::find()
        .select_only()
        .columns([
            initiative_tag::Column::InitiativeId,
            initiative_tag::Column::Kind,
            initiative_tag::Column::Value,
        ])
        .filter(initiative_tag::Column::InitiativeId.is_in(ids.iter().copied()))
        .order_by_asc(initiative_tag::Column::InitiativeId)
        .order_by_asc(initiative_tag::Column::Kind)
        .order_by_asc(initiative_tag::Column::Value)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<TagPair>> = HashMap::new();
    for (id, kind, value) in rows {
        out.entry(id).or_default().push((kind, value));
    }
    Ok(out)
}

/// The stored form of a document's tag rows.
pub(crate) fn encode(tags: &[TagPair]) -> ServiceResult<String> {
    serde_json::to_string(tags)
        .map_err(|e| ServiceError::Internal(format!("encoding a document's tags: {e}")))
}

/// A document's tag rows from their stored form.
pub(crate) fn decode(text: &str) -> ServiceResult<Vec<TagPair>> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::Internal(format!("reading a document's tags: {e}")))
}

/// Per tenant and tag, the change in (total, public) from `old` documents to `new` ones; the
/// tags whose counts do not change are left out. In key order, so concurrent writers take the
/// count rows' locks in the same order.
fn deltas(old: &[Counted], new: &[Counted]) -> BTreeMap<(String, String, Uuid), (i64, i64)> {
    let mut out: BTreeMap<(String, String, Uuid), (i64, i64)> = BTreeMap::new();
    let every = (EVERY.0.to_owned(), EVERY.1.to_owned());
    for (docs, sign) in [(old, -1), (new, 1)] {
        for doc in docs {
            for (kind, value) in doc.tags.iter().chain([&every]) {
                let entry = out
                    .entry((kind.clone(), value.clone(), doc.tenant))
                    .or_default();
                entry.0 += sign;
                entry.1 += if doc.public { sign } else { 0 };
            }
        }
    }
    out.retain(|_, change| *change != (0, 0));
    out
}

/// Takes away what the `old` documents counted and adds what the `new` ones count, in one
/// statement.
pub(crate) async fn apply<C: ConnectionTrait>(
    db: &C,
    old: &[Counted],
    new: &[Counted],
) -> ServiceResult<()> {
    use initiative_tag_count::Column as C;
    let changes = deltas(old, new);
    if changes.is_empty() {
        return Ok(());
    }
    let rows = changes
        .into_iter()
        .map(
            |((kind, value, tenant), (total, public))| initiative_tag_count::ActiveModel {
                kind: Set(kind),
                value: Set(value),
                tenant_id: Set(tenant),
                total: Set(total),
                public: Set(public),
            },
        );
    initiative_tag_count::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([C::Kind, C::Value, C::TenantId])
                .value(
                    C::Total,
                    Expr::cust("\"initiative_tag_count\".\"total\" + \"excluded\".\"total\""),
                )
                .value(
                    C::Public,
                    Expr::cust("\"initiative_tag_count\".\"public\" + \"excluded\".\"public\""),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// How many initiatives carry the tag: the tenant's (`Some`), or the public ones of every
/// tenant (`None`).
pub(crate) async fn total<C: ConnectionTrait>(
    db: &C,
    tenant: Option<Uuid>,
    kind: &str,
    value: &str,
) -> ServiceResult<u64> {
    use initiative_tag_count::Column as C;
    let select = initiative_tag_count::Entity::find()
        .filter(C::Kind.eq(kind))
        .filter(C::Value.eq(value));
    let found: Option<i64> = match tenant {
        Some(tenant) => {
            select
                .filter(C::TenantId.eq(tenant))
                .select_only()
                .column(C::Total)
                .into_tuple()
                .one(db)
                .await?
        }
        None => select
            .select_only()
            .column_as(Expr::cust("CAST(SUM(\"public\") AS BIGINT)"), "public")
            .into_tuple::<Option<i64>>()
            .one(db)
            .await?
            .flatten(),
    };
    Ok(u64::try_from(found.unwrap_or(0)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(tenant: u128, public: bool, tags: &[(&str, &str)]) -> Counted {
        Counted {
            tenant: Uuid::from_u128(tenant),
            public,
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn a_document_rebuilt_unchanged_changes_no_count() {
        let old = [doc(1, true, &[("country", "KE")])];
        let new = [doc(1, true, &[("country", "KE")])];
        assert!(deltas(&old, &new).is_empty());
    }

    #[test]
    fn a_tag_moved_and_made_private_moves_both_counts() {
        let old = [doc(1, true, &[("country", "KE")])];
        let new = [doc(1, false, &[("country", "BR")])];
        let changes = deltas(&old, &new);
        let at = |k: &str, v: &str| changes.get(&(k.into(), v.into(), Uuid::from_u128(1)));
        assert_eq!(at("country", "KE"), Some(&(-1, -1)));
        assert_eq!(at("country", "BR"), Some(&(1, 0)));
        assert_eq!(at(EVERY.0, EVERY.1), Some(&(0, -1)));
    }

    #[test]
    fn a_new_document_counts_under_every() {
        let changes = deltas(&[], &[doc(1, true, &[])]);
        assert_eq!(
            changes.get(&(EVERY.0.into(), EVERY.1.into(), Uuid::from_u128(1))),
            Some(&(1, 1))
        );
    }
}
