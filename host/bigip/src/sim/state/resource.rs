//! What a `/mgmt/tm/ltm/...` URL addresses: the kinds of configuration object with a top-level
//! collection ([`Kind`]) and the collections, objects, members and statistics below them
//! ([`Resource`]).

use crate::path::FullPath;

/// The kinds of configuration object with a top-level collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Pool,
    Node,
    Virtual,
    HttpMonitor,
}

impl Kind {
    pub(super) fn collection_path(self) -> &'static str {
        match self {
            Kind::Pool => "/mgmt/tm/ltm/pool",
            Kind::Node => "/mgmt/tm/ltm/node",
            Kind::Virtual => "/mgmt/tm/ltm/virtual",
            Kind::HttpMonitor => "/mgmt/tm/ltm/monitor/http",
        }
    }

    pub(super) fn kind_prefix(self) -> &'static str {
        match self {
            Kind::Pool => "tm:ltm:pool:pool",
            Kind::Node => "tm:ltm:node:node",
            Kind::Virtual => "tm:ltm:virtual:virtual",
            Kind::HttpMonitor => "tm:ltm:monitor:http:http",
        }
    }

    pub(super) fn display(self) -> &'static str {
        match self {
            Kind::Pool => "Pool",
            Kind::Node => "Node",
            Kind::Virtual => "Virtual Server",
            Kind::HttpMonitor => "Monitor",
        }
    }
}

/// What a `/mgmt/tm/ltm/...` URL addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    Collection(Kind),
    CollectionStats(Kind),
    Object(Kind, FullPath),
    ObjectStats(Kind, FullPath),
    Members(FullPath),
    MembersStats(FullPath),
    Member(FullPath, FullPath),
    MemberStats(FullPath, FullPath),
    VirtualProfiles(FullPath),
}

impl Resource {
    /// Parses the decoded segments after `/mgmt/tm/ltm/`.
    pub fn parse(segments: &[String]) -> Option<Resource> {
        let (kind, rest) = match segments {
            [first, second, rest @ ..] if first == "monitor" && second == "http" => {
                (Kind::HttpMonitor, rest)
            }
            [first, rest @ ..] => (
                match first.as_str() {
                    "pool" => Kind::Pool,
                    "node" => Kind::Node,
                    "virtual" => Kind::Virtual,
                    _ => return None,
                },
                rest,
            ),
            [] => return None,
        };
        let seg: Vec<&str> = rest.iter().map(String::as_str).collect();
        Some(match (kind, seg.as_slice()) {
            (_, []) => Resource::Collection(kind),
            (_, ["stats"]) => Resource::CollectionStats(kind),
            (_, [name]) => Resource::Object(kind, FullPath::parse(name)),
            (_, [name, "stats"]) => Resource::ObjectStats(kind, FullPath::parse(name)),
            (Kind::Pool, [pool, "members"]) => Resource::Members(FullPath::parse(pool)),
            (Kind::Pool, [pool, "members", "stats"]) => {
                Resource::MembersStats(FullPath::parse(pool))
            }
            (Kind::Pool, [pool, "members", member]) => {
                Resource::Member(FullPath::parse(pool), FullPath::parse(member))
            }
            (Kind::Pool, [pool, "members", member, "stats"]) => {
                Resource::MemberStats(FullPath::parse(pool), FullPath::parse(member))
            }
            (Kind::Virtual, [name, "profiles"]) => Resource::VirtualProfiles(FullPath::parse(name)),
            _ => return None,
        })
    }
}
