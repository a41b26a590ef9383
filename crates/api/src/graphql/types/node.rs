//! Relay's `Node` interface and global ids.
//!
//! A global id is the record's UUID, written as REST writes it
//! (`0194f3c2-7a1e-7c3b-9d2a-5f6e8b1c4d3a`): the same value `initiative(id:)`,
//! `organization(id:)` and `/api/v1/...` take. UUIDs are unique across tables, so the id needs
//! no type prefix to be globally unique; `node(id:)` finds the record by asking each node type's
//! own read in turn, so tenancy and visibility are exactly that read's: a record the caller may
//! not read (another tenant's private one) is `null`, as a missing one.

use async_graphql::{ID, Interface};
use service::ServiceError;
use uuid::Uuid;

use super::{Initiative, Organization};
use crate::graphql::{
    context::RequestCtx,
    errors::{bad_argument, service_error},
};

/// An object with a global id, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The global id: the record's UUID, as REST and the type's own query take it."
))]
// One value per `node(id:)` answer: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Initiative(Initiative),
    Organization(Organization),
}

/// The global id of a record.
pub fn global_id(id: Uuid) -> ID {
    ID(id.to_string())
}

/// The record with the global id `id`, if the caller may read it.
pub async fn resolve(rc: &RequestCtx, id: &ID) -> async_graphql::Result<Option<Node>> {
    let uuid = Uuid::parse_str(id.as_str())
        .map_err(|_| bad_argument("id", "not a global id of this API (a UUID)"))?;
    let failed = |e| service_error(e, rc.request_id.as_deref());
    match rc.registry.get_initiative(&rc.caller, uuid).await {
        Ok(found) => return Ok(Some(Node::Initiative(found.into()))),
        Err(ServiceError::NotFound { .. }) => {}
        Err(e) => return Err(failed(e)),
    }
    match rc.registry.get_organization(&rc.caller, uuid).await {
        Ok(found) => Ok(Some(Node::Organization(found.into()))),
        Err(ServiceError::NotFound { .. }) => Ok(None),
        Err(e) => Err(failed(e)),
    }
}
