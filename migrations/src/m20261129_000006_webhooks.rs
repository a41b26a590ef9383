//! Webhooks: subscriptions of a tenant, the outbox of deliveries (written in the same
//! transaction as the change they announce) and the log of every delivery attempt.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WebhookSubscription {
    Table,
    Id,
    TenantId,
    Url,
    EventTypes,
    Secret,
    Description,
    Enabled,
    DisabledAt,
    DisabledReason,
    ConsecutiveFailures,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Seq,
    Id,
    SubscriptionId,
    TenantId,
    EventSeq,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LeaseToken,
    LastStatusCode,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookAttempt {
    Table,
    Id,
    DeliveryId,
    SubscriptionId,
    TenantId,
    Attempt,
    At,
    StatusCode,
    DurationMs,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookSubscription::Table)
                    .col(uuid(WebhookSubscription::Id).primary_key())
                    .col(uuid(WebhookSubscription::TenantId))
                    .col(string_len(WebhookSubscription::Url, 2048))
                    // A JSON array of event types; empty (or `*`) means every event.
                    .col(text(WebhookSubscription::EventTypes))
                    .col(string(WebhookSubscription::Secret))
                    .col(text_null(WebhookSubscription::Description))
                    .col(boolean(WebhookSubscription::Enabled))
                    .col(timestamp_with_time_zone_null(
                        WebhookSubscription::DisabledAt,
                    ))
                    .col(text_null(WebhookSubscription::DisabledReason))
                    .col(integer(WebhookSubscription::ConsecutiveFailures))
                    .col(integer(WebhookSubscription::Version))
                    .col(uuid_null(WebhookSubscription::CreatedBy))
                    .col(timestamp_with_time_zone(WebhookSubscription::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookSubscription::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_subscription_tenant")
                            .from(WebhookSubscription::Table, WebhookSubscription::TenantId)
                            .to(Tenant::Table, Tenant::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_subscription_tenant")
                    .table(WebhookSubscription::Table)
                    .col(WebhookSubscription::TenantId)
                    .col(WebhookSubscription::Enabled)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    // The outbox order: rows are inserted under the change feed's lock, so
                    // `seq` follows commit order, like the feed's own sequence.
                    .col(big_pk_auto(WebhookDelivery::Seq))
                    // The `webhook-id` header: the same on every retry of this delivery.
                    .col(uuid_uniq(WebhookDelivery::Id))
                    .col(uuid(WebhookDelivery::SubscriptionId))
                    .col(uuid(WebhookDelivery::TenantId))
                    // The change feed's sequence number (0 for a test ping).
                    .col(big_integer(WebhookDelivery::EventSeq))
                    .col(string(WebhookDelivery::EventType))
                    .col(text(WebhookDelivery::Payload))
                    .col(string(WebhookDelivery::Status))
                    .col(integer(WebhookDelivery::Attempts))
                    .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::LockedUntil))
                    .col(uuid_null(WebhookDelivery::LeaseToken))
                    .col(integer_null(WebhookDelivery::LastStatusCode))
                    .col(text_null(WebhookDelivery::LastError))
                    .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_delivery_subscription")
                            .from(WebhookDelivery::Table, WebhookDelivery::SubscriptionId)
                            .to(WebhookSubscription::Table, WebhookSubscription::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The claim query: due rows by status and time...
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_delivery_due")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        // ...the per-subscription ordering check, and the tenant's delivery log.
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_delivery_subscription_seq")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::SubscriptionId)
                    .col(WebhookDelivery::Seq)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempt::Table)
                    .col(uuid(WebhookAttempt::Id).primary_key())
                    .col(uuid(WebhookAttempt::DeliveryId))
                    .col(uuid(WebhookAttempt::SubscriptionId))
                    .col(uuid(WebhookAttempt::TenantId))
                    .col(integer(WebhookAttempt::Attempt))
                    .col(timestamp_with_time_zone(WebhookAttempt::At))
                    .col(integer_null(WebhookAttempt::StatusCode))
                    .col(big_integer(WebhookAttempt::DurationMs))
                    .col(text_null(WebhookAttempt::Error))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempt_delivery")
                            .from(WebhookAttempt::Table, WebhookAttempt::DeliveryId)
                            .to(WebhookDelivery::Table, WebhookDelivery::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempt_delivery")
                    .table(WebhookAttempt::Table)
                    .col(WebhookAttempt::DeliveryId)
                    .col(WebhookAttempt::Attempt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookAttempt::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookDelivery::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookSubscription::Table).to_owned())
            .await
    }
}
