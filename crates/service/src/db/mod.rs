//! Connecting to SQLite or PostgreSQL and applying migrations.

pub mod scope;

use std::{path::Path, time::Duration};

use chrono::Utc;
use entity::instance_secret;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseBackend,
    DatabaseConnection, DbErr, EntityTrait, Set, sqlx,
};

/// How to reach the database and size the pool.
#[derive(Clone, Debug)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
    pub min_connections: u32,
    /// How long a request waits for a pooled connection before failing (503), never hanging.
    pub acquire_timeout: Duration,
    pub max_lifetime: Duration,
    pub idle_timeout: Duration,
    /// PostgreSQL only: the schema to use (tests give each test its own).
    pub schema: Option<String>,
}

impl DbOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            max_lifetime: Duration::from_secs(30 * 60),
            idle_timeout: Duration::from_secs(10 * 60),
            schema: None,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }

    /// The file of a SQLite URL (`sqlite://path?mode=rwc` → `path`), if it names one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        let rest = self.url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| Path::new(path))
    }
}

/// Opens the pool. For SQLite the file (and its folder) is created when missing, and the
/// connection uses WAL, foreign keys and a busy timeout, so readers and the writer coexist.
pub async fn connect(options: &DbOptions) -> Result<DatabaseConnection, DbErr> {
    if let Some(parent) = options.sqlite_path().and_then(Path::parent)
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut opts = ConnectOptions::new(options.url.clone());
    opts.max_connections(options.max_connections)
        .min_connections(options.min_connections)
        .acquire_timeout(options.acquire_timeout)
        .connect_timeout(options.acquire_timeout)
        .max_lifetime(options.max_lifetime)
        .idle_timeout(options.idle_timeout)
        .test_before_acquire(true)
        .sqlx_logging(false);
    if !options.is_sqlite() {
        // Every connection is told the tenant of the request that takes it (`scope`), when it
        // is opened and each time it is handed out again. The statement is also the liveness
        // check sqlx's `test_before_acquire` would make, so it costs no extra round trip.
        let search_path = options
            .schema
            .as_deref()
            .map(|schema| format!("SET search_path = \"{}\"", schema.replace('"', "\"\"")));
        // This hook runs last and replaces the `before_acquire` and `after_connect` sea-orm
        // would assemble (its idle ping, its search path): set those here, not on `opts`.
        opts.map_sqlx_postgres_pool_opts(move |pool| {
            let search_path = search_path.clone();
            pool.test_before_acquire(false)
                .after_connect(move |conn, _| {
                    let search_path = search_path.clone();
                    let tenant = scope::setting();
                    Box::pin(async move {
                        if let Some(sql) = search_path {
                            sqlx::Executor::execute(&mut *conn, sqlx::AssertSqlSafe(sql)).await?;
                        }
                        name_tenant(conn, tenant).await
                    })
                })
                .before_acquire(|conn, _| {
                    let tenant = scope::setting();
                    Box::pin(async move { name_tenant(conn, tenant).await.map(|()| true) })
                })
        });
        // The API's queries are short and many run at once: parallel workers for one query
        // only add start-up cost and compete for the same cores (measured on a 2-core machine
        // with 100,000 initiatives: the country-filtered page took 62 ms with a Gather Merge
        // and 16 ms without).
        // Each connection prepares a statement once and runs it many times; PostgreSQL would
        // still plan it anew on every run for its first executions and whenever it judges a
        // custom plan cheaper, which for the list page cost more than running it (0.3-0.5 ms of
        // planning per statement against 0.5 ms of execution). The statements are shaped for
        // their indexes, so the generic plan is the plan.
        opts.map_sqlx_postgres_opts(|o| {
            o.options([
                ("max_parallel_workers_per_gather", "0"),
                ("plan_cache_mode", "force_generic_plan"),
            ])
        });
    }
    if options.is_sqlite() {
        opts.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Each connection keeps its prepared statements; a statement with a long `IN`
                // list holds a lot of memory, and batched reads (the export) make many such.
                // With sqlx's default of 100 per connection, RSS grew by about 13 MB with every
                // export of 30,000 initiatives (101 → 114 → 128 → 135 MB); with 16 it levelled
                // off (99 → 109 → 109 → 109 MB).
                .statement_cache_capacity(16)
        });
    }
    Database::connect(opts).await
}

/// Tells a PostgreSQL connection which tenant it works for (`scope`).
async fn name_tenant(conn: &mut sqlx::PgConnection, tenant: String) -> Result<(), sqlx::Error> {
    sqlx::query(scope::SET_TENANT)
        .bind(tenant)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Whether the connection's role escapes PostgreSQL's row-level security (a superuser or a
/// role with `BYPASSRLS`); always false on SQLite, which has none.
pub async fn row_security_bypassed(db: &DatabaseConnection) -> Result<bool, DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(false);
    }
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT rolsuper OR rolbypassrls AS bypassed FROM pg_roles WHERE rolname = current_user",
        ))
        .await?;
    match row {
        Some(row) => row.try_get("", "bypassed"),
        None => Ok(false),
    }
}

/// Applies every pending migration.
///
/// On PostgreSQL, several processes may start at once against one database: the migrations run
/// on a connection of their own that holds a session advisory lock, so one process migrates and
/// the others wait, then find nothing left to do.
pub async fn migrate(options: &DbOptions) -> Result<(), DbErr> {
    let mut single = options.clone();
    single.max_connections = 1;
    single.min_connections = 0;
    single.acquire_timeout = single.acquire_timeout.max(Duration::from_secs(30));
    let db = connect(&single).await?;
    let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
    if postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .await?;
    }
    let result = Migrator::up(&db, None).await;
    if postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            .await?;
    }
    db.close().await?;
    result
}

/// The advisory lock key of migrations ("MSPREG" in ASCII).
const MIGRATION_LOCK: i64 = 0x4d53_5052_4547;

/// A secret generated once per installation and kept in the database, so every process that
/// serves the same database agrees on it (used for the JWT key when none is configured).
pub async fn instance_secret(db: &DatabaseConnection, name: &str) -> Result<String, DbErr> {
    if let Some(found) = instance_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
    {
        return Ok(found.value);
    }
    let value = crate::auth::password::random_secret(64);
    let inserted = instance_secret::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(value.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(value),
        // Another process won the race: use its secret.
        Err(_) => instance_secret::Entity::find_by_id(name.to_owned())
            .one(db)
            .await?
            .map(|m| m.value)
            .ok_or_else(|| DbErr::Custom(format!("instance secret {name} could not be stored"))),
    }
}
