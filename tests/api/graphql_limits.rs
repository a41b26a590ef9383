//! GraphQL limits: depth, complexity, page size and request size, each configurable, each
//! refusing an over-limit request cleanly (a GraphQL error with a code, never a 500); and
//! malformed requests.

use msp_tests::{TestApp, both_databases, json};
use service::Role;

use crate::graphql::{codes, data, graphql};

both_databases!(
    depth_is_limited,
    complexity_is_limited,
    page_size_is_limited,
    request_size_is_limited,
    malformed_requests_are_refused_cleanly,
);

fn refused(r: &msp_tests::Resp, code: &str) {
    assert!(r.status < 500, "{} {}", r.status, r.body);
    assert_eq!(codes(r), [code], "{}", r.body);
    assert!(r.body["data"].is_null(), "nothing ran: {}", r.body["data"]);
}

/// Thirteen levels, with lists of one item so that the cost stays low.
const DEEP: &str = "{ initiatives(first: 1) { nodes { partners(first: 1) { organization { details { \
    initiatives(first: 1) { partners(first: 1) { organization { details { initiatives(first: 1) { \
    partners(first: 1) { organization { name } } } } } } } } } } } } }";

async fn depth_is_limited(app: TestApp) {
    let r = graphql(&app, DEEP, json!({}), None).await;
    refused(&r, "QUERY_TOO_DEEP");
    let ok = graphql(
        &app,
        "{ initiatives(first: 1) { nodes { partners(first: 1) { organization { details { \
           initiatives(first: 1) { id } } } } } } }",
        json!({}),
        None,
    )
    .await;
    data(&ok);

    let shallow = TestApp::spawn_with(app.backend, &[("MSP_GRAPHQL_MAX_DEPTH", "3")])
        .await
        .unwrap();
    let ok = graphql(
        &shallow,
        "{ initiatives { nodes { id } } }",
        json!({}),
        None,
    )
    .await;
    data(&ok);
    let r = graphql(
        &shallow,
        "{ initiatives { nodes { partners { id } } } }",
        json!({}),
        None,
    )
    .await;
    refused(&r, "QUERY_TOO_DEEP");
    shallow.teardown().await;
}

async fn complexity_is_limited(app: TestApp) {
    // 100 initiatives × 100 partners × 100 initiatives of each partner's organisation.
    let r = graphql(
        &app,
        "{ initiatives(first: 100) { nodes { partners(first: 100) { organization { details { \
           initiatives(first: 100) { id title } } } } } } }",
        json!({}),
        None,
    )
    .await;
    refused(&r, "QUERY_TOO_COMPLEX");
    // Aliases count too.
    let aliased: String = (0..60)
        .map(|i| format!("a{i}: initiatives(first: 100) {{ nodes {{ id title summary }} }} "))
        .collect();
    let r = graphql(&app, &format!("{{ {aliased} }}"), json!({}), None).await;
    refused(&r, "QUERY_TOO_COMPLEX");

    let small = TestApp::spawn_with(app.backend, &[("MSP_GRAPHQL_MAX_COMPLEXITY", "50")])
        .await
        .unwrap();
    let ok = graphql(
        &small,
        "{ initiatives(first: 10) { nodes { id title } } }",
        json!({}),
        None,
    )
    .await;
    data(&ok);
    let r = graphql(
        &small,
        "{ initiatives(first: 20) { nodes { id title } } }",
        json!({}),
        None,
    )
    .await;
    refused(&r, "QUERY_TOO_COMPLEX");
    let r = graphql(
        &small,
        "{ initiatives { nodes { id title } } }",
        json!({}),
        None,
    )
    .await;
    refused(&r, "QUERY_TOO_COMPLEX");
    small.teardown().await;
}

async fn page_size_is_limited(app: TestApp) {
    for first in [0, -1, 101] {
        let r = graphql(
            &app,
            "query($first: Int) { initiatives(first: $first) { totalCount } }",
            json!({"first": first}),
            None,
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(codes(&r), ["BAD_REQUEST"], "{first}: {}", r.body);
        assert_eq!(
            r.body["errors"][0]["extensions"]["errors"][0]["field"],
            "first"
        );
        assert_eq!(r.body["errors"][0]["path"], json!(["initiatives"]));
    }
    let ok = graphql(
        &app,
        "{ organizations(first: 100) { totalCount } }",
        json!({}),
        None,
    )
    .await;
    data(&ok);
    // Nested lists too.
    let t = app.tenant("pages").await;
    let ed = app.member(&t, Role::Editor).await;
    app.public_initiative(&ed.token, "Mali CLIC").await;
    let r = graphql(
        &app,
        "{ initiatives { nodes { title partners(first: 101) { id } } } }",
        json!({}),
        None,
    )
    .await;
    assert_eq!(codes(&r), ["BAD_REQUEST"], "{}", r.body);
    assert_eq!(
        r.body["data"]["initiatives"]["nodes"][0]["title"],
        "Mali CLIC"
    );

    // The maximum is the REST one, and follows its setting.
    let five = TestApp::spawn_with(app.backend, &[("MSP_MAX_PAGE_SIZE", "5")])
        .await
        .unwrap();
    let r = graphql(
        &five,
        "{ initiatives(first: 6) { totalCount } }",
        json!({}),
        None,
    )
    .await;
    assert_eq!(codes(&r), ["BAD_REQUEST"]);
    let rest = five.get("/api/v1/initiatives?per_page=6", None).await;
    assert_eq!(rest.status, 400, "REST refuses the same page size");
    let ok = graphql(
        &five,
        "{ initiatives(first: 5) { totalCount } }",
        json!({}),
        None,
    )
    .await;
    data(&ok);
    five.teardown().await;
}

async fn request_size_is_limited(app: TestApp) {
    let padding = "x".repeat(300 * 1024);
    let r = graphql(
        &app,
        "query($q: String) { initiatives(search: $q) { totalCount } }",
        json!({"q": padding}),
        None,
    )
    .await;
    assert_eq!(r.status, 413);
    assert_eq!(codes(&r), ["PAYLOAD_TOO_LARGE"]);

    let small = TestApp::spawn_with(app.backend, &[("MSP_GRAPHQL_MAX_BODY_BYTES", "2048")])
        .await
        .unwrap();
    let r = graphql(
        &small,
        "query($q: String) { initiatives(search: $q) { totalCount } }",
        json!({"q": "y".repeat(3000)}),
        None,
    )
    .await;
    assert_eq!(r.status, 413);
    assert_eq!(codes(&r), ["PAYLOAD_TOO_LARGE"]);
    let long_get = format!(
        "/graphql?query={}",
        url::form_urlencoded::byte_serialize(
            format!(
                "{{ initiatives(search: \"{}\") {{ totalCount }} }}",
                "z".repeat(3000)
            )
            .as_bytes()
        )
        .collect::<String>()
    );
    let r = small.get(&long_get, None).await;
    assert_eq!(r.status, 413);
    assert_eq!(codes(&r), ["PAYLOAD_TOO_LARGE"]);
    let ok = graphql(&small, "{ initiatives { totalCount } }", json!({}), None).await;
    data(&ok);
    small.teardown().await;
}

async fn malformed_requests_are_refused_cleanly(app: TestApp) {
    let form = app
        .send(
            reqwest::Method::POST,
            "/graphql",
            None,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            None,
        )
        .await;
    assert_eq!(form.status, 415);
    assert_eq!(codes(&form), ["UNSUPPORTED_MEDIA_TYPE"]);
    let batch = app
        .post(
            "/graphql",
            None,
            &json!([{"query": "{ __typename }"}, {"query": "{ __typename }"}]),
        )
        .await;
    assert_eq!(batch.status, 400);
    assert_eq!(codes(&batch), ["BAD_REQUEST"]);
    let not_graphql = app.post("/graphql", None, &json!({"nothing": true})).await;
    assert_eq!(codes(&not_graphql), ["BAD_REQUEST"]);
    let syntax = graphql(&app, "{ initiatives { ", json!({}), None).await;
    refused(&syntax, "BAD_REQUEST");
    let unknown = graphql(
        &app,
        "{ initiatives { nodes { secret } } }",
        json!({}),
        None,
    )
    .await;
    refused(&unknown, "BAD_REQUEST");
    let wrong_type = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { id } }",
        json!({"id": "not-a-uuid"}),
        None,
    )
    .await;
    refused(&wrong_type, "BAD_REQUEST");
    // Nothing ran: request errors are 400s, over POST and GET alike (a bad variable fails
    // its field as it runs, a 200).
    for r in [&syntax, &unknown] {
        assert_eq!(r.status, 400, "{}", r.body);
    }
    let get = app
        .get("/graphql?query=%7B%20initiatives%20%7B", None)
        .await;
    assert_eq!(get.status, 400, "{}", get.body);
    assert_eq!(codes(&get), ["BAD_REQUEST"]);
}
