//! The languages of a lesson's or an organisation's texts, as their GraphQL types show them
//! (initiatives have their own `InitiativeTexts`).

use async_graphql::SimpleObject;
use std::collections::BTreeMap;

use super::matchmaking::FieldLanguage;

/// One field's text in one language other than the record's own.
#[derive(Clone, Debug, SimpleObject)]
pub struct FieldText {
    /// A BCP 47 tag.
    pub language: String,
    pub field: String,
    pub text: String,
}

/// The fields that fell back to the record's own language, from a REST view's
/// `field_languages`.
pub fn field_languages(map: Option<BTreeMap<String, String>>) -> Vec<FieldLanguage> {
    map.unwrap_or_default()
        .into_iter()
        .map(|(field, language)| FieldLanguage { field, language })
        .collect()
}

/// Every translation of a record, from a REST view's `translations`, by language then field.
pub fn translations(map: Option<service::translations::TranslationMap>) -> Vec<FieldText> {
    map.unwrap_or_default()
        .into_iter()
        .flat_map(|(language, texts)| {
            texts.into_iter().map(move |(field, text)| FieldText {
                language: language.clone(),
                field,
                text,
            })
        })
        .collect()
}
