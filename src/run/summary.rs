//! The summary of a run: what the terminal tables and `--format json` show.
//! Assembled here from what the pipeline and the sinks made, rendered by
//! `render`; plain data, serialisable as the JSON the README documents.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::db::target::Named;
use crate::db::Loaded;
use crate::judge::aggregate::{DailySales, HeldBack, TopProduct};
use crate::judge::split::Accounting;
use crate::judge::validate::Fences;
use crate::run::pipeline::Checked;
pub use crate::run::pipeline::{FileSummary, SkippedFile};

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
    /// With `--outliers per-product`: how many products have fences of
    /// their own (from at least `min_rows` rows); `null` otherwise.
    pub fences_per_product: Option<crate::run::pipeline::PerProduct>,
    pub daily_sales: Vec<DailySales>,
    /// Rows, units and revenue the outlier rule held back, per date and
    /// channel: what `daily_sales` would add with the rule off.
    pub held_back: Vec<HeldBack>,
    pub top_products: Vec<TopProduct>,
    /// Revenue of the valid rows per hour of day, 0 to 23 (UTC), all dates.
    pub revenue_by_hour: Vec<crate::money::Money>,
    /// Files passed over with `--skip-bad-files`.
    pub skipped_files: Vec<SkippedFile>,
    /// Files more than their max reject rate of whose rows were rejected,
    /// with their reasons and hints: the run loaded nothing (exit 8).
    pub mostly_rejected: Vec<crate::error::MostlyRejected>,
    pub warnings: Vec<String>,
    /// Files written (none with `--dry-run`).
    pub written: Vec<String>,
    pub dry_run: bool,
    /// Milliseconds per stage, as `<stage>_ms`.
    pub timings: BTreeMap<String, u64>,
    /// The warehouse the run loads into (or would, with `--dry-run`) and
    /// where its URL came from; `None` with `--no-db`.
    pub warehouse: Option<Named>,
    /// The database load; `None` with `--no-db` or `--dry-run`, or when it
    /// failed (the error says so).
    pub load: Option<Loaded>,
}

impl Summary {
    /// The summary of a batch: what the reads found, the sales totals'
    /// reports, the files written and the load.
    pub fn new(
        checked: Checked,
        daily_sales: Vec<DailySales>,
        top_products: Vec<TopProduct>,
        revenue_by_hour: Vec<crate::money::Money>,
        written: Vec<String>,
        dry_run: bool,
        load: Option<Loaded>,
    ) -> Summary {
        Summary {
            started_at: checked.started_at,
            files: checked.files,
            totals: checked.ledger.totals,
            reasons: checked.reasons,
            fences: checked.fences,
            fences_per_product: checked.per_product,
            held_back: checked.sums.held_back(),
            daily_sales,
            top_products,
            revenue_by_hour,
            skipped_files: checked.skipped_files,
            mostly_rejected: checked.ledger.mostly_rejected,
            warnings: checked.warnings,
            written,
            dry_run,
            timings: checked.timings,
            warehouse: None,
            load,
        }
    }
}

/// What became of one day of a backfill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    Done,
    NoFiles,
    Failed,
}

impl DayStatus {
    pub fn name(self) -> &'static str {
        match self {
            DayStatus::Done => "done",
            DayStatus::NoFiles => "no files",
            DayStatus::Failed => "failed",
        }
    }
}

/// One day of a backfill: its status, its files, and the run's summary when
/// the pipeline ran (also for a day whose load failed).
#[derive(Debug, Clone, Serialize)]
pub struct DaySummary {
    pub date: String,
    pub status: DayStatus,
    pub files: usize,
    pub error: Option<String>,
    pub summary: Option<Summary>,
}

impl DaySummary {
    pub fn new(date: chrono::NaiveDate, status: DayStatus, files: usize) -> DaySummary {
        DaySummary {
            date: date.to_string(),
            status,
            files,
            error: None,
            summary: None,
        }
    }
}
