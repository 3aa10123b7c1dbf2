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
use crate::judge::aggregate::{ChunkSums, HOUR};
pub use crate::judge::fences::{fences_of, Fences};
use crate::judge::rules::{self, MONEY_SCALE};

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

    /// A row's disposition from what the first read saw of it and whether
    /// its quantity lies outside the fences it is held to: the one rule
    /// every judgement of a row uses (the first read's ledger and the
    /// re-reads for `errors/`, the load and the export).
    pub fn of(seen: Seen, outside_fences: bool) -> Disposition {
        match seen {
            Seen::Invalid => Disposition::Invalid,
            Seen::Again | Seen::Conflicting => Disposition::Duplicate,
            Seen::First if outside_fences => Disposition::Outlier,
            Seen::First => Disposition::Valid,
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
    /// Fences per product for the products with at least this many first
    /// rows (the others keep the run's); `None`: the run's fences for all.
    pub per_product: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            iqr_k: 3.0,
            outliers: true,
            per_product: None,
        }
    }
}

/// Every row of a few judged in one go ([`judge`], for the tests).
#[cfg(test)]
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
/// (Store and customer ids by the hash `extract` made of them.)
const COMPARED: [&str; 6] = [
    TIMESTAMP_UTC,
    CHANNEL_NAME,
    OTHER_VALUES,
    PRODUCT_ID,
    QUANTITY_UNITS,
    UNIT_PRICE_AMOUNT,
];

/// The row rules, as a plan over raw rows: trimmed text, typed values, one
/// flag per rule and `rule_index` (null for a row that breaks none). Both
/// reads of a run use this same plan, so both judge a row alike.
fn checked(raw: DataFrame) -> LazyFrame {
    checked_with(raw, rules::trimmed_text())
}

fn checked_with(raw: DataFrame, trimmed_text: Vec<Expr>) -> LazyFrame {
    raw.lazy()
        .with_columns(trimmed_text)
        .with_columns(rules::typed_values())
        .with_columns(rules::rule_flags())
        .with_column(rules::first_broken().alias(RULE_INDEX))
}

/// What the first read learns of a row, one byte per row of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Seen {
    /// Broke a row rule.
    Invalid = 0,
    /// Passed the row rules and is the first such row with its id.
    First = 1,
    /// Passed, but an earlier row has its id and the same values.
    Again = 2,
    /// Passed, but an earlier row has its id and different values.
    Conflicting = 3,
}

/// The run's cross-row memory: which ids have been seen (with a hash of
/// their first row's compared values) and how often each quantity occurs
/// among first rows. This is all the duplicate and IQR rules need, so a run
/// never holds its rows, only this.
#[derive(Default)]
pub struct Screen {
    ids: crate::judge::ids::IdIndex,
    /// Quantity → number of first rows with it: the quartiles, exactly.
    quantities: std::collections::BTreeMap<i32, u64>,
}

/// What the read keeps of a chunk of rows once the row rules are applied,
/// made on any thread: the cross-row rules need only this of it, in order
/// (see [`Screen::observe`]), and the sales sums of the rows that passed.
pub struct Screened {
    /// Per row: physical line, and byte offset in the file.
    pub lines: Vec<u64>,
    pub offsets: Vec<u64>,
    /// Per row: passed the row rules.
    passed: Vec<bool>,
    /// Per row: the id, its hash for the id index and the hash of its
    /// compared values (both 0 where the row did not pass).
    ids: StringChunked,
    id_hashes: Vec<u64>,
    values: Vec<u64>,
    /// Per row: the quantity (0 where it did not parse).
    pub quantities: Vec<i32>,
    /// The sums of the rows that passed.
    pub sums: ChunkSums,
}

impl Screened {
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Per row: passed the row rules.
    pub fn passed(&self) -> &[bool] {
        &self.passed
    }

    /// Takes the rows that passed the row rules but are not first with
    /// their id (`seen`: the verdicts of [`Screen::observe`]) out of
    /// [`Screened::sums`].
    pub fn take_away_repeated(&mut self, seen: &[Seen]) {
        let repeated = self
            .passed
            .iter()
            .zip(seen)
            .filter(|(passed, _)| **passed)
            .map(|(_, s)| *s != Seen::First);
        self.sums.take_away(repeated);
    }
}

/// Applies the row rules to a chunk of raw rows (see `extract`) and keeps
/// what the rest of the read needs of it: [`Screened`]. `screening`: the
/// rows were read for screening (`extract::FileReader::for_screening`), their
/// parsed fields trimmed already.
pub fn screen_rows(raw: DataFrame, screening: bool) -> Result<Screened> {
    let engine = || Error::engine("validate");
    let lines = raw
        .column(SOURCE_LINE)
        .and_then(|c| c.u64().cloned())
        .map_err(engine())?
        .into_no_null_iter()
        .collect();
    let offsets = match raw.column(SOURCE_OFFSET) {
        Ok(column) => column
            .u64()
            .map_err(engine())?
            .into_no_null_iter()
            .collect(),
        Err(_) => vec![0; raw.height()],
    };
    let mut selected = vec![
        col(RULE_INDEX).is_null().alias("passed"),
        col(TRANSACTION_ID),
        col(QUANTITY_UNITS).alias("__quantity"),
        col(FILE_INDEX),
        col(TIMESTAMP_UTC).dt().date().alias(DATE),
        col(TIMESTAMP_UTC).dt().hour().alias(HOUR),
        col(CHANNEL_NAME).alias("__channel"),
        (col(QUANTITY_UNITS).cast(DataType::Decimal(10, 0)) * col(UNIT_PRICE_AMOUNT))
            .cast(DataType::Decimal(rules::REVENUE_PRECISION, MONEY_SCALE))
            .alias(LINE_REVENUE),
    ];
    selected.extend(COMPARED.iter().map(|c| col(*c)));
    let trimmed_text = if screening {
        rules::trimmed_text_of_screened_rows()
    } else {
        rules::trimmed_text()
    };
    let frame = checked_with(raw, trimmed_text)
        .select(selected)
        .collect()
        .map_err(engine())?;
    let passed: Vec<bool> = frame
        .column("passed")
        .and_then(|c| c.bool().cloned())
        .map_err(engine())?
        .iter()
        .map(|p| p == Some(true))
        .collect();
    let quantities: Vec<i32> = frame
        .column("__quantity")
        .and_then(|c| c.i32().cloned())
        .map_err(engine())?
        .iter()
        .map(|q| q.unwrap_or(0))
        .collect();
    let all_values = crate::judge::ids::row_hashes(&frame, &COMPARED)?;
    let id_column = frame
        .column(TRANSACTION_ID)
        .and_then(|c| c.str().cloned())
        .map_err(engine())?;
    let id_hashes = passed
        .iter()
        .zip(id_column.iter())
        .map(|(passed, id)| match (passed, id) {
            (true, Some(id)) => crate::judge::ids::id_hash(id.as_bytes()),
            _ => 0,
        })
        .collect();
    let mask = BooleanChunked::from_slice("passed".into(), &passed);
    let mut sales = frame
        .select([
            DATE,
            FILE_INDEX,
            "__channel",
            PRODUCT_ID,
            "__quantity",
            LINE_REVENUE,
            HOUR,
        ])
        .and_then(|f| f.filter(&mask))
        .map_err(engine())?;
    sales
        .rename("__channel", CHANNEL.into())
        .and_then(|f| f.rename("__quantity", QUANTITY.into()))
        .map_err(engine())?;
    let sums = ChunkSums::of(&sales)?;
    Ok(Screened {
        lines,
        offsets,
        passed,
        ids: id_column,
        id_hashes,
        values: all_values,
        quantities,
        sums,
    })
}

impl Screen {
    /// Records the rows of a screened chunk, which must come in the run's
    /// order; returns one [`Seen`] per row.
    pub fn observe(&mut self, chunk: &Screened) -> Vec<Seen> {
        let mut seen = Vec::with_capacity(chunk.rows());
        for (i, (passed, id)) in chunk.passed.iter().zip(chunk.ids.iter()).enumerate() {
            let (true, Some(id)) = (*passed, id) else {
                seen.push(Seen::Invalid);
                continue;
            };
            let verdict =
                match self
                    .ids
                    .observe_hashed(chunk.id_hashes[i], id.as_bytes(), chunk.values[i])
                {
                    crate::judge::ids::Observed::New => {
                        *self.quantities.entry(chunk.quantities[i]).or_default() += 1;
                        Seen::First
                    }
                    crate::judge::ids::Observed::Same => Seen::Again,
                    crate::judge::ids::Observed::Different => Seen::Conflicting,
                };
            seen.push(verdict);
        }
        seen
    }

    /// A screen with room for about `rows` distinct ids before it grows.
    pub fn with_capacity(rows: usize) -> Screen {
        Screen {
            ids: crate::judge::ids::IdIndex::with_capacity(rows),
            quantities: Default::default(),
        }
    }

    /// Tukey fences over the quantities of the first rows seen so far;
    /// `None` when there are none.
    pub fn fences(&self, k: f64) -> Option<Fences> {
        fences_of(&self.quantities, k)
    }
}

/// Judges the raw rows of a run (in file-name, then line order) in one go,
/// as a run does in its two reads: the row rules and the ids
/// ([`Screen::observe`]), the run's fences, then [`judge_rows`]. The
/// tests' way to judge a few rows.
#[cfg(test)]
pub fn judge(raw: DataFrame, options: Options) -> Result<Judged> {
    let mut screen = Screen::default();
    let screened = screen_rows(raw.clone(), false)?;
    let seen = screen.observe(&screened);
    let fences = match options.outliers {
        true => screen.fences(options.iqr_k),
        false => None,
    };
    let outside: Vec<bool> = (screened.quantities.iter())
        .map(|q| fences.is_some_and(|f| f.outside(*q)))
        .collect();
    let rows = judge_rows(raw, &seen, &outside)?;
    Ok(Judged { rows, fences })
}

/// Gives every row of `raw` its disposition by [`Disposition::of`], from
/// what the first read saw of it (`seen`) and whether its quantity lies
/// outside the fences it is held to (`outside`), one of each per row; and
/// checks that the row rules, applied again to the rows read again, break
/// a rule on exactly the rows the first read found invalid.
pub fn judge_rows(raw: DataFrame, seen: &[Seen], outside: &[bool]) -> Result<DataFrame> {
    if seen.len() != raw.height() || outside.len() != raw.height() {
        return Err(Error::Internal(format!(
            "{} rows to judge but {} screened and {} outlier flags",
            raw.height(),
            seen.len(),
            outside.len()
        )));
    }
    let codes: Vec<u32> = (seen.iter().zip(outside))
        .map(|(seen, outside)| Disposition::of(*seen, *outside).code())
        .collect();
    let conflicting: Vec<bool> = seen.iter().map(|s| *s == Seen::Conflicting).collect();
    let mut raw = raw;
    for column in [
        Column::new(DISPOSITION.into(), codes),
        Column::new(CONFLICTING.into(), conflicting),
    ] {
        raw.with_column(column).map_err(Error::engine("validate"))?;
    }
    let revenue = col(QUANTITY_UNITS).cast(DataType::Decimal(10, 0)) * col(UNIT_PRICE_AMOUNT);
    // The rule flags stay: `split` reads them for the rejected rows' `reasons`.
    let mut temporaries = rules::trimmed_columns();
    temporaries.extend([OVERSIZED, RAGGED, BAD_ENCODING, LONG_ID].map(String::from));
    let judged = checked(raw)
        .with_columns([
            col(TIMESTAMP_UTC).dt().date().alias(DATE),
            when(Disposition::Valid.is())
                .then(revenue)
                .otherwise(lit(NULL).cast(DataType::Decimal(rules::REVENUE_PRECISION, MONEY_SCALE)))
                .alias(LINE_REVENUE),
        ])
        .drop(cols(temporaries))
        .collect()
        .map_err(Error::engine("dispositions"))?;
    agrees_with_first_read(&judged)?;
    Ok(judged)
}

/// The rows the rules find broken now are those judged invalid: the same
/// rule on the same bytes cannot disagree, so a difference is a bug (or a
/// file changed under the run, which the read's checks catch first).
fn agrees_with_first_read(judged: &DataFrame) -> Result<()> {
    let engine = || Error::engine("dispositions");
    let broken = judged.column(RULE_INDEX).map_err(engine())?.is_not_null();
    let invalid = judged
        .column(DISPOSITION)
        .and_then(|c| c.u32().cloned())
        .map_err(engine())?;
    let differ = (broken.iter().zip(invalid.iter()))
        .position(|(broken, code)| broken != Some(code == Some(Disposition::Invalid.code())));
    match differ {
        None => Ok(()),
        Some(row) => Err(Error::Internal(format!(
            "row {row} of a chunk read again is judged otherwise than at the first read"
        ))),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The fences from the quantity histogram equal Polars' linear
    /// quantiles over the same values, for many small and skewed samples.
    #[test]
    fn histogram_quartiles_equal_polars_linear_quantiles() {
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for case in 0..300 {
            let len = 1 + next(40) as usize;
            let values: Vec<i32> = (0..len)
                .map(|_| match next(10) {
                    0 => next(50_000) as i32 - 100,
                    _ => 1 + next(4) as i32,
                })
                .collect();
            let mut screen = Screen::default();
            for v in &values {
                *screen.quantities.entry(*v).or_default() += 1;
            }
            let got = screen.fences(1.5).unwrap();
            let series = Series::new("q".into(), &values);
            let polars = |q: f64| {
                series
                    .quantile_reduce(q, QuantileMethod::Linear)
                    .unwrap()
                    .value()
                    .extract::<f64>()
                    .unwrap()
            };
            assert_eq!(got.q1, polars(0.25), "case {case}: {values:?}");
            assert_eq!(got.q3, polars(0.75), "case {case}: {values:?}");
        }
        assert_eq!(Screen::default().fences(3.0), None);
    }

    /// Rows of (transaction_id, quantity, unit_price, ragged); other fields valid.
    fn raw(rows: &[(&str, &str, &str, bool)]) -> DataFrame {
        let n = rows.len();
        let text = |value: &str| Column::new("".into(), vec![value; n]);
        DataFrame::new(
            n,
            vec![
                Column::new(FILE_INDEX.into(), vec![0u32; n]),
                Column::new(SOURCE_LINE.into(), (2..2 + n as u64).collect::<Vec<_>>()),
                Column::new(OVERSIZED.into(), vec![false; n]),
                Column::new(RAGGED.into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
                Column::new(BAD_ENCODING.into(), vec![false; n]),
                Column::new(LONG_ID.into(), vec![false; n]),
                Column::new(OTHER_VALUES.into(), vec![0u64; n]),
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

    use crate::columns::texts as strings;

    #[test]
    fn one_rule_gives_every_disposition() {
        use Disposition::*;
        for (seen, outside, want) in [
            (Seen::Invalid, false, Invalid),
            (Seen::Invalid, true, Invalid),
            (Seen::Again, true, Duplicate),
            (Seen::Conflicting, false, Duplicate),
            (Seen::First, true, Outlier),
            (Seen::First, false, Valid),
        ] {
            assert_eq!(Disposition::of(seen, outside), want, "{seen:?} {outside}");
        }
    }

    /// A re-read whose rules disagree with the first read's verdict (a
    /// row the first read found invalid passes now, or the other way) is
    /// an internal error, not a row quietly judged twice two ways.
    #[test]
    fn a_re_read_that_disagrees_with_the_first_read_fails() {
        // "T1" passes every rule; "T2" has quantity 0, which breaks one.
        let rows = [("T1", "1", "1.00", false), ("T2", "0", "1.00", false)];
        judge_rows(raw(&rows), &[Seen::First, Seen::Invalid], &[false; 2]).unwrap();
        for seen in [[Seen::Invalid, Seen::Invalid], [Seen::First, Seen::First]] {
            let error = judge_rows(raw(&rows), &seen, &[false; 2]).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("otherwise than at the first read"),
                "{error}"
            );
        }
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
            per_product: None,
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
