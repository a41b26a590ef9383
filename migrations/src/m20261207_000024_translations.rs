//! Multilingual content. Initiatives, lessons and organisations mark the language their own
//! text columns are in (`language`, a BCP 47 tag, `en` for the records written before), and
//! `translation` holds their texts in other languages: one row per record, field and language.
//!
//! A translation belongs to its record's tenant; on PostgreSQL another tenant reads it exactly
//! when it reads the record (the policy asks the record's own table, whose policy decides).
//!
//! The read model carries each initiative's original language and translations beside its
//! item (`initiative_document.language`, `.translations`). The documents stored before have
//! neither: they are dropped here with the tag counts they made, and the startup backfill
//! builds both again from the tables.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Translation {
    Table,
    Id,
    TenantId,
    EntityType,
    EntityId,
    Field,
    Language,
    Text,
}

#[derive(DeriveIden)]
enum InitiativeDocument {
    Table,
    Language,
    Translations,
}

/// The tables whose records hold translatable text.
const RECORDS: [&str; 3] = ["initiative", "lesson", "organization"];

#[derive(DeriveIden)]
enum Record {
    Language,
}

const UNSCOPED: &str = "(SELECT msp_scope()) IS NULL";
const OWN: &str = "tenant_id = (SELECT msp_scope())";
/// A translation is readable where its record is: the record tables' own policies decide.
const RECORD_READABLE: &str =
    "((entity_type = 'initiative' AND entity_id IN (SELECT id FROM initiative))
     OR (entity_type = 'lesson' AND entity_id IN (SELECT id FROM lesson))
     OR (entity_type = 'organization' AND entity_id IN (SELECT id FROM organization)))";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in RECORDS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(string(Record::Language).default("en"))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Translation::Table)
                    .col(uuid(Translation::Id).primary_key())
                    .col(uuid(Translation::TenantId))
                    .col(string(Translation::EntityType))
                    .col(uuid(Translation::EntityId))
                    .col(string(Translation::Field))
                    .col(string(Translation::Language))
                    .col(text(Translation::Text))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_translation_text")
                    .table(Translation::Table)
                    .col(Translation::EntityType)
                    .col(Translation::EntityId)
                    .col(Translation::Field)
                    .col(Translation::Language)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InitiativeDocument::Table)
                    .add_column(string(InitiativeDocument::Language).default("en"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InitiativeDocument::Table)
                    .add_column(text_null(InitiativeDocument::Translations))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // The backfill at startup rebuilds the documents, with their language, and the counts.
        db.execute_unprepared("DELETE FROM initiative_tag_count")
            .await?;
        db.execute_unprepared("DELETE FROM initiative_document")
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(&format!(
                "ALTER TABLE translation ENABLE ROW LEVEL SECURITY;
                 ALTER TABLE translation FORCE ROW LEVEL SECURITY;
                 CREATE POLICY tenant_read ON translation FOR SELECT
                     USING ({UNSCOPED} OR {OWN} OR {RECORD_READABLE});
                 CREATE POLICY tenant_insert ON translation FOR INSERT
                     WITH CHECK ({UNSCOPED} OR {OWN});
                 CREATE POLICY tenant_update ON translation FOR UPDATE
                     USING ({UNSCOPED} OR {OWN}) WITH CHECK ({UNSCOPED} OR {OWN});
                 CREATE POLICY tenant_delete ON translation FOR DELETE
                     USING ({UNSCOPED} OR {OWN});"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Translation::Table).to_owned())
            .await?;
        for column in [
            InitiativeDocument::Language,
            InitiativeDocument::Translations,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(InitiativeDocument::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in RECORDS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Record::Language)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
