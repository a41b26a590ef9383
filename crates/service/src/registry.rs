//! The service handle: a database connection, the token keys and the rules' settings.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use entity::tenant;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    auth::{Principal, SubjectKind, TokenKeys, tokens::Verified},
    error::{ServiceError, ServiceResult},
};

/// Settings of the rules, read from the environment by the api crate.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Sign-in attempts per identifier and client address are counted until this long passes
    /// without one; it also caps the delay between attempts (`auth::throttle`)...
    pub login_window: Duration,
    /// ...the attempts that go through without delay...
    pub login_max_failures: u32,
    /// ...and the first delay after them, doubling with each further attempt.
    pub login_first_delay: Duration,
    /// Default and hard maximum page sizes of every list.
    pub default_page_size: u64,
    pub max_page_size: u64,
    /// An initiative is on track with a progress report at most this many months old...
    pub report_due_months: u32,
    /// ...overdue when its latest report is older than this...
    pub report_overdue_months: u32,
    /// ...and inactive when it has never reported this many months after registration.
    pub inactive_after_months: u32,
    /// WSIS showcase: a progress report at most this many months old is needed...
    pub showcase_report_months: u32,
    /// ...partners from at least this many sectors (government among them)...
    pub showcase_min_sectors: usize,
    /// ...and at least this many for an initiative registered as an MSP.
    pub showcase_min_sectors_msp: usize,
    /// ...and a signed partnership agreement, unless this is false.
    pub showcase_require_agreement: bool,
    /// ...and, when set, an overall health score (`health::HealthReport`) of at least this
    /// (`MSP_SHOWCASE_MIN_HEALTH`, 1 to 5; unset: no health criterion).
    pub showcase_min_health: Option<f64>,
    /// Most rows one bulk import may carry (`MSP_IMPORT_MAX_ROWS`).
    pub import_max_rows: usize,
    /// Largest bulk import body, in bytes (`MSP_IMPORT_BODY_LIMIT_BYTES`).
    pub import_body_limit_bytes: usize,
    /// How long an `Idempotency-Key` is remembered (`MSP_IDEMPOTENCY_TTL_SECS`).
    pub idempotency_ttl: Duration,
    /// How long a request may hold its key before a retry may take it over
    /// (`MSP_IDEMPOTENCY_LEASE_SECS`).
    pub idempotency_lease: Duration,
    /// Webhook delivery: worker, timeouts, retries, SSRF guard (`MSP_WEBHOOK_*`).
    pub webhooks: crate::webhooks::WebhookSettings,
    /// How long a refresh token may wait for its use (`MSP_REFRESH_TTL_SECS`); each use hands
    /// out a new one.
    pub refresh_ttl: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            login_window: Duration::from_secs(15 * 60),
            login_max_failures: 5,
            login_first_delay: Duration::from_secs(1),
            default_page_size: 25,
            max_page_size: 100,
            report_due_months: 12,
            report_overdue_months: 24,
            inactive_after_months: 24,
            showcase_report_months: 12,
            showcase_min_sectors: 2,
            showcase_min_sectors_msp: 3,
            showcase_require_agreement: true,
            showcase_min_health: None,
            import_max_rows: 10_000,
            import_body_limit_bytes: 64 * 1024 * 1024,
            idempotency_ttl: Duration::from_secs(24 * 60 * 60),
            idempotency_lease: Duration::from_secs(5 * 60),
            webhooks: crate::webhooks::WebhookSettings::default(),
            refresh_ttl: Duration::from_secs(14 * 24 * 3600),
        }
    }
}

struct Inner {
    db: DatabaseConnection,
    tokens: TokenKeys,
    settings: Settings,
    /// Statements run on `db` since this registry was made (`statements_run`).
    statements: Arc<AtomicU64>,
    /// The grants of the principals this process has seen, kept current from the access log.
    access: crate::auth::access::AccessTable,
    search: crate::search::SearchIndex,
}

/// Cheap to clone; one per process, shared by REST and GraphQL.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

impl Registry {
    /// The service layer over a database, with its search index (opened, started by
    /// [`crate::search::SearchIndex::start`]).
    pub fn new(
        mut db: DatabaseConnection,
        tokens: TokenKeys,
        settings: Settings,
        search: crate::search::SearchIndex,
    ) -> Self {
        // Every statement counts, on both engines and inside transactions too: the Prometheus
        // counter `msp_db_statements_total`, and this registry's own count.
        let statements = Arc::new(AtomicU64::new(0));
        let counted = statements.clone();
        db.set_metric_callback(move |_| {
            counted.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("msp_db_statements_total").increment(1);
        });
        Self {
            inner: Arc::new(Inner {
                statements,
                db,
                tokens,
                settings,
                access: Default::default(),
                search,
            }),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// How many SQL statements this registry's connection has run (tests compare it around one
    /// request; operations read `msp_db_statements_total`).
    pub fn statements_run(&self) -> u64 {
        self.inner.statements.load(Ordering::Relaxed)
    }

    pub(crate) fn access(&self) -> &crate::auth::access::AccessTable {
        &self.inner.access
    }

    /// The search index of this process.
    pub fn search(&self) -> &crate::search::SearchIndex {
        &self.inner.search
    }

    pub fn tokens(&self) -> &TokenKeys {
        &self.inner.tokens
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Starts a transaction for a write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): two deferred transactions that both read and then write would deadlock, and
    /// SQLite would fail one of them instead of letting it wait.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, sea_orm::DbErr> {
        self.db()
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    /// Whether the database answers (for `/ready`).
    pub async fn ping(&self) -> ServiceResult<()> {
        self.db().ping().await.map_err(ServiceError::Unavailable)
    }

    /// Turns a bearer token into a principal. A token of ours acts only while its principal
    /// still holds what it carries (`auth::access`). Tokens of the external identity provider
    /// name their tenant by slug; an unknown slug is an invalid token.
    ///
    /// The principal's tenant is then named for the request's database connections
    /// (`db::scope`), so PostgreSQL's row-level security holds its reads and writes to it.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Principal> {
        let principal = self.principal_of(token).await?;
        crate::db::scope::name(&principal);
        Ok(principal)
    }

    async fn principal_of(&self, token: &str) -> ServiceResult<Principal> {
        match self.tokens().verify(token).await? {
            Verified::Internal(own) => {
                self.check_access(&own).await?;
                Ok(own.principal)
            }
            Verified::External(identity) => {
                let tenant = tenant::Entity::find()
                    .filter(tenant::Column::Slug.eq(identity.tenant_slug.as_str()))
                    .one(self.db())
                    .await?
                    .ok_or(ServiceError::InvalidToken)?;
                Ok(Principal {
                    subject: Uuid::new_v5(
                        &Uuid::NAMESPACE_URL,
                        format!("{}#{}", identity.issuer, identity.subject).as_bytes(),
                    ),
                    kind: SubjectKind::External,
                    tenant_id: tenant.id,
                    role: identity.role,
                    platform_admin: false,
                })
            }
        }
    }
}
