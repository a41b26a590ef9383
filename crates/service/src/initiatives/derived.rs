//! What an initiative's record implies: the sectors of its active partners, whether it is a
//! true multi-stakeholder partnership or a PPP, and its reporting status.

use chrono::{DateTime, Months, NaiveDate, Utc};
use entity::enums::Sector;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Settings;

/// Reporting status, after the practice of the UN partnership registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportingStatus {
    /// A report within the due period (12 months by default), or newly registered.
    OnTrack,
    /// The last report (or the registration, when none) is older than the due period.
    Due,
    /// The last report is older than the overdue period (24 months by default).
    Overdue,
    /// Never reported, and registered longer ago than the inactive period (24 months).
    Inactive,
}

/// The sectors in the order DOMAIN.md lists them.
pub const SECTOR_ORDER: [Sector; 7] = [
    Sector::Government,
    Sector::Business,
    Sector::CivilSociety,
    Sector::Academia,
    Sector::UnitedNationsMultilateral,
    Sector::Donor,
    Sector::Foundation,
];

/// Distinct sectors, in the canonical order.
pub fn sectors(present: impl IntoIterator<Item = Sector>) -> Vec<Sector> {
    let present: Vec<Sector> = present.into_iter().collect();
    SECTOR_ORDER
        .into_iter()
        .filter(|s| present.contains(s))
        .collect()
}

/// Three or more sectors among the active partners.
pub fn is_multi_stakeholder(sectors: &[Sector]) -> bool {
    sectors.len() >= 3
}

/// The public sector and the private sector both among the active partners.
pub fn is_ppp(sectors: &[Sector]) -> bool {
    sectors.contains(&Sector::Government) && sectors.contains(&Sector::Business)
}

fn months_before(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

pub fn reporting_status(
    last_reported_on: Option<NaiveDate>,
    registered_at: DateTime<Utc>,
    today: NaiveDate,
    settings: &Settings,
) -> ReportingStatus {
    let due = months_before(today, settings.report_due_months);
    let overdue = months_before(today, settings.report_overdue_months);
    let inactive = months_before(today, settings.inactive_after_months);
    match last_reported_on {
        Some(last) if last >= due => ReportingStatus::OnTrack,
        Some(last) if last >= overdue => ReportingStatus::Due,
        Some(_) => ReportingStatus::Overdue,
        None => {
            let registered = registered_at.date_naive();
            if registered >= due {
                ReportingStatus::OnTrack
            } else if registered >= inactive {
                ReportingStatus::Due
            } else {
                ReportingStatus::Inactive
            }
        }
    }
}

/// The date boundaries of a reporting status, for filtering in SQL.
pub struct ReportingBounds {
    pub due: NaiveDate,
    pub overdue: NaiveDate,
    pub inactive: NaiveDate,
}

pub fn reporting_bounds(today: NaiveDate, settings: &Settings) -> ReportingBounds {
    ReportingBounds {
        due: months_before(today, settings.report_due_months),
        overdue: months_before(today, settings.report_overdue_months),
        inactive: months_before(today, settings.inactive_after_months),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn reporting_status_follows_the_thresholds() {
        let s = Settings::default();
        let today = day(2026, 11, 23);
        let long_ago = Utc
            .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let recently = Utc
            .with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(
            reporting_status(Some(day(2026, 1, 1)), long_ago, today, &s),
            ReportingStatus::OnTrack
        );
        assert_eq!(
            reporting_status(Some(day(2025, 6, 1)), long_ago, today, &s),
            ReportingStatus::Due
        );
        assert_eq!(
            reporting_status(Some(day(2023, 1, 1)), long_ago, today, &s),
            ReportingStatus::Overdue
        );
        assert_eq!(
            reporting_status(None, long_ago, today, &s),
            ReportingStatus::Inactive
        );
        assert_eq!(
            reporting_status(None, recently, today, &s),
            ReportingStatus::OnTrack
        );
    }

    #[test]
    fn msp_and_ppp_follow_the_sectors() {
        let s = sectors([Sector::Business, Sector::Government, Sector::Business]);
        assert_eq!(s, [Sector::Government, Sector::Business]);
        assert!(is_ppp(&s));
        assert!(!is_multi_stakeholder(&s));
        assert!(is_multi_stakeholder(&sectors([
            Sector::Government,
            Sector::Business,
            Sector::Academia
        ])));
    }
}
