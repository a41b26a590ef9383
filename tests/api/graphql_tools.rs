//! What GraphQL tools need: the standard introspection query at the default limits (while data
//! queries stay limited), Relay's `Node` with `node(id:)` under the type's own tenancy rules,
//! `edges`/`nodes`/`pageInfo` on every connection, and GraphiQL served from the binary.

use msp_tests::{TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

use crate::graphql::{codes, data, graphql};

both_databases!(
    the_standard_introspection_query_returns_the_whole_schema,
    introspection_that_nests_type_lists_is_refused,
    node_refetches_initiatives_and_organizations,
    node_is_null_where_the_type_query_finds_nothing,
    every_connection_has_edges_nodes_and_page_info,
    graphiql_is_served_from_the_binary,
);

/// graphql-js's `getIntrospectionQuery()`, as tools send it (see `tests/fixtures/README.md`).
const INTROSPECTION: &str = include_str!("../fixtures/graphql-introspection-query.graphql");

/// The committed SDL, which a test in `graphql.rs` keeps equal to the schema.
const SDL: &str = include_str!("../../openapi/schema.graphql");

/// The names of the types, interfaces, inputs, enums and scalars the SDL defines.
fn sdl_type_names() -> Vec<String> {
    SDL.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let keyword = words.next()?;
            ["type", "interface", "input", "enum", "scalar", "union"]
                .contains(&keyword)
                .then(|| words.next().map(str::to_owned))
                .flatten()
        })
        .collect()
}

fn type_named<'a>(schema: &'a Value, name: &str) -> &'a Value {
    schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no type {name} in the introspection result"))
}

fn field_names(t: &Value) -> Vec<String> {
    t["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn introspect(app: &TestApp) -> Value {
    let r = graphql(app, INTROSPECTION, json!({}), None).await;
    data(&r)["__schema"].clone()
}

/// Thirteen data levels (over the default 12), lists of one item to keep the cost low.
const DEEP: &str = "initiatives(first: 1) { nodes { partners(first: 1) { organization { details { \
    initiatives(first: 1) { partners(first: 1) { organization { details { initiatives(first: 1) { \
    partners(first: 1) { organization { name } } } } } } } } } } } }";

async fn the_standard_introspection_query_returns_the_whole_schema(app: TestApp) {
    let schema = introspect(&app).await;
    assert_eq!(schema["queryType"]["name"], "QueryRoot");
    assert_eq!(schema["mutationType"]["name"], "MutationRoot");
    let names: Vec<&str> = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for name in sdl_type_names() {
        assert!(names.contains(&name.as_str()), "{name} is missing");
    }
    // The deepest part of the answer: a non-null list of non-null items, three levels of ofType.
    let initiatives = type_named(&schema, "QueryRoot")["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "initiatives")
        .unwrap();
    assert_eq!(initiatives["type"]["kind"], "NON_NULL");
    assert_eq!(
        initiatives["type"]["ofType"]["name"],
        "InitiativeConnection"
    );
    assert!(!schema["directives"].as_array().unwrap().is_empty());

    // Data fields are still limited: the same document with a deep data query is refused.
    let both = INTROSPECTION.replacen("__schema {", &format!("{DEEP} __schema {{"), 1);
    let r = graphql(&app, &both, json!({}), None).await;
    assert_eq!(codes(&r), ["QUERY_TOO_DEEP"], "{}", r.body);
    assert!(r.body["data"].is_null());

    // Introspection does not count towards the depth at all, however low the limit.
    let shallow = TestApp::spawn_with(app.backend, &[("MSP_GRAPHQL_MAX_DEPTH", "3")])
        .await
        .unwrap();
    assert_eq!(introspect(&shallow).await["types"], schema["types"]);
    let r = graphql(
        &shallow,
        "{ initiatives { nodes { id } } }",
        json!({}),
        None,
    )
    .await;
    data(&r);
    let r = graphql(
        &shallow,
        "{ initiatives { nodes { partners { id } } } }",
        json!({}),
        None,
    )
    .await;
    assert_eq!(codes(&r), ["QUERY_TOO_DEEP"], "{}", r.body);
    shallow.teardown().await;
}

async fn introspection_that_nests_type_lists_is_refused(app: TestApp) {
    // Two nested lists are what the standard query needs at most; a third is refused (graphql-js's
    // MaxIntrospectionDepthRule), through a fragment as well.
    let ok = "{ __schema { types { fields { type { fields { name } } } } } }";
    data(&graphql(&app, ok, json!({}), None).await);
    for refused in [
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
        "{ __type(name: \"Initiative\") { ...T } } fragment T on __Type { interfaces { \
         possibleTypes { interfaces { name } } } }",
    ] {
        let r = graphql(&app, refused, json!({}), None).await;
        assert_eq!(codes(&r), ["QUERY_TOO_DEEP"], "{}", r.body);
        assert!(r.body["data"].is_null());
    }
}

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id \
    ... on Initiative { title } ... on Organization { name } } }";

async fn node(app: &TestApp, id: &Value, token: Option<&str>) -> Value {
    let r = graphql(app, NODE, json!({"id": id}), token).await;
    data(&r)["node"].clone()
}

async fn node_refetches_initiatives_and_organizations(app: TestApp) {
    let t = app.tenant("relay").await;
    let ed = app.member(&t, Role::Editor).await;
    let initiative = app.initiative(&ed.token, "Mali CLIC").await;
    let org = app.organization(&ed.token, "Orange Mali", "private").await;

    let found = node(&app, &initiative["id"], Some(&ed.token)).await;
    assert_eq!(found["__typename"], "Initiative");
    assert_eq!(
        found["id"], initiative["id"],
        "the global id is the REST id"
    );
    assert_eq!(found["title"], "Mali CLIC");
    let found = node(&app, &org["id"], Some(&ed.token)).await;
    assert_eq!(found["__typename"], "Organization");
    assert_eq!(found["name"], "Orange Mali");

    // The id a list gives back refetches the same record.
    let r = graphql(
        &app,
        "{ initiatives { nodes { id } } organizations { edges { node { id } } } }",
        json!({}),
        Some(&ed.token),
    )
    .await;
    let listed = data(&r)["initiatives"]["nodes"][0]["id"].clone();
    assert_eq!(
        node(&app, &listed, Some(&ed.token)).await["title"],
        "Mali CLIC"
    );
    let listed = data(&r)["organizations"]["edges"][0]["node"]["id"].clone();
    assert_eq!(
        node(&app, &listed, Some(&ed.token)).await["name"],
        "Orange Mali"
    );

    // An id that is not a UUID names the argument.
    let r = graphql(&app, NODE, json!({"id": "Initiative:1"}), None).await;
    assert_eq!(codes(&r), ["BAD_REQUEST"], "{}", r.body);
}

async fn node_is_null_where_the_type_query_finds_nothing(app: TestApp) {
    let mine = app.tenant("mine").await;
    let me = app.member(&mine, Role::Viewer).await;
    let theirs = app.tenant("theirs").await;
    let them = app.member(&theirs, Role::Editor).await;
    let private = app.initiative(&them.token, "Private plan").await;
    let private_org = app
        .organization(&them.token, "Private org", "private")
        .await;
    let public = app.public_initiative(&them.token, "Public plan").await;
    let public_org = app.organization(&them.token, "Public org", "public").await;

    for token in [Some(me.token.as_str()), None] {
        for hidden in [&private, &private_org] {
            assert!(node(&app, &hidden["id"], token).await.is_null());
        }
        // As the type's own query: not found.
        let r = graphql(
            &app,
            "query($id: UUID!) { initiative(id: $id) { id } }",
            json!({"id": private["id"]}),
            token,
        )
        .await;
        assert_eq!(codes(&r), ["NOT_FOUND"], "{}", r.body);
        assert_eq!(
            node(&app, &public["id"], token).await["title"],
            "Public plan"
        );
        assert_eq!(
            node(&app, &public_org["id"], token).await["name"],
            "Public org"
        );
    }
    // Their own members see their private records.
    assert_eq!(
        node(&app, &private["id"], Some(&them.token)).await["title"],
        "Private plan"
    );
    // A UUID of nothing at all is null too.
    let missing = json!(uuid::Uuid::new_v4().to_string());
    assert!(node(&app, &missing, Some(&me.token)).await.is_null());
}

async fn every_connection_has_edges_nodes_and_page_info(app: TestApp) {
    let schema = introspect(&app).await;
    let connections: Vec<&Value> = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"].as_str().unwrap().ends_with("Connection"))
        .collect();
    assert!(connections.len() >= 6, "{}", connections.len());
    for connection in connections {
        let name = connection["name"].as_str().unwrap();
        let fields = field_names(connection);
        for wanted in ["edges", "nodes", "pageInfo", "totalCount"] {
            assert!(fields.contains(&wanted.to_owned()), "{name}.{wanted}");
        }
        let edge = type_named(&schema, &name.replace("Connection", "Edge"));
        assert_eq!(field_names(edge), ["cursor", "node"], "{name}");
    }

    // The two that lacked edges page like the others.
    let t = app.tenant("admin").await;
    let admin = app.member(&t, Role::Admin).await;
    app.member(&t, Role::Viewer).await;
    let r = graphql(
        &app,
        "{ members(first: 1) { edges { cursor node { email } } nodes { email } \
           pageInfo { hasNextPage endCursor } totalCount } \
           apiClients { edges { cursor node { name } } nodes { name } totalCount } }",
        json!({}),
        Some(&admin.token),
    )
    .await;
    let members = &data(&r)["members"];
    assert_eq!(members["totalCount"], 2);
    assert_eq!(members["edges"][0]["node"], members["nodes"][0]);
    assert_eq!(
        members["edges"][0]["cursor"],
        members["pageInfo"]["endCursor"]
    );
    assert_eq!(members["pageInfo"]["hasNextPage"], true);
    let after = members["pageInfo"]["endCursor"].clone();
    let r = graphql(
        &app,
        "query($after: String) { members(first: 1, after: $after) { nodes { email } \
           pageInfo { hasNextPage hasPreviousPage } } }",
        json!({"after": after}),
        Some(&admin.token),
    )
    .await;
    let next = &data(&r)["members"];
    assert_ne!(next["nodes"][0], members["nodes"][0]);
    assert_eq!(next["pageInfo"]["hasNextPage"], false);
    assert_eq!(next["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(data(&r)["members"]["nodes"].as_array().unwrap().len(), 1);
}

/// The `src` and `href` values of a page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            out.push(part.split('"').next().unwrap().to_owned());
        }
    }
    out
}

async fn graphiql_is_served_from_the_binary(app: TestApp) {
    let page = app.get("/graphql", None).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    let html = page.body.as_str().unwrap();
    assert!(
        !html.contains("://"),
        "the page names no other host: {html}"
    );
    let links = links(html);
    assert_eq!(links.len(), 5, "{links:?}");
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/api/assets/graphiql");
    for link in &links {
        assert!(link.starts_with("/graphql/assets/"), "{link}");
        let res = app.client.get(app.url(link)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{link}");
        let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
        let cache = res.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(cache.contains("max-age=31536000"), "{link}: {cache}");
        let name = link.rsplit('/').next().unwrap();
        let expected = if name.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(content_type, expected, "{link}");
        let body = res.bytes().await.unwrap();
        let file = std::fs::read(format!("{assets}/{name}")).unwrap();
        assert!(body[..] == file[..], "{link} is the vendored file");
    }
    let other_version = app
        .get("/graphql/assets/0.0.0-old/graphiql.min.js", None)
        .await;
    assert_eq!(other_version.status, 404);
    let dir = links[0].rsplit_once('/').unwrap().0;
    let unknown = app.get(&format!("{dir}/secret.txt"), None).await;
    assert_eq!(unknown.status, 404);
}
