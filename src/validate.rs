//! Validate: gives every data row exactly one disposition — `invalid`,
//! `duplicate`, `outlier` or `valid` — in that order of precedence.
//!
//! The per-row rules live in `rules`; this module adds the rules that compare
//! rows with each other (duplicates, IQR outliers) and the derived columns of
//! valid rows. The expensive part (parsing, rules, duplicate windows) is one
//! lazy plan collected once; the fences are then read from that collected
//! frame and the dispositions added to it without recomputing anything.

use polars::prelude::*;

use crate::columns::*;
use crate::error::{Error, Result};
use crate::rules::{self, MONEY_SCALE};

/// What became of a row. In the judged frame a row's disposition is its
/// code (a `UInt32`, cheap on millions of rows); names are written only for
/// rejected rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Valid = 0,
    Invalid = 1,
    Duplicate = 2,
    Outlier = 3,
}

impl Disposition {
    pub const ALL: [Disposition; 4] = [
        Disposition::Valid,
        Disposition::Invalid,
        Disposition::Duplicate,
        Disposition::Outlier,
    ];

    pub fn code(self) -> u32 {
        self as u32
    }

    pub fn name(self) -> &'static str {
        match self {
            Disposition::Valid => "valid",
            Disposition::Invalid => "invalid",
            Disposition::Duplicate => "duplicate",
            Disposition::Outlier => "outlier",
        }
    }

    /// `disposition` equals this one.
    pub fn is(self) -> Expr {
        col(DISPOSITION).eq(lit(self.code()))
    }
}

pub const CONFLICTING_DUPLICATE: &str = "conflicting_duplicate";
pub const DUPLICATE: &str = "duplicate";
pub const OUTLIER: &str = "outlier";
/// Index of a row's first broken rule (see `rules::first_broken`).
pub const RULE_INDEX: &str = "rule_index";
/// A duplicate whose values differ from the kept row's.
pub const CONFLICTING: &str = "conflicting";

/// How the cross-row rules are applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Tukey's k: rows outside `[Q1 − k·IQR, Q3 + k·IQR]` are outliers.
    pub iqr_k: f64,
    /// `false` turns the outlier rule off.
    pub outliers: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            iqr_k: 3.0,
            outliers: true,
        }
    }
}

/// Tukey fences on `quantity` over the run's non-duplicate valid candidates.
/// Quartiles use linear interpolation (numpy's and pandas' default), not
/// Polars' default of nearest.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Fences {
    pub q1: f64,
    pub q3: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Every row of the run with its disposition.
#[derive(Debug)]
pub struct Judged {
    /// File index, line, the raw text, typed values, `date`, `line_revenue`,
    /// `disposition` (a [`Disposition`] code), `rule_index`, `conflicting`
    /// and one flag column per rule; [`reason`] and [`reasons`] name them.
    pub rows: DataFrame,
    /// `None` when the outlier rule is off or no row reached it.
    pub fences: Option<Fences>,
}

/// Values compared between a kept row and a later row with the same
/// `transaction_id`: any difference makes the later one conflicting.
const COMPARED: [&str; 7] = [
    TIMESTAMP_UTC,
    CHANNEL_NAME,
    STORE_ID,
    CUSTOMER_ID,
    PRODUCT_ID,
    QUANTITY_UNITS,
    UNIT_PRICE_AMOUNT,
];

const SURVIVOR: &str = "survivor";
const LATER: &str = "later";
/// Row number within the run, to find rows again after a join.
const ROW: &str = "row";

/// Judges the raw rows of a run (in file-name, then line order).
pub fn judge(raw: DataFrame, options: Options) -> Result<Judged> {
    let checked = raw
        .lazy()
        .with_row_index(ROW, None)
        .with_columns(rules::trimmed_text())
        .with_columns(rules::typed_values())
        .with_columns(rules::rule_flags())
        .with_column(rules::first_broken().alias(RULE_INDEX))
        .with_columns(first_of_each_id())
        .collect()
        .map_err(Error::engine("validate"))?;
    let conflicting = conflicting_rows(&checked)?;

    let fences = if options.outliers {
        fences(&checked, options.iqr_k)?
    } else {
        None
    };

    let outlier = match fences {
        Some(f) => {
            let units = col(QUANTITY_UNITS).cast(DataType::Float64);
            col(SURVIVOR).and(units.clone().lt(lit(f.lower)).or(units.gt(lit(f.upper))))
        }
        None => lit(false),
    };
    let code = |d: Disposition| lit(d.code());
    let disposition = when(col(RULE_INDEX).is_not_null())
        .then(code(Disposition::Invalid))
        .when(col(LATER))
        .then(code(Disposition::Duplicate))
        .when(outlier.clone())
        .then(code(Disposition::Outlier))
        .otherwise(code(Disposition::Valid));
    let valid = col(SURVIVOR).and(outlier.not());
    let revenue = col(QUANTITY_UNITS).cast(DataType::Decimal(10, 0)) * col(UNIT_PRICE_AMOUNT);

    // The rule flags stay: `split` reads them for the rejected rows' `reasons`.
    let mut temporaries = rules::trimmed_columns();
    temporaries.extend([ROW, SURVIVOR, LATER, RAGGED, BAD_ENCODING].map(String::from));
    let rows = checked
        .lazy()
        .with_columns([
            disposition.alias(DISPOSITION),
            col(LATER)
                .and(col(ROW).is_in(lit(conflicting).implode(false), false))
                .alias(CONFLICTING),
            col(TIMESTAMP_UTC).dt().date().alias(DATE),
            when(valid)
                .then(revenue)
                .otherwise(lit(NULL).cast(DataType::Decimal(rules::REVENUE_PRECISION, MONEY_SCALE)))
                .alias(LINE_REVENUE),
        ])
        .drop(cols(temporaries))
        .collect()
        .map_err(Error::engine("dispositions"))?;
    Ok(Judged { rows, fences })
}

/// `disposition` as its name, for rejected rows.
pub fn disposition_name() -> Expr {
    Disposition::ALL
        .iter()
        .rev()
        .fold(lit(NULL).cast(DataType::String), |later, d| {
            when(d.is()).then(lit(d.name())).otherwise(later)
        })
}

/// A rejected row's reason: its first broken rule, `duplicate`,
/// `conflicting_duplicate` or `outlier`.
pub fn reason() -> Expr {
    when(Disposition::Invalid.is())
        .then(rules::reason_of(col(RULE_INDEX)))
        .when(Disposition::Duplicate.is().and(col(CONFLICTING)))
        .then(lit(CONFLICTING_DUPLICATE))
        .when(Disposition::Duplicate.is())
        .then(lit(DUPLICATE))
        .when(Disposition::Outlier.is())
        .then(lit(OUTLIER))
        .otherwise(lit(NULL).cast(DataType::String))
}

/// A rejected row's every reason, `;`-separated.
pub fn reasons() -> Expr {
    when(Disposition::Invalid.is())
        .then(rules::all_reasons())
        .otherwise(reason())
}

/// `survivor`: passed the row rules and is the first row with its id.
/// `later`: passed the row rules but a row before it has the same id.
/// Rows that failed a rule take no part, so an invalid row never hides a
/// valid one.
fn first_of_each_id() -> [Expr; 2] {
    let passed = col(RULE_INDEX).is_null();
    let key = when(passed.clone())
        .then(col(TRANSACTION_ID))
        .otherwise(lit(NULL).cast(DataType::String));
    let first = passed.clone().and(key.is_first_distinct());
    [
        first.clone().alias(SURVIVOR),
        passed.and(first.not()).alias(LATER),
    ]
}

/// Row numbers of later rows whose compared values differ from their kept
/// row's. Only later rows and their kept rows are compared — usually a tiny
/// share of a run — instead of a window over every row.
fn conflicting_rows(checked: &DataFrame) -> Result<Series> {
    let engine = Error::engine("duplicates");
    let compared = |frame: LazyFrame, suffix: &str| {
        let mut columns = vec![
            col(ROW).alias(format!("{ROW}{suffix}")),
            col(TRANSACTION_ID),
        ];
        columns.extend(
            COMPARED
                .iter()
                .map(|c| col(*c).alias(format!("{c}{suffix}"))),
        );
        frame.select(columns)
    };
    let later = checked.clone().lazy().filter(col(LATER));
    let later_ids = later
        .clone()
        .select([col(TRANSACTION_ID)])
        .collect()
        .map_err(engine)?;
    let kept = checked.clone().lazy().filter(
        col(SURVIVOR).and(
            col(TRANSACTION_ID).is_in(
                lit(later_ids
                    .column(TRANSACTION_ID)
                    .map_err(Error::engine("duplicates"))?
                    .as_materialized_series()
                    .clone())
                .implode(false),
                false,
            ),
        ),
    );
    let differs = COMPARED
        .iter()
        .map(|c| {
            col(format!("{c}_later"))
                .eq_missing(col(format!("{c}_kept")))
                .not()
        })
        .reduce(|a, b| a.or(b))
        .expect("COMPARED is not empty");
    let conflicting = compared(later, "_later")
        .join(
            compared(kept, "_kept"),
            [col(TRANSACTION_ID)],
            [col(TRANSACTION_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(differs)
        .select([col(format!("{ROW}_later"))])
        .collect()
        .map_err(Error::engine("duplicates"))?;
    Ok(conflicting
        .column(&format!("{ROW}_later"))
        .map_err(Error::engine("duplicates"))?
        .as_materialized_series()
        .clone())
}

fn fences(checked: &DataFrame, k: f64) -> Result<Option<Fences>> {
    let units = col(QUANTITY_UNITS).filter(col(SURVIVOR));
    let quartiles = checked
        .clone()
        .lazy()
        .select([
            units
                .clone()
                .quantile(lit(0.25), QuantileMethod::Linear)
                .alias("q1"),
            units
                .quantile(lit(0.75), QuantileMethod::Linear)
                .alias("q3"),
        ])
        .collect()
        .map_err(Error::engine("outlier fences"))?;
    let value = |name: &str| -> Result<Option<f64>> {
        let column = quartiles
            .column(name)
            .and_then(|c| c.cast(&DataType::Float64))
            .map_err(Error::engine("outlier fences"))?;
        Ok(column
            .f64()
            .map_err(Error::engine("outlier fences"))?
            .get(0))
    };
    let (Some(q1), Some(q3)) = (value("q1")?, value("q3")?) else {
        return Ok(None);
    };
    let iqr = q3 - q1;
    Ok(Some(Fences {
        q1,
        q3,
        lower: q1 - k * iqr,
        upper: q3 + k * iqr,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of (transaction_id, quantity, unit_price, ragged); other fields valid.
    fn raw(rows: &[(&str, &str, &str, bool)]) -> DataFrame {
        let n = rows.len();
        let text = |value: &str| Column::new("".into(), vec![value; n]);
        DataFrame::new(
            n,
            vec![
                Column::new(FILE_INDEX.into(), vec![0u32; n]),
                Column::new(SOURCE_LINE.into(), (2..2 + n as u64).collect::<Vec<_>>()),
                Column::new(RAGGED.into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
                Column::new(BAD_ENCODING.into(), vec![false; n]),
                Column::new(
                    TRANSACTION_ID.into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                ),
                text("2024-03-01 10:00:00").with_name(TIMESTAMP.into()),
                text("web").with_name(CHANNEL.into()),
                text("").with_name(STORE_ID.into()),
                text("C1").with_name(CUSTOMER_ID.into()),
                text("P1").with_name(PRODUCT_ID.into()),
                Column::new(
                    QUANTITY.into(),
                    rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                ),
                Column::new(
                    UNIT_PRICE.into(),
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap()
    }

    fn strings(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
        frame
            .column(name)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect()
    }

    /// The judged rows with disposition and reason as names.
    fn named(judged: &Judged) -> DataFrame {
        judged
            .rows
            .clone()
            .lazy()
            .with_columns([
                disposition_name().alias(DISPOSITION),
                reason().alias(REASON),
            ])
            .collect()
            .unwrap()
    }

    fn no_outliers() -> Options {
        Options {
            iqr_k: 3.0,
            outliers: false,
        }
    }

    #[test]
    fn ragged_row_is_invalid_first() {
        let judged = judge(raw(&[("T1", "1", "1", true)]), no_outliers()).unwrap();
        assert_eq!(
            strings(&named(&judged), DISPOSITION),
            [Some("invalid".into())]
        );
        assert_eq!(
            strings(&named(&judged), REASON),
            [Some("ragged_row".into())]
        );
    }

    #[test]
    fn duplicates_exact_conflicting_and_invalid_never_hides_valid() {
        let judged = judge(
            raw(&[
                ("T1", "-1", "1", false),   // invalid: does not claim T1
                ("T1", "1", "1.0", false),  // kept
                ("T1", "1", "1.00", false), // same values: duplicate
                ("T1", "2", "1", false),    // conflicting
                ("T2", "1", "1", false),
            ]),
            no_outliers(),
        )
        .unwrap();
        assert_eq!(
            strings(&named(&judged), DISPOSITION),
            ["invalid", "valid", "duplicate", "duplicate", "valid"].map(|s| Some(s.to_owned()))
        );
        assert_eq!(
            strings(&named(&judged), REASON),
            [
                Some("nonpositive_quantity".into()),
                None,
                Some("duplicate".into()),
                Some("conflicting_duplicate".into()),
                None
            ]
        );
    }

    #[test]
    fn outliers_by_linear_quartiles() {
        // Survivor quantities 1..=8 and 100: Q1 = 3, Q3 = 7 (linear), IQR 4,
        // fences [-9, 19] at k = 3; 100 is out. The duplicate 500 takes no part.
        let mut rows: Vec<(String, String)> =
            (1..=8).map(|q| (format!("T{q}"), q.to_string())).collect();
        rows.push(("T9".into(), "100".into()));
        rows.push(("T1".into(), "500".into()));
        let input: Vec<_> = rows
            .iter()
            .map(|(t, q)| (t.as_str(), q.as_str(), "1", false))
            .collect();
        let judged = judge(raw(&input), Options::default()).unwrap();
        assert_eq!(
            judged.fences,
            Some(Fences {
                q1: 3.0,
                q3: 7.0,
                lower: -9.0,
                upper: 19.0
            })
        );
        let dispositions = strings(&named(&judged), DISPOSITION);
        assert_eq!(dispositions[8].as_deref(), Some(OUTLIER));
        assert_eq!(dispositions[9].as_deref(), Some(DUPLICATE));
        assert!(dispositions[..8]
            .iter()
            .all(|d| d.as_deref() == Some("valid")));
    }

    #[test]
    fn zero_iqr_makes_every_other_value_an_outlier() {
        let judged = judge(
            raw(&[
                ("A", "2", "1", false),
                ("B", "2", "1", false),
                ("C", "2", "1", false),
                ("D", "2", "1", false),
                ("E", "3", "1", false),
            ]),
            Options::default(),
        )
        .unwrap();
        assert_eq!(
            strings(&named(&judged), DISPOSITION),
            ["valid", "valid", "valid", "valid", "outlier"].map(|s| Some(s.to_owned()))
        );
    }

    #[test]
    fn line_revenue_is_exact() {
        let judged = judge(
            raw(&[("T1", "3", "0.10", false), ("T2", "7", "19.999999", false)]),
            no_outliers(),
        )
        .unwrap();
        let revenue = judged
            .rows
            .column(LINE_REVENUE)
            .unwrap()
            .decimal()
            .unwrap()
            .physical()
            .clone();
        assert_eq!(
            revenue.iter().collect::<Vec<_>>(),
            [Some(300_000i128), Some(139_999_993)]
        );
    }
}
