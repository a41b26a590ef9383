//! The search index stays current: across processes (the change feed) and across restarts
//! (its committed feed position), and is rebuilt when it cannot be trusted.

use std::time::{Duration, Instant};

use msp_tests::{TestApp, both_databases, json};
use service::{
    Role,
    search::{DocKind, Request, SearchIndex, query, schema::Slot},
    tenancy::Coverage,
};
use uuid::Uuid;

both_databases!(
    a_second_process_finds_what_the_first_wrote_within_a_second,
    an_index_on_disk_catches_up_from_where_it_stopped,
    an_unreadable_index_is_rebuilt,
    ready_says_the_index_is_built,
    graphql_answers_hits_snippets_and_facets,
    a_translation_is_found_in_its_language,
);

async fn create(app: &TestApp, token: &str, title: &str) -> Uuid {
    let r = app
        .post(
            "/api/v1/initiatives",
            Some(token),
            &json!({"title": title, "kind": "msp", "countries": ["MK"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap().parse().unwrap()
}

async fn found(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/initiatives?q={q}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{q}: {:?}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_second_process_finds_what_the_first_wrote_within_a_second(app: TestApp) {
    let other = app.sibling(&[("MSP_SEARCH_FOLLOW_MS", "100")]).await;
    let t = app.tenant("feedsearch").await;
    let editor = app.member(&t, Role::Editor).await;
    // The other process has built its index before the write.
    assert!(found(&other, &editor.token, "zanzibar").await.is_empty());
    create(&app, &editor.token, "Zanzibar fishers' cooperative radio").await;
    let started = Instant::now();
    loop {
        if !found(&other, &editor.token, "zanzibar").await.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the second process never saw the write"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("seen by the second process after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(1));
}

fn request(tenant: Uuid, q: &str) -> Request {
    Request {
        kind: DocKind::Initiative,
        parsed: query::parse(q).unwrap(),
        coverage: Coverage::Tenant(tenant),
        tags: Vec::new(),
        dates: Vec::new(),
        only: None,
        initiative: None,
        slots: Slot::ALL.to_vec(),
        offset: 0,
        limit: 10,
        facets: false,
    }
}

async fn hits(index: &SearchIndex, tenant: Uuid, q: &str) -> Vec<Uuid> {
    let found = index.search(&request(tenant, q)).await.unwrap();
    found.hits.iter().map(|h| h.id).collect()
}

async fn an_index_on_disk_catches_up_from_where_it_stopped(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let t = app.tenant("disk").await;
    let editor = app.member(&t, Role::Editor).await;
    let first = create(&app, &editor.token, "Harbour telemedicine network").await;
    {
        let index = SearchIndex::open(Some(dir.path())).unwrap();
        index.start(app.registry.db()).await.unwrap();
        assert_eq!(hits(&index, t.id, "harbour").await, [first]);
    }
    // Written while that index was closed: it learns it from the change feed when it opens.
    let second = create(&app, &editor.token, "Harbour school meals").await;
    let index = SearchIndex::open(Some(dir.path())).unwrap();
    index.start(app.registry.db()).await.unwrap();
    let mut got = hits(&index, t.id, "harbour").await;
    got.sort();
    let mut want = vec![first, second];
    want.sort();
    assert_eq!(got, want);
}

async fn an_unreadable_index_is_rebuilt(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let t = app.tenant("corrupt").await;
    let editor = app.member(&t, Role::Editor).await;
    let id = create(&app, &editor.token, "Lagoon water sensors").await;
    {
        let index = SearchIndex::open(Some(dir.path())).unwrap();
        index.start(app.registry.db()).await.unwrap();
    }
    std::fs::write(dir.path().join("meta.json"), b"{ not json").unwrap();
    let index = SearchIndex::open(Some(dir.path())).unwrap();
    index.start(app.registry.db()).await.unwrap();
    assert_eq!(hits(&index, t.id, "lagoon").await, [id]);
}

async fn ready_says_the_index_is_built(app: TestApp) {
    let r = app.get("/ready", None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(app.registry.search().is_ready());
}

async fn graphql_answers_hits_snippets_and_facets(app: TestApp) {
    let t = app.tenant("gqlsearch").await;
    let editor = app.member(&t, Role::Editor).await;
    let id = create(&app, &editor.token, "Rural school vouchers").await;
    create(&app, &editor.token, "Harbour radio").await;
    let query = r#"{ initiatives(search: "voucher") {
        nodes { id }
        search { hits { id score snippets { field text } } facets { name values { value count } } } } }"#;
    let r = crate::graphql::graphql(&app, query, json!({}), Some(&editor.token)).await;
    let c = &crate::graphql::data(&r)["initiatives"];
    assert_eq!(c["nodes"][0]["id"], id.to_string(), "{}", r.body);
    let hit = &c["search"]["hits"][0];
    assert_eq!(hit["id"], id.to_string());
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert_eq!(hit["snippets"][0]["field"], "title");
    assert_eq!(
        hit["snippets"][0]["text"],
        "Rural school <mark>vouchers</mark>"
    );
    let country = c["search"]["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "country")
        .unwrap();
    assert_eq!(country["values"], json!([{"value": "MK", "count": 1}]));
    let plain = crate::graphql::graphql(
        &app,
        "{ initiatives { search { hits { id } } } }",
        json!({}),
        Some(&editor.token),
    )
    .await;
    assert!(
        crate::graphql::data(&plain)["initiatives"]["search"].is_null(),
        "no search without one"
    );
}

async fn a_translation_is_found_in_its_language(app: TestApp) {
    let t = app.tenant("translated").await;
    let editor = app.member(&t, Role::Editor).await;
    let id = create(&app, &editor.token, "Rural school vouchers").await;
    let r = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/initiatives/{id}/translations/fr"),
            Some(&editor.token),
            &[("If-Match", "\"1\"")],
            Some(&json!({"title": "Bons d'accès pour les écoles rurales"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // French stemming and accent folding on the translation; the snippet names its field.
    let r = app
        .get("/api/v1/initiatives?q=ecole%20acces", Some(&editor.token))
        .await;
    assert_eq!(r.body["items"][0]["id"], id.to_string(), "{:?}", r.body);
    assert_eq!(
        r.body["search"]["hits"][0]["snippets"]["title"],
        "Bons d&#39;<mark>accès</mark> pour les <mark>écoles</mark> rurales"
    );
}
