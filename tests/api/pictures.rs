//! Pictures portals can embed: the journey timeline, the contributions chart and the health
//! chart of an initiative, and the WSIS showcase map. Each is parsed as XML and read for its elements,
//! labels and counts, against what the JSON reads of the same records say.

use msp_tests::{Resp, TestApp, both_databases, json};
use roxmltree::{Document, Node};
use serde_json::Value;
use service::Role;

use crate::graphql::graphql;

both_databases!(
    the_journey_marks_each_dated_stage_change,
    text_is_escaped_and_the_picture_accessible,
    labels_follow_the_readers_language,
    pictures_revalidate_and_cache_by_visibility,
    another_tenants_private_initiative_is_not_found,
    contributions_draw_a_bar_per_kind_and_partner,
    the_map_colours_each_country_by_its_showcase_state,
    graphql_answers_the_same_pictures,
    a_malformed_lang_is_a_problem_naming_it,
    the_health_picture_marks_each_partners_rating,
    the_health_picture_follows_tenancy_and_language,
    an_unassessed_initiative_gets_a_picture_saying_so,
);

fn health(id: &str) -> String {
    format!("/api/v1/initiatives/{id}/pictures/health.svg")
}

fn journey(id: &str) -> String {
    format!("/api/v1/initiatives/{id}/pictures/journey.svg")
}

fn contributions(id: &str) -> String {
    format!("/api/v1/initiatives/{id}/pictures/contributions.svg")
}

const MAP: &str = "/api/v1/wsis/showcase/map.svg";

async fn picture(app: &TestApp, path: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Resp {
    app.send(reqwest::Method::GET, path, token, headers, None)
        .await
}

fn svg_of(r: &Resp) -> String {
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some("image/svg+xml"));
    r.body.as_str().expect("an SVG body").to_owned()
}

fn parse(svg: &str) -> Document<'_> {
    Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"))
}

fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

fn with_class<'a, 'i>(doc: &'a Document<'i>, class: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == class))
        })
        .collect()
}

/// The element's own `<title>` child.
fn title_of(node: Node) -> String {
    node.children()
        .find(|c| c.has_tag_name("title"))
        .map(text_of)
        .unwrap_or_default()
}

/// The picture's accessible name and description, checked to be what `aria-labelledby` names.
fn title_and_desc(doc: &Document) -> (String, String) {
    let root = doc.root_element();
    assert_eq!(root.attribute("role"), Some("img"));
    let ids: Vec<&str> = root
        .attribute("aria-labelledby")
        .expect("aria-labelledby")
        .split(' ')
        .collect();
    let by_id = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no element {id}"))
    };
    let (title, desc) = (by_id(ids[0]), by_id(ids[1]));
    assert!(title.has_tag_name("title") && desc.has_tag_name("desc"));
    (text_of(title), text_of(desc))
}

/// An initiative whose journey went through three dated stages.
async fn journeyed(app: &TestApp, token: &str, title: &str) -> String {
    let created = app
        .post(
            "/api/v1/initiatives",
            Some(token),
            &json!({"title": title, "summary": "S", "kind": "msp", "countries": ["BR"], "action_lines": ["C4"], "stage": "agree_vision", "changed_on": "2005-01-10"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    for (stage, on) in [
        ("agree_purpose", "2005-03-01"),
        ("agree_objectives", "2005-06-15"),
    ] {
        let current = app
            .get(&format!("/api/v1/initiatives/{id}"), Some(token))
            .await;
        let moved = app
            .patch(
                &format!("/api/v1/initiatives/{id}"),
                Some(token),
                Some(&current.etag()),
                &json!({"stage": stage, "changed_on": on}),
            )
            .await;
        assert_eq!(moved.status, 200, "{:?}", moved.body);
    }
    id
}

async fn the_journey_marks_each_dated_stage_change(app: TestApp) {
    let t = app.tenant("journey").await;
    let ed = app.member(&t, Role::Editor).await;
    let id = journeyed(&app, &ed.token, "Programa para o Futuro").await;
    let detail = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(&ed.token))
        .await;
    let svg = svg_of(&picture(&app, &journey(&id), Some(&ed.token), &[]).await);
    let doc = parse(&svg);
    // One marker per stage change, on the row of its stage, with its date written out.
    let changes = detail.body["stage_changes"].as_array().unwrap();
    let markers = with_class(&doc, "stage-change");
    assert_eq!(markers.len(), changes.len());
    for (marker, change) in markers.iter().zip(changes) {
        assert_eq!(marker.attribute("data-date"), change["changed_on"].as_str());
        assert_eq!(marker.attribute("data-stage"), change["to"].as_str());
        let date = with_class_in(*marker, "date");
        assert_eq!(date, change["changed_on"].as_str().unwrap());
        assert!(marker.children().any(|c| c.has_tag_name("circle")));
    }
    // Every stage of the journey is a named row; the current one is marked.
    let stages = with_class(&doc, "stage");
    assert_eq!(stages.len(), 12);
    let current = with_class(&doc, "current");
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].attribute("data-stage"), Some("agree_objectives"));
    // Named as the reference vocabulary names the stage.
    assert_eq!(with_class_in(current[0], "stage-name"), "Agree objectives");
    let (title, desc) = title_and_desc(&doc);
    assert_eq!(title, "Partnership journey: Programa para o Futuro");
    assert_eq!(
        desc,
        "3 stage changes from 2005-01-10 to 2005-06-15; current stage: Agree objectives."
    );
}

/// The text of the first descendant of `node` with `class`.
fn with_class_in(node: Node, class: &str) -> String {
    node.descendants()
        .find(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == class))
        })
        .map(text_of)
        .unwrap_or_default()
}

async fn text_is_escaped_and_the_picture_accessible(app: TestApp) {
    let t = app.tenant("escaping").await;
    let ed = app.member(&t, Role::Editor).await;
    let title = "<script>alert('x')</script> & \"Partners\"";
    let id = journeyed(&app, &ed.token, title).await;
    for path in [journey(&id), contributions(&id)] {
        let svg = svg_of(&picture(&app, &path, Some(&ed.token), &[]).await);
        assert!(!svg.contains("<script"), "{svg}");
        let doc = parse(&svg);
        assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
        let (name, desc) = title_and_desc(&doc);
        assert!(name.ends_with(title), "{name}");
        assert!(!desc.is_empty());
        // The heading drawn in the picture says the title as stored, as text.
        assert_eq!(
            with_class(&doc, "heading")[0].text().map(str::to_owned),
            Some(name)
        );
    }
}

async fn labels_follow_the_readers_language(app: TestApp) {
    let t = app.tenant("languages").await;
    let ed = app.member(&t, Role::Editor).await;
    let id = journeyed(&app, &ed.token, "Macedonia Connects").await;
    let tok = Some(ed.token.as_str());
    let stage_name = |svg: &str, stage: &str| {
        let doc = parse(svg);
        let row = with_class(&doc, "stage")
            .into_iter()
            .find(|n| n.attribute("data-stage") == Some(stage))
            .expect("the stage's row");
        with_class_in(row, "stage-name")
    };
    // `lang=` first, then Accept-Language by its q-values, English otherwise.
    let fr = picture(
        &app,
        &format!("{}?lang=fr", journey(&id)),
        tok,
        &[("Accept-Language", "es")],
    )
    .await;
    assert_eq!(fr.header("content-language").as_deref(), Some("fr"));
    let svg = svg_of(&fr);
    assert_eq!(
        parse(&svg)
            .root_element()
            .attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
        Some("fr")
    );
    assert_eq!(stage_name(&svg, "implementing"), "Mise en œuvre");
    assert!(
        title_and_desc(&parse(&svg))
            .0
            .starts_with("Parcours du partenariat")
    );
    let es = picture(
        &app,
        &journey(&id),
        tok,
        &[("Accept-Language", "de, es;q=0.8, ru;q=0.5")],
    )
    .await;
    assert_eq!(es.header("content-language").as_deref(), Some("es"));
    // The stage names are the reference vocabulary's labels, in the same language.
    let reference = app
        .get("/api/v1/reference/journey-stages?lang=es", None)
        .await;
    let implementing = reference.body["items"]
        .as_array()
        .or(reference.body.as_array())
        .expect("the stages")
        .iter()
        .find(|e| e["code"] == "implementing")
        .expect("implementing")["label"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(stage_name(&svg_of(&es), "implementing"), implementing);
    let other = picture(&app, &journey(&id), tok, &[("Accept-Language", "de")]).await;
    assert_eq!(other.header("content-language").as_deref(), Some("en"));
    assert_eq!(stage_name(&svg_of(&other), "implementing"), "Implementing");
    // Arabic text runs right to left.
    let ar = svg_of(&picture(&app, &format!("{}?lang=ar", journey(&id)), tok, &[]).await);
    let doc = parse(&ar);
    let texts: Vec<Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .collect();
    assert!(!texts.is_empty());
    assert!(texts.iter().all(|t| t.attribute("direction") == Some("rtl")
        && t.attribute(("http://www.w3.org/XML/1998/namespace", "lang")) == Some("ar")));
    assert_eq!(stage_name(&ar, "implementing"), "التنفيذ");
    for lang in ["zh", "ru"] {
        let r = picture(
            &app,
            &format!("{}?lang={lang}", contributions(&id)),
            tok,
            &[],
        )
        .await;
        assert_eq!(r.header("content-language").as_deref(), Some(lang));
        let svg = svg_of(&r);
        assert_ne!(
            with_class(&parse(&svg), "heading")[1].text(),
            Some("By resource kind")
        );
    }
    // An unknown parameter is a 400 problem, not a picture.
    let bad = picture(&app, &format!("{}?language=fr", journey(&id)), tok, &[]).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.header("content-type").as_deref(),
        Some("application/problem+json")
    );
}

async fn pictures_revalidate_and_cache_by_visibility(app: TestApp) {
    let t = app.tenant("caching").await;
    let ed = app.member(&t, Role::Editor).await;
    let private = journeyed(&app, &ed.token, "Private journey").await;
    let first = picture(&app, &journey(&private), Some(&ed.token), &[]).await;
    let etag = first.etag();
    assert!(etag.starts_with('"'), "a strong validator: {etag}");
    assert_eq!(
        first.header("cache-control").as_deref(),
        Some("private, no-cache")
    );
    assert!(
        first
            .header("vary")
            .unwrap_or_default()
            .contains("Accept-Language")
    );
    let again = picture(
        &app,
        &journey(&private),
        Some(&ed.token),
        &[("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.body, Value::Null);
    assert_eq!(again.etag(), etag);
    // Another language is another picture; a new stage change too.
    let fr = picture(
        &app,
        &format!("{}?lang=fr", journey(&private)),
        Some(&ed.token),
        &[("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(fr.status, 200);
    assert_ne!(fr.etag(), etag);
    let current = app
        .get(&format!("/api/v1/initiatives/{private}"), Some(&ed.token))
        .await;
    let moved = app
        .patch(
            &format!("/api/v1/initiatives/{private}"),
            Some(&ed.token),
            Some(&current.etag()),
            &json!({"stage": "agree_resources", "changed_on": "2006-02-01"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    let changed = picture(
        &app,
        &journey(&private),
        Some(&ed.token),
        &[("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(changed.status, 200);
    assert_eq!(
        with_class(&parse(&svg_of(&changed)), "stage-change").len(),
        4
    );
    // A public initiative's pictures may be kept by shared caches, and anyone can read them.
    let public = app.public_initiative(&ed.token, "Public journey").await;
    let public_id = public["id"].as_str().unwrap();
    for path in [journey(public_id), contributions(public_id)] {
        let anonymous = picture(&app, &path, None, &[]).await;
        svg_of(&anonymous);
        assert_eq!(
            anonymous.header("cache-control").as_deref(),
            Some("public, max-age=60")
        );
    }
    let map = picture(&app, MAP, None, &[]).await;
    assert_eq!(
        map.header("cache-control").as_deref(),
        Some("public, max-age=60")
    );
    let members = picture(&app, MAP, Some(&ed.token), &[]).await;
    assert_eq!(
        members.header("cache-control").as_deref(),
        Some("private, no-cache")
    );
    let revalidated = picture(&app, MAP, None, &[("If-None-Match", &map.etag())]).await;
    assert_eq!(revalidated.status, 304);
}

async fn another_tenants_private_initiative_is_not_found(app: TestApp) {
    let a = app.tenant("owner-a").await;
    let b = app.tenant("other-b").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let ed_b = app.member(&b, Role::Admin).await;
    let private = journeyed(&app, &ed_a.token, "Private of A").await;
    let missing = uuid::Uuid::new_v4().to_string();
    for path in [journey(&private), contributions(&private)] {
        for token in [Some(ed_b.token.as_str()), None] {
            let r = picture(&app, &path, token, &[]).await;
            assert_eq!(r.status, 404, "{path}");
            assert_eq!(
                r.header("content-type").as_deref(),
                Some("application/problem+json")
            );
            assert!(!r.body.to_string().contains("Private of A"));
        }
    }
    let unknown = picture(&app, &journey(&missing), Some(&ed_b.token), &[]).await;
    assert_eq!(unknown.status, 404);
    let public = app.public_initiative(&ed_a.token, "Public of A").await;
    let seen = picture(
        &app,
        &journey(public["id"].as_str().unwrap()),
        Some(&ed_b.token),
        &[],
    )
    .await;
    assert!(
        title_and_desc(&parse(&svg_of(&seen)))
            .0
            .ends_with("Public of A")
    );
}

async fn partner(app: &TestApp, token: &str, initiative: &str, name: &str) -> String {
    let org = app
        .post(
            "/api/v1/organizations",
            Some(token),
            &json!({"name": name, "sector": "business"}),
        )
        .await;
    let p = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/partners"),
            Some(token),
            &json!({"organization_id": org.body["id"], "roles": ["funder"]}),
        )
        .await;
    assert_eq!(p.status, 201, "{:?}", p.body);
    p.body["id"].as_str().unwrap().to_owned()
}

async fn contributions_draw_a_bar_per_kind_and_partner(app: TestApp) {
    let t = app.tenant("contrib-pictures").await;
    let ed = app.member(&t, Role::Editor).await;
    let id = app.initiative(&ed.token, "Mali CLIC").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let vendor = partner(&app, &ed.token, &id, "Software vendor").await;
    let bank = partner(&app, &ed.token, &id, "Bank").await;
    let school = partner(&app, &ed.token, &id, "School").await;
    for (p, body) in [
        (&vendor, json!({"resource_kind": "software"})),
        (
            &vendor,
            json!({"resource_kind": "cash", "amount": "1000.00", "currency": "USD"}),
        ),
        (
            &bank,
            json!({"resource_kind": "cash", "amount": "3000.00", "currency": "USD"}),
        ),
        (
            &bank,
            json!({"resource_kind": "cash", "amount": "500.00", "currency": "EUR"}),
        ),
        (&school, json!({"resource_kind": "venue"})),
    ] {
        let mut body = body;
        body["partner_id"] = json!(p);
        let r = app
            .post(
                &format!("/api/v1/initiatives/{id}/contributions"),
                Some(&ed.token),
                &body,
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let totals = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(&ed.token))
        .await
        .body["contribution_totals"]
        .clone();
    let svg = svg_of(&picture(&app, &contributions(&id), Some(&ed.token), &[]).await);
    let doc = parse(&svg);
    let charts = with_class(&doc, "chart");
    let rows_of = |chart: Node| -> Vec<(String, String, Option<String>)> {
        chart
            .descendants()
            .filter(|n| n.attribute("class") == Some("row"))
            .map(|row| {
                let bar = row
                    .descendants()
                    .find(|n| n.attribute("class") == Some("bar"))
                    .and_then(|b| b.attribute("data-value").map(str::to_owned));
                (
                    row.attribute("data-key").unwrap().to_owned(),
                    title_of(row),
                    bar,
                )
            })
            .collect()
    };
    // One bar per resource kind, as long as its count.
    let kinds = rows_of(charts[0]);
    let by_kind = totals["by_kind"].as_array().unwrap();
    assert_eq!(kinds.len(), by_kind.len());
    assert_eq!(kinds.len(), 3);
    for (row, kind) in kinds.iter().zip(by_kind) {
        assert_eq!(row.0, kind["resource_kind"].as_str().unwrap());
        assert_eq!(row.2.as_deref(), Some(kind["count"].to_string().as_str()));
    }
    assert!(
        kinds
            .iter()
            .any(|r| r.1 == "Cash: 3 · 500.00 EUR · 4000.00 USD"),
        "{kinds:?}"
    );
    // Per currency, one bar per partner with its total and share.
    let headings: Vec<String> = charts
        .iter()
        .map(|c| with_class_in(*c, "heading"))
        .collect();
    assert_eq!(
        headings,
        [
            "By resource kind",
            "By partner (EUR)",
            "By partner (USD)",
            "By partner (not valued)"
        ]
    );
    let usd = rows_of(charts[2]);
    assert_eq!(usd.len(), 2);
    let bank_usd = usd.iter().find(|r| r.0 == bank).expect("the bank's bar");
    assert_eq!(bank_usd.1, "Bank: 3000.00 USD (75%)");
    assert_eq!(bank_usd.2.as_deref(), Some("3000"));
    assert_eq!(rows_of(charts[1]).len(), 1);
    let unvalued = rows_of(charts[3]);
    assert_eq!(
        unvalued,
        [(school.clone(), "School: not valued".to_owned(), None)]
    );
    let (_, desc) = title_and_desc(&doc);
    assert!(
        desc.starts_with("5 contributions of 3 resource kinds from 3 partners."),
        "{desc}"
    );
}

/// An initiative in `country` passing the showcase checklist, as `wsis.rs` builds it.
async fn eligible(app: &TestApp, token: &str, title: &str, country: &str) -> String {
    let i = app
        .post("/api/v1/initiatives", Some(token), &json!({"title": title, "summary": "S", "kind": "ppp", "countries": [country], "action_lines": ["C2"], "stage": "implementing"}))
        .await;
    let id = i.body["id"].as_str().unwrap().to_owned();
    let mut parties = Vec::new();
    for sector in ["government", "business"] {
        let org = app
            .post(
                "/api/v1/organizations",
                Some(token),
                &json!({"name": format!("{title} {sector}"), "sector": sector}),
            )
            .await;
        let p = app
            .post(
                &format!("/api/v1/initiatives/{id}/partners"),
                Some(token),
                &json!({"organization_id": org.body["id"], "roles": ["lead"]}),
            )
            .await;
        parties.push(p.body["id"].clone());
    }
    let a = app
        .post(&format!("/api/v1/initiatives/{id}/agreements"), Some(token), &json!({"agreement_type": "partnership_agreement", "title": "Agreement", "parties": parties, "status": "signed", "signed_on": "2024-01-10"}))
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    let end = chrono::Utc::now().date_naive() - chrono::Duration::days(30);
    let r = app
        .post(&format!("/api/v1/initiatives/{id}/reports"), Some(token), &json!({"period_start": (end - chrono::Duration::days(180)).to_string(), "period_end": end.to_string(), "narrative": "Progress."}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    id
}

async fn the_map_colours_each_country_by_its_showcase_state(app: TestApp) {
    let t = app.tenant("map").await;
    let ed = app.member(&t, Role::Editor).await;
    let admin = app.member(&t, Role::Admin).await;
    let france = eligible(&app, &ed.token, "Connected schools", "FR").await;
    eligible(&app, &ed.token, "Village phones", "UG").await;
    app.initiative(&ed.token, "Mali CLIC").await; // in ML, failing the checklist
    let designated = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/wsis/showcase/FR",
            Some(&admin.token),
            &[],
            Some(&json!({"initiative_id": france})),
        )
        .await;
    assert_eq!(designated.status, 200, "{:?}", designated.body);
    let table = app.get("/api/v1/wsis/showcase", Some(&ed.token)).await.body;
    let svg = svg_of(&picture(&app, MAP, Some(&ed.token), &[]).await);
    let doc = parse(&svg);
    let countries = with_class(&doc, "country");
    assert!(countries.len() > 170, "{} countries drawn", countries.len());
    let state_of = |code: &str| {
        let path = countries
            .iter()
            .find(|n| n.attribute("data-country") == Some(code))
            .unwrap_or_else(|| panic!("{code} is not drawn"));
        assert!(path.attribute("d").is_some_and(|d| d.starts_with('M')));
        (
            path.attribute("data-state").unwrap().to_owned(),
            title_of(*path),
        )
    };
    assert_eq!(
        state_of("FR"),
        ("designated".into(), "France: Designated showcase".into())
    );
    assert_eq!(state_of("UG").0, "eligible");
    assert_eq!(state_of("ML").0, "initiatives");
    assert_eq!(state_of("ML").1, "Mali: Initiatives, none eligible");
    assert_eq!(state_of("US").0, "none");
    // The legend counts the countries of the table in each state, and the drawn countries in
    // none of them.
    let lines = table["countries"].as_array().unwrap();
    let expected = |state: &str| {
        lines
            .iter()
            .filter(|l| {
                let s = if !l["designations"].as_array().unwrap().is_empty() {
                    "designated"
                } else if !l["eligible"].as_array().unwrap().is_empty() {
                    "eligible"
                } else if l["initiative_count"].as_u64().unwrap() > 0 {
                    "initiatives"
                } else {
                    "none"
                };
                s == state
            })
            .count()
    };
    let legend = with_class(&doc, "legend-item");
    assert_eq!(legend.len(), 4);
    for item in &legend {
        let state = item.attribute("data-state").unwrap();
        let count: usize = item.attribute("data-count").unwrap().parse().unwrap();
        let bare = countries
            .iter()
            .filter(|n| n.attribute("data-state") == Some("none"))
            .count();
        let want = if state == "none" {
            bare
        } else {
            expected(state)
        };
        assert_eq!(count, want, "{state}");
        assert!(with_class_in(*item, "legend-label").ends_with(&format!("({count})")));
    }
    assert_eq!(
        (
            expected("designated"),
            expected("eligible"),
            expected("initiatives")
        ),
        (1, 1, 1)
    );
    let (title, desc) = title_and_desc(&doc);
    assert_eq!(title, "WSIS showcase by country");
    assert_eq!(
        desc,
        "1 countries with a designated showcase, 1 with an eligible initiative, 1 with initiatives but none eligible."
    );
    // Anonymous callers see the public picture: these initiatives are private.
    let public = parse_owned(&svg_of(&picture(&app, MAP, None, &[]).await));
    assert!(public.contains("data-country=\"FR\" data-state=\"none\""));
    let fr = svg_of(&picture(&app, &format!("{MAP}?lang=fr"), Some(&ed.token), &[]).await);
    assert!(
        title_and_desc(&parse(&fr))
            .0
            .starts_with("Vitrines du SMSI")
    );
}

fn parse_owned(svg: &str) -> String {
    parse(svg);
    svg.to_owned()
}

async fn graphql_answers_the_same_pictures(app: TestApp) {
    let t = app.tenant("graphql-pictures").await;
    let ed = app.member(&t, Role::Editor).await;
    let id = journeyed(&app, &ed.token, "Computer Clubhouse").await;
    let r = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { journeySvg(lang: \"fr\") contributionsSvg } showcaseMapSvg(lang: \"ru\") }",
        json!({"id": id}),
        Some(&ed.token),
    )
    .await;
    assert!(r.body["errors"].is_null(), "{:?}", r.body);
    let data = &r.body["data"];
    let rest = |path: String| {
        let app = app.clone();
        let token = ed.token.clone();
        async move { svg_of(&picture(&app, &path, Some(&token), &[]).await) }
    };
    assert_eq!(
        data["initiative"]["journeySvg"].as_str().unwrap(),
        rest(format!("{}?lang=fr", journey(&id))).await
    );
    assert_eq!(
        data["initiative"]["contributionsSvg"].as_str().unwrap(),
        rest(contributions(&id)).await
    );
    assert_eq!(
        data["showcaseMapSvg"].as_str().unwrap(),
        rest(format!("{MAP}?lang=ru")).await
    );
    // Another tenant's private initiative is not found over GraphQL either.
    let other = app.tenant("graphql-other").await;
    let stranger = app.member(&other, Role::Editor).await;
    let hidden = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { journeySvg } }",
        json!({"id": id}),
        Some(&stranger.token),
    )
    .await;
    assert!(!hidden.body.to_string().contains("Computer Clubhouse"));
    assert!(hidden.body["data"]["initiative"].is_null());
}

async fn a_malformed_lang_is_a_problem_naming_it(app: TestApp) {
    let t = app.tenant("bad-lang").await;
    let ed = app.member(&t, Role::Editor).await;
    let id = journeyed(&app, &ed.token, "Bad language").await;
    for path in [
        journey(&id),
        contributions(&id),
        health(&id),
        MAP.to_owned(),
    ] {
        let bad = picture(&app, &format!("{path}?lang=fr_FR"), Some(&ed.token), &[]).await;
        assert_eq!(bad.status, 400, "{path}");
        assert_eq!(
            bad.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        assert!(bad.body.to_string().contains("lang"), "{:?}", bad.body);
    }
    // A well-formed tag of a language the registry does not hold draws English, whatever
    // Accept-Language says (`lang` wins).
    let german = picture(
        &app,
        &format!("{}?lang=de", journey(&id)),
        Some(&ed.token),
        &[("Accept-Language", "fr")],
    )
    .await;
    assert_eq!(german.header("content-language").as_deref(), Some("en"));
    let bad = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { healthSvg(lang: \"not a tag\") } }",
        json!({"id": id}),
        Some(&ed.token),
    )
    .await;
    assert!(
        bad.body["errors"].to_string().contains("lang"),
        "{:?}",
        bad.body
    );
}

/// An initiative with `names` as partners, each filing a fundamentals assessment of `ratings`
/// (in reference order); answers its id and the partners' ids.
async fn assessed(
    app: &TestApp,
    token: &str,
    title: &str,
    filed: &[(&str, [i32; 6])],
) -> (String, Vec<String>) {
    let id = app.initiative(token, title).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let codes = [
        "value_creation",
        "stakeholders_resources",
        "shared_vision",
        "compatible_values",
        "empowered_partners",
        "senior_commitment",
    ];
    let mut partners = Vec::new();
    for (name, ratings) in filed {
        let p = partner(app, token, &id, name).await;
        let ratings: Vec<Value> = codes
            .iter()
            .zip(ratings)
            .map(|(code, r)| json!({"code": code, "rating": r}))
            .collect();
        let r = app
            .post(
                &format!("/api/v1/initiatives/{id}/health-assessments"),
                Some(token),
                &json!({"kind": "fundamentals", "partner_id": p, "assessed_on": "2026-03-01", "ratings": ratings}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        partners.push(p);
    }
    (id, partners)
}

async fn the_health_picture_marks_each_partners_rating(app: TestApp) {
    let t = app.tenant("health-picture").await;
    let ed = app.member(&t, Role::Editor).await;
    let (id, partners) = assessed(
        &app,
        &ed.token,
        "Health <b>& co</b>",
        &[
            ("Ministry <of> ICT", [4, 1, 3, 3, 4, 5]),
            ("Operator", [4, 4, 3, 3, 4, 5]),
            ("Academy", [2, 5, 3, 4, 4, 5]),
        ],
    )
    .await;
    let report = app
        .get(&format!("/api/v1/initiatives/{id}/health"), Some(&ed.token))
        .await;
    assert_eq!(report.status, 200, "{:?}", report.body);
    let r = picture(&app, &health(&id), Some(&ed.token), &[]).await;
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("private, no-cache")
    );
    assert_eq!(r.header("content-language").as_deref(), Some("en"));
    let svg = svg_of(&r);
    let doc = parse(&svg);
    // One row per fundamental, in reference order, one dot per partner on each.
    let rows = with_class(&doc, "row");
    let codes: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.attribute("data-key"))
        .collect();
    let expected: Vec<&str> = report.body["fundamentals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, expected);
    assert_eq!(with_class(&doc, "dot").len(), partners.len() * 6);
    for row in &rows {
        let dots: Vec<Node> = row
            .children()
            .filter(|c| c.attribute("class") == Some("dot"))
            .collect();
        assert_eq!(dots.len(), 3);
        let keys: Vec<&str> = dots
            .iter()
            .filter_map(|d| d.attribute("data-key"))
            .collect();
        assert_eq!(
            keys,
            partners.iter().map(String::as_str).collect::<Vec<_>>()
        );
        let fundamental = report.body["fundamentals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| Some(f["code"].as_str().unwrap()) == row.attribute("data-key"))
            .unwrap();
        // The flag is the report's disagreement; the bar its evidence score.
        let disagreement = fundamental["self_assessment"]["disagreement"] == true;
        assert_eq!(
            row.attribute("class")
                .unwrap()
                .split(' ')
                .any(|c| c == "disagreement"),
            disagreement,
            "{:?}",
            row.attribute("data-key")
        );
        let bar = row
            .children()
            .find(|c| c.attribute("class") == Some("bar"))
            .and_then(|b| b.attribute("data-value"))
            .map(|v| v.parse::<f64>().unwrap());
        assert_eq!(bar, fundamental["evidence_score"].as_f64());
    }
    // The Ministry rated value creation 4: its dot says so, its name escaped.
    let value_creation = rows[0];
    let ministry = value_creation
        .children()
        .find(|c| c.attribute("data-key") == Some(partners[0].as_str()))
        .unwrap();
    assert_eq!(ministry.attribute("data-value"), Some("4"));
    assert_eq!(title_of(ministry), "Ministry <of> ICT: 4");
    assert!(!svg.contains("<of>") && !svg.contains("<b>"));
    // The legend names each partner once.
    let legend: Vec<String> = with_class(&doc, "legend-item")
        .into_iter()
        .map(|n| with_class_in(n, "legend-label"))
        .collect();
    assert_eq!(legend, ["Ministry <of> ICT", "Operator", "Academy"]);
    // Partners disagree on the right stakeholders (1 to 5) and on nothing else here.
    assert_eq!(
        report.body["disagreements"],
        json!(["stakeholders_resources"])
    );
    let (title, desc) = title_and_desc(&doc);
    assert_eq!(title, "Partnership health: Health <b>& co</b>");
    assert!(
        desc.starts_with("3 partners assessed the six fundamentals."),
        "{desc}"
    );
    assert!(
        desc.contains("Partners disagree on Right stakeholders and resources."),
        "{desc}"
    );
    let weakest = report.body["suggestion"]["fundamental"].as_str().unwrap();
    let weakest_label = report.body["fundamentals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == weakest)
        .unwrap()["label"]
        .as_str()
        .unwrap();
    assert!(
        desc.contains(&format!("The weakest is {weakest_label}")),
        "{desc}"
    );
    // Revalidation as for every picture.
    let again = picture(
        &app,
        &health(&id),
        Some(&ed.token),
        &[("If-None-Match", &r.etag())],
    )
    .await;
    assert_eq!(again.status, 304);
}

async fn the_health_picture_follows_tenancy_and_language(app: TestApp) {
    let a = app.tenant("health-a").await;
    let b = app.tenant("health-b").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let ed_b = app.member(&b, Role::Admin).await;
    let (private, _) = assessed(
        &app,
        &ed_a.token,
        "Private health of A",
        &[("Bank", [3; 6])],
    )
    .await;
    for token in [Some(ed_b.token.as_str()), None] {
        let r = picture(&app, &health(&private), token, &[]).await;
        assert_eq!(r.status, 404);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        assert!(!r.body.to_string().contains("Private health of A"));
    }
    let hidden = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { healthSvg } }",
        json!({"id": private}),
        Some(&ed_b.token),
    )
    .await;
    assert!(
        hidden.body["data"]["initiative"].is_null(),
        "{:?}",
        hidden.body
    );
    // In French: the fundamentals as the reference vocabulary names them, the words too.
    let fr = picture(
        &app,
        &health(&private),
        Some(&ed_a.token),
        &[("Accept-Language", "de, fr;q=0.8")],
    )
    .await;
    assert_eq!(fr.header("content-language").as_deref(), Some("fr"));
    assert!(
        fr.header("vary")
            .unwrap_or_default()
            .contains("Accept-Language")
    );
    let svg = svg_of(&fr);
    let doc = parse(&svg);
    let reference = app
        .get("/api/v1/reference/fundamentals?lang=fr", None)
        .await;
    let labels: Vec<String> = reference.body["items"]
        .as_array()
        .or(reference.body.as_array())
        .expect("the fundamentals")
        .iter()
        .map(|e| e["label"].as_str().unwrap().to_owned())
        .collect();
    // Each row's tooltip names it whole (a long label is cut where it is drawn).
    let rows = with_class(&doc, "row");
    assert_eq!(rows.len(), labels.len());
    for (row, label) in rows.iter().zip(&labels) {
        assert!(title_of(*row).starts_with(&format!("{label}: ")), "{label}");
    }
    assert_eq!(with_class_in(rows[0], "label"), "Création de valeur");
    let (title, desc) = title_and_desc(&doc);
    assert!(title.starts_with("Santé du partenariat"), "{title}");
    assert!(desc.starts_with("1 partenaires ont évalué"), "{desc}");
    // GraphQL draws the same picture.
    let gql = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id) { healthSvg(lang: \"fr\") } }",
        json!({"id": private}),
        Some(&ed_a.token),
    )
    .await;
    assert_eq!(
        gql.body["data"]["initiative"]["healthSvg"].as_str(),
        Some(svg.as_str())
    );
    // A public initiative's health picture is anyone's and may be cached by anyone.
    let public = app.public_initiative(&ed_a.token, "Public health").await;
    let anonymous = picture(&app, &health(public["id"].as_str().unwrap()), None, &[]).await;
    svg_of(&anonymous);
    assert_eq!(
        anonymous.header("cache-control").as_deref(),
        Some("public, max-age=60")
    );
}

async fn an_unassessed_initiative_gets_a_picture_saying_so(app: TestApp) {
    let t = app.tenant("health-none").await;
    let ed = app.member(&t, Role::Editor).await;
    let (id, _) = assessed(&app, &ed.token, "Not yet assessed", &[]).await;
    let svg = svg_of(&picture(&app, &health(&id), Some(&ed.token), &[]).await);
    let doc = parse(&svg);
    assert_eq!(with_class(&doc, "row").len(), 6);
    assert!(with_class(&doc, "dot").is_empty());
    assert_eq!(
        with_class(&doc, "no-assessments")[0].text(),
        Some("No partner has assessed the fundamentals yet.")
    );
    let (_, desc) = title_and_desc(&doc);
    assert!(
        desc.starts_with("No partner has assessed the fundamentals yet."),
        "{desc}"
    );
    let es = svg_of(
        &picture(
            &app,
            &format!("{}?lang=es", health(&id)),
            Some(&ed.token),
            &[],
        )
        .await,
    );
    assert_eq!(
        with_class(&parse(&es), "no-assessments")[0].text(),
        Some("Ningún socio ha evaluado aún los fundamentos.")
    );
}
