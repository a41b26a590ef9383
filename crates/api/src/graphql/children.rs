//! The mutations of an initiative's child records (partners, contributions, agreements,
//! progress reports, lessons), written once: [`child_mutations!`] makes one resource's `add…`,
//! `update…` and `remove…` fields over the generic service functions (`Registry::create_child`
//! and the rest, see `service::children`), as REST's `routes::children` does. Their documentation
//! is each resource's own.

use async_graphql::Context;
use service::{children::ChildResource, precondition::Precondition};
use uuid::Uuid;

use super::{
    context::request,
    inputs::{
        AgreementPatchInput, ContributionPatchInput, LessonPatchInput, NewAgreementInput,
        NewContributionInput, NewLessonInput, NewPartnerInput, NewReportInput, PartnerPatchInput,
        ReportPatchInput,
    },
    mutation::meta,
    types::{Agreement, Contribution, Lesson, Partner, ProgressReport},
};

/// Creates a record of the initiative; recorded in its history with `reason`.
pub(super) async fn add<R: ChildResource, O: From<R::View>>(
    ctx: &Context<'_>,
    initiative_id: Uuid,
    input: impl Into<R::New>,
    reason: Option<String>,
) -> async_graphql::Result<O> {
    let rc = request(ctx)?;
    let done = rc
        .registry
        .create_child::<R>(&rc.caller, initiative_id, input.into(), &meta(reason))
        .await;
    Ok(rc.map(done)?.into())
}

/// Changes a record, provided `expected_version` is its current version.
pub(super) async fn update<R: ChildResource, O: From<R::View>>(
    ctx: &Context<'_>,
    (initiative_id, id, expected_version): (Uuid, Uuid, i32),
    input: impl Into<R::Patch>,
    reason: Option<String>,
) -> async_graphql::Result<O> {
    let rc = request(ctx)?;
    let done = rc
        .registry
        .update_child::<R>(
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

/// Deletes a record, provided `expected_version` is current; answers its id.
pub(super) async fn remove<R: ChildResource>(
    ctx: &Context<'_>,
    (initiative_id, id, expected_version): (Uuid, Uuid, i32),
    reason: Option<String>,
) -> async_graphql::Result<Uuid> {
    let rc = request(ctx)?;
    let done = rc
        .registry
        .delete_child::<R>(
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

/// One resource's mutation object: its `add`, `update` and `remove` fields, with the doc
/// comments given before each as their descriptions.
macro_rules! child_mutations {
    (
        $object:ident for $R:ty => $Out:ty {
            $(#[$add_doc:meta])* $add:ident($New:ty);
            $(#[$update_doc:meta])* $update:ident($Patch:ty);
            $(#[$remove_doc:meta])* $remove:ident;
        }
    ) => {
        #[derive(Default)]
        pub struct $object;

        #[async_graphql::Object]
        impl $object {
            $(#[$add_doc])*
            async fn $add(
                &self,
                ctx: &Context<'_>,
                initiative_id: Uuid,
                input: $New,
                reason: Option<String>,
            ) -> async_graphql::Result<$Out> {
                add::<$R, $Out>(ctx, initiative_id, input, reason).await
            }

            $(#[$update_doc])*
            async fn $update(
                &self,
                ctx: &Context<'_>,
                initiative_id: Uuid,
                id: Uuid,
                expected_version: i32,
                input: $Patch,
                reason: Option<String>,
            ) -> async_graphql::Result<$Out> {
                update::<$R, $Out>(ctx, (initiative_id, id, expected_version), input, reason).await
            }

            $(#[$remove_doc])*
            async fn $remove(
                &self,
                ctx: &Context<'_>,
                initiative_id: Uuid,
                id: Uuid,
                expected_version: i32,
                reason: Option<String>,
            ) -> async_graphql::Result<Uuid> {
                remove::<$R>(ctx, (initiative_id, id, expected_version), reason).await
            }
        }
    };
}

pub(super) use child_mutations;

child_mutations! {
    PartnerMutation for service::partners::Partners => Partner {
        /// Adds a partner (an organisation of the caller's tenant, or a public one); an organisation appears once per initiative (`CONFLICT`). Editors and above of the initiative's tenant; recorded in its history
        /// with `reason`.
        add_partner(NewPartnerInput);
        /// Changes a partner, provided `expectedVersion` is its current version
        /// (`STALE_VERSION` otherwise).
        update_partner(PartnerPatchInput);
        /// Removes a partner; refused (`CONFLICT`) while contributions or agreements name it, provided `expectedVersion` is current. Returns the removed id.
        remove_partner;
    }
}

child_mutations! {
    ContributionMutation for service::contributions::Contributions => Contribution {
        /// Adds a contribution of one of the initiative's partners. Editors and above of the initiative's tenant; recorded in its history
        /// with `reason`.
        add_contribution(NewContributionInput);
        /// Changes a contribution, provided `expectedVersion` is its current version
        /// (`STALE_VERSION` otherwise).
        update_contribution(ContributionPatchInput);
        /// Removes a contribution, provided `expectedVersion` is current. Returns the removed id.
        remove_contribution;
    }
}

child_mutations! {
    AgreementMutation for service::agreements::Agreements => Agreement {
        /// Adds an agreement between partners of the initiative. Editors and above of the initiative's tenant; recorded in its history
        /// with `reason`.
        add_agreement(NewAgreementInput);
        /// Changes an agreement, provided `expectedVersion` is its current version
        /// (`STALE_VERSION` otherwise).
        update_agreement(AgreementPatchInput);
        /// Removes an agreement, provided `expectedVersion` is current. Returns the removed id.
        remove_agreement;
    }
}

child_mutations! {
    ReportMutation for service::reports::Reports => ProgressReport {
        /// Adds a progress report (the latest period sets the reporting status). Editors and above of the initiative's tenant; recorded in its history
        /// with `reason`.
        add_report(NewReportInput);
        /// Changes a progress report, provided `expectedVersion` is its current version
        /// (`STALE_VERSION` otherwise).
        update_report(ReportPatchInput);
        /// Removes a progress report, provided `expectedVersion` is current. Returns the removed id.
        remove_report;
    }
}

child_mutations! {
    LessonMutation for service::lessons::Lessons => Lesson {
        /// Adds a lesson learned. Editors and above of the initiative's tenant; recorded in its history
        /// with `reason`.
        add_lesson(NewLessonInput);
        /// Changes a lesson, provided `expectedVersion` is its current version
        /// (`STALE_VERSION` otherwise).
        update_lesson(LessonPatchInput);
        /// Removes a lesson, provided `expectedVersion` is current. Returns the removed id.
        remove_lesson;
    }
}
