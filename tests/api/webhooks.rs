//! Webhooks: subscriptions (roles, tenancy, validation, SSRF), the outbox written with each
//! change, and the worker: signing, event filtering, retries, disabling, ordering, restarts and
//! several workers on one database. Receivers are small HTTP servers on 127.0.0.1.

use std::{
    collections::{HashMap, HashSet},
    net::TcpListener,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use msp_tests::{TestApp, both_databases, json};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use service::{Role, webhooks::worker};
use sha2::Sha256;

/// Receivers on 127.0.0.1 need private networks allowed; retries are fast; deliveries are
/// driven by `worker::run_once` (the harness runs no background worker).
const VARS: &[(&str, &str)] = &[
    ("MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
    ("MSP_WEBHOOK_RETRY_BASE_MS", "1"),
    ("MSP_WEBHOOK_RETRY_MAX_MS", "20"),
    ("MSP_WEBHOOK_MAX_ATTEMPTS", "4"),
    ("MSP_WEBHOOK_DISABLE_AFTER", "2"),
    ("MSP_WEBHOOK_TIMEOUT_MS", "3000"),
    ("MSP_WEBHOOK_CONNECT_TIMEOUT_MS", "1000"),
    ("MSP_WEBHOOK_LEASE_MS", "5000"),
];

both_databases!(
    vars = super::VARS;
    subscriptions_crud_and_roles,
    subscriptions_are_tenant_private,
    validation_and_ssrf_guard,
    deliveries_are_signed,
    event_types_filter_deliveries,
    failed_attempts_are_retried_with_backoff,
    repeated_failure_disables_the_subscription,
    events_arrive_in_feed_order,
    imports_deliver_one_event_per_initiative_in_feed_order,
    failed_writes_enqueue_nothing,
    nothing_is_lost_across_restarts_and_expired_leases,
    two_workers_deliver_each_event_once,
);

// ---------------------------------------------------------------------------------------------
// A receiver that records every request and can be told to fail.

#[derive(Clone, Debug)]
struct Call {
    /// Path and query.
    target: String,
    headers: HashMap<String, String>,
    body: String,
    status: u16,
}

impl Call {
    fn id(&self) -> &str {
        &self.headers["webhook-id"]
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap().to_owned()
    }

    fn cursor(&self) -> i64 {
        self.json()["data"]["cursor"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }
}

#[derive(Default)]
struct ReceiverState {
    calls: Vec<Call>,
    /// Answer 503 to this many more requests.
    fail_next: usize,
    delay: Option<Duration>,
}

#[derive(Clone)]
struct Receiver {
    url: String,
    state: Arc<Mutex<ReceiverState>>,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Arc<Mutex<ReceiverState>>>,
) -> HttpResponse {
    let delay = state.lock().unwrap().delay;
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let mut s = state.lock().unwrap();
    let status = if s.fail_next > 0 {
        s.fail_next -= 1;
        503
    } else {
        204
    };
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    s.calls.push(Call {
        target: req.uri().to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        status,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

impl Receiver {
    async fn start() -> Receiver {
        let state = Arc::new(Mutex::new(ReceiverState::default()));
        let data = web::Data::new(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            state,
        }
    }

    fn fail_next(&self, n: usize) {
        self.state.lock().unwrap().fail_next = n;
    }

    fn delay(&self, d: Duration) {
        self.state.lock().unwrap().delay = Some(d);
    }

    /// Every request, failed ones included.
    fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    /// The requests answered with success.
    fn received(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.status < 300)
            .collect()
    }

    fn types(&self) -> Vec<String> {
        self.received().iter().map(Call::event_type).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

async fn subscribe(app: &TestApp, token: &str, url: &str, types: Value) -> Value {
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(token),
            &json!({"url": url, "event_types": types}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

/// Undelivered rows in the outbox.
async fn outstanding(app: &TestApp) -> i64 {
    let row = app
        .registry
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            app.registry.db().get_database_backend(),
            "SELECT COUNT(*) AS n FROM webhook_delivery WHERE status IN ('pending', 'delivering')",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Runs the worker until the outbox is empty; returns the attempts made.
async fn drain(app: &TestApp) -> usize {
    let mut attempts = 0;
    for _ in 0..2000 {
        let n = worker::run_once(&app.registry).await.unwrap();
        attempts += n;
        if n == 0 {
            if outstanding(app).await == 0 {
                return attempts;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    panic!("the outbox did not drain");
}

async fn deliveries(app: &TestApp, token: &str, hook: &Value) -> Vec<Value> {
    let r = app
        .get(
            &format!(
                "/api/v1/webhooks/{}/deliveries?per_page=100",
                hook["id"].as_str().unwrap()
            ),
            Some(token),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

// ---------------------------------------------------------------------------------------------
// Tests.

async fn subscriptions_crud_and_roles(app: TestApp) {
    let t = app.tenant("hooks").await;
    let admin = app.member(&t, Role::Admin).await;
    let editor = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let rx = Receiver::start().await;
    let body = json!({"url": rx.url, "event_types": ["organization.*"], "description": "Portal"});

    for who in [&viewer, &editor] {
        let r = app.post("/api/v1/webhooks", Some(&who.token), &body).await;
        assert_eq!(r.status, 403, "{:?}", r.body);
    }
    assert_eq!(app.post("/api/v1/webhooks", None, &body).await.status, 401);

    let created = app
        .post("/api/v1/webhooks", Some(&admin.token), &body)
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag(), "\"1\"");
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/webhooks/{id}");
    assert_eq!(created.header("location").unwrap(), path);
    let secret = created.body["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    assert!(STANDARD.decode(&secret[6..]).unwrap().len() >= 24);
    assert_eq!(created.body["enabled"], true);
    assert_eq!(created.body["event_types"], json!(["organization.*"]));

    // Members read; the secret is never shown again.
    let listed = app.get("/api/v1/webhooks", Some(&viewer.token)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert!(listed.body[0].get("secret").is_none());
    let read = app.get(&path, Some(&viewer.token)).await;
    assert_eq!(read.status, 200);
    assert!(read.body.get("secret").is_none());
    assert_eq!(read.etag(), "\"1\"");
    let cached = app
        .send(
            reqwest::Method::GET,
            &path,
            Some(&viewer.token),
            &[("If-None-Match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);

    // Changes: admins only, with If-Match.
    let patch = json!({"description": "Mirror", "event_types": ["*"]});
    assert_eq!(
        app.patch(&path, Some(&editor.token), Some("\"1\""), &patch)
            .await
            .status,
        403
    );
    assert_eq!(
        app.patch(&path, Some(&admin.token), None, &patch)
            .await
            .status,
        428
    );
    assert_eq!(
        app.patch(&path, Some(&admin.token), Some("\"9\""), &patch)
            .await
            .status,
        412
    );
    let updated = app
        .patch(&path, Some(&admin.token), Some("\"1\""), &patch)
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.etag(), "\"2\"");
    assert_eq!(updated.body["description"], "Mirror");
    assert!(updated.body.get("secret").is_none());

    // A ping goes through the outbox like any event.
    assert_eq!(
        app.post(&format!("{path}/test"), Some(&editor.token), &json!({}))
            .await
            .status,
        403
    );
    let ping = app
        .post(&format!("{path}/test"), Some(&admin.token), &json!({}))
        .await;
    assert_eq!(ping.status, 202, "{:?}", ping.body);
    assert_eq!(ping.body["status"], "pending");
    drain(&app).await;
    assert_eq!(rx.types(), ["webhook.ping"]);
    let log = deliveries(&app, &viewer.token, &created.body).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(log[0]["attempts"][0]["status_code"], 204);

    // Deletion: admins only, with If-Match; the log goes with it.
    assert_eq!(
        app.delete(&path, Some(&editor.token), Some("\"2\""))
            .await
            .status,
        403
    );
    assert_eq!(
        app.delete(&path, Some(&admin.token), None).await.status,
        428
    );
    assert_eq!(
        app.delete(&path, Some(&admin.token), Some("\"2\""))
            .await
            .status,
        204
    );
    assert_eq!(app.get(&path, Some(&admin.token)).await.status, 404);
    assert_eq!(
        app.get(&format!("{path}/deliveries"), Some(&admin.token))
            .await
            .status,
        404
    );
}

async fn subscriptions_are_tenant_private(app: TestApp) {
    let ta = app.tenant("hooks-a").await;
    let tb = app.tenant("hooks-b").await;
    let a = app.member(&ta, Role::Admin).await;
    let b = app.member(&tb, Role::Owner).await;
    let rx_a = Receiver::start().await;
    let rx_b = Receiver::start().await;
    let hook_a = subscribe(&app, &a.token, &rx_a.url, json!([])).await;
    let hook_b = subscribe(&app, &b.token, &rx_b.url, json!(["*"])).await;
    let path_a = format!("/api/v1/webhooks/{}", hook_a["id"].as_str().unwrap());

    // B sees nothing of A's subscription.
    let listed = app.get("/api/v1/webhooks", Some(&b.token)).await;
    let ids: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [hook_b["id"].as_str().unwrap()]);
    assert_eq!(app.get(&path_a, Some(&b.token)).await.status, 404);
    assert_eq!(
        app.patch(
            &path_a,
            Some(&b.token),
            Some("\"1\""),
            &json!({"enabled": false})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.delete(&path_a, Some(&b.token), Some("\"1\""))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("{path_a}/deliveries"), Some(&b.token))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(&format!("{path_a}/test"), Some(&b.token), &json!({}))
            .await
            .status,
        404
    );

    // A's changes reach A's subscription only, and B's only B's.
    app.organization(&a.token, "Only in A", "public").await;
    app.initiative(&a.token, "A's initiative").await;
    drain(&app).await;
    assert!(rx_b.calls().is_empty(), "B received A's events");
    assert_eq!(rx_a.types(), ["organization.created", "initiative.created"]);
    for call in rx_a.received() {
        assert_eq!(call.json()["data"]["tenant_id"], ta.id.to_string());
    }
    app.organization(&b.token, "Only in B", "private").await;
    drain(&app).await;
    assert_eq!(rx_b.types(), ["organization.created"]);
    assert_eq!(
        rx_b.received()[0].json()["data"]["tenant_id"],
        tb.id.to_string()
    );
    assert_eq!(rx_a.received().len(), 2);
    assert_eq!(deliveries(&app, &a.token, &hook_a).await.len(), 2);
    assert_eq!(deliveries(&app, &b.token, &hook_b).await.len(), 1);
}

async fn validation_and_ssrf_guard(app: TestApp) {
    let t = app.tenant("hooks-ssrf").await;
    let admin = app.member(&t, Role::Admin).await;
    let tok = Some(admin.token.as_str());

    // Every bad field is named.
    let r = app
        .post(
            "/api/v1/webhooks",
            tok,
            &json!({"url": "ftp://example.org/in", "event_types": ["initiative.created", "initiative.archived", "tenant.*"],
                    "secret": "whsec_short"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.code(), "validation");
    assert_eq!(
        r.error_fields(),
        ["url", "event_types[1]", "event_types[2]", "secret"]
    );
    let codes: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "invalid_scheme",
            "unknown_event_type",
            "unknown_event_type",
            "invalid_secret"
        ]
    );
    for url in [
        "file:///etc/passwd",
        "not a url",
        "https://user:pw@example.org/",
    ] {
        let r = app
            .post("/api/v1/webhooks", tok, &json!({"url": url}))
            .await;
        assert_eq!(r.status, 422, "{url}: {:?}", r.body);
        assert_eq!(r.error_fields(), ["url"]);
    }
    // A given secret is kept (and returned once).
    let given = format!("whsec_{}", STANDARD.encode([7u8; 32]));
    let rx = Receiver::start().await;
    let r = app
        .post(
            "/api/v1/webhooks",
            tok,
            &json!({"url": rx.url, "secret": given}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["secret"], given.as_str());

    // A server that does not allow private networks refuses internal addresses...
    let strict = app
        .sibling(&[("MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "false")])
        .await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
    ] {
        let r = strict
            .post("/api/v1/webhooks", tok, &json!({"url": url}))
            .await;
        assert_eq!(r.status, 422, "{url}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["code"], "private_address", "{url}");
    }
    // ...and, at delivery time, will not send to one registered earlier.
    app.organization(&admin.token, "Guarded", "private").await;
    let n = worker::run_once(&strict.registry).await.unwrap();
    assert_eq!(n, 1);
    assert!(rx.calls().is_empty(), "sent to a private address");
    let hook = app.get("/api/v1/webhooks", tok).await.body[0].clone();
    let log = deliveries(&app, &admin.token, &hook).await;
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["attempt_count"], 1);
    let error = log[0]["attempts"][0]["error"].as_str().unwrap();
    assert!(error.contains("address"), "{error}");
    assert!(log[0]["attempts"][0]["status_code"].is_null());
}

async fn deliveries_are_signed(app: TestApp) {
    let t = app.tenant("hooks-sign").await;
    let admin = app.member(&t, Role::Admin).await;
    let rx = Receiver::start().await;
    let hook = subscribe(&app, &admin.token, &rx.url, json!([])).await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let org = app
        .organization(&admin.token, "Signed org", "private")
        .await;
    drain(&app).await;

    let calls = rx.received();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.headers["content-type"], "application/json");
    let id = call.id().to_owned();
    let timestamp = call.headers["webhook-timestamp"].clone();
    let ts: i64 = timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 120);
    // Recompute: HMAC-SHA256 over "{id}.{timestamp}.{body}" with the decoded secret.
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", call.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(call.headers["webhook-signature"], expected);

    // The body: type, timestamp, data like a change feed entry.
    let body = call.json();
    assert_eq!(body["type"], "organization.created");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    let data = &body["data"];
    assert_eq!(data["entity_type"], "organization");
    assert_eq!(data["entity_id"], org["id"]);
    assert_eq!(data["operation"], "create");
    assert_eq!(data["version"], 1);
    assert_eq!(
        data["href"],
        format!("/api/v1/organizations/{}", org["id"].as_str().unwrap())
    );
    let feed = app.get("/api/v1/changes", Some(&admin.token)).await;
    assert_eq!(data["cursor"], feed.body["items"][0]["cursor"]);

    // The log names the same message id.
    let log = deliveries(&app, &admin.token, &hook).await;
    assert_eq!(log[0]["id"], id.as_str());
    assert_eq!(log[0]["event_type"], "organization.created");
    assert_eq!(log[0]["payload"], body);
    assert!(log[0]["delivered_at"].is_string());
}

async fn event_types_filter_deliveries(app: TestApp) {
    let t = app.tenant("hooks-filter").await;
    let admin = app.member(&t, Role::Admin).await;
    let (rx_init, rx_org, rx_all) = (
        Receiver::start().await,
        Receiver::start().await,
        Receiver::start().await,
    );
    subscribe(&app, &admin.token, &rx_init.url, json!(["initiative.*"])).await;
    subscribe(
        &app,
        &admin.token,
        &rx_org.url,
        json!(["organization.created"]),
    )
    .await;
    subscribe(&app, &admin.token, &rx_all.url, json!([])).await;

    let org = app
        .organization(&admin.token, "Filter org", "private")
        .await;
    let r = app
        .patch(
            &format!("/api/v1/organizations/{}", org["id"].as_str().unwrap()),
            Some(&admin.token),
            Some("\"1\""),
            &json!({"acronym": "FO"}),
        )
        .await;
    assert_eq!(r.status, 200);
    app.initiative(&admin.token, "Filter initiative").await;
    drain(&app).await;

    assert_eq!(rx_org.types(), ["organization.created"]);
    assert_eq!(rx_init.types(), ["initiative.created"]);
    assert_eq!(
        rx_all.types(),
        [
            "organization.created",
            "organization.updated",
            "initiative.created"
        ]
    );
}

async fn failed_attempts_are_retried_with_backoff(app: TestApp) {
    let t = app.tenant("hooks-retry").await;
    let admin = app.member(&t, Role::Admin).await;
    let rx = Receiver::start().await;
    let hook = subscribe(&app, &admin.token, &rx.url, json!([])).await;
    rx.fail_next(2);
    app.organization(&admin.token, "Retried", "private").await;

    // First attempt fails: the delivery waits for a retry.
    assert_eq!(worker::run_once(&app.registry).await.unwrap(), 1);
    let log = deliveries(&app, &admin.token, &hook).await;
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["attempt_count"], 1);
    assert_eq!(log[0]["last_status_code"], 503);
    assert!(log[0]["next_attempt_at"].is_string());
    assert!(log[0]["last_error"].as_str().unwrap().contains("503"));

    // Then succeeds on the third attempt, with the same message id each time.
    drain(&app).await;
    let calls = rx.calls();
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        [503, 503, 204]
    );
    assert!(calls.iter().all(|c| c.id() == calls[0].id()));
    let log = deliveries(&app, &admin.token, &hook).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(log[0]["attempt_count"], 3);
    assert!(log[0]["next_attempt_at"].is_null());
    let attempts = log[0]["attempts"].as_array().unwrap();
    let codes: Vec<i64> = attempts
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [503, 503, 204]);
    assert!(attempts[0]["error"].is_string());
    assert!(attempts[2]["error"].is_null());
    assert_eq!(
        app.get(
            &format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap()),
            Some(&admin.token)
        )
        .await
        .body["consecutive_failures"],
        0
    );

    // The backoff holds a retry back: with a 400 ms base it is not due at once.
    let slow = app
        .sibling(&[
            ("MSP_WEBHOOK_RETRY_BASE_MS", "400"),
            ("MSP_WEBHOOK_RETRY_MAX_MS", "400"),
        ])
        .await;
    rx.fail_next(1);
    app.organization(&admin.token, "Retried later", "private")
        .await;
    assert_eq!(worker::run_once(&slow.registry).await.unwrap(), 1);
    assert_eq!(worker::run_once(&slow.registry).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(worker::run_once(&slow.registry).await.unwrap(), 1);
    assert_eq!(rx.received().len(), 2);
}

async fn repeated_failure_disables_the_subscription(app: TestApp) {
    // MAX_ATTEMPTS=4, DISABLE_AFTER=2 (VARS).
    let t = app.tenant("hooks-disable").await;
    let admin = app.member(&t, Role::Admin).await;
    let rx = Receiver::start().await;
    let hook = subscribe(&app, &admin.token, &rx.url, json!([])).await;
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    rx.fail_next(usize::MAX);
    for name in ["One", "Two", "Three"] {
        app.organization(&admin.token, name, "private").await;
    }
    drain(&app).await;
    assert_eq!(rx.calls().len(), 8, "two deliveries, four attempts each");

    let read = app.get(&path, Some(&admin.token)).await;
    assert_eq!(read.body["enabled"], false);
    assert_eq!(read.body["consecutive_failures"], 2);
    assert!(read.body["disabled_at"].is_string());
    let reason = read.body["disabled_reason"].as_str().unwrap();
    assert!(
        reason.contains("2 consecutive failed deliveries"),
        "{reason}"
    );
    assert!(reason.contains("503"), "{reason}");
    let log = deliveries(&app, &admin.token, &hook).await;
    let statuses: Vec<&str> = log.iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["abandoned", "failed", "failed"]);
    assert_eq!(log[1]["attempts"].as_array().unwrap().len(), 4);

    // Disabled: new events are not queued for it.
    app.organization(&admin.token, "Four", "private").await;
    assert_eq!(deliveries(&app, &admin.token, &hook).await.len(), 3);

    // Re-enabling resets the count; deliveries resume with new events.
    let etag = read.etag();
    let enabled = app
        .patch(
            &path,
            Some(&admin.token),
            Some(&etag),
            &json!({"enabled": true}),
        )
        .await;
    assert_eq!(enabled.status, 200, "{:?}", enabled.body);
    assert_eq!(enabled.body["enabled"], true);
    assert_eq!(enabled.body["consecutive_failures"], 0);
    assert!(enabled.body["disabled_reason"].is_null());
    rx.fail_next(0);
    app.organization(&admin.token, "Five", "private").await;
    drain(&app).await;
    assert_eq!(rx.types(), ["organization.created"]);
    assert_eq!(
        rx.received()[0].json()["data"]["entity_type"],
        "organization"
    );
}

async fn events_arrive_in_feed_order(app: TestApp) {
    let t = app.tenant("hooks-order").await;
    let admin = app.member(&t, Role::Admin).await;
    let tok = Some(admin.token.as_str());
    let rx = Receiver::start().await;
    subscribe(&app, &admin.token, &rx.url, json!([])).await;
    // The first event fails twice: the ones behind it wait (per-subscription order).
    rx.fail_next(2);
    let org = app.organization(&admin.token, "Ordered", "private").await;
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    for (i, acronym) in ["A", "B", "C"].iter().enumerate() {
        let r = app
            .patch(
                &path,
                tok,
                Some(&format!("\"{}\"", i + 1)),
                &json!({"acronym": acronym}),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    let initiative = app.initiative(&admin.token, "Ordered initiative").await;
    assert_eq!(app.delete(&path, tok, Some("\"4\"")).await.status, 204);
    drain(&app).await;

    let feed = app.get("/api/v1/changes", tok).await;
    let feed_cursors: Vec<i64> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cursor"].as_str().unwrap().parse().unwrap())
        .collect();
    let received: Vec<i64> = rx.received().iter().map(Call::cursor).collect();
    assert_eq!(received, feed_cursors);
    assert_eq!(
        rx.types(),
        [
            "organization.created",
            "organization.updated",
            "organization.updated",
            "organization.updated",
            "initiative.created",
            "organization.deleted"
        ]
    );
    // Every request, failed ones included, went out in order (the retries came first).
    let all: Vec<i64> = rx.calls().iter().map(Call::cursor).collect();
    assert!(all.windows(2).all(|w| w[0] <= w[1]), "{all:?}");
    let last = rx.received().last().unwrap().json();
    assert!(last["data"]["href"].is_null());
    assert!(last["data"]["version"].is_null());
    let created = &rx.received()[4].json();
    assert_eq!(created["data"]["entity_id"], initiative["id"]);
}

async fn imports_deliver_one_event_per_initiative_in_feed_order(app: TestApp) {
    let t = app.tenant("hooks-import").await;
    let admin = app.member(&t, Role::Admin).await;
    let tok = Some(admin.token.as_str());
    let rx = Receiver::start().await;
    let hook = subscribe(&app, &admin.token, &rx.url, json!(["initiative.*"])).await;
    let body =
        "title,kind,countries\nImported one,msp,KE\nImported two,ppp,SN\nImported three,msp,BR\n";
    let r = app
        .client
        .post(app.url("/api/v1/import/initiatives"))
        .bearer_auth(&admin.token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let report: Value = r.json().await.unwrap();
    drain(&app).await;

    let feed = app.get("/api/v1/changes", tok).await;
    let feed_items = feed.body["items"].as_array().unwrap();
    assert_eq!(feed_items.len(), 3, "{feed_items:?}");
    let feed_cursors: Vec<i64> = feed_items
        .iter()
        .map(|i| i["cursor"].as_str().unwrap().parse().unwrap())
        .collect();
    let received = rx.received();
    assert_eq!(
        received.iter().map(Call::cursor).collect::<Vec<_>>(),
        feed_cursors
    );
    assert_eq!(
        rx.types(),
        [
            "initiative.created",
            "initiative.created",
            "initiative.created"
        ]
    );
    // Each event names its own initiative, in the order of the file's rows.
    let imported: Vec<&Value> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    let delivered: Vec<Value> = received
        .iter()
        .map(|c| c.json()["data"]["entity_id"].clone())
        .collect();
    assert_eq!(delivered.iter().collect::<Vec<_>>(), imported);
    for (call, item) in received.iter().zip(feed_items) {
        assert_eq!(call.json()["data"]["version"], 1);
        assert_eq!(call.json()["data"]["entity_id"], item["entity_id"]);
    }

    // The delivery log is a list like the others: weak ETag, 304, Link.
    let log_path = format!(
        "/api/v1/webhooks/{}/deliveries",
        hook["id"].as_str().unwrap()
    );
    let log = app.get(&log_path, tok).await;
    assert_eq!(log.status, 200);
    assert_eq!(log.body["total"], 3);
    let etag = log.header("etag").unwrap();
    assert!(etag.starts_with("W/"), "{etag}");
    assert!(log.header("link").unwrap().contains("rel=\"last\""));
    let again = app
        .send(
            reqwest::Method::GET,
            &log_path,
            tok,
            &[("If-None-Match", etag.as_str())],
            None,
        )
        .await;
    assert_eq!(again.status, 304);
}

async fn failed_writes_enqueue_nothing(app: TestApp) {
    let t = app.tenant("hooks-rollback").await;
    let admin = app.member(&t, Role::Admin).await;
    let tok = Some(admin.token.as_str());
    let rx = Receiver::start().await;
    let hook = subscribe(&app, &admin.token, &rx.url, json!([])).await;
    let org = app.organization(&admin.token, "Kept", "private").await;
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());

    let bad = app
        .post(
            "/api/v1/organizations",
            tok,
            &json!({"name": "", "sector": "business", "country": "XX"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let duplicate = app
        .post(
            "/api/v1/organizations",
            tok,
            &json!({"name": "Kept", "sector": "business"}),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    let stale = app
        .patch(&path, tok, Some("\"5\""), &json!({"acronym": "K"}))
        .await;
    assert_eq!(stale.status, 412);
    let invalid = app
        .patch(&path, tok, Some("\"1\""), &json!({"country": "XX"}))
        .await;
    assert_eq!(invalid.status, 422);

    assert_eq!(deliveries(&app, &admin.token, &hook).await.len(), 1);
    drain(&app).await;
    assert_eq!(rx.types(), ["organization.created"]);
}

async fn nothing_is_lost_across_restarts_and_expired_leases(app: TestApp) {
    let t = app.tenant("hooks-restart").await;
    let admin = app.member(&t, Role::Admin).await;
    let rx = Receiver::start().await;
    subscribe(&app, &admin.token, &rx.url, json!([])).await;
    // Written while no worker runs (the process "stops" before delivering).
    for name in ["R1", "R2", "R3"] {
        app.organization(&admin.token, name, "private").await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(rx.calls().is_empty());

    // A worker claims the first and dies before sending: the lease holds it (and the
    // events behind it) back...
    let claimed = worker::claim(&app.registry, 10, Duration::from_millis(500))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "one in flight per subscription");
    assert_eq!(worker::run_once(&app.registry).await.unwrap(), 0);

    // ...until it expires; a new process with its background worker delivers everything.
    let restarted = app
        .sibling(&[
            ("MSP_WEBHOOK_WORKER", "true"),
            ("MSP_WEBHOOK_POLL_MS", "50"),
        ])
        .await;
    wait_for("three deliveries", || rx.received().len() >= 3).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let received = rx.received();
    assert_eq!(received.len(), 3, "each event exactly once");
    assert_eq!(received[0].id(), claimed[0].id.to_string());
    let cursors: Vec<i64> = received.iter().map(Call::cursor).collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "{cursors:?}");

    // The restarted server's worker keeps delivering new events.
    restarted
        .organization(&admin.token, "After restart", "private")
        .await;
    wait_for("the fourth delivery", || rx.received().len() >= 4).await;
    // The receiver can see the request before the worker has recorded its success.
    let mut left = outstanding(&app).await;
    for _ in 0..100 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = outstanding(&app).await;
    }
    assert_eq!(left, 0);
}

async fn two_workers_deliver_each_event_once(app: TestApp) {
    let t = app.tenant("hooks-workers").await;
    let admin = app.member(&t, Role::Admin).await;
    let rx = Receiver::start().await;
    rx.delay(Duration::from_millis(5));
    for i in 0..3 {
        subscribe(
            &app,
            &admin.token,
            &format!("{}?sub={i}", rx.url),
            json!([]),
        )
        .await;
    }
    for i in 0..8 {
        app.organization(&admin.token, &format!("Busy {i}"), "private")
            .await;
    }
    // Two processes on the same database, claiming one delivery at a time.
    let one = app.sibling(&[("MSP_WEBHOOK_BATCH_SIZE", "1")]).await;
    let two = app.sibling(&[("MSP_WEBHOOK_BATCH_SIZE", "1")]).await;
    let work = |w: TestApp| async move {
        let mut done = 0;
        for _ in 0..2000 {
            let n = worker::run_once(&w.registry).await.unwrap();
            done += n;
            if n == 0 {
                if outstanding(&w).await == 0 {
                    return done;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        panic!("workers did not finish");
    };
    let (a, b) = tokio::join!(
        actix_web::rt::spawn(work(one)),
        actix_web::rt::spawn(work(two))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    eprintln!("worker one: {a} deliveries, worker two: {b}");
    assert_eq!(a + b, 24, "attempts: {a} + {b}");

    let calls = rx.calls();
    assert_eq!(calls.len(), 24);
    let ids: HashSet<&str> = calls.iter().map(Call::id).collect();
    assert_eq!(ids.len(), 24, "an event was delivered twice");
    // Each subscription still got its events in order.
    let mut per_sub: HashMap<&str, Vec<i64>> = HashMap::new();
    for c in &calls {
        per_sub
            .entry(c.target.as_str())
            .or_default()
            .push(c.cursor());
    }
    assert_eq!(per_sub.len(), 3);
    for (target, cursors) in &per_sub {
        assert_eq!(cursors.len(), 8, "{target}");
        assert!(
            cursors.windows(2).all(|w| w[0] < w[1]),
            "{target}: {cursors:?}"
        );
    }
    let log = app.get("/api/v1/webhooks", Some(&admin.token)).await;
    for hook in log.body.as_array().unwrap() {
        let items = deliveries(&app, &admin.token, hook).await;
        assert_eq!(items.len(), 8);
        assert!(items.iter().all(|d| d["status"] == "succeeded"));
        assert!(items.iter().all(|d| d["attempt_count"] == 1));
    }
}
