//! Tests of initiatives.
