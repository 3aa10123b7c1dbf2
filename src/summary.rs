//! The summary of a run: what the terminal tables and `--format json` show.
//! Built by `pipeline`, rendered by `report`; plain data, serialisable as the
//! JSON the README documents.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aggregate::{DailySales, TopProduct};
use crate::db::LoadReport;
use crate::error::BadFile;
use crate::split::Accounting;
use crate::validate::Fences;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// UTC, `YYYY-MM-DD HH:MM:SS.ffffff`.
    pub started_at: String,
    pub files: Vec<FileSummary>,
    pub totals: Accounting,
    /// Rejected rows per reason (`duplicate`, `conflicting_duplicate` and
    /// `outlier` included).
    pub reasons: BTreeMap<String, u64>,
    pub fences: Option<Fences>,
    pub daily_sales: Vec<DailySales>,
    pub top_products: Vec<TopProduct>,
    /// Files passed over with `--skip-bad-files`.
    pub skipped_files: Vec<SkippedFile>,
    pub warnings: Vec<String>,
    /// Files written (none with `--dry-run`).
    pub written: Vec<String>,
    pub dry_run: bool,
    /// Milliseconds per stage, as `<stage>_ms`.
    pub timings: BTreeMap<String, u64>,
    /// The database load; `None` with `--no-db` or `--dry-run`, or when it
    /// failed (the error says so).
    pub load: Option<LoadReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    #[serde(flatten)]
    pub accounting: Accounting,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedFile {
    pub file: String,
    pub error: String,
}

impl From<BadFile> for SkippedFile {
    fn from(bad: BadFile) -> SkippedFile {
        SkippedFile {
            file: bad.file,
            error: bad.problem,
        }
    }
}
