//! One batch of `sales-etl run`: a folder (or a day of a backfill) through
//! the pipeline with the run's sinks — the sales sums always, the
//! rejected-rows files unless it is a dry run, the warehouse load when
//! there is a target — then the report files and the summary.
//!
//! The load commits while the sinks finish; the CSV files are written
//! whatever becomes of it, and a failed load comes back beside the summary.

use std::collections::BTreeSet;

use crate::db::load::{LoadOptions, WarehouseLoad};
use crate::db::Target;
use crate::error::{Error, Result};
use crate::judge::aggregate::{DailySales, TopProduct};
use crate::messages::Messages;
use crate::read::discover;
use crate::run::pipeline::Checked;
use crate::run::pipeline::{self, plural, Config};
use crate::run::summary::Summary;
use crate::sinks::export::{Export, ExportOptions};
use crate::sinks::output::{self, OutputLock, RejectedWriter};
use crate::sinks::Sink;

/// The outputs of a batch besides the summary.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// Compute and print everything, write no file and load nothing.
    pub dry_run: bool,
    /// Load the valid rows into a warehouse.
    pub load: Option<LoadOptions>,
    /// Fail (exit 5) instead of waiting when another run writes to the
    /// same output folders.
    pub no_wait: bool,
    /// Write the clean rows as Parquet or Arrow files.
    pub export: Option<ExportOptions>,
}

/// Runs one batch; a failed load comes back beside the summary, since the
/// CSV outputs were written.
pub fn run(
    config: &Config,
    outputs: &Outputs,
    messages: &Messages,
) -> Result<(Summary, Option<Error>)> {
    let mut locked: Vec<&std::path::Path> = vec![&config.errors_dir, &config.reports_dir];
    if let Some(export) = &outputs.export {
        locked.push(&export.dir);
    }
    let mut lock = (!outputs.dry_run).then(|| OutputLock::new(&locked, !outputs.no_wait, messages));
    let mut export = match (&outputs.export, outputs.dry_run) {
        (Some(options), false) => Some(Export::new(options.clone())),
        _ => None,
    };
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
        if let Some(rejected) = rejected.as_mut() {
            sinks.push(rejected);
        }
        // The export before the warehouse: its parts are complete and its
        // folders checked before the load commits (see `export`).
        if let Some(export) = export.as_mut() {
            sinks.push(export);
        }
        if let Some(warehouse) = warehouse.as_mut() {
            sinks.push(warehouse);
        }
        pipeline::run(config, messages, &mut sinks)?
    };

    let daily_sales = checked.sums.daily_sales()?;
    let top_products = checked.sums.top_products(config.top)?;
    let revenue_by_hour = checked.sums.revenue_by_hour();
    let t = &checked.ledger.totals;
    // The load finished with the sinks; its outcome decides where the
    // report files come from.
    let outcome = warehouse.as_mut().and_then(WarehouseLoad::outcome);
    // The lake changes with the warehouse or not at all.
    let export_failed = match (export.as_mut(), &outcome) {
        (Some(export), Some(Err(_))) => {
            export.discard();
            if let Some(options) = &outputs.export {
                messages.warn(format!(
                    "left the export in {} as it was: the load failed",
                    crate::messages::shown(&options.dir.display().to_string())
                ));
            }
            None
        }
        (Some(export), _) => export.swap_in().err(),
        (None, _) => None,
    };
    let mut written = Vec::new();
    match rejected {
        Some(rejected) => {
            messages.step(format!(
                "wrote {} rejected row{} to {}",
                t.rejected(),
                plural(t.rejected() as usize),
                config.errors_dir.display()
            ));
            let loaded_into = match (&outcome, &outputs.load) {
                (Some(Ok(_)), Some(load)) => Some(&load.target),
                _ => None,
            };
            let (daily, top) = report_files(
                &checked,
                &daily_sales,
                &top_products,
                loaded_into,
                config.top,
                messages,
            );
            let reports = output::write_reports(&config.reports_dir, &daily, &top, config.top)?;
            messages.step(format!(
                "wrote {} report file{} to {}",
                reports.len(),
                plural(reports.len()),
                config.reports_dir.display()
            ));
            let swapped = export_failed.is_none() && !matches!(outcome, Some(Err(_)));
            if let (Some(export), Some(options), true) = (&export, &outputs.export, swapped) {
                messages.step(format!(
                    "exported {} valid row{} to {} ({} file{})",
                    export.rows(),
                    plural(export.rows() as usize),
                    options.dir.display(),
                    export.written().len(),
                    plural(export.written().len())
                ));
            }
            written = rejected
                .written()
                .iter()
                .cloned()
                .chain(reports)
                .chain(export.iter().flat_map(|e| e.written().to_vec()))
                .map(|p| p.display().to_string())
                .collect();
            for path in &written {
                messages.detail(format!("wrote {}", crate::messages::shown(path)));
            }
        }
        None => match &outputs.load {
            Some(load) => messages.step(format!(
                "dry run: no file written, nothing loaded into {}",
                load.target.masked()
            )),
            None => messages.step("dry run: no file written"),
        },
    }

    let mut load = None;
    let mut failed = None;
    match outcome {
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
                if let Some(run) = file.unchanged_since {
                    messages.detail(format!(
                        "{}: unchanged since run {run}, not reloaded",
                        crate::messages::shown(&file.file)
                    ));
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
    let failed = failed.or(export_failed);
    for (stage, ms) in &checked.timings {
        messages.detail(format!("{stage}: {ms} ms"));
    }
    drop(lock);
    let mut summary = Summary::new(
        checked,
        daily_sales,
        top_products,
        revenue_by_hour,
        written,
        outputs.dry_run,
        load,
    );
    summary.warehouse = outputs
        .load
        .as_ref()
        .map(|l| crate::db::target::Named::new(&l.target, l.from));
    Ok((summary, failed))
}

/// The daily sales and top products to write as report files, so that no
/// file is replaced by part of a day. After a load they come from the
/// warehouse, which holds every row of the run's dates (complete by
/// construction). Without one, the run writes only the dates of its files
/// (`web_2026-11-25.csv`, `2026-11-25/web.csv`); a date it holds only some
/// rows of (late rows in another day's files) is left as it was, and said
/// so. A run whose files carry no date writes every date it has.
fn report_files(
    checked: &Checked,
    daily_sales: &[DailySales],
    top_products: &[TopProduct],
    loaded_into: Option<&Target>,
    top: u32,
    messages: &Messages,
) -> (Vec<DailySales>, Vec<TopProduct>) {
    let run_dates: BTreeSet<String> = daily_sales.iter().map(|d| d.date.clone()).collect();
    if let (Some(target), Some(first), Some(last)) =
        (loaded_into, run_dates.first(), run_dates.last())
    {
        let range = (first.parse(), last.parse());
        if let (Ok(first), Ok(last)) = range {
            match crate::db::read_reports(target, first, last, top) {
                Ok(reports) => {
                    let daily = reports.daily.into_iter().filter(|d| run_dates.contains(&d.date));
                    let top = reports.top.into_iter().filter(|t| run_dates.contains(&t.date));
                    return (daily.collect(), top.collect());
                }
                Err(error) => messages.warn(format!(
                    "the report files come from this run's rows: the warehouse could not be read back ({error})"
                )),
            }
        }
    }
    let file_dates: Option<BTreeSet<String>> = checked
        .files
        .iter()
        .map(|f| discover::day_of_file(&f.file).map(|d| d.to_string()))
        .collect();
    let Some(file_dates) = file_dates.filter(|dates| !dates.is_empty()) else {
        return (daily_sales.to_vec(), top_products.to_vec());
    };
    let partial: Vec<&String> = run_dates.difference(&file_dates).collect();
    if !partial.is_empty() {
        let list: Vec<&str> = partial.iter().map(|d| d.as_str()).collect();
        messages.warn(format!(
            "left the report files of {} as they were: this run holds only its late rows \
             for {} (its files are of {}); `sales-etl report --date` reads whole days from \
             a warehouse",
            list.join(", "),
            if list.len() == 1 {
                "that day"
            } else {
                "those days"
            },
            file_dates.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    (
        daily_sales
            .iter()
            .filter(|d| file_dates.contains(&d.date))
            .cloned()
            .collect(),
        top_products
            .iter()
            .filter(|t| file_dates.contains(&t.date))
            .cloned()
            .collect(),
    )
}
