//! How text becomes search terms: one analyser per language of the registry, the same for the
//! texts indexed and the words searched.
//!
//! Every analyser splits words the same way ([`Words`]: runs of letters and digits, with Chinese
//! runs segmented into words by jieba), lower-cases them, folds what readers do not type
//! (Latin accents, Arabic diacritics and letter variants, Russian ё) and drops overlong tokens.
//! English, French, Spanish, Russian and Arabic then stem (Snowball); Chinese does not. The
//! [`ANY`] analyser folds without stemming: the field it feeds answers prefixes and typos,
//! which stems would distort.

use std::sync::LazyLock;

use jieba_rs::Jieba;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language as StemLanguage, LowerCaser, PreTokenizedString, RawTokenizer,
    RemoveLongFilter, Stemmer, TextAnalyzer, TextAnalyzerBuilder, Token, TokenFilter, TokenStream,
    Tokenizer, TokenizerManager,
};

use crate::language::Language;

/// The analyser of the field every text also goes to, unstemmed (prefixes, typos).
pub const ANY: &str = "msp_any";

/// Longest token kept, in bytes (longer ones are not words).
const MAX_TOKEN_BYTES: usize = 60;

/// The segmenter of Chinese text, with its built-in dictionary (loaded once per process).
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// The stemmer of a language, where it has one.
fn stemmer(language: Language) -> Option<StemLanguage> {
    match language {
        Language::Ar => Some(StemLanguage::Arabic),
        Language::En => Some(StemLanguage::English),
        Language::Es => Some(StemLanguage::Spanish),
        Language::Fr => Some(StemLanguage::French),
        Language::Ru => Some(StemLanguage::Russian),
        Language::Zh => None,
    }
}

/// What every analyser does to the words a tokenizer gives: drops overlong ones, lower-cases
/// and folds them.
fn folding<T: Tokenizer>(tokenizer: T) -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(tokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Folding)
        .filter(AsciiFoldingFilter)
}

/// A language's analyser (`None`: the unstemmed [`ANY`] one).
pub fn analyser(language: Option<Language>) -> TextAnalyzer {
    let folded = folding(Words::default());
    match language.and_then(stemmer) {
        Some(stem) => folded.filter(Stemmer::new(stem)).build(),
        None => folded.build(),
    }
}

/// The forms of one word [`words`] found, as the analysers make them: folded as the [`ANY`]
/// analyser folds it, stemmed as a language's analyser stems it (its stemmer after the same
/// folding), without splitting the text again for each.
#[derive(Clone)]
pub struct WordForms {
    fold: TextAnalyzer,
    stems: Vec<(Language, TextAnalyzer)>,
}

impl Default for WordForms {
    fn default() -> Self {
        WordForms {
            fold: folding(RawTokenizer::default()).build(),
            stems: Language::ALL
                .into_iter()
                .filter_map(|l| {
                    let stem = stemmer(l)?;
                    let analyser = TextAnalyzer::builder(RawTokenizer::default())
                        .filter(Stemmer::new(stem))
                        .build();
                    Some((l, analyser))
                })
                .collect(),
        }
    }
}

impl WordForms {
    /// The word folded (`None`: too long to be a term).
    pub fn folded(&mut self, word: &str) -> Option<String> {
        first_term(&mut self.fold, word)
    }

    /// A folded word stemmed in `language` (`None`: the language does not stem, its terms
    /// are the folded words).
    pub fn stem(&mut self, language: Language, folded: &str) -> Option<String> {
        let (_, analyser) = self.stems.iter_mut().find(|(l, _)| *l == language)?;
        first_term(analyser, folded)
    }
}

/// Registers the analyser the index applies itself ([`ANY`]; the languages' analysers run
/// before a text reaches the index, [`pre_tokenized`]).
pub fn register(tokenizers: &TokenizerManager) {
    tokenizers.register(ANY, analyser(None));
}

/// The tokens `text` gives under an analyser, with their positions and byte ranges.
fn tokens(analyser: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut stream = analyser.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().clone());
    }
    out
}

/// The terms `text` gives under an analyser.
pub fn terms(analyser: &mut TextAnalyzer, text: &str) -> Vec<String> {
    tokens(analyser, text).into_iter().map(|t| t.text).collect()
}

/// The first term `text` gives under an analyser (one word: its only term), without
/// collecting the rest.
fn first_term(analyser: &mut TextAnalyzer, text: &str) -> Option<String> {
    let mut stream = analyser.token_stream(text);
    stream.advance().then(|| stream.token().text.clone())
}

/// `text` analysed, as an index field takes it pre-tokenized.
pub fn pre_tokenized(analyser: &mut TextAnalyzer, text: &str) -> PreTokenizedString {
    PreTokenizedString {
        text: text.to_owned(),
        tokens: tokens(analyser, text),
    }
}

/// The words of `text` with their byte ranges, unanalysed.
pub fn words(text: &str) -> Vec<Token> {
    split(text)
}

/// Whether `c` belongs to a Han (Chinese) run.
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether `c` continues a word: letters, digits, and the combining marks written on them
/// (Arabic harakat, Latin accents typed as combining characters).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x0610..=0x061A)
}

/// The words of a text: runs of word characters, a run of Han characters segmented by jieba.
fn split(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let push = |from: usize, to: usize, tokens: &mut Vec<Token>| {
        tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position: tokens.len(),
            text: text[from..to].to_owned(),
            position_length: 1,
        });
    };
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !is_word_char(c) {
            continue;
        }
        let han = is_han(c);
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            if !is_word_char(next) || is_han(next) != han {
                break;
            }
            end = i + next.len_utf8();
            chars.next();
        }
        if han {
            for word in JIEBA.cut(&text[start..end], true) {
                push(start + word.byte_start, start + word.byte_end, &mut tokens);
            }
        } else {
            push(start, end, &mut tokens);
        }
    }
    tokens
}

/// The tokenizer of every analyser: [`split`].
#[derive(Clone, Default)]
pub struct Words {
    tokens: Vec<Token>,
    at: usize,
}

/// The words of one text, one after another.
pub struct WordStream<'a> {
    tokens: &'a mut Vec<Token>,
    at: &'a mut usize,
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.tokens = split(text);
        self.at = 0;
        WordStream {
            tokens: &mut self.tokens,
            at: &mut self.at,
        }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if *self.at >= self.tokens.len() {
            return false;
        }
        *self.at += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.tokens[*self.at - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[*self.at - 1]
    }
}

/// Folds what is not Latin (tantivy's ASCII folding, after it, does Latin): drops Arabic
/// diacritics and the tatweel, writes the alef variants as bare alef, alef maqsura as ya and
/// taa marbuta as ha, and Russian ё as е. Combining accents are dropped too.
#[derive(Clone)]
pub struct Folding;

impl TokenFilter for Folding {
    type Tokenizer<T: Tokenizer> = FoldingFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldingFilter<T> {
        FoldingFilter { tokenizer }
    }
}

/// [`Folding`] over a tokenizer.
#[derive(Clone)]
pub struct FoldingFilter<T> {
    tokenizer: T,
}

impl<T: Tokenizer> Tokenizer for FoldingFilter<T> {
    type TokenStream<'a> = FoldingStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldingStream {
            tail: self.tokenizer.token_stream(text),
        }
    }
}

/// [`Folding`] over a token stream.
pub struct FoldingStream<T> {
    tail: T,
}

/// The folded form of one lower-cased word.
pub fn fold(word: &str) -> Option<String> {
    if word.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c as u32 {
            0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x0610..=0x061A | 0x0640 => {}
            0x0622 | 0x0623 | 0x0625 | 0x0671 => out.push('\u{0627}'),
            0x0649 => out.push('\u{064A}'),
            0x0629 => out.push('\u{0647}'),
            0x0451 => out.push('\u{0435}'),
            _ => out.push(c),
        }
    }
    Some(out)
}

impl<T: TokenStream> TokenStream for FoldingStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        if let Some(folded) = fold(&self.tail.token().text) {
            self.tail.token_mut().text = folded;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_terms(language: Language, written: &str, searched: &str) {
        let mut a = analyser(Some(language));
        assert_eq!(
            terms(&mut a, written),
            terms(&mut a, searched),
            "{written} / {searched}"
        );
    }

    #[test]
    fn english_stems_inflections() {
        same_terms(Language::En, "vouchers", "voucher");
        same_terms(Language::En, "bookkeeping", "bookkeep");
        same_terms(Language::En, "Connecting Schools", "connected school");
    }

    #[test]
    fn french_folds_accents_and_stems() {
        same_terms(Language::Fr, "connectivité", "connectivite");
        same_terms(Language::Fr, "écoles rurales", "ecole rurale");
    }

    #[test]
    fn spanish_folds_accents_and_stems() {
        same_terms(Language::Es, "educación", "educacion");
        same_terms(Language::Es, "escuelas", "escuela");
    }

    #[test]
    fn russian_stems_cases_and_folds_yo() {
        same_terms(Language::Ru, "школами", "школа");
        same_terms(Language::Ru, "ещё", "еще");
    }

    #[test]
    fn arabic_drops_diacritics_and_stems() {
        same_terms(Language::Ar, "المَدارِس", "المدارس");
        same_terms(Language::Ar, "أطباء", "اطباء");
    }

    #[test]
    fn chinese_is_segmented_into_words() {
        let mut zh = analyser(Some(Language::Zh));
        let got = terms(&mut zh, "农村学校的互联网接入");
        assert!(got.contains(&"学校".to_owned()), "{got:?}");
        assert!(got.contains(&"互联网".to_owned()), "{got:?}");
    }

    #[test]
    fn word_forms_are_the_analysers_terms() {
        let mut forms = WordForms::default();
        let text = "Écoles connectées, المَدارِس, школами, vouchers, 农村学校, educación";
        let mut any = analyser(None);
        for language in Language::ALL {
            let mut full = analyser(Some(language));
            let by_word: Vec<String> = words(text)
                .iter()
                .filter_map(|w| {
                    let folded = forms.folded(&w.text)?;
                    Some(forms.stem(language, &folded).unwrap_or(folded))
                })
                .collect();
            assert_eq!(by_word, terms(&mut full, text), "{language:?}");
        }
        let folded: Vec<String> = words(text)
            .iter()
            .filter_map(|w| forms.folded(&w.text))
            .collect();
        assert_eq!(folded, terms(&mut any, text));
    }

    #[test]
    fn mixed_scripts_split_at_the_script() {
        let mut any = analyser(None);
        assert_eq!(
            terms(&mut any, "WSIS行动 C7 e-Health, café"),
            ["wsis", "行动", "c7", "e", "health", "cafe"]
        );
    }
}
