//! GraphQL enums mirroring the service's (values in upper snake case: `CIVIL_SOCIETY` for
//! REST's `civil_society`). Each converts both ways with its service enum; a variant added on
//! the service side fails to compile here until it is mirrored.

macro_rules! mirror {
    ($($(#[$meta:meta])* $name:ident = $remote:literal { $($variant:ident),+ $(,)? })+) => {
        $(
            $(#[$meta])*
            #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
            #[graphql(remote = $remote)]
            pub enum $name {
                $($variant),+
            }
        )+
    };
}

mirror! {
    /// What kind of registry operator a tenant is.
    TenantKind = "entity::enums::TenantKind" {
        NationalRegistry, UnProgramme, PartnershipNetwork, DonorPortfolio, Other
    }
    /// A member's or API client's role within one tenant (each can do what those below can).
    Role = "entity::enums::Role" { Viewer, Editor, Admin, Owner }
    /// Whether a principal is a person, a system, or a person of the external identity provider.
    SubjectKind = "service::SubjectKind" { User, Client, External }
    /// Where a duplicate link stands.
    LinkStatus = "service::duplicates::links::LinkStatus" { Proposed, Confirmed, Rejected }
    /// Where an invitation to a tenant stands.
    InvitationStatus = "service::invitations::InvitationStatus" {
        Pending, Accepted, Declined, Expired
    }
    /// The sector of an organisation.
    Sector = "entity::enums::Sector" {
        Government, Business, CivilSociety, Academia, UnitedNationsMultilateral, Donor, Foundation
    }
    /// Who may read a record: its tenant only, or everyone.
    Visibility = "entity::enums::Visibility" { Private, Public }
    /// A public-private partnership or a multi-stakeholder partnership.
    InitiativeKind = "entity::enums::InitiativeKind" { Ppp, Msp }
    /// Geographic scale of an initiative.
    Scale = "entity::enums::Scale" { Local, National, Regional, International }
    /// Where a partnership sits on the partnership spectrum.
    Spectrum = "entity::enums::Spectrum" {
        LeverageExchange, CombineIntegrate, SystemTransformation
    }
    /// How the private sector engages.
    EngagementModel = "entity::enums::EngagementModel" {
        CorporatePhilanthropy, ValueAdded, Partnership, MarketMaking
    }
    /// The form a partnership takes.
    PartnershipForm = "entity::enums::PartnershipForm" {
        AdHocTaskForce, Network, Project, PermanentOrganization, SynergisticAgent
    }
    /// Stages of the partnership development journey, then implementation and after.
    JourneyStage = "entity::enums::JourneyStage" {
        UnderstandContext, AgreeVision, AgreePurpose, AgreeObjectives, AgreeResources,
        Structure, SignAgreement, Implementing, Reviewing, Sustaining, Closed, Discontinued
    }
    /// How the partnership turned out; unsuccessful ones are recorded too.
    Outcome = "entity::enums::Outcome" {
        Successful, PartlySuccessful, Unsuccessful, NotYetKnown
    }
    /// A partner's role in an initiative.
    PartnerRole = "entity::enums::PartnerRole" {
        Lead, CoLead, Funder, Implementer, Coordinator, TechnicalPartner,
        BeneficiaryRepresentative
    }
    /// A lever an initiative brings to bear on its issue.
    Lever = "entity::enums::Lever" {
        PolicyRegulationTaxation, InfrastructureDevelopment, AdvocacyBalancingPower,
        InfluenceBehaviourChange, NewNorms, InnovativeTechnologies, InclusiveBusiness,
        Standards, EvidenceInformationData, AffordableFinance, EducationCapacityDevelopment,
        Organisation, HumanCommunityCapital
    }
    /// Whether a partner takes part now.
    PartnerStatus = "entity::enums::PartnerStatus" { Prospect, Active, Former }
    /// What a partner gains from taking part.
    Gain = "entity::enums::Gain" {
        Profit, SocialCause, PoliticalInterest, Knowledge, Efficiency, Democracy, Visibility
    }
    /// Kind of resource contributed.
    ResourceKind = "entity::enums::ResourceKind" {
        Cash, Hardware, Software, Connectivity, Venue, Expertise, StaffTime, Data, Training,
        Mentoring, Scholarships, Utilities, OtherInKind
    }
    /// Whether a contribution is promised or made.
    ContributionStatus = "entity::enums::ContributionStatus" { Pledged, Delivered }
    /// Kind of agreement.
    AgreementType = "entity::enums::AgreementType" {
        PartnershipAgreement, Contract, WorkPlan, MemorandumOfUnderstanding
    }
    /// State of an agreement.
    AgreementStatus = "entity::enums::AgreementStatus" {
        Draft, Signed, Active, Expired, Terminated
    }
    /// The level of a party's representative (senior-level commitment).
    RepresentativeLevel = "entity::enums::RepresentativeLevel" {
        Executive, Senior, Manager, Staff
    }
    /// Reporting status, after the practice of the UN partnership registry.
    ReportingStatus = "service::initiatives::ReportingStatus" {
        OnTrack, Due, Overdue, Inactive
    }
    /// Which records a list covers: the caller's tenant (members' default), every tenant's
    /// public ones (anonymous callers always get this), or both.
    Scope = "service::organizations::Scope" { Tenant, Public, All }
    /// Order of the initiative list; ties break by id. `RELEVANCE` needs `search`.
    InitiativeSort = "service::initiatives::InitiativeSort" {
        Title, TitleDesc, StartDate, StartDateDesc, UpdatedAt, UpdatedAtDesc, Relevance
    }
    /// A source of partnership value, rated in a value assessment.
    ValueSource = "entity::enums::ValueSource" {
        Complementarity, SystemicTransformation, Standards, Innovation, Holism, SharedLearning,
        SharedRisk, Synergy, Scale, CriticalMass
    }
    /// A quadrant of the stakeholder map (interest × influence; 3 and above is high).
    Quadrant = "service::analytics::stakeholder_map::Quadrant" {
        ManageClosely, KeepSatisfied, KeepInformed, Monitor
    }
    /// Why a stakeholder is not placed on the map.
    UnplacedReason = "service::analytics::stakeholder_map::UnplacedReason" {
        MissingInterest, MissingInfluence, MissingInterestAndInfluence, OutOfRange
    }
    /// A reference vocabulary (REST's `/api/v1/reference/{kind}`, `ACTION_LINES` for
    /// `action-lines`).
    ReferenceKind = "service::reference::ReferenceKind" {
        ActionLines, Sdgs, Sectors, Roles, JourneyStages, Spectrum, EngagementModels,
        ValueSources, Levers, ResourceKinds, Fundamentals, Competencies
    }
    /// Order of the organisation list; ties break by id.
    OrganizationSort = "service::organizations::OrganizationSort" {
        Name, NameDesc, CreatedAt, CreatedAtDesc, UpdatedAt, UpdatedAtDesc, Country, CountryDesc
    }
}

/// Converts a list of service enum values.
pub fn list<A: Copy, B: From<A>>(items: &[A]) -> Vec<B> {
    items.iter().map(|i| B::from(*i)).collect()
}
