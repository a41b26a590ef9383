//! The limits measured on the document itself, parsed as the request is prepared and before
//! async-graphql checks, validates or runs it: the depth of data fields, the nesting of introspection lists, and the
//! number of fields once fragments are spread.
//!
//! async-graphql's own `limit_depth` counts every field, so graphql-js's standard
//! introspection query (`getIntrospectionQuery()`, 15 levels of `ofType`) was refused at the
//! default limit of 12, and with it GraphiQL's docs, Apollo and Relay code generators and
//! Postman. This extension replaces it, and measures what async-graphql would walk too long:
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
//! - **Spread size**: the fields an operation selects once every fragment is spread where it is
//!   used (`__typename` not counted). async-graphql's complexity check and its execution walk
//!   the spread document, so thirty fragments that each spread the next one twice are 2³⁰
//!   fields: that walk would never end. Each field costs at least 1, so an operation of more
//!   fields than `MSP_GRAPHQL_MAX_COMPLEXITY` is refused here, with `QUERY_TOO_COMPLEX` as the
//!   complexity check would refuse it, measured once per fragment rather than once per spread.
//!
//! Complexity is otherwise left to async-graphql's `limit_complexity`: an introspection field
//! costs 1 (lists are not multiplied), so the standard introspection query costs a few hundred,
//! far under the default 20,000, while aliasing it thousands of times is still refused.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    ErrorExtensionValues, Positioned, Request, ServerError, ServerResult,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
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
    /// The fields of the largest operation once its fragments are spread (saturating).
    pub fields: usize,
}

/// Measures every operation of `doc` (as async-graphql does: not only the one to run). Each
/// named fragment is walked once, however often it is spread.
pub fn measure(doc: &ExecutableDocument) -> Measure {
    let mut walker = Walker {
        doc,
        open: Vec::new(),
        data_sizes: HashMap::new(),
        introspection_sizes: HashMap::new(),
        introspection_too_deep: false,
    };
    let mut measure = Measure::default();
    for (_, operation) in doc.operations.iter() {
        let size = walker.data(&operation.node.selection_set);
        measure.data_depth = measure.data_depth.max(size.depth);
        measure.fields = measure.fields.max(size.fields);
    }
    measure.introspection_too_deep = walker.introspection_too_deep;
    measure
}

/// A selection set's data depth below it, and its fields once spread.
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    depth: usize,
    fields: usize,
}

impl Size {
    /// `other` selected beside this.
    fn beside(self, other: Size) -> Size {
        Size {
            depth: self.depth.max(other.depth),
            fields: self.fields.saturating_add(other.fields),
        }
    }
}

struct Walker<'a> {
    doc: &'a ExecutableDocument,
    /// The named fragments being walked, to stop at a cycle (validation reports it later).
    open: Vec<&'a str>,
    /// Each named fragment's size as data, once walked.
    data_sizes: HashMap<&'a str, Size>,
    /// Each named fragment's fields and verdict inside introspection, by the lists above it.
    introspection_sizes: HashMap<(&'a str, usize), (bool, usize)>,
    introspection_too_deep: bool,
}

impl<'a> Walker<'a> {
    /// The selection set of the fragment `name`, unless it is unknown or already open.
    fn enter(&mut self, name: &'a str) -> Option<&'a Positioned<SelectionSet>> {
        if self.open.contains(&name) {
            return None;
        }
        let fragment = self.doc.fragments.get(name)?;
        self.open.push(name);
        Some(&fragment.node.selection_set)
    }

    /// The data below a selection set.
    fn data(&mut self, set: &'a Positioned<SelectionSet>) -> Size {
        let mut size = Size::default();
        for selection in &set.node.items {
            let here = match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if name == "__typename" {
                        continue;
                    }
                    if is_introspection_root(name) {
                        let (too_deep, fields) = self.introspection(&field.node.selection_set, 0);
                        self.introspection_too_deep |= too_deep;
                        Size {
                            depth: 0,
                            fields: fields.saturating_add(1),
                        }
                    } else {
                        let below = self.data(&field.node.selection_set);
                        Size {
                            depth: below.depth + 1,
                            fields: below.fields.saturating_add(1),
                        }
                    }
                }
                Selection::InlineFragment(inline) => self.data(&inline.node.selection_set),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if let Some(size) = self.data_sizes.get(name) {
                        *size
                    } else if let Some(set) = self.enter(name) {
                        let size = self.data(set);
                        self.open.pop();
                        self.data_sizes.insert(name, size);
                        size
                    } else {
                        Size::default()
                    }
                }
            };
            size = size.beside(here);
        }
        size
    }

    /// Whether the introspection lists below `set` (already `lists` deep) nest too deep, and
    /// the fields below it (counted until the first that nests too deep).
    fn introspection(&mut self, set: &'a Positioned<SelectionSet>, lists: usize) -> (bool, usize) {
        let mut fields = 0usize;
        for selection in &set.node.items {
            let (too_deep, below) = match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let lists = if INTROSPECTION_LISTS.contains(&name) {
                        lists + 1
                    } else {
                        lists
                    };
                    if lists >= MAX_INTROSPECTION_LISTS {
                        (true, 1)
                    } else {
                        let (too_deep, below) =
                            self.introspection(&field.node.selection_set, lists);
                        let own = usize::from(name != "__typename");
                        (too_deep, below.saturating_add(own))
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.introspection(&inline.node.selection_set, lists)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if let Some(found) = self.introspection_sizes.get(&(name, lists)) {
                        *found
                    } else if let Some(set) = self.enter(name) {
                        let found = self.introspection(set, lists);
                        self.open.pop();
                        self.introspection_sizes.insert((name, lists), found);
                        found
                    } else {
                        (false, 0)
                    }
                }
            };
            fields = fields.saturating_add(below);
            if too_deep {
                return (true, fields);
            }
        }
        (false, fields)
    }
}

/// The document limits as an async-graphql extension (installed by
/// [`super::schema::build_schema`] in place of `limit_depth`).
pub struct DocumentLimits {
    max_depth: usize,
    /// The complexity limit, which bounds the fields once spread (each costs at least 1).
    max_fields: usize,
}

impl DocumentLimits {
    pub fn new(max_depth: usize, max_complexity: usize) -> Self {
        Self {
            max_depth,
            max_fields: max_complexity,
        }
    }
}

fn refusal(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", code);
    error
}

impl DocumentLimits {
    /// Refuses a document over the limits.
    pub fn check(&self, doc: &ExecutableDocument) -> ServerResult<()> {
        let measure = measure(doc);
        if measure.data_depth > self.max_depth {
            return Err(refusal(
                "QUERY_TOO_DEEP",
                format!(
                    "the query is nested {} levels deep; at most {} are allowed (introspection \
                     fields do not count)",
                    measure.data_depth, self.max_depth
                ),
            ));
        }
        if measure.introspection_too_deep {
            return Err(refusal(
                "QUERY_TOO_DEEP",
                "introspection may nest `fields`, `interfaces`, `possibleTypes` and \
                 `inputFields` at most two deep"
                    .to_owned(),
            ));
        }
        if measure.fields > self.max_fields {
            return Err(refusal(
                "QUERY_TOO_COMPLEX",
                format!(
                    "the query selects more than {} fields once its fragments are spread",
                    self.max_fields
                ),
            ));
        }
        Ok(())
    }
}

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimits {
            max_depth: self.max_depth,
            max_fields: self.max_fields,
        })
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for DocumentLimits {
    /// Parses the document (async-graphql keeps it and does not parse again) and checks it
    /// before anything of async-graphql walks it: its own recursion check follows every
    /// fragment spread, as its validation does. A document that does not parse is left to
    /// async-graphql, which reports why.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(doc) = request.parsed_query() {
            self.check(doc)?;
        }
        next.run(ctx, request).await
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

    #[test]
    fn fields_are_counted_as_spread_and_each_fragment_walked_once() {
        assert_eq!(of("{ a { b __typename } c: a { b } }").fields, 4);
        assert_eq!(
            of("{ x: a { ...F } y: a { ...F } } fragment F on A { b c }").fields,
            6
        );
        // Sixty fragments, each spreading the next twice: 2⁶⁰ fields, measured at once.
        let mut doubling = String::from("{ ...F0 } ");
        for i in 0..60 {
            doubling.push_str(&format!(
                "fragment F{i} on Q {{ ...F{} ...F{} }} ",
                i + 1,
                i + 1
            ));
        }
        doubling.push_str("fragment F60 on Q { a }");
        let m = of(&doubling);
        assert_eq!(m.fields, 1 << 60);
        assert_eq!(m.data_depth, 1);
        assert_eq!(of("{ __schema { types { name __typename } } }").fields, 3);
    }
}
