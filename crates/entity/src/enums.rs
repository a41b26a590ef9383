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

/// Public-private or multi-stakeholder partnership.
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
pub enum InitiativeKind {
    /// Public-private partnership.
    #[sea_orm(string_value = "ppp")]
    Ppp,
    /// Multi-stakeholder (multi-sector) partnership.
    #[sea_orm(string_value = "msp")]
    Msp,
}

/// Geographic scale.
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
pub enum Scale {
    #[sea_orm(string_value = "local")]
    Local,
    #[sea_orm(string_value = "national")]
    National,
    #[sea_orm(string_value = "regional")]
    Regional,
    #[sea_orm(string_value = "international")]
    International,
}

/// Partnership spectrum: aims and outcomes.
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
pub enum Spectrum {
    /// One partner donates to, or exchanges resources with, another.
    #[sea_orm(string_value = "leverage_exchange")]
    LeverageExchange,
    /// Partners combine complementary resources to deliver development better.
    #[sea_orm(string_value = "combine_integrate")]
    CombineIntegrate,
    /// Actors bring together the resources that together transform a system.
    #[sea_orm(string_value = "system_transformation")]
    SystemTransformation,
}

/// Private-sector engagement model (ICT4D practice).
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
pub enum EngagementModel {
    /// Donations, cash or in-kind.
    #[sea_orm(string_value = "corporate_philanthropy")]
    CorporatePhilanthropy,
    /// A small technical contribution to a larger corporate activity.
    #[sea_orm(string_value = "value_added")]
    ValueAdded,
    /// Both sides value the objective and contribute.
    #[sea_orm(string_value = "partnership")]
    Partnership,
    /// The social side aggregates a market or prepares the customer base.
    #[sea_orm(string_value = "market_making")]
    MarketMaking,
}

/// Duration and form of the partnership.
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
pub enum PartnershipForm {
    /// Ad hoc task force with no own resources.
    #[sea_orm(string_value = "ad_hoc_task_force")]
    AdHocTaskForce,
    #[sea_orm(string_value = "network")]
    Network,
    #[sea_orm(string_value = "project")]
    Project,
    /// A permanent organisation with its own staff and income.
    #[sea_orm(string_value = "permanent_organization")]
    PermanentOrganization,
    /// A central coordinating body with representatives from each sector.
    #[sea_orm(string_value = "synergistic_agent")]
    SynergisticAgent,
}

/// Stage of the partnership development journey, then of its life.
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
pub enum JourneyStage {
    /// Understand the context and alignment of interests.
    #[sea_orm(string_value = "understand_context")]
    UnderstandContext,
    /// Agree an overarching vision.
    #[sea_orm(string_value = "agree_vision")]
    AgreeVision,
    /// Agree a common purpose.
    #[sea_orm(string_value = "agree_purpose")]
    AgreePurpose,
    /// Agree specific objectives and activities.
    #[sea_orm(string_value = "agree_objectives")]
    AgreeObjectives,
    /// Agree resources, roles and responsibilities.
    #[sea_orm(string_value = "agree_resources")]
    AgreeResources,
    /// Structure the partnership.
    #[sea_orm(string_value = "structure")]
    Structure,
    /// Sign a partnership agreement.
    #[sea_orm(string_value = "sign_agreement")]
    SignAgreement,
    #[sea_orm(string_value = "implementing")]
    Implementing,
    #[sea_orm(string_value = "reviewing")]
    Reviewing,
    #[sea_orm(string_value = "sustaining")]
    Sustaining,
    #[sea_orm(string_value = "closed")]
    Closed,
    #[sea_orm(string_value = "discontinued")]
    Discontinued,
}

/// How the partnership turned out; unsuccessful ones are recorded too.
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
pub enum Outcome {
    #[sea_orm(string_value = "successful")]
    Successful,
    #[sea_orm(string_value = "partly_successful")]
    PartlySuccessful,
    #[sea_orm(string_value = "unsuccessful")]
    Unsuccessful,
    #[sea_orm(string_value = "not_yet_known")]
    NotYetKnown,
}

/// A partner's role in an initiative.
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
pub enum PartnerRole {
    #[sea_orm(string_value = "lead")]
    Lead,
    #[sea_orm(string_value = "co_lead")]
    CoLead,
    #[sea_orm(string_value = "funder")]
    Funder,
    #[sea_orm(string_value = "implementer")]
    Implementer,
    #[sea_orm(string_value = "coordinator")]
    Coordinator,
    #[sea_orm(string_value = "technical_partner")]
    TechnicalPartner,
    #[sea_orm(string_value = "beneficiary_representative")]
    BeneficiaryRepresentative,
}

/// Whether a partner takes part now.
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
pub enum PartnerStatus {
    #[sea_orm(string_value = "prospect")]
    Prospect,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "former")]
    Former,
}

/// What a partner gains from taking part.
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
pub enum Gain {
    #[sea_orm(string_value = "profit")]
    Profit,
    #[sea_orm(string_value = "social_cause")]
    SocialCause,
    #[sea_orm(string_value = "political_interest")]
    PoliticalInterest,
    #[sea_orm(string_value = "knowledge")]
    Knowledge,
    #[sea_orm(string_value = "efficiency")]
    Efficiency,
    #[sea_orm(string_value = "democracy")]
    Democracy,
    #[sea_orm(string_value = "visibility")]
    Visibility,
}

/// Kind of resource contributed.
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
pub enum ResourceKind {
    #[sea_orm(string_value = "cash")]
    Cash,
    #[sea_orm(string_value = "hardware")]
    Hardware,
    #[sea_orm(string_value = "software")]
    Software,
    #[sea_orm(string_value = "connectivity")]
    Connectivity,
    #[sea_orm(string_value = "venue")]
    Venue,
    #[sea_orm(string_value = "expertise")]
    Expertise,
    #[sea_orm(string_value = "staff_time")]
    StaffTime,
    #[sea_orm(string_value = "data")]
    Data,
    #[sea_orm(string_value = "training")]
    Training,
    #[sea_orm(string_value = "mentoring")]
    Mentoring,
    #[sea_orm(string_value = "scholarships")]
    Scholarships,
    #[sea_orm(string_value = "utilities")]
    Utilities,
    #[sea_orm(string_value = "other_in_kind")]
    OtherInKind,
}

/// Whether a contribution is promised or made.
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
pub enum ContributionStatus {
    #[sea_orm(string_value = "pledged")]
    Pledged,
    #[sea_orm(string_value = "delivered")]
    Delivered,
}

/// Kind of agreement.
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
pub enum AgreementType {
    #[sea_orm(string_value = "partnership_agreement")]
    PartnershipAgreement,
    #[sea_orm(string_value = "contract")]
    Contract,
    #[sea_orm(string_value = "work_plan")]
    WorkPlan,
    #[sea_orm(string_value = "memorandum_of_understanding")]
    MemorandumOfUnderstanding,
}

/// State of an agreement.
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
pub enum AgreementStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "signed")]
    Signed,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "expired")]
    Expired,
    #[sea_orm(string_value = "terminated")]
    Terminated,
}

/// A source of partnership value (value assessment framework).
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
pub enum ValueSource {
    #[sea_orm(string_value = "complementarity")]
    Complementarity,
    #[sea_orm(string_value = "systemic_transformation")]
    SystemicTransformation,
    #[sea_orm(string_value = "standards")]
    Standards,
    #[sea_orm(string_value = "innovation")]
    Innovation,
    #[sea_orm(string_value = "holism")]
    Holism,
    #[sea_orm(string_value = "shared_learning")]
    SharedLearning,
    #[sea_orm(string_value = "shared_risk")]
    SharedRisk,
    #[sea_orm(string_value = "synergy")]
    Synergy,
    #[sea_orm(string_value = "scale")]
    Scale,
    #[sea_orm(string_value = "critical_mass")]
    CriticalMass,
}

/// A lever an MSP can bring to bear.
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
pub enum Lever {
    #[sea_orm(string_value = "policy_regulation_taxation")]
    PolicyRegulationTaxation,
    #[sea_orm(string_value = "infrastructure_development")]
    InfrastructureDevelopment,
    #[sea_orm(string_value = "advocacy_balancing_power")]
    AdvocacyBalancingPower,
    #[sea_orm(string_value = "influence_behaviour_change")]
    InfluenceBehaviourChange,
    #[sea_orm(string_value = "new_norms")]
    NewNorms,
    #[sea_orm(string_value = "innovative_technologies")]
    InnovativeTechnologies,
    #[sea_orm(string_value = "inclusive_business")]
    InclusiveBusiness,
    #[sea_orm(string_value = "standards")]
    Standards,
    #[sea_orm(string_value = "evidence_information_data")]
    EvidenceInformationData,
    #[sea_orm(string_value = "affordable_finance")]
    AffordableFinance,
    #[sea_orm(string_value = "education_capacity_development")]
    EducationCapacityDevelopment,
    #[sea_orm(string_value = "organisation")]
    Organisation,
    #[sea_orm(string_value = "human_community_capital")]
    HumanCommunityCapital,
}

/// The level of a party's representative in its organisation (senior-level commitment is one of
/// the fundamentals of a partnership).
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
pub enum RepresentativeLevel {
    /// Chief executive, minister, director general, board.
    #[sea_orm(string_value = "executive")]
    Executive,
    /// Senior management: a director, head of department or country representative.
    #[sea_orm(string_value = "senior")]
    Senior,
    #[sea_orm(string_value = "manager")]
    Manager,
    #[sea_orm(string_value = "staff")]
    Staff,
}

impl RepresentativeLevel {
    /// Whether a representative of this level shows senior-level commitment.
    pub const fn is_senior(self) -> bool {
        matches!(
            self,
            RepresentativeLevel::Executive | RepresentativeLevel::Senior
        )
    }
}
