//! Entry points for the fuzz targets in `fuzz/` (not part of the service's API): the stages of
//! the bulk import and of the initiative list that parse and check input without a database.
//! Each is the function the real path runs, not a copy.

use crate::{
    error::{FieldError, ServiceResult},
    import::ImportFormat,
    initiatives::InitiativeQuery,
};

/// Parses an import file (and its companion partners CSV) as `Registry::import_initiatives`
/// does before it opens a transaction: the line of every row that parses, and every problem.
pub fn import_rows(
    format: ImportFormat,
    body: &[u8],
    companion: Option<&[u8]>,
    max_rows: usize,
) -> ServiceResult<(Vec<usize>, Vec<FieldError>)> {
    crate::import::parse_only(format, body, companion, max_rows)
}

/// Checks a list query's filters and sort as `Registry::list_initiatives` does before it
/// builds its statement.
pub fn check_initiative_query(query: &InitiativeQuery) -> ServiceResult<()> {
    crate::initiatives::check_query(query)
}
