//! The OpenAPI document as tools read it: unique operation ids (Swagger UI and client generators
//! find an operation by its id), every `$ref` defined, every security requirement naming a
//! scheme, and a token endpoint that takes exactly what Swagger UI's Authorize sends.

use std::collections::{BTreeMap, BTreeSet};

use base64::{Engine, engine::general_purpose::STANDARD};
use msp_tests::{PASSWORD, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    swagger_ui_authorize_signs_in_with_the_password_flow,
    swagger_ui_authorize_signs_in_with_client_credentials,
    client_credentials_in_header_and_body_are_refused,
    documented_problem_examples_are_what_the_server_sends,
);

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn document() -> Value {
    serde_json::from_str(&msp_api::openapi::document_json()).unwrap()
}

/// `(METHOD path, operation)` for every operation of the document.
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((format!("{} {path}", method.to_uppercase()), op));
            }
        }
    }
    out
}

#[test]
fn operation_ids_are_unique_and_named_for_resource_and_action() {
    let doc = document();
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (at, op) in operations(&doc) {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{at} has no operationId"));
        let words: Vec<&str> = id.split('_').collect();
        assert!(
            words.len() >= 2
                && words.iter().all(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                }),
            "{at}: operationId `{id}` is not resource_action in snake case"
        );
        seen.entry(id.to_owned()).or_default().push(at);
    }
    let shared: Vec<_> = seen.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(shared.is_empty(), "operationIds used twice: {shared:?}");
    assert_eq!(seen["initiatives_list"], ["GET /api/v1/initiatives"]);
    assert_eq!(
        seen["initiative_lessons_delete"],
        ["DELETE /api/v1/initiatives/{id}/lessons/{lesson_id}"]
    );
}

/// Resolves a local JSON pointer (`#/components/schemas/Name`) in `doc`.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.insert(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_points_at_a_definition() {
    let doc = document();
    let mut refs = BTreeSet::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 100, "the document refers to its schemas");
    let dangling: Vec<_> = refs.iter().filter(|r| resolve(&doc, r).is_none()).collect();
    assert!(dangling.is_empty(), "$refs to nothing: {dangling:?}");
}

#[test]
fn every_security_requirement_names_a_scheme_and_oauth2_signs_in_at_the_token_endpoint() {
    let doc = document();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let mut with_oauth2 = 0;
    for (at, op) in operations(&doc) {
        let requirements = op["security"].as_array().cloned().unwrap_or_default();
        for requirement in &requirements {
            for name in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains_key(name), "{at} names no scheme `{name}`");
            }
        }
        let names: Vec<&str> = requirements
            .iter()
            .flat_map(|r| r.as_object().unwrap().keys().map(String::as_str))
            .collect();
        if names.contains(&"bearer") {
            assert!(
                names.contains(&"oauth2"),
                "{at}: Swagger UI signs in for it"
            );
            with_oauth2 += 1;
        }
    }
    assert!(with_oauth2 > 60, "operations taking a token: {with_oauth2}");
    let oauth2 = &schemes["oauth2"];
    assert_eq!(oauth2["type"], "oauth2");
    for flow in ["password", "clientCredentials"] {
        let url = oauth2["flows"][flow]["tokenUrl"].as_str().unwrap();
        assert!(
            doc["paths"][url]["post"].is_object(),
            "{flow} flow's tokenUrl {url} is the token endpoint"
        );
    }
}

/// What Swagger UI 5 sends for its password flow with no client entered: the form, and an
/// empty `Authorization: Basic` pair (`:`), since "Authorization header" is its default.
async fn swagger_ui_authorize_signs_in_with_the_password_flow(app: TestApp) {
    let t = app.tenant("authorize").await;
    let m = app.member(&t, Role::Editor).await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("Authorization", format!("Basic {}", STANDARD.encode(":")))
        .header("Accept", "application/json, text/plain, */*")
        .header("X-Requested-With", "XMLHttpRequest")
        .form(&[
            ("grant_type", "password"),
            ("username", m.email.as_str()),
            ("password", PASSWORD),
            ("scope", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let me = app
        .get("/api/v1/me", Some(body["access_token"].as_str().unwrap()))
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["tenant"]["slug"], "authorize");
}

/// Swagger UI's client-credentials flow always sends the client as HTTP Basic.
async fn swagger_ui_authorize_signs_in_with_client_credentials(app: TestApp) {
    let t = app.tenant("authorize-client").await;
    let admin = app.member(&t, Role::Admin).await;
    let created = app
        .post(
            "/api/v1/clients",
            Some(&admin.token),
            &json!({"name": "Swagger UI", "role": "viewer"}),
        )
        .await;
    let id = created.body["client_id"].as_str().unwrap();
    let secret = created.body["client_secret"].as_str().unwrap();
    let sign_in = |basic: String| {
        let app = app.clone();
        async move {
            app.client
                .post(app.url("/api/v1/auth/token"))
                .header("Authorization", format!("Basic {}", STANDARD.encode(basic)))
                .form(&[("grant_type", "client_credentials"), ("scope", "")])
                .send()
                .await
                .unwrap()
        }
    };
    let ok = sign_in(format!("{id}:{secret}")).await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    let me = app
        .get("/api/v1/me", Some(body["access_token"].as_str().unwrap()))
        .await;
    assert_eq!(me.body["kind"], "client");
    assert_eq!(me.body["role"], "viewer");

    let wrong = sign_in(format!("{id}:not-the-secret")).await;
    assert_eq!(wrong.status(), 401);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

async fn client_credentials_in_header_and_body_are_refused(app: TestApp) {
    let send = |authorization: &'static str, form: Vec<(&'static str, &'static str)>| {
        let app = app.clone();
        async move {
            let r = app
                .client
                .post(app.url("/api/v1/auth/token"))
                .header("Authorization", authorization)
                .form(&form)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    // base64("msp_a:b")
    let (status, body) = send(
        "Basic bXNwX2E6Yg==",
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "msp_a"),
            ("client_secret", "b"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "authorization");
    assert_eq!(body["error"], "invalid_request");
    let (status, body) = send(
        "Basic not base64!",
        vec![("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "authorization");
}

#[test]
fn every_response_and_summary_is_described_and_shared_headers_are_parameters() {
    let doc = document();
    for (at, op) in operations(&doc) {
        let summary = op["summary"].as_str().unwrap_or_default();
        assert!(
            !summary.is_empty() && summary.len() <= 60 && !summary.contains('\n'),
            "{at}: summary `{summary}` is not one short line"
        );
        for (status, response) in op["responses"].as_object().unwrap() {
            // A shared answer (the rate limit's 429) is described once, in the components.
            let response = match response["$ref"].as_str() {
                Some(at) => at
                    .strip_prefix("#/components/responses/")
                    .map_or(&Value::Null, |name| &doc["components"]["responses"][name]),
                None => response,
            };
            let description = response["description"].as_str().unwrap_or_default();
            assert!(!description.is_empty(), "{at} {status} has no description");
        }
        let headers: Vec<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "header")
            .filter_map(|p| p["name"].as_str())
            .collect();
        let responses = &op["responses"];
        if responses.get("412").is_some() {
            assert!(headers.contains(&"If-Match"), "{at} documents If-Match");
        }
        if responses.get("304").is_some() {
            assert!(
                headers.contains(&"If-None-Match"),
                "{at} documents If-None-Match"
            );
        }
        if at.starts_with("POST /api/v1/") && at != "POST /api/v1/auth/token" {
            assert!(
                headers.contains(&"Idempotency-Key"),
                "{at} documents Idempotency-Key"
            );
        }
    }
}

/// The documented example for `status` of `method path`, named `name`.
fn example(doc: &Value, method: &str, path: &str, status: &str, name: &str) -> Value {
    let mut value = doc["paths"][path][method]["responses"][status]["content"]
        ["application/problem+json"]["examples"][name]["value"]
        .clone();
    assert!(
        value.is_object(),
        "{method} {path} {status} has example {name}"
    );
    value.as_object_mut().unwrap().remove("request_id");
    value
}

fn without_request_id(mut body: Value) -> Value {
    body.as_object_mut().unwrap().remove("request_id");
    body
}

/// The examples are made by the server's own error mapping; this sends the real requests and
/// compares whole bodies (but for the request id).
async fn documented_problem_examples_are_what_the_server_sends(app: TestApp) {
    let doc = document();
    let t = app.tenant("examples").await;
    let editor = app.member(&t, Role::Editor).await;
    let created = app.initiative(&editor.token, "Examples partnership").await;
    let path = format!("/api/v1/initiatives/{}", created["id"].as_str().unwrap());
    let item = "/api/v1/initiatives/{id}";

    let stale = app
        .patch(
            &path,
            Some(&editor.token),
            Some("\"7\""),
            &json!({"summary": "x"}),
        )
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(
        without_request_id(stale.body),
        example(&doc, "patch", item, "412", "stale_version")
    );

    let missing = app
        .patch(&path, Some(&editor.token), None, &json!({"summary": "x"}))
        .await;
    assert_eq!(missing.status, 428);
    assert_eq!(
        without_request_id(missing.body),
        example(&doc, "patch", item, "428", "precondition_required")
    );

    let nowhere = app
        .get(&format!("/api/v1/initiatives/{}", uuid::Uuid::nil()), None)
        .await;
    assert_eq!(nowhere.status, 404);
    assert_eq!(
        without_request_id(nowhere.body),
        example(&doc, "get", item, "404", "not_found")
    );

    let bad_token = app.get("/api/v1/me", Some("not-a-token")).await;
    assert_eq!(bad_token.status, 401);
    assert_eq!(
        without_request_id(bad_token.body),
        example(&doc, "get", "/api/v1/me", "401", "invalid_token")
    );

    let anonymous = app
        .post(
            "/api/v1/initiatives",
            None,
            &json!({"title": "x", "kind": "ppp"}),
        )
        .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        without_request_id(anonymous.body),
        example(
            &doc,
            "post",
            "/api/v1/initiatives",
            "401",
            "unauthenticated"
        )
    );

    let invalid = app
        .post(
            "/api/v1/initiatives",
            Some(&editor.token),
            &json!({"title": "Invalid", "kind": "ppp", "countries": ["XX"]}),
        )
        .await;
    assert_eq!(invalid.status, 422);
    let documented = example(&doc, "post", "/api/v1/initiatives", "422", "validation");
    for key in ["type", "title", "status", "detail", "code"] {
        assert_eq!(invalid.body[key], documented[key], "422 {key}");
    }
    let field_keys = |v: &Value| -> Vec<String> {
        v["errors"][0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(field_keys(&invalid.body), field_keys(&documented));

    let wrong_password = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", editor.email.as_str()),
            ("password", "not the password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_password.status(), 401);
    let body: Value = wrong_password.json().await.unwrap();
    assert_eq!(
        without_request_id(body),
        example(
            &doc,
            "post",
            "/api/v1/auth/token",
            "401",
            "invalid_credentials"
        )
    );
}
