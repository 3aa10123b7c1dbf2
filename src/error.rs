//! The library's one error type and the exit codes it maps to.
//!
//! Rejected rows are not errors: they are findings, counted in the summary and
//! written to `errors/`. This module owns only what stops a run: unusable input
//! files, a missing input folder, outputs that cannot be written, and bugs
//! (a failed accounting check, an engine error). It does not print anything;
//! `main.rs` reports an error once.

use std::fmt;

use crate::messages::plural;
use std::path::PathBuf;

/// Why a whole input file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFile {
    /// The file's name inside the input folder.
    pub file: String,
    /// What is wrong, lowercase, user values in backticks.
    pub problem: String,
}

impl fmt::Display for BadFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            crate::messages::shown(&self.file),
            self.problem
        )
    }
}

/// What a failed query failed in: reading its file, the statement itself,
/// Polars SQL over a folder, or a warehouse (its masked URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryEngine {
    File,
    Statement,
    PolarsSql,
    Warehouse(String),
}

impl fmt::Display for QueryEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryEngine::File => f.write_str("the query file"),
            QueryEngine::Statement => f.write_str("the query"),
            QueryEngine::PolarsSql => f.write_str("Polars SQL"),
            QueryEngine::Warehouse(target) => f.write_str(target),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("input folder `{}` does not exist or is not a folder", path.display())]
    InputDirMissing { path: PathBuf },

    #[error("input file `{}` does not exist or is not a file", path.display())]
    InputFileMissing { path: PathBuf },

    #[error("{reason}")]
    MixedInputs { reason: String },

    #[error("cannot list input folder `{}`: {source}", path.display())]
    InputDirUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("no CSV files in `{}`{}", path.display(), ignored_note(*ignored))]
    NoInputFiles { path: PathBuf, ignored: usize },

    #[error("{} input file{} cannot be read as sales CSV:\n{}", files.len(), plural(files.len()), list_bad_files(files))]
    BadInputFiles { files: Vec<BadFile> },

    /// An output wrote other than the rows the ledger gives it: a bug,
    /// caught before the load commits.
    #[error("{output} for `{}` holds {written} rows where the ledger counts {expected}: nothing was committed", crate::messages::shown(file))]
    OutputMismatch {
        output: String,
        file: String,
        expected: u64,
        written: u64,
    },

    /// A file was rejected mostly for one reason (`--max-reject-rate`):
    /// nothing was loaded.
    #[error(
        "nothing was loaded (errors/ and the reports were written):\n{}",
        mostly_rejected(files)
    )]
    MostlyRejected { files: Vec<MostlyRejected> },

    /// `report INPUT_DIR`: a file was rejected mostly for one reason, so
    /// the folder's report would hide a missing day.
    #[error("no report of this folder:\n{}", mostly_rejected(files))]
    MostlyRejectedFolder { files: Vec<MostlyRejected> },

    /// The warehouse committed, then the export could not be put in place.
    #[error("the warehouse holds this run's rows, but the export to `{}` is incomplete: cannot write `{}`: {cause}; the parts of {} may be an earlier run's", dir.display(), path.display(), shown_files(files))]
    ExportIncomplete {
        dir: PathBuf,
        path: PathBuf,
        cause: std::io::Error,
        files: Vec<String>,
    },

    /// The OS error is part of the message, not a source of its own, so
    /// that the report prints it once.
    #[error("cannot write `{}`: {cause}", path.display())]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("row accounting does not add up for `{file}`: {data_rows} data rows but {valid} valid + {invalid} invalid + {duplicate} duplicate + {outlier} outlier")]
    AccountingMismatch {
        file: String,
        data_rows: u64,
        valid: u64,
        invalid: u64,
        duplicate: u64,
        outlier: u64,
    },

    #[error("data engine error in stage `{stage}`: {source}")]
    Engine {
        stage: &'static str,
        source: polars::error::PolarsError,
    },

    #[error("internal error: {0}")]
    Internal(String),

    #[error("`{}` changed while the run was reading it (it is read twice, and the second read differed from the first); nothing was written", crate::messages::shown(file))]
    InputChanged { file: String },

    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),

    #[error("--from {from} is after --to {to}")]
    BadDateRange { from: String, to: String },

    /// Arguments that each parse but do not go together.
    #[error("{0}")]
    Usage(String),

    #[error("database URL `{url}` is not usable: {problem}")]
    BadDatabaseUrl { url: String, problem: String },

    #[error("cannot connect to `{target}`: {reason}")]
    DatabaseUnreachable { target: String, reason: String },

    #[error("cannot connect to `{target}`: {reason}\nnothing was loaded; the CSV reports and rejected rows were written")]
    LoadUnreachable { target: String, reason: String },

    /// The warehouse failed its check before the run read any input.
    #[error("the warehouse `{target}` is not ready: {problem}\nno input was read and nothing was written")]
    WarehouseNotReady {
        target: String,
        problem: String,
        /// Where to look: the server, or the table.
        table: bool,
    },

    #[error("table `{table}` in `{target}` cannot take the rows: column `{column}` {problem}\nnothing was loaded; the CSV reports and rejected rows were written")]
    SchemaMismatch {
        target: String,
        table: String,
        column: String,
        problem: String,
    },

    #[error("{}, line {line}, column `{column}`: the value is longer than the {limit} characters the warehouse column holds\nnothing was loaded; the CSV reports and rejected rows were written", crate::messages::shown(file))]
    ValueTooLong {
        file: String,
        line: u64,
        column: String,
        limit: u32,
    },

    #[error("no reports can be read from `{target}`: {problem}")]
    NoReports { target: String, problem: String },

    #[error("the query failed in {engine}: {message}")]
    BadQuery {
        engine: QueryEngine,
        message: String,
    },

    #[error("no warehouse to query at `{target}`: {problem}")]
    NoWarehouse { target: String, problem: String },

    #[error("loading into `{target}` failed and was rolled back: {message}\nnothing was loaded; the CSV reports and rejected rows were written")]
    Load { target: String, message: String },

    #[error("another sales-etl run is writing to `{dir}`")]
    OutputBusy { dir: String },

    #[error("`{path}` cannot be read for DATABASE_URL: {problem}")]
    BadEnvFile { path: String, problem: String },

    #[error("`{}` already holds a generated day: its truth would be replaced by this day's alone", path.display())]
    AlreadyGenerated { path: PathBuf },

    #[error("settings file `{}`{}: {problem}", path.display(), line.map_or(String::new(), |l| format!(" line {l}")))]
    Settings {
        path: PathBuf,
        line: Option<usize>,
        problem: String,
    },
}

impl Error {
    /// The process exit code for this error; the README's exit code table
    /// lists the same numbers.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadInputFiles { .. } | Error::InputChanged { .. } => exit::BAD_INPUT,
            Error::InputDirMissing { .. }
            | Error::InputFileMissing { .. }
            | Error::InputDirUnreadable { .. }
            | Error::NoInputFiles { .. } => exit::NO_INPUT,
            Error::Write { .. }
            | Error::ExportIncomplete { .. }
            | Error::Stdout(_)
            | Error::OutputBusy { .. } => exit::OUTPUT,
            Error::AccountingMismatch { .. }
            | Error::OutputMismatch { .. }
            | Error::Engine { .. }
            | Error::Internal(_) => exit::INTERNAL,
            Error::MostlyRejected { .. } | Error::MostlyRejectedFolder { .. } => {
                exit::MOSTLY_REJECTED
            }
            Error::BadDatabaseUrl { .. }
            | Error::BadDateRange { .. }
            | Error::Usage(_)
            | Error::BadEnvFile { .. }
            | Error::Settings { .. }
            | Error::AlreadyGenerated { .. }
            | Error::MixedInputs { .. } => exit::USAGE,
            Error::DatabaseUnreachable { .. }
            | Error::LoadUnreachable { .. }
            | Error::SchemaMismatch { .. }
            | Error::WarehouseNotReady { .. }
            | Error::ValueTooLong { .. }
            | Error::Load { .. }
            | Error::NoReports { .. }
            | Error::NoWarehouse { .. } => exit::DATABASE,
            Error::BadQuery { .. } => exit::QUERY,
        }
    }

    /// A hint for the user, shown under the error where one helps.
    pub fn suggestion(&self) -> Option<&'static str> {
        match self {
            Error::BadInputFiles { .. } => {
                Some("fix or move these files, or pass `--skip-bad-files` to process the others")
            }
            Error::InputDirMissing { .. } => {
                Some("pass the folder of raw CSV files: `sales-etl run path/to/folder`")
            }
            Error::InputFileMissing { .. } => Some(
                "pass a folder of raw CSV files, or files: `sales-etl run path/to/folder` or `sales-etl run a.csv b.csv`",
            ),
            Error::MixedInputs { .. } => {
                Some("pass one folder (`sales-etl run data/raw`), or files of one folder")
            }
            Error::NoInputFiles { .. } => Some("only files ending in `.csv` are read"),
            Error::ExportIncomplete { .. } => Some(
                "fix what the message names and run the same command again: it exports these files anew (the load of unchanged files is skipped)",
            ),
            Error::InputChanged { .. } => {
                Some("run again once the export has finished writing the file")
            }
            Error::AccountingMismatch { .. }
            | Error::OutputMismatch { .. }
            | Error::Engine { .. }
            | Error::Internal(_) => {
                Some("this is a bug in sales-etl; please report it with the input that caused it")
            }
            Error::AlreadyGenerated { .. } => Some(
                "generate each day into its own folder (`--out DIR/2026-11-25`) and backfill them with `run DIR --from … --to …`, or pass `--force` to overwrite",
            ),
            Error::MostlyRejectedFolder { .. } => Some(
                "`sales-etl query 'SELECT * FROM rejected' DIR` shows the rejected rows, writing nothing; a date format, a decimal comma or a separator the rules do not read rejects every row; `--allow-rejects` reports on the valid rows anyway",
            ),
            Error::MostlyRejected { .. } => Some(
                "look at the file's rows in errors/: a date format, a decimal comma or a separator the rules do not read rejects every row; `--allow-rejects` loads the valid rows anyway",
            ),
            Error::DatabaseUnreachable { .. } | Error::LoadUnreachable { .. } => Some(
                "is the server running and the URL right? `--db sqlite://sales.db` works without a server; `--no-db` skips loading",
            ),
            Error::NoReports { .. } => Some(
                "load a day first with `sales-etl run`, or point --db / DATABASE_URL at the warehouse",
            ),
            Error::NoWarehouse { .. } => Some(
                "load a day first with `sales-etl run`, or point --db at the warehouse; without --db the query runs over a folder",
            ),
            Error::BadQuery { engine, .. } => Some(match engine {
                QueryEngine::File => {
                    "give a .sql file, a shipped query's name (see `sales-etl query --help`) or the SQL in quotes"
                }
                QueryEngine::Statement => "give one SQL statement",
                QueryEngine::PolarsSql => {
                    "over a folder the tables are `sales` and `rejected`, in Polars SQL; add --db to ask the warehouse"
                }
                QueryEngine::Warehouse(_) => {
                    "the warehouse has the view sales (as over a folder) and the tables staging_sales, daily_file_sales, held_back_sales, reporting_daily_sales, reporting_top_products and etl_runs, in its own SQL; without --db the query runs over a folder"
                }
            }),
            Error::WarehouseNotReady { table: false, .. } => Some(
                "is the server running and the URL right? `--db sqlite://sales.db` works without a server; `--no-db` skips loading",
            ),
            Error::WarehouseNotReady { table: true, .. } | Error::SchemaMismatch { .. } => Some(
                "add the column with ALTER TABLE, or rename the table so sales-etl creates it afresh",
            ),
            _ => None,
        }
    }

    /// This error of a warehouse's check as one that stopped the run
    /// before any input was read (its own text would say the CSV outputs
    /// were written); other errors as they are.
    pub fn before_the_run(self) -> Error {
        match self {
            Error::DatabaseUnreachable { target, reason } => Error::WarehouseNotReady {
                target,
                problem: format!("cannot connect: {reason}"),
                table: false,
            },
            Error::SchemaMismatch {
                target,
                table,
                column,
                problem,
            } => Error::WarehouseNotReady {
                target,
                problem: format!(
                    "table `{table}` cannot take the rows: column `{column}` {problem}"
                ),
                table: true,
            },
            Error::Load { target, message } => Error::WarehouseNotReady {
                target,
                problem: message,
                table: false,
            },
            other => other,
        }
    }

    pub(crate) fn engine(stage: &'static str) -> impl FnOnce(polars::error::PolarsError) -> Error {
        move |source| Error::Engine { stage, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit codes. 0 is success even when rows were rejected: a rejected row is a
/// finding, not a failure.
pub mod exit {
    pub const SUCCESS: i32 = 0;
    /// An internal failure: a bug, such as an accounting mismatch.
    pub const INTERNAL: i32 = 1;
    /// Bad command-line usage (clap's own code).
    pub const USAGE: i32 = 2;
    /// One or more input files cannot be read as sales CSV.
    pub const BAD_INPUT: i32 = 3;
    /// The input folder or a named input file is missing, or the folder
    /// holds no CSV file.
    pub const NO_INPUT: i32 = 4;
    /// An output file or folder cannot be written.
    pub const OUTPUT: i32 = 5;
    /// The database load failed; nothing was loaded, reports were written.
    pub const DATABASE: i32 = 6;
    /// `sales-etl query`: the SQL cannot be read, or its engine refused it.
    pub const QUERY: i32 = 7;
    /// A file was rejected mostly for one reason; nothing was loaded.
    pub const MOSTLY_REJECTED: i32 = 8;

    /// Every code with its meaning: the one source of the README's table
    /// of exit codes (a test compares them word for word).
    pub const MEANINGS: [(i32, &str); 9] = [
        (SUCCESS, "done; rejected rows are findings, not failures"),
        (
            INTERNAL,
            "internal failure: a bug, such as row counts that do not add up or an output that wrote other than the rows counted (nothing is committed)",
        ),
        (
            USAGE,
            "usage error (unknown flag, bad value, unusable database URL, `--from` after `--to`, an unreadable `.env`, a bad `sales-etl.toml`)",
        ),
        (
            BAD_INPUT,
            "one or more input files cannot be read as sales CSV, or one changed while it was read",
        ),
        (
            NO_INPUT,
            "the input folder (or a named input file) is missing, or the folder holds no CSV file",
        ),
        (
            OUTPUT,
            "an output file or folder cannot be written, or (with `--no-wait`) another run is writing to it",
        ),
        (
            DATABASE,
            "the warehouse failed its check before the run (unreachable, schema mismatch; nothing read or written), or the load failed and was rolled back (nothing loaded, the CSV files were written); or `report`/`query --db` found no warehouse",
        ),
        (
            QUERY,
            "`query`: the SQL cannot be read, or its engine refused it (a syntax error, an unknown table or column, a statement that would write, a statement the guard refuses, a timeout)",
        ),
        (
            MOSTLY_REJECTED,
            "more than `--max-reject-rate` (50 %) of one file's rows were rejected for one reason, or all of them for any: nothing was loaded or exported, `errors/` and the reports were written (`report INPUT_DIR`: no report)",
        ),
    ];
}

/// A file more than the allowed share of whose rows the rules rejected
/// (`--max-reject-rate`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MostlyRejected {
    pub file: String,
    /// Its rows the rules rejected (duplicates and outliers are not counted).
    pub rows: u64,
    pub data_rows: u64,
    /// The share of its rows it may lose (its `max_reject_rate`), a
    /// fraction.
    pub rate: f64,
    /// Its reasons, most rows first.
    pub reasons: Vec<Rejection>,
}

/// One reason a file's rows were rejected for, and what probably went
/// wrong, read off the rejected values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rejection {
    pub reason: String,
    pub rows: u64,
    pub hint: Option<String>,
}

/// Reasons a message names per file; the rest are counted.
const REASONS_SAID: usize = 3;

/// The files rejected mostly, for a message: a line per file, a line per
/// reason under it.
fn mostly_rejected(files: &[MostlyRejected]) -> String {
    let mut said = Vec::new();
    for file in files {
        said.push(format!(
            "`{}`: {} of its {} rows invalid (more than its max reject rate, {} %):",
            crate::messages::shown(&file.file),
            file.rows,
            file.data_rows,
            file.rate * 100.0,
        ));
        for reason in file.reasons.iter().take(REASONS_SAID) {
            let hint = reason
                .hint
                .as_ref()
                .map_or(String::new(), |h| format!(": {h}"));
            said.push(format!("  {} `{}`{hint}", reason.rows, reason.reason));
        }
        let rest = file.reasons.len().saturating_sub(REASONS_SAID);
        if rest > 0 {
            said.push(format!("  and {rest} other reason{}", plural(rest)));
        }
    }
    said.join("\n")
}

/// Input file names for a message: the first few, then how many more.
fn shown_files(files: &[String]) -> String {
    let shown: Vec<String> = files
        .iter()
        .take(5)
        .map(|f| format!("`{}`", crate::messages::shown(f)))
        .collect();
    match files.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}

fn ignored_note(ignored: usize) -> String {
    if ignored == 0 {
        String::new()
    } else {
        format!(" ({ignored} other file{} ignored)", plural(ignored))
    }
}

fn list_bad_files(files: &[BadFile]) -> String {
    files
        .iter()
        .map(|f| format!("  {f}"))
        .collect::<Vec<_>>()
        .join("\n")
}
