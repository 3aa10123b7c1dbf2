//! The warehouse: MySQL/MariaDB or an embedded SQLite file. Each job has a
//! room of its own: [`target`] (the URL and its masking), [`schema`] (the
//! tables and their check), [`plan`] (what a load is told and what it did),
//! [`stream`] (the loading thread's channel and feed), `steps` (the load's
//! steps as one trait and the one driver that calls them in order), `rows`,
//! `key_order` and `sales` (the values it writes, in the order MySQL wants
//! them, and the sales per file the reports are computed from), [`read`]
//! (stored reports and query answers; `stored`: the rows the dialects read
//! back for it), `portable` (the standard SQL SQLite
//! lacks, rewritten into its own). [`mysql`] and [`sqlite`] are the
//! dialects: each connects, locks and prepares its tables its own way, then
//! implements the steps with its own statements. [`load`] is the sink of
//! the run that starts them. Imports point down: `load` → dialects →
//! `steps` → `plan`, `stream`, `rows`, `sales`, `schema`. The SQL is in
//! `queries/`. A failed load never costs the user the CSV outputs of the
//! run.

pub mod guard;
mod key_order;
pub mod load;
pub mod mysql;
pub mod plan;
mod portable;
pub mod read;
pub(crate) mod rows;
mod sales;
pub mod schema;
pub mod sqlite;
mod steps;
pub mod stored;
pub mod stream;
pub mod target;

pub use plan::{
    rows_per_second, EarlierLoad, FileReplaced, InputRecord, LoadEnd, LoadPlan, Loaded, Method,
};
pub use read::{query, read_days, read_reports, AnswerColumn, Cell, Days, RangeProduct, Reports};
pub use schema::{Kind, Table, LOAD_COLUMNS, MAX_TEXT_CHARS, SALE_COLUMNS, SQLITE_STAGING, TABLES};
pub use stored::{DailyRow, DayRows, DaysWanted, ReportRows};
pub use target::{mask_url, Target, DEFAULT_URL};

/// Connects to the warehouse and checks the tables it already has, before
/// a run reads any input (a load checks them again under its lock).
pub fn check(target: &Target, messages: &crate::messages::Messages) -> crate::error::Result<()> {
    match target {
        Target::Sqlite(path) => sqlite::check(path),
        Target::Mysql(url) => mysql::check(url, messages),
    }
}

/// UTC now as `YYYY-MM-DD HH:MM:SS.ffffff`.
pub fn now_utc() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}
