//! The health check of a partnership against the six fundamentals: self-assessments (filed,
//! read, changed, checked), the report (findings with reasons, disagreement, trend, the weakest
//! fundamental and what addresses it), tenancy, the showcase criterion and GraphQL.

use msp_tests::{Resp, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

use crate::graphql::graphql;

both_databases!(
    the_reference_vocabularies_list_fundamentals_and_competencies,
    an_assessment_is_filed_read_changed_and_recorded,
    every_bad_field_of_an_assessment_is_named,
    another_tenant_neither_reads_nor_files,
    the_report_names_findings_disagreement_and_trend,
    without_the_setting_the_showcase_has_no_health_criterion,
    graphql_files_and_reports_as_rest_does,
    the_demo_shows_a_health_report,
);

both_databases!(vars = super::STRICT; the_showcase_needs_the_minimum_health);

const STRICT: &[(&str, &str)] = &[("MSP_SHOWCASE_MIN_HEALTH", "4.5")];

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A partner of `initiative` from an organisation of `sector`.
async fn partner(app: &TestApp, token: &str, initiative: &str, name: &str, sector: &str) -> String {
    let org = app
        .post(
            "/api/v1/organizations",
            Some(token),
            &json!({"name": name, "sector": sector, "country": "ML", "visibility": "private"}),
        )
        .await;
    assert_eq!(org.status, 201, "{:?}", org.body);
    let p = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/partners"),
            Some(token),
            &json!({"organization_id": id(&org.body), "roles": ["lead"], "gains": ["social_cause"]}),
        )
        .await;
    assert_eq!(p.status, 201, "{:?}", p.body);
    id(&p.body)
}

async fn file(app: &TestApp, token: &str, initiative: &str, body: Value) -> Resp {
    app.post(
        &format!("/api/v1/initiatives/{initiative}/health-assessments"),
        Some(token),
        &body,
    )
    .await
}

fn fundamental<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["fundamentals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report}"))
}

async fn the_reference_vocabularies_list_fundamentals_and_competencies(app: TestApp) {
    let f = app.get("/api/v1/reference/fundamentals", None).await;
    assert_eq!(f.status, 200);
    let codes: Vec<&str> = f
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "value_creation",
            "stakeholders_resources",
            "shared_vision",
            "compatible_values",
            "empowered_partners",
            "senior_commitment"
        ]
    );
    let c = app.get("/api/v1/reference/competencies", None).await;
    assert_eq!(c.status, 200);
    assert_eq!(c.body.as_array().unwrap().len(), 4, "M, U, S, T");
    assert_eq!(c.body[0]["label"], "Mindset");
}

async fn an_assessment_is_filed_read_changed_and_recorded(app: TestApp) {
    let t = app.tenant("health-life").await;
    let ed = app.member(&t, Role::Editor).await.token;
    let i = id(&app.initiative(&ed, "Clinic network").await);
    let p = partner(&app, &ed, &i, "District health office", "government").await;
    let filed = file(
        &app,
        &ed,
        &i,
        json!({"kind": "fundamentals", "partner_id": p, "assessed_on": "2026-03-01",
               "ratings": [{"code": "shared_vision", "rating": 4, "note": " Agreed in March "}]}),
    )
    .await;
    assert_eq!(filed.status, 201, "{:?}", filed.body);
    assert_eq!(filed.body["ratings"][0]["note"], "Agreed in March");
    let path = format!(
        "/api/v1/initiatives/{i}/health-assessments/{}",
        id(&filed.body)
    );
    assert_eq!(filed.header("location").unwrap(), path);

    let got = app.get(&path, Some(&ed)).await;
    assert_eq!(
        (got.status, got.body["partner_id"].as_str()),
        (200, Some(p.as_str()))
    );
    let changed = app
        .patch(
            &path,
            Some(&ed),
            Some(&got.etag()),
            &json!({"ratings": [{"code": "shared_vision", "rating": 2}]}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["version"], 2);
    let stale = app
        .patch(
            &path,
            Some(&ed),
            Some("\"1\""),
            &json!({"assessed_on": "2026-03-02"}),
        )
        .await;
    assert_eq!(stale.status, 412);

    let list = app
        .get(
            &format!("/api/v1/initiatives/{i}/health-assessments?kind=fundamentals"),
            Some(&ed),
        )
        .await;
    assert_eq!(list.body["total"], 1, "{:?}", list.body);
    let history = app
        .get(
            &format!("/api/v1/initiatives/{i}/history?per_page=100"),
            Some(&ed),
        )
        .await;
    let ops: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_type"] == "health_assessment")
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["update", "create"]);
    let feed = app.get("/api/v1/changes", Some(&ed)).await;
    assert!(
        feed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity_type"] == "health_assessment"),
        "{:?}",
        feed.body
    );
    assert_eq!(
        app.delete(&path, Some(&ed), Some("\"2\"")).await.status,
        204
    );
    assert_eq!(app.get(&path, Some(&ed)).await.status, 404);
}

async fn every_bad_field_of_an_assessment_is_named(app: TestApp) {
    let t = app.tenant("health-bad").await;
    let ed = app.member(&t, Role::Editor).await.token;
    let i = id(&app.initiative(&ed, "Bad ratings").await);
    let bad = file(
        &app,
        &ed,
        &i,
        json!({"kind": "fundamentals",
               "ratings": [{"code": "value_creation", "rating": 6},
                           {"code": "mindset", "rating": 3},
                           {"code": "value_creation", "rating": 0}]}),
    )
    .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "partner_id",
            "ratings[0].rating",
            "ratings[1].code",
            "ratings[2].code",
            "ratings[2].rating"
        ]
    );
    let p = partner(&app, &ed, &i, "A firm", "business").await;
    let team = file(
        &app,
        &ed,
        &i,
        json!({"kind": "competencies", "partner_id": p, "ratings": []}),
    )
    .await;
    assert_eq!(team.status, 422);
    let mut fields = team.error_fields();
    fields.sort();
    assert_eq!(fields, ["partner_id", "ratings"]);
    let listed = app
        .get(
            &format!("/api/v1/initiatives/{i}/health-assessments"),
            Some(&ed),
        )
        .await;
    assert_eq!(listed.body["total"], 0, "nothing was written");
}

async fn another_tenant_neither_reads_nor_files(app: TestApp) {
    let a = app.tenant("health-a").await;
    let ed = app.member(&a, Role::Editor).await.token;
    let owner = app.member(&a, Role::Owner).await.token;
    let private = id(&app.initiative(&ed, "Private health").await);
    let public = id(&app.public_initiative(&owner, "Public health").await);
    for i in [&private, &public] {
        let filed = file(
            &app,
            &owner,
            i,
            json!({"kind": "competencies",
            "ratings": [{"code": "mindset", "rating": 3}]}),
        )
        .await;
        assert_eq!(filed.status, 201, "{:?}", filed.body);
    }
    let b = app.tenant("health-b").await;
    let outsider = app.member(&b, Role::Admin).await.token;
    for path in ["health", "health-assessments"] {
        let r = app
            .get(
                &format!("/api/v1/initiatives/{private}/{path}"),
                Some(&outsider),
            )
            .await;
        assert_eq!(r.status, 404, "{path}: {:?}", r.body);
        assert_eq!(
            app.get(&format!("/api/v1/initiatives/{private}/{path}"), None)
                .await
                .status,
            404
        );
        let r = app
            .get(
                &format!("/api/v1/initiatives/{public}/{path}"),
                Some(&outsider),
            )
            .await;
        assert_eq!(r.status, 200, "a public initiative's {path} is public");
    }
    let body = json!({"kind": "competencies", "ratings": [{"code": "mindset", "rating": 1}]});
    assert_eq!(
        file(&app, &outsider, &private, body.clone()).await.status,
        404
    );
    assert_eq!(file(&app, &outsider, &public, body).await.status, 403);
    let viewer = app.member(&a, Role::Viewer).await.token;
    let body = json!({"kind": "competencies", "ratings": [{"code": "mindset", "rating": 1}]});
    assert_eq!(file(&app, &viewer, &private, body).await.status, 403);
}

async fn the_report_names_findings_disagreement_and_trend(app: TestApp) {
    let t = app.tenant("health-report").await;
    let ed = app.member(&t, Role::Editor).await.token;
    let i = id(&app.initiative(&ed, "Connected schools").await);
    let ministry = partner(&app, &ed, &i, "Ministry of Education", "government").await;
    let operator = partner(&app, &ed, &i, "National operator", "business").await;
    let rate = |p: &str, on: &str, value: i32, vision: i32| {
        json!({"kind": "fundamentals", "partner_id": p, "assessed_on": on,
               "ratings": [{"code": "value_creation", "rating": value},
                           {"code": "shared_vision", "rating": vision}]})
    };
    for body in [
        rate(&ministry, "2026-01-15", 2, 5),
        rate(&ministry, "2026-06-15", 4, 5),
        rate(&operator, "2026-06-15", 4, 1),
    ] {
        assert_eq!(file(&app, &ed, &i, body).await.status, 201);
    }
    let team = json!({"kind": "competencies", "assessed_on": "2026-06-15",
                      "ratings": [{"code": "technical_knowledge", "rating": 2}]});
    assert_eq!(file(&app, &ed, &i, team).await.status, 201);

    let r = app
        .get(&format!("/api/v1/initiatives/{i}/health"), Some(&ed))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let report = &r.body;
    assert_eq!(report["assessments"], 4);

    let vision = fundamental(report, "shared_vision");
    assert_eq!(vision["self_assessment"]["min"], 1);
    assert_eq!(vision["self_assessment"]["max"], 5);
    assert_eq!(vision["self_assessment"]["disagreement"], true);
    assert_eq!(report["disagreements"], json!(["shared_vision"]));

    let value = fundamental(report, "value_creation");
    assert_eq!(
        value["self_assessment"]["mean"], 4.0,
        "each partner's latest counts"
    );
    assert_eq!(value["self_assessment"]["disagreement"], false);
    let trend: Vec<f64> = value["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mean"].as_f64().unwrap())
        .collect();
    assert_eq!(trend, [2.0, 4.0]);
    assert_eq!(value["trend_direction"], "improving");
    let codes: Vec<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["no_value_assessment"],
        "no value assessment is recorded"
    );

    let stakeholders = fundamental(report, "stakeholders_resources");
    let found = stakeholders["findings"].as_array().unwrap();
    let several = found
        .iter()
        .find(|f| f["code"] == "several_sectors")
        .unwrap();
    assert_eq!(several["signal"], "strength");
    assert!(
        several["reason"]
            .as_str()
            .unwrap()
            .contains("business, government"),
        "{several}"
    );

    let senior = fundamental(report, "senior_commitment");
    assert_eq!(senior["findings"][0]["code"], "nothing_signed");
    assert_eq!(senior["score"], 2.0, "one concern, no self-assessment");

    // The weakest fundamental is the lowest score, and the suggestion addresses it.
    let scores: Vec<f64> = report["fundamentals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["score"].as_f64())
        .collect();
    let lowest = scores.iter().copied().fold(f64::MAX, f64::min);
    let weakest = report["suggestion"]["fundamental"].as_str().unwrap();
    assert_eq!(fundamental(report, weakest)["score"].as_f64(), Some(lowest));
    assert!(
        !report["suggestion"]["levers"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(report["suggestion"]["next_stage"].is_string());
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    assert!((report["overall_score"].as_f64().unwrap() - mean).abs() < 0.01);

    let technical = &report["competencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "technical_knowledge")
        .unwrap();
    assert_eq!(technical["latest"], 2);
}

async fn without_the_setting_the_showcase_has_no_health_criterion(app: TestApp) {
    let t = app.tenant("health-off").await;
    let ed = app.member(&t, Role::Editor).await.token;
    let i = id(&app.initiative(&ed, "No criterion").await);
    let r = app
        .get(
            &format!("/api/v1/initiatives/{i}/showcase-eligibility"),
            Some(&ed),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        !r.body["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["criterion"] == "health")
    );
}

async fn the_showcase_needs_the_minimum_health(app: TestApp) {
    let t = app.tenant("health-strict").await;
    let ed = app.member(&t, Role::Editor).await.token;
    let i = id(&app.initiative(&ed, "Weak health").await);
    let p = partner(&app, &ed, &i, "Ministry", "government").await;
    let weak = json!({"kind": "fundamentals", "partner_id": p,
                      "ratings": [{"code": "compatible_values", "rating": 1}]});
    assert_eq!(file(&app, &ed, &i, weak).await.status, 201);
    let overall = app
        .get(&format!("/api/v1/initiatives/{i}/health"), Some(&ed))
        .await
        .body["overall_score"]
        .as_f64()
        .unwrap();
    assert!(overall < 4.5);
    let r = app
        .get(
            &format!("/api/v1/initiatives/{i}/showcase-eligibility"),
            Some(&ed),
        )
        .await;
    let health = r.body["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "health")
        .unwrap()
        .clone();
    assert_eq!(health["passed"], false);
    assert_eq!(
        health["reason"],
        format!("overall health score {overall} of 5, below 4.5")
    );
    assert_eq!(r.body["eligible"], false);
}

async fn graphql_files_and_reports_as_rest_does(app: TestApp) {
    let t = app.tenant("health-gql").await;
    let ed = app.member(&t, Role::Editor).await.token;
    let i = id(&app.initiative(&ed, "Graph health").await);
    let p = partner(&app, &ed, &i, "Telecom", "business").await;
    let added = graphql(
        &app,
        "mutation($i: UUID!, $p: UUID!) { addHealthAssessment(initiativeId: $i, input: {
             kind: FUNDAMENTALS, partnerId: $p, assessedOn: \"2026-02-01\",
             ratings: [{code: \"empowered_partners\", rating: 3, note: \"Fair\"}]}) {
           id kind partnerId ratings { code rating note } version } }",
        json!({"i": i, "p": p}),
        Some(&ed),
    )
    .await;
    assert!(added.body["errors"].is_null(), "{:?}", added.body);
    let a = &added.body["data"]["addHealthAssessment"];
    assert_eq!(a["kind"], "FUNDAMENTALS");
    assert_eq!(a["ratings"][0]["note"], "Fair");
    let bad = graphql(
        &app,
        "mutation($i: UUID!) { addHealthAssessment(initiativeId: $i, input: {
             kind: COMPETENCIES, ratings: [{code: \"nope\", rating: 9}]}) { id } }",
        json!({"i": i}),
        Some(&ed),
    )
    .await;
    assert_eq!(
        bad.body["errors"][0]["extensions"]["code"], "VALIDATION",
        "{:?}",
        bad.body
    );

    let q = graphql(
        &app,
        "query($i: UUID!) { initiativeHealth(initiativeId: $i) { overallScore disagreements assessments
             fundamentals { code score selfAssessment { mean } findings { signal code reason } }
             suggestion { fundamental levers nextStage } }
           healthAssessments(initiativeId: $i) { id } }",
        json!({"i": i}),
        Some(&ed),
    )
    .await;
    assert!(q.body["errors"].is_null(), "{:?}", q.body);
    let g = &q.body["data"]["initiativeHealth"];
    let rest = app
        .get(&format!("/api/v1/initiatives/{i}/health"), Some(&ed))
        .await
        .body;
    assert_eq!(g["overallScore"], rest["overall_score"]);
    assert_eq!(g["assessments"], rest["assessments"]);
    assert_eq!(
        g["suggestion"]["fundamental"],
        rest["suggestion"]["fundamental"]
    );
    let empowered = g["fundamentals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "empowered_partners")
        .unwrap();
    assert_eq!(empowered["selfAssessment"]["mean"], 3.0);
    assert_eq!(
        empowered["findings"].as_array().unwrap().len(),
        fundamental(&rest, "empowered_partners")["findings"]
            .as_array()
            .unwrap()
            .len()
    );
    assert_eq!(q.body["data"]["healthAssessments"][0]["id"], a["id"]);
}

async fn the_demo_shows_a_health_report(app: TestApp) {
    app.registry.seed_demo().await.unwrap();
    let found = app.get("/api/v1/initiatives?q=macedonia", None).await;
    let m = found.body["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!("/api/v1/initiatives/{m}/health"), None)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["assessments"], 3);
    assert_eq!(r.body["disagreements"], json!(["empowered_partners"]));
    assert_eq!(
        fundamental(&r.body, "value_creation")["trend_direction"],
        "improving"
    );
}
