//! Finding initiatives: filters, full-text search, sorting and paging.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agreement,
    enums::{
        AgreementStatus, EngagementModel, InitiativeKind, JourneyStage, Lever, Outcome,
        PartnerStatus, PartnershipForm, Scale, Sector, Spectrum, Visibility,
    },
    initiative, initiative_partner, initiative_tag, organization,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, Order,
    PaginatorTrait, QueryFilter, QuerySelect, QueryTrait,
    sea_query::{Expr, Query, SimpleExpr},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    derived::{self, ReportingStatus},
    document,
    document::ItemJson,
    store::{TAG_ACTION_LINE, TAG_COUNTRY, TAG_LEVER, TAG_SDG_GOAL, TAG_SDG_TARGET},
    views::Initiative,
};
use crate::{
    Caller, Registry,
    country::CountryCode,
    error::{ServiceError, ServiceResult},
    organizations::Scope,
    pagination::{CountMode, CursorParams, Page, PageRequest, Position},
    reference, search, validation,
};

use super::keyset::{self, Keyset, Sorting};

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
    /// Search over title, summary, description, outcome summary and lessons, in the six UN
    /// languages: every word must match (stemmed, accents and case folded, Chinese segmented),
    /// the last word also as a prefix (type-ahead), one typo tolerated when the exact words
    /// find few; `"a phrase"` in quotes, `-word` to exclude. Sorted by relevance unless `sort`
    /// says otherwise; the answer's `search` holds each hit's snippets and the facets.
    pub q: Option<String>,
    /// ISO 3166-1 alpha-2 codes, comma-separated: any of them (`BR,ZA`).
    pub country: Option<String>,
    /// WSIS action line codes (`C2`, `C7.e-health`), comma-separated: any of them. A main line
    /// takes in its sub-lines (`C7` finds `C7.e-business`); a sub-line matches only itself.
    pub action_line: Option<String>,
    /// SDG goal numbers (1 to 17), comma-separated: any of them (`4,5`).
    pub sdg: Option<String>,
    /// SDG target codes (`4.1`, `9.c`), comma-separated: any of them.
    pub sdg_target: Option<String>,
    /// Levers the initiative brings to bear (values of `Lever`), comma-separated: any of them.
    pub lever: Option<String>,
    /// A sector present among the active partners.
    pub sector: Option<Sector>,
    /// An organisation taking part (any partner status).
    pub organization: Option<Uuid>,
    pub stage: Option<JourneyStage>,
    pub kind: Option<InitiativeKind>,
    pub spectrum: Option<Spectrum>,
    pub engagement_model: Option<EngagementModel>,
    /// The partnership's form.
    pub form: Option<PartnershipForm>,
    /// Initiatives with at least one agreement of this status.
    pub agreement_status: Option<AgreementStatus>,
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
    /// Sort keys, comma-separated, each `title`, `start_date` or `updated_at`, with a leading
    /// `-` for descending (`-start_date,title`); ties break by id. Default `title`, or
    /// `relevance` (alone, only with `q`) when searching. A missing start date sorts as the
    /// latest.
    pub sort: Option<String>,
    /// Page number, from 1, for the first pages (up to 10,000 rows deep): follow `next_cursor`
    /// (`after`) beyond.
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// The `next_cursor` of the page before: the page that follows it.
    pub after: Option<String>,
    /// The `prev_cursor` of the page after: the page that precedes it.
    pub before: Option<String>,
    /// `exact` (default), `estimated` (the planner's estimate on PostgreSQL) or `none` (no
    /// total: fastest).
    pub count: Option<CountMode>,
    /// Sparse fieldset: only these fields of each item, comma-separated (`id,title,countries`);
    /// `id` is always kept. Names are the fields of `Initiative`.
    pub fields: Option<String>,
    /// `linked`: initiatives confirmed as one partnership (duplicate links) appear once, as the
    /// oldest of them (the lowest id): an initiative confirmed-linked to an older one the list
    /// covers is left out.
    pub collapse: Option<Collapse>,
    /// The language to answer in (BCP 47; `*` adds every translation), over
    /// `Accept-Language`: each text in it where the initiative has it, else the original.
    pub lang: Option<String>,
}

/// How a list folds records that are one partnership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Collapse {
    /// One record per group of confirmed duplicate links.
    Linked,
}

/// How deep a page by number may start; beyond, pages are reached by cursor.
pub const MAX_PAGE_OFFSET: u64 = 10_000;

impl InitiativeQuery {
    /// What identifies the list apart from where a page of it lies (filters and sort).
    fn list_identity(&self, sorting: &Sorting) -> String {
        let filters = InitiativeQuery {
            sort: None,
            page: None,
            per_page: None,
            after: None,
            before: None,
            count: None,
            fields: None,
            lang: None,
            ..self.clone()
        };
        format!("{filters:?}|{sorting:?}")
    }
}

impl InitiativeSort {
    /// The `sort` parameter this sort is written as.
    pub fn as_param(self) -> &'static str {
        match self {
            InitiativeSort::Title => "title",
            InitiativeSort::TitleDesc => "-title",
            InitiativeSort::StartDate => "start_date",
            InitiativeSort::StartDateDesc => "-start_date",
            InitiativeSort::UpdatedAt => "updated_at",
            InitiativeSort::UpdatedAtDesc => "-updated_at",
            InitiativeSort::Relevance => "relevance",
        }
    }
}

fn id_in(sub: sea_orm::sea_query::SelectStatement) -> SimpleExpr {
    Expr::col((initiative::Entity, initiative::Column::Id)).in_subquery(sub)
}

fn tagged(kind: &str, values: Vec<String>) -> SimpleExpr {
    id_in(
        Query::select()
            .column(initiative_tag::Column::InitiativeId)
            .from(initiative_tag::Entity)
            .and_where(Expr::col(initiative_tag::Column::Kind).eq(kind))
            .and_where(Expr::col(initiative_tag::Column::Value).is_in(values))
            .to_owned(),
    )
}

/// The members of a comma-separated filter, without repeats; an empty member is refused.
fn members<'a>(param: &'static str, text: &'a str) -> ServiceResult<Vec<&'a str>> {
    members_up_to(param, text, 50)
}

/// The countries of a comma-separated `country` parameter (any case), as ISO 3166-1 codes
/// without repeats, at most `max` (the list filter's and the showcase table's one reading).
pub(crate) fn country_codes(
    param: &'static str,
    text: &str,
    max: usize,
) -> ServiceResult<Vec<String>> {
    let mut codes: Vec<String> = Vec::new();
    for member in members_up_to(param, text, max)? {
        let code = CountryCode::parse(member)
            .map_err(|m| ServiceError::bad_parameter(param, format!("`{member}`: {m}")))?;
        if !codes.iter().any(|c| c == code.as_str()) {
            codes.push(code.as_str().to_owned());
        }
    }
    Ok(codes)
}

fn members_up_to<'a>(
    param: &'static str,
    text: &'a str,
    max: usize,
) -> ServiceResult<Vec<&'a str>> {
    let mut out: Vec<&str> = Vec::new();
    for member in text.split(',').map(str::trim) {
        if member.is_empty() {
            return Err(ServiceError::bad_parameter(
                param,
                "an empty value in the comma-separated list",
            ));
        }
        if !out.contains(&member) {
            out.push(member);
        }
    }
    if out.len() > max {
        return Err(ServiceError::bad_parameter(
            param,
            format!("at most {max} values"),
        ));
    }
    Ok(out)
}

/// Where a page lies: before or after the next and previous pages.
fn edges(
    position: &Position,
    more: bool,
    first: Option<String>,
    last: Option<String>,
) -> (Option<String>, Option<String>) {
    match position {
        Position::Page(n) => (last.filter(|_| more), first.filter(|_| *n > 1)),
        Position::After(_) => (last.filter(|_| more), first),
        Position::Before(_) => (last, first.filter(|_| more)),
    }
}

impl Registry {
    /// Lists the initiatives the caller may read, each item decoded (GraphQL, the CLI).
    pub async fn list_initiatives(
        &self,
        caller: &Caller,
        query: InitiativeQuery,
    ) -> ServiceResult<Page<Initiative>> {
        let choice = crate::language::ask(query.lang.as_deref(), None)?;
        let query = InitiativeQuery {
            fields: None,
            ..query
        };
        self.list_whole_items(caller, query, true)
            .await?
            .try_map(|item| item.localized(choice)?.decode())
    }

    /// [`Registry::list_initiatives`] with each item as the stored JSON, passed through (the
    /// REST list), keeping only the fields of `fields` when it is given.
    pub async fn list_initiative_items(
        &self,
        caller: &Caller,
        query: InitiativeQuery,
    ) -> ServiceResult<Page<ItemJson>> {
        let fields = query
            .fields
            .as_deref()
            .map(|f| super::Fieldset::parse(f, false))
            .transpose()?;
        let page = self.list_whole_items(caller, query, false).await?;
        match fields {
            Some(fields) => page.try_map(|item| item.keep(&fields)),
            None => Ok(page),
        }
    }

    /// The page of items, every field; with `each_cursor`, every item's cursor too (where the
    /// list is paged by keys), not only the cursors on from the page's ends.
    async fn list_whole_items(
        &self,
        caller: &Caller,
        query: InitiativeQuery,
        each_cursor: bool,
    ) -> ServiceResult<Page<ItemJson>> {
        let request = PageRequest::new(query.page, query.per_page, self.settings())?;
        let position = CursorParams {
            after: query.after.clone(),
            before: query.before.clone(),
            count: query.count,
        }
        .position(query.page)?;
        let count = query.count.unwrap_or_default();
        let parsed = query
            .q
            .as_deref()
            .map(|q| search::parse_q(q, "q"))
            .transpose()?;
        let sorting = Sorting::parse(query.sort.as_deref(), parsed.is_some())?;
        let keys = match &sorting {
            Sorting::Relevance => {
                if !matches!(position, Position::Page(_)) {
                    return Err(ServiceError::bad_parameter(
                        if query.after.is_some() {
                            "after"
                        } else {
                            "before"
                        },
                        "a search sorted by relevance is paged by page number",
                    ));
                }
                let Some(parsed) = parsed else {
                    return Err(ServiceError::bad_parameter("sort", "relevance needs q"));
                };
                return self
                    .list_by_relevance(caller, &query, parsed, request, count)
                    .await;
            }
            Sorting::Keys(keys) => keys.clone(),
        };
        if matches!(position, Position::Page(_)) && request.offset() > MAX_PAGE_OFFSET {
            return Err(ServiceError::bad_parameter(
                "page",
                format!(
                    "pages by number reach the first {MAX_PAGE_OFFSET} rows; beyond, follow the `next` link (after=)"
                ),
            ));
        }
        let select = self.filtered_initiatives(caller, &query).await?;
        let fingerprint = keyset::fingerprint(&query.list_identity(&sorting));
        let beyond = match &position {
            Position::Page(_) => None,
            Position::After(c) => Some(keyset::values_of(c, &keys, &fingerprint, "after")?),
            Position::Before(c) => Some(keyset::values_of(c, &keys, &fingerprint, "before")?),
        };
        let backwards = matches!(position, Position::Before(_));
        let window = Window {
            position: &position,
            beyond: beyond.as_deref(),
            backwards,
            request,
            each_cursor,
        };
        if let Some(indexed) = indexed_tag_list(caller, &query, &keys)? {
            let (total, items) = self.tag_page(&indexed, &window, count).await?;
            return Ok(keyset_page(
                items,
                &window,
                &keys,
                &fingerprint,
                count,
                total,
            ));
        }

        let total = match (count, unfiltered(caller, &query)?) {
            // An unfiltered list's exact total is one row of the counts, not a scan of the index.
            (CountMode::Exact | CountMode::Estimated, Some(tenant)) => Some(
                super::tag_count::total(
                    self.db(),
                    tenant,
                    super::tag_count::EVERY.0,
                    super::tag_count::EVERY.1,
                )
                .await?,
            ),
            _ => {
                self.count_rows(select.clone(), initiative::Column::Id, count)
                    .await?
            }
        };
        let keyset = Keyset::of(&keys);
        let mut select = keyset.order(select, backwards);
        if let Some(values) = window.beyond {
            select = select.filter(keyset.beyond(values, backwards));
        }
        if matches!(position, Position::Page(_)) {
            select = select.offset(request.offset());
        }
        let items = document::items(
            self.db(),
            select.limit(request.per_page + 1),
            self.settings(),
        )
        .await?;
        Ok(keyset_page(
            items,
            &window,
            &keys,
            &fingerprint,
            count,
            total,
        ))
    }

    /// How many rows `select` gives, as `mode` asks: counted (ids only, unsorted), the
    /// planner's estimate on PostgreSQL (counted on SQLite), or not at all.
    async fn count_rows<E: EntityTrait>(
        &self,
        select: sea_orm::Select<E>,
        id: E::Column,
        mode: CountMode,
    ) -> ServiceResult<Option<u64>> {
        let ids = select.select_only().column(id);
        let backend = self.db().get_database_backend();
        match mode {
            CountMode::None => Ok(None),
            CountMode::Estimated if backend == sea_orm::DatabaseBackend::Postgres => {
                let statement = ids.build(backend);
                let explain = sea_orm::Statement::from_sql_and_values(
                    backend,
                    format!("EXPLAIN (FORMAT JSON) {}", statement.sql),
                    statement.values.map(|v| v.0).unwrap_or_default(),
                );
                let plan: Option<serde_json::Value> = match self.db().query_one_raw(explain).await?
                {
                    Some(row) => row.try_get("", "QUERY PLAN").ok(),
                    None => None,
                };
                let rows = plan
                    .as_ref()
                    .and_then(|p| p.pointer("/0/Plan/Plan Rows"))
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or_default();
                Ok(Some(rows.max(0.0).round() as u64))
            }
            _ => Ok(Some(ids.into_tuple::<Uuid>().count(self.db()).await?)),
        }
    }

    /// A search sorted by relevance: the index ranks the matches (every filter, the caller's
    /// coverage included, is part of its query) and counts them and their facets; the page's
    /// documents are then read by id.
    async fn list_by_relevance(
        &self,
        caller: &Caller,
        query: &InitiativeQuery,
        parsed: search::query::Parsed,
        request: PageRequest,
        count: CountMode,
    ) -> ServiceResult<Page<ItemJson>> {
        if request.offset() > MAX_PAGE_OFFSET {
            return Err(ServiceError::bad_parameter(
                "page",
                format!("a search reaches its first {MAX_PAGE_OFFSET} hits; narrow it"),
            ));
        }
        let mut search = self.initiative_search(caller, query, parsed).await?;
        search.offset = usize::try_from(request.offset()).unwrap_or(usize::MAX);
        search.limit = usize::try_from(request.per_page).unwrap_or(usize::MAX);
        search.facets = true;
        let found = self.search().search(&search).await?;
        let ids: Vec<Uuid> = found.hits.iter().map(|h| h.id).collect();
        let items = document::items_by_id(self.db(), &ids, self.settings()).await?;
        // A record deleted since the index answered has no document: its hit goes too.
        let kept: std::collections::HashSet<Uuid> = items.iter().map(ItemJson::id).collect();
        let hits = found
            .hits
            .into_iter()
            .filter(|h| kept.contains(&h.id))
            .collect();
        let mut page = Page::new(items, request, found.total);
        if count == CountMode::None {
            page.total = None;
            page.total_pages = None;
        }
        page.count = count;
        page.search = Some(search::SearchInfo {
            hits,
            facets: found.facets,
        });
        Ok(page)
    }

    /// The index search of a list query: its words, the caller's coverage, and every filter —
    /// those the index holds as its clauses, the others (reporting status, linked records)
    /// as the set of initiatives the database finds for them.
    pub(crate) async fn initiative_search(
        &self,
        caller: &Caller,
        query: &InitiativeQuery,
        parsed: search::query::Parsed,
    ) -> ServiceResult<search::Request> {
        use crate::codes::code;
        date_filters(query)?;
        let coverage = crate::tenancy::Coverage::listed(caller, query.scope);
        let mut tags: Vec<(&'static str, Vec<String>)> = tag_filters(query)?;
        let mut one = |root: &'static str, value: Option<String>| {
            if let Some(v) = value {
                tags.push((root, vec![v]));
            }
        };
        one("sector", query.sector.map(|v| code(&v)));
        one("organization", query.organization.map(|v| v.to_string()));
        one("stage", query.stage.map(|v| code(&v)));
        one("kind", query.kind.map(|v| code(&v)));
        one("spectrum", query.spectrum.map(|v| code(&v)));
        one("engagement_model", query.engagement_model.map(|v| code(&v)));
        one("form", query.form.map(|v| code(&v)));
        one("agreement_status", query.agreement_status.map(|v| code(&v)));
        one("scale", query.scale.map(|v| code(&v)));
        one("outcome", query.outcome.map(|v| code(&v)));
        one("visibility", query.visibility.map(|v| code(&v)));
        let days = |d: Option<NaiveDate>| d.map(search::day_number);
        let dates = [
            (
                search::DateField::StartDate,
                days(query.start_from),
                days(query.start_to),
            ),
            (
                search::DateField::EndDate,
                days(query.end_from),
                days(query.end_to),
            ),
            (
                search::DateField::UpdatedAt,
                query.updated_since.map(|t| t.timestamp()),
                None,
            ),
        ]
        .into_iter()
        .filter(|(_, from, to)| from.is_some() || to.is_some())
        .map(|(field, from, to)| search::DateRange { field, from, to })
        .collect();
        let only = if query.reporting_status.is_some() || query.collapse.is_some() {
            let mut select =
                initiative::Entity::find().filter(coverage.condition::<initiative::Entity>());
            if query.collapse == Some(Collapse::Linked) {
                select = select.filter(crate::duplicates::links::not_collapsed(coverage));
            }
            if let Some(status) = query.reporting_status {
                select = select.filter(reporting_condition(status, self.settings()));
            }
            Some(
                select
                    .select_only()
                    .column(initiative::Column::Id)
                    .into_tuple::<Uuid>()
                    .all(self.db())
                    .await?,
            )
        } else {
            None
        };
        Ok(search::Request {
            kind: search::DocKind::Initiative,
            parsed,
            coverage,
            tags,
            dates,
            only,
            initiative: None,
            slots: search::schema::Slot::ALL.to_vec(),
            offset: 0,
            limit: 0,
            facets: false,
        })
    }

    /// The API views of stored rows, in their order (from their documents).
    pub(crate) async fn views(
        &self,
        rows: Vec<initiative::Model>,
    ) -> ServiceResult<Vec<Initiative>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        document::items_by_id(self.db(), &ids, self.settings())
            .await?
            .iter()
            .map(ItemJson::decode)
            .collect()
    }

    /// One tag value within one tenant (or among public initiatives), by title: the page's
    /// ids from a range scan of the tag table's sort-key index (after the cursor's title key
    /// and id, or from the page's offset), and the total from the tag counts.
    async fn tag_page(
        &self,
        indexed: &IndexedTagList,
        window: &Window<'_>,
        count: CountMode,
    ) -> ServiceResult<(Option<u64>, Vec<ItemJson>)> {
        let mut keys = initiative_tag::Entity::find()
            .filter(initiative_tag::Column::Kind.eq(indexed.kind))
            .filter(initiative_tag::Column::Value.eq(indexed.value.clone()));
        keys = match indexed.tenant {
            Some(tenant) => keys.filter(initiative_tag::Column::TenantId.eq(tenant)),
            None => keys.filter(initiative_tag::Column::IsPublic.eq(true)),
        };
        // The exact total costs one row of the tag counts, less than an estimate would.
        let total = match count {
            CountMode::None => None,
            CountMode::Exact | CountMode::Estimated => Some(
                super::tag_count::total(self.db(), indexed.tenant, indexed.kind, &indexed.value)
                    .await?,
            ),
        };
        let keyset = Keyset {
            columns: [
                initiative_tag::Column::TitleKey,
                initiative_tag::Column::InitiativeId,
            ]
            .into_iter()
            .map(|c| {
                (
                    Expr::col((initiative_tag::Entity, c)),
                    indexed.order.clone(),
                )
            })
            .collect(),
        };
        let mut keys = keyset.order(keys, window.backwards);
        if let Some(values) = window.beyond {
            keys = keys.filter(keyset.beyond(values, window.backwards));
        }
        if matches!(window.position, Position::Page(_)) {
            keys = keys.offset(window.request.offset());
        }
        let items = document::items_of_tags(
            self.db(),
            keys.limit(window.request.per_page + 1),
            self.settings(),
        )
        .await?;
        Ok((total, items))
    }

    /// The initiatives the caller may read that match the query's filters and search, unsorted
    /// and unpaged, with the search terms (shared by the list and the bulk export).
    pub(crate) async fn filtered_initiatives(
        &self,
        caller: &Caller,
        query: &InitiativeQuery,
    ) -> ServiceResult<sea_orm::Select<initiative::Entity>> {
        let scope =
            crate::tenancy::Coverage::listed(caller, query.scope).condition::<initiative::Entity>();
        let mut select = initiative::Entity::find().filter(scope.clone());
        if query.collapse == Some(Collapse::Linked) {
            select = select.filter(crate::duplicates::links::not_collapsed(
                crate::tenancy::Coverage::listed(caller, query.scope),
            ));
        }
        date_filters(query)?;
        for (kind, values) in tag_filters(query)? {
            select = select.filter(tagged(kind, values));
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
        if let Some(v) = query.form {
            select = select.filter(initiative::Column::Form.eq(v));
        }
        if let Some(status) = query.agreement_status {
            select = select.filter(id_in(
                Query::select()
                    .column(agreement::Column::InitiativeId)
                    .from(agreement::Entity)
                    .and_where(Expr::col(agreement::Column::Status).eq(status.to_value()))
                    .to_owned(),
            ));
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
        if let Some(q) = query.q.as_deref() {
            // Sorted by other keys than relevance: the index names the matches, the database
            // sorts and pages them.
            let parsed = search::parse_q(q, "q")?;
            let search = self.initiative_search(caller, query, parsed).await?;
            let ids = self.search().all_ids(&search).await?;
            if ids.len() > search::MAX_ID_LIST {
                return Err(ServiceError::bad_parameter(
                    "q",
                    format!(
                        "more than {} matches: a search this wide is listed by relevance only (leave `sort` out), and not exported; narrow it",
                        search::MAX_ID_LIST
                    ),
                ));
            }
            select = select.filter(initiative::Column::Id.is_in(ids));
        }
        Ok(select)
    }
}

/// The checks of a list query that need no database: its date and tag filters, the length and words of
/// `q`, and `sort` (the same functions the list runs, in its order). The fuzz target
/// `query_string` (fuzz/) reaches them through `crate::fuzzing`.
pub(crate) fn check_query(query: &InitiativeQuery) -> ServiceResult<()> {
    date_filters(query)?;
    tag_filters(query)?;
    let parsed = query
        .q
        .as_deref()
        .map(|q| search::parse_q(q, "q"))
        .transpose()?;
    Sorting::parse(query.sort.as_deref(), parsed.is_some())?;
    Ok(())
}

/// The date filters of a query, each a date a column can be compared with.
fn date_filters(query: &InitiativeQuery) -> ServiceResult<()> {
    for (name, day) in [
        ("start_from", query.start_from),
        ("start_to", query.start_to),
        ("end_from", query.end_from),
        ("end_to", query.end_to),
    ] {
        if day.is_some_and(|d| !validation::date_fits(d)) {
            return Err(ServiceError::bad_parameter(name, validation::DATES_MESSAGE));
        }
    }
    Ok(())
}

/// The tag filters of a query, checked: each kind with the values any of which it takes.
fn tag_filters(query: &InitiativeQuery) -> ServiceResult<Vec<(&'static str, Vec<String>)>> {
    let mut tags = Vec::new();
    if let Some(text) = query.country.as_deref() {
        tags.push((TAG_COUNTRY, country_codes("country", text, 50)?));
    }
    if let Some(text) = query.action_line.as_deref() {
        let mut codes = Vec::new();
        for line in members("action_line", text)? {
            let found = reference::action_lines_matching(line).ok_or_else(|| {
                ServiceError::bad_parameter(
                    "action_line",
                    format!("`{line}` is not a WSIS action line code"),
                )
            })?;
            for code in found {
                if !codes.iter().any(|c| c == code) {
                    codes.push(code.to_owned());
                }
            }
        }
        tags.push((TAG_ACTION_LINE, codes));
    }
    if let Some(text) = query.sdg.as_deref() {
        let mut goals = Vec::new();
        for goal in members("sdg", text)? {
            match goal.parse::<u8>() {
                Ok(n) if (1..=17).contains(&n) => goals.push(n.to_string()),
                _ => {
                    return Err(ServiceError::bad_parameter(
                        "sdg",
                        format!("`{goal}`: SDG goals are numbered 1 to 17"),
                    ));
                }
            }
        }
        tags.push((TAG_SDG_GOAL, goals));
    }
    if let Some(text) = query.sdg_target.as_deref() {
        let mut targets = Vec::new();
        for target in members("sdg_target", text)? {
            let Some(code) = reference::sdg_target(target) else {
                return Err(ServiceError::bad_parameter(
                    "sdg_target",
                    format!("`{target}` is not an SDG target (e.g. 4.1, 9.c)"),
                ));
            };
            targets.push(code);
        }
        tags.push((TAG_SDG_TARGET, targets));
    }
    if let Some(text) = query.lever.as_deref() {
        let mut levers = Vec::new();
        for lever in members("lever", text)? {
            let value: Lever = crate::codes::from_code(lever).ok_or_else(|| {
                ServiceError::bad_parameter("lever", format!("`{lever}` is not a lever"))
            })?;
            levers.push(crate::codes::code(&value));
        }
        tags.push((TAG_LEVER, levers));
    }
    Ok(tags)
}

/// A list the tag table's sort-key indexes answer on their own.
struct IndexedTagList {
    kind: &'static str,
    value: String,
    /// The tenant, or `None` for public initiatives of every tenant.
    tenant: Option<Uuid>,
    order: Order,
}

/// Where a keyset page lies and what bounds it.
struct Window<'a> {
    position: &'a Position,
    /// The cursor's key values, to read beyond.
    beyond: Option<&'a [sea_orm::sea_query::Value]>,
    /// Read before the cursor, in reverse list order.
    backwards: bool,
    request: PageRequest,
    /// Give every item's cursor (GraphQL's edges), not only the page's ends'.
    each_cursor: bool,
}

/// Whether the query filters by nothing but tags (or by nothing at all).
fn only_tag_filters(q: &InitiativeQuery) -> bool {
    q.q.is_none()
        && q.collapse.is_none()
        && q.sector.is_none()
        && q.organization.is_none()
        && q.stage.is_none()
        && q.kind.is_none()
        && q.spectrum.is_none()
        && q.engagement_model.is_none()
        && q.form.is_none()
        && q.agreement_status.is_none()
        && q.scale.is_none()
        && q.outcome.is_none()
        && q.reporting_status.is_none()
        && q.visibility.is_none()
        && q.start_from.is_none()
        && q.start_to.is_none()
        && q.end_from.is_none()
        && q.end_to.is_none()
        && q.updated_since.is_none()
}

/// Whose initiatives the counts answer for: one tenant's (`Some`), or the public ones of every
/// tenant (`None`); `None` outright for own-plus-public (`scope=all`), which no count row holds.
fn counted_scope(caller: &Caller, q: &InitiativeQuery) -> Option<Option<Uuid>> {
    match (caller.tenant_id(), q.scope.unwrap_or_default()) {
        (None, _) | (Some(_), Scope::Public) => Some(None),
        (Some(tenant), Scope::Tenant) => Some(Some(tenant)),
        (Some(_), Scope::All) => None,
    }
}

/// For a query without any filter, whose initiatives its total counts (see `counted_scope`).
fn unfiltered(caller: &Caller, q: &InitiativeQuery) -> ServiceResult<Option<Option<Uuid>>> {
    if !only_tag_filters(q) || !tag_filters(q)?.is_empty() {
        return Ok(None);
    }
    Ok(counted_scope(caller, q))
}

/// The one tag value the query filters by, if it is that and nothing else, sorted by title
/// alone, within the caller's tenant or among public initiatives (the portal's commonest
/// query), served from the tag table's sort-key index.
fn indexed_tag_list(
    caller: &Caller,
    query: &InitiativeQuery,
    keys: &[(keyset::Key, Order)],
) -> ServiceResult<Option<IndexedTagList>> {
    let q = query;
    let order = match keys {
        [(keyset::Key::Title, order)] => order.clone(),
        _ => return Ok(None),
    };
    let Some(tenant) = counted_scope(caller, q) else {
        return Ok(None);
    };
    let mut tags = tag_filters(q)?;
    if !only_tag_filters(q) || tags.len() != 1 {
        return Ok(None);
    }
    let Some((kind, mut values)) = tags.pop() else {
        return Ok(None);
    };
    if values.len() != 1 {
        return Ok(None);
    }
    let Some(value) = values.pop() else {
        return Ok(None);
    };
    Ok(Some(IndexedTagList {
        kind,
        value,
        tenant,
        order,
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

/// A page of a keyset list from the items read for it (one more than the page, in the
/// direction read, to tell whether more lie beyond): in list order, with its cursors.
fn keyset_page(
    mut items: Vec<ItemJson>,
    window: &Window<'_>,
    keys: &[(keyset::Key, Order)],
    fingerprint: &str,
    count: CountMode,
    total: Option<u64>,
) -> Page<ItemJson> {
    let per_page = window.request.per_page;
    let more = items.len() as u64 > per_page;
    items.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
    if window.backwards {
        items.reverse();
    }
    let first = items
        .first()
        .map(|r| keyset::cursor_of(&r.sort, keys, fingerprint));
    let last = items
        .last()
        .map(|r| keyset::cursor_of(&r.sort, keys, fingerprint));
    let (next, prev) = edges(window.position, more, first, last);
    let number = match window.position {
        Position::Page(n) => Some(*n),
        _ => None,
    };
    let cursors = if window.each_cursor {
        items
            .iter()
            .map(|r| keyset::cursor_of(&r.sort, keys, fingerprint))
            .collect()
    } else {
        Vec::new()
    };
    Page::keyset(items, number, per_page, count, total, next, prev).with_cursors(cursors)
}
