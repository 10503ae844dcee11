//! `aggregatedList` for every collection the simulator holds
//! (`GET projects/{p}/aggregated/{collection}`): `items` maps each visible
//! scope the collection can live in (`global`, `regions/{r}`, `zones/{z}`) to
//! its objects under the collection's own list field, or to a
//! `NO_RESULTS_ON_PAGE` warning when none are on this page, as Compute does.
//! Objects are paged across scopes by `maxResults` and `pageToken`;
//! `includeAllScopes` and `returnPartialSuccess` are accepted (every scope is
//! always included and nothing is ever unreachable); `filter` and `orderBy`
//! are ignored, as on the plain lists.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::error::SimError;
use super::paging::PageRequest;
use super::state::{SELF_LINK_BASE, SimState};

/// Scope kinds a collection lives in.
#[derive(Clone, Copy)]
struct Scopes {
    global: bool,
    regions: bool,
    zones: bool,
}

const GLOBAL_AND_REGIONS: Scopes = Scopes {
    global: true,
    regions: true,
    zones: false,
};
const REGIONS_AND_ZONES: Scopes = Scopes {
    global: false,
    regions: true,
    zones: true,
};
const ZONES: Scopes = Scopes {
    global: false,
    regions: false,
    zones: true,
};

/// Each aggregated collection, its list `kind` (from compute.v1.json) and the
/// scopes it lives in.
const COLLECTIONS: [(&str, &str, Scopes); 9] = [
    (
        "urlMaps",
        "compute#urlMapsAggregatedList",
        GLOBAL_AND_REGIONS,
    ),
    (
        "instanceTemplates",
        "compute#instanceTemplateAggregatedList",
        GLOBAL_AND_REGIONS,
    ),
    (
        "healthChecks",
        "compute#healthChecksAggregatedList",
        GLOBAL_AND_REGIONS,
    ),
    (
        "backendServices",
        "compute#backendServiceAggregatedList",
        GLOBAL_AND_REGIONS,
    ),
    (
        "targetHttpProxies",
        "compute#targetHttpProxyAggregatedList",
        GLOBAL_AND_REGIONS,
    ),
    (
        "forwardingRules",
        "compute#forwardingRuleAggregatedList",
        GLOBAL_AND_REGIONS,
    ),
    (
        "autoscalers",
        "compute#autoscalerAggregatedList",
        REGIONS_AND_ZONES,
    ),
    (
        "instanceGroupManagers",
        "compute#instanceGroupManagerAggregatedList",
        REGIONS_AND_ZONES,
    ),
    ("instances", "compute#instanceAggregatedList", ZONES),
];

/// Reads a boolean query parameter; absent is false.
fn flag(query: &HashMap<String, String>, name: &str) -> Result<bool, SimError> {
    match query.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(SimError::invalid(format!(
            "Invalid value for field '{name}': '{other}'. Must be true or false."
        ))),
    }
}

/// The region a zone is in: `us-central1-a` → `us-central1`.
fn region_of(zone: &str) -> &str {
    zone.rsplit_once('-').map_or(zone, |(region, _)| region)
}

impl SimState {
    /// The zones and regions `project` sees: the simulator's own zones and
    /// every zone or region something of the project lives in.
    fn visible_locations(&self, project: &str) -> (BTreeSet<String>, BTreeSet<String>) {
        let mut zones: BTreeSet<String> = self.zones.clone();
        let mut regions = BTreeSet::new();
        let prefix = format!("projects/{project}/");
        let keys = self
            .resources
            .keys()
            .chain(self.groups.keys())
            .chain(self.abandoned.keys());
        for key in keys.filter_map(|key| key.strip_prefix(&prefix)) {
            match key.split('/').collect::<Vec<_>>().as_slice() {
                ["zones", zone, ..] => zones.insert((*zone).to_owned()),
                ["regions", region, ..] => regions.insert((*region).to_owned()),
                _ => false,
            };
        }
        regions.extend(zones.iter().map(|zone| region_of(zone).to_owned()));
        (zones, regions)
    }

    /// The objects of `collection` in `scope` (`projects/p/zones/z`, …).
    fn scope_items(&self, scope_path: &str, collection: &str) -> Vec<Value> {
        let list = match collection {
            "instanceGroupManagers" => self.list_groups(scope_path),
            "instances" => self.list_instances(scope_path),
            _ => self.list(&format!("{scope_path}/{collection}")),
        };
        match list.get("items") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// `collection`.aggregatedList for `project`.
    pub fn aggregated_list(
        &self,
        project: &str,
        collection: &str,
        query: &HashMap<String, String>,
    ) -> Result<Value, SimError> {
        let id = format!("projects/{project}/aggregated/{collection}");
        let (_, kind, scopes) = COLLECTIONS
            .iter()
            .find(|(name, ..)| *name == collection)
            .ok_or_else(|| SimError::not_found(&id))?;
        flag(query, "includeAllScopes")?;
        flag(query, "returnPartialSuccess")?;
        let page = PageRequest::from_query(query, &id)?;
        let (zones, regions) = self.visible_locations(project);
        let mut names: Vec<String> = Vec::new();
        if scopes.global {
            names.push("global".to_owned());
        }
        if scopes.regions {
            names.extend(regions.iter().map(|region| format!("regions/{region}")));
        }
        if scopes.zones {
            names.extend(zones.iter().map(|zone| format!("zones/{zone}")));
        }
        let flat: Vec<(usize, Value)> = names
            .iter()
            .enumerate()
            .flat_map(|(index, scope)| {
                self.scope_items(&format!("projects/{project}/{scope}"), collection)
                    .into_iter()
                    .map(move |item| (index, item))
            })
            .collect();
        let (on_page, next) = page.slice(flat);
        let mut items = Map::new();
        for (index, scope) in names.iter().enumerate() {
            let objects: Vec<&Value> = on_page
                .iter()
                .filter(|(owner, _)| *owner == index)
                .map(|(_, item)| item)
                .collect();
            let scoped = if objects.is_empty() {
                json!({"warning": {
                    "code": "NO_RESULTS_ON_PAGE",
                    "message": format!("There are no results for scope '{scope}' on this page."),
                    "data": [{"key": "scope", "value": scope}],
                }})
            } else {
                json!({ collection: objects })
            };
            items.insert(scope.clone(), scoped);
        }
        let mut answer = json!({
            "kind": kind,
            "id": id,
            "items": items,
            "selfLink": format!("{SELF_LINK_BASE}{id}"),
        });
        if let Some(next) = next {
            answer["nextPageToken"] = json!(next);
        }
        Ok(answer)
    }
}
