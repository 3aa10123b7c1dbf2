//! Period reports: the stored daily sales of a range added up per day, ISO
//! week or month and channel, each period against the one before it, the
//! whole range against as many days before it, and the partial days that
//! keep a comparison from being fair. `calendar` names the periods,
//! `partial` finds the partial days; this module adds up. The warehouse
//! read is `db::read_days`, a folder's `folder`; the printing is
//! `show::periods`.

pub mod calendar;
pub mod folder;
pub mod partial;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

pub use calendar::{periods, Last, Period, Span, Unit};
pub use partial::{partial_days, Partial};

use crate::db::RangeProduct;
use crate::judge::aggregate::DailySales;
use crate::money::Money;

/// The channel name of a row that adds up every channel.
pub const ALL_CHANNELS: &str = "all";

/// One channel's (or every channel's) sales in one period, against the
/// period before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodRow {
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub channel: String,
    pub orders: u64,
    pub units: i64,
    pub revenue: Money,
    /// A day of the period is partial or has no sales stored.
    pub partial: bool,
    pub previous_revenue: Option<Money>,
    pub change: Option<Money>,
    /// Percent, to two decimals; None when the earlier revenue is zero.
    pub change_percent: Option<f64>,
}

impl PeriodRow {
    /// The revenue against the earlier span.
    pub fn change(&self) -> Change {
        Change {
            previous_revenue: self.previous_revenue,
            change: self.change,
            change_percent: self.change_percent,
        }
    }
}

/// Revenue against an earlier span: None where a side has a partial day.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Change {
    pub previous_revenue: Option<Money>,
    pub change: Option<Money>,
    /// Percent, to two decimals; None when the earlier revenue is zero.
    pub change_percent: Option<f64>,
}

impl Change {
    fn between(now: Money, before: Option<Money>) -> Change {
        let Some(before) = before else {
            return Change::default();
        };
        let change = Money(now.0 - before.0);
        let percent =
            (before.0 != 0).then(|| (change.0 as f64 / before.0 as f64 * 10_000.0).round() / 100.0);
        Change {
            previous_revenue: Some(before),
            change: Some(change),
            change_percent: percent,
        }
    }
}

/// A partial day of the report (inside the range or a span it is
/// compared with), and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartialDay {
    pub date: NaiveDate,
    pub why: String,
}

/// One channel's revenue per day of the range (a sparkline).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyLine {
    pub channel: String,
    pub revenue: Vec<Money>,
}

/// A period report, ready to print or write.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodReport {
    pub by: Unit,
    pub range: Span,
    /// As many days just before the range.
    pub previous: Span,
    /// Per period: one row per channel, then the `all` row.
    pub periods: Vec<PeriodRow>,
    /// The whole range per channel, then `all`, against `previous`.
    pub range_rows: Vec<PeriodRow>,
    pub lines: Vec<DailyLine>,
    pub partial_days: Vec<PartialDay>,
    pub top: Vec<RangeProduct>,
}

/// What is stored about the days a report reads.
pub struct Stored<'a> {
    pub daily: &'a [DailySales],
    pub file_days: &'a [(NaiveDate, String, u64)],
    pub top: Vec<RangeProduct>,
}

/// The days a report over `range` by `by` reads: the range, the spans it
/// is compared with, and a week either side to judge partial days by.
pub fn days_to_read(by: Unit, range: Span) -> Span {
    let earliest = periods(by, range)
        .iter()
        .filter_map(|p| p.against.map(|a| a.from))
        .chain([range.before().from])
        .min()
        .unwrap_or(range.from);
    Span {
        from: earliest - chrono::Days::new(7),
        to: range.to + chrono::Days::new(7),
    }
}

/// Rows per stored date, every channel together.
pub fn rows_per_day(daily: &[DailySales]) -> BTreeMap<NaiveDate, u64> {
    let mut rows = BTreeMap::new();
    for d in daily {
        if let Ok(date) = d.date.parse::<NaiveDate>() {
            *rows.entry(date).or_insert(0) += d.orders;
        }
    }
    rows
}

/// The partial days of what is stored, days without sales between the
/// first and last stored day included.
pub fn partial_of(stored: &Stored) -> BTreeMap<NaiveDate, Partial> {
    let rows = rows_per_day(stored.daily);
    let mut partial = partial_days(&rows, stored.file_days);
    if let (Some(first), Some(last)) = (rows.keys().next(), rows.keys().last()) {
        for day in (Span {
            from: *first,
            to: *last,
        })
        .each_day()
        {
            if !rows.contains_key(&day) {
                partial.insert(day, Partial::NoRows);
            }
        }
    }
    partial
}

/// The latest stored day that is not in `partial` (see [`partial_of`]).
pub fn latest_complete(
    stored: &Stored,
    partial: &BTreeMap<NaiveDate, Partial>,
) -> Option<NaiveDate> {
    rows_per_day(stored.daily)
        .into_keys()
        .rev()
        .find(|d| !partial.contains_key(d))
}

/// Adds up `stored` into a report of `range` by `by`.
pub fn report(by: Unit, range: Span, stored: Stored) -> PeriodReport {
    let partial = partial_of(&stored);
    let rows = rows_per_day(stored.daily);
    // A day is fair to compare when it has sales and is not partial.
    let fair = |span: Span| {
        span.each_day()
            .all(|d| rows.contains_key(&d) && !partial.contains_key(&d))
    };
    let channels: BTreeSet<&str> = stored.daily.iter().map(|d| d.channel.as_str()).collect();
    let sums = |span: Span, channel: Option<&str>| -> (u64, i64, Money) {
        let (from, to) = (span.from.to_string(), span.to.to_string());
        stored
            .daily
            .iter()
            .filter(|d| d.date >= from && d.date <= to)
            .filter(|d| channel.is_none_or(|c| c == d.channel))
            .fold((0, 0, Money(0)), |(o, u, r), d| {
                (o + d.orders, u + d.units, r + d.revenue)
            })
    };
    let rows_of = |label: &str, span: Span, against: Option<Span>| -> Vec<PeriodRow> {
        let whole = fair(span);
        let compared = against.filter(|a| whole && fair(*a));
        channels
            .iter()
            .map(|c| Some(*c))
            .chain([None])
            .map(|channel| {
                let (orders, units, revenue) = sums(span, channel);
                let before = compared.map(|a| sums(a, channel).2);
                let change = Change::between(revenue, before);
                PeriodRow {
                    period: label.to_owned(),
                    from: span.from,
                    to: span.to,
                    channel: channel.unwrap_or(ALL_CHANNELS).to_owned(),
                    orders,
                    units,
                    revenue,
                    partial: !whole,
                    previous_revenue: change.previous_revenue,
                    change: change.change,
                    change_percent: change.change_percent,
                }
            })
            .collect()
    };
    let mut spans = vec![range, range.before()];
    let mut period_rows = Vec::new();
    for period in periods(by, range) {
        period_rows.extend(rows_of(&period.label, period.covered, period.against));
        spans.extend(period.against);
    }
    let range_label = format!("{} to {}", range.from, range.to);
    let range_rows = rows_of(&range_label, range, Some(range.before()));
    let lines = channels
        .iter()
        .map(|channel| DailyLine {
            channel: (*channel).to_owned(),
            revenue: range
                .each_day()
                .map(|d| sums(Span { from: d, to: d }, Some(channel)).2)
                .collect(),
        })
        .collect();
    let shown = |d: &NaiveDate| spans.iter().any(|s| s.from <= *d && *d <= s.to);
    let partial_days = partial
        .iter()
        .filter(|(d, _)| shown(d))
        .map(|(date, why)| PartialDay {
            date: *date,
            why: why.why(),
        })
        .collect();
    PeriodReport {
        by,
        range,
        previous: range.before(),
        periods: period_rows,
        range_rows,
        lines,
        partial_days,
        top: stored.top,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(date: &str, channel: &str, orders: u64, revenue: i128) -> DailySales {
        DailySales {
            date: date.into(),
            channel: channel.into(),
            orders,
            units: orders as i64 * 2,
            revenue: Money(revenue * 1_000_000),
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// Two whole weeks of web and store sales, then three days, each day's
    /// file owning its day.
    fn three_weeks() -> (Vec<DailySales>, Vec<(NaiveDate, String, u64)>) {
        let mut daily = Vec::new();
        let mut files = Vec::new();
        for date in (Span {
            from: day("2026-11-09"),
            to: day("2026-11-25"),
        })
        .each_day()
        {
            let week = if date < day("2026-11-16") { 100 } else { 110 };
            daily.push(sale(&date.to_string(), "web", 10, week));
            daily.push(sale(&date.to_string(), "store", 5, 50));
            files.push((date, format!("all_{date}.csv"), 15));
        }
        (daily, files)
    }

    #[test]
    fn weeks_add_up_per_channel_and_compare_with_the_week_before() {
        let (daily, files) = three_weeks();
        let range = Span {
            from: day("2026-11-16"),
            to: day("2026-11-25"),
        };
        let stored = Stored {
            daily: &daily,
            file_days: &files,
            top: Vec::new(),
        };
        let report = report(Unit::Week, range, stored);
        let w47: Vec<&PeriodRow> = report
            .periods
            .iter()
            .filter(|r| r.period == "2026-W47")
            .collect();
        assert_eq!(
            w47.iter().map(|r| r.channel.as_str()).collect::<Vec<_>>(),
            ["store", "web", "all"]
        );
        let web = w47[1];
        assert_eq!(web.revenue, Money(770_000_000));
        assert_eq!(web.change().previous_revenue, Some(Money(700_000_000)));
        assert_eq!(web.change().change, Some(Money(70_000_000)));
        assert_eq!(web.change().change_percent, Some(10.0));
        assert_eq!(w47[2].orders, 7 * 15);
        // Week 48 to Wednesday is compared with week 47 to Wednesday.
        let w48_web = report
            .periods
            .iter()
            .find(|r| r.period == "2026-W48" && r.channel == "web")
            .unwrap();
        assert_eq!(w48_web.change().previous_revenue, Some(Money(330_000_000)));
        assert_eq!(w48_web.change().change, Some(Money(0)));
        // The range's 10 days against the 10 before: 6 days of the first week.
        let all = report.range_rows.last().unwrap();
        assert_eq!(all.channel, ALL_CHANNELS);
        assert_eq!(
            report.previous,
            Span {
                from: day("2026-11-06"),
                to: day("2026-11-15")
            }
        );
        // 06 to 08 are not stored: the range is not compared.
        assert_eq!(all.change(), Change::default());
        assert_eq!(report.lines[1].revenue.len(), 10);
        assert!(report.partial_days.is_empty(), "{:?}", report.partial_days);
    }

    #[test]
    fn a_partial_day_stops_its_comparisons() {
        let (mut daily, mut files) = three_weeks();
        // The 8th: late rows only, in the 9th's file.
        daily.push(sale("2026-11-08", "web", 1, 10));
        files.push((day("2026-11-08"), "all_2026-11-09.csv".into(), 1));
        let stored = Stored {
            daily: &daily,
            file_days: &files,
            top: Vec::new(),
        };
        assert_eq!(
            latest_complete(&stored, &partial_of(&stored)),
            Some(day("2026-11-25"))
        );
        let range = Span {
            from: day("2026-11-02"),
            to: day("2026-11-15"),
        };
        let report = report(Unit::Week, range, stored);
        let w45 = &report.periods[0];
        assert_eq!(w45.period, "2026-W45");
        assert!(w45.partial);
        assert_eq!(w45.change(), Change::default());
        // Week 46 is whole, but the week it is compared with is not.
        let w46 = report
            .periods
            .iter()
            .find(|r| r.period == "2026-W46")
            .unwrap();
        assert!(!w46.partial);
        assert_eq!(w46.change(), Change::default());
        assert_eq!(
            report.partial_days,
            [PartialDay {
                date: day("2026-11-08"),
                why: "only 1 late row from other days' files".into()
            }]
        );
    }

    #[test]
    fn change_percent_is_none_against_nothing() {
        let change = Change::between(Money(5), Some(Money(0)));
        assert_eq!(change.change, Some(Money(5)));
        assert_eq!(change.change_percent, None);
        let down = Change::between(Money(2), Some(Money(3)));
        assert_eq!(down.change_percent, Some(-33.33));
    }
}
