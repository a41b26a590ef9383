//! Tenancy is a security boundary: another tenant's private records cannot be named (404, as a
//! missing one), and its public records can be read but never changed (403).

use msp_tests::{TestApp, both_databases, json};
use service::Role;

both_databases!(
    organizations_of_another_tenant,
    lists_are_scoped_to_the_tenant,
    members_and_clients_of_another_tenant,
    tokens_name_their_own_tenant_only,
);

async fn organizations_of_another_tenant(app: TestApp) {
    let a = app.tenant("owner-tenant").await;
    let b = app.tenant("other-tenant").await;
    let owner_a = app.member(&a, Role::Owner).await;
    let owner_b = app.member(&b, Role::Owner).await;
    let private = app
        .organization(&owner_a.token, "Private of A", "private")
        .await;
    let public = app
        .organization(&owner_a.token, "Public of A", "public")
        .await;
    let private_path = format!("/api/v1/organizations/{}", private["id"].as_str().unwrap());
    let public_path = format!("/api/v1/organizations/{}", public["id"].as_str().unwrap());
    let missing_path = format!("/api/v1/organizations/{}", uuid::Uuid::now_v7());
    let tok_b = Some(owner_b.token.as_str());

    // Read: private is indistinguishable from missing; public is readable.
    let private_read = app.get(&private_path, tok_b).await;
    let missing_read = app.get(&missing_path, tok_b).await;
    assert_eq!(private_read.status, 404);
    assert_eq!(private_read.body["detail"], missing_read.body["detail"]);
    assert_eq!(app.get(&public_path, tok_b).await.status, 200);

    // Update and delete: 404 for private, 403 for public, even with the right ETag.
    let patch = json!({"name": "Taken over"});
    assert_eq!(
        app.patch(&private_path, tok_b, Some("\"1\""), &patch)
            .await
            .status,
        404
    );
    let forbidden = app.patch(&public_path, tok_b, Some("\"1\""), &patch).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.code(), "forbidden");
    assert_eq!(
        app.delete(&private_path, tok_b, Some("\"1\"")).await.status,
        404
    );
    assert_eq!(
        app.delete(&public_path, tok_b, Some("\"1\"")).await.status,
        403
    );

    // Nothing changed.
    for path in [&private_path, &public_path] {
        let r = app.get(path, Some(&owner_a.token)).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["version"], 1);
    }
}

async fn lists_are_scoped_to_the_tenant(app: TestApp) {
    let a = app.tenant("list-a").await;
    let b = app.tenant("list-b").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let ed_b = app.member(&b, Role::Viewer).await;
    app.organization(&ed_a.token, "A private", "private").await;
    app.organization(&ed_a.token, "A public", "public").await;

    let names = |r: &msp_tests::Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let own = app.get("/api/v1/organizations", Some(&ed_b.token)).await;
    assert_eq!(own.body["total"], 0, "scope=tenant is the default");
    let all = app
        .get("/api/v1/organizations?scope=all", Some(&ed_b.token))
        .await;
    assert_eq!(names(&all), ["A public"]);
    let public = app
        .get("/api/v1/organizations?scope=public", Some(&ed_b.token))
        .await;
    assert_eq!(names(&public), ["A public"]);
    let filtered = app
        .get(
            "/api/v1/organizations?scope=all&visibility=private",
            Some(&ed_b.token),
        )
        .await;
    assert_eq!(filtered.body["total"], 0, "a filter cannot widen the scope");
    let mine = app
        .get(
            "/api/v1/organizations?visibility=private",
            Some(&ed_a.token),
        )
        .await;
    assert_eq!(names(&mine), ["A private"]);
}

async fn members_and_clients_of_another_tenant(app: TestApp) {
    let a = app.tenant("people-a").await;
    let b = app.tenant("people-b").await;
    let owner_a = app.member(&a, Role::Owner).await;
    let editor_a = app.member(&a, Role::Editor).await;
    let owner_b = app.member(&b, Role::Owner).await;
    let client_a = app
        .post(
            "/api/v1/clients",
            Some(&owner_a.token),
            &json!({"name": "Portal of A", "role": "viewer"}),
        )
        .await;
    assert_eq!(client_a.status, 201);
    let tok_b = Some(owner_b.token.as_str());

    let members = app.get("/api/v1/members", tok_b).await;
    let emails: Vec<_> = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emails, [owner_b.email.as_str()]);
    let clients = app.get("/api/v1/clients", tok_b).await;
    assert_eq!(clients.body["items"].as_array().unwrap().len(), 0);

    let member_path = format!("/api/v1/members/{}", editor_a.user_id);
    assert_eq!(
        app.patch(&member_path, tok_b, None, &json!({"role": "viewer"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&member_path, tok_b, None).await.status, 404);
    let client_path = format!("/api/v1/clients/{}", client_a.body["id"].as_str().unwrap());
    assert_eq!(app.delete(&client_path, tok_b, None).await.status, 404);

    // A's people are untouched.
    let members_a = app.get("/api/v1/members", Some(&owner_a.token)).await;
    let roles: Vec<_> = members_a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(roles, ["owner", "editor"]);
    let clients_a = app.get("/api/v1/clients", Some(&owner_a.token)).await;
    assert_eq!(
        clients_a.body["items"][0]["revoked_at"],
        serde_json::Value::Null
    );
}

async fn tokens_name_their_own_tenant_only(app: TestApp) {
    let a = app.tenant("me-a").await;
    let b = app.tenant("me-b").await;
    let viewer_a = app.member(&a, Role::Viewer).await;
    app.member(&b, Role::Viewer).await;
    let me = app.get("/api/v1/me", Some(&viewer_a.token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["tenant"]["slug"], "me-a");
    let current = app
        .get("/api/v1/tenants/current", Some(&viewer_a.token))
        .await;
    assert_eq!(current.body["id"], a.id.to_string());
    assert_eq!(app.get("/api/v1/tenants/current", None).await.status, 401);
}
