//! Full-text search documents: PostgreSQL `tsvector` with a GIN index, SQLite FTS5. Both match
//! every word of the query (AND), case-insensitively, without stemming or accent folding, and
//! rank by relevance, so results agree across the two engines.

use std::collections::HashMap;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, Order, Statement, Value,
    sea_query::{Alias, Expr, ExprTrait, SelectStatement, SimpleExpr},
};
use uuid::Uuid;

use crate::{error::ServiceResult, pagination::PageRequest};

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
///
/// On SQLite a document is reached through `search_document_key` (FTS5 cannot index
/// `entity_id`): a record keeps its rowid across replacements.
pub(crate) async fn put<C: ConnectionTrait>(
    db: &C,
    kind: DocKind,
    id: Uuid,
    body: &str,
) -> ServiceResult<()> {
    let backend = db.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO search_document (entity_id, kind, body) VALUES ($1, $2, $3) \
             ON CONFLICT (entity_id) DO UPDATE SET kind = EXCLUDED.kind, body = EXCLUDED.body",
            [id.into(), kind.as_str().into(), body.into()],
        ))
        .await?;
        return Ok(());
    }
    match sqlite_rowid(db, id).await? {
        Some(rowid) => {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE search_document SET kind = ?, body = ? WHERE rowid = ?",
                [kind.as_str().into(), body.into(), rowid.into()],
            ))
            .await?;
            Ok(())
        }
        None => put_many(db, &[(id, kind, body.to_owned())]).await,
    }
}

/// Writes the documents of records that have none yet, a few statements for the lot (the bulk
/// paths: import, generator).
pub(crate) async fn put_many<C: ConnectionTrait>(
    db: &C,
    docs: &[(Uuid, DocKind, String)],
) -> ServiceResult<()> {
    // Three (PostgreSQL) or four (SQLite) values per row, well under both engines' limits.
    const CHUNK: usize = 1000;
    let backend = db.get_database_backend();
    for chunk in docs.chunks(CHUNK) {
        if backend == DatabaseBackend::Postgres {
            let mut sql =
                String::from("INSERT INTO search_document (entity_id, kind, body) VALUES ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
            for (i, (id, kind, body)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3));
                values.extend([(*id).into(), kind.as_str().into(), body.clone().into()]);
            }
            db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?;
            continue;
        }
        // SQLite: the writer holds the database's write lock, so the next rowids are its own:
        // past every key and every document (a document without a key included).
        let base: i64 = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT MAX(COALESCE((SELECT MAX(doc_rowid) FROM search_document_key), 0), \
                 COALESCE((SELECT rowid FROM search_document ORDER BY rowid DESC LIMIT 1), 0)) AS last",
            ))
            .await?
            .map(|row| row.try_get("", "last"))
            .transpose()?
            .unwrap_or(0);
        let mut docs_sql =
            String::from("INSERT INTO search_document (rowid, entity_id, kind, body) VALUES ");
        let mut keys_sql =
            String::from("INSERT INTO search_document_key (entity_id, doc_rowid) VALUES ");
        let mut doc_values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        let mut key_values: Vec<Value> = Vec::with_capacity(chunk.len() * 2);
        for (i, (id, kind, body)) in chunk.iter().enumerate() {
            if i > 0 {
                docs_sql.push_str(", ");
                keys_sql.push_str(", ");
            }
            docs_sql.push_str("(?, ?, ?, ?)");
            keys_sql.push_str("(?, ?)");
            let rowid = base + 1 + i as i64;
            doc_values.extend([
                rowid.into(),
                (*id).into(),
                kind.as_str().into(),
                body.clone().into(),
            ]);
            key_values.extend([(*id).into(), rowid.into()]);
        }
        db.execute_raw(Statement::from_sql_and_values(
            backend, docs_sql, doc_values,
        ))
        .await?;
        db.execute_raw(Statement::from_sql_and_values(
            backend, keys_sql, key_values,
        ))
        .await?;
    }
    Ok(())
}

/// The rowid of a record's document on SQLite.
async fn sqlite_rowid<C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceResult<Option<i64>> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT doc_rowid FROM search_document_key WHERE entity_id = ?",
            [id.into()],
        ))
        .await?;
    Ok(row.map(|r| r.try_get("", "doc_rowid")).transpose()?)
}

/// Removes the search document of a record.
pub(crate) async fn remove<C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceResult<()> {
    let backend = db.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "DELETE FROM search_document WHERE entity_id = $1",
            [id.into()],
        ))
        .await?;
        return Ok(());
    }
    if let Some(rowid) = sqlite_rowid(db, id).await? {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "DELETE FROM search_document WHERE rowid = ?",
            [rowid.into()],
        ))
        .await?;
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "DELETE FROM search_document_key WHERE entity_id = ?",
            [id.into()],
        ))
        .await?;
    }
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

/// Joins the full-text index to a select over the initiative table and orders it by relevance,
/// most relevant first (PostgreSQL's `ts_rank`, FTS5's `bm25`), so the database ranks the
/// matches and only the page leaves it. The select must already keep only matching initiatives
/// ([`matches`]); ties keep whatever order is added after this one.
pub(crate) fn order_by_rank(
    query: &mut SelectStatement,
    backend: DatabaseBackend,
    terms: &[String],
) {
    let q = query_text(backend, terms);
    let doc = Alias::new("search_document");
    query.inner_join(
        doc.clone(),
        Expr::col((doc, Alias::new("entity_id")))
            .equals((entity::initiative::Entity, entity::initiative::Column::Id)),
    );
    match backend {
        DatabaseBackend::Postgres => {
            query.order_by_expr(
                Expr::cust_with_values(
                    "ts_rank(\"search_document\".\"vector\", plainto_tsquery('simple', $1))",
                    [q],
                ),
                Order::Desc,
            );
        }
        _ => {
            // FTS5's hidden `rank` column (bm25 unless configured otherwise; lower is more
            // relevant), defined where the table itself is matched. Unlike a call of bm25(), it
            // may be sorted on beside the window that counts the matches.
            query.and_where(Expr::cust_with_values("\"search_document\" MATCH ?", [q]));
            query.order_by_expr(Expr::cust("\"search_document\".\"rank\""), Order::Asc);
        }
    }
}

/// The relevance of every matching document (larger is more relevant), read in one pass of the
/// full-text index. Ranking inside SQL with a subquery per candidate costs a lookup per row on
/// PostgreSQL and, on SQLite, recomputes FTS5's bm25 statistics per row (quadratic in the
/// number of matches).
async fn ranks<C: ConnectionTrait>(db: &C, terms: &[String]) -> ServiceResult<HashMap<Uuid, f64>> {
    let backend = db.get_database_backend();
    let q = query_text(backend, terms);
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT entity_id, CAST(ts_rank(vector, plainto_tsquery('simple', $1)) AS float8) AS rank \
             FROM search_document WHERE vector @@ plainto_tsquery('simple', $1)"
        }
        _ => {
            "SELECT entity_id, -bm25(search_document) AS rank FROM search_document \
             WHERE search_document MATCH ?"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [q.into()]))
        .await?;
    let mut ranks = HashMap::with_capacity(rows.len());
    for row in rows {
        ranks.insert(
            row.try_get::<Uuid>("", "entity_id")?,
            row.try_get::<f64>("", "rank")?,
        );
    }
    Ok(ranks)
}

/// One page of a search sorted by relevance: `candidates` (the filtered ids, in the list's own
/// order) ranked by `ranks`, most relevant first; the sort is stable, so equal ranks keep the
/// list's order. Returns the total and the page's ids.
pub(crate) async fn ranked_page<C: ConnectionTrait>(
    db: &C,
    terms: &[String],
    candidates: Vec<Uuid>,
    request: &PageRequest,
) -> ServiceResult<(u64, Vec<Uuid>)> {
    let ranks = ranks(db, terms).await?;
    let mut ranked: Vec<(Uuid, f64)> = candidates
        .into_iter()
        .map(|id| (id, ranks.get(&id).copied().unwrap_or_default()))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let total = ranked.len() as u64;
    let page = ranked
        .into_iter()
        .skip(usize::try_from(request.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(request.per_page).unwrap_or(usize::MAX))
        .map(|(id, _)| id)
        .collect();
    Ok((total, page))
}

/// `rows` put in the order of `ids`.
pub(crate) fn in_order<T>(mut rows: Vec<T>, ids: &[Uuid], id_of: impl Fn(&T) -> Uuid) -> Vec<T> {
    let position: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|row| position.get(&id_of(row)).copied());
    rows
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
