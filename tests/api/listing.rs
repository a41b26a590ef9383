//! Lists: `Link` headers to the other pages and weak `ETag`s with `304 Not Modified`.

use msp_tests::{TestApp, both_databases, json};
use reqwest::Method;
use service::Role;

both_databases!(
    link_headers_point_to_the_other_pages,
    an_unchanged_list_answers_304,
    child_lists_and_the_change_feed_link_onwards,
);

/// The `<target>` of each `rel` in a `Link` header.
fn links(header: &str) -> Vec<(String, String)> {
    header
        .split(", ")
        .map(|part| {
            let (target, rel) = part.split_once("; rel=").unwrap();
            (
                rel.trim_matches('"').to_owned(),
                target
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned(),
            )
        })
        .collect()
}

async fn link_headers_point_to_the_other_pages(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    for n in 0..5 {
        app.initiative(&editor.token, &format!("Initiative {n}"))
            .await;
    }
    let r = app
        .get(
            "/api/v1/initiatives?country=ML&per_page=2&page=2&sort=-title",
            tok,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["total_pages"], 3);
    let l = links(&r.header("link").unwrap());
    let rels: Vec<&str> = l.iter().map(|(rel, _)| rel.as_str()).collect();
    assert_eq!(rels, ["first", "prev", "next", "last"]);
    let target = |rel: &str| l.iter().find(|(r, _)| r == rel).unwrap().1.clone();
    // `next` and `prev` go by cursor, keeping the other parameters; `first` and `last` by page.
    assert_eq!(
        target("next"),
        format!(
            "/api/v1/initiatives?country=ML&per_page=2&sort=-title&after={}",
            r.body["next_cursor"].as_str().unwrap()
        )
    );
    assert_eq!(
        target("prev"),
        format!(
            "/api/v1/initiatives?country=ML&per_page=2&sort=-title&before={}",
            r.body["prev_cursor"].as_str().unwrap()
        )
    );
    assert!(target("first").ends_with("&page=1"));
    assert!(target("last").ends_with("&page=3"));

    // Following `next` gives the third page, which has no `next`.
    let last = app.get(&target("next"), tok).await;
    assert_eq!(last.status, 200);
    assert!(
        last.body["page"].is_null(),
        "a page by cursor has no number"
    );
    assert_eq!(last.body["items"].as_array().unwrap().len(), 1);
    let l = links(&last.header("link").unwrap());
    assert!(l.iter().all(|(rel, _)| rel != "next"));
    assert!(l.iter().any(|(rel, _)| rel == "prev"));

    // Pages 1, 2 and 3 by the links hold every initiative once.
    let mut titles = Vec::new();
    for page in 1..=3 {
        let p = app
            .get(&format!("/api/v1/initiatives?per_page=2&page={page}"), tok)
            .await;
        for item in p.body["items"].as_array().unwrap() {
            titles.push(item["title"].as_str().unwrap().to_owned());
        }
    }
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 5);
}

async fn an_unchanged_list_answers_304(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    let created = app.initiative(&editor.token, "Mali CLIC").await;
    let first = app.get("/api/v1/initiatives", tok).await;
    let etag = first.etag();
    assert!(etag.starts_with("W/\""), "{etag}");

    let cached = app
        .send(
            Method::GET,
            "/api/v1/initiatives",
            tok,
            &[("If-None-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);
    assert_eq!(cached.body, serde_json::Value::Null);
    assert_eq!(cached.etag(), etag);

    // A change to a listed record changes the list's ETag.
    let id = created["id"].as_str().unwrap();
    let patched = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            tok,
            Some("\"1\""),
            &json!({"summary": "Community learning and information centres"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let after = app
        .send(
            Method::GET,
            "/api/v1/initiatives",
            tok,
            &[("If-None-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(after.status, 200);
    assert_ne!(after.etag(), etag);

    // Another tenant's list is another representation: the ETag does not carry over.
    let other = app.tenant("sn-reg").await;
    let outsider = app.member(&other, Role::Viewer).await;
    let theirs = app
        .send(
            Method::GET,
            "/api/v1/initiatives",
            Some(&outsider.token),
            &[("If-None-Match", &after.etag())],
            None,
        )
        .await;
    assert_eq!(theirs.status, 200);
    assert_eq!(theirs.body["total"], 0);
}

async fn child_lists_and_the_change_feed_link_onwards(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    let initiative = app
        .public_initiative(&editor.token, "Programa para o Futuro")
        .await;
    let id = initiative["id"].as_str().unwrap();
    let partners = app
        .get(&format!("/api/v1/initiatives/{id}/partners"), tok)
        .await;
    assert_eq!(partners.status, 200);
    let l = links(&partners.header("link").unwrap());
    assert_eq!(l.len(), 2, "first and last only: {l:?}");
    let cached = app
        .send(
            Method::GET,
            &format!("/api/v1/initiatives/{id}/partners"),
            tok,
            &[("If-None-Match", &partners.etag())],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);

    let feed = app.get("/api/v1/changes?limit=2", tok).await;
    assert_eq!(feed.status, 200);
    assert_eq!(feed.body["has_more"], true);
    let l = links(&feed.header("link").unwrap());
    assert_eq!(l[0].0, "next");
    let cursor = feed.body["next_cursor"].as_str().unwrap();
    assert_eq!(l[0].1, format!("/api/v1/changes?limit=2&after={cursor}"));
    let onwards = app.get(&l[0].1, tok).await;
    assert_eq!(onwards.status, 200);
    assert_ne!(onwards.body["items"][0], feed.body["items"][0]);
}
