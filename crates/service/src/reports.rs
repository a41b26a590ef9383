//! Progress reports of an initiative (to be written).
