//! Partners of an initiative.

use msp_tests::{TestApp, both_databases, json};
use service::Role;

both_databases!(
    partner_lifecycle_and_rules,
    organizations_in_use_cannot_be_deleted,
    a_patched_partner_answers_its_stored_version,
    a_partner_takes_at_least_one_role,
);

async fn partner_lifecycle_and_rules(app: TestApp) {
    let t = app.tenant("partners").await;
    let other = app.tenant("elsewhere").await;
    let ed = app.member(&t, Role::Editor).await;
    let ed_other = app.member(&other, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = app.initiative(&ed.token, "Programa para o Futuro").await;
    let base = format!("/api/v1/initiatives/{}/partners", i["id"].as_str().unwrap());
    let org = app.organization(&ed.token, "Local NGO", "private").await;

    let created = app
        .post(&base, tok, &json!({"organization_id": org["id"], "roles": ["implementer", "coordinator", "implementer"], "gains": ["social_cause"], "interest": 5, "influence": 2, "joined_on": "2001-05-01"}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["roles"], json!(["implementer", "coordinator"]));
    assert_eq!(created.body["iati_roles"], json!([3, 4]));
    assert_eq!(created.body["organization"]["name"], "Local NGO");
    assert_eq!(created.body["status"], "active");
    let path = format!("{base}/{}", created.body["id"].as_str().unwrap());

    let dup = app
        .post(
            &base,
            tok,
            &json!({"organization_id": org["id"], "roles": ["implementer"]}),
        )
        .await;
    assert_eq!(
        dup.status, 409,
        "an organisation appears once per initiative"
    );

    let bad = app.post(&base, tok, &json!({"organization_id": uuid::Uuid::now_v7(), "roles": ["lead"], "interest": 9, "influence": 0, "joined_on": "2020-01-01", "left_on": "2019-01-01"})).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), ["interest", "influence", "left_on"]);
    let unknown = app
        .post(
            &base,
            tok,
            &json!({"organization_id": uuid::Uuid::now_v7(), "roles": ["implementer"]}),
        )
        .await;
    assert_eq!(unknown.error_fields(), ["organization_id"]);

    // Another tenant's private organisation cannot be named; a public one can.
    let private_elsewhere = app
        .organization(&ed_other.token, "Hidden firm", "private")
        .await;
    let hidden = app
        .post(
            &base,
            tok,
            &json!({"organization_id": private_elsewhere["id"], "roles": ["implementer"]}),
        )
        .await;
    assert_eq!(hidden.status, 422);
    let public_elsewhere = app
        .organization(&ed_other.token, "Open firm", "public")
        .await;
    assert_eq!(
        app.post(
            &base,
            tok,
            &json!({"organization_id": public_elsewhere["id"], "roles": ["implementer"]})
        )
        .await
        .status,
        201
    );

    let updated = app
        .patch(
            &path,
            tok,
            Some("\"1\""),
            &json!({"status": "former", "left_on": "2006-12-31", "interest": null}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.body["interest"], serde_json::Value::Null);
    assert_eq!(updated.etag(), "\"2\"");
    assert_eq!(
        app.patch(&path, tok, Some("\"1\""), &json!({"status": "active"}))
            .await
            .status,
        412
    );
    let listed = app.get(&format!("{base}?status=former"), tok).await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(
        app.get(&path, None).await.status,
        404,
        "a private initiative's partners are private"
    );
    assert_eq!(app.delete(&path, tok, Some("\"2\"")).await.status, 204);
    assert_eq!(app.get(&path, tok).await.status, 404);
}

async fn organizations_in_use_cannot_be_deleted(app: TestApp) {
    let t = app.tenant("in-use").await;
    let ed = app.member(&t, Role::Editor).await;
    let i = app.initiative(&ed.token, "Uses an org").await;
    let org = app.organization(&ed.token, "Busy org", "private").await;
    let partner = app
        .post(
            &format!("/api/v1/initiatives/{}/partners", i["id"].as_str().unwrap()),
            Some(&ed.token),
            &json!({"organization_id": org["id"], "roles": ["implementer"]}),
        )
        .await;
    assert_eq!(partner.status, 201);
    let org_path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    let refused = app.delete(&org_path, Some(&ed.token), Some("\"1\"")).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("1 initiative")
    );
    let ppath = format!(
        "/api/v1/initiatives/{}/partners/{}",
        i["id"].as_str().unwrap(),
        partner.body["id"].as_str().unwrap()
    );
    assert_eq!(
        app.delete(&ppath, Some(&ed.token), Some("\"1\""))
            .await
            .status,
        204
    );
    assert_eq!(
        app.delete(&org_path, Some(&ed.token), Some("\"1\""))
            .await
            .status,
        204
    );
}

/// The ETag and version a PATCH answers are those a following GET reads: the stored ones.
async fn a_patched_partner_answers_its_stored_version(app: TestApp) {
    let t = app.tenant("partner-stored").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = app.initiative(&ed.token, "Stored versions").await;
    let base = format!("/api/v1/initiatives/{}/partners", i["id"].as_str().unwrap());
    let org = app.organization(&ed.token, "Telco", "private").await;
    let created = app
        .post(
            &base,
            tok,
            &json!({"organization_id": org["id"], "roles": ["implementer"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let path = format!("{base}/{}", created.body["id"].as_str().unwrap());
    for (interest, etag) in [(2, "\"1\""), (4, "*")] {
        let patched = app
            .patch(&path, tok, Some(etag), &json!({"interest": interest}))
            .await;
        assert_eq!(patched.status, 200, "{:?}", patched.body);
        let read = app.get(&path, tok).await;
        assert_eq!(read.status, 200);
        assert_eq!(patched.etag(), read.etag());
        assert_eq!(patched.body["version"], read.body["version"]);
        assert_eq!(read.body["interest"], interest);
    }
    assert_eq!(app.get(&path, tok).await.etag(), "\"3\"");
}

async fn a_partner_takes_at_least_one_role(app: TestApp) {
    let t = app.tenant("partner-roles").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = app.initiative(&ed.token, "Roles needed").await;
    let base = format!("/api/v1/initiatives/{}/partners", i["id"].as_str().unwrap());
    let org = app.organization(&ed.token, "Telco", "private").await;
    for body in [
        json!({"organization_id": org["id"], "roles": []}),
        json!({"organization_id": org["id"]}),
    ] {
        let refused = app.post(&base, tok, &body).await;
        assert_eq!(refused.status, 422, "{body}: {:?}", refused.body);
        assert_eq!(refused.error_fields(), ["roles"], "{body}");
    }
    let created = app
        .post(
            &base,
            tok,
            &json!({"organization_id": org["id"], "roles": ["funder"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let path = format!("{base}/{}", created.body["id"].as_str().unwrap());
    let emptied = app
        .patch(&path, tok, Some("\"1\""), &json!({"roles": []}))
        .await;
    assert_eq!(emptied.status, 422, "{:?}", emptied.body);
    assert_eq!(emptied.error_fields(), ["roles"]);
    // The same rule over GraphQL.
    let r = crate::graphql::graphql(
        &app,
        r#"mutation($i: UUID!, $p: UUID!) { updatePartner(initiativeId: $i, id: $p, expectedVersion: 1, input: {roles: []}) { id } }"#,
        json!({"i": i["id"], "p": created.body["id"]}),
        tok,
    )
    .await;
    assert_eq!(crate::graphql::codes(&r), ["VALIDATION"], "{:?}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["errors"][0]["field"],
        "roles"
    );
    let read = app.get(&path, tok).await;
    assert_eq!(read.body["roles"], json!(["funder"]));
    assert_eq!(read.body["version"], 1, "nothing refused was stored");
}
