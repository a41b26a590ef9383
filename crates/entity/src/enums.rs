//! Enumerations stored as text columns. Their string values are part of the public API.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What kind of registry operator a tenant is.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum TenantKind {
    /// A national ICT ministry's or regulator's registry.
    #[sea_orm(string_value = "national_registry")]
    NationalRegistry,
    /// A UN agency's or multilateral programme.
    #[sea_orm(string_value = "un_programme")]
    UnProgramme,
    /// A partnership network or platform.
    #[sea_orm(string_value = "partnership_network")]
    PartnershipNetwork,
    /// A donor's portfolio.
    #[sea_orm(string_value = "donor_portfolio")]
    DonorPortfolio,
    #[sea_orm(string_value = "other")]
    Other,
}

/// A member's or API client's role within one tenant. Ordered: each role can do what the
/// roles below it can.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads the tenant's records, private ones included.
    #[sea_orm(string_value = "viewer")]
    Viewer,
    /// Creates and changes records.
    #[sea_orm(string_value = "editor")]
    Editor,
    /// Manages members and API clients.
    #[sea_orm(string_value = "admin")]
    Admin,
    /// Manages the tenant itself.
    #[sea_orm(string_value = "owner")]
    Owner,
}

/// The sector a stakeholder belongs to (DOMAIN.md, "Stakeholders").
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    /// Local, national and international governance institutions; local authorities.
    #[sea_orm(string_value = "government")]
    Government,
    /// Private, for-profit.
    #[sea_orm(string_value = "business")]
    Business,
    /// NGOs, community organisations, citizens.
    #[sea_orm(string_value = "civil_society")]
    CivilSociety,
    #[sea_orm(string_value = "academia")]
    Academia,
    /// United Nations and other multilateral bodies.
    #[sea_orm(string_value = "united_nations_multilateral")]
    UnitedNationsMultilateral,
    #[sea_orm(string_value = "donor")]
    Donor,
    #[sea_orm(string_value = "foundation")]
    Foundation,
}

/// Who may read a record: its tenant only, or everyone (the portal read API).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    #[sea_orm(string_value = "private")]
    Private,
    #[sea_orm(string_value = "public")]
    Public,
}
