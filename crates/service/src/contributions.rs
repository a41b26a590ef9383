//! Contributions of partners to an initiative (to be written).
