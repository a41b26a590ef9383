//! Indexes for the list sorted by start date (`sort=start_date`, `-start_date`): the list sorts
//! on `COALESCE(start_date, '9999-12-31')` (a missing start date sorts last, on both engines),
//! which the plain `(tenant_id, start_date)` index does not give in order. One index per way a
//! list is scoped: a tenant's initiatives, and the public ones. The plain index stays for the
//! `start_from`/`start_to` filters.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, its leading column).
const INDEXES: [(&str, &str); 2] = [
    ("ix_initiative_tenant_start_sort", "tenant_id"),
    ("ix_initiative_visibility_start_sort", "visibility"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The same expression as the list's ORDER BY (`initiatives::keyset::expr`).
        let sort = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "(COALESCE(start_date, '9999-12-31'::date))",
            _ => "COALESCE(start_date, '9999-12-31')",
        };
        let db = manager.get_connection();
        for (name, leading) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {name} ON initiative ({leading}, {sort}, id)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
