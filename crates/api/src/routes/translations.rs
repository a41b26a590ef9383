//! The texts of an initiative, a lesson or an organisation in other languages than its own:
//! one language set or removed, or every translation replaced. Each is a write of the record
//! (`If-Match`, its version, the feed; the history for initiatives and lessons). Reads choose a
//! language with `lang=` or `Accept-Language` on the record's own reads.

use actix_web::{HttpRequest, HttpResponse, delete, put, web};
use service::{
    Registry,
    translations::{RecordTranslations, Texts, TranslationEdit, TranslationMap},
};
use uuid::Uuid;

use crate::{
    extract::{ApiJson, Auth, etag, if_match, write_meta},
    problem::{ApiResult, Problem},
};

fn answer(done: RecordTranslations) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", etag(done.version)))
        .json(done)
}

/// Sets an initiative's texts in one language (`lang`, a BCP 47 tag other than the
/// initiative's own): the fields given (`title`, `summary`, `description`, `outcome_summary`)
/// replace every text it had in that language. Checked as the original fields are. Needs
/// `If-Match`; editors and above.
#[utoipa::path(
    operation_id = "initiative_translations_set",
    tag = "initiatives",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("lang" = String, Path, description = "A BCP 47 tag (`fr`, `zh-Hans`)"),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    request_body(content = std::collections::BTreeMap<String, String>, example = json!({"title": "Écoles connectées", "summary": "Des bons pour la connectivité des écoles rurales."})),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad tag, an unknown field or a text too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/initiatives/{id}/translations/{lang}")]
pub async fn set(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, String)>,
    ApiJson(texts): ApiJson<Texts>,
) -> ApiResult<HttpResponse> {
    let (id, lang) = path.into_inner();
    let done = registry
        .edit_initiative_translations(
            &caller,
            id,
            if_match(&req),
            TranslationEdit::Set(lang, texts),
            &write_meta(&req),
        )
        .await?;
    Ok(answer(done))
}

/// Removes an initiative's texts in one language (404 when it has none in it). Needs
/// `If-Match`; editors and above.
#[utoipa::path(
    operation_id = "initiative_translations_delete",
    tag = "initiatives",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("lang" = String, Path, description = "A BCP 47 tag"),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a language tag", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/initiatives/{id}/translations/{lang}")]
pub async fn remove(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<HttpResponse> {
    let (id, lang) = path.into_inner();
    let done = registry
        .edit_initiative_translations(
            &caller,
            id,
            if_match(&req),
            TranslationEdit::Remove(lang),
            &write_meta(&req),
        )
        .await?;
    Ok(answer(done))
}

/// Replaces every translation of an initiative: a map of BCP 47 tags to texts (`{}` removes
/// them all). Each bad field is named by its path (`fr.title`). Needs `If-Match`; editors and
/// above.
#[utoipa::path(
    operation_id = "initiative_translations_replace",
    tag = "initiatives",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    request_body(content = std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>, example = json!({"fr": {"title": "Écoles connectées"}, "ar": {"title": "مدارس متصلة"}})),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad tag, an unknown field or a text too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/initiatives/{id}/translations")]
pub async fn replace(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(map): ApiJson<TranslationMap>,
) -> ApiResult<HttpResponse> {
    let done = registry
        .edit_initiative_translations(
            &caller,
            path.into_inner(),
            if_match(&req),
            TranslationEdit::ReplaceAll(map),
            &write_meta(&req),
        )
        .await?;
    Ok(answer(done))
}

/// Sets a lesson's texts in one language (`lang`, a BCP 47 tag other than its own): the fields
/// given (`statement`, `context`, `challenge`, `recommendation`) replace every text it had in that language. Checked as the original
/// fields are. Needs `If-Match`; editors and above.
#[utoipa::path(
    operation_id = "lesson_translations_set",
    tag = "lessons",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("lesson_id" = Uuid, Path),
        ("lang" = String, Path, description = "A BCP 47 tag (`fr`, `zh-Hans`)"),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    request_body(content = std::collections::BTreeMap<String, String>, example = json!({"statement": "Regrouper la demande avant de négocier avec les fournisseurs."})),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad tag, an unknown field or a text too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/initiatives/{id}/lessons/{lesson_id}/translations/{lang}")]
pub async fn lesson_set(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid, String)>,
    ApiJson(texts): ApiJson<Texts>,
) -> ApiResult<HttpResponse> {
    let (id, lesson_id, lang) = path.into_inner();
    let edit = TranslationEdit::Set(lang, texts);
    Ok(answer(
        registry
            .edit_lesson_translations(
                &caller,
                id,
                lesson_id,
                if_match(&req),
                edit,
                &write_meta(&req),
            )
            .await?,
    ))
}

/// Removes a lesson's texts in one language (404 when it has none in it). Needs `If-Match`;
/// editors and above.
#[utoipa::path(
    operation_id = "lesson_translations_delete",
    tag = "lessons",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("lesson_id" = Uuid, Path),
        ("lang" = String, Path, description = "A BCP 47 tag"),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a language tag", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/initiatives/{id}/lessons/{lesson_id}/translations/{lang}")]
pub async fn lesson_remove(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid, String)>,
) -> ApiResult<HttpResponse> {
    let (id, lesson_id, lang) = path.into_inner();
    let edit = TranslationEdit::Remove(lang);
    Ok(answer(
        registry
            .edit_lesson_translations(
                &caller,
                id,
                lesson_id,
                if_match(&req),
                edit,
                &write_meta(&req),
            )
            .await?,
    ))
}

/// Replaces every translation of a lesson: a map of BCP 47 tags to texts (`{}` removes them
/// all). Each bad field is named by its path (`fr.statement`). Needs `If-Match`;
/// editors and above.
#[utoipa::path(
    operation_id = "lesson_translations_replace",
    tag = "lessons",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("lesson_id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("X-Change-Reason" = Option<String>, Header, description = "Why; kept in the history"),
    ),
    request_body(content = std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>, example = json!({"fr": {"statement": "Regrouper la demande avant de négocier."}, "es": {"statement": "Agregar la demanda antes de negociar."}})),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad tag, an unknown field or a text too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/initiatives/{id}/lessons/{lesson_id}/translations")]
pub async fn lesson_replace(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(map): ApiJson<TranslationMap>,
) -> ApiResult<HttpResponse> {
    let (id, lesson_id) = path.into_inner();
    let edit = TranslationEdit::ReplaceAll(map);
    Ok(answer(
        registry
            .edit_lesson_translations(
                &caller,
                id,
                lesson_id,
                if_match(&req),
                edit,
                &write_meta(&req),
            )
            .await?,
    ))
}

/// Sets an organisation's texts in one language (`lang`, a BCP 47 tag other than its own): the fields
/// given (`name`, `acronym`, `description`) replace every text it had in that language. Checked as the original
/// fields are. Needs `If-Match`; editors and above.
#[utoipa::path(
    operation_id = "organization_translations_set",
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("lang" = String, Path, description = "A BCP 47 tag (`fr`, `zh-Hans`)"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body(content = std::collections::BTreeMap<String, String>, example = json!({"name": "Ministère de la Communication", "description": "Conduit la politique nationale des TIC."})),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad tag, an unknown field or a text too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organizations/{id}/translations/{lang}")]
pub async fn organization_set(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, String)>,
    ApiJson(texts): ApiJson<Texts>,
) -> ApiResult<HttpResponse> {
    let (id, lang) = path.into_inner();
    let edit = TranslationEdit::Set(lang, texts);
    Ok(answer(
        registry
            .edit_organization_translations(&caller, id, if_match(&req), edit, &write_meta(&req))
            .await?,
    ))
}

/// Removes an organisation's texts in one language (404 when it has none in it). Needs `If-Match`;
/// editors and above.
#[utoipa::path(
    operation_id = "organization_translations_delete",
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("lang" = String, Path, description = "A BCP 47 tag"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a language tag", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/organizations/{id}/translations/{lang}")]
pub async fn organization_remove(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<HttpResponse> {
    let (id, lang) = path.into_inner();
    let edit = TranslationEdit::Remove(lang);
    Ok(answer(
        registry
            .edit_organization_translations(&caller, id, if_match(&req), edit, &write_meta(&req))
            .await?,
    ))
}

/// Replaces every translation of an organisation: a map of BCP 47 tags to texts (`{}` removes them
/// all). Each bad field is named by its path (`fr.name`). Needs `If-Match`;
/// editors and above.
#[utoipa::path(
    operation_id = "organization_translations_replace",
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body(content = std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>, example = json!({"fr": {"name": "Ministère de la Communication"}, "ar": {"name": "وزارة الاتصال"}})),
    responses(
        (status = 200, body = RecordTranslations, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad tag, an unknown field or a text too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organizations/{id}/translations")]
pub async fn organization_replace(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<Uuid>,
    ApiJson(map): ApiJson<TranslationMap>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let edit = TranslationEdit::ReplaceAll(map);
    Ok(answer(
        registry
            .edit_organization_translations(&caller, id, if_match(&req), edit, &write_meta(&req))
            .await?,
    ))
}
