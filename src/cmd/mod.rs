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

impl Cli {
    /// The parsed command line, or clap's error and exit; a subcommand
    /// typo clap finds nothing near (`rn`: its measure wants three letters
    /// in common) gets the nearest subcommand as its tip.
    pub fn parse_or_exit() -> Cli {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        let mut error = match Cli::try_parse() {
            Ok(cli) => return cli,
            Err(error) => error,
        };
        let typed = match error.get(ContextKind::InvalidSubcommand) {
            Some(ContextValue::String(typed)) => typed.clone(),
            _ => String::new(),
        };
        let suggested = error.get(ContextKind::SuggestedSubcommand).is_some();
        if error.kind() == ErrorKind::InvalidSubcommand && !suggested {
            if let Some(near) = nearest_subcommand(&typed) {
                error.insert(ContextKind::SuggestedSubcommand, ContextValue::String(near));
            }
        }
        error.exit()
    }
}

/// The subcommand `typed` most likely meant: one it begins (two letters
/// or more), or one a letter or two away from it.
pub fn nearest_subcommand(typed: &str) -> Option<String> {
    use clap::CommandFactory;
    let typed = typed.to_lowercase();
    Cli::command()
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .filter_map(|name| {
            let distance = strsim::damerau_levenshtein(&typed, &name);
            let near = distance <= (typed.chars().count() / 3).max(1);
            let begins = typed.len() >= 2 && name.starts_with(&typed);
            (near || begins).then_some((distance, name))
        })
        .min()
        .map(|(_, name)| name)
}

/// A date option: `YYYY-MM-DD`, and a message that says so otherwise.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date in the form YYYY-MM-DD, such as 2026-11-25"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn typos_find_their_subcommand() {
        let near = |typed| super::nearest_subcommand(typed);
        assert_eq!(near("rn").as_deref(), Some("run"));
        assert_eq!(near("RUN").as_deref(), Some("run"));
        assert_eq!(near("gen").as_deref(), Some("generate"));
        assert_eq!(near("qeury").as_deref(), Some("query"));
        assert_eq!(near("reprot").as_deref(), Some("report"));
        assert_eq!(near("x"), None);
        assert_eq!(near("deploy"), None);
    }
}
