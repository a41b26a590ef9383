//! Demo data for a newcomer's first start: one tenant with the partner organisations of the
//! example partnerships in the source documents (DOMAIN.md, "Example records"), and a second
//! tenant (Mali's national registry) that registers one of them again, so the demo shows a
//! candidate duplicate pair across two tenants.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use entity::enums::{
    AgreementStatus, AgreementType, ContributionStatus, EngagementModel, InitiativeKind,
    JourneyStage, Outcome, PartnerRole, PartnershipForm, RepresentativeLevel, ResourceKind, Role,
    Scale, Sector, Spectrum, TenantKind, Visibility,
};
use uuid::Uuid;

use crate::{
    Caller, Principal, Registry, SubjectKind,
    agreements::{AgreementElements, Governance, NewAgreement, PartyRole, Representative, Term},
    auth::password,
    contributions::{DecimalText, NewContribution},
    error::{ServiceError, ServiceResult},
    history::WriteMeta,
    initiatives::{InitiativePatch, NewInitiative},
    lessons::NewLesson,
    members::NewUser,
    organizations::NewOrganization,
    partners::NewPartner,
    reports::{Indicator, NewReport},
    tenants::NewTenant,
};

pub const DEMO_TENANT: &str = "demo";
pub const DEMO_EMAIL: &str = "owner@demo.msp-registry.example";

/// What a newcomer needs to start: printed once by the server.
#[derive(Clone, Debug)]
pub struct DemoCredentials {
    pub tenant_slug: String,
    pub email: String,
    pub password: String,
    pub access_token: String,
}

/// (name, acronym, sector, sub-type, country, public?, description)
type OrgSeed = (
    &'static str,
    Option<&'static str>,
    Sector,
    &'static str,
    Option<&'static str>,
    bool,
    &'static str,
);

const ORGANIZATIONS: &[OrgSeed] = &[
    (
        "Microsoft",
        None,
        Sector::Business,
        "multinational IT company",
        Some("US"),
        true,
        "Grant for monitoring, evaluation and outreach, and donations of software and computer-based training to the Mali CLIC project (traditional corporate philanthropy).",
    ),
    (
        "dot-ORG",
        None,
        Sector::Donor,
        "donor programme",
        Some("US"),
        true,
        "ICT-for-development programme that brokered private-sector partnerships in Mali, Brazil, South Africa, Uganda, Macedonia, Rwanda and Kyrgyzstan.",
    ),
    (
        "Ministry of Communication and New Information Technologies of Mali",
        None,
        Sector::Government,
        "national ministry",
        Some("ML"),
        true,
        "Public partner of the Mali community learning and information centres (CLIC).",
    ),
    (
        "Intel Corporation",
        Some("Intel"),
        Sector::Business,
        "multinational IT company",
        Some("US"),
        true,
        "Runs the Intel Computer Clubhouses in Brazil and South Africa; dot-ORG's technical assistance on sustainability was small next to Intel's investment (value-added model).",
    ),
    (
        "Grameen Technology Center",
        None,
        Sector::Foundation,
        "foundation",
        Some("US"),
        true,
        "Grameen village phone project in Uganda: women's cell phone businesses, with add-on business training from dot-ORG.",
    ),
    (
        "MTN Uganda",
        None,
        Sector::Business,
        "telecom operator",
        Some("UG"),
        true,
        "Mobile network operator serving the village phone businesses.",
    ),
    (
        "Programa para o Futuro partners' network",
        None,
        Sector::CivilSociety,
        "community organisation",
        Some("BR"),
        true,
        "Local non-profit partners of Brazil's Programa para o Futuro (partnership model).",
    ),
    (
        "On.Net",
        None,
        Sector::Business,
        "telecom operator / ISP",
        Some("MK"),
        true,
        "Extended its network nationally, rural areas included, once school connectivity was aggregated into one contract (Macedonia Connects, market-making model).",
    ),
    (
        "Motorola",
        None,
        Sector::Business,
        "equipment vendor",
        Some("US"),
        true,
        "Provided equipment and services to Macedonia Connects.",
    ),
    (
        "Ministry of Education and Science of North Macedonia",
        None,
        Sector::Government,
        "national ministry",
        Some("MK"),
        true,
        "Client of the aggregated school connectivity contract.",
    ),
    (
        "Rwanda local ICT service providers' association",
        None,
        Sector::Business,
        "small local firm",
        Some("RW"),
        false,
        "Local providers whose customer base grew through vouchers and micro-stipends.",
    ),
    (
        "Kyrgyz community telecentre network",
        None,
        Sector::CivilSociety,
        "community organisation",
        Some("KG"),
        false,
        "Voucher scheme building demand for local ICT service providers.",
    ),
    (
        "Ministry of Agriculture of Sri Lanka",
        None,
        Sector::Government,
        "national ministry",
        Some("LK"),
        true,
        "Convenes the food-security multi-stakeholder partnership.",
    ),
    (
        "World Food Programme",
        Some("WFP"),
        Sector::UnitedNationsMultilateral,
        "UN agency",
        None,
        true,
        "UN agency in the Sri Lanka food-security MSP.",
    ),
    (
        "Food and Agriculture Organization of the United Nations",
        Some("FAO"),
        Sector::UnitedNationsMultilateral,
        "UN agency",
        None,
        true,
        "UN agency in the Sri Lanka food-security MSP.",
    ),
    (
        "Island supermarket chain",
        None,
        Sector::Business,
        "retail chain",
        Some("LK"),
        false,
        "Buyer and distributor in the Sri Lanka food-security MSP.",
    ),
    (
        "Colombo food-app startup",
        None,
        Sector::Business,
        "digital startup",
        Some("LK"),
        false,
        "Builds the app that connects households and suppliers.",
    ),
    (
        "University of Colombo School of Computing",
        Some("UCSC"),
        Sector::Academia,
        "university",
        Some("LK"),
        true,
        "Evidence and evaluation partner.",
    ),
    (
        "Brazilian local IT firms' association",
        None,
        Sector::Business,
        "small local firm",
        Some("BR"),
        true,
        "Local firms that contributed hardware, software, venue and e-mentoring to Programa para o Futuro.",
    ),
];

/// (organisation name, roles, interest, influence)
type PartnerSeed = (&'static str, &'static [PartnerRole], u8, u8);

struct InitiativeSeed {
    title: &'static str,
    summary: &'static str,
    kind: InitiativeKind,
    countries: &'static [&'static str],
    action_lines: &'static [&'static str],
    sdg_targets: &'static [&'static str],
    sdg_goals: &'static [u8],
    spectrum: Spectrum,
    engagement_model: Option<EngagementModel>,
    form: PartnershipForm,
    scale: Scale,
    stage: JourneyStage,
    outcome: Outcome,
    start: (i32, u32, u32),
    partners: &'static [PartnerSeed],
}

use PartnerRole::*;

const INITIATIVES: &[InitiativeSeed] = &[
    InitiativeSeed {
        title: "Mali CLIC: community learning and information centres",
        summary: "Community centres offering ICT access and training; Microsoft gave a grant for monitoring, evaluation and outreach, and donated software and computer-based training.",
        kind: InitiativeKind::Ppp,
        countries: &["ML"],
        action_lines: &["C3", "C4"],
        sdg_targets: &["4.4"],
        sdg_goals: &[4],
        spectrum: Spectrum::LeverageExchange,
        engagement_model: Some(EngagementModel::CorporatePhilanthropy),
        form: PartnershipForm::Project,
        scale: Scale::National,
        stage: JourneyStage::Implementing,
        outcome: Outcome::PartlySuccessful,
        start: (2003, 1, 1),
        partners: &[
            (
                "Ministry of Communication and New Information Technologies of Mali",
                &[Lead],
                5,
                5,
            ),
            ("Microsoft", &[Funder], 2, 3),
            ("dot-ORG", &[Coordinator, Funder], 4, 3),
        ],
    },
    InitiativeSeed {
        title: "Intel Computer Clubhouses in Brazil and South Africa",
        summary: "After-school technology centres run by Intel; dot-ORG's small technical assistance addressed their sustainability (value-added model).",
        kind: InitiativeKind::Msp,
        countries: &["BR", "ZA"],
        action_lines: &["C4", "C7.e-learning"],
        sdg_targets: &[],
        sdg_goals: &[4],
        spectrum: Spectrum::CombineIntegrate,
        engagement_model: Some(EngagementModel::ValueAdded),
        form: PartnershipForm::Network,
        scale: Scale::International,
        stage: JourneyStage::Sustaining,
        outcome: Outcome::Successful,
        start: (2002, 6, 1),
        partners: &[
            ("Intel Corporation", &[Lead, Funder], 4, 5),
            ("dot-ORG", &[TechnicalPartner], 3, 2),
        ],
    },
    InitiativeSeed {
        title: "Grameen village phone business training in Uganda",
        summary: "Add-on training in business practices for women's cell phone businesses, to make them last.",
        kind: InitiativeKind::Msp,
        countries: &["UG"],
        action_lines: &["C4", "C7.e-business"],
        sdg_targets: &["5.b"],
        sdg_goals: &[8],
        spectrum: Spectrum::CombineIntegrate,
        engagement_model: Some(EngagementModel::ValueAdded),
        form: PartnershipForm::Project,
        scale: Scale::National,
        stage: JourneyStage::Sustaining,
        outcome: Outcome::Successful,
        start: (2004, 3, 1),
        partners: &[
            ("Grameen Technology Center", &[Lead], 5, 4),
            ("MTN Uganda", &[Implementer], 3, 4),
            ("dot-ORG", &[TechnicalPartner], 3, 2),
        ],
    },
    InitiativeSeed {
        title: "Programa para o Futuro",
        summary: "Brazilian youth ICT training with many local private and non-profit partners contributing hardware, software, venue, expertise, utilities, e-mentoring, cash and scholarships (partnership model).",
        kind: InitiativeKind::Msp,
        countries: &["BR"],
        action_lines: &["C4", "C7.e-employment"],
        sdg_targets: &["8.6"],
        sdg_goals: &[4],
        spectrum: Spectrum::CombineIntegrate,
        engagement_model: Some(EngagementModel::Partnership),
        form: PartnershipForm::Network,
        scale: Scale::National,
        stage: JourneyStage::Reviewing,
        outcome: Outcome::Successful,
        start: (2001, 5, 1),
        partners: &[
            (
                "Programa para o Futuro partners' network",
                &[Lead, Implementer],
                5,
                4,
            ),
            (
                "Brazilian local IT firms' association",
                &[Implementer, Funder],
                4,
                3,
            ),
            ("dot-ORG", &[Coordinator], 3, 3),
        ],
    },
    InitiativeSeed {
        title: "Macedonia Connects",
        summary: "School connectivity aggregated into one contract, enticing On.Net to extend its network nationally, rural areas included, with Motorola providing equipment (market-making model).",
        kind: InitiativeKind::Ppp,
        countries: &["MK"],
        action_lines: &["C2", "C7.e-learning"],
        sdg_targets: &["9.c", "4.a"],
        sdg_goals: &[],
        spectrum: Spectrum::SystemTransformation,
        engagement_model: Some(EngagementModel::MarketMaking),
        form: PartnershipForm::Project,
        scale: Scale::National,
        stage: JourneyStage::Sustaining,
        outcome: Outcome::Successful,
        start: (2004, 9, 1),
        partners: &[
            (
                "Ministry of Education and Science of North Macedonia",
                &[Lead],
                5,
                5,
            ),
            ("On.Net", &[Implementer], 5, 4),
            ("Motorola", &[TechnicalPartner], 3, 2),
            ("dot-ORG", &[Coordinator], 4, 3),
        ],
    },
    InitiativeSeed {
        title: "Rwanda ICT service vouchers",
        summary: "Vouchers and micro-stipends that built a customer base for local ICT service providers.",
        kind: InitiativeKind::Msp,
        countries: &["RW"],
        action_lines: &["C2", "C6"],
        sdg_targets: &[],
        sdg_goals: &[9],
        spectrum: Spectrum::LeverageExchange,
        engagement_model: Some(EngagementModel::MarketMaking),
        form: PartnershipForm::Project,
        scale: Scale::National,
        stage: JourneyStage::Closed,
        outcome: Outcome::PartlySuccessful,
        start: (2005, 1, 1),
        partners: &[
            (
                "Rwanda local ICT service providers' association",
                &[Implementer],
                4,
                2,
            ),
            ("dot-ORG", &[Funder, Coordinator], 3, 4),
        ],
    },
    InitiativeSeed {
        title: "Kyrgyzstan telecentre vouchers",
        summary: "Vouchers building demand for local ICT service providers; local providers sometimes treated social-sector support as just another revenue source.",
        kind: InitiativeKind::Msp,
        countries: &["KG"],
        action_lines: &["C2"],
        sdg_targets: &[],
        sdg_goals: &[9],
        spectrum: Spectrum::LeverageExchange,
        engagement_model: Some(EngagementModel::MarketMaking),
        form: PartnershipForm::AdHocTaskForce,
        scale: Scale::Local,
        stage: JourneyStage::Discontinued,
        outcome: Outcome::Unsuccessful,
        start: (2005, 6, 1),
        partners: &[
            ("Kyrgyz community telecentre network", &[Implementer], 3, 2),
            ("dot-ORG", &[Funder], 3, 3),
        ],
    },
    InitiativeSeed {
        title: "Sri Lanka food-security multi-stakeholder partnership",
        summary: "Ministries, UN agencies, a supermarket chain, households and an app company mapping their interests to improve food security.",
        kind: InitiativeKind::Msp,
        countries: &["LK"],
        action_lines: &["C7.e-agriculture", "C3"],
        sdg_targets: &["2.1"],
        sdg_goals: &[],
        spectrum: Spectrum::SystemTransformation,
        engagement_model: Some(EngagementModel::Partnership),
        form: PartnershipForm::SynergisticAgent,
        scale: Scale::National,
        stage: JourneyStage::AgreeObjectives,
        outcome: Outcome::NotYetKnown,
        start: (2019, 3, 1),
        partners: &[
            (
                "Ministry of Agriculture of Sri Lanka",
                &[Lead, Coordinator],
                5,
                5,
            ),
            ("World Food Programme", &[Funder, TechnicalPartner], 4, 4),
            (
                "Food and Agriculture Organization of the United Nations",
                &[TechnicalPartner],
                4,
                3,
            ),
            ("Island supermarket chain", &[Implementer], 2, 4),
            ("Colombo food-app startup", &[TechnicalPartner], 4, 1),
            (
                "University of Colombo School of Computing",
                &[TechnicalPartner],
                3,
                2,
            ),
        ],
    },
];

/// The elements of the demo's partnership agreement, so its draft shows every section.
fn macedonia_agreement_elements(
    partner: &dyn Fn(&str) -> ServiceResult<Uuid>,
) -> ServiceResult<AgreementElements> {
    let ministry = partner("Ministry of Education and Science of North Macedonia")?;
    let on_net = partner("On.Net")?;
    let dot_org = partner("dot-ORG")?;
    let representative = |partner_id, name: &str, title: &str, level| Representative {
        partner_id,
        name: name.into(),
        title: Some(title.into()),
        level,
    };
    let role = |partner_id, responsibilities: &str| PartyRole {
        partner_id,
        responsibilities: responsibilities.into(),
        contribution_ids: Vec::new(),
    };
    Ok(AgreementElements {
        representatives: vec![
            representative(ministry, "Minister of Education and Science", "Minister", RepresentativeLevel::Executive),
            representative(on_net, "Chief Executive, On.Net", "Chief Executive Officer", RepresentativeLevel::Executive),
            representative(dot_org, "Country Director, dot-ORG", "Country Director", RepresentativeLevel::Senior),
        ],
        context: Some("Schools across the country, rural ones above all, had no affordable internet access; no operator saw a market outside the cities. Aggregating every school's demand into one contract makes a national network worth building.".into()),
        vision: Some("Every primary and secondary school, and the community around it, connected to affordable broadband.".into()),
        purpose: Some("Aggregate the connectivity demand of all schools into one contract that entices an operator to extend its network nationally, rural areas included.".into()),
        objectives: vec![
            "Connect every primary and secondary school to wireless broadband".into(),
            "Extend the network to rural municipalities".into(),
            "Train teachers to use the connection in class".into(),
        ],
        activities: vec![
            "Tender one national school-connectivity contract".into(),
            "Build and run the wireless network".into(),
            "Equip school computer labs and train teachers".into(),
        ],
        resources: Some("The operator's network extension, the contract funding and the coordinator's programme management.".into()),
        roles: vec![
            role(ministry, "Owns the school-connectivity policy and opens every school to the network"),
            role(on_net, "Builds, runs and maintains the national wireless network"),
            role(dot_org, "Coordinates the partners, manages the contract and reports on progress"),
        ],
        governance: Some(Governance {
            decision_making: Some("A steering committee of the three parties decides by consensus".into()),
            meetings: Some("Monthly steering committee; quarterly review with schools".into()),
            reporting: Some("Quarterly progress reports to the steering committee; a public annual report".into()),
        }),
        term: Some(Term {
            starts_on: NaiveDate::from_ymd_opt(2005, 3, 1),
            ends_on: None,
            review: Some("Yearly review of coverage, quality and cost".into()),
            exit: Some("Six months' written notice; the network stays in service for the schools".into()),
        }),
    })
}

impl Registry {
    /// Loads the demo tenant, its owner and its organisations, and returns the credentials to
    /// print. Meant for an empty database.
    pub async fn seed_demo(&self) -> ServiceResult<DemoCredentials> {
        let tenant = self
            .create_tenant_unchecked(NewTenant {
                slug: DEMO_TENANT.into(),
                name: "WSIS partnerships demo registry".into(),
                kind: TenantKind::PartnershipNetwork,
                home_country: None,
                owner_email: None,
            })
            .await?;
        let secret = password::random_secret(20);
        let user_id = self
            .create_user(NewUser {
                email: DEMO_EMAIL.into(),
                display_name: "Demo registry owner".into(),
                password: secret.clone(),
                platform_admin: true,
            })
            .await?;
        self.grant_role_unchecked(tenant.id, user_id, Role::Owner)
            .await?;
        let principal = Principal {
            subject: user_id,
            kind: SubjectKind::User,
            tenant_id: tenant.id,
            role: Role::Owner,
            platform_admin: true,
        };
        let caller = Caller::Member(principal.clone());
        let mut organizations: HashMap<&str, Uuid> = HashMap::new();
        for (name, acronym, sector, sub_type, country, public, description) in ORGANIZATIONS {
            let org = self
                .create_organization(
                    &caller,
                    NewOrganization {
                        name: (*name).into(),
                        acronym: acronym.map(Into::into),
                        sector: *sector,
                        sub_type: Some((*sub_type).into()),
                        country: country.map(Into::into),
                        website: None,
                        description: Some((*description).into()),
                        iati_identifier: None,
                        visibility: if *public {
                            Visibility::Public
                        } else {
                            Visibility::Private
                        },
                        language: Some("en".into()),
                    },
                    &WriteMeta::default(),
                )
                .await?;
            organizations.insert(name, org.id);
        }
        self.seed_demo_initiatives(&caller, &organizations).await?;
        self.seed_demo_duplicate(&organizations).await?;
        Ok(DemoCredentials {
            tenant_slug: tenant.slug,
            email: DEMO_EMAIL.into(),
            password: secret,
            access_token: self.token_for(&principal).await?,
        })
    }
}

impl Registry {
    async fn seed_demo_initiatives(
        &self,
        caller: &Caller,
        organizations: &HashMap<&str, Uuid>,
    ) -> ServiceResult<()> {
        let meta = WriteMeta::reason("demo data from the source documents");
        for seed in INITIATIVES {
            let detail = self
                .create_initiative(
                    caller,
                    NewInitiative {
                        title: seed.title.into(),
                        summary: Some(seed.summary.into()),
                        description: None,
                        kind: seed.kind,
                        countries: seed.countries.iter().map(|c| (*c).to_owned()).collect(),
                        scale: Some(seed.scale),
                        action_lines: seed.action_lines.iter().map(|c| (*c).to_owned()).collect(),
                        sdg_goals: seed.sdg_goals.to_vec(),
                        sdg_targets: seed.sdg_targets.iter().map(|c| (*c).to_owned()).collect(),
                        spectrum: Some(seed.spectrum),
                        engagement_model: seed.engagement_model,
                        form: Some(seed.form),
                        stage: Some(seed.stage),
                        changed_on: None,
                        start_date: NaiveDate::from_ymd_opt(
                            seed.start.0,
                            seed.start.1,
                            seed.start.2,
                        ),
                        end_date: None,
                        outcome: Some(seed.outcome),
                        outcome_summary: None,
                        visibility: Visibility::Private,
                        iati_identifier: None,
                        external_identifiers: Vec::new(),
                        language: None,
                        translations: None,
                    },
                    &meta,
                )
                .await?;
            let id = detail.initiative.id;
            let mut partner_ids: HashMap<&str, Uuid> = HashMap::new();
            for (name, roles, interest, influence) in seed.partners {
                let organization_id = *organizations.get(name).ok_or_else(|| {
                    ServiceError::Internal(format!("demo organisation {name} missing"))
                })?;
                let partner = self
                    .create_child::<crate::partners::Partners>(
                        caller,
                        id,
                        NewPartner {
                            organization_id,
                            roles: roles.to_vec(),
                            status: None,
                            gains: Vec::new(),
                            interest: Some(*interest),
                            influence: Some(*influence),
                            joined_on: None,
                            left_on: None,
                        },
                        &meta,
                    )
                    .await?;
                partner_ids.insert(name, partner.id);
            }
            self.seed_demo_records(caller, seed.title, id, &partner_ids, &meta)
                .await?;
            let current = self.get_initiative(caller, id).await?;
            self.update_initiative(
                caller,
                id,
                crate::precondition::Precondition::Version(current.initiative.version),
                InitiativePatch {
                    visibility: Some(Visibility::Public),
                    ..Default::default()
                },
                &meta,
            )
            .await?;
        }
        Ok(())
    }
}

/// The second demo tenant: Mali's national registry, which registers the Mali CLIC
/// partnership the demo tenant also holds, so the demo shows a duplicate pair across tenants.
pub const DEMO_SECOND_TENANT: &str = "demo-mali";
pub const DEMO_SECOND_EMAIL: &str = "owner@demo-mali.msp-registry.example";

impl Registry {
    /// Mali's national registry (its owner's password is random and never printed) and its
    /// public record of the Mali CLIC partnership, with the same public partner organisations
    /// as the demo tenant's: `GET /api/v1/duplicates` as the demo tenant lists the pair, open
    /// until a side links or rejects it.
    async fn seed_demo_duplicate(&self, organizations: &HashMap<&str, Uuid>) -> ServiceResult<()> {
        let tenant = self
            .create_tenant_unchecked(NewTenant {
                slug: DEMO_SECOND_TENANT.into(),
                name: "Mali national ICT partnerships registry".into(),
                kind: TenantKind::NationalRegistry,
                home_country: Some("ML".into()),
                owner_email: None,
            })
            .await?;
        let user_id = self
            .create_user(NewUser {
                email: DEMO_SECOND_EMAIL.into(),
                display_name: "Mali registry owner".into(),
                password: password::random_secret(20),
                platform_admin: false,
            })
            .await?;
        self.grant_role_unchecked(tenant.id, user_id, Role::Owner)
            .await?;
        let caller = Caller::Member(Principal {
            subject: user_id,
            kind: SubjectKind::User,
            tenant_id: tenant.id,
            role: Role::Owner,
            platform_admin: false,
        });
        let meta = WriteMeta::reason("demo data: the same partnership in a second registry");
        let detail = self
            .create_initiative(
                &caller,
                NewInitiative {
                    title: "CLIC Mali: community learning and information centres".into(),
                    summary: Some(
                        "Community learning and information centres (CLIC) giving ICT access and training across Mali, registered by the national registry."
                            .into(),
                    ),
                    description: None,
                    kind: InitiativeKind::Ppp,
                    countries: vec!["ML".into()],
                    scale: Some(Scale::National),
                    action_lines: vec!["C3".into(), "C4".into()],
                    sdg_goals: vec![4],
                    sdg_targets: vec!["4.4".into()],
                    spectrum: Some(Spectrum::LeverageExchange),
                    engagement_model: Some(EngagementModel::CorporatePhilanthropy),
                    form: Some(PartnershipForm::Project),
                    stage: Some(JourneyStage::Implementing),
                    changed_on: None,
                    start_date: NaiveDate::from_ymd_opt(2003, 1, 1),
                    end_date: None,
                    outcome: None,
                    outcome_summary: None,
                    visibility: Visibility::Private,
                    iati_identifier: None,
                    external_identifiers: Vec::new(),
                    language: None,
                    translations: None,
                },
                &meta,
            )
            .await?;
        let id = detail.initiative.id;
        for (name, roles) in [
            (
                "Ministry of Communication and New Information Technologies of Mali",
                vec![PartnerRole::Lead],
            ),
            ("Microsoft", vec![PartnerRole::Funder]),
        ] {
            let organization_id = *organizations.get(name).ok_or_else(|| {
                ServiceError::Internal(format!("demo organisation {name} missing"))
            })?;
            self.create_child::<crate::partners::Partners>(
                &caller,
                id,
                NewPartner {
                    organization_id,
                    roles,
                    status: None,
                    gains: Vec::new(),
                    interest: None,
                    influence: None,
                    joined_on: None,
                    left_on: None,
                },
                &meta,
            )
            .await?;
        }
        let current = self.get_initiative(&caller, id).await?;
        self.update_initiative(
            &caller,
            id,
            crate::precondition::Precondition::Version(current.initiative.version),
            InitiativePatch {
                visibility: Some(Visibility::Public),
                ..Default::default()
            },
            &meta,
        )
        .await?;
        Ok(())
    }
}

/// (partner organisation, resource kind, amount and currency (illustrative), status, description)
type ContributionSeed = (
    &'static str,
    ResourceKind,
    Option<(&'static str, &'static str)>,
    ContributionStatus,
    &'static str,
);

fn demo_contributions(title: &str) -> &'static [ContributionSeed] {
    use ContributionStatus::{Delivered, Pledged};
    match title {
        t if t.starts_with("Mali CLIC") => &[
            (
                "Microsoft",
                ResourceKind::Software,
                None,
                Delivered,
                "Software donations and computer-based training",
            ),
            (
                "Microsoft",
                ResourceKind::Cash,
                Some(("50000.00", "USD")),
                Delivered,
                "Grant for monitoring, evaluation and outreach (illustrative amount)",
            ),
            (
                "dot-ORG",
                ResourceKind::Expertise,
                None,
                Delivered,
                "Project design and partnership brokering",
            ),
        ],
        t if t.starts_with("Intel") => &[
            (
                "Intel Corporation",
                ResourceKind::Cash,
                Some(("250000.00", "USD")),
                Pledged,
                "Clubhouse operations (illustrative amount)",
            ),
            (
                "dot-ORG",
                ResourceKind::Expertise,
                None,
                Delivered,
                "Technical assistance on sustainability",
            ),
        ],
        t if t.starts_with("Programa") => &[
            (
                "Brazilian local IT firms' association",
                ResourceKind::Hardware,
                None,
                Delivered,
                "Computers for the training labs",
            ),
            (
                "Brazilian local IT firms' association",
                ResourceKind::Mentoring,
                None,
                Delivered,
                "E-mentoring of trainees",
            ),
            (
                "Programa para o Futuro partners' network",
                ResourceKind::Venue,
                None,
                Delivered,
                "Training venues and utilities",
            ),
            (
                "Brazilian local IT firms' association",
                ResourceKind::Scholarships,
                Some(("120000.00", "BRL")),
                Delivered,
                "Scholarships for graduates (illustrative amount)",
            ),
        ],
        "Macedonia Connects" => &[
            (
                "On.Net",
                ResourceKind::Connectivity,
                None,
                Delivered,
                "National network extension to every school, rural areas included",
            ),
            (
                "Motorola",
                ResourceKind::Hardware,
                None,
                Delivered,
                "Wireless equipment and services",
            ),
            (
                "dot-ORG",
                ResourceKind::Cash,
                Some(("1000000.00", "USD")),
                Delivered,
                "Aggregated connectivity contract (illustrative amount)",
            ),
        ],
        _ => &[],
    }
}

impl Registry {
    /// Contributions, agreements, progress reports and lessons of the demo initiatives.
    async fn seed_demo_records(
        &self,
        caller: &Caller,
        title: &str,
        id: Uuid,
        partners: &HashMap<&str, Uuid>,
        meta: &WriteMeta,
    ) -> ServiceResult<()> {
        let partner = |name: &str| {
            partners
                .get(name)
                .copied()
                .ok_or_else(|| ServiceError::Internal(format!("demo partner {name} missing")))
        };
        for (name, kind, amount, status, description) in demo_contributions(title) {
            self.create_child::<crate::contributions::Contributions>(
                caller,
                id,
                NewContribution {
                    partner_id: partner(name)?,
                    resource_kind: *kind,
                    description: Some((*description).into()),
                    amount: amount.map(|(a, _)| DecimalText(a.into())),
                    currency: amount.map(|(_, c)| c.into()),
                    status: Some(*status),
                    contributed_on: None,
                },
                meta,
            )
            .await?;
        }
        if title == "Macedonia Connects" {
            self.create_child::<crate::agreements::Agreements>(
                caller,
                id,
                NewAgreement {
                    agreement_type: AgreementType::PartnershipAgreement,
                    title: "School connectivity partnership agreement".into(),
                    parties: vec![
                        partner("Ministry of Education and Science of North Macedonia")?,
                        partner("On.Net")?,
                        partner("dot-ORG")?,
                    ],
                    signed_on: NaiveDate::from_ymd_opt(2005, 3, 1),
                    status: Some(AgreementStatus::Active),
                    document_url: None,
                    elements: Some(macedonia_agreement_elements(&partner)?),
                    supersedes: None,
                },
                meta,
            )
            .await?;
            let today = Utc::now().date_naive();
            self.create_child::<crate::reports::Reports>(
                caller,
                id,
                NewReport {
                    period_start: today - Duration::days(365),
                    period_end: today - Duration::days(30),
                    narrative: "All primary and secondary schools connected; rural links stable."
                        .into(),
                    achievements: Some("Nationwide coverage reached.".into()),
                    challenges: Some("Maintenance budgets in rural municipalities.".into()),
                    indicators: vec![Indicator {
                        name: "Schools connected".into(),
                        target: Some("460".into()),
                        achieved: Some("460".into()),
                        unit: Some("schools".into()),
                    }],
                },
                meta,
            )
            .await?;
            // Two partners' health self-assessments a year apart, so the demo shows a health
            // report with a trend (and the partners' differing view of empowerment).
            let rate = |code: &str, rating: i32, note: Option<&str>| crate::health::HealthRating {
                code: code.into(),
                rating,
                note: note.map(Into::into),
            };
            for (name, days_ago, ratings) in [
                (
                    "Ministry of Education and Science of North Macedonia",
                    365,
                    vec![
                        rate("value_creation", 3, None),
                        rate("shared_vision", 4, Some("One national contract, one goal")),
                        rate("empowered_partners", 4, None),
                    ],
                ),
                (
                    "Ministry of Education and Science of North Macedonia",
                    30,
                    vec![
                        rate("value_creation", 5, Some("Every school connected")),
                        rate("shared_vision", 4, None),
                        rate("empowered_partners", 4, None),
                    ],
                ),
                (
                    "On.Net",
                    30,
                    vec![
                        rate("value_creation", 4, None),
                        rate("shared_vision", 4, None),
                        rate(
                            "empowered_partners",
                            1,
                            Some("Maintenance decisions are taken without us"),
                        ),
                    ],
                ),
            ] {
                self.create_child::<crate::health::HealthAssessments>(
                    caller,
                    id,
                    crate::health::NewHealthAssessment {
                        kind: crate::health::AssessmentKind::Fundamentals,
                        partner_id: Some(partner(name)?),
                        ratings,
                        assessed_on: Some(today - Duration::days(days_ago)),
                    },
                    meta,
                )
                .await?;
            }
        }
        if title.starts_with("Mali CLIC") {
            self.create_child::<crate::lessons::Lessons>(
                caller,
                id,
                NewLesson {
                    statement: "Public/private partnerships can work. Understanding the exact nature of the partnership and its leveraging potential is key.".into(),
                    context: Some("ICT-for-development projects engaging multinational IT companies and small local firms.".into()),
                    challenge: Some("Traditional corporate philanthropy has some value but limited impact.".into()),
                    recommendation: Some("Track the return on investment of each partnership and focus on the types with the highest leveraging potential rather than on specific partners.".into()),
                    tags: vec!["private-sector".into(), "leverage".into(), "roi".into()],
                    language: Some("en".into()),
                },
                meta,
            )
            .await?;
        }
        Ok(())
    }
}
