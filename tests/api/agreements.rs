//! Tests of agreements (to be written).
