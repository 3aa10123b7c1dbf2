//! The warehouse load as a sink of the run: valid rows go to the database
//! chunk by chunk while the files are read for them, on a thread of the load's
//! own, inside one transaction that commits when the run's rows are all
//! judged. A failed
//! load is this sink's own business: it stops taking rows, rolls back, and
//! hands its error to the caller beside the run's other outputs, so the
//! CSV files are written whatever becomes of the load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use indicatif::ProgressBar;

use serde::Serialize;

use super::mysql::LoadMethod;
use super::rows::SaleText;
use super::{mysql, sqlite, Target};
use crate::aggregate::SalesSums;
use crate::error::{Error, Result};
use crate::messages::Messages;
use crate::sink::{Ledger, Sink, Start};
use crate::split::Accounting;

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
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// The folder the file was read from (absolute when it could be
    /// resolved); empty in records of versions before it was kept.
    #[serde(default)]
    pub folder: String,
    /// Which of its rows were valid ([`crate::sink::ValidDigest`]); empty
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
    pub bytes: u64,
    pub sha256: String,
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
            bytes: input.bytes,
            sha256: input.sha256,
            valid_digest: input.valid_digest,
            rows_format: input.rows_format,
        }
    }

    /// Whether the warehouse already holds exactly what `file` would load:
    /// the same content, the same rows valid, written the same way, and
    /// (`rows_now`, the file's rows in the warehouse now) none of them
    /// replaced since by another file's id.
    pub fn holds(&self, file: &InputRecord, valid_rows: u64, rows_now: u64) -> bool {
        self.sha256 == file.sha256
            && self.bytes == file.bytes
            && !file.valid_digest.is_empty()
            && self.valid_digest == file.valid_digest
            && self.rows_format == ROWS_FORMAT
            && file.rows_format == ROWS_FORMAT
            && rows_now == valid_rows
    }
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
    /// What loading `file` does to the warehouse, which holds `rows_now`
    /// rows of a file of its name, loaded by `earlier`: nothing when it
    /// holds the file's rows already (unless `reload`), else those rows are
    /// replaced.
    pub fn new(
        file: &InputRecord,
        rows_now: u64,
        earlier: Option<EarlierLoad>,
        reload: bool,
    ) -> FileReplaced {
        if let Some(e) = earlier
            .as_ref()
            .filter(|e| !reload && e.holds(file, file.valid_rows, rows_now))
        {
            return FileReplaced {
                file: file.file.clone(),
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
            let other_content = e.sha256 != file.sha256;
            let what = match (other_folder, other_content) {
                (false, false) => return None,
                (true, _) => format!("from another folder, `{}`", e.folder),
                (false, true) => format!(
                    "from a file of other content ({} bytes, SHA-256 {}…)",
                    e.bytes,
                    &e.sha256.get(..12).unwrap_or(&e.sha256)
                ),
            };
            Some(format!(
                "{}: replaced {replaced_rows} row{} that run {} loaded {what}",
                crate::messages::shown(&file.file),
                if replaced_rows == 1 { "" } else { "s" },
                e.run_id
            ))
        });
        FileReplaced {
            file: file.file.clone(),
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
            if files.iter().any(|f| f.file == input.file) && !found.contains_key(&input.file) {
                found.insert(input.file.clone(), EarlierLoad::new(run_id, input));
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
    /// The run's sales per date, file, channel and product
    /// ([`crate::aggregate::SalesSums::partials`]).
    pub partials: polars::prelude::DataFrame,
    /// Products per day in `reporting_top_products`.
    pub top: u32,
    /// What the outlier rule held back, per file index, date and channel
    /// (`held_back_sales`).
    pub held_back: Vec<(u32, crate::aggregate::HeldBack)>,
}

/// The options of a load that do not come from the run's rows.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub target: Target,
    /// Where the target's URL came from, said beside it.
    pub from: super::target::UrlSource,
    pub method: LoadMethod,
    /// Products per day in `reporting_top_products`.
    pub top: u32,
    /// The input folder, recorded with each file in `etl_runs`.
    pub folder: String,
    /// `--reload`: load unchanged files again.
    pub reload: bool,
}

pub struct WarehouseLoad {
    options: LoadOptions,
    messages: Messages,
    /// Rows loaded, shown beside the reading bar.
    progress: ProgressBar,
    /// The run's sales per date, file, channel and product, which the load
    /// stores and merges into the warehouse's reports.
    sums: SalesSums,
    state: State,
    names: Vec<String>,
    /// By file index: the warehouse holds the file's rows already, so they
    /// are not sent.
    unchanged: Vec<bool>,
    /// Some file has valid rows to send.
    wants_rows: bool,
    outcome: Option<Result<Loaded>>,
}

enum State {
    Waiting,
    Streaming(Streaming),
    Failed(Error),
    Finished,
}

impl WarehouseLoad {
    pub fn new(options: LoadOptions, messages: &Messages) -> WarehouseLoad {
        WarehouseLoad {
            options,
            messages: messages.clone(),
            progress: ProgressBar::hidden(),
            sums: SalesSums::default(),
            state: State::Waiting,
            names: Vec::new(),
            unchanged: Vec::new(),
            wants_rows: true,
            outcome: None,
        }
    }

    /// Rows inserted so far (SQLite; 0 until the end for MySQL).
    pub fn loaded(&self) -> u64 {
        match &self.state {
            State::Streaming(streaming) => streaming.loaded(),
            _ => 0,
        }
    }

    /// What the load did, once finished: its report, or why it failed and
    /// was rolled back. `None` when the run stopped before the load could
    /// finish.
    pub fn outcome(&mut self) -> Option<Result<Loaded>> {
        self.outcome.take()
    }

    /// The rows of `valid` whose file the warehouse does not hold already.
    fn to_send(&self, valid: &polars::prelude::DataFrame) -> Result<polars::prelude::DataFrame> {
        use polars::prelude::*;
        if !self.unchanged.iter().any(|unchanged| *unchanged) {
            return Ok(valid.clone());
        }
        let files = valid
            .column(crate::columns::FILE_INDEX)
            .and_then(|c| c.u32().cloned())
            .map_err(Error::engine("load"))?;
        let keep: BooleanChunked = files
            .iter()
            .map(|file| file.is_none_or(|f| self.unchanged.get(f as usize) != Some(&true)))
            .collect();
        valid.filter(&keep).map_err(Error::engine("load"))
    }

    fn fail(&mut self, error: Error) {
        // Dropping a streaming load rolls it back.
        self.state = State::Failed(error);
    }
}

impl Sink for WarehouseLoad {
    fn begin(&mut self, start: &Start<'_>) -> Result<()> {
        self.names = start.names.to_vec();
        let plan = LoadPlan {
            target: self.options.target.masked(),
            started_at: start.started_at.to_owned(),
            files: start
                .read
                .iter()
                .map(|input| InputRecord {
                    file: input.name.clone(),
                    bytes: input.bytes,
                    sha256: input.sha256.clone(),
                    folder: self.options.folder.clone(),
                    valid_digest: input.valid_digest.clone(),
                    rows_format: ROWS_FORMAT,
                    valid_rows: input.valid_rows,
                })
                .collect(),
            names: self.names.clone(),
            candidate_rows: start.candidate_rows,
            reload: self.options.reload,
        };
        self.state = match &self.options.target {
            Target::Sqlite(path) => sqlite::start(path, plan, &self.messages),
            Target::Mysql(url) => mysql::start(url, plan, self.options.method, &self.messages),
        }
        .map_or_else(State::Failed, State::Streaming);
        // The load says which files the warehouse holds already before it
        // takes rows: theirs are not sent, nor read again for it.
        let unchanged = match &mut self.state {
            State::Streaming(streaming) => streaming.unchanged(),
            _ => Vec::new(),
        };
        self.unchanged = self
            .names
            .iter()
            .map(|name| unchanged.contains(name))
            .collect();
        let to_send: u64 = start
            .read
            .iter()
            .filter(|input| !self.unchanged[input.index])
            .map(|input| input.valid_rows)
            .sum();
        self.wants_rows = to_send > 0;
        self.progress = self.messages.rows_bar(
            format!("loading into {}", self.options.target.masked()),
            to_send,
        );
        Ok(())
    }

    fn wants_valid_rows(&self) -> bool {
        self.wants_rows
    }

    fn valid(&mut self, valid: &polars::prelude::DataFrame) -> Result<()> {
        if valid.height() == 0 || matches!(self.state, State::Failed(_)) {
            return Ok(());
        }
        let valid = self.to_send(valid)?;
        if valid.height() == 0 {
            return Ok(());
        }
        if let Err(error) = super::schema::check_lengths(&valid, &self.names) {
            self.fail(error);
            return Ok(());
        }
        self.sums.add(&valid)?;
        let rows = match SaleText::of(&valid) {
            Ok(sales) => Message::Sales(sales),
            Err(error) => {
                self.fail(error);
                return Ok(());
            }
        };
        if let State::Streaming(streaming) = &mut self.state {
            // A stopped thread says why at `finish`.
            let _ = streaming.send(rows);
            self.progress.set_position(streaming.loaded());
        }
        Ok(())
    }

    fn finish(&mut self, ledger: &Ledger) -> Result<()> {
        let end = LoadEnd {
            totals: ledger.totals.clone(),
            sent: (ledger.files.iter().enumerate())
                .filter(|(index, _)| !self.unchanged.get(*index).copied().unwrap_or(false))
                .map(|(_, file)| file.valid)
                .sum(),
            partials: self.sums.partials()?,
            top: self.options.top,
            // Held back rows come from the first read of every file, so an
            // unchanged file's are stored anew too (a few rows per file).
            held_back: ledger.held_back.clone(),
        };
        self.progress.finish_and_clear();
        self.progress = self.messages.spinner(format!(
            "loading into {}: the last rows, the id index, the reports, the commit",
            self.options.target.masked()
        ));
        let outcome = match std::mem::replace(&mut self.state, State::Finished) {
            State::Streaming(streaming) => streaming.finish(end),
            State::Failed(error) => Err(error),
            State::Waiting | State::Finished => Err(Error::Internal(
                "the load was finished before it began".into(),
            )),
        };
        self.progress.finish_and_clear();
        self.outcome = Some(outcome);
        Ok(())
    }
}

/// A load running on a thread of its own while the valid rows are read:
/// valid rows arrive chunk by chunk and go in inside one transaction, which
/// commits only when [`Streaming::finish`] is called. Dropped unfinished,
/// the thread sees the channel close and rolls back.
pub struct Streaming {
    send: Option<mpsc::SyncSender<Message>>,
    /// The names of the files the warehouse holds already, said once the
    /// load has looked (nothing when it failed before).
    told: Option<mpsc::Receiver<Vec<String>>>,
    worker: Option<std::thread::JoinHandle<Result<Loaded>>>,
    loaded: Arc<AtomicU64>,
}

/// Where the loading thread says which files the warehouse holds already.
pub(crate) type Tell = mpsc::Sender<Vec<String>>;

/// What the run hands the loading thread.
pub(crate) enum Message {
    /// Valid rows, made into `staging_sales` values.
    Sales(SaleText),
    Finish(LoadEnd),
}

impl Streaming {
    /// Runs `work` on a thread named `name` with the receiving end of the
    /// run's chunks and a counter of rows loaded.
    pub(crate) fn spawn(
        name: &str,
        work: impl FnOnce(mpsc::Receiver<Message>, Tell, &AtomicU64) -> Result<Loaded> + Send + 'static,
    ) -> Result<Streaming> {
        // Two chunks in flight at most: memory stays bounded when the
        // database is slower than the reading.
        let (send, receive) = mpsc::sync_channel::<Message>(2);
        let (tell, told) = mpsc::channel();
        let loaded = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&loaded);
        let worker = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || work(receive, tell, &counter))
            .map_err(|e| Error::Internal(format!("cannot start the loading thread: {e}")))?;
        Ok(Streaming {
            send: Some(send),
            told: Some(told),
            worker: Some(worker),
            loaded,
        })
    }

    /// The files the warehouse holds already, once the load has looked
    /// (waiting for it); none when it stopped before, and said once.
    pub fn unchanged(&mut self) -> Vec<String> {
        self.told
            .take()
            .and_then(|told| told.recv().ok())
            .unwrap_or_default()
    }

    /// Rows inserted so far.
    pub fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    /// Hands rows to the loading thread (waiting while it is two chunks
    /// behind). `false` when it has stopped: [`Streaming::finish`] then
    /// says why.
    pub(crate) fn send(&mut self, rows: Message) -> bool {
        match &self.send {
            Some(send) => send.send(rows).is_ok(),
            None => false,
        }
    }

    /// Ends the rows, lets the thread finish the load and commit, and
    /// returns what it did.
    pub fn finish(mut self, end: LoadEnd) -> Result<Loaded> {
        if let Some(send) = self.send.take() {
            // A closed channel means the thread stopped: its result says why.
            let _ = send.send(Message::Finish(end));
        }
        self.join()
    }

    fn join(&mut self) -> Result<Loaded> {
        self.send = None;
        match self.worker.take().map(|w| w.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Internal("the loading thread panicked".into())),
            None => Err(Error::Internal("the load was already finished".into())),
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        // Closing the channel without a Finish rolls the transaction back.
        if self.worker.is_some() {
            let _ = self.join();
        }
    }
}
