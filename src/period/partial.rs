//! Which stored days are partial: a day no file is mostly about (it is
//! made only of rows that arrived late in other days' files, as a backfill
//! leaves the day before its first), or a day with far fewer rows than the
//! days around it (a file that has not arrived yet).

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// A day below this share of the median of its neighbours is partial.
pub const FEW_ROWS_SHARE: f64 = 0.25;

/// Days on each side whose rows a day is measured against.
pub const NEIGHBOURS: usize = 3;

/// Why a day is partial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partial {
    /// Every row came in files that are mostly about other days.
    LateRowsOnly { rows: u64 },
    /// Fewer than a quarter of the median of its neighbours' rows.
    FewRows { rows: u64, usual: u64 },
    /// No sales stored at all (inside a range, between stored days).
    NoRows,
}

impl Partial {
    /// Why, in a few words (for a table cell or a CSV column).
    pub fn why(&self) -> String {
        match self {
            Partial::LateRowsOnly { rows } => format!(
                "only {} late row{} from other days' files",
                crate::money::grouped(*rows),
                crate::messages::plural(*rows)
            ),
            Partial::FewRows { rows, usual } => format!(
                "{} rows against a usual {}",
                crate::money::grouped(*rows),
                crate::money::grouped(*usual)
            ),
            Partial::NoRows => "no sales stored".to_owned(),
        }
    }
}

/// The partial days among `rows` (rows per stored date), from `file_days`
/// (date, file, rows) — every date of every file that has a row on one
/// of those dates.
pub fn partial_days(
    rows: &BTreeMap<NaiveDate, u64>,
    file_days: &[(NaiveDate, String, u64)],
) -> BTreeMap<NaiveDate, Partial> {
    // A file's own date: the one it gave most rows (the later one on a tie,
    // as late rows belong to the day before).
    let mut own: BTreeMap<&str, (u64, NaiveDate)> = BTreeMap::new();
    for (date, file, n) in file_days {
        let best = own.entry(file.as_str()).or_insert((*n, *date));
        if (*n, *date) > *best {
            *best = (*n, *date);
        }
    }
    let owned: std::collections::BTreeSet<NaiveDate> = own.values().map(|(_, d)| *d).collect();
    let mut partial = BTreeMap::new();
    for (date, n) in rows {
        if !owned.contains(date) {
            partial.insert(*date, Partial::LateRowsOnly { rows: *n });
        }
    }
    // Neighbours are stored days that are not late rows only.
    let whole: Vec<(NaiveDate, u64)> = rows
        .iter()
        .filter(|(d, _)| !partial.contains_key(*d))
        .map(|(d, n)| (*d, *n))
        .collect();
    for (i, (date, n)) in whole.iter().enumerate() {
        let mut around: Vec<u64> = whole[i.saturating_sub(NEIGHBOURS)..i]
            .iter()
            .chain(whole.iter().skip(i + 1).take(NEIGHBOURS))
            .map(|(_, n)| *n)
            .collect();
        if around.len() < 2 {
            continue;
        }
        around.sort_unstable();
        let middle = around.len() / 2;
        let usual = if around.len().is_multiple_of(2) {
            (around[middle - 1] + around[middle]) / 2
        } else {
            around[middle]
        };
        if (*n as f64) < usual as f64 * FEW_ROWS_SHARE {
            partial.insert(*date, Partial::FewRows { rows: *n, usual });
        }
    }
    partial
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, n).unwrap()
    }

    #[test]
    fn a_day_of_late_rows_only_is_partial() {
        // Files of the 23rd to 25th each carry ~1 % of rows of the day before.
        let mut file_days = Vec::new();
        let mut rows = BTreeMap::new();
        for d in 23..=25 {
            for channel in ["web", "mobile"] {
                file_days.push((day(d), format!("{channel}_{d}.csv"), 990));
                file_days.push((day(d - 1), format!("{channel}_{d}.csv"), 10));
            }
        }
        for d in 22..=25 {
            rows.insert(day(d), if d == 22 { 20 } else { 2000 });
        }
        let partial = partial_days(&rows, &file_days);
        assert_eq!(
            partial.into_iter().collect::<Vec<_>>(),
            [(day(22), Partial::LateRowsOnly { rows: 20 })]
        );
    }

    #[test]
    fn a_day_far_below_its_neighbours_is_partial() {
        let counts = [1000, 1100, 900, 200, 1000, 1050, 260];
        let rows: BTreeMap<NaiveDate, u64> = counts
            .iter()
            .enumerate()
            .map(|(i, n)| (day(10 + i as u32), *n))
            .collect();
        let file_days: Vec<_> = rows
            .iter()
            .map(|(d, n)| (*d, format!("f{d}"), *n))
            .collect();
        let partial = partial_days(&rows, &file_days);
        assert_eq!(
            partial.get(&day(13)),
            Some(&Partial::FewRows {
                rows: 200,
                usual: 1000
            })
        );
        // 260 against a median of 1,000 (of 200, 1,000 and 1,050): a
        // quarter and more, so not partial.
        assert_eq!(partial.len(), 1, "{partial:?}");
        // One neighbour is not enough to judge by.
        let two: BTreeMap<_, _> = rows.iter().take(2).map(|(d, n)| (*d, *n / 10)).collect();
        assert!(partial_days(&two, &file_days).is_empty());
    }
}
