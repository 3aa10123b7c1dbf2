//! The command line: one thin file per subcommand, each with its help text,
//! its arguments and a `run` that builds a checked config and calls the
//! library.

pub mod completions;
pub mod generate;
pub mod query;
pub mod report;
pub mod run;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  sales-etl run samples                  clean the sample exports
  sales-etl run data/raw --db mysql://etl:secret@db.local:3306/sales
  sales-etl report --date 2026-11-25        the day's reports again, from the database
  sales-etl query queries/revenue_by_store.sql data/raw   SQL over the cleaned rows
  sales-etl generate --rows 1000000 --date 2026-11-25 --out /tmp/day
  sales-etl completions bash > ~/.local/share/bash-completion/completions/sales-etl
  sales-etl run --help                   every option of run, with examples";

/// Turns folders of messy daily sales CSV exports into audited clean data
/// and daily reports.
#[derive(Debug, Parser)]
#[command(name = "sales-etl", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Run(run::RunArgs),
    Generate(generate::GenerateArgs),
    Report(report::ReportArgs),
    Query(query::QueryArgs),
    Completions(completions::CompletionsArgs),
}

/// A date option: `YYYY-MM-DD`, and a message that says so otherwise.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date in the form YYYY-MM-DD, such as 2026-11-25"))
}
