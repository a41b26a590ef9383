//! Sign-in flows and token verification.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use msp_tests::{PASSWORD, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    password_grant_as_form_and_json,
    client_credentials_grant,
    wrong_credentials_give_no_hint,
    failed_sign_ins_are_throttled,
    every_bad_token_is_refused,
    people_in_several_tenants_name_one,
    external_identity_provider_tokens,
    anonymous_writes_are_refused_before_their_bodies_are_read,
);

const SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

async fn password_grant_as_form_and_json(app: TestApp) {
    let t = app.tenant("signin").await;
    let m = app.member(&t, Role::Editor).await;
    let form = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", m.email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    assert_eq!(form.headers()["cache-control"], "no-store");
    let body: Value = form.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["role"], "editor");
    let token = body["access_token"].as_str().unwrap();

    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["subject"], m.user_id.to_string());
    assert_eq!(me.body["kind"], "user");
    assert_eq!(me.body["tenant"]["slug"], "signin");

    // The token carries every claim the issue names.
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    for claim in [
        "sub", "tenant", "role", "iss", "aud", "iat", "exp", "jti", "nbf",
    ] {
        assert!(claims.get(claim).is_some(), "claim {claim} missing");
    }

    let json_grant = app
        .post("/api/v1/auth/token", None, &json!({"grant_type": "password", "username": m.email.to_uppercase(), "password": PASSWORD}))
        .await;
    assert_eq!(
        json_grant.status, 200,
        "emails are case-insensitive: {:?}",
        json_grant.body
    );

    let unsupported = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "implicit"}),
        )
        .await;
    assert_eq!(unsupported.status, 422);
    assert_eq!(unsupported.error_fields(), ["grant_type"]);
    assert_eq!(unsupported.body["error"], "unsupported_grant_type");
    let incomplete = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": m.email}),
        )
        .await;
    assert_eq!(incomplete.error_fields(), ["password"]);
}

async fn client_credentials_grant(app: TestApp) {
    let t = app.tenant("portal").await;
    let admin = app.member(&t, Role::Admin).await;
    let created = app
        .post(
            "/api/v1/clients",
            Some(&admin.token),
            &json!({"name": "National portal", "role": "viewer"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["client_id"].as_str().unwrap().to_owned();
    let secret = created.body["client_secret"].as_str().unwrap().to_owned();
    let grant = |secret: String| {
        let app = app.clone();
        let id = id.clone();
        async move {
            app.client
                .post(app.url("/api/v1/auth/token"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", id.as_str()),
                    ("client_secret", secret.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let ok = grant(secret.clone()).await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.body["kind"], "client");
    assert_eq!(me.body["role"], "viewer");
    // A viewer client reads but cannot write.
    assert_eq!(
        app.get("/api/v1/organizations", Some(token)).await.status,
        200
    );
    assert_eq!(
        app.post(
            "/api/v1/organizations",
            Some(token),
            &json!({"name": "X", "sector": "business"})
        )
        .await
        .status,
        403
    );

    assert_eq!(grant("wrong".into()).await.status(), 401);
    let path = format!("/api/v1/clients/{}", created.body["id"].as_str().unwrap());
    assert_eq!(
        app.delete(&path, Some(&admin.token), None).await.status,
        204
    );
    assert_eq!(
        grant(secret).await.status(),
        401,
        "a revoked client cannot sign in"
    );
}

async fn wrong_credentials_give_no_hint(app: TestApp) {
    let t = app.tenant("hints").await;
    let m = app.member(&t, Role::Viewer).await;
    let wrong_password = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": m.email, "password": "not the password"}),
        )
        .await;
    let unknown_user = app
        .post("/api/v1/auth/token", None, &json!({"grant_type": "password", "username": "nobody@example.org", "password": PASSWORD}))
        .await;
    let unknown_client = app
        .post("/api/v1/auth/token", None, &json!({"grant_type": "client_credentials", "client_id": "msp_nope", "client_secret": "x"}))
        .await;
    for r in [&wrong_password, &unknown_user, &unknown_client] {
        assert_eq!(r.status, 401);
        assert_eq!(r.code(), "invalid_credentials");
        assert_eq!(r.body["error"], "invalid_grant", "the OAuth2 error code");
        assert_eq!(
            r.header("www-authenticate").unwrap(),
            "Bearer realm=\"msp-registry\""
        );
    }
    assert_eq!(wrong_password.body["detail"], unknown_user.body["detail"]);
    assert_eq!(wrong_password.body["detail"], unknown_client.body["detail"]);
}

async fn failed_sign_ins_are_throttled(app: TestApp) {
    let strict = app
        .sibling(&[
            ("MSP_LOGIN_MAX_FAILURES", "3"),
            ("MSP_LOGIN_FIRST_DELAY_MS", "60000"),
        ])
        .await;
    let t = strict.tenant("throttle").await;
    let m = strict.member(&t, Role::Viewer).await;
    let other = strict.member(&t, Role::Viewer).await;
    let attempt = |password: &'static str, email: String| {
        let app = strict.clone();
        async move {
            app.post(
                "/api/v1/auth/token",
                None,
                &json!({"grant_type": "password", "username": email, "password": password}),
            )
            .await
        }
    };
    for _ in 0..3 {
        assert_eq!(
            attempt("wrong password!", m.email.clone()).await.status,
            401
        );
    }
    let blocked = attempt(PASSWORD, m.email.clone()).await;
    assert_eq!(
        blocked.status, 429,
        "even the right password waits out the delay (see throttle.rs for the whole rule)"
    );
    assert_eq!(blocked.code(), "rate_limited");
    let retry: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=60).contains(&retry),
        "the delay, not the window: {retry}"
    );
    assert_eq!(
        attempt(PASSWORD, other.email.clone()).await.status,
        200,
        "other accounts are not affected"
    );
}

fn sign(alg: Algorithm, secret: &[u8], claims: &Value) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

async fn every_bad_token_is_refused(app: TestApp) {
    let t = app.tenant("tokens").await;
    let m = app.member(&t, Role::Owner).await;
    let now = chrono::Utc::now().timestamp();
    // The access epoch the member's tokens are issued under (`ep`), read off one of them.
    let issued: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(m.token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let good = json!({
        "sub": m.user_id, "tenant": t.id, "role": "owner", "kind": "user",
        "iss": "msp-registry", "aud": "msp-registry-api",
        "iat": now, "nbf": now, "exp": now + 600, "jti": uuid::Uuid::new_v4(),
        "ep": issued["ep"],
    });
    let with = |key: &str, value: Value| {
        let mut c = good.clone();
        c[key] = value;
        c
    };
    let without = |key: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(key);
        c
    };
    let control = sign(Algorithm::HS256, SECRET.as_bytes(), &good);
    assert_eq!(
        app.get("/api/v1/me", Some(&control)).await.status,
        200,
        "the control token works"
    );

    let header_none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).unwrap());
    let mut parts: Vec<String> = control.split('.').map(str::to_owned).collect();
    let tampered_payload = URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(
            &with("role", json!("owner"))
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.insert("tenant".into(), json!(uuid::Uuid::now_v7()));
                    Value::Object(o)
                })
                .unwrap(),
        )
        .unwrap(),
    );
    parts[1] = tampered_payload;
    let tampered = parts.join(".");

    let cases: Vec<(&str, String)> = vec![
        ("alg none", format!("{header_none}.{payload}.")),
        (
            "changed algorithm (HS384)",
            sign(Algorithm::HS384, SECRET.as_bytes(), &good),
        ),
        (
            "wrong key",
            sign(
                Algorithm::HS256,
                b"another-secret-another-secret-another",
                &good,
            ),
        ),
        ("tampered payload", tampered),
        ("truncated", control[..control.len() - 6].to_owned()),
        (
            "expired",
            sign(
                Algorithm::HS256,
                SECRET.as_bytes(),
                &with("exp", json!(now - 300)),
            ),
        ),
        (
            "not yet valid",
            sign(
                Algorithm::HS256,
                SECRET.as_bytes(),
                &with("nbf", json!(now + 600)),
            ),
        ),
        (
            "wrong issuer",
            sign(
                Algorithm::HS256,
                SECRET.as_bytes(),
                &with("iss", json!("someone-else")),
            ),
        ),
        (
            "wrong audience",
            sign(
                Algorithm::HS256,
                SECRET.as_bytes(),
                &with("aud", json!("another-api")),
            ),
        ),
        (
            "missing tenant",
            sign(Algorithm::HS256, SECRET.as_bytes(), &without("tenant")),
        ),
        (
            "missing exp",
            sign(Algorithm::HS256, SECRET.as_bytes(), &without("exp")),
        ),
        (
            "missing jti",
            sign(Algorithm::HS256, SECRET.as_bytes(), &without("jti")),
        ),
        (
            "unknown role",
            sign(
                Algorithm::HS256,
                SECRET.as_bytes(),
                &with("role", json!("superuser")),
            ),
        ),
        ("garbage", "not-a-token".to_owned()),
    ];
    for (case, token) in &cases {
        let read = app.get("/api/v1/me", Some(token)).await;
        assert_eq!(read.status, 401, "{case}");
        assert_eq!(read.code(), "invalid_token", "{case}");
        assert_eq!(
            read.body["detail"], "the access token is invalid or expired",
            "{case}: no reason leaks"
        );
        let write = app
            .post(
                "/api/v1/organizations",
                Some(token),
                &json!({"name": case, "sector": "business"}),
            )
            .await;
        assert_eq!(write.status, 401, "{case} write");
    }
    let basic = app
        .send(
            reqwest::Method::GET,
            "/api/v1/me",
            None,
            &[("Authorization", "Basic dXNlcjpwYXNz")],
            None,
        )
        .await;
    assert_eq!(basic.status, 401);
    let list = app.get("/api/v1/organizations", Some(&control)).await;
    assert_eq!(list.body["total"], 0, "no write got through");
}

async fn people_in_several_tenants_name_one(app: TestApp) {
    let a = app.tenant("first-tenant").await;
    let b = app.tenant("second-tenant").await;
    let m = app.member(&a, Role::Editor).await;
    app.registry
        .grant_role_unchecked(b.id, m.user_id, Role::Viewer)
        .await
        .unwrap();
    let ambiguous = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": m.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(ambiguous.status, 422);
    assert_eq!(ambiguous.error_fields(), ["tenant"]);
    let chosen = app
        .post("/api/v1/auth/token", None, &json!({"grant_type": "password", "username": m.email, "password": PASSWORD, "tenant": "second-tenant"}))
        .await;
    assert_eq!(chosen.status, 200);
    assert_eq!(chosen.body["role"], "viewer");
    assert_eq!(chosen.body["tenant_id"], b.id.to_string());
    let not_member = app
        .post("/api/v1/auth/token", None, &json!({"grant_type": "password", "username": m.email, "password": PASSWORD, "tenant": "nowhere"}))
        .await;
    assert_eq!(not_member.status, 401);
}

async fn external_identity_provider_tokens(app: TestApp) {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
    let public_key = format!("{fixtures}/idp-test-es256-public.pem");
    let idp = TestApp::spawn_with(
        app.backend,
        &[
            ("MSP_OIDC_ISSUER", "https://idp.example.org"),
            ("MSP_OIDC_AUDIENCE", "msp-registry"),
            ("MSP_OIDC_PUBLIC_KEY_FILE", &public_key),
        ],
    )
    .await
    .unwrap();
    idp.tenant("gov-registry").await;
    let private_pem = std::fs::read(format!("{fixtures}/idp-test-es256-private.pem")).unwrap();
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "sub": "aminata@idp", "tenant": "gov-registry", "role": "editor",
        "iss": "https://idp.example.org", "aud": "msp-registry", "exp": now + 600,
    });
    let es256 = encode(
        &Header::new(Algorithm::ES256),
        &claims,
        &EncodingKey::from_ec_pem(&private_pem).unwrap(),
    )
    .unwrap();
    let me = idp.get("/api/v1/me", Some(&es256)).await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["kind"], "external");
    assert_eq!(me.body["role"], "editor");
    assert_eq!(me.body["tenant"]["slug"], "gov-registry");
    let created = idp
        .post(
            "/api/v1/organizations",
            Some(&es256),
            &json!({"name": "Made via IdP", "sector": "government"}),
        )
        .await;
    assert_eq!(created.status, 201);

    // The public key used as an HMAC secret (algorithm confusion) is refused.
    let public_pem = std::fs::read(&public_key).unwrap();
    let confused = sign(Algorithm::HS256, &public_pem, &claims);
    assert_eq!(idp.get("/api/v1/me", Some(&confused)).await.status, 401);
    let mut unknown_tenant = claims.clone();
    unknown_tenant["tenant"] = json!("no-such-tenant");
    let token = encode(
        &Header::new(Algorithm::ES256),
        &unknown_tenant,
        &EncodingKey::from_ec_pem(&private_pem).unwrap(),
    )
    .unwrap();
    assert_eq!(idp.get("/api/v1/me", Some(&token)).await.status, 401);
    let mut wrong_issuer = claims.clone();
    wrong_issuer["iss"] = json!("https://evil.example.org");
    let token = encode(
        &Header::new(Algorithm::ES256),
        &wrong_issuer,
        &EncodingKey::from_ec_pem(&private_pem).unwrap(),
    )
    .unwrap();
    assert_eq!(idp.get("/api/v1/me", Some(&token)).await.status, 401);
    idp.teardown().await;
}

async fn anonymous_writes_are_refused_before_their_bodies_are_read(app: TestApp) {
    // The body is wrong in every way; the answer says only that a token is needed.
    for (method, path) in [
        (reqwest::Method::POST, "/api/v1/organizations"),
        (reqwest::Method::POST, "/api/v1/initiatives"),
        (
            reqwest::Method::PATCH,
            "/api/v1/organizations/00000000-0000-0000-0000-000000000001",
        ),
        (reqwest::Method::POST, "/api/v1/members"),
    ] {
        let r = app
            .send(method.clone(), path, None, &[], Some(&json!({})))
            .await;
        assert_eq!(r.status, 401, "{method} {path}: {}", r.body);
        assert_eq!(r.code(), "unauthenticated", "{method} {path}");
        assert!(
            r.body
                .get("errors")
                .is_none_or(|e| e.as_array().is_none_or(Vec::is_empty)),
            "{}",
            r.body
        );
    }
    let graphql = app
        .post(
            "/graphql",
            None,
            &json!({"query": "mutation { createOrganization(input: {}) { id } }"}),
        )
        .await;
    assert_eq!(graphql.status, 401, "{}", graphql.body);
    assert_eq!(
        graphql.body["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    assert_eq!(graphql.body["errors"].as_array().unwrap().len(), 1);
}
