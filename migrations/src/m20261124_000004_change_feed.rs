//! The change feed: one row per create, update or delete of an initiative, its children or an
//! organisation, numbered in commit order.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChangeEvent {
    Table,
    Seq,
    TenantId,
    EntityType,
    EntityId,
    InitiativeId,
    Operation,
    Version,
    PublicBefore,
    PublicAfter,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChangeEvent::Table)
                    .col(big_pk_auto(ChangeEvent::Seq))
                    .col(uuid(ChangeEvent::TenantId))
                    .col(string(ChangeEvent::EntityType))
                    .col(uuid(ChangeEvent::EntityId))
                    .col(uuid_null(ChangeEvent::InitiativeId))
                    .col(string(ChangeEvent::Operation))
                    .col(integer_null(ChangeEvent::Version))
                    .col(boolean(ChangeEvent::PublicBefore))
                    .col(boolean(ChangeEvent::PublicAfter))
                    .col(timestamp_with_time_zone(ChangeEvent::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_change_event_tenant_seq")
                    .table(ChangeEvent::Table)
                    .col(ChangeEvent::TenantId)
                    .col(ChangeEvent::Seq)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChangeEvent::Table).to_owned())
            .await
    }
}
