//! Idempotency keys: one row per (tenant, principal, key) of a POST sent with an
//! `Idempotency-Key` header, holding the request's fingerprint, what the create produced (bound
//! inside the create's own transaction) and the response to replay.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Id,
    TenantId,
    Principal,
    Key,
    Fingerprint,
    RequestPath,
    State,
    Attempt,
    LockedUntil,
    EntityType,
    EntityId,
    ResponseStatus,
    ResponseHeaders,
    ResponseBody,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(uuid(IdempotencyKey::Id).primary_key())
                    .col(uuid(IdempotencyKey::TenantId))
                    .col(string(IdempotencyKey::Principal))
                    .col(string(IdempotencyKey::Key))
                    .col(string(IdempotencyKey::Fingerprint))
                    .col(string(IdempotencyKey::RequestPath))
                    .col(string(IdempotencyKey::State))
                    .col(uuid(IdempotencyKey::Attempt))
                    .col(timestamp_with_time_zone(IdempotencyKey::LockedUntil))
                    .col(string_null(IdempotencyKey::EntityType))
                    .col(uuid_null(IdempotencyKey::EntityId))
                    .col(integer_null(IdempotencyKey::ResponseStatus))
                    .col(text_null(IdempotencyKey::ResponseHeaders))
                    .col(text_null(IdempotencyKey::ResponseBody))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .col(timestamp_with_time_zone(IdempotencyKey::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_idempotency_key_owner_key")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::TenantId)
                    .col(IdempotencyKey::Principal)
                    .col(IdempotencyKey::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_idempotency_key_expires")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKey::Table).to_owned())
            .await
    }
}
