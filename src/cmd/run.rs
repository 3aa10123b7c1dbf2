//! `sales-etl run`: clean, validate and split a folder of sales CSV files,
//! write rejected rows and daily reports, print the summary.

use std::path::PathBuf;

use clap::Args;

use crate::db::mysql::LoadMethod;
use crate::db::{self, Target};
use crate::error::{Error, Result};
use crate::messages::{Messages, Verbosity};
use crate::pipeline::{self, Config};
use crate::report::{self, Format};
use crate::validate;

pub const EXAMPLES: &str = "\
Examples:
  sales-etl run samples                  clean the sample exports
  sales-etl run data/raw --dry-run       see what would happen, write nothing
  sales-etl run data/raw --format json | jq .totals
  sales-etl run data/raw --iqr-k 1.5 --top 10
  sales-etl run data/raw --skip-bad-files --errors-dir out/errors
  sales-etl run data/raw --db mysql://etl:secret@db.local:3306/sales
  DATABASE_URL=sqlite://warehouse.db sales-etl run data/raw";

/// Clean a folder of sales CSV exports, write rejects and daily reports.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct RunArgs {
    /// Folder of raw CSV exports; every *.csv in it is read.
    ///
    /// Files are read in byte order of their names, which decides which of
    /// two rows with the same transaction_id is kept. Hidden files are
    /// skipped, other files named in a warning. Subfolders are not read.
    #[arg(default_value = "data/raw", value_name = "INPUT_DIR")]
    pub input_dir: PathBuf,

    /// Folder for STEM.rejected.csv, one per input file with rejects.
    ///
    /// Each file is rewritten on every run; the rejects file of an input
    /// that now has no rejected row is removed.
    #[arg(long, default_value = "errors", value_name = "DIR")]
    pub errors_dir: PathBuf,

    /// Folder for daily_sales_DATE.csv and topN_products_DATE.csv.
    #[arg(long, default_value = "reports", value_name = "DIR")]
    pub reports_dir: PathBuf,

    /// Products per day in the top-products report.
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: u32,

    /// Tukey's k for the quantity outlier fences.
    ///
    /// Rows whose quantity is strictly outside [Q1 - k*IQR, Q3 + k*IQR] are
    /// outliers. Q1 and Q3 are computed over the run's non-duplicate rows
    /// that passed every other rule, by linear interpolation (as numpy and
    /// pandas do). 1.5 is the textbook "outlier", 3.0 "far out".
    #[arg(long, default_value_t = 3.0, value_name = "K", value_parser = parse_k)]
    pub iqr_k: f64,

    /// Turn the outlier rule off: no row is an outlier.
    #[arg(long)]
    pub no_outliers: bool,

    /// List unusable files as skipped and go on with the others.
    ///
    /// By default a file that cannot be read as a sales CSV (unreadable, not
    /// text, no header, a required column missing) fails the run before
    /// anything is written.
    #[arg(long)]
    pub skip_bad_files: bool,

    /// Compute and print everything, write no file.
    #[arg(long)]
    pub dry_run: bool,

    /// Rows read and judged at a time.
    ///
    /// The files are read twice, this many rows at a time, so memory does
    /// not grow with the input: it is about a chunk plus 25 bytes per
    /// transaction id (with a database, the valid rows are also held for
    /// the load). Smaller saves memory, larger is a little faster.
    #[arg(long, default_value_t = pipeline::DEFAULT_BATCH_ROWS as u64, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_rows: u64,

    /// Database to load valid rows and reports into.
    ///
    /// `sqlite://path/to/file.db` (created when missing) or
    /// `mysql://user:password@host:3306/database` (MySQL 8 or MariaDB).
    /// Without this flag, DATABASE_URL is read from the environment, then
    /// from a `.env` file in the working folder; without any, the default is
    /// sqlite://sales.db. The load is one transaction: re-running the same
    /// files replaces what they loaded before. The password is never shown.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub db: Option<String>,

    /// Do not load into any database; write only the files.
    ///
    /// Wins over --db and DATABASE_URL.
    #[arg(long)]
    pub no_db: bool,

    /// How rows reach MySQL: LOAD DATA when the server allows it, or INSERT.
    ///
    /// `auto` streams rows with LOAD DATA LOCAL INFILE when the server's
    /// local_infile is on, else sends multi-row INSERTs (slower). `insert`
    /// always sends INSERTs, for servers whose policy forbids LOAD DATA.
    #[arg(long, value_enum, default_value_t = LoadMethod::Auto, value_name = "METHOD")]
    pub load_method: LoadMethod,

    /// How to print the summary on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Print no step lines or warnings on stderr.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print timings, fences and every file written.
    #[arg(short, long)]
    pub verbose: bool,
}

fn parse_k(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(k) if k.is_finite() && k >= 0.0 => Ok(k),
        _ => Err(format!("`{text}` is not a number of 0 or more")),
    }
}

impl RunArgs {
    /// The checked configuration; no I/O happens before this.
    pub fn config(&self) -> Config {
        Config {
            input_dir: self.input_dir.clone(),
            errors_dir: self.errors_dir.clone(),
            reports_dir: self.reports_dir.clone(),
            top: self.top,
            rules: validate::Options {
                iqr_k: self.iqr_k,
                outliers: !self.no_outliers,
            },
            skip_bad_files: self.skip_bad_files,
            dry_run: self.dry_run,
            batch_rows: usize::try_from(self.batch_rows).unwrap_or(usize::MAX),
            keep_valid: !(self.no_db || self.dry_run),
        }
    }

    fn verbosity(&self) -> Verbosity {
        if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        }
    }
}

/// The database to load into: `--db`, else `DATABASE_URL` (clap reads
/// both), else `.env` in the working folder, else the SQLite default; none
/// with `--no-db` or `--dry-run`.
fn target(args: &RunArgs) -> Result<Option<Target>> {
    if args.no_db || args.dry_run {
        return Ok(None);
    }
    let url = match &args.db {
        Some(url) => url.clone(),
        None => dotenv_url().unwrap_or_else(|| db::DEFAULT_URL.to_owned()),
    };
    Target::parse(&url).map(Some)
}

fn dotenv_url() -> Option<String> {
    dotenvy::from_filename_iter(".env")
        .ok()?
        .filter_map(|item| item.ok())
        .find(|(key, _)| key == "DATABASE_URL")
        .map(|(_, value)| value)
}

pub fn run(args: &RunArgs) -> Result<()> {
    let messages = Messages::new(args.verbosity());
    let target = target(args)?;
    let outcome = pipeline::run(&args.config(), &messages)?;
    let mut summary = outcome.summary;

    let mut failed = None;
    if let Some(target) = &target {
        let run = db::Run {
            started_at: summary.started_at.clone(),
            files: summary
                .files
                .iter()
                .map(|f| db::InputRecord {
                    file: f.file.clone(),
                    bytes: f.bytes,
                    sha256: f.sha256.clone(),
                })
                .collect(),
            names: outcome.names.clone(),
            totals: summary.totals.clone(),
            top: args.top,
        };
        let spinner = messages.spinner(format!("loading into {}", target.masked()));
        let loaded = db::load(target, &outcome.split, &run, args.load_method);
        spinner.finish_and_clear();
        match loaded {
            Ok(report) => {
                messages.step(format!(
                    "loaded {} row{} into {} by {} in {:.1} s ({} replaced)",
                    report.rows,
                    if report.rows == 1 { "" } else { "s" },
                    report.target,
                    report.method.name(),
                    report.seconds,
                    report.replaced
                ));
                summary.load = Some(report);
            }
            Err(error) => failed = Some(error),
        }
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    report::print(&summary, args.format, report::colour_wanted(), &mut out)
        .map_err(Error::Stdout)?;
    match failed {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
