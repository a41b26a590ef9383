//! SQLite only: a key from each record's id to its row in the FTS5 `search_document` table.
//!
//! FTS5 cannot index its `entity_id` column, so replacing or removing a record's document by
//! `entity_id` read the whole table (every initiative write on a large registry, and a bulk
//! import quadratic in its size), and ranking one search hit by `entity_id` re-ran the match.
//! With this key the service reaches the document by its rowid. PostgreSQL's `search_document`
//! has `entity_id` as its primary key and needs nothing.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // No declared type: the id is kept exactly as the FTS table holds it (a UUID blob).
        db.execute_unprepared(
            "CREATE TABLE search_document_key (
                entity_id PRIMARY KEY NOT NULL,
                doc_rowid INTEGER NOT NULL UNIQUE
            )",
        )
        .await?;
        db.execute_unprepared(
            "INSERT OR REPLACE INTO search_document_key (entity_id, doc_rowid)
             SELECT entity_id, rowid FROM search_document",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS search_document_key")
            .await?;
        Ok(())
    }
}
