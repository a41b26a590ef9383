//! Multilingual content: an initiative's texts in other languages than its own, written beside
//! the original and read in the reader's language (`lang=` over `Accept-Language`), each field
//! falling back to the original and saying so.

use msp_tests::{Resp, TestApp, both_databases, json};
use reqwest::Method;
use serde_json::Value;
use service::Role;

use crate::graphql::{data, graphql};

both_databases!(
    french_is_written_beside_english_and_read_with_accept_language,
    lang_wins_and_a_missing_field_falls_back_to_the_original,
    lang_star_gives_every_translation,
    the_original_language_is_detected_when_not_given,
    a_list_reads_in_the_readers_language,
    one_language_is_set_and_removed_with_if_match,
    every_translation_is_replaced_at_once,
    a_patch_in_another_language_writes_its_translation,
    a_bad_tag_and_a_bad_field_are_named,
    the_history_records_the_language_of_a_text_change,
    another_tenant_neither_reads_nor_writes_a_private_initiatives_translations,
    graphql_reads_and_writes_translations,
    every_translation_round_trips_through_export_and_import,
    the_iati_export_has_a_narrative_per_language,
);

const FRENCH: &str = "Connectivité des écoles rurales";

/// An editor's token and a private English initiative with a French title and summary.
async fn bilingual(app: &TestApp) -> (String, String) {
    let t = app.tenant("babel").await;
    let editor = app.member(&t, Role::Editor).await.token;
    let r = app
        .post(
            "/api/v1/initiatives",
            Some(&editor),
            &json!({
                "title": "Rural school connectivity",
                "summary": "Shared vouchers connect rural schools to the internet.",
                "description": "Districts pool demand into one contract.",
                "kind": "msp",
                "language": "en",
                "translations": {"fr": {"title": FRENCH, "summary": "Des bons partagés connectent les écoles."}},
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    (editor, r.body["id"].as_str().unwrap().to_owned())
}

async fn read(app: &TestApp, path: &str, token: &str, accept_language: Option<&str>) -> Resp {
    let headers: Vec<(&str, &str)> = accept_language
        .map(|l| vec![("Accept-Language", l)])
        .unwrap_or_default();
    app.send(Method::GET, path, Some(token), &headers, None)
        .await
}

async fn put(app: &TestApp, path: &str, token: &str, etag: &str, body: &Value) -> Resp {
    app.send(
        Method::PUT,
        path,
        Some(token),
        &[("If-Match", etag)],
        Some(body),
    )
    .await
}

async fn french_is_written_beside_english_and_read_with_accept_language(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let path = format!("/api/v1/initiatives/{id}");

    let original = read(&app, &path, &editor, None).await;
    assert_eq!(original.body["title"], "Rural school connectivity");
    assert_eq!(original.body["language"], "en");
    assert!(original.body.get("field_languages").is_none());
    assert_eq!(original.header("content-language").as_deref(), Some("en"));
    assert!(
        original
            .header("vary")
            .unwrap_or_default()
            .contains("Accept-Language")
    );

    let french = read(&app, &path, &editor, Some("de-CH, fr;q=0.9, en;q=0.8")).await;
    assert_eq!(french.status, 200, "{}", french.body);
    assert_eq!(french.header("content-language").as_deref(), Some("fr"));
    assert_eq!(french.body["title"], FRENCH);
    assert_eq!(french.body["language"], "en", "the original stays named");

    let english = read(&app, &path, &editor, Some("fr;q=0.4, en")).await;
    assert_eq!(english.body["title"], "Rural school connectivity");
    assert_eq!(english.header("content-language").as_deref(), Some("en"));
}

async fn lang_wins_and_a_missing_field_falls_back_to_the_original(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let r = read(
        &app,
        &format!("/api/v1/initiatives/{id}?lang=fr-CA"),
        &editor,
        Some("en"),
    )
    .await;
    assert_eq!(r.body["title"], FRENCH);
    assert_eq!(
        r.body["description"], "Districts pool demand into one contract.",
        "no French description: the original"
    );
    assert_eq!(r.body["field_languages"], json!({"description": "en"}));

    let arabic = read(
        &app,
        &format!("/api/v1/initiatives/{id}?lang=ar"),
        &editor,
        None,
    )
    .await;
    assert_eq!(arabic.body["title"], "Rural school connectivity");
    assert_eq!(arabic.header("content-language").as_deref(), Some("en"));
    assert!(arabic.body.get("field_languages").is_none());
}

async fn lang_star_gives_every_translation(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let r = read(
        &app,
        &format!("/api/v1/initiatives/{id}?lang=*"),
        &editor,
        None,
    )
    .await;
    assert_eq!(r.body["title"], "Rural school connectivity");
    assert_eq!(r.body["translations"]["fr"]["title"], FRENCH);
    assert_eq!(r.header("content-language").as_deref(), Some("en, fr"));
}

async fn the_original_language_is_detected_when_not_given(app: TestApp) {
    let t = app.tenant("detect").await;
    let editor = app.member(&t, Role::Editor).await.token;
    let r = app
        .post(
            "/api/v1/initiatives",
            Some(&editor),
            &json!({
                "title": "Conectividad de las escuelas rurales",
                "summary": "Bonos compartidos conectan las escuelas rurales a internet.",
                "kind": "msp",
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["language"], "es");
}

async fn a_list_reads_in_the_readers_language(app: TestApp) {
    let (editor, _) = bilingual(&app).await;
    let r = read(&app, "/api/v1/initiatives", &editor, Some("fr")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["items"][0]["title"], FRENCH);
    assert_eq!(
        r.body["items"][0]["field_languages"],
        json!({"description": "en"})
    );
    assert_eq!(r.header("content-language").as_deref(), Some("fr"));

    let plain = read(&app, "/api/v1/initiatives", &editor, None).await;
    assert_eq!(plain.body["items"][0]["title"], "Rural school connectivity");
    assert_eq!(plain.header("content-language").as_deref(), Some("en"));
}

async fn one_language_is_set_and_removed_with_if_match(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let path = format!("/api/v1/initiatives/{id}/translations/ar");
    let body = json!({"title": "ربط المدارس الريفية"});
    let without = app
        .send(Method::PUT, &path, Some(&editor), &[], Some(&body))
        .await;
    assert_eq!(without.status, 428, "{}", without.body);
    let stale = put(&app, &path, &editor, "\"7\"", &body).await;
    assert_eq!(stale.status, 412, "{}", stale.body);

    let set = put(&app, &path, &editor, "\"1\"", &body).await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.etag(), "\"2\"");
    assert_eq!(
        set.body["translations"]["ar"]["title"],
        "ربط المدارس الريفية"
    );
    assert_eq!(
        set.body["translations"]["fr"]["title"], FRENCH,
        "French stays"
    );

    let arabic = read(
        &app,
        &format!("/api/v1/initiatives/{id}?lang=ar"),
        &editor,
        None,
    )
    .await;
    assert_eq!(arabic.body["title"], "ربط المدارس الريفية");
    assert_eq!(
        arabic.etag(),
        "\"2-ar\"",
        "the Arabic representation's own validator"
    );

    let removed = app
        .send(
            Method::DELETE,
            &path,
            Some(&editor),
            &[("If-Match", "\"2\"")],
            None,
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(removed.body["translations"].get("ar").is_none());
    let again = app
        .send(
            Method::DELETE,
            &path,
            Some(&editor),
            &[("If-Match", "\"3\"")],
            None,
        )
        .await;
    assert_eq!(again.status, 404, "{}", again.body);
}

async fn every_translation_is_replaced_at_once(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let r = put(
        &app,
        &format!("/api/v1/initiatives/{id}/translations"),
        &editor,
        "\"1\"",
        &json!({"es": {"title": "Conectividad escolar"}, "zh": {"title": "农村学校联网"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["translations"],
        json!({"es": {"title": "Conectividad escolar"}, "zh": {"title": "农村学校联网"}})
    );
    let french = read(
        &app,
        &format!("/api/v1/initiatives/{id}?lang=fr"),
        &editor,
        None,
    )
    .await;
    assert_eq!(
        french.body["title"], "Rural school connectivity",
        "French is gone"
    );
    let chinese = read(
        &app,
        &format!("/api/v1/initiatives/{id}"),
        &editor,
        Some("zh-Hans-CN"),
    )
    .await;
    assert_eq!(chinese.body["title"], "农村学校联网");
}

async fn a_patch_in_another_language_writes_its_translation(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let path = format!("/api/v1/initiatives/{id}");
    let r = app
        .patch(
            &path,
            Some(&editor),
            Some("\"1\""),
            &json!({"language": "fr", "description": "Les districts mutualisent la demande."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["description"], "Districts pool demand into one contract.",
        "the original's field is untouched"
    );
    let french = read(&app, &format!("{path}?lang=fr"), &editor, None).await;
    assert_eq!(
        french.body["description"],
        "Les districts mutualisent la demande."
    );
    assert_eq!(french.body["title"], FRENCH);
    assert!(french.body.get("field_languages").is_none());
}

async fn a_bad_tag_and_a_bad_field_are_named(app: TestApp) {
    let t = app.tenant("tags").await;
    let editor = app.member(&t, Role::Editor).await.token;
    let r = app
        .post(
            "/api/v1/initiatives",
            Some(&editor),
            &json!({
                "title": "Rural school connectivity",
                "kind": "msp",
                "language": "english!",
                "translations": {
                    "fr": {"title": "x".repeat(301), "colour": "rouge"},
                    "fr_FR": {"title": "Écoles"},
                },
            }),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.error_fields(),
        [
            "language",
            "translations.fr.colour",
            "translations.fr.title",
            "translations.fr_FR"
        ]
    );

    let (editor, id) = bilingual(&app).await;
    let bad = put(
        &app,
        &format!("/api/v1/initiatives/{id}/translations/not_a_tag"),
        &editor,
        "\"1\"",
        &json!({"title": "t"}),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["lang"]);
    let original = put(
        &app,
        &format!("/api/v1/initiatives/{id}/translations/en"),
        &editor,
        "\"1\"",
        &json!({"title": "t"}),
    )
    .await;
    assert_eq!(original.status, 422, "{}", original.body);
    assert_eq!(original.code(), "validation");
}

async fn the_history_records_the_language_of_a_text_change(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let r = put(
        &app,
        &format!("/api/v1/initiatives/{id}/translations/fr"),
        &editor,
        "\"1\"",
        &json!({"title": "Écoles rurales connectées"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let history = app
        .get(&format!("/api/v1/initiatives/{id}/history"), Some(&editor))
        .await;
    let latest = &history.body["items"][0]["changes"];
    let title = latest
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "title")
        .expect("a title change");
    assert_eq!(title["language"], "fr");
    assert_eq!(title["before"], FRENCH);
    assert_eq!(title["after"], "Écoles rurales connectées");
    let created = history.body["items"][1]["changes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        created
            .iter()
            .any(|c| c["field"] == "title" && c["language"] == "en")
    );
}

async fn another_tenant_neither_reads_nor_writes_a_private_initiatives_translations(app: TestApp) {
    let (_, id) = bilingual(&app).await;
    let other = app.tenant("other").await;
    let stranger = app.member(&other, Role::Admin).await.token;
    let r = read(
        &app,
        &format!("/api/v1/initiatives/{id}?lang=*"),
        &stranger,
        None,
    )
    .await;
    assert_eq!(r.status, 404);
    let w = put(
        &app,
        &format!("/api/v1/initiatives/{id}/translations/ar"),
        &stranger,
        "*",
        &json!({"title": "ربط"}),
    )
    .await;
    assert_eq!(w.status, 404, "{}", w.body);
    let all = put(
        &app,
        &format!("/api/v1/initiatives/{id}/translations"),
        &stranger,
        "*",
        &json!({}),
    )
    .await;
    assert_eq!(all.status, 404, "{}", all.body);
    let list = read(
        &app,
        "/api/v1/initiatives?scope=all&lang=*",
        &stranger,
        None,
    )
    .await;
    assert_eq!(list.body["items"], json!([]));
}

async fn graphql_reads_and_writes_translations(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let read = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id, lang: \"fr\") { title description language fieldLanguages { field language } }
          all: initiative(id: $id, lang: \"*\") { translations { language title summary } }
          initiatives(lang: \"fr\") { edges { node { title } } } }",
        json!({"id": id}),
        Some(&editor),
    )
    .await;
    let d = data(&read);
    assert_eq!(d["initiative"]["title"], FRENCH);
    assert_eq!(d["initiative"]["language"], "en");
    assert_eq!(
        d["initiative"]["fieldLanguages"],
        json!([{"field": "description", "language": "en"}])
    );
    assert_eq!(d["all"]["translations"][0]["language"], "fr");
    assert_eq!(d["initiatives"]["edges"][0]["node"]["title"], FRENCH);

    let write = graphql(
        &app,
        "mutation($id: UUID!) { updateInitiative(id: $id, expectedVersion: 1, input: {translations: [{language: \"ar\", title: \"ربط المدارس\"}]}) { version } }",
        json!({"id": id}),
        Some(&editor),
    )
    .await;
    assert_eq!(data(&write)["updateInitiative"]["version"], 2);
    let arabic = graphql(
        &app,
        "query($id: UUID!) { initiative(id: $id, lang: \"ar\") { title } }",
        json!({"id": id}),
        Some(&editor),
    )
    .await;
    assert_eq!(data(&arabic)["initiative"]["title"], "ربط المدارس");
}

/// An export's text in `format`.
async fn export(app: &TestApp, token: &str, format: &str) -> String {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/export/initiatives?format={format}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "export {format}");
    res.text().await.unwrap()
}

/// Imports `body` (of `content_type`) into the caller's tenant: the report.
async fn import(app: &TestApp, token: &str, content_type: &str, body: String) -> Value {
    let res = app
        .client
        .post(app.url("/api/v1/import/initiatives"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "import {content_type}");
    res.json().await.unwrap()
}

async fn every_translation_round_trips_through_export_and_import(app: TestApp) {
    let (editor, id) = bilingual(&app).await;
    let arabic = put(
        &app,
        &format!("/api/v1/initiatives/{id}/translations/ar"),
        &editor,
        "\"1\"",
        &json!({"title": "ربط المدارس الريفية", "outcome_summary": "نتائج جيدة"}),
    )
    .await;
    assert_eq!(arabic.status, 200, "{}", arabic.body);
    let original = read(
        &app,
        &format!("/api/v1/initiatives/{id}?lang=*"),
        &editor,
        None,
    )
    .await;
    let csv = export(&app, &editor, "csv").await;
    assert!(csv.lines().next().unwrap().contains("title@fr"));
    for (format, content_type) in [
        ("csv", "text/csv"),
        ("json", "application/json"),
        ("ndjson", "application/x-ndjson"),
    ] {
        let body = export(&app, &editor, format).await;
        let t = app.tenant(&format!("copy-{format}")).await;
        let copier = app.member(&t, Role::Editor).await.token;
        let report = import(&app, &copier, content_type, body.clone()).await;
        assert_eq!(report["created"], 1, "{format}: {report}");
        let list = read(&app, "/api/v1/initiatives?lang=*", &copier, None).await;
        let copy = &list.body["items"][0];
        assert_eq!(copy["language"], original.body["language"], "{format}");
        assert_eq!(
            copy["translations"], original.body["translations"],
            "{format}"
        );
        let again = import(&app, &copier, content_type, body).await;
        assert_eq!(again["unchanged"], 1, "{format} again: {again}");
    }
}

async fn the_iati_export_has_a_narrative_per_language(app: TestApp) {
    let (editor, _) = bilingual(&app).await;
    let xml = export(&app, &editor, "iati").await;
    assert!(xml.contains("xml:lang=\"en\""), "{xml}");
    assert!(
        xml.contains(&format!("<narrative xml:lang=\"fr\">{FRENCH}</narrative>")),
        "{xml}"
    );
}
