//! Mutations: every create, update and delete of REST, through the same service functions.
//! Changes take `expectedVersion` (the record's `version`, as REST's `If-Match`); writes to an
//! initiative or its children take an optional `reason`, kept in the history (REST's
//! `X-Change-Reason`), which a journey stage change that skips or goes back needs.

use async_graphql::{Context, Object};
use service::{history::WriteMeta, precondition::Precondition};
use uuid::Uuid;

use super::{
    context::request,
    inputs::{
        InitiativePatchInput, NewInitiativeInput, NewOrganizationInput, OrganizationPatchInput,
        TenantPatchInput,
    },
    types::{Initiative, Organization, Tenant},
};

/// The reason of a write, at most 2,000 characters (as REST reads `X-Change-Reason`).
pub(super) fn meta(reason: Option<String>) -> WriteMeta {
    WriteMeta {
        reason: reason.map(|r| r.chars().take(2000).collect()),
        idempotency: None,
    }
}

#[derive(Default)]
pub struct RegistryMutation;

#[Object]
impl RegistryMutation {
    /// Signs the caller out everywhere, as REST's `POST /api/v1/auth/sign-out`: every token
    /// issued to this person or client in this tenant stops working, this one included (on
    /// every server process within `MSP_ACCESS_POLL_MS`). Answers `true`.
    async fn sign_out(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let rc = request(ctx)?;
        rc.map(rc.registry.sign_out(&rc.caller).await)?;
        Ok(true)
    }

    /// Changes the caller's tenant (owners only), provided `expectedVersion` is current.
    async fn update_current_tenant(
        &self,
        ctx: &Context<'_>,
        expected_version: i32,
        input: TenantPatchInput,
    ) -> async_graphql::Result<Tenant> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .update_current_tenant(
                &rc.caller,
                Precondition::Version(expected_version),
                input.into(),
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Registers an organisation in the caller's tenant (editors and above). Names are unique
    /// per tenant (`CONFLICT`).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: NewOrganizationInput,
    ) -> async_graphql::Result<Organization> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .create_organization(&rc.caller, input.into(), &WriteMeta::default())
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Changes an organisation of the caller's tenant, provided `expectedVersion` is current.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: i32,
        input: OrganizationPatchInput,
    ) -> async_graphql::Result<Organization> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .update_organization(
                &rc.caller,
                id,
                Precondition::Version(expected_version),
                input.into(),
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Deletes an organisation, provided `expectedVersion` is current and it takes part in no
    /// initiative (`CONFLICT`). Returns the deleted id.
    async fn delete_organization(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: i32,
    ) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .delete_organization(&rc.caller, id, Precondition::Version(expected_version))
            .await;
        rc.map(done)?;
        Ok(id)
    }

    /// Registers an initiative in the caller's tenant (editors and above). `PUBLIC` runs the
    /// publish check (`VALIDATION` listing what is missing).
    async fn create_initiative(
        &self,
        ctx: &Context<'_>,
        input: NewInitiativeInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Initiative> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .create_initiative(&rc.caller, input.into(), &meta(reason))
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Changes an initiative, provided `expectedVersion` is current. Journey rules and the
    /// publish check apply; the change is recorded in the history with `reason`.
    async fn update_initiative(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: i32,
        input: InitiativePatchInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Initiative> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .update_initiative(
                &rc.caller,
                id,
                Precondition::Version(expected_version),
                input.into(),
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Deletes an initiative and its children, provided `expectedVersion` is current. The
    /// history stays. Returns the deleted id.
    async fn delete_initiative(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: i32,
        reason: Option<String>,
    ) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .delete_initiative(
                &rc.caller,
                id,
                Precondition::Version(expected_version),
                &meta(reason),
            )
            .await;
        rc.map(done)?;
        Ok(id)
    }
}
