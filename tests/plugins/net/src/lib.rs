//! Test policy: `decide` tries the network, so the component imports both
//! `wasi:sockets` (through `std::net`) and `wasi:http` (through `wasip2`),
//! as a Python or JavaScript policy does. A host that grants no network
//! should make every try fail.
//!
//! Settings, found by text to keep the component minimal:
//! - `"mode"`: `"tcp"` (the default) connects to `"address"` with
//!   `std::net::TcpStream`; `"dns"` looks up `localhost`; `"http"` sends
//!   `GET http://{address}/` through `wasi:http/outgoing-handler`;
//! - `"address"`: `host:port`, `127.0.0.1:9` by default.
//!
//! `decide` returns an error naming the mode and the failure, or, if the
//! try got through, one `set-member-ratio` for member 0 whose reason says so.

use std::net::{TcpStream, ToSocketAddrs};

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView, actions};
use wasip2::http::outgoing_handler;
use wasip2::http::types::{Fields, OutgoingRequest, Scheme};

/// Tries the network in `decide`, as its settings say.
pub struct Net {
    mode: String,
    address: String,
}

/// The string value of `"key": "value"` in `settings`.
fn setting(settings: &str, key: &str) -> Option<String> {
    let compact: String = settings.chars().filter(|c| !c.is_whitespace()).collect();
    let start = compact.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let end = compact[start..].find('"')? + start;
    Some(compact[start..end].to_owned())
}

impl Net {
    fn try_network(&self) -> Result<String, String> {
        match self.mode.as_str() {
            "tcp" => TcpStream::connect(&self.address)
                .map(|_| format!("connected to {}", self.address))
                .map_err(|error| error.to_string()),
            "dns" => ("localhost", 9)
                .to_socket_addrs()
                .map(|found| format!("looked up localhost: {:?}", found.collect::<Vec<_>>()))
                .map_err(|error| error.to_string()),
            "http" => self.http_get(),
            other => Err(format!("unknown mode {other:?}")),
        }
    }

    fn http_get(&self) -> Result<String, String> {
        let request = OutgoingRequest::new(Fields::new());
        request
            .set_scheme(Some(&Scheme::Http))
            .and_then(|()| request.set_authority(Some(&self.address)))
            .and_then(|()| request.set_path_with_query(Some("/")))
            .map_err(|()| "the request was refused while being built".to_owned())?;
        let response =
            outgoing_handler::handle(request, None).map_err(|code| format!("{code:?}"))?;
        response.subscribe().block();
        match response.get() {
            Some(Ok(Ok(answer))) => Ok(format!("HTTP status {}", answer.status())),
            Some(Ok(Err(code))) => Err(format!("{code:?}")),
            Some(Err(())) | None => Err("no response".to_owned()),
        }
    }
}

impl Policy for Net {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-net".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "decide tries the network".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        Ok(Net {
            mode: setting(settings, "mode").unwrap_or_else(|| "tcp".into()),
            address: setting(settings, "address").unwrap_or_else(|| "127.0.0.1:9".into()),
        })
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        match self.try_network() {
            Ok(reached) => Ok(vec![actions::set_member_ratio(0, 1, reached)].into()),
            Err(error) => Err(format!("{} failed: {error}", self.mode)),
        }
    }
}

fulcrum_sdk::export_policy!(Net);
