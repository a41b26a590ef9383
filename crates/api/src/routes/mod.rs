//! REST handlers. Each reads like a sentence: extract the caller and input, call one service
//! function, map the result.

pub mod accounts;
pub mod agreements;
pub mod analytics;
pub mod auth;
pub mod bulk;
pub mod changes;
mod children;
pub mod clients;
pub mod contributions;
pub mod duplicates;
pub mod health;
pub mod initiatives;
pub mod invitations;
pub mod lessons;
pub mod matchmaking;
pub mod members;
pub mod organizations;
pub mod partners;
pub mod partnership_health;
pub mod pictures;
pub mod reference;
pub mod reports;
pub mod tenants;
pub mod translations;
pub mod webhooks;
pub mod wsis;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::health).service(health::ready).service(
        scope::scope("/api/v1")
            .service(auth::token)
            .service(auth::revoke)
            .service(auth::sign_out)
            .service(auth::me)
            .service(tenants::create)
            .service(tenants::current)
            .service(tenants::update_current)
            .service(invitations::sent)
            .service(invitations::withdraw)
            .service(invitations::mine)
            .service(invitations::accept)
            .service(invitations::decline)
            .service(members::list)
            .service(members::add)
            .service(members::change_role)
            .service(members::remove)
            .service(accounts::disable)
            .service(accounts::enable)
            .service(clients::list)
            .service(clients::create)
            .service(clients::revoke)
            .service(organizations::list)
            .service(organizations::create)
            .service(organizations::get)
            .service(organizations::update)
            .service(organizations::delete)
            .service(initiatives::list)
            .service(initiatives::create)
            .service(initiatives::get)
            .service(initiatives::update)
            .service(initiatives::delete)
            .service(initiatives::history)
            .service(translations::set)
            .service(translations::remove)
            .service(translations::replace)
            .service(translations::lesson_set)
            .service(translations::lesson_remove)
            .service(translations::lesson_replace)
            .service(translations::organization_set)
            .service(translations::organization_remove)
            .service(translations::organization_replace)
            .service(partners::list)
            .service(partners::create)
            .service(partners::get)
            .service(partners::update)
            .service(partners::delete)
            .configure(contributions::configure)
            .configure(agreements::configure)
            .configure(reports::configure)
            .configure(lessons::configure)
            .configure(partnership_health::configure)
            .configure(analytics::configure)
            .configure(reference::configure)
            .configure(pictures::configure)
            .configure(wsis::configure)
            .configure(matchmaking::configure)
            .configure(bulk::configure)
            .configure(changes::configure)
            .configure(webhooks::configure)
            .configure(duplicates::configure),
    );
}
