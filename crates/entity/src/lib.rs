//! sea-orm entities of the MSP Registry. This crate holds table shapes and the enumerations
//! stored in them, nothing else: every rule lives in the service crate.

pub mod api_client;
pub mod app_user;
pub mod enums;
pub mod instance_secret;
pub mod login_failure;
pub mod membership;
pub mod organization;
pub mod tenant;
