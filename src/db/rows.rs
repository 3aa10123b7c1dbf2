//! The valid rows as `staging_sales` values, made once per chunk on the
//! run's side of the load's channel (where a core has room while the
//! re-read waits for the loader): SQLite binds them, MySQL writes them as
//! `LOAD DATA` text or sends them as INSERT parameters. Text values are
//! written by hand here (dates, times, exact money): they are the hot path
//! of a load.

use polars::prelude::*;

use super::key_order::KeyOrder;
use crate::columns::*;
use crate::error::{Error, Result};
use crate::money::{push_digits, push_money};

/// Values per row of `staging_sales`.
pub(crate) const STAGING_VALUES: usize = 14;

/// Text values per row of a [`SaleText`]: transaction id, timestamp, date,
/// channel, store, customer, product, unit price, line revenue.
const TEXT_VALUES: usize = 9;

/// Text values per row of a [`RejectedText`]: the eight input fields,
/// then disposition, reason and reasons.
pub(crate) const REJECTED_VALUES: usize = 11;

/// A chunk of rejected rows as the values of `rejected_rows` rows, made on
/// the run's side of the channel: each field as the export wrote it
/// (`None` where a short row had none).
pub struct RejectedText {
    values: Vec<Option<String>>,
    file: Vec<u32>,
    line: Vec<i64>,
}

impl RejectedText {
    /// The rows of a frame of rejected rows (columns as in
    /// [`crate::judge::split::Split::rejected`]).
    pub fn of(rejected: &DataFrame) -> Result<RejectedText> {
        let engine = || Error::engine("load");
        let height = rejected.height();
        let names = INPUT.iter().chain(&[DISPOSITION, REASON, REASONS]);
        let mut columns = Vec::with_capacity(REJECTED_VALUES);
        for name in names {
            let column = rejected
                .column(name)
                .and_then(|c| c.cast(&DataType::String))
                .map_err(engine())?;
            columns.push(column);
        }
        let texts = columns
            .iter()
            .map(|c| c.str().map_err(engine()))
            .collect::<Result<Vec<_>>>()?;
        let mut values = Vec::with_capacity(height * REJECTED_VALUES);
        let mut iters: Vec<_> = texts.iter().map(|t| t.iter()).collect();
        for _ in 0..height {
            for iter in iters.iter_mut() {
                values.push(iter.next().flatten().map(str::to_owned));
            }
        }
        let file = rejected.column(FILE_INDEX).and_then(|c| c.u32().cloned());
        let line = rejected.column(SOURCE_LINE).and_then(|c| c.u64().cloned());
        Ok(RejectedText {
            values,
            file: file
                .map_err(engine())?
                .iter()
                .map(|f| f.unwrap_or(0))
                .collect(),
            line: (line.map_err(engine())?.iter())
                .map(|l| l.unwrap_or(0) as i64)
                .collect(),
        })
    }

    pub(crate) fn height(&self) -> usize {
        self.file.len()
    }

    /// Value `index` of row `row` (see [`REJECTED_VALUES`]).
    pub(crate) fn value(&self, row: usize, index: usize) -> Option<&str> {
        self.values[row * REJECTED_VALUES + index].as_deref()
    }

    pub(crate) fn file(&self, row: usize) -> u32 {
        self.file[row]
    }

    pub(crate) fn line(&self, row: usize) -> i64 {
        self.line[row]
    }
}

/// A chunk of valid rows as the values of `staging_sales` rows, made on the
/// run's side of the channel (where a core has room while the reading
/// waits for the loader), so that the loading thread only binds and steps.
pub struct SaleText {
    /// Every text value of the chunk, one after another.
    text: String,
    /// Per row, where each of its [`TEXT_VALUES`] values ends in `text`.
    ends: Vec<u32>,
    /// Per row: bit 0, no store id; bit 1, no customer id.
    nulls: Vec<u8>,
    quantity: Vec<i32>,
    /// Unit price and line revenue in millionths, for SQLite's integers.
    price_micros: Vec<i128>,
    revenue_micros: Vec<i128>,
    file: Vec<u32>,
    line: Vec<i64>,
}

impl SaleText {
    /// The rows of a frame of valid rows (columns as in
    /// [`crate::judge::split::Split::valid`]).
    pub fn of(valid: &DataFrame) -> Result<SaleText> {
        let engine = || Error::engine("load");
        let column = |name: &str| valid.column(name).map_err(engine());
        let ids = column(TRANSACTION_ID)?.str().map_err(engine())?;
        let timestamps = column(TIMESTAMP)?.datetime().map_err(engine())?.physical();
        let dates = column(DATE)?.date().map_err(engine())?.physical();
        let channels = column(CHANNEL)?.str().map_err(engine())?;
        let stores = column(STORE_ID)?.str().map_err(engine())?;
        let customers = column(CUSTOMER_ID)?.str().map_err(engine())?;
        let products = column(PRODUCT_ID)?.str().map_err(engine())?;
        let quantities = column(QUANTITY)?.i32().map_err(engine())?;
        let prices = column(UNIT_PRICE)?.decimal().map_err(engine())?.physical();
        let revenues = column(LINE_REVENUE)?
            .decimal()
            .map_err(engine())?
            .physical();
        let files = column(FILE_INDEX)?.u32().map_err(engine())?;
        let lines = column(SOURCE_LINE)?.u64().map_err(engine())?;

        let height = valid.height();
        let mut rows = SaleText {
            text: String::with_capacity(height * 112),
            ends: Vec::with_capacity(height * TEXT_VALUES),
            nulls: Vec::with_capacity(height),
            quantity: quantities.iter().map(|q| q.unwrap_or(0)).collect(),
            price_micros: prices.iter().map(|p| p.unwrap_or(0)).collect(),
            revenue_micros: revenues.iter().map(|r| r.unwrap_or(0)).collect(),
            file: files.iter().map(|f| f.unwrap_or(0)).collect(),
            line: lines.iter().map(|l| l.unwrap_or(0) as i64).collect(),
        };
        let mut ids = ids.iter();
        let mut timestamps = timestamps.iter();
        let mut dates = dates.iter();
        let mut channels = channels.iter();
        let mut stores = stores.iter();
        let mut customers = customers.iter();
        let mut products = products.iter();
        let mut prices = prices.iter();
        let mut revenues = revenues.iter();
        for _ in 0..height {
            let text = &mut rows.text;
            let ends = &mut rows.ends;
            let mut end = |text: &String| ends.push(text.len() as u32);
            text.push_str(ids.next().flatten().unwrap_or_default());
            end(text);
            push_timestamp(text, timestamps.next().flatten().unwrap_or(0));
            end(text);
            push_date(text, dates.next().flatten().unwrap_or(0));
            end(text);
            text.push_str(channels.next().flatten().unwrap_or_default());
            end(text);
            let store = stores.next().flatten();
            text.push_str(store.unwrap_or_default());
            end(text);
            let customer = customers.next().flatten();
            text.push_str(customer.unwrap_or_default());
            end(text);
            text.push_str(products.next().flatten().unwrap_or_default());
            end(text);
            push_money(text, prices.next().flatten().unwrap_or(0));
            end(text);
            push_money(text, revenues.next().flatten().unwrap_or(0));
            end(text);
            rows.nulls
                .push(u8::from(store.is_none()) | u8::from(customer.is_none()) << 1);
        }
        Ok(rows)
    }

    pub(crate) fn height(&self) -> usize {
        self.nulls.len()
    }

    /// Text value `index` of row `row` (see [`TEXT_VALUES`]).
    pub(crate) fn value(&self, row: usize, index: usize) -> &str {
        let at = row * TEXT_VALUES + index;
        let start = if at == 0 {
            0
        } else {
            self.ends[at - 1] as usize
        };
        &self.text[start..self.ends[at] as usize]
    }

    pub(crate) fn transaction_id(&self, row: usize) -> &str {
        self.value(row, 0)
    }

    /// Bit 0: no store id; bit 1: no customer id.
    pub(crate) fn nulls(&self, row: usize) -> u8 {
        self.nulls[row]
    }

    pub(crate) fn quantity(&self, row: usize) -> i32 {
        self.quantity[row]
    }

    pub(crate) fn price_micros(&self, row: usize) -> i128 {
        self.price_micros[row]
    }

    pub(crate) fn revenue_micros(&self, row: usize) -> i128 {
        self.revenue_micros[row]
    }

    /// The row's file index.
    pub(crate) fn file(&self, row: usize) -> u32 {
        self.file[row]
    }

    pub(crate) fn line(&self, row: usize) -> i64 {
        self.line[row]
    }

    /// The rows as `LOAD DATA … FIELDS TERMINATED BY ',' OPTIONALLY
    /// ENCLOSED BY '"' ESCAPED BY ''` lines, in the column order of
    /// `queries/mysql/load_staging_sales.sql`, handed to `order` under the
    /// warehouse key `(date, transaction_id)` so that they reach InnoDB in
    /// the clustered index's order ([`KeyOrder`]).
    pub(crate) fn push_load_data(
        &self,
        names: &[String],
        run_id: u64,
        loaded_at: &str,
        order: &mut KeyOrder,
    ) -> std::io::Result<()> {
        let (mut key, mut line) = (Vec::with_capacity(64), Vec::with_capacity(256));
        for row in 0..self.height() {
            key.clear();
            key.extend_from_slice(&date_key(self.value(row, 2)));
            key.extend_from_slice(self.transaction_id(row).as_bytes());
            line.clear();
            self.write_load_data(row, names, run_id, loaded_at, &mut line);
            order.push(&key, &line)?;
        }
        Ok(())
    }

    /// Row `row` as one `LOAD DATA` line: every text value quoted (quotes
    /// doubled), nulls as a bare `NULL`, so the text `NULL` and `\N` stay
    /// text.
    fn write_load_data(
        &self,
        row: usize,
        names: &[String],
        run_id: u64,
        loaded_at: &str,
        out: &mut Vec<u8>,
    ) {
        let quoted = |out: &mut Vec<u8>, text: &str| {
            out.push(b'"');
            if text.contains('"') {
                out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
            } else {
                out.extend_from_slice(text.as_bytes());
            }
            out.push(b'"');
        };
        use std::io::Write as _;
        let nulls = self.nulls(row);
        for index in 0..TEXT_VALUES {
            let null = (index == 4 && nulls & 1 != 0) || (index == 5 && nulls & 2 != 0);
            if null {
                out.extend_from_slice(b"NULL");
            } else {
                quoted(out, self.value(row, index));
            }
            out.push(b',');
            if index == 6 {
                // The quantity comes after the product id. Writing to
                // a Vec cannot fail.
                let _ = write!(out, "{},", self.quantity(row));
            }
        }
        let file = names
            .get(self.file(row) as usize)
            .map_or("", String::as_str);
        quoted(out, file);
        let _ = write!(out, ",{},{run_id},", self.line(row));
        quoted(out, loaded_at);
        out.push(b'\n');
    }
}

/// `YYYY-MM-DD` as four bytes that order as the dates do (the number
/// YYYYMMDD, big-endian), so that a key's first 16 bytes hold the date and
/// 12 bytes of the id.
fn date_key(date: &str) -> [u8; 4] {
    let number = date
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u32, |n, digit| {
            n.wrapping_mul(10).wrapping_add(u32::from(digit - b'0'))
        });
    number.to_be_bytes()
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn date_keys_order_as_dates() {
        let dates = [
            "1000-01-01",
            "2024-02-29",
            "2024-03-01",
            "2026-11-24",
            "9999-12-31",
        ];
        let keys: Vec<[u8; 4]> = dates.iter().map(|d| date_key(d)).collect();
        assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "{keys:?}");
        assert_eq!(date_key("2026-11-25"), 20_261_125u32.to_be_bytes());
    }
}
