//! The two tables of the clean data as every reader of it sees them — a
//! folder query's `sales` and `rejected`, the export's parts: the valid rows
//! under the warehouse's column names and the rejected rows under an
//! `errors/` file's, each with its file's name in place of its index.

use polars::prelude::*;

use crate::columns::*;
use crate::error::{Error, Result};

/// The valid rows under the warehouse's column names, with the file's name
/// in place of its index.
pub(crate) fn sales_table(valid: DataFrame, names: &[String]) -> Result<DataFrame> {
    with_file_names(valid, names)?
        .lazy()
        .select(SALE_COLUMNS.map(col))
        .collect()
        .map_err(Error::engine("query tables"))
}

/// The rejected rows with the columns of an `errors/` file, in that order.
pub(crate) fn rejected_table(rejected: DataFrame, names: &[String]) -> Result<DataFrame> {
    let mut columns: Vec<Expr> = INPUT.iter().map(|name| col(*name)).collect();
    columns.extend([SOURCE_FILE, SOURCE_LINE, DISPOSITION, REASON, REASONS].map(col));
    with_file_names(rejected, names)?
        .lazy()
        .select(columns)
        .collect()
        .map_err(Error::engine("query tables"))
}

/// `frame` with a `source_file` column: the name of each row's file.
fn with_file_names(mut frame: DataFrame, names: &[String]) -> Result<DataFrame> {
    let indexes = frame
        .column(FILE_INDEX)
        .and_then(|c| c.u32().cloned())
        .map_err(Error::engine("query tables"))?;
    let files = Series::new(SOURCE_FILE.into(), names)
        .take(&indexes)
        .map_err(Error::engine("query tables"))?;
    frame
        .with_column(files.into_column())
        .map_err(Error::engine("query tables"))?;
    Ok(frame)
}
