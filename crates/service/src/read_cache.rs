//! Recent read answers (initiative lists and searches, initiative details), kept until the
//! next write.
//!
//! Every write to an initiative, its children or an organisation appends to the change feed in
//! its own transaction (the write pipeline, `write::UnitOfWork::commit`), so an answer computed after the feed's head was `N`
//! stays right while the head is `N` and the UTC date is the same (reporting status is derived
//! from today). A lookup costs one read of the head (the feed's primary key, last entry); any
//! other head (newer, or older after a restore) empties the cache. Answers are keyed by what
//! they depend on: the caller's tenant (or none) and the whole query, so tenants never share an
//! entry.
//!
//! Misses are computed once: concurrent requests for the same missing answer (a burst of
//! portal requests right after a write) wait for the first one's result instead of all
//! querying the database.
//!
//! Bounded by `Settings::read_cache_bytes` (0 turns the cache off), counting each answer's JSON
//! size, its key and a fixed overhead; an answer larger than the whole budget is not kept. It is
//! per process: several instances each validate against the same database. Writes that bypass
//! the feed (the benchmark generator, maintenance scripts) must call
//! `Registry::clear_read_cache` in every process that serves the database, or restart it.

use std::{
    any::Any,
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
};

use chrono::{NaiveDate, Utc};
use entity::change_event;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QuerySelect};
use serde::Serialize;

use crate::{Registry, error::ServiceResult};

/// What every entry of the cache was computed under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Head {
    date: NaiveDate,
    seq: i64,
}

/// Bytes counted per entry beyond its answer and key (the map's slot, the allocations).
const ENTRY_OVERHEAD: usize = 256;

/// An answer and the bytes it is counted for.
struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    bytes: usize,
}

type Flight = Arc<tokio::sync::Mutex<()>>;

#[derive(Default)]
pub(crate) struct ReadCache {
    /// The most bytes of answers kept at once.
    budget: usize,
    state: Mutex<State>,
    /// The key of each answer being computed, and the lock its other askers wait on.
    flights: Mutex<HashMap<String, Flight>>,
}

#[derive(Default)]
struct State {
    head: Option<Head>,
    /// Raised whenever the entries are dropped: an answer computed before may not be kept.
    generation: u64,
    entries: HashMap<String, Entry>,
    /// The sum of the entries' sizes.
    bytes: usize,
}

impl State {
    fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.generation += 1;
    }
}

/// Takes a computation's lock out of `flights` when the computation ends, however it ends (a
/// cancelled request included).
struct Landing<'a> {
    cache: &'a ReadCache,
    key: &'a str,
    flight: Flight,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        if let Ok(mut flights) = self.cache.flights.lock()
            && Arc::strong_count(&self.flight) <= 2
        {
            flights.remove(self.key);
        }
    }
}

impl ReadCache {
    pub(crate) fn new(budget: usize) -> Self {
        Self {
            budget,
            state: Mutex::default(),
            flights: Mutex::default(),
        }
    }

    /// The lock of the computation of `key` (a new one when none is running).
    fn flight(&self, key: &str) -> Option<Flight> {
        let mut flights = self.flights.lock().ok()?;
        Some(flights.entry(key.to_owned()).or_default().clone())
    }

    /// Forgets every entry (after a write that bypasses the change feed); answers being
    /// computed meanwhile are not kept either.
    pub(crate) fn clear(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.clear();
        }
    }

    /// The entry under `key` if it was computed at `head`, and the generation to keep a new
    /// answer under. Another head empties the cache.
    fn get<T: Clone + 'static>(&self, head: Head, key: &str) -> (Option<T>, u64) {
        let Ok(mut state) = self.state.lock() else {
            return (None, u64::MAX);
        };
        if state.head != Some(head) {
            state.head = Some(head);
            state.clear();
            return (None, state.generation);
        }
        let hit = state
            .entries
            .get(key)
            .and_then(|e| e.value.downcast_ref::<T>().cloned());
        (hit, state.generation)
    }

    /// Keeps `value` (an answer of `bytes` bytes of JSON), computed at `head` in `generation`,
    /// unless the cache has moved on since; makes room by dropping other entries.
    fn put<T: Send + Sync + 'static>(
        &self,
        head: Head,
        generation: u64,
        key: String,
        value: T,
        bytes: usize,
    ) {
        let bytes = bytes + key.len() + ENTRY_OVERHEAD;
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.head != Some(head) || state.generation != generation || bytes > self.budget {
            return;
        }
        if let Some(old) = state.entries.remove(&key) {
            state.bytes -= old.bytes;
        }
        while state.bytes + bytes > self.budget {
            let Some(evicted) = state.entries.keys().next().cloned() else {
                break;
            };
            if let Some(old) = state.entries.remove(&evicted) {
                state.bytes -= old.bytes;
            }
        }
        state.bytes += bytes;
        state.entries.insert(
            key,
            Entry {
                value: Arc::new(value),
                bytes,
            },
        );
    }

    /// The answer under `key` computed at `head`: from the cache, from a concurrent asker's
    /// computation, or from `compute` (kept when it succeeds).
    async fn get_or_compute<T, F, Fut>(
        &self,
        head: Head,
        key: String,
        compute: F,
    ) -> ServiceResult<T>
    where
        T: Clone + Serialize + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = ServiceResult<T>>,
    {
        if let (Some(hit), _) = self.get::<T>(head, &key) {
            crate::telemetry::read_cache_lookup(true);
            return Ok(hit);
        }
        let Some(flight) = self.flight(&key) else {
            crate::telemetry::read_cache_lookup(false);
            return compute().await;
        };
        let landing = Landing {
            cache: self,
            key: &key,
            flight: flight.clone(),
        };
        drop(flight);
        let _turn = landing.flight.lock().await;
        // Whoever held the lock before may have left the answer.
        let generation = match self.get::<T>(head, &key) {
            (Some(hit), _) => {
                // Computed by the asker before this one: a hit for this request.
                crate::telemetry::read_cache_lookup(true);
                return Ok(hit);
            }
            (None, generation) => generation,
        };
        crate::telemetry::read_cache_lookup(false);
        let value = compute().await?;
        // Counted at the size it has on the wire, most of its size in memory.
        if let Ok(json) = serde_json::to_vec(&value) {
            self.put(head, generation, key.clone(), value.clone(), json.len());
        }
        Ok(value)
    }
}

/// The feed's last sequence number (0 when empty).
async fn feed_head<C: ConnectionTrait>(db: &C) -> ServiceResult<i64> {
    let head: Option<Option<i64>> = change_event::Entity::find()
        .select_only()
        .column_as(change_event::Column::Seq.max(), "head")
        .into_tuple()
        .one(db)
        .await?;
    Ok(head.flatten().unwrap_or(0))
}

impl Registry {
    /// The answer under `key` from the cache, or `compute`d (and kept when it succeeds).
    /// The key must name everything the answer depends on besides the data and the date.
    pub(crate) async fn cached<T, F, Fut>(&self, key: String, compute: F) -> ServiceResult<T>
    where
        T: Clone + Serialize + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = ServiceResult<T>>,
    {
        let cache = self.read_cache();
        if cache.budget == 0 {
            return compute().await;
        }
        // Read the head first: what is computed next is at least as new as it.
        let head = Head {
            date: Utc::now().date_naive(),
            seq: feed_head(self.db()).await?,
        };
        cache.get_or_compute(head, key, compute).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn head(seq: i64) -> Head {
        Head {
            date: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            seq,
        }
    }

    /// A budget of `n` one-byte answers with one-letter keys.
    fn budget(n: usize) -> usize {
        n * (2 + ENTRY_OVERHEAD)
    }

    fn keep<T: Clone + Send + Sync + 'static>(cache: &ReadCache, at: Head, key: &str, value: T) {
        let (_, generation) = cache.get::<T>(at, key);
        cache.put(at, generation, key.into(), value, 1);
    }

    #[test]
    fn entries_live_until_the_head_moves() {
        let cache = ReadCache::new(budget(8));
        assert_eq!(cache.get::<u32>(head(1), "a").0, None);
        keep(&cache, head(1), "a", 7_u32);
        assert_eq!(cache.get::<u32>(head(1), "a").0, Some(7));
        assert_eq!(cache.get::<u32>(head(1), "b").0, None);
        // A newer head empties the cache; an answer computed before is not kept.
        let (_, before) = cache.get::<u32>(head(1), "a");
        assert_eq!(cache.get::<u32>(head(2), "a").0, None);
        cache.put(head(1), before, "a".into(), 8_u32, 1);
        assert_eq!(cache.get::<u32>(head(2), "a").0, None);
        // So does an older one (a restored database): nothing from the newer head survives.
        keep(&cache, head(2), "a", 9_u32);
        assert_eq!(cache.get::<u32>(head(1), "a").0, None);
        assert_eq!(cache.get::<u32>(head(2), "a").0, None);
        // A new day is a new head too.
        keep(&cache, head(2), "a", 9_u32);
        let tomorrow = Head {
            date: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            seq: 2,
        };
        assert_eq!(cache.get::<u32>(tomorrow, "a").0, None);
    }

    #[test]
    fn clearing_drops_answers_in_flight_too() {
        let cache = ReadCache::new(budget(8));
        keep(&cache, head(1), "a", 1_u32);
        let (_, generation) = cache.get::<u32>(head(1), "b");
        cache.clear();
        assert_eq!(cache.get::<u32>(head(1), "a").0, None);
        cache.put(head(1), generation, "b".into(), 2_u32, 1);
        assert_eq!(cache.get::<u32>(head(1), "b").0, None);
    }

    #[test]
    fn it_holds_at_most_its_budget() {
        let cache = ReadCache::new(budget(2));
        for (i, key) in ["a", "b", "c"].iter().enumerate() {
            keep(&cache, head(1), key, i);
        }
        let kept = ["a", "b", "c"]
            .iter()
            .filter(|k| cache.get::<usize>(head(1), k).0.is_some())
            .count();
        assert_eq!(kept, 2, "three answers where two fit");
        assert_eq!(cache.state.lock().unwrap().bytes, budget(2));
        // Replacing an answer does not count it twice; one larger than the budget is not kept.
        keep(&cache, head(1), "c", 9_usize);
        assert_eq!(cache.state.lock().unwrap().bytes, budget(2));
        let (_, generation) = cache.get::<usize>(head(1), "big");
        cache.put(head(1), generation, "big".into(), 1_usize, budget(2));
        assert_eq!(cache.get::<usize>(head(1), "big").0, None);
    }

    #[tokio::test]
    async fn concurrent_misses_compute_once() {
        let cache = Arc::new(ReadCache::new(budget(8)));
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let askers: Vec<_> = (0..16)
            .map(|_| {
                let (cache, runs) = (cache.clone(), runs.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_compute(head(1), "k".into(), || async {
                            runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                            Ok(42_u32)
                        })
                        .await
                })
            })
            .collect();
        for asker in askers {
            assert_eq!(asker.await.unwrap().unwrap(), 42);
        }
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(
            cache.flights.lock().unwrap().is_empty(),
            "no lock is left behind"
        );
        // A failed computation is not kept: the next asker computes again.
        let failed: ServiceResult<u32> = cache
            .get_or_compute(head(1), "e".into(), || async {
                Err(crate::error::ServiceError::Internal("boom".into()))
            })
            .await;
        assert!(failed.is_err());
        let again = cache
            .get_or_compute(head(1), "e".into(), || async { Ok(7_u32) })
            .await;
        assert_eq!(again.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_cancelled_computation_leaves_no_lock_behind() {
        let cache = Arc::new(ReadCache::new(budget(8)));
        let asker = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .get_or_compute(head(1), "slow".into(), || async {
                        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                        Ok(1_u32)
                    })
                    .await
            })
        };
        while cache.flights.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        asker.abort();
        assert!(asker.await.unwrap_err().is_cancelled());
        assert!(cache.flights.lock().unwrap().is_empty());
    }
}
