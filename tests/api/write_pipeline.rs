//! The write pipeline: a write and everything it records (history, the `Idempotency-Key`
//! binding, the change feed, the webhook outbox, the initiatives' derived state) commit together,
//! or nothing of them does. The writes here fail at the pipeline's second step (binding the
//! idempotency key, after the history rows are written): a claim this request does not hold.

use msp_tests::{TenantFx, TestApp, both_databases, json};
use sea_orm::ConnectionTrait;
use service::{
    Caller, Principal, Role, SubjectKind, history::WriteMeta, idempotency::IdempotencyClaim,
};
use uuid::Uuid;

const VARS: &[(&str, &str)] = &[("MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")];

both_databases!(
    vars = super::VARS;
    a_create_refused_late_leaves_no_history_feed_event_binding_or_delivery,
    a_child_write_refused_late_leaves_its_initiative_as_it_was,
    an_organization_create_refused_late_leaves_no_feed_event,
    the_same_writes_with_a_held_claim_record_everything_once,
);

/// Rows of `table` (the test reads the stored state directly: nothing may be left behind).
async fn count(app: &TestApp, table: &str) -> i64 {
    let db = app.registry.db();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Everything a write records, in the order the pipeline writes it.
async fn recorded(app: &TestApp) -> [i64; 4] {
    [
        count(app, "revision").await,
        count(app, "idempotency_key WHERE entity_id IS NOT NULL").await,
        count(app, "change_event").await,
        count(app, "webhook_delivery").await,
    ]
}

struct Fixture {
    caller: Caller,
    token: String,
}

/// An editor of a tenant with a webhook subscribed to every event (so each feed event also
/// writes an outbox row).
async fn editor(app: &TestApp, slug: &str) -> Fixture {
    let t: TenantFx = app.tenant(slug).await;
    let admin = app.member(&t, Role::Admin).await;
    let hook = app
        .post(
            "/api/v1/webhooks",
            Some(&admin.token),
            &json!({"url": "http://127.0.0.1:18400/hook"}),
        )
        .await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    let ed = app.member(&t, Role::Editor).await;
    Fixture {
        caller: Caller::Member(Principal {
            subject: ed.user_id,
            kind: SubjectKind::User,
            tenant_id: t.id,
            role: Role::Editor,
            platform_admin: false,
        }),
        token: ed.token,
    }
}

/// A write's metadata with an `Idempotency-Key` claim: `held` when it is a real claim of an
/// in-progress request, else one no request holds (binding it fails).
async fn meta(app: &TestApp, caller: &Caller, held: bool) -> WriteMeta {
    let claim = if held {
        let key = Uuid::new_v4().to_string();
        match app
            .registry
            .idempotency_begin(caller, &key, "fingerprint", "POST /test")
            .await
            .unwrap()
        {
            service::idempotency::Begin::Proceed(claim) => claim,
            service::idempotency::Begin::Replay(_) => panic!("a fresh key is claimed"),
        }
    } else {
        IdempotencyClaim {
            id: Uuid::now_v7(),
            attempt: Uuid::new_v4(),
        }
    };
    WriteMeta {
        reason: Some("pipeline test".into()),
        idempotency: Some(claim),
    }
}

fn new_initiative(title: &str) -> service::initiatives::NewInitiative {
    serde_json::from_value(json!({
        "title": title,
        "kind": "msp",
        "countries": ["ML"],
        "action_lines": ["C4"],
    }))
    .unwrap()
}

async fn a_create_refused_late_leaves_no_history_feed_event_binding_or_delivery(app: TestApp) {
    let f = editor(&app, "late-create").await;
    let before = recorded(&app).await;
    let refused = app
        .registry
        .create_initiative(
            &f.caller,
            new_initiative("Refused at binding"),
            &meta(&app, &f.caller, false).await,
        )
        .await;
    assert!(refused.is_err(), "a claim no request holds cannot be bound");
    assert_eq!(recorded(&app).await, before);
    assert_eq!(count(&app, "initiative").await, 0);
    assert_eq!(count(&app, "initiative_tag").await, 0);
    let feed = app.get("/api/v1/changes", Some(&f.token)).await;
    assert_eq!(feed.body["items"], json!([]));
}

async fn a_child_write_refused_late_leaves_its_initiative_as_it_was(app: TestApp) {
    let f = editor(&app, "late-child").await;
    let initiative = app.initiative(&f.token, "Child refused late").await;
    let id = initiative["id"].as_str().unwrap();
    let org = app.organization(&f.token, "Late partner", "private").await;
    let before = recorded(&app).await;
    let input: service::partners::NewPartner =
        serde_json::from_value(json!({"organization_id": org["id"], "roles": ["lead"]})).unwrap();
    let refused = app
        .registry
        .create_child::<service::partners::Partners>(
            &f.caller,
            Uuid::parse_str(id).unwrap(),
            input,
            &meta(&app, &f.caller, false).await,
        )
        .await;
    assert!(refused.is_err());
    assert_eq!(recorded(&app).await, before);
    assert_eq!(count(&app, "initiative_partner").await, 0);
    // The initiative's version was raised inside the write, and rolled back with it.
    let now = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(&f.token))
        .await;
    assert_eq!(now.body["version"], initiative["version"]);
    assert_eq!(now.etag(), format!("\"{}\"", initiative["version"]));
}

async fn an_organization_create_refused_late_leaves_no_feed_event(app: TestApp) {
    let f = editor(&app, "late-org").await;
    let before = recorded(&app).await;
    let input: service::organizations::NewOrganization =
        serde_json::from_value(json!({"name": "Never made", "sector": "business"})).unwrap();
    let refused = app
        .registry
        .create_organization(&f.caller, input, &meta(&app, &f.caller, false).await)
        .await;
    assert!(refused.is_err());
    assert_eq!(recorded(&app).await, before);
    assert_eq!(count(&app, "organization").await, 0);
}

async fn the_same_writes_with_a_held_claim_record_everything_once(app: TestApp) {
    let f = editor(&app, "held").await;
    let [rev, bound, events, deliveries] = recorded(&app).await;
    let made = app
        .registry
        .create_initiative(
            &f.caller,
            new_initiative("Held"),
            &meta(&app, &f.caller, true).await,
        )
        .await
        .unwrap();
    let id = made.initiative.id;
    assert_eq!(
        recorded(&app).await,
        [rev + 1, bound + 1, events + 1, deliveries + 1]
    );
    // The version the write returns is the one stored.
    let stored = app
        .get(&format!("/api/v1/initiatives/{id}"), Some(&f.token))
        .await;
    assert_eq!(stored.body["version"], made.initiative.version);
    // The derived state is in step: the tag rows carry the initiative's sort keys.
    assert_eq!(
        count(
            &app,
            "initiative_tag WHERE tenant_id IS NULL OR title_key IS NULL"
        )
        .await,
        0,
        "every tag row has its tenant"
    );
    let org: service::organizations::NewOrganization =
        serde_json::from_value(json!({"name": "Held org", "sector": "business"})).unwrap();
    app.registry
        .create_organization(&f.caller, org, &meta(&app, &f.caller, true).await)
        .await
        .unwrap();
    assert_eq!(
        recorded(&app).await,
        [rev + 1, bound + 2, events + 2, deliveries + 2]
    );
    let feed = app.get("/api/v1/changes", Some(&f.token)).await;
    let kinds: Vec<&str> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["entity_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["initiative", "organization"]);
}
