//! Queries: the lists as Relay connections, single records, lessons, history, reference data
//! and the caller.

use async_graphql::{Context, ID, Object};
use service::{
    ServiceError, initiatives::InitiativeQuery, lessons::LessonSearch,
    organizations::OrganizationQuery, reference,
};
use uuid::Uuid;

use super::{
    context::request,
    enums::{InitiativeSort, OrganizationSort, ReferenceKind, Scope},
    inputs::{InitiativeFilter, OrganizationFilter},
    limits::{Args, Paging, cost},
    types::{
        Initiative, InitiativeConnection, Lesson, LessonConnection, Me, Node, Organization,
        OrganizationConnection, ReferenceData, RevisionConnection, RevisionEntry,
        matchmaking::ReferenceEntry, node,
    },
};

#[derive(Default)]
pub struct RegistryQuery;

#[Object]
impl RegistryQuery {
    /// The caller: who they are, their tenant and role. `UNAUTHENTICATED` without a token.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Me>> {
        let rc = request(ctx)?;
        let tenant = rc.map(rc.registry.current_tenant(&rc.caller).await)?;
        let principal = rc.map(rc.caller.principal().ok_or(ServiceError::Unauthenticated))?;
        Ok(Some(Me {
            subject: principal.subject,
            kind: principal.kind.into(),
            role: principal.role.into(),
            platform_admin: principal.platform_admin,
            tenant: tenant.into(),
        }))
    }

    /// Initiatives the caller may read, filtered, searched, sorted and paged. `scope`:
    /// `TENANT` (members' default), `PUBLIC`, or `ALL`; anonymous callers always get public
    /// ones. `search` is the full-text search of REST's `q` (every word must match; sorted by
    /// relevance unless `sort` says otherwise).
    ///
    /// Paged by the same keyset cursors as REST (`first`/`after`, `last`/`before`); a search
    /// sorted by relevance pages forward by position. `lang` (a BCP 47 tag, or `*` for every
    /// translation) chooses the language of the texts, as REST's `lang=`: each falls back to
    /// the original (named in `fieldLanguages`); the original when omitted.
    #[graphql(complexity = "cost(first.or(last), child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
        filter: Option<InitiativeFilter>,
        search: Option<String>,
        scope: Option<Scope>,
        sort: Option<InitiativeSort>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        lang: Option<String>,
    ) -> async_graphql::Result<InitiativeConnection> {
        let rc = request(ctx)?;
        let settings = rc.registry.settings();
        let paging = Paging::new(
            Args {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            settings.default_page_size,
            settings.max_page_size,
            true,
        )?;
        let query = InitiativeQuery {
            scope: scope.map(Into::into),
            q: search,
            sort: sort.map(|s| {
                service::initiatives::InitiativeSort::from(s)
                    .as_param()
                    .to_owned()
            }),
            lang,
            ..filter.unwrap_or_default().into_query()
        };
        let paged = paging
            .fetch(settings.max_page_size, |ask| {
                rc.registry.list_initiatives(
                    &rc.caller,
                    InitiativeQuery {
                        page: ask.page,
                        per_page: Some(ask.per_page),
                        after: ask.after,
                        before: ask.before,
                        ..query.clone()
                    },
                )
            })
            .await;
        Ok(rc.map(paged)?.map(Initiative::from).into())
    }

    /// Any object with a global id (Relay's `Node`: an initiative or an organisation), if the
    /// caller may read it; `null` for a record that is missing or that the caller may not read
    /// (another tenant's private one), exactly as the type's own query decides.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        node::resolve(request(ctx)?, &id).await
    }

    /// One initiative, if the caller may read it; else `NOT_FOUND` (another tenant's private
    /// initiative is not found, as a missing one). `lang` chooses the language of its texts, as
    /// in `initiatives`.
    async fn initiative(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        lang: Option<String>,
    ) -> async_graphql::Result<Option<Initiative>> {
        let rc = request(ctx)?;
        Ok(Some(
            rc.map(
                rc.registry
                    .get_initiative_in(&rc.caller, id, lang.as_deref())
                    .await,
            )?
            .into(),
        ))
    }

    /// The whole revision history of an initiative, newest first, paged. Members of the owning
    /// tenant only; it stays readable after the initiative is deleted.
    #[graphql(complexity = "cost(first.or(last), child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn initiative_history(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<RevisionConnection> {
        let rc = request(ctx)?;
        let settings = rc.registry.settings();
        let paging = Paging::new(
            Args {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            settings.default_page_size,
            settings.max_page_size,
            true,
        )?;
        let paged = paging
            .fetch(settings.max_page_size, |ask| {
                rc.registry.initiative_history(&rc.caller, id, ask.params())
            })
            .await;
        Ok(rc.map(paged)?.map(RevisionEntry::from).into())
    }

    /// Organisations the caller may read, filtered, sorted and paged. `search` looks in name
    /// and acronym (case-insensitive).
    #[graphql(complexity = "cost(first.or(last), child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrganizationFilter>,
        search: Option<String>,
        scope: Option<Scope>,
        sort: Option<OrganizationSort>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(
            desc = "The language of the texts (a BCP 47 tag, `*` for every translation), as REST's `lang=`"
        )]
        lang: Option<String>,
    ) -> async_graphql::Result<OrganizationConnection> {
        let rc = request(ctx)?;
        let choice = rc.map(service::language::ask(lang.as_deref(), None))?;
        let settings = rc.registry.settings();
        let paging = Paging::new(
            Args {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            settings.default_page_size,
            settings.max_page_size,
            true,
        )?;
        let query = OrganizationQuery {
            scope: scope.map(Into::into),
            q: search,
            sort: sort.map(Into::into),
            ..filter.unwrap_or_default().into_query()
        };
        let paged = paging
            .fetch(settings.max_page_size, |ask| {
                let query = OrganizationQuery {
                    page: ask.page,
                    per_page: Some(ask.per_page),
                    after: ask.after,
                    before: ask.before,
                    ..query.clone()
                };
                async move {
                    let mut page = rc.registry.list_organizations(&rc.caller, query).await?;
                    let (items, _) = rc
                        .registry
                        .localize_organizations(std::mem::take(&mut page.items), choice)
                        .await?;
                    page.items = items;
                    Ok(page)
                }
            })
            .await;
        Ok(rc.map(paged)?.map(Organization::from).into())
    }

    /// One organisation, if the caller may read it; else `NOT_FOUND`.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(
            desc = "The language of the texts (a BCP 47 tag, `*` for every translation), as REST's `lang=`"
        )]
        lang: Option<String>,
    ) -> async_graphql::Result<Option<Organization>> {
        let rc = request(ctx)?;
        let choice = rc.map(service::language::ask(lang.as_deref(), None))?;
        let org = rc.map(rc.registry.get_organization(&rc.caller, id).await)?;
        let (mut orgs, _) = rc.map(rc.registry.localize_organizations(vec![org], choice).await)?;
        Ok(orgs.pop().map(Into::into))
    }

    /// Lessons learned across the registry that the caller may read (as
    /// `GET /api/v1/lessons`): newest first, or the most relevant first with `search`.
    #[graphql(complexity = "cost(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn lessons(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        tag: Option<String>,
        initiative: Option<Uuid>,
        scope: Option<Scope>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(
            desc = "The language of the texts (a BCP 47 tag, `*` for every translation), as REST's `lang=`"
        )]
        lang: Option<String>,
    ) -> async_graphql::Result<LessonConnection> {
        let rc = request(ctx)?;
        let choice = rc.map(service::language::ask(lang.as_deref(), None))?;
        let settings = rc.registry.settings();
        let paging = Paging::new(
            Args {
                first,
                after: after.as_deref(),
                ..Args::default()
            },
            settings.default_page_size,
            settings.max_page_size,
            false,
        )?;
        let scope = scope.map(Into::into);
        let paged = paging
            .fetch(settings.max_page_size, |ask| {
                let query = LessonSearch {
                    scope,
                    q: search.clone(),
                    tag: tag.clone(),
                    initiative,
                    lang: None,
                    page: ask.page,
                    per_page: Some(ask.per_page),
                };
                async move {
                    let mut page = rc.registry.search_lessons(&rc.caller, query).await?;
                    let (items, _) = rc
                        .registry
                        .localize_lessons(std::mem::take(&mut page.items), choice)
                        .await?;
                    page.items = items;
                    Ok(page)
                }
            })
            .await;
        Ok(rc.map(paged)?.map(Lesson::from).into())
    }

    /// The registry's vocabularies: action lines, SDGs, sectors, roles, journey stages,
    /// spectrum, engagement models and the other enumerations, in canonical order.
    async fn reference_data(&self) -> ReferenceData {
        ReferenceData
    }

    /// One reference vocabulary, entry for entry as `GET /api/v1/reference/{kind}` serves it:
    /// each entry's stable `code` (the value the REST API takes), label and description; the
    /// SDGs with their targets as `children`. `lang` (a BCP 47 tag, or `*` for every
    /// translation) chooses the language, as REST's `lang=`; English when omitted.
    async fn reference(
        &self,
        ctx: &Context<'_>,
        kind: ReferenceKind,
        lang: Option<String>,
    ) -> async_graphql::Result<Vec<ReferenceEntry>> {
        let rc = request(ctx)?;
        let choice = rc.map(service::language::choose(lang.as_deref(), None))?;
        Ok(reference::localized(kind.into(), choice)
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
