//! Facet counts of a search: how many hits have each value of the six facets ([`FACETS`]).
//!
//! Every record's filter values are facets of one field (`root/value`). tantivy's own facet
//! collector walks that field's dictionary on every search to find the requested roots' values;
//! a segment never changes, so [`Counter`] walks each segment's dictionary once and keeps, per
//! term ordinal, which value it counts ([`Values`]), for as long as the segment lives.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use tantivy::{
    DocId, Score, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    fastfield::FacetReader,
    index::SegmentId,
};

use super::FACETS;

/// Term ordinals of a segment's facet field that no facet counts.
const NONE: u32 = u32::MAX;

/// Which value of which facet each term ordinal of a segment is.
struct Values {
    /// Per term ordinal: the index in `labels`, or [`NONE`].
    slot: Vec<u32>,
    /// (index in [`FACETS`], value).
    labels: Vec<(usize, String)>,
}

impl Values {
    fn of(reader: &FacetReader) -> std::io::Result<Values> {
        let dict = reader.facet_dict();
        let mut slot = vec![NONE; dict.num_terms()];
        let mut labels = Vec::new();
        let mut terms = dict.stream()?;
        while terms.advance() {
            // An encoded facet is its path's segments joined by NUL: `country\0KE`.
            let key = terms.key();
            let Some(split) = key.iter().position(|b| *b == 0) else {
                continue;
            };
            let (root, value) = (&key[..split], &key[split + 1..]);
            let Some(facet) = FACETS.iter().position(|f| f.as_bytes() == root) else {
                continue;
            };
            if value.contains(&0) {
                continue;
            }
            let Ok(ord) = usize::try_from(terms.term_ord()) else {
                continue;
            };
            if let Some(s) = slot.get_mut(ord) {
                *s = labels.len() as u32;
                labels.push((facet, String::from_utf8_lossy(value).into_owned()));
            }
        }
        Ok(Values { slot, labels })
    }
}

/// The facet values of every segment seen, kept while the segment is searched.
#[derive(Default)]
pub struct Cache {
    segments: Mutex<HashMap<SegmentId, Arc<Values>>>,
}

impl Cache {
    fn values(
        &self,
        segment: &SegmentReader,
        reader: &FacetReader,
    ) -> tantivy::Result<Arc<Values>> {
        let id = segment.segment_id();
        let mut segments = self
            .segments
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(values) = segments.get(&id) {
            return Ok(values.clone());
        }
        let values = Arc::new(Values::of(reader)?);
        segments.insert(id, values.clone());
        Ok(values)
    }

    /// Forgets the segments no longer searched (merged away or deleted).
    pub fn keep_only(&self, live: &[SegmentId]) {
        self.segments
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|id, _| live.contains(id));
    }
}

/// Counts, per facet, the hits with each value.
pub struct Counter<'a> {
    pub field: &'static str,
    pub cache: &'a Cache,
}

/// Per facet (as [`FACETS`]), its values and how many hits have each.
pub type Counts = Vec<BTreeMap<String, u64>>;

impl Collector for Counter<'_> {
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let reader = segment.facet_reader(self.field)?;
        let values = self.cache.values(segment, &reader)?;
        Ok(SegmentCounter {
            counts: vec![0; values.labels.len()],
            reader,
            values,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut merged: Counts = vec![BTreeMap::new(); FACETS.len()];
        for fruit in fruits {
            for (into, from) in merged.iter_mut().zip(fruit) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(merged)
    }
}

pub struct SegmentCounter {
    reader: FacetReader,
    values: Arc<Values>,
    counts: Vec<u64>,
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let mut previous = None;
        for ord in self.reader.facet_ords(doc) {
            // A value given twice counts once.
            if previous.replace(ord) == Some(ord) {
                continue;
            }
            let slot = usize::try_from(ord)
                .ok()
                .and_then(|o| self.values.slot.get(o))
                .copied()
                .unwrap_or(NONE);
            if let Some(n) = self.counts.get_mut(slot as usize) {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut counts: Counts = vec![BTreeMap::new(); FACETS.len()];
        for (i, n) in self.counts.into_iter().enumerate() {
            if n == 0 {
                continue;
            }
            if let Some((facet, value)) = self.values.labels.get(i)
                && let Some(into) = counts.get_mut(*facet)
            {
                into.insert(value.clone(), n);
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{
        Index, IndexReader, TantivyDocument,
        collector::Count,
        query::AllQuery,
        schema::{Facet, FacetOptions, Schema},
    };

    use super::*;

    fn index(docs: &[&[(&str, &str)]]) -> Index {
        let mut schema = Schema::builder();
        let tags = schema.add_facet_field("tags", FacetOptions::default());
        let index = Index::create_in_ram(schema.build());
        let Ok(mut writer) = index.writer_with_num_threads(1, 15_000_000) else {
            panic!("an index writer");
        };
        for values in docs {
            let mut doc = TantivyDocument::default();
            for (root, value) in *values {
                doc.add_facet(tags, Facet::from_path([*root, *value]));
            }
            assert!(writer.add_document(doc).is_ok());
        }
        assert!(writer.commit().is_ok());
        index
    }

    fn reader(index: &Index) -> IndexReader {
        let Ok(reader) = index.reader() else {
            panic!("a reader");
        };
        reader
    }

    #[test]
    fn counts_each_value_of_each_facet_once_per_hit() {
        let index = index(&[
            &[("country", "KE"), ("sdg_goal", "4"), ("sdg_goal", "4")],
            &[("country", "KE"), ("sdg_goal", "9"), ("unrelated", "x")],
            &[("country", "BR")],
        ]);
        let reader = reader(&index);
        let cache = Cache::default();
        let counter = Counter {
            field: "tags",
            cache: &cache,
        };
        let Ok((counts, total)) = reader.searcher().search(&AllQuery, &(counter, Count)) else {
            panic!("a search");
        };
        assert_eq!(total, 3);
        let of = |facet: &str| {
            let i = FACETS
                .iter()
                .position(|f| *f == facet)
                .unwrap_or(usize::MAX);
            counts.get(i).cloned().unwrap_or_default()
        };
        assert_eq!(
            of("country"),
            BTreeMap::from([("BR".to_owned(), 1), ("KE".to_owned(), 2)])
        );
        assert_eq!(
            of("sdg_goal"),
            BTreeMap::from([("4".to_owned(), 1), ("9".to_owned(), 1)])
        );
        assert_eq!(counts.len(), FACETS.len());
    }

    #[test]
    fn forgets_segments_no_longer_searched() {
        let index = index(&[&[("country", "KE")]]);
        let reader = reader(&index);
        let cache = Cache::default();
        let counter = Counter {
            field: "tags",
            cache: &cache,
        };
        assert!(reader.searcher().search(&AllQuery, &counter).is_ok());
        let held = || cache.segments.lock().map(|s| s.len()).unwrap_or(usize::MAX);
        assert_eq!(held(), 1);
        cache.keep_only(&[]);
        assert_eq!(held(), 0);
    }
}
