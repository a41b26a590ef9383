//! Every operation of the OpenAPI document, as calls naming tenant A's records: path parameters
//! are A's ids of the right kind, query parameters that take ids name A's, and a write's body
//! is its schema's example (or its required fields) with every id replaced by A's.

use msp_tests::TestApp;
use reqwest::Method;
use serde_json::{Map, Value};

use super::estate::Estate;

/// One request of the sweep.
pub struct Call {
    /// The operation's path as the document names it.
    pub template: String,
    pub method: Method,
    pub path: String,
    body: Body,
    /// The call names a private record of A (its path or body holds one of A's private ids).
    pub names_private: bool,
    /// The call's path names a record of A (public or private).
    pub names_a: bool,
}

enum Body {
    None,
    Json(Value),
    Form(String),
}

/// What an outsider's call answered.
pub struct Answer {
    pub status: u16,
    /// The body, and every header value but `Link`, as text.
    pub text: String,
}

impl Answer {
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Call {
    pub fn is_read(&self) -> bool {
        self.method == Method::GET
    }

    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    pub async fn send(&self, app: &TestApp, token: Option<&str>) -> Answer {
        let mut req = app.client.request(self.method.clone(), app.url(&self.path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if !self.is_read() {
            // Any version matches: a refusal must come from access, never from the precondition.
            req = req.header("If-Match", "*");
        }
        req = match &self.body {
            Body::None => req,
            Body::Json(value) => req.json(value),
            Body::Form(text) => req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(text.clone()),
        };
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        // `Link` only echoes the request's own URL.
        let mut text: String = res
            .headers()
            .iter()
            .filter(|(name, _)| *name != "link")
            .map(|(name, value)| format!("{name}: {}\n", value.to_str().unwrap_or("")))
            .collect();
        text.push_str(&res.text().await.expect("body"));
        Answer { status, text }
    }
}

/// The OpenAPI document the running app serves.
pub async fn document(app: &TestApp) -> Value {
    let r = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(r.status, 200);
    r.body
}

/// Every operation of `doc`, as the calls that name A's records. Panics on a path parameter,
/// a query parameter taking an id, or a body field holding an id that has no entry in the
/// tables below: a new one must be given its kind of A's record before the sweep passes.
pub fn calls(doc: &Value, a: &Estate) -> Vec<Call> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                continue;
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for (concrete, names_private, names_a) in substitutions(doc, path, &params, a) {
                let (payload, body_names_a) = body(doc, op, a);
                let names_private = names_private || body_names_a;
                out.push(Call {
                    template: path.clone(),
                    method: method.clone(),
                    path: concrete.clone(),
                    body: payload,
                    names_private,
                    names_a: names_a || body_names_a,
                });
                if method != Method::GET {
                    continue;
                }
                // A read is also made in each of its formats, and with every query parameter
                // that takes an id set to A's and `scope=all`.
                let probe = probe_query(&params, a);
                let mut queries: Vec<String> = formats(doc, &params)
                    .iter()
                    .flat_map(|f| [format!("format={f}"), format!("format={f}&{probe}")])
                    .collect();
                queries.push(probe);
                queries.retain(|q| !q.is_empty() && !q.ends_with('&'));
                for query in queries {
                    out.push(Call {
                        template: path.clone(),
                        method: method.clone(),
                        path: format!("{concrete}?{query}"),
                        body: Body::None,
                        names_private,
                        names_a,
                    });
                }
            }
        }
    }
    out
}

/// The record kinds of `{id}`, by the collection it follows.
fn ids_of_collection<'a>(collection: &str, a: &'a Estate) -> Vec<(&'a str, bool)> {
    match collection {
        "initiatives" => vec![
            (a.initiative.as_str(), true),
            (a.public_initiative.as_str(), false),
        ],
        "organizations" => vec![
            (a.organization.as_str(), true),
            (a.public_organization.as_str(), false),
        ],
        "clients" => vec![(a.client.as_str(), true)],
        "webhooks" => vec![(a.webhook.as_str(), true)],
        "links" => vec![(a.duplicate_link.as_str(), true)],
        other => panic!("`{{id}}` of /{other}/ has no record of A in the sweep's table"),
    }
}

/// The values of a path parameter: `(value, private, of A)`.
fn values_of(
    doc: &Value,
    path: &str,
    name: &str,
    params: &[Value],
    a: &Estate,
) -> Vec<(String, bool, bool)> {
    let own = |id: &str| vec![(id.to_owned(), true, true)];
    match name {
        "id" => {
            let before = path
                .split('/')
                .take_while(|s| *s != "{id}")
                .last()
                .unwrap_or("");
            ids_of_collection(before, a)
                .into_iter()
                .map(|(id, private)| (id.to_owned(), private, true))
                .collect()
        }
        "partner_id" => vec![
            (a.partner.clone(), true, true),
            (a.public_partner.clone(), true, true),
        ],
        "contribution_id" => own(&a.contribution),
        "agreement_id" => own(&a.agreement),
        "report_id" => own(&a.report),
        "lesson_id" => own(&a.lesson),
        "assessment_id" => own(&a.health_assessment),
        "user_id" => own(&a.member),
        "invitation_id" => own(&a.invitation),
        // A language is no record of A's: the texts in it of the record the path names.
        "lang" => vec![("fr".to_owned(), false, false)],
        // A country is no record of A's: the caller's own tenant's designation is meant.
        "country" => vec![("ML".to_owned(), false, false)],
        // A vocabulary, the same for everyone: its first kind.
        "kind" => {
            let param = params
                .iter()
                .find(|p| p["name"] == "kind")
                .expect("kind parameter");
            let schema = resolve(doc, &param["schema"]);
            let first = schema["enum"][0].as_str().expect("kind enum").to_owned();
            vec![(first, false, false)]
        }
        other => {
            panic!("path parameter `{other}` of {path} has no record of A in the sweep's table")
        }
    }
}

/// Every concrete path: each combination of the path parameters' values.
pub fn substitutions(
    doc: &Value,
    path: &str,
    params: &[Value],
    a: &Estate,
) -> Vec<(String, bool, bool)> {
    let mut out = vec![(path.to_owned(), false, false)];
    for param in params.iter().filter(|p| p["in"] == "path") {
        let name = param["name"].as_str().expect("name");
        let values = values_of(doc, path, name, params, a);
        out = out
            .into_iter()
            .flat_map(|(p, private, of_a)| {
                values.iter().map(move |(v, vp, va)| {
                    (
                        p.replace(&format!("{{{name}}}"), v),
                        private || *vp,
                        of_a || *va,
                    )
                })
            })
            .collect();
    }
    out
}

/// The id of A a query parameter or body field names, by its name.
fn id_named<'a>(name: &str, a: &'a Estate) -> Option<&'a str> {
    match name {
        "organization" | "organization_id" => Some(a.organization.as_str()),
        "initiative" | "initiative_id" => Some(a.initiative.as_str()),
        "other_initiative_id" => Some(a.public_initiative.as_str()),
        "partner_id" | "parties" => Some(a.partner.as_str()),
        _ => None,
    }
}

fn takes_uuid(schema: &Value) -> bool {
    schema.to_string().contains("\"uuid\"")
}

/// The values of the operation's `format` query parameter, if it has one.
fn formats(doc: &Value, params: &[Value]) -> Vec<String> {
    params
        .iter()
        .filter(|p| p["in"] == "query" && p["name"] == "format")
        .flat_map(|p| {
            resolve(doc, &p["schema"])["enum"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// `scope=all` and every id-taking query parameter set to A's, as a query string.
fn probe_query(params: &[Value], a: &Estate) -> String {
    let mut pairs = Vec::new();
    for p in params.iter().filter(|p| p["in"] == "query") {
        let name = p["name"].as_str().expect("name");
        if name == "scope" {
            pairs.push("scope=all".to_owned());
        } else if name == "organization" {
            // The public organisation: the filter is allowed, and must not reveal that it takes
            // part in A's private initiative.
            pairs.push(format!("{name}={}", a.public_organization));
        } else if takes_uuid(&p["schema"]) {
            let id = id_named(name, a).unwrap_or_else(|| {
                panic!("query parameter `{name}` takes an id but the sweep names none of A's")
            });
            pairs.push(format!("{name}={id}"));
        }
    }
    pairs.join("&")
}

pub fn resolve<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// A write's body, and whether it names a record of A.
fn body(doc: &Value, op: &Value, a: &Estate) -> (Body, bool) {
    let content = &op["requestBody"]["content"];
    if let Some(json) = content.get("application/json") {
        let mut value = sample(doc, &json["schema"], 0);
        let named = name_a(&mut value, None, a);
        (Body::Json(value), named)
    } else if content.get("application/x-www-form-urlencoded").is_some() {
        (Body::Form("grant_type=password".to_owned()), false)
    } else {
        (Body::None, false)
    }
}

/// A valid instance of `schema`: its example, else its required properties.
fn sample(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if depth > 6 {
        return Value::Null;
    }
    if let Some(variants) = schema["oneOf"].as_array() {
        let variant = variants
            .iter()
            .find(|v| v["type"] != "null")
            .unwrap_or(&Value::Null);
        return sample(doc, variant, depth + 1);
    }
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .cloned()
            .unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str() {
        Some("object") => {
            let mut out = Map::new();
            for name in schema["required"].as_array().cloned().unwrap_or_default() {
                let name = name.as_str().expect("name").to_owned();
                out.insert(
                    name.clone(),
                    sample(doc, &schema["properties"][&name], depth + 1),
                );
            }
            Value::Object(out)
        }
        Some("array") => {
            let item = sample(doc, &schema["items"], depth + 1);
            if item.is_null() {
                Value::Array(vec![])
            } else {
                Value::Array(vec![item])
            }
        }
        Some("string") => Value::String(
            match schema["format"].as_str() {
                Some("uuid") => "00000000-0000-7000-8000-000000000000",
                Some("date") => "2026-01-01",
                Some("date-time") => "2026-01-01T00:00:00Z",
                _ => "Outsider's text",
            }
            .to_owned(),
        ),
        Some("integer") | Some("number") => Value::from(1),
        Some("boolean") => Value::Bool(true),
        _ => Value::Null,
    }
}

/// Replaces every UUID in `value` by A's record of the field's kind; true when one was.
fn name_a(value: &mut Value, field: Option<&str>, a: &Estate) -> bool {
    match value {
        Value::Object(map) => {
            let mut named = false;
            for (k, v) in map.iter_mut() {
                named |= name_a(v, Some(k.as_str()), a);
            }
            named
        }
        Value::Array(items) => {
            let mut named = false;
            for v in items.iter_mut() {
                named |= name_a(v, field, a);
            }
            named
        }
        Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => {
            let field = field.unwrap_or("");
            let id = id_named(field, a).unwrap_or_else(|| {
                panic!("body field `{field}` holds an id but the sweep names none of A's")
            });
            *s = id.to_owned();
            true
        }
        _ => false,
    }
}
