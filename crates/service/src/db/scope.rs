//! The tenant a request's database connections work for, for PostgreSQL's row-level security.
//!
//! A request runs inside [`request`], which gives it an empty slot. Once the caller is known
//! ([`crate::Registry::authenticate`]), [`name`] puts the principal's tenant in the slot, and
//! from then on every connection the request takes from the pool is told that tenant
//! (`msp.tenant`, read by the policies of migration `m20261204_000018`) as it is handed out.
//! Outside a request (workers, migrations), for anonymous callers and for platform
//! administrators, no tenant is named and the service's own conditions are the whole rule.
//!
//! A query that crosses tenants on purpose within a member's request (an invitation the person
//! answers from another tenant, looking for an account's other memberships) runs in
//! [`unscoped`], so each such place is named in the code.

use std::{future::Future, sync::OnceLock};

use uuid::Uuid;

use crate::Principal;

/// The tenant named for the current task, if any: set at most once.
#[derive(Debug, Default)]
struct Slot(OnceLock<Option<Uuid>>);

tokio::task_local! {
    static SLOT: std::sync::Arc<Slot>;
}

/// Runs one request with an empty slot.
pub async fn request<F: Future>(work: F) -> F::Output {
    SLOT.scope(Default::default(), work).await
}

/// Runs `work` with `tenant` named (tests and tools that act for one tenant).
pub async fn within<F: Future>(tenant: Uuid, work: F) -> F::Output {
    carrying(Some(tenant), work).await
}

/// Runs `work` with no tenant named, whatever the surrounding request named: for the few
/// deliberate cross-tenant queries of a member's request.
pub async fn unscoped<F: Future>(work: F) -> F::Output {
    carrying(None, work).await
}

/// Runs `work` with `tenant` (read with [`current`] in the request) named: for the part of a
/// request that runs outside its task, where the request's slot does not reach (GraphQL
/// DataLoader batches on spawned tasks, the chunks of a streamed export body).
pub async fn carrying<F: Future>(tenant: Option<Uuid>, work: F) -> F::Output {
    SLOT.scope(std::sync::Arc::new(filled(tenant)), work).await
}

/// Names the principal's tenant for the rest of the current request. Platform administrators
/// act across tenants and name none. Outside [`request`] this does nothing.
pub(crate) fn name(principal: &Principal) {
    let tenant = (!principal.platform_admin).then_some(principal.tenant_id);
    let _ = SLOT.try_with(|slot| slot.0.set(tenant));
}

/// The tenant named for the current task.
pub fn current() -> Option<Uuid> {
    SLOT.try_with(|slot| slot.0.get().copied().flatten())
        .ok()
        .flatten()
}

fn filled(tenant: Option<Uuid>) -> Slot {
    let slot = Slot::default();
    let _ = slot.0.set(tenant);
    slot
}

/// The statement that tells a connection the current tenant (`''` for none).
pub(crate) const SET_TENANT: &str = "SELECT set_config('msp.tenant', $1, false)";

/// The value of `msp.tenant` for the current task.
pub(crate) fn setting() -> String {
    current().map(|t| t.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Role, SubjectKind};

    fn principal(platform_admin: bool) -> Principal {
        Principal {
            subject: Uuid::new_v4(),
            kind: SubjectKind::User,
            tenant_id: Uuid::new_v4(),
            role: Role::Admin,
            platform_admin,
        }
    }

    #[tokio::test]
    async fn a_request_names_its_principals_tenant_once() {
        let (first, second) = (principal(false), principal(false));
        let named = request(async {
            assert_eq!(current(), None);
            name(&first);
            name(&second);
            current()
        })
        .await;
        assert_eq!(named, Some(first.tenant_id));
        assert_eq!(current(), None, "nothing outlives the request");
    }

    #[tokio::test]
    async fn platform_administrators_and_unscoped_work_name_no_tenant() {
        let admin = principal(true);
        assert_eq!(
            request(async {
                name(&admin);
                current()
            })
            .await,
            None
        );
        let member = principal(false);
        let inner = request(async {
            name(&member);
            unscoped(async { current() }).await
        })
        .await;
        assert_eq!(inner, None);
    }

    #[tokio::test]
    async fn work_spawned_by_a_request_is_told_the_tenant_only_when_carried() {
        let member = principal(false);
        let (bare, carried) = request(async {
            name(&member);
            let tenant = current();
            let bare = tokio::spawn(async { current() }).await;
            let carried = tokio::spawn(carrying(tenant, async { current() })).await;
            (bare.ok().flatten(), carried.ok().flatten())
        })
        .await;
        assert_eq!(bare, None, "a spawned task does not see the request's slot");
        assert_eq!(carried, Some(member.tenant_id));
    }
}
