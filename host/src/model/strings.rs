//! Interned strings: each distinct string is stored once per snapshot and
//! referred to by a [`StringId`], so columns of names are columns of numbers.

use std::collections::HashMap;

/// Index of a string in a [`StringTable`]; [`super::NONE`] when absent.
pub type StringId = u32;

use super::snapshot::StringTable;

/// Every string of one snapshot, concatenated: string `i` is
/// `text[offsets[i]..offsets[i + 1]]`. String 0 is the empty string.
impl StringTable {
    /// The string with this id, or `None` for [`super::NONE`] or an id out of range.
    pub fn get(&self, id: StringId) -> Option<&str> {
        let start = *self.offsets.get(id as usize)? as usize;
        let end = *self.offsets.get(id as usize + 1)? as usize;
        self.text.get(start..end)
    }

    /// Number of strings in the table.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when the table holds no string (not even the empty one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Builds a [`StringTable`], handing out one id per distinct string.
#[derive(Debug)]
pub(crate) struct Interner {
    table: StringTable,
    ids: HashMap<String, StringId>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner {
            table: StringTable {
                text: String::new(),
                offsets: vec![0],
            },
            ids: HashMap::new(),
        };
        interner.intern("");
        interner
    }
}

impl Interner {
    /// The id of `s`, adding it if it is new.
    pub(crate) fn intern(&mut self, s: &str) -> StringId {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.table.len() as StringId;
        self.table.text.push_str(s);
        self.table.offsets.push(self.table.text.len() as u32);
        self.ids.insert(s.to_owned(), id);
        id
    }

    pub(crate) fn finish(self) -> StringTable {
        self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_twice_gives_the_same_id() {
        let mut interner = Interner::default();
        let a = interner.intern("ml-node-1");
        let b = interner.intern("ml-node-2");
        assert_eq!(interner.intern("ml-node-1"), a);
        let table = interner.finish();
        assert_eq!(table.get(0), Some(""));
        assert_eq!(table.get(a), Some("ml-node-1"));
        assert_eq!(table.get(b), Some("ml-node-2"));
        assert_eq!(table.get(super::super::NONE), None);
        assert_eq!(table.len(), 3);
    }

    #[test]
    fn multibyte_strings_slice_on_boundaries() {
        let mut interner = Interner::default();
        let id = interner.intern("GPU ° Ω");
        let other = interner.intern("x");
        let table = interner.finish();
        assert_eq!(table.get(id), Some("GPU ° Ω"));
        assert_eq!(table.get(other), Some("x"));
    }
}
