//! Who is calling, and what they may do.

pub(crate) mod access;
pub mod jwks;
mod login;
pub mod password;
mod sessions;
mod throttle;
pub mod tokens;

pub use jwks::{ExternalKeys, KeySet, RefreshPolicy, RemoteKeys};
pub use login::{Grant, IssuedToken};
pub use sessions::{Session, TokenHint};
pub use throttle::address_key;
pub use tokens::{Claims, ExternalIdp, OwnToken, TokenKeys};

use entity::enums::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};

/// Whether a principal is a person or a system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    User,
    Client,
    /// A person signed in through the configured external identity provider.
    External,
}

/// An authenticated caller acting within one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user's or API client's id (for external identities, a stable id derived from `sub`).
    pub subject: Uuid,
    pub kind: SubjectKind,
    pub tenant_id: Uuid,
    pub role: Role,
    pub platform_admin: bool,
}

/// The caller of a service function: anonymous (the public read API) or a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Member(Principal),
}

impl Caller {
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Caller::Anonymous => None,
            Caller::Member(p) => Some(p),
        }
    }

    /// The caller's tenant, when signed in.
    pub fn tenant_id(&self) -> Option<Uuid> {
        self.principal().map(|p| p.tenant_id)
    }

    /// The principal, provided it holds at least `role` in its tenant.
    pub fn require(&self, role: Role) -> ServiceResult<&Principal> {
        let principal = self.principal().ok_or(ServiceError::Unauthenticated)?;
        if principal.role >= role {
            Ok(principal)
        } else {
            Err(ServiceError::forbidden(format!(
                "this action needs the {} role or higher",
                role_name(role)
            )))
        }
    }

    /// The principal, provided it is a platform administrator.
    pub fn require_platform_admin(&self) -> ServiceResult<&Principal> {
        let principal = self.principal().ok_or(ServiceError::Unauthenticated)?;
        if principal.platform_admin {
            Ok(principal)
        } else {
            Err(ServiceError::forbidden(
                "this action is for platform administrators",
            ))
        }
    }
}

pub(crate) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Viewer => "viewer",
        Role::Editor => "editor",
        Role::Admin => "admin",
        Role::Owner => "owner",
    }
}
