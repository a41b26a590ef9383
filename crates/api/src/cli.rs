//! The `msp-registry` command line.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use service::{
    Principal, Registry, Role, SubjectKind, TenantKind, auth::password, clients::NewApiClient,
    members::NewUser, tenants::NewTenant,
};

use crate::{
    config::{Config, redact_url},
    startup::{Application, registry},
};

#[derive(Debug, Parser)]
#[command(
    name = "msp-registry",
    version,
    about = "Registry of PPP/MSP partnerships for development (WSIS)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API clients.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Issue an access token for a user, for local use (operator authority, no password).
    Token(TokenArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Print the GraphQL schema (SDL).
    GraphqlSchema,
    /// Fill a new tenant with synthetic initiatives, for benchmarks (bulk inserts).
    Generate {
        /// How many initiatives.
        #[arg(long, default_value_t = 100_000)]
        initiatives: usize,
        /// Slug of the tenant to create for them.
        #[arg(long, default_value = "bench")]
        tenant: String,
        /// Random seed (the same seed gives the same data).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Import initiatives from a CSV, JSON or NDJSON file (by extension) into a tenant, by the
    /// rules of `POST /api/v1/import/initiatives`; prints the report as JSON.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: `.csv`, `.json`, or `.ndjson`/`.jsonl`.
    #[arg(long)]
    pub file: std::path::PathBuf,
    /// Slug of the tenant to import into.
    #[arg(long)]
    pub tenant: String,
    /// Validate and report without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Act as this member of the tenant (recorded in the history); by default the operator,
    /// with the owner role.
    #[arg(long)]
    pub as_email: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "national-registry")]
        kind: KindArg,
        /// ISO 3166-1 alpha-2 home country.
        #[arg(long)]
        country: Option<String>,
        /// An existing user to make owner.
        #[arg(long)]
        owner_email: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user account, optionally with a role in a tenant.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The password; when absent, one is generated and printed.
        #[arg(long, env = "MSP_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Tenant slug to join.
        #[arg(long, requires = "role")]
        tenant: Option<String>,
        #[arg(long, value_enum, requires = "tenant")]
        role: Option<RoleArg>,
        /// May create tenants.
        #[arg(long)]
        platform_admin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create an API client; its secret is printed once.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "viewer")]
        role: RoleArg,
        /// RFC 3339 expiry time.
        #[arg(long)]
        expires_at: Option<DateTime<Utc>>,
    },
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The user's email.
    #[arg(long)]
    pub email: String,
    /// Tenant slug (needed when the user belongs to several).
    #[arg(long)]
    pub tenant: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Viewer,
    Editor,
    Admin,
    Owner,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Editor => Role::Editor,
            RoleArg::Admin => Role::Admin,
            RoleArg::Owner => Role::Owner,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KindArg {
    NationalRegistry,
    UnProgramme,
    PartnershipNetwork,
    DonorPortfolio,
    Other,
}

impl From<KindArg> for TenantKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::NationalRegistry => TenantKind::NationalRegistry,
            KindArg::UnProgramme => TenantKind::UnProgramme,
            KindArg::PartnershipNetwork => TenantKind::PartnershipNetwork,
            KindArg::DonorPortfolio => TenantKind::DonorPortfolio,
            KindArg::Other => TenantKind::Other,
        }
    }
}

/// Where the data lives, for people.
pub fn data_location(config: &Config) -> String {
    match config.db.sqlite_path() {
        Some(path) => {
            let absolute =
                std::path::absolute(path).unwrap_or_else(|_| Path::new(path).to_path_buf());
            format!("SQLite file {}", absolute.display())
        }
        None => format!("database {}", redact_url(&config.db.url)),
    }
}

pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            registry(&config).await?;
            println!("migrations applied to {}", data_location(&config));
            Ok(())
        }
        Command::Openapi => {
            print!("{}", crate::openapi::document_json());
            Ok(())
        }
        Command::GraphqlSchema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
        Command::Tenant(TenantCommand::Create {
            slug,
            name,
            kind,
            country,
            owner_email,
        }) => {
            let registry = registry(&config).await?;
            let tenant = registry
                .create_tenant_unchecked(NewTenant {
                    slug,
                    name,
                    kind: kind.into(),
                    home_country: country,
                    owner_email,
                })
                .await
                .map_err(explain)?;
            println!("tenant {} created (id {})", tenant.slug, tenant.id);
            Ok(())
        }
        Command::User(UserCommand::Create {
            email,
            name,
            password: secret,
            tenant,
            role,
            platform_admin,
        }) => {
            let registry = registry(&config).await?;
            let generated = secret.is_none();
            let secret = secret.unwrap_or_else(|| password::random_secret(20));
            let user_id = registry
                .create_user(NewUser {
                    email: email.clone(),
                    display_name: name,
                    password: secret.clone(),
                    platform_admin,
                })
                .await
                .map_err(explain)?;
            if let (Some(slug), Some(role)) = (tenant, role) {
                let tenant = registry.tenant_by_slug(&slug).await.map_err(explain)?;
                registry
                    .grant_role_unchecked(tenant.id, user_id, role.into())
                    .await
                    .map_err(explain)?;
            }
            println!("user {email} created (id {user_id})");
            if generated {
                println!("password: {secret}");
            }
            Ok(())
        }
        Command::Client(ClientCommand::Create {
            tenant,
            name,
            role,
            expires_at,
        }) => {
            let registry = registry(&config).await?;
            let tenant = registry.tenant_by_slug(&tenant).await.map_err(explain)?;
            let created = registry
                .create_client_unchecked(
                    tenant.id,
                    NewApiClient {
                        name,
                        role: role.into(),
                        expires_at,
                    },
                )
                .await
                .map_err(explain)?;
            println!("client_id:     {}", created.client.client_id);
            println!(
                "client_secret: {}  (shown once: store it now)",
                created.client_secret
            );
            Ok(())
        }
        Command::Generate {
            initiatives,
            tenant,
            seed,
        } => {
            let registry = registry(&config).await?;
            let started = std::time::Instant::now();
            let generated = registry
                .generate(&tenant, initiatives, seed)
                .await
                .map_err(explain)?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "generated {} initiatives ({} organisations, {} partners, {} contributions, {} lessons) in tenant {} in {secs:.1} s ({:.0} initiatives/s)",
                generated.initiatives,
                generated.organizations,
                generated.partners,
                generated.contributions,
                generated.lessons,
                generated.tenant_slug,
                generated.initiatives as f64 / secs.max(0.001),
            );
            Ok(())
        }
        Command::Import(args) => {
            let registry = registry(&config).await?;
            import(&registry, &args).await
        }
        Command::Token(args) => {
            let registry = registry(&config).await?;
            let token = local_token(&registry, &args).await?;
            println!("{token}");
            Ok(())
        }
    }
}

async fn local_token(registry: &Registry, args: &TokenArgs) -> anyhow::Result<String> {
    let (user_id, platform_admin, memberships) = registry
        .user_memberships(&args.email)
        .await
        .map_err(explain)?;
    let chosen = match &args.tenant {
        Some(slug) => memberships.iter().find(|(t, _)| &t.slug == slug),
        None if memberships.len() == 1 => memberships.first(),
        None => None,
    }
    .context("name one of the user's tenants with --tenant")?;
    let principal = Principal {
        subject: user_id,
        kind: SubjectKind::User,
        tenant_id: chosen.0.id,
        role: chosen.1,
        platform_admin,
    };
    registry.tokens().issue(&principal).map_err(explain)
}

async fn import(registry: &Registry, args: &ImportArgs) -> anyhow::Result<()> {
    let path = args.file.to_string_lossy().into_owned();
    let format = service::import::ImportFormat::from_path(&path)
        .context("name a .csv, .json or .ndjson file")?;
    let body = std::fs::read(&args.file).with_context(|| format!("reading {path}"))?;
    let tenant = registry
        .tenant_by_slug(&args.tenant)
        .await
        .map_err(explain)?;
    let principal = match &args.as_email {
        Some(email) => {
            let (user_id, platform_admin, memberships) =
                registry.user_memberships(email).await.map_err(explain)?;
            let (_, role) = memberships
                .iter()
                .find(|(t, _)| t.id == tenant.id)
                .context("that user is not a member of the tenant")?;
            Principal {
                subject: user_id,
                kind: SubjectKind::User,
                tenant_id: tenant.id,
                role: *role,
                platform_admin,
            }
        }
        None => Principal {
            subject: uuid::Uuid::nil(),
            kind: SubjectKind::User,
            tenant_id: tenant.id,
            role: Role::Owner,
            platform_admin: false,
        },
    };
    let options = service::import::ImportOptions {
        dry_run: args.dry_run,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let report = registry
        .import_initiatives(&service::Caller::Member(principal), format, &body, options)
        .await
        .map_err(explain)?;
    let secs = started.elapsed().as_secs_f64();
    println!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!(
        "{} rows ({} created, {} updated, {} unchanged{}) in {secs:.1} s ({:.0} rows/s)",
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        if report.dry_run {
            "; dry run, nothing written"
        } else {
            ""
        },
        report.rows as f64 / secs.max(0.001),
    );
    Ok(())
}

fn explain(err: service::ServiceError) -> anyhow::Error {
    match err {
        service::ServiceError::Validation(errors) => anyhow::anyhow!(
            "invalid input: {}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::Error::new(other),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let registry = registry(&config).await?;
    let location = data_location(&config);
    let base = config.public_url.trim_end_matches('/').to_owned();
    let app = Application::build(&config, registry.clone())?;
    println!();
    println!("MSP Registry is listening on {}", config.bind);
    println!("  data:      {location}");
    println!("  API docs:  {base}/docs/");
    println!("  OpenAPI:   {base}/api-docs/openapi.json");
    println!("  health:    {base}/health   readiness: {base}/ready");
    if config.demo && !registry.has_tenants().await.map_err(explain)? {
        let demo = match registry.seed_demo().await {
            Ok(demo) => demo,
            // Another process starting on the same empty database seeded it first.
            Err(service::ServiceError::Conflict(_)) => {
                println!("The demo tenant was loaded by another process.");
                app.run_until_stopped().await?;
                return Ok(());
            }
            Err(other) => return Err(explain(other)),
        };
        println!();
        println!(
            "Loaded the demo tenant \"{}\" (an empty database was found).",
            demo.tenant_slug
        );
        println!("  owner:     {} / password {}", demo.email, demo.password);
        println!("  token:     {}", demo.access_token);
        println!(
            "  try:       curl -H 'Authorization: Bearer {}' {base}/api/v1/organizations",
            demo.access_token
        );
        println!(
            "  (the token expires in {} minutes; get another with `msp-registry token --email {}`)",
            config.token_ttl.as_secs() / 60,
            demo.email
        );
    }
    println!();
    tracing::info!(bind = %config.bind, data = %location, "server started");
    app.run_until_stopped().await?;
    Ok(())
}
