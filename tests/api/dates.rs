//! Dates have four-digit years (`0001-01-01` to `9999-12-31`, RFC 3339's `full-date`): a date
//! beyond them, which the JSON reader would take but PostgreSQL cannot store, is refused with
//! a problem naming the field or parameter, never a 500, on every protocol.

use msp_tests::{TestApp, both_databases, json};
use service::Role;

use crate::graphql::graphql;

both_databases!(
    a_body_date_beyond_four_digit_years_is_a_422_naming_each_field,
    a_filter_date_beyond_four_digit_years_is_a_400_naming_the_parameter,
    graphql_refuses_a_date_beyond_four_digit_years,
    a_child_record_date_beyond_four_digit_years_is_a_422,
);

async fn a_body_date_beyond_four_digit_years_is_a_422_naming_each_field(app: TestApp) {
    let t = app.tenant("far-dates").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    let r = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({
                "title": "Before history", "kind": "msp", "stage": "understand_context",
                "changed_on": "0000-06-01",
                "start_date": "-5000-01-01",
                "end_date": "+20000-01-01",
            }),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.error_fields(), ["changed_on", "start_date", "end_date"]);
    assert!(
        r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["code"] == "out_of_range"),
        "{:?}",
        r.body
    );
    let list = app.get("/api/v1/initiatives", tok).await;
    assert_eq!(list.body["items"], json!([]), "nothing stored");

    // The first and last days are dates like any other.
    let r = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Edges", "kind": "msp", "start_date": "0001-01-01", "end_date": "9999-12-31"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["start_date"], "0001-01-01");
}

async fn a_filter_date_beyond_four_digit_years_is_a_400_naming_the_parameter(app: TestApp) {
    let t = app.tenant("far-filters").await;
    let viewer = app.member(&t, Role::Viewer).await;
    let tok = Some(viewer.token.as_str());
    for (query, parameter) in [
        ("start_from=-5000-01-01", "start_from"),
        ("start_to=%2B20000-01-01", "start_to"),
        ("end_from=0000-01-01", "end_from"),
        ("end_to=-0001-12-31", "end_to"),
        ("updated_since=-5000-01-01", "updated_since"),
    ] {
        for path in ["/api/v1/initiatives", "/api/v1/export/initiatives"] {
            let r = app.get(&format!("{path}?{query}"), tok).await;
            assert_eq!(r.status, 400, "{path}?{query}: {:?}", r.body);
            assert_eq!(r.error_fields(), [parameter], "{path}?{query}");
        }
    }
}

async fn graphql_refuses_a_date_beyond_four_digit_years(app: TestApp) {
    let t = app.tenant("far-graphql").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());
    let create = "mutation($input: NewInitiativeInput!) { createInitiative(input: $input) { id } }";
    let r = graphql(
        &app,
        create,
        json!({"input": {"title": "Before history", "kind": "MSP", "startDate": "-5000-01-01"}}),
        tok,
    )
    .await;
    assert_eq!(r.body["data"], json!(null), "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(
        r.body["errors"][0]["extensions"]["errors"][0]["field"],
        "startDate"
    );
}

async fn a_child_record_date_beyond_four_digit_years_is_a_422(app: TestApp) {
    let t = app.tenant("far-children").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = editor.token.as_str();
    let initiative = app.initiative(tok, "Dated partners").await;
    let org = app.organization(tok, "Far Org", "private").await;
    let path = format!(
        "/api/v1/initiatives/{}/partners",
        initiative["id"].as_str().unwrap()
    );
    let r = app
        .post(
            &path,
            Some(tok),
            &json!({"organization_id": org["id"], "roles": ["lead"], "joined_on": "-0300-01-01"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.error_fields(), ["joined_on"]);
}
