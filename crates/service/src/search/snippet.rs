//! Snippets: the part of a hit's text where the query matched, with the matched words marked
//! (`<mark>…</mark>`, the rest HTML-escaped).

use std::collections::HashSet;

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
    /// The forms of the text's words.
    forms: analysis::WordForms,
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
            forms: analysis::WordForms::default(),
            stems,
            folded,
            prefix,
            typos,
        }
    }

    /// Whether a word of a text in `language` is one the query looks for: its folded form
    /// (exactly, as the typed word's prefix, or a typo away) or its stem in that language.
    fn marks(&mut self, language: Language, word: &str) -> bool {
        let Some(folded) = self.forms.folded(word) else {
            return false;
        };
        if self.folded.contains(&folded)
            || self
                .prefix
                .as_deref()
                .is_some_and(|p| folded.starts_with(p))
            || self.typos.iter().any(|t| within_one_edit(t, &folded))
        {
            return true;
        }
        let Some((_, stems)) = self.stems.iter().find(|(l, _)| *l == language) else {
            return false;
        };
        !stems.is_empty()
            && self
                .forms
                .stem(language, &folded)
                .is_some_and(|stem| stems.contains(&stem))
    }

    /// The snippet of `text` (in `language`), if a word of it matched.
    ///
    /// The text is split once; each word is folded, and stemmed only when its folded form is
    /// not already a match. Words past the snippet's end are not looked at.
    pub fn snippet(&mut self, language: Language, text: &str) -> Option<String> {
        let mut marked: Vec<(usize, usize)> = Vec::new();
        let (mut start, mut end) = (0, text.len());
        for word in analysis::words(text) {
            if word.offset_to > end {
                break;
            }
            if !self.marks(language, &word.text) {
                continue;
            }
            if marked.is_empty() {
                start = back_chars(text, word.offset_from, BEFORE);
                end = forward_chars(text, start, LENGTH);
                if word.offset_to > end {
                    break;
                }
            }
            marked.push((word.offset_from, word.offset_to));
        }
        if marked.is_empty() {
            return None;
        }
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        let mut at = start;
        for (from, to) in marked {
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
    fn a_word_is_marked_by_its_stem_in_the_texts_language() {
        assert_eq!(
            snippet("школа", Language::Ru, "Интернет для школ").as_deref(),
            Some("Интернет для <mark>школ</mark>")
        );
        assert_eq!(
            snippet("学校", Language::Zh, "农村学校的互联网").as_deref(),
            Some("农村<mark>学校</mark>的互联网")
        );
    }

    #[test]
    fn matches_past_the_snippets_end_are_left_out() {
        let text = format!("school {}school", "word ".repeat(60));
        let got = snippet("school", Language::En, &text).unwrap_or_default();
        assert_eq!(got.matches("<mark>").count(), 1, "{got}");
        assert!(got.ends_with('…'), "{got}");
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
