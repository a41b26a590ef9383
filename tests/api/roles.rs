//! Roles gate every write: viewers read, editors change records, admins manage members and
//! clients, owners manage the tenant, platform administrators create tenants.

use msp_tests::{TestApp, both_databases, json};
use service::Role;

both_databases!(
    organization_writes_by_role,
    member_management_by_role,
    client_management_by_role,
    tenant_management_by_role,
    a_tenant_keeps_an_owner,
);

const ROLES: [Role; 4] = [Role::Viewer, Role::Editor, Role::Admin, Role::Owner];

async fn organization_writes_by_role(app: TestApp) {
    let t = app.tenant("org-roles").await;
    for role in ROLES {
        let m = app.member(&t, role).await;
        let tok = Some(m.token.as_str());
        let name = format!("Made by {role:?}");
        let create = app
            .post(
                "/api/v1/organizations",
                tok,
                &json!({"name": name, "sector": "donor"}),
            )
            .await;
        if role == Role::Viewer {
            assert_eq!(create.status, 403, "viewer create");
            assert_eq!(create.code(), "forbidden");
            continue;
        }
        assert_eq!(create.status, 201, "{role:?} create");
        let path = format!(
            "/api/v1/organizations/{}",
            create.body["id"].as_str().unwrap()
        );
        assert_eq!(
            app.patch(&path, tok, Some("\"1\""), &json!({"acronym": "X"}))
                .await
                .status,
            200,
            "{role:?} update"
        );
        assert_eq!(
            app.delete(&path, tok, Some("\"2\"")).await.status,
            204,
            "{role:?} delete"
        );
    }
    // A viewer cannot change or delete what an editor made.
    let editor = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let org = app.organization(&editor.token, "Kept", "private").await;
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    assert_eq!(
        app.patch(
            &path,
            Some(&viewer.token),
            Some("\"1\""),
            &json!({"acronym": "X"})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.delete(&path, Some(&viewer.token), Some("\"1\""))
            .await
            .status,
        403
    );
    assert_eq!(app.get(&path, Some(&viewer.token)).await.body["version"], 1);
}

async fn member_management_by_role(app: TestApp) {
    let t = app.tenant("member-roles").await;
    for role in ROLES {
        let m = app.member(&t, role).await;
        let tok = Some(m.token.as_str());
        let email = format!("new-{role:?}@example.org").to_lowercase();
        let add = app
            .post("/api/v1/members", tok, &json!({"email": email, "display_name": "New person", "password": msp_tests::PASSWORD, "role": "editor"}))
            .await;
        let expected = if role >= Role::Admin { 201 } else { 403 };
        assert_eq!(
            add.status, expected,
            "{role:?} adds a member: {:?}",
            add.body
        );
        let owner_grant = app
            .post("/api/v1/members", tok, &json!({"email": format!("owner-{email}"), "display_name": "Would-be owner", "password": msp_tests::PASSWORD, "role": "owner"}))
            .await;
        let expected = if role == Role::Owner { 201 } else { 403 };
        assert_eq!(owner_grant.status, expected, "{role:?} grants owner");
        if role >= Role::Admin {
            let user = add.body["user_id"].as_str().unwrap();
            let path = format!("/api/v1/members/{user}");
            assert_eq!(
                app.patch(&path, tok, None, &json!({"role": "viewer"}))
                    .await
                    .status,
                200
            );
            assert_eq!(app.delete(&path, tok, None).await.status, 204);
        }
    }
    let viewer = app.member(&t, Role::Viewer).await;
    let editor = app.member(&t, Role::Editor).await;
    let path = format!("/api/v1/members/{}", editor.user_id);
    assert_eq!(
        app.patch(&path, Some(&viewer.token), None, &json!({"role": "owner"}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.delete(&path, Some(&editor.token), None).await.status,
        403
    );

    let weak = app.post("/api/v1/members", Some(&app.member(&t, Role::Admin).await.token), &json!({"email": "weak@example.org", "display_name": "W", "password": "short", "role": "viewer"})).await;
    assert_eq!(weak.status, 422);
    assert_eq!(weak.error_fields(), ["password"]);
}

async fn client_management_by_role(app: TestApp) {
    let t = app.tenant("client-roles").await;
    for role in ROLES {
        let m = app.member(&t, role).await;
        let tok = Some(m.token.as_str());
        let create = app
            .post(
                "/api/v1/clients",
                tok,
                &json!({"name": format!("Portal {role:?}"), "role": "viewer"}),
            )
            .await;
        let expected = if role >= Role::Admin { 201 } else { 403 };
        assert_eq!(create.status, expected, "{role:?} creates a client");
        assert_eq!(
            app.get("/api/v1/clients", tok).await.status,
            if role >= Role::Admin { 200 } else { 403 }
        );
        if role >= Role::Admin {
            assert!(create.body["client_secret"].as_str().unwrap().len() >= 32);
            let listed = app.get("/api/v1/clients", tok).await;
            assert!(
                listed.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|c| c.get("client_secret").is_none() && c.get("secret_hash").is_none()),
                "secrets are shown once only"
            );
            let path = format!("/api/v1/clients/{}", create.body["id"].as_str().unwrap());
            assert_eq!(app.delete(&path, tok, None).await.status, 204);
            assert_eq!(
                app.delete(&path, tok, None).await.status,
                404,
                "revoking twice"
            );
        }
    }
    let admin = app.member(&t, Role::Admin).await;
    let above = app
        .post(
            "/api/v1/clients",
            Some(&admin.token),
            &json!({"name": "Too strong", "role": "owner"}),
        )
        .await;
    assert_eq!(above.status, 403, "a client cannot outrank its creator");
}

async fn tenant_management_by_role(app: TestApp) {
    let t = app.tenant("tenant-roles").await;
    for role in ROLES {
        let m = app.member(&t, role).await;
        let current = app.get("/api/v1/tenants/current", Some(&m.token)).await;
        let r = app
            .patch(
                "/api/v1/tenants/current",
                Some(&m.token),
                Some(&current.etag()),
                &json!({"name": format!("Renamed by {role:?}")}),
            )
            .await;
        assert_eq!(
            r.status,
            if role == Role::Owner { 200 } else { 403 },
            "{role:?} renames the tenant"
        );
        let create = app
            .post("/api/v1/tenants", Some(&m.token), &json!({"slug": format!("new-{role:?}").to_lowercase(), "name": "New", "kind": "un_programme"}))
            .await;
        assert_eq!(
            create.status, 403,
            "{role:?} without platform admin creates a tenant"
        );
    }
    let admin_token = app.platform_admin(&t, Role::Viewer).await.token;
    let created = app
        .post("/api/v1/tenants", Some(&admin_token), &json!({"slug": "un-partnerships", "name": "UN partnerships", "kind": "un_programme", "home_country": "ch"}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["home_country"], "CH");
    let again = app
        .post(
            "/api/v1/tenants",
            Some(&admin_token),
            &json!({"slug": "un-partnerships", "name": "Again", "kind": "other"}),
        )
        .await;
    assert_eq!(again.status, 409);
    let bad = app
        .post(
            "/api/v1/tenants",
            Some(&admin_token),
            &json!({"slug": "Bad Slug!", "name": "", "kind": "other"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), ["slug", "name"]);
    assert_eq!(
        app.post(
            "/api/v1/tenants",
            None,
            &json!({"slug": "anon", "name": "A", "kind": "other"})
        )
        .await
        .status,
        401
    );
}

async fn a_tenant_keeps_an_owner(app: TestApp) {
    let t = app.tenant("one-owner").await;
    let owner = app.member(&t, Role::Owner).await;
    let path = format!("/api/v1/members/{}", owner.user_id);
    let demote = app
        .patch(&path, Some(&owner.token), None, &json!({"role": "admin"}))
        .await;
    assert_eq!(demote.status, 409);
    assert_eq!(
        app.delete(&path, Some(&owner.token), None).await.status,
        409
    );
    let second = app.member(&t, Role::Owner).await;
    assert_eq!(
        app.patch(&path, Some(&second.token), None, &json!({"role": "admin"}))
            .await
            .status,
        200
    );
}
