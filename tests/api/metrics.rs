//! Prometheus `/metrics`: requests by route pattern and status with latency histograms, the
//! connection pool, read-cache lookups, the webhook outbox and delivery attempts, imported and
//! exported rows; and its access setting. The recorder is one per process (shared by every test
//! app of this binary), so counters are compared before and after, as "grew by at least".

use msp_tests::{TestApp, both_databases, json};
use service::{Role, webhooks::worker};

const VARS: &[(&str, &str)] = &[("MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")];
const TOKEN_VARS: &[(&str, &str)] = &[("MSP_METRICS_TOKEN", "scrape-token-0123456789")];
const OFF_VARS: &[(&str, &str)] = &[("MSP_METRICS", "false")];

both_databases!(vars = super::VARS;
    requests_are_counted_by_route_pattern_and_status,
    cache_webhooks_and_bulk_rows_are_counted,
);
both_databases!(vars = super::TOKEN_VARS; a_metrics_token_is_required_when_set);
both_databases!(vars = super::OFF_VARS; metrics_can_be_turned_off);

/// The page, read anonymously.
async fn scrape(app: &TestApp) -> String {
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    r.text().await.unwrap()
}

/// The value of the sample `name{labels}` exactly as written (labels in the page's order),
/// 0 when absent.
fn sample(page: &str, series: &str) -> f64 {
    page.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

async fn requests_are_counted_by_route_pattern_and_status(app: TestApp) {
    let series =
        r#"msp_http_requests_total{method="GET",route="/api/v1/organizations/{id}",status="404"}"#;
    let before = sample(&scrape(&app).await, series);
    let id = uuid::Uuid::new_v4();
    for _ in 0..3 {
        let r = app.get(&format!("/api/v1/organizations/{id}"), None).await;
        assert_eq!(r.status, 404);
    }
    let page = scrape(&app).await;
    assert!(sample(&page, series) >= before + 3.0, "{page}");
    assert!(
        !page.contains(&id.to_string()),
        "a route is its pattern, never the raw path"
    );
    let histogram = r#"msp_http_request_duration_seconds_count{method="GET",route="/api/v1/organizations/{id}",status="404"}"#;
    assert!(sample(&page, histogram) >= 3.0);
    assert!(page.contains(
        r#"msp_http_request_duration_seconds_bucket{method="GET",route="/api/v1/organizations/{id}",status="404",le="0.005"}"#
    ));
    assert!(page.contains("# TYPE msp_http_request_duration_seconds histogram"));
    // The pool of the test apps (MSP_DB_MAX_CONNECTIONS=5).
    assert_eq!(sample(&page, "msp_db_pool_max_connections"), 5.0);
    assert!(page.contains(r#"msp_db_pool_connections{state="idle"}"#));
    assert!(page.contains(r#"msp_db_pool_connections{state="in_use"}"#));
    // An unknown path is `unmatched`, whatever it was.
    app.get("/no/such/thing-42", None).await;
    let page = scrape(&app).await;
    assert!(page.contains(r#"route="unmatched",status="404""#));
    assert!(!page.contains("thing-42"));
}

async fn cache_webhooks_and_bulk_rows_are_counted(app: TestApp) {
    let tenant = app.tenant("metrics").await;
    let admin = app.member(&tenant, Role::Admin).await;
    let before = scrape(&app).await;

    // The same list twice: a miss, then a hit.
    for _ in 0..2 {
        let r = app.get("/api/v1/initiatives", Some(&admin.token)).await;
        assert_eq!(r.status, 200);
    }
    // A subscription to a closed port, a write, and one failed attempt.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(&admin.token),
            &json!({"url": url, "event_types": ["*"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    app.organization(&admin.token, "Metrics partner", "private")
        .await;
    assert_eq!(app.registry.webhook_outbox_depth().await.unwrap(), 1);
    let page = scrape(&app).await;
    assert!(
        page.contains("msp_webhook_outbox_depth "),
        "the gauge is exported"
    );
    worker::run_once(&app.registry).await.unwrap();

    // An import of two rows and an export of them.
    let csv = "title,kind,countries\nFirst,msp,ML\nSecond,ppp,SN\n";
    let res = app
        .client
        .post(app.url("/api/v1/import/initiatives"))
        .bearer_auth(&admin.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .get(app.url("/api/v1/export/initiatives?format=ndjson"))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap().lines().count(), 2);

    let after = scrape(&app).await;
    let grew = |series: &str, by: f64| {
        let (b, a) = (sample(&before, series), sample(&after, series));
        assert!(a >= b + by, "{series}: {b} -> {a}");
    };
    grew(
        r#"msp_webhook_delivery_attempts_total{result="failed"}"#,
        1.0,
    );
    grew(r#"msp_import_rows_total{action="created"}"#, 2.0);
    grew(
        r#"msp_export_rows_total{entity="initiative",format="ndjson"}"#,
        2.0,
    );
}

async fn a_metrics_token_is_required_when_set(app: TestApp) {
    let anonymous = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-token-wrong-000000")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert!(
        right
            .text()
            .await
            .unwrap()
            .contains("msp_http_requests_total")
    );
}

async fn metrics_can_be_turned_off(app: TestApp) {
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), "not_found");
}
