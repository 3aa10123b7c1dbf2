//! `sales-etl run`: clean, validate and split a folder of sales CSV files,
//! write rejected rows and daily reports, print the summary.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use crate::db::load::LoadOptions;
use crate::db::mysql::LoadMethod;
use crate::db::target::{Named, UrlSource};
use crate::db::{self, Target};
use crate::error::{Error, Result};
use crate::judge::validate;
use crate::messages::{Messages, Verbosity};
use crate::money::grouped;
use crate::read::discover::Input;
use crate::read::settings::{self, Encoding, Settings, Sources};
use crate::read::{discover, extract};
use crate::run::batch::{self, Outputs};
use crate::run::pipeline::{self, Config};
use crate::run::summary::{DayStatus, DaySummary};
use crate::show::render::{self, Format};
use crate::sinks::export::{ExportFormat, ExportOptions};

pub const EXAMPLES: &str = "\
Examples:
  sales-etl run samples                  clean the sample exports
  sales-etl run data/raw --dry-run       see what would happen, write nothing
  sales-etl run data/raw/web_2026-11-25.csv data/raw/app_2026-11-25.csv   just these files
  sales-etl run data/raw --format json | jq .totals
  sales-etl run data/raw --iqr-k 1.5 --top 10
  sales-etl run data/raw --export lake   clean rows as Parquet: lake/sales/date=YYYY-MM-DD/*.parquet
  sales-etl run data/raw --skip-bad-files --errors-dir out/errors
  sales-etl run data/raw --db mysql://etl:secret@db.local:3306/sales
  DATABASE_URL=sqlite://warehouse.db sales-etl run data/raw
  sales-etl run data/raw --date 2026-11-25            re-run one day (files *_2026-11-25.csv or 2026-11-25/)
  sales-etl run data/raw --from 2026-11-01 --to 2026-11-30   backfill a month, day by day";

/// Clean a folder (or files) of sales CSV exports, write rejects and daily
/// reports.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct RunArgs {
    /// Folder of raw CSV exports (every *.csv in it is read), or CSV files
    /// of one folder.
    ///
    /// Files are read in byte order of their names, which decides which of
    /// two rows with the same transaction_id is kept. Hidden files are
    /// skipped, other files named in a warning. Subfolders are not read.
    #[arg(default_value = "data/raw", value_name = "INPUT_DIR|FILE.csv", num_args = 1..)]
    pub inputs: Vec<PathBuf>,

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

    #[command(flatten)]
    pub rules: RuleArgs,

    #[command(flatten)]
    pub dialect: DialectArgs,

    /// Show how each file would be read (encoding, delimiter, decimal
    /// comma, timestamp formats, column and channel names) and where each
    /// setting comes from, then stop: nothing is read past the headers.
    #[arg(long)]
    pub explain_config: bool,

    /// List unusable files as skipped and go on with the others.
    ///
    /// By default a file that cannot be read as a sales CSV (unreadable, not
    /// text, no header, a required column missing) fails the run before
    /// anything is written.
    #[arg(long)]
    pub skip_bad_files: bool,

    /// Fail the run (exit 8) when more than PCT % of one file's rows are
    /// rejected for one reason, before anything is loaded.
    ///
    /// A file whose dates, prices or separators the rules cannot read is
    /// rejected row by row; a run that loaded the rest would hide that the
    /// day is missing. `errors/` and the reports are still written, so
    /// that you can look. 100 turns the check off. Default 50, or a
    /// source's `max_reject_rate` in the settings file; the flag wins.
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub max_reject_rate: Option<f64>,

    /// Load the valid rows however many are rejected (the same as
    /// `--max-reject-rate 100`).
    #[arg(long, conflicts_with = "max_reject_rate")]
    pub allow_rejects: bool,

    /// Compute and print everything, write no file.
    #[arg(long)]
    pub dry_run: bool,

    /// Also write the valid rows as Parquet (or Arrow) files into DIR:
    /// DIR/sales/date=YYYY-MM-DD/<input file>.parquet, a Hive-partitioned
    /// dataset for DuckDB, Polars or pandas.
    ///
    /// A re-run replaces the parts of its input files, as it replaces their
    /// rejects; the files are renamed into place only when the run
    /// succeeds.
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,

    /// The export's file format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Parquet, requires = "export")]
    pub export_format: ExportFormat,

    /// Export the rejected rows too, as DIR/rejected/<input file>.parquet
    /// (the columns of an errors/ file).
    #[arg(long, requires = "export")]
    pub export_rejected: bool,

    /// Fail (exit 5) when another run is writing to the same folders.
    ///
    /// Runs that share errors/ or reports/ take turns: by default a run
    /// waits for the other to finish (saying so) before it writes.
    #[arg(long)]
    pub no_wait: bool,

    /// Run one day: the files named *_DATE.csv and those in a DATE/ folder.
    ///
    /// The day is a batch of its own: its own outlier fences, its own
    /// database transaction (idempotent like any run), and report files for
    /// that date only (its late rows for other dates go to the database).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, conflicts_with_all = ["from", "to"])]
    pub date: Option<NaiveDate>,

    /// Backfill from this day to --to, each day a batch of its own (as
    /// --date); days without files are listed, and a failed day does not
    /// stop the others.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, requires = "to")]
    pub from: Option<NaiveDate>,

    /// Last day of a backfill, included.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date, requires = "from")]
    pub to: Option<NaiveDate>,

    /// Rows read and judged at a time.
    ///
    /// The files are read this many rows at a time (and at most 4 MiB a
    /// thread), so memory does not grow with the input: it is a few chunks
    /// per thread plus about 40 bytes per row and transaction id. A load
    /// reads the files a second time and takes the valid rows chunk by
    /// chunk. Smaller saves memory, larger is a little faster.
    #[arg(long, default_value_t = pipeline::DEFAULT_BATCH_ROWS as u64, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_rows: u64,

    /// Database to load valid rows and reports into.
    ///
    /// `sqlite://path/to/file.db` (the file is created when missing, never
    /// its folder) or
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

    /// Load every file again, even one the warehouse already holds.
    ///
    /// By default a file whose content (size and SHA-256) and valid rows
    /// equal those of its last load, and whose rows are all still in the
    /// warehouse, is not loaded again: the run still cleans it, writes its
    /// rejected rows and reports, and says `unchanged since run N, not
    /// reloaded`. `--reload` loads it anyway (a full replace, as before).
    #[arg(long)]
    pub reload: bool,

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

/// Where the outlier fences come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutlierScope {
    /// One set of fences from every row of the run.
    Run,
    /// Fences per product with enough rows, the run's for the others.
    PerProduct,
}

/// A file more than this share of whose rows are rejected for one reason
/// fails the run, unless told otherwise.
pub const DEFAULT_MAX_REJECT_RATE: f64 = 0.5;

/// How the files are written, when they are not UTF-8 CSV with `,` and ISO
/// timestamps: for every file of the run, over the settings file's
/// sections. `run` and `query` share them.
#[derive(Debug, Args)]
pub struct DialectArgs {
    /// Field delimiter of every file: `,` `;` `tab` `|` or another.
    ///
    /// By default each file's is sniffed from its header: the one of `,`
    /// `;` tab `|` that splits it into the sales columns.
    #[arg(long, value_name = "CHAR", value_parser = settings::parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Read `,` in prices as the decimal mark (`12,50`).
    ///
    /// On by default for a file whose delimiter is not `,` (`;` files from
    /// Excel in most European locales). A price with both `.` and `,` (a
    /// thousands separator) is rejected either way.
    #[arg(long, overrides_with = "no_decimal_comma")]
    pub decimal_comma: bool,

    /// Do not read `,` in prices as a decimal mark, whatever the delimiter.
    #[arg(long, overrides_with = "decimal_comma")]
    pub no_decimal_comma: bool,

    /// A chrono format of the timestamps, like '%d/%m/%Y %H:%M'; repeat it
    /// to try several in order.
    ///
    /// A timestamp no format reads is read as ISO 8601, as without the
    /// flag. One without a zone (%z) is UTC. The syntax is chrono's
    /// strftime: %Y %m %d %H %M %S, %I with %p, %.f, %z.
    #[arg(long = "timestamp-format", value_name = "FORMAT", value_parser = parse_timestamp_format)]
    pub timestamp_formats: Vec<String>,

    /// Encoding of every file: utf-8, windows-1252 (also latin1), utf-16le
    /// or utf-16be.
    ///
    /// By default a file is UTF-8, or UTF-16 when it begins with UTF-16's
    /// byte-order mark. A file in another encoding is decoded into a
    /// temporary UTF-8 copy (in TMPDIR) before it is read.
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    pub encoding: Option<Encoding>,

    /// Settings per source, by file-name glob (TOML).
    ///
    /// Default: sales-etl.toml in the input folder, when there is one.
    /// Flags win over it. See the README, "Files from other tools".
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl DialectArgs {
    /// The settings the flags give.
    pub fn settings(&self) -> Settings {
        Settings {
            delimiter: self.delimiter,
            decimal_comma: match (self.decimal_comma, self.no_decimal_comma) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            timestamp_formats: (!self.timestamp_formats.is_empty())
                .then(|| self.timestamp_formats.clone()),
            encoding: self.encoding,
            ..Settings::default()
        }
    }
}

impl DialectArgs {
    /// The settings of each source of `folder`: the flags over its settings
    /// file (which this reads).
    pub fn sources(&self, folder: &std::path::Path) -> Result<Sources> {
        Ok(Sources {
            flags: self.settings(),
            file: settings::find(self.config.as_deref(), folder)?,
        })
    }
}

/// The cleaning of a folder that writes nothing (`query`, `report INPUT`):
/// the checked configuration, but for the settings file; no I/O.
pub fn folder_config(
    input_dir: &std::path::Path,
    rules: &RuleArgs,
    skip_bad_files: bool,
) -> Config {
    Config {
        input_dir: input_dir.to_path_buf(),
        errors_dir: PathBuf::new(),
        reports_dir: PathBuf::new(),
        top: 5,
        rules: rules.options(),
        skip_bad_files,
        batch_rows: pipeline::DEFAULT_BATCH_ROWS,
        limits: rules.limits(),
        files: None,
        threads: rules.threads(),
        range_bytes: rules.range_bytes as u64,
        max_reject_rate: 1.0,
        sources: Sources::default(),
    }
}

fn parse_timestamp_format(text: &str) -> Result<String, String> {
    settings::check_timestamp_format(text).map(|()| text.to_owned())
}

fn parse_encoding(text: &str) -> Result<Encoding, String> {
    Encoding::parse(text).ok_or_else(|| {
        format!(
            "`{text}` is not an encoding this tool reads ({})",
            Encoding::NAMES.join(", ")
        )
    })
}

/// The rule options `run` and `query` share, so a query sees the rows a run
/// would load.
#[derive(Debug, Args)]
pub struct RuleArgs {
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

    /// Whose quartiles the outlier fences come from: the run's (every row
    /// against the same fences) or each product's.
    ///
    /// per-product: a product with at least --outlier-min-rows first rows
    /// gets fences from its own quantities, so a pack of 24 is not an
    /// outlier because most products sell one; a product with fewer rows
    /// is held to the run's fences.
    #[arg(long, value_enum, default_value_t = OutlierScope::Run, conflicts_with = "no_outliers")]
    pub outliers: OutlierScope,

    /// With --outliers per-product: the fewest rows a product needs for
    /// fences of its own.
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub outlier_min_rows: u64,

    /// Longest record kept; a longer one is rejected as oversized_row.
    ///
    /// Bytes, or with a unit: 512KiB, 4MiB (K, M and G are powers of
    /// 1024). Quoted line breaks count, so an unterminated quote costs one
    /// rejected row: reading resumes at the line after the one it opened
    /// on. A header longer than this makes a bad file. Memory for reading
    /// is a few times this, whatever the input.
    #[arg(long, default_value = "1MiB", value_name = "BYTES", value_parser = parse_bytes)]
    pub max_record_bytes: usize,

    /// Widest header accepted; a wider one makes a bad file (exit 3).
    #[arg(long, default_value_t = extract::DEFAULT_MAX_COLUMNS as u64, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_columns: u64,

    /// Threads that read and judge the files; default: one per core.
    ///
    /// Each file is cut into ranges of about 4 MiB that the threads read at
    /// once; the results are merged in file and line order, so the outputs
    /// are the same for any number. 1 reads on one thread (and keeps
    /// Polars to one), for a machine shared with other work.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..1025))]
    pub threads: Option<u64>,

    /// Bytes of a file per range a thread reads (tests and benchmarks).
    #[arg(long, hide = true, default_value = "4MiB", value_parser = parse_bytes)]
    pub range_bytes: usize,
}

impl RuleArgs {
    pub fn options(&self) -> validate::Options {
        validate::Options {
            iqr_k: self.iqr_k,
            outliers: !self.no_outliers,
            per_product: (self.outliers == OutlierScope::PerProduct)
                .then_some(self.outlier_min_rows),
        }
    }

    /// The threads to read with, told to Polars' pool as well: call it
    /// before anything starts that pool.
    pub fn threads(&self) -> usize {
        match self.threads {
            Some(n) => {
                // Polars sizes its pool once, from this variable, when first used.
                std::env::set_var("POLARS_MAX_THREADS", n.to_string());
                n as usize
            }
            None => pipeline::default_threads(),
        }
    }

    pub fn limits(&self) -> extract::Limits {
        extract::Limits {
            max_record_bytes: self.max_record_bytes,
            max_columns: usize::try_from(self.max_columns).unwrap_or(usize::MAX),
        }
    }
}

/// `1048576`, `512KiB`, `4MiB`, `1G`: K, M and G are powers of 1024.
fn parse_bytes(text: &str) -> Result<usize, String> {
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let scale: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => 0,
    };
    match number
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
    {
        Some(bytes) if bytes > 0 => Ok(bytes),
        _ => Err(format!(
            "`{text}` is not a size in bytes above 0 (like 1048576, 512KiB or 4MiB)"
        )),
    }
}

fn parse_k(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(k) if k.is_finite() && k >= 0.0 => Ok(k),
        _ => Err(format!("`{text}` is not a number of 0 or more")),
    }
}

impl RunArgs {
    /// The checked configuration, but for the settings file
    /// ([`RunArgs::sources`]); no I/O happens before this.
    pub fn config(&self, input: &Input) -> Config {
        Config {
            input_dir: input.folder().to_path_buf(),
            errors_dir: self.errors_dir.clone(),
            reports_dir: self.reports_dir.clone(),
            top: self.top,
            rules: self.rules.options(),
            skip_bad_files: self.skip_bad_files,
            batch_rows: usize::try_from(self.batch_rows).unwrap_or(usize::MAX),
            limits: self.rules.limits(),
            files: match input {
                Input::Folder(_) => None,
                Input::Files { files, .. } => Some(files.clone()),
            },
            threads: self.rules.threads(),
            range_bytes: self.rules.range_bytes as u64,
            max_reject_rate: DEFAULT_MAX_REJECT_RATE,
            sources: Sources::default(),
        }
    }

    /// The settings of each source: the flags over the settings file
    /// (which this reads).
    pub fn sources(&self, input: &Input) -> Result<Sources> {
        let mut flags = self.dialect.settings();
        flags.max_reject_rate = match self.allow_rejects {
            true => Some(1.0),
            false => self.max_reject_rate.map(|percent| percent / 100.0),
        };
        Ok(Sources {
            flags,
            file: settings::find(self.dialect.config.as_deref(), input.folder())?,
        })
    }

    /// The outputs of a batch: files unless a dry run, the load when there
    /// is a target.
    fn outputs(&self, target: Option<&(Target, UrlSource)>, input: &Input) -> Outputs {
        Outputs {
            dry_run: self.dry_run,
            no_wait: self.no_wait,
            export: self.export.as_ref().map(|dir| ExportOptions {
                dir: dir.clone(),
                format: self.export_format,
                rejected: self.export_rejected,
            }),
            load: target.map(|(target, source)| LoadOptions {
                target: target.clone(),
                from: *source,
                method: self.load_method,
                top: self.top,
                folder: absolute_folder(input.folder()),
                reload: self.reload,
            }),
        }
    }

    /// The days of a backfill, first and last: `--date`, or `--from` and
    /// `--to`; `None` for a run over the whole folder.
    fn days(&self) -> Result<Option<(NaiveDate, NaiveDate)>> {
        match (self.date, self.from, self.to) {
            (Some(day), _, _) => Ok(Some((day, day))),
            (None, Some(from), Some(to)) if from <= to => Ok(Some((from, to))),
            (None, Some(from), Some(to)) => Err(Error::BadDateRange {
                from: from.to_string(),
                to: to.to_string(),
            }),
            _ => Ok(None),
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
/// with `--no-db`. A dry run resolves it only to name it.
fn target(args: &RunArgs) -> Result<Option<(Target, UrlSource)>> {
    // A dry run resolves the target too, to name it; it connects to none.
    if args.no_db {
        return Ok(None);
    }
    let (url, source) = database_url(args.db.as_ref())?;
    let target = Target::parse(&url)?;
    // A run creates a missing SQLite file, never a missing folder: a typo
    // in the path fails here instead of making a new, empty warehouse.
    if let Target::Sqlite(path) = &target {
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(folder) = folder.filter(|f| !f.is_dir()) {
            return Err(Error::BadDatabaseUrl {
                url: target.masked(),
                problem: format!(
                    "the folder `{}` does not exist (a run creates the file, not its folder)",
                    folder.display()
                ),
            });
        }
    }
    Ok(Some((target, source)))
}

/// The first step line of a run with a warehouse names it and where its
/// URL came from.
fn say_warehouse(target: Option<&(Target, UrlSource)>, messages: &Messages) {
    if let Some((target, source)) = target {
        messages.step(format!("warehouse {}", Named::new(target, *source)));
    }
}

/// Reaches the warehouse and checks its tables before any input is read
/// (not for a dry run, which connects to nothing).
fn check_warehouse(
    args: &RunArgs,
    target: Option<&(Target, UrlSource)>,
    messages: &Messages,
) -> Result<()> {
    match target {
        Some((target, _)) if !args.dry_run => {
            db::check(target, messages).map_err(Error::before_the_run)
        }
        _ => Ok(()),
    }
}

/// The database URL and where it came from: the flag (or DATABASE_URL,
/// which clap reads into it: a value equal to the variable's came from
/// there), else `.env` in the working folder, else the SQLite default. An
/// empty value means unset.
pub fn database_url(flag: Option<&String>) -> Result<(String, UrlSource)> {
    match flag.filter(|url| !url.trim().is_empty()) {
        Some(url) if std::env::var("DATABASE_URL").ok().as_ref() == Some(url) => {
            Ok((url.clone(), UrlSource::Environment))
        }
        Some(url) => Ok((url.clone(), UrlSource::Flag)),
        None => match dotenv_url(std::path::Path::new(".env"))? {
            Some(url) => Ok((url, UrlSource::DotEnv)),
            None => Ok((db::DEFAULT_URL.to_owned(), UrlSource::Default)),
        },
    }
}

/// DATABASE_URL from a `.env` file: `None` when there is no such file or it
/// does not set it. A `.env` that is there but cannot be read is an error
/// naming its line, never a silent fall back to the default (the line is
/// not shown: it may hold a password).
fn dotenv_url(path: &std::path::Path) -> Result<Option<String>> {
    let bad = |problem: String| Error::BadEnvFile {
        path: path.display().to_string(),
        problem,
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A link to nothing is a `.env` the user meant to be read.
            return match std::fs::symlink_metadata(path) {
                Ok(_) => Err(bad("it is a symbolic link to nothing".into())),
                Err(_) => Ok(None),
            };
        }
        Err(e) => return Err(bad(e.to_string())),
        Ok(meta) if !meta.is_file() => return Err(bad("it is not a file".into())),
        Ok(_) => {}
    }
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        let (key, value) = item.map_err(|e| match e {
            dotenvy::Error::LineParse(line, _) => {
                let number = text
                    .lines()
                    .position(|l| l.trim_end() == line.trim_end())
                    .map_or_else(|| "a line".to_owned(), |n| format!("line {}", n + 1));
                bad(format!("{number} is not `KEY=value` (an unclosed quote?)"))
            }
            other => bad(other.to_string()),
        })?;
        if key == "DATABASE_URL" {
            return Ok(Some(value).filter(|url| !url.trim().is_empty()));
        }
    }
    Ok(None)
}

pub fn run(args: &RunArgs) -> Result<()> {
    if args.explain_config {
        let input = discover::input_of(&args.inputs)?;
        let mut config = args.config(&input);
        config.sources = args.sources(&input)?;
        return explain(&config);
    }
    if let Some((first, last)) = args.days()? {
        return backfill(args, first, last);
    }
    let messages = Messages::new(args.verbosity());
    let input = discover::input_of(&args.inputs)?;
    let mut config = args.config(&input);
    config.sources = args.sources(&input)?;
    let target = target(args)?;
    say_warehouse(target.as_ref(), &messages);
    check_warehouse(args, target.as_ref(), &messages)?;
    let outputs = args.outputs(target.as_ref(), &input);
    let (summary, failed) = batch::run(&config, &outputs, &messages)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    render::print(
        &summary,
        args.format,
        render::colour_wanted(),
        render::pictures_wanted(),
        &mut out,
    )
    .map_err(Error::Stdout)?;
    match failed {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// `--explain-config`: how each file would be read, and why.
fn explain(config: &Config) -> Result<()> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &config.sources.file {
        Some(file) => writeln!(out, "settings file {}", file.path.display()),
        None => writeln!(
            out,
            "no settings file ({} in {} would be read)",
            settings::FILE_NAME,
            config.input_dir.display()
        ),
    }
    .map_err(Error::Stdout)?;
    for (name, read_as) in pipeline::explain(config)? {
        writeln!(out, "{}", crate::messages::shown(&name)).map_err(Error::Stdout)?;
        let lines = match read_as {
            Ok(read_as) => read_as.lines(),
            Err(problem) => vec![format!("cannot be read: {problem}")],
        };
        for line in lines {
            writeln!(out, "  {line}").map_err(Error::Stdout)?;
        }
    }
    Ok(())
}

/// The folder as an absolute path when it can be resolved, for the run
/// record: it tells a later run whether a file of the same name came from
/// the same place.
fn absolute_folder(folder: &std::path::Path) -> String {
    std::fs::canonicalize(folder)
        .unwrap_or_else(|_| folder.to_path_buf())
        .display()
        .to_string()
}

/// One day's full report of a backfill, under a line naming the day.
fn print_day(date: NaiveDate, summary: &crate::run::summary::Summary) -> Result<()> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let rule = "═".repeat(
        render::width()
            .map_or(40, |w| usize::from(w).min(80))
            .saturating_sub(15),
    );
    writeln!(out, "══ {date} {rule}").map_err(Error::Stdout)?;
    render::print(
        summary,
        Format::Table,
        render::colour_wanted(),
        render::pictures_wanted(),
        &mut out,
    )
    .map_err(Error::Stdout)?;
    writeln!(out).map_err(Error::Stdout)
}

/// Each day from `first` to `last` as a batch of its own: its files, its
/// fences, its transaction, its report files. A day without files is
/// listed; a failed day is reported and the others still run; the first
/// failure decides the exit code at the end.
fn backfill(args: &RunArgs, first: NaiveDate, last: NaiveDate) -> Result<()> {
    let messages = Messages::new(args.verbosity());
    let input = discover::input_of(&args.inputs)?;
    let target = target(args)?;
    say_warehouse(target.as_ref(), &messages);
    check_warehouse(args, target.as_ref(), &messages)?;
    let found = match &input {
        Input::Folder(folder) => discover::discover_days(folder)?,
        Input::Files { files, .. } => discover::days_of_files(files.clone()),
    };
    if let Some(warning) = found.undated_warning() {
        messages.warn(warning);
    }
    let dates: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    // A day's own step lines only with -v; the bar and one line per day else.
    let inner = Messages::new(if args.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Quiet
    });
    let bar = messages.items_bar("days", dates.len() as u64);
    let mut days = Vec::with_capacity(dates.len());
    let mut first_error = None;
    for date in dates {
        bar.set_message(date.to_string());
        let Some(files) = found.days.get(&date) else {
            messages.step(format!("{date}: no files"));
            days.push(DaySummary::new(date, DayStatus::NoFiles, 0));
            bar.inc(1);
            continue;
        };
        let mut config = args.config(&input);
        config.sources = args.sources(&input)?;
        config.files = Some(files.clone());
        let outputs = args.outputs(target.as_ref(), &input);
        let mut day = DaySummary::new(date, DayStatus::Done, files.len());
        let failure = match bar.suspend(|| batch::run(&config, &outputs, &inner)) {
            Ok((summary, failed)) => {
                if args.format == Format::Table {
                    bar.suspend(|| print_day(date, &summary))?;
                }
                let t = &summary.totals;
                messages.step(format!(
                    "{date}: {} file{}, {} rows: {} valid, {} rejected",
                    files.len(),
                    crate::messages::plural(files.len()),
                    grouped(t.data_rows),
                    grouped(t.valid),
                    grouped(t.rejected())
                ));
                day.summary = Some(summary);
                failed
            }
            Err(error) => Some(error),
        };
        if let Some(error) = failure {
            messages.warn(format!("{date} failed: {error}"));
            day.status = DayStatus::Failed;
            day.error = Some(error.to_string());
            first_error.get_or_insert(error);
        }
        days.push(day);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    render::print_days(&days, args.format, render::colour_wanted(), &mut out)
        .map_err(Error::Stdout)?;
    match first_error {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// A percentage from 0 to 100.
fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(pct) if (0.0..=100.0).contains(&pct) => Ok(pct),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}
