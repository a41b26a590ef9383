//! Tenants, people (users, memberships, API clients), login throttling, instance secrets and
//! partner organisations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
    Slug,
    Name,
    Kind,
    HomeCountry,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    IsPlatformAdmin,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Membership {
    Table,
    Id,
    TenantId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiClient {
    Table,
    Id,
    TenantId,
    ClientId,
    Name,
    SecretHash,
    Role,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Id,
    Identifier,
    FailedAt,
}

#[derive(DeriveIden)]
enum InstanceSecret {
    Table,
    Name,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
    TenantId,
    Name,
    NameKey,
    Acronym,
    Sector,
    SubType,
    Country,
    Website,
    Description,
    IatiIdentifier,
    Visibility,
    Version,
    CreatedBy,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenant::Table)
                    .col(pk_uuid(Tenant::Id))
                    .col(string_uniq(Tenant::Slug))
                    .col(string(Tenant::Name))
                    .col(string(Tenant::Kind))
                    .col(string_len_null(Tenant::HomeCountry, 2))
                    .col(integer(Tenant::Version))
                    .col(timestamp_with_time_zone(Tenant::CreatedAt))
                    .col(timestamp_with_time_zone(Tenant::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(pk_uuid(AppUser::Id))
                    .col(string_uniq(AppUser::Email))
                    .col(string(AppUser::DisplayName))
                    .col(string(AppUser::PasswordHash))
                    .col(boolean(AppUser::IsPlatformAdmin))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone(AppUser::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Membership::Table)
                    .col(pk_uuid(Membership::Id))
                    .col(uuid(Membership::TenantId))
                    .col(uuid(Membership::UserId))
                    .col(string(Membership::Role))
                    .col(timestamp_with_time_zone(Membership::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_tenant")
                            .from(Membership::Table, Membership::TenantId)
                            .to(Tenant::Table, Tenant::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_user")
                            .from(Membership::Table, Membership::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_membership_tenant_user")
                    .table(Membership::Table)
                    .col(Membership::TenantId)
                    .col(Membership::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_membership_user")
                    .table(Membership::Table)
                    .col(Membership::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiClient::Table)
                    .col(pk_uuid(ApiClient::Id))
                    .col(uuid(ApiClient::TenantId))
                    .col(string_uniq(ApiClient::ClientId))
                    .col(string(ApiClient::Name))
                    .col(string(ApiClient::SecretHash))
                    .col(string(ApiClient::Role))
                    .col(timestamp_with_time_zone_null(ApiClient::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiClient::RevokedAt))
                    .col(timestamp_with_time_zone(ApiClient::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_client_tenant")
                            .from(ApiClient::Table, ApiClient::TenantId)
                            .to(Tenant::Table, Tenant::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_api_client_tenant")
                    .table(ApiClient::Table)
                    .col(ApiClient::TenantId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginFailure::Table)
                    .col(pk_uuid(LoginFailure::Id))
                    .col(string(LoginFailure::Identifier))
                    .col(timestamp_with_time_zone(LoginFailure::FailedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_login_failure_identifier_time")
                    .table(LoginFailure::Table)
                    .col(LoginFailure::Identifier)
                    .col(LoginFailure::FailedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InstanceSecret::Table)
                    .col(string(InstanceSecret::Name).primary_key())
                    .col(string(InstanceSecret::Value))
                    .col(timestamp_with_time_zone(InstanceSecret::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Organization::Table)
                    .col(pk_uuid(Organization::Id))
                    .col(uuid(Organization::TenantId))
                    .col(string(Organization::Name))
                    .col(string(Organization::NameKey))
                    .col(string_null(Organization::Acronym))
                    .col(string(Organization::Sector))
                    .col(string_null(Organization::SubType))
                    .col(string_len_null(Organization::Country, 2))
                    .col(string_null(Organization::Website))
                    .col(text_null(Organization::Description))
                    .col(string_null(Organization::IatiIdentifier))
                    .col(string(Organization::Visibility))
                    .col(integer(Organization::Version))
                    .col(uuid_null(Organization::CreatedBy))
                    .col(uuid_null(Organization::UpdatedBy))
                    .col(timestamp_with_time_zone(Organization::CreatedAt))
                    .col(timestamp_with_time_zone(Organization::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organization_tenant")
                            .from(Organization::Table, Organization::TenantId)
                            .to(Tenant::Table, Tenant::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "ux_organization_tenant_name_key",
                vec![Organization::TenantId, Organization::NameKey],
                true,
            ),
            (
                "ix_organization_tenant_sector",
                vec![Organization::TenantId, Organization::Sector],
                false,
            ),
            (
                "ix_organization_tenant_country",
                vec![Organization::TenantId, Organization::Country],
                false,
            ),
            (
                "ix_organization_visibility",
                vec![Organization::Visibility, Organization::NameKey],
                false,
            ),
            (
                "ix_organization_tenant_updated",
                vec![Organization::TenantId, Organization::UpdatedAt],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Organization::Table);
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Organization::Table.into_iden(),
            InstanceSecret::Table.into_iden(),
            LoginFailure::Table.into_iden(),
            ApiClient::Table.into_iden(),
            Membership::Table.into_iden(),
            AppUser::Table.into_iden(),
            Tenant::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
