//! The run, stage by stage: discover → extract → validate → split →
//! aggregate → write. This module orders the stages, times them and tells the
//! user what happened; each stage's work is in its own module. Tests and
//! benchmarks call [`run`] directly.
//!
//! A run reads its files twice, a chunk of rows at a time, so its memory is
//! bounded by a chunk plus what the cross-row rules must remember, not by
//! the size of the input:
//!
//! 1. *screen*: the row rules on every chunk, and each passing row's id and
//!    a hash of its values into the duplicate index; the quantities of first
//!    rows into a histogram (the IQR fences, exactly). One byte per row
//!    remembers what was seen.
//! 2. *judge*: the rules again on the same chunks, now with the fences, to
//!    give each row its disposition; rejected rows are appended to their
//!    `errors/` files, valid rows summed into the reports' totals (and kept
//!    for the database load only when there is one).
//!
//! A file whose second read differs from its first (its hash, or its row
//! count) fails the run before anything is renamed into place.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use indicatif::ProgressBar;
use polars::prelude::*;

use crate::columns::{FILE_INDEX, REASON};
use crate::discover::InputFile;
use crate::error::{BadFile, Error, Result};
use crate::extract::FileReader;
use crate::messages::Messages;
use crate::split::{Accounting, Split};
use crate::summary::{FileSummary, SkippedFile, Summary};
use crate::validate::{Screen, Seen};
use crate::{aggregate, discover, extract, output, split, validate};

/// Rows per chunk unless configured: about 10 MB of raw text at 75 bytes a
/// row, and a few times that while it is judged. Twice as many were no
/// faster at 10M rows and took 80 MiB more.
pub const DEFAULT_BATCH_ROWS: usize = 1 << 17;

/// Bytes of input per row assumed to size the duplicate index up front, on
/// the low side of real exports (generated days have 75): a table sized for
/// too many rows can double its memory (its buckets come in powers of two),
/// while too few only costs one rehash as it grows.
const BYTES_PER_ROW_GUESS: u64 = 96;

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
    /// Rows per chunk read and judged at a time.
    pub batch_rows: usize,
    /// Keep the valid rows in [`Outcome::split`] for a sink (a database
    /// load); without it they are summed and let go.
    pub keep_valid: bool,
    /// Keep the rejected rows in [`Outcome::split`] too (for `sales-etl
    /// query`); without it they only go to `errors/` as they are found.
    pub keep_rejected: bool,
    /// The files of the run when they are not simply every CSV of
    /// `input_dir` (a day of a backfill).
    pub files: Option<Vec<InputFile>>,
    /// Write report files for this date only (a day of a backfill: its late
    /// rows for other dates go to the database, not over those dates' files).
    pub report_date: Option<chrono::NaiveDate>,
}

/// What a run produced: the summary, and the split for a sink to load.
#[derive(Debug)]
pub struct Outcome {
    pub summary: Summary,
    /// The valid rows when [`Config::keep_valid`] and the rejected rows when
    /// [`Config::keep_rejected`] (else none: those went to `errors/` as they
    /// were found), and the counts.
    pub split: Split,
    /// File names by file index (the split's `file_index`).
    pub names: Vec<String>,
}

/// One file's facts as a pass read them.
#[derive(Debug, Clone, Default, PartialEq)]
struct FileFacts {
    data_rows: u64,
    /// Empty when the pass did not hash the file (the second pass).
    sha256: String,
    /// Bytes and CRC-32.
    fingerprint: (u64, u32),
    unknown_columns: Vec<String>,
}

/// What the reading thread hands the pass.
enum Piece {
    Rows(DataFrame),
    /// The file at this index was read to its end.
    End(usize, FileFacts),
    /// The file at this index could not be read to its end.
    Failed(usize, BadFile),
}

/// Why a pass stopped.
enum Stop {
    File(usize, BadFile),
    Error(Error),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Stop {
        Stop::Error(error)
    }
}

pub fn run(config: &Config, messages: &Messages) -> Result<Outcome> {
    let mut timings = Timings::new();
    let started_at = crate::db::now_utc();

    let found = match &config.files {
        Some(files) => discover::Discovered {
            files: files.clone(),
            ignored: Vec::new(),
        },
        None => discover::discover(&config.input_dir)?,
    };
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

    let names: Vec<String> = found.files.iter().map(|f| f.name.clone()).collect();
    // Headers first: a file that is not a sales CSV at all is named before
    // any row is read.
    let mut bad_files: Vec<BadFile> = Vec::new();
    let mut usable = vec![true; names.len()];
    for (index, file) in found.files.iter().enumerate() {
        if let Err(bad) = FileReader::open(file, index as u32, &ProgressBar::hidden(), false) {
            bad_files.push(bad);
            usable[index] = false;
        }
    }

    let estimated_rows = (usable_bytes(&found.files, &usable) / BYTES_PER_ROW_GUESS) as usize;

    // Pass 1. A file that fails part-way is skipped (with
    // --skip-bad-files) by starting the pass again without it, so that none
    // of its rows counts for the others' duplicates or fences.
    let (screen, seen, facts) = loop {
        if !bad_files.is_empty() && !config.skip_bad_files {
            return Err(Error::BadInputFiles { files: bad_files });
        }
        let bar = messages.bytes_bar("reading (pass 1 of 2)", usable_bytes(&found.files, &usable));
        let mut screen = Screen::with_capacity(estimated_rows);
        let mut seen: Vec<Seen> = Vec::with_capacity(estimated_rows);
        let mut facts: Vec<FileFacts> = vec![FileFacts::default(); names.len()];
        let pass = read_pass(
            &found.files,
            &usable,
            config.batch_rows,
            true,
            &bar,
            |piece| {
                match piece {
                    Piece::Rows(rows) => seen.extend(screen.screen(rows)?),
                    Piece::End(index, read) => facts[index] = read,
                    Piece::Failed(index, bad) => return Err(Stop::File(index, bad)),
                }
                Ok(())
            },
        );
        bar.finish_and_clear();
        match pass {
            Ok(()) => break (screen, seen, facts),
            Err(Stop::Error(error)) => return Err(error),
            Err(Stop::File(index, bad)) => {
                usable[index] = false;
                bad_files.push(bad);
            }
        }
    };
    timings.lap("screen");
    for bad in &bad_files {
        warnings.push(format!("skipped {bad}"));
    }
    for (index, read) in facts.iter().enumerate() {
        if !read.unknown_columns.is_empty() {
            let list: Vec<String> = read
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
    }
    for warning in &warnings {
        messages.warn(warning);
    }

    let fences = if config.rules.outliers {
        screen.fences(config.rules.iqr_k)
    } else {
        None
    };
    drop(screen);

    // Pass 2.
    let mut files: Vec<Accounting> = facts
        .iter()
        .map(|f| Accounting {
            data_rows: f.data_rows,
            ..Accounting::default()
        })
        .collect();
    let mut writer = if config.dry_run {
        None
    } else {
        Some(output::RejectedWriter::new(&config.errors_dir, &names)?)
    };
    let mut totals = aggregate::Totals::default();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut valid_parts: Vec<DataFrame> = Vec::new();
    let mut rejected_parts: Vec<DataFrame> = Vec::new();
    let mut offset = 0usize;
    let bar = messages.bytes_bar(
        "checking (pass 2 of 2)",
        usable_bytes(&found.files, &usable),
    );
    let pass = read_pass(
        &found.files,
        &usable,
        config.batch_rows,
        false,
        &bar,
        |piece| {
            match piece {
                Piece::Rows(rows) => {
                    let end = offset + rows.height();
                    let Some(seen) = seen.get(offset..end) else {
                        let file = file_of(&rows).map_or_else(String::new, |i| names[i].clone());
                        return Err(Stop::Error(Error::InputChanged { file }));
                    };
                    offset = end;
                    let judged = validate::judge_rows(rows, seen, fences)?;
                    split::count(&judged, &mut files)?;
                    let (valid, rejected) = split::split_rows(&judged)?;
                    drop(judged);
                    totals.add(&valid)?;
                    for (reason, rows) in count_reasons(&rejected)? {
                        *reasons.entry(reason).or_default() += rows;
                    }
                    if let Some(writer) = writer.as_mut() {
                        writer.write(&rejected)?;
                    }
                    if config.keep_rejected {
                        rejected_parts.push(rejected);
                    }
                    if config.keep_valid {
                        valid_parts.push(valid);
                    }
                }
                Piece::End(index, read) => {
                    let first = &facts[index];
                    if read.data_rows != first.data_rows || read.fingerprint != first.fingerprint {
                        return Err(Stop::Error(Error::InputChanged {
                            file: names[index].clone(),
                        }));
                    }
                }
                Piece::Failed(_, bad) => {
                    return Err(Stop::Error(Error::BadInputFiles { files: vec![bad] }))
                }
            }
            Ok(())
        },
    );
    bar.finish_and_clear();
    match pass {
        Ok(()) => {}
        Err(Stop::Error(error)) => return Err(error),
        Err(Stop::File(_, bad)) => return Err(Error::BadInputFiles { files: vec![bad] }),
    }
    if offset != seen.len() {
        return Err(Error::Internal(format!(
            "{} rows screened but {offset} judged",
            seen.len()
        )));
    }
    drop(seen);
    split::check(&files, &names)?;
    let totals_of_run = split::total(&files);
    timings.lap("judge");

    let t = &totals_of_run;
    messages.step(format!(
        "checked {} data row{}: {} valid, {} invalid",
        t.data_rows,
        plural(t.data_rows as usize),
        t.valid,
        t.invalid
    ));
    messages.step(format!(
        "removed {} duplicate row{}",
        t.duplicate,
        plural(t.duplicate as usize)
    ));
    match fences {
        Some(f) => messages.step(format!(
            "flagged {} outlier{} (quantity outside [{}, {}])",
            t.outlier,
            plural(t.outlier as usize),
            f.lower,
            f.upper
        )),
        None if config.rules.outliers => {
            messages.step("no outlier fences: no row reached the outlier rule")
        }
        None => messages.step("outlier rule off"),
    }

    let daily_sales = totals.daily_sales()?;
    let top_products = totals.top_products(config.top)?;
    let revenue_by_hour = totals.revenue_by_hour();
    drop(totals);
    let valid = concat_rows(valid_parts, || Ok(empty_split()?.0))?;
    let rejected = concat_rows(rejected_parts, || Ok(empty_split()?.1))?;
    timings.lap("aggregate");

    let mut written = Vec::new();
    if let Some(writer) = writer {
        let rejected_per_file: Vec<u64> = files.iter().map(Accounting::rejected).collect();
        let rejected = writer.finish(&rejected_per_file)?;
        messages.step(format!(
            "wrote {} rejected row{} to {}",
            t.rejected(),
            plural(t.rejected() as usize),
            config.errors_dir.display()
        ));
        let on_date = |date: &str| {
            config
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
            .into_iter()
            .chain(reports)
            .map(|p| p.display().to_string())
            .collect();
        for path in &written {
            messages.detail(format!("wrote {path}"));
        }
        timings.lap("write");
    } else {
        messages.step("dry run: no file written");
    }
    for (stage, ms) in &timings.laps {
        messages.detail(format!("{stage}: {ms} ms"));
    }

    let file_summaries = (0..names.len())
        .filter(|i| usable[*i])
        .map(|i| FileSummary {
            file: names[i].clone(),
            bytes: found.files[i].size,
            sha256: facts[i].sha256.clone(),
            accounting: files[i].clone(),
        })
        .collect();
    let summary = Summary {
        started_at,
        files: file_summaries,
        totals: totals_of_run.clone(),
        reasons,
        fences,
        daily_sales,
        top_products,
        revenue_by_hour,
        skipped_files: bad_files.into_iter().map(SkippedFile::from).collect(),
        warnings,
        written,
        dry_run: config.dry_run,
        timings: timings.laps,
        load: None,
    };
    Ok(Outcome {
        summary,
        split: Split {
            valid,
            rejected,
            files,
            totals: totals_of_run,
        },
        names,
    })
}

fn usable_bytes(files: &[InputFile], usable: &[bool]) -> u64 {
    files
        .iter()
        .zip(usable)
        .filter(|(_, ok)| **ok)
        .map(|(f, _)| f.size)
        .sum()
}

/// The file index of a chunk's rows (a chunk holds one file's rows).
fn file_of(rows: &DataFrame) -> Option<usize> {
    let column = rows.column(FILE_INDEX).ok()?;
    Some(column.u32().ok()?.get(0)? as usize)
}

/// Reads the usable files in order, `batch_rows` rows at a time, on a
/// thread of its own, and hands each piece to `each` as it comes: the next
/// chunk is read while this one is judged. `sha256`: hash the files for the
/// run record. Stops at the first `Err`.
fn read_pass(
    files: &[InputFile],
    usable: &[bool],
    batch_rows: usize,
    sha256: bool,
    progress: &ProgressBar,
    mut each: impl FnMut(Piece) -> Result<(), Stop>,
) -> Result<(), Stop> {
    std::thread::scope(|scope| {
        // Two chunks in flight at most: one judged, one read.
        let (send, receive) = mpsc::sync_channel::<Piece>(1);
        let reader = std::thread::Builder::new().name("sales-etl-reader".into());
        let spawned = reader.spawn_scoped(scope, move || {
            for (index, file) in files.iter().enumerate() {
                if !usable[index] {
                    continue;
                }
                let mut reader = match FileReader::open(file, index as u32, progress, sha256) {
                    Ok(reader) => reader,
                    Err(bad) => {
                        let _ = send.send(Piece::Failed(index, bad));
                        return;
                    }
                };
                loop {
                    match reader.next_chunk(batch_rows.max(1)) {
                        Ok(Some(rows)) => {
                            if send.send(Piece::Rows(rows)).is_err() {
                                return;
                            }
                        }
                        Ok(None) => break,
                        Err(problem) => {
                            let bad = BadFile {
                                file: file.name.clone(),
                                problem,
                            };
                            let _ = send.send(Piece::Failed(index, bad));
                            return;
                        }
                    }
                }
                let read = FileFacts {
                    data_rows: reader.data_rows(),
                    sha256: reader.sha256().unwrap_or_default(),
                    fingerprint: reader.fingerprint(),
                    unknown_columns: reader.unknown_columns().to_vec(),
                };
                if send.send(Piece::End(index, read)).is_err() {
                    return;
                }
            }
        });
        if let Err(e) = spawned {
            return Err(Stop::Error(Error::Internal(format!(
                "cannot start the reading thread: {e}"
            ))));
        }
        // Returning early drops `receive`, which stops the reader.
        for piece in receive {
            each(piece)?;
        }
        Ok(())
    })
}

/// Frames with the columns of `split::Split::valid` and `rejected`, and no
/// rows.
pub fn empty_split() -> Result<(DataFrame, DataFrame)> {
    let judged = validate::judge(extract::empty(), validate::Options::default())?;
    split::split_rows(&judged.rows)
}

/// Frames of the same columns, stacked in order; `empty` when there are none.
fn concat_rows(
    frames: Vec<DataFrame>,
    empty: impl FnOnce() -> Result<DataFrame>,
) -> Result<DataFrame> {
    let mut frames = frames.into_iter();
    let Some(mut all) = frames.next() else {
        return empty();
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
