//! The world map of the WSIS showcase: each country of Natural Earth's 110m admin-0 boundaries
//! (public domain; `data/countries-110m.svgpaths`, made once by
//! `scripts/pictures/natural-earth-svgpaths.mjs`) is a `<path>` filled by its state in the
//! caller's showcase table (designated showcase, eligible initiative, initiatives but none
//! eligible, none), titled with its name and state; a legend counts the countries in each state.

use std::{collections::HashMap, sync::LazyLock};

use super::{
    labels::{label, sentence},
    svg::{Svg, num},
};
use crate::{
    language::Language,
    showcase::{CountryShowcase, ShowcaseTable},
};

const DATA: &str = include_str!("../../data/countries-110m.svgpaths");
const MAP_WIDTH: f64 = 960.0;
const MAP_HEIGHT: f64 = 470.0;
const TOP: f64 = 34.0;

/// A country's state on the map, most telling first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Designated,
    Eligible,
    Initiatives,
    None,
}

impl State {
    pub const ALL: [State; 4] = [
        State::Designated,
        State::Eligible,
        State::Initiatives,
        State::None,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Designated => "designated",
            State::Eligible => "eligible",
            State::Initiatives => "initiatives",
            State::None => "none",
        }
    }

    fn fill(self) -> &'static str {
        match self {
            State::Designated => "#1a7f4b",
            State::Eligible => "#7cc48f",
            State::Initiatives => "#f2c14e",
            State::None => "#d9d9d9",
        }
    }

    pub fn of(line: &CountryShowcase) -> State {
        if !line.designations.is_empty() {
            State::Designated
        } else if !line.eligible.is_empty() {
            State::Eligible
        } else if line.initiative_count > 0 {
            State::Initiatives
        } else {
            State::None
        }
    }
}

/// One shape of the map: its ISO 3166-1 alpha-2 code (none for the few without one) and path.
struct Shape {
    code: Option<&'static str>,
    name: String,
    path: &'static str,
}

struct Map {
    sphere: &'static str,
    shapes: Vec<Shape>,
}

static MAP: LazyLock<Map> = LazyLock::new(|| {
    let mut sphere = "";
    let mut shapes = Vec::new();
    for line in DATA.lines().filter(|l| !l.starts_with('#')) {
        let Some((id, path)) = line.split_once(' ') else {
            continue;
        };
        if id == "sphere" {
            sphere = path;
            continue;
        }
        let country = celes::Country::from_code(id).ok();
        shapes.push(Shape {
            code: country.map(|c| c.alpha2),
            name: country.map(|c| c.long_name.to_owned()).unwrap_or_default(),
            path,
        });
    }
    Map { sphere, shapes }
});

/// The ISO 3166-1 alpha-2 codes of the countries the map draws.
pub fn drawn_countries() -> Vec<&'static str> {
    MAP.shapes.iter().filter_map(|s| s.code).collect()
}

/// The showcase map of `table` in `lang`.
pub fn draw(table: &ShowcaseTable, lang: Language) -> String {
    let lines: HashMap<&str, &CountryShowcase> = table
        .countries
        .iter()
        .map(|c| (c.country.as_str(), c))
        .collect();
    // The legend counts the table's countries in each state (also those too small to be drawn)
    // and, for `none`, the drawn countries in none of the others.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in &table.countries {
        *counts.entry(State::of(line).code()).or_default() += 1;
    }
    let bare = MAP
        .shapes
        .iter()
        .filter_map(|s| s.code)
        .filter(|code| lines.get(code).is_none_or(|l| State::of(l) == State::None))
        .count();
    counts.insert(State::None.code(), bare);
    let count = |s: State| counts.get(s.code()).copied().unwrap_or(0);
    let mut svg = Svg::new(lang);
    let title = label(lang, "map_title");
    svg.text(
        12.0,
        22.0,
        &[
            ("class", "heading"),
            ("font-size", "16"),
            ("font-weight", "bold"),
        ],
        title,
    );
    svg.open("g", &[("transform", &format!("translate(0,{})", num(TOP)))]);
    svg.empty(
        "path",
        &[
            ("class", "sphere"),
            ("d", MAP.sphere),
            ("fill", "#eef4fa"),
            ("stroke", "#b0c4d8"),
        ],
    );
    svg.open(
        "g",
        &[
            ("class", "countries"),
            ("stroke", "#ffffff"),
            ("stroke-width", "0.5"),
        ],
    );
    for shape in &MAP.shapes {
        let Some(code) = shape.code else {
            svg.empty(
                "path",
                &[("class", "land"), ("d", shape.path), ("fill", "#d9d9d9")],
            );
            continue;
        };
        let line = lines.get(code);
        let state = line.map(|l| State::of(l)).unwrap_or(State::None);
        let name = line
            .map(|l| l.country_name.as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or(&shape.name);
        svg.open(
            "path",
            &[
                ("class", &format!("country {}", state.code())),
                ("data-country", code),
                ("data-state", state.code()),
                ("d", shape.path),
                ("fill", state.fill()),
            ],
        );
        svg.title(&format!("{name}: {}", label(lang, state.code())));
        svg.close("path");
    }
    svg.close("g");
    svg.close("g");
    // The legend: a swatch, the state's name and how many countries are in it.
    let legend_y = TOP + MAP_HEIGHT + 12.0;
    svg.open("g", &[("class", "legend")]);
    for (i, state) in State::ALL.into_iter().enumerate() {
        let x = 12.0 + i as f64 * 236.0;
        let n = count(state).to_string();
        svg.open(
            "g",
            &[
                ("class", "legend-item"),
                ("data-state", state.code()),
                ("data-count", &n),
            ],
        );
        svg.empty(
            "rect",
            &[
                ("x", &num(x)),
                ("y", &num(legend_y)),
                ("width", "14"),
                ("height", "14"),
                ("fill", state.fill()),
            ],
        );
        svg.text(
            x + 20.0,
            legend_y + 12.0,
            &[("class", "legend-label")],
            &format!("{} ({n})", label(lang, state.code())),
        );
        svg.close("g");
    }
    svg.close("g");
    let desc = sentence(
        lang,
        "map_desc",
        &[
            ("d", count(State::Designated).to_string()),
            ("e", count(State::Eligible).to_string()),
            ("i", count(State::Initiatives).to_string()),
        ],
    );
    svg.finish("msp-showcase-map", MAP_WIDTH, legend_y + 30.0, title, &desc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_draws_the_countries_by_their_alpha2_codes() {
        let drawn = drawn_countries();
        assert!(drawn.len() > 170, "{}", drawn.len());
        for code in ["FR", "ML", "BR", "MK", "LK", "XK", "US", "CN"] {
            assert!(drawn.contains(&code), "{code}");
        }
        assert!(!MAP.sphere.is_empty());
    }
}
