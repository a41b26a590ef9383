//! The API's string codes of enum values (their serde names), and small list helpers shared by
//! the modules that store enums as codes in text columns and tag tables.

use serde::{Serialize, de::DeserializeOwned};

/// The code of an enum value as the API writes it (`market_making`, `C2`...).
pub(crate) fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The enum value of a stored code; unknown codes give `None`.
pub(crate) fn from_code<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

/// The items without repeats, first occurrences kept in order.
pub(crate) fn dedup<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::EngagementModel;

    #[test]
    fn codes_round_trip() {
        assert_eq!(code(&EngagementModel::MarketMaking), "market_making");
        assert_eq!(
            from_code::<EngagementModel>("market_making"),
            Some(EngagementModel::MarketMaking)
        );
        assert_eq!(from_code::<EngagementModel>("nope"), None);
        assert_eq!(dedup(&[2, 1, 2, 3, 1]), [2, 1, 3]);
    }
}
