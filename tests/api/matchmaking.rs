//! Levers and needs, offers, partner suggestions and value assessments.

use msp_tests::{TestApp, both_databases, json};
use reqwest::Method;
use service::Role;

both_databases!(
    levers_and_needs_are_kept_and_filterable,
    suggestions_rank_and_explain,
    an_offer_of_a_main_action_line_covers_its_sub_lines,
    value_assessment_rates_and_summarises,
);

async fn levers_and_needs_are_kept_and_filterable(app: TestApp) {
    let t = app.tenant("levers").await;
    let ed = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let i = app.initiative(&ed.token, "Connectivity vouchers").await;
    let id = i["id"].as_str().unwrap();
    app.initiative(&ed.token, "Other").await;
    let put = |path: String, body: serde_json::Value, token: String| {
        let app = app.clone();
        async move {
            app.send(Method::PUT, &path, Some(&token), &[], Some(&body))
                .await
        }
    };
    let r = put(format!("/api/v1/initiatives/{id}/levers"), json!({"levers": ["affordable_finance", "infrastructure_development", "affordable_finance"]}), ed.token.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["levers"],
        json!(["affordable_finance", "infrastructure_development"])
    );
    let bad = put(
        format!("/api/v1/initiatives/{id}/levers"),
        json!({"levers": ["magic"]}),
        ed.token.clone(),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        put(
            format!("/api/v1/initiatives/{id}/needs"),
            json!({"needs": ["cash"]}),
            viewer.token.clone()
        )
        .await
        .status,
        403
    );
    assert_eq!(
        put(
            format!("/api/v1/initiatives/{id}/needs"),
            json!({"needs": ["cash", "connectivity"]}),
            ed.token.clone()
        )
        .await
        .status,
        200
    );

    let read = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(&ed.token))
        .await;
    assert_eq!(
        read.body["levers"],
        json!(["affordable_finance", "infrastructure_development"])
    );
    assert_eq!(read.body["needs"], json!(["cash", "connectivity"]));
    assert_eq!(read.etag(), "\"3\"", "each change raises the version");
    // An ordinary PATCH keeps them.
    let patched = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            Some(&ed.token),
            Some("\"3\""),
            &json!({"countries": ["RW"]}),
        )
        .await;
    assert_eq!(patched.body["levers"].as_array().unwrap().len(), 2);
    let filtered = app
        .get(
            "/api/v1/initiatives?lever=affordable_finance",
            Some(&ed.token),
        )
        .await;
    assert_eq!(filtered.body["total"], 1);
    assert_eq!(filtered.body["items"][0]["title"], "Connectivity vouchers");
    let history = app
        .get(
            &format!("/api/v1/initiatives/{id}/history"),
            Some(&ed.token),
        )
        .await;
    assert!(
        history.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["changes"][0]["field"] == "levers")
    );

    let other = app.tenant("levers-other").await;
    let outsider = app.member(&other, Role::Owner).await;
    assert_eq!(
        put(
            format!("/api/v1/initiatives/{id}/levers"),
            json!({"levers": []}),
            outsider.token.clone()
        )
        .await
        .status,
        404
    );
}

async fn an_offer_of_a_main_action_line_covers_its_sub_lines(app: TestApp) {
    let t = app.tenant("match-lines").await;
    let ed = app.member(&t, Role::Editor).await;
    let i = app
        .post("/api/v1/initiatives", Some(&ed.token), &json!({"title": "Rural telemedicine", "kind": "msp", "action_lines": ["C7.e-health", "C4"]}))
        .await;
    let id = i.body["id"].as_str().unwrap();
    for (name, lines) in [
        ("Health ICT NGO", json!(["C7"])),
        ("Farm ICT NGO", json!(["C7.e-agriculture"])),
    ] {
        let org = app
            .post(
                "/api/v1/organizations",
                Some(&ed.token),
                &json!({"name": name, "sector": "civil_society"}),
            )
            .await;
        let path = format!(
            "/api/v1/organizations/{}/offers",
            org.body["id"].as_str().unwrap()
        );
        let r = app
            .send(
                Method::PUT,
                &path,
                Some(&ed.token),
                &[],
                Some(&json!({"action_lines": lines})),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let s = app
        .get(
            &format!("/api/v1/initiatives/{id}/partner-suggestions"),
            Some(&ed.token),
        )
        .await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    let found: Vec<(&str, &serde_json::Value)> = s
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["organization"]["name"].as_str().unwrap(),
                &x["shared_action_lines"],
            )
        })
        .collect();
    // C7 takes in C7.e-health; another sub-line of C7 does not.
    assert_eq!(found, [("Health ICT NGO", &json!(["C7.e-health"]))]);
}

async fn suggestions_rank_and_explain(app: TestApp) {
    let t = app.tenant("match").await;
    let other = app.tenant("match-other").await;
    let ed = app.member(&t, Role::Editor).await;
    let ed_other = app.member(&other, Role::Editor).await;
    let i = app
        .post("/api/v1/initiatives", Some(&ed.token), &json!({"title": "School connectivity", "kind": "msp", "countries": ["MK"], "action_lines": ["C2", "C4"]}))
        .await;
    let id = i.body["id"].as_str().unwrap().to_owned();
    let ministry = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "Ministry of Education", "sector": "government", "country": "MK"}),
        )
        .await;
    app.post(
        &format!("/api/v1/initiatives/{id}/partners"),
        Some(&ed.token),
        &json!({"organization_id": ministry.body["id"], "roles": ["implementer"]}),
    )
    .await;
    assert_eq!(
        app.send(
            Method::PUT,
            &format!("/api/v1/initiatives/{id}/needs"),
            Some(&ed.token),
            &[],
            Some(&json!({"needs": ["connectivity", "hardware"]}))
        )
        .await
        .status,
        200
    );

    let offer = |org: serde_json::Value, offers: serde_json::Value, token: String| {
        let app = app.clone();
        async move {
            let r = app
                .send(
                    Method::PUT,
                    &format!(
                        "/api/v1/organizations/{}/offers",
                        org["id"].as_str().unwrap()
                    ),
                    Some(&token),
                    &[],
                    Some(&offers),
                )
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
    };
    let operator = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "National operator", "sector": "business", "country": "MK"}),
        )
        .await;
    offer(operator.body.clone(), json!({"resource_kinds": ["connectivity", "hardware"], "action_lines": ["C2"], "countries": ["mk"]}), ed.token.clone()).await;
    let vendor = app
        .post(
            "/api/v1/organizations",
            Some(&ed_other.token),
            &json!({"name": "Equipment vendor", "sector": "business", "visibility": "public"}),
        )
        .await;
    offer(
        vendor.body.clone(),
        json!({"resource_kinds": ["hardware"]}),
        ed_other.token.clone(),
    )
    .await;
    let hidden = app
        .post(
            "/api/v1/organizations",
            Some(&ed_other.token),
            &json!({"name": "Hidden firm", "sector": "business", "country": "MK"}),
        )
        .await;
    offer(
        hidden.body.clone(),
        json!({"resource_kinds": ["connectivity"]}),
        ed_other.token.clone(),
    )
    .await;
    let ngo = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "Unrelated NGO", "sector": "civil_society", "country": "KE"}),
        )
        .await;
    let _ = ngo;
    // Another tenant's organisation cannot be given offers by this tenant.
    let foreign = app
        .send(
            Method::PUT,
            &format!(
                "/api/v1/organizations/{}/offers",
                vendor.body["id"].as_str().unwrap()
            ),
            Some(&ed.token),
            &[],
            Some(&json!({})),
        )
        .await;
    assert_eq!(foreign.status, 403);

    let s = app
        .get(
            &format!("/api/v1/initiatives/{id}/partner-suggestions"),
            Some(&ed.token),
        )
        .await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    let names: Vec<&str> = s
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["organization"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["National operator", "Equipment vendor"],
        "ranked; private firms of others and unrelated ones left out; active partners excluded"
    );
    let top = &s.body[0];
    assert_eq!(top["score"], 3 * 2 + 2 + 2 + 1);
    assert_eq!(top["covers_needs"], json!(["connectivity", "hardware"]));
    assert_eq!(top["adds_sector"], "business");
    assert_eq!(top["shared_countries"], json!(["MK"]));
    assert_eq!(top["shared_action_lines"], json!(["C2"]));
    assert_eq!(top["reasons"].as_array().unwrap().len(), 4);
    assert_eq!(s.body[1]["score"], 3 + 2);
    assert_eq!(
        app.get(
            &format!("/api/v1/initiatives/{id}/partner-suggestions?limit=0"),
            Some(&ed.token)
        )
        .await
        .status,
        400
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/initiatives/{id}/partner-suggestions"),
            Some(&ed_other.token)
        )
        .await
        .status,
        404
    );
}

async fn value_assessment_rates_and_summarises(app: TestApp) {
    let t = app.tenant("value").await;
    let ed = app.member(&t, Role::Editor).await;
    let i = app.initiative(&ed.token, "Valued").await;
    let path = format!(
        "/api/v1/initiatives/{}/value-assessment",
        i["id"].as_str().unwrap()
    );
    assert_eq!(app.get(&path, Some(&ed.token)).await.status, 404);
    let body = json!({"ratings": [
        {"source": "complementarity", "rating": 3, "note": "network plus demand"},
        {"source": "scale", "rating": 2},
        {"source": "innovation", "rating": 1}],
        "partnering_cost": {"amount": "45000.5", "currency": "usd"}});
    let created = app
        .send(Method::PUT, &path, Some(&ed.token), &[], Some(&body))
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(created.etag(), "\"1\"");
    assert_eq!(created.body["summary"]["score"], 6);
    assert_eq!(created.body["summary"]["max_score"], 30);
    assert_eq!(
        created.body["summary"]["value_created_by"],
        json!(["complementarity", "scale"])
    );
    assert_eq!(
        created.body["summary"]["not_assessed"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    assert_eq!(
        created.body["partnering_cost"],
        json!({"amount": "45000.50", "currency": "USD"})
    );
    assert_eq!(
        app.send(Method::PUT, &path, Some(&ed.token), &[], Some(&body))
            .await
            .status,
        428,
        "replacing needs If-Match"
    );
    assert_eq!(
        app.send(
            Method::PUT,
            &path,
            Some(&ed.token),
            &[("If-Match", "\"9\"")],
            Some(&body)
        )
        .await
        .status,
        412
    );
    let bad = app
        .send(Method::PUT, &path, Some(&ed.token), &[("If-Match", "\"1\"")], Some(&json!({"ratings": [{"source": "scale", "rating": 4}, {"source": "scale", "rating": 1}], "partnering_cost": {"amount": "12.345", "currency": "EUR"}})))
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.error_fields(),
        [
            "ratings[0].rating",
            "ratings[1].source",
            "partnering_cost.amount"
        ]
    );
    let replaced = app
        .send(
            Method::PUT,
            &path,
            Some(&ed.token),
            &[("If-Match", "\"1\"")],
            Some(&json!({"ratings": []})),
        )
        .await;
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.body["summary"]["score"], 0);
    assert_eq!(
        app.get(&path, None).await.status,
        404,
        "a private initiative's assessment is private"
    );
}
