//! The fixed texts of an agreement draft in the six UN languages (`data/agreement-draft.tsv`,
//! the registry's own translations): headings, the marks of missing elements, labels. The texts
//! from the record stay as they were written.

use std::sync::OnceLock;

use crate::{language::Language, reference};

type Phrases = reference::Labels;

fn phrases() -> &'static Phrases {
    static PHRASES: OnceLock<Phrases> = OnceLock::new();
    PHRASES.get_or_init(|| reference::parse_labels(include_str!("../../data/agreement-draft.tsv")))
}

/// The text of `key` in `language`, else in English (else the key itself, which a test rules
/// out for every key the draft uses).
pub(super) fn phrase(language: Language, key: &str) -> String {
    let Some(texts) = phrases().get(&("draft", key.to_owned())) else {
        return key.to_owned();
    };
    texts
        .iter()
        .find(|(l, _)| *l == language)
        .or_else(|| texts.iter().find(|(l, _)| *l == Language::En))
        .map_or_else(|| key.to_owned(), |(_, text)| (*text).to_owned())
}

/// The text of `key` in `language` with each `{name}` replaced by its value.
pub(super) fn fill(language: Language, key: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(phrase(language, key), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn every_text_is_in_all_six_languages_with_the_same_placeholders() {
        assert!(phrases().len() > 50);
        for ((_, key), texts) in phrases() {
            let english = phrase(Language::En, key);
            for language in Language::ALL {
                assert!(
                    texts.iter().any(|(l, _)| *l == language),
                    "{key} has no {language:?}"
                );
                assert_eq!(
                    placeholders(&phrase(language, key)),
                    placeholders(&english),
                    "{key} in {language:?}"
                );
            }
        }
    }

    #[test]
    fn a_value_fills_its_placeholder() {
        assert_eq!(
            fill(Language::Fr, "signed_on", &[("date", "2005-03-01")]),
            "Signé le 2005-03-01."
        );
        assert_eq!(phrase(Language::En, "title.vision"), "Overarching vision");
    }
}
