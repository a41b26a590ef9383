//! Invitations and accounts, as in REST's `/invitations`, `/members/invitations` and
//! `/accounts`.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use service::{invitations, members};
use uuid::Uuid;

use super::{
    context::request,
    enums::{InvitationStatus, Role},
};

/// An invitation to join a tenant with a role.
#[derive(Clone, Debug, SimpleObject)]
pub struct Invitation {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The slug to name at sign-in once accepted.
    pub tenant_slug: String,
    pub tenant_name: String,
    pub email: String,
    pub role: Role,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<invitations::Invitation> for Invitation {
    fn from(i: invitations::Invitation) -> Self {
        Self {
            id: i.id,
            tenant_id: i.tenant_id,
            tenant_slug: i.tenant_slug,
            tenant_name: i.tenant_name,
            email: i.email,
            role: i.role.into(),
            status: i.status.into(),
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

/// A person's account, as platform administrators manage it.
#[derive(Clone, Debug, SimpleObject)]
pub struct Account {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    /// When the account was disabled; null while it is enabled.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<members::Account> for Account {
    fn from(a: members::Account) -> Self {
        Self {
            user_id: a.user_id,
            email: a.email,
            display_name: a.display_name,
            disabled_at: a.disabled_at,
        }
    }
}

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The invitations waiting for the signed-in person's answer, from every tenant.
    async fn my_invitations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Invitation>> {
        let rc = request(ctx)?;
        let found = rc.registry.my_invitations(&rc.caller).await;
        Ok(rc.map(found)?.into_iter().map(Into::into).collect())
    }

    /// The caller's tenant's invitations still waiting for an answer (admins).
    async fn sent_invitations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Invitation>> {
        let rc = request(ctx)?;
        let found = rc.registry.tenant_invitations(&rc.caller).await;
        Ok(rc.map(found)?.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Accepts (`accept: true`) or declines an invitation, as the person invited.
    async fn answer_invitation(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        accept: bool,
    ) -> async_graphql::Result<Invitation> {
        let rc = request(ctx)?;
        let done = rc.registry.answer_invitation(&rc.caller, id, accept).await;
        Ok(rc.map(done)?.into())
    }

    /// Withdraws one of the caller's tenant's invitations still waiting (admins).
    async fn withdraw_invitation(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> async_graphql::Result<bool> {
        let rc = request(ctx)?;
        let done = rc.registry.withdraw_invitation(&rc.caller, id).await;
        rc.map(done)?;
        Ok(true)
    }

    /// Disables (`disabled: true`) or enables a person's account (platform administrators).
    /// A disabled account cannot sign in, and its tokens stop working everywhere.
    async fn set_account_disabled(
        &self,
        ctx: &Context<'_>,
        user_id: Uuid,
        disabled: bool,
    ) -> async_graphql::Result<Account> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .set_account_disabled(&rc.caller, user_id, disabled)
            .await;
        Ok(rc.map(done)?.into())
    }
}
