//! Access tokens: HS256 tokens this service issues, and optionally tokens from an external
//! identity provider, signed with one of its keys (`auth::jwks`). Verification pins the
//! algorithm per key, checks signature, `iss`, `aud`, `exp` and `nbf` with a small leeway, and
//! requires every claim the service relies on.

use std::{collections::HashMap, time::Duration};

use chrono::Utc;
use entity::enums::Role;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Principal, SubjectKind, jwks::ExternalKeys};
use crate::error::{ServiceError, ServiceResult};

/// The claims of a token issued by this service.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub tenant: Uuid,
    pub role: Role,
    pub kind: SubjectKind,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub platform_admin: bool,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: Uuid,
    /// The principal's access epoch when the token was issued (`auth::access`); tokens from
    /// before epochs existed read as 0.
    #[serde(default)]
    pub ep: i32,
    /// The session the token belongs to: a sign-in's refresh-token family, or the token alone.
    /// Revoking it (RFC 7009) ends this token and its session's others, and no one else's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

/// A verified token of ours: its principal and the access epoch it was issued under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnToken {
    pub principal: Principal,
    pub epoch: i32,
    /// `sid`; absent from tokens issued before sessions existed.
    pub session: Option<Uuid>,
    /// When the token expires (Unix seconds): an ended session is remembered until then.
    pub expires: i64,
}

/// An external identity provider whose tokens are accepted, with its keys (`auth::jwks`).
#[derive(Clone)]
pub struct ExternalIdp {
    pub issuer: String,
    pub audience: String,
    pub keys: ExternalKeys,
    /// The claim holding the tenant's slug.
    pub tenant_claim: String,
    /// The claim holding the role (`viewer`, `editor`, `admin`, `owner`).
    pub role_claim: String,
}

/// What an external token resolves to before its tenant slug is looked up.
#[derive(Debug)]
pub struct ExternalIdentity {
    pub issuer: String,
    pub subject: String,
    pub tenant_slug: String,
    pub role: Role,
}

/// A verified token: either already a principal, or an external identity to resolve.
#[derive(Debug)]
pub enum Verified {
    Internal(OwnToken),
    External(ExternalIdentity),
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    ttl: Duration,
    external: Option<ExternalIdp>,
}

/// Claims every token of ours carries; `nbf` is checked whenever present.
const OWN_CLAIMS: &[&str] = &["exp", "nbf", "iat", "iss", "aud", "sub"];
/// Identity providers often leave out `nbf` and `iat`.
const EXTERNAL_CLAIMS: &[&str] = &["exp", "iss", "aud", "sub"];

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 30;

impl TokenKeys {
    pub fn new(secret: &[u8], issuer: String, audience: String, ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer,
            audience,
            ttl,
            external: None,
        }
    }

    pub fn with_external(mut self, idp: Option<ExternalIdp>) -> Self {
        self.external = idp;
        self
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Signs a token for `principal` under its access epoch `epoch`, valid for the configured
    /// lifetime, as a session of its own.
    pub fn issue(&self, principal: &Principal, epoch: i32) -> ServiceResult<String> {
        self.issue_in(principal, epoch, Uuid::new_v4())
    }

    /// Signs a token for `principal` in the session `sid` (a sign-in's refresh-token family).
    pub fn issue_in(&self, principal: &Principal, epoch: i32, sid: Uuid) -> ServiceResult<String> {
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: principal.subject,
            tenant: principal.tenant_id,
            role: principal.role,
            kind: principal.kind,
            platform_admin: principal.platform_admin,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now.saturating_add(ttl),
            jti: Uuid::new_v4(),
            ep: epoch,
            sid: Some(sid),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ServiceError::Internal(format!("token signing failed: {e}")))
    }

    fn validation(alg: Algorithm, issuer: &str, audience: &str, required: &[&str]) -> Validation {
        let mut v = Validation::new(alg);
        v.algorithms = vec![alg];
        v.leeway = LEEWAY_SECS;
        v.validate_exp = true;
        v.validate_nbf = true;
        v.set_issuer(&[issuer]);
        v.set_audience(&[audience]);
        v.set_required_spec_claims(required);
        v
    }

    /// Verifies a bearer token. Every failure is the same `InvalidToken` to the caller; the
    /// reason is logged at debug level only. Only an external token naming a key not yet known
    /// waits for anything (one refresh of the identity provider's key set, rate-limited).
    pub async fn verify(&self, token: &str) -> ServiceResult<Verified> {
        let header = decode_header(token).map_err(reject)?;
        // RFC 7515 section 4.1.11: a recipient must refuse a token whose `crit` names an
        // extension it does not understand, and this service understands none.
        if header.crit.is_some() {
            return Err(reject(
                "the crit header names extensions not understood here",
            ));
        }
        if header.alg == Algorithm::HS256 {
            let data = decode::<Claims>(
                token,
                &self.decoding,
                &Self::validation(Algorithm::HS256, &self.issuer, &self.audience, OWN_CLAIMS),
            )
            .map_err(reject)?;
            let c = data.claims;
            return Ok(Verified::Internal(OwnToken {
                principal: Principal {
                    subject: c.sub,
                    kind: c.kind,
                    tenant_id: c.tenant,
                    role: c.role,
                    platform_admin: c.platform_admin,
                },
                epoch: c.ep,
                session: c.sid,
                expires: c.exp,
            }));
        }
        let Some(idp) = &self.external else {
            return Err(reject("algorithm not accepted"));
        };
        let keys = idp.keys.keys_for(header.kid.as_deref()).await;
        let Some(key) = keys.select(header.kid.as_deref()) else {
            return Err(reject("no external key for the token's kid"));
        };
        if header.alg != key.algorithm {
            return Err(reject("algorithm does not match the external key"));
        }
        let data = decode::<HashMap<String, serde_json::Value>>(
            token,
            &key.key,
            &Self::validation(key.algorithm, &idp.issuer, &idp.audience, EXTERNAL_CLAIMS),
        )
        .map_err(reject)?;
        let claims = data.claims;
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or_else(|| reject(format!("missing claim {name}")))
        };
        let role = match text(&idp.role_claim)?.as_str() {
            "viewer" => Role::Viewer,
            "editor" => Role::Editor,
            "admin" => Role::Admin,
            "owner" => Role::Owner,
            _ => return Err(reject("unknown role")),
        };
        Ok(Verified::External(ExternalIdentity {
            issuer: idp.issuer.clone(),
            subject: text("sub")?,
            tenant_slug: text(&idp.tenant_claim)?,
            role,
        }))
    }
}

fn reject(reason: impl std::fmt::Display) -> ServiceError {
    tracing::debug!(%reason, "access token rejected");
    ServiceError::InvalidToken
}
