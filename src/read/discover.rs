//! Finds the input files of a run: every `*.csv` in the input folder, in byte
//! order of their names, or (for a backfill) the files of each day. It does
//! not open the files; `extract` does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// One CSV file that is part of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file's name inside the input folder, as written in reports.
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
}

/// Who an input file is, from its first read to the run log: its name
/// in the input folder, and the bytes and SHA-256 the first read hashed.
/// JSON (the summary's `files`, `etl_runs.input_files`) names it `file`,
/// `bytes`, `sha256`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileIdentity {
    #[serde(rename = "file")]
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The files of a run and the files that were passed over.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<InputFile>,
    /// Visible files that are not `*.csv`, named in one warning.
    pub ignored: Vec<String>,
}

/// Lists the CSV files of `dir`. Hidden files (name starting with `.`) and
/// the settings file are skipped silently; other non-CSV entries are
/// returned as `ignored`.
/// Subfolders are not searched.
pub fn discover(dir: &Path) -> Result<Discovered> {
    let listing = list(dir)?;
    if listing.files.is_empty() {
        return Err(Error::NoInputFiles {
            path: dir.to_path_buf(),
            ignored: listing.ignored.len(),
        });
    }
    Ok(Discovered {
        files: listing.files,
        ignored: listing.ignored,
    })
}

/// The files of each day in a folder, for a backfill.
#[derive(Debug, Default)]
pub struct Days {
    /// Files by day, each day's in byte order of their names.
    pub days: BTreeMap<NaiveDate, Vec<InputFile>>,
    /// CSV files in the folder itself whose name holds no date.
    pub undated: Vec<String>,
    /// Visible files that are not `*.csv`.
    pub ignored: Vec<String>,
}

/// Finds each day's files in `dir`: `*_YYYY-MM-DD.csv` in the folder itself
/// (the day is the date in the name), and every `*.csv` in a `YYYY-MM-DD/`
/// subfolder (named `YYYY-MM-DD/file.csv` in reports and the database).
/// Other subfolders are not searched.
pub fn discover_days(dir: &Path) -> Result<Days> {
    let top = list(dir)?;
    let mut found = days_of_files(top.files);
    found.ignored = top.ignored;
    for (folder, path) in top.folders {
        let Ok(day) = NaiveDate::parse_from_str(&folder, "%Y-%m-%d") else {
            continue;
        };
        let inner = list(&path)?;
        found.ignored.extend(
            inner
                .ignored
                .into_iter()
                .map(|name| format!("{folder}/{name}")),
        );
        found
            .days
            .entry(day)
            .or_default()
            .extend(inner.files.into_iter().map(|f| InputFile {
                name: format!("{folder}/{}", f.name),
                ..f
            }));
    }
    for files in found.days.values_mut() {
        files.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    }
    Ok(found)
}

impl Days {
    /// The warning about the CSV files whose name holds no date, which a
    /// reader by day leaves out; None when there are none.
    pub fn undated_warning(&self) -> Option<String> {
        (!self.undated.is_empty()).then(|| {
            format!(
                "{} CSV file{} with no date in the name left out: {}",
                self.undated.len(),
                crate::messages::plural(self.undated.len()),
                self.undated.join(", ")
            )
        })
    }
}

/// Each day's files among `files`, by the date at the end of their names
/// (`*_YYYY-MM-DD.csv`); the others are `undated`.
pub fn days_of_files(files: Vec<InputFile>) -> Days {
    let mut found = Days::default();
    for file in files {
        match day_of_name(&file.name) {
            Some(day) => found.days.entry(day).or_default().push(file),
            None => found.undated.push(file.name),
        }
    }
    found
}

/// What a run reads: every CSV file of one folder, or files named one by one.
#[derive(Debug)]
pub enum Input {
    Folder(PathBuf),
    /// Files named on the command line, all in `folder`, in byte order of
    /// their names (the order that decides which of two rows with one id is
    /// kept, as in a folder).
    Files {
        folder: PathBuf,
        files: Vec<InputFile>,
    },
}

impl Input {
    /// The folder the files are in: what a run's record names.
    pub fn folder(&self) -> &Path {
        match self {
            Input::Folder(folder) | Input::Files { folder, .. } => folder,
        }
    }
}

/// What the paths of a command line are: one folder, or files of one folder.
/// A file is named in reports, `errors/` and the warehouse by its name in
/// that folder, so files of two folders (whose names could clash) are
/// refused, as are a folder and files together; a path named twice is read
/// once.
pub fn input_of(paths: &[PathBuf]) -> Result<Input> {
    if let [path] = paths {
        if path.is_dir() {
            return Ok(Input::Folder(path.clone()));
        }
    }
    let mut folder: Option<(PathBuf, PathBuf)> = None;
    let mut files: Vec<InputFile> = Vec::with_capacity(paths.len());
    for path in paths {
        let metadata = std::fs::metadata(path);
        if metadata.as_ref().is_ok_and(|m| m.is_dir()) {
            return Err(Error::MixedInputs {
                reason: format!(
                    "`{}` is a folder; give one folder, or files, not both",
                    path.display()
                ),
            });
        }
        let Some(metadata) = metadata.ok().filter(|m| m.is_file()) else {
            // One missing path not named like a CSV file was meant as a folder.
            let named_as_file = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            return Err(if paths.len() == 1 && !named_as_file {
                Error::InputDirMissing { path: path.clone() }
            } else {
                Error::InputFileMissing { path: path.clone() }
            });
        };
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return Err(Error::InputFileMissing { path: path.clone() });
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let resolved = std::fs::canonicalize(&parent).unwrap_or_else(|_| parent.clone());
        match &folder {
            None => folder = Some((parent, resolved)),
            Some((first, first_resolved)) if *first_resolved != resolved => {
                return Err(Error::MixedInputs {
                    reason: format!(
                        "`{}` and `{}` are in different folders; a run reads files of one folder",
                        first.join(&files[0].name).display(),
                        path.display()
                    ),
                })
            }
            Some(_) => {}
        }
        if files.iter().all(|f| f.name != name) {
            files.push(InputFile {
                name: name.to_owned(),
                path: path.clone(),
                size: metadata.len(),
            });
        }
    }
    files.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let (folder, _) = folder.unwrap_or_default();
    Ok(Input::Files { folder, files })
}

/// The day a file of a run belongs to: its day folder (`2026-11-25/web.csv`)
/// or the date at the end of its name (`web_2026-11-25.csv`).
pub fn day_of_file(name: &str) -> Option<NaiveDate> {
    match name.split_once('/') {
        Some((folder, _)) => NaiveDate::parse_from_str(folder, "%Y-%m-%d").ok(),
        None => day_of_name(name),
    }
}

/// The date in a file name of the form `…_YYYY-MM-DD.csv`.
pub fn day_of_name(name: &str) -> Option<NaiveDate> {
    let stem = name.get(..name.len().checked_sub(4)?)?;
    let (_, date) = stem.rsplit_once('_')?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

struct Listing {
    files: Vec<InputFile>,
    ignored: Vec<String>,
    /// Visible subfolders: (name, path).
    folders: Vec<(String, PathBuf)>,
}

fn list(dir: &Path) -> Result<Listing> {
    if !dir.is_dir() {
        return Err(Error::InputDirMissing {
            path: dir.to_path_buf(),
        });
    }
    let unreadable = |source| Error::InputDirUnreadable {
        path: dir.to_path_buf(),
        source,
    };
    let mut found = Listing {
        files: Vec::new(),
        ignored: Vec::new(),
        folders: Vec::new(),
    };
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        // A name that is not UTF-8 cannot be written into a UTF-8 report as
        // it is; its lossy form is still shown in the warning.
        let name = entry.file_name().to_string_lossy().into_owned();
        // The settings file is read by the run, not ignored.
        if name.starts_with('.') || name == crate::read::settings::FILE_NAME {
            continue;
        }
        let path = entry.path();
        let metadata = std::fs::metadata(&path);
        let is_file = metadata.as_ref().map(|m| m.is_file()).unwrap_or(false);
        let utf8 = entry.file_name().to_str().is_some();
        if is_file && is_csv_name(&name) && utf8 {
            let size = metadata.map(|m| m.len()).unwrap_or(0);
            found.files.push(InputFile { name, path, size });
        } else if is_file || metadata.is_err() {
            found.ignored.push(name);
        } else if utf8 && metadata.as_ref().is_ok_and(|m| m.is_dir()) {
            found.folders.push((name, path));
        } else if metadata.as_ref().is_ok_and(|m| !m.is_dir()) {
            // A FIFO, socket or device: never read (a FIFO would block the
            // run), but said.
            found.ignored.push(format!("{name} (not a regular file)"));
        }
    }
    found
        .files
        .sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    found.ignored.sort();
    Ok(found)
}

/// `*.csv`, case-insensitive (`SALES.CSV` is an export too).
fn is_csv_name(name: &str) -> bool {
    name.len() > 4 && name.to_ascii_lowercase().ends_with(".csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue "hardening, second round", case 9: a FIFO named `x.csv` was
    /// skipped without a word.
    #[test]
    fn a_fifo_is_ignored_and_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x\n").unwrap();
        let fifo = dir.path().join("x.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let (files, ignored) = names(dir.path());
        assert_eq!(files, ["a.csv"]);
        assert_eq!(ignored, ["x.csv (not a regular file)"]);
    }

    fn names(dir: &Path) -> (Vec<String>, Vec<String>) {
        let found = discover(dir).unwrap();
        (
            found.files.into_iter().map(|f| f.name).collect(),
            found.ignored,
        )
    }

    #[test]
    fn byte_order_hidden_skipped_others_ignored() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.csv",
            "B.csv",
            "a.CSV",
            ".hidden.csv",
            "notes.txt",
            "_x.csv",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.csv")).unwrap();
        let (files, ignored) = names(dir.path());
        assert_eq!(files, ["B.csv", "_x.csv", "a.CSV", "b.csv"]);
        assert_eq!(ignored, ["notes.txt"]);
    }

    #[test]
    fn empty_folder_is_no_input() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("readme.md"), "x").unwrap();
        let err = discover(dir.path()).unwrap_err();
        assert!(
            matches!(err, Error::NoInputFiles { ignored: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn days_by_name_and_by_folder() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "web_2026-11-25.csv",
            "store_2026-11-25.CSV",
            "web_2026-11-26.csv",
            "web_2026-13-01.csv",
            "misc.csv",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("2026-11-24")).unwrap();
        std::fs::write(dir.path().join("2026-11-24/web.csv"), "x").unwrap();
        std::fs::create_dir(dir.path().join("archive")).unwrap();
        std::fs::write(dir.path().join("archive/web_2026-11-01.csv"), "x").unwrap();
        let found = discover_days(dir.path()).unwrap();
        let day = |d: &str| -> Vec<String> {
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            found.days[&date].iter().map(|f| f.name.clone()).collect()
        };
        assert_eq!(day("2026-11-24"), ["2026-11-24/web.csv"]);
        assert_eq!(
            day("2026-11-25"),
            ["store_2026-11-25.CSV", "web_2026-11-25.csv"]
        );
        assert_eq!(day("2026-11-26"), ["web_2026-11-26.csv"]);
        assert_eq!(found.days.len(), 3);
        assert_eq!(found.undated, ["misc.csv", "web_2026-13-01.csv"]);
        assert_eq!(found.ignored, ["notes.txt"]);
    }

    #[test]
    fn missing_folder() {
        let err = discover(Path::new("/definitely/not/here")).unwrap_err();
        assert!(matches!(err, Error::InputDirMissing { .. }));
    }
}
