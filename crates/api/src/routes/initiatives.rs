use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use service::{
    Registry,
    duplicates::CreatedInitiative,
    history::RevisionEntry,
    initiatives::{
        DetailQuery, Initiative, InitiativeDetail, InitiativePatch, InitiativeQuery, NewInitiative,
    },
    pagination::{Page, PageParams},
    translations::render,
};
use uuid::Uuid;

use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, if_match, write_meta},
    language,
    problem::{ApiResult, Problem},
};

/// Finds initiatives: filters, full-text search (`q`), sorting and paging.
///
/// Anonymous callers see every tenant's public initiatives (the portal read API); members see
/// their tenant's (`scope=tenant`, the default), every public one (`scope=public`), or both
/// (`scope=all`). Search matches every word of `q` in title, summary, description and lessons,
/// ranked by relevance, on SQLite and PostgreSQL alike.
///
/// Texts are in the reader's language (`lang=` over `Accept-Language`, q-values honoured) where
/// an initiative has them, else in its original `language`; `field_languages` names the fields
/// that fell back, `lang=*` adds every `translations`. `Content-Language` lists the languages
/// of the page's texts.
#[utoipa::path(
    operation_id = "initiatives_list",
    tag = "initiatives",
    security((), ("bearer" = [])),
    params(InitiativeQuery, ("Accept-Language" = Option<String>, Header, description = "Preferred languages, with q-values (`fr-CH, fr;q=0.9, en;q=0.8`)")),
    responses(
        (status = 200, body = Page<Initiative>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives")]
pub async fn list(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiQuery(query): ApiQuery<InitiativeQuery>,
) -> ApiResult<HttpResponse> {
    let choice = language::ask(&req, query.lang.as_deref())?;
    let page = registry
        .list_initiative_items(&caller, query)
        .await?
        .try_map(|item| item.localized(choice))?;
    let content_language =
        render::content_language_of(page.items.iter().map(|i| i.content_language()));
    Ok(language::mark(
        crate::listing::page(&req, &page)?,
        &content_language,
    ))
}

/// Registers an initiative in the caller's tenant. Editors and above. Created `public` only if
/// it passes the publish check (it cannot yet have an active partner, so create it private).
/// The answer lists `possible_duplicates`: initiatives the caller can read (its own, and other
/// tenants' public ones) that may be the same partnership, with a score and reasons; a
/// warning, never a refusal.
#[utoipa::path(
    operation_id = "initiatives_create",
    tag = "initiatives",
    security(("bearer" = [])),
    params(("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history")),
    request_body = NewInitiative,
    responses(
        (status = 201, body = CreatedInitiative, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/initiatives")]
pub async fn create(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    ApiJson(input): ApiJson<NewInitiative>,
) -> ApiResult<HttpResponse> {
    let created = registry
        .register_initiative(&caller, input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(created.detail.initiative.version)))
        .insert_header((
            "Location",
            format!("/api/v1/initiatives/{}", created.detail.initiative.id),
        ))
        .json(created))
}

/// One initiative with its journey. Another tenant's private initiative answers 404. `fields`
/// keeps only the named fields (a sparse fieldset). Its texts are in the reader's language
/// (`lang=` over `Accept-Language`) where it has them, else in its original `language`, with
/// `field_languages` naming the fields that fell back; `lang=*` adds every `translations`.
#[utoipa::path(
    operation_id = "initiatives_get",
    tag = "initiatives",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path), DetailQuery, ("If-None-Match" = Option<String>, Header), ("Accept-Language" = Option<String>, Header, description = "Preferred languages, with q-values (`fr-CH, fr;q=0.9, en;q=0.8`)")),
    responses(
        (status = 200, body = InitiativeDetail, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Unknown or malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}")]
pub async fn get(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(query): ApiQuery<DetailQuery>,
) -> ApiResult<HttpResponse> {
    let choice = language::ask(&req, query.lang.as_deref())?;
    let detail = registry
        .get_initiative_json(&caller, path.into_inner(), query.fields.as_deref())
        .await?
        .localized(choice)?;
    Ok(language::versioned(
        &req,
        choice,
        detail.version,
        detail.content_language(),
        &detail,
    ))
}

/// Changes an initiative. Needs `If-Match`. Stage changes follow the journey order; a skip or a
/// step back needs `X-Change-Reason`. Making it public runs the publish check (422 listing what
/// is missing).
#[utoipa::path(
    operation_id = "initiatives_update",
    tag = "initiatives",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    request_body = InitiativePatch,
    responses(
        (status = 200, body = InitiativeDetail, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid, out of journey order, or not publishable", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/initiatives/{id}")]
pub async fn update(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(input): ApiJson<InitiativePatch>,
) -> ApiResult<HttpResponse> {
    let detail = registry
        .update_initiative(
            &caller,
            path.into_inner(),
            if_match(&req),
            input,
            &write_meta(&req),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(detail.initiative.version)))
        .json(detail))
}

/// Deletes an initiative and its children. Needs `If-Match`. The history is kept.
#[utoipa::path(
    operation_id = "initiatives_delete",
    tag = "initiatives",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/initiatives/{id}")]
pub async fn delete(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    registry
        .delete_initiative(
            &caller,
            path.into_inner(),
            if_match(&req),
            &write_meta(&req),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The revision history of an initiative and its children, newest first: who, when, what
/// changed (field by field) and why. Members of the owning tenant; kept after deletion.
#[utoipa::path(
    operation_id = "initiative_history_list",
    tag = "initiatives",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), PageParams),
    responses(
        (status = 200, body = Page<RevisionEntry>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
        (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/history")]
pub async fn history(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> ApiResult<HttpResponse> {
    crate::listing::page(
        &req,
        &registry
            .initiative_history(&caller, path.into_inner(), params)
            .await?,
    )
}
