//! List paging as Compute does it: `maxResults` (0..=500; 0 or absent means
//! 500) caps a page, a page that stops short of the end carries
//! `nextPageToken`, and `pageToken` resumes the same list there. A token is
//! opaque to clients and names the list it belongs to, so a token from one
//! list is refused on another.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::error::SimError;

/// Most items Compute returns in one page, and the size of a page when the
/// client names none.
pub const MAX_RESULTS: usize = 500;

/// Which slice of a list a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    list: String,
    start: usize,
    size: usize,
}

impl PageRequest {
    /// Reads `maxResults` and `pageToken` from `query` for the list `list`
    /// (its path, which tokens are bound to).
    pub fn from_query(query: &HashMap<String, String>, list: &str) -> Result<Self, SimError> {
        let size = match query.get("maxResults").map(String::as_str) {
            None | Some("") => MAX_RESULTS,
            Some(raw) => match raw.parse::<usize>() {
                Ok(0) => MAX_RESULTS,
                Ok(size) if size <= MAX_RESULTS => size,
                _ => {
                    return Err(SimError::invalid(format!(
                        "Invalid value for field 'maxResults': '{raw}'. Must be an integer from 0 to {MAX_RESULTS}."
                    )));
                }
            },
        };
        let start = match query.get("pageToken").map(String::as_str) {
            None | Some("") => 0,
            Some(token) => decode(token, list).ok_or_else(|| {
                SimError::invalid(format!(
                    "Invalid value for field 'pageToken': '{token}'. The page token is not valid for this list."
                ))
            })?,
        };
        Ok(PageRequest {
            list: list.to_owned(),
            start,
            size,
        })
    }

    /// `list` (a list answer) cut to the requested page of its `key` array,
    /// with `nextPageToken` when items remain after the page.
    pub fn apply(&self, mut list: Value, key: &str) -> Value {
        let items = match list.get_mut(key).map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        let (page, next) = self.slice(items);
        list[key] = Value::Array(page);
        if let Some(next) = next {
            list["nextPageToken"] = Value::String(next);
        }
        list
    }

    /// The requested page of `items`, and the token for the next page when
    /// items remain after it.
    pub fn slice<T>(&self, items: Vec<T>) -> (Vec<T>, Option<String>) {
        let total = items.len();
        let end = self.start.saturating_add(self.size).min(total);
        let page = items
            .into_iter()
            .skip(self.start)
            .take(end.saturating_sub(self.start))
            .collect();
        (page, (end < total).then(|| encode(&self.list, end)))
    }
}

fn encode(list: &str, start: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{start}:{list}"))
}

fn decode(token: &str, list: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (start, named) = text.split_once(':')?;
    (named == list).then(|| start.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(query: &[(&str, &str)]) -> Result<PageRequest, SimError> {
        let query = query
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        PageRequest::from_query(&query, "projects/p/global/urlMaps")
    }

    fn list(n: u32) -> Value {
        json!({"kind": "compute#urlMapList", "items": (0..n).collect::<Vec<_>>()})
    }

    fn items(page: &Value) -> Vec<u64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item.as_u64().unwrap())
            .collect()
    }

    #[test]
    fn pages_walk_the_whole_list_once() {
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut query = vec![("maxResults", "3")];
            if let Some(token) = &token {
                query.push(("pageToken", token.as_str()));
            }
            let page = request(&query).unwrap().apply(list(7), "items");
            assert_eq!(page["kind"], "compute#urlMapList");
            pages += 1;
            seen.extend(items(&page));
            match page["nextPageToken"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
        assert_eq!(pages, 3);
    }

    #[test]
    fn the_default_page_is_500_and_a_full_last_page_has_no_token() {
        let page = request(&[]).unwrap().apply(list(500), "items");
        assert_eq!(items(&page).len(), 500);
        assert!(page.get("nextPageToken").is_none());
        let page = request(&[("maxResults", "0")])
            .unwrap()
            .apply(list(501), "items");
        assert_eq!(items(&page).len(), 500);
        assert!(page["nextPageToken"].is_string());
    }

    #[test]
    fn bad_sizes_and_foreign_or_garbled_tokens_are_refused() {
        for size in ["501", "-1", "ten"] {
            let error = request(&[("maxResults", size)]).unwrap_err();
            assert!(error.message.contains("maxResults"), "{error:?}");
        }
        let foreign = encode("projects/p/global/forwardingRules", 3);
        for token in [foreign.as_str(), "not base64!", "MTI"] {
            let error = request(&[("pageToken", token)]).unwrap_err();
            assert!(error.message.contains("pageToken"), "{error:?}");
        }
    }
}
