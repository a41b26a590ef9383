//! REST handlers: lessons learned, per initiative and across the registry.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    lessons::{Lesson, LessonPatch, LessonQuery, LessonSearch, NewLesson},
    pagination::Page,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, versioned, write_meta},
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
/// ranks by relevance; otherwise newest first.
#[utoipa::path(
    operation_id = "lessons_search",
    tag = "lessons",
    security((), ("bearer" = [])),
    params(LessonSearch),
    responses(
        (status = 200, body = Page<Lesson>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
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
    crate::listing::page(&req, &registry.search_lessons(&caller, query).await?)
}

/// The lessons learned of an initiative, newest first.
#[utoipa::path(
    operation_id = "initiative_lessons_list",
    tag = "lessons",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), LessonQuery),
    responses(
        (status = 200, body = Page<Lesson>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/lessons")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<LessonQuery>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(
        &req,
        &registry
            .list_lessons(&caller, path.into_inner(), query)
            .await?,
    )
}

/// Records a lesson learned; its text becomes searchable with the initiative's. Editors and
/// above.
#[utoipa::path(
    operation_id = "initiative_lessons_create",
    tag = "lessons",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("X-Change-Reason" = Option<String>, Header)),
    request_body = NewLesson,
    responses(
        (status = 201, body = Lesson, headers(("ETag" = String), ("Location" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/initiatives/{id}/lessons")]
pub async fn create(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<NewLesson>,
) -> ApiResult<HttpResponse> {
    let initiative = path.into_inner();
    let lesson = registry
        .add_lesson(&caller, initiative, input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(lesson.version)))
        .insert_header((
            "Location",
            format!("/api/v1/initiatives/{initiative}/lessons/{}", lesson.id),
        ))
        .json(lesson))
}

/// One lesson learned.
#[utoipa::path(
    operation_id = "initiative_lessons_get",
    tag = "lessons",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("lesson_id" = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = Lesson, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/lessons/{lesson_id}")]
pub async fn get(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let lesson = registry.get_lesson(&caller, initiative, id).await?;
    Ok(versioned(&req, lesson.version, &lesson))
}

/// Changes a lesson learned. Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_lessons_update",
    tag = "lessons",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("lesson_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    request_body = LessonPatch,
    responses(
        (status = 200, body = Lesson, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/initiatives/{id}/lessons/{lesson_id}")]
pub async fn update(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<LessonPatch>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let lesson = registry
        .update_lesson(
            &caller,
            initiative,
            id,
            if_match(&req),
            input,
            &write_meta(&req),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(lesson.version)))
        .json(lesson))
}

/// Deletes a lesson learned. Needs `If-Match`.
#[utoipa::path(
    operation_id = "initiative_lessons_delete",
    tag = "lessons",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Initiative id"), ("lesson_id" = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/initiatives/{id}/lessons/{lesson_id}")]
pub async fn delete(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    registry
        .remove_lesson(&caller, initiative, id, if_match(&req), &write_meta(&req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
