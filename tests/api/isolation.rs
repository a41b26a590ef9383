//! The isolation sweep: tenant A keeps one of every private record (and one public initiative);
//! another tenant's editor and admin, and an anonymous caller, then call every operation of the
//! OpenAPI document and every GraphQL field with A's ids. Nothing private of A may appear in
//! any answer, no call naming A's records may succeed in changing them, and A's records read the
//! same afterwards. The operations come from the document and the schema, never from a list: a
//! new one is swept as soon as it exists, and one naming a parameter the sweep does not know
//! fails until it is given its kind of A's record.

pub mod estate;
mod graphql;
pub mod rest;

use estate::{Estate, VARS};
use msp_tests::{TestApp, both_databases};

both_databases!(vars = super::VARS;
    rest_sweep_reads_nothing_private,
    rest_sweep_changes_nothing,
    graphql_sweep_reads_nothing_private,
    graphql_sweep_changes_nothing,
);

/// Statuses a write naming another tenant's record may answer: each refuses it.
const REFUSALS: [u16; 8] = [401, 403, 404, 405, 409, 412, 422, 428];

async fn rest_sweep_reads_nothing_private(app: TestApp) {
    let a = Estate::build(&app).await;
    let doc = rest::document(&app).await;
    let calls = rest::calls(&doc, &a);
    let reads: Vec<&rest::Call> = calls.iter().filter(|c| c.is_read()).collect();
    assert!(reads.len() > 50, "only {} reads swept", reads.len());
    // Each operation must have been understood at least once (a 400 checks nothing).
    let mut understood = std::collections::BTreeSet::new();
    for (who, token) in Estate::outsiders(&app).await {
        for call in &reads {
            let answer = call.send(&app, token.as_deref()).await;
            if answer.status != 400 {
                understood.insert(call.template.clone());
            }
            let label = call.label();
            let leaks = a.leaks(&answer.text);
            assert!(
                leaks.is_empty(),
                "{label} as {who} shows {leaks:?}: {}",
                answer.text
            );
            if call.names_private {
                assert!(!answer.succeeded(), "{label} as {who}: {}", answer.status);
            }
        }
    }
    for call in &reads {
        assert!(
            understood.contains(&call.template),
            "{} always answered 400",
            call.template
        );
    }
}

async fn rest_sweep_changes_nothing(app: TestApp) {
    let a = Estate::build(&app).await;
    let before = a.snapshot(&app).await;
    let doc = rest::document(&app).await;
    let calls = rest::calls(&doc, &a);
    let writes: Vec<&rest::Call> = calls.iter().filter(|c| !c.is_read()).collect();
    assert!(writes.len() > 40, "only {} writes swept", writes.len());
    for (who, token) in Estate::outsiders(&app).await {
        for call in &writes {
            let answer = call.send(&app, token.as_deref()).await;
            let label = call.label();
            let leaks = a.leaks(&answer.text);
            assert!(
                leaks.is_empty(),
                "{label} as {who} shows {leaks:?}: {}",
                answer.text
            );
            if call.names_a {
                assert!(
                    REFUSALS.contains(&answer.status),
                    "{label} as {who} answered {}: {}",
                    answer.status,
                    answer.text
                );
            }
        }
    }
    assert_eq!(a.snapshot(&app).await, before, "A's records changed");
}

async fn graphql_sweep_reads_nothing_private(app: TestApp) {
    let a = Estate::build(&app).await;
    let schema = graphql::Schema::introspect(&app).await;
    let fields = schema.fields(&schema.query);
    assert!(fields.len() > 10, "only {} query fields", fields.len());
    for (who, token) in Estate::outsiders(&app).await {
        for field in &fields {
            for request in schema.requests(&schema.query, field, &a) {
                let r = graphql::send(&app, &request, token.as_deref()).await;
                let leaks = a.leaks(&r.to_string());
                assert!(
                    leaks.is_empty(),
                    "{} as {who} shows {leaks:?}: {r}",
                    request.label
                );
            }
        }
    }
}

async fn graphql_sweep_changes_nothing(app: TestApp) {
    let a = Estate::build(&app).await;
    let before = a.snapshot(&app).await;
    let schema = graphql::Schema::introspect(&app).await;
    let fields: Vec<_> = schema
        .fields(&schema.mutation)
        .into_iter()
        .filter(graphql::Schema::takes_id)
        .collect();
    assert!(
        fields.len() > 20,
        "only {} mutations take an id",
        fields.len()
    );
    for (who, token) in Estate::outsiders(&app).await {
        for field in &fields {
            for request in schema.requests(&schema.mutation, field, &a) {
                let r = graphql::send(&app, &request, token.as_deref()).await;
                let leaks = a.leaks(&r.to_string());
                assert!(
                    leaks.is_empty(),
                    "{} as {who} shows {leaks:?}: {r}",
                    request.label
                );
                assert!(
                    r["data"].is_null() || r["data"][&request.field].is_null(),
                    "{} as {who} succeeded: {r}",
                    request.label
                );
                assert!(r["errors"].is_array(), "{} as {who}: {r}", request.label);
            }
        }
    }
    assert_eq!(a.snapshot(&app).await, before, "A's records changed");
}
