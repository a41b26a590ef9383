//! GraphiQL at a bare `GET /graphql`, served entirely from the binary: the page, React 18 and
//! GraphiQL 3 are vendored in `crates/api/assets/graphiql/` (see its README for versions and
//! licences), so the page needs no network beyond this server.
//!
//! The assets live under `/graphql/assets/<crate version>/`, cached for a year (`immutable`):
//! a release that changes them changes their URLs. The page itself is revalidated every time.

use actix_web::{HttpResponse, http::header, web};

/// The path prefix of the assets of this build.
pub const ASSETS: &str = concat!("/graphql/assets/", env!("CARGO_PKG_VERSION"));

const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// A vendored file: its name, content type and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

const FILES: [Asset; 5] = [
    Asset {
        name: "graphiql.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "react.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "init.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/init.js"),
    },
];

/// The GraphiQL page, pointing at this build's assets.
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE.replace("{ASSETS}", ASSETS))
}

/// `GET /graphql/assets/{version}/{file}`: a vendored file of this build, else 404.
pub async fn asset(path: web::Path<(String, String)>) -> HttpResponse {
    let (version, name) = path.into_inner();
    let found = FILES
        .iter()
        .find(|f| f.name == name)
        .filter(|_| version == env!("CARGO_PKG_VERSION"));
    match found {
        Some(file) => HttpResponse::Ok()
            .content_type(file.content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(file.bytes),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such GraphiQL asset in this build"),
    }
}
