//! Aggregate: daily sales per channel and the top products per day, from the
//! valid rows only. The grouping is Polars; the results are a few rows per
//! day and are returned as plain structs for the writers and the terminal.

use polars::prelude::*;
use serde::Serialize;

use crate::columns::*;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::sink::{Judged, Sink};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DailySales {
    pub date: String,
    pub channel: String,
    /// Distinct transaction ids.
    pub orders: u64,
    pub units: i64,
    pub revenue: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopProduct {
    pub date: String,
    pub rank: u32,
    pub product_id: String,
    pub units: i64,
    pub revenue: Money,
}

pub const ORDERS: &str = "orders";
pub const UNITS: &str = "units";
pub const REVENUE: &str = "revenue";
const RANK: &str = "rank";

/// Running sums over the valid rows of a run, fed a chunk at a time: orders,
/// units and revenue per date, file, channel and product (the run's
/// *partials*). Both reports are read from these few rows per day, so a run
/// never keeps its valid rows for them; a warehouse stores the partials and
/// merges a run's with those of the rows it did not touch, with these same
/// functions, so every report has one rounding and one tie-break.
#[derive(Debug, Default)]
pub struct SalesSums {
    parts: Vec<DataFrame>,
    /// Revenue in millionths per hour of day (UTC), over every date.
    hours: [i128; 24],
}

/// Partial sums are folded into one frame when this many have piled up.
const PARTS: usize = 32;

impl SalesSums {
    /// Adds valid rows (columns as in `split::Split::valid`).
    pub fn add(&mut self, valid: &DataFrame) -> Result<()> {
        let part = valid
            .clone()
            .lazy()
            .group_by([col(DATE), col(FILE_INDEX), col(CHANNEL), col(PRODUCT_ID)])
            .agg([
                len().cast(DataType::UInt64).alias(ORDERS),
                col(QUANTITY).cast(DataType::Int64).sum().alias(UNITS),
                col(LINE_REVENUE).sum().alias(REVENUE),
            ])
            .collect()
            .map_err(Error::engine("sales sums"))?;
        self.parts.push(part);
        let by_hour = valid
            .clone()
            .lazy()
            .group_by([col(TIMESTAMP)
                .dt()
                .hour()
                .cast(DataType::UInt32)
                .alias("hour")])
            .agg([col(LINE_REVENUE).sum().alias(REVENUE)])
            .collect()
            .map_err(Error::engine("sales sums"))?;
        let hours = by_hour
            .column("hour")
            .and_then(|c| c.u32().cloned())
            .map_err(Error::engine("sales sums"))?;
        for (hour, revenue) in hours.iter().zip(money(&by_hour)?) {
            if let Some(slot) = hour.and_then(|h| self.hours.get_mut(h as usize)) {
                *slot += revenue.0;
            }
        }
        if self.parts.len() >= PARTS {
            let folded = self.folded()?;
            self.parts = vec![folded];
        }
        Ok(())
    }

    /// Adds stored partials: a frame of the columns [`SalesSums::partials`]
    /// returns (a warehouse's sales of rows this run did not touch).
    pub fn add_partials(&mut self, partials: DataFrame) -> Result<()> {
        self.parts.push(partials);
        if self.parts.len() >= PARTS {
            let folded = self.folded()?;
            self.parts = vec![folded];
        }
        Ok(())
    }

    /// Orders (u64), units (i64) and revenue (decimal) per date, file index,
    /// channel and product.
    pub fn partials(&self) -> Result<DataFrame> {
        self.folded()
    }

    /// Every part summed into one row per date, file, channel and product.
    fn folded(&self) -> Result<DataFrame> {
        let parts: Vec<LazyFrame> = self.parts.iter().map(|p| p.clone().lazy()).collect();
        if parts.is_empty() {
            return DataFrame::new(
                0,
                vec![
                    Column::new_empty(DATE.into(), &DataType::Date),
                    Column::new_empty(FILE_INDEX.into(), &DataType::UInt32),
                    Column::new_empty(CHANNEL.into(), &DataType::String),
                    Column::new_empty(PRODUCT_ID.into(), &DataType::String),
                    Column::new_empty(ORDERS.into(), &DataType::UInt64),
                    Column::new_empty(UNITS.into(), &DataType::Int64),
                    Column::new_empty(
                        REVENUE.into(),
                        &DataType::Decimal(38, crate::rules::MONEY_SCALE),
                    ),
                ],
            )
            .map_err(Error::engine("sales sums"));
        }
        concat(parts, UnionArgs::default())
            .and_then(|all| {
                all.group_by([col(DATE), col(FILE_INDEX), col(CHANNEL), col(PRODUCT_ID)])
                    .agg([col(ORDERS).sum(), col(UNITS).sum(), col(REVENUE).sum()])
                    .collect()
            })
            .map_err(Error::engine("sales sums"))
    }

    /// Revenue per hour of day (UTC, 0 to 23), over every date.
    pub fn revenue_by_hour(&self) -> Vec<Money> {
        self.hours.iter().map(|m| Money(*m)).collect()
    }

    /// Orders, units and revenue per date and channel, sorted by both.
    pub fn daily_sales(&self) -> Result<Vec<DailySales>> {
        daily_sales_of(self.folded()?)
    }

    /// The `top` products of each date by units, ties broken by revenue,
    /// then by product id (byte order).
    pub fn top_products(&self, top: u32) -> Result<Vec<TopProduct>> {
        top_products_of(self.folded()?, top)
    }
}

impl Sink for SalesSums {
    fn judged(&mut self, chunk: &Judged<'_>) -> Result<()> {
        self.add(chunk.valid)
    }
}

/// Orders, units and revenue per date and channel of `valid`, sorted by
/// both. Orders are rows: a run's valid rows have distinct ids.
#[cfg(test)]
fn daily_sales(valid: &DataFrame) -> Result<Vec<DailySales>> {
    let mut sums = SalesSums::default();
    sums.add(valid)?;
    sums.daily_sales()
}

/// The `top` products of each date of `valid` by units, ties broken by
/// revenue, then by product id (byte order).
#[cfg(test)]
fn top_products(valid: &DataFrame, top: u32) -> Result<Vec<TopProduct>> {
    let mut sums = SalesSums::default();
    sums.add(valid)?;
    sums.top_products(top)
}

fn daily_sales_of(sums: DataFrame) -> Result<Vec<DailySales>> {
    let frame = sums
        .lazy()
        .group_by([col(DATE), col(CHANNEL)])
        .agg([col(ORDERS).sum(), col(UNITS).sum(), col(REVENUE).sum()])
        .sort([DATE, CHANNEL], SortMultipleOptions::default())
        .collect()
        .map_err(Error::engine("daily sales"))?;
    let engine = Error::engine;
    let dates = date_strings(&frame)?;
    let channels = frame
        .column(CHANNEL)
        .and_then(|c| c.str().cloned())
        .map_err(engine("daily sales"))?;
    let orders = frame
        .column(ORDERS)
        .and_then(|c| c.u64().cloned())
        .map_err(engine("daily sales"))?;
    let units = frame
        .column(UNITS)
        .and_then(|c| c.i64().cloned())
        .map_err(engine("daily sales"))?;
    let revenue = money(&frame)?;
    Ok((0..frame.height())
        .map(|i| DailySales {
            date: dates[i].clone(),
            channel: channels.get(i).unwrap_or_default().to_owned(),
            orders: orders.get(i).unwrap_or(0),
            units: units.get(i).unwrap_or(0),
            revenue: revenue[i],
        })
        .collect())
}

fn top_products_of(sums: DataFrame, top: u32) -> Result<Vec<TopProduct>> {
    let frame = sums
        .lazy()
        .group_by([col(DATE), col(PRODUCT_ID)])
        .agg([col(UNITS).sum(), col(REVENUE).sum()])
        .sort(
            [DATE, UNITS, REVENUE, PRODUCT_ID],
            SortMultipleOptions::default().with_order_descending_multi([false, true, true, false]),
        )
        .with_column(
            col(PRODUCT_ID)
                .cum_count(false)
                .over([col(DATE)])
                .expect("a partition is given")
                .alias(RANK),
        )
        .filter(col(RANK).lt_eq(lit(top)))
        .collect()
        .map_err(Error::engine("top products"))?;
    let engine = Error::engine;
    let dates = date_strings(&frame)?;
    let products = frame
        .column(PRODUCT_ID)
        .and_then(|c| c.str().cloned())
        .map_err(engine("top products"))?;
    let ranks = frame
        .column(RANK)
        .and_then(|c| c.cast(&DataType::UInt32))
        .and_then(|c| c.u32().cloned())
        .map_err(engine("top products"))?;
    let units = frame
        .column(UNITS)
        .and_then(|c| c.i64().cloned())
        .map_err(engine("top products"))?;
    let revenue = money(&frame)?;
    Ok((0..frame.height())
        .map(|i| TopProduct {
            date: dates[i].clone(),
            rank: ranks.get(i).unwrap_or(0),
            product_id: products.get(i).unwrap_or_default().to_owned(),
            units: units.get(i).unwrap_or(0),
            revenue: revenue[i],
        })
        .collect())
}

fn date_strings(frame: &DataFrame) -> Result<Vec<String>> {
    let dates = frame
        .column(DATE)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(Error::engine("dates"))?;
    let dates = dates.str().map_err(Error::engine("dates"))?;
    Ok(dates
        .iter()
        .map(|d| d.unwrap_or_default().to_owned())
        .collect())
}

fn money(frame: &DataFrame) -> Result<Vec<Money>> {
    let column = frame.column(REVENUE).map_err(Error::engine("revenue"))?;
    let decimal = column.decimal().map_err(Error::engine("revenue"))?;
    debug_assert_eq!(decimal.scale(), crate::rules::MONEY_SCALE);
    Ok(decimal
        .physical()
        .iter()
        .map(|v| Money(v.unwrap_or(0)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::MONEY_SCALE;

    /// Valid rows: (date offset from 2024-03-01, channel, transaction, product, quantity, revenue in millionths).
    fn valid(rows: &[(i32, &str, &str, &str, i32, i128)]) -> DataFrame {
        let n = rows.len();
        let revenue = Int128Chunked::from_iter_values("".into(), rows.iter().map(|r| r.5))
            .into_decimal_unchecked(38, MONEY_SCALE)
            .into_series()
            .with_name(LINE_REVENUE.into());
        DataFrame::new(
            n,
            vec![
                Column::new(
                    DATE.into(),
                    rows.iter().map(|r| 19783 + r.0).collect::<Vec<_>>(),
                )
                .cast(&DataType::Date)
                .unwrap(),
                // 10:00 UTC on the row's date, plus an hour per row.
                Column::new(
                    TIMESTAMP.into(),
                    rows.iter()
                        .enumerate()
                        .map(|(i, r)| {
                            (i64::from(19783 + r.0) * 86_400 + 36_000 + 3_600 * i as i64)
                                * 1_000_000
                        })
                        .collect::<Vec<_>>(),
                )
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap(),
                Column::new(CHANNEL.into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
                Column::new(FILE_INDEX.into(), vec![0u32; n]),
                Column::new(
                    TRANSACTION_ID.into(),
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                ),
                Column::new(
                    PRODUCT_ID.into(),
                    rows.iter().map(|r| r.3).collect::<Vec<_>>(),
                ),
                Column::new(
                    QUANTITY.into(),
                    rows.iter().map(|r| r.4).collect::<Vec<_>>(),
                ),
                revenue.into_column(),
            ],
        )
        .unwrap()
    }

    #[test]
    fn daily_sales_per_date_and_channel() {
        let rows = valid(&[
            (0, "web", "T1", "P1", 2, 5_000),
            (0, "web", "T2", "P2", 1, 10_000),
            (0, "store", "T3", "P1", 1, 1_000_000),
            (1, "web", "T4", "P1", 3, 1),
        ]);
        let got = daily_sales(&rows).unwrap();
        let line = |d: &DailySales| {
            format!(
                "{} {} {} {} {}",
                d.date, d.channel, d.orders, d.units, d.revenue
            )
        };
        assert_eq!(
            got.iter().map(line).collect::<Vec<_>>(),
            [
                "2024-03-01 store 1 1 1.00",
                "2024-03-01 web 2 3 0.02",
                "2024-03-02 web 1 3 0.00"
            ]
        );
    }

    #[test]
    fn revenue_by_hour_of_day_over_every_date() {
        let mut sums = SalesSums::default();
        // Hours 10, 11, 12 and 13 (the last on the next day).
        sums.add(&valid(&[
            (0, "web", "T1", "P1", 2, 5_000),
            (0, "web", "T2", "P2", 1, 10_000),
            (0, "store", "T3", "P1", 1, 1_000_000),
            (1, "web", "T4", "P1", 3, 1),
        ]))
        .unwrap();
        sums.add(&valid(&[(1, "web", "T5", "P1", 1, 7)])).unwrap();
        let hours = sums.revenue_by_hour();
        assert_eq!(hours.len(), 24);
        let sold: Vec<(usize, i128)> = hours
            .iter()
            .enumerate()
            .filter(|(_, m)| m.0 != 0)
            .map(|(h, m)| (h, m.0))
            .collect();
        assert_eq!(sold, [(10, 5_007), (11, 10_000), (12, 1_000_000), (13, 1)]);
    }

    #[test]
    fn top_products_ties_by_revenue_then_id() {
        let rows = valid(&[
            (0, "web", "T1", "B", 5, 100),
            (0, "web", "T2", "A", 5, 100),
            (0, "web", "T3", "C", 5, 900),
            (0, "web", "T4", "D", 9, 1),
            (0, "web", "T5", "E", 1, 1),
            (1, "web", "T6", "Z", 1, 1),
        ]);
        let got = top_products(&rows, 3).unwrap();
        let line = |t: &TopProduct| format!("{} {} {}", t.date, t.rank, t.product_id);
        assert_eq!(
            got.iter().map(line).collect::<Vec<_>>(),
            [
                "2024-03-01 1 D",
                "2024-03-01 2 C",
                "2024-03-01 3 A",
                "2024-03-02 1 Z"
            ]
        );
    }
}
