//! `If-Match` preconditions of conditional writes (RFC 9110, section 13.1.1).
//!
//! A write that changes or deletes a record takes the caller's [`Precondition`]: none sent
//! (the write answers 428), `*` (any current representation matches), or the version the
//! caller last read.

use crate::error::{ServiceError, ServiceResult};

/// What the caller expects the record's current version to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: a change is refused as precondition required (428).
    Missing,
    /// `If-Match: *`: any current version matches; a record that does not exist does not.
    Any,
    /// `If-Match: "N"`: only version `N` matches (a version no record has, such as 0, never does).
    Version(i32),
}

impl Precondition {
    /// Checks the expectation against the record's current version and returns the version the
    /// write is conditioned on (the current one, also for `*`).
    pub fn check(self, current: i32) -> ServiceResult<i32> {
        match self {
            Precondition::Missing => Err(ServiceError::PreconditionRequired),
            Precondition::Any => Ok(current),
            Precondition::Version(v) if v == current => Ok(current),
            Precondition::Version(_) => Err(ServiceError::StaleVersion { current }),
        }
    }
}

/// An optional expected version (a GraphQL argument that may be left out): absent is `Missing`.
impl From<Option<i32>> for Precondition {
    fn from(version: Option<i32>) -> Self {
        version.map_or(Precondition::Missing, Precondition::Version)
    }
}

/// Checks the caller's expectation against the record's current version (see
/// [`Precondition::check`]).
pub fn expect_version(expected: Precondition, current: i32) -> ServiceResult<i32> {
    expected.check(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_matches_any_current_version() {
        assert_eq!(expect_version(Precondition::Any, 7).ok(), Some(7));
        assert_eq!(expect_version(Precondition::Version(7), 7).ok(), Some(7));
        assert!(matches!(
            expect_version(Precondition::Version(6), 7),
            Err(ServiceError::StaleVersion { current: 7 })
        ));
        assert!(matches!(
            expect_version(Precondition::Missing, 7),
            Err(ServiceError::PreconditionRequired)
        ));
    }

    #[test]
    fn an_absent_version_is_a_missing_precondition() {
        assert_eq!(Precondition::from(None), Precondition::Missing);
        assert_eq!(Precondition::from(Some(3)), Precondition::Version(3));
    }
}
