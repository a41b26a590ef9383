//! A generic horizontal chart: one row per item, each with a label, an optional bar and any
//! number of dots on one scale (contributions per resource kind draw bars; the health report's
//! fundamentals with each partner's rating draw dots over the registry's evidence as a bar).
//! Every row is a `<g class="row">` holding a `<title>` that says its label and value in words.

use super::svg::{Svg, num};

/// A dot on a row: a value on the chart's scale and what it stands for (its `<title>`). Dots of
/// one row with the same value are drawn side by side, so none hides another.
#[derive(Default)]
pub struct Dot {
    pub value: f64,
    pub label: String,
    /// A stable key of what it stands for (a partner's id), as `data-key`.
    pub key: Option<String>,
    /// Its colour; the chart's own when `None`.
    pub fill: Option<&'static str>,
}

#[derive(Default)]
pub struct Row {
    /// A stable key of the row (a resource kind's code, a partner's id), as `data-key`.
    pub key: String,
    pub label: String,
    /// The bar's length on the scale; `None` draws no bar.
    pub bar: Option<f64>,
    /// The value as people read it, after the bar (`3`, `1500.00 USD (60%)`).
    pub value_label: String,
    pub dots: Vec<Dot>,
    /// A further class of the row's `<g>` (`disagreement`), beside `row`.
    pub flag: Option<&'static str>,
}

#[derive(Default)]
pub struct Chart<'a> {
    pub heading: &'a str,
    /// A class naming the chart (`by-kind`), on its `<g>`.
    pub class: &'a str,
    /// The end of the scale; the largest bar or dot when `None`.
    pub max: Option<f64>,
    /// Values marked on the scale, each with a faint line through the rows and its number on
    /// the heading's line (none for most charts).
    pub ticks: Vec<f64>,
    pub rows: Vec<Row>,
}

/// Layout of a chart.
pub const ROW_HEIGHT: f64 = 22.0;
const HEADING_HEIGHT: f64 = 26.0;
const LABEL_WIDTH: f64 = 220.0;
const VALUE_WIDTH: f64 = 170.0;

/// The most characters of a row's label drawn (its tooltip has it whole).
const LABEL_CHARS: usize = 32;
/// How far apart dots of one value on one row are drawn.
const DOT_SPREAD: f64 = 8.0;

/// `label` cut to what fits beside the bars, with an ellipsis when cut.
pub(super) fn fit(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut cut: String = label.chars().take(LABEL_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// Draws `chart` at (`x`, `y`), `width` wide; answers the height it took.
pub fn draw(svg: &mut Svg, chart: &Chart<'_>, x: f64, y: f64, width: f64) -> f64 {
    let max = chart.max.unwrap_or_else(|| {
        chart
            .rows
            .iter()
            .flat_map(|r| r.bar.into_iter().chain(r.dots.iter().map(|d| d.value)))
            .fold(0.0, f64::max)
    });
    let scale_width = (width - LABEL_WIDTH - VALUE_WIDTH).max(40.0);
    let at = |value: f64| {
        if max > 0.0 {
            (value / max).clamp(0.0, 1.0) * scale_width
        } else {
            0.0
        }
    };
    svg.open("g", &[("class", &format!("chart {}", chart.class))]);
    svg.text(
        x,
        y + 16.0,
        &[("class", "heading"), ("font-weight", "bold")],
        chart.heading,
    );
    let mut top = y + HEADING_HEIGHT;
    let bottom = top + chart.rows.len() as f64 * ROW_HEIGHT;
    if !chart.ticks.is_empty() {
        svg.open("g", &[("class", "ticks")]);
        for tick in &chart.ticks {
            let tick_x = x + LABEL_WIDTH + at(*tick);
            svg.empty(
                "line",
                &[
                    ("x1", &num(tick_x)),
                    ("x2", &num(tick_x)),
                    ("y1", &num(top)),
                    ("y2", &num(bottom)),
                    ("stroke", "#dddddd"),
                ],
            );
            svg.text(
                tick_x,
                y + 16.0,
                &[
                    ("class", "tick"),
                    ("text-anchor", "middle"),
                    ("font-size", "10"),
                ],
                &tick.to_string(),
            );
        }
        svg.close("g");
    }
    for row in &chart.rows {
        let class = match row.flag {
            Some(flag) => format!("row {flag}"),
            None => "row".to_owned(),
        };
        svg.open("g", &[("class", &class), ("data-key", &row.key)]);
        svg.title(&format!("{}: {}", row.label, row.value_label));
        svg.text(x, top + 15.0, &[("class", "label")], &fit(&row.label));
        let bar_x = x + LABEL_WIDTH;
        let length = row.bar.map(at).unwrap_or(0.0);
        if let Some(value) = row.bar {
            svg.empty(
                "rect",
                &[
                    ("class", "bar"),
                    ("x", &num(bar_x)),
                    ("y", &num(top + 4.0)),
                    ("width", &num(at(value))),
                    ("height", &num(ROW_HEIGHT - 8.0)),
                    ("fill", "#3b6ea8"),
                    ("data-value", &value.to_string()),
                ],
            );
        }
        for (i, dot) in row.dots.iter().enumerate() {
            let same = |d: &Dot| d.value == dot.value;
            let before = row.dots[..i].iter().filter(|d| same(d)).count() as f64;
            let all = row.dots.iter().filter(|d| same(d)).count() as f64;
            let cx = bar_x + at(dot.value) + (before - (all - 1.0) / 2.0) * DOT_SPREAD;
            let value = dot.value.to_string();
            let mut attrs = vec![
                ("class", "dot".to_owned()),
                ("cx", num(cx)),
                ("cy", num(top + ROW_HEIGHT / 2.0)),
                ("r", "5".to_owned()),
                ("fill", dot.fill.unwrap_or("#d9822b").to_owned()),
                ("stroke", "#ffffff".to_owned()),
                ("data-value", value),
            ];
            if let Some(key) = &dot.key {
                attrs.push(("data-key", key.clone()));
            }
            let attrs: Vec<(&str, &str)> = attrs.iter().map(|(n, v)| (*n, v.as_str())).collect();
            svg.open("circle", &attrs);
            svg.title(&dot.label);
            svg.close("circle");
        }
        // After the bar, or past the scale's end (and the dots spread around it).
        let value_x = bar_x
            + if row.dots.is_empty() {
                length + 6.0
            } else {
                length.max(scale_width) + 16.0
            };
        svg.text(value_x, top + 15.0, &[("class", "value")], &row.value_label);
        svg.close("g");
        top += ROW_HEIGHT;
    }
    svg.close("g");
    top - y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;

    #[test]
    fn rows_draw_bars_and_dots_on_one_scale() {
        let mut svg = Svg::new(Language::En);
        let chart = Chart {
            heading: "Fundamentals",
            class: "health",
            max: Some(5.0),
            rows: vec![Row {
                key: "value_creation".into(),
                label: "Value creation".into(),
                bar: Some(2.5),
                value_label: "2.5".into(),
                dots: vec![
                    Dot {
                        value: 1.0,
                        label: "Ministry: 1".into(),
                        ..Dot::default()
                    },
                    Dot {
                        value: 5.0,
                        label: "Operator: 5".into(),
                        ..Dot::default()
                    },
                ],
                flag: None,
            }],
            ticks: Vec::new(),
        };
        let height = draw(&mut svg, &chart, 0.0, 0.0, 600.0);
        assert_eq!(height, 26.0 + ROW_HEIGHT);
        let out = svg.finish("t", 600.0, height, "T", "D");
        assert_eq!(out.matches("class=\"dot\"").count(), 2);
        // The scale is 600 - 220 - 170 = 210 wide: half of it for 2.5 of 5.
        assert!(
            out.contains("class=\"bar\" x=\"220\" y=\"30\" width=\"105\""),
            "{out}"
        );
        assert!(out.contains("<title>Operator: 5</title>"));
    }

    #[test]
    fn dots_of_one_value_sit_side_by_side() {
        let mut svg = Svg::new(Language::En);
        let dot = |label: &str| Dot {
            value: 5.0,
            label: label.into(),
            ..Dot::default()
        };
        let chart = Chart {
            max: Some(5.0),
            rows: vec![Row {
                dots: vec![dot("a"), dot("b")],
                flag: Some("disagreement"),
                ..Row::default()
            }],
            ..Chart::default()
        };
        draw(&mut svg, &chart, 0.0, 0.0, 600.0);
        let out = svg.finish("t", 600.0, 100.0, "T", "D");
        // The end of the scale is x = 220 + 210 = 430: the two dots 8 apart around it.
        assert!(out.contains("cx=\"426\""), "{out}");
        assert!(out.contains("cx=\"434\""), "{out}");
        assert!(out.contains("class=\"row disagreement\""));
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(fit("Bank"), "Bank");
        let long = "A very long organisation name that never ends";
        assert_eq!(fit(long).chars().count(), LABEL_CHARS);
        assert!(fit(long).ends_with('…'));
    }
}
