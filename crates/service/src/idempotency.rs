//! `Idempotency-Key` on POST creates: a retried request returns the first result and never makes
//! a second record.
//!
//! A key belongs to one principal of one tenant. The first request with a key claims it (an
//! `in_progress` row with a fresh attempt id and a lease). The create's own transaction binds
//! the new record to the claim (`bind`, called from the history and the organisation create),
//! so the key can never be bound to two records: an attempt whose claim was taken over fails
//! and rolls back. After the handler answers, the response is stored for replay. A retry with the
//! same key and the same request replays that response; with a different request it is refused
//! (422); while the first is still running it is told to wait (409). If the process died after
//! the commit but before the response was stored, a retry is told which record was created
//! (409 naming it) rather than creating another. Keys expire after the configured time.

use chrono::{Duration as ChronoDuration, Utc};
use entity::idempotency_key;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Caller, Registry,
    auth::SubjectKind,
    error::{ServiceError, ServiceResult},
};

const IN_PROGRESS: &str = "in_progress";
const COMMITTED: &str = "committed";
const COMPLETED: &str = "completed";

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// A claimed key, carried in the request's [`WriteMeta`](crate::history::WriteMeta) into the create's transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdempotencyClaim {
    pub id: Uuid,
    pub attempt: Uuid,
}

/// A response kept for replay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What to do with a request that carries a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Begin {
    /// Go on: this request holds the key.
    Proceed(IdempotencyClaim),
    /// Answer with the first request's response.
    Replay(StoredResponse),
}

fn owner(caller: &Caller) -> ServiceResult<(Uuid, String)> {
    let p = caller.principal().ok_or(ServiceError::Unauthenticated)?;
    let kind = match p.kind {
        SubjectKind::Client => "client",
        SubjectKind::User => "user",
        SubjectKind::External => "external",
    };
    Ok((p.tenant_id, format!("{kind}:{}", p.subject)))
}

/// The form an `Idempotency-Key` takes: 1 to 255 visible ASCII characters (a header that is
/// not text at all reads as empty).
pub fn check_key(key: &str) -> ServiceResult<&str> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        let message = format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters");
        return Err(ServiceError::BadRequest {
            detail: format!("invalid header `Idempotency-Key`: {message}"),
            errors: vec![crate::FieldError::new(
                "Idempotency-Key",
                "invalid",
                message,
            )],
        });
    }
    Ok(key)
}

impl Registry {
    /// Claims `key` for this request, or says how to answer a repeat of it. `fingerprint`
    /// identifies the request (method, path and body); `path` is kept for the logs.
    pub async fn idempotency_begin(
        &self,
        caller: &Caller,
        key: &str,
        fingerprint: &str,
        path: &str,
    ) -> ServiceResult<Begin> {
        check_key(key)?;
        let (tenant_id, principal) = owner(caller)?;
        let db = self.db();
        let now = Utc::now();
        let ttl = ChronoDuration::from_std(self.settings().idempotency_ttl)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let lease = ChronoDuration::from_std(self.settings().idempotency_lease)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        // Two rounds at most: a concurrent first request may insert between our read and ours.
        for _ in 0..2 {
            let existing = idempotency_key::Entity::find()
                .filter(crate::tenancy::own::<idempotency_key::Entity>(tenant_id))
                .filter(idempotency_key::Column::Principal.eq(principal.as_str()))
                .filter(idempotency_key::Column::Key.eq(key))
                .one(db)
                .await?;
            match existing {
                Some(row) if row.expires_at > now => {
                    return self.repeat(row, fingerprint, lease).await;
                }
                Some(row) => {
                    idempotency_key::Entity::delete_many()
                        .filter(idempotency_key::Column::Id.eq(row.id))
                        .filter(idempotency_key::Column::Attempt.eq(row.attempt))
                        .exec(db)
                        .await?;
                }
                None => {}
            }
            let claim = IdempotencyClaim {
                id: Uuid::now_v7(),
                attempt: Uuid::new_v4(),
            };
            let inserted = idempotency_key::ActiveModel {
                id: Set(claim.id),
                tenant_id: Set(tenant_id),
                principal: Set(principal.clone()),
                key: Set(key.to_owned()),
                fingerprint: Set(fingerprint.to_owned()),
                request_path: Set(path.chars().take(500).collect()),
                state: Set(IN_PROGRESS.to_owned()),
                attempt: Set(claim.attempt),
                locked_until: Set(now + lease),
                entity_type: Set(None),
                entity_id: Set(None),
                response_status: Set(None),
                response_headers: Set(None),
                response_body: Set(None),
                created_at: Set(now),
                expires_at: Set(now + ttl),
            }
            .insert(db)
            .await;
            match inserted {
                Ok(_) => {
                    // Now and then, sweep keys that have expired (any owner, so with no
                    // tenant named).
                    if claim.attempt.as_u128().is_multiple_of(64) {
                        crate::db::scope::unscoped(
                            idempotency_key::Entity::delete_many()
                                .filter(idempotency_key::Column::ExpiresAt.lt(now))
                                .exec(db),
                        )
                        .await?;
                    }
                    return Ok(Begin::Proceed(claim));
                }
                Err(e)
                    if matches!(
                        e.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::Conflict(
            "a request with this Idempotency-Key is being processed; retry later".into(),
        ))
    }

    async fn repeat(
        &self,
        row: idempotency_key::Model,
        fingerprint: &str,
        lease: ChronoDuration,
    ) -> ServiceResult<Begin> {
        if row.fingerprint != fingerprint {
            return Err(ServiceError::IdempotencyKeyReused);
        }
        match row.state.as_str() {
            COMPLETED => {
                let headers = row
                    .response_headers
                    .as_deref()
                    .and_then(|h| serde_json::from_str(h).ok())
                    .unwrap_or_default();
                Ok(Begin::Replay(StoredResponse {
                    status: row
                        .response_status
                        .and_then(|s| u16::try_from(s).ok())
                        .unwrap_or(200),
                    headers,
                    body: row.response_body.unwrap_or_default(),
                }))
            }
            COMMITTED => Err(ServiceError::Conflict(format!(
                "this request was processed (it created {} {}) but its response was not kept; \
                 read the record instead of retrying",
                row.entity_type.as_deref().unwrap_or("a record"),
                row.entity_id.map(|id| id.to_string()).unwrap_or_default()
            ))),
            _ if row.locked_until > Utc::now() => Err(ServiceError::Conflict(
                "a request with this Idempotency-Key is being processed; retry later".into(),
            )),
            _ => {
                // The first attempt was abandoned before it created anything: take the key over.
                // Its transaction, should it still be running, can no longer bind to it.
                let attempt = Uuid::new_v4();
                let taken = idempotency_key::Entity::update_many()
                    .col_expr(idempotency_key::Column::Attempt, attempt.into())
                    .col_expr(
                        idempotency_key::Column::LockedUntil,
                        (Utc::now() + lease).into(),
                    )
                    .filter(idempotency_key::Column::Id.eq(row.id))
                    .filter(idempotency_key::Column::Attempt.eq(row.attempt))
                    .filter(idempotency_key::Column::State.eq(IN_PROGRESS))
                    .exec(self.db())
                    .await?;
                if taken.rows_affected == 1 {
                    Ok(Begin::Proceed(IdempotencyClaim {
                        id: row.id,
                        attempt,
                    }))
                } else {
                    Err(ServiceError::Conflict(
                        "a request with this Idempotency-Key is being processed; retry later"
                            .into(),
                    ))
                }
            }
        }
    }

    /// Keeps the response of a request that held the key, for replay.
    pub async fn idempotency_complete(
        &self,
        claim: &IdempotencyClaim,
        response: &StoredResponse,
    ) -> ServiceResult<()> {
        let headers = serde_json::to_string(&response.headers)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::State, COMPLETED.into())
            .col_expr(
                idempotency_key::Column::ResponseStatus,
                i32::from(response.status).into(),
            )
            .col_expr(idempotency_key::Column::ResponseHeaders, headers.into())
            .col_expr(
                idempotency_key::Column::ResponseBody,
                response.body.clone().into(),
            )
            .filter(idempotency_key::Column::Id.eq(claim.id))
            .filter(idempotency_key::Column::Attempt.eq(claim.attempt))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Frees a key whose request failed without creating anything, so that it can be retried.
    pub async fn idempotency_release(&self, claim: &IdempotencyClaim) -> ServiceResult<()> {
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::Id.eq(claim.id))
            .filter(idempotency_key::Column::Attempt.eq(claim.attempt))
            .filter(idempotency_key::Column::State.eq(IN_PROGRESS))
            .exec(self.db())
            .await?;
        Ok(())
    }
}

/// Binds the record a create made to the request's key, inside the create's transaction. Fails
/// (and so rolls the create back) when the claim is no longer this attempt's.
pub(crate) async fn bind<C: ConnectionTrait>(
    db: &C,
    claim: IdempotencyClaim,
    entity_type: crate::EntityKind,
    entity_id: Uuid,
) -> ServiceResult<()> {
    let bound = idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::State, COMMITTED.into())
        .col_expr(
            idempotency_key::Column::EntityType,
            entity_type.as_str().into(),
        )
        .col_expr(idempotency_key::Column::EntityId, entity_id.into())
        .filter(idempotency_key::Column::Id.eq(claim.id))
        .filter(idempotency_key::Column::Attempt.eq(claim.attempt))
        .filter(idempotency_key::Column::State.eq(IN_PROGRESS))
        .exec(db)
        .await?;
    if bound.rows_affected == 1 {
        return Ok(());
    }
    // A second record of the same request (an initiative's first partner, say) is fine as long
    // as this attempt still holds the key.
    let held = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::Id.eq(claim.id))
        .filter(idempotency_key::Column::Attempt.eq(claim.attempt))
        .filter(idempotency_key::Column::State.eq(COMMITTED))
        .one(db)
        .await?;
    if held.is_some() {
        Ok(())
    } else {
        Err(ServiceError::Conflict(
            "the Idempotency-Key of this request was taken over by a retry".into(),
        ))
    }
}
