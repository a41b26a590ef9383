//! Defence in depth on PostgreSQL: row-level security holds a member's queries to what the
//! tenancy rules let its tenant see, even a query that forgot its tenant condition. These tests
//! make such queries on purpose, on the application's own pool (whose connections are told the
//! tenant as they are handed out) and as the application's own ordinary role.
//!
//! SQLite has no row-level security: there the tenancy rules in `service::tenancy`, applied by
//! every query, and the isolation sweeps over every operation are the whole defence, so the last
//! test pins that difference down.

use entity::{initiative, membership, organization, organization_offer, stage_change};
use msp_tests::{Backend, TestApp, both_databases, json, run};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use service::{Role, db::scope};
use uuid::Uuid;

macro_rules! postgres_only {
    ($($name:ident),* $(,)?) => {$(
        #[actix_web::test]
        async fn $name() {
            msp_tests::run(msp_tests::Backend::Postgres, super::$name).await;
        }
    )*};
}

mod postgres {
    postgres_only!(
        the_application_role_does_not_bypass_row_security,
        a_query_without_its_tenant_condition_sees_no_other_tenants_private_rows,
        a_write_into_another_tenant_is_refused_by_the_database,
        stage_changes_and_offers_are_held_to_their_records_tenant,
        work_for_no_tenant_sees_every_row,
    );
}

both_databases!(an_organisation_partnered_by_another_tenant_is_edited_and_kept_whole);

#[actix_web::test]
async fn sqlite_has_no_row_security_and_relies_on_the_tenancy_rules() {
    run(Backend::Sqlite, |app: TestApp| async move {
        let estate = Estate::new(&app).await;
        let all = scope::within(estate.a, initiative::Entity::find().all(app.registry.db()))
            .await
            .unwrap();
        assert_eq!(all.len(), 3, "SQLite ignores the named tenant");
    })
    .await;
}

/// Two tenants: A with a private initiative, B with a private and a public one.
struct Estate {
    a: Uuid,
    b: Uuid,
    b_private: Uuid,
    /// An admin of B.
    b_token: String,
}

impl Estate {
    async fn new(app: &TestApp) -> Estate {
        let (a, b) = (app.tenant("rls-a").await, app.tenant("rls-b").await);
        let a_admin = app.member(&a, Role::Admin).await;
        let b_admin = app.member(&b, Role::Admin).await;
        app.initiative(&a_admin.token, "A private").await;
        let b_private = app.initiative(&b_admin.token, "B private").await;
        app.public_initiative(&b_admin.token, "B public").await;
        Estate {
            a: a.id,
            b: b.id,
            b_private: b_private["id"].as_str().unwrap().parse().unwrap(),
            b_token: b_admin.token,
        }
    }
}

async fn the_application_role_does_not_bypass_row_security(app: TestApp) {
    assert!(
        !service::db::row_security_bypassed(app.registry.db())
            .await
            .unwrap()
    );
}

async fn a_query_without_its_tenant_condition_sees_no_other_tenants_private_rows(app: TestApp) {
    let estate = Estate::new(&app).await;
    let db = app.registry.db();
    let mut titles: Vec<String> = scope::within(estate.a, initiative::Entity::find().all(db))
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    titles.sort();
    assert_eq!(titles, ["A private", "B public"]);

    let found = scope::within(
        estate.a,
        initiative::Entity::find_by_id(estate.b_private).one(db),
    )
    .await
    .unwrap();
    assert!(found.is_none(), "B's private initiative, asked for by id");

    let members = scope::within(estate.a, membership::Entity::find().all(db))
        .await
        .unwrap();
    assert!(
        members.iter().all(|m| m.tenant_id == estate.a),
        "{members:?}"
    );
    assert!(!members.is_empty());
}

async fn a_write_into_another_tenant_is_refused_by_the_database(app: TestApp) {
    let estate = Estate::new(&app).await;
    let db = app.registry.db();
    let changed = scope::within(
        estate.a,
        initiative::Entity::update_many()
            .col_expr(initiative::Column::Title, Expr::value("taken over"))
            .filter(initiative::Column::TenantId.eq(estate.b))
            .exec(db),
    )
    .await
    .unwrap();
    assert_eq!(changed.rows_affected, 0, "B's rows are not A's to change");

    let mut planted = organization::ActiveModel {
        tenant_id: Set(estate.b),
        ..fresh_organization()
    };
    planted.id = Set(Uuid::new_v4());
    let refused = scope::within(estate.a, organization::Entity::insert(planted).exec(db)).await;
    let error = refused
        .expect_err("a row for B written in A's name")
        .to_string();
    assert!(error.contains("row-level security"), "{error}");

    let deleted = scope::within(
        estate.a,
        initiative::Entity::delete_many()
            .filter(initiative::Column::TenantId.eq(estate.b))
            .exec(db),
    )
    .await
    .unwrap();
    assert_eq!(deleted.rows_affected, 0);
}

async fn stage_changes_and_offers_are_held_to_their_records_tenant(app: TestApp) {
    let estate = Estate::new(&app).await;
    let db = app.registry.db();
    // Every initiative has the stage change of its creation: A sees its own and B's public one.
    let changes = scope::within(estate.a, stage_change::Entity::find().all(db))
        .await
        .unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes.iter().all(|c| c.initiative_id != estate.b_private));
    let planted = stage_change::ActiveModel {
        id: Set(Uuid::new_v4()),
        initiative_id: Set(estate.b_private),
        from_stage: Set(None),
        to_stage: Set(entity::enums::JourneyStage::Closed),
        changed_at: Set(chrono::Utc::now()),
        changed_on: Set(None),
        changed_by: Set(None),
        reason: Set(None),
    };
    let refused = scope::within(estate.a, stage_change::Entity::insert(planted).exec(db)).await;
    assert!(
        refused.is_err(),
        "a stage change of B's initiative in A's name"
    );

    // B's private organisation's offers are B's; a public organisation's are everyone's.
    for (name, visibility) in [("B hidden", "private"), ("B listed", "public")] {
        let org = app.organization(&estate.b_token, name, visibility).await;
        let path = format!(
            "/api/v1/organizations/{}/offers",
            org["id"].as_str().unwrap()
        );
        let body = json!({"resource_kinds": ["connectivity"]});
        let r = app
            .send(
                reqwest::Method::PUT,
                &path,
                Some(&estate.b_token),
                &[],
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let offers = scope::within(estate.a, organization_offer::Entity::find().all(db))
        .await
        .unwrap();
    assert_eq!(
        offers.len(),
        1,
        "only the public organisation's: {offers:?}"
    );
    let all = organization_offer::Entity::find().all(db).await.unwrap();
    assert_eq!(all.len(), 2, "work for no tenant sees both");
}

async fn work_for_no_tenant_sees_every_row(app: TestApp) {
    Estate::new(&app).await;
    let all = initiative::Entity::find()
        .all(app.registry.db())
        .await
        .unwrap();
    assert_eq!(
        all.len(),
        3,
        "workers and anonymous reads rely on their own conditions"
    );
}

fn fresh_organization() -> organization::ActiveModel {
    let now = chrono::Utc::now();
    organization::ActiveModel {
        name: Set("Planted".into()),
        name_key: Set("planted".into()),
        sector: Set(entity::enums::Sector::Government),
        visibility: Set(Default::default()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// An organisation is shared: another tenant's initiatives may have it as a partner, and its
/// owner's writes reach them (their documents) and are judged by them (no delete while used).
async fn an_organisation_partnered_by_another_tenant_is_edited_and_kept_whole(app: TestApp) {
    let (a, b) = (app.tenant("shared-a").await, app.tenant("shared-b").await);
    let a_admin = app.member(&a, Role::Admin).await;
    let b_admin = app.member(&b, Role::Admin).await;
    let org = app
        .organization(&a_admin.token, "Shared Org", "public")
        .await;
    let private = app.initiative(&b_admin.token, "B private").await;
    let partnered = app
        .post(
            &format!(
                "/api/v1/initiatives/{}/partners",
                private["id"].as_str().unwrap()
            ),
            Some(&b_admin.token),
            &json!({"organization_id": org["id"], "roles": ["implementer"]}),
        )
        .await;
    assert_eq!(partnered.status, 201, "{:?}", partnered.body);
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    let etag = app.get(&path, Some(&a_admin.token)).await.etag();

    let renamed = app
        .patch(
            &path,
            Some(&a_admin.token),
            Some(&etag),
            &json!({"name": "Shared Org Renamed"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    let partners = app
        .get(
            &format!(
                "/api/v1/initiatives/{}/partners",
                private["id"].as_str().unwrap()
            ),
            Some(&b_admin.token),
        )
        .await;
    assert_eq!(partners.status, 200);
    assert!(
        partners.body.to_string().contains("Shared Org Renamed"),
        "{:?}",
        partners.body
    );

    let etag = renamed.etag();
    let refused = app.delete(&path, Some(&a_admin.token), Some(&etag)).await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
}
