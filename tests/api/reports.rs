//! Tests of reports (to be written).
