//! The bulk import's parsers (`service::fuzzing::import_rows`: the CSV, JSON array and NDJSON
//! readers and each row's checks, and the companion partners CSV), as an import runs them
//! before it opens a transaction. Never panics on any input; a JSON array that parses gives
//! the same rows and the same problems as the same items written as NDJSON, one a line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use service::import::ImportFormat;

/// Small enough that the `too_many_rows` refusal is reached too.
const MAX_ROWS: usize = 200;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let format = match selector % 3 {
        0 => ImportFormat::Csv,
        1 => ImportFormat::Json,
        _ => ImportFormat::Ndjson,
    };
    // With bit 2 set, what follows the first NUL byte is the companion partners CSV.
    let (body, companion) = match rest.iter().position(|b| *b == 0) {
        Some(at) if selector & 4 != 0 => (&rest[..at], Some(&rest[at + 1..])),
        _ => (rest, None),
    };
    let parsed = service::fuzzing::import_rows(format, body, companion, MAX_ROWS);

    if format == ImportFormat::Json
        && let Ok(items) = serde_json::from_slice::<Vec<serde_json::Value>>(body)
    {
        let lines: Vec<String> = items
            .iter()
            .filter_map(|item| serde_json::to_string(item).ok())
            .collect();
        let ndjson = lines.join("\n");
        let again = service::fuzzing::import_rows(
            ImportFormat::Ndjson,
            ndjson.as_bytes(),
            companion,
            MAX_ROWS,
        );
        assert_eq!(
            format!("{parsed:?}"),
            format!("{again:?}"),
            "a JSON array and the same items as NDJSON import differently"
        );
    }
});
