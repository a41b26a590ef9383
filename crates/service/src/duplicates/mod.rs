//! Candidate duplicates: one partnership registered twice, in one tenant or across tenants.

pub mod score;
