//! Names compare after Unicode normalisation: an organisation's `name_key` and an initiative's
//! `title_key` become NFKC_Casefold with default-ignorable code points removed (the service's
//! `text::name_key`), so NFD and NFC, full-width and ASCII, ß and SS, ligatures, and names with a
//! zero-width space, soft hyphen or BOM have one key. This recomputes the stored keys: the
//! organisations' (unique per tenant), and the initiatives' with the copies the tag index and
//! the read-model documents sort by.
//!
//! Two organisations of one tenant whose names the old keys told apart may now have one key.
//! The migration does not fail and changes no name: the oldest (by `created_at`, then id) keeps
//! the key, and each other gets the key followed by ` #` and its own id, which no name folds to,
//! so the unique index holds and the records stay as they are. An admin can rename or merge them;
//! a rename is then compared with the new keys like any other.
//!
//! The key is computed here by a copy of the function as it is today (a migration is history:
//! it must not change when the service's rule does later). A test in the service checks that
//! the two agree.

use std::collections::HashSet;

use icu_casemap::CaseMapper;
use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
use icu_properties::{CodePointSetData, props::DefaultIgnorableCodePoint};
use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, prelude::Uuid},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
    TenantId,
    Name,
    NameKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Initiative {
    Table,
    Id,
    Title,
    TitleKey,
}

#[derive(DeriveIden)]
enum InitiativeTag {
    Table,
    InitiativeId,
    TitleKey,
}

#[derive(DeriveIden)]
enum InitiativeDocument {
    Table,
    InitiativeId,
    TitleKey,
}

/// The name key of this migration: default-ignorables removed, NFKD, full case folding, NFKC,
/// white space folded (the service's `text::name_key` on 2026-12-02).
pub fn name_key(name: &str) -> String {
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let visible: String = name.chars().filter(|c| !ignorable.contains(*c)).collect();
    let decomposed = DecomposingNormalizerBorrowed::new_nfkd().normalize(&visible);
    let folded = CaseMapper::new().fold_string(&decomposed);
    let composed = ComposingNormalizerBorrowed::new_nfkc().normalize(&folded);
    composed
        .split(|c: char| c.is_whitespace())
        .map(|w| {
            w.chars()
                .filter(|c| !ignorable.contains(*c))
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        organizations(manager).await?;
        initiatives(manager).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The old keys are not kept; the new ones are a finer comparison the old code reads as
        // well (it only ever compared keys it computed itself on writes).
        Ok(())
    }
}

async fn organizations(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let rows = db
        .query_all(
            &Query::select()
                .columns([
                    Organization::Id,
                    Organization::TenantId,
                    Organization::Name,
                    Organization::NameKey,
                ])
                .from(Organization::Table)
                .order_by(Organization::TenantId, Order::Asc)
                .order_by(Organization::CreatedAt, Order::Asc)
                .order_by(Organization::Id, Order::Asc)
                .to_owned(),
        )
        .await?;
    let mut taken: HashSet<(Uuid, String)> = HashSet::new();
    let mut changes: Vec<(Uuid, String)> = Vec::new();
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        let tenant: Uuid = row.try_get("", "tenant_id")?;
        let name: String = row.try_get("", "name")?;
        let old: String = row.try_get("", "name_key")?;
        let mut key = name_key(&name);
        if !taken.insert((tenant, key.clone())) {
            key = format!("{key} #{id}");
            taken.insert((tenant, key.clone()));
        }
        if key != old {
            changes.push((id, key));
        }
    }
    // Every key that changes is first moved out of the way, so no row takes a key another row
    // still holds for a moment (the unique index is checked per statement).
    for (id, _) in &changes {
        set_name_key(manager, *id, format!("#migrating {id}")).await?;
    }
    for (id, key) in changes {
        set_name_key(manager, id, key).await?;
    }
    Ok(())
}

async fn set_name_key(manager: &SchemaManager<'_>, id: Uuid, key: String) -> Result<(), DbErr> {
    manager
        .exec_stmt(
            Query::update()
                .table(Organization::Table)
                .value(Organization::NameKey, key)
                .and_where(Expr::col(Organization::Id).eq(id))
                .to_owned(),
        )
        .await
}

async fn initiatives(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let rows = db
        .query_all(
            &Query::select()
                .columns([Initiative::Id, Initiative::Title, Initiative::TitleKey])
                .from(Initiative::Table)
                .to_owned(),
        )
        .await?;
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        let title: String = row.try_get("", "title")?;
        let old: String = row.try_get("", "title_key")?;
        let key = name_key(&title);
        if key == old {
            continue;
        }
        manager
            .exec_stmt(
                Query::update()
                    .table(Initiative::Table)
                    .value(Initiative::TitleKey, key.clone())
                    .and_where(Expr::col(Initiative::Id).eq(id))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(InitiativeTag::Table)
                    .value(InitiativeTag::TitleKey, key.clone())
                    .and_where(Expr::col(InitiativeTag::InitiativeId).eq(id))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(InitiativeDocument::Table)
                    .value(InitiativeDocument::TitleKey, key)
                    .and_where(Expr::col(InitiativeDocument::InitiativeId).eq(id))
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}
