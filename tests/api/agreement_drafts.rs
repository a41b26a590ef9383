//! The partnering agreement: its essential elements (structured, validated), the template they
//! follow, the draft rendered from the record (Markdown, HTML), signing, freezing and the new
//! version that supersedes a signed one; tenancy and GraphQL parity.

use msp_tests::{TestApp, both_databases, json};
use reqwest::Method;
use serde_json::Value;
use service::Role;

use crate::{
    contributions::{Setup, add_partner, setup},
    graphql::graphql,
};

both_databases!(
    the_template_lists_each_element_with_its_journey_step,
    elements_round_trip_and_a_patch_replaces_them,
    each_bad_element_is_named,
    the_draft_is_filled_from_the_record_and_marks_what_is_missing,
    the_html_draft_is_a_printable_escaped_page,
    a_draft_in_an_unknown_format_is_406,
    signing_records_who_and_when_and_the_last_signature_freezes_the_text,
    a_new_version_supersedes_a_signed_agreement,
    drafts_and_signatures_follow_tenancy,
    the_date_rule_judges_the_merged_record,
    graphql_has_the_elements_the_draft_and_signing,
    the_health_check_reads_the_signatories_level,
    the_demo_shows_an_agreement_draft_and_senior_commitment,
    the_draft_speaks_the_readers_language,
);

fn path(initiative: &str) -> String {
    format!("/api/v1/initiatives/{initiative}/agreements")
}

/// A contribution of `partner`; its id.
async fn contribution(app: &TestApp, s: &Setup, partner: &str, description: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/initiatives/{}/contributions", s.initiative),
            Some(&s.editor.token),
            &json!({"partner_id": partner, "resource_kind": "hardware", "description": description}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

fn elements(s: &Setup, second: &str, contribution: &str) -> Value {
    json!({
        "representatives": [
            {"partner_id": s.partner, "name": "A. Bello", "title": "Minister", "level": "executive"},
            {"partner_id": second, "name": "C. Diallo", "level": "manager"},
        ],
        "context": "Schools lack connectivity.",
        "purpose": "Connect every school of the region.",
        "objectives": ["200 schools by 2027"],
        "roles": [{"partner_id": second, "responsibilities": "Installs the labs", "contribution_ids": [contribution]}],
        "governance": {"decision_making": "By consensus", "meetings": "Quarterly"},
    })
}

/// An initiative with two partners, a contribution of the second, and a draft agreement
/// between them with most elements: (setup, second partner, agreement path, contribution).
async fn drafted(app: &TestApp, slug: &str) -> (Setup, String, String, String) {
    let s = setup(app, slug).await;
    let second = add_partner(app, &s.editor.token, &s.initiative, "Telecentre Network").await;
    let c = contribution(app, &s, &second, "Forty refurbished computers").await;
    let r = app
        .post(
            &path(&s.initiative),
            Some(&s.editor.token),
            &json!({"agreement_type": "partnership_agreement", "title": "Connectivity partnership",
                    "parties": [s.partner, second], "elements": elements(&s, &second, &c)}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let one = format!("{}/{}", path(&s.initiative), r.body["id"].as_str().unwrap());
    (s, second, one, c)
}

async fn draft(app: &TestApp, one: &str, token: Option<&str>, accept: &str) -> msp_tests::Resp {
    app.send(
        Method::GET,
        &format!("{one}/draft"),
        token,
        &[("Accept", accept)],
        None,
    )
    .await
}

async fn the_template_lists_each_element_with_its_journey_step(app: TestApp) {
    let r = app.get("/api/v1/reference/agreement-template", None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let items = r.body.as_array().unwrap();
    let code = |c: &str| items.iter().find(|e| e["code"] == c).unwrap();
    assert_eq!(code("parties")["journey_step"], "understand_context");
    assert_eq!(code("vision")["journey_step"], "agree_vision");
    assert_eq!(code("roles")["journey_step"], "agree_resources");
    assert_eq!(code("governance")["journey_step"], "structure");
    assert_eq!(code("signatures")["journey_step"], "sign_agreement");
    assert!(
        items
            .iter()
            .all(|e| !e["guidance"].as_str().unwrap().is_empty())
    );
    let cached = app
        .send(
            Method::GET,
            "/api/v1/reference/agreement-template",
            None,
            &[("If-None-Match", &r.etag())],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);
    // The vocabularies beside it still answer.
    assert_eq!(app.get("/api/v1/reference/sectors", None).await.status, 200);
}

async fn elements_round_trip_and_a_patch_replaces_them(app: TestApp) {
    let (s, second, one, c) = drafted(&app, "elements-trip").await;
    let tok = Some(s.editor.token.as_str());
    let read = app.get(&one, tok).await;
    let e = &read.body["elements"];
    assert_eq!(e["representatives"][0]["level"], "executive");
    assert_eq!(e["representatives"][1]["title"], Value::Null);
    assert_eq!(e["roles"][0]["contribution_ids"][0], c.as_str());
    assert_eq!(e["governance"]["meetings"], "Quarterly");
    assert_eq!(e["vision"], Value::Null);
    assert_eq!(read.body["signatures"], json!([]));

    let only_vision = app
        .patch(
            &one,
            tok,
            Some("\"1\""),
            &json!({"elements": {"vision": "  Every school connected "}}),
        )
        .await;
    assert_eq!(only_vision.status, 200, "{:?}", only_vision.body);
    let e = &only_vision.body["elements"];
    assert_eq!(e["vision"], "Every school connected", "trimmed");
    assert_eq!(
        e["representatives"],
        json!([]),
        "the elements are replaced whole"
    );
    let title_only = app
        .patch(&one, tok, Some("\"2\""), &json!({"title": "Renamed"}))
        .await;
    assert_eq!(
        title_only.body["elements"]["vision"], "Every school connected",
        "absent stays"
    );
    let cleared = app
        .patch(&one, tok, Some("\"3\""), &json!({"elements": null}))
        .await;
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.body["elements"]["vision"], Value::Null);
    // Dropping a party the elements still name is refused by the elements' rule.
    let roles = app
        .patch(
            &one,
            tok,
            Some("\"4\""),
            &json!({"elements": elements(&s, &second, &c)}),
        )
        .await;
    assert_eq!(roles.status, 200);
    let narrowed = app
        .patch(&one, tok, Some("\"5\""), &json!({"parties": [s.partner]}))
        .await;
    assert_eq!(narrowed.status, 422, "{:?}", narrowed.body);
    assert!(
        narrowed
            .error_fields()
            .contains(&"elements.roles[0].partner_id".to_owned())
    );
}

async fn each_bad_element_is_named(app: TestApp) {
    let (s, second, _, c) = drafted(&app, "elements-bad").await;
    let other = contribution(&app, &s, &s.partner, "Licences").await;
    let outsider = add_partner(&app, &s.editor.token, &s.initiative, "Not a party").await;
    let r = app
        .post(
            &path(&s.initiative),
            Some(&s.editor.token),
            &json!({"agreement_type": "contract", "title": " ", "parties": [s.partner, second],
            "elements": {
                "representatives": [{"partner_id": outsider, "name": " ", "level": "senior"}],
                "objectives": ["ok", "  "],
                "roles": [{"partner_id": second, "responsibilities": "Labs",
                           "contribution_ids": [c, other, "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d"]}],
                "term": {"starts_on": "2026-05-01", "ends_on": "2026-01-01"},
            }}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.code(), "validation");
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "elements.objectives[1]",
            "elements.representatives[0].name",
            "elements.representatives[0].partner_id",
            "elements.roles[0].contribution_ids[1]",
            "elements.roles[0].contribution_ids[2]",
            "elements.term.ends_on",
            "title",
        ]
    );
    let level = app
        .post(
            &path(&s.initiative),
            Some(&s.editor.token),
            &json!({"agreement_type": "contract", "title": "T", "parties": [s.partner],
                "elements": {"representatives": [{"partner_id": s.partner, "name": "X", "level": "boss"}]}}),
        )
        .await;
    assert!(matches!(level.status, 400 | 422), "{:?}", level.body);
    let list = app.get(&path(&s.initiative), Some(&s.editor.token)).await;
    assert_eq!(list.body["total"], 1, "nothing was written");
}

async fn the_draft_is_filled_from_the_record_and_marks_what_is_missing(app: TestApp) {
    let (s, _, one, _) = drafted(&app, "draft-md").await;
    let tok = Some(s.editor.token.as_str());
    let md = app.get(&format!("{one}/draft"), tok).await;
    assert_eq!(md.status, 200, "{:?}", md.body);
    assert!(
        md.header("content-type")
            .unwrap()
            .starts_with("text/markdown")
    );
    assert_eq!(md.header("content-language").as_deref(), Some("en"));
    let text = md.body.as_str().unwrap();
    assert!(text.starts_with("# Connectivity partnership"), "{text}");
    assert!(text.contains("Mali CLIC"), "the initiative's title");
    assert!(
        text.contains("**Ministry of Communication** (government)")
            || text.contains("**Ministry of Communication**")
    );
    assert!(
        text.contains("represented by A\\. Bello, Minister, executive level"),
        "{text}"
    );
    assert!(text.contains("Telecentre Network"));
    assert!(
        text.contains("Forty refurbished computers"),
        "the contribution: {text}"
    );
    assert!(text.contains("Installs the labs"));
    assert!(text.contains("By consensus"));
    // Missing elements name the step that produces them.
    assert!(
        text.contains("*Not yet agreed — produced at the “agree an overarching vision” step.*"),
        "{text}"
    );
    assert!(text.contains("*Not yet agreed — produced at the “structure the partnership” step.*"));
    assert!(text.contains("*Not yet signed*"));

    let json_draft = draft(&app, &one, tok, "application/json").await;
    assert_eq!(json_draft.status, 200);
    let missing: Vec<&str> = json_draft.body["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(missing, ["vision", "term", "signatures", "document"]);
    assert_eq!(json_draft.body["markdown"], text);
    // Anonymous readers cannot see a private initiative's draft.
    assert_eq!(app.get(&format!("{one}/draft"), None).await.status, 404);
}

async fn the_html_draft_is_a_printable_escaped_page(app: TestApp) {
    let (s, _, one, _) = drafted(&app, "draft-html").await;
    let tok = Some(s.editor.token.as_str());
    let hostile = app
        .patch(
            &one,
            tok,
            Some("\"1\""),
            &json!({"title": "<script>alert(1)</script> & co", "elements": {"vision": "<img src=x onerror=alert(1)> [link](javascript:alert(1))"}}),
        )
        .await;
    assert_eq!(hostile.status, 200, "{:?}", hostile.body);
    let r = draft(&app, &one, tok, "text/html").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(
        r.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = r.body.as_str().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<style>"), "inline CSS");
    assert!(html.contains("@media print"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"),
        "{html}"
    );
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("href=\"javascript"));
    assert!(html.contains("Telecentre Network"));
    assert!(html.contains("Not yet agreed"));
    // A browser's Accept prefers the HTML page.
    let browser = draft(&app, &one, tok, "text/html,application/xhtml+xml,*/*;q=0.8").await;
    assert!(
        browser
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
}

async fn a_draft_in_an_unknown_format_is_406(app: TestApp) {
    let (s, _, one, _) = drafted(&app, "draft-406").await;
    let r = draft(&app, &one, Some(&s.editor.token), "application/pdf").await;
    assert_eq!(r.status, 406, "{:?}", r.body);
    assert_eq!(r.code(), "not_acceptable");
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/problem+json")
    );
    let any = draft(&app, &one, Some(&s.editor.token), "*/*").await;
    assert!(
        any.header("content-type")
            .unwrap()
            .starts_with("text/markdown")
    );
}

async fn sign(app: &TestApp, one: &str, token: &str, body: Value) -> msp_tests::Resp {
    app.post(&format!("{one}/signatures"), Some(token), &body)
        .await
}

async fn signing_records_who_and_when_and_the_last_signature_freezes_the_text(app: TestApp) {
    let (s, second, one, _) = drafted(&app, "sign").await;
    let tok = s.editor.token.as_str();
    let first = sign(&app, &one, tok, json!({"partner_id": s.partner})).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.etag(), "\"2\"");
    assert_eq!(first.body["status"], "draft", "one party of two");
    let sig = &first.body["signatures"][0];
    assert_eq!(
        sig["representative"], "A. Bello",
        "the representative the elements name"
    );
    assert_eq!(sig["signed_by"], s.editor.user_id.to_string().as_str());
    assert!(sig["signed_at"].is_string());

    let again = sign(&app, &one, tok, json!({"partner_id": s.partner})).await;
    assert_eq!(again.status, 409);
    let outsider = add_partner(&app, tok, &s.initiative, "Bystander").await;
    let not_party = sign(
        &app,
        &one,
        tok,
        json!({"partner_id": outsider, "representative": "X"}),
    )
    .await;
    assert_eq!(not_party.status, 422);
    assert_eq!(not_party.error_fields(), ["partner_id"]);

    let last = sign(
        &app,
        &one,
        tok,
        json!({"partner_id": second, "representative": "K. Mensah"}),
    )
    .await;
    assert_eq!(last.status, 200, "{:?}", last.body);
    assert_eq!(last.body["status"], "signed");
    assert!(
        last.body["signed_on"].is_string(),
        "dated the day it was signed"
    );
    assert_eq!(last.body["signatures"][1]["representative"], "K. Mensah");

    // Frozen: the text cannot change; the status and document link still may.
    let retitle = app
        .patch(&one, Some(tok), Some("\"3\""), &json!({"title": "Other"}))
        .await;
    assert_eq!(retitle.status, 409, "{:?}", retitle.body);
    assert!(
        retitle.body["detail"]
            .as_str()
            .unwrap()
            .contains("supersedes")
    );
    let elements = app
        .patch(
            &one,
            Some(tok),
            Some("\"3\""),
            &json!({"elements": {"vision": "New"}}),
        )
        .await;
    assert_eq!(elements.status, 409);
    let back = app
        .patch(&one, Some(tok), Some("\"3\""), &json!({"status": "draft"}))
        .await;
    assert_eq!(back.status, 409);
    let same_title = app
        .patch(&one, Some(tok), Some("\"3\""), &json!({"title": "Connectivity partnership", "status": "active", "document_url": "https://example.org/signed.pdf"}))
        .await;
    assert_eq!(same_title.status, 200, "{:?}", same_title.body);
    assert_eq!(same_title.body["status"], "active");

    let history = app
        .get(
            &format!("/api/v1/initiatives/{}/history", s.initiative),
            Some(tok),
        )
        .await;
    let signed: Vec<&Value> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["entity_type"] == "agreement"
                && e["operation"] == "update"
                && e["changes"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c["field"] == "signatures"))
        })
        .collect();
    assert_eq!(signed.len(), 2, "each signature is in the history");
}

async fn a_new_version_supersedes_a_signed_agreement(app: TestApp) {
    let (s, second, one, _) = drafted(&app, "supersede").await;
    let tok = s.editor.token.as_str();
    for partner in [&s.partner, &second] {
        let r = sign(
            &app,
            &one,
            tok,
            json!({"partner_id": partner, "representative": "R"}),
        )
        .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let old_id = one.rsplit('/').next().unwrap();
    let new = app
        .post(
            &path(&s.initiative),
            Some(tok),
            &json!({"agreement_type": "partnership_agreement", "title": "Connectivity partnership, 2nd edition",
                    "parties": [s.partner, second], "supersedes": old_id}),
        )
        .await;
    assert_eq!(new.status, 201, "{:?}", new.body);
    assert_eq!(new.body["supersedes"], old_id);
    let old = app.get(&one, Some(tok)).await;
    assert_eq!(old.body["superseded_by"], new.body["id"]);
    let listed = app.get(&path(&s.initiative), Some(tok)).await;
    assert_eq!(listed.body["items"][0]["superseded_by"], new.body["id"]);
    let draft_md = app.get(&format!("{one}/draft"), Some(tok)).await;
    assert!(
        draft_md
            .body
            .as_str()
            .unwrap()
            .contains("Superseded by agreement")
    );

    let twice = app
        .post(
            &path(&s.initiative),
            Some(tok),
            &json!({"agreement_type": "contract", "title": "Another", "supersedes": old_id}),
        )
        .await;
    assert_eq!(twice.status, 422);
    assert_eq!(twice.error_fields(), ["supersedes"]);
    let elsewhere = app
        .post(
            &path(&s.initiative),
            Some(tok),
            &json!({"agreement_type": "contract", "title": "Another", "supersedes": s.partner}),
        )
        .await;
    assert_eq!(elsewhere.status, 422);
}

async fn drafts_and_signatures_follow_tenancy(app: TestApp) {
    let (s, _, one, _) = drafted(&app, "draft-tenancy").await;
    let other = app.tenant("draft-tenancy-other").await;
    let stranger = app.member(&other, Role::Owner).await;
    let r = app
        .get(&format!("{one}/draft"), Some(&stranger.token))
        .await;
    assert_eq!(r.status, 404);
    let missing = app
        .get(
            &format!(
                "{}/0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d/draft",
                path(&s.initiative)
            ),
            Some(&s.editor.token),
        )
        .await;
    assert_eq!(
        r.body["code"], missing.body["code"],
        "exactly like a missing one"
    );
    let signed = sign(
        &app,
        &one,
        &stranger.token,
        json!({"partner_id": s.partner}),
    )
    .await;
    assert_eq!(signed.status, 404);
    let viewer = app.member(&s.tenant, Role::Viewer).await;
    let read = app.get(&format!("{one}/draft"), Some(&viewer.token)).await;
    assert_eq!(read.status, 200);
    let by_viewer = sign(&app, &one, &viewer.token, json!({"partner_id": s.partner})).await;
    assert_eq!(by_viewer.status, 403);
    assert_eq!(
        app.get(&one, Some(&s.editor.token)).await.body["signatures"],
        json!([])
    );
}

async fn the_date_rule_judges_the_merged_record(app: TestApp) {
    let s = setup(&app, "merged-date").await;
    let tok = Some(s.editor.token.as_str());
    let next_year = format!(
        "{}-01-01",
        chrono::Utc::now()
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap()
            + 1
    );
    let r = app
        .post(
            &path(&s.initiative),
            tok,
            &json!({"agreement_type": "contract", "title": "Planned", "signed_on": next_year}),
        )
        .await;
    assert_eq!(
        r.status, 201,
        "a draft may carry its planned date: {:?}",
        r.body
    );
    let one = format!("{}/{}", path(&s.initiative), r.body["id"].as_str().unwrap());
    let title = app
        .patch(
            &one,
            tok,
            Some("\"1\""),
            &json!({"title": "Planned contract"}),
        )
        .await;
    assert_eq!(
        title.status, 200,
        "fields it did not send are not held against it: {:?}",
        title.body
    );
    let active = app
        .patch(&one, tok, Some("\"2\""), &json!({"status": "active"}))
        .await;
    assert_eq!(active.status, 422, "judged with the stored date");
    assert_eq!(active.error_fields(), ["signed_on"]);
    assert_eq!(active.body["errors"][0]["code"], "in_future");
    let dated = app
        .patch(
            &one,
            tok,
            Some("\"2\""),
            &json!({"status": "active", "signed_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(dated.status, 200);
}

async fn graphql_has_the_elements_the_draft_and_signing(app: TestApp) {
    let (s, second, one, _) = drafted(&app, "draft-gql").await;
    let tok = Some(s.editor.token.as_str());
    let id = one.rsplit('/').next().unwrap();
    let rest_md = app.get(&format!("{one}/draft"), tok).await;
    let q = graphql(
        &app,
        "query($i: UUID!, $id: UUID!) { agreementDraft(initiativeId: $i, id: $id) { markdown missing html }
           agreementTemplate { code journeyStep } }",
        json!({"i": s.initiative, "id": id}),
        tok,
    )
    .await;
    assert_eq!(q.body["errors"], Value::Null, "{:?}", q.body);
    assert_eq!(q.body["data"]["agreementDraft"]["markdown"], rest_md.body);
    assert!(
        q.body["data"]["agreementDraft"]["html"]
            .as_str()
            .unwrap()
            .contains("<h1>")
    );
    let template = app.get("/api/v1/reference/agreement-template", None).await;
    assert_eq!(
        q.body["data"]["agreementTemplate"]
            .as_array()
            .unwrap()
            .len(),
        template.body.as_array().unwrap().len()
    );

    let added = graphql(
        &app,
        "mutation($i: UUID!, $p: UUID!) { addAgreement(initiativeId: $i, input: {agreementType: WORK_PLAN, title: \"Plan\", parties: [$p],
            elements: {vision: \"Connected\", representatives: [{partnerId: $p, name: \"Z\", level: SENIOR}], term: {review: \"Yearly\"}}}) {
            id elements { vision representatives { name level } term { review } } } }",
        json!({"i": s.initiative, "p": second}),
        tok,
    )
    .await;
    assert_eq!(added.body["errors"], Value::Null, "{:?}", added.body);
    let a = &added.body["data"]["addAgreement"];
    assert_eq!(a["elements"]["representatives"][0]["level"], "SENIOR");
    let rest = app
        .get(
            &format!("{}/{}", path(&s.initiative), a["id"].as_str().unwrap()),
            tok,
        )
        .await;
    assert_eq!(rest.body["elements"]["vision"], "Connected");
    assert_eq!(rest.body["elements"]["term"]["review"], "Yearly");

    let signed = graphql(
        &app,
        "mutation($i: UUID!, $id: UUID!, $p: UUID!) { signAgreement(initiativeId: $i, id: $id, input: {partnerId: $p}) {
            status signatures { representative } } }",
        json!({"i": s.initiative, "id": a["id"], "p": second}),
        tok,
    )
    .await;
    assert_eq!(signed.body["errors"], Value::Null, "{:?}", signed.body);
    assert_eq!(signed.body["data"]["signAgreement"]["status"], "SIGNED");
    assert_eq!(
        signed.body["data"]["signAgreement"]["signatures"][0]["representative"],
        "Z"
    );
    let frozen = graphql(
        &app,
        "mutation($i: UUID!, $id: UUID!) { updateAgreement(initiativeId: $i, id: $id, expectedVersion: 2, input: {title: \"X\"}) { id } }",
        json!({"i": s.initiative, "id": a["id"]}),
        tok,
    )
    .await;
    assert_eq!(
        frozen.body["errors"][0]["extensions"]["code"], "CONFLICT",
        "{:?}",
        frozen.body
    );
}

/// The senior-commitment findings of the initiative's health report.
async fn senior_findings(app: &TestApp, s: &Setup) -> Vec<(String, String)> {
    let r = app
        .get(
            &format!("/api/v1/initiatives/{}/health", s.initiative),
            Some(&s.editor.token),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let senior = r.body["fundamentals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "senior_commitment")
        .unwrap()
        .clone();
    senior["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn the_health_check_reads_the_signatories_level(app: TestApp) {
    let (s, second, one, _) = drafted(&app, "senior").await;
    let tok = s.editor.token.as_str();
    let unsigned = senior_findings(&app, &s).await;
    assert_eq!(unsigned[0].0, "nothing_signed", "{unsigned:?}");

    // A. Bello (executive) signs for the first party, C. Diallo (manager) for the second.
    assert_eq!(
        sign(&app, &one, tok, json!({"partner_id": s.partner}))
            .await
            .status,
        200
    );
    let last = sign(
        &app,
        &one,
        tok,
        json!({"partner_id": second, "representative": "C. Diallo"}),
    )
    .await;
    assert_eq!(last.body["status"], "signed", "{:?}", last.body);

    let found = senior_findings(&app, &s).await;
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["agreement_signed", "signatories_below_senior"]);
    assert!(found[1].1.contains("Telecentre Network"), "{found:?}");
    assert!(!found[1].1.contains("A. Bello"), "{found:?}");
}

async fn the_demo_shows_an_agreement_draft_and_senior_commitment(app: TestApp) {
    app.registry.seed_demo().await.unwrap();
    let found = app.get("/api/v1/initiatives?q=macedonia", None).await;
    let m = found.body["items"][0]["id"].as_str().unwrap().to_owned();
    let listed = app.get(&path(&m), None).await;
    let agreement = listed.body["items"][0]["id"].as_str().unwrap().to_owned();
    let one = format!("{}/{agreement}", path(&m));

    let json_draft = draft(&app, &one, None, "application/json").await;
    assert_eq!(json_draft.status, 200, "{:?}", json_draft.body);
    assert_eq!(
        json_draft.body["missing"],
        json!(["document"]),
        "every element is agreed and it is signed; only the document link is missing"
    );
    let text = json_draft.body["markdown"].as_str().unwrap();
    assert!(
        text.contains("Every primary and secondary school"),
        "{text}"
    );

    let health = app
        .get(&format!("/api/v1/initiatives/{m}/health"), None)
        .await;
    let senior = health.body["fundamentals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "senior_commitment")
        .unwrap();
    assert_eq!(
        senior["findings"][1]["code"], "signatories_senior",
        "{senior}"
    );
}

async fn the_draft_speaks_the_readers_language(app: TestApp) {
    let (s, _, one, _) = drafted(&app, "draft-fr").await;
    let tok = Some(s.editor.token.as_str());
    let english = app.get(&format!("{one}/draft"), tok).await;
    let fr = app
        .send(
            Method::GET,
            &format!("{one}/draft"),
            tok,
            &[("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.5")],
            None,
        )
        .await;
    assert_eq!(fr.status, 200, "{:?}", fr.body);
    assert_eq!(fr.header("content-language").as_deref(), Some("fr"));
    assert_ne!(fr.etag(), english.etag(), "each language has its own ETag");
    let text = fr.body.as_str().unwrap();
    assert!(text.contains("Parties et leurs représentants"), "{text}");
    assert!(
        text.contains(
            "*Pas encore convenu — établi à l'étape « convenir d'une vision d'ensemble ».*"
        ),
        "{text}"
    );
    assert!(
        text.contains("Schools lack connectivity"),
        "the record's text as written"
    );

    let ar = app
        .send(
            Method::GET,
            &format!("{one}/draft?lang=ar"),
            tok,
            &[("Accept", "text/html")],
            None,
        )
        .await;
    assert_eq!(ar.header("content-language").as_deref(), Some("ar"));
    assert!(
        ar.body
            .as_str()
            .unwrap()
            .contains("<html lang=\"ar\" dir=\"rtl\">")
    );

    let bad = app.get(&format!("{one}/draft?lang=1"), tok).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error_fields(), ["lang"]);
}
