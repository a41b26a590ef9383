//! REST handlers: lessons learned, per initiative and across the registry.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    lessons::{Lesson, LessonPatch, LessonQuery, LessonSearch, Lessons, NewLesson},
    pagination::Page,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::children::child_routes;
use crate::{
    extract::{ApiJson, ApiQuery, Auth},
    language,
    problem::{ApiResult, Problem},
};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(search)
        .service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete);
}

/// Lessons learned across the registry: the caller's tenant's, and every public initiative's
/// (anonymous callers: public ones only). `q` searches their text (every word must match) and
/// ranks by relevance; otherwise newest first. Texts are in the reader's language (`lang=`
/// over `Accept-Language`) where a lesson has them, else in its own `language`, with
/// `field_languages` naming those that fell back; `lang=*` adds every `translations`.
#[utoipa::path(
    operation_id = "lessons_search",
    tag = "lessons",
    security((), ("bearer" = [])),
    params(LessonSearch, ("Accept-Language" = Option<String>, Header, description = "Preferred languages, with q-values (`fr-CH, fr;q=0.9, en;q=0.8`)")),
    responses(
        (status = 200, body = Page<Lesson>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/lessons")]
pub async fn search(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<LessonSearch>,
) -> ApiResult<HttpResponse> {
    let choice = language::ask(&req, query.lang.as_deref())?;
    let mut page = registry.search_lessons(&caller, query).await?;
    let (items, content_language) = registry
        .localize_lessons(std::mem::take(&mut page.items), choice)
        .await?;
    page.items = items;
    Ok(language::mark(
        crate::listing::page(&req, &page)?,
        &content_language,
    ))
}

child_routes! {
    resource: Lessons,
    tag: "lessons",
    segment: "lessons",
    item_param: "lesson_id",
    view: Lesson,
    new: NewLesson,
    patch: LessonPatch,
    query: LessonQuery,
    list: {
        /// The lessons learned of an initiative, newest first.
        id: "initiative_lessons_list",
        path: "/initiatives/{id}/lessons"
    },
    create: {
        /// Records a lesson learned; its text becomes searchable with the initiative's. Editors and
        /// above.
        id: "initiative_lessons_create",
        problems: [(status = 422, body = Problem, content_type = "application/problem+json"),]
    },
    get: {
        /// One lesson learned.
        id: "initiative_lessons_get",
        path: "/initiatives/{id}/lessons/{lesson_id}"
    },
    update: {
        /// Changes a lesson learned. Needs `If-Match`.
        id: "initiative_lessons_update"
    },
    delete: {
        /// Deletes a lesson learned. Needs `If-Match`.
        id: "initiative_lessons_delete",
        done: "Deleted",
        problems: []
    },
}
