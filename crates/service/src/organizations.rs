//! Partner organisations: the stakeholders that take part in partnerships.
//!
//! Rules: members read their tenant's organisations and every tenant's public ones; anonymous
//! callers read public ones only. Editors and above change their own tenant's organisations;
//! another tenant's public organisation answers 403 to a change, a private one 404, exactly as a
//! missing one. Names are unique per tenant (case and spacing ignored). Every change needs the
//! version the caller last read.

use chrono::{DateTime, Utc};
use entity::{
    enums::{Role, Sector, Visibility},
    organization,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
    sea_query::{Expr, Func},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use std::collections::BTreeMap;

use crate::{
    Caller, EntityKind, Registry,
    error::{ServiceError, ServiceResult},
    history::{Operation, WriteMeta},
    keyset::{self, Key, KeyType, Keyset},
    language::LanguageChoice,
    pagination::Page,
    precondition::Precondition,
    tenancy::{self, Coverage},
    translations::{self, Localizable, RecordTranslations, TranslationEdit, TranslationMap},
    validation::{Checks, double_option, name_key},
    write::{OrganizationChange, UnitOfWork},
};

const NAME_MAX: usize = 200;
const SHORT_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 10_000;

/// A partner organisation as the API returns it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f1c2-7d8e-7b3a-9c4d-5e6f7a8b9c0d",
    "tenant_id": "0190f1c2-7d8e-7b3a-9c4d-000000000001",
    "name": "Ministry of Communication and New Information Technologies",
    "acronym": "MCNTI",
    "sector": "government",
    "sub_type": "national ministry",
    "country": "ML",
    "website": "https://example.gov.ml/",
    "description": "Leads national ICT policy.",
    "iati_identifier": null,
    "visibility": "public",
    "language": "en",
    "version": 1,
    "created_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T10:00:00Z"
}))]
pub struct Organization {
    pub id: Uuid,
    /// The tenant that keeps this record.
    pub tenant_id: Uuid,
    pub name: String,
    pub acronym: Option<String>,
    pub sector: Sector,
    /// Free text refining the sector: local government, telecom operator, digital startup,
    /// international NGO...
    pub sub_type: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    /// The IATI organisation identifier, when known.
    pub iati_identifier: Option<String>,
    pub visibility: Visibility,
    /// The BCP 47 tag of the language of its texts as recorded (its original language).
    pub language: String,
    /// The language of each text that is not in the answer's language (it fell back to the
    /// original), when the reader asked for another language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_languages: Option<BTreeMap<String, String>>,
    /// Every translation, by BCP 47 tag (`lang=*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, BTreeMap<String, String>>>)]
    pub translations: Option<TranslationMap>,
    /// Increases with every change; the ETag is derived from it.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Localizable for Organization {
    fn record_id(&self) -> Uuid {
        self.id
    }

    fn original_language(&self) -> &str {
        &self.language
    }
}

impl From<organization::Model> for Organization {
    fn from(m: organization::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            name: m.name,
            acronym: m.acronym,
            sector: m.sector,
            sub_type: m.sub_type,
            country: m.country,
            website: m.website,
            description: m.description,
            iati_identifier: m.iati_identifier,
            visibility: m.visibility,
            language: m.language,
            field_languages: None,
            translations: None,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The body of a create.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Orange Mali",
    "acronym": null,
    "sector": "business",
    "sub_type": "telecom operator",
    "country": "ML",
    "website": "https://www.orangemali.com/",
    "visibility": "public"
}))]
pub struct NewOrganization {
    pub name: String,
    #[serde(default)]
    pub acronym: Option<String>,
    pub sector: Sector,
    #[serde(default)]
    pub sub_type: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub iati_identifier: Option<String>,
    /// Defaults to `private`.
    #[serde(default)]
    pub visibility: Visibility,
    /// The BCP 47 tag of the language its texts are in; detected from them when omitted.
    /// Texts in other languages are set with `PUT /organizations/{id}/translations/{lang}`.
    #[serde(default)]
    pub language: Option<String>,
}

/// The body of a PATCH: absent fields stay as they are; `null` clears an optional field.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"website": "https://www.orangemali.com/", "visibility": "public"}))]
pub struct OrganizationPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub acronym: Option<Option<String>>,
    #[serde(default)]
    pub sector: Option<Sector>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub sub_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub iati_identifier: Option<Option<String>>,
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

/// Which organisations a list covers (the rule is `tenancy`'s).
pub use crate::tenancy::Scope;

/// Sort keys; a leading `-` sorts descending. Ties are broken by id, so pages are stable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub enum OrganizationSort {
    #[default]
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
    #[serde(rename = "country")]
    Country,
    #[serde(rename = "-country")]
    CountryDesc,
}

/// Filters, sorting and paging of the organisation list. Unknown parameters are refused.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    /// `tenant` (default for members), `public`, or `all`.
    pub scope: Option<Scope>,
    pub sector: Option<Sector>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub visibility: Option<Visibility>,
    /// Exact sub-type, case-insensitive.
    pub sub_type: Option<String>,
    /// Search in name and acronym as you type: every word must match (accents and case
    /// folded, stemmed), the last one also as the start of a longer word (`minis` finds
    /// "Ministry"). The list keeps its sort; a search of more than 30,000 matches lists the
    /// 30,000 most relevant.
    pub q: Option<String>,
    /// The language of the texts (a BCP 47 tag, `*` for every translation); over
    /// `Accept-Language`. Each text falls back to the organisation's own language.
    pub lang: Option<String>,
    /// Only organisations changed at or after this time: an RFC 3339 date-time, or a date
    /// (midnight UTC).
    #[serde(default, deserialize_with = "crate::validation::optional_timestamp")]
    pub updated_since: Option<DateTime<Utc>>,
    /// `name` (default), `created_at`, `updated_at`, `country`; prefix `-` for descending.
    pub sort: Option<OrganizationSort>,
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page (default 25, at most 100).
    pub per_page: Option<u64>,
    /// The `next_cursor` of the page before: the page that follows it (not with `page`).
    pub after: Option<String>,
    /// The `prev_cursor` of the page after: the page that precedes it (not with `page`).
    pub before: Option<String>,
    /// `exact` (default), `estimated` or `none` (no total).
    pub count: Option<crate::pagination::CountMode>,
}

impl OrganizationSort {
    /// The sort as keyset keys: its own key (a missing country sorts as empty, first), then the
    /// id, ascending, to break ties.
    fn keyset(self) -> Keyset<organization::Entity> {
        use organization::{Column, Model};
        let (tag, first) = match self {
            Self::Name | Self::NameDesc => (
                "organizations:name",
                Key::column(Column::NameKey, false, KeyType::Text, |o: &Model| {
                    keyset::json(&o.name_key)
                }),
            ),
            Self::CreatedAt | Self::CreatedAtDesc => (
                "organizations:created_at",
                Key::column(Column::CreatedAt, false, KeyType::Timestamp, |o: &Model| {
                    keyset::json(&o.created_at)
                }),
            ),
            Self::UpdatedAt | Self::UpdatedAtDesc => (
                "organizations:updated_at",
                Key::column(Column::UpdatedAt, false, KeyType::Timestamp, |o: &Model| {
                    keyset::json(&o.updated_at)
                }),
            ),
            Self::Country | Self::CountryDesc => (
                "organizations:country",
                Key::text_or_empty(Column::Country, false, |o: &Model| {
                    keyset::json(&o.country.clone().unwrap_or_default())
                }),
            ),
        };
        let descending = matches!(
            self,
            Self::NameDesc | Self::CreatedAtDesc | Self::UpdatedAtDesc | Self::CountryDesc
        );
        Keyset {
            tag,
            keys: vec![
                Key {
                    descending,
                    ..first
                },
                Key::column(Column::Id, false, KeyType::Uuid, |o: &Model| {
                    keyset::json(&o.id)
                }),
            ],
        }
    }
}

/// Checked values of a create or of a patched record.
struct Checked {
    name: String,
    acronym: Option<String>,
    sub_type: Option<String>,
    country: Option<String>,
    website: Option<String>,
    description: Option<String>,
    iati_identifier: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn check(
    name: &str,
    acronym: Option<&str>,
    sub_type: Option<&str>,
    country: Option<&str>,
    website: Option<&str>,
    description: Option<&str>,
    iati_identifier: Option<&str>,
) -> ServiceResult<Checked> {
    let mut c = Checks::new();
    let checked = Checked {
        name: c.required_name("name", name, NAME_MAX),
        acronym: c.optional_text("acronym", acronym, SHORT_MAX),
        sub_type: c.optional_text("sub_type", sub_type, SHORT_MAX),
        country: c.country("country", country),
        website: c.web_url("website", website),
        description: c.optional_text("description", description, DESCRIPTION_MAX),
        iati_identifier: c.iati_org_id("iati_identifier", iati_identifier),
    };
    c.finish()?;
    Ok(checked)
}

impl Registry {
    /// Lists the organisations the caller may read, filtered, sorted and paged.
    pub async fn list_organizations(
        &self,
        caller: &Caller,
        query: OrganizationQuery,
    ) -> ServiceResult<Page<Organization>> {
        let cursor = crate::pagination::CursorParams {
            after: query.after.clone(),
            before: query.before.clone(),
            count: query.count,
        };
        let ask = cursor.ask(query.page, query.per_page, self.settings())?;
        let select = self.filtered_organizations(caller, &query).await?;
        let keyset = query.sort.unwrap_or_default().keyset();
        Ok(keyset
            .page(self.db(), select, ask)
            .await?
            .map(Organization::from))
    }

    /// The organisations the caller may read that match the query's filters, unsorted and
    /// unpaged (shared by the list and the bulk export).
    pub(crate) async fn filtered_organizations(
        &self,
        caller: &Caller,
        query: &OrganizationQuery,
    ) -> ServiceResult<sea_orm::Select<organization::Entity>> {
        let scope = Coverage::listed(caller, query.scope).condition::<organization::Entity>();
        let mut select = organization::Entity::find().filter(scope);
        if let Some(sector) = query.sector {
            select = select.filter(organization::Column::Sector.eq(sector));
        }
        if let Some(country) = query.country.as_deref() {
            let code = crate::country::CountryCode::parse(country)
                .map_err(|m| ServiceError::bad_parameter("country", m))?;
            select = select.filter(organization::Column::Country.eq(code.as_str()));
        }
        if let Some(visibility) = query.visibility {
            select = select.filter(organization::Column::Visibility.eq(visibility));
        }
        if let Some(sub_type) = query
            .sub_type
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            select = select.filter(
                Expr::expr(Func::lower(Expr::col(organization::Column::SubType)))
                    .eq(sub_type.to_lowercase()),
            );
        }
        if let Some(q) = query.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if q.chars().count() > 200 {
                return Err(ServiceError::bad_parameter(
                    "q",
                    "must be at most 200 characters",
                ));
            }
            // The index names the matches (names and acronyms, the last word as a prefix), the
            // list sorts and pages them as it does without `q`.
            let ids = match crate::search::query::parse(q) {
                Some(parsed) => {
                    self.search()
                        .all_ids(&crate::search::Request {
                            kind: crate::search::DocKind::Organization,
                            parsed,
                            coverage: Coverage::listed(caller, query.scope),
                            tags: Vec::new(),
                            dates: Vec::new(),
                            only: None,
                            initiative: None,
                            slots: vec![crate::search::schema::Slot::Title],
                            offset: 0,
                            limit: 0,
                            facets: false,
                        })
                        .await?
                }
                // Nothing to look for (punctuation only): nothing matches.
                None => Vec::new(),
            };
            select = select.filter(
                organization::Column::Id.is_in(ids.into_iter().take(crate::search::MAX_ID_LIST)),
            );
        }
        if let Some(since) = query.updated_since {
            select = select.filter(organization::Column::UpdatedAt.gte(since));
        }
        Ok(select)
    }

    /// One organisation, if the caller may read it; otherwise `NotFound`, as for a missing id.
    pub async fn get_organization(&self, caller: &Caller, id: Uuid) -> ServiceResult<Organization> {
        find_readable(self.db(), caller, id)
            .await
            .map(Organization::from)
    }

    pub async fn create_organization(
        &self,
        caller: &Caller,
        input: NewOrganization,
        meta: &WriteMeta,
    ) -> ServiceResult<Organization> {
        let principal = caller.require(Role::Editor)?;
        let txn = self.unit_of_work().await?;
        let model = self
            .create_organization_in(&txn, principal, input, meta)
            .await?;
        txn.commit().await?;
        tracing::info!(organization = %model.id, tenant = %model.tenant_id, "organization created");
        Ok(model)
    }

    /// Creates an organisation within the transaction `txn` (the bulk import creates the
    /// partner organisations it cannot find).
    pub(crate) async fn create_organization_in(
        &self,
        txn: &UnitOfWork,
        principal: &crate::Principal,
        input: NewOrganization,
        meta: &WriteMeta,
    ) -> ServiceResult<Organization> {
        let mut more = Checks::new();
        let sample = [Some(input.name.as_str()), input.description.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(". ");
        let language = translations::original_of(&mut more, input.language.as_deref(), &sample);
        let c = crate::validation::together(
            check(
                &input.name,
                input.acronym.as_deref(),
                input.sub_type.as_deref(),
                input.country.as_deref(),
                input.website.as_deref(),
                input.description.as_deref(),
                input.iati_identifier.as_deref(),
            ),
            more,
        )?;
        ensure_name_free(txn, principal.tenant_id, &c.name, None).await?;
        let now = Utc::now();
        let model = organization::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(principal.tenant_id),
            name_key: Set(name_key(&c.name)),
            language: Set(language),
            name: Set(c.name),
            acronym: Set(c.acronym),
            sector: Set(input.sector),
            sub_type: Set(c.sub_type),
            country: Set(c.country),
            website: Set(c.website),
            description: Set(c.description),
            iati_identifier: Set(c.iati_identifier),
            visibility: Set(input.visibility),
            version: Set(1),
            created_by: Set(Some(principal.subject)),
            updated_by: Set(Some(principal.subject)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(name_conflict)?;
        txn.organization_changed(OrganizationChange {
            tenant_id: model.tenant_id,
            id: model.id,
            operation: Operation::Create,
            version: Some(model.version),
            public_before: false,
            public_after: model.visibility == Visibility::Public,
            meta,
        });
        Ok(model.into())
    }

    /// Applies a patch, provided `expected_version` is the current version.
    ///
    /// Other tenants' initiatives may have the organisation as a partner, and their documents
    /// are refreshed with it: the write runs with no tenant named (`db::scope::unscoped`),
    /// after `writable` has held the organisation itself to the caller's tenant.
    pub async fn update_organization(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        patch: OrganizationPatch,
    ) -> ServiceResult<Organization> {
        crate::db::scope::unscoped(self.update_shared_organization(
            caller,
            id,
            expected_version,
            patch,
        ))
        .await
    }

    async fn update_shared_organization(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        patch: OrganizationPatch,
    ) -> ServiceResult<Organization> {
        let txn = self.unit_of_work().await?;
        let current = find_writable(&txn, caller, id).await?;
        let principal = caller.require(Role::Editor)?;
        let expected = crate::precondition::expect_version(expected_version, current.version)?;
        let pick = |p: &Option<Option<String>>, old: &Option<String>| match p {
            Some(v) => v.clone(),
            None => old.clone(),
        };
        let c = check(
            patch.name.as_deref().unwrap_or(&current.name),
            pick(&patch.acronym, &current.acronym).as_deref(),
            pick(&patch.sub_type, &current.sub_type).as_deref(),
            pick(&patch.country, &current.country).as_deref(),
            pick(&patch.website, &current.website).as_deref(),
            pick(&patch.description, &current.description).as_deref(),
            pick(&patch.iati_identifier, &current.iati_identifier).as_deref(),
        )?;
        if name_key(&c.name) != current.name_key {
            ensure_name_free(&txn, current.tenant_id, &c.name, Some(current.id)).await?;
        }
        let next_version = current.version + 1;
        let now = Utc::now();
        let result = organization::Entity::update_many()
            .col_expr(
                organization::Column::NameKey,
                Expr::value(name_key(&c.name)),
            )
            .col_expr(organization::Column::Name, Expr::value(c.name))
            .col_expr(organization::Column::Acronym, Expr::value(c.acronym))
            .col_expr(
                organization::Column::Sector,
                Expr::value(patch.sector.unwrap_or(current.sector)),
            )
            .col_expr(organization::Column::SubType, Expr::value(c.sub_type))
            .col_expr(organization::Column::Country, Expr::value(c.country))
            .col_expr(organization::Column::Website, Expr::value(c.website))
            .col_expr(
                organization::Column::Description,
                Expr::value(c.description),
            )
            .col_expr(
                organization::Column::IatiIdentifier,
                Expr::value(c.iati_identifier),
            )
            .col_expr(
                organization::Column::Visibility,
                Expr::value(patch.visibility.unwrap_or(current.visibility)),
            )
            .col_expr(organization::Column::Version, Expr::value(next_version))
            .col_expr(
                organization::Column::UpdatedBy,
                Expr::value(Some(principal.subject)),
            )
            .col_expr(organization::Column::UpdatedAt, Expr::value(now))
            .filter(organization::Column::Id.eq(id))
            .filter(crate::tenancy::own::<organization::Entity>(
                current.tenant_id,
            ))
            .filter(organization::Column::Version.eq(expected))
            .exec(&txn)
            .await
            .map_err(name_conflict)?;
        if result.rows_affected != 1 {
            // A concurrent writer got there between our read and our write.
            return Err(ServiceError::StaleVersion {
                current: current.version + 1,
            });
        }
        let updated = organization::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(ServiceError::NotFound {
                entity: "organization",
            })?;
        txn.organization_changed(OrganizationChange {
            tenant_id: updated.tenant_id,
            id,
            operation: Operation::Update,
            version: Some(updated.version),
            public_before: current.visibility == Visibility::Public,
            public_after: updated.visibility == Visibility::Public,
            meta: &WriteMeta::default(),
        });
        // What its partners show (name, sector) changed with it.
        txn.touch(partnered_initiatives(&txn, id).await?);
        txn.commit().await?;
        tracing::info!(organization = %id, version = updated.version, "organization updated");
        Ok(updated.into())
    }

    /// Deletes an organisation, provided `expected_version` is the current version.
    ///
    /// Whether any initiative of any tenant still has it as a partner decides: counted with no
    /// tenant named (`db::scope::unscoped`).
    pub async fn delete_organization(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
    ) -> ServiceResult<()> {
        crate::db::scope::unscoped(self.delete_shared_organization(caller, id, expected_version))
            .await
    }

    async fn delete_shared_organization(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
    ) -> ServiceResult<()> {
        let txn = self.unit_of_work().await?;
        let current = find_writable(&txn, caller, id).await?;
        caller.require(Role::Editor)?;
        let expected = crate::precondition::expect_version(expected_version, current.version)?;
        let partnerships = entity::initiative_partner::Entity::find()
            .filter(entity::initiative_partner::Column::OrganizationId.eq(id))
            .count(&txn)
            .await?;
        if partnerships > 0 {
            return Err(ServiceError::Conflict(format!(
                "this organization takes part in {partnerships} initiative(s): remove it from them first"
            )));
        }
        let result = organization::Entity::delete_many()
            .filter(organization::Column::Id.eq(id))
            .filter(crate::tenancy::own::<organization::Entity>(
                current.tenant_id,
            ))
            .filter(organization::Column::Version.eq(expected))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: current.version + 1,
            });
        }
        translations::remove_all(&txn, EntityKind::Organization, &[id]).await?;
        txn.organization_changed(OrganizationChange {
            tenant_id: current.tenant_id,
            id,
            operation: Operation::Delete,
            version: None,
            public_before: current.visibility == Visibility::Public,
            public_after: false,
            meta: &WriteMeta::default(),
        });
        txn.commit().await?;
        tracing::info!(organization = %id, "organization deleted");
        Ok(())
    }
}

impl Registry {
    /// Organisations in the reader's `choice` (`None`: as recorded), as the list and the
    /// detail answer them; and the answer's `Content-Language`.
    pub async fn localize_organizations(
        &self,
        organizations: Vec<Organization>,
        choice: Option<LanguageChoice>,
    ) -> ServiceResult<(Vec<Organization>, String)> {
        translations::localized(
            self.db(),
            &translations::ORGANIZATION,
            organizations,
            choice,
        )
        .await
    }

    /// Sets, removes or replaces an organisation's translations (`edit`), provided
    /// `expected_version` is its version: a write of the organisation like any other (its
    /// version rises; the feed, webhooks and the index follow). Editors and above of its
    /// tenant.
    pub async fn edit_organization_translations(
        &self,
        caller: &Caller,
        id: Uuid,
        expected_version: Precondition,
        edit: TranslationEdit,
        meta: &WriteMeta,
    ) -> ServiceResult<RecordTranslations> {
        let txn = self.unit_of_work().await?;
        let current = find_writable(&txn, caller, id).await?;
        let principal = caller.require(Role::Editor)?;
        let expected = crate::precondition::expect_version(expected_version, current.version)?;
        let before = translations::load(&txn, EntityKind::Organization, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let next = edit.apply(&translations::ORGANIZATION, &current.language, &before)?;
        let result = organization::Entity::update_many()
            .col_expr(
                organization::Column::Version,
                Expr::value(current.version + 1),
            )
            .col_expr(
                organization::Column::UpdatedBy,
                Expr::value(Some(principal.subject)),
            )
            .col_expr(organization::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(organization::Column::Id.eq(id))
            .filter(crate::tenancy::own::<organization::Entity>(
                current.tenant_id,
            ))
            .filter(organization::Column::Version.eq(expected))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(ServiceError::StaleVersion {
                current: current.version + 1,
            });
        }
        translations::replace(&txn, current.tenant_id, EntityKind::Organization, id, &next).await?;
        let public = current.visibility == Visibility::Public;
        txn.organization_changed(OrganizationChange {
            tenant_id: current.tenant_id,
            id,
            operation: Operation::Update,
            version: Some(current.version + 1),
            public_before: public,
            public_after: public,
            meta,
        });
        txn.commit().await?;
        tracing::info!(organization = %id, "organization translations written");
        Ok(RecordTranslations {
            id,
            language: current.language,
            version: current.version + 1,
            translations: next,
        })
    }
}

/// The initiatives an organisation is a partner of.
async fn partnered_initiatives<C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceResult<Vec<Uuid>> {
    Ok(entity::initiative_partner::Entity::find()
        .select_only()
        .column(entity::initiative_partner::Column::InitiativeId)
        .filter(entity::initiative_partner::Column::OrganizationId.eq(id))
        .into_tuple()
        .all(db)
        .await?)
}

/// The row, if the caller may read it: its own tenant's, or any public one (`tenancy::readable`).
async fn find_readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<organization::Model> {
    tenancy::readable(caller, organization::Entity::find_by_id(id).one(db).await?)
}

/// The row, if the caller may change it (`tenancy::writable`): 401 without a token, 403 for a
/// readable row of another tenant, 404 for anything else the caller cannot read.
async fn find_writable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<organization::Model> {
    let (row, _) = tenancy::writable(caller, organization::Entity::find_by_id(id).one(db).await?)?;
    Ok(row)
}

async fn ensure_name_free<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> ServiceResult<()> {
    let mut select = organization::Entity::find()
        .filter(crate::tenancy::own::<organization::Entity>(tenant_id))
        .filter(organization::Column::NameKey.eq(name_key(name)));
    if let Some(id) = except {
        select = select.filter(organization::Column::Id.ne(id));
    }
    if select.count(db).await? > 0 {
        return Err(duplicate_name(name));
    }
    Ok(())
}

fn duplicate_name(name: &str) -> ServiceError {
    ServiceError::Conflict(format!(
        "an organization named \"{name}\" already exists in this tenant"
    ))
}

/// A unique-key violation on insert/update is a duplicate name that raced past the pre-check.
fn name_conflict(err: sea_orm::DbErr) -> ServiceError {
    ServiceError::from(err)
}
