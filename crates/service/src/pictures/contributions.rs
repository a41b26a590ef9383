//! What an initiative's contributions add up to, as bar charts: one bar per resource kind (how
//! many contributions, with their amounts), then per currency one bar per partner (its total and
//! share; amounts in different currencies are never added up), and the partners whose
//! contributions were not valued.

use std::collections::BTreeSet;

use super::{
    chart::{self, Chart, Row},
    labels::{label, sentence, vocabulary},
    svg::Svg,
};
use crate::{
    codes::code, contributions::ContributionTotals, language::Language, reference::ReferenceKind,
};

const WIDTH: f64 = 760.0;

fn amount(text: &str) -> f64 {
    text.parse::<f64>().unwrap_or(0.0)
}

fn percent(share: &str) -> String {
    format!("{:.0}%", amount(share) * 100.0)
}

/// The contributions picture of the initiative `title` with `totals`, in `lang`.
pub fn draw(title: &str, totals: &ContributionTotals, lang: Language) -> String {
    let mut svg = Svg::new(lang);
    let heading = format!("{}: {title}", label(lang, "contributions_title"));
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
    let mut y = 40.0;
    let kinds = Chart {
        heading: label(lang, "by_kind"),
        class: "by-kind",
        max: None,
        ticks: Vec::new(),
        rows: totals
            .by_kind
            .iter()
            .map(|k| {
                let kind = code(&k.resource_kind);
                let mut value = k.count.to_string();
                for a in &k.amounts {
                    value.push_str(&format!(" · {} {}", a.total, a.currency));
                }
                Row {
                    label: vocabulary(lang, ReferenceKind::ResourceKinds, &kind),
                    key: kind,
                    bar: Some(k.count as f64),
                    value_label: value,
                    dots: Vec::new(),
                    flag: None,
                }
            })
            .collect(),
    };
    y += chart::draw(&mut svg, &kinds, 12.0, y, WIDTH - 24.0) + 12.0;
    let currencies: BTreeSet<&str> = totals
        .by_partner
        .iter()
        .flat_map(|p| p.amounts.iter().map(|a| a.currency.as_str()))
        .collect();
    for currency in currencies {
        let heading = format!("{} ({currency})", label(lang, "by_partner"));
        let rows = totals
            .by_partner
            .iter()
            .filter_map(|p| {
                let a = p.amounts.iter().find(|a| a.currency == currency)?;
                Some(Row {
                    key: p.partner_id.to_string(),
                    label: p.organization_name.clone(),
                    bar: Some(amount(&a.total)),
                    value_label: format!("{} {currency} ({})", a.total, percent(&a.share)),
                    dots: Vec::new(),
                    flag: None,
                })
            })
            .collect();
        let chart = Chart {
            heading: &heading,
            class: "by-partner",
            max: None,
            ticks: Vec::new(),
            rows,
        };
        y += chart::draw(&mut svg, &chart, 12.0, y, WIDTH - 24.0) + 12.0;
    }
    let unvalued: Vec<Row> = totals
        .by_partner
        .iter()
        .filter(|p| p.amounts.is_empty())
        .map(|p| Row {
            key: p.partner_id.to_string(),
            label: p.organization_name.clone(),
            bar: None,
            value_label: label(lang, "not_valued").to_owned(),
            dots: Vec::new(),
            flag: None,
        })
        .collect();
    if !unvalued.is_empty() {
        let heading = format!(
            "{} ({})",
            label(lang, "by_partner"),
            label(lang, "not_valued")
        );
        let chart = Chart {
            heading: &heading,
            class: "by-partner unvalued",
            max: None,
            ticks: Vec::new(),
            rows: unvalued,
        };
        y += chart::draw(&mut svg, &chart, 12.0, y, WIDTH - 24.0) + 12.0;
    }
    let count: u64 = totals.by_kind.iter().map(|k| k.count).sum();
    let mut desc = sentence(
        lang,
        "contributions_desc",
        &[
            ("n", count.to_string()),
            ("k", totals.by_kind.len().to_string()),
            ("p", totals.by_partner.len().to_string()),
        ],
    );
    for c in &totals.by_currency {
        desc.push_str(&format!(" {} {}.", c.total, c.currency));
    }
    svg.finish("msp-contributions", WIDTH, y + 8.0, &heading, &desc)
}
