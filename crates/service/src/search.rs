//! Full-text search documents: PostgreSQL `tsvector` with a GIN index, SQLite FTS5. Both match
//! every word of the query (AND), case-insensitively, without stemming or accent folding, and
//! rank by relevance, so results agree across the two engines.

use sea_orm::{
    ConnectionTrait, DatabaseBackend, Statement, sea_query::Expr, sea_query::SimpleExpr,
};
use uuid::Uuid;

use crate::error::ServiceResult;

/// The kinds of searchable records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    Initiative,
    Lesson,
}

impl DocKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DocKind::Initiative => "initiative",
            DocKind::Lesson => "lesson",
        }
    }
}

/// The words of a query, lower-cased, letters and digits only (what both engines index).
pub fn terms(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .take(32)
        .collect()
}

/// Replaces the search document of a record.
pub(crate) async fn put<C: ConnectionTrait>(
    db: &C,
    kind: DocKind,
    id: Uuid,
    body: &str,
) -> ServiceResult<()> {
    remove(db, id).await?;
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "INSERT INTO search_document (entity_id, kind, body) VALUES ($1, $2, $3)"
        }
        _ => "INSERT INTO search_document (entity_id, kind, body) VALUES (?, ?, ?)",
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [id.into(), kind.as_str().into(), body.into()],
    ))
    .await?;
    Ok(())
}

/// Removes the search document of a record.
pub(crate) async fn remove<C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceResult<()> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => "DELETE FROM search_document WHERE entity_id = $1",
        _ => "DELETE FROM search_document WHERE entity_id = ?",
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await?;
    Ok(())
}

/// The engine's query text for `terms`.
fn query_text(backend: DatabaseBackend, terms: &[String]) -> String {
    match backend {
        // plainto_tsquery ANDs the words.
        DatabaseBackend::Postgres => terms.join(" "),
        // FTS5: quoted terms side by side are ANDed.
        _ => terms
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A condition: `id_column` names a record whose document matches every term.
pub(crate) fn matches(backend: DatabaseBackend, id_column: &str, terms: &[String]) -> SimpleExpr {
    let q = query_text(backend, terms);
    match backend {
        DatabaseBackend::Postgres => Expr::cust_with_values(
            format!(
                "{id_column} IN (SELECT entity_id FROM search_document WHERE vector @@ plainto_tsquery('simple', $1))"
            ),
            [q],
        ),
        _ => Expr::cust_with_values(
            format!(
                "{id_column} IN (SELECT entity_id FROM search_document WHERE search_document MATCH ?)"
            ),
            [q],
        ),
    }
}

/// An ordering expression: larger is more relevant.
pub(crate) fn relevance(backend: DatabaseBackend, id_column: &str, terms: &[String]) -> SimpleExpr {
    let q = query_text(backend, terms);
    match backend {
        DatabaseBackend::Postgres => Expr::cust_with_values(
            format!(
                "(SELECT ts_rank(sd.vector, plainto_tsquery('simple', $1)) FROM search_document sd WHERE sd.entity_id = {id_column})"
            ),
            [q],
        ),
        // bm25() is smaller for better matches: negate it.
        _ => Expr::cust_with_values(
            format!(
                "(SELECT -bm25(search_document) FROM search_document WHERE search_document MATCH ? AND entity_id = {id_column})"
            ),
            [q],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_drop_operators_and_punctuation() {
        assert_eq!(
            terms("School-connectivity OR \"vouchers\"*"),
            ["school", "connectivity", "or", "vouchers"]
        );
        assert!(terms("  %%% ").is_empty());
    }
}
