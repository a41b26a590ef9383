//! The texts of an initiative in other languages than its own: one language set or removed,
//! or every translation replaced. Each is a write of the initiative (`If-Match`, history, feed).
//! Reads choose a language with `lang=` or `Accept-Language` on the initiative's own reads.

use actix_web::{HttpRequest, HttpResponse, delete, put, web};
use service::{
    Registry,
    initiatives::TranslationEdit,
    translations::{RecordTranslations, Texts, TranslationMap},
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
