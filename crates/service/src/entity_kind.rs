//! What kind of record a write changed: the `entity_type` of history rows, change-feed events,
//! webhook events and idempotency bindings. The stored strings are [`EntityKind::as_str`] and
//! never change (clients filter the feed and subscribe to webhooks by them).

use std::fmt;

/// A kind of record whose changes are recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Initiative,
    Partner,
    Contribution,
    Agreement,
    Report,
    Lesson,
    ValueAssessment,
    Organization,
    HealthAssessment,
    /// A link between two initiatives that are one partnership (`duplicates::links`).
    DuplicateLink,
}

impl EntityKind {
    /// Every kind, in the order the webhook documentation lists them.
    pub const ALL: [EntityKind; 10] = [
        EntityKind::Initiative,
        EntityKind::Partner,
        EntityKind::Contribution,
        EntityKind::Agreement,
        EntityKind::Report,
        EntityKind::Lesson,
        EntityKind::ValueAssessment,
        EntityKind::Organization,
        EntityKind::HealthAssessment,
        EntityKind::DuplicateLink,
    ];

    /// The stored and published name (`initiative`, `value_assessment`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityKind::Initiative => "initiative",
            EntityKind::Partner => "partner",
            EntityKind::Contribution => "contribution",
            EntityKind::Agreement => "agreement",
            EntityKind::Report => "report",
            EntityKind::Lesson => "lesson",
            EntityKind::ValueAssessment => "value_assessment",
            EntityKind::Organization => "organization",
            EntityKind::HealthAssessment => "health_assessment",
            EntityKind::DuplicateLink => "duplicate_link",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(name: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether records of this kind belong to an initiative (and so raise its version).
    pub const fn is_child(self) -> bool {
        !matches!(
            self,
            EntityKind::Initiative | EntityKind::Organization | EntityKind::DuplicateLink
        )
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_back_from_its_stored_name() {
        for kind in EntityKind::ALL {
            assert_eq!(EntityKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EntityKind::parse("tenant"), None);
        assert_eq!(EntityKind::ValueAssessment.as_str(), "value_assessment");
    }
}
