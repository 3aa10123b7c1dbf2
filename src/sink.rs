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

use polars::prelude::DataFrame;

use crate::error::Result;
use crate::split::Accounting;
use crate::validate::Fences;

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
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The checked row accounting of a run, handed to `finish`: every data row
/// has exactly one disposition and each file's counts add up.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// Per input file, by file index.
    pub files: Vec<Accounting>,
    pub totals: Accounting,
    /// What the outlier rule held back, per file index, date and channel.
    pub held_back: Vec<(u32, crate::aggregate::HeldBack)>,
}

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
    /// [`crate::split::Split::valid`].
    fn valid(&mut self, _rows: &DataFrame) -> Result<()> {
        Ok(())
    }

    /// Rejected rows of one input file, in line order, columns as in
    /// [`crate::split::Split::rejected`].
    fn rejected(&mut self, _rows: &DataFrame) -> Result<()> {
        Ok(())
    }

    /// Called once, after every chunk was judged and the ledger checked.
    fn finish(&mut self, _ledger: &Ledger) -> Result<()> {
        Ok(())
    }
}
