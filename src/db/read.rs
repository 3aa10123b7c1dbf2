//! What commands read back from a warehouse: the stored reports (`sales-etl
//! report`) and the answers of `sales-etl query --db`, typed into a frame
//! without losing a value. Both open the warehouse read-only.

use polars::prelude::*;

use super::stored::{DailyRow, DaysWanted};
use super::{mysql, sqlite, Target};
use crate::error::{Error, Result};
use crate::judge::aggregate::{DailySales, HeldBack, TopProduct};
use crate::money::Money;

/// A product's sales over a range of dates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RangeProduct {
    pub rank: u32,
    pub product_id: String,
    pub units: i64,
    pub revenue: Money,
}

/// The stored days of a period report, typed.
pub struct Days {
    pub latest: Option<chrono::NaiveDate>,
    pub daily: Vec<DailySales>,
    /// (date, source file, rows).
    pub file_days: Vec<(chrono::NaiveDate, String, u64)>,
    pub top: Vec<RangeProduct>,
}

/// An amount the warehouse returned as text, or the error naming it.
fn amount_of(target: &Target, text: &str) -> Result<Money> {
    Money::parse(text).ok_or_else(|| Error::NoReports {
        target: target.masked(),
        problem: format!("revenue `{text}` is not a decimal amount"),
    })
}

/// Daily sales typed from the warehouse's text.
fn daily_sales(target: &Target, rows: Vec<DailyRow>) -> Result<Vec<DailySales>> {
    rows.into_iter()
        .map(|(date, channel, orders, units, revenue)| {
            Ok(DailySales {
                revenue: amount_of(target, &revenue)?,
                date,
                channel,
                orders,
                units,
            })
        })
        .collect()
}

/// The latest date, the daily sales, the rows per file and date and the top
/// products of a period report (`wanted: None` reads the latest date only).
pub fn read_days(target: &Target, wanted: Option<DaysWanted>) -> Result<Days> {
    let rows = match target {
        Target::Sqlite(path) => sqlite::read_days(path, wanted)?,
        Target::Mysql(url) => mysql::read_days(url, wanted)?,
    };
    let bad = |problem: String| Error::NoReports {
        target: target.masked(),
        problem,
    };
    let amount = |text: &str| amount_of(target, text);
    let date = |text: &str| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| bad(format!("`{text}` is not a date")))
    };
    Ok(Days {
        latest: rows.latest.as_deref().map(date).transpose()?,
        daily: daily_sales(target, rows.daily)?,
        file_days: rows
            .file_days
            .into_iter()
            .map(|(day, file, rows)| Ok((date(&day)?, file, rows)))
            .collect::<Result<_>>()?,
        top: rows
            .top
            .into_iter()
            .zip(1..)
            .map(|((product_id, units, revenue), rank)| {
                Ok(RangeProduct {
                    revenue: amount(&revenue)?,
                    rank,
                    product_id,
                    units,
                })
            })
            .collect::<Result<_>>()?,
    })
}

/// The stored reports of some dates.
pub struct Reports {
    pub daily: Vec<DailySales>,
    pub top: Vec<TopProduct>,
    pub held_back: Vec<HeldBack>,
}

/// The daily sales, the top `top` products and what was held back as
/// outliers, stored in the warehouse for the dates `from` to `to`, included.
pub fn read_reports(
    target: &Target,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    top: u32,
) -> Result<Reports> {
    let (from, to) = (from.to_string(), to.to_string());
    let rows = match target {
        Target::Sqlite(path) => sqlite::read_reports(path, &from, &to, top)?,
        Target::Mysql(url) => mysql::read_reports(url, &from, &to, top)?,
    };
    let amount = |text: &str| amount_of(target, text);
    let daily = daily_sales(target, rows.daily)?;
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
    let held_back = rows
        .held
        .into_iter()
        .map(|(date, channel, rows, units, revenue)| {
            Ok(HeldBack {
                revenue: amount(&revenue)?,
                date,
                channel,
                rows,
                units,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Reports {
        daily,
        top,
        held_back,
    })
}

/// Runs one statement of the database's own SQL over the warehouse,
/// read-only (a statement that would write fails), and returns its rows.
pub fn query(
    target: &Target,
    sql: &str,
    timeout: Option<std::time::Duration>,
    messages: &crate::messages::Messages,
) -> Result<DataFrame> {
    let columns = match target {
        Target::Sqlite(path) => sqlite::query(path, sql, timeout)?,
        Target::Mysql(url) => mysql::query(url, sql, timeout, messages)?,
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
}
