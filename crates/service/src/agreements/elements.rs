//! The essential elements of a partnering agreement (the partnering agreement template of the
//! UN partnering workshop), each produced at one step of the partnership development journey:
//! structured, validated, and stored as one JSON document in `agreement.elements`.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::{JourneyStage, RepresentativeLevel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::validation::Checks;

const MAX_TEXT: usize = 10_000;
const MAX_ITEM: usize = 1_000;
const MAX_NAME: usize = 200;
const MAX_ITEMS: usize = 100;

/// Who represents a party, and at what level (senior-level commitment is a fundamental of a
/// sound partnership).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Representative {
    /// A party to this agreement.
    pub partner_id: Uuid,
    pub name: String,
    /// Their position, e.g. "Minister of Education".
    #[serde(default)]
    pub title: Option<String>,
    pub level: RepresentativeLevel,
}

/// What one partner is responsible for, and the contributions it brings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyRole {
    /// A party to this agreement.
    pub partner_id: Uuid,
    pub responsibilities: String,
    /// Contributions of that partner to this initiative.
    #[serde(default)]
    pub contribution_ids: Vec<Uuid>,
}

/// How the partnership is run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    #[serde(default)]
    pub decision_making: Option<String>,
    #[serde(default)]
    pub meetings: Option<String>,
    #[serde(default)]
    pub reporting: Option<String>,
}

/// How long the agreement runs, when it is reviewed and how a partner leaves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    /// Not before `starts_on`.
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    /// When and how the partners review the partnership.
    #[serde(default)]
    pub review: Option<String>,
    /// How a partner may leave, and how the partnership closes.
    #[serde(default)]
    pub exit: Option<String>,
}

/// The essential elements of a partnering agreement. Every one is optional while the
/// partnership is being built; the draft marks each that is missing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "representatives": [{"partner_id": "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d", "name": "A. Bello", "title": "Minister of Education", "level": "executive"}],
    "context": "Schools in the region lack affordable connectivity.",
    "vision": "Every school connected.",
    "purpose": "Aggregate school demand into one connectivity contract.",
    "objectives": ["Connect 200 schools by 2027"],
    "activities": ["Tender one national contract"],
    "resources": "Bandwidth at cost, teacher training.",
    "roles": [{"partner_id": "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d", "responsibilities": "Runs the tender", "contribution_ids": []}],
    "governance": {"decision_making": "By consensus of the steering committee", "meetings": "Quarterly", "reporting": "Annual public report"},
    "term": {"starts_on": "2026-01-01", "ends_on": "2028-12-31", "review": "Yearly review", "exit": "Three months' notice"}
}))]
pub struct AgreementElements {
    /// The parties' representatives (journey step `understand_context`).
    #[serde(default)]
    pub representatives: Vec<Representative>,
    /// Context and alignment of interest (`understand_context`).
    #[serde(default)]
    pub context: Option<String>,
    /// The overarching vision (`agree_vision`).
    #[serde(default)]
    pub vision: Option<String>,
    /// The common purpose or mission (`agree_purpose`).
    #[serde(default)]
    pub purpose: Option<String>,
    /// Specific objectives (`agree_objectives`).
    #[serde(default)]
    pub objectives: Vec<String>,
    /// Activities (`agree_objectives`).
    #[serde(default)]
    pub activities: Vec<String>,
    /// Resources the partners bring, beyond the recorded contributions (`agree_resources`).
    #[serde(default)]
    pub resources: Option<String>,
    /// Roles and responsibilities per partner (`agree_resources`).
    #[serde(default)]
    pub roles: Vec<PartyRole>,
    /// Structure and governance (`structure`).
    #[serde(default)]
    pub governance: Option<Governance>,
    /// Duration, review and exit (`structure`).
    #[serde(default)]
    pub term: Option<Term>,
}

/// One element of the partnering agreement template.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TemplateElement {
    /// Stable code (the name of its field in `elements`, or `parties` / `signatures`).
    pub code: &'static str,
    pub title: &'static str,
    /// The journey step that produces it.
    pub journey_step: JourneyStage,
    /// What to agree, from the template.
    pub guidance: &'static str,
}

/// The partnering agreement template: its essential elements in the order of the draft.
pub const TEMPLATE: [TemplateElement; 11] = [
    TemplateElement {
        code: "parties",
        title: "Parties and their representatives",
        journey_step: JourneyStage::UnderstandContext,
        guidance: "Who the partners are, from which sectors, and who represents each, at what level: senior-level commitment is one of the fundamentals of a sound partnership.",
    },
    TemplateElement {
        code: "context",
        title: "Context and alignment of interest",
        journey_step: JourneyStage::UnderstandContext,
        guidance: "The issue the partners face together and what each of them gains: their interests, not their positions.",
    },
    TemplateElement {
        code: "vision",
        title: "Overarching vision",
        journey_step: JourneyStage::AgreeVision,
        guidance: "The change the partners want to see in the world, shared by all of them.",
    },
    TemplateElement {
        code: "purpose",
        title: "Common purpose / mission",
        journey_step: JourneyStage::AgreePurpose,
        guidance: "What this partnership exists to do towards the vision, which no partner could do alone.",
    },
    TemplateElement {
        code: "objectives",
        title: "Specific objectives and activities",
        journey_step: JourneyStage::AgreeObjectives,
        guidance: "Measurable objectives and the activities that will reach them.",
    },
    TemplateElement {
        code: "resources",
        title: "Resources",
        journey_step: JourneyStage::AgreeResources,
        guidance: "The resources each partner brings: financial, technical, human, data and in kind.",
    },
    TemplateElement {
        code: "roles",
        title: "Roles and responsibilities",
        journey_step: JourneyStage::AgreeResources,
        guidance: "What each partner is responsible for, tied to the contributions it makes.",
    },
    TemplateElement {
        code: "governance",
        title: "Structure and governance",
        journey_step: JourneyStage::Structure,
        guidance: "How decisions are made, how often the partners meet, and how they report.",
    },
    TemplateElement {
        code: "term",
        title: "Duration, review and exit",
        journey_step: JourneyStage::Structure,
        guidance: "How long the agreement runs, when the partnership is reviewed, and how a partner may leave or the partnership close.",
    },
    TemplateElement {
        code: "signatures",
        title: "Signatures",
        journey_step: JourneyStage::SignAgreement,
        guidance: "Each party's representative signs; the signed text is then frozen and a new version supersedes it.",
    },
    TemplateElement {
        code: "document",
        title: "Signed document",
        journey_step: JourneyStage::SignAgreement,
        guidance: "A link to the signed document, kept with the record.",
    },
];

/// The template element of `code`.
pub fn template(code: &str) -> Option<&'static TemplateElement> {
    TEMPLATE.iter().find(|e| e.code == code)
}

/// What the elements may name of the initiative: its partners among the agreement's parties,
/// and each contribution's partner.
pub(crate) struct Known<'a> {
    pub parties: &'a [Uuid],
    pub contribution_partner: &'a HashMap<Uuid, Uuid>,
}

fn text_list(c: &mut Checks, field: &str, items: Vec<String>) -> Vec<String> {
    if items.len() > MAX_ITEMS {
        c.push(
            field,
            "length",
            format!("must have at most {MAX_ITEMS} items"),
        );
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| c.required_text(&format!("{field}[{i}]"), item, MAX_ITEM))
        .collect()
}

fn party(c: &mut Checks, field: &str, id: Uuid, known: &Known<'_>) {
    if !known.parties.contains(&id) {
        c.push(field, "unknown_party", "must be a party to this agreement");
    }
}

/// Checks every element (each bad field named under `elements.`), trimming texts; blank
/// optional texts become none.
pub(crate) fn check(c: &mut Checks, e: AgreementElements, known: &Known<'_>) -> AgreementElements {
    let p = "elements";
    if e.representatives.len() > MAX_ITEMS {
        c.push(
            &format!("{p}.representatives"),
            "length",
            format!("must have at most {MAX_ITEMS} items"),
        );
    }
    let representatives = e
        .representatives
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let f = format!("{p}.representatives[{i}]");
            party(c, &format!("{f}.partner_id"), r.partner_id, known);
            Representative {
                partner_id: r.partner_id,
                name: c.required_name(&format!("{f}.name"), &r.name, MAX_NAME),
                title: c.optional_text(&format!("{f}.title"), r.title.as_deref(), MAX_NAME),
                level: r.level,
            }
        })
        .collect();
    if e.roles.len() > MAX_ITEMS {
        c.push(
            &format!("{p}.roles"),
            "length",
            format!("must have at most {MAX_ITEMS} items"),
        );
    }
    let roles = e
        .roles
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let f = format!("{p}.roles[{i}]");
            party(c, &format!("{f}.partner_id"), r.partner_id, known);
            for (j, id) in r.contribution_ids.iter().enumerate() {
                let field = format!("{f}.contribution_ids[{j}]");
                match known.contribution_partner.get(id) {
                    None => c.push(
                        &field,
                        "unknown_contribution",
                        "must be a contribution to this initiative",
                    ),
                    Some(owner) if *owner != r.partner_id => c.push(
                        &field,
                        "other_partner",
                        "is a contribution of another partner",
                    ),
                    Some(_) if r.contribution_ids[..j].contains(id) => {
                        c.push(&field, "duplicate", "names the same contribution twice")
                    }
                    Some(_) => {}
                }
            }
            PartyRole {
                partner_id: r.partner_id,
                responsibilities: c.required_text(
                    &format!("{f}.responsibilities"),
                    &r.responsibilities,
                    MAX_TEXT,
                ),
                contribution_ids: r.contribution_ids,
            }
        })
        .collect();
    let governance = e.governance.map(|g| Governance {
        decision_making: c.optional_text(
            &format!("{p}.governance.decision_making"),
            g.decision_making.as_deref(),
            MAX_TEXT,
        ),
        meetings: c.optional_text(
            &format!("{p}.governance.meetings"),
            g.meetings.as_deref(),
            MAX_TEXT,
        ),
        reporting: c.optional_text(
            &format!("{p}.governance.reporting"),
            g.reporting.as_deref(),
            MAX_TEXT,
        ),
    });
    let term = e.term.map(|t| {
        let starts = c.date(&format!("{p}.term.starts_on"), t.starts_on);
        let ends = c.date(&format!("{p}.term.ends_on"), t.ends_on);
        if let (true, true, Some(s), Some(end)) = (starts, ends, t.starts_on, t.ends_on)
            && end < s
        {
            c.push(
                &format!("{p}.term.ends_on"),
                "before_start",
                "must not be before starts_on",
            );
        }
        Term {
            starts_on: t.starts_on,
            ends_on: t.ends_on,
            review: c.optional_text(&format!("{p}.term.review"), t.review.as_deref(), MAX_TEXT),
            exit: c.optional_text(&format!("{p}.term.exit"), t.exit.as_deref(), MAX_TEXT),
        }
    });
    AgreementElements {
        representatives,
        context: c.optional_text(&format!("{p}.context"), e.context.as_deref(), MAX_TEXT),
        vision: c.optional_text(&format!("{p}.vision"), e.vision.as_deref(), MAX_TEXT),
        purpose: c.optional_text(&format!("{p}.purpose"), e.purpose.as_deref(), MAX_TEXT),
        objectives: text_list(c, &format!("{p}.objectives"), e.objectives),
        activities: text_list(c, &format!("{p}.activities"), e.activities),
        resources: c.optional_text(&format!("{p}.resources"), e.resources.as_deref(), MAX_TEXT),
        roles,
        governance,
        term,
    }
}
