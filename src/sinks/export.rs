//! `run --export DIR`: the clean rows as Parquet (or Arrow IPC) files, a
//! Hive-partitioned dataset that DuckDB, Polars and pandas read as it is:
//!
//! ```text
//! DIR/sales/date=2026-11-25/web_2026-11-25.parquet   valid rows of one input file on one date
//! DIR/rejected/web_2026-11-25.parquet                its rejected rows (--export-rejected)
//! ```
//!
//! A sink: rows are written as the pipeline hands them over, so memory
//! does not grow with the input. At most [`MAX_OPEN_PARTS`] files are open
//! at once: when a new (date, input file) needs one beyond that, the part
//! written least recently is ended, and later rows of its pair go to a
//! further part `web_2026-11-25~2.parquet` (a reader of the dataset sees
//! one table either way).
//!
//! The export changes the lake only together with the warehouse:
//!
//! 1. every part is written under a temporary name `.export-*` in `DIR`;
//! 2. at [`Sink::finish`], which runs **before** the load commits, the
//!    parts are ended and the lake's folders checked: `sales/`, each
//!    `date=…/` and `rejected/` must be folders, not symbolic links or
//!    files. A failure here stops the run before the commit, and warehouse
//!    and lake stay as they were;
//! 3. after the commit, [`Export::swap_in`] renames each part over its
//!    place (a rename replaces a file whole: every part is the old one or
//!    the new one, never missing) and only then removes the parts an
//!    earlier run wrote for the same input files that this run did not
//!    write again. A failure there names the input files to export again.
//!
//! If the load fails, [`Export::discard`] leaves the lake as it was. A
//! temporary file left by a killed run is removed by the next run. No
//! symbolic link in the lake is ever followed, for writing or for removing.
//! The partition column `date` is in the path, not in the files, as Hive
//! lays it out.

use std::collections::BTreeMap;
use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::columns::*;
use crate::error::{Error, Result};
use crate::sinks::output::write_error;
use crate::sinks::{Ledger, Sink, Start};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Parquet, zstd-compressed.
    Parquet,
    /// Arrow IPC files (Feather v2), LZ4-compressed.
    Arrow,
}

impl ExportFormat {
    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Parquet => "parquet",
            ExportFormat::Arrow => "arrow",
        }
    }
}

/// What `--export` asked for.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub dir: PathBuf,
    pub format: ExportFormat,
    /// Also the rejected rows.
    pub rejected: bool,
}

/// The most part files an export keeps open at once (one CSV with rows on
/// 1,500 dates opened 1,500 and failed under `ulimit -n 1024`).
pub const MAX_OPEN_PARTS: usize = 64;

/// Which part of the lake rows go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// Valid rows of one input file (by index) on one date (days since 1970).
    Sales { day: i32, file: u32 },
    /// Rejected rows of one input file.
    Rejected { file: u32 },
}

/// The sink writing an export.
pub struct Export {
    options: ExportOptions,
    /// Input file names by file index.
    names: Vec<String>,
    /// Per input file: the stem of its part files (`web_2026-11-25`).
    stems: Vec<String>,
    /// Parts being written, with when each was last written to.
    open: BTreeMap<Key, (Part, u64)>,
    /// How many parts each key has had.
    pieces: BTreeMap<Key, u32>,
    /// Parts ended, waiting for [`Export::swap_in`].
    ready: Vec<Ready>,
    /// Folders this run created, removed again by [`Export::discard`]
    /// when empty.
    created: Vec<PathBuf>,
    clock: u64,
    written: Vec<PathBuf>,
    rows: u64,
    /// Per input file: valid and rejected rows written to its parts,
    /// checked against the ledger before the load commits.
    rows_written: Vec<(u64, u64)>,
}

/// One file being written under a temporary name.
struct Part {
    temporary: tempfile::TempPath,
    writer: Writer,
    /// Where it ends up.
    path: PathBuf,
}

/// An ended part: complete under its temporary name.
struct Ready {
    temporary: tempfile::TempPath,
    path: PathBuf,
}

enum Writer {
    Parquet(Box<polars::io::parquet::write::BatchedWriter<BufWriter<fs::File>>>),
    Arrow(Box<polars::io::ipc::BatchedWriter<BufWriter<fs::File>>>),
}

impl Export {
    pub fn new(options: ExportOptions) -> Export {
        Export {
            options,
            names: Vec::new(),
            stems: Vec::new(),
            open: BTreeMap::new(),
            pieces: BTreeMap::new(),
            ready: Vec::new(),
            created: Vec::new(),
            clock: 0,
            written: Vec::new(),
            rows: 0,
            rows_written: Vec::new(),
        }
    }

    /// The files written, once swapped in.
    pub fn written(&self) -> &[PathBuf] {
        &self.written
    }

    /// Valid rows written, once finished.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn sales_dir(&self) -> PathBuf {
        self.options.dir.join("sales")
    }

    fn rejected_dir(&self) -> PathBuf {
        self.options.dir.join("rejected")
    }

    /// Where the `piece`-th part (from 0) of `key` goes.
    fn path_of(&self, key: Key, piece: u32) -> PathBuf {
        let (folder, file) = match key {
            Key::Sales { day, file } => {
                let date = chrono::NaiveDate::default() + chrono::TimeDelta::days(i64::from(day));
                (self.sales_dir().join(format!("date={date}")), file)
            }
            Key::Rejected { file } => (self.rejected_dir(), file),
        };
        let stem = &self.stems[file as usize];
        let extension = self.options.format.extension();
        folder.join(match piece {
            0 => format!("{stem}.{extension}"),
            n => format!("{stem}~{}.{extension}", n + 1),
        })
    }

    /// Writes `rows` to the open part of `key`, opening one (and ending
    /// the least recently written part when too many are open) if needed.
    fn write(&mut self, key: Key, rows: &DataFrame) -> Result<()> {
        self.clock += 1;
        if !self.open.contains_key(&key) {
            if self.open.len() >= MAX_OPEN_PARTS {
                self.end_least_recent()?;
            }
            let piece = self.pieces.get(&key).copied().unwrap_or(0);
            let path = self.path_of(key, piece);
            *self.pieces.entry(key).or_insert(0) += 1;
            let part = self.open_part(path, rows.schema())?;
            self.open.insert(key, (part, self.clock));
        }
        let clock = self.clock;
        let (part, used) = self.open.get_mut(&key).expect("opened above");
        *used = clock;
        part.write(rows)?;
        let height = rows.height() as u64;
        match key {
            Key::Sales { file, .. } => self.rows_written[file as usize].0 += height,
            Key::Rejected { file } => self.rows_written[file as usize].1 += height,
        }
        Ok(())
    }

    fn end_least_recent(&mut self) -> Result<()> {
        let oldest = self
            .open
            .iter()
            .min_by_key(|(_, (_, used))| *used)
            .map(|(key, _)| *key);
        if let Some((part, _)) = oldest.and_then(|key| self.open.remove(&key)) {
            self.ready.push(part.end()?);
        }
        Ok(())
    }

    /// A new part under a temporary name in the export folder, to end up
    /// at `path`.
    fn open_part(&self, path: PathBuf, schema: &Schema) -> Result<Part> {
        let temporary =
            crate::sinks::output::public_file(tempfile::Builder::new().prefix(".export-"))
                .tempfile_in(&self.options.dir)
                .map_err(write_error(&self.options.dir))?;
        let (file, temporary) = temporary.into_parts();
        let out = BufWriter::new(file);
        let failed = |e: PolarsError| Error::Write {
            path: path.clone(),
            cause: std::io::Error::other(e.to_string()),
        };
        let writer = match self.options.format {
            ExportFormat::Parquet => Writer::Parquet(Box::new(
                ParquetWriter::new(out)
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(schema)
                    .map_err(failed)?,
            )),
            ExportFormat::Arrow => {
                let arrow = schema.to_arrow(CompatLevel::newest());
                let fields = polars_arrow::io::ipc::write::default_ipc_fields(arrow.iter_values());
                Writer::Arrow(Box::new(
                    IpcWriter::new(out)
                        .with_compression(Some(IpcCompression::LZ4))
                        .batched(schema, fields)
                        .map_err(failed)?,
                ))
            }
        };
        Ok(Part {
            temporary,
            writer,
            path,
        })
    }

    /// Step 3, after the warehouse committed (or without a warehouse):
    /// renames every part over its place, then removes what earlier runs
    /// wrote for these input files and this run did not write again.
    pub fn swap_in(&mut self) -> Result<()> {
        let ready = std::mem::take(&mut self.ready);
        let mut failure = None;
        for part in ready {
            if failure.is_some() {
                continue; // dropped: its temporary file is removed
            }
            match part.temporary.persist(&part.path) {
                Ok(()) => self.written.push(part.path),
                Err(e) => failure = Some((part.path, e.error)),
            }
            if crate::fault::strikes(crate::fault::Fault::ExportDiesMidSwap) {
                std::process::abort();
            }
        }
        let failure = failure.or_else(|| self.remove_earlier_parts().err());
        match failure {
            None => Ok(()),
            Some((path, cause)) => Err(Error::ExportIncomplete {
                dir: self.options.dir.clone(),
                path,
                cause,
                files: self.names.clone(),
            }),
        }
    }

    /// Leaves the lake as it was (the load failed): the new parts are
    /// removed, and the folders this run made when they are empty.
    pub fn discard(&mut self) {
        self.open.clear();
        self.ready.clear();
        for folder in self.created.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }

    /// The parts of this run's input files in the lake that this run did
    /// not write: other dates, further pieces no longer needed. Only real
    /// folders are looked into and only exact part names removed, so a
    /// planted link never leads the removal elsewhere.
    fn remove_earlier_parts(&self) -> std::result::Result<(), (PathBuf, std::io::Error)> {
        let written: std::collections::BTreeSet<&Path> =
            self.written.iter().map(PathBuf::as_path).collect();
        let mut folders = vec![(self.rejected_dir(), false)];
        if let Ok(entries) = fs::read_dir(self.sales_dir()) {
            for entry in entries.flatten() {
                let is_partition = entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with("date="));
                if is_partition && entry.file_type().is_ok_and(|t| t.is_dir()) {
                    folders.push((entry.path(), true));
                }
            }
        }
        for (folder, partition) in folders {
            if !real_folder(&folder) {
                continue;
            }
            let Ok(entries) = fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if written.contains(path.as_path()) || !self.is_part_name(name) {
                    continue;
                }
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err((path, e)),
                }
            }
            if partition {
                // Only removed when empty; an error means it is not.
                let _ = fs::remove_dir(&folder);
            }
        }
        Ok(())
    }

    /// Whether `name` is a part of one of this run's input files:
    /// `STEM.EXT` or `STEM~N.EXT` (N ≥ 2) with either extension, and not
    /// another input file's own `STEM.EXT`.
    fn is_part_name(&self, name: &str) -> bool {
        let Some(stem) = name
            .strip_suffix(".parquet")
            .or_else(|| name.strip_suffix(".arrow"))
        else {
            return false;
        };
        if self.stems.iter().any(|s| s == stem) {
            return true;
        }
        match stem.rsplit_once('~') {
            Some((base, n)) => {
                n.parse::<u32>().is_ok_and(|n| n >= 2)
                    && !n.starts_with('0')
                    && self.stems.iter().any(|s| s == base)
            }
            None => false,
        }
    }

    /// Step 2: the folders every ended part goes to are real folders
    /// (created when missing), never a link or a file.
    fn check_folders(&mut self) -> Result<()> {
        let mut folders: Vec<PathBuf> = self
            .ready
            .iter()
            .filter_map(|r| r.path.parent().map(Path::to_path_buf))
            .collect();
        folders.sort();
        folders.dedup();
        for folder in folders {
            let below = folder
                .strip_prefix(&self.options.dir)
                .unwrap_or(&folder)
                .to_path_buf();
            let mut at = self.options.dir.clone();
            for part in below.components() {
                at.push(part);
                match fs::symlink_metadata(&at) {
                    Ok(meta) if meta.is_dir() => {}
                    Ok(meta) => {
                        let what = if meta.file_type().is_symlink() {
                            "a symbolic link, and the export never follows a link it did not make"
                        } else {
                            "not a folder"
                        };
                        return Err(Error::Write {
                            path: at.clone(),
                            cause: std::io::Error::other(format!(
                                "it is {what}: move it away and run again (nothing was loaded \
                                 or exported)"
                            )),
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        fs::create_dir(&at).map_err(write_error(&at))?;
                        self.created.push(at.clone());
                    }
                    Err(e) => return Err(write_error(&at)(e)),
                }
            }
        }
        Ok(())
    }
}

/// A folder that is not a symbolic link.
fn real_folder(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir())
}

/// Removes the temporary files a killed run left in `dir`.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(".export-"));
        if stale && entry.file_type().is_ok_and(|t| !t.is_dir()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

impl Part {
    fn write(&mut self, rows: &DataFrame) -> Result<()> {
        let mut rows = rows.clone();
        rows.align_chunks();
        let written = match &mut self.writer {
            Writer::Parquet(w) => w.write_batch(&rows),
            Writer::Arrow(w) => w.write_batch(&rows),
        };
        written.map_err(|e| Error::Write {
            path: self.path.clone(),
            cause: std::io::Error::other(e.to_string()),
        })
    }

    /// Ends the file: complete under its temporary name.
    fn end(mut self) -> Result<Ready> {
        let ended = match &mut self.writer {
            Writer::Parquet(w) => w.finish().map(|_| ()),
            Writer::Arrow(w) => w.finish(),
        };
        ended.map_err(|e| Error::Write {
            path: self.path.clone(),
            cause: std::io::Error::other(e.to_string()),
        })?;
        // The writer owns the file; dropping it flushes and closes it.
        drop(self.writer);
        Ok(Ready {
            temporary: self.temporary,
            path: self.path,
        })
    }
}

impl Sink for Export {
    fn begin(&mut self, start: &Start<'_>) -> Result<()> {
        fs::create_dir_all(&self.options.dir).map_err(write_error(&self.options.dir))?;
        // The run holds the export folder's lock: a temporary file there is
        // a killed run's.
        remove_stale_temporaries(&self.options.dir);
        self.names = start.names.to_vec();
        self.stems = crate::sinks::output::rejected_file_names(&self.names)
            .into_iter()
            .map(|name| name.trim_end_matches(".rejected.csv").to_owned())
            .collect();
        self.rows_written = vec![(0, 0); self.names.len()];
        Ok(())
    }

    fn wants_valid_rows(&self) -> bool {
        true
    }

    fn valid(&mut self, rows: &DataFrame) -> Result<()> {
        if rows.height() == 0 {
            return Ok(());
        }
        let sales = crate::sinks::tables::sales_table(rows.clone(), &self.names)?;
        let engine = Error::engine;
        let dates = sales.column(DATE).map_err(engine("export"))?;
        let days = dates
            .as_materialized_series()
            .to_physical_repr()
            .i32()
            .map_err(engine("export"))?
            .clone();
        let files = rows
            .column(FILE_INDEX)
            .and_then(|c| c.u32().cloned())
            .map_err(engine("export"))?;
        let file = files.get(0).unwrap_or(0);
        let mut distinct: Vec<i32> = days.iter().flatten().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let without_date = sales.drop(DATE).map_err(engine("export"))?;
        for day in distinct {
            let mask = days.equal(day);
            let mut part_rows = without_date.filter(&mask).map_err(engine("export"))?;
            if crate::fault::strikes(crate::fault::Fault::ExportDoublesRow) {
                let first = part_rows.slice(0, 1);
                part_rows.vstack_mut(&first).map_err(engine("export"))?;
            }
            self.write(Key::Sales { day, file }, &part_rows)?;
            self.rows += part_rows.height() as u64;
        }
        Ok(())
    }

    fn rejected(&mut self, rows: &DataFrame) -> Result<()> {
        if !self.options.rejected || rows.height() == 0 {
            return Ok(());
        }
        let file = rows
            .column(FILE_INDEX)
            .and_then(|c| c.u32().cloned())
            .map_err(Error::engine("export"))?
            .get(0)
            .unwrap_or(0);
        let table = crate::sinks::tables::rejected_table(rows.clone(), &self.names)?;
        self.write(Key::Rejected { file }, &table)
    }

    /// Step 2, before the load commits: every part ended, every folder
    /// checked. Nothing in the lake is replaced yet.
    fn finish(&mut self, ledger: &Ledger) -> Result<()> {
        for (index, account) in ledger.files.iter().enumerate() {
            let (valid, rejected) = self.rows_written.get(index).copied().unwrap_or((0, 0));
            let expected_rejected = if self.options.rejected {
                account.rejected()
            } else {
                0
            };
            for (output, expected, written) in [
                ("the export's sales", account.valid, valid),
                ("the export's rejected rows", expected_rejected, rejected),
            ] {
                if written != expected {
                    return Err(Error::OutputMismatch {
                        output: output.into(),
                        file: self.names[index].clone(),
                        expected,
                        written,
                    });
                }
            }
        }
        let open = std::mem::take(&mut self.open);
        for (part, _) in open.into_values() {
            self.ready.push(part.end()?);
        }
        self.check_folders()
    }
}
