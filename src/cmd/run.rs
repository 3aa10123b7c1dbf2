//! `sales-etl run`: clean, validate and split a folder of sales CSV files,
//! write rejected rows and daily reports, print the summary.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
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
  sales-etl run data/raw --skip-bad-files --errors-dir out/errors";

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

pub fn run(args: &RunArgs) -> Result<()> {
    let messages = Messages::new(args.verbosity());
    let outcome = pipeline::run(&args.config(), &messages)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    report::print(
        &outcome.summary,
        args.format,
        report::colour_wanted(),
        &mut out,
    )
    .map_err(crate::error::Error::Stdout)
}
