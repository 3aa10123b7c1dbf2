//! The run's driver: open inputs → read every file once (the row rules,
//! the id index, the quantity histogram, the sales sums) → fences → the
//! ledger → the valid rows again, when a sink wants them → the rejected
//! rows, read again by offset → check the ledger → finish the sinks. Each
//! stage's work is in its own module; what becomes of the judged rows is up
//! to the [`Sink`]s the caller plugs in. Tests and benchmarks call [`run`]
//! directly, as the commands do.
//!
//! Each file is cut into byte ranges of [`Config::range_bytes`] that
//! [`Config::threads`] threads read and screen at once. A range other than
//! a file's first begins at the first line start in it, a guess: where the
//! previous range ends (at its first record that begins at or after the
//! cut) is known only once that range is read, and a range whose guess
//! differs (a quoted line break across the cut) is read again from there.
//! The ranges' results are merged in file and line order, so "first" is
//! exact for duplicates and lines stay physical.
//!
//! Memory is bounded by the ranges in flight plus what the cross-row rules
//! must remember: each id once, and a few bytes per row (what became of it,
//! its quantity, where it begins in its file) so that the few rows that are
//! written out can be read again by offset.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Instant, SystemTime};

use indicatif::ProgressBar;
use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::aggregate::{CandidateSums, SalesSums};
use crate::columns::{FILE_INDEX, REASON};
use crate::discover::InputFile;
use crate::error::{BadFile, Error, Result};
use crate::extract::{FileReader, Header, Limits, Oversized, Place};
use crate::messages::{shown, Messages};
use crate::sink::{InputRead, Ledger, Sink, Start};
use crate::split::{self, Accounting};
use crate::summary::{FileSummary, SkippedFile};
use crate::validate::{self, Fences, Screen, Screened, Seen};
use crate::{discover, extract};

/// Rows per chunk unless configured: about 10 MB of raw text at 75 bytes a
/// row, and a few times that while it is judged.
pub const DEFAULT_BATCH_ROWS: usize = 1 << 17;

/// Bytes of a file one thread reads at a time unless configured: enough
/// rows that a range's fixed costs do not count, few enough that every
/// thread has work and the ranges in flight stay small.
pub const DEFAULT_RANGE_BYTES: u64 = 4 << 20;

/// Bytes of input per row assumed to size the duplicate index up front, on
/// the low side of real exports (generated days have 75): a table sized for
/// too many rows can double its memory (its buckets come in powers of two),
/// while too few only costs one rehash as it grows.
const BYTES_PER_ROW_GUESS: u64 = 96;

/// Fewer bytes than any data row of an export with its eight columns
/// takes; rows beyond it only make the per-row arrays grow.
const MIN_BYTES_PER_ROW: u64 = 32;

/// A checked configuration: the user's options for the passes and the
/// outputs, validated before any I/O. Which outputs a run has is the choice
/// of the sinks its caller plugs in, not an option here.
#[derive(Debug, Clone)]
pub struct Config {
    pub input_dir: std::path::PathBuf,
    pub errors_dir: std::path::PathBuf,
    pub reports_dir: std::path::PathBuf,
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
    /// Threads that read and judge ranges of the files at once.
    pub threads: usize,
    /// Bytes of a file per range (see the module's doc).
    pub range_bytes: u64,
}

/// Threads a run uses unless told: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What the passes found, besides what the sinks made of the rows.
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
    /// The sales sums of the valid rows.
    pub sums: SalesSums,
    /// Files passed over with `--skip-bad-files`.
    pub skipped_files: Vec<SkippedFile>,
    pub warnings: Vec<String>,
    /// Milliseconds per stage, as `<stage>_ms`.
    pub timings: BTreeMap<String, u64>,
}

/// One file's facts as the read found them.
#[derive(Debug, Clone, Default, PartialEq)]
struct FileFacts {
    data_rows: u64,
    sha256: String,
    /// Bytes hashed.
    bytes: u64,
    /// The first few records cut off at the limit, and how many in all.
    oversized: (Vec<Oversized>, u64),
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

/// A usable input file, its header read.
struct Opened {
    header: Header,
    /// Where its data rows begin.
    data: Place,
    /// Its size and modification time when the run began: the run reads
    /// that many bytes and fails if either has changed at its end.
    size: u64,
    modified: Option<SystemTime>,
    unknown: Vec<String>,
}

/// The inputs of a run: every file found, and which of them can be read.
struct Inputs {
    files: Vec<InputFile>,
    names: Vec<String>,
    opened: Vec<Option<Opened>>,
    bad_files: Vec<BadFile>,
    warnings: Vec<String>,
}

impl Inputs {
    fn usable(&self, index: usize) -> bool {
        self.opened[index].is_some()
    }

    fn usable_bytes(&self) -> u64 {
        self.opened.iter().flatten().map(|o| o.size).sum()
    }

    fn bad_file(&self, index: usize, problem: String) -> BadFile {
        BadFile {
            file: self.names[index].clone(),
            problem,
        }
    }
}

/// A range of a file whose bounds the read found: where it begins (a record
/// start), where it ends, and which rows of the run it holds.
#[derive(Debug, Clone, Copy)]
struct Span {
    file: usize,
    start: Place,
    end: u64,
    first_row: usize,
    rows: usize,
}

/// Where each row of the run begins in its file, compactly: four bytes per
/// row, its offset and line relative to a segment of rows that begins at
/// most 64 KiB and 65,535 lines before it.
#[derive(Default)]
struct Places {
    /// (first row, file, offset, line feeds) of each segment.
    segments: Vec<(usize, u32, u64, u64)>,
    offsets: Vec<u16>,
    line_feeds: Vec<u16>,
}

impl Places {
    fn with_capacity(rows: usize) -> Places {
        Places {
            segments: Vec::new(),
            offsets: Vec::with_capacity(rows),
            line_feeds: Vec::with_capacity(rows),
        }
    }

    fn push(&mut self, file: u32, offset: u64, line_feeds: u64) {
        let row = self.offsets.len();
        let near = |s: &(usize, u32, u64, u64)| {
            s.1 == file
                && offset >= s.2
                && offset - s.2 <= u64::from(u16::MAX)
                && line_feeds >= s.3
                && line_feeds - s.3 <= u64::from(u16::MAX)
        };
        if !self.segments.last().is_some_and(near) {
            self.segments.push((row, file, offset, line_feeds));
        }
        let (_, _, base, lines) = self.segments[self.segments.len() - 1];
        self.offsets.push((offset - base) as u16);
        self.line_feeds.push((line_feeds - lines) as u16);
    }

    /// The file index of every row, in order.
    fn files(&self) -> impl Iterator<Item = usize> + '_ {
        self.segments.iter().enumerate().flat_map(move |(i, s)| {
            let end = self
                .segments
                .get(i + 1)
                .map_or(self.offsets.len(), |next| next.0);
            std::iter::repeat_n(s.1 as usize, end - s.0)
        })
    }

    /// Row `row`'s file index and where it begins.
    fn get(&self, row: usize) -> (usize, Place) {
        let segment = self.segments.partition_point(|s| s.0 <= row) - 1;
        let (_, file, offset, line_feeds) = self.segments[segment];
        (
            file as usize,
            Place {
                offset: offset + u64::from(self.offsets[row]),
                line_feeds: line_feeds + u64::from(self.line_feeds[row]),
            },
        )
    }
}

/// What the read of every file leaves for the rest of the run.
struct Read {
    /// Per row of the run: what the first read saw, its quantity, where it
    /// begins.
    seen: Vec<Seen>,
    quantities: Vec<i32>,
    places: Places,
    spans: Vec<Span>,
    facts: Vec<FileFacts>,
    fences: Option<Fences>,
    sums: CandidateSums,
}

impl Read {
    /// The disposition of row `row`.
    fn disposition(&self, row: usize) -> validate::Disposition {
        use validate::Disposition;
        match self.seen[row] {
            Seen::Invalid => Disposition::Invalid,
            Seen::Again | Seen::Conflicting => Disposition::Duplicate,
            Seen::First if self.fences.is_some_and(|f| f.outside(self.quantities[row])) => {
                Disposition::Outlier
            }
            Seen::First => Disposition::Valid,
        }
    }
}

/// Runs the passes over the inputs of `config` and hands the judged rows
/// to `sinks`: open inputs → read every file once → fences → the ledger →
/// the valid rows (when a sink wants them) → the rejected rows → check the
/// ledger → finish the sinks.
pub fn run(config: &Config, messages: &Messages, sinks: &mut [&mut dyn Sink]) -> Result<Checked> {
    let mut timings = Timings::new();
    let started_at = crate::db::now_utc();
    let mut inputs = open_inputs(config, messages)?;
    let read = read_files(config, messages, &mut inputs)?;
    timings.lap("read");
    warn_about_inputs(&mut inputs, &read.facts, config.limits, messages);

    let ledger = ledger_of(&read, &inputs.names);
    split::check(&ledger.files, &inputs.names)?;
    let usable: Vec<usize> = (0..inputs.names.len())
        .filter(|i| inputs.usable(*i))
        .collect();
    let input_reads: Vec<InputRead> = usable
        .iter()
        .map(|&i| InputRead {
            index: i,
            name: inputs.names[i].clone(),
            bytes: read.facts[i].bytes,
            sha256: read.facts[i].sha256.clone(),
        })
        .collect();
    let start = Start {
        started_at: &started_at,
        names: &inputs.names,
        read: &input_reads,
        candidate_rows: ledger.totals.valid,
        fences: read.fences,
    };
    for sink in sinks.iter_mut() {
        sink.begin(&start)?;
    }
    if sinks.iter().any(|s| s.wants_valid_rows()) {
        valid_rows(config, messages, &inputs, &read, sinks)?;
        timings.lap("valid");
    }
    let reasons = rejected_rows(config, &inputs, &read, &ledger, sinks)?;
    timings.lap("rejected");
    check_unchanged(&inputs)?;
    tell_the_verdict(&ledger.totals, read.fences, config, messages);
    let sums = read.sums.settle(read.fences)?;
    for sink in sinks.iter_mut() {
        sink.finish(&ledger)?;
    }
    timings.lap("finish");

    let files = usable
        .iter()
        .map(|&i| FileSummary {
            file: inputs.names[i].clone(),
            bytes: read.facts[i].bytes,
            sha256: read.facts[i].sha256.clone(),
            accounting: ledger.files[i].clone(),
        })
        .collect();
    Ok(Checked {
        started_at,
        names: inputs.names,
        files,
        ledger,
        reasons,
        fences: read.fences,
        sums,
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
    let mut opened = Vec::with_capacity(names.len());
    for (index, file) in found.files.iter().enumerate() {
        match open_file(file, index, config.limits) {
            Ok(file) => opened.push(Some(file)),
            Err(bad) => {
                bad_files.push(bad);
                opened.push(None);
            }
        }
    }
    Ok(Inputs {
        files: found.files,
        names,
        opened,
        bad_files,
        warnings,
    })
}

fn open_file(file: &InputFile, index: usize, limits: Limits) -> Result<Opened, BadFile> {
    let bad = |problem: String| BadFile {
        file: file.name.clone(),
        problem,
    };
    let metadata = std::fs::metadata(&file.path).map_err(|e| bad(format!("cannot open: {e}")))?;
    let hidden = ProgressBar::hidden();
    let reader = FileReader::open(file, index as u32, &hidden, false, limits)?;
    Ok(Opened {
        header: reader.header().clone(),
        data: reader.position(),
        size: metadata.len(),
        modified: metadata.modified().ok(),
        unknown: reader.unknown_columns().to_vec(),
    })
}

/// Work for a thread of the read.
enum Job {
    /// A range of a file: from `start` (a guess unless `exact`) to the
    /// first record at or after `stop_at`.
    Range {
        file: usize,
        start: Place,
        exact: bool,
        stop_at: u64,
    },
    /// The SHA-256 of a file, for the run record.
    Hash { file: usize },
}

/// What a thread made of a range.
struct RangeRead {
    /// Where its first record begins, or where it stopped having found none.
    entry: Place,
    /// Where it stopped: its first record at or after its cut, or the end.
    stop: Place,
    chunks: Vec<Screened>,
    oversized: (Vec<Oversized>, u64),
}

enum Done {
    Range(Result<RangeRead, Stop>),
    Hash(Result<(String, u64), String>),
}

/// Reads and screens every usable file once: the row rules, the id index,
/// the quantity histogram and the sales sums. A file that fails part-way is
/// skipped (with --skip-bad-files) by reading again without it, so that
/// none of its rows counts for the others' duplicates or fences.
fn read_files(config: &Config, messages: &Messages, inputs: &mut Inputs) -> Result<Read> {
    let estimated_rows = (inputs.usable_bytes() / BYTES_PER_ROW_GUESS) as usize;
    loop {
        if !inputs.bad_files.is_empty() && !config.skip_bad_files {
            return Err(Error::BadInputFiles {
                files: std::mem::take(&mut inputs.bad_files),
            });
        }
        let bar = messages.bytes_bar("reading", inputs.usable_bytes());
        match read_once(config, inputs, estimated_rows, &bar) {
            Ok(read) => {
                bar.finish_and_clear();
                return Ok(read);
            }
            Err(Stop::Error(error)) => {
                bar.finish_and_clear();
                return Err(error);
            }
            Err(Stop::File(index, bad)) => {
                bar.finish_and_clear();
                inputs.opened[index] = None;
                inputs.bad_files.push(bad);
            }
        }
    }
}

fn read_once(
    config: &Config,
    inputs: &Inputs,
    estimated_rows: usize,
    bar: &ProgressBar,
) -> Result<Read, Stop> {
    let mut jobs = Vec::new();
    for (file, opened) in inputs.opened.iter().enumerate() {
        let Some(opened) = opened else { continue };
        let data = opened.data.offset;
        let step = config.range_bytes.max(1);
        let mut cut = data;
        loop {
            let next = cut.saturating_add(step);
            let last = next >= opened.size;
            jobs.push(Job::Range {
                file,
                start: if cut == data {
                    opened.data
                } else {
                    Place {
                        offset: cut,
                        line_feeds: 0,
                    }
                },
                exact: cut == data,
                stop_at: if last { u64::MAX } else { next },
            });
            if last {
                break;
            }
            cut = next;
        }
        jobs.push(Job::Hash { file });
    }

    let mut screen = Screen::with_capacity(estimated_rows);
    // The per-row arrays are reserved for more rows than any real export
    // holds for its bytes: pages never written are never resident, while a
    // vector that grows copies itself while its old copy is still there.
    let most_rows = (inputs.usable_bytes() / MIN_BYTES_PER_ROW) as usize;
    let mut read = Read {
        seen: Vec::with_capacity(most_rows),
        quantities: Vec::with_capacity(most_rows),
        places: Places::with_capacity(most_rows),
        spans: Vec::new(),
        facts: vec![FileFacts::default(); inputs.names.len()],
        fences: None,
        sums: CandidateSums::default(),
    };
    // Where the previous range of the current file stopped.
    let mut stopped: Option<Place> = None;
    in_order(
        &jobs,
        config.threads,
        |job| match job {
            Job::Range {
                file,
                start,
                exact,
                stop_at,
            } => {
                let done = read_range(config, inputs, *file, *start, *exact, *stop_at);
                let size = inputs.opened[*file].as_ref().map_or(0, |o| o.size);
                bar.inc((*stop_at).min(size).saturating_sub(start.offset));
                Done::Range(done)
            }
            Job::Hash { file } => Done::Hash(hash_file(inputs, *file)),
        },
        |index, done| {
            match (&jobs[index], done) {
                (
                    Job::Range {
                        file,
                        exact,
                        stop_at,
                        ..
                    },
                    Done::Range(result),
                ) => {
                    let file = *file;
                    let mut range = result?;
                    if !*exact {
                        let previous = stopped.ok_or_else(|| {
                            Stop::Error(Error::Internal("a range without its file's first".into()))
                        })?;
                        if range.entry.offset == previous.offset {
                            // The guess was right: count its lines on from
                            // where the previous range stopped.
                            let base = previous.line_feeds - range.entry.line_feeds;
                            range.rebase(base);
                        } else {
                            // A quoted line break (or a comment) across the
                            // cut: read the range again from where the
                            // previous one really stopped.
                            range = read_range(config, inputs, file, previous, true, *stop_at)?;
                        }
                    }
                    let begin = if *exact {
                        inputs.opened[file]
                            .as_ref()
                            .map_or(Place::default(), |o| o.data)
                    } else {
                        stopped.unwrap_or_default()
                    };
                    let first_row = read.seen.len();
                    let facts = &mut read.facts[file];
                    let (kept, all) = range.oversized;
                    for cut in kept {
                        if facts.oversized.0.len() < 3 {
                            facts.oversized.0.push(cut);
                        }
                    }
                    facts.oversized.1 += all;
                    for chunk in range.chunks {
                        merge_chunk(&mut screen, &mut read, file as u32, chunk)?;
                    }
                    let rows = read.seen.len() - first_row;
                    read.facts[file].data_rows += rows as u64;
                    read.spans.push(Span {
                        file,
                        start: begin,
                        end: range.stop.offset,
                        first_row,
                        rows,
                    });
                    stopped = Some(range.stop);
                }
                (Job::Hash { file }, Done::Hash(result)) => {
                    let file = *file;
                    let (sha256, bytes) =
                        result.map_err(|p| Stop::File(file, inputs.bad_file(file, p)))?;
                    read.facts[file].sha256 = sha256;
                    read.facts[file].bytes = bytes;
                    stopped = None;
                }
                _ => {
                    return Err(Stop::Error(Error::Internal(
                        "a job's result does not match it".into(),
                    )))
                }
            }
            Ok(())
        },
    )?;
    if config.rules.outliers {
        read.fences = screen.fences(config.rules.iqr_k);
    }
    Ok(read)
}

impl RangeRead {
    /// Adds `base` line feeds to every line the range counted from its
    /// guessed start.
    fn rebase(&mut self, base: u64) {
        self.entry.line_feeds += base;
        self.stop.line_feeds += base;
        for chunk in &mut self.chunks {
            for line in &mut chunk.lines {
                *line += base;
            }
        }
        for cut in &mut self.oversized.0 {
            cut.line += base;
        }
    }
}

/// Reads and screens one range of a file on the calling thread.
fn read_range(
    config: &Config,
    inputs: &Inputs,
    file: usize,
    start: Place,
    exact: bool,
    stop_at: u64,
) -> Result<RangeRead, Stop> {
    let bad = |problem: String| Stop::File(file, inputs.bad_file(file, problem));
    let opened = inputs.opened[file]
        .as_ref()
        .ok_or_else(|| Stop::Error(Error::Internal("a skipped file was read".into())))?;
    let mut reader = FileReader::range(
        &inputs.files[file],
        &opened.header,
        file as u32,
        start,
        exact,
        stop_at,
        opened.size,
        config.limits,
    )
    .map_err(bad)?
    .for_screening();
    let mut chunks = Vec::new();
    while let Some(rows) = reader.next_chunk(config.batch_rows.max(1)).map_err(bad)? {
        chunks.push(validate::screen_rows(rows, true)?);
    }
    let (first, all) = reader.oversized();
    Ok(RangeRead {
        entry: reader.entry().unwrap_or_else(|| reader.position()),
        stop: reader.stopped().unwrap_or_else(|| reader.position()),
        chunks,
        oversized: (first.to_vec(), all),
    })
}

/// The SHA-256 of the bytes of `file` the run reads, and how many.
fn hash_file(inputs: &Inputs, file: usize) -> Result<(String, u64), String> {
    use std::io::Read;
    let size = inputs.opened[file].as_ref().map_or(0, |o| o.size);
    let handle =
        std::fs::File::open(&inputs.files[file].path).map_err(|e| format!("cannot open: {e}"))?;
    let mut limited = handle.take(size);
    let mut sha = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = match limited.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("read failed: {e}")),
        };
        sha.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((format!("{:x}", sha.finalize()), bytes))
}

/// Takes a screened chunk into the run, in order: its rows into the id
/// index, their verdicts, quantities and places, their sums.
fn merge_chunk(
    screen: &mut Screen,
    read: &mut Read,
    file: u32,
    mut chunk: Screened,
) -> Result<(), Stop> {
    let seen = screen.observe(&chunk);
    chunk.take_away_repeated(&seen);
    for ((offset, line), quantity) in chunk
        .offsets
        .iter()
        .zip(&chunk.lines)
        .zip(&chunk.quantities)
    {
        read.places.push(file, *offset, line - 1);
        read.quantities.push(*quantity);
    }
    read.sums.add(chunk.sums);
    read.seen.extend(seen);
    Ok(())
}

/// The ledger of the run from each row's disposition.
fn ledger_of(read: &Read, names: &[String]) -> Ledger {
    let mut files: Vec<Accounting> = read
        .facts
        .iter()
        .map(|f| Accounting {
            data_rows: f.data_rows,
            ..Accounting::default()
        })
        .collect();
    files.resize(names.len(), Accounting::default());
    for (row, file) in read.places.files().enumerate() {
        let account = &mut files[file];
        match read.disposition(row) {
            validate::Disposition::Valid => account.valid += 1,
            validate::Disposition::Invalid => account.invalid += 1,
            validate::Disposition::Duplicate => account.duplicate += 1,
            validate::Disposition::Outlier => account.outlier += 1,
        }
    }
    let totals = split::total(&files);
    Ledger { files, totals }
}

/// Reads the files again, range by range on every thread, and hands the
/// valid rows to the sinks in order.
fn valid_rows(
    config: &Config,
    messages: &Messages,
    inputs: &Inputs,
    read: &Read,
    sinks: &mut [&mut dyn Sink],
) -> Result<()> {
    let bar = messages.bytes_bar("reading valid rows again", inputs.usable_bytes());
    let result = in_order(
        &read.spans,
        config.threads,
        |span| {
            let done = judge_span(config, inputs, read, span);
            bar.inc(span.end.saturating_sub(span.start.offset));
            done
        },
        |_, done| {
            for rows in done? {
                for sink in sinks.iter_mut() {
                    sink.valid(&rows)?;
                }
            }
            Ok(())
        },
    );
    bar.finish_and_clear();
    result.map_err(|stop| match stop {
        Stop::Error(error) => error,
        Stop::File(_, bad) => Error::BadInputFiles { files: vec![bad] },
    })
}

/// The valid rows of one span, judged with what the first read saw.
fn judge_span(
    config: &Config,
    inputs: &Inputs,
    read: &Read,
    span: &Span,
) -> Result<Vec<DataFrame>, Stop> {
    let changed = || {
        Stop::Error(Error::InputChanged {
            file: inputs.names[span.file].clone(),
        })
    };
    let opened = inputs.opened[span.file].as_ref().ok_or_else(changed)?;
    let mut reader = FileReader::range(
        &inputs.files[span.file],
        &opened.header,
        span.file as u32,
        span.start,
        true,
        span.end,
        opened.size,
        config.limits,
    )
    .map_err(|problem| Stop::File(span.file, inputs.bad_file(span.file, problem)))?;
    let mut row = span.first_row;
    let end = span.first_row + span.rows;
    let mut valid = Vec::new();
    loop {
        let rows = reader
            .next_chunk(config.batch_rows.max(1))
            .map_err(|problem| Stop::File(span.file, inputs.bad_file(span.file, problem)))?;
        let Some(rows) = rows else { break };
        let next = row + rows.height();
        let seen = read
            .seen
            .get(row..next)
            .filter(|_| next <= end)
            .ok_or_else(changed)?;
        row = next;
        let judged = validate::judge_rows(rows, seen, read.fences)?;
        let (rows, _) = split::split_rows(&judged)?;
        if rows.height() > 0 {
            valid.push(rows);
        }
    }
    if row != end {
        return Err(changed());
    }
    Ok(valid)
}

/// Reads the rejected rows again by offset (a batch of one file's rows per
/// job, on every thread), judges them as the first read did, and hands them
/// to the sinks in order; counts them by reason, and checks them against
/// the ledger.
fn rejected_rows(
    config: &Config,
    inputs: &Inputs,
    read: &Read,
    ledger: &Ledger,
    sinks: &mut [&mut dyn Sink],
) -> Result<BTreeMap<String, u64>> {
    let batch = config.batch_rows.max(1);
    let mut batches: Vec<(usize, Vec<usize>)> = Vec::new();
    for (row, file) in read.places.files().enumerate() {
        if read.disposition(row) == validate::Disposition::Valid {
            continue;
        }
        match batches.last_mut() {
            Some((f, rows)) if *f == file && rows.len() < batch => rows.push(row),
            _ => batches.push((file, vec![row])),
        }
    }
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut written = vec![0u64; inputs.names.len()];
    let result = in_order(
        &batches,
        config.threads,
        |(file, rows)| fetch_rejected(config, inputs, read, *file, rows),
        |index, done| {
            let rejected = done?;
            for (reason, count) in count_reasons(&rejected)? {
                *reasons.entry(reason).or_default() += count;
            }
            written[batches[index].0] += rejected.height() as u64;
            for sink in sinks.iter_mut() {
                sink.rejected(&rejected)?;
            }
            Ok(())
        },
    );
    result.map_err(|stop| match stop {
        Stop::Error(error) => error,
        Stop::File(_, bad) => Error::BadInputFiles { files: vec![bad] },
    })?;
    for (file, account) in ledger.files.iter().enumerate() {
        if account.rejected() != written[file] {
            return Err(Error::Internal(format!(
                "`{}`: {} rows rejected but {} written",
                inputs.names[file],
                account.rejected(),
                written[file]
            )));
        }
    }
    Ok(reasons)
}

/// The rejected rows `rows` of `file`, read again by offset and judged.
fn fetch_rejected(
    config: &Config,
    inputs: &Inputs,
    read: &Read,
    file: usize,
    rows: &[usize],
) -> Result<DataFrame, Stop> {
    let changed = || {
        Stop::Error(Error::InputChanged {
            file: inputs.names[file].clone(),
        })
    };
    let bad = |problem: String| Stop::File(file, inputs.bad_file(file, problem));
    let opened = inputs.opened[file].as_ref().ok_or_else(changed)?;
    let mut reader = FileReader::range(
        &inputs.files[file],
        &opened.header,
        file as u32,
        opened.data,
        true,
        u64::MAX,
        opened.size,
        config.limits,
    )
    .map_err(bad)?;
    let places: Vec<Place> = rows.iter().map(|r| read.places.get(*r).1).collect();
    let frame = reader.fetch(&places).map_err(bad)?;
    let seen: Vec<Seen> = rows.iter().map(|r| read.seen[*r]).collect();
    let judged = validate::judge_rows(frame, &seen, read.fences)?;
    let (valid, rejected) = split::split_rows(&judged)?;
    if valid.height() != 0 || rejected.height() != rows.len() {
        return Err(changed());
    }
    Ok(rejected)
}

/// Fails when a file's size or modification time differs from when the run
/// began: another process wrote to it meanwhile.
fn check_unchanged(inputs: &Inputs) -> Result<()> {
    for (index, opened) in inputs.opened.iter().enumerate() {
        let Some(opened) = opened else { continue };
        let now = std::fs::metadata(&inputs.files[index].path).ok();
        let same =
            now.is_some_and(|m| m.len() == opened.size && m.modified().ok() == opened.modified);
        if !same {
            return Err(Error::InputChanged {
                file: inputs.names[index].clone(),
            });
        }
    }
    Ok(())
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
    for (index, opened) in inputs.opened.iter().enumerate() {
        let Some(opened) = opened else { continue };
        if !opened.unknown.is_empty() {
            let list: Vec<String> = opened.unknown.iter().map(|c| format!("`{c}`")).collect();
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

/// Runs `work` on every job, on `threads` threads, and hands the results to
/// `merge` in the jobs' order on the calling thread. At most one job more
/// than there are threads is done ahead of the merge, so memory stays
/// bounded.
/// The first `Err` of `merge` stops the jobs not yet begun.
fn in_order<J: Sync, T: Send>(
    jobs: &[J],
    threads: usize,
    work: impl Fn(&J) -> T + Sync,
    mut merge: impl FnMut(usize, T) -> Result<(), Stop>,
) -> Result<(), Stop> {
    if threads <= 1 || jobs.len() <= 1 {
        for (index, job) in jobs.iter().enumerate() {
            merge(index, work(job))?;
        }
        return Ok(());
    }
    let window = threads + 1;
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let merged = Mutex::new(0usize);
    let moved = Condvar::new();
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::channel::<(usize, T)>();
        for _ in 0..threads {
            let send = send.clone();
            let (next, stopped, merged, moved, work) = (&next, &stopped, &merged, &moved, &work);
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                if index >= jobs.len() {
                    return;
                }
                {
                    let mut done = merged.lock().unwrap_or_else(|e| e.into_inner());
                    while index >= *done + window && !stopped.load(Ordering::SeqCst) {
                        done = moved.wait(done).unwrap_or_else(|e| e.into_inner());
                    }
                }
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                if send.send((index, work(&jobs[index]))).is_err() {
                    return;
                }
            });
        }
        drop(send);
        let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
        let mut expected = 0;
        let mut outcome = Ok(());
        'receive: for (index, result) in &receive {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&expected) {
                if let Err(stop) = merge(expected, result) {
                    outcome = Err(stop);
                    break 'receive;
                }
                expected += 1;
                *merged.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                moved.notify_all();
            }
        }
        stopped.store(true, Ordering::SeqCst);
        moved.notify_all();
        drop(receive);
        outcome
    })
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
