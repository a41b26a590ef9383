//! Sign-in throttling decided atomically: one row per (identifier, client address) counting its
//! attempts, when the last one was and how long the next must wait after it; an attempt's slot
//! is reserved by a single `INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING` before the
//! password is checked (`service::auth::throttle`). Times are integer milliseconds
//! since the Unix epoch, so the arithmetic is the same on SQLite and PostgreSQL. The old
//! `login_failure` log (counted, then appended to: a race) is dropped.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SignInThrottle {
    Table,
    Identifier,
    Address,
    Attempts,
    LastAttemptMs,
    DelayMs,
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Id,
    Identifier,
    FailedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SignInThrottle::Table)
                    .col(string(SignInThrottle::Identifier))
                    .col(string(SignInThrottle::Address))
                    .col(integer(SignInThrottle::Attempts))
                    .col(big_integer(SignInThrottle::LastAttemptMs))
                    .col(big_integer(SignInThrottle::DelayMs))
                    .primary_key(
                        Index::create()
                            .col(SignInThrottle::Identifier)
                            .col(SignInThrottle::Address),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(LoginFailure::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
            .drop_table(Table::drop().table(SignInThrottle::Table).to_owned())
            .await
    }
}
