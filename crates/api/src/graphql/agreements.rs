//! The partnering agreement over GraphQL: the template, an agreement's draft and signing (the
//! same service functions as REST's `…/agreements/{agreement_id}/draft` and `…/signatures`).

use async_graphql::{Context, Object};
use service::agreements::elements::TEMPLATE;
use uuid::Uuid;

use super::{
    context::request,
    inputs::NewSignatureInput,
    mutation::meta,
    types::{
        Agreement,
        children::{AgreementDraft, TemplateElement},
    },
};

#[derive(Default)]
pub struct AgreementQuery;

#[Object]
impl AgreementQuery {
    /// The elements of the partnering agreement template, each with the journey step that
    /// produces it and its guidance.
    async fn agreement_template(&self) -> Vec<TemplateElement> {
        TEMPLATE.iter().map(Into::into).collect()
    }

    /// The draft of an agreement (Markdown and printable HTML), filled from the record, each
    /// element not yet agreed marked with the journey step that produces it. `lang` (a BCP 47
    /// tag) chooses the language of its headings, labels and marks, as REST's `lang=`; English
    /// when omitted. The texts from the record stay as written.
    async fn agreement_draft(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        lang: Option<String>,
    ) -> async_graphql::Result<AgreementDraft> {
        let rc = request(ctx)?;
        let language = rc
            .map(service::language::choose(lang.as_deref(), None))?
            .language();
        let done = rc
            .registry
            .agreement_draft(&rc.caller, initiative_id, id, language)
            .await;
        Ok(rc.map(done)?.into())
    }
}

#[derive(Default)]
pub struct AgreementSignMutation;

#[Object]
impl AgreementSignMutation {
    /// Records a party's signature of an agreement; the last party's makes a draft `SIGNED`
    /// and freezes its text. Editors and above; recorded in its history with `reason`.
    async fn sign_agreement(
        &self,
        ctx: &Context<'_>,
        initiative_id: Uuid,
        id: Uuid,
        input: NewSignatureInput,
        reason: Option<String>,
    ) -> async_graphql::Result<Agreement> {
        let rc = request(ctx)?;
        let done = rc
            .registry
            .sign_agreement(&rc.caller, initiative_id, id, input.into(), &meta(reason))
            .await;
        Ok(rc.map(done)?.into())
    }
}
