//! What the service counts for operators, through the `metrics` facade: webhook delivery
//! attempts, imported and exported rows. The api crate installs the
//! Prometheus recorder and serves `/metrics`; without a recorder these calls do nothing.
//! Present-state readings (the connection pool, the outbox depth) are methods on [`Registry`],
//! read when metrics are scraped.

use entity::webhook_delivery;
use sea_orm::{ColumnTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{
    Registry,
    error::ServiceResult,
    export::ExportFormat,
    webhooks::outbox::{DELIVERING, PENDING},
};

pub const WEBHOOK_ATTEMPTS: &str = "msp_webhook_delivery_attempts_total";
pub const IMPORT_ROWS: &str = "msp_import_rows_total";
pub const EXPORT_ROWS: &str = "msp_export_rows_total";

/// Describes the service's metrics to the recorder (its `# HELP` lines).
pub fn describe() {
    metrics::describe_counter!(
        WEBHOOK_ATTEMPTS,
        "Webhook delivery attempts, by result (succeeded, failed: a retry may follow)"
    );
    metrics::describe_counter!(
        IMPORT_ROWS,
        "Rows of committed bulk imports, by action (created, updated, unchanged)"
    );
    metrics::describe_counter!(
        EXPORT_ROWS,
        "Records written by bulk exports, by entity (initiative, organization) and format"
    );
}

pub(crate) fn webhook_attempt(succeeded: bool) {
    let result = if succeeded { "succeeded" } else { "failed" };
    metrics::counter!(WEBHOOK_ATTEMPTS, "result" => result).increment(1);
}

pub(crate) fn import_rows(created: usize, updated: usize, unchanged: usize) {
    for (action, n) in [
        ("created", created),
        ("updated", updated),
        ("unchanged", unchanged),
    ] {
        metrics::counter!(IMPORT_ROWS, "action" => action).increment(n as u64);
    }
}

pub(crate) fn export_rows(entity: &'static str, format: ExportFormat, n: usize) {
    let format = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Json => "json",
        ExportFormat::Ndjson => "ndjson",
        ExportFormat::Iati => "iati",
    };
    metrics::counter!(EXPORT_ROWS, "entity" => entity, "format" => format).increment(n as u64);
}

/// The connection pool of this process, now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStatus {
    /// Open connections (idle and in use).
    pub size: u32,
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

impl Registry {
    /// How many connections the pool holds and how many are idle.
    pub fn pool_status(&self) -> PoolStatus {
        let (size, idle, max) = match self.db().get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = self.db().get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle() as u32,
                    pool.options().get_max_connections(),
                )
            }
            DatabaseBackend::Sqlite => {
                let pool = self.db().get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle() as u32,
                    pool.options().get_max_connections(),
                )
            }
            _ => (0, 0, 0),
        };
        PoolStatus { size, idle, max }
    }

    /// Webhook deliveries not yet settled (pending, or claimed by a worker), in every tenant.
    pub async fn webhook_outbox_depth(&self) -> ServiceResult<u64> {
        Ok(webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.is_in([PENDING, DELIVERING]))
            .count(self.db())
            .await?)
    }
}
