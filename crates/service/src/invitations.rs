//! Invitations, not annexations. A tenant admin who adds a person with an account elsewhere
//! invites them; the membership exists only once that person accepts, signed in as
//! themselves. Until then the person's sign-in is unchanged, and nothing of the inviting
//! tenant is theirs to see.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{app_user, enums::Role, invitation, membership, tenant};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, Principal, Registry, SubjectKind,
    auth::role_name,
    error::{ServiceError, ServiceResult},
    members::{self, Member},
    tenancy,
};

/// How long an invitation waits for its answer.
const VALID_FOR: TimeDelta = TimeDelta::days(14);

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Declined,
    Expired,
}

/// An invitation to join a tenant with a role.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The inviting tenant's slug (the `tenant` to name at sign-in once accepted) and name.
    pub tenant_slug: String,
    pub tenant_name: String,
    pub email: String,
    pub role: Role,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What adding a person did: a new account became a member at once, or an existing account
/// was invited.
#[derive(Clone, Debug)]
pub enum Addition {
    Added(Member),
    Invited(Invitation),
}

fn status(row: &invitation::Model, now: DateTime<Utc>) -> InvitationStatus {
    match row.accepted {
        Some(true) => InvitationStatus::Accepted,
        Some(false) => InvitationStatus::Declined,
        None if row.expires_at <= now => InvitationStatus::Expired,
        None => InvitationStatus::Pending,
    }
}

fn to_invitation(row: invitation::Model, tenant: &tenant::Model, email: String) -> Invitation {
    Invitation {
        status: status(&row, Utc::now()),
        id: row.id,
        tenant_id: row.tenant_id,
        tenant_slug: tenant.slug.clone(),
        tenant_name: tenant.name.clone(),
        email,
        role: row.role,
        created_at: row.created_at,
        expires_at: row.expires_at,
    }
}

/// The person an invitation is for, who must be signed in as themselves.
fn invitee(caller: &Caller) -> ServiceResult<&Principal> {
    let principal = caller.principal().ok_or(ServiceError::Unauthenticated)?;
    if principal.kind != SubjectKind::User {
        return Err(ServiceError::forbidden(
            "invitations are answered by the person invited, signed in with their own account",
        ));
    }
    Ok(principal)
}

/// Invites `user` into the inviter's tenant, in the caller's transaction; an invitation still
/// pending is answered as it stands rather than doubled.
pub(crate) async fn invite<C: ConnectionTrait>(
    db: &C,
    inviter: &Principal,
    user: &app_user::Model,
    role: Role,
) -> ServiceResult<Invitation> {
    let now = Utc::now();
    let tenant = tenant::Entity::find_by_id(inviter.tenant_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound { entity: "tenant" })?;
    let pending = invitation::Entity::find()
        .filter(tenancy::own::<invitation::Entity>(inviter.tenant_id))
        .filter(invitation::Column::UserId.eq(user.id))
        .filter(invitation::Column::Accepted.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .one(db)
        .await?;
    let row = match pending {
        Some(row) if row.role == role => row,
        Some(row) => {
            let mut active: invitation::ActiveModel = row.into();
            active.role = Set(role);
            active.update(db).await?
        }
        None => {
            invitation::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(inviter.tenant_id),
                user_id: Set(user.id),
                role: Set(role),
                invited_by: Set(inviter.subject),
                created_at: Set(now),
                expires_at: Set(now + VALID_FOR),
                answered_at: Set(None),
                accepted: Set(None),
            }
            .insert(db)
            .await?
        }
    };
    tracing::info!(user = %user.id, role = role_name(role), "person invited");
    Ok(to_invitation(row, &tenant, user.email.clone()))
}

impl Registry {
    /// The invitations waiting for the signed-in person's answer, in every tenant.
    pub async fn my_invitations(&self, caller: &Caller) -> ServiceResult<Vec<Invitation>> {
        // The person's invitations come from other tenants than the one they act in.
        crate::db::scope::unscoped(self.invitations_of(caller)).await
    }

    async fn invitations_of(&self, caller: &Caller) -> ServiceResult<Vec<Invitation>> {
        let principal = invitee(caller)?;
        let rows = invitation::Entity::find()
            .filter(invitation::Column::UserId.eq(principal.subject))
            .filter(invitation::Column::Accepted.is_null())
            .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
            .find_also_related(tenant::Entity)
            .order_by_asc(invitation::Column::CreatedAt)
            .all(self.db())
            .await?;
        let email = self.email_of(principal.subject).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(row, t)| t.map(|t| to_invitation(row, &t, email.clone())))
            .collect())
    }

    /// The caller's tenant's invitations that still wait for an answer (admins).
    pub async fn tenant_invitations(&self, caller: &Caller) -> ServiceResult<Vec<Invitation>> {
        let principal = caller.require(Role::Admin)?;
        let tenant = tenant::Entity::find_by_id(principal.tenant_id)
            .one(self.db())
            .await?
            .ok_or(ServiceError::NotFound { entity: "tenant" })?;
        let rows = invitation::Entity::find()
            .filter(tenancy::own::<invitation::Entity>(principal.tenant_id))
            .filter(invitation::Column::Accepted.is_null())
            .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
            .find_also_related(app_user::Entity)
            .order_by_asc(invitation::Column::CreatedAt)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(row, u)| u.map(|u| to_invitation(row, &tenant, u.email)))
            .collect())
    }

    /// Withdraws one of the caller's tenant's invitations still waiting (admins).
    pub async fn withdraw_invitation(&self, caller: &Caller, id: Uuid) -> ServiceResult<()> {
        let principal = caller.require(Role::Admin)?;
        let done = invitation::Entity::delete_many()
            .filter(tenancy::own::<invitation::Entity>(principal.tenant_id))
            .filter(invitation::Column::Id.eq(id))
            .filter(invitation::Column::Accepted.is_null())
            .exec(self.db())
            .await?;
        if done.rows_affected == 0 {
            return Err(ServiceError::NotFound {
                entity: "invitation",
            });
        }
        Ok(())
    }

    /// Accepts or declines an invitation, as the person invited. Accepting makes them a
    /// member of the inviting tenant with the invited role; they then sign in there by naming
    /// its slug (`tenant` at the token endpoint).
    pub async fn answer_invitation(
        &self,
        caller: &Caller,
        id: Uuid,
        accept: bool,
    ) -> ServiceResult<Invitation> {
        // The invitation and the membership it makes are the inviting tenant's, not the one
        // the person acts in.
        crate::db::scope::unscoped(self.answer(caller, id, accept)).await
    }

    async fn answer(&self, caller: &Caller, id: Uuid, accept: bool) -> ServiceResult<Invitation> {
        let principal = invitee(caller)?;
        let now = Utc::now();
        let txn = self.begin_write().await?;
        // Someone else's invitation is as missing as one that does not exist.
        let (row, tenant) = invitation::Entity::find_by_id(id)
            .filter(invitation::Column::UserId.eq(principal.subject))
            .find_also_related(tenant::Entity)
            .one(&txn)
            .await?
            .and_then(|(row, t)| t.map(|t| (row, t)))
            .ok_or(ServiceError::NotFound {
                entity: "invitation",
            })?;
        match status(&row, now) {
            InvitationStatus::Pending => {}
            other => {
                return Err(ServiceError::Conflict(format!(
                    "this invitation is {}",
                    match other {
                        InvitationStatus::Accepted => "already accepted",
                        InvitationStatus::Declined => "already declined",
                        _ => "expired: ask the tenant's admins for a new one",
                    }
                )));
            }
        }
        if accept {
            let already = membership::Entity::find()
                .filter(tenancy::own::<membership::Entity>(row.tenant_id))
                .filter(membership::Column::UserId.eq(principal.subject))
                .count(&txn)
                .await?;
            if already == 0 {
                members::join(&txn, row.tenant_id, principal.subject, row.role).await?;
            }
        }
        let mut active: invitation::ActiveModel = row.into();
        active.answered_at = Set(Some(now));
        active.accepted = Set(Some(accept));
        let row = active.update(&txn).await?;
        txn.commit().await?;
        self.forget_access(principal.subject);
        tracing::info!(user = %principal.subject, tenant = %row.tenant_id, accept,
            "invitation answered");
        let email = self.email_of(principal.subject).await?;
        Ok(to_invitation(row, &tenant, email))
    }

    async fn email_of(&self, user: Uuid) -> ServiceResult<String> {
        app_user::Entity::find_by_id(user)
            .one(self.db())
            .await?
            .map(|u| u.email)
            .ok_or(ServiceError::NotFound { entity: "user" })
    }
}
