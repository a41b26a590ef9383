//! `Idempotency-Key` on POST creates: a retry returns the first result, never a second record.

use entity::idempotency_key;
use msp_tests::{TestApp, both_databases, json};
use reqwest::Method;
use sea_orm::{EntityTrait, sea_query::Expr};
use service::{
    Caller, Principal, Role, SubjectKind, history::WriteMeta, idempotency::Begin,
    initiatives::NewInitiative,
};

both_databases!(
    a_retried_create_returns_the_first_result,
    a_key_sent_with_another_request_is_refused,
    keys_belong_to_one_principal_of_one_tenant,
    a_failed_request_frees_its_key,
    concurrent_retries_make_one_record,
    an_abandoned_attempt_cannot_create_after_a_takeover,
    malformed_keys_are_refused,
    responses_with_secrets_are_not_kept,
);

async fn count(app: &TestApp, path: &str, token: &str) -> u64 {
    let r = app.get(path, Some(token)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["total"].as_u64().unwrap()
}

async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> msp_tests::Resp {
    app.send(
        Method::POST,
        path,
        Some(token),
        &[("Idempotency-Key", key)],
        Some(body),
    )
    .await
}

async fn a_retried_create_returns_the_first_result(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = editor.token.as_str();
    let body = json!({"title": "Village phones", "summary": "Shared phones", "kind": "ppp",
                      "countries": ["UG"], "action_lines": ["C2"], "stage": "implementing"});

    let first = post_with_key(&app, "/api/v1/initiatives", tok, "create-vp-1", &body).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert!(first.header("idempotent-replayed").is_none());
    let again = post_with_key(&app, "/api/v1/initiatives", tok, "create-vp-1", &body).await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, first.body, "the replay is the first response");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.etag(), first.etag());
    assert_eq!(count(&app, "/api/v1/initiatives", tok).await, 1);

    // A child and an organisation behave alike.
    let id = first.body["id"].as_str().unwrap();
    let org_body = json!({"name": "MTN Uganda", "sector": "business", "visibility": "private"});
    let org1 = post_with_key(&app, "/api/v1/organizations", tok, "org-1", &org_body).await;
    let org2 = post_with_key(&app, "/api/v1/organizations", tok, "org-1", &org_body).await;
    assert_eq!(org1.status, 201, "{:?}", org1.body);
    assert_eq!(org2.status, 201);
    assert_eq!(org1.body["id"], org2.body["id"]);
    assert_eq!(count(&app, "/api/v1/organizations", tok).await, 1);

    let partners = format!("/api/v1/initiatives/{id}/partners");
    let p_body = json!({"organization_id": org1.body["id"], "roles": ["lead"]});
    let p1 = post_with_key(&app, &partners, tok, "partner-1", &p_body).await;
    let p2 = post_with_key(&app, &partners, tok, "partner-1", &p_body).await;
    assert_eq!(p1.status, 201, "{:?}", p1.body);
    assert_eq!(p2.status, 201, "{:?}", p2.body);
    assert_eq!(p1.body["id"], p2.body["id"]);
    assert_eq!(count(&app, &partners, tok).await, 1);

    // Without a key, the same body makes a second record (the key is what makes it safe).
    let plain = app.post("/api/v1/initiatives", Some(tok), &body).await;
    assert_eq!(plain.status, 201);
    assert_ne!(plain.body["id"], first.body["id"]);
}

async fn a_key_sent_with_another_request_is_refused(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let tok = editor.token.as_str();
    let first = post_with_key(
        &app,
        "/api/v1/organizations",
        tok,
        "k-1",
        &json!({"name": "Orange Mali", "sector": "business", "visibility": "private"}),
    )
    .await;
    assert_eq!(first.status, 201);
    let other = post_with_key(
        &app,
        "/api/v1/organizations",
        tok,
        "k-1",
        &json!({"name": "Sotelma", "sector": "business", "visibility": "private"}),
    )
    .await;
    assert_eq!(other.status, 422, "{:?}", other.body);
    assert_eq!(other.code(), "idempotency_key_reused");
    assert_eq!(
        other.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    // The same body to another path is another request too.
    let elsewhere = post_with_key(
        &app,
        "/api/v1/initiatives",
        tok,
        "k-1",
        &json!({"name": "Orange Mali", "sector": "business", "visibility": "private"}),
    )
    .await;
    assert_eq!(elsewhere.status, 422);
    assert_eq!(count(&app, "/api/v1/organizations", tok).await, 1);
}

async fn keys_belong_to_one_principal_of_one_tenant(app: TestApp) {
    let a = app.tenant("ml-reg").await;
    let b = app.tenant("sn-reg").await;
    let a1 = app.member(&a, Role::Editor).await;
    let a2 = app.member(&a, Role::Editor).await;
    let b1 = app.member(&b, Role::Editor).await;
    let body = json!({"name": "Shared name", "sector": "government", "visibility": "private"});
    let first = post_with_key(&app, "/api/v1/organizations", &a1.token, "same", &body).await;
    assert_eq!(first.status, 201);

    // Another tenant with the same key gets its own record, never tenant A's response.
    let other_tenant = post_with_key(&app, "/api/v1/organizations", &b1.token, "same", &body).await;
    assert_eq!(other_tenant.status, 201, "{:?}", other_tenant.body);
    assert!(other_tenant.header("idempotent-replayed").is_none());
    assert_ne!(other_tenant.body["id"], first.body["id"]);
    assert_eq!(other_tenant.body["tenant_id"], b.id.to_string());

    // Another person of the same tenant has their own keys too (here the name is taken: 409).
    let colleague = post_with_key(&app, "/api/v1/organizations", &a2.token, "same", &body).await;
    assert_eq!(colleague.status, 409, "{:?}", colleague.body);
    assert!(colleague.header("idempotent-replayed").is_none());
    assert_eq!(count(&app, "/api/v1/organizations", &a1.token).await, 1);
    assert_eq!(count(&app, "/api/v1/organizations", &b1.token).await, 1);
}

async fn a_failed_request_frees_its_key(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let bad = post_with_key(
        &app,
        "/api/v1/organizations",
        &editor.token,
        "fix-and-retry",
        &json!({"name": "", "sector": "business", "visibility": "private"}),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.code(), "validation");
    let fixed = post_with_key(
        &app,
        "/api/v1/organizations",
        &editor.token,
        "fix-and-retry",
        &json!({"name": "Fixed", "sector": "business", "visibility": "private"}),
    )
    .await;
    assert_eq!(fixed.status, 201, "{:?}", fixed.body);

    // A refused write (a viewer) is not kept either.
    let body = json!({"name": "Viewer's", "sector": "business", "visibility": "private"});
    let refused = post_with_key(&app, "/api/v1/organizations", &viewer.token, "v", &body).await;
    assert_eq!(refused.status, 403);
    let again = post_with_key(&app, "/api/v1/organizations", &viewer.token, "v", &body).await;
    assert_eq!(again.status, 403);
    assert!(again.header("idempotent-replayed").is_none());
}

async fn concurrent_retries_make_one_record(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let body = json!({"title": "Computer clubhouse", "summary": "After-school", "kind": "ppp",
                      "countries": ["BR"], "action_lines": ["C4"], "stage": "implementing"});
    let sends =
        (0..8).map(|_| post_with_key(&app, "/api/v1/initiatives", &editor.token, "burst", &body));
    let answers = futures_util::future::join_all(sends).await;
    let mut ids = Vec::new();
    for a in &answers {
        match a.status {
            201 => ids.push(a.body["id"].clone()),
            409 => assert_eq!(a.code(), "conflict"),
            other => panic!("unexpected {other}: {:?}", a.body),
        }
    }
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| *id == ids[0]), "one record: {ids:?}");
    assert_eq!(count(&app, "/api/v1/initiatives", &editor.token).await, 1);
    // Once the first has finished, every retry is a replay of it.
    let late = post_with_key(&app, "/api/v1/initiatives", &editor.token, "burst", &body).await;
    assert_eq!(late.status, 201);
    assert_eq!(late.body["id"], ids[0]);
}

async fn an_abandoned_attempt_cannot_create_after_a_takeover(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let caller = Caller::Member(Principal {
        subject: editor.user_id,
        kind: SubjectKind::User,
        tenant_id: t.id,
        role: Role::Editor,
        platform_admin: false,
    });
    let r = &app.registry;
    let Begin::Proceed(stale) = r.idempotency_begin(&caller, "k", "fp", "/x").await.unwrap() else {
        panic!("the first request claims the key");
    };
    // While the first attempt holds the key, a retry is told to wait.
    let busy = r
        .idempotency_begin(&caller, "k", "fp", "/x")
        .await
        .unwrap_err();
    assert_eq!(busy.code(), service::ErrorCode::Conflict);
    // The first attempt's process "dies": its lease runs out, and a retry takes the key over.
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::LockedUntil,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .exec(r.db())
        .await
        .unwrap();
    let Begin::Proceed(fresh) = r.idempotency_begin(&caller, "k", "fp", "/x").await.unwrap() else {
        panic!("an abandoned key is taken over");
    };
    assert_ne!(stale.attempt, fresh.attempt);
    let input = || -> NewInitiative {
        serde_json::from_value(json!({"title": "Macedonia Connects", "summary": "Wireless",
            "kind": "ppp", "countries": ["MK"], "action_lines": ["C2"], "stage": "implementing"}))
        .unwrap()
    };
    let meta = |claim| WriteMeta {
        reason: None,
        idempotency: Some(claim),
    };
    // The stale attempt, still running somewhere, can no longer create: its transaction rolls back.
    let late = r
        .create_initiative(&caller, input(), &meta(stale))
        .await
        .unwrap_err();
    assert_eq!(late.code(), service::ErrorCode::Conflict);
    let made = r
        .create_initiative(&caller, input(), &meta(fresh))
        .await
        .unwrap();
    assert_eq!(count(&app, "/api/v1/initiatives", &editor.token).await, 1);
    // A retry after the process died between commit and response is told what was created.
    let told = r
        .idempotency_begin(&caller, "k", "fp", "/x")
        .await
        .unwrap_err();
    assert_eq!(told.code(), service::ErrorCode::Conflict);
    assert!(
        told.to_string().contains(&made.initiative.id.to_string()),
        "{told}"
    );
}

async fn malformed_keys_are_refused(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let editor = app.member(&t, Role::Editor).await;
    let body = json!({"name": "X", "sector": "business", "visibility": "private"});
    let long = "k".repeat(256);
    let r = post_with_key(&app, "/api/v1/organizations", &editor.token, &long, &body).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(r.code(), "bad_request");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("header `Idempotency-Key`"),
        "{:?}",
        r.body
    );
    assert_eq!(count(&app, "/api/v1/organizations", &editor.token).await, 0);
    // An invalid token with a key is a 401, as without one.
    let r = post_with_key(&app, "/api/v1/organizations", "not-a-token", "k", &body).await;
    assert_eq!(r.status, 401);
}

async fn responses_with_secrets_are_not_kept(app: TestApp) {
    let t = app.tenant("ml-reg").await;
    let admin = app.member(&t, Role::Admin).await;
    let body = json!({"name": "Portal sync", "role": "viewer"});
    let first = post_with_key(&app, "/api/v1/clients", &admin.token, "client-1", &body).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let secret = first.body["client_secret"].as_str().unwrap().to_owned();
    let again = post_with_key(&app, "/api/v1/clients", &admin.token, "client-1", &body).await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert!(!again.body.to_string().contains(&secret));
    assert_eq!(again.header("location"), first.header("location"));
    // The secret is nowhere in the key store, and no second client was made.
    let stored = idempotency_key::Entity::find()
        .all(app.registry.db())
        .await
        .unwrap();
    assert!(stored.iter().all(|k| {
        !k.response_body
            .clone()
            .unwrap_or_default()
            .contains(&secret)
    }));
    let clients = app.get("/api/v1/clients", Some(&admin.token)).await;
    assert_eq!(clients.body["total"], 1);
}
