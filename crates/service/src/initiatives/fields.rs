//! Sparse fieldsets: `fields=id,title,countries` keeps only the named fields of each item of a
//! list, or of a detail, as they pass through from the read model. The names are the fields of
//! the `Initiative` schema (and, for a detail, of `InitiativeDetail`); `id` is always kept.

use std::{collections::BTreeMap, sync::OnceLock};

use serde_json::value::RawValue;
use utoipa::PartialSchema;

use super::views::{Initiative, InitiativeDetail};
use crate::error::{FieldError, ServiceError, ServiceResult};

/// The field always kept.
const ID: &str = "id";

/// The query of a single initiative's read.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DetailQuery {
    /// Sparse fieldset: only these fields, comma-separated (`title,stage,stage_changes`); `id`
    /// is always kept. Names are the fields of `InitiativeDetail`.
    pub fields: Option<String>,
    /// The language to answer in (BCP 47; `*` adds every translation), over
    /// `Accept-Language`: each text in it where the initiative has it, else the original.
    pub lang: Option<String>,
}

/// Which fields an answer keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fieldset(Vec<String>);

/// The properties of a schema, in its order.
fn properties(schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) -> Vec<String> {
    let value = serde_json::to_value(schema).unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    let mut collect = |object: &serde_json::Value| {
        if let Some(props) = object.get("properties").and_then(|p| p.as_object()) {
            names.extend(props.keys().cloned());
        }
    };
    collect(&value);
    // A flattened struct is an `allOf` of its parts.
    if let Some(parts) = value.get("allOf").and_then(|a| a.as_array()) {
        parts.iter().for_each(&mut collect);
    }
    names.dedup();
    names
}

/// The field names of a list item.
fn item_fields() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| properties(Initiative::schema()))
}

/// The field names of a detail: an item's and what the detail adds.
fn detail_fields() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = item_fields().to_vec();
        for name in properties(InitiativeDetail::schema()) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    })
}

impl Fieldset {
    /// The names `fields` takes: those of a list item (`detail` false) or of a detail.
    pub fn names(detail: bool) -> &'static [String] {
        if detail {
            detail_fields()
        } else {
            item_fields()
        }
    }

    /// Reads `fields` for a list item (`detail` false) or a detail: comma-separated names of
    /// the schema's fields, each once; a 400 naming `fields`, with the names allowed, for
    /// anything else.
    pub fn parse(text: &str, detail: bool) -> ServiceResult<Self> {
        let allowed = if detail {
            detail_fields()
        } else {
            item_fields()
        };
        let refuse = |message: String| ServiceError::BadRequest {
            detail: format!("invalid query parameter `fields`: {message}"),
            errors: vec![FieldError::new("fields", "invalid", message).allowing(allowed.to_vec())],
        };
        let mut names = vec![ID.to_owned()];
        for name in text.split(',').map(str::trim) {
            if name.is_empty() {
                return Err(refuse("an empty name in the comma-separated list".into()));
            }
            if !allowed.iter().any(|a| a == name) {
                return Err(refuse(format!("`{name}` is not a field")));
            }
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        Ok(Self(names))
    }

    /// The JSON object `json` with only these fields.
    pub(crate) fn keep(&self, json: &RawValue) -> ServiceResult<Box<RawValue>> {
        let broken =
            |e: serde_json::Error| ServiceError::Internal(format!("an initiative document: {e}"));
        let fields: BTreeMap<&str, &RawValue> = serde_json::from_str(json.get()).map_err(broken)?;
        let mut out = String::with_capacity(json.get().len() / 2);
        out.push('{');
        for (name, value) in fields
            .iter()
            .filter(|(name, _)| self.0.iter().any(|n| n == *name))
        {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(name).map_err(broken)?);
            out.push(':');
            out.push_str(value.get());
        }
        out.push('}');
        RawValue::from_string(out).map_err(broken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_schemas() {
        assert!(item_fields().iter().any(|n| n == "countries"));
        assert!(!item_fields().iter().any(|n| n == "stage_changes"));
        assert!(detail_fields().iter().any(|n| n == "stage_changes"));
        assert!(detail_fields().iter().any(|n| n == "title"));
    }

    #[test]
    fn unknown_or_empty_names_are_refused() {
        assert!(Fieldset::parse("title,nope", false).is_err());
        assert!(Fieldset::parse("title,,id", false).is_err());
        assert!(Fieldset::parse("stage_changes", false).is_err());
        assert!(Fieldset::parse("stage_changes", true).is_ok());
    }

    #[test]
    fn keeps_the_named_fields_and_the_id() {
        let json = RawValue::from_string(
            r#"{"id":"x","title":"T","countries":["KE"],"stage":"s"}"#.into(),
        )
        .unwrap_or_else(|_| unreachable!());
        let kept = Fieldset::parse("countries", false)
            .and_then(|f| f.keep(&json))
            .map(|j| j.get().to_owned());
        assert_eq!(
            kept.ok().as_deref(),
            Some(r#"{"countries":["KE"],"id":"x"}"#)
        );
    }
}
