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
        AgreementPatchInput, ContributionPatchInput, InitiativePatchInput, LessonPatchInput,
        NewAgreementInput, NewContributionInput, NewInitiativeInput, NewLessonInput,
        NewOrganizationInput, NewPartnerInput, NewReportInput, OrganizationPatchInput,
        PartnerPatchInput, ReportPatchInput, TenantPatchInput,
    },
    types::{
        Agreement, Contribution, Initiative, Lesson, Organization, Partner, ProgressReport, Tenant,
    },
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

    /// Adds a partner (an organisation of the caller's tenant, or a public one); an organisation appears once per initiative (`CONFLICT`). Editors and above of the initiative's tenant; recorded in its history
    /// with `reason`.
    async fn add_partner(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        input: NewPartnerInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Partner> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .add_partner(&rc.caller, initiative_id, input.into(), &meta(reason))
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Changes a partner, provided `expectedVersion` is its current version
    /// (`STALE_VERSION` otherwise).
    async fn update_partner(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        input: PartnerPatchInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Partner> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .update_partner(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                input.into(),
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Removes a partner; refused (`CONFLICT`) while contributions or agreements name it, provided `expectedVersion` is current. Returns the removed id.
    async fn remove_partner(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        reason: Option<String>,
    ) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .remove_partner(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                &meta(reason),
            )
            .await;
        rc.map(done)?;
        Ok(id)
    }

    /// Adds a contribution of one of the initiative's partners. Editors and above of the initiative's tenant; recorded in its history
    /// with `reason`.
    async fn add_contribution(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        input: NewContributionInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Contribution> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .add_contribution(&rc.caller, initiative_id, input.into(), &meta(reason))
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Changes a contribution, provided `expectedVersion` is its current version
    /// (`STALE_VERSION` otherwise).
    async fn update_contribution(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        input: ContributionPatchInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Contribution> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .update_contribution(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                input.into(),
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Removes a contribution, provided `expectedVersion` is current. Returns the removed id.
    async fn remove_contribution(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        reason: Option<String>,
    ) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .remove_contribution(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                &meta(reason),
            )
            .await;
        rc.map(done)?;
        Ok(id)
    }

    /// Adds an agreement between partners of the initiative. Editors and above of the initiative's tenant; recorded in its history
    /// with `reason`.
    async fn add_agreement(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        input: NewAgreementInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Agreement> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .add_agreement(&rc.caller, initiative_id, input.into(), &meta(reason))
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Changes an agreement, provided `expectedVersion` is its current version
    /// (`STALE_VERSION` otherwise).
    async fn update_agreement(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        input: AgreementPatchInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Agreement> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .update_agreement(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                input.into(),
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Removes an agreement, provided `expectedVersion` is current. Returns the removed id.
    async fn remove_agreement(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        reason: Option<String>,
    ) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .remove_agreement(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                &meta(reason),
            )
            .await;
        rc.map(done)?;
        Ok(id)
    }

    /// Adds a progress report (the latest period sets the reporting status). Editors and above of the initiative's tenant; recorded in its history
    /// with `reason`.
    async fn add_report(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        input: NewReportInput,
        reason: Option<String>,
    ) -> async_graphql::Result<ProgressReport> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .add_report(&rc.caller, initiative_id, input.into(), &meta(reason))
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Changes a progress report, provided `expectedVersion` is its current version
    /// (`STALE_VERSION` otherwise).
    async fn update_report(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        input: ReportPatchInput,
        reason: Option<String>,
    ) -> async_graphql::Result<ProgressReport> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .update_report(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                input.into(),
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Removes a progress report, provided `expectedVersion` is current. Returns the removed id.
    async fn remove_report(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        reason: Option<String>,
    ) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .remove_report(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                &meta(reason),
            )
            .await;
        rc.map(done)?;
        Ok(id)
    }

    /// Adds a lesson learned. Editors and above of the initiative's tenant; recorded in its history
    /// with `reason`.
    async fn add_lesson(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        input: NewLessonInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Lesson> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .add_lesson(&rc.caller, initiative_id, input.into(), &meta(reason))
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Changes a lesson, provided `expectedVersion` is its current version
    /// (`STALE_VERSION` otherwise).
    async fn update_lesson(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        input: LessonPatchInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Lesson> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .update_lesson(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                input.into(),
                &meta(reason),
            )
            .await;
        Ok(rc.map(done)?.into())
    }

    /// Removes a lesson, provided `expectedVersion` is current. Returns the removed id.
    async fn remove_lesson(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: i32,
        reason: Option<String>,
    ) -> async_graphql::Result<Uuid> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .remove_lesson(
                &rc.caller,
                initiative_id,
                id,
                Precondition::Version(expected_version),
                &meta(reason),
            )
            .await;
        rc.map(done)?;
        Ok(id)
    }
}
