//! What a client sees of the API's conventions: errors that name every bad field with its path
//! and what it takes, `If-Match: *`, the change feed's cursor rules, `HEAD`, 405 with `Allow`.

use msp_tests::{Resp, TestApp, both_databases, json};
use reqwest::Method;
use serde_json::Value;
use service::Role;

both_databases!(
    a_number_for_an_enum_is_422_naming_the_field_and_its_values,
    a_missing_required_field_is_named_by_its_own_path,
    every_bad_field_of_a_body_is_reported_at_once,
    an_unknown_enum_value_lists_the_allowed_ones,
    broken_json_is_400_with_line_and_column,
    a_member_given_twice_is_422_naming_it,
    a_wrong_value_in_a_nested_list_is_named_by_its_path,
    a_type_keeps_its_own_message_for_a_field,
    every_bad_query_parameter_is_reported_at_once,
    updated_since_takes_a_date_and_names_its_forms,
    if_match_star_matches_the_current_version,
    if_match_star_on_a_child_record_and_an_organization,
    a_cursor_beyond_the_feed_head_is_400_cursor_ahead,
    a_wrong_method_is_405_with_allow,
    head_answers_like_get_without_a_body,
);

fn error<'a>(r: &'a Resp, field: &str) -> &'a Value {
    r.body["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["field"] == field))
        .unwrap_or_else(|| panic!("no error for `{field}` in {:#?}", r.body))
}

fn allowed(e: &Value) -> Vec<&str> {
    e["allowed"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Posts `text` as an organisation's JSON body, as it is (not re-encoded from a value).
async fn post_text(app: &TestApp, tok: &str, text: &'static str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(tok)
        .header("content-type", "application/json")
        .body(text)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn editor(app: &TestApp, slug: &str) -> String {
    let t = app.tenant(slug).await;
    app.member(&t, Role::Editor).await.token
}

async fn a_number_for_an_enum_is_422_naming_the_field_and_its_values(app: TestApp) {
    let tok = editor(&app, "enum-number").await;
    for bad in [json!(3), json!(true)] {
        let r = app
            .post(
                "/api/v1/initiatives",
                Some(&tok),
                &json!({"title": "T", "kind": "msp", "spectrum": bad}),
            )
            .await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.code(), "validation");
        assert_eq!(r.error_fields(), ["spectrum"]);
        let e = error(&r, "spectrum");
        assert_eq!(e["code"], "invalid_type");
        assert_eq!(e["expected"], "enum");
        assert_eq!(
            allowed(e),
            [
                "leverage_exchange",
                "combine_integrate",
                "system_transformation"
            ]
        );
    }
}

async fn a_missing_required_field_is_named_by_its_own_path(app: TestApp) {
    let tok = editor(&app, "missing").await;
    let r = app
        .post("/api/v1/initiatives", Some(&tok), &json!({"kind": "msp"}))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.error_fields(), ["title"]);
    assert_eq!(error(&r, "title")["code"], "required");
    assert_eq!(error(&r, "title")["expected"], "string");
}

async fn every_bad_field_of_a_body_is_reported_at_once(app: TestApp) {
    let tok = editor(&app, "every-field").await;
    let r = app
        .post(
            "/api/v1/initiatives",
            Some(&tok),
            &json!({
                "kind": 7,
                "countries": "ML",
                "start_date": "1 March 2026",
                "sdg_goals": ["four"],
                "colour": "blue",
            }),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "colour",
            "countries",
            "kind",
            "sdg_goals[0]",
            "start_date",
            "title"
        ]
    );
    assert_eq!(error(&r, "colour")["code"], "unknown_field");
    assert!(allowed(error(&r, "colour")).contains(&"title"));
    assert_eq!(error(&r, "countries")["expected"], "array");
    assert_eq!(error(&r, "sdg_goals[0]")["expected"], "integer");
    let date = error(&r, "start_date");
    assert_eq!(date["code"], "invalid_format");
    assert_eq!(date["expected"], "date");
    assert!(
        date["message"].as_str().unwrap().contains("YYYY-MM-DD"),
        "{date}"
    );
}

async fn an_unknown_enum_value_lists_the_allowed_ones(app: TestApp) {
    let tok = editor(&app, "enum-value").await;
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&tok),
            &json!({"name": "Org", "sector": "industry", "visibility": "secret"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["sector", "visibility"]);
    let sector = error(&r, "sector");
    assert_eq!(sector["code"], "invalid_value");
    assert!(allowed(sector).contains(&"business"), "{sector}");
    assert!(sector["message"].as_str().unwrap().contains("business"));
    assert_eq!(allowed(error(&r, "visibility")), ["private", "public"]);
}

async fn broken_json_is_400_with_line_and_column(app: TestApp) {
    let tok = editor(&app, "broken").await;
    let (status, body) = post_text(
        &app,
        &tok,
        "{\n  \"name\": \"Org\",\n  \"sector\": business\n}",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "bad_request");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("line 3 column"), "{detail}");
}

/// `{"name": "A", "name": "B"}` is refused, not read as whichever came last.
async fn a_member_given_twice_is_422_naming_it(app: TestApp) {
    let tok = editor(&app, "twice").await;
    let (status, body) = post_text(
        &app,
        &tok,
        r#"{"name": "Org A", "sector": "business", "name": "Org B"}"#,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "validation", "{body:#}");
    let found: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["field"].as_str()?, e["code"].as_str()?)))
        .collect();
    assert_eq!(found, [("name", "duplicate_field")], "{body:#}");
}

async fn a_wrong_value_in_a_nested_list_is_named_by_its_path(app: TestApp) {
    let tok = editor(&app, "nested").await;
    let r = app
        .post(
            "/api/v1/initiatives",
            Some(&tok),
            &json!({
                "title": "Nested",
                "kind": "msp",
                "external_identifiers": [
                    {"scheme": "crs", "identifier": "1"},
                    {"scheme": 5},
                ],
            }),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "external_identifiers[1].identifier",
            "external_identifiers[1].scheme"
        ]
    );
    assert_eq!(
        error(&r, "external_identifiers[1].identifier")["code"],
        "required"
    );
    assert_eq!(
        error(&r, "external_identifiers[1].scheme")["code"],
        "invalid_type"
    );
}

async fn a_type_keeps_its_own_message_for_a_field(app: TestApp) {
    let tok = editor(&app, "own-message").await;
    let i = app.initiative(&tok, "Amounts").await;
    let r = app
        .post(
            &format!(
                "/api/v1/initiatives/{}/contributions",
                i["id"].as_str().unwrap()
            ),
            Some(&tok),
            &json!({"resource_kind": "coins", "amount": 12500.5, "currency": "USD"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let amount = error(&r, "amount");
    assert_eq!(amount["expected"], "string");
    assert!(
        amount["message"].as_str().unwrap().contains("JSON string"),
        "{amount}"
    );
    assert!(allowed(error(&r, "resource_kind")).contains(&"cash"));
}

async fn every_bad_query_parameter_is_reported_at_once(app: TestApp) {
    let r = app
        .get(
            "/api/v1/initiatives?stage=dreaming&per_page=many&start_from=2026-02-30&colour=blue",
            None,
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(r.code(), "bad_request");
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["colour", "per_page", "stage", "start_from"]);
    assert_eq!(error(&r, "colour")["code"], "unknown_parameter");
    assert!(allowed(error(&r, "colour")).contains(&"updated_since"));
    assert!(allowed(error(&r, "stage")).contains(&"implementing"));
    assert_eq!(error(&r, "per_page")["expected"], "integer");
    assert_eq!(error(&r, "start_from")["expected"], "date");
    // An enum that only query strings use (the sort keys) lists its values too.
    let r = app.get("/api/v1/initiatives?sort=newest", None).await;
    assert_eq!(r.status, 400);
    assert!(
        allowed(error(&r, "sort")).contains(&"-updated_at"),
        "{:?}",
        r.body
    );
}

async fn updated_since_takes_a_date_and_names_its_forms(app: TestApp) {
    let tok = editor(&app, "since").await;
    app.initiative(&tok, "Recent").await;
    for since in [
        "2026-01-01",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00%2B02:00",
    ] {
        let r = app
            .get(
                &format!("/api/v1/initiatives?updated_since={since}"),
                Some(&tok),
            )
            .await;
        assert_eq!(r.status, 200, "{since}: {:?}", r.body);
        assert_eq!(r.body["total"], 1, "{since}");
    }
    let r = app
        .get("/api/v1/initiatives?updated_since=2999-01-01", Some(&tok))
        .await;
    assert_eq!(r.body["total"], 0);
    let r = app
        .get("/api/v1/organizations?updated_since=last-week", Some(&tok))
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let e = error(&r, "updated_since");
    assert_eq!(e["expected"], "date-time");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("2026-01-01T00:00:00Z") && message.contains("a date such as 2026-01-01"),
        "{message}"
    );
}

async fn if_match_star_matches_the_current_version(app: TestApp) {
    let tok = editor(&app, "star").await;
    let i = app.initiative(&tok, "Star").await;
    let path = format!("/api/v1/initiatives/{}", i["id"].as_str().unwrap());
    let r = app
        .patch(&path, Some(&tok), Some("*"), &json!({"title": "Starred"}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["title"], "Starred");
    assert_eq!(r.etag(), "\"2\"");
    // A stale ETag is still refused; no header still needs one.
    let stale = app
        .patch(&path, Some(&tok), Some("\"1\""), &json!({"title": "Old"}))
        .await;
    assert_eq!(stale.status, 412);
    let none = app
        .patch(&path, Some(&tok), None, &json!({"title": "None"}))
        .await;
    assert_eq!(none.status, 428);
    assert_eq!(app.delete(&path, Some(&tok), Some("*")).await.status, 204);
    assert_eq!(app.get(&path, Some(&tok)).await.status, 404);
}

async fn if_match_star_on_a_child_record_and_an_organization(app: TestApp) {
    let tok = editor(&app, "star-child").await;
    let i = app.initiative(&tok, "Star child").await;
    let id = i["id"].as_str().unwrap();
    let org = app.organization(&tok, "Star org", "private").await;
    let p = app
        .post(
            &format!("/api/v1/initiatives/{id}/partners"),
            Some(&tok),
            &json!({"organization_id": org["id"], "roles": ["implementer"]}),
        )
        .await;
    assert_eq!(p.status, 201, "{:?}", p.body);
    let partner = format!(
        "/api/v1/initiatives/{id}/partners/{}",
        p.body["id"].as_str().unwrap()
    );
    let r = app
        .patch(
            &partner,
            Some(&tok),
            Some("*"),
            &json!({"status": "active"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        app.delete(&partner, Some(&tok), Some("*")).await.status,
        204
    );
    let other = app.organization(&tok, "Star org two", "private").await;
    let org_path = format!("/api/v1/organizations/{}", other["id"].as_str().unwrap());
    let r = app
        .patch(&org_path, Some(&tok), Some("*"), &json!({"acronym": "SO2"}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        app.delete(&org_path, Some(&tok), Some("*")).await.status,
        204
    );
}

async fn a_cursor_beyond_the_feed_head_is_400_cursor_ahead(app: TestApp) {
    let tok = editor(&app, "cursor").await;
    app.initiative(&tok, "Fed").await;
    let page = app.get("/api/v1/changes", Some(&tok)).await;
    assert_eq!(page.status, 200);
    let head: i64 = page.body["next_cursor"].as_str().unwrap().parse().unwrap();
    // The head itself is a good cursor: nothing new yet.
    let at_head = app
        .get(&format!("/api/v1/changes?after={head}"), Some(&tok))
        .await;
    assert_eq!(at_head.status, 200);
    assert_eq!(at_head.body["items"], json!([]));
    for who in [Some(tok.as_str()), None] {
        let r = app
            .get(&format!("/api/v1/changes?after={}", head + 1000), who)
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.code(), "cursor_ahead");
        assert_eq!(r.error_fields(), ["after"]);
    }
}

async fn a_wrong_method_is_405_with_allow(app: TestApp) {
    let tok = editor(&app, "methods").await;
    let i = app.initiative(&tok, "Methods").await;
    let id = i["id"].as_str().unwrap();
    let cases = [
        (
            Method::PUT,
            "/api/v1/initiatives".to_owned(),
            "GET, HEAD, POST, OPTIONS",
        ),
        (
            Method::POST,
            format!("/api/v1/initiatives/{id}"),
            "GET, HEAD, PATCH, DELETE, OPTIONS",
        ),
        (
            Method::DELETE,
            "/graphql".to_owned(),
            "GET, HEAD, POST, OPTIONS",
        ),
        (
            Method::GET,
            "/api/v1/auth/token".to_owned(),
            "POST, OPTIONS",
        ),
    ];
    for (method, path, allow) in cases {
        let r = app.send(method.clone(), &path, Some(&tok), &[], None).await;
        assert_eq!(r.status, 405, "{method} {path}: {:?}", r.body);
        assert_eq!(r.header("allow").as_deref(), Some(allow), "{method} {path}");
        assert_eq!(r.code(), "method_not_allowed", "{method} {path}");
    }
    for path in ["/api/v1/initiatives", "/graphql"] {
        let options = app.send(Method::OPTIONS, path, None, &[], None).await;
        assert_eq!(options.status, 204, "OPTIONS {path}");
        assert_eq!(
            options.header("allow").as_deref(),
            Some("GET, HEAD, POST, OPTIONS"),
            "OPTIONS {path}"
        );
    }
    // A path that names nothing stays a 404, whatever the method.
    let r = app
        .send(Method::PUT, "/api/v1/nothing-here", None, &[], None)
        .await;
    assert_eq!(r.status, 404);
}

async fn head_answers_like_get_without_a_body(app: TestApp) {
    let tok = editor(&app, "head").await;
    let i = app.public_initiative(&tok, "Headed").await;
    let path = format!("/api/v1/initiatives/{}", i["id"].as_str().unwrap());
    for path in [path.as_str(), "/api/v1/initiatives", "/health"] {
        let get = app.get(path, Some(&tok)).await;
        assert_eq!(get.status, 200, "{path}");
        let res = app
            .client
            .head(app.url(path))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "HEAD {path}");
        for name in ["etag", "content-type", "content-length", "link"] {
            assert_eq!(
                res.headers().get(name),
                get.headers.get(name),
                "HEAD {path}: {name}"
            );
        }
        assert!(res.bytes().await.unwrap().is_empty(), "HEAD {path}");
    }
    // A streamed export answers HEAD with its headers and produces no rows.
    let res = app
        .client
        .head(app.url("/api/v1/export/initiatives?format=csv"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(res.bytes().await.unwrap().is_empty());
    // The ETag still gives a 304.
    let etag = app.get(&path, Some(&tok)).await.etag();
    let res = app
        .client
        .head(app.url(&path))
        .bearer_auth(&tok)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 304);
    // HEAD of a path with no GET is a 405 like any other method.
    let res = app
        .client
        .head(app.url("/api/v1/auth/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(
        res.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST, OPTIONS")
    );
}
