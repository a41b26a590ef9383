//! The rules of the MSP Registry.
//!
//! Every operation takes the caller explicitly (a [`Caller`]: anonymous, or a principal with a
//! tenant and a role), so tenant scoping is visible in each signature. Nothing here knows about
//! HTTP or GraphQL: the api crate extracts the caller and input, calls one function here, and maps
//! the result or the [`ServiceError`] once.

pub mod agreements;
pub mod analytics;
pub mod auth;
pub mod batch;
pub mod children;
pub mod clients;
mod codes;
pub mod contributions;
pub mod country;
pub mod db;
pub mod demo;
pub mod duplicates;
pub mod entity_kind;
pub mod error;
pub mod export;
pub mod feed;
#[doc(hidden)]
pub mod fuzzing;
pub mod generator;
pub mod health;
pub mod history;
pub mod idempotency;
pub mod import;
pub mod initiatives;
pub mod invitations;
mod keyset;
pub mod language;
pub mod lessons;
pub mod matchmaking;
pub mod members;
pub mod operator;
pub mod organizations;
pub mod pagination;
pub mod partners;
pub mod pictures;
pub mod precondition;
pub mod reference;
pub mod registry;
pub mod reports;
pub mod search;
pub mod showcase;
pub mod telemetry;
pub mod tenancy;
pub mod tenants;
pub mod text;
pub mod translations;
pub mod validation;
pub mod valuation;
pub mod webhooks;
pub mod write;

pub use auth::{Caller, Principal, SubjectKind};
pub use entity::enums::{Role, Sector, TenantKind, Visibility};
pub use entity_kind::EntityKind;
pub use error::{ErrorCode, FieldError, ServiceError, ServiceResult};
pub use registry::{Registry, Settings};
