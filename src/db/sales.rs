//! Sales per date, file, channel and product: the run's own (from
//! [`crate::judge::aggregate::SalesSums::partials`]) and those a warehouse keeps in
//! `daily_file_sales`, and the reports of a date computed from them. Both
//! dialects store and read these; the arithmetic is done once, here and in
//! `aggregate`.

use polars::prelude::*;

use crate::columns::*;
use crate::error::{Error, Result};
use crate::judge::aggregate::{self, DailySales, TopProduct, ORDERS, REVENUE, UNITS};
use crate::judge::rules::MONEY_SCALE;

use super::rows::push_date;

/// One date's stored sales per channel and product.
#[derive(Default)]
pub(crate) struct StoredSales {
    channel: Vec<String>,
    product: Vec<String>,
    orders: Vec<u64>,
    units: Vec<i64>,
    revenue: Vec<i128>,
}

impl StoredSales {
    pub(crate) fn push(
        &mut self,
        channel: String,
        product: String,
        orders: u64,
        units: i64,
        millionths: i128,
    ) {
        self.channel.push(channel);
        self.product.push(product);
        self.orders.push(orders);
        self.units.push(units);
        self.revenue.push(millionths);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.channel.is_empty()
    }

    /// The date's daily sales and its `top` products, computed by
    /// [`crate::judge::aggregate`] as the terminal's are: one rounding, one
    /// tie-break.
    pub(crate) fn reports(
        self,
        date: &str,
        top: u32,
    ) -> Result<(Vec<DailySales>, Vec<TopProduct>)> {
        let mut sums = aggregate::SalesSums::default();
        sums.add_partials(self.frame(date)?)?;
        Ok((sums.daily_sales()?, sums.top_products(top)?))
    }

    /// As [`aggregate::SalesSums::partials`] gives them.
    fn frame(self, date: &str) -> Result<DataFrame> {
        let engine = Error::engine("stored sales");
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|e| Error::Internal(format!("stored date `{date}`: {e}")))?;
        let days = (day - chrono::NaiveDate::default()).num_days() as i32;
        let n = self.channel.len();
        let revenue = Int128Chunked::from_vec(REVENUE.into(), self.revenue)
            .into_decimal_unchecked(38, MONEY_SCALE)
            .into_series()
            .into_column();
        DataFrame::new(
            n,
            vec![
                Column::new(DATE.into(), vec![days; n])
                    .cast(&DataType::Date)
                    .map_err(engine)?,
                Column::new(FILE_INDEX.into(), vec![0u32; n]),
                Column::new(CHANNEL.into(), self.channel),
                Column::new(PRODUCT_ID.into(), self.product),
                Column::new(ORDERS.into(), self.orders),
                Column::new(UNITS.into(), self.units),
                revenue,
            ],
        )
        .map_err(Error::engine("stored sales"))
    }
}

/// The run's sales per date, file, channel and product: the columns of
/// [`aggregate::SalesSums::partials`], read by row.
pub(crate) struct RunSales {
    pub(crate) date: Int32Chunked,
    pub(crate) file: UInt32Chunked,
    pub(crate) channel: StringChunked,
    pub(crate) product: StringChunked,
    pub(crate) orders: UInt64Chunked,
    pub(crate) units: Int64Chunked,
    pub(crate) revenue: Int128Chunked,
}

impl RunSales {
    pub(crate) fn of(frame: &DataFrame) -> Result<RunSales> {
        let engine = || Error::engine("stored sales");
        let frame = frame.clone();
        let column = |name: &str| frame.column(name).map_err(engine());
        Ok(RunSales {
            date: column(DATE)?
                .date()
                .map_err(engine())?
                .physical()
                .rechunk()
                .into_owned(),
            file: column(FILE_INDEX)?
                .u32()
                .map_err(engine())?
                .rechunk()
                .into_owned(),
            channel: column(CHANNEL)?
                .str()
                .map_err(engine())?
                .rechunk()
                .into_owned(),
            product: column(PRODUCT_ID)?
                .str()
                .map_err(engine())?
                .rechunk()
                .into_owned(),
            orders: column(ORDERS)?
                .u64()
                .map_err(engine())?
                .rechunk()
                .into_owned(),
            units: column(UNITS)?
                .i64()
                .map_err(engine())?
                .rechunk()
                .into_owned(),
            revenue: column(REVENUE)?
                .decimal()
                .map_err(engine())?
                .physical()
                .rechunk()
                .into_owned(),
        })
    }

    pub(crate) fn date(&self, row: usize) -> String {
        let mut text = String::new();
        push_date(&mut text, self.date.get(row).unwrap_or(0));
        text
    }
}
