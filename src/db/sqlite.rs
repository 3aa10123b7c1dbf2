//! The SQLite dialect: an embedded file, created when missing. Valid rows
//! are inserted while the run still judges them, on a thread of their own,
//! by multi-row prepared INSERTs in one transaction; a big load goes into
//! the bare table and its indexes are built after it. Money is stored in
//! integer millionths (a view, `sales`, shows it as amounts); the sales per
//! date and file (`daily_file_sales`) keep reports computable without
//! reading the rows.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};

use super::guard;
use super::plan::Held;
use super::rows::{RejectedText, SaleText, STAGING_VALUES};
use super::sales::StoredSales;
use super::schema::{check_schema, FoundColumns};
use super::steps::{self, Before, FileSales, Replaced, RowsIn, Steps, Sums};
use super::stream::{Feed, Streaming};
use super::{
    now_utc, AnswerColumn, Cell, DayRows, DaysWanted, Kind, LoadPlan, Method, ReportRows, Target,
    SQLITE_STAGING, TABLES,
};
use crate::error::{Error, QueryEngine, Result};
use crate::judge::aggregate::{DailySales, HeldBack, TopProduct};
use crate::judge::split::Accounting;
use crate::messages::Messages;

/// The layout this version writes, kept in `PRAGMA user_version`. 0 is a
/// warehouse of the first layout (or tables made by hand), migrated on the
/// first load; a higher number is a newer tool's, refused.
const LAYOUT: i64 = 5;

/// The first layout with money in integer millionths in `staging_sales`.
const MONEY_AS_MICROS: i64 = 3;

/// The first layout with the reports' revenue a number (REAL), not text.
const REPORTS_AS_NUMBERS: i64 = 4;

const CREATE: [&str; 11] = [
    include_str!("../../queries/sqlite/staging_sales.sql"),
    include_str!("../../queries/sqlite/sales_view.sql"),
    include_str!("../../queries/sqlite/rejected_rows.sql"),
    include_str!("../../queries/sqlite/rejected_view.sql"),
    include_str!("../../queries/sqlite/daily_file_sales.sql"),
    include_str!("../../queries/sqlite/daily_product_sales.sql"),
    include_str!("../../queries/sqlite/daily_file_rows.sql"),
    include_str!("../../queries/sqlite/held_back_sales.sql"),
    include_str!("../../queries/sqlite/reporting_daily_sales.sql"),
    include_str!("../../queries/sqlite/reporting_top_products.sql"),
    include_str!("../../queries/sqlite/etl_runs.sql"),
];

/// Rows per INSERT statement: one statement per row spent most of the load
/// in SQLite's statement machinery; 64 rows of 14 values is well inside its
/// limit of 32,766 parameters.
const ROWS_PER_INSERT: usize = 64;

/// Page size of a new warehouse file, in bytes. SQLite's default of 4 KiB
/// made a bulk load of 9.5M rows write 1.6 GB in 400,000 system calls;
/// 16 KiB pages cut the copy by about a quarter and the id index's build
/// by a sixth (BENCHMARKS.md), and a point lookup still reads little. An
/// existing file keeps its own.
const PAGE_SIZE: u32 = 16 * 1024;

/// Page cache of the loading connection, in KiB (SQLite's negative
/// `cache_size`): enough for the B-tree's interior pages and the index
/// builds' sort runs, small beside a run's other memory.
const CACHE_KIB: i64 = 64 * 1024;

/// Starts a load into the SQLite file at `path` on a thread of its own;
/// `messages` hears when it must wait for another load.
pub fn start(path: &Path, plan: LoadPlan, messages: &Messages) -> Result<Streaming> {
    let path = path.to_path_buf();
    let messages = messages.clone();
    Streaming::spawn("sales-etl-sqlite", move |feed, tell, loaded| {
        let started = Instant::now();
        let target = Target::Sqlite(path.clone());
        let mut conn = open_for_load(&path, &target, &messages)?;
        prepare_layout(&mut conn, &target)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed(&target))?;
        let head = include_str!("../../queries/sqlite/insert_staging_sales_head.sql").trim_end();
        let tuple = format!("({})", vec!["?"; STAGING_VALUES].join(", "));
        let load = SqliteLoad {
            tx,
            target,
            feed,
            loaded,
            writer: Writer {
                run_id: 0,
                bulk: false,
                replaced: Replaced::default(),
                inserted: 0,
                loaded_at: now_utc(),
                names: plan.names.clone(),
                insert_many: format!(
                    "{head} {}",
                    vec![tuple.as_str(); ROWS_PER_INSERT].join(", ")
                ),
                insert_one: format!("{head} {tuple}"),
            },
        };
        steps::drive(load, &plan, &tell, started)
    })
}

/// Opens (or creates) the file for a load: one load at a time, the second
/// waiting for the first's commit and saying so; the index builds' sorts
/// may use the other cores (the reading is over by then).
fn open_for_load(path: &Path, target: &Target, messages: &Messages) -> Result<Connection> {
    let fail = failed(target);
    let new = !path.exists();
    let conn = Connection::open(path).map_err(&fail)?;
    if new {
        // Before the first table: a new file only.
        conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE};"))
            .map_err(&fail)?;
        messages.step(format!("created new warehouse {}", target.masked()));
    }
    conn.busy_timeout(std::time::Duration::ZERO)
        .map_err(&fail)?;
    if conn
        .execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
        .is_err_and(|e| e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy))
    {
        messages.warn(format!(
            "waiting for another load into `{}` to finish",
            target.masked()
        ));
    }
    conn.busy_timeout(BUSY_WAIT).map_err(&fail)?;
    let helpers = std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1));
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{CACHE_KIB}; PRAGMA threads = {helpers};"
    ))
    .map_err(&fail)?;
    Ok(conn)
}

/// An error of SQLite's in the load into `target`, said plainly.
fn failed(target: &Target) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::Load {
        target: target.masked(),
        message: e.to_string(),
    }
}

/// Checks the file at `path`, when it exists, before the run reads any
/// input: a table changed by hand or a layout of a newer version fails the
/// run at once. A missing file is fine: the load creates it.
pub fn check(path: &Path) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let target = Target::Sqlite(path.to_path_buf());
    let conn = open_read_only(path).map_err(|e| Error::Load {
        target: target.masked(),
        message: e.to_string(),
    })?;
    check_layout(&conn, &target).map(drop)
}

/// The tool's tables in the file, checked against the columns the load
/// writes, and the file's layout version (`PRAGMA user_version`).
fn check_layout(conn: &Connection, target: &Target) -> Result<(FoundColumns, i64)> {
    let fail = |e: rusqlite::Error| Error::Load {
        target: target.masked(),
        message: e.to_string(),
    };
    let found = table_columns(conn).map_err(fail)?;
    let layout: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(fail)?;
    // Layouts before 3 kept money as text in `staging_sales`, before 4
    // the reports' revenue: checked as they were, then migrated.
    let staging = if layout >= MONEY_AS_MICROS {
        &SQLITE_STAGING
    } else {
        &TABLES[0]
    };
    check_schema(
        target,
        std::iter::once(staging).chain(&TABLES[1..]),
        &found,
        |kind, declared| {
            let declared = declared.to_ascii_uppercase();
            match kind {
                Kind::Integer => declared.contains("INT"),
                // The reports' revenue, two decimals.
                Kind::Decimal(..) if layout >= REPORTS_AS_NUMBERS => declared.contains("REAL"),
                // Dates and times are text that sorts as what it is.
                Kind::Text(_) | Kind::Decimal(..) | Kind::DateTime | Kind::Date => {
                    declared.contains("TEXT")
                }
            }
        },
    )?;
    if layout > LAYOUT {
        return Err(Error::SchemaMismatch {
            target: target.masked(),
            table: "staging_sales".into(),
            column: "*".into(),
            problem: format!(
                "is of layout {layout}, made by a newer sales-etl (this one writes layout {LAYOUT})"
            ),
        });
    }
    Ok((found, layout))
}

/// Checks the tables the file already has, migrates an older layout (its
/// rows kept), and creates what is missing.
fn prepare_layout(conn: &mut Connection, target: &Target) -> Result<()> {
    let fail = |e: rusqlite::Error| Error::Load {
        target: target.masked(),
        message: e.to_string(),
    };
    let (found, layout) = check_layout(conn, target)?;
    let has_rows_table = found.iter().any(|(table, _, _)| table == "staging_sales");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    // Before layout 4 the reports' revenue was text: each table is rebuilt
    // with its rows (REAL affinity makes the text numbers).
    for (table, create, columns) in [
        (
            "reporting_daily_sales",
            include_str!("../../queries/sqlite/reporting_daily_sales.sql"),
            r#""date", channel, orders, units, revenue, updated_at"#,
        ),
        (
            "reporting_top_products",
            include_str!("../../queries/sqlite/reporting_top_products.sql"),
            r#""date", "rank", product_id, units, revenue"#,
        ),
    ] {
        let text = found.iter().any(|(t, column, declared)| {
            t == table && column == "revenue" && declared.to_ascii_uppercase().contains("TEXT")
        });
        if layout < REPORTS_AS_NUMBERS && text {
            let old = format!("{table}_before_layout_{REPORTS_AS_NUMBERS}");
            tx.execute_batch(&format!("ALTER TABLE {table} RENAME TO {old};"))
                .map_err(fail)?;
            tx.execute_batch(create).map_err(fail)?;
            tx.execute_batch(&format!(
                "INSERT INTO {table} ({columns}) SELECT {columns} FROM {old}; DROP TABLE {old};"
            ))
            .map_err(fail)?;
        }
    }
    if layout < MONEY_AS_MICROS && has_rows_table {
        tx.execute_batch(include_str!("../../queries/sqlite/migrate_begin.sql"))
            .map_err(fail)?;
        tx.execute_batch(include_str!("../../queries/sqlite/staging_sales.sql"))
            .map_err(fail)?;
        tx.execute_batch(include_str!("../../queries/sqlite/migrate_copy.sql"))
            .map_err(fail)?;
        // The first layout kept no sums per file.
        if layout < 2 {
            tx.execute_batch(include_str!("../../queries/sqlite/daily_file_sales.sql"))
                .map_err(fail)?;
            tx.execute_batch("DELETE FROM daily_file_sales")
                .map_err(fail)?;
            tx.execute_batch(include_str!(
                "../../queries/sqlite/fill_daily_file_sales.sql"
            ))
            .map_err(fail)?;
        }
    }
    for sql in CREATE {
        tx.execute_batch(sql).map_err(fail)?;
    }
    tx.execute_batch(include_str!(
        "../../queries/sqlite/staging_sales_indexes.sql"
    ))
    .map_err(fail)?;
    // Before layout 5 there were no sums per date and product or per date
    // and file; a file whose first fill did not finish is filled again.
    let missing: i64 = tx
        .query_row(
            include_str!("../../queries/sqlite/day_sums_missing.sql"),
            [],
            |r| r.get(0),
        )
        .map_err(fail)?;
    if missing == 1 {
        refill_day_sums(&tx, EVERY_DATE).map_err(fail)?;
    }
    tx.execute_batch(&format!("PRAGMA user_version = {LAYOUT}"))
        .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// Every date SQLite's text dates can hold.
const EVERY_DATE: (&str, &str) = ("0000-01-01", "9999-12-31");

/// Rewrites daily_product_sales and daily_file_rows for the dates `from`
/// to `to` from daily_file_sales.
fn refill_day_sums(conn: &Connection, (from, to): (&str, &str)) -> rusqlite::Result<()> {
    for sql in [
        include_str!("../../queries/sqlite/delete_product_sales_of_dates.sql"),
        include_str!("../../queries/sqlite/delete_file_rows_of_dates.sql"),
        include_str!("../../queries/sqlite/fill_product_sales.sql"),
        include_str!("../../queries/sqlite/fill_file_rows.sql"),
    ] {
        conn.prepare_cached(sql)?.execute([from, to])?;
    }
    Ok(())
}

/// A load into SQLite in progress: its open transaction and the run's rows.
struct SqliteLoad<'a> {
    tx: Transaction<'a>,
    target: Target,
    feed: Feed,
    /// Rows inserted so far, for the progress bar.
    loaded: &'a AtomicU64,
    writer: Writer,
}

/// What inserting the rows needs beside the transaction.
struct Writer {
    run_id: u64,
    /// Indexes were dropped for a bulk insert and are built at the end.
    bulk: bool,
    /// Rows of other files replaced by this run's ids.
    replaced: Replaced,
    inserted: u64,
    loaded_at: String,
    names: Vec<String>,
    insert_many: String,
    insert_one: String,
}

impl Steps for SqliteLoad<'_> {
    fn target(&self) -> &Target {
        &self.target
    }

    fn method(&self) -> Method {
        Method::Insert
    }

    fn record_run(&mut self, plan: &LoadPlan) -> Result<u64> {
        self.tx
            .execute(
                include_str!("../../queries/sqlite/insert_run.sql"),
                params![
                    plan.started_at,
                    env!("CARGO_PKG_VERSION"),
                    serde_json::to_string(&plan.files).unwrap_or_else(|_| "[]".into()),
                    Method::Insert.name()
                ],
            )
            .map_err(failed(&self.target))?;
        Ok(self.tx.last_insert_rowid() as u64)
    }

    fn earlier_runs(&mut self) -> Result<Vec<(u64, String)>> {
        let runs = || -> rusqlite::Result<Vec<(u64, String)>> {
            let mut statement = self
                .tx
                .prepare(include_str!("../../queries/sqlite/earlier_runs.sql"))?;
            let runs = statement
                .query_map([], |row| Ok((row.get::<_, i64>(0)? as u64, row.get(1)?)))?
                .collect();
            runs
        };
        runs().map_err(failed(&self.target))
    }

    fn rows_of_file(&mut self, file: &str) -> Result<(Held, Vec<String>)> {
        let held = || -> rusqlite::Result<(Held, Vec<String>)> {
            let count = |sql: &str| self.tx.query_row(sql, [file], |r| r.get::<_, i64>(0));
            let held = Held {
                rows: count(include_str!("../../queries/sqlite/file_rows.sql"))? as u64,
                rejected: count(include_str!("../../queries/sqlite/file_rejected_rows.sql"))?
                    as u64,
            };
            let mut statement = self
                .tx
                .prepare_cached(include_str!("../../queries/sqlite/dates_of_file.sql"))?;
            let dates = statement
                .query_map([file], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok((held, dates))
        };
        held().map_err(failed(&self.target))
    }

    fn next_source_file(&mut self, after: &str) -> Result<Option<String>> {
        self.tx
            .prepare_cached(include_str!("../../queries/sqlite/next_source_file.sql"))
            .and_then(|mut next| next.query_row([after], |r| r.get::<_, Option<String>>(0)))
            .map_err(failed(&self.target))
    }

    /// Also decides how rows go in: with the indexes in place for a run
    /// small beside the rows that stay, else into the bare table with the
    /// indexes built afterwards (a sort instead of millions of random
    /// B-tree inserts).
    fn clear(&mut self, before: &Before, loading: &[&str], every: &[&str]) -> Result<()> {
        let clear = || -> rusqlite::Result<bool> {
            let tx = &self.tx;
            // Every row in the table belongs to the files loaded (checked on
            // the table itself, not only on its sums): cleared in one step.
            if before.only_loading {
                tx.execute(include_str!("../../queries/sqlite/delete_all_rows.sql"), [])?;
            } else {
                let mut delete =
                    tx.prepare(include_str!("../../queries/sqlite/delete_file_rows.sql"))?;
                for file in loading {
                    delete.execute([file])?;
                }
            }
            for sql in [
                include_str!("../../queries/sqlite/delete_file_sales.sql"),
                include_str!("../../queries/sqlite/delete_file_rejected.sql"),
            ] {
                let mut delete = tx.prepare(sql)?;
                for file in loading {
                    delete.execute([file])?;
                }
            }
            let mut delete =
                tx.prepare(include_str!("../../queries/sqlite/delete_held_back.sql"))?;
            for file in every {
                delete.execute([file])?;
            }
            let remaining: i64 =
                tx.query_row(include_str!("../../queries/sqlite/all_rows.sql"), [], |r| {
                    r.get(0)
                })?;
            let bulk = (remaining as u64) < before.to_load;
            if bulk {
                tx.execute_batch(include_str!(
                    "../../queries/sqlite/drop_staging_sales_indexes.sql"
                ))?;
            }
            Ok(bulk)
        };
        self.writer.bulk = clear().map_err(failed(&self.target))?;
        Ok(())
    }

    fn rows_in(&mut self, run_id: u64, _before: &Before) -> Result<RowsIn> {
        let fail = failed(&self.target);
        self.writer.run_id = run_id;
        while let Some(sales) = self.feed.next_rows().map_err(|e| Error::Load {
            target: self.target.masked(),
            message: e.to_string(),
        })? {
            let rows = self.writer.rows(&self.tx, &sales).map_err(&fail)?;
            self.loaded.fetch_add(rows, Ordering::Relaxed);
        }
        if self.writer.bulk {
            self.writer.build_indexes(&self.tx).map_err(&fail)?;
        }
        let mut rejected_taken = 0;
        while let Some(rejected) = self.feed.next_rejected().map_err(|e| Error::Load {
            target: self.target.masked(),
            message: e.to_string(),
        })? {
            rejected_taken += self.writer.rejected(&self.tx, &rejected).map_err(&fail)?;
        }
        let end = self.feed.end(&self.target)?;
        Ok(RowsIn {
            sent: self.feed.sent,
            taken: self.writer.inserted,
            rejected_sent: self.feed.rejected,
            rejected_taken,
            end,
            replaced: std::mem::take(&mut self.writer.replaced),
        })
    }

    fn subtract_sales(&mut self, replaced: &Replaced) -> Result<()> {
        let subtract = || -> rusqlite::Result<()> {
            let mut subtract = self
                .tx
                .prepare(include_str!("../../queries/sqlite/subtract_file_sales.sql"))?;
            for ((date, file, channel, product), sums) in &replaced.sums {
                subtract.execute(params![
                    date,
                    file,
                    channel,
                    product,
                    sums.orders,
                    sums.units,
                    micros(sums.micros)?
                ])?;
            }
            self.tx.execute(
                include_str!("../../queries/sqlite/delete_empty_file_sales.sql"),
                [],
            )?;
            Ok(())
        };
        subtract().map_err(failed(&self.target))
    }

    fn store_sales(&mut self, sales: &[FileSales<'_>]) -> Result<()> {
        let store = || -> rusqlite::Result<()> {
            let mut insert = self
                .tx
                .prepare(include_str!("../../queries/sqlite/insert_file_sales.sql"))?;
            for s in sales {
                insert.execute(params![
                    s.date,
                    s.file,
                    s.channel,
                    s.product,
                    s.orders as i64,
                    s.units,
                    micros(s.micros)?,
                ])?;
            }
            Ok(())
        };
        store().map_err(failed(&self.target))
    }

    fn store_held_back(&mut self, held: &[(&str, &HeldBack)]) -> Result<()> {
        let store = || -> rusqlite::Result<()> {
            let mut insert = self
                .tx
                .prepare(include_str!("../../queries/sqlite/insert_held_back.sql"))?;
            for (file, h) in held {
                insert.execute(params![
                    h.date,
                    file,
                    h.channel,
                    h.rows as i64,
                    h.units,
                    micros(h.revenue.0)?,
                ])?;
            }
            Ok(())
        };
        store().map_err(failed(&self.target))
    }

    fn stored_sales(&mut self, date: &str) -> Result<StoredSales> {
        let read = || -> rusqlite::Result<StoredSales> {
            let mut read = self
                .tx
                .prepare_cached(include_str!("../../queries/sqlite/sales_of_date.sql"))?;
            let mut sales = StoredSales::default();
            let mut rows = read.query([date])?;
            while let Some(row) = rows.next()? {
                sales.push(
                    row.get(0)?,
                    row.get(1)?,
                    row.get::<_, i64>(2)? as u64,
                    row.get(3)?,
                    i128::from(row.get::<_, i64>(4)?),
                );
            }
            Ok(sales)
        };
        read().map_err(failed(&self.target))
    }

    fn replace_reports(
        &mut self,
        date: &str,
        daily: &[DailySales],
        top: &[TopProduct],
    ) -> Result<()> {
        let replace = || -> rusqlite::Result<()> {
            let tx = &self.tx;
            tx.prepare_cached(include_str!(
                "../../queries/sqlite/delete_daily_sales_of_date.sql"
            ))?
            .execute([date])?;
            tx.prepare_cached(include_str!(
                "../../queries/sqlite/delete_top_products_of_date.sql"
            ))?
            .execute([date])?;
            refill_day_sums(tx, (date, date))?;
            let mut insert_daily =
                tx.prepare_cached(include_str!("../../queries/sqlite/insert_daily_sales.sql"))?;
            for day in daily {
                insert_daily.execute(params![
                    day.date,
                    day.channel,
                    day.orders as i64,
                    day.units,
                    day.revenue.to_string()
                ])?;
            }
            let mut insert_top =
                tx.prepare_cached(include_str!("../../queries/sqlite/insert_top_product.sql"))?;
            for product in top {
                insert_top.execute(params![
                    product.date,
                    product.rank,
                    product.product_id,
                    product.units,
                    product.revenue.to_string()
                ])?;
            }
            Ok(())
        };
        replace().map_err(failed(&self.target))
    }

    fn finish_run(&mut self, run_id: u64, totals: &Accounting, replaced: u64) -> Result<()> {
        let t = totals;
        self.tx
            .execute(
                include_str!("../../queries/sqlite/finish_run.sql"),
                params![
                    t.data_rows,
                    t.valid,
                    t.invalid,
                    t.duplicate,
                    t.outlier,
                    replaced,
                    run_id
                ],
            )
            .map(drop)
            .map_err(failed(&self.target))
    }

    fn commit(self) -> Result<()> {
        let fail = failed(&self.target);
        self.tx.commit().map_err(fail)
    }
}

impl Writer {
    /// Inserts one chunk of rejected rows; returns how many went in.
    fn rejected(&self, tx: &Transaction<'_>, rows: &RejectedText) -> rusqlite::Result<u64> {
        let mut insert =
            tx.prepare_cached(include_str!("../../queries/sqlite/insert_rejected_row.sql"))?;
        let mut inserted = 0;
        for row in 0..rows.height() {
            let file = self.names.get(rows.file(row) as usize);
            let value = |i: usize| rows.value(row, i);
            inserted += insert.execute(params![
                value(0),
                value(1),
                value(2),
                value(3),
                value(4),
                value(5),
                value(6),
                value(7),
                file,
                rows.line(row),
                value(8),
                value(9),
                value(10),
                self.run_id as i64,
            ])? as u64;
        }
        Ok(inserted)
    }

    /// Inserts one chunk of valid rows; returns how many went in.
    fn rows(&mut self, tx: &Transaction<'_>, columns: &SaleText) -> rusqlite::Result<u64> {
        let height = columns.height();
        let mut many = tx.prepare_cached(&self.insert_many)?;
        let mut one = tx.prepare_cached(&self.insert_one)?;
        let mut start = 0;
        let mut inserted = 0u64;
        while start < height {
            let (statement, rows) = if height - start >= ROWS_PER_INSERT {
                (&mut many, ROWS_PER_INSERT)
            } else {
                (&mut one, 1)
            };
            for row in 0..rows {
                bind(statement, row * STAGING_VALUES, columns, start + row, self)?;
            }
            let done = match statement.raw_execute() {
                Err(e) if !self.bulk && is_unique_violation(&e) => {
                    // An id loaded earlier from another file: those rows
                    // are replaced, then the batch goes in again.
                    let mut delete = tx.prepare_cached(include_str!(
                        "../../queries/sqlite/delete_row_of_id.sql"
                    ))?;
                    for row in start..start + rows {
                        let id = columns.transaction_id(row);
                        let mut gone = delete.query(params![id, self.run_id])?;
                        while let Some(old) = gone.next()? {
                            self.note_replaced(
                                old.get(0)?,
                                old.get(1)?,
                                old.get(2)?,
                                old.get(3)?,
                                old.get(4)?,
                                old.get::<_, i64>(5)?,
                            );
                        }
                    }
                    statement.raw_execute()?
                }
                done => done?,
            };
            inserted += done as u64;
            start += rows;
        }
        self.inserted += inserted;
        Ok(inserted)
    }

    fn note_replaced(
        &mut self,
        date: String,
        file: String,
        channel: String,
        product: String,
        quantity: i64,
        micros: i64,
    ) {
        self.replaced.add(
            (date, file, channel, product),
            Sums {
                orders: 1,
                units: quantity,
                micros: i128::from(micros),
            },
        );
        self.replaced.rows += 1;
    }

    /// The unique id index fails when an earlier run's row has an id this
    /// run loaded: those rows are replaced, then the index is built again.
    fn build_indexes(&mut self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        let indexes = include_str!("../../queries/sqlite/staging_sales_indexes.sql");
        match tx.execute_batch(indexes) {
            Err(e) if is_unique_violation(&e) => {}
            other => return other,
        }
        let mut old = Vec::new();
        {
            let mut statement =
                tx.prepare(include_str!("../../queries/sqlite/replaced_rows.sql"))?;
            let mut rows = statement.query([self.run_id])?;
            while let Some(row) = rows.next()? {
                old.push((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get::<_, i64>(6)?,
                ));
            }
        }
        let mut delete = tx.prepare(include_str!("../../queries/sqlite/delete_row.sql"))?;
        for (file, line, date, channel, product, quantity, revenue) in old {
            delete.execute(params![file, line])?;
            self.note_replaced(date, file, channel, product, quantity, revenue);
        }
        tx.execute_batch(indexes)
    }
}

/// Binds row `row` of `sales` to the parameters after `offset`, in the
/// column order of `insert_staging_sales_head.sql`.
fn bind(
    statement: &mut rusqlite::CachedStatement<'_>,
    offset: usize,
    sales: &SaleText,
    row: usize,
    load: &Writer,
) -> rusqlite::Result<()> {
    let file = load
        .names
        .get(sales.file(row) as usize)
        .map_or("", String::as_str);
    let nulls = sales.nulls(row);
    let optional = |index: usize, null: bool| (!null).then(|| sales.value(row, index));
    let at = |i: usize| offset + i;
    statement.raw_bind_parameter(at(1), sales.value(row, 0))?;
    statement.raw_bind_parameter(at(2), sales.value(row, 1))?;
    statement.raw_bind_parameter(at(3), sales.value(row, 2))?;
    statement.raw_bind_parameter(at(4), sales.value(row, 3))?;
    statement.raw_bind_parameter(at(5), optional(4, nulls & 1 != 0))?;
    statement.raw_bind_parameter(at(6), optional(5, nulls & 2 != 0))?;
    statement.raw_bind_parameter(at(7), sales.value(row, 6))?;
    statement.raw_bind_parameter(at(8), sales.quantity(row))?;
    statement.raw_bind_parameter(at(9), micros(sales.price_micros(row))?)?;
    statement.raw_bind_parameter(at(10), micros(sales.revenue_micros(row))?)?;
    statement.raw_bind_parameter(at(11), file)?;
    statement.raw_bind_parameter(at(12), sales.line(row))?;
    statement.raw_bind_parameter(at(13), load.run_id as i64)?;
    statement.raw_bind_parameter(at(14), load.loaded_at.as_str())?;
    Ok(())
}

/// Millionths as SQLite's 64-bit integer; the rules reject the rows whose
/// revenue would not fit (`revenue_out_of_range`), so a failure here is a
/// bug, reported as such rather than stored wrong.
fn micros(value: i128) -> rusqlite::Result<i64> {
    i64::try_from(value).map_err(|_| {
        rusqlite::Error::ToSqlConversionFailure(
            format!("{value} millionths do not fit a 64-bit integer").into(),
        )
    })
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    e.sqlite_error()
        .is_some_and(|e| e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Opens an existing file read-only, as it was last committed. A load killed
/// mid-transaction leaves a hot journal, which only a writable connection
/// may roll back: the file is then opened writable once, read (which rolls
/// the journal back and writes nothing else), and closed first.
fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let journal = path.with_file_name(format!(
        "{}-journal",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    if journal.exists() {
        let writable =
            Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        writable.busy_timeout(BUSY_WAIT)?;
        writable.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
    }
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(BUSY_WAIT)?;
    Ok(conn)
}

/// How long a connection waits for another one's lock (a load in progress)
/// before it gives up.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

fn table_columns(conn: &Connection) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut statement = conn.prepare(include_str!("../../queries/sqlite/table_columns.sql"))?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    rows.collect()
}

/// The stored reports for `from` to `to`: daily sales rows and top-product
/// rows of rank `top` or better, as text. A missing file is not created.
/// The warehouse opened read-only for reports, and the error of a failed
/// read of them.
fn open_reports(path: &Path) -> Result<(Connection, impl Fn(String) -> Error)> {
    let target = Target::Sqlite(path.to_path_buf()).masked();
    let missing = move |problem: String| Error::NoReports {
        target: target.clone(),
        problem,
    };
    if !path.is_file() {
        return Err(missing("the file does not exist".into()));
    }
    let conn = open_read_only(path).map_err(|e| missing(e.to_string()))?;
    Ok((conn, missing))
}

/// The stored daily sales of `from` to `to`, as text.
fn daily_rows(conn: &Connection, from: &str, to: &str) -> rusqlite::Result<Vec<super::DailyRow>> {
    conn.prepare(include_str!("../../queries/sqlite/read_daily_sales.sql"))?
        .query_map(params![from, to], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get::<_, i64>(2)? as u64,
                r.get(3)?,
                r.get(4)?,
            ))
        })?
        .collect()
}

/// The stored days of a period report (see [`super::read_days`]).
pub fn read_days(path: &Path, wanted: Option<DaysWanted>) -> Result<DayRows> {
    let (conn, missing) = open_reports(path)?;
    let read = || -> rusqlite::Result<DayRows> {
        let latest = conn.query_row(
            include_str!("../../queries/sqlite/latest_day.sql"),
            [],
            |r| r.get(0),
        )?;
        let Some(wanted) = wanted else {
            return Ok(DayRows {
                latest,
                ..DayRows::default()
            });
        };
        let (from, to) = (wanted.from.to_string(), wanted.to.to_string());
        let daily = daily_rows(&conn, &from, &to)?;
        // A warehouse not loaded since before the sums per date is read
        // the slow way (a failure here shows again in the reads below).
        let summed = conn
            .query_row(
                include_str!("../../queries/sqlite/day_sums_missing.sql"),
                [],
                |r| r.get::<_, i64>(0),
            )
            .is_ok_and(|missing| missing == 0);
        let (file_days, top_products) = match summed {
            true => (
                include_str!("../../queries/sqlite/file_days.sql"),
                include_str!("../../queries/sqlite/top_products_of_range.sql"),
            ),
            false => (
                include_str!("../../queries/sqlite/file_days_unsummed.sql"),
                include_str!("../../queries/sqlite/top_products_of_range_unsummed.sql"),
            ),
        };
        let file_days = conn
            .prepare(file_days)?
            .query_map(params![from, to], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (top_from, top_to) = (wanted.top_from.to_string(), wanted.top_to.to_string());
        let top = if wanted.top == 0 {
            Vec::new()
        } else {
            conn.prepare(top_products)?
                .query_map(params![top_from, top_to, wanted.top], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        crate::money::Money(i128::from(r.get::<_, i64>(2)?)).exact(),
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
        };
        Ok(DayRows {
            latest,
            daily,
            file_days,
            top,
        })
    };
    read().map_err(|e| missing(e.to_string()))
}

pub fn read_reports(path: &Path, from: &str, to: &str, top: u32) -> Result<ReportRows> {
    let (conn, missing) = open_reports(path)?;
    let read = || -> rusqlite::Result<ReportRows> {
        let daily = daily_rows(&conn, from, to)?;
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
        // A warehouse older than `held_back_sales` holds back nothing.
        let has_held_back: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'held_back_sales'",
            [],
            |r| r.get(0),
        )?;
        let held = if has_held_back {
            let mut held = conn.prepare(include_str!("../../queries/sqlite/read_held_back.sql"))?;
            let rows = held.query_map(params![from, to], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, i64>(2)? as u64,
                    r.get(3)?,
                    crate::money::Money(i128::from(r.get::<_, i64>(4)?)).exact(),
                ))
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        Ok(ReportRows { daily, top, held })
    };
    read().map_err(|e| missing(e.to_string()))
}

/// Runs one read-only statement over the SQLite file at `path`: checked by
/// [`guard`] first, the file opened read-only (a missing file is not
/// created), the prepared statement refused unless SQLite itself calls it
/// read-only (`VACUUM INTO` writes a new file even from a read-only
/// connection), and interrupted after `timeout` when given.
pub fn query(
    path: &Path,
    sql: &str,
    timeout: Option<std::time::Duration>,
) -> Result<Vec<AnswerColumn>> {
    let target = Target::Sqlite(path.to_path_buf());
    let bad = |problem| Error::BadQuery {
        engine: QueryEngine::Warehouse(target.masked()),
        message: problem,
    };
    // The rewritten text is what is checked and what is sent.
    let sql = super::portable::for_sqlite(sql).map_err(bad)?;
    let sql = &guard::check(&sql, guard::Engine::Sqlite).map_err(bad)?;
    if !path.is_file() {
        return Err(Error::NoWarehouse {
            target: target.masked(),
            problem: "the file does not exist".into(),
        });
    }
    let conn = open_read_only(path).map_err(|e| Error::NoWarehouse {
        target: target.masked(),
        problem: e.to_string(),
    })?;
    let failed = |e: rusqlite::Error| Error::BadQuery {
        engine: QueryEngine::Warehouse(target.masked()),
        message: e.to_string(),
    };
    let mut statement = conn.prepare(sql).map_err(failed)?;
    if !statement.readonly() {
        return Err(Error::BadQuery {
            engine: QueryEngine::Warehouse(target.masked()),
            message: "the statement would write: `query --db` only reads".into(),
        });
    }
    // Interrupted from a timer thread when the answer takes too long.
    let interrupt = conn.get_interrupt_handle();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let _timer = timeout.map(|limit| {
        std::thread::spawn(move || {
            if finished.recv_timeout(limit).is_err() {
                interrupt.interrupt();
            }
        })
    });
    let _stop_timer = done;
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
    columns.iter_mut().for_each(as_money);
    Ok(columns)
}

/// A column of numbers with a fraction, each within a billionth (relative)
/// of an amount of at most six decimals, as that amount, an exact decimal:
/// `sales`' millionths divided by a million are such amounts, and so are
/// their sums up to SQLite's last bit (its `SUM` compensates the rounding
/// of each addition, but the result can still be one bit off:
/// `5943.820000000001`). Without this `query --db` would show that where a
/// folder query and MySQL show `5943.82`. A column with any other value (a
/// mean such as `2.3333333333333335`, text) stays as it is.
fn as_money(column: &mut AnswerColumn) {
    let amount = |f: f64| {
        let text = format!("{f:.6}");
        let nearest: f64 = text.parse().ok()?;
        let close = (f - nearest).abs() <= 1e-9 * nearest.abs().max(1.0);
        (f.is_finite() && f.abs() < 1e15 && close).then_some(text)
    };
    let mut any_fraction = false;
    for cell in &column.cells {
        match cell {
            Cell::Null | Cell::Int(_) => {}
            Cell::Float(f) if amount(*f).is_some() => any_fraction = true,
            _ => return,
        }
    }
    if !any_fraction {
        return;
    }
    for cell in &mut column.cells {
        *cell = match std::mem::replace(cell, Cell::Null) {
            Cell::Float(f) => Cell::Text(amount(f).unwrap_or_default()),
            Cell::Int(i) => Cell::Text(format!("{i}.000000")),
            other => other,
        };
    }
    column.decimal_scale = Some(6);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn money(cells: Vec<Cell>, expected: Option<Vec<Cell>>) {
        let mut column = AnswerColumn {
            name: "x".into(),
            decimal_scale: None,
            cells: cells.clone(),
        };
        as_money(&mut column);
        match expected {
            Some(cells) => {
                assert_eq!(column.decimal_scale, Some(6));
                assert_eq!(column.cells, cells);
            }
            None => {
                assert_eq!(column.decimal_scale, None);
                assert_eq!(column.cells, cells);
            }
        }
    }

    #[test]
    fn reals_that_are_amounts_become_decimals() {
        use Cell::*;
        let text = |t: &str| Text(t.into());
        // 35960000 / 1e6 and a sum of such: amounts.
        money(
            vec![
                Float(35_960_000.0 / 1e6),
                Null,
                Float(5943.820000000001),
                Int(3),
            ],
            Some(vec![
                text("35.960000"),
                Null,
                text("5943.820000"),
                text("3.000000"),
            ]),
        );
        // A mean with more than six decimals stays a float; integers stay.
        money(vec![Float(7.0 / 3.0), Float(1.5)], None);
        money(vec![Int(1), Int(2)], None);
        money(vec![Float(1.5), text("a")], None);
    }
}
