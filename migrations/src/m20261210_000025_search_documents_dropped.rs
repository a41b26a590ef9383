//! Search moved out of the database into the service's embedded index (the service's
//! `search` module): the full-text tables (`search_document`, a `tsvector` with a GIN index on
//! PostgreSQL, FTS5 on SQLite, and SQLite's `search_document_key`) are no longer written or read.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE IF EXISTS search_document_key")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS search_document")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE TABLE search_document (
                        entity_id uuid PRIMARY KEY,
                        kind varchar NOT NULL,
                        body text NOT NULL,
                        vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
                    )",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_search_document_vector ON search_document USING GIN (vector)",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE search_document USING fts5(
                        entity_id UNINDEXED, kind UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 0'
                    )",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TABLE search_document_key (entity_id PRIMARY KEY NOT NULL, doc_rowid INTEGER NOT NULL UNIQUE)",
                )
                .await?;
            }
        }
        Ok(())
    }
}
