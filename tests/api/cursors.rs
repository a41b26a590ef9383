//! Keyset (cursor) paging of the lists outside the initiative list: organisations, members, API
//! clients and an initiative's history. A page's `next_cursor`/`prev_cursor` (and its `Link`
//! header) lead on from its ends; walking them meets every row once, in order.

use msp_tests::{TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    organizations_walk_forward_and_back_by_cursor,
    a_sort_with_missing_values_walks_by_cursor,
    cursor_links_replace_page_links,
    count_none_leaves_the_total_out,
    foreign_and_garbled_cursors_are_refused,
    members_clients_and_history_page_by_cursor,
);

/// The names of the items of a page.
fn names(page: &Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i[field].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Follows `next_cursor` from `first` to the end, collecting `field` of every item.
async fn walk(app: &TestApp, first: &str, token: Option<&str>, field: &str) -> Vec<String> {
    let mut page = app.get(first, token).await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    let mut seen = names(&page.body, field);
    let join = if first.contains('?') { '&' } else { '?' };
    while let Some(next) = page.body["next_cursor"].as_str() {
        page = app.get(&format!("{first}{join}after={next}"), token).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        assert!(
            page.body["page"].is_null(),
            "a page by cursor has no number"
        );
        seen.extend(names(&page.body, field));
    }
    seen
}

async fn organizations(app: &TestApp, token: &str, n: usize) -> Vec<String> {
    let mut names = Vec::new();
    for i in 0..n {
        let name = format!("Org {i:02}");
        app.organization(token, &name, "private").await;
        names.push(name);
    }
    names
}

async fn organizations_walk_forward_and_back_by_cursor(app: TestApp) {
    let t = app.tenant("cursor-orgs").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    let mut expected = organizations(&app, &editor.token, 7).await;

    let forward = walk(&app, "/api/v1/organizations?per_page=3", tok, "name").await;
    assert_eq!(forward, expected);

    expected.reverse();
    let backward = walk(
        &app,
        "/api/v1/organizations?per_page=3&sort=-name",
        tok,
        "name",
    )
    .await;
    assert_eq!(backward, expected, "a descending sort walks the other way");

    // From the last page, `prev_cursor` leads back page by page, each in list order.
    let last = app
        .get("/api/v1/organizations?per_page=3&page=3", tok)
        .await;
    assert_eq!(names(&last.body, "name"), ["Org 06"]);
    let before = last.body["prev_cursor"].as_str().unwrap();
    let prev = app
        .get(
            &format!("/api/v1/organizations?per_page=3&before={before}"),
            tok,
        )
        .await;
    assert_eq!(names(&prev.body, "name"), ["Org 03", "Org 04", "Org 05"]);
    let before = prev.body["prev_cursor"].as_str().unwrap();
    let first = app
        .get(
            &format!("/api/v1/organizations?per_page=3&before={before}"),
            tok,
        )
        .await;
    assert_eq!(names(&first.body, "name"), ["Org 00", "Org 01", "Org 02"]);
    assert!(
        first.body["prev_cursor"].is_null(),
        "nothing before the first page"
    );
}

async fn a_sort_with_missing_values_walks_by_cursor(app: TestApp) {
    let t = app.tenant("cursor-countries").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    for (name, country) in [
        ("A", Some("ML")),
        ("B", None),
        ("C", Some("BR")),
        ("D", None),
    ] {
        let mut body = json!({"name": name, "sector": "business"});
        if let Some(c) = country {
            body["country"] = json!(c);
        }
        let created = app.post("/api/v1/organizations", tok, &body).await;
        assert_eq!(created.status, 201, "{:?}", created.body);
    }
    let seen = walk(
        &app,
        "/api/v1/organizations?per_page=1&sort=country",
        tok,
        "name",
    )
    .await;
    assert_eq!(
        seen,
        ["B", "D", "C", "A"],
        "no country sorts first, ties by id"
    );
}

async fn cursor_links_replace_page_links(app: TestApp) {
    let t = app.tenant("cursor-links").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    organizations(&app, &editor.token, 5).await;

    let first = app
        .get("/api/v1/organizations?per_page=2&sector=business", tok)
        .await;
    let next = first.body["next_cursor"].as_str().unwrap();
    let link = first.header("link").unwrap();
    assert!(
        link.contains(&format!(
            "</api/v1/organizations?per_page=2&sector=business&after={next}>; rel=\"next\""
        )),
        "{link}"
    );
    assert!(link.contains("page=3>; rel=\"last\""), "{link}");

    let second = app
        .get(
            &format!("/api/v1/organizations?per_page=2&sector=business&after={next}"),
            tok,
        )
        .await;
    let link = second.header("link").unwrap();
    let prev = second.body["prev_cursor"].as_str().unwrap();
    assert!(
        link.contains(&format!("before={prev}>; rel=\"prev\"")),
        "{link}"
    );
    assert!(
        !link.contains("after=") || link.contains("rel=\"next\""),
        "{link}"
    );
}

async fn count_none_leaves_the_total_out(app: TestApp) {
    let t = app.tenant("cursor-count").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    organizations(&app, &editor.token, 3).await;

    let exact = app.get("/api/v1/organizations?per_page=2", tok).await;
    assert_eq!(exact.body["total"], 3);
    assert_eq!(exact.body["count"], "exact");
    let none = app
        .get("/api/v1/organizations?per_page=2&count=none", tok)
        .await;
    assert_eq!(none.status, 200);
    assert!(none.body["total"].is_null() && none.body["total_pages"].is_null());
    assert_eq!(none.body["count"], "none");
    assert!(none.body["next_cursor"].is_string(), "paging still works");
    let link = none.header("link").unwrap();
    assert!(
        !link.contains("rel=\"last\""),
        "no last page without a total: {link}"
    );
}

async fn foreign_and_garbled_cursors_are_refused(app: TestApp) {
    let t = app.tenant("cursor-bad").await;
    let editor = app.member(&t, Role::Admin).await;
    let tok = Some(editor.token.as_str());
    organizations(&app, &editor.token, 3).await;

    let by_name = app.get("/api/v1/organizations?per_page=1", tok).await;
    let cursor = by_name.body["next_cursor"].as_str().unwrap().to_owned();
    for (url, field) in [
        (
            format!("/api/v1/organizations?sort=created_at&after={cursor}"),
            "after",
        ),
        (format!("/api/v1/members?before={cursor}"), "before"),
        (
            "/api/v1/organizations?after=not-a-cursor".to_owned(),
            "after",
        ),
        (
            format!("/api/v1/organizations?page=2&after={cursor}"),
            "page",
        ),
        (
            format!("/api/v1/organizations?after={cursor}&before={cursor}"),
            "before",
        ),
        ("/api/v1/organizations?count=some".to_owned(), "count"),
    ] {
        let got = app.get(&url, tok).await;
        assert_eq!(got.status, 400, "{url}: {:?}", got.body);
        assert_eq!(got.error_fields(), [field], "{url}: {:?}", got.body);
    }
}

async fn members_clients_and_history_page_by_cursor(app: TestApp) {
    let t = app.tenant("cursor-admin").await;
    let admin = app.member(&t, Role::Admin).await;
    let tok = Some(admin.token.as_str());
    for _ in 0..2 {
        app.member(&t, Role::Viewer).await;
    }
    let members = walk(&app, "/api/v1/members?per_page=1", tok, "email").await;
    assert_eq!(members.len(), 3);
    let all = app.get("/api/v1/members?per_page=10", tok).await;
    assert_eq!(members, names(&all.body, "email"));

    for name in ["portal one", "portal two", "portal three"] {
        let made = app
            .post(
                "/api/v1/clients",
                tok,
                &json!({"name": name, "role": "viewer"}),
            )
            .await;
        assert_eq!(made.status, 201, "{:?}", made.body);
    }
    let clients = walk(&app, "/api/v1/clients?per_page=2", tok, "name").await;
    assert_eq!(clients, ["portal one", "portal two", "portal three"]);

    let initiative = app.initiative(&admin.token, "Cursor history").await;
    let path = format!("/api/v1/initiatives/{}", initiative["id"].as_str().unwrap());
    for stage in ["reviewing", "sustaining"] {
        let etag = app.get(&path, tok).await.etag();
        let changed = app
            .patch(&path, tok, Some(&etag), &json!({"stage": stage}))
            .await;
        assert_eq!(changed.status, 200, "{:?}", changed.body);
    }
    let history = walk(
        &app,
        &format!("{path}/history?per_page=1"),
        tok,
        "operation",
    )
    .await;
    assert_eq!(history, ["update", "update", "create"], "newest first");
}
