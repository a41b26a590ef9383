//! Keys of an external identity provider published as a JWKS: the token's `kid` picks the key
//! and the key pins the algorithm; a URL's set is cached for its `max-age`, refreshed in the
//! background when stale and at once (rate-limited) for an unknown `kid`, so a rotated key works
//! without a restart. The identity provider here is a JWKS served on loopback by the test.

use std::{
    net::TcpListener,
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use actix_web::{App, HttpResponse, HttpServer, http::header::CACHE_CONTROL, web};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use msp_tests::{TestApp, both_databases, json};
use serde_json::Value;

both_databases!(
    the_token_kid_picks_the_key_and_the_key_pins_the_algorithm,
    unknown_kids_refresh_the_set_at_most_once_per_interval,
    a_rotated_key_verifies_without_a_restart,
    the_set_is_fetched_again_only_when_its_max_age_has_passed,
    the_service_starts_while_the_identity_provider_is_down,
    a_jwks_file_works_like_the_url,
);

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// The public JWK of fixture key `name` (`rsa-a`, `rsa-b`, `es256`), with its `kid` and `alg`.
fn jwk(name: &str, kid: &str, alg: Option<&str>) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/idp-test-{name}.jwk.json")).unwrap();
    let mut jwk: Value = serde_json::from_str(&text).unwrap();
    jwk["kid"] = json!(kid);
    jwk["use"] = json!("sig");
    if let Some(alg) = alg {
        jwk["alg"] = json!(alg);
    }
    jwk
}

/// A token for an editor of `gov-registry`, signed with fixture key `name`.
fn token(name: &str, alg: Algorithm, kid: Option<&str>) -> String {
    let pem = std::fs::read(format!("{FIXTURES}/idp-test-{name}-private.pem")).unwrap();
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        _ => EncodingKey::from_rsa_pem(&pem),
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    let claims = json!({
        "sub": "aminata@idp", "tenant": "gov-registry", "role": "editor",
        "iss": "https://idp.example.org", "aud": "msp-registry",
        "exp": chrono::Utc::now().timestamp() + 600,
    });
    encode(&header, &claims, &key.unwrap()).unwrap()
}

/// A JWKS served on loopback: what it serves can change, and it counts the requests it answers.
struct Idp {
    served: web::Data<Served>,
    url: String,
}

struct Served {
    keys: Mutex<Vec<Value>>,
    cache_control: String,
    down: AtomicBool,
    fetches: AtomicUsize,
}

async fn certs(served: web::Data<Served>) -> HttpResponse {
    served.fetches.fetch_add(1, Ordering::SeqCst);
    if served.down.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let keys = served.keys.lock().unwrap().clone();
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, served.cache_control.clone()))
        .json(json!({ "keys": keys }))
}

impl Idp {
    fn serve(keys: Vec<Value>, cache_control: &str) -> Idp {
        let served = web::Data::new(Served {
            keys: Mutex::new(keys),
            cache_control: cache_control.to_owned(),
            down: AtomicBool::new(false),
            fetches: AtomicUsize::new(0),
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/certs", listener.local_addr().unwrap());
        let data = served.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/certs", web::get().to(certs))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Idp { served, url }
    }

    fn publish(&self, keys: Vec<Value>) {
        *self.served.keys.lock().unwrap() = keys;
    }

    fn fetches(&self) -> usize {
        self.served.fetches.load(Ordering::SeqCst)
    }

    /// The registry, trusting this identity provider, with one tenant `gov-registry`.
    async fn registry(&self, app: &TestApp, extra: &[(&str, &str)]) -> TestApp {
        let mut vars = vec![("MSP_OIDC_JWKS_URL", self.url.as_str())];
        vars.extend_from_slice(extra);
        trusting(app, &vars).await
    }
}

async fn trusting(app: &TestApp, keys: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("MSP_OIDC_ISSUER", "https://idp.example.org"),
        ("MSP_OIDC_AUDIENCE", "msp-registry"),
    ];
    vars.extend_from_slice(keys);
    let registry = TestApp::spawn_with(app.backend, &vars).await.unwrap();
    registry.tenant("gov-registry").await;
    registry
}

async fn me(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me", Some(token)).await.status
}

async fn the_token_kid_picks_the_key_and_the_key_pins_the_algorithm(app: TestApp) {
    let idp = Idp::serve(
        vec![
            jwk("rsa-a", "a", Some("RS256")),
            jwk("rsa-b", "b", Some("RS384")),
            jwk("es256", "e", None),
        ],
        "max-age=3600",
    );
    let registry = idp.registry(&app, &[]).await;
    assert_eq!(
        me(&registry, &token("rsa-a", Algorithm::RS256, Some("a"))).await,
        200
    );
    assert_eq!(
        me(&registry, &token("rsa-b", Algorithm::RS384, Some("b"))).await,
        200
    );
    assert_eq!(
        me(&registry, &token("es256", Algorithm::ES256, Some("e"))).await,
        200
    );
    // Another key's kid, an algorithm the key does not pin, no kid in a set of several.
    assert_eq!(
        me(&registry, &token("rsa-a", Algorithm::RS256, Some("b"))).await,
        401
    );
    assert_eq!(
        me(&registry, &token("rsa-a", Algorithm::RS512, Some("a"))).await,
        401
    );
    assert_eq!(
        me(&registry, &token("rsa-a", Algorithm::RS256, None)).await,
        401
    );
    registry.teardown().await;
}

async fn unknown_kids_refresh_the_set_at_most_once_per_interval(app: TestApp) {
    let idp = Idp::serve(vec![jwk("rsa-a", "a", None)], "max-age=3600");
    let registry = idp
        .registry(&app, &[("MSP_OIDC_JWKS_MIN_REFRESH_SECS", "3600")])
        .await;
    assert_eq!(idp.fetches(), 1, "fetched once at start-up");
    for garbage in ["nope-1", "nope-2", "nope-3"] {
        let forged = token("rsa-b", Algorithm::RS256, Some(garbage));
        assert_eq!(me(&registry, &forged).await, 401);
    }
    assert_eq!(idp.fetches(), 2, "one refresh for three unknown kids");
    assert_eq!(
        me(&registry, &token("rsa-a", Algorithm::RS256, Some("a"))).await,
        200
    );
    registry.teardown().await;
}

async fn a_rotated_key_verifies_without_a_restart(app: TestApp) {
    let idp = Idp::serve(vec![jwk("rsa-a", "2026-11", None)], "max-age=86400");
    let registry = idp
        .registry(&app, &[("MSP_OIDC_JWKS_MIN_REFRESH_SECS", "3600")])
        .await;
    let old = token("rsa-a", Algorithm::RS256, Some("2026-11"));
    assert_eq!(me(&registry, &old).await, 200);
    idp.publish(vec![jwk("rsa-b", "2026-12", None)]);
    let new = token("rsa-b", Algorithm::RS256, Some("2026-12"));
    assert_eq!(me(&registry, &new).await, 200);
    assert_eq!(idp.fetches(), 2, "one refresh picked up the new key");
    assert_eq!(me(&registry, &old).await, 401, "the retired key is gone");
    registry.teardown().await;
}

async fn the_set_is_fetched_again_only_when_its_max_age_has_passed(app: TestApp) {
    let idp = Idp::serve(vec![jwk("es256", "e", None)], "public, max-age=2");
    let registry = idp
        .registry(&app, &[("MSP_OIDC_JWKS_CACHE_MIN_SECS", "1")])
        .await;
    let es256 = token("es256", Algorithm::ES256, Some("e"));
    for _ in 0..5 {
        assert_eq!(me(&registry, &es256).await, 200);
    }
    assert_eq!(idp.fetches(), 1, "no fetch per request");
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    // The stale set still verifies while a fresh one is fetched in the background.
    assert_eq!(me(&registry, &es256).await, 200);
    let deadline = Instant::now() + Duration::from_secs(5);
    while idp.fetches() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(idp.fetches(), 2);
    assert_eq!(me(&registry, &es256).await, 200);
    assert_eq!(idp.fetches(), 2);
    registry.teardown().await;
}

async fn the_service_starts_while_the_identity_provider_is_down(app: TestApp) {
    let idp = Idp::serve(vec![jwk("rsa-a", "a", None)], "max-age=3600");
    idp.served.down.store(true, Ordering::SeqCst);
    let registry = idp
        .registry(&app, &[("MSP_OIDC_JWKS_MIN_REFRESH_SECS", "1")])
        .await;
    let a = token("rsa-a", Algorithm::RS256, Some("a"));
    assert_eq!(me(&registry, &a).await, 401);
    idp.served.down.store(false, Ordering::SeqCst);
    // The refusal forced a refresh; the next one comes once its interval has passed.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut status = 401;
    while status != 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = me(&registry, &a).await;
    }
    assert_eq!(status, 200);
    registry.teardown().await;
}

async fn a_jwks_file_works_like_the_url(app: TestApp) {
    let file = tempfile::NamedTempFile::new().unwrap();
    let keys = json!({"keys": [jwk("rsa-a", "a", Some("RS256"))]});
    std::fs::write(file.path(), keys.to_string()).unwrap();
    let path = file.path().to_str().unwrap();
    let registry = trusting(&app, &[("MSP_OIDC_JWKS_FILE", path)]).await;
    assert_eq!(
        me(&registry, &token("rsa-a", Algorithm::RS256, Some("a"))).await,
        200
    );
    // A set of one key also takes tokens without a kid.
    assert_eq!(
        me(&registry, &token("rsa-a", Algorithm::RS256, None)).await,
        200
    );
    assert_eq!(
        me(&registry, &token("rsa-b", Algorithm::RS256, Some("b"))).await,
        401
    );
    registry.teardown().await;
}
