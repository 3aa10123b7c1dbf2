//! The memory of a run's duplicate rule: every transaction id seen so far,
//! stored once, byte for byte, with a hash of its first row's compared
//! values. Ids are compared exactly (a hash collision between two ids can
//! never make a row a duplicate); only the values are compared by a 64-bit
//! hash, and a collision there could at most call a conflicting duplicate an
//! identical one — it is a duplicate either way.
//!
//! Ids live in large byte blocks (each after its values hash) and the
//! table holds 8 bytes per id, so a 50-million-row day needs about 1 GiB
//! here instead of a map of strings' several.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use polars::prelude::*;

use crate::error::{Error, Result};

/// Bytes per arena block.
const BLOCK: usize = 1 << 24;
/// Ids this long or longer are kept apart, each in its own buffer.
const LONG: usize = 0xFFFF;
/// Flag of a place in `long` rather than in the blocks.
const LONG_FLAG: u64 = 1 << 63;

/// What [`IdIndex::observe`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// The id was not seen before; it is now.
    New,
    /// Seen before, with the same values hash.
    Same,
    /// Seen before, with a different values hash.
    Different,
}

/// Where an id is stored: block (23 bits) | offset in block (24 bits) |
/// length (16 bits), or `LONG_FLAG` | index in `long`. The values hash of
/// its first row is stored just before it, so that the table holds 8 bytes
/// per id: the hash is read only when the id is found again, from the
/// bytes that were compared anyway.
type Entry = u64;

/// Bytes of the values hash before each stored id.
const VALUES: usize = 8;

pub struct IdIndex {
    table: HashTable<Entry>,
    blocks: Blocks,
    hasher: FixedState,
}

#[derive(Default)]
struct Blocks {
    short: Vec<Vec<u8>>,
    long: Vec<Vec<u8>>,
}

impl Default for IdIndex {
    fn default() -> Self {
        IdIndex {
            table: HashTable::new(),
            blocks: Blocks::default(),
            hasher: FixedState::with_seed(ID_SEED),
        }
    }
}

impl IdIndex {
    /// An index with room for about `ids` ids before it grows (growing
    /// rehashes every id; the pipeline estimates the count from file sizes).
    pub fn with_capacity(ids: usize) -> IdIndex {
        IdIndex {
            table: HashTable::with_capacity(ids),
            ..IdIndex::default()
        }
    }

    /// Records `id` with `values` unless it is known, and says which.
    pub fn observe(&mut self, id: &[u8], values: u64) -> Observed {
        self.observe_hashed(id_hash(id), id, values)
    }

    /// [`IdIndex::observe`] with the id's [`id_hash`] computed already
    /// (on the thread that read the row).
    pub fn observe_hashed(&mut self, hash: u64, id: &[u8], values: u64) -> Observed {
        let blocks = &self.blocks;
        if let Some(place) = self.table.find(hash, |place| bytes(blocks, *place) == id) {
            return if values_of(blocks, *place) == values {
                Observed::Same
            } else {
                Observed::Different
            };
        }
        let place = self.store(id, values);
        let (blocks, hasher) = (&self.blocks, &self.hasher);
        self.table
            .insert_unique(hash, place, |place| hasher.hash_one(bytes(blocks, *place)));
        Observed::New
    }

    /// Ids recorded.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    fn store(&mut self, id: &[u8], values: u64) -> u64 {
        let blocks = &mut self.blocks;
        if id.len() >= LONG {
            let mut stored = values.to_le_bytes().to_vec();
            stored.extend_from_slice(id);
            blocks.long.push(stored);
            return LONG_FLAG | (blocks.long.len() as u64 - 1);
        }
        let fits = blocks
            .short
            .last()
            .is_some_and(|b| b.len() + VALUES + id.len() <= BLOCK);
        if !fits {
            blocks.short.push(Vec::with_capacity(BLOCK));
        }
        let index = blocks.short.len() - 1;
        let block = &mut blocks.short[index];
        let offset = block.len();
        block.extend_from_slice(&values.to_le_bytes());
        block.extend_from_slice(id);
        ((index as u64) << 40) | ((offset as u64) << 16) | id.len() as u64
    }
}

/// The hash an [`IdIndex`] files an id under.
pub fn id_hash(id: &[u8]) -> u64 {
    FixedState::with_seed(ID_SEED).hash_one(id)
}

const ID_SEED: u64 = 0x5a1e_5e71;

/// The id stored at `place`, after its values hash.
fn bytes(blocks: &Blocks, place: u64) -> &[u8] {
    &stored(blocks, place)[VALUES..]
}

/// The values hash stored with the id at `place`.
fn values_of(blocks: &Blocks, place: u64) -> u64 {
    let stored = stored(blocks, place);
    u64::from_le_bytes(stored[..VALUES].try_into().unwrap_or_default())
}

/// The values hash and the id stored at `place`.
fn stored(blocks: &Blocks, place: u64) -> &[u8] {
    if place & LONG_FLAG != 0 {
        return &blocks.long[(place & !LONG_FLAG) as usize];
    }
    let block = &blocks.short[(place >> 40) as usize];
    let offset = ((place >> 16) & 0xFF_FFFF) as usize;
    &block[offset..offset + VALUES + (place & 0xFFFF) as usize]
}

/// One 64-bit hash per row of `frame` over `columns`' values (null distinct
/// from every value), for comparing rows that share an id.
pub fn row_hashes(frame: &DataFrame, columns: &[&str]) -> Result<Vec<u64>> {
    let engine = || Error::engine("duplicates");
    let state = FixedState::with_seed(0xd0_0b1e);
    let mut hashes = vec![0u64; frame.height()];
    for name in columns {
        let column = frame.column(name).map_err(engine())?;
        let physical = column.as_materialized_series().to_physical_repr();
        let mut mix = |i: usize, value: u64| {
            hashes[i] = state.hash_one((hashes[i], value));
        };
        // Null hashes as a value no field can produce: the tag of `None`.
        let null = state.hash_one(Option::<u8>::None);
        match physical.dtype() {
            DataType::String => {
                for (i, v) in physical.str().map_err(engine())?.iter().enumerate() {
                    mix(i, v.map_or(null, |v| state.hash_one(Some(v))));
                }
            }
            DataType::Int32 => {
                for (i, v) in physical.i32().map_err(engine())?.iter().enumerate() {
                    mix(i, v.map_or(null, |v| state.hash_one(Some(v))));
                }
            }
            DataType::Int64 => {
                for (i, v) in physical.i64().map_err(engine())?.iter().enumerate() {
                    mix(i, v.map_or(null, |v| state.hash_one(Some(v))));
                }
            }
            DataType::UInt64 => {
                for (i, v) in physical.u64().map_err(engine())?.iter().enumerate() {
                    mix(i, v.map_or(null, |v| state.hash_one(Some(v))));
                }
            }
            DataType::Int128 => {
                for (i, v) in physical.i128().map_err(engine())?.iter().enumerate() {
                    mix(i, v.map_or(null, |v| state.hash_one(Some(v))));
                }
            }
            other => {
                return Err(Error::Internal(format!(
                    "cannot compare column `{name}` of type {other}"
                )))
            }
        }
    }
    Ok(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_compared_byte_for_byte() {
        let mut index = IdIndex::default();
        assert_eq!(index.observe(b"T1", 7), Observed::New);
        assert_eq!(index.observe(b"T1", 7), Observed::Same);
        assert_eq!(index.observe(b"T1", 8), Observed::Different);
        assert_eq!(index.observe(b"T1 ", 7), Observed::New);
        assert_eq!(index.observe(b"", 7), Observed::New);
        assert_eq!(index.observe(b"", 7), Observed::Same);
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn long_ids_and_many_ids_survive_growth() {
        let mut index = IdIndex::default();
        let long = vec![b'x'; 100_000];
        assert_eq!(index.observe(&long, 1), Observed::New);
        for i in 0..200_000u64 {
            assert_eq!(
                index.observe(format!("id-{i}").as_bytes(), i),
                Observed::New
            );
        }
        assert_eq!(index.observe(&long, 1), Observed::Same);
        let mut longer = long.clone();
        longer.push(b'x');
        assert_eq!(index.observe(&longer, 1), Observed::New);
        for i in (0..200_000u64).step_by(997) {
            assert_eq!(
                index.observe(format!("id-{i}").as_bytes(), i),
                Observed::Same
            );
            assert_eq!(
                index.observe(format!("id-{i}").as_bytes(), i + 1),
                Observed::Different
            );
        }
        assert_eq!(index.len(), 200_002);
    }

    #[test]
    fn row_hashes_tell_null_from_empty_and_types_apart() {
        let frame = DataFrame::new(
            4,
            vec![
                Column::new("s".into(), [Some("a"), Some(""), None, Some("a")]),
                Column::new("n".into(), [Some(1i32), Some(1), Some(1), Some(1)]),
            ],
        )
        .unwrap();
        let h = row_hashes(&frame, &["s", "n"]).unwrap();
        assert_eq!(h[0], h[3]);
        assert_ne!(h[0], h[1]);
        assert_ne!(h[1], h[2]);
    }
}
