//! What a database error means to a caller: the store is unavailable (503, retry), or the
//! input held a character the database cannot store (a client error), or neither (a bug: 500).

use sea_orm::{DbErr, RuntimeErr, error::ConnAcquireErr, sqlx};

/// SQLSTATEs that mean "not now, try again": the server is shutting down or starting up
/// (class 57P: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now) or the
/// connection failed (class 08).
const UNAVAILABLE_STATES: &[&str] = &[
    "57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006",
];

/// SQLSTATEs of text the database cannot store: 22021 character_not_in_repertoire (a NUL in
/// text on PostgreSQL) and 22P05 untranslatable_character.
const UNSTORABLE_TEXT_STATES: &[&str] = &["22021", "22P05"];

/// The sqlx error beneath a sea-orm error, when there is one.
fn sqlx_error(err: &DbErr) -> Option<&sqlx::Error> {
    match err {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(e.as_ref()),
        _ => None,
    }
}

fn sqlstate(err: &DbErr) -> Option<String> {
    match sqlx_error(err)? {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// Whether the store is not reachable right now, whichever statement found out: no connection
/// to be had from the pool (timeout, closed), any failure to connect, and a connection lost or
/// shut down under a query (I/O errors, TLS, a crashed worker, SQLSTATE 57P01–57P03, class 08).
pub fn is_unavailable(err: &DbErr) -> bool {
    if matches!(
        err,
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed)
            | DbErr::Conn(RuntimeErr::SqlxError(_))
    ) {
        return true;
    }
    match sqlx_error(err) {
        Some(
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed,
        ) => true,
        Some(sqlx::Error::Database(_)) => {
            sqlstate(err).is_some_and(|code| UNAVAILABLE_STATES.contains(&code.as_str()))
        }
        _ => false,
    }
}

/// Whether the database refused a character of the input (a safety net: the service refuses
/// control characters before they reach it, see `crate::text`).
pub fn is_unstorable_text(err: &DbErr) -> bool {
    sqlstate(err).is_some_and(|code| UNSTORABLE_TEXT_STATES.contains(&code.as_str()))
}

#[cfg(test)]
mod tests {
    use std::{borrow::Cow, sync::Arc};

    use super::*;
    use crate::{ErrorCode, ServiceError};

    /// A database error with a SQLSTATE, as PostgreSQL's driver reports one.
    #[derive(Debug)]
    struct Coded(&'static str);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "error with SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            "terminating connection due to administrator command"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn query_error(e: sqlx::Error) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
    }

    fn code_of(err: DbErr) -> ErrorCode {
        ServiceError::from(err).code()
    }

    #[test]
    fn a_shutdown_under_a_query_is_unavailable() {
        for state in ["57P01", "57P02", "57P03", "08006"] {
            let err = query_error(sqlx::Error::Database(Box::new(Coded(state))));
            assert_eq!(code_of(err), ErrorCode::Unavailable, "{state}");
            let err = DbErr::Exec(RuntimeErr::SqlxError(Arc::new(sqlx::Error::Database(
                Box::new(Coded(state)),
            ))));
            assert_eq!(code_of(err), ErrorCode::Unavailable, "{state}");
        }
    }

    #[test]
    fn a_lost_connection_or_an_empty_pool_is_unavailable() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            code_of(query_error(sqlx::Error::Io(refused))),
            ErrorCode::Unavailable
        );
        assert_eq!(
            code_of(query_error(sqlx::Error::PoolTimedOut)),
            ErrorCode::Unavailable
        );
        assert_eq!(
            code_of(query_error(sqlx::Error::PoolClosed)),
            ErrorCode::Unavailable
        );
        assert_eq!(
            code_of(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)),
            ErrorCode::Unavailable
        );
    }

    #[test]
    fn a_character_the_database_cannot_store_is_the_clients_error() {
        for state in ["22021", "22P05"] {
            let err = query_error(sqlx::Error::Database(Box::new(Coded(state))));
            assert_eq!(code_of(err), ErrorCode::BadRequest, "{state}");
        }
    }

    #[test]
    fn other_database_errors_stay_internal() {
        let err = query_error(sqlx::Error::Database(Box::new(Coded("42P01"))));
        assert_eq!(code_of(err), ErrorCode::Internal);
        assert_eq!(
            code_of(query_error(sqlx::Error::RowNotFound)),
            ErrorCode::Internal
        );
    }
}
