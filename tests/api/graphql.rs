//! GraphQL: parity with REST (the same scenario through both, compared), the caller and its
//! token, tenant isolation of queries, nested fields and mutations, roles, error codes, paging,
//! GET queries, GraphiQL and the committed SDL.

use msp_tests::{Resp, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    lists_match_rest,
    initiative_detail_and_children_match_rest,
    mutations_follow_the_rest_rules,
    children_mutations_and_history,
    organization_mutations_and_error_codes,
    another_tenant_is_isolated_everywhere,
    tokens_and_the_caller,
    cursors_page_through_the_rest_order,
    connections_page_on_the_rest_cursors,
    connections_page_back_with_last_and_before,
    relevance_searches_page_forward_by_position,
    organization_connections_page_by_cursor,
    member_connections_page_by_cursor,
    get_queries_and_graphiql,
    reference_data_and_lessons,
    tenant_administration_matches_rest,
);

/// Sends a GraphQL request (POST /graphql, JSON).
pub async fn graphql(app: &TestApp, query: &str, variables: Value, token: Option<&str>) -> Resp {
    app.post(
        "/graphql",
        token,
        &json!({"query": query, "variables": variables}),
    )
    .await
}

/// The `extensions.code` of each error of a response.
pub fn codes(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The data of a response that has no errors.
pub fn data(r: &Resp) -> &Value {
    assert!(
        r.body.get("errors").is_none(),
        "unexpected errors: {}",
        r.body
    );
    assert_eq!(r.status, 200, "{}", r.body);
    &r.body["data"]
}

fn ids(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_str().unwrap().to_owned())
        .collect()
}

async fn add_partner(app: &TestApp, token: &str, initiative: &str, org: &Value) -> Value {
    let r = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/partners"),
            Some(token),
            &json!({"organization_id": org["id"], "roles": ["funder"], "interest": 4}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

const LIST: &str = r#"
query List($scope: Scope, $first: Int, $filter: InitiativeFilter, $search: String) {
  initiatives(scope: $scope, first: $first, filter: $filter, search: $search) {
    totalCount
    nodes { id title version visibility stage countries sectors isPpp reportingStatus }
    pageInfo { hasNextPage hasPreviousPage }
  }
}"#;

async fn lists_match_rest(app: TestApp) {
    let t = app.tenant("parity").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    for title in ["Mali CLIC", "Macedonia Connects", "Rwanda vouchers"] {
        app.initiative(&ed.token, title).await;
    }
    app.public_initiative(&ed.token, "Programa para o Futuro")
        .await;
    let other = app.tenant("other").await;
    let other_ed = app.member(&other, Role::Editor).await;
    app.public_initiative(&other_ed.token, "Uganda village phone")
        .await;

    for (token, scope, rest_query) in [
        (tok, "TENANT", "scope=tenant"),
        (tok, "ALL", "scope=all"),
        (None, "PUBLIC", "scope=public"),
        (tok, "PUBLIC", "scope=public"),
    ] {
        let rest = app
            .get(
                &format!("/api/v1/initiatives?{rest_query}&per_page=50"),
                token,
            )
            .await;
        assert_eq!(rest.status, 200);
        let gql = graphql(&app, LIST, json!({"scope": scope, "first": 50}), token).await;
        let list = &data(&gql)["initiatives"];
        assert_eq!(list["totalCount"], rest.body["total"], "{scope}");
        assert_eq!(
            ids(&list["nodes"], "id"),
            ids(&rest.body["items"], "id"),
            "same records in the same order ({scope})"
        );
        for (g, r) in list["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .zip(rest.body["items"].as_array().unwrap())
        {
            assert_eq!(g["title"], r["title"]);
            assert_eq!(g["version"], r["version"]);
            assert_eq!(g["countries"], r["countries"]);
            assert_eq!(g["isPpp"], r["is_ppp"]);
            assert_eq!(
                g["visibility"].as_str().unwrap().to_lowercase(),
                r["visibility"].as_str().unwrap()
            );
            assert_eq!(
                g["reportingStatus"].as_str().unwrap().to_lowercase(),
                r["reporting_status"].as_str().unwrap()
            );
        }
    }

    // Filters and search map onto the REST parameters.
    let rest = app
        .get("/api/v1/initiatives?q=Macedonia&scope=all", tok)
        .await;
    let gql = graphql(
        &app,
        LIST,
        json!({"scope": "ALL", "search": "Macedonia", "filter": {"country": "ML"}}),
        tok,
    )
    .await;
    assert_eq!(
        ids(&data(&gql)["initiatives"]["nodes"], "id"),
        ids(&rest.body["items"], "id")
    );
    let gql = graphql(
        &app,
        LIST,
        json!({"scope": "ALL", "filter": {"visibility": "PUBLIC"}}),
        tok,
    )
    .await;
    assert_eq!(data(&gql)["initiatives"]["totalCount"], 2);

    // A bad filter value is refused as REST refuses the parameter.
    let bad = graphql(&app, LIST, json!({"filter": {"country": "XX"}}), tok).await;
    assert_eq!(codes(&bad), ["BAD_REQUEST"]);
    assert_eq!(
        bad.body["errors"][0]["extensions"]["errors"][0]["field"],
        "country"
    );
}

const DETAIL: &str = r#"
query Detail($id: UUID!) {
  initiative(id: $id) {
    id title version sectors isPpp isMultiStakeholder stage
    stageChanges { from to reason }
    contributionTotals {
      byCurrency { currency pledged delivered total }
      byKind { resourceKind count amounts { amount currency } }
      byPartner { partnerId organizationName amounts { currency total share } }
    }
    partners { id status roles iatiRoles interest version organization { id name sector details { id website } } }
    contributions { id partnerId resourceKind amount { amount currency } status }
    agreements { id title agreementType parties { partnerId name } }
    reports { id periodEnd narrative indicators { name achieved } }
    lessons { id statement tags }
    history(first: 50) { entityType operation reason changes { field } }
  }
}"#;

async fn initiative_detail_and_children_match_rest(app: TestApp) {
    let t = app.tenant("detail").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = app.public_initiative(&ed.token, "Macedonia Connects").await;
    let id = i["id"].as_str().unwrap().to_owned();
    let gov = app.organization(&ed.token, "Ministry", "public").await;
    let partner = add_partner(&app, &ed.token, &id, &gov).await;
    let base = format!("/api/v1/initiatives/{id}");
    let c = app
        .post(
            &format!("{base}/contributions"),
            tok,
            &json!({"partner_id": partner["id"], "resource_kind": "cash", "amount": "12500.5", "currency": "usd"}),
        )
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    let c2 = app
        .post(
            &format!("{base}/contributions"),
            tok,
            &json!({"partner_id": partner["id"], "resource_kind": "venue", "status": "delivered"}),
        )
        .await;
    assert_eq!(c2.status, 201);
    let a = app
        .post(
            &format!("{base}/agreements"),
            tok,
            &json!({"agreement_type": "contract", "title": "Connectivity contract", "parties": [partner["id"]]}),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    let r = app
        .post(
            &format!("{base}/reports"),
            tok,
            &json!({"period_start": "2024-01-01", "period_end": "2024-12-31", "narrative": "Year one",
                    "indicators": [{"name": "Schools", "achieved": "312"}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let l = app
        .post(
            &format!("{base}/lessons"),
            tok,
            &json!({"statement": "Aggregate demand", "tags": ["Market-Making"]}),
        )
        .await;
    assert_eq!(l.status, 201, "{:?}", l.body);

    let rest = app.get(&base, tok).await;
    let gql = graphql(&app, DETAIL, json!({"id": id}), tok).await;
    let g = &data(&gql)["initiative"];
    let b = &rest.body;
    assert_eq!(g["version"], b["version"]);
    assert_eq!(g["title"], b["title"]);
    assert_eq!(
        g["sectors"].as_array().unwrap().len(),
        b["sectors"].as_array().unwrap().len()
    );
    assert_eq!(g["isPpp"], b["is_ppp"]);
    assert_eq!(
        g["stageChanges"].as_array().unwrap().len(),
        b["stage_changes"].as_array().unwrap().len()
    );
    let totals = &g["contributionTotals"];
    let rest_totals = &b["contribution_totals"];
    assert_eq!(totals["byCurrency"][0]["currency"], "USD");
    assert_eq!(
        totals["byCurrency"][0]["pledged"], "12500.50",
        "exact decimal string"
    );
    assert_eq!(
        totals["byCurrency"][0]["total"],
        rest_totals["by_currency"][0]["total"]
    );
    assert_eq!(
        totals["byPartner"][0]["amounts"][0]["share"],
        rest_totals["by_partner"][0]["amounts"][0]["share"]
    );
    assert_eq!(totals["byKind"].as_array().unwrap().len(), 2);

    let rest_partners = app.get(&format!("{base}/partners"), tok).await;
    assert_eq!(
        ids(&g["partners"], "id"),
        ids(&rest_partners.body["items"], "id")
    );
    let funder = &g["partners"][1];
    assert_eq!(funder["roles"], json!(["FUNDER"]));
    assert_eq!(funder["iatiRoles"], json!([1]));
    assert_eq!(funder["organization"]["name"], "Ministry");
    assert_eq!(funder["organization"]["details"]["id"], gov["id"]);

    let rest_contributions = app.get(&format!("{base}/contributions"), tok).await;
    assert_eq!(
        ids(&g["contributions"], "id"),
        ids(&rest_contributions.body["items"], "id")
    );
    assert_eq!(
        g["contributions"][0]["amount"],
        json!({"amount": "12500.50", "currency": "USD"})
    );
    assert_eq!(
        g["contributions"][1]["amount"],
        Value::Null,
        "unvalued in-kind"
    );
    let rest_agreements = app.get(&format!("{base}/agreements"), tok).await;
    assert_eq!(
        ids(&g["agreements"], "id"),
        ids(&rest_agreements.body["items"], "id")
    );
    assert_eq!(g["agreements"][0]["parties"][0]["name"], "Ministry");
    let rest_reports = app.get(&format!("{base}/reports"), tok).await;
    assert_eq!(
        ids(&g["reports"], "id"),
        ids(&rest_reports.body["items"], "id")
    );
    assert_eq!(g["reports"][0]["indicators"][0]["achieved"], "312");
    let rest_lessons = app.get(&format!("{base}/lessons"), tok).await;
    assert_eq!(
        ids(&g["lessons"], "id"),
        ids(&rest_lessons.body["items"], "id")
    );
    assert_eq!(g["lessons"][0]["tags"], json!(["market-making"]));
    let rest_history = app.get(&format!("{base}/history?per_page=50"), tok).await;
    assert_eq!(
        g["history"].as_array().unwrap().len(),
        rest_history.body["items"].as_array().unwrap().len()
    );
    for (gh, rh) in g["history"]
        .as_array()
        .unwrap()
        .iter()
        .zip(rest_history.body["items"].as_array().unwrap())
    {
        assert_eq!(gh["entityType"], rh["entity_type"]);
        assert_eq!(gh["operation"], rh["operation"]);
    }

    // The same nested fields on a list page give the same answers.
    let listed = graphql(
        &app,
        "{ initiatives(first: 5) { nodes { id partners { id } contributionTotals { byCurrency { total } } stageChanges { to } } } }",
        json!({}),
        tok,
    )
    .await;
    let node = &data(&listed)["initiatives"]["nodes"][0];
    assert_eq!(node["partners"].as_array().unwrap().len(), 2);
    assert_eq!(
        node["contributionTotals"]["byCurrency"][0]["total"],
        "12500.50"
    );
    assert_eq!(node["stageChanges"][0]["to"], "IMPLEMENTING");
}

const CREATE: &str = r#"
mutation Create($input: NewInitiativeInput!, $reason: String) {
  createInitiative(input: $input, reason: $reason) { id version stage visibility countries sdgGoals }
}"#;

const UPDATE: &str = r#"
mutation Update($id: UUID!, $v: Int!, $input: InitiativePatchInput!, $reason: String) {
  updateInitiative(id: $id, expectedVersion: $v, input: $input, reason: $reason) { id version stage summary }
}"#;

async fn mutations_follow_the_rest_rules(app: TestApp) {
    let t = app.tenant("mutations").await;
    let ed = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let tok = Some(ed.token.as_str());
    let input = json!({"title": "Kyrgyzstan vouchers", "kind": "PPP", "countries": ["kg", "KG"],
                       "sdgTargets": ["4.4"], "stage": "AGREE_VISION", "summary": "Vouchers"});
    let created = graphql(&app, CREATE, json!({"input": input}), tok).await;
    let c = &data(&created)["createInitiative"];
    assert_eq!(c["countries"], json!(["KG"]), "normalised as in REST");
    assert_eq!(c["sdgGoals"], json!([4]));
    assert_eq!(c["visibility"], "PRIVATE");
    let id = c["id"].as_str().unwrap().to_owned();
    let rest = app.get(&format!("/api/v1/initiatives/{id}"), tok).await;
    assert_eq!(rest.status, 200, "REST sees what GraphQL created");
    assert_eq!(rest.etag(), format!("\"{}\"", c["version"]));

    // Roles and authentication.
    let refused = graphql(&app, CREATE, json!({"input": input}), Some(&viewer.token)).await;
    assert_eq!(codes(&refused), ["FORBIDDEN"]);
    assert_eq!(refused.body["data"], Value::Null);
    let refused = graphql(&app, CREATE, json!({"input": input}), None).await;
    assert_eq!(codes(&refused), ["UNAUTHENTICATED"]);

    // Validation reports every field, named as GraphQL names it.
    let invalid = graphql(
        &app,
        CREATE,
        json!({"input": {"title": " ", "kind": "MSP", "countries": ["XX"],
                         "externalIdentifiers": [{"scheme": "", "identifier": "x"}]}}),
        tok,
    )
    .await;
    assert_eq!(codes(&invalid), ["VALIDATION"]);
    let fields: Vec<String> = invalid.body["errors"][0]["extensions"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(fields.contains(&"title".to_owned()), "{fields:?}");
    assert!(fields.contains(&"countries[0]".to_owned()), "{fields:?}");
    assert!(
        fields.contains(&"externalIdentifiers[0].scheme".to_owned()),
        "{fields:?}"
    );

    // Journey rules: a skip needs a reason.
    let skip = graphql(
        &app,
        UPDATE,
        json!({"id": id, "v": 1, "input": {"stage": "IMPLEMENTING"}}),
        tok,
    )
    .await;
    assert_eq!(codes(&skip), ["VALIDATION"]);
    assert_eq!(
        skip.body["errors"][0]["extensions"]["errors"][0]["code"],
        "journey_order"
    );
    let skipped = graphql(
        &app,
        UPDATE,
        json!({"id": id, "v": 1, "input": {"stage": "IMPLEMENTING", "summary": null}, "reason": "registered late"}),
        tok,
    )
    .await;
    let u = &data(&skipped)["updateInitiative"];
    assert_eq!(u["version"], 2);
    assert_eq!(u["summary"], Value::Null, "null clears");

    // Optimistic concurrency.
    let stale = graphql(
        &app,
        UPDATE,
        json!({"id": id, "v": 1, "input": {"title": "Too late"}}),
        tok,
    )
    .await;
    assert_eq!(codes(&stale), ["STALE_VERSION"]);
    assert_eq!(stale.body["errors"][0]["extensions"]["currentVersion"], 2);

    // The publish check lists what is missing.
    let publish = graphql(
        &app,
        UPDATE,
        json!({"id": id, "v": 2, "input": {"visibility": "PUBLIC"}}),
        tok,
    )
    .await;
    assert_eq!(codes(&publish), ["VALIDATION"]);
    let missing: Vec<&str> = publish.body["errors"][0]["extensions"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    let rest_publish = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            tok,
            Some("\"2\""),
            &json!({"visibility": "public"}),
        )
        .await;
    assert_eq!(rest_publish.status, 422);
    let rest_missing: Vec<String> = rest_publish
        .error_fields()
        .iter()
        .map(|f| msp_api::graphql::errors::camel_path(f))
        .collect();
    assert_eq!(missing, rest_missing, "the same publish check");
    assert!(missing.contains(&"actionLines"), "{missing:?}");

    // The reason is in the history, as REST records it.
    let history = app
        .get(&format!("/api/v1/initiatives/{id}/history"), tok)
        .await;
    assert_eq!(history.body["items"][0]["reason"], "registered late");

    // Deleting needs the current version; afterwards the initiative is not found.
    let delete =
        r#"mutation($id: UUID!, $v: Int!) { deleteInitiative(id: $id, expectedVersion: $v) }"#;
    let stale = graphql(&app, delete, json!({"id": id, "v": 1}), tok).await;
    assert_eq!(codes(&stale), ["STALE_VERSION"]);
    let deleted = graphql(&app, delete, json!({"id": id, "v": 2}), tok).await;
    assert_eq!(data(&deleted)["deleteInitiative"], id.as_str());
    let gone = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { id } }",
        json!({"id": id}),
        tok,
    )
    .await;
    assert_eq!(codes(&gone), ["NOT_FOUND"]);
    let history = graphql(
        &app,
        "query($id: UUID!) { initiativeHistory(id: $id) { totalCount nodes { operation } } }",
        json!({"id": id}),
        tok,
    )
    .await;
    assert_eq!(
        data(&history)["initiativeHistory"]["nodes"][0]["operation"],
        "delete",
        "the history outlives the initiative"
    );
}

async fn children_mutations_and_history(app: TestApp) {
    let t = app.tenant("children").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = app.initiative(&ed.token, "Intel Computer Clubhouse").await;
    let id = i["id"].as_str().unwrap().to_owned();
    let org = app.organization(&ed.token, "Intel", "public").await;

    let added = graphql(
        &app,
        r#"mutation($i: UUID!, $o: UUID!) {
             addPartner(initiativeId: $i, input: {organizationId: $o, roles: [LEAD, FUNDER], gains: [VISIBILITY]}, reason: "kick-off") {
               id version status iatiRoles organization { name } } }"#,
        json!({"i": id, "o": org["id"]}),
        tok,
    )
    .await;
    let p = &data(&added)["addPartner"];
    assert_eq!(p["status"], "ACTIVE");
    assert_eq!(p["iatiRoles"], json!([1, 2]));
    let partner = p["id"].as_str().unwrap().to_owned();
    let again = graphql(
        &app,
        r#"mutation($i: UUID!, $o: UUID!) { addPartner(initiativeId: $i, input: {organizationId: $o, roles: [LEAD]}) { id } }"#,
        json!({"i": id, "o": org["id"]}),
        tok,
    )
    .await;
    assert_eq!(codes(&again), ["CONFLICT"]);

    let contribution = graphql(
        &app,
        r#"mutation($i: UUID!, $p: UUID!) {
             addContribution(initiativeId: $i, input: {partnerId: $p, resourceKind: CASH, amount: "1500.000", currency: "xof"}) {
               id version amount { amount currency } } }"#,
        json!({"i": id, "p": partner}),
        tok,
    )
    .await;
    let c = &data(&contribution)["addContribution"];
    assert_eq!(c["amount"], json!({"amount": "1500", "currency": "XOF"}));
    let number = graphql(
        &app,
        r#"mutation($i: UUID!, $p: UUID!) {
             addContribution(initiativeId: $i, input: {partnerId: $p, resourceKind: CASH, amount: 12.5, currency: "USD"}) { id } }"#,
        json!({"i": id, "p": partner}),
        tok,
    )
    .await;
    assert_eq!(codes(&number), ["BAD_REQUEST"], "a float is not an amount");
    let decimals = graphql(
        &app,
        r#"mutation($i: UUID!, $p: UUID!) {
             addContribution(initiativeId: $i, input: {partnerId: $p, resourceKind: CASH, amount: "1.5", currency: "XOF"}) { id } }"#,
        json!({"i": id, "p": partner}),
        tok,
    )
    .await;
    assert_eq!(codes(&decimals), ["VALIDATION"]);
    assert_eq!(
        decimals.body["errors"][0]["extensions"]["errors"][0],
        json!({"field": "amount", "code": "too_many_decimals", "message": "must have at most 0 decimal places in XOF"})
    );

    // A partner with contributions cannot be removed; one without can, with its version.
    let remove = r#"mutation($i: UUID!, $p: UUID!, $v: Int!) { removePartner(initiativeId: $i, id: $p, expectedVersion: $v) }"#;
    let refused = graphql(&app, remove, json!({"i": id, "p": partner, "v": 1}), tok).await;
    assert_eq!(codes(&refused), ["CONFLICT"]);

    let update = graphql(
        &app,
        r#"mutation($i: UUID!, $c: UUID!) {
             updateContribution(initiativeId: $i, id: $c, expectedVersion: 1, input: {status: DELIVERED, description: "paid"}) { version status description } }"#,
        json!({"i": id, "c": c["id"]}),
        tok,
    )
    .await;
    assert_eq!(data(&update)["updateContribution"]["status"], "DELIVERED");
    let stale = graphql(
        &app,
        r#"mutation($i: UUID!, $c: UUID!) {
             updateContribution(initiativeId: $i, id: $c, expectedVersion: 1, input: {description: "again"}) { version } }"#,
        json!({"i": id, "c": c["id"]}),
        tok,
    )
    .await;
    assert_eq!(codes(&stale), ["STALE_VERSION"]);

    let agreement = graphql(
        &app,
        r#"mutation($i: UUID!, $p: UUID!) {
             addAgreement(initiativeId: $i, input: {agreementType: MEMORANDUM_OF_UNDERSTANDING, title: "MoU", parties: [$p], status: SIGNED}) { id } }"#,
        json!({"i": id, "p": partner}),
        tok,
    )
    .await;
    assert_eq!(codes(&agreement), ["VALIDATION"], "signed needs signedOn");
    let agreement = graphql(
        &app,
        r#"mutation($i: UUID!, $p: UUID!) {
             addAgreement(initiativeId: $i, input: {agreementType: MEMORANDUM_OF_UNDERSTANDING, title: "MoU", parties: [$p], status: SIGNED, signedOn: "2005-02-10"}) {
               id version parties { name } } }"#,
        json!({"i": id, "p": partner}),
        tok,
    )
    .await;
    let a = &data(&agreement)["addAgreement"];
    assert_eq!(a["parties"][0]["name"], "Intel");
    let removed = graphql(
        &app,
        r#"mutation($i: UUID!, $a: UUID!) { removeAgreement(initiativeId: $i, id: $a, expectedVersion: 1, reason: "superseded") }"#,
        json!({"i": id, "a": a["id"]}),
        tok,
    )
    .await;
    assert_eq!(data(&removed)["removeAgreement"], a["id"]);

    let report = graphql(
        &app,
        r#"mutation($i: UUID!) {
             addReport(initiativeId: $i, input: {periodStart: "2025-01-01", periodEnd: "2025-06-30", narrative: "First half",
               indicators: [{name: "Clubhouses", target: "10", achieved: "8"}]}) { id version periodEnd } }"#,
        json!({"i": id}),
        tok,
    )
    .await;
    let r = &data(&report)["addReport"];
    let updated = graphql(
        &app,
        r#"mutation($i: UUID!, $r: UUID!) { updateReport(initiativeId: $i, id: $r, expectedVersion: 1, input: {challenges: "Power"}) { version challenges } }"#,
        json!({"i": id, "r": r["id"]}),
        tok,
    )
    .await;
    assert_eq!(data(&updated)["updateReport"]["challenges"], "Power");

    let lesson = graphql(
        &app,
        r#"mutation($i: UUID!) { addLesson(initiativeId: $i, input: {statement: "Mentors matter", tags: [" Youth "]}) { id tags version } }"#,
        json!({"i": id}),
        tok,
    )
    .await;
    let l = &data(&lesson)["addLesson"];
    assert_eq!(l["tags"], json!(["youth"]));
    let updated = graphql(
        &app,
        r#"mutation($i: UUID!, $l: UUID!) { updateLesson(initiativeId: $i, id: $l, expectedVersion: 1, input: {context: "After school"}) { context } }"#,
        json!({"i": id, "l": l["id"]}),
        tok,
    )
    .await;
    assert_eq!(data(&updated)["updateLesson"]["context"], "After school");
    let removed = graphql(
        &app,
        r#"mutation($i: UUID!, $l: UUID!) { removeLesson(initiativeId: $i, id: $l, expectedVersion: 2) }"#,
        json!({"i": id, "l": l["id"]}),
        tok,
    )
    .await;
    assert_eq!(data(&removed)["removeLesson"], l["id"]);
    let removed = graphql(
        &app,
        r#"mutation($i: UUID!, $r: UUID!) { removeReport(initiativeId: $i, id: $r, expectedVersion: 2) }"#,
        json!({"i": id, "r": r["id"]}),
        tok,
    )
    .await;
    assert_eq!(data(&removed)["removeReport"], r["id"]);
    let removed = graphql(
        &app,
        r#"mutation($i: UUID!, $c: UUID!) { removeContribution(initiativeId: $i, id: $c, expectedVersion: 2) }"#,
        json!({"i": id, "c": c["id"]}),
        tok,
    )
    .await;
    assert_eq!(data(&removed)["removeContribution"], c["id"]);
    let removed = graphql(&app, remove, json!({"i": id, "p": partner, "v": 1}), tok).await;
    assert_eq!(data(&removed)["removePartner"], partner.as_str());

    // Every write is in the history, newest first, with its reason; REST shows the same.
    let history = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { version history(first: 100) { entityType operation reason } } }",
        json!({"id": id}),
        tok,
    )
    .await;
    let h = &data(&history)["initiative"]["history"];
    let rest = app
        .get(
            &format!("/api/v1/initiatives/{id}/history?per_page=100"),
            tok,
        )
        .await;
    let rest_ops: Vec<String> = rest.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["entity_type"].as_str().unwrap(),
                e["operation"].as_str().unwrap()
            )
        })
        .collect();
    let gql_ops: Vec<String> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["entityType"].as_str().unwrap(),
                e["operation"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(gql_ops, rest_ops);
    assert_eq!(gql_ops[0], "partner delete");
    assert!(
        h.as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "superseded" && e["entityType"] == "agreement")
    );
    assert!(
        h.as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "kick-off")
    );
}

async fn organization_mutations_and_error_codes(app: TestApp) {
    let t = app.tenant("orgs").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let create = r#"mutation($input: NewOrganizationInput!) { createOrganization(input: $input) { id name version visibility sector } }"#;
    let created = graphql(
        &app,
        create,
        json!({"input": {"name": "Orange Mali", "sector": "BUSINESS", "country": "ml", "visibility": "PUBLIC"}}),
        tok,
    )
    .await;
    let o = &data(&created)["createOrganization"];
    let id = o["id"].as_str().unwrap().to_owned();
    let rest = app.get(&format!("/api/v1/organizations/{id}"), tok).await;
    assert_eq!(rest.body["country"], "ML");
    assert_eq!(rest.body["name"], o["name"]);

    let duplicate = graphql(
        &app,
        create,
        json!({"input": {"name": " orange  MALI", "sector": "BUSINESS"}}),
        tok,
    )
    .await;
    assert_eq!(codes(&duplicate), ["CONFLICT"]);
    let invalid = graphql(
        &app,
        create,
        json!({"input": {"name": "X", "sector": "BUSINESS", "website": "ftp://x"}}),
        tok,
    )
    .await;
    assert_eq!(codes(&invalid), ["VALIDATION"]);
    let unknown_enum = graphql(
        &app,
        create,
        json!({"input": {"name": "X", "sector": "MERCHANTS"}}),
        tok,
    )
    .await;
    assert_eq!(codes(&unknown_enum), ["BAD_REQUEST"]);

    let update = r#"mutation($id: UUID!, $v: Int!, $input: OrganizationPatchInput!) { updateOrganization(id: $id, expectedVersion: $v, input: $input) { version website acronym } }"#;
    let updated = graphql(
        &app,
        update,
        json!({"id": id, "v": 1, "input": {"website": "https://www.orangemali.com/", "acronym": "OM"}}),
        tok,
    )
    .await;
    assert_eq!(data(&updated)["updateOrganization"]["version"], 2);
    let cleared = graphql(
        &app,
        update,
        json!({"id": id, "v": 2, "input": {"acronym": null}}),
        tok,
    )
    .await;
    assert_eq!(data(&cleared)["updateOrganization"]["acronym"], Value::Null);
    assert_eq!(
        data(&cleared)["updateOrganization"]["website"],
        "https://www.orangemali.com/",
        "absent fields stay"
    );
    let stale = graphql(&app, update, json!({"id": id, "v": 1, "input": {}}), tok).await;
    assert_eq!(codes(&stale), ["STALE_VERSION"]);

    // Taking part in an initiative blocks deletion, as in REST.
    let i = app.initiative(&ed.token, "Mali CLIC").await;
    add_partner(&app, &ed.token, i["id"].as_str().unwrap(), o).await;
    let delete =
        r#"mutation($id: UUID!, $v: Int!) { deleteOrganization(id: $id, expectedVersion: $v) }"#;
    let refused = graphql(&app, delete, json!({"id": id, "v": 3}), tok).await;
    assert_eq!(codes(&refused), ["CONFLICT"]);
    let lonely = app.organization(&ed.token, "Lonely", "private").await;
    let deleted = graphql(&app, delete, json!({"id": lonely["id"], "v": 1}), tok).await;
    assert_eq!(data(&deleted)["deleteOrganization"], lonely["id"]);
    let gone = app
        .get(
            &format!("/api/v1/organizations/{}", lonely["id"].as_str().unwrap()),
            tok,
        )
        .await;
    assert_eq!(gone.status, 404);

    // The organisation's initiatives, nested.
    let nested = graphql(
        &app,
        "query($id: UUID!) { organization(id: $id) { name initiatives { title } } }",
        json!({"id": id}),
        tok,
    )
    .await;
    assert_eq!(
        data(&nested)["organization"]["initiatives"],
        json!([{"title": "Mali CLIC"}])
    );
    // Lists, with the REST order and totals.
    let rest = app.get("/api/v1/organizations?sort=-name", tok).await;
    let gql = graphql(
        &app,
        "{ organizations(sort: NAME_DESC) { totalCount nodes { id } } }",
        json!({}),
        tok,
    )
    .await;
    assert_eq!(
        data(&gql)["organizations"]["totalCount"],
        rest.body["total"]
    );
    assert_eq!(
        ids(&data(&gql)["organizations"]["nodes"], "id"),
        ids(&rest.body["items"], "id")
    );
}

async fn another_tenant_is_isolated_everywhere(app: TestApp) {
    let a = app.tenant("tenant-a").await;
    let a_ed = app.member(&a, Role::Editor).await;
    let b = app.tenant("tenant-b").await;
    let b_ed = app.member(&b, Role::Editor).await;
    let b_tok = Some(b_ed.token.as_str());

    let private = app.initiative(&a_ed.token, "A private").await;
    let private_id = private["id"].as_str().unwrap().to_owned();
    let public = app.public_initiative(&a_ed.token, "A public").await;
    let public_id = public["id"].as_str().unwrap().to_owned();
    let private_org = app
        .organization(&a_ed.token, "A secret partner", "private")
        .await;
    add_partner(&app, &a_ed.token, &public_id, &private_org).await;
    add_partner(&app, &a_ed.token, &private_id, &private_org).await;
    let public_org = app
        .organization(&a_ed.token, "A open partner", "public")
        .await;
    add_partner(&app, &a_ed.token, &private_id, &public_org).await;
    add_partner(&app, &a_ed.token, &public_id, &public_org).await;

    // Queries: another tenant's private records behave as missing ones.
    let one = "query($id: UUID!) { initiative(id: $id) { id title } }";
    let r = graphql(&app, one, json!({"id": private_id}), b_tok).await;
    assert_eq!(codes(&r), ["NOT_FOUND"]);
    let missing = graphql(&app, one, json!({"id": uuid::Uuid::now_v7()}), b_tok).await;
    assert_eq!(
        r.body["errors"][0]["message"],
        missing.body["errors"][0]["message"]
    );
    let r = graphql(&app, one, json!({"id": public_id}), b_tok).await;
    assert_eq!(data(&r)["initiative"]["title"], "A public");
    let org = "query($id: UUID!) { organization(id: $id) { id } }";
    let r = graphql(&app, org, json!({"id": private_org["id"]}), b_tok).await;
    assert_eq!(codes(&r), ["NOT_FOUND"]);
    let list = graphql(
        &app,
        "{ initiatives(scope: ALL, first: 100) { nodes { title } } organizations(scope: ALL) { nodes { name } } }",
        json!({}),
        b_tok,
    )
    .await;
    let d = data(&list);
    assert_eq!(d["initiatives"]["nodes"], json!([{"title": "A public"}]));
    assert_eq!(
        d["organizations"]["nodes"],
        json!([{"name": "A open partner"}])
    );

    // Nested fields: the partner of a public initiative is shown in brief (as REST does), but
    // the private organisation's record is not; its initiatives list only readable ones.
    let nested = graphql(
        &app,
        r#"query($id: UUID!, $org: UUID!) {
             initiative(id: $id) { partners { organization { name details { id } } } }
             organization(id: $org) { initiatives { title partners { organization { name } } } }
           }"#,
        json!({"id": public_id, "org": public_org["id"]}),
        b_tok,
    )
    .await;
    let d = data(&nested);
    let partners = d["initiative"]["partners"].as_array().unwrap();
    let by_name = |name: &str| {
        partners
            .iter()
            .find(|p| p["organization"]["name"] == name)
            .unwrap_or_else(|| panic!("{name} is a partner"))
            .clone()
    };
    assert_eq!(
        by_name("A secret partner")["organization"]["details"],
        Value::Null
    );
    assert_eq!(
        by_name("A open partner")["organization"]["details"]["id"],
        public_org["id"]
    );
    let reached = &d["organization"]["initiatives"];
    assert_eq!(
        ids(reached, "title"),
        ["A public"],
        "the private initiative of tenant A is not reached through its partner"
    );
    assert_eq!(reached[0]["partners"].as_array().unwrap().len(), 3);
    // The history of another tenant's initiative is not found, as in REST.
    let history = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { title history { operation } } }",
        json!({"id": public_id}),
        b_tok,
    )
    .await;
    assert_eq!(codes(&history), ["NOT_FOUND"]);
    assert_eq!(history.body["data"]["initiative"]["title"], "A public");
    assert_eq!(history.body["data"]["initiative"]["history"], Value::Null);
    let anonymous = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { history { operation } } }",
        json!({"id": public_id}),
        None,
    )
    .await;
    assert_eq!(codes(&anonymous), ["UNAUTHENTICATED"]);
    let rest = app
        .get(&format!("/api/v1/initiatives/{public_id}/history"), b_tok)
        .await;
    assert_eq!(rest.status, 404);

    // Anonymous callers see public records only.
    let anon = graphql(
        &app,
        "{ initiatives { totalCount nodes { title } } organizations { totalCount } }",
        json!({}),
        None,
    )
    .await;
    assert_eq!(data(&anon)["initiatives"]["totalCount"], 1);
    assert_eq!(data(&anon)["organizations"]["totalCount"], 1);

    // Mutations: a private initiative of another tenant is not found; a public one is forbidden.
    let update = r#"mutation($id: UUID!) { updateInitiative(id: $id, expectedVersion: 1, input: {title: "Mine"}) { id } }"#;
    let r = graphql(&app, update, json!({"id": private_id}), b_tok).await;
    assert_eq!(codes(&r), ["NOT_FOUND"]);
    let r = graphql(&app, update, json!({"id": public_id}), b_tok).await;
    assert_eq!(codes(&r), ["FORBIDDEN"]);
    let add = r#"mutation($id: UUID!) { addLesson(initiativeId: $id, input: {statement: "Mine"}) { id } }"#;
    let r = graphql(&app, add, json!({"id": private_id}), b_tok).await;
    assert_eq!(codes(&r), ["NOT_FOUND"]);
    let b_org = app.organization(&b_ed.token, "B partner", "private").await;
    let b_init = app.initiative(&b_ed.token, "B initiative").await;
    let r = graphql(
        &app,
        r#"mutation($i: UUID!, $o: UUID!) { addPartner(initiativeId: $i, input: {organizationId: $o, roles: [LEAD]}) { id } }"#,
        json!({"i": b_init["id"], "o": private_org["id"]}),
        b_tok,
    )
    .await;
    assert_eq!(
        codes(&r),
        ["VALIDATION"],
        "another tenant's private organisation is unknown"
    );
    assert_eq!(
        r.body["errors"][0]["extensions"]["errors"][0]["field"],
        "organizationId"
    );
    let r = graphql(
        &app,
        r#"mutation($id: UUID!) { updateOrganization(id: $id, expectedVersion: 1, input: {name: "Mine"}) { id } }"#,
        json!({"id": private_org["id"]}),
        b_tok,
    )
    .await;
    assert_eq!(codes(&r), ["NOT_FOUND"]);
    let r = graphql(
        &app,
        r#"mutation($id: UUID!) { deleteOrganization(id: $id, expectedVersion: 1) }"#,
        json!({"id": public_org["id"]}),
        b_tok,
    )
    .await;
    assert_eq!(codes(&r), ["FORBIDDEN"]);
    let _ = b_org;
    // Nothing of tenant A changed.
    let check = app
        .get(
            &format!("/api/v1/initiatives/{private_id}"),
            Some(&a_ed.token),
        )
        .await;
    assert_eq!(check.body["title"], "A private");
}

async fn tokens_and_the_caller(app: TestApp) {
    let t = app.tenant("caller").await;
    let admin = app.member(&t, Role::Admin).await;
    let me = "{ me { subject kind role platformAdmin tenant { slug kind } } }";
    let r = graphql(&app, me, json!({}), Some(&admin.token)).await;
    let m = &data(&r)["me"];
    assert_eq!(m["subject"], admin.user_id.to_string());
    assert_eq!(m["role"], "ADMIN");
    assert_eq!(m["kind"], "USER");
    assert_eq!(m["tenant"]["slug"], "caller");
    assert_eq!(m["tenant"]["kind"], "NATIONAL_REGISTRY");

    let anonymous = graphql(&app, me, json!({}), None).await;
    assert_eq!(codes(&anonymous), ["UNAUTHENTICATED"]);
    // An invalid token is refused, never taken as anonymous, even for public data.
    let bad = graphql(
        &app,
        "{ initiatives { totalCount } }",
        json!({}),
        Some("not-a-token"),
    )
    .await;
    assert_eq!(bad.status, 401);
    assert_eq!(codes(&bad), ["UNAUTHENTICATED"]);
    assert!(bad.header("www-authenticate").is_some());
    let basic = app
        .send(
            reqwest::Method::POST,
            "/graphql",
            None,
            &[("Authorization", "Basic dXNlcjpwYXNz")],
            Some(&json!({"query": "{ initiatives { totalCount } }"})),
        )
        .await;
    assert_eq!(codes(&basic), ["UNAUTHENTICATED"]);
    // Owners may change their tenant; admins may not.
    let owner = app.member(&t, Role::Owner).await;
    let update = r#"mutation { updateCurrentTenant(expectedVersion: 1, input: {name: "Renamed"}) { name version } }"#;
    let refused = graphql(&app, update, json!({}), Some(&admin.token)).await;
    assert_eq!(codes(&refused), ["FORBIDDEN"]);
    let done = graphql(&app, update, json!({}), Some(&owner.token)).await;
    assert_eq!(data(&done)["updateCurrentTenant"]["name"], "Renamed");
}

async fn cursors_page_through_the_rest_order(app: TestApp) {
    let t = app.tenant("paging").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    for n in 0..7 {
        app.initiative(&ed.token, &format!("Initiative {n}")).await;
    }
    let rest = app
        .get("/api/v1/initiatives?per_page=100&sort=-title", tok)
        .await;
    let expected = ids(&rest.body["items"], "id");
    let page = r#"query($first: Int, $after: String) {
        initiatives(first: $first, after: $after, sort: TITLE_DESC) {
          totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }"#;
    let mut seen = Vec::new();
    let mut after = Value::Null;
    // Uneven page sizes: the windows do not line up with the service's pages.
    for (step, first) in [3, 2, 1, 5].into_iter().enumerate() {
        let r = graphql(&app, page, json!({"first": first, "after": after}), tok).await;
        let c = &data(&r)["initiatives"];
        assert_eq!(c["totalCount"], 7);
        for e in c["edges"].as_array().unwrap() {
            seen.push(e["node"]["id"].as_str().unwrap().to_owned());
        }
        assert_eq!(c["pageInfo"]["hasPreviousPage"], step > 0);
        after = c["pageInfo"]["endCursor"].clone();
        if c["pageInfo"]["hasNextPage"] == false {
            break;
        }
    }
    assert_eq!(seen, expected, "every item once, in the REST order");
    let bad = graphql(&app, page, json!({"after": "bm90LWEtY3Vyc29y"}), tok).await;
    assert_eq!(codes(&bad), ["BAD_REQUEST"]);
    assert_eq!(
        bad.body["errors"][0]["extensions"]["errors"][0]["field"],
        "after"
    );
}

const KEYED_PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String) {
    initiatives(first: $first, after: $after, last: $last, before: $before, sort: TITLE) {
      totalCount edges { cursor node { id title } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"#;

fn titles(edges: &Value) -> Vec<&str> {
    edges
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap())
        .collect()
}

async fn connections_page_on_the_rest_cursors(app: TestApp) {
    let t = app.tenant("keyset").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    for n in [2, 4, 6, 8] {
        app.initiative(&ed.token, &format!("Initiative {n}")).await;
    }
    let r = graphql(&app, KEYED_PAGE, json!({"first": 2}), tok).await;
    let c = &data(&r)["initiatives"];
    let rest = app
        .get("/api/v1/initiatives?per_page=2&sort=title", tok)
        .await;
    assert_eq!(
        c["pageInfo"]["endCursor"], rest.body["next_cursor"],
        "the connection's cursor is the REST list's"
    );
    assert_eq!(c["edges"][1]["cursor"], c["pageInfo"]["endCursor"]);
    // A record added before the cursor does not shift the next page (no offset behind it).
    app.initiative(&ed.token, "Initiative 1").await;
    let after = c["pageInfo"]["endCursor"].clone();
    let r = graphql(&app, KEYED_PAGE, json!({"first": 2, "after": after}), tok).await;
    let c = &data(&r)["initiatives"];
    assert_eq!(titles(&c["edges"]), ["Initiative 6", "Initiative 8"]);
    assert_eq!(c["totalCount"], 5);
    assert_eq!(c["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(c["pageInfo"]["hasNextPage"], false);
}

async fn connections_page_back_with_last_and_before(app: TestApp) {
    let t = app.tenant("backwards").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    for n in 1..=5 {
        app.initiative(&ed.token, &format!("Initiative {n}")).await;
    }
    let r = graphql(&app, KEYED_PAGE, json!({"first": 4}), tok).await;
    let fourth = data(&r)["initiatives"]["pageInfo"]["endCursor"].clone();
    let r = graphql(&app, KEYED_PAGE, json!({"last": 2, "before": fourth}), tok).await;
    let c = &data(&r)["initiatives"];
    assert_eq!(
        titles(&c["edges"]),
        ["Initiative 2", "Initiative 3"],
        "in list order"
    );
    assert_eq!(c["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(c["pageInfo"]["hasNextPage"], true);
    for (variables, field) in [
        (json!({"last": 2}), "last"),
        (json!({"first": 2, "last": 2}), "last"),
        (json!({"first": 2, "before": fourth}), "first"),
    ] {
        let bad = graphql(&app, KEYED_PAGE, variables.clone(), tok).await;
        assert_eq!(codes(&bad), ["BAD_REQUEST"], "{variables}");
        assert_eq!(
            bad.body["errors"][0]["extensions"]["errors"][0]["field"], field,
            "{variables}: {}",
            bad.body
        );
    }
}

async fn relevance_searches_page_forward_by_position(app: TestApp) {
    let t = app.tenant("relevance").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    for n in 1..=5 {
        app.initiative(&ed.token, &format!("School connectivity {n}"))
            .await;
    }
    let page = r#"query($first: Int, $after: String, $last: Int, $before: String) {
        initiatives(search: "school", first: $first, after: $after, last: $last, before: $before) {
          totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }"#;
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let r = graphql(&app, page, json!({"first": 2, "after": after}), tok).await;
        let c = &data(&r)["initiatives"];
        assert_eq!(c["totalCount"], 5);
        for e in c["edges"].as_array().unwrap() {
            seen.push(e["node"]["id"].as_str().unwrap().to_owned());
        }
        after = c["pageInfo"]["endCursor"].clone();
        if c["pageInfo"]["hasNextPage"] == false {
            break;
        }
    }
    let rest = app
        .get("/api/v1/initiatives?q=school&per_page=5", tok)
        .await;
    assert_eq!(
        seen,
        ids(&rest.body["items"], "id"),
        "REST's relevance order"
    );
    let back = graphql(&app, page, json!({"last": 2, "before": after}), tok).await;
    assert_eq!(codes(&back), ["BAD_REQUEST"], "{}", back.body);
}

const ORGANIZATIONS_PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String) {
    organizations(first: $first, after: $after, last: $last, before: $before) {
      totalCount nodes { name } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }"#;

async fn organization_connections_page_by_cursor(app: TestApp) {
    let t = app.tenant("orgs").await;
    let admin = app.member(&t, Role::Admin).await;
    let tok = Some(admin.token.as_str());
    for name in ["Alpha", "Beta", "Gamma"] {
        app.organization(&admin.token, name, "private").await;
    }
    let r = graphql(&app, ORGANIZATIONS_PAGE, json!({"first": 2}), tok).await;
    let first = &data(&r)["organizations"];
    assert_eq!(first["nodes"], json!([{"name": "Alpha"}, {"name": "Beta"}]));
    let after = json!({"first": 2, "after": first["pageInfo"]["endCursor"]});
    let r = graphql(&app, ORGANIZATIONS_PAGE, after, tok).await;
    let second = &data(&r)["organizations"];
    assert_eq!(second["nodes"], json!([{"name": "Gamma"}]));
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let before = json!({"last": 1, "before": second["pageInfo"]["startCursor"]});
    let r = graphql(&app, ORGANIZATIONS_PAGE, before, tok).await;
    assert_eq!(
        data(&r)["organizations"]["nodes"],
        json!([{"name": "Beta"}])
    );
}

async fn member_connections_page_by_cursor(app: TestApp) {
    let t = app.tenant("members").await;
    let admin = app.member(&t, Role::Admin).await;
    let tok = Some(admin.token.as_str());
    app.member(&t, Role::Viewer).await;
    let members = r#"query($after: String) {
        members(first: 1, after: $after) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }"#;
    let r = graphql(&app, members, json!({}), tok).await;
    let c = &data(&r)["members"];
    assert_eq!(c["totalCount"], 2);
    assert_eq!(c["pageInfo"]["hasNextPage"], true);
    let after = json!({"after": c["pageInfo"]["endCursor"]});
    let r = graphql(&app, members, after, tok).await;
    assert_eq!(data(&r)["members"]["pageInfo"]["hasNextPage"], false);
}

async fn get_queries_and_graphiql(app: TestApp) {
    let page = app.get("/graphql", None).await;
    assert_eq!(page.status, 200);
    let html = page.body.as_str().unwrap();
    assert!(html.to_lowercase().contains("graphiql"), "GraphiQL page");
    let t = app.tenant("get").await;
    let ed = app.member(&t, Role::Editor).await;
    app.public_initiative(&ed.token, "Mali CLIC").await;
    let q = url::form_urlencoded::byte_serialize(b"{ initiatives { totalCount nodes { title } } }")
        .collect::<String>();
    let r = app.get(&format!("/graphql?query={q}"), None).await;
    assert_eq!(data(&r)["initiatives"]["nodes"][0]["title"], "Mali CLIC");
    let r = app
        .get(&format!("/graphql?query={q}"), Some(&ed.token))
        .await;
    assert_eq!(data(&r)["initiatives"]["totalCount"], 1);
    let m = url::form_urlencoded::byte_serialize(
        b"mutation { createOrganization(input: {name: \"Via GET\", sector: BUSINESS}) { id } }",
    )
    .collect::<String>();
    let r = app
        .get(&format!("/graphql?query={m}"), Some(&ed.token))
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(codes(&r), ["METHOD_NOT_ALLOWED"]);
    let orgs = app.get("/api/v1/organizations", Some(&ed.token)).await;
    assert!(
        !orgs.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "Via GET"),
        "nothing was created"
    );
}

async fn reference_data_and_lessons(app: TestApp) {
    let r = graphql(
        &app,
        "{ referenceData { actionLines { code } sdgGoals { number targets { code } } sectors journeyStages partnerRoles { role iatiRole } spectrum engagementModels memberRoles } }",
        json!({}),
        None,
    )
    .await;
    let d = &data(&r)["referenceData"];
    assert_eq!(d["actionLines"].as_array().unwrap().len(), 19);
    assert_eq!(d["sdgGoals"].as_array().unwrap().len(), 17);
    let targets: usize = d["sdgGoals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["targets"].as_array().unwrap().len())
        .sum();
    assert_eq!(targets, 169);
    assert_eq!(d["sdgGoals"][7]["targets"][9]["code"], "8.10");
    assert_eq!(
        d["sdgGoals"][7]["targets"][10]["code"], "8.a",
        "8.10 before 8.a"
    );
    assert_eq!(d["sectors"][0], "GOVERNMENT");
    assert_eq!(d["journeyStages"][0], "UNDERSTAND_CONTEXT");
    assert_eq!(d["journeyStages"].as_array().unwrap().len(), 12);
    assert_eq!(d["spectrum"].as_array().unwrap().len(), 3);
    assert_eq!(d["engagementModels"].as_array().unwrap().len(), 4);

    let t = app.tenant("lessons").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = app.public_initiative(&ed.token, "Macedonia Connects").await;
    let id = i["id"].as_str().unwrap();
    for statement in [
        "Aggregate demand before negotiating",
        "Train teachers first",
    ] {
        let l = app
            .post(
                &format!("/api/v1/initiatives/{id}/lessons"),
                tok,
                &json!({"statement": statement, "tags": ["connectivity"]}),
            )
            .await;
        assert_eq!(l.status, 201);
    }
    let rest = app.get("/api/v1/lessons?q=demand&scope=all", tok).await;
    let gql = graphql(
        &app,
        r#"{ lessons(search: "demand", scope: ALL) { totalCount nodes { id statement } } }"#,
        json!({}),
        tok,
    )
    .await;
    let l = &data(&gql)["lessons"];
    assert_eq!(l["totalCount"], rest.body["total"]);
    assert_eq!(ids(&l["nodes"], "id"), ids(&rest.body["items"], "id"));
    let anon = graphql(
        &app,
        r#"{ lessons(tag: "connectivity") { totalCount } }"#,
        json!({}),
        None,
    )
    .await;
    assert_eq!(data(&anon)["lessons"]["totalCount"], 2);
}

async fn tenant_administration_matches_rest(app: TestApp) {
    let t = app.tenant("admin").await;
    let owner = app.member(&t, Role::Owner).await;
    let admin = app.member(&t, Role::Admin).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let tok = Some(owner.token.as_str());

    // Creating tenants is for platform administrators.
    let create = r#"mutation($input: NewTenantInput!) { createTenant(input: $input) { slug kind homeCountry version } }"#;
    let input = json!({"input": {"slug": "kg-registry", "name": "Kyrgyz registry", "kind": "NATIONAL_REGISTRY", "homeCountry": "kg"}});
    let refused = graphql(&app, create, input.clone(), tok).await;
    assert_eq!(codes(&refused), ["FORBIDDEN"]);
    let platform = app.platform_admin(&t, Role::Owner).await.token;
    let created = graphql(&app, create, input.clone(), Some(&platform)).await;
    assert_eq!(
        data(&created)["createTenant"],
        json!({"slug": "kg-registry", "kind": "NATIONAL_REGISTRY", "homeCountry": "KG", "version": 1})
    );
    let again = graphql(&app, create, input, Some(&platform)).await;
    assert_eq!(codes(&again), ["CONFLICT"]);

    // Members: add a new account, change its role, list, remove; REST sees the same.
    let add = r#"mutation($input: NewMemberInput!) { addMember(input: $input) { ... on Member { userId email role } } }"#;
    let added = graphql(
        &app,
        add,
        json!({"input": {"email": "Focal.Point@example.org", "displayName": "Aminata", "password": "correct horse battery staple", "role": "EDITOR"}}),
        Some(&admin.token),
    )
    .await;
    let m = &data(&added)["addMember"];
    assert_eq!(m["email"], "focal.point@example.org");
    let user = m["userId"].as_str().unwrap().to_owned();
    let owner_by_admin = graphql(
        &app,
        add,
        json!({"input": {"email": "boss@example.org", "displayName": "Boss", "password": "correct horse battery staple", "role": "OWNER"}}),
        Some(&admin.token),
    )
    .await;
    assert_eq!(
        codes(&owner_by_admin),
        ["FORBIDDEN"],
        "only owners grant the owner role"
    );
    let short = graphql(
        &app,
        add,
        json!({"input": {"email": "new@example.org", "displayName": "New", "password": "short", "role": "VIEWER"}}),
        Some(&admin.token),
    )
    .await;
    assert_eq!(codes(&short), ["VALIDATION"]);
    let changed = graphql(
        &app,
        r#"mutation($u: UUID!) { changeMemberRole(userId: $u, role: VIEWER) { role } }"#,
        json!({"u": user}),
        Some(&admin.token),
    )
    .await;
    assert_eq!(data(&changed)["changeMemberRole"]["role"], "VIEWER");
    let listed = graphql(
        &app,
        "{ members(first: 100) { totalCount nodes { userId role } } }",
        json!({}),
        Some(&viewer.token),
    )
    .await;
    let rest = app
        .get("/api/v1/members?per_page=100", Some(&viewer.token))
        .await;
    assert_eq!(data(&listed)["members"]["totalCount"], rest.body["total"]);
    assert_eq!(
        ids(&data(&listed)["members"]["nodes"], "userId"),
        ids(&rest.body["items"], "user_id")
    );
    let removed = graphql(
        &app,
        r#"mutation($u: UUID!) { removeMember(userId: $u) }"#,
        json!({"u": user}),
        Some(&viewer.token),
    )
    .await;
    assert_eq!(codes(&removed), ["FORBIDDEN"]);
    let removed = graphql(
        &app,
        r#"mutation($u: UUID!) { removeMember(userId: $u) }"#,
        json!({"u": user}),
        Some(&admin.token),
    )
    .await;
    assert_eq!(data(&removed)["removeMember"], user.as_str());

    // API clients: the secret is shown once and works at the token endpoint; revoked, it no
    // longer does.
    let created = graphql(
        &app,
        r#"mutation { createApiClient(input: {name: "National portal", role: VIEWER}) { clientSecret client { id clientId role } } }"#,
        json!({}),
        Some(&admin.token),
    )
    .await;
    let c = &data(&created)["createApiClient"];
    let grant = |secret: String, client_id: String| {
        let app = app.clone();
        async move {
            app.client
                .post(app.url("/api/v1/auth/token"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", secret.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let secret = c["clientSecret"].as_str().unwrap().to_owned();
    let client_id = c["client"]["clientId"].as_str().unwrap().to_owned();
    assert_eq!(grant(secret.clone(), client_id.clone()).await, 200);
    let too_high = graphql(
        &app,
        r#"mutation { createApiClient(input: {name: "Too high", role: OWNER}) { clientSecret } }"#,
        json!({}),
        Some(&admin.token),
    )
    .await;
    assert_eq!(codes(&too_high), ["FORBIDDEN"]);
    let revoked = graphql(
        &app,
        r#"mutation($id: UUID!) { revokeApiClient(id: $id) }"#,
        json!({"id": c["client"]["id"]}),
        Some(&admin.token),
    )
    .await;
    assert_eq!(data(&revoked)["revokeApiClient"], c["client"]["id"]);
    assert_eq!(grant(secret, client_id).await, 401);
    let clients = graphql(
        &app,
        "{ apiClients { totalCount nodes { id revokedAt } } }",
        json!({}),
        Some(&admin.token),
    )
    .await;
    let list = &data(&clients)["apiClients"];
    assert_eq!(list["totalCount"], 1);
    assert!(list["nodes"][0]["revokedAt"].is_string());
    let hidden = graphql(
        &app,
        "{ apiClients { totalCount } }",
        json!({}),
        Some(&viewer.token),
    )
    .await;
    assert_eq!(codes(&hidden), ["FORBIDDEN"]);
}

#[test]
fn committed_graphql_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = msp_api::graphql::sdl();
    assert!(
        committed == generated,
        "openapi/schema.graphql is out of date with the code: regenerate it with \
         `make graphql-schema` (cargo run -q -p msp-api -- graphql-schema > openapi/schema.graphql) \
         and commit it"
    );
}
