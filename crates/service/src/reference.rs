//! Reference vocabularies that are not database enums: WSIS action lines and the SDGs, and
//! the labels of every vocabulary in the six UN languages. The SDG texts are the UN's official
//! wording in all six (open-sdg/sdg-translations, MIT; see `data/sdg/LICENSE`); the other
//! vocabularies' translations are the registry's own (`data/labels.tsv`), marked unofficial.

use std::{
    collections::{BTreeMap, HashMap},
    sync::OnceLock,
};

use crate::language::{Language, LanguageChoice};

/// A WSIS Action Line of the Geneva Plan of Action (C1–C11), or one of C7's eight sub-lines.
pub struct ActionLine {
    pub code: &'static str,
    pub label: &'static str,
}

pub const ACTION_LINES: &[ActionLine] = &[
    ActionLine {
        code: "C1",
        label: "The role of governments and all stakeholders in the promotion of ICTs for development",
    },
    ActionLine {
        code: "C2",
        label: "Information and communication infrastructure",
    },
    ActionLine {
        code: "C3",
        label: "Access to information and knowledge",
    },
    ActionLine {
        code: "C4",
        label: "Capacity building",
    },
    ActionLine {
        code: "C5",
        label: "Building confidence and security in the use of ICTs",
    },
    ActionLine {
        code: "C6",
        label: "Enabling environment",
    },
    ActionLine {
        code: "C7",
        label: "ICT applications: benefits in all aspects of life",
    },
    ActionLine {
        code: "C7.e-government",
        label: "ICT applications: e-government",
    },
    ActionLine {
        code: "C7.e-business",
        label: "ICT applications: e-business",
    },
    ActionLine {
        code: "C7.e-learning",
        label: "ICT applications: e-learning",
    },
    ActionLine {
        code: "C7.e-health",
        label: "ICT applications: e-health",
    },
    ActionLine {
        code: "C7.e-employment",
        label: "ICT applications: e-employment",
    },
    ActionLine {
        code: "C7.e-environment",
        label: "ICT applications: e-environment",
    },
    ActionLine {
        code: "C7.e-agriculture",
        label: "ICT applications: e-agriculture",
    },
    ActionLine {
        code: "C7.e-science",
        label: "ICT applications: e-science",
    },
    ActionLine {
        code: "C8",
        label: "Cultural diversity and identity, linguistic diversity and local content",
    },
    ActionLine {
        code: "C9",
        label: "Media",
    },
    ActionLine {
        code: "C10",
        label: "Ethical dimensions of the Information Society",
    },
    ActionLine {
        code: "C11",
        label: "International and regional cooperation",
    },
];

/// The action line with `code` (case-insensitive), in its canonical spelling.
pub fn action_line(code: &str) -> Option<&'static ActionLine> {
    ACTION_LINES
        .iter()
        .find(|a| a.code.eq_ignore_ascii_case(code.trim()))
}

/// The action line codes a filter by `code` matches: the line itself and, for a main line
/// (`C7`), each of its sub-lines (`C7.e-business`...); a sub-line matches only itself. `None`
/// when `code` is not an action line.
pub fn action_lines_matching(code: &str) -> Option<Vec<&'static str>> {
    let line = action_line(code)?;
    Some(
        ACTION_LINES
            .iter()
            .filter(|a| action_line_covers(line.code, a.code))
            .map(|a| a.code)
            .collect(),
    )
}

/// Whether the action line `broad` takes in `line`: itself, or one of its sub-lines (`C7`
/// covers `C7.e-health`; a sub-line covers only itself).
pub fn action_line_covers(broad: &str, line: &str) -> bool {
    line == broad
        || line
            .strip_prefix(broad)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// SDG goal number → short name, and target code (`1.1`, `1.a`) → text.
pub struct Sdgs {
    pub goals: BTreeMap<u8, (String, String)>,
    pub targets: BTreeMap<String, String>,
}

/// Reads the `KEY: value` lines (with indented continuation lines) of the shipped YAML files.
fn yaml_pairs(text: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("  ") {
            if let Some((_, value)) = pairs.last_mut() {
                value.push(' ');
                value.push_str(rest.trim());
            }
        } else if let Some((key, value)) = line.split_once(": ") {
            pairs.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    for (_, value) in &mut pairs {
        *value = unquote(value);
    }
    pairs
}

/// A YAML scalar without its quotes (`'…'` with `''` for a quote, or `"…"`), trimmed.
fn unquote(value: &str) -> String {
    let value = value.trim();
    if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        inner.replace("''", "'").trim().to_owned()
    } else if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        inner.trim().to_owned()
    } else {
        value.to_owned()
    }
}

/// The code of the SDG target `raw` names (`4.1`, ` 9.C ` → `9.c`), if it is one.
pub fn sdg_target(raw: &str) -> Option<String> {
    let code = raw.trim().to_lowercase();
    sdgs().targets.contains_key(&code).then_some(code)
}

/// The SDGs in English (the original).
pub fn sdgs() -> &'static Sdgs {
    sdgs_in(Language::ORIGINAL)
}

/// The SDGs in `language`: the UN's official wording, shipped for all six.
pub fn sdgs_in(language: Language) -> &'static Sdgs {
    static SDGS: OnceLock<HashMap<Language, Sdgs>> = OnceLock::new();
    let all = SDGS.get_or_init(|| {
        Language::ALL
            .into_iter()
            .map(|l| {
                let (goals, targets) = sdg_texts(l);
                (l, parse_sdgs(goals, targets))
            })
            .collect()
    });
    // Every language is in the map; the original stands in should that ever change.
    match all.get(&language).or_else(|| all.get(&Language::ORIGINAL)) {
        Some(sdgs) => sdgs,
        None => unreachable!("the SDGs are built for every language"),
    }
}

/// The shipped goal and target files of one language.
fn sdg_texts(language: Language) -> (&'static str, &'static str) {
    match language {
        Language::Ar => (
            include_str!("../data/sdg/ar/global_goals.yml"),
            include_str!("../data/sdg/ar/global_targets.yml"),
        ),
        Language::En => (
            include_str!("../data/sdg/global_goals.yml"),
            include_str!("../data/sdg/global_targets.yml"),
        ),
        Language::Es => (
            include_str!("../data/sdg/es/global_goals.yml"),
            include_str!("../data/sdg/es/global_targets.yml"),
        ),
        Language::Fr => (
            include_str!("../data/sdg/fr/global_goals.yml"),
            include_str!("../data/sdg/fr/global_targets.yml"),
        ),
        Language::Ru => (
            include_str!("../data/sdg/ru/global_goals.yml"),
            include_str!("../data/sdg/ru/global_targets.yml"),
        ),
        Language::Zh => (
            include_str!("../data/sdg/zh/global_goals.yml"),
            include_str!("../data/sdg/zh/global_targets.yml"),
        ),
    }
}

fn parse_sdgs(goals_text: &str, targets_text: &str) -> Sdgs {
    let mut goals = BTreeMap::new();
    for (key, value) in yaml_pairs(goals_text) {
        let Some((number, field)) = key.split_once('-') else {
            continue;
        };
        let Ok(number) = number.parse::<u8>() else {
            continue;
        };
        let entry: &mut (String, String) = goals.entry(number).or_default();
        match field {
            "short" => entry.0 = value,
            "title" => entry.1 = value,
            _ => {}
        }
    }
    let mut targets = BTreeMap::new();
    for (key, value) in yaml_pairs(targets_text) {
        let parts: Vec<&str> = key.split('-').collect();
        if let [goal, target, "title"] = parts.as_slice() {
            targets.insert(format!("{goal}.{target}"), value);
        }
    }
    Sdgs { goals, targets }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_all_goals_and_targets() {
        let sdgs = sdgs();
        assert_eq!(sdgs.goals.len(), 17);
        assert_eq!(sdgs.targets.len(), 169);
        assert_eq!(sdgs.goals[&9].0, "Industry, innovation and infrastructure");
        assert!(
            sdgs.targets["9.c"].contains("access to information and communications technology")
        );
    }

    #[test]
    fn ships_the_sdgs_in_all_six_languages() {
        for language in Language::ALL {
            let sdgs = sdgs_in(language);
            assert_eq!(sdgs.goals.len(), 17, "{language:?}");
            assert_eq!(sdgs.targets.len(), 169, "{language:?}");
            assert!(
                sdgs.goals.values().all(|(short, title)| !short.is_empty()
                    && !title.is_empty()
                    && !short.starts_with('\'')),
                "{language:?}"
            );
        }
        assert_eq!(sdgs_in(Language::Fr).goals[&4].0, "Éducation de qualité");
        assert_eq!(sdgs_in(Language::Zh).goals[&4].0, "优质教育");
    }

    #[test]
    fn action_lines_cover_c1_to_c11_and_c7_sub_lines() {
        assert_eq!(ACTION_LINES.len(), 19);
        assert_eq!(
            action_line("c7.E-Health").map(|a| a.code),
            Some("C7.e-health")
        );
        assert!(action_line("C12").is_none());
    }

    #[test]
    fn a_main_action_line_matches_its_sub_lines() {
        let c7 = action_lines_matching("c7").unwrap_or_default();
        assert_eq!(c7.len(), 9);
        assert!(c7.contains(&"C7") && c7.contains(&"C7.e-business"));
        assert_eq!(
            action_lines_matching("C7.e-health"),
            Some(vec!["C7.e-health"])
        );
        assert_eq!(
            action_lines_matching("C1"),
            Some(vec!["C1"]),
            "not C10 or C11"
        );
        assert!(action_lines_matching("C12").is_none());
    }
}

/// One entry of a reference vocabulary, for clients building forms, in the reader's language
/// where it has a text in it (the response's `Content-Language`), else in English.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ReferenceEntry {
    /// The stable code the API uses.
    pub code: String,
    pub label: String,
    pub description: Option<String>,
    /// Whether the label is an official text: the UN's wording of the SDGs (in all six
    /// languages) and the registry's own English vocabulary; `false` for the registry's own
    /// translations, made where no official text exists.
    pub official: bool,
    /// The language of each field whose text is not in the response's `Content-Language`
    /// (it fell back to English): `{"description": "en"}`. Absent when every field is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub languages: BTreeMap<String, String>,
    /// With `lang=*`: the entry in every language that has a text of it, by BCP 47 tag.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, EntryText>,
    /// Sub-entries: the targets of an SDG.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<ReferenceEntry>,
}

/// An entry's texts in one language.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct EntryText {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether this is an official text (see `ReferenceEntry.official`).
    pub official: bool,
}

/// The vocabularies served at `/api/v1/reference/{kind}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReferenceKind {
    ActionLines,
    Sdgs,
    Sectors,
    Roles,
    JourneyStages,
    Spectrum,
    EngagementModels,
    ValueSources,
    Levers,
    ResourceKinds,
    Fundamentals,
    Competencies,
}

pub(crate) type Row = (&'static str, &'static str, &'static str);

const SECTORS: &[Row] = &[
    (
        "government",
        "Government",
        "Local, national and international governance institutions; local authorities.",
    ),
    (
        "business",
        "Business",
        "Private, for-profit: multinational IT companies, small local firms, traditional private sector, telecom operators and ISPs, young digital firms.",
    ),
    (
        "civil_society",
        "Civil society",
        "NGOs, community organisations, citizens.",
    ),
    (
        "academia",
        "Academia",
        "Universities and research institutes.",
    ),
    (
        "united_nations_multilateral",
        "United Nations / multilateral",
        "UN agencies and other multilateral bodies.",
    ),
    ("donor", "Donors", "Bilateral and other donors."),
    ("foundation", "Foundations", "Philanthropic foundations."),
];
const ROLES: &[Row] = &[
    (
        "lead",
        "Lead",
        "Leads the partnership (IATI role 2, accountable).",
    ),
    (
        "co_lead",
        "Co-lead",
        "Shares the lead (IATI role 2, accountable).",
    ),
    (
        "funder",
        "Funder",
        "Provides funding (IATI role 1, funding).",
    ),
    (
        "implementer",
        "Implementer",
        "Carries out activities (IATI role 4, implementing).",
    ),
    (
        "coordinator",
        "Coordinator",
        "Coordinates partners (IATI role 3, extending).",
    ),
    (
        "technical_partner",
        "Technical partner",
        "Brings expertise or technology (IATI role 4, implementing).",
    ),
    (
        "beneficiary_representative",
        "Beneficiary representative",
        "Speaks for the people served (IATI role 4, implementing).",
    ),
];
const STAGES: &[Row] = &[
    (
        "understand_context",
        "Understand the context",
        "Understand the context and the alignment of interests.",
    ),
    (
        "agree_vision",
        "Agree a vision",
        "Agree an overarching vision.",
    ),
    (
        "agree_purpose",
        "Agree a purpose",
        "Agree a common purpose.",
    ),
    (
        "agree_objectives",
        "Agree objectives",
        "Agree specific objectives and activities.",
    ),
    (
        "agree_resources",
        "Agree resources",
        "Agree resources, roles and responsibilities.",
    ),
    ("structure", "Structure", "Structure the partnership."),
    (
        "sign_agreement",
        "Sign the agreement",
        "Sign a partnership agreement.",
    ),
    (
        "implementing",
        "Implementing",
        "The partnership is carrying out its work.",
    ),
    (
        "reviewing",
        "Reviewing",
        "The partnership reviews what it achieved.",
    ),
    (
        "sustaining",
        "Sustaining",
        "The partnership continues beyond its first phase.",
    ),
    ("closed", "Closed", "The partnership ended as planned."),
    (
        "discontinued",
        "Discontinued",
        "The partnership stopped before its end.",
    ),
];
const SPECTRUM: &[Row] = &[
    (
        "leverage_exchange",
        "Leverage / exchange",
        "One partner donates to, or exchanges resources with, another.",
    ),
    (
        "combine_integrate",
        "Combine / integrate",
        "Partners combine complementary resources to deliver traditional development better.",
    ),
    (
        "system_transformation",
        "System transformation",
        "Actors bring together the resources that together transform a system.",
    ),
];
const ENGAGEMENT_MODELS: &[Row] = &[
    (
        "corporate_philanthropy",
        "Traditional corporate philanthropy",
        "Donations, cash or in-kind.",
    ),
    (
        "value_added",
        "Value-added",
        "A small technical contribution to a larger corporate activity.",
    ),
    (
        "partnership",
        "Partnership",
        "Both sides value the objective and contribute.",
    ),
    (
        "market_making",
        "Market-making",
        "The social side aggregates a market or prepares the customer base (e.g. pooled school connectivity, vouchers).",
    ),
];
const VALUE_SOURCES: &[Row] = &[
    (
        "complementarity",
        "Complementarity",
        "Partners bring what the others lack.",
    ),
    (
        "systemic_transformation",
        "Systemic transformation",
        "Together they change how a system works.",
    ),
    (
        "standards",
        "Standards",
        "They set or adopt common standards.",
    ),
    (
        "innovation",
        "Innovation",
        "They create new approaches or products.",
    ),
    ("holism", "Holism", "They address an issue as a whole."),
    (
        "shared_learning",
        "Shared learning",
        "They learn from each other.",
    ),
    (
        "shared_risk",
        "Shared risk",
        "They spread risks no one would carry alone.",
    ),
    ("synergy", "Synergy", "The whole is more than the parts."),
    ("scale", "Scale", "They reach a scale none could alone."),
    (
        "critical_mass",
        "Critical mass",
        "They assemble enough actors to tip an issue.",
    ),
];
const LEVERS: &[Row] = &[
    (
        "policy_regulation_taxation",
        "Policy, regulation, taxation",
        "",
    ),
    (
        "infrastructure_development",
        "Infrastructure development",
        "",
    ),
    (
        "advocacy_balancing_power",
        "Advocacy and balancing power",
        "",
    ),
    (
        "influence_behaviour_change",
        "Influence and behaviour change",
        "",
    ),
    ("new_norms", "New norms", ""),
    ("innovative_technologies", "Innovative technologies", ""),
    (
        "inclusive_business",
        "Commercially viable / inclusive business approaches",
        "",
    ),
    ("standards", "Standards", ""),
    (
        "evidence_information_data",
        "Access to evidence, information and data",
        "",
    ),
    ("affordable_finance", "Access to affordable finance", ""),
    (
        "education_capacity_development",
        "Education and capacity development",
        "",
    ),
    ("organisation", "Organisation", ""),
    ("human_community_capital", "Human and community capital", ""),
];
const RESOURCE_KINDS: &[Row] = &[
    ("cash", "Cash", ""),
    ("hardware", "Hardware", ""),
    ("software", "Software", ""),
    ("connectivity", "Connectivity", ""),
    ("venue", "Venue", ""),
    ("expertise", "Expertise", ""),
    ("staff_time", "Staff time", ""),
    ("data", "Data", ""),
    ("training", "Training", ""),
    ("mentoring", "Mentoring", ""),
    ("scholarships", "Scholarships", ""),
    ("utilities", "Utilities", ""),
    ("other_in_kind", "Other in-kind", ""),
];

/// The six fundamentals of a sound partnership (UN partnering workshop, Colombo 2023), the
/// codes of a health assessment's `fundamentals` ratings.
pub const FUNDAMENTALS: &[Row] = &[
    (
        "value_creation",
        "Value creation",
        "The partnership creates value that no partner could create alone, worth its cost.",
    ),
    (
        "stakeholders_resources",
        "Right stakeholders and resources",
        "The parties and the resources the issue needs are around the table.",
    ),
    (
        "shared_vision",
        "Shared vision and aligned interest",
        "The partners agree a vision, a purpose and objectives, and each sees its own interest served.",
    ),
    (
        "compatible_values",
        "Compatible values",
        "The partners' values, principles and ways of working fit together.",
    ),
    (
        "empowered_partners",
        "Empowered partners",
        "Every partner has a real role and voice, not only the strongest.",
    ),
    (
        "senior_commitment",
        "Senior level commitment and skills",
        "Leaders of each partner commit to the partnership and bring the skills it needs.",
    ),
];

/// The partnering competencies of a partnership team, "MUST" (UN partnering workshop): the
/// codes of a health assessment's `competencies` ratings.
pub const COMPETENCIES: &[Row] = &[
    (
        "mindset",
        "Mindset",
        "Decision-making power, risk taking, working for the benefit of the whole.",
    ),
    (
        "understanding_other_sectors",
        "Understanding of other sectors",
        "Their values, principles, perspectives, mandates and acts.",
    ),
    (
        "human_relationships",
        "Skills in human relationships",
        "All the skills needed to deal with people across organisations.",
    ),
    (
        "technical_knowledge",
        "Technical partnering knowledge",
        "Planning, monitoring and the other tools of partnering.",
    ),
];

fn rows(rows: &[Row]) -> Vec<ReferenceEntry> {
    rows.iter()
        .map(|(code, label, description)| ReferenceEntry {
            code: (*code).to_owned(),
            label: (*label).to_owned(),
            description: (!description.is_empty()).then(|| (*description).to_owned()),
            official: true,
            ..ReferenceEntry::default()
        })
        .collect()
}

/// The entries of one vocabulary.
pub fn entries(kind: ReferenceKind) -> Vec<ReferenceEntry> {
    match kind {
        ReferenceKind::ActionLines => ACTION_LINES
            .iter()
            .map(|a| ReferenceEntry {
                code: a.code.to_owned(),
                label: a.label.to_owned(),
                official: true,
                ..ReferenceEntry::default()
            })
            .collect(),
        ReferenceKind::Sdgs => {
            let sdgs = sdgs();
            sdgs.goals
                .iter()
                .map(|(goal, (short, title))| ReferenceEntry {
                    code: goal.to_string(),
                    label: short.clone(),
                    description: Some(title.clone()),
                    official: true,
                    languages: BTreeMap::new(),
                    translations: BTreeMap::new(),
                    children: sdgs
                        .targets
                        .iter()
                        .filter(|(code, _)| {
                            code.split('.').next() == Some(goal.to_string().as_str())
                        })
                        .map(|(code, text)| ReferenceEntry {
                            code: code.clone(),
                            label: text.clone(),
                            official: true,
                            ..ReferenceEntry::default()
                        })
                        .collect(),
                })
                .collect()
        }
        ReferenceKind::Sectors => rows(SECTORS),
        ReferenceKind::Roles => rows(ROLES),
        ReferenceKind::JourneyStages => rows(STAGES),
        ReferenceKind::Spectrum => rows(SPECTRUM),
        ReferenceKind::EngagementModels => rows(ENGAGEMENT_MODELS),
        ReferenceKind::ValueSources => rows(VALUE_SOURCES),
        ReferenceKind::Levers => rows(LEVERS),
        ReferenceKind::ResourceKinds => rows(RESOURCE_KINDS),
        ReferenceKind::Fundamentals => rows(FUNDAMENTALS),
        ReferenceKind::Competencies => rows(COMPETENCIES),
    }
}

/// The rows of a vocabulary held as `Row`s (all but the action lines and the SDGs).
fn rows_of(kind: ReferenceKind) -> Option<&'static [Row]> {
    Some(match kind {
        ReferenceKind::ActionLines | ReferenceKind::Sdgs => return None,
        ReferenceKind::Sectors => SECTORS,
        ReferenceKind::Roles => ROLES,
        ReferenceKind::JourneyStages => STAGES,
        ReferenceKind::Spectrum => SPECTRUM,
        ReferenceKind::EngagementModels => ENGAGEMENT_MODELS,
        ReferenceKind::ValueSources => VALUE_SOURCES,
        ReferenceKind::Levers => LEVERS,
        ReferenceKind::ResourceKinds => RESOURCE_KINDS,
        ReferenceKind::Fundamentals => FUNDAMENTALS,
        ReferenceKind::Competencies => COMPETENCIES,
    })
}

/// The label of the entry `code` of a vocabulary in `language`, as its reference read answers
/// it (the registry's translation in `data/labels.tsv`, else the English original): what the
/// pictures draw for a journey stage, a resource kind or a fundamental. `None` for a code the
/// vocabulary does not hold (and for the action lines and SDGs, whose texts are not labels).
pub fn label(kind: ReferenceKind, code: &str, language: Language) -> Option<&'static str> {
    let original = rows_of(kind)?.iter().find(|(c, _, _)| *c == code)?.1;
    if language == Language::ORIGINAL {
        return Some(original);
    }
    let translated = translated_labels()
        .get(&(kind.slug(), code.to_owned()))
        .and_then(|texts| texts.iter().find(|(l, _)| *l == language))
        .map(|(_, text)| *text);
    Some(translated.unwrap_or(original))
}

impl ReferenceKind {
    /// Its name in paths (`/api/v1/reference/action-lines`) and in `data/labels.tsv`.
    pub fn slug(self) -> &'static str {
        match self {
            ReferenceKind::ActionLines => "action-lines",
            ReferenceKind::Sdgs => "sdgs",
            ReferenceKind::Sectors => "sectors",
            ReferenceKind::Roles => "roles",
            ReferenceKind::JourneyStages => "journey-stages",
            ReferenceKind::Spectrum => "spectrum",
            ReferenceKind::EngagementModels => "engagement-models",
            ReferenceKind::ValueSources => "value-sources",
            ReferenceKind::Levers => "levers",
            ReferenceKind::ResourceKinds => "resource-kinds",
            ReferenceKind::Fundamentals => "fundamentals",
            ReferenceKind::Competencies => "competencies",
        }
    }
}

/// The entries of one vocabulary in the reader's choice of language: each text in that
/// language where one exists, else in English with the field named in `languages`; with
/// `lang=*`, in English with every translation beside it.
pub fn localized(kind: ReferenceKind, choice: LanguageChoice) -> Vec<ReferenceEntry> {
    let mut list = entries(kind);
    for entry in &mut list {
        localize(kind, entry, choice);
    }
    list
}

fn localize(kind: ReferenceKind, entry: &mut ReferenceEntry, choice: LanguageChoice) {
    match choice {
        LanguageChoice::One(Language::ORIGINAL) => {}
        LanguageChoice::One(language) => match text_of(kind, &entry.code, language) {
            Some(text) => {
                entry.label = text.label;
                entry.official = text.official;
                match text.description {
                    Some(d) => entry.description = Some(d),
                    None if entry.description.is_some() => {
                        entry
                            .languages
                            .insert("description".into(), Language::ORIGINAL.tag().into());
                    }
                    None => {}
                }
            }
            None => {
                entry
                    .languages
                    .insert("label".into(), Language::ORIGINAL.tag().into());
                if entry.description.is_some() {
                    entry
                        .languages
                        .insert("description".into(), Language::ORIGINAL.tag().into());
                }
            }
        },
        LanguageChoice::All => {
            entry.translations = Language::ALL
                .into_iter()
                .filter(|l| *l != Language::ORIGINAL)
                .filter_map(|l| Some((l.tag().to_owned(), text_of(kind, &entry.code, l)?)))
                .collect();
        }
    }
    for child in &mut entry.children {
        localize(kind, child, choice);
    }
}

/// The texts of the entry `code` of `kind` in `language` (other than the original), if any.
fn text_of(kind: ReferenceKind, code: &str, language: Language) -> Option<EntryText> {
    if kind == ReferenceKind::Sdgs {
        let sdgs = sdgs_in(language);
        if let Ok(goal) = code.parse::<u8>() {
            let (short, title) = sdgs.goals.get(&goal)?;
            return Some(EntryText {
                label: short.clone(),
                description: Some(title.clone()),
                official: true,
            });
        }
        return sdgs.targets.get(code).map(|text| EntryText {
            label: text.clone(),
            description: None,
            official: true,
        });
    }
    translated_labels()
        .get(&(kind.slug(), code.to_owned()))?
        .iter()
        .find(|(l, _)| *l == language)
        .map(|(_, label)| EntryText {
            label: (*label).to_owned(),
            description: None,
            official: false,
        })
}

pub(crate) type Labels = HashMap<(&'static str, String), Vec<(Language, &'static str)>>;

/// `data/labels.tsv`: the registry's own translations of the vocabularies' labels.
fn translated_labels() -> &'static Labels {
    static LABELS: OnceLock<Labels> = OnceLock::new();
    LABELS.get_or_init(|| parse_labels(include_str!("../data/labels.tsv")))
}

pub(crate) fn parse_labels(text: &'static str) -> Labels {
    let mut labels = Labels::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut fields = line.split('\t');
        let Some((kind, code)) = fields.next().and_then(|k| k.split_once('/')) else {
            continue;
        };
        let texts = fields
            .filter_map(|f| {
                let (tag, label) = f.split_once('=')?;
                Some((Language::from_tag(tag)?, label.trim()))
            })
            .collect();
        labels.insert((kind, code.to_owned()), texts);
    }
    labels
}

#[cfg(test)]
mod catalog_tests {
    use super::*;
    use entity::enums::{
        EngagementModel, JourneyStage, Lever, PartnerRole, ResourceKind, Sector, Spectrum,
        ValueSource,
    };
    use sea_orm::Iterable;
    use serde::de::DeserializeOwned;

    /// Every code parses as the API's enum, and every enum value has an entry.
    fn same_codes<T: DeserializeOwned + Iterable + PartialEq + std::fmt::Debug>(
        kind: ReferenceKind,
    ) {
        let codes: Vec<T> = entries(kind)
            .into_iter()
            .map(|e| {
                serde_json::from_value(serde_json::Value::String(e.code))
                    .unwrap_or_else(|_| panic!("{kind:?}"))
            })
            .collect();
        assert_eq!(codes, T::iter().collect::<Vec<_>>(), "{kind:?}");
    }

    const KINDS: [ReferenceKind; 12] = [
        ReferenceKind::ActionLines,
        ReferenceKind::Sdgs,
        ReferenceKind::Sectors,
        ReferenceKind::Roles,
        ReferenceKind::JourneyStages,
        ReferenceKind::Spectrum,
        ReferenceKind::EngagementModels,
        ReferenceKind::ValueSources,
        ReferenceKind::Levers,
        ReferenceKind::ResourceKinds,
        ReferenceKind::Fundamentals,
        ReferenceKind::Competencies,
    ];

    /// Every label has a text in all six languages, and the translation file names only
    /// entries that exist.
    #[test]
    fn every_label_is_translated_into_the_six_languages() {
        for kind in KINDS {
            for entry in localized(kind, LanguageChoice::All) {
                assert_eq!(entry.translations.len(), 5, "{kind:?} {}", entry.code);
            }
        }
        for (kind, code) in translated_labels().keys() {
            let kind: ReferenceKind =
                serde_json::from_value(serde_json::Value::String((*kind).into()))
                    .unwrap_or_else(|_| panic!("{kind}"));
            assert!(
                entries(kind).iter().any(|e| &e.code == code),
                "{kind:?} {code}"
            );
        }
    }

    #[test]
    fn a_translation_is_marked_unofficial_and_a_fallback_names_its_language() {
        let sectors = localized(ReferenceKind::Sectors, LanguageChoice::One(Language::Fr));
        let government = &sectors[0];
        assert_eq!(government.label, "Gouvernement");
        assert!(!government.official);
        assert_eq!(government.languages["description"], "en");
        let goals = localized(ReferenceKind::Sdgs, LanguageChoice::One(Language::Ar));
        assert!(goals[0].official && goals[0].languages.is_empty());
        assert_eq!(goals[0].children.len(), 7);
    }

    #[test]
    fn a_label_reads_as_its_reference_entry() {
        for kind in KINDS.into_iter().filter(|k| rows_of(*k).is_some()) {
            for language in Language::ALL {
                for entry in localized(kind, LanguageChoice::One(language)) {
                    assert_eq!(
                        label(kind, &entry.code, language),
                        Some(entry.label.as_str())
                    );
                }
            }
        }
        assert_eq!(
            label(ReferenceKind::JourneyStages, "implementing", Language::Fr),
            Some("Mise en œuvre")
        );
        assert_eq!(
            label(ReferenceKind::Fundamentals, "nonsense", Language::Fr),
            None
        );
    }

    #[test]
    fn vocabularies_match_the_api_enums() {
        same_codes::<Sector>(ReferenceKind::Sectors);
        same_codes::<PartnerRole>(ReferenceKind::Roles);
        same_codes::<JourneyStage>(ReferenceKind::JourneyStages);
        same_codes::<Spectrum>(ReferenceKind::Spectrum);
        same_codes::<EngagementModel>(ReferenceKind::EngagementModels);
        same_codes::<ValueSource>(ReferenceKind::ValueSources);
        same_codes::<Lever>(ReferenceKind::Levers);
        same_codes::<ResourceKind>(ReferenceKind::ResourceKinds);
        assert_eq!(
            entries(ReferenceKind::Sdgs)
                .iter()
                .map(|g| g.children.len())
                .sum::<usize>(),
            169
        );
    }
}
