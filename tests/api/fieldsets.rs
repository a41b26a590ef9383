//! Sparse fieldsets: `fields=` keeps only the named fields of each list item and of a detail
//! (and always the id); an unknown name is a 400 naming `fields`.

use msp_tests::{TestApp, both_databases};
use serde_json::Value;
use service::Role;

both_databases!(
    a_list_keeps_only_the_named_fields,
    a_detail_keeps_only_the_named_fields,
    unknown_field_names_are_refused,
);

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

async fn a_list_keeps_only_the_named_fields(app: TestApp) {
    let t = app.tenant("sparse").await;
    let editor = app.member(&t, Role::Editor).await;
    for title in ["Alpha", "Bravo", "Charlie"] {
        app.initiative(&editor.token, title).await;
    }
    let r = app
        .get(
            "/api/v1/initiatives?fields=title,countries,reporting_status&per_page=2",
            Some(&editor.token),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(keys(item), ["countries", "id", "reporting_status", "title"]);
    }
    assert_eq!(items[0]["title"], "Alpha");
    assert_eq!(r.body["total"], 3);
    // The next page by cursor keeps the fieldset and the order.
    let next = r.body["next_cursor"].as_str().unwrap();
    let r = app
        .get(
            &format!("/api/v1/initiatives?fields=title,countries,reporting_status&per_page=2&after={next}"),
            Some(&editor.token),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["items"][0]["title"], "Charlie");
    assert_eq!(
        keys(&r.body["items"][0]),
        ["countries", "id", "reporting_status", "title"]
    );
}

async fn a_detail_keeps_only_the_named_fields(app: TestApp) {
    let t = app.tenant("sparse-one").await;
    let editor = app.member(&t, Role::Editor).await;
    let created = app.initiative(&editor.token, "Alpha").await;
    let path = format!("/api/v1/initiatives/{}", created["id"].as_str().unwrap());
    let whole = app.get(&path, Some(&editor.token)).await;
    let r = app
        .get(
            &format!("{path}?fields=stage,stage_changes"),
            Some(&editor.token),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(keys(&r.body), ["id", "stage", "stage_changes"]);
    assert_eq!(r.body["stage_changes"], whole.body["stage_changes"]);
    assert_eq!(r.etag(), whole.etag());
}

async fn unknown_field_names_are_refused(app: TestApp) {
    let t = app.tenant("sparse-bad").await;
    let editor = app.member(&t, Role::Editor).await;
    let created = app.initiative(&editor.token, "Alpha").await;
    let id = created["id"].as_str().unwrap();
    for url in [
        "/api/v1/initiatives?fields=title,secret".to_owned(),
        "/api/v1/initiatives?fields=stage_changes".to_owned(),
        "/api/v1/initiatives?fields=title,,id".to_owned(),
        format!("/api/v1/initiatives/{id}?fields=nope"),
    ] {
        let r = app.get(&url, Some(&editor.token)).await;
        assert_eq!(r.status, 400, "{url}: {:?}", r.body);
        assert_eq!(r.error_fields(), ["fields"], "{url}");
    }
}
