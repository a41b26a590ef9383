//! A record as a reader reads it: its texts in the reader's language where it has them, the
//! original elsewhere, and which is which.

use std::collections::HashMap;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Translatable, TranslationMap};
use crate::{
    ServiceError, ServiceResult,
    language::{Language, LanguageChoice},
};

/// The body field naming the language of each field that is not in the answer's language.
pub const FIELD_LANGUAGES: &str = "field_languages";
/// The body field of every translation (`lang=*`).
pub const TRANSLATIONS: &str = "translations";

/// The tag of `map` that a reader of `language` reads: the language's own tag, else the first
/// regional or script variant of it (`fr-CA`).
fn tag_for(map: &TranslationMap, language: Language) -> Option<&str> {
    map.keys()
        .find(|t| t.as_str() == language.tag())
        .or_else(|| map.keys().find(|t| Language::from_tag(t) == Some(language)))
        .map(String::as_str)
}

/// Puts the record `object` (its fields in the `original` language) in the reader's `choice`:
/// each translatable field it shows in that language where `map` has it, the original
/// elsewhere (named in `field_languages`); `All` adds every translation as `translations`.
/// Returns the language of the answer (for `Content-Language`).
pub(crate) fn localize(
    object: &mut Map<String, Value>,
    spec: &Translatable,
    original: &str,
    map: &TranslationMap,
    choice: LanguageChoice,
) -> String {
    let language = match choice {
        LanguageChoice::All => {
            let mut tags = vec![original.to_owned()];
            tags.extend(map.keys().cloned());
            object.insert(
                TRANSLATIONS.to_owned(),
                serde_json::to_value(map).unwrap_or_default(),
            );
            return tags.join(", ");
        }
        LanguageChoice::One(language) => language,
    };
    if Language::from_tag(original) == Some(language) {
        return original.to_owned();
    }
    let Some((tag, texts)) = tag_for(map, language).and_then(|t| map.get_key_value(t)) else {
        return original.to_owned();
    };
    let mut elsewhere = Map::new();
    for field in spec.fields {
        let Some(value) = object.get_mut(field.name) else {
            continue;
        };
        match texts.get(field.name) {
            Some(text) => *value = Value::String(text.clone()),
            None if !value.is_null() => {
                elsewhere.insert(field.name.to_owned(), Value::String(original.to_owned()));
            }
            None => {}
        }
    }
    if !elsewhere.is_empty() {
        object.insert(FIELD_LANGUAGES.to_owned(), Value::Object(elsewhere));
    }
    tag.clone()
}

/// [`localize`] over a stored JSON object and its stored translations (`None`: it has none):
/// the new JSON, or `None` when the reader reads it as stored; and the answer's language.
pub(crate) fn localize_json(
    json: &str,
    spec: &Translatable,
    original: &str,
    translations: Option<&str>,
    choice: LanguageChoice,
) -> ServiceResult<(Option<String>, String)> {
    if translations.is_none() && choice != LanguageChoice::All {
        return Ok((None, original.to_owned()));
    }
    let map: TranslationMap = match translations {
        Some(text) => serde_json::from_str(text).map_err(internal)?,
        None => TranslationMap::new(),
    };
    let mut object: Map<String, Value> = serde_json::from_str(json).map_err(internal)?;
    let language = localize(&mut object, spec, original, &map, choice);
    Ok((
        Some(serde_json::to_string(&object).map_err(internal)?),
        language,
    ))
}

/// A typed record whose texts can be read in another language (a lesson, an organisation):
/// its view carries `language`, and `field_languages` / `translations` for [`localize`].
pub trait Localizable: Serialize + DeserializeOwned {
    fn record_id(&self) -> Uuid;
    /// The BCP 47 tag of its own fields' language.
    fn original_language(&self) -> &str;
}

/// Views in the reader's `choice` (`None`: as stored), each through [`localize`] with its
/// translations in `maps`; and the answer's `Content-Language`.
pub(crate) fn localize_views<T: Localizable>(
    views: Vec<T>,
    spec: &Translatable,
    maps: &HashMap<Uuid, TranslationMap>,
    choice: Option<LanguageChoice>,
) -> ServiceResult<(Vec<T>, String)> {
    let empty = TranslationMap::new();
    let mut languages = Vec::with_capacity(views.len());
    let mut out = Vec::with_capacity(views.len());
    for view in views {
        let map = maps.get(&view.record_id());
        match choice {
            Some(choice) if map.is_some() || choice == LanguageChoice::All => {
                let original = view.original_language().to_owned();
                let Value::Object(mut object) = serde_json::to_value(&view).map_err(internal)?
                else {
                    return Err(ServiceError::Internal(
                        "a record's view is not an object".into(),
                    ));
                };
                languages.push(localize(
                    &mut object,
                    spec,
                    &original,
                    map.unwrap_or(&empty),
                    choice,
                ));
                out.push(serde_json::from_value(Value::Object(object)).map_err(internal)?);
            }
            _ => {
                languages.push(view.original_language().to_owned());
                out.push(view);
            }
        }
    }
    Ok((
        out,
        content_language_of(languages.iter().map(String::as_str)),
    ))
}

fn internal(e: serde_json::Error) -> ServiceError {
    ServiceError::Internal(format!("reading stored translations: {e}"))
}

/// The `Content-Language` of a list: the languages of its records' answers, each once, in
/// order of appearance.
pub fn content_language_of<'a>(languages: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for tags in languages {
        for tag in tags.split(", ") {
            if !seen.contains(&tag) {
                seen.push(tag);
            }
        }
    }
    seen.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translations::INITIATIVE;
    use serde_json::json;

    fn french() -> TranslationMap {
        [(
            "fr".to_owned(),
            [("title".to_owned(), "Écoles connectées".to_owned())].into(),
        )]
        .into()
    }

    #[test]
    fn a_field_without_a_translation_falls_back_and_says_so() {
        let mut object =
            json!({"title": "Connected schools", "summary": "Vouchers", "description": null})
                .as_object()
                .cloned()
                .unwrap_or_default();
        let language = localize(
            &mut object,
            &INITIATIVE,
            "en",
            &french(),
            LanguageChoice::One(Language::Fr),
        );
        assert_eq!(language, "fr");
        assert_eq!(object["title"], "Écoles connectées");
        assert_eq!(object["summary"], "Vouchers");
        assert_eq!(object[FIELD_LANGUAGES], json!({"summary": "en"}));
    }

    #[test]
    fn a_language_without_any_text_reads_the_original() {
        let mut object = json!({"title": "Connected schools"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let language = localize(
            &mut object,
            &INITIATIVE,
            "en",
            &french(),
            LanguageChoice::One(Language::Ar),
        );
        assert_eq!(language, "en");
        assert!(object.get(FIELD_LANGUAGES).is_none());
    }
}
