//! Webhooks: tenants' admins subscribe URLs to events of the change feed; every event is
//! written to an outbox (`webhook_delivery`) in the same transaction as the change, and a
//! background worker delivers it, signed (Standard Webhooks), retried with exponential backoff,
//! logged per attempt (`webhook_attempt`), and the subscription is disabled after repeated
//! failure.
//!
//! - [`subscriptions`]: create, list, read, change, delete (admins write; members read).
//! - [`outbox`]: the rows written next to the change feed, and the tenant's delivery log.
//! - [`worker`]: claiming due deliveries under a lease, sending, recording the outcome.
//! - [`signing`]: secrets and signatures.
//! - [`network`]: the SSRF precautions and the HTTP client.
//!
//! Event types are `{entity}.{created|updated|deleted}` for the feed's entities (see
//! [`crate::EntityKind`]), e.g. `initiative.created`, `partner.updated`, `organization.deleted`;
//! a subscription lists the types it wants, `{entity}.*` for every operation on one entity, or
//! nothing (or `*`) for everything. `webhook.ping` is sent by the test endpoint only.

pub mod network;
pub mod outbox;
pub mod signing;
pub mod subscriptions;
pub mod worker;

use std::time::Duration;

pub use outbox::{AttemptEntry, DeliveryEntry, DeliveryQuery};
pub use subscriptions::{NewWebhook, Webhook, WebhookPatch};

/// The operations, as event type suffixes.
pub const EVENT_OPERATIONS: &[&str] = &["created", "updated", "deleted"];

/// The event type of the test endpoint's message.
pub const PING_EVENT: &str = "webhook.ping";

/// The event type of a change: `initiative` + `create` → `initiative.created`.
pub fn event_type(entity_type: &str, operation: &str) -> String {
    let suffix = match operation {
        "create" => "created",
        "update" => "updated",
        "delete" => "deleted",
        other => other,
    };
    format!("{entity_type}.{suffix}")
}

/// Whether a pattern a subscription may list is known: `*`, `{entity}.*`, `{entity}.{op}`.
pub fn is_known_pattern(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let Some((entity, op)) = pattern.split_once('.') else {
        return false;
    };
    crate::EntityKind::parse(entity).is_some() && (op == "*" || EVENT_OPERATIONS.contains(&op))
}

/// Whether a subscription's patterns select an event type (no pattern selects every one).
pub fn matches(patterns: &[String], event_type: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|p| {
            p == "*"
                || p == event_type
                || p.strip_suffix(".*").is_some_and(|entity| {
                    event_type
                        .strip_prefix(entity)
                        .is_some_and(|rest| rest.starts_with('.'))
                })
        })
}

/// How webhooks are delivered (`MSP_WEBHOOK_*`).
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Run the delivery worker in this process (`MSP_WEBHOOK_WORKER`).
    pub worker: bool,
    /// Pause between polls when nothing is due (`MSP_WEBHOOK_POLL_MS`).
    pub poll_interval: Duration,
    /// Deliveries claimed at once (`MSP_WEBHOOK_BATCH_SIZE`).
    pub batch_size: u64,
    /// How long a claim holds a delivery; after that another worker may take it over
    /// (`MSP_WEBHOOK_LEASE_MS`). Longer than the request timeout.
    pub lease: Duration,
    /// TCP (and TLS) connect timeout (`MSP_WEBHOOK_CONNECT_TIMEOUT_MS`).
    pub connect_timeout: Duration,
    /// Whole-request timeout (`MSP_WEBHOOK_TIMEOUT_MS`).
    pub timeout: Duration,
    /// First retry delay (`MSP_WEBHOOK_RETRY_BASE_MS`)...
    pub retry_base: Duration,
    /// ...multiplied by this after every failed attempt (`MSP_WEBHOOK_RETRY_FACTOR`)...
    pub retry_factor: u32,
    /// ...up to this (`MSP_WEBHOOK_RETRY_MAX_MS`).
    pub retry_max: Duration,
    /// Attempts of one delivery before it fails for good (`MSP_WEBHOOK_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// Deliveries failed for good in a row that disable a subscription
    /// (`MSP_WEBHOOK_DISABLE_AFTER`).
    pub disable_after: u32,
    /// Allow URLs on loopback, private and other internal addresses
    /// (`MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS`; tests and local development only).
    pub allow_private_networks: bool,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            worker: true,
            poll_interval: Duration::from_millis(1000),
            batch_size: 20,
            lease: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(5),
            retry_factor: 2,
            retry_max: Duration::from_secs(60 * 60),
            max_attempts: 8,
            disable_after: 5,
            allow_private_networks: false,
        }
    }
}

impl WebhookSettings {
    /// The delay before the next attempt, after `attempts` failed ones (from 1):
    /// `base * factor^(attempts-1)`, at most `retry_max`.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let exponent = attempts.saturating_sub(1).min(63);
        let factor = u128::from(self.retry_factor).saturating_pow(exponent);
        let millis = self.retry_base.as_millis().saturating_mul(factor);
        let capped = millis.min(self.retry_max.as_millis());
        Duration::from_millis(u64::try_from(capped).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_and_patterns() {
        assert_eq!(event_type("initiative", "create"), "initiative.created");
        let p = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(matches(&[], "partner.updated"));
        assert!(matches(&p(&["*"]), "partner.updated"));
        assert!(matches(&p(&["partner.*"]), "partner.updated"));
        assert!(!matches(&p(&["partner.*"]), "partnership.updated"));
        assert!(!matches(&p(&["initiative.created"]), "initiative.updated"));
        assert!(is_known_pattern("organization.deleted"));
        assert!(is_known_pattern("lesson.*"));
        assert!(!is_known_pattern("organization.archived"));
        assert!(!is_known_pattern("tenant.created"));
    }

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap() {
        let s = WebhookSettings {
            retry_base: Duration::from_millis(100),
            retry_factor: 3,
            retry_max: Duration::from_millis(1000),
            ..Default::default()
        };
        let delays: Vec<u128> = (1..=5).map(|a| s.backoff(a).as_millis()).collect();
        assert_eq!(delays, [100, 300, 900, 1000, 1000]);
        assert_eq!(s.backoff(1000).as_millis(), 1000);
    }
}
