//! SSRF precautions of outbound webhook requests.
//!
//! - Only `http` and `https` URLs, without credentials in them.
//! - Unless private networks are allowed (`MSP_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`, for tests
//!   and local development), a URL whose host is, or resolves to, a loopback, private,
//!   link-local, shared (CGNAT), unspecified, broadcast, multicast or reserved address is
//!   refused: at registration (the host is resolved then) and again at every delivery, where
//!   the HTTP client resolves names through [`GuardedResolver`], so the address checked is the
//!   address connected to (no DNS-rebinding window).
//! - No redirects are followed, no proxy is used, and connect and total timeouts apply.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

/// Whether an address is one webhooks may not reach unless private networks are allowed.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10, shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24, IETF protocol assignments.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // 198.18.0.0/15, benchmarking.
        || (a == 198 && (b == 18 || b == 19))
        // 240.0.0.0/4, reserved.
        || a >= 240
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7, unique local addresses.
        || (first & 0xfe00) == 0xfc00
        // fe80::/10, link-local; fec0::/10, deprecated site-local.
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // 64:ff9b::/96 (NAT64) and IPv4-compatible addresses could reach IPv4 ranges.
        || (first == 0x64 && ip.segments()[1] == 0xff9b)
        || ip.to_ipv4().is_some_and(|v4| !v4.is_unspecified() && forbidden_v4(v4))
}

/// Why a URL may not receive webhooks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Checks the form of a webhook URL (scheme, host, no credentials); returns it normalised.
pub fn check_form(raw: &str) -> Result<url::Url, Refusal> {
    let raw = raw.trim();
    if raw.len() > 2048 {
        return Err(Refusal::new("length", "must be at most 2048 characters"));
    }
    let url = url::Url::parse(raw)
        .map_err(|_| Refusal::new("invalid_url", "must be an absolute http or https URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::new(
            "invalid_scheme",
            format!("the scheme must be http or https, not {}", url.scheme()),
        ));
    }
    if url.host().is_none() {
        return Err(Refusal::new("invalid_url", "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::new(
            "invalid_url",
            "must not carry credentials: verify the signature instead",
        ));
    }
    Ok(url)
}

/// Checks where a URL leads: its host's addresses (resolved, when it is a name) must all be
/// public, unless private networks are allowed.
pub async fn check_destination(
    url: &url::Url,
    allow_private: bool,
    timeout: Duration,
) -> Result<(), Refusal> {
    if allow_private {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(url::Host::Domain(name)) => {
            let lookup = tokio::net::lookup_host((name, port));
            match tokio::time::timeout(timeout, lookup).await {
                Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                _ => {
                    return Err(Refusal::new(
                        "unresolvable_host",
                        format!("the host {name} does not resolve"),
                    ));
                }
            }
        }
        None => return Err(Refusal::new("invalid_url", "must name a host")),
    };
    if addresses.is_empty() {
        return Err(Refusal::new("unresolvable_host", "the host has no address"));
    }
    if let Some(bad) = addresses.into_iter().find(|ip| is_forbidden(*ip)) {
        return Err(Refusal::new(
            "private_address",
            format!(
                "the host is or resolves to {bad}, a private, loopback, link-local or otherwise \
                 internal address; webhooks only go to public addresses"
            ),
        ));
    }
    Ok(())
}

/// The DNS resolver of the delivery client: resolves with the system resolver and refuses a
/// name with any internal address (unless private networks are allowed).
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && let Some(bad) = found.iter().find(|a| is_forbidden(a.ip())) {
                let err: Box<dyn std::error::Error + Send + Sync> = format!(
                    "{host} resolves to {}, an internal address (SSRF protection)",
                    bad.ip()
                )
                .into();
                return Err(err);
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client of the worker: no redirects, no proxy, timeouts, guarded DNS.
pub fn client(
    allow_private: bool,
    connect_timeout: Duration,
    timeout: Duration,
) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .user_agent(concat!("msp-registry-webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            let parsed: IpAddr = ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert!(is_forbidden(parsed), "{ip} should be forbidden");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            let parsed: IpAddr = ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert!(!is_forbidden(parsed), "{ip} should be allowed");
        }
    }

    #[test]
    fn only_http_urls_without_credentials() {
        assert!(check_form("https://hooks.example.org/in").is_ok());
        assert_eq!(
            check_form("ftp://example.org/").map_err(|r| r.code),
            Err("invalid_scheme")
        );
        assert_eq!(
            check_form("file:///etc/passwd").map_err(|r| r.code),
            Err("invalid_scheme")
        );
        assert!(check_form("https://user:pw@example.org/").is_err());
        assert!(check_form("not a url").is_err());
    }

    #[tokio::test]
    async fn literal_private_hosts_are_refused_unless_allowed() {
        let url = check_form("http://127.0.0.1:8080/hook").map_err(|r| r.code);
        let Ok(url) = url else {
            panic!("form");
        };
        let t = Duration::from_secs(1);
        assert_eq!(
            check_destination(&url, false, t).await.map_err(|r| r.code),
            Err("private_address")
        );
        assert!(check_destination(&url, true, t).await.is_ok());
    }
}
