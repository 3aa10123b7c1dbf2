//! Reports from a folder, with no warehouse: the sums of a run over the
//! folder (what `run` would store into an empty warehouse, written
//! nowhere), read back as a warehouse's reports are, through the same
//! aggregate functions, so that each figure and tie-break is the same.

use chrono::NaiveDate;

use crate::db::{Days, DaysWanted, RangeProduct, Reports};
use crate::error::Result;
use crate::judge::aggregate::SalesSums;

/// A folder's sales sums and its files' names (by file index).
pub struct Folder {
    sums: SalesSums,
    names: Vec<String>,
}

impl Folder {
    /// The folder's sums, folded once for the reads that follow.
    pub fn new(mut sums: SalesSums, names: Vec<String>) -> Result<Folder> {
        sums.fold()?;
        Ok(Folder { sums, names })
    }

    /// What [`crate::db::read_days`] reads from a warehouse.
    pub fn days(&self, wanted: Option<DaysWanted>) -> Result<Days> {
        let latest = self.sums.latest_date()?;
        let Some(wanted) = wanted else {
            return Ok(Days {
                latest,
                daily: Vec::new(),
                file_days: Vec::new(),
                top: Vec::new(),
            });
        };
        let days = self.sums.within(wanted.from, wanted.to)?;
        let file_days = days
            .rows_per_file()?
            .into_iter()
            .map(|(date, file, rows)| {
                let name = self.names.get(file as usize).cloned().unwrap_or_default();
                (date, name, rows)
            })
            .collect();
        let top = match wanted.top {
            0 => Vec::new(),
            top => self
                .sums
                .within(wanted.top_from, wanted.top_to)?
                .top_products_overall(top)?
                .into_iter()
                .map(|product| RangeProduct {
                    rank: product.rank,
                    product_id: product.product_id,
                    units: product.units,
                    revenue: product.revenue,
                })
                .collect(),
        };
        Ok(Days {
            latest,
            daily: days.daily_sales()?,
            file_days,
            top,
        })
    }

    /// What [`crate::db::read_reports`] reads from a warehouse.
    pub fn reports(&self, from: NaiveDate, to: NaiveDate, top: u32) -> Result<Reports> {
        let days = self.sums.within(from, to)?;
        Ok(Reports {
            daily: days.daily_sales()?,
            top: days.top_products(top)?,
            held_back: days.held_back(),
        })
    }
}
