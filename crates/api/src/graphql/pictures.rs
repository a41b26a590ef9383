//! The SVG pictures over GraphQL (`Initiative.journeySvg`, `contributionsSvg`, `healthSvg`,
//! `showcaseMapSvg`): one resolver shape, the reader's language from `lang` as REST's `lang=`
//! (a malformed tag is a `BAD_PARAMETER` error naming `lang`; without it, English), then the
//! service's picture.

use std::future::Future;

use async_graphql::Context;
use service::{
    ServiceResult,
    language::{self, Language},
    pictures::Picture,
};

use super::context::{RequestCtx, request};

/// The SVG of the picture `draw` makes for the caller in the language `lang` names.
pub(super) async fn svg<'a, F, Fut>(
    ctx: &Context<'a>,
    lang: Option<String>,
    draw: F,
) -> async_graphql::Result<String>
where
    F: FnOnce(&'a RequestCtx, Language) -> Fut,
    Fut: Future<Output = ServiceResult<Picture>> + 'a,
{
    let rc = request(ctx)?;
    let lang = rc.map(language::choose(lang.as_deref(), None))?.language();
    Ok(rc.map(draw(rc, lang).await)?.svg)
}
