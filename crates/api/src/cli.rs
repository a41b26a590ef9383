//! The `msp-registry` command line.

//!
//! Standard output carries only a command's result (a token, an id, a list, an import report,
//! an export), so `TOKEN=$(msp-registry token ...)` and `msp-registry import ... > report.json`
//! work; logs, progress bars (on a terminal only) and summaries go to standard error.

use std::{
    io::{IsTerminal, Write},
    path::Path,
};

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use service::{
    Principal, Registry, Role, SubjectKind, TenantKind,
    auth::password,
    clients::NewApiClient,
    export::{ExportFormat, InitiativeExportQuery},
    members::NewUser,
    organizations::Scope,
    tenants::NewTenant,
};

use crate::{
    config::{Config, LogFormat, redact_url},
    startup::{Application, registry, registry_without_search},
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
    /// Manage user accounts and their roles.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API clients.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Print an access token for a user, alone on one line (operator authority, no password):
    /// `TOKEN=$(msp-registry token --email ...)`.
    Token(TokenArgs),
    /// Rebuild this process's search index (`MSP_SEARCH_INDEX`) from the database, then exit.
    /// The server using that index must be stopped first (it holds the index's lock).
    Reindex,
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
    /// rules of `POST /api/v1/import/initiatives`. The report goes to standard output as JSON;
    /// a summary (and, on failure, the row errors) to standard error.
    Import(ImportArgs),
    /// Export a tenant's initiatives in the formats of `GET /api/v1/export/initiatives`, to
    /// standard output or `--output FILE`.
    Export(ExportArgs),
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
    /// Also write the full report (every row error, on failure) to this file, as JSON.
    #[arg(long)]
    pub report: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Slug of the tenant whose initiatives to export (private ones included).
    #[arg(long)]
    pub tenant: String,
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormatArg,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Json,
    Ndjson,
    Iati,
}

impl From<ExportFormatArg> for ExportFormat {
    fn from(f: ExportFormatArg) -> Self {
        match f {
            ExportFormatArg::Csv => ExportFormat::Csv,
            ExportFormatArg::Json => ExportFormat::Json,
            ExportFormatArg::Ndjson => ExportFormat::Ndjson,
            ExportFormatArg::Iati => ExportFormat::Iati,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant; prints its id.
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
    /// List every tenant: slug, kind, home country, id (tab-separated), or JSON.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// A JSON array instead of tab-separated lines.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user account, optionally with a role in a tenant; prints its id (and the
    /// generated password on a second line when none was given).
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
    /// List accounts (email, name, platform flag, roles), or a tenant's members with `--tenant`.
    List {
        /// Only this tenant's members, with their role.
        #[arg(long)]
        tenant: Option<String>,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Remove a person from a tenant (the account stays; a tenant keeps at least one owner).
    Remove {
        #[arg(long)]
        email: String,
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create an API client; prints its `client_id`, then its secret (shown once), one a line.
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
    /// List a tenant's API clients, revoked ones included.
    List {
        #[arg(long)]
        tenant: String,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Revoke an API client: its secret stops working at once.
    Revoke {
        #[arg(long)]
        tenant: String,
        /// The `client_id` (`msp_...`) or the client's id.
        #[arg(long)]
        client_id: String,
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
            registry_without_search(&config).await?;
            eprintln!("migrations applied to {}", data_location(&config));
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
        Command::Tenant(command) => {
            let registry = registry_without_search(&config).await?;
            tenant(&registry, command).await
        }
        Command::User(command) => {
            let registry = registry_without_search(&config).await?;
            user(&registry, command).await
        }
        Command::Client(command) => {
            let registry = registry_without_search(&config).await?;
            client(&registry, command).await
        }
        Command::Generate {
            initiatives,
            tenant,
            seed,
        } => {
            let registry = registry_without_search(&config).await?;
            generate(&registry, initiatives, &tenant, seed).await
        }
        Command::Import(args) => {
            let registry = registry_without_search(&config).await?;
            import(&registry, &args).await
        }
        Command::Export(args) => {
            let registry = registry_without_search(&config).await?;
            export(&registry, &args).await
        }
        Command::Reindex => reindex(&config).await,
        Command::Token(args) => {
            let registry = registry_without_search(&config).await?;
            let token = local_token(&registry, &args).await?;
            println!("{token}");
            Ok(())
        }
    }
}

/// The operator acting in `tenant` with the owner role (the CLI's authority: whoever runs it
/// holds the database). Recorded in the history as the nil subject.
fn operator(tenant_id: uuid::Uuid) -> service::Caller {
    service::Caller::Member(Principal {
        subject: uuid::Uuid::nil(),
        kind: SubjectKind::User,
        tenant_id,
        role: Role::Owner,
        platform_admin: false,
    })
}

/// Prints `rows` as tab-separated lines, or `items` as a JSON array.
fn print_list<T: serde::Serialize>(
    json: bool,
    items: &[T],
    rows: impl Iterator<Item = Vec<String>>,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, items)?;
        writeln!(out)?;
    } else {
        for row in rows {
            writeln!(out, "{}", row.join("\t"))?;
        }
    }
    Ok(())
}

async fn tenant(registry: &Registry, command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Create {
            slug,
            name,
            kind,
            country,
            owner_email,
        } => {
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
            eprintln!("tenant {} created", tenant.slug);
            println!("{}", tenant.id);
            Ok(())
        }
        TenantCommand::List(list) => {
            let tenants = registry.list_tenants_unchecked().await.map_err(explain)?;
            print_list(
                list.json,
                &tenants,
                tenants.iter().map(|t| {
                    vec![
                        t.slug.clone(),
                        enum_text(&t.kind),
                        t.home_country.clone().unwrap_or_else(|| "-".into()),
                        t.id.to_string(),
                        t.name.clone(),
                    ]
                }),
            )
        }
    }
}

/// An enumeration's API spelling (`national_registry`).
fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

async fn user(registry: &Registry, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            email,
            name,
            password: secret,
            tenant,
            role,
            platform_admin,
        } => {
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
            eprintln!("user {email} created");
            println!("{user_id}");
            if generated {
                eprintln!("generated password (shown once) on the next line of standard output");
                println!("{secret}");
            }
            Ok(())
        }
        UserCommand::List { tenant: None, list } => {
            let accounts = registry.list_accounts_unchecked().await.map_err(explain)?;
            print_list(
                list.json,
                &accounts,
                accounts.iter().map(|a| {
                    let roles = a
                        .memberships
                        .iter()
                        .map(|m| format!("{}:{}", m.tenant, enum_text(&m.role)))
                        .collect::<Vec<_>>()
                        .join(",");
                    vec![
                        a.email.clone(),
                        a.display_name.clone(),
                        if a.platform_admin {
                            "platform-admin".into()
                        } else {
                            "-".into()
                        },
                        if roles.is_empty() { "-".into() } else { roles },
                        a.id.to_string(),
                    ]
                }),
            )
        }
        UserCommand::List {
            tenant: Some(slug),
            list,
        } => {
            let tenant = registry.tenant_by_slug(&slug).await.map_err(explain)?;
            let caller = operator(tenant.id);
            let members =
                all_pages(registry, |params| registry.list_members(&caller, params)).await?;
            print_list(
                list.json,
                &members,
                members.iter().map(|m| {
                    vec![
                        m.email.clone(),
                        m.display_name.clone(),
                        enum_text(&m.role),
                        m.user_id.to_string(),
                    ]
                }),
            )
        }
        UserCommand::Remove { email, tenant } => {
            let tenant = registry.tenant_by_slug(&tenant).await.map_err(explain)?;
            let (user_id, _, _) = registry.user_memberships(&email).await.map_err(explain)?;
            registry
                .remove_member(&operator(tenant.id), user_id)
                .await
                .map_err(explain)?;
            eprintln!("{email} removed from {} (the account stays)", tenant.slug);
            Ok(())
        }
    }
}

async fn all_clients(
    registry: &Registry,
    caller: &service::Caller,
) -> anyhow::Result<Vec<service::clients::ApiClient>> {
    all_pages(registry, |params| registry.list_clients(caller, params)).await
}

/// Every item of a paged list, read page after page at the largest page size.
async fn all_pages<T, F, Fut>(registry: &Registry, mut list: F) -> anyhow::Result<Vec<T>>
where
    F: FnMut(service::pagination::PageParams) -> Fut,
    Fut: std::future::Future<Output = service::ServiceResult<service::pagination::Page<T>>>,
{
    let mut items = Vec::new();
    for page in 1.. {
        let got = list(service::pagination::PageParams {
            page: Some(page),
            per_page: Some(registry.settings().max_page_size),
            ..Default::default()
        })
        .await
        .map_err(explain)?;
        let last = page >= got.total_pages.unwrap_or_default();
        items.extend(got.items);
        if last {
            break;
        }
    }
    Ok(items)
}

async fn client(registry: &Registry, command: ClientCommand) -> anyhow::Result<()> {
    match command {
        ClientCommand::Create {
            tenant,
            name,
            role,
            expires_at,
        } => {
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
            eprintln!(
                "client {} created in {}; its secret is shown once (second line): store it now",
                created.client.client_id, tenant.slug
            );
            println!("{}", created.client.client_id);
            println!("{}", created.client_secret);
            Ok(())
        }
        ClientCommand::List { tenant, list } => {
            let tenant = registry.tenant_by_slug(&tenant).await.map_err(explain)?;
            let clients = all_clients(registry, &operator(tenant.id)).await?;
            let when = |t: Option<DateTime<Utc>>| t.map_or_else(|| "-".into(), |t| t.to_rfc3339());
            print_list(
                list.json,
                &clients,
                clients.iter().map(|c| {
                    vec![
                        c.client_id.clone(),
                        c.name.clone(),
                        enum_text(&c.role),
                        if c.revoked_at.is_some() {
                            "revoked".into()
                        } else {
                            "active".into()
                        },
                        when(c.expires_at),
                        c.id.to_string(),
                    ]
                }),
            )
        }
        ClientCommand::Revoke { tenant, client_id } => {
            let tenant = registry.tenant_by_slug(&tenant).await.map_err(explain)?;
            let caller = operator(tenant.id);
            let found = all_clients(registry, &caller)
                .await?
                .into_iter()
                .find(|c| c.client_id == client_id || c.id.to_string() == client_id)
                .with_context(|| format!("no API client {client_id} in {}", tenant.slug))?;
            registry
                .revoke_client(&caller, found.id)
                .await
                .map_err(explain)?;
            eprintln!("client {} revoked", found.client_id);
            Ok(())
        }
    }
}

/// A progress bar on standard error; indicatif hides it when standard error is not a terminal.
fn progress(len: Option<u64>, template: &str) -> ProgressBar {
    let bar = match len {
        Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

async fn generate(
    registry: &Registry,
    initiatives: usize,
    tenant: &str,
    seed: u64,
) -> anyhow::Result<()> {
    let bar = progress(
        Some(initiatives as u64),
        "{spinner} generating [{bar:30}] {pos}/{len} initiatives ({per_sec}, {eta} left)",
    );
    let started = std::time::Instant::now();
    let generated = registry
        .generate_with_progress(tenant, initiatives, seed, &|done| {
            bar.set_position(done as u64)
        })
        .await
        .map_err(explain);
    bar.finish_and_clear();
    let generated = generated?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
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
    registry.token_for(&principal).await.map_err(explain)
}

/// How many row errors a failed import lists on standard error (the rest are counted).
pub const REPORT_LINES: usize = 20;

/// The line number of a row error's field (`rows[12].title` is row 12); `None` for errors of
/// the whole file (`body`).
fn row_of(field: &str) -> Option<usize> {
    field.strip_prefix("rows[")?.split_once(']')?.0.parse().ok()
}

/// The JSON report of a failed import: the count and every error, by row.
#[derive(Debug, serde::Serialize)]
pub struct FailedImport<'a> {
    pub ok: bool,
    pub dry_run: bool,
    pub error_count: usize,
    pub errors: &'a [service::FieldError],
}

/// The readable report of a failed import: a count, then one line per error sorted by row,
/// at most `limit` lines, then "…and N more".
pub fn readable_report(errors: &[service::FieldError], limit: usize) -> String {
    let rows: std::collections::BTreeSet<usize> =
        errors.iter().filter_map(|e| row_of(&e.field)).collect();
    let mut out = format!(
        "import failed: {} error{} in {} row{}; nothing was written\n",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
    );
    for e in errors.iter().take(limit) {
        let line = match row_of(&e.field) {
            Some(row) => {
                let field = e.field.split_once("].").map_or("", |(_, f)| f);
                format!("  row {row}: {field}: {} ({})\n", e.message, e.code)
            }
            None => format!("  {}: {} ({})\n", e.field, e.message, e.code),
        };
        out.push_str(&line);
    }
    if errors.len() > limit {
        out.push_str(&format!("  …and {} more\n", errors.len() - limit));
    }
    out
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
    let caller = match &args.as_email {
        Some(email) => {
            let (user_id, platform_admin, memberships) =
                registry.user_memberships(email).await.map_err(explain)?;
            let (_, role) = memberships
                .iter()
                .find(|(t, _)| t.id == tenant.id)
                .context("that user is not a member of the tenant")?;
            service::Caller::Member(Principal {
                subject: user_id,
                kind: SubjectKind::User,
                tenant_id: tenant.id,
                role: *role,
                platform_admin,
            })
        }
        None => operator(tenant.id),
    };
    let options = service::import::ImportOptions {
        dry_run: args.dry_run,
        ..Default::default()
    };
    let bar = progress(
        None,
        &format!(
            "{{spinner}} importing {} ({} KiB) into {} ({{elapsed}})",
            path,
            body.len() / 1024,
            tenant.slug
        ),
    );
    let started = std::time::Instant::now();
    let outcome = registry
        .import_initiatives(&caller, format, &body, options)
        .await;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let stdout_is_terminal = std::io::stdout().is_terminal();
    match outcome {
        Ok(report) => {
            let json = serde_json::to_string_pretty(&report)?;
            if let Some(file) = &args.report {
                write_report(file, &json)?;
            }
            println!("{json}");
            eprintln!(
                "{} rows ({} created, {} updated, {} unchanged, {} likely duplicates{}) in {secs:.1} s ({:.0} rows/s)",
                report.rows,
                report.created,
                report.updated,
                report.unchanged,
                report.duplicates.len(),
                if report.dry_run {
                    "; dry run, nothing written"
                } else {
                    ""
                },
                report.rows as f64 / secs.max(0.001),
            );
            Ok(())
        }
        Err(service::ServiceError::Validation(mut errors)) => {
            // By row (the whole file's errors first), then as found.
            errors.sort_by_key(|e| row_of(&e.field).unwrap_or(0));
            let failed = FailedImport {
                ok: false,
                dry_run: args.dry_run,
                error_count: errors.len(),
                errors: &errors,
            };
            let json = serde_json::to_string_pretty(&failed)?;
            if let Some(file) = &args.report {
                write_report(file, &json)?;
            }
            // Scripts read the JSON; a person at a terminal reads the summary below instead.
            if !stdout_is_terminal {
                println!("{json}");
            }
            eprint!("{}", readable_report(&errors, REPORT_LINES));
            match &args.report {
                Some(file) => eprintln!("the full report is in {}", file.display()),
                None if errors.len() > REPORT_LINES => {
                    eprintln!("write the full report with --report FILE")
                }
                None => {}
            }
            Err(anyhow::anyhow!("the import was refused"))
        }
        Err(other) => Err(explain(other)),
    }
}

fn write_report(file: &Path, json: &str) -> anyhow::Result<()> {
    std::fs::write(file, format!("{json}\n"))
        .with_context(|| format!("writing the report to {}", file.display()))
}

async fn export(registry: &Registry, args: &ExportArgs) -> anyhow::Result<()> {
    let tenant = registry
        .tenant_by_slug(&args.tenant)
        .await
        .map_err(explain)?;
    let caller = operator(tenant.id);
    let format: ExportFormat = args.format.into();
    let total = registry
        .list_initiatives(
            &caller,
            service::initiatives::InitiativeQuery {
                scope: Some(Scope::Tenant),
                per_page: Some(1),
                ..Default::default()
            },
        )
        .await
        .map_err(explain)?
        .total
        .unwrap_or_default();
    let mut stream = registry
        .export_initiatives(
            caller,
            InitiativeExportQuery {
                format: Some(format),
                scope: Some(Scope::Tenant),
                ..Default::default()
            },
        )
        .await
        .map_err(explain)?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(file) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(file).with_context(|| format!("creating {}", file.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let bar = progress(
        None,
        &format!(
            "{{spinner}} exporting {total} initiatives of {} as {}: {{bytes}} ({{elapsed}})",
            tenant.slug,
            enum_text(&format)
        ),
    );
    let started = std::time::Instant::now();
    let mut bytes = 0u64;
    let written: anyhow::Result<()> = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(explain)?;
            out.write_all(chunk.as_bytes())?;
            bytes += chunk.len() as u64;
            bar.set_position(bytes);
        }
        out.flush()?;
        Ok(())
    }
    .await;
    bar.finish_and_clear();
    if let Err(err) = written {
        // A reader that stopped early (`| head`) is not an error of the export.
        if err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
        {
            return Ok(());
        }
        return Err(err);
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "exported {total} initiatives of {} as {} ({bytes} bytes) to {} in {secs:.1} s",
        tenant.slug,
        enum_text(&format),
        args.output
            .as_ref()
            .map_or_else(|| "standard output".to_owned(), |f| f.display().to_string()),
    );
    Ok(())
}

fn explain(err: service::ServiceError) -> anyhow::Error {
    match err {
        service::ServiceError::Validation(errors) => {
            let mut text = format!(
                "invalid input ({} problem{}):",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            for e in errors.iter().take(REPORT_LINES) {
                text.push_str(&format!("\n  {}: {}", e.field, e.message));
            }
            if errors.len() > REPORT_LINES {
                text.push_str(&format!("\n  …and {} more", errors.len() - REPORT_LINES));
            }
            anyhow::anyhow!(text)
        }
        other => anyhow::Error::new(other),
    }
}

/// The demo owner's credentials, written where only the process's user can read them.
fn write_demo_credentials(
    file: &Path,
    demo: &service::demo::DemoCredentials,
    base: &str,
) -> std::io::Result<()> {
    if let Some(dir) = file.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let text = format!(
        "# MSP Registry demo tenant \"{}\": its owner (a platform administrator).\n\
         email={}\n\
         password={}\n\
         # A fresh token: msp-registry token --email {}\n\
         # Or sign in: curl -d grant_type=password -d username={} -d password=... {base}/api/v1/auth/token\n",
        demo.tenant_slug, demo.email, demo.password, demo.email, demo.email
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(file)?;
    // An existing file keeps its mode on open: make sure it is 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(text.as_bytes())
}

/// `msp-registry reindex`: the configured index rebuilt from the database.
async fn reindex(config: &Config) -> anyhow::Result<()> {
    let Some(dir) = config.search_index.as_deref() else {
        anyhow::bail!("MSP_SEARCH_INDEX=memory: an index in memory is rebuilt at every start");
    };
    let search =
        service::search::SearchIndex::open(Some(dir)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let registry = registry_without_search(config).await?;
    let started = std::time::Instant::now();
    let documents = search
        .rebuild(registry.db())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "search index {} rebuilt: {documents} records in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let registry = registry(&config).await?;
    if service::db::row_security_bypassed(registry.db()).await? {
        tracing::warn!(
            "the database role is a superuser or has BYPASSRLS: PostgreSQL's row-level security \
             does not bind it; connect as an ordinary role (docs/security.md)"
        );
    }
    let location = data_location(&config);
    let app = Application::build(&config, registry.clone())?;
    // The address really bound (MSP_BIND may name port 0).
    let bound = std::net::SocketAddr::new(config.bind.ip(), app.port());
    let base = if config.bind.port() == 0 && config.public_url == format!("http://{}", config.bind)
    {
        format!("http://{bound}")
    } else {
        config.public_url.trim_end_matches('/').to_owned()
    };
    // People at a terminal get a readable banner; anything else (a log file, a JSON log
    // collector) gets the same facts as one log event.
    let human = config.log_format == LogFormat::Pretty && std::io::stderr().is_terminal();
    if human {
        eprintln!();
        eprintln!("MSP Registry is listening on {bound}");
        eprintln!("  data:      {location}");
        eprintln!("  API docs:  {base}/docs/");
        eprintln!("  OpenAPI:   {base}/api-docs/openapi.json");
        eprintln!("  GraphQL:   {base}/graphql");
        eprintln!("  health:    {base}/health   readiness: {base}/ready   metrics: {base}/metrics");
    }
    tracing::info!(
        bind = %bound,
        data = %location,
        docs = %format!("{base}/docs/"),
        openapi = %format!("{base}/api-docs/openapi.json"),
        health = %format!("{base}/health"),
        ready = %format!("{base}/ready"),
        metrics = %format!("{base}/metrics"),
        "server started"
    );
    if config.demo && !registry.has_tenants().await.map_err(explain)? {
        match registry.seed_demo().await {
            Ok(demo) => announce_demo(&config, &demo, &base, human),
            // Another process starting on the same empty database seeded it first.
            Err(service::ServiceError::Conflict(_)) => {
                tracing::info!("the demo tenant was loaded by another process");
            }
            Err(other) => return Err(explain(other)),
        }
    }
    if human {
        eprintln!();
    }
    app.run_until_stopped().await?;
    Ok(())
}

/// Says where the demo owner's credentials are. They are always written to
/// `config.demo_credentials_file` (mode 0600); the password and a token are printed only to a
/// person at a terminal, never into a log file or a JSON log.
fn announce_demo(config: &Config, demo: &service::demo::DemoCredentials, base: &str, human: bool) {
    let file = &config.demo_credentials_file;
    let written = write_demo_credentials(file, demo, base);
    if let Err(err) = &written {
        tracing::warn!(file = %file.display(), error = %err, "cannot write the demo credentials file");
    }
    let file_text = written.is_ok().then(|| file.display().to_string());
    tracing::info!(
        tenant = %demo.tenant_slug,
        owner = %demo.email,
        credentials_file = file_text.as_deref().unwrap_or("-"),
        token_command = %format!("msp-registry token --email {}", demo.email),
        "loaded the demo tenant (an empty database was found)"
    );
    if human {
        eprintln!();
        eprintln!(
            "Loaded the demo tenant \"{}\" (an empty database was found).",
            demo.tenant_slug
        );
        eprintln!("  owner:     {} / password {}", demo.email, demo.password);
        eprintln!("  token:     {}", demo.access_token);
        eprintln!(
            "  try:       curl -H 'Authorization: Bearer {}' {base}/api/v1/organizations",
            demo.access_token
        );
        eprintln!(
            "  (the token expires in {} minutes; get another with `msp-registry token --email {}`)",
            config.token_ttl.as_secs() / 60,
            demo.email
        );
        if let Some(file) = &file_text {
            eprintln!("  the owner's credentials are also in {file} (readable by you only)");
        }
    }
}
