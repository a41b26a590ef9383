//! The search syntax and the index query it becomes.
//!
//! `q` holds words (every one must match), `"phrases"` (the words in that order) and
//! `-exclusions` (a word or a quoted phrase no hit may contain). Each word matches in every
//! language's analysed fields (its stem, its folded form) with the slot's weight; the last
//! word, unless the text ends in a space, also matches as the beginning of a longer word
//! (type-ahead). Words of five letters or more may also match with one typo: the engine asks
//! for that only when the exact search finds few hits ([`Parsed::typos`]).

use tantivy::{
    Term,
    query::{
        BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
        TermQuery,
    },
    schema::IndexRecordOption,
    tokenizer::TextAnalyzer,
};

use super::{
    analysis,
    schema::{Fields, Slot},
};
use crate::language::Language;

/// Longest `q`, in characters.
pub const MAX_CHARS: usize = 500;
/// Most words and phrases a query may hold.
const MAX_PARTS: usize = 32;
/// Shortest last word matched as a prefix, in characters.
const MIN_PREFIX_CHARS: usize = 3;
/// Shortest word matched with a typo, in characters.
const MIN_TYPO_CHARS: usize = 5;

/// One part of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Word(String),
    Phrase(String),
}

/// A parsed `q`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub required: Vec<Part>,
    pub excluded: Vec<Part>,
    /// Whether the last required part is a word being typed (matched as a prefix too).
    pub prefix_last: bool,
    /// Whether words may match with a typo.
    pub typos: bool,
}

/// Parses the syntax: quoted phrases, `-` before a word or phrase, words between. `None` when
/// nothing is left to look for (only punctuation, or only exclusions).
pub fn parse(q: &str) -> Option<Parsed> {
    let mut parsed = Parsed::default();
    let mut rest = q.trim_start();
    let mut last_was_word = false;
    while !rest.is_empty() && parsed.required.len() + parsed.excluded.len() < MAX_PARTS {
        let negated = rest.starts_with('-');
        let body = if negated { &rest[1..] } else { rest };
        let (part, tail) = if let Some(quoted) = body.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            let tail = quoted.get(end + 1..).unwrap_or("");
            (Part::Phrase(quoted[..end].to_owned()), tail)
        } else {
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            (Part::Word(body[..end].to_owned()), &body[end..])
        };
        let has_words = match &part {
            Part::Word(w) | Part::Phrase(w) => !analysis::words(w).is_empty(),
        };
        if has_words {
            last_was_word = !negated && matches!(part, Part::Word(_));
            if negated {
                parsed.excluded.push(part);
            } else {
                parsed.required.push(part);
            }
        }
        rest = tail.trim_start();
    }
    if parsed.required.is_empty() {
        return None;
    }
    parsed.prefix_last = last_was_word && !q.ends_with(char::is_whitespace);
    Some(parsed)
}

impl Parsed {
    /// The same query, words matching with a typo too.
    pub fn with_typos(&self) -> Parsed {
        Parsed {
            typos: true,
            ..self.clone()
        }
    }

    /// The words of it long enough to be matched with a typo, folded as the unstemmed field
    /// holds them (a word the segmenter splits is matched as its parts, never with a typo).
    pub fn typo_candidates(&self, analysers: &mut Analysers) -> Vec<String> {
        self.required
            .iter()
            .filter_map(|p| match p {
                Part::Word(w) => match analysis::terms(analysers.any(), w).as_slice() {
                    [one] if one.chars().count() >= MIN_TYPO_CHARS => Some(one.clone()),
                    _ => None,
                },
                Part::Phrase(_) => None,
            })
            .collect()
    }
}

/// The analysers a query is written with, one per language and the unstemmed one.
#[derive(Clone)]
pub struct Analysers {
    languages: Vec<(Language, TextAnalyzer)>,
    any: TextAnalyzer,
}

impl Default for Analysers {
    fn default() -> Self {
        Analysers {
            languages: Language::ALL
                .into_iter()
                .map(|l| (l, analysis::analyser(Some(l))))
                .collect(),
            any: analysis::analyser(None),
        }
    }
}

impl Analysers {
    pub fn language(&mut self, language: Language) -> &mut TextAnalyzer {
        match self.languages.iter_mut().find(|(l, _)| *l == language) {
            Some((_, a)) => a,
            None => &mut self.any,
        }
    }

    pub fn any(&mut self) -> &mut TextAnalyzer {
        &mut self.any
    }
}

/// `terms` as a term (one) or a phrase (several) in `field`.
fn terms_in(field: tantivy::schema::Field, terms: &[String]) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [one] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, one),
            IndexRecordOption::WithFreqs,
        ))),
        many => Some(Box::new(PhraseQuery::new(
            many.iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        ))),
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

/// The query of one part over the slots given: the best of its matches as each language
/// analyses it, in each slot's field, and in the unstemmed one.
fn part_query(
    fields: &Fields,
    analysers: &mut Analysers,
    part: &Part,
    slots: &[Slot],
    prefix: bool,
    typos: bool,
) -> Option<Box<dyn Query>> {
    let text = match part {
        Part::Word(w) | Part::Phrase(w) => w.as_str(),
    };
    let mut disjuncts: Vec<Box<dyn Query>> = Vec::new();
    // Each language's analysis of the text, once: most words stem alike in several languages.
    let mut analysed: Vec<Vec<String>> = Vec::new();
    for language in Language::ALL {
        let terms = analysis::terms(analysers.language(language), text);
        if !analysed.contains(&terms) {
            analysed.push(terms);
        }
    }
    for terms in &analysed {
        for slot in slots {
            if let Some(q) = terms_in(fields.text(*slot), terms) {
                disjuncts.push(boosted(q, slot.weight()));
            }
        }
    }
    let folded = analysis::terms(analysers.any(), text);
    if let Some(q) = terms_in(fields.any, &folded) {
        disjuncts.push(boosted(q, 0.5));
    }
    if let (true, [word]) = (matches!(part, Part::Word(_)), folded.as_slice()) {
        let chars = word.chars().count();
        let term = Term::from_field_text(fields.any, word);
        if prefix && chars >= MIN_PREFIX_CHARS {
            disjuncts.push(boosted(
                Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, false)),
                1.0,
            ));
        }
        if typos && chars >= MIN_TYPO_CHARS {
            disjuncts.push(boosted(Box::new(FuzzyTermQuery::new(term, 1, true)), 0.5));
        }
    }
    if disjuncts.is_empty() {
        return None;
    }
    Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
        disjuncts, 0.1,
    )))
}

/// The text query of a parsed `q`: every required part, none of the excluded ones.
pub fn text_query(
    fields: &Fields,
    analysers: &mut Analysers,
    parsed: &Parsed,
    slots: &[Slot],
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let last = parsed.required.len().saturating_sub(1);
    for (i, part) in parsed.required.iter().enumerate() {
        let prefix = parsed.prefix_last && i == last;
        clauses.push((
            Occur::Must,
            part_query(fields, analysers, part, slots, prefix, parsed.typos)?,
        ));
    }
    for part in &parsed.excluded {
        if let Some(q) = part_query(fields, analysers, part, &Slot::ALL, false, false) {
            clauses.push((Occur::MustNot, q));
        }
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(q: &str) -> Parsed {
        parse(q).unwrap_or_else(|| panic!("{q:?} has something to look for"))
    }

    fn word(w: &str) -> Part {
        Part::Word(w.to_owned())
    }

    #[test]
    fn words_phrases_and_exclusions_are_told_apart() {
        let parsed = parsed("school \"mobile money\" -voucher -\"pilot phase\" tele");
        assert_eq!(
            parsed.required,
            [
                word("school"),
                Part::Phrase("mobile money".into()),
                word("tele")
            ]
        );
        assert_eq!(
            parsed.excluded,
            [word("voucher"), Part::Phrase("pilot phase".into())]
        );
        assert!(parsed.prefix_last);
    }

    #[test]
    fn a_trailing_space_ends_the_typed_word() {
        assert!(!parsed("school ").prefix_last);
        assert!(!parsed("\"school\"").prefix_last);
    }

    #[test]
    fn nothing_to_look_for_is_none() {
        assert_eq!(parse("  %%% "), None);
        assert_eq!(parse("-voucher"), None);
        assert_eq!(parse("\"\""), None);
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end() {
        let parsed = parsed("\"school connectivity");
        assert_eq!(
            parsed.required,
            [Part::Phrase("school connectivity".into())]
        );
    }
}
