//! The statements each read runs, counted on the registry's connection, and the read model kept
//! in step by child writes.

use chrono::Utc;
use msp_tests::{TestApp, both_databases, json};
use service::Role;

// The access log's follower runs statements of its own in the background: off here, so that
// only the request's statements are counted.
both_databases!(
    vars = &[("MSP_ACCESS_POLL_MS", "0")];
    reads_run_few_statements,
    child_writes_show_in_the_next_list_and_detail,
);

/// The statements one request ran.
async fn counted<F, Fut>(app: &TestApp, request: F) -> u64
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = msp_tests::Resp>,
{
    let before = app.registry.statements_run();
    let r = request().await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    app.registry.statements_run() - before
}

async fn reads_run_few_statements(app: TestApp) {
    let t = app.tenant("stmts").await;
    let editor = app.member(&t, Role::Editor).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let i = app
            .public_initiative(&editor.token, &format!("School network {n}"))
            .await;
        ids.push(i["id"].as_str().unwrap().to_owned());
    }
    let list = counted(&app, || app.get("/api/v1/initiatives?per_page=50", None)).await;
    let by_country = counted(&app, || app.get("/api/v1/initiatives?country=ML", None)).await;
    let filtered = counted(&app, || {
        app.get("/api/v1/initiatives?country=ML&stage=implementing", None)
    })
    .await;
    let path = format!("/api/v1/initiatives/{}", ids[0]);
    let one = counted(&app, || app.get(&path, None)).await;
    let search = counted(&app, || {
        app.get("/api/v1/initiatives?q=school&per_page=20", None)
    })
    .await;
    let query = json!({"query": "{ initiatives(first: 50) { nodes { id title partners { id organization { name sector } } } } }"});
    let graphql = counted(&app, || app.post("/graphql", None, &query)).await;
    eprintln!(
        "statements: list {list}, by country {by_country}, filtered {filtered}, one {one}, search {search}, graphql {graphql}"
    );
    assert_eq!(list, 2, "count and page");
    assert_eq!(by_country, 2, "the tag count's row and the page");
    assert_eq!(filtered, 2, "count and page");
    assert_eq!(one, 1, "the document with the access columns");
    assert_eq!(
        search, 1,
        "the page's documents: the index ranks, counts and pages the matches"
    );
    assert_eq!(
        graphql, 3,
        "count, page, partners of readable initiatives with organisations"
    );
}

async fn child_writes_show_in_the_next_list_and_detail(app: TestApp) {
    let t = app.tenant("instep").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    let i = app.initiative(&editor.token, "In step").await;
    let id = i["id"].as_str().unwrap().to_owned();
    assert_eq!(i["sectors"], json!([]));

    let org = app.organization(&editor.token, "Telco", "private").await;
    let partner = app
        .post(
            &format!("/api/v1/initiatives/{id}/partners"),
            tok,
            &json!({"organization_id": org["id"], "roles": ["lead"]}),
        )
        .await;
    assert_eq!(partner.status, 201, "{:?}", partner.body);
    let listed = app.get("/api/v1/initiatives?country=ML", tok).await;
    assert_eq!(listed.body["items"][0]["sectors"], json!(["business"]));
    let detail = app.get(&format!("/api/v1/initiatives/{id}"), tok).await;
    assert_eq!(detail.body["sectors"], json!(["business"]));
    assert_eq!(
        detail.body["version"], 2,
        "the child write raised the version"
    );

    let contribution = app
        .post(
            &format!("/api/v1/initiatives/{id}/contributions"),
            tok,
            &json!({"partner_id": partner.body["id"], "resource_kind": "cash", "amount": "100", "currency": "USD"}),
        )
        .await;
    assert_eq!(contribution.status, 201, "{:?}", contribution.body);
    let detail = app.get(&format!("/api/v1/initiatives/{id}"), tok).await;
    assert_eq!(
        detail.body["contribution_totals"]["by_currency"][0]["total"],
        "100.00"
    );

    let today = Utc::now().date_naive();
    let report = app
        .post(
            &format!("/api/v1/initiatives/{id}/reports"),
            tok,
            &json!({"period_start": today, "period_end": today, "narrative": "Going well"}),
        )
        .await;
    assert_eq!(report.status, 201, "{:?}", report.body);
    let listed = app.get("/api/v1/initiatives", tok).await;
    assert_eq!(listed.body["items"][0]["last_reported_on"], json!(today));
    assert_eq!(listed.body["items"][0]["reporting_status"], "on_track");

    // An organisation's sector shows in its initiatives' partners' sectors.
    let etag = app
        .get(
            &format!("/api/v1/organizations/{}", org["id"].as_str().unwrap()),
            tok,
        )
        .await
        .etag();
    let changed = app
        .patch(
            &format!("/api/v1/organizations/{}", org["id"].as_str().unwrap()),
            tok,
            Some(&etag),
            &json!({"sector": "academia"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    let detail = app.get(&format!("/api/v1/initiatives/{id}"), tok).await;
    assert_eq!(detail.body["sectors"], json!(["academia"]));
}
