use msp_tests::{TestApp, both_databases, json};
use service::Role;

both_databases!(
    lifecycle_with_etags,
    concurrent_writers_lose_no_update,
    names_are_unique_per_tenant,
    every_invalid_field_is_reported,
    malformed_bodies_are_clear_client_errors,
    oversized_bodies_are_refused,
    patch_null_clears_optional_fields,
    list_pages_filters_and_sorts,
    bad_list_parameters_are_refused,
    anonymous_callers_read_public_records_only,
);

async fn lifecycle_with_etags(app: TestApp) {
    let t = app.tenant("ml-registry").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = Some(editor.token.as_str());

    let created = app
        .post(
            "/api/v1/organizations",
            tok,
            &json!({"name": "Orange Mali", "sector": "business", "sub_type": "telecom operator",
                    "country": "ml", "website": "https://www.orangemali.com", "visibility": "public"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag(), "\"1\"");
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/organizations/{id}")
    );
    assert_eq!(
        created.body["country"], "ML",
        "country codes are normalised"
    );
    assert_eq!(created.body["tenant_id"], t.id.to_string());
    let path = format!("/api/v1/organizations/{id}");

    let read = app.get(&path, tok).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.etag(), "\"1\"");
    assert_eq!(read.body["name"], "Orange Mali");

    let cached = app
        .send(
            reqwest::Method::GET,
            &path,
            tok,
            &[("If-None-Match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);

    let no_precondition = app.patch(&path, tok, None, &json!({"acronym": "OM"})).await;
    assert_eq!(no_precondition.status, 428);
    assert_eq!(no_precondition.code(), "precondition_required");

    let stale = app
        .patch(&path, tok, Some("\"7\""), &json!({"acronym": "OM"}))
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.code(), "stale_version");

    let updated = app
        .patch(&path, tok, Some("\"1\""), &json!({"acronym": "OM"}))
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.etag(), "\"2\"");
    assert_eq!(updated.body["acronym"], "OM");
    assert_eq!(
        updated.body["name"], "Orange Mali",
        "absent fields stay as they were"
    );

    let changed = app
        .send(
            reqwest::Method::GET,
            &path,
            tok,
            &[("If-None-Match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(changed.status, 200, "an old ETag no longer matches");

    let stale_delete = app.delete(&path, tok, Some("\"1\"")).await;
    assert_eq!(stale_delete.status, 412);
    let deleted = app.delete(&path, tok, Some("\"2\"")).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(app.get(&path, tok).await.status, 404);
}

async fn concurrent_writers_lose_no_update(app: TestApp) {
    let t = app.tenant("lk-registry").await;
    let alice = app.member(&t, Role::Editor).await;
    let bob = app.member(&t, Role::Editor).await;
    let org = app
        .organization(&alice.token, "Ministry of Agriculture", "private")
        .await;
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());

    // Both read version 1.
    let etag = app.get(&path, Some(&alice.token)).await.etag();
    assert_eq!(app.get(&path, Some(&bob.token)).await.etag(), etag);

    let first = app
        .patch(
            &path,
            Some(&alice.token),
            Some(&etag),
            &json!({"description": "Alice's text"}),
        )
        .await;
    assert_eq!(first.status, 200);
    let second = app
        .patch(
            &path,
            Some(&bob.token),
            Some(&etag),
            &json!({"description": "Bob's text"}),
        )
        .await;
    assert_eq!(second.status, 412, "Bob's write is based on a stale read");

    let now = app.get(&path, Some(&bob.token)).await;
    assert_eq!(now.body["description"], "Alice's text");
    assert_eq!(now.body["version"], 2);
}

async fn names_are_unique_per_tenant(app: TestApp) {
    let a = app.tenant("tenant-a").await;
    let b = app.tenant("tenant-b").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let ed_b = app.member(&b, Role::Editor).await;
    app.organization(&ed_a.token, "Grameen Foundation", "private")
        .await;

    let duplicate = app
        .post(
            "/api/v1/organizations",
            Some(&ed_a.token),
            &json!({"name": "  grameen   FOUNDATION ", "sector": "foundation"}),
        )
        .await;
    assert_eq!(duplicate.status, 409, "{:?}", duplicate.body);
    assert_eq!(duplicate.code(), "conflict");

    // Another tenant may use the same name.
    app.organization(&ed_b.token, "Grameen Foundation", "private")
        .await;

    // Renaming onto a taken name is refused too.
    let other = app
        .organization(&ed_a.token, "Grameen Technology Center", "private")
        .await;
    let rename = app
        .patch(
            &format!("/api/v1/organizations/{}", other["id"].as_str().unwrap()),
            Some(&ed_a.token),
            Some("\"1\""),
            &json!({"name": "GRAMEEN FOUNDATION"}),
        )
        .await;
    assert_eq!(rename.status, 409);
}

async fn every_invalid_field_is_reported(app: TestApp) {
    let t = app.tenant("val-tenant").await;
    let ed = app.member(&t, Role::Editor).await;
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "   ", "sector": "business", "country": "XX",
                    "website": "ftp://example.org", "iati_identifier": "no spaces allowed"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.header("content-type").unwrap(),
        "application/problem+json"
    );
    assert_eq!(r.code(), "validation");
    assert_eq!(
        r.error_fields(),
        ["name", "country", "website", "iati_identifier"]
    );

    let unknown_enum = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "X", "sector": "pirates"}),
        )
        .await;
    assert_eq!(unknown_enum.status, 422);
    assert_eq!(unknown_enum.error_fields(), ["sector"]);

    let wrong_type = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": 42, "sector": "business"}),
        )
        .await;
    assert_eq!(wrong_type.status, 422);
    assert_eq!(wrong_type.error_fields(), ["name"]);

    let unknown_field = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "X", "sector": "business", "colour": "blue"}),
        )
        .await;
    assert_eq!(unknown_field.status, 422);
    assert!(
        unknown_field.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("colour")
    );

    let missing = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "X"}),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.error_fields(), ["sector"]);
    assert_eq!(missing.body["errors"][0]["code"], "required");

    // Nothing was written by any of these.
    let list = app.get("/api/v1/organizations", Some(&ed.token)).await;
    assert_eq!(list.body["total"], 0);
}

async fn malformed_bodies_are_clear_client_errors(app: TestApp) {
    let t = app.tenant("bodies").await;
    let ed = app.member(&t, Role::Editor).await;
    let broken = app
        .client
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&ed.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: serde_json::Value = broken.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");

    let not_json = app
        .client
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&ed.token)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 415);

    let array = app
        .post("/api/v1/organizations", Some(&ed.token), &json!([1, 2]))
        .await;
    assert_eq!(array.status, 422);
}

async fn oversized_bodies_are_refused(app: TestApp) {
    // A second app on the same backend with a 2 KiB limit.
    let small = TestApp::spawn_with(app.backend, &[("MSP_BODY_LIMIT_BYTES", "2048")])
        .await
        .unwrap();
    let t = small.tenant("limits").await;
    let ed = small.member(&t, Role::Editor).await;
    let big = "x".repeat(4096);
    let r = small
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "X", "sector": "business", "description": big}),
        )
        .await;
    assert_eq!(r.status, 413);
    assert_eq!(r.code(), "payload_too_large");
    small.teardown().await;
}

async fn patch_null_clears_optional_fields(app: TestApp) {
    let t = app.tenant("clearing").await;
    let ed = app.member(&t, Role::Editor).await;
    let org = app
        .post(
            "/api/v1/organizations",
            Some(&ed.token),
            &json!({"name": "Motorola", "sector": "business", "acronym": "MSI", "country": "US"}),
        )
        .await;
    let path = format!("/api/v1/organizations/{}", org.body["id"].as_str().unwrap());
    let r = app
        .patch(
            &path,
            Some(&ed.token),
            Some("\"1\""),
            &json!({"acronym": null}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["acronym"], serde_json::Value::Null);
    assert_eq!(r.body["country"], "US");

    let required = app
        .patch(&path, Some(&ed.token), Some("\"2\""), &json!({"name": ""}))
        .await;
    assert_eq!(required.status, 422);
    assert_eq!(required.error_fields(), ["name"]);
    assert_eq!(
        app.get(&path, Some(&ed.token)).await.body["version"],
        2,
        "a refused patch writes nothing"
    );
}

async fn list_pages_filters_and_sorts(app: TestApp) {
    let t = app.tenant("listing").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    for (name, sector, country) in [
        ("Alpha Telecom", "business", "ML"),
        ("Bravo Ministry", "government", "ML"),
        ("Charlie NGO", "civil_society", "SN"),
        ("Delta University", "academia", "SN"),
        ("Echo Telecom", "business", "SN"),
    ] {
        let r = app
            .post(
                "/api/v1/organizations",
                tok,
                &json!({"name": name, "sector": sector, "country": country}),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let page1 = app.get("/api/v1/organizations?per_page=2", tok).await;
    assert_eq!(page1.status, 200);
    assert_eq!(page1.body["total"], 5);
    assert_eq!(page1.body["total_pages"], 3);
    let names = |r: &msp_tests::Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&page1), ["Alpha Telecom", "Bravo Ministry"]);
    let page3 = app
        .get("/api/v1/organizations?per_page=2&page=3", tok)
        .await;
    assert_eq!(names(&page3), ["Echo Telecom"]);

    let business = app.get("/api/v1/organizations?sector=business", tok).await;
    assert_eq!(names(&business), ["Alpha Telecom", "Echo Telecom"]);
    let senegal = app
        .get("/api/v1/organizations?country=sn&sort=-name", tok)
        .await;
    assert_eq!(
        names(&senegal),
        ["Echo Telecom", "Delta University", "Charlie NGO"]
    );
    let search = app.get("/api/v1/organizations?q=telecom", tok).await;
    assert_eq!(names(&search), ["Alpha Telecom", "Echo Telecom"]);
    let percent = app.get("/api/v1/organizations?q=%25", tok).await;
    assert_eq!(percent.body["total"], 0, "LIKE wildcards in q are literal");
}

async fn bad_list_parameters_are_refused(app: TestApp) {
    let t = app.tenant("params").await;
    let v = app.member(&t, Role::Viewer).await;
    for (query, field) in [
        ("colour=blue", "colour"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
        ("per_page=abc", "per_page"),
        ("sector=pirates", "sector"),
        ("country=XX", "country"),
        ("sort=shoe_size", "sort"),
        ("updated_since=yesterday", "updated_since"),
    ] {
        let r = app
            .get(&format!("/api/v1/organizations?{query}"), Some(&v.token))
            .await;
        assert_eq!(r.status, 400, "{query}: {:?}", r.body);
        assert_eq!(r.error_fields(), [field], "{query}");
    }
}

async fn anonymous_callers_read_public_records_only(app: TestApp) {
    let a = app.tenant("anon-a").await;
    let b = app.tenant("anon-b").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let ed_b = app.member(&b, Role::Editor).await;
    let public_a = app.organization(&ed_a.token, "Public A", "public").await;
    let private_a = app.organization(&ed_a.token, "Private A", "private").await;
    app.organization(&ed_b.token, "Public B", "public").await;
    app.organization(&ed_b.token, "Private B", "private").await;

    let list = app.get("/api/v1/organizations", None).await;
    assert_eq!(list.status, 200);
    let mut names: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["Public A", "Public B"]);

    let public = app
        .get(
            &format!("/api/v1/organizations/{}", public_a["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(public.status, 200);
    let private = app
        .get(
            &format!(
                "/api/v1/organizations/{}",
                private_a["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(private.status, 404);

    let write = app
        .post(
            "/api/v1/organizations",
            None,
            &json!({"name": "Anon", "sector": "business"}),
        )
        .await;
    assert_eq!(write.status, 401);
    assert_eq!(write.code(), "unauthenticated");
    let patch = app
        .patch(
            &format!("/api/v1/organizations/{}", public_a["id"].as_str().unwrap()),
            None,
            Some("\"1\""),
            &json!({"name": "Hijacked"}),
        )
        .await;
    assert_eq!(patch.status, 401);
}
