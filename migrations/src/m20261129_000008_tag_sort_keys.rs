//! Sort keys on initiative tags, so the most common portal query — one tag (a country, an
//! action line, an SDG, a lever) within one tenant or among public initiatives, sorted by title —
//! is a range scan of one index, and its total an index-only count. Each tag row carries its
//! initiative's tenant, title key and whether it is public; the service keeps them in step with
//! the initiative in the same transaction as every write (`initiatives::store::sync_tag_keys`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InitiativeTag {
    Table,
    InitiativeId,
    Kind,
    Value,
    TenantId,
    TitleKey,
    IsPublic,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(InitiativeTag::Table)
                    .add_column(uuid_null(InitiativeTag::TenantId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InitiativeTag::Table)
                    .add_column(string_null(InitiativeTag::TitleKey))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InitiativeTag::Table)
                    .add_column(boolean(InitiativeTag::IsPublic).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE initiative_tag SET \
                 tenant_id = (SELECT i.tenant_id FROM initiative i WHERE i.id = initiative_tag.initiative_id), \
                 title_key = (SELECT i.title_key FROM initiative i WHERE i.id = initiative_tag.initiative_id), \
                 is_public = COALESCE((SELECT i.visibility = 'public' FROM initiative i WHERE i.id = initiative_tag.initiative_id), FALSE)",
            )
            .await?;
        for (name, scope) in [
            ("ix_initiative_tag_tenant_title", InitiativeTag::TenantId),
            ("ix_initiative_tag_public_title", InitiativeTag::IsPublic),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(InitiativeTag::Table)
                        .col(InitiativeTag::Kind)
                        .col(InitiativeTag::Value)
                        .col(scope)
                        .col(InitiativeTag::TitleKey)
                        .col(InitiativeTag::InitiativeId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_initiative_tag_tenant_title",
            "ix_initiative_tag_public_title",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(InitiativeTag::Table)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            InitiativeTag::TenantId,
            InitiativeTag::TitleKey,
            InitiativeTag::IsPublic,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(InitiativeTag::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
