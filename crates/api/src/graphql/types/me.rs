//! The caller and its tenant.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::graphql::enums::{Role, SubjectKind, TenantKind};

/// A registry operator.
#[derive(Clone, Debug, SimpleObject)]
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

impl From<service::tenants::Tenant> for Tenant {
    fn from(t: service::tenants::Tenant) -> Self {
        Self {
            id: t.id,
            slug: t.slug,
            name: t.name,
            kind: t.kind.into(),
            home_country: t.home_country,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// The caller: who they are, their tenant and role.
#[derive(Clone, Debug, SimpleObject)]
pub struct Me {
    pub subject: Uuid,
    pub kind: SubjectKind,
    pub role: Role,
    pub platform_admin: bool,
    pub tenant: Tenant,
}
