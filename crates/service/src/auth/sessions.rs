//! Sessions: what a person's password sign-in starts, and how one ends.
//!
//! A sign-in starts a session with a refresh token (OAuth2 `refresh_token` grant, RFC 6749
//! section 6). Each use spends the token and hands out the next one in the same family
//! (rotation); a spent token used again means it leaked, so the whole family ends, and with it
//! every access token of the session (reuse detection, as the OAuth 2.0 Security BCP asks).
//! The session's access tokens carry its id (`sid`), so ending it — by revocation (RFC 7009)
//! or by reuse — ends them in every process within a poll of the access log, without touching
//! the person's other sessions. Only a hash of each refresh token is stored.

use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use entity::{app_user, ended_session, membership, refresh_token};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, OnConflict},
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Principal, SubjectKind, access, tokens::Verified};
use crate::{
    Registry,
    error::{ServiceError, ServiceResult},
};

/// Refresh tokens start with this, so a revocation can tell them from access tokens.
const PREFIX: &str = "mspr_";

/// An ended session is remembered this long past its last access token's expiry (the
/// verification leeway, with a margin).
const ENDED_MARGIN: TimeDelta = TimeDelta::seconds(60);

/// A session started or continued: its id and the refresh token to present next.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: Uuid,
    pub refresh_token: String,
    pub refresh_expires_in: u64,
}

/// Which kind of token a revocation names (`token_type_hint`); only a hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenHint {
    AccessToken,
    RefreshToken,
}

fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

impl Registry {
    fn refresh_ttl(&self) -> TimeDelta {
        TimeDelta::from_std(self.settings().refresh_ttl).unwrap_or(TimeDelta::days(14))
    }

    /// Until when an ended session's access tokens must be refused: past the last one's expiry.
    fn ended_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + TimeDelta::from_std(self.tokens().ttl()).unwrap_or(TimeDelta::hours(24))
            + ENDED_MARGIN
    }

    /// Stores the next refresh token of session `family`.
    async fn hand_out<C: ConnectionTrait>(
        &self,
        db: &C,
        family: Uuid,
        principal: &Principal,
        epoch: i32,
        now: DateTime<Utc>,
    ) -> ServiceResult<Session> {
        let token = new_token();
        let ttl = self.refresh_ttl();
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family),
            token_hash: Set(digest(&token)),
            user_id: Set(principal.subject),
            tenant_id: Set(principal.tenant_id),
            access_epoch: Set(epoch),
            issued_at: Set(now),
            expires_at: Set(now + ttl),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(db)
        .await?;
        Ok(Session {
            id: family,
            refresh_token: token,
            refresh_expires_in: u64::try_from(ttl.num_seconds()).unwrap_or_default(),
        })
    }

    /// Starts a session for a person who just signed in.
    pub(crate) async fn start_session(
        &self,
        principal: &Principal,
        epoch: i32,
    ) -> ServiceResult<Session> {
        let now = Utc::now();
        // Spent and expired tokens of this person are of no more use to anyone.
        refresh_token::Entity::delete_many()
            .filter(refresh_token::Column::UserId.eq(principal.subject))
            .filter(refresh_token::Column::ExpiresAt.lt(now))
            .exec(self.db())
            .await?;
        self.hand_out(self.db(), Uuid::now_v7(), principal, epoch, now)
            .await
    }

    /// The `refresh_token` grant: spends `token` and continues its session with the person's
    /// current role. A token spent before ends its session (`InvalidCredentials` either way,
    /// as for any refresh token not accepted).
    pub(crate) async fn continue_session(
        &self,
        token: &str,
    ) -> ServiceResult<(Principal, i32, Session)> {
        let now = Utc::now();
        let txn = self.begin_write().await?;
        let row = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(digest(token)))
            .one(&txn)
            .await?;
        let Some(row) = row.filter(|r| r.revoked_at.is_none() && r.expires_at > now) else {
            return Err(ServiceError::InvalidCredentials);
        };
        // Spent by one statement, so of two concurrent uses exactly one wins.
        let spent = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(row.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        let holder = membership::Entity::find()
            .filter(membership::Column::UserId.eq(row.user_id))
            .filter(membership::Column::TenantId.eq(row.tenant_id))
            .find_also_related(app_user::Entity)
            .one(&txn)
            .await?
            .and_then(|(m, user)| user.map(|u| (m, u)))
            .filter(|(m, user)| m.access_epoch == row.access_epoch && user.disabled_at.is_none());
        let (membership, user) = match (spent, holder) {
            (1, Some(holder)) => holder,
            (spent, _) => {
                if spent == 0 {
                    tracing::warn!(user = %row.user_id, session = %row.family_id,
                        "a spent refresh token was used again: its session is ended");
                }
                self.end_session(&txn, row.family_id, row.user_id, row.tenant_id, now)
                    .await?;
                txn.commit().await?;
                self.forget_access(row.user_id);
                return Err(ServiceError::InvalidCredentials);
            }
        };
        let principal = Principal {
            subject: user.id,
            kind: SubjectKind::User,
            tenant_id: membership.tenant_id,
            role: membership.role,
            platform_admin: user.is_platform_admin,
        };
        let session = self
            .hand_out(&txn, row.family_id, &principal, row.access_epoch, now)
            .await?;
        txn.commit().await?;
        Ok((principal, membership.access_epoch, session))
    }

    /// Ends session `sid` of `subject`: its refresh tokens (if it has any) and its access
    /// tokens, in the writer's transaction.
    async fn end_session<C: ConnectionTrait>(
        &self,
        db: &C,
        sid: Uuid,
        subject: Uuid,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::FamilyId.eq(sid))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(db)
            .await?;
        ended_session::Entity::insert(ended_session::ActiveModel {
            sid: Set(sid),
            subject: Set(subject),
            tenant_id: Set(tenant_id),
            ended_at: Set(now),
            expires_at: Set(self.ended_until(now)),
        })
        .on_conflict(
            OnConflict::column(ended_session::Column::Sid)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        ended_session::Entity::delete_many()
            .filter(ended_session::Column::ExpiresAt.lt(now))
            .exec(db)
            .await?;
        access::changed(db, subject).await
    }

    /// Token revocation (RFC 7009): ends the session of a refresh token or of an access token
    /// of ours. A token that is unknown, expired or already revoked is not an error (section
    /// 2.2); a token of the external identity provider is `unsupported_token_type`.
    pub async fn revoke_token(&self, token: &str, hint: Option<TokenHint>) -> ServiceResult<()> {
        let now = Utc::now();
        let looks_like_refresh = token.starts_with(PREFIX);
        if looks_like_refresh || hint == Some(TokenHint::RefreshToken) {
            let row = refresh_token::Entity::find()
                .filter(refresh_token::Column::TokenHash.eq(digest(token)))
                .one(self.db())
                .await?;
            if let Some(row) = row {
                let txn = self.begin_write().await?;
                self.end_session(&txn, row.family_id, row.user_id, row.tenant_id, now)
                    .await?;
                txn.commit().await?;
                self.forget_access(row.user_id);
                tracing::info!(user = %row.user_id, session = %row.family_id, "session revoked");
                return Ok(());
            }
            if looks_like_refresh {
                return Ok(());
            }
        }
        match self.tokens().verify(token).await {
            Ok(Verified::Internal(own)) => {
                let principal = &own.principal;
                let Some(sid) = own.session else {
                    // Issued before sessions existed: ended only by a sign-out, and soon expired.
                    return Ok(());
                };
                let txn = self.begin_write().await?;
                self.end_session(&txn, sid, principal.subject, principal.tenant_id, now)
                    .await?;
                txn.commit().await?;
                self.forget_access(principal.subject);
                tracing::info!(subject = %principal.subject, session = %sid, "session revoked");
                Ok(())
            }
            Ok(Verified::External(_)) => Err(ServiceError::field(
                "token",
                "unsupported_token_type",
                "tokens of the external identity provider are revoked there",
            )),
            Err(_) => Ok(()),
        }
    }
}
