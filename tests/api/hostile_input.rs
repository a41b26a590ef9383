//! Input that never reaches the database unchecked: control characters are refused with a
//! problem naming the field or parameter, on every protocol and for anonymous callers too, and
//! names that differ only by Unicode form are one name.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use msp_tests::{PASSWORD, Resp, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

use crate::graphql::graphql;

/// The harness's `MSP_JWT_SECRET`.
const SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

both_databases!(
    a_control_character_in_a_body_field_is_a_422_naming_it,
    line_breaks_and_tabs_stay_text,
    a_control_character_in_a_query_parameter_is_a_400_naming_it,
    the_token_endpoint_refuses_a_nul_without_a_500,
    graphql_refuses_control_characters_in_variables_and_literals,
    names_that_differ_only_by_unicode_form_are_duplicates,
    the_name_filter_matches_across_unicode_forms,
    the_migration_recomputes_stored_keys_and_keeps_colliding_records,
    a_token_with_a_crit_header_is_refused,
);

fn assert_refused(r: &Resp, status: u16, field: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    let error = r.body["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["field"] == field))
        .unwrap_or_else(|| panic!("no error names {field}: {:?}", r.body));
    assert_eq!(error["code"], "control_character", "{:?}", r.body);
}

async fn a_control_character_in_a_body_field_is_a_422_naming_it(app: TestApp) {
    let t = app.tenant("nul-bodies").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    for (field, value) in [
        ("name", "Orange\u{0}Mali"),
        ("name", "Bell\u{7}"),
        ("sub_type", "telecom\u{1b}[31m"),
        ("description", "del\u{7f}"),
        ("acronym", "c1\u{85}x"),
    ] {
        let mut body = json!({"name": "Orange Mali", "sector": "business"});
        body[field] = json!(value);
        let r = app.post("/api/v1/organizations", tok, &body).await;
        assert_refused(&r, 422, field);
        assert_eq!(r.code(), "validation");
        assert_eq!(
            r.header("content-type").unwrap(),
            "application/problem+json"
        );
    }

    let org = app
        .organization(&editor.token, "Orange Mali", "private")
        .await;
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    let r = app
        .patch(&path, tok, Some("\"1\""), &json!({"name": "x\u{0}"}))
        .await;
    assert_refused(&r, 422, "name");

    let r = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Solar\u{0}schools", "kind": "msp",
                    "external_identifiers": [{"scheme": "donor", "identifier": "a\u{2}"}]}),
        )
        .await;
    assert_refused(&r, 422, "title");
    assert_refused(&r, 422, "external_identifiers[0].identifier");
}

async fn line_breaks_and_tabs_stay_text(app: TestApp) {
    let t = app.tenant("line-breaks").await;
    let editor = app.member(&t, Role::Editor).await;
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&editor.token),
            &json!({"name": "Orange Mali", "sector": "business",
                    "description": "First line\r\nSecond line\tindented"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["description"], "First line\r\nSecond line\tindented");
}

async fn a_control_character_in_a_query_parameter_is_a_400_naming_it(app: TestApp) {
    let t = app.tenant("nul-queries").await;
    let viewer = app.member(&t, Role::Viewer).await;
    let tok = Some(viewer.token.as_str());
    for (path, parameter) in [
        ("/api/v1/organizations?q=x%00y", "q"),
        ("/api/v1/organizations?sub_type=%01", "sub_type"),
        ("/api/v1/organizations?country=M%00", "country"),
        ("/api/v1/initiatives?q=solar%00", "q"),
        ("/api/v1/initiatives?q=%C2%85", "q"),
    ] {
        let r = app.get(path, tok).await;
        assert_refused(&r, 400, parameter);
        assert_eq!(r.code(), "bad_request", "{path}");
    }
    let anonymous = app.get("/api/v1/organizations?q=%00", None).await;
    assert_refused(&anonymous, 400, "q");
}

async fn the_token_endpoint_refuses_a_nul_without_a_500(app: TestApp) {
    let form = |body: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let r = form("grant_type=password&username=x%00@x.test&password=secret")
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "username", "{body:?}");
    assert_eq!(body["errors"][0]["code"], "control_character", "{body:?}");
    let r = form("grant_type=client_credentials&client_id=a%00&client_secret=b")
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);

    let json = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": "x\u{0}@x.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(json.status, 422, "{:?}", json.body);
}

async fn graphql_refuses_control_characters_in_variables_and_literals(app: TestApp) {
    let t = app.tenant("nul-graphql").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    let create =
        "mutation($input: NewOrganizationInput!) { createOrganization(input: $input) { id } }";
    let r = graphql(
        &app,
        create,
        json!({"input": {"name": "Orange\u{0}Mali", "sector": "BUSINESS"}}),
        tok,
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(
        r.body["errors"][0]["extensions"]["errors"][0]["field"],
        "input.name"
    );

    let literal = r#"mutation { createOrganization(input: {name: "Orange\u0000Mali", sector: BUSINESS}) { id } }"#;
    let r = graphql(&app, literal, json!({}), tok).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["errors"][0]["field"],
        "createOrganization.input.name"
    );

    let search = r#"{ organizations(q: "x\u0000") { totalCount } }"#;
    let r = graphql(&app, search, json!({}), tok).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
}

async fn names_that_differ_only_by_unicode_form_are_duplicates(app: TestApp) {
    let t = app.tenant("unicode-names").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    app.organization(&editor.token, "Café Touba", "private")
        .await;
    app.organization(&editor.token, "Straße der Finanz", "private")
        .await;
    for same in [
        "Cafe\u{301} Touba",
        "Ca\u{200b}fé Touba",
        "Ca\u{ad}fé Touba",
        "\u{feff}Café Touba",
        "Ｃａｆé Ｔｏｕｂａ",
        "CAFÉ TOUBA",
        "STRASSE DER FINANZ",
        "Straße der \u{fb01}nanz",
    ] {
        let r = app
            .post(
                "/api/v1/organizations",
                tok,
                &json!({"name": same, "sector": "business"}),
            )
            .await;
        assert_eq!(r.status, 409, "{same:?} is a duplicate: {:?}", r.body);
        assert_eq!(r.code(), "conflict");
    }
    app.organization(&editor.token, "Cafe Touba", "private")
        .await;
}

async fn the_name_filter_matches_across_unicode_forms(app: TestApp) {
    let t = app.tenant("unicode-search").await;
    let editor = app.member(&t, Role::Editor).await;
    app.organization(&editor.token, "Café Touba", "private")
        .await;
    let r = app
        .get("/api/v1/organizations?q=CAFE%CC%81", Some(&editor.token))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{:?}", r.body);
}

async fn a_token_with_a_crit_header_is_refused(app: TestApp) {
    let t = app.tenant("crit-tokens").await;
    let m = app.member(&t, Role::Owner).await;
    assert_eq!(app.get("/api/v1/me", Some(&m.token)).await.status, 200);
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(m.token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    for crit in [vec!["urn:x".to_owned()], vec!["exp".to_owned()]] {
        let mut header = Header::new(Algorithm::HS256);
        header.crit = Some(crit);
        let token = encode(
            &header,
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        let r = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(r.status, 401, "{:?}", r.body);
        assert_eq!(r.code(), "invalid_token");
    }
}

/// A database written before names compared by Unicode form: its keys are recomputed, and two
/// organisations that now have one key both stay (the younger's key gets its id appended).
async fn the_migration_recomputes_stored_keys_and_keeps_colliding_records(app: TestApp) {
    use entity::{initiative, organization};
    use migration::MigratorTrait;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let t = app.tenant("old-keys").await;
    let editor = app.member(&t, Role::Editor).await;
    let older = app
        .organization(&editor.token, "Café Touba", "private")
        .await;
    let younger = app
        .organization(&editor.token, "Placeholder", "private")
        .await;
    let plan = app.initiative(&editor.token, "Placeholder plan").await;
    let id = |v: &Value| uuid::Uuid::parse_str(v["id"].as_str().unwrap()).unwrap();
    let (older, younger, plan) = (id(&older), id(&younger), id(&plan));
    let db = app.registry.db();
    // What the old code stored: lower case and folded spaces only.
    organization::Entity::update_many()
        .col_expr(organization::Column::Name, Expr::value("CAFE\u{301} TOUBA"))
        .col_expr(
            organization::Column::NameKey,
            Expr::value("cafe\u{301} touba"),
        )
        .filter(organization::Column::Id.eq(younger))
        .exec(db)
        .await
        .unwrap();
    initiative::Entity::update_many()
        .col_expr(initiative::Column::Title, Expr::value("ＳＯＬＡＲ schools"))
        .col_expr(
            initiative::Column::TitleKey,
            Expr::value("ｓｏｌａｒ schools"),
        )
        .filter(initiative::Column::Id.eq(plan))
        .exec(db)
        .await
        .unwrap();

    // Back to before the key migration (and whatever came after it), and up again.
    let migrations = migration::Migrator::migrations();
    let keys_at = migrations
        .iter()
        .position(|m| m.name() == "m20261202_000012_unicode_name_keys")
        .unwrap();
    let undo = u32::try_from(migrations.len() - keys_at).unwrap();
    migration::Migrator::down(db, Some(undo)).await.unwrap();
    migration::Migrator::up(db, None).await.unwrap();

    let key = |id| async move {
        organization::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .name_key
    };
    assert_eq!(key(older).await, "café touba");
    assert_eq!(key(younger).await, format!("café touba #{younger}"));
    let plan = initiative::Entity::find_by_id(plan)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plan.title_key, "solar schools");

    // Going down and up again also reset the access epochs behind the server's back: sign in
    // afresh, on a new process that remembers no grant from before.
    let app = app.sibling(&[]).await;
    let signed_in = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": editor.email, "password": PASSWORD}),
        )
        .await;
    let token = signed_in.body["access_token"].as_str().unwrap().to_owned();
    let again = app
        .post(
            "/api/v1/organizations",
            Some(&token),
            &json!({"name": "cafe\u{301} touba", "sector": "business"}),
        )
        .await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    let younger_path = format!("/api/v1/organizations/{younger}");
    let read = app.get(&younger_path, Some(&token)).await;
    assert_eq!(read.status, 200, "both records stay readable");
}
