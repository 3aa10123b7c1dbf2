//! Finds the input files of a run: every `*.csv` in the input folder, in byte
//! order of their names. It does not open the files; `extract` does.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One CSV file that is part of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file's name inside the input folder, as written in reports.
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
}

/// The files of a run and the files that were passed over.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<InputFile>,
    /// Visible files that are not `*.csv`, named in one warning.
    pub ignored: Vec<String>,
}

/// Lists the CSV files of `dir`. Hidden files (name starting with `.`) are
/// skipped silently; other non-CSV entries are returned as `ignored`.
/// Subfolders are not searched.
pub fn discover(dir: &Path) -> Result<Discovered> {
    if !dir.is_dir() {
        return Err(Error::InputDirMissing {
            path: dir.to_path_buf(),
        });
    }
    let unreadable = |source| Error::InputDirUnreadable {
        path: dir.to_path_buf(),
        source,
    };
    let mut found = Discovered::default();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        // A name that is not UTF-8 cannot be written into a UTF-8 report as
        // it is; its lossy form is still shown in the warning.
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let metadata = std::fs::metadata(&path);
        let is_file = metadata.as_ref().map(|m| m.is_file()).unwrap_or(false);
        if is_file && is_csv_name(&name) && entry.file_name().to_str().is_some() {
            let size = metadata.map(|m| m.len()).unwrap_or(0);
            found.files.push(InputFile { name, path, size });
        } else if is_file || metadata.is_err() {
            found.ignored.push(name);
        }
    }
    found
        .files
        .sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    found.ignored.sort();
    if found.files.is_empty() {
        return Err(Error::NoInputFiles {
            path: dir.to_path_buf(),
            ignored: found.ignored.len(),
        });
    }
    Ok(found)
}

/// `*.csv`, case-insensitive (`SALES.CSV` is an export too).
fn is_csv_name(name: &str) -> bool {
    name.len() > 4 && name.to_ascii_lowercase().ends_with(".csv")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn missing_folder() {
        let err = discover(Path::new("/definitely/not/here")).unwrap_err();
        assert!(matches!(err, Error::InputDirMissing { .. }));
    }
}
