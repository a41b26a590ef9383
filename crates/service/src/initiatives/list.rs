//! Finding initiatives: filters, full-text search, sorting and paging.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    enums::{
        EngagementModel, InitiativeKind, JourneyStage, Lever, Outcome, PartnerStatus, Scale,
        Sector, Spectrum, Visibility,
    },
    initiative, initiative_partner, initiative_tag, organization,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, EntityTrait, ExprTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, Query, SimpleExpr},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    derived::{self, ReportingStatus},
    document,
    store::{TAG_ACTION_LINE, TAG_COUNTRY, TAG_LEVER, TAG_SDG_GOAL},
    views::Initiative,
};
use crate::{
    Caller, Registry,
    country::CountryCode,
    error::{ServiceError, ServiceResult},
    organizations::Scope,
    pagination::{Page, PageRequest},
    reference, search,
};

/// Sort keys; a leading `-` sorts descending. `relevance` needs `q`. Ties break by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
pub enum InitiativeSort {
    #[serde(rename = "title")]
    Title,
    #[serde(rename = "-title")]
    TitleDesc,
    #[serde(rename = "start_date")]
    StartDate,
    #[serde(rename = "-start_date")]
    StartDateDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
    #[serde(rename = "relevance")]
    Relevance,
}

/// Filters, search, sorting and paging of the initiative list. Unknown parameters are refused.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeQuery {
    /// `tenant` (members' default), `public`, or `all` (own tenant plus every public one).
    pub scope: Option<Scope>,
    /// Full-text search over title, summary, description and lessons; every word must match.
    pub q: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// WSIS action line code (`C2`, `C7.e-health`).
    pub action_line: Option<String>,
    /// SDG goal number.
    pub sdg: Option<u8>,
    /// A lever the initiative brings to bear.
    pub lever: Option<Lever>,
    /// A sector present among the active partners.
    pub sector: Option<Sector>,
    /// An organisation taking part (any partner status).
    pub organization: Option<Uuid>,
    pub stage: Option<JourneyStage>,
    pub kind: Option<InitiativeKind>,
    pub spectrum: Option<Spectrum>,
    pub engagement_model: Option<EngagementModel>,
    pub scale: Option<Scale>,
    pub outcome: Option<Outcome>,
    pub reporting_status: Option<ReportingStatus>,
    pub visibility: Option<Visibility>,
    /// Start date on or after.
    pub start_from: Option<NaiveDate>,
    /// Start date on or before.
    pub start_to: Option<NaiveDate>,
    /// End date on or after.
    pub end_from: Option<NaiveDate>,
    /// End date on or before.
    pub end_to: Option<NaiveDate>,
    /// Changed at or after: an RFC 3339 date-time, or a date (midnight UTC).
    #[serde(default, deserialize_with = "crate::validation::optional_timestamp")]
    pub updated_since: Option<DateTime<Utc>>,
    /// `title` (default), `start_date`, `updated_at`, `relevance` (default with `q`); `-` for descending.
    pub sort: Option<InitiativeSort>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

fn id_in(sub: sea_orm::sea_query::SelectStatement) -> SimpleExpr {
    Expr::col((initiative::Entity, initiative::Column::Id)).in_subquery(sub)
}

fn tagged(kind: &str, value: String) -> SimpleExpr {
    id_in(
        Query::select()
            .column(initiative_tag::Column::InitiativeId)
            .from(initiative_tag::Entity)
            .and_where(Expr::col(initiative_tag::Column::Kind).eq(kind))
            .and_where(Expr::col(initiative_tag::Column::Value).eq(value))
            .to_owned(),
    )
}

impl Registry {
    /// Lists the initiatives the caller may read. Answers come from the read cache while no
    /// write has happened since (`read_cache`): what the list shows depends on the data, the
    /// date, the caller's tenant and the query alone.
    pub async fn list_initiatives(
        &self,
        caller: &Caller,
        query: InitiativeQuery,
    ) -> ServiceResult<Page<Initiative>> {
        let key = format!("initiatives:{:?}:{query:?}", caller.tenant_id());
        self.cached(key, || self.list_initiatives_uncached(caller, query))
            .await
    }

    async fn list_initiatives_uncached(
        &self,
        caller: &Caller,
        query: InitiativeQuery,
    ) -> ServiceResult<Page<Initiative>> {
        let request = PageRequest::new(query.page, query.per_page, self.settings())?;
        let (mut select, terms) = self.filtered_initiatives(caller, &query)?;
        if let Some(indexed) = indexed_tag_list(caller, &query)? {
            return self.list_by_tag(indexed, request).await;
        }
        // The total counts ids of the filtered set, unsorted: no ORDER BY for the database to
        // honour and no columns to carry.
        let counted = select
            .clone()
            .select_only()
            .column(initiative::Column::Id)
            .into_tuple::<Uuid>();
        let sort = match query.sort {
            Some(InitiativeSort::Relevance) if terms.is_empty() => {
                return Err(ServiceError::bad_parameter("sort", "relevance needs q"));
            }
            Some(sort) => sort,
            None if !terms.is_empty() => InitiativeSort::Relevance,
            None => InitiativeSort::Title,
        };
        select = match sort {
            InitiativeSort::Title => select.order_by_asc(initiative::Column::TitleKey),
            InitiativeSort::TitleDesc => select.order_by_desc(initiative::Column::TitleKey),
            InitiativeSort::StartDate => select.order_by_asc(initiative::Column::StartDate),
            InitiativeSort::StartDateDesc => select.order_by_desc(initiative::Column::StartDate),
            InitiativeSort::UpdatedAt => select.order_by_asc(initiative::Column::UpdatedAt),
            InitiativeSort::UpdatedAtDesc => select.order_by_desc(initiative::Column::UpdatedAt),
            InitiativeSort::Relevance => {
                return self.list_by_relevance(select, &terms, request).await;
            }
        }
        .order_by_asc(initiative::Column::Id);

        let total = counted.count(self.db()).await?;
        let page = select.offset(request.offset()).limit(request.per_page);
        let items = document::items(self.db(), page, self.settings()).await?;
        Ok(Page::new(items, request, total))
    }

    /// A search sorted by relevance: the filtered ids in title order, each given its rank from
    /// one pass of the full-text index, sorted by rank (stable, so equal ranks stay in title
    /// order); then the page's rows.
    async fn list_by_relevance(
        &self,
        filtered: sea_orm::Select<initiative::Entity>,
        terms: &[String],
        request: PageRequest,
    ) -> ServiceResult<Page<Initiative>> {
        let candidates: Vec<Uuid> = filtered
            .select_only()
            .column(initiative::Column::Id)
            .order_by_asc(initiative::Column::TitleKey)
            .order_by_asc(initiative::Column::Id)
            .into_tuple()
            .all(self.db())
            .await?;
        let (total, page) = search::ranked_page(self.db(), terms, candidates, &request).await?;
        let items = document::items_by_id(self.db(), &page, self.settings()).await?;
        Ok(Page::new(items, request, total))
    }

    /// The API views of stored rows, in their order (from their documents).
    pub(crate) async fn views(
        &self,
        rows: Vec<initiative::Model>,
    ) -> ServiceResult<Vec<Initiative>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        document::items_by_id(self.db(), &ids, self.settings()).await
    }

    /// One tag within one tenant (or among public initiatives), by title: a range scan of the
    /// tag table's sort-key index, and an index-only count.
    async fn list_by_tag(
        &self,
        indexed: IndexedTagList,
        request: PageRequest,
    ) -> ServiceResult<Page<Initiative>> {
        let mut keys = initiative_tag::Entity::find()
            .select_only()
            .column(initiative_tag::Column::InitiativeId)
            .filter(initiative_tag::Column::Kind.eq(indexed.kind))
            .filter(initiative_tag::Column::Value.eq(indexed.value));
        keys = match indexed.tenant {
            Some(tenant) => keys.filter(initiative_tag::Column::TenantId.eq(tenant)),
            None => keys.filter(initiative_tag::Column::IsPublic.eq(true)),
        };
        let total = keys.clone().into_tuple::<Uuid>().count(self.db()).await?;
        let order = if indexed.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        let page = keys
            .order_by(initiative_tag::Column::TitleKey, order)
            .order_by_asc(initiative_tag::Column::InitiativeId)
            .offset(request.offset())
            .limit(request.per_page);
        let items = document::items_of_tags(self.db(), page, self.settings()).await?;
        Ok(Page::new(items, request, total))
    }

    /// The initiatives the caller may read that match the query's filters and search, unsorted
    /// and unpaged, with the search terms (shared by the list and the bulk export).
    pub(crate) fn filtered_initiatives(
        &self,
        caller: &Caller,
        query: &InitiativeQuery,
    ) -> ServiceResult<(sea_orm::Select<initiative::Entity>, Vec<String>)> {
        let backend = self.db().get_database_backend();
        let scope =
            crate::tenancy::Coverage::listed(caller, query.scope).condition::<initiative::Entity>();
        let mut select = initiative::Entity::find().filter(scope);
        for (kind, value) in tag_filters(query)? {
            select = select.filter(tagged(kind, value));
        }
        if let Some(sector) = query.sector {
            select = select.filter(id_in(
                Query::select()
                    .column((
                        initiative_partner::Entity,
                        initiative_partner::Column::InitiativeId,
                    ))
                    .from(initiative_partner::Entity)
                    .inner_join(
                        organization::Entity,
                        Expr::col((organization::Entity, organization::Column::Id)).equals((
                            initiative_partner::Entity,
                            initiative_partner::Column::OrganizationId,
                        )),
                    )
                    .and_where(
                        Expr::col((
                            initiative_partner::Entity,
                            initiative_partner::Column::Status,
                        ))
                        .eq(PartnerStatus::Active.to_value()),
                    )
                    .and_where(
                        Expr::col((organization::Entity, organization::Column::Sector))
                            .eq(sector.to_value()),
                    )
                    .to_owned(),
            ));
        }
        if let Some(org) = query.organization {
            select = select.filter(id_in(
                Query::select()
                    .column(initiative_partner::Column::InitiativeId)
                    .from(initiative_partner::Entity)
                    .and_where(Expr::col(initiative_partner::Column::OrganizationId).eq(org))
                    .to_owned(),
            ));
        }
        if let Some(v) = query.stage {
            select = select.filter(initiative::Column::Stage.eq(v));
        }
        if let Some(v) = query.kind {
            select = select.filter(initiative::Column::Kind.eq(v));
        }
        if let Some(v) = query.spectrum {
            select = select.filter(initiative::Column::Spectrum.eq(v));
        }
        if let Some(v) = query.engagement_model {
            select = select.filter(initiative::Column::EngagementModel.eq(v));
        }
        if let Some(v) = query.scale {
            select = select.filter(initiative::Column::Scale.eq(v));
        }
        if let Some(v) = query.outcome {
            select = select.filter(initiative::Column::Outcome.eq(v));
        }
        if let Some(v) = query.visibility {
            select = select.filter(initiative::Column::Visibility.eq(v));
        }
        if let Some(status) = query.reporting_status {
            select = select.filter(reporting_condition(status, self.settings()));
        }
        if let Some(d) = query.start_from {
            select = select.filter(initiative::Column::StartDate.gte(d));
        }
        if let Some(d) = query.start_to {
            select = select.filter(initiative::Column::StartDate.lte(d));
        }
        if let Some(d) = query.end_from {
            select = select.filter(initiative::Column::EndDate.gte(d));
        }
        if let Some(d) = query.end_to {
            select = select.filter(initiative::Column::EndDate.lte(d));
        }
        if let Some(since) = query.updated_since {
            select = select.filter(initiative::Column::UpdatedAt.gte(since));
        }
        let terms = match query.q.as_deref() {
            Some(q) if q.chars().count() > 500 => {
                return Err(ServiceError::bad_parameter(
                    "q",
                    "must be at most 500 characters",
                ));
            }
            Some(q) => search::terms(q),
            None => Vec::new(),
        };
        let id_column = match backend {
            sea_orm::DatabaseBackend::Postgres => "\"initiative\".\"id\"",
            _ => "\"initiative\".\"id\"",
        };
        if query.q.is_some() {
            if terms.is_empty() {
                return Err(ServiceError::bad_parameter("q", "needs at least one word"));
            }
            select = select.filter(search::matches(backend, id_column, &terms));
        }
        Ok((select, terms))
    }
}

/// The tag filters of a query, checked: `(kind, value)` pairs.
fn tag_filters(query: &InitiativeQuery) -> ServiceResult<Vec<(&'static str, String)>> {
    let mut tags = Vec::new();
    if let Some(country) = query.country.as_deref() {
        let code =
            CountryCode::parse(country).map_err(|m| ServiceError::bad_parameter("country", m))?;
        tags.push((TAG_COUNTRY, code.as_str().to_owned()));
    }
    if let Some(line) = query.action_line.as_deref() {
        let line = reference::action_line(line).ok_or_else(|| {
            ServiceError::bad_parameter("action_line", "not a WSIS action line code")
        })?;
        tags.push((TAG_ACTION_LINE, line.code.to_owned()));
    }
    if let Some(goal) = query.sdg {
        if !(1..=17).contains(&goal) {
            return Err(ServiceError::bad_parameter(
                "sdg",
                "SDG goals are numbered 1 to 17",
            ));
        }
        tags.push((TAG_SDG_GOAL, goal.to_string()));
    }
    if let Some(lever) = query.lever {
        tags.push((TAG_LEVER, crate::codes::code(&lever)));
    }
    Ok(tags)
}

/// A list the tag table's sort-key indexes answer on their own.
struct IndexedTagList {
    kind: &'static str,
    value: String,
    /// The tenant, or `None` for public initiatives of every tenant.
    tenant: Option<Uuid>,
    descending: bool,
}

/// Whether the query is one tag filter and nothing else, sorted by title, within the caller's
/// tenant or among public initiatives (the portal's commonest query).
fn indexed_tag_list(
    caller: &Caller,
    query: &InitiativeQuery,
) -> ServiceResult<Option<IndexedTagList>> {
    let q = query;
    let only_tag = q.q.is_none()
        && q.sector.is_none()
        && q.organization.is_none()
        && q.stage.is_none()
        && q.kind.is_none()
        && q.spectrum.is_none()
        && q.engagement_model.is_none()
        && q.scale.is_none()
        && q.outcome.is_none()
        && q.reporting_status.is_none()
        && q.visibility.is_none()
        && q.start_from.is_none()
        && q.start_to.is_none()
        && q.end_from.is_none()
        && q.end_to.is_none()
        && q.updated_since.is_none();
    let descending = match q.sort {
        None | Some(InitiativeSort::Title) => false,
        Some(InitiativeSort::TitleDesc) => true,
        Some(_) => return Ok(None),
    };
    let tenant = match (caller.tenant_id(), q.scope.unwrap_or_default()) {
        (None, _) | (Some(_), Scope::Public) => None,
        (Some(tenant), Scope::Tenant) => Some(tenant),
        (Some(_), Scope::All) => return Ok(None),
    };
    let mut tags = tag_filters(q)?;
    if !only_tag || tags.len() != 1 {
        return Ok(None);
    }
    let Some((kind, value)) = tags.pop() else {
        return Ok(None);
    };
    Ok(Some(IndexedTagList {
        kind,
        value,
        tenant,
        descending,
    }))
}

/// The SQL form of a reporting status (see `derived::reporting_status`).
fn reporting_condition(status: ReportingStatus, settings: &crate::Settings) -> Condition {
    let today = Utc::now().date_naive();
    let b = derived::reporting_bounds(today, settings);
    let at = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or_default()
    };
    let last = initiative::Column::LastReportedOn;
    let created = initiative::Column::CreatedAt;
    match status {
        ReportingStatus::OnTrack => Condition::any().add(last.gte(b.due)).add(
            Condition::all()
                .add(last.is_null())
                .add(created.gte(at(b.due))),
        ),
        ReportingStatus::Due => Condition::any()
            .add(
                Condition::all()
                    .add(last.lt(b.due))
                    .add(last.gte(b.overdue)),
            )
            .add(
                Condition::all()
                    .add(last.is_null())
                    .add(created.lt(at(b.due)))
                    .add(created.gte(at(b.inactive))),
            ),
        ReportingStatus::Overdue => Condition::all().add(last.lt(b.overdue)),
        ReportingStatus::Inactive => Condition::all()
            .add(last.is_null())
            .add(created.lt(at(b.inactive))),
    }
}
