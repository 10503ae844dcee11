//! iControl REST query options on LTM reads, applied to the rendered answer:
//! `$filter` (`FIELD eq VALUE`) keeps matching items, `$top` and `$skip` page a
//! collection (with `nextLink` while items remain, and the page envelope), and
//! `$select` keeps only the named fields of each item, or of a single object.
//! Other parameters (`ver`, `expandSubcollections`, …) are left to the routes.

use serde_json::{Map, Value};

use super::state::SimError;
use crate::path::percent_decode;

/// The query options a read asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct QueryOptions {
    select: Option<Vec<String>>,
    filter: Option<(String, String)>,
    top: Option<usize>,
    skip: usize,
}

impl QueryOptions {
    /// The options in `query` (the URI's query string); `None` when it names
    /// none, so a plain read is served as rendered.
    pub(crate) fn parse(query: Option<&str>) -> Result<Option<QueryOptions>, SimError> {
        let mut options = QueryOptions::default();
        let mut any = false;
        for pair in query.unwrap_or_default().split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(&value.replace('+', " "));
            match percent_decode(key).as_str() {
                "$select" => {
                    let fields = value
                        .split(',')
                        .map(str::trim)
                        .filter(|field| !field.is_empty())
                        .map(str::to_owned)
                        .collect();
                    options.select = Some(fields);
                }
                "$filter" => options.filter = Some(parse_filter(&value)?),
                "$top" => options.top = Some(parse_count("$top", &value)?),
                "$skip" => options.skip = parse_count("$skip", &value)?,
                _ => continue,
            }
            any = true;
        }
        Ok(any.then_some(options))
    }

    /// `body` (a rendered answer for `path`) with the options applied; page
    /// links point at `https://localhost{path}` and carry `ver=version`.
    pub(crate) fn apply(&self, body: &[u8], path: &str, version: &str) -> Vec<u8> {
        let Ok(Value::Object(mut answer)) = serde_json::from_slice::<Value>(body) else {
            return body.to_vec();
        };
        match answer.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => {
                let items = self.page(items, path, version, &mut answer);
                answer.insert("items".into(), Value::Array(items));
            }
            Some(other) => {
                answer.insert("items".into(), other);
            }
            None => {
                if let Some(fields) = &self.select {
                    answer = selected(answer, fields);
                }
            }
        }
        serde_json::to_vec(&Value::Object(answer)).expect("JSON values serialize")
    }

    /// Filters, pages and trims `items`, writing the page envelope into `answer`.
    fn page(
        &self,
        items: Vec<Value>,
        path: &str,
        version: &str,
        answer: &mut Map<String, Value>,
    ) -> Vec<Value> {
        let matching: Vec<Value> = match &self.filter {
            Some((field, wanted)) => items
                .into_iter()
                .filter(|item| item.get(field).is_some_and(|value| matches(value, wanted)))
                .collect(),
            None => items,
        };
        let total = matching.len();
        let top = self.top.unwrap_or(total);
        let page: Vec<Value> = matching
            .into_iter()
            .skip(self.skip)
            .take(top)
            .map(|item| match (&self.select, item) {
                (Some(fields), Value::Object(object)) => Value::Object(selected(object, fields)),
                (_, item) => item,
            })
            .collect();
        if let Some(top) = self.top.filter(|&top| top > 0) {
            let link = |skip: usize| Value::String(self.link(path, version, top, skip));
            answer.insert("currentItemCount".into(), page.len().into());
            answer.insert("itemsPerPage".into(), top.into());
            answer.insert("pageIndex".into(), (self.skip / top + 1).into());
            answer.insert("startIndex".into(), (self.skip + 1).into());
            answer.insert("totalItems".into(), total.into());
            answer.insert("totalPages".into(), total.div_ceil(top).into());
            if self.skip + top < total {
                answer.insert("nextLink".into(), link(self.skip + top));
            }
            if self.skip > 0 {
                answer.insert("previousLink".into(), link(self.skip.saturating_sub(top)));
            }
        }
        page
    }

    /// This read's link at another `$skip`, with its other options.
    fn link(&self, path: &str, version: &str, top: usize, skip: usize) -> String {
        let mut query = format!("$top={top}&$skip={skip}");
        if let Some(fields) = &self.select {
            query.push_str(&format!("&$select={}", fields.join(",")));
        }
        if let Some((field, value)) = &self.filter {
            query.push_str(&format!("&$filter={field}%20eq%20{value}"));
        }
        format!("https://localhost{path}?{query}&ver={version}")
    }
}

/// `FIELD eq VALUE`, the value bare or in single quotes.
fn parse_filter(filter: &str) -> Result<(String, String), SimError> {
    let words: Vec<&str> = filter.split_whitespace().collect();
    match words.as_slice() {
        [field, "eq", value] => Ok(((*field).to_owned(), value.trim_matches('\'').to_owned())),
        _ => Err(SimError::bad_request(format!(
            "Query parameter $filter has an unsupported expression \"{filter}\"; expected \"FIELD eq VALUE\"."
        ))),
    }
}

fn parse_count(name: &str, value: &str) -> Result<usize, SimError> {
    value.parse().map_err(|_| {
        SimError::bad_request(format!(
            "Query parameter {name} must be a non-negative integer, not \"{value}\"."
        ))
    })
}

/// Whether a field's value reads as `wanted` (strings as they are, numbers
/// and booleans as written).
fn matches(value: &Value, wanted: &str) -> bool {
    match value {
        Value::String(text) => text == wanted,
        Value::Number(number) => number.to_string() == wanted,
        Value::Bool(flag) => wanted == if *flag { "true" } else { "false" },
        _ => false,
    }
}

/// `object` with only `fields`, in the object's own order.
fn selected(object: Map<String, Value>, fields: &[String]) -> Map<String, Value> {
    object
        .into_iter()
        .filter(|(key, _)| fields.iter().any(|field| field == key))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn members(n: usize) -> Vec<u8> {
        let items: Vec<Value> = (0..n)
            .map(|i| {
                json!({
                    "name": format!("ml-node-{i}:80"),
                    "partition": if i % 2 == 0 { "Common" } else { "Tenant" },
                    "ratio": i,
                    "session": "user-enabled",
                })
            })
            .collect();
        serde_json::to_vec(&json!({
            "kind": "tm:ltm:pool:members:memberscollectionstate",
            "selfLink": "https://localhost/mgmt/tm/ltm/pool/~Common~mlPool/members?ver=17.1.0",
            "items": items,
        }))
        .unwrap()
    }

    fn apply(query: &str, body: &[u8]) -> Value {
        let options = QueryOptions::parse(Some(query)).unwrap().unwrap();
        let answer = options.apply(body, "/mgmt/tm/ltm/pool/~Common~mlPool/members", "17.1.0");
        serde_json::from_slice(&answer).unwrap()
    }

    #[test]
    fn plain_reads_have_no_options() {
        assert_eq!(QueryOptions::parse(None).unwrap(), None);
        assert_eq!(QueryOptions::parse(Some("ver=17.1.0")).unwrap(), None);
    }

    #[test]
    fn top_and_skip_page_with_links_until_a_short_page() {
        let first = apply("$top=2", &members(5));
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        assert_eq!(first["totalItems"], 5);
        assert_eq!(first["totalPages"], 3);
        assert_eq!(
            first["nextLink"],
            "https://localhost/mgmt/tm/ltm/pool/~Common~mlPool/members?$top=2&$skip=2&ver=17.1.0"
        );
        assert!(first.get("previousLink").is_none());
        let last = apply("%24top=2&%24skip=4", &members(5));
        assert_eq!(last["items"][0]["name"], "ml-node-4:80");
        assert_eq!(last["currentItemCount"], 1);
        assert_eq!(last["pageIndex"], 3);
        assert!(last.get("nextLink").is_none());
        assert!(last["previousLink"].as_str().unwrap().contains("$skip=2"));
    }

    #[test]
    fn select_trims_items_and_filter_keeps_matches() {
        let answer = apply(
            "$select=name,ratio&$filter=partition+eq+'Tenant'",
            &members(5),
        );
        let items = answer["items"].as_array().unwrap();
        assert_eq!(
            items,
            &vec![
                json!({"name": "ml-node-1:80", "ratio": 1}),
                json!({"name": "ml-node-3:80", "ratio": 3}),
            ]
        );
        assert_eq!(answer["kind"], "tm:ltm:pool:members:memberscollectionstate");
        let numeric = apply("$filter=ratio%20eq%204", &members(5));
        assert_eq!(numeric["items"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn select_trims_a_single_object() {
        let body = serde_json::to_vec(&json!({"name": "mlPool", "ratio": 3, "kind": "k"})).unwrap();
        assert_eq!(apply("$select=name", &body), json!({"name": "mlPool"}));
    }

    #[test]
    fn bad_options_are_refused() {
        for query in ["$top=-1", "$skip=x", "$filter=name ne x", "$filter=name"] {
            let error = QueryOptions::parse(Some(query)).unwrap_err();
            assert_eq!(error.status, 400, "{query}");
            assert!(error.message.contains('$'), "{query}: {}", error.message);
        }
    }
}
