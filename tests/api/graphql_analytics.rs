//! GraphQL parity for the WSIS showcase, reference vocabularies, matchmaking, value
//! assessments and analytics: each scenario runs through REST and through GraphQL and the two
//! answers are compared field by field (REST's snake_case keys and lower-case enum values
//! turned into GraphQL's camelCase and upper-case ones); then tenant isolation, the anonymous
//! public view, roles, and error codes.

use chrono::{DateTime, Duration, Utc};
use msp_tests::{Resp, TestApp, both_databases, json};
use reqwest::Method;
use serde_json::{Map, Value};
use service::Role;

use crate::graphql::{codes, data, graphql};

both_databases!(
    reference_vocabularies_match_rest,
    showcase_and_coverage_match_rest,
    designations_follow_the_rest_rules,
    matchmaking_matches_rest,
    value_assessment_matches_rest,
    analytics_match_rest,
    dashboard_and_engagement_models_match_rest_per_scope,
    another_tenant_is_isolated,
    anonymous_callers_see_public_only,
    viewers_cannot_change_anything,
);

// ---------------------------------------------------------------------------------------------
// Comparing REST with GraphQL

const TIMESTAMPS: [&str; 4] = ["createdAt", "updatedAt", "designatedAt", "generatedAt"];

fn camel(key: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for ch in key.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// A timestamp as microseconds since the epoch (REST and GraphQL may write the same instant
/// differently).
fn instant(text: &str) -> Value {
    let t: DateTime<Utc> = text
        .parse()
        .unwrap_or_else(|e| panic!("timestamp {text}: {e}"));
    json!(t.timestamp_micros())
}

/// `value` in GraphQL's shape: object keys in camelCase; the string values (or lists of
/// strings) of the keys named in `enums` upper-cased; timestamps as instants. Applied to a
/// GraphQL answer it only canonicalises the timestamps.
fn shaped(value: &Value, enums: &[&str]) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = camel(k);
                let v = if enums.contains(&k.as_str()) || enums.contains(&key.as_str()) {
                    match v {
                        Value::String(s) => json!(s.to_uppercase()),
                        Value::Array(items) if items.iter().all(Value::is_string) => Value::Array(
                            items
                                .iter()
                                .map(|s| json!(s.as_str().unwrap().to_uppercase()))
                                .collect(),
                        ),
                        other => shaped(other, enums),
                    }
                } else if TIMESTAMPS.contains(&key.as_str()) && v.is_string() {
                    instant(v.as_str().unwrap())
                } else {
                    shaped(v, enums)
                };
                out.insert(key, v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| shaped(i, enums)).collect()),
        other => other.clone(),
    }
}

/// Asserts that a REST body and a GraphQL answer say the same, field by field.
#[track_caller]
fn same(rest: &Value, gql: &Value, enums: &[&str], what: &str) {
    assert_eq!(
        shaped(rest, enums),
        shaped(gql, enums),
        "{what}: REST and GraphQL differ\nREST: {rest}\nGraphQL: {gql}"
    );
}

/// The GraphQL code of a REST problem code.
fn gql_code(rest_code: &str) -> String {
    match rest_code {
        "precondition_required" => "BAD_REQUEST".to_owned(),
        "invalid_token" | "invalid_credentials" => "UNAUTHENTICATED".to_owned(),
        other => other.to_uppercase(),
    }
}

/// Asserts that REST and GraphQL refused with the same code, `expected`.
#[track_caller]
fn same_error(rest: &Resp, gql: &Resp, expected: &str, what: &str) {
    assert_eq!(codes(gql), [expected], "{what}: GraphQL {}", gql.body);
    assert!(
        rest.status >= 400,
        "{what}: REST succeeded: {:?}",
        rest.body
    );
    assert_eq!(
        gql_code(rest.code()),
        expected,
        "{what}: REST {:?}",
        rest.body
    );
}

/// The `{field, code}` pairs of a GraphQL error's `extensions.errors`.
fn gql_field_errors(r: &Resp) -> Vec<(String, String)> {
    r.body["errors"][0]["extensions"]["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap().to_owned(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `{field, code}` pairs of a REST problem, fields in GraphQL's spelling.
fn rest_field_errors(r: &Resp) -> Vec<(String, String)> {
    r.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        camel(e["field"].as_str().unwrap()),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `value` without the top-level `key`.
fn without(value: &Value, key: &str) -> Value {
    let mut v = value.clone();
    if let Some(map) = v.as_object_mut() {
        assert!(map.remove(key).is_some(), "{key} missing from {value}");
    }
    v
}

async fn put(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> Resp {
    app.send(Method::PUT, path, token, &[], Some(&body)).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------------------
// Fixtures

async fn organization(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post("/api/v1/organizations", Some(token), &body).await;
    assert_eq!(r.status, 201, "create organization: {:?}", r.body);
    id(&r.body)
}

/// Adds an organisation as a partner; `extra` sets status, interest, influence...
async fn partner(app: &TestApp, token: &str, initiative: &str, org: &str, extra: Value) -> String {
    let mut body = json!({"organization_id": org, "roles": ["implementer"]});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            body.insert(k.clone(), v.clone());
        }
    }
    let r = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/partners"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(r.status, 201, "add partner: {:?}", r.body);
    id(&r.body)
}

async fn create(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post("/api/v1/initiatives", Some(token), &body).await;
    assert_eq!(r.status, 201, "create initiative: {:?}", r.body);
    id(&r.body)
}

/// Changes an initiative through REST (reading its current ETag first).
async fn change(app: &TestApp, token: &str, initiative: &str, patch: Value) {
    let path = format!("/api/v1/initiatives/{initiative}");
    let current = app.get(&path, Some(token)).await;
    let r = app
        .patch(&path, Some(token), Some(&current.etag()), &patch)
        .await;
    assert_eq!(r.status, 200, "change initiative: {:?}", r.body);
}

async fn contribute(app: &TestApp, token: &str, initiative: &str, partner: &str, body: Value) {
    let mut body = body;
    body["partner_id"] = json!(partner);
    let r = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/contributions"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(r.status, 201, "contribute: {:?}", r.body);
}

fn cash(amount: &str, currency: &str, status: &str) -> Value {
    json!({"resource_kind": "cash", "amount": amount, "currency": currency, "status": status})
}

/// A functioning initiative in `country` that passes every criterion of the checklist.
async fn eligible(app: &TestApp, token: &str, title: &str, country: &str) -> String {
    let id = create(
        app,
        token,
        json!({"title": title, "summary": "S", "kind": "ppp", "countries": [country],
               "action_lines": ["C2"], "stage": "implementing"}),
    )
    .await;
    let gov = organization(
        app,
        token,
        json!({"name": format!("{title} ministry"), "sector": "government"}),
    )
    .await;
    let biz = organization(
        app,
        token,
        json!({"name": format!("{title} operator"), "sector": "business"}),
    )
    .await;
    let gov = partner(app, token, &id, &gov, json!({"roles": ["lead"]})).await;
    let biz = partner(app, token, &id, &biz, json!({"roles": ["lead"]})).await;
    let a = app
        .post(
            &format!("/api/v1/initiatives/{id}/agreements"),
            Some(token),
            &json!({"agreement_type": "partnership_agreement", "title": "Agreement",
                    "parties": [gov, biz], "status": "signed", "signed_on": "2024-01-10"}),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    let end = Utc::now().date_naive() - Duration::days(60);
    let r = app
        .post(
            &format!("/api/v1/initiatives/{id}/reports"),
            Some(token),
            &json!({"period_start": (end - Duration::days(180)).to_string(),
                    "period_end": end.to_string(), "narrative": "Progress."}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    id
}

// ---------------------------------------------------------------------------------------------
// Reference vocabularies

const REFERENCE: &str = r#"
query Reference($kind: ReferenceKind!) {
  reference(kind: $kind) { code label description official children { code label description official children { code } } }
}"#;

/// REST leaves out empty `children`; GraphQL lists them empty.
fn with_children(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(with_children).collect()),
        Value::Object(map) => {
            let mut out = map.clone();
            let children = map.get("children").cloned().unwrap_or_else(|| json!([]));
            out.insert("children".into(), with_children(&children));
            Value::Object(out)
        }
        other => other.clone(),
    }
}

async fn reference_vocabularies_match_rest(app: TestApp) {
    for (kind, path, count) in [
        ("ACTION_LINES", "action-lines", 19),
        ("SDGS", "sdgs", 17),
        ("SECTORS", "sectors", 7),
        ("ROLES", "roles", 7),
        ("JOURNEY_STAGES", "journey-stages", 12),
        ("SPECTRUM", "spectrum", 3),
        ("ENGAGEMENT_MODELS", "engagement-models", 4),
        ("VALUE_SOURCES", "value-sources", 10),
        ("LEVERS", "levers", 13),
        ("RESOURCE_KINDS", "resource-kinds", 13),
    ] {
        let rest = app.get(&format!("/api/v1/reference/{path}"), None).await;
        assert_eq!(rest.status, 200, "{path}");
        let gql = graphql(&app, REFERENCE, json!({"kind": kind}), None).await;
        let entries = &data(&gql)["reference"];
        assert_eq!(entries.as_array().unwrap().len(), count, "{kind}");
        same(&with_children(&rest.body), entries, &[], kind);
    }
    // The codes are REST's: the values the REST API takes.
    let sectors = graphql(&app, REFERENCE, json!({"kind": "SECTORS"}), None).await;
    assert_eq!(data(&sectors)["reference"][2]["code"], "civil_society");
    let sdgs = graphql(&app, REFERENCE, json!({"kind": "SDGS"}), None).await;
    let goal9 = &data(&sdgs)["reference"][8];
    assert_eq!(goal9["code"], "9");
    assert!(
        goal9["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "9.c")
    );
    let unknown = graphql(&app, REFERENCE, json!({"kind": "PLANETS"}), None).await;
    assert_eq!(codes(&unknown), ["BAD_REQUEST"]);
}

// ---------------------------------------------------------------------------------------------
// The WSIS showcase

const ELIGIBILITY: &str = r#"
query Eligibility($id: UUID!) {
  showcaseEligibility(initiativeId: $id) { initiativeId title eligible criteria { criterion passed reason } }
  initiative(id: $id) {
    showcaseEligibility { initiativeId title eligible criteria { criterion passed reason } }
  }
}"#;

const SHOWCASE: &str = r#"
query Showcase($country: String) {
  wsisShowcase(country: $country) {
    countriesMeetingCall
    countries {
      country countryName meetsCall reason initiativeCount
      eligible { id title }
      designations { tenantId country initiativeId title designatedAt stillEligible }
      nearMisses { id title failed { criterion passed reason } }
    }
  }
}"#;

const COVERAGE: &str = r#"
query { wsisCoverage { actionLines rows { country total counts { actionLine count } } } }"#;

const DESIGNATE: &str = r#"
mutation Designate($country: String!, $id: UUID!) {
  designateShowcase(country: $country, initiativeId: $id) {
    tenantId country initiativeId title designatedAt stillEligible
  }
}"#;

const REMOVE: &str = r#"
mutation Remove($country: String!) { removeShowcase(country: $country) }"#;

/// The coverage rows of GraphQL with REST's `counts` object.
fn coverage_as_rest(gql: &Value) -> Value {
    let mut c = gql.clone();
    for row in c["rows"].as_array_mut().unwrap() {
        let counts: Map<String, Value> = row["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|cell| {
                (
                    cell["actionLine"].as_str().unwrap().to_owned(),
                    cell["count"].clone(),
                )
            })
            .collect();
        row["counts"] = Value::Object(counts);
    }
    c
}

fn country_codes(table: &Value) -> Vec<String> {
    table["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["country"].as_str().unwrap().to_owned())
        .collect()
}

async fn showcase_and_coverage_match_rest(app: TestApp) {
    let t = app.tenant("gql-wsis").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let ml = eligible(&app, &ed.token, "Mali school connectivity", "ML").await;
    change(&app, &ed.token, &ml, json!({"visibility": "public"})).await;
    // Senegal: functioning with partners, but no agreement and no report: a near miss.
    let sn = create(
        &app,
        &ed.token,
        json!({"title": "Senegal telecentres", "kind": "ppp", "countries": ["SN"],
               "action_lines": ["C3", "C2"], "stage": "reviewing"}),
    )
    .await;
    let gov = organization(
        &app,
        &ed.token,
        json!({"name": "Senegal ministry", "sector": "government"}),
    )
    .await;
    partner(&app, &ed.token, &sn, &gov, json!({})).await;
    let biz = organization(
        &app,
        &ed.token,
        json!({"name": "Senegal operator", "sector": "business"}),
    )
    .await;
    partner(&app, &ed.token, &sn, &biz, json!({})).await;
    // Not functioning: counted nowhere in the coverage.
    create(
        &app,
        &ed.token,
        json!({"title": "Early talks", "kind": "msp", "countries": ["ML"], "action_lines": ["C4"],
               "stage": "agree_vision"}),
    )
    .await;
    let other = app.tenant("gql-wsis-other").await;
    let other_ed = app.member(&other, Role::Editor).await;
    let ke = eligible(&app, &other_ed.token, "Kenya showcase", "KE").await;
    change(&app, &other_ed.token, &ke, json!({"visibility": "public"})).await;

    // The checklist, as the root field and on the initiative.
    for (initiative, eligible_now) in [(&ml, true), (&sn, false)] {
        let rest = app
            .get(
                &format!("/api/v1/initiatives/{initiative}/showcase-eligibility"),
                tok,
            )
            .await;
        assert_eq!(rest.status, 200);
        let gql = graphql(&app, ELIGIBILITY, json!({"id": initiative}), tok).await;
        let d = data(&gql);
        same(&rest.body, &d["showcaseEligibility"], &[], "eligibility");
        same(
            &rest.body,
            &d["initiative"]["showcaseEligibility"],
            &[],
            "nested eligibility",
        );
        assert_eq!(d["showcaseEligibility"]["eligible"], eligible_now);
        assert_eq!(
            d["showcaseEligibility"]["criteria"]
                .as_array()
                .unwrap()
                .len(),
            6
        );
    }
    let sn_check = graphql(&app, ELIGIBILITY, json!({"id": sn}), tok).await;
    let failed: Vec<&str> = data(&sn_check)["showcaseEligibility"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["signed_agreement", "recent_report"]);

    // The table: the tenant's view, one country, and the public view.
    for (token, country, rest_path, expected) in [
        (tok, None, "/api/v1/wsis/showcase", vec!["ML", "SN"]),
        (
            tok,
            Some("sn"),
            "/api/v1/wsis/showcase?country=sn",
            vec!["SN"],
        ),
        (None, None, "/api/v1/wsis/showcase", vec!["KE", "ML"]),
        (
            None,
            Some("KE"),
            "/api/v1/wsis/showcase?country=KE",
            vec!["KE"],
        ),
    ] {
        let rest = app.get(rest_path, token).await;
        assert_eq!(rest.status, 200, "{rest_path}");
        let gql = graphql(&app, SHOWCASE, json!({"country": country}), token).await;
        let table = &data(&gql)["wsisShowcase"];
        same(&rest.body, table, &[], rest_path);
        assert_eq!(country_codes(table), expected, "{rest_path}");
    }
    let mine = graphql(&app, SHOWCASE, json!({}), tok).await;
    let mine = &data(&mine)["wsisShowcase"];
    assert_eq!(mine["countriesMeetingCall"], 1);
    assert_eq!(mine["countries"][0]["countryName"], "Mali");
    assert_eq!(mine["countries"][0]["eligible"][0]["id"], json!(ml));
    assert_eq!(mine["countries"][1]["nearMisses"][0]["id"], json!(sn));
    let bad_rest = app.get("/api/v1/wsis/showcase?country=XX", tok).await;
    let bad_gql = graphql(&app, SHOWCASE, json!({"country": "XX"}), tok).await;
    same_error(&bad_rest, &bad_gql, "BAD_REQUEST", "unknown country");

    // Coverage: the tenant's functioning initiatives, or the public ones.
    for (token, rows) in [
        (
            tok,
            json!([
                {"country": "ML", "counts": {"C2": 1}, "total": 1},
                {"country": "SN", "counts": {"C2": 1, "C3": 1}, "total": 1},
            ]),
        ),
        (
            None,
            json!([
                {"country": "KE", "counts": {"C2": 1}, "total": 1},
                {"country": "ML", "counts": {"C2": 1}, "total": 1},
            ]),
        ),
    ] {
        let rest = app.get("/api/v1/wsis/coverage", token).await;
        assert_eq!(rest.status, 200);
        let gql = graphql(&app, COVERAGE, json!({}), token).await;
        let coverage = coverage_as_rest(&data(&gql)["wsisCoverage"]);
        same(&rest.body, &coverage, &[], "coverage");
        assert_eq!(coverage["rows"], rows);
        assert_eq!(coverage["actionLines"].as_array().unwrap().len(), 19);
    }
}

async fn designations_follow_the_rest_rules(app: TestApp) {
    let t = app.tenant("gql-designate").await;
    let ed = app.member(&t, Role::Editor).await;
    let admin = app.member(&t, Role::Admin).await;
    let adm = Some(admin.token.as_str());
    let ml = eligible(&app, &ed.token, "Mali CLIC", "ML").await;
    change(&app, &ed.token, &ml, json!({"visibility": "public"})).await;
    let weak = id(&app.initiative(&ed.token, "Not functioning yet").await);

    // Editors cannot designate: the same code both ways.
    let rest = put(
        &app,
        "/api/v1/wsis/showcase/ML",
        Some(&ed.token),
        json!({"initiative_id": ml}),
    )
    .await;
    let gql = graphql(
        &app,
        DESIGNATE,
        json!({"country": "ML", "id": ml}),
        Some(&ed.token),
    )
    .await;
    same_error(&rest, &gql, "FORBIDDEN", "editor designates");

    // An ineligible initiative: VALIDATION listing the same failed criteria as REST.
    let rest = put(
        &app,
        "/api/v1/wsis/showcase/ML",
        adm,
        json!({"initiative_id": weak}),
    )
    .await;
    let gql = graphql(&app, DESIGNATE, json!({"country": "ML", "id": weak}), adm).await;
    same_error(&rest, &gql, "VALIDATION", "ineligible");
    assert_eq!(gql_field_errors(&gql), rest_field_errors(&rest));
    let failed: Vec<String> = gql_field_errors(&gql).into_iter().map(|(_, c)| c).collect();
    assert!(
        failed.contains(&"public_sector".to_owned())
            && failed.contains(&"recent_report".to_owned()),
        "{failed:?}"
    );
    assert_eq!(gql_field_errors(&gql)[0].0, "initiativeId");

    // Another country than the initiative's.
    let rest = put(
        &app,
        "/api/v1/wsis/showcase/SN",
        adm,
        json!({"initiative_id": ml}),
    )
    .await;
    let gql = graphql(&app, DESIGNATE, json!({"country": "SN", "id": ml}), adm).await;
    same_error(&rest, &gql, "VALIDATION", "other country");
    assert_eq!(
        gql_field_errors(&gql),
        [("initiativeId".to_owned(), "other_country".to_owned())]
    );
    assert_eq!(gql_field_errors(&gql), rest_field_errors(&rest));

    // A country code that is not one.
    let rest = put(
        &app,
        "/api/v1/wsis/showcase/XX",
        adm,
        json!({"initiative_id": ml}),
    )
    .await;
    let gql = graphql(&app, DESIGNATE, json!({"country": "XX", "id": ml}), adm).await;
    same_error(&rest, &gql, "VALIDATION", "bad country");
    assert_eq!(gql_field_errors(&gql), rest_field_errors(&rest));

    // Nothing was designated so far.
    let table = graphql(&app, SHOWCASE, json!({}), adm).await;
    assert_eq!(
        data(&table)["wsisShowcase"]["countries"][0]["designations"],
        json!([])
    );

    // Designated through GraphQL (the code normalised, as REST does).
    let before = Utc::now();
    let done = graphql(&app, DESIGNATE, json!({"country": "ml", "id": ml}), adm).await;
    let d = &data(&done)["designateShowcase"];
    assert_eq!(d["country"], "ML");
    assert_eq!(d["initiativeId"], json!(ml));
    assert_eq!(d["tenantId"], json!(t.id));
    assert_eq!(d["title"], "Mali CLIC");
    assert_eq!(d["stillEligible"], true);
    let at: DateTime<Utc> = d["designatedAt"].as_str().unwrap().parse().unwrap();
    assert!(at >= before - Duration::seconds(1) && at <= Utc::now() + Duration::seconds(1));
    // ... and REST sees the same designation, members and the public alike.
    for token in [adm, None] {
        let rest = app.get("/api/v1/wsis/showcase", token).await;
        let gql = graphql(&app, SHOWCASE, json!({}), token).await;
        let table = &data(&gql)["wsisShowcase"];
        same(&rest.body, table, &[], "table with a designation");
        let designations = &table["countries"][0]["designations"];
        assert_eq!(designations.as_array().unwrap().len(), 1);
        assert_eq!(designations[0]["initiativeId"], json!(ml));
        assert_eq!(designations[0]["stillEligible"], true);
    }

    // Another tenant's admin can neither name this initiative nor remove the designation.
    let other = app.tenant("gql-designate-other").await;
    let other_admin = app.member(&other, Role::Admin).await;
    let oth = Some(other_admin.token.as_str());
    let private = eligible(&app, &ed.token, "Mali private", "ML").await;
    let rest = put(
        &app,
        "/api/v1/wsis/showcase/ML",
        oth,
        json!({"initiative_id": private}),
    )
    .await;
    let gql = graphql(
        &app,
        DESIGNATE,
        json!({"country": "ML", "id": private}),
        oth,
    )
    .await;
    same_error(
        &rest,
        &gql,
        "NOT_FOUND",
        "another tenant's private initiative",
    );
    let rest = put(
        &app,
        "/api/v1/wsis/showcase/ML",
        oth,
        json!({"initiative_id": ml}),
    )
    .await;
    let gql = graphql(&app, DESIGNATE, json!({"country": "ML", "id": ml}), oth).await;
    same_error(
        &rest,
        &gql,
        "FORBIDDEN",
        "another tenant's public initiative",
    );
    let rest = app
        .send(Method::DELETE, "/api/v1/wsis/showcase/ML", oth, &[], None)
        .await;
    let gql = graphql(&app, REMOVE, json!({"country": "ML"}), oth).await;
    same_error(&rest, &gql, "NOT_FOUND", "another tenant's designation");

    // Removed through GraphQL: gone for REST too; a second removal finds nothing.
    let gone = graphql(&app, REMOVE, json!({"country": "ml"}), adm).await;
    assert_eq!(data(&gone)["removeShowcase"], true);
    let rest = app.get("/api/v1/wsis/showcase", adm).await;
    assert_eq!(rest.body["countries"][0]["designations"], json!([]));
    let rest = app
        .send(Method::DELETE, "/api/v1/wsis/showcase/ML", adm, &[], None)
        .await;
    let gql = graphql(&app, REMOVE, json!({"country": "ML"}), adm).await;
    same_error(&rest, &gql, "NOT_FOUND", "nothing to remove");
}

// ---------------------------------------------------------------------------------------------
// Levers, needs, offers and partner suggestions

const SET_LEVERS: &str = r#"
mutation Levers($id: UUID!, $levers: [Lever!]!, $reason: String) {
  setLevers(initiativeId: $id, levers: $levers, reason: $reason)
}"#;

const SET_NEEDS: &str = r#"
mutation Needs($id: UUID!, $needs: [ResourceKind!]!, $reason: String) {
  setNeeds(initiativeId: $id, needs: $needs, reason: $reason)
}"#;

const SET_OFFERS: &str = r#"
mutation Offers($id: UUID!, $input: OffersInput!) {
  setOrganizationOffers(organizationId: $id, input: $input) { resourceKinds actionLines countries motivations }
}"#;

const OFFERS: &str = r#"
query Offers($id: UUID!) {
  organizationOffers(organizationId: $id) { resourceKinds actionLines countries motivations }
  organization(id: $id) { offers { resourceKinds actionLines countries motivations } }
}"#;

const ORG_FIELDS: &str = "id tenantId name acronym sector subType country website description \
iatiIdentifier visibility language version createdAt updatedAt";

fn suggestions_query() -> String {
    let fields = format!(
        "organization {{ {ORG_FIELDS} }} score coversNeeds addsSector sharedCountries \
         sharedActionLines reasons"
    );
    format!(
        "query Suggestions($id: UUID!, $limit: Int) {{
           partnerSuggestions(initiativeId: $id, limit: $limit) {{ {fields} }}
           initiative(id: $id) {{ partnerSuggestions(limit: $limit) {{ {fields} }} }}
         }}"
    )
}

const OFFER_ENUMS: &[&str] = &["resource_kinds", "motivations"];
const SUGGESTION_ENUMS: &[&str] = &["sector", "visibility", "covers_needs", "adds_sector"];

async fn matchmaking_matches_rest(app: TestApp) {
    let t = app.tenant("gql-match").await;
    let other = app.tenant("gql-match-other").await;
    let ed = app.member(&t, Role::Editor).await;
    let ed_other = app.member(&other, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let initiative = create(
        &app,
        &ed.token,
        json!({"title": "School connectivity", "kind": "msp", "countries": ["MK"],
               "action_lines": ["C2", "C4"]}),
    )
    .await;

    // Levers and needs through GraphQL, read back through REST and GraphQL.
    let levers = graphql(
        &app,
        SET_LEVERS,
        json!({"id": initiative, "levers": ["AFFORDABLE_FINANCE", "INFRASTRUCTURE_DEVELOPMENT", "AFFORDABLE_FINANCE"]}),
        tok,
    )
    .await;
    assert_eq!(
        data(&levers)["setLevers"],
        json!(["AFFORDABLE_FINANCE", "INFRASTRUCTURE_DEVELOPMENT"])
    );
    let needs = graphql(
        &app,
        SET_NEEDS,
        json!({"id": initiative, "needs": ["CONNECTIVITY", "HARDWARE"], "reason": "gap analysis"}),
        tok,
    )
    .await;
    assert_eq!(
        data(&needs)["setNeeds"],
        json!(["CONNECTIVITY", "HARDWARE"])
    );
    let rest = app
        .get(&format!("/api/v1/initiatives/{initiative}"), tok)
        .await;
    assert_eq!(
        rest.body["levers"],
        json!(["affordable_finance", "infrastructure_development"])
    );
    assert_eq!(rest.body["needs"], json!(["connectivity", "hardware"]));
    assert_eq!(
        rest.etag(),
        "\"3\"",
        "each change raises the version, as through REST"
    );
    let read = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { levers needs version } }",
        json!({"id": initiative}),
        tok,
    )
    .await;
    same(
        &json!({"levers": rest.body["levers"], "needs": rest.body["needs"], "version": rest.body["version"]}),
        &data(&read)["initiative"],
        &["levers", "needs"],
        "levers and needs",
    );
    let history = app
        .get(&format!("/api/v1/initiatives/{initiative}/history"), tok)
        .await;
    let needs_change = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["changes"][0]["field"] == "needs")
        .expect("the needs change is in the history");
    assert_eq!(needs_change["reason"], "gap analysis");
    // A REST change is seen by GraphQL just the same, and the other way round.
    let r = put(
        &app,
        &format!("/api/v1/initiatives/{initiative}/needs"),
        tok,
        json!({"needs": ["cash"]}),
    )
    .await;
    assert_eq!(r.status, 200);
    let read = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { needs version } }",
        json!({"id": initiative}),
        tok,
    )
    .await;
    assert_eq!(
        data(&read)["initiative"],
        json!({"needs": ["CASH"], "version": 4})
    );
    let needs = graphql(
        &app,
        SET_NEEDS,
        json!({"id": initiative, "needs": ["HARDWARE", "CONNECTIVITY"]}),
        tok,
    )
    .await;
    assert_eq!(
        data(&needs)["setNeeds"],
        json!(["HARDWARE", "CONNECTIVITY"])
    );
    let rest = app
        .get(&format!("/api/v1/initiatives/{initiative}"), tok)
        .await;
    let mut stored: Vec<&str> = rest.body["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    stored.sort_unstable();
    assert_eq!(stored, ["connectivity", "hardware"]);

    let ministry = organization(
        &app,
        &ed.token,
        json!({"name": "Ministry of Education", "sector": "government", "country": "MK"}),
    )
    .await;
    partner(&app, &ed.token, &initiative, &ministry, json!({})).await;

    // Offers through GraphQL, normalised as REST normalises them.
    let operator = organization(
        &app,
        &ed.token,
        json!({"name": "National operator", "sector": "business", "country": "MK"}),
    )
    .await;
    let set = graphql(
        &app,
        SET_OFFERS,
        json!({"id": operator, "input": {"resourceKinds": ["CONNECTIVITY", "HARDWARE", "CONNECTIVITY"],
                                          "actionLines": ["c2"], "countries": ["mk"]}}),
        tok,
    )
    .await;
    assert_eq!(
        data(&set)["setOrganizationOffers"],
        json!({"resourceKinds": ["CONNECTIVITY", "HARDWARE"], "actionLines": ["C2"], "countries": ["MK"], "motivations": []})
    );
    let rest = app
        .get(&format!("/api/v1/organizations/{operator}/offers"), tok)
        .await;
    assert_eq!(rest.status, 200);
    let gql = graphql(&app, OFFERS, json!({"id": operator}), tok).await;
    same(
        &rest.body,
        &data(&gql)["organizationOffers"],
        OFFER_ENUMS,
        "offers",
    );
    same(
        &rest.body,
        &data(&gql)["organization"]["offers"],
        OFFER_ENUMS,
        "nested offers",
    );
    let bad_rest = put(
        &app,
        &format!("/api/v1/organizations/{operator}/offers"),
        tok,
        json!({"countries": ["XX"], "action_lines": ["C99"]}),
    )
    .await;
    let bad_gql = graphql(
        &app,
        SET_OFFERS,
        json!({"id": operator, "input": {"countries": ["XX"], "actionLines": ["C99"]}}),
        tok,
    )
    .await;
    same_error(&bad_rest, &bad_gql, "VALIDATION", "bad offers");
    assert_eq!(
        gql_field_errors(&bad_gql),
        [
            ("countries[0]".to_owned(), "invalid_country".to_owned()),
            (
                "actionLines[0]".to_owned(),
                "invalid_action_line".to_owned()
            )
        ]
    );
    assert_eq!(gql_field_errors(&bad_gql), rest_field_errors(&bad_rest));

    // Another tenant's public vendor, set through REST; a private firm nobody here can see.
    let vendor = organization(
        &app,
        &ed_other.token,
        json!({"name": "Equipment vendor", "sector": "business", "visibility": "public"}),
    )
    .await;
    let r = put(
        &app,
        &format!("/api/v1/organizations/{vendor}/offers"),
        Some(&ed_other.token),
        json!({"resource_kinds": ["hardware"], "motivations": ["profit"]}),
    )
    .await;
    assert_eq!(r.status, 200);
    let hidden = organization(
        &app,
        &ed_other.token,
        json!({"name": "Hidden firm", "sector": "business", "country": "MK"}),
    )
    .await;
    let r = put(
        &app,
        &format!("/api/v1/organizations/{hidden}/offers"),
        Some(&ed_other.token),
        json!({"resource_kinds": ["connectivity"]}),
    )
    .await;
    assert_eq!(r.status, 200);
    organization(
        &app,
        &ed.token,
        json!({"name": "Unrelated NGO", "sector": "civil_society", "country": "KE"}),
    )
    .await;
    // The vendor's offers read the same both ways; changing them is refused the same way.
    let rest = app
        .get(&format!("/api/v1/organizations/{vendor}/offers"), tok)
        .await;
    let gql = graphql(&app, OFFERS, json!({"id": vendor}), tok).await;
    same(
        &rest.body,
        &data(&gql)["organizationOffers"],
        OFFER_ENUMS,
        "public offers",
    );
    assert_eq!(
        data(&gql)["organizationOffers"]["motivations"],
        json!(["PROFIT"])
    );
    let rest = put(
        &app,
        &format!("/api/v1/organizations/{vendor}/offers"),
        tok,
        json!({}),
    )
    .await;
    let gql = graphql(&app, SET_OFFERS, json!({"id": vendor, "input": {}}), tok).await;
    same_error(&rest, &gql, "FORBIDDEN", "another tenant's organisation");

    // Suggestions: the same organisations in the same order, with the same explanations.
    let query = suggestions_query();
    for (limit, rest_path) in [
        (
            None,
            format!("/api/v1/initiatives/{initiative}/partner-suggestions"),
        ),
        (
            Some(1),
            format!("/api/v1/initiatives/{initiative}/partner-suggestions?limit=1"),
        ),
    ] {
        let rest = app.get(&rest_path, tok).await;
        assert_eq!(rest.status, 200, "{:?}", rest.body);
        let gql = graphql(&app, &query, json!({"id": initiative, "limit": limit}), tok).await;
        let d = data(&gql);
        same(
            &rest.body,
            &d["partnerSuggestions"],
            SUGGESTION_ENUMS,
            "suggestions",
        );
        same(
            &rest.body,
            &d["initiative"]["partnerSuggestions"],
            SUGGESTION_ENUMS,
            "nested suggestions",
        );
    }
    let gql = graphql(&app, &query, json!({"id": initiative}), tok).await;
    let s = &data(&gql)["partnerSuggestions"];
    let names: Vec<&str> = s
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["organization"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["National operator", "Equipment vendor"]);
    assert_eq!(s[0]["score"], 3 * 2 + 2 + 2 + 1);
    assert_eq!(s[0]["coversNeeds"], json!(["CONNECTIVITY", "HARDWARE"]));
    assert_eq!(s[0]["addsSector"], "BUSINESS");
    assert_eq!(s[0]["sharedCountries"], json!(["MK"]));
    assert_eq!(s[0]["sharedActionLines"], json!(["C2"]));
    assert_eq!(s[0]["reasons"].as_array().unwrap().len(), 4);
    assert_eq!(s[1]["score"], 3 + 2);
    assert_eq!(s[1]["organization"]["tenantId"], json!(other.id));

    for limit in [0, 51] {
        let rest = app
            .get(
                &format!("/api/v1/initiatives/{initiative}/partner-suggestions?limit={limit}"),
                tok,
            )
            .await;
        let gql = graphql(&app, &query, json!({"id": initiative, "limit": limit}), tok).await;
        assert_eq!(
            codes(&gql),
            ["BAD_REQUEST", "BAD_REQUEST"],
            "root and nested field"
        );
        assert_eq!(
            gql.body["errors"][0]["extensions"]["errors"][0]["field"],
            "limit"
        );
        assert_eq!(gql_code(rest.code()), "BAD_REQUEST");
    }
}

// ---------------------------------------------------------------------------------------------
// Value assessments

const VALUE_FIELDS: &str = "initiativeId ratings { source rating note } partneringCost { amount currency } \
notes summary { score maxScore valueCreatedBy notAssessed } version updatedAt";

fn value_query() -> String {
    format!(
        "query Value($id: UUID!) {{
           valueAssessment(initiativeId: $id) {{ {VALUE_FIELDS} }}
           initiative(id: $id) {{ valueAssessment {{ {VALUE_FIELDS} }} }}
         }}"
    )
}

fn set_value() -> String {
    format!(
        "mutation SetValue($id: UUID!, $version: Int, $input: ValueAssessmentInput!, $reason: String) {{
           setValueAssessment(initiativeId: $id, expectedVersion: $version, input: $input, reason: $reason) {{ {VALUE_FIELDS} }}
         }}"
    )
}

const VALUE_ENUMS: &[&str] = &["source", "value_created_by", "not_assessed"];

async fn value_assessment_matches_rest(app: TestApp) {
    let t = app.tenant("gql-value").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let initiative = id(&app.initiative(&ed.token, "Valued").await);
    let path = format!("/api/v1/initiatives/{initiative}/value-assessment");
    let (query, mutation) = (value_query(), set_value());

    // Not assessed yet: REST says 404, GraphQL null (the initiative itself is there).
    assert_eq!(app.get(&path, tok).await.status, 404);
    let none = graphql(&app, &query, json!({"id": initiative}), tok).await;
    assert_eq!(data(&none)["valueAssessment"], Value::Null);
    assert_eq!(data(&none)["initiative"]["valueAssessment"], Value::Null);

    let input = json!({"ratings": [
        {"source": "COMPLEMENTARITY", "rating": 3, "note": "network plus demand"},
        {"source": "SCALE", "rating": 2},
        {"source": "INNOVATION", "rating": 1}],
        "partneringCost": {"amount": "45000.5", "currency": "usd"}});
    let created = graphql(
        &app,
        &mutation,
        json!({"id": initiative, "input": input, "reason": "mid-term review"}),
        tok,
    )
    .await;
    let v = &data(&created)["setValueAssessment"];
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["score"], 6);
    assert_eq!(v["summary"]["maxScore"], 30);
    assert_eq!(
        v["summary"]["valueCreatedBy"],
        json!(["COMPLEMENTARITY", "SCALE"])
    );
    assert_eq!(v["summary"]["notAssessed"].as_array().unwrap().len(), 7);
    assert_eq!(
        v["partneringCost"],
        json!({"amount": "45000.50", "currency": "USD"})
    );
    assert_eq!(
        v["ratings"][1],
        json!({"source": "SCALE", "rating": 2, "note": null})
    );

    let rest = app.get(&path, tok).await;
    assert_eq!(rest.status, 200);
    assert_eq!(rest.etag(), "\"1\"");
    let read = graphql(&app, &query, json!({"id": initiative}), tok).await;
    same(
        &rest.body,
        &data(&read)["valueAssessment"],
        VALUE_ENUMS,
        "value assessment",
    );
    same(
        &rest.body,
        &data(&read)["initiative"]["valueAssessment"],
        VALUE_ENUMS,
        "nested value assessment",
    );
    // The mutation answers with what was stored (its timestamp may carry more precision than
    // the database keeps).
    same(
        &without(&rest.body, "updated_at"),
        &without(v, "updatedAt"),
        VALUE_ENUMS,
        "the mutation's answer",
    );
    let history = app
        .get(&format!("/api/v1/initiatives/{initiative}/history"), tok)
        .await;
    assert!(
        history.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity_type"] == "value_assessment" && e["reason"] == "mid-term review"),
        "{:?}",
        history.body
    );

    // Replacing needs the version, as REST needs If-Match.
    let rest_body = json!({"ratings": [{"source": "scale", "rating": 1}]});
    let gql_input = json!({"ratings": [{"source": "SCALE", "rating": 1}]});
    let rest = put(&app, &path, tok, rest_body.clone()).await;
    let gql = graphql(
        &app,
        &mutation,
        json!({"id": initiative, "input": gql_input}),
        tok,
    )
    .await;
    same_error(&rest, &gql, "BAD_REQUEST", "no version");
    assert_eq!(rest.status, 428);
    let rest = app
        .send(
            Method::PUT,
            &path,
            tok,
            &[("If-Match", "\"9\"")],
            Some(&rest_body),
        )
        .await;
    let gql = graphql(
        &app,
        &mutation,
        json!({"id": initiative, "version": 9, "input": gql_input}),
        tok,
    )
    .await;
    same_error(&rest, &gql, "STALE_VERSION", "stale version");
    assert_eq!(gql.body["errors"][0]["extensions"]["currentVersion"], 1);

    // The same validation, fields in GraphQL's spelling.
    let rest = app
        .send(
            Method::PUT,
            &path,
            tok,
            &[("If-Match", "\"1\"")],
            Some(&json!({
            "ratings": [{"source": "scale", "rating": 4}, {"source": "scale", "rating": 1}],
            "partnering_cost": {"amount": "12.345", "currency": "EUR"}})),
        )
        .await;
    let gql = graphql(
        &app,
        &mutation,
        json!({"id": initiative, "version": 1, "input": {
            "ratings": [{"source": "SCALE", "rating": 4}, {"source": "SCALE", "rating": 1}],
            "partneringCost": {"amount": "12.345", "currency": "EUR"}}}),
        tok,
    )
    .await;
    same_error(&rest, &gql, "VALIDATION", "invalid assessment");
    let fields: Vec<String> = gql_field_errors(&gql).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "ratings[0].rating",
            "ratings[1].source",
            "partneringCost.amount"
        ]
    );
    assert_eq!(gql_field_errors(&gql), rest_field_errors(&rest));

    // Replaced with the current version.
    let replaced = graphql(
        &app,
        &mutation,
        json!({"id": initiative, "version": 1, "input": {"ratings": []}}),
        tok,
    )
    .await;
    let v = &data(&replaced)["setValueAssessment"];
    assert_eq!(v["version"], 2);
    assert_eq!(v["summary"]["score"], 0);
    assert_eq!(v["partneringCost"], Value::Null);
    let rest = app.get(&path, tok).await;
    assert_eq!(rest.etag(), "\"2\"");
    same(
        &without(&rest.body, "updated_at"),
        &without(v, "updatedAt"),
        VALUE_ENUMS,
        "replaced assessment",
    );
}

// ---------------------------------------------------------------------------------------------
// Analytics

const REF: &str = "organization { id name acronym sector country }";

fn map_fields() -> String {
    format!(
        "initiativeId initiativeTitle version visibility
         thresholds {{ interest influence scaleMin scaleMax }}
         quadrants {{ quadrant label description count }}
         stakeholders {{ partnerId {REF} status roles interest influence quadrant }}
         unplaced {{ partnerId {REF} status roles interest influence reason detail }}"
    )
}

const SPLIT: &str = "pledged delivered total";

fn leverage_fields() -> String {
    format!(
        "initiativeId initiativeTitle
         currencies {{ currency mobilised {{ {SPLIT} }}
           partners {{ partnerId {REF} own {{ {SPLIT} }} others {{ {SPLIT} }} leverage {{ {SPLIT} }} }} }}
         inKind {{ partnerId {REF} count pledged delivered }}"
    )
}

fn organization_leverage_fields() -> String {
    let currency = format!(
        "currency own {{ {SPLIT} }} mobilised {{ {SPLIT} }} others {{ {SPLIT} }} leverage {{ {SPLIT} }}"
    );
    format!(
        "{REF} initiativeCount unvaluedInKind currencies {{ {currency} }}
         initiatives {{ initiativeId initiativeTitle unvaluedInKind currencies {{ {currency} }} }}"
    )
}

const MAP_ENUMS: &[&str] = &[
    "visibility",
    "quadrant",
    "status",
    "roles",
    "sector",
    "reason",
];
const LEVERAGE_ENUMS: &[&str] = &["sector"];

async fn analytics_match_rest(app: TestApp) {
    let t = app.tenant("gql-analytics").await;
    let ed = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let tok = ed.token.as_str();
    let initiative = id(&app.initiative(tok, "Food security MSP").await);
    let add = |name: &'static str, sector: &'static str, extra: Value| {
        let (app, initiative) = (app.clone(), initiative.clone());
        async move {
            let org = organization(
                &app,
                tok,
                json!({"name": name, "sector": sector, "country": "ML"}),
            )
            .await;
            let partner = partner(&app, tok, &initiative, &org, extra).await;
            (org, partner)
        }
    };
    let (_, ministry) = add(
        "Ministry of Agriculture",
        "government",
        json!({"interest": 4, "influence": 5, "roles": ["lead"]}),
    )
    .await;
    let (firm_org, firm) = add(
        "Orange & <Telecom>",
        "business",
        json!({"interest": 2, "influence": 4}),
    )
    .await;
    add(
        "Households' Association",
        "civil_society",
        json!({"interest": 5, "influence": 1, "status": "prospect"}),
    )
    .await;
    let (_, council) = add(
        "Village council",
        "civil_society",
        json!({"interest": 1, "influence": 2}),
    )
    .await;
    add(
        "Old Donor",
        "donor",
        json!({"interest": 5, "influence": 5, "status": "former"}),
    )
    .await;
    add("Unrated University", "academia", json!({})).await;
    add("Half-rated App Company", "business", json!({"interest": 3})).await;
    contribute(
        &app,
        tok,
        &initiative,
        &ministry,
        cash("100.00", "USD", "pledged"),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &firm,
        cash("200.00", "USD", "pledged"),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &firm,
        cash("100", "USD", "delivered"),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &ministry,
        cash("150", "EUR", "pledged"),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &council,
        cash("50.00", "EUR", "delivered"),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &firm,
        json!({"resource_kind": "hardware", "description": "Twenty computers"}),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &council,
        json!({"resource_kind": "venue", "status": "delivered"}),
    )
    .await;
    // The firm also takes part in a second initiative.
    let second = id(&app.initiative(tok, "Agri-market app").await);
    let firm_in_second = partner(&app, tok, &second, &firm_org, json!({})).await;
    contribute(
        &app,
        tok,
        &second,
        &firm_in_second,
        cash("40.00", "USD", "delivered"),
    )
    .await;

    // The stakeholder map, as the root field and on the initiative; members of any role.
    let query = format!(
        "query Map($id: UUID!) {{ stakeholderMap(initiativeId: $id) {{ {f} }} initiative(id: $id) {{ stakeholderMap {{ {f} }} }} }}",
        f = map_fields()
    );
    for token in [tok, viewer.token.as_str()] {
        let rest = app
            .get(
                &format!("/api/v1/initiatives/{initiative}/stakeholder-map"),
                Some(token),
            )
            .await;
        assert_eq!(rest.status, 200, "{:?}", rest.body);
        let gql = graphql(&app, &query, json!({"id": initiative}), Some(token)).await;
        same(
            &rest.body,
            &data(&gql)["stakeholderMap"],
            MAP_ENUMS,
            "stakeholder map",
        );
        same(
            &rest.body,
            &data(&gql)["initiative"]["stakeholderMap"],
            MAP_ENUMS,
            "nested map",
        );
    }
    let gql = graphql(&app, &query, json!({"id": initiative}), Some(tok)).await;
    let map = &data(&gql)["stakeholderMap"];
    let quadrants: Vec<(String, u64)> = map["quadrants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["quadrant"].as_str().unwrap().to_owned(),
                q["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        quadrants,
        [
            ("MANAGE_CLOSELY".to_owned(), 1),
            ("KEEP_SATISFIED".to_owned(), 1),
            ("KEEP_INFORMED".to_owned(), 1),
            ("MONITOR".to_owned(), 1)
        ]
    );
    let placed: Vec<(&str, &str)> = map["stakeholders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["organization"]["name"].as_str().unwrap(),
                s["quadrant"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        placed,
        [
            ("Ministry of Agriculture", "MANAGE_CLOSELY"),
            ("Orange & <Telecom>", "KEEP_SATISFIED"),
            ("Households' Association", "KEEP_INFORMED"),
            ("Village council", "MONITOR"),
        ],
        "the former partner is left out"
    );
    let unplaced: Vec<&str> = map["unplaced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reason"].as_str().unwrap())
        .collect();
    assert_eq!(unplaced.len(), 2);
    assert!(
        unplaced.contains(&"MISSING_INTEREST_AND_INFLUENCE")
            && unplaced.contains(&"MISSING_INFLUENCE")
    );

    // Leverage of the initiative.
    let query = format!(
        "query Leverage($id: UUID!) {{ initiativeLeverage(initiativeId: $id) {{ {f} }} initiative(id: $id) {{ leverage {{ {f} }} }} }}",
        f = leverage_fields()
    );
    let rest = app
        .get(
            &format!("/api/v1/initiatives/{initiative}/leverage"),
            Some(tok),
        )
        .await;
    assert_eq!(rest.status, 200);
    let gql = graphql(&app, &query, json!({"id": initiative}), Some(tok)).await;
    let lev = &data(&gql)["initiativeLeverage"];
    same(&rest.body, lev, LEVERAGE_ENUMS, "initiative leverage");
    same(
        &rest.body,
        &data(&gql)["initiative"]["leverage"],
        LEVERAGE_ENUMS,
        "nested leverage",
    );
    let currencies: Vec<&str> = lev["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["currency"].as_str().unwrap())
        .collect();
    assert_eq!(currencies, ["EUR", "USD"]);
    let usd = &lev["currencies"][1];
    assert_eq!(
        usd["mobilised"],
        json!({"pledged": "300.00", "delivered": "100.00", "total": "400.00"})
    );
    assert_eq!(
        usd["partners"][0]["partnerId"],
        json!(firm),
        "largest own total first"
    );
    assert_eq!(usd["partners"][1]["partnerId"], json!(ministry));
    assert_eq!(
        usd["partners"][1]["leverage"],
        json!({"pledged": "2.00", "delivered": null, "total": "3.00"})
    );
    let in_kind: Vec<(&str, u64)> = lev["inKind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["organization"]["name"].as_str().unwrap(),
                k["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(in_kind, [("Orange & <Telecom>", 1), ("Village council", 1)]);

    // Leverage of an organisation across both initiatives.
    let query = format!(
        "query OrgLeverage($id: UUID!) {{ organizationLeverage(organizationId: $id) {{ {f} }} organization(id: $id) {{ leverage {{ {f} }} }} }}",
        f = organization_leverage_fields()
    );
    let rest = app
        .get(
            &format!("/api/v1/organizations/{firm_org}/leverage"),
            Some(tok),
        )
        .await;
    assert_eq!(rest.status, 200, "{:?}", rest.body);
    let gql = graphql(&app, &query, json!({"id": firm_org}), Some(tok)).await;
    let org = &data(&gql)["organizationLeverage"];
    same(&rest.body, org, LEVERAGE_ENUMS, "organisation leverage");
    same(
        &rest.body,
        &data(&gql)["organization"]["leverage"],
        LEVERAGE_ENUMS,
        "nested organisation leverage",
    );
    assert_eq!(org["initiativeCount"], 2);
    assert_eq!(org["unvaluedInKind"], 1);
    let usd = org["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["currency"] == "USD")
        .unwrap();
    assert_eq!(
        usd["own"],
        json!({"pledged": "200.00", "delivered": "140.00", "total": "340.00"})
    );
    assert_eq!(usd["mobilised"]["total"], "440.00");
}

fn dashboard_query() -> &'static str {
    r#"query Dashboard($scope: Scope) {
      dashboard(scope: $scope) {
        total byStage { stage count } byKind { kind count } bySector { sector partners initiatives }
        bySpectrum { spectrum count } byEngagementModel { engagementModel count }
        byCountry { country name count } byActionLine { actionLine label count }
        byOutcome { outcome count } byReportingStatus { reportingStatus count }
        registrationsByMonth { month count } generatedAt
      }
      engagementModelLeverage(scope: $scope) {
        models { engagementModel initiatives mobilised { currency pledged delivered total } }
      }
    }"#
}

const DASHBOARD_ENUMS: &[&str] = &[
    "stage",
    "kind",
    "sector",
    "spectrum",
    "engagement_model",
    "outcome",
    "reporting_status",
];

async fn dashboard_and_engagement_models_match_rest_per_scope(app: TestApp) {
    let a = app.tenant("gql-dash-a").await;
    let ed = app.member(&a, Role::Editor).await;
    let viewer = app.member(&a, Role::Viewer).await;
    let tok = ed.token.as_str();
    let clic = create(
        &app,
        tok,
        json!({"title": "Mali CLIC", "kind": "msp", "countries": ["ML"], "action_lines": ["C4", "C7.e-learning"],
               "stage": "implementing", "spectrum": "leverage_exchange",
               "engagement_model": "corporate_philanthropy", "outcome": "successful"}),
    )
    .await;
    let gov = organization(
        &app,
        tok,
        json!({"name": "Ministry of ICT", "sector": "government"}),
    )
    .await;
    let gov_p = partner(&app, tok, &clic, &gov, json!({})).await;
    contribute(
        &app,
        tok,
        &clic,
        &gov_p,
        cash("1000.00", "USD", "delivered"),
    )
    .await;
    let public = id(&app.public_initiative(tok, "Macedonia Connects").await);
    change(
        &app,
        tok,
        &public,
        json!({"engagement_model": "market_making", "countries": ["MK"]}),
    )
    .await;
    let b = app.tenant("gql-dash-b").await;
    let ed_b = app.member(&b, Role::Editor).await;
    app.public_initiative(&ed_b.token, "Uganda village phone")
        .await;
    app.initiative(&ed_b.token, "B's private plan").await;

    let query = dashboard_query();
    for (token, scope, rest_scope, total) in [
        (Some(viewer.token.as_str()), None, "", 2),
        (Some(tok), Some("TENANT"), "?scope=tenant", 2),
        (Some(tok), Some("PUBLIC"), "?scope=public", 2),
        (Some(tok), Some("ALL"), "?scope=all", 3),
        (Some(ed_b.token.as_str()), None, "", 2),
        (None, None, "", 2),
        (None, Some("TENANT"), "?scope=tenant", 2),
    ] {
        let what = format!("{scope:?} {}", token.is_some());
        let rest = app
            .get(&format!("/api/v1/analytics/dashboard{rest_scope}"), token)
            .await;
        assert_eq!(rest.status, 200, "{what}: {:?}", rest.body);
        let models = app
            .get(
                &format!("/api/v1/analytics/engagement-models{rest_scope}"),
                token,
            )
            .await;
        assert_eq!(models.status, 200, "{what}");
        let gql = graphql(&app, query, json!({"scope": scope}), token).await;
        let d = data(&gql);
        same(
            &without(&rest.body, "generated_at"),
            &without(&d["dashboard"], "generatedAt"),
            DASHBOARD_ENUMS,
            &what,
        );
        same(
            &models.body,
            &d["engagementModelLeverage"],
            DASHBOARD_ENUMS,
            &what,
        );
        assert_eq!(d["dashboard"]["total"], total, "{what}");
    }
    // What the tenant's view holds, through GraphQL.
    let gql = graphql(&app, query, json!({}), Some(tok)).await;
    let d = &data(&gql)["dashboard"];
    let models = &data(&gql)["engagementModelLeverage"]["models"];
    assert_eq!(models[0]["engagementModel"], "CORPORATE_PHILANTHROPY");
    assert_eq!(models[0]["initiatives"], 1);
    assert_eq!(
        models[0]["mobilised"],
        json!([{"currency": "USD", "pledged": "0.00", "delivered": "1000.00", "total": "1000.00"}])
    );
    assert_eq!(models[3]["engagementModel"], "MARKET_MAKING");
    assert_eq!(models[3]["initiatives"], 1);
    let countries: Vec<(&str, u64)> = d["byCountry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["country"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(countries.len(), 2);
    assert!(countries.contains(&("ML", 1)) && countries.contains(&("MK", 1)));
    assert_eq!(d["byStage"].as_array().unwrap().len(), 12);
    assert_eq!(d["registrationsByMonth"].as_array().unwrap().len(), 24);
}

// ---------------------------------------------------------------------------------------------
// Tenancy, the public view and roles

/// Each per-initiative read, as a GraphQL query and the matching REST path.
fn initiative_reads(initiative: &str) -> Vec<(String, String)> {
    vec![
        (
            "query($id: UUID!) { showcaseEligibility(initiativeId: $id) { eligible } }".to_owned(),
            format!("/api/v1/initiatives/{initiative}/showcase-eligibility"),
        ),
        (
            "query($id: UUID!) { valueAssessment(initiativeId: $id) { version } }".to_owned(),
            format!("/api/v1/initiatives/{initiative}/value-assessment"),
        ),
        (
            "query($id: UUID!) { stakeholderMap(initiativeId: $id) { version } }".to_owned(),
            format!("/api/v1/initiatives/{initiative}/stakeholder-map"),
        ),
        (
            "query($id: UUID!) { partnerSuggestions(initiativeId: $id) { score } }".to_owned(),
            format!("/api/v1/initiatives/{initiative}/partner-suggestions"),
        ),
        (
            "query($id: UUID!) { initiativeLeverage(initiativeId: $id) { initiativeId } }"
                .to_owned(),
            format!("/api/v1/initiatives/{initiative}/leverage"),
        ),
    ]
}

/// A private initiative of tenant A with a partner, an assessment and needs; a private and a
/// public organisation of A with offers.
struct TenantA {
    editor: String,
    initiative: String,
    private_org: String,
    public_org: String,
}

async fn tenant_a(app: &TestApp, slug: &str) -> TenantA {
    let t = app.tenant(slug).await;
    let editor = app.member(&t, Role::Editor).await.token;
    let initiative = eligible(app, &editor, "A's private showcase", "ML").await;
    let path = format!("/api/v1/initiatives/{initiative}/value-assessment");
    let r = put(
        app,
        &path,
        Some(&editor),
        json!({"ratings": [{"source": "scale", "rating": 3}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = put(
        app,
        &format!("/api/v1/initiatives/{initiative}/needs"),
        Some(&editor),
        json!({"needs": ["cash"]}),
    )
    .await;
    assert_eq!(r.status, 200);
    let private_org = organization(
        app,
        &editor,
        json!({"name": "A's private firm", "sector": "business"}),
    )
    .await;
    let public_org = organization(
        app,
        &editor,
        json!({"name": "A's public firm", "sector": "business", "visibility": "public"}),
    )
    .await;
    for org in [&private_org, &public_org] {
        let r = put(
            app,
            &format!("/api/v1/organizations/{org}/offers"),
            Some(&editor),
            json!({"resource_kinds": ["cash"]}),
        )
        .await;
        assert_eq!(r.status, 200);
    }
    TenantA {
        editor,
        initiative,
        private_org,
        public_org,
    }
}

async fn another_tenant_is_isolated(app: TestApp) {
    let a = tenant_a(&app, "gql-iso-a").await;
    let b = app.tenant("gql-iso-b").await;
    let owner_b = app.member(&b, Role::Owner).await;
    let tok_b = Some(owner_b.token.as_str());

    // Reads of A's private initiative and organisation: not found, both ways.
    for (query, path) in initiative_reads(&a.initiative) {
        let rest = app.get(&path, tok_b).await;
        let gql = graphql(&app, &query, json!({"id": a.initiative}), tok_b).await;
        same_error(&rest, &gql, "NOT_FOUND", &path);
        assert_eq!(gql.body["data"], Value::Null, "{path}: nothing leaks");
        // The owner reads the same field.
        let own = graphql(&app, &query, json!({"id": a.initiative}), Some(&a.editor)).await;
        data(&own);
    }
    for (query, path) in [
        (
            "query($id: UUID!) { organizationOffers(organizationId: $id) { resourceKinds } }",
            format!("/api/v1/organizations/{}/offers", a.private_org),
        ),
        (
            "query($id: UUID!) { organizationLeverage(organizationId: $id) { initiativeCount } }",
            format!("/api/v1/organizations/{}/leverage", a.private_org),
        ),
    ] {
        let rest = app.get(&path, tok_b).await;
        let gql = graphql(&app, query, json!({"id": a.private_org}), tok_b).await;
        same_error(&rest, &gql, "NOT_FOUND", &path);
    }

    // Writes for A's initiative and organisations: refused as REST refuses them.
    let designate = graphql(
        &app,
        DESIGNATE,
        json!({"country": "ML", "id": a.initiative}),
        tok_b,
    )
    .await;
    let rest = put(
        &app,
        "/api/v1/wsis/showcase/ML",
        tok_b,
        json!({"initiative_id": a.initiative}),
    )
    .await;
    same_error(
        &rest,
        &designate,
        "NOT_FOUND",
        "designation of A's initiative",
    );
    let value = graphql(
        &app,
        &set_value(),
        json!({"id": a.initiative, "version": 1, "input": {"ratings": []}}),
        tok_b,
    )
    .await;
    let rest = app
        .send(
            Method::PUT,
            &format!("/api/v1/initiatives/{}/value-assessment", a.initiative),
            tok_b,
            &[("If-Match", "\"1\"")],
            Some(&json!({"ratings": []})),
        )
        .await;
    same_error(&rest, &value, "NOT_FOUND", "assessment of A's initiative");
    let levers = graphql(
        &app,
        SET_LEVERS,
        json!({"id": a.initiative, "levers": ["STANDARDS"]}),
        tok_b,
    )
    .await;
    let rest = put(
        &app,
        &format!("/api/v1/initiatives/{}/levers", a.initiative),
        tok_b,
        json!({"levers": ["standards"]}),
    )
    .await;
    same_error(&rest, &levers, "NOT_FOUND", "levers of A's initiative");
    let needs = graphql(
        &app,
        SET_NEEDS,
        json!({"id": a.initiative, "needs": []}),
        tok_b,
    )
    .await;
    let rest = put(
        &app,
        &format!("/api/v1/initiatives/{}/needs", a.initiative),
        tok_b,
        json!({"needs": []}),
    )
    .await;
    same_error(&rest, &needs, "NOT_FOUND", "needs of A's initiative");
    let offers = graphql(
        &app,
        SET_OFFERS,
        json!({"id": a.private_org, "input": {}}),
        tok_b,
    )
    .await;
    let rest = put(
        &app,
        &format!("/api/v1/organizations/{}/offers", a.private_org),
        tok_b,
        json!({}),
    )
    .await;
    same_error(
        &rest,
        &offers,
        "NOT_FOUND",
        "offers of A's private organisation",
    );
    let offers = graphql(
        &app,
        SET_OFFERS,
        json!({"id": a.public_org, "input": {}}),
        tok_b,
    )
    .await;
    let rest = put(
        &app,
        &format!("/api/v1/organizations/{}/offers", a.public_org),
        tok_b,
        json!({}),
    )
    .await;
    same_error(
        &rest,
        &offers,
        "FORBIDDEN",
        "offers of A's public organisation",
    );

    // Nothing of A changed.
    let own = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { levers needs valueAssessment { version ratings { source } } } }",
        json!({"id": a.initiative}),
        Some(&a.editor),
    )
    .await;
    assert_eq!(
        data(&own)["initiative"],
        json!({"levers": [], "needs": ["CASH"], "valueAssessment": {"version": 1, "ratings": [{"source": "SCALE"}]}})
    );
    let offers = graphql(&app, OFFERS, json!({"id": a.public_org}), Some(&a.editor)).await;
    assert_eq!(
        data(&offers)["organizationOffers"]["resourceKinds"],
        json!(["CASH"])
    );
    let table = graphql(&app, SHOWCASE, json!({}), Some(&a.editor)).await;
    assert_eq!(
        data(&table)["wsisShowcase"]["countries"][0]["designations"],
        json!([])
    );

    // B's cross-initiative views hold nothing of A's.
    let views = graphql(
        &app,
        "{ dashboard { total } wsisShowcase { countries { country } } wsisCoverage { rows { country } } }",
        json!({}),
        tok_b,
    )
    .await;
    assert_eq!(
        data(&views),
        &json!({"dashboard": {"total": 0}, "wsisShowcase": {"countries": []}, "wsisCoverage": {"rows": []}})
    );
    // ... while A's own views count it.
    let views = graphql(
        &app,
        "{ dashboard { total } wsisCoverage { rows { country total } } }",
        json!({}),
        Some(&a.editor),
    )
    .await;
    assert_eq!(
        data(&views),
        &json!({"dashboard": {"total": 1}, "wsisCoverage": {"rows": [{"country": "ML", "total": 1}]}})
    );
}

async fn anonymous_callers_see_public_only(app: TestApp) {
    let a = tenant_a(&app, "gql-anon").await;
    let public = id(&app.public_initiative(&a.editor, "Public partnership").await);
    let r = put(
        &app,
        &format!("/api/v1/initiatives/{public}/value-assessment"),
        Some(&a.editor),
        json!({"ratings": [{"source": "holism", "rating": 2}]}),
    )
    .await;
    assert_eq!(r.status, 200);

    // The public initiative reads the same for anonymous callers through both APIs.
    let gql = graphql(
        &app,
        &format!(
            "query($id: UUID!) {{
               showcaseEligibility(initiativeId: $id) {{ initiativeId title eligible criteria {{ criterion passed reason }} }}
               valueAssessment(initiativeId: $id) {{ {VALUE_FIELDS} }}
               stakeholderMap(initiativeId: $id) {{ {m} }}
               initiativeLeverage(initiativeId: $id) {{ {l} }}
             }}",
            m = map_fields(),
            l = leverage_fields()
        ),
        json!({"id": public}),
        None,
    )
    .await;
    let d = data(&gql);
    for (field, path, enums) in [
        ("showcaseEligibility", "showcase-eligibility", &[][..]),
        ("valueAssessment", "value-assessment", VALUE_ENUMS),
        ("stakeholderMap", "stakeholder-map", MAP_ENUMS),
        ("initiativeLeverage", "leverage", LEVERAGE_ENUMS),
    ] {
        let rest = app
            .get(&format!("/api/v1/initiatives/{public}/{path}"), None)
            .await;
        assert_eq!(rest.status, 200, "{path}");
        same(&rest.body, &d[field], enums, field);
    }
    assert_eq!(d["valueAssessment"]["ratings"][0]["source"], "HOLISM");
    assert_eq!(d["stakeholderMap"]["visibility"], "PUBLIC");
    let query = suggestions_query();
    let rest = app
        .get(
            &format!("/api/v1/initiatives/{public}/partner-suggestions"),
            None,
        )
        .await;
    let gql = graphql(&app, &query, json!({"id": public}), None).await;
    same(
        &rest.body,
        &data(&gql)["partnerSuggestions"],
        SUGGESTION_ENUMS,
        "anonymous suggestions",
    );
    let names: Vec<&str> = data(&gql)["partnerSuggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["organization"]["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"A's private firm"),
        "only public organisations: {names:?}"
    );
    let rest = app
        .get(
            &format!("/api/v1/organizations/{}/offers", a.public_org),
            None,
        )
        .await;
    let gql = graphql(&app, OFFERS, json!({"id": a.public_org}), None).await;
    same(
        &rest.body,
        &data(&gql)["organizationOffers"],
        OFFER_ENUMS,
        "public offers",
    );

    // The private one is not found, as a missing one.
    for (query, path) in initiative_reads(&a.initiative) {
        let rest = app.get(&path, None).await;
        let gql = graphql(&app, &query, json!({"id": a.initiative}), None).await;
        same_error(&rest, &gql, "NOT_FOUND", &path);
    }
    let rest = app
        .get(
            &format!("/api/v1/organizations/{}/offers", a.private_org),
            None,
        )
        .await;
    let gql = graphql(&app, OFFERS, json!({"id": a.private_org}), None).await;
    assert_eq!(rest.status, 404);
    assert_eq!(codes(&gql), ["NOT_FOUND", "NOT_FOUND"], "root and nested");

    // Cross-initiative views: the public picture only.
    let rest = app.get("/api/v1/analytics/dashboard", None).await;
    let gql = graphql(&app, dashboard_query(), json!({}), None).await;
    same(
        &without(&rest.body, "generated_at"),
        &without(&data(&gql)["dashboard"], "generatedAt"),
        DASHBOARD_ENUMS,
        "anonymous dashboard",
    );
    assert_eq!(data(&gql)["dashboard"]["total"], 1);
    let rest = app.get("/api/v1/wsis/coverage", None).await;
    let gql = graphql(&app, COVERAGE, json!({}), None).await;
    same(
        &rest.body,
        &coverage_as_rest(&data(&gql)["wsisCoverage"]),
        &[],
        "anonymous coverage",
    );
    assert_eq!(
        coverage_as_rest(&data(&gql)["wsisCoverage"])["rows"],
        json!([{"country": "ML", "counts": {"C4": 1}, "total": 1}]),
        "the public initiative only, not the private showcase"
    );

    // Anonymous callers change nothing.
    for (query, variables, method, path, body) in [
        (
            DESIGNATE,
            json!({"country": "ML", "id": public}),
            Method::PUT,
            "/api/v1/wsis/showcase/ML".to_owned(),
            Some(json!({"initiative_id": public})),
        ),
        (
            REMOVE,
            json!({"country": "ML"}),
            Method::DELETE,
            "/api/v1/wsis/showcase/ML".to_owned(),
            None,
        ),
        (
            SET_LEVERS,
            json!({"id": public, "levers": []}),
            Method::PUT,
            format!("/api/v1/initiatives/{public}/levers"),
            Some(json!({"levers": []})),
        ),
        (
            SET_NEEDS,
            json!({"id": public, "needs": []}),
            Method::PUT,
            format!("/api/v1/initiatives/{public}/needs"),
            Some(json!({"needs": []})),
        ),
        (
            SET_OFFERS,
            json!({"id": a.public_org, "input": {}}),
            Method::PUT,
            format!("/api/v1/organizations/{}/offers", a.public_org),
            Some(json!({})),
        ),
    ] {
        let rest = app.send(method, &path, None, &[], body.as_ref()).await;
        let gql = graphql(&app, query, variables, None).await;
        same_error(&rest, &gql, "UNAUTHENTICATED", &path);
    }
    let gql = graphql(
        &app,
        &set_value(),
        json!({"id": public, "version": 1, "input": {"ratings": []}}),
        None,
    )
    .await;
    let rest = app
        .send(
            Method::PUT,
            &format!("/api/v1/initiatives/{public}/value-assessment"),
            None,
            &[("If-Match", "\"1\"")],
            Some(&json!({"ratings": []})),
        )
        .await;
    same_error(&rest, &gql, "UNAUTHENTICATED", "anonymous assessment");
}

async fn viewers_cannot_change_anything(app: TestApp) {
    let t = app.tenant("gql-viewer").await;
    let ed = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let v = Some(viewer.token.as_str());
    let initiative = eligible(&app, &ed.token, "Viewer's showcase", "ML").await;
    let org = organization(
        &app,
        &ed.token,
        json!({"name": "Viewer's firm", "sector": "business"}),
    )
    .await;

    for (query, variables, method, path, body) in [
        (
            DESIGNATE,
            json!({"country": "ML", "id": initiative}),
            Method::PUT,
            "/api/v1/wsis/showcase/ML".to_owned(),
            Some(json!({"initiative_id": initiative})),
        ),
        (
            REMOVE,
            json!({"country": "ML"}),
            Method::DELETE,
            "/api/v1/wsis/showcase/ML".to_owned(),
            None,
        ),
        (
            SET_LEVERS,
            json!({"id": initiative, "levers": ["STANDARDS"]}),
            Method::PUT,
            format!("/api/v1/initiatives/{initiative}/levers"),
            Some(json!({"levers": ["standards"]})),
        ),
        (
            SET_NEEDS,
            json!({"id": initiative, "needs": ["CASH"]}),
            Method::PUT,
            format!("/api/v1/initiatives/{initiative}/needs"),
            Some(json!({"needs": ["cash"]})),
        ),
        (
            SET_OFFERS,
            json!({"id": org, "input": {"resourceKinds": ["CASH"]}}),
            Method::PUT,
            format!("/api/v1/organizations/{org}/offers"),
            Some(json!({"resource_kinds": ["cash"]})),
        ),
    ] {
        let rest = app.send(method, &path, v, &[], body.as_ref()).await;
        let gql = graphql(&app, query, variables, v).await;
        same_error(&rest, &gql, "FORBIDDEN", &path);
    }
    let gql = graphql(
        &app,
        &set_value(),
        json!({"id": initiative, "input": {"ratings": [{"source": "SCALE", "rating": 2}]}}),
        v,
    )
    .await;
    let rest = put(
        &app,
        &format!("/api/v1/initiatives/{initiative}/value-assessment"),
        v,
        json!({"ratings": [{"source": "scale", "rating": 2}]}),
    )
    .await;
    same_error(&rest, &gql, "FORBIDDEN", "viewer's assessment");

    // Nothing changed; the viewer still reads everything.
    let read = graphql(
        &app,
        "query($id: UUID!, $org: UUID!) {
           initiative(id: $id) { levers needs valueAssessment { version } showcaseEligibility { eligible } }
           organizationOffers(organizationId: $org) { resourceKinds }
           wsisShowcase { countries { designations { initiativeId } } }
         }",
        json!({"id": initiative, "org": org}),
        v,
    )
    .await;
    assert_eq!(
        data(&read),
        &json!({
            "initiative": {"levers": [], "needs": [], "valueAssessment": null, "showcaseEligibility": {"eligible": true}},
            "organizationOffers": {"resourceKinds": []},
            "wsisShowcase": {"countries": [{"designations": []}]},
        })
    );
    // An admin of the same tenant may designate (the role, not the tenant, refused the viewer).
    let admin = app.member(&t, Role::Admin).await;
    let done = graphql(
        &app,
        DESIGNATE,
        json!({"country": "ML", "id": initiative}),
        Some(&admin.token),
    )
    .await;
    assert_eq!(
        data(&done)["designateShowcase"]["initiativeId"],
        json!(initiative)
    );
}
