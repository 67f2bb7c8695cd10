//! Who the client is, as an address: the peer of the connection, or — when that peer is one
//! of `GALA_TRUSTED_PROXIES` (a load balancer in front of Gala) — the address the proxies
//! recorded in `X-Forwarded-For`. Computed once per request here and read by everything that
//! throttles or audits by address (`app::auth::ClientAddr`), so behind a proxy the throttles
//! see each client, not the proxy, and a client cannot choose its own address by sending the
//! header straight to Gala.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` Gala believes: addresses or networks
/// (`10.0.0.7,10.1.0.0/16`); empty (the default) believes no header.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{item:?} is not an IP address or network (a.b.c.d/n)"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl TrustedProxies {
    fn trusts(&self, addr: &IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(addr))
    }

    /// The client's address: `peer`, unless `peer` is a trusted proxy; then the right-most
    /// `X-Forwarded-For` entry that is not a trusted proxy (entries left of it were written
    /// by the client itself and prove nothing).
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(&peer) {
            return peer;
        }
        let mut client = peer;
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect::<Vec<_>>();
        for hop in forwarded.into_iter().rev() {
            let Ok(addr) = hop.trim().parse::<IpAddr>() else {
                // A hop we cannot read: stop at the last one we could.
                break;
            };
            client = addr;
            if !self.trusts(&addr) {
                break;
            }
        }
        client
    }
}

/// Puts the client's [`app::auth::ClientAddr`] into the request's extensions (a plain map
/// of the request, run by `tower`'s `MapRequestLayer`: every request passes here).
pub fn resolve(
    proxies: &TrustedProxies,
    mut request: axum::extract::Request,
) -> axum::extract::Request {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let client = proxies.client_of(peer, request.headers());
        request
            .extensions_mut()
            .insert(app::auth::ClientAddr(client));
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", forwarded.parse().unwrap());
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let proxies: TrustedProxies = "10.0.0.7, 10.1.0.0/16".parse().unwrap();
        // Straight from a client: the header is the client's own word.
        assert_eq!(
            proxies.client_of(ip("203.0.113.9"), &headers("198.51.100.1")),
            ip("203.0.113.9")
        );
        // Through the load balancer: the address it saw.
        assert_eq!(
            proxies.client_of(ip("10.0.0.7"), &headers("198.51.100.1")),
            ip("198.51.100.1")
        );
        // A client that forges a first hop still gets the address the proxy saw.
        assert_eq!(
            proxies.client_of(ip("10.0.0.7"), &headers("1.2.3.4, 198.51.100.1, 10.1.2.3")),
            ip("198.51.100.1")
        );
        assert_eq!(
            proxies.client_of(ip("10.0.0.7"), &HeaderMap::new()),
            ip("10.0.0.7")
        );
        assert!("10.0.0.300".parse::<TrustedProxies>().is_err());
        assert!(TrustedProxies::default()
            .client_of(ip("10.0.0.7"), &headers("1.2.3.4"))
            .eq(&ip("10.0.0.7")));
    }
}
