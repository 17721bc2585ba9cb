//! Name resolution without a thread per request.
//!
//! ureq resolves the host before every request, pooled connection or not, and with a total
//! timeout set (we always set one) its default resolver spawns a thread to bound the lookup.
//! That thread cost 6x the rest of a keep-alive GET. This resolver answers an IP literal at
//! once and keeps a host name's addresses for a minute (as curl's DNS cache does), so only
//! a real lookup pays for the bounded thread.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kling_core::download::DownloadAllow;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a host name's addresses are reused.
const TTL: Duration = Duration::from_secs(60);
/// Hosts remembered at once (the API and a few file hosts); the oldest is dropped first.
const CAPACITY: usize = 16;

/// The transport's resolver: IP literals as is, host names cached for [`TTL`]. The download
/// pool's resolver also guards: it refuses addresses downloads may not reach, so ureq only
/// ever connects to addresses that passed (redirects included: they resolve here too).
#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    lookup: DefaultResolver,
    cache: Mutex<Cache>,
    guard: Option<DownloadAllow>,
}

impl CachingResolver {
    /// A resolver that refuses what `allow` does not allow.
    pub(crate) fn guarded(allow: DownloadAllow) -> Self {
        Self {
            guard: Some(allow),
            ..Self::default()
        }
    }

    /// `addrs`, or the guard's refusal of one of them.
    fn checked(
        &self,
        host: &str,
        addrs: ResolvedSocketAddrs,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(allow) = &self.guard else {
            return Ok(addrs);
        };
        match allow.refusal(host, addrs.iter().map(SocketAddr::ip)) {
            Some(refusal) => Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                refusal,
            ))),
            None => Ok(addrs),
        }
    }
}

/// Resolved hosts, newest last.
#[derive(Debug, Default)]
struct Cache {
    entries: Vec<Entry>,
}

/// One host's addresses and when they were looked up.
#[derive(Debug)]
struct Entry {
    host: String,
    port: u16,
    at: Instant,
    addrs: ResolvedSocketAddrs,
}

impl Cache {
    fn get(&self, host: &str, port: u16, now: Instant) -> Option<ResolvedSocketAddrs> {
        self.entries
            .iter()
            .find(|e| e.host == host && e.port == port && now.saturating_duration_since(e.at) < TTL)
            .map(|e| e.addrs.clone())
    }

    fn put(&mut self, host: &str, port: u16, now: Instant, addrs: ResolvedSocketAddrs) {
        self.entries.retain(|e| {
            !(e.host == host && e.port == port) && now.saturating_duration_since(e.at) < TTL
        });
        if self.entries.len() >= CAPACITY {
            self.entries.remove(0);
        }
        self.entries.push(Entry {
            host: host.to_owned(),
            port,
            at: now,
            addrs,
        });
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            // Let ureq name what is wrong with the URL.
            return self.lookup.resolve(uri, config, timeout);
        };
        let port = match (authority.port_u16(), scheme.as_str()) {
            (Some(port), _) => port,
            (None, "http") => 80,
            (None, "https") => 443,
            _ => return self.lookup.resolve(uri, config, timeout),
        };
        let host = authority.host();
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            let mut addrs = self.empty();
            for wanted in config
                .ip_family()
                .keep_wanted(std::iter::once(SocketAddr::new(ip, port)))
            {
                addrs.push(wanted);
            }
            return if addrs.is_empty() {
                Err(ureq::Error::HostNotFound)
            } else {
                self.checked(bare, addrs)
            };
        }
        let now = Instant::now();
        if let Some(addrs) = self.cache.lock().ok().and_then(|c| c.get(host, port, now)) {
            return self.checked(bare, addrs);
        }
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.put(host, port, Instant::now(), addrs.clone());
        }
        self.checked(bare, addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(port: u16) -> ResolvedSocketAddrs {
        let mut a = CachingResolver::default().empty();
        a.push(SocketAddr::from(([10, 0, 0, 1], port)));
        a
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let t0 = Instant::now();
        let mut cache = Cache::default();
        cache.put("h", 443, t0, addrs(443));
        assert!(cache.get("h", 443, t0 + TTL / 2).is_some());
        assert!(cache.get("h", 443, t0 + TTL).is_none());
        assert!(cache.get("h", 80, t0).is_none());
        assert!(cache.get("other", 443, t0).is_none());
    }

    #[test]
    fn the_cache_is_bounded_and_keeps_the_newest() {
        let t0 = Instant::now();
        let mut cache = Cache::default();
        for i in 0..(CAPACITY as u16 + 5) {
            cache.put(&format!("h{i}"), 443, t0, addrs(i));
        }
        assert_eq!(cache.entries.len(), CAPACITY);
        assert!(cache.get("h0", 443, t0).is_none());
        let newest = format!("h{}", CAPACITY + 4);
        assert!(cache.get(&newest, 443, t0).is_some());
        // A re-resolved host replaces its entry instead of adding one.
        cache.put(&newest, 443, t0, addrs(1));
        assert_eq!(cache.entries.len(), CAPACITY);
    }

    #[test]
    fn ip_literals_resolve_without_a_lookup() {
        let resolver = CachingResolver::default();
        let config = Config::default();
        for (url, want) in [
            ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
            ("https://[::1]/x", "[::1]:443"),
            ("http://10.1.2.3/x", "10.1.2.3:80"),
        ] {
            let uri: Uri = url.parse().unwrap();
            let got = resolver
                .resolve(&uri, &config, NextTimeout::default())
                .unwrap();
            assert_eq!(got.len(), 1, "{url}");
            assert_eq!(got[0].to_string(), want);
        }
        assert!(resolver.cache.lock().unwrap().entries.is_empty());
    }

    #[test]
    fn host_names_are_looked_up_once_then_served_from_the_cache() {
        let resolver = CachingResolver::default();
        let config = Config::default();
        let uri: Uri = "http://localhost:9/x".parse().unwrap();
        let first = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap();
        assert_eq!(resolver.cache.lock().unwrap().entries.len(), 1);
        let second = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap();
        assert_eq!(first[..], second[..]);
        assert_eq!(resolver.cache.lock().unwrap().entries.len(), 1);
    }
}
