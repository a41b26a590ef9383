//! Agreements: between partners of the same initiative, signed ones with their date, scoped and
//! versioned like every child of an initiative.

use msp_tests::{TestApp, both_databases, json};
use reqwest::Method;
use serde_json::Value;
use service::Role;

use crate::contributions::{Setup, add_partner, setup};

both_databases!(
    agreement_lifecycle,
    agreements_are_validated,
    a_signed_or_active_agreement_cannot_be_dated_in_the_future,
    parties_are_partners_of_the_same_initiative,
    agreements_follow_tenancy,
    viewers_cannot_write_agreements,
    agreement_writes_raise_the_initiative_version_and_are_in_the_history,
);

fn path(initiative: &str) -> String {
    format!("/api/v1/initiatives/{initiative}/agreements")
}

async fn agree(app: &TestApp, s: &Setup, body: &Value) -> msp_tests::Resp {
    app.post(&path(&s.initiative), Some(&s.editor.token), body)
        .await
}

async fn agreement_lifecycle(app: TestApp) {
    let s = setup(&app, "agree-life").await;
    let tok = Some(s.editor.token.as_str());
    let second = add_partner(&app, &s.editor.token, &s.initiative, "Telecentre Network").await;
    let created = agree(
        &app,
        &s,
        &json!({
            "agreement_type": "memorandum_of_understanding",
            "title": "  MoU on telecentres ",
            "parties": [second, s.partner],
        }),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag(), "\"1\"");
    let id = created.body["id"].as_str().unwrap();
    let one = format!("{}/{id}", path(&s.initiative));
    assert_eq!(created.header("location").as_deref(), Some(one.as_str()));
    assert_eq!(created.body["title"], "MoU on telecentres", "trimmed");
    assert_eq!(created.body["status"], "draft", "the default");
    assert_eq!(created.body["signed_on"], Value::Null);
    // Parties are resolved, in the order given.
    let parties = created.body["parties"].as_array().unwrap();
    assert_eq!(parties.len(), 2);
    assert_eq!(parties[0]["partner_id"], second.as_str());
    assert_eq!(parties[0]["name"], "Telecentre Network");
    assert_eq!(parties[1]["partner_id"], s.partner.as_str());
    assert_eq!(parties[1]["name"], "Ministry of Communication");
    assert!(parties[1]["organization_id"].is_string());

    let read = app.get(&one, tok).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.etag(), "\"1\"");
    assert_eq!(read.body["parties"], created.body["parties"]);
    let cached = app
        .send(Method::GET, &one, tok, &[("If-None-Match", "\"1\"")], None)
        .await;
    assert_eq!(cached.status, 304);

    let sign = json!({"status": "signed", "signed_on": "2005-02-10", "document_url": "https://example.org/mou.pdf"});
    assert_eq!(app.patch(&one, tok, None, &sign).await.status, 428);
    let stale = app.patch(&one, tok, Some("\"2\""), &sign).await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.code(), "stale_version");
    let signed = app.patch(&one, tok, Some("\"1\""), &sign).await;
    assert_eq!(signed.status, 200, "{:?}", signed.body);
    assert_eq!(signed.etag(), "\"2\"");
    assert_eq!(signed.body["status"], "signed");
    assert_eq!(signed.body["signed_on"], "2005-02-10");
    assert_eq!(signed.body["document_url"], "https://example.org/mou.pdf");
    assert_eq!(
        signed.body["parties"].as_array().unwrap().len(),
        2,
        "absent parties stay"
    );
    // A signed agreement's text is frozen: its parties no longer change (see
    // agreement_drafts.rs for the rest of the rule).
    let narrowed = app
        .patch(&one, tok, Some("\"2\""), &json!({"parties": [s.partner]}))
        .await;
    assert_eq!(narrowed.status, 409, "{:?}", narrowed.body);

    let list = app.get(&path(&s.initiative), tok).await;
    assert_eq!(list.body["total"], 1);
    let filtered = app
        .get(&format!("{}?status=draft", path(&s.initiative)), tok)
        .await;
    assert_eq!(filtered.body["total"], 0);
    let by_type = app
        .get(
            &format!(
                "{}?agreement_type=memorandum_of_understanding",
                path(&s.initiative)
            ),
            tok,
        )
        .await;
    assert_eq!(by_type.body["total"], 1);

    assert_eq!(app.delete(&one, tok, None).await.status, 428);
    assert_eq!(app.delete(&one, tok, Some("\"1\"")).await.status, 412);
    assert_eq!(app.delete(&one, tok, Some("\"2\"")).await.status, 204);
    assert_eq!(app.get(&one, tok).await.status, 404);
}

async fn agreements_are_validated(app: TestApp) {
    let s = setup(&app, "agree-valid").await;
    for (body, field) in [
        (
            json!({"agreement_type": "contract", "title": "Supply contract", "status": "signed"}),
            "signed_on",
        ),
        (
            json!({"agreement_type": "contract", "title": "Supply contract", "status": "active"}),
            "signed_on",
        ),
        (
            json!({"agreement_type": "contract", "title": "   "}),
            "title",
        ),
        (json!({"agreement_type": "contract"}), "title"),
        (
            json!({"agreement_type": "handshake", "title": "T"}),
            "agreement_type",
        ),
        (
            json!({"agreement_type": "contract", "title": "T", "document_url": "ftp://example.org/x"}),
            "document_url",
        ),
        (
            json!({"agreement_type": "contract", "title": "T", "status": "pending"}),
            "status",
        ),
        (
            json!({"agreement_type": "contract", "title": "T", "signed": true}),
            "signed",
        ),
    ] {
        let r = agree(&app, &s, &body).await;
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
    let tok = Some(s.editor.token.as_str());
    assert_eq!(
        app.get(&path(&s.initiative), tok).await.body["total"],
        0,
        "nothing refused was stored"
    );

    // A signed agreement keeps its date: clearing it is refused too.
    let made = agree(
        &app,
        &s,
        &json!({"agreement_type": "work_plan", "title": "Work plan 2005", "status": "active", "signed_on": "2005-01-01"}),
    )
    .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let one = format!(
        "{}/{}",
        path(&s.initiative),
        made.body["id"].as_str().unwrap()
    );
    let cleared = app
        .patch(&one, tok, Some("\"1\""), &json!({"signed_on": null}))
        .await;
    assert_eq!(cleared.status, 422);
    assert_eq!(cleared.error_fields(), ["signed_on"]);
    // An active agreement is frozen: it does not go back to a draft (a new version
    // supersedes it instead).
    let draft = app
        .patch(
            &one,
            tok,
            Some("\"1\""),
            &json!({"signed_on": null, "status": "draft"}),
        )
        .await;
    assert_eq!(draft.status, 409, "{:?}", draft.body);
    // A draft needs no date.
    let planned = agree(
        &app,
        &s,
        &json!({"agreement_type": "work_plan", "title": "Work plan 2006", "signed_on": "2006-01-01"}),
    )
    .await;
    let planned = format!(
        "{}/{}",
        path(&s.initiative),
        planned.body["id"].as_str().unwrap()
    );
    let undated = app
        .patch(&planned, tok, Some("\"1\""), &json!({"signed_on": null}))
        .await;
    assert_eq!(undated.status, 200, "{:?}", undated.body);
    assert_eq!(undated.body["signed_on"], Value::Null);
}

async fn a_signed_or_active_agreement_cannot_be_dated_in_the_future(app: TestApp) {
    let s = setup(&app, "agree-future").await;
    let tok = Some(s.editor.token.as_str());
    for status in ["active", "signed"] {
        let r = agree(
            &app,
            &s,
            &json!({"agreement_type": "partnership_agreement", "title": "Agreement", "status": status, "signed_on": "2030-01-01"}),
        )
        .await;
        assert_eq!(r.status, 422, "{status}: {:?}", r.body);
        assert_eq!(r.error_fields(), ["signed_on"], "{status}: {:?}", r.body);
    }
    // A draft may carry the date it is to be signed on.
    let draft = agree(
        &app,
        &s,
        &json!({"agreement_type": "partnership_agreement", "title": "Agreement", "status": "draft", "signed_on": "2030-01-01"}),
    )
    .await;
    assert_eq!(draft.status, 201, "{:?}", draft.body);
    // ...but it cannot become active with that date.
    let one = format!(
        "{}/{}",
        path(&s.initiative),
        draft.body["id"].as_str().unwrap()
    );
    let activated = app
        .patch(&one, tok, Some("\"1\""), &json!({"status": "active"}))
        .await;
    assert_eq!(activated.status, 422, "{:?}", activated.body);
    assert_eq!(activated.error_fields(), ["signed_on"]);
    // Today is not the future.
    let today = chrono::Utc::now().date_naive().to_string();
    let signed = app
        .patch(
            &one,
            tok,
            Some("\"1\""),
            &json!({"status": "signed", "signed_on": today}),
        )
        .await;
    assert_eq!(signed.status, 200, "{:?}", signed.body);
}

async fn parties_are_partners_of_the_same_initiative(app: TestApp) {
    let s = setup(&app, "agree-parties").await;
    let other = app.initiative(&s.editor.token, "Another initiative").await;
    let other = other["id"].as_str().unwrap();
    let foreign = add_partner(&app, &s.editor.token, other, "Someone else").await;
    let r = agree(
        &app,
        &s,
        &json!({"agreement_type": "partnership_agreement", "title": "PA", "parties": [s.partner, foreign]}),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.error_fields(), ["parties[1]"]);
    let r = agree(
        &app,
        &s,
        &json!({"agreement_type": "partnership_agreement", "title": "PA", "parties": [uuid::Uuid::now_v7(), s.partner, s.partner]}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), ["parties[0]", "parties[2]"]);
    let r = agree(
        &app,
        &s,
        &json!({"agreement_type": "partnership_agreement", "title": "PA", "parties": ["not-a-uuid"]}),
    )
    .await;
    assert_eq!(r.status, 422);

    let ok = agree(
        &app,
        &s,
        &json!({"agreement_type": "partnership_agreement", "title": "PA", "parties": [s.partner]}),
    )
    .await;
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
            &json!({"parties": [foreign]}),
        )
        .await;
    assert_eq!(moved.status, 422);
    assert_eq!(moved.error_fields(), ["parties[0]"]);
    let wrong = format!("{}/{}", path(other), ok.body["id"].as_str().unwrap());
    assert_eq!(app.get(&wrong, Some(&s.editor.token)).await.status, 404);
}

async fn agreements_follow_tenancy(app: TestApp) {
    let s = setup(&app, "agree-owner").await;
    let other = app.tenant("agree-stranger").await;
    let stranger = app.member(&other, Role::Owner).await;
    let tok_b = Some(stranger.token.as_str());
    let body = json!({"agreement_type": "contract", "title": "Contract"});

    let private = agree(&app, &s, &body).await;
    assert_eq!(private.status, 201);
    let base = path(&s.initiative);
    let one = format!("{base}/{}", private.body["id"].as_str().unwrap());
    for token in [tok_b, None] {
        assert_eq!(app.get(&base, token).await.status, 404);
        assert_eq!(app.get(&one, token).await.status, 404);
    }
    assert_eq!(app.post(&base, tok_b, &body).await.status, 404);
    assert_eq!(
        app.patch(&one, tok_b, Some("\"1\""), &json!({"title": "Mine"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&one, tok_b, Some("\"1\"")).await.status, 404);

    let public = app
        .public_initiative(&s.editor.token, "Programa para o Futuro")
        .await;
    let public_id = public["id"].as_str().unwrap();
    let made = app
        .post(&path(public_id), Some(&s.editor.token), &body)
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let public_one = format!("{}/{}", path(public_id), made.body["id"].as_str().unwrap());
    for token in [tok_b, None] {
        assert_eq!(app.get(&path(public_id), token).await.body["total"], 1);
        assert_eq!(app.get(&public_one, token).await.status, 200);
    }
    let forbidden = app.post(&path(public_id), tok_b, &body).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.code(), "forbidden");
    assert_eq!(
        app.patch(&public_one, tok_b, Some("\"1\""), &json!({"title": "Mine"}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.delete(&public_one, tok_b, Some("\"1\"")).await.status,
        403
    );
    assert_eq!(app.post(&path(public_id), None, &body).await.status, 401);
    let kept = app.get(&public_one, Some(&s.editor.token)).await;
    assert_eq!(kept.body["title"], "Contract");
    assert_eq!(kept.body["version"], 1);
}

async fn viewers_cannot_write_agreements(app: TestApp) {
    let s = setup(&app, "agree-roles").await;
    let made = agree(
        &app,
        &s,
        &json!({"agreement_type": "work_plan", "title": "Plan"}),
    )
    .await;
    assert_eq!(made.status, 201);
    let viewer = app.member(&s.tenant, Role::Viewer).await;
    let tok = Some(viewer.token.as_str());
    let base = path(&s.initiative);
    let one = format!("{base}/{}", made.body["id"].as_str().unwrap());
    assert_eq!(app.get(&base, tok).await.status, 200);
    assert_eq!(app.get(&one, tok).await.status, 200);
    let create = app
        .post(
            &base,
            tok,
            &json!({"agreement_type": "work_plan", "title": "Mine"}),
        )
        .await;
    assert_eq!(create.status, 403);
    assert_eq!(create.code(), "forbidden");
    assert_eq!(
        app.patch(&one, tok, Some("\"1\""), &json!({"title": "Mine"}))
            .await
            .status,
        403
    );
    assert_eq!(app.delete(&one, tok, Some("\"1\"")).await.status, 403);
    assert_eq!(app.get(&one, tok).await.body["title"], "Plan");
}

async fn agreement_writes_raise_the_initiative_version_and_are_in_the_history(app: TestApp) {
    let s = setup(&app, "agree-history").await;
    let tok = Some(s.editor.token.as_str());
    let initiative_path = format!("/api/v1/initiatives/{}", s.initiative);
    let before = app.get(&initiative_path, tok).await;
    let before_version = before.body["version"].as_i64().unwrap();

    let made = app
        .send(
            Method::POST,
            &path(&s.initiative),
            tok,
            &[("X-Change-Reason", "Drafted at the kick-off")],
            Some(&json!({"agreement_type": "partnership_agreement", "title": "PA", "parties": [s.partner]})),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let after = app.get(&initiative_path, tok).await;
    assert_eq!(after.body["version"].as_i64().unwrap(), before_version + 1);
    assert_ne!(after.etag(), before.etag());

    let id = made.body["id"].as_str().unwrap();
    let one = format!("{}/{id}", path(&s.initiative));
    let signed = app
        .patch(
            &one,
            tok,
            Some("\"1\""),
            &json!({"status": "signed", "signed_on": "2006-06-06"}),
        )
        .await;
    assert_eq!(signed.status, 200);
    assert_eq!(app.delete(&one, tok, Some("\"2\"")).await.status, 204);
    let last = app.get(&initiative_path, tok).await;
    assert_eq!(last.body["version"].as_i64().unwrap(), before_version + 3);

    let history = app.get(&format!("{initiative_path}/history"), tok).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let entries: Vec<&Value> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_type"] == "agreement")
        .collect();
    let operations: Vec<&str> = entries
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["delete", "update", "create"]);
    assert!(entries.iter().all(|e| e["entity_id"] == id));
    assert_eq!(entries[2]["reason"], "Drafted at the kick-off");
    let fields: Vec<&str> = entries[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["signed_on", "status"]);
}
