//! The search of issue 14, specified one behaviour a test: what `q` finds among initiatives,
//! lessons and organisations. Words are ANDed; case and accents fold; English, French, Spanish,
//! Russian and Arabic are stemmed and Chinese segmented; the last word matches as a prefix,
//! longer words tolerate one typo; `"a phrase"` and `-word` are operators; every list filter
//! combines with `q`; a search page carries `search.hits` (score and `<mark>`ed snippets) and
//! `search.facets` over the whole result set; another tenant's private words never match; a
//! write is found by the next search. Each test seeds a few records through the API and, when
//! it fails, prints what came back.

use msp_tests::{Resp, TestApp, both_databases, json};
use serde_json::Value;
use service::Role;

both_databases!(
    every_word_must_match,
    case_does_not_matter,
    english_words_are_stemmed,
    french_accents_fold,
    french_words_are_stemmed,
    spanish_words_are_stemmed_and_accents_fold,
    russian_inflections_match,
    arabic_article_and_hamza_fold,
    chinese_is_segmented_into_words,
    the_last_word_matches_as_a_prefix,
    a_long_word_tolerates_one_typo,
    a_short_word_must_be_spelled_exactly,
    a_quoted_phrase_matches_as_a_phrase,
    a_minus_word_excludes,
    every_filter_combines_with_q,
    outcome_summary_and_lessons_are_searched,
    title_ranks_above_summary_above_description_above_lessons,
    hits_follow_the_order_of_items,
    snippets_mark_the_matched_words_and_escape_html,
    snippets_only_for_fields_that_matched,
    facets_count_the_whole_result_set,
    facets_cover_every_dimension,
    another_tenants_private_words_never_match,
    scope_all_finds_own_and_public,
    a_created_initiative_is_found_at_once,
    a_new_title_is_found_by_its_new_word_only,
    a_deleted_initiative_is_not_found,
    a_second_process_sees_writes_within_a_second,
    lessons_are_searched_with_the_same_syntax,
    lesson_hits_carry_snippets,
    organizations_are_found_as_you_type,
    graphql_searches_as_rest_does,
);

/// The token of an editor of a new tenant `slug`.
pub(crate) async fn editor(app: &TestApp, slug: &str) -> String {
    let tenant = app.tenant(slug).await;
    app.member(&tenant, Role::Editor).await.token
}

/// Creates an initiative from `fields` (kind `msp` unless they say otherwise); its id.
pub(crate) async fn create(app: &TestApp, token: &str, fields: Value) -> String {
    let mut body = json!({"kind": "msp"});
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    let r = app.post("/api/v1/initiatives", Some(token), &body).await;
    assert_eq!(r.status, 201, "create {body}: {:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Creates an initiative with only a title; its id.
async fn titled(app: &TestApp, token: &str, title: &str) -> String {
    create(app, token, json!({"title": title})).await
}

/// `text` percent-encoded for a query string (every byte but the unreserved ones).
pub(crate) fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `GET /api/v1/{resource}?q=…` with `extra` parameters (`a=b&c=d`); it must answer 200.
pub(crate) async fn search(
    app: &TestApp,
    token: Option<&str>,
    resource: &str,
    q: &str,
    extra: &str,
) -> Resp {
    let mut path = format!("/api/v1/{resource}?q={}", enc(q));
    if !extra.is_empty() {
        path.push('&');
        path.push_str(extra);
    }
    let r = app.get(&path, token).await;
    assert_eq!(r.status, 200, "{path}: {:?}", r.body);
    r
}

/// The `key` of every item of a page.
pub(crate) fn values(r: &Resp, key: &str) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {:?}", r.body))
        .iter()
        .map(|item| item[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The titles of the initiatives `q` finds (with `extra` parameters), up to 50.
async fn titles(app: &TestApp, token: &str, q: &str, extra: &str) -> Vec<String> {
    let extra = if extra.is_empty() {
        "per_page=50".to_owned()
    } else {
        format!("{extra}&per_page=50")
    };
    values(
        &search(app, Some(token), "initiatives", q, &extra).await,
        "title",
    )
}

/// Asserts that the initiative titled `title` is among `got`, the answer to `q`.
#[track_caller]
fn finds(got: &[String], q: &str, title: &str) {
    assert!(
        got.iter().any(|t| t == title),
        "q={q:?} must find {title:?}; came back {got:?}"
    );
}

/// Asserts that the initiative titled `title` is not among `got`, the answer to `q`.
#[track_caller]
fn misses(got: &[String], q: &str, title: &str) {
    assert!(
        !got.iter().any(|t| t == title),
        "q={q:?} must not find {title:?}; came back {got:?}"
    );
}

/// Asks `q` and asserts it finds `title`.
async fn expect(app: &TestApp, token: &str, q: &str, title: &str) {
    finds(&titles(app, token, q, "").await, q, title);
}

/// The counts of one facet of a search page, as `(value, count)` sorted by value.
fn facet(r: &Resp, name: &str) -> Vec<(String, u64)> {
    let buckets = r.body["search"]["facets"][name]
        .as_array()
        .unwrap_or_else(|| panic!("no facet {name:?} in {:?}", r.body["search"]));
    let mut counts: Vec<(String, u64)> = buckets
        .iter()
        .map(|b| {
            let value = match &b["value"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (value, b["count"].as_u64().unwrap_or_default())
        })
        .collect();
    counts.sort();
    counts
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = expected
        .iter()
        .map(|(k, n)| ((*k).to_owned(), *n))
        .collect();
    v.sort();
    v
}

/// The `search.hits` of a page.
fn hits(r: &Resp) -> Vec<Value> {
    r.body["search"]["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no search.hits in {:?}", r.body))
        .clone()
}

// ---------------------------------------------------------------------------------------------
// Words

async fn every_word_must_match(app: TestApp) {
    let tok = editor(&app, "s-and").await;
    titled(&app, &tok, "School connectivity in Macedonia").await;
    titled(&app, &tok, "Connectivity vouchers in Rwanda").await;
    let got = titles(&app, &tok, "school connectivity", "").await;
    assert_eq!(
        got,
        ["School connectivity in Macedonia"],
        "came back {got:?}"
    );
}

async fn case_does_not_matter(app: TestApp) {
    let tok = editor(&app, "s-case").await;
    titled(&app, &tok, "School connectivity in Macedonia").await;
    expect(&app, &tok, "SCHOOL", "School connectivity in Macedonia").await;
    expect(
        &app,
        &tok,
        "sChOoL cOnNeCtIvItY",
        "School connectivity in Macedonia",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Languages (the query's first word is never the last, so no prefix match stands in for them)

async fn english_words_are_stemmed(app: TestApp) {
    let tok = editor(&app, "s-en").await;
    let vouchers = "Rwanda school vouchers";
    create(
        &app,
        &tok,
        json!({"title": vouchers, "summary": "Households receive vouchers for broadband."}),
    )
    .await;
    let bookkeeping = "Bookkeeping for market women";
    create(&app, &tok, json!({"title": bookkeeping, "summary": "Women traders learn bookkeeping on their phones."})).await;
    expect(&app, &tok, "voucher", vouchers).await;
    expect(&app, &tok, "voucher households", vouchers).await;
    expect(&app, &tok, "bookkeep women", bookkeeping).await;
    expect(&app, &tok, "trader phone", bookkeeping).await;
}

async fn french_accents_fold(app: TestApp) {
    let tok = editor(&app, "s-fr-acc").await;
    let title = "Connectivité des écoles rurales au Sénégal";
    create(&app, &tok, json!({"title": title, "summary": "Le programme relie les écoles primaires à l'internet haut débit."})).await;
    expect(&app, &tok, "connectivite", title).await;
    expect(&app, &tok, "CONNECTIVITÉ", title).await;
    expect(&app, &tok, "senegal debit", title).await;
}

async fn french_words_are_stemmed(app: TestApp) {
    let tok = editor(&app, "s-fr-stem").await;
    let title = "Formation numérique des enseignants";
    create(&app, &tok, json!({"title": title, "summary": "Chaque enseignant du primaire suit une formation aux outils numériques."})).await;
    // `enseignement` and `enseignants` share the stem `enseign`; `ecole` is `écoles` folded.
    expect(&app, &tok, "enseignement primaire", title).await;
    expect(&app, &tok, "formations numerique", title).await;
}

async fn spanish_words_are_stemmed_and_accents_fold(app: TestApp) {
    let tok = editor(&app, "s-es").await;
    let title = "Precios de mercado por SMS para el pequeño agricultor";
    create(&app, &tok, json!({"title": title, "summary": "Cada agricultor recibe en su teléfono los precios del mercado mayorista."})).await;
    expect(&app, &tok, "agricultores precios", title).await;
    expect(&app, &tok, "telefono mayorista", title).await;
    expect(&app, &tok, "pequeno agricultor", title).await;
}

async fn russian_inflections_match(app: TestApp) {
    let tok = editor(&app, "s-ru").await;
    let title = "Интернет для каждой школы";
    create(&app, &tok, json!({"title": title, "summary": "Программа подключает сельские школы к широкополосному интернету."})).await;
    // `школами` (instrumental plural) and `школы` share the stem `школ`.
    expect(&app, &tok, "школами интернет", title).await;
    expect(&app, &tok, "ИНТЕРНЕТУ сельские", title).await;
}

async fn arabic_article_and_hamza_fold(app: TestApp) {
    let tok = editor(&app, "s-ar").await;
    let title = "ربط المدارس الريفية بالإنترنت";
    create(
        &app,
        &tok,
        json!({"title": title, "summary": "يوفر البرنامج اتصالا سريعا بالإنترنت للمدارس في القرى."}),
    )
    .await;
    // `مدارس` without the article finds `المدارس`; `الانترنت` without hamza finds `بالإنترنت`.
    expect(&app, &tok, "مدارس الريفية", title).await;
    expect(&app, &tok, "الانترنت", title).await;
}

async fn chinese_is_segmented_into_words(app: TestApp) {
    let tok = editor(&app, "s-zh").await;
    let schools = "为农村学校提供互联网接入";
    create(
        &app,
        &tok,
        json!({"title": schools, "summary": "该项目为偏远地区的学校和社区中心提供宽带网络。"}),
    )
    .await;
    let health = "远程医疗服务覆盖偏远村庄";
    titled(&app, &tok, health).await;
    let got = titles(&app, &tok, "学校", "").await;
    finds(&got, "学校", schools);
    misses(&got, "学校", health);
    expect(&app, &tok, "医疗", health).await;
    expect(&app, &tok, "偏远 村庄", health).await;
}

// ---------------------------------------------------------------------------------------------
// Operators

async fn the_last_word_matches_as_a_prefix(app: TestApp) {
    let tok = editor(&app, "s-prefix").await;
    let title = "Telemedicine for rural clinics";
    titled(&app, &tok, title).await;
    expect(&app, &tok, "telemed", title).await;
    expect(&app, &tok, "rural clin", title).await;
}

async fn a_long_word_tolerates_one_typo(app: TestApp) {
    let tok = editor(&app, "s-typo").await;
    let title = "School connectivity in Macedonia";
    titled(&app, &tok, title).await;
    expect(&app, &tok, "conectivity", title).await;
    expect(&app, &tok, "Macedonja school", title).await;
    let got = titles(&app, &tok, "conectivty", "").await;
    misses(&got, "conectivty (two typos)", title);
}

async fn a_short_word_must_be_spelled_exactly(app: TestApp) {
    let tok = editor(&app, "s-short").await;
    let title = "Mali CLIC telecentres";
    titled(&app, &tok, title).await;
    expect(&app, &tok, "mali telecentres", title).await;
    let got = titles(&app, &tok, "malu telecentres", "").await;
    misses(&got, "malu telecentres", title);
}

async fn a_quoted_phrase_matches_as_a_phrase(app: TestApp) {
    let tok = editor(&app, "s-phrase").await;
    let phrase = "School connectivity for every district";
    let scattered = "Connectivity of the school network";
    titled(&app, &tok, phrase).await;
    titled(&app, &tok, scattered).await;
    let q = "\"school connectivity\"";
    let got = titles(&app, &tok, q, "").await;
    finds(&got, q, phrase);
    misses(&got, q, scattered);
}

async fn a_minus_word_excludes(app: TestApp) {
    let tok = editor(&app, "s-minus").await;
    let solar = "Solar school connectivity";
    let satellite = "Satellite school connectivity";
    titled(&app, &tok, solar).await;
    titled(&app, &tok, satellite).await;
    let q = "school -satellite";
    let got = titles(&app, &tok, q, "").await;
    finds(&got, q, solar);
    misses(&got, q, satellite);
}

// ---------------------------------------------------------------------------------------------
// Filters, fields and ranking

async fn every_filter_combines_with_q(app: TestApp) {
    let tok = editor(&app, "s-filter").await;
    let farmers = "Mobile money for farmers";
    let traders = "Mobile money for traders";
    create(&app, &tok, json!({"title": farmers, "kind": "msp", "countries": ["KE"], "sdg_goals": [1], "action_lines": ["C7.e-agriculture"], "stage": "implementing"})).await;
    create(&app, &tok, json!({"title": traders, "kind": "ppp", "countries": ["BR"], "sdg_goals": [8], "action_lines": ["C7.e-business"], "stage": "reviewing"})).await;
    create(&app, &tok, json!({"title": "Crop prices by SMS", "kind": "msp", "countries": ["KE"], "sdg_goals": [1], "action_lines": ["C7.e-agriculture"], "stage": "implementing"})).await;
    for (filter, expected) in [
        ("country=KE", farmers),
        ("country=BR", traders),
        ("sdg=1", farmers),
        ("sdg=8", traders),
        ("action_line=C7.e-agriculture", farmers),
        ("action_line=C7.e-business", traders),
        ("stage=implementing", farmers),
        ("stage=reviewing", traders),
        ("kind=msp", farmers),
        ("kind=ppp", traders),
    ] {
        let got = titles(&app, &tok, "mobile money", filter).await;
        assert_eq!(
            got,
            [expected],
            "q=mobile money&{filter}: came back {got:?}"
        );
    }
}

async fn outcome_summary_and_lessons_are_searched(app: TestApp) {
    let tok = editor(&app, "s-fields").await;
    let outcome = "Broadband for district schools";
    create(&app, &tok, json!({"title": outcome, "outcome": "successful", "outcome_summary": "Enrolment doubled once the broadband arrived."})).await;
    let lesson = "Community radio";
    let id = titled(&app, &tok, lesson).await;
    let r = app
        .post(
            &format!("/api/v1/initiatives/{id}/lessons"),
            Some(&tok),
            &json!({"statement": "Listeners trusted the farmers' cooperative more than the ministry."}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    expect(&app, &tok, "enrolment doubled", outcome).await;
    expect(&app, &tok, "listeners cooperative", lesson).await;
}

async fn title_ranks_above_summary_above_description_above_lessons(app: TestApp) {
    let tok = editor(&app, "s-rank").await;
    let in_title = "Telecentre network";
    let in_summary = "Community access points";
    let in_description = "Rural access programme";
    let in_lesson = "Digital inclusion plan";
    create(&app, &tok, json!({"title": in_title, "summary": "Access points in every district.", "description": "Run by the district councils."})).await;
    create(&app, &tok, json!({"title": in_summary, "summary": "A telecentre in every district.", "description": "Run by the district councils."})).await;
    create(&app, &tok, json!({"title": in_description, "summary": "Access points in every district.", "description": "A telecentre run by the councils."})).await;
    let id = create(&app, &tok, json!({"title": in_lesson, "summary": "Access points in every district.", "description": "Run by the district councils."})).await;
    let r = app
        .post(
            &format!("/api/v1/initiatives/{id}/lessons"),
            Some(&tok),
            &json!({"statement": "The telecentre needed a local champion."}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // No `sort`: a search is ranked by relevance by default.
    let got = titles(&app, &tok, "telecentre", "").await;
    assert_eq!(
        got,
        [in_title, in_summary, in_description, in_lesson],
        "came back {got:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Hits, snippets and facets

async fn hits_follow_the_order_of_items(app: TestApp) {
    let tok = editor(&app, "s-hits").await;
    titled(&app, &tok, "School connectivity").await;
    create(
        &app,
        &tok,
        json!({"title": "Rural broadband", "summary": "Fibre for every school."}),
    )
    .await;
    create(
        &app,
        &tok,
        json!({"title": "District libraries", "description": "The school library opens at night."}),
    )
    .await;
    let r = search(&app, Some(&tok), "initiatives", "school", "").await;
    let items = values(&r, "id");
    let hits = hits(&r);
    let hit_ids: Vec<&str> = hits
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(items.len(), 3, "{:?}", r.body);
    assert_eq!(
        hit_ids, items,
        "hits in the order of items: {:?}",
        r.body["search"]
    );
    let scores: Vec<f64> = hits
        .iter()
        .map(|h| h["score"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(
        scores.iter().all(|s| *s > 0.0),
        "every hit has a positive score: {scores:?}"
    );
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "ranked by score: {scores:?}"
    );
}

async fn snippets_mark_the_matched_words_and_escape_html(app: TestApp) {
    let tok = editor(&app, "s-snip").await;
    titled(
        &app,
        &tok,
        "Libraries & schools <online>: one school network",
    )
    .await;
    let r = search(&app, Some(&tok), "initiatives", "school", "").await;
    let hits = hits(&r);
    let title = hits[0]["snippets"]["title"].as_str().unwrap_or_default();
    assert!(title.contains("<mark>school</mark>"), "{title:?}");
    assert!(title.contains("&amp;"), "HTML-escaped: {title:?}");
    assert!(title.contains("&lt;online&gt;"), "HTML-escaped: {title:?}");
    assert!(!title.contains("<online>"), "HTML-escaped: {title:?}");
}

async fn snippets_only_for_fields_that_matched(app: TestApp) {
    let tok = editor(&app, "s-snip-fields").await;
    create(&app, &tok, json!({"title": "Rural broadband", "summary": "Fibre for every school.", "description": "Built by the regional utility."})).await;
    let r = search(&app, Some(&tok), "initiatives", "school", "").await;
    let snippets = &hits(&r)[0]["snippets"];
    let summary = snippets["summary"].as_str().unwrap_or_default();
    assert!(summary.contains("<mark>school</mark>"), "{snippets:?}");
    assert!(
        snippets.get("title").is_none(),
        "the title did not match: {snippets:?}"
    );
    assert!(
        snippets.get("description").is_none(),
        "the description did not match: {snippets:?}"
    );
}

async fn facets_count_the_whole_result_set(app: TestApp) {
    let tok = editor(&app, "s-facets").await;
    for (title, country) in [
        ("School fibre in Recife", "BR"),
        ("School fibre in Manaus", "BR"),
        ("School fibre in Belém", "BR"),
        ("School fibre in Durban", "ZA"),
        ("Clinic fibre in Natal", "BR"),
    ] {
        create(&app, &tok, json!({"title": title, "countries": [country]})).await;
    }
    let r = search(&app, Some(&tok), "initiatives", "school", "per_page=1").await;
    assert_eq!(r.body["total"], 4, "{:?}", r.body);
    assert_eq!(values(&r, "id").len(), 1);
    assert_eq!(
        facet(&r, "country"),
        pairs(&[("BR", 3), ("ZA", 1)]),
        "{:?}",
        r.body["search"]
    );
}

async fn facets_cover_every_dimension(app: TestApp) {
    let tok = editor(&app, "s-facet-dims").await;
    create(&app, &tok, json!({"title": "School fibre A", "kind": "msp", "countries": ["KE"], "sdg_goals": [4], "action_lines": ["C2"], "stage": "implementing"})).await;
    create(&app, &tok, json!({"title": "School fibre B", "kind": "ppp", "countries": ["KE"], "sdg_goals": [4, 9], "action_lines": ["C2", "C3"], "stage": "reviewing"})).await;
    // `public_initiative` gives its initiative an active partner of the business sector.
    app.public_initiative(&tok, "School fibre C").await;
    let r = search(&app, Some(&tok), "initiatives", "school fibre", "").await;
    assert_eq!(r.body["total"], 3, "{:?}", r.body);
    assert_eq!(facet(&r, "kind"), pairs(&[("msp", 2), ("ppp", 1)]));
    assert_eq!(facet(&r, "country"), pairs(&[("KE", 2), ("ML", 1)]));
    assert_eq!(facet(&r, "sdg_goal"), pairs(&[("4", 2), ("9", 1)]));
    assert_eq!(
        facet(&r, "action_line"),
        pairs(&[("C2", 2), ("C3", 1), ("C4", 1)])
    );
    assert_eq!(
        facet(&r, "stage"),
        pairs(&[("implementing", 2), ("reviewing", 1)])
    );
    assert_eq!(facet(&r, "sector"), pairs(&[("business", 1)]));
}

// ---------------------------------------------------------------------------------------------
// Tenancy

async fn another_tenants_private_words_never_match(app: TestApp) {
    let tok_a = editor(&app, "s-ten-a").await;
    let tok_b = editor(&app, "s-ten-b").await;
    create(
        &app,
        &tok_a,
        json!({"title": "Zanzibarite fibre pilot", "countries": ["TZ"]}),
    )
    .await;
    create(
        &app,
        &tok_b,
        json!({"title": "Fibre pilot of B", "countries": ["KE"]}),
    )
    .await;
    for scope in ["scope=tenant", "scope=all", "scope=public"] {
        let r = search(&app, Some(&tok_b), "initiatives", "zanzibarite", scope).await;
        assert_eq!(
            values(&r, "title"),
            Vec::<String>::new(),
            "{scope}: {:?}",
            r.body
        );
        assert_eq!(r.body["total"], 0, "{scope}");
        let fibre = search(&app, Some(&tok_b), "initiatives", "fibre pilot", scope).await;
        if let Some(countries) = fibre.body["search"]["facets"]["country"].as_array() {
            assert!(
                countries.iter().all(|b| b["value"] != "TZ"),
                "{scope}: facets count another tenant's private initiative: {countries:?}"
            );
        }
    }
    let anonymous = search(&app, None, "initiatives", "zanzibarite", "").await;
    assert_eq!(anonymous.body["total"], 0, "{:?}", anonymous.body);
}

async fn scope_all_finds_own_and_public(app: TestApp) {
    let tok_a = editor(&app, "s-all-a").await;
    let tok_b = editor(&app, "s-all-b").await;
    titled(&app, &tok_a, "Private zanzibarite plan of A").await;
    app.public_initiative(&tok_a, "Public zanzibarite plan of A")
        .await;
    titled(&app, &tok_b, "Own zanzibarite plan of B").await;
    let mut all = titles(&app, &tok_b, "zanzibarite", "scope=all").await;
    all.sort();
    assert_eq!(
        all,
        ["Own zanzibarite plan of B", "Public zanzibarite plan of A"]
    );
    let own = titles(&app, &tok_b, "zanzibarite", "").await;
    assert_eq!(
        own,
        ["Own zanzibarite plan of B"],
        "members search their own tenant by default"
    );
}

// ---------------------------------------------------------------------------------------------
// Read your writes

async fn a_created_initiative_is_found_at_once(app: TestApp) {
    let tok = editor(&app, "s-ryw-create").await;
    let id = titled(&app, &tok, "Quokka telecentres").await;
    let r = search(&app, Some(&tok), "initiatives", "quokka", "").await;
    assert_eq!(values(&r, "id"), [id], "{:?}", r.body);
}

async fn a_new_title_is_found_by_its_new_word_only(app: TestApp) {
    let tok = editor(&app, "s-ryw-patch").await;
    let id = titled(&app, &tok, "Quokka telecentres").await;
    let path = format!("/api/v1/initiatives/{id}");
    let etag = app.get(&path, Some(&tok)).await.etag();
    let r = app
        .patch(
            &path,
            Some(&tok),
            Some(&etag),
            &json!({"title": "Wombat telecentres"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let new = search(&app, Some(&tok), "initiatives", "wombat", "").await;
    assert_eq!(values(&new, "id"), [id.as_str()], "{:?}", new.body);
    let old = search(&app, Some(&tok), "initiatives", "quokka", "").await;
    assert!(
        values(&old, "id").is_empty(),
        "the old title still matches: {:?}",
        old.body
    );
}

async fn a_deleted_initiative_is_not_found(app: TestApp) {
    let tok = editor(&app, "s-ryw-delete").await;
    let id = titled(&app, &tok, "Quokka telecentres").await;
    let path = format!("/api/v1/initiatives/{id}");
    let etag = app.get(&path, Some(&tok)).await.etag();
    let r = app.delete(&path, Some(&tok), Some(&etag)).await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    let after = search(&app, Some(&tok), "initiatives", "quokka", "").await;
    assert!(
        values(&after, "id").is_empty(),
        "a deleted initiative matches: {:?}",
        after.body
    );
    assert_eq!(after.body["total"], 0);
}

/// Asks `other` for `q` every 50 ms until `done` holds of the ids it answers, for at most
/// `within`; whether it came to hold, and the last answer.
async fn eventually(
    other: &TestApp,
    token: &str,
    q: &str,
    within: std::time::Duration,
    done: impl Fn(&[String]) -> bool,
) -> (bool, Vec<String>) {
    let start = std::time::Instant::now();
    loop {
        let ids = values(
            &search(other, Some(token), "initiatives", q, "").await,
            "id",
        );
        if done(&ids) {
            return (true, ids);
        }
        if start.elapsed() > within {
            return (false, ids);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Another server process on the same database follows the change feed: what one process
/// writes, the other finds within 1 s (1.5 s allowed here for the test's own requests).
async fn a_second_process_sees_writes_within_a_second(app: TestApp) {
    let tok = editor(&app, "s-second").await;
    let other = app.sibling(&[("MSP_SEARCH_FOLLOW_MS", "100")]).await;
    let within = std::time::Duration::from_millis(1500);
    let id = titled(&app, &tok, "Quokka telecentres").await;
    let (found, ids) = eventually(&other, &tok, "quokka", within, |ids| ids == [id.as_str()]).await;
    assert!(
        found,
        "the second process never found the new initiative: {ids:?}"
    );
    let path = format!("/api/v1/initiatives/{id}");
    let etag = app.get(&path, Some(&tok)).await.etag();
    assert_eq!(app.delete(&path, Some(&tok), Some(&etag)).await.status, 204);
    let (gone, ids) = eventually(&other, &tok, "quokka", within, <[String]>::is_empty).await;
    assert!(
        gone,
        "the second process still finds the deleted initiative: {ids:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Lessons and organisations

/// Adds a lesson to a new initiative; the lesson's id.
async fn lesson(app: &TestApp, token: &str, body: Value) -> String {
    let initiative = titled(app, token, "Lessons holder").await;
    let r = app
        .post(
            &format!("/api/v1/initiatives/{initiative}/lessons"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn lesson_ids(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    values(&search(app, Some(token), "lessons", q, "").await, "id")
}

async fn lessons_are_searched_with_the_same_syntax(app: TestApp) {
    let tok = editor(&app, "s-lessons").await;
    let vouchers = lesson(&app, &tok, json!({"statement": "Vouchers reached rural households.", "challenge": "Shops were far away."})).await;
    let tender = lesson(&app, &tok, json!({"statement": "Pooled demand lowered prices.", "recommendation": "Pool every school into one tender."})).await;
    let context = lesson(&app, &tok, json!({"statement": "Champions matter.", "context": "Telemedicine pilots in rural clinics."})).await;
    assert_eq!(
        lesson_ids(&app, &tok, "voucher households").await,
        [vouchers.as_str()],
        "stemmed"
    );
    assert_eq!(
        lesson_ids(&app, &tok, "tend").await,
        [tender.as_str()],
        "prefix"
    );
    assert_eq!(
        lesson_ids(&app, &tok, "telemedecine").await,
        [context.as_str()],
        "typo"
    );
    assert_eq!(
        lesson_ids(&app, &tok, "rural -shops").await,
        [context],
        "exclusion"
    );
    assert_eq!(
        lesson_ids(&app, &tok, "\"one tender\"").await,
        [tender],
        "phrase"
    );
}

async fn lesson_hits_carry_snippets(app: TestApp) {
    let tok = editor(&app, "s-lesson-snip").await;
    let id = lesson(&app, &tok, json!({"statement": "Vouchers reached rural households.", "challenge": "Shops were far away."})).await;
    let r = search(&app, Some(&tok), "lessons", "shops", "").await;
    let hits = hits(&r);
    assert_eq!(hits.len(), 1, "{:?}", r.body);
    assert_eq!(hits[0]["id"], id.as_str());
    let snippets = &hits[0]["snippets"];
    let challenge = snippets["challenge"].as_str().unwrap_or_default();
    assert!(challenge.contains("<mark>Shops</mark>"), "{snippets:?}");
    assert!(
        snippets.get("statement").is_none(),
        "the statement did not match: {snippets:?}"
    );
}

async fn organizations_are_found_as_you_type(app: TestApp) {
    let tok = editor(&app, "s-orgs").await;
    for (name, acronym) in [
        ("Ministry of Education", "MOE"),
        (
            "United Nations Educational, Scientific and Cultural Organization",
            "UNESCO",
        ),
        ("Kenya Power", "KPLC"),
    ] {
        let r = app
            .post(
                "/api/v1/organizations",
                Some(&tok),
                &json!({"name": name, "acronym": acronym, "sector": "government", "country": "KE", "visibility": "private"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let names = |q: &'static str| {
        let app = app.clone();
        let tok = tok.clone();
        async move {
            values(
                &search(&app, Some(&tok), "organizations", q, "").await,
                "name",
            )
        }
    };
    assert_eq!(
        names("minis").await,
        ["Ministry of Education"],
        "name prefix"
    );
    assert_eq!(
        names("ministry of educ").await,
        ["Ministry of Education"],
        "words and a prefix"
    );
    assert_eq!(
        names("UNE").await,
        ["United Nations Educational, Scientific and Cultural Organization"],
        "acronym prefix"
    );
    assert_eq!(names("kplc").await, ["Kenya Power"], "acronym, any case");
}

/// GraphQL's `search` argument is the same search: the same records, in the same order, for
/// queries that need stemming, folding, segmentation and the operators.
async fn graphql_searches_as_rest_does(app: TestApp) {
    let tok = editor(&app, "s-graphql").await;
    create(&app, &tok, json!({"title": "Rwanda school vouchers", "summary": "Households receive vouchers for broadband."})).await;
    titled(&app, &tok, "Connectivité des écoles rurales au Sénégal").await;
    titled(&app, &tok, "为农村学校提供互联网接入").await;
    titled(&app, &tok, "Satellite school connectivity").await;
    titled(&app, &tok, "Solar school connectivity").await;
    const QUERY: &str = "query($q: String) { initiatives(search: $q, first: 50) { nodes { id } } }";
    for q in [
        "voucher",
        "connectivite",
        "学校",
        "school -satellite",
        "\"school connectivity\"",
        "school connec",
    ] {
        let rest = values(
            &search(&app, Some(&tok), "initiatives", q, "per_page=50").await,
            "id",
        );
        let r = super::graphql::graphql(&app, QUERY, json!({"q": q}), Some(&tok)).await;
        let nodes = super::graphql::data(&r)["initiatives"]["nodes"].clone();
        let over_graphql: Vec<String> = nodes
            .as_array()
            .unwrap_or_else(|| panic!("no nodes: {}", r.body))
            .iter()
            .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(over_graphql, rest, "q={q:?}: GraphQL and REST differ");
        assert!(!rest.is_empty(), "q={q:?} finds nothing over REST");
    }
}
