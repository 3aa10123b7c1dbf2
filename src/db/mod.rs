//! Load: stores a run's valid rows, its daily reports and a record of the
//! run in a database — MySQL/MariaDB or an embedded SQLite file — in one
//! transaction, idempotently.
//!
//! This module owns the target (parsing and masking its URL), the rows sent
//! (one frame built from the split's valid rows) and the shape of a load;
//! `mysql` and `sqlite` own the dialects. The SQL is in `queries/`. Nothing
//! here runs before the CSV reports are written: a failed load never costs
//! the user their reports.

pub mod mysql;
pub mod sqlite;

use std::path::PathBuf;
use std::time::Instant;

use polars::prelude::*;
use serde::Serialize;

use crate::aggregate::{DailySales, TopProduct};
use crate::columns::*;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::split::{Accounting, Split};

/// Where valid rows go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `sqlite://path`: an embedded SQLite file, created when missing.
    Sqlite(PathBuf),
    /// `mysql://user:pass@host:port/db`: MySQL 8 or MariaDB.
    Mysql(String),
}

/// The default when no URL is given: a SQLite file in the working folder.
pub const DEFAULT_URL: &str = "sqlite://sales.db";

impl Target {
    pub fn parse(url: &str) -> Result<Target> {
        let bad = |problem: &str| Error::BadDatabaseUrl {
            url: mask_url(url),
            problem: problem.to_owned(),
        };
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(bad("no file path after `sqlite://`"));
            }
            Ok(Target::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            let url = url.replacen("mariadb://", "mysql://", 1);
            let opts = ::mysql::Opts::from_url(&url).map_err(|e| bad(&e.to_string()))?;
            if opts.get_db_name().is_none_or(str::is_empty) {
                return Err(bad(
                    "no database name: use `mysql://user@host:3306/database`",
                ));
            }
            Ok(Target::Mysql(url))
        } else {
            Err(bad(
                "use `sqlite://path/to/file.db` or `mysql://user:password@host:3306/database`",
            ))
        }
    }

    /// The URL with any password replaced by `***`, for every message.
    pub fn masked(&self) -> String {
        match self {
            Target::Sqlite(path) => format!("sqlite://{}", path.display()),
            Target::Mysql(url) => mask_url(url),
        }
    }
}

/// `mysql://user:secret@host/db` → `mysql://user:***@host/db`.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// How rows reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    #[serde(rename = "LOAD DATA")]
    LoadData,
    #[serde(rename = "INSERT")]
    Insert,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::LoadData => "LOAD DATA",
            Method::Insert => "INSERT",
        }
    }
}

/// What a load did; `--format json` prints it as `load`.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// The target URL, password masked.
    pub target: String,
    /// Valid rows loaded into `staging_sales`.
    pub rows: u64,
    /// Rows already in `staging_sales` under the same `transaction_id` from
    /// another file, replaced by this run's.
    pub replaced: u64,
    pub method: Method,
    pub seconds: f64,
    /// The run's id in `etl_runs`.
    pub run_id: u64,
}

/// One input file of the run, as `etl_runs.input_files` records it.
#[derive(Debug, Clone, Serialize)]
pub struct InputRecord {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What a load needs to know about the run besides its rows.
#[derive(Debug, Clone)]
pub struct Run {
    /// UTC, `YYYY-MM-DD HH:MM:SS.ffffff`.
    pub started_at: String,
    /// Every usable input file; rows earlier runs loaded from these files
    /// are replaced.
    pub files: Vec<InputRecord>,
    /// File names by file index, for `source_file`.
    pub names: Vec<String>,
    pub totals: Accounting,
    /// Products per day in `reporting_top_products`.
    pub top: u32,
}

impl Run {
    fn input_files_json(&self) -> String {
        serde_json::to_string(&self.files).unwrap_or_else(|_| "[]".into())
    }
}

/// The kind of a warehouse column, for the schema check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Decimal,
    DateTime,
    Date,
}

/// A table the tool writes, with the columns it writes.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

/// Every table and column the tool writes; existing tables are checked
/// against this list before any row is written.
pub const TABLES: [Table; 4] = [
    Table {
        name: "staging_sales",
        columns: &[
            ("transaction_id", Kind::Text),
            ("timestamp", Kind::DateTime),
            ("date", Kind::Date),
            ("channel", Kind::Text),
            ("store_id", Kind::Text),
            ("customer_id", Kind::Text),
            ("product_id", Kind::Text),
            ("quantity", Kind::Integer),
            ("unit_price", Kind::Decimal),
            ("line_revenue", Kind::Decimal),
            ("source_file", Kind::Text),
            ("source_line", Kind::Integer),
            ("run_id", Kind::Integer),
            ("loaded_at", Kind::DateTime),
        ],
    },
    Table {
        name: "reporting_daily_sales",
        columns: &[
            ("date", Kind::Date),
            ("channel", Kind::Text),
            ("orders", Kind::Integer),
            ("units", Kind::Integer),
            ("revenue", Kind::Decimal),
            ("updated_at", Kind::DateTime),
        ],
    },
    Table {
        name: "reporting_top_products",
        columns: &[
            ("date", Kind::Date),
            ("rank", Kind::Integer),
            ("product_id", Kind::Text),
            ("units", Kind::Integer),
            ("revenue", Kind::Decimal),
        ],
    },
    Table {
        name: "etl_runs",
        columns: &[
            ("id", Kind::Integer),
            ("started_at", Kind::DateTime),
            ("finished_at", Kind::DateTime),
            ("tool_version", Kind::Text),
            ("input_files", Kind::Text),
            ("data_rows", Kind::Integer),
            ("valid", Kind::Integer),
            ("invalid", Kind::Integer),
            ("duplicate", Kind::Integer),
            ("outlier", Kind::Integer),
            ("replaced", Kind::Integer),
            ("load_method", Kind::Text),
            ("status", Kind::Text),
        ],
    },
];

/// Checks existing tables against [`TABLES`]: `found` lists (table, column,
/// declared type) as the database reports them; `kind_of` maps a declared
/// type to a kind, or `None` for a type the tool cannot write. Tables not
/// found are fine: they are created.
fn check_schema(
    target: &Target,
    found: &[(String, String, String)],
    kind_of: impl Fn(Kind, &str) -> bool,
) -> Result<()> {
    for table in &TABLES {
        let columns: Vec<&(String, String, String)> =
            found.iter().filter(|(t, _, _)| t == table.name).collect();
        if columns.is_empty() {
            continue;
        }
        for (column, kind) in table.columns {
            match columns
                .iter()
                .find(|(_, c, _)| c.eq_ignore_ascii_case(column))
            {
                None => {
                    return Err(Error::SchemaMismatch {
                        target: target.masked(),
                        table: table.name.to_owned(),
                        column: (*column).to_owned(),
                        problem: "is missing".to_owned(),
                    })
                }
                Some((_, _, declared)) if !kind_of(*kind, declared) => {
                    return Err(Error::SchemaMismatch {
                        target: target.masked(),
                        table: table.name.to_owned(),
                        column: (*column).to_owned(),
                        problem: format!("has type `{declared}`, not a {kind:?} type"),
                    })
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// The longest text the warehouse's id columns hold (VARCHAR(255)).
pub const MAX_TEXT_CHARS: u32 = 255;

/// Loads the run's valid rows into `target`; the whole load is one
/// transaction, so a failure leaves the database as it was.
pub fn load(
    target: &Target,
    split: &Split,
    run: &Run,
    method: mysql::LoadMethod,
) -> Result<LoadReport> {
    let start = Instant::now();
    check_lengths(&split.valid, &run.names)?;
    let (rows, replaced, method, run_id) = match target {
        Target::Sqlite(path) => sqlite::load(path, &split.valid, run)?,
        Target::Mysql(url) => mysql::load(url, &split.valid, run, method)?,
    };
    if rows != split.valid.height() as u64 {
        return Err(Error::Load {
            target: target.masked(),
            message: format!("{rows} rows loaded but {} sent", split.valid.height()),
        });
    }
    Ok(LoadReport {
        target: target.masked(),
        rows,
        replaced,
        method,
        seconds: start.elapsed().as_secs_f64(),
        run_id,
    })
}

/// Fails before anything is written when a text value is longer than the
/// warehouse column holds: a database would truncate it or refuse the row.
fn check_lengths(valid: &DataFrame, names: &[String]) -> Result<()> {
    for column in [TRANSACTION_ID, STORE_ID, CUSTOMER_ID, PRODUCT_ID] {
        let too_long = valid
            .clone()
            .lazy()
            .filter(col(column).str().len_chars().gt(lit(MAX_TEXT_CHARS)))
            .select([col(FILE_INDEX), col(SOURCE_LINE)])
            .limit(1)
            .collect()
            .map_err(Error::engine("load"))?;
        if too_long.height() > 0 {
            let file = too_long
                .column(FILE_INDEX)
                .ok()
                .and_then(|c| c.u32().ok()?.get(0));
            let line = too_long
                .column(SOURCE_LINE)
                .ok()
                .and_then(|c| c.u64().ok()?.get(0));
            return Err(Error::ValueTooLong {
                file: file
                    .and_then(|f| names.get(f as usize))
                    .cloned()
                    .unwrap_or_default(),
                line: line.unwrap_or(0),
                column: column.to_owned(),
                limit: MAX_TEXT_CHARS,
            });
        }
    }
    Ok(())
}

/// The columns of one sale in `staging_sales`, in the order every loader
/// sends them; `sales-etl query` names a folder's `sales` table the same.
pub const SALE_COLUMNS: [&str; 12] = [
    TRANSACTION_ID,
    TIMESTAMP,
    DATE,
    CHANNEL,
    STORE_ID,
    CUSTOMER_ID,
    PRODUCT_ID,
    QUANTITY,
    UNIT_PRICE,
    LINE_REVENUE,
    SOURCE_FILE,
    SOURCE_LINE,
];

/// The columns of `staging_sales` after [`SALE_COLUMNS`]: the load's own.
pub const LOAD_COLUMNS: [&str; 2] = ["run_id", "loaded_at"];

/// The valid rows as `staging_sales` rows, every value as text (null stays
/// null): money with exactly six decimals, timestamps as
/// `YYYY-MM-DD HH:MM:SS.ffffff`. Both dialects and both MySQL paths send
/// exactly these values.
pub fn staging_rows(
    valid: &DataFrame,
    run: &Run,
    run_id: u64,
    loaded_at: &str,
) -> Result<DataFrame> {
    let names = Column::new("__name".into(), run.names.clone());
    let indexes = Column::new(
        FILE_INDEX.into(),
        (0..run.names.len() as u32).collect::<Vec<_>>(),
    );
    let files =
        DataFrame::new(run.names.len(), vec![indexes, names]).map_err(Error::engine("load"))?;
    let text = |name: &str| col(name).cast(DataType::String);
    valid
        .clone()
        .lazy()
        .join(
            files.lazy(),
            [col(FILE_INDEX)],
            [col(FILE_INDEX)],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .select([
            col(TRANSACTION_ID),
            col(TIMESTAMP).dt().strftime("%Y-%m-%d %H:%M:%S%.6f"),
            text(DATE),
            col(CHANNEL),
            col(STORE_ID),
            col(CUSTOMER_ID),
            col(PRODUCT_ID),
            text(QUANTITY),
            money_text(UNIT_PRICE),
            money_text(LINE_REVENUE),
            col("__name").alias(SOURCE_FILE),
            text(SOURCE_LINE),
            lit(run_id.to_string()).alias("run_id"),
            lit(loaded_at).alias("loaded_at"),
        ])
        // In key order (MySQL's primary key is date, id) the table grows at
        // its end instead of splitting pages all over: several times faster
        // once the table outgrows the server's buffer pool.
        .sort([DATE, TRANSACTION_ID], SortMultipleOptions::default())
        .collect()
        .map_err(Error::engine("load"))
}

/// Millionths as text with exactly six decimals (`8.990000`: Polars writes
/// every decimal of the scale, a unit test pins it), so that SQLite can sum
/// money as integers and every dialect sees one format.
fn money_text(name: &str) -> Expr {
    col(name)
        .cast(DataType::Decimal(38, 6))
        .cast(DataType::String)
        .alias(name)
}

/// Transaction ids and dates of the valid rows: what the loaders send first
/// to find the rows this run replaces.
pub fn incoming_ids(valid: &DataFrame) -> Result<DataFrame> {
    valid
        .clone()
        .lazy()
        .select([col(TRANSACTION_ID), col(DATE).cast(DataType::String)])
        .collect()
        .map_err(Error::engine("load"))
}

/// Orders, units and revenue of the valid rows per date, channel and
/// product, as text: the run's share of its dates' reports.
pub fn partials(valid: &DataFrame) -> Result<DataFrame> {
    valid
        .clone()
        .lazy()
        .group_by([col(DATE), col(CHANNEL), col(PRODUCT_ID)])
        .agg([
            len().alias("orders"),
            col(QUANTITY).cast(DataType::Int64).sum().alias("units"),
            col(LINE_REVENUE).sum().alias("revenue"),
        ])
        .select([
            col(DATE).cast(DataType::String),
            col(CHANNEL),
            col(PRODUCT_ID),
            col("orders").cast(DataType::String),
            col("units").cast(DataType::String),
            money_text("revenue"),
        ])
        .collect()
        .map_err(Error::engine("load"))
}

/// The distinct dates of the valid rows, `YYYY-MM-DD`.
pub fn run_dates(valid: &DataFrame) -> Result<Vec<String>> {
    let dates = valid
        .clone()
        .lazy()
        .select([col(DATE)
            .unique()
            .sort(SortOptions::default())
            .cast(DataType::String)])
        .collect()
        .map_err(Error::engine("load"))?;
    let dates = dates
        .column(DATE)
        .and_then(|c| c.str().cloned())
        .map_err(Error::engine("load"))?;
    Ok(dates.iter().flatten().map(str::to_owned).collect())
}

/// Report rows as the warehouse returns them: dates and amounts as text.
pub struct ReportRows {
    /// (date, channel, orders, units, revenue).
    pub daily: Vec<(String, String, u64, i64, String)>,
    /// (date, rank, product_id, units, revenue).
    pub top: Vec<(String, u32, String, i64, String)>,
}

/// The daily sales and the top `top` products stored in the warehouse for
/// the dates `from` to `to`, included.
pub fn read_reports(
    target: &Target,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    top: u32,
) -> Result<(Vec<DailySales>, Vec<TopProduct>)> {
    let (from, to) = (from.to_string(), to.to_string());
    let rows = match target {
        Target::Sqlite(path) => sqlite::read_reports(path, &from, &to, top)?,
        Target::Mysql(url) => mysql::read_reports(url, &from, &to, top)?,
    };
    let amount = |text: &str| {
        Money::parse(text).ok_or_else(|| Error::NoReports {
            target: target.masked(),
            problem: format!("revenue `{text}` is not a decimal amount"),
        })
    };
    let daily = rows
        .daily
        .into_iter()
        .map(|(date, channel, orders, units, revenue)| {
            Ok(DailySales {
                revenue: amount(&revenue)?,
                date,
                channel,
                orders,
                units,
            })
        })
        .collect::<Result<_>>()?;
    let top = rows
        .top
        .into_iter()
        .map(|(date, rank, product_id, units, revenue)| {
            Ok(TopProduct {
                revenue: amount(&revenue)?,
                date,
                rank,
                product_id,
                units,
            })
        })
        .collect::<Result<_>>()?;
    Ok((daily, top))
}

/// Runs one statement of the database's own SQL over the warehouse,
/// read-only (a statement that would write fails), and returns its rows.
pub fn query(target: &Target, sql: &str) -> Result<DataFrame> {
    let columns = match target {
        Target::Sqlite(path) => sqlite::query(path, sql)?,
        Target::Mysql(url) => mysql::query(url, sql)?,
    };
    answer_frame(columns).map_err(Error::engine("query answer"))
}

/// One value of an answer, as the database gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

/// A column of an answer: its name, its values, and its scale when the
/// database declared an exact decimal (then the text is cast to one).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerColumn {
    pub name: String,
    pub decimal_scale: Option<usize>,
    pub cells: Vec<Cell>,
}

/// A frame of the answer's columns: integers where every value is one,
/// floats where every value is a number, exact decimals where declared
/// and every text parses, text otherwise. Nothing is lost: a column that
/// does not fit a type stays text.
pub(crate) fn answer_frame(columns: Vec<AnswerColumn>) -> PolarsResult<DataFrame> {
    let height = columns.first().map_or(0, |c| c.cells.len());
    let mut frame = Vec::with_capacity(columns.len());
    for column in columns {
        let name = PlSmallStr::from(column.name.as_str());
        let values = || column.cells.iter().filter(|c| **c != Cell::Null);
        let series = if values().all(|c| matches!(c, Cell::Int(_))) && values().next().is_some() {
            let ints: Vec<Option<i64>> = column
                .cells
                .iter()
                .map(|c| match c {
                    Cell::Int(i) => Some(*i),
                    _ => None,
                })
                .collect();
            Series::new(name, ints)
        } else if values().all(|c| match c {
            // Integers a float holds exactly, no larger.
            Cell::Int(i) => i.unsigned_abs() <= 1 << f64::MANTISSA_DIGITS,
            Cell::Float(_) => true,
            _ => false,
        }) && values().next().is_some()
        {
            let floats: Vec<Option<f64>> = column
                .cells
                .iter()
                .map(|c| match c {
                    Cell::Int(i) => Some(*i as f64),
                    Cell::Float(f) => Some(*f),
                    _ => None,
                })
                .collect();
            Series::new(name, floats)
        } else {
            let texts: Vec<Option<String>> = column
                .cells
                .iter()
                .map(|c| match c {
                    Cell::Null => None,
                    Cell::Int(i) => Some(i.to_string()),
                    Cell::Float(f) => Some(f.to_string()),
                    Cell::Text(t) => Some(t.clone()),
                })
                .collect();
            let text = Series::new(name, texts);
            match column.decimal_scale {
                Some(scale) => text
                    .strict_cast(&DataType::Decimal(38, scale))
                    .unwrap_or(text),
                None => text,
            }
        };
        frame.push(series.into_column());
    }
    DataFrame::new(height, frame)
}

/// UTC now as `YYYY-MM-DD HH:MM:SS.ffffff`.
pub fn now_utc() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn typed(cells: Vec<Cell>, decimal_scale: Option<usize>, dtype: DataType, text: &[&str]) {
        let column = AnswerColumn {
            name: "x".into(),
            decimal_scale,
            cells,
        };
        let frame = answer_frame(vec![column]).unwrap();
        let x = frame.column("x").unwrap();
        assert_eq!(x.dtype(), &dtype);
        let shown: Vec<String> = x
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or("null").to_owned())
            .collect();
        assert_eq!(shown, text);
    }

    #[test]
    fn answers_are_typed_without_losing_a_value() {
        use Cell::*;
        typed(
            vec![Int(1), Null, Int(-3)],
            None,
            DataType::Int64,
            &["1", "null", "-3"],
        );
        typed(
            vec![Int(1), Float(0.5)],
            None,
            DataType::Float64,
            &["1.0", "0.5"],
        );
        // 2^53 + 1 has no exact float: the column stays text.
        let big = (1i64 << 53) + 1;
        typed(
            vec![Int(big), Float(0.5)],
            None,
            DataType::String,
            &["9007199254740993", "0.5"],
        );
        typed(
            vec![Int(7), Text("a".into())],
            None,
            DataType::String,
            &["7", "a"],
        );
        typed(
            vec![Text("12.50".into()), Null],
            Some(2),
            DataType::Decimal(38, 2),
            &["12.50", "null"],
        );
        typed(
            vec![Text("12.50".into()), Text("n/a".into())],
            Some(2),
            DataType::String,
            &["12.50", "n/a"],
        );
        typed(vec![Null, Null], None, DataType::String, &["null", "null"]);
    }

    #[track_caller]
    fn mask(url: &str, expected: &str) {
        assert_eq!(mask_url(url), expected);
    }

    #[test]
    fn passwords_are_masked() {
        mask(
            "mysql://root:s3cr%40t@db:3306/sales",
            "mysql://root:***@db:3306/sales",
        );
        mask(
            "mysql://root@127.0.0.1:3306/sales",
            "mysql://root@127.0.0.1:3306/sales",
        );
        mask("mysql://u:p@ss@host/db", "mysql://u:***@host/db");
        mask("sqlite://sales.db", "sqlite://sales.db");
    }

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("sqlite://x/y.db").unwrap(),
            Target::Sqlite("x/y.db".into())
        );
        assert!(matches!(
            Target::parse("mysql://root@localhost:3306/sales").unwrap(),
            Target::Mysql(_)
        ));
        for bad in [
            "postgres://x/y",
            "sqlite://",
            "mysql://root@localhost:3306",
            "mysql://root:pw@localhost:3306/",
        ] {
            let err = Target::parse(bad).unwrap_err().to_string();
            assert!(!err.contains("pw@"), "{err}");
        }
    }

    #[test]
    fn money_has_six_decimals() {
        let amounts = Int128Chunked::from_iter_values(
            "".into(),
            [8_990_000i128, 0, 1, 123_456_789_000_000].into_iter(),
        )
        .into_decimal_unchecked(38, 6)
        .into_series()
        .with_name(UNIT_PRICE.into());
        let frame = DataFrame::new(4, vec![amounts.into_column()]).unwrap();
        let text = frame
            .lazy()
            .select([money_text(UNIT_PRICE)])
            .collect()
            .unwrap();
        let got: Vec<_> = text
            .column(UNIT_PRICE)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            got,
            ["8.990000", "0.000000", "0.000001", "123456789.000000"]
        );
    }
}
