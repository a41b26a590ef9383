//! Scalars of our own. Dates (`NaiveDate`), times (`DateTime`), ids (`UUID`) and JSON values
//! come from async-graphql.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// An exact decimal number written as a string (`"12500.50"`), never a float. The service
/// checks its form and the currency's decimal places, exactly as for REST: a JSON number is
/// refused, as a binary float cannot hold most decimal amounts exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal(pub String);

#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) => Ok(Decimal(text)),
            Value::Number(_) => Err(InputValueError::custom(
                "a Decimal is written as a string, such as \"12500.50\" (a number is not exact)",
            )),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl From<String> for Decimal {
    fn from(text: String) -> Self {
        Decimal(text)
    }
}
