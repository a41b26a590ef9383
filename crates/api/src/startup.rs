//! Building the service from configuration: the database, the token keys, the HTTP server.
//! Tests drive the same `Application` on port 0.

use std::{net::TcpListener, time::Duration};

use actix_cors::Cors;
use actix_web::{
    App, HttpRequest, HttpResponse, HttpServer, dev::Server, http::header, middleware, web,
};
use anyhow::Context;
use service::{
    Registry, ServiceError,
    auth::{ExternalIdp, ExternalKeys, KeySet, RemoteKeys, TokenKeys},
    db,
};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    client_address::TrustedProxies,
    config::{Config, ExternalIdpConfig, ExternalKeySource},
    extract::BodyLimit,
    graphql::GraphqlState,
    metrics::MetricsAccess,
    openapi::ApiDoc,
    problem::ApiError,
    rate_limit::RateLimits,
    routes,
    telemetry::observe,
};
use utoipa::OpenApi;

/// Connects, migrates and assembles the service layer of a server: with its search index,
/// opened from `MSP_SEARCH_INDEX` and built or caught up in the background.
pub async fn registry(config: &Config) -> anyhow::Result<Registry> {
    let search = service::search::SearchIndex::open(config.search_index.as_deref())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let registry = assemble(config, search).await?;
    // `/ready` answers 503 and searches wait until the index is in step with the database.
    // A failure (the database unreachable, the pool exhausted) is retried until it passes.
    let starting = registry.clone();
    tokio::spawn(async move {
        while let Err(e) = starting.search().start(starting.db()).await {
            tracing::error!(error = %e, "search index: cannot build it; retrying in a second");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    Ok(registry)
}

/// The service layer of a command that does not serve (the CLI's): no search index of its
/// own — a server's index learns its writes through the change feed.
pub async fn registry_without_search(config: &Config) -> anyhow::Result<Registry> {
    let search = service::search::SearchIndex::detached().map_err(|e| anyhow::anyhow!("{e}"))?;
    assemble(config, search).await
}

/// Connects, migrates and assembles the service layer.
async fn assemble(
    config: &Config,
    search: service::search::SearchIndex,
) -> anyhow::Result<Registry> {
    let location = crate::config::redact_url(&config.db.url);
    db::migrate(&config.db)
        .await
        .with_context(|| format!("cannot apply migrations to {location}"))?;
    let conn = db::connect(&config.db)
        .await
        .with_context(|| format!("cannot open the database {location}"))?;
    match service::initiatives::document::backfill(&conn).await {
        Ok(0) => {}
        Ok(built) => tracing::info!(built, "initiative documents built"),
        Err(e) => tracing::warn!(error = %e, "cannot build the missing initiative documents"),
    }
    let secret = match &config.jwt_secret {
        Some(secret) => secret.clone(),
        None => db::instance_secret(&conn, "jwt_hs256")
            .await
            .context("cannot read or create the instance JWT secret")?,
    };
    let external = match &config.external_idp {
        None => None,
        Some(idp) => Some(ExternalIdp {
            issuer: idp.issuer.clone(),
            audience: idp.audience.clone(),
            keys: external_keys(idp).await?,
            tenant_claim: idp.tenant_claim.clone(),
            role_claim: idp.role_claim.clone(),
        }),
    };
    let keys = TokenKeys::new(
        secret.as_bytes(),
        config.jwt_issuer.clone(),
        config.jwt_audience.clone(),
        config.token_ttl,
    )
    .with_external(external);
    Ok(Registry::new(conn, keys, config.settings.clone(), search))
}

/// The external identity provider's keys: a file is read now and must hold a usable key; a URL
/// is fetched now, but the service starts even if that fails (see `RemoteKeys::start`).
async fn external_keys(idp: &ExternalIdpConfig) -> anyhow::Result<ExternalKeys> {
    let read = |path: &std::path::Path, var: &str| {
        std::fs::read(path).with_context(|| format!("cannot read {var} {}", path.display()))
    };
    Ok(match &idp.keys {
        ExternalKeySource::PemFile(path) => {
            let pem = read(path, "MSP_OIDC_PUBLIC_KEY_FILE")?;
            let keys = KeySet::from_pem(&pem).context("MSP_OIDC_PUBLIC_KEY_FILE")?;
            ExternalKeys::Fixed(keys.into())
        }
        ExternalKeySource::JwksFile(path) => {
            let document = read(path, "MSP_OIDC_JWKS_FILE")?;
            let keys = KeySet::from_jwks(&document).context("MSP_OIDC_JWKS_FILE")?;
            ExternalKeys::Fixed(keys.into())
        }
        ExternalKeySource::JwksUrl(url) => ExternalKeys::Remote(
            RemoteKeys::start(url.clone(), idp.refresh)
                .await
                .context("MSP_OIDC_JWKS_URL")?,
        ),
    })
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-change-reason"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::LINK,
            header::HeaderName::from_static("idempotent-replayed"),
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::HeaderName::from_static("ratelimit-policy"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// A path segment that does not parse (say, an id that is not a UUID) names nothing: 404.
fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    tracing::debug!(%err, "unparsable path");
    ApiError::Service(ServiceError::NotFound { entity: "resource" }).into()
}

/// The HTTP server, bound and ready to run, and the webhook delivery worker (unless
/// `MSP_WEBHOOK_WORKER=false`).
pub struct Application {
    server: Server,
    port: u16,
    worker: Option<service::webhooks::worker::WorkerHandle>,
}

impl Application {
    pub fn build(config: &Config, registry: Registry) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        Self::from_listener(config, registry, listener)
    }

    pub fn from_listener(
        config: &Config,
        registry: Registry,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        // Tokens stop working in this process within a poll of another's access change.
        if let Some(poll) = config.access_poll {
            actix_web::rt::spawn(registry.clone().follow_access_log(poll));
        }
        // What other processes wrote reaches this one's search index through the change feed.
        actix_web::rt::spawn(
            registry
                .search()
                .clone()
                .follow(registry.db().clone(), config.search_follow),
        );
        let worker = if registry.settings().webhooks.worker {
            Some(
                service::webhooks::worker::spawn(registry.clone())
                    .map_err(|e| anyhow::anyhow!("cannot start the webhook worker: {e}"))?,
            )
        } else {
            None
        };
        let rate_limits = RateLimits::new(&config.rate_limit);
        actix_web::rt::spawn(rate_limits.clone().forget_idle(Duration::from_secs(60)));
        let rate_limits = web::Data::new(rate_limits);
        let trusted_proxies = web::Data::new(TrustedProxies(config.trusted_proxies.clone()));
        let registry = web::Data::new(registry);
        let origins = config.cors_origins.clone();
        let body_limit = config.body_limit;
        let max_page_size = registry.settings().max_page_size;
        let graphql = web::Data::new(GraphqlState::new(config.graphql));
        let metrics_access = web::Data::new(MetricsAccess::new(
            config.metrics_enabled,
            config.metrics_token.as_deref(),
        ));
        // Installs the process's recorder before the first request is counted.
        crate::metrics::handle();
        // The document the validator and the 405 answers read, built now rather than on the
        // first 404, 405 or 422 a client meets.
        crate::validate::document();
        let mut server = HttpServer::new(move || {
            App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(registry.clone())
                .app_data(graphql.clone())
                .app_data(metrics_access.clone())
                .app_data(rate_limits.clone())
                .app_data(trusted_proxies.clone())
                .app_data(BodyLimit(body_limit))
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .configure(routes::configure)
                .openapi_service(|api| {
                    SwaggerUi::new("/docs/{_:.*}").url(
                        "/api-docs/openapi.json",
                        crate::openapi::served(api, max_page_size),
                    )
                })
                .into_app()
                .route("/docs", web::get().to(docs_redirect))
                .route("/metrics", web::get().to(crate::metrics::metrics_page))
                .configure(crate::graphql::configure)
                .default_service(web::to(crate::methods::fallback))
                .wrap(middleware::from_fn(crate::methods::methods))
                .wrap(middleware::from_fn(crate::idempotency::idempotency))
                .wrap(middleware::from_fn(crate::rate_limit::rate_limit))
                .wrap(middleware::from_fn(observe))
                .wrap(cors(&origins))
                .wrap(middleware::Compress::default())
        })
        .listen(listener)?
        .shutdown_timeout(10);
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            server: server.run(),
            port,
            worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server stops (on SIGINT/SIGTERM), then stops the webhook worker,
    /// letting a batch in flight finish (undelivered rows stay in the outbox).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        if let Some(worker) = self.worker {
            worker.stop().await;
        }
        result
    }
}
