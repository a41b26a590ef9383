use sea_orm::entity::prelude::*;

use crate::enums::{AgreementStatus, AgreementType};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    pub agreement_type: AgreementType,
    pub title: String,
    /// JSON array of partner ids (partners of the same initiative).
    #[sea_orm(column_type = "Text")]
    pub parties: String,
    pub signed_on: Option<Date>,
    pub status: AgreementStatus,
    pub document_url: Option<String>,
    /// JSON object of the partnering agreement's essential elements (see the service's
    /// `agreements::AgreementElements`); none until any is given.
    #[sea_orm(column_type = "Text", nullable)]
    pub elements: Option<String>,
    /// JSON array of signatures (party, representative, the signing user, when).
    #[sea_orm(column_type = "Text")]
    pub signatures: String,
    /// The agreement of the same initiative this one is a new version of.
    pub supersedes_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
