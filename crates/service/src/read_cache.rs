//! Recent read answers (initiative lists and searches, initiative details), kept until the
//! next write.
//!
//! Every write to an initiative, its children or an organisation appends to the change feed in
//! its own transaction (`feed::append`), so an answer computed after the feed's head was `N`
//! stays right while the head is `N` and the UTC date is the same (reporting status is derived
//! from today). A lookup costs one read of the head (the feed's primary key, last entry); a
//! newer head empties the cache. Answers are keyed by what they depend on: the caller's tenant
//! (or none) and the whole query, so tenants never share an entry.
//!
//! Misses are computed once: concurrent requests for the same missing answer (a burst of
//! portal requests right after a write) wait for the first one's result instead of all
//! querying the database.
//!
//! Bounded by `Settings::read_cache_bytes`, counted as the answers' JSON size (0 turns the
//! cache off); an answer larger than the whole budget is not kept. It is per process: several
//! instances each validate against the same database. Writes that bypass the feed (the
//! benchmark generator) clear the cache of their own process only.

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Head {
    date: NaiveDate,
    seq: i64,
}

/// An answer and its size (its JSON's length, in bytes).
struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    bytes: usize,
}

#[derive(Default)]
pub(crate) struct ReadCache {
    /// The most bytes of answers kept at once.
    budget: usize,
    state: Mutex<State>,
    /// The key of each answer being computed, and the lock its other askers wait on.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct State {
    head: Option<Head>,
    entries: HashMap<String, Entry>,
    /// The sum of the entries' sizes.
    bytes: usize,
}

impl State {
    fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
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
    fn flight(&self, key: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut flights = self.flights.lock().ok()?;
        Some(flights.entry(key.to_owned()).or_default().clone())
    }

    /// Drops the lock of `key` once nobody else holds it.
    fn land(&self, key: &str, flight: Arc<tokio::sync::Mutex<()>>) {
        if let Ok(mut flights) = self.flights.lock()
            && Arc::strong_count(&flight) <= 2
        {
            flights.remove(key);
        }
    }

    /// Forgets every entry (after a write that bypasses the change feed).
    pub(crate) fn clear(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.clear();
        }
    }

    /// The entry under `key` if it was computed at `head`; a newer head empties the cache.
    fn get<T: Clone + 'static>(&self, head: Head, key: &str) -> Option<T> {
        let mut state = self.state.lock().ok()?;
        if state.head.is_none_or(|h| h < head) {
            state.head = Some(head);
            state.clear();
            return None;
        }
        if state.head != Some(head) {
            return None;
        }
        state.entries.get(key)?.value.downcast_ref::<T>().cloned()
    }

    /// Keeps `value` (`bytes` large), computed at `head`, unless the cache has moved on since;
    /// makes room by dropping other entries.
    fn put<T: Send + Sync + 'static>(&self, head: Head, key: String, value: T, bytes: usize) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.head != Some(head) || bytes > self.budget {
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
}

impl ReadCache {
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
        if let Some(hit) = self.get::<T>(head, &key) {
            return Ok(hit);
        }
        let Some(flight) = self.flight(&key) else {
            return compute().await;
        };
        let computed = {
            let _turn = flight.lock().await;
            // Whoever held the lock before may have left the answer.
            match self.get::<T>(head, &key) {
                Some(hit) => Ok(hit),
                None => compute().await.inspect(|value| {
                    // The size it will have on the wire, which is most of its size in memory.
                    if let Ok(json) = serde_json::to_vec(value) {
                        self.put(head, key.clone(), value.clone(), json.len());
                    }
                }),
            }
        };
        self.land(&key, flight);
        computed
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

    #[test]
    fn entries_live_until_the_head_moves_on() {
        let cache = ReadCache::new(8);
        assert_eq!(cache.get::<u32>(head(1), "a"), None);
        cache.put(head(1), "a".into(), 7_u32, 1);
        assert_eq!(cache.get::<u32>(head(1), "a"), Some(7));
        assert_eq!(cache.get::<u32>(head(1), "b"), None);
        // A reader still at an older head neither sees nor stores anything.
        assert_eq!(cache.get::<u32>(head(2), "a"), None);
        cache.put(head(1), "a".into(), 8_u32, 1);
        assert_eq!(cache.get::<u32>(head(2), "a"), None);
        assert_eq!(cache.get::<u32>(head(1), "a"), None);
        // A new day is a new head too.
        cache.put(head(2), "a".into(), 9_u32, 1);
        let tomorrow = Head {
            date: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            seq: 2,
        };
        assert_eq!(cache.get::<u32>(tomorrow, "a"), None);
    }

    #[test]
    fn it_holds_at_most_its_budget() {
        let cache = ReadCache::new(10);
        cache.get::<u32>(head(1), "x");
        for (i, key) in ["a", "b", "c"].iter().enumerate() {
            cache.put(head(1), (*key).into(), i, 4);
        }
        let kept = ["a", "b", "c"]
            .iter()
            .filter(|k| cache.get::<usize>(head(1), k).is_some())
            .count();
        assert_eq!(kept, 2, "three answers of 4 bytes in 10");
        assert_eq!(cache.state.lock().unwrap().bytes, 8);
        // Replacing an answer does not count it twice; one larger than the budget is not kept.
        cache.put(head(1), "c".into(), 9_usize, 4);
        assert!(cache.state.lock().unwrap().bytes <= 10);
        cache.put(head(1), "big".into(), 1_usize, 11);
        assert_eq!(cache.get::<usize>(head(1), "big"), None);
    }

    #[tokio::test]
    async fn concurrent_misses_compute_once() {
        let cache = Arc::new(ReadCache::new(8));
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
}
