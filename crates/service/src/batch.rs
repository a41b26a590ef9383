//! Batched reads for many records at once, for the GraphQL DataLoaders: the children of many
//! initiatives, organisations by id, the initiatives of many organisations. Each function
//! applies exactly the rules of its single-record counterpart (an initiative's children are
//! visible to whoever may read the initiative; an organisation to its own tenant or, when
//! public, to everyone), and answers in a fixed number of queries whatever the number of ids.
//! Ids the caller may not read are simply absent from the answer, as a missing id would be.

use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{
    agreement, contribution, enums::Role, initiative, initiative_partner, organization, revision,
    stage_change,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    Caller, Registry,
    agreements::{self, Agreement},
    children::ChildResource,
    contributions::{self, Contribution, ContributionTotals},
    error::ServiceResult,
    history::RevisionEntry,
    initiatives::{Initiative, StageChangeEntry},
    lessons::{Lesson, Lessons},
    organizations::Organization,
    partners::{self, Partner},
    reports::{ProgressReport, Reports},
    tenancy::{Child, Coverage},
};

type PartnerRows = HashMap<Uuid, (initiative_partner::Model, organization::Model)>;

fn dedup(ids: &[Uuid]) -> Vec<Uuid> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl Registry {
    /// Of `ids`, the initiatives the caller may read (the rule of `access::readable`).
    pub async fn readable_initiative_ids(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashSet<Uuid>> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let rows: Vec<Uuid> = initiative::Entity::find()
            .select_only()
            .column(initiative::Column::Id)
            .filter(initiative::Column::Id.is_in(dedup(ids)))
            .filter(Coverage::readable(caller).condition::<initiative::Entity>())
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The partners (with organisations) of the readable initiatives among `ids`, by partner
    /// id, and those initiatives' ids.
    async fn partner_rows(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<(Vec<Uuid>, PartnerRows)> {
        let readable: Vec<Uuid> = self
            .readable_initiative_ids(caller, ids)
            .await?
            .into_iter()
            .collect();
        if readable.is_empty() {
            return Ok((readable, PartnerRows::new()));
        }
        let rows = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.is_in(readable.iter().copied()))
            .find_also_related(organization::Entity)
            .order_by_asc(initiative_partner::Column::CreatedAt)
            .order_by_asc(initiative_partner::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .filter_map(|(p, o)| o.map(|o| (p.id, (p, o))))
            .collect();
        Ok((readable, rows))
    }

    /// The partners of each readable initiative among `ids`, in the order of their list
    /// (`partners::Partners::order`: oldest first). An optional status filter as in `PartnerQuery`.
    pub async fn partners_by_initiative(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Vec<Partner>>> {
        let mut out: HashMap<Uuid, Vec<Partner>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        // One statement: the partners whose initiative the caller may read (an initiative it
        // may not read has none to show, as one without partners).
        let rows = initiative_partner::Entity::find()
            .filter(initiative_partner::Column::InitiativeId.is_in(dedup(ids)))
            .filter(Coverage::readable(caller).over_initiatives::<initiative_partner::Entity>())
            .find_also_related(organization::Entity)
            .order_by_asc(initiative_partner::Column::CreatedAt)
            .order_by_asc(initiative_partner::Column::Id)
            .all(self.db())
            .await?;
        for (p, o) in rows {
            if let Some(o) = o {
                out.entry(p.initiative_id)
                    .or_default()
                    .push(partners::to_view(p, o));
            }
        }
        Ok(out)
    }

    /// The contributions of each readable initiative among `ids`, oldest first (as
    /// `contributions::Contributions::order`).
    pub async fn contributions_by_initiative(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Vec<Contribution>>> {
        let (readable, partners) = self.partner_rows(caller, ids).await?;
        let mut out: HashMap<Uuid, Vec<Contribution>> =
            readable.iter().map(|id| (*id, Vec::new())).collect();
        if readable.is_empty() {
            return Ok(out);
        }
        let rows = contribution::Entity::find()
            .filter(contribution::Column::InitiativeId.is_in(readable))
            .order_by_asc(contribution::Column::CreatedAt)
            .order_by_asc(contribution::Column::Id)
            .all(self.db())
            .await?;
        for c in rows {
            if let Some((p, o)) = partners.get(&c.partner_id) {
                out.entry(c.initiative_id)
                    .or_default()
                    .push(contributions::to_view(c, p, o));
            }
        }
        Ok(out)
    }

    /// The contribution totals of each readable initiative among `ids` (as
    /// `contribution_totals`).
    pub async fn contribution_totals_by_initiative(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, ContributionTotals>> {
        let readable: Vec<Uuid> = self
            .readable_initiative_ids(caller, ids)
            .await?
            .into_iter()
            .collect();
        let mut rows_by: HashMap<Uuid, Vec<contribution::Model>> =
            readable.iter().map(|id| (*id, Vec::new())).collect();
        if readable.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = contribution::Entity::find()
            .filter(contribution::Column::InitiativeId.is_in(readable.iter().copied()))
            .all(self.db())
            .await?;
        let contributing: Vec<Uuid> = dedup(&rows.iter().map(|c| c.partner_id).collect::<Vec<_>>());
        for row in rows {
            rows_by.entry(row.initiative_id).or_default().push(row);
        }
        let mut partners: HashMap<Uuid, BTreeMap<Uuid, _>> = HashMap::new();
        if !contributing.is_empty() {
            let found = initiative_partner::Entity::find()
                .filter(initiative_partner::Column::Id.is_in(contributing))
                .find_also_related(organization::Entity)
                .all(self.db())
                .await?;
            for (p, o) in found {
                if let Some(o) = o {
                    partners
                        .entry(p.initiative_id)
                        .or_insert_with(BTreeMap::new)
                        .insert(p.id, (p, o));
                }
            }
        }
        let mut out = HashMap::with_capacity(rows_by.len());
        for (id, rows) in rows_by {
            let names = partners.remove(&id).unwrap_or_default();
            out.insert(id, contributions::totals_of(rows, &names)?);
        }
        Ok(out)
    }

    /// The agreements of each readable initiative among `ids`, oldest first (as
    /// `agreements::Agreements::order`), with their parties.
    pub async fn agreements_by_initiative(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Vec<Agreement>>> {
        let (readable, partners) = self.partner_rows(caller, ids).await?;
        let mut out: HashMap<Uuid, Vec<Agreement>> =
            readable.iter().map(|id| (*id, Vec::new())).collect();
        if readable.is_empty() {
            return Ok(out);
        }
        let mut by_initiative: HashMap<Uuid, agreements::PartyRows> = HashMap::new();
        for (id, (p, o)) in partners {
            by_initiative
                .entry(p.initiative_id)
                .or_default()
                .insert(id, (p, o));
        }
        let rows = agreement::Entity::find()
            .filter(agreement::Column::InitiativeId.is_in(readable))
            .order_by_asc(agreement::Column::CreatedAt)
            .order_by_asc(agreement::Column::Id)
            .all(self.db())
            .await?;
        let none = agreements::PartyRows::new();
        // A new version is an agreement of the same initiative: its rows are all here.
        let successors: agreements::Successors = rows
            .iter()
            .filter_map(|r| r.supersedes_id.map(|old| (old, r.id)))
            .collect();
        for row in rows {
            let id = row.initiative_id;
            let parties = by_initiative.get(&id).unwrap_or(&none);
            out.entry(id)
                .or_default()
                .push(agreements::to_view(row, parties, &successors));
        }
        Ok(out)
    }

    /// The progress reports of each readable initiative among `ids`, the latest period first
    /// (as `reports::Reports::order`).
    pub async fn reports_by_initiative(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Vec<ProgressReport>>> {
        self.children_by_initiative::<Reports>(caller, ids).await
    }

    /// The lessons of each readable initiative among `ids`, newest first (as
    /// `lessons::Lessons::order`).
    pub async fn lessons_by_initiative(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Vec<Lesson>>> {
        self.children_by_initiative::<Lessons>(caller, ids).await
    }

    /// The records of a child resource of each readable initiative among `ids`, in the order
    /// of its list: one query for the rows, and the resource's views per initiative (for a
    /// resource whose views read nothing more, such as reports and lessons).
    async fn children_by_initiative<R: ChildResource>(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Vec<R::View>>> {
        let readable = self.readable_initiative_ids(caller, ids).await?;
        let mut rows_by: HashMap<Uuid, Vec<R::Model>> =
            readable.iter().map(|id| (*id, Vec::new())).collect();
        if !readable.is_empty() {
            let rows =
                R::order(R::Entity::find().filter(
                    <R::Entity as Child>::initiative_column().is_in(readable.iter().copied()),
                ))
                .all(self.db())
                .await?;
            for row in rows {
                rows_by.entry(R::initiative_of(&row)).or_default().push(row);
            }
        }
        let mut out = HashMap::with_capacity(rows_by.len());
        for (id, rows) in rows_by {
            out.insert(id, R::views(self.db(), id, rows).await?);
        }
        Ok(out)
    }

    /// The journey (stage changes, oldest first) of each readable initiative among `ids`, as
    /// in `get_initiative`.
    pub async fn stage_changes_by_initiative(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Vec<StageChangeEntry>>> {
        let readable = self.readable_initiative_ids(caller, ids).await?;
        let mut out: HashMap<Uuid, Vec<StageChangeEntry>> =
            readable.iter().map(|id| (*id, Vec::new())).collect();
        if readable.is_empty() {
            return Ok(out);
        }
        let rows = stage_change::Entity::find()
            .filter(stage_change::Column::InitiativeId.is_in(readable))
            .order_by_asc(stage_change::Column::ChangedAt)
            .order_by_asc(stage_change::Column::Id)
            .all(self.db())
            .await?;
        for c in rows {
            out.entry(c.initiative_id)
                .or_default()
                .push(crate::initiatives::store::stage_change_entry(c));
        }
        Ok(out)
    }

    /// The latest `limit` history entries of each initiative among `ids`, newest first, for
    /// members of the owning tenant only (as `initiative_history`): an initiative of another
    /// tenant has no entry in the answer, as its history is not found for this caller.
    pub async fn history_by_initiative(
        &self,
        caller: &Caller,
        ids: &[Uuid],
        limit: usize,
    ) -> ServiceResult<HashMap<Uuid, Vec<RevisionEntry>>> {
        let principal = caller.require(Role::Viewer)?;
        let mut out: HashMap<Uuid, Vec<RevisionEntry>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let rows = revision::Entity::find()
            .filter(revision::Column::InitiativeId.is_in(dedup(ids)))
            .filter(crate::tenancy::own::<revision::Entity>(principal.tenant_id))
            .order_by_desc(revision::Column::At)
            .order_by_desc(revision::Column::Id)
            .all(self.db())
            .await?;
        for r in rows {
            let entries = out.entry(r.initiative_id).or_default();
            if entries.len() < limit {
                entries.push(RevisionEntry {
                    id: r.id,
                    entity_type: r.entity_type,
                    entity_id: r.entity_id,
                    operation: r.operation,
                    actor: r.actor,
                    at: r.at,
                    reason: r.reason,
                    changes: serde_json::from_str(&r.changes).unwrap_or_default(),
                });
            }
        }
        Ok(out)
    }

    /// The organisations among `ids` that the caller may read (as `get_organization`).
    pub async fn organizations_by_id(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Organization>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = organization::Entity::find()
            .filter(organization::Column::Id.is_in(dedup(ids)))
            .filter(Coverage::readable(caller).condition::<organization::Entity>())
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| (m.id, Organization::from(m)))
            .collect())
    }

    /// For each organisation among `ids`, the initiatives it takes part in (any partner
    /// status, as the `organization` filter of `list_initiatives`) that the caller may read:
    /// its own tenant's and every public one. Ordered by title, then id.
    pub async fn initiatives_by_organization(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> ServiceResult<HashMap<Uuid, Vec<Initiative>>> {
        let mut out: HashMap<Uuid, Vec<Initiative>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let links: Vec<(Uuid, Uuid)> = initiative_partner::Entity::find()
            .select_only()
            .column(initiative_partner::Column::OrganizationId)
            .column(initiative_partner::Column::InitiativeId)
            .filter(initiative_partner::Column::OrganizationId.is_in(dedup(ids)))
            .into_tuple()
            .all(self.db())
            .await?;
        if links.is_empty() {
            return Ok(out);
        }
        let initiative_ids = dedup(&links.iter().map(|(_, i)| *i).collect::<Vec<_>>());
        let views: Vec<Initiative> = crate::initiatives::document::initiatives(
            self.db(),
            initiative::Entity::find()
                .filter(initiative::Column::Id.is_in(initiative_ids))
                .filter(Coverage::readable(caller).condition::<initiative::Entity>())
                .order_by_asc(initiative::Column::TitleKey)
                .order_by_asc(initiative::Column::Id),
            self.settings(),
        )
        .await?;
        let mut orgs_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (org, initiative_id) in links {
            orgs_of.entry(initiative_id).or_default().push(org);
        }
        for view in views {
            for org in orgs_of.get(&view.id).into_iter().flatten() {
                out.entry(*org).or_default().push(view.clone());
            }
        }
        Ok(out)
    }
}
