//! Invitations, not annexations: a tenant admin adding another tenant's person invites them,
//! and only that person's acceptance makes them a member. A person in several tenants signs in
//! by naming one, and the error says which they may name.

use msp_tests::{MemberFx, PASSWORD, TenantFx, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

use crate::graphql::{codes, data, graphql};

both_databases!(
    adding_another_tenants_person_invites_them,
    the_invited_person_accepts_and_then_names_the_tenant_at_sign_in,
    declining_leaves_no_membership,
    only_the_invited_person_may_answer,
    admins_list_and_withdraw_their_invitations,
    graphql_invites_and_answers_too,
);

/// Tenant A's editor, and tenant B's admin who adds them by email.
async fn two_tenants(app: &TestApp) -> (TenantFx, MemberFx, TenantFx, MemberFx) {
    let a = app.tenant("home-registry").await;
    let person = app.member(&a, Role::Editor).await;
    let b = app.tenant("other-registry").await;
    let admin_b = app.member(&b, Role::Admin).await;
    (a, person, b, admin_b)
}

async fn invite(app: &TestApp, admin: &MemberFx, email: &str) -> Value {
    let r = app
        .post(
            "/api/v1/members",
            Some(&admin.token),
            &json!({"email": email, "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    r.body
}

async fn sign_in(app: &TestApp, email: &str, tenant: Option<&str>) -> msp_tests::Resp {
    let mut form = json!({"grant_type": "password", "username": email, "password": PASSWORD});
    if let Some(slug) = tenant {
        form["tenant"] = json!(slug);
    }
    app.post("/api/v1/auth/token", None, &form).await
}

async fn adding_another_tenants_person_invites_them(app: TestApp) {
    let (_, person, _, admin_b) = two_tenants(&app).await;
    let invitation = invite(&app, &admin_b, &person.email).await;
    assert_eq!(invitation["status"], "pending");
    assert_eq!(invitation["tenant_slug"], "other-registry");
    assert_eq!(invitation["role"], "viewer");
    // Not a member of B until they accept, and their own sign-in is unchanged.
    let members = app.get("/api/v1/members", Some(&admin_b.token)).await;
    let emails: Vec<&str> = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["email"].as_str())
        .collect();
    assert!(!emails.contains(&person.email.as_str()), "{emails:?}");
    let own = sign_in(&app, &person.email, None).await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.body["role"], "editor");
    // Asking again answers the same invitation.
    let again = invite(&app, &admin_b, &person.email).await;
    assert_eq!(again["id"], invitation["id"]);
}

async fn the_invited_person_accepts_and_then_names_the_tenant_at_sign_in(app: TestApp) {
    let (_, person, _, admin_b) = two_tenants(&app).await;
    let invitation = invite(&app, &admin_b, &person.email).await;
    let mine = app.get("/api/v1/invitations", Some(&person.token)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.body[0]["id"], invitation["id"]);
    let path = format!(
        "/api/v1/invitations/{}/accept",
        invitation["id"].as_str().unwrap()
    );
    let accepted = app.post(&path, Some(&person.token), &json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body["status"], "accepted");
    let twice = app.post(&path, Some(&person.token), &json!({})).await;
    assert_eq!(twice.status, 409, "{}", twice.body);

    let ambiguous = sign_in(&app, &person.email, None).await;
    assert_eq!(ambiguous.status, 422, "{}", ambiguous.body);
    assert_eq!(ambiguous.error_fields(), ["tenant"]);
    let detail = ambiguous.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        detail.contains("home-registry") && detail.contains("other-registry"),
        "{detail}"
    );
    let in_b = sign_in(&app, &person.email, Some("other-registry")).await;
    assert_eq!(in_b.status, 200, "{}", in_b.body);
    assert_eq!(in_b.body["role"], "viewer");
}

async fn declining_leaves_no_membership(app: TestApp) {
    let (_, person, _, admin_b) = two_tenants(&app).await;
    let invitation = invite(&app, &admin_b, &person.email).await;
    let path = format!(
        "/api/v1/invitations/{}/decline",
        invitation["id"].as_str().unwrap()
    );
    let declined = app.post(&path, Some(&person.token), &json!({})).await;
    assert_eq!(declined.status, 200, "{}", declined.body);
    assert_eq!(declined.body["status"], "declined");
    assert_eq!(sign_in(&app, &person.email, None).await.status, 200);
    let in_b = sign_in(&app, &person.email, Some("other-registry")).await;
    assert_eq!(in_b.status, 401, "{}", in_b.body);
    let mine = app.get("/api/v1/invitations", Some(&person.token)).await;
    assert_eq!(mine.body, json!([]));
}

async fn only_the_invited_person_may_answer(app: TestApp) {
    let (a, person, _, admin_b) = two_tenants(&app).await;
    let invitation = invite(&app, &admin_b, &person.email).await;
    let path = format!(
        "/api/v1/invitations/{}/accept",
        invitation["id"].as_str().unwrap()
    );
    // Not the inviting admin, not a colleague of the person's tenant.
    let colleague = app.member(&a, Role::Owner).await;
    for token in [&admin_b.token, &colleague.token] {
        let r = app.post(&path, Some(token), &json!({})).await;
        assert_eq!(r.status, 404, "{}", r.body);
    }
    let anonymous = app.post(&path, None, &json!({})).await;
    assert_eq!(anonymous.status, 401);
    let still = app.get("/api/v1/invitations", Some(&person.token)).await;
    assert_eq!(still.body[0]["status"], "pending");
}

async fn admins_list_and_withdraw_their_invitations(app: TestApp) {
    let (a, person, b, admin_b) = two_tenants(&app).await;
    let invitation = invite(&app, &admin_b, &person.email).await;
    let sent = app
        .get("/api/v1/members/invitations", Some(&admin_b.token))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(sent.body[0]["email"], person.email);
    // Tenant A's admin sees none of B's, and cannot withdraw it.
    let admin_a = app.member(&a, Role::Admin).await;
    let other = app
        .get("/api/v1/members/invitations", Some(&admin_a.token))
        .await;
    assert_eq!(other.body, json!([]));
    let path = format!(
        "/api/v1/members/invitations/{}",
        invitation["id"].as_str().unwrap()
    );
    assert_eq!(
        app.delete(&path, Some(&admin_a.token), None).await.status,
        404
    );
    let editor_b = app.member(&b, Role::Editor).await;
    assert_eq!(
        app.delete(&path, Some(&editor_b.token), None).await.status,
        403
    );
    assert_eq!(
        app.delete(&path, Some(&admin_b.token), None).await.status,
        204
    );
    let mine = app.get("/api/v1/invitations", Some(&person.token)).await;
    assert_eq!(mine.body, json!([]));
}

async fn graphql_invites_and_answers_too(app: TestApp) {
    let (_, person, _, admin_b) = two_tenants(&app).await;
    let add = r#"mutation($input: NewMemberInput!) {
        addMember(input: $input) {
            __typename
            ... on Invitation { id status tenantSlug }
        }
    }"#;
    let added = graphql(
        &app,
        add,
        json!({"input": {"email": person.email, "role": "VIEWER"}}),
        Some(&admin_b.token),
    )
    .await;
    let invitation = &data(&added)["addMember"];
    assert_eq!(invitation["__typename"], "Invitation");
    assert_eq!(invitation["status"], "PENDING");
    let answer = r#"mutation($id: UUID!) { answerInvitation(id: $id, accept: true) { status } }"#;
    let by_admin = graphql(
        &app,
        answer,
        json!({"id": invitation["id"]}),
        Some(&admin_b.token),
    )
    .await;
    assert_eq!(codes(&by_admin), ["NOT_FOUND"]);
    let by_person = graphql(
        &app,
        answer,
        json!({"id": invitation["id"]}),
        Some(&person.token),
    )
    .await;
    assert_eq!(data(&by_person)["answerInvitation"]["status"], "ACCEPTED");
}
