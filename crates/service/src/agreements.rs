//! Agreements of an initiative: the partnership agreement, contracts, work plans and memoranda of
//! understanding that structure a partnership, with the partners that are party to each, the
//! date of signature and a link to the document.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agreement,
    enums::{AgreementStatus, AgreementType},
    initiative_partner, organization,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Registry,
    error::{ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta, snapshot},
    initiatives::access,
    pagination::{Page, PageRequest},
    precondition::Precondition,
    validation::{Checks, double_option},
    write,
};

const MAX_TITLE: usize = 300;
const MAX_PARTIES: usize = 200;

/// A party to an agreement: a partner of the initiative and its organisation.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AgreementParty {
    pub partner_id: Uuid,
    pub organization_id: Uuid,
    /// The organisation's name.
    pub name: String,
}

/// An agreement of an initiative.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Agreement {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub agreement_type: AgreementType,
    pub title: String,
    /// The partners party to it, in the order given. A partner removed from the initiative since
    /// is left out.
    pub parties: Vec<AgreementParty>,
    pub signed_on: Option<NaiveDate>,
    pub status: AgreementStatus,
    pub document_url: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "agreement_type": "memorandum_of_understanding",
    "title": "Memorandum of understanding on school connectivity",
    "parties": ["0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d", "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0e"],
    "signed_on": "2005-02-10",
    "status": "signed",
    "document_url": "https://example.org/mou.pdf"
}))]
pub struct NewAgreement {
    pub agreement_type: AgreementType,
    pub title: String,
    /// Partner ids of this initiative.
    #[serde(default)]
    pub parties: Vec<Uuid>,
    /// Required when the status is `signed` or `active`.
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// Defaults to `draft`.
    #[serde(default)]
    pub status: Option<AgreementStatus>,
    /// An absolute http(s) URL.
    #[serde(default)]
    pub document_url: Option<String>,
}

/// A PATCH of an agreement: absent fields stay; `null` clears; `parties` replaces the list.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementPatch {
    #[serde(default)]
    pub agreement_type: Option<AgreementType>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub parties: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub signed_on: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub status: Option<AgreementStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub document_url: Option<Option<String>>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgreementQuery {
    pub agreement_type: Option<AgreementType>,
    pub status: Option<AgreementStatus>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

struct Fields {
    agreement_type: AgreementType,
    title: String,
    signed_on: Option<NaiveDate>,
    status: AgreementStatus,
    document_url: Option<String>,
}

fn check(f: Fields) -> ServiceResult<Fields> {
    let mut c = Checks::new();
    let title = c.required_text("title", &f.title, MAX_TITLE);
    let document_url = c.web_url("document_url", f.document_url.as_deref());
    if matches!(f.status, AgreementStatus::Signed | AgreementStatus::Active)
        && f.signed_on.is_none()
    {
        c.push(
            "signed_on",
            "required",
            "is required for a signed or active agreement",
        );
    }
    c.finish()?;
    Ok(Fields {
        title,
        document_url,
        ..f
    })
}

pub(crate) type Partners = HashMap<Uuid, (initiative_partner::Model, organization::Model)>;

/// The partners of an initiative among `ids`, with their organisations.
async fn partners_among<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    ids: &[Uuid],
) -> ServiceResult<Partners> {
    if ids.is_empty() {
        return Ok(Partners::new());
    }
    Ok(initiative_partner::Entity::find()
        .filter(initiative_partner::Column::InitiativeId.eq(initiative_id))
        .filter(initiative_partner::Column::Id.is_in(ids.iter().copied()))
        .find_also_related(organization::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(p, o)| o.map(|o| (p.id, (p, o))))
        .collect())
}

/// Checks that every party is a partner of the initiative, once: a 422 naming `parties[i]`.
async fn check_parties<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    parties: &[Uuid],
) -> ServiceResult<()> {
    let mut c = Checks::new();
    if parties.len() > MAX_PARTIES {
        c.push(
            "parties",
            "length",
            format!("must name at most {MAX_PARTIES} parties"),
        );
        return c.finish();
    }
    let known = partners_among(db, initiative_id, parties).await?;
    for (i, id) in parties.iter().enumerate() {
        let field = format!("parties[{i}]");
        if !known.contains_key(id) {
            c.push(
                &field,
                "unknown_partner",
                "must be a partner of this initiative",
            );
        } else if parties[..i].contains(id) {
            c.push(&field, "duplicate", "names the same partner twice");
        }
    }
    c.finish()
}

fn party_ids(row: &agreement::Model) -> Vec<Uuid> {
    serde_json::from_str(&row.parties).unwrap_or_default()
}

pub(crate) fn to_view(row: agreement::Model, partners: &Partners) -> Agreement {
    let parties = party_ids(&row)
        .into_iter()
        .filter_map(|id| {
            let (p, o) = partners.get(&id)?;
            Some(AgreementParty {
                partner_id: p.id,
                organization_id: o.id,
                name: o.name.clone(),
            })
        })
        .collect();
    Agreement {
        id: row.id,
        initiative_id: row.initiative_id,
        agreement_type: row.agreement_type,
        title: row.title,
        parties,
        signed_on: row.signed_on,
        status: row.status,
        document_url: row.document_url,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Agreements as views, resolving all their parties in one query.
async fn views<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    rows: Vec<agreement::Model>,
) -> ServiceResult<Vec<Agreement>> {
    let mut ids: Vec<Uuid> = rows.iter().flat_map(party_ids).collect();
    ids.sort_unstable();
    ids.dedup();
    let partners = partners_among(db, initiative_id, &ids).await?;
    Ok(rows.into_iter().map(|r| to_view(r, &partners)).collect())
}

async fn find<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    id: Uuid,
) -> ServiceResult<Agreement> {
    let row = agreement::Entity::find_by_id(id)
        .filter(crate::tenancy::child_of::<agreement::Entity>(initiative_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound {
            entity: "agreement",
        })?;
    let partners = partners_among(db, initiative_id, &party_ids(&row)).await?;
    Ok(to_view(row, &partners))
}

fn json(ids: &[Uuid]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

impl Registry {
    pub async fn list_agreements(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        query: AgreementQuery,
    ) -> ServiceResult<Page<Agreement>> {
        access::readable(self.db(), caller, initiative_id).await?;
        let request = PageRequest::new(query.page, query.per_page, self.settings())?;
        let mut select =
            agreement::Entity::find().filter(agreement::Column::InitiativeId.eq(initiative_id));
        if let Some(kind) = query.agreement_type {
            select = select.filter(agreement::Column::AgreementType.eq(kind));
        }
        if let Some(status) = query.status {
            select = select.filter(agreement::Column::Status.eq(status));
        }
        let total = select.clone().count(self.db()).await?;
        let rows = select
            .order_by_asc(agreement::Column::CreatedAt)
            .order_by_asc(agreement::Column::Id)
            .offset(request.offset())
            .limit(request.per_page)
            .all(self.db())
            .await?;
        let items = views(self.db(), initiative_id, rows).await?;
        Ok(Page::new(items, request, total))
    }

    pub async fn get_agreement(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
    ) -> ServiceResult<Agreement> {
        access::readable(self.db(), caller, initiative_id).await?;
        find(self.db(), initiative_id, id).await
    }

    pub async fn add_agreement(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        input: NewAgreement,
        meta: &WriteMeta,
    ) -> ServiceResult<Agreement> {
        let txn = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&txn, caller, initiative_id).await?;
        let f = check(Fields {
            agreement_type: input.agreement_type,
            title: input.title,
            signed_on: input.signed_on,
            status: input.status.unwrap_or(AgreementStatus::Draft),
            document_url: input.document_url,
        })?;
        check_parties(&txn, initiative_id, &input.parties).await?;
        let now = Utc::now();
        let id = Uuid::now_v7();
        agreement::ActiveModel {
            id: Set(id),
            tenant_id: Set(initiative.tenant_id),
            initiative_id: Set(initiative_id),
            agreement_type: Set(f.agreement_type),
            title: Set(f.title),
            parties: Set(json(&input.parties)),
            signed_on: Set(f.signed_on),
            status: Set(f.status),
            document_url: Set(f.document_url),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let view = find(&txn, initiative_id, id).await?;
        write::child_changed(
            &txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Agreement,
                entity_id: id,
                operation: Operation::Create,
                actor: Some(principal.subject),
                meta,
                before: None,
                after: snapshot(&view),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(view)
    }

    pub async fn update_agreement(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: Precondition,
        patch: AgreementPatch,
        meta: &WriteMeta,
    ) -> ServiceResult<Agreement> {
        let txn = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&txn, caller, initiative_id).await?;
        let before = find(&txn, initiative_id, id).await?;
        crate::precondition::expect_version(expected_version, before.version)?;
        let f = check(Fields {
            agreement_type: patch.agreement_type.unwrap_or(before.agreement_type),
            title: patch.title.unwrap_or_else(|| before.title.clone()),
            signed_on: patch.signed_on.unwrap_or(before.signed_on),
            status: patch.status.unwrap_or(before.status),
            document_url: patch
                .document_url
                .unwrap_or_else(|| before.document_url.clone()),
        })?;
        // Parties are checked when given; unchanged ones keep what is stored.
        let parties = match patch.parties {
            Some(parties) => {
                check_parties(&txn, initiative_id, &parties).await?;
                Some(json(&parties))
            }
            None => None,
        };
        let result = agreement::Entity::update_many()
            .set(agreement::ActiveModel {
                agreement_type: Set(f.agreement_type),
                title: Set(f.title),
                parties: parties.map_or(sea_orm::ActiveValue::NotSet, Set),
                signed_on: Set(f.signed_on),
                status: Set(f.status),
                document_url: Set(f.document_url),
                version: Set(before.version + 1),
                updated_at: Set(Utc::now()),
                ..Default::default()
            })
            .filter(agreement::Column::Id.eq(id))
            .filter(agreement::Column::Version.eq(before.version))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: before.version + 1,
            });
        }
        let after = find(&txn, initiative_id, id).await?;
        write::child_changed(
            &txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Agreement,
                entity_id: id,
                operation: Operation::Update,
                actor: Some(principal.subject),
                meta,
                before: snapshot(&before),
                after: snapshot(&after),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    pub async fn remove_agreement(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected_version: Precondition,
        meta: &WriteMeta,
    ) -> ServiceResult<()> {
        let txn = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&txn, caller, initiative_id).await?;
        let before = find(&txn, initiative_id, id).await?;
        crate::precondition::expect_version(expected_version, before.version)?;
        let result = agreement::Entity::delete_many()
            .filter(agreement::Column::Id.eq(id))
            .filter(agreement::Column::Version.eq(before.version))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: before.version + 1,
            });
        }
        write::child_changed(
            &txn,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: EntityKind::Agreement,
                entity_id: id,
                operation: Operation::Delete,
                actor: Some(principal.subject),
                meta,
                before: snapshot(&before),
                after: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
