//! sea-orm entities of the MSP Registry. This crate holds table shapes and the enumerations
//! stored in them, nothing else: every rule lives in the service crate.

pub mod access_change;
pub mod agreement;
pub mod api_client;
pub mod app_user;
pub mod change_event;
pub mod contribution;
pub mod duplicate_link;
pub mod ended_session;
pub mod enums;
pub mod health_assessment;
pub mod idempotency_key;
pub mod initiative;
pub mod initiative_document;
pub mod initiative_partner;
pub mod initiative_tag;
pub mod initiative_tag_count;
pub mod instance_secret;
pub mod invitation;
pub mod lesson;
pub mod membership;
pub mod organization;
pub mod organization_offer;
pub mod progress_report;
pub mod refresh_token;
pub mod revision;
pub mod showcase_designation;
pub mod sign_in_throttle;
pub mod stage_change;
pub mod tenant;
pub mod translation;
pub mod value_assessment;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_subscription;
