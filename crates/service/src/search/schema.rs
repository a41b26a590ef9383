//! The index's fields: what each indexed record holds, and how.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use super::analysis;

/// Where in a record a text sits, which sets its weight in the ranking: title above summary
/// above description above lessons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// An initiative's title, a lesson's statement, an organisation's name and acronym.
    Title,
    /// An initiative's summary, a lesson's context.
    Summary,
    /// An initiative's description and outcome summary, a lesson's challenge and
    /// recommendation, an organisation's description.
    Body,
    /// The texts of an initiative's lessons.
    Lessons,
}

impl Slot {
    pub const ALL: [Slot; 4] = [Slot::Title, Slot::Summary, Slot::Body, Slot::Lessons];

    fn name(self) -> &'static str {
        match self {
            Slot::Title => "title",
            Slot::Summary => "summary",
            Slot::Body => "body",
            Slot::Lessons => "lessons",
        }
    }

    /// The boost of a match in this slot.
    pub fn weight(self) -> f32 {
        match self {
            Slot::Title => 4.0,
            Slot::Summary => 2.0,
            Slot::Body => 1.0,
            Slot::Lessons => 0.5,
        }
    }
}

/// The fields, looked up once.
#[derive(Clone)]
pub struct Fields {
    /// `kind:id`, the one term that names a record (updates delete by it).
    pub key: Field,
    /// `initiative`, `lesson` or `organization`.
    pub kind: Field,
    pub id: Field,
    pub tenant: Field,
    /// `true` where anyone may read the record.
    pub public: Field,
    /// A lesson's initiative.
    pub initiative: Field,
    /// Filter values and facets: `/country/BR`, `/sdg_goal/4`, `/stage/implementing`...
    pub tags: Field,
    /// Days since 1970-01-01.
    pub start_date: Field,
    pub end_date: Field,
    /// Seconds since 1970-01-01T00:00:00Z.
    pub updated_at: Field,
    /// The id's first 64 bits (time-ordered ids: the older record first), breaking ties of
    /// relevance the same way on every page.
    pub order: Field,
    /// Every text unstemmed: prefixes and typos.
    pub any: Field,
    /// The record's texts with their names and languages (JSON, stored only): snippets.
    pub stored_texts: Field,
    /// The analysed texts, one field per slot: each text is analysed by its own language's
    /// analyser as it is written (pre-tokenized), so every language's stems share the slot's
    /// field and a word whose stem is the same in several languages is one term to look up.
    texts: Vec<(Slot, Field)>,
}

impl Fields {
    /// The field of the analysed texts at `slot`.
    pub fn text(&self, slot: Slot) -> Field {
        self.texts
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, f)| *f)
            .unwrap_or(self.any)
    }
}

/// The name of the [`Fields::order`] field.
pub const ORDER: &str = "order";

/// The schema's version: an index written under another is rebuilt. 2: one analysed field per
/// slot (1 had one per language and slot).
pub const VERSION: u32 = 2;

/// The schema and its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let key = b.add_text_field("key", STRING | STORED);
    let kind = b.add_text_field("kind", STRING);
    let id = b.add_text_field("id", STRING | STORED);
    let tenant = b.add_text_field("tenant", STRING);
    let public = b.add_text_field("public", STRING);
    let initiative = b.add_text_field("initiative", STRING);
    let tags = b.add_facet_field("tags", FacetOptions::default());
    let start_date = b.add_i64_field("start_date", INDEXED | FAST);
    let end_date = b.add_i64_field("end_date", INDEXED | FAST);
    let updated_at = b.add_i64_field("updated_at", INDEXED | FAST);
    let order = b.add_u64_field(ORDER, FAST);
    let text = |analyser: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyser)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let any = b.add_text_field("any", text(analysis::ANY));
    let stored_texts = b.add_text_field("texts", STORED);
    // Written pre-tokenized; the analyser named is the one a text added untokenized would get.
    let texts = Slot::ALL
        .into_iter()
        .map(|slot| (slot, b.add_text_field(slot.name(), text(analysis::ANY))))
        .collect();
    (
        b.build(),
        Fields {
            key,
            kind,
            id,
            tenant,
            public,
            initiative,
            tags,
            start_date,
            end_date,
            updated_at,
            order,
            any,
            stored_texts,
            texts,
        },
    )
}
