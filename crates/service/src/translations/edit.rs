//! A write of translations alone (the `…/translations` endpoints of initiatives, lessons and
//! organisations): one language set or removed, or every translation replaced.

use super::{Texts, Translatable, TranslationMap, check_map, check_tag, check_texts};
use crate::{ServiceError, ServiceResult, validation::Checks};

/// What a write of translations alone does.
#[derive(Clone, Debug)]
pub enum TranslationEdit {
    /// Sets one language's texts (a BCP 47 tag and its texts; none removes the language).
    Set(String, Texts),
    /// Removes one language.
    Remove(String),
    /// Replaces every translation.
    ReplaceAll(TranslationMap),
}

impl TranslationEdit {
    /// The translations of a record of `spec` (its texts in `original`, its translations
    /// `current`) after the edit, checked: bad fields named by their path in the body, the
    /// language by `lang`. Removing a language the record has no text in is `NotFound`.
    pub(crate) fn apply(
        self,
        spec: &Translatable,
        original: &str,
        current: &TranslationMap,
    ) -> ServiceResult<TranslationMap> {
        let mut c = Checks::new();
        let mut next = current.clone();
        match self {
            TranslationEdit::Set(tag, texts) => {
                if let Some(tag) = check_tag(&mut c, "lang", &tag) {
                    if tag == original {
                        c.push(
                            "lang",
                            "original_language",
                            format!(
                                "is the {}'s own language ({original}): change its fields instead",
                                spec.noun
                            ),
                        );
                    }
                    let texts = check_texts(&mut c, spec, "", &texts);
                    next.remove(&tag);
                    if !texts.is_empty() {
                        next.insert(tag, texts);
                    }
                }
            }
            TranslationEdit::Remove(tag) => {
                if let Some(tag) = check_tag(&mut c, "lang", &tag)
                    && next.remove(&tag).is_none()
                {
                    return Err(ServiceError::NotFound {
                        entity: "translation",
                    });
                }
            }
            TranslationEdit::ReplaceAll(map) => {
                next = check_map(&mut c, spec, original, &map, "");
            }
        }
        c.finish()?;
        Ok(next)
    }
}
