//! Links between initiatives that are one partnership registered twice (see the service's
//! `duplicates::links`). A link belongs to both tenants it joins: the proposing one
//! (`tenant_id`) and the other one (`other_tenant_id`); on PostgreSQL each reads and changes
//! only the links it is a side of, and every confirmed link is readable (a public list
//! collapses linked records for everyone).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Initiative {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DuplicateLink {
    Table,
    Id,
    TenantId,
    InitiativeId,
    OtherTenantId,
    OtherInitiativeId,
    ConfirmedByTenant,
    ConfirmedByOther,
    Status,
    CreatedBy,
    UpdatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

const UNSCOPED: &str = "(SELECT msp_scope()) IS NULL";
const SIDE: &str = "(tenant_id = (SELECT msp_scope()) OR other_tenant_id = (SELECT msp_scope()))";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DuplicateLink::Table)
                    .col(uuid(DuplicateLink::Id).primary_key())
                    .col(uuid(DuplicateLink::TenantId))
                    .col(uuid(DuplicateLink::InitiativeId))
                    .col(uuid(DuplicateLink::OtherTenantId))
                    .col(uuid(DuplicateLink::OtherInitiativeId))
                    .col(boolean(DuplicateLink::ConfirmedByTenant))
                    .col(boolean(DuplicateLink::ConfirmedByOther))
                    .col(string(DuplicateLink::Status))
                    .col(uuid_null(DuplicateLink::CreatedBy))
                    .col(uuid_null(DuplicateLink::UpdatedBy))
                    .col(integer(DuplicateLink::Version))
                    .col(timestamp_with_time_zone(DuplicateLink::CreatedAt))
                    .col(timestamp_with_time_zone(DuplicateLink::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_duplicate_link_initiative")
                            .from(DuplicateLink::Table, DuplicateLink::InitiativeId)
                            .to(Initiative::Table, Initiative::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_duplicate_link_other_initiative")
                            .from(DuplicateLink::Table, DuplicateLink::OtherInitiativeId)
                            .to(Initiative::Table, Initiative::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One link per pair, whichever side proposed it (the service stores the pair once).
        manager
            .create_index(
                Index::create()
                    .name("ux_duplicate_link_pair")
                    .table(DuplicateLink::Table)
                    .col(DuplicateLink::InitiativeId)
                    .col(DuplicateLink::OtherInitiativeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_duplicate_link_other")
                    .table(DuplicateLink::Table)
                    .col(DuplicateLink::OtherInitiativeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_duplicate_link_status")
                    .table(DuplicateLink::Table)
                    .col(DuplicateLink::Status)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "ALTER TABLE duplicate_link ENABLE ROW LEVEL SECURITY;
                     ALTER TABLE duplicate_link FORCE ROW LEVEL SECURITY;
                     CREATE POLICY tenant_read ON duplicate_link FOR SELECT
                         USING ({UNSCOPED} OR {SIDE} OR status = 'confirmed');
                     CREATE POLICY tenant_insert ON duplicate_link FOR INSERT
                         WITH CHECK ({UNSCOPED} OR tenant_id = (SELECT msp_scope()));
                     CREATE POLICY tenant_update ON duplicate_link FOR UPDATE
                         USING ({UNSCOPED} OR {SIDE}) WITH CHECK ({UNSCOPED} OR {SIDE});
                     CREATE POLICY tenant_delete ON duplicate_link FOR DELETE
                         USING ({UNSCOPED} OR {SIDE});"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DuplicateLink::Table).to_owned())
            .await
    }
}
