//! The delivery worker: claims due deliveries under a lease, sends them, records the outcome.
//!
//! **Claiming.** A claim marks due rows `delivering` with `locked_until = now + lease` and a
//! fresh `lease_token`, in one statement inside a transaction: on PostgreSQL the candidate rows
//! are selected `FOR UPDATE SKIP LOCKED`, so several processes sharing one database never claim
//! the same row; on SQLite the transaction is `BEGIN IMMEDIATE` (one writer at a time). A row
//! whose lease has passed is due again: a process that dies between the claim and the outcome
//! loses nothing, the delivery is retried once its lease expires. The outcome is written only
//! while the claim's `lease_token` still holds, so a worker that overran its lease cannot
//! overwrite the outcome of the one that took over. Delivery is therefore at least once (a
//! crash after the receiver answered but before the outcome was written sends the message
//! again, with the same `webhook-id`): receivers should drop duplicate ids.
//!
//! **Ordering.** Each subscription receives its events in event (commit) order: a delivery is
//! due only when no earlier delivery of the same subscription is still `pending` or
//! `delivering`, so at most one message per subscription is in flight and a retry holds back
//! the events behind it (head-of-line blocking). A delivery that fails for good (`failed`)
//! stops holding the queue. Different subscriptions are delivered concurrently.

use std::time::{Duration, Instant};

use chrono::Utc;
use entity::{webhook_attempt, webhook_delivery, webhook_subscription};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait,
    ExprTrait, QueryFilter, QuerySelect, Set, Statement,
    sea_query::{Expr, Query},
};
use tokio::sync::watch;
use tracing::Instrument;
use uuid::Uuid;

use crate::{
    Registry,
    error::{ServiceError, ServiceResult},
};

use super::{
    WebhookSettings,
    network::{self, check_destination, check_form},
    outbox::{DELIVERING, FAILED, PENDING, SUCCEEDED},
    signing,
    subscriptions::abandon_pending,
};

/// Longest error text kept per attempt.
const ERROR_MAX: usize = 500;

/// The claim: due rows, oldest first, at most one per subscription (the head of its queue),
/// of enabled subscriptions only. `$1` lease end, `$2` lease token, `$3` now, `$4` batch size,
/// `$5` true. PostgreSQL adds `FOR UPDATE SKIP LOCKED` to the inner select.
const CLAIM_SQL: &str = "UPDATE webhook_delivery SET status = 'delivering', locked_until = $1, \
lease_token = $2 WHERE seq IN (SELECT d.seq FROM webhook_delivery d \
WHERE ((d.status = 'pending' AND d.next_attempt_at <= $3) \
OR (d.status = 'delivering' AND d.locked_until <= $3)) \
AND d.subscription_id IN (SELECT s.id FROM webhook_subscription s WHERE s.enabled = $5) \
AND NOT EXISTS (SELECT 1 FROM webhook_delivery e WHERE e.subscription_id = d.subscription_id \
AND e.seq < d.seq AND e.status IN ('pending', 'delivering')) \
ORDER BY d.seq LIMIT $4{LOCK}) RETURNING *";

/// Claims up to `limit` due deliveries for `lease`. Public so tests can simulate a worker that
/// claims and then dies.
pub async fn claim(
    registry: &Registry,
    limit: u64,
    lease: Duration,
) -> ServiceResult<Vec<webhook_delivery::Model>> {
    let db = registry.db();
    let now = Utc::now();
    // A cheap read first, so an idle worker never takes SQLite's write lock.
    let due = webhook_delivery::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(webhook_delivery::Column::Status.eq(PENDING))
                        .add(webhook_delivery::Column::NextAttemptAt.lte(now)),
                )
                .add(
                    Condition::all()
                        .add(webhook_delivery::Column::Status.eq(DELIVERING))
                        .add(webhook_delivery::Column::LockedUntil.lte(now)),
                ),
        )
        .filter(
            webhook_delivery::Column::SubscriptionId.in_subquery(
                Query::select()
                    .column(webhook_subscription::Column::Id)
                    .from(webhook_subscription::Entity)
                    .and_where(webhook_subscription::Column::Enabled.eq(true))
                    .to_owned(),
            ),
        )
        .limit(1)
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => CLAIM_SQL.replace("{LOCK}", " FOR UPDATE SKIP LOCKED"),
        // SQLite numbers parameters `?N`; the transaction below is BEGIN IMMEDIATE.
        _ => CLAIM_SQL.replace("{LOCK}", "").replace('$', "?"),
    };
    let lease_end =
        now + chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::seconds(60));
    let token = Uuid::new_v4();
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [
            lease_end.into(),
            token.into(),
            now.into(),
            i64::try_from(limit).unwrap_or(100).into(),
            true.into(),
        ],
    );
    let txn = registry.begin_write().await?;
    let mut claimed = webhook_delivery::Entity::find()
        .from_raw_sql(statement)
        .all(&txn)
        .await?;
    txn.commit().await?;
    claimed.sort_by_key(|d| d.seq);
    Ok(claimed)
}

/// What one attempt came to.
struct Outcome {
    status_code: Option<u16>,
    error: Option<String>,
    duration: Duration,
}

impl Outcome {
    fn succeeded(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A delivery worker: the registry, its settings and an HTTP client.
#[derive(Clone)]
pub struct Worker {
    registry: Registry,
    settings: WebhookSettings,
    client: reqwest::Client,
}

impl Worker {
    pub fn new(registry: Registry) -> ServiceResult<Self> {
        let settings = registry.settings().webhooks.clone();
        let client = network::client(
            settings.allow_private_networks,
            settings.connect_timeout,
            settings.timeout,
        )
        .map_err(|e| ServiceError::Internal(format!("webhook HTTP client: {e}")))?;
        Ok(Self {
            registry,
            settings,
            client,
        })
    }

    /// Claims one batch of due deliveries and delivers them (concurrently across
    /// subscriptions). Returns how many were attempted; 0 when nothing was due.
    pub async fn run_once(&self) -> ServiceResult<usize> {
        let claimed = claim(
            &self.registry,
            self.settings.batch_size,
            self.settings.lease,
        )
        .await?;
        let count = claimed.len();
        let sends = claimed.into_iter().map(|d| {
            let span = tracing::info_span!(
                "webhook_delivery",
                tenant = %d.tenant_id,
                delivery = %d.id,
                subscription = %d.subscription_id,
                event_type = %d.event_type,
            );
            async move {
                if let Err(err) = self.deliver(d).await {
                    tracing::error!(error = %err, "webhook delivery could not be recorded");
                }
            }
            .instrument(span)
        });
        futures_util::future::join_all(sends).await;
        Ok(count)
    }

    /// Runs until `stop` turns true: a batch after another while there is work, a pause of the
    /// poll interval when there is none. A batch in flight is finished before stopping.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(
            poll_ms = self.settings.poll_interval.as_millis() as u64,
            "webhook worker started"
        );
        loop {
            if *stop.borrow() {
                break;
            }
            let worked = match self.run_once().await {
                Ok(n) => n > 0,
                Err(err) => {
                    tracing::warn!(error = %err, "webhook worker: claiming deliveries failed");
                    false
                }
            };
            if worked {
                continue;
            }
            tokio::select! {
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                () = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
        tracing::info!("webhook worker stopped");
    }

    async fn deliver(&self, d: webhook_delivery::Model) -> ServiceResult<()> {
        let db = self.registry.db();
        let Some(subscription) = webhook_subscription::Entity::find_by_id(d.subscription_id)
            .filter(crate::tenancy::own::<webhook_subscription::Entity>(
                d.tenant_id,
            ))
            .one(db)
            .await?
        else {
            return Ok(()); // deleted meanwhile: its deliveries went with it
        };
        let outcome = self.send(&subscription, &d).await;
        crate::telemetry::webhook_attempt(outcome.succeeded());
        if outcome.succeeded() {
            tracing::info!(status = ?outcome.status_code, "webhook delivered");
        } else {
            tracing::info!(status = ?outcome.status_code, error = ?outcome.error, "webhook attempt failed");
        }
        self.record(&subscription, &d, outcome).await
    }

    async fn send(
        &self,
        subscription: &webhook_subscription::Model,
        d: &webhook_delivery::Model,
    ) -> Outcome {
        let started = Instant::now();
        let failed = |error: String| Outcome {
            status_code: None,
            error: Some(error),
            duration: started.elapsed(),
        };
        let key = match signing::secret_key(&subscription.secret) {
            Ok(key) => key,
            Err(message) => return failed(format!("invalid secret: {message}")),
        };
        let url = match check_form(&subscription.url) {
            Ok(url) => url,
            Err(refusal) => return failed(refusal.message),
        };
        // Literal addresses are checked here; names are checked by the client's resolver.
        if matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)))
            && let Err(refusal) = check_destination(
                &url,
                self.settings.allow_private_networks,
                self.settings.connect_timeout,
            )
            .await
        {
            return failed(refusal.message);
        }
        let msg_id = d.id.to_string();
        let timestamp = Utc::now().timestamp();
        let signature = signing::sign(&key, &msg_id, timestamp, d.payload.as_bytes());
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &msg_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(d.payload.clone())
            .send()
            .await;
        match response {
            Ok(response) => {
                let status = response.status();
                Outcome {
                    status_code: Some(status.as_u16()),
                    error: (!status.is_success())
                        .then(|| format!("the receiver answered {status}")),
                    duration: started.elapsed(),
                }
            }
            Err(err) => failed(describe(&err, self.settings.timeout)),
        }
    }

    /// Writes the attempt and the delivery's new state, if this worker's claim still holds.
    async fn record(
        &self,
        subscription: &webhook_subscription::Model,
        d: &webhook_delivery::Model,
        outcome: Outcome,
    ) -> ServiceResult<()> {
        let settings = &self.settings;
        let now = Utc::now();
        let attempt = d.attempts + 1;
        let succeeded = outcome.succeeded();
        let gave_up =
            !succeeded && u32::try_from(attempt).unwrap_or(u32::MAX) >= settings.max_attempts;
        let status = if succeeded {
            SUCCEEDED
        } else if gave_up {
            FAILED
        } else {
            PENDING
        };
        let status_code = outcome.status_code.map(i32::from);
        let next_attempt = if succeeded || gave_up {
            d.next_attempt_at
        } else {
            let delay = settings.backoff(u32::try_from(attempt).unwrap_or(u32::MAX));
            now + chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::hours(1))
        };
        let txn = self.registry.begin_write().await?;
        let updated = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempt))
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                Expr::value(next_attempt),
            )
            .col_expr(
                webhook_delivery::Column::LockedUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .col_expr(
                webhook_delivery::Column::LeaseToken,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(
                webhook_delivery::Column::LastStatusCode,
                Expr::value(status_code),
            )
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value(outcome.error.clone()),
            )
            .col_expr(
                webhook_delivery::Column::DeliveredAt,
                Expr::value(succeeded.then_some(now)),
            )
            .filter(webhook_delivery::Column::Id.eq(d.id))
            .filter(webhook_delivery::Column::Status.eq(DELIVERING))
            .filter(webhook_delivery::Column::LeaseToken.eq(d.lease_token))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            // The lease ran out and another worker took the delivery over (or the subscription
            // was deleted): its outcome is the one that counts.
            tracing::warn!("webhook delivery lease lost before its outcome was recorded");
            return Ok(());
        }
        webhook_attempt::ActiveModel {
            id: Set(Uuid::now_v7()),
            delivery_id: Set(d.id),
            subscription_id: Set(d.subscription_id),
            tenant_id: Set(d.tenant_id),
            attempt: Set(attempt),
            at: Set(now),
            status_code: Set(status_code),
            duration_ms: Set(i64::try_from(outcome.duration.as_millis()).unwrap_or(i64::MAX)),
            error: Set(outcome.error.clone()),
        }
        .insert(&txn)
        .await?;
        if succeeded {
            webhook_subscription::Entity::update_many()
                .col_expr(
                    webhook_subscription::Column::ConsecutiveFailures,
                    Expr::value(0),
                )
                .filter(webhook_subscription::Column::Id.eq(d.subscription_id))
                .filter(webhook_subscription::Column::ConsecutiveFailures.ne(0))
                .exec(&txn)
                .await?;
        } else if gave_up {
            self.count_failure(&txn, subscription, outcome.error.as_deref())
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// One more delivery failed for good: count it, and disable the subscription once
    /// `disable_after` have failed in a row.
    async fn count_failure<C: ConnectionTrait>(
        &self,
        txn: &C,
        subscription: &webhook_subscription::Model,
        last_error: Option<&str>,
    ) -> ServiceResult<()> {
        webhook_subscription::Entity::update_many()
            .col_expr(
                webhook_subscription::Column::ConsecutiveFailures,
                Expr::col(webhook_subscription::Column::ConsecutiveFailures).add(1),
            )
            .filter(webhook_subscription::Column::Id.eq(subscription.id))
            .exec(txn)
            .await?;
        let Some(current) = webhook_subscription::Entity::find_by_id(subscription.id)
            .one(txn)
            .await?
        else {
            return Ok(());
        };
        let failures = u32::try_from(current.consecutive_failures).unwrap_or(0);
        if !current.enabled || failures < self.settings.disable_after {
            return Ok(());
        }
        let reason = format!(
            "disabled after {failures} consecutive failed deliveries (each tried {} times); \
             last error: {}",
            self.settings.max_attempts,
            last_error.unwrap_or("unknown")
        );
        let now = Utc::now();
        webhook_subscription::ActiveModel {
            id: Set(current.id),
            enabled: Set(false),
            disabled_at: Set(Some(now)),
            disabled_reason: Set(Some(reason.clone())),
            version: Set(current.version + 1),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(txn)
        .await?;
        let abandoned = abandon_pending(txn, current.id, "the subscription was disabled").await?;
        tracing::warn!(
            tenant = %current.tenant_id,
            webhook = %current.id,
            url = %current.url,
            abandoned,
            reason = %reason,
            "webhook subscription disabled after repeated failures"
        );
        Ok(())
    }
}

/// A transport error, for the delivery log (never the response body).
fn describe(err: &reqwest::Error, timeout: Duration) -> String {
    let mut text = if err.is_timeout() {
        format!("timed out after {} ms", timeout.as_millis())
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(ERROR_MAX).collect()
}

/// Claims and delivers one batch with a worker built from the registry's settings (for tests
/// and tools: deliveries happen deterministically, without the background task).
pub async fn run_once(registry: &Registry) -> ServiceResult<usize> {
    Worker::new(registry.clone())?.run_once().await
}

/// The background worker of a process.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    /// Asks the worker to stop and waits for it (a batch in flight is finished first; what is
    /// not delivered stays in the outbox for the next worker).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(err) = self.task.await {
            tracing::warn!(error = %err, "the webhook worker ended abnormally");
        }
    }
}

/// Starts the background worker on the current Tokio runtime.
pub fn spawn(registry: Registry) -> ServiceResult<WorkerHandle> {
    let worker = Worker::new(registry)?;
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(worker.run(stopped));
    Ok(WorkerHandle { stop, task })
}
