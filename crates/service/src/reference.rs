//! Reference vocabularies that are not database enums: WSIS action lines and the SDGs.
//! The SDG texts are the UN's official English wording (open-sdg/sdg-translations, MIT; see
//! `data/sdg/LICENSE`).

use std::{collections::BTreeMap, sync::OnceLock};

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
            pairs.push((
                key.trim().to_owned(),
                value.trim().trim_matches('"').to_owned(),
            ));
        }
    }
    pairs
}

/// The code of the SDG target `raw` names (`4.1`, ` 9.C ` → `9.c`), if it is one.
pub fn sdg_target(raw: &str) -> Option<String> {
    let code = raw.trim().to_lowercase();
    sdgs().targets.contains_key(&code).then_some(code)
}

pub fn sdgs() -> &'static Sdgs {
    static SDGS: OnceLock<Sdgs> = OnceLock::new();
    SDGS.get_or_init(|| {
        let mut goals = BTreeMap::new();
        for (key, value) in yaml_pairs(include_str!("../data/sdg/global_goals.yml")) {
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
        for (key, value) in yaml_pairs(include_str!("../data/sdg/global_targets.yml")) {
            let parts: Vec<&str> = key.split('-').collect();
            if let [goal, target, "title"] = parts.as_slice() {
                targets.insert(format!("{goal}.{target}"), value);
            }
        }
        Sdgs { goals, targets }
    })
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

/// One entry of a reference vocabulary, for clients building forms.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ReferenceEntry {
    /// The stable code the API uses.
    pub code: String,
    pub label: String,
    pub description: Option<String>,
    /// Sub-entries: the targets of an SDG.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<ReferenceEntry>,
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
            children: Vec::new(),
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
                description: None,
                children: Vec::new(),
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
                    children: sdgs
                        .targets
                        .iter()
                        .filter(|(code, _)| {
                            code.split('.').next() == Some(goal.to_string().as_str())
                        })
                        .map(|(code, text)| ReferenceEntry {
                            code: code.clone(),
                            label: text.clone(),
                            description: None,
                            children: Vec::new(),
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
