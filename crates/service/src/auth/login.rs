//! The token endpoint's grants (OAuth2 password and client-credentials), each attempt throttled
//! per identifier and client address (`super::throttle`).

use std::net::IpAddr;

use chrono::Utc;
use entity::{api_client, app_user, membership, tenant};
use sea_orm::{
    ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use super::{Principal, SubjectKind, access, password, sessions::Session, throttle::Attempt};
use crate::{
    Caller, Registry,
    error::{ServiceError, ServiceResult},
};

/// A request for an access token.
#[derive(Clone, Debug)]
pub enum Grant {
    /// A person: email and password, and the tenant's slug when they belong to several.
    Password {
        username: String,
        password: String,
        tenant: Option<String>,
    },
    /// A portal or partner system.
    ClientCredentials {
        client_id: String,
        client_secret: String,
    },
    /// A person's session continued with the refresh token its last token response carried.
    RefreshToken { refresh_token: String },
}

#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
    pub principal: Principal,
    /// A person's session, and the refresh token that continues it; none for API clients
    /// (they sign in again with their credentials, as RFC 6749 section 4.4.3 advises).
    pub session: Option<Session>,
}

impl Registry {
    /// Exchanges credentials for an access token. Wrong credentials of any kind answer the same
    /// `InvalidCredentials`; an attempt the throttle does not let through yet (for this
    /// identifier from this client `address`) answers `RateLimited`.
    pub async fn issue_token(&self, grant: Grant, address: IpAddr) -> ServiceResult<IssuedToken> {
        if let Grant::RefreshToken { refresh_token } = &grant {
            let (principal, epoch, session) = self.continue_session(refresh_token).await?;
            return self.issued(principal, epoch, Some(session));
        }
        let identifier = match &grant {
            Grant::Password { username, .. } => format!("user:{}", username.trim().to_lowercase()),
            Grant::ClientCredentials { client_id, .. } => format!("client:{}", client_id.trim()),
            Grant::RefreshToken { .. } => return Err(ServiceError::InvalidCredentials),
        };
        let attempt = Attempt::new(identifier.clone(), address);
        self.reserve_sign_in(&attempt).await?;
        let principal = match grant {
            Grant::Password {
                username,
                password,
                tenant,
            } => {
                self.password_grant(&username, &password, tenant.as_deref())
                    .await?
            }
            Grant::ClientCredentials {
                client_id,
                client_secret,
            } => self.client_grant(&client_id, &client_secret).await?,
            Grant::RefreshToken { .. } => None,
        };
        let Some((principal, epoch)) = principal else {
            tracing::info!(%identifier, "sign-in refused");
            return Err(ServiceError::InvalidCredentials);
        };
        self.clear_sign_in(&attempt).await?;
        let session = match principal.kind {
            SubjectKind::User => Some(self.start_session(&principal, epoch).await?),
            SubjectKind::Client | SubjectKind::External => None,
        };
        self.issued(principal, epoch, session)
    }

    /// The token response: an access token in `session` (or a session of its own).
    fn issued(
        &self,
        principal: Principal,
        epoch: i32,
        session: Option<Session>,
    ) -> ServiceResult<IssuedToken> {
        let access_token = match &session {
            Some(session) => self.tokens().issue_in(&principal, epoch, session.id)?,
            None => self.tokens().issue(&principal, epoch)?,
        };
        tracing::info!(subject = %principal.subject, tenant = %principal.tenant_id, "token issued");
        Ok(IssuedToken {
            access_token,
            expires_in: self.tokens().ttl().as_secs(),
            principal,
            session,
        })
    }

    async fn password_grant(
        &self,
        username: &str,
        secret: &str,
        tenant_slug: Option<&str>,
    ) -> ServiceResult<Option<(Principal, i32)>> {
        let email = username.trim().to_lowercase();
        let user = app_user::Entity::find()
            .filter(app_user::Column::Email.eq(email))
            .one(self.db())
            .await?;
        let Some(user) = user else {
            // Same cost as a real check, so timing does not tell which part was wrong.
            password::verify(secret, password::dummy_hash());
            return Ok(None);
        };
        if !password::verify(secret, &user.password_hash) || user.disabled_at.is_some() {
            return Ok(None);
        }
        let mut memberships = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user.id))
            .find_also_related(tenant::Entity)
            .order_by_asc(membership::Column::CreatedAt)
            .all(self.db())
            .await?;
        let chosen = match tenant_slug {
            Some(slug) => memberships
                .into_iter()
                .find(|(_, t)| t.as_ref().is_some_and(|t| t.slug == slug)),
            None if memberships.len() == 1 => memberships.pop(),
            None if memberships.is_empty() => None,
            None => {
                let slugs: Vec<&str> = memberships
                    .iter()
                    .filter_map(|(_, t)| t.as_ref().map(|t| t.slug.as_str()))
                    .collect();
                return Err(ServiceError::field(
                    "tenant",
                    "required",
                    format!(
                        "this account belongs to several tenants ({}): name the one to sign in \
                         to by its slug in `tenant`",
                        slugs.join(", ")
                    ),
                ));
            }
        };
        Ok(chosen.map(|(m, _)| {
            let principal = Principal {
                subject: user.id,
                kind: SubjectKind::User,
                tenant_id: m.tenant_id,
                role: m.role,
                platform_admin: user.is_platform_admin,
            };
            (principal, m.access_epoch)
        }))
    }

    async fn client_grant(
        &self,
        client_id: &str,
        secret: &str,
    ) -> ServiceResult<Option<(Principal, i32)>> {
        let client = api_client::Entity::find()
            .filter(api_client::Column::ClientId.eq(client_id.trim()))
            .one(self.db())
            .await?;
        let Some(client) = client else {
            password::verify(secret, password::dummy_hash());
            return Ok(None);
        };
        let now = Utc::now();
        let usable = client.revoked_at.is_none() && client.expires_at.is_none_or(|at| at > now);
        if !password::verify(secret, &client.secret_hash) || !usable {
            return Ok(None);
        }
        let principal = Principal {
            subject: client.id,
            kind: SubjectKind::Client,
            tenant_id: client.tenant_id,
            role: client.role,
            platform_admin: false,
        };
        Ok(Some((principal, client.access_epoch)))
    }

    /// A token for a principal named by the operator (CLI `token`, the demo seed), under its
    /// current access epoch; `NotFound` if it holds nothing in its tenant.
    pub async fn token_for(&self, principal: &Principal) -> ServiceResult<String> {
        let epoch: Option<i32> = match principal.kind {
            SubjectKind::User => {
                membership::Entity::find()
                    .select_only()
                    .column(membership::Column::AccessEpoch)
                    .filter(membership::Column::UserId.eq(principal.subject))
                    .filter(membership::Column::TenantId.eq(principal.tenant_id))
                    .into_tuple()
                    .one(self.db())
                    .await?
            }
            SubjectKind::Client => {
                api_client::Entity::find()
                    .select_only()
                    .column(api_client::Column::AccessEpoch)
                    .filter(api_client::Column::Id.eq(principal.subject))
                    .filter(api_client::Column::TenantId.eq(principal.tenant_id))
                    .into_tuple()
                    .one(self.db())
                    .await?
            }
            SubjectKind::External => None,
        };
        let epoch = epoch.ok_or(ServiceError::NotFound { entity: "member" })?;
        self.tokens().issue(principal, epoch)
    }

    /// Signs the caller out everywhere: every token issued to it in this tenant stops working,
    /// in every process within a poll of the access log (`auth::access`). Tokens of the
    /// external identity provider are ended there, not here.
    pub async fn sign_out(&self, caller: &Caller) -> ServiceResult<()> {
        let principal = caller.principal().ok_or(ServiceError::Unauthenticated)?;
        let txn = self.begin_write().await?;
        let raised = match principal.kind {
            SubjectKind::User => {
                membership::Entity::update_many()
                    .col_expr(
                        membership::Column::AccessEpoch,
                        Expr::col(membership::Column::AccessEpoch).add(1),
                    )
                    .filter(membership::Column::UserId.eq(principal.subject))
                    .filter(membership::Column::TenantId.eq(principal.tenant_id))
                    .exec(&txn)
                    .await?
                    .rows_affected
            }
            SubjectKind::Client => {
                api_client::Entity::update_many()
                    .col_expr(
                        api_client::Column::AccessEpoch,
                        Expr::col(api_client::Column::AccessEpoch).add(1),
                    )
                    .filter(api_client::Column::Id.eq(principal.subject))
                    .filter(api_client::Column::TenantId.eq(principal.tenant_id))
                    .exec(&txn)
                    .await?
                    .rows_affected
            }
            SubjectKind::External => {
                return Err(ServiceError::BadRequest {
                    detail:
                        "a token of the external identity provider is ended by signing out there"
                            .into(),
                    errors: Vec::new(),
                });
            }
        };
        if raised == 0 {
            return Err(ServiceError::InvalidToken);
        }
        access::changed(&txn, principal.subject).await?;
        txn.commit().await?;
        self.forget_access(principal.subject);
        tracing::info!(subject = %principal.subject, tenant = %principal.tenant_id, "signed out");
        Ok(())
    }
}
