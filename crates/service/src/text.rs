//! What text the service accepts, and how names compare.
//!
//! One rule for every protocol: a control character (C0 other than TAB, LF and CR; DEL; C1)
//! never reaches the database. The REST body and query extractors, the token endpoint's form
//! and the GraphQL endpoint walk their decoded input with [`json_errors`] / [`refused`] before a
//! service method runs, and `validation::Checks` refuses them again in every text field it
//! checks, so a write that arrives some other way (an import, the CLI) meets the same rule.
//!
//! Names compare by [`name_key`]: default-ignorable code points removed, then NFKC with full
//! case folding (Unicode's NFKC_Casefold, approximated as NFKD → fold → NFKC), then runs of
//! white space folded to one space.

use std::fmt::Write as _;

use icu_casemap::CaseMapper;
use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
use icu_properties::{CodePointSetData, props::DefaultIgnorableCodePoint};

use crate::error::FieldError;

/// The stable code of the field error for a control character.
pub const CONTROL_CHARACTER: &str = "control_character";

/// Whether the service refuses `c` in any text: C0 controls except TAB, LF and CR, DEL and
/// the C1 controls (U+0080–U+009F). NUL is among them: PostgreSQL cannot store it in text.
pub fn is_refused(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// The first refused character of `value`, if any.
pub fn refused(value: &str) -> Option<char> {
    value.chars().find(|c| is_refused(*c))
}

/// The field error for a refused character `c` in `field`.
pub fn control_error(field: &str, c: char) -> FieldError {
    FieldError::new(
        field,
        CONTROL_CHARACTER,
        format!(
            "must not contain control characters (found U+{:04X})",
            u32::from(c)
        ),
    )
}

/// The error for `field` when `value` holds a refused character.
pub fn check(field: &str, value: &str) -> Option<FieldError> {
    refused(value).map(|c| control_error(field, c))
}

/// Whether a JSON text may hold a refused character in a string: an escape `\u00..` (NUL to
/// U+00FF) or a raw DEL or C1 character (raw C0 characters are not JSON and never parse). A
/// cheap scan, so only the rare body that may hold one is walked by [`json_errors`].
pub fn json_may_hold_refused(body: &[u8]) -> bool {
    body.windows(2).any(|w| match w {
        [b'\\', b'u'] => true,
        [0xc2, second] => (0x80..=0x9f).contains(second),
        [0x7f, _] | [_, 0x7f] => true,
        _ => false,
    })
}

/// Every string (member names too) of a JSON value holding a refused character, named by its
/// path under `root` (`name`, `partners[2].role`; `root` empty for a body).
pub fn json_errors(root: &str, value: &serde_json::Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    walk(&mut root.to_owned(), value, &mut errors);
    errors
}

fn walk(path: &mut String, value: &serde_json::Value, errors: &mut Vec<FieldError>) {
    match value {
        serde_json::Value::String(s) => {
            if let Some(error) = check(field_name(path), s) {
                errors.push(error);
            }
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                let _ = write!(path, "[{index}]");
                walk(path, item, errors);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if let Some(c) = refused(key) {
                    errors.push(control_error(field_name(path), c));
                } else {
                    walk(path, item, errors);
                }
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn field_name(path: &str) -> &str {
    if path.is_empty() { "body" } else { path }
}

/// The key names are compared by: what uniqueness rules (an organisation's name in its tenant)
/// and title sorting use. Names that differ only by Unicode form (NFD against NFC, full-width
/// letters, ligatures), by case (ß and SS too), by default-ignorable code points (zero-width
/// space, soft hyphen, BOM, variation selectors) or by runs of white space have one key.
pub fn name_key(name: &str) -> String {
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let visible: String = name.chars().filter(|c| !ignorable.contains(*c)).collect();
    let decomposed = DecomposingNormalizerBorrowed::new_nfkd().normalize(&visible);
    let folded = CaseMapper::new().fold_string(&decomposed);
    let composed = ComposingNormalizerBorrowed::new_nfkc().normalize(&folded);
    // Compatibility forms can decompose to ignorables (rare): drop any that appear.
    composed
        .split(|c: char| c.is_whitespace())
        .map(|w| {
            w.chars()
                .filter(|c| !ignorable.contains(*c))
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_line_breaks_and_tabs_are_not() {
        for c in [
            '\u{0}', '\u{1}', '\u{8}', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            assert!(is_refused(c), "U+{:04X}", u32::from(c));
        }
        for c in ['\t', '\n', '\r', ' ', 'a', '\u{a0}', 'é', '\u{200b}'] {
            assert!(!is_refused(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn json_errors_name_the_path() {
        let value = serde_json::json!({
            "name": "ok",
            "partners": [{"role": "a"}, {"role": "b\u{0}"}],
            "notes": "line\nbreak",
            "meta": {"k\u{1}": "v"}
        });
        let fields: Vec<_> = json_errors("", &value)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["meta.k\u{1}", "partners[1].role"]);
        assert_eq!(
            json_errors("", &serde_json::json!("\u{0}"))[0].field,
            "body"
        );
    }

    #[test]
    fn the_scan_finds_escapes_and_raw_c1_and_del() {
        assert!(json_may_hold_refused(br#"{"a":"\u0000"}"#));
        assert!(json_may_hold_refused("{\"a\":\"\u{85}\"}".as_bytes()));
        assert!(json_may_hold_refused(b"{\"a\":\"\x7f\"}"));
        assert!(!json_may_hold_refused(
            "{\"a\":\"Caf\u{e9} \\n\"}".as_bytes()
        ));
    }

    #[test]
    fn names_differing_only_by_unicode_form_have_one_key() {
        let key = name_key("Café de Paris");
        for same in [
            "Cafe\u{301} de Paris",
            "CAFÉ DE PARIS",
            "Ca\u{200b}fé de Paris",
            "Ca\u{ad}fé de Paris",
            "\u{feff}Café de Paris",
            "Ｃａｆé ｄｅ Ｐａｒｉｓ",
            "  Café   de\tParis ",
        ] {
            assert_eq!(name_key(same), key, "{same:?}");
        }
        assert_eq!(name_key("Straße"), name_key("STRASSE"));
        assert_eq!(name_key("ﬁnance"), name_key("Finance"));
        assert_eq!(name_key("  Ministry of  ICT "), "ministry of ict");
        assert_ne!(name_key("Café"), name_key("Cafe"));
    }

    #[test]
    fn the_migration_that_recomputed_the_keys_agrees() {
        for name in [
            "Café",
            "Cafe\u{301}",
            "ＡＢＣ",
            "Straße",
            "ﬁ\u{200b}x",
            "  a \u{ad} b ",
        ] {
            assert_eq!(
                migration::m20261202_000012_unicode_name_keys::name_key(name),
                name_key(name),
                "{name:?}"
            );
        }
    }
}
