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
}
