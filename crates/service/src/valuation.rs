//! Value assessment: each of the ten sources of partnership value rated 0–3 with a note, and
//! the estimated cost of partnering; a summary says where value is created.

use chrono::{DateTime, Utc};
use entity::{enums::ValueSource, value_assessment};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Registry,
    contributions::check_money,
    error::{FieldError, ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta, snapshot},
    initiatives::access,
    precondition::Precondition,
    validation::Checks,
    write,
};

/// The highest rating.
pub const MAX_RATING: u8 = 3;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub source: ValueSource,
    /// 0 (none) to 3 (high).
    #[schema(maximum = 3)]
    pub rating: u8,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Exact decimal as a string, such as "12000.00".
    pub amount: String,
    /// ISO 4217.
    pub currency: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "ratings": [{"source": "complementarity", "rating": 3, "note": "Operator network plus school demand"},
                {"source": "scale", "rating": 2}],
    "partnering_cost": {"amount": "45000.00", "currency": "USD"},
    "notes": "Assessed at the mid-term review."
}))]
pub struct ValueAssessmentInput {
    /// Ratings of some or all of the ten sources; unrated sources count as not assessed.
    pub ratings: Vec<Rating>,
    /// The estimated cost of partnering (staff time, meetings, brokering).
    #[serde(default)]
    pub partnering_cost: Option<Money>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ValueSummary {
    /// Sum of the ratings.
    pub score: u32,
    /// Highest possible score (3 per source, ten sources).
    pub max_score: u32,
    /// Sources rated 2 or 3, highest first: where the partnership creates value.
    pub value_created_by: Vec<ValueSource>,
    /// Sources not rated yet.
    pub not_assessed: Vec<ValueSource>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ValueAssessment {
    pub initiative_id: Uuid,
    pub ratings: Vec<Rating>,
    pub partnering_cost: Option<Money>,
    pub notes: Option<String>,
    pub summary: ValueSummary,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

const ALL_SOURCES: [ValueSource; 10] = [
    ValueSource::Complementarity,
    ValueSource::SystemicTransformation,
    ValueSource::Standards,
    ValueSource::Innovation,
    ValueSource::Holism,
    ValueSource::SharedLearning,
    ValueSource::SharedRisk,
    ValueSource::Synergy,
    ValueSource::Scale,
    ValueSource::CriticalMass,
];

fn summary(ratings: &[Rating]) -> ValueSummary {
    let mut strong: Vec<&Rating> = ratings.iter().filter(|r| r.rating >= 2).collect();
    strong.sort_by_key(|r| std::cmp::Reverse(r.rating));
    ValueSummary {
        score: ratings.iter().map(|r| u32::from(r.rating)).sum(),
        max_score: u32::from(MAX_RATING) * ALL_SOURCES.len() as u32,
        value_created_by: strong.iter().map(|r| r.source).collect(),
        not_assessed: ALL_SOURCES
            .into_iter()
            .filter(|s| !ratings.iter().any(|r| r.source == *s))
            .collect(),
    }
}

pub(crate) fn to_view(m: value_assessment::Model) -> ValueAssessment {
    let ratings: Vec<Rating> = serde_json::from_str(&m.ratings).unwrap_or_default();
    ValueAssessment {
        initiative_id: m.initiative_id,
        summary: summary(&ratings),
        ratings,
        partnering_cost: m
            .partnering_cost
            .zip(m.currency)
            .map(|(amount, currency)| Money { amount, currency }),
        notes: m.notes,
        version: m.version,
        updated_at: m.updated_at,
    }
}

impl Registry {
    pub async fn value_assessment(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
    ) -> ServiceResult<ValueAssessment> {
        access::readable(self.db(), caller, initiative_id).await?;
        value_assessment::Entity::find_by_id(initiative_id)
            .filter(crate::tenancy::child_of::<value_assessment::Entity>(
                initiative_id,
            ))
            .one(self.db())
            .await?
            .map(to_view)
            .ok_or(ServiceError::NotFound {
                entity: "value assessment",
            })
    }

    /// Records or replaces the value assessment (editors). Replacing one needs its version.
    pub async fn put_value_assessment(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        expected_version: Precondition,
        input: ValueAssessmentInput,
        meta: &WriteMeta,
    ) -> ServiceResult<ValueAssessment> {
        let mut c = Checks::new();
        let mut seen = Vec::new();
        for (i, r) in input.ratings.iter().enumerate() {
            if r.rating > MAX_RATING {
                c.push(
                    &format!("ratings[{i}].rating"),
                    "out_of_range",
                    "must be from 0 to 3",
                );
            }
            if seen.contains(&r.source) {
                c.push(
                    &format!("ratings[{i}].source"),
                    "duplicate",
                    "each source is rated once",
                );
            }
            seen.push(r.source);
            c.optional_text(&format!("ratings[{i}].note"), r.note.as_deref(), 2_000);
        }
        let notes = c.optional_text("notes", input.notes.as_deref(), 10_000);
        let mut money = Checks::new();
        let (amount, currency) = match &input.partnering_cost {
            Some(m) => check_money(&mut money, Some(&m.amount), Some(&m.currency)),
            None => (None, None),
        };
        let mut errors = match c.finish() {
            Err(ServiceError::Validation(errors)) => errors,
            _ => Vec::new(),
        };
        if let Err(ServiceError::Validation(more)) = money.finish() {
            errors.extend(more.into_iter().map(|e| {
                FieldError::new(format!("partnering_cost.{}", e.field), e.code, e.message)
            }));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }
        let txn = self.unit_of_work().await?;
        let (row, principal) = access::writable(&txn, caller, initiative_id).await?;
        let current = value_assessment::Entity::find_by_id(initiative_id)
            .one(&txn)
            .await?;
        let before = current.clone().map(to_view);
        let version = match &current {
            Some(existing) => {
                crate::precondition::expect_version(expected_version, existing.version)?;
                existing.version + 1
            }
            // `If-Match: *` needs a current representation (RFC 9110, section 13.1.1).
            None if expected_version == Precondition::Any => {
                return Err(ServiceError::StaleVersion { current: 0 });
            }
            None => 1,
        };
        let model = value_assessment::ActiveModel {
            initiative_id: Set(initiative_id),
            tenant_id: Set(row.tenant_id),
            ratings: Set(serde_json::to_string(&input.ratings).unwrap_or_else(|_| "[]".into())),
            partnering_cost: Set(amount),
            currency: Set(currency),
            notes: Set(notes),
            version: Set(version),
            assessed_by: Set(Some(principal.subject)),
            updated_at: Set(Utc::now()),
        };
        let saved = match current {
            Some(existing) => {
                let result = value_assessment::Entity::update_many()
                    .set(model)
                    .filter(value_assessment::Column::InitiativeId.eq(initiative_id))
                    .filter(value_assessment::Column::Version.eq(existing.version))
                    .exec(&txn)
                    .await?;
                if result.rows_affected != 1 {
                    return Err(ServiceError::StaleVersion {
                        current: existing.version + 1,
                    });
                }
                value_assessment::Entity::find_by_id(initiative_id)
                    .one(&txn)
                    .await?
                    .ok_or(ServiceError::NotFound {
                        entity: "value assessment",
                    })?
            }
            None => model.insert(&txn).await?,
        };
        let view = to_view(saved);
        write::child_changed(
            &txn,
            Change {
                tenant_id: row.tenant_id,
                initiative_id,
                entity_type: EntityKind::ValueAssessment,
                entity_id: initiative_id,
                operation: if before.is_some() {
                    Operation::Update
                } else {
                    Operation::Create
                },
                actor: Some(principal.subject),
                meta,
                before: before.as_ref().and_then(snapshot),
                after: snapshot(&view),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(view)
    }
}
