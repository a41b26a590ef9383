//! A stage change carries the date it happened (`stage_change.changed_on`), which may be earlier
//! than the day it was recorded (`changed_at`), so a partnership's history can be entered
//! truthfully; the initiative keeps the date of its current stage (`stage_changed_on`). Both
//! columns are nullable: rows recorded before keep their recorded date (the service reads a
//! missing `changed_on` as the date of `changed_at`).
//!
//! The stored documents show the new dates: they are derived data, so they and the tag counts
//! kept from them are emptied here and the service builds every document again at startup
//! (`document::backfill`), as migration 11 did.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StageChange {
    Table,
    ChangedOn,
}

#[derive(DeriveIden)]
enum Initiative {
    Table,
    StageChangedOn,
}

#[derive(DeriveIden)]
enum InitiativeDocument {
    Table,
}

#[derive(DeriveIden)]
enum InitiativeTagCount {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StageChange::Table)
                    .add_column(ColumnDef::new(StageChange::ChangedOn).date().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Initiative::Table)
                    .add_column(ColumnDef::new(Initiative::StageChangedOn).date().null())
                    .to_owned(),
            )
            .await?;
        rebuild_documents(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Initiative::Table)
                    .drop_column(Initiative::StageChangedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StageChange::Table)
                    .drop_column(StageChange::ChangedOn)
                    .to_owned(),
            )
            .await?;
        rebuild_documents(manager).await
    }
}

/// Empties the documents and their tag counts: the service builds them again at startup.
async fn rebuild_documents(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .exec_stmt(
            Query::delete()
                .from_table(InitiativeTagCount::Table)
                .to_owned(),
        )
        .await?;
    manager
        .exec_stmt(
            Query::delete()
                .from_table(InitiativeDocument::Table)
                .to_owned(),
        )
        .await
}
