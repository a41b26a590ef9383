//! Candidate duplicates: one partnership registered twice, in one tenant or across tenants.
//!
//! A candidate is another initiative the caller may read (its own tenant's, private ones
//! included, and every other tenant's public ones: never another tenant's private record) that
//! [`score::score`] puts at or above [`score::THRESHOLD`]. Retrieval never scans the registry in
//! Rust: SQL first narrows to initiatives in a country of the subject (the tag index), with the
//! same IATI identifier or the same title key, at most [`POOL`] of them, newest first; only
//! those are scored. Pairs already linked or rejected (see [`links`]) are no longer open.

pub mod links;
pub mod score;

use std::collections::{HashMap, HashSet};

use entity::{initiative, initiative_partner, initiative_tag, organization};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Query,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, Registry, Role,
    error::ServiceResult,
    history::WriteMeta,
    initiatives::{InitiativeDetail, NewInitiative, store::TAG_COUNTRY},
    pagination::{Page, PageRequest},
    tenancy::Coverage,
};
pub use score::{Profile, Reason};

/// The most initiatives SQL hands the scorer for one subject.
pub const POOL: u64 = 500;
/// The most candidates answered for one initiative (best first).
pub const MAX_CANDIDATES: usize = 10;
/// The most of its own initiatives (most recently changed first) `GET /duplicates` looks at.
pub const MAX_SUBJECTS: u64 = 200;

/// Another initiative that may be the same partnership.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DuplicateCandidate {
    pub initiative_id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    /// From 0 to 1; candidates start at 0.7.
    pub score: f64,
    /// Why the two look alike (`similar_title`, `same_countries`, `shared_partners`,
    /// `overlapping_dates`, `shared_identifier`).
    pub reasons: Vec<Reason>,
}

/// A registered initiative and the records it may duplicate (a warning: nothing was refused).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedInitiative {
    #[serde(flatten)]
    pub detail: InitiativeDetail,
    /// Other initiatives the caller can read that may be the same partnership, best first.
    pub possible_duplicates: Vec<DuplicateCandidate>,
}

/// An open candidate pair: one of the caller's initiatives and a record it may duplicate.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DuplicatePair {
    /// The caller's tenant's initiative.
    pub initiative_id: Uuid,
    pub title: String,
    pub candidate: DuplicateCandidate,
}

/// The page of `GET /duplicates`.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DuplicateQuery {
    /// From 1.
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl Reason {
    fn is_identifier(&self) -> bool {
        self.code == "shared_identifier"
    }
}

fn identifiers(row: &initiative::Model) -> Vec<String> {
    let mut ids: Vec<String> = row
        .iati_identifier
        .iter()
        .map(|i| format!("iati:{}", score::fold(i)))
        .collect();
    if let Ok(list) = serde_json::from_str::<Vec<crate::initiatives::ExternalIdentifier>>(
        &row.external_identifiers,
    ) {
        ids.extend(
            list.iter()
                .map(|e| format!("{}:{}", score::fold(&e.scheme), score::fold(&e.identifier))),
        );
    }
    ids.sort();
    ids.dedup();
    ids
}

/// Countries and partners of the initiatives `ids`, two statements.
async fn profiles<C: ConnectionTrait>(
    db: &C,
    rows: &[initiative::Model],
) -> ServiceResult<HashMap<Uuid, Profile>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut out: HashMap<Uuid, Profile> = rows
        .iter()
        .map(|r| {
            (
                r.id,
                Profile {
                    title: r.title.clone(),
                    countries: Vec::new(),
                    start_date: r.start_date,
                    end_date: r.end_date,
                    identifiers: identifiers(r),
                    partners: Vec::new(),
                },
            )
        })
        .collect();
    if ids.is_empty() {
        return Ok(out);
    }
    for chunk in ids.chunks(500) {
        let tags = initiative_tag::Entity::find()
            .filter(initiative_tag::Column::Kind.eq(TAG_COUNTRY))
            .filter(initiative_tag::Column::InitiativeId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for t in tags {
            if let Some(p) = out.get_mut(&t.initiative_id) {
                p.countries.push(t.value);
            }
        }
        let partners = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.is_in(chunk.iter().copied()))
            .find_also_related(organization::Entity)
            .all(db)
            .await?;
        for (partner, org) in partners {
            if let (Some(p), Some(org)) = (out.get_mut(&partner.initiative_id), org) {
                p.partners.push((org.id, score::fold(&org.name)));
            }
        }
    }
    Ok(out)
}

/// The initiatives of `coverage` that may duplicate one of `subjects`: in one of their
/// countries, or with one of their IATI identifiers or title keys; at most `limit`.
async fn pool<C: ConnectionTrait>(
    db: &C,
    coverage: Coverage,
    subjects: &[initiative::Model],
    limit: u64,
) -> ServiceResult<Vec<initiative::Model>> {
    let ids: Vec<Uuid> = subjects.iter().map(|s| s.id).collect();
    let keys: Vec<String> = subjects.iter().map(|s| s.title_key.clone()).collect();
    let iatis: Vec<String> = subjects
        .iter()
        .filter_map(|s| s.iati_identifier.clone())
        .collect();
    let countries = Query::select()
        .column(initiative_tag::Column::Value)
        .from(initiative_tag::Entity)
        .and_where(initiative_tag::Column::Kind.eq(TAG_COUNTRY))
        .and_where(initiative_tag::Column::InitiativeId.is_in(ids.iter().copied()))
        .to_owned();
    let in_country = Query::select()
        .column(initiative_tag::Column::InitiativeId)
        .from(initiative_tag::Entity)
        .and_where(initiative_tag::Column::Kind.eq(TAG_COUNTRY))
        .and_where(initiative_tag::Column::Value.in_subquery(countries))
        .to_owned();
    let mut near = Condition::any()
        .add(initiative::Column::Id.in_subquery(in_country))
        .add(initiative::Column::TitleKey.is_in(keys));
    if !iatis.is_empty() {
        near = near.add(initiative::Column::IatiIdentifier.is_in(iatis));
    }
    Ok(initiative::Entity::find()
        .filter(coverage.condition::<initiative::Entity>())
        .filter(near)
        .order_by_desc(initiative::Column::UpdatedAt)
        .order_by_desc(initiative::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Scores every subject against the pool (itself and `closed` pairs left out): each subject's
/// candidates, best first, at most [`MAX_CANDIDATES`].
fn candidates(
    subjects: &[initiative::Model],
    pool: &[initiative::Model],
    profiles: &HashMap<Uuid, Profile>,
    closed: &HashSet<(Uuid, Uuid)>,
) -> Vec<(Uuid, Vec<DuplicateCandidate>)> {
    let prepared: HashMap<Uuid, score::Prepared> = profiles
        .iter()
        .map(|(id, p)| (*id, score::Prepared::new(p)))
        .collect();
    subjects
        .iter()
        .map(|s| {
            let mut found: Vec<DuplicateCandidate> = pool
                .iter()
                .filter(|o| o.id != s.id && !closed.contains(&pair_key(s.id, o.id)))
                .filter_map(|o| {
                    let scored = score::score_prepared(prepared.get(&s.id)?, prepared.get(&o.id)?);
                    scored.is_candidate().then(|| DuplicateCandidate {
                        initiative_id: o.id,
                        tenant_id: o.tenant_id,
                        title: o.title.clone(),
                        score: scored.score,
                        reasons: scored.reasons,
                    })
                })
                .collect();
            found.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then(
                        b.reasons
                            .iter()
                            .any(Reason::is_identifier)
                            .cmp(&a.reasons.iter().any(Reason::is_identifier)),
                    )
                    .then(a.initiative_id.cmp(&b.initiative_id))
            });
            found.truncate(MAX_CANDIDATES);
            (s.id, found)
        })
        .collect()
}

/// A pair's key, the lower id first.
pub fn pair_key(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The open candidate duplicates of initiatives `subjects` among what `coverage` covers, read
/// on `db` (a unit of work sees what it has written): one pool for all of them.
async fn candidates_in<C: ConnectionTrait>(
    db: &C,
    coverage: Coverage,
    subjects: Vec<initiative::Model>,
) -> ServiceResult<Vec<(Uuid, Vec<DuplicateCandidate>)>> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let pool = pool(db, coverage, &subjects, POOL.max(subjects.len() as u64 * 5)).await?;
    let mut rows = subjects.clone();
    rows.extend(pool.iter().cloned());
    let profiles = profiles(db, &rows).await?;
    let closed = links::closed_pairs(db, coverage).await?;
    Ok(candidates(&subjects, &pool, &profiles, &closed))
}

/// The most subjects scored against one pool: their ids, title keys and identifiers are bound
/// into the pool's statement.
pub const SUBJECTS_PER_POOL: usize = 1000;

/// The possible duplicates of the initiatives `ids` (just created, as by an import) among what
/// the caller may read, as create answers them: one pool per [`SUBJECTS_PER_POOL`] subjects.
pub(crate) async fn possible_duplicates_of<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<DuplicateCandidate>>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(SUBJECTS_PER_POOL) {
        let subjects = initiative::Entity::find()
            .filter(initiative::Column::Id.is_in(chunk.iter().copied()))
            .filter(Coverage::readable(caller).condition::<initiative::Entity>())
            .all(db)
            .await?;
        out.extend(candidates_in(db, Coverage::readable(caller), subjects).await?);
    }
    Ok(out)
}

impl Registry {
    /// The open candidate duplicates of initiatives `subjects` among what `coverage` covers.
    async fn candidates_of(
        &self,
        coverage: Coverage,
        subjects: Vec<initiative::Model>,
    ) -> ServiceResult<Vec<(Uuid, Vec<DuplicateCandidate>)>> {
        candidates_in(self.db(), coverage, subjects).await
    }

    /// The candidate duplicates of initiative `id` among what the caller may read (own tenant
    /// and every public record).
    pub async fn possible_duplicates(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> ServiceResult<Vec<DuplicateCandidate>> {
        let row = crate::initiatives::access::readable(self.db(), caller, id).await?;
        let found = self
            .candidates_of(Coverage::readable(caller), vec![row])
            .await?;
        Ok(found.into_iter().flat_map(|(_, c)| c).collect())
    }

    /// Registers an initiative (as [`Registry::create_initiative`]) and answers the records it
    /// may duplicate with it: a warning, never a refusal.
    pub async fn register_initiative(
        &self,
        caller: &Caller,
        input: NewInitiative,
        meta: &WriteMeta,
    ) -> ServiceResult<CreatedInitiative> {
        let detail = self.create_initiative(caller, input, meta).await?;
        let possible_duplicates = self
            .possible_duplicates(caller, detail.initiative.id)
            .await?;
        if !possible_duplicates.is_empty() {
            tracing::info!(initiative = %detail.initiative.id, candidates = possible_duplicates.len(), "possible duplicates registered");
        }
        Ok(CreatedInitiative {
            detail,
            possible_duplicates,
        })
    }

    /// The open candidate pairs of the caller's tenant: each of its initiatives (the
    /// [`MAX_SUBJECTS`] most recently changed) with the records it may duplicate among its own
    /// and every public one, best first. A pair of two own initiatives appears once.
    pub async fn list_duplicates(
        &self,
        caller: &Caller,
        query: DuplicateQuery,
    ) -> ServiceResult<Page<DuplicatePair>> {
        let principal = caller.require(Role::Viewer)?;
        let request = PageRequest::new(query.page, query.per_page, self.settings())?;
        let subjects = initiative::Entity::find()
            .filter(crate::tenancy::own::<initiative::Entity>(
                principal.tenant_id,
            ))
            .order_by_desc(initiative::Column::UpdatedAt)
            .order_by_desc(initiative::Column::Id)
            .limit(MAX_SUBJECTS)
            .all(self.db())
            .await?;
        let titles: HashMap<Uuid, String> =
            subjects.iter().map(|s| (s.id, s.title.clone())).collect();
        let found = self
            .candidates_of(Coverage::readable(caller), subjects)
            .await?;
        let mut seen = HashSet::new();
        let mut pairs: Vec<DuplicatePair> = found
            .into_iter()
            .flat_map(|(id, list)| list.into_iter().map(move |c| (id, c)))
            .filter(|(id, c)| seen.insert(pair_key(*id, c.initiative_id)))
            .map(|(id, candidate)| DuplicatePair {
                initiative_id: id,
                title: titles.get(&id).cloned().unwrap_or_default(),
                candidate,
            })
            .collect();
        pairs.sort_by(|a, b| {
            b.candidate.score.total_cmp(&a.candidate.score).then(
                pair_key(a.initiative_id, a.candidate.initiative_id)
                    .cmp(&pair_key(b.initiative_id, b.candidate.initiative_id)),
            )
        });
        let total = pairs.len() as u64;
        let start = ((request.page - 1) * request.per_page) as usize;
        let items = pairs
            .into_iter()
            .skip(start)
            .take(request.per_page as usize)
            .collect();
        Ok(Page::new(items, request, total))
    }
}
