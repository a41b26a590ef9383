//! The REST API's query-string parser (`api::extract::parse_query`, what `ApiQuery<T>` runs on
//! every list and filter request), then the initiative list's own checks of the parsed filters
//! and sort (`service::fuzzing::check_initiative_query`). Never panics on any input, and is
//! stable under re-rendering: the decoded pairs encoded again parse to the same result.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use service::{
    feed::ChangeQuery, initiatives::InitiativeQuery, lessons::LessonSearch,
    organizations::OrganizationQuery, pagination::PageParams,
};
use utoipa::IntoParams;

/// The query string as `form_urlencoded` decodes it, encoded again.
fn rendered(query: &str) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        out.append_pair(&k, &v);
    }
    out.finish()
}

/// Parses `query` as `T` and its re-rendering too, and asserts both answer alike.
fn stable<T: DeserializeOwned + IntoParams + Debug>(query: &str) -> Option<T> {
    let first = api::extract::parse_query::<T>(query);
    let again = api::extract::parse_query::<T>(&rendered(query));
    let (a, b) = (format!("{first:?}"), format!("{again:?}"));
    assert_eq!(a, b, "the re-rendered query string parses differently");
    first.ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // A request's query string is text; actix hands the handler its raw (still encoded) form.
    let Ok(query) = std::str::from_utf8(rest) else {
        return;
    };
    match selector % 5 {
        0 | 1 => {
            if let Some(parsed) = stable::<InitiativeQuery>(query) {
                let _ = service::fuzzing::check_initiative_query(&parsed);
            }
        }
        2 => {
            stable::<OrganizationQuery>(query);
        }
        3 => {
            stable::<ChangeQuery>(query);
        }
        _ => {
            stable::<LessonSearch>(query);
            stable::<PageParams>(query);
        }
    }
});
