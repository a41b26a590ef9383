//! Lessons learned of an initiative: a short statement, the context, the challenge and the
//! recommendation, with tags. They are a first-class record: listed per initiative and across
//! the registry (`/api/v1/lessons`), and searchable on their own and as part of their
//! initiative's text. A lesson is visible to whoever may read its initiative.

use chrono::{DateTime, Utc};
use entity::{enums::Visibility, initiative, lesson};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
    sea_query::{Expr, ExprTrait, LikeExpr, Query},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use std::collections::BTreeMap;

use crate::{
    Caller, EntityKind, Principal, Registry,
    children::{self, ChildResource, child_table},
    error::{ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta},
    initiatives::access,
    language::LanguageChoice,
    organizations::Scope,
    pagination::{Page, PageRequest},
    precondition::{Precondition, expect_version},
    search,
    translations::{self, Localizable, RecordTranslations, TranslationEdit, TranslationMap},
    validation::{Checks, double_option},
    write,
};

const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 50;

/// A lesson learned from an initiative.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Lesson {
    pub id: Uuid,
    pub initiative_id: Uuid,
    /// The lesson in one short statement.
    pub statement: String,
    /// The situation in which it was learned.
    pub context: Option<String>,
    /// The difficulty met.
    pub challenge: Option<String>,
    /// What to do next time.
    pub recommendation: Option<String>,
    /// Lower-case keywords.
    pub tags: Vec<String>,
    /// The BCP 47 tag of the language of its texts as recorded (its original language).
    pub language: String,
    /// The language of each text that is not in the answer's language (it fell back to the
    /// original), when the reader asked for another language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_languages: Option<BTreeMap<String, String>>,
    /// Every translation, by BCP 47 tag (`lang=*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, BTreeMap<String, String>>>)]
    pub translations: Option<TranslationMap>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Localizable for Lesson {
    fn record_id(&self) -> Uuid {
        self.id
    }

    fn original_language(&self) -> &str {
        &self.language
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "statement": "Aggregate demand before negotiating with providers.",
    "context": "Schools bought connectivity one by one at retail prices.",
    "challenge": "No provider would extend its network for a single school.",
    "recommendation": "Pool the schools into one contract so that a provider can justify extending its network.",
    "tags": ["market-making", "connectivity"]
}))]
pub struct NewLesson {
    pub statement: String,
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub challenge: Option<String>,
    #[serde(default)]
    pub recommendation: Option<String>,
    /// Trimmed, lower-cased and deduplicated; at most 20, each at most 50 characters.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The BCP 47 tag of the language its texts are in; detected from them when omitted.
    /// Texts in other languages are set with `PUT …/lessons/{lesson_id}/translations/{lang}`.
    #[serde(default)]
    pub language: Option<String>,
}

/// A PATCH of a lesson: absent fields stay; `null` clears; `tags` replaces the list.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonPatch {
    #[serde(default)]
    pub statement: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub context: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub challenge: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub recommendation: Option<Option<String>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// The lessons of one initiative: a tag filter and paging. Newest first.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LessonQuery {
    /// Lessons carrying this tag (case-insensitive).
    pub tag: Option<String>,
    /// The language of the texts (a BCP 47 tag, `*` for every translation); over
    /// `Accept-Language`. Each text falls back to the lesson's own language.
    pub lang: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Lessons across the registry: scope, full-text search, filters and paging. Newest first,
/// or the most relevant first with `q`. Unknown parameters are refused.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LessonSearch {
    /// `tenant` (members' default: the lessons of the tenant's initiatives), `public` (the
    /// lessons of every tenant's public initiatives), or `all` (both). Anonymous callers always
    /// get `public`.
    pub scope: Option<Scope>,
    /// Search over statement, context, challenge, recommendation and tags, most relevant
    /// first: every word must match (stemmed, accents folded, the last word also as a prefix,
    /// one typo tolerated when the exact words find few), `"a phrase"` in quotes, `-word` to
    /// exclude. The answer's `search` holds each hit's snippets.
    pub q: Option<String>,
    /// Lessons carrying this tag (case-insensitive).
    pub tag: Option<String>,
    /// Lessons of this initiative.
    pub initiative: Option<Uuid>,
    /// The language of the texts (a BCP 47 tag, `*` for every translation); over
    /// `Accept-Language`. Each text falls back to the lesson's own language.
    pub lang: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

struct Fields {
    statement: String,
    context: Option<String>,
    challenge: Option<String>,
    recommendation: Option<String>,
    tags: Vec<String>,
}

fn check(f: Fields) -> ServiceResult<Fields> {
    let mut c = Checks::new();
    let statement = c.required_text("statement", &f.statement, 1_000);
    let context = c.optional_text("context", f.context.as_deref(), 10_000);
    let challenge = c.optional_text("challenge", f.challenge.as_deref(), 10_000);
    let recommendation = c.optional_text("recommendation", f.recommendation.as_deref(), 10_000);
    let mut tags: Vec<String> = Vec::new();
    for (i, raw) in f.tags.iter().enumerate() {
        let tag = raw.trim().to_lowercase();
        if tag.is_empty() {
            c.push(&format!("tags[{i}]"), "required", "must not be blank");
        } else if tag.chars().count() > MAX_TAG_CHARS {
            c.push(
                &format!("tags[{i}]"),
                "length",
                format!("must be at most {MAX_TAG_CHARS} characters"),
            );
        } else if tag.chars().any(char::is_control) {
            c.push(
                &format!("tags[{i}]"),
                "invalid",
                "must not contain control characters",
            );
        } else if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        c.push("tags", "too_many", format!("at most {MAX_TAGS} tags"));
    }
    c.finish()?;
    Ok(Fields {
        statement,
        context,
        challenge,
        recommendation,
        tags,
    })
}

pub(crate) fn to_view(l: lesson::Model) -> Lesson {
    Lesson {
        id: l.id,
        initiative_id: l.initiative_id,
        statement: l.statement,
        context: l.context,
        challenge: l.challenge,
        recommendation: l.recommendation,
        tags: serde_json::from_str(&l.tags).unwrap_or_default(),
        language: l.language,
        field_languages: None,
        translations: None,
        version: l.version,
        created_at: l.created_at,
        updated_at: l.updated_at,
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// A condition: the lesson carries `tag`. Tags are stored as a JSON array of strings, so the
/// tag's JSON form (quotes included) is looked for as a substring: it cannot match part of
/// another tag, as quotes inside tags are escaped.
fn tagged(tag: &str) -> ServiceResult<Condition> {
    let tag = tag.trim().to_lowercase();
    if tag.is_empty() {
        return Err(ServiceError::bad_parameter("tag", "must not be blank"));
    }
    let quoted = json(&tag);
    let mut pattern = String::from("%");
    for ch in quoted.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    Ok(Condition::all().add(lesson::Column::Tags.like(LikeExpr::new(pattern).escape('\\'))))
}

/// The lessons of initiatives, as a child resource.
pub struct Lessons;

impl ChildResource for Lessons {
    child_table!(lesson, view: Lesson, query: LessonQuery);
    type New = NewLesson;
    type Patch = LessonPatch;

    const KIND: EntityKind = EntityKind::Lesson;
    const NAME: &'static str = "lesson";

    fn lang(query: &LessonQuery) -> Option<&str> {
        query.lang.as_deref()
    }

    fn filter(
        select: Select<lesson::Entity>,
        query: &LessonQuery,
    ) -> ServiceResult<Select<lesson::Entity>> {
        Ok(match query.tag.as_deref() {
            Some(tag) => select.filter(tagged(tag)?),
            None => select,
        })
    }

    /// Newest first.
    fn order(select: Select<lesson::Entity>) -> Select<lesson::Entity> {
        select
            .order_by_desc(lesson::Column::CreatedAt)
            .order_by_desc(lesson::Column::Id)
    }

    async fn views<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        rows: Vec<lesson::Model>,
    ) -> ServiceResult<Vec<Lesson>> {
        Ok(rows.into_iter().map(to_view).collect())
    }

    async fn new_row<C: ConnectionTrait>(
        _db: &C,
        _initiative: &initiative::Model,
        _principal: &Principal,
        input: NewLesson,
    ) -> ServiceResult<lesson::ActiveModel> {
        let mut c = Checks::new();
        let language =
            translations::original_of(&mut c, input.language.as_deref(), &input.statement);
        let checked = check(Fields {
            statement: input.statement,
            context: input.context,
            challenge: input.challenge,
            recommendation: input.recommendation,
            tags: input.tags,
        });
        let mut active = row(crate::validation::together(checked, c)?);
        active.language = Set(language);
        Ok(active)
    }

    async fn patch_row<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        before: &Lesson,
        patch: LessonPatch,
    ) -> ServiceResult<lesson::ActiveModel> {
        Ok(row(check(Fields {
            statement: patch.statement.unwrap_or_else(|| before.statement.clone()),
            context: patch.context.unwrap_or_else(|| before.context.clone()),
            challenge: patch.challenge.unwrap_or_else(|| before.challenge.clone()),
            recommendation: patch
                .recommendation
                .unwrap_or_else(|| before.recommendation.clone()),
            tags: patch.tags.unwrap_or_else(|| before.tags.clone()),
        })?))
    }

    /// A deleted lesson's translations go with it.
    async fn after_write<C: ConnectionTrait>(
        db: &C,
        _initiative_id: Uuid,
        id: Uuid,
        after: Option<&Lesson>,
    ) -> ServiceResult<()> {
        if after.is_none() {
            translations::remove_all(db, EntityKind::Lesson, &[id]).await?;
        }
        Ok(())
    }

    async fn localize<C: ConnectionTrait>(
        db: &C,
        views: Vec<Lesson>,
        choice: Option<LanguageChoice>,
    ) -> ServiceResult<(Vec<Lesson>, Option<String>)> {
        let (views, language) =
            translations::localized(db, &translations::LESSON, views, choice).await?;
        Ok((views, Some(language)))
    }
}

/// The columns of a lesson's checked fields.
fn row(f: Fields) -> lesson::ActiveModel {
    lesson::ActiveModel {
        statement: Set(f.statement),
        context: Set(f.context),
        challenge: Set(f.challenge),
        recommendation: Set(f.recommendation),
        tags: Set(json(&f.tags)),
        ..Default::default()
    }
}

impl Registry {
    /// Lessons across the registry that the caller may read: those of the caller's tenant's
    /// initiatives and of every public initiative, as `scope` says.
    pub async fn search_lessons(
        &self,
        caller: &Caller,
        query: LessonSearch,
    ) -> ServiceResult<Page<Lesson>> {
        let request = PageRequest::new(query.page, query.per_page, self.settings())?;
        let of_public_initiatives = Condition::all().add(
            lesson::Column::InitiativeId.in_subquery(
                Query::select()
                    .column(initiative::Column::Id)
                    .from(initiative::Entity)
                    .and_where(initiative::Column::Visibility.eq(Visibility::Public))
                    .to_owned(),
            ),
        );
        let scope = match caller.tenant_id() {
            None => of_public_initiatives,
            Some(tenant) => match query.scope.unwrap_or_default() {
                Scope::Tenant => Condition::all().add(lesson::Column::TenantId.eq(tenant)),
                Scope::Public => of_public_initiatives,
                Scope::All => Condition::any()
                    .add(lesson::Column::TenantId.eq(tenant))
                    .add(of_public_initiatives),
            },
        };
        let mut select = lesson::Entity::find().filter(scope);
        if let Some(initiative_id) = query.initiative {
            select = select.filter(lesson::Column::InitiativeId.eq(initiative_id));
        }
        if let Some(tag) = query.tag.as_deref() {
            select = select.filter(tagged(tag)?);
        }
        if let Some(q) = query.q.as_deref() {
            let parsed = search::parse_q(q, "q")?;
            if query.tag.is_some() {
                // Tags are not held by the index: the database names the lessons they allow.
                let only: Vec<Uuid> = select
                    .select_only()
                    .column(lesson::Column::Id)
                    .into_tuple()
                    .all(self.db())
                    .await?;
                return self
                    .search_lessons_in(caller, &query, parsed, Some(only), request)
                    .await;
            }
            return self
                .search_lessons_in(caller, &query, parsed, None, request)
                .await;
        }
        select = select
            .order_by_desc(lesson::Column::CreatedAt)
            .order_by_desc(lesson::Column::Id);

        let total = select.clone().count(self.db()).await?;
        let rows = select
            .offset(request.offset())
            .limit(request.per_page)
            .all(self.db())
            .await?;
        Ok(Page::new(
            rows.into_iter().map(to_view).collect(),
            request,
            total,
        ))
    }
}

impl Registry {
    /// Lessons in the reader's `choice` (`None`: as recorded), as the lists and searches
    /// answer them; and the answer's `Content-Language`.
    pub async fn localize_lessons(
        &self,
        lessons: Vec<Lesson>,
        choice: Option<LanguageChoice>,
    ) -> ServiceResult<(Vec<Lesson>, String)> {
        translations::localized(self.db(), &translations::LESSON, lessons, choice).await
    }

    /// Sets, removes or replaces a lesson's translations (`edit`), provided `expected` is its
    /// version: a write of the lesson like any other (its version rises; the history records
    /// each text with its language; the feed, webhooks and the index follow). Editors and above
    /// of the initiative's tenant.
    pub async fn edit_lesson_translations(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected: Precondition,
        edit: TranslationEdit,
        meta: &WriteMeta,
    ) -> ServiceResult<RecordTranslations> {
        let uow = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&uow, caller, initiative_id).await?;
        let before = children::find::<Lessons, _>(&uow, initiative_id, id).await?;
        let version = expect_version(expected, before.version)?;
        let current = translations::load(&uow, EntityKind::Lesson, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let next = edit.apply(&translations::LESSON, &before.language, &current)?;
        let stored = lesson::Entity::update_many()
            .col_expr(
                lesson::Column::Version,
                Expr::col(lesson::Column::Version).add(1),
            )
            .col_expr(lesson::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(lesson::Column::Id.eq(id))
            .filter(lesson::Column::Version.eq(version))
            .exec_with_returning(&uow)
            .await?;
        let Some(stored) = stored.into_iter().next() else {
            return Err(children::stale::<Lessons, _>(&uow, id).await);
        };
        translations::replace(&uow, initiative.tenant_id, EntityKind::Lesson, id, &next).await?;
        let after = to_view(stored);
        write::child_changed(
            &uow,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Lesson,
                entity_id: id,
                operation: Operation::Update,
                actor: Some(principal.subject),
                meta,
                before: translations::snapshot(crate::history::snapshot(&before), &current),
                after: translations::snapshot(crate::history::snapshot(&after), &next),
            },
        )
        .await?;
        uow.commit().await?;
        Ok(RecordTranslations {
            id,
            language: after.language,
            version: after.version,
            translations: next,
        })
    }
}

impl Registry {
    /// A lesson search in the index: the caller's coverage, the initiative filter and (where
    /// the database evaluated a filter) the lessons it allows, inside the index query.
    async fn search_lessons_in(
        &self,
        caller: &Caller,
        query: &LessonSearch,
        parsed: search::query::Parsed,
        only: Option<Vec<Uuid>>,
        request: PageRequest,
    ) -> ServiceResult<Page<Lesson>> {
        let found = self
            .search()
            .search(&search::Request {
                kind: search::DocKind::Lesson,
                parsed,
                coverage: crate::tenancy::Coverage::listed(caller, query.scope),
                tags: Vec::new(),
                dates: Vec::new(),
                only,
                initiative: query.initiative,
                slots: search::schema::Slot::ALL.to_vec(),
                offset: usize::try_from(request.offset()).unwrap_or(usize::MAX),
                limit: usize::try_from(request.per_page).unwrap_or(usize::MAX),
                facets: false,
            })
            .await?;
        let ids: Vec<Uuid> = found.hits.iter().map(|h| h.id).collect();
        let rows = lesson::Entity::find()
            .filter(lesson::Column::Id.is_in(ids.iter().copied()))
            .all(self.db())
            .await?;
        let rows = search::in_order(rows, &ids, |row| row.id);
        let mut page = Page::new(
            rows.into_iter().map(to_view).collect(),
            request,
            found.total,
        );
        page.search = Some(search::SearchInfo {
            hits: found.hits,
            facets: found.facets,
        });
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(tags: &[&str]) -> Fields {
        Fields {
            statement: " Pool demand ".into(),
            context: Some("  ".into()),
            challenge: None,
            recommendation: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn tags_are_trimmed_lower_cased_and_deduplicated() {
        let Ok(f) = check(fields(&[" Market-Making", "market-making ", "E-Health"])) else {
            panic!("valid lesson refused");
        };
        assert_eq!(f.tags, ["market-making", "e-health"]);
        assert_eq!(f.statement, "Pool demand");
        assert_eq!(f.context, None, "blank optional text is none");
    }

    #[test]
    fn bad_tags_are_named() {
        let long = "x".repeat(51);
        let Err(ServiceError::Validation(errors)) = check(fields(&["ok", " ", &long])) else {
            panic!("bad tags accepted");
        };
        let named: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["tags[1]", "tags[2]"]);
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(check(fields(&refs)).is_err());
    }
}
