//! The WSIS showcase: the checklist, the per-country table, designations and coverage.

use chrono::{Duration, Utc};
use msp_tests::{Resp, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    each_criterion_passes_and_fails,
    countries_meet_the_call_or_not,
    every_country_asked_for_is_listed_with_its_reason,
    only_eligible_initiatives_can_be_designated,
    coverage_counts_functioning_partnerships,
    reference_vocabularies_are_served_and_cacheable,
);

fn criterion(r: &Resp, name: &str) -> (bool, String) {
    let c = r.body["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == name)
        .unwrap_or_else(|| panic!("criterion {name} missing: {:?}", r.body));
    (
        c["passed"].as_bool().unwrap(),
        c["reason"].as_str().unwrap().to_owned(),
    )
}

/// A partner organisation of `sector` added as an active partner; returns the partner id.
async fn partner(app: &TestApp, token: &str, initiative: &str, name: &str, sector: &str) -> String {
    let org = app
        .post(
            "/api/v1/organizations",
            Some(token),
            &json!({"name": name, "sector": sector}),
        )
        .await;
    let p = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/partners"),
            Some(token),
            &json!({"organization_id": org.body["id"], "roles": ["lead"]}),
        )
        .await;
    assert_eq!(p.status, 201, "{:?}", p.body);
    p.body["id"].as_str().unwrap().to_owned()
}

async fn report(app: &TestApp, token: &str, initiative: &str, months_ago: i64) -> Resp {
    let end = Utc::now().date_naive() - Duration::days(months_ago * 30);
    app.post(
        &format!("/api/v1/initiatives/{initiative}/reports"),
        Some(token),
        &json!({"period_start": (end - Duration::days(180)).to_string(), "period_end": end.to_string(), "narrative": "Progress."}),
    )
    .await
}

/// Builds an initiative in `country` that passes every criterion; returns its id.
async fn eligible(app: &TestApp, token: &str, title: &str, country: &str) -> String {
    let i = app
        .post("/api/v1/initiatives", Some(token), &json!({"title": title, "summary": "S", "kind": "ppp", "countries": [country], "action_lines": ["C2"], "stage": "implementing"}))
        .await;
    let id = i.body["id"].as_str().unwrap().to_owned();
    let gov = partner(app, token, &id, &format!("{title} ministry"), "government").await;
    let biz = partner(app, token, &id, &format!("{title} operator"), "business").await;
    let a = app
        .post(&format!("/api/v1/initiatives/{id}/agreements"), Some(token), &json!({"agreement_type": "partnership_agreement", "title": "Agreement", "parties": [gov, biz], "status": "signed", "signed_on": "2024-01-10"}))
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    assert_eq!(report(app, token, &id, 2).await.status, 201);
    id
}

async fn each_criterion_passes_and_fails(app: TestApp) {
    let t = app.tenant("checklist").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Checklist MSP", "kind": "msp", "stage": "structure"}),
        )
        .await;
    let id = i.body["id"].as_str().unwrap().to_owned();
    let check = || {
        let app = app.clone();
        let url = format!("/api/v1/initiatives/{id}/showcase-eligibility");
        let token = ed.token.clone();
        async move { app.get(&url, Some(&token)).await }
    };
    let r = check().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["eligible"], false);
    for name in [
        "functioning",
        "public_sector",
        "sectors",
        "signed_agreement",
        "recent_report",
        "action_line",
    ] {
        assert!(!criterion(&r, name).0, "{name} fails at first");
    }
    assert!(criterion(&r, "functioning").1.contains("structure"));
    assert!(
        criterion(&r, "recent_report")
            .1
            .contains("no progress report")
    );

    let path = format!("/api/v1/initiatives/{id}");
    let patched = app
        .send(
            reqwest::Method::PATCH,
            &path,
            tok,
            &[
                ("If-Match", "\"1\""),
                ("X-Change-Reason", "registered late"),
            ],
            Some(&json!({"stage": "implementing", "action_lines": ["C7.e-health"]})),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let r = check().await;
    assert!(criterion(&r, "functioning").0);
    assert!(criterion(&r, "action_line").0);

    let gov = partner(&app, &ed.token, &id, "Ministry of Health", "government").await;
    let r = check().await;
    assert!(criterion(&r, "public_sector").0);
    assert!(!criterion(&r, "sectors").0, "one sector is not enough");
    let biz = partner(&app, &ed.token, &id, "Telecom operator", "business").await;
    let r = check().await;
    assert!(!criterion(&r, "sectors").0, "an MSP needs three sectors");
    assert!(criterion(&r, "sectors").1.contains("at least 3"));
    partner(
        &app,
        &ed.token,
        &id,
        "Patients' association",
        "civil_society",
    )
    .await;
    assert!(criterion(&check().await, "sectors").0);

    let draft = app
        .post(&format!("{path}/agreements"), tok, &json!({"agreement_type": "partnership_agreement", "title": "Draft", "parties": [gov, biz]}))
        .await;
    assert_eq!(draft.status, 201);
    assert!(
        !criterion(&check().await, "signed_agreement").0,
        "a draft is not signed"
    );
    let signed = app
        .post(&format!("{path}/agreements"), tok, &json!({"agreement_type": "partnership_agreement", "title": "Signed", "parties": [gov, biz], "status": "signed", "signed_on": "2025-06-01"}))
        .await;
    assert_eq!(signed.status, 201);
    assert!(criterion(&check().await, "signed_agreement").0);

    assert_eq!(report(&app, &ed.token, &id, 18).await.status, 201);
    let r = check().await;
    assert!(
        !criterion(&r, "recent_report").0,
        "an 18-month-old report is too old"
    );
    assert_eq!(report(&app, &ed.token, &id, 3).await.status, 201);
    let r = check().await;
    assert!(criterion(&r, "recent_report").0);
    assert_eq!(r.body["eligible"], true);

    let other = app.tenant("checklist-other").await;
    let outsider = app.member(&other, Role::Owner).await;
    assert_eq!(
        app.get(
            &format!("{path}/showcase-eligibility"),
            Some(&outsider.token)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(&format!("{path}/showcase-eligibility"), None)
            .await
            .status,
        404
    );
}

async fn countries_meet_the_call_or_not(app: TestApp) {
    let t = app.tenant("national").await;
    let ed = app.member(&t, Role::Editor).await;
    let ml = eligible(&app, &ed.token, "Mali school connectivity", "ML").await;
    // Senegal: functioning, partners, agreement, but no report: a near miss.
    let sn = app
        .post("/api/v1/initiatives", Some(&ed.token), &json!({"title": "Senegal telecentres", "kind": "ppp", "countries": ["SN"], "action_lines": ["C3"], "stage": "reviewing"}))
        .await;
    let sn_id = sn.body["id"].as_str().unwrap().to_owned();
    partner(&app, &ed.token, &sn_id, "Senegal ministry", "government").await;
    partner(&app, &ed.token, &sn_id, "Senegal operator", "business").await;
    let other = app.tenant("elsewhere").await;
    let ed_other = app.member(&other, Role::Editor).await;
    eligible(&app, &ed_other.token, "Other tenant's Kenya showcase", "KE").await;

    let table = app.get("/api/v1/wsis/showcase", Some(&ed.token)).await;
    assert_eq!(table.status, 200);
    let countries: Vec<&Value> = table.body["countries"].as_array().unwrap().iter().collect();
    let codes: Vec<&str> = countries
        .iter()
        .map(|c| c["country"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ML", "SN"], "only the tenant's initiatives");
    assert_eq!(table.body["countries_meeting_call"], 1);
    assert_eq!(countries[0]["meets_call"], true);
    assert_eq!(countries[0]["country_name"], "Mali");
    assert_eq!(countries[0]["eligible"][0]["id"], ml);
    assert_eq!(countries[1]["meets_call"], false);
    let failed: Vec<&str> = countries[1]["near_misses"][0]["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["signed_agreement", "recent_report"]);

    let one = app
        .get("/api/v1/wsis/showcase?country=sn", Some(&ed.token))
        .await;
    assert_eq!(one.body["countries"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/wsis/showcase?country=XX", Some(&ed.token))
            .await
            .status,
        400
    );

    let csv = app
        .send(
            reqwest::Method::GET,
            "/api/v1/wsis/showcase?format=csv",
            Some(&ed.token),
            &[],
            None,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.body.as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "country,country_name,meets_call,eligible_count,eligible,designated,designated_still_eligible,near_misses,reason"
    );
    assert_eq!(
        lines[1],
        "ML,Mali,true,1,Mali school connectivity,,,,1 functioning partnership passes the showcase checklist"
    );
    assert!(lines[2].starts_with(
        "SN,Senegal,false,0,,,,Senegal telecentres (fails: signed_agreement and recent_report)"
    ));

    // Anonymous callers see the public picture only: nothing is public yet.
    assert_eq!(
        app.get("/api/v1/wsis/showcase", None).await.body["countries"],
        json!([])
    );
}

async fn every_country_asked_for_is_listed_with_its_reason(app: TestApp) {
    let t = app.tenant("asked-for").await;
    let ed = app.member(&t, Role::Editor).await;
    eligible(&app, &ed.token, "Mali school connectivity", "ML").await;
    let sn = app
        .post("/api/v1/initiatives", Some(&ed.token), &json!({"title": "Senegal telecentres", "kind": "ppp", "countries": ["SN"], "stage": "reviewing"}))
        .await;
    assert_eq!(sn.status, 201);

    let france = app
        .get("/api/v1/wsis/showcase?country=FR", Some(&ed.token))
        .await;
    assert_eq!(france.status, 200, "{:?}", france.body);
    let line = &france.body["countries"][0];
    assert_eq!(line["country"], "FR");
    assert_eq!(line["country_name"], "France");
    assert_eq!(line["meets_call"], false);
    assert_eq!(line["initiative_count"], 0);
    assert_eq!(line["reason"], "no initiative is registered in France");
    assert_eq!(france.body["countries_meeting_call"], 0);

    let three = app
        .get("/api/v1/wsis/showcase?country=sn,FR,ML,FR", Some(&ed.token))
        .await;
    let lines = three.body["countries"].as_array().unwrap();
    let codes: Vec<&str> = lines
        .iter()
        .map(|c| c["country"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["FR", "ML", "SN"]);
    assert_eq!(lines[1]["meets_call"], true);
    assert!(
        lines[1]["reason"]
            .as_str()
            .unwrap()
            .contains("passes the showcase checklist"),
        "{:?}",
        lines[1]
    );
    assert_eq!(lines[2]["meets_call"], false);
    assert_eq!(lines[2]["initiative_count"], 1);
    assert!(
        lines[2]["reason"]
            .as_str()
            .unwrap()
            .starts_with("none of the 1 initiative(s) in Senegal passes"),
        "{:?}",
        lines[2]
    );
    for bad in ["XX", "FR,XX", "FR,"] {
        let r = app
            .get(
                &format!("/api/v1/wsis/showcase?country={bad}"),
                Some(&ed.token),
            )
            .await;
        assert_eq!(r.status, 400, "{bad}: {:?}", r.body);
    }
    // GraphQL answers the same table.
    let r = crate::graphql::graphql(
        &app,
        r#"{ wsisShowcase(country: "FR") { countries { country meetsCall reason initiativeCount } } }"#,
        json!({}),
        Some(&ed.token),
    )
    .await;
    assert_eq!(
        r.body["data"]["wsisShowcase"]["countries"],
        json!([{"country": "FR", "meetsCall": false, "reason": "no initiative is registered in France", "initiativeCount": 0}]),
        "{:?}",
        r.body
    );
}

async fn only_eligible_initiatives_can_be_designated(app: TestApp) {
    let t = app.tenant("designate").await;
    let ed = app.member(&t, Role::Editor).await;
    let admin = app.member(&t, Role::Admin).await;
    let id = eligible(&app, &ed.token, "Mali CLIC", "ML").await;
    let body = json!({"initiative_id": id});
    assert_eq!(
        app.send(
            reqwest::Method::PUT,
            "/api/v1/wsis/showcase/ML",
            Some(&ed.token),
            &[],
            Some(&body)
        )
        .await
        .status,
        403,
        "editors cannot designate"
    );
    let wrong_country = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/wsis/showcase/SN",
            Some(&admin.token),
            &[],
            Some(&body),
        )
        .await;
    assert_eq!(wrong_country.status, 422);
    assert_eq!(wrong_country.body["errors"][0]["code"], "other_country");
    let ok = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/wsis/showcase/ml",
            Some(&admin.token),
            &[],
            Some(&body),
        )
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.body["country"], "ML");

    let weak = app.initiative(&ed.token, "Not functioning yet").await;
    let refused = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/wsis/showcase/ML",
            Some(&admin.token),
            &[],
            Some(&json!({"initiative_id": weak["id"]})),
        )
        .await;
    assert_eq!(refused.status, 422);
    let codes: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"public_sector") && codes.contains(&"recent_report"),
        "{codes:?}"
    );

    let table = app.get("/api/v1/wsis/showcase", Some(&admin.token)).await;
    assert_eq!(
        table.body["countries"][0]["designations"][0]["still_eligible"],
        true
    );
    // The report goes: the designation stays, reported as no longer eligible.
    let reports = app
        .get(
            &format!("/api/v1/initiatives/{id}/reports"),
            Some(&ed.token),
        )
        .await;
    let rid = reports.body["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.delete(
            &format!("/api/v1/initiatives/{id}/reports/{rid}"),
            Some(&ed.token),
            Some("\"1\"")
        )
        .await
        .status,
        204
    );
    let table = app.get("/api/v1/wsis/showcase", Some(&admin.token)).await;
    assert_eq!(
        table.body["countries"][0]["designations"][0]["still_eligible"],
        false
    );
    assert_eq!(table.body["countries"][0]["meets_call"], false);

    let other = app.tenant("designate-other").await;
    let other_admin = app.member(&other, Role::Admin).await;
    let foreign = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/wsis/showcase/ML",
            Some(&other_admin.token),
            &[],
            Some(&body),
        )
        .await;
    assert_eq!(
        foreign.status, 404,
        "another tenant's private initiative cannot be named"
    );
    assert_eq!(
        app.send(
            reqwest::Method::DELETE,
            "/api/v1/wsis/showcase/ML",
            Some(&other_admin.token),
            &[],
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.send(
            reqwest::Method::DELETE,
            "/api/v1/wsis/showcase/ML",
            Some(&admin.token),
            &[],
            None
        )
        .await
        .status,
        204
    );
    let table = app.get("/api/v1/wsis/showcase", Some(&admin.token)).await;
    assert_eq!(table.body["countries"][0]["designations"], json!([]));
}

async fn coverage_counts_functioning_partnerships(app: TestApp) {
    let t = app.tenant("coverage").await;
    let ed = app.member(&t, Role::Editor).await;
    for (title, countries, lines, stage) in [
        ("A", vec!["ML", "SN"], vec!["C2", "C4"], "implementing"),
        ("B", vec!["ML"], vec!["C2"], "sustaining"),
        ("C", vec!["ML"], vec!["C2"], "agree_vision"),
    ] {
        let r = app
            .post("/api/v1/initiatives", Some(&ed.token), &json!({"title": title, "kind": "msp", "countries": countries, "action_lines": lines, "stage": stage}))
            .await;
        assert_eq!(r.status, 201);
    }
    let c = app.get("/api/v1/wsis/coverage", Some(&ed.token)).await;
    assert_eq!(c.status, 200);
    assert_eq!(c.body["action_lines"].as_array().unwrap().len(), 19);
    assert_eq!(
        c.body["rows"],
        json!([
            {"country": "ML", "counts": {"C2": 2, "C4": 1}, "total": 2},
            {"country": "SN", "counts": {"C2": 1, "C4": 1}, "total": 1},
        ])
    );
    assert_eq!(
        app.get("/api/v1/wsis/coverage", None).await.body["rows"],
        json!([]),
        "nothing public"
    );
}

async fn reference_vocabularies_are_served_and_cacheable(app: TestApp) {
    for (kind, count) in [
        ("action-lines", 19),
        ("sdgs", 17),
        ("sectors", 7),
        ("roles", 7),
        ("journey-stages", 12),
        ("spectrum", 3),
        ("engagement-models", 4),
        ("value-sources", 10),
        ("levers", 13),
        ("resource-kinds", 13),
    ] {
        let r = app.get(&format!("/api/v1/reference/{kind}"), None).await;
        assert_eq!(r.status, 200, "{kind}");
        assert_eq!(r.body.as_array().unwrap().len(), count, "{kind}");
        let etag = r.etag();
        assert!(!etag.is_empty());
        let again = app
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/reference/{kind}"),
                None,
                &[("If-None-Match", &etag)],
                None,
            )
            .await;
        assert_eq!(again.status, 304, "{kind}");
    }
    let sdgs = app.get("/api/v1/reference/sdgs", None).await;
    assert_eq!(sdgs.body[8]["code"], "9");
    assert!(
        sdgs.body[8]["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "9.c")
    );
    assert_eq!(app.get("/api/v1/reference/planets", None).await.status, 404);
}
