//! The MySQL / MariaDB dialect. While the run judges its rows, they are
//! streamed chunk by chunk into one `LOAD DATA LOCAL INFILE` when the server
//! allows it (`@@local_infile`: on by default in MariaDB, off in MySQL 8),
//! else sent as multi-row INSERTs within the protocol's 65,535-placeholder
//! limit. Either way the server's row count and warnings are checked
//! against what was sent, inside the one transaction.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mysql::consts::ColumnType;
use mysql::prelude::Queryable;
use mysql::{Conn, LocalInfileHandler, Opts, OptsBuilder, TxOpts, Value};

use super::guard;
use super::key_order::{self, KeyOrder};
use super::plan::Held;
use super::rows::{SaleText, REJECTED_VALUES};
use super::sales::StoredSales;
use super::schema::{check_schema, mysql_holds, FoundColumns, MYSQL_SUMS};
use super::steps::{self, Before, FileSales, Replaced, RowsIn, Steps, Sums};
use super::stream::{Feed, Streaming};
use super::{
    now_utc, AnswerColumn, Cell, DayRows, DaysWanted, LoadPlan, Method, ReportRows, Target,
    LOAD_COLUMNS, SALE_COLUMNS, TABLES,
};
use crate::error::{Error, QueryEngine, Result};
use crate::judge::aggregate::{DailySales, HeldBack, TopProduct};
use crate::judge::split::Accounting;
use crate::messages::Messages;
use crate::money::push_money;
use crate::money::Money;

/// The views that give folder queries' table names, made only where the
/// name is free: a view or table of that name is never replaced.
const VIEWS: [(&str, &str); 2] = [
    ("sales", include_str!("../../queries/mysql/sales_view.sql")),
    (
        "rejected",
        include_str!("../../queries/mysql/rejected_view.sql"),
    ),
];

const CREATE: [&str; 9] = [
    include_str!("../../queries/mysql/staging_sales.sql"),
    include_str!("../../queries/mysql/rejected_rows.sql"),
    include_str!("../../queries/mysql/daily_file_sales.sql"),
    include_str!("../../queries/mysql/daily_product_sales.sql"),
    include_str!("../../queries/mysql/daily_file_rows.sql"),
    include_str!("../../queries/mysql/held_back_sales.sql"),
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

/// Starts a load into the MySQL database at `url` on a thread of its own;
/// `messages` hears when it must wait for another load.
pub fn start(
    url: &str,
    plan: LoadPlan,
    method: LoadMethod,
    messages: &Messages,
) -> Result<Streaming> {
    let url = url.to_owned();
    let messages = messages.clone();
    Streaming::spawn("sales-etl-mysql", move |feed, tell, loaded| {
        let started = Instant::now();
        let target = Target::Mysql(url.clone());
        let mut conn = connect(&url, &target, &messages)?;
        take_load_lock(&mut conn, &target, &messages)?;
        let method = prepare_tables(&mut conn, &target, method, &messages)?;
        let served = Arc::new(Mutex::new(Served {
            feed,
            stream: String::new(),
            names: plan.names.clone(),
            run_id: 0,
            loaded_at: now_utc(),
        }));
        serve_load_data(&mut conn, &served);
        let tx = conn
            .start_transaction(TxOpts::default())
            .map_err(failed(&target))?;
        let load = MysqlLoad {
            tx,
            target,
            method,
            served,
            loaded,
        };
        steps::drive(load, &plan, &tell, started)
    })
}

/// The run's chunks, as the loading thread reads them: by the LOAD DATA
/// handler while the statement runs, or by the INSERT loop; with what
/// each row is written with.
struct Served {
    feed: Feed,
    /// The one stream the server may ask for.
    stream: String,
    names: Vec<String>,
    run_id: u64,
    loaded_at: String,
}

/// A load into MySQL in progress: its open transaction.
struct MysqlLoad<'a> {
    tx: mysql::Transaction<'a>,
    target: Target,
    method: Method,
    served: Arc<Mutex<Served>>,
    /// Rows the server took so far, for the progress bar.
    loaded: &'a AtomicU64,
}

impl MysqlLoad<'_> {
    fn served(&self) -> Result<std::sync::MutexGuard<'_, Served>> {
        self.served.lock().map_err(|_| Error::Load {
            target: self.target.masked(),
            message: "the feed of rows broke off".into(),
        })
    }
}

impl Steps for MysqlLoad<'_> {
    fn target(&self) -> &Target {
        &self.target
    }

    fn method(&self) -> Method {
        self.method
    }

    fn record_run(&mut self, plan: &LoadPlan) -> Result<u64> {
        let fail = failed(&self.target);
        self.tx
            .exec_drop(
                include_str!("../../queries/mysql/insert_run.sql"),
                (
                    &plan.started_at,
                    env!("CARGO_PKG_VERSION"),
                    serde_json::to_string(&plan.files).unwrap_or_else(|_| "[]".into()),
                    self.method.name(),
                ),
            )
            .map_err(fail)?;
        Ok(self.tx.last_insert_id().unwrap_or(0))
    }

    fn earlier_runs(&mut self) -> Result<Vec<(u64, String)>> {
        let fail = failed(&self.target);
        self.tx
            .query(include_str!("../../queries/mysql/earlier_runs.sql"))
            .map_err(fail)
    }

    fn rows_of_file(&mut self, file: &str) -> Result<(Held, Vec<String>)> {
        let fail = failed(&self.target);
        let rows: Option<u64> = self
            .tx
            .exec_first(include_str!("../../queries/mysql/file_rows.sql"), (file,))
            .map_err(&fail)?;
        let rejected: Option<u64> = self
            .tx
            .exec_first(
                include_str!("../../queries/mysql/file_rejected_rows.sql"),
                (file,),
            )
            .map_err(&fail)?;
        let dates = self
            .tx
            .exec(
                include_str!("../../queries/mysql/dates_of_file.sql"),
                (file,),
            )
            .map_err(&fail)?;
        let held = Held {
            rows: rows.unwrap_or(0),
            rejected: rejected.unwrap_or(0),
        };
        Ok((held, dates))
    }

    fn next_source_file(&mut self, after: &str) -> Result<Option<String>> {
        let fail = failed(&self.target);
        let next: Option<Option<String>> = self
            .tx
            .exec_first(
                include_str!("../../queries/mysql/next_source_file.sql"),
                (after,),
            )
            .map_err(fail)?;
        Ok(next.flatten())
    }

    fn clear(&mut self, before: &Before, loading: &[&str], every: &[&str]) -> Result<()> {
        let fail = failed(&self.target);
        for file in loading {
            // An empty table is left untouched before the load (even a
            // DELETE of nothing would stop MariaDB's bulk insert).
            if !before.empty {
                self.tx
                    .exec_drop(
                        include_str!("../../queries/mysql/delete_file_rows.sql"),
                        (file,),
                    )
                    .map_err(&fail)?;
            }
            for delete in [
                include_str!("../../queries/mysql/delete_file_sales.sql"),
                include_str!("../../queries/mysql/delete_file_rejected.sql"),
            ] {
                self.tx.exec_drop(delete, (file,)).map_err(&fail)?;
            }
        }
        for file in every {
            self.tx
                .exec_drop(
                    include_str!("../../queries/mysql/delete_held_back.sql"),
                    (file,),
                )
                .map_err(&fail)?;
        }
        Ok(())
    }

    fn rows_in(&mut self, run_id: u64, before: &Before) -> Result<RowsIn> {
        // With no row of another file left, no id can come again: the rows
        // go straight in. Else they wait in `incoming_sales` until the rows
        // they replace are gone.
        let table = match before.only_run_files {
            true => "staging_sales",
            false => "incoming_sales",
        };
        {
            let mut served = self.served()?;
            served.stream = format!("sales-etl:{table}");
            served.run_id = run_id;
        }
        let taken = send_rows(self, table, before.empty, run_id)?;
        let sent = self.served()?.feed.sent;
        let replaced = match before.only_run_files {
            true => Replaced::default(),
            false => move_incoming(self, sent)?,
        };
        let rejected_taken = insert_rejected(self, run_id)?;
        let (rejected_sent, end) = {
            let mut served = self.served()?;
            (served.feed.rejected, served.feed.end(&self.target)?)
        };
        Ok(RowsIn {
            sent,
            taken,
            rejected_sent,
            rejected_taken,
            end,
            replaced,
        })
    }

    fn subtract_sales(&mut self, replaced: &Replaced) -> Result<()> {
        let fail = failed(&self.target);
        for ((date, file, channel, product), sums) in &replaced.sums {
            let mut revenue = String::new();
            push_money(&mut revenue, sums.micros);
            self.tx
                .exec_drop(
                    include_str!("../../queries/mysql/subtract_file_sales.sql"),
                    (
                        sums.orders,
                        sums.units,
                        revenue,
                        date,
                        file,
                        channel,
                        product,
                    ),
                )
                .map_err(&fail)?;
        }
        self.tx
            .query_drop(include_str!(
                "../../queries/mysql/delete_empty_file_sales.sql"
            ))
            .map_err(&fail)
    }

    fn store_sales(&mut self, sales: &[FileSales<'_>]) -> Result<()> {
        let fail = failed(&self.target);
        self.tx
            .exec_batch(
                include_str!("../../queries/mysql/insert_file_sales.sql"),
                sales.iter().map(|s| {
                    let mut revenue = String::new();
                    push_money(&mut revenue, s.micros);
                    (
                        &s.date, s.file, s.channel, s.product, s.orders, s.units, revenue,
                    )
                }),
            )
            .map_err(fail)
    }

    fn store_held_back(&mut self, held: &[(&str, &HeldBack)]) -> Result<()> {
        let fail = failed(&self.target);
        self.tx
            .exec_batch(
                include_str!("../../queries/mysql/insert_held_back.sql"),
                held.iter().map(|(file, h)| {
                    (
                        &h.date,
                        file,
                        &h.channel,
                        h.rows,
                        h.units,
                        h.revenue.exact(),
                    )
                }),
            )
            .map_err(fail)
    }

    fn stored_sales(&mut self, date: &str) -> Result<StoredSales> {
        let fail = failed(&self.target);
        let stored: Vec<(String, String, u64, i64, String)> = self
            .tx
            .exec(
                include_str!("../../queries/mysql/sales_of_date.sql"),
                (date,),
            )
            .map_err(fail)?;
        let mut sales = StoredSales::default();
        for (channel, product, orders, units, revenue) in stored {
            let amount = Money::parse(&revenue).ok_or_else(|| {
                Error::Internal(format!(
                    "stored revenue `{revenue}` is not a decimal amount"
                ))
            })?;
            sales.push(channel, product, orders, units, amount.0);
        }
        Ok(sales)
    }

    fn replace_reports(
        &mut self,
        date: &str,
        daily: &[DailySales],
        top: &[TopProduct],
    ) -> Result<()> {
        let fail = failed(&self.target);
        let tx = &mut self.tx;
        tx.exec_drop(
            include_str!("../../queries/mysql/delete_daily_sales_of_date.sql"),
            (date,),
        )
        .map_err(&fail)?;
        tx.exec_drop(
            include_str!("../../queries/mysql/delete_top_products_of_date.sql"),
            (date,),
        )
        .map_err(&fail)?;
        refill_day_sums(&mut *tx, (date, date)).map_err(&fail)?;
        tx.exec_batch(
            include_str!("../../queries/mysql/insert_daily_sales.sql"),
            daily.iter().map(|d| {
                (
                    &d.date,
                    &d.channel,
                    d.orders,
                    d.units,
                    d.revenue.to_string(),
                )
            }),
        )
        .map_err(&fail)?;
        tx.exec_batch(
            include_str!("../../queries/mysql/insert_top_product.sql"),
            top.iter().map(|t| {
                (
                    &t.date,
                    t.rank,
                    &t.product_id,
                    t.units,
                    t.revenue.to_string(),
                )
            }),
        )
        .map_err(&fail)
    }

    fn finish_run(&mut self, run_id: u64, totals: &Accounting, replaced: u64) -> Result<()> {
        let fail = failed(&self.target);
        let t = totals;
        self.tx
            .exec_drop(
                include_str!("../../queries/mysql/finish_run.sql"),
                (
                    t.data_rows,
                    t.valid,
                    t.invalid,
                    t.duplicate,
                    t.outlier,
                    replaced,
                    run_id,
                ),
            )
            .map_err(fail)
    }

    fn commit(self) -> Result<()> {
        let fail = failed(&self.target);
        self.tx.commit().map_err(fail)
    }
}

/// The widest range of dates MySQL's DATE holds.
const EVERY_DATE: (&str, &str) = ("1000-01-01", "9999-12-31");

/// Rewrites daily_product_sales and daily_file_rows for the dates `from`
/// to `to` from daily_file_sales.
fn refill_day_sums(conn: &mut impl Queryable, (from, to): (&str, &str)) -> mysql::Result<()> {
    for sql in [
        include_str!("../../queries/mysql/delete_product_sales_of_dates.sql"),
        include_str!("../../queries/mysql/delete_file_rows_of_dates.sql"),
        include_str!("../../queries/mysql/fill_product_sales.sql"),
        include_str!("../../queries/mysql/fill_file_rows.sql"),
    ] {
        conn.exec_drop(sql, (from, to))?;
    }
    Ok(())
}

/// A server error of the load into `target`, said plainly.
fn failed(target: &Target) -> impl Fn(mysql::Error) -> Error + '_ {
    move |e| Error::Load {
        target: target.masked(),
        message: said(&e),
    }
}

/// One load into a database at a time: the server's named lock, waited
/// for (and said so) up to an hour.
fn take_load_lock(conn: &mut Conn, target: &Target, messages: &Messages) -> Result<()> {
    let fail = failed(target);
    let mut take_lock = |seconds: u32| -> Result<bool> {
        let locked: Option<Option<i64>> = conn
            .exec_first(
                include_str!("../../queries/mysql/take_load_lock.sql"),
                (seconds,),
            )
            .map_err(&fail)?;
        Ok(locked.flatten() == Some(1))
    };
    if take_lock(0)? {
        return Ok(());
    }
    messages.warn(format!(
        "waiting for another load into `{}` to finish",
        target.masked()
    ));
    match take_lock(3600)? {
        true => Ok(()),
        false => Err(Error::Load {
            target: target.masked(),
            message: "another load into this database did not finish within an hour".into(),
        }),
    }
}

/// Checks the tables, makes the missing ones (DDL commits implicitly in
/// MySQL: before the transaction) and the staging table of incoming rows,
/// and chooses how rows are sent: LOAD DATA where the server allows it.
fn prepare_tables(
    conn: &mut Conn,
    target: &Target,
    method: LoadMethod,
    messages: &Messages,
) -> Result<Method> {
    let fail = failed(target);
    let found = check_tables(conn, target)?;
    let had = |table: &str| found.iter().any(|(t, _, _)| t == table);
    let fill_sales = had("staging_sales") && !had("daily_file_sales");
    for sql in CREATE {
        conn.query_drop(sql).map_err(&fail)?;
    }
    for (name, sql) in VIEWS {
        let kind: Option<String> = conn
            .exec_first(include_str!("../../queries/mysql/object_type.sql"), (name,))
            .map_err(&fail)?;
        match kind.as_deref() {
            None => conn.query_drop(sql).map_err(&fail)?,
            Some("VIEW") => {}
            Some(_) => messages.warn(format!(
                "`{name}` in {} is a table of its own, not sales-etl's view: left alone (`query --db` reads it)",
                target.masked()
            )),
        }
    }
    if fill_sales {
        conn.query_drop(include_str!(
            "../../queries/mysql/fill_daily_file_sales.sql"
        ))
        .map_err(&fail)?;
    }
    let missing: Option<i64> = conn
        .query_first(include_str!("../../queries/mysql/day_sums_missing.sql"))
        .map_err(&fail)?;
    if missing == Some(1) {
        let mut tx = conn.start_transaction(TxOpts::default()).map_err(&fail)?;
        refill_day_sums(&mut tx, EVERY_DATE).map_err(&fail)?;
        tx.commit().map_err(&fail)?;
    }
    conn.query_drop(include_str!("../../queries/mysql/incoming_sales.sql"))
        .map_err(&fail)?;
    let local_infile: Option<i64> = conn
        .query_first(include_str!("../../queries/mysql/local_infile.sql"))
        .map_err(&fail)?;
    Ok(match method {
        LoadMethod::Auto if local_infile == Some(1) => Method::LoadData,
        _ => Method::Insert,
    })
}

/// Answers the server's LOAD DATA LOCAL request from the feed of rows,
/// for the feed's one stream only, every row in key order (see
/// `key_order`).
fn serve_load_data(conn: &mut Conn, served: &Arc<Mutex<Served>>) {
    let served = Arc::clone(served);
    conn.set_local_infile_handler(Some(LocalInfileHandler::new(move |name, writer| {
        let mut served = served
            .lock()
            .map_err(|_| std::io::Error::other("feed lock poisoned"))?;
        only_our_stream(&served.stream, name)?;
        let Served {
            feed,
            names,
            run_id,
            loaded_at,
            ..
        } = &mut *served;
        let mut order = KeyOrder::new(key_order::DEFAULT_BUDGET);
        while let Some(rows) = feed.next_rows()? {
            rows.push_load_data(names, *run_id, loaded_at, &mut order)?;
        }
        order.write_to(writer)?;
        writer.flush()
    })));
}

/// The one file the LOAD DATA handler serves is the load's own stream: a
/// server that names any other (`/etc/passwd`, a file of the client's) is
/// refused, whatever the statement it ran.
fn only_our_stream(stream: &str, name: &[u8]) -> std::io::Result<()> {
    if !stream.is_empty() && stream.as_bytes() == name {
        return Ok(());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!(
            "sales-etl serves only its own stream, not `{}`",
            String::from_utf8_lossy(name)
        ),
    ))
}

/// Sends every row of the run into `table` (with MariaDB's bulk insert on
/// while a table `empty` before is filled) and checks that the server took
/// them without a warning; returns how many it took.
fn send_rows(load: &mut MysqlLoad<'_>, table: &str, empty: bool, run_id: u64) -> Result<u64> {
    let target = load.target.clone();
    let fail = failed(&target);
    if empty {
        load.tx
            .query_drop(include_str!("../../queries/mysql/bulk_insert_on.sql"))
            .map_err(&fail)?;
    }
    let (taken, warnings) = match load.method {
        Method::LoadData => {
            let load_data = match table {
                "staging_sales" => include_str!("../../queries/mysql/load_staging_sales.sql"),
                _ => include_str!("../../queries/mysql/load_incoming_sales.sql"),
            };
            let result = load.tx.query_iter(load_data).map_err(|e| {
                // The handler's own error says more than the server's echo of it.
                Error::Load {
                    target: target.masked(),
                    message: format!("loading `{table}`: {}", said(&e)),
                }
            })?;
            let counts = (result.affected_rows(), result.warnings());
            drop(result);
            counts
        }
        Method::Insert => insert_every_row(load, table, run_id)?,
    };
    load.loaded.store(taken, Ordering::Relaxed);
    if empty {
        load.tx
            .query_drop(include_str!("../../queries/mysql/bulk_insert_off.sql"))
            .map_err(&fail)?;
    }
    no_warnings(&target, &mut load.tx, table, warnings)?;
    Ok(taken)
}

/// The INSERT path: each chunk as it comes, in multi-row statements.
/// Returns the rows the server took and its warnings.
fn insert_every_row(load: &mut MysqlLoad<'_>, table: &str, run_id: u64) -> Result<(u64, u16)> {
    let columns: Vec<String> = SALE_COLUMNS
        .iter()
        .chain(&LOAD_COLUMNS)
        .map(|c| format!("`{c}`"))
        .collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let (mut taken, mut warnings) = (0u64, 0u16);
    loop {
        let (chunk, names, loaded_at) = {
            let mut served = load.served()?;
            let chunk = served.feed.next_rows().map_err(|e| Error::Load {
                target: load.target.masked(),
                message: e.to_string(),
            })?;
            (chunk, served.names.clone(), served.loaded_at.clone())
        };
        let Some(chunk) = chunk else { break };
        let (t, w) = insert_batches(
            &mut load.tx,
            table,
            &columns,
            &chunk,
            &names,
            run_id,
            &loaded_at,
        )
        .map_err(failed(&load.target))?;
        taken += t;
        warnings = warnings.saturating_add(w);
        load.loaded.fetch_add(t, Ordering::Relaxed);
    }
    Ok((taken, warnings))
}

/// The rejected rows, as they come after the valid ones, in multi-row
/// INSERTs; returns how many the server took.
fn insert_rejected(load: &mut MysqlLoad<'_>, run_id: u64) -> Result<u64> {
    let head = include_str!("../../queries/mysql/insert_rejected_rows_head.sql").trim_end();
    let per_row = REJECTED_VALUES + 3;
    let tuple = format!("({})", vec!["?"; per_row].join(","));
    let batch = (MAX_PLACEHOLDERS / per_row).min(5_000);
    let mut taken = 0u64;
    loop {
        let (chunk, names) = {
            let mut served = load.served()?;
            let chunk = served.feed.next_rejected().map_err(|e| Error::Load {
                target: load.target.masked(),
                message: e.to_string(),
            })?;
            (chunk, served.names.clone())
        };
        let Some(chunk) = chunk else { break };
        let mut start = 0;
        while start < chunk.height() {
            let rows = (chunk.height() - start).min(batch);
            let mut params: Vec<Value> = Vec::with_capacity(rows * per_row);
            for row in start..start + rows {
                let text = |value: Option<&str>| {
                    value.map_or(Value::NULL, |v| Value::Bytes(v.as_bytes().to_vec()))
                };
                params.extend((0..8).map(|i| text(chunk.value(row, i))));
                let file = names.get(chunk.file(row) as usize).map(String::as_str);
                params.push(text(file));
                params.push(Value::Int(chunk.line(row)));
                params.extend((8..REJECTED_VALUES).map(|i| text(chunk.value(row, i))));
                params.push(Value::UInt(run_id));
            }
            let statement = format!("{head} {}", vec![tuple.as_str(); rows].join(","));
            (load.tx.exec_drop(statement, params)).map_err(failed(&load.target))?;
            taken += load.tx.affected_rows();
            let warnings = load.tx.warnings();
            no_warnings(&load.target, &mut load.tx, "rejected_rows", warnings)?;
            start += rows;
        }
    }
    Ok(taken)
}

/// Rows of other files with the run's ids are replaced: their sales are
/// summed, they go, and the incoming rows move into `staging_sales`.
fn move_incoming(load: &mut MysqlLoad<'_>, sent: u64) -> Result<Replaced> {
    let fail = failed(&load.target);
    let groups: Vec<(String, String, String, String, i64, i64, String)> = load
        .tx
        .query(include_str!("../../queries/mysql/replaced_sales.sql"))
        .map_err(&fail)?;
    load.tx
        .query_drop(include_str!("../../queries/mysql/delete_replaced_rows.sql"))
        .map_err(&fail)?;
    let mut replaced = Replaced {
        rows: load.tx.affected_rows(),
        ..Replaced::default()
    };
    for (date, file, channel, product, orders, units, revenue) in groups {
        let micros = Money::parse(&revenue).ok_or_else(|| {
            Error::Internal(format!(
                "replaced revenue `{revenue}` is not a decimal amount"
            ))
        })?;
        replaced.add(
            (date, file, channel, product),
            Sums {
                orders,
                units,
                micros: micros.0,
            },
        );
    }
    load.tx
        .query_drop(include_str!("../../queries/mysql/move_incoming_sales.sql"))
        .map_err(&fail)?;
    let moved = load.tx.affected_rows();
    if moved != sent {
        return Err(Error::Load {
            target: load.target.masked(),
            message: format!("{moved} rows moved into `staging_sales` but {sent} sent"),
        });
    }
    Ok(replaced)
}

/// Connects to the warehouse at `url` (creating its database when missing)
/// and checks the tables it already has, before the run reads any input:
/// a server that does not answer, or a table changed by hand, fails the
/// run in well under a second instead of after the files are read.
pub fn check(url: &str, messages: &Messages) -> Result<()> {
    let target = Target::Mysql(url.to_owned());
    let mut conn = connect(url, &target, messages)?;
    check_tables(&mut conn, &target).map(drop)
}

/// Checks the tool's tables that exist against the types and keys the
/// load relies on; returns the columns found.
fn check_tables(conn: &mut Conn, target: &Target) -> Result<FoundColumns> {
    let fail = |e: mysql::Error| Error::Load {
        target: target.masked(),
        message: said(&e),
    };
    let found: Vec<(String, String, String)> = conn
        .query(include_str!("../../queries/mysql/table_columns.sql"))
        .map_err(fail)?;
    check_schema(
        target,
        TABLES.iter().chain(&MYSQL_SUMS),
        &found,
        mysql_holds,
    )?;
    if found.iter().any(|(table, _, _)| table == "staging_sales") {
        let unique: Option<u64> = conn
            .query_first(include_str!(
                "../../queries/mysql/unique_transaction_id.sql"
            ))
            .map_err(fail)?;
        if unique.unwrap_or(0) == 0 {
            return Err(Error::SchemaMismatch {
                target: target.masked(),
                table: "staging_sales".into(),
                column: "transaction_id".into(),
                problem: "has no unique key of its own: the load keeps each transaction id once \
                          (`ALTER TABLE staging_sales ADD UNIQUE KEY \
                          staging_sales_transaction_id (transaction_id)`)"
                    .into(),
            });
        }
    }
    Ok(found)
}

/// Connects, creating the database first when the server says it does not
/// exist (like SQLite creates its file), so `--db mysql://…/sales` works on
/// a fresh server; says so.
fn connect(url: &str, target: &Target, messages: &Messages) -> Result<Conn> {
    let unreachable = |reason: String| Error::DatabaseUnreachable {
        target: target.masked(),
        reason,
    };
    let opts = options(url, target)?
        .read_timeout(Some(Duration::from_secs(3600)))
        .write_timeout(Some(Duration::from_secs(3600)));
    match Conn::new(opts.clone()) {
        Err(mysql::Error::MySqlError(e)) if e.code == UNKNOWN_DATABASE => {
            let name = Opts::from(opts.clone())
                .get_db_name()
                .unwrap_or_default()
                .to_owned();
            let mut server = Conn::new(opts.clone().db_name(None::<String>))
                .map_err(|e| unreachable(said(&e)))?;
            // An identifier cannot be a parameter: quoted, backticks doubled.
            server
                .query_drop(format!(
                    "CREATE DATABASE IF NOT EXISTS `{}`",
                    name.replace('`', "``")
                ))
                .map_err(|e| {
                    unreachable(format!(
                        "database `{name}` does not exist and cannot be created: {}",
                        said(&e)
                    ))
                })?;
            messages.step(format!("created new warehouse {}", target.masked()));
            Conn::new(opts).map_err(|e| unreachable(said(&e)))
        }
        connected => connected.map_err(|e| unreachable(said(&e))),
    }
}

/// The connection options of `url`, with a short connect timeout: the one
/// place a URL becomes a connection.
fn options(url: &str, target: &Target) -> Result<OptsBuilder> {
    let opts = Opts::from_url(url).map_err(|e| Error::DatabaseUnreachable {
        target: target.masked(),
        reason: e.to_string(),
    })?;
    Ok(OptsBuilder::from_opts(opts).tcp_connect_timeout(Some(Duration::from_secs(5))))
}

/// What the driver said, without the name of its error's variant around it
/// (the mysql crate's own text is `DriverError { … }`, `MySqlError { … }`).
pub(crate) fn said(e: &mysql::Error) -> String {
    match e {
        mysql::Error::IoError(e) => e.to_string(),
        mysql::Error::CodecError(e) => e.to_string(),
        mysql::Error::MySqlError(e) => e.to_string(),
        mysql::Error::DriverError(e) => e.to_string(),
        mysql::Error::UrlError(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// MySQL's ER_BAD_DB_ERROR.
const UNKNOWN_DATABASE: u16 = 1049;
/// MySQL's ER_NO_SUCH_TABLE.
const NO_SUCH_TABLE: u16 = 1146;

/// The stored reports for `from` to `to`: daily sales rows and top-product
/// rows of rank `top` or better, as text.
/// The stored days of a period report (see [`super::read_days`]).
pub fn read_days(url: &str, wanted: Option<DaysWanted>) -> Result<DayRows> {
    let target = Target::Mysql(url.to_owned());
    let fail = report_failure(&target);
    let mut conn = Conn::new(options(url, &target)?).map_err(&fail)?;
    let latest: Option<Option<String>> = conn
        .query_first(include_str!("../../queries/mysql/latest_day.sql"))
        .map_err(&fail)?;
    let latest = latest.flatten();
    let Some(wanted) = wanted else {
        return Ok(DayRows {
            latest,
            ..DayRows::default()
        });
    };
    let (from, to) = (wanted.from.to_string(), wanted.to.to_string());
    let daily = conn
        .exec(
            include_str!("../../queries/mysql/read_daily_sales.sql"),
            (&from, &to),
        )
        .map_err(&fail)?;
    // A warehouse not loaded since before the sums per date is read the
    // slow way (a failure here shows again in the reads below).
    let summed = conn
        .query_first::<i64, _>(include_str!("../../queries/mysql/day_sums_missing.sql"))
        .is_ok_and(|missing| missing == Some(0));
    let (file_days, top_products) = match summed {
        true => (
            include_str!("../../queries/mysql/file_days.sql"),
            include_str!("../../queries/mysql/top_products_of_range.sql"),
        ),
        false => (
            include_str!("../../queries/mysql/file_days_unsummed.sql"),
            include_str!("../../queries/mysql/top_products_of_range_unsummed.sql"),
        ),
    };
    let file_days = conn.exec(file_days, (&from, &to)).map_err(&fail)?;
    let top = if wanted.top == 0 {
        Vec::new()
    } else {
        conn.exec(
            top_products,
            (
                wanted.top_from.to_string(),
                wanted.top_to.to_string(),
                wanted.top,
            ),
        )
        .map_err(&fail)?
    };
    Ok(DayRows {
        latest,
        daily,
        file_days,
        top,
    })
}

/// What a failed read of the reports is: no such database or table (the
/// warehouse holds no reports), or no connection.
fn report_failure(target: &Target) -> impl Fn(mysql::Error) -> Error {
    let target = target.masked();
    move |e| match e {
        mysql::Error::MySqlError(e) if e.code == UNKNOWN_DATABASE || e.code == NO_SUCH_TABLE => {
            Error::NoReports {
                target: target.clone(),
                problem: e.message,
            }
        }
        e => Error::DatabaseUnreachable {
            target: target.clone(),
            reason: said(&e),
        },
    }
}

pub fn read_reports(url: &str, from: &str, to: &str, top: u32) -> Result<ReportRows> {
    let target = Target::Mysql(url.to_owned());
    let fail = report_failure(&target);
    let mut conn = Conn::new(options(url, &target)?).map_err(&fail)?;
    let daily = conn
        .exec(
            include_str!("../../queries/mysql/read_daily_sales.sql"),
            (from, to),
        )
        .map_err(&fail)?;
    let top = conn
        .exec(
            include_str!("../../queries/mysql/read_top_products.sql"),
            (from, to, top),
        )
        .map_err(&fail)?;
    // A warehouse older than `held_back_sales` holds back nothing.
    let held = match conn.exec(
        include_str!("../../queries/mysql/read_held_back.sql"),
        (from, to),
    ) {
        Err(mysql::Error::MySqlError(e)) if e.code == NO_SUCH_TABLE => Vec::new(),
        other => other.map_err(&fail)?,
    };
    Ok(ReportRows { daily, top, held })
}

/// Fails when the server warned while taking the rows (a value it
/// changed or a row it skipped), saying what it said.
fn no_warnings(
    target: &Target,
    tx: &mut mysql::Transaction<'_>,
    table: &str,
    warnings: u16,
) -> Result<()> {
    if warnings == 0 {
        return Ok(());
    }
    let shown: Vec<(String, u32, String)> = tx
        .query(include_str!("../../queries/mysql/show_warnings.sql"))
        .unwrap_or_default();
    let shown: Vec<String> = shown
        .into_iter()
        .map(|(_, code, message)| format!("{code}: {message}"))
        .collect();
    Err(Error::Load {
        target: target.masked(),
        message: format!(
            "loading `{table}`: the server reported {warnings} warning(s): {}",
            shown.join("; ")
        ),
    })
}

/// Multi-row INSERTs of as many rows as the placeholder limit allows.
/// Returns (rows affected, warnings).
fn insert_batches(
    tx: &mut mysql::Transaction<'_>,
    table: &str,
    columns: &[&str],
    sales: &SaleText,
    names: &[String],
    run_id: u64,
    loaded_at: &str,
) -> mysql::Result<(u64, u16)> {
    let per_row = columns.len();
    let batch = (MAX_PLACEHOLDERS / per_row).min(5_000);
    let text = |value: &str| Value::Bytes(value.as_bytes().to_vec());
    let row = format!("({})", vec!["?"; per_row].join(","));
    let (mut affected, mut warnings) = (0u64, 0u16);
    let mut start = 0;
    while start < sales.height() {
        let rows = (sales.height() - start).min(batch);
        // Only placeholders vary: the statement text holds no value.
        let statement = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            vec![row.as_str(); rows].join(",")
        );
        let mut params: Vec<Value> = Vec::with_capacity(rows * per_row);
        for row in start..start + rows {
            let nulls = sales.nulls(row);
            for index in 0..7 {
                let null = (index == 4 && nulls & 1 != 0) || (index == 5 && nulls & 2 != 0);
                params.push(if null {
                    Value::NULL
                } else {
                    text(sales.value(row, index))
                });
            }
            params.push(Value::Int(i64::from(sales.quantity(row))));
            params.push(text(sales.value(row, 7)));
            params.push(text(sales.value(row, 8)));
            let file = names
                .get(sales.file(row) as usize)
                .map_or("", String::as_str);
            params.push(text(file));
            params.push(Value::Int(sales.line(row)));
            params.push(Value::UInt(run_id));
            params.push(text(loaded_at));
        }
        tx.exec_drop(statement, params)?;
        affected += tx.affected_rows();
        warnings = warnings.saturating_add(tx.warnings());
        start += rows;
    }
    Ok((affected, warnings))
}

/// Runs one read-only statement in the MySQL database at `url`: checked by
/// [`guard`] first, then sent as one prepared statement (a second
/// statement cannot ride along) inside a read-only transaction, bounded by
/// `timeout` when given.
pub fn query(
    url: &str,
    sql: &str,
    timeout: Option<Duration>,
    messages: &Messages,
) -> Result<Vec<AnswerColumn>> {
    let target = Target::Mysql(url.to_owned());
    let sql = &guard::check(sql, guard::Engine::Mysql).map_err(|problem| Error::BadQuery {
        engine: QueryEngine::Warehouse(target.masked()),
        message: problem,
    })?;
    let unreachable = |e: mysql::Error| match e {
        mysql::Error::MySqlError(e) if e.code == UNKNOWN_DATABASE => Error::NoWarehouse {
            target: target.masked(),
            problem: e.message,
        },
        e => Error::DatabaseUnreachable {
            target: target.masked(),
            reason: format!("querying the warehouse: {}", said(&e)),
        },
    };
    let failed = |e: mysql::Error| match e {
        mysql::Error::MySqlError(e) => Error::BadQuery {
            engine: QueryEngine::Warehouse(target.masked()),
            message: e.message,
        },
        e => unreachable(e),
    };
    let mut opts = options(url, &target)?;
    if let Some(limit) = timeout {
        // The server stops the statement; the socket is the last resort.
        opts = opts.read_timeout(Some(limit + Duration::from_secs(5)));
    }
    let mut conn = Conn::new(opts).map_err(unreachable)?;
    if let Some(limit) = timeout {
        let seconds = limit.as_secs_f64();
        conn.exec_drop(
            include_str!("../../queries/mysql/statement_time_mariadb.sql"),
            (seconds,),
        )
        .or_else(|_| {
            conn.exec_drop(
                include_str!("../../queries/mysql/statement_time_mysql.sql"),
                ((seconds * 1000.0) as u64,),
            )
        })
        .map_err(unreachable)?;
    }
    warn_when_writable(&mut conn, messages);
    conn.query_drop(include_str!("../../queries/mysql/start_read_only.sql"))
        .map_err(unreachable)?;
    let mut result = conn.exec_iter(sql, ()).map_err(failed)?;
    let Some(set) = result.iter() else {
        return Ok(Vec::new());
    };
    let mut columns: Vec<(AnswerColumn, ColumnType, u8)> = set
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
            (column, c.column_type(), c.decimals())
        })
        .collect();
    for row in set {
        let row = row.map_err(failed)?;
        for (index, (column, kind, decimals)) in columns.iter_mut().enumerate() {
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
                Some(Value::Date(y, mo, d, h, mi, s, us)) => {
                    Cell::Text(if *kind == ColumnType::MYSQL_TYPE_DATE {
                        format!("{y:04}-{mo:02}-{d:02}")
                    } else {
                        let mut text = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
                        push_fraction(&mut text, *us, *decimals);
                        text
                    })
                }
                Some(Value::Time(negative, days, h, mi, s, us)) => {
                    let hours = u64::from(*days) * 24 + u64::from(*h);
                    let mut text = format!(
                        "{}{hours:02}:{mi:02}:{s:02}",
                        if *negative { "-" } else { "" }
                    );
                    push_fraction(&mut text, *us, *decimals);
                    Cell::Text(text)
                }
            };
            column.cells.push(cell);
        }
    }
    Ok(columns.into_iter().map(|(column, _, _)| column).collect())
}

/// Warns when the account `query --db` connected with may change the
/// warehouse: the guard is then the only wall. A SELECT-only account
/// (README, "Security") is the second one. Best effort: an account that
/// cannot read its own grants is not warned about.
fn warn_when_writable(conn: &mut Conn, messages: &Messages) {
    let privileges: Option<Option<String>> = conn
        .query_first(include_str!("../../queries/mysql/write_privileges.sql"))
        .ok()
        .flatten();
    if let Some(Some(privileges)) = privileges {
        let listed: Vec<&str> = privileges.split(", ").collect();
        let shown = if listed.len() > 4 {
            format!("{}, …", listed[..4].join(", "))
        } else {
            listed.join(", ")
        };
        messages.warn(format!(
            "this account may change the warehouse ({shown}); `query --db` refuses any \
             statement but a question, and an account that may only SELECT is a second \
             wall (README, \"Security\"; SALES_ETL_QUERY_URL)"
        ));
    }
}

/// `.ffffff` cut to the column's declared digits (none when it has none).
fn push_fraction(text: &mut String, micros: u32, decimals: u8) {
    let digits = usize::from(decimals.min(6));
    if digits > 0 {
        let fraction = format!("{micros:06}");
        text.push('.');
        text.push_str(&fraction[..digits]);
    }
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

#[cfg(test)]
mod stream_tests {
    use super::*;

    /// Issue "checks that can fail", a promise without a test: the handler
    /// serves its own stream only.
    #[test]
    fn the_load_data_handler_serves_only_its_own_stream() {
        assert!(only_our_stream("sales-etl:staging_sales", b"sales-etl:staging_sales").is_ok());
        for name in [
            &b"/etc/passwd"[..],
            b"sales-etl:incoming_sales",
            b"sales-etl:staging_sales ",
            b"",
        ] {
            let refused = only_our_stream("sales-etl:staging_sales", name).unwrap_err();
            assert_eq!(refused.kind(), std::io::ErrorKind::PermissionDenied);
        }
        // Before the stream is named, nothing is served.
        assert!(only_our_stream("", b"").is_err());
    }
}
