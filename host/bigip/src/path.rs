//! Object names as BIG-IP writes them (`/Partition/name`) and as they travel in URLs
//! (`~Partition~name`, with `%` of route domains escaped as `%25`).

use std::fmt;

/// The partition a bare name (no leading `/`) refers to.
pub const DEFAULT_PARTITION: &str = "Common";

/// The full path of an LTM object, e.g. `/Common/mlPool` or `/Common/10.0.0.2%2:80`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FullPath(String);

impl FullPath {
    /// Reads `/P/name`, `~P~name` or a bare `name` (which means `/Common/name`).
    pub fn parse(text: &str) -> FullPath {
        let slashed = text.replace('~', "/");
        if slashed.starts_with('/') {
            FullPath(slashed)
        } else {
            FullPath(format!("/{DEFAULT_PARTITION}/{slashed}"))
        }
    }

    /// An object `name` in `partition`.
    pub fn new(partition: &str, name: &str) -> FullPath {
        FullPath(format!("/{partition}/{name}"))
    }

    /// The full path as written in object bodies: `/Common/mlPool`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first folder of the path: `Common` for `/Common/mlPool`.
    pub fn partition(&self) -> &str {
        self.0[1..].split('/').next().unwrap_or(DEFAULT_PARTITION)
    }

    /// The last segment of the path: `mlPool` for `/Common/mlPool`.
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// The URL path segment: `~Common~10.0.0.2%252:80` for `/Common/10.0.0.2%2:80`.
    pub fn tilde(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + 4);
        for ch in self.0.chars() {
            match ch {
                '/' => out.push('~'),
                '%' => out.push_str("%25"),
                ' ' => out.push_str("%20"),
                '?' => out.push_str("%3F"),
                '#' => out.push_str("%23"),
                other => out.push(other),
            }
        }
        out
    }
}

impl fmt::Display for FullPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits a member name into its node and port: `web1:8080` → (`web1`, 8080), and the IPv6
/// form `2001:db8::1.80` → (`2001:db8::1`, 80). `None` when there is no numeric port.
pub fn split_member_name(name: &str) -> Option<(&str, u16)> {
    let is_ipv6 = name.matches(':').count() > 1;
    let (node, port) = if is_ipv6 {
        name.rsplit_once('.')?
    } else {
        name.rsplit_once(':')?
    };
    Some((node, port.parse().ok()?))
}

/// Decodes `%XX` escapes in one URL path segment; malformed escapes are kept as written.
pub fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_domain_percent_is_escaped_in_urls() {
        let member = FullPath::parse("/Common/10.0.0.2%2:80");
        assert_eq!(member.tilde(), "~Common~10.0.0.2%252:80");
        assert_eq!(
            FullPath::parse(&percent_decode("~Common~10.0.0.2%252:80")),
            member
        );
    }

    #[test]
    fn bare_and_tilde_names_mean_the_same_object() {
        assert_eq!(
            FullPath::parse("ml-node-1:80"),
            FullPath::parse("~Common~ml-node-1:80")
        );
        assert_eq!(
            FullPath::parse("ml-node-1:80").tilde(),
            "~Common~ml-node-1:80"
        );
        assert_eq!(FullPath::parse("/Tenant/app/pool").partition(), "Tenant");
        assert_eq!(FullPath::parse("/Tenant/app/pool").name(), "pool");
    }

    #[test]
    fn member_names_split_at_the_port() {
        assert_eq!(split_member_name("ml-node-1:80"), Some(("ml-node-1", 80)));
        assert_eq!(
            split_member_name("2001:db8::1.443"),
            Some(("2001:db8::1", 443))
        );
        assert_eq!(split_member_name("10.0.0.2%2:80"), Some(("10.0.0.2%2", 80)));
        assert_eq!(split_member_name("no-port"), None);
    }
}
