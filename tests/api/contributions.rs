//! Contributions: exact decimal amounts in ISO 4217 currencies (never floats), partners of the
//! same initiative only, exact totals per currency, kind and partner, scoped and versioned like
//! every child of an initiative.

use msp_tests::{MemberFx, TenantFx, TestApp, both_databases, json};
use reqwest::Method;
use serde_json::Value;
use service::Role;

both_databases!(
    contribution_lifecycle,
    amounts_and_currencies_are_validated,
    partners_of_another_initiative_are_refused,
    totals_are_exact_and_per_currency,
    list_filters_and_pages,
    contributions_follow_tenancy,
    viewers_cannot_write_contributions,
    writes_raise_the_initiative_version_and_are_in_the_history,
);

/// A tenant, an editor of it, and the editor's initiative with one partner.
pub(crate) struct Setup {
    pub tenant: TenantFx,
    pub editor: MemberFx,
    pub initiative: String,
    pub partner: String,
}

pub(crate) async fn setup(app: &TestApp, slug: &str) -> Setup {
    let tenant = app.tenant(slug).await;
    let editor = app.member(&tenant, Role::Editor).await;
    let initiative = app.initiative(&editor.token, "Mali CLIC").await;
    let initiative = initiative["id"].as_str().unwrap().to_owned();
    let partner = add_partner(app, &editor.token, &initiative, "Ministry of Communication").await;
    Setup {
        tenant,
        editor,
        initiative,
        partner,
    }
}

/// Adds a new organisation as a partner of the initiative; returns the partner id.
pub(crate) async fn add_partner(
    app: &TestApp,
    token: &str,
    initiative: &str,
    name: &str,
) -> String {
    let org = app.organization(token, name, "private").await;
    let r = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/partners"),
            Some(token),
            &json!({"organization_id": org["id"], "roles": ["funder"]}),
        )
        .await;
    assert_eq!(r.status, 201, "add partner: {:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

fn path(initiative: &str) -> String {
    format!("/api/v1/initiatives/{initiative}/contributions")
}

async fn contribute(app: &TestApp, s: &Setup, partner: &str, body: Value) -> msp_tests::Resp {
    let mut body = body;
    body["partner_id"] = json!(partner);
    app.post(&path(&s.initiative), Some(&s.editor.token), &body)
        .await
}

async fn contribution_lifecycle(app: TestApp) {
    let s = setup(&app, "contrib-life").await;
    let tok = Some(s.editor.token.as_str());
    let created = contribute(
        &app,
        &s,
        &s.partner,
        json!({
            "resource_kind": "cash",
            "description": "Seed funding",
            "amount": "12500.5",
            "currency": "usd",
            "contributed_on": "2005-03-01",
        }),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag(), "\"1\"");
    let id = created.body["id"].as_str().unwrap();
    let one = format!("{}/{id}", path(&s.initiative));
    assert_eq!(created.header("location").as_deref(), Some(one.as_str()));
    assert_eq!(created.body["amount"], "12500.50", "canonical, exact");
    assert_eq!(created.body["currency"], "USD");
    assert_eq!(created.body["status"], "pledged", "the default");
    assert_eq!(created.body["partner_id"], s.partner.as_str());
    assert_eq!(
        created.body["organization_name"],
        "Ministry of Communication"
    );

    let read = app.get(&one, tok).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.etag(), "\"1\"");
    assert_eq!(read.body["amount"], "12500.50");
    let cached = app
        .send(Method::GET, &one, tok, &[("If-None-Match", "\"1\"")], None)
        .await;
    assert_eq!(cached.status, 304);

    let change = json!({"status": "delivered", "amount": "13000"});
    let missing = app.patch(&one, tok, None, &change).await;
    assert_eq!(missing.status, 428);
    assert_eq!(missing.code(), "precondition_required");
    let stale = app.patch(&one, tok, Some("\"7\""), &change).await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.code(), "stale_version");
    let changed = app.patch(&one, tok, Some("\"1\""), &change).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.etag(), "\"2\"");
    assert_eq!(changed.body["status"], "delivered");
    assert_eq!(changed.body["amount"], "13000.00");
    assert_eq!(changed.body["description"], "Seed funding", "absent stays");

    // Clearing the amount needs the currency cleared too; then it is an unvalued contribution.
    let half = app
        .patch(&one, tok, Some("\"2\""), &json!({"amount": null}))
        .await;
    assert_eq!(half.status, 422);
    assert_eq!(half.error_fields(), ["currency"]);
    let cleared = app
        .patch(
            &one,
            tok,
            Some("\"2\""),
            &json!({"amount": null, "currency": null, "resource_kind": "hardware"}),
        )
        .await;
    assert_eq!(cleared.status, 200, "{:?}", cleared.body);
    assert_eq!(cleared.body["amount"], Value::Null);
    assert_eq!(cleared.body["currency"], Value::Null);

    assert_eq!(app.delete(&one, tok, None).await.status, 428);
    assert_eq!(app.delete(&one, tok, Some("\"2\"")).await.status, 412);
    assert_eq!(app.delete(&one, tok, Some("\"3\"")).await.status, 204);
    let gone = app.get(&one, tok).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.code(), "not_found");
    let list = app.get(&path(&s.initiative), tok).await;
    assert_eq!(list.body["total"], 0);
}

async fn amounts_and_currencies_are_validated(app: TestApp) {
    let s = setup(&app, "contrib-valid").await;
    let refused = |body: Value, field: &'static str| {
        let (app, s) = (&app, &s);
        async move {
            let r = contribute(app, s, &s.partner, body.clone()).await;
            assert_eq!(r.status, 422, "{body}: {:?}", r.body);
            assert_eq!(r.code(), "validation");
            assert!(
                // A field serde cannot place (unknown, missing) is named in the message.
                r.error_fields().iter().any(|f| f == field)
                    || r.body["errors"][0]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(field)),
                "{body}: expected an error on {field}: {:?}",
                r.body
            );
        }
    };
    // A JSON number is never an amount, not even a whole one.
    refused(
        json!({"resource_kind": "cash", "amount": 12500.5, "currency": "USD"}),
        "amount",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "amount": 100, "currency": "USD"}),
        "amount",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "amount": "-5.00", "currency": "USD"}),
        "amount",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "amount": "0", "currency": "USD"}),
        "amount",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "amount": "1e6", "currency": "USD"}),
        "amount",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "amount": "10.005", "currency": "USD"}),
        "amount",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "amount": "10.5", "currency": "XOF"}),
        "amount",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "amount": "10", "currency": "XXX"}),
        "currency",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "amount": "10", "currency": "DOLLARS"}),
        "currency",
    )
    .await;
    refused(json!({"resource_kind": "cash", "amount": "10"}), "currency").await;
    refused(
        json!({"resource_kind": "venue", "currency": "USD"}),
        "currency",
    )
    .await;
    refused(json!({"resource_kind": "gold_bars"}), "resource_kind").await;
    refused(
        json!({"resource_kind": "cash", "status": "promised"}),
        "status",
    )
    .await;
    refused(
        json!({"resource_kind": "cash", "colour": "green"}),
        "colour",
    )
    .await;
    let listed = app.get(&path(&s.initiative), Some(&s.editor.token)).await;
    assert_eq!(listed.body["total"], 0, "nothing refused was stored");

    // Lower-case codes are normalised; whole-unit currencies keep no decimals.
    let usd = contribute(
        &app,
        &s,
        &s.partner,
        json!({"resource_kind": "cash", "amount": "0.10", "currency": "usd"}),
    )
    .await;
    assert_eq!(usd.status, 201, "{:?}", usd.body);
    assert_eq!(usd.body["currency"], "USD");
    assert_eq!(usd.body["amount"], "0.10");
    let xof = contribute(
        &app,
        &s,
        &s.partner,
        json!({"resource_kind": "cash", "amount": "1500000.00", "currency": "XOF"}),
    )
    .await;
    assert_eq!(xof.status, 201, "{:?}", xof.body);
    assert_eq!(xof.body["amount"], "1500000");
    // An in-kind contribution need not be valued.
    let venue = contribute(
        &app,
        &s,
        &s.partner,
        json!({"resource_kind": "venue", "description": "Rooms in the town hall", "status": "delivered"}),
    )
    .await;
    assert_eq!(venue.status, 201, "{:?}", venue.body);
    assert_eq!(venue.body["amount"], Value::Null);
    assert_eq!(venue.body["currency"], Value::Null);
}

async fn partners_of_another_initiative_are_refused(app: TestApp) {
    let s = setup(&app, "contrib-partner").await;
    let other = app.initiative(&s.editor.token, "Another initiative").await;
    let other = other["id"].as_str().unwrap();
    let foreign = add_partner(&app, &s.editor.token, other, "Someone else").await;
    let body = json!({"resource_kind": "cash", "amount": "10", "currency": "EUR"});
    let r = contribute(&app, &s, &foreign, body.clone()).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.error_fields(), ["partner_id"]);
    let r = contribute(&app, &s, &uuid::Uuid::now_v7().to_string(), body.clone()).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), ["partner_id"]);

    // Nor may a PATCH move a contribution to such a partner.
    let ok = contribute(&app, &s, &s.partner, body).await;
    assert_eq!(ok.status, 201);
    let one = format!(
        "{}/{}",
        path(&s.initiative),
        ok.body["id"].as_str().unwrap()
    );
    let moved = app
        .patch(
            &one,
            Some(&s.editor.token),
            Some("\"1\""),
            &json!({"partner_id": foreign}),
        )
        .await;
    assert_eq!(moved.status, 422);
    assert_eq!(moved.error_fields(), ["partner_id"]);
    // A contribution is not reachable through another initiative's path.
    let wrong = format!("{}/{}", path(other), ok.body["id"].as_str().unwrap());
    assert_eq!(app.get(&wrong, Some(&s.editor.token)).await.status, 404);
}

async fn totals_are_exact_and_per_currency(app: TestApp) {
    let s = setup(&app, "contrib-totals").await;
    let tok = s.editor.token.clone();
    let second = add_partner(&app, &tok, &s.initiative, "Alpha Telecom").await;
    for (partner, kind, amount, currency, status) in [
        (&s.partner, "cash", Some("0.10"), Some("USD"), "pledged"),
        (&s.partner, "cash", Some("0.20"), Some("USD"), "delivered"),
        (&second, "hardware", Some("0.60"), Some("usd"), "delivered"),
        (&second, "cash", Some("1000"), Some("EUR"), "pledged"),
        (&s.partner, "venue", None, None, "delivered"),
    ] {
        let r = contribute(
            &app,
            &s,
            partner,
            json!({"resource_kind": kind, "amount": amount, "currency": currency, "status": status}),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }

    let totals = app
        .get(&format!("{}/totals", path(&s.initiative)), Some(&tok))
        .await;
    assert_eq!(totals.status, 200, "{:?}", totals.body);
    let t = &totals.body;
    // Currencies are kept apart, in code order; 0.10 + 0.20 is exactly 0.30.
    assert_eq!(
        t["by_currency"],
        json!([
            {"currency": "EUR", "pledged": "1000.00", "delivered": "0.00", "total": "1000.00"},
            {"currency": "USD", "pledged": "0.10", "delivered": "0.80", "total": "0.90"},
        ])
    );
    assert_eq!(
        t["by_kind"],
        json!([
            {"resource_kind": "cash", "count": 3, "amounts": [
                {"currency": "EUR", "total": "1000.00"},
                {"currency": "USD", "total": "0.30"},
            ]},
            {"resource_kind": "hardware", "count": 1, "amounts": [{"currency": "USD", "total": "0.60"}]},
            {"resource_kind": "venue", "count": 1, "amounts": []},
        ])
    );
    // Partners by organisation name; each share is of that currency's total.
    assert_eq!(
        t["by_partner"],
        json!([
            {"partner_id": second, "organization_name": "Alpha Telecom", "amounts": [
                {"currency": "EUR", "total": "1000.00", "share": "1.0000"},
                {"currency": "USD", "total": "0.60", "share": "0.6667"},
            ]},
            {"partner_id": s.partner, "organization_name": "Ministry of Communication", "amounts": [
                {"currency": "USD", "total": "0.30", "share": "0.3333"},
            ]},
        ])
    );

    // The initiative's detail carries the same totals.
    let detail = app
        .get(&format!("/api/v1/initiatives/{}", s.initiative), Some(&tok))
        .await;
    assert_eq!(detail.status, 200);
    assert_eq!(&detail.body["contribution_totals"], t);

    // An initiative without contributions has empty totals.
    let empty = app.initiative(&tok, "Nothing yet").await;
    assert_eq!(
        empty["contribution_totals"],
        json!({"by_currency": [], "by_kind": [], "by_partner": []})
    );
}

async fn list_filters_and_pages(app: TestApp) {
    let s = setup(&app, "contrib-list").await;
    let tok = Some(s.editor.token.as_str());
    let second = add_partner(&app, &s.editor.token, &s.initiative, "Second").await;
    for (partner, kind, status) in [
        (&s.partner, "cash", "pledged"),
        (&s.partner, "training", "delivered"),
        (&second, "cash", "delivered"),
    ] {
        let r = contribute(
            &app,
            &s,
            partner,
            json!({"resource_kind": kind, "status": status}),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let base = path(&s.initiative);
    let total = |r: &msp_tests::Resp| r.body["total"].as_u64().unwrap();
    assert_eq!(total(&app.get(&base, tok).await), 3);
    assert_eq!(
        total(&app.get(&format!("{base}?partner_id={second}"), tok).await),
        1
    );
    assert_eq!(
        total(&app.get(&format!("{base}?resource_kind=cash"), tok).await),
        2
    );
    let delivered_cash = app
        .get(&format!("{base}?resource_kind=cash&status=delivered"), tok)
        .await;
    assert_eq!(total(&delivered_cash), 1);
    assert_eq!(
        delivered_cash.body["items"][0]["partner_id"],
        second.as_str()
    );
    let page = app.get(&format!("{base}?per_page=2&page=2"), tok).await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["total_pages"], 2);
    assert_eq!(
        app.get(&format!("{base}?status=promised"), tok)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get(&format!("{base}?colour=red"), tok).await.status,
        400
    );
}

async fn contributions_follow_tenancy(app: TestApp) {
    let s = setup(&app, "contrib-owner").await;
    let other = app.tenant("contrib-stranger").await;
    let stranger = app.member(&other, Role::Owner).await;
    let tok_b = Some(stranger.token.as_str());
    let body =
        json!({"partner_id": s.partner, "resource_kind": "cash", "amount": "5", "currency": "USD"});

    // A private initiative: every verb is 404 to another tenant, and to anonymous callers.
    let private = contribute(&app, &s, &s.partner, body.clone()).await;
    assert_eq!(private.status, 201);
    let base = path(&s.initiative);
    let one = format!("{base}/{}", private.body["id"].as_str().unwrap());
    for token in [tok_b, None] {
        assert_eq!(app.get(&base, token).await.status, 404);
        assert_eq!(app.get(&format!("{base}/totals"), token).await.status, 404);
        assert_eq!(app.get(&one, token).await.status, 404);
    }
    assert_eq!(app.post(&base, tok_b, &body).await.status, 404);
    assert_eq!(
        app.patch(&one, tok_b, Some("\"1\""), &json!({"amount": "6"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&one, tok_b, Some("\"1\"")).await.status, 404);

    // A public initiative: readable by all, writable by its own tenant only (403).
    let public = app
        .public_initiative(&s.editor.token, "Macedonia Connects")
        .await;
    let public_id = public["id"].as_str().unwrap();
    let partners = app
        .get(
            &format!("/api/v1/initiatives/{public_id}/partners"),
            Some(&s.editor.token),
        )
        .await;
    let partner = partners.body["items"][0]["id"].as_str().unwrap().to_owned();
    let public_body = json!({"partner_id": partner, "resource_kind": "connectivity", "amount": "100", "currency": "EUR"});
    let made = app
        .post(&path(public_id), Some(&s.editor.token), &public_body)
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let public_one = format!("{}/{}", path(public_id), made.body["id"].as_str().unwrap());
    for token in [tok_b, None] {
        let list = app.get(&path(public_id), token).await;
        assert_eq!(list.status, 200);
        assert_eq!(list.body["total"], 1);
        assert_eq!(app.get(&public_one, token).await.status, 200);
        let totals = app.get(&format!("{}/totals", path(public_id)), token).await;
        assert_eq!(totals.body["by_currency"][0]["total"], "100.00");
    }
    let forbidden = app.post(&path(public_id), tok_b, &public_body).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.code(), "forbidden");
    assert_eq!(
        app.patch(&public_one, tok_b, Some("\"1\""), &json!({"amount": "1"}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.delete(&public_one, tok_b, Some("\"1\"")).await.status,
        403
    );
    assert_eq!(
        app.post(&path(public_id), None, &public_body).await.status,
        401
    );

    // Nothing changed.
    let kept = app.get(&public_one, Some(&s.editor.token)).await;
    assert_eq!(kept.body["version"], 1);
    assert_eq!(kept.body["amount"], "100.00");
}

async fn viewers_cannot_write_contributions(app: TestApp) {
    let s = setup(&app, "contrib-roles").await;
    let body = json!({"resource_kind": "cash", "amount": "5", "currency": "USD"});
    let made = contribute(&app, &s, &s.partner, body.clone()).await;
    assert_eq!(made.status, 201);
    // A viewer of the same tenant: reads yes, writes no.
    let viewer = app.member(&s.tenant, Role::Viewer).await;
    let tok = Some(viewer.token.as_str());
    let base = path(&s.initiative);
    let one = format!("{base}/{}", made.body["id"].as_str().unwrap());
    assert_eq!(app.get(&base, tok).await.status, 200);
    assert_eq!(app.get(&one, tok).await.status, 200);
    let mut with_partner = body.clone();
    with_partner["partner_id"] = json!(s.partner);
    let create = app.post(&base, tok, &with_partner).await;
    assert_eq!(create.status, 403);
    assert_eq!(create.code(), "forbidden");
    assert_eq!(
        app.patch(&one, tok, Some("\"1\""), &json!({"amount": "6"}))
            .await
            .status,
        403
    );
    assert_eq!(app.delete(&one, tok, Some("\"1\"")).await.status, 403);
    let kept = app.get(&one, tok).await;
    assert_eq!(kept.body["amount"], "5.00");
}

async fn writes_raise_the_initiative_version_and_are_in_the_history(app: TestApp) {
    let s = setup(&app, "contrib-history").await;
    let tok = Some(s.editor.token.as_str());
    let initiative_path = format!("/api/v1/initiatives/{}", s.initiative);
    let before = app.get(&initiative_path, tok).await;
    let before_version = before.body["version"].as_i64().unwrap();

    let mut body = json!({"partner_id": s.partner, "resource_kind": "scholarships", "amount": "250", "currency": "GBP"});
    let made = app
        .send(
            Method::POST,
            &path(&s.initiative),
            tok,
            &[("X-Change-Reason", "Pledged at the launch event")],
            Some(&body),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let after = app.get(&initiative_path, tok).await;
    assert_eq!(
        after.body["version"].as_i64().unwrap(),
        before_version + 1,
        "a child write raises the initiative's version"
    );
    assert_ne!(after.etag(), before.etag());
    // The old ETag no longer matches the initiative.
    let stale = app
        .patch(
            &initiative_path,
            tok,
            Some(&before.etag()),
            &json!({"description": "x"}),
        )
        .await;
    assert_eq!(stale.status, 412);

    let id = made.body["id"].as_str().unwrap();
    body = json!({"status": "delivered"});
    let one = format!("{}/{id}", path(&s.initiative));
    assert_eq!(app.patch(&one, tok, Some("\"1\""), &body).await.status, 200);
    assert_eq!(app.delete(&one, tok, Some("\"2\"")).await.status, 204);
    let last = app.get(&initiative_path, tok).await;
    assert_eq!(last.body["version"].as_i64().unwrap(), before_version + 3);

    let history = app.get(&format!("{initiative_path}/history"), tok).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let entries: Vec<&Value> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_type"] == "contribution")
        .collect();
    let operations: Vec<&str> = entries
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["delete", "update", "create"], "newest first");
    assert!(entries.iter().all(|e| e["entity_id"] == id));
    assert_eq!(entries[2]["reason"], "Pledged at the launch event");
    assert_eq!(entries[2]["actor"], s.editor.user_id.to_string());
    let change = entries[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "status")
        .unwrap();
    assert_eq!(change["before"], "pledged");
    assert_eq!(change["after"], "delivered");
    let created_amount = entries[2]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "amount")
        .unwrap();
    assert_eq!(created_amount["after"], "250.00");
}
