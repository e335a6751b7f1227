//! Entries of `ports:` in `services:` and `container:` (and the values of
//! `-p`/`--publish` in `options:`), in `docker run -p` syntax:
//!
//! - `80`, `:80`: container port 80, the host port chosen by the engine;
//! - `8080:80`: host port 8080 to container port 80;
//! - `127.0.0.1:8080:80`, `127.0.0.1::80`, `[::1]:8080:80`: bound to one
//!   host address;
//! - any of them followed by `/tcp` (the default), `/udp` or `/sctp`.
//!
//! Port ranges (`8000-8010:8000-8010`) are not supported.

use std::fmt;
use std::net::IpAddr;

/// A port's transport protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// `tcp`, `udp` or `sctp`, as the engine API spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One published port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMapping {
    /// The host address to bind (without brackets for IPv6); `None` for all.
    pub host_ip: Option<String>,
    /// The host port; `None` lets the engine choose one.
    pub host_port: Option<u16>,
    /// The port inside the container.
    pub container_port: u16,
    /// The protocol, `tcp` unless written otherwise.
    pub protocol: Protocol,
}

impl PortMapping {
    /// The container side as the engine API keys exposed ports and port
    /// bindings: `80/tcp`.
    pub fn container_key(&self) -> String {
        format!("{}/{}", self.container_port, self.protocol)
    }
}

/// Parses one `ports:` entry (or `-p` value); see the module's
/// documentation for the accepted forms. Surrounding whitespace is ignored.
pub fn parse(s: &str) -> Result<PortMapping, String> {
    let entry = s.trim();
    if entry.is_empty() {
        return Err("an empty `ports:` entry is not a port".to_string());
    }
    let at = |e: String| format!("`{entry}`: {e}");
    let (spec, protocol) = match entry.rsplit_once('/') {
        Some((spec, proto)) => (spec, parse_protocol(proto).map_err(at)?),
        None => (entry, Protocol::Tcp),
    };
    let (host, container) = match spec.rsplit_once(':') {
        Some((host, container)) => (Some(host), container),
        None => (None, spec),
    };
    if container.is_empty() {
        return Err(at("the container port is missing".to_string()));
    }
    let (host_ip, host_port) = match host {
        None | Some("") => (None, None),
        Some(host) => split_host(host).map_err(at)?,
    };
    if host_port.is_some_and(|p| p.contains('-')) || container.contains('-') {
        return Err(at(
            "port ranges are not supported; list each port as its own entry".to_string(),
        ));
    }
    let host_ip = match host_ip {
        None | Some("") => None,
        Some(ip) => {
            if ip.parse::<IpAddr>().is_err() {
                return Err(at(format!("`{ip}` is not an IP address")));
            }
            Some(ip.to_string())
        }
    };
    let host_port = match host_port {
        None | Some("") => None,
        Some(p) => Some(port(p).map_err(at)?),
    };
    Ok(PortMapping {
        host_ip,
        host_port,
        container_port: port(container).map_err(at)?,
        protocol,
    })
}

/// Splits what comes before the container port into an address and a host
/// port, either possibly empty: `8080`, `127.0.0.1:8080`, `127.0.0.1:`,
/// `[::1]:8080`, `::1:8080`.
fn split_host(host: &str) -> Result<(Option<&str>, Option<&str>), String> {
    if let Some(inner) = host.strip_prefix('[') {
        let (ip, after) = inner
            .split_once(']')
            .ok_or_else(|| format!("`{host}` has a `[` without its `]`"))?;
        return match after.strip_prefix(':') {
            Some(port) => Ok((Some(ip), Some(port))),
            None if after.is_empty() => Err(address_without_port(host)),
            None => Err(format!("`{after}` should not follow `[{ip}]`")),
        };
    }
    match host.rsplit_once(':') {
        Some((ip, port)) => Ok((Some(ip), Some(port))),
        None if host.parse::<IpAddr>().is_ok() => Err(address_without_port(host)),
        None => Ok((None, Some(host))),
    }
}

fn address_without_port(ip: &str) -> String {
    format!(
        "the address `{ip}` needs a host port, or an empty one, before the container port \
         (e.g. `{ip}:8080:80` or `{ip}::80`)"
    )
}

fn parse_protocol(proto: &str) -> Result<Protocol, String> {
    match proto.to_ascii_lowercase().as_str() {
        "tcp" => Ok(Protocol::Tcp),
        "udp" => Ok(Protocol::Udp),
        "sctp" => Ok(Protocol::Sctp),
        _ => Err(format!("`{proto}` is not a protocol (tcp, udp or sctp)")),
    }
}

fn port(text: &str) -> Result<u16, String> {
    let bad = || format!("`{text}` is not a port number (1 to 65535)");
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(bad()),
        Ok(p) => Ok(p),
    }
}

/// A `ports:` entry written as a YAML integer (`- 80`): the container port,
/// the host port chosen by the engine.
pub fn parse_number(n: i64) -> Result<PortMapping, String> {
    match u16::try_from(n) {
        Ok(p) if p != 0 => Ok(PortMapping {
            host_ip: None,
            host_port: None,
            container_port: p,
            protocol: Protocol::Tcp,
        }),
        _ => Err(format!("`{n}` is not a port number (1 to 65535)")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn mapping(ip: Option<&str>, host: Option<u16>, container: u16, p: Protocol) -> PortMapping {
        PortMapping {
            host_ip: ip.map(str::to_string),
            host_port: host,
            container_port: container,
            protocol: p,
        }
    }

    fn err(s: &str) -> String {
        parse(s).unwrap_err()
    }

    #[test]
    fn container_port_only() {
        assert_eq!(parse("80").unwrap(), mapping(None, None, 80, Protocol::Tcp));
        assert_eq!(
            parse(":80").unwrap(),
            mapping(None, None, 80, Protocol::Tcp)
        );
        assert_eq!(
            parse(" 80 ").unwrap(),
            mapping(None, None, 80, Protocol::Tcp)
        );
        assert_eq!(
            parse("65535").unwrap(),
            mapping(None, None, 65535, Protocol::Tcp)
        );
        assert_eq!(parse("1").unwrap(), mapping(None, None, 1, Protocol::Tcp));
    }

    #[test]
    fn host_and_container_ports() {
        assert_eq!(
            parse("8080:80").unwrap(),
            mapping(None, Some(8080), 80, Protocol::Tcp)
        );
        assert_eq!(
            parse(":8080:80").unwrap(),
            mapping(None, Some(8080), 80, Protocol::Tcp)
        );
    }

    #[test]
    fn host_addresses() {
        assert_eq!(
            parse("127.0.0.1:8080:80").unwrap(),
            mapping(Some("127.0.0.1"), Some(8080), 80, Protocol::Tcp)
        );
        assert_eq!(
            parse("127.0.0.1::80").unwrap(),
            mapping(Some("127.0.0.1"), None, 80, Protocol::Tcp)
        );
        assert_eq!(
            parse("[::1]:8080:80").unwrap(),
            mapping(Some("::1"), Some(8080), 80, Protocol::Tcp)
        );
        assert_eq!(
            parse("[::1]::80").unwrap(),
            mapping(Some("::1"), None, 80, Protocol::Tcp)
        );
        assert_eq!(
            parse("::1:8080:80").unwrap(),
            mapping(Some("::1"), Some(8080), 80, Protocol::Tcp)
        );
        assert_eq!(
            parse("[fe80::1]:53:53/udp").unwrap(),
            mapping(Some("fe80::1"), Some(53), 53, Protocol::Udp)
        );
    }

    #[test]
    fn protocols() {
        assert_eq!(
            parse("80/tcp").unwrap(),
            mapping(None, None, 80, Protocol::Tcp)
        );
        assert_eq!(
            parse("5353:53/udp").unwrap(),
            mapping(None, Some(5353), 53, Protocol::Udp)
        );
        assert_eq!(
            parse("127.0.0.1::9/sctp").unwrap(),
            mapping(Some("127.0.0.1"), None, 9, Protocol::Sctp)
        );
        assert_eq!(parse("80/UDP").unwrap().protocol, Protocol::Udp);
    }

    #[test]
    fn container_keys() {
        assert_eq!(parse("8080:80").unwrap().container_key(), "80/tcp");
        assert_eq!(parse("53/udp").unwrap().container_key(), "53/udp");
        assert_eq!(parse("9/sctp").unwrap().container_key(), "9/sctp");
        assert_eq!(Protocol::Tcp.as_str(), "tcp");
        assert_eq!(Protocol::Udp.as_str(), "udp");
        assert_eq!(Protocol::Sctp.to_string(), "sctp");
    }

    #[test]
    fn bad_port_numbers() {
        let not_a =
            |entry: &str, p: &str| format!("`{entry}`: `{p}` is not a port number (1 to 65535)");
        assert_eq!(err("0"), not_a("0", "0"));
        assert_eq!(err("65536"), not_a("65536", "65536"));
        assert_eq!(err("999999"), not_a("999999", "999999"));
        assert_eq!(err("http"), not_a("http", "http"));
        assert_eq!(err("+80"), not_a("+80", "+80"));
        assert_eq!(err("8080:0"), not_a("8080:0", "0"));
        assert_eq!(err("0:80"), not_a("0:80", "0"));
        assert_eq!(err("70000:80"), not_a("70000:80", "70000"));
        assert_eq!(err("80:x"), not_a("80:x", "x"));
        assert_eq!(err("8O80:80"), not_a("8O80:80", "8O80"));
        assert_eq!(err("1.2:80"), not_a("1.2:80", "1.2"));
    }

    #[test]
    fn empty_parts() {
        assert_eq!(err(""), "an empty `ports:` entry is not a port");
        assert_eq!(err("  "), "an empty `ports:` entry is not a port");
        assert_eq!(err("8080:"), "`8080:`: the container port is missing");
        assert_eq!(err(":"), "`:`: the container port is missing");
        assert_eq!(err("/tcp"), "`/tcp`: the container port is missing");
    }

    #[test]
    fn ranges_rejected() {
        let msg = "port ranges are not supported; list each port as its own entry";
        assert_eq!(
            err("8000-8010:8000-8010"),
            format!("`8000-8010:8000-8010`: {msg}")
        );
        assert_eq!(err("8000-8010"), format!("`8000-8010`: {msg}"));
        assert_eq!(err("8080:8000-8010"), format!("`8080:8000-8010`: {msg}"));
        assert_eq!(
            err("127.0.0.1:8000-8001:80/udp"),
            format!("`127.0.0.1:8000-8001:80/udp`: {msg}")
        );
    }

    #[test]
    fn bad_protocols() {
        assert_eq!(
            err("80/http"),
            "`80/http`: `http` is not a protocol (tcp, udp or sctp)"
        );
        assert_eq!(err("80/"), "`80/`: `` is not a protocol (tcp, udp or sctp)");
        assert_eq!(
            err("80/tcp/udp"),
            "`80/tcp/udp`: `80/tcp` is not a port number (1 to 65535)"
        );
    }

    #[test]
    fn bad_addresses() {
        assert_eq!(
            err("localhost:8080:80"),
            "`localhost:8080:80`: `localhost` is not an IP address"
        );
        assert_eq!(
            err("1.2.3:8080:80"),
            "`1.2.3:8080:80`: `1.2.3` is not an IP address"
        );
        assert_eq!(
            err("[::1:8080:80"),
            "`[::1:8080:80`: `[::1:8080` has a `[` without its `]`"
        );
        assert_eq!(
            err("[::1]x:80"),
            "`[::1]x:80`: `x` should not follow `[::1]`"
        );
        assert_eq!(
            err("[zz]:8080:80"),
            "`[zz]:8080:80`: `zz` is not an IP address"
        );
        assert_eq!(
            err("127.0.0.1:80"),
            "`127.0.0.1:80`: the address `127.0.0.1` needs a host port, or an empty one, \
             before the container port (e.g. `127.0.0.1:8080:80` or `127.0.0.1::80`)"
        );
        assert_eq!(
            err("[::1]:80"),
            "`[::1]:80`: the address `[::1]` needs a host port, or an empty one, \
             before the container port (e.g. `[::1]:8080:80` or `[::1]::80`)"
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            parse_number(80).unwrap(),
            mapping(None, None, 80, Protocol::Tcp)
        );
        assert_eq!(parse_number(65535).unwrap().container_port, 65535);
        for n in [0, -1, 65536, i64::MAX, i64::MIN] {
            assert_eq!(
                parse_number(n).unwrap_err(),
                format!("`{n}` is not a port number (1 to 65535)")
            );
        }
    }
}
