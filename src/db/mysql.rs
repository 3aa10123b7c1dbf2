//! The MySQL / MariaDB dialect. Rows are streamed from memory with
//! `LOAD DATA LOCAL INFILE` when the server allows it (`@@local_infile`: on
//! by default in MariaDB, off in MySQL 8), else sent as multi-row INSERTs
//! within the protocol's 65,535-placeholder limit. Either way the server's
//! row count and warnings are checked against what was sent.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mysql::consts::ColumnType;
use mysql::prelude::Queryable;
use mysql::{Conn, LocalInfileHandler, Opts, OptsBuilder, TxOpts, Value};
use polars::prelude::*;

use super::{
    check_schema, incoming_ids, now_utc, partials, run_dates, staging_rows, AnswerColumn, Cell,
    Kind, Method, ReportRows, Run, Target, LOAD_COLUMNS, SALE_COLUMNS,
};
use crate::columns::TRANSACTION_ID;
use crate::error::{Error, Result};

const CREATE: [&str; 4] = [
    include_str!("../../queries/mysql/staging_sales.sql"),
    include_str!("../../queries/mysql/reporting_daily_sales.sql"),
    include_str!("../../queries/mysql/reporting_top_products.sql"),
    include_str!("../../queries/mysql/etl_runs.sql"),
];

/// How rows are sent, `--load-method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LoadMethod {
    /// LOAD DATA when the server allows it, else INSERT.
    #[default]
    Auto,
    /// Always multi-row INSERT.
    Insert,
}

/// The most placeholders one statement may hold.
const MAX_PLACEHOLDERS: usize = 65_535;

/// Loads `valid` into the MySQL database at `url`; returns rows loaded,
/// rows replaced, the method and the run id.
pub fn load(
    url: &str,
    valid: &DataFrame,
    run: &Run,
    method: LoadMethod,
) -> Result<(u64, u64, Method, u64)> {
    let target = Target::Mysql(url.to_owned());
    let fail = |e: mysql::Error| Error::Load {
        target: target.masked(),
        message: e.to_string(),
    };
    let mut conn = connect(url, &target)?;

    let found: Vec<(String, String, String)> = conn
        .query(include_str!("../../queries/mysql/table_columns.sql"))
        .map_err(fail)?;
    check_schema(&target, &found, |kind, declared| {
        let declared = declared.to_ascii_lowercase();
        match kind {
            Kind::Text => declared.contains("char") || declared.contains("text"),
            Kind::Integer => declared.contains("int"),
            Kind::Decimal => declared == "decimal",
            Kind::DateTime => declared == "datetime" || declared == "timestamp",
            Kind::Date => declared == "date",
        }
    })?;
    // DDL commits implicitly in MySQL: tables are made before the transaction.
    for sql in CREATE {
        conn.query_drop(sql).map_err(fail)?;
    }
    conn.query_drop(include_str!("../../queries/mysql/incoming_ids.sql"))
        .map_err(fail)?;
    conn.query_drop(include_str!("../../queries/mysql/touched_dates.sql"))
        .map_err(fail)?;
    conn.query_drop(include_str!("../../queries/mysql/sales_partials.sql"))
        .map_err(fail)?;

    let local_infile: Option<i64> = conn.query_first("SELECT @@local_infile").map_err(fail)?;
    let method = match method {
        LoadMethod::Auto if local_infile == Some(1) => Method::LoadData,
        _ => Method::Insert,
    };
    // The one stream the server may ask for; any other name is refused.
    let stream: Arc<Mutex<Option<(String, DataFrame)>>> = Arc::default();
    let served = Arc::clone(&stream);
    conn.set_local_infile_handler(Some(LocalInfileHandler::new(move |name, writer| {
        let guard = served
            .lock()
            .map_err(|_| std::io::Error::other("stream lock poisoned"))?;
        match guard.as_ref() {
            Some((expected, frame)) if expected.as_bytes() == name => write_csv(frame, writer),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "sales-etl serves only its own stream, not `{}`",
                    String::from_utf8_lossy(name)
                ),
            )),
        }
    })));

    let mut tx = conn.start_transaction(TxOpts::default()).map_err(fail)?;
    let t = &run.totals;
    tx.exec_drop(
        include_str!("../../queries/mysql/insert_run.sql"),
        (
            &run.started_at,
            env!("CARGO_PKG_VERSION"),
            run.input_files_json(),
            t.data_rows,
            t.valid,
            t.invalid,
            t.duplicate,
            t.outlier,
            method.name(),
        ),
    )
    .map_err(fail)?;
    let run_id = tx.last_insert_id().unwrap_or(0);

    for file in &run.files {
        tx.exec_drop(
            include_str!("../../queries/mysql/touch_dates_of_files.sql"),
            (&file.file,),
        )
        .map_err(fail)?;
        tx.exec_drop(
            include_str!("../../queries/mysql/delete_file_rows.sql"),
            (&file.file,),
        )
        .map_err(fail)?;
    }

    for date in run_dates(valid)? {
        tx.exec_drop(include_str!("../../queries/mysql/touch_date.sql"), (date,))
            .map_err(fail)?;
    }

    // The common case first: no incoming id is in the table yet, and one
    // LOAD DATA … IGNORE takes every row. When some are (loaded earlier from
    // other files), that attempt is rolled back and those rows are replaced.
    let rows = staging_rows(valid, run, run_id, &now_utc())?;
    let staging_columns: Vec<String> = SALE_COLUMNS
        .iter()
        .chain(&LOAD_COLUMNS)
        .map(|c| format!("`{c}`"))
        .collect();
    let staging_columns: Vec<&str> = staging_columns.iter().map(String::as_str).collect();
    let staging = Load {
        table: "staging_sales",
        load_data: include_str!("../../queries/mysql/load_staging_sales.sql"),
        columns: &staging_columns,
    };
    // Reports are computed from the totals of the rows already there plus
    // the run's own, not by reading the run's fresh rows back: InnoDB reads
    // a transaction's own new rows slowly.
    let other_partials = include_str!("../../queries/mysql/insert_other_partials.sql");
    tx.query_drop(other_partials).map_err(fail)?;
    tx.query_drop("SAVEPOINT before_rows").map_err(fail)?;
    let sent = rows.height() as u64;
    let (taken, warnings) = send(&mut tx, &target, method, &stream, &staging, rows.clone())?;
    let mut replaced = 0;
    if taken < sent {
        tx.query_drop("ROLLBACK TO SAVEPOINT before_rows")
            .map_err(fail)?;
        let ids = incoming_ids(valid)?
            .select([TRANSACTION_ID])
            .map_err(Error::engine("load"))?;
        let id_load = Load {
            table: "incoming_ids",
            load_data: include_str!("../../queries/mysql/load_incoming_ids.sql"),
            columns: &["transaction_id"],
        };
        let (ids_taken, ids_warnings) = send(&mut tx, &target, method, &stream, &id_load, ids)?;
        check(
            &target,
            &mut tx,
            "incoming_ids",
            ids_taken,
            ids_warnings,
            sent,
        )?;
        tx.query_drop(include_str!("../../queries/mysql/touch_dates_of_run.sql"))
            .map_err(fail)?;
        tx.query_drop(include_str!("../../queries/mysql/delete_replaced_rows.sql"))
            .map_err(fail)?;
        replaced = tx.affected_rows();
        tx.query_drop("DELETE FROM sales_partials").map_err(fail)?;
        tx.query_drop(other_partials).map_err(fail)?;
        let (taken, warnings) = send(&mut tx, &target, method, &stream, &staging, rows)?;
        check(&target, &mut tx, "staging_sales", taken, warnings, sent)?;
    } else {
        check(&target, &mut tx, "staging_sales", taken, warnings, sent)?;
    }
    let loaded = sent;
    let own = partials(valid)?;
    let partial_columns = [
        "`date`",
        "channel",
        "product_id",
        "orders",
        "units",
        "revenue",
    ];
    let (taken, warnings) =
        insert_batches(&mut tx, "sales_partials", &partial_columns, &own).map_err(fail)?;
    check(
        &target,
        &mut tx,
        "sales_partials",
        taken,
        warnings,
        own.height() as u64,
    )?;

    for sql in [
        include_str!("../../queries/mysql/upsert_daily_sales.sql"),
        include_str!("../../queries/mysql/delete_stale_daily_sales.sql"),
        include_str!("../../queries/mysql/delete_top_products.sql"),
    ] {
        tx.query_drop(sql).map_err(fail)?;
    }
    tx.exec_drop(
        include_str!("../../queries/mysql/insert_top_products.sql"),
        (run.top,),
    )
    .map_err(fail)?;
    tx.exec_drop(
        include_str!("../../queries/mysql/finish_run.sql"),
        (replaced, run_id),
    )
    .map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok((loaded, replaced, method, run_id))
}

/// Connects, creating the database first when the server says it does not
/// exist (like SQLite creates its file), so `--db mysql://…/sales` works on
/// a fresh server.
fn connect(url: &str, target: &Target) -> Result<Conn> {
    let unreachable = |reason: String| Error::DatabaseUnreachable {
        target: target.masked(),
        reason,
    };
    let opts = Opts::from_url(url).map_err(|e| unreachable(e.to_string()))?;
    let opts = OptsBuilder::from_opts(opts)
        .tcp_connect_timeout(Some(Duration::from_secs(5)))
        .read_timeout(Some(Duration::from_secs(3600)))
        .write_timeout(Some(Duration::from_secs(3600)));
    match Conn::new(opts.clone()) {
        Err(mysql::Error::MySqlError(e)) if e.code == UNKNOWN_DATABASE => {
            let name = Opts::from(opts.clone())
                .get_db_name()
                .unwrap_or_default()
                .to_owned();
            let mut server = Conn::new(opts.clone().db_name(None::<String>))
                .map_err(|e| unreachable(e.to_string()))?;
            // An identifier cannot be a parameter: quoted, backticks doubled.
            server
                .query_drop(format!(
                    "CREATE DATABASE IF NOT EXISTS `{}`",
                    name.replace('`', "``")
                ))
                .map_err(|e| {
                    unreachable(format!(
                        "database `{name}` does not exist and cannot be created: {e}"
                    ))
                })?;
            Conn::new(opts).map_err(|e| unreachable(e.to_string()))
        }
        connected => connected.map_err(|e| unreachable(e.to_string())),
    }
}

/// MySQL's ER_BAD_DB_ERROR.
const UNKNOWN_DATABASE: u16 = 1049;
/// MySQL's ER_NO_SUCH_TABLE.
const NO_SUCH_TABLE: u16 = 1146;

/// The stored reports for `from` to `to`: daily sales rows and top-product
/// rows of rank `top` or better, as text.
pub fn read_reports(url: &str, from: &str, to: &str, top: u32) -> Result<ReportRows> {
    let target = Target::Mysql(url.to_owned());
    let fail = |e: mysql::Error| match e {
        mysql::Error::MySqlError(e) if e.code == UNKNOWN_DATABASE || e.code == NO_SUCH_TABLE => {
            Error::NoReports {
                target: target.masked(),
                problem: e.message,
            }
        }
        e => Error::DatabaseUnreachable {
            target: target.masked(),
            reason: e.to_string(),
        },
    };
    let opts = Opts::from_url(url).map_err(|e| Error::DatabaseUnreachable {
        target: target.masked(),
        reason: e.to_string(),
    })?;
    let opts = OptsBuilder::from_opts(opts).tcp_connect_timeout(Some(Duration::from_secs(5)));
    let mut conn = Conn::new(opts).map_err(fail)?;
    let daily = conn
        .exec(
            include_str!("../../queries/mysql/read_daily_sales.sql"),
            (from, to),
        )
        .map_err(fail)?;
    let top = conn
        .exec(
            include_str!("../../queries/mysql/read_top_products.sql"),
            (from, to, top),
        )
        .map_err(fail)?;
    Ok(ReportRows { daily, top })
}

/// Where and how a frame is sent.
struct Load<'a> {
    table: &'a str,
    /// The LOAD DATA statement, reading `sales-etl:<table>`.
    load_data: &'a str,
    /// Column list for INSERTs, in the frame's order.
    columns: &'a [&'a str],
}

/// Sends an all-text frame by `method`; returns the rows the server took
/// and its warning count. Rows whose key is already in the table are
/// skipped by both methods (IGNORE), so the caller can tell.
fn send(
    tx: &mut mysql::Transaction<'_>,
    target: &Target,
    method: Method,
    stream: &Mutex<Option<(String, DataFrame)>>,
    load: &Load<'_>,
    frame: DataFrame,
) -> Result<(u64, u16)> {
    let fail = |message: String| Error::Load {
        target: target.masked(),
        message: format!("loading `{}`: {message}", load.table),
    };
    match method {
        Method::LoadData => {
            *stream
                .lock()
                .map_err(|_| fail("stream lock poisoned".into()))? =
                Some((format!("sales-etl:{}", load.table), frame));
            let result = tx
                .query_iter(load.load_data)
                .map_err(|e| fail(e.to_string()))?;
            let counts = (result.affected_rows(), result.warnings());
            drop(result);
            *stream
                .lock()
                .map_err(|_| fail("stream lock poisoned".into()))? = None;
            Ok(counts)
        }
        Method::Insert => {
            insert_batches(tx, load.table, load.columns, &frame).map_err(|e| fail(e.to_string()))
        }
    }
}

/// Fails unless the server took every row sent, without a warning.
fn check(
    target: &Target,
    tx: &mut mysql::Transaction<'_>,
    table: &str,
    taken: u64,
    warnings: u16,
    sent: u64,
) -> Result<()> {
    let fail = |message: String| Error::Load {
        target: target.masked(),
        message: format!("loading `{table}`: {message}"),
    };
    if warnings > 0 {
        let shown: Vec<(String, u32, String)> =
            tx.query("SHOW WARNINGS LIMIT 3").unwrap_or_default();
        let shown: Vec<String> = shown
            .into_iter()
            .map(|(_, code, message)| format!("{code}: {message}"))
            .collect();
        return Err(fail(format!(
            "the server reported {warnings} warning(s): {}",
            shown.join("; ")
        )));
    }
    if taken != sent {
        return Err(fail(format!("the server took {taken} rows of {sent} sent")));
    }
    Ok(())
}

/// Multi-row INSERTs of as many rows as the placeholder limit allows.
/// Returns (rows affected, warnings).
fn insert_batches(
    tx: &mut mysql::Transaction<'_>,
    table: &str,
    columns: &[&str],
    frame: &DataFrame,
) -> mysql::Result<(u64, u16)> {
    let per_row = columns.len();
    let batch = (MAX_PLACEHOLDERS / per_row).min(5_000);
    let text: Vec<&StringChunked> = frame
        .columns()
        .iter()
        .map(|c| c.str().expect("loaders send text columns"))
        .collect();
    let mut values: Vec<_> = text.iter().map(|c| c.iter()).collect();
    let row = format!("({})", vec!["?"; per_row].join(","));
    let (mut affected, mut warnings) = (0u64, 0u16);
    let mut remaining = frame.height();
    while remaining > 0 {
        let rows = remaining.min(batch);
        remaining -= rows;
        // Only placeholders vary: the statement text holds no value.
        let statement = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            vec![row.as_str(); rows].join(",")
        );
        let mut params: Vec<Value> = Vec::with_capacity(rows * per_row);
        for _ in 0..rows {
            for column in values.iter_mut() {
                params.push(match column.next().flatten() {
                    Some(text) => Value::Bytes(text.as_bytes().to_vec()),
                    None => Value::NULL,
                });
            }
        }
        tx.exec_drop(statement, params)?;
        affected += tx.affected_rows();
        warnings = warnings.saturating_add(tx.warnings());
    }
    Ok((affected, warnings))
}

/// The frame as CSV for `LOAD DATA … FIELDS OPTIONALLY ENCLOSED BY '"'
/// ESCAPED BY ''`: every text value quoted (quotes doubled), nulls as a bare
/// `NULL`, so the text `NULL` and `\N` stay text.
fn write_csv(frame: &DataFrame, writer: &mut impl Write) -> std::io::Result<()> {
    let mut frame = frame.clone();
    CsvWriter::new(writer)
        .include_header(false)
        .with_quote_style(QuoteStyle::NonNumeric)
        .with_null_value("NULL".into())
        .with_line_terminator("\n".into())
        .finish(&mut frame)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// Runs one statement in the MySQL database at `url` in a read-only
/// session, so a statement that would write fails; only the first result
/// set is read.
pub fn query(url: &str, sql: &str) -> Result<Vec<AnswerColumn>> {
    let target = Target::Mysql(url.to_owned());
    let unreachable = |e: mysql::Error| match e {
        mysql::Error::MySqlError(e) if e.code == UNKNOWN_DATABASE => Error::NoWarehouse {
            target: target.masked(),
            problem: e.message,
        },
        e => Error::DatabaseUnreachable {
            target: target.masked(),
            reason: e.to_string(),
        },
    };
    let failed = |e: mysql::Error| match e {
        mysql::Error::MySqlError(e) => Error::BadQuery {
            engine: target.masked(),
            message: e.message,
        },
        e => unreachable(e),
    };
    let opts = Opts::from_url(url).map_err(|e| Error::DatabaseUnreachable {
        target: target.masked(),
        reason: e.to_string(),
    })?;
    let opts = OptsBuilder::from_opts(opts).tcp_connect_timeout(Some(Duration::from_secs(5)));
    let mut conn = Conn::new(opts).map_err(unreachable)?;
    conn.query_drop("SET SESSION TRANSACTION READ ONLY")
        .map_err(unreachable)?;
    let mut result = conn.query_iter(sql).map_err(failed)?;
    let Some(set) = result.iter() else {
        return Ok(Vec::new());
    };
    let mut columns: Vec<(AnswerColumn, ColumnType)> = set
        .columns()
        .as_ref()
        .iter()
        .map(|c| {
            let decimal = matches!(
                c.column_type(),
                ColumnType::MYSQL_TYPE_DECIMAL | ColumnType::MYSQL_TYPE_NEWDECIMAL
            );
            let column = AnswerColumn {
                name: c.name_str().into_owned(),
                decimal_scale: decimal.then_some(c.decimals() as usize),
                cells: Vec::new(),
            };
            (column, c.column_type())
        })
        .collect();
    for row in set {
        let row = row.map_err(failed)?;
        for (index, (column, kind)) in columns.iter_mut().enumerate() {
            let cell = match row.as_ref(index) {
                None | Some(Value::NULL) => Cell::Null,
                Some(Value::Bytes(bytes)) => {
                    text_cell(*kind, String::from_utf8_lossy(bytes).into_owned())
                }
                Some(Value::Int(i)) => Cell::Int(*i),
                Some(Value::UInt(u)) => {
                    i64::try_from(*u).map_or_else(|_| Cell::Text(u.to_string()), Cell::Int)
                }
                Some(Value::Float(f)) => Cell::Float(f64::from(*f)),
                Some(Value::Double(f)) => Cell::Float(*f),
                Some(other) => Cell::Text(other.as_sql(true).trim_matches('\'').to_owned()),
            };
            column.cells.push(cell);
        }
    }
    Ok(columns.into_iter().map(|(column, _)| column).collect())
}

/// A value the text protocol sent as text, typed by its column: integers
/// and floats as numbers when they parse, the rest (decimals, dates) text.
fn text_cell(kind: ColumnType, text: String) -> Cell {
    use ColumnType::*;
    match kind {
        MYSQL_TYPE_TINY | MYSQL_TYPE_SHORT | MYSQL_TYPE_LONG | MYSQL_TYPE_INT24
        | MYSQL_TYPE_LONGLONG | MYSQL_TYPE_YEAR => text.parse().map_or(Cell::Text(text), Cell::Int),
        MYSQL_TYPE_FLOAT | MYSQL_TYPE_DOUBLE => text.parse().map_or(Cell::Text(text), Cell::Float),
        _ => Cell::Text(text),
    }
}
