//! The reader's language of a request: `lang=` over `Accept-Language`
//! (`service::language::choose` decides), and the `Content-Language` that answers it.

use actix_web::{HttpRequest, HttpResponse, http::header};
use service::{
    ServiceError,
    language::{self, Language, LanguageChoice, LanguageQuery},
};

/// The reader's choice of language for this request.
pub fn choice(req: &HttpRequest, query: &LanguageQuery) -> Result<LanguageChoice, ServiceError> {
    choose(req, query.lang.as_deref())
}

/// The reader's choice from a `lang` parameter and the request's `Accept-Language`.
pub fn choose(req: &HttpRequest, lang: Option<&str>) -> Result<LanguageChoice, ServiceError> {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    language::choose(lang, accept)
}

/// What the reader asked for from a `lang` parameter and the request's `Accept-Language`, or
/// `None` when they named no language the registry holds (records then read in their own).
pub fn ask(req: &HttpRequest, lang: Option<&str>) -> Result<Option<LanguageChoice>, ServiceError> {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    language::ask(lang, accept)
}

/// The `lang` query parameter of a read whose other parameters are not a typed query (a
/// child record's detail), if given.
pub fn query_lang(req: &HttpRequest) -> Option<String> {
    actix_web::web::Query::<std::collections::HashMap<String, String>>::from_query(
        req.query_string(),
    )
    .ok()
    .and_then(|q| q.get("lang").cloned())
}

/// Marks an answer whose texts are in `content_language` and depend on `Accept-Language`.
pub fn mark(mut response: HttpResponse, content_language: &str) -> HttpResponse {
    let headers = response.headers_mut();
    if let Ok(value) = header::HeaderValue::from_str(content_language)
        && !content_language.is_empty()
    {
        headers.insert(header::CONTENT_LANGUAGE, value);
    }
    headers.insert(
        header::VARY,
        header::HeaderValue::from_static("Accept-Language"),
    );
    response
}

/// One record read in the reader's language: when they asked for one (`choice`), its ETag
/// names the languages of the answer, so a validator of the English text never stands for the
/// French ([`crate::extract::versioned_in`]); without a choice the record reads in its own
/// language under its plain ETag, the one writes answer with.
pub fn versioned<T: serde::Serialize>(
    req: &HttpRequest,
    choice: Option<LanguageChoice>,
    version: i32,
    content_language: &str,
    body: &T,
) -> HttpResponse {
    let response = match choice {
        Some(_) => crate::extract::versioned_in(req, version, content_language, body),
        None => crate::extract::versioned(req, version, body),
    };
    mark(response, content_language)
}

/// The `Content-Language` of an answer in `choice`: its language, or all six for `lang=*`.
pub fn content_language(choice: LanguageChoice) -> String {
    match choice {
        LanguageChoice::One(l) => l.tag().to_owned(),
        LanguageChoice::All => Language::ALL
            .iter()
            .map(|l| l.tag())
            .collect::<Vec<_>>()
            .join(", "),
    }
}
