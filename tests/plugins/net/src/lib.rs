//! Test policy: `decide` connects to 127.0.0.1:9 with `std::net::TcpStream`, so
//! the component imports `wasi:sockets`. A host that grants no network should
//! refuse it at load, or make the connection fail.
//!
//! `decide` returns an error naming the failure, or, if the connection was let
//! through, one `set-member-ratio` for member 0 whose reason says so.

use std::net::TcpStream;

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView, actions};

const ADDRESS: &str = "127.0.0.1:9";

/// Tries the network in `decide`.
pub struct Net;

impl Policy for Net {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-net".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "decide opens a TCP connection".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(Net)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        match TcpStream::connect(ADDRESS) {
            Ok(_) => Ok(vec![actions::set_member_ratio(
                0,
                1,
                format!("connected to {ADDRESS}"),
            )]
            .into()),
            Err(error) => Err(format!("connect to {ADDRESS} failed: {error}")),
        }
    }
}

fulcrum_sdk::export_policy!(Net);
