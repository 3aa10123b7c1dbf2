//! A load's plan and outcome, shared by the sink that drives a load and
//! the dialects that carry it out: what a load is told before its rows
//! (`LoadPlan`) and after them (`LoadEnd`), the files it replaces or
//! passes over (`FileReplaced`, `EarlierLoad`), and what it did
//! (`Loaded`). No database is touched here.

use serde::Serialize;

use crate::read::discover::FileIdentity;

use crate::judge::split::Accounting;

/// How rows reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    #[serde(rename = "LOAD DATA")]
    LoadData,
    #[serde(rename = "INSERT")]
    Insert,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::LoadData => "LOAD DATA",
            Method::Insert => "INSERT",
        }
    }
}

/// What a load did; `--format json` prints it as `load`.
#[derive(Debug, Clone, Serialize)]
pub struct Loaded {
    /// The target URL, password masked.
    pub target: String,
    /// Valid rows loaded into `staging_sales`.
    pub rows: u64,
    /// Rows already in `staging_sales` that this run's rows replaced, of
    /// both kinds: those of earlier loads of the same file names (each
    /// file's `replaced_rows`) and `replaced_by_id`.
    pub replaced: u64,
    /// Rows of other files with a `transaction_id` of this run's, replaced
    /// by this run's.
    pub replaced_by_id: u64,
    pub method: Method,
    /// From the start of the load (while the valid rows were still read)
    /// to its commit.
    pub seconds: f64,
    pub rows_per_second: u64,
    /// The run's id in `etl_runs`.
    pub run_id: u64,
    /// Per input file: the rows an earlier load of the same file name left,
    /// replaced by this run's, and which load that was.
    pub files: Vec<FileReplaced>,
}

/// The names of the files whose rows the warehouse holds already.
pub(crate) fn unchanged_names(files: &[FileReplaced]) -> Vec<String> {
    files
        .iter()
        .filter(|f| f.unchanged_since.is_some())
        .map(|f| f.file.clone())
        .collect()
}

/// Every row replaced: `by_id` of other files, and those of earlier loads
/// of `files`' names; the one count the step line, the summary, the JSON
/// and `etl_runs.replaced` all give.
pub(crate) fn replaced_in_all(by_id: u64, files: &[FileReplaced]) -> u64 {
    by_id + files.iter().map(|f| f.replaced_rows).sum::<u64>()
}

/// Rows per second, 0 when no time passed.
pub fn rows_per_second(rows: u64, seconds: f64) -> u64 {
    if seconds > 0.0 {
        (rows as f64 / seconds) as u64
    } else {
        0
    }
}

/// One input file of the run, as `etl_runs.input_files` records it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct InputRecord {
    #[serde(flatten)]
    pub file: FileIdentity,
    /// The folder the file was read from (absolute when it could be
    /// resolved); empty in records of versions before it was kept.
    #[serde(default)]
    pub folder: String,
    /// Which of its rows were valid ([`crate::sinks::ValidDigest`]); empty
    /// in records of versions before it was kept.
    #[serde(default)]
    pub valid_digest: String,
    /// How valid rows became warehouse rows ([`ROWS_FORMAT`]); 0 in
    /// records of versions before it was kept.
    #[serde(default)]
    pub rows_format: u32,
    /// Its valid rows in this run.
    #[serde(default)]
    pub valid_rows: u64,
    /// Its rejected rows in this run (`rejected_rows`); 0 in records of
    /// versions before the warehouse kept them.
    #[serde(default)]
    pub rejected_rows: u64,
}

/// The version of how valid rows become warehouse rows. A file whose
/// earlier load was written in another format is loaded again even when
/// its content is unchanged. 1: optional ids empty or only spaces are
/// NULL, not `''`.
pub const ROWS_FORMAT: u32 = 1;

/// The earlier load of a file name: which run, and the file it read then.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierLoad {
    pub run_id: u64,
    pub folder: String,
    /// The file that load read: the same name, perhaps other bytes.
    #[serde(flatten)]
    pub file: FileIdentity,
    #[serde(skip)]
    valid_digest: String,
    #[serde(skip)]
    rows_format: u32,
}

impl EarlierLoad {
    pub fn new(run_id: u64, input: InputRecord) -> EarlierLoad {
        EarlierLoad {
            run_id,
            folder: input.folder,
            file: input.file,
            valid_digest: input.valid_digest,
            rows_format: input.rows_format,
        }
    }

    /// Whether the warehouse already holds exactly what `file` would load:
    /// the same content, the same rows valid, written the same way, and
    /// (`now`, the file's rows and rejected rows in the warehouse now) none
    /// of them replaced since by another file's id, and its rejected rows
    /// there too (a warehouse made before it kept them has none).
    pub fn holds(&self, file: &InputRecord, now: Held) -> bool {
        self.file.sha256 == file.file.sha256
            && self.file.bytes == file.file.bytes
            && !file.valid_digest.is_empty()
            && self.valid_digest == file.valid_digest
            && self.rows_format == ROWS_FORMAT
            && file.rows_format == ROWS_FORMAT
            && now.rows == file.valid_rows
            && now.rejected == file.rejected_rows
    }
}

/// What the warehouse holds of a file name: its valid rows and its
/// rejected rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    pub rows: u64,
    pub rejected: u64,
}

/// What a run's file replaced in the warehouse: rows keyed to it by name.
#[derive(Debug, Clone, Serialize)]
pub struct FileReplaced {
    pub file: String,
    /// Rows loaded earlier from a file of this name, now replaced.
    pub replaced_rows: u64,
    /// Set when the warehouse held this file's rows already (same content,
    /// same valid rows, see [`EarlierLoad::holds`]): the run it was loaded
    /// by. Its rows were not loaded again.
    pub unchanged_since: Option<u64>,
    pub earlier: Option<EarlierLoad>,
    /// Set when the earlier load of this name came from another folder or
    /// had other content: two different files may be replacing each other.
    pub warning: Option<String>,
}

impl FileReplaced {
    /// What loading `file` does to the warehouse, which holds `now` of a
    /// file of its name, loaded by `earlier`: nothing when it holds the
    /// file's rows already (unless `reload`), else those rows are replaced.
    pub fn new(
        file: &InputRecord,
        now: Held,
        earlier: Option<EarlierLoad>,
        reload: bool,
    ) -> FileReplaced {
        let rows_now = now.rows;
        if let Some(e) = earlier.as_ref().filter(|e| !reload && e.holds(file, now)) {
            return FileReplaced {
                file: file.file.name.clone(),
                replaced_rows: 0,
                unchanged_since: Some(e.run_id),
                earlier,
                warning: None,
            };
        }
        let replaced_rows = rows_now;
        let warning = earlier.as_ref().and_then(|e| {
            let other_folder =
                !e.folder.is_empty() && !file.folder.is_empty() && e.folder != file.folder;
            let other_content = e.file.sha256 != file.file.sha256;
            let what = match (other_folder, other_content) {
                (false, false) => return None,
                (true, _) => format!("from another folder, `{}`", e.folder),
                (false, true) => format!(
                    "from a file of other content ({} bytes, SHA-256 {}…)",
                    e.file.bytes,
                    &e.file.sha256.get(..12).unwrap_or(&e.file.sha256)
                ),
            };
            Some(format!(
                "{}: replaced {replaced_rows} row{} that run {} loaded {what}",
                crate::messages::shown(&file.file.name),
                crate::messages::plural(replaced_rows),
                e.run_id
            ))
        });
        FileReplaced {
            file: file.file.name.clone(),
            replaced_rows,
            unchanged_since: None,
            earlier,
            warning,
        }
    }
}

/// The latest earlier load of each of `files`, from `etl_runs` rows
/// (run id, `input_files` JSON) newest first; a record that cannot be read
/// is passed over.
pub(crate) fn earlier_loads(
    runs: impl IntoIterator<Item = (u64, String)>,
    files: &[InputRecord],
) -> std::collections::BTreeMap<String, EarlierLoad> {
    let mut found = std::collections::BTreeMap::new();
    for (run_id, inputs) in runs {
        if found.len() == files.len() {
            break;
        }
        let Ok(inputs) = serde_json::from_str::<Vec<InputRecord>>(&inputs) else {
            continue;
        };
        for input in inputs {
            let name = input.file.name.clone();
            if files.iter().any(|f| f.file.name == name) && !found.contains_key(&name) {
                found.insert(name, EarlierLoad::new(run_id, input));
            }
        }
    }
    found
}

/// What a load is told before its rows come.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// The target, password masked, for messages.
    pub target: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS.ffffff`.
    pub started_at: String,
    /// Every usable input file: rows earlier runs loaded from files of
    /// these names are replaced.
    pub files: Vec<InputRecord>,
    /// File names by file index, for `source_file`.
    pub names: Vec<String>,
    /// At most this many valid rows will come.
    pub candidate_rows: u64,
    /// Load files again even when the warehouse holds them already.
    pub reload: bool,
}

/// What a load is told after the last row.
#[derive(Debug, Clone)]
pub struct LoadEnd {
    pub totals: Accounting,
    /// The valid rows sent: those of the files loaded, not of the files
    /// the warehouse held already.
    pub sent: u64,
    /// The rejected rows sent, of the same files.
    pub rejected: u64,
    /// The run's sales per date, file, channel and product
    /// ([`crate::judge::aggregate::SalesSums::partials`]).
    pub partials: polars::prelude::DataFrame,
    /// Products per day in `reporting_top_products`.
    pub top: u32,
    /// What the outlier rule held back, per file index, date and channel
    /// (`held_back_sales`).
    pub held_back: Vec<(u32, crate::judge::aggregate::HeldBack)>,
}
