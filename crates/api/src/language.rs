//! The reader's language of a request: `lang=` over `Accept-Language`
//! (`service::language::choose` decides), and the `Content-Language` that answers it.

use actix_web::{HttpRequest, http::header};
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
