//! [`Reason`]: why a policy proposed a change. The reasons of one policy's
//! output share one text; a reason is a slice of it, so carrying thousands of
//! them through guard, plan and audit clones a pointer, not the words.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A reason: `text[start..end]`, on character boundaries.
#[derive(Clone)]
pub struct Reason {
    text: Arc<str>,
    start: u32,
    end: u32,
}

impl Reason {
    /// Bytes `start..end` of `text`; `None` when they are not a slice of it
    /// on character boundaries.
    pub fn slice(text: &Arc<str>, start: u32, end: u32) -> Option<Reason> {
        text.get(start as usize..end as usize)?;
        Some(Reason {
            text: Arc::clone(text),
            start,
            end,
        })
    }

    /// The reason's text.
    pub fn as_str(&self) -> &str {
        &self.text[self.start as usize..self.end as usize]
    }
}

impl Deref for Reason {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Reason {
    fn from(text: &str) -> Self {
        Reason::from(String::from(text))
    }
}

impl From<String> for Reason {
    fn from(text: String) -> Self {
        let end = text.len() as u32;
        Reason {
            text: Arc::from(text),
            start: 0,
            end,
        }
    }
}

impl PartialEq for Reason {
    fn eq(&self, other: &Reason) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Reason {}

impl PartialEq<str> for Reason {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Reason {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Reason::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_slice_one_shared_text() {
        let text: Arc<str> = Arc::from("busyidle°C");
        let busy = Reason::slice(&text, 0, 4).unwrap();
        let idle = Reason::slice(&text, 4, 8).unwrap();
        assert_eq!((busy.as_str(), &*idle), ("busy", "idle"));
        assert_eq!(busy, Reason::from("busy"));
        assert_eq!(format!("{idle} {idle:?}"), "idle \"idle\"");
        assert!(Reason::slice(&text, 4, 9).is_none(), "inside °");
        assert!(Reason::slice(&text, 8, 40).is_none());
        assert_eq!(Arc::strong_count(&text), 3);
    }

    #[test]
    fn serializes_as_its_text() {
        let reason = Reason::from("GPU 3 at 91 °C");
        let json = serde_json::to_string(&reason).unwrap();
        assert_eq!(json, "\"GPU 3 at 91 °C\"");
        assert_eq!(serde_json::from_str::<Reason>(&json).unwrap(), reason);
    }
}
