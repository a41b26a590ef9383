//! People: user accounts and their role in a tenant. Admins manage members; only owners grant,
//! change or remove the owner role, and a tenant always keeps at least one owner.

use chrono::{DateTime, Utc};
use entity::{app_user, enums::Role, membership};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, Principal, Registry,
    auth::{access, password, role_name},
    error::{ServiceError, ServiceResult},
    invitations::{self, Addition},
    keyset::{self, Key, KeyType, Keyset},
    pagination::{Page, PageParams},
    tenants::find_user_by_email,
    validation::Checks,
};

const PASSWORD_MIN: usize = 12;

/// A person's membership of the caller's tenant.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// Adds a person to the tenant: an existing account by email, or a new account when a
/// display name and password are given.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "focal.point@example.org",
    "display_name": "Aminata Traoré",
    "password": "correct horse battery staple",
    "role": "editor"
}))]
pub struct NewMember {
    pub email: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// Needed only when no account has this email yet; at least 12 characters.
    #[serde(default)]
    pub password: Option<String>,
    pub role: Role,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub role: Role,
}

/// A person's account, as platform administrators manage it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Account {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    /// When the account was disabled; absent while it is enabled.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A new user account (CLI).
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub platform_admin: bool,
}

fn check_email(c: &mut Checks, email: &str) -> String {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if !ok {
        c.push("email", "invalid_email", "must be an email address");
    }
    email
}

fn check_password(c: &mut Checks, secret: &str) {
    if secret.chars().count() < PASSWORD_MIN {
        c.push(
            "password",
            "too_short",
            format!("must be at least {PASSWORD_MIN} characters"),
        );
    } else if secret.len() > 1024 {
        c.push("password", "length", "must be at most 1024 bytes");
    }
}

/// Whether `actor` may give or take away `role`.
fn may_manage_role(actor: &Principal, role: Role) -> ServiceResult<()> {
    if role == Role::Owner && actor.role < Role::Owner {
        return Err(ServiceError::forbidden(
            "only an owner can grant or change the owner role",
        ));
    }
    Ok(())
}

impl Registry {
    /// Creates a user account (CLI, demo seed).
    pub async fn create_user(&self, input: NewUser) -> ServiceResult<Uuid> {
        let mut c = Checks::new();
        let email = check_email(&mut c, &input.email);
        let display_name = c.required_text("display_name", &input.display_name, 200);
        check_password(&mut c, &input.password);
        c.finish()?;
        insert_user(
            self.db(),
            &email,
            &display_name,
            &input.password,
            input.platform_admin,
        )
        .await
    }

    /// Gives a user a role in a tenant, by ids (CLI, demo seed).
    pub async fn grant_role_unchecked(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        role: Role,
    ) -> ServiceResult<()> {
        join(self.db(), tenant_id, user_id, role).await?;
        self.forget_access(user_id);
        Ok(())
    }

    /// The tenant's members, oldest first.
    pub async fn list_members(
        &self,
        caller: &Caller,
        params: PageParams,
    ) -> ServiceResult<Page<Member>> {
        let principal = caller.require(Role::Viewer)?;
        let ask = params
            .cursor()
            .ask(params.page, params.per_page, self.settings())?;
        let select = membership::Entity::find().filter(crate::tenancy::own::<membership::Entity>(
            principal.tenant_id,
        ));
        let oldest_first = Keyset {
            tag: "members",
            keys: vec![
                Key::column(
                    membership::Column::CreatedAt,
                    false,
                    KeyType::Timestamp,
                    |m: &membership::Model| keyset::json(&m.created_at),
                ),
                Key::column(
                    membership::Column::Id,
                    false,
                    KeyType::Uuid,
                    |m: &membership::Model| keyset::json(&m.id),
                ),
            ],
        };
        let page = oldest_first.page(self.db(), select, ask).await?;
        let mut users: std::collections::HashMap<Uuid, app_user::Model> = app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(page.items.iter().map(|m| m.user_id)))
            .all(self.db())
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        // Every membership has its user (a foreign key); one missing would be skipped.
        Ok(page.filter_map(|m| users.remove(&m.user_id).map(|u| to_member(m, u))))
    }

    /// Adds a person to the caller's tenant. An email without an account gets one (with the
    /// display name and password given) and is a member at once; a person who already has an
    /// account is invited, and becomes a member only by accepting (`crate::invitations`).
    pub async fn add_member(&self, caller: &Caller, input: NewMember) -> ServiceResult<Addition> {
        // Whether the person belongs to other tenants decides between adding and inviting:
        // a deliberate look across tenants.
        crate::db::scope::unscoped(self.add_or_invite(caller, input)).await
    }

    async fn add_or_invite(&self, caller: &Caller, input: NewMember) -> ServiceResult<Addition> {
        let principal = caller.require(Role::Admin)?;
        may_manage_role(principal, input.role)?;
        let mut c = Checks::new();
        let email = check_email(&mut c, &input.email);
        c.finish()?;
        let txn = self.unit_of_work().await?;
        let existing = find_user_by_email(&txn, &email).await?;
        if let Some(user) = &existing {
            let tenants: Vec<Uuid> = membership::Entity::find()
                .select_only()
                .column(membership::Column::TenantId)
                .filter(membership::Column::UserId.eq(user.id))
                .into_tuple()
                .all(&txn)
                .await?;
            if tenants.contains(&principal.tenant_id) {
                return Err(ServiceError::Conflict(
                    "this person is already a member of the tenant".into(),
                ));
            }
            // Another tenant's person joins only by accepting. An account of no tenant (every
            // membership removed) has no one's sign-in to break, and no tenant to sign in to
            // and accept from: it is added at once, as a new account would be.
            if !tenants.is_empty() {
                let invitation = invitations::invite(&txn, principal, user, input.role).await?;
                txn.commit().await?;
                return Ok(Addition::Invited(invitation));
            }
        }
        let user = match existing {
            Some(user) => user,
            None => self.new_account(&txn, &email, &input).await?,
        };
        let m = join(&txn, principal.tenant_id, user.id, input.role).await?;
        txn.commit().await?;
        self.forget_access(user.id);
        tracing::info!(user = %user.id, role = role_name(input.role), "member added");
        Ok(Addition::Added(to_member(m, user)))
    }

    /// The account of a person added by email who has none yet.
    async fn new_account<C: ConnectionTrait>(
        &self,
        txn: &C,
        email: &str,
        input: &NewMember,
    ) -> ServiceResult<app_user::Model> {
        let mut c = Checks::new();
        let display_name = c.required_text(
            "display_name",
            input.display_name.as_deref().unwrap_or_default(),
            200,
        );
        let secret = input.password.clone().unwrap_or_default();
        check_password(&mut c, &secret);
        c.finish()?;
        let id = insert_user(txn, email, &display_name, &secret, false).await?;
        app_user::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or(ServiceError::NotFound { entity: "user" })
    }

    pub async fn change_member_role(
        &self,
        caller: &Caller,
        user_id: Uuid,
        patch: MemberPatch,
    ) -> ServiceResult<Member> {
        let principal = caller.require(Role::Admin)?;
        let txn = self.unit_of_work().await?;
        let (m, user) = find_membership(&txn, principal.tenant_id, user_id).await?;
        may_manage_role(principal, m.role)?;
        may_manage_role(principal, patch.role)?;
        if m.role == Role::Owner && patch.role != Role::Owner {
            ensure_other_owner(&txn, principal.tenant_id, user_id).await?;
        }
        membership::Entity::update_many()
            .col_expr(membership::Column::Role, Expr::value(patch.role))
            .filter(membership::Column::Id.eq(m.id))
            .exec(&txn)
            .await?;
        access::changed(&txn, user_id).await?;
        txn.commit().await?;
        self.forget_access(user_id);
        let mut m = m;
        m.role = patch.role;
        Ok(to_member(m, user))
    }

    pub async fn remove_member(&self, caller: &Caller, user_id: Uuid) -> ServiceResult<()> {
        let principal = caller.require(Role::Admin)?;
        let txn = self.unit_of_work().await?;
        let (m, _) = find_membership(&txn, principal.tenant_id, user_id).await?;
        may_manage_role(principal, m.role)?;
        if m.role == Role::Owner {
            ensure_other_owner(&txn, principal.tenant_id, user_id).await?;
        }
        membership::Entity::delete_by_id(m.id).exec(&txn).await?;
        access::changed(&txn, user_id).await?;
        txn.commit().await?;
        self.forget_access(user_id);
        Ok(())
    }
}

async fn insert_user<C: ConnectionTrait>(
    db: &C,
    email: &str,
    display_name: &str,
    secret: &str,
    platform_admin: bool,
) -> ServiceResult<Uuid> {
    if find_user_by_email(db, email).await?.is_some() {
        return Err(ServiceError::Conflict(
            "an account with this email already exists".into(),
        ));
    }
    let now = Utc::now();
    let user = app_user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_owned()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password::hash(secret)?),
        is_platform_admin: Set(platform_admin),
        created_at: Set(now),
        updated_at: Set(now),
        disabled_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(user.id)
}

/// Makes `user_id` a member of `tenant_id` with `role`, in the caller's transaction. The new
/// membership starts at a random access epoch, and the access log records the change, so a
/// refusal remembered from an earlier membership does not outlive this one (the caller forgets
/// the person in its own process once committed).
pub(crate) async fn join<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> ServiceResult<membership::Model> {
    let m = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        user_id: Set(user_id),
        role: Set(role),
        access_epoch: Set(access::first_epoch()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    access::changed(db, user_id).await?;
    Ok(m)
}

async fn find_membership<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    user_id: Uuid,
) -> ServiceResult<(membership::Model, app_user::Model)> {
    membership::Entity::find()
        .filter(crate::tenancy::own::<membership::Entity>(tenant_id))
        .filter(membership::Column::UserId.eq(user_id))
        .find_also_related(app_user::Entity)
        .one(db)
        .await?
        .and_then(|(m, u)| u.map(|u| (m, u)))
        .ok_or(ServiceError::NotFound { entity: "member" })
}

async fn ensure_other_owner<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    user_id: Uuid,
) -> ServiceResult<()> {
    let others = membership::Entity::find()
        .filter(crate::tenancy::own::<membership::Entity>(tenant_id))
        .filter(membership::Column::Role.eq(Role::Owner))
        .filter(membership::Column::UserId.ne(user_id))
        .count(db)
        .await?;
    if others == 0 {
        return Err(ServiceError::Conflict(
            "a tenant must keep at least one owner".into(),
        ));
    }
    Ok(())
}

fn to_member(m: membership::Model, u: app_user::Model) -> Member {
    Member {
        user_id: u.id,
        email: u.email,
        display_name: u.display_name,
        role: m.role,
        joined_at: m.created_at,
    }
}

impl Registry {
    /// Disables or enables a person's account (platform administrators). A disabled account
    /// cannot sign in or refresh, and its tokens stop working in every process within a poll
    /// of the access log. Disabling also signs it out in every tenant, so enabling it again
    /// lets it sign in afresh but brings none of its old tokens back.
    pub async fn set_account_disabled(
        &self,
        caller: &Caller,
        user_id: Uuid,
        disabled: bool,
    ) -> ServiceResult<Account> {
        let admin = caller.require_platform_admin()?;
        if disabled && admin.subject == user_id {
            return Err(ServiceError::Conflict(
                "you cannot disable your own account".into(),
            ));
        }
        let txn = self.begin_write().await?;
        let user = app_user::Entity::find_by_id(user_id)
            .one(&txn)
            .await?
            .ok_or(ServiceError::NotFound { entity: "user" })?;
        let disabled_at = match (disabled, user.disabled_at) {
            (true, Some(at)) => Some(at),
            (true, None) => Some(Utc::now()),
            (false, _) => None,
        };
        let mut active: app_user::ActiveModel = user.into();
        active.disabled_at = Set(disabled_at);
        active.updated_at = Set(Utc::now());
        let user = active.update(&txn).await?;
        if disabled {
            membership::Entity::update_many()
                .col_expr(
                    membership::Column::AccessEpoch,
                    Expr::col(membership::Column::AccessEpoch).add(1),
                )
                .filter(membership::Column::UserId.eq(user_id))
                .exec(&txn)
                .await?;
        }
        access::changed(&txn, user_id).await?;
        txn.commit().await?;
        self.forget_access(user_id);
        tracing::info!(user = %user_id, disabled, "account disabled or enabled");
        Ok(Account {
            user_id: user.id,
            email: user.email,
            display_name: user.display_name,
            disabled_at: user.disabled_at,
        })
    }

    /// A user's id, platform-admin flag and memberships with their tenants (CLI `token`).
    pub async fn user_memberships(
        &self,
        email: &str,
    ) -> ServiceResult<(Uuid, bool, Vec<(crate::tenants::Tenant, Role)>)> {
        let user = find_user_by_email(self.db(), email)
            .await?
            .ok_or(ServiceError::NotFound { entity: "user" })?;
        let rows = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user.id))
            .find_also_related(entity::tenant::Entity)
            .all(self.db())
            .await?;
        let memberships = rows
            .into_iter()
            .filter_map(|(m, t)| t.map(|t| (t.into(), m.role)))
            .collect();
        Ok((user.id, user.is_platform_admin, memberships))
    }
}
