//! Access that ends when it should: a token is honoured only while its principal still holds
//! what it carries. For a person, a membership of the token's tenant with at least the token's
//! role (and the platform-administrator flag, if the token claims it); for an API client, the
//! client unrevoked and unexpired, with at least that role; for both, the access epoch the token
//! was issued under, and the token's session not ended (`ended_session`: revoked, or its
//! refresh token reused). A person's account must not be disabled. A sign-out raises the epoch;
//! a new membership starts at a random one, so a member removed and added again does not get
//! the old tokens back.
//!
//! Checking the database on every request would add a statement to each; instead each process
//! keeps an [`AccessTable`] of the grants it has read, and forgets a principal's grant when its
//! access changes: at once in the process that made the change, and in every other process
//! within one poll of `access_change` (`MSP_ACCESS_POLL_MS`, 250 ms by default), the log that
//! every such write appends to in its own transaction. Tokens of the external identity provider
//! are the provider's to end, and are not checked here.

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use entity::{access_change, api_client, app_user, ended_session, enums::Role, membership};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{Principal, SubjectKind, tokens::OwnToken};
use crate::{
    Registry,
    error::{ServiceError, ServiceResult},
};

/// The advisory lock key of the access log ("MSPACCS" in ASCII): writers append in commit
/// order, so a follower reading `seq > last` skips nothing (as the change feed does).
const ACCESS_LOCK: i64 = 0x004d_5350_4143_4353;

/// More remembered grants than this, and the table starts afresh (a bound on memory).
const MAX_GRANTS: usize = 100_000;

/// Log rows older than this are deleted by the followers (every process has read them).
const KEEP_LOG: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// What a principal holds now, as read from the database.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Grant {
    /// Not a member of the tenant, a disabled account, or a client revoked or of another
    /// tenant.
    None,
    Held {
        role: Role,
        epoch: i32,
        platform_admin: bool,
        expires_at: Option<DateTime<Utc>>,
        /// Sessions of this principal ended before their tokens expire.
        ended: Arc<[Uuid]>,
    },
}

impl Grant {
    /// Whether `token` may act now.
    fn honours(&self, token: &OwnToken, now: DateTime<Utc>) -> bool {
        match self {
            Grant::None => false,
            Grant::Held {
                role,
                epoch,
                platform_admin,
                expires_at,
                ended,
            } => {
                let principal = &token.principal;
                *role >= principal.role
                    && *epoch == token.epoch
                    && (*platform_admin || !principal.platform_admin)
                    && expires_at.is_none_or(|at| at > now)
                    && token.session.is_none_or(|sid| !ended.contains(&sid))
            }
        }
    }
}

/// The grants this process has read, by (subject, tenant).
#[derive(Default)]
pub(crate) struct AccessTable {
    grants: RwLock<HashMap<(Uuid, Uuid), Grant>>,
    /// Raised by every forgetting: a grant read from the database across one is not kept
    /// (it may predate the change).
    generation: AtomicU64,
    /// The last `access_change` this process has applied.
    seen: AtomicI64,
}

impl AccessTable {
    fn get(&self, key: (Uuid, Uuid)) -> Option<Grant> {
        let grants = self.grants.read().unwrap_or_else(|e| e.into_inner());
        grants.get(&key).cloned()
    }

    fn keep(&self, key: (Uuid, Uuid), grant: Grant, generation: u64) {
        let mut grants = self.grants.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if grants.len() >= MAX_GRANTS {
            grants.clear();
        }
        grants.insert(key, grant);
    }

    /// Forgets every grant of these subjects, in any tenant.
    fn forget(&self, subjects: &[Uuid]) {
        let mut grants = self.grants.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        grants.retain(|(subject, _), _| !subjects.contains(subject));
    }
}

/// The access epoch a new membership starts at: random, so that no token of an earlier
/// membership of the same person in the same tenant matches it.
pub(crate) fn first_epoch() -> i32 {
    use rand::Rng;
    rand::thread_rng().gen_range(1..i32::MAX)
}

/// Appends to the access log, in the writer's transaction: `subject`'s access changed.
pub(crate) async fn changed<C: ConnectionTrait>(db: &C, subject: Uuid) -> ServiceResult<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({ACCESS_LOCK})"))
            .await?;
    }
    access_change::Entity::insert(access_change::ActiveModel {
        subject: Set(subject),
        changed_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The sessions of `subject` in `tenant` ended before their tokens expire.
async fn ended_sessions<C: ConnectionTrait>(
    db: &C,
    subject: Uuid,
    tenant: Uuid,
) -> ServiceResult<Arc<[Uuid]>> {
    let sids: Vec<Uuid> = ended_session::Entity::find()
        .select_only()
        .column(ended_session::Column::Sid)
        .filter(ended_session::Column::Subject.eq(subject))
        .filter(ended_session::Column::TenantId.eq(tenant))
        .filter(ended_session::Column::ExpiresAt.gt(Utc::now()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(sids.into())
}

/// What the database says `principal` holds now.
async fn load<C: ConnectionTrait>(db: &C, principal: &Principal) -> ServiceResult<Grant> {
    let grant = match principal.kind {
        SubjectKind::User => match membership::Entity::find()
            .filter(membership::Column::UserId.eq(principal.subject))
            .filter(membership::Column::TenantId.eq(principal.tenant_id))
            .find_also_related(app_user::Entity)
            .one(db)
            .await?
            .and_then(|(m, user)| user.map(|u| (m, u)))
        {
            Some((m, user)) if user.disabled_at.is_none() => Grant::Held {
                role: m.role,
                epoch: m.access_epoch,
                platform_admin: user.is_platform_admin,
                expires_at: None,
                ended: ended_sessions(db, principal.subject, principal.tenant_id).await?,
            },
            _ => Grant::None,
        },
        SubjectKind::Client => match api_client::Entity::find_by_id(principal.subject)
            .filter(api_client::Column::TenantId.eq(principal.tenant_id))
            .filter(api_client::Column::RevokedAt.is_null())
            .one(db)
            .await?
        {
            Some(c) => Grant::Held {
                role: c.role,
                epoch: c.access_epoch,
                platform_admin: false,
                expires_at: c.expires_at,
                ended: ended_sessions(db, principal.subject, principal.tenant_id).await?,
            },
            None => Grant::None,
        },
        SubjectKind::External => Grant::None,
    };
    Ok(grant)
}

impl Registry {
    /// Whether the principal of a verified token of ours still holds what the token carries;
    /// `InvalidToken` if not. Reads the database only for a principal this process holds
    /// nothing of.
    pub(crate) async fn check_access(&self, token: &OwnToken) -> ServiceResult<()> {
        let principal = &token.principal;
        let table = self.access();
        let key = (principal.subject, principal.tenant_id);
        let grant = match table.get(key) {
            Some(grant) => grant,
            None => {
                let generation = table.generation.load(Ordering::Acquire);
                let grant = load(self.db(), principal).await?;
                table.keep(key, grant.clone(), generation);
                grant
            }
        };
        if grant.honours(token, Utc::now()) {
            Ok(())
        } else {
            tracing::info!(subject = %principal.subject, tenant = %principal.tenant_id,
                "token refused: its principal no longer holds what it carries");
            Err(ServiceError::InvalidToken)
        }
    }

    /// Forgets, in this process, what it held of `subject` (after a write that changed its
    /// access committed; other processes follow the log).
    pub(crate) fn forget_access(&self, subject: Uuid) {
        self.access().forget(&[subject]);
    }

    /// Applies the access log's new entries to this process's table, and deletes entries
    /// every process has had time to read. Returns how many it applied.
    pub async fn follow_access_changes(&self) -> ServiceResult<usize> {
        let table = self.access();
        let seen = table.seen.load(Ordering::Acquire);
        let rows: Vec<(i64, Uuid)> = access_change::Entity::find()
            .select_only()
            .column(access_change::Column::Seq)
            .column(access_change::Column::Subject)
            .filter(access_change::Column::Seq.gt(seen))
            .order_by_asc(access_change::Column::Seq)
            .limit(1000)
            .into_tuple()
            .all(self.db())
            .await?;
        if let Some((last, _)) = rows.last() {
            let subjects: Vec<Uuid> = rows.iter().map(|(_, s)| *s).collect();
            table.forget(&subjects);
            table.seen.store(*last, Ordering::Release);
        }
        Ok(rows.len())
    }

    /// Where the access log ends now: a new process starts following from there (it holds
    /// nothing older).
    async fn access_log_head(&self) -> ServiceResult<i64> {
        let head: Option<i64> = access_change::Entity::find()
            .select_only()
            .column_as(access_change::Column::Seq.max(), "head")
            .into_tuple()
            .one(self.db())
            .await?
            .flatten();
        Ok(head.unwrap_or_default())
    }

    async fn prune_access_log(&self) -> ServiceResult<()> {
        access_change::Entity::delete_many()
            .filter(access_change::Column::ChangedAt.lt(Utc::now() - KEEP_LOG))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Follows the access log every `poll` until the process ends (`MSP_ACCESS_POLL_MS`).
    pub async fn follow_access_log(self, poll: Duration) {
        match self.access_log_head().await {
            Ok(head) => self.access().seen.store(head, Ordering::Release),
            Err(e) => tracing::warn!(error = %e, "reading the access log's head"),
        }
        let mut ticks: u64 = 0;
        loop {
            tokio::time::sleep(poll).await;
            if let Err(e) = self.follow_access_changes().await {
                tracing::debug!(error = %e, "following the access log");
            }
            ticks += 1;
            if ticks.is_multiple_of(4096)
                && let Err(e) = self.prune_access_log().await
            {
                tracing::debug!(error = %e, "pruning the access log");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(role: Role, platform_admin: bool, epoch: i32) -> OwnToken {
        OwnToken {
            principal: Principal {
                subject: Uuid::now_v7(),
                kind: SubjectKind::User,
                tenant_id: Uuid::now_v7(),
                role,
                platform_admin,
            },
            epoch,
            session: Some(Uuid::from_u128(7)),
            expires: Utc::now().timestamp() + 60,
        }
    }

    fn held(role: Role, epoch: i32) -> Grant {
        Grant::Held {
            role,
            epoch,
            platform_admin: false,
            expires_at: None,
            ended: Arc::new([]),
        }
    }

    #[test]
    fn a_grant_honours_tokens_up_to_its_role_and_epoch() {
        let now = Utc::now();
        let editor = token(Role::Editor, false, 3);
        assert!(held(Role::Editor, 3).honours(&editor, now));
        assert!(held(Role::Admin, 3).honours(&editor, now));
        assert!(!held(Role::Viewer, 3).honours(&editor, now), "demoted");
        assert!(!held(Role::Editor, 4).honours(&editor, now), "signed out");
        assert!(!Grant::None.honours(&editor, now), "removed");
        let platform = token(Role::Editor, true, 0);
        assert!(!held(Role::Editor, 0).honours(&platform, now));
        let expired = Grant::Held {
            role: Role::Editor,
            epoch: 3,
            platform_admin: false,
            expires_at: Some(now - chrono::TimeDelta::seconds(1)),
            ended: Arc::new([]),
        };
        assert!(!expired.honours(&editor, now), "client expired");
        let revoked = Grant::Held {
            role: Role::Editor,
            epoch: 3,
            platform_admin: false,
            expires_at: None,
            ended: Arc::new([Uuid::from_u128(7)]),
        };
        assert!(!revoked.honours(&editor, now), "session ended");
        let other_session = OwnToken {
            session: Some(Uuid::from_u128(8)),
            ..editor
        };
        assert!(
            revoked.honours(&other_session, now),
            "another session goes on"
        );
    }

    #[test]
    fn a_grant_read_across_a_forgetting_is_not_kept() {
        let table = AccessTable::default();
        let key = (Uuid::now_v7(), Uuid::now_v7());
        let before = table.generation.load(Ordering::Acquire);
        table.forget(&[key.0]);
        table.keep(key, held(Role::Owner, 0), before);
        assert_eq!(table.get(key), None);
        let now = table.generation.load(Ordering::Acquire);
        table.keep(key, held(Role::Owner, 0), now);
        assert_eq!(table.get(key), Some(held(Role::Owner, 0)));
        table.forget(&[key.0]);
        assert_eq!(table.get(key), None);
    }
}
