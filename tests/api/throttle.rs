//! Throttles that hold. Sign-in attempts are throttled per account and client address,
//! decided atomically in the database: a burst, in one process or two, gets no more than the
//! limit evaluated; a stranger's failures never delay the owner's address; the owner's own
//! failures meet doubling delays with `Retry-After`. The request rate limit answers 429 with
//! the `RateLimit-*` headers, per principal and per address, and spares loopback by default.
//!
//! The test client connects from 127.0.0.1, trusted here as a proxy, so `X-Forwarded-For`
//! plays the client addresses.

use std::time::Duration;

use futures_util::future::join_all;
use msp_tests::{MemberFx, PASSWORD, Resp, TestApp, both_databases, json};
use reqwest::Method;
use service::Role;

/// A minute's delay once the limit is reached, so the tests' timing cannot open a slot early.
const VARS: &[(&str, &str)] = &[
    ("MSP_TRUSTED_PROXIES", "127.0.0.1"),
    ("MSP_LOGIN_FIRST_DELAY_MS", "60000"),
];

both_databases!(vars = super::VARS;
    a_burst_of_wrong_passwords_gets_at_most_the_limit_evaluated,
    two_processes_share_one_limit,
    a_strangers_failures_do_not_stop_the_owner,
    the_owners_failures_meet_doubling_delays_and_success_clears_them,
    client_credentials_are_throttled_by_client_id,
    the_request_rate_limit_is_per_address_and_per_principal,
    an_unverified_token_drains_only_its_address_bucket,
    loopback_is_exempt_unless_asked,
);

const TOKEN: &str = "/api/v1/auth/token";
const OWNER: &str = "198.51.100.20";
const STRANGER: &str = "203.0.113.7";

async fn sign_in(app: &TestApp, from: &str, email: &str, password: &str) -> Resp {
    let body = json!({"grant_type": "password", "username": email, "password": password});
    app.send(
        Method::POST,
        TOKEN,
        None,
        &[("X-Forwarded-For", from)],
        Some(&body),
    )
    .await
}

/// A burst of `n` wrong passwords against `app`; how many got 401 and how many 429.
async fn burst(apps: &[&TestApp], n: usize, email: &str) -> (usize, usize) {
    let answers =
        join_all((0..n).map(|i| sign_in(apps[i % apps.len()], OWNER, email, "wrong!"))).await;
    let count = |status| answers.iter().filter(|r| r.status == status).count();
    assert_eq!(count(401) + count(429), n, "only 401s and 429s");
    (count(401), count(429))
}

async fn member(app: &TestApp, slug: &str) -> MemberFx {
    let t = app.tenant(slug).await;
    app.member(&t, Role::Viewer).await
}

async fn a_burst_of_wrong_passwords_gets_at_most_the_limit_evaluated(app: TestApp) {
    let m = member(&app, "burst").await;
    assert_eq!(burst(&[&app], 48, &m.email).await, (5, 43));
    let right = sign_in(&app, OWNER, &m.email, PASSWORD).await;
    assert_eq!(
        right.status, 429,
        "the right password in the burst's wake waits too"
    );
    assert_eq!(right.code(), "rate_limited");
    let retry: u64 = right.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
}

async fn two_processes_share_one_limit(app: TestApp) {
    let second = app.sibling(&[]).await;
    let m = member(&app, "two").await;
    assert_eq!(burst(&[&app, &second], 48, &m.email).await, (5, 43));
}

async fn a_strangers_failures_do_not_stop_the_owner(app: TestApp) {
    let m = member(&app, "owner").await;
    for _ in 0..8 {
        sign_in(&app, STRANGER, &m.email, "guess").await;
    }
    assert_eq!(
        sign_in(&app, STRANGER, &m.email, PASSWORD).await.status,
        429
    );
    let owner = sign_in(&app, OWNER, &m.email, PASSWORD).await;
    assert_eq!(owner.status, 200, "the owner's address is not delayed");
}

async fn the_owners_failures_meet_doubling_delays_and_success_clears_them(app: TestApp) {
    let app = app
        .sibling(&[
            ("MSP_LOGIN_MAX_FAILURES", "2"),
            ("MSP_LOGIN_FIRST_DELAY_MS", "1000"),
        ])
        .await;
    let m = member(&app, "delays").await;
    let attempt = |password: &'static str| sign_in(&app, OWNER, &m.email, password);
    assert_eq!(attempt("wrong").await.status, 401);
    assert_eq!(
        attempt("wrong").await.status,
        401,
        "the limit's attempts are free"
    );
    let waiting = attempt(PASSWORD).await;
    assert_eq!(
        (waiting.status, waiting.header("retry-after").as_deref()),
        (429, Some("1")),
        "then one second..."
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(attempt("wrong").await.status, 401);
    let waiting = attempt(PASSWORD).await;
    assert_eq!(
        (waiting.status, waiting.header("retry-after").as_deref()),
        (429, Some("2")),
        "...then two"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        attempt(PASSWORD).await.status,
        200,
        "after the delay the right password works"
    );
    assert_eq!(
        attempt("wrong").await.status,
        401,
        "a success clears the count"
    );
    assert_eq!(attempt("wrong").await.status, 401);
}

async fn client_credentials_are_throttled_by_client_id(app: TestApp) {
    let body =
        json!({"grant_type": "client_credentials", "client_id": "msp_nope", "client_secret": "x"});
    let headers = [("X-Forwarded-For", OWNER)];
    for _ in 0..5 {
        let r = app
            .send(Method::POST, TOKEN, None, &headers, Some(&body))
            .await;
        assert_eq!(r.status, 401);
    }
    let r = app
        .send(Method::POST, TOKEN, None, &headers, Some(&body))
        .await;
    assert_eq!((r.status, r.code()), (429, "rate_limited"));
}

/// An app whose buckets hold `burst` requests and refill one a minute.
async fn limited(app: &TestApp, burst: &str) -> TestApp {
    app.sibling(&[
        ("MSP_RATE_LIMIT_BURST", burst),
        ("MSP_RATE_LIMIT_PER_MINUTE", "1"),
        ("MSP_RATE_LIMIT_ADDRESS_BURST", burst),
        ("MSP_RATE_LIMIT_ADDRESS_PER_MINUTE", "1"),
    ])
    .await
}

async fn get_from(app: &TestApp, from: &str, token: Option<&str>) -> Resp {
    let headers = [("X-Forwarded-For", from)];
    app.send(Method::GET, "/api/v1/reference/sdgs", token, &headers, None)
        .await
}

async fn the_request_rate_limit_is_per_address_and_per_principal(app: TestApp) {
    let app = limited(&app, "2").await;
    let first = get_from(&app, STRANGER, None).await;
    assert_eq!(first.status, 200);
    let standing = |r: &Resp| {
        ["ratelimit-limit", "ratelimit-remaining", "ratelimit-policy"].map(|h| r.header(h))
    };
    assert_eq!(
        standing(&first),
        [Some("2".into()), Some("1".into()), Some("2;w=120".into())]
    );
    assert_eq!(first.header("ratelimit-reset").as_deref(), Some("60"));
    assert_eq!(get_from(&app, STRANGER, None).await.status, 200);
    let refused = get_from(&app, STRANGER, None).await;
    assert_eq!((refused.status, refused.code()), (429, "rate_limited"));
    assert_eq!(
        refused.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(refused.header("ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(
        get_from(&app, OWNER, None).await.status,
        200,
        "another address has its own"
    );

    let m = member(&app, "first").await;
    let other = member(&app, "second").await;
    for _ in 0..2 {
        assert_eq!(
            get_from(&app, STRANGER, Some(&m.token)).await.status,
            200,
            "a principal has its own"
        );
    }
    assert_eq!(
        get_from(&app, OWNER, Some(&m.token)).await.status,
        429,
        "wherever it calls from"
    );
    assert_eq!(
        get_from(&app, STRANGER, Some(&other.token)).await.status,
        200
    );

    // GraphQL shares the buckets and answers in its own shape.
    let headers = [("X-Forwarded-For", STRANGER)];
    let body = json!({"query": "{ __typename }"});
    let graphql = app
        .send(Method::POST, "/graphql", None, &headers, Some(&body))
        .await;
    assert_eq!(graphql.status, 429, "{}", graphql.body);
    assert_eq!(
        graphql.body["errors"][0]["extensions"]["code"],
        "RATE_LIMITED"
    );
    assert!(graphql.header("retry-after").is_some());
}

async fn an_unverified_token_drains_only_its_address_bucket(app: TestApp) {
    let app = limited(&app, "2").await;
    let m = member(&app, "forged").await;
    // The member's claims under another signature: they must not pick the bucket.
    let claims = m.token.rsplit_once('.').unwrap().0;
    let forged = format!("{claims}.c2lnbmVkIGJ5IG5vYm9keQ");
    for _ in 0..3 {
        get_from(&app, STRANGER, Some(&forged)).await;
    }
    assert_eq!(get_from(&app, STRANGER, None).await.status, 429);
    let owner = get_from(&app, OWNER, Some(&m.token)).await;
    assert_eq!(owner.status, 200);
    assert_eq!(owner.header("ratelimit-remaining").as_deref(), Some("1"));
}

async fn loopback_is_exempt_unless_asked(app: TestApp) {
    let exempt = limited(&app, "1").await;
    for _ in 0..3 {
        let r = exempt.get("/api/v1/reference/sdgs", None).await;
        assert_eq!((r.status, r.header("ratelimit-limit")), (200, None));
    }
    let limited = app
        .sibling(&[
            ("MSP_RATE_LIMIT_ADDRESS_BURST", "1"),
            ("MSP_RATE_LIMIT_LOOPBACK", "true"),
        ])
        .await;
    assert_eq!(
        limited.get("/api/v1/reference/sdgs", None).await.status,
        200
    );
    assert_eq!(
        limited.get("/api/v1/reference/sdgs", None).await.status,
        429
    );
}
