//! Tenancy: what a caller may read or change, decided here and nowhere else.
//!
//! A principal acts in exactly one tenant, the one its token names. The rules:
//!
//! - **Reading** ([`Coverage::readable`]): a member reads its own tenant's records and every
//!   tenant's public ones; an anonymous caller the public ones.
//! - **Lists** ([`Coverage::listed`]) narrow that by their `scope` parameter: `tenant` (members'
//!   default), `public`, or `all` (own tenant plus every public record).
//! - **The WSIS showcase** ([`Coverage::showcase`]) has its own rule: a member's showcase table
//!   and coverage matrix count its own tenant's initiatives only, public or private (each tenant
//!   answers the WSIS call for itself, so another tenant's public initiative is never its
//!   showcase); an anonymous caller's count every public initiative.
//! - **Changing** ([`writable`]): own tenant only. No token is 401; a record the caller cannot
//!   read is 404, exactly as a missing one; another tenant's public record is 403. The role a
//!   change needs is checked beside it (`caller.require`).
//! - **Child rows** (partners, contributions, agreements, reports, lessons, ...) follow their
//!   initiative: across initiatives with [`Coverage::over_initiatives`]; one initiative's, after
//!   the initiative itself passed [`readable`] or [`writable`], with [`child_of`], which also
//!   keeps a row whose tenant is not its initiative's out.
//! - **Tenant-owned tables without visibility** (members, API clients, webhook subscriptions,
//!   webhook deliveries, idempotency keys, the change feed): [`own`].
//!
//! Every rule gives both forms from one value: a sea-orm [`Condition`] for a select, and the check
//! of a loaded row ([`Coverage::allows`], [`readable`], [`writable`]), so the two cannot drift.

use entity::{enums::Visibility, initiative};
use sea_orm::{ColumnTrait, Condition, EntityTrait, sea_query::Query};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, Principal,
    error::{ServiceError, ServiceResult},
};

// The type's text stays the one the committed OpenAPI document carries.
/// Which organisations a list covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The caller's tenant only (members' default).
    #[default]
    Tenant,
    /// Public organisations of every tenant (anonymous callers always get this).
    Public,
    /// The caller's tenant plus every other tenant's public organisations.
    All,
}

/// A table whose rows belong to one tenant.
pub trait Owned: EntityTrait {
    fn tenant_column() -> Self::Column;
}

/// A tenant-owned table whose rows can be made public.
pub trait Shared: Owned {
    fn visibility_column() -> Self::Column;
}

/// A table whose rows belong to one initiative (and to that initiative's tenant).
pub trait Child: Owned {
    fn initiative_column() -> Self::Column;
}

/// A loaded row that belongs to a tenant and can be made public.
pub trait Record {
    /// The entity's name in a `NotFound` or `Forbidden` answer.
    const ENTITY: &'static str;
    fn owner(&self) -> Uuid;
    fn visibility(&self) -> Visibility;
}

macro_rules! owned {
    ($($table:ident),* $(,)?) => {$(
        impl Owned for entity::$table::Entity {
            fn tenant_column() -> Self::Column {
                entity::$table::Column::TenantId
            }
        }
    )*};
}

macro_rules! child {
    ($($table:ident),* $(,)?) => {$(
        impl Child for entity::$table::Entity {
            fn initiative_column() -> Self::Column {
                entity::$table::Column::InitiativeId
            }
        }
    )*};
}

macro_rules! shared {
    ($($table:ident => $name:literal),* $(,)?) => {$(
        impl Shared for entity::$table::Entity {
            fn visibility_column() -> Self::Column {
                entity::$table::Column::Visibility
            }
        }
        impl Record for entity::$table::Model {
            const ENTITY: &'static str = $name;
            fn owner(&self) -> Uuid {
                self.tenant_id
            }
            fn visibility(&self) -> Visibility {
                self.visibility
            }
        }
    )*};
}

owned!(
    initiative,
    organization,
    initiative_partner,
    contribution,
    agreement,
    progress_report,
    lesson,
    revision,
    value_assessment,
    showcase_designation,
    webhook_subscription,
    api_client,
    membership,
    invitation,
    idempotency_key,
    change_event,
    webhook_delivery,
    webhook_attempt,
    health_assessment,
);
child!(
    initiative_partner,
    contribution,
    agreement,
    progress_report,
    lesson,
    revision,
    value_assessment,
    showcase_designation,
    health_assessment,
);
shared!(initiative => "initiative", organization => "organization");

/// The set of records a caller's read covers, as one value: its SQL condition and its check of a
/// loaded row both come from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// One tenant's records, private ones included.
    Tenant(Uuid),
    /// Every tenant's public records.
    Public,
    /// One tenant's records and every public one.
    TenantAndPublic(Uuid),
}

impl Coverage {
    /// What the caller may read: its own tenant's records and every public one.
    pub fn readable(caller: &Caller) -> Coverage {
        match caller.tenant_id() {
            None => Coverage::Public,
            Some(tenant) => Coverage::TenantAndPublic(tenant),
        }
    }

    /// What a list with this `scope` covers: a member's tenant by default; anonymous callers
    /// always the public records, whatever the scope says.
    pub fn listed(caller: &Caller, scope: Option<Scope>) -> Coverage {
        match caller.tenant_id() {
            None => Coverage::Public,
            Some(tenant) => match scope.unwrap_or_default() {
                Scope::Tenant => Coverage::Tenant(tenant),
                Scope::Public => Coverage::Public,
                Scope::All => Coverage::TenantAndPublic(tenant),
            },
        }
    }

    /// The WSIS showcase's own rule: a member's showcase covers its own tenant's initiatives
    /// only (each tenant answers the call for itself), an anonymous caller's every public one.
    pub fn showcase(caller: &Caller) -> Coverage {
        match caller.tenant_id() {
            None => Coverage::Public,
            Some(tenant) => Coverage::Tenant(tenant),
        }
    }

    /// The tenant whose private records are covered, if any.
    pub fn tenant(self) -> Option<Uuid> {
        match self {
            Coverage::Tenant(t) | Coverage::TenantAndPublic(t) => Some(t),
            Coverage::Public => None,
        }
    }

    /// Whether other tenants' public records are covered.
    pub fn includes_public(self) -> bool {
        !matches!(self, Coverage::Tenant(_))
    }

    /// The check of a loaded row: whether a record of `owner` with `visibility` is covered.
    pub fn allows(self, owner: Uuid, visibility: Visibility) -> bool {
        (self.includes_public() && visibility == Visibility::Public) || self.tenant() == Some(owner)
    }

    /// The same rule as a condition on a select of `E`.
    pub fn condition<E: Shared>(self) -> Condition {
        let public = E::visibility_column().eq(Visibility::Public);
        match self {
            Coverage::Tenant(tenant) => Condition::all().add(E::tenant_column().eq(tenant)),
            Coverage::Public => Condition::all().add(public),
            Coverage::TenantAndPublic(tenant) => Condition::any()
                .add(public)
                .add(E::tenant_column().eq(tenant)),
        }
    }

    /// A condition on a select of a child table: its initiative is covered. A child carries its
    /// initiative's tenant, so the tenant's own rows need no look at the initiative.
    pub fn over_initiatives<E: Child>(self) -> Condition {
        let public = Coverage::Public.initiative_in(E::initiative_column());
        match self {
            Coverage::Tenant(tenant) => own::<E>(tenant),
            Coverage::Public => public,
            Coverage::TenantAndPublic(tenant) => Condition::any().add(own::<E>(tenant)).add(public),
        }
    }

    /// A condition on any column holding an initiative id: that initiative is covered.
    pub fn initiative_in(self, column: impl ColumnTrait) -> Condition {
        Condition::all().add(
            column.in_subquery(
                Query::select()
                    .column(initiative::Column::Id)
                    .from(initiative::Entity)
                    .cond_where(self.condition::<initiative::Entity>())
                    .to_owned(),
            ),
        )
    }
}

/// The loaded row, if the caller may read it (own tenant, or public); else `NotFound`, exactly
/// as for a missing one.
pub fn readable<R: Record>(caller: &Caller, row: Option<R>) -> ServiceResult<R> {
    match row {
        Some(row) if Coverage::readable(caller).allows(row.owner(), row.visibility()) => Ok(row),
        _ => Err(ServiceError::NotFound { entity: R::ENTITY }),
    }
}

/// The loaded row and the principal, if the caller may change it: 401 without a token, 404 when
/// it cannot be read, 403 for another tenant's public one. The role is checked apart.
pub fn writable<R: Record>(caller: &Caller, row: Option<R>) -> ServiceResult<(R, &Principal)> {
    let principal = caller.principal().ok_or(ServiceError::Unauthenticated)?;
    let row = readable(caller, row)?;
    if row.owner() != principal.tenant_id {
        return Err(ServiceError::forbidden(format!(
            "this {} belongs to another tenant: it can be read but not changed",
            R::ENTITY
        )));
    }
    Ok((row, principal))
}

/// A condition on a tenant-owned table: the tenant's rows only.
pub fn own<E: Owned>(tenant: Uuid) -> Condition {
    Condition::all().add(E::tenant_column().eq(tenant))
}

/// A condition on a child table: the rows of one initiative, whose tenant is that initiative's
/// (call it after the initiative passed [`readable`] or [`writable`]).
pub fn child_of<E: Child>(initiative_id: Uuid) -> Condition {
    Condition::all()
        .add(E::initiative_column().eq(initiative_id))
        .add(
            E::tenant_column().in_subquery(
                Query::select()
                    .column(initiative::Column::TenantId)
                    .from(initiative::Entity)
                    .and_where(initiative::Column::Id.eq(initiative_id))
                    .to_owned(),
            ),
        )
}

/// Whether the caller may read a loaded row (own tenant, or public).
pub fn may_read<R: Record>(caller: &Caller, row: &R) -> bool {
    Coverage::readable(caller).allows(row.owner(), row.visibility())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Role, SubjectKind};

    fn member(tenant: Uuid) -> Caller {
        Caller::Member(Principal {
            subject: Uuid::now_v7(),
            kind: SubjectKind::User,
            tenant_id: tenant,
            role: Role::Editor,
            platform_admin: false,
        })
    }

    #[test]
    fn members_read_their_own_and_public_records_anonymous_callers_public_ones() {
        let (own, other) = (Uuid::now_v7(), Uuid::now_v7());
        let caller = member(own);
        let readable = Coverage::readable(&caller);
        assert!(readable.allows(own, Visibility::Private));
        assert!(readable.allows(other, Visibility::Public));
        assert!(!readable.allows(other, Visibility::Private));
        let anonymous = Coverage::readable(&Caller::Anonymous);
        assert!(anonymous.allows(other, Visibility::Public));
        assert!(!anonymous.allows(own, Visibility::Private));
    }

    #[test]
    fn lists_follow_their_scope_and_anonymous_callers_always_get_public() {
        let own = Uuid::now_v7();
        let caller = member(own);
        assert_eq!(Coverage::listed(&caller, None), Coverage::Tenant(own));
        assert_eq!(
            Coverage::listed(&caller, Some(Scope::All)),
            Coverage::TenantAndPublic(own)
        );
        assert_eq!(
            Coverage::listed(&Caller::Anonymous, Some(Scope::Tenant)),
            Coverage::Public
        );
    }

    #[test]
    fn the_showcase_counts_a_members_own_tenant_only() {
        let (own, other) = (Uuid::now_v7(), Uuid::now_v7());
        let showcase = Coverage::showcase(&member(own));
        assert!(showcase.allows(own, Visibility::Private));
        assert!(!showcase.allows(other, Visibility::Public));
        assert_eq!(Coverage::showcase(&Caller::Anonymous), Coverage::Public);
    }

    #[test]
    fn another_tenants_private_row_is_not_found_and_its_public_row_forbidden() {
        let row = |tenant: Uuid, visibility: Visibility| entity::organization::Model {
            id: Uuid::now_v7(),
            tenant_id: tenant,
            name: "Org".into(),
            name_key: "org".into(),
            acronym: None,
            sector: entity::enums::Sector::Business,
            sub_type: None,
            country: None,
            website: None,
            description: None,
            iati_identifier: None,
            visibility,
            language: "en".into(),
            version: 1,
            created_by: None,
            updated_by: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let (own, other) = (Uuid::now_v7(), Uuid::now_v7());
        let caller = member(own);
        let private = writable(&caller, Some(row(other, Visibility::Private)));
        assert!(matches!(private, Err(ServiceError::NotFound { .. })));
        let public = writable(&caller, Some(row(other, Visibility::Public)));
        assert!(matches!(public, Err(ServiceError::Forbidden(_))));
        assert!(writable(&caller, Some(row(own, Visibility::Private))).is_ok());
        let anonymous = writable(&Caller::Anonymous, Some(row(own, Visibility::Public)));
        assert!(matches!(anonymous, Err(ServiceError::Unauthenticated)));
    }
}
