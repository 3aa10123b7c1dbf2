//! Aggregate: daily sales per channel and the top products per day, from the
//! valid rows only. The grouping is Polars; the results are a few rows per
//! day and are returned as plain structs for the writers and the terminal.

use std::collections::BTreeMap;

use foldhash::HashMap;

use polars::prelude::*;
use serde::Serialize;

use crate::columns::*;
use crate::error::{Error, Result};
use crate::judge::fences::Fences;
use crate::money::Money;

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

/// What the outlier rule held back on one date and channel: rows whose
/// quantity lies outside the fences, their units and their revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldBack {
    pub date: String,
    pub channel: String,
    pub rows: u64,
    pub units: i64,
    pub revenue: Money,
}

fn held_back_of(date: i32, channel: u8, figures: Figures) -> HeldBack {
    let epoch = chrono::NaiveDate::default();
    HeldBack {
        date: (epoch + chrono::TimeDelta::days(i64::from(date))).to_string(),
        channel: CHANNELS[usize::from(channel)].to_owned(),
        rows: figures.0 as u64,
        units: figures.1,
        revenue: Money(figures.2),
    }
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
    /// The outliers' figures per date (days since 1970), file and channel.
    held_back: BTreeMap<(i32, u32, u8), Figures>,
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
        // One part is summed already (each part is a group-by's answer).
        if let [part] = self.parts.as_slice() {
            return Ok(part.clone());
        }
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
                        &DataType::Decimal(38, crate::judge::rules::MONEY_SCALE),
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

    /// What the outlier rule held back, per date and channel (sorted by
    /// both); empty when it held back nothing.
    pub fn held_back(&self) -> Vec<HeldBack> {
        let mut per_day: BTreeMap<(i32, u8), Figures> = BTreeMap::new();
        for ((date, _, channel), figures) in &self.held_back {
            let sums = per_day.entry((*date, *channel)).or_default();
            sums.0 += figures.0;
            sums.1 += figures.1;
            sums.2 += figures.2;
        }
        per_day
            .into_iter()
            .map(|((date, channel), figures)| held_back_of(date, channel, figures))
            .collect()
    }

    /// The same per input file (by file index): what a warehouse keeps.
    pub fn held_back_of_files(&self) -> Vec<(u32, HeldBack)> {
        self.held_back
            .iter()
            .map(|((date, file, channel), figures)| {
                (*file, held_back_of(*date, *channel, *figures))
            })
            .collect()
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

    /// Folds the parts into one, so that the reads that follow sum them
    /// once rather than each time.
    pub fn fold(&mut self) -> Result<()> {
        let folded = self.folded()?;
        self.parts = vec![folded];
        Ok(())
    }

    /// The sums of the dates `from` to `to` only (no hours).
    pub fn within(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<SalesSums> {
        let epoch = chrono::NaiveDate::default();
        let day = |d: chrono::NaiveDate| (d - epoch).num_days() as i32;
        let (first, last) = (day(from), day(to));
        let kept = self
            .folded()?
            .lazy()
            .filter(
                col(DATE)
                    .cast(DataType::Int32)
                    .gt_eq(lit(first))
                    .and(col(DATE).cast(DataType::Int32).lt_eq(lit(last))),
            )
            .collect()
            .map_err(Error::engine("sales sums"))?;
        Ok(SalesSums {
            parts: vec![kept],
            hours: [0; 24],
            held_back: self
                .held_back
                .iter()
                .filter(|((date, _, _), _)| (first..=last).contains(date))
                .map(|(key, figures)| (*key, *figures))
                .collect(),
        })
    }

    /// The `top` products over every date together, ranked as a day's are.
    pub fn top_products_overall(&self, top: u32) -> Result<Vec<TopProduct>> {
        let one_date = self
            .folded()?
            .lazy()
            .with_column(lit(0).cast(DataType::Date).alias(DATE))
            .collect()
            .map_err(Error::engine("top products"))?;
        top_products_of(one_date, top)
    }

    /// The latest date with sales.
    pub fn latest_date(&self) -> Result<Option<chrono::NaiveDate>> {
        let epoch = chrono::NaiveDate::default();
        let folded = self.folded()?;
        let latest = folded
            .column(DATE)
            .and_then(|c| c.cast(&DataType::Int32))
            .map_err(Error::engine("sales sums"))?
            .i32()
            .map_err(Error::engine("sales sums"))?
            .max();
        Ok(latest.map(|days| epoch + chrono::TimeDelta::days(i64::from(days))))
    }

    /// Rows per date and file index, in that order.
    pub fn rows_per_file(&self) -> Result<Vec<(chrono::NaiveDate, u32, u64)>> {
        let frame = self
            .folded()?
            .lazy()
            .group_by([col(DATE), col(FILE_INDEX)])
            .agg([col(ORDERS).sum()])
            .sort([DATE, FILE_INDEX], SortMultipleOptions::default())
            .collect()
            .map_err(Error::engine("rows per file"))?;
        let engine = Error::engine;
        let dates = date_strings(&frame)?;
        let files = frame
            .column(FILE_INDEX)
            .and_then(|c| c.u32().cloned())
            .map_err(engine("rows per file"))?;
        let rows = frame
            .column(ORDERS)
            .and_then(|c| c.u64().cloned())
            .map_err(engine("rows per file"))?;
        (0..frame.height())
            .map(|i| {
                let date = chrono::NaiveDate::parse_from_str(&dates[i], "%Y-%m-%d")
                    .map_err(|e| Error::Internal(format!("date `{}`: {e}", dates[i])))?;
                Ok((date, files.get(i).unwrap_or(0), rows.get(i).unwrap_or(0)))
            })
            .collect()
    }
}

/// The hour of day (UTC) of a sale, a column of [`ChunkSums::of`]'s input.
pub const HOUR: &str = "hour";

/// What a sale is summed under before the outlier fences are known: date
/// (days since the epoch), file index, channel (its index in
/// [`CHANNELS`]), product and quantity.
type SaleKey = (i32, u32, u8, String, i32);

/// The channels a valid row can have (see `rules`).
const CHANNELS: [&str; 3] = ["mobile", "store", "web"];

/// Orders, units and revenue (millionths).
type Figures = (i64, i64, i128);

/// The sums of one chunk's rows that passed the row rules, made on the
/// thread that read them, per date, file, channel, product and quantity;
/// each row remembers its key, so that the rows found to repeat an earlier
/// id can be taken away again in order ([`ChunkSums::take_away`]).
///
/// A Rust map rather than a Polars group-by: with five keys Polars encodes
/// every row's keys before hashing them, and that cost the read more than
/// all the other sums work together (page faults included).
pub struct ChunkSums {
    keys: Vec<SaleKey>,
    figures: Vec<Figures>,
    /// Per row that passed: its key's index, revenue and hour.
    rows: Vec<(u32, i128, u8)>,
}

impl ChunkSums {
    /// Sums of `sales`, the rows that passed the row rules: columns
    /// `date`, `file_index`, `channel`, `product_id`, `quantity`,
    /// `line_revenue` and `hour`.
    pub fn of(sales: &DataFrame) -> Result<ChunkSums> {
        let engine = || Error::engine("sales sums");
        let column = |name: &str| sales.column(name).map_err(engine());
        let dates = column(DATE)?.as_materialized_series().to_physical_repr();
        let dates = dates.i32().map_err(engine())?;
        let files = column(FILE_INDEX)?.u32().map_err(engine())?;
        let channels = column(CHANNEL)?.str().map_err(engine())?;
        let products = column(PRODUCT_ID)?.str().map_err(engine())?;
        let quantities = column(QUANTITY)?.i32().map_err(engine())?;
        let revenue = column(LINE_REVENUE)?
            .decimal()
            .map_err(engine())?
            .physical();
        let hours = column(HOUR)?.cast(&DataType::UInt32).map_err(engine())?;
        let hours = hours.u32().map_err(engine())?;
        let mut index: HashMap<(i32, u32, u8, &str, i32), u32> = HashMap::default();
        let mut keys = Vec::new();
        let mut figures: Vec<Figures> = Vec::new();
        let mut rows = Vec::with_capacity(sales.height());
        let columns = dates
            .iter()
            .zip(files.iter())
            .zip(channels.iter())
            .zip(products.iter())
            .zip(quantities.iter())
            .zip(revenue.iter())
            .zip(hours.iter());
        for ((((((date, file), channel), product), quantity), revenue), hour) in columns {
            let channel = channel.unwrap_or_default();
            let Some(channel) = CHANNELS.iter().position(|c| *c == channel) else {
                return Err(Error::Internal(format!("`{channel}` is not a channel")));
            };
            let key = (
                date.unwrap_or(0),
                file.unwrap_or(0),
                channel as u8,
                product.unwrap_or_default(),
                quantity.unwrap_or(0),
            );
            let at = *index.entry(key).or_insert_with(|| {
                keys.push((key.0, key.1, key.2, key.3.to_owned(), key.4));
                figures.push((0, 0, 0));
                figures.len() as u32 - 1
            });
            let revenue = revenue.unwrap_or(0);
            let sums = &mut figures[at as usize];
            sums.0 += 1;
            sums.1 += i64::from(key.4);
            sums.2 += revenue;
            rows.push((at, revenue, hour.map_or(0, |h| h as u8)));
        }
        Ok(ChunkSums {
            keys,
            figures,
            rows,
        })
    }

    /// The product of each row that passed, in order.
    pub fn products(&self) -> impl Iterator<Item = &str> {
        self.rows
            .iter()
            .map(|row| self.keys[row.0 as usize].3.as_str())
    }

    /// Takes away the rows that passed whose `repeated` flag is set (one
    /// flag per row that passed, in order): duplicates of an earlier id.
    pub fn take_away(&mut self, repeated: impl Iterator<Item = bool>) {
        for (row, repeated) in self.rows.iter_mut().zip(repeated) {
            if repeated {
                let sums = &mut self.figures[row.0 as usize];
                sums.0 -= 1;
                sums.1 -= i64::from(self.keys[row.0 as usize].4);
                sums.2 -= row.1;
                // Left out of the hours below.
                row.2 = u8::MAX;
            }
        }
    }
}

/// The sales sums of a run while its files are read once: rows that pass
/// the row rules are summed per date, file, channel, product and quantity
/// as they come, the rows that repeat an earlier id are taken away again,
/// and the outlier fences, known only once every file is read, are applied
/// at [`CandidateSums::settle`]. So the sums need no second read of the
/// files and keep no row.
#[derive(Default)]
pub struct CandidateSums {
    figures: HashMap<SaleKey, Figures>,
    /// Revenue in millionths per hour of day and quantity.
    hours: HashMap<(u8, i32), i128>,
    /// The same per product too, only when fences may be per product
    /// (`per_product`): a product's rows may then be outliers at another
    /// quantity than the run's.
    product_hours: HashMap<(u8, String, i32), i128>,
    per_product: bool,
}

impl CandidateSums {
    /// Whether the sums keep what fences per product need.
    pub fn per_product(&self) -> bool {
        self.per_product
    }

    /// Sums ready for fences per product when `per_product`.
    pub fn new(per_product: bool) -> CandidateSums {
        CandidateSums {
            per_product,
            ..CandidateSums::default()
        }
    }

    /// Adds a chunk's sums (its repeated rows taken away first).
    pub fn add(&mut self, chunk: ChunkSums) {
        for row in &chunk.rows {
            if row.2 != u8::MAX {
                let key = &chunk.keys[row.0 as usize];
                if self.per_product {
                    *self
                        .product_hours
                        .entry((row.2, key.3.clone(), key.4))
                        .or_default() += row.1;
                } else {
                    *self.hours.entry((row.2, key.4)).or_default() += row.1;
                }
            }
        }
        for (key, figures) in chunk.keys.into_iter().zip(chunk.figures) {
            if figures.0 == 0 {
                continue;
            }
            let sums = self.figures.entry(key).or_default();
            sums.0 += figures.0;
            sums.1 += figures.1;
            sums.2 += figures.2;
        }
    }

    /// Fences of their own for the products with at least `min_rows` first
    /// rows, from each one's exact quantity histogram (the rows that
    /// passed, repeated ids taken away: the run fences' rows).
    pub fn product_fences(&self, k: f64, min_rows: u64) -> HashMap<String, Fences> {
        let mut histograms: HashMap<&str, BTreeMap<i32, u64>> = HashMap::default();
        for ((_, _, _, product, quantity), figures) in &self.figures {
            if figures.0 > 0 {
                *histograms
                    .entry(product.as_str())
                    .or_default()
                    .entry(*quantity)
                    .or_default() += figures.0 as u64;
            }
        }
        histograms
            .into_iter()
            .filter(|(_, h)| h.values().sum::<u64>() >= min_rows)
            .filter_map(|(product, h)| {
                crate::judge::fences::fences_of(&h, k).map(|f| (product.to_owned(), f))
            })
            .collect()
    }

    /// The sales sums of the valid rows: the rows outside their fences (the
    /// outliers) left out — a product's own in `per_product`, else the
    /// run's `fences`.
    pub fn settle(
        self,
        fences: Option<Fences>,
        per_product: &HashMap<String, Fences>,
    ) -> Result<SalesSums> {
        let outside = |product: &str, q: i32| {
            per_product
                .get(product)
                .or(fences.as_ref())
                .is_some_and(|f| f.outside(q))
        };
        if !per_product.is_empty() && !self.per_product {
            return Err(Error::Internal(
                "fences per product for sums kept without products".into(),
            ));
        }
        let mut hours = [0i128; 24];
        let by_product = self
            .product_hours
            .iter()
            .map(|((hour, product, quantity), micros)| {
                (*hour, product.as_str(), *quantity, micros)
            });
        let by_quantity = self
            .hours
            .iter()
            .map(|((hour, quantity), micros)| (*hour, "", *quantity, micros));
        for (hour, product, quantity, micros) in by_product.chain(by_quantity) {
            if let Some(slot) = hours
                .get_mut(hour as usize)
                .filter(|_| !outside(product, quantity))
            {
                *slot += micros;
            }
        }
        let mut kept: BTreeMap<(i32, u32, u8, String), Figures> = BTreeMap::new();
        let mut held_back: BTreeMap<(i32, u32, u8), Figures> = BTreeMap::new();
        for ((date, file, channel, product, quantity), figures) in self.figures {
            if figures.0 == 0 {
                continue;
            }
            if outside(&product, quantity) {
                let sums = held_back.entry((date, file, channel)).or_default();
                sums.0 += figures.0;
                sums.1 += figures.1;
                sums.2 += figures.2;
                continue;
            }
            let sums = kept.entry((date, file, channel, product)).or_default();
            sums.0 += figures.0;
            sums.1 += figures.1;
            sums.2 += figures.2;
        }
        let n = kept.len();
        let mut dates = Vec::with_capacity(n);
        let mut files = Vec::with_capacity(n);
        let mut channels = Vec::with_capacity(n);
        let mut products = Vec::with_capacity(n);
        let mut orders = Vec::with_capacity(n);
        let mut units = Vec::with_capacity(n);
        let mut revenue = Vec::with_capacity(n);
        for ((date, file, channel, product), figures) in kept {
            dates.push(date);
            files.push(file);
            channels.push(CHANNELS[channel as usize]);
            products.push(product);
            orders.push(figures.0 as u64);
            units.push(figures.1);
            revenue.push(figures.2);
        }
        let engine = || Error::engine("sales sums");
        let frame = DataFrame::new(
            n,
            vec![
                Column::new(DATE.into(), dates)
                    .cast(&DataType::Date)
                    .map_err(engine())?,
                Column::new(FILE_INDEX.into(), files),
                Column::new(CHANNEL.into(), channels),
                Column::new(PRODUCT_ID.into(), products),
                Column::new(ORDERS.into(), orders),
                Column::new(UNITS.into(), units),
                Int128Chunked::from_vec(REVENUE.into(), revenue)
                    .into_decimal_unchecked(38, crate::judge::rules::MONEY_SCALE)
                    .into_column(),
            ],
        )
        .map_err(engine())?;
        Ok(SalesSums {
            parts: if n == 0 { Vec::new() } else { vec![frame] },
            hours,
            held_back,
        })
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
    debug_assert_eq!(decimal.scale(), crate::judge::rules::MONEY_SCALE);
    Ok(decimal
        .physical()
        .iter()
        .map(|v| Money(v.unwrap_or(0)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::rules::MONEY_SCALE;

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
