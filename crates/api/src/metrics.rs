//! Prometheus metrics at `GET /metrics` (text exposition format 0.0.4).
//!
//! Counters and histograms are recorded through the `metrics` facade (the service crate counts
//! read-cache lookups, webhook deliveries and import/export rows the same way) into one
//! process-wide Prometheus recorder, installed on first use. Gauges that describe the present
//! (the connection pool, the webhook outbox) are read when the page is scraped.
//!
//! Labels are bounded: a route is its pattern (`/api/v1/initiatives/{id}`, or `unmatched`),
//! never the raw path; methods outside the standard ones count as `other`.
//!
//! Access (`MSP_METRICS`, `MSP_METRICS_TOKEN`): on by default and public, as `/health` is; the
//! page names no tenant, record or person. With `MSP_METRICS_TOKEN` set it needs
//! `Authorization: Bearer <that token>` (401 otherwise); `MSP_METRICS=false` turns it off (404).

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use service::Registry;
use sha2::{Digest, Sha256};

use crate::problem::problem_response;

/// Latency buckets in seconds: 1 ms to 60 s (exports stream for seconds).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first call; `None` if another recorder was installed
/// first (then nothing is exported).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("msp_http_request_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            // Histogram samples wait in a buffer until upkeep folds them in: keep it small even
            // when nobody scrapes.
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                })
                .ok()?;
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "msp_http_requests_total",
        "HTTP requests answered, by method, route pattern and status"
    );
    describe_histogram!(
        "msp_http_request_duration_seconds",
        Unit::Seconds,
        "Time from a request's arrival to the end of its response body, by method, route pattern and status"
    );
    describe_counter!(
        "msp_db_statements_total",
        "SQL statements run by this process, on either engine and inside transactions too"
    );
    describe_gauge!(
        "msp_db_pool_connections",
        "Open database connections in this process's pool, by state (idle, in_use)"
    );
    describe_gauge!(
        "msp_db_pool_max_connections",
        "Largest size of this process's pool (MSP_DB_MAX_CONNECTIONS)"
    );
    describe_gauge!(
        "msp_webhook_outbox_depth",
        "Webhook deliveries waiting in the outbox (pending or being delivered), all tenants"
    );
    service::telemetry::describe();
}

/// Counts one answered request (called once its body has been sent).
pub fn record_request(method: &'static str, route: String, status: u16, elapsed: Duration) {
    if handle().is_none() {
        return;
    }
    let status = status.to_string();
    let labels = [
        ("method", method.to_owned()),
        ("route", route),
        ("status", status),
    ];
    metrics::counter!("msp_http_requests_total", &labels).increment(1);
    metrics::histogram!("msp_http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
}

/// Who may read `/metrics`.
#[derive(Clone, Debug, Default)]
pub struct MetricsAccess {
    pub enabled: bool,
    /// SHA-256 of `MSP_METRICS_TOKEN`, when one is required.
    pub token_sha256: Option<[u8; 32]>,
}

impl MetricsAccess {
    pub fn new(enabled: bool, token: Option<&str>) -> Self {
        Self {
            enabled,
            token_sha256: token.map(|t| Sha256::digest(t.as_bytes()).into()),
        }
    }

    fn allows(&self, req: &HttpRequest) -> bool {
        let Some(expected) = &self.token_sha256 else {
            return true;
        };
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Comparing digests keeps the comparison's time independent of the token's content.
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest
            .iter()
            .zip(expected.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// `GET /metrics`: the Prometheus text format.
pub async fn metrics_page(
    req: HttpRequest,
    access: web::Data<MetricsAccess>,
    registry: web::Data<Registry>,
) -> HttpResponse {
    if !access.enabled {
        return problem_response(
            service::ErrorCode::NotFound,
            "no such resource".into(),
            Vec::new(),
        );
    }
    if !access.allows(&req) {
        let mut response = problem_response(
            service::ErrorCode::Unauthenticated,
            "/metrics needs `Authorization: Bearer` with MSP_METRICS_TOKEN".into(),
            Vec::new(),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"msp-registry-metrics\""),
        );
        return response;
    }
    let Some(handle) = handle() else {
        return problem_response(
            service::ErrorCode::Unavailable,
            "metrics are not recorded in this process".into(),
            Vec::new(),
        );
    };
    let started = Instant::now();
    let pool = registry.pool_status();
    metrics::gauge!("msp_db_pool_connections", "state" => "idle").set(pool.idle as f64);
    metrics::gauge!("msp_db_pool_connections", "state" => "in_use")
        .set(pool.size.saturating_sub(pool.idle) as f64);
    metrics::gauge!("msp_db_pool_max_connections").set(pool.max as f64);
    match registry.webhook_outbox_depth().await {
        Ok(depth) => metrics::gauge!("msp_webhook_outbox_depth").set(depth as f64),
        Err(err) => tracing::warn!(error = %err, "metrics: cannot read the webhook outbox depth"),
    }
    handle.run_upkeep();
    let body = handle.render();
    tracing::debug!(
        render_ms = started.elapsed().as_secs_f64() * 1000.0,
        "metrics rendered"
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}
