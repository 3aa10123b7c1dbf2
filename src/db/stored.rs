//! What the dialects return when they read stored reports back: rows as
//! the warehouse gives them, dates and amounts as text, for `read` to type.
//! Below `read`, `mysql` and `sqlite`, so that each imports it without
//! importing the others.

/// Report rows as the warehouse returns them: dates and amounts as text.
pub struct ReportRows {
    /// (date, channel, orders, units, revenue).
    pub daily: Vec<DailyRow>,
    /// (date, rank, product_id, units, revenue).
    pub top: Vec<(String, u32, String, i64, String)>,
    /// Held back as outliers: (date, channel, rows, units, revenue).
    pub held: Vec<(String, String, u64, i64, String)>,
}

/// What a period report reads from the warehouse, as it returns it: dates
/// and amounts as text.
#[derive(Debug, Default)]
pub struct DayRows {
    /// The latest date with daily sales in the whole warehouse.
    pub latest: Option<String>,
    /// (date, channel, orders, units, revenue) of the dates asked for.
    pub daily: Vec<DailyRow>,
    /// (date, source file, rows) for every file with a row on those dates,
    /// over all of that file's dates.
    pub file_days: Vec<(String, String, u64)>,
    /// (product id, units, revenue) of the dates asked for, best first.
    pub top: Vec<(String, i64, String)>,
}

/// The stored days of a period report: daily sales and the rows per file
/// and date of `from` to `to`, and the top `top` products of `top_from` to
/// `top_to` (none read when `top` is 0).
#[derive(Debug, Clone, Copy)]
pub struct DaysWanted {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub top_from: chrono::NaiveDate,
    pub top_to: chrono::NaiveDate,
    pub top: u32,
}

/// (date, channel, orders, units, revenue) as the warehouse returns them.
pub type DailyRow = (String, String, u64, i64, String);
