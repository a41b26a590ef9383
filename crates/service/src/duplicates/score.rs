//! How alike two initiatives are: a score from 0 to 1 with the reasons behind it.
//!
//! Signals, each from 0 to 1, weighed and averaged over those both records can give:
//!
//! | signal | weight | how |
//! |---|---|---|
//! | title | 0.55 | the better of a word-set Jaccard (after folding case and accents, dropping stop words, trimming plurals and mapping a short list of French and Spanish words to English) and a trigram Jaccard of the folded titles |
//! | countries | 0.20 | Jaccard of the country codes (only when both name countries) |
//! | partners | 0.15 | Jaccard of the partner organisations, compared by id or by folded name (only when both have partners) |
//! | dates | 0.10 | 1 when the date ranges overlap, 0 when they do not (only when both give a start date) |
//!
//! A shared external identifier (the IATI identifier or a `{scheme, identifier}` pair) lifts
//! the score to at least 0.95; a pair naming countries with none in common, or carrying
//! different identifiers of one scheme, scores at most [`DISJOINT_CAP`]. Records are candidates from [`THRESHOLD`] up; a title below
//! [`TITLE_FLOOR`] keeps a pair out unless an identifier is shared (same country and dates
//! alone do not make two partnerships one).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use icu_normalizer::DecomposingNormalizerBorrowed;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The score from which a pair is a candidate duplicate.
pub const THRESHOLD: f64 = 0.7;
/// Below this title similarity a pair is no candidate unless it shares an identifier.
pub const TITLE_FLOOR: f64 = 0.35;

/// The most a pair scores (without a shared identifier) when it names countries with none in
/// common (one title in two countries is most often one programme's two national chapters) or
/// carries two different identifiers of one scheme (two IATI activities are two activities).
pub const DISJOINT_CAP: f64 = 0.5;

const W_TITLE: f64 = 0.55;
const W_COUNTRIES: f64 = 0.20;
const W_PARTNERS: f64 = 0.15;
const W_DATES: f64 = 0.10;

/// What the scorer compares of an initiative.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub title: String,
    pub countries: Vec<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Folded `scheme:identifier` keys (the IATI identifier as `iati:...`).
    pub identifiers: Vec<String>,
    /// Partner organisations: ids and folded names.
    pub partners: Vec<(Uuid, String)>,
}

/// One reason a pair is alike.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    /// `similar_title`, `same_countries`, `shared_partners`, `overlapping_dates` or
    /// `shared_identifier`.
    pub code: String,
    pub detail: String,
}

/// The score of a pair and its reasons.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub reasons: Vec<Reason>,
}

impl Scored {
    /// Whether the pair is a candidate duplicate.
    pub fn is_candidate(&self) -> bool {
        self.score >= THRESHOLD
    }
}

fn reason(code: &str, detail: String) -> Reason {
    Reason {
        code: code.to_owned(),
        detail,
    }
}

/// A profile with its title's words and trigrams worked out once (for scoring many pairs).
#[derive(Clone, Debug)]
pub struct Prepared<'p> {
    profile: &'p Profile,
    tokens: BTreeSet<String>,
    grams: BTreeSet<String>,
}

impl<'p> Prepared<'p> {
    pub fn new(profile: &'p Profile) -> Self {
        let tokens = title_tokens(&profile.title);
        let grams = trigrams(&joined(&tokens));
        Prepared {
            profile,
            tokens,
            grams,
        }
    }
}

/// Scores a pair of initiatives.
pub fn score(a: &Profile, b: &Profile) -> Scored {
    score_prepared(&Prepared::new(a), &Prepared::new(b))
}

/// Scores a pair of prepared profiles.
pub fn score_prepared(pa: &Prepared<'_>, pb: &Prepared<'_>) -> Scored {
    let (a, b) = (pa.profile, pb.profile);
    let mut reasons = Vec::new();
    let mut disjoint_countries = false;
    let title = similarity(&pa.tokens, &pb.tokens).max(similarity(&pa.grams, &pb.grams));
    let mut sum = W_TITLE * title;
    let mut weight = W_TITLE;
    if title >= TITLE_FLOOR {
        reasons.push(reason(
            "similar_title",
            format!("titles {:.0}% alike", title * 100.0),
        ));
    }
    if !a.countries.is_empty() && !b.countries.is_empty() {
        let (shared, j) = jaccard(
            a.countries.iter().map(|c| c.to_uppercase()),
            b.countries.iter().map(|c| c.to_uppercase()),
        );
        sum += W_COUNTRIES * j;
        weight += W_COUNTRIES;
        disjoint_countries = shared.is_empty();
        if !shared.is_empty() {
            reasons.push(reason(
                "same_countries",
                format!(
                    "both in {}",
                    shared.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    if !a.partners.is_empty() && !b.partners.is_empty() {
        let shared: BTreeSet<&str> = a
            .partners
            .iter()
            .filter(|(id, name)| b.partners.iter().any(|(i, n)| i == id || n == name))
            .map(|(_, name)| name.as_str())
            .collect();
        let union = a.partners.len() + b.partners.len() - shared.len();
        let j = shared.len() as f64 / union.max(1) as f64;
        sum += W_PARTNERS * j;
        weight += W_PARTNERS;
        if !shared.is_empty() {
            reasons.push(reason(
                "shared_partners",
                format!("{} shared partner(s)", shared.len()),
            ));
        }
    }
    if let (Some(sa), Some(sb)) = (a.start_date, b.start_date) {
        let ea = a.end_date.unwrap_or(NaiveDate::MAX);
        let eb = b.end_date.unwrap_or(NaiveDate::MAX);
        weight += W_DATES;
        if sa <= eb && sb <= ea {
            sum += W_DATES;
            reasons.push(reason("overlapping_dates", "date ranges overlap".into()));
        }
    }
    let shared_id = a.identifiers.iter().find(|i| b.identifiers.contains(i));
    let mut score = if title >= TITLE_FLOOR {
        sum / weight
    } else {
        0.0
    };
    let conflicting_id = shared_id.is_none()
        && a.identifiers.iter().any(|i| {
            let scheme = i.split(':').next().unwrap_or_default();
            b.identifiers
                .iter()
                .any(|j| j.split(':').next().unwrap_or_default() == scheme)
        });
    if disjoint_countries || conflicting_id {
        score = score.min(DISJOINT_CAP);
    }
    if let Some(id) = shared_id {
        score = score.max(0.95);
        reasons.push(reason("shared_identifier", format!("both carry {id}")));
    }
    Scored {
        score: (score * 1000.0).round() / 1000.0,
        reasons,
    }
}

fn jaccard(
    a: impl Iterator<Item = String>,
    b: impl Iterator<Item = String>,
) -> (BTreeSet<String>, f64) {
    let a: BTreeSet<String> = a.collect();
    let b: BTreeSet<String> = b.collect();
    let shared: BTreeSet<String> = a.intersection(&b).cloned().collect();
    let union = a.union(&b).count();
    let j = if union == 0 {
        0.0
    } else {
        shared.len() as f64 / union as f64
    };
    (shared, j)
}

/// Lower case, accents removed, every run of non-alphanumerics one space.
pub fn fold(text: &str) -> String {
    let nfd = DecomposingNormalizerBorrowed::new_nfd().normalize(text);
    let mut out = String::with_capacity(nfd.len());
    let mut space = true;
    for c in nfd.chars() {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_owned()
}

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "the", "of", "for", "in", "on", "to", "with", "by", "at", "de", "du", "des",
    "la", "le", "les", "l", "d", "et", "pour", "en", "au", "aux", "dans", "el", "los", "las", "y",
    "del", "para", "con", "por", "un", "une", "una", "s",
];

/// French and Spanish words of partnership titles, with the English word they translate (after
/// folding and plural trimming). Deliberately short: common words of the field only.
const EQUIVALENTS: &[(&str, &str)] = &[
    ("ecole", "school"),
    ("escuela", "school"),
    ("scolaire", "school"),
    ("escolar", "school"),
    ("connecte", "connect"),
    ("connectee", "connect"),
    ("connexion", "connect"),
    ("connecting", "connect"),
    ("connects", "connect"),
    ("connected", "connect"),
    ("connectivity", "connect"),
    ("connectivite", "connect"),
    ("conectividad", "connect"),
    ("conecta", "connect"),
    ("conectar", "connect"),
    ("conectada", "connect"),
    ("sante", "health"),
    ("salud", "health"),
    ("numerique", "digital"),
    ("digitale", "digital"),
    ("femme", "women"),
    ("mujere", "women"),
    ("mujer", "women"),
    ("woman", "women"),
    ("fille", "girl"),
    ("nina", "girl"),
    ("programme", "program"),
    ("programa", "program"),
    ("initiative", "initiative"),
    ("iniciativa", "initiative"),
    ("reseau", "network"),
    ("red", "network"),
    ("agriculteur", "farmer"),
    ("agricultor", "farmer"),
    ("agricole", "agriculture"),
    ("agricultura", "agriculture"),
    ("eau", "water"),
    ("agua", "water"),
    ("financiere", "financial"),
    ("financiera", "financial"),
    ("finance", "financial"),
    ("alliance", "partnership"),
    ("alianza", "partnership"),
    ("partenariat", "partnership"),
    ("asociacion", "partnership"),
    ("rurale", "rural"),
    ("competence", "skill"),
    ("habilidade", "skill"),
    ("apprentissage", "learning"),
    ("aprendizaje", "learning"),
    ("education", "education"),
    ("educacion", "education"),
    ("enseignement", "education"),
    ("mobile", "mobile"),
    ("movil", "mobile"),
    ("telephonie", "mobile"),
    ("electricite", "energy"),
    ("energie", "energy"),
    ("energia", "energy"),
    ("solaire", "solar"),
    ("internet", "internet"),
    ("haut", "broadband"),
    ("debit", "broadband"),
    ("banda", "broadband"),
    ("ancha", "broadband"),
    ("clinique", "clinic"),
    ("clinica", "clinic"),
    ("telemedecine", "telemedicine"),
    ("telemedicina", "telemedicine"),
    ("communautaire", "community"),
    ("comunitario", "community"),
    ("comunitaria", "community"),
    ("communaute", "community"),
    ("comunidad", "community"),
    ("inclusion", "inclusion"),
    ("inclusive", "inclusion"),
    ("inclusivo", "inclusion"),
    ("gouvernement", "government"),
    ("gobierno", "government"),
    ("electronique", "e"),
    ("electronico", "e"),
    ("macedoine", "macedonia"),
];

/// The comparable words of a title: folded, stop words out, plurals trimmed, translated.
pub fn title_tokens(title: &str) -> BTreeSet<String> {
    fold(title)
        .split(' ')
        .filter(|t| !t.is_empty() && !STOP_WORDS.contains(t))
        .map(|t| {
            let t = t.strip_suffix("'s").unwrap_or(t);
            if let Some((_, en)) = EQUIVALENTS.iter().find(|(w, _)| *w == t) {
                return (*en).to_owned();
            }
            let singular = if t.len() > 3 && t.ends_with('s') && !t.ends_with("ss") {
                &t[..t.len() - 1]
            } else {
                t
            };
            match EQUIVALENTS.iter().find(|(w, _)| *w == singular) {
                Some((_, en)) => (*en).to_owned(),
                None => singular.to_owned(),
            }
        })
        .collect()
}

fn trigrams(text: &str) -> BTreeSet<String> {
    let padded: Vec<char> = format!("  {text} ").chars().collect();
    padded
        .windows(3)
        .map(|w| w.iter().collect::<String>())
        .collect()
}

fn joined(tokens: &BTreeSet<String>) -> String {
    tokens.iter().cloned().collect::<Vec<_>>().join(" ")
}

fn similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let shared = a.intersection(b).count();
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    }
}

/// How alike two titles are, from 0 to 1: the better of the Jaccard of their words and of
/// the trigrams of those words.
pub fn title_similarity(a: &str, b: &str) -> f64 {
    let (ta, tb) = (title_tokens(a), title_tokens(b));
    let (ga, gb) = (trigrams(&joined(&ta)), trigrams(&joined(&tb)));
    similarity(&ta, &tb).max(similarity(&ga, &gb))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(title: &str, countries: &[&str]) -> Profile {
        Profile {
            title: title.into(),
            countries: countries.iter().map(|c| (*c).to_owned()).collect(),
            ..Profile::default()
        }
    }

    #[test]
    fn folding_drops_case_accents_and_punctuation() {
        assert_eq!(
            fold("Écoles  Connectées — Sénégal!"),
            "ecoles connectees senegal"
        );
    }

    #[test]
    fn the_same_title_in_the_same_country_is_a_candidate() {
        let s = score(
            &p("Macedonia Connects", &["MK"]),
            &p("Macedonia Connects", &["MK"]),
        );
        assert!(s.is_candidate(), "{s:?}");
        assert!(s.reasons.iter().any(|r| r.code == "same_countries"));
    }

    #[test]
    fn a_translation_is_a_candidate_and_another_country_is_not() {
        let en = p("Connected Schools Senegal", &["SN"]);
        assert!(score(&en, &p("Écoles connectées Sénégal", &["SN"])).is_candidate());
        assert!(
            !score(
                &p("Connected Schools", &["SN"]),
                &p("Connected Schools", &["GH"])
            )
            .is_candidate()
        );
    }

    #[test]
    fn a_shared_identifier_makes_a_candidate_whatever_the_title() {
        let mut a = p("Phase one", &[]);
        let mut b = p("Rural broadband", &[]);
        a.identifiers = vec!["iati:xm-1".into()];
        b.identifiers = vec!["iati:xm-1".into()];
        assert!(score(&a, &b).score >= 0.95);
    }
}

#[cfg(test)]
mod judged {
    use super::*;

    fn profile(v: &serde_json::Value) -> Profile {
        let date = |k: &str| v[k].as_str().and_then(|d| d.parse().ok());
        Profile {
            title: v["title"].as_str().unwrap_or_default().into(),
            countries: v["countries"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            start_date: date("start_date"),
            end_date: date("end_date"),
            identifiers: v["iati_identifier"]
                .as_str()
                .map(|i| vec![format!("iati:{}", fold(i))])
                .unwrap_or_default(),
            partners: Vec::new(),
        }
    }

    /// The judged fixture the API test also runs (`tests/api/duplicates.rs`), here on the
    /// scorer alone.
    #[test]
    fn the_judged_pairs_score_with_precision_and_recall_of_at_least_0_9() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tests/fixtures/duplicates.json"))
                .unwrap_or_default();
        let (mut tp, mut fp, mut fnn) = (0.0, 0.0, 0.0);
        for pair in fixture["pairs"].as_array().into_iter().flatten() {
            let s = score(&profile(&pair["a"]), &profile(&pair["b"]));
            let same = pair["same"].as_bool().unwrap_or_default();
            println!(
                "{same:5} {:.3} {} / {}",
                s.score, pair["a"]["title"], pair["b"]["title"]
            );
            match (same, s.is_candidate()) {
                (true, true) => tp += 1.0,
                (false, true) => fp += 1.0,
                (true, false) => fnn += 1.0,
                _ => {}
            }
        }
        let precision = tp / (tp + fp);
        let recall = tp / (tp + fnn);
        println!("precision {precision:.3} recall {recall:.3}");
        assert!(precision >= 0.9 && recall >= 0.9);
    }
}
