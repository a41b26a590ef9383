//! Snippets: the part of a hit's text where the query matched, with the matched words marked
//! (`<mark>…</mark>`, the rest HTML-escaped).

use std::collections::{HashMap, HashSet};

use super::{
    analysis,
    query::{Analysers, Parsed, Part},
};
use crate::language::Language;

/// Characters of context before the first mark.
const BEFORE: usize = 60;
/// Longest snippet, in characters.
const LENGTH: usize = 220;

/// What marks a word: its analysed forms the query looks for.
pub struct Marker {
    analysers: Analysers,
    /// Per language, the stems of the query's words.
    stems: Vec<(Language, HashSet<String>)>,
    /// The query's words, folded, unstemmed.
    folded: HashSet<String>,
    /// The word being typed, folded.
    prefix: Option<String>,
    /// Words that may match with a typo.
    typos: Vec<String>,
}

impl Marker {
    pub fn new(parsed: &Parsed, mut analysers: Analysers) -> Marker {
        let texts: Vec<&str> = parsed
            .required
            .iter()
            .map(|p| match p {
                Part::Word(w) | Part::Phrase(w) => w.as_str(),
            })
            .collect();
        let stems = Language::ALL
            .into_iter()
            .map(|l| {
                let set = texts
                    .iter()
                    .flat_map(|t| analysis::terms(analysers.language(l), t))
                    .collect();
                (l, set)
            })
            .collect();
        let folded: HashSet<String> = texts
            .iter()
            .flat_map(|t| analysis::terms(analysers.any(), t))
            .collect();
        let prefix = match (parsed.prefix_last, parsed.required.last()) {
            (true, Some(Part::Word(w))) => analysis::terms(analysers.any(), w).pop(),
            _ => None,
        };
        let typos = if parsed.typos {
            parsed
                .required
                .iter()
                .filter_map(|p| match p {
                    Part::Word(w) => analysis::terms(analysers.any(), w).pop(),
                    Part::Phrase(_) => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        Marker {
            analysers,
            stems,
            folded,
            prefix,
            typos,
        }
    }

    /// Whether a word (its folded form, and its stem in the text's language) is one the query
    /// looks for.
    fn marks(&self, language: Language, folded: &str, stem: Option<&str>) -> bool {
        self.folded.contains(folded)
            || self
                .prefix
                .as_deref()
                .is_some_and(|p| folded.starts_with(p))
            || self.typos.iter().any(|t| within_one_edit(t, folded))
            || stem.is_some_and(|stem| {
                self.stems
                    .iter()
                    .find(|(l, _)| *l == language)
                    .is_some_and(|(_, set)| set.contains(stem))
            })
    }

    /// The snippet of `text` (in `language`), if a word of it matched.
    ///
    /// The text is analysed once by each analyser (both split it into the same words, so a
    /// word's folded form and its stem share its start).
    pub fn snippet(&mut self, language: Language, text: &str) -> Option<String> {
        let stems: HashMap<usize, String> = analysed(self.analysers.language(language), text)
            .into_iter()
            .map(|(from, _, stem)| (from, stem))
            .collect();
        let marked: Vec<(usize, usize)> = analysed(self.analysers.any(), text)
            .into_iter()
            .filter(|(from, _, folded)| {
                self.marks(language, folded, stems.get(from).map(String::as_str))
            })
            .map(|(from, to, _)| (from, to))
            .collect();
        let first = marked.first()?.0;
        let start = back_chars(text, first, BEFORE);
        let end = forward_chars(text, start, LENGTH);
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        let mut at = start;
        for (from, to) in marked.into_iter().filter(|(f, t)| *f >= start && *t <= end) {
            escape_into(&mut out, &text[at..from]);
            out.push_str("<mark>");
            escape_into(&mut out, &text[from..to]);
            out.push_str("</mark>");
            at = to;
        }
        escape_into(&mut out, &text[at..end]);
        if end < text.len() {
            out.push('…');
        }
        Some(out)
    }
}

/// Each term an analyser makes of `text`, with the byte range of its word.
fn analysed(
    analyser: &mut tantivy::tokenizer::TextAnalyzer,
    text: &str,
) -> Vec<(usize, usize, String)> {
    use tantivy::tokenizer::TokenStream;
    let mut stream = analyser.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        out.push((t.offset_from, t.offset_to, t.text.clone()));
    }
    out
}

/// The byte index `chars` characters before `at` (or 0), moved forward to a word's start.
fn back_chars(text: &str, at: usize, chars: usize) -> usize {
    let before = &text[..at];
    let Some((index, _)) = before.char_indices().rev().nth(chars) else {
        return 0;
    };
    match before[index..].find(char::is_whitespace) {
        Some(space) if index + space < at => index + space + 1,
        _ => index,
    }
}

/// The byte index `chars` characters after `from` (or the end).
fn forward_chars(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| from + i)
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Whether `a` and `b` differ by at most one insertion, deletion, substitution or swap of
/// neighbours.
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (
        ra.len() - suffix.min(ra.len()),
        rb.len() - suffix.min(rb.len()),
    );
    match (ma, mb) {
        (0, 0) | (1, 0) | (0, 1) | (1, 1) => true,
        (2, 2) => ra[0] == rb[1] && ra[1] == rb[0],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn snippet(q: &str, language: Language, text: &str) -> Option<String> {
        let parsed = parse(q).unwrap_or_else(|| panic!("{q:?} has something to look for"));
        Marker::new(&parsed, Analysers::default()).snippet(language, text)
    }

    #[test]
    fn stems_and_folded_forms_are_marked_and_the_rest_escaped() {
        assert_eq!(
            snippet("voucher", Language::En, "Vouchers for <rural> schools").as_deref(),
            Some("<mark>Vouchers</mark> for &lt;rural&gt; schools")
        );
        assert_eq!(
            snippet("connectivite", Language::Fr, "La connectivité des écoles").as_deref(),
            Some("La <mark>connectivité</mark> des écoles")
        );
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_match() {
        let text = format!("{} telemedicine for clinics", "word ".repeat(100));
        let got = snippet("telemed", Language::En, &text).unwrap_or_default();
        assert!(
            got.starts_with('…') && got.contains("<mark>telemedicine</mark>"),
            "{got}"
        );
    }

    #[test]
    fn no_match_no_snippet() {
        assert_eq!(snippet("school", Language::En, "Mobile money"), None);
    }

    #[test]
    fn one_edit_apart() {
        assert!(within_one_edit("conectivity", "connectivity"));
        assert!(within_one_edit("shcool", "school"));
        assert!(!within_one_edit("scool", "schools"));
    }
}
