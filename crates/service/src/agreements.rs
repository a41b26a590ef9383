//! Agreements of an initiative: the partnership agreement, contracts, work plans and memoranda of
//! understanding that structure a partnership, with the partners that are party to each, the
//! date of signature and a link to the document; the essential elements of the partnering
//! agreement template ([`elements`]), its draft ([`draft`]), its signatures, and the new version
//! that supersedes a signed one.
//!
//! A signed agreement is frozen: once its status is past `draft` (set by a PATCH, or by the last
//! party's signature) a PATCH may change only its status (never back to `draft`) and its
//! document link; anything else answers 409, and a new agreement with `supersedes` replaces it.

pub mod draft;
pub mod elements;
mod phrases;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agreement, contribution,
    enums::{AgreementStatus, AgreementType},
    initiative, initiative_partner, organization,
};
use sea_orm::{
    ActiveValue::NotSet,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Select, Set,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Principal, Registry,
    children::{self, ChildResource, child_table},
    error::{ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta, snapshot},
    initiatives::access,
    tenancy,
    validation::{Checks, double_option},
    write,
};
pub use elements::{AgreementElements, Governance, PartyRole, Representative, Term};

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
    /// The essential elements of the partnering agreement (each empty until agreed).
    pub elements: AgreementElements,
    /// Who signed for which party, and when, in the order they signed.
    pub signatures: Vec<Signature>,
    /// The agreement this one is a new version of.
    pub supersedes: Option<Uuid>,
    /// The agreement that is a new version of this one.
    pub superseded_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A party's signature of an agreement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Signature {
    pub partner_id: Uuid,
    /// Who signed for the party.
    pub representative: String,
    /// The signed-in user (or API client) who recorded the signature.
    pub signed_by: Uuid,
    pub signed_at: DateTime<Utc>,
}

/// A signature to record: the party, and who signs for it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"partner_id": "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d", "representative": "A. Bello"}))]
pub struct NewSignature {
    /// A party to the agreement that has not signed yet.
    pub partner_id: Uuid,
    /// Defaults to the party's representative named in the elements.
    #[serde(default)]
    pub representative: Option<String>,
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
    /// The essential elements agreed so far.
    #[serde(default)]
    pub elements: Option<AgreementElements>,
    /// An agreement of this initiative that this one is a new version of (it is then shown as
    /// superseded); each is superseded once.
    #[serde(default)]
    pub supersedes: Option<Uuid>,
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
    /// Replaces all the elements (`null` clears them). Refused (409) once the agreement is
    /// signed.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<AgreementElements>)]
    pub elements: Option<Option<AgreementElements>>,
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
    elements: Option<AgreementElements>,
}

/// Checks the fields of the record as it will be (a PATCH's merged with the stored ones), its
/// parties when given and its elements against `parties` (the parties it will have): one 422
/// naming every bad field.
async fn check<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    f: Fields,
    given_parties: Option<&[Uuid]>,
    parties: &[Uuid],
) -> ServiceResult<Fields> {
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
    if let Some(given) = given_parties {
        check_parties(&mut c, db, initiative_id, given).await?;
    }
    let elements = match f.elements {
        Some(e) => {
            let contribution_partner = contributions_of(db, initiative_id).await?;
            let known = elements::Known {
                parties,
                contribution_partner: &contribution_partner,
            };
            Some(elements::check(&mut c, e, &known))
        }
        None => None,
    };
    c.finish()?;
    Ok(Fields {
        title,
        document_url,
        elements,
        ..f
    })
}

/// Contribution id → its partner, for the contributions of an initiative.
async fn contributions_of<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
) -> ServiceResult<HashMap<Uuid, Uuid>> {
    Ok(contribution::Entity::find()
        .select_only()
        .column(contribution::Column::Id)
        .column(contribution::Column::PartnerId)
        .filter(tenancy::child_of::<contribution::Entity>(initiative_id))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
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

/// Checks that every party is a partner of the initiative, once, naming `parties[i]`.
async fn check_parties<C: ConnectionTrait>(
    c: &mut Checks,
    db: &C,
    initiative_id: Uuid,
    parties: &[Uuid],
) -> ServiceResult<()> {
    if parties.len() > MAX_PARTIES {
        c.push(
            "parties",
            "length",
            format!("must name at most {MAX_PARTIES} parties"),
        );
        return Ok(());
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
    Ok(())
}

pub(crate) fn party_ids(row: &agreement::Model) -> Vec<Uuid> {
    serde_json::from_str(&row.parties).unwrap_or_default()
}

pub(crate) fn elements_of(row: &agreement::Model) -> AgreementElements {
    row.elements
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or_default()
}

pub(crate) fn signatures_of(row: &agreement::Model) -> Vec<Signature> {
    serde_json::from_str(&row.signatures).unwrap_or_default()
}

/// Agreement id → the agreement that supersedes it.
pub(crate) type Successors = HashMap<Uuid, Uuid>;

pub(crate) fn to_view(
    row: agreement::Model,
    partners: &PartyRows,
    successors: &Successors,
) -> Agreement {
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
    let elements = elements_of(&row);
    let signatures = signatures_of(&row);
    Agreement {
        id: row.id,
        initiative_id: row.initiative_id,
        agreement_type: row.agreement_type,
        title: row.title,
        parties,
        signed_on: row.signed_on,
        status: row.status,
        document_url: row.document_url,
        elements,
        signatures,
        supersedes: row.supersedes_id,
        superseded_by: successors.get(&row.id).copied(),
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The successors of the agreements `ids`.
async fn successors_of<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> ServiceResult<Successors> {
    if ids.is_empty() {
        return Ok(Successors::new());
    }
    Ok(agreement::Entity::find()
        .select_only()
        .column(agreement::Column::SupersedesId)
        .column(agreement::Column::Id)
        .filter(agreement::Column::SupersedesId.is_in(ids.iter().copied()))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// Whether an agreement's text is frozen: once it is past `draft` (signed by every party, or
/// given a later status), only its status and document link change.
pub fn is_frozen(status: AgreementStatus) -> bool {
    status != AgreementStatus::Draft
}

/// What a PATCH of a frozen agreement would change besides its status and document link: the
/// names of those fields (empty when it changes nothing else). Setting the status back to
/// `draft` counts as a change of `status`.
fn frozen_changes(before: &Agreement, patch: &AgreementPatch) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if patch
        .agreement_type
        .is_some_and(|t| t != before.agreement_type)
    {
        changed.push("agreement_type");
    }
    if patch
        .title
        .as_deref()
        .is_some_and(|t| t.trim() != before.title)
    {
        changed.push("title");
    }
    if let Some(parties) = &patch.parties {
        let stored: Vec<Uuid> = before.parties.iter().map(|p| p.partner_id).collect();
        if *parties != stored {
            changed.push("parties");
        }
    }
    if patch.signed_on.is_some_and(|d| d != before.signed_on) {
        changed.push("signed_on");
    }
    if let Some(elements) = &patch.elements
        && elements.as_ref().unwrap_or(&AgreementElements::default()) != &before.elements
    {
        changed.push("elements");
    }
    if patch.status == Some(AgreementStatus::Draft) {
        changed.push("status");
    }
    changed
}

/// Checks `supersedes` of a new agreement: an agreement of this initiative not yet superseded.
async fn check_supersedes<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    id: Uuid,
) -> ServiceResult<()> {
    let mut c = Checks::new();
    let old = agreement::Entity::find()
        .filter(agreement::Column::Id.eq(id))
        .filter(tenancy::child_of::<agreement::Entity>(initiative_id))
        .one(db)
        .await?;
    if old.is_none() {
        c.push(
            "supersedes",
            "unknown_agreement",
            "must be an agreement of this initiative",
        );
    } else if !successors_of(db, &[id]).await?.is_empty() {
        c.push(
            "supersedes",
            "already_superseded",
            "that agreement is already superseded by another version",
        );
    }
    c.finish()
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

    /// With their parties and successors, resolved in one query each.
    async fn views<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        rows: Vec<agreement::Model>,
    ) -> ServiceResult<Vec<Agreement>> {
        let mut ids: Vec<Uuid> = rows.iter().flat_map(party_ids).collect();
        ids.sort_unstable();
        ids.dedup();
        let partners = partners_among(db, initiative_id, &ids).await?;
        let own: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let successors = successors_of(db, &own).await?;
        Ok(rows
            .into_iter()
            .map(|r| to_view(r, &partners, &successors))
            .collect())
    }

    async fn new_row<C: ConnectionTrait>(
        db: &C,
        initiative: &initiative::Model,
        _principal: &Principal,
        input: NewAgreement,
    ) -> ServiceResult<agreement::ActiveModel> {
        let f = check(
            db,
            initiative.id,
            Fields {
                agreement_type: input.agreement_type,
                title: input.title,
                signed_on: input.signed_on,
                status: input.status.unwrap_or(AgreementStatus::Draft),
                document_url: input.document_url,
                elements: input.elements,
            },
            Some(&input.parties),
            &input.parties,
        )
        .await?;
        if let Some(old) = input.supersedes {
            check_supersedes(db, initiative.id, old).await?;
        }
        let mut row = row(f, Some(&input.parties));
        row.supersedes_id = Set(input.supersedes);
        row.signatures = Set("[]".into());
        Ok(row)
    }

    async fn patch_row<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        before: &Agreement,
        patch: AgreementPatch,
    ) -> ServiceResult<agreement::ActiveModel> {
        // Checked after the fields: a patch that is wrong answers 422 whatever the state.
        let frozen = if is_frozen(before.status) {
            frozen_changes(before, &patch)
        } else {
            Vec::new()
        };
        let refusal = |changed: Vec<&'static str>| {
            (!changed.is_empty()).then(|| {
                ServiceError::Conflict(format!(
                    "this agreement is signed and its text is frozen (the patch changes {}); only its status (not back to draft) and document_url may change: record a new version with `supersedes: \"{}\"`",
                    changed.join(", "),
                    before.id
                ))
            })
        };
        let stored: Vec<Uuid> = before.parties.iter().map(|p| p.partner_id).collect();
        let parties = patch.parties.clone().unwrap_or(stored);
        // The elements are judged against the parties the record will have; when a patch
        // changes only the parties, the stored elements are judged again.
        let elements_given = patch.elements.is_some() || patch.parties.is_some();
        let clear = patch.elements == Some(None);
        let elements = match patch.elements {
            Some(e) => e,
            None if patch.parties.is_some() => Some(before.elements.clone()),
            None => None,
        };
        let f = check(
            db,
            initiative_id,
            Fields {
                agreement_type: patch.agreement_type.unwrap_or(before.agreement_type),
                title: patch.title.unwrap_or_else(|| before.title.clone()),
                signed_on: patch.signed_on.unwrap_or(before.signed_on),
                status: patch.status.unwrap_or(before.status),
                document_url: patch
                    .document_url
                    .unwrap_or_else(|| before.document_url.clone()),
                elements,
            },
            patch.parties.as_deref(),
            &parties,
        )
        .await?;
        if let Some(conflict) = refusal(frozen) {
            return Err(conflict);
        }
        let mut row = row(f, patch.parties.as_deref());
        if clear {
            row.elements = Set(None);
        } else if !elements_given {
            row.elements = NotSet;
        }
        Ok(row)
    }
}

/// The columns of an agreement's checked fields (its parties only when given; its elements
/// when checked).
fn row(f: Fields, parties: Option<&[Uuid]>) -> agreement::ActiveModel {
    agreement::ActiveModel {
        agreement_type: Set(f.agreement_type),
        title: Set(f.title),
        parties: parties.map_or(NotSet, |p| Set(json(&p))),
        signed_on: Set(f.signed_on),
        status: Set(f.status),
        document_url: Set(f.document_url),
        elements: f.elements.map_or(NotSet, |e| Set(Some(json(&e)))),
        ..Default::default()
    }
}

impl Registry {
    /// Records a party's signature of an agreement (editors and above of the initiative's
    /// tenant): who signs for it (the representative given, else the one named in the
    /// elements), the signed-in user and the time. The last party's signature makes a draft
    /// `signed` (dated today unless it has a date), which freezes its text.
    pub async fn sign_agreement(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        input: NewSignature,
        meta: &WriteMeta,
    ) -> ServiceResult<Agreement> {
        let uow = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&uow, caller, initiative_id).await?;
        let before = children::find::<Agreements, _>(&uow, initiative_id, id).await?;
        if let Some(next) = before.superseded_by {
            return Err(ServiceError::Conflict(format!(
                "this agreement is superseded by {next}: sign the new version"
            )));
        }
        let mut c = Checks::new();
        let parties: Vec<Uuid> = before.parties.iter().map(|p| p.partner_id).collect();
        if !parties.contains(&input.partner_id) {
            c.push(
                "partner_id",
                "unknown_party",
                "must be a party to this agreement",
            );
        }
        let named = before
            .elements
            .representatives
            .iter()
            .find(|r| r.partner_id == input.partner_id)
            .map(|r| r.name.clone());
        let representative = match input.representative.or(named) {
            Some(name) => c.required_name("representative", &name, 200),
            None => {
                c.push(
                    "representative",
                    "required",
                    "is required when the elements name no representative of this party",
                );
                String::new()
            }
        };
        c.finish()?;
        if before
            .signatures
            .iter()
            .any(|s| s.partner_id == input.partner_id)
        {
            return Err(ServiceError::Conflict(
                "this party has already signed this agreement".into(),
            ));
        }
        let now = Utc::now();
        let mut signatures = before.signatures.clone();
        signatures.push(Signature {
            partner_id: input.partner_id,
            representative,
            signed_by: principal.subject,
            signed_at: now,
        });
        let all_signed = parties
            .iter()
            .all(|p| signatures.iter().any(|s| s.partner_id == *p));
        let mut changes = agreement::ActiveModel {
            signatures: Set(json(&signatures)),
            updated_at: Set(now),
            ..Default::default()
        };
        if all_signed && before.status == AgreementStatus::Draft {
            changes.status = Set(AgreementStatus::Signed);
            changes.signed_on = Set(Some(before.signed_on.unwrap_or(now.date_naive())));
        }
        let stored = agreement::Entity::update_many()
            .set(changes)
            .col_expr(
                agreement::Column::Version,
                Expr::col(agreement::Column::Version).add(1),
            )
            .filter(agreement::Column::Id.eq(id))
            .filter(agreement::Column::Version.eq(before.version))
            .exec_with_returning(&uow)
            .await?;
        if stored.len() != 1 {
            return Err(children::stale::<Agreements, _>(&uow, id).await);
        }
        let after = Agreements::views(&uow, initiative_id, stored)
            .await?
            .into_iter()
            .next()
            .ok_or(ServiceError::NotFound {
                entity: "agreement",
            })?;
        write::child_changed(
            &uow,
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
        uow.commit().await?;
        Ok(after)
    }
}
