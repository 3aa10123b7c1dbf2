//! The run, stage by stage: discover → extract → validate → split →
//! aggregate → write. This module orders the stages, times them and tells the
//! user what happened; each stage's work is in its own module. Tests and
//! benchmarks call [`run`] directly.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use polars::prelude::*;

use crate::columns::{FILE_INDEX, REASON};
use crate::error::{BadFile, Error, Result};
use crate::messages::Messages;
use crate::split::Split;
use crate::summary::{FileSummary, SkippedFile, Summary};
use crate::{aggregate, discover, extract, output, split, validate};

/// A checked configuration: everything a run needs, validated before any I/O.
#[derive(Debug, Clone)]
pub struct Config {
    pub input_dir: PathBuf,
    pub errors_dir: PathBuf,
    pub reports_dir: PathBuf,
    /// Products per day in the top-products report.
    pub top: u32,
    pub rules: validate::Options,
    pub skip_bad_files: bool,
    /// Compute and print everything, write no file.
    pub dry_run: bool,
}

/// What a run produced: the summary, and the split for a sink to load.
#[derive(Debug)]
pub struct Outcome {
    pub summary: Summary,
    pub split: Split,
    /// File names by file index (the split's `file_index`).
    pub names: Vec<String>,
}

pub fn run(config: &Config, messages: &Messages) -> Result<Outcome> {
    let mut timings = Timings::new();
    let started_at = crate::db::now_utc();

    let found = discover::discover(&config.input_dir)?;
    let total_bytes: u64 = found.files.iter().map(|f| f.size).sum();
    messages.step(format!(
        "found {} CSV file{} ({}) in {}",
        found.files.len(),
        plural(found.files.len()),
        human_bytes(total_bytes),
        config.input_dir.display()
    ));
    let mut warnings = Vec::new();
    if !found.ignored.is_empty() {
        warnings.push(format!(
            "ignored {} non-CSV file{}: {}",
            found.ignored.len(),
            plural(found.ignored.len()),
            found.ignored.join(", ")
        ));
    }

    let bar = messages.bytes_bar("reading", total_bytes);
    let read = extract::read_all(&found.files, &bar);
    bar.finish_and_clear();
    timings.lap("extract");

    let names: Vec<String> = found.files.iter().map(|f| f.name.clone()).collect();
    let mut bad_files: Vec<BadFile> = Vec::new();
    let mut frames = Vec::new();
    let mut data_rows = vec![0u64; names.len()];
    let mut usable = vec![false; names.len()];
    let mut hashes = vec![String::new(); names.len()];
    for (index, result) in read.into_iter().enumerate() {
        match result {
            Ok(rows) => {
                if !rows.unknown_columns.is_empty() {
                    let list: Vec<String> = rows
                        .unknown_columns
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect();
                    warnings.push(format!(
                        "{}: unknown column{} {} left out",
                        names[index],
                        plural(list.len()),
                        list.join(", ")
                    ));
                }
                data_rows[index] = rows.data_rows;
                usable[index] = true;
                hashes[index] = rows.sha256;
                frames.push(rows.frame);
            }
            Err(bad) => bad_files.push(bad),
        }
    }
    if !bad_files.is_empty() && !config.skip_bad_files {
        return Err(Error::BadInputFiles { files: bad_files });
    }
    for bad in &bad_files {
        warnings.push(format!("skipped {bad}"));
    }
    for warning in &warnings {
        messages.warn(warning);
    }

    let raw = concat_rows(frames)?;
    let row_count = raw.height();
    let spinner = messages.spinner(format!("checking {row_count} rows"));
    let judged = validate::judge(raw, config.rules)?;
    spinner.finish_and_clear();
    timings.lap("validate");

    let split = split::split(&judged.rows, &data_rows)?;
    split::check(&split.files, &names)?;
    let fences = judged.fences;
    drop(judged);
    timings.lap("split");
    let totals = &split.totals;
    messages.step(format!(
        "checked {} data row{}: {} valid, {} invalid",
        totals.data_rows,
        plural(totals.data_rows as usize),
        totals.valid,
        totals.invalid
    ));
    messages.step(format!(
        "removed {} duplicate row{}",
        totals.duplicate,
        plural(totals.duplicate as usize)
    ));
    match fences {
        Some(f) => messages.step(format!(
            "flagged {} outlier{} (quantity outside [{}, {}])",
            totals.outlier,
            plural(totals.outlier as usize),
            f.lower,
            f.upper
        )),
        None if config.rules.outliers => {
            messages.step("no outlier fences: no row reached the outlier rule")
        }
        None => messages.step("outlier rule off"),
    }

    let daily_sales = aggregate::daily_sales(&split.valid)?;
    let top_products = aggregate::top_products(&split.valid, config.top)?;
    let reasons = count_reasons(&split.rejected)?;
    timings.lap("aggregate");

    let mut written = Vec::new();
    if config.dry_run {
        messages.step("dry run: no file written");
    } else {
        let rejected_per_file: Vec<u64> = split
            .files
            .iter()
            .zip(&usable)
            .map(|(a, ok)| if *ok { a.rejected() } else { 0 })
            .collect();
        let rejected = output::write_rejected(
            &config.errors_dir,
            &split.rejected,
            &names,
            &rejected_per_file,
        )?;
        messages.step(format!(
            "wrote {} rejected row{} to {}",
            totals.rejected(),
            plural(totals.rejected() as usize),
            config.errors_dir.display()
        ));
        let reports =
            output::write_reports(&config.reports_dir, &daily_sales, &top_products, config.top)?;
        messages.step(format!(
            "wrote {} report file{} to {}",
            reports.len(),
            plural(reports.len()),
            config.reports_dir.display()
        ));
        written = rejected
            .into_iter()
            .chain(reports)
            .map(|p| p.display().to_string())
            .collect();
        for path in &written {
            messages.detail(format!("wrote {path}"));
        }
        timings.lap("write");
    }
    for (stage, ms) in &timings.laps {
        messages.detail(format!("{stage}: {ms} ms"));
    }

    let files = (0..names.len())
        .filter(|i| usable[*i])
        .map(|i| FileSummary {
            file: names[i].clone(),
            bytes: found.files[i].size,
            sha256: hashes[i].clone(),
            accounting: split.files[i].clone(),
        })
        .collect();
    let summary = Summary {
        started_at,
        files,
        totals: split.totals.clone(),
        reasons,
        fences,
        daily_sales,
        top_products,
        skipped_files: bad_files.into_iter().map(SkippedFile::from).collect(),
        warnings,
        written,
        dry_run: config.dry_run,
        timings: timings.laps,
        load: None,
    };
    Ok(Outcome {
        summary,
        split,
        names,
    })
}

/// The rows of every usable file, in file order, as one frame.
fn concat_rows(frames: Vec<DataFrame>) -> Result<DataFrame> {
    let mut frames = frames.into_iter();
    let Some(mut all) = frames.next() else {
        return Ok(extract::empty());
    };
    for frame in frames {
        all.vstack_mut_owned(frame)
            .map_err(Error::engine("extract"))?;
    }
    Ok(all)
}

fn count_reasons(rejected: &DataFrame) -> Result<BTreeMap<String, u64>> {
    let counts = rejected
        .clone()
        .lazy()
        .group_by([col(REASON)])
        .agg([col(FILE_INDEX).count().cast(DataType::UInt64).alias("rows")])
        .collect()
        .map_err(Error::engine("reasons"))?;
    let reasons = counts
        .column(REASON)
        .and_then(|c| c.str().cloned())
        .map_err(Error::engine("reasons"))?;
    let rows = counts
        .column("rows")
        .and_then(|c| c.u64().cloned())
        .map_err(Error::engine("reasons"))?;
    Ok(reasons
        .iter()
        .zip(rows.iter())
        .map(|(reason, rows)| (reason.unwrap_or("unknown").to_owned(), rows.unwrap_or(0)))
        .collect())
}

struct Timings {
    start: Instant,
    laps: BTreeMap<String, u64>,
}

impl Timings {
    fn new() -> Timings {
        Timings {
            start: Instant::now(),
            laps: BTreeMap::new(),
        }
    }

    /// Records the time since the previous lap as `<stage>_ms`.
    fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        self.laps.insert(
            format!("{stage}_ms"),
            now.duration_since(self.start).as_millis() as u64,
        );
        self.start = now;
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
