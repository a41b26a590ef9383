//! The languages the registry answers in — the six official languages of the United Nations —
//! and the choice of one for a reader, from `lang=` or `Accept-Language`.
//!
//! Tags are BCP 47. A reader's tag is matched on its primary language subtag (RFC 4647
//! "lookup" after dropping subtags): `fr-CA` reads French, `zh-Hans-CN` Chinese. A reader who
//! names no language, or only languages the registry does not hold, reads the original text
//! (English for the reference vocabularies).

use serde::Deserialize;
use utoipa::IntoParams;

use crate::ServiceError;

/// The `lang` query parameter of the reads that answer in the reader's language.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LanguageQuery {
    /// The language to answer in, a BCP 47 tag (`ar`, `en`, `es`, `fr`, `ru`, `zh`; `fr-CA`
    /// reads French), or `*` for every translation. Wins over `Accept-Language`. A language
    /// the registry holds no text in reads the original.
    pub lang: Option<String>,
}

/// One of the six UN languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    Ar,
    En,
    Es,
    Fr,
    Ru,
    Zh,
}

impl Language {
    /// All six, in the order of their tags.
    pub const ALL: [Language; 6] = [
        Language::Ar,
        Language::En,
        Language::Es,
        Language::Fr,
        Language::Ru,
        Language::Zh,
    ];

    /// The language of the reference vocabularies' original texts.
    pub const ORIGINAL: Language = Language::En;

    /// Its BCP 47 tag: `ar`, `en`, `es`, `fr`, `ru`, `zh`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::En => "en",
            Language::Es => "es",
            Language::Fr => "fr",
            Language::Ru => "ru",
            Language::Zh => "zh",
        }
    }

    /// The language a well-formed tag names by its primary subtag (`fr-CA` → French), if it is
    /// one of the six.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.split(['-', '_']).next()?;
        Language::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// Whether its script runs right to left (Arabic).
    pub fn is_rtl(self) -> bool {
        self == Language::Ar
    }
}

/// What a reader asked for: one language, or every translation (`lang=*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LanguageChoice {
    One(Language),
    All,
}

impl LanguageChoice {
    /// The one language asked for; the original for `All` (whose texts come beside it).
    pub fn language(self) -> Language {
        match self {
            LanguageChoice::One(l) => l,
            LanguageChoice::All => Language::ORIGINAL,
        }
    }
}

/// The language a text is most likely written in, among the six, or `None` when the text is too
/// short or unlike any of them to tell (a reader then treats it as the original, English).
/// Records that do not declare their language are analysed by search in the detected one.
pub fn detect(text: &str) -> Option<Language> {
    use whatlang::Lang;
    const HELD: [Lang; 6] = [
        Lang::Ara,
        Lang::Eng,
        Lang::Spa,
        Lang::Fra,
        Lang::Rus,
        Lang::Cmn,
    ];
    let info = whatlang::Detector::with_allowlist(HELD.to_vec()).detect(text)?;
    Some(match info.lang() {
        Lang::Ara => Language::Ar,
        Lang::Spa => Language::Es,
        Lang::Fra => Language::Fr,
        Lang::Rus => Language::Ru,
        Lang::Cmn => Language::Zh,
        _ => Language::En,
    })
}

/// Whether `tag` has the shape of a BCP 47 language tag: a primary subtag of 2–3 letters
/// (or 4–8), then subtags of 1–8 letters or digits, joined by hyphens. `x-…` private-use tags
/// and the grandfathered irregular tags are not taken.
pub fn well_formed(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(primary) = parts.next() else {
        return false;
    };
    (2..=8).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The reader's choice: `lang` (a query parameter: a tag, or `*` for every translation) wins
/// over `accept_language` (the header, q-values honoured). A `lang` that is not a language tag
/// is a bad parameter (400); a well-formed tag of a language the registry does not hold reads
/// the original, as an unmatched header does.
pub fn choose(
    lang: Option<&str>,
    accept_language: Option<&str>,
) -> Result<LanguageChoice, ServiceError> {
    Ok(ask(lang, accept_language)?.unwrap_or(LanguageChoice::One(Language::ORIGINAL)))
}

/// What the reader asked for, as [`choose`] reads it, or `None` when they named no language
/// the registry holds: a record then reads in its own original language.
pub fn ask(
    lang: Option<&str>,
    accept_language: Option<&str>,
) -> Result<Option<LanguageChoice>, ServiceError> {
    if let Some(lang) = lang.map(str::trim).filter(|l| !l.is_empty()) {
        if lang == "*" {
            return Ok(Some(LanguageChoice::All));
        }
        if !well_formed(lang) {
            return Err(ServiceError::bad_parameter(
                "lang",
                "must be a BCP 47 language tag (ar, en, es, fr, ru, zh...) or * for every translation",
            ));
        }
        return Ok(Language::from_tag(lang).map(LanguageChoice::One));
    }
    Ok(accept_language.and_then(preferred).map(LanguageChoice::One))
}

/// The most preferred of the six in an `Accept-Language` header (RFC 9110 §12.5.4): ranges
/// by falling q-value (ties keep their order), `q=0` meaning "not this one", `*` meaning any
/// (the original, unless it was refused). Unreadable entries are skipped.
fn preferred(header: &str) -> Option<Language> {
    let mut ranges: Vec<(&str, u16)> = header
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let range = parts.next()?.trim();
            let q = match parts.next().map(str::trim) {
                None => 1000,
                Some(param) => quality(param.strip_prefix("q=").or(param.strip_prefix("Q="))?)?,
            };
            (!range.is_empty()).then_some((range, q))
        })
        .collect();
    ranges.sort_by_key(|(_, q)| std::cmp::Reverse(*q));
    let refused: Vec<Language> = ranges
        .iter()
        .filter(|(_, q)| *q == 0)
        .filter_map(|(r, _)| Language::from_tag(r))
        .collect();
    ranges
        .iter()
        .filter(|(_, q)| *q > 0)
        .find_map(|(range, _)| {
            if *range == "*" {
                Language::ALL
                    .into_iter()
                    .find(|l| *l == Language::ORIGINAL && !refused.contains(l))
                    .or_else(|| Language::ALL.into_iter().find(|l| !refused.contains(l)))
            } else {
                Language::from_tag(range).filter(|l| !refused.contains(l))
            }
        })
}

/// A q-value (`0`, `0.8`, `1.000`) in thousandths.
fn quality(text: &str) -> Option<u16> {
    let value: f32 = text.parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(h: &str) -> Language {
        match choose(None, Some(h)) {
            Ok(c) => c.language(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_header_is_read_by_quality() {
        assert_eq!(header("fr-CH, fr;q=0.9, en;q=0.8"), Language::Fr);
        assert_eq!(header("de, es;q=0.5, ar;q=0.7"), Language::Ar);
        assert_eq!(header("en;q=0.2, zh-Hans-CN"), Language::Zh);
        assert_eq!(header("ru;q=0, *"), Language::En);
        assert_eq!(header("en;q=0, *;q=0.5"), Language::Ar);
        assert_eq!(header("de, it"), Language::En, "none held: the original");
        assert_eq!(header("fr;q=2, es"), Language::Es, "q above 1 is skipped");
    }

    #[test]
    fn lang_wins_over_the_header() {
        assert_eq!(
            choose(Some("ar"), Some("fr")).ok(),
            Some(LanguageChoice::One(Language::Ar))
        );
        assert_eq!(choose(Some("*"), None).ok(), Some(LanguageChoice::All));
        assert_eq!(
            choose(Some("de"), Some("fr")).ok(),
            Some(LanguageChoice::One(Language::En)),
            "a language not held reads the original"
        );
        assert!(choose(Some("not a tag"), None).is_err());
        assert!(choose(Some("e"), None).is_err());
    }

    #[test]
    fn a_reader_who_names_no_held_language_asks_for_none() {
        assert_eq!(ask(None, None).ok(), Some(None));
        assert_eq!(ask(None, Some("de, it")).ok(), Some(None));
        assert_eq!(ask(Some("pt-BR"), Some("fr")).ok(), Some(None));
        assert_eq!(
            ask(None, Some("en;q=0.5, fr")).ok(),
            Some(Some(LanguageChoice::One(Language::Fr)))
        );
    }

    #[test]
    fn the_language_of_a_text_is_detected() {
        let cases = [
            (
                "Connecting rural schools to the internet through shared vouchers",
                Language::En,
            ),
            (
                "Connectivité des écoles rurales grâce à des bons partagés",
                Language::Fr,
            ),
            (
                "Conectividad de las escuelas rurales mediante bonos compartidos",
                Language::Es,
            ),
            (
                "Подключение сельских школ к интернету с помощью общих ваучеров",
                Language::Ru,
            ),
            (
                "ربط المدارس الريفية بالإنترنت عن طريق القسائم المشتركة",
                Language::Ar,
            ),
            ("通过共享代金券将农村学校连接到互联网", Language::Zh),
        ];
        for (text, language) in cases {
            assert_eq!(detect(text), Some(language), "{text}");
        }
    }

    #[test]
    fn tags_match_on_their_primary_subtag() {
        assert_eq!(Language::from_tag("ZH-hant"), Some(Language::Zh));
        assert_eq!(Language::from_tag("pt-BR"), None);
        assert!(well_formed("zh-Hans-CN") && well_formed("es-419"));
        assert!(!well_formed("fr_FR") && !well_formed("") && !well_formed("en-"));
    }
}
