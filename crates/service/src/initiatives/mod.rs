//! Initiatives: the PPP/MSP records at the heart of the registry.
//!
//! Access: members read their tenant's initiatives and every tenant's public ones; anonymous
//! callers read public ones only; editors and above change their own tenant's. Another tenant's
//! private initiative is 404, its public one 403 to a change. Children (partners, contributions,
//! agreements, reports, lessons) follow their initiative's access, and every write to the
//! initiative or a child raises the initiative's version and is recorded in its history.

pub mod access;
pub mod derived;
pub mod document;
pub mod fields;
pub mod journey;
mod keyset;
mod list;
pub(crate) mod store;
pub(crate) mod tag_count;
mod views;

pub use crate::translations::TranslationEdit;
pub use derived::ReportingStatus;
pub use document::{DetailJson, ItemJson};
pub use fields::{DetailQuery, Fieldset};
pub use list::{Collapse, InitiativeQuery, InitiativeSort, MAX_PAGE_OFFSET};
pub(crate) use list::{check_query, country_codes};
pub(crate) use store::{TAG_LEVER, TAG_NEED, load_sectors, load_tags, validate_new};
pub use views::*;
