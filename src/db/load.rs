//! The warehouse load as a sink of the run: valid rows go to the database
//! chunk by chunk while the files are read for them, on a thread of the load's
//! own, inside one transaction that commits when the run's rows are all
//! judged. A failed
//! load is this sink's own business: it stops taking rows, rolls back, and
//! hands its error to the caller beside the run's other outputs, so the
//! CSV files are written whatever becomes of the load.

use indicatif::ProgressBar;

use super::mysql::LoadMethod;
use super::plan::{InputRecord, LoadEnd, LoadPlan, Loaded, ROWS_FORMAT};
use super::rows::{RejectedText, SaleText};
use super::stream::{Message, Streaming};
use super::{mysql, sqlite, Target};
use crate::error::{Error, Result};
use crate::fault::Fault;
use crate::judge::aggregate::SalesSums;
use crate::messages::Messages;
use crate::sinks::{Ledger, Sink, Start};

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

    /// What the load did, once finished: its report, or why it failed and
    /// was rolled back. `None` when the run stopped before the load could
    /// finish.
    pub fn outcome(&mut self) -> Option<Result<Loaded>> {
        self.outcome.take()
    }

    /// The rows of `rows` whose file the warehouse does not hold already.
    fn to_send(&self, rows: &polars::prelude::DataFrame) -> Result<polars::prelude::DataFrame> {
        use polars::prelude::*;
        if !self.unchanged.iter().any(|unchanged| *unchanged) {
            return Ok(rows.clone());
        }
        let files = rows
            .column(crate::columns::FILE_INDEX)
            .and_then(|c| c.u32().cloned())
            .map_err(Error::engine("load"))?;
        let keep: BooleanChunked = files
            .iter()
            .map(|file| file.is_none_or(|f| self.unchanged.get(f as usize) != Some(&true)))
            .collect();
        rows.filter(&keep).map_err(Error::engine("load"))
    }

    /// Hands a chunk to the loading thread, or fails the load when the
    /// chunk could not be made.
    fn pass_on(&mut self, made: Result<Message>) {
        match made {
            Err(error) => self.fail(error),
            Ok(rows) => {
                if let State::Streaming(streaming) = &mut self.state {
                    // A stopped thread says why at `finish`.
                    let _ = streaming.send(rows);
                    self.progress.set_position(streaming.loaded());
                }
            }
        }
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
                    file: input.file.clone(),
                    folder: self.options.folder.clone(),
                    valid_digest: input.valid_digest.clone(),
                    rows_format: ROWS_FORMAT,
                    valid_rows: input.valid_rows,
                    rejected_rows: input.rejected_rows,
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
        let valid = less_one(Fault::LoaderDropsRow, valid);
        self.pass_on(SaleText::of(&valid).map(Message::Sales));
        Ok(())
    }

    fn rejected(&mut self, rejected: &polars::prelude::DataFrame) -> Result<()> {
        if rejected.height() == 0 || matches!(self.state, State::Failed(_)) {
            return Ok(());
        }
        let rejected = self.to_send(rejected)?;
        if rejected.height() == 0 {
            return Ok(());
        }
        let rejected = less_one(Fault::LoaderDropsRejectedRow, rejected);
        self.pass_on(RejectedText::of(&rejected).map(Message::Rejected));
        Ok(())
    }

    fn finish(&mut self, ledger: &Ledger) -> Result<()> {
        if !ledger.mostly_rejected.is_empty() {
            // A file was rejected mostly for one reason: nothing is loaded.
            // Dropping the streaming load rolls it back.
            self.progress.finish_and_clear();
            self.state = State::Finished;
            return Ok(());
        }
        let loaded = || {
            (ledger.files.iter().enumerate())
                .filter(|(index, _)| !self.unchanged.get(*index).copied().unwrap_or(false))
                .map(|(_, file)| file)
        };
        let end = LoadEnd {
            totals: ledger.totals.clone(),
            sent: loaded().map(|file| file.valid).sum(),
            rejected: loaded().map(|file| file.rejected()).sum(),
            partials: self.sums.partials()?,
            top: self.options.top,
            // Held back rows come from the first read of every file, so an
            // unchanged file's are stored anew too (a few rows per file).
            held_back: ledger.held_back.clone(),
        };
        // The bar goes on to the last row; a spinner then says what is left.
        let (sent, bar, messages) = (end.sent, self.progress.clone(), self.messages.clone());
        let rest = format!(
            "loading into {}: the id index, the reports, the commit",
            self.options.target.masked()
        );
        let mut spinner = None;
        let outcome = match std::mem::replace(&mut self.state, State::Finished) {
            State::Streaming(streaming) => streaming.finish(end, |loaded| {
                if spinner.is_none() {
                    bar.set_position(loaded);
                    if loaded >= sent {
                        bar.finish_and_clear();
                        spinner = Some(messages.spinner(rest.clone()));
                    }
                }
            }),
            State::Failed(error) => Err(error),
            State::Waiting | State::Finished => Err(Error::Internal(
                "the load was finished before it began".into(),
            )),
        };
        self.progress.finish_and_clear();
        if let Some(spinner) = spinner {
            spinner.finish_and_clear();
        }
        self.outcome = Some(outcome);
        Ok(())
    }
}

/// `rows` without its first row when the test fault `fault` strikes.
fn less_one(fault: Fault, rows: polars::prelude::DataFrame) -> polars::prelude::DataFrame {
    match crate::fault::strikes(fault) {
        true => rows.slice(1, rows.height().saturating_sub(1)),
        false => rows,
    }
}
