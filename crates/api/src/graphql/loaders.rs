//! Per-request DataLoaders: every nested field asks its loader for one key, and the loader
//! answers all the keys asked for in the same tick with one call of a batch function of the
//! service (`service::batch`), made with the request's caller, so the same visibility rules
//! apply as to a single read. A page of 50 initiatives with their partners, organisations and
//! contribution totals takes a fixed number of SQL statements, not 50 times as many.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use service::{
    agreements::Agreement,
    contributions::{Contribution, ContributionTotals},
    history::RevisionEntry,
    initiatives::{Initiative, StageChangeEntry},
    lessons::Lesson,
    organizations::Organization,
    partners::Partner,
    reports::ProgressReport,
};
use uuid::Uuid;

use super::context::RequestCtx;

macro_rules! loader {
    ($(#[$meta:meta])* $name:ident, $value:ty, $method:ident) => {
        $(#[$meta])*
        pub struct $name(Arc<RequestCtx>);

        #[async_graphql::async_trait::async_trait]
        impl Loader<Uuid> for $name {
            type Value = $value;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, $value>, Self::Error> {
                let rc = &self.0;
                rc.map(rc.registry.$method(&rc.caller, keys).await)
            }
        }
    };
}

loader!(
    /// Initiative id → its partners.
    PartnersLoader,
    Vec<Partner>,
    partners_by_initiative
);
loader!(
    /// Initiative id → its contributions.
    ContributionsLoader,
    Vec<Contribution>,
    contributions_by_initiative
);
loader!(
    /// Initiative id → its contribution totals.
    TotalsLoader,
    ContributionTotals,
    contribution_totals_by_initiative
);
loader!(
    /// Initiative id → its agreements.
    AgreementsLoader,
    Vec<Agreement>,
    agreements_by_initiative
);
loader!(
    /// Initiative id → its progress reports.
    ReportsLoader,
    Vec<ProgressReport>,
    reports_by_initiative
);
loader!(
    /// Initiative id → its lessons.
    LessonsLoader,
    Vec<Lesson>,
    lessons_by_initiative
);
loader!(
    /// Initiative id → its journey.
    StageChangesLoader,
    Vec<StageChangeEntry>,
    stage_changes_by_initiative
);
loader!(
    /// Organisation id → the organisation, when the caller may read it.
    OrganizationLoader,
    Organization,
    organizations_by_id
);
loader!(
    /// Organisation id → the initiatives it takes part in that the caller may read.
    OrganizationInitiativesLoader,
    Vec<Initiative>,
    initiatives_by_organization
);

/// (Initiative id, how many entries) → the latest history entries.
pub struct HistoryLoader(Arc<RequestCtx>);

#[async_graphql::async_trait::async_trait]
impl Loader<(Uuid, usize)> for HistoryLoader {
    type Value = Vec<RevisionEntry>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Uuid, usize)],
    ) -> Result<HashMap<(Uuid, usize), Vec<RevisionEntry>>, Self::Error> {
        let rc = &self.0;
        let mut limits: Vec<usize> = keys.iter().map(|(_, n)| *n).collect();
        limits.sort_unstable();
        limits.dedup();
        let mut out = HashMap::new();
        for limit in limits {
            let ids: Vec<Uuid> = keys
                .iter()
                .filter(|(_, n)| *n == limit)
                .map(|(id, _)| *id)
                .collect();
            let found = rc.map(
                rc.registry
                    .history_by_initiative(&rc.caller, &ids, limit)
                    .await,
            )?;
            for (id, entries) in found {
                out.insert((id, limit), entries);
            }
        }
        Ok(out)
    }
}

/// The loaders of one request.
pub struct Loaders {
    pub partners: DataLoader<PartnersLoader>,
    pub contributions: DataLoader<ContributionsLoader>,
    pub totals: DataLoader<TotalsLoader>,
    pub agreements: DataLoader<AgreementsLoader>,
    pub reports: DataLoader<ReportsLoader>,
    pub lessons: DataLoader<LessonsLoader>,
    pub stage_changes: DataLoader<StageChangesLoader>,
    pub history: DataLoader<HistoryLoader>,
    pub organizations: DataLoader<OrganizationLoader>,
    pub organization_initiatives: DataLoader<OrganizationInitiativesLoader>,
}

impl Loaders {
    /// Made once the caller is known: each batch runs on a task of its own, told the
    /// request's tenant (PostgreSQL's row-level security, `service::db::scope`).
    pub fn new(rc: &Arc<RequestCtx>) -> Self {
        fn make<T: Loader<K>, K>(loader: T, tenant: Option<uuid::Uuid>) -> DataLoader<T>
        where
            K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        {
            DataLoader::new(loader, move |batch| {
                tokio::spawn(service::db::scope::carrying(tenant, batch))
            })
        }
        let tenant = service::db::scope::current();
        Self {
            partners: make(PartnersLoader(rc.clone()), tenant),
            contributions: make(ContributionsLoader(rc.clone()), tenant),
            totals: make(TotalsLoader(rc.clone()), tenant),
            agreements: make(AgreementsLoader(rc.clone()), tenant),
            reports: make(ReportsLoader(rc.clone()), tenant),
            lessons: make(LessonsLoader(rc.clone()), tenant),
            stage_changes: make(StageChangesLoader(rc.clone()), tenant),
            history: make(HistoryLoader(rc.clone()), tenant),
            organizations: make(OrganizationLoader(rc.clone()), tenant),
            organization_initiatives: make(OrganizationInitiativesLoader(rc.clone()), tenant),
        }
    }
}

/// The loaders of the request a resolver serves.
pub fn of<'a>(ctx: &async_graphql::Context<'a>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
}
