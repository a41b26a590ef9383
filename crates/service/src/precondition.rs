//! `If-Match` preconditions of conditional writes (RFC 9110, section 13.1.1).
//!
//! Writes take the caller's expected version as `Option<i32>`: `None` when no `If-Match` was
//! sent (the write answers 428), a version otherwise, or [`ANY`] for `If-Match: *`, which
//! matches whatever the current representation is.

use crate::error::{ServiceError, ServiceResult};

/// The expected version that `If-Match: *` stands for: any current version matches. No record
/// has it (versions start at 1).
pub const ANY: i32 = i32::MIN;

/// Checks the caller's expected version against the record's current one and returns the
/// version the write is conditioned on (the current one, also for `*`).
pub fn expect_version(expected: Option<i32>, current: i32) -> ServiceResult<i32> {
    match expected {
        None => Err(ServiceError::PreconditionRequired),
        Some(ANY) => Ok(current),
        Some(v) if v == current => Ok(current),
        Some(_) => Err(ServiceError::StaleVersion { current }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_matches_any_current_version() {
        assert_eq!(expect_version(Some(ANY), 7).ok(), Some(7));
        assert_eq!(expect_version(Some(7), 7).ok(), Some(7));
        assert!(matches!(
            expect_version(Some(6), 7),
            Err(ServiceError::StaleVersion { current: 7 })
        ));
        assert!(matches!(
            expect_version(None, 7),
            Err(ServiceError::PreconditionRequired)
        ));
    }
}
