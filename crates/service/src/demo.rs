//! Demo data for a newcomer's first start: one tenant with the partner organisations of the
//! example partnerships in the source documents (DOMAIN.md, "Example records").

use entity::enums::{Role, Sector, TenantKind, Visibility};

use crate::{
    Caller, Principal, Registry, SubjectKind, auth::password, error::ServiceResult,
    members::NewUser, organizations::NewOrganization, tenants::NewTenant,
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
];

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
        for (name, acronym, sector, sub_type, country, public, description) in ORGANIZATIONS {
            self.create_organization(
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
                },
            )
            .await?;
        }
        Ok(DemoCredentials {
            tenant_slug: tenant.slug,
            email: DEMO_EMAIL.into(),
            password: secret,
            access_token: self.tokens().issue(&principal)?,
        })
    }
}
