//! Reading the files, in byte ranges on every thread: the first read
//! that screens every row once ([`read_once`]), and the second reads — the
//! valid rows of a range again ([`judge_span`]), rejected rows by their
//! offsets ([`fetch_rejected`]). [`in_order`] runs the jobs on threads and
//! hands their results back in order. The pipeline drives these stages;
//! this module owns how a file is cut, read and stitched back together.
//!
//! Each file is cut into ranges of [`Config::range_bytes`]. A range other
//! than a file's first begins at the first line start in it, a guess: where
//! the previous range ends (at its first record that begins at or after the
//! cut) is known only once that range is read, and a range whose guess
//! differs (a quoted line break across the cut) is read again from there.
//! The ranges are merged in file and line order, so "first" is exact for
//! duplicates and lines stay physical.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::SystemTime;

use indicatif::ProgressBar;
use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{BadFile, Error};
use crate::judge::aggregate::CandidateSums;
use crate::judge::split;
use crate::judge::validate::{self, Fences, Screen, Screened, Seen};
use crate::read::discover::InputFile;
use crate::read::extract::{self, FileReader, Header, Oversized, Place};
use foldhash::HashMap;

/// What the read engine needs of a run's configuration: the driver
/// (the pipeline) hands it down, so that this module does not reach
/// up into the driver's `Config`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadOptions {
    pub(crate) rules: validate::Options,
    /// Rows per chunk read and judged at a time.
    pub(crate) batch_rows: usize,
    pub(crate) limits: crate::read::extract::Limits,
    /// Threads that read and judge ranges at once.
    pub(crate) threads: usize,
    /// Bytes of a file per range.
    pub(crate) range_bytes: u64,
}

/// Fewer bytes than any data row of an export with its eight columns
/// takes; rows beyond it only make the per-row arrays grow.
const MIN_BYTES_PER_ROW: u64 = 32;

/// One file's facts as the first read found them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FileFacts {
    pub(crate) data_rows: u64,
    pub(crate) sha256: String,
    /// Bytes hashed.
    pub(crate) bytes: u64,
    /// The first few records cut off at the limit, and how many in all.
    pub(crate) oversized: (Vec<Oversized>, u64),
}

/// Why a pass stopped.
pub(crate) enum Stop {
    File(usize, BadFile),
    Error(Error),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Stop {
        Stop::Error(error)
    }
}

/// A usable input file, its header read.
pub(crate) struct Opened {
    pub(crate) header: Header,
    /// Where its data rows begin.
    pub(crate) data: Place,
    /// Its size and modification time when the run began: the run reads
    /// that many bytes and fails if either has changed at its end.
    pub(crate) size: u64,
    pub(crate) modified: Option<SystemTime>,
    pub(crate) unknown: Vec<String>,
    /// How it is read, and why.
    pub(crate) read_as: crate::read::dialect::ReadAs,
    /// A file read from a decoded copy: the original's SHA-256 and size,
    /// which are its identity.
    pub(crate) original: Option<(String, u64)>,
}

/// The inputs of a run: every file found, and which of them can be read.
pub(crate) struct Inputs {
    pub(crate) files: Vec<InputFile>,
    pub(crate) names: Vec<String>,
    pub(crate) opened: Vec<Option<Opened>>,
    pub(crate) bad_files: Vec<BadFile>,
    pub(crate) warnings: Vec<String>,
    /// Where decoded copies of files in other encodings live for the run.
    pub(crate) decoded: Option<tempfile::TempDir>,
}

impl Inputs {
    pub(crate) fn usable(&self, index: usize) -> bool {
        self.opened[index].is_some()
    }

    pub(crate) fn usable_bytes(&self) -> u64 {
        self.opened.iter().flatten().map(|o| o.size).sum()
    }

    pub(crate) fn bad_file(&self, index: usize, problem: String) -> BadFile {
        BadFile {
            file: self.names[index].clone(),
            problem,
        }
    }
}

/// A range of a file whose bounds the read found: where it begins (a record
/// start), where it ends, and which rows of the run it holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub(crate) file: usize,
    pub(crate) start: Place,
    pub(crate) end: u64,
    pub(crate) first_row: usize,
    pub(crate) rows: usize,
}

/// Where each row of the run begins in its file, compactly: four bytes per
/// row, its offset and line relative to a segment of rows that begins at
/// most 64 KiB and 65,535 lines before it.
#[derive(Default)]
pub(crate) struct Places {
    /// (first row, file, offset, line feeds) of each segment.
    segments: Vec<(usize, u32, u64, u64)>,
    offsets: Vec<u16>,
    line_feeds: Vec<u16>,
}

impl Places {
    pub(crate) fn with_capacity(rows: usize) -> Places {
        Places {
            segments: Vec::new(),
            offsets: Vec::with_capacity(rows),
            line_feeds: Vec::with_capacity(rows),
        }
    }

    pub(crate) fn push(&mut self, file: u32, offset: u64, line_feeds: u64) {
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
    pub(crate) fn files(&self) -> impl Iterator<Item = usize> + '_ {
        self.segments.iter().enumerate().flat_map(move |(i, s)| {
            let end = self
                .segments
                .get(i + 1)
                .map_or(self.offsets.len(), |next| next.0);
            std::iter::repeat_n(s.1 as usize, end - s.0)
        })
    }

    /// Row `row`'s file index and where it begins.
    pub(crate) fn get(&self, row: usize) -> (usize, Place) {
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

/// What the first read of every file leaves for the rest of the run.
pub(crate) struct FirstRead {
    /// Per row of the run: what the first read saw, its quantity, where it
    /// begins.
    pub(crate) seen: Vec<Seen>,
    pub(crate) quantities: Vec<i32>,
    pub(crate) places: Places,
    pub(crate) spans: Vec<Span>,
    pub(crate) facts: Vec<FileFacts>,
    pub(crate) fences: Option<Fences>,
    pub(crate) sums: CandidateSums,
    /// With fences per product: per row of the run, its product's number
    /// in `product_names` (`u32::MAX` for a row that failed the rules);
    /// empty otherwise.
    pub(crate) products: Vec<u32>,
    pub(crate) product_names: HashMap<String, u32>,
    /// By product number: the product's own fences, if it has any.
    pub(crate) own_fences: Vec<Option<Fences>>,
    /// The same by product id, for the sums.
    pub(crate) fences_by_product: HashMap<String, Fences>,
}

impl FirstRead {
    /// The disposition of row `row`.
    pub(crate) fn disposition(&self, row: usize) -> validate::Disposition {
        let outside = (self.fences_for_row(row)).is_some_and(|f| f.outside(self.quantities[row]));
        validate::Disposition::of(self.seen[row], outside)
    }

    /// The fences row `row` is held to: its product's own, else the run's.
    fn fences_for_row(&self, row: usize) -> Option<Fences> {
        self.products
            .get(row)
            .and_then(|p| self.own_fences.get(*p as usize).copied().flatten())
            .or(self.fences)
    }

    /// Whether each of `rows` is an outlier, for judging them again.
    pub(crate) fn outliers(&self, rows: impl Iterator<Item = usize>) -> Vec<bool> {
        rows.map(|row| self.disposition(row) == validate::Disposition::Outlier)
            .collect()
    }
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
    /// Data records the parser returned, counted apart from `chunks`.
    counted: u64,
}

enum Done {
    Range(Result<RangeRead, Stop>),
    Hash(Result<(String, u64), String>),
}

pub(crate) fn read_once(
    config: &ReadOptions,
    inputs: &Inputs,
    estimated_rows: usize,
    bar: &ProgressBar,
) -> Result<FirstRead, Stop> {
    let jobs = jobs_of(config, inputs);

    let mut screen = Screen::with_capacity(estimated_rows);
    let mut read = FirstRead::new(config, inputs);
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
                        if facts.oversized.0.len() < extract::OVERSIZED_KEPT {
                            facts.oversized.0.push(cut);
                        }
                    }
                    facts.oversized.1 += all;
                    for chunk in range.chunks {
                        merge_chunk(&mut screen, &mut read, file as u32, chunk)?;
                    }
                    let rows = read.seen.len() - first_row;
                    // The reader's own count, not `rows`: the ledger's
                    // check then compares two numbers made apart, and a row
                    // lost between the parser and the verdicts fails it.
                    read.facts[file].data_rows += range.counted;
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
    read.settle_fences(config, &screen);
    Ok(read)
}

/// The jobs of the first read: every file cut into ranges of about
/// `range_bytes`, then a job hashing the file.
fn jobs_of(config: &ReadOptions, inputs: &Inputs) -> Vec<Job> {
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
    jobs
}

impl FirstRead {
    /// An empty first read of `inputs`.
    fn new(config: &ReadOptions, inputs: &Inputs) -> FirstRead {
        // The per-row arrays are reserved for more rows than any real export
        // holds for its bytes: pages never written are never resident, while a
        // vector that grows copies itself while its old copy is still there.
        let most_rows = (inputs.usable_bytes() / MIN_BYTES_PER_ROW) as usize;
        FirstRead {
            seen: Vec::with_capacity(most_rows),
            quantities: Vec::with_capacity(most_rows),
            places: Places::with_capacity(most_rows),
            spans: Vec::new(),
            facts: vec![FileFacts::default(); inputs.names.len()],
            fences: None,
            sums: CandidateSums::new(config.rules.per_product.is_some()),
            products: Vec::new(),
            product_names: HashMap::default(),
            own_fences: Vec::new(),
            fences_by_product: HashMap::default(),
        }
    }

    /// The fences, once every row was seen: the run's and, with
    /// `--outliers per-product`, each product's own.
    fn settle_fences(&mut self, config: &ReadOptions, screen: &Screen) {
        if !config.rules.outliers {
            return;
        }
        self.fences = screen.fences(config.rules.iqr_k);
        if let Some(min_rows) = config.rules.per_product {
            self.fences_by_product = self.sums.product_fences(config.rules.iqr_k, min_rows);
            self.own_fences = vec![None; self.product_names.len()];
            for (product, fences) in &self.fences_by_product {
                if let Some(number) = self.product_names.get(product) {
                    self.own_fences[*number as usize] = Some(*fences);
                }
            }
        }
    }
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
    config: &ReadOptions,
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
        counted: reader.counted(),
    })
}

/// The SHA-256 of the bytes of `file` the run reads, and how many.
fn hash_file(inputs: &Inputs, file: usize) -> Result<(String, u64), String> {
    use std::io::Read;
    if let Some(original) = inputs.opened[file]
        .as_ref()
        .and_then(|o| o.original.clone())
    {
        return Ok(original);
    }
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
    read: &mut FirstRead,
    file: u32,
    mut chunk: Screened,
) -> Result<(), Stop> {
    let seen = screen.observe(&chunk);
    chunk.take_away_repeated(&seen);
    if read.sums.per_product() {
        let mut products = chunk.sums.products();
        for passed in chunk.passed() {
            let number = match passed {
                true => {
                    let product = products.next().ok_or_else(|| {
                        Stop::Error(Error::Internal(
                            "fewer products than rows that passed".into(),
                        ))
                    })?;
                    let next = read.product_names.len() as u32;
                    match read.product_names.get(product) {
                        Some(number) => *number,
                        None => {
                            read.product_names.insert(product.to_owned(), next);
                            next
                        }
                    }
                }
                false => u32::MAX,
            };
            read.products.push(number);
        }
    }
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

/// The valid rows of one span, judged with what the first read saw.
pub(crate) fn judge_span(
    config: &ReadOptions,
    inputs: &Inputs,
    read: &FirstRead,
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
        let outliers = read.outliers(row..next);
        row = next;
        let judged = validate::judge_rows(rows, seen, &outliers)?;
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

/// The rejected rows `rows` of `file`, read again by offset and judged.
pub(crate) fn fetch_rejected(
    config: &ReadOptions,
    inputs: &Inputs,
    read: &FirstRead,
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
    let outliers = read.outliers(rows.iter().copied());
    let judged = validate::judge_rows(frame, &seen, &outliers)?;
    let (valid, rejected) = split::split_rows(&judged)?;
    if valid.height() != 0 || rejected.height() != rows.len() {
        return Err(changed());
    }
    Ok(rejected)
}

/// Runs `work` on every job, on `threads` threads, and hands the results to
/// `merge` in the jobs' order on the calling thread. At most one job more
/// than there are threads is done ahead of the merge, so memory stays
/// bounded.
/// The first `Err` of `merge` stops the jobs not yet begun.
pub(crate) fn in_order<J: Sync, T: Send>(
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
