//! The SQLite dialect: an embedded file, created when missing. Rows go in
//! through one prepared INSERT in one transaction; SQLite is in-process, so
//! a round trip per row costs microseconds. Money is stored as exact decimal
//! text and summed as integer millionths (see `queries/sqlite/`).

use std::path::Path;

use polars::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, TransactionBehavior};

use super::{
    check_schema, incoming_ids, now_utc, staging_rows, AnswerColumn, Cell, Kind, Method,
    ReportRows, Run, Target,
};
use crate::error::{Error, Result};

const CREATE: [&str; 4] = [
    include_str!("../../queries/sqlite/staging_sales.sql"),
    include_str!("../../queries/sqlite/reporting_daily_sales.sql"),
    include_str!("../../queries/sqlite/reporting_top_products.sql"),
    include_str!("../../queries/sqlite/etl_runs.sql"),
];

/// Loads `valid` into the SQLite file at `path`; returns rows loaded, rows
/// replaced, the method and the run id.
pub fn load(path: &Path, valid: &DataFrame, run: &Run) -> Result<(u64, u64, Method, u64)> {
    let target = Target::Sqlite(path.to_path_buf());
    let fail = |e: rusqlite::Error| Error::Load {
        target: target.masked(),
        message: e.to_string(),
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::Load {
            target: target.masked(),
            message: format!("cannot create folder `{}`: {e}", parent.display()),
        })?;
    }
    let mut conn = Connection::open(path).map_err(fail)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(fail)?;

    let found = table_columns(&conn).map_err(fail)?;
    check_schema(&target, &found, |kind, declared| {
        let declared = declared.to_ascii_uppercase();
        match kind {
            Kind::Integer => declared.contains("INT"),
            // Money, dates and times are exact text in SQLite.
            Kind::Text | Kind::Decimal | Kind::DateTime | Kind::Date => declared.contains("TEXT"),
        }
    })?;
    for sql in CREATE {
        conn.execute_batch(sql).map_err(fail)?;
    }
    conn.execute_batch(include_str!("../../queries/sqlite/incoming_ids.sql"))
        .map_err(fail)?;
    conn.execute_batch(include_str!("../../queries/sqlite/touched_dates.sql"))
        .map_err(fail)?;

    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    let t = &run.totals;
    tx.execute(
        include_str!("../../queries/sqlite/insert_run.sql"),
        params![
            run.started_at,
            env!("CARGO_PKG_VERSION"),
            run.input_files_json(),
            t.data_rows,
            t.valid,
            t.invalid,
            t.duplicate,
            t.outlier,
            Method::Insert.name()
        ],
    )
    .map_err(fail)?;
    let run_id = tx.last_insert_rowid() as u64;

    for file in &run.files {
        tx.execute(
            include_str!("../../queries/sqlite/touch_dates_of_files.sql"),
            [&file.file],
        )
        .map_err(fail)?;
        tx.execute(
            include_str!("../../queries/sqlite/delete_file_rows.sql"),
            [&file.file],
        )
        .map_err(fail)?;
    }

    let ids = incoming_ids(valid)?;
    {
        let mut insert = tx
            .prepare(include_str!("../../queries/sqlite/insert_incoming_id.sql"))
            .map_err(fail)?;
        for_each_row(&ids, |values| {
            insert
                .execute(rusqlite::params_from_iter(values))
                .map(|_| ())
        })
        .map_err(fail)?;
    }
    tx.execute(
        include_str!("../../queries/sqlite/touch_dates_of_run.sql"),
        [],
    )
    .map_err(fail)?;
    let replaced = tx
        .execute(
            include_str!("../../queries/sqlite/delete_replaced_rows.sql"),
            [],
        )
        .map_err(fail)? as u64;

    let rows = staging_rows(valid, run, run_id, &now_utc())?;
    let mut loaded = 0u64;
    {
        let mut insert = tx
            .prepare(include_str!(
                "../../queries/sqlite/insert_staging_sales.sql"
            ))
            .map_err(fail)?;
        for_each_row(&rows, |values| {
            loaded += insert.execute(rusqlite::params_from_iter(values))? as u64;
            Ok(())
        })
        .map_err(fail)?;
    }

    for sql in [
        include_str!("../../queries/sqlite/upsert_daily_sales.sql"),
        include_str!("../../queries/sqlite/delete_stale_daily_sales.sql"),
        include_str!("../../queries/sqlite/delete_top_products.sql"),
    ] {
        tx.execute(sql, []).map_err(fail)?;
    }
    tx.execute(
        include_str!("../../queries/sqlite/insert_top_products.sql"),
        [run.top],
    )
    .map_err(fail)?;
    tx.execute(
        include_str!("../../queries/sqlite/finish_run.sql"),
        params![replaced, run_id],
    )
    .map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok((loaded, replaced, Method::Insert, run_id))
}

fn table_columns(conn: &Connection) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut statement = conn.prepare(include_str!("../../queries/sqlite/table_columns.sql"))?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    rows.collect()
}

/// Calls `each` with every row of an all-text frame, as `Option<&str>`s.
fn for_each_row(
    frame: &DataFrame,
    mut each: impl FnMut(Vec<Option<&str>>) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let columns: Vec<&StringChunked> = frame
        .columns()
        .iter()
        .map(|c| c.str().expect("loaders send text columns"))
        .collect();
    let mut values: Vec<_> = columns.iter().map(|c| c.iter()).collect();
    for _ in 0..frame.height() {
        each(values.iter_mut().map(|v| v.next().flatten()).collect())?;
    }
    Ok(())
}

/// The stored reports for `from` to `to`: daily sales rows and top-product
/// rows of rank `top` or better, as text. A missing file is not created.
pub fn read_reports(path: &Path, from: &str, to: &str, top: u32) -> Result<ReportRows> {
    let target = Target::Sqlite(path.to_path_buf());
    let missing = |problem: String| Error::NoReports {
        target: target.masked(),
        problem,
    };
    if !path.is_file() {
        return Err(missing("the file does not exist".into()));
    }
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| missing(e.to_string()))?;
    let read = || -> rusqlite::Result<ReportRows> {
        let mut daily = conn.prepare(include_str!("../../queries/sqlite/read_daily_sales.sql"))?;
        let daily = daily
            .query_map(params![from, to], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, i64>(2)? as u64,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut top_products =
            conn.prepare(include_str!("../../queries/sqlite/read_top_products.sql"))?;
        let top = top_products
            .query_map(params![from, to, top], |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, i64>(1)? as u32,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ReportRows { daily, top })
    };
    read().map_err(|e| missing(e.to_string()))
}

/// Runs one statement over the SQLite file at `path`, opened read-only; a
/// missing file is not created.
pub fn query(path: &Path, sql: &str) -> Result<Vec<AnswerColumn>> {
    let target = Target::Sqlite(path.to_path_buf());
    if !path.is_file() {
        return Err(Error::NoWarehouse {
            target: target.masked(),
            problem: "the file does not exist".into(),
        });
    }
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::NoWarehouse {
            target: target.masked(),
            problem: e.to_string(),
        })?;
    let failed = |e: rusqlite::Error| Error::BadQuery {
        engine: target.masked(),
        message: e.to_string(),
    };
    let mut statement = conn.prepare(sql).map_err(failed)?;
    let mut columns: Vec<AnswerColumn> = statement
        .column_names()
        .into_iter()
        .map(|name| AnswerColumn {
            name: name.to_owned(),
            decimal_scale: None,
            cells: Vec::new(),
        })
        .collect();
    let mut rows = statement.query([]).map_err(failed)?;
    while let Some(row) = rows.next().map_err(failed)? {
        for (index, column) in columns.iter_mut().enumerate() {
            let cell = match row.get_ref(index).map_err(failed)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(i) => Cell::Int(i),
                ValueRef::Real(f) => Cell::Float(f),
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Cell::Text(String::from_utf8_lossy(t).into_owned())
                }
            };
            column.cells.push(cell);
        }
    }
    Ok(columns)
}
