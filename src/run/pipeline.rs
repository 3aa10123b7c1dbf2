//! The run's driver: open inputs → read every file once (the row rules,
//! the id index, the quantity histogram, the sales sums) → fences → the
//! ledger → the valid rows again, when a sink wants them → the rejected
//! rows, read again by offset → check the ledger → finish the sinks. Each
//! stage's work is in its own module; what becomes of the judged rows is up
//! to the [`Sink`]s the caller plugs in. Tests and benchmarks call [`run`]
//! directly, as the commands do.
//!
//! Every file is read once, in ranges on every thread (module `ranges`).
//! Memory is bounded by the ranges in flight plus what the cross-row rules
//! must remember: each id once, and a few bytes per row (what became of it,
//! its quantity, where it begins in its file) so that the few rows that are
//! written out can be read again by offset.

use std::collections::BTreeMap;
use std::time::Instant;

use indicatif::ProgressBar;
use polars::prelude::*;

use crate::columns::{FILE_INDEX, REASON};
use crate::error::{BadFile, Error, Result};
use crate::judge::aggregate::SalesSums;
use crate::judge::split::{self, Accounting};
use crate::judge::validate::{self, Fences};
use crate::messages::plural;
use crate::messages::{shown, Messages};
use crate::money::grouped;
use crate::read::decode;
use crate::read::dialect::{self, ReadAs};
use crate::read::discover::{FileIdentity, InputFile};
use crate::read::extract::{FileReader, Limits};
use crate::read::ranges::{self, FileFacts, FirstRead, Inputs, Opened, Stop};
use crate::read::settings::{Encoding, Sources};
use crate::read::{discover, extract};
use crate::sinks::{InputRead, Ledger, Sink, Start};

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

/// A checked configuration: the user's options for the reads and the
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
    /// A file more than this share of whose rows are rejected for one
    /// reason fails the run before anything is loaded (1.0: never), unless
    /// its settings say otherwise.
    pub max_reject_rate: f64,
    /// How each file is written: the flags over the settings file.
    pub sources: Sources,
}

impl Config {
    /// What the read engine needs of it.
    pub(crate) fn read_options(&self) -> ranges::ReadOptions {
        ranges::ReadOptions {
            rules: self.rules,
            batch_rows: self.batch_rows,
            limits: self.limits,
            threads: self.threads,
            range_bytes: self.range_bytes,
        }
    }
}

/// One file read: its name, size, SHA-256 and counts (the summary's
/// `files`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileSummary {
    #[serde(flatten)]
    pub file: FileIdentity,
    #[serde(flatten)]
    pub accounting: Accounting,
    /// How it was read (encoding, delimiter, …), and why.
    pub read_as: ReadAs,
}

/// A file left out of the run (`--skip-bad-files`), and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedFile {
    pub file: String,
    pub error: String,
}

impl From<crate::error::BadFile> for SkippedFile {
    fn from(bad: crate::error::BadFile) -> SkippedFile {
        SkippedFile {
            file: bad.file,
            error: bad.problem,
        }
    }
}

/// Threads a run uses unless told: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What the reads found, besides what the sinks made of the rows.
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
    /// With `--outliers per-product`: which products have fences of their
    /// own.
    pub per_product: Option<PerProduct>,
    /// The sales sums of the valid rows.
    pub sums: SalesSums,
    /// Files passed over with `--skip-bad-files`.
    pub skipped_files: Vec<SkippedFile>,
    pub warnings: Vec<String>,
    /// Milliseconds per stage, as `<stage>_ms`.
    pub timings: BTreeMap<String, u64>,
}

/// Fences per product: how many products have their own, and the fewest
/// rows that took.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PerProduct {
    pub min_rows: u64,
    /// Products with fences of their own; the others are held to the run's.
    pub products: usize,
}

/// Reads the inputs of `config` (once whole, then again for the rows the
/// sinks want) and hands the judged rows
/// to `sinks`: open inputs → read every file once → fences → the ledger →
/// the valid rows (when a sink wants them) → the rejected rows → check the
/// ledger → finish the sinks.
pub fn run(config: &Config, messages: &Messages, sinks: &mut [&mut dyn Sink]) -> Result<Checked> {
    let mut timings = Timings::new();
    let started_at = crate::db::now_utc();
    let mut inputs = open_inputs(config, messages)?;
    let mut read = read_files(config, messages, &mut inputs)?;
    timings.lap("read");
    warn_about_inputs(&mut inputs, &read.facts, config.limits, messages);

    let sums = std::mem::take(&mut read.sums).settle(read.fences, &read.fences_by_product)?;
    let mut ledger = ledger_of(&read, &inputs.names);
    ledger.held_back = sums.held_back_of_files();
    ledger.check(&inputs.names)?;
    let usable: Vec<usize> = (0..inputs.names.len())
        .filter(|i| inputs.usable(*i))
        .collect();
    let identities = identities(&inputs.names, &read.facts);
    let input_reads = input_reads(&usable, &identities, &read, &ledger);
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
    let (reasons, per_file, samples) = rejected_rows(config, &inputs, &read, &ledger, sinks)?;
    ledger.mostly_rejected = mostly_rejected(config, &inputs, &ledger, &per_file, &samples);
    timings.lap("rejected");
    check_unchanged(&inputs)?;
    let per_product = finish_sinks(config, messages, &read, &ledger, sinks)?;
    timings.lap("finish");

    Ok(Checked {
        started_at,
        files: (usable.iter())
            .map(|&i| FileSummary {
                file: identities[i].clone(),
                accounting: ledger.files[i].clone(),
                read_as: inputs.opened[i]
                    .as_ref()
                    .map(|o| o.read_as.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        names: inputs.names,
        ledger,
        reasons,
        fences: read.fences,
        per_product,
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

/// Says what the fences decided and lets every sink finish with the
/// checked ledger; returns the fences-per-product figures, if any.
fn finish_sinks(
    config: &Config,
    messages: &Messages,
    read: &FirstRead,
    ledger: &Ledger,
    sinks: &mut [&mut dyn Sink],
) -> Result<Option<PerProduct>> {
    let per_product = config.rules.per_product.map(|min_rows| PerProduct {
        min_rows,
        products: read.fences_by_product.len(),
    });
    tell_the_verdict(
        &ledger.totals,
        read.fences,
        per_product.as_ref(),
        config,
        messages,
    );
    for sink in sinks.iter_mut() {
        sink.finish(ledger)?;
    }
    Ok(per_product)
}

/// Each file's identity by file index: its name, and the bytes and SHA-256
/// the first read hashed.
fn identities(names: &[String], facts: &[FileFacts]) -> Vec<FileIdentity> {
    (names.iter().zip(facts))
        .map(|(name, facts)| FileIdentity {
            name: name.clone(),
            bytes: facts.bytes,
            sha256: facts.sha256.clone(),
        })
        .collect()
}

/// What the sinks are told of each usable file before the first chunk.
fn input_reads(
    usable: &[usize],
    identities: &[FileIdentity],
    read: &FirstRead,
    ledger: &Ledger,
) -> Vec<InputRead> {
    let mut digests = valid_digests(read, identities.len());
    (usable.iter())
        .map(|&i| InputRead {
            index: i,
            file: identities[i].clone(),
            valid_digest: std::mem::take(&mut digests[i]),
            valid_rows: ledger.files[i].valid,
            rejected_rows: ledger.files[i].rejected(),
        })
        .collect()
}

/// How each file of `config` would be read (`--explain-config`): its
/// headers are read, no row.
pub fn explain(config: &Config) -> Result<Vec<(String, std::result::Result<ReadAs, String>)>> {
    let inputs = open_inputs(config, &Messages::silent())?;
    let mut bad = inputs.bad_files.iter();
    Ok((inputs.names.iter().zip(&inputs.opened))
        .map(|(name, opened)| {
            let read_as = match opened {
                Some(opened) => Ok(opened.read_as.clone()),
                None => Err(bad.next().map_or(String::new(), |b| b.problem.clone())),
            };
            (name.clone(), read_as)
        })
        .collect())
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
    let mut inputs = Inputs {
        files: found.files,
        names,
        opened: Vec::new(),
        bad_files: Vec::new(),
        warnings,
        decoded: None,
    };
    // Files are decoded (the slow part of opening one in another encoding)
    // on every thread.
    let folder = std::sync::OnceLock::new();
    let indices: Vec<usize> = (0..inputs.files.len()).collect();
    let mut results = Vec::with_capacity(indices.len());
    let files = &inputs.files;
    ranges::in_order(
        &indices,
        config.threads,
        |&index| open_file(config, &files[index], index, &folder),
        |_, result| {
            results.push(result);
            Ok(())
        },
    )
    .map_err(|stop| match stop {
        Stop::Error(error) => error,
        Stop::File(_, bad) => Error::BadInputFiles { files: vec![bad] },
    })?;
    inputs.decoded = folder.into_inner().and_then(Result::ok);
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok((file, copy)) => {
                messages.detail(format!(
                    "{} read as {}",
                    shown(&inputs.names[index]),
                    file.read_as.lines().join("; ")
                ));
                if let Some(copy) = copy {
                    inputs.files[index].path = copy;
                }
                inputs.opened.push(Some(file));
            }
            Err(bad) => {
                inputs.bad_files.push(bad);
                inputs.opened.push(None);
            }
        }
    }
    Ok(inputs)
}

/// The folder of a run's decoded copies, made when the first is needed.
type CopyFolder = std::sync::OnceLock<std::result::Result<tempfile::TempDir, String>>;

/// Opens `file` (the run's file `index`) and reads its header, as its
/// settings say; a file in another encoding is first decoded into a UTF-8
/// copy in `folder`, whose path comes back: the run reads it in its place.
fn open_file(
    config: &Config,
    file: &InputFile,
    index: usize,
    folder: &CopyFolder,
) -> Result<(Opened, Option<std::path::PathBuf>), BadFile> {
    let bad = |problem: String| BadFile {
        file: file.name.clone(),
        problem,
    };
    let resolved = config.sources.for_file(&file.name);
    // Where a setting came from is `resolved`'s when it names one; the
    // labels here are for what the file itself decided.
    let (encoding, encoding_from) = match resolved.settings.encoding {
        Some(encoding) => (encoding, "settings"),
        None => match decode::detect(&file.path).map_err(|e| bad(format!("cannot open: {e}")))? {
            Some(encoding) => (encoding, "byte-order mark"),
            None => (Encoding::Utf8, "default"),
        },
    };
    let (mut original, mut copy) = (None, None);
    let mut read_from = file.clone();
    if encoding != Encoding::Utf8 {
        let made = folder.get_or_init(|| {
            tempfile::Builder::new()
                .prefix("sales-etl-decoded-")
                .tempdir()
                .map_err(|e| format!("cannot make a folder for its UTF-8 copy: {e}"))
        });
        let path = made.as_ref().map_err(|e| bad(e.clone()))?.path();
        let decoded = decode::decode(&file.path, encoding, &path.join(format!("{index}.csv")))
            .map_err(bad)?;
        original = Some((decoded.sha256, decoded.bytes));
        read_from.path = decoded.path.clone();
        copy = Some(decoded.path);
    }
    let metadata =
        std::fs::metadata(&read_from.path).map_err(|e| bad(format!("cannot open: {e}")))?;
    let hidden = ProgressBar::hidden();
    let reader = FileReader::open(&read_from, index as u32, &hidden, config.limits, &resolved)?;
    let delimiter_from = match resolved.settings.delimiter {
        Some(_) => "settings",
        None => "sniffed from the header",
    };
    let header = reader.header().clone();
    let read_as = dialect::read_as(
        &resolved,
        &header.dialect,
        (encoding, encoding_from),
        delimiter_from,
        config.max_reject_rate,
    );
    let opened = Opened {
        header,
        data: reader.position(),
        size: metadata.len(),
        modified: metadata.modified().ok(),
        unknown: reader.unknown_columns().to_vec(),
        read_as,
        original,
    };
    Ok((opened, copy))
}

/// Reads and screens every usable file once: the row rules, the id index,
/// the quantity histogram and the sales sums. A file that fails part-way is
/// skipped (with --skip-bad-files) by reading again without it, so that
/// none of its rows counts for the others' duplicates or fences.
fn read_files(config: &Config, messages: &Messages, inputs: &mut Inputs) -> Result<FirstRead> {
    let estimated_rows = (inputs.usable_bytes() / BYTES_PER_ROW_GUESS) as usize;
    loop {
        if !inputs.bad_files.is_empty() && !config.skip_bad_files {
            return Err(Error::BadInputFiles {
                files: std::mem::take(&mut inputs.bad_files),
            });
        }
        let bar = messages.bytes_bar("reading", inputs.usable_bytes());
        match ranges::read_once(&config.read_options(), inputs, estimated_rows, &bar) {
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

/// The ledger of the run from each row's disposition.
fn ledger_of(read: &FirstRead, names: &[String]) -> Ledger {
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
        files[file].count(read.disposition(row));
    }
    Ledger::new(files)
}

/// The files more than their allowed share of whose rows the rules
/// rejected, each reason with a hint from its rejected values.
fn mostly_rejected(
    config: &Config,
    inputs: &Inputs,
    ledger: &Ledger,
    per_file: &[Reasons],
    samples: &[Samples],
) -> Vec<split::MostlyRejected> {
    let rates: Vec<f64> = (inputs.names.iter())
        .map(|name| {
            let settings = config.sources.for_file(name).settings;
            settings.max_reject_rate.unwrap_or(config.max_reject_rate)
        })
        .collect();
    let mut found = split::mostly_rejected(&ledger.files, per_file, &inputs.names, &rates);
    for file in &mut found {
        let Some(index) = inputs.names.iter().position(|n| *n == file.file) else {
            continue;
        };
        let Some(opened) = &inputs.opened[index] else {
            continue;
        };
        for reason in &mut file.reasons {
            let values = samples[index]
                .get(&reason.reason)
                .map_or(&[][..], Vec::as_slice);
            reason.hint = dialect::hint(&reason.reason, values, &opened.read_as);
        }
    }
    found
}

/// Per file index, the fingerprint of which of its data rows are valid
/// ([`crate::sinks::ValidDigest`]).
fn valid_digests(read: &FirstRead, files: usize) -> Vec<String> {
    let mut digests = vec![crate::sinks::ValidDigest::default(); files];
    let mut ordinal = vec![0u64; files];
    for (row, file) in read.places.files().enumerate() {
        if read.disposition(row) == validate::Disposition::Valid {
            digests[file].push(ordinal[file]);
        }
        ordinal[file] += 1;
    }
    digests.iter().map(|d| d.hex()).collect()
}

/// Reads the files again, range by range on every thread, and hands the
/// valid rows to the sinks in order.
fn valid_rows(
    config: &Config,
    messages: &Messages,
    inputs: &Inputs,
    read: &FirstRead,
    sinks: &mut [&mut dyn Sink],
) -> Result<()> {
    let bar = messages.bytes_bar("reading valid rows again", inputs.usable_bytes());
    let result = ranges::in_order(
        &read.spans,
        config.threads,
        |span| {
            let done = ranges::judge_span(&config.read_options(), inputs, read, span);
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

/// Reads the rejected rows again by offset (a batch of one file's rows per
/// job, on every thread), judges them as the first read did, and hands them
/// to the sinks in order; counts them by reason, and checks them against
/// the ledger.
/// Rejected rows per reason.
type Reasons = BTreeMap<String, u64>;

/// The first few rejected values per reason (of the column the reason is
/// about), for a hint.
type Samples = BTreeMap<String, Vec<String>>;

/// Rejected values a hint reads, per file and reason.
const SAMPLES: usize = 5;

/// Reads the rejected rows again and hands them to the sinks; returns the
/// rows per reason, in all and per file index, and per file a sample of
/// the values rejected.
fn rejected_rows(
    config: &Config,
    inputs: &Inputs,
    read: &FirstRead,
    ledger: &Ledger,
    sinks: &mut [&mut dyn Sink],
) -> Result<(Reasons, Vec<Reasons>, Vec<Samples>)> {
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
    let mut per_file = vec![BTreeMap::<String, u64>::new(); inputs.names.len()];
    let mut samples = vec![Samples::new(); inputs.names.len()];
    let mut written = vec![0u64; inputs.names.len()];
    let result = ranges::in_order(
        &batches,
        config.threads,
        |(file, rows)| ranges::fetch_rejected(&config.read_options(), inputs, read, *file, rows),
        |index, done| {
            let rejected = done?;
            for (reason, count) in count_reasons(&rejected)? {
                *per_file[batches[index].0]
                    .entry(reason.clone())
                    .or_default() += count;
                *reasons.entry(reason).or_default() += count;
            }
            written[batches[index].0] += rejected.height() as u64;
            sample_values(&rejected, &mut samples[batches[index].0])?;
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
    Ok((reasons, per_file, samples))
}

/// Adds the first values of each reason's column in `rejected` to
/// `samples`, up to [`SAMPLES`] per reason.
fn sample_values(rejected: &DataFrame, samples: &mut Samples) -> Result<()> {
    let text = |name: &str| {
        rejected
            .column(name)
            .and_then(|c| c.str().cloned())
            .map_err(Error::engine("rejected values"))
    };
    let reasons = text(REASON)?;
    for (row, reason) in reasons.iter().enumerate() {
        let Some(reason) = reason else { continue };
        let Some(column) = dialect::column_of_reason(reason) else {
            continue;
        };
        let kept = samples.entry(reason.to_owned()).or_default();
        if kept.len() >= SAMPLES {
            continue;
        }
        if let Some(value) = text(column)?.get(row) {
            kept.push(value.to_owned());
        }
    }
    Ok(())
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
            crate::judge::rules::OVERSIZED_ROW,
            what.join("; ")
        ));
    }
    for warning in &inputs.warnings {
        messages.warn(warning);
    }
}

fn tell_the_verdict(
    t: &Accounting,
    fences: Option<Fences>,
    per_product: Option<&PerProduct>,
    config: &Config,
    messages: &Messages,
) {
    messages.step(format!(
        "checked {} data row{}: {} valid, {} invalid",
        grouped(t.data_rows),
        plural(t.data_rows as usize),
        grouped(t.valid),
        grouped(t.invalid)
    ));
    messages.step(format!(
        "removed {} duplicate row{}",
        grouped(t.duplicate),
        plural(t.duplicate as usize)
    ));
    match fences {
        Some(f) => messages.step(format!(
            "flagged {} outlier{} (quantity outside [{}, {}]{})",
            grouped(t.outlier),
            plural(t.outlier as usize),
            f.lower,
            f.upper,
            match per_product {
                Some(p) => format!(
                    ", or its product's own fences for {} product{}",
                    grouped(p.products as u64),
                    plural(p.products)
                ),
                None => String::new(),
            }
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
    let judged = validate::judge_rows(extract::empty(), &[], &[])?;
    split::split_rows(&judged)
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

/// Bytes in binary units (KiB, MiB, GiB), as the progress bars count them.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
