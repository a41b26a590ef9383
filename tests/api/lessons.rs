//! Tests of lessons (to be written).
