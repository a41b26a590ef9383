//! Access that ends when it should. Each membership and API client gets an access epoch, which
//! the tokens issued for it carry: signing out raises it, so every token issued before stops
//! working. `access_change` logs, in commit order, each principal whose access changed (a
//! member removed or given another role, a client revoked, a sign-out), so every server process
//! forgets what it remembered of that principal within a poll.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Membership {
    Table,
    AccessEpoch,
}

#[derive(DeriveIden)]
enum ApiClient {
    Table,
    AccessEpoch,
}

#[derive(DeriveIden)]
enum AccessChange {
    Table,
    Seq,
    Subject,
    ChangedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Membership::Table)
                    .add_column(integer(Membership::AccessEpoch).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiClient::Table)
                    .add_column(integer(ApiClient::AccessEpoch).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessChange::Table)
                    .col(big_pk_auto(AccessChange::Seq))
                    .col(uuid(AccessChange::Subject))
                    .col(timestamp_with_time_zone(AccessChange::ChangedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_change_changed_at")
                    .table(AccessChange::Table)
                    .col(AccessChange::ChangedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccessChange::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiClient::Table)
                    .drop_column(ApiClient::AccessEpoch)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Membership::Table)
                    .drop_column(Membership::AccessEpoch)
                    .to_owned(),
            )
            .await
    }
}
