//! ISO 3166-1 alpha-2 country codes, checked against the `celes` crate's list.

use std::str::FromStr;

/// A valid ISO 3166-1 alpha-2 code, upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let upper = raw.trim().to_ascii_uppercase();
        if upper.len() != 2 || !upper.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "`{raw}` is not an ISO 3166-1 alpha-2 code (two letters)"
            ));
        }
        celes::Country::from_alpha2(&upper)
            .map(|_| CountryCode(upper))
            .map_err(|_| format!("`{raw}` is not an assigned ISO 3166-1 alpha-2 code"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country's English short name.
    pub fn name(&self) -> String {
        celes::Country::from_str(&self.0)
            .map(|c| c.long_name.to_string())
            .unwrap_or_default()
    }
}

/// Every assigned ISO 3166-1 alpha-2 code, upper case, as `CountryCode::parse` accepts them.
pub fn assigned_codes() -> Vec<&'static str> {
    celes::Country::get_countries()
        .iter()
        .map(|c| c.alpha2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_assigned_codes_in_any_case() {
        assert_eq!(CountryCode::parse("ml").map(|c| c.0), Ok("ML".to_owned()));
        assert!(CountryCode::parse("LK").is_ok());
    }

    #[test]
    fn refuses_unassigned_and_malformed_codes() {
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("MLI").is_err());
        assert!(CountryCode::parse("1A").is_err());
    }
}
