//! The registry itself: initiatives with their tags (countries, action lines, SDGs), journey
//! stage changes, partners, contributions, agreements, progress reports, lessons learned, the
//! revision history, and full-text search documents (PostgreSQL: tsvector + GIN; SQLite: FTS5).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Initiative {
    Table,
    Id,
    TenantId,
    Title,
    TitleKey,
    Summary,
    Description,
    Kind,
    Scale,
    Spectrum,
    EngagementModel,
    Form,
    Stage,
    StageChangedAt,
    StartDate,
    EndDate,
    Outcome,
    OutcomeSummary,
    Visibility,
    IatiIdentifier,
    ExternalIdentifiers,
    LastReportedOn,
    Version,
    CreatedBy,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InitiativeTag {
    Table,
    InitiativeId,
    Kind,
    Value,
}

#[derive(DeriveIden)]
enum StageChange {
    Table,
    Id,
    InitiativeId,
    FromStage,
    ToStage,
    ChangedAt,
    ChangedBy,
    Reason,
}

#[derive(DeriveIden)]
enum InitiativePartner {
    Table,
    Id,
    TenantId,
    InitiativeId,
    OrganizationId,
    Roles,
    Status,
    Gains,
    Interest,
    Influence,
    JoinedOn,
    LeftOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Contribution {
    Table,
    Id,
    TenantId,
    InitiativeId,
    PartnerId,
    ResourceKind,
    Description,
    Amount,
    Currency,
    Status,
    ContributedOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)]
enum Agreement {
    Table,
    Id,
    TenantId,
    InitiativeId,
    AgreementType,
    Title,
    Parties,
    SignedOn,
    Status,
    DocumentUrl,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProgressReport {
    Table,
    Id,
    TenantId,
    InitiativeId,
    PeriodStart,
    PeriodEnd,
    Narrative,
    Achievements,
    Challenges,
    Indicators,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Lesson {
    Table,
    Id,
    TenantId,
    InitiativeId,
    Statement,
    Context,
    Challenge,
    Recommendation,
    Tags,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Revision {
    Table,
    Id,
    TenantId,
    InitiativeId,
    EntityType,
    EntityId,
    Operation,
    Actor,
    At,
    Reason,
    Changes,
}

fn fk_initiative<T: IntoIden + 'static>(table: T, col: T, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, col)
        .to(Initiative::Table, Initiative::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Initiative::Table)
                    .col(pk_uuid(Initiative::Id))
                    .col(uuid(Initiative::TenantId))
                    .col(string(Initiative::Title))
                    .col(string(Initiative::TitleKey))
                    .col(text_null(Initiative::Summary))
                    .col(text_null(Initiative::Description))
                    .col(string(Initiative::Kind))
                    .col(string_null(Initiative::Scale))
                    .col(string_null(Initiative::Spectrum))
                    .col(string_null(Initiative::EngagementModel))
                    .col(string_null(Initiative::Form))
                    .col(string(Initiative::Stage))
                    .col(timestamp_with_time_zone(Initiative::StageChangedAt))
                    .col(date_null(Initiative::StartDate))
                    .col(date_null(Initiative::EndDate))
                    .col(string(Initiative::Outcome))
                    .col(text_null(Initiative::OutcomeSummary))
                    .col(string(Initiative::Visibility))
                    .col(string_null(Initiative::IatiIdentifier))
                    .col(text(Initiative::ExternalIdentifiers))
                    .col(date_null(Initiative::LastReportedOn))
                    .col(integer(Initiative::Version))
                    .col(uuid_null(Initiative::CreatedBy))
                    .col(uuid_null(Initiative::UpdatedBy))
                    .col(timestamp_with_time_zone(Initiative::CreatedAt))
                    .col(timestamp_with_time_zone(Initiative::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_initiative_tenant")
                            .from(Initiative::Table, Initiative::TenantId)
                            .to(Tenant::Table, Tenant::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        use Initiative as I;
        for (name, cols) in [
            ("ix_initiative_tenant_title", vec![I::TenantId, I::TitleKey]),
            (
                "ix_initiative_tenant_updated",
                vec![I::TenantId, I::UpdatedAt],
            ),
            (
                "ix_initiative_tenant_start",
                vec![I::TenantId, I::StartDate],
            ),
            ("ix_initiative_tenant_stage", vec![I::TenantId, I::Stage]),
            (
                "ix_initiative_visibility_title",
                vec![I::Visibility, I::TitleKey],
            ),
            (
                "ix_initiative_visibility_updated",
                vec![I::Visibility, I::UpdatedAt],
            ),
            ("ix_initiative_iati", vec![I::IatiIdentifier]),
        ] {
            index(
                manager,
                name,
                I::Table,
                cols.into_iter().map(|c| c.into_iden()).collect(),
                false,
            )
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(InitiativeTag::Table)
                    .col(uuid(InitiativeTag::InitiativeId))
                    .col(string(InitiativeTag::Kind))
                    .col(string(InitiativeTag::Value))
                    .primary_key(
                        Index::create()
                            .col(InitiativeTag::InitiativeId)
                            .col(InitiativeTag::Kind)
                            .col(InitiativeTag::Value),
                    )
                    .foreign_key(&mut fk_initiative(
                        InitiativeTag::Table,
                        InitiativeTag::InitiativeId,
                        "fk_tag_initiative",
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_initiative_tag_kind_value",
            InitiativeTag::Table,
            vec![
                InitiativeTag::Kind.into_iden(),
                InitiativeTag::Value.into_iden(),
                InitiativeTag::InitiativeId.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(StageChange::Table)
                    .col(pk_uuid(StageChange::Id))
                    .col(uuid(StageChange::InitiativeId))
                    .col(string_null(StageChange::FromStage))
                    .col(string(StageChange::ToStage))
                    .col(timestamp_with_time_zone(StageChange::ChangedAt))
                    .col(uuid_null(StageChange::ChangedBy))
                    .col(text_null(StageChange::Reason))
                    .foreign_key(&mut fk_initiative(
                        StageChange::Table,
                        StageChange::InitiativeId,
                        "fk_stage_change_initiative",
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_stage_change_initiative",
            StageChange::Table,
            vec![
                StageChange::InitiativeId.into_iden(),
                StageChange::ChangedAt.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(InitiativePartner::Table)
                    .col(pk_uuid(InitiativePartner::Id))
                    .col(uuid(InitiativePartner::TenantId))
                    .col(uuid(InitiativePartner::InitiativeId))
                    .col(uuid(InitiativePartner::OrganizationId))
                    .col(text(InitiativePartner::Roles))
                    .col(string(InitiativePartner::Status))
                    .col(text(InitiativePartner::Gains))
                    .col(small_integer_null(InitiativePartner::Interest))
                    .col(small_integer_null(InitiativePartner::Influence))
                    .col(date_null(InitiativePartner::JoinedOn))
                    .col(date_null(InitiativePartner::LeftOn))
                    .col(integer(InitiativePartner::Version))
                    .col(timestamp_with_time_zone(InitiativePartner::CreatedAt))
                    .col(timestamp_with_time_zone(InitiativePartner::UpdatedAt))
                    .foreign_key(&mut fk_initiative(
                        InitiativePartner::Table,
                        InitiativePartner::InitiativeId,
                        "fk_partner_initiative",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_partner_organization")
                            .from(InitiativePartner::Table, InitiativePartner::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_partner_initiative_organization",
            InitiativePartner::Table,
            vec![
                InitiativePartner::InitiativeId.into_iden(),
                InitiativePartner::OrganizationId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "ix_partner_organization",
            InitiativePartner::Table,
            vec![
                InitiativePartner::OrganizationId.into_iden(),
                InitiativePartner::InitiativeId.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Contribution::Table)
                    .col(pk_uuid(Contribution::Id))
                    .col(uuid(Contribution::TenantId))
                    .col(uuid(Contribution::InitiativeId))
                    .col(uuid(Contribution::PartnerId))
                    .col(string(Contribution::ResourceKind))
                    .col(text_null(Contribution::Description))
                    .col(string_null(Contribution::Amount))
                    .col(string_len_null(Contribution::Currency, 3))
                    .col(string(Contribution::Status))
                    .col(date_null(Contribution::ContributedOn))
                    .col(integer(Contribution::Version))
                    .col(timestamp_with_time_zone(Contribution::CreatedAt))
                    .col(timestamp_with_time_zone(Contribution::UpdatedAt))
                    .foreign_key(&mut fk_initiative(
                        Contribution::Table,
                        Contribution::InitiativeId,
                        "fk_contribution_initiative",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contribution_partner")
                            .from(Contribution::Table, Contribution::PartnerId)
                            .to(InitiativePartner::Table, InitiativePartner::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_contribution_initiative",
            Contribution::Table,
            vec![
                Contribution::InitiativeId.into_iden(),
                Contribution::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "ix_contribution_partner",
            Contribution::Table,
            vec![Contribution::PartnerId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Agreement::Table)
                    .col(pk_uuid(Agreement::Id))
                    .col(uuid(Agreement::TenantId))
                    .col(uuid(Agreement::InitiativeId))
                    .col(string(Agreement::AgreementType))
                    .col(string(Agreement::Title))
                    .col(text(Agreement::Parties))
                    .col(date_null(Agreement::SignedOn))
                    .col(string(Agreement::Status))
                    .col(string_null(Agreement::DocumentUrl))
                    .col(integer(Agreement::Version))
                    .col(timestamp_with_time_zone(Agreement::CreatedAt))
                    .col(timestamp_with_time_zone(Agreement::UpdatedAt))
                    .foreign_key(&mut fk_initiative(
                        Agreement::Table,
                        Agreement::InitiativeId,
                        "fk_agreement_initiative",
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_agreement_initiative",
            Agreement::Table,
            vec![
                Agreement::InitiativeId.into_iden(),
                Agreement::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProgressReport::Table)
                    .col(pk_uuid(ProgressReport::Id))
                    .col(uuid(ProgressReport::TenantId))
                    .col(uuid(ProgressReport::InitiativeId))
                    .col(date(ProgressReport::PeriodStart))
                    .col(date(ProgressReport::PeriodEnd))
                    .col(text(ProgressReport::Narrative))
                    .col(text_null(ProgressReport::Achievements))
                    .col(text_null(ProgressReport::Challenges))
                    .col(text(ProgressReport::Indicators))
                    .col(integer(ProgressReport::Version))
                    .col(timestamp_with_time_zone(ProgressReport::CreatedAt))
                    .col(timestamp_with_time_zone(ProgressReport::UpdatedAt))
                    .foreign_key(&mut fk_initiative(
                        ProgressReport::Table,
                        ProgressReport::InitiativeId,
                        "fk_report_initiative",
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_report_initiative",
            ProgressReport::Table,
            vec![
                ProgressReport::InitiativeId.into_iden(),
                ProgressReport::PeriodEnd.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Lesson::Table)
                    .col(pk_uuid(Lesson::Id))
                    .col(uuid(Lesson::TenantId))
                    .col(uuid(Lesson::InitiativeId))
                    .col(text(Lesson::Statement))
                    .col(text_null(Lesson::Context))
                    .col(text_null(Lesson::Challenge))
                    .col(text_null(Lesson::Recommendation))
                    .col(text(Lesson::Tags))
                    .col(integer(Lesson::Version))
                    .col(timestamp_with_time_zone(Lesson::CreatedAt))
                    .col(timestamp_with_time_zone(Lesson::UpdatedAt))
                    .foreign_key(&mut fk_initiative(
                        Lesson::Table,
                        Lesson::InitiativeId,
                        "fk_lesson_initiative",
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_lesson_initiative",
            Lesson::Table,
            vec![
                Lesson::InitiativeId.into_iden(),
                Lesson::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "ix_lesson_tenant",
            Lesson::Table,
            vec![Lesson::TenantId.into_iden(), Lesson::CreatedAt.into_iden()],
            false,
        )
        .await?;

        // No foreign key to the initiative: the history outlives deletions.
        manager
            .create_table(
                Table::create()
                    .table(Revision::Table)
                    .col(pk_uuid(Revision::Id))
                    .col(uuid(Revision::TenantId))
                    .col(uuid(Revision::InitiativeId))
                    .col(string(Revision::EntityType))
                    .col(uuid(Revision::EntityId))
                    .col(string(Revision::Operation))
                    .col(uuid_null(Revision::Actor))
                    .col(timestamp_with_time_zone(Revision::At))
                    .col(text_null(Revision::Reason))
                    .col(text(Revision::Changes))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_revision_initiative_at",
            Revision::Table,
            vec![Revision::InitiativeId.into_iden(), Revision::At.into_iden()],
            false,
        )
        .await?;

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
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS search_document")
            .await?;
        for table in [
            Revision::Table.into_iden(),
            Lesson::Table.into_iden(),
            ProgressReport::Table.into_iden(),
            Agreement::Table.into_iden(),
            Contribution::Table.into_iden(),
            InitiativePartner::Table.into_iden(),
            StageChange::Table.into_iden(),
            InitiativeTag::Table.into_iden(),
            Initiative::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
