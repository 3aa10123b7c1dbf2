//! Periods of the calendar: days, ISO weeks (Monday to Sunday) and months,
//! what `--last 4w` means, and the period each period is compared with.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate};

/// What the rows of a period report add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Day,
    /// ISO weeks, Monday to Sunday, named like 2026-W48.
    Week,
    /// Calendar months, named like 2026-11.
    Month,
}

impl Unit {
    /// The first day of the period holding `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Unit::Day => day,
            Unit::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Unit::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// The last day of the period holding `day`.
    pub fn end_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Unit::Day => day,
            Unit::Week => self.start_of(day) + Days::new(6),
            Unit::Month => (self.start_of(day) + Months::new(1)) - Days::new(1),
        }
    }

    /// The name of the period holding `day`: 2026-11-25, 2026-W48, 2026-11.
    pub fn label(self, day: NaiveDate) -> String {
        match self {
            Unit::Day => day.to_string(),
            Unit::Week => {
                let week = day.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Unit::Month => day.format("%Y-%m").to_string(),
        }
    }

    /// The column name of a period of this unit.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
        }
    }
}

/// `--last N` periods: `7d`, `4w`, `3m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Last {
    pub count: u32,
    pub unit: Unit,
}

impl FromStr for Last {
    type Err = String;

    fn from_str(text: &str) -> Result<Last, String> {
        let wrong = || {
            format!("`{text}` is not a count and a unit: write 7d (days), 4w (ISO weeks) or 3m (months)")
        };
        let text = text.trim();
        let unit = match text.chars().last().map(|c| c.to_ascii_lowercase()) {
            Some('d') => Unit::Day,
            Some('w') => Unit::Week,
            Some('m') => Unit::Month,
            _ => return Err(wrong()),
        };
        let count: u32 = text[..text.len() - 1].parse().map_err(|_| wrong())?;
        let most = match unit {
            Unit::Day => 3660,
            Unit::Week => 520,
            Unit::Month => 120,
        };
        if count == 0 || count > most {
            return Err(format!(
                "`{text}`: the count must be 1 to {most} {}s",
                unit.name()
            ));
        }
        Ok(Last { count, unit })
    }
}

impl fmt::Display for Last {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = match self.unit {
            Unit::Day => 'd',
            Unit::Week => 'w',
            Unit::Month => 'm',
        };
        write!(f, "{}{letter}", self.count)
    }
}

impl Last {
    /// The first day of the last `count` periods whose last one holds `to`.
    pub fn first_day(self, to: NaiveDate) -> NaiveDate {
        let mut start = self.unit.start_of(to);
        for _ in 1..self.count {
            start = self.unit.start_of(start - Days::new(1));
        }
        start
    }
}

/// Days from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Span {
    pub fn days(self) -> u64 {
        (self.to - self.from).num_days().max(-1) as u64 + 1
    }

    pub fn each_day(self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take_while(move |d| *d <= self.to)
    }

    /// The span of as many days just before this one.
    pub fn before(self) -> Span {
        let days = Days::new(self.days());
        Span {
            from: self.from - days,
            to: self.from - Days::new(1),
        }
    }
}

/// One row group of a period report: a period, the days of it the report
/// covers, and the days it is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub label: String,
    /// The days of the period inside the report's range.
    pub covered: Span,
    /// Whether the range covers the whole period (not a week to date).
    pub whole: bool,
    /// The previous period, or its first days as many as `covered` when
    /// the range cuts this one short (a week to Wednesday against the week
    /// before to Wednesday). None when the previous period is too short
    /// for that (the 31st of a month after a 30-day month).
    pub against: Option<Span>,
}

/// The periods of `unit` that `range` touches, in order.
pub fn periods(unit: Unit, range: Span) -> Vec<Period> {
    let mut periods = Vec::new();
    let mut start = unit.start_of(range.from);
    while start <= range.to {
        let end = unit.end_of(start);
        let covered = Span {
            from: start.max(range.from),
            to: end.min(range.to),
        };
        let whole = covered.from == start && covered.to == end;
        let previous_start = unit.start_of(start - Days::new(1));
        let previous_end = unit.end_of(previous_start);
        let against = if whole {
            Some(Span {
                from: previous_start,
                to: previous_end,
            })
        } else {
            let offset = |day: NaiveDate| Days::new((day - start).num_days() as u64);
            let span = Span {
                from: previous_start + offset(covered.from),
                to: previous_start + offset(covered.to),
            };
            (span.to <= previous_end).then_some(span)
        };
        periods.push(Period {
            label: unit.label(start),
            covered,
            whole,
            against,
        });
        start = end + Days::new(1);
    }
    periods
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn weeks_are_iso_and_months_calendar() {
        // 2026-11-25 is a Wednesday of ISO week 48.
        assert_eq!(Unit::Week.start_of(day("2026-11-25")), day("2026-11-23"));
        assert_eq!(Unit::Week.end_of(day("2026-11-25")), day("2026-11-29"));
        assert_eq!(Unit::Week.label(day("2026-11-25")), "2026-W48");
        // 2027-01-01 is a Friday of 2026's ISO week 53.
        assert_eq!(Unit::Week.label(day("2027-01-01")), "2026-W53");
        assert_eq!(Unit::Month.end_of(day("2028-02-10")), day("2028-02-29"));
        assert_eq!(Unit::Month.label(day("2026-02-10")), "2026-02");
    }

    #[test]
    fn last_reads_a_count_and_a_unit() {
        let last: Last = "4w".parse().unwrap();
        assert_eq!(
            last,
            Last {
                count: 4,
                unit: Unit::Week
            }
        );
        assert_eq!(last.to_string(), "4w");
        assert_eq!("3M".parse::<Last>().unwrap().unit, Unit::Month);
        for bad in ["", "w", "7", "0d", "-1d", "7y", "9999m"] {
            assert!(bad.parse::<Last>().is_err(), "{bad}");
        }
        assert_eq!(
            Last {
                count: 7,
                unit: Unit::Day
            }
            .first_day(day("2026-11-25")),
            day("2026-11-19")
        );
        assert_eq!(
            Last {
                count: 2,
                unit: Unit::Week
            }
            .first_day(day("2026-11-25")),
            day("2026-11-16")
        );
        assert_eq!(
            Last {
                count: 3,
                unit: Unit::Month
            }
            .first_day(day("2026-11-25")),
            day("2026-09-01")
        );
    }

    #[test]
    fn a_period_cut_short_is_compared_with_as_many_days() {
        let range = Span {
            from: day("2026-11-16"),
            to: day("2026-11-25"),
        };
        let weeks = periods(Unit::Week, range);
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].label, "2026-W47");
        assert!(weeks[0].whole);
        assert_eq!(
            weeks[0].against,
            Some(Span {
                from: day("2026-11-09"),
                to: day("2026-11-15")
            })
        );
        assert!(!weeks[1].whole);
        assert_eq!(
            weeks[1].covered,
            Span {
                from: day("2026-11-23"),
                to: day("2026-11-25")
            }
        );
        assert_eq!(
            weeks[1].against,
            Some(Span {
                from: day("2026-11-16"),
                to: day("2026-11-18")
            })
        );
        // March to the 31st has no 31st of February to compare with.
        let march = periods(
            Unit::Month,
            Span {
                from: day("2026-03-31"),
                to: day("2026-03-31"),
            },
        );
        assert_eq!(march[0].against, None);
        let days = periods(Unit::Day, range);
        assert_eq!(days.len(), 10);
        assert_eq!(days[0].against.unwrap().from, day("2026-11-15"));
        assert_eq!(range.days(), 10);
        assert_eq!(range.before().from, day("2026-11-06"));
        assert_eq!(range.each_day().count(), 10);
    }
}
