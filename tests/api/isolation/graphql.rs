//! Every field of the GraphQL schema's Query type, and every Mutation field taking an id, as
//! requests naming tenant A's records: each id argument is A's record of the right kind, every
//! other required argument a minimal valid value, and the selection every scalar field the
//! answer's type has, three levels down.

use std::collections::HashMap;

use msp_tests::{TestApp, json};
use serde_json::{Map, Value};

use super::estate::Estate;

const INTROSPECTION: &str = r#"{ __schema {
  queryType { name } mutationType { name }
  types { kind name
    fields { name args { name type { ...T } } type { ...T } }
    inputFields { name type { ...T } }
    enumValues { name }
    possibleTypes { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// The schema, as introspection gives it: types by name, and the two root types' names.
pub struct Schema {
    types: HashMap<String, Value>,
    pub query: String,
    pub mutation: String,
}

/// One request of the sweep.
pub struct Request {
    pub label: String,
    pub query: String,
    pub variables: Value,
    /// The root field asked for.
    pub field: String,
}

impl Schema {
    pub async fn introspect(app: &TestApp) -> Schema {
        let r = app
            .post("/graphql", None, &json!({"query": INTROSPECTION}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let schema = &r.body["data"]["__schema"];
        let types = schema["types"]
            .as_array()
            .expect("types")
            .iter()
            .map(|t| (t["name"].as_str().expect("name").to_owned(), t.clone()))
            .collect();
        Schema {
            types,
            query: schema["queryType"]["name"]
                .as_str()
                .expect("query")
                .to_owned(),
            mutation: schema["mutationType"]["name"]
                .as_str()
                .expect("mutation")
                .to_owned(),
        }
    }

    pub fn fields(&self, root: &str) -> Vec<Value> {
        self.types[root]["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The requests that call `field` of `root` with A's ids: one per record of A each id
    /// argument may name.
    pub fn requests(&self, root: &str, field: &Value, a: &Estate) -> Vec<Request> {
        let name = field["name"].as_str().expect("name");
        let keyword = if root == self.query {
            "query"
        } else {
            "mutation"
        };
        let args = field["args"].as_array().cloned().unwrap_or_default();
        let mut variants: Vec<(Vec<String>, Map<String, Value>)> = vec![(vec![], Map::new())];
        for arg in &args {
            let arg_name = arg["name"].as_str().expect("name");
            let ty = &arg["type"];
            let values: Vec<Value> = if is_id(ty) {
                ids_for(name, arg_name, a)
                    .into_iter()
                    .map(Value::from)
                    .collect()
            } else if arg_name == "scope" {
                vec![json!("ALL")]
            } else if arg_name == "expectedVersion" {
                vec![json!(1)]
            } else if ty["kind"] == "NON_NULL" {
                vec![self.sample(ty, arg_name, a, 0)]
            } else {
                continue;
            };
            variants = variants
                .into_iter()
                .flat_map(|(decl, vars)| {
                    values.iter().map(move |v| {
                        let mut decl = decl.clone();
                        let mut vars = vars.clone();
                        decl.push(format!("${arg_name}: {}", type_ref(ty)));
                        vars.insert(arg_name.to_owned(), v.clone());
                        (decl, vars)
                    })
                })
                .collect();
        }
        let selection = self.selection(&field["type"], 0);
        variants
            .into_iter()
            .map(|(decl, vars)| {
                let header = if decl.is_empty() {
                    String::new()
                } else {
                    format!("({})", decl.join(", "))
                };
                let call_args = if vars.is_empty() {
                    String::new()
                } else {
                    format!(
                        "({})",
                        vars.keys()
                            .map(|k| format!("{k}: ${k}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let variables = Value::Object(vars);
                Request {
                    label: format!("{keyword} {name} {variables}"),
                    query: format!("{keyword} Sweep{header} {{ {name}{call_args} {selection} }}"),
                    variables,
                    field: name.to_owned(),
                }
            })
            .collect()
    }

    /// Whether the field takes an id argument.
    pub fn takes_id(field: &Value) -> bool {
        field["args"]
            .as_array()
            .is_some_and(|args| args.iter().any(|a| is_id(&a["type"])))
    }

    /// Every scalar field of the named type, and of its object fields, three levels down.
    fn selection(&self, ty: &Value, depth: usize) -> String {
        let named = named(ty);
        let t = &self.types[named];
        match t["kind"].as_str() {
            Some("OBJECT") => {
                let mut parts = Vec::new();
                for f in t["fields"].as_array().cloned().unwrap_or_default() {
                    let required_args = f["args"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|a| a["type"]["kind"] == "NON_NULL"));
                    if required_args {
                        continue;
                    }
                    let inner = &self.types[named_of(&f["type"])];
                    let name = f["name"].as_str().expect("name");
                    match inner["kind"].as_str() {
                        Some("SCALAR") | Some("ENUM") => parts.push(name.to_owned()),
                        _ if depth < 3 => {
                            let sub = self.selection(&f["type"], depth + 1);
                            if !sub.is_empty() {
                                parts.push(format!("{name} {sub}"));
                            }
                        }
                        _ => {}
                    }
                }
                if parts.is_empty() {
                    String::new()
                } else {
                    format!("{{ {} }}", parts.join(" "))
                }
            }
            Some("INTERFACE") | Some("UNION") => {
                let mut parts = vec!["__typename".to_owned()];
                for p in t["possibleTypes"].as_array().cloned().unwrap_or_default() {
                    let pname = p["name"].as_str().expect("name");
                    let sub = self.selection(&json!({"kind": "OBJECT", "name": pname}), depth);
                    parts.push(format!("... on {pname} {sub}"));
                }
                format!("{{ {} }}", parts.join(" "))
            }
            _ => String::new(),
        }
    }

    /// A minimal valid value of an input type (ids are A's, by the field's name).
    fn sample(&self, ty: &Value, field: &str, a: &Estate, depth: usize) -> Value {
        match ty["kind"].as_str() {
            Some("NON_NULL") => self.sample(&ty["ofType"], field, a, depth),
            Some("LIST") => Value::Array(vec![]),
            _ => {
                let t = &self.types[named(ty)];
                match (t["kind"].as_str(), t["name"].as_str()) {
                    (Some("ENUM"), _) => t["enumValues"][0]["name"].clone(),
                    (Some("INPUT_OBJECT"), _) if depth < 4 => {
                        let mut out = Map::new();
                        for f in t["inputFields"].as_array().cloned().unwrap_or_default() {
                            if f["type"]["kind"] == "NON_NULL" {
                                let name = f["name"].as_str().expect("name");
                                out.insert(
                                    name.to_owned(),
                                    self.sample(&f["type"], name, a, depth + 1),
                                );
                            }
                        }
                        Value::Object(out)
                    }
                    (_, Some("UUID")) | (_, Some("ID")) => {
                        Value::from(ids_for("input", field, a).remove(0))
                    }
                    (_, Some("Int")) => json!(1),
                    (_, Some("Float")) => json!(1.0),
                    (_, Some("Boolean")) => json!(true),
                    (_, Some("NaiveDate")) => json!("2026-01-01"),
                    (_, Some("DateTime")) => json!("2026-01-01T00:00:00Z"),
                    (_, Some("Decimal")) => json!("1"),
                    (_, Some("JSON")) => json!({}),
                    _ if field == "country" => json!("ML"),
                    _ => json!("Outsider's text"),
                }
            }
        }
    }
}

fn named(ty: &Value) -> &str {
    named_of(ty)
}

fn named_of(ty: &Value) -> &str {
    match ty["name"].as_str() {
        Some(name) => name,
        None => named_of(&ty["ofType"]),
    }
}

fn is_id(ty: &Value) -> bool {
    matches!(named_of(ty), "UUID" | "ID")
}

fn type_ref(ty: &Value) -> String {
    match ty["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_ref(&ty["ofType"])),
        Some("LIST") => format!("[{}]", type_ref(&ty["ofType"])),
        _ => ty["name"].as_str().expect("name").to_owned(),
    }
}

/// A's records an id argument names, by the field and the argument. Panics on one the table
/// does not know: a new id argument must be given its kind of A's record.
fn ids_for(field: &str, arg: &str, a: &Estate) -> Vec<String> {
    let initiatives = || vec![a.initiative.clone(), a.public_initiative.clone()];
    let one = |id: &str| vec![id.to_owned()];
    let organizations = || vec![a.organization.clone(), a.public_organization.clone()];
    let lower = field.to_lowercase();
    match arg {
        "initiativeId" | "initiative" | "otherInitiativeId" => initiatives(),
        "organizationId" | "organization" => organizations(),
        "partnerId" => vec![a.partner.clone(), a.public_partner.clone()],
        "userId" => one(&a.member),
        "parties" => one(&a.partner),
        "id" if field == "node" => a.private_ids().iter().map(|s| (*s).to_owned()).collect(),
        "id" if lower.contains("duplicatelink") => one(&a.duplicate_link),
        "id" if lower.contains("partner") => vec![a.partner.clone(), a.public_partner.clone()],
        "id" if lower.contains("contribution") => one(&a.contribution),
        "id" if lower.contains("agreement") => one(&a.agreement),
        "id" if lower.contains("report") => one(&a.report),
        "id" if lower.contains("lesson") => one(&a.lesson),
        "id" if lower.contains("healthassessment") => one(&a.health_assessment),
        "id" if lower.contains("organization") => organizations(),
        "id" if lower.contains("apiclient") => one(&a.client),
        "id" if lower.contains("invitation") => one(&a.invitation),
        "id" if lower.contains("initiative") => initiatives(),
        _ => panic!("id argument `{arg}` of `{field}` has no record of A in the sweep's table"),
    }
}

/// The codes a refused request may carry. Any other (a query too complex, or no code: a request
/// the schema refused) means the sweep's request checked nothing.
const REFUSALS: [&str; 6] = [
    "NOT_FOUND",
    "FORBIDDEN",
    "UNAUTHENTICATED",
    "VALIDATION",
    "CONFLICT",
    "STALE_VERSION",
];

/// Sends one request of the sweep; the answer's JSON body, provided the request was understood.
pub async fn send(app: &TestApp, request: &Request, token: Option<&str>) -> Value {
    let r = app
        .post(
            "/graphql",
            token,
            &json!({"query": request.query, "variables": request.variables}),
        )
        .await;
    assert!(
        r.body.is_object(),
        "{}: {} {:?}",
        request.label,
        r.status,
        r.body
    );
    for error in r.body["errors"].as_array().into_iter().flatten() {
        let code = error["extensions"]["code"].as_str().unwrap_or("");
        assert!(
            REFUSALS.contains(&code),
            "{} was not understood: {error}\n{}",
            request.label,
            request.query
        );
    }
    r.body
}
