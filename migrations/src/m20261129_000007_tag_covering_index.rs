//! A covering index for the tag filters of the initiative list (country, action line, SDG,
//! lever): `(kind, value, initiative_id)` answers "which initiatives carry this tag" from the
//! index alone, without visiting the table (SQLite's `(kind, value)` index otherwise leads to the
//! rowid and back to the table; PostgreSQL's to the heap).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InitiativeTag {
    Table,
    Kind,
    Value,
    InitiativeId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_initiative_tag_kind_value_initiative")
                    .table(InitiativeTag::Table)
                    .col(InitiativeTag::Kind)
                    .col(InitiativeTag::Value)
                    .col(InitiativeTag::InitiativeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_initiative_tag_kind_value_initiative")
                    .table(InitiativeTag::Table)
                    .to_owned(),
            )
            .await
    }
}
