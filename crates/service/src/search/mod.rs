//! Search: one embedded inverted index (tantivy) for both databases.
//!
//! The index holds every initiative, lesson and organisation ([`documents`]) analysed in its
//! language ([`analysis`]), with the values the lists filter on and count as facets, its
//! tenant and whether it is public: tenancy, visibility and every filter are clauses of the
//! index query itself ([`Request`]), never a filter over a page after the fact.
//!
//! It stays current two ways. The process that writes refreshes what a write touched as the
//! last step of the write pipeline (after the commit), so a client that writes and then searches
//! sees its write. Every process also follows the change feed ([`SearchIndex::catch_up`]),
//! applying what other processes wrote; the feed position it reached is stored with each commit
//! of the index, so a restart catches up from there. An index that is missing, unreadable,
//! of another schema version, or holding other counts than the database is rebuilt at startup
//! ([`SearchIndex::start`]); until then `/ready` answers 503 and searches wait.

pub mod analysis;
pub mod documents;
pub mod facets;
pub mod query;
pub mod schema;
pub mod snippet;

use std::{
    cmp::Reverse,
    collections::{BTreeMap, BTreeSet},
    ops::Bound,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use entity::{change_event, initiative_document, initiative_partner, lesson, organization};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
    collector::{Count, TopDocs},
    directory::MmapDirectory,
    query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery},
    schema::{Facet, Field, IndexRecordOption, Value},
};
use tokio::sync::watch;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    error::{ServiceError, ServiceResult},
    language::Language,
    tenancy::Coverage,
};
use documents::{Loaded, Source, Text};
use query::{Analysers, Parsed};
use schema::{Fields, Slot};

/// The kinds of searchable records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocKind {
    Initiative,
    Lesson,
    Organization,
}

impl DocKind {
    pub const ALL: [DocKind; 3] = [DocKind::Initiative, DocKind::Lesson, DocKind::Organization];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DocKind::Initiative => "initiative",
            DocKind::Lesson => "lesson",
            DocKind::Organization => "organization",
        }
    }
}

/// The facets an initiative search counts.
pub const FACETS: [&str; 6] = [
    "country",
    "action_line",
    "sdg_goal",
    "sector",
    "stage",
    "kind",
];

/// Most matches a search hands the database as a list of ids (a search sorted by other keys
/// than relevance, an export, the organisation picker): within both engines' limits on bound
/// values.
pub const MAX_ID_LIST: usize = 30_000;

/// Memory of the index writer (tantivy's minimum per thread is 15 MB).
const WRITER_MEMORY: usize = 30_000_000;
/// Records read and written per step of a rebuild.
const REBUILD_CHUNK: u64 = 2_000;
/// Feed events read per step of a catch-up.
const FEED_CHUNK: u64 = 5_000;
/// A search that finds fewer hits than this, and holds a word long enough for a typo that no
/// record the caller may read contains as it is written, is run again with typos tolerated
/// (the exact matches still rank first: a typo match weighs less). A few hits for words that
/// all exist are what the words find, not a typo.
const TYPOS_BELOW: u64 = 10;

/// How long a search waits for the index to be ready.
const READY_WAIT: Duration = Duration::from_secs(30);

/// What a commit of the index records beside it.
#[derive(Serialize, Deserialize)]
struct Payload {
    schema: u32,
    /// The change feed's sequence number every event up to which is applied.
    position: i64,
}

/// A search: what to look for, among which records.
#[derive(Clone, Debug)]
pub struct Request {
    pub kind: DocKind,
    pub parsed: Parsed,
    pub coverage: Coverage,
    /// Every group must match (one value of a group is enough): `[("country", ["BR", "ZA"])]`.
    pub tags: Vec<(&'static str, Vec<String>)>,
    pub dates: Vec<DateRange>,
    /// Only these records (filters the index does not hold, evaluated by the database).
    pub only: Option<Vec<Uuid>>,
    /// A lesson's initiative.
    pub initiative: Option<Uuid>,
    /// Which slots the words may match in (organisation pickers: names only).
    pub slots: Vec<Slot>,
    pub offset: usize,
    pub limit: usize,
    pub facets: bool,
}

/// A range of one of the indexed dates, bounds included.
#[derive(Clone, Copy, Debug)]
pub struct DateRange {
    pub field: DateField,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateField {
    StartDate,
    EndDate,
    /// Seconds.
    UpdatedAt,
}

/// Days since 1970-01-01.
pub fn day_number(day: NaiveDate) -> i64 {
    day.signed_duration_since(NaiveDate::default()).num_days()
}

/// One hit.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Hit {
    pub id: Uuid,
    /// BM25 relevance with the field boosts (larger is more relevant).
    pub score: f32,
    /// Where each field matched, HTML-escaped, the matched words in `<mark>`: only fields
    /// that matched.
    pub snippets: BTreeMap<String, String>,
}

/// One value of a facet and how many hits have it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// What a search found.
#[derive(Clone, Debug)]
pub struct Found {
    pub total: u64,
    pub hits: Vec<Hit>,
    /// Per facet, its values over the whole result, most frequent first.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

/// What a search answers beside the page's items.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchInfo {
    /// The page's hits, in the order of `items`.
    pub hits: Vec<Hit>,
    /// Facet counts of the whole result (initiative searches): `country`, `action_line`,
    /// `sdg_goal`, `sector`, `stage`, `kind`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

/// The index, shared by every request of the process.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Engine>,
}

struct Engine {
    /// The query analysers, built once (each search works on a copy).
    analysers: Analysers,
    reader: IndexReader,
    /// What each term of each segment's facet field counts as.
    facet_values: facets::Cache,
    /// Searches running at once: one per core. A search is CPU work; more at once than there
    /// are cores only time-slices them, and starves the write pipeline's index commit (a thread
    /// among dozens of searching ones) until writes beside searches time out. Waiting searches
    /// hold no thread, and are let in first come, first served.
    searching: tokio::sync::Semaphore,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Held from reading records to committing them, so an older read never lands after a
    /// newer one.
    apply: tokio::sync::Mutex<()>,
    position: AtomicI64,
    /// What the opened index needs before it answers.
    opened: Mutex<Option<Opened>>,
    ready: watch::Sender<bool>,
    dir: Option<PathBuf>,
    /// A process that does not serve (the CLI): writes are not applied, searches refused.
    detached: bool,
}

/// The state an index was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opened {
    /// New, unreadable or of another schema: rebuilt.
    Rebuild,
    /// Committed up to a feed position: caught up from there.
    At(i64),
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

fn index_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("search index: {e}"))
}

impl SearchIndex {
    /// Opens the index in `dir` (created if missing; an unreadable one is replaced), or in
    /// memory without one. It answers searches once [`SearchIndex::start`] has run.
    pub fn open(dir: Option<&Path>) -> ServiceResult<SearchIndex> {
        Self::open_as(dir, false)
    }

    /// The index of a process that does not serve: in memory, empty, never applying writes
    /// (the servers' indexes learn them through the change feed).
    pub fn detached() -> ServiceResult<SearchIndex> {
        Self::open_as(None, true)
    }

    fn open_as(dir: Option<&Path>, detached: bool) -> ServiceResult<SearchIndex> {
        let (schema, fields) = schema::build();
        let (index, opened) = match dir {
            None => (Index::create_in_ram(schema), Opened::Rebuild),
            Some(dir) => open_dir(dir, schema)?,
        };
        analysis::register(index.tokenizers());
        let writer = index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => ServiceError::Internal(format!(
                    "search index {}: another process holds it (give each process its own MSP_SEARCH_INDEX)",
                    dir.map(|d| d.display().to_string()).unwrap_or_default()
                )),
                e => index_error(e),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(index_error)?;
        let position = match opened {
            Opened::At(p) => p,
            Opened::Rebuild => 0,
        };
        Ok(SearchIndex {
            inner: Arc::new(Engine {
                analysers: Analysers::default(),
                reader,
                facet_values: facets::Cache::default(),
                searching: tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
                ),
                writer: Mutex::new(writer),
                fields,
                apply: tokio::sync::Mutex::new(()),
                position: AtomicI64::new(position),
                opened: Mutex::new(Some(opened)),
                ready: watch::Sender::new(false),
                dir: dir.map(Path::to_owned),
                detached,
            }),
        })
    }

    /// Brings the index in step with the database: rebuilds it when it was missing,
    /// unreadable or holds other counts than the database; otherwise applies the change feed
    /// from where it stopped. Then it answers searches.
    pub async fn start(&self, db: &DatabaseConnection) -> ServiceResult<()> {
        let opened = *self
            .inner
            .opened
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let started = Instant::now();
        match opened {
            Some(Opened::Rebuild) => {
                let n = self.rebuild(db).await?;
                tracing::info!(
                    documents = n,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "search index built"
                );
            }
            Some(Opened::At(_)) => {
                let applied = self.catch_up(db).await?;
                if self.counts_differ(db).await? {
                    let n = self.rebuild(db).await?;
                    tracing::info!(documents = n, "search index was stale: rebuilt");
                } else {
                    tracing::info!(
                        events = applied,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "search index caught up"
                    );
                }
            }
            None => {}
        }
        // Done: a later call (a retry that raced) has nothing to do.
        *self
            .inner
            .opened
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        self.inner.ready.send_replace(true);
        Ok(())
    }

    /// Whether the index answers searches.
    pub fn is_ready(&self) -> bool {
        *self.inner.ready.borrow()
    }

    async fn wait_ready(&self) -> ServiceResult<()> {
        let mut ready = self.inner.ready.subscribe();
        match tokio::time::timeout(READY_WAIT, ready.wait_for(|r| *r)).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(ServiceError::Unavailable(sea_orm::DbErr::Custom(
                "the search index is being built".into(),
            ))),
        }
    }

    /// Whether the index holds another number of records of some kind than the database.
    async fn counts_differ(&self, db: &DatabaseConnection) -> ServiceResult<bool> {
        let searcher = self.inner.reader.searcher();
        for kind in DocKind::ALL {
            let in_db = match kind {
                DocKind::Initiative => initiative_document::Entity::find().count(db).await?,
                DocKind::Lesson => lesson::Entity::find().count(db).await?,
                DocKind::Organization => organization::Entity::find().count(db).await?,
            };
            let term = Term::from_field_text(self.inner.fields.kind, kind.as_str());
            let in_index = searcher
                .search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)
                .map_err(index_error)? as u64;
            if in_db != in_index {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Rebuilds the whole index from the database; returns how many records it holds.
    pub async fn rebuild(&self, db: &DatabaseConnection) -> ServiceResult<u64> {
        if self.inner.detached {
            return Ok(0);
        }
        let _apply = self.inner.apply.lock().await;
        // No merges while the rebuild writes its segments: it merges them into one at its end
        // (a merge the policy started would hold some of them).
        self.inner
            .writer()?
            .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let rebuilt = self.rebuild_all(db).await;
        self.inner
            .writer()?
            .set_merge_policy(Box::<tantivy::indexer::LogMergePolicy>::default());
        rebuilt
    }

    async fn rebuild_all(&self, db: &DatabaseConnection) -> ServiceResult<u64> {
        let position = crate::feed::head(db).await?;
        self.blocking(|engine| {
            engine
                .writer()?
                .delete_all_documents()
                .map_err(index_error)?;
            Ok(())
        })
        .await?;
        let mut total = 0;
        for kind in DocKind::ALL {
            let mut after = None;
            loop {
                let ids = documents::ids_after(db, kind, after, REBUILD_CHUNK).await?;
                let Some(last) = ids.last().copied() else {
                    break;
                };
                after = Some(last);
                let loaded = documents::load(db, kind, &ids).await?;
                total += loaded.len() as u64;
                self.blocking(move |engine| engine.write(loaded)).await?;
            }
        }
        self.blocking(move |engine| {
            engine.commit(position)?;
            if let Err(e) = engine.merge_all() {
                // The index is whole and current; only its segments stay many.
                tracing::warn!(error = %e, "search index: cannot merge the rebuilt segments");
            }
            Ok(())
        })
        .await?;
        Ok(total)
    }

    /// Refreshes the given records from the database and makes the change searchable before
    /// returning (the write pipeline's last step).
    pub async fn refresh<C: ConnectionTrait>(
        &self,
        db: &C,
        keys: BTreeSet<(DocKind, Uuid)>,
    ) -> ServiceResult<()> {
        if keys.is_empty() || self.inner.detached {
            return Ok(());
        }
        let _apply = self.inner.apply.lock().await;
        let loaded = load_keys(db, keys).await?;
        let position = self.inner.position.load(Ordering::SeqCst);
        self.blocking(move |engine| {
            engine.write(loaded)?;
            engine.commit(position)
        })
        .await
    }

    /// Applies the change feed from the index's position: what every process wrote since.
    /// Returns how many events it read.
    pub async fn catch_up(&self, db: &DatabaseConnection) -> ServiceResult<usize> {
        let mut read = 0;
        loop {
            let _apply = self.inner.apply.lock().await;
            let from = self.inner.position.load(Ordering::SeqCst);
            let events = change_event::Entity::find()
                .filter(change_event::Column::Seq.gt(from))
                .order_by_asc(change_event::Column::Seq)
                .limit(FEED_CHUNK)
                .all(db)
                .await?;
            let Some(last) = events.last().map(|e| e.seq) else {
                // Nothing after `from`: the index lags by nothing.
                self.gauges(from, 0);
                return Ok(read);
            };
            read += events.len();
            let more = events.len() as u64 == FEED_CHUNK;
            let keys = keys_of_events(db, &events).await?;
            let loaded = load_keys(db, keys).await?;
            self.blocking(move |engine| {
                engine.write(loaded)?;
                engine.commit(last)
            })
            .await?;
            if !more {
                // What was written while this batch was applied.
                let head = crate::feed::head(db).await.unwrap_or(last);
                self.gauges(last, (head - last).max(0));
                return Ok(read);
            }
        }
    }

    /// Follows the change feed every `every`, for as long as the process runs.
    pub async fn follow(self, db: DatabaseConnection, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            if !self.is_ready() || self.inner.detached {
                continue;
            }
            if let Err(e) = self.catch_up(&db).await {
                tracing::debug!(error = %e, "search index: cannot follow the change feed");
            }
        }
    }

    /// The position, lag (events behind the feed's head) and size of the index, as metrics.
    fn gauges(&self, position: i64, lag: i64) {
        metrics::gauge!("msp_search_feed_position").set(position as f64);
        metrics::gauge!("msp_search_lag_events").set(lag as f64);
        let searcher = self.inner.reader.searcher();
        metrics::gauge!("msp_search_documents").set(searcher.num_docs() as f64);
        if let Some(dir) = &self.inner.dir {
            metrics::gauge!("msp_search_index_bytes").set(dir_size(dir) as f64);
        }
    }

    /// Runs a search on the blocking pool: a search is CPU work of some milliseconds, which
    /// must not hold the async workers that answer every other request (writes included).
    pub async fn search(&self, request: &Request) -> ServiceResult<Found> {
        self.wait_ready().await?;
        let kind = request.kind.as_str();
        let request = request.clone();
        let waited = Instant::now();
        let _turn = self.turn().await?;
        metrics::histogram!("msp_search_wait_seconds", "kind" => kind)
            .record(waited.elapsed().as_secs_f64());
        let started = Instant::now();
        let found = self
            .blocking(move |engine| {
                let found = engine.run(&request)?;
                if found.total < TYPOS_BELOW
                    && !request.parsed.typos
                    && engine.has_unknown_word(&request)?
                {
                    let retry = Request {
                        parsed: request.parsed.with_typos(),
                        ..request
                    };
                    return engine.run(&retry);
                }
                Ok(found)
            })
            .await?;
        metrics::histogram!("msp_search_seconds", "kind" => kind)
            .record(started.elapsed().as_secs_f64());
        Ok(found)
    }

    /// Every id matching a search (no ranking, no paging): the bulk export of a search.
    pub async fn all_ids(&self, request: &Request) -> ServiceResult<Vec<Uuid>> {
        self.wait_ready().await?;
        let everything = Request {
            offset: 0,
            limit: self.inner.reader.searcher().num_docs() as usize + 1,
            facets: false,
            ..request.clone()
        };
        let _turn = self.turn().await?;
        self.blocking(move |engine| engine.run_ids(&everything))
            .await
    }

    /// A search's turn to run (see `Engine::searching`).
    async fn turn(&self) -> ServiceResult<tokio::sync::SemaphorePermit<'_>> {
        self.inner.searching.acquire().await.map_err(index_error)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine) -> ServiceResult<T> + Send + 'static,
    ) -> ServiceResult<T> {
        let engine = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&engine))
            .await
            .map_err(index_error)?
    }
}

/// `q` parsed, or the problem to answer: at most [`query::MAX_CHARS`] characters, and
/// something to look for.
pub fn parse_q(q: &str, parameter: &'static str) -> ServiceResult<Parsed> {
    if q.chars().count() > query::MAX_CHARS {
        return Err(ServiceError::bad_parameter(
            parameter,
            format!("must be at most {} characters", query::MAX_CHARS),
        ));
    }
    query::parse(q).ok_or_else(|| {
        ServiceError::bad_parameter(parameter, "needs at least one word to look for")
    })
}

/// `rows` put in the order of `ids`.
pub(crate) fn in_order<T>(mut rows: Vec<T>, ids: &[Uuid], id_of: impl Fn(&T) -> Uuid) -> Vec<T> {
    let position: std::collections::HashMap<Uuid, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|row| position.get(&id_of(row)).copied());
    rows
}

/// The sequence number of the newest event of the change feed (0 when empty).
fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Opens the index of a directory, telling what it needs.
fn open_dir(dir: &Path, schema: tantivy::schema::Schema) -> ServiceResult<(Index, Opened)> {
    std::fs::create_dir_all(dir)
        .map_err(|e| index_error(format!("cannot create {}: {e}", dir.display())))?;
    let existing = MmapDirectory::open(dir)
        .map_err(index_error)
        .and_then(|d| Index::open(d).map_err(index_error));
    if let Ok(index) = existing {
        let payload = index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok());
        if let Some(p) = payload.filter(|p| p.schema == schema::VERSION)
            && index.schema() == schema
        {
            return Ok((index, Opened::At(p.position)));
        }
        tracing::warn!(dir = %dir.display(), "search index of another version or unreadable: rebuilding");
    } else if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        tracing::warn!(dir = %dir.display(), "search index unreadable: rebuilding");
    }
    for entry in std::fs::read_dir(dir).map_err(index_error)?.flatten() {
        let path = entry.path();
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| index_error(format!("cannot clear {}: {e}", path.display())))?;
    }
    let index = Index::create_in_dir(dir, schema).map_err(index_error)?;
    Ok((index, Opened::Rebuild))
}

/// The records a run of feed events changed, to be read again.
async fn keys_of_events<C: ConnectionTrait>(
    db: &C,
    events: &[change_event::Model],
) -> ServiceResult<BTreeSet<(DocKind, Uuid)>> {
    let mut keys = BTreeSet::new();
    let mut organizations = Vec::new();
    for e in events {
        match e.entity_type.as_str() {
            "organization" => {
                keys.insert((DocKind::Organization, e.entity_id));
                organizations.push(e.entity_id);
            }
            "lesson" => {
                keys.insert((DocKind::Lesson, e.entity_id));
            }
            "initiative" => {
                keys.insert((DocKind::Initiative, e.entity_id));
            }
            _ => {}
        }
        if let Some(initiative) = e.initiative_id {
            keys.insert((DocKind::Initiative, initiative));
        }
    }
    // An organisation's sector is its initiatives' (derived sectors).
    for chunk in organizations.chunks(500) {
        let initiatives: Vec<Uuid> = initiative_partner::Entity::find()
            .select_only()
            .column(initiative_partner::Column::InitiativeId)
            .filter(initiative_partner::Column::OrganizationId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        keys.extend(initiatives.into_iter().map(|i| (DocKind::Initiative, i)));
    }
    Ok(keys)
}

/// Reads the given records, with the lessons of each initiative (their visibility is the
/// initiative's).
async fn load_keys<C: ConnectionTrait>(
    db: &C,
    mut keys: BTreeSet<(DocKind, Uuid)>,
) -> ServiceResult<Vec<Loaded>> {
    let initiatives: Vec<Uuid> = keys
        .iter()
        .filter(|(k, _)| *k == DocKind::Initiative)
        .map(|(_, id)| *id)
        .collect();
    for chunk in initiatives.chunks(500) {
        let lessons: Vec<Uuid> = lesson::Entity::find()
            .select_only()
            .column(lesson::Column::Id)
            .filter(lesson::Column::InitiativeId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        keys.extend(lessons.into_iter().map(|l| (DocKind::Lesson, l)));
    }
    let mut loaded = Vec::with_capacity(keys.len());
    for kind in DocKind::ALL {
        let ids: Vec<Uuid> = keys
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect();
        loaded.extend(documents::load(db, kind, &ids).await?);
    }
    Ok(loaded)
}

/// The tie-break key of a record: its id's first 64 bits.
fn order_key(id: Uuid) -> u64 {
    id.as_u64_pair().0
}

/// The top `limit` hits after `offset`, by relevance, ties the older record first.
fn ranked(
    offset: usize,
    limit: usize,
) -> impl tantivy::collector::Collector<Fruit = Vec<((f32, Reverse<u64>), DocAddress)>> {
    TopDocs::with_limit(limit.max(1))
        .and_offset(offset)
        .tweak_score(|segment: &tantivy::SegmentReader| {
            let order = segment
                .fast_fields()
                .u64(schema::ORDER)
                .ok()
                .map(|c| c.first_or_default_col(0));
            move |doc: tantivy::DocId, score: f32| {
                (score, Reverse(order.as_ref().map_or(0, |c| c.get_val(doc))))
            }
        })
}

fn key_text(kind: DocKind, id: Uuid) -> String {
    format!("{}:{id}", kind.as_str())
}

/// Records whose text field `field` holds `value` as one token (ids, kinds, flags).
fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

impl Engine {
    fn writer(&self) -> ServiceResult<std::sync::MutexGuard<'_, IndexWriter>> {
        Ok(self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Replaces or removes the given records (not yet committed).
    fn write(&self, loaded: Vec<Loaded>) -> ServiceResult<()> {
        let writer = self.writer()?;
        let f = &self.fields;
        let mut analysers = self.analysers.clone();
        for record in loaded {
            match record {
                Loaded::Gone(kind, id) => {
                    writer.delete_term(Term::from_field_text(f.key, &key_text(kind, id)));
                    if kind == DocKind::Initiative {
                        writer.delete_term(Term::from_field_text(f.initiative, &id.to_string()));
                    }
                }
                Loaded::Put(source) => {
                    writer.delete_term(Term::from_field_text(
                        f.key,
                        &key_text(source.kind, source.id),
                    ));
                    writer
                        .add_document(self.document(&source, &mut analysers))
                        .map_err(index_error)?;
                }
            }
        }
        Ok(())
    }

    /// Commits what was written with the feed position reached, and makes it searchable.
    fn commit(&self, position: i64) -> ServiceResult<()> {
        let mut writer = self.writer()?;
        let mut prepared = writer.prepare_commit().map_err(index_error)?;
        let payload = serde_json::to_string(&Payload {
            schema: schema::VERSION,
            position,
        })
        .map_err(index_error)?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(index_error)?;
        drop(writer);
        self.position.fetch_max(position, Ordering::SeqCst);
        self.reader.reload().map_err(index_error)?;
        self.forget_merged_segments();
        Ok(())
    }

    /// Merges every segment into one (after a rebuild, which writes many): a search opens
    /// each term in each segment, so one segment answers fastest. Later writes add small
    /// segments that the merge policy folds in as they accumulate.
    fn merge_all(&self) -> ServiceResult<()> {
        let mut writer = self.writer()?;
        let segments = writer
            .index()
            .searchable_segment_ids()
            .map_err(index_error)?;
        if segments.len() < 2 {
            return Ok(());
        }
        let merging = writer.merge(&segments);
        // Writes need not wait for the merge: it works on committed segments only.
        drop(writer);
        merging.wait().map_err(index_error)?;
        self.reader.reload().map_err(index_error)?;
        self.forget_merged_segments();
        Ok(())
    }

    /// Drops the cached facet values of segments the reader no longer searches.
    fn forget_merged_segments(&self) {
        let live: Vec<tantivy::index::SegmentId> = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(tantivy::SegmentReader::segment_id)
            .collect();
        self.facet_values.keep_only(&live);
    }

    fn document(&self, s: &Source, analysers: &mut Analysers) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, key_text(s.kind, s.id));
        doc.add_text(f.kind, s.kind.as_str());
        doc.add_text(f.id, s.id.to_string());
        doc.add_text(f.tenant, s.tenant.to_string());
        doc.add_text(f.public, if s.public { "true" } else { "false" });
        if let Some(initiative) = s.initiative {
            doc.add_text(f.initiative, initiative.to_string());
        }
        for (root, value) in &s.tags {
            doc.add_facet(f.tags, Facet::from_path([*root, value.as_str()]));
        }
        if let Some(d) = s.start_date {
            doc.add_i64(f.start_date, day_number(d));
        }
        if let Some(d) = s.end_date {
            doc.add_i64(f.end_date, day_number(d));
        }
        doc.add_i64(f.updated_at, s.updated_at);
        doc.add_u64(f.order, order_key(s.id));
        for t in &s.texts {
            let language = Language::from_tag(&t.language).unwrap_or(s.language);
            doc.add_pre_tokenized_text(
                f.text(t.slot),
                analysis::pre_tokenized(analysers.language(language), &t.text),
            );
            doc.add_text(f.any, &t.text);
        }
        if let Ok(texts) = serde_json::to_string(&s.texts) {
            doc.add_text(f.stored_texts, texts);
        }
        doc
    }

    /// The index query of a request: its words, its kind, what the caller may read, and its
    /// filters, all in one.
    fn query(&self, request: &Request) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut analysers = self.analysers.clone();
        let text = query::text_query(f, &mut analysers, &request.parsed, &request.slots)?;
        let mut clauses = vec![(Occur::Must, text)];
        clauses.extend(self.scope(request));
        for (root, values) in &request.tags {
            let facets = values
                .iter()
                .map(|v| -> Box<dyn Query> {
                    Box::new(TermQuery::new(
                        Term::from_facet(f.tags, &Facet::from_path([*root, v.as_str()])),
                        IndexRecordOption::Basic,
                    ))
                })
                .collect();
            clauses.push(filter(any_of(facets)));
        }
        for range in &request.dates {
            let field = match range.field {
                DateField::StartDate => f.start_date,
                DateField::EndDate => f.end_date,
                DateField::UpdatedAt => f.updated_at,
            };
            let bound = |v: Option<i64>| match v {
                Some(v) => Bound::Included(Term::from_field_i64(field, v)),
                None => Bound::Unbounded,
            };
            clauses.push(filter(Box::new(RangeQuery::new(
                bound(range.from.or(Some(i64::MIN))),
                bound(range.to.or(Some(i64::MAX))),
            ))));
        }
        if let Some(initiative) = request.initiative {
            clauses.push(filter(term(f.initiative, &initiative.to_string())));
        }
        if let Some(only) = &request.only {
            clauses.push(filter(Box::new(TermSetQuery::new(
                only.iter()
                    .map(|id| Term::from_field_text(f.id, &id.to_string())),
            ))));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// The clauses of a request's kind and of what the caller may read.
    fn scope(&self, request: &Request) -> [(Occur, Box<dyn Query>); 2] {
        let f = &self.fields;
        [
            filter(term(f.kind, request.kind.as_str())),
            filter(match request.coverage {
                Coverage::Tenant(t) => term(f.tenant, &t.to_string()),
                Coverage::Public => term(f.public, "true"),
                Coverage::TenantAndPublic(t) => {
                    any_of(vec![term(f.tenant, &t.to_string()), term(f.public, "true")])
                }
            }),
        ]
    }

    /// Whether a word of the request that could hold a typo is in no record of its kind the
    /// caller may read, exactly as written (folded): counted within the caller's coverage, so
    /// another tenant's words never change what a search does.
    fn has_unknown_word(&self, request: &Request) -> ServiceResult<bool> {
        let mut analysers = self.analysers.clone();
        let searcher = self.reader.searcher();
        for word in request.parsed.typo_candidates(&mut analysers) {
            let mut clauses = vec![(Occur::Must, term(self.fields.any, &word))];
            clauses.extend(self.scope(request));
            let found = searcher
                .search(&BooleanQuery::new(clauses), &Count)
                .map_err(index_error)?;
            if found == 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn id_of(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> ServiceResult<(Uuid, Vec<Text>)> {
        let doc: TantivyDocument = searcher.doc(address).map_err(index_error)?;
        let id = doc
            .get_first(self.fields.id)
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| index_error("a document without an id"))?;
        let texts = doc
            .get_first(self.fields.stored_texts)
            .and_then(|v| v.as_str())
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        Ok((id, texts))
    }

    fn run(&self, request: &Request) -> ServiceResult<Found> {
        let Some(query) = self.query(request) else {
            return Ok(Found {
                total: 0,
                hits: Vec::new(),
                facets: BTreeMap::new(),
            });
        };
        let searcher = self.reader.searcher();
        let top = ranked(request.offset, request.limit);
        let counter = request.facets.then_some(facets::Counter {
            field: "tags",
            cache: &self.facet_values,
        });
        let (top, total, counts) = searcher
            .search(&query, &(top, Count, counter))
            .map_err(index_error)?;
        let mut marker = snippet::Marker::new(&request.parsed, self.analysers.clone());
        let mut hits = Vec::with_capacity(top.len());
        for ((score, _), address) in top.into_iter().take(request.limit) {
            let (id, texts) = self.id_of(&searcher, address)?;
            let mut snippets = BTreeMap::new();
            for t in texts.iter().filter(|t| t.field != "lessons") {
                let language = Language::from_tag(&t.language).unwrap_or(Language::ORIGINAL);
                if snippets.contains_key(&t.field) {
                    continue;
                }
                if let Some(s) = marker.snippet(language, &t.text) {
                    snippets.insert(t.field.clone(), s);
                }
            }
            hits.push(Hit {
                id,
                score,
                snippets,
            });
        }
        let mut facets = BTreeMap::new();
        if let Some(counts) = counts {
            for (root, values) in FACETS.iter().zip(counts) {
                let mut values: Vec<FacetCount> = values
                    .into_iter()
                    .map(|(value, count)| FacetCount { value, count })
                    .collect();
                values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                facets.insert((*root).to_owned(), values);
            }
        }
        Ok(Found {
            total: total as u64,
            hits,
            facets,
        })
    }

    fn run_ids(&self, request: &Request) -> ServiceResult<Vec<Uuid>> {
        let Some(query) = self.query(request) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &ranked(0, request.limit))
            .map_err(index_error)?;
        top.into_iter()
            .map(|(_, address)| self.id_of(&searcher, address).map(|(id, _)| id))
            .collect()
    }
}
