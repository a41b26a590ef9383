//! The partnership development journey: stages follow one another in order; skipping ahead or
//! going back needs a reason. A partnership can be discontinued from any stage.

use chrono::NaiveDate;
use entity::enums::JourneyStage;

use crate::error::FieldError;

pub const ORDER: [JourneyStage; 12] = [
    JourneyStage::UnderstandContext,
    JourneyStage::AgreeVision,
    JourneyStage::AgreePurpose,
    JourneyStage::AgreeObjectives,
    JourneyStage::AgreeResources,
    JourneyStage::Structure,
    JourneyStage::SignAgreement,
    JourneyStage::Implementing,
    JourneyStage::Reviewing,
    JourneyStage::Sustaining,
    JourneyStage::Closed,
    JourneyStage::Discontinued,
];

pub fn position(stage: JourneyStage) -> usize {
    ORDER.iter().position(|s| *s == stage).unwrap_or_default()
}

pub fn name(stage: JourneyStage) -> String {
    crate::codes::code(&stage)
}

/// Checks a stage change. `None` when it may go ahead.
pub fn check(from: JourneyStage, to: JourneyStage, reason: Option<&str>) -> Option<FieldError> {
    if from == to || to == JourneyStage::Discontinued || reason.is_some() {
        return None;
    }
    let (f, t) = (position(from), position(to));
    if t == f + 1 {
        return None;
    }
    let what = if t < f { "goes back" } else { "skips stages" };
    Some(FieldError::new(
        "stage",
        "journey_order",
        format!(
            "moving from {} to {} {what} in the partnership journey: give a reason (X-Change-Reason header)",
            name(from),
            name(to)
        ),
    ))
}

/// Checks the day of a stage change against the day the current stage began (the day of the
/// change before it, or of the record in its first stage): a journey is recorded in order, so a
/// change cannot have happened before the one it follows.
pub fn check_date(began: NaiveDate, on: NaiveDate) -> Option<FieldError> {
    (on < began).then(|| {
        FieldError::new(
            "changed_on",
            "journey_order",
            format!("the current stage began on {began}: a later change cannot be dated before it"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use JourneyStage::*;

    #[test]
    fn the_next_stage_needs_no_reason() {
        assert!(check(AgreeVision, AgreePurpose, None).is_none());
        assert!(check(SignAgreement, Implementing, None).is_none());
        assert!(check(Implementing, Discontinued, None).is_none());
    }

    #[test]
    fn skips_and_returns_need_a_reason() {
        assert!(check(UnderstandContext, Implementing, None).is_some());
        assert!(check(Reviewing, Implementing, None).is_some());
        assert!(check(Reviewing, Implementing, Some("second phase")).is_none());
    }

    #[test]
    fn a_change_is_not_dated_before_the_one_it_follows() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert!(check_date(day(2005, 3, 1), day(2005, 3, 1)).is_none());
        assert!(check_date(day(2005, 3, 1), day(2006, 1, 1)).is_none());
        assert!(check_date(day(2005, 3, 1), day(2005, 2, 28)).is_some());
    }
}
