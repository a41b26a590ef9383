//! Initiatives: the record, its journey, publishing, search, filters, history and tenancy.

use msp_tests::{Resp, TestApp, both_databases, json};
use service::Role;

both_databases!(
    lifecycle_with_etags_and_derived_fields,
    journey_stages_follow_the_order,
    publishing_needs_the_required_fields,
    every_invalid_field_is_reported,
    filters_and_sorting,
    search_matches_every_word_and_ranks,
    history_records_who_what_and_why,
    another_tenant_cannot_reach_private_initiatives,
    roles_gate_initiative_writes,
    concurrent_edits_lose_no_update,
    indexed_tag_lists_match_the_general_query,
    cached_reads_are_per_tenant_and_end_with_any_write,
    a_stage_change_carries_the_day_it_happened,
    action_lines_include_their_sub_lines,
    form_sdg_target_and_agreement_status_filter_the_list,
    stage_changes_recorded_before_their_day_was_kept_show_the_day_recorded,
);

fn titles(r: &Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn add_partner(
    app: &TestApp,
    token: &str,
    initiative: &str,
    name: &str,
    sector: &str,
    status: &str,
) -> Resp {
    let org = app
        .post(
            "/api/v1/organizations",
            Some(token),
            &json!({"name": name, "sector": sector}),
        )
        .await;
    assert_eq!(org.status, 201);
    app.post(
        &format!("/api/v1/initiatives/{initiative}/partners"),
        Some(token),
        &json!({"organization_id": org.body["id"], "roles": ["implementer"], "status": status}),
    )
    .await
}

async fn lifecycle_with_etags_and_derived_fields(app: TestApp) {
    let t = app.tenant("registry").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let created = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Sri Lanka food-security MSP", "kind": "msp", "countries": ["lk", "LK"],
                    "action_lines": ["c7.e-agriculture"], "sdg_targets": ["2.1"], "stage": "agree_purpose",
                    "start_date": "2019-03-01", "external_identifiers": [{"scheme": "donor", "identifier": "FS-42"}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag(), "\"1\"");
    let b = &created.body;
    assert_eq!(b["countries"], json!(["LK"]), "normalised and deduplicated");
    assert_eq!(b["action_lines"], json!(["C7.e-agriculture"]));
    assert_eq!(b["sdg_goals"], json!([2]), "a target implies its goal");
    assert_eq!(b["outcome"], "not_yet_known");
    assert_eq!(b["visibility"], "private");
    assert_eq!(b["reporting_status"], "on_track", "newly registered");
    assert_eq!(b["stage_changes"][0]["to"], "agree_purpose");
    assert_eq!(b["sectors"], json!([]));
    let id = b["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/initiatives/{id}");
    assert_eq!(created.header("location").unwrap(), path);

    let cached = app
        .send(
            reqwest::Method::GET,
            &path,
            tok,
            &[("If-None-Match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);

    // Partners from three sectors make it a true MSP and, with government and business, a PPP.
    for (name, sector) in [
        ("Ministry of Agriculture", "government"),
        ("Island supermarkets", "business"),
        ("UCSC", "academia"),
    ] {
        assert_eq!(
            add_partner(&app, &ed.token, &id, name, sector, "active")
                .await
                .status,
            201
        );
    }
    assert_eq!(
        add_partner(&app, &ed.token, &id, "Some donor", "donor", "prospect")
            .await
            .status,
        201
    );
    let read = app.get(&path, tok).await;
    assert_eq!(
        read.body["sectors"],
        json!(["government", "business", "academia"]),
        "prospects do not count"
    );
    assert_eq!(read.body["is_multi_stakeholder"], true);
    assert_eq!(read.body["is_ppp"], true);
    assert_eq!(
        read.etag(),
        "\"5\"",
        "each child write raises the initiative's version"
    );

    let stale = app
        .patch(&path, tok, Some("\"1\""), &json!({"outcome": "successful"}))
        .await;
    assert_eq!(stale.status, 412);
    let updated = app
        .patch(
            &path,
            tok,
            Some("\"5\""),
            &json!({"outcome": "successful", "summary": "Maps who feeds whom."}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.etag(), "\"6\"");
    assert_eq!(
        updated.body["countries"],
        json!(["LK"]),
        "absent fields stay"
    );

    assert_eq!(app.delete(&path, tok, None).await.status, 428);
    assert_eq!(app.delete(&path, tok, Some("\"6\"")).await.status, 204);
    assert_eq!(app.get(&path, tok).await.status, 404);
    assert_eq!(app.get(&format!("{path}/partners"), tok).await.status, 404);
    let history = app.get(&format!("{path}/history"), tok).await;
    assert_eq!(history.status, 200, "the history outlives the initiative");
    assert_eq!(history.body["items"][0]["operation"], "delete");
}

async fn journey_stages_follow_the_order(app: TestApp) {
    let t = app.tenant("journey").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let created = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Rwanda vouchers", "kind": "ppp"}),
        )
        .await;
    assert_eq!(created.body["stage"], "understand_context");
    let path = format!(
        "/api/v1/initiatives/{}",
        created.body["id"].as_str().unwrap()
    );

    let next = app
        .patch(&path, tok, Some("\"1\""), &json!({"stage": "agree_vision"}))
        .await;
    assert_eq!(next.status, 200, "the next stage needs no reason");

    let skip = app
        .patch(&path, tok, Some("\"2\""), &json!({"stage": "implementing"}))
        .await;
    assert_eq!(skip.status, 422);
    assert_eq!(skip.body["errors"][0]["code"], "journey_order");
    assert_eq!(skip.error_fields(), ["stage"]);

    let reasoned = app
        .send(
            reqwest::Method::PATCH,
            &path,
            tok,
            &[
                ("If-Match", "\"2\""),
                ("X-Change-Reason", "agreed in one workshop"),
            ],
            Some(&json!({"stage": "implementing"})),
        )
        .await;
    assert_eq!(reasoned.status, 200, "{:?}", reasoned.body);

    let back = app
        .patch(&path, tok, Some("\"3\""), &json!({"stage": "structure"}))
        .await;
    assert_eq!(back.status, 422, "going back needs a reason too");
    let stop = app
        .patch(
            &path,
            tok,
            Some("\"3\""),
            &json!({"stage": "discontinued", "outcome": "unsuccessful"}),
        )
        .await;
    assert_eq!(
        stop.status, 200,
        "a partnership can be discontinued at any stage"
    );

    let changes = stop.body["stage_changes"].as_array().unwrap();
    let path_taken: Vec<_> = changes.iter().map(|c| c["to"].as_str().unwrap()).collect();
    assert_eq!(
        path_taken,
        [
            "understand_context",
            "agree_vision",
            "implementing",
            "discontinued"
        ]
    );
    assert_eq!(changes[2]["from"], "agree_vision");
    assert_eq!(changes[2]["reason"], "agreed in one workshop");
    assert!(
        changes.iter().all(|c| c["changed_at"].is_string()),
        "each change has its date"
    );
}

async fn publishing_needs_the_required_fields(app: TestApp) {
    let t = app.tenant("publish").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let bare = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Bare", "kind": "msp"}),
        )
        .await;
    let id = bare.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/initiatives/{id}");
    let refused = app
        .patch(&path, tok, Some("\"1\""), &json!({"visibility": "public"}))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.error_fields(),
        ["summary", "countries", "action_lines", "partners"]
    );
    assert!(
        refused.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["code"] == "required_for_publishing")
    );

    let at_create = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Public at once", "kind": "msp", "visibility": "public"}),
        )
        .await;
    assert_eq!(at_create.status, 422, "the check runs on create too");

    let filled = app
        .patch(
            &path,
            tok,
            Some("\"1\""),
            &json!({"summary": "S", "countries": ["ML"], "action_lines": ["C3"]}),
        )
        .await;
    assert_eq!(filled.status, 200);
    assert_eq!(
        add_partner(
            &app,
            &ed.token,
            &id,
            "Prospect only",
            "business",
            "prospect"
        )
        .await
        .status,
        201
    );
    let still = app
        .patch(&path, tok, Some("\"3\""), &json!({"visibility": "public"}))
        .await;
    assert_eq!(
        still.error_fields(),
        ["partners"],
        "a prospect is not an active partner"
    );
    assert_eq!(
        add_partner(&app, &ed.token, &id, "Active one", "government", "active")
            .await
            .status,
        201
    );
    let published = app
        .patch(&path, tok, Some("\"4\""), &json!({"visibility": "public"}))
        .await;
    assert_eq!(published.status, 200, "{:?}", published.body);
    assert_eq!(
        app.get(&path, None).await.status,
        200,
        "anonymous callers read it now"
    );
    assert_eq!(
        titles(&app.get("/api/v1/initiatives", None).await),
        ["Bare"]
    );
}

async fn every_invalid_field_is_reported(app: TestApp) {
    let t = app.tenant("invalid").await;
    let ed = app.member(&t, Role::Editor).await;
    let r = app
        .post(
            "/api/v1/initiatives",
            Some(&ed.token),
            &json!({"title": " ", "kind": "msp", "countries": ["ML", "XX"], "action_lines": ["C12"],
                    "sdg_goals": [18], "sdg_targets": ["9.z"], "start_date": "2020-01-01", "end_date": "2019-01-01"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.error_fields(),
        [
            "title",
            "countries[1]",
            "action_lines[0]",
            "sdg_targets[0]",
            "sdg_goals[0]",
            "end_date"
        ]
    );
    let bad_enum = app
        .post(
            "/api/v1/initiatives",
            Some(&ed.token),
            &json!({"title": "X", "kind": "joint_venture"}),
        )
        .await;
    assert_eq!(bad_enum.error_fields(), ["kind"]);
    let bad_date = app
        .post(
            "/api/v1/initiatives",
            Some(&ed.token),
            &json!({"title": "X", "kind": "msp", "start_date": "2020-13-40"}),
        )
        .await;
    assert_eq!(bad_date.error_fields(), ["start_date"]);
    assert_eq!(
        app.get("/api/v1/initiatives", Some(&ed.token)).await.body["total"],
        0,
        "nothing was written"
    );
}

async fn filters_and_sorting(app: TestApp) {
    let t = app.tenant("filters").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let mut ids = Vec::new();
    for (title, kind, country, line, start, model) in [
        (
            "Mali CLIC",
            "ppp",
            "ML",
            "C4",
            "2003-01-01",
            "corporate_philanthropy",
        ),
        (
            "Macedonia Connects",
            "msp",
            "MK",
            "C2",
            "2004-09-01",
            "market_making",
        ),
        (
            "Programa para o Futuro",
            "msp",
            "BR",
            "C4",
            "2001-05-01",
            "partnership",
        ),
    ] {
        let r = app
            .post("/api/v1/initiatives", tok, &json!({"title": title, "kind": kind, "countries": [country], "action_lines": [line], "start_date": start, "engagement_model": model, "sdg_goals": [4]}))
            .await;
        assert_eq!(r.status, 201);
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    add_partner(&app, &ed.token, &ids[1], "On.Net", "business", "active").await;
    let q = |query: &str| {
        let app = app.clone();
        let query = query.to_owned();
        let token = ed.token.clone();
        async move {
            app.get(&format!("/api/v1/initiatives?{query}"), Some(&token))
                .await
        }
    };
    assert_eq!(
        titles(&q("").await),
        ["Macedonia Connects", "Mali CLIC", "Programa para o Futuro"]
    );
    assert_eq!(titles(&q("country=mk").await), ["Macedonia Connects"]);
    assert_eq!(
        titles(&q("action_line=C4").await),
        ["Mali CLIC", "Programa para o Futuro"]
    );
    assert_eq!(q("sdg=4").await.body["total"], 3);
    assert_eq!(q("sdg=5").await.body["total"], 0);
    assert_eq!(titles(&q("sector=business").await), ["Macedonia Connects"]);
    assert_eq!(titles(&q("kind=ppp").await), ["Mali CLIC"]);
    assert_eq!(
        titles(&q("engagement_model=market_making").await),
        ["Macedonia Connects"]
    );
    assert_eq!(
        titles(&q("start_from=2002-01-01&start_to=2003-12-31").await),
        ["Mali CLIC"]
    );
    assert_eq!(
        titles(&q("sort=-start_date").await),
        ["Macedonia Connects", "Mali CLIC", "Programa para o Futuro"]
    );
    assert_eq!(
        titles(&q("sort=start_date&per_page=1&page=2").await),
        ["Mali CLIC"]
    );
    assert_eq!(q("stage=implementing").await.body["total"], 0);
    assert_eq!(q("reporting_status=on_track").await.body["total"], 3);
    assert_eq!(q("reporting_status=inactive").await.body["total"], 0);
    assert_eq!(
        q("updated_since=2000-01-01T00:00:00Z").await.body["total"],
        3
    );
    let org = app
        .get(&format!("/api/v1/initiatives/{}/partners", ids[1]), tok)
        .await
        .body["items"][0]["organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        titles(&q(&format!("organization={org}")).await),
        ["Macedonia Connects"]
    );
    for (bad, field) in [
        ("colour=red", "colour"),
        ("sort=relevance", "sort"),
        ("sdg=18", "sdg"),
        ("action_line=C99", "action_line"),
        ("start_from=yesterday", "start_from"),
        ("q=%20%21", "q"),
    ] {
        let r = q(bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.error_fields(), [field], "{bad}");
    }
}

async fn search_matches_every_word_and_ranks(app: TestApp) {
    let t = app.tenant("search").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    for (title, summary, description) in [
        (
            "Macedonia Connects",
            "School connectivity for every school",
            "Aggregated school connectivity into one contract; school by school the network reached rural areas.",
        ),
        (
            "Rwanda vouchers",
            "Vouchers for connectivity",
            "Micro-stipends built demand.",
        ),
        (
            "Mali CLIC",
            "Community learning centres",
            "Software donations and school training.",
        ),
    ] {
        let r = app.post("/api/v1/initiatives", tok, &json!({"title": title, "summary": summary, "description": description, "kind": "msp"})).await;
        assert_eq!(r.status, 201);
    }
    let s = |q: &str| {
        let app = app.clone();
        let url = format!("/api/v1/initiatives?q={q}");
        let token = ed.token.clone();
        async move { app.get(&url, Some(&token)).await }
    };
    assert_eq!(
        titles(&s("school%20connectivity").await),
        ["Macedonia Connects"],
        "every word must match"
    );
    assert_eq!(
        titles(&s("SCHOOL").await),
        ["Macedonia Connects", "Mali CLIC"],
        "case-insensitive, ranked by relevance"
    );
    assert_eq!(titles(&s("connectivity").await).len(), 2);
    // Pages of a ranked search follow the ranking, with the total of all matches.
    let second = s("school&per_page=1&page=2").await;
    assert_eq!(titles(&second), ["Mali CLIC"]);
    assert_eq!(second.body["total"], 2);
    assert!(titles(&s("school&per_page=1&page=3").await).is_empty());
    // Search combines with the other filters.
    assert!(titles(&s("school&kind=ppp").await).is_empty());
    assert_eq!(titles(&s("school&kind=msp").await).len(), 2);
    assert_eq!(
        titles(&s("connectivity&sort=title").await),
        ["Macedonia Connects", "Rwanda vouchers"]
    );
    assert_eq!(s("satellite").await.body["total"], 0);
    assert_eq!(
        s("vouchers%22%20OR%20%22*").await.status,
        200,
        "query syntax is treated as words, never an error"
    );
}

async fn history_records_who_what_and_why(app: TestApp) {
    let t = app.tenant("history").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = app.initiative(&ed.token, "Intel Computer Clubhouses").await;
    let id = i["id"].as_str().unwrap();
    let path = format!("/api/v1/initiatives/{id}");
    let r = app
        .send(
            reqwest::Method::PATCH,
            &path,
            tok,
            &[
                ("If-Match", "\"1\""),
                ("X-Change-Reason", "renamed after the 2005 review"),
            ],
            Some(&json!({"title": "Intel Computer Clubhouse Network", "scale": "international"})),
        )
        .await;
    assert_eq!(r.status, 200);
    add_partner(&app, &ed.token, id, "Intel", "business", "active").await;
    let h = app.get(&format!("{path}/history"), tok).await;
    assert_eq!(h.status, 200);
    assert_eq!(h.body["total"], 3);
    let items = h.body["items"].as_array().unwrap();
    let kinds: Vec<_> = items
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["entity_type"].as_str().unwrap(),
                e["operation"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        kinds,
        ["partner:create", "initiative:update", "initiative:create"],
        "newest first"
    );
    let update = &items[1];
    assert_eq!(update["actor"], ed.user_id.to_string());
    assert_eq!(update["reason"], "renamed after the 2005 review");
    assert_eq!(
        update["changes"],
        json!([
            {"field": "scale", "before": null, "after": "international"},
            // A text field's change names its language (the initiative's own, here).
            {"field": "title", "language": "en", "before": "Intel Computer Clubhouses", "after": "Intel Computer Clubhouse Network"},
        ])
    );
    let paged = app
        .get(&format!("{path}/history?per_page=1&page=3"), tok)
        .await;
    assert_eq!(paged.body["items"][0]["operation"], "create");

    let other = app.tenant("history-other").await;
    let outsider = app.member(&other, Role::Owner).await;
    assert_eq!(
        app.get(&format!("{path}/history"), Some(&outsider.token))
            .await
            .status,
        404
    );
    assert_eq!(app.get(&format!("{path}/history"), None).await.status, 401);
}

async fn another_tenant_cannot_reach_private_initiatives(app: TestApp) {
    let a = app.tenant("owner-a").await;
    let b = app.tenant("other-b").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let owner_b = app.member(&b, Role::Owner).await;
    let private = app
        .initiative(&ed_a.token, "Private school connectivity")
        .await;
    let public = app
        .public_initiative(&ed_a.token, "Public school connectivity")
        .await;
    let own_b = app
        .initiative(&owner_b.token, "B's own school connectivity")
        .await;
    let tok_b = Some(owner_b.token.as_str());
    let org_b = app
        .organization(&owner_b.token, "B's organisation", "private")
        .await;

    for (initiative, read, write) in [(&private, 404, 404), (&public, 200, 403)] {
        let id = initiative["id"].as_str().unwrap();
        let path = format!("/api/v1/initiatives/{id}");
        let version = app.get(&path, Some(&ed_a.token)).await.etag();
        assert_eq!(app.get(&path, tok_b).await.status, read);
        assert_eq!(
            app.get(&format!("{path}/partners"), tok_b).await.status,
            read
        );
        assert_eq!(
            app.patch(&path, tok_b, Some(&version), &json!({"title": "Taken"}))
                .await
                .status,
            write
        );
        assert_eq!(app.delete(&path, tok_b, Some(&version)).await.status, write);
        let add = app
            .post(
                &format!("{path}/partners"),
                tok_b,
                &json!({"organization_id": org_b["id"], "roles": ["implementer"]}),
            )
            .await;
        assert_eq!(add.status, write);
        let partner = app
            .get(&format!("{path}/partners"), Some(&ed_a.token))
            .await
            .body["items"][0]
            .clone();
        if let Some(pid) = partner["id"].as_str() {
            let ppath = format!("{path}/partners/{pid}");
            assert_eq!(app.get(&ppath, tok_b).await.status, read);
            assert_eq!(
                app.patch(&ppath, tok_b, Some("\"1\""), &json!({"status": "former"}))
                    .await
                    .status,
                write
            );
            assert_eq!(app.delete(&ppath, tok_b, Some("\"1\"")).await.status, write);
        }
        assert_eq!(app.get(&format!("{path}/history"), tok_b).await.status, 404);
        assert_eq!(
            app.get(&path, Some(&ed_a.token)).await.etag(),
            version,
            "nothing changed"
        );
    }
    // Search and lists never leak A's private initiative.
    assert_eq!(
        titles(&app.get("/api/v1/initiatives?q=school", tok_b).await),
        ["B's own school connectivity"]
    );
    let mut all = titles(
        &app.get("/api/v1/initiatives?q=school&scope=all&sort=title", tok_b)
            .await,
    );
    all.sort();
    assert_eq!(
        all,
        ["B's own school connectivity", "Public school connectivity"]
    );
    assert_eq!(
        titles(&app.get("/api/v1/initiatives?q=school", None).await),
        ["Public school connectivity"]
    );
    assert_eq!(
        titles(
            &app.get("/api/v1/initiatives?scope=all&visibility=private", tok_b)
                .await
        ),
        ["B's own school connectivity"]
    );
    let _ = own_b;
}

async fn roles_gate_initiative_writes(app: TestApp) {
    let t = app.tenant("roles").await;
    let viewer = app.member(&t, Role::Viewer).await;
    let editor = app.member(&t, Role::Editor).await;
    let i = app.initiative(&editor.token, "Gated").await;
    let path = format!("/api/v1/initiatives/{}", i["id"].as_str().unwrap());
    let tok = Some(viewer.token.as_str());
    assert_eq!(app.get(&path, tok).await.status, 200, "viewers read");
    assert_eq!(
        app.post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "V", "kind": "msp"})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.patch(&path, tok, Some("\"1\""), &json!({"title": "V"}))
            .await
            .status,
        403
    );
    assert_eq!(app.delete(&path, tok, Some("\"1\"")).await.status, 403);
    let org = app.organization(&editor.token, "Org", "private").await;
    assert_eq!(
        app.post(
            &format!("{path}/partners"),
            tok,
            &json!({"organization_id": org["id"], "roles": ["implementer"]})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.post(
            "/api/v1/initiatives",
            None,
            &json!({"title": "A", "kind": "msp"})
        )
        .await
        .status,
        401
    );
    assert_eq!(app.get(&path, Some(&editor.token)).await.etag(), "\"1\"");
}

async fn concurrent_edits_lose_no_update(app: TestApp) {
    let t = app.tenant("race").await;
    let a = app.member(&t, Role::Editor).await;
    let b = app.member(&t, Role::Editor).await;
    let i = app.initiative(&a.token, "Contested").await;
    let path = format!("/api/v1/initiatives/{}", i["id"].as_str().unwrap());
    let (body_a, body_b) = (json!({"summary": "A's"}), json!({"summary": "B's"}));
    let (ra, rb) = tokio::join!(
        app.patch(&path, Some(&a.token), Some("\"1\""), &body_a),
        app.patch(&path, Some(&b.token), Some("\"1\""), &body_b),
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412], "exactly one write wins");
    let winner = if ra.status == 200 { "A's" } else { "B's" };
    assert_eq!(app.get(&path, Some(&a.token)).await.body["summary"], winner);
}

/// The list by one tag and title is answered from the tag table's sort keys; after every kind
/// of write it must give what the general query gives (forced here with an always-true filter).
async fn indexed_tag_lists_match_the_general_query(app: TestApp) {
    let a = app.tenant("ml-reg").await;
    let b = app.tenant("sn-reg").await;
    let ea = app.member(&a, Role::Editor).await;
    let eb = app.member(&b, Role::Editor).await;
    let create = |token: String, title: &'static str, countries: serde_json::Value| {
        let app = app.clone();
        async move {
            let r = app
                .post(
                    "/api/v1/initiatives",
                    Some(&token),
                    &json!({"title": title, "summary": "s", "kind": "msp", "countries": countries,
                            "action_lines": ["C4"], "stage": "implementing"}),
                )
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.body["id"].as_str().unwrap().to_owned()
        }
    };
    let bravo = create(ea.token.clone(), "Bravo", json!(["ML"])).await;
    create(ea.token.clone(), "alpha", json!(["ML"])).await;
    let charlie = create(ea.token.clone(), "Charlie", json!(["ML", "SN"])).await;
    create(ea.token.clone(), "Delta", json!(["SN"])).await;
    let echo = create(ea.token.clone(), "Echo", json!(["ML"])).await;
    let foxtrot = app.public_initiative(&ea.token, "Foxtrot public").await;
    create(eb.token.clone(), "Aardvark", json!(["ML"])).await;
    app.public_initiative(&eb.token, "Zulu public").await;

    // A rename, a lever, a deletion.
    let r = app
        .patch(
            &format!("/api/v1/initiatives/{bravo}"),
            Some(&ea.token),
            Some("\"1\""),
            &json!({"title": "Zebra"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/initiatives/{echo}/levers"),
            Some(&ea.token),
            &[],
            Some(&json!({"levers": ["infrastructure_development"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .delete(
            &format!("/api/v1/initiatives/{charlie}"),
            Some(&ea.token),
            Some("\"1\""),
        )
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);

    let ids = |r: &Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let same = |fast: Resp, slow: Resp, what: &str| {
        assert_eq!(fast.status, 200, "{what}: {:?}", fast.body);
        assert_eq!(slow.status, 200, "{what}: {:?}", slow.body);
        assert_eq!(ids(&fast), ids(&slow), "{what}");
        assert_eq!(fast.body["total"], slow.body["total"], "{what}");
        // Cursors name their list (filters and sort), so they differ; the rest is the same.
        let strip = |mut body: serde_json::Value| {
            body["next_cursor"] = serde_json::Value::Null;
            body["prev_cursor"] = serde_json::Value::Null;
            body
        };
        assert_eq!(strip(fast.body), strip(slow.body), "{what}");
    };
    let general = "&updated_since=2000-01-01T00:00:00Z";
    let cases = [
        ("country=ML", Some(ea.token.as_str())),
        ("country=ML&sort=-title", Some(ea.token.as_str())),
        ("country=ML&per_page=2&page=2", Some(ea.token.as_str())),
        ("country=ML&scope=public", Some(ea.token.as_str())),
        ("country=ML", None),
        ("country=ML&sort=-title&per_page=1&page=2", None),
        ("lever=infrastructure_development", Some(ea.token.as_str())),
        ("action_line=C4", Some(ea.token.as_str())),
        ("country=ML", Some(eb.token.as_str())),
    ];
    for (query, token) in cases {
        let fast = app
            .get(&format!("/api/v1/initiatives?{query}"), token)
            .await;
        let slow = app
            .get(&format!("/api/v1/initiatives?{query}{general}"), token)
            .await;
        same(fast, slow, query);
    }
    let mine = app
        .get("/api/v1/initiatives?country=ML", Some(&ea.token))
        .await;
    assert_eq!(titles(&mine), ["alpha", "Echo", "Foxtrot public", "Zebra"]);
    let public = app.get("/api/v1/initiatives?country=ML", None).await;
    assert_eq!(titles(&public), ["Foxtrot public", "Zulu public"]);

    // Made private again, it leaves the public list at once.
    let id = foxtrot["id"].as_str().unwrap();
    let current = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(&ea.token))
        .await;
    let r = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            Some(&ea.token),
            Some(&current.etag()),
            &json!({"visibility": "private"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let fast = app.get("/api/v1/initiatives?country=ML", None).await;
    assert_eq!(titles(&fast), ["Zulu public"]);
    let slow = app
        .get(&format!("/api/v1/initiatives?country=ML{general}"), None)
        .await;
    same(fast, slow, "after unpublishing");
}

/// Lists and details are served from the read cache between writes: each tenant (and the
/// anonymous public) gets its own answers, and any write — to the initiative, a child, or a
/// partner's organisation — is seen by the very next read.
async fn cached_reads_are_per_tenant_and_end_with_any_write(app: TestApp) {
    let ta = app.tenant("cache-a").await;
    let tb = app.tenant("cache-b").await;
    let a = app.member(&ta, Role::Editor).await;
    let b = app.member(&tb, Role::Editor).await;
    let alpha = app.initiative(&a.token, "Alpha").await;
    app.initiative(&b.token, "Beta").await;
    let list = "/api/v1/initiatives?sort=title";
    for _ in 0..2 {
        assert_eq!(titles(&app.get(list, Some(&a.token)).await), ["Alpha"]);
        assert_eq!(titles(&app.get(list, Some(&b.token)).await), ["Beta"]);
        assert!(titles(&app.get(list, None).await).is_empty());
    }
    let id = alpha["id"].as_str().unwrap();
    let path = format!("/api/v1/initiatives/{id}");
    for _ in 0..2 {
        assert_eq!(app.get(&path, Some(&a.token)).await.status, 200);
        assert_eq!(app.get(&path, Some(&b.token)).await.status, 404);
        assert_eq!(app.get(&path, None).await.status, 404);
    }

    // A child write: the detail and the list show the partner's sector at once.
    let r = add_partner(&app, &a.token, id, "Kiosk Co", "business", "active").await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let detail = app.get(&path, Some(&a.token)).await;
    assert_eq!(detail.body["version"], 2);
    assert_eq!(detail.body["sectors"], json!(["business"]));
    let by_sector = "/api/v1/initiatives?sector=business";
    assert_eq!(titles(&app.get(by_sector, Some(&a.token)).await), ["Alpha"]);

    // A write to the organisation alone changes what the sector filter finds.
    let org = r.body["organization"]["id"].as_str().unwrap();
    let org_path = format!("/api/v1/organizations/{org}");
    let r = app
        .patch(
            &org_path,
            Some(&a.token),
            Some("\"1\""),
            &json!({"sector": "academia"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(titles(&app.get(by_sector, Some(&a.token)).await).is_empty());
    assert_eq!(
        app.get(&path, Some(&a.token)).await.body["sectors"],
        json!(["academia"])
    );

    // Publishing reaches the other tenant and anonymous callers on their next read.
    let r = app
        .patch(&path, Some(&a.token), Some("\"2\""), &json!({"summary": "Kiosks", "countries": ["KE"], "action_lines": ["C2"], "visibility": "public"}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.get(&path, Some(&b.token)).await.status, 200);
    assert_eq!(titles(&app.get(list, None).await), ["Alpha"]);
    assert_eq!(
        titles(
            &app.get("/api/v1/initiatives?scope=all&sort=title", Some(&b.token))
                .await
        ),
        ["Alpha", "Beta"]
    );
    // A delete, too.
    assert_eq!(
        app.delete(&path, Some(&a.token), Some("\"3\""))
            .await
            .status,
        204
    );
    assert_eq!(app.get(&path, None).await.status, 404);
    assert!(titles(&app.get(list, None).await).is_empty());
}

/// The GraphQL request of the tests below.
async fn gql(app: &TestApp, query: &str, variables: serde_json::Value, token: &str) -> Resp {
    crate::graphql::graphql(app, query, variables, Some(token)).await
}

async fn a_stage_change_carries_the_day_it_happened(app: TestApp) {
    let t = app.tenant("stage-days").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let today = chrono::Utc::now().date_naive().to_string();
    // A partnership started in 2005, registered today.
    let created = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Programa para o Futuro", "kind": "msp", "stage": "agree_vision", "changed_on": "2005-01-10"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["stage_changed_on"], "2005-01-10");
    assert_eq!(created.body["stage_changes"][0]["changed_on"], "2005-01-10");
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/initiatives/{id}");

    let next = app
        .patch(
            &path,
            tok,
            Some("\"1\""),
            &json!({"stage": "agree_purpose", "changed_on": "2005-03-01"}),
        )
        .await;
    assert_eq!(next.status, 200, "{:?}", next.body);
    assert_eq!(next.body["stage_changed_on"], "2005-03-01");
    let days: Vec<&str> = next.body["stage_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["changed_on"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2005-01-10", "2005-03-01"]);

    // Refused: a future day, a day before the previous change, a day without a stage change;
    // each a 422 naming `changed_on`, and nothing stored.
    for (body, code) in [
        (
            json!({"stage": "agree_objectives", "changed_on": "2999-01-01"}),
            "in_future",
        ),
        (
            json!({"stage": "agree_objectives", "changed_on": "2005-02-28"}),
            "journey_order",
        ),
        (
            json!({"title": "Renamed", "changed_on": "2005-04-01"}),
            "without_stage_change",
        ),
    ] {
        let r = app.patch(&path, tok, Some("\"2\""), &body).await;
        assert_eq!(r.status, 422, "{body}: {:?}", r.body);
        assert_eq!(r.error_fields(), ["changed_on"], "{body}");
        assert_eq!(r.body["errors"][0]["code"], code, "{body}: {:?}", r.body);
    }
    let future = app
        .post(
            "/api/v1/initiatives",
            tok,
            &json!({"title": "Not yet", "kind": "msp", "changed_on": "2999-01-01"}),
        )
        .await;
    assert_eq!(future.status, 422);
    assert_eq!(future.error_fields(), ["changed_on"]);

    // The history shows the day as it shows the stage.
    let history = app.get(&format!("{path}/history"), tok).await;
    let changes = history.body["items"][0]["changes"].as_array().unwrap();
    let change = |field: &str| {
        changes
            .iter()
            .find(|c| c["field"] == field)
            .unwrap_or_else(|| panic!("no {field} in {changes:?}"))
            .clone()
    };
    assert_eq!(change("stage")["after"], "agree_purpose");
    assert_eq!(change("stage_changed_on")["before"], "2005-01-10");
    assert_eq!(change("stage_changed_on")["after"], "2005-03-01");

    // GraphQL: the same rule, and the day by default today.
    let update = r#"mutation($id: UUID!, $v: Int!, $input: InitiativePatchInput!) {
        updateInitiative(id: $id, expectedVersion: $v, input: $input) {
          stageChangedOn stageChanges { to changedOn }
        }
      }"#;
    let r = gql(
        &app,
        update,
        json!({"id": id, "v": 2, "input": {"stage": "AGREE_OBJECTIVES", "changedOn": "2004-12-31"}}),
        &ed.token,
    )
    .await;
    assert_eq!(crate::graphql::codes(&r), ["VALIDATION"], "{:?}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["errors"][0]["field"],
        "changedOn"
    );
    let r = gql(
        &app,
        update,
        json!({"id": id, "v": 2, "input": {"stage": "AGREE_OBJECTIVES", "changedOn": "2006-06-01"}}),
        &ed.token,
    )
    .await;
    assert!(r.body["errors"].is_null(), "{:?}", r.body);
    let done = &r.body["data"]["updateInitiative"];
    assert_eq!(done["stageChangedOn"], "2006-06-01");
    assert_eq!(done["stageChanges"][2]["changedOn"], "2006-06-01");
    let r = gql(
        &app,
        update,
        json!({"id": id, "v": 3, "input": {"stage": "AGREE_RESOURCES"}}),
        &ed.token,
    )
    .await;
    assert_eq!(
        r.body["data"]["updateInitiative"]["stageChangedOn"],
        today.as_str(),
        "{:?}",
        r.body
    );

    // Exports show it: the JSON record and the CSV column.
    let json_export = app.get("/api/v1/export/initiatives?format=json", tok).await;
    assert_eq!(json_export.status, 200);
    assert_eq!(json_export.body[0]["stage_changed_on"], today.as_str());
    let csv = app
        .client
        .get(app.url("/api/v1/export/initiatives?format=csv"))
        .bearer_auth(&ed.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = header
        .iter()
        .position(|h| *h == "stage_changed_on")
        .unwrap();
    assert_eq!(header[column - 1], "stage");
    assert!(
        lines.any(|l| l.contains(&format!("agree_resources,{today}"))),
        "{csv}"
    );
}

async fn action_lines_include_their_sub_lines(app: TestApp) {
    let t = app.tenant("sub-lines").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    for (title, lines) in [
        ("E-business", json!(["C7.e-business"])),
        ("Applications", json!(["C7"])),
        ("E-health", json!(["C7.e-health", "C2"])),
        ("Infrastructure", json!(["C2"])),
        ("Governance", json!(["C1"])),
        ("Cooperation", json!(["C11"])),
    ] {
        let r = app
            .post(
                "/api/v1/initiatives",
                tok,
                &json!({"title": title, "kind": "msp", "action_lines": lines}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let list = |q: &str| format!("/api/v1/initiatives?{q}");
    assert_eq!(
        titles(&app.get(&list("action_line=C7"), tok).await),
        ["Applications", "E-business", "E-health"]
    );
    assert_eq!(
        titles(&app.get(&list("action_line=c7.E-Business"), tok).await),
        ["E-business"],
        "a sub-line matches only itself"
    );
    assert_eq!(
        titles(&app.get(&list("action_line=C1"), tok).await),
        ["Governance"],
        "C1 is not C10 or C11"
    );
    assert_eq!(
        titles(&app.get(&list("action_line=C2,C7"), tok).await),
        ["Applications", "E-business", "E-health", "Infrastructure"]
    );
    assert_eq!(app.get(&list("action_line=C7"), tok).await.body["total"], 3);
    // The export takes the same filter.
    let export = app
        .get("/api/v1/export/initiatives?format=json&action_line=C7", tok)
        .await;
    assert_eq!(export.body.as_array().unwrap().len(), 3);
    // And GraphQL.
    let r = gql(
        &app,
        r#"{ initiatives(filter: {actionLine: "C7"}) { nodes { title } } }"#,
        json!({}),
        &ed.token,
    )
    .await;
    assert_eq!(
        r.body["data"]["initiatives"]["nodes"],
        json!([{"title": "Applications"}, {"title": "E-business"}, {"title": "E-health"}])
    );
}

async fn form_sdg_target_and_agreement_status_filter_the_list(app: TestApp) {
    let t = app.tenant("practice-filters").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let mut ids = std::collections::HashMap::new();
    for (title, form, targets) in [
        ("Schools network", "network", json!(["4.1", "9.c"])),
        ("Clinic project", "project", json!(["3.8"])),
        ("Literacy project", "project", json!(["4.1"])),
    ] {
        let r = app
            .post(
                "/api/v1/initiatives",
                tok,
                &json!({"title": title, "kind": "msp", "form": form, "sdg_targets": targets}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.insert(title, r.body["id"].as_str().unwrap().to_owned());
    }
    for (title, status, signed) in [
        ("Schools network", "active", Some("2005-02-01")),
        ("Clinic project", "draft", None),
    ] {
        let r = app
            .post(
                &format!("/api/v1/initiatives/{}/agreements", ids[title]),
                tok,
                &json!({"agreement_type": "partnership_agreement", "title": "Agreement", "status": status, "signed_on": signed}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let list = |q: &str| format!("/api/v1/initiatives?{q}");
    assert_eq!(
        titles(&app.get(&list("form=project"), tok).await),
        ["Clinic project", "Literacy project"]
    );
    assert_eq!(
        titles(&app.get(&list("sdg_target=4.1"), tok).await),
        ["Literacy project", "Schools network"]
    );
    assert_eq!(
        titles(&app.get(&list("sdg_target=9.C,3.8"), tok).await),
        ["Clinic project", "Schools network"]
    );
    assert_eq!(app.get(&list("sdg_target=4.1"), tok).await.body["total"], 2);
    assert_eq!(
        titles(&app.get(&list("agreement_status=active"), tok).await),
        ["Schools network"]
    );
    assert_eq!(
        titles(
            &app.get(&list("agreement_status=draft&form=project"), tok)
                .await
        ),
        ["Clinic project"]
    );
    assert!(titles(&app.get(&list("agreement_status=terminated"), tok).await).is_empty());
    // Unknown values are refused as the other filters' are.
    for q in [
        "form=consortium",
        "sdg_target=4.99",
        "sdg_target=4.1,",
        "agreement_status=pending",
    ] {
        let r = app.get(&list(q), tok).await;
        assert_eq!(r.status, 400, "{q}: {:?}", r.body);
    }
    // The export takes them too.
    let export = app
        .get(
            "/api/v1/export/initiatives?format=json&form=project&sdg_target=4.1",
            tok,
        )
        .await;
    assert_eq!(export.status, 200, "{:?}", export.body);
    assert_eq!(export.body.as_array().unwrap().len(), 1);
    assert_eq!(export.body[0]["title"], "Literacy project");
    // And GraphQL's filter.
    let query = r#"query($f: InitiativeFilter) { initiatives(filter: $f) { nodes { title } } }"#;
    let nodes = |r: &Resp| r.body["data"]["initiatives"]["nodes"].clone();
    let r = gql(
        &app,
        query,
        json!({"f": {"form": "PROJECT", "sdgTarget": "4.1"}}),
        &ed.token,
    )
    .await;
    assert_eq!(
        nodes(&r),
        json!([{"title": "Literacy project"}]),
        "{:?}",
        r.body
    );
    let r = gql(
        &app,
        query,
        json!({"f": {"agreementStatus": "ACTIVE"}}),
        &ed.token,
    )
    .await;
    assert_eq!(
        nodes(&r),
        json!([{"title": "Schools network"}]),
        "{:?}",
        r.body
    );
    let r = gql(&app, query, json!({"f": {"sdgTarget": "4.99"}}), &ed.token).await;
    assert_eq!(crate::graphql::codes(&r), ["BAD_REQUEST"], "{:?}", r.body);
}

/// What a database written before stage changes kept their day holds (migration 19 adds the
/// columns empty): the day a change was recorded stands for the day it happened.
async fn stage_changes_recorded_before_their_day_was_kept_show_the_day_recorded(app: TestApp) {
    use sea_orm::ConnectionTrait;
    let t = app.tenant("stage-days-old").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let created = app.initiative(&ed.token, "Recorded long ago").await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/initiatives/{id}");
    let db = app.registry.db();
    let backend = db.get_database_backend();
    for sql in [
        "UPDATE stage_change SET changed_on = NULL, changed_at = '2019-05-06 10:00:00+00:00'",
        "UPDATE initiative SET stage_changed_on = NULL, stage_changed_at = '2019-05-06 10:00:00+00:00'",
        "DELETE FROM initiative_document",
    ] {
        db.execute_raw(sea_orm::Statement::from_string(backend, sql))
            .await
            .unwrap();
    }
    let built = service::initiatives::document::backfill(db).await.unwrap();
    assert_eq!(built, 1);
    let read = app.get(&path, tok).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.body["stage_changed_on"], "2019-05-06");
    assert_eq!(read.body["stage_changes"][0]["changed_on"], "2019-05-06");
    // The journey order holds against that day.
    let early = app
        .patch(
            &path,
            tok,
            Some("\"1\""),
            &json!({"stage": "reviewing", "changed_on": "2019-05-05"}),
        )
        .await;
    assert_eq!(early.status, 422, "{:?}", early.body);
    assert_eq!(early.error_fields(), ["changed_on"]);
    let later = app
        .patch(
            &path,
            tok,
            Some("\"1\""),
            &json!({"stage": "reviewing", "changed_on": "2019-05-06"}),
        )
        .await;
    assert_eq!(later.status, 200, "{:?}", later.body);
    assert_eq!(later.body["stage_changed_on"], "2019-05-06");
}
