//! Synthetic data for benchmarks: N realistic initiatives with tags, partners, contributions
//! and lessons, written through a bulk path (multi-row inserts in batches, one transaction
//! per batch) rather than one request per record. Their texts are in the six UN languages
//! ([`texts`]), so a search benchmark meets every analyser.

pub mod texts;

use chrono::{Duration, NaiveDate, Utc};
use entity::{
    contribution,
    enums::{
        ContributionStatus, EngagementModel, InitiativeKind, Outcome, PartnerRole, PartnerStatus,
        PartnershipForm, ResourceKind, Scale, Sector, Spectrum, TenantKind, Visibility,
    },
    initiative, initiative_partner, initiative_tag, lesson, organization,
};
use futures_util::{StreamExt, stream::FuturesUnordered};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, Set};
use uuid::Uuid;

use crate::{
    Registry, error::ServiceResult, initiatives::journey::ORDER, reference::ACTION_LINES,
    tenants::NewTenant, validation::name_key,
};

const COUNTRIES: &[&str] = &[
    "ML", "SN", "BR", "ZA", "UG", "MK", "RW", "KG", "LK", "KE", "GH", "IN", "BD", "PE", "CO", "MX",
    "ID", "PH", "VN", "EG", "MA", "TZ", "ET", "NG", "NP", "BO", "JO", "TN", "KH", "MN",
];
const SECTORS: [Sector; 7] = [
    Sector::Government,
    Sector::Business,
    Sector::CivilSociety,
    Sector::Academia,
    Sector::UnitedNationsMultilateral,
    Sector::Donor,
    Sector::Foundation,
];
const BATCH: usize = 500;

/// What was generated, for the benchmark's report.
#[derive(Clone, Debug)]
pub struct Generated {
    pub tenant_slug: String,
    pub initiatives: usize,
    pub organizations: usize,
    pub partners: usize,
    pub contributions: usize,
    pub lessons: usize,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

impl Registry {
    /// Fills a new tenant `slug` with `count` initiatives. Deterministic for a given seed.
    pub async fn generate(&self, slug: &str, count: usize, seed: u64) -> ServiceResult<Generated> {
        self.generate_with_progress(slug, count, seed, &|_| {})
            .await
    }

    /// As [`Registry::generate`], calling `progress` with the number of initiatives written so
    /// far after each batch (the CLI's progress bar).
    pub async fn generate_with_progress(
        &self,
        slug: &str,
        count: usize,
        seed: u64,
        progress: &(dyn Fn(usize) + Sync),
    ) -> ServiceResult<Generated> {
        let mut written = 0;
        let mut rng = StdRng::seed_from_u64(seed);
        let tenant = self
            .create_tenant_unchecked(NewTenant {
                slug: slug.into(),
                name: format!("Benchmark registry {slug}"),
                kind: TenantKind::PartnershipNetwork,
                home_country: None,
                owner_email: None,
            })
            .await?;
        let now = Utc::now();
        let org_count = (count / 20).clamp(50, 5000);
        let mut orgs: Vec<(Uuid, Sector)> = Vec::with_capacity(org_count);
        for chunk in (0..org_count).collect::<Vec<_>>().chunks(BATCH) {
            let rows: Vec<organization::ActiveModel> = chunk
                .iter()
                .map(|i| {
                    let id = Uuid::now_v7();
                    let sector = *pick(&mut rng, &SECTORS);
                    orgs.push((id, sector));
                    let name = texts::organization_name(&mut rng, *i);
                    organization::ActiveModel {
                        id: Set(id),
                        tenant_id: Set(tenant.id),
                        language: Set("en".into()),
                        name_key: Set(name_key(&name)),
                        name: Set(name),
                        acronym: Set(None),
                        sector: Set(sector),
                        sub_type: Set(None),
                        country: Set(Some((*pick(&mut rng, COUNTRIES)).to_owned())),
                        website: Set(None),
                        description: Set(None),
                        iati_identifier: Set(None),
                        visibility: Set(if rng.gen_bool(0.7) {
                            Visibility::Public
                        } else {
                            Visibility::Private
                        }),
                        version: Set(1),
                        created_by: Set(None),
                        updated_by: Set(None),
                        created_at: Set(now),
                        updated_at: Set(now),
                    }
                })
                .collect();
            organization::Entity::insert_many(rows)
                .exec(self.db())
                .await?;
        }

        let (mut partners_total, mut contributions_total, mut lessons_total) = (0, 0, 0);
        let kinds = [
            ResourceKind::Cash,
            ResourceKind::Hardware,
            ResourceKind::Software,
            ResourceKind::Connectivity,
            ResourceKind::Expertise,
            ResourceKind::Training,
        ];
        // PostgreSQL takes two batches at once (one per core here); SQLite has one writer.
        let parallel = match self.db().get_database_backend() {
            DatabaseBackend::Postgres => 2,
            _ => 1,
        };
        let mut writing = FuturesUnordered::new();
        for start in (0..count).step_by(BATCH) {
            let end = (start + BATCH).min(count);
            let mut initiatives = Vec::new();
            let mut tags = Vec::new();
            let mut partners = Vec::new();
            let mut contributions = Vec::new();
            let mut lessons = Vec::new();
            for n in start..end {
                let id = Uuid::now_v7();
                let language = texts::pick_language(&mut rng);
                let topic = rng.gen_range(0..texts::TOPIC_COUNT);
                let country = *pick(&mut rng, COUNTRIES);
                let texts::InitiativeTexts {
                    title,
                    summary,
                    description,
                    statement,
                    recommendation,
                    ..
                } = texts::initiative(&mut rng, language, topic, country, n);
                let stage = ORDER[rng.gen_range(0..ORDER.len())];
                let start_date = NaiveDate::from_ymd_opt(
                    rng.gen_range(2000..2026),
                    rng.gen_range(1..13),
                    rng.gen_range(1..29),
                );
                let created = now - Duration::days(rng.gen_range(0..3000));
                let public = rng.gen_bool(0.6);
                let title_key = name_key(&title);
                initiatives.push(initiative::ActiveModel {
                    id: Set(id),
                    tenant_id: Set(tenant.id),
                    language: Set(language.tag().into()),
                    title_key: Set(title_key.clone()),
                    title: Set(title.clone()),
                    summary: Set(Some(summary.clone())),
                    description: Set(Some(description.clone())),
                    kind: Set(if rng.gen_bool(0.5) {
                        InitiativeKind::Msp
                    } else {
                        InitiativeKind::Ppp
                    }),
                    scale: Set(Some(*pick(
                        &mut rng,
                        &[
                            Scale::Local,
                            Scale::National,
                            Scale::Regional,
                            Scale::International,
                        ],
                    ))),
                    spectrum: Set(Some(*pick(
                        &mut rng,
                        &[
                            Spectrum::LeverageExchange,
                            Spectrum::CombineIntegrate,
                            Spectrum::SystemTransformation,
                        ],
                    ))),
                    engagement_model: Set(Some(*pick(
                        &mut rng,
                        &[
                            EngagementModel::CorporatePhilanthropy,
                            EngagementModel::ValueAdded,
                            EngagementModel::Partnership,
                            EngagementModel::MarketMaking,
                        ],
                    ))),
                    form: Set(Some(*pick(
                        &mut rng,
                        &[
                            PartnershipForm::Project,
                            PartnershipForm::Network,
                            PartnershipForm::PermanentOrganization,
                        ],
                    ))),
                    stage: Set(stage),
                    stage_changed_at: Set(created),
                    stage_changed_on: Set(Some(created.date_naive())),
                    start_date: Set(start_date),
                    end_date: Set(None),
                    outcome: Set(*pick(
                        &mut rng,
                        &[
                            Outcome::NotYetKnown,
                            Outcome::Successful,
                            Outcome::PartlySuccessful,
                            Outcome::Unsuccessful,
                        ],
                    )),
                    outcome_summary: Set(None),
                    visibility: Set(if public {
                        Visibility::Public
                    } else {
                        Visibility::Private
                    }),
                    iati_identifier: Set(None),
                    external_identifiers: Set("[]".into()),
                    last_reported_on: Set(if rng.gen_bool(0.6) {
                        Some((created + Duration::days(rng.gen_range(0..900))).date_naive())
                    } else {
                        None
                    }),
                    version: Set(1),
                    created_by: Set(None),
                    updated_by: Set(None),
                    created_at: Set(created),
                    updated_at: Set(created),
                });
                let mut tag = |kind: &str, value: String| {
                    tags.push(initiative_tag::ActiveModel {
                        initiative_id: Set(id),
                        kind: Set(kind.into()),
                        value: Set(value),
                        tenant_id: Set(Some(tenant.id)),
                        title_key: Set(Some(title_key.clone())),
                        is_public: Set(public),
                    });
                };
                tag("country", country.to_owned());
                tag("action_line", pick(&mut rng, ACTION_LINES).code.to_owned());
                tag("sdg_goal", rng.gen_range(1..=17u8).to_string());
                let mut chosen: Vec<&(Uuid, Sector)> = orgs.choose_multiple(&mut rng, 3).collect();
                chosen.dedup_by_key(|o| o.0);
                let mut first_partner = None;
                for (org_id, _) in chosen {
                    let pid = Uuid::now_v7();
                    // A public initiative keeps an active partner, as publishing needs: its
                    // first partner is never a prospect (else the next update is refused).
                    let must_be_active = public && first_partner.is_none();
                    first_partner.get_or_insert(pid);
                    partners.push(initiative_partner::ActiveModel {
                        id: Set(pid),
                        tenant_id: Set(tenant.id),
                        initiative_id: Set(id),
                        organization_id: Set(*org_id),
                        roles: Set(serde_json::to_string(&[*pick(
                            &mut rng,
                            &[
                                PartnerRole::Lead,
                                PartnerRole::Funder,
                                PartnerRole::Implementer,
                            ],
                        )])
                        .unwrap_or_default()),
                        status: Set(if rng.gen_bool(0.85) || must_be_active {
                            PartnerStatus::Active
                        } else {
                            PartnerStatus::Prospect
                        }),
                        gains: Set("[]".into()),
                        interest: Set(Some(rng.gen_range(1..=5))),
                        influence: Set(Some(rng.gen_range(1..=5))),
                        joined_on: Set(start_date),
                        left_on: Set(None),
                        version: Set(1),
                        created_at: Set(created),
                        updated_at: Set(created),
                    });
                }
                if let Some(pid) = first_partner {
                    for _ in 0..2 {
                        let cents: i64 = rng.gen_range(10_000..50_000_000);
                        let currency = *pick(&mut rng, &["USD", "EUR", "XOF", "BRL"]);
                        contributions.push(contribution::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            tenant_id: Set(tenant.id),
                            initiative_id: Set(id),
                            partner_id: Set(pid),
                            resource_kind: Set(*pick(&mut rng, &kinds)),
                            description: Set(None),
                            // As the API writes it: the currency's minor units (XOF has none).
                            amount: Set(Some(crate::contributions::amount_text(cents, currency))),
                            currency: Set(Some(currency.to_owned())),
                            status: Set(if rng.gen_bool(0.5) {
                                ContributionStatus::Pledged
                            } else {
                                ContributionStatus::Delivered
                            }),
                            contributed_on: Set(start_date),
                            version: Set(1),
                            created_at: Set(created),
                            updated_at: Set(created),
                        });
                    }
                }
                if n % 5 == 0 {
                    let lid = Uuid::now_v7();
                    lessons.push(lesson::ActiveModel {
                        id: Set(lid),
                        tenant_id: Set(tenant.id),
                        language: Set(language.tag().into()),
                        initiative_id: Set(id),
                        statement: Set(statement),
                        context: Set(None),
                        challenge: Set(None),
                        recommendation: Set(Some(recommendation)),
                        tags: Set("[\"market-making\"]".into()),
                        version: Set(1),
                        created_at: Set(created),
                        updated_at: Set(created),
                    });
                }
            }
            partners_total += partners.len();
            contributions_total += contributions.len();
            lessons_total += lessons.len();
            let batch = Batch {
                initiatives,
                tags,
                partners,
                contributions,
                lessons,
            };
            writing.push(async move { self.write_batch(batch).await.map(|()| end - start) });
            if writing.len() >= parallel
                && let Some(done) = writing.next().await
            {
                written += done?;
                progress(written);
            }
        }
        while let Some(done) = writing.next().await {
            written += done?;
            progress(written);
        }
        // Fresh statistics, so the planner knows the tables' real sizes after a bulk load
        // (measured on SQLite with 20,000 initiatives: the filtered list went from 24 to 138
        // req/s). Both engines accept the bare statement.
        // On PostgreSQL, VACUUM too: it sets the visibility map, without which the index-only
        // scans of the list counts visit the heap (measured with 100,000 initiatives: the
        // country count took 88 ms through a bitmap heap scan before it).
        let statement = match self.db().get_database_backend() {
            DatabaseBackend::Postgres => {
                "VACUUM ANALYZE organization, initiative, initiative_tag, initiative_partner, \
                 contribution, lesson"
            }
            _ => "ANALYZE",
        };
        self.db().execute_unprepared(statement).await?;
        // The rows were written around the write pipeline: this process's index is rebuilt
        // (a server's, when the CLI generated them, rebuilds at its start: its counts differ).
        self.search().rebuild(self.db()).await?;
        Ok(Generated {
            tenant_slug: tenant.slug,
            initiatives: count,
            organizations: org_count,
            partners: partners_total,
            contributions: contributions_total,
            lessons: lessons_total,
        })
    }
}

/// The rows of one batch of generated initiatives.
struct Batch {
    initiatives: Vec<initiative::ActiveModel>,
    tags: Vec<initiative_tag::ActiveModel>,
    partners: Vec<initiative_partner::ActiveModel>,
    contributions: Vec<contribution::ActiveModel>,
    lessons: Vec<lesson::ActiveModel>,
}

impl Registry {
    /// Writes one batch in its own transaction.
    async fn write_batch(&self, b: Batch) -> ServiceResult<()> {
        let txn = self.begin_write().await?;
        let ids: Vec<Uuid> = b
            .initiatives
            .iter()
            .filter_map(|a| a.id.clone().take())
            .collect();
        initiative::Entity::insert_many(b.initiatives)
            .exec(&txn)
            .await?;
        for chunk in b.tags.chunks(BATCH * 2) {
            initiative_tag::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await?;
        }
        for chunk in b.partners.chunks(BATCH) {
            initiative_partner::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await?;
        }
        for chunk in b.contributions.chunks(BATCH) {
            contribution::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await?;
        }
        if !b.lessons.is_empty() {
            lesson::Entity::insert_many(b.lessons).exec(&txn).await?;
        }
        crate::initiatives::document::refresh(&txn, &ids).await?;
        txn.commit().await?;
        Ok(())
    }
}
