//! `run --export DIR`: the clean rows as Parquet (or Arrow IPC) files, a
//! Hive-partitioned dataset that DuckDB, Polars and pandas read as it is:
//!
//! ```text
//! DIR/sales/date=2026-11-25/web_2026-11-25.parquet   valid rows of one input file on one date
//! DIR/rejected/web_2026-11-25.parquet                its rejected rows (--export-rejected)
//! ```
//!
//! A sink: rows are written as the pipeline hands them over, one open
//! writer per date and input file, so memory does not grow with the input.
//! Every file is written under a temporary name in `DIR` and renamed into
//! place at `finish`, after the ledger was checked; the files an earlier
//! run wrote for the same input files are removed then, so a re-run
//! replaces them and leaves other files' parts alone (a day's late rows
//! from the next day's files sit beside it). The partition column `date`
//! is in the path, not in the files, as Hive lays it out.

use std::collections::BTreeMap;
use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::columns::*;
use crate::error::{Error, Result};
use crate::output::write_error;
use crate::sink::{Ledger, Sink, Start};

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

/// The sink writing an export.
pub struct Export {
    options: ExportOptions,
    /// Input file names by file index.
    names: Vec<String>,
    /// Per input file: the name of its part files (`web_2026-11-25.parquet`).
    parts: Vec<String>,
    /// Open valid-row parts by date (days since 1970) and file index.
    valid: BTreeMap<(i32, u32), Part>,
    /// Open rejected-row parts by file index.
    rejected: BTreeMap<u32, Part>,
    written: Vec<PathBuf>,
    rows: u64,
}

/// One file being written under a temporary name.
struct Part {
    temporary: tempfile::TempPath,
    writer: Writer,
    /// Where `finish` puts it.
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
            parts: Vec::new(),
            valid: BTreeMap::new(),
            rejected: BTreeMap::new(),
            written: Vec::new(),
            rows: 0,
        }
    }

    /// The files written, once finished.
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

    /// A new part under a temporary name in the export folder, to end up
    /// at `path`.
    fn open(&self, path: PathBuf, schema: &Schema) -> Result<Part> {
        let temporary = tempfile::Builder::new()
            .prefix(".export-")
            .tempfile_in(&self.options.dir)
            .map_err(write_error(&self.options.dir))?;
        let (file, temporary) = temporary.into_parts();
        let file = BufWriter::new(file);
        let failed = |e: PolarsError| Error::Write {
            path: path.clone(),
            cause: std::io::Error::other(e.to_string()),
        };
        let writer = match self.options.format {
            ExportFormat::Parquet => Writer::Parquet(Box::new(
                ParquetWriter::new(file)
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(schema)
                    .map_err(failed)?,
            )),
            ExportFormat::Arrow => {
                let arrow = schema.to_arrow(CompatLevel::newest());
                let fields = polars_arrow::io::ipc::write::default_ipc_fields(arrow.iter_values());
                Writer::Arrow(Box::new(
                    IpcWriter::new(file)
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

    /// Ends the file and renames it into place.
    fn finish(mut self) -> Result<PathBuf> {
        let ended = match &mut self.writer {
            Writer::Parquet(w) => w.finish().map(|_| ()),
            Writer::Arrow(w) => w.finish(),
        };
        let failed = |path: &Path, e: String| Error::Write {
            path: path.to_path_buf(),
            cause: std::io::Error::other(e),
        };
        ended.map_err(|e| failed(&self.path, e.to_string()))?;
        // The writer owns the file; dropping it flushes and closes it.
        drop(self.writer);
        if let Some(folder) = self.path.parent() {
            fs::create_dir_all(folder).map_err(write_error(folder))?;
        }
        self.temporary
            .persist(&self.path)
            .map_err(|e| failed(&self.path, e.error.to_string()))?;
        Ok(self.path)
    }
}

impl Sink for Export {
    fn begin(&mut self, start: &Start<'_>) -> Result<()> {
        fs::create_dir_all(&self.options.dir).map_err(write_error(&self.options.dir))?;
        self.names = start.names.to_vec();
        let extension = self.options.format.extension();
        self.parts = crate::output::rejected_file_names(&self.names)
            .into_iter()
            .map(|name| {
                let stem = name.trim_end_matches(".rejected.csv");
                format!("{stem}.{extension}")
            })
            .collect();
        Ok(())
    }

    fn wants_valid_rows(&self) -> bool {
        true
    }

    fn valid(&mut self, rows: &DataFrame) -> Result<()> {
        if rows.height() == 0 {
            return Ok(());
        }
        let sales = crate::query::sales_table(rows.clone(), &self.names)?;
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
            let part_rows = without_date.filter(&mask).map_err(engine("export"))?;
            if !self.valid.contains_key(&(day, file)) {
                let date = chrono::NaiveDate::default() + chrono::TimeDelta::days(i64::from(day));
                let path = self
                    .sales_dir()
                    .join(format!("date={date}"))
                    .join(&self.parts[file as usize]);
                let part = self.open(path, part_rows.schema())?;
                self.valid.insert((day, file), part);
            }
            if let Some(part) = self.valid.get_mut(&(day, file)) {
                part.write(&part_rows)?;
            }
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
        let table = crate::query::rejected_table(rows.clone(), &self.names)?;
        if !self.rejected.contains_key(&file) {
            let path = self.rejected_dir().join(&self.parts[file as usize]);
            let part = self.open(path, table.schema())?;
            self.rejected.insert(file, part);
        }
        if let Some(part) = self.rejected.get_mut(&file) {
            part.write(&table)?;
        }
        Ok(())
    }

    fn finish(&mut self, _ledger: &Ledger) -> Result<()> {
        // The parts of earlier runs of these input files go first, then the
        // new ones are renamed into place.
        remove_parts(&self.sales_dir(), &self.parts, true)?;
        remove_parts(&self.rejected_dir(), &self.parts, false)?;
        let valid = std::mem::take(&mut self.valid);
        let rejected = std::mem::take(&mut self.rejected);
        for part in valid.into_values().chain(rejected.into_values()) {
            let path = part.finish()?;
            self.written.push(path);
        }
        Ok(())
    }
}

/// Removes the files named `parts` (with either extension) from `dir`, or
/// with `partitioned` from each of its `date=…` folders (and a folder left
/// empty).
fn remove_parts(dir: &Path, parts: &[String], partitioned: bool) -> Result<()> {
    let folders: Vec<PathBuf> = if partitioned {
        match fs::read_dir(dir) {
            Ok(entries) => entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("date="))
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    } else {
        vec![dir.to_path_buf()]
    };
    for folder in &folders {
        for part in parts {
            let stem = part
                .strip_suffix(".parquet")
                .or_else(|| part.strip_suffix(".arrow"))
                .unwrap_or(part);
            for extension in ["parquet", "arrow"] {
                let path = folder.join(format!("{stem}.{extension}"));
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(write_error(&path)(e)),
                }
            }
        }
        if partitioned {
            // Only removed when empty; an error means it is not.
            let _ = fs::remove_dir(folder);
        }
    }
    Ok(())
}
