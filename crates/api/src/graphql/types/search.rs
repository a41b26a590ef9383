//! What a search answers beside its nodes: hits with snippets, and facet counts.

use async_graphql::SimpleObject;
use uuid::Uuid;

/// A search's hits and facets.
#[derive(Clone, Debug, SimpleObject)]
pub struct SearchResult {
    /// One per node, in the order of `nodes`.
    pub hits: Vec<SearchHit>,
    /// Counts over the whole result (initiative searches): `country`, `action_line`,
    /// `sdg_goal`, `sector`, `stage`, `kind`.
    pub facets: Vec<SearchFacet>,
}

/// One hit: its relevance and where it matched.
#[derive(Clone, Debug, SimpleObject)]
pub struct SearchHit {
    pub id: Uuid,
    /// BM25 with the field boosts (larger is more relevant).
    pub score: f64,
    /// The fields that matched, each with the text around the match: HTML-escaped, the
    /// matched words in `<mark>`.
    pub snippets: Vec<Snippet>,
}

/// Where one field matched.
#[derive(Clone, Debug, SimpleObject)]
pub struct Snippet {
    pub field: String,
    pub text: String,
}

/// One facet: its values among the hits, most frequent first.
#[derive(Clone, Debug, SimpleObject)]
pub struct SearchFacet {
    pub name: String,
    pub values: Vec<FacetValue>,
}

/// A facet value and how many hits have it.
#[derive(Clone, Debug, SimpleObject)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

impl From<service::search::SearchInfo> for SearchResult {
    fn from(info: service::search::SearchInfo) -> Self {
        Self {
            hits: info
                .hits
                .into_iter()
                .map(|h| SearchHit {
                    id: h.id,
                    score: f64::from(h.score),
                    snippets: h
                        .snippets
                        .into_iter()
                        .map(|(field, text)| Snippet { field, text })
                        .collect(),
                })
                .collect(),
            facets: info
                .facets
                .into_iter()
                .map(|(name, values)| SearchFacet {
                    name,
                    values: values
                        .into_iter()
                        .map(|v| FacetValue {
                            value: v.value,
                            count: v.count,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
