//! Agreements of an initiative (to be written).
