//! One batch of `sales-etl run`: a folder (or a day of a backfill) through
//! the pipeline with the run's sinks — the sales sums always, the
//! rejected-rows files unless it is a dry run, the warehouse load when
//! there is a target — then the report files and the summary.
//!
//! The load commits while the sinks finish; the CSV files are written
//! whatever becomes of it, and a failed load comes back beside the summary.

use chrono::NaiveDate;

use crate::aggregate::SalesSums;
use crate::db::load::{LoadOptions, WarehouseLoad};
use crate::error::{Error, Result};
use crate::messages::Messages;
use crate::output::{self, OutputLock, RejectedWriter};
use crate::pipeline::{self, plural, Config};
use crate::sink::Sink;
use crate::summary::Summary;

/// The outputs of a batch besides the summary.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// Compute and print everything, write no file and load nothing.
    pub dry_run: bool,
    /// Write report files for this date only (a day of a backfill: its late
    /// rows for other dates go to the warehouse, not over those dates'
    /// files).
    pub report_date: Option<NaiveDate>,
    /// Load the valid rows into a warehouse.
    pub load: Option<LoadOptions>,
    /// Fail (exit 5) instead of waiting when another run writes to the
    /// same output folders.
    pub no_wait: bool,
}

/// Runs one batch; a failed load comes back beside the summary, since the
/// CSV outputs were written.
pub fn run(
    config: &Config,
    outputs: &Outputs,
    messages: &Messages,
) -> Result<(Summary, Option<Error>)> {
    let mut sums = SalesSums::default();
    let mut lock = (!outputs.dry_run).then(|| {
        OutputLock::new(
            &[&config.errors_dir, &config.reports_dir],
            !outputs.no_wait,
            messages,
        )
    });
    let mut rejected = match outputs.dry_run {
        true => None,
        false => Some(RejectedWriter::new(&config.errors_dir)?),
    };
    let mut warehouse = match (&outputs.load, outputs.dry_run) {
        (Some(options), false) => Some(WarehouseLoad::new(options.clone(), messages)),
        _ => None,
    };
    let checked = {
        let mut sinks: Vec<&mut dyn Sink> = Vec::new();
        // The lock first: no other sink writes before it is held.
        if let Some(lock) = lock.as_mut() {
            sinks.push(lock);
        }
        sinks.push(&mut sums);
        if let Some(rejected) = rejected.as_mut() {
            sinks.push(rejected);
        }
        if let Some(warehouse) = warehouse.as_mut() {
            sinks.push(warehouse);
        }
        pipeline::run(config, messages, &mut sinks)?
    };

    let daily_sales = sums.daily_sales()?;
    let top_products = sums.top_products(config.top)?;
    let revenue_by_hour = sums.revenue_by_hour();
    let t = &checked.ledger.totals;
    let mut written = Vec::new();
    match rejected {
        Some(rejected) => {
            messages.step(format!(
                "wrote {} rejected row{} to {}",
                t.rejected(),
                plural(t.rejected() as usize),
                config.errors_dir.display()
            ));
            let on_date = |date: &str| {
                outputs
                    .report_date
                    .is_none_or(|d| d.format("%Y-%m-%d").to_string() == date)
            };
            let daily: Vec<_> = daily_sales
                .iter()
                .filter(|d| on_date(&d.date))
                .cloned()
                .collect();
            let top: Vec<_> = top_products
                .iter()
                .filter(|t| on_date(&t.date))
                .cloned()
                .collect();
            let reports = output::write_reports(&config.reports_dir, &daily, &top, config.top)?;
            messages.step(format!(
                "wrote {} report file{} to {}",
                reports.len(),
                plural(reports.len()),
                config.reports_dir.display()
            ));
            written = rejected
                .written()
                .iter()
                .cloned()
                .chain(reports)
                .map(|p| p.display().to_string())
                .collect();
            for path in &written {
                messages.detail(format!("wrote {path}"));
            }
        }
        None => messages.step("dry run: no file written"),
    }

    let mut load = None;
    let mut failed = None;
    match warehouse.as_mut().and_then(WarehouseLoad::outcome) {
        Some(Ok(report)) => {
            messages.step(format!(
                "loaded {} row{} into {} by {} in {:.1} s ({} rows/s, {} replaced)",
                report.rows,
                plural(report.rows as usize),
                report.target,
                report.method.name(),
                report.seconds,
                report.rows_per_second,
                report.replaced
            ));
            for file in &report.files {
                if let Some(warning) = &file.warning {
                    messages.warn(warning);
                }
            }
            load = Some(report);
        }
        // Said of a load, a connection that failed also tells that the
        // files were written.
        Some(Err(Error::DatabaseUnreachable { target, reason })) => {
            failed = Some(Error::LoadUnreachable { target, reason })
        }
        Some(Err(error)) => failed = Some(error),
        None => {}
    }
    for (stage, ms) in &checked.timings {
        messages.detail(format!("{stage}: {ms} ms"));
    }
    drop(lock);
    let summary = Summary::new(
        checked,
        daily_sales,
        top_products,
        revenue_by_hour,
        written,
        outputs.dry_run,
        load,
    );
    Ok((summary, failed))
}
