//! REST handlers of the child records of an initiative (partners, contributions, agreements,
//! progress reports, lessons), written once: [`child_routes!`] makes a resource's five handlers
//! (list, create, get, update, delete) over the generic service functions
//! (`Registry::list_children` and the rest, see `service::children`). Each resource gives only
//! what differs: its types, paths, operation ids, descriptions and the problems particular to
//! it; the `#[utoipa::path]` annotations need them as literals, hence a macro.

use actix_web::{HttpRequest, HttpResponse};
use service::{Caller, Registry, children::ChildResource};
use uuid::Uuid;

use crate::{
    extract::{etag, if_match, versioned, write_meta},
    language,
    problem::ApiResult,
};

/// A list: the page, with its weak `ETag`, 304 and `Link` headers.
pub(crate) async fn list<R: ChildResource>(
    req: &HttpRequest,
    caller: &Caller,
    registry: &Registry,
    initiative: Uuid,
    query: R::Query,
) -> ApiResult<HttpResponse> {
    let choice = language::ask(req, R::lang(&query))?;
    let (page, content_language) = registry
        .list_children_in::<R>(caller, initiative, query, choice)
        .await?;
    let response = crate::listing::page(req, &page)?;
    Ok(match content_language {
        Some(content_language) => language::mark(response, &content_language),
        None => response,
    })
}

/// A create: 201 with the record, its `ETag` and `Location` (`…/initiatives/{id}/{segment}/{new id}`).
pub(crate) async fn create<R: ChildResource>(
    req: &HttpRequest,
    caller: &Caller,
    registry: &Registry,
    initiative: Uuid,
    segment: &str,
    input: R::New,
) -> ApiResult<HttpResponse> {
    let view = registry
        .create_child::<R>(caller, initiative, input, &write_meta(req))
        .await?;
    let id = R::id(&view);
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(R::version(&view))))
        .insert_header((
            "Location",
            format!("/api/v1/initiatives/{initiative}/{segment}/{id}"),
        ))
        .json(view))
}

/// One record, with its `ETag` (304 when `If-None-Match` still matches).
pub(crate) async fn get<R: ChildResource>(
    req: &HttpRequest,
    caller: &Caller,
    registry: &Registry,
    (initiative, id): (Uuid, Uuid),
) -> ApiResult<HttpResponse> {
    let choice = language::ask(req, language::query_lang(req).as_deref())?;
    let (view, content_language) = registry
        .get_child_in::<R>(caller, initiative, id, choice)
        .await?;
    Ok(match content_language {
        Some(content_language) => {
            language::versioned(req, choice, R::version(&view), &content_language, &view)
        }
        None => versioned(req, R::version(&view), &view),
    })
}

/// An update under `If-Match`: the record as stored, with the `ETag` of its stored version.
pub(crate) async fn update<R: ChildResource>(
    req: &HttpRequest,
    caller: &Caller,
    registry: &Registry,
    (initiative, id): (Uuid, Uuid),
    patch: R::Patch,
) -> ApiResult<HttpResponse> {
    let view = registry
        .update_child::<R>(
            caller,
            initiative,
            id,
            if_match(req),
            patch,
            &write_meta(req),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(R::version(&view))))
        .json(view))
}

/// A delete under `If-Match`: 204.
pub(crate) async fn delete<R: ChildResource>(
    req: &HttpRequest,
    caller: &Caller,
    registry: &Registry,
    (initiative, id): (Uuid, Uuid),
) -> ApiResult<HttpResponse> {
    registry
        .delete_child::<R>(caller, initiative, id, if_match(req), &write_meta(req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The five handlers of one child resource, `list`, `create`, `get`, `update` and `delete`,
/// in the module that invokes it, each with its `#[utoipa::path]` annotation. The doc comments
/// given before each operation become its description; `create_problems` and
/// `delete_problems` are the responses of those operations after their 404.
macro_rules! child_routes {
    (
        resource: $R:ty,
        tag: $tag:tt,
        segment: $segment:tt,
        item_param: $item:tt,
        view: $View:ty,
        new: $New:ty,
        patch: $Patch:ty,
        query: $Query:ty,
        list: { $(#[$list_doc:meta])* id: $list_id:tt, path: $list_path:tt },
        create: { $(#[$create_doc:meta])* id: $create_id:tt, problems: [$($create_problems:tt)*] },
        get: { $(#[$get_doc:meta])* id: $get_id:tt, path: $item_path:tt },
        update: { $(#[$update_doc:meta])* id: $update_id:tt },
        delete: { $(#[$delete_doc:meta])* id: $delete_id:tt, done: $deleted:tt, problems: [$($delete_problems:tt)*] } $(,)?
    ) => {
        $(#[$list_doc])*
        #[utoipa::path(
            operation_id = $list_id,
            tag = $tag,
            security((), ("bearer" = [])),
            params(("id" = Uuid, Path, description = "Initiative id"), $Query),
            responses(
                (status = 200, body = Page<$View>, headers(("ETag" = String, description = "Weak validator of the page; send it back as If-None-Match"), ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages"))),
                (status = 304, description = "Not modified: the page still has the ETag named in If-None-Match"),
                (status = 400, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such initiative (or not readable)", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($list_path)]
        pub async fn list(
            req: actix_web::HttpRequest,
            Auth(caller): Auth,
            registry: actix_web::web::Data<Registry>,
            path: actix_web::web::Path<Uuid>,
            ApiQuery(query): ApiQuery<$Query>,
        ) -> ApiResult<actix_web::HttpResponse> {
            crate::routes::children::list::<$R>(&req, &caller, &registry, path.into_inner(), query).await
        }

        $(#[$create_doc])*
        #[utoipa::path(
            operation_id = $create_id,
            tag = $tag,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Initiative id"), ("X-Change-Reason" = Option<String>, Header)),
            request_body = $New,
            responses(
                (status = 201, body = $View, headers(("ETag" = String), ("Location" = String))),
                (status = 401, body = Problem, content_type = "application/problem+json"),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                $($create_problems)*
            )
        )]
        #[post($list_path)]
        pub async fn create(
            req: actix_web::HttpRequest,
            Auth(caller): Auth,
            registry: actix_web::web::Data<Registry>,
            path: actix_web::web::Path<Uuid>,
            ApiJson(input): ApiJson<$New>,
        ) -> ApiResult<actix_web::HttpResponse> {
            crate::routes::children::create::<$R>(&req, &caller, &registry, path.into_inner(), $segment, input).await
        }

        $(#[$get_doc])*
        #[utoipa::path(
            operation_id = $get_id,
            tag = $tag,
            security((), ("bearer" = [])),
            params(("id" = Uuid, Path, description = "Initiative id"), ($item = Uuid, Path), ("If-None-Match" = Option<String>, Header)),
            responses(
                (status = 200, body = $View, headers(("ETag" = String))),
                (status = 304, description = "Not modified"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($item_path)]
        pub async fn get(
            req: actix_web::HttpRequest,
            Auth(caller): Auth,
            registry: actix_web::web::Data<Registry>,
            path: actix_web::web::Path<(Uuid, Uuid)>,
        ) -> ApiResult<actix_web::HttpResponse> {
            crate::routes::children::get::<$R>(&req, &caller, &registry, path.into_inner()).await
        }

        $(#[$update_doc])*
        #[utoipa::path(
            operation_id = $update_id,
            tag = $tag,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Initiative id"), ($item = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
            request_body = $Patch,
            responses(
                (status = 200, body = $View, headers(("ETag" = String))),
                (status = 401, body = Problem, content_type = "application/problem+json"),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 412, body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
                (status = 428, body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[patch($item_path)]
        pub async fn update(
            req: actix_web::HttpRequest,
            Auth(caller): Auth,
            registry: actix_web::web::Data<Registry>,
            path: actix_web::web::Path<(Uuid, Uuid)>,
            ApiJson(input): ApiJson<$Patch>,
        ) -> ApiResult<actix_web::HttpResponse> {
            crate::routes::children::update::<$R>(&req, &caller, &registry, path.into_inner(), input).await
        }

        $(#[$delete_doc])*
        #[utoipa::path(
            operation_id = $delete_id,
            tag = $tag,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Initiative id"), ($item = Uuid, Path), ("If-Match" = String, Header), ("X-Change-Reason" = Option<String>, Header)),
            responses(
                (status = 204, description = $deleted),
                (status = 401, body = Problem, content_type = "application/problem+json"),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                $($delete_problems)*
                (status = 412, body = Problem, content_type = "application/problem+json"),
                (status = 428, body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[delete($item_path)]
        pub async fn delete(
            req: actix_web::HttpRequest,
            Auth(caller): Auth,
            registry: actix_web::web::Data<Registry>,
            path: actix_web::web::Path<(Uuid, Uuid)>,
        ) -> ApiResult<actix_web::HttpResponse> {
            crate::routes::children::delete::<$R>(&req, &caller, &registry, path.into_inner()).await
        }
    };
}

pub(crate) use child_routes;
