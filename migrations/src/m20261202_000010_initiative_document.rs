//! The read model: each initiative's API view stored as one JSON document, kept in step by the
//! writes (`crate::initiatives::document` in the service). `item` is the list view (the
//! `Initiative` object), `detail` what the single-record read adds (stage changes and
//! contribution totals). Documents of initiatives written before this migration are built by
//! the service at startup (`document::backfill`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InitiativeDocument {
    Table,
    InitiativeId,
    Item,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InitiativeDocument::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(InitiativeDocument::InitiativeId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(InitiativeDocument::Item).text().not_null())
                    .col(ColumnDef::new(InitiativeDocument::Detail).text().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(InitiativeDocument::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
