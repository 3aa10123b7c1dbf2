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

/// `web_2024-03-01.csv` → `web_2024-03-01.rejected.csv`.
pub fn rejected_file_name(input_name: &str) -> String {
    let stem = Path::new(input_name)
        .file_stem()
        .map_or(input_name.into(), |s| s.to_string_lossy());
    format!("{stem}.rejected.csv")
}

/// Writes one `<stem>.rejected.csv` per input file with rejected rows and
/// removes the one an earlier run left for a file that now has none.
/// Returns the paths written.
pub fn write_rejected(
    dir: &Path,
    rejected: &DataFrame,
    file_names: &[String],
    rejected_per_file: &[u64],
) -> Result<Vec<PathBuf>> {
    create_dir(dir)?;
    let mut written = Vec::new();
    for (index, (name, count)) in file_names.iter().zip(rejected_per_file).enumerate() {
        let path = dir.join(rejected_file_name(name));
        if *count == 0 {
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(write_error(&path)(e))
                }
                _ => continue,
            }
        }
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
        write_atomically(&path, |file| {
            CsvWriter::new(file)
                .include_header(true)
                .finish(&mut rows)
                .map_err(|e| std::io::Error::other(e.to_string()))
        })?;
        written.push(path);
    }
    Ok(written)
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
    let name = path
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy());
    let temporary = path.with_file_name(format!(".{name}.partial"));
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
    }
}
