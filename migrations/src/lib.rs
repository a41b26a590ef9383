//! Schema migrations. A migration that has landed on `main` is never edited: add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261124_000002_registry;
mod m20261124_000003_showcase_and_matchmaking;
mod m20261124_000004_change_feed;
mod m20261129_000005_idempotency;
mod m20261129_000006_webhooks;
mod m20261129_000007_tag_covering_index;
mod m20261129_000008_tag_sort_keys;
mod m20261129_000009_search_document_key;
mod m20261202_000010_initiative_document;
mod m20261202_000011_document_access_columns;
pub mod m20261202_000012_unicode_name_keys;
mod m20261202_000013_access_epochs;
mod m20261202_000014_start_date_sort_indexes;
mod m20261203_000015_sign_in_throttle;
mod m20261203_000016_sessions;
mod m20261203_000017_invitations;
mod m20261204_000018_row_level_security;
mod m20261205_000019_stage_change_dates;
mod m20261206_000020_row_security_of_keyless_tables;
mod m20261206_000021_health_assessments;
mod m20261206_000022_agreement_elements;
mod m20261206_000023_duplicate_links;
mod m20261207_000024_translations;
mod m20261210_000025_search_documents_dropped;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261124_000002_registry::Migration),
            Box::new(m20261124_000003_showcase_and_matchmaking::Migration),
            Box::new(m20261124_000004_change_feed::Migration),
            Box::new(m20261129_000005_idempotency::Migration),
            Box::new(m20261129_000006_webhooks::Migration),
            Box::new(m20261129_000007_tag_covering_index::Migration),
            Box::new(m20261129_000008_tag_sort_keys::Migration),
            Box::new(m20261129_000009_search_document_key::Migration),
            Box::new(m20261202_000010_initiative_document::Migration),
            Box::new(m20261202_000011_document_access_columns::Migration),
            Box::new(m20261202_000012_unicode_name_keys::Migration),
            Box::new(m20261202_000013_access_epochs::Migration),
            Box::new(m20261202_000014_start_date_sort_indexes::Migration),
            Box::new(m20261203_000015_sign_in_throttle::Migration),
            Box::new(m20261203_000016_sessions::Migration),
            Box::new(m20261203_000017_invitations::Migration),
            Box::new(m20261204_000018_row_level_security::Migration),
            Box::new(m20261205_000019_stage_change_dates::Migration),
            Box::new(m20261206_000020_row_security_of_keyless_tables::Migration),
            Box::new(m20261206_000021_health_assessments::Migration),
            Box::new(m20261206_000022_agreement_elements::Migration),
            Box::new(m20261206_000023_duplicate_links::Migration),
            Box::new(m20261207_000024_translations::Migration),
            Box::new(m20261210_000025_search_documents_dropped::Migration),
        ]
    }
}
