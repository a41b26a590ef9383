//! The draft of a partnering agreement: its essential elements rendered as Markdown (filled from
//! the record: the initiative, the parties and their organisations, the contributions, the
//! signatures), each missing element marked with the journey step that produces it; and the same
//! draft as a self-contained, printable HTML page.
//!
//! Every text from the record is escaped for Markdown, and the HTML is made from the Markdown by
//! pulldown-cmark with raw HTML turned back into text, so nothing a user typed becomes markup.
//! The draft is in the reader's language: its headings, labels and marks come from the
//! registry's own translations ([`super::phrases`]); the texts from the record stay as written.

use std::{collections::HashMap, fmt::Write};

use entity::{
    contribution,
    enums::{AgreementStatus, JourneyStage},
    initiative_partner, organization,
};
use pulldown_cmark::{Event, Parser, html};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Agreement, Agreements,
    phrases::{fill, phrase},
};
use crate::{
    Caller, Registry, children, codes::code, error::ServiceResult, initiatives::access,
    language::Language, reference, reference::ReferenceKind, tenancy,
};

/// The draft of an agreement.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgreementDraft {
    pub agreement_id: Uuid,
    /// The agreement's version the draft shows.
    pub version: i32,
    /// The language of the draft's own text: headings, labels, marks (BCP 47). The texts from
    /// the record stay in the language they were written in.
    pub language: &'static str,
    /// The codes of the template's elements not yet agreed (see
    /// `/reference/agreement-template`).
    pub missing: Vec<&'static str>,
    pub title: String,
    pub markdown: String,
}

impl AgreementDraft {
    /// The draft as a printable HTML page (inline CSS, no scripts, nothing loaded).
    pub fn html(&self) -> String {
        let mut body = String::new();
        let events = Parser::new(&self.markdown).map(|e| match e {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            other => other,
        });
        html::push_html(&mut body, events);
        let mut title = String::new();
        html::push_html(
            &mut title,
            std::iter::once(Event::Text(self.title.as_str().into())),
        );
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
            lang = self.language,
            dir = if Language::from_tag(self.language).is_some_and(Language::is_rtl) {
                "rtl"
            } else {
                "ltr"
            },
        )
    }
}

const CSS: &str = "body{font-family:Georgia,'Times New Roman',serif;line-height:1.5;color:#111;margin:0;background:#fff}main{max-width:46rem;margin:2rem auto;padding:0 1.5rem}h1{font-size:1.8rem;border-bottom:2px solid #111;padding-bottom:.3rem}h2{font-size:1.2rem;margin-top:1.8rem;border-bottom:1px solid #bbb}em{color:#8a4b00}@media print{main{margin:0;max-width:none}h2{break-after:avoid}a{color:#111}}";

/// Escapes a text from the record for Markdown: every character with a meaning in Markdown is
/// backslash-escaped, and line breaks are kept as hard breaks.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        for ch in line.trim().chars() {
            if matches!(
                ch,
                '\\' | '`'
                    | '*'
                    | '_'
                    | '['
                    | ']'
                    | '<'
                    | '>'
                    | '#'
                    | '|'
                    | '~'
                    | '&'
                    | '!'
                    | '-'
                    | '+'
                    | '='
                    | '.'
                    | ')'
                    | '('
            ) {
                out.push('\\');
            }
            out.push(ch);
        }
    }
    out
}

/// The name of a journey step in the draft's language (its code for the key).
fn step(language: Language, stage: JourneyStage) -> String {
    let key = match stage {
        JourneyStage::UnderstandContext
        | JourneyStage::AgreeVision
        | JourneyStage::AgreePurpose
        | JourneyStage::AgreeObjectives
        | JourneyStage::AgreeResources
        | JourneyStage::Structure
        | JourneyStage::SignAgreement => code(&stage),
        _ => "later".into(),
    };
    phrase(language, &format!("step.{key}"))
}

/// The mark of a missing element (or part of one), with the step that produces it.
fn missing(language: Language, code: &str) -> String {
    let at = super::elements::template(code).map_or_else(
        || phrase(language, "step.later"),
        |e| step(language, e.journey_step),
    );
    format!("*{}*", fill(language, "not_agreed", &[("step", &at)]))
}

fn words<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

/// A vocabulary value in the draft's language: its code in words in English, else its
/// reference label there.
fn label<T: Serialize + Copy>(language: Language, kind: ReferenceKind, value: T) -> String {
    if language == Language::En {
        return words(value);
    }
    reference::label(kind, &code(&value), language).map_or_else(|| words(value), esc)
}

/// The draft's own text of an enum value: `{prefix}.{code}`.
fn named<T: Serialize>(language: Language, prefix: &str, value: &T) -> String {
    phrase(language, &format!("{prefix}.{}", code(value)))
}

struct Section<'a> {
    language: Language,
    out: &'a mut String,
    missing: &'a mut Vec<&'static str>,
    n: usize,
}

impl Section<'_> {
    fn heading(&mut self, code: &'static str) {
        self.n += 1;
        let title = phrase(self.language, &format!("title.{code}"));
        let _ = write!(self.out, "\n## {}\\. {}\n\n", self.n, esc(&title));
    }

    fn absent(&mut self, code: &'static str) {
        self.missing.push(code);
        let _ = writeln!(self.out, "{}", missing(self.language, code));
    }

    fn text(&mut self, code: &'static str, text: Option<&str>) {
        self.heading(code);
        match text {
            Some(t) => {
                let _ = writeln!(self.out, "{}", esc(t));
            }
            None => self.absent(code),
        }
    }
}

fn contribution_line(language: Language, c: &contribution::Model) -> String {
    let mut line = label(language, ReferenceKind::ResourceKinds, c.resource_kind);
    if let Some(d) = &c.description {
        let _ = write!(line, " — {}", esc(d));
    }
    if let (Some(amount), Some(currency)) = (&c.amount, &c.currency) {
        let _ = write!(line, " ({} {})", esc(amount), esc(currency));
    }
    let _ = write!(line, ", {}", named(language, "contribution", &c.status));
    line
}

/// Renders the draft of `a`, an agreement of the initiative titled `initiative`.
fn render(
    language: Language,
    a: &Agreement,
    initiative: &str,
    orgs: &HashMap<Uuid, organization::Model>,
    contributions: &[contribution::Model],
) -> AgreementDraft {
    let mut out = String::new();
    let mut absent = Vec::new();
    let name = |partner: Uuid| -> String {
        orgs.get(&partner)
            .map_or_else(|| phrase(language, "former_partner"), |o| esc(&o.name))
    };
    let e = &a.elements;
    let _ = writeln!(out, "# {}\n", esc(&a.title));
    let version = a.version.to_string();
    let intro = fill(
        language,
        "intro",
        &[
            ("kind", &named(language, "kind", &a.agreement_type)),
            ("initiative", &esc(initiative)),
            ("status", &named(language, "status", &a.status)),
            ("version", &version),
        ],
    );
    let _ = writeln!(out, "{intro}");
    if a.status == AgreementStatus::Draft {
        let _ = writeln!(out, "\n> {}", phrase(language, "draft_note"));
    }
    if let Some(next) = a.superseded_by {
        let id = next.to_string();
        let _ = writeln!(
            out,
            "\n> {}",
            fill(language, "superseded_by", &[("id", &id)])
        );
    }
    if let Some(old) = a.supersedes {
        let id = old.to_string();
        let _ = writeln!(out, "\n{}", fill(language, "supersedes", &[("id", &id)]));
    }
    let missing = |code: &str| missing(language, code);
    let mut s = Section {
        language,
        out: &mut out,
        missing: &mut absent,
        n: 0,
    };

    s.heading("parties");
    if a.parties.is_empty() {
        s.absent("parties");
    }
    for p in &a.parties {
        let sector = orgs
            .get(&p.partner_id)
            .map(|o| format!(" ({})", label(language, ReferenceKind::Sectors, o.sector)))
            .unwrap_or_default();
        let rep = e
            .representatives
            .iter()
            .find(|r| r.partner_id == p.partner_id);
        let line = match rep {
            Some(r) => format!(
                "{}{}, {}",
                fill(language, "represented_by", &[("name", &esc(&r.name))]),
                r.title
                    .as_deref()
                    .map(|t| format!(", {}", esc(t)))
                    .unwrap_or_default(),
                named(language, "level", &r.level)
            ),
            None => format!("*{}*", phrase(language, "representative_unnamed")),
        };
        let _ = writeln!(s.out, "- **{}**{sector} — {line}", esc(&p.name));
    }

    s.text("context", e.context.as_deref());
    s.text("vision", e.vision.as_deref());
    s.text("purpose", e.purpose.as_deref());

    s.heading("objectives");
    if e.objectives.is_empty() && e.activities.is_empty() {
        s.absent("objectives");
    } else {
        let _ = writeln!(s.out, "**{}**\n", phrase(language, "objectives"));
        if e.objectives.is_empty() {
            let _ = writeln!(s.out, "{}", missing("objectives"));
        }
        for (i, o) in e.objectives.iter().enumerate() {
            let _ = writeln!(s.out, "{}. {}", i + 1, esc(o));
        }
        let _ = writeln!(s.out, "\n**{}**\n", phrase(language, "activities"));
        if e.activities.is_empty() {
            let _ = writeln!(s.out, "{}", missing("objectives"));
        }
        for act in &e.activities {
            let _ = writeln!(s.out, "- {}", esc(act));
        }
    }

    s.heading("resources");
    if e.resources.is_none() && contributions.is_empty() {
        s.absent("resources");
    }
    if let Some(r) = &e.resources {
        let _ = writeln!(s.out, "{}\n", esc(r));
    }
    if !contributions.is_empty() {
        let _ = writeln!(s.out, "{}\n", phrase(language, "contributions"));
        for c in contributions {
            let _ = writeln!(
                s.out,
                "- **{}**: {}",
                name(c.partner_id),
                contribution_line(language, c)
            );
        }
    }

    s.heading("roles");
    if e.roles.is_empty() {
        s.absent("roles");
    }
    for r in &e.roles {
        let _ = writeln!(
            s.out,
            "- **{}**: {}",
            name(r.partner_id),
            esc(&r.responsibilities)
        );
        for id in &r.contribution_ids {
            if let Some(c) = contributions.iter().find(|c| c.id == *id) {
                let line = contribution_line(language, c);
                let _ = writeln!(
                    s.out,
                    "  - {}",
                    fill(language, "brings", &[("contribution", &line)])
                );
            }
        }
    }

    s.heading("governance");
    match &e.governance {
        None => s.absent("governance"),
        Some(g) => {
            for (key, value) in [
                ("decision_making", &g.decision_making),
                ("meetings", &g.meetings),
                ("reporting", &g.reporting),
            ] {
                let text = value.as_deref().map_or_else(|| missing("governance"), esc);
                let _ = writeln!(s.out, "- **{}:** {text}", phrase(language, key));
            }
        }
    }

    s.heading("term");
    match &e.term {
        None => s.absent("term"),
        Some(t) => {
            let (from, to) = (
                t.starts_on.map(|d| d.to_string()).unwrap_or_default(),
                t.ends_on.map(|d| d.to_string()).unwrap_or_default(),
            );
            let duration = match (t.starts_on, t.ends_on) {
                (Some(_), Some(_)) => fill(language, "from_to", &[("from", &from), ("to", &to)]),
                (Some(_), None) => fill(language, "from_open", &[("from", &from)]),
                (None, Some(_)) => fill(language, "until", &[("to", &to)]),
                (None, None) => missing("term"),
            };
            let _ = writeln!(s.out, "- **{}:** {duration}", phrase(language, "duration"));
            for (key, value) in [("review", &t.review), ("exit", &t.exit)] {
                let text = value.as_deref().map_or_else(|| missing("term"), esc);
                let _ = writeln!(s.out, "- **{}:** {text}", phrase(language, key));
            }
        }
    }

    s.heading("signatures");
    if a.parties.is_empty() && a.signatures.is_empty() {
        s.absent("signatures");
    } else if a.signatures.is_empty() && a.status == AgreementStatus::Draft {
        s.missing.push("signatures");
    }
    for p in &a.parties {
        let line = match a.signatures.iter().find(|x| x.partner_id == p.partner_id) {
            Some(sig) => {
                let date = sig.signed_at.date_naive().to_string();
                fill(
                    language,
                    "signed_by",
                    &[("name", &esc(&sig.representative)), ("date", &date)],
                )
            }
            None => format!("*{}*", phrase(language, "not_signed")),
        };
        let _ = writeln!(s.out, "- **{}** — {line}", esc(&p.name));
    }
    if let Some(on) = a.signed_on {
        let date = on.to_string();
        let _ = writeln!(
            s.out,
            "\n{}",
            fill(language, "signed_on", &[("date", &date)])
        );
    }

    s.heading("document");
    match &a.document_url {
        Some(url) => {
            let _ = writeln!(s.out, "<{url}>");
        }
        None => s.absent("document"),
    }

    AgreementDraft {
        agreement_id: a.id,
        version: a.version,
        language: language.tag(),
        missing: absent,
        title: a.title.clone(),
        markdown: out,
    }
}

impl Registry {
    /// The draft of an agreement the caller may read, filled from the record, its own text in
    /// `language`.
    pub async fn agreement_draft(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        language: Language,
    ) -> ServiceResult<AgreementDraft> {
        let initiative = access::readable(self.db(), caller, initiative_id).await?;
        let agreement = children::find::<Agreements, _>(self.db(), initiative_id, id).await?;
        let orgs: HashMap<Uuid, organization::Model> = initiative_partner::Entity::find()
            .filter(tenancy::child_of::<initiative_partner::Entity>(
                initiative_id,
            ))
            .find_also_related(organization::Entity)
            .all(self.db())
            .await?
            .into_iter()
            .filter_map(|(p, o)| o.map(|o| (p.id, o)))
            .collect();
        let contributions = contribution::Entity::find()
            .filter(tenancy::child_of::<contribution::Entity>(initiative_id))
            .order_by_asc(contribution::Column::CreatedAt)
            .order_by_asc(contribution::Column::Id)
            .all(self.db())
            .await?;
        // Only the contributions of the agreement's parties belong in its text.
        let contributions: Vec<_> = contributions
            .into_iter()
            .filter(|c| {
                agreement
                    .parties
                    .iter()
                    .any(|p| p.partner_id == c.partner_id)
            })
            .collect();
        Ok(render(
            language,
            &agreement,
            &initiative.title,
            &orgs,
            &contributions,
        ))
    }
}
