//! The warehouse's tables as the tool writes them: their columns and kinds,
//! the check of existing tables against them, and the limits of the values.

use polars::prelude::*;

use super::Target;
use crate::columns::*;
use crate::error::{Error, Result};

/// The kind of a warehouse column, for the schema check: what a column
/// must hold for no value the tool writes to be cut or rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text of up to this many characters.
    Text(u32),
    Integer,
    /// An exact decimal of this many digits, this many after the point.
    Decimal(u8, u8),
    /// Date and time to the microsecond.
    DateTime,
    Date,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Text(chars) => write!(f, "text of {chars} characters or more"),
            Kind::Integer => f.write_str("an integer type"),
            Kind::Decimal(digits, scale) => write!(
                f,
                "DECIMAL({digits}, {scale}) or wider (as many digits after the point)"
            ),
            Kind::DateTime => f.write_str("a date and time with microseconds"),
            Kind::Date => f.write_str("a date"),
        }
    }
}

/// Whether a MySQL/MariaDB column of `COLUMN_TYPE` `declared` (as
/// `information_schema` spells it: `decimal(18,6)`, `varchar(255)`,
/// `datetime(6)`, `bigint(20) unsigned`) holds every value of `kind`.
pub(crate) fn mysql_holds(kind: Kind, declared: &str) -> bool {
    let declared = declared.to_ascii_lowercase();
    let (name, size) = match declared.split_once('(') {
        Some((name, rest)) => (name.trim(), rest.split(')').next().unwrap_or("")),
        None => (declared.split_whitespace().next().unwrap_or(""), ""),
    };
    let numbers: Vec<u32> = size
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    match kind {
        Kind::Text(chars) => match name {
            "char" | "varchar" => numbers.first().is_some_and(|n| *n >= chars),
            "tinytext" => chars <= 63,
            // Four bytes a character at most in utf8mb4.
            "text" => chars <= 65_535 / 4,
            "mediumtext" => chars <= 16_777_215 / 4,
            "longtext" => true,
            _ => false,
        },
        Kind::Integer => name.ends_with("int"),
        Kind::Decimal(digits, scale) => {
            name == "decimal"
                && matches!(numbers[..], [p, s] if s == u32::from(scale)
                    && p - s >= u32::from(digits - scale))
        }
        Kind::DateTime => matches!(name, "datetime" | "timestamp") && numbers.first() == Some(&6),
        Kind::Date => name == "date",
    }
}

/// A table the tool writes, with the columns it writes.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

/// The columns of `staging_sales`, with its two money columns as a
/// warehouse keeps them.
const fn staging_columns(
    unit_price: (&'static str, Kind),
    line_revenue: (&'static str, Kind),
) -> [(&'static str, Kind); 14] {
    [
        ("transaction_id", Kind::Text(MAX_TEXT_CHARS)),
        ("timestamp", Kind::DateTime),
        ("date", Kind::Date),
        ("channel", Kind::Text(16)),
        ("store_id", Kind::Text(MAX_TEXT_CHARS)),
        ("customer_id", Kind::Text(MAX_TEXT_CHARS)),
        ("product_id", Kind::Text(MAX_TEXT_CHARS)),
        ("quantity", Kind::Integer),
        unit_price,
        line_revenue,
        ("source_file", Kind::Text(MAX_TEXT_CHARS)),
        ("source_line", Kind::Integer),
        ("run_id", Kind::Integer),
        ("loaded_at", Kind::DateTime),
    ]
}

const MYSQL_STAGING_COLUMNS: [(&str, Kind); 14] = staging_columns(
    ("unit_price", Kind::Decimal(18, 6)),
    ("line_revenue", Kind::Decimal(38, 6)),
);

const SQLITE_STAGING_COLUMNS: [(&str, Kind); 14] = staging_columns(
    ("unit_price_micros", Kind::Integer),
    ("line_revenue_micros", Kind::Integer),
);

/// Every table and column the tool writes; existing tables are checked
/// against this list before any row is written.
pub const TABLES: [Table; 5] = [
    Table {
        name: "staging_sales",
        columns: &MYSQL_STAGING_COLUMNS,
    },
    Table {
        name: "reporting_daily_sales",
        columns: &[
            ("date", Kind::Date),
            ("channel", Kind::Text(16)),
            ("orders", Kind::Integer),
            ("units", Kind::Integer),
            ("revenue", Kind::Decimal(38, 2)),
            ("updated_at", Kind::DateTime),
        ],
    },
    Table {
        name: "reporting_top_products",
        columns: &[
            ("date", Kind::Date),
            ("rank", Kind::Integer),
            ("product_id", Kind::Text(MAX_TEXT_CHARS)),
            ("units", Kind::Integer),
            ("revenue", Kind::Decimal(38, 2)),
        ],
    },
    Table {
        name: "rejected_rows",
        columns: &[
            ("transaction_id", Kind::Text(u32::MAX)),
            ("timestamp", Kind::Text(u32::MAX)),
            ("channel", Kind::Text(u32::MAX)),
            ("store_id", Kind::Text(u32::MAX)),
            ("customer_id", Kind::Text(u32::MAX)),
            ("product_id", Kind::Text(u32::MAX)),
            ("quantity", Kind::Text(u32::MAX)),
            ("unit_price", Kind::Text(u32::MAX)),
            ("source_file", Kind::Text(MAX_TEXT_CHARS)),
            ("source_line", Kind::Integer),
            ("disposition", Kind::Text(16)),
            ("reason", Kind::Text(64)),
            ("reasons", Kind::Text(1024)),
            ("run_id", Kind::Integer),
        ],
    },
    Table {
        name: "etl_runs",
        columns: &[
            ("id", Kind::Integer),
            ("started_at", Kind::DateTime),
            ("finished_at", Kind::DateTime),
            ("tool_version", Kind::Text(32)),
            ("input_files", Kind::Text(u32::MAX)),
            ("data_rows", Kind::Integer),
            ("valid", Kind::Integer),
            ("invalid", Kind::Integer),
            ("duplicate", Kind::Integer),
            ("outlier", Kind::Integer),
            ("replaced", Kind::Integer),
            ("load_method", Kind::Text(16)),
            ("status", Kind::Text(16)),
        ],
    },
];

/// `staging_sales` as SQLite keeps it from layout 3: money in integer
/// millionths (`*_micros`), the rest as in [`TABLES`].
pub const SQLITE_STAGING: Table = Table {
    name: "staging_sales",
    columns: &SQLITE_STAGING_COLUMNS,
};

/// The tables of per-file sums, and of those sums per date and product and
/// per date and file, as MySQL/MariaDB keeps them (SQLite keeps
/// the same sums in integer millionths, its own layout).
pub const MYSQL_SUMS: [Table; 4] = [
    Table {
        name: "daily_file_sales",
        columns: &[
            ("date", Kind::Date),
            ("source_file", Kind::Text(MAX_TEXT_CHARS)),
            ("channel", Kind::Text(16)),
            ("product_id", Kind::Text(MAX_TEXT_CHARS)),
            ("orders", Kind::Integer),
            ("units", Kind::Integer),
            ("revenue", Kind::Decimal(38, 6)),
        ],
    },
    Table {
        name: "held_back_sales",
        columns: &[
            ("date", Kind::Date),
            ("source_file", Kind::Text(MAX_TEXT_CHARS)),
            ("channel", Kind::Text(16)),
            ("held_rows", Kind::Integer),
            ("units", Kind::Integer),
            ("revenue", Kind::Decimal(38, 6)),
        ],
    },
    Table {
        name: "daily_product_sales",
        columns: &[
            ("date", Kind::Date),
            ("product_id", Kind::Text(MAX_TEXT_CHARS)),
            ("orders", Kind::Integer),
            ("units", Kind::Integer),
            ("revenue", Kind::Decimal(38, 6)),
        ],
    },
    Table {
        name: "daily_file_rows",
        columns: &[
            ("date", Kind::Date),
            ("source_file", Kind::Text(MAX_TEXT_CHARS)),
            ("valid_rows", Kind::Integer),
        ],
    },
];

/// Columns as a database lists them: (table, column, declared type).
pub(crate) type FoundColumns = Vec<(String, String, String)>;

/// Checks existing tables against `tables`: `found` lists (table, column,
/// declared type) as the database reports them; `holds` says whether a
/// declared type holds every value of a kind. Tables not found are fine:
/// they are created.
pub(crate) fn check_schema<'t>(
    target: &Target,
    tables: impl IntoIterator<Item = &'t Table>,
    found: &[(String, String, String)],
    holds: impl Fn(Kind, &str) -> bool,
) -> Result<()> {
    for table in tables {
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
                Some((_, _, declared)) if !holds(*kind, declared) => {
                    return Err(Error::SchemaMismatch {
                        target: target.masked(),
                        table: table.name.to_owned(),
                        column: (*column).to_owned(),
                        problem: format!("has type `{declared}`; it needs {kind}"),
                    })
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

pub use crate::columns::MAX_TEXT_CHARS;

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

pub use crate::columns::SALE_COLUMNS;

/// The columns of `staging_sales` after [`SALE_COLUMNS`]: the load's own.
pub const LOAD_COLUMNS: [&str; 2] = ["run_id", "loaded_at"];

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(kind: Kind, declared: &str, holds: bool) {
        assert_eq!(
            mysql_holds(kind, declared),
            holds,
            "{kind:?} in `{declared}`"
        );
    }

    #[test]
    fn mysql_column_types() {
        // Issue "a warehouse you can trust": DECIMAL(18,2) rounded prices
        // and DECIMAL(38,0) rounded a day's revenue, both accepted.
        case(Kind::Decimal(18, 6), "decimal(18,6)", true);
        case(Kind::Decimal(18, 6), "decimal(20,6)", true);
        case(Kind::Decimal(18, 6), "decimal(18,2)", false);
        case(Kind::Decimal(18, 6), "decimal(18,8)", false);
        case(Kind::Decimal(18, 6), "decimal(16,6)", false);
        case(Kind::Decimal(38, 2), "decimal(38,0)", false);
        case(Kind::Decimal(38, 2), "decimal(38,2)", true);
        case(Kind::Decimal(18, 6), "double", false);
        case(Kind::Text(255), "varchar(255)", true);
        case(Kind::Text(255), "varchar(100)", false);
        case(Kind::Text(255), "longtext", true);
        case(Kind::Text(16), "tinytext", true);
        case(Kind::Text(16), "int(11)", false);
        case(Kind::Integer, "bigint(20) unsigned", true);
        case(Kind::Integer, "int", true);
        case(Kind::Integer, "decimal(10,0)", false);
        case(Kind::DateTime, "datetime(6)", true);
        case(Kind::DateTime, "timestamp(6)", true);
        case(Kind::DateTime, "datetime", false);
        case(Kind::Date, "date", true);
        case(Kind::Date, "datetime(6)", false);
    }
}
