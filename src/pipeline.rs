//! The run's driver: open inputs → screen pass → fences → judge pass
//! feeding the sinks → check the ledger → finish the sinks. Each stage's
//! work is in its own module; what becomes of the judged rows is up to the
//! [`Sink`]s the caller plugs in. Tests and benchmarks call [`run`]
//! directly, as the commands do.
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
//!    give each row its disposition; each judged chunk goes to every sink
//!    as soon as it is made (nothing is held for the end of the run).
//!
//! A file whose second read differs from its first (its fingerprint, or its
//! row count) fails the run before any sink finishes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use indicatif::ProgressBar;
use polars::prelude::*;

use crate::columns::{FILE_INDEX, REASON};
use crate::discover::InputFile;
use crate::error::{BadFile, Error, Result};
use crate::extract::{FileReader, Limits, Oversized};
use crate::messages::{shown, Messages};
use crate::sink::{InputRead, Judged, Ledger, Sink, Start};
use crate::split::{self, Accounting};
use crate::summary::{FileSummary, SkippedFile};
use crate::validate::{self, Fences, Screen, Seen};
use crate::{discover, extract};

/// Rows per chunk unless configured: about 10 MB of raw text at 75 bytes a
/// row, and a few times that while it is judged. Twice as many were no
/// faster at 10M rows and took 80 MiB more.
pub const DEFAULT_BATCH_ROWS: usize = 1 << 17;

/// Bytes of input per row assumed to size the duplicate index up front, on
/// the low side of real exports (generated days have 75): a table sized for
/// too many rows can double its memory (its buckets come in powers of two),
/// while too few only costs one rehash as it grows.
const BYTES_PER_ROW_GUESS: u64 = 96;

/// A checked configuration: the user's options for the passes and the
/// outputs, validated before any I/O. Which outputs a run has is the choice
/// of the sinks its caller plugs in, not an option here.
#[derive(Debug, Clone)]
pub struct Config {
    pub input_dir: PathBuf,
    pub errors_dir: PathBuf,
    pub reports_dir: PathBuf,
    /// Products per day in the top-products report.
    pub top: u32,
    pub rules: validate::Options,
    pub skip_bad_files: bool,
    /// Rows per chunk read and judged at a time.
    pub batch_rows: usize,
    /// What a record and a header may cost.
    pub limits: Limits,
    /// The files of the run when they are not simply every CSV of
    /// `input_dir` (a day of a backfill).
    pub files: Option<Vec<InputFile>>,
}

/// What the passes found, besides what the sinks made of the rows.
#[derive(Debug, Clone)]
pub struct Checked {
    /// UTC, `YYYY-MM-DD HH:MM:SS.ffffff`.
    pub started_at: String,
    /// Every input file's name, by file index (skipped files included).
    pub names: Vec<String>,
    /// The files read, with their counts, in file-index order.
    pub files: Vec<FileSummary>,
    pub ledger: Ledger,
    /// Rejected rows per reason.
    pub reasons: BTreeMap<String, u64>,
    pub fences: Option<Fences>,
    /// Files passed over with `--skip-bad-files`.
    pub skipped_files: Vec<SkippedFile>,
    pub warnings: Vec<String>,
    /// Milliseconds per stage, as `<stage>_ms`.
    pub timings: BTreeMap<String, u64>,
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
    /// The first few records cut off at the limit, and how many in all.
    oversized: (Vec<Oversized>, u64),
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

/// The inputs of a run: every file found, and which of them can be read.
struct Inputs {
    files: Vec<InputFile>,
    names: Vec<String>,
    usable: Vec<bool>,
    bad_files: Vec<BadFile>,
    warnings: Vec<String>,
}

impl Inputs {
    fn usable_bytes(&self) -> u64 {
        usable_bytes(&self.files, &self.usable)
    }
}

/// What the screen pass leaves for the judge pass.
struct Screened {
    seen: Vec<Seen>,
    facts: Vec<FileFacts>,
    fences: Option<Fences>,
}

/// Runs the passes over the inputs of `config` and hands every judged
/// chunk to `sinks`: open inputs → screen pass → fences → judge pass
/// feeding the sinks → check the ledger → finish the sinks.
pub fn run(config: &Config, messages: &Messages, sinks: &mut [&mut dyn Sink]) -> Result<Checked> {
    let mut timings = Timings::new();
    let started_at = crate::db::now_utc();
    let mut inputs = open_inputs(config, messages)?;
    let screened = screen_pass(config, messages, &mut inputs)?;
    timings.lap("screen");
    warn_about_inputs(&mut inputs, &screened.facts, config.limits, messages);

    let read: Vec<InputRead> = (0..inputs.names.len())
        .filter(|i| inputs.usable[*i])
        .map(|i| InputRead {
            index: i,
            name: inputs.names[i].clone(),
            // The bytes the first pass read and hashed: size and SHA-256
            // describe the same bytes even if the file grew meanwhile.
            bytes: screened.facts[i].fingerprint.0,
            sha256: screened.facts[i].sha256.clone(),
        })
        .collect();
    let start = Start {
        started_at: &started_at,
        names: &inputs.names,
        read: &read,
        candidate_rows: screened.seen.iter().filter(|s| **s == Seen::First).count() as u64,
        fences: screened.fences,
    };
    for sink in sinks.iter_mut() {
        sink.begin(&start)?;
    }
    let (ledger, reasons) = judge_pass(config, messages, &inputs, &screened, sinks)?;
    split::check(&ledger.files, &inputs.names)?;
    timings.lap("judge");
    tell_the_verdict(&ledger.totals, screened.fences, config, messages);
    for sink in sinks.iter_mut() {
        sink.finish(&ledger)?;
    }
    timings.lap("finish");

    let files = (0..inputs.names.len())
        .filter(|i| inputs.usable[*i])
        .map(|i| FileSummary {
            file: inputs.names[i].clone(),
            // The bytes the first pass read and hashed: size and SHA-256
            // describe the same bytes even if the file grew meanwhile.
            bytes: screened.facts[i].fingerprint.0,
            sha256: screened.facts[i].sha256.clone(),
            accounting: ledger.files[i].clone(),
        })
        .collect();
    Ok(Checked {
        started_at,
        names: inputs.names,
        files,
        ledger,
        reasons,
        fences: screened.fences,
        skipped_files: inputs
            .bad_files
            .into_iter()
            .map(SkippedFile::from)
            .collect(),
        warnings: inputs.warnings,
        timings: timings.laps,
    })
}

/// Finds the files and reads their headers: a file that is not a sales
/// CSV at all is named before any row is read.
fn open_inputs(config: &Config, messages: &Messages) -> Result<Inputs> {
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
            found
                .ignored
                .iter()
                .map(|name| shown(name).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let names: Vec<String> = found.files.iter().map(|f| f.name.clone()).collect();
    let mut bad_files = Vec::new();
    let mut usable = vec![true; names.len()];
    for (index, file) in found.files.iter().enumerate() {
        let hidden = ProgressBar::hidden();
        if let Err(bad) = FileReader::open(file, index as u32, &hidden, false, config.limits) {
            bad_files.push(bad);
            usable[index] = false;
        }
    }
    Ok(Inputs {
        files: found.files,
        names,
        usable,
        bad_files,
        warnings,
    })
}

/// Pass 1: the row rules on every chunk, ids and value hashes into the
/// duplicate index, quantities into the fences' histogram. A file that
/// fails part-way is skipped (with --skip-bad-files) by starting the pass
/// again without it, so that none of its rows counts for the others'
/// duplicates or fences.
fn screen_pass(config: &Config, messages: &Messages, inputs: &mut Inputs) -> Result<Screened> {
    let estimated_rows = (inputs.usable_bytes() / BYTES_PER_ROW_GUESS) as usize;
    loop {
        if !inputs.bad_files.is_empty() && !config.skip_bad_files {
            return Err(Error::BadInputFiles {
                files: std::mem::take(&mut inputs.bad_files),
            });
        }
        let bar = messages.bytes_bar("reading (pass 1 of 2)", inputs.usable_bytes());
        let mut screen = Screen::with_capacity(estimated_rows);
        let mut seen: Vec<Seen> = Vec::with_capacity(estimated_rows);
        let mut facts: Vec<FileFacts> = vec![FileFacts::default(); inputs.names.len()];
        let pass = read_pass(&inputs.files, &inputs.usable, config, true, &bar, |piece| {
            match piece {
                Piece::Rows(rows) => seen.extend(screen.screen(rows)?),
                Piece::End(index, read) => facts[index] = read,
                Piece::Failed(index, bad) => return Err(Stop::File(index, bad)),
            }
            Ok(())
        });
        bar.finish_and_clear();
        match pass {
            Ok(()) => {
                let fences = if config.rules.outliers {
                    screen.fences(config.rules.iqr_k)
                } else {
                    None
                };
                return Ok(Screened {
                    seen,
                    facts,
                    fences,
                });
            }
            Err(Stop::Error(error)) => return Err(error),
            Err(Stop::File(index, bad)) => {
                inputs.usable[index] = false;
                inputs.bad_files.push(bad);
            }
        }
    }
}

fn warn_about_inputs(
    inputs: &mut Inputs,
    facts: &[FileFacts],
    limits: Limits,
    messages: &Messages,
) {
    for bad in &inputs.bad_files {
        inputs.warnings.push(format!("skipped {bad}"));
    }
    for (index, read) in facts.iter().enumerate() {
        if !read.unknown_columns.is_empty() {
            let list: Vec<String> = read
                .unknown_columns
                .iter()
                .map(|c| format!("`{c}`"))
                .collect();
            inputs.warnings.push(format!(
                "{}: unknown column{} {} left out",
                shown(&inputs.names[index]),
                plural(list.len()),
                list.join(", ")
            ));
        }
    }
    for (index, read) in facts.iter().enumerate() {
        let (first, all) = &read.oversized;
        if *all == 0 {
            continue;
        }
        let mut what: Vec<String> = first
            .iter()
            .map(|cut| cut.describe(limits.max_record_bytes))
            .collect();
        if *all > first.len() as u64 {
            what.push(format!("and {} more", *all - first.len() as u64));
        }
        inputs.warnings.push(format!(
            "{}: {all} record{} rejected as `{}` (--max-record-bytes): {}; reading resumed at the line after each",
            shown(&inputs.names[index]),
            plural(*all as usize),
            crate::rules::OVERSIZED_ROW,
            what.join("; ")
        ));
    }
    for warning in &inputs.warnings {
        messages.warn(warning);
    }
}

/// Pass 2: the rules again on the same chunks, now with the fences, to give
/// each row its disposition; each judged chunk goes to every sink, its
/// counts to the ledger. A file whose second read differs from its first
/// (its fingerprint, or its row count) fails the run.
fn judge_pass(
    config: &Config,
    messages: &Messages,
    inputs: &Inputs,
    screened: &Screened,
    sinks: &mut [&mut dyn Sink],
) -> Result<(Ledger, BTreeMap<String, u64>)> {
    let mut files: Vec<Accounting> = screened
        .facts
        .iter()
        .map(|f| Accounting {
            data_rows: f.data_rows,
            ..Accounting::default()
        })
        .collect();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut offset = 0usize;
    let bar = messages.bytes_bar("checking (pass 2 of 2)", inputs.usable_bytes());
    let pass = read_pass(
        &inputs.files,
        &inputs.usable,
        config,
        false,
        &bar,
        |piece| {
            match piece {
                Piece::Rows(rows) => {
                    let end = offset + rows.height();
                    let Some(seen) = screened.seen.get(offset..end) else {
                        let file =
                            file_of(&rows).map_or_else(String::new, |i| inputs.names[i].clone());
                        return Err(Stop::Error(Error::InputChanged { file }));
                    };
                    offset = end;
                    let judged = validate::judge_rows(rows, seen, screened.fences)?;
                    split::count(&judged, &mut files)?;
                    let (valid, rejected) = split::split_rows(&judged)?;
                    drop(judged);
                    for (reason, rows) in count_reasons(&rejected)? {
                        *reasons.entry(reason).or_default() += rows;
                    }
                    let chunk = Judged {
                        valid: &valid,
                        rejected: &rejected,
                    };
                    for sink in sinks.iter_mut() {
                        sink.judged(&chunk)?;
                    }
                }
                Piece::End(index, read) => {
                    let first = &screened.facts[index];
                    if read.data_rows != first.data_rows || read.fingerprint != first.fingerprint {
                        return Err(Stop::Error(Error::InputChanged {
                            file: inputs.names[index].clone(),
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
    if offset != screened.seen.len() {
        return Err(Error::Internal(format!(
            "{} rows screened but {offset} judged",
            screened.seen.len()
        )));
    }
    let totals = split::total(&files);
    Ok((Ledger { files, totals }, reasons))
}

fn tell_the_verdict(t: &Accounting, fences: Option<Fences>, config: &Config, messages: &Messages) {
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

/// Reads the usable files in order, `config.batch_rows` rows at a time, on a
/// thread of its own, and hands each piece to `each` as it comes: the next
/// chunk is read while this one is judged. `sha256`: hash the files for the
/// run record. Stops at the first `Err`.
fn read_pass(
    files: &[InputFile],
    usable: &[bool],
    config: &Config,
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
                let opened = FileReader::open(file, index as u32, progress, sha256, config.limits);
                let mut reader = match opened {
                    Ok(reader) => reader,
                    Err(bad) => {
                        let _ = send.send(Piece::Failed(index, bad));
                        return;
                    }
                };
                loop {
                    match reader.next_chunk(config.batch_rows.max(1)) {
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
                    oversized: {
                        let (first, all) = reader.oversized();
                        (first.to_vec(), all)
                    },
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

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn human_bytes(bytes: u64) -> String {
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
