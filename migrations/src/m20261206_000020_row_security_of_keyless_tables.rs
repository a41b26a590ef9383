//! Row-level security on PostgreSQL for the tenant-owned tables that carry no `tenant_id` of
//! their own: an initiative's stage changes, and an organisation's offers. Migration 18 left
//! them to the service's conditions alone; here each belongs to the tenant of the record it
//! hangs off, and another tenant reads it exactly when it may read that record.
//!
//! The conditions select from `initiative` and `organization`, whose own policies apply inside
//! them: `organization_id IN (SELECT id FROM organization)` is "an organisation the named
//! tenant may read". (`search_document`, keyed by any record's id, is left to the service: a
//! match only ever narrows a select that is already held to the caller's records.)

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UNSCOPED: &str = "(SELECT msp_scope()) IS NULL";

/// Each table, the condition of a row of the named tenant, and the one under which another
/// tenant may read it.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "stage_change",
        "initiative_id IN (SELECT id FROM initiative WHERE tenant_id = (SELECT msp_scope()))",
        "initiative_id IN (SELECT id FROM initiative WHERE visibility = 'public')",
    ),
    (
        "organization_offer",
        "organization_id IN (SELECT id FROM organization WHERE tenant_id = (SELECT msp_scope()))",
        "organization_id IN (SELECT id FROM organization)",
    ),
];

fn policies(table: &str, own: &str, public: &str) -> String {
    format!(
        "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
         ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
         CREATE POLICY tenant_read ON {table} FOR SELECT USING ({UNSCOPED} OR {own} OR {public});
         CREATE POLICY tenant_insert ON {table} FOR INSERT WITH CHECK ({UNSCOPED} OR {own});
         CREATE POLICY tenant_update ON {table} FOR UPDATE
             USING ({UNSCOPED} OR {own}) WITH CHECK ({UNSCOPED} OR {own});
         CREATE POLICY tenant_delete ON {table} FOR DELETE USING ({UNSCOPED} OR {own});"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, own, public) in TABLES {
            db.execute_unprepared(&policies(table, own, public)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, _, _) in TABLES {
            db.execute_unprepared(&format!(
                "DROP POLICY IF EXISTS tenant_read ON {table};
                 DROP POLICY IF EXISTS tenant_insert ON {table};
                 DROP POLICY IF EXISTS tenant_update ON {table};
                 DROP POLICY IF EXISTS tenant_delete ON {table};
                 ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
                 ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"
            ))
            .await?;
        }
        Ok(())
    }
}
