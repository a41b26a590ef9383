//! Every structural problem of a JSON body or a query string at once, each with its path and
//! what the field takes.
//!
//! serde stays the judge of what is accepted: a body or query is first deserialised as usual,
//! and only when that fails is the input walked against the JSON Schema that utoipa derives
//! from the same Rust type (the one the OpenAPI document publishes), to name *every* bad field
//! rather than the first. A rule therefore lives in one place, the type; this module only reads
//! its schema. Should the walk find nothing (a rule the schema cannot express, such as a `u8`
//! overflow), serde's own error is reported, with its path; and serde's error is always among
//! those reported.
//!
//! What the walk checks: JSON types (with `null` where the schema allows it), enum values,
//! required properties, unknown properties (input types deny unknown fields, so an object
//! schema with `properties` is closed unless it says otherwise), `format` (`date`, `date-time`,
//! `uuid`) and numeric `minimum`/`maximum`. Rules of the service (`validation::Checks`: text
//! lengths, country codes, cross-field rules) run once the input has the right shape.

use std::{collections::HashSet, sync::OnceLock};

use serde_json::{Map, Value};
use service::FieldError;
use utoipa::openapi::path::ParameterIn;

/// The OpenAPI document as JSON, built once.
pub(crate) fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::to_value(crate::openapi::document()).unwrap_or(Value::Null))
}

/// The named schemas of the OpenAPI document (`#/components/schemas/...`); the document
/// defines every schema it refers to, query parameters' enums included (a test checks it).
fn components() -> &'static Map<String, Value> {
    static COMPONENTS: OnceLock<Map<String, Value>> = OnceLock::new();
    COMPONENTS.get_or_init(|| match document().pointer("/components/schemas") {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    })
}

/// Where a value came from: a JSON body, or a query string (where every value is text, a
/// timestamp may also be a bare date, and the root is not a field).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Body,
    Query,
}

/// The problems of a JSON body against the schema of `T`.
pub fn body_errors<T: utoipa::PartialSchema>(body: &Value) -> Vec<FieldError> {
    let schema = serde_json::to_value(T::schema()).unwrap_or(Value::Null);
    let mut walk = Walk {
        source: Source::Body,
        errors: Vec::new(),
        left_out: 0,
    };
    walk.check(&schema, body, "");
    walk.finish()
}

/// The problems of a query string's parameters against those `T` declares.
pub fn query_errors<T: utoipa::IntoParams>(pairs: &[(String, String)]) -> Vec<FieldError> {
    let params: Vec<Value> = T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect();
    let known: Vec<String> = params
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let mut walk = Walk {
        source: Source::Query,
        errors: Vec::new(),
        left_out: 0,
    };
    let mut seen = HashSet::new();
    for (name, raw) in pairs {
        let Some(param) = params.iter().find(|p| p["name"] == name.as_str()) else {
            walk.push(
                FieldError::new(
                    name.as_str(),
                    "unknown_parameter",
                    format!("`{name}` is not a parameter of this operation"),
                )
                .allowing(known.clone()),
            );
            continue;
        };
        if !seen.insert(name.as_str()) {
            walk.push(FieldError::new(
                name.as_str(),
                "duplicate_parameter",
                "is given more than once; give it once",
            ));
            continue;
        }
        let schema = &param["schema"];
        let value = walk.coerce(schema, raw);
        walk.check(schema, &value, name);
    }
    for param in &params {
        let name = param["name"].as_str().unwrap_or_default();
        if param["required"] == true && !pairs.iter().any(|(n, _)| n == name) {
            walk.push(FieldError::new(name, "required", "is required"));
        }
    }
    walk.finish()
}

/// `partners[2]` + `role` → `partners[2].role`; the root + `title` → `title`.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `["a", "b"]` → `a, b`.
fn list(values: &[String]) -> String {
    values.join(", ")
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The most field errors one answer lists: a body of a million bad members gets the first of
/// them and a count of the rest, not a response many times its size.
pub const MAX_FIELD_ERRORS: usize = 100;

struct Walk {
    source: Source,
    errors: Vec<FieldError>,
    /// Errors found past [`MAX_FIELD_ERRORS`], counted only.
    left_out: usize,
}

impl Walk {
    fn push(&mut self, error: FieldError) {
        if self.errors.len() < MAX_FIELD_ERRORS {
            self.errors.push(error);
        } else {
            self.left_out += 1;
        }
    }

    /// The errors, with one more naming how many were left out.
    fn finish(mut self) -> Vec<FieldError> {
        if self.left_out > 0 {
            let field = match self.source {
                Source::Body => "body",
                Source::Query => "query",
            };
            self.errors.push(FieldError::new(
                field,
                "too_many_errors",
                format!("…and {} more problems", self.left_out),
            ));
        }
        self.errors
    }

    /// The field name of a path: the root of a body is `body`.
    fn field(&self, path: &str) -> String {
        if path.is_empty() && self.source == Source::Body {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    }

    /// A query value as the JSON value its schema takes (`"3"` as 3 for an integer).
    fn coerce(&self, schema: &Value, raw: &str) -> Value {
        let types = primitive_types(schema);
        let has = |t: &str| types.iter().any(|x| x == t);
        if has("integer") {
            if let Ok(n) = raw.trim().parse::<i64>() {
                return Value::from(n);
            }
            if let Ok(n) = raw.trim().parse::<u64>() {
                return Value::from(n);
            }
        }
        if has("number")
            && let Ok(n) = raw.trim().parse::<f64>()
            && let Some(n) = serde_json::Number::from_f64(n)
        {
            return Value::Number(n);
        }
        if has("boolean") && matches!(raw, "true" | "false") {
            return Value::Bool(raw == "true");
        }
        Value::String(raw.to_owned())
    }

    fn check(&mut self, schema: &Value, value: &Value, path: &str) {
        let schema = resolve(schema);
        if let Some(branches) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            self.check_branches(branches, value, path);
            return;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.check(part, value, path);
            }
            return;
        }
        let types = declared_types(schema);
        if value.is_null() {
            if !types.is_empty() && !types.iter().any(|t| t == "null") {
                let expected = describe(schema, self.source);
                self.push(
                    FieldError::new(
                        self.field(path),
                        "invalid_type",
                        format!("must not be null; expected {}", expected.text),
                    )
                    .expecting(expected.kind)
                    .allowing(expected.allowed),
                );
            }
            return;
        }
        if !types.is_empty() && !types.iter().any(|t| fits(t, value)) {
            let expected = describe(schema, self.source);
            self.push(
                FieldError::new(
                    self.field(path),
                    "invalid_type",
                    format!("expected {}, got {}", expected.text, kind_of(value)),
                )
                .expecting(expected.kind)
                .allowing(expected.allowed),
            );
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            let names: Vec<String> = allowed.iter().map(value_text).collect();
            self.push(
                FieldError::new(
                    self.field(path),
                    "invalid_value",
                    format!(
                        "`{}` is not one of the allowed values: {}",
                        value_text(value),
                        list(&names)
                    ),
                )
                .expecting("enum")
                .allowing(names),
            );
            return;
        }
        match value {
            Value::String(s) => self.check_format(schema, s, path),
            Value::Number(n) => self.check_range(schema, n, path),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{path}[{i}]"));
                    }
                }
            }
            Value::Object(fields) => self.check_object(schema, fields, path),
            _ => {}
        }
    }

    /// `oneOf`/`anyOf`: fine when one branch takes the value; otherwise the problems of the
    /// one branch that could (for `null` or a `$ref`, the usual optional field), or one error
    /// naming the alternatives.
    fn check_branches(&mut self, branches: &[Value], value: &Value, path: &str) {
        let mut failures = Vec::new();
        for branch in branches {
            let mut trial = Walk {
                source: self.source,
                errors: Vec::new(),
                left_out: 0,
            };
            trial.check(branch, value, path);
            if trial.errors.is_empty() {
                return;
            }
            failures.push((branch, trial.errors));
        }
        let candidates: Vec<_> = failures
            .into_iter()
            .filter(|(branch, _)| declared_types(resolve(branch)) != ["null"])
            .collect();
        match candidates.as_slice() {
            [(_, errors)] => errors.iter().cloned().for_each(|e| self.push(e)),
            _ => {
                let texts: Vec<String> = candidates
                    .iter()
                    .map(|(b, _)| describe(resolve(b), self.source).text)
                    .collect();
                self.push(FieldError::new(
                    self.field(path),
                    "invalid_type",
                    format!("expected {}, got {}", texts.join(" or "), kind_of(value)),
                ));
            }
        }
    }

    fn check_object(&mut self, schema: &Value, fields: &Map<String, Value>, path: &str) {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !fields.contains_key(name) {
                    let expected = properties
                        .and_then(|p| p.get(name))
                        .map(|s| describe(resolve(s), self.source));
                    let mut error = FieldError::new(join(path, name), "required", "is required");
                    if let Some(expected) = expected {
                        error = error.expecting(expected.kind).allowing(expected.allowed);
                    }
                    self.push(error);
                }
            }
        }
        let additional = schema.get("additionalProperties");
        for (name, value) in fields {
            match (properties.and_then(|p| p.get(name)), additional) {
                (Some(property), _) => self.check(property, value, &join(path, name)),
                (None, Some(Value::Bool(true))) => {}
                (None, Some(extra)) if extra.is_object() => {
                    self.check(extra, value, &join(path, name))
                }
                // Input types deny unknown fields: a schema that lists properties is closed.
                (None, _) if properties.is_some() || additional == Some(&Value::Bool(false)) => {
                    let names: Vec<String> = properties
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default();
                    self.push(
                        FieldError::new(
                            join(path, name),
                            "unknown_field",
                            format!(
                                "`{name}` is not a field here; the fields are: {}",
                                list(&names)
                            ),
                        )
                        .allowing(names),
                    );
                }
                (None, _) => {}
            }
        }
    }

    fn check_format(&mut self, schema: &Value, s: &str, path: &str) {
        let Some(format) = schema.get("format").and_then(Value::as_str) else {
            return;
        };
        let ok = match format {
            "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .is_ok_and(service::validation::date_fits),
            "date-time" if self.source == Source::Query => {
                service::validation::parse_timestamp(s).is_some()
            }
            "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            "uuid" => uuid::Uuid::parse_str(s).is_ok(),
            _ => true,
        };
        if !ok {
            let expected = describe(schema, self.source);
            self.push(
                FieldError::new(
                    self.field(path),
                    "invalid_format",
                    format!("`{s}` is not valid: {}", expected.text),
                )
                .expecting(expected.kind),
            );
        }
    }

    fn check_range(&mut self, schema: &Value, n: &serde_json::Number, path: &str) {
        let Some(v) = n.as_f64() else { return };
        let min = schema.get("minimum").and_then(Value::as_f64);
        let max = schema.get("maximum").and_then(Value::as_f64);
        let low = min.is_some_and(|m| v < m);
        let high = max.is_some_and(|m| v > m);
        if low || high {
            let bounds = match (min, max) {
                (Some(a), Some(b)) => format!("between {a} and {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(b)) => format!("at most {b}"),
                (None, None) => String::new(),
            };
            self.push(FieldError::new(
                self.field(path),
                "out_of_range",
                format!("must be {bounds}"),
            ));
        }
    }
}

/// The schema that takes any value.
static ANYTHING: Value = Value::Bool(true);

/// Follows `$ref`s into the document's components (a `$ref` that names nothing is taken as
/// "anything": serde still judges the value).
fn resolve(schema: &Value) -> &Value {
    let mut current = schema;
    for _ in 0..16 {
        let Some(target) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        let name = target.rsplit('/').next().unwrap_or_default();
        match components().get(name) {
            Some(next) => current = next,
            None => return &ANYTHING,
        }
    }
    current
}

/// The JSON types a schema declares (`type`, a string or a list), inferred from `properties`
/// or `enum` when absent. Empty: any type.
fn declared_types(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ if schema.get("properties").is_some() => vec!["object".to_owned()],
        _ => Vec::new(),
    }
}

/// The non-null primitive types a (query) schema takes, through `$ref`s and `oneOf`s.
fn primitive_types(schema: &Value) -> Vec<String> {
    let schema = resolve(schema);
    if let Some(branches) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        return branches.iter().flat_map(primitive_types).collect();
    }
    declared_types(schema)
        .into_iter()
        .filter(|t| t != "null")
        .collect()
}

fn fits(t: &str, value: &Value) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// What a schema takes, in words and as `FieldError::expected`/`allowed`.
struct Expected {
    kind: String,
    text: String,
    allowed: Vec<String>,
}

fn describe(schema: &Value, source: Source) -> Expected {
    let schema = resolve(schema);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let allowed: Vec<String> = values.iter().map(value_text).collect();
        return Expected {
            kind: "enum".into(),
            text: format!("one of: {}", list(&allowed)),
            allowed,
        };
    }
    if let Some(branches) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let useful: Vec<&Value> = branches
            .iter()
            .filter(|b| declared_types(resolve(b)) != ["null"])
            .collect();
        if let [only] = useful.as_slice() {
            return describe(only, source);
        }
    }
    let format = schema.get("format").and_then(Value::as_str);
    let (kind, text) = match (primitive_types(schema).first().map(String::as_str), format) {
        (Some("string"), Some("date")) => ("date", "a date in the form YYYY-MM-DD".to_owned()),
        (Some("string"), Some("date-time")) if source == Source::Query => (
            "date-time",
            service::validation::TIMESTAMP_FORMS.replacen("expected ", "", 1),
        ),
        (Some("string"), Some("date-time")) => (
            "date-time",
            "an RFC 3339 date-time such as 2026-01-01T00:00:00Z".to_owned(),
        ),
        (Some("string"), Some("uuid")) => ("uuid", "a UUID".to_owned()),
        (Some("string"), _) => ("string", "a string".to_owned()),
        (Some("integer"), _) => ("integer", "an integer".to_owned()),
        (Some("number"), _) => ("number", "a number".to_owned()),
        (Some("boolean"), _) => ("boolean", "a boolean (true or false)".to_owned()),
        (Some("array"), _) => ("array", "an array".to_owned()),
        (Some("object"), _) => ("object", "an object".to_owned()),
        _ => ("value", "a value".to_owned()),
    };
    Expected {
        kind: kind.into(),
        text,
        allowed: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    #[test]
    fn a_body_reports_each_field_with_its_path() {
        let errors = body_errors::<service::initiatives::NewInitiative>(&json!({
            "title": null,
            "kind": "msp",
            "summary": null,
            "scale": 2,
            "external_identifiers": [{"scheme": "crs", "identifier": 1}],
        }));
        let mut found = fields(&errors);
        found.sort();
        assert_eq!(
            found,
            [
                ("external_identifiers[0].identifier", "invalid_type"),
                ("scale", "invalid_type"),
                ("title", "invalid_type"),
            ]
        );
        let scale = errors.iter().find(|e| e.field == "scale");
        assert_eq!(scale.and_then(|e| e.expected.as_deref()), Some("enum"));
        assert!(scale.is_some_and(|e| e.allowed.contains(&"national".to_owned())));
    }

    #[test]
    fn the_root_of_a_body_is_named_body() {
        let errors = body_errors::<service::initiatives::NewInitiative>(&json!([1]));
        assert_eq!(fields(&errors), [("body", "invalid_type")]);
        assert_eq!(errors[0].expected.as_deref(), Some("object"));
    }

    #[test]
    fn a_body_of_countless_bad_members_lists_the_first_and_counts_the_rest() {
        let body: serde_json::Map<String, Value> = (0..1000)
            .map(|i| (format!("colour_{i}"), json!(i)))
            .collect();
        let errors = body_errors::<service::initiatives::NewInitiative>(&Value::Object(body));
        assert_eq!(errors.len(), MAX_FIELD_ERRORS + 1);
        let last = errors.last().map(|e| (e.field.as_str(), e.code.as_str()));
        assert_eq!(last, Some(("body", "too_many_errors")));
        assert!(errors[MAX_FIELD_ERRORS].message.contains("more problems"));
    }

    #[test]
    fn a_query_reads_values_as_their_types() {
        let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
            p.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert!(query_errors::<service::feed::ChangeQuery>(&pairs(&[("limit", "5")])).is_empty());
        let errors = query_errors::<service::feed::ChangeQuery>(&pairs(&[
            ("limit", "five"),
            ("since", "1"),
            ("after", "1"),
            ("after", "2"),
        ]));
        assert_eq!(
            fields(&errors),
            [
                ("limit", "invalid_type"),
                ("since", "unknown_parameter"),
                ("after", "duplicate_parameter"),
            ]
        );
        assert_eq!(errors[1].allowed, ["after", "limit"]);
    }
}
