//! API clients: how portals and partner systems sign in (client-credentials grant). The secret
//! is shown once, at creation, and only its Argon2 hash is kept.

use chrono::{DateTime, Utc};
use entity::{api_client, enums::Role};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, Registry,
    auth::{password, role_name},
    error::{ServiceError, ServiceResult},
    keyset::{self, Key, KeyType, Keyset},
    pagination::{Page, PageParams},
    validation::Checks,
};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
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

/// A client just created, with its secret: the only time the secret is shown.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiClient {
    #[serde(flatten)]
    pub client: ApiClient,
    pub client_secret: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "National e-government portal", "role": "viewer", "expires_at": "2027-12-31T00:00:00Z"}))]
pub struct NewApiClient {
    pub name: String,
    /// At most the creator's own role.
    pub role: Role,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<api_client::Model> for ApiClient {
    fn from(m: api_client::Model) -> Self {
        Self {
            id: m.id,
            client_id: m.client_id,
            name: m.name,
            role: m.role,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
            created_at: m.created_at,
        }
    }
}

impl Registry {
    /// The tenant's API clients, oldest first, revoked ones included.
    pub async fn list_clients(
        &self,
        caller: &Caller,
        params: PageParams,
    ) -> ServiceResult<Page<ApiClient>> {
        let principal = caller.require(Role::Admin)?;
        let ask = params
            .cursor()
            .ask(params.page, params.per_page, self.settings())?;
        let select = api_client::Entity::find().filter(crate::tenancy::own::<api_client::Entity>(
            principal.tenant_id,
        ));
        let oldest_first = Keyset {
            tag: "clients",
            keys: vec![
                Key::column(
                    api_client::Column::CreatedAt,
                    false,
                    KeyType::Timestamp,
                    |c: &api_client::Model| keyset::json(&c.created_at),
                ),
                Key::column(
                    api_client::Column::Id,
                    false,
                    KeyType::Uuid,
                    |c: &api_client::Model| keyset::json(&c.id),
                ),
            ],
        };
        Ok(oldest_first
            .page(self.db(), select, ask)
            .await?
            .map(ApiClient::from))
    }

    pub async fn create_client(
        &self,
        caller: &Caller,
        input: NewApiClient,
    ) -> ServiceResult<CreatedApiClient> {
        let principal = caller.require(Role::Admin)?;
        if input.role > principal.role {
            return Err(ServiceError::forbidden(format!(
                "a client cannot hold a role above yours ({})",
                role_name(principal.role)
            )));
        }
        self.create_client_unchecked(principal.tenant_id, input)
            .await
    }

    /// Creates a client without an authorisation check (CLI).
    pub async fn create_client_unchecked(
        &self,
        tenant_id: Uuid,
        input: NewApiClient,
    ) -> ServiceResult<CreatedApiClient> {
        let mut c = Checks::new();
        let name = c.required_text("name", &input.name, 200);
        if input.expires_at.is_some_and(|at| at <= Utc::now()) {
            c.push("expires_at", "in_the_past", "must be in the future");
        }
        c.finish()?;
        let client_id = format!("msp_{}", password::random_secret(20).to_lowercase());
        let secret = password::random_secret(40);
        let model = api_client::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id),
            client_id: Set(client_id),
            name: Set(name),
            secret_hash: Set(password::hash(&secret)?),
            role: Set(input.role),
            access_epoch: Set(0),
            expires_at: Set(input.expires_at),
            revoked_at: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(self.db())
        .await?;
        tracing::info!(client = %model.client_id, tenant = %tenant_id, "api client created");
        Ok(CreatedApiClient {
            client: model.into(),
            client_secret: secret,
        })
    }

    /// Revokes a client: its secret stops working at once, and so do the tokens already
    /// issued to it (in every process within a poll of the access log).
    pub async fn revoke_client(&self, caller: &Caller, id: Uuid) -> ServiceResult<()> {
        let principal = caller.require(Role::Admin)?;
        let txn = self.begin_write().await?;
        let result = api_client::Entity::update_many()
            .col_expr(api_client::Column::RevokedAt, Expr::value(Some(Utc::now())))
            .filter(api_client::Column::Id.eq(id))
            .filter(crate::tenancy::own::<api_client::Entity>(
                principal.tenant_id,
            ))
            .filter(api_client::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        if result.rows_affected == 0 {
            return Err(ServiceError::NotFound {
                entity: "api client",
            });
        }
        crate::auth::access::changed(&txn, id).await?;
        txn.commit().await?;
        self.forget_access(id);
        Ok(())
    }
}
