//! Defence in depth on PostgreSQL: row-level security on every tenant-scoped table.
//!
//! The service names the tenant a connection works for in the setting `msp.tenant` each time
//! it takes the connection from the pool (`service::db::scope`). With a tenant named, a table's
//! rows are those the tenancy rules (`service::tenancy`) let that tenant read: its own, plus
//! other tenants' public initiatives, organisations and what hangs off public initiatives; and
//! it can write its own rows only. A query that forgot its tenant condition therefore returns
//! nothing of another tenant's private rows instead of leaking them. With no tenant named
//! (anonymous requests, sign-in, platform administrators, background workers, migrations), the
//! service's own conditions are the whole rule, as on SQLite.
//!
//! The policies bind every role but superusers and roles with `BYPASSRLS` (`FORCE` makes them
//! bind the tables' owner too): the service must connect as an ordinary role, and warns at start
//! when it does not. SQLite has no row-level security; nothing is done there.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tenant named for this connection, `NULL` for none. Wrapped in `(SELECT …)` inside the
/// policies so PostgreSQL evaluates it once per statement rather than once per row.
const SCOPE_FN: &str = "CREATE OR REPLACE FUNCTION msp_scope() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('msp.tenant', true), '')::uuid $$";

const UNSCOPED: &str = "(SELECT msp_scope()) IS NULL";
const OWN: &str = "tenant_id = (SELECT msp_scope())";
const PUBLIC_INITIATIVE: &str =
    "initiative_id IN (SELECT id FROM initiative WHERE visibility = 'public')";

/// Tables whose rows only their tenant reads.
const PRIVATE: &[&str] = &[
    "api_client",
    "ended_session",
    "idempotency_key",
    "invitation",
    "membership",
    "refresh_token",
    // History may hold what was once private: only its tenant reads it (`history.rs`).
    "revision",
    "webhook_attempt",
    "webhook_delivery",
    "webhook_subscription",
];

/// Rows of an initiative, readable by everyone when the initiative is public.
const CHILDREN: &[&str] = &[
    "agreement",
    "contribution",
    "initiative_partner",
    "lesson",
    "progress_report",
    "showcase_designation",
    "value_assessment",
];

/// Tables with a public flag of their own, and the condition that makes a row public.
const SHARED: &[(&str, &str)] = &[
    ("initiative", "visibility = 'public'"),
    // An organisation is also seen wherever it is a partner the reader sees (the partner
    // table's own policy decides which).
    (
        "organization",
        "(visibility = 'public' OR id IN (SELECT organization_id FROM initiative_partner))",
    ),
    ("initiative_document", "visibility = 'public'"),
    ("initiative_tag_count", "public > 0"),
    ("change_event", "(public_before OR public_after)"),
];

/// Every tenant-scoped table with the condition, besides its own tenant, under which another
/// tenant may read a row.
fn tables() -> Vec<(&'static str, Option<String>)> {
    let mut all: Vec<(&str, Option<String>)> = PRIVATE.iter().map(|t| (*t, None)).collect();
    all.extend(
        CHILDREN
            .iter()
            .map(|t| (*t, Some(PUBLIC_INITIATIVE.to_owned()))),
    );
    all.extend(SHARED.iter().map(|(t, c)| (*t, Some((*c).to_owned()))));
    all
}

/// A tag row is written before its denormalised tenant is copied onto it (the write pipeline's
/// `sync_tag_keys`): until then it belongs to its initiative's tenant.
const TAG: &str = "initiative_tag";
const TAG_OWN: &str = "(tenant_id = (SELECT msp_scope()) OR (tenant_id IS NULL AND initiative_id IN \
     (SELECT id FROM initiative WHERE tenant_id = (SELECT msp_scope()))))";
const TAG_PUBLIC: &str = "is_public";

/// The policies of one table: `own` is the condition of a row of the named tenant, `public`
/// the one under which another tenant may read it.
fn policies(table: &str, own: &str, public: Option<&str>) -> String {
    let read = match public {
        None => format!("{UNSCOPED} OR {own}"),
        Some(public) => format!("{UNSCOPED} OR {own} OR {public}"),
    };
    format!(
        "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
         ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
         CREATE POLICY tenant_read ON {table} FOR SELECT USING ({read});
         CREATE POLICY tenant_insert ON {table} FOR INSERT WITH CHECK ({UNSCOPED} OR {own});
         CREATE POLICY tenant_update ON {table} FOR UPDATE
             USING ({UNSCOPED} OR {own}) WITH CHECK ({UNSCOPED} OR {own});
         CREATE POLICY tenant_delete ON {table} FOR DELETE USING ({UNSCOPED} OR {own});"
    )
}

fn dropped(table: &str) -> String {
    format!(
        "DROP POLICY IF EXISTS tenant_read ON {table};
         DROP POLICY IF EXISTS tenant_insert ON {table};
         DROP POLICY IF EXISTS tenant_update ON {table};
         DROP POLICY IF EXISTS tenant_delete ON {table};
         ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
         ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(SCOPE_FN).await?;
        for (table, public) in tables() {
            db.execute_unprepared(&policies(table, OWN, public.as_deref()))
                .await?;
        }
        db.execute_unprepared(&policies(TAG, TAG_OWN, Some(TAG_PUBLIC)))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for table in tables().into_iter().map(|(t, _)| t).chain([TAG]) {
            db.execute_unprepared(&dropped(table)).await?;
        }
        db.execute_unprepared("DROP FUNCTION IF EXISTS msp_scope()")
            .await?;
        Ok(())
    }
}
