//! Tenants: registry operators. Platform administrators create them; owners manage their own.

use chrono::{DateTime, Utc};
use entity::{
    app_user,
    enums::{Role, TenantKind},
    membership, tenant,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, Registry,
    error::{ServiceError, ServiceResult},
    precondition::Precondition,
    validation::Checks,
};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Tenant {
    pub id: Uuid,
    /// Stable short name used in URLs and sign-in (`ml-ict-registry`).
    pub slug: String,
    pub name: String,
    pub kind: TenantKind,
    /// ISO 3166-1 alpha-2.
    pub home_country: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<tenant::Model> for Tenant {
    fn from(m: tenant::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            name: m.name,
            kind: m.kind,
            home_country: m.home_country,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "slug": "ml-ict-registry",
    "name": "Mali national PPP/MSP registry",
    "kind": "national_registry",
    "home_country": "ML",
    "owner_email": "registrar@example.gov.ml"
}))]
pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub kind: TenantKind,
    #[serde(default)]
    pub home_country: Option<String>,
    /// An existing user to make the tenant's first owner.
    #[serde(default)]
    pub owner_email: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<TenantKind>,
    #[serde(default, deserialize_with = "crate::validation::double_option")]
    #[schema(value_type = Option<String>)]
    pub home_country: Option<Option<String>>,
}

/// Slugs: 3 to 63 characters, lower-case letters, digits and inner hyphens.
pub fn check_slug(checks: &mut Checks, slug: &str) -> String {
    let slug = slug.trim().to_owned();
    let ok = (3..=63).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !ok {
        checks.push(
            "slug",
            "invalid_slug",
            "3 to 63 lower-case letters, digits and inner hyphens",
        );
    }
    slug
}

impl Registry {
    /// Creates a tenant (platform administrators only).
    pub async fn create_tenant(&self, caller: &Caller, input: NewTenant) -> ServiceResult<Tenant> {
        caller.require_platform_admin()?;
        self.create_tenant_unchecked(input).await
    }

    /// Creates a tenant without an authorisation check: for the CLI and the demo seed, which
    /// run with the operator's authority.
    pub async fn create_tenant_unchecked(&self, input: NewTenant) -> ServiceResult<Tenant> {
        let mut c = Checks::new();
        let slug = check_slug(&mut c, &input.slug);
        let name = c.required_text("name", &input.name, 200);
        let home_country = c.country("home_country", input.home_country.as_deref());
        c.finish()?;
        let txn = self.unit_of_work().await?;
        if tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug.as_str()))
            .count(&txn)
            .await?
            > 0
        {
            return Err(ServiceError::Conflict(format!(
                "the slug \"{slug}\" is taken"
            )));
        }
        let now = Utc::now();
        let model = tenant::ActiveModel {
            id: Set(Uuid::now_v7()),
            slug: Set(slug),
            name: Set(name),
            kind: Set(input.kind),
            home_country: Set(home_country),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        if let Some(email) = input.owner_email.as_deref() {
            let user = find_user_by_email(&txn, email).await?.ok_or_else(|| {
                ServiceError::field("owner_email", "unknown_user", "no user has this email")
            })?;
            membership::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(model.id),
                user_id: Set(user.id),
                role: Set(Role::Owner),
                access_epoch: Set(crate::auth::access::first_epoch()),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        tracing::info!(tenant = %model.id, slug = %model.slug, "tenant created");
        Ok(model.into())
    }

    /// The caller's own tenant.
    pub async fn current_tenant(&self, caller: &Caller) -> ServiceResult<Tenant> {
        let principal = caller.require(Role::Viewer)?;
        tenant::Entity::find_by_id(principal.tenant_id)
            .one(self.db())
            .await?
            .map(Tenant::from)
            .ok_or(ServiceError::NotFound { entity: "tenant" })
    }

    /// Changes the caller's tenant (owners only), provided `expected_version` is current.
    pub async fn update_current_tenant(
        &self,
        caller: &Caller,
        expected_version: Precondition,
        patch: TenantPatch,
    ) -> ServiceResult<Tenant> {
        let principal = caller.require(Role::Owner)?;
        // Without If-Match the answer is 428 before anything is read.
        if expected_version == Precondition::Missing {
            return Err(ServiceError::PreconditionRequired);
        }
        let txn = self.unit_of_work().await?;
        let current = tenant::Entity::find_by_id(principal.tenant_id)
            .one(&txn)
            .await?
            .ok_or(ServiceError::NotFound { entity: "tenant" })?;
        let expected = crate::precondition::expect_version(expected_version, current.version)?;
        let mut c = Checks::new();
        let name = c.required_text("name", patch.name.as_deref().unwrap_or(&current.name), 200);
        let home_country = match &patch.home_country {
            Some(v) => c.country("home_country", v.as_deref()),
            None => current.home_country.clone(),
        };
        c.finish()?;
        let result = tenant::Entity::update_many()
            .col_expr(tenant::Column::Name, Expr::value(name))
            .col_expr(
                tenant::Column::Kind,
                Expr::value(patch.kind.unwrap_or(current.kind)),
            )
            .col_expr(tenant::Column::HomeCountry, Expr::value(home_country))
            .col_expr(tenant::Column::Version, Expr::value(expected + 1))
            .col_expr(tenant::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(tenant::Column::Id.eq(current.id))
            .filter(tenant::Column::Version.eq(expected))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: expected + 1,
            });
        }
        let updated = tenant::Entity::find_by_id(current.id)
            .one(&txn)
            .await?
            .ok_or(ServiceError::NotFound { entity: "tenant" })?;
        txn.commit().await?;
        Ok(updated.into())
    }

    /// A tenant by slug (for the CLI).
    pub async fn tenant_by_slug(&self, slug: &str) -> ServiceResult<Tenant> {
        tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug))
            .one(self.db())
            .await?
            .map(Tenant::from)
            .ok_or(ServiceError::NotFound { entity: "tenant" })
    }

    /// Whether any tenant exists yet (the demo seed runs on an empty database only).
    pub async fn has_tenants(&self) -> ServiceResult<bool> {
        Ok(tenant::Entity::find().count(self.db()).await? > 0)
    }
}

pub(crate) async fn find_user_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> ServiceResult<Option<app_user::Model>> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?)
}
