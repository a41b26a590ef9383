//! WSIS showcase designations, value assessments, and what organisations can offer (for partner
//! matchmaking). Levers and needs of initiatives live in `initiative_tag`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Initiative {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ShowcaseDesignation {
    Table,
    TenantId,
    Country,
    InitiativeId,
    DesignatedBy,
    DesignatedAt,
}

#[derive(DeriveIden)]
enum ValueAssessment {
    Table,
    InitiativeId,
    TenantId,
    Ratings,
    PartneringCost,
    Currency,
    Notes,
    Version,
    AssessedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationOffer {
    Table,
    OrganizationId,
    Kind,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ShowcaseDesignation::Table)
                    .col(uuid(ShowcaseDesignation::TenantId))
                    .col(string_len(ShowcaseDesignation::Country, 2))
                    .col(uuid(ShowcaseDesignation::InitiativeId))
                    .col(uuid_null(ShowcaseDesignation::DesignatedBy))
                    .col(timestamp_with_time_zone(ShowcaseDesignation::DesignatedAt))
                    .primary_key(
                        Index::create()
                            .col(ShowcaseDesignation::TenantId)
                            .col(ShowcaseDesignation::Country),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_showcase_tenant")
                            .from(ShowcaseDesignation::Table, ShowcaseDesignation::TenantId)
                            .to(Tenant::Table, Tenant::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_showcase_initiative")
                            .from(
                                ShowcaseDesignation::Table,
                                ShowcaseDesignation::InitiativeId,
                            )
                            .to(Initiative::Table, Initiative::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ValueAssessment::Table)
                    .col(uuid(ValueAssessment::InitiativeId).primary_key())
                    .col(uuid(ValueAssessment::TenantId))
                    .col(text(ValueAssessment::Ratings))
                    .col(string_null(ValueAssessment::PartneringCost))
                    .col(string_len_null(ValueAssessment::Currency, 3))
                    .col(text_null(ValueAssessment::Notes))
                    .col(integer(ValueAssessment::Version))
                    .col(uuid_null(ValueAssessment::AssessedBy))
                    .col(timestamp_with_time_zone(ValueAssessment::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_value_assessment_initiative")
                            .from(ValueAssessment::Table, ValueAssessment::InitiativeId)
                            .to(Initiative::Table, Initiative::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganizationOffer::Table)
                    .col(uuid(OrganizationOffer::OrganizationId))
                    .col(string(OrganizationOffer::Kind))
                    .col(string(OrganizationOffer::Value))
                    .primary_key(
                        Index::create()
                            .col(OrganizationOffer::OrganizationId)
                            .col(OrganizationOffer::Kind)
                            .col(OrganizationOffer::Value),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_offer_organization")
                            .from(OrganizationOffer::Table, OrganizationOffer::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_offer_kind_value")
                    .table(OrganizationOffer::Table)
                    .col(OrganizationOffer::Kind)
                    .col(OrganizationOffer::Value)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OrganizationOffer::Table.into_iden(),
            ValueAssessment::Table.into_iden(),
            ShowcaseDesignation::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
