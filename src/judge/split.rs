//! Split: turns the judged rows into the frames the outputs and sinks read —
//! valid rows as clean typed data, rejected rows with their original text —
//! and checks that every file's rows add up.
//!
//! Both frames are filters of the one collected frame; nothing is recomputed.
//! A sink (such as a database loader) plugs in after this stage and reads
//! [`Split::valid`] as it is.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;

use crate::columns::*;
use crate::error::{Error, Result};
use crate::judge::validate::{self, Disposition};

/// Per-file (or total) counts of dispositions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    pub data_rows: u64,
    pub valid: u64,
    pub invalid: u64,
    pub duplicate: u64,
    pub outlier: u64,
}

impl Accounting {
    /// Counts one row of disposition `disposition`.
    pub fn count(&mut self, disposition: Disposition) {
        match disposition {
            Disposition::Valid => self.valid += 1,
            Disposition::Invalid => self.invalid += 1,
            Disposition::Duplicate => self.duplicate += 1,
            Disposition::Outlier => self.outlier += 1,
        }
    }

    pub fn rejected(&self) -> u64 {
        self.invalid + self.duplicate + self.outlier
    }

    fn adds_up(&self) -> bool {
        self.data_rows == self.valid + self.invalid + self.duplicate + self.outlier
    }

    fn add(&mut self, other: &Accounting) {
        self.data_rows += other.data_rows;
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.duplicate += other.duplicate;
        self.outlier += other.outlier;
    }
}

#[derive(Debug)]
pub struct Split {
    /// One row per valid transaction, typed: `transaction_id`, `timestamp`
    /// (UTC), `date`, `channel` (lower-case), `store_id`, `customer_id`,
    /// `product_id`, `quantity`, `unit_price`, `line_revenue`, `file_index`,
    /// `source_line`.
    pub valid: DataFrame,
    /// Rejected rows: the input fields as text, `file_index`, `source_line`,
    /// `disposition`, `reason`, `reasons`, in file and line order.
    pub rejected: DataFrame,
    /// Counts per input file, in the order of the run's files.
    pub files: Vec<Accounting>,
    pub totals: Accounting,
}

/// Splits `judged` and checks the accounting against `data_rows`, the rows
/// extract counted in each file (indexed by file index).
pub fn split(judged: &DataFrame, data_rows: &[u64]) -> Result<Split> {
    let mut files: Vec<Accounting> = data_rows
        .iter()
        .map(|rows| Accounting {
            data_rows: *rows,
            ..Accounting::default()
        })
        .collect();
    count(judged, &mut files)?;
    let totals = total(&files);
    let (valid, rejected) = split_rows(judged)?;
    Ok(Split {
        valid,
        rejected,
        files,
        totals,
    })
}

/// The sum of every file's counts.
pub fn total(files: &[Accounting]) -> Accounting {
    let mut totals = Accounting::default();
    for account in files {
        totals.add(account);
    }
    totals
}

/// The row accounting of a run: per file and in all, and what the outlier
/// rule held back. It owns its check: every data row has exactly one
/// disposition and each file's counts add up ([`Ledger::check`]).
#[derive(Debug, Clone)]
pub struct Ledger {
    /// Per input file, by file index.
    pub files: Vec<Accounting>,
    pub totals: Accounting,
    /// What the outlier rule held back, per file index, date and channel.
    pub held_back: Vec<(u32, crate::judge::aggregate::HeldBack)>,
    /// The files most of whose rows were rejected for one reason: the
    /// run loads nothing when there is one.
    pub mostly_rejected: Vec<MostlyRejected>,
}

pub use crate::error::{MostlyRejected, Rejection};

/// The files of `files` (counts by file index, reasons per file, names)
/// that the rules rejected more than their `rates` of for one reason, or
/// every row of for any reasons, each with its reasons, most rows first. Duplicates and outliers do not count: a file
/// sent twice is not a file misread.
pub fn mostly_rejected(
    files: &[Accounting],
    reasons: &[BTreeMap<String, u64>],
    names: &[String],
    rates: &[f64],
) -> Vec<MostlyRejected> {
    let misread = |reason: &str| {
        ![
            validate::DUPLICATE,
            validate::CONFLICTING_DUPLICATE,
            validate::OUTLIER,
        ]
        .contains(&reason)
    };
    let mut found = Vec::new();
    for (((account, reasons), name), rate) in files.iter().zip(reasons).zip(names).zip(rates) {
        let mut own: Vec<Rejection> = (reasons.iter())
            .filter(|(reason, _)| misread(reason))
            .map(|(reason, rows)| Rejection {
                reason: reason.clone(),
                rows: *rows,
                hint: None,
            })
            .collect();
        let rows: u64 = own.iter().map(|r| r.rows).sum();
        let over = |rows: u64| rows as f64 > rate * account.data_rows as f64;
        let one_reason = own.iter().any(|r| over(r.rows));
        let every_row = rows == account.data_rows;
        if account.data_rows == 0 || !over(rows) || !(one_reason || every_row) {
            continue;
        }
        own.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.reason.cmp(&b.reason)));
        found.push(MostlyRejected {
            file: name.clone(),
            rows,
            data_rows: account.data_rows,
            rate: *rate,
            reasons: own,
        });
    }
    found
}

impl Ledger {
    /// The ledger of these per-file counts, with their totals.
    pub fn new(files: Vec<Accounting>) -> Ledger {
        Ledger {
            totals: total(&files),
            files,
            held_back: Vec::new(),
            mostly_rejected: Vec::new(),
        }
    }

    /// Fails with the first file (named by `names`, by file index) whose
    /// counts do not add up.
    pub fn check(&self, names: &[String]) -> Result<()> {
        for (account, name) in self.files.iter().zip(names) {
            if !account.adds_up() {
                return Err(Error::AccountingMismatch {
                    file: name.clone(),
                    data_rows: account.data_rows,
                    valid: account.valid,
                    invalid: account.invalid,
                    duplicate: account.duplicate,
                    outlier: account.outlier,
                });
            }
        }
        Ok(())
    }
}

/// An optional id as clean data: null when the field is absent, empty or
/// only spaces and tabs, so that `IS NULL` finds every missing store or
/// customer in the warehouse, the export and folder queries alike (they
/// were stored as `''`); a present id is kept verbatim.
fn missing_as_null(name: &str) -> Expr {
    when(col(name).str().strip_chars(lit(" \t")).eq(lit("")))
        .then(lit(NULL).cast(DataType::String))
        .otherwise(col(name))
        .alias(name)
}

/// The valid rows of `judged` as clean typed data (see [`Split::valid`])
/// and its rejected rows with their text and reasons (see
/// [`Split::rejected`]).
pub fn split_rows(judged: &DataFrame) -> Result<(DataFrame, DataFrame)> {
    let valid = judged
        .clone()
        .lazy()
        .filter(Disposition::Valid.is())
        .select([
            col(TRANSACTION_ID),
            col(TIMESTAMP_UTC).alias(TIMESTAMP),
            col(DATE),
            col(CHANNEL_NAME).alias(CHANNEL),
            missing_as_null(STORE_ID),
            missing_as_null(CUSTOMER_ID),
            col(PRODUCT_ID),
            col(QUANTITY_UNITS).alias(QUANTITY),
            col(UNIT_PRICE_AMOUNT).alias(UNIT_PRICE),
            col(LINE_REVENUE),
            col(FILE_INDEX),
            col(SOURCE_LINE),
        ])
        .collect()
        .map_err(Error::engine("split valid rows"))?;
    let mut rejected_columns: Vec<Expr> = INPUT.iter().map(|name| col(*name)).collect();
    rejected_columns.extend([
        col(FILE_INDEX),
        col(SOURCE_LINE),
        validate::disposition_name().alias(DISPOSITION),
        validate::reason().alias(REASON),
        validate::reasons().alias(REASONS),
    ]);
    let rejected = judged
        .clone()
        .lazy()
        .filter(Disposition::Valid.is().not())
        .select(rejected_columns)
        .collect()
        .map_err(Error::engine("split rejected rows"))?;
    Ok((valid, rejected))
}

/// Adds the dispositions of `judged` to the counts of their files
/// (`files` is indexed by file index).
pub fn count(judged: &DataFrame, files: &mut [Accounting]) -> Result<()> {
    let count = |disposition: Disposition| {
        disposition
            .is()
            .cast(DataType::UInt64)
            .sum()
            .alias(disposition.name())
    };
    let counts = judged
        .clone()
        .lazy()
        .group_by([col(FILE_INDEX)])
        .agg([
            count(Disposition::Valid),
            count(Disposition::Invalid),
            count(Disposition::Duplicate),
            count(Disposition::Outlier),
        ])
        .collect()
        .map_err(Error::engine("accounting"))?;
    let engine = Error::engine("accounting");
    let index = counts
        .column(FILE_INDEX)
        .map_err(engine)?
        .u32()
        .map_err(Error::engine("accounting"))?;
    let get = |name: &str| -> Result<Vec<u64>> {
        Ok(counts
            .column(name)
            .map_err(Error::engine("accounting"))?
            .u64()
            .map_err(Error::engine("accounting"))?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (valid, invalid, duplicate, outlier) = (
        get(Disposition::Valid.name())?,
        get(Disposition::Invalid.name())?,
        get(Disposition::Duplicate.name())?,
        get(Disposition::Outlier.name())?,
    );
    for (row, file) in index.iter().enumerate() {
        let file = file.unwrap_or(u32::MAX) as usize;
        let Some(account) = files.get_mut(file) else {
            return Err(Error::AccountingMismatch {
                file: format!("#{file}"),
                data_rows: 0,
                valid: valid[row],
                invalid: invalid[row],
                duplicate: duplicate[row],
                outlier: outlier[row],
            });
        };
        account.valid += valid[row];
        account.invalid += invalid[row];
        account.duplicate += duplicate[row];
        account.outlier += outlier[row];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(files: &[u32], dispositions: &[&str]) -> DataFrame {
        let n = files.len();
        let ragged = crate::judge::rules::RULES
            .iter()
            .position(|r| r.reason == "ragged_row")
            .unwrap();
        let mut columns: Vec<Column> = INPUT
            .iter()
            .map(|name| Column::full_null((*name).into(), n, &DataType::String))
            .collect();
        columns.extend([
            Column::new(FILE_INDEX.into(), files.to_vec()),
            Column::new(SOURCE_LINE.into(), (0..n as u64).collect::<Vec<_>>()),
            Column::new(
                DISPOSITION.into(),
                dispositions
                    .iter()
                    .map(|d| {
                        Disposition::ALL
                            .iter()
                            .find(|x| x.name() == *d)
                            .unwrap()
                            .code()
                    })
                    .collect::<Vec<_>>(),
            ),
            // Invalid rows are ragged.
            Column::new(
                validate::RULE_INDEX.into(),
                dispositions
                    .iter()
                    .map(|d| (*d == "invalid").then_some(ragged as u32))
                    .collect::<Vec<_>>(),
            ),
            Column::new(validate::CONFLICTING.into(), vec![false; n]),
            Column::full_null(
                TIMESTAMP_UTC.into(),
                n,
                &DataType::Datetime(TimeUnit::Microseconds, None),
            ),
            Column::full_null(DATE.into(), n, &DataType::Date),
            Column::full_null(CHANNEL_NAME.into(), n, &DataType::String),
            Column::full_null(QUANTITY_UNITS.into(), n, &DataType::Int32),
            Column::full_null(UNIT_PRICE_AMOUNT.into(), n, &DataType::Decimal(18, 6)),
            Column::full_null(LINE_REVENUE.into(), n, &DataType::Decimal(38, 6)),
        ]);
        for (index, flag) in crate::judge::rules::flag_columns().into_iter().enumerate() {
            let broken: Vec<bool> = dispositions
                .iter()
                .map(|d| index == ragged && *d == "invalid")
                .collect();
            columns.push(Column::new(flag.into(), broken));
        }
        DataFrame::new(n, columns).unwrap()
    }

    #[test]
    fn counts_per_file_including_files_without_rows() {
        let frame = judged(
            &[0, 0, 2, 2, 2],
            &["valid", "invalid", "duplicate", "outlier", "valid"],
        );
        let split = split(&frame, &[2, 0, 3]).unwrap();
        assert_eq!(
            split.files[0],
            Accounting {
                data_rows: 2,
                valid: 1,
                invalid: 1,
                duplicate: 0,
                outlier: 0
            }
        );
        assert_eq!(split.files[1], Accounting::default());
        assert_eq!(split.totals.rejected(), 3);
        assert_eq!(split.valid.height(), 2);
        assert_eq!(split.rejected.height(), 3);
        let reasons: Vec<_> = split
            .rejected
            .column(REASONS)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .map(str::to_owned)
            .collect();
        assert_eq!(reasons, ["ragged_row", "duplicate", "outlier"]);
        Ledger::new(split.files.clone())
            .check(&["a".into(), "b".into(), "c".into()])
            .unwrap();
    }

    #[test]
    fn a_file_is_mostly_rejected_above_its_rate() {
        let account = |data_rows, invalid| Accounting {
            data_rows,
            valid: data_rows - invalid,
            invalid,
            ..Accounting::default()
        };
        let reasons = |pairs: &[(&str, u64)]| {
            pairs
                .iter()
                .map(|(r, n)| (r.to_string(), *n))
                .collect::<BTreeMap<String, u64>>()
        };
        let files = [account(4, 2), account(4, 3), account(4, 4), account(0, 0)];
        // Three of four rejected, but for three reasons: a dirty file, not
        // a misread one.
        let dirty = mostly_rejected(
            &[account(4, 3)],
            &[reasons(&[
                ("bad_timestamp", 1),
                ("bad_channel", 1),
                ("bad_quantity", 1),
            ])],
            &["f".into()],
            &[0.5],
        );
        assert!(dirty.is_empty());
        let per_file = [
            reasons(&[("bad_timestamp", 2)]),
            reasons(&[("bad_timestamp", 3)]),
            // 4 rejected, no reason for more than half of them.
            reasons(&[("bad_timestamp", 2), ("bad_unit_price", 2)]),
            reasons(&[]),
        ];
        let names: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        type Said = (String, u64, Vec<(String, u64)>);
        let said = |found: Vec<MostlyRejected>| -> Vec<Said> {
            found
                .into_iter()
                .map(|f| {
                    let reasons = f.reasons.into_iter().map(|r| (r.reason, r.rows)).collect();
                    (f.file, f.rows, reasons)
                })
                .collect()
        };
        let one = |reason: &str, rows| vec![(reason.to_owned(), rows)];
        // a: half is not more than half; c: no reason has half, but every
        // row is rejected.
        assert_eq!(
            said(mostly_rejected(&files, &per_file, &names, &[0.5; 4])),
            [
                ("b".to_owned(), 3, one("bad_timestamp", 3)),
                (
                    "c".to_owned(),
                    4,
                    vec![
                        ("bad_timestamp".to_owned(), 2),
                        ("bad_unit_price".to_owned(), 2)
                    ]
                ),
            ]
        );
        assert!(mostly_rejected(&files, &per_file, &names, &[1.0; 4]).is_empty());
        assert_eq!(
            mostly_rejected(&files, &per_file, &names, &[0.0; 4]).len(),
            3
        );
        // Each file is held to its own rate.
        let own = mostly_rejected(&files, &per_file, &names, &[0.4, 0.8, 1.0, 0.5]);
        assert_eq!(said(own), [("a".to_owned(), 2, one("bad_timestamp", 2))]);
        let sent_twice = mostly_rejected(
            &[account(4, 0)],
            &[reasons(&[("duplicate", 4)])],
            &["e".into()],
            &[0.5],
        );
        assert!(sent_twice.is_empty());
    }

    #[test]
    fn a_lost_row_fails_the_run() {
        let frame = judged(&[0], &["valid"]);
        let split = split(&frame, &[2]).unwrap();
        let err = Ledger::new(split.files.clone())
            .check(&["web.csv".into()])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("`web.csv`: 2 data rows but 1 valid"),
            "{err}"
        );
    }
}
