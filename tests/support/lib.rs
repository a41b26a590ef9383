//! Test support: the real application on a real database, one fresh database per test.
//!
//! SQLite: a new file in a temporary folder. PostgreSQL: a new schema in the `msp_test`
//! database of the server named by `MSP_TEST_POSTGRES_URL`, dropped when the test passes.
//! Without that variable the PostgreSQL half of each test is skipped with a notice, except
//! under CI (`CI=true`), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::HashMap, net::TcpListener, sync::Arc};

use msp_api::{config::Config, startup::Application};
use reqwest::{Method, header::HeaderMap};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use service::{
    Principal, Registry, Role, SubjectKind, TenantKind, members::NewUser, tenants::NewTenant,
};
use uuid::Uuid;

pub use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "correct horse battery staple";
/// The PostgreSQL database the tests make their schemas in (`MSP_TEST_DATABASE`, default
/// `msp_test`): two checkouts testing at once on one server each name their own.
fn test_database() -> String {
    std::env::var("MSP_TEST_DATABASE")
        .ok()
        .filter(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .unwrap_or_else(|| "msp_test".to_owned())
}

/// A running application and a client for it.
#[derive(Clone)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub registry: Registry,
    pub backend: Backend,
    cleanup: Arc<Cleanup>,
    /// The variables the app was configured with (for `sibling`).
    vars: Arc<HashMap<String, String>>,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { url: String, schema: String },
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn etag(&self) -> String {
        self.header("etag").unwrap_or_default()
    }

    /// The problem+json `code`.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// The fields named in a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A tenant made for a test.
#[derive(Clone, Debug)]
pub struct TenantFx {
    pub id: Uuid,
    pub slug: String,
}

/// A person with a role in a tenant, and a token.
#[derive(Clone, Debug)]
pub struct MemberFx {
    pub user_id: Uuid,
    pub email: String,
    pub token: String,
}

fn base_vars() -> HashMap<String, String> {
    [
        ("MSP_BIND", "127.0.0.1:0"),
        ("MSP_WORKERS", "1"),
        ("MSP_DB_MAX_CONNECTIONS", "5"),
        ("MSP_DEMO", "false"),
        ("MSP_LOG_LEVEL", "warn"),
        // No webhook worker unless a test asks for one (webhooks tests drive deliveries).
        ("MSP_WEBHOOK_WORKER", "false"),
        ("MSP_SEARCH_INDEX", "memory"),
        // A process's own writes reach its index in the write; following the change feed (what
        // other processes wrote) is slowed down so it does not run statements inside the
        // measurements of the statement-count tests (tests of several processes set it).
        ("MSP_SEARCH_FOLLOW_MS", "60000"),
        (
            "MSP_JWT_SECRET",
            "test-secret-test-secret-test-secret-0123456789",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The PostgreSQL server URL for tests, or why there is none.
pub fn postgres_url() -> Option<String> {
    match std::env::var("MSP_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").map(|v| v != "true").unwrap_or(true),
                "MSP_TEST_POSTGRES_URL must be set under CI: the PostgreSQL tests may not be skipped"
            );
            eprintln!("notice: MSP_TEST_POSTGRES_URL is unset: PostgreSQL test skipped");
            None
        }
    }
}

/// `postgres://host/db` with the database replaced.
fn with_database(url: &str, database: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_path(&format!("/{database}"));
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// The role the application connects as on PostgreSQL: an ordinary one, neither superuser nor
/// `BYPASSRLS`, as in production, so row-level security binds it (superusers bypass it).
pub const APP_ROLE: &str = "msp_app";

/// `url` signed in as [`APP_ROLE`] (the test server trusts local connections).
pub fn as_app_role(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username(APP_ROLE);
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

async fn ensure_test_database(server_url: &str) {
    let admin = Database::connect(server_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server_url} is unreachable: {e}"));
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!(
                "SELECT 1 FROM pg_database WHERE datname = '{}'",
                test_database()
            ),
        ))
        .await
        .ok()
        .flatten()
        .is_some();
    if !exists {
        // Two tests may race here: "already exists" is fine.
        let _ = admin
            .execute_unprepared(&format!("CREATE DATABASE {}", test_database()))
            .await;
    }
    // Two tests may race here too: "already exists" is fine.
    let _ = admin
        .execute_unprepared(&format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') \
             THEN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
        ))
        .await;
    // Concurrent GRANTs on one database can fail with "tuple concurrently updated" (tests in
    // this process and in other test binaries start at once): once it held, it holds.
    let grant = format!(
        "GRANT CONNECT, CREATE ON DATABASE {} TO {APP_ROLE}",
        test_database()
    );
    let mut attempt = 0;
    while let Err(e) = admin.execute_unprepared(&grant).await {
        attempt += 1;
        assert!(attempt < 10, "grant the application role its database: {e}");
        tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
    }
    let _ = admin.close().await;
}

impl TestApp {
    /// Starts the application on a fresh database; `None` when the backend is unavailable
    /// outside CI (a notice is printed).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    /// As `spawn`, with extra `MSP_*` variables.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
        let mut vars = base_vars();
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let cleanup = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}/test.sqlite?mode=rwc", dir.path().display());
                vars.insert("MSP_DATABASE_URL".into(), url);
                Cleanup::Sqlite(dir)
            }
            Backend::Postgres => {
                let server = postgres_url()?;
                ensure_test_database(&server).await;
                let url = with_database(&server, &test_database());
                let schema = format!("t_{}", Uuid::new_v4().simple());
                let conn = Database::connect(&url).await.expect("test database");
                conn.execute_unprepared(&format!(
                    "CREATE SCHEMA {schema} AUTHORIZATION {APP_ROLE}"
                ))
                .await
                .expect("create schema");
                let _ = conn.close().await;
                vars.insert("MSP_DATABASE_URL".into(), as_app_role(&url));
                Cleanup::Postgres { url, schema }
            }
        };
        Some(Self::start(backend, vars, Arc::new(cleanup)).await)
    }

    /// Another server process on the same database (same SQLite file or PostgreSQL schema),
    /// configured as this one plus `extra`: for restarts and several workers. Tear down the
    /// first app only.
    pub async fn sibling(&self, extra: &[(&str, &str)]) -> TestApp {
        let mut vars = (*self.vars).clone();
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        Self::start(self.backend, vars, self.cleanup.clone()).await
    }

    async fn start(
        backend: Backend,
        vars: HashMap<String, String>,
        cleanup: Arc<Cleanup>,
    ) -> TestApp {
        let mut config = Config::from_vars(&vars).expect("test configuration");
        if let Cleanup::Postgres { schema, .. } = &*cleanup {
            config.db.schema = Some(schema.clone());
        }
        let registry = msp_api::startup::registry(&config).await.expect("registry");
        // Up means ready: the search index built (it is empty or nearly so here).
        let started = std::time::Instant::now();
        while !registry.search().is_ready() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the search index was not built in 30 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let app = Application::from_listener(&config, registry.clone(), listener).expect("app");
        let base = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            registry,
            backend,
            cleanup,
            vars: Arc::new(vars),
        }
    }

    /// Drops the test's PostgreSQL schema (SQLite files go with their folder).
    pub async fn teardown(self) {
        self.registry.db().clone().close().await.ok();
        if let Cleanup::Postgres { url, schema } = &*self.cleanup
            && let Ok(conn) = Database::connect(url).await
        {
            let _ = conn
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await;
            let _ = conn.close().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request; `token` becomes a bearer header, `headers` are added as given.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Resp {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Method::GET, path, token, &[], None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.send(Method::POST, path, token, &[], Some(body)).await
    }

    pub async fn patch(
        &self,
        path: &str,
        token: Option<&str>,
        etag: Option<&str>,
        body: &Value,
    ) -> Resp {
        let headers: Vec<(&str, &str)> = etag.map(|e| vec![("If-Match", e)]).unwrap_or_default();
        self.send(Method::PATCH, path, token, &headers, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>, etag: Option<&str>) -> Resp {
        let headers: Vec<(&str, &str)> = etag.map(|e| vec![("If-Match", e)]).unwrap_or_default();
        self.send(Method::DELETE, path, token, &headers, None).await
    }

    /// A new tenant, created directly through the service (operator authority).
    pub async fn tenant(&self, slug: &str) -> TenantFx {
        let t = self
            .registry
            .create_tenant_unchecked(NewTenant {
                slug: slug.into(),
                name: format!("Registry {slug}"),
                kind: TenantKind::NationalRegistry,
                home_country: Some("ML".into()),
                owner_email: None,
            })
            .await
            .expect("tenant");
        TenantFx {
            id: t.id,
            slug: t.slug,
        }
    }

    /// A new person with `role` in `tenant`, and a token signed by the service's keys.
    pub async fn member(&self, tenant: &TenantFx, role: Role) -> MemberFx {
        let email = format!(
            "{}-{}@example.org",
            format!("{role:?}").to_lowercase(),
            Uuid::new_v4().simple()
        );
        let name = format!("{role:?} of {}", tenant.slug);
        self.person(tenant, role, email, name, false).await
    }

    /// A platform administrator with `role` in `tenant`, and their token.
    pub async fn platform_admin(&self, tenant: &TenantFx, role: Role) -> MemberFx {
        let email = format!("platform-{}@example.org", Uuid::new_v4().simple());
        self.person(tenant, role, email, "Platform administrator".into(), true)
            .await
    }

    /// An account with `role` in `tenant`, and a token for it.
    async fn person(
        &self,
        tenant: &TenantFx,
        role: Role,
        email: String,
        display_name: String,
        platform_admin: bool,
    ) -> MemberFx {
        let user_id = self
            .registry
            .create_user(NewUser {
                email: email.clone(),
                display_name,
                password: PASSWORD.into(),
                platform_admin,
            })
            .await
            .expect("user");
        self.registry
            .grant_role_unchecked(tenant.id, user_id, role)
            .await
            .expect("membership");
        let token = self
            .registry
            .token_for(&Principal {
                subject: user_id,
                kind: SubjectKind::User,
                tenant_id: tenant.id,
                role,
                platform_admin,
            })
            .await
            .expect("token");
        MemberFx {
            user_id,
            email,
            token,
        }
    }

    /// A token for an arbitrary principal, signed with the service's keys, under access epoch
    /// 0: a forgery as far as the access check goes (it matches no membership's epoch).
    pub fn token(
        &self,
        subject: Uuid,
        tenant_id: Uuid,
        role: Role,
        platform_admin: bool,
    ) -> String {
        self.registry
            .tokens()
            .issue(
                &Principal {
                    subject,
                    kind: SubjectKind::User,
                    tenant_id,
                    role,
                    platform_admin,
                },
                0,
            )
            .expect("token")
    }

    /// Creates an organisation through the API and returns its body.
    pub async fn organization(&self, token: &str, name: &str, visibility: &str) -> Value {
        let r = self
            .post(
                "/api/v1/organizations",
                Some(token),
                &json!({"name": name, "sector": "business", "country": "ML", "visibility": visibility}),
            )
            .await;
        assert_eq!(r.status, 201, "create organization: {:?}", r.body);
        r.body
    }
}

impl TestApp {
    /// Creates a private initiative with everything publishing needs but a partner.
    pub async fn initiative(&self, token: &str, title: &str) -> Value {
        let r = self
            .post(
                "/api/v1/initiatives",
                Some(token),
                &json!({
                    "title": title,
                    "summary": format!("Summary of {title}"),
                    "kind": "msp",
                    "countries": ["ML"],
                    "action_lines": ["C4"],
                    "stage": "implementing",
                }),
            )
            .await;
        assert_eq!(r.status, 201, "create initiative: {:?}", r.body);
        r.body
    }

    /// Moves an initiative's registration date `months` into the past (the API cannot), as a
    /// maintenance script would: past the service, then its read-model document rebuilt
    /// (dropped, and built again by `document::backfill`, as at startup).
    pub async fn registered_months_ago(&self, initiative: &str, months: u32) {
        let at = chrono::Utc::now()
            .checked_sub_months(chrono::Months::new(months))
            .expect("a date in range");
        let id = Uuid::parse_str(initiative).expect("an initiative id");
        let db = self.registry.db();
        let backend = db.get_database_backend();
        let (moved, dropped) = match backend {
            sea_orm::DatabaseBackend::Postgres => (
                "UPDATE initiative SET created_at = $1 WHERE id = $2",
                "DELETE FROM initiative_document WHERE initiative_id = $1",
            ),
            _ => (
                "UPDATE initiative SET created_at = ? WHERE id = ?",
                "DELETE FROM initiative_document WHERE initiative_id = ?",
            ),
        };
        let done = db
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                moved,
                [at.into(), id.into()],
            ))
            .await
            .expect("move the registration date");
        assert_eq!(done.rows_affected(), 1);
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            dropped,
            [id.into()],
        ))
        .await
        .expect("drop the document");
        let built = service::initiatives::document::backfill(db)
            .await
            .expect("rebuild the document");
        assert_eq!(built, 1);
    }

    /// Creates an initiative with an active partner and makes it public; returns its body.
    pub async fn public_initiative(&self, token: &str, title: &str) -> Value {
        let initiative = self.initiative(token, title).await;
        let id = initiative["id"].as_str().expect("id").to_owned();
        let org = self
            .organization(token, &format!("Partner of {title}"), "private")
            .await;
        let partner = self
            .post(
                &format!("/api/v1/initiatives/{id}/partners"),
                Some(token),
                &json!({"organization_id": org["id"], "roles": ["lead"]}),
            )
            .await;
        assert_eq!(partner.status, 201, "add partner: {:?}", partner.body);
        let current = self
            .get(&format!("/api/v1/initiatives/{id}"), Some(token))
            .await;
        let published = self
            .patch(
                &format!("/api/v1/initiatives/{id}"),
                Some(token),
                Some(&current.etag()),
                &json!({"visibility": "public"}),
            )
            .await;
        assert_eq!(published.status, 200, "publish: {:?}", published.body);
        published.body
    }
}

/// Runs `test` on a fresh app for `backend`, then tears the app down.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    test(app.clone()).await;
    app.teardown().await;
}

/// As `run`, with extra `MSP_*` variables.
pub async fn run_with<F, Fut>(backend: Backend, vars: &[(&str, &str)], test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(app) = TestApp::spawn_with(backend, vars).await else {
        return;
    };
    test(app.clone()).await;
    app.teardown().await;
}

/// Declares each named `async fn(TestApp)` as two tests, `NAME::sqlite` and `NAME::postgres`.
/// `both_databases!(vars = super::VARS; a, b)` configures the apps with extra `MSP_*`
/// variables (`VARS: &[(&str, &str)]`; the path is resolved inside the generated modules).
#[macro_export]
macro_rules! both_databases {
    (vars = $vars:expr; $($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    $crate::run_with($crate::Backend::Sqlite, $vars, super::$name).await;
                }

                #[actix_web::test]
                async fn postgres() {
                    $crate::run_with($crate::Backend::Postgres, $vars, super::$name).await;
                }
            }
        )*
    };
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    $crate::run($crate::Backend::Sqlite, super::$name).await;
                }

                #[actix_web::test]
                async fn postgres() {
                    $crate::run($crate::Backend::Postgres, super::$name).await;
                }
            }
        )*
    };
}
