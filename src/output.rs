//! Output files: rejected rows under `errors/` and the daily reports under
//! `reports/`. Each file is written to a temporary name and renamed into
//! place, so a re-run replaces it whole and a crash never leaves half a file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::aggregate::{DailySales, TopProduct};
use crate::columns::*;
use crate::error::{Error, Result};
use crate::sink::{Judged, Ledger, Sink, Start};

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

/// Writes rejected rows to `<stem>.rejected.csv` files as they come, a
/// chunk at a time, each under a temporary name until [`finish`] renames
/// them all into place (and a writer dropped unfinished removes them): a
/// failed run leaves the previous run's files as they were.
///
/// [`finish`]: RejectedWriter::finish
pub struct RejectedWriter {
    dir: PathBuf,
    names: Vec<String>,
    /// Per input file: its temporary path and open file, once it has rows.
    open: Vec<Option<(PathBuf, std::io::BufWriter<fs::File>)>>,
    /// The files renamed into place by `finish`.
    written: Vec<PathBuf>,
}

impl RejectedWriter {
    /// A writer into `dir`, which [`Sink::begin`] makes when missing (so
    /// that a run failing on its inputs writes nothing); the input file
    /// names come with it.
    pub fn new(dir: &Path) -> Result<RejectedWriter> {
        Ok(RejectedWriter {
            dir: dir.to_path_buf(),
            names: Vec::new(),
            open: Vec::new(),
            written: Vec::new(),
        })
    }

    /// The files written, once finished.
    pub fn written(&self) -> &[PathBuf] {
        &self.written
    }

    fn path(&self, index: usize) -> PathBuf {
        self.dir.join(rejected_file_name(&self.names[index]))
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
                let temporary = partial_path(&path);
                let file = fs::File::create(&temporary).map_err(write_error(&path))?;
                self.open[index] = Some((temporary, std::io::BufWriter::new(file)));
            }
            let (_, out) = self.open[index].as_mut().expect("opened above");
            CsvWriter::new(out)
                .include_header(first)
                .finish(&mut rows)
                .map_err(|e| std::io::Error::other(e.to_string()))
                .map_err(write_error(&path))?;
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
                Some((temporary, out)) => {
                    let done = (|| {
                        let file = out.into_inner().map_err(|e| e.into_error())?;
                        file.sync_all()?;
                        fs::rename(&temporary, &path)
                    })();
                    if let Err(e) = done {
                        let _ = fs::remove_file(&temporary);
                        return Err(write_error(&path)(e));
                    }
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
        self.open = self.names.iter().map(|_| None).collect();
        Ok(())
    }

    fn judged(&mut self, chunk: &Judged<'_>) -> Result<()> {
        if chunk.rejected.height() == 0 {
            return Ok(());
        }
        self.write(chunk.rejected)
    }

    fn finish(&mut self, ledger: &Ledger) -> Result<()> {
        let rejected_per_file: Vec<u64> = ledger.files.iter().map(|f| f.rejected()).collect();
        self.written = self.rename_into_place(&rejected_per_file)?;
        Ok(())
    }
}

impl Drop for RejectedWriter {
    fn drop(&mut self) {
        for (temporary, _) in self.open.iter_mut().filter_map(Option::take) {
            let _ = fs::remove_file(temporary);
        }
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.partial"))
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
    }
    Ok(written)
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

fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(write_error(dir))
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let temporary = partial_path(path);
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        write(&mut file)?;
        file.flush()?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
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
}
