//! The collections a default BIG-IP registers outside LTM — `net` tunnels, VLANs, self IPs and
//! route domains, `sys` version, provisioning and software volumes, and the `cm` device — that
//! F5's own automation reads before it changes a pool member. They are read-only: rendered once
//! when the simulator starts, each collection and each of its objects under its own path, and
//! served with the same query options as LTM reads.

mod cm;
mod net;
mod sys;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::answers::{json_bytes, mcpd_error, not_registered};
use super::query::QueryOptions;
use super::shared::Shared;
use super::state::SimError as ModelError;
use crate::path::FullPath;

/// The build every part of the simulated box reports.
const BUILD: &str = "0.0.1";

/// The rendered bodies of the built-in collections and their objects, by URL path.
pub(crate) struct Catalog {
    bodies: HashMap<String, Vec<u8>>,
}

impl Catalog {
    /// The built-in collections of a box running `version`; `in_service` adds the VLAN and
    /// self IP that carry its pools' traffic.
    pub(crate) fn new(version: &str, in_service: bool) -> Catalog {
        let mut builder = Builder {
            version,
            bodies: HashMap::new(),
        };
        net::register(&mut builder, in_service);
        sys::register(&mut builder);
        cm::register(&mut builder);
        Catalog {
            bodies: builder.bodies,
        }
    }

    /// The body at `path`; an object may also be named bare (`…/route-domain/0` is
    /// `…/route-domain/~Common~0`).
    fn get(&self, path: &str) -> Option<&[u8]> {
        if let Some(body) = self.bodies.get(path) {
            return Some(body);
        }
        let (parent, name) = path.rsplit_once('/')?;
        let canonical = format!("{parent}/{}", FullPath::parse(name).tilde());
        self.bodies.get(&canonical).map(Vec::as_slice)
    }
}

/// Collects bodies while the catalog is built.
struct Builder<'a> {
    version: &'a str,
    bodies: HashMap<String, Vec<u8>>,
}

impl Builder<'_> {
    /// `https://localhost{path}?ver={version}`.
    fn link(&self, path: &str) -> String {
        format!("https://localhost{path}?ver={}", self.version)
    }

    /// `{"link": …}` to `path`.
    fn reference(&self, path: &str) -> Value {
        json!({ "link": self.link(path) })
    }

    /// An object of `kind` in the collection at `collection`: the envelope (`kind`, `name`,
    /// `partition` and a `/partition/name` full path when `partition` is given, `generation`,
    /// `selfLink`) followed by `fields`.
    fn object(
        &self,
        collection: &str,
        kind: &str,
        name: &str,
        partition: Option<&str>,
        fields: Value,
    ) -> Value {
        let mut object = Map::new();
        object.insert("kind".into(), json!(kind));
        object.insert("name".into(), json!(name));
        let segment = match partition {
            Some(partition) => {
                let path = FullPath::new(partition, name);
                object.insert("partition".into(), json!(partition));
                object.insert("fullPath".into(), json!(path.as_str()));
                path.tilde()
            }
            None => {
                object.insert("fullPath".into(), json!(name));
                name.to_owned()
            }
        };
        object.insert("generation".into(), json!(1));
        object.insert(
            "selfLink".into(),
            json!(self.link(&format!("{collection}/{segment}"))),
        );
        if let Value::Object(fields) = fields {
            object.extend(fields);
        }
        Value::Object(object)
    }

    /// Registers the collection at `path` (kind `{kind_prefix}collectionstate`) and each of
    /// its `items` at the path of its `selfLink`.
    fn collection(&mut self, path: &str, kind_prefix: &str, items: Vec<Value>) {
        for item in &items {
            let link = item["selfLink"].as_str().unwrap_or_default();
            let item_path = link
                .trim_start_matches("https://localhost")
                .split('?')
                .next()
                .unwrap_or_default();
            self.register(item_path, item);
        }
        let body = json!({
            "kind": format!("{kind_prefix}collectionstate"),
            "selfLink": self.link(path),
            "items": items,
        });
        self.register(path, &body);
    }

    /// Registers an organising collection: `items` are references to the sub-collections at
    /// `children` below `path`.
    fn organising(&mut self, path: &str, kind: &str, children: &[&str]) {
        let items: Vec<Value> = children
            .iter()
            .map(|child| json!({ "reference": self.reference(&format!("{path}/{child}")) }))
            .collect();
        let body = json!({ "kind": kind, "selfLink": self.link(path), "items": items });
        self.register(path, &body);
    }

    fn register(&mut self, path: &str, body: &Value) {
        let bytes = serde_json::to_vec(body).expect("catalog bodies serialize");
        self.bodies.insert(path.to_owned(), bytes);
    }
}

/// Any request to a `net`, `sys` or `cm` path: the built-in body for a `GET` (with query
/// options applied), 405 for a write, and restjavad's 404 for a path the box does not register.
pub(crate) async fn read(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    let Some(body) = shared.catalog.get(uri.path()) else {
        return not_registered(uri).await;
    };
    if method != Method::GET {
        return mcpd_error(&ModelError {
            status: 405,
            message: format!("Method {method} is not supported here."),
            api_error: 1,
        });
    }
    match QueryOptions::parse(uri.query()) {
        Ok(Some(options)) => json_bytes(200, options.apply(body, uri.path(), &shared.version)),
        Ok(None) => json_bytes(200, body.to_vec()),
        Err(error) => mcpd_error(&error),
    }
}
