//! Configuration, read once from `MSP_*` environment variables into a typed struct. Every bad
//! value is reported with the variable's name and what it should be.

use std::{collections::HashMap, net::SocketAddr, path::PathBuf, time::Duration};

use service::{Settings, auth::RefreshPolicy, db::DbOptions, webhooks::WebhookSettings};

/// Where the embedded default keeps its data.
pub const DEFAULT_DATA_DIR: &str = "data";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug)]
pub struct ExternalIdpConfig {
    pub issuer: String,
    pub audience: String,
    pub keys: ExternalKeySource,
    /// How a JWKS URL's set is cached and refreshed.
    pub refresh: RefreshPolicy,
    pub tenant_claim: String,
    pub role_claim: String,
}

/// Where the external identity provider's public keys are read from (exactly one is set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternalKeySource {
    /// `MSP_OIDC_PUBLIC_KEY_FILE`: one PEM public key.
    PemFile(PathBuf),
    /// `MSP_OIDC_JWKS_FILE`: a JWKS document, read at start-up.
    JwksFile(PathBuf),
    /// `MSP_OIDC_JWKS_URL`: a JWKS served by the identity provider, kept current.
    JwksUrl(String),
}

/// Limits of the GraphQL endpoint against abusive queries (see `crate::graphql::limits`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphqlLimits {
    /// Deepest nesting of data fields; introspection does not count (`MSP_GRAPHQL_MAX_DEPTH`).
    pub max_depth: usize,
    /// Highest query cost, lists counting `first` times their items (`MSP_GRAPHQL_MAX_COMPLEXITY`).
    pub max_complexity: usize,
    /// Largest request body or GET query string, in bytes (`MSP_GRAPHQL_MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
}

impl Default for GraphqlLimits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 20_000,
            max_body_bytes: 256 * 1024,
        }
    }
}

/// The request rate limit (`MSP_RATE_LIMIT_*`, see `crate::rate_limit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// `MSP_RATE_LIMIT` (on by default).
    pub enabled: bool,
    /// Requests per minute and burst of each principal (`MSP_RATE_LIMIT_PER_MINUTE`,
    /// `MSP_RATE_LIMIT_BURST`)...
    pub per_minute: u32,
    pub burst: u32,
    /// ...and of each client address, for callers without a verified token
    /// (`MSP_RATE_LIMIT_ADDRESS_PER_MINUTE`, `MSP_RATE_LIMIT_ADDRESS_BURST`).
    pub address_per_minute: u32,
    pub address_burst: u32,
    /// Limit loopback clients too (`MSP_RATE_LIMIT_LOOPBACK`, off by default).
    pub loopback: bool,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            per_minute: 600,
            burst: 100,
            address_per_minute: 300,
            address_burst: 60,
            loopback: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub db: DbOptions,
    /// The JWT signing secret; when absent, one is generated and kept in the database.
    pub jwt_secret: Option<String>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub token_ttl: Duration,
    /// How often each process reads the access log, so a removal, demotion, revocation or
    /// sign-out made in another process takes effect here (`MSP_ACCESS_POLL_MS`); `None` (0):
    /// not at all, for a single process.
    pub access_poll: Option<Duration>,
    pub external_idp: Option<ExternalIdpConfig>,
    pub cors_origins: Vec<String>,
    pub log_level: String,
    pub log_format: LogFormat,
    pub body_limit: usize,
    pub workers: Option<usize>,
    /// Load the demo tenant on an empty database.
    pub demo: bool,
    pub public_url: String,
    pub settings: Settings,
    pub graphql: GraphqlLimits,
    /// Serve `/metrics` (`MSP_METRICS`, on by default).
    pub metrics_enabled: bool,
    /// The bearer token `/metrics` needs (`MSP_METRICS_TOKEN`); public when unset.
    pub metrics_token: Option<String>,
    /// Where a freshly loaded demo tenant's owner credentials are written (mode 0600) when they
    /// may not be printed (`$MSP_DATA_DIR/demo-credentials.txt`).
    pub demo_credentials_file: PathBuf,
    /// Proxies whose `Forwarded`/`X-Forwarded-For` name the client (`MSP_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub rate_limit: RateLimitConfig,
    /// Where this process keeps its search index (`MSP_SEARCH_INDEX`: a directory, default
    /// `$MSP_DATA_DIR/search-index`; `memory` keeps it in memory, rebuilt at every start).
    /// Each process needs its own.
    pub search_index: Option<PathBuf>,
    /// How often the index applies the change feed, for what other processes wrote
    /// (`MSP_SEARCH_FOLLOW_MS`, default 250).
    pub search_follow: Duration,
}

/// All problems found in the environment, one line each.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

/// A source of variables (the process environment, or a map in tests).
pub trait Vars {
    fn get(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Vars for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Vars for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name).cloned()
    }
}

/// The one of `MSP_OIDC_PUBLIC_KEY_FILE`, `MSP_OIDC_JWKS_FILE` and `MSP_OIDC_JWKS_URL` that is
/// set. A URL must be https, except on loopback: a key set fetched in clear text could be
/// replaced on the way.
fn external_key_source(r: &mut Reader<'_>) -> ExternalKeySource {
    let pem = r.vars.get("MSP_OIDC_PUBLIC_KEY_FILE");
    let file = r.vars.get("MSP_OIDC_JWKS_FILE");
    let url = r.vars.get("MSP_OIDC_JWKS_URL");
    let source = match (pem, file, url) {
        (Some(pem), None, None) => ExternalKeySource::PemFile(pem.into()),
        (None, Some(file), None) => ExternalKeySource::JwksFile(file.into()),
        (None, None, Some(url)) => ExternalKeySource::JwksUrl(url),
        _ => {
            r.errors.push(
                "MSP_OIDC_ISSUER needs exactly one of MSP_OIDC_PUBLIC_KEY_FILE, MSP_OIDC_JWKS_FILE \
                 and MSP_OIDC_JWKS_URL"
                    .into(),
            );
            return ExternalKeySource::PemFile(PathBuf::new());
        }
    };
    if let ExternalKeySource::JwksUrl(raw) = &source {
        let loopback = |u: &url::Url| match u.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match url::Url::parse(raw) {
            Ok(u) if u.scheme() == "https" || (u.scheme() == "http" && loopback(&u)) => {}
            _ => r.errors.push(format!(
                "MSP_OIDC_JWKS_URL={raw:?} is not an https URL (http only on loopback)"
            )),
        }
    }
    source
}

struct Reader<'a> {
    vars: &'a dyn Vars,
    errors: Vec<String>,
}

impl Reader<'_> {
    fn text(&self, name: &str, default: &str) -> String {
        self.vars.get(name).unwrap_or_else(|| default.to_owned())
    }

    fn parse<T: std::str::FromStr>(&mut self, name: &str, default: T, what: &str) -> T {
        match self.vars.get(name) {
            None => default,
            Some(raw) => raw.trim().parse().unwrap_or_else(|_| {
                self.errors.push(format!("{name}={raw:?} is not {what}"));
                default
            }),
        }
    }

    fn ranged(&mut self, name: &str, default: u64, min: u64, max: u64, unit: &str) -> u64 {
        let value = self.parse(name, default, &format!("a whole number of {unit}"));
        if !(min..=max).contains(&value) {
            self.errors.push(format!(
                "{name}={value} must be between {min} and {max} {unit}"
            ));
            return default;
        }
        value
    }

    /// An optional score from 1 to 5 (decimals allowed); unset is none.
    fn score(&mut self, name: &str) -> Option<f64> {
        let raw = self.vars.get(name)?;
        match raw.trim().parse::<f64>() {
            Ok(v) if (1.0..=5.0).contains(&v) => Some(v),
            _ => {
                self.errors
                    .push(format!("{name}={raw:?} must be a number from 1 to 5"));
                None
            }
        }
    }

    fn flag(&mut self, name: &str, default: bool) -> bool {
        match self.vars.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => default,
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => true,
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => false,
            Some(v) => {
                self.errors
                    .push(format!("{name}={v:?} must be true or false"));
                default
            }
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&ProcessEnv)
    }

    pub fn from_vars(vars: &dyn Vars) -> Result<Self, ConfigError> {
        let mut r = Reader {
            vars,
            errors: Vec::new(),
        };
        let bind = r.parse(
            "MSP_BIND",
            SocketAddr::from(([127, 0, 0, 1], 8080)),
            "a socket address such as 0.0.0.0:8080",
        );
        let data_dir = r.text("MSP_DATA_DIR", DEFAULT_DATA_DIR);
        let url = r.text(
            "MSP_DATABASE_URL",
            &format!("sqlite://{data_dir}/msp-registry.sqlite?mode=rwc"),
        );
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            r.errors.push(format!(
                "MSP_DATABASE_URL must start with sqlite:, postgres:// or postgresql:// (got {:?})",
                redact_url(&url)
            ));
        }
        let mut db = DbOptions::new(url);
        db.max_connections = r.ranged("MSP_DB_MAX_CONNECTIONS", 10, 1, 1000, "connections") as u32;
        db.min_connections = r.ranged("MSP_DB_MIN_CONNECTIONS", 0, 0, 1000, "connections") as u32;
        if db.min_connections > db.max_connections {
            r.errors
                .push("MSP_DB_MIN_CONNECTIONS must not exceed MSP_DB_MAX_CONNECTIONS".into());
        }
        db.acquire_timeout = Duration::from_millis(r.ranged(
            "MSP_DB_ACQUIRE_TIMEOUT_MS",
            5000,
            10,
            600_000,
            "milliseconds",
        ));
        db.max_lifetime =
            Duration::from_secs(r.ranged("MSP_DB_MAX_LIFETIME_SECS", 1800, 1, 86_400, "seconds"));
        db.idle_timeout =
            Duration::from_secs(r.ranged("MSP_DB_IDLE_TIMEOUT_SECS", 600, 1, 86_400, "seconds"));

        let jwt_secret = vars.get("MSP_JWT_SECRET");
        if let Some(secret) = &jwt_secret
            && secret.len() < 32
        {
            r.errors
                .push("MSP_JWT_SECRET must be at least 32 bytes long".into());
        }
        let token_ttl =
            Duration::from_secs(r.ranged("MSP_TOKEN_TTL_SECS", 900, 60, 86_400, "seconds"));
        let access_poll = match r.ranged("MSP_ACCESS_POLL_MS", 250, 0, 1_000, "milliseconds") {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        };

        let external_idp = match vars.get("MSP_OIDC_ISSUER") {
            None => None,
            Some(issuer) => {
                let audience = vars.get("MSP_OIDC_AUDIENCE");
                if audience.is_none() {
                    r.errors
                        .push("MSP_OIDC_ISSUER needs MSP_OIDC_AUDIENCE".into());
                }
                let keys = external_key_source(&mut r);
                let cache_min = r.ranged("MSP_OIDC_JWKS_CACHE_MIN_SECS", 60, 1, 86_400, "seconds");
                let cache_max = r.ranged(
                    "MSP_OIDC_JWKS_CACHE_MAX_SECS",
                    86_400,
                    1,
                    604_800,
                    "seconds",
                );
                if cache_min > cache_max {
                    r.errors.push(
                        "MSP_OIDC_JWKS_CACHE_MIN_SECS must not exceed MSP_OIDC_JWKS_CACHE_MAX_SECS"
                            .into(),
                    );
                }
                let min_refresh =
                    r.ranged("MSP_OIDC_JWKS_MIN_REFRESH_SECS", 60, 1, 86_400, "seconds");
                Some(ExternalIdpConfig {
                    issuer,
                    audience: audience.unwrap_or_default(),
                    keys,
                    refresh: RefreshPolicy {
                        cache_min: Duration::from_secs(cache_min),
                        cache_max: Duration::from_secs(cache_max),
                        min_refresh: Duration::from_secs(min_refresh),
                    },
                    tenant_claim: r.text("MSP_OIDC_TENANT_CLAIM", "tenant"),
                    role_claim: r.text("MSP_OIDC_ROLE_CLAIM", "role"),
                })
            }
        };

        let cors_origins: Vec<String> = r
            .text("MSP_CORS_ORIGINS", "")
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect();
        for origin in &cors_origins {
            if origin != "*" && !(origin.starts_with("http://") || origin.starts_with("https://")) {
                r.errors.push(format!(
                    "MSP_CORS_ORIGINS: {origin:?} must be * or an http(s) origin"
                ));
            }
        }
        let log_format = match r.text("MSP_LOG_FORMAT", "pretty").as_str() {
            "pretty" | "text" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                r.errors
                    .push(format!("MSP_LOG_FORMAT={other:?} must be pretty or json"));
                LogFormat::Pretty
            }
        };
        let log_level = r.text("MSP_LOG_LEVEL", "info");
        if tracing_subscriber::EnvFilter::try_new(&log_level).is_err() {
            r.errors.push(format!(
                "MSP_LOG_LEVEL={log_level:?} is not a tracing filter (e.g. info, msp_api=debug)"
            ));
        }
        let body_limit = r.ranged(
            "MSP_BODY_LIMIT_BYTES",
            1024 * 1024,
            1024,
            256 * 1024 * 1024,
            "bytes",
        ) as usize;
        let workers = vars
            .get("MSP_WORKERS")
            .map(|_| r.ranged("MSP_WORKERS", 2, 1, 256, "workers") as usize);
        // The demo tenant is loaded by default only on the embedded SQLite default, so a
        // production database never gets a demo owner unless asked for.
        let embedded = vars.get("MSP_DATABASE_URL").is_none();
        let demo = r.flag("MSP_DEMO", embedded);
        let public_url = r.text("MSP_PUBLIC_URL", &format!("http://{bind}"));
        let settings = Settings {
            login_window: Duration::from_secs(r.ranged(
                "MSP_LOGIN_WINDOW_SECS",
                900,
                1,
                86_400,
                "seconds",
            )),
            login_max_failures: r.ranged("MSP_LOGIN_MAX_FAILURES", 5, 1, 1000, "attempts") as u32,
            login_first_delay: Duration::from_millis(r.ranged(
                "MSP_LOGIN_FIRST_DELAY_MS",
                1000,
                1,
                86_400_000,
                "milliseconds",
            )),
            default_page_size: 25,
            max_page_size: r.ranged("MSP_MAX_PAGE_SIZE", 100, 1, 1000, "items"),
            report_due_months: r.ranged("MSP_REPORT_DUE_MONTHS", 12, 1, 120, "months") as u32,
            report_overdue_months: r.ranged("MSP_REPORT_OVERDUE_MONTHS", 24, 1, 240, "months")
                as u32,
            inactive_after_months: r.ranged("MSP_INACTIVE_AFTER_MONTHS", 24, 1, 240, "months")
                as u32,
            showcase_report_months: r.ranged("MSP_SHOWCASE_REPORT_MONTHS", 12, 1, 120, "months")
                as u32,
            showcase_min_sectors: r.ranged("MSP_SHOWCASE_MIN_SECTORS", 2, 2, 7, "sectors") as usize,
            showcase_min_sectors_msp: r.ranged("MSP_SHOWCASE_MIN_SECTORS_MSP", 3, 2, 7, "sectors")
                as usize,
            showcase_require_agreement: r.flag("MSP_SHOWCASE_REQUIRE_AGREEMENT", true),
            showcase_min_health: r.score("MSP_SHOWCASE_MIN_HEALTH"),
            import_max_rows: r.ranged("MSP_IMPORT_MAX_ROWS", 10_000, 1, 10_000_000, "rows")
                as usize,
            import_body_limit_bytes: r.ranged(
                "MSP_IMPORT_BODY_LIMIT_BYTES",
                64 * 1024 * 1024,
                1024,
                4 * 1024 * 1024 * 1024,
                "bytes",
            ) as usize,
            idempotency_ttl: Duration::from_secs(r.ranged(
                "MSP_IDEMPOTENCY_TTL_SECS",
                86_400,
                60,
                30 * 86_400,
                "seconds",
            )),
            idempotency_lease: Duration::from_secs(r.ranged(
                "MSP_IDEMPOTENCY_LEASE_SECS",
                300,
                1,
                86_400,
                "seconds",
            )),
            webhooks: webhook_settings(&mut r),
            refresh_ttl: Duration::from_secs(r.ranged(
                "MSP_REFRESH_TTL_SECS",
                14 * 86_400,
                300,
                90 * 86_400,
                "seconds",
            )),
        };
        if settings.report_overdue_months <= settings.report_due_months {
            r.errors.push(
                "MSP_REPORT_OVERDUE_MONTHS must be greater than MSP_REPORT_DUE_MONTHS".into(),
            );
        }
        let defaults = GraphqlLimits::default();
        let graphql = GraphqlLimits {
            max_depth: r.ranged(
                "MSP_GRAPHQL_MAX_DEPTH",
                defaults.max_depth as u64,
                2,
                100,
                "levels",
            ) as usize,
            max_complexity: r.ranged(
                "MSP_GRAPHQL_MAX_COMPLEXITY",
                defaults.max_complexity as u64,
                10,
                10_000_000,
                "points",
            ) as usize,
            max_body_bytes: r.ranged(
                "MSP_GRAPHQL_MAX_BODY_BYTES",
                defaults.max_body_bytes as u64,
                1024,
                64 * 1024 * 1024,
                "bytes",
            ) as usize,
        };
        let metrics_enabled = r.flag("MSP_METRICS", true);
        let metrics_token = vars.get("MSP_METRICS_TOKEN");
        if let Some(token) = &metrics_token
            && (token.len() < 16 || token.bytes().any(|b| !b.is_ascii_graphic()))
        {
            r.errors.push(
                "MSP_METRICS_TOKEN must be at least 16 visible ASCII characters (no spaces)".into(),
            );
        }
        let demo_credentials_file = PathBuf::from(&data_dir).join("demo-credentials.txt");
        let trusted_proxies =
            crate::client_address::parse_trusted(&r.text("MSP_TRUSTED_PROXIES", ""))
                .unwrap_or_else(|bad| {
                    r.errors.push(format!(
                        "MSP_TRUSTED_PROXIES: {} must be IP addresses or CIDR networks",
                        bad.join(", ")
                    ));
                    Vec::new()
                });
        let rate_limit = rate_limit_config(&mut r);
        let search_index = match r.text("MSP_SEARCH_INDEX", "").trim() {
            "memory" => None,
            "" => Some(PathBuf::from(&data_dir).join("search-index")),
            dir => Some(PathBuf::from(dir)),
        };
        let search_follow = Duration::from_millis(r.ranged(
            "MSP_SEARCH_FOLLOW_MS",
            250,
            10,
            60_000,
            "milliseconds",
        ));
        let config = Config {
            search_index,
            search_follow,
            trusted_proxies,
            rate_limit,
            metrics_enabled,
            metrics_token,
            demo_credentials_file,
            bind,
            db,
            jwt_secret,
            jwt_issuer: r.text("MSP_JWT_ISSUER", "msp-registry"),
            jwt_audience: r.text("MSP_JWT_AUDIENCE", "msp-registry-api"),
            token_ttl,
            access_poll,
            external_idp,
            cors_origins,
            log_level,
            log_format,
            body_limit,
            workers,
            demo,
            public_url,
            settings,
            graphql,
        };
        if r.errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError(r.errors))
        }
    }
}

/// `MSP_RATE_LIMIT_*`: the request rate limit.
fn rate_limit_config(r: &mut Reader<'_>) -> RateLimitConfig {
    let d = RateLimitConfig::default();
    let mut rate = |name: &str, default: u32, unit: &str| {
        r.ranged(name, u64::from(default), 1, 1_000_000, unit) as u32
    };
    let per_minute = rate("MSP_RATE_LIMIT_PER_MINUTE", d.per_minute, "requests");
    let burst = rate("MSP_RATE_LIMIT_BURST", d.burst, "requests");
    let address_per_minute = rate(
        "MSP_RATE_LIMIT_ADDRESS_PER_MINUTE",
        d.address_per_minute,
        "requests",
    );
    let address_burst = rate("MSP_RATE_LIMIT_ADDRESS_BURST", d.address_burst, "requests");
    RateLimitConfig {
        enabled: r.flag("MSP_RATE_LIMIT", d.enabled),
        per_minute,
        burst,
        address_per_minute,
        address_burst,
        loopback: r.flag("MSP_RATE_LIMIT_LOOPBACK", d.loopback),
    }
}

/// `MSP_WEBHOOK_*`: the delivery worker, timeouts, retries and the SSRF guard.
fn webhook_settings(r: &mut Reader<'_>) -> WebhookSettings {
    let d = WebhookSettings::default();
    let ms = |d: std::time::Duration| d.as_millis() as u64;
    let s = WebhookSettings {
        worker: r.flag("MSP_WEBHOOK_WORKER", d.worker),
        poll_interval: Duration::from_millis(r.ranged(
            "MSP_WEBHOOK_POLL_MS",
            ms(d.poll_interval),
            10,
            3_600_000,
            "milliseconds",
        )),
        batch_size: r.ranged(
            "MSP_WEBHOOK_BATCH_SIZE",
            d.batch_size,
            1,
            1000,
            "deliveries",
        ),
        lease: Duration::from_millis(r.ranged(
            "MSP_WEBHOOK_LEASE_MS",
            ms(d.lease),
            100,
            86_400_000,
            "milliseconds",
        )),
        connect_timeout: Duration::from_millis(r.ranged(
            "MSP_WEBHOOK_CONNECT_TIMEOUT_MS",
            ms(d.connect_timeout),
            10,
            600_000,
            "milliseconds",
        )),
        timeout: Duration::from_millis(r.ranged(
            "MSP_WEBHOOK_TIMEOUT_MS",
            ms(d.timeout),
            10,
            600_000,
            "milliseconds",
        )),
        retry_base: Duration::from_millis(r.ranged(
            "MSP_WEBHOOK_RETRY_BASE_MS",
            ms(d.retry_base),
            1,
            86_400_000,
            "milliseconds",
        )),
        retry_factor: r.ranged(
            "MSP_WEBHOOK_RETRY_FACTOR",
            u64::from(d.retry_factor),
            1,
            10,
            "(a multiplier)",
        ) as u32,
        retry_max: Duration::from_millis(r.ranged(
            "MSP_WEBHOOK_RETRY_MAX_MS",
            ms(d.retry_max),
            1,
            7 * 86_400_000,
            "milliseconds",
        )),
        max_attempts: r.ranged(
            "MSP_WEBHOOK_MAX_ATTEMPTS",
            u64::from(d.max_attempts),
            1,
            100,
            "attempts",
        ) as u32,
        disable_after: r.ranged(
            "MSP_WEBHOOK_DISABLE_AFTER",
            u64::from(d.disable_after),
            1,
            10_000,
            "failed deliveries",
        ) as u32,
        allow_private_networks: r.flag(
            "MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS",
            d.allow_private_networks,
        ),
    };
    if s.lease <= s.timeout {
        r.errors.push(
            "MSP_WEBHOOK_LEASE_MS must be longer than MSP_WEBHOOK_TIMEOUT_MS (a delivery must \
             finish within its lease)"
                .into(),
        );
    }
    if s.retry_max < s.retry_base {
        r.errors
            .push("MSP_WEBHOOK_RETRY_MAX_MS must not be below MSP_WEBHOOK_RETRY_BASE_MS".into());
    }
    s
}

/// A database URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_run_on_an_embedded_sqlite_file() {
        let config = Config::from_vars(&vars(&[])).map_err(|e| e.to_string());
        let config = config
            .as_ref()
            .map(|c| (c.db.is_sqlite(), c.bind.port(), c.body_limit));
        assert_eq!(config, Ok((true, 8080, 1024 * 1024)));
    }

    #[test]
    fn the_showcase_health_minimum_is_optional_and_from_1_to_5() {
        let min = |v: &[(&str, &str)]| {
            Config::from_vars(&vars(v))
                .map(|c| c.settings.showcase_min_health)
                .map_err(|e| e.to_string())
        };
        assert_eq!(min(&[]), Ok(None));
        assert_eq!(min(&[("MSP_SHOWCASE_MIN_HEALTH", "3.5")]), Ok(Some(3.5)));
        for bad in ["0.5", "6", "high"] {
            let err = min(&[("MSP_SHOWCASE_MIN_HEALTH", bad)])
                .err()
                .unwrap_or_default();
            assert!(err.contains("MSP_SHOWCASE_MIN_HEALTH"), "{bad}: {err}");
        }
    }

    #[test]
    fn every_bad_value_is_named() {
        let err = Config::from_vars(&vars(&[
            ("MSP_BIND", "nowhere"),
            ("MSP_DB_MAX_CONNECTIONS", "0"),
            ("MSP_JWT_SECRET", "short"),
            ("MSP_LOG_FORMAT", "xml"),
            ("MSP_DATABASE_URL", "mysql://x"),
        ]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        for name in [
            "MSP_BIND",
            "MSP_DB_MAX_CONNECTIONS",
            "MSP_JWT_SECRET",
            "MSP_LOG_FORMAT",
            "MSP_DATABASE_URL",
        ] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn an_identity_provider_needs_exactly_one_source_of_keys_and_https() {
        let idp = |keys: &[(&str, &str)]| {
            let mut pairs = vec![
                ("MSP_OIDC_ISSUER", "https://idp.example.org"),
                ("MSP_OIDC_AUDIENCE", "msp-registry"),
            ];
            pairs.extend_from_slice(keys);
            Config::from_vars(&vars(&pairs)).map(|c| c.external_idp.map(|i| i.keys))
        };
        let url = "https://idp.example.org/certs";
        assert_eq!(
            idp(&[("MSP_OIDC_JWKS_URL", url)]).ok().flatten(),
            Some(ExternalKeySource::JwksUrl(url.into()))
        );
        let local = "http://127.0.0.1:8081/certs";
        assert!(idp(&[("MSP_OIDC_JWKS_URL", local)]).is_ok());
        for wrong in [
            vec![],
            vec![
                ("MSP_OIDC_JWKS_URL", url),
                ("MSP_OIDC_JWKS_FILE", "keys.json"),
            ],
            vec![("MSP_OIDC_JWKS_URL", "http://idp.example.org/certs")],
        ] {
            assert!(idp(&wrong).is_err(), "{wrong:?} accepted");
        }
    }

    #[test]
    fn graphql_limits_have_safe_defaults_and_are_checked() {
        let config = Config::from_vars(&vars(&[])).map(|c| c.graphql).ok();
        assert_eq!(config, Some(GraphqlLimits::default()));
        let err = Config::from_vars(&vars(&[
            ("MSP_GRAPHQL_MAX_DEPTH", "1"),
            ("MSP_GRAPHQL_MAX_COMPLEXITY", "lots"),
            ("MSP_GRAPHQL_MAX_BODY_BYTES", "10"),
        ]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        for name in [
            "MSP_GRAPHQL_MAX_DEPTH",
            "MSP_GRAPHQL_MAX_COMPLEXITY",
            "MSP_GRAPHQL_MAX_BODY_BYTES",
        ] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn webhook_settings_are_read_and_checked() {
        let config = Config::from_vars(&vars(&[
            ("MSP_WEBHOOK_WORKER", "false"),
            ("MSP_WEBHOOK_RETRY_BASE_MS", "250"),
            ("MSP_WEBHOOK_MAX_ATTEMPTS", "3"),
            ("MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
        ]))
        .map(|c| c.settings.webhooks)
        .map(|w| {
            (
                w.worker,
                w.retry_base.as_millis(),
                w.max_attempts,
                w.allow_private_networks,
            )
        })
        .map_err(|e| e.to_string());
        assert_eq!(config, Ok((false, 250, 3, true)));
        let defaults = Config::from_vars(&vars(&[]))
            .map(|c| {
                (
                    c.settings.webhooks.worker,
                    c.settings.webhooks.allow_private_networks,
                )
            })
            .map_err(|e| e.to_string());
        assert_eq!(
            defaults,
            Ok((true, false)),
            "workers on, private networks refused"
        );
        let err = Config::from_vars(&vars(&[
            ("MSP_WEBHOOK_LEASE_MS", "1000"),
            ("MSP_WEBHOOK_TIMEOUT_MS", "5000"),
            ("MSP_WEBHOOK_MAX_ATTEMPTS", "0"),
        ]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        for name in ["MSP_WEBHOOK_LEASE_MS", "MSP_WEBHOOK_MAX_ATTEMPTS"] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn rate_limits_and_trusted_proxies_are_read_and_checked() {
        let defaults = Config::from_vars(&vars(&[]))
            .map(|c| (c.rate_limit, c.trusted_proxies.len()))
            .map_err(|e| e.to_string());
        assert_eq!(defaults, Ok((RateLimitConfig::default(), 0)));
        let set = Config::from_vars(&vars(&[
            ("MSP_RATE_LIMIT", "false"),
            ("MSP_RATE_LIMIT_BURST", "7"),
            ("MSP_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
        ]))
        .map(|c| {
            (
                c.rate_limit.enabled,
                c.rate_limit.burst,
                c.trusted_proxies.len(),
            )
        })
        .map_err(|e| e.to_string());
        assert_eq!(set, Ok((false, 7, 2)));
        let err = Config::from_vars(&vars(&[
            ("MSP_TRUSTED_PROXIES", "10.0.0.0/8, the-proxy"),
            ("MSP_RATE_LIMIT_PER_MINUTE", "0"),
        ]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        for name in [
            "MSP_TRUSTED_PROXIES",
            "MSP_RATE_LIMIT_PER_MINUTE",
            "the-proxy",
        ] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:secret@db:5432/msp"),
            "postgres://app:***@db:5432/msp"
        );
    }
}
