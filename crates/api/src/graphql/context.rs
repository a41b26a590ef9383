//! What every resolver of one request shares: the service, the caller, the request id.

use std::sync::Arc;

use async_graphql::Context;
use service::{Caller, Registry, ServiceResult};

use super::errors;

/// The request's caller and the service, shared by its resolvers and its DataLoaders.
pub struct RequestCtx {
    pub registry: Registry,
    pub caller: Caller,
    /// The id in the `X-Request-Id` header and the logs, quoted in internal errors.
    pub request_id: Option<String>,
}

impl RequestCtx {
    /// A service result as a GraphQL result, with the error mapped once.
    pub fn map<T>(&self, result: ServiceResult<T>) -> async_graphql::Result<T> {
        result.map_err(|e| errors::service_error(e, self.request_id.as_deref()))
    }
}

/// The request context of a resolver.
pub fn request<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Arc<RequestCtx>> {
    ctx.data::<Arc<RequestCtx>>()
}
