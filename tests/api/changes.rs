//! The change feed: every write, in order, exactly once, also under concurrent writers.

use std::collections::HashSet;

use msp_tests::{Resp, TestApp, both_databases, json};
use service::Role;

both_databases!(
    every_write_appears_in_order,
    the_public_feed_shows_removals,
    concurrent_writers_one_follower_sees_each_change_once,
);

fn ops(r: &Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{}:{}",
                i["entity_type"].as_str().unwrap(),
                i["operation"].as_str().unwrap()
            )
        })
        .collect()
}

async fn every_write_appears_in_order(app: TestApp) {
    let t = app.tenant("feed").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let org = app.organization(&ed.token, "Feed org", "private").await;
    let i = app.initiative(&ed.token, "Feed initiative").await;
    let id = i["id"].as_str().unwrap();
    let p = app
        .post(
            &format!("/api/v1/initiatives/{id}/partners"),
            tok,
            &json!({"organization_id": org["id"], "roles": ["implementer"]}),
        )
        .await;
    app.patch(
        &format!("/api/v1/initiatives/{id}"),
        tok,
        Some("\"2\""),
        &json!({"title": "Renamed"}),
    )
    .await;
    let pid = p.body["id"].as_str().unwrap();
    assert_eq!(
        app.delete(
            &format!("/api/v1/initiatives/{id}/partners/{pid}"),
            tok,
            Some("\"1\"")
        )
        .await
        .status,
        204
    );

    let all = app.get("/api/v1/changes", tok).await;
    assert_eq!(all.status, 200);
    assert_eq!(
        ops(&all),
        [
            "organization:create",
            "initiative:create",
            "partner:create",
            "initiative:update",
            "partner:delete"
        ]
    );
    assert_eq!(all.body["has_more"], false);
    assert_eq!(
        all.body["items"][1]["href"],
        format!("/api/v1/initiatives/{id}")
    );
    assert_eq!(all.body["items"][3]["version"], 3);
    assert_eq!(all.body["items"][4]["href"], serde_json::Value::Null);

    // Paging by cursor: no repeats, no gaps.
    let mut seen = Vec::new();
    let mut cursor = "0".to_owned();
    loop {
        let page = app
            .get(&format!("/api/v1/changes?after={cursor}&limit=2"), tok)
            .await;
        seen.extend(ops(&page));
        cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        if page.body["has_more"] == false {
            break;
        }
    }
    assert_eq!(seen, ops(&all));
    let empty = app
        .get(&format!("/api/v1/changes?after={cursor}"), tok)
        .await;
    assert_eq!(empty.body["items"], json!([]));
    assert_eq!(
        empty.body["next_cursor"], cursor,
        "an empty page keeps the cursor"
    );
    assert_eq!(app.get("/api/v1/changes?after=abc", tok).await.status, 400);
    assert_eq!(app.get("/api/v1/changes?limit=5000", tok).await.status, 400);

    let other = app.tenant("feed-other").await;
    let outsider = app.member(&other, Role::Viewer).await;
    assert_eq!(
        app.get("/api/v1/changes", Some(&outsider.token)).await.body["items"],
        json!([]),
        "tenants follow their own feed"
    );
}

async fn the_public_feed_shows_removals(app: TestApp) {
    let t = app.tenant("public-feed").await;
    let ed = app.member(&t, Role::Editor).await;
    app.initiative(&ed.token, "Stays private").await;
    let public = app
        .public_initiative(&ed.token, "Goes public then private")
        .await;
    let id = public["id"].as_str().unwrap();
    let anon = app.get("/api/v1/changes", None).await;
    assert_eq!(
        ops(&anon),
        ["initiative:update"],
        "only the record becoming public shows"
    );
    let version = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(&ed.token))
        .await
        .etag();
    let hidden = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            Some(&ed.token),
            Some(&version),
            &json!({"visibility": "private"}),
        )
        .await;
    assert_eq!(hidden.status, 200);
    let anon = app.get("/api/v1/changes", None).await;
    assert_eq!(
        ops(&anon),
        ["initiative:update", "initiative:delete"],
        "becoming private reads as a removal"
    );
    assert_eq!(anon.body["items"][1]["href"], serde_json::Value::Null);
    let member = app.get("/api/v1/changes", Some(&ed.token)).await;
    assert_eq!(
        member.body["items"].as_array().unwrap().last().unwrap()["operation"],
        "update",
        "members see what happened"
    );
}

async fn concurrent_writers_one_follower_sees_each_change_once(app: TestApp) {
    const WRITERS: usize = 6;
    const EACH: usize = 8;
    let t = app.tenant("concurrent").await;
    let ed = app.member(&t, Role::Editor).await;
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let app = app.clone();
        let token = ed.token.clone();
        writers.push(actix_web::rt::spawn(async move {
            for n in 0..EACH {
                let r = app
                    .post(
                        "/api/v1/organizations",
                        Some(&token),
                        &json!({"name": format!("writer {w} org {n}"), "sector": "business"}),
                    )
                    .await;
                assert_eq!(r.status, 201, "{:?}", r.body);
            }
        }));
    }
    // The follower reads while the writers write.
    let mut seen_ids = HashSet::new();
    let mut seen_cursors = HashSet::new();
    let mut cursor = "0".to_owned();
    let started = std::time::Instant::now();
    while seen_ids.len() < WRITERS * EACH {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "follower timed out with {} of {}",
            seen_ids.len(),
            WRITERS * EACH
        );
        let page = app
            .get(
                &format!("/api/v1/changes?after={cursor}&limit=5"),
                Some(&ed.token),
            )
            .await;
        assert_eq!(page.status, 200);
        for item in page.body["items"].as_array().unwrap() {
            assert!(
                seen_cursors.insert(item["cursor"].as_str().unwrap().to_owned()),
                "a change seen twice"
            );
            assert!(
                seen_ids.insert(item["entity_id"].as_str().unwrap().to_owned()),
                "an organisation created twice?"
            );
        }
        cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        if page.body["items"].as_array().unwrap().is_empty() {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    for w in writers {
        w.await.unwrap();
    }
    let rest = app
        .get(&format!("/api/v1/changes?after={cursor}"), Some(&ed.token))
        .await;
    assert_eq!(
        rest.body["items"],
        json!([]),
        "nothing left behind the cursor"
    );
    // Cross-check against the database: every organisation is in the feed exactly once.
    let all = app
        .get("/api/v1/organizations?per_page=100", Some(&ed.token))
        .await;
    assert_eq!(all.body["total"], WRITERS * EACH);
    assert_eq!(seen_ids.len(), WRITERS * EACH);
}
