//! Stakeholder mapping (DOMAIN.md, "Stakeholders"): each partner and prospect of an initiative
//! plotted by its *interest* in and *influence* over the issue, on a 2x2 grid — manage closely,
//! keep satisfied, keep informed, monitor. Former partners are left out; partners whose interest
//! or influence was never recorded are listed apart, with the reason.
//!
//! The map comes as data ([`StakeholderMap`]) and as an SVG picture a portal can embed
//! ([`render_svg`]): a deterministic drawing with the four quadrants, labelled axes, one mark per
//! stakeholder coloured by sector, a legend, and a tooltip on every mark.

use std::{collections::BTreeMap, fmt::Write};

use entity::{
    enums::{PartnerRole, PartnerStatus, Sector, Visibility},
    initiative_partner, organization,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, Registry, error::ServiceResult, initiatives::access,
    initiatives::derived::SECTOR_ORDER, partners::OrganizationRef,
};

/// The lowest value of the interest and influence scales.
pub const SCALE_MIN: u8 = 1;
/// The highest value of the interest and influence scales.
pub const SCALE_MAX: u8 = 5;
/// Interest at or above this is high (the right half of the grid).
pub const HIGH_INTEREST: u8 = 3;
/// Influence at or above this is high (the top half of the grid).
pub const HIGH_INFLUENCE: u8 = 3;

/// A quadrant of the interest/influence grid, and what to do with the stakeholders in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// High influence, high interest: key players, engage fully.
    ManageClosely,
    /// High influence, low interest: keep content, without overloading them.
    KeepSatisfied,
    /// Low influence, high interest: keep them informed, they are often useful allies.
    KeepInformed,
    /// Low influence, low interest: watch, with minimum effort.
    Monitor,
}

impl Quadrant {
    pub const ALL: [Quadrant; 4] = [
        Quadrant::ManageClosely,
        Quadrant::KeepSatisfied,
        Quadrant::KeepInformed,
        Quadrant::Monitor,
    ];

    /// The quadrant of an interest and an influence (each 1 to 5).
    pub fn of(interest: u8, influence: u8) -> Quadrant {
        match (influence >= HIGH_INFLUENCE, interest >= HIGH_INTEREST) {
            (true, true) => Quadrant::ManageClosely,
            (true, false) => Quadrant::KeepSatisfied,
            (false, true) => Quadrant::KeepInformed,
            (false, false) => Quadrant::Monitor,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Quadrant::ManageClosely => "manage_closely",
            Quadrant::KeepSatisfied => "keep_satisfied",
            Quadrant::KeepInformed => "keep_informed",
            Quadrant::Monitor => "monitor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Quadrant::ManageClosely => "Manage closely",
            Quadrant::KeepSatisfied => "Keep satisfied",
            Quadrant::KeepInformed => "Keep informed",
            Quadrant::Monitor => "Monitor",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Quadrant::ManageClosely => {
                "High influence and high interest: key players to engage fully and consult often."
            }
            Quadrant::KeepSatisfied => {
                "High influence, low interest: keep them satisfied without overloading them."
            }
            Quadrant::KeepInformed => {
                "Low influence, high interest: keep them informed; they are often useful allies."
            }
            Quadrant::Monitor => "Low influence and low interest: monitor with minimum effort.",
        }
    }

    fn high_influence(self) -> bool {
        matches!(self, Quadrant::ManageClosely | Quadrant::KeepSatisfied)
    }

    fn high_interest(self) -> bool {
        matches!(self, Quadrant::ManageClosely | Quadrant::KeepInformed)
    }
}

/// The map of an initiative's stakeholders.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StakeholderMap {
    pub initiative_id: Uuid,
    pub initiative_title: String,
    /// The initiative's version the map was drawn from (the ETag follows it).
    pub version: i32,
    pub visibility: Visibility,
    pub thresholds: Thresholds,
    /// The four quadrants, with how many stakeholders each holds.
    pub quadrants: Vec<QuadrantSummary>,
    /// Active partners and prospects with both interest and influence, by quadrant (manage
    /// closely first), then by influence and interest (highest first), then by name.
    pub stakeholders: Vec<Stakeholder>,
    /// Active partners and prospects that cannot be placed, with the reason.
    pub unplaced: Vec<UnplacedStakeholder>,
    /// Latest change of a listed organisation (milliseconds), so the ETag follows renames.
    #[serde(skip)]
    organizations_stamp: i64,
}

impl StakeholderMap {
    /// A token that changes whenever the map may: with the initiative's version (every partner
    /// change raises it) and with any change to a listed organisation.
    pub fn cache_key(&self) -> String {
        format!("{}-{:x}", self.version, self.organizations_stamp)
    }
}

/// Where the grid is split: at or above each threshold is "high".
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
pub struct Thresholds {
    #[schema(example = 3)]
    pub interest: u8,
    #[schema(example = 3)]
    pub influence: u8,
    /// Both scales run from 1 (low) to 5 (high).
    #[schema(example = 1)]
    pub scale_min: u8,
    #[schema(example = 5)]
    pub scale_max: u8,
}

/// One quadrant of the grid.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct QuadrantSummary {
    pub quadrant: Quadrant,
    #[schema(example = "Manage closely")]
    pub label: String,
    pub description: String,
    pub count: u64,
}

/// A partner or prospect placed on the grid.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Stakeholder {
    pub partner_id: Uuid,
    pub organization: OrganizationRef,
    /// `active` or `prospect`.
    pub status: PartnerStatus,
    pub roles: Vec<PartnerRole>,
    /// 1 (low) to 5 (high).
    pub interest: u8,
    /// 1 (low) to 5 (high).
    pub influence: u8,
    pub quadrant: Quadrant,
}

/// Why a stakeholder is not on the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    MissingInterest,
    MissingInfluence,
    MissingInterestAndInfluence,
    /// A stored value outside 1 to 5.
    OutOfRange,
}

/// A partner or prospect that cannot be placed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UnplacedStakeholder {
    pub partner_id: Uuid,
    pub organization: OrganizationRef,
    pub status: PartnerStatus,
    pub roles: Vec<PartnerRole>,
    pub interest: Option<u8>,
    pub influence: Option<u8>,
    pub reason: UnplacedReason,
    /// The reason, in a sentence.
    pub detail: String,
}

fn on_scale(value: Option<i16>) -> Result<Option<u8>, ()> {
    match value {
        None => Ok(None),
        Some(v) => u8::try_from(v)
            .ok()
            .filter(|v| (SCALE_MIN..=SCALE_MAX).contains(v))
            .map(Some)
            .ok_or(()),
    }
}

fn organization_ref(org: &organization::Model) -> OrganizationRef {
    OrganizationRef {
        id: org.id,
        name: org.name.clone(),
        acronym: org.acronym.clone(),
        sector: org.sector,
        country: org.country.clone(),
    }
}

fn name_order(a: &OrganizationRef, b: &OrganizationRef) -> std::cmp::Ordering {
    a.name
        .to_lowercase()
        .cmp(&b.name.to_lowercase())
        .then(a.id.cmp(&b.id))
}

/// Places partners (with their organisations) on the grid.
fn build(
    initiative: &entity::initiative::Model,
    rows: Vec<(initiative_partner::Model, organization::Model)>,
) -> StakeholderMap {
    let mut stakeholders = Vec::new();
    let mut unplaced = Vec::new();
    let mut stamp = i64::MIN;
    for (p, org) in rows {
        stamp = stamp.max(org.updated_at.timestamp_millis());
        let organization = organization_ref(&org);
        let roles: Vec<PartnerRole> = serde_json::from_str(&p.roles).unwrap_or_default();
        let (interest, influence) = (on_scale(p.interest), on_scale(p.influence));
        match (interest, influence) {
            (Ok(Some(interest)), Ok(Some(influence))) => stakeholders.push(Stakeholder {
                partner_id: p.id,
                organization,
                status: p.status,
                roles,
                interest,
                influence,
                quadrant: Quadrant::of(interest, influence),
            }),
            (interest, influence) => {
                let (reason, detail) = match (&interest, &influence) {
                    (Err(()), _) | (_, Err(())) => (
                        UnplacedReason::OutOfRange,
                        "interest or influence is outside the scale of 1 to 5",
                    ),
                    (Ok(None), Ok(None)) => (
                        UnplacedReason::MissingInterestAndInfluence,
                        "neither interest nor influence is recorded",
                    ),
                    (Ok(None), _) => (UnplacedReason::MissingInterest, "interest is not recorded"),
                    _ => (
                        UnplacedReason::MissingInfluence,
                        "influence is not recorded",
                    ),
                };
                unplaced.push(UnplacedStakeholder {
                    partner_id: p.id,
                    organization,
                    status: p.status,
                    roles,
                    interest: interest.ok().flatten(),
                    influence: influence.ok().flatten(),
                    reason,
                    detail: detail.to_owned(),
                });
            }
        }
    }
    stakeholders.sort_by(|a, b| {
        a.quadrant
            .cmp(&b.quadrant)
            .then(b.influence.cmp(&a.influence))
            .then(b.interest.cmp(&a.interest))
            .then_with(|| name_order(&a.organization, &b.organization))
    });
    unplaced.sort_by(|a, b| name_order(&a.organization, &b.organization));
    let quadrants = Quadrant::ALL
        .into_iter()
        .map(|q| QuadrantSummary {
            quadrant: q,
            label: q.label().to_owned(),
            description: q.description().to_owned(),
            count: stakeholders.iter().filter(|s| s.quadrant == q).count() as u64,
        })
        .collect();
    StakeholderMap {
        initiative_id: initiative.id,
        initiative_title: initiative.title.clone(),
        version: initiative.version,
        visibility: initiative.visibility,
        thresholds: Thresholds {
            interest: HIGH_INTEREST,
            influence: HIGH_INFLUENCE,
            scale_min: SCALE_MIN,
            scale_max: SCALE_MAX,
        },
        quadrants,
        stakeholders,
        unplaced,
        organizations_stamp: if stamp == i64::MIN { 0 } else { stamp },
    }
}

impl Registry {
    /// The stakeholder map of an initiative: its active partners and prospects on the
    /// interest/influence grid. Readable as the initiative is.
    pub async fn stakeholder_map(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
    ) -> ServiceResult<StakeholderMap> {
        let initiative = access::readable(self.db(), caller, initiative_id).await?;
        let rows = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.eq(initiative_id))
            .filter(initiative_partner::Column::Status.ne(PartnerStatus::Former))
            .find_also_related(organization::Entity)
            .all(self.db())
            .await?
            .into_iter()
            .filter_map(|(p, o)| o.map(|o| (p, o)))
            .collect();
        Ok(build(&initiative, rows))
    }
}

// ---------------------------------------------------------------------------------------------
// The SVG picture.

/// Width of one interest column.
const CELL_W: f64 = 170.0;
/// Smallest height of one influence row.
const MIN_CELL_H: f64 = 96.0;
/// Height of one stakeholder's line within a cell.
const ROW_H: f64 = 16.0;
/// Lines in a cell before its marks spread into a second column.
const MAX_ROWS: usize = 12;
const CELL_PAD: f64 = 6.0;
/// Strip at the top of each quadrant that holds its label.
const BAND_H: f64 = 22.0;
const RADIUS: f64 = 5.0;
/// Average advance of a character of the 10 px label font, for truncation.
const CHAR_W: f64 = 5.8;
const MARGIN_LEFT: f64 = 72.0;
const MARGIN_TOP: f64 = 52.0;
const MARGIN_BOTTOM: f64 = 72.0;
const LEGEND_GAP: f64 = 24.0;
const LEGEND_W: f64 = 170.0;
const LEGEND_LINE: f64 = 18.0;
const TITLE_CHARS: usize = 90;
const TOOLTIP_CHARS: usize = 300;

/// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
fn sector_colour(sector: Sector) -> &'static str {
    match sector {
        Sector::Government => "#0072B2",
        Sector::Business => "#E69F00",
        Sector::CivilSociety => "#009E73",
        Sector::Academia => "#CC79A7",
        Sector::UnitedNationsMultilateral => "#56B4E9",
        Sector::Donor => "#D55E00",
        Sector::Foundation => "#F0E442",
    }
}

fn sector_label(sector: Sector) -> &'static str {
    match sector {
        Sector::Government => "Government",
        Sector::Business => "Business",
        Sector::CivilSociety => "Civil society",
        Sector::Academia => "Academia",
        Sector::UnitedNationsMultilateral => "UN / multilateral",
        Sector::Donor => "Donor",
        Sector::Foundation => "Foundation",
    }
}

fn quadrant_fill(q: Quadrant) -> &'static str {
    match q {
        Quadrant::ManageClosely => "#FBE9E7",
        Quadrant::KeepSatisfied => "#FFF6E0",
        Quadrant::KeepInformed => "#E8F1FB",
        Quadrant::Monitor => "#F4F4F4",
    }
}

fn status_label(status: PartnerStatus) -> &'static str {
    match status {
        PartnerStatus::Active => "active partner",
        PartnerStatus::Prospect => "prospect",
        PartnerStatus::Former => "former partner",
    }
}

/// Text made safe for XML character data and attribute values: the five special characters
/// escaped, characters XML 1.0 does not allow replaced by a space.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters: cut at a word boundary when one is near, and marked with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    if max <= 1 {
        return "…".to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let kept = match cut.rfind(' ') {
        Some(space) if cut[..space].chars().count() * 10 >= (max - 1) * 6 => &cut[..space],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        kept.trim_end_matches([' ', ',', ';', ':', '-', '/', '('])
    )
}

/// A mark's label in at most `max` characters: the name when it fits, else the acronym when
/// there is one that fits, else the name truncated.
fn label(org: &OrganizationRef, max: usize) -> String {
    let name = truncate(&org.name, usize::MAX);
    if name.chars().count() <= max {
        return name;
    }
    match org.acronym.as_deref().map(str::trim) {
        Some(acronym) if !acronym.is_empty() && acronym.chars().count() <= max => {
            acronym.to_owned()
        }
        _ => truncate(&name, max),
    }
}

/// The drawing's geometry: columns by interest, rows by influence, a label band on top of
/// each half.
struct Grid {
    cell_h: f64,
    plot_left: f64,
    plot_top: f64,
}

impl Grid {
    fn rows_above(&self) -> f64 {
        f64::from(SCALE_MAX - HIGH_INFLUENCE + 1)
    }

    fn plot_w(&self) -> f64 {
        f64::from(SCALE_MAX - SCALE_MIN + 1) * CELL_W
    }

    fn plot_h(&self) -> f64 {
        2.0 * BAND_H + f64::from(SCALE_MAX - SCALE_MIN + 1) * self.cell_h
    }

    fn col_left(&self, interest: u8) -> f64 {
        self.plot_left + f64::from(interest.saturating_sub(SCALE_MIN)) * CELL_W
    }

    fn row_top(&self, influence: u8) -> f64 {
        if influence >= HIGH_INFLUENCE {
            self.plot_top + BAND_H + f64::from(SCALE_MAX.saturating_sub(influence)) * self.cell_h
        } else {
            self.split_y()
                + BAND_H
                + f64::from((HIGH_INFLUENCE - 1).saturating_sub(influence)) * self.cell_h
        }
    }

    fn split_x(&self) -> f64 {
        self.col_left(HIGH_INTEREST)
    }

    fn split_y(&self) -> f64 {
        self.plot_top + BAND_H + self.rows_above() * self.cell_h
    }

    /// The rectangle of a quadrant: x, y, width, height.
    fn quadrant(&self, q: Quadrant) -> (f64, f64, f64, f64) {
        let (x, w) = if q.high_interest() {
            (
                self.split_x(),
                self.plot_left + self.plot_w() - self.split_x(),
            )
        } else {
            (self.plot_left, self.split_x() - self.plot_left)
        };
        let (y, h) = if q.high_influence() {
            (self.plot_top, self.split_y() - self.plot_top)
        } else {
            (
                self.split_y(),
                self.plot_top + self.plot_h() - self.split_y(),
            )
        };
        (x, y, w, h)
    }
}

fn tooltip(s: &Stakeholder) -> String {
    let name = match s.organization.acronym.as_deref() {
        Some(acronym) if !acronym.trim().is_empty() => {
            format!("{} ({})", s.organization.name, acronym.trim())
        }
        _ => s.organization.name.clone(),
    };
    let text = format!(
        "{name} — {}, {}; interest {}, influence {}: {}",
        sector_label(s.organization.sector),
        status_label(s.status),
        s.interest,
        s.influence,
        s.quadrant.label().to_lowercase(),
    );
    xml_escape(&truncate(&text, TOOLTIP_CHARS))
}

/// The map as a standalone SVG document (UTF-8). Deterministic: the same map always draws the
/// same picture. Marks that share a cell are laid out in lines (and, past [`MAX_ROWS`], in
/// columns) so their labels do not overlap; labels are truncated to the space they have.
pub fn render_svg(map: &StakeholderMap) -> String {
    let mut cells: BTreeMap<(u8, u8), Vec<&Stakeholder>> = BTreeMap::new();
    for s in &map.stakeholders {
        cells.entry((s.interest, s.influence)).or_default().push(s);
    }
    for marks in cells.values_mut() {
        marks.sort_by(|a, b| name_order(&a.organization, &b.organization));
    }
    let crowd = cells
        .values()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .clamp(1, MAX_ROWS);
    let grid = Grid {
        cell_h: MIN_CELL_H.max(crowd as f64 * ROW_H + 2.0 * CELL_PAD),
        plot_left: MARGIN_LEFT,
        plot_top: MARGIN_TOP,
    };
    let sectors: Vec<Sector> = SECTOR_ORDER
        .into_iter()
        .filter(|sector| {
            map.stakeholders
                .iter()
                .any(|s| s.organization.sector == *sector)
        })
        .collect();
    let legend_x = grid.plot_left + grid.plot_w() + LEGEND_GAP;
    let legend_bottom = grid.plot_top + LEGEND_LINE * (sectors.len() as f64 + 5.0) + 12.0;
    let width = legend_x + LEGEND_W;
    let height = (grid.plot_top + grid.plot_h() + MARGIN_BOTTOM).max(legend_bottom);
    let title = xml_escape(&truncate(
        &format!("Stakeholder map: {}", map.initiative_title),
        TITLE_CHARS,
    ));
    let placed = map.stakeholders.len();

    let mut svg = String::with_capacity(4096 + placed * 512);
    let _ = write!(
        svg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-labelledby=\"sm-title sm-desc\" \
font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\" \
data-initiative-id=\"{}\" data-version=\"{}\">\n\
<title id=\"sm-title\">{title}</title>\n\
<desc id=\"sm-desc\">{placed} stakeholder(s) placed by interest (across, 1 to 5) and influence \
(up, 1 to 5); {} not placed. Quadrants split at interest {HIGH_INTEREST} and influence \
{HIGH_INFLUENCE}.</desc>\n\
<rect x=\"0\" y=\"0\" width=\"{width:.0}\" height=\"{height:.0}\" fill=\"#FFFFFF\"/>\n\
<text class=\"title\" x=\"{:.1}\" y=\"30\" font-size=\"16\" font-weight=\"600\" fill=\"#222222\">{title}</text>\n",
        map.initiative_id,
        map.version,
        map.unplaced.len(),
        grid.plot_left,
    );

    // Quadrants, with their labels in the band on top of each.
    svg.push_str("<g class=\"quadrants\">\n");
    for q in Quadrant::ALL {
        let (x, y, w, h) = grid.quadrant(q);
        let count = map.stakeholders.iter().filter(|s| s.quadrant == q).count();
        let _ = writeln!(
            svg,
            "<g class=\"quadrant\" data-quadrant=\"{}\">\
<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"/>\
<text class=\"quadrant-label\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"700\" fill=\"#444444\">{} ({count})</text></g>",
            q.code(),
            quadrant_fill(q),
            x + 8.0,
            y + 15.0,
            q.label(),
        );
    }
    svg.push_str("</g>\n");

    // Cells, then the lines between the quadrants.
    svg.push_str("<g class=\"cells\" fill=\"none\" stroke=\"#DDDDDD\" stroke-width=\"1\">\n");
    for interest in SCALE_MIN..=SCALE_MAX {
        for influence in SCALE_MIN..=SCALE_MAX {
            let _ = writeln!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{CELL_W:.1}\" height=\"{:.1}\"/>",
                grid.col_left(interest),
                grid.row_top(influence),
                grid.cell_h,
            );
        }
    }
    svg.push_str("</g>\n");
    let (left, top) = (grid.plot_left, grid.plot_top);
    let (right, bottom) = (left + grid.plot_w(), top + grid.plot_h());
    let _ = writeln!(
        svg,
        "<g class=\"frame\" stroke=\"#777777\" stroke-width=\"1.5\" fill=\"none\">\
<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>\
<line x1=\"{sx:.1}\" y1=\"{top:.1}\" x2=\"{sx:.1}\" y2=\"{bottom:.1}\"/>\
<line x1=\"{left:.1}\" y1=\"{sy:.1}\" x2=\"{right:.1}\" y2=\"{sy:.1}\"/></g>",
        grid.plot_w(),
        grid.plot_h(),
        sx = grid.split_x(),
        sy = grid.split_y(),
    );

    // Axes: ticks at the cell centres and the two axis labels.
    svg.push_str("<g class=\"axes\" font-size=\"11\" fill=\"#444444\">\n");
    for v in SCALE_MIN..=SCALE_MAX {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v}</text>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            grid.col_left(v) + CELL_W / 2.0,
            bottom + 16.0,
            left - 10.0,
            grid.row_top(v) + grid.cell_h / 2.0 + 4.0,
        );
    }
    let mid_y = top + grid.plot_h() / 2.0;
    let _ = write!(
        svg,
        "<text class=\"axis-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\">Interest</text>\n\
<text class=\"axis-label\" x=\"24\" y=\"{mid_y:.1}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\" transform=\"rotate(-90 24 {mid_y:.1})\">Influence</text>\n\
<text x=\"{left:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#777777\">low</text>\
<text x=\"{right:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#777777\" text-anchor=\"end\">high</text>\n</g>\n",
        left + grid.plot_w() / 2.0,
        bottom + 36.0,
        bottom + 36.0,
        bottom + 36.0,
    );

    // The marks, one per stakeholder.
    svg.push_str("<g class=\"stakeholders\">\n");
    for (&(interest, influence), marks) in &cells {
        let n = marks.len();
        let cols = n.div_ceil(MAX_ROWS).max(1);
        let per_col = n.div_ceil(cols).max(1);
        let col_w = (CELL_W - 2.0 * CELL_PAD) / cols as f64;
        let block = per_col as f64 * ROW_H;
        let offset = (grid.cell_h - block) / 2.0;
        let label_chars = ((col_w - 2.0 * RADIUS - 8.0) / CHAR_W).floor().max(0.0) as usize;
        for (k, s) in marks.iter().enumerate() {
            let (c, r) = (k / per_col, k % per_col);
            let cx = grid.col_left(interest) + CELL_PAD + c as f64 * col_w + RADIUS + 1.0;
            let cy = grid.row_top(influence) + offset + r as f64 * ROW_H + ROW_H / 2.0;
            let dashed = if s.status == PartnerStatus::Prospect {
                " stroke-dasharray=\"2 1.5\" fill-opacity=\"0.45\""
            } else {
                ""
            };
            let _ = write!(
                svg,
                "<g class=\"mark\" data-partner-id=\"{}\" data-quadrant=\"{}\" data-status=\"{}\">\
<circle class=\"stakeholder\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{RADIUS:.1}\" fill=\"{}\" stroke=\"#333333\" stroke-width=\"1\"{dashed}>\
<title>{}</title></circle>",
                s.partner_id,
                s.quadrant.code(),
                if s.status == PartnerStatus::Prospect {
                    "prospect"
                } else {
                    "active"
                },
                sector_colour(s.organization.sector),
                tooltip(s),
            );
            if label_chars >= 3 {
                let _ = write!(
                    svg,
                    "<text class=\"stakeholder-label\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#222222\">{}</text>",
                    cx + RADIUS + 4.0,
                    cy + 3.5,
                    xml_escape(&label(&s.organization, label_chars)),
                );
            }
            svg.push_str("</g>\n");
        }
    }
    svg.push_str("</g>\n");
    if placed == 0 {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{mid_y:.1}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#777777\">No stakeholder has both interest and influence recorded yet</text>",
            left + grid.plot_w() / 2.0,
        );
    }
    if !map.unplaced.is_empty() {
        let _ = writeln!(
            svg,
            "<text class=\"unplaced-note\" x=\"{left:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#666666\">{} more not placed: interest or influence not recorded</text>",
            bottom + 58.0,
            map.unplaced.len(),
        );
    }

    // Legend: sector colours present, then the status line styles.
    let _ = writeln!(
        svg,
        "<g class=\"legend\" font-size=\"11\" fill=\"#333333\">"
    );
    let mut y = top + 10.0;
    if !sectors.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{legend_x:.1}\" y=\"{y:.1}\" font-weight=\"700\">Sector</text>"
        );
        for sector in &sectors {
            y += LEGEND_LINE;
            let _ = writeln!(
                svg,
                "<g class=\"legend-sector\" data-sector=\"{}\"><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{RADIUS:.1}\" fill=\"{}\" stroke=\"#333333\" stroke-width=\"1\"/>\
<text x=\"{:.1}\" y=\"{y:.1}\">{}</text></g>",
                serde_json::to_value(sector)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                legend_x + RADIUS,
                y - 4.0,
                sector_colour(*sector),
                legend_x + 2.0 * RADIUS + 6.0,
                sector_label(*sector),
            );
        }
        y += LEGEND_LINE * 1.5;
    }
    let _ = write!(
        svg,
        "<text x=\"{legend_x:.1}\" y=\"{y:.1}\" font-weight=\"700\">Status</text>\n\
<circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"{RADIUS:.1}\" fill=\"#999999\" stroke=\"#333333\" stroke-width=\"1\"/>\
<text x=\"{tx:.1}\" y=\"{:.1}\">active partner</text>\n\
<circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"{RADIUS:.1}\" fill=\"#999999\" fill-opacity=\"0.45\" stroke=\"#333333\" stroke-width=\"1\" stroke-dasharray=\"2 1.5\"/>\
<text x=\"{tx:.1}\" y=\"{:.1}\">prospect</text>\n</g>\n",
        y + LEGEND_LINE - 4.0,
        y + LEGEND_LINE,
        y + 2.0 * LEGEND_LINE - 4.0,
        y + 2.0 * LEGEND_LINE,
        cx = legend_x + RADIUS,
        tx = legend_x + 2.0 * RADIUS + 6.0,
    );
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrants_follow_the_thresholds() {
        assert_eq!(Quadrant::of(3, 3), Quadrant::ManageClosely);
        assert_eq!(Quadrant::of(5, 5), Quadrant::ManageClosely);
        assert_eq!(Quadrant::of(2, 3), Quadrant::KeepSatisfied);
        assert_eq!(Quadrant::of(1, 5), Quadrant::KeepSatisfied);
        assert_eq!(Quadrant::of(3, 2), Quadrant::KeepInformed);
        assert_eq!(Quadrant::of(5, 1), Quadrant::KeepInformed);
        assert_eq!(Quadrant::of(2, 2), Quadrant::Monitor);
        assert_eq!(Quadrant::of(1, 1), Quadrant::Monitor);
    }

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            xml_escape("A&B <C> \"D\" 'E'\u{1}"),
            "A&amp;B &lt;C&gt; &quot;D&quot; &apos;E&apos; "
        );
    }

    #[test]
    fn long_names_are_cut_sensibly() {
        assert_eq!(truncate("Short", 10), "Short");
        assert_eq!(
            truncate("Ministry of Communication and New Technologies", 24),
            "Ministry of Communicati…"
        );
        assert_eq!(
            truncate("Programa para o Futuro de Brasil", 24),
            "Programa para o Futuro…"
        );
        assert_eq!(truncate("Supercalifragilistic", 8), "Superca…");
        assert_eq!(truncate("  spaced   out  ", 20), "spaced out");
        assert!(truncate("Ministry of Communication", 24).chars().count() <= 24);
        let org = OrganizationRef {
            id: Uuid::nil(),
            name: "Food and Agriculture Organization of the United Nations".into(),
            acronym: Some("FAO".into()),
            sector: Sector::UnitedNationsMultilateral,
            country: None,
        };
        assert_eq!(
            label(&org, 24),
            "FAO",
            "the acronym when the name is too long"
        );
        assert_eq!(label(&org, 80), org.name);
    }

    fn stakeholder(n: usize, interest: u8, influence: u8, status: PartnerStatus) -> Stakeholder {
        let sectors = SECTOR_ORDER;
        Stakeholder {
            partner_id: Uuid::from_u128(n as u128),
            organization: OrganizationRef {
                id: Uuid::from_u128(1000 + n as u128),
                name: format!("Organisation number {n:02} with a long name"),
                acronym: None,
                sector: sectors[n % sectors.len()],
                country: None,
            },
            status,
            roles: Vec::new(),
            interest,
            influence,
            quadrant: Quadrant::of(interest, influence),
        }
    }

    fn map_of(stakeholders: Vec<Stakeholder>) -> StakeholderMap {
        StakeholderMap {
            initiative_id: Uuid::nil(),
            initiative_title: "Crowded <map> & co".into(),
            version: 1,
            visibility: Visibility::Private,
            thresholds: Thresholds {
                interest: HIGH_INTEREST,
                influence: HIGH_INFLUENCE,
                scale_min: SCALE_MIN,
                scale_max: SCALE_MAX,
            },
            quadrants: Vec::new(),
            stakeholders,
            unplaced: Vec::new(),
            organizations_stamp: 0,
        }
    }

    /// The (cx, cy) of every mark, read back from the drawing.
    fn positions(svg: &str) -> Vec<(f64, f64)> {
        svg.split("<circle class=\"stakeholder\" ")
            .skip(1)
            .map(|rest| {
                let attr = |name: &str| {
                    rest.split(&format!("{name}=\""))
                        .nth(1)
                        .and_then(|v| v.split('"').next())
                        .and_then(|v| v.parse::<f64>().ok())
                        .unwrap_or(f64::NAN)
                };
                (attr("cx"), attr("cy"))
            })
            .collect()
    }

    #[test]
    fn crowded_cells_spread_their_marks() {
        let mut all: Vec<Stakeholder> = (0..30)
            .map(|n| stakeholder(n, 5, 5, PartnerStatus::Active))
            .collect();
        all.extend((30..34).map(|n| stakeholder(n, 1, 1, PartnerStatus::Prospect)));
        let map = map_of(all);
        let svg = render_svg(&map);
        assert_eq!(svg, render_svg(&map), "deterministic");
        let marks = positions(&svg);
        assert_eq!(marks.len(), 34);
        for (i, a) in marks.iter().enumerate() {
            for b in &marks[i + 1..] {
                let apart = (a.0 - b.0).abs() >= 2.0 * RADIUS || (a.1 - b.1).abs() >= ROW_H;
                assert!(apart, "{a:?} and {b:?} overlap");
            }
        }
        assert!(svg.contains("Crowded &lt;map&gt; &amp; co"));
        assert_eq!(
            svg.matches("stroke-dasharray=\"2 1.5\" fill-opacity")
                .count(),
            4
        );
    }
}
