//! The client address of a request: the peer of the connection, unless that peer is one of
//! `MSP_TRUSTED_PROXIES`, whose `Forwarded` (RFC 7239) or `X-Forwarded-For` header is then
//! believed, read from the right: the nearest hop that is not itself a trusted proxy is the
//! client. Nothing a client sends directly can choose its own address.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::{HttpRequest, http::header::HeaderMap, web};
use ipnet::IpNet;

/// The networks whose forwarding headers are believed (app data).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// Parses `MSP_TRUSTED_PROXIES`: IPs and CIDRs, comma-separated; the entries not understood.
pub fn parse_trusted(text: &str) -> Result<Vec<IpNet>, Vec<String>> {
    let (good, bad): (Vec<_>, Vec<_>) = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| s.to_owned())
        })
        .partition(Result::is_ok);
    if bad.is_empty() {
        Ok(good.into_iter().flatten().collect())
    } else {
        Err(bad.into_iter().filter_map(Result::err).collect())
    }
}

/// The client address of `req` (see the module).
pub fn client_address(req: &HttpRequest) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip().to_canonical());
    match req.app_data::<web::Data<TrustedProxies>>() {
        Some(trusted) if trusted.trusts(peer) => forwarded_client(req.headers(), peer, trusted),
        _ => peer,
    }
}

/// Walks the hops the trusted `peer` reports, nearest first, to the first one not trusted.
/// A hop that is not an address (`unknown`, an obfuscated name) ends the walk at the last
/// address known.
fn forwarded_client(headers: &HeaderMap, peer: IpAddr, trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer;
    for hop in hops(headers).into_iter().rev() {
        let Some(address) = hop else {
            return client;
        };
        client = address;
        if !trusted.trusts(address) {
            return address;
        }
    }
    client
}

/// The addresses a proxy reported, farthest first: `Forwarded: for=` when present, else
/// `X-Forwarded-For`; `None` for an element that is not an address.
fn hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, node)| parse_node(node.trim().trim_matches('"')))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|s| parse_node(s))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.parse::<IpAddr>()
        .ok()
        .or_else(|| {
            node.rsplit_once(':')?
                .0
                .parse::<Ipv4Addr>()
                .ok()
                .map(IpAddr::V4)
        })
        .map(|a| a.to_canonical())
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn client(pairs: &[(&'static str, &'static str)]) -> String {
        let trusted = TrustedProxies(parse_trusted("127.0.0.1, 10.0.0.0/8").unwrap_or_default());
        let peer = IpAddr::from([127, 0, 0, 1]);
        forwarded_client(&headers(pairs), peer, &trusted).to_string()
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        assert_eq!(
            client(&[("x-forwarded-for", "198.51.100.7, 203.0.113.5, 10.1.2.3")]),
            "203.0.113.5",
            "a client cannot choose its address by sending X-Forwarded-For itself"
        );
        assert_eq!(
            client(&[("forwarded", "for=\"[2001:db8::1]:4711\", for=10.0.0.2")]),
            "2001:db8::1"
        );
        assert_eq!(
            client(&[("forwarded", "for=192.0.2.60:80;proto=https")]),
            "192.0.2.60"
        );
        assert_eq!(client(&[("x-forwarded-for", "unknown")]), "127.0.0.1");
        assert_eq!(client(&[]), "127.0.0.1");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        assert_eq!(parse_trusted("").map(|v| v.len()), Ok(0));
        assert_eq!(parse_trusted("10.0.0.0/8, ::1").map(|v| v.len()), Ok(2));
        assert_eq!(
            parse_trusted("10.0.0.0/8, proxy"),
            Err(vec!["proxy".to_owned()])
        );
    }
}
