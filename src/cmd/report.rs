//! `sales-etl report`: the daily reports of some dates, read back from the
//! warehouse — no raw files needed.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use crate::cmd::run::database_url;
use crate::db::target::Named;
use crate::db::{self, Target};
use crate::error::{Error, Result};
use crate::messages::{Messages, Verbosity};
use crate::show::render::{self, ReportFormat};
use crate::sinks::output;

pub const EXAMPLES: &str = "\
Examples:
  sales-etl report --date 2026-09-12                     from sqlite://sales.db (or DATABASE_URL)
  sales-etl report --from 2026-11-01 --to 2026-11-30 --format markdown > november.md
  sales-etl report --date 2026-11-25 --out reports       also write the two report CSVs
  sales-etl report --date 2026-11-25 --db mysql://etl:secret@db:3306/sales --format json | jq .daily_sales";

/// Print the daily sales and top products of some dates, from the database
/// alone (and write them with --out).
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct ReportArgs {
    /// One day, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, conflicts_with_all = ["from", "to"], required_unless_present = "from")]
    pub date: Option<NaiveDate>,

    /// First day of a range (with --to).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, requires = "to")]
    pub from: Option<NaiveDate>,

    /// Last day of a range, included.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, requires = "from")]
    pub to: Option<NaiveDate>,

    /// The warehouse, as for `run`: this flag, else DATABASE_URL, else a
    /// `.env` file, else sqlite://sales.db.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub db: Option<String>,

    /// Also write daily_sales_DATE.csv and topN_products_DATE.csv into this
    /// folder (as `run` writes them into reports/); without it, `report`
    /// only prints.
    #[arg(long, value_name = "DIR", alias = "reports-dir")]
    pub out: Option<PathBuf>,

    /// Print only (the default; kept so that older scripts still work).
    #[arg(long, hide = true, conflicts_with = "out")]
    pub no_files: bool,

    /// Products per day (the warehouse keeps as many as the run's --top).
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: u32,

    /// How to print the reports on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Print no step lines or warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: &ReportArgs) -> Result<()> {
    let messages = Messages::new(if args.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Normal
    });
    let (from, to) = match (args.date, args.from, args.to) {
        (Some(day), _, _) => (day, day),
        (None, Some(from), Some(to)) if from <= to => (from, to),
        (_, from, to) => {
            return Err(Error::BadDateRange {
                from: from.map(|d| d.to_string()).unwrap_or_default(),
                to: to.map(|d| d.to_string()).unwrap_or_default(),
            })
        }
    };
    let (url, source) = database_url(args.db.as_ref())?;
    let target = Target::parse(&url)?;
    let warehouse = Named::new(&target, source);
    messages.step(format!("warehouse {warehouse}"));
    let reports = db::read_reports(&target, from, to, args.top)?;
    let (daily, top) = (&reports.daily, &reports.top);
    if daily.is_empty() {
        messages.warn(format!(
            "{} holds no report for {from}{}",
            target.masked(),
            if from == to {
                String::new()
            } else {
                format!(" to {to}")
            }
        ));
    } else if let Some(dir) = &args.out {
        let written = output::write_reports(dir, daily, top, args.top)?;
        messages.step(format!(
            "wrote {} report file{} to {}",
            written.len(),
            crate::messages::plural(written.len()),
            dir.display()
        ));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    render::print_reports(
        &reports,
        &warehouse,
        args.format,
        render::colour_wanted(),
        &mut out,
    )
    .map_err(Error::Stdout)
}
