//! Pictures portals can embed: SVG drawings of what the registry already answers as JSON, read
//! with the same rules (another tenant's private initiative is not found). The partnership
//! journey of an initiative as a timeline, its contributions by resource kind and by partner,
//! its health (the six fundamentals with each partner's rating), and the world map of the WSIS
//! showcase. Each picture is accessible (`role="img"`, a `<title>` and a `<desc>` that says the
//! data in words) and drawn in the reader's language (`crate::language`, as the reference
//! reads; its words in `labels.rs`). `chart.rs` is a generic horizontal bar and dot chart.

pub mod chart;
mod contributions;
mod health;
pub mod labels;
pub mod map;
pub mod svg;
mod timeline;

use entity::enums::Visibility;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::{Caller, Registry, error::ServiceResult, language::Language, showcase::ShowcaseQuery};

/// The query of a picture.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PictureQuery {
    /// The language of the labels, a BCP 47 tag: `ar`, `en`, `es`, `fr`, `ru` or `zh` (`fr-CA`
    /// reads French). Wins over `Accept-Language`. Another language, or `*`, draws English; a
    /// value that is not a language tag is a 400 problem naming `lang`.
    pub lang: Option<String>,
}

/// A drawn picture.
#[derive(Clone, Debug)]
pub struct Picture {
    /// The SVG document.
    pub svg: String,
    /// The language its labels are in (`Content-Language`).
    pub lang: Language,
    /// Whether it shows only public data, the same for every reader (a shared cache may keep
    /// it); false when it shows a member's private view.
    pub public: bool,
}

impl Registry {
    /// The partnership journey of an initiative the caller may read, as a timeline of its dated
    /// stage changes.
    pub async fn journey_picture(
        &self,
        caller: &Caller,
        id: Uuid,
        lang: Language,
    ) -> ServiceResult<Picture> {
        let detail = self.get_initiative(caller, id).await?;
        Ok(Picture {
            svg: timeline::draw(&detail, lang),
            lang,
            public: detail.initiative.visibility == Visibility::Public,
        })
    }

    /// The contributions of an initiative the caller may read, by resource kind and by partner.
    pub async fn contributions_picture(
        &self,
        caller: &Caller,
        id: Uuid,
        lang: Language,
    ) -> ServiceResult<Picture> {
        let detail = self.get_initiative(caller, id).await?;
        Ok(Picture {
            svg: contributions::draw(&detail.initiative.title, &detail.contribution_totals, lang),
            lang,
            public: detail.initiative.visibility == Visibility::Public,
        })
    }

    /// The health of an initiative the caller may read (as its health report): the six
    /// fundamentals with each partner's latest rating and the registry's evidence. An initiative
    /// no partner has assessed yet gets a picture that says so.
    pub async fn health_picture(
        &self,
        caller: &Caller,
        id: Uuid,
        lang: Language,
    ) -> ServiceResult<Picture> {
        let view = self.initiative_health_view(caller, id).await?;
        Ok(Picture {
            svg: health::draw(&view, lang),
            lang,
            public: view.initiative.visibility == Visibility::Public,
        })
    }

    /// The world map of the caller's showcase table (members: their tenant's view; anonymous:
    /// the public picture across tenants).
    pub async fn showcase_map_picture(
        &self,
        caller: &Caller,
        lang: Language,
    ) -> ServiceResult<Picture> {
        let table = self
            .showcase_table(caller, &ShowcaseQuery::default())
            .await?;
        Ok(Picture {
            svg: map::draw(&table, lang),
            lang,
            public: matches!(caller, Caller::Anonymous),
        })
    }
}
