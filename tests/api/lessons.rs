//! Lessons learned: per initiative, across the registry, and in full-text search.

use msp_tests::{TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    lesson_lifecycle_with_etags,
    every_invalid_lesson_field_is_reported,
    lessons_are_found_by_their_words,
    lesson_lists_filter_by_tag_and_initiative,
    lessons_follow_their_initiative_visibility,
    lessons_of_another_tenant,
    viewers_and_anonymous_callers_cannot_write_lessons,
    a_patched_lesson_answers_its_stored_version,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn ids(r: &msp_tests::Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {:?}", r.body))
        .iter()
        .map(id)
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The ids of `GET /api/v1/lessons{query}`, sorted.
async fn list(app: &TestApp, query: &str, token: Option<&str>) -> Vec<String> {
    let r = app.get(&format!("/api/v1/lessons{query}"), token).await;
    assert_eq!(r.status, 200, "{query}: {:?}", r.body);
    sorted(ids(&r))
}

async fn add_lesson(app: &TestApp, token: &str, initiative: &str, body: Value) -> Value {
    let r = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/lessons"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

async fn initiative_version(app: &TestApp, initiative: &str, token: &str) -> i64 {
    app.get(&format!("/api/v1/initiatives/{initiative}"), Some(token))
        .await
        .body["version"]
        .as_i64()
        .unwrap()
}

async fn lesson_lifecycle_with_etags(app: TestApp) {
    let t = app.tenant("lesson-life").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = id(&app.initiative(&ed.token, "Mali CLIC").await);
    let base = format!("/api/v1/initiatives/{i}/lessons");
    let v0 = initiative_version(&app, &i, &ed.token).await;

    let created = app
        .send(
            reqwest::Method::POST,
            &base,
            tok,
            &[("X-Change-Reason", "end-of-phase review")],
            Some(&json!({
                "statement": "  Donated software needs local trainers. ",
                "context": "Community learning centres received licences.",
                "challenge": "Few staff could use the software.",
                "recommendation": "Budget for training alongside every donation.",
                "tags": [" Training", "software", "TRAINING", "in-kind"]
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag(), "\"1\"");
    let lid = id(&created.body);
    let path = format!("{base}/{lid}");
    assert_eq!(created.header("location").unwrap(), path);
    assert_eq!(
        created.body["statement"],
        "Donated software needs local trainers."
    );
    assert_eq!(
        created.body["tags"],
        json!(["training", "software", "in-kind"]),
        "tags are trimmed, lower-cased and deduplicated"
    );
    assert_eq!(created.body["initiative_id"], i.as_str());
    let v1 = initiative_version(&app, &i, &ed.token).await;
    assert_eq!(v1, v0 + 1, "a child write raises the initiative's version");

    let read = app.get(&path, tok).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.etag(), "\"1\"");
    let cached = app
        .send(
            reqwest::Method::GET,
            &path,
            tok,
            &[("If-None-Match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);

    let patch = json!({"context": null, "tags": ["capacity building"]});
    let no_precondition = app.patch(&path, tok, None, &patch).await;
    assert_eq!(no_precondition.status, 428);
    assert_eq!(no_precondition.code(), "precondition_required");
    let stale = app.patch(&path, tok, Some("\"3\""), &patch).await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.code(), "stale_version");
    let updated = app.patch(&path, tok, Some("\"1\""), &patch).await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.etag(), "\"2\"");
    assert_eq!(updated.body["context"], Value::Null, "null clears");
    assert_eq!(updated.body["tags"], json!(["capacity building"]));
    assert_eq!(
        updated.body["recommendation"], "Budget for training alongside every donation.",
        "absent fields stay"
    );
    assert_eq!(initiative_version(&app, &i, &ed.token).await, v1 + 1);

    let listed = app.get(&base, tok).await;
    assert_eq!(listed.status, 200);
    assert_eq!(ids(&listed), [lid.as_str()]);

    assert_eq!(app.delete(&path, tok, Some("\"1\"")).await.status, 412);
    assert_eq!(app.delete(&path, tok, None).await.status, 428);
    assert_eq!(app.delete(&path, tok, Some("\"2\"")).await.status, 204);
    assert_eq!(app.get(&path, tok).await.status, 404);
    assert_eq!(initiative_version(&app, &i, &ed.token).await, v1 + 2);
    assert_eq!(app.get(&base, tok).await.body["total"], 0);

    let history = app
        .get(
            &format!("/api/v1/initiatives/{i}/history?per_page=100"),
            tok,
        )
        .await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let of_lesson: Vec<&Value> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_type"] == "lesson" && e["entity_id"] == lid.as_str())
        .collect();
    let ops: Vec<&str> = of_lesson
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["delete", "update", "create"]);
    assert_eq!(of_lesson[2]["reason"], "end-of-phase review");
    let changed: Vec<&str> = of_lesson[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["context", "tags"]);
}

async fn every_invalid_lesson_field_is_reported(app: TestApp) {
    let t = app.tenant("lesson-checks").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = id(&app.initiative(&ed.token, "Checks").await);
    let base = format!("/api/v1/initiatives/{i}/lessons");

    let bad = app
        .post(
            &base,
            tok,
            &json!({
                "statement": "  ",
                "recommendation": "r".repeat(10_001),
                "tags": ["ok", "  ", "x".repeat(51)]
            }),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(bad.code(), "validation");
    assert_eq!(
        bad.error_fields(),
        ["statement", "recommendation", "tags[1]", "tags[2]"]
    );

    let many: Vec<String> = (0..21).map(|n| format!("tag {n}")).collect();
    let too_many = app
        .post(&base, tok, &json!({"statement": "S", "tags": many}))
        .await;
    assert_eq!(too_many.status, 422);
    assert_eq!(too_many.error_fields(), ["tags"]);
    // Twenty distinct tags, written twice, are twenty.
    let twenty: Vec<String> = (0..40).map(|n| format!("Tag {}", n % 20)).collect();
    let fine = app
        .post(&base, tok, &json!({"statement": "S", "tags": twenty}))
        .await;
    assert_eq!(fine.status, 201, "{:?}", fine.body);
    assert_eq!(fine.body["tags"].as_array().unwrap().len(), 20);

    let unknown = app
        .post(&base, tok, &json!({"statement": "S", "lesson": "x"}))
        .await;
    assert_eq!(unknown.status, 422);
    let wrong_type = app
        .post(&base, tok, &json!({"statement": "S", "tags": "one"}))
        .await;
    assert_eq!(wrong_type.status, 422);
    assert_eq!(wrong_type.error_fields(), ["tags"]);

    let path = format!("{base}/{}", id(&fine.body));
    let blank = app
        .patch(&path, tok, Some("\"1\""), &json!({"statement": " "}))
        .await;
    assert_eq!(blank.status, 422);
    assert_eq!(blank.error_fields(), ["statement"]);
    assert_eq!(app.get(&path, tok).await.body["statement"], "S");
}

async fn lessons_are_found_by_their_words(app: TestApp) {
    let t = app.tenant("lesson-search").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let macedonia = id(&app.initiative(&ed.token, "Macedonia Connects").await);
    let rwanda = id(&app.initiative(&ed.token, "Rwanda school vouchers").await);

    let pooled = add_lesson(
        &app,
        &ed.token,
        &macedonia,
        json!({
            "statement": "Aggregated demand attracts providers.",
            "recommendation": "Pool every school into one tender so that the backbone reaches rural towns."
        }),
    )
    .await;
    let vouchers = add_lesson(
        &app,
        &ed.token,
        &rwanda,
        json!({
            "statement": "Vouchers vouchers vouchers",
            "tags": ["Market-Making"]
        }),
    )
    .await;
    let mentions = add_lesson(
        &app,
        &ed.token,
        &macedonia,
        json!({
            "statement": "Households redeemed vouchers slowly when the shops were far away and the forms were long and unclear.",
        }),
    )
    .await;

    // A word of the recommendation finds the lesson, and its initiative.
    let found = app.get("/api/v1/lessons?q=tender", tok).await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!(ids(&found), [id(&pooled)]);
    let initiatives = app.get("/api/v1/initiatives?q=tender", tok).await;
    assert_eq!(initiatives.status, 200, "{:?}", initiatives.body);
    assert_eq!(ids(&initiatives), [macedonia.as_str()]);

    // Every word must match; case does not matter; tags are searchable.
    assert_eq!(
        ids(&app.get("/api/v1/lessons?q=TENDER%20backbone", tok).await),
        [id(&pooled)]
    );
    assert!(
        ids(&app.get("/api/v1/lessons?q=tender%20vouchers", tok).await).is_empty(),
        "every word must match"
    );
    assert_eq!(
        ids(&app.get("/api/v1/lessons?q=market", tok).await),
        [id(&vouchers)]
    );

    // Ranked: the lesson that is about vouchers comes before one that mentions them.
    let ranked = app.get("/api/v1/lessons?q=vouchers", tok).await;
    assert_eq!(ids(&ranked), [id(&vouchers), id(&mentions)]);

    // A changed lesson is found by its new words only, in both searches.
    let path = format!("/api/v1/initiatives/{macedonia}/lessons/{}", id(&pooled));
    let changed = app
        .patch(
            &path,
            tok,
            Some("\"1\""),
            &json!({"recommendation": "Negotiate one framework contract."}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert!(ids(&app.get("/api/v1/lessons?q=tender", tok).await).is_empty());
    assert!(ids(&app.get("/api/v1/initiatives?q=tender", tok).await).is_empty());
    assert_eq!(
        ids(&app.get("/api/v1/lessons?q=framework", tok).await),
        [id(&pooled)]
    );
    assert_eq!(
        ids(&app.get("/api/v1/initiatives?q=framework", tok).await),
        [macedonia.as_str()]
    );

    // A deleted lesson is found no more.
    assert_eq!(app.delete(&path, tok, Some("\"2\"")).await.status, 204);
    assert!(ids(&app.get("/api/v1/lessons?q=framework", tok).await).is_empty());
    assert!(ids(&app.get("/api/v1/initiatives?q=framework", tok).await).is_empty());
    // The initiative's own words still find it.
    assert_eq!(
        ids(&app.get("/api/v1/initiatives?q=macedonia", tok).await),
        [macedonia.as_str()]
    );

    // Bad searches are client errors.
    for bad in [
        "q=%20%25%25",
        "q=",
        "colour=red",
        "scope=everyone",
        "tag=%20",
    ] {
        let r = app.get(&format!("/api/v1/lessons?{bad}"), tok).await;
        assert_eq!(r.status, 400, "{bad}: {:?}", r.body);
    }
    let long = "a".repeat(501);
    assert_eq!(
        app.get(&format!("/api/v1/lessons?q={long}"), tok)
            .await
            .status,
        400
    );
}

async fn lesson_lists_filter_by_tag_and_initiative(app: TestApp) {
    let t = app.tenant("lesson-filters").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let a = id(&app
        .initiative(&ed.token, "Intel Computer Clubhouse Brazil")
        .await);
    let b = id(&app.initiative(&ed.token, "Programa para o Futuro").await);
    let first = add_lesson(
        &app,
        &ed.token,
        &a,
        json!({"statement": "Mentors matter", "tags": ["mentoring", "youth"]}),
    )
    .await;
    let second = add_lesson(
        &app,
        &ed.token,
        &b,
        json!({"statement": "Venues are in-kind gold", "tags": ["venue", "in-kind"]}),
    )
    .await;
    let third = add_lesson(
        &app,
        &ed.token,
        &b,
        json!({"statement": "Local firms mentor too", "tags": ["mentoring", "100%_local"]}),
    )
    .await;

    let all = app.get("/api/v1/lessons", tok).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    assert_eq!(
        ids(&all),
        [id(&third), id(&second), id(&first)],
        "newest first"
    );
    assert_eq!(all.body["total"], 3);

    assert_eq!(
        ids(&app.get("/api/v1/lessons?tag=Mentoring", tok).await),
        [id(&third), id(&first)]
    );
    assert!(
        ids(&app.get("/api/v1/lessons?tag=mentor", tok).await).is_empty(),
        "a tag matches whole"
    );
    assert!(
        ids(&app.get("/api/v1/lessons?tag=in", tok).await).is_empty(),
        "a tag matches whole"
    );
    assert_eq!(
        ids(&app.get("/api/v1/lessons?tag=100%25_local", tok).await),
        [id(&third)]
    );
    assert!(
        ids(&app.get("/api/v1/lessons?tag=100%25", tok).await).is_empty(),
        "LIKE wildcards in a tag are literal"
    );
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/lessons?initiative={b}"), tok)
            .await),
        [id(&third), id(&second)]
    );
    assert_eq!(
        ids(&app
            .get(
                &format!("/api/v1/lessons?initiative={b}&tag=mentoring"),
                tok
            )
            .await),
        [id(&third)]
    );
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/initiatives/{b}/lessons?tag=venue"), tok)
            .await),
        [id(&second)]
    );

    let page = app.get("/api/v1/lessons?per_page=2&page=2", tok).await;
    assert_eq!(ids(&page), [id(&first)]);
    assert_eq!(page.body["total_pages"], 2);
    assert_eq!(
        app.get("/api/v1/lessons?per_page=1000", tok).await.status,
        400
    );
}

async fn lessons_follow_their_initiative_visibility(app: TestApp) {
    let a = app.tenant("lessons-a").await;
    let b = app.tenant("lessons-b").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let ed_b = app.member(&b, Role::Editor).await;
    let private_a = id(&app.initiative(&ed_a.token, "Private of A").await);
    let public_a = app.public_initiative(&ed_a.token, "Public of A").await;
    let public_a_id = id(&public_a);
    let private_b = id(&app.initiative(&ed_b.token, "Private of B").await);

    let secret = add_lesson(
        &app,
        &ed_a.token,
        &private_a,
        json!({"statement": "Confidential", "recommendation": "Keep the zanzibar clause quiet"}),
    )
    .await;
    let open = add_lesson(
        &app,
        &ed_a.token,
        &public_a_id,
        json!({"statement": "Shared", "recommendation": "Publish the zanzibar results"}),
    )
    .await;
    let own_b = add_lesson(
        &app,
        &ed_b.token,
        &private_b,
        json!({"statement": "B's own", "recommendation": "zanzibar for B"}),
    )
    .await;

    let tok_a = Some(ed_a.token.as_str());
    let tok_b = Some(ed_b.token.as_str());
    // Members default to their tenant's lessons.
    assert_eq!(
        list(&app, "", tok_a).await,
        sorted(vec![id(&secret), id(&open)])
    );
    assert_eq!(list(&app, "", tok_b).await, [id(&own_b)]);
    // `public`: every public initiative's lessons; `all`: both.
    assert_eq!(list(&app, "?scope=public", tok_b).await, [id(&open)]);
    assert_eq!(
        list(&app, "?scope=all", tok_b).await,
        sorted(vec![id(&open), id(&own_b)])
    );
    // Anonymous callers see public initiatives' lessons only, whatever the scope.
    assert_eq!(list(&app, "", None).await, [id(&open)]);
    assert_eq!(list(&app, "?scope=tenant", None).await, [id(&open)]);
    assert_eq!(list(&app, "?scope=all", None).await, [id(&open)]);

    // Search never reaches another tenant's private lessons.
    assert_eq!(
        list(&app, "?q=zanzibar&scope=all", tok_b).await,
        sorted(vec![id(&open), id(&own_b)])
    );
    assert_eq!(list(&app, "?q=zanzibar", None).await, [id(&open)]);
    assert!(list(&app, "?q=quiet&scope=all", tok_b).await.is_empty());
    assert!(list(&app, "?q=quiet", None).await.is_empty());
    assert_eq!(list(&app, "?q=quiet", tok_a).await, [id(&secret)]);
    assert!(
        list(&app, &format!("?initiative={private_a}&scope=all"), tok_b)
            .await
            .is_empty()
    );
    let anonymous_initiatives = app.get("/api/v1/initiatives?q=quiet", None).await;
    assert_eq!(anonymous_initiatives.status, 200);
    assert!(ids(&anonymous_initiatives).is_empty());
    let other_initiatives = app
        .get("/api/v1/initiatives?q=quiet&scope=all", tok_b)
        .await;
    assert!(ids(&other_initiatives).is_empty());

    // Made private again, the initiative takes its lessons with it.
    let current = app
        .get(&format!("/api/v1/initiatives/{public_a_id}"), tok_a)
        .await;
    let hidden = app
        .patch(
            &format!("/api/v1/initiatives/{public_a_id}"),
            tok_a,
            Some(&current.etag()),
            &json!({"visibility": "private"}),
        )
        .await;
    assert_eq!(hidden.status, 200, "{:?}", hidden.body);
    assert!(list(&app, "", None).await.is_empty());
    assert_eq!(list(&app, "?scope=all", tok_b).await, [id(&own_b)]);
    assert_eq!(
        app.get(
            &format!("/api/v1/initiatives/{public_a_id}/lessons/{}", id(&open)),
            None
        )
        .await
        .status,
        404
    );
}

async fn lessons_of_another_tenant(app: TestApp) {
    let a = app.tenant("lesson-owner").await;
    let b = app.tenant("lesson-other").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let owner_b = app.member(&b, Role::Owner).await;
    let private = id(&app.initiative(&ed_a.token, "Private of A").await);
    let public = id(&app.public_initiative(&ed_a.token, "Public of A").await);
    let body = json!({"statement": "A lesson"});
    let mut paths = Vec::new();
    for i in [&private, &public] {
        let lesson = add_lesson(&app, &ed_a.token, i, body.clone()).await;
        paths.push((
            format!("/api/v1/initiatives/{i}/lessons"),
            format!("/api/v1/initiatives/{i}/lessons/{}", id(&lesson)),
        ));
    }
    let tok_b = Some(owner_b.token.as_str());
    let patch = json!({"statement": "Taken over"});

    let (list, one) = &paths[0];
    for tok in [tok_b, None] {
        assert_eq!(app.get(list, tok).await.status, 404);
        assert_eq!(app.get(one, tok).await.status, 404);
    }
    assert_eq!(app.post(list, tok_b, &body).await.status, 404);
    assert_eq!(
        app.patch(one, tok_b, Some("\"1\""), &patch).await.status,
        404
    );
    assert_eq!(app.delete(one, tok_b, Some("\"1\"")).await.status, 404);
    // A lesson is reached only through its own initiative.
    let private_lesson = one.rsplit('/').next().unwrap();
    let crossed = format!("/api/v1/initiatives/{public}/lessons/{private_lesson}");
    assert_eq!(app.get(&crossed, Some(&ed_a.token)).await.status, 404);

    let (list, one) = &paths[1];
    for tok in [tok_b, None] {
        let listed = app.get(list, tok).await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        assert_eq!(listed.body["total"], 1);
        assert_eq!(app.get(one, tok).await.status, 200);
    }
    let create = app.post(list, tok_b, &body).await;
    assert_eq!(create.status, 403);
    assert_eq!(create.code(), "forbidden");
    assert_eq!(
        app.patch(one, tok_b, Some("\"1\""), &patch).await.status,
        403
    );
    assert_eq!(app.delete(one, tok_b, Some("\"1\"")).await.status, 403);

    for (list, one) in &paths {
        assert_eq!(
            app.get(one, Some(&ed_a.token)).await.body["version"],
            1,
            "nothing changed"
        );
        assert_eq!(app.get(list, Some(&ed_a.token)).await.body["total"], 1);
    }
}

async fn viewers_and_anonymous_callers_cannot_write_lessons(app: TestApp) {
    let t = app.tenant("lesson-roles").await;
    let ed = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let i = id(&app.public_initiative(&ed.token, "Read-only for some").await);
    let base = format!("/api/v1/initiatives/{i}/lessons");
    let body = json!({"statement": "A lesson"});
    let lesson = add_lesson(&app, &ed.token, &i, body.clone()).await;
    let path = format!("{base}/{}", id(&lesson));
    let patch = json!({"statement": "Changed"});

    let vt = Some(viewer.token.as_str());
    assert_eq!(app.get(&path, vt).await.status, 200);
    assert_eq!(app.get("/api/v1/lessons", vt).await.body["total"], 1);
    let refused = app.post(&base, vt, &body).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.code(), "forbidden");
    assert_eq!(
        app.patch(&path, vt, Some("\"1\""), &patch).await.status,
        403
    );
    assert_eq!(app.delete(&path, vt, Some("\"1\"")).await.status, 403);

    assert_eq!(app.post(&base, None, &body).await.status, 401);
    assert_eq!(
        app.patch(&path, None, Some("\"1\""), &patch).await.status,
        401
    );
    assert_eq!(app.delete(&path, None, Some("\"1\"")).await.status, 401);

    assert_eq!(app.get(&base, Some(&ed.token)).await.body["total"], 1);
    assert_eq!(app.get(&path, Some(&ed.token)).await.body["version"], 1);
}

/// The ETag and version a PATCH answers are those a following GET reads: the stored ones.
async fn a_patched_lesson_answers_its_stored_version(app: TestApp) {
    let t = app.tenant("lesson-stored").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = id(&app.initiative(&ed.token, "Stored versions").await);
    let created = add_lesson(&app, &ed.token, &i, json!({"statement": "First"})).await;
    let path = format!("/api/v1/initiatives/{i}/lessons/{}", id(&created));
    for (n, statement) in ["Second", "Third"].into_iter().enumerate() {
        let etag = if n == 0 { "\"1\"" } else { "*" };
        let patched = app
            .patch(&path, tok, Some(etag), &json!({"statement": statement}))
            .await;
        assert_eq!(patched.status, 200, "{:?}", patched.body);
        let read = app.get(&path, tok).await;
        assert_eq!(read.status, 200);
        assert_eq!(patched.etag(), read.etag());
        assert_eq!(patched.body["version"], read.body["version"]);
        assert_eq!(read.body["version"], json!(n + 2));
        assert_eq!(read.body["statement"], statement);
    }
}
