//! Progress reports of an initiative, and the reporting status that follows from them.

use chrono::{Duration, Months, NaiveDate, Utc};
use msp_tests::{TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    report_lifecycle_with_etags,
    every_invalid_report_field_is_reported,
    reporting_status_follows_the_latest_report,
    never_reported_initiatives_become_due_then_inactive,
    reports_of_another_tenant,
    viewers_and_anonymous_callers_cannot_write_reports,
    a_patched_report_answers_its_stored_version,
);

fn months_ago(months: u32) -> NaiveDate {
    Utc::now()
        .date_naive()
        .checked_sub_months(Months::new(months))
        .unwrap()
}

fn report(start: NaiveDate, end: NaiveDate, narrative: &str) -> Value {
    json!({"period_start": start, "period_end": end, "narrative": narrative})
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn status_of(app: &TestApp, initiative: &str, token: &str) -> (String, Value) {
    let r = app
        .get(&format!("/api/v1/initiatives/{initiative}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    (
        r.body["reporting_status"].as_str().unwrap().to_owned(),
        r.body["last_reported_on"].clone(),
    )
}

async fn listed_with_status(app: &TestApp, status: &str, token: &str) -> Vec<String> {
    let r = app
        .get(
            &format!("/api/v1/initiatives?reporting_status={status}&per_page=100"),
            Some(token),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"].as_array().unwrap().iter().map(id).collect()
}

async fn initiative_version(app: &TestApp, initiative: &str, token: &str) -> i64 {
    app.get(&format!("/api/v1/initiatives/{initiative}"), Some(token))
        .await
        .body["version"]
        .as_i64()
        .unwrap()
}

async fn report_lifecycle_with_etags(app: TestApp) {
    let t = app.tenant("report-life").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = id(&app.initiative(&ed.token, "Macedonia Connects").await);
    let base = format!("/api/v1/initiatives/{i}/reports");
    let v0 = initiative_version(&app, &i, &ed.token).await;

    let created = app
        .send(
            reqwest::Method::POST,
            &base,
            tok,
            &[("X-Change-Reason", "annual report")],
            Some(&json!({
                "period_start": "2024-01-01",
                "period_end": "2024-12-31",
                "narrative": "  All secondary schools connected.  ",
                "achievements": "460 schools online",
                "challenges": "   ",
                "indicators": [
                    {"name": " Schools connected ", "target": "460", "achieved": "460", "unit": "schools"},
                    {"name": "Teachers trained"}
                ]
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.etag(), "\"1\"");
    let rid = id(&created.body);
    let path = format!("{base}/{rid}");
    assert_eq!(created.header("location").unwrap(), path);
    assert_eq!(created.body["initiative_id"], i.as_str());
    assert_eq!(
        created.body["narrative"],
        "All secondary schools connected."
    );
    assert_eq!(
        created.body["challenges"],
        Value::Null,
        "blank text is none"
    );
    assert_eq!(
        created.body["indicators"],
        json!([
            {"name": "Schools connected", "target": "460", "achieved": "460", "unit": "schools"},
            {"name": "Teachers trained", "target": null, "achieved": null, "unit": null}
        ])
    );
    let v1 = initiative_version(&app, &i, &ed.token).await;
    assert_eq!(v1, v0 + 1, "a child write raises the initiative's version");

    let read = app.get(&path, tok).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.etag(), "\"1\"");
    assert_eq!(read.body["period_end"], "2024-12-31");
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

    let patch = json!({"achievements": null, "indicators": [{"name": "Schools connected", "achieved": "470"}]});
    let no_precondition = app.patch(&path, tok, None, &patch).await;
    assert_eq!(no_precondition.status, 428);
    assert_eq!(no_precondition.code(), "precondition_required");
    let stale = app.patch(&path, tok, Some("\"9\""), &patch).await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.code(), "stale_version");
    let updated = app.patch(&path, tok, Some("\"1\""), &patch).await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.etag(), "\"2\"");
    assert_eq!(updated.body["achievements"], Value::Null, "null clears");
    assert_eq!(
        updated.body["narrative"], "All secondary schools connected.",
        "absent fields stay"
    );
    assert_eq!(updated.body["indicators"][0]["achieved"], "470");
    assert_eq!(updated.body["indicators"].as_array().unwrap().len(), 1);
    assert_eq!(initiative_version(&app, &i, &ed.token).await, v1 + 1);

    // Newest period first.
    for (start, end) in [("2022-01-01", "2022-12-31"), ("2023-01-01", "2023-12-31")] {
        let r = app
            .post(
                &base,
                tok,
                &json!({"period_start": start, "period_end": end, "narrative": "Year"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let listed = app.get(&format!("{base}?per_page=2"), tok).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body["total"], 3);
    assert_eq!(listed.body["total_pages"], 2);
    let ends: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["period_end"].as_str().unwrap())
        .collect();
    assert_eq!(ends, ["2024-12-31", "2023-12-31"]);
    assert_eq!(
        app.get(&format!("{base}?colour=red"), tok).await.status,
        400
    );
    assert_eq!(
        app.get(&format!("{base}?per_page=0"), tok).await.status,
        400
    );

    let stale_delete = app.delete(&path, tok, Some("\"1\"")).await;
    assert_eq!(stale_delete.status, 412);
    assert_eq!(app.delete(&path, tok, None).await.status, 428);
    let before_delete = initiative_version(&app, &i, &ed.token).await;
    assert_eq!(app.delete(&path, tok, Some("\"2\"")).await.status, 204);
    assert_eq!(app.get(&path, tok).await.status, 404);
    assert_eq!(app.delete(&path, tok, Some("\"2\"")).await.status, 404);
    assert_eq!(
        initiative_version(&app, &i, &ed.token).await,
        before_delete + 1
    );
    let (_, last) = status_of(&app, &i, &ed.token).await;
    assert_eq!(last, "2023-12-31", "the latest remaining report counts");

    // Every write is in the history, with the reason given.
    let history = app
        .get(
            &format!("/api/v1/initiatives/{i}/history?per_page=100"),
            tok,
        )
        .await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let of_report: Vec<&Value> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_type"] == "report" && e["entity_id"] == rid.as_str())
        .collect();
    let ops: Vec<&str> = of_report
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["delete", "update", "create"]);
    assert_eq!(of_report[2]["reason"], "annual report");
    let changed: Vec<&str> = of_report[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["achievements", "indicators"]);
}

async fn every_invalid_report_field_is_reported(app: TestApp) {
    let t = app.tenant("report-checks").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = id(&app.initiative(&ed.token, "Village phones").await);
    let base = format!("/api/v1/initiatives/{i}/reports");

    let bad = app
        .post(
            &base,
            tok,
            &json!({
                "period_start": "2025-06-01",
                "period_end": "2025-01-01",
                "narrative": "   ",
                "indicators": [{"name": " "}, {"name": "Phones", "unit": "x".repeat(51)}]
            }),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(bad.code(), "validation");
    assert_eq!(
        bad.error_fields(),
        [
            "period_end",
            "narrative",
            "indicators[0].name",
            "indicators[1].unit"
        ]
    );

    let tomorrow = Utc::now().date_naive() + Duration::days(1);
    let future = app
        .post(&base, tok, &report(months_ago(3), tomorrow, "Not yet"))
        .await;
    assert_eq!(future.status, 422);
    assert_eq!(future.error_fields(), ["period_end"]);
    assert_eq!(future.body["errors"][0]["code"], "in_future");

    let missing = app
        .post(
            &base,
            tok,
            &json!({"period_start": "2024-01-01", "narrative": "No end"}),
        )
        .await;
    assert_eq!(missing.status, 422);
    let bad_date = app
        .post(
            &base,
            tok,
            &json!({"period_start": "2024-01-01", "period_end": "2024-02-30", "narrative": "x"}),
        )
        .await;
    assert_eq!(bad_date.status, 422);
    assert_eq!(bad_date.error_fields(), ["period_end"]);
    let unknown = app
        .post(
            &base,
            tok,
            &json!({"period_start": "2024-01-01", "period_end": "2024-02-01", "narrative": "x", "mood": "good"}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    let unknown_indicator = app
        .post(
            &base,
            tok,
            &json!({"period_start": "2024-01-01", "period_end": "2024-02-01", "narrative": "x",
                    "indicators": [{"name": "a", "baseline": "1"}]}),
        )
        .await;
    assert_eq!(unknown_indicator.status, 422);
    assert_eq!(unknown_indicator.error_fields(), ["indicators[0].baseline"]);

    // A patch is checked against the record as it would become.
    let ok = app
        .post(&base, tok, &report(months_ago(14), months_ago(2), "Fine"))
        .await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    let path = format!("{base}/{}", id(&ok.body));
    let inverted = app
        .patch(
            &path,
            tok,
            Some("\"1\""),
            &json!({"period_end": months_ago(20)}),
        )
        .await;
    assert_eq!(inverted.status, 422);
    assert_eq!(inverted.error_fields(), ["period_end"]);
    let blank = app
        .patch(&path, tok, Some("\"1\""), &json!({"narrative": ""}))
        .await;
    assert_eq!(blank.error_fields(), ["narrative"]);
    assert_eq!(
        app.get(&path, tok).await.body["narrative"],
        "Fine",
        "refused patches change nothing"
    );
}

async fn reporting_status_follows_the_latest_report(app: TestApp) {
    let t = app.tenant("report-status").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let recent = id(&app.initiative(&ed.token, "Reported recently").await);
    let due = id(&app.initiative(&ed.token, "Reported 18 months ago").await);
    let overdue = id(&app.initiative(&ed.token, "Reported 30 months ago").await);
    let fresh = id(&app.initiative(&ed.token, "Newly registered").await);

    let add = |initiative: String, months: u32| {
        let app = app.clone();
        async move {
            let r = app
                .post(
                    &format!("/api/v1/initiatives/{initiative}/reports"),
                    tok,
                    &report(
                        months_ago(months + 6),
                        months_ago(months),
                        "Half-year report",
                    ),
                )
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.body
        }
    };
    add(recent.clone(), 2).await;
    let due_report = add(due.clone(), 18).await;
    let old = add(overdue.clone(), 30).await;

    let (status, last) = status_of(&app, &recent, &ed.token).await;
    assert_eq!((status.as_str(), last), ("on_track", json!(months_ago(2))));
    assert_eq!(status_of(&app, &due, &ed.token).await.0, "due");
    assert_eq!(status_of(&app, &overdue, &ed.token).await.0, "overdue");
    assert_eq!(status_of(&app, &fresh, &ed.token).await.0, "on_track");

    // The list filter agrees.
    let mut on_track = listed_with_status(&app, "on_track", &ed.token).await;
    on_track.sort();
    let mut expected = vec![recent.clone(), fresh.clone()];
    expected.sort();
    assert_eq!(on_track, expected);
    assert_eq!(
        listed_with_status(&app, "due", &ed.token).await,
        [due.as_str()]
    );
    assert_eq!(
        listed_with_status(&app, "overdue", &ed.token).await,
        [overdue.as_str()]
    );
    assert!(
        listed_with_status(&app, "inactive", &ed.token)
            .await
            .is_empty()
    );

    // The latest period counts, whatever the order of filing.
    add(overdue.clone(), 1).await;
    assert_eq!(status_of(&app, &overdue, &ed.token).await.0, "on_track");

    // Moving a report's period moves the status.
    let due_path = format!("/api/v1/initiatives/{due}/reports/{}", id(&due_report));
    let moved = app
        .patch(
            &due_path,
            tok,
            Some("\"1\""),
            &json!({"period_start": months_ago(32), "period_end": months_ago(26)}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(status_of(&app, &due, &ed.token).await.0, "overdue");

    // With no report left, the status follows the registration date again.
    assert_eq!(app.delete(&due_path, tok, Some("\"2\"")).await.status, 204);
    let (status, last) = status_of(&app, &due, &ed.token).await;
    assert_eq!((status.as_str(), last), ("on_track", Value::Null));
    let old_path = format!("/api/v1/initiatives/{overdue}/reports/{}", id(&old));
    assert_eq!(app.delete(&old_path, tok, Some("\"1\"")).await.status, 204);
    let (status, last) = status_of(&app, &overdue, &ed.token).await;
    assert_eq!((status.as_str(), last), ("on_track", json!(months_ago(1))));
    assert!(listed_with_status(&app, "due", &ed.token).await.is_empty());
    assert!(
        listed_with_status(&app, "overdue", &ed.token)
            .await
            .is_empty()
    );
}

async fn never_reported_initiatives_become_due_then_inactive(app: TestApp) {
    let t = app.tenant("report-inactive").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = id(&app.initiative(&ed.token, "Registered long ago").await);

    app.registered_months_ago(&i, 18).await;
    assert_eq!(status_of(&app, &i, &ed.token).await.0, "due");
    assert_eq!(
        listed_with_status(&app, "due", &ed.token).await,
        [i.as_str()]
    );

    app.registered_months_ago(&i, 30).await;
    assert_eq!(status_of(&app, &i, &ed.token).await.0, "inactive");
    assert_eq!(
        listed_with_status(&app, "inactive", &ed.token).await,
        [i.as_str()]
    );
    assert!(listed_with_status(&app, "due", &ed.token).await.is_empty());

    // One report revives it; deleting it makes it inactive again.
    let r = app
        .post(
            &format!("/api/v1/initiatives/{i}/reports"),
            tok,
            &report(months_ago(8), months_ago(2), "Back at work"),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(status_of(&app, &i, &ed.token).await.0, "on_track");
    assert!(
        listed_with_status(&app, "inactive", &ed.token)
            .await
            .is_empty()
    );
    let path = format!("/api/v1/initiatives/{i}/reports/{}", id(&r.body));
    assert_eq!(app.delete(&path, tok, Some("\"1\"")).await.status, 204);
    assert_eq!(status_of(&app, &i, &ed.token).await.0, "inactive");
}

async fn reports_of_another_tenant(app: TestApp) {
    let a = app.tenant("report-owner").await;
    let b = app.tenant("report-other").await;
    let ed_a = app.member(&a, Role::Editor).await;
    let owner_b = app.member(&b, Role::Owner).await;
    let private = id(&app.initiative(&ed_a.token, "Private of A").await);
    let public = id(&app.public_initiative(&ed_a.token, "Public of A").await);
    let body = report(months_ago(12), months_ago(1), "Report");
    let mut paths = Vec::new();
    for i in [&private, &public] {
        let r = app
            .post(
                &format!("/api/v1/initiatives/{i}/reports"),
                Some(&ed_a.token),
                &body,
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        paths.push((
            format!("/api/v1/initiatives/{i}/reports"),
            format!("/api/v1/initiatives/{i}/reports/{}", id(&r.body)),
        ));
    }
    let tok_b = Some(owner_b.token.as_str());
    let patch = json!({"narrative": "Taken over"});

    // Private: every route answers as if it did not exist, for B and for anonymous callers.
    let (list, one) = &paths[0];
    for tok in [tok_b, None] {
        assert_eq!(app.get(list, tok).await.status, 404);
        assert_eq!(app.get(one, tok).await.status, 404);
    }
    assert_eq!(app.post(list, tok_b, &body).await.status, 404);
    assert_eq!(
        app.patch(one, tok_b, Some("\"1\""), &patch).await.status,
        404
    );
    assert_eq!(app.delete(one, tok_b, Some("\"1\"")).await.status, 404);
    // A report cannot be reached through another initiative's path either.
    let (_, public_one) = &paths[1];
    let report_id = one.rsplit('/').next().unwrap();
    let crossed = public_one.replace(public_one.rsplit('/').next().unwrap(), report_id);
    assert_eq!(app.get(&crossed, Some(&ed_a.token)).await.status, 404);

    // Public: readable by anyone, changed by nobody outside A.
    let (list, one) = &paths[1];
    for tok in [tok_b, None] {
        let listed = app.get(list, tok).await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        assert_eq!(listed.body["total"], 1);
        assert_eq!(app.get(one, tok).await.status, 200);
    }
    let create = app.post(list, tok_b, &body).await;
    assert_eq!(create.status, 403);
    assert_eq!(create.code(), "forbidden");
    assert_eq!(
        app.patch(one, tok_b, Some("\"1\""), &patch).await.status,
        403
    );
    assert_eq!(app.delete(one, tok_b, Some("\"1\"")).await.status, 403);

    for (list, one) in &paths {
        let r = app.get(one, Some(&ed_a.token)).await;
        assert_eq!(r.body["version"], 1, "nothing changed");
        assert_eq!(
            app.get(list, Some(&ed_a.token)).await.body["total"],
            1,
            "nothing added"
        );
    }
}

async fn viewers_and_anonymous_callers_cannot_write_reports(app: TestApp) {
    let t = app.tenant("report-roles").await;
    let ed = app.member(&t, Role::Editor).await;
    let viewer = app.member(&t, Role::Viewer).await;
    let i = id(&app.public_initiative(&ed.token, "Read-only for some").await);
    let base = format!("/api/v1/initiatives/{i}/reports");
    let body = report(months_ago(12), months_ago(1), "Report");
    let created = app.post(&base, Some(&ed.token), &body).await;
    assert_eq!(created.status, 201);
    let path = format!("{base}/{}", id(&created.body));
    let patch = json!({"narrative": "Changed"});

    let vt = Some(viewer.token.as_str());
    assert_eq!(app.get(&path, vt).await.status, 200);
    assert_eq!(app.get(&base, vt).await.status, 200);
    let refused = app.post(&base, vt, &body).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.code(), "forbidden");
    assert_eq!(
        app.patch(&path, vt, Some("\"1\""), &patch).await.status,
        403
    );
    assert_eq!(app.delete(&path, vt, Some("\"1\"")).await.status, 403);

    assert_eq!(app.post(&base, None, &body).await.status, 401);
    assert_eq!(
        app.patch(&path, None, Some("\"1\""), &patch).await.status,
        401
    );
    assert_eq!(app.delete(&path, None, Some("\"1\"")).await.status, 401);

    assert_eq!(app.get(&base, Some(&ed.token)).await.body["total"], 1);
    assert_eq!(app.get(&path, Some(&ed.token)).await.body["version"], 1);
}

/// The ETag and version a PATCH answers are those a following GET reads: the stored ones.
async fn a_patched_report_answers_its_stored_version(app: TestApp) {
    let t = app.tenant("report-stored").await;
    let ed = app.member(&t, Role::Editor).await;
    let tok = Some(ed.token.as_str());
    let i = id(&app.initiative(&ed.token, "Stored versions").await);
    let base = format!("/api/v1/initiatives/{i}/reports");
    let created = app
        .post(&base, tok, &report(months_ago(2), months_ago(1), "First"))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let path = format!("{base}/{}", id(&created.body));
    let mut etag = created.etag();
    for narrative in ["Second", "Third"] {
        let patched = app
            .patch(&path, tok, Some(&etag), &json!({"narrative": narrative}))
            .await;
        assert_eq!(patched.status, 200, "{:?}", patched.body);
        let read = app.get(&path, tok).await;
        assert_eq!(read.status, 200);
        assert_eq!(patched.etag(), read.etag());
        assert_eq!(patched.body["version"], read.body["version"]);
        assert_eq!(read.body["narrative"], narrative);
        etag = read.etag();
    }
    assert_eq!(etag, "\"3\"");
}
