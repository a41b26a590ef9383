//! What the served OpenAPI document says is what the server does (issue 13, found by
//! schemathesis in `scripts/ci/schemathesis.sh`): paging bounds, the 400/413/415 answers, the
//! `Idempotency-Key` form for every caller, and `Allow` on a literal route beside a templated one.

use msp_tests::{TestApp, both_databases};
use reqwest::Method;
use serde_json::{Value, json};
use service::Role;

both_databases!(
    paging_bounds_are_documented_and_enforced,
    a_body_operation_documents_413_and_415_and_answers_415,
    an_idempotency_key_of_the_wrong_form_is_400_for_anonymous_callers_too,
    a_literal_route_beside_a_template_allows_only_its_own_methods,
);
both_databases!(
    vars = &[("MSP_MAX_PAGE_SIZE", "500")];
    the_served_per_page_maximum_is_the_configured_one,
);

async fn document(app: &TestApp) -> Value {
    let r = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(r.status, 200);
    r.body
}

fn parameter<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no parameter {name} on GET {path}"))
}

async fn paging_bounds_are_documented_and_enforced(app: TestApp) {
    let doc = document(&app).await;
    let per_page = &parameter(&doc, "/api/v1/organizations", "per_page")["schema"];
    assert_eq!(per_page["minimum"], 1);
    assert_eq!(per_page["maximum"], 100);
    let page = &parameter(&doc, "/api/v1/organizations", "page")["schema"];
    assert_eq!(page["minimum"], 1);
    assert_eq!(page["maximum"], 1_000_000);
    assert_eq!(
        parameter(&doc, "/api/v1/changes", "limit")["schema"]["maximum"],
        1000
    );
    assert!(doc["paths"]["/api/v1/organizations"]["get"]["responses"]["400"].is_object());

    let t = app.tenant("paging-bounds").await;
    let viewer = app.member(&t, Role::Viewer).await.token;
    for (query, status) in [
        ("per_page=0", 400),
        ("per_page=101", 400),
        ("per_page=100", 200),
    ] {
        let r = app
            .get(&format!("/api/v1/organizations?{query}"), Some(&viewer))
            .await;
        assert_eq!(r.status, status, "{query}: {:?}", r.body);
    }
    // The message is plain words, no Rust type.
    let r = app
        .get("/api/v1/organizations?per_page=0", Some(&viewer))
        .await;
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("must be between 1 and 100"), "{detail}");
}

async fn the_served_per_page_maximum_is_the_configured_one(app: TestApp) {
    let doc = document(&app).await;
    let per_page = &parameter(&doc, "/api/v1/organizations", "per_page")["schema"];
    assert_eq!(per_page["maximum"], 500);
    let t = app.tenant("paging-configured").await;
    let viewer = app.member(&t, Role::Viewer).await.token;
    let r = app
        .get("/api/v1/organizations?per_page=500", Some(&viewer))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn a_body_operation_documents_413_and_415_and_answers_415(app: TestApp) {
    let doc = document(&app).await;
    let responses = &doc["paths"]["/api/v1/auth/token"]["post"]["responses"];
    for status in ["400", "413", "415"] {
        assert!(
            responses[status].is_object(),
            "no {status} on POST /auth/token"
        );
    }
    let r = app
        .send(Method::POST, "/api/v1/auth/token", None, &[], None)
        .await;
    assert_eq!(r.status, 415, "{:?}", r.body);
    assert_eq!(r.body["code"], "unsupported_media_type");
}

async fn an_idempotency_key_of_the_wrong_form_is_400_for_anonymous_callers_too(app: TestApp) {
    let body = json!({"token": "mspr_unknown"});
    for key in ["", "two words"] {
        let r = app
            .send(
                Method::POST,
                "/api/v1/auth/revoke",
                None,
                &[("Idempotency-Key", key)],
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 400, "key {key:?}: {:?}", r.body);
        assert_eq!(
            r.body["detail"],
            "invalid header `Idempotency-Key`: must be 1 to 255 visible ASCII characters"
        );
    }
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/revoke",
            None,
            &[("Idempotency-Key", "retry-1")],
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn a_literal_route_beside_a_template_allows_only_its_own_methods(app: TestApp) {
    let t = app.tenant("allow-literal").await;
    let owner = app.member(&t, Role::Owner).await.token;
    let id = uuid::Uuid::new_v4();
    for (path, allow) in [
        (
            format!("/api/v1/initiatives/{id}/contributions/totals"),
            "GET, HEAD, OPTIONS",
        ),
        (
            "/api/v1/members/invitations".to_owned(),
            "GET, HEAD, OPTIONS",
        ),
    ] {
        let r = app
            .send(Method::OPTIONS, &path, Some(&owner), &[], None)
            .await;
        assert_eq!(r.status, 204, "{path}");
        assert_eq!(r.header("allow").as_deref(), Some(allow), "{path}");
        // PATCH is not one of its methods, although the templated route beside it has one.
        let r = app
            .send(Method::PATCH, &path, Some(&owner), &[], None)
            .await;
        assert_eq!(r.status, 405, "PATCH {path}: {:?}", r.body);
        assert_eq!(r.header("allow").as_deref(), Some(allow), "PATCH {path}");
    }
}
