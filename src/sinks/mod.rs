//! Sinks: where judged rows go. The pipeline reads, screens and judges;
//! the rows it judged are handed to every sink the caller plugged in (the
//! rejected-rows files, the warehouse load, a query's tables). The pipeline
//! knows no sink and a sink knows no other: each owns its state and what it
//! does when it fails.
//!
//! The order of calls is `begin` once (the fences are known by then), then
//! `valid` for every chunk of valid rows in file and line order — only when
//! some sink [wants them](Sink::wants_valid_rows), since they cost a second
//! read of the files —, then `rejected` for every chunk of rejected rows in
//! file and line order, then `finish` once after the ledger has been
//! checked. An error from a sink stops the run and `finish` is not called;
//! a sink dropped without `finish` leaves nothing behind (temporary files
//! removed, an open transaction rolled back). This is the shape of
//! ripgrep's searcher sinks.

pub mod export;
pub mod output;
pub mod tables;

use polars::prelude::DataFrame;

use crate::error::Result;
use crate::judge::validate::Fences;
use crate::read::discover::FileIdentity;

/// What sinks are told before the first chunk of rows.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    /// When the run started: UTC, `YYYY-MM-DD HH:MM:SS.ffffff`.
    pub started_at: &'a str,
    /// Input file names by file index (the chunks' `file_index`).
    pub names: &'a [String],
    /// The files read (a skipped file is not among them), in file order.
    pub read: &'a [InputRead],
    /// The valid rows to come (the first read has judged every row), for
    /// sinks that size something up front.
    pub candidate_rows: u64,
    pub fences: Option<Fences>,
}

/// A file the first read read to its end.
#[derive(Debug, Clone)]
pub struct InputRead {
    pub index: usize,
    pub file: FileIdentity,
    /// Which of the file's data rows are valid, as a fingerprint of their
    /// ordinals: with the same content, the same fingerprint means the
    /// same valid rows (see [`ValidDigest`]).
    pub valid_digest: String,
    /// Its valid rows.
    pub valid_rows: u64,
    /// Its rejected rows: invalid, duplicate and outlier.
    pub rejected_rows: u64,
}

/// A fingerprint of the set of valid rows of a file, fed the ordinals
/// (0, 1, …, in file order) of its data rows that are valid: the count and
/// a wrapping sum of each ordinal run through the SplitMix64 finaliser,
/// shown as 32 hex digits. Cheap beside a read (one add per valid row);
/// any change of which rows are valid changes it but with odds of 2^-64.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidDigest {
    count: u64,
    sum: u64,
}

impl ValidDigest {
    pub fn push(&mut self, ordinal: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(mix(ordinal));
    }

    pub fn hex(&self) -> String {
        format!("{:016x}{:016x}", self.count, self.sum)
    }
}

/// SplitMix64's finaliser: a bijection of u64 that scatters neighbours.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The run's ledger, handed to `finish` once checked (it lives with the
/// judgement that fills it, `judge::split`).
pub use crate::judge::split::Ledger;

pub trait Sink {
    /// Called once, after the files were read and before the first chunk.
    fn begin(&mut self, _start: &Start<'_>) -> Result<()> {
        Ok(())
    }

    /// Whether [`Sink::valid`] must be called: the valid rows themselves
    /// cost a second read of the files (the sales sums are made without
    /// them).
    fn wants_valid_rows(&self) -> bool {
        false
    }

    /// Valid rows of one input file, in line order, columns as in
    /// [`crate::judge::split::Split::valid`].
    fn valid(&mut self, _rows: &DataFrame) -> Result<()> {
        Ok(())
    }

    /// Rejected rows of one input file, in line order, columns as in
    /// [`crate::judge::split::Split::rejected`].
    fn rejected(&mut self, _rows: &DataFrame) -> Result<()> {
        Ok(())
    }

    /// Called once, after every chunk was judged and the ledger checked.
    fn finish(&mut self, _ledger: &Ledger) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tell_sets_of_valid_rows_apart() {
        let digest = |rows: &[u64]| {
            let mut digest = ValidDigest::default();
            rows.iter().for_each(|row| digest.push(*row));
            digest.hex()
        };
        assert_eq!(digest(&[0, 1, 2]), digest(&[0, 1, 2]));
        assert_ne!(digest(&[0, 1, 2]), digest(&[0, 1, 3]));
        assert_ne!(digest(&[0, 1, 2]), digest(&[0, 1]));
        assert_ne!(digest(&[]), digest(&[0]));
        assert_eq!(digest(&[]).len(), 32);
    }
}
