//! Partnership analytics: the stakeholder map (JSON and SVG), leverage and return on
//! investment (per initiative, per organisation, per engagement model) and the dashboard, each
//! scoped like the records it is computed from.

use chrono::{Months, Utc};
use msp_tests::{Resp, TestApp, both_databases, json};
use reqwest::Method;
use serde_json::Value;
use service::Role;

both_databases!(
    stakeholder_map_places_partners_in_quadrants,
    stakeholder_map_draws_an_svg,
    stakeholder_map_follows_tenancy,
    initiative_leverage_per_partner_and_currency,
    organization_leverage_across_readable_initiatives,
    engagement_models_per_tenant,
    dashboard_counts_the_tenant,
    dashboard_never_counts_another_tenants_private_initiatives,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn organization(app: &TestApp, token: &str, name: &str, sector: &str, vis: &str) -> String {
    let r = app
        .post(
            "/api/v1/organizations",
            Some(token),
            &json!({"name": name, "sector": sector, "country": "ML", "visibility": vis}),
        )
        .await;
    assert_eq!(r.status, 201, "create organization: {:?}", r.body);
    id(&r.body)
}

/// Adds an organisation as a partner; `extra` sets status, interest, influence...
async fn partner(app: &TestApp, token: &str, initiative: &str, org: &str, extra: Value) -> String {
    let mut body = json!({"organization_id": org, "roles": ["implementer"]});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            body.insert(k.clone(), v.clone());
        }
    }
    let r = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/partners"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(r.status, 201, "add partner: {:?}", r.body);
    id(&r.body)
}

async fn contribute(app: &TestApp, token: &str, initiative: &str, partner: &str, body: Value) {
    let mut body = body;
    body["partner_id"] = json!(partner);
    let r = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/contributions"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(r.status, 201, "contribute: {:?}", r.body);
}

fn cash(amount: &str, currency: &str, status: &str) -> Value {
    json!({"resource_kind": "cash", "amount": amount, "currency": currency, "status": status})
}

/// Changes an initiative (reading its current ETag first).
async fn change(app: &TestApp, token: &str, initiative: &str, patch: Value) -> Value {
    let path = format!("/api/v1/initiatives/{initiative}");
    let current = app.get(&path, Some(token)).await;
    let r = app
        .patch(&path, Some(token), Some(&current.etag()), &patch)
        .await;
    assert_eq!(r.status, 200, "change initiative: {:?}", r.body);
    r.body
}

async fn create(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post("/api/v1/initiatives", Some(token), &body).await;
    assert_eq!(r.status, 201, "create initiative: {:?}", r.body);
    id(&r.body)
}

/// An initiative with stakeholders in every quadrant, a former partner, unplaced ones, two
/// marks sharing a cell, and a name that needs escaping.
struct MapSetup {
    token: String,
    initiative: String,
    /// Placed stakeholders: (organisation name, quadrant).
    placed: Vec<(&'static str, &'static str)>,
    orange: String,
}

async fn map_setup(app: &TestApp, slug: &str) -> MapSetup {
    let tenant = app.tenant(slug).await;
    let editor = app.member(&tenant, Role::Editor).await;
    let token = editor.token.clone();
    let initiative = id(&app.initiative(&token, "Food security MSP").await);
    let add = |name: &'static str, sector: &'static str, extra: Value| {
        let (app, token, initiative) = (app, token.clone(), initiative.clone());
        async move {
            let org = organization(app, &token, name, sector, "private").await;
            partner(app, &token, &initiative, &org, extra).await;
            org
        }
    };
    add(
        "Ministry of Agriculture",
        "government",
        json!({"interest": 4, "influence": 5}),
    )
    .await;
    add(
        "Ministry of Health",
        "government",
        json!({"interest": 4, "influence": 5, "status": "prospect"}),
    )
    .await;
    add(
        "Boundary Bank",
        "business",
        json!({"interest": 3, "influence": 3}),
    )
    .await;
    let orange = add(
        "Orange & <Telecom>",
        "business",
        json!({"interest": 2, "influence": 4}),
    )
    .await;
    add(
        "Households' Association",
        "civil_society",
        json!({"interest": 5, "influence": 1, "status": "prospect"}),
    )
    .await;
    add(
        "Village council",
        "civil_society",
        json!({"interest": 1, "influence": 2}),
    )
    .await;
    add(
        "Old Donor",
        "donor",
        json!({"interest": 5, "influence": 5, "status": "former"}),
    )
    .await;
    add("Unrated University", "academia", json!({})).await;
    add("Half-rated App Company", "business", json!({"interest": 3})).await;
    MapSetup {
        token,
        initiative,
        placed: vec![
            ("Ministry of Agriculture", "manage_closely"),
            ("Ministry of Health", "manage_closely"),
            ("Boundary Bank", "manage_closely"),
            ("Orange & <Telecom>", "keep_satisfied"),
            ("Households' Association", "keep_informed"),
            ("Village council", "monitor"),
        ],
        orange,
    }
}

async fn stakeholder_map_places_partners_in_quadrants(app: TestApp) {
    let s = map_setup(&app, "map-json").await;
    let path = format!("/api/v1/initiatives/{}/stakeholder-map", s.initiative);
    let r = app.get(&path, Some(&s.token)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("application/json"),
        "JSON by default"
    );
    let map = &r.body;
    assert_eq!(map["thresholds"]["interest"], 3);
    assert_eq!(map["thresholds"]["influence"], 3);
    let placed = map["stakeholders"].as_array().unwrap();
    assert_eq!(placed.len(), s.placed.len(), "{placed:?}");
    for (name, quadrant) in &s.placed {
        let entry = placed
            .iter()
            .find(|p| p["organization"]["name"] == *name)
            .unwrap_or_else(|| panic!("{name} missing from {placed:?}"));
        assert_eq!(entry["quadrant"], *quadrant, "{name}");
    }
    assert!(
        !placed
            .iter()
            .any(|p| p["organization"]["name"] == "Old Donor"),
        "former partners are left out"
    );
    // Ordered: manage closely first, highest influence first within it.
    assert_eq!(placed[0]["quadrant"], "manage_closely");
    assert_eq!(placed[0]["influence"], 5);
    assert_eq!(placed.last().unwrap()["quadrant"], "monitor");
    let prospect = placed
        .iter()
        .find(|p| p["organization"]["name"] == "Households' Association")
        .unwrap();
    assert_eq!(prospect["status"], "prospect");
    assert_eq!(prospect["organization"]["sector"], "civil_society");

    let counts: Vec<(String, u64)> = map["quadrants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["quadrant"].as_str().unwrap().to_owned(),
                q["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("manage_closely".to_owned(), 3),
            ("keep_satisfied".to_owned(), 1),
            ("keep_informed".to_owned(), 1),
            ("monitor".to_owned(), 1),
        ]
    );

    let unplaced = map["unplaced"].as_array().unwrap();
    let reasons: Vec<(&str, &str)> = unplaced
        .iter()
        .map(|u| {
            (
                u["organization"]["name"].as_str().unwrap(),
                u["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("Half-rated App Company", "missing_influence"),
            ("Unrated University", "missing_interest_and_influence"),
        ]
    );
    assert!(
        unplaced[0]["detail"]
            .as_str()
            .unwrap()
            .contains("influence")
    );

    // Explicit JSON, and JSON preferred over SVG, stay JSON.
    for accept in [
        "application/json",
        "*/*",
        "image/svg+xml;q=0.5, application/json",
    ] {
        let r = app
            .send(
                Method::GET,
                &path,
                Some(&s.token),
                &[("Accept", accept)],
                None,
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body.is_object(), "{accept}: JSON");
    }
}

fn text_of(node: roxmltree::Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

async fn stakeholder_map_draws_an_svg(app: TestApp) {
    let s = map_setup(&app, "map-svg").await;
    let path = format!("/api/v1/initiatives/{}/stakeholder-map", s.initiative);
    let negotiated = app
        .send(
            Method::GET,
            &path,
            Some(&s.token),
            &[("Accept", "image/svg+xml")],
            None,
        )
        .await;
    assert_eq!(negotiated.status, 200);
    assert_eq!(
        negotiated.header("content-type").as_deref(),
        Some("image/svg+xml")
    );
    assert!(negotiated.header("etag").is_some());
    assert_eq!(
        negotiated.header("cache-control").as_deref(),
        Some("private, no-cache"),
        "a private initiative's map is not for shared caches"
    );
    assert!(
        negotiated
            .header("vary")
            .unwrap_or_default()
            .split(',')
            .any(|v| v.trim() == "Accept"),
        "the representation varies with Accept"
    );
    let svg = negotiated.body.as_str().unwrap().to_owned();

    // The .svg path gives the same picture whatever the Accept header says.
    let direct = app
        .send(
            Method::GET,
            &format!("{path}.svg"),
            Some(&s.token),
            &[("Accept", "application/json")],
            None,
        )
        .await;
    assert_eq!(direct.status, 200);
    assert_eq!(
        direct.header("content-type").as_deref(),
        Some("image/svg+xml")
    );
    assert_eq!(direct.body.as_str(), Some(svg.as_str()), "deterministic");
    let tag = direct.etag();
    assert!(!tag.is_empty());
    let json = app.get(&path, Some(&s.token)).await;
    assert_ne!(json.etag(), tag, "each representation has its own ETag");

    // Well-formed XML: one circle.stakeholder per placed stakeholder, each with a tooltip.
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let circles: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("class") == Some("stakeholder"))
        .collect();
    assert_eq!(circles.len(), s.placed.len());
    for circle in &circles {
        let title = circle
            .children()
            .find(|n| n.has_tag_name("title"))
            .expect("a tooltip on every mark");
        assert!(text_of(title).contains("interest"), "{}", text_of(title));
    }
    // Each mark sits in the quadrant the JSON gives, and is labelled with its name.
    let labels: Vec<String> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("stakeholder-label"))
        .map(text_of)
        .collect();
    for (name, quadrant) in &s.placed {
        let mark = doc
            .descendants()
            .find(|n| {
                n.attribute("class") == Some("mark")
                    && n.children()
                        .filter(|c| c.has_tag_name("circle"))
                        .any(|c| text_of(c).starts_with(name))
            })
            .unwrap_or_else(|| panic!("no mark for {name}"));
        assert_eq!(mark.attribute("data-quadrant"), Some(*quadrant), "{name}");
        assert!(labels.iter().any(|l| l == name), "{name} not in {labels:?}");
    }
    // Names are escaped: the raw document never holds the bare characters.
    assert!(svg.contains("Orange &amp; &lt;Telecom&gt;"), "escaped");
    assert!(!svg.contains("Orange & <Telecom>"));
    assert!(svg.contains("Households&apos; Association"));

    // Axes, quadrants and the legend.
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(text_of)
        .collect();
    for expected in ["Interest", "Influence"] {
        assert!(texts.iter().any(|t| t == expected), "axis {expected}");
    }
    for label in [
        "Manage closely",
        "Keep satisfied",
        "Keep informed",
        "Monitor",
    ] {
        assert!(
            texts.iter().any(|t| t.starts_with(label)),
            "quadrant {label}: {texts:?}"
        );
    }
    for sector in ["Government", "Business", "Civil society"] {
        assert!(texts.iter().any(|t| t == sector), "legend {sector}");
    }
    assert!(
        !texts.iter().any(|t| t == "Academia"),
        "the legend lists the sectors drawn"
    );

    // Two stakeholders in the same cell are spread apart, their labels on separate lines.
    let positions: Vec<(f64, f64)> = circles
        .iter()
        .filter(|c| text_of(**c).contains("Ministry of"))
        .map(|c| {
            (
                c.attribute("cx").unwrap().parse().unwrap(),
                c.attribute("cy").unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(positions.len(), 2);
    assert!(
        (positions[0].1 - positions[1].1).abs() >= 12.0,
        "marks sharing a cell do not overlap: {positions:?}"
    );

    // Cached: 304 on the same ETag; a change to a partner or its organisation changes it.
    let cached = app
        .send(
            Method::GET,
            &format!("{path}.svg"),
            Some(&s.token),
            &[("If-None-Match", tag.as_str())],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);
    let org_path = format!("/api/v1/organizations/{}", s.orange);
    let org = app.get(&org_path, Some(&s.token)).await;
    let renamed = app
        .patch(
            &org_path,
            Some(&s.token),
            Some(&org.etag()),
            &json!({"name": "Orange Mali"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    let after = app
        .send(
            Method::GET,
            &format!("{path}.svg"),
            Some(&s.token),
            &[("If-None-Match", tag.as_str())],
            None,
        )
        .await;
    assert_eq!(after.status, 200, "a renamed organisation redraws the map");
    assert!(after.body.as_str().unwrap().contains("Orange Mali"));
}

async fn stakeholder_map_follows_tenancy(app: TestApp) {
    let s = map_setup(&app, "map-owner").await;
    let other = app.tenant("map-stranger").await;
    let stranger = app.member(&other, Role::Owner).await;
    let path = format!("/api/v1/initiatives/{}/stakeholder-map", s.initiative);
    for token in [Some(stranger.token.as_str()), None] {
        for (p, accept) in [
            (path.clone(), "application/json"),
            (path.clone(), "image/svg+xml"),
            (format!("{path}.svg"), "image/svg+xml"),
        ] {
            let r = app
                .send(Method::GET, &p, token, &[("Accept", accept)], None)
                .await;
            assert_eq!(r.status, 404, "{p} {accept}");
            assert_eq!(r.code(), "not_found");
            assert_eq!(
                r.header("content-type").as_deref(),
                Some("application/problem+json")
            );
        }
    }
    let missing = app
        .get(
            &format!("/api/v1/initiatives/{}/stakeholder-map", uuid::Uuid::nil()),
            Some(&s.token),
        )
        .await;
    assert_eq!(missing.status, 404);

    // A public initiative's map is for everyone, and may be cached publicly.
    change(
        &app,
        &s.token,
        &s.initiative,
        json!({"visibility": "public"}),
    )
    .await;
    let public = app
        .send(Method::GET, &format!("{path}.svg"), None, &[], None)
        .await;
    assert_eq!(public.status, 200);
    assert_eq!(
        public.header("cache-control").as_deref(),
        Some("public, max-age=60")
    );
    let json = app.get(&path, Some(&stranger.token)).await;
    assert_eq!(json.status, 200);
    assert_eq!(json.body["stakeholders"].as_array().unwrap().len(), 6);
}

fn currency<'a>(body: &'a Value, code: &str) -> &'a Value {
    body["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["currency"] == code)
        .unwrap_or_else(|| panic!("no {code} in {body}"))
}

fn partner_in<'a>(currency: &'a Value, partner: &str) -> &'a Value {
    currency["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner_id"] == partner)
        .unwrap_or_else(|| panic!("no partner {partner} in {currency}"))
}

fn split(v: &Value) -> (String, String, String) {
    (
        v["pledged"].as_str().unwrap().to_owned(),
        v["delivered"].as_str().unwrap().to_owned(),
        v["total"].as_str().unwrap().to_owned(),
    )
}

fn ratios(v: &Value) -> (Option<&str>, Option<&str>, Option<&str>) {
    (
        v["pledged"].as_str(),
        v["delivered"].as_str(),
        v["total"].as_str(),
    )
}

fn s3(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.to_owned(), b.to_owned(), c.to_owned())
}

async fn initiative_leverage_per_partner_and_currency(app: TestApp) {
    let tenant = app.tenant("lev-init").await;
    let editor = app.member(&tenant, Role::Editor).await;
    let tok = editor.token.as_str();
    let initiative = id(&app.initiative(tok, "Programa para o Futuro").await);
    let ministry = organization(&app, tok, "Ministry of Education", "government", "private").await;
    let firm = organization(&app, tok, "Local IT firm", "business", "private").await;
    let ngo = organization(&app, tok, "Community NGO", "civil_society", "private").await;
    let p1 = partner(&app, tok, &initiative, &ministry, json!({})).await;
    let p2 = partner(&app, tok, &initiative, &firm, json!({})).await;
    let p3 = partner(&app, tok, &initiative, &ngo, json!({})).await;

    contribute(
        &app,
        tok,
        &initiative,
        &p1,
        cash("100.00", "USD", "pledged"),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &p2,
        cash("200.00", "USD", "pledged"),
    )
    .await;
    contribute(&app, tok, &initiative, &p2, cash("100", "USD", "delivered")).await;
    contribute(&app, tok, &initiative, &p1, cash("150", "EUR", "pledged")).await;
    contribute(
        &app,
        tok,
        &initiative,
        &p3,
        cash("50.00", "EUR", "delivered"),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &p2,
        json!({"resource_kind": "hardware", "description": "Twenty computers"}),
    )
    .await;
    contribute(
        &app,
        tok,
        &initiative,
        &p3,
        json!({"resource_kind": "venue", "status": "delivered"}),
    )
    .await;

    let r = app
        .get(
            &format!("/api/v1/initiatives/{initiative}/leverage"),
            Some(tok),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let body = &r.body;
    let codes: Vec<&str> = body["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["currency"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["EUR", "USD"], "currencies are kept apart, by code");

    let usd = currency(body, "USD");
    assert_eq!(split(&usd["mobilised"]), s3("300.00", "100.00", "400.00"));
    let order: Vec<&str> = usd["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["partner_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [p2.as_str(), p1.as_str()], "largest own total first");
    // Own 100.00 against 300.00 by the others: leverage 3.00.
    let ministry_usd = partner_in(usd, &p1);
    assert_eq!(
        ministry_usd["organization"]["name"],
        "Ministry of Education"
    );
    assert_eq!(split(&ministry_usd["own"]), s3("100.00", "0.00", "100.00"));
    assert_eq!(
        split(&ministry_usd["others"]),
        s3("200.00", "100.00", "300.00")
    );
    assert_eq!(
        ratios(&ministry_usd["leverage"]),
        (Some("2.00"), None, Some("3.00")),
        "null where the own contribution is zero"
    );
    let firm_usd = partner_in(usd, &p2);
    assert_eq!(split(&firm_usd["own"]), s3("200.00", "100.00", "300.00"));
    assert_eq!(
        ratios(&firm_usd["leverage"]),
        (Some("0.50"), Some("0.00"), Some("0.33"))
    );

    let eur = currency(body, "EUR");
    assert_eq!(split(&eur["mobilised"]), s3("150.00", "50.00", "200.00"));
    assert_eq!(eur["partners"].as_array().unwrap().len(), 2);
    assert_eq!(
        ratios(&partner_in(eur, &p3)["leverage"]),
        (None, Some("0.00"), Some("3.00"))
    );
    assert_eq!(
        ratios(&partner_in(eur, &p1)["leverage"]),
        (Some("0.00"), None, Some("0.33")),
        "all of the pledges are its own"
    );

    let in_kind = body["in_kind"].as_array().unwrap();
    let counts: Vec<(&str, u64, u64, u64)> = in_kind
        .iter()
        .map(|k| {
            (
                k["organization"]["name"].as_str().unwrap(),
                k["count"].as_u64().unwrap(),
                k["pledged"].as_u64().unwrap(),
                k["delivered"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("Community NGO", 1, 0, 1), ("Local IT firm", 1, 1, 0)]
    );

    // Another tenant's private initiative is not there.
    let other = app.tenant("lev-init-stranger").await;
    let stranger = app.member(&other, Role::Owner).await;
    for token in [Some(stranger.token.as_str()), None] {
        let r = app
            .get(&format!("/api/v1/initiatives/{initiative}/leverage"), token)
            .await;
        assert_eq!(r.status, 404);
        assert_eq!(r.code(), "not_found");
    }
    // An initiative without contributions has nothing to show, and says so plainly.
    let empty = id(&app.initiative(tok, "Empty").await);
    let r = app
        .get(&format!("/api/v1/initiatives/{empty}/leverage"), Some(tok))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["currencies"], json!([]));
    assert_eq!(r.body["in_kind"], json!([]));
}

async fn organization_leverage_across_readable_initiatives(app: TestApp) {
    let a = app.tenant("lev-org-a").await;
    let editor_a = app.member(&a, Role::Editor).await;
    let tok_a = editor_a.token.as_str();
    let b = app.tenant("lev-org-b").await;
    let editor_b = app.member(&b, Role::Editor).await;
    let tok_b = editor_b.token.as_str();

    // A public telecom operator, partner of two of A's initiatives and of a private one of B.
    let operator = organization(&app, tok_a, "National Telecom", "business", "public").await;
    let funder = organization(&app, tok_a, "Donor Agency", "donor", "private").await;
    let i1 = id(&app.initiative(tok_a, "Macedonia Connects").await);
    let i2 = id(&app.initiative(tok_a, "Rural telecentres").await);
    let op1 = partner(&app, tok_a, &i1, &operator, json!({})).await;
    let f1 = partner(&app, tok_a, &i1, &funder, json!({})).await;
    let op2 = partner(&app, tok_a, &i2, &operator, json!({})).await;
    let f2 = partner(&app, tok_a, &i2, &funder, json!({})).await;
    contribute(&app, tok_a, &i1, &op1, cash("100.00", "USD", "pledged")).await;
    contribute(&app, tok_a, &i1, &f1, cash("300.00", "USD", "pledged")).await;
    contribute(&app, tok_a, &i2, &op2, cash("50.00", "USD", "delivered")).await;
    contribute(&app, tok_a, &i2, &f2, cash("50.00", "USD", "delivered")).await;
    contribute(&app, tok_a, &i2, &f2, cash("20000", "XOF", "pledged")).await;
    contribute(
        &app,
        tok_a,
        &i2,
        &op2,
        json!({"resource_kind": "connectivity"}),
    )
    .await;
    let i3 = id(&app.initiative(tok_b, "B's private pilot").await);
    let op3 = partner(&app, tok_b, &i3, &operator, json!({})).await;
    contribute(&app, tok_b, &i3, &op3, cash("1000.00", "USD", "pledged")).await;

    let path = format!("/api/v1/organizations/{operator}/leverage");
    let r = app.get(&path, Some(tok_a)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let body = &r.body;
    assert_eq!(body["organization"]["name"], "National Telecom");
    assert_eq!(
        body["initiative_count"], 2,
        "B's private initiative is not readable"
    );
    assert_eq!(body["unvalued_in_kind"], 1);
    let usd = currency(body, "USD");
    assert_eq!(split(&usd["own"]), s3("100.00", "50.00", "150.00"));
    assert_eq!(split(&usd["mobilised"]), s3("400.00", "100.00", "500.00"));
    assert_eq!(split(&usd["others"]), s3("300.00", "50.00", "350.00"));
    assert_eq!(
        ratios(&usd["leverage"]),
        (Some("3.00"), Some("1.00"), Some("2.33"))
    );
    let xof = currency(body, "XOF");
    assert_eq!(
        split(&xof["own"]),
        s3("0", "0", "0"),
        "XOF has no minor unit"
    );
    assert_eq!(split(&xof["mobilised"]), s3("20000", "0", "20000"));
    assert_eq!(ratios(&xof["leverage"]), (None, None, None));

    let per: Vec<&Value> = body["initiatives"].as_array().unwrap().iter().collect();
    assert_eq!(per.len(), 2);
    assert_eq!(per[0]["initiative_title"], "Macedonia Connects", "by title");
    let first = currency(per[0], "USD");
    assert_eq!(split(&first["own"]), s3("100.00", "0.00", "100.00"));
    assert_eq!(ratios(&first["leverage"]).2, Some("3.00"));
    assert_eq!(per[1]["unvalued_in_kind"], 1);

    // B sees the same organisation through its own initiative only.
    let r = app.get(&path, Some(tok_b)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["initiative_count"], 1);
    assert_eq!(
        split(&currency(&r.body, "USD")["own"]),
        s3("1000.00", "0.00", "1000.00")
    );
    // Anonymous callers see public initiatives only: none yet, then the published one.
    let r = app.get(&path, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["initiative_count"], 0);
    assert_eq!(r.body["currencies"], json!([]));
    change(&app, tok_a, &i1, json!({"visibility": "public"})).await;
    let r = app.get(&path, None).await;
    assert_eq!(r.body["initiative_count"], 1);
    assert_eq!(
        split(&currency(&r.body, "USD")["mobilised"]),
        s3("400.00", "0.00", "400.00")
    );
    // B now sees A's public initiative as well as its own.
    assert_eq!(
        app.get(&path, Some(tok_b)).await.body["initiative_count"],
        2
    );

    // A private organisation is not there for another tenant nor for anonymous callers.
    let private = format!("/api/v1/organizations/{funder}/leverage");
    for token in [Some(tok_b), None] {
        let r = app.get(&private, token).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.code(), "not_found");
    }
    assert_eq!(app.get(&private, Some(tok_a)).await.status, 200);
}

fn model<'a>(body: &'a Value, name: Option<&str>) -> &'a Value {
    let key = name.map(Value::from).unwrap_or(Value::Null);
    body["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["engagement_model"] == key)
        .unwrap_or_else(|| panic!("no model {key} in {body}"))
}

fn totals(model: &Value) -> Vec<(String, String, String, String)> {
    model["mobilised"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["currency"].as_str().unwrap().to_owned(),
                c["pledged"].as_str().unwrap().to_owned(),
                c["delivered"].as_str().unwrap().to_owned(),
                c["total"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn t4(c: &str, p: &str, d: &str, t: &str) -> (String, String, String, String) {
    (c.to_owned(), p.to_owned(), d.to_owned(), t.to_owned())
}

async fn engagement_models_per_tenant(app: TestApp) {
    let a = app.tenant("models-a").await;
    let editor = app.member(&a, Role::Editor).await;
    let tok = editor.token.as_str();
    let org = organization(&app, tok, "Provider", "business", "private").await;
    let org2 = organization(&app, tok, "Ministry", "government", "private").await;

    let i1 = id(&app.initiative(tok, "School connectivity").await);
    change(&app, tok, &i1, json!({"engagement_model": "market_making"})).await;
    let p1 = partner(&app, tok, &i1, &org, json!({})).await;
    let p1b = partner(&app, tok, &i1, &org2, json!({})).await;
    contribute(&app, tok, &i1, &p1, cash("100.00", "USD", "pledged")).await;
    contribute(&app, tok, &i1, &p1b, cash("100.00", "USD", "pledged")).await;
    contribute(&app, tok, &i1, &p1b, cash("0.10", "USD", "delivered")).await;
    contribute(&app, tok, &i1, &p1, cash("75.50", "EUR", "delivered")).await;

    let i2 = id(&app.initiative(tok, "Computer clubhouses").await);
    change(&app, tok, &i2, json!({"engagement_model": "market_making"})).await;
    let p2 = partner(&app, tok, &i2, &org, json!({})).await;
    contribute(&app, tok, &i2, &p2, cash("100.00", "USD", "pledged")).await;
    contribute(&app, tok, &i2, &p2, cash("0.20", "USD", "delivered")).await;

    let i3 = id(&app.initiative(tok, "Software donations").await);
    change(
        &app,
        tok,
        &i3,
        json!({"engagement_model": "corporate_philanthropy"}),
    )
    .await;
    let p3 = partner(&app, tok, &i3, &org, json!({})).await;
    contribute(&app, tok, &i3, &p3, json!({"resource_kind": "software"})).await;

    app.initiative(tok, "No model yet").await;

    // Another tenant's private initiative never counts for A.
    let b = app.tenant("models-b").await;
    let editor_b = app.member(&b, Role::Editor).await;
    let tok_b = editor_b.token.as_str();
    let ib = id(&app.initiative(tok_b, "B's market making").await);
    change(
        &app,
        tok_b,
        &ib,
        json!({"engagement_model": "market_making"}),
    )
    .await;
    let org_b = organization(&app, tok_b, "B provider", "business", "private").await;
    let pb = partner(&app, tok_b, &ib, &org_b, json!({})).await;
    contribute(&app, tok_b, &ib, &pb, cash("999999.99", "USD", "delivered")).await;

    let r = app
        .get("/api/v1/analytics/engagement-models", Some(tok))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let order: Vec<Value> = r.body["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["engagement_model"].clone())
        .collect();
    assert_eq!(
        order,
        [
            json!("corporate_philanthropy"),
            json!("value_added"),
            json!("partnership"),
            json!("market_making"),
            Value::Null
        ]
    );
    let market = model(&r.body, Some("market_making"));
    assert_eq!(market["initiatives"], 2);
    assert_eq!(
        totals(market),
        [
            t4("EUR", "0.00", "75.50", "75.50"),
            t4("USD", "300.00", "0.30", "300.30"),
        ],
        "exact sums; repeated amounts counted each time"
    );
    let philanthropy = model(&r.body, Some("corporate_philanthropy"));
    assert_eq!(philanthropy["initiatives"], 1);
    assert_eq!(totals(philanthropy), [], "unvalued in kind only");
    assert_eq!(model(&r.body, Some("value_added"))["initiatives"], 0);
    assert_eq!(model(&r.body, None)["initiatives"], 1);

    // Anonymous callers: public initiatives only (none yet); then A publishes one.
    let anonymous = app.get("/api/v1/analytics/engagement-models", None).await;
    assert_eq!(anonymous.status, 200);
    assert_eq!(
        model(&anonymous.body, Some("market_making"))["initiatives"],
        0
    );
    change(&app, tok, &i2, json!({"visibility": "public"})).await;
    let anonymous = app.get("/api/v1/analytics/engagement-models", None).await;
    let market = model(&anonymous.body, Some("market_making"));
    assert_eq!(market["initiatives"], 1);
    assert_eq!(totals(market), [t4("USD", "100.00", "0.20", "100.20")]);
    // B's own view holds its private initiative only, and `scope=all` adds A's public one.
    let mine = app
        .get("/api/v1/analytics/engagement-models", Some(tok_b))
        .await;
    assert_eq!(
        totals(model(&mine.body, Some("market_making"))),
        [t4("USD", "0.00", "999999.99", "999999.99")]
    );
    let all = app
        .get("/api/v1/analytics/engagement-models?scope=all", Some(tok_b))
        .await;
    assert_eq!(model(&all.body, Some("market_making"))["initiatives"], 2);

    let bad = app
        .get(
            "/api/v1/analytics/engagement-models?scope=everything",
            Some(tok),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.code(), "bad_request");
}

fn counts(body: &Value, list: &str, key: &str) -> Vec<(Value, u64)> {
    body[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {body}"))
        .iter()
        .map(|e| (e[key].clone(), e["count"].as_u64().unwrap()))
        .collect()
}

fn count_of(body: &Value, list: &str, key: &str, value: Value) -> u64 {
    counts(body, list, key)
        .into_iter()
        .find(|(k, _)| *k == value)
        .map(|(_, n)| n)
        .unwrap_or_else(|| panic!("{value} missing from {list}"))
}

async fn dashboard_counts_the_tenant(app: TestApp) {
    let a = app.tenant("dash-a").await;
    let editor = app.member(&a, Role::Editor).await;
    let viewer = app.member(&a, Role::Viewer).await;
    let tok = editor.token.as_str();
    let gov = organization(&app, tok, "Ministry of ICT", "government", "private").await;
    let biz = organization(&app, tok, "Telecom operator", "business", "private").await;
    let ngo = organization(&app, tok, "Schools network", "civil_society", "private").await;

    let clic = create(
        &app,
        tok,
        json!({
            "title": "Mali CLIC", "kind": "msp", "countries": ["ML"],
            "action_lines": ["C4", "C7.e-learning"], "stage": "implementing",
            "spectrum": "leverage_exchange", "engagement_model": "corporate_philanthropy",
            "outcome": "successful",
        }),
    )
    .await;
    partner(&app, tok, &clic, &gov, json!({})).await;
    partner(&app, tok, &clic, &biz, json!({})).await;
    let connects = create(
        &app,
        tok,
        json!({
            "title": "Macedonia Connects", "kind": "ppp", "countries": ["MK"],
            "action_lines": ["C2"], "stage": "sustaining",
            "spectrum": "system_transformation", "engagement_model": "market_making",
        }),
    )
    .await;
    partner(&app, tok, &connects, &biz, json!({})).await;
    partner(&app, tok, &connects, &ngo, json!({"status": "prospect"})).await;
    let phones = create(
        &app,
        tok,
        json!({
            "title": "Village phones", "kind": "msp", "countries": ["UG", "ML"],
            "action_lines": ["C4"], "stage": "agree_vision",
        }),
    )
    .await;
    partner(&app, tok, &phones, &ngo, json!({"status": "former"})).await;

    // Reporting: Mali CLIC reported last month (on track), Macedonia Connects in 2020
    // (overdue); Village phones never, registered 13 months ago (due).
    let last_month = Utc::now()
        .date_naive()
        .checked_sub_months(Months::new(1))
        .unwrap();
    let report = |start: &str, end: String| json!({"period_start": start, "period_end": end, "narrative": "Progress"});
    for (initiative, body) in [
        (&clic, report("2020-01-01", last_month.to_string())),
        (&connects, report("2020-01-01", "2020-12-31".to_owned())),
    ] {
        let r = app
            .post(
                &format!("/api/v1/initiatives/{initiative}/reports"),
                Some(tok),
                &body,
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    app.registered_months_ago(&phones, 13).await;

    let r = app
        .get("/api/v1/analytics/dashboard", Some(&viewer.token))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let d = &r.body;
    assert_eq!(d["total"], 3);

    let stages = counts(d, "by_stage", "stage");
    assert_eq!(stages.len(), 12, "every stage, zeros included");
    assert_eq!(stages[0], (json!("understand_context"), 0));
    assert_eq!(count_of(d, "by_stage", "stage", json!("implementing")), 1);
    assert_eq!(count_of(d, "by_stage", "stage", json!("sustaining")), 1);
    assert_eq!(count_of(d, "by_stage", "stage", json!("agree_vision")), 1);
    assert_eq!(
        counts(d, "by_kind", "kind"),
        [(json!("ppp"), 1), (json!("msp"), 2)]
    );

    let sectors: Vec<(Value, u64, u64)> = d["by_sector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["sector"].clone(),
                s["partners"].as_u64().unwrap(),
                s["initiatives"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(sectors.len(), 7);
    assert_eq!(sectors[0], (json!("government"), 1, 1));
    assert_eq!(sectors[1], (json!("business"), 2, 2));
    assert_eq!(
        sectors[2],
        (json!("civil_society"), 0, 0),
        "prospects and former partners are not in the sector mix"
    );

    assert_eq!(
        counts(d, "by_spectrum", "spectrum"),
        [
            (json!("leverage_exchange"), 1),
            (json!("combine_integrate"), 0),
            (json!("system_transformation"), 1),
            (Value::Null, 1),
        ]
    );
    assert_eq!(
        count_of(
            d,
            "by_engagement_model",
            "engagement_model",
            json!("market_making")
        ),
        1
    );
    assert_eq!(
        count_of(d, "by_engagement_model", "engagement_model", Value::Null),
        1
    );
    assert_eq!(
        counts(d, "by_country", "country"),
        [(json!("ML"), 2), (json!("MK"), 1), (json!("UG"), 1)],
        "most frequent first"
    );
    assert_eq!(d["by_country"][0]["name"], "Mali");
    assert_eq!(
        counts(d, "by_action_line", "action_line"),
        [
            (json!("C2"), 1),
            (json!("C4"), 2),
            (json!("C7.e-learning"), 1)
        ],
        "in Plan of Action order"
    );
    assert!(!d["by_action_line"][1]["label"].as_str().unwrap().is_empty());
    assert_eq!(count_of(d, "by_outcome", "outcome", json!("successful")), 1);
    assert_eq!(
        count_of(d, "by_outcome", "outcome", json!("not_yet_known")),
        2
    );
    assert_eq!(
        counts(d, "by_reporting_status", "reporting_status"),
        [
            (json!("on_track"), 1),
            (json!("due"), 1),
            (json!("overdue"), 1),
            (json!("inactive"), 0),
        ]
    );
    // The dashboard agrees with each initiative's own reporting status.
    for (initiative, status) in [
        (&clic, "on_track"),
        (&connects, "overdue"),
        (&phones, "due"),
    ] {
        let one = app
            .get(&format!("/api/v1/initiatives/{initiative}"), Some(tok))
            .await;
        assert_eq!(one.body["reporting_status"], status);
    }

    let months: Vec<(Value, u64)> = counts(d, "registrations_by_month", "month");
    assert_eq!(months.len(), 24);
    let this_month = Utc::now().format("%Y-%m").to_string();
    let back = Utc::now()
        .date_naive()
        .checked_sub_months(Months::new(13))
        .unwrap()
        .format("%Y-%m")
        .to_string();
    assert_eq!(months[23], (json!(this_month), 2));
    assert_eq!(months[10], (json!(back), 1));
    assert_eq!(months.iter().map(|(_, n)| n).sum::<u64>(), 3);

    let bad = app
        .get("/api/v1/analytics/dashboard?tenant=other", Some(tok))
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.code(), "bad_request");
}

async fn dashboard_never_counts_another_tenants_private_initiatives(app: TestApp) {
    let a = app.tenant("dash-iso-a").await;
    let editor_a = app.member(&a, Role::Editor).await;
    let b = app.tenant("dash-iso-b").await;
    let editor_b = app.member(&b, Role::Editor).await;
    let tok_a = editor_a.token.as_str();
    let tok_b = editor_b.token.as_str();

    app.initiative(tok_a, "A private").await;
    for title in ["B private one", "B private two"] {
        let i = create(
            &app,
            tok_b,
            json!({"title": title, "kind": "ppp", "countries": ["FR"], "action_lines": ["C9"], "stage": "closed"}),
        )
        .await;
        let org = organization(&app, tok_b, &format!("Org of {title}"), "donor", "private").await;
        partner(&app, tok_b, &i, &org, json!({})).await;
    }
    app.public_initiative(tok_b, "B public").await;

    let dashboard = |token: Option<&str>, query: &str| {
        let app = app.clone();
        let token = token.map(str::to_owned);
        let query = query.to_owned();
        async move {
            let r: Resp = app
                .get(
                    &format!("/api/v1/analytics/dashboard{query}"),
                    token.as_deref(),
                )
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    let mine = dashboard(Some(tok_a), "").await;
    assert_eq!(mine["total"], 1);
    assert_eq!(counts(&mine, "by_country", "country"), [(json!("ML"), 1)]);
    assert_eq!(count_of(&mine, "by_stage", "stage", json!("closed")), 0);
    assert_eq!(count_of(&mine, "by_kind", "kind", json!("ppp")), 0);
    let donors = &mine["by_sector"][5];
    assert_eq!(donors["sector"], "donor");
    assert_eq!(donors["partners"], 0);

    // `scope=all` adds every public initiative, never another tenant's private ones.
    let all = dashboard(Some(tok_a), "?scope=all").await;
    assert_eq!(all["total"], 2);
    assert_eq!(count_of(&all, "by_stage", "stage", json!("closed")), 0);
    assert!(
        !counts(&all, "by_country", "country")
            .iter()
            .any(|(c, _)| c == "FR")
    );
    let public = dashboard(Some(tok_a), "?scope=public").await;
    assert_eq!(public["total"], 1);

    // Anonymous callers: the public picture across tenants.
    let anonymous = dashboard(None, "").await;
    assert_eq!(anonymous["total"], 1);
    assert_eq!(
        counts(&anonymous, "by_country", "country"),
        [(json!("ML"), 1)]
    );
    assert_eq!(
        count_of(&anonymous, "by_stage", "stage", json!("implementing")),
        1
    );
    let anonymous_all = dashboard(None, "?scope=tenant").await;
    assert_eq!(
        anonymous_all["total"], 1,
        "anonymous callers always get public"
    );

    // B's own dashboard holds its three.
    let theirs = dashboard(Some(tok_b), "").await;
    assert_eq!(theirs["total"], 3);
    assert_eq!(count_of(&theirs, "by_stage", "stage", json!("closed")), 2);
    assert_eq!(theirs["by_sector"][5]["partners"], 2);
}
