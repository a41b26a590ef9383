//! No N+1: nested fields are batched per request. The SQL statements a GraphQL request makes
//! are counted with sea-orm's metric callback on a second server sharing the test's database,
//! and their number does not grow with the page size.

use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use msp_api::{config::Config, startup::Application};
use msp_tests::{TestApp, both_databases, json};
use serde_json::Value;
use service::{Caller, Principal, Registry, Role, SubjectKind, history::WriteMeta};
use uuid::Uuid;

both_databases!(statement_count_does_not_grow_with_the_page_size);

/// A server over the same database whose every SQL statement is counted.
struct Counted {
    base: String,
    statements: Arc<AtomicUsize>,
    client: reqwest::Client,
}

impl Counted {
    async fn spawn(app: &TestApp) -> Counted {
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        let mut conn = app.registry.db().clone();
        conn.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let registry = Registry::new(
            conn,
            app.registry.tokens().clone(),
            app.registry.settings().clone(),
            app.registry.search().clone(),
        );
        let vars: HashMap<String, String> = [
            ("MSP_BIND", "127.0.0.1:0"),
            ("MSP_WORKERS", "1"),
            ("MSP_DEMO", "false"),
            ("MSP_LOG_LEVEL", "warn"),
            ("MSP_SEARCH_INDEX", "memory"),
            ("MSP_SEARCH_FOLLOW_MS", "60000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let config = Config::from_vars(&vars).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let server = Application::from_listener(&config, registry, listener).unwrap();
        let base = format!("http://127.0.0.1:{}", server.port());
        actix_web::rt::spawn(server.run_until_stopped());
        Counted {
            base,
            statements,
            client: reqwest::Client::new(),
        }
    }

    /// Runs a query and returns its data and the number of SQL statements it made.
    async fn run(&self, query: &str, variables: Value, token: &str) -> (Value, usize) {
        self.statements.store(0, Ordering::SeqCst);
        let r = self
            .client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        (body["data"].clone(), self.statements.load(Ordering::SeqCst))
    }
}

fn parse<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// 60 initiatives, each with two partners (one of a public organisation, one of a private
/// one), a contribution, an agreement, a report and a lesson; through the service.
async fn seed(app: &TestApp) -> String {
    let t = app.tenant("batching").await;
    let ed = app.member(&t, Role::Editor).await;
    let caller = Caller::Member(Principal {
        subject: ed.user_id,
        kind: SubjectKind::User,
        tenant_id: t.id,
        role: Role::Editor,
        platform_admin: false,
    });
    let r = &app.registry;
    let none = WriteMeta::default();
    let mut orgs = Vec::new();
    for n in 0..12 {
        let visibility = if n % 2 == 0 { "public" } else { "private" };
        let sector = ["government", "business", "civil_society"][n % 3];
        let org = r
            .create_organization(
                &caller,
                parse(
                    json!({"name": format!("Organisation {n}"), "sector": sector,
                             "visibility": visibility, "website": "https://example.org/"}),
                ),
                &none,
            )
            .await
            .unwrap();
        orgs.push(org.id);
    }
    for n in 0..60 {
        let initiative = r
            .create_initiative(
                &caller,
                parse(json!({"title": format!("Initiative {n:02}"), "kind": "msp",
                             "countries": ["ML"], "action_lines": ["C4"], "stage": "implementing"})),
                &none,
            )
            .await
            .unwrap();
        let id = initiative.initiative.id;
        let mut partners: Vec<Uuid> = Vec::new();
        for k in 0..2 {
            let org = orgs[(n + k * 5) % orgs.len()];
            let p = r
                .create_child::<service::partners::Partners>(
                    &caller,
                    id,
                    parse(json!({"organization_id": org, "roles": ["implementer"]})),
                    &none,
                )
                .await
                .unwrap();
            partners.push(p.id);
        }
        r.create_child::<service::contributions::Contributions>(
            &caller,
            id,
            parse(json!({"partner_id": partners[0], "resource_kind": "cash",
                         "amount": format!("{}.25", 1000 + n), "currency": "USD"})),
            &none,
        )
        .await
        .unwrap();
        r.create_child::<service::agreements::Agreements>(
            &caller,
            id,
            parse(json!({"agreement_type": "contract", "title": "Contract", "parties": partners})),
            &none,
        )
        .await
        .unwrap();
        r.create_child::<service::reports::Reports>(
            &caller,
            id,
            parse(json!({"period_start": "2025-01-01", "period_end": "2025-06-30", "narrative": "Half year"})),
            &none,
        )
        .await
        .unwrap();
        r.create_child::<service::lessons::Lessons>(
            &caller,
            id,
            parse(json!({"statement": format!("Lesson {n}")})),
            &none,
        )
        .await
        .unwrap();
    }
    ed.token
}

const PAGE: &str = r#"
query($first: Int) {
  initiatives(first: $first) {
    totalCount
    nodes {
      id title
      partners { id roles organization { name sector details { id name website } } }
      contributionTotals { byCurrency { currency total } byPartner { organizationName share: amounts { share } } }
    }
  }
}"#;

const EVERYTHING: &str = r#"
query($first: Int) {
  initiatives(first: $first) {
    nodes {
      id
      stageChanges { to }
      partners(first: 2) { organization { details { initiatives(first: 3) { id partners(first: 2) { id } } } } }
      contributions(first: 2) { amount { amount currency } }
      agreements(first: 2) { parties { name } }
      reports(first: 2) { periodEnd }
      lessons(first: 2) { statement }
      history(first: 3) { operation }
    }
  }
}"#;

async fn statement_count_does_not_grow_with_the_page_size(app: TestApp) {
    let token = seed(&app).await;
    let counted = Counted::spawn(&app).await;

    let (ten, at_10) = counted.run(PAGE, json!({"first": 10}), &token).await;
    let (fifty, at_50) = counted.run(PAGE, json!({"first": 50}), &token).await;
    eprintln!(
        "graphql batching ({:?}): page of 10 initiatives: {at_10} SQL statements; page of 50: {at_50}",
        app.backend
    );
    let nodes = fifty["initiatives"]["nodes"].as_array().unwrap();
    assert_eq!(ten["initiatives"]["nodes"].as_array().unwrap().len(), 10);
    assert_eq!(nodes.len(), 50);
    for node in nodes {
        let partners = node["partners"].as_array().unwrap();
        assert_eq!(partners.len(), 2, "{node}");
        for p in partners {
            assert_eq!(
                p["organization"]["details"]["name"], p["organization"]["name"],
                "own tenant's organisations, public or private, are readable"
            );
        }
        assert_eq!(
            node["contributionTotals"]["byCurrency"][0]["currency"],
            "USD"
        );
    }
    assert_eq!(
        nodes[0]["contributionTotals"]["byCurrency"][0]["total"],
        "1000.25"
    );
    assert_eq!(
        at_10, at_50,
        "the statement count does not grow with the page"
    );
    assert!(
        at_50 <= 12,
        "a page with partners, organisations and totals takes a few statements, not {at_50}"
    );

    let (_, all_10) = counted.run(EVERYTHING, json!({"first": 10}), &token).await;
    let (all, all_50) = counted.run(EVERYTHING, json!({"first": 50}), &token).await;
    eprintln!(
        "graphql batching ({:?}): every nested field, page of 10: {all_10} SQL statements; page of 50: {all_50}",
        app.backend
    );
    assert_eq!(all_10, all_50);
    assert!(all_50 <= 30, "{all_50}");
    let node = &all["initiatives"]["nodes"][0];
    assert_eq!(
        node["agreements"][0]["parties"].as_array().unwrap().len(),
        2
    );
    assert_eq!(node["history"].as_array().unwrap().len(), 3);
    assert_eq!(node["lessons"].as_array().unwrap().len(), 1);
}
