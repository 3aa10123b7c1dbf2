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
    /// Rows already in `staging_sales` under the same `transaction_id` from
    /// another file, replaced by this run's.
    pub replaced: u64,
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
}

/// The earlier load of a file name: which run, and the file it read then.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierLoad {
    pub run_id: u64,
    pub folder: String,
    pub bytes: u64,
    pub sha256: String,
}

impl EarlierLoad {
    pub fn new(run_id: u64, input: InputRecord) -> EarlierLoad {
        EarlierLoad {
            run_id,
            folder: input.folder,
            bytes: input.bytes,
            sha256: input.sha256,
        }
    }
}

/// What a run's file replaced in the warehouse: rows keyed to it by name.
#[derive(Debug, Clone, Serialize)]
pub struct FileReplaced {
    pub file: String,
    /// Rows loaded earlier from a file of this name, now replaced.
    pub replaced_rows: u64,
    pub earlier: Option<EarlierLoad>,
    /// Set when the earlier load of this name came from another folder or
    /// had other content: two different files may be replacing each other.
    pub warning: Option<String>,
}

impl FileReplaced {
    pub fn new(
        file: &InputRecord,
        replaced_rows: u64,
        earlier: Option<EarlierLoad>,
    ) -> FileReplaced {
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
}

/// What a load is told after the last row.
#[derive(Debug, Clone)]
pub struct LoadEnd {
    pub totals: Accounting,
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
                })
                .collect(),
            names: self.names.clone(),
            candidate_rows: start.candidate_rows,
        };
        self.progress = self.messages.rows_bar(
            format!("loading into {}", self.options.target.masked()),
            start.candidate_rows,
        );
        self.state = match &self.options.target {
            Target::Sqlite(path) => sqlite::start(path, plan, &self.messages),
            Target::Mysql(url) => mysql::start(url, plan, self.options.method, &self.messages),
        }
        .map_or_else(State::Failed, State::Streaming);
        Ok(())
    }

    fn wants_valid_rows(&self) -> bool {
        true
    }

    fn valid(&mut self, valid: &polars::prelude::DataFrame) -> Result<()> {
        if valid.height() == 0 || matches!(self.state, State::Failed(_)) {
            return Ok(());
        }
        if let Err(error) = super::schema::check_lengths(valid, &self.names) {
            self.fail(error);
            return Ok(());
        }
        self.sums.add(valid)?;
        let rows = match SaleText::of(valid) {
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
            partials: self.sums.partials()?,
            top: self.options.top,
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
    worker: Option<std::thread::JoinHandle<Result<Loaded>>>,
    loaded: Arc<AtomicU64>,
}

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
        work: impl FnOnce(mpsc::Receiver<Message>, &AtomicU64) -> Result<Loaded> + Send + 'static,
    ) -> Result<Streaming> {
        // Two chunks in flight at most: memory stays bounded when the
        // database is slower than the reading.
        let (send, receive) = mpsc::sync_channel::<Message>(2);
        let loaded = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&loaded);
        let worker = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || work(receive, &counter))
            .map_err(|e| Error::Internal(format!("cannot start the loading thread: {e}")))?;
        Ok(Streaming {
            send: Some(send),
            worker: Some(worker),
            loaded,
        })
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
