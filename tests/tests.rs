//! The one integration-test binary. Where each kind of test goes:
//!
//! - `util`: the builder that runs the `sales-etl` binary in a temporary
//!   folder with a clean environment.
//! - `samples`: the README tour, run on `samples/`, with its exact figures.
//! - `cli`: flags, help, exit codes, step lines, output files.
//! - `bad_input`: every class of bad input the tool must survive.
//! - `db`: the load into a real MariaDB/MySQL server and into SQLite.
//! - `properties`: property tests on the library (row accounting adds up,
//!   same input gives byte-identical outputs).
//! - `docs`: the README agrees with the code (rules table, exit codes).
//! - `export`: `run --export`, Parquet and Arrow read back.
//! - `generate`: generated days match their `_truth.json` after `run`.
//! - `backfill`: `run --date` / `--from --to`, a batch per day.
//! - `report`: `sales-etl report` reads a day's reports back from SQLite
//!   (the MySQL case is in `db`).
//! - `hardening`: what a hostile user found (issue "hardening"), one test
//!   per case, against the real MariaDB and SQLite where it concerns them.
//! - `screens`: tables at 60, 80 and 120 columns (issue "the analyst's
//!   terminal").
//! - `dialects`: files from other tools (delimiters, decimal commas,
//!   timestamp formats, encodings, `sales-etl.toml`).
//! - `periods`: period reports (`report` with no date, `--last`, `--by`)
//!   against the generated days' truths, and partial days.
//! - `query`: `sales-etl query`, every shipped query in `queries/` checked
//!   against independently computed figures (MySQL's case is in `db`).
//!
//! Unit tests of single rules and stages live beside the code in `src/`.

mod backfill;
mod bad_input;
mod checks;
mod cli;
mod db;
mod dialects;
mod docs;
mod export;
mod generate;
mod hardening;
mod hostile;
mod periods;
mod properties;
mod query;
mod report;
mod samples;
mod screens;
mod shape;
mod util;
