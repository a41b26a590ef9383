//! Tenant A's estate: one of every private record the API can make, plus one public initiative,
//! and what an outsider must never see of it.

use std::collections::BTreeMap;

use msp_tests::{TestApp, json};
use serde_json::Value;
use service::Role;

/// Put in every private title, name, statement and description of A: an outsider's answer that
/// contains it has read something private.
pub const MARKER: &str = "zqx7private";

/// Lets webhook subscriptions point at loopback (nothing is delivered: no worker runs), and lets
/// the GraphQL sweep select every scalar three levels down in one request.
pub const VARS: &[(&str, &str)] = &[
    ("MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
    ("MSP_GRAPHQL_MAX_COMPLEXITY", "10000000"),
    ("MSP_GRAPHQL_MAX_DEPTH", "100"),
];

pub struct Estate {
    /// Tenant A.
    pub tenant: msp_tests::TenantFx,
    /// A's owner.
    pub owner: String,
    pub initiative: String,
    pub public_initiative: String,
    pub organization: String,
    /// A public organisation of A, partner of the private initiative: what is public of it may be
    /// read, never that it takes part in A's private initiative.
    pub public_organization: String,
    pub partner: String,
    /// The public organisation's partnership in the private initiative.
    pub public_partner: String,
    pub contribution: String,
    pub agreement: String,
    pub report: String,
    pub lesson: String,
    pub health_assessment: String,
    pub webhook: String,
    pub client: String,
    pub member: String,
    /// A's invitation to a person of a third tenant.
    pub invitation: String,
    /// A's link of its private and public initiatives as one partnership.
    pub duplicate_link: String,
}

fn id(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.post(path, Some(token), &body).await;
    assert!(r.status == 201 || r.status == 200, "{path}: {:?}", r.body);
    r.body
}

impl Estate {
    pub async fn build(app: &TestApp) -> Estate {
        let tenant = app.tenant("estate-a").await;
        let owner = app.member(&tenant, Role::Owner).await.token;
        let member = app.member(&tenant, Role::Viewer).await.user_id.to_string();
        let public_initiative = id(&app.public_initiative(&owner, "Open window").await);
        let initiative = id(&app
            .initiative(&owner, &format!("Initiative {MARKER}"))
            .await);
        let organization = id(&app
            .organization(&owner, &format!("Organisation {MARKER}"), "private")
            .await);
        let public_organization = id(&app
            .organization(&owner, "Open organisation", "public")
            .await);
        let base = format!("/api/v1/initiatives/{initiative}");
        let t = owner.as_str();
        let public_partner = id(&created(
            app,
            t,
            &format!("{base}/partners"),
            json!({"organization_id": public_organization, "roles": ["funder"]}),
        )
        .await);
        created(
            app,
            t,
            &format!("{base}/contributions"),
            json!({"partner_id": public_partner, "resource_kind": "cash", "amount": "7",
                   "currency": "USD", "description": format!("Gift {MARKER}")}),
        )
        .await;
        let partner = id(&created(
            app,
            t,
            &format!("{base}/partners"),
            json!({"organization_id": organization, "roles": ["lead"]}),
        )
        .await);
        let contribution = id(&created(
            app,
            t,
            &format!("{base}/contributions"),
            json!({"partner_id": partner, "resource_kind": "cash", "amount": "100",
                   "currency": "USD", "description": format!("Cash {MARKER}")}),
        )
        .await);
        let agreement = id(&created(
            app,
            t,
            &format!("{base}/agreements"),
            json!({"agreement_type": "contract", "title": format!("Contract {MARKER}"),
                   "parties": [partner]}),
        )
        .await);
        let report = id(&created(
            app,
            t,
            &format!("{base}/reports"),
            json!({"period_start": "2024-01-01", "period_end": "2024-12-31",
                   "narrative": format!("Year {MARKER}")}),
        )
        .await);
        let lesson = id(&created(
            app,
            t,
            &format!("{base}/lessons"),
            json!({"statement": format!("Lesson {MARKER}"), "tags": [MARKER]}),
        )
        .await);
        let health_assessment = id(&created(
            app,
            t,
            &format!("{base}/health-assessments"),
            json!({"kind": "competencies",
                   "ratings": [{"code": "mindset", "rating": 4, "note": format!("Team {MARKER}")}]}),
        )
        .await);
        let assessed = app
            .send(
                reqwest::Method::PUT,
                &format!("{base}/value-assessment"),
                Some(t),
                &[],
                Some(&json!({"ratings": [{"source": "scale", "rating": 3}],
                             "notes": format!("Notes {MARKER}")})),
            )
            .await;
        assert_eq!(
            assessed.status, 200,
            "value assessment: {:?}",
            assessed.body
        );
        let offers = app
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/organizations/{organization}/offers"),
                Some(t),
                &[],
                Some(&json!({"resource_kinds": ["cash"], "countries": ["ML"]})),
            )
            .await;
        assert_eq!(offers.status, 200, "offers: {:?}", offers.body);
        let webhook = id(&created(
            app,
            t,
            "/api/v1/webhooks",
            json!({"url": "http://127.0.0.1:18451/hook", "description": format!("Hook {MARKER}")}),
        )
        .await);
        let client = id(&created(
            app,
            t,
            "/api/v1/clients",
            json!({"name": format!("Client {MARKER}"), "role": "viewer"}),
        )
        .await);
        let elsewhere = app.tenant("estate-c").await;
        let invitee = app.member(&elsewhere, Role::Editor).await;
        let invited = app
            .post(
                "/api/v1/members",
                Some(t),
                &json!({"email": invitee.email, "role": "viewer"}),
            )
            .await;
        assert_eq!(invited.status, 202, "{:?}", invited.body);
        let invitation = id(&invited.body);
        let duplicate_link = id(&created(
            app,
            t,
            "/api/v1/duplicates/links",
            json!({"initiative_id": initiative, "other_initiative_id": public_initiative}),
        )
        .await);
        Estate {
            tenant,
            owner,
            initiative,
            public_initiative,
            organization,
            public_organization,
            partner,
            public_partner,
            contribution,
            agreement,
            report,
            lesson,
            health_assessment,
            webhook,
            client,
            member,
            invitation,
            duplicate_link,
        }
    }

    /// The ids of A's private records (the public initiative is not one).
    pub fn private_ids(&self) -> [&str; 13] {
        [
            &self.initiative,
            &self.organization,
            &self.partner,
            &self.public_partner,
            &self.contribution,
            &self.agreement,
            &self.report,
            &self.lesson,
            &self.health_assessment,
            &self.webhook,
            &self.client,
            &self.member,
            &self.duplicate_link,
        ]
    }

    /// What of A's private data `text` shows: the marker, and each private id found.
    pub fn leaks(&self, text: &str) -> Vec<String> {
        let text = text.to_lowercase();
        let mut found: Vec<String> = self
            .private_ids()
            .into_iter()
            .filter(|id| text.contains(*id))
            .map(str::to_owned)
            .collect();
        if text.contains(MARKER) {
            found.push(MARKER.to_owned());
        }
        found
    }

    /// Everything A can read of its own records, as A reads it: each record and each list.
    pub async fn snapshot(&self, app: &TestApp) -> BTreeMap<String, (u16, Value)> {
        let i = format!("/api/v1/initiatives/{}", self.initiative);
        let paths = [
            i.clone(),
            format!("/api/v1/initiatives/{}", self.public_initiative),
            format!("/api/v1/initiatives/{}/partners", self.public_initiative),
            format!("{i}/partners/{}", self.partner),
            format!("{i}/contributions/{}", self.contribution),
            format!("{i}/agreements/{}", self.agreement),
            format!("{i}/reports/{}", self.report),
            format!("{i}/lessons/{}", self.lesson),
            format!("{i}/partners"),
            format!("{i}/contributions"),
            format!("{i}/agreements"),
            format!("{i}/reports"),
            format!("{i}/lessons"),
            format!("{i}/health-assessments/{}", self.health_assessment),
            format!("{i}/health-assessments"),
            format!("{i}/health"),
            format!("{i}/value-assessment"),
            format!("{i}/history"),
            format!("/api/v1/organizations/{}", self.organization),
            format!("/api/v1/organizations/{}/offers", self.organization),
            format!("/api/v1/organizations/{}", self.public_organization),
            format!("/api/v1/webhooks/{}", self.webhook),
            format!("/api/v1/duplicates/links/{}", self.duplicate_link),
            "/api/v1/duplicates".to_owned(),
            "/api/v1/initiatives?scope=tenant".to_owned(),
            "/api/v1/organizations?scope=tenant".to_owned(),
            "/api/v1/webhooks".to_owned(),
            "/api/v1/clients".to_owned(),
            "/api/v1/members".to_owned(),
            "/api/v1/tenants/current".to_owned(),
            "/api/v1/wsis/showcase".to_owned(),
        ];
        let mut out = BTreeMap::new();
        for path in paths {
            let r = app.get(&path, Some(&self.owner)).await;
            assert_eq!(r.status, 200, "A reads {path}: {:?}", r.body);
            out.insert(path, (r.status, r.body));
        }
        out
    }

    /// The outsiders: another tenant's editor and admin, and an anonymous caller.
    pub async fn outsiders(app: &TestApp) -> Vec<(&'static str, Option<String>)> {
        let b = app.tenant("outsider-b").await;
        vec![
            ("B's editor", Some(app.member(&b, Role::Editor).await.token)),
            ("B's admin", Some(app.member(&b, Role::Admin).await.token)),
            ("anonymous", None),
        ]
    }
}
