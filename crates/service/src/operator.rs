//! Reads for the operator's command line (`msp-registry tenant list`, `user list`): every
//! tenant and every account of the instance. No caller: whoever runs the CLI holds the
//! database itself. Never exposed over HTTP.

use chrono::{DateTime, Utc};
use entity::{app_user, membership, tenant};
use sea_orm::{EntityTrait, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::{Registry, Role, error::ServiceResult, tenants::Tenant};

/// A user account and its roles.
#[derive(Clone, Debug, Serialize)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub platform_admin: bool,
    pub created_at: DateTime<Utc>,
    /// `(tenant slug, role)`, by slug.
    pub memberships: Vec<AccountMembership>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AccountMembership {
    pub tenant: String,
    pub role: Role,
}

impl Registry {
    /// Every tenant, by slug.
    pub async fn list_tenants_unchecked(&self) -> ServiceResult<Vec<Tenant>> {
        Ok(tenant::Entity::find()
            .order_by_asc(tenant::Column::Slug)
            .all(self.db())
            .await?
            .into_iter()
            .map(Tenant::from)
            .collect())
    }

    /// Every user account with its memberships, by email.
    pub async fn list_accounts_unchecked(&self) -> ServiceResult<Vec<Account>> {
        let tenants: std::collections::HashMap<Uuid, String> = tenant::Entity::find()
            .all(self.db())
            .await?
            .into_iter()
            .map(|t| (t.id, t.slug))
            .collect();
        let mut roles: std::collections::HashMap<Uuid, Vec<AccountMembership>> =
            std::collections::HashMap::new();
        for m in membership::Entity::find().all(self.db()).await? {
            if let Some(slug) = tenants.get(&m.tenant_id) {
                roles.entry(m.user_id).or_default().push(AccountMembership {
                    tenant: slug.clone(),
                    role: m.role,
                });
            }
        }
        Ok(app_user::Entity::find()
            .order_by_asc(app_user::Column::Email)
            .all(self.db())
            .await?
            .into_iter()
            .map(|u| {
                let mut memberships = roles.remove(&u.id).unwrap_or_default();
                memberships.sort_by(|a, b| a.tenant.cmp(&b.tenant));
                Account {
                    id: u.id,
                    email: u.email,
                    display_name: u.display_name,
                    platform_admin: u.is_platform_admin,
                    created_at: u.created_at,
                    memberships,
                }
            })
            .collect())
    }
}
