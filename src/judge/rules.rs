//! The validation rules: each one a named Polars expression with its reason
//! string, in the order that decides a row's `reason`.
//!
//! This module owns what makes a row invalid and how raw text becomes typed
//! values. It does not decide duplicates or outliers (those compare rows with
//! each other; see `validate`), and it never drops a row. Adding a rule is one
//! entry in [`RULES`]; the README's rules table is checked against it by a test.

use polars::prelude::*;

use crate::columns::*;

pub use crate::money::MONEY_SCALE;
/// `unit_price` is a DECIMAL(18, 6): at most 12 integer digits.
pub const PRICE_PRECISION: usize = 18;
/// `line_revenue` and sums of it.
pub const REVENUE_PRECISION: usize = 38;

/// The reason of a record cut off at `--max-record-bytes`.
pub const OVERSIZED_ROW: &str = "oversized_row";

/// Where a rule sits in the order of rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Structure,
    Field,
    Range,
}

/// One validation rule.
pub struct Rule {
    /// The reason written to `errors/` for rows that break the rule.
    pub reason: &'static str,
    pub stage: Stage,
    /// One line for the README's rules table.
    pub description: &'static str,
    /// True for rows that break the rule; never null. Reads the raw text
    /// columns and the columns of [`typed_values`].
    pub broken: fn() -> Expr,
}

/// The rules, in the order that decides a row's `reason`.
pub const RULES: &[Rule] = &[
    Rule {
        reason: OVERSIZED_ROW,
        stage: Stage::Structure,
        description: "the row is longer than `--max-record-bytes` (1 MiB unless set; quoted line breaks count); its fields are not kept and reading resumes at the line after the one it starts on",
        broken: || col(OVERSIZED),
    },
    Rule {
        reason: "ragged_row",
        stage: Stage::Structure,
        description: "the row has more or fewer fields than its file's header",
        broken: || col(RAGGED),
    },
    Rule {
        reason: "bad_encoding",
        stage: Stage::Structure,
        description: "the row holds bytes that are not UTF-8 (written to errors/ with U+FFFD in their place)",
        broken: || col(BAD_ENCODING),
    },
    Rule {
        reason: "missing_transaction_id",
        stage: Stage::Field,
        description: "`transaction_id` is empty or only spaces",
        broken: || missing(TRANSACTION_ID),
    },
    Rule {
        reason: "missing_timestamp",
        stage: Stage::Field,
        description: "`timestamp` is empty or only spaces",
        broken: || missing(TIMESTAMP),
    },
    Rule {
        reason: "missing_channel",
        stage: Stage::Field,
        description: "`channel` is empty or only spaces",
        broken: || missing(CHANNEL),
    },
    Rule {
        reason: "missing_product_id",
        stage: Stage::Field,
        description: "`product_id` is empty or only spaces",
        broken: || missing(PRODUCT_ID),
    },
    Rule {
        reason: "missing_quantity",
        stage: Stage::Field,
        description: "`quantity` is empty or only spaces",
        broken: || missing(QUANTITY),
    },
    Rule {
        reason: "missing_unit_price",
        stage: Stage::Field,
        description: "`unit_price` is empty or only spaces",
        broken: || missing(UNIT_PRICE),
    },
    Rule {
        reason: "bad_quantity",
        stage: Stage::Field,
        description: "`quantity` is not an integer from -2147483648 to 2147483647",
        broken: || unparsed(QUANTITY, QUANTITY_UNITS),
    },
    Rule {
        reason: "bad_unit_price",
        stage: Stage::Field,
        description: "`unit_price` is not a plain decimal (`-12.5`, `3`, `.99`) with at most 12 integer digits and 6 decimals; no exponent, separator, currency sign, NaN or infinity",
        broken: || unparsed(UNIT_PRICE, UNIT_PRICE_AMOUNT),
    },
    Rule {
        reason: "bad_timestamp",
        stage: Stage::Field,
        description: "`timestamp` is not a real `YYYY-MM-DD HH:MM:SS` (or `T`), optional fraction, optional `Z` or `±HH:MM`, from 1000-01-01 to 9999-12-31 in UTC (what a warehouse DATETIME holds)",
        broken: || unparsed(TIMESTAMP, TIMESTAMP_UTC),
    },
    Rule {
        reason: "bad_channel",
        stage: Stage::Field,
        description: "`channel` is not web, mobile or store (any case)",
        broken: || unparsed(CHANNEL, CHANNEL_NAME),
    },
    Rule {
        reason: "id_too_long",
        stage: Stage::Field,
        description: "`transaction_id`, `store_id`, `customer_id` or `product_id` is longer than 255 characters, the most a warehouse id column holds",
        broken: || col(LONG_ID),
    },
    Rule {
        reason: "nonpositive_quantity",
        stage: Stage::Range,
        description: "`quantity` is 0 or less",
        broken: || col(QUANTITY_UNITS).lt_eq(lit(0)).fill_null(lit(false)),
    },
    Rule {
        reason: "negative_unit_price",
        stage: Stage::Range,
        description: "`unit_price` is below 0",
        broken: || {
            col(UNIT_PRICE_AMOUNT)
                .lt(lit(0).cast(DataType::Decimal(PRICE_PRECISION, MONEY_SCALE)))
                .fill_null(lit(false))
        },
    },
    Rule {
        reason: "revenue_out_of_range",
        stage: Stage::Range,
        description: "`quantity` × `unit_price` is 9,000,000,000,000 or more, beyond what a warehouse keeps exactly (SQLite's 64-bit integer millionths)",
        broken: || {
            let revenue = col(QUANTITY_UNITS).cast(DataType::Decimal(REVENUE_PRECISION, 0))
                * col(UNIT_PRICE_AMOUNT)
                    .cast(DataType::Decimal(REVENUE_PRECISION, MONEY_SCALE));
            revenue
                .gt_eq(lit(MAX_LINE_REVENUE).cast(DataType::Decimal(REVENUE_PRECISION, MONEY_SCALE)))
                .fill_null(lit(false))
        },
    },
];

/// The least line revenue a row may not have: SQLite keeps money in 64-bit
/// integer millionths (up to about 9.2 × 10^12); MySQL's DECIMAL(38, 6)
/// holds more, but both warehouses must hold every valid row.
pub const MAX_LINE_REVENUE: i64 = 9_000_000_000_000;

/// Input columns the rules read trimmed.
const TRIMMED: [&str; 6] = [
    TRANSACTION_ID,
    TIMESTAMP,
    CHANNEL,
    PRODUCT_ID,
    QUANTITY,
    UNIT_PRICE,
];

/// Name of the trimmed copy of an input column, a temporary of the plan.
fn trimmed(name: &str) -> String {
    format!("{name}__trimmed")
}

/// A field as the rules read it: spaces and tabs around it removed. The raw
/// text is kept verbatim; only checks and parsing use this, and it is
/// computed once per column (every rule on a column reads the same copy).
pub fn trimmed_text() -> Vec<Expr> {
    TRIMMED
        .iter()
        .map(|name| {
            col(*name)
                .str()
                .strip_chars(lit(" \t"))
                .alias(trimmed(name))
        })
        .collect()
}

/// [`trimmed_text`] for rows whose parsed fields `extract` trimmed already
/// (the first read's): those are taken as they are, the ids trimmed.
pub fn trimmed_text_of_screened_rows() -> Vec<Expr> {
    TRIMMED
        .iter()
        .map(|name| match *name {
            TRANSACTION_ID | PRODUCT_ID => col(*name).str().strip_chars(lit(" \t")),
            _ => col(*name),
        })
        .zip(TRIMMED)
        .map(|(expr, name)| expr.alias(trimmed(name)))
        .collect()
}

fn missing(name: &str) -> Expr {
    col(trimmed(name)).eq(lit("")).fill_null(lit(true))
}

/// Present but not parsed: the typed column is null though the text is not
/// empty (an empty field is the `missing_*` rule's).
fn unparsed(raw: &str, typed: &str) -> Expr {
    col(trimmed(raw))
        .neq(lit(""))
        .and(col(typed).is_null())
        .fill_null(lit(false))
}

/// Up to six decimals; further digits may only be zeros (`1.2500000`).
const PLAIN_DECIMAL: &str = r"^[+-]?([0-9]+(\.[0-9]{0,6}0*)?|\.[0-9]{1,6}0*)$";

/// The typed values parsed from the trimmed text (see [`trimmed_text`]),
/// each null where the text does not parse: `quantity_units` (Int32),
/// `unit_price_amount` (Decimal 18,6), `timestamp_utc` (Datetime µs, UTC),
/// `channel_name` (lower-case).
pub fn typed_values() -> [Expr; 4] {
    [
        quantity_units().alias(QUANTITY_UNITS),
        unit_price_amount().alias(UNIT_PRICE_AMOUNT),
        timestamp_utc().alias(TIMESTAMP_UTC),
        channel_name().alias(CHANNEL_NAME),
    ]
}

/// Polars' string-to-integer cast accepts exactly an optional sign and
/// digits (the rules' unit tests pin this), so no pattern is needed.
fn quantity_units() -> Expr {
    let wide = col(trimmed(QUANTITY)).cast(DataType::Int64);
    let fits = wide
        .clone()
        .gt_eq(lit(i32::MIN as i64))
        .and(wide.clone().lt_eq(lit(i32::MAX as i64)));
    when(fits)
        .then(wide.cast(DataType::Int32))
        .otherwise(lit(NULL).cast(DataType::Int32))
}

/// The decimal cast alone would accept exponents and round extra digits, so
/// the text must first be a plain decimal.
fn unit_price_amount() -> Expr {
    let text = col(trimmed(UNIT_PRICE));
    let dtype = DataType::Decimal(PRICE_PRECISION, MONEY_SCALE);
    when(text.clone().str().contains(lit(PLAIN_DECIMAL), true))
        .then(text.cast(dtype.clone()))
        .otherwise(lit(NULL).cast(dtype))
}

/// ISO 8601 in UTC, parsed by [`iso_micros`] in one pass over the column.
/// An expression of slices, patterns and strptime did the same with a
/// dozen intermediate string columns and took 5.3 s of a 10M-row run.
fn timestamp_utc() -> Expr {
    let datetime = DataType::Datetime(TimeUnit::Microseconds, None);
    let output = datetime.clone();
    col(trimmed(TIMESTAMP)).map(
        move |column| {
            // Chunk by chunk, so the result lines up with the frame's other
            // columns (misaligned chunks would make every later filter copy
            // the whole frame).
            let mut chunks = column.str()?.downcast_iter().map(|texts| {
                texts
                    .iter()
                    .map(|text| text.and_then(iso_micros))
                    .collect::<Int64Chunked>()
            });
            let mut micros = chunks.next().unwrap_or_default();
            for chunk in chunks {
                micros.append(&chunk)?;
            }
            Ok(micros
                .with_name(column.name().clone())
                .into_datetime(TimeUnit::Microseconds, None)
                .into_column())
        },
        move |_, field| Ok(Field::new(field.name().clone(), output.clone())),
    )
}

/// Microseconds since the epoch, UTC, of `YYYY-MM-DD HH:MM:SS` (or with
/// `T`), an optional fraction (digits beyond microseconds are truncated)
/// and an optional `Z` or `±HH:MM` offset; `None` for anything else,
/// impossible dates (`2023-02-29`) and times (`25:00:00`) included.
pub fn iso_micros(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = bytes.get(range)?;
        digits.iter().try_fold(0u32, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    if bytes.len() < 19
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b' ' | b'T')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let date =
        chrono::NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    let time = chrono::NaiveTime::from_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?;
    let mut rest = &bytes[19..];
    let mut fraction = 0i64;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let digits = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for position in 0..6 {
            let digit = after_dot
                .get(position)
                .filter(|_| position < digits)
                .map_or(0, |b| b - b'0');
            fraction = fraction * 10 + i64::from(digit);
        }
        rest = &after_dot[digits..];
    }
    let offset_minutes = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from((a - b'0') * 10 + (b - b'0')))
            };
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let minutes = hours * 60 + minutes;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let seconds = date.and_time(time).and_utc().timestamp();
    let micros = seconds * 1_000_000 + fraction - offset_minutes * 60_000_000;
    // What both warehouses' DATETIME holds: a row outside it is rejected
    // here, not fatal to the whole load.
    (EARLIEST_MICROS..AFTER_LAST_MICROS)
        .contains(&micros)
        .then_some(micros)
}

/// 1000-01-01 00:00:00 UTC, the first instant a MySQL DATETIME holds.
const EARLIEST_MICROS: i64 = -30_610_224_000 * 1_000_000;
/// 10000-01-01 00:00:00 UTC, just after the last one (9999-12-31
/// 23:59:59.999999).
const AFTER_LAST_MICROS: i64 = 253_402_300_800 * 1_000_000;

fn channel_name() -> Expr {
    let name = col(trimmed(CHANNEL)).str().to_lowercase();
    let known = CHANNELS
        .iter()
        .map(|channel| name.clone().eq(lit(*channel)))
        .reduce(Expr::or)
        .unwrap_or(lit(false));
    when(known)
        .then(name)
        .otherwise(lit(NULL).cast(DataType::String))
}

/// Name of the column that says whether a row breaks `rule`.
fn flag(rule: &Rule) -> String {
    flag_of(rule.reason)
}

fn flag_of(reason: &str) -> String {
    format!("broken__{reason}")
}

/// One boolean column per rule, read by [`first_broken`] and
/// [`all_reasons`]; computing each rule once keeps both cheap.
pub fn rule_flags() -> Vec<Expr> {
    RULES
        .iter()
        .map(|rule| (rule.broken)().alias(flag(rule)))
        .collect()
}

/// Names of the trimmed copies of [`trimmed_text`], to drop once parsed.
pub fn trimmed_columns() -> Vec<String> {
    TRIMMED.iter().map(|name| trimmed(name)).collect()
}

/// Names of the columns of [`rule_flags`], to drop once reasons are known.
pub fn flag_columns() -> Vec<String> {
    RULES.iter().map(flag).collect()
}

/// Index in [`RULES`] of the first broken rule, as a small integer (cheap on
/// every row); null for rows that break none. [`reason_of`] names it.
pub fn first_broken() -> Expr {
    RULES
        .iter()
        .enumerate()
        .rev()
        .fold(lit(NULL).cast(DataType::UInt32), |later, (index, rule)| {
            when(col(flag(rule)))
                .then(lit(index as u32))
                .otherwise(later)
        })
}

/// The reason of the rule whose index `rule_index` holds. Meant for the
/// rejected rows only.
pub fn reason_of(rule_index: Expr) -> Expr {
    RULES
        .iter()
        .enumerate()
        .rev()
        .fold(lit(NULL).cast(DataType::String), |later, (index, rule)| {
            when(rule_index.clone().eq(lit(index as u32)))
                .then(lit(rule.reason))
                .otherwise(later)
        })
}

/// Every broken rule's reason, `;`-separated; null for rows that break none.
/// Meant for the rejected rows only, where the work is worth it. A row cut
/// off for its size has no fields, so its one reason is that.
pub fn all_reasons() -> Expr {
    let broken: Vec<Expr> = RULES
        .iter()
        .map(|rule| {
            when(col(flag(rule)))
                .then(lit(rule.reason))
                .otherwise(lit(NULL).cast(DataType::String))
        })
        .collect();
    let joined = concat_str(broken, ";", true);
    when(col(flag_of(OVERSIZED_ROW)))
        .then(lit(OVERSIZED_ROW))
        .when(joined.clone().eq(lit("")))
        .then(lit(NULL).cast(DataType::String))
        .otherwise(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row per case: the input columns as text, structural flags off.
    fn judge(rows: &[[&str; 8]]) -> DataFrame {
        let column = |i: usize| {
            Column::new(
                INPUT[i].into(),
                rows.iter().map(|r| r[i]).collect::<Vec<_>>(),
            )
        };
        let n = rows.len();
        let mut columns: Vec<Column> = (0..8).map(column).collect();
        columns.push(Column::new(OVERSIZED.into(), vec![false; n]));
        columns.push(Column::new(RAGGED.into(), vec![false; n]));
        columns.push(Column::new(BAD_ENCODING.into(), vec![false; n]));
        columns.push(Column::new(
            LONG_ID.into(),
            rows.iter()
                .map(|r| {
                    [r[0], r[3], r[4], r[5]]
                        .iter()
                        .any(|id| id.chars().count() > 255)
                })
                .collect::<Vec<_>>(),
        ));
        DataFrame::new(n, columns)
            .unwrap()
            .lazy()
            .with_columns(trimmed_text())
            .with_columns(typed_values())
            .with_columns(rule_flags())
            .with_column(first_broken().alias("rule_index"))
            .with_columns([
                reason_of(col("rule_index")).alias(REASON),
                all_reasons().alias(REASONS),
            ])
            .collect()
            .unwrap()
    }

    const GOOD: [&str; 8] = [
        "T1",
        "2024-03-01 10:00:00",
        "web",
        "S1",
        "C1",
        "P1",
        "2",
        "9.99",
    ];

    fn with(index: usize, value: &'static str) -> [&'static str; 8] {
        let mut row = GOOD;
        row[index] = value;
        row
    }

    fn reasons(frame: &DataFrame) -> Vec<Option<String>> {
        crate::columns::texts(frame, REASONS)
    }

    /// `field` set to each value gives the expected `reasons` (None = valid).
    #[track_caller]
    fn case(field: usize, values: &[(&'static str, Option<&str>)]) {
        let rows: Vec<_> = values.iter().map(|(v, _)| with(field, v)).collect();
        let got = reasons(&judge(&rows));
        for ((value, expected), got) in values.iter().zip(got) {
            assert_eq!(got.as_deref(), *expected, "{} = {value:?}", INPUT[field]);
        }
    }

    #[test]
    fn required_fields() {
        for (field, reason) in [
            (0, "missing_transaction_id"),
            (1, "missing_timestamp"),
            (2, "missing_channel"),
            (5, "missing_product_id"),
            (6, "missing_quantity"),
            (7, "missing_unit_price"),
        ] {
            case(field, &[("", Some(reason)), ("   ", Some(reason))]);
        }
        // store and customer ids are optional.
        case(3, &[("", None)]);
        case(4, &[("", None)]);
    }

    #[test]
    fn quantity() {
        case(
            6,
            &[
                ("3", None),
                (" 3 ", None),
                ("+3", None),
                ("2147483647", None),
                ("2147483648", Some("bad_quantity")),
                ("99999999999999999999999", Some("bad_quantity")),
                ("1.5", Some("bad_quantity")),
                ("3.0", Some("bad_quantity")),
                ("1e3", Some("bad_quantity")),
                ("three", Some("bad_quantity")),
                ("0", Some("nonpositive_quantity")),
                ("-2", Some("nonpositive_quantity")),
            ],
        );
    }

    #[test]
    fn unit_price() {
        case(
            7,
            &[
                ("9.99", None),
                ("0", None),
                ("+1.5", None),
                (".99", None),
                ("5.", None),
                ("1.123456", None),
                ("1.1234560000", None),
                ("999999999999.99", None),
                ("1.1234567", Some("bad_unit_price")),
                ("1000000000000", Some("bad_unit_price")),
                ("1e3", Some("bad_unit_price")),
                ("1,000.00", Some("bad_unit_price")),
                ("$5.00", Some("bad_unit_price")),
                ("NaN", Some("bad_unit_price")),
                ("inf", Some("bad_unit_price")),
                (".", Some("bad_unit_price")),
                ("-0.01", Some("negative_unit_price")),
            ],
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 64,
            rng_seed: proptest::test_runner::RngSeed::Fixed(19),
            ..Default::default()
        })]

        /// Issue "a warehouse you can trust": whatever a row holds, if the
        /// rules let it through, both warehouses hold its values: a time
        /// from 1000-01-01 to 9999-12-31 UTC (MySQL's DATETIME), a price
        /// within DECIMAL(18, 6), a line revenue within SQLite's 64-bit
        /// millionths.
        #[test]
        fn a_valid_row_fits_both_warehouses(
            rows in proptest::collection::vec(
                (
                    0u32..=10_001,
                    1u32..=12,
                    1u32..=28,
                    0u32..=23,
                    proptest::prop_oneof!["", "Z", "[+-](0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]"],
                    proptest::prop_oneof!["-?[0-9]{1,10}", "2147483647", "1"],
                    proptest::prop_oneof!["[0-9]{1,13}(\\.[0-9]{1,6})?", "999999999999\\.999999"],
                ),
                1..40,
            )
        ) {
            let text: Vec<(String, String, String)> = rows
                .iter()
                .map(|(year, month, day, hour, offset, quantity, price)| {
                    let time = format!("{year:04}-{month:02}-{day:02} {hour:02}:30:00{offset}");
                    (time, quantity.clone(), price.clone())
                })
                .collect();
            let rows: Vec<[&str; 8]> = text
                .iter()
                .map(|(time, quantity, price)| {
                    let mut row = GOOD;
                    row[1] = time;
                    row[6] = quantity;
                    row[7] = price;
                    row
                })
                .collect();
            let frame = judge(&rows);
            let valid: Vec<bool> = reasons(&frame).iter().map(Option::is_none).collect();
            let micros = frame.column(TIMESTAMP_UTC).unwrap().datetime().unwrap().physical().clone();
            for (row, ok) in valid.iter().enumerate() {
                if !ok {
                    continue;
                }
                let at = micros.get(row).unwrap();
                proptest::prop_assert!((EARLIEST_MICROS..AFTER_LAST_MICROS).contains(&at), "{:?}", text[row]);
                let quantity: i128 = text[row].1.parse().unwrap();
                let price = crate::money::Money::parse(&text[row].2).unwrap().0;
                proptest::prop_assert!(price < 1_000_000_000_000_000_000, "{:?}", text[row]);
                let revenue = quantity * price;
                proptest::prop_assert!(i64::try_from(revenue).is_ok(), "{:?}", text[row]);
            }
        }
    }

    /// Issue "a warehouse you can trust": every valid row must fit both
    /// warehouses; SQLite keeps money in 64-bit integer millionths.
    #[test]
    fn line_revenue_a_warehouse_holds() {
        let row = |quantity, price| {
            let mut row = GOOD;
            row[6] = quantity;
            row[7] = price;
            row
        };
        let got = reasons(&judge(&[
            row("10", "899999999999.999999"),
            row("10", "900000000000"),
            row("2147483647", "999999999999.999999"),
            row("1", "999999999999.999999"),
        ]));
        let out = Some("revenue_out_of_range".to_owned());
        assert_eq!(got, [None, out.clone(), out, None]);
    }

    #[test]
    fn timestamp() {
        case(
            1,
            &[
                ("2024-03-01T10:00:00", None),
                ("2024-03-01 10:00:00.123456789", None),
                ("2024-03-01T10:00:00Z", None),
                ("2024-03-01T10:00:00+05:30", None),
                ("2024-02-29 23:59:59", None),
                ("2023-02-29 10:00:00", Some("bad_timestamp")),
                ("2024-03-01 25:00:00", Some("bad_timestamp")),
                ("2024-03-01", Some("bad_timestamp")),
                ("01/03/2024 10:00:00", Some("bad_timestamp")),
                ("2024-03-01 10:00:00+24:00", Some("bad_timestamp")),
                ("2024-03-01 10:00:00 UTC", Some("bad_timestamp")),
                ("2024-03-01 10:00:60", Some("bad_timestamp")),
                ("2024-03-01t10:00:00", Some("bad_timestamp")),
                ("2024-03-01T10:00:00.Z", Some("bad_timestamp")),
                ("2024-03-01T10:00:00+05:3", Some("bad_timestamp")),
                ("2024-03-01T10:00:00+05:30Z", Some("bad_timestamp")),
                ("+024-03-01 10:00:00", Some("bad_timestamp")),
                ("２０24-03-01 10:00:00", Some("bad_timestamp")),
                ("yesterday", Some("bad_timestamp")),
                // Issue "a warehouse you can trust": a valid row whose UTC
                // date is 10000-01-01 failed the whole load.
                ("9999-12-31 23:30:00-01:00", Some("bad_timestamp")),
                ("9999-12-31 23:59:59.999999Z", None),
                ("9999-12-31 22:30:00-01:00", None),
                ("1000-01-01 00:00:00", None),
                ("1000-01-01 00:30:00+01:00", Some("bad_timestamp")),
                ("0999-12-31 23:59:59", Some("bad_timestamp")),
                ("0001-01-01 00:00:00", Some("bad_timestamp")),
            ],
        );
    }

    #[test]
    fn offsets_convert_to_utc() {
        let frame = judge(&[
            with(1, "2024-03-01T01:30:00+05:30"),
            with(1, "2024-02-29T23:00:00.5-02:00"),
            with(1, "2024-03-01 10:00:00Z"),
        ]);
        let got: Vec<String> = frame
            .column(TIMESTAMP_UTC)
            .unwrap()
            .as_materialized_series()
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_owned())
            .collect();
        assert_eq!(
            got,
            [
                "2024-02-29 20:00:00.000000",
                "2024-03-01 01:00:00.500000",
                "2024-03-01 10:00:00.000000"
            ]
        );
    }

    #[test]
    fn channel() {
        case(
            2,
            &[
                ("web", None),
                ("Mobile", None),
                (" STORE ", None),
                ("webshop", Some("bad_channel")),
                ("phone", Some("bad_channel")),
            ],
        );
    }

    #[test]
    fn several_broken_rules_first_is_reason() {
        let mut row = with(0, " ");
        row[6] = "-1";
        row[2] = "fax";
        let frame = judge(&[row]);
        assert_eq!(
            frame.column(REASON).unwrap().str().unwrap().get(0),
            Some("missing_transaction_id")
        );
        assert_eq!(
            reasons(&frame)[0].as_deref(),
            Some("missing_transaction_id;bad_channel;nonpositive_quantity")
        );
    }

    #[test]
    fn ids_are_not_trimmed_or_typed() {
        case(0, &[(" T 1 ", None), ("#1", None)]);
        case(5, &[("0001", None)]);
    }

    #[test]
    fn reasons_are_unique() {
        let mut names: Vec<_> = RULES.iter().map(|r| r.reason).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }
}
