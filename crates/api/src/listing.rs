//! Answers for paged lists: the page as JSON with a weak `ETag` (a digest of the body, so a
//! client polling an unchanged list gets `304 Not Modified`), and RFC 8288 `Link` headers to the
//! first, previous, next and last pages, keeping every other query parameter.

use actix_web::{HttpRequest, HttpResponse, http::header};
use serde::Serialize;
use service::pagination::Page;
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

/// A 200 with the page, its `ETag` and `Link`, or a 304 when `If-None-Match` names the ETag.
pub fn page<T: Serialize>(req: &HttpRequest, page: &Page<T>) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(page)
        .map_err(|e| ApiError::Service(service::ServiceError::Internal(e.to_string())))?;
    let etag = weak_etag(&body);
    let link = links(req, page);
    let not_modified = matches_etag(req, &etag);
    let mut res = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::LINK, link));
    if not_modified {
        return Ok(res.finish());
    }
    Ok(res.content_type("application/json").body(body))
}

/// A weak validator: the list's representation, not a stored version.
pub fn weak_etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("W/\"{}\"", hex(&digest[..12]))
}

/// Lower-case hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for GET).
pub fn matches_etag(req: &HttpRequest, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "*" || v.split(',').any(|t| opaque(t) == opaque(etag)))
}

/// `Link` to the first, previous, next and last pages of a list. A page with cursors links its
/// `next` and `prev` by `after=`/`before=` (keyset: as fast deep in the list as at its start);
/// a page by number without them links by `page=`. `last` needs a total.
pub fn links<T>(req: &HttpRequest, page: &Page<T>) -> String {
    let by_page = |n: u64| without(req, &["after", "before"], Some(("page", n.to_string())));
    let mut rels = vec![("first", by_page(1))];
    match (&page.prev_cursor, page.page) {
        (Some(cursor), _) => rels.push((
            "prev",
            without(
                req,
                &["page", "after", "before"],
                Some(("before", cursor.clone())),
            ),
        )),
        (None, Some(n)) if n > 1 => rels.push((
            "prev",
            by_page((n - 1).min(page.total_pages.unwrap_or(n).max(1))),
        )),
        _ => {}
    }
    match (&page.next_cursor, page.page, page.total_pages) {
        (Some(cursor), _, _) => rels.push((
            "next",
            without(
                req,
                &["page", "after", "before"],
                Some(("after", cursor.clone())),
            ),
        )),
        (None, Some(n), Some(total)) if n < total => rels.push(("next", by_page(n + 1))),
        _ => {}
    }
    if let Some(total) = page.total_pages {
        rels.push(("last", by_page(total.max(1))));
    }
    rels.into_iter()
        .map(|(rel, url)| format!("<{url}>; rel=\"{rel}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The request's path and query without the parameters `drop`, and with `set` appended.
fn without(req: &HttpRequest, drop: &[&str], set: Option<(&str, String)>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if !drop.contains(&k.as_ref()) && set.as_ref().is_none_or(|(name, _)| *name != k) {
            query.append_pair(&k, &v);
        }
    }
    if let Some((name, value)) = &set {
        query.append_pair(name, value);
    }
    format!("{}?{}", req.path(), query.finish())
}

/// The request's path and query with `name` set to `value` (other parameters kept in order).
pub fn with_param(req: &HttpRequest, name: &str, value: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if k != name {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair(name, value);
    format!("{}?{}", req.path(), query.finish())
}
