//! Field checks that collect every problem of an input before answering, so a client learns
//! all that is wrong in one round trip.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

use crate::{
    country::CountryCode,
    error::{FieldError, ServiceError, ServiceResult},
    text,
};

/// The years a date may have: the four-digit years of RFC 3339's `full-date` (what `format:
/// date` in the OpenAPI document promises), which both databases store. chrono reads wider
/// years (`-5000-01-01`, `+20000-01-01`) that PostgreSQL cannot hold.
pub const DATES: std::ops::RangeInclusive<i32> = 1..=9999;

/// What a client is told of a date outside [`DATES`].
pub const DATES_MESSAGE: &str = "must be a date from 0001-01-01 to 9999-12-31";

/// Whether `day` is within [`DATES`].
pub fn date_fits(day: NaiveDate) -> bool {
    DATES.contains(&chrono::Datelike::year(&day))
}

/// Collects field errors; `finish` turns them into one `Validation` error.
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// A text with a control character in it (see [`text::is_refused`]) is refused: true when
    /// `value` is clean.
    pub fn clean_text(&mut self, field: &str, value: &str) -> bool {
        match text::check(field, value) {
            Some(error) => {
                self.errors.push(error);
                false
            }
            None => true,
        }
    }

    /// A required text: trimmed, not blank, at most `max` characters, no control characters.
    /// Returns the trimmed text.
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if !self.clean_text(field, trimmed) {
            return trimmed.to_owned();
        }
        if trimmed.is_empty() {
            self.push(field, "required", "must not be blank");
        } else if trimmed.chars().count() > max {
            self.push(field, "length", format!("must be at most {max} characters"));
        }
        trimmed.to_owned()
    }

    /// A required name: as [`Checks::required_text`], and something must be left of it once
    /// default-ignorable code points are removed (its [`name_key`] is not empty), so a name of
    /// zero-width spaces is as blank as one of spaces.
    pub fn required_name(&mut self, field: &str, value: &str, max: usize) -> String {
        let before = self.errors.len();
        let text = self.required_text(field, value, max);
        if self.errors.len() == before && name_key(&text).is_empty() {
            self.push(field, "required", "must not be blank");
        }
        text
    }

    /// An optional text: trimmed; blank becomes `None`; at most `max` characters, no control
    /// characters.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        if self.clean_text(field, trimmed) && trimmed.chars().count() > max {
            self.push(field, "length", format!("must be at most {max} characters"));
        }
        Some(trimmed.to_owned())
    }

    /// An optional date, within [`DATES`]: true when it is absent or fits.
    pub fn date(&mut self, field: &str, value: Option<NaiveDate>) -> bool {
        match value {
            Some(day) if !date_fits(day) => {
                self.push(field, "out_of_range", DATES_MESSAGE);
                false
            }
            _ => true,
        }
    }

    /// An optional ISO 3166-1 alpha-2 country code, normalised to upper case.
    pub fn country(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let raw = value.map(str::trim).filter(|v| !v.is_empty())?;
        match CountryCode::parse(raw) {
            Ok(code) => Some(code.as_str().to_owned()),
            Err(message) => {
                self.push(field, "invalid_country", message);
                None
            }
        }
    }

    /// An optional absolute http(s) URL.
    pub fn web_url(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let raw = value.map(str::trim).filter(|v| !v.is_empty())?;
        match url::Url::parse(raw) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                if raw.len() > 2048 {
                    self.push(field, "length", "must be at most 2048 characters");
                }
                Some(u.to_string())
            }
            _ => {
                self.push(
                    field,
                    "invalid_url",
                    "must be an absolute http or https URL",
                );
                None
            }
        }
    }

    /// An optional IATI organisation identifier (`{registration agency}-{id}`, e.g. `GB-COH-123`).
    pub fn iati_org_id(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let raw = value.map(str::trim).filter(|v| !v.is_empty())?;
        let well_formed = raw.len() <= 100
            && raw.contains('-')
            && !raw.starts_with('-')
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'));
        if !well_formed {
            self.push(
                field,
                "invalid_iati_identifier",
                "must look like an IATI organisation identifier, e.g. XM-DAC-41114",
            );
        }
        Some(raw.to_owned())
    }

    pub fn finish(self) -> ServiceResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Validation(self.errors))
        }
    }
}

/// A checked value together with more checks made beside it: the value, or every problem of
/// both (a write names every bad field at once).
pub fn together<T>(checked: ServiceResult<T>, more: Checks) -> ServiceResult<T> {
    match (checked, more.finish()) {
        (Ok(value), Ok(())) => Ok(value),
        (Err(ServiceError::Validation(mut first)), Err(ServiceError::Validation(second))) => {
            first.extend(second);
            Err(ServiceError::Validation(first))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// The form of a name that uniqueness rules and title sorting compare (see [`text::name_key`]).
pub use crate::text::name_key;

/// The forms a timestamp filter takes, for error messages.
pub const TIMESTAMP_FORMS: &str = "expected an RFC 3339 date-time such as 2026-01-01T00:00:00Z \
(or with an offset, 2026-01-01T09:30:00+02:00), or a date such as 2026-01-01 (midnight UTC)";

/// A timestamp filter (`updated_since`): an RFC 3339 date-time, or a bare date read as
/// midnight UTC. A space where the offset's `+` belongs (an unencoded `+` in a query string
/// decodes to a space) is read as `+`.
pub fn parse_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    if let Some((time, offset)) = raw.rsplit_once(' ')
        && !offset.is_empty()
        && let Ok(t) = DateTime::parse_from_rfc3339(&format!("{time}+{offset}"))
    {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| date_fits(*d))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// `deserialize_with` for an optional timestamp filter (see [`parse_timestamp`]).
pub fn optional_timestamp<'de, D>(de: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<String>::deserialize(de)? {
        None => Ok(None),
        Some(raw) => parse_timestamp(&raw)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(TIMESTAMP_FORMS)),
    }
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_problem() {
        let mut c = Checks::new();
        c.required_text("name", "  ", 10);
        c.country("country", Some("XX"));
        c.web_url("website", Some("ftp://example.org"));
        let Err(ServiceError::Validation(errors)) = c.finish() else {
            panic!("expected validation errors");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "country", "website"]);
    }

    #[test]
    fn a_timestamp_filter_takes_a_date_time_or_a_date() {
        let midnight = "2026-01-01T00:00:00Z".parse::<DateTime<Utc>>().ok();
        assert_eq!(parse_timestamp("2026-01-01"), midnight);
        assert_eq!(parse_timestamp("2026-01-01T00:00:00Z"), midnight);
        assert_eq!(parse_timestamp("2026-01-01T02:00:00+02:00"), midnight);
        assert_eq!(parse_timestamp("2026-01-01T02:00:00 02:00"), midnight);
        assert_eq!(parse_timestamp("2026-13-01"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn name_key_folds_case_and_space() {
        assert_eq!(name_key("  Ministry of  ICT "), "ministry of ict");
    }

    #[test]
    fn texts_with_control_characters_are_refused() {
        let mut c = Checks::new();
        c.required_text("name", "a\u{0}b", 10);
        c.optional_text("notes", Some("line\nbreak\ttab"), 100);
        c.optional_text("summary", Some("bell\u{7}"), 100);
        let Err(ServiceError::Validation(errors)) = c.finish() else {
            panic!("expected validation errors");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "summary"]);
        assert!(errors.iter().all(|e| e.code == "control_character"));
    }
}
