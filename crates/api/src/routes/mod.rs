//! REST handlers. Each reads like a sentence: extract the caller and input, call one service
//! function, map the result.

pub mod auth;
pub mod clients;
pub mod health;
pub mod members;
pub mod organizations;
pub mod tenants;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::health).service(health::ready).service(
        scope::scope("/api/v1")
            .service(auth::token)
            .service(auth::me)
            .service(tenants::create)
            .service(tenants::current)
            .service(tenants::update_current)
            .service(members::list)
            .service(members::add)
            .service(members::change_role)
            .service(members::remove)
            .service(clients::list)
            .service(clients::create)
            .service(clients::revoke)
            .service(organizations::list)
            .service(organizations::create)
            .service(organizations::get)
            .service(organizations::update)
            .service(organizations::delete),
    );
}
