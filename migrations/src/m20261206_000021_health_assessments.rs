//! Health assessments of an initiative: self-assessments against the six fundamentals of a
//! partnership (filed for one of its partners) and of the partnership team's MUST competencies,
//! each rated 1–5 with a note. Tenant-owned: on PostgreSQL each row belongs to its tenant and
//! is readable by another tenant exactly when its initiative is public, like the other child
//! records of an initiative (migration 18).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Initiative {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InitiativePartner {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum HealthAssessment {
    Table,
    Id,
    TenantId,
    InitiativeId,
    PartnerId,
    Kind,
    Ratings,
    AssessedOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

const POLICIES: &str = "ALTER TABLE health_assessment ENABLE ROW LEVEL SECURITY;
     ALTER TABLE health_assessment FORCE ROW LEVEL SECURITY;
     CREATE POLICY tenant_read ON health_assessment FOR SELECT USING (
         (SELECT msp_scope()) IS NULL OR tenant_id = (SELECT msp_scope())
         OR initiative_id IN (SELECT id FROM initiative WHERE visibility = 'public'));
     CREATE POLICY tenant_insert ON health_assessment FOR INSERT WITH CHECK (
         (SELECT msp_scope()) IS NULL OR tenant_id = (SELECT msp_scope()));
     CREATE POLICY tenant_update ON health_assessment FOR UPDATE
         USING ((SELECT msp_scope()) IS NULL OR tenant_id = (SELECT msp_scope()))
         WITH CHECK ((SELECT msp_scope()) IS NULL OR tenant_id = (SELECT msp_scope()));
     CREATE POLICY tenant_delete ON health_assessment FOR DELETE USING (
         (SELECT msp_scope()) IS NULL OR tenant_id = (SELECT msp_scope()));";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HealthAssessment::Table)
                    .col(pk_uuid(HealthAssessment::Id))
                    .col(uuid(HealthAssessment::TenantId))
                    .col(uuid(HealthAssessment::InitiativeId))
                    .col(uuid_null(HealthAssessment::PartnerId))
                    .col(string(HealthAssessment::Kind))
                    .col(text(HealthAssessment::Ratings))
                    .col(date(HealthAssessment::AssessedOn))
                    .col(integer(HealthAssessment::Version))
                    .col(timestamp_with_time_zone(HealthAssessment::CreatedAt))
                    .col(timestamp_with_time_zone(HealthAssessment::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_health_assessment_initiative")
                            .from(HealthAssessment::Table, HealthAssessment::InitiativeId)
                            .to(Initiative::Table, Initiative::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_health_assessment_partner")
                            .from(HealthAssessment::Table, HealthAssessment::PartnerId)
                            .to(InitiativePartner::Table, InitiativePartner::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_health_assessment_initiative")
                    .table(HealthAssessment::Table)
                    .col(HealthAssessment::InitiativeId)
                    .col(HealthAssessment::AssessedOn)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(POLICIES)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HealthAssessment::Table).to_owned())
            .await
    }
}
