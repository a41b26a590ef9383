//! Lessons learned (to be written).
