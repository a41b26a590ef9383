//! The outbox: one `webhook_delivery` row per event and matching subscription, inserted by
//! [`enqueue_many`] inside the writer's transaction (from `feed::append_many`), and the
//! tenant's view of it, the delivery log.

use chrono::{DateTime, Utc};
use entity::{enums::Role, webhook_attempt, webhook_delivery, webhook_subscription};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, Registry,
    error::{ServiceError, ServiceResult},
    feed,
    pagination::{Page, PageRequest},
};

use super::{event_type, matches, subscriptions};

/// Waiting for its first attempt or for a retry.
pub const PENDING: &str = "pending";
/// Claimed by a worker (under a lease).
pub const DELIVERING: &str = "delivering";
/// Answered with a 2xx.
pub const SUCCEEDED: &str = "succeeded";
/// Every attempt failed.
pub const FAILED: &str = "failed";
/// Not sent: the subscription was disabled before its turn.
pub const ABANDONED: &str = "abandoned";

/// The state of a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivering,
    Succeeded,
    Failed,
    Abandoned,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => PENDING,
            DeliveryStatus::Delivering => DELIVERING,
            DeliveryStatus::Succeeded => SUCCEEDED,
            DeliveryStatus::Failed => FAILED,
            DeliveryStatus::Abandoned => ABANDONED,
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            DELIVERING => DeliveryStatus::Delivering,
            SUCCEEDED => DeliveryStatus::Succeeded,
            FAILED => DeliveryStatus::Failed,
            ABANDONED => DeliveryStatus::Abandoned,
            _ => DeliveryStatus::Pending,
        }
    }
}

/// The body of a webhook: `type`, `timestamp` and `data` (Standard Webhooks' payload shape).
pub(crate) fn payload(event_type: &str, at: DateTime<Utc>, data: Value) -> Value {
    json!({
        "type": event_type,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
}

/// Queues the deliveries of events of one tenant (numbered by their feed sequence), inside the
/// writer's transaction, reading the subscriptions once.
pub(crate) async fn enqueue_many<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    events: &[(i64, &feed::Event)],
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    let subscriptions = webhook_subscription::Entity::find()
        .filter(crate::tenancy::own::<webhook_subscription::Entity>(
            tenant_id,
        ))
        .filter(webhook_subscription::Column::Enabled.eq(true))
        .all(db)
        .await?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    let selectors: Vec<_> = subscriptions
        .iter()
        .map(|s| (s, subscriptions::patterns(&s.event_types)))
        .collect();
    let mut rows: Vec<webhook_delivery::ActiveModel> = Vec::new();
    for (seq, e) in events {
        debug_assert_eq!(e.tenant_id, tenant_id);
        let kind = event_type(e.entity_type.as_str(), e.operation.as_str());
        let deleted = e.operation == crate::history::Operation::Delete;
        let body = payload(
            &kind,
            at,
            json!({
                "cursor": seq.to_string(),
                "tenant_id": e.tenant_id,
                "entity_type": e.entity_type.as_str(),
                "entity_id": e.entity_id,
                "initiative_id": e.initiative_id,
                "operation": e.operation.as_str(),
                "version": if deleted { None } else { e.version },
                "href": if deleted { None } else { feed::href(e.entity_type, e.entity_id, e.initiative_id) },
            }),
        )
        .to_string();
        rows.extend(
            selectors
                .iter()
                .filter(|(_, patterns)| matches(patterns, &kind))
                .map(|(s, _)| new_delivery(s, *seq, &kind, body.clone(), at)),
        );
    }
    // 16 columns a row: well under both engines' limits on bound values.
    for chunk in rows.chunks(1000) {
        webhook_delivery::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(())
}

pub(crate) fn new_delivery(
    s: &webhook_subscription::Model,
    event_seq: i64,
    event_type: &str,
    payload: String,
    at: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        subscription_id: Set(s.id),
        tenant_id: Set(s.tenant_id),
        event_seq: Set(event_seq),
        event_type: Set(event_type.to_owned()),
        payload: Set(payload),
        status: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        locked_until: Set(None),
        lease_token: Set(None),
        last_status_code: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        delivered_at: Set(None),
        ..Default::default()
    }
}

/// One attempt to deliver, as the log shows it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AttemptEntry {
    /// 1 for the first attempt.
    pub attempt: i32,
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status (none when it did not answer).
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    /// What went wrong (none on success).
    pub error: Option<String>,
}

/// One event sent (or to be sent) to a subscription.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryEntry {
    /// The `webhook-id` header: the same on every retry, so receivers can drop duplicates.
    pub id: Uuid,
    /// E.g. `initiative.created`, or `webhook.ping`.
    pub event_type: String,
    /// The change feed cursor of the event (none for a ping).
    pub cursor: Option<String>,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempt_count: i32,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The JSON body sent.
    #[schema(value_type = Object)]
    pub payload: Value,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptEntry>,
}

/// Filters and paging of the delivery log. Unknown parameters are refused.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page (default 25, at most 100).
    pub per_page: Option<u64>,
}

pub(crate) fn entry(d: webhook_delivery::Model, attempts: Vec<AttemptEntry>) -> DeliveryEntry {
    let status = DeliveryStatus::parse(&d.status);
    DeliveryEntry {
        id: d.id,
        event_type: d.event_type,
        cursor: (d.event_seq > 0).then(|| d.event_seq.to_string()),
        status,
        attempt_count: d.attempts,
        next_attempt_at: matches!(status, DeliveryStatus::Pending).then_some(d.next_attempt_at),
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        created_at: d.created_at,
        delivered_at: d.delivered_at,
        payload: serde_json::from_str(&d.payload).unwrap_or(Value::Null),
        attempts,
    }
}

impl Registry {
    /// The delivery log of one of the caller's tenant's subscriptions, newest first, each with
    /// its attempts. Members of the tenant; another tenant's subscription is 404.
    pub async fn webhook_deliveries(
        &self,
        caller: &Caller,
        subscription_id: Uuid,
        query: DeliveryQuery,
    ) -> ServiceResult<Page<DeliveryEntry>> {
        let principal = caller.require(Role::Viewer)?;
        let request = PageRequest::new(query.page, query.per_page, self.settings())?;
        subscriptions::find(self.db(), principal.tenant_id, subscription_id).await?;
        let mut select = webhook_delivery::Entity::find()
            .filter(crate::tenancy::own::<webhook_delivery::Entity>(
                principal.tenant_id,
            ))
            .filter(webhook_delivery::Column::SubscriptionId.eq(subscription_id));
        if let Some(status) = query.status {
            select = select.filter(webhook_delivery::Column::Status.eq(status.as_str()));
        }
        let total = select.clone().count(self.db()).await?;
        let rows = select
            .order_by_desc(webhook_delivery::Column::Seq)
            .offset(request.offset())
            .limit(request.per_page)
            .all(self.db())
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
        let attempts = if ids.is_empty() {
            Vec::new()
        } else {
            webhook_attempt::Entity::find()
                .filter(crate::tenancy::own::<webhook_attempt::Entity>(
                    principal.tenant_id,
                ))
                .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
                .order_by_asc(webhook_attempt::Column::Attempt)
                .all(self.db())
                .await?
        };
        let items = rows
            .into_iter()
            .map(|d| {
                let log = attempts
                    .iter()
                    .filter(|a| a.delivery_id == d.id)
                    .map(|a| AttemptEntry {
                        attempt: a.attempt,
                        at: a.at,
                        status_code: a.status_code,
                        duration_ms: a.duration_ms,
                        error: a.error.clone(),
                    })
                    .collect();
                entry(d, log)
            })
            .collect();
        Ok(Page::new(items, request, total))
    }
}

/// A subscription that is not the caller's tenant's answers as a missing one.
pub(crate) fn not_found() -> ServiceError {
    ServiceError::NotFound { entity: "webhook" }
}
