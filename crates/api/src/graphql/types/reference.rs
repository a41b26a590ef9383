//! Reference data: the vocabularies the registry's records use, in their canonical order.

use async_graphql::{Object, SimpleObject};
use sea_orm::Iterable;
use service::{initiatives::journey, partners::iati_role, reference};

use crate::graphql::enums::{
    AgreementStatus, AgreementType, ContributionStatus, EngagementModel, Gain, InitiativeKind,
    JourneyStage, Outcome, PartnerRole, PartnerStatus, PartnershipForm, ResourceKind, Role, Scale,
    Sector, Spectrum,
};

/// A WSIS Action Line of the Geneva Plan of Action (C1–C11), or one of C7's eight sub-lines.
#[derive(Clone, Debug, SimpleObject)]
pub struct ActionLine {
    pub code: String,
    pub label: String,
}

/// An SDG target.
#[derive(Clone, Debug, SimpleObject)]
pub struct SdgTarget {
    /// `9.c`, `4.4`...
    pub code: String,
    pub text: String,
}

/// A Sustainable Development Goal, with its targets.
#[derive(Clone, Debug, SimpleObject)]
pub struct SdgGoal {
    pub number: u8,
    pub short_name: String,
    pub title: String,
    pub targets: Vec<SdgTarget>,
}

/// A partner role and the IATI organisation role code it maps to.
#[derive(Clone, Debug, SimpleObject)]
pub struct PartnerRoleInfo {
    pub role: PartnerRole,
    /// 1 funding, 2 accountable, 3 extending, 4 implementing.
    pub iati_role: u8,
}

/// The registry's vocabularies.
pub struct ReferenceData;

fn all<E: Iterable + Copy, G: From<E>>() -> Vec<G> {
    E::iter().map(G::from).collect()
}

#[Object]
impl ReferenceData {
    /// WSIS action lines, C1 to C11 with C7's sub-lines.
    async fn action_lines(&self) -> Vec<ActionLine> {
        reference::ACTION_LINES
            .iter()
            .map(|a| ActionLine {
                code: a.code.to_owned(),
                label: a.label.to_owned(),
            })
            .collect()
    }

    /// The 17 SDGs with their 169 targets (the UN's English wording).
    async fn sdg_goals(&self) -> Vec<SdgGoal> {
        let sdgs = reference::sdgs();
        sdgs.goals
            .iter()
            .map(|(number, (short, title))| {
                let prefix = format!("{number}.");
                let mut targets: Vec<SdgTarget> = sdgs
                    .targets
                    .iter()
                    .filter(|(code, _)| code.starts_with(&prefix))
                    .map(|(code, text)| SdgTarget {
                        code: code.clone(),
                        text: text.clone(),
                    })
                    .collect();
                targets.sort_by_key(|t| target_order(&t.code));
                SdgGoal {
                    number: *number,
                    short_name: short.clone(),
                    title: title.clone(),
                    targets,
                }
            })
            .collect()
    }

    async fn sectors(&self) -> Vec<Sector> {
        service::initiatives::derived::SECTOR_ORDER
            .iter()
            .map(|s| Sector::from(*s))
            .collect()
    }

    /// Member and API client roles, lowest first.
    async fn member_roles(&self) -> Vec<Role> {
        all::<entity::enums::Role, Role>()
    }

    async fn partner_roles(&self) -> Vec<PartnerRoleInfo> {
        entity::enums::PartnerRole::iter()
            .map(|r| PartnerRoleInfo {
                role: r.into(),
                iati_role: iati_role(r),
            })
            .collect()
    }

    async fn partner_statuses(&self) -> Vec<PartnerStatus> {
        all::<entity::enums::PartnerStatus, PartnerStatus>()
    }

    async fn gains(&self) -> Vec<Gain> {
        all::<entity::enums::Gain, Gain>()
    }

    /// The journey stages in order: a change follows this order, a skip or a step back needs
    /// a reason.
    async fn journey_stages(&self) -> Vec<JourneyStage> {
        journey::ORDER
            .iter()
            .map(|s| JourneyStage::from(*s))
            .collect()
    }

    async fn initiative_kinds(&self) -> Vec<InitiativeKind> {
        all::<entity::enums::InitiativeKind, InitiativeKind>()
    }

    async fn scales(&self) -> Vec<Scale> {
        all::<entity::enums::Scale, Scale>()
    }

    async fn spectrum(&self) -> Vec<Spectrum> {
        all::<entity::enums::Spectrum, Spectrum>()
    }

    async fn engagement_models(&self) -> Vec<EngagementModel> {
        all::<entity::enums::EngagementModel, EngagementModel>()
    }

    async fn partnership_forms(&self) -> Vec<PartnershipForm> {
        all::<entity::enums::PartnershipForm, PartnershipForm>()
    }

    async fn outcomes(&self) -> Vec<Outcome> {
        all::<entity::enums::Outcome, Outcome>()
    }

    async fn resource_kinds(&self) -> Vec<ResourceKind> {
        all::<entity::enums::ResourceKind, ResourceKind>()
    }

    async fn contribution_statuses(&self) -> Vec<ContributionStatus> {
        all::<entity::enums::ContributionStatus, ContributionStatus>()
    }

    async fn agreement_types(&self) -> Vec<AgreementType> {
        all::<entity::enums::AgreementType, AgreementType>()
    }

    async fn agreement_statuses(&self) -> Vec<AgreementStatus> {
        all::<entity::enums::AgreementStatus, AgreementStatus>()
    }
}

/// `4.10` after `4.9`, lettered targets (`4.a`) after numbered ones.
fn target_order(code: &str) -> (u32, String) {
    let part = code.split_once('.').map(|(_, t)| t).unwrap_or(code);
    match part.parse::<u32>() {
        Ok(n) => (n, String::new()),
        Err(_) => (u32::MAX, part.to_owned()),
    }
}
