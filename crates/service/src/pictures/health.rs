//! An initiative's health as a chart of the six fundamentals: per fundamental a dot for each
//! partner's latest rating (1 to 5, one colour per partner, named in the legend), a bar for what
//! the registry's own records say (the report's evidence score), and the row flagged
//! `disagreement` when the partners' ratings spread by 3 or more. The description says how many
//! partners assessed, the weakest fundamental and where partners disagree.

use super::{
    chart::{self, Chart, Dot, Row, fit},
    labels::{label, sentence, vocabulary},
    svg::{Svg, num},
};
use crate::{
    health::{Filer, FundamentalHealth, HealthView},
    language::Language,
    reference::ReferenceKind,
};

const WIDTH: f64 = 860.0;
/// Room right of the chart for its longer value labels.
const VALUE_ROOM: f64 = 120.0;
/// The partners' colours, in the order of the legend (repeated past eight partners).
const COLOURS: [&str; 8] = [
    "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#2c3e50", "#b7950b", "#d63384",
];
const LEGEND_COLUMNS: usize = 3;
const LEGEND_ROW: f64 = 18.0;

fn colour(i: usize) -> &'static str {
    COLOURS[i % COLOURS.len()]
}

/// A filer's name: its organisation's, else "former partner".
fn name_of(filer: &Filer, lang: Language) -> String {
    filer
        .name
        .clone()
        .unwrap_or_else(|| label(lang, "former_partner").to_owned())
}

/// What a row says after its dots: the partners' mean, the records' score, the flag.
fn value_of(f: &FundamentalHealth, lang: Language) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &f.self_assessment {
        parts.push(format!("{} {}", label(lang, "mean"), s.mean));
    }
    if let Some(e) = f.evidence_score {
        parts.push(format!("{} {e}", label(lang, "evidence")));
    }
    if f.self_assessment.as_ref().is_some_and(|s| s.disagreement) {
        parts.push(label(lang, "disagree").to_owned());
    }
    if parts.is_empty() {
        return label(lang, "not_rated").to_owned();
    }
    parts.join(" · ")
}

/// The health picture of `view` in `lang`.
pub fn draw(view: &HealthView, lang: Language) -> String {
    let report = &view.report;
    let name = |code: &str| vocabulary(lang, ReferenceKind::Fundamentals, code);
    let mut svg = Svg::new(lang);
    let heading = format!("{}: {}", label(lang, "health_title"), view.initiative.title);
    svg.text(
        12.0,
        24.0,
        &[
            ("class", "heading"),
            ("font-size", "16"),
            ("font-weight", "bold"),
        ],
        &heading,
    );
    let rows = report
        .fundamentals
        .iter()
        .map(|f| Row {
            key: f.code.clone(),
            label: name(&f.code),
            bar: f.evidence_score,
            value_label: value_of(f, lang),
            dots: view
                .filers
                .iter()
                .enumerate()
                .filter_map(|(i, filer)| {
                    let rating = filer.ratings.iter().find(|r| r.code == f.code)?;
                    let mut title = format!("{}: {}", name_of(filer, lang), rating.rating);
                    if let Some(note) = &rating.note {
                        title.push_str(&format!(" ({note})"));
                    }
                    Some(Dot {
                        value: f64::from(rating.rating),
                        label: title,
                        key: Some(filer.partner_id.map(|p| p.to_string()).unwrap_or_default()),
                        fill: Some(colour(i)),
                    })
                })
                .collect(),
            flag: f
                .self_assessment
                .as_ref()
                .is_some_and(|s| s.disagreement)
                .then_some("disagreement"),
        })
        .collect();
    let chart = Chart {
        heading: label(lang, "fundamentals_heading"),
        class: "fundamentals",
        max: Some(5.0),
        ticks: vec![1.0, 2.0, 3.0, 4.0, 5.0],
        rows,
    };
    let mut y = 40.0;
    y += chart::draw(&mut svg, &chart, 12.0, y, WIDTH - 24.0 - VALUE_ROOM) + 18.0;
    svg.text(
        12.0,
        y,
        &[("class", "legend-text"), ("font-size", "11")],
        label(lang, "health_legend"),
    );
    y += 8.0;
    if view.filers.is_empty() {
        y += 18.0;
        svg.text(
            12.0,
            y,
            &[("class", "no-assessments"), ("font-style", "italic")],
            label(lang, "no_assessments"),
        );
    } else {
        // The legend: each partner's colour and name.
        svg.open("g", &[("class", "legend")]);
        for (i, filer) in view.filers.iter().enumerate() {
            let x = 12.0 + (i % LEGEND_COLUMNS) as f64 * 280.0;
            let top = y + (i / LEGEND_COLUMNS) as f64 * LEGEND_ROW;
            let key = filer.partner_id.map(|p| p.to_string()).unwrap_or_default();
            let name = name_of(filer, lang);
            svg.open("g", &[("class", "legend-item"), ("data-key", &key)]);
            svg.title(&name);
            svg.empty(
                "circle",
                &[
                    ("class", "swatch"),
                    ("cx", &num(x + 5.0)),
                    ("cy", &num(top + 9.0)),
                    ("r", "5"),
                    ("fill", colour(i)),
                ],
            );
            svg.text(
                x + 16.0,
                top + 13.0,
                &[("class", "legend-label")],
                &fit(&name),
            );
            svg.close("g");
        }
        svg.close("g");
        y += view.filers.len().div_ceil(LEGEND_COLUMNS) as f64 * LEGEND_ROW;
    }
    let mut desc = if view.filers.is_empty() {
        label(lang, "no_assessments").to_owned()
    } else {
        sentence(
            lang,
            "health_assessed",
            &[("p", view.filers.len().to_string())],
        )
    };
    if let Some(weakest) = &report.suggestion {
        let score = report
            .fundamentals
            .iter()
            .find(|f| f.code == weakest.fundamental)
            .and_then(|f| f.score)
            .unwrap_or_default();
        desc.push(' ');
        desc.push_str(&sentence(
            lang,
            "health_weakest",
            &[("f", name(&weakest.fundamental)), ("s", score.to_string())],
        ));
    }
    if !report.disagreements.is_empty() {
        let list: Vec<String> = report.disagreements.iter().map(|c| name(c)).collect();
        desc.push(' ');
        desc.push_str(&sentence(
            lang,
            "health_disagree",
            &[("list", list.join(label(lang, "list_separator")))],
        ));
    } else if view.filers.len() > 1 {
        desc.push(' ');
        desc.push_str(label(lang, "health_agree"));
    }
    svg.finish("msp-health", WIDTH, y + 12.0, &heading, &desc)
}
