//! Faults injected on purpose, for tests only: with
//! `SALES_ETL_TEST_FAULT=<name>` one place of the run loses (or doubles)
//! one row, so that a test can prove the run's independent counts catch
//! it (exit 1, nothing committed). Unset, as it is outside the tests, every
//! check here is one relaxed atomic load.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// A place that can lose or double a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The reader counts a record but does not pass it on.
    ReaderDropsRow,
    /// The rejected-rows writer leaves one row out of its file.
    RejectedDropsRow,
    /// The load leaves one valid row out of what it sends.
    LoaderDropsRow,
    /// The load leaves one rejected row out of what it sends.
    LoaderDropsRejectedRow,
    /// The export writes one valid row twice.
    ExportDoublesRow,
    /// `query --db` skips its guard, so that a test reaches the engine's
    /// own read-only wall alone.
    GuardOff,
    /// The process dies (abort, as a `kill -9` would leave it) after the
    /// export's first part was renamed into place.
    ExportDiesMidSwap,
}

impl Fault {
    const ALL: [(Fault, &'static str); 7] = [
        (Fault::ReaderDropsRow, "reader-drops-row"),
        (Fault::RejectedDropsRow, "rejected-drops-row"),
        (Fault::LoaderDropsRow, "loader-drops-row"),
        (Fault::LoaderDropsRejectedRow, "loader-drops-rejected-row"),
        (Fault::ExportDoublesRow, "export-doubles-row"),
        (Fault::GuardOff, "guard-off"),
        (Fault::ExportDiesMidSwap, "export-dies-mid-swap"),
    ];
}

/// The fault asked for, if any (read once).
fn asked() -> Option<Fault> {
    static ASKED: OnceLock<Option<Fault>> = OnceLock::new();
    *ASKED.get_or_init(|| {
        let name = std::env::var("SALES_ETL_TEST_FAULT").ok()?;
        Fault::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(fault, _)| *fault)
    })
}

/// True exactly once in a process, when `fault` was asked for.
pub fn strikes(fault: Fault) -> bool {
    static STRUCK: AtomicBool = AtomicBool::new(false);
    asked() == Some(fault) && !STRUCK.swap(true, Ordering::Relaxed)
}
