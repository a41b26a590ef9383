//! Control characters in a GraphQL request: the rule REST bodies and query strings follow
//! (`service::text`), applied to the variables, the query document's argument literals and
//! variable defaults, and the document's own text, before anything runs.

use std::convert::Infallible;

use async_graphql::{
    Request, Value as ConstValue,
    parser::{
        parse_query,
        types::{Selection, SelectionSet},
    },
};
use service::{FieldError, text};

/// Every place of `request` holding a control character: a variable by its name and path
/// (`input.name`), an argument literal by its field's response key and the argument
/// (`createOrganization.input.name`), or `query` for the document's text.
pub fn control_characters(request: &Request) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(error) = text::check("query", &request.query) {
        errors.push(error);
    }
    for (name, value) in request.variables.iter() {
        if let Ok(json) = value.clone().into_json() {
            errors.extend(text::json_errors(name.as_str(), &json));
        }
    }
    // A document that does not parse is refused when it runs; its text was checked above.
    let Ok(document) = parse_query(&request.query) else {
        return errors;
    };
    for (_, operation) in document.operations.iter() {
        for variable in &operation.node.variable_definitions {
            if let Some(default) = &variable.node.default_value
                && let Ok(json) = default.node.clone().into_json()
            {
                errors.extend(text::json_errors(variable.node.name.node.as_str(), &json));
            }
        }
        selections(&operation.node.selection_set.node, "", &mut errors);
    }
    for (name, fragment) in &document.fragments {
        selections(
            &fragment.node.selection_set.node,
            name.as_str(),
            &mut errors,
        );
    }
    errors
}

fn selections(set: &SelectionSet, path: &str, errors: &mut Vec<FieldError>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.as_str();
                let here = if path.is_empty() {
                    key.to_owned()
                } else {
                    format!("{path}.{key}")
                };
                for (argument, value) in &field.node.arguments {
                    let literal = value
                        .node
                        .clone()
                        .into_const_with(|_| Ok::<_, Infallible>(ConstValue::Null))
                        .map(ConstValue::into_json);
                    if let Ok(Ok(json)) = literal {
                        let root = format!("{here}.{}", argument.node.as_str());
                        errors.extend(text::json_errors(&root, &json));
                    }
                }
                selections(&field.node.selection_set.node, &here, errors);
            }
            Selection::InlineFragment(fragment) => {
                selections(&fragment.node.selection_set.node, path, errors);
            }
            // A named fragment is walked once, from the document's fragments.
            Selection::FragmentSpread(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(request: Request) -> Vec<String> {
        control_characters(&request)
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn literals_and_variables_are_named() {
        let request = Request::new(
            r#"mutation($input: OrganizationInput!) {
                a: createOrganization(input: { name: "x\u0000" }) { id }
                createOrganization(input: $input) { id }
            }"#,
        )
        .variables(async_graphql::Variables::from_json(
            serde_json::json!({"input": {"name": "y\u{1}"}}),
        ));
        assert_eq!(fields(request), ["input.name", "a.input.name"]);
    }

    #[test]
    fn clean_requests_pass() {
        let request = Request::new(r#"{ organizations(q: "Café\n") { totalCount } }"#);
        assert!(fields(request).is_empty());
    }
}
