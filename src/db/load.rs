//! The warehouse load as a sink of the run: valid rows go to the database
//! chunk by chunk while the judge pass goes on, on a thread of the load's
//! own, inside one transaction that commits when the run's rows are all
//! judged. A failed
//! load is this sink's own business: it stops taking rows, rolls back, and
//! hands its error to the caller beside the run's other outputs, so the
//! CSV files are written whatever becomes of the load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use indicatif::ProgressBar;
use polars::prelude::DataFrame;

use super::mysql::LoadMethod;
use super::{mysql, sqlite, InputRecord, LoadEnd, LoadPlan, LoadReport, Target};
use crate::aggregate::Totals;
use crate::error::{Error, Result};
use crate::messages::Messages;
use crate::sink::{Judged, Ledger, Sink, Start};

/// The options of a load that do not come from the run's rows.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub target: Target,
    pub method: LoadMethod,
    /// Products per day in `reporting_top_products`.
    pub top: u32,
    /// The input folder, recorded with each file in `etl_runs`.
    pub folder: String,
}

pub struct WarehouseLoad {
    options: LoadOptions,
    messages: Messages,
    /// Rows loaded, shown beside the judge pass's bar.
    progress: ProgressBar,
    /// The run's sales per date, file, channel and product, which the load
    /// stores and merges into the warehouse's reports.
    totals: Totals,
    state: State,
    names: Vec<String>,
    outcome: Option<Result<LoadReport>>,
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
            totals: Totals::default(),
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
    pub fn outcome(&mut self) -> Option<Result<LoadReport>> {
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
            Target::Sqlite(path) => sqlite::start(path, plan),
            Target::Mysql(url) => mysql::start(url, plan, self.options.method),
        }
        .map_or_else(State::Failed, State::Streaming);
        Ok(())
    }

    fn judged(&mut self, chunk: &Judged<'_>) -> Result<()> {
        if chunk.valid.height() == 0 || matches!(self.state, State::Failed(_)) {
            return Ok(());
        }
        if let Err(error) = super::check_lengths(chunk.valid, &self.names) {
            self.fail(error);
            return Ok(());
        }
        self.totals.add(chunk.valid)?;
        let rows = match &self.options.target {
            Target::Sqlite(_) => match sqlite::SaleText::of(chunk.valid) {
                Ok(sales) => Message::Sales(sales),
                Err(error) => {
                    self.fail(error);
                    return Ok(());
                }
            },
            Target::Mysql(_) => Message::Rows(chunk.valid.clone()),
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
            partials: self.totals.partials()?,
            top: self.options.top,
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

/// A load running on a thread of its own while the judge pass goes on:
/// valid rows arrive chunk by chunk and go in inside one transaction, which
/// commits only when [`Streaming::finish`] is called. Dropped unfinished,
/// the thread sees the channel close and rolls back.
pub struct Streaming {
    send: Option<mpsc::SyncSender<Message>>,
    worker: Option<std::thread::JoinHandle<Result<LoadReport>>>,
    loaded: Arc<AtomicU64>,
}

/// What the run hands the loading thread.
pub(crate) enum Message {
    Rows(DataFrame),
    /// Rows already made into `staging_sales` values (SQLite).
    Sales(sqlite::SaleText),
    Finish(LoadEnd),
}

impl Streaming {
    /// Runs `work` on a thread named `name` with the receiving end of the
    /// run's chunks and a counter of rows loaded.
    pub(crate) fn spawn(
        name: &str,
        work: impl FnOnce(mpsc::Receiver<Message>, &AtomicU64) -> Result<LoadReport> + Send + 'static,
    ) -> Result<Streaming> {
        // Two chunks in flight at most: memory stays bounded when the
        // database is slower than the judging.
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
    pub fn finish(mut self, end: LoadEnd) -> Result<LoadReport> {
        if let Some(send) = self.send.take() {
            // A closed channel means the thread stopped: its result says why.
            let _ = send.send(Message::Finish(end));
        }
        self.join()
    }

    fn join(&mut self) -> Result<LoadReport> {
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
