//! The depth limit, measured on data fields only; introspection has a rule of its own.
//!
//! async-graphql's own `limit_depth` counts every field, so graphql-js's standard
//! introspection query (`getIntrospectionQuery()`, 15 levels of `ofType`) was refused at the
//! default limit of 12, and with it GraphiQL's docs, Apollo and Relay code generators and
//! Postman. This extension replaces it, right after parsing:
//!
//! - **Data depth** is measured exactly as async-graphql measures it (every field is one level;
//!   fragments, named or inline, add none; `__typename` adds none; the deepest operation of the
//!   document counts), except that the subtree of `__schema` and `__type` is not counted. A
//!   query deeper than `MSP_GRAPHQL_MAX_DEPTH` is refused with `QUERY_TOO_DEEP`.
//! - **Introspection** is limited by graphql-js's `MaxIntrospectionDepthRule`: inside `__schema`
//!   or `__type`, the list fields `fields`, `interfaces`, `possibleTypes` and `inputFields` may
//!   nest at most two deep (`types { fields { type { fields { ... } } } }` is refused, again
//!   `QUERY_TOO_DEEP`). That is what makes introspection expensive: `ofType` chains are linear,
//!   and async-graphql's recursion limit (32 nested selection sets) bounds them anyway.
//!
//! Complexity is left to async-graphql's `limit_complexity`: an introspection field costs 1
//! (lists are not multiplied), so the standard introspection query costs a few hundred, far
//! under the default 20,000, while aliasing it thousands of times is still refused.

use std::sync::Arc;

use async_graphql::{
    ErrorExtensionValues, Positioned, ServerError, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// graphql-js's `MAX_LISTS_DEPTH`: a third nested introspection list is refused.
const MAX_INTROSPECTION_LISTS: usize = 3;

/// The introspection list fields that multiply the size of an introspection answer.
const INTROSPECTION_LISTS: [&str; 4] = ["fields", "interfaces", "possibleTypes", "inputFields"];

fn is_introspection_root(name: &str) -> bool {
    name == "__schema" || name == "__type"
}

/// What a document asks for, measured before it is validated or run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Measure {
    /// The deepest nesting of data fields (introspection subtrees not counted).
    pub data_depth: usize,
    /// Whether some `__schema`/`__type` selection nests the introspection lists too deep.
    pub introspection_too_deep: bool,
}

/// Measures every operation of `doc` (as async-graphql does: not only the one to run).
pub fn measure(doc: &ExecutableDocument) -> Measure {
    let mut walker = Walker {
        doc,
        fragments: Vec::new(),
        measure: Measure::default(),
    };
    for (_, operation) in doc.operations.iter() {
        walker.data(&operation.node.selection_set, 0);
    }
    walker.measure
}

struct Walker<'a> {
    doc: &'a ExecutableDocument,
    /// The named fragments being walked, to stop at a cycle (validation reports it later).
    fragments: Vec<&'a str>,
    measure: Measure,
}

impl<'a> Walker<'a> {
    /// Walks the fragment named `name` with `walk`, unless it is unknown or already open.
    fn fragment(
        &mut self,
        name: &'a str,
        walk: impl FnOnce(&mut Self, &'a Positioned<SelectionSet>),
    ) {
        if self.fragments.contains(&name) {
            return;
        }
        if let Some(fragment) = self.doc.fragments.get(name) {
            self.fragments.push(name);
            walk(self, &fragment.node.selection_set);
            self.fragments.pop();
        }
    }

    /// Data fields below a selection set at `depth`.
    fn data(&mut self, set: &'a Positioned<SelectionSet>, depth: usize) {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if name == "__typename" {
                        continue;
                    }
                    if is_introspection_root(name) {
                        if self.introspection(&field.node.selection_set, 0) {
                            self.measure.introspection_too_deep = true;
                        }
                        continue;
                    }
                    self.measure.data_depth = self.measure.data_depth.max(depth + 1);
                    self.data(&field.node.selection_set, depth + 1);
                }
                Selection::InlineFragment(inline) => self.data(&inline.node.selection_set, depth),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    self.fragment(name, |w, set| w.data(set, depth));
                }
            }
        }
    }

    /// Whether the introspection lists below `set` (already `lists` deep) nest too deep.
    fn introspection(&mut self, set: &'a Positioned<SelectionSet>, lists: usize) -> bool {
        for selection in &set.node.items {
            let too_deep = match &selection.node {
                Selection::Field(field) => {
                    let lists = if INTROSPECTION_LISTS.contains(&field.node.name.node.as_str()) {
                        lists + 1
                    } else {
                        lists
                    };
                    lists >= MAX_INTROSPECTION_LISTS
                        || self.introspection(&field.node.selection_set, lists)
                }
                Selection::InlineFragment(inline) => {
                    self.introspection(&inline.node.selection_set, lists)
                }
                Selection::FragmentSpread(spread) => {
                    let mut found = false;
                    let name = spread.node.fragment_name.node.as_str();
                    self.fragment(name, |w, set| found = w.introspection(set, lists));
                    found
                }
            };
            if too_deep {
                return true;
            }
        }
        false
    }
}

/// The depth limit as an async-graphql extension (installed by [`super::schema::build_schema`]
/// in place of `limit_depth`).
pub struct DepthLimit {
    max_depth: usize,
}

impl DepthLimit {
    pub fn new(max_depth: usize) -> Self {
        Self { max_depth }
    }
}

fn too_deep(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", "QUERY_TOO_DEEP");
    error
}

impl DepthLimit {
    /// Refuses a document over the limits.
    pub fn check(&self, doc: &ExecutableDocument) -> ServerResult<()> {
        let measure = measure(doc);
        if measure.data_depth > self.max_depth {
            return Err(too_deep(format!(
                "the query is nested {} levels deep; at most {} are allowed (introspection \
                 fields do not count)",
                measure.data_depth, self.max_depth
            )));
        }
        if measure.introspection_too_deep {
            return Err(too_deep(
                "introspection may nest `fields`, `interfaces`, `possibleTypes` and \
                 `inputFields` at most two deep"
                    .to_owned(),
            ));
        }
        Ok(())
    }
}

impl ExtensionFactory for DepthLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DepthLimit {
            max_depth: self.max_depth,
        })
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for DepthLimit {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        self.check(&doc)?;
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use async_graphql::parser::parse_query;

    use super::*;

    fn of(query: &str) -> Measure {
        measure(&parse_query(query).unwrap())
    }

    #[test]
    fn data_fields_count_as_async_graphql_counts_them() {
        assert_eq!(of("{ a { b { c } } }").data_depth, 3);
        assert_eq!(of("{ a { __typename b { c } } }").data_depth, 3);
        assert_eq!(
            of("{ a { ...F } } fragment F on A { b { ... on B { c { d } } } }").data_depth,
            4
        );
        assert_eq!(of("query A { a } query B { a { b } }").data_depth, 2);
    }

    #[test]
    fn introspection_does_not_count_towards_depth() {
        let m =
            of("{ a { b } __schema { types { fields { type { ofType { ofType { name } } } } } } }");
        assert_eq!(m.data_depth, 2);
        assert!(!m.introspection_too_deep);
    }

    #[test]
    fn nested_introspection_lists_are_refused() {
        assert!(
            !of("{ __schema { types { fields { type { fields { name } } } } } }")
                .introspection_too_deep
        );
        assert!(
            of("{ __type(name: \"A\") { fields { type { fields { type { fields { name } } } } } } }")
                .introspection_too_deep
        );
        assert!(
            of("{ __schema { types { ...T } } } fragment T on __Type { interfaces { possibleTypes { \
                interfaces { name } } } }")
                .introspection_too_deep
        );
    }

    #[test]
    fn fragment_cycles_end() {
        let m = of("{ ...A } fragment A on Q { a { ...A } }");
        assert_eq!(m.data_depth, 1);
    }
}
