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
use crate::messages::plural;
use crate::messages::Messages;
use crate::read::discover;
use crate::run::pipeline::Checked;
use crate::run::pipeline::{self, Config};
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
    let mut sinks = Sinks::new(config, outputs, messages)?;
    let checked = pipeline::run(config, messages, &mut sinks.in_order())?;
    let daily_sales = checked.sums.daily_sales()?;
    let top_products = checked.sums.top_products(config.top)?;
    let revenue_by_hour = checked.sums.revenue_by_hour();
    // The load finished with the sinks; its outcome decides where the
    // report files come from and whether the export is swapped in.
    let outcome = sinks.warehouse.as_mut().and_then(WarehouseLoad::outcome);
    let refused = refusal(&checked);
    let export_failed = match (&refused, sinks.export.as_mut()) {
        (Some(_), Some(export)) => {
            export.discard();
            None
        }
        _ => settle_export(sinks.export.as_mut(), &outcome, outputs, messages),
    };
    let files = Files {
        checked: &checked,
        daily_sales: &daily_sales,
        top_products: &top_products,
        loaded: matches!(outcome, Some(Ok(_))),
        exported: export_failed.is_none() && !matches!(outcome, Some(Err(_))) && refused.is_none(),
    };
    let written = write_files(&files, &sinks, config, outputs, messages)?;
    let (load, failed) = tell_the_load(outcome, messages);
    for (stage, ms) in &checked.timings {
        messages.detail(format!("{stage}: {ms} ms"));
    }
    drop(sinks);
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
    Ok((summary, refused.or(failed).or(export_failed)))
}

/// The run's failure when a file was rejected mostly for one reason
/// (`--max-reject-rate`): its sinks loaded and exported nothing.
fn refusal(checked: &Checked) -> Option<Error> {
    let files = &checked.ledger.mostly_rejected;
    (!files.is_empty()).then(|| Error::MostlyRejected {
        files: files.clone(),
    })
}

/// The sinks of one batch; none but the sums on a dry run.
struct Sinks {
    lock: Option<OutputLock>,
    rejected: Option<RejectedWriter>,
    export: Option<Export>,
    warehouse: Option<WarehouseLoad>,
}

impl Sinks {
    fn new(config: &Config, outputs: &Outputs, messages: &Messages) -> Result<Sinks> {
        let mut locked: Vec<&std::path::Path> = vec![&config.errors_dir, &config.reports_dir];
        if let Some(export) = &outputs.export {
            locked.push(&export.dir);
        }
        let writing = !outputs.dry_run;
        Ok(Sinks {
            lock: writing.then(|| OutputLock::new(&locked, !outputs.no_wait, messages)),
            rejected: match writing {
                true => Some(RejectedWriter::new(&config.errors_dir)?),
                false => None,
            },
            export: (outputs.export.clone())
                .filter(|_| writing)
                .map(Export::new),
            warehouse: (outputs.load.clone())
                .filter(|_| writing)
                .map(|options| WarehouseLoad::new(options, messages)),
        })
    }

    /// The order the pipeline calls them in: the lock first (no other sink
    /// writes before it is held); the export before the warehouse, so that
    /// its parts are complete and its folders checked before the load
    /// commits (see `sinks::export`).
    fn in_order(&mut self) -> Vec<&mut dyn Sink> {
        let mut sinks: Vec<&mut dyn Sink> = Vec::new();
        if let Some(lock) = self.lock.as_mut() {
            sinks.push(lock);
        }
        if let Some(rejected) = self.rejected.as_mut() {
            sinks.push(rejected);
        }
        if let Some(export) = self.export.as_mut() {
            sinks.push(export);
        }
        if let Some(warehouse) = self.warehouse.as_mut() {
            sinks.push(warehouse);
        }
        sinks
    }
}

/// The lake changes with the warehouse or not at all: a failed load leaves
/// it as it was; otherwise the new parts are swapped in. An export that
/// could not be finished after the commit is the error returned.
fn settle_export(
    export: Option<&mut Export>,
    outcome: &Option<Result<crate::db::Loaded>>,
    outputs: &Outputs,
    messages: &Messages,
) -> Option<Error> {
    let export = export?;
    if matches!(outcome, Some(Err(_))) {
        export.discard();
        if let Some(options) = &outputs.export {
            messages.warn(format!(
                "left the export in {} as it was: the load failed",
                crate::messages::shown(&options.dir.display().to_string())
            ));
        }
        return None;
    }
    export.swap_in().err()
}

/// What the files of a batch are written from.
struct Files<'a> {
    checked: &'a Checked,
    daily_sales: &'a [DailySales],
    top_products: &'a [TopProduct],
    /// The load committed: the report files come from the warehouse.
    loaded: bool,
    /// The export's parts were swapped in.
    exported: bool,
}

/// Writes the report files and says what was written (the rejected-rows
/// files and the export were put in place by their sinks); on a dry run,
/// says that nothing was. Returns the paths written.
fn write_files(
    files: &Files<'_>,
    sinks: &Sinks,
    config: &Config,
    outputs: &Outputs,
    messages: &Messages,
) -> Result<Vec<String>> {
    let Some(rejected) = &sinks.rejected else {
        match &outputs.load {
            Some(load) => messages.step(format!(
                "dry run: no file written, nothing loaded into {}",
                load.target.masked()
            )),
            None => messages.step("dry run: no file written"),
        }
        return Ok(Vec::new());
    };
    let t = &files.checked.ledger.totals;
    messages.step(format!(
        "wrote {} rejected row{} to {}",
        crate::money::grouped(t.rejected()),
        plural(t.rejected() as usize),
        config.errors_dir.display()
    ));
    let loaded_into = match (files.loaded, &outputs.load) {
        (true, Some(load)) => Some(&load.target),
        _ => None,
    };
    let (daily, top) = report_files(
        files.checked,
        files.daily_sales,
        files.top_products,
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
    let export = sinks.export.as_ref().filter(|_| files.exported);
    if let (Some(export), Some(options)) = (export, &outputs.export) {
        messages.step(format!(
            "exported {} valid row{} to {} ({} file{})",
            export.rows(),
            plural(export.rows() as usize),
            options.dir.display(),
            export.written().len(),
            plural(export.written().len())
        ));
    }
    let written: Vec<String> = (rejected.written().iter().cloned())
        .chain(reports)
        .chain(export.iter().flat_map(|e| e.written().to_vec()))
        .map(|p| p.display().to_string())
        .collect();
    for path in &written {
        messages.detail(format!("wrote {}", crate::messages::shown(path)));
    }
    Ok(written)
}

/// Says how the load went; returns what it loaded, or why it failed.
fn tell_the_load(
    outcome: Option<Result<crate::db::Loaded>>,
    messages: &Messages,
) -> (Option<crate::db::Loaded>, Option<Error>) {
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
            (Some(report), None)
        }
        // Said of a load, a connection that failed also tells that the
        // files were written.
        Some(Err(Error::DatabaseUnreachable { target, reason })) => {
            (None, Some(Error::LoadUnreachable { target, reason }))
        }
        Some(Err(error)) => (None, Some(error)),
        None => (None, None),
    }
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
        .map(|f| discover::day_of_file(&f.file.name).map(|d| d.to_string()))
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
