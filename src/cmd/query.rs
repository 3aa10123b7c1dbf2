//! `sales-etl query`: one question in SQL, over the cleaned rows of a folder
//! (Polars SQL; tables `sales` and `rejected`) or over the warehouse (its
//! own SQL, read-only).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use crate::cmd::run::{database_url, folder_config, DialectArgs, RuleArgs};
use crate::db::target::{Named, UrlSource};
use crate::db::{self, Target};
use crate::error::{Error, Result};
use crate::messages::{Messages, Verbosity};
use crate::query::{self, QueryFormat};
use crate::read::discover;
use crate::show::render;

pub const EXAMPLES: &str = "\
Examples:
  sales-etl query queries/revenue_by_store.sql data/raw --date 2026-11-25
  sales-etl query top_customers data/raw --out top.parquet    keep the answer (.csv, .json, .parquet)
  sales-etl query 'SELECT * FROM rejected' --vertical          one field per line
  sales-etl query 'SELECT reason, COUNT(*) AS n FROM rejected GROUP BY 1'
  sales-etl query 'SELECT channel, SUM(line_revenue) FROM sales GROUP BY 1'
  sales-etl query 'SELECT date, SUM(line_revenue) FROM sales GROUP BY 1' --lake lake/   over run --export lake/
  sales-etl query 'SELECT * FROM reporting_daily_sales LIMIT 7' --db
  sales-etl query 'SELECT COUNT(*) FROM etl_runs' --db mysql://etl:pw@db/sales

Over a folder (Polars SQL):
  sales     the rows a run would load: transaction_id, timestamp (UTC), date,
            channel, store_id, customer_id, product_id, quantity, unit_price,
            line_revenue, source_file, source_line
  rejected  the rows a run would write to errors/: the eight input columns as
            text, source_file, source_line, disposition, reason, reasons
With --db (the database's own SQL, read-only): staging_sales,
  daily_file_sales, daily_product_sales, daily_file_rows, held_back_sales,
  reporting_daily_sales, reporting_top_products, etl_runs.";

/// Answer a question in SQL, over a folder's cleaned rows or the warehouse.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct QueryArgs {
    /// The SQL, a file holding it, or the name of a shipped query.
    ///
    /// One statement. Over a folder it is Polars SQL (much like
    /// PostgreSQL's) on the tables `sales` and `rejected`; with --db it is
    /// the database's own SQL on the warehouse tables. Shipped queries, built
    /// in (over a folder): revenue_by_hour_and_channel, revenue_by_store,
    /// rejects_by_file_and_reason, top_customers.
    #[arg(value_name = "SQL_OR_FILE")]
    pub query: String,

    /// Folder of raw CSV exports, cleaned exactly as `run` would clean it.
    ///
    /// Nothing is written: no rejected-row files, no reports, no database.
    /// The valid and rejected rows are held in memory for the query.
    #[arg(
        default_value = "data/raw",
        value_name = "INPUT_DIR",
        conflicts_with_all = ["db", "lake"]
    )]
    pub input_dir: PathBuf,

    /// Query the warehouse instead of a folder, in its own SQL.
    ///
    /// `--db` alone uses SALES_ETL_QUERY_URL (an account that may only
    /// read), else DATABASE_URL, else a `.env` file, else sqlite://sales.db,
    /// as `run` does (put a bare --db after the SQL); `--db URL` names it.
    /// The query runs read-only: a statement that would change the
    /// warehouse fails, and a MySQL/MariaDB account that could write is
    /// warned about.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    pub db: Option<String>,

    /// Query a lake that `run --export DIR` wrote, instead of raw files:
    /// `sales` is every exported part (Parquet or Arrow, read lazily: a
    /// filter on `date` reads only its days), `rejected` the parts of
    /// --export-rejected. Nothing is cleaned again.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["db", "date"])]
    pub lake: Option<PathBuf>,

    /// Only the files of this day (*_DATE.csv and DATE/), as `run --date`.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, conflicts_with = "db")]
    pub date: Option<NaiveDate>,

    #[command(flatten)]
    pub rules: RuleArgs,

    #[command(flatten)]
    pub dialect: DialectArgs,

    /// Leave out files that cannot be read as sales CSV (as `run` does).
    #[arg(long)]
    pub skip_bad_files: bool,

    /// How to print the answer on stdout.
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,

    /// With --db: stop the query after this many seconds (exit 7).
    ///
    /// Off by default; from 0.001 to 31536000 (a year). The server stops the statement (MariaDB's
    /// max_statement_time, MySQL's max_execution_time) or SQLite is
    /// interrupted.
    #[arg(long, value_name = "SECONDS", requires = "db", value_parser = parse_seconds)]
    pub timeout: Option<std::time::Duration>,

    /// Write every row of the answer to this file instead of printing it:
    /// .csv, .json (as --format prints them) or .parquet (typed), by its
    /// extension; atomically, like every output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// One field per line, a row at a time, for wide rows: true or false.
    /// Without it, the terminal table turns vertical by itself when fewer
    /// than half its columns fit (and says so).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub vertical: Option<bool>,

    /// Rows shown in the terminal table; 0 shows every row.
    ///
    /// The other formats always print every row.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub max_rows: usize,

    /// Print no warnings on stderr either.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print the cleaning's step lines too (files found, rows checked).
    ///
    /// Without it `query` prints its answer on stdout and only warnings on
    /// stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

impl QueryArgs {
    /// The warehouse, when --db was given: its URL, or the default chain.
    fn target(&self) -> Result<Option<(Target, UrlSource)>> {
        let Some(flag) = &self.db else {
            return Ok(None);
        };
        let query_url = std::env::var("SALES_ETL_QUERY_URL")
            .ok()
            .filter(|url| !url.trim().is_empty());
        let (url, source) = if let (true, Some(url)) = (flag.is_empty(), query_url) {
            (url, UrlSource::QueryEnvironment)
        } else if flag.is_empty() {
            database_url(std::env::var("DATABASE_URL").ok().as_ref())?
        } else {
            (flag.clone(), UrlSource::Flag)
        };
        Ok(Some((Target::parse(&url)?, source)))
    }
}

fn parse_seconds(text: &str) -> std::result::Result<std::time::Duration, String> {
    // A millisecond is the finest limit both servers keep (MariaDB reads a
    // shorter one as 0, no limit at all); a year is the longest sensible.
    const FLOOR: f64 = 0.001;
    const CEILING: f64 = 365.0 * 24.0 * 3600.0;
    match text.parse::<f64>() {
        Ok(s) if (FLOOR..=CEILING).contains(&s) => Ok(std::time::Duration::from_secs_f64(s)),
        _ => Err(format!(
            "`{text}` is not a number of seconds from 0.001 (a millisecond) to 31536000 (a year)"
        )),
    }
}

pub fn run(args: &QueryArgs) -> Result<()> {
    let messages = Messages::new(if args.quiet {
        Verbosity::Quiet
    } else if args.verbose {
        Verbosity::Normal
    } else {
        Verbosity::Warnings
    });
    let sql = query::read_query(&args.query)?;
    if let Some(path) = &args.out {
        query::check_out(path)?;
    }
    for warning in query::unquoted_dates(&sql) {
        messages.warn(warning);
    }
    let answer = match args.target()? {
        Some((target, source)) => {
            messages.step(format!("warehouse {}", Named::new(&target, source)));
            let spinner = messages.spinner(format!("querying {}", target.masked()));
            let answer = db::query(&target, &sql, args.timeout, &messages);
            spinner.finish_and_clear();
            answer?
        }
        None if args.lake.is_some() => {
            let lake = args.lake.as_deref().unwrap_or(std::path::Path::new("."));
            let spinner = messages.spinner(format!("querying the lake {}", lake.display()));
            let answer = query::over_lake(lake, &sql);
            spinner.finish_and_clear();
            answer?
        }
        None => {
            let mut config = folder_config(&args.input_dir, &args.rules, args.skip_bad_files);
            config.sources = args.dialect.sources(&args.input_dir)?;
            if let Some(date) = args.date {
                let days = discover::discover_days(&args.input_dir)?;
                let files = days.days.get(&date).cloned().unwrap_or_default();
                if files.is_empty() {
                    return Err(Error::NoInputFiles {
                        path: args.input_dir.join(format!("*_{date}.csv")),
                        ignored: 0,
                    });
                }
                config.files = Some(files);
            }
            query::over_folder(&config, &sql, &messages)?
        }
    };
    if let Some(path) = &args.out {
        query::write_answer(&answer, path)?;
        if !args.quiet {
            eprintln!(
                "wrote {} row{} to {}",
                crate::money::grouped(answer.height()),
                crate::messages::plural(answer.height()),
                path.display()
            );
        }
        return Ok(());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    query::print(
        &answer,
        args.format,
        args.max_rows,
        args.vertical,
        render::colour_wanted(),
        render::width(),
        &mut out,
    )
}
