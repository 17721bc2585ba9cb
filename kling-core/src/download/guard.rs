//! Which addresses a download may connect to. A result URL comes from the server (or a
//! gateway, or a webhook sender): a hostile one could point a worker inside a cloud network at
//! its metadata service or its internal hosts. So a download connects only to public
//! addresses unless the configuration names the hosts (or allows private addresses) it trusts.
//!
//! The rules are about addresses, not spellings: a host given as an IP literal is read in
//! every form a resolver accepts (`2130706433`, `0x7f.1`, `0177.0.0.1`, `::ffff:127.0.0.1`),
//! and a host name is checked on the addresses it resolves to, at connect time (the transports
//! connect only to addresses that passed, so a name cannot change its answer in between).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};

use crate::http::host_of;

/// Why an address is refused: the rule's name, as errors show it.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, d] = ip.octets();
    Some(match (a, b) {
        _ if (a, b, c, d) == (169, 254, 169, 254) => "a cloud metadata address",
        _ if (a, b, c, d) == (100, 100, 100, 200) => "a cloud metadata address",
        (0, _) => "an unspecified address (0.0.0.0/8)",
        (127, _) => "a loopback address",
        (10, _) => "a private address (10.0.0.0/8)",
        (172, 16..=31) => "a private address (172.16.0.0/12)",
        (192, 168) => "a private address (192.168.0.0/16)",
        (169, 254) => "a link-local address",
        (100, 64..=127) => "a shared (CGNAT) address (100.64.0.0/10)",
        (192, 0) if c == 0 => "an IETF protocol address (192.0.0.0/24)",
        (198, 18..=19) => "a benchmarking address (198.18.0.0/15)",
        (224..=239, _) => "a multicast address",
        (240..=255, _) => "a reserved or broadcast address",
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let seg = ip.segments();
    if ip.is_unspecified() {
        return Some("an unspecified address (::)");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64
    // (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::): the IPv4 address decides.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let low = Ipv4Addr::new(
        (seg[6] >> 8) as u8,
        seg[6] as u8,
        (seg[7] >> 8) as u8,
        seg[7] as u8,
    );
    if seg[..6] == [0; 6] || seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return forbidden_v4(low);
    }
    if seg[0] == 0x2002 {
        let embedded = Ipv4Addr::new(
            (seg[1] >> 8) as u8,
            seg[1] as u8,
            (seg[2] >> 8) as u8,
            seg[2] as u8,
        );
        return forbidden_v4(embedded);
    }
    Some(match seg[0] {
        0xfd00 if seg[1] == 0x0ec2 => "a cloud metadata address",
        0xfc00..=0xfdff => "a unique-local address (fc00::/7)",
        0xfe80..=0xfebf => "a link-local address",
        0xfec0..=0xfeff => "a site-local address (fec0::/10)",
        0xff00..=0xffff => "a multicast address",
        _ => return None,
    })
}

/// The IP address a URL host spells, in any form a resolver reads as one: dotted IPv4 with
/// decimal, octal (`0177`) or hex (`0x7f`) parts and fewer than four parts (`127.1`,
/// `2130706433`), or a bracketed IPv6 literal. `None`: a host name.
pub fn parse_ip_literal(host: &str) -> Option<IpAddr> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let inner = inner.split('%').next().unwrap_or(inner);
        return inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        return Some(IpAddr::V6(v6));
    }
    parse_inet_aton(host).map(IpAddr::V4)
}

/// `inet_aton`'s reading of an IPv4 address: 1 to 4 parts, each decimal, octal (leading `0`)
/// or hex (`0x`); the last part fills the remaining bytes. A trailing dot is allowed.
fn parse_inet_aton(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut values = Vec::with_capacity(parts.len());
    for part in &parts {
        values.push(parse_part(part)?);
    }
    let (last, head) = values.split_last()?;
    let mut out: u64 = 0;
    for (i, v) in head.iter().enumerate() {
        if *v > 0xff {
            return None;
        }
        out |= v << (8 * (3 - i));
    }
    let room = 8 * (4 - head.len());
    if room < 64 && *last >= 1u64 << room {
        return None;
    }
    out |= last;
    u32::try_from(out).ok().map(Ipv4Addr::from)
}

/// One part of an `inet_aton` address, at most 32 bits.
fn parse_part(part: &str) -> Option<u64> {
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        // `0x` alone is 0 for inet_aton; a bare empty part is no number.
        return (radix == 16).then_some(0);
    }
    if digits.len() > 12 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix)
        .ok()
        .filter(|v| *v <= u64::from(u32::MAX))
}

/// Which hosts and addresses downloads may reach besides public ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadAllow {
    /// Any address, private ones included (tests against loopback servers, on-premise
    /// gateways, a mock).
    pub private_addresses: bool,
    /// Loopback addresses (a mock or a gateway on this machine). Set for you when the API
    /// itself is on loopback ([`Config::download_allow`](crate::Config::download_allow)).
    pub loopback: bool,
    /// Hosts (names or IP literals, compared case-insensitively, without port) whose
    /// addresses are not checked: a file host inside your network that you trust.
    pub hosts: Vec<String>,
}

impl DownloadAllow {
    /// Public addresses only (the default).
    pub fn public_only() -> Self {
        Self::default()
    }

    /// Every address (for a mock, tests, an on-premise gateway).
    pub fn any_address() -> Self {
        Self {
            private_addresses: true,
            ..Self::default()
        }
    }

    /// Also `host` (a name or an IP literal), whatever it resolves to.
    #[must_use]
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.hosts.push(host.into());
        self
    }

    /// Whether `host` (as the URL spells it) is trusted by name.
    pub fn trusts(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.hosts.iter().any(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .eq_ignore_ascii_case(host)
        })
    }

    /// Why connecting to `ip` for host `host` is refused, or `None`.
    pub fn refuses(&self, host: &str, ip: IpAddr) -> Option<&'static str> {
        if self.private_addresses || self.trusts(host) || (self.loopback && is_loopback(ip)) {
            return None;
        }
        forbidden(ip)
    }

    /// Checks a URL before it is fetched: an `http(s)` URL whose host, when it is an IP
    /// literal (in any spelling), is an address this allows. A host name is checked on its
    /// addresses when the transport connects.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] ([`TransportFailure::ForbiddenAddress`], before sending) naming the
    /// host and the rule.
    pub fn check_url(&self, url: &str) -> Result<(), TransportError> {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            let scheme = url.split(':').next().unwrap_or_default();
            return Err(refusal(&format!(
                "only http(s) URLs are downloaded, not {scheme:?}"
            )));
        }
        match self.literal_refusal(url) {
            Some(refusal) => Err(refusal.to_transport_error()),
            None => Ok(()),
        }
    }

    /// The refusal of `url`'s host when it is an IP literal this does not allow (a host name
    /// is checked on its addresses when the transport connects).
    pub fn literal_refusal(&self, url: &str) -> Option<Refusal> {
        let host = host_of(url);
        let host = host.rsplit('@').next().unwrap_or(host);
        let bare = strip_port(host);
        let ip = parse_ip_literal(bare)?;
        self.refusal(bare, [ip])
    }
}

/// `host[:port]` without the port (IPv6 literals keep their brackets).
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..=h.len()]);
    }
    host.split(':').next().unwrap_or(host)
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// A transport's refusal to connect a download to an address: what its resolver returns (as
/// the error's source), so the transport can report it as
/// [`TransportFailure::ForbiddenAddress`] with [`refused`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The host as the URL names it.
    pub host: String,
    /// The address refused.
    pub ip: IpAddr,
    /// The rule (`a private address (10.0.0.0/8)`).
    pub rule: &'static str,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves to {}, {}", self.host, self.ip, self.rule)
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    /// The transport error it becomes.
    pub fn to_transport_error(&self) -> TransportError {
        refused(&self.host, self.ip, self.rule)
    }

    /// The refusal in `error`'s source chain, if any (an HTTP library wraps its resolver's
    /// error).
    pub fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refusal> {
        let mut next = Some(error);
        while let Some(e) = next {
            if let Some(refusal) = e.downcast_ref::<Refusal>() {
                return Some(refusal);
            }
            next = e.source();
        }
        None
    }
}

impl DownloadAllow {
    /// The first of `addrs` this refuses for `host`, as a [`Refusal`].
    pub fn refusal(&self, host: &str, addrs: impl IntoIterator<Item = IpAddr>) -> Option<Refusal> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        addrs.into_iter().find_map(|ip| {
            self.refuses(bare, ip).map(|rule| Refusal {
                host: bare.to_owned(),
                ip,
                rule,
            })
        })
    }
}

/// The error of a refused destination: `host` is (or resolves to) `ip`, which `rule` names.
pub fn refused(host: &str, ip: IpAddr, rule: &str) -> TransportError {
    let shown = if host.trim_matches(['[', ']']) == ip.to_string() {
        format!("{ip}")
    } else {
        format!("{host} ({ip})")
    };
    refusal(&format!(
        "download refused: {shown} is {rule}; result URLs may only point at public hosts \
         unless the config allows it (DownloadConfig::allow; kling --allow-download-host)"
    ))
    .with_host(host)
}

fn refusal(message: &str) -> TransportError {
    TransportError::new(
        TransportFailure::ForbiddenAddress,
        TransportPhase::BeforeSend,
        Operation::Read,
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(host: &str) -> Option<&'static str> {
        forbidden(parse_ip_literal(host).unwrap_or_else(|| panic!("{host} is an IP")))
    }

    #[test]
    fn every_spelling_of_a_forbidden_address_is_refused() {
        for host in [
            "127.0.0.1",
            "127.1",
            "2130706433",
            "0x7f000001",
            "0x7f.1",
            "0177.0.0.1",
            "017700000001",
            "[::1]",
            "::ffff:127.0.0.1",
            "[::ffff:7f00:1]",
            "[::127.0.0.1]",
            "0.0.0.0",
            "0",
            "[::]",
        ] {
            assert!(refused(host).is_some(), "{host}");
        }
        for (host, rule) in [
            ("169.254.169.254", "a cloud metadata address"),
            ("0xa9fea9fe", "a cloud metadata address"),
            ("[fd00:ec2::254]", "a cloud metadata address"),
            ("100.100.100.200", "a cloud metadata address"),
            ("10.0.0.5", "a private address (10.0.0.0/8)"),
            ("012.0.0.5", "a private address (10.0.0.0/8)"),
            ("172.31.255.1", "a private address (172.16.0.0/12)"),
            ("192.168.1.1", "a private address (192.168.0.0/16)"),
            ("169.254.1.1", "a link-local address"),
            ("[fe80::1]", "a link-local address"),
            ("100.64.0.1", "a shared (CGNAT) address (100.64.0.0/10)"),
            ("[fd12:3456::1]", "a unique-local address (fc00::/7)"),
            ("224.0.0.1", "a multicast address"),
            ("[ff02::1]", "a multicast address"),
            ("255.255.255.255", "a reserved or broadcast address"),
            ("[64:ff9b::10.0.0.1]", "a private address (10.0.0.0/8)"),
            ("[2002:a00:1::]", "a private address (10.0.0.0/8)"),
        ] {
            assert_eq!(refused(host), Some(rule), "{host}");
        }
    }

    #[test]
    fn public_addresses_and_names_pass() {
        for host in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "[2606:4700::1111]",
            "1.1",
        ] {
            assert_eq!(refused(host), None, "{host}");
        }
        for name in [
            "cdn.klingai.com",
            "127.0.0.1.nip.io",
            "1.2.3.4.5",
            "256.1.1.1",
        ] {
            assert!(parse_ip_literal(name).is_none(), "{name} is a name");
        }
        assert_eq!(
            parse_ip_literal("0x"),
            Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        );
        assert_eq!(
            parse_ip_literal("1.2.3.4."),
            Some("1.2.3.4".parse().unwrap())
        );
        assert!(parse_ip_literal("4294967296").is_none(), "past 32 bits");
        assert!(
            parse_ip_literal("1.256.1").is_none(),
            "a middle part past a byte"
        );
    }

    #[test]
    fn the_config_can_trust_hosts_or_every_address() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(
            DownloadAllow::public_only()
                .refuses("localhost", loopback)
                .is_some()
        );
        assert_eq!(
            DownloadAllow::any_address().refuses("localhost", loopback),
            None
        );
        let allow = DownloadAllow::public_only().host("Files.Internal");
        assert_eq!(allow.refuses("files.internal", loopback), None);
        assert!(allow.refuses("other.internal", loopback).is_some());
        let allow = DownloadAllow::public_only().host("[::1]");
        assert_eq!(allow.refuses("::1", "::1".parse().unwrap()), None);
    }
}
