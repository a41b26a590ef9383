//! The read model holds what its readers check, sort and compute on, so a list page or a detail
//! is read from the document alone: the owning tenant and the visibility (the access check), the
//! version (the ETag), the sort keys (a cursor's values: `title_key`, `start_date`,
//! `updated_at`), and the two dates the reporting status is computed from at read time
//! (`created_at`, `last_reported_on`). The stored item no longer carries a reporting status (it depends on
//! today's date): the service writes it into the JSON as it passes the item through.
//!
//! It also keeps `initiative_tag_count`: per tenant and tag (kind and value), how many of the
//! tenant's initiatives carry it and how many of those are public, kept in step by the same
//! refresh from each document's `tags` (what the tag table held when it was built), so a list
//! filtered by one tag gets its exact total from one row per tenant instead of counting the
//! index range on every request.
//!
//! The documents are derived data: the table is made anew, and the service builds every
//! initiative's document at startup (`document::backfill`) in the new form.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InitiativeDocument {
    Table,
    InitiativeId,
    TenantId,
    Visibility,
    Version,
    TitleKey,
    StartDate,
    UpdatedAt,
    CreatedAt,
    LastReportedOn,
    Tags,
    Item,
    Detail,
}

#[derive(DeriveIden)]
enum InitiativeTagCount {
    Table,
    TenantId,
    Kind,
    Value,
    Total,
    Public,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(InitiativeDocument::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InitiativeDocument::Table)
                    .col(uuid(InitiativeDocument::InitiativeId).primary_key())
                    .col(uuid(InitiativeDocument::TenantId))
                    .col(string(InitiativeDocument::Visibility))
                    .col(integer(InitiativeDocument::Version))
                    .col(string(InitiativeDocument::TitleKey))
                    .col(date_null(InitiativeDocument::StartDate))
                    .col(timestamp_with_time_zone(InitiativeDocument::UpdatedAt))
                    .col(timestamp_with_time_zone(InitiativeDocument::CreatedAt))
                    .col(date_null(InitiativeDocument::LastReportedOn))
                    .col(text(InitiativeDocument::Tags))
                    .col(text(InitiativeDocument::Item))
                    .col(text(InitiativeDocument::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InitiativeTagCount::Table)
                    .col(uuid(InitiativeTagCount::TenantId))
                    .col(string(InitiativeTagCount::Kind))
                    .col(string(InitiativeTagCount::Value))
                    .col(big_integer(InitiativeTagCount::Total))
                    .col(big_integer(InitiativeTagCount::Public))
                    .primary_key(
                        Index::create()
                            .col(InitiativeTagCount::Kind)
                            .col(InitiativeTagCount::Value)
                            .col(InitiativeTagCount::TenantId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(InitiativeTagCount::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(InitiativeDocument::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InitiativeDocument::Table)
                    .col(uuid(InitiativeDocument::InitiativeId).primary_key())
                    .col(text(InitiativeDocument::Item))
                    .col(text(InitiativeDocument::Detail))
                    .to_owned(),
            )
            .await
    }
}
