//! sales-etl turns a folder of messy daily sales CSV exports into audited
//! clean data, an audit trail of every rejected row and daily reports.
//!
//! The folders are the stages, in the order the data moves:
//!
//! 1. [`read`]: find the files, parse their records, read each file once in
//!    ranges on every thread;
//! 2. [`judge`]: the rules, duplicates and outlier fences give every row
//!    one disposition (one rule, `Disposition::of`, for every read); the
//!    ledger counts them; the sales sums add up;
//! 3. [`run`]: the pipeline reads the files once whole, then again for
//!    the rows its sinks want, and hands judged rows to the
//!    [`sinks`] (`errors/` and report files, the export) and to the
//!    warehouse load in [`db`];
//! 4. [`show`]: the terminal tables and JSON of what the run found;
//! 5. [`query`] answers SQL over a folder's cleaned rows or the warehouse;
//!    [`period`] adds the warehouse's stored days up into days, weeks or
//!    months against the ones before (`report --last`, `--by`).
//!
//! The binary is a thin layer over [`cmd`]. At the root are what every
//! stage uses: [`error`], [`messages`], [`columns`], [`money`], and
//! [`generate`] (test data) and [`fault`] (test-only faults).
//!
//! The run's nouns:
//! - **file**: one input CSV, named by its name in the input folder (its
//!   index in the run's sorted list is its *file index*);
//! - **row**: one data record of a file (not the header, a comment or a
//!   blank line), known by its file and physical line;
//! - **chunk**: the rows read or judged at a time (`--batch-rows`);
//! - **batch**: one go of the pipeline with its sinks — a folder, or one
//!   day of a backfill;
//! - **run**: one invocation of `sales-etl run`, one or more batches;
//!   one row in `etl_runs` per load;
//! - **ledger**: the per-file count of rows by disposition, checked against
//!   the reader's own count and what each output wrote;
//! - **sums**: daily sales per channel and per product, made while reading;
//! - **report**: the daily sales and top products files and tables;
//! - **warehouse**: the database the valid rows (and the rejected rows) are
//!   loaded into, by one load written once (`db::steps`);
//! - **export**: the Parquet or Arrow copy of the clean rows (`--export`).

pub mod cmd;
pub mod columns;
pub mod db;
pub mod error;
pub mod fault;
pub mod generate;
pub mod judge;
pub mod messages;
pub mod money;
pub mod period;
pub mod query;
pub mod read;
pub mod run;
pub mod show;
pub mod sinks;
