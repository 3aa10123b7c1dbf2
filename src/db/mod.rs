//! Load: stores a run's valid rows, its daily reports and a record of the
//! run in a database — MySQL/MariaDB or an embedded SQLite file — in one
//! transaction, idempotently.
//!
//! This module owns the target (parsing and masking its URL), the rows sent
//! (one frame built from the split's valid rows) and the shape of a load;
//! `mysql` and `sqlite` own the dialects. The SQL is in `queries/`. Nothing
//! here runs before the CSV reports are written: a failed load never costs
//! the user their reports.

pub mod load;
pub mod mysql;
mod sales;
pub mod sqlite;

use std::path::PathBuf;

use polars::prelude::*;
use serde::Serialize;

use crate::aggregate::{DailySales, TopProduct};
use crate::columns::*;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::split::Accounting;

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
    /// From the start of the load (while the rows were still being judged)
    /// to its commit.
    pub seconds: f64,
    pub rows_per_second: u64,
    /// The run's id in `etl_runs`.
    pub run_id: u64,
    /// Per input file: the rows an earlier load of the same file name left,
    /// replaced by this run's, and which load that was.
    pub files: Vec<FileReplaced>,
}

/// Rows per second, 0 when no time passed.
pub fn rows_per_second(rows: u64, seconds: f64) -> u64 {
    if seconds > 0.0 {
        (rows as f64 / seconds) as u64
    } else {
        0
    }
}

/// One input file of the run, as `etl_runs.input_files` records it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct InputRecord {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// The folder the file was read from (absolute when it could be
    /// resolved); empty in records of versions before it was kept.
    #[serde(default)]
    pub folder: String,
}

/// The earlier load of a file name: which run, and the file it read then.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierLoad {
    pub run_id: u64,
    pub folder: String,
    pub bytes: u64,
    pub sha256: String,
}

impl EarlierLoad {
    pub fn new(run_id: u64, input: InputRecord) -> EarlierLoad {
        EarlierLoad {
            run_id,
            folder: input.folder,
            bytes: input.bytes,
            sha256: input.sha256,
        }
    }
}

/// What a run's file replaced in the warehouse: rows keyed to it by name.
#[derive(Debug, Clone, Serialize)]
pub struct FileReplaced {
    pub file: String,
    /// Rows loaded earlier from a file of this name, now replaced.
    pub replaced_rows: u64,
    pub earlier: Option<EarlierLoad>,
    /// Set when the earlier load of this name came from another folder or
    /// had other content: two different files may be replacing each other.
    pub warning: Option<String>,
}

impl FileReplaced {
    pub fn new(
        file: &InputRecord,
        replaced_rows: u64,
        earlier: Option<EarlierLoad>,
    ) -> FileReplaced {
        let warning = earlier.as_ref().and_then(|e| {
            let other_folder =
                !e.folder.is_empty() && !file.folder.is_empty() && e.folder != file.folder;
            let other_content = e.sha256 != file.sha256;
            let what = match (other_folder, other_content) {
                (false, false) => return None,
                (true, _) => format!("from another folder, `{}`", e.folder),
                (false, true) => format!(
                    "from a file of other content ({} bytes, SHA-256 {}…)",
                    e.bytes,
                    &e.sha256.get(..12).unwrap_or(&e.sha256)
                ),
            };
            Some(format!(
                "{}: replaced {replaced_rows} row{} that run {} loaded {what}",
                file.file,
                if replaced_rows == 1 { "" } else { "s" },
                e.run_id
            ))
        });
        FileReplaced {
            file: file.file.clone(),
            replaced_rows,
            earlier,
            warning,
        }
    }
}

/// What a load is told before its rows come.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// The target, password masked, for messages.
    pub target: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS.ffffff`.
    pub started_at: String,
    /// Every usable input file: rows earlier runs loaded from files of
    /// these names are replaced.
    pub files: Vec<InputRecord>,
    /// File names by file index, for `source_file`.
    pub names: Vec<String>,
    /// At most this many valid rows will come.
    pub candidate_rows: u64,
}

/// What a load is told after the last row.
#[derive(Debug, Clone)]
pub struct LoadEnd {
    pub totals: Accounting,
    /// The run's sales per date, file, channel and product
    /// ([`crate::aggregate::Totals::partials`]).
    pub partials: DataFrame,
    /// Products per day in `reporting_top_products`.
    pub top: u32,
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

/// Fails before anything is written when a text value is longer than the
/// warehouse column holds: a database would truncate it or refuse the row.
pub(crate) fn check_lengths(valid: &DataFrame, names: &[String]) -> Result<()> {
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
    names: &[String],
    run_id: u64,
    loaded_at: &str,
) -> Result<DataFrame> {
    let indexes = Column::new(
        FILE_INDEX.into(),
        (0..names.len() as u32).collect::<Vec<_>>(),
    );
    let files = DataFrame::new(
        names.len(),
        vec![indexes, Column::new("__name".into(), names.to_vec())],
    )
    .map_err(Error::engine("load"))?;
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

/// Appends `YYYY-MM-DD` for `days` since 1970-01-01.
pub(crate) fn push_date(out: &mut String, days: i32) {
    let date =
        chrono::NaiveDate::from_num_days_from_ce_opt(days + DAYS_BEFORE_1970).unwrap_or_default();
    use chrono::Datelike;
    push_digits(out, date.year().max(0) as u64, 4);
    out.push('-');
    push_digits(out, u64::from(date.month()), 2);
    out.push('-');
    push_digits(out, u64::from(date.day()), 2);
}

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const DAYS_BEFORE_1970: i32 = 719_163;

/// Appends `YYYY-MM-DD HH:MM:SS.ffffff` for `micros` since 1970-01-01 UTC.
pub(crate) fn push_timestamp(out: &mut String, micros: i64) {
    const DAY: i64 = 86_400_000_000;
    push_date(out, micros.div_euclid(DAY) as i32);
    let time = micros.rem_euclid(DAY) as u64;
    out.push(' ');
    push_digits(out, time / 3_600_000_000, 2);
    out.push(':');
    push_digits(out, time / 60_000_000 % 60, 2);
    out.push(':');
    push_digits(out, time / 1_000_000 % 60, 2);
    out.push('.');
    push_digits(out, time % 1_000_000, 6);
}

/// Appends millionths as exact decimal text with six decimals (`8.990000`).
pub(crate) fn push_money(out: &mut String, millionths: i128) {
    if millionths < 0 {
        out.push('-');
    }
    let amount = millionths.unsigned_abs();
    let whole = amount / 1_000_000;
    match u64::try_from(whole) {
        Ok(whole) => push_digits(out, whole, 1),
        Err(_) => out.push_str(&whole.to_string()),
    }
    out.push('.');
    push_digits(out, (amount % 1_000_000) as u64, 6);
}

/// Appends `value` in decimal, zero-padded to `width` digits.
fn push_digits(out: &mut String, value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let at = at.min(digits.len().saturating_sub(width));
    for digit in &digits[at..] {
        out.push(char::from(*digit));
    }
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

    #[track_caller]
    fn text(push: impl Fn(&mut String), expected: &str) {
        let mut out = String::from(">");
        push(&mut out);
        assert_eq!(out, format!(">{expected}"));
    }

    #[test]
    fn values_as_warehouse_text() {
        text(|o| push_date(o, 0), "1970-01-01");
        text(|o| push_date(o, 20_417), "2025-11-25");
        text(|o| push_date(o, -1), "1969-12-31");
        text(|o| push_timestamp(o, 0), "1970-01-01 00:00:00.000000");
        text(
            |o| push_timestamp(o, 1_764_060_310_000_123),
            "2025-11-25 08:45:10.000123",
        );
        text(|o| push_timestamp(o, -1), "1969-12-31 23:59:59.999999");
        text(|o| push_money(o, 8_990_000), "8.990000");
        text(|o| push_money(o, 0), "0.000000");
        text(|o| push_money(o, 1), "0.000001");
        text(|o| push_money(o, -1_500_000), "-1.500000");
        text(|o| push_money(o, 123_456_789_000_000), "123456789.000000");
        text(
            |o| push_money(o, i128::from(u64::MAX) * 10_000_000),
            "184467440737095516150.000000",
        );
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
