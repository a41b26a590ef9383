//! The partnering agreement's essential elements (issue 15): `agreement.elements` holds them as
//! one JSON document (parties' representatives, context, vision, purpose, objectives and
//! activities, resources, roles and responsibilities, governance, duration, review and exit),
//! `agreement.signatures` the JSON list of who signed for which party and when, and
//! `agreement.supersedes_id` the agreement a new version replaces (unique: an agreement is
//! superseded once). No new table, so the row-level-security policies of `agreement` (migration
//! 18) cover the new columns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agreement {
    Table,
    Elements,
    Signatures,
    SupersedesId,
}

const SUPERSEDES_INDEX: &str = "agreement_supersedes_id_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Agreement::Table)
                    .add_column(ColumnDef::new(Agreement::Elements).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Agreement::Table)
                    .add_column(
                        ColumnDef::new(Agreement::Signatures)
                            .text()
                            .not_null()
                            .default("[]"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Agreement::Table)
                    .add_column(ColumnDef::new(Agreement::SupersedesId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(SUPERSEDES_INDEX)
                    .table(Agreement::Table)
                    .col(Agreement::SupersedesId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(SUPERSEDES_INDEX)
                    .table(Agreement::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Agreement::SupersedesId,
            Agreement::Signatures,
            Agreement::Elements,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Agreement::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
