//! Creating many initiatives in one transaction (the bulk import): the same checks and the same
//! stored rows as `create_in` (initiative, tags, first journey entry, history,
//! change feed and webhook outbox), written with multi-row inserts a chunk at a time instead of
//! a dozen statements per initiative.

use chrono::{SubsecRound, Utc};
use entity::{enums::Visibility, initiative, initiative_tag, stage_change};
use sea_orm::{EntityTrait, Set, TryIntoModel};
use uuid::Uuid;

use super::{Draft, checked_new, first_stage_change, new_row, tag_rows, tags_of, to_view};
use crate::{
    EntityKind, Principal, Registry,
    error::ServiceResult,
    history::{self, Change, Operation, WriteMeta},
    initiatives::NewInitiative,
    validation::name_key,
    write::UnitOfWork,
};

/// A new initiative, as the bulk create reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Created {
    pub id: Uuid,
    pub version: i32,
}

/// Initiatives written per round of inserts. The widest row (the initiative, 26 columns) stays
/// far below both engines' limits on bound values.
const CHUNK: usize = 500;

impl Registry {
    /// Creates every input that passes create's checks, inside `txn`. The answer lines up with
    /// `inputs`: the new initiative's id and version, or why that input was refused (nothing of
    /// it is written). A database error ends the whole call. Only one chunk's full views are
    /// held at a time, so memory follows the input, not the stored records.
    pub(crate) async fn create_many_in(
        &self,
        txn: &UnitOfWork,
        principal: &Principal,
        inputs: Vec<NewInitiative>,
        meta: &WriteMeta,
    ) -> ServiceResult<Vec<ServiceResult<Created>>> {
        let checked: Vec<ServiceResult<Draft>> = inputs.into_iter().map(checked_new).collect();
        let drafts: Vec<(usize, &Draft)> = checked
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().ok().map(|d| (i, d)))
            .collect();
        let mut created: Vec<Option<Created>> = checked.iter().map(|_| None).collect();
        for chunk in drafts.chunks(CHUNK) {
            for (i, new) in self.create_chunk(txn, principal, chunk, meta).await? {
                created[i] = Some(new);
            }
        }
        Ok(checked
            .into_iter()
            .zip(created)
            .map(|(check, view)| {
                check.and_then(|_| {
                    view.ok_or_else(|| {
                        crate::error::ServiceError::Internal("a checked row was not created".into())
                    })
                })
            })
            .collect())
    }

    async fn create_chunk(
        &self,
        txn: &UnitOfWork,
        principal: &Principal,
        drafts: &[(usize, &Draft)],
        meta: &WriteMeta,
    ) -> ServiceResult<Vec<(usize, Created)>> {
        // The precision both engines keep, so the views below equal what a read returns.
        let now = Utc::now().trunc_subsecs(6);
        let mut rows = Vec::with_capacity(drafts.len());
        let mut tags = Vec::new();
        let mut stages = Vec::with_capacity(drafts.len());
        for (_, d) in drafts {
            let id = Uuid::now_v7();
            rows.push(new_row(principal, d, id, now));
            // The sort keys are known here: no sync needed afterwards.
            let is_public = d.visibility == Visibility::Public;
            tags.extend(tag_rows(id, d).into_iter().map(|mut t| {
                t.tenant_id = Set(Some(principal.tenant_id));
                t.title_key = Set(Some(name_key(&d.title)));
                t.is_public = Set(is_public);
                t
            }));
            stages.push(first_stage_change(principal, d, id, now, meta));
        }
        initiative::Entity::insert_many(rows.clone())
            .exec_without_returning(txn)
            .await?;
        // Six columns a tag row.
        for part in tags.chunks(CHUNK * 4) {
            initiative_tag::Entity::insert_many(part.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        stage_change::Entity::insert_many(stages)
            .exec_without_returning(txn)
            .await?;
        for ((_, d), row) in drafts.iter().zip(&rows) {
            if let Some(id) = row.id.try_as_ref()
                && !d.translations().is_empty()
            {
                crate::translations::replace(
                    txn,
                    principal.tenant_id,
                    EntityKind::Initiative,
                    *id,
                    d.translations(),
                )
                .await?;
            }
        }

        let mut created = Vec::with_capacity(drafts.len());
        for ((i, d), row) in drafts.iter().zip(rows) {
            let model = row.try_into_model()?;
            let view = to_view(model, tags_of(d), Vec::new(), self.settings());
            created.push((
                *i,
                Created {
                    id: view.id,
                    version: view.version,
                },
            ));
            txn.changed(Change {
                tenant_id: principal.tenant_id,
                initiative_id: view.id,
                entity_type: EntityKind::Initiative,
                entity_id: view.id,
                operation: Operation::Create,
                actor: Some(principal.subject),
                meta,
                before: None,
                after: crate::translations::snapshot(history::snapshot(&view), d.translations()),
            })
            .await?;
        }
        // Write this chunk's history, bindings and feed events now: memory follows the chunk.
        txn.flush().await?;
        Ok(created)
    }
}
