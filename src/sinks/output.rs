//! Output files: rejected rows under `errors/` and the daily reports under
//! `reports/`. Each file is written to a temporary name and renamed into
//! place, so a re-run replaces it whole and a crash never leaves half a file.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::columns::*;
use crate::error::{Error, Result};
use crate::judge::aggregate::{DailySales, TopProduct};
use crate::messages::Messages;
use crate::sinks::{Ledger, Sink, Start};

/// `web_2024-03-01.csv` → `web_2024-03-01.rejected.csv`; a file of a day
/// folder, `2024-03-01/web.csv` → `2024-03-01_web.rejected.csv`.
pub fn rejected_file_name(input_name: &str) -> String {
    let path = Path::new(input_name);
    let stem = path
        .file_stem()
        .map_or(input_name.into(), |s| s.to_string_lossy());
    match path.parent().map(|p| p.to_string_lossy()) {
        Some(folder) if !folder.is_empty() => {
            format!("{}_{stem}.rejected.csv", folder.replace('/', "_"))
        }
        _ => format!("{stem}.rejected.csv"),
    }
}

/// [`rejected_file_name`] of every input of a run, made unique: when two
/// inputs would share a name (`WEB.CSV` and `WEB.csv`, both `WEB`), each
/// later one in file order gets `~2`, `~3`… after its stem. The names only
/// depend on the run's file names, so a re-run writes the same files.
pub fn rejected_file_names(input_names: &[String]) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    input_names
        .iter()
        .map(|input| {
            let name = rejected_file_name(input);
            let stem = name.trim_end_matches(REJECTED_SUFFIX).to_owned();
            let mut unique = name;
            let mut n = 1;
            while !taken.insert(unique.to_ascii_lowercase()) {
                n += 1;
                unique = format!("{stem}~{n}{REJECTED_SUFFIX}");
            }
            unique
        })
        .collect()
}

const REJECTED_SUFFIX: &str = ".rejected.csv";

/// Writes rejected rows to `<stem>.rejected.csv` files as they come, a
/// chunk at a time, each under a temporary name until [`finish`] renames
/// them all into place (and a writer dropped unfinished removes them): a
/// failed run leaves the previous run's files as they were.
///
/// [`finish`]: RejectedWriter::finish
pub struct RejectedWriter {
    dir: PathBuf,
    names: Vec<String>,
    /// Per input file: the file its rejected rows go to.
    paths: Vec<PathBuf>,
    /// Per input file: its temporary file, once it has rows.
    open: Vec<Option<std::io::BufWriter<tempfile::NamedTempFile>>>,
    /// The files renamed into place by `finish`.
    written: Vec<PathBuf>,
    /// Per input file: the rows written to its file, checked against the
    /// ledger at `finish`.
    rows_written: Vec<u64>,
}

impl RejectedWriter {
    /// A writer into `dir`, which [`Sink::begin`] makes when missing (so
    /// that a run failing on its inputs writes nothing); the input file
    /// names come with it.
    pub fn new(dir: &Path) -> Result<RejectedWriter> {
        Ok(RejectedWriter {
            dir: dir.to_path_buf(),
            names: Vec::new(),
            paths: Vec::new(),
            open: Vec::new(),
            written: Vec::new(),
            rows_written: Vec::new(),
        })
    }

    /// The files written, once finished.
    pub fn written(&self) -> &[PathBuf] {
        &self.written
    }

    fn path(&self, index: usize) -> PathBuf {
        self.paths[index].clone()
    }

    /// Appends rejected rows (columns as in `split::Split::rejected`) to
    /// their files' outputs, in the order given.
    fn write(&mut self, rejected: &DataFrame) -> Result<()> {
        let files: std::collections::BTreeSet<u32> = rejected
            .column(FILE_INDEX)
            .and_then(|c| c.u32().cloned())
            .map_err(Error::engine("write rejected rows"))?
            .iter()
            .flatten()
            .collect();
        for index in files {
            let index = index as usize;
            let Some(name) = self.names.get(index).cloned() else {
                return Err(Error::Internal(format!("rejected row of file #{index}")));
            };
            let mut columns: Vec<Expr> = INPUT.iter().map(|c| col(*c)).collect();
            columns.extend([
                lit(name.as_str()).alias(SOURCE_FILE),
                col(SOURCE_LINE),
                col(DISPOSITION),
                col(REASON),
                col(REASONS),
            ]);
            let mut rows = rejected
                .clone()
                .lazy()
                .filter(col(FILE_INDEX).eq(lit(index as u32)))
                .select(columns)
                .collect()
                .map_err(Error::engine("write rejected rows"))?;
            let path = self.path(index);
            let first = self.open[index].is_none();
            if first {
                self.open[index] = Some(std::io::BufWriter::new(temporary_in(&path)?));
            }
            if crate::fault::strikes(crate::fault::Fault::RejectedDropsRow) {
                rows = rows.slice(1, rows.height().saturating_sub(1));
            }
            let out = self.open[index].as_mut().expect("opened above");
            CsvWriter::new(out)
                .include_header(first)
                .finish(&mut rows)
                .map_err(|e| std::io::Error::other(e.to_string()))
                .map_err(write_error(&path))?;
            self.rows_written[index] += rows.height() as u64;
        }
        Ok(())
    }

    /// Renames every written file into place and removes the file an
    /// earlier run left for an input that now has no rejected rows
    /// (`rejected_per_file` is 0). Returns the paths written.
    fn rename_into_place(&mut self, rejected_per_file: &[u64]) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for index in 0..self.names.len() {
            let path = self.path(index);
            match self.open[index].take() {
                Some(out) => {
                    let done = (|| {
                        let file = out.into_inner().map_err(|e| e.into_error())?;
                        file.as_file().sync_all()?;
                        file.persist(&path).map_err(|e| e.error)?;
                        Ok(())
                    })();
                    done.map_err(write_error(&path))?;
                    written.push(path);
                }
                None if rejected_per_file.get(index).copied().unwrap_or(0) == 0 => {
                    match fs::remove_file(&path) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(write_error(&path)(e))
                        }
                        _ => {}
                    }
                }
                None => {
                    return Err(Error::Internal(format!(
                        "{} rejected rows of `{}` were never written",
                        rejected_per_file[index], self.names[index]
                    )))
                }
            }
        }
        Ok(written)
    }
}

impl Sink for RejectedWriter {
    fn begin(&mut self, start: &Start<'_>) -> Result<()> {
        create_dir(&self.dir)?;
        self.names = start.names.to_vec();
        self.paths = rejected_file_names(&self.names)
            .into_iter()
            .map(|name| self.dir.join(name))
            .collect();
        self.open = self.names.iter().map(|_| None).collect();
        self.rows_written = vec![0; self.names.len()];
        Ok(())
    }

    fn rejected(&mut self, rows: &DataFrame) -> Result<()> {
        if rows.height() == 0 {
            return Ok(());
        }
        self.write(rows)
    }

    fn finish(&mut self, ledger: &Ledger) -> Result<()> {
        let rejected_per_file: Vec<u64> = ledger.files.iter().map(|f| f.rejected()).collect();
        for (index, expected) in rejected_per_file.iter().enumerate() {
            let written = self.rows_written.get(index).copied().unwrap_or(0);
            if written != *expected {
                return Err(Error::OutputMismatch {
                    output: "errors/".into(),
                    file: self.names[index].clone(),
                    expected: *expected,
                    written,
                });
            }
        }
        self.written = self.rename_into_place(&rejected_per_file)?;
        Ok(())
    }
}

/// Holds an advisory lock (`flock`) on each output folder of a run from the
/// moment it starts writing (after the inputs were read once) until it is
/// dropped, so that runs sharing a working folder take turns instead of
/// mixing their files. The lock file is `.sales-etl.lock` in each folder.
pub struct OutputLock {
    dirs: Vec<PathBuf>,
    wait: bool,
    messages: Messages,
    held: Vec<fs::File>,
}

impl OutputLock {
    /// Locks `dirs` at [`Sink::begin`]; `wait`: wait for another run's lock
    /// (saying so), else fail with exit code 5.
    pub fn new(dirs: &[&Path], wait: bool, messages: &Messages) -> OutputLock {
        let mut dirs: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
        dirs.sort();
        dirs.dedup();
        OutputLock {
            dirs,
            wait,
            messages: messages.clone(),
            held: Vec::new(),
        }
    }
}

impl Sink for OutputLock {
    fn begin(&mut self, _start: &Start<'_>) -> Result<()> {
        for dir in &self.dirs {
            create_dir(dir)?;
            let path = dir.join(".sales-etl.lock");
            // A link planted where the lock goes is never followed (it made
            // the run create the file it pointed at).
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .custom_flags(libc::O_NOFOLLOW)
                .mode(0o666)
                .open(&path)
                .map_err(|e| {
                    match e.raw_os_error() {
                Some(libc::ELOOP) => write_error(&path)(std::io::Error::other(
                    "it is a symbolic link, and sales-etl never follows a link it did not make: \
                     remove it",
                )),
                _ => write_error(&path)(e),
            }
                })?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) if self.wait => {
                    self.messages.warn(format!(
                        "waiting for another sales-etl run writing to `{}` to finish",
                        dir.display()
                    ));
                    file.lock().map_err(write_error(&path))?;
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Error::OutputBusy {
                        dir: dir.display().to_string(),
                    })
                }
                Err(fs::TryLockError::Error(e)) => return Err(write_error(&path)(e)),
            }
            self.held.push(file);
        }
        Ok(())
    }
}

/// A new file beside `path`, for its contents until they are complete:
/// a random name created exclusively (`O_EXCL`: no symlink is followed and
/// no other run's file is reused), short whatever the length of `path`'s
/// name, removed unless persisted. Its mode follows the umask, as `cp`'s
/// and `sqlite3`'s do (see [`public_file`]).
fn temporary_in(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    public_file(
        tempfile::Builder::new()
            .prefix(".sales-etl-")
            .suffix(".partial"),
    )
    .tempfile_in(dir)
    .map_err(write_error(path))
}

/// A temporary file that becomes an output: created with mode 0666 less the
/// umask (0644 under the usual 022) like any file a program writes, not
/// with a temporary file's private 0600 — a teammate or a web server reads
/// the reports.
pub(crate) fn public_file<'a, 'b>(
    builder: &'b mut tempfile::Builder<'a, 'a>,
) -> &'b mut tempfile::Builder<'a, 'a> {
    use std::os::unix::fs::PermissionsExt;
    builder.permissions(fs::Permissions::from_mode(0o666))
}

/// Writes `daily_sales_<date>.csv` and `top<N>_products_<date>.csv` for every
/// date with valid rows. Returns the paths written.
pub fn write_reports(
    dir: &Path,
    daily: &[DailySales],
    top: &[TopProduct],
    top_n: u32,
) -> Result<Vec<PathBuf>> {
    create_dir(dir)?;
    let mut written = Vec::new();
    let mut dates: Vec<&str> = daily.iter().map(|d| d.date.as_str()).collect();
    dates.dedup();
    for date in dates {
        let path = dir.join(format!("daily_sales_{date}.csv"));
        write_csv(&path, daily.iter().filter(|d| d.date == date))?;
        written.push(path);
        let path = dir.join(format!("top{top_n}_products_{date}.csv"));
        write_csv(&path, top.iter().filter(|t| t.date == date))?;
        written.push(path);
        remove_other_tops(dir, date, top_n)?;
    }
    Ok(written)
}

/// Removes the `top<K>_products_<date>.csv` files an earlier run with
/// another `--top` left for `date`: a day's top products are one file.
fn remove_other_tops(dir: &Path, date: &str, top_n: u32) -> Result<()> {
    let suffix = format!("_products_{date}.csv");
    for entry in fs::read_dir(dir).map_err(write_error(dir))? {
        let path = entry.map_err(write_error(dir))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let other = name
            .strip_prefix("top")
            .and_then(|rest| rest.strip_suffix(&suffix))
            .and_then(|k| k.parse::<u32>().ok())
            .is_some_and(|k| k != top_n);
        if other {
            fs::remove_file(&path).map_err(write_error(&path))?;
        }
    }
    Ok(())
}

fn write_csv<'a, T: serde::Serialize + 'a>(
    path: &Path,
    rows: impl Iterator<Item = &'a T>,
) -> Result<()> {
    write_atomically(path, |file| {
        let mut writer = csv::Writer::from_writer(file);
        for row in rows {
            writer.serialize(row).map_err(std::io::Error::other)?;
        }
        writer.flush()
    })
}

/// Writes `path` in `dir` (made if missing) with `write`, through a
/// buffer, atomically: a reader sees the old file or the whole new one.
pub fn write_with(
    dir: &Path,
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    create_dir(dir)?;
    write_atomically(path, |file| {
        let mut buffered = std::io::BufWriter::new(file);
        write(&mut buffered)?;
        buffered.flush()
    })
}

fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(write_error(dir))
}

pub(crate) fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |cause| Error::Write {
        path: path.to_path_buf(),
        cause,
    }
}

fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let mut temporary = temporary_in(path)?;
    let result = (|| {
        write(temporary.as_file_mut())?;
        temporary.as_file_mut().flush()?;
        temporary.as_file().sync_all()?;
        temporary.persist(path).map_err(|e| e.error)?;
        Ok(())
    })();
    // A temporary file not persisted is removed when dropped.
    result.map_err(write_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_names() {
        assert_eq!(
            rejected_file_name("web_2024-03-01.csv"),
            "web_2024-03-01.rejected.csv"
        );
        assert_eq!(rejected_file_name("STORE.CSV"), "STORE.rejected.csv");
        assert_eq!(
            rejected_file_name("2024-03-01/web.csv"),
            "2024-03-01_web.rejected.csv"
        );
    }

    #[test]
    fn no_two_inputs_share_a_rejected_file() {
        let names: Vec<String> = ["WEB.CSV", "WEB.csv", "Web.Csv", "web_2.csv", "x.csv"]
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(
            rejected_file_names(&names),
            [
                "WEB.rejected.csv",
                "WEB~2.rejected.csv",
                "Web~3.rejected.csv",
                "web_2.rejected.csv",
                "x.rejected.csv"
            ]
        );
    }
}
