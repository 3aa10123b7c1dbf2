//! `sales-etl report`: the daily reports of some dates, or of periods
//! against the ones before, read back from the warehouse — no raw files
//! needed — or from a folder of raw files cleaned as `run` would, with no
//! warehouse.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use crate::cmd::run::{
    database_url, folder_config, DialectArgs, RuleArgs, DEFAULT_MAX_REJECT_RATE,
};
use crate::db::target::Named;
use crate::db::{self, DaysWanted, Target};
use crate::error::{Error, Result};
use crate::messages::{Messages, Verbosity};
use crate::period::folder::Folder;
use crate::period::{self, Last, PartialDay, Span, Stored, Unit};
use crate::read::discover;
use crate::run::pipeline;
use crate::show::periods::{self, PeriodTable};
use crate::show::render::{self, ReportFormat, ReportTable};
use crate::sinks::output;

pub const EXAMPLES: &str = "\
Examples:
  sales-etl report                                        the latest complete day, from sqlite://sales.db (or DATABASE_URL)
  sales-etl report --last 4w                              four ISO weeks to the latest complete day, each against the week before
  sales-etl report --last 3m --by week --format json      months of weeks, for a program
  sales-etl report --last 7d --format csv --table range   the 7 days against the 7 before, as one CSV
  sales-etl report --date 2026-09-12
  sales-etl report --from 2026-11-01 --to 2026-11-30 --format markdown > november.md
  sales-etl report --last 4w --out reports                also write each table as a CSV file
  sales-etl report data/raw --last 2w                     from raw files, no warehouse (cleaned as `run` would)";

/// Print the daily sales and top products of some dates, or of days, weeks
/// or months against the ones before, from the database alone or from a
/// folder of raw files (and write them with --out).
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct ReportArgs {
    /// Report from this folder of raw CSV exports instead of the warehouse.
    ///
    /// The folder is cleaned as `run` would clean it, in one batch, and
    /// nothing is written or loaded: the report is what that run would
    /// store into an empty warehouse. --db is not read.
    #[arg(value_name = "INPUT_DIR")]
    pub input: Option<PathBuf>,

    /// One day, YYYY-MM-DD. Without --date, --from or --last: the latest
    /// complete day in the warehouse (a partial day is skipped).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, conflicts_with_all = ["from", "to", "last"])]
    pub date: Option<NaiveDate>,

    /// First day of a range; to --to, else to the latest complete day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, conflicts_with = "last")]
    pub from: Option<NaiveDate>,

    /// Last day of a range, included (also the last day of --last).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub to: Option<NaiveDate>,

    /// The last N days, ISO weeks or months to the latest complete day (or
    /// --to): 7d, 4w, 3m. Prints a period report, by the same unit unless
    /// --by says otherwise.
    #[arg(long, value_name = "N{d|w|m}")]
    pub last: Option<Last>,

    /// Add the days up per day, ISO week (Monday to Sunday) or month, each
    /// against the one before. Prints a period report.
    #[arg(long, value_enum, value_name = "UNIT")]
    pub by: Option<Unit>,

    /// The warehouse, as for `run`: this flag, else DATABASE_URL, else a
    /// `.env` file, else sqlite://sales.db.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub db: Option<String>,

    /// Also write the report's tables as CSV files into this folder: for
    /// days, daily_sales_DATE.csv and topN_products_DATE.csv (as `run`
    /// writes them into reports/); for periods, one file per table.
    #[arg(long, value_name = "DIR", alias = "reports-dir")]
    pub out: Option<PathBuf>,

    /// Print only (the default; kept so that older scripts still work).
    #[arg(long, hide = true, conflicts_with = "out")]
    pub no_files: bool,

    /// Products per day, or over the whole range of a period report (a
    /// day's come from the run's own top list, as many as its --top).
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: u32,

    /// How to print the reports on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// The one table `--format csv` prints: for days daily_sales (the
    /// default), top_products, held_back or partial_days; for periods
    /// periods (the default), range, top_products or partial_days.
    #[arg(long, value_enum, value_name = "NAME")]
    pub table: Option<ReportTable>,

    /// Print no step lines or warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,

    /// With INPUT_DIR: leave out files that cannot be read as sales CSV.
    #[arg(long, requires = "input")]
    pub skip_bad_files: bool,

    /// With INPUT_DIR: report even when most of a file's rows are rejected
    /// for one reason (which `run` refuses to load, exit 8).
    #[arg(long, requires = "input")]
    pub allow_rejects: bool,

    #[command(flatten)]
    pub rules: RuleArgs,

    #[command(flatten)]
    pub dialect: DialectArgs,
}

/// Where a report's days come from.
enum Source {
    Warehouse(Target),
    /// A folder's sums, and the folder's name.
    Folder(Box<Folder>, String),
}

impl Source {
    /// The warehouse or the folder, as messages name it.
    fn name(&self) -> String {
        match self {
            Source::Warehouse(target) => target.masked(),
            Source::Folder(_, name) => name.clone(),
        }
    }

    fn days(&self, wanted: Option<DaysWanted>) -> Result<db::Days> {
        match self {
            Source::Warehouse(target) => db::read_days(target, wanted),
            Source::Folder(folder, _) => folder.days(wanted),
        }
    }

    fn reports(&self, from: NaiveDate, to: NaiveDate, top: u32) -> Result<db::Reports> {
        match self {
            Source::Warehouse(target) => db::read_reports(target, from, to, top),
            Source::Folder(folder, _) => folder.reports(from, to, top),
        }
    }
}

/// Cleans `dir` as `run` would, writing nothing, into a report's source.
fn folder_source(args: &ReportArgs, dir: &std::path::Path, messages: &Messages) -> Result<Source> {
    let mut config = folder_config(dir, &args.rules, args.skip_bad_files);
    config.sources = args.dialect.sources(dir)?;
    // A folder of DATE/ folders (as a backfill reads them): every day's
    // files, in byte order of their names.
    let found = discover::discover_days(dir)?;
    if found
        .days
        .values()
        .flatten()
        .any(|file| file.name.contains('/'))
    {
        if let Some(warning) = found.undated_warning() {
            messages.warn(warning);
        }
        let mut files: Vec<_> = found.days.into_values().flatten().collect();
        files.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        config.files = Some(files);
    }
    config.max_reject_rate = DEFAULT_MAX_REJECT_RATE;
    if args.allow_rejects {
        config.sources.flags.max_reject_rate = Some(1.0);
    }
    let checked = pipeline::run(&config, messages, &mut [])?;
    if !checked.ledger.mostly_rejected.is_empty() {
        return Err(Error::MostlyRejectedFolder {
            files: checked.ledger.mostly_rejected,
        });
    }
    Ok(Source::Folder(
        Box::new(Folder::new(checked.sums, checked.names)?),
        dir.display().to_string(),
    ))
}

pub fn run(args: &ReportArgs) -> Result<()> {
    let messages = Messages::new(if args.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Normal
    });
    let periodic = args.last.is_some() || args.by.is_some();
    if let Some(table) = args.table {
        if !table.of(periodic) {
            return Err(Error::Usage(format!(
                "--table {} is not a table of {}: choose one of {}",
                table.name(),
                if periodic {
                    "a period report"
                } else {
                    "a day report"
                },
                ReportTable::names(periodic)
            )));
        }
    }
    let (source, warehouse) = match &args.input {
        Some(dir) if !dir.exists() && super::parse_date(&dir.to_string_lossy()).is_ok() => {
            return Err(Error::Usage(format!(
                "`{0}` is not a folder: for the report of a day, use --date {0}",
                dir.display()
            )));
        }
        Some(file) if file.is_file() => {
            return Err(Error::Usage(format!(
                "`{}` is a file: `report` reads a folder of CSV exports (all of its files)",
                file.display()
            )));
        }
        Some(dir) => {
            messages.step(format!(
                "folder {}: cleaned as `run` would clean it, nothing written",
                dir.display()
            ));
            let named = Named {
                target: dir.display().to_string(),
                from: "INPUT_DIR",
            };
            (folder_source(args, dir, &messages)?, named)
        }
        None => {
            let (url, from) = database_url(args.db.as_ref())?;
            let target = Target::parse(&url)?;
            let named = Named::new(&target, from);
            messages.step(format!("warehouse {named}"));
            (Source::Warehouse(target), named)
        }
    };
    let to = match args.date.or(args.to) {
        Some(day) => day,
        None => latest_complete_day(&source, &messages)?,
    };
    let from = match (args.date, args.from, args.last) {
        (Some(day), _, _) => day,
        (_, Some(from), _) => from,
        (_, _, Some(last)) => last.first_day(to),
        _ => to,
    };
    if from > to {
        return Err(Error::BadDateRange {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let range = Span { from, to };
    if periodic {
        let by = args.by.or(args.last.map(|l| l.unit)).unwrap_or(Unit::Day);
        period_report(args, &source, &warehouse, by, range, &messages)
    } else {
        day_report(args, &source, &warehouse, range, &messages)
    }
}

/// The latest stored day that is not partial, saying which one it is.
fn latest_complete_day(source: &Source, messages: &Messages) -> Result<NaiveDate> {
    let latest = source.days(None)?.latest.ok_or_else(|| Error::NoReports {
        target: source.name(),
        problem: match source {
            Source::Warehouse(_) => "it holds no daily sales yet".into(),
            Source::Folder(..) => {
                "none of its rows is valid (`sales-etl run DIR --dry-run` shows why)".into()
            }
        },
    })?;
    let window = Span {
        from: latest - chrono::Days::new(14),
        to: latest,
    };
    let days = stored_days(source, window, window, 0)?;
    let stored = Stored {
        daily: &days.daily,
        file_days: &days.file_days,
        top: Vec::new(),
    };
    let partial = period::partial_of(&stored);
    let complete = period::latest_complete(&stored, &partial).unwrap_or(latest);
    let skipped: Vec<String> = partial
        .range(complete.succ_opt().unwrap_or(complete)..)
        .map(|(day, why)| format!("{day} is partial: {}", why.why()))
        .collect();
    if skipped.is_empty() {
        messages.step(format!("latest complete day {complete}"));
    } else {
        messages.step(format!(
            "latest complete day {complete} ({})",
            skipped.join("; ")
        ));
    }
    Ok(complete)
}

fn stored_days(source: &Source, days: Span, top: Span, top_n: u32) -> Result<db::Days> {
    source.days(Some(DaysWanted {
        from: days.from,
        to: days.to,
        top_from: top.from,
        top_to: top.to,
        top: top_n,
    }))
}

fn period_report(
    args: &ReportArgs,
    source: &Source,
    warehouse: &Named,
    by: Unit,
    range: Span,
    messages: &Messages,
) -> Result<()> {
    let days = stored_days(source, period::days_to_read(by, range), range, args.top)?;
    let stored = Stored {
        daily: &days.daily,
        file_days: &days.file_days,
        top: days.top,
    };
    let report = period::report(by, range, stored);
    if report.periods.iter().all(|r| r.orders == 0) {
        messages.warn(format!(
            "{} holds no daily sales from {} to {}",
            source.name(),
            range.from,
            range.to
        ));
    }
    if let Some(dir) = &args.out {
        let mut written = 0;
        for table in PeriodTable::ALL {
            let path = dir.join(table.file_name(&report));
            output::write_with(dir, &path, |mut file| table.write_csv(&report, &mut file))?;
            written += 1;
        }
        messages.step(format!("wrote {written} report files to {}", dir.display()));
    }
    let table = match args.table {
        Some(ReportTable::Range) => PeriodTable::Range,
        Some(ReportTable::TopProducts) => PeriodTable::TopProducts,
        Some(ReportTable::PartialDays) => PeriodTable::PartialDays,
        _ => PeriodTable::Periods,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    periods::print(
        &report,
        warehouse,
        args.format,
        table,
        render::colour_wanted(),
        &mut out,
    )
    .map_err(Error::Stdout)
}

fn day_report(
    args: &ReportArgs,
    source: &Source,
    warehouse: &Named,
    range: Span,
    messages: &Messages,
) -> Result<()> {
    let (from, to) = (range.from, range.to);
    let reports = source.reports(from, to, args.top)?;
    // The days around the range, to judge which of its days are partial.
    let around = Span {
        from: from - chrono::Days::new(7),
        to: to + chrono::Days::new(7),
    };
    let days = stored_days(source, around, range, 0)?;
    let stored = Stored {
        daily: &days.daily,
        file_days: &days.file_days,
        top: Vec::new(),
    };
    let partial: Vec<PartialDay> = period::partial_of(&stored)
        .into_iter()
        .filter(|(day, _)| range.from <= *day && *day <= range.to)
        .map(|(date, why)| PartialDay {
            date,
            why: why.why(),
        })
        .collect();
    let daily = &reports.daily;
    if daily.is_empty() {
        messages.warn(format!(
            "{} holds no report for {from}{}",
            source.name(),
            if from == to {
                String::new()
            } else {
                format!(" to {to}")
            }
        ));
    } else if let Some(dir) = &args.out {
        let written = output::write_reports(dir, daily, &reports.top, args.top)?;
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
        &partial,
        warehouse,
        args.format,
        args.table.unwrap_or(ReportTable::DailySales),
        render::colour_wanted(),
        &mut out,
    )
    .map_err(Error::Stdout)
}
