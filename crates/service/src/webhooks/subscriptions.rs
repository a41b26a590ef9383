//! Webhook subscriptions of a tenant. Admins (and owners) create, change and delete them;
//! every member of the tenant may read them and their delivery log. Every query is scoped by
//! the caller's tenant: another tenant's subscription answers 404, exactly as a missing one.
//! The secret is returned once, in the answer to the create, and never listed.

use chrono::{DateTime, Utc};
use entity::{enums::Role, webhook_delivery, webhook_subscription};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, Registry,
    error::{ServiceError, ServiceResult},
    precondition::Precondition,
    validation::{Checks, double_option},
};

use super::{
    PING_EVENT, is_known_pattern,
    network::{check_destination, check_form},
    outbox::{self, DeliveryEntry},
    signing,
};

const DESCRIPTION_MAX: usize = 1000;
const MAX_EVENT_TYPES: usize = 50;
/// Subscriptions one tenant may keep (every event fans out to each).
const MAX_PER_TENANT: u64 = 50;

/// A webhook subscription as the API returns it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d",
    "tenant_id": "0190f1c2-7d8e-7b3a-9c4d-000000000001",
    "url": "https://portal.example.org/hooks/msp",
    "event_types": ["initiative.*", "partner.created"],
    "description": "National portal mirror",
    "enabled": true,
    "disabled_at": null,
    "disabled_reason": null,
    "consecutive_failures": 0,
    "version": 1,
    "created_at": "2026-11-29T10:00:00Z",
    "updated_at": "2026-11-29T10:00:00Z",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo="
}))]
pub struct Webhook {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// Where events are POSTed.
    pub url: String,
    /// The event types sent; empty (or `*`) means every event.
    pub event_types: Vec<String>,
    pub description: Option<String>,
    /// Disabled subscriptions receive nothing.
    pub enabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why it was disabled (after repeated failure, or by an administrator).
    pub disabled_reason: Option<String>,
    /// Deliveries that failed for good in a row.
    pub consecutive_failures: i32,
    /// Increases with every change; the ETag is derived from it.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The signing secret (`whsec_` + base64): only in the answer to the create. Keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<webhook_subscription::Model> for Webhook {
    fn from(m: webhook_subscription::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            url: m.url,
            event_types: patterns(&m.event_types),
            description: m.description,
            enabled: m.enabled,
            disabled_at: m.disabled_at,
            disabled_reason: m.disabled_reason,
            consecutive_failures: m.consecutive_failures,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
            secret: None,
        }
    }
}

/// The body of a create.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://portal.example.org/hooks/msp",
    "event_types": ["initiative.*", "partner.created"],
    "description": "National portal mirror"
}))]
pub struct NewWebhook {
    /// An http or https URL. Unless the server allows private networks, its host must not be
    /// (or resolve to) a loopback, private, link-local or otherwise internal address.
    pub url: String,
    /// `{entity}.{created|updated|deleted}`, `{entity}.*` or `*`; absent or empty means all.
    /// Entities: initiative, partner, contribution, agreement, report, lesson,
    /// value_assessment, organization.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// `whsec_` + base64 of 24 to 64 bytes; generated when absent.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to true.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// The body of a PATCH: absent fields stay as they are. `enabled: true` re-enables a disabled
/// subscription and resets its failure count.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true}))]
pub struct WebhookPatch {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// The stored event type list.
pub(crate) fn patterns(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

struct Checked {
    url: String,
    event_types: Vec<String>,
    description: Option<String>,
}

impl Registry {
    async fn check_webhook(
        &self,
        c: &mut Checks,
        url: &str,
        event_types: &[String],
        description: Option<&str>,
    ) -> Checked {
        let settings = &self.settings().webhooks;
        let url = match check_form(url) {
            Ok(parsed) => {
                if let Err(refusal) = check_destination(
                    &parsed,
                    settings.allow_private_networks,
                    settings.connect_timeout,
                )
                .await
                {
                    c.push("url", refusal.code, refusal.message);
                }
                parsed.to_string()
            }
            Err(refusal) => {
                c.push("url", refusal.code, refusal.message);
                url.trim().to_owned()
            }
        };
        if event_types.len() > MAX_EVENT_TYPES {
            c.push(
                "event_types",
                "length",
                format!("at most {MAX_EVENT_TYPES} event types"),
            );
        }
        let mut types: Vec<String> = Vec::new();
        for (i, t) in event_types.iter().enumerate() {
            let t = t.trim();
            if !is_known_pattern(t) {
                c.push(
                    &format!("event_types[{i}]"),
                    "unknown_event_type",
                    format!(
                        "`{t}` is not an event type: use {{entity}}.created, .updated, \
                         .deleted or .* (entities: {}), or *",
                        crate::EntityKind::ALL
                            .map(crate::EntityKind::as_str)
                            .join(", ")
                    ),
                );
            } else if !types.iter().any(|x| x == t) {
                types.push(t.to_owned());
            }
        }
        Checked {
            url,
            event_types: types,
            description: c.optional_text("description", description, DESCRIPTION_MAX),
        }
    }

    /// The caller's tenant's subscriptions, oldest first (secrets omitted).
    pub async fn list_webhooks(&self, caller: &Caller) -> ServiceResult<Vec<Webhook>> {
        let principal = caller.require(Role::Viewer)?;
        let rows = webhook_subscription::Entity::find()
            .filter(crate::tenancy::own::<webhook_subscription::Entity>(
                principal.tenant_id,
            ))
            .order_by_asc(webhook_subscription::Column::CreatedAt)
            .order_by_asc(webhook_subscription::Column::Id)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(Webhook::from).collect())
    }

    /// One subscription of the caller's tenant.
    pub async fn get_webhook(&self, caller: &Caller, id: Uuid) -> ServiceResult<Webhook> {
        let principal = caller.require(Role::Viewer)?;
        find(self.db(), principal.tenant_id, id)
            .await
            .map(Webhook::from)
    }

    /// Subscribes a URL. Admins and owners. The answer carries the secret, this once.
    pub async fn create_webhook(
        &self,
        caller: &Caller,
        input: NewWebhook,
    ) -> ServiceResult<Webhook> {
        let principal = caller.require(Role::Admin)?;
        let mut c = Checks::new();
        let checked = self
            .check_webhook(
                &mut c,
                &input.url,
                &input.event_types,
                input.description.as_deref(),
            )
            .await;
        let secret = match input.secret.as_deref().map(str::trim) {
            None | Some("") => signing::generate_secret(),
            Some(given) => {
                if let Err(message) = signing::secret_key(given) {
                    c.push("secret", "invalid_secret", message);
                }
                given.to_owned()
            }
        };
        c.finish()?;
        let txn = self.unit_of_work().await?;
        let count = webhook_subscription::Entity::find()
            .filter(crate::tenancy::own::<webhook_subscription::Entity>(
                principal.tenant_id,
            ))
            .count(&txn)
            .await?;
        if count >= MAX_PER_TENANT {
            return Err(ServiceError::Conflict(format!(
                "a tenant may keep at most {MAX_PER_TENANT} webhook subscriptions"
            )));
        }
        let now = Utc::now();
        let model = webhook_subscription::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(principal.tenant_id),
            url: Set(checked.url),
            event_types: Set(
                serde_json::to_string(&checked.event_types).unwrap_or_else(|_| "[]".into())
            ),
            secret: Set(secret.clone()),
            description: Set(checked.description),
            enabled: Set(input.enabled.unwrap_or(true)),
            disabled_at: Set(None),
            disabled_reason: Set(None),
            consecutive_failures: Set(0),
            version: Set(1),
            created_by: Set(Some(principal.subject)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(webhook = %model.id, tenant = %model.tenant_id, "webhook subscription created");
        let mut webhook = Webhook::from(model);
        webhook.secret = Some(secret);
        Ok(webhook)
    }

    /// Changes a subscription, provided `expected_version` is current. Admins and owners.
    pub async fn update_webhook(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        patch: WebhookPatch,
    ) -> ServiceResult<Webhook> {
        let principal = caller.require(Role::Viewer)?;
        let current = find(self.db(), principal.tenant_id, id).await?;
        caller.require(Role::Admin)?;
        let expected = crate::precondition::expect_version(expected_version, current.version)?;
        let mut c = Checks::new();
        let event_types = patch
            .event_types
            .clone()
            .unwrap_or_else(|| patterns(&current.event_types));
        let description = match &patch.description {
            Some(v) => v.clone(),
            None => current.description.clone(),
        };
        let checked = self
            .check_webhook(
                &mut c,
                patch.url.as_deref().unwrap_or(&current.url),
                &event_types,
                description.as_deref(),
            )
            .await;
        c.finish()?;
        let now = Utc::now();
        let txn = self.unit_of_work().await?;
        let mut update = webhook_subscription::Entity::update_many()
            .col_expr(webhook_subscription::Column::Url, Expr::value(checked.url))
            .col_expr(
                webhook_subscription::Column::EventTypes,
                Expr::value(
                    serde_json::to_string(&checked.event_types).unwrap_or_else(|_| "[]".into()),
                ),
            )
            .col_expr(
                webhook_subscription::Column::Description,
                Expr::value(checked.description),
            )
            .col_expr(
                webhook_subscription::Column::Version,
                Expr::value(expected + 1),
            )
            .col_expr(webhook_subscription::Column::UpdatedAt, Expr::value(now));
        match patch.enabled {
            Some(true) if !current.enabled => {
                update = update
                    .col_expr(webhook_subscription::Column::Enabled, Expr::value(true))
                    .col_expr(
                        webhook_subscription::Column::DisabledAt,
                        Expr::value(Option::<DateTime<Utc>>::None),
                    )
                    .col_expr(
                        webhook_subscription::Column::DisabledReason,
                        Expr::value(Option::<String>::None),
                    )
                    .col_expr(
                        webhook_subscription::Column::ConsecutiveFailures,
                        Expr::value(0),
                    );
            }
            Some(true) => {
                update = update.col_expr(
                    webhook_subscription::Column::ConsecutiveFailures,
                    Expr::value(0),
                );
            }
            Some(false) if current.enabled => {
                update = update
                    .col_expr(webhook_subscription::Column::Enabled, Expr::value(false))
                    .col_expr(
                        webhook_subscription::Column::DisabledAt,
                        Expr::value(Some(now)),
                    )
                    .col_expr(
                        webhook_subscription::Column::DisabledReason,
                        Expr::value(Some("disabled by an administrator".to_owned())),
                    );
                abandon_pending(&txn, id, "the subscription was disabled").await?;
            }
            _ => {}
        }
        let result = update
            .filter(webhook_subscription::Column::Id.eq(id))
            .filter(crate::tenancy::own::<webhook_subscription::Entity>(
                principal.tenant_id,
            ))
            .filter(webhook_subscription::Column::Version.eq(expected))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: current.version + 1,
            });
        }
        let updated = find(&txn, principal.tenant_id, id).await?;
        txn.commit().await?;
        tracing::info!(webhook = %id, version = updated.version, "webhook subscription updated");
        Ok(updated.into())
    }

    /// Deletes a subscription and its delivery log. Admins and owners; needs `If-Match`.
    pub async fn delete_webhook(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
    ) -> ServiceResult<()> {
        let principal = caller.require(Role::Viewer)?;
        let current = find(self.db(), principal.tenant_id, id).await?;
        caller.require(Role::Admin)?;
        let expected = crate::precondition::expect_version(expected_version, current.version)?;
        let txn = self.unit_of_work().await?;
        let result = webhook_subscription::Entity::delete_many()
            .filter(webhook_subscription::Column::Id.eq(id))
            .filter(crate::tenancy::own::<webhook_subscription::Entity>(
                principal.tenant_id,
            ))
            .filter(webhook_subscription::Column::Version.eq(expected))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: current.version + 1,
            });
        }
        txn.commit().await?;
        tracing::info!(webhook = %id, "webhook subscription deleted");
        Ok(())
    }

    /// Queues a `webhook.ping` for a subscription (sent whatever its event types, after what
    /// is queued before it). Admins and owners.
    pub async fn ping_webhook(&self, caller: &Caller, id: Uuid) -> ServiceResult<DeliveryEntry> {
        let principal = caller.require(Role::Viewer)?;
        let subscription = find(self.db(), principal.tenant_id, id).await?;
        caller.require(Role::Admin)?;
        if !subscription.enabled {
            return Err(ServiceError::Conflict(
                "the subscription is disabled: enable it first".into(),
            ));
        }
        let now = Utc::now();
        let body = outbox::payload(
            PING_EVENT,
            now,
            serde_json::json!({"webhook_id": subscription.id, "tenant_id": subscription.tenant_id}),
        )
        .to_string();
        let delivery = outbox::new_delivery(&subscription, 0, PING_EVENT, body, now)
            .insert(self.db())
            .await?;
        Ok(outbox::entry(delivery, Vec::new()))
    }
}

/// The subscription `id` of `tenant_id`, or 404.
pub(crate) async fn find<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    id: Uuid,
) -> ServiceResult<webhook_subscription::Model> {
    webhook_subscription::Entity::find_by_id(id)
        .filter(crate::tenancy::own::<webhook_subscription::Entity>(
            tenant_id,
        ))
        .one(db)
        .await?
        .ok_or_else(outbox::not_found)
}

/// Marks a subscription's undelivered events `abandoned` (it was disabled): a disabled
/// subscription receives nothing; what it missed stays readable in the change feed.
pub(crate) async fn abandon_pending<C: ConnectionTrait>(
    db: &C,
    subscription_id: Uuid,
    reason: &str,
) -> ServiceResult<u64> {
    let result = webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(outbox::ABANDONED),
        )
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value(Some(reason.to_owned())),
        )
        .filter(webhook_delivery::Column::SubscriptionId.eq(subscription_id))
        .filter(webhook_delivery::Column::Status.eq(outbox::PENDING))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
