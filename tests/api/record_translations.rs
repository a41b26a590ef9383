//! Multilingual lessons and organisations: their texts in other languages than their own,
//! written with `…/translations` under `If-Match`, read in the reader's language (`lang=` over
//! `Accept-Language`) with each field falling back to the original, and found by search in
//! the language they are written in.

use msp_tests::{Resp, TestApp, both_databases, json};
use reqwest::Method;
use serde_json::Value;
use service::Role;

use crate::graphql::{data, graphql};

both_databases!(
    a_lessons_french_texts_are_read_in_french,
    each_language_of_a_record_has_its_own_etag,
    a_lessons_language_is_detected_when_not_given,
    a_lessons_translation_is_found_by_search,
    a_lessons_translation_needs_the_current_version_and_names_bad_fields,
    the_history_records_the_language_of_a_lessons_translation,
    another_tenant_neither_reads_nor_translates_a_private_lesson,
    an_organisations_name_is_read_in_the_readers_language,
    an_organisations_translations_are_removed_and_replaced,
    an_organisations_translated_name_is_found_as_you_type,
    another_tenant_cannot_translate_an_organisation,
    graphql_reads_lessons_and_organisations_in_a_language,
);

const STATEMENT: &str = "Aggregate demand before negotiating with providers.";
const FRENCH: &str = "Regrouper la demande avant les négociations avec les fournisseurs.";

/// An editor's token, a private initiative and an English lesson of it (context given).
async fn lesson(app: &TestApp) -> (String, String, String) {
    let t = app.tenant("babel").await;
    let editor = app.member(&t, Role::Editor).await.token;
    let i = app
        .post(
            "/api/v1/initiatives",
            Some(&editor),
            &json!({"title": "Rural school connectivity", "kind": "msp"}),
        )
        .await;
    assert_eq!(i.status, 201, "{}", i.body);
    let id = i.body["id"].as_str().unwrap().to_owned();
    let l = app
        .post(
            &format!("/api/v1/initiatives/{id}/lessons"),
            Some(&editor),
            &json!({
                "statement": STATEMENT,
                "context": "Schools bought connectivity one by one at retail prices.",
                "language": "en",
            }),
        )
        .await;
    assert_eq!(l.status, 201, "{}", l.body);
    assert_eq!(l.body["language"], "en");
    (editor, id, l.body["id"].as_str().unwrap().to_owned())
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Resp {
    app.send(method, path, Some(token), headers, body).await
}

async fn put(app: &TestApp, path: &str, token: &str, etag: &str, body: &Value) -> Resp {
    send(
        app,
        Method::PUT,
        path,
        token,
        &[("If-Match", etag)],
        Some(body),
    )
    .await
}

/// An editor's token and a public English organisation with an Arabic name beside it.
async fn organisation(app: &TestApp) -> (String, String) {
    let t = app.tenant("orgs").await;
    let editor = app.member(&t, Role::Editor).await.token;
    let o = app
        .post(
            "/api/v1/organizations",
            Some(&editor),
            &json!({
                "name": "Ministry of Communication",
                "description": "Leads national ICT policy.",
                "sector": "government",
                "visibility": "public",
                "language": "en",
            }),
        )
        .await;
    assert_eq!(o.status, 201, "{}", o.body);
    let id = o.body["id"].as_str().unwrap().to_owned();
    let r = put(
        app,
        &format!("/api/v1/organizations/{id}/translations/ar"),
        &editor,
        "\"1\"",
        &json!({"name": "وزارة الاتصال"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    (editor, id)
}

async fn a_lessons_french_texts_are_read_in_french(app: TestApp) {
    let (editor, id, lid) = lesson(&app).await;
    let path = format!("/api/v1/initiatives/{id}/lessons/{lid}");
    let r = put(
        &app,
        &format!("{path}/translations/fr"),
        &editor,
        "\"1\"",
        &json!({"statement": FRENCH}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["translations"]["fr"]["statement"], FRENCH);

    let french = send(
        &app,
        Method::GET,
        &path,
        &editor,
        &[("Accept-Language", "fr-CH, fr;q=0.9")],
        None,
    )
    .await;
    assert_eq!(french.status, 200, "{}", french.body);
    assert_eq!(french.body["statement"], FRENCH);
    assert_eq!(french.body["language"], "en");
    assert_eq!(french.body["field_languages"], json!({"context": "en"}));
    assert_eq!(french.header("content-language").as_deref(), Some("fr"));

    let original = send(&app, Method::GET, &path, &editor, &[], None).await;
    assert_eq!(original.body["statement"], STATEMENT);
    assert!(original.body.get("field_languages").is_none());

    let listed = app
        .get(
            &format!("/api/v1/initiatives/{id}/lessons?lang=fr"),
            Some(&editor),
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["items"][0]["statement"], FRENCH);
    assert_eq!(listed.header("content-language").as_deref(), Some("fr"));

    let every = app.get("/api/v1/lessons?lang=*", Some(&editor)).await;
    assert_eq!(every.status, 200, "{}", every.body);
    assert_eq!(every.body["items"][0]["statement"], STATEMENT);
    assert_eq!(
        every.body["items"][0]["translations"]["fr"]["statement"],
        FRENCH
    );
}

async fn each_language_of_a_record_has_its_own_etag(app: TestApp) {
    let (editor, _) = organisation(&app).await;
    let orgs = app.get("/api/v1/organizations", Some(&editor)).await;
    let id = orgs.body["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/organizations/{id}");
    let arabic = app.get(&format!("{path}?lang=ar"), Some(&editor)).await;
    assert_eq!(arabic.body["name"], "وزارة الاتصال");
    assert_eq!(arabic.etag(), "\"2-ar\"");
    let own = app.get(&path, Some(&editor)).await;
    assert_eq!(
        own.etag(),
        "\"2\"",
        "read in its own language: the ETag writes answer with"
    );

    let get = |lang: &'static str, tag: String| {
        let (app, editor, path) = (&app, editor.clone(), path.clone());
        async move {
            let url = format!("{path}?lang={lang}");
            send(
                app,
                Method::GET,
                &url,
                &editor,
                &[("If-None-Match", &tag)],
                None,
            )
            .await
        }
    };
    assert_eq!(get("ar", arabic.etag()).await.status, 304);
    let plain = send(
        &app,
        Method::GET,
        &path,
        &editor,
        &[("If-None-Match", &arabic.etag())],
        None,
    )
    .await;
    assert_eq!(plain.status, 200, "nor for the original");
    let english = get("en", arabic.etag()).await;
    assert_eq!(
        english.status, 200,
        "the Arabic validator does not stand for the English"
    );
    assert_eq!(english.body["name"], "Ministry of Communication");
    assert_eq!(english.etag(), "\"2-en\"");

    let changed = send(
        &app,
        Method::PATCH,
        &path,
        &editor,
        &[("If-Match", &arabic.etag())],
        Some(&json!({"description": "Leads ICT policy."})),
    )
    .await;
    assert_eq!(
        changed.status, 200,
        "If-Match reads the version: {}",
        changed.body
    );
    assert_eq!(changed.etag(), "\"3\"");
}

async fn a_lessons_language_is_detected_when_not_given(app: TestApp) {
    let (editor, id, _) = lesson(&app).await;
    let l = app
        .post(
            &format!("/api/v1/initiatives/{id}/lessons"),
            Some(&editor),
            &json!({"statement": "Les écoles rurales doivent regrouper leurs achats de connectivité pour obtenir de meilleurs prix auprès des opérateurs."}),
        )
        .await;
    assert_eq!(l.status, 201, "{}", l.body);
    assert_eq!(l.body["language"], "fr");
    let bad = app
        .post(
            &format!("/api/v1/initiatives/{id}/lessons"),
            Some(&editor),
            &json!({"statement": " ", "language": "french!"}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["statement", "language"]);
}

async fn a_lessons_translation_is_found_by_search(app: TestApp) {
    let (editor, id, lid) = lesson(&app).await;
    let r = put(
        &app,
        &format!("/api/v1/initiatives/{id}/lessons/{lid}/translations/fr"),
        &editor,
        "\"1\"",
        &json!({"statement": FRENCH}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // A French inflection of a word of the French text only: stemmed in French.
    let found = app
        .get("/api/v1/lessons?q=n%C3%A9gociation&lang=fr", Some(&editor))
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.body["total"], 1, "{}", found.body);
    assert_eq!(found.body["items"][0]["statement"], FRENCH);
    let snippet = found.body["search"]["hits"][0]["snippets"].to_string();
    assert!(snippet.contains("<mark>"), "{snippet}");
}

async fn a_lessons_translation_needs_the_current_version_and_names_bad_fields(app: TestApp) {
    let (editor, id, lid) = lesson(&app).await;
    let path = format!("/api/v1/initiatives/{id}/lessons/{lid}/translations");
    let body = json!({"statement": FRENCH});
    let unconditional = send(
        &app,
        Method::PUT,
        &format!("{path}/fr"),
        &editor,
        &[],
        Some(&body),
    )
    .await;
    assert_eq!(unconditional.status, 428, "{}", unconditional.body);
    let stale = put(&app, &format!("{path}/fr"), &editor, "\"7\"", &body).await;
    assert_eq!(stale.status, 412, "{}", stale.body);
    let bad = put(
        &app,
        &path,
        &editor,
        "\"1\"",
        &json!({"fr": {"statement": "x".repeat(1001), "colour": "rouge"}, "fr_FR": {"statement": "t"}, "en": {"statement": "t"}}),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(
        bad.error_fields(),
        ["en", "fr.colour", "fr.statement", "fr_FR"]
    );
    let unknown = send(
        &app,
        Method::DELETE,
        &format!("{path}/es"),
        &editor,
        &[("If-Match", "\"1\"")],
        None,
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    // Nothing was written by the refused requests.
    let lesson = app
        .get(
            &format!("/api/v1/initiatives/{id}/lessons/{lid}?lang=*"),
            Some(&editor),
        )
        .await;
    assert_eq!(lesson.body["version"], 1);
    assert_eq!(lesson.body["translations"], json!({}));
}

async fn the_history_records_the_language_of_a_lessons_translation(app: TestApp) {
    let (editor, id, lid) = lesson(&app).await;
    let r = put(
        &app,
        &format!("/api/v1/initiatives/{id}/lessons/{lid}/translations/fr"),
        &editor,
        "\"1\"",
        &json!({"statement": FRENCH}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let history = app
        .get(&format!("/api/v1/initiatives/{id}/history"), Some(&editor))
        .await;
    let latest = &history.body["items"][0];
    assert_eq!(latest["entity_type"], "lesson", "{latest}");
    let change = latest["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "statement")
        .cloned()
        .expect("a statement change");
    assert_eq!(change["language"], "fr");
    assert_eq!(change["after"], FRENCH);
}

async fn another_tenant_neither_reads_nor_translates_a_private_lesson(app: TestApp) {
    let (_, id, lid) = lesson(&app).await;
    let other = app.tenant("other").await;
    let stranger = app.member(&other, Role::Admin).await.token;
    let path = format!("/api/v1/initiatives/{id}/lessons/{lid}");
    let read = send(
        &app,
        Method::GET,
        &format!("{path}?lang=fr"),
        &stranger,
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, 404, "{}", read.body);
    let write = put(
        &app,
        &format!("{path}/translations/fr"),
        &stranger,
        "\"1\"",
        &json!({"statement": "x"}),
    )
    .await;
    assert_eq!(write.status, 404, "{}", write.body);
    let searched = app
        .get("/api/v1/lessons?q=aggregate&scope=all", Some(&stranger))
        .await;
    assert_eq!(searched.body["total"], 0, "{}", searched.body);
}

async fn an_organisations_name_is_read_in_the_readers_language(app: TestApp) {
    let (editor, id) = organisation(&app).await;
    let path = format!("/api/v1/organizations/{id}");
    let arabic = app.get(&format!("{path}?lang=ar"), None).await;
    assert_eq!(arabic.status, 200, "{}", arabic.body);
    assert_eq!(arabic.body["name"], "وزارة الاتصال");
    assert_eq!(arabic.body["field_languages"], json!({"description": "en"}));
    assert_eq!(arabic.header("content-language").as_deref(), Some("ar"));
    let unknown_parameter = app.get(&format!("{path}?colour=red"), None).await;
    assert_eq!(unknown_parameter.status, 400, "{}", unknown_parameter.body);

    let listed = send(
        &app,
        Method::GET,
        "/api/v1/organizations",
        &editor,
        &[("Accept-Language", "ar")],
        None,
    )
    .await;
    assert_eq!(listed.body["items"][0]["name"], "وزارة الاتصال");
    assert_eq!(listed.header("content-language").as_deref(), Some("ar"));
    let every = app.get("/api/v1/organizations?lang=*", Some(&editor)).await;
    assert_eq!(every.body["items"][0]["name"], "Ministry of Communication");
    assert_eq!(
        every.body["items"][0]["translations"]["ar"]["name"],
        "وزارة الاتصال"
    );
}

async fn an_organisations_translations_are_removed_and_replaced(app: TestApp) {
    let (editor, id) = organisation(&app).await;
    let path = format!("/api/v1/organizations/{id}/translations");
    let replaced = put(
        &app,
        &path,
        &editor,
        "\"2\"",
        &json!({"fr": {"name": "Ministère de la Communication"}, "es": {"name": "Ministerio de Comunicación", "acronym": "MC"}}),
    )
    .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.body["version"], 3);
    let tags: Vec<&String> = replaced.body["translations"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(tags, ["es", "fr"]);
    let removed = send(
        &app,
        Method::DELETE,
        &format!("{path}/fr"),
        &editor,
        &[("If-Match", "\"3\"")],
        None,
    )
    .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(
        removed.body["translations"],
        json!({"es": {"name": "Ministerio de Comunicación", "acronym": "MC"}})
    );
    let again = send(
        &app,
        Method::DELETE,
        &format!("{path}/fr"),
        &editor,
        &[("If-Match", "\"4\"")],
        None,
    )
    .await;
    assert_eq!(again.status, 404, "{}", again.body);
    let own = put(
        &app,
        &format!("{path}/en"),
        &editor,
        "\"4\"",
        &json!({"name": "x"}),
    )
    .await;
    assert_eq!(own.status, 422, "{}", own.body);
    assert_eq!(own.error_fields(), ["lang"]);
    let french = app
        .get(&format!("/api/v1/organizations/{id}?lang=fr"), None)
        .await;
    assert_eq!(french.body["name"], "Ministry of Communication");
    assert_eq!(french.header("content-language").as_deref(), Some("en"));
}

async fn an_organisations_translated_name_is_found_as_you_type(app: TestApp) {
    let (editor, id) = organisation(&app).await;
    let typed = app
        .get(
            "/api/v1/organizations?q=%D9%88%D8%B2%D8%A7%D8%B1&lang=ar",
            Some(&editor),
        )
        .await;
    assert_eq!(typed.status, 200, "{}", typed.body);
    assert_eq!(typed.body["items"][0]["id"], id.as_str(), "{}", typed.body);
    assert_eq!(typed.body["items"][0]["name"], "وزارة الاتصال");
}

async fn another_tenant_cannot_translate_an_organisation(app: TestApp) {
    let (_, id) = organisation(&app).await;
    let other = app.tenant("other").await;
    let stranger = app.member(&other, Role::Admin).await.token;
    let r = put(
        &app,
        &format!("/api/v1/organizations/{id}/translations/fr"),
        &stranger,
        "\"2\"",
        &json!({"name": "Pris"}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let kept = app
        .get(&format!("/api/v1/organizations/{id}?lang=*"), None)
        .await;
    assert_eq!(kept.body["version"], 2);
    assert!(
        kept.body["translations"].get("fr").is_none(),
        "{}",
        kept.body
    );
}

async fn graphql_reads_lessons_and_organisations_in_a_language(app: TestApp) {
    let (editor, id, lid) = lesson(&app).await;
    let r = put(
        &app,
        &format!("/api/v1/initiatives/{id}/lessons/{lid}/translations/fr"),
        &editor,
        "\"1\"",
        &json!({"statement": FRENCH}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let read = graphql(
        &app,
        "{ lessons(lang: \"fr\") { edges { node { statement language fieldLanguages { field language } } } }
           all: lessons(lang: \"*\") { edges { node { translations { language field text } } } } }",
        json!({}),
        Some(&editor),
    )
    .await;
    let d = data(&read);
    let node = &d["lessons"]["edges"][0]["node"];
    assert_eq!(node["statement"], FRENCH);
    assert_eq!(node["language"], "en");
    assert_eq!(
        node["fieldLanguages"],
        json!([{"field": "context", "language": "en"}])
    );
    assert_eq!(
        d["all"]["edges"][0]["node"]["translations"],
        json!([{"language": "fr", "field": "statement", "text": FRENCH}])
    );

    let (_, org) = organisation(&app).await;
    let read = graphql(
        &app,
        "query($id: UUID!) { organization(id: $id, lang: \"ar\") { name language } }",
        json!({"id": org}),
        None,
    )
    .await;
    assert_eq!(data(&read)["organization"]["name"], "وزارة الاتصال");
    assert_eq!(data(&read)["organization"]["language"], "en");
}
