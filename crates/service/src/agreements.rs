//! Agreements of an initiative: the partnership agreement, contracts, work plans and memoranda of
//! understanding that structure a partnership, with the partners that are party to each, the
//! date of signature and a link to the document.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agreement,
    enums::{AgreementStatus, AgreementType},
    initiative, initiative_partner, organization,
};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    EntityKind, Principal,
    children::{ChildResource, child_table},
    error::ServiceResult,
    validation::{Checks, double_option},
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
    /// Required when the status is `signed` or `active`, and then not in the future.
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
    c.date("signed_on", f.signed_on);
    if matches!(f.status, AgreementStatus::Signed | AgreementStatus::Active) {
        match f.signed_on {
            None => c.push(
                "signed_on",
                "required",
                "is required for a signed or active agreement",
            ),
            Some(date) if date > Utc::now().date_naive() => c.push(
                "signed_on",
                "in_future",
                "a signed or active agreement cannot be signed on a future date",
            ),
            Some(_) => {}
        }
    }
    c.finish()?;
    Ok(Fields {
        title,
        document_url,
        ..f
    })
}

pub(crate) type PartyRows = HashMap<Uuid, (initiative_partner::Model, organization::Model)>;

/// The partners of an initiative among `ids`, with their organisations.
async fn partners_among<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    ids: &[Uuid],
) -> ServiceResult<PartyRows> {
    if ids.is_empty() {
        return Ok(PartyRows::new());
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

pub(crate) fn to_view(row: agreement::Model, partners: &PartyRows) -> Agreement {
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

fn json(ids: &[Uuid]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// The agreements of initiatives, as a child resource.
pub struct Agreements;

impl ChildResource for Agreements {
    child_table!(agreement, view: Agreement, query: AgreementQuery);
    type New = NewAgreement;
    type Patch = AgreementPatch;

    const KIND: EntityKind = EntityKind::Agreement;
    const NAME: &'static str = "agreement";

    fn filter(
        mut select: Select<agreement::Entity>,
        query: &AgreementQuery,
    ) -> ServiceResult<Select<agreement::Entity>> {
        if let Some(kind) = query.agreement_type {
            select = select.filter(agreement::Column::AgreementType.eq(kind));
        }
        if let Some(status) = query.status {
            select = select.filter(agreement::Column::Status.eq(status));
        }
        Ok(select)
    }

    /// With their parties, resolved in one query.
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

    async fn new_row<C: ConnectionTrait>(
        db: &C,
        initiative: &initiative::Model,
        _principal: &Principal,
        input: NewAgreement,
    ) -> ServiceResult<agreement::ActiveModel> {
        let f = check(Fields {
            agreement_type: input.agreement_type,
            title: input.title,
            signed_on: input.signed_on,
            status: input.status.unwrap_or(AgreementStatus::Draft),
            document_url: input.document_url,
        })?;
        check_parties(db, initiative.id, &input.parties).await?;
        Ok(row(f, Some(&input.parties)))
    }

    async fn patch_row<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        before: &Agreement,
        patch: AgreementPatch,
    ) -> ServiceResult<agreement::ActiveModel> {
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
        if let Some(parties) = &patch.parties {
            check_parties(db, initiative_id, parties).await?;
        }
        Ok(row(f, patch.parties.as_deref()))
    }
}

/// The columns of an agreement's checked fields (its parties only when given).
fn row(f: Fields, parties: Option<&[Uuid]>) -> agreement::ActiveModel {
    agreement::ActiveModel {
        agreement_type: Set(f.agreement_type),
        title: Set(f.title),
        parties: parties.map_or(NotSet, |p| Set(json(p))),
        signed_on: Set(f.signed_on),
        status: Set(f.status),
        document_url: Set(f.document_url),
        ..Default::default()
    }
}
