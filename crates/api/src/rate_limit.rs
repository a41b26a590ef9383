//! The request rate limit of `/api/` and `/graphql`: a token bucket per principal for callers
//! whose bearer token verifies (signature, issuer, audience, expiry: no database), and one per
//! client address for everyone else (anonymous, or a token that does not verify), so a token's
//! unverified claims never choose whose bucket is drained. Loopback clients are exempt unless
//! `MSP_RATE_LIMIT_LOOPBACK` is on. Answers it applies to carry `RateLimit-Limit`,
//! `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`
//! (draft-ietf-httpapi-ratelimit-headers-07); a refusal is a 429 `rate_limited` problem with
//! `Retry-After`. Buckets live in each process's memory (`governor`'s GCRA).

use std::{net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use actix_web::{
    Error, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderName, HeaderValue},
    middleware::Next,
    web,
};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock,
    middleware::StateInformationMiddleware,
};
use service::{
    Registry,
    auth::{address_key, tokens::Verified},
};

use crate::{client_address::client_address, config::RateLimitConfig, problem::ApiError};

type Buckets = DefaultKeyedRateLimiter<String, StateInformationMiddleware>;

/// One kind of bucket: its quota, and the buckets by key.
struct Tier {
    quota: Quota,
    buckets: Buckets,
    policy: HeaderValue,
}

impl Tier {
    fn new(per_minute: u32, burst: u32) -> Option<Self> {
        let per_minute = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(burst)?;
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        let window = quota.burst_size_replenished_in().as_secs().max(1);
        let policy = HeaderValue::from_str(&format!("{burst};w={window}")).ok()?;
        Some(Self {
            quota,
            buckets: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            policy,
        })
    }
}

/// The limiter (app data), shared by every worker of the process.
#[derive(Clone)]
pub struct RateLimits {
    inner: Option<Arc<Limits>>,
}

struct Limits {
    principal: Tier,
    address: Tier,
    loopback: bool,
}

/// What the headers of an answer say about the bucket it drew from.
struct Standing {
    limit: u32,
    remaining: u32,
    reset: u64,
    policy: HeaderValue,
}

impl RateLimits {
    pub fn new(config: &RateLimitConfig) -> Self {
        let limits = config.enabled.then(|| {
            Some(Limits {
                principal: Tier::new(config.per_minute, config.burst)?,
                address: Tier::new(config.address_per_minute, config.address_burst)?,
                loopback: config.loopback,
            })
        });
        Self {
            inner: limits.flatten().map(Arc::new),
        }
    }

    /// Forgets buckets that are full again (they would be made anew the same), every `every`.
    pub async fn forget_idle(self, every: Duration) {
        let Some(limits) = self.inner else {
            return;
        };
        let mut ticks = actix_web::rt::time::interval(every);
        loop {
            ticks.tick().await;
            for tier in [&limits.principal, &limits.address] {
                tier.buckets.retain_recent();
                tier.buckets.shrink_to_fit();
            }
        }
    }
}

fn applies(path: &str) -> bool {
    path.starts_with("/api/") || is_graphql(path)
}

fn is_graphql(path: &str) -> bool {
    path == "/graphql" || path.starts_with("/graphql/")
}

/// The bucket key of a request: its principal when the bearer token verifies, else its address.
async fn key(req: &ServiceRequest, address: IpAddr) -> (String, bool) {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    let registry = req.app_data::<web::Data<Registry>>();
    let verified = match (token, registry) {
        (Some(token), Some(registry)) => registry.tokens().verify(token).await.ok(),
        _ => None,
    };
    match verified {
        Some(Verified::Internal(own)) => (format!("sub:{}", own.principal.subject), true),
        Some(Verified::External(ext)) => (format!("ext:{}:{}", ext.issuer, ext.subject), true),
        None => (format!("ip:{}", address_key(address)), false),
    }
}

fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let limits = req
        .app_data::<web::Data<RateLimits>>()
        .and_then(|l| l.inner.clone())
        .filter(|_| applies(req.path()));
    let Some(limits) = limits else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let address = client_address(req.request());
    if address.is_loopback() && !limits.loopback {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let (key, principal) = key(&req, address).await;
    let tier = if principal {
        &limits.principal
    } else {
        &limits.address
    };
    let limit = tier.quota.burst_size().get();
    match tier.buckets.check_key(&key) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            let reset = seconds(tier.quota.replenish_interval() * (limit - remaining));
            let standing = Standing {
                limit,
                remaining,
                reset,
                policy: tier.policy.clone(),
            };
            let mut res = next.call(req).await?;
            write_headers(res.headers_mut(), &standing);
            Ok(res.map_into_left_body())
        }
        Err(not_until) => {
            let wait = seconds(not_until.wait_time_from(tier.buckets.clock().now())).max(1);
            tracing::info!(%key, retry_after_secs = wait, "request rate limited");
            let refusal = ApiError::TooManyRequests {
                retry_after_secs: wait,
            };
            // The problem every other route answers; a GraphQL client reads a GraphQL error.
            let mut response = if is_graphql(req.path()) {
                crate::graphql::refusal(&refusal)
            } else {
                refusal.error_response()
            };
            if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            write_headers(
                response.headers_mut(),
                &Standing {
                    limit,
                    remaining: 0,
                    reset: wait,
                    policy: tier.policy.clone(),
                },
            );
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}

fn write_headers(headers: &mut header::HeaderMap, standing: &Standing) {
    for (name, value) in [
        ("ratelimit-limit", standing.limit.to_string()),
        ("ratelimit-remaining", standing.remaining.to_string()),
        ("ratelimit-reset", standing.reset.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    headers.insert(
        HeaderName::from_static("ratelimit-policy"),
        standing.policy.clone(),
    );
}
