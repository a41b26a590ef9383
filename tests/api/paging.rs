//! Keyset paging of the initiative list: `next`/`prev` links by cursor, every row exactly once
//! and in order, `count` modes, multi-value filters and several sort keys.

use msp_tests::{TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    walking_next_links_gives_every_row_once_in_order,
    before_cursors_walk_back_in_list_order,
    a_cursor_of_another_list_or_garbage_is_refused,
    count_modes_give_or_skip_the_total,
    multi_value_filters_match_any_of_their_values,
    tag_list_totals_follow_every_write,
    a_search_counts_its_matches_on_every_page,
);

/// Six initiatives with repeated titles and start dates, two without a start date.
async fn seed(app: &TestApp, slug: &str) -> String {
    let t = app.tenant(slug).await;
    let editor = app.member(&t, Role::Editor).await;
    let rows = [
        ("Bravo", Some("2025-03-01"), "BR"),
        ("Alpha", None, "ZA"),
        ("Bravo", Some("2024-01-01"), "ML"),
        ("Charlie", Some("2025-03-01"), "BR"),
        ("Alpha", Some("2026-06-30"), "ML"),
        ("Delta", None, "ZA"),
    ];
    for (title, start, country) in rows {
        let mut body = json!({
            "title": title,
            "summary": format!("Summary of {title}"),
            "kind": "msp",
            "countries": [country],
            "action_lines": ["C4"],
            "stage": "implementing",
        });
        if let Some(start) = start {
            body["start_date"] = json!(start);
        }
        let r = app
            .post("/api/v1/initiatives", Some(&editor.token), &body)
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    editor.token
}

/// The `<target>` of `rel` in a `Link` header.
fn link(header: &str, rel: &str) -> Option<String> {
    header.split(", ").find_map(|part| {
        let (target, r) = part.split_once("; rel=")?;
        (r.trim_matches('"') == rel)
            .then(|| target.trim_matches(|c| c == '<' || c == '>').to_owned())
    })
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The ids of the whole list in one page, as the reference order.
async fn whole(app: &TestApp, tok: &str, query: &str) -> Vec<String> {
    let r = app
        .get(
            &format!("/api/v1/initiatives?{query}&per_page=100"),
            Some(tok),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    ids(&r.body)
}

/// Follows `next` links from the first page of `per_page`.
async fn walk(app: &TestApp, tok: &str, query: &str, per_page: u32) -> Vec<String> {
    let mut url = format!("/api/v1/initiatives?{query}&per_page={per_page}");
    let mut seen = Vec::new();
    for _ in 0..20 {
        let r = app.get(&url, Some(tok)).await;
        assert_eq!(r.status, 200, "{url}: {:?}", r.body);
        seen.extend(ids(&r.body));
        match link(&r.header("link").unwrap(), "next") {
            Some(next) => {
                assert!(next.contains("after="), "{next}");
                assert!(r.body["next_cursor"].is_string());
                url = next;
            }
            None => {
                assert!(r.body["next_cursor"].is_null());
                return seen;
            }
        }
    }
    panic!("no last page");
}

async fn walking_next_links_gives_every_row_once_in_order(app: TestApp) {
    let tok = seed(&app, "walk").await;
    for sort in [
        "title",
        "-start_date,title",
        "start_date,-title",
        "-updated_at",
    ] {
        let reference = whole(&app, &tok, &format!("sort={sort}")).await;
        assert_eq!(reference.len(), 6, "{sort}");
        for per_page in [1, 2, 4] {
            let walked = walk(&app, &tok, &format!("sort={sort}"), per_page).await;
            assert_eq!(walked, reference, "sort={sort} per_page={per_page}");
        }
    }
    // Missing start dates sort as the latest: last ascending, first descending.
    let r = app
        .get("/api/v1/initiatives?sort=start_date,title", Some(&tok))
        .await;
    let starts: Vec<Value> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["start_date"].clone())
        .collect();
    assert_eq!(
        starts,
        [
            json!("2024-01-01"),
            json!("2025-03-01"),
            json!("2025-03-01"),
            json!("2026-06-30"),
            Value::Null,
            Value::Null
        ]
    );
    // A tag filter alone, by title, is read from the tag table's index: it pages the same way.
    let reference = whole(&app, &tok, "country=BR").await;
    assert_eq!(reference.len(), 2);
    assert_eq!(walk(&app, &tok, "country=BR", 1).await, reference);
    let reference = whole(&app, &tok, "country=ML&sort=-title").await;
    assert_eq!(
        walk(&app, &tok, "country=ML&sort=-title", 1).await,
        reference
    );
}

async fn before_cursors_walk_back_in_list_order(app: TestApp) {
    let tok = seed(&app, "back").await;
    for query in ["sort=-start_date,title", "country=ML&sort=title"] {
        let reference = whole(&app, &tok, query).await;
        // Go to the last page by `next`, then back by `prev`, collecting pages in front.
        let mut url = format!("/api/v1/initiatives?{query}&per_page=2");
        let mut last = None;
        for _ in 0..10 {
            let r = app.get(&url, Some(&tok)).await;
            match link(&r.header("link").unwrap(), "next") {
                Some(next) => url = next,
                None => {
                    last = Some(r);
                    break;
                }
            }
        }
        let mut page = last.unwrap();
        let mut seen = ids(&page.body);
        while let Some(prev) = link(&page.header("link").unwrap(), "prev") {
            assert!(prev.contains("before="), "{prev}");
            page = app.get(&prev, Some(&tok)).await;
            assert_eq!(page.status, 200, "{:?}", page.body);
            let mut front = ids(&page.body);
            front.extend(seen);
            seen = front;
        }
        assert_eq!(seen, reference, "{query}");
        assert!(page.body["prev_cursor"].is_null());
    }
}

async fn a_cursor_of_another_list_or_garbage_is_refused(app: TestApp) {
    let tok = seed(&app, "foreign").await;
    let r = app
        .get("/api/v1/initiatives?sort=title&per_page=2", Some(&tok))
        .await;
    let cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
    for query in [
        format!("sort=-start_date&after={cursor}"),
        format!("sort=title&country=BR&after={cursor}"),
        "after=garbage".to_owned(),
        format!("before={cursor}&after={cursor}"),
        format!("page=2&after={cursor}"),
    ] {
        let r = app
            .get(&format!("/api/v1/initiatives?{query}"), Some(&tok))
            .await;
        assert_eq!(r.status, 400, "{query}: {:?}", r.body);
    }
    // The same list takes it.
    let r = app
        .get(
            &format!("/api/v1/initiatives?sort=title&after={cursor}"),
            Some(&tok),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body["page"].is_null());
    // Pages by number stop 10,000 rows deep.
    let r = app
        .get("/api/v1/initiatives?page=102&per_page=100", Some(&tok))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_fields(), ["page"]);
}

async fn count_modes_give_or_skip_the_total(app: TestApp) {
    let tok = seed(&app, "count").await;
    let r = app.get("/api/v1/initiatives", Some(&tok)).await;
    assert_eq!(r.body["total"], 6);
    assert_eq!(r.body["count"], "exact");
    let r = app.get("/api/v1/initiatives?count=none", Some(&tok)).await;
    assert!(r.body["total"].is_null());
    assert!(r.body["total_pages"].is_null());
    assert_eq!(r.body["count"], "none");
    assert_eq!(ids(&r.body).len(), 6);
    let r = app
        .get("/api/v1/initiatives?count=estimated&country=ZA", Some(&tok))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["count"], "estimated");
    assert!(r.body["total"].is_u64(), "{:?}", r.body);
    let r = app.get("/api/v1/initiatives?count=many", Some(&tok)).await;
    assert_eq!(r.status, 400);
}

async fn multi_value_filters_match_any_of_their_values(app: TestApp) {
    let tok = seed(&app, "multi").await;
    let total = |r: &msp_tests::Resp| r.body["total"].clone();
    let r = app
        .get("/api/v1/initiatives?country=BR,ZA", Some(&tok))
        .await;
    assert_eq!(total(&r), 4);
    let r = app
        .get(
            "/api/v1/initiatives?country=BR,ZA&action_line=C4,C7.e-health&sdg=4,5",
            Some(&tok),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .get(
            "/api/v1/initiatives?country=BR,ZA&action_line=C4,C7",
            Some(&tok),
        )
        .await;
    assert_eq!(total(&r), 4);
    for (query, param, bad) in [
        ("country=BR,XX", "country", "XX"),
        ("sdg=4,18", "sdg", "18"),
        ("action_line=C4,C99", "action_line", "C99"),
        ("lever=nope", "lever", "nope"),
    ] {
        let r = app
            .get(&format!("/api/v1/initiatives?{query}"), Some(&tok))
            .await;
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(r.error_fields(), [param], "{query}");
        assert!(
            r.body["detail"].as_str().unwrap().contains(bad),
            "{:?}",
            r.body
        );
    }
}

/// The total of a list by one country, as the member and as an anonymous portal see it.
async fn totals(app: &TestApp, tok: &str, country: &str) -> (u64, u64) {
    let url = if country.is_empty() {
        "/api/v1/initiatives?per_page=1".to_owned()
    } else {
        format!("/api/v1/initiatives?country={country}&per_page=1")
    };
    let member = app.get(&url, Some(tok)).await;
    let anonymous = app.get(&url, None).await;
    assert_eq!(member.status, 200, "{:?}", member.body);
    (
        member.body["total"].as_u64().unwrap(),
        anonymous.body["total"].as_u64().unwrap(),
    )
}

/// A list by one tag, and a list without filters (`""` below), read their totals from the tag
/// counts: they move with every create, change of tag, publication and delete, and match what
/// the list holds.
async fn tag_list_totals_follow_every_write(app: TestApp) {
    let tok = seed(&app, "totals").await;
    assert_eq!(totals(&app, &tok, "BR").await, (2, 0));
    assert_eq!(totals(&app, &tok, "ML").await, (2, 0));
    assert_eq!(totals(&app, &tok, "").await, (6, 0));

    let public = app.public_initiative(&tok, "Published").await;
    assert_eq!(totals(&app, &tok, "ML").await, (3, 1));
    assert_eq!(totals(&app, &tok, "").await, (7, 1));

    let id = public["id"].as_str().unwrap();
    let current = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(&tok))
        .await;
    let moved = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            Some(&tok),
            Some(&current.etag()),
            &json!({"countries": ["BR", "KE"]}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(totals(&app, &tok, "ML").await, (2, 0));
    assert_eq!(totals(&app, &tok, "BR").await, (3, 1));
    assert_eq!(totals(&app, &tok, "KE").await, (1, 1));

    let deleted = app
        .delete(
            &format!("/api/v1/initiatives/{id}"),
            Some(&tok),
            Some(&moved.etag()),
        )
        .await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    assert_eq!(totals(&app, &tok, "BR").await, (2, 0));
    assert_eq!(totals(&app, &tok, "KE").await, (0, 0));
    assert_eq!(totals(&app, &tok, "").await, (6, 0));
    assert_eq!(whole(&app, &tok, "country=BR").await.len(), 2);
}

/// A search by relevance counts its matches in the statement that ranks them; a page past the
/// last still tells the total, and `count=none` leaves it out.
async fn a_search_counts_its_matches_on_every_page(app: TestApp) {
    let t = app.tenant("search-total").await;
    let editor = app.member(&t, Role::Editor).await;
    for title in ["School one", "School two", "School three", "Clinic"] {
        app.initiative(&editor.token, title).await;
    }
    let tok = Some(editor.token.as_str());
    for (page, items) in [(1, 2), (2, 1), (3, 0)] {
        let r = app
            .get(
                &format!("/api/v1/initiatives?q=school&per_page=2&page={page}"),
                tok,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["total"], 3, "page {page}");
        assert_eq!(
            r.body["items"].as_array().unwrap().len(),
            items,
            "page {page}"
        );
    }
    let r = app
        .get("/api/v1/initiatives?q=school&per_page=2&count=none", tok)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body["total"].is_null(), "{:?}", r.body);
}
