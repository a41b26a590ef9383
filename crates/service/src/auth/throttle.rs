//! Sign-in throttling, decided atomically in the database so that no number of concurrent
//! attempts, in any number of server processes, gets more evaluated than the rule allows.
//!
//! State is kept per (identifier, client address): `user:<email>` or `client:<client_id>`, and
//! the address the attempt came from (an IPv6 address counts by its /64 network, which one
//! subscriber usually holds whole). An attempt first *reserves* its slot with one statement
//! (`INSERT … ON CONFLICT … DO UPDATE … WHERE <allowed> RETURNING`): the first
//! `login_max_failures - 1` attempts leave the next one free; the one that reaches the limit,
//! and each after it, makes the next wait (`login_first_delay`, doubling, capped at
//! `login_window`). The count starts again after a whole window without an attempt, and a
//! successful sign-in clears the pair. An attempt that finds its slot not yet open is refused
//! with the seconds left (`RateLimited`), without its password being checked.
//!
//! Because the address is part of the key, failures from one address never delay another: a
//! stranger who knows an owner's email cannot lock the owner out. There is deliberately no
//! account-wide cap across addresses: anyone able to send from many addresses could then delay
//! the owner as surely as the old lockout did. Guessing from many addresses is slowed by the
//! limit per address, the Argon2 cost of each check and the request rate limit instead.

use std::net::IpAddr;

use chrono::Utc;
use entity::sign_in_throttle;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement, Value,
};

use crate::{
    Registry,
    error::{ServiceError, ServiceResult},
};

/// Reserves the attempt's slot, or counts nothing. The same text runs on both engines: `$n`
/// parameters, `CASE` rather than `MIN`/`LEAST`, integer milliseconds.
const RESERVE: &str = "\
INSERT INTO sign_in_throttle (identifier, address, attempts, last_attempt_ms, delay_ms) \
VALUES ($1, $2, 1, $3, $7) \
ON CONFLICT (identifier, address) DO UPDATE SET \
  attempts = CASE WHEN sign_in_throttle.last_attempt_ms <= $3 - $4 THEN 1 \
    ELSE sign_in_throttle.attempts + 1 END, \
  delay_ms = CASE \
    WHEN sign_in_throttle.last_attempt_ms <= $3 - $4 THEN $7 \
    WHEN sign_in_throttle.attempts + 1 < $5 THEN 0 \
    WHEN sign_in_throttle.attempts + 1 = $5 THEN $6 \
    WHEN sign_in_throttle.delay_ms * 2 < $4 THEN sign_in_throttle.delay_ms * 2 \
    ELSE $4 END, \
  last_attempt_ms = $3 \
WHERE sign_in_throttle.last_attempt_ms + sign_in_throttle.delay_ms <= $3 \
RETURNING attempts";

/// Who is signing in, and from where: the key of the throttle.
#[derive(Clone, Debug)]
pub(crate) struct Attempt {
    identifier: String,
    address: String,
}

impl Attempt {
    pub(crate) fn new(identifier: String, address: IpAddr) -> Self {
        Self {
            identifier,
            address: address_key(address),
        }
    }
}

/// How throttles and rate limits name a client address: an IPv4 address as it is, an IPv6
/// address by its /64 network (IPv4-mapped ones as IPv4).
pub fn address_key(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

impl Registry {
    /// Takes a slot for `attempt`, or answers `RateLimited` with the seconds until one opens.
    pub(crate) async fn reserve_sign_in(&self, attempt: &Attempt) -> ServiceResult<()> {
        let settings = self.settings();
        let window = millis(settings.login_window).max(1);
        let first_delay = millis(settings.login_first_delay).clamp(0, window);
        let max = i32::try_from(settings.login_max_failures)
            .unwrap_or(i32::MAX)
            .max(1);
        // With a limit of one, the first attempt already makes the next one wait.
        let opening_delay = if max <= 1 { first_delay } else { 0 };
        let now = Utc::now().timestamp_millis();
        let values: [Value; 7] = [
            attempt.identifier.clone().into(),
            attempt.address.clone().into(),
            now.into(),
            window.into(),
            max.into(),
            first_delay.into(),
            opening_delay.into(),
        ];
        let db = self.db();
        let reserved = db
            .query_one_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                RESERVE,
                values,
            ))
            .await?;
        if reserved.is_some() {
            return Ok(());
        }
        let opens_at: Option<(i64, i64)> = sign_in_throttle::Entity::find()
            .select_only()
            .column(sign_in_throttle::Column::LastAttemptMs)
            .column(sign_in_throttle::Column::DelayMs)
            .filter(sign_in_throttle::Column::Identifier.eq(&attempt.identifier))
            .filter(sign_in_throttle::Column::Address.eq(&attempt.address))
            .into_tuple()
            .one(db)
            .await?;
        let wait_ms = opens_at
            .map_or(0, |(last, delay)| last + delay - now)
            .max(1);
        let retry_after_secs = u64::try_from(wait_ms).unwrap_or(1).div_ceil(1000);
        tracing::warn!(
            identifier = %attempt.identifier,
            address = %attempt.address,
            retry_after_secs,
            "sign-in throttled"
        );
        Err(ServiceError::RateLimited { retry_after_secs })
    }

    /// A successful sign-in: the pair starts afresh.
    pub(crate) async fn clear_sign_in(&self, attempt: &Attempt) -> ServiceResult<()> {
        sign_in_throttle::Entity::delete_many()
            .filter(sign_in_throttle::Column::Identifier.eq(&attempt.identifier))
            .filter(sign_in_throttle::Column::Address.eq(&attempt.address))
            .exec(self.db())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::address_key;

    #[test]
    fn an_ipv6_address_counts_by_its_network() {
        let key = |s: &str| s.parse().map(address_key).unwrap_or_default();
        assert_eq!(key("203.0.113.9"), "203.0.113.9");
        assert_eq!(key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    }
}
