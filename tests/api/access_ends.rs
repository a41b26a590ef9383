//! Access ends when its grant does: a removed member, a demoted admin, a revoked client and a
//! signed-out session lose their tokens at once in the process that made the change, and in
//! every other process within a poll of the access log.

use std::time::{Duration, Instant};

use msp_tests::{PASSWORD, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    a_removed_member_loses_their_token,
    a_demoted_admin_no_longer_acts_as_admin,
    a_revoked_client_loses_its_tokens,
    a_token_for_someone_who_is_not_a_member_is_refused,
    a_platform_admin_claim_needs_the_account_flag,
    signing_out_ends_every_token_of_the_session_holder,
    graphql_signs_out_too,
    a_member_added_again_does_not_get_old_tokens_back,
    another_process_follows_within_a_second,
);

/// Signs a person in with the password grant; the access token.
async fn sign_in(app: &TestApp, email: &str) -> String {
    let r = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["access_token"].as_str().unwrap().to_owned()
}

async fn me(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me", Some(token)).await.status
}

async fn a_removed_member_loses_their_token(app: TestApp) {
    let t = app.tenant("removal").await;
    let admin = app.member(&t, Role::Admin).await;
    let editor = app.member(&t, Role::Editor).await;
    assert_eq!(me(&app, &editor.token).await, 200);
    let path = format!("/api/v1/members/{}", editor.user_id);
    assert_eq!(
        app.delete(&path, Some(&admin.token), None).await.status,
        204
    );
    let after = app.get("/api/v1/me", Some(&editor.token)).await;
    assert_eq!(after.status, 401, "{}", after.body);
    assert_eq!(after.code(), "invalid_token");
    let write = app
        .post(
            "/api/v1/organizations",
            Some(&editor.token),
            &json!({"name": "After removal", "sector": "business", "visibility": "private"}),
        )
        .await;
    assert_eq!(write.status, 401);
}

async fn a_demoted_admin_no_longer_acts_as_admin(app: TestApp) {
    let t = app.tenant("demotion").await;
    let owner = app.member(&t, Role::Owner).await;
    let admin = app.member(&t, Role::Admin).await;
    let path = format!("/api/v1/members/{}", admin.user_id);
    let demoted = app
        .patch(&path, Some(&owner.token), None, &json!({"role": "viewer"}))
        .await;
    assert_eq!(demoted.status, 200);
    // The admin token cannot create an admin API client any more...
    let client = app
        .post(
            "/api/v1/clients",
            Some(&admin.token),
            &json!({"name": "Backdoor", "role": "admin"}),
        )
        .await;
    assert_eq!(client.status, 401, "{}", client.body);
    // ...and a new sign-in gives what the person holds now.
    let token = sign_in(&app, &admin.email).await;
    let now = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(now.body["role"], "viewer");
}

async fn a_revoked_client_loses_its_tokens(app: TestApp) {
    let t = app.tenant("clients").await;
    let admin = app.member(&t, Role::Admin).await;
    let created = app
        .post(
            "/api/v1/clients",
            Some(&admin.token),
            &json!({"name": "Portal", "role": "viewer"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let grant = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "client_credentials", "client_id": created.body["client_id"], "client_secret": created.body["client_secret"]}),
        )
        .await;
    let token = grant.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me(&app, &token).await, 200);
    let path = format!("/api/v1/clients/{}", created.body["id"].as_str().unwrap());
    assert_eq!(
        app.delete(&path, Some(&admin.token), None).await.status,
        204
    );
    assert_eq!(me(&app, &token).await, 401);
}

async fn a_token_for_someone_who_is_not_a_member_is_refused(app: TestApp) {
    let t = app.tenant("forged").await;
    let other = app.tenant("elsewhere").await;
    let viewer = app.member(&t, Role::Viewer).await;
    let outsider = app.member(&other, Role::Owner).await;
    // Validly signed, but the subject holds nothing (or less) in the tenant named.
    for token in [
        app.token(uuid::Uuid::now_v7(), t.id, Role::Admin, false),
        app.token(outsider.user_id, t.id, Role::Owner, false),
        app.token(viewer.user_id, t.id, Role::Admin, false),
    ] {
        assert_eq!(me(&app, &token).await, 401);
    }
}

async fn a_platform_admin_claim_needs_the_account_flag(app: TestApp) {
    let t = app.tenant("platform").await;
    let owner = app.member(&t, Role::Owner).await;
    let claimed = app.token(owner.user_id, t.id, Role::Owner, true);
    let create = app
        .post(
            "/api/v1/tenants",
            Some(&claimed),
            &json!({"slug": "claimed", "name": "Claimed", "kind": "other"}),
        )
        .await;
    assert_eq!(create.status, 401);
    let real = app.platform_admin(&t, Role::Owner).await;
    let create = app
        .post(
            "/api/v1/tenants",
            Some(&real.token),
            &json!({"slug": "real", "name": "Real", "kind": "other"}),
        )
        .await;
    assert_eq!(create.status, 201, "{}", create.body);
}

async fn signing_out_ends_every_token_of_the_session_holder(app: TestApp) {
    let t = app.tenant("signout").await;
    let editor = app.member(&t, Role::Editor).await;
    let colleague = app.member(&t, Role::Editor).await;
    let laptop = sign_in(&app, &editor.email).await;
    let phone = sign_in(&app, &editor.email).await;
    let out = app
        .post("/api/v1/auth/sign-out", Some(&laptop), &Value::Null)
        .await;
    assert_eq!(out.status, 204, "{}", out.body);
    for token in [&laptop, &phone, &editor.token] {
        assert_eq!(me(&app, token).await, 401);
    }
    assert_eq!(me(&app, &colleague.token).await, 200, "others keep theirs");
    let again = sign_in(&app, &editor.email).await;
    assert_eq!(me(&app, &again).await, 200);
    let anonymous = app.post("/api/v1/auth/sign-out", None, &Value::Null).await;
    assert_eq!(anonymous.status, 401);
}

async fn graphql_signs_out_too(app: TestApp) {
    let t = app.tenant("gql-signout").await;
    let editor = app.member(&t, Role::Editor).await;
    let r = app
        .post(
            "/graphql",
            Some(&editor.token),
            &json!({"query": "mutation { signOut }"}),
        )
        .await;
    assert_eq!(r.body["data"]["signOut"], true, "{}", r.body);
    assert_eq!(me(&app, &editor.token).await, 401);
}

async fn a_member_added_again_does_not_get_old_tokens_back(app: TestApp) {
    let t = app.tenant("readded").await;
    let admin = app.member(&t, Role::Admin).await;
    let editor = app.member(&t, Role::Editor).await;
    let path = format!("/api/v1/members/{}", editor.user_id);
    assert_eq!(
        app.delete(&path, Some(&admin.token), None).await.status,
        204
    );
    // Refused while removed (and remembered so)...
    assert_eq!(me(&app, &editor.token).await, 401);
    let added = app
        .post(
            "/api/v1/members",
            Some(&admin.token),
            &json!({"email": editor.email, "role": "editor"}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(me(&app, &editor.token).await, 401);
    // ...but a new sign-in works at once: the refusal is forgotten with the new membership.
    let fresh = sign_in(&app, &editor.email).await;
    assert_eq!(me(&app, &fresh).await, 200);
}

async fn another_process_follows_within_a_second(app: TestApp) {
    let t = app.tenant("two-processes").await;
    let admin = app.member(&t, Role::Admin).await;
    let editor = app.member(&t, Role::Editor).await;
    let other = app.sibling(&[]).await;
    // The other process has read the editor's grant, and remembers it.
    assert_eq!(me(&other, &editor.token).await, 200);
    let path = format!("/api/v1/members/{}", editor.user_id);
    assert_eq!(
        app.delete(&path, Some(&admin.token), None).await.status,
        204
    );
    let removed = Instant::now();
    loop {
        if me(&other, &editor.token).await == 401 {
            break;
        }
        assert!(
            removed.elapsed() < Duration::from_secs(1),
            "the other process still honours the token after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
