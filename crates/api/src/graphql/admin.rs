//! Tenant administration, as in REST's `/tenants`, `/members` and `/clients`: the tenant's
//! members and API clients, and creating tenants (platform administrators).

use async_graphql::{Context, InputObject, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use service::{
    clients::{self, NewApiClient},
    members::{self, MemberPatch, NewMember},
    tenants::NewTenant,
};
use uuid::Uuid;

use super::{
    accounts::Invitation,
    context::request,
    enums::{Role, TenantKind},
    limits::{Args, Paging, cost},
    types::{ApiClientConnection, MemberConnection, Tenant},
};
use service::invitations::Addition;

/// A person's membership of the caller's tenant.
#[derive(Clone, Debug, SimpleObject)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

impl From<members::Member> for Member {
    fn from(m: members::Member) -> Self {
        Self {
            user_id: m.user_id,
            email: m.email,
            display_name: m.display_name,
            role: m.role.into(),
            joined_at: m.joined_at,
        }
    }
}

/// What adding a person did: a new account is a `Member` at once; a person who already has
/// an account is sent an `Invitation`, and is a member once they accept it.
#[derive(Clone, Debug, Union)]
pub enum MemberAddition {
    Member(Member),
    Invitation(Invitation),
}

impl From<Addition> for MemberAddition {
    fn from(a: Addition) -> Self {
        match a {
            Addition::Added(m) => MemberAddition::Member(m.into()),
            Addition::Invited(i) => MemberAddition::Invitation(i.into()),
        }
    }
}

/// An API client of the caller's tenant (client-credentials grant).
#[derive(Clone, Debug, SimpleObject)]
pub struct ApiClient {
    pub id: Uuid,
    /// The `client_id` of the client-credentials grant.
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<clients::ApiClient> for ApiClient {
    fn from(c: clients::ApiClient) -> Self {
        Self {
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            role: c.role.into(),
            expires_at: c.expires_at,
            revoked_at: c.revoked_at,
            created_at: c.created_at,
        }
    }
}

/// A client just created, with its secret: the only time the secret is shown.
#[derive(Clone, Debug, SimpleObject)]
pub struct CreatedApiClient {
    pub client: ApiClient,
    pub client_secret: String,
}

/// A new tenant (platform administrators only).
#[derive(InputObject)]
pub struct NewTenantInput {
    /// 3 to 63 lower-case letters, digits and inner hyphens.
    pub slug: String,
    pub name: String,
    pub kind: TenantKind,
    /// ISO 3166-1 alpha-2.
    pub home_country: Option<String>,
    /// An existing user to make the tenant's first owner.
    pub owner_email: Option<String>,
}

/// A person to add to the caller's tenant: an existing account by email, or a new account
/// when a display name and password are given.
#[derive(InputObject)]
pub struct NewMemberInput {
    pub email: String,
    pub display_name: Option<String>,
    /// Needed only when no account has this email yet; at least 12 characters.
    #[graphql(secret)]
    pub password: Option<String>,
    pub role: Role,
}

/// A new API client; its role is at most the creator's own.
#[derive(InputObject)]
pub struct NewApiClientInput {
    pub name: String,
    pub role: Role,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// The members of the caller's tenant (viewers and above).
    #[graphql(complexity = "cost(first.or(last), child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<MemberConnection> {
        let rc = request(ctx)?;
        let settings = rc.registry.settings();
        let paging = Paging::new(
            Args {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            settings.default_page_size,
            settings.max_page_size,
            true,
        )?;
        let paged = paging
            .fetch(settings.max_page_size, |ask| {
                rc.registry.list_members(&rc.caller, ask.params())
            })
            .await;
        Ok(rc.map(paged)?.map(Member::from).into())
    }

    /// The API clients of the caller's tenant, revoked ones included (admins and above).
    #[graphql(complexity = "cost(first.or(last), child_complexity)")]
    async fn api_clients(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<ApiClientConnection> {
        let rc = request(ctx)?;
        let settings = rc.registry.settings();
        let paging = Paging::new(
            Args {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            settings.default_page_size,
            settings.max_page_size,
            true,
        )?;
        let paged = paging
            .fetch(settings.max_page_size, |ask| {
                rc.registry.list_clients(&rc.caller, ask.params())
            })
            .await;
        Ok(rc.map(paged)?.map(ApiClient::from).into())
    }
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Creates a tenant (a registry operator). Platform administrators only; the slug is
    /// unique (`CONFLICT`).
    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        input: NewTenantInput,
    ) -> async_graphql::Result<Tenant> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .create_tenant(
                &rc.caller,
                NewTenant {
                    slug: input.slug,
                    name: input.name,
                    kind: input.kind.into(),
                    home_country: input.home_country,
                    owner_email: input.owner_email,
                },
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Adds a person to the caller's tenant (admins; only owners grant the owner role): an
    /// email without an account gets one and is a `Member` at once; a person with an account
    /// elsewhere gets an `Invitation` to accept.
    async fn add_member(
        &self,
        ctx: &Context<'_>,
        input: NewMemberInput,
    ) -> async_graphql::Result<MemberAddition> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .add_member(
                &rc.caller,
                NewMember {
                    email: input.email,
                    display_name: input.display_name,
                    password: input.password,
                    role: input.role.into(),
                },
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Changes a member's role; a tenant always keeps an owner.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        user_id: Uuid,
        role: Role,
    ) -> async_graphql::Result<Member> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .change_member_role(&rc.caller, user_id, MemberPatch { role: role.into() })
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Removes a member from the caller's tenant. Returns the user's id.
    async fn remove_member(&self, ctx: &Context<'_>, user_id: Uuid) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        rc.map(rc.registry.remove_member(&rc.caller, user_id).await)?;
        Ok(user_id)
    }

    /// Creates an API client; its secret is in the answer, and only there.
    async fn create_api_client(
        &self,
        ctx: &Context<'_>,
        input: NewApiClientInput,
    ) -> async_graphql::Result<CreatedApiClient> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .create_client(
                &rc.caller,
                NewApiClient {
                    name: input.name,
                    role: input.role.into(),
                    expires_at: input.expires_at,
                },
            )
            .await;
        let created = rc.map(done)?;
        Ok(CreatedApiClient {
            client: created.client.into(),
            client_secret: created.client_secret,
        })
    }

    /// Revokes an API client of the caller's tenant. Returns its id.
    async fn revoke_api_client(&self, ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        rc.map(rc.registry.revoke_client(&rc.caller, id).await)?;
        Ok(id)
    }
}
