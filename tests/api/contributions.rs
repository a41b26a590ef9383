//! Tests of contributions (to be written).
