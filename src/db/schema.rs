//! The warehouse's tables as the tool writes them: their columns and kinds,
//! the check of existing tables against them, and the limits of the values.

use polars::prelude::*;

use super::Target;
use crate::columns::*;
use crate::error::{Error, Result};

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
pub(crate) fn check_schema(
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
