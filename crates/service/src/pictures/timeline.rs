//! The partnership journey of an initiative as a timeline: the twelve stages are the rows, time
//! runs left to right, and each dated stage change is a marker on the row of the stage it moved
//! to, joined by a step line in date order.

use chrono::NaiveDate;

use super::{
    labels::{label, sentence, vocabulary},
    svg::{Svg, num},
};
use crate::{
    initiatives::{InitiativeDetail, journey},
    language::Language,
    reference::ReferenceKind,
};

const WIDTH: f64 = 860.0;
const LEFT: f64 = 240.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 50.0;
const ROW: f64 = 24.0;

/// The journey picture of `detail` in `lang`.
pub fn draw(detail: &InitiativeDetail, lang: Language) -> String {
    let initiative = &detail.initiative;
    let mut changes: Vec<_> = detail.stage_changes.iter().collect();
    changes.sort_by_key(|c| (c.changed_on, c.changed_at));
    let first = changes
        .first()
        .map(|c| c.changed_on)
        .unwrap_or(initiative.stage_changed_on);
    let last = changes
        .last()
        .map(|c| c.changed_on)
        .unwrap_or(initiative.stage_changed_on);
    let span = (last - first).num_days().max(0) as f64;
    let plot = WIDTH - LEFT - RIGHT;
    let x_of = |on: NaiveDate| {
        if span == 0.0 {
            LEFT + plot / 2.0
        } else {
            LEFT + (on - first).num_days() as f64 / span * plot
        }
    };
    let y_of = |stage| TOP + journey::position(stage) as f64 * ROW + ROW / 2.0;
    let height = TOP + journey::ORDER.len() as f64 * ROW + 40.0;

    let mut svg = Svg::new(lang);
    svg.text(
        12.0,
        24.0,
        &[
            ("class", "heading"),
            ("font-size", "16"),
            ("font-weight", "bold"),
        ],
        &format!("{}: {}", label(lang, "journey_title"), initiative.title),
    );
    // The rows: one per stage, named in the reader's language.
    svg.open("g", &[("class", "stages")]);
    for stage in journey::ORDER {
        let code = journey::name(stage);
        let y = y_of(stage);
        let current = stage == initiative.stage;
        svg.open(
            "g",
            &[
                ("class", if current { "stage current" } else { "stage" }),
                ("data-stage", &code),
            ],
        );
        svg.text(
            12.0,
            y + 4.0,
            &[
                ("class", "stage-name"),
                ("font-weight", if current { "bold" } else { "normal" }),
            ],
            &vocabulary(lang, ReferenceKind::JourneyStages, &code),
        );
        svg.empty(
            "line",
            &[
                ("x1", &num(LEFT)),
                ("x2", &num(WIDTH - RIGHT)),
                ("y1", &num(y)),
                ("y2", &num(y)),
                ("stroke", "#dddddd"),
            ],
        );
        svg.close("g");
    }
    svg.close("g");
    // The step line through the changes, then one marker per change with its date.
    if changes.len() > 1 {
        let mut d = String::new();
        for (i, c) in changes.iter().enumerate() {
            let (x, y) = (num(x_of(c.changed_on)), num(y_of(c.to)));
            d.push_str(&if i == 0 {
                format!("M{x},{y}")
            } else {
                format!("H{x}V{y}")
            });
        }
        svg.empty(
            "path",
            &[
                ("class", "journey"),
                ("d", &d),
                ("fill", "none"),
                ("stroke", "#3b6ea8"),
                ("stroke-width", "2"),
            ],
        );
    }
    for (i, c) in changes.iter().enumerate() {
        let code = journey::name(c.to);
        let date = c.changed_on.to_string();
        let (x, y) = (x_of(c.changed_on), y_of(c.to));
        svg.open(
            "g",
            &[
                ("class", "stage-change"),
                ("data-stage", &code),
                ("data-date", &date),
            ],
        );
        let mut title = format!(
            "{date}: {}",
            vocabulary(lang, ReferenceKind::JourneyStages, &code)
        );
        if let Some(reason) = &c.reason {
            title.push_str(&format!(" ({reason})"));
        }
        svg.title(&title);
        svg.empty(
            "circle",
            &[
                ("cx", &num(x)),
                ("cy", &num(y)),
                ("r", "5"),
                ("fill", "#3b6ea8"),
            ],
        );
        // Dates alternate above and below their marker so neighbours do not overlap.
        let dy = if i % 2 == 0 { -9.0 } else { 17.0 };
        svg.text(
            x,
            y + dy,
            &[
                ("class", "date"),
                ("text-anchor", "middle"),
                ("font-size", "10"),
            ],
            &date,
        );
        svg.close("g");
    }
    let current = vocabulary(
        lang,
        ReferenceKind::JourneyStages,
        &journey::name(initiative.stage),
    );
    let desc = sentence(
        lang,
        "journey_desc",
        &[
            ("n", changes.len().to_string()),
            ("from", first.to_string()),
            ("to", last.to_string()),
            ("stage", current),
        ],
    );
    let title = format!("{}: {}", label(lang, "journey_title"), initiative.title);
    svg.finish("msp-journey", WIDTH, height, &title, &desc)
}
