//! REST handlers: the agreements of an initiative (partnership agreements, contracts, work plans,
//! memoranda of understanding).

use std::hash::{DefaultHasher, Hash, Hasher};

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use service::{
    Registry,
    agreements::{
        Agreement, AgreementPatch, AgreementQuery, Agreements, NewAgreement, NewSignature,
        draft::AgreementDraft,
    },
    language::LanguageQuery,
    pagination::Page,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::analytics::quality;
use super::children::child_routes;
use crate::{
    extract::{ApiJson, ApiQuery, Auth, etag, write_meta},
    language,
    problem::{ApiError, ApiResult, Problem},
};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(draft)
        .service(sign);
}

child_routes! {
    resource: Agreements,
    tag: "agreements",
    segment: "agreements",
    item_param: "agreement_id",
    view: Agreement,
    new: NewAgreement,
    patch: AgreementPatch,
    query: AgreementQuery,
    list: {
        /// The agreements of an initiative, oldest first, with their parties resolved.
        id: "initiative_agreements_list",
        path: "/initiatives/{id}/agreements"
    },
    create: {
        /// Records an agreement between partners of the initiative. Editors and above.
        id: "initiative_agreements_create",
        problems: [(status = 422, description = "Invalid input, e.g. a party that is not a partner of this initiative, or a signed agreement without `signed_on`", body = Problem, content_type = "application/problem+json"),]
    },
    get: {
        /// One agreement.
        id: "initiative_agreements_get",
        path: "/initiatives/{id}/agreements/{agreement_id}"
    },
    update: {
        /// Changes an agreement. Needs `If-Match`.
        id: "initiative_agreements_update"
    },
    delete: {
        /// Deletes an agreement. Needs `If-Match`.
        id: "initiative_agreements_delete",
        done: "Deleted",
        problems: []
    },
}

/// The media types an agreement draft is given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DraftFormat {
    Markdown,
    Html,
    Json,
}

/// The format the `Accept` header prefers (Markdown without one, and on ties), or none when it
/// accepts none of them.
fn draft_format(req: &HttpRequest) -> Option<DraftFormat> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Some(DraftFormat::Markdown);
    };
    let offers = [
        (DraftFormat::Markdown, quality(accept, "text", "markdown")),
        (DraftFormat::Html, quality(accept, "text", "html")),
        (DraftFormat::Json, quality(accept, "application", "json")),
    ];
    let mut best: Option<(DraftFormat, f32)> = None;
    for (format, q) in offers {
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((format, q));
        }
    }
    best.map(|(format, _)| format)
}

/// The draft of an agreement, filled from the record: its essential elements (see
/// `/reference/agreement-template`), each one not yet agreed marked with the journey step that
/// produces it. `Accept: text/markdown` (the default) gives Markdown, `text/html` a printable,
/// self-contained HTML page, `application/json` both the Markdown and the list of missing
/// elements; anything else is 406. Its headings, labels and marks are in the reader's language
/// (`lang=` or `Accept-Language`; `Content-Language` says which); the texts from the record stay
/// as they were written. The `ETag` changes with anything the draft shows.
#[utoipa::path(
    operation_id = "initiative_agreements_draft",
    tag = "agreements",
    security((), ("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("agreement_id" = Uuid, Path),
        ("Accept" = Option<String>, Header, description = "text/markdown (default), text/html or application/json"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "Preferred languages, with q-values (`fr-CH, fr;q=0.9, en;q=0.8`)"),
    ),
    responses(
        (status = 200, description = "The draft", content(
            (String = "text/markdown"),
            (String = "text/html"),
            (AgreementDraft = "application/json"),
        ), headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "`lang` is not a language tag", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "None of the types in `Accept` can be given", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/initiatives/{id}/agreements/{agreement_id}/draft")]
pub async fn draft(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
    ApiQuery(query): ApiQuery<LanguageQuery>,
) -> ApiResult<HttpResponse> {
    let Some(format) = draft_format(&req) else {
        return Err(ApiError::NotAcceptable(
            "an agreement draft is available as text/markdown, text/html or application/json"
                .into(),
        ));
    };
    let (initiative, id) = path.into_inner();
    let language = language::choice(&req, &query)?.language();
    let draft = registry
        .agreement_draft(&caller, initiative, id, language)
        .await?;
    // The draft shows more than the agreement (partners, contributions, the initiative's
    // title): its ETag is of what it shows.
    let mut hasher = DefaultHasher::new();
    (&draft.markdown, format!("{format:?}")).hash(&mut hasher);
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_LANGUAGE, draft.language))
        .insert_header((header::VARY, "Accept, Accept-Language"))
        .insert_header((header::ETAG, format!("\"{:016x}\"", hasher.finish())));
    Ok(match format {
        DraftFormat::Markdown => response
            .content_type("text/markdown; charset=utf-8")
            .body(draft.markdown),
        DraftFormat::Html => response
            .content_type("text/html; charset=utf-8")
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ))
            .body(draft.html()),
        DraftFormat::Json => response.json(draft),
    })
}

/// Records a party's signature: who signs for it (`representative`, else the one the elements
/// name), the signed-in user and the time. When the last party signs, a draft becomes `signed`
/// (dated today unless it has a date) and its text is frozen: a PATCH may then change only its
/// status and document link (409 otherwise), and a new agreement with `supersedes` replaces
/// it. Editors and above.
#[utoipa::path(
    operation_id = "initiative_agreements_sign",
    tag = "agreements",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("agreement_id" = Uuid, Path),
        ("X-Change-Reason" = Option<String>, Header),
    ),
    request_body = NewSignature,
    responses(
        (status = 200, description = "The agreement with the signature", body = Agreement, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The party has signed already, or the agreement is superseded", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a party to the agreement, or no representative", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/initiatives/{id}/agreements/{agreement_id}/signatures")]
pub async fn sign(
    req: HttpRequest,
    Auth(caller): Auth,
    registry: web::Data<Registry>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<NewSignature>,
) -> ApiResult<HttpResponse> {
    let (initiative, id) = path.into_inner();
    let view = registry
        .sign_agreement(&caller, initiative, id, input, &write_meta(&req))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(view.version)))
        .json(view))
}
