//! Sessions: a password sign-in starts one, with a refresh token that rotates on each use; a
//! spent refresh token used again ends its session; revocation (RFC 7009) ends one session and
//! leaves the person's others alone; a disabled account can do nothing with what it holds.

use std::time::{Duration, Instant};

use msp_tests::{PASSWORD, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

use crate::graphql::{data, graphql};

both_databases!(
    a_password_sign_in_starts_a_session_with_a_refresh_token,
    a_refresh_rotates_and_carries_the_current_role,
    a_spent_refresh_token_used_again_ends_its_session,
    two_uses_of_one_refresh_token_at_once_give_one_token,
    signing_out_or_removal_ends_refresh_tokens_too,
    revoking_a_refresh_token_ends_that_session_only,
    revoking_an_access_token_ends_its_session,
    revocation_answers_200_whatever_it_is_given,
    another_process_refuses_a_revoked_session_within_a_second,
    a_disabled_account_cannot_sign_in_and_its_tokens_end,
    only_platform_administrators_disable_accounts,
);

/// The token response of a password sign-in.
async fn sign_in(app: &TestApp, email: &str) -> Value {
    let r = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// The answer to a refresh-token grant.
async fn refresh(app: &TestApp, refresh_token: &Value) -> msp_tests::Resp {
    app.post(
        "/api/v1/auth/token",
        None,
        &json!({"grant_type": "refresh_token", "refresh_token": refresh_token}),
    )
    .await
}

async fn revoke(app: &TestApp, token: &Value) -> u16 {
    app.post("/api/v1/auth/revoke", None, &json!({"token": token}))
        .await
        .status
}

async fn me(app: &TestApp, token: &Value) -> u16 {
    app.get("/api/v1/me", token.as_str()).await.status
}

async fn a_password_sign_in_starts_a_session_with_a_refresh_token(app: TestApp) {
    let t = app.tenant("session-start").await;
    let editor = app.member(&t, Role::Editor).await;
    let session = sign_in(&app, &editor.email).await;
    let refresh_token = session["refresh_token"].as_str().unwrap();
    assert!(refresh_token.starts_with("mspr_"), "{refresh_token}");
    assert_eq!(session["refresh_expires_in"], 14 * 24 * 3600);
    // API clients sign in again with their credentials instead (RFC 6749 section 4.4.3).
    let admin = app.member(&t, Role::Admin).await;
    let client = app
        .post(
            "/api/v1/clients",
            Some(&admin.token),
            &json!({"name": "Portal", "role": "viewer"}),
        )
        .await;
    assert_eq!(client.status, 201, "{}", client.body);
    let issued = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "client_credentials", "client_id": client.body["client_id"], "client_secret": client.body["client_secret"]}),
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert!(
        issued.body.get("refresh_token").is_none(),
        "{}",
        issued.body
    );
}

async fn a_refresh_rotates_and_carries_the_current_role(app: TestApp) {
    let t = app.tenant("session-rotate").await;
    let admin = app.member(&t, Role::Admin).await;
    let editor = app.member(&t, Role::Editor).await;
    let session = sign_in(&app, &editor.email).await;
    let demoted = app
        .patch(
            &format!("/api/v1/members/{}", editor.user_id),
            Some(&admin.token),
            None,
            &json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    let next = refresh(&app, &session["refresh_token"]).await;
    assert_eq!(next.status, 200, "{}", next.body);
    assert_eq!(
        next.body["role"], "viewer",
        "the role held now, not at sign-in"
    );
    assert_ne!(next.body["refresh_token"], session["refresh_token"]);
    assert_eq!(me(&app, &next.body["access_token"]).await, 200);
    let again = refresh(&app, &next.body["refresh_token"]).await;
    assert_eq!(again.status, 200, "the rotated token continues the session");
}

async fn a_spent_refresh_token_used_again_ends_its_session(app: TestApp) {
    let t = app.tenant("session-reuse").await;
    let editor = app.member(&t, Role::Editor).await;
    let session = sign_in(&app, &editor.email).await;
    let next = refresh(&app, &session["refresh_token"]).await;
    assert_eq!(next.status, 200, "{}", next.body);
    // The first token leaked and is presented again: the session ends, for both holders.
    let replay = refresh(&app, &session["refresh_token"]).await;
    assert_eq!(replay.status, 401, "{}", replay.body);
    assert_eq!(replay.body["error"], "invalid_grant");
    assert_eq!(refresh(&app, &next.body["refresh_token"]).await.status, 401);
    assert_eq!(me(&app, &next.body["access_token"]).await, 401);
    assert_eq!(me(&app, &session["access_token"]).await, 401);
    // Another sign-in is another session, untouched.
    let other = sign_in(&app, &editor.email).await;
    assert_eq!(me(&app, &other["access_token"]).await, 200);
}

async fn two_uses_of_one_refresh_token_at_once_give_one_token(app: TestApp) {
    let t = app.tenant("session-race").await;
    let editor = app.member(&t, Role::Editor).await;
    let session = sign_in(&app, &editor.email).await;
    let token = &session["refresh_token"];
    let answers = futures_util::future::join_all((0..8).map(|_| refresh(&app, token))).await;
    let issued = answers.iter().filter(|r| r.status == 200).count();
    assert!(issued <= 1, "{issued} of 8 concurrent uses were honoured");
    assert!(answers.iter().all(|r| r.status == 200 || r.status == 401));
}

async fn signing_out_or_removal_ends_refresh_tokens_too(app: TestApp) {
    let t = app.tenant("session-sign-out").await;
    let admin = app.member(&t, Role::Admin).await;
    let editor = app.member(&t, Role::Editor).await;
    let session = sign_in(&app, &editor.email).await;
    let out = app
        .post(
            "/api/v1/auth/sign-out",
            session["access_token"].as_str(),
            &json!({}),
        )
        .await;
    assert_eq!(out.status, 204, "{}", out.body);
    assert_eq!(refresh(&app, &session["refresh_token"]).await.status, 401);

    let again = sign_in(&app, &editor.email).await;
    let removed = app
        .delete(
            &format!("/api/v1/members/{}", editor.user_id),
            Some(&admin.token),
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(refresh(&app, &again["refresh_token"]).await.status, 401);
}

async fn revoking_a_refresh_token_ends_that_session_only(app: TestApp) {
    let t = app.tenant("revoke-refresh").await;
    let editor = app.member(&t, Role::Editor).await;
    let laptop = sign_in(&app, &editor.email).await;
    let phone = sign_in(&app, &editor.email).await;
    assert_eq!(revoke(&app, &laptop["refresh_token"]).await, 200);
    assert_eq!(me(&app, &laptop["access_token"]).await, 401);
    assert_eq!(refresh(&app, &laptop["refresh_token"]).await.status, 401);
    assert_eq!(me(&app, &phone["access_token"]).await, 200);
    assert_eq!(refresh(&app, &phone["refresh_token"]).await.status, 200);
}

async fn revoking_an_access_token_ends_its_session(app: TestApp) {
    let t = app.tenant("revoke-access").await;
    let editor = app.member(&t, Role::Editor).await;
    let laptop = sign_in(&app, &editor.email).await;
    let phone = sign_in(&app, &editor.email).await;
    // As a form, with the hint, the way RFC 7009 shows it.
    let r = app
        .client
        .post(app.url("/api/v1/auth/revoke"))
        .form(&[
            ("token", laptop["access_token"].as_str().unwrap()),
            ("token_type_hint", "access_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(me(&app, &laptop["access_token"]).await, 401);
    assert_eq!(refresh(&app, &laptop["refresh_token"]).await.status, 401);
    assert_eq!(me(&app, &phone["access_token"]).await, 200);
}

async fn revocation_answers_200_whatever_it_is_given(app: TestApp) {
    for token in [json!("mspr_not-a-token"), json!("not.a.jwt"), json!("")] {
        assert_eq!(revoke(&app, &token).await, 200, "{token}");
    }
    let missing = app.post("/api/v1/auth/revoke", None, &json!({})).await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert_eq!(missing.error_fields(), ["token"]);
}

async fn another_process_refuses_a_revoked_session_within_a_second(app: TestApp) {
    let t = app.tenant("revoke-two-processes").await;
    let editor = app.member(&t, Role::Editor).await;
    let session = sign_in(&app, &editor.email).await;
    let other = app.sibling(&[]).await;
    assert_eq!(me(&other, &session["access_token"]).await, 200);
    assert_eq!(revoke(&app, &session["refresh_token"]).await, 200);
    let revoked = Instant::now();
    while me(&other, &session["access_token"]).await != 401 {
        assert!(
            revoked.elapsed() < Duration::from_secs(1),
            "the other process still honours the revoked session"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn a_disabled_account_cannot_sign_in_and_its_tokens_end(app: TestApp) {
    let t = app.tenant("disable").await;
    let platform = app.platform_admin(&t, Role::Owner).await;
    let editor = app.member(&t, Role::Editor).await;
    let session = sign_in(&app, &editor.email).await;
    let path = format!("/api/v1/accounts/{}/disable", editor.user_id);
    let disabled = app.post(&path, Some(&platform.token), &json!({})).await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    assert!(disabled.body["disabled_at"].is_string());
    assert_eq!(me(&app, &session["access_token"]).await, 401);
    assert_eq!(refresh(&app, &session["refresh_token"]).await.status, 401);
    let refused = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": editor.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    // Enabled again: a fresh sign-in works, and nothing held before comes back.
    let path = format!("/api/v1/accounts/{}/enable", editor.user_id);
    let enabled = app.post(&path, Some(&platform.token), &json!({})).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    assert!(enabled.body["disabled_at"].is_null());
    let fresh = sign_in(&app, &editor.email).await;
    assert_eq!(me(&app, &fresh["access_token"]).await, 200);
    assert_eq!(me(&app, &json!(editor.token)).await, 401);
}

async fn only_platform_administrators_disable_accounts(app: TestApp) {
    let t = app.tenant("disable-roles").await;
    let owner = app.member(&t, Role::Owner).await;
    let editor = app.member(&t, Role::Editor).await;
    let path = format!("/api/v1/accounts/{}/disable", editor.user_id);
    let refused = app.post(&path, Some(&owner.token), &json!({})).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(me(&app, &json!(editor.token)).await, 200);
    let platform = app.platform_admin(&t, Role::Viewer).await;
    let own = format!("/api/v1/accounts/{}/disable", platform.user_id);
    let themselves = app.post(&own, Some(&platform.token), &json!({})).await;
    assert_eq!(themselves.status, 409, "{}", themselves.body);
    // GraphQL: the same rule, through the same service function.
    let disable = r#"mutation($id: UUID!) { setAccountDisabled(userId: $id, disabled: true) { email disabledAt } }"#;
    let by_owner = graphql(
        &app,
        disable,
        json!({"id": editor.user_id}),
        Some(&owner.token),
    )
    .await;
    assert_eq!(crate::graphql::codes(&by_owner), ["FORBIDDEN"]);
    let done = graphql(
        &app,
        disable,
        json!({"id": editor.user_id}),
        Some(&platform.token),
    )
    .await;
    assert_eq!(data(&done)["setAccountDisabled"]["email"], editor.email);
    assert_eq!(me(&app, &json!(editor.token)).await, 401);
}
