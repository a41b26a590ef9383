//! Health, readiness, documentation, and behaviour under a starved connection pool.

use msp_tests::{TestApp, both_databases};
use sea_orm::TransactionTrait;

both_databases!(
    health_and_readiness,
    swagger_ui_and_openapi_are_served,
    unknown_routes_and_ids_are_problems,
    pool_exhaustion_answers_503_not_a_hang,
    demo_data_tells_the_source_documents_stories,
    the_generator_fills_a_tenant_for_benchmarks,
);

async fn health_and_readiness(app: TestApp) {
    let health = app.get("/health", None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");
    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status, 200);
    let id = ready.header("x-request-id").unwrap();
    assert_eq!(id.len(), 36, "a request id on every response");
}

async fn swagger_ui_and_openapi_are_served(app: TestApp) {
    let bare = app.get("/docs", None).await;
    assert_eq!(bare.status, 308);
    assert_eq!(bare.header("location").unwrap(), "/docs/");
    let ui = app.get("/docs/", None).await;
    assert_eq!(ui.status, 200);
    assert!(
        ui.body.as_str().unwrap().contains("swagger-ui"),
        "Swagger UI page"
    );
    let bundle = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(
        bundle.status, 200,
        "assets come from the binary, not the network"
    );
    let doc = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    assert_eq!(
        doc.body,
        msp_api::openapi::document()
            .to_json()
            .map(|s| serde_json::from_str::<serde_json::Value>(&s).unwrap())
            .unwrap()
    );
}

async fn unknown_routes_and_ids_are_problems(app: TestApp) {
    let nowhere = app.get("/api/v1/nowhere", None).await;
    assert_eq!(nowhere.status, 404);
    assert_eq!(
        nowhere.header("content-type").unwrap(),
        "application/problem+json"
    );
    assert_eq!(nowhere.code(), "not_found");
    let bad_id = app.get("/api/v1/organizations/not-a-uuid", None).await;
    assert_eq!(bad_id.status, 404);
    assert_eq!(bad_id.code(), "not_found");
    assert_eq!(
        bad_id.body["request_id"].as_str().unwrap(),
        bad_id.header("x-request-id").unwrap()
    );
}

async fn pool_exhaustion_answers_503_not_a_hang(app: TestApp) {
    let starved = TestApp::spawn_with(
        app.backend,
        &[
            ("MSP_DB_MAX_CONNECTIONS", "1"),
            ("MSP_DB_ACQUIRE_TIMEOUT_MS", "300"),
        ],
    )
    .await
    .unwrap();
    // Hold the only connection.
    let txn = starved.registry.db().begin().await.unwrap();
    let started = std::time::Instant::now();
    let r = starved.get("/ready", None).await;
    assert_eq!(r.status, 503, "{:?}", r.body);
    assert_eq!(r.code(), "unavailable");
    assert_eq!(r.header("retry-after").unwrap(), "1");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "failed fast"
    );
    txn.rollback().await.unwrap();
    assert_eq!(
        starved.get("/ready", None).await.status,
        200,
        "recovers once a connection is free"
    );
    starved.teardown().await;
}

#[test]
fn committed_openapi_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = msp_api::openapi::document_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code: regenerate it with `make openapi` \
         (cargo run -q -p msp-api -- openapi > openapi/openapi.json) and commit it"
    );
}

async fn demo_data_tells_the_source_documents_stories(app: TestApp) {
    let demo = app.registry.seed_demo().await.unwrap();
    let me = app.get("/api/v1/me", Some(&demo.access_token)).await;
    assert_eq!(me.body["tenant"]["slug"], "demo");
    assert_eq!(me.body["role"], "owner");
    let public = app.get("/api/v1/initiatives?per_page=50", None).await;
    assert_eq!(
        public.body["total"], 9,
        "every example initiative is published, and the second demo tenant's record of one"
    );
    let macedonia = app.get("/api/v1/initiatives?q=macedonia", None).await;
    let m = &macedonia.body["items"][0];
    assert_eq!(m["engagement_model"], "market_making");
    assert_eq!(m["is_ppp"], true);
    assert_eq!(m["reporting_status"], "on_track");
    let detail = app
        .get(
            &format!("/api/v1/initiatives/{}", m["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        detail.body["contribution_totals"]["by_currency"][0]["currency"],
        "USD"
    );
    let lessons = app
        .get("/api/v1/lessons?q=leveraging%20potential", None)
        .await;
    assert_eq!(lessons.body["total"], 1);
    let signin = app
        .post("/api/v1/auth/token", None, &serde_json::json!({"grant_type": "password", "username": demo.email, "password": demo.password}))
        .await;
    assert_eq!(signin.status, 200, "the printed credentials work");
}

async fn the_generator_fills_a_tenant_for_benchmarks(app: TestApp) {
    let generated = app.registry.generate("bench", 120, 7).await.unwrap();
    assert_eq!(generated.initiatives, 120);
    assert_eq!(generated.lessons, 24, "one lesson per five initiatives");
    assert!(generated.partners >= 120);
    let public = app.get("/api/v1/initiatives?per_page=1", None).await;
    let total = public.body["total"].as_u64().unwrap();
    assert!(
        total > 0 && total < 120,
        "some generated initiatives are public, not all: {total}"
    );
    // Titles are in the six UN languages, each saying "partnership" in its own.
    let listed = app.get("/api/v1/initiatives?per_page=100", None).await;
    let titles: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len() as u64, total, "one page holds them");
    for word in [
        "partnership",
        "Partenariat",
        "Alianza",
        "Партнёрство",
        "شراكة",
        "伙伴关系",
    ] {
        assert!(
            titles.iter().any(|t| t.contains(word)),
            "no title says {word:?}: {titles:?}"
        );
    }
    let english = titles
        .iter()
        .filter(|t| t.contains(" partnership "))
        .count() as u64;
    assert!(english < total, "not every title is in English");
    let search = app.get("/api/v1/initiatives?q=partnership", None).await;
    assert_eq!(
        search.body["total"].as_u64().unwrap(),
        english,
        "every English title says partnership"
    );
}
