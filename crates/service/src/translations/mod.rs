//! Multilingual content: the texts of initiatives, lessons and organisations in languages
//! other than the record's own.
//!
//! A record's text columns hold its original language (`language` on the record, a BCP 47 tag);
//! the `translation` table holds the same fields in other languages, one row per record, field
//! and language. Writes check a translation as the original field is checked (its length, no
//! control characters), name each bad field by its path (`translations.fr.title`) and refuse a
//! tag that is not well-formed BCP 47. Reads choose a language with [`render`]: each field falls
//! back to the original, and the answer says which fields are not in its language.
//!
//! [`store`] reads and writes the rows; [`texts_of`] gives the search indexer every
//! translation of a set of records.

mod edit;
pub mod render;
mod store;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{language, validation::Checks};

pub use edit::TranslationEdit;
pub use render::Localizable;
pub(crate) use store::{load, remove_all, replace, texts_of};

/// One language's texts of a record: field name → text.
pub type Texts = BTreeMap<String, String>;

/// A record's translations: BCP 47 tag → that language's texts.
pub type TranslationMap = BTreeMap<String, Texts>;

/// The language of a record stored before records had one.
pub(crate) fn english() -> String {
    "en".to_owned()
}

/// A record's original language and its translations, as the `…/translations` writes answer.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RecordTranslations {
    pub id: uuid::Uuid,
    /// The BCP 47 tag of the language of the record's own fields.
    pub language: String,
    /// The record's version after the write (its ETag).
    pub version: i32,
    /// Its texts in other languages, by BCP 47 tag.
    #[schema(value_type = BTreeMap<String, BTreeMap<String, String>>)]
    pub translations: TranslationMap,
}

/// A translatable field and its longest text (the original field's limit).
#[derive(Debug)]
pub(crate) struct Field {
    pub name: &'static str,
    pub max: usize,
}

/// A kind of record whose texts can be translated, and its translatable fields.
#[derive(Debug)]
pub(crate) struct Translatable {
    /// The record's name in messages (`initiative`).
    pub noun: &'static str,
    /// The kind its translations are stored under.
    pub kind: crate::EntityKind,
    pub fields: &'static [Field],
}

/// An initiative's texts.
pub(crate) const INITIATIVE: Translatable = Translatable {
    noun: "initiative",
    kind: crate::EntityKind::Initiative,
    fields: &[
        Field {
            name: "title",
            max: 300,
        },
        Field {
            name: "summary",
            max: 2_000,
        },
        Field {
            name: "description",
            max: 50_000,
        },
        Field {
            name: "outcome_summary",
            max: 10_000,
        },
    ],
};

/// A lesson's texts.
pub(crate) const LESSON: Translatable = Translatable {
    noun: "lesson",
    kind: crate::EntityKind::Lesson,
    fields: &[
        Field {
            name: "statement",
            max: 1_000,
        },
        Field {
            name: "context",
            max: 10_000,
        },
        Field {
            name: "challenge",
            max: 10_000,
        },
        Field {
            name: "recommendation",
            max: 10_000,
        },
    ],
};

/// An organisation's texts.
pub(crate) const ORGANIZATION: Translatable = Translatable {
    noun: "organization",
    kind: crate::EntityKind::Organization,
    fields: &[
        Field {
            name: "name",
            max: 200,
        },
        Field {
            name: "acronym",
            max: 100,
        },
        Field {
            name: "description",
            max: 10_000,
        },
    ],
};

impl Translatable {
    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.name.to_owned()).collect()
    }

    /// Every field name of every translatable kind (for the history's language of a change).
    pub(crate) fn is_text_field(name: &str) -> bool {
        [&INITIATIVE, &LESSON, &ORGANIZATION]
            .iter()
            .any(|t| t.field(name).is_some())
    }
}

/// `views` of `spec`'s kind in the reader's `choice` (`None`: as stored), with their
/// translations read from `db`; and the answer's `Content-Language`.
pub(crate) async fn localized<C: sea_orm::ConnectionTrait, T: Localizable>(
    db: &C,
    spec: &Translatable,
    views: Vec<T>,
    choice: Option<crate::language::LanguageChoice>,
) -> crate::ServiceResult<(Vec<T>, String)> {
    let maps = match choice {
        Some(_) => {
            let ids: Vec<uuid::Uuid> = views.iter().map(Localizable::record_id).collect();
            load(db, spec.kind, &ids).await?
        }
        None => std::collections::HashMap::new(),
    };
    render::localize_views(views, spec, &maps, choice)
}

/// A tag in its conventional case (RFC 5646 §2.1.1): the language subtag in lower case, a
/// four-letter script in title case, a region in upper case, the rest in lower case
/// (`ZH-hans-cn` → `zh-Hans-CN`). The tag is assumed well-formed.
pub fn canonical(tag: &str) -> String {
    tag.split('-')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_ascii_lowercase()
            } else if part.len() == 4 && part.bytes().all(|b| b.is_ascii_alphabetic()) {
                let mut s = part[..1].to_ascii_uppercase();
                s.push_str(&part[1..].to_ascii_lowercase());
                s
            } else if part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic()) {
                part.to_ascii_uppercase()
            } else {
                part.to_ascii_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A language tag given at `field`: its canonical form, or a problem when it is not
/// well-formed BCP 47.
pub(crate) fn check_tag(c: &mut Checks, field: &str, tag: &str) -> Option<String> {
    let tag = tag.trim();
    if language::well_formed(tag) {
        Some(canonical(tag))
    } else {
        c.push(
            field,
            "invalid_language",
            "must be a BCP 47 language tag (ar, en, es, fr, ru, zh, zh-Hans...)",
        );
        None
    }
}

/// `prefix.name`, or `name` for no prefix.
fn path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// One language's texts, checked as the original fields are (each named `prefix.field`):
/// trimmed, blank ones dropped, at most the field's length, no unknown field.
pub(crate) fn check_texts(
    c: &mut Checks,
    spec: &Translatable,
    prefix: &str,
    texts: &Texts,
) -> Texts {
    let mut kept = Texts::new();
    for (name, text) in texts {
        let at = path(prefix, name);
        match spec.field(name) {
            None => c.push(
                &at,
                "unknown_field",
                format!(
                    "is not a translatable field; these are: {}",
                    spec.names().join(", ")
                ),
            ),
            Some(field) => {
                if let Some(text) = c.optional_text(&at, Some(text), field.max) {
                    kept.insert(name.clone(), text);
                }
            }
        }
    }
    kept
}

/// A record's translations, checked (each language at `prefix.tag`, each text at
/// `prefix.tag.field`), with their tags in canonical form. The record's own language has its
/// texts in the record's fields, not here; a language left with no text is dropped.
pub(crate) fn check_map(
    c: &mut Checks,
    spec: &Translatable,
    original: &str,
    map: &TranslationMap,
    prefix: &str,
) -> TranslationMap {
    let mut kept = TranslationMap::new();
    for (tag, texts) in map {
        let at = path(prefix, tag);
        let Some(canon) = check_tag(c, &at, tag) else {
            continue;
        };
        if canon == original {
            c.push(
                &at,
                "original_language",
                format!(
                    "is the record's own language ({original}): its texts are the record's fields"
                ),
            );
            continue;
        }
        let texts = check_texts(c, spec, &at, texts);
        if !texts.is_empty() {
            kept.entry(canon).or_default().extend(texts);
        }
    }
    kept
}

/// The original language of a new record: the one given (checked at `language`), else the one
/// its text reads as (`language::detect`), else English.
pub(crate) fn original_of(c: &mut Checks, given: Option<&str>, text: &str) -> String {
    match given.map(str::trim).filter(|t| !t.is_empty()) {
        Some(tag) => check_tag(c, "language", tag).unwrap_or_else(|| "en".into()),
        None => language::detect(text)
            .unwrap_or(language::Language::ORIGINAL)
            .tag()
            .to_owned(),
    }
}

/// A record's history snapshot with its translations beside its fields, as `field@tag`
/// (`title@fr`): the history then records each text change with its language.
pub(crate) fn snapshot(value: Option<Value>, map: &TranslationMap) -> Option<Value> {
    let mut value = value?;
    if let Some(fields) = value.as_object_mut() {
        for (tag, texts) in map {
            for (field, text) in texts {
                fields.insert(format!("{field}@{tag}"), Value::String(text.clone()));
            }
        }
    }
    Some(value)
}

/// The field and language of a history snapshot's key: `title@fr` is `title` in French; a
/// text field of a record with a `language` is in that language; other fields have none.
pub(crate) fn field_language(key: &str, record_language: Option<&str>) -> (String, Option<String>) {
    match key.split_once('@') {
        Some((field, tag)) => (field.to_owned(), Some(tag.to_owned())),
        None if Translatable::is_text_field(key) => {
            (key.to_owned(), record_language.map(str::to_owned))
        }
        None => (key.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_take_their_conventional_case() {
        assert_eq!(canonical("ZH-hans-cn"), "zh-Hans-CN");
        assert_eq!(canonical("es-419"), "es-419");
        assert_eq!(canonical("FR"), "fr");
    }

    #[test]
    fn every_bad_translation_is_named_by_its_path() {
        let mut c = Checks::new();
        let map: TranslationMap = [
            (
                "fr".to_owned(),
                [("title".to_owned(), "x".repeat(301))].into(),
            ),
            (
                "fr_FR".to_owned(),
                [("title".to_owned(), "t".to_owned())].into(),
            ),
            (
                "es".to_owned(),
                [("colour".to_owned(), "rojo".to_owned())].into(),
            ),
            (
                "en".to_owned(),
                [("title".to_owned(), "t".to_owned())].into(),
            ),
        ]
        .into();
        check_map(&mut c, &INITIATIVE, "en", &map, "translations");
        let Err(crate::ServiceError::Validation(errors)) = c.finish() else {
            panic!("expected problems");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "translations.en",
                "translations.es.colour",
                "translations.fr.title",
                "translations.fr_FR"
            ]
        );
    }
}
