//! The reader's language: `lang=` over `Accept-Language` (q-values honoured), `Content-Language`
//! on the answer, the language of each field that fell back, and every translation with `*`.

use msp_tests::{Resp, TestApp, both_databases, json};
use reqwest::Method;

use crate::graphql::{codes, data, graphql};

both_databases!(
    reference_labels_follow_accept_language,
    lang_wins_over_the_header_and_star_gives_every_translation,
    sdgs_read_in_the_uns_official_texts,
    a_lang_that_is_not_a_tag_is_a_bad_parameter,
    each_language_has_its_own_etag,
    graphql_reference_takes_lang,
);

async fn read(app: &TestApp, path: &str, accept_language: Option<&str>) -> Resp {
    let headers: Vec<(&str, &str)> = accept_language
        .map(|l| vec![("Accept-Language", l)])
        .unwrap_or_default();
    app.send(Method::GET, path, None, &headers, None).await
}

async fn reference_labels_follow_accept_language(app: TestApp) {
    let r = read(
        &app,
        "/api/v1/reference/sectors",
        Some("de-CH, fr;q=0.8, en;q=0.5"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-language").as_deref(), Some("fr"));
    assert!(
        r.header("vary")
            .unwrap_or_default()
            .contains("Accept-Language")
    );
    let government = &r.body[0];
    assert_eq!(government["code"], "government");
    assert_eq!(government["label"], "Gouvernement");
    // The registry's own translation, not an official text; its description has none.
    assert_eq!(government["official"], false);
    assert_eq!(government["languages"], json!({"description": "en"}));
    assert!(government.get("translations").is_none());

    let english = read(&app, "/api/v1/reference/sectors", None).await;
    assert_eq!(english.header("content-language").as_deref(), Some("en"));
    assert_eq!(english.body[0]["label"], "Government");
    assert_eq!(english.body[0]["official"], true);
    assert!(english.body[0].get("languages").is_none());

    let refused = read(&app, "/api/v1/reference/sectors", Some("fr;q=0, *")).await;
    assert_eq!(refused.header("content-language").as_deref(), Some("en"));
}

async fn lang_wins_over_the_header_and_star_gives_every_translation(app: TestApp) {
    let r = read(&app, "/api/v1/reference/journey-stages?lang=es", Some("fr")).await;
    assert_eq!(r.header("content-language").as_deref(), Some("es"));
    assert_eq!(r.body[6]["code"], "sign_agreement");
    assert_eq!(r.body[6]["label"], "Firmar el acuerdo");

    let all = read(&app, "/api/v1/reference/journey-stages?lang=*", None).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(
        all.header("content-language").as_deref(),
        Some("ar, en, es, fr, ru, zh")
    );
    let sign = &all.body[6];
    assert_eq!(
        sign["label"], "Sign the agreement",
        "the original beside its translations"
    );
    let tags: Vec<&str> = sign["translations"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(tags, ["ar", "es", "fr", "ru", "zh"]);
    assert_eq!(sign["translations"]["zh"]["label"], "签署协议");
    assert_eq!(sign["translations"]["zh"]["official"], false);

    // A language the registry holds no text in reads the original.
    let german = read(&app, "/api/v1/reference/journey-stages?lang=de", None).await;
    assert_eq!(german.status, 200);
    assert_eq!(german.header("content-language").as_deref(), Some("en"));
    assert_eq!(german.body[6]["label"], "Sign the agreement");
}

async fn sdgs_read_in_the_uns_official_texts(app: TestApp) {
    let r = read(&app, "/api/v1/reference/sdgs", Some("zh-Hans-CN")).await;
    assert_eq!(r.header("content-language").as_deref(), Some("zh"));
    let goal4 = &r.body[3];
    assert_eq!(goal4["code"], "4");
    assert_eq!(goal4["label"], "优质教育");
    assert_eq!(goal4["official"], true);
    assert!(
        goal4.get("languages").is_none(),
        "every field is in Chinese"
    );
    let target = goal4["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "4.1")
        .cloned()
        .unwrap_or_default();
    assert!(
        target["label"]
            .as_str()
            .unwrap_or_default()
            .contains("2030")
    );
    assert_eq!(target["official"], true);

    let arabic = read(&app, "/api/v1/reference/sdgs?lang=ar", None).await;
    assert_eq!(arabic.body[0]["label"], "لا فقر");
    assert_eq!(
        arabic.body[0]["description"],
        "القضاء على الفقر بجميع أشكاله في كل مكان"
    );
    let french = read(&app, "/api/v1/reference/sdgs?lang=fr-CA", None).await;
    assert_eq!(french.body[3]["label"], "Éducation de qualité");
}

async fn a_lang_that_is_not_a_tag_is_a_bad_parameter(app: TestApp) {
    let r = app.get("/api/v1/reference/sectors?lang=fr_FR", None).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.code(), "bad_request");
    assert_eq!(r.body["errors"][0]["field"], "lang");
    let unknown = app.get("/api/v1/reference/sectors?language=fr", None).await;
    assert_eq!(
        unknown.status, 400,
        "an unknown parameter is named: {}",
        unknown.body
    );
}

async fn each_language_has_its_own_etag(app: TestApp) {
    let en = read(&app, "/api/v1/reference/levers", Some("en")).await;
    let ru = read(&app, "/api/v1/reference/levers", Some("ru")).await;
    assert_ne!(en.etag(), ru.etag());
    let stale = app
        .send(
            Method::GET,
            "/api/v1/reference/levers",
            None,
            &[("Accept-Language", "ru"), ("If-None-Match", &en.etag())],
            None,
        )
        .await;
    assert_eq!(stale.status, 200);
    assert_eq!(
        stale.body[0]["label"],
        "Политика, регулирование, налогообложение"
    );
    let fresh = app
        .send(
            Method::GET,
            "/api/v1/reference/levers",
            None,
            &[("Accept-Language", "ru"), ("If-None-Match", &ru.etag())],
            None,
        )
        .await;
    assert_eq!(fresh.status, 304);
}

const REFERENCE: &str = r#"
query Reference($kind: ReferenceKind!, $lang: String) {
  reference(kind: $kind, lang: $lang) {
    code label official languages { field language }
    translations { language label official }
  }
}"#;

async fn graphql_reference_takes_lang(app: TestApp) {
    let fr = graphql(
        &app,
        REFERENCE,
        json!({"kind": "SECTORS", "lang": "fr"}),
        None,
    )
    .await;
    let government = &data(&fr)["reference"][0];
    assert_eq!(government["label"], "Gouvernement");
    assert_eq!(government["official"], false);
    assert_eq!(
        government["languages"],
        json!([{"field": "description", "language": "en"}])
    );
    let rest = app.get("/api/v1/reference/sectors?lang=*", None).await;
    let all = graphql(
        &app,
        REFERENCE,
        json!({"kind": "SECTORS", "lang": "*"}),
        None,
    )
    .await;
    let translations = &data(&all)["reference"][0]["translations"];
    assert_eq!(translations.as_array().map(Vec::len), Some(5));
    assert_eq!(
        translations[2]["label"],
        rest.body[0]["translations"]["fr"]["label"]
    );
    let bad = graphql(
        &app,
        REFERENCE,
        json!({"kind": "SECTORS", "lang": "!!"}),
        None,
    )
    .await;
    assert_eq!(codes(&bad), ["BAD_REQUEST"]);
}
