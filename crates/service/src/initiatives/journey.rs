//! The partnership development journey: stages follow one another in order; skipping ahead or
//! going back needs a reason. A partnership can be discontinued from any stage.

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
}
