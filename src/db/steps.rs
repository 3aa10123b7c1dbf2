//! One load, written once. [`Steps`] names what every load into a
//! warehouse does, in order, inside one transaction; [`drive`] calls the
//! steps and does the arithmetic between them (which files are unchanged,
//! which dates' reports change, the counts checked before the commit). A
//! dialect implements the steps with its own statements and nothing else:
//! connecting, the lock and the schema come before, in the dialect's
//! `start`, because they are where the two servers differ most.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::plan::{
    earlier_loads, replaced_in_all, rows_per_second, unchanged_names, FileReplaced, Held,
    InputRecord, LoadEnd, LoadPlan, Loaded, Method,
};
use super::sales::{RunSales, StoredSales};
use super::stream::Tell;
use super::Target;
use crate::error::{Error, Result};
use crate::judge::aggregate::{DailySales, HeldBack, TopProduct};
use crate::judge::split::Accounting;

/// What the warehouse held before the load, as the steps that replace and
/// add rows need to know it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Before {
    /// `staging_sales` was empty.
    pub empty: bool,
    /// Every row of `staging_sales` is of a file this load replaces.
    pub only_loading: bool,
    /// Every row is of one of the run's files, replaced or unchanged: no
    /// row of another file can have an id of this run's.
    pub only_run_files: bool,
    /// Valid rows this load will send.
    pub to_load: u64,
}

/// Orders, units and millionths of revenue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub orders: i64,
    pub units: i64,
    pub micros: i128,
}

/// Date, file, channel and product.
pub(crate) type SalesKey = (String, String, String, String);

/// Rows of other files that this run's ids replaced, and their sales per
/// date, file, channel and product (which come off `daily_file_sales`).
#[derive(Debug, Default)]
pub(crate) struct Replaced {
    pub rows: u64,
    pub sums: BTreeMap<SalesKey, Sums>,
}

impl Replaced {
    pub(crate) fn add(&mut self, key: SalesKey, sums: Sums) {
        let total = self.sums.entry(key).or_default();
        total.orders += sums.orders;
        total.units += sums.units;
        total.micros += sums.micros;
    }
}

/// What the rows step did.
pub(crate) struct RowsIn {
    /// Valid rows the run sent.
    pub sent: u64,
    /// Valid rows the warehouse says it took.
    pub taken: u64,
    /// Rejected rows the run sent, and those the warehouse took.
    pub rejected_sent: u64,
    pub rejected_taken: u64,
    pub end: LoadEnd,
    pub replaced: Replaced,
}

/// One row of `daily_file_sales`.
pub(crate) struct FileSales<'a> {
    pub date: String,
    pub file: &'a str,
    pub channel: &'a str,
    pub product: &'a str,
    pub orders: u64,
    pub units: i64,
    pub micros: i128,
}

/// The steps of a load, in the order [`drive`] calls them, inside the
/// dialect's one open transaction. Each says its failures as
/// [`Error::Load`] naming the target.
pub(crate) trait Steps {
    fn target(&self) -> &Target;
    /// How the rows reach the warehouse.
    fn method(&self) -> Method;
    /// Adds the run to `etl_runs`; returns its id.
    fn record_run(&mut self, plan: &LoadPlan) -> Result<u64>;
    /// `etl_runs` of earlier loads, newest first: run id, `input_files`.
    fn earlier_runs(&mut self) -> Result<Vec<(u64, String)>>;
    /// What the warehouse holds of a file name, and the dates of its rows.
    fn rows_of_file(&mut self, file: &str) -> Result<(Held, Vec<String>)>;
    /// The first `source_file` of `staging_sales` after `after`, by index.
    fn next_source_file(&mut self, after: &str) -> Result<Option<String>>;
    /// Removes what earlier loads of `loading` left (rows, rejected rows
    /// and sales per file) and the held-back rows of `every` file of the
    /// run.
    fn clear(&mut self, before: &Before, loading: &[&str], every: &[&str]) -> Result<()>;
    /// Takes every row the run sends, valid rows (replacing rows of other
    /// files with the same ids) then rejected rows, and says what it took
    /// and replaced.
    fn rows_in(&mut self, run_id: u64, before: &Before) -> Result<RowsIn>;
    /// Takes replaced rows' sales off `daily_file_sales` (and drops the
    /// groups left empty).
    fn subtract_sales(&mut self, replaced: &Replaced) -> Result<()>;
    fn store_sales(&mut self, sales: &[FileSales<'_>]) -> Result<()>;
    fn store_held_back(&mut self, held: &[(&str, &HeldBack)]) -> Result<()>;
    /// A date's stored sales per channel and product, every file's.
    fn stored_sales(&mut self, date: &str) -> Result<StoredSales>;
    /// Replaces a date's reports.
    fn replace_reports(
        &mut self,
        date: &str,
        daily: &[DailySales],
        top: &[TopProduct],
    ) -> Result<()>;
    /// Closes the run's record.
    fn finish_run(&mut self, run_id: u64, totals: &Accounting, replaced: u64) -> Result<()>;
    fn commit(self) -> Result<()>;
}

/// The load: every step of `load` in order, from the run's record to the
/// commit; `tell` hears which files are unchanged as soon as that is known.
/// `started` is when the load began, for its rate.
pub(crate) fn drive(
    mut load: impl Steps,
    plan: &LoadPlan,
    tell: &Tell,
    started: Instant,
) -> Result<Loaded> {
    let run_id = load.record_run(plan)?;
    let (files, mut dates) = files_replaced(&mut load, plan)?;
    let _ = tell.send(unchanged_names(&files));
    let loading: Vec<&InputRecord> = (plan.files.iter().zip(&files))
        .filter(|(_, f)| f.unchanged_since.is_none())
        .map(|(file, _)| file)
        .collect();
    let loading_names: Vec<&str> = loading.iter().map(|f| f.file.name.as_str()).collect();
    let every: Vec<&str> = plan.files.iter().map(|f| f.file.name.as_str()).collect();
    let before = Before {
        empty: only_these_files(&mut load, &[])?,
        only_loading: only_these_files(&mut load, &loading_names)?,
        only_run_files: only_these_files(&mut load, &every)?,
        to_load: loading.iter().map(|f| f.valid_rows).sum(),
    };
    load.clear(&before, &loading_names, &every)?;

    let rows = load.rows_in(run_id, &before)?;
    let end = rows.end;
    // What the warehouse took against what was sent, and what was sent
    // against the ledger's count.
    for (kind, what, expected, sent, taken) in [
        ("rows", "", end.sent, rows.sent, rows.taken),
        (
            "rejected rows",
            "'s rejected rows",
            end.rejected,
            rows.rejected_sent,
            rows.rejected_taken,
        ),
    ] {
        let target = load.target().masked();
        if taken != sent {
            return Err(Error::Load {
                message: format!("the warehouse took {taken} {kind} of {sent} sent"),
                target,
            });
        }
        if sent != expected {
            return Err(Error::OutputMismatch {
                output: format!("the load into {target}{what}"),
                file: "every file loaded".into(),
                expected,
                written: sent,
            });
        }
    }
    dates.extend(rows.replaced.sums.keys().map(|key| key.0.clone()));
    load.subtract_sales(&rows.replaced)?;
    store_run_sales(&mut load, &end, &plan.names, &mut dates)?;
    rewrite_reports(&mut load, &dates, end.top)?;

    let replaced = replaced_in_all(rows.replaced.rows, &files);
    load.finish_run(run_id, &end.totals, replaced)?;
    let (target, method) = (load.target().masked(), load.method());
    load.commit()?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Loaded {
        target,
        rows: rows.sent,
        replaced,
        replaced_by_id: rows.replaced.rows,
        method,
        seconds,
        rows_per_second: rows_per_second(rows.sent, seconds),
        run_id,
        files,
    })
}

/// What the warehouse holds of each of the run's files (and whether it
/// holds it unchanged), and the dates of those rows.
fn files_replaced(
    load: &mut impl Steps,
    plan: &LoadPlan,
) -> Result<(Vec<FileReplaced>, BTreeSet<String>)> {
    let earlier = earlier_loads(load.earlier_runs()?, &plan.files);
    let mut dates = BTreeSet::new();
    let mut files = Vec::with_capacity(plan.files.len());
    for file in &plan.files {
        let (held, of_file) = load.rows_of_file(&file.file.name)?;
        dates.extend(of_file);
        files.push(FileReplaced::new(
            file,
            held,
            earlier.get(&file.file.name).cloned(),
            plan.reload,
        ));
    }
    Ok((files, dates))
}

/// True when every row of `staging_sales` comes from one of `files`: the
/// distinct file names, found by index seeks, not by reading the rows.
fn only_these_files(load: &mut impl Steps, files: &[&str]) -> Result<bool> {
    let ours: BTreeSet<&str> = files.iter().copied().collect();
    let mut after = String::new();
    while let Some(file) = load.next_source_file(&after)? {
        if !ours.contains(file.as_str()) {
            return Ok(false);
        }
        after = file;
    }
    Ok(true)
}

/// The run's sales per date, file, channel and product, and what the
/// outlier rule held back; the dates they touch join `dates`.
fn store_run_sales(
    load: &mut impl Steps,
    end: &LoadEnd,
    names: &[String],
    dates: &mut BTreeSet<String>,
) -> Result<()> {
    let unknown = |what: &str| Error::Internal(format!("{what} of an unknown file"));
    let sales = RunSales::of(&end.partials)?;
    let mut rows = Vec::with_capacity(end.partials.height());
    for row in 0..end.partials.height() {
        let file = (sales.file.get(row))
            .and_then(|i| names.get(i as usize))
            .ok_or_else(|| unknown("sales"))?;
        let date = sales.date(row);
        dates.insert(date.clone());
        rows.push(FileSales {
            date,
            file,
            channel: sales.channel.get(row).unwrap_or_default(),
            product: sales.product.get(row).unwrap_or_default(),
            orders: sales.orders.get(row).unwrap_or(0),
            units: sales.units.get(row).unwrap_or(0),
            micros: sales.revenue.get(row).unwrap_or(0),
        });
    }
    load.store_sales(&rows)?;
    let mut held = Vec::with_capacity(end.held_back.len());
    for (file, h) in &end.held_back {
        let name = names
            .get(*file as usize)
            .ok_or_else(|| unknown("outliers"))?;
        held.push((name.as_str(), h));
    }
    load.store_held_back(&held)
}

/// Every touched date's daily sales and top products, computed from the
/// stored sales per file as the terminal's are.
fn rewrite_reports(load: &mut impl Steps, dates: &BTreeSet<String>, top: u32) -> Result<()> {
    for date in dates {
        let stored = load.stored_sales(date)?;
        let (daily, top_products) = match stored.is_empty() {
            true => (Vec::new(), Vec::new()),
            false => stored.reports(date, top)?,
        };
        load.replace_reports(date, &daily, &top_products)?;
    }
    Ok(())
}
