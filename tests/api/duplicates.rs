//! Candidate duplicates: one partnership registered twice, in one tenant or across tenants.

use msp_tests::{TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    the_same_partnership_registered_by_another_tenant_is_flagged_on_create,
    another_tenants_private_record_is_never_suggested,
    open_candidates_are_listed_for_the_callers_tenant,
    the_judged_fixture_has_precision_and_recall_of_at_least_0_9,
    across_tenants_both_sides_confirm_a_link_within_one_side_suffices,
    a_rejected_link_closes_the_candidate_and_outsiders_never_see_a_link,
    linked_records_count_once_in_the_showcase_and_collapse_in_the_list,
    linked_records_count_once_in_coverage_the_dashboard_and_analytics,
    an_import_answers_each_created_rows_possible_duplicates,
    the_demo_shows_a_duplicate_pair_across_two_tenants,
    graphql_lists_candidates_and_links_through_the_same_rules,
);

/// Registers an initiative in `countries` (private) and answers the 201 body.
async fn register(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/initiatives", Some(token), &body).await;
    assert_eq!(r.status, 201, "create: {:?}", r.body);
    r.body
}

fn draft(title: &str, countries: &[&str]) -> Value {
    json!({
        "title": title,
        "summary": format!("Summary of {title}"),
        "kind": "msp",
        "countries": countries,
        "action_lines": ["C4"],
        "stage": "implementing",
    })
}

/// Registers an initiative in `countries` and publishes it (with an active partner).
async fn public(app: &TestApp, token: &str, title: &str, countries: &[&str]) -> Value {
    let created = register(app, token, draft(title, countries)).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let org = app
        .organization(token, &format!("Partner of {title}"), "private")
        .await;
    let partner = app
        .post(
            &format!("/api/v1/initiatives/{id}/partners"),
            Some(token),
            &json!({"organization_id": org["id"], "roles": ["lead"]}),
        )
        .await;
    assert_eq!(partner.status, 201, "partner: {:?}", partner.body);
    let current = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(token))
        .await;
    let published = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            Some(token),
            Some(&current.etag()),
            &json!({"visibility": "public"}),
        )
        .await;
    assert_eq!(published.status, 200, "publish: {:?}", published.body);
    published.body
}

fn suggested(created: &Value) -> Vec<String> {
    created["possible_duplicates"]
        .as_array()
        .unwrap_or_else(|| panic!("no possible_duplicates: {created:?}"))
        .iter()
        .map(|c| c["initiative_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_same_partnership_registered_by_another_tenant_is_flagged_on_create(app: TestApp) {
    let (a, b) = (app.tenant("dup-a").await, app.tenant("dup-b").await);
    let (ea, eb) = (
        app.member(&a, Role::Editor).await,
        app.member(&b, Role::Editor).await,
    );
    let first = public(&app, &ea.token, "Macedonia Connects", &["MK"]).await;
    let second = register(&app, &eb.token, draft("Macedonia Connects", &["MK"])).await;
    assert_eq!(second["title"], "Macedonia Connects", "still registered");
    let candidates = second["possible_duplicates"].as_array().unwrap();
    assert_eq!(suggested(&second), vec![first["id"].as_str().unwrap()]);
    assert_eq!(candidates[0]["tenant_id"], json!(a.id));
    assert!(candidates[0]["score"].as_f64().unwrap() >= 0.7);
    let codes: Vec<&str> = candidates[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"similar_title") && codes.contains(&"same_countries"),
        "{codes:?}"
    );
    let elsewhere = register(&app, &eb.token, draft("Skopje Open Data Portal", &["MK"])).await;
    assert!(suggested(&elsewhere).is_empty(), "{elsewhere:?}");
}

async fn another_tenants_private_record_is_never_suggested(app: TestApp) {
    let (a, b) = (app.tenant("dup-a").await, app.tenant("dup-b").await);
    let (ea, eb) = (
        app.member(&a, Role::Editor).await,
        app.member(&b, Role::Editor).await,
    );
    let private = register(&app, &ea.token, draft("Connected Schools Senegal", &["SN"])).await;
    let across = register(&app, &eb.token, draft("Connected Schools Senegal", &["SN"])).await;
    assert!(suggested(&across).is_empty(), "{across:?}");
    let listed = app.get("/api/v1/duplicates", Some(&eb.token)).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body["total"], 0, "{:?}", listed.body);
    let within = register(
        &app,
        &ea.token,
        draft("Écoles connectées du Sénégal", &["SN"]),
    )
    .await;
    assert_eq!(suggested(&within), vec![private["id"].as_str().unwrap()]);
}

async fn open_candidates_are_listed_for_the_callers_tenant(app: TestApp) {
    let (a, b) = (app.tenant("dup-a").await, app.tenant("dup-b").await);
    let (ea, eb) = (
        app.member(&a, Role::Editor).await,
        app.member(&b, Role::Editor).await,
    );
    let viewer = app.member(&b, Role::Viewer).await;
    let theirs = public(&app, &ea.token, "Rural Telemedicine Network", &["PE"]).await;
    let ours = register(&app, &eb.token, draft("Red de telemedicina rural", &["PE"])).await;
    let twin = register(&app, &eb.token, draft("Red de telemedicina rural", &["PE"])).await;
    register(
        &app,
        &eb.token,
        draft("Red de bibliotecas rurales", &["PE"]),
    )
    .await;
    let listed = app.get("/api/v1/duplicates", Some(&viewer.token)).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let mut pairs: Vec<(String, String)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (x, y) = (
                p["initiative_id"].as_str().unwrap().to_owned(),
                p["candidate"]["initiative_id"].as_str().unwrap().to_owned(),
            );
            if x < y { (x, y) } else { (y, x) }
        })
        .collect();
    pairs.sort();
    let key = |x: &Value, y: &Value| {
        let (x, y) = (
            x["id"].as_str().unwrap().to_owned(),
            y["id"].as_str().unwrap().to_owned(),
        );
        if x < y { (x, y) } else { (y, x) }
    };
    let mut expected = vec![key(&ours, &theirs), key(&twin, &theirs), key(&ours, &twin)];
    expected.sort();
    assert_eq!(pairs, expected, "each pair once: {:?}", listed.body);
    assert_eq!(listed.body["total"], 3);
    let paged = app
        .get("/api/v1/duplicates?per_page=2&page=2", Some(&viewer.token))
        .await;
    assert_eq!(paged.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/duplicates", None).await.status, 401);
}

/// Registers both sides of each judged pair in one tenant, `a` then `b`, and counts whether
/// `b`'s create answer names `a`; the pair is deleted before the next.
async fn the_judged_fixture_has_precision_and_recall_of_at_least_0_9(app: TestApp) {
    let fixture: Value = serde_json::from_str(include_str!("../fixtures/duplicates.json")).unwrap();
    let tenant = app.tenant("dup-a").await;
    let ea = app.member(&tenant, Role::Editor).await;
    let body = |side: &Value| {
        let mut body = draft(side["title"].as_str().unwrap(), &[]);
        for field in ["countries", "start_date", "end_date", "iati_identifier"] {
            if !side[field].is_null() {
                body[field] = side[field].clone();
            }
        }
        body
    };
    let (mut tp, mut fp, mut missed) = (0.0_f64, 0.0_f64, 0.0_f64);
    for pair in fixture["pairs"].as_array().unwrap() {
        // A fresh pair of records each time, so that earlier pairs cannot be suggested.
        let first = register(&app, &ea.token, body(&pair["a"])).await;
        let second = register(&app, &ea.token, body(&pair["b"])).await;
        let found = suggested(&second).contains(&first["id"].as_str().unwrap().to_owned());
        match (pair["same"].as_bool().unwrap(), found) {
            (true, true) => tp += 1.0,
            (false, true) => fp += 1.0,
            (true, false) => missed += 1.0,
            (false, false) => {}
        }
        for created in [&first, &second] {
            let id = created["id"].as_str().unwrap();
            let gone = app
                .delete(
                    &format!("/api/v1/initiatives/{id}"),
                    Some(&ea.token),
                    Some("*"),
                )
                .await;
            assert_eq!(gone.status, 204, "{:?}", gone.body);
        }
    }
    let precision = tp / (tp + fp);
    let recall = tp / (tp + missed);
    println!("duplicates fixture: precision {precision:.3}, recall {recall:.3}");
    assert!(precision >= 0.9, "precision {precision}");
    assert!(recall >= 0.9, "recall {recall}");
}

fn link_body(mine: &Value, other: &Value) -> Value {
    json!({"initiative_id": mine["id"], "other_initiative_id": other["id"]})
}

async fn across_tenants_both_sides_confirm_a_link_within_one_side_suffices(app: TestApp) {
    let (a, b) = (app.tenant("dup-a").await, app.tenant("dup-b").await);
    let (ea, eb) = (
        app.member(&a, Role::Editor).await,
        app.member(&b, Role::Editor).await,
    );
    let theirs = public(&app, &ea.token, "Macedonia Connects", &["MK"]).await;
    let ours = register(&app, &eb.token, draft("Macedonia Connects", &["MK"])).await;
    let proposed = app
        .post(
            "/api/v1/duplicates/links",
            Some(&eb.token),
            &link_body(&ours, &theirs),
        )
        .await;
    assert_eq!(proposed.status, 201, "{:?}", proposed.body);
    assert_eq!(proposed.body["status"], "proposed");
    let again = app
        .post(
            "/api/v1/duplicates/links",
            Some(&eb.token),
            &link_body(&ours, &theirs),
        )
        .await;
    assert_eq!(
        (again.status, again.body["status"].as_str()),
        (200, Some("proposed"))
    );
    // A cannot confirm from B's side: ours is B's private initiative.
    let refused = app
        .post(
            "/api/v1/duplicates/links",
            Some(&ea.token),
            &link_body(&ours, &theirs),
        )
        .await;
    assert_eq!(refused.status, 404, "{:?}", refused.body);
    let confirmed = app
        .post(
            "/api/v1/duplicates/links",
            Some(&ea.token),
            &link_body(&theirs, &ours),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    assert_eq!(confirmed.body["status"], "confirmed");
    assert_eq!(confirmed.body["id"], proposed.body["id"]);
    let link = format!(
        "/api/v1/duplicates/links/{}",
        proposed.body["id"].as_str().unwrap()
    );
    assert_eq!(
        app.get(&link, Some(&ea.token)).await.body["status"],
        "confirmed"
    );
    let twin = register(&app, &eb.token, draft("Macedonia Connects", &["MK"])).await;
    let within = app
        .post(
            "/api/v1/duplicates/links",
            Some(&eb.token),
            &link_body(&twin, &ours),
        )
        .await;
    assert_eq!(
        (within.status, within.body["status"].as_str()),
        (201, Some("confirmed"))
    );
    let itself = app
        .post(
            "/api/v1/duplicates/links",
            Some(&eb.token),
            &link_body(&twin, &twin),
        )
        .await;
    assert_eq!(itself.status, 422);
    assert_eq!(itself.error_fields(), vec!["other_initiative_id"]);
    let viewer = app.member(&b, Role::Viewer).await;
    let by_viewer = app
        .post(
            "/api/v1/duplicates/links",
            Some(&viewer.token),
            &link_body(&twin, &theirs),
        )
        .await;
    assert_eq!(by_viewer.status, 403);
    let feed = app.get("/api/v1/changes", Some(&eb.token)).await;
    assert!(
        feed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity_type"] == "duplicate_link" && e["href"] == json!(link)),
        "{:?}",
        feed.body
    );
}

async fn a_rejected_link_closes_the_candidate_and_outsiders_never_see_a_link(app: TestApp) {
    let (a, c) = (app.tenant("dup-a").await, app.tenant("dup-c").await);
    let ea = app.member(&a, Role::Editor).await;
    let outsider = app.member(&c, Role::Owner).await;
    let first = register(&app, &ea.token, draft("Girls Who Code Kenya", &["KE"])).await;
    let second = register(
        &app,
        &ea.token,
        draft("Girls Who Code Kenya (GWCK)", &["KE"]),
    )
    .await;
    assert_eq!(suggested(&second), vec![first["id"].as_str().unwrap()]);
    let linked = app
        .post(
            "/api/v1/duplicates/links",
            Some(&ea.token),
            &link_body(&second, &first),
        )
        .await;
    assert_eq!(linked.status, 201);
    let path = format!(
        "/api/v1/duplicates/links/{}",
        linked.body["id"].as_str().unwrap()
    );
    assert_eq!(app.get(&path, Some(&outsider.token)).await.status, 404);
    assert_eq!(
        app.delete(&path, Some(&outsider.token), Some("*"))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, Some(&ea.token), None).await.status, 428);
    assert_eq!(
        app.delete(&path, Some(&ea.token), Some("\"9\""))
            .await
            .status,
        412
    );
    let rejected = app
        .delete(&path, Some(&ea.token), Some(&linked.etag()))
        .await;
    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    let open = app.get("/api/v1/duplicates", Some(&ea.token)).await;
    assert_eq!(open.body["total"], 0, "{:?}", open.body);
}

async fn linked_records_count_once_in_the_showcase_and_collapse_in_the_list(app: TestApp) {
    let (a, b) = (app.tenant("dup-a").await, app.tenant("dup-b").await);
    let (ea, eb) = (
        app.member(&a, Role::Editor).await,
        app.member(&b, Role::Editor).await,
    );
    let older = public(&app, &ea.token, "Macedonia Connects", &["MK"]).await;
    let newer = public(&app, &eb.token, "Macedonia Connects", &["MK"]).await;
    let count = || async {
        let table = app.get("/api/v1/wsis/showcase?country=MK", None).await;
        assert_eq!(table.status, 200, "{:?}", table.body);
        table.body["countries"][0]["initiative_count"]
            .as_u64()
            .unwrap()
    };
    let app = &app;
    let listed = |query: &'static str| async move {
        let r = app
            .get(&format!("/api/v1/initiatives?country=MK{query}"), None)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(count().await, 2);
    app.post(
        "/api/v1/duplicates/links",
        Some(&eb.token),
        &link_body(&newer, &older),
    )
    .await;
    assert_eq!(count().await, 2, "a proposal alone changes nothing");
    assert_eq!(listed("&collapse=linked").await.len(), 2);
    let confirmed = app
        .post(
            "/api/v1/duplicates/links",
            Some(&ea.token),
            &link_body(&older, &newer),
        )
        .await;
    assert_eq!(confirmed.body["status"], "confirmed");
    assert_eq!(count().await, 1, "one partnership, counted once");
    assert_eq!(
        listed("").await.len(),
        2,
        "without collapse both records show"
    );
    assert_eq!(
        listed("&collapse=linked").await,
        vec![older["id"].as_str().unwrap().to_owned()],
        "the oldest record stands for the group"
    );
}

/// What coverage, the dashboard and the engagement-model analytics count of the MK
/// partnership, read anonymously (every public record) and by a member with `scope=all`.
async fn counts_of_mk(app: &TestApp, member: &str) -> Vec<u64> {
    let get = |path: String, token: Option<&str>| {
        let path = path.clone();
        let token = token.map(str::to_owned);
        async move {
            let r = app.get(&path, token.as_deref()).await;
            assert_eq!(r.status, 200, "{path}: {:?}", r.body);
            r.body
        }
    };
    let coverage = get("/api/v1/wsis/coverage".into(), None).await;
    let mk = coverage["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country"] == "MK")
        .unwrap_or_else(|| panic!("no MK row: {coverage:?}"))
        .clone();
    let mut out = vec![
        mk["total"].as_u64().unwrap(),
        mk["counts"]["C4"].as_u64().unwrap(),
    ];
    for (path, token) in [
        ("/api/v1/analytics/dashboard", None),
        ("/api/v1/analytics/dashboard?scope=all", Some(member)),
    ] {
        let d = get(path.into(), token).await;
        let stage = |name: &str| {
            d["by_stage"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["stage"] == name)
                .map(|s| s["count"].as_u64().unwrap())
                .unwrap_or(0)
        };
        let country = d["by_country"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["country"] == "MK")
            .map(|c| c["count"].as_u64().unwrap())
            .unwrap_or(0);
        let sector_initiatives: u64 = d["by_sector"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["initiatives"].as_u64().unwrap())
            .sum();
        out.extend([
            d["total"].as_u64().unwrap(),
            stage("implementing"),
            country,
            sector_initiatives,
        ]);
    }
    let models = get("/api/v1/analytics/engagement-models".into(), None).await;
    out.push(
        models["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["initiatives"].as_u64().unwrap())
            .sum(),
    );
    out
}

async fn linked_records_count_once_in_coverage_the_dashboard_and_analytics(app: TestApp) {
    let (a, b) = (app.tenant("dup-a").await, app.tenant("dup-b").await);
    let (ea, eb) = (
        app.member(&a, Role::Editor).await,
        app.member(&b, Role::Editor).await,
    );
    let older = public(&app, &ea.token, "Macedonia Connects", &["MK"]).await;
    let newer = public(&app, &eb.token, "Macedonia Connects", &["MK"]).await;
    let twice = vec![2; 11];
    let once = vec![1; 11];
    assert_eq!(counts_of_mk(&app, &ea.token).await, twice, "two records");
    let proposed = app
        .post(
            "/api/v1/duplicates/links",
            Some(&eb.token),
            &link_body(&newer, &older),
        )
        .await;
    assert_eq!(proposed.body["status"], "proposed", "{:?}", proposed.body);
    assert_eq!(
        counts_of_mk(&app, &ea.token).await,
        twice,
        "a proposal alone changes nothing"
    );
    let confirmed = app
        .post(
            "/api/v1/duplicates/links",
            Some(&ea.token),
            &link_body(&older, &newer),
        )
        .await;
    assert_eq!(confirmed.body["status"], "confirmed");
    assert_eq!(
        counts_of_mk(&app, &ea.token).await,
        once,
        "one partnership, counted once everywhere"
    );
    // Each tenant's own dashboard still counts its own record.
    for token in [&ea.token, &eb.token] {
        let own = app.get("/api/v1/analytics/dashboard", Some(token)).await;
        assert_eq!(own.body["total"], 1, "{:?}", own.body);
    }
    // A rejected link counts twice again.
    let link = confirmed.body["id"].as_str().unwrap();
    let current = app
        .get(&format!("/api/v1/duplicates/links/{link}"), Some(&ea.token))
        .await;
    let rejected = app
        .delete(
            &format!("/api/v1/duplicates/links/{link}"),
            Some(&ea.token),
            Some(&current.etag()),
        )
        .await;
    assert!(rejected.status < 300, "{:?}", rejected.body);
    assert_eq!(counts_of_mk(&app, &ea.token).await, twice, "rejected");
}

async fn an_import_answers_each_created_rows_possible_duplicates(app: TestApp) {
    let (a, b) = (app.tenant("dup-a").await, app.tenant("dup-b").await);
    let (ea, eb) = (
        app.member(&a, Role::Editor).await,
        app.member(&b, Role::Editor).await,
    );
    let theirs = public(&app, &ea.token, "Macedonia Connects", &["MK"]).await;
    register(&app, &ea.token, draft("Connected Schools Senegal", &["SN"])).await;
    let ours = register(&app, &eb.token, draft("Red de telemedicina rural", &["PE"])).await;
    let row = |title: &str, countries: &[&str]| json!({"title": title, "kind": "msp", "countries": countries});
    // The last row is the tenant's own record (by its id): updated, not created.
    let mut same = row("Red de telemedicina rural", &["PE"]);
    same["id"] = ours["id"].clone();
    same["summary"] = json!("Changed by the import");
    let body = json!([
        row("Macedonia Connects", &["MK"]),
        row("Connected Schools Senegal", &["SN"]),
        row("Red de telemedicina rural", &["PE", "BO"]),
        row("Skopje Open Data Portal", &["MK"]),
        same,
    ]);
    for query in ["?dry_run=true", ""] {
        let r = app
            .post(
                &format!("/api/v1/import/initiatives{query}"),
                Some(&eb.token),
                &body,
            )
            .await;
        assert_eq!(r.status, 200, "{query}: {:?}", r.body);
        let items = r.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 5, "{:?}", r.body);
        assert_eq!(
            suggested(&items[0]),
            vec![theirs["id"].as_str().unwrap()],
            "{query}: another tenant's public record"
        );
        assert_eq!(items[0]["possible_duplicates"][0]["tenant_id"], json!(a.id));
        assert!(
            suggested(&items[1]).is_empty(),
            "{query}: never another tenant's private record: {:?}",
            items[1]
        );
        assert_eq!(
            suggested(&items[2]),
            vec![ours["id"].as_str().unwrap()],
            "{query}: the tenant's own private record"
        );
        assert!(suggested(&items[3]).is_empty(), "{:?}", items[3]);
        assert_eq!(items[4]["action"], "updated", "{:?}", items[4]);
        assert!(suggested(&items[4]).is_empty(), "only created rows");
    }
}

async fn the_demo_shows_a_duplicate_pair_across_two_tenants(app: TestApp) {
    let demo = app.registry.seed_demo().await.unwrap();
    let token = Some(demo.access_token.as_str());
    let me = app.get("/api/v1/me", token).await;
    let listed = app.get("/api/v1/duplicates", token).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let pairs = listed.body["items"].as_array().unwrap();
    let mali: Vec<&Value> = pairs
        .iter()
        .filter(|p| p["title"] == "Mali CLIC: community learning and information centres")
        .collect();
    assert_eq!(mali.len(), 1, "{pairs:?}");
    let candidate = &mali[0]["candidate"];
    assert_eq!(
        candidate["title"],
        "CLIC Mali: community learning and information centres"
    );
    let own = me.body["tenant"]["id"].as_str().unwrap();
    assert_ne!(
        candidate["tenant_id"].as_str().unwrap(),
        own,
        "the other demo tenant's record"
    );
    let codes: Vec<&str> = candidate["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    for code in [
        "similar_title",
        "same_countries",
        "shared_partners",
        "overlapping_dates",
    ] {
        assert!(codes.contains(&code), "{code}: {codes:?}");
    }
    // The other registry's record is public: anyone reads it.
    let other = app
        .get(
            &format!(
                "/api/v1/initiatives/{}",
                candidate["initiative_id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(other.status, 200, "{:?}", other.body);
}

async fn graphql_lists_candidates_and_links_through_the_same_rules(app: TestApp) {
    use crate::graphql::graphql;
    let tenant = app.tenant("dup-a").await;
    let editor = app.member(&tenant, Role::Editor).await;
    let first = register(
        &app,
        &editor.token,
        draft("Mobile Money for Farmers", &["KE"]),
    )
    .await;
    let second = register(&app, &editor.token, draft("Farmers Mobile Money", &["KE"])).await;
    let found = graphql(
        &app,
        "query($id: UUID!) { possibleDuplicates(initiativeId: $id) { initiativeId score reasons { code } } \
         duplicates { total items { initiativeId candidate { initiativeId } } } }",
        json!({"id": second["id"]}),
        Some(&editor.token),
    )
    .await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!(
        found.body["data"]["possibleDuplicates"][0]["initiativeId"], first["id"],
        "{:?}",
        found.body
    );
    assert_eq!(found.body["data"]["duplicates"]["total"], 1);
    let linked = graphql(
        &app,
        "mutation($a: UUID!, $b: UUID!) { linkDuplicates(initiativeId: $a, otherInitiativeId: $b) { id status version } }",
        json!({"a": second["id"], "b": first["id"]}),
        Some(&editor.token),
    )
    .await;
    assert_eq!(
        linked.body["data"]["linkDuplicates"]["status"], "CONFIRMED",
        "{:?}",
        linked.body
    );
    let rejected = graphql(
        &app,
        "mutation($id: UUID!, $v: Int!) { rejectDuplicateLink(id: $id, expectedVersion: $v) { status } }",
        json!({"id": linked.body["data"]["linkDuplicates"]["id"], "v": linked.body["data"]["linkDuplicates"]["version"]}),
        Some(&editor.token),
    )
    .await;
    assert_eq!(
        rejected.body["data"]["rejectDuplicateLink"]["status"], "REJECTED",
        "{:?}",
        rejected.body
    );
}
