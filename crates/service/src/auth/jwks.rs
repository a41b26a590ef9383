//! The external identity provider's signing keys: one PEM key, a JWKS file, or a JWKS URL kept
//! current. A URL's set is cached for as long as its HTTP cache headers say (within bounds),
//! re-fetched in the background once stale, and re-fetched at once when a token names a `kid`
//! the set lacks, at most once per interval, so an identity provider can rotate its keys without
//! a restart and garbage `kid`s cannot make this service hammer it. A token whose `kid` is known
//! is verified without any I/O.

use std::{
    sync::{
        Arc, RwLock,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use jsonwebtoken::{
    Algorithm, DecodingKey,
    jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse},
};
use reqwest::header::{AGE, CACHE_CONTROL, DATE, EXPIRES, HeaderMap};

/// Largest JWKS document read; real ones are a few kilobytes.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// How long one fetch may take, connection included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a set is used when its response carries no cache headers (within the bounds).
const DEFAULT_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum KeySetError {
    #[error("not an RSA or EC public key in PEM form")]
    Pem,
    #[error("not a JWKS document: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "the JWKS holds no key usable for verifying signatures (RS*, PS*, ES256, ES384, EdDSA)"
    )]
    NoUsableKey,
    #[error("cannot fetch the JWKS: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the JWKS URL answered HTTP {0}")]
    Status(u16),
    #[error("the JWKS document is larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge,
}

/// One public key and the one algorithm it verifies.
#[derive(Clone)]
pub struct VerifyingKey {
    pub kid: Option<String>,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// The usable keys of a set.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
}

impl KeySet {
    /// One PEM public key; the algorithm follows the key (RSA: RS256, EC P-256: ES256) and it
    /// has no `kid`.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeySetError> {
        let (algorithm, key) = if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            (Algorithm::RS256, key)
        } else if let Ok(key) = DecodingKey::from_ec_pem(pem) {
            (Algorithm::ES256, key)
        } else {
            return Err(KeySetError::Pem);
        };
        Ok(Self {
            keys: vec![VerifyingKey {
                kid: None,
                algorithm,
                key,
            }],
        })
    }

    /// A JWKS document (RFC 7517). Keys this service cannot or must not verify with (encryption
    /// keys, symmetric keys, unknown types or curves, an `alg` that does not fit the key) are
    /// skipped; a set left empty is an error.
    pub fn from_jwks(document: &[u8]) -> Result<Self, KeySetError> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document = serde_json::from_slice(document)?;
        let keys: Vec<VerifyingKey> = document
            .keys
            .into_iter()
            .filter_map(|value| {
                let jwk: Jwk = serde_json::from_value(value).ok()?;
                let usable = verifying_key(&jwk);
                if usable.is_none() {
                    tracing::debug!(kid = ?jwk.common.key_id, "JWKS key skipped");
                }
                usable
            })
            .collect();
        if keys.is_empty() {
            return Err(KeySetError::NoUsableKey);
        }
        Ok(Self { keys })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key a token's `kid` names. A token without `kid`, or a set whose only key has none (a
    /// PEM key), is matched only when the set holds exactly one key.
    pub fn select(&self, kid: Option<&str>) -> Option<&VerifyingKey> {
        if let Some(kid) = kid
            && let Some(key) = self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
        {
            return Some(key);
        }
        match self.keys.as_slice() {
            [only] if kid.is_none() || only.kid.is_none() => Some(only),
            _ => None,
        }
    }
}

/// The algorithm a JWK verifies, pinned by the key itself: its type and curve, and its `alg`
/// when present (which must fit). RSA keys without `alg` (Entra ID publishes them so) are RS256.
fn verifying_key(jwk: &Jwk) -> Option<VerifyingKey> {
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    let declared = jwk.common.key_algorithm;
    let algorithm = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => match declared {
            None | Some(KeyAlgorithm::RS256) => Algorithm::RS256,
            Some(KeyAlgorithm::RS384) => Algorithm::RS384,
            Some(KeyAlgorithm::RS512) => Algorithm::RS512,
            Some(KeyAlgorithm::PS256) => Algorithm::PS256,
            Some(KeyAlgorithm::PS384) => Algorithm::PS384,
            Some(KeyAlgorithm::PS512) => Algorithm::PS512,
            Some(_) => return None,
        },
        AlgorithmParameters::EllipticCurve(ec) => match (&ec.curve, declared) {
            (EllipticCurve::P256, None | Some(KeyAlgorithm::ES256)) => Algorithm::ES256,
            (EllipticCurve::P384, None | Some(KeyAlgorithm::ES384)) => Algorithm::ES384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(okp) => match (&okp.curve, declared) {
            (EllipticCurve::Ed25519, None | Some(KeyAlgorithm::EdDSA)) => Algorithm::EdDSA,
            _ => return None,
        },
        // A published symmetric key would let anyone sign: never.
        AlgorithmParameters::OctetKey(_) | AlgorithmParameters::Other(_) => return None,
        _ => return None,
    };
    Some(VerifyingKey {
        kid: jwk.common.key_id.clone(),
        algorithm,
        key: DecodingKey::from_jwk(jwk).ok()?,
    })
}

/// How a fetched set is cached and refreshed.
#[derive(Clone, Copy, Debug)]
pub struct RefreshPolicy {
    /// Shortest time a fetched set is used, whatever its headers say (`no-cache` included).
    pub cache_min: Duration,
    /// Longest time a fetched set is used before it is fetched again.
    pub cache_max: Duration,
    /// Least time between two fetches made because a token named an unknown `kid`.
    pub min_refresh: Duration,
}

impl RefreshPolicy {
    /// How long a response may be used: `Cache-Control: max-age` (less `Age`), else `Expires`
    /// (against `Date`), else an hour; `no-store` and `no-cache` mean the shortest; always
    /// within `cache_min..=cache_max`.
    pub fn ttl(&self, headers: &HeaderMap) -> Duration {
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        let seconds = |raw: &str| raw.trim().trim_matches('"').parse::<u64>().ok();
        let mut ttl = None;
        if let Some(cache_control) = text(CACHE_CONTROL) {
            for directive in cache_control.split(',').map(str::trim) {
                let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
                match name.to_ascii_lowercase().as_str() {
                    "no-store" | "no-cache" => ttl = Some(Duration::ZERO),
                    "max-age" if ttl.is_none() => ttl = seconds(value).map(Duration::from_secs),
                    _ => {}
                }
            }
            let age = text(AGE).and_then(seconds).unwrap_or(0);
            ttl = ttl.map(|t| t.saturating_sub(Duration::from_secs(age)));
        }
        if ttl.is_none()
            && let Some(expires) = text(EXPIRES)
        {
            let date = |raw: &str| chrono::DateTime::parse_from_rfc2822(raw).ok();
            let now = text(DATE)
                .and_then(date)
                .map_or_else(chrono::Utc::now, |d| d.to_utc());
            // An unparsable `Expires` means already expired (RFC 9111 section 5.3).
            let left = date(expires).map_or(0, |e| (e.to_utc() - now).num_seconds().max(0));
            ttl = Some(Duration::from_secs(left.unsigned_abs()));
        }
        ttl.unwrap_or(DEFAULT_TTL)
            .clamp(self.cache_min, self.cache_max.max(self.cache_min))
    }
}

/// What is known of a URL's set.
struct Fetched {
    keys: Arc<KeySet>,
    /// When the set should be fetched again (after a failure: when to retry).
    stale_at: Instant,
}

/// A JWKS served at a URL.
pub struct RemoteKeys {
    url: String,
    client: reqwest::Client,
    policy: RefreshPolicy,
    current: RwLock<Fetched>,
    /// A background refresh is under way.
    refreshing: AtomicBool,
    /// When the last fetch for an unknown `kid` began; held across that fetch, so that tokens
    /// arriving meanwhile wait for it instead of starting their own.
    last_forced: tokio::sync::Mutex<Option<Instant>>,
}

impl RemoteKeys {
    /// Fetches the set once. If that fails the service still starts (its own tokens do not
    /// depend on the identity provider) and external tokens are refused until a later fetch
    /// succeeds: in the background, or for an unknown `kid`, as usual.
    pub async fn start(url: String, policy: RefreshPolicy) -> Result<Arc<Self>, KeySetError> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()?;
        let keys = Arc::new(Self {
            url,
            client,
            policy,
            current: RwLock::new(Fetched {
                keys: Arc::default(),
                stale_at: Instant::now(),
            }),
            refreshing: AtomicBool::new(false),
            last_forced: tokio::sync::Mutex::new(None),
        });
        keys.refresh("start-up").await;
        Ok(keys)
    }

    fn snapshot(&self) -> (Arc<KeySet>, bool) {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        (current.keys.clone(), Instant::now() >= current.stale_at)
    }

    /// The set to verify a token naming `kid` with: the cached one when it holds that key (a
    /// stale one triggers a refresh in the background); otherwise the set after one refresh, if
    /// none was forced within `min_refresh`.
    pub async fn keys_for(self: &Arc<Self>, kid: Option<&str>) -> Arc<KeySet> {
        let (keys, stale) = self.snapshot();
        if stale && !self.refreshing.swap(true, Ordering::AcqRel) {
            let this = self.clone();
            tokio::spawn(async move {
                this.refresh("stale").await;
                this.refreshing.store(false, Ordering::Release);
            });
        }
        if keys.select(kid).is_some() {
            return keys;
        }
        let mut last = self.last_forced.lock().await;
        let (keys, _) = self.snapshot();
        if keys.select(kid).is_some()
            || last.is_some_and(|at| at.elapsed() < self.policy.min_refresh)
        {
            return keys;
        }
        *last = Some(Instant::now());
        self.refresh("unknown kid").await;
        self.snapshot().0
    }

    /// Fetches the set and keeps it; on failure keeps the previous one and retries after the
    /// shortest cache time.
    #[tracing::instrument(skip(self), fields(url = %self.url))]
    async fn refresh(&self, reason: &'static str) {
        let fetched = self.fetch().await;
        let result = if fetched.is_ok() { "ok" } else { "error" };
        metrics::counter!("msp_oidc_jwks_fetches_total", "result" => result).increment(1);
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        match fetched {
            Ok((keys, ttl)) => {
                tracing::info!(keys = keys.len(), ttl_secs = ttl.as_secs(), "JWKS fetched");
                current.keys = Arc::new(keys);
                current.stale_at = Instant::now() + ttl;
            }
            Err(error) => {
                tracing::error!(%error, kept = current.keys.len(), "cannot refresh the JWKS");
                current.stale_at = Instant::now() + self.policy.cache_min;
            }
        }
    }

    async fn fetch(&self) -> Result<(KeySet, Duration), KeySetError> {
        let mut response = self
            .client
            .get(&self.url)
            .header(
                reqwest::header::ACCEPT,
                "application/jwk-set+json, application/json",
            )
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(KeySetError::Status(response.status().as_u16()));
        }
        let ttl = self.policy.ttl(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(KeySetError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok((KeySet::from_jwks(&body)?, ttl))
    }
}

/// Where the external identity provider's keys come from.
#[derive(Clone)]
pub enum ExternalKeys {
    /// A PEM key or a JWKS file, read at start-up.
    Fixed(Arc<KeySet>),
    Remote(Arc<RemoteKeys>),
}

impl ExternalKeys {
    pub async fn keys_for(&self, kid: Option<&str>) -> Arc<KeySet> {
        match self {
            Self::Fixed(keys) => keys.clone(),
            Self::Remote(remote) => remote.keys_for(kid).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn ttl_secs(headers: &[(reqwest::header::HeaderName, &'static str)]) -> u64 {
        let policy = RefreshPolicy {
            cache_min: Duration::from_secs(60),
            cache_max: Duration::from_secs(86_400),
            min_refresh: Duration::from_secs(60),
        };
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(name.clone(), HeaderValue::from_static(value));
        }
        policy.ttl(&map).as_secs()
    }

    #[test]
    fn a_set_is_cached_as_its_headers_say_within_bounds() {
        let date = "Wed, 02 Dec 2026 12:00:00 GMT";
        for (headers, expected) in [
            (vec![(CACHE_CONTROL, "public, max-age=7200")], 7_200),
            (vec![(CACHE_CONTROL, "max-age=600"), (AGE, "100")], 500),
            (vec![(CACHE_CONTROL, "max-age=5")], 60),
            (vec![(CACHE_CONTROL, "max-age=9999999")], 86_400),
            (vec![(CACHE_CONTROL, "no-cache, max-age=7200")], 60),
            (vec![(CACHE_CONTROL, "no-store")], 60),
            (
                vec![(EXPIRES, "Wed, 02 Dec 2026 14:00:00 GMT"), (DATE, date)],
                7_200,
            ),
            (vec![(EXPIRES, "0"), (DATE, date)], 60),
            (vec![], 3_600),
        ] {
            assert_eq!(ttl_secs(&headers), expected, "{headers:?}");
        }
    }

    #[test]
    fn only_signing_keys_that_fit_their_algorithm_are_kept() {
        let n = "0e_DXZajCOCLqD8jbCdsI0bfv53fPtgIo5cI41xOZzHiHEzqG6iJgfsmjmb9kG2HlXYazPHcE8ii4AdN";
        let rsa = |extra: serde_json::Value| {
            let mut key = serde_json::json!({"kty": "RSA", "n": n, "e": "AQAB"});
            if let (Some(key), Some(extra)) = (key.as_object_mut(), extra.as_object()) {
                key.extend(extra.clone());
            }
            key
        };
        let document = serde_json::json!({"keys": [
            rsa(serde_json::json!({"kid": "plain"})),
            rsa(serde_json::json!({"kid": "pss", "alg": "PS256"})),
            rsa(serde_json::json!({"kid": "enc", "use": "enc"})),
            rsa(serde_json::json!({"kid": "ec-alg", "alg": "ES256"})),
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
            {"kty": "weird", "kid": "unknown"},
        ]});
        let keys = KeySet::from_jwks(document.to_string().as_bytes()).map(|set| {
            set.keys
                .iter()
                .map(|k| (k.kid.clone().unwrap_or_default(), k.algorithm))
                .collect::<Vec<_>>()
        });
        assert_eq!(
            keys.ok(),
            Some(vec![
                ("plain".to_owned(), Algorithm::RS256),
                ("pss".to_owned(), Algorithm::PS256),
            ])
        );
        let only_secret = br#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#;
        assert!(matches!(
            KeySet::from_jwks(only_secret),
            Err(KeySetError::NoUsableKey)
        ));
    }
}
