//! Synthetic sales days for benchmarks and tests, with the dispositions and
//! reports the rules must produce written beside them as `_truth.json`.
//!
//! The truth is worked out here independently of the pipeline: every defect
//! is planted on purpose (one broken rule per invalid row, so its reason is
//! known), duplicates copy rows known to have passed the row rules, and the
//! outlier fences and reports are computed from the survivors with integer
//! money. A test runs `run` on generated days and requires an exact match.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct Options {
    /// Data rows in all, across the three files.
    pub rows: u64,
    pub date: NaiveDate,
    pub out: PathBuf,
    pub seed: u64,
    /// Share of rows that carry a defect (0 to 1).
    pub defect_rate: f64,
    pub id_order: IdOrder,
}

/// How transaction ids follow each other in a file, `--id-order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum IdOrder {
    /// Hashed, UUID-like ids in no order (`W207346918402317`), as POS and
    /// app exports carry them: the default, since a warehouse must keep up
    /// with them.
    #[default]
    Random,
    /// A counter per export day (`W-20261125-548`), as a web shop's order
    /// numbers are: rows arrive nearly in key order.
    Sequential,
}

impl IdOrder {
    /// The number shown for sale `id` of the export day `day` (days from
    /// the common era): the id itself, or a one-to-one scramble of (day,
    /// id) over 48 bits, so ids never repeat across days (up to 2^28 sales
    /// a day) and still look random.
    fn shown(self, day: i32, id: u64) -> u64 {
        const BITS: u32 = 48;
        const MASK: u64 = (1 << BITS) - 1;
        match self {
            IdOrder::Sequential => id,
            IdOrder::Random => {
                // Odd multipliers and xor-shifts are each one-to-one on
                // 48-bit values, so the whole is a permutation.
                let mut x = ((u64::from(day as u32) << 28) | (id & ((1 << 28) - 1))) & MASK;
                x = x.wrapping_mul(0x9E37_79B9_7F4B) & MASK;
                x ^= x >> 24;
                x = x.wrapping_mul(0xBF58_476D_1CE5) & MASK;
                x ^= x >> 21;
                x
            }
        }
    }
}

/// What `run` must find in the generated files with default options
/// (k = 3, top 5).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Truth {
    pub rows: u64,
    pub dispositions: BTreeMap<&'static str, u64>,
    pub invalid_reasons: BTreeMap<&'static str, u64>,
    pub daily_sales: Vec<TruthDaily>,
    /// What the outlier rule holds back per date and channel.
    pub held_back: Vec<TruthHeldBack>,
    pub top5_products: BTreeMap<String, Vec<TruthTop>>,
    /// The same with `--outliers per-product` (default `--outlier-min-rows`).
    pub per_product: TruthPerProduct,
}

/// A day's truth with fences per product.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TruthPerProduct {
    pub min_rows: u64,
    /// Products with fences of their own.
    pub products: u64,
    pub valid: u64,
    pub outlier: u64,
    pub daily_sales: Vec<TruthDaily>,
    pub held_back: Vec<TruthHeldBack>,
    pub top5_products: BTreeMap<String, Vec<TruthTop>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TruthDaily {
    pub date: String,
    pub channel: &'static str,
    pub orders: u64,
    pub units: i64,
    pub revenue: Cents,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TruthHeldBack {
    pub date: String,
    pub channel: &'static str,
    pub rows: u64,
    pub units: i64,
    pub revenue: Cents,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TruthTop {
    pub rank: u32,
    pub product_id: String,
    pub units: i64,
    pub revenue: Cents,
}

/// An amount in cents, written with two decimals (`1062.43`): the truth's
/// own money, made and written without the crate's `Money`, so that the
/// truth stays an oracle independent of the code it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cents(pub i128);

impl Serialize for Cents {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{}.{:02}", self.0 / 100, self.0 % 100))
    }
}

const CHANNELS: [(&str, f64); 3] = [("mobile", 0.3), ("store", 0.2), ("web", 0.5)];
const PRODUCTS: usize = 4_000;
const HEADER: &str =
    "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price";
const CUSTOMERS: [&str; 6] = [
    "\"Larsen, Ingrid\"",
    "\"O'Brien \"\"Pat\"\"\"",
    "C-1001",
    "C-2002",
    "\"Nguyen, Thi\"",
    "",
];

/// The defects a row can carry: each breaks exactly one rule, or repeats a
/// row, or has an absurd quantity.
#[derive(Debug, Clone, Copy)]
enum Defect {
    Invalid(&'static str),
    ExactDuplicate,
    ConflictingDuplicate,
    HugeQuantity,
}

const DEFECTS: [Defect; 17] = [
    Defect::Invalid("ragged_row"),
    Defect::Invalid("missing_transaction_id"),
    Defect::Invalid("missing_timestamp"),
    Defect::Invalid("missing_channel"),
    Defect::Invalid("missing_product_id"),
    Defect::Invalid("missing_quantity"),
    Defect::Invalid("missing_unit_price"),
    Defect::Invalid("bad_quantity"),
    Defect::Invalid("bad_unit_price"),
    Defect::Invalid("bad_timestamp"),
    Defect::Invalid("bad_channel"),
    Defect::Invalid("nonpositive_quantity"),
    Defect::Invalid("negative_unit_price"),
    Defect::ExactDuplicate,
    Defect::ExactDuplicate,
    Defect::ConflictingDuplicate,
    Defect::HugeQuantity,
];

/// A row that passed the row rules and was the first with its id.
#[derive(Clone)]
struct Sale {
    id: u64,
    /// 0: the day before (a late arrival), 1: the day.
    day: u8,
    channel: u8,
    product: u32,
    quantity: i64,
    price_cents: i64,
}

pub fn generate(options: &Options) -> Result<Truth> {
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| Error::Write { path, cause }
    };
    std::fs::create_dir_all(&options.out).map_err(write_error(&options.out))?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(options.seed);
    let (prices, cumulative) = catalogue(&mut rng);
    let days = [options.date - Duration::days(1), options.date];

    let mut survivors: Vec<Sale> = Vec::new();
    let mut invalid_reasons: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut duplicates = 0u64;
    let mut next_id = 1u64;
    let mut remaining = options.rows;

    for (index, (channel, share)) in CHANNELS.iter().enumerate() {
        let rows = if index == CHANNELS.len() - 1 {
            remaining
        } else {
            ((options.rows as f64) * share).round() as u64
        };
        remaining -= rows;
        let path = options.out.join(format!("{channel}_{}.csv", options.date));
        let file = File::create(&path).map_err(write_error(&path))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let end = if *channel == "mobile" { "\r\n" } else { "\n" };
        let mut text = String::with_capacity(1 << 16);
        preamble(&mut text, channel, options.seed, end);
        // Rows of this file that a duplicate may copy: (survivor, line).
        let mut recent: Vec<(usize, String)> = Vec::new();
        let mut scratch = String::new();
        for _ in 0..rows {
            if rng.random_bool(0.001) {
                text.push_str(if rng.random_bool(0.5) {
                    "# a comment"
                } else {
                    "   "
                });
                text.push_str(end);
            }
            let defect = if rng.random_bool(options.defect_rate.clamp(0.0, 1.0)) {
                Some(DEFECTS[rng.random_range(0..DEFECTS.len())])
            } else {
                None
            };
            let copy = rng.random_range(0..recent.len().max(1));
            match (defect, recent.get(copy)) {
                (Some(Defect::ExactDuplicate), Some((_, line))) => {
                    text.push_str(line);
                    duplicates += 1;
                }
                (Some(Defect::ConflictingDuplicate), Some((kept, _))) => {
                    let mut sale = survivors[*kept].clone();
                    sale.quantity += 1;
                    write_sale(&mut text, &sale, index, &days, options.id_order, &mut rng);
                    duplicates += 1;
                }
                (Some(Defect::Invalid(reason)), _) => {
                    let sale = new_sale(&mut rng, &mut next_id, index, &prices, &cumulative);
                    scratch.clear();
                    write_sale(
                        &mut scratch,
                        &sale,
                        index,
                        &days,
                        options.id_order,
                        &mut rng,
                    );
                    text.push_str(&break_rule(&scratch, reason, &mut rng));
                    *invalid_reasons.entry(reason).or_default() += 1;
                }
                (defect, _) => {
                    let mut sale = new_sale(&mut rng, &mut next_id, index, &prices, &cumulative);
                    if matches!(defect, Some(Defect::HugeQuantity)) {
                        sale.quantity = rng.random_range(500..50_000);
                    }
                    let start = text.len();
                    write_sale(&mut text, &sale, index, &days, options.id_order, &mut rng);
                    // Keep a sample of rows to copy, refreshed now and then.
                    if recent.len() < 64 {
                        recent.push((survivors.len(), text[start..].to_owned()));
                    } else if rng.random_ratio(1, 16) {
                        let slot = rng.random_range(0..recent.len());
                        recent[slot] = (survivors.len(), text[start..].to_owned());
                    }
                    survivors.push(sale);
                }
            }
            text.push_str(end);
            if text.len() > 1 << 16 {
                out.write_all(text.as_bytes()).map_err(write_error(&path))?;
                text.clear();
            }
        }
        out.write_all(text.as_bytes()).map_err(write_error(&path))?;
        out.flush().map_err(write_error(&path))?;
    }
    let truth = truth(options.rows, &survivors, invalid_reasons, duplicates, &days);
    let path = options.out.join("_truth.json");
    let json = serde_json::to_string_pretty(&truth).map_err(|e| Error::Write {
        path: path.clone(),
        cause: std::io::Error::other(e),
    })?;
    std::fs::write(&path, json + "\n").map_err(write_error(&path))?;
    Ok(truth)
}

/// Per-product base price in cents, and a Zipf-like popularity as the
/// cumulative share of sales up to each product.
fn catalogue(rng: &mut Xoshiro256PlusPlus) -> (Vec<i64>, Vec<f64>) {
    let prices: Vec<i64> = (0..PRODUCTS)
        .map(|_| rng.random_range(99..50_000))
        .collect();
    let weights: Vec<f64> = (1..=PRODUCTS).map(|rank| 1.0 / rank as f64).collect();
    let total_weight: f64 = weights.iter().sum();
    let cumulative: Vec<f64> = weights
        .iter()
        .scan(0.0, |sum, w| {
            *sum += w / total_weight;
            Some(*sum)
        })
        .collect();
    (prices, cumulative)
}

/// What a file starts with: a byte order mark for the web shop's, a
/// comment naming the seed, the header.
fn preamble(text: &mut String, channel: &str, seed: u64, end: &str) {
    if channel == "web" {
        text.push('\u{feff}');
    }
    text.push_str("# sales-etl generate, seed ");
    text.push_str(&seed.to_string());
    text.push_str(end);
    text.push_str(HEADER);
    text.push_str(end);
}

fn new_sale(
    rng: &mut Xoshiro256PlusPlus,
    next_id: &mut u64,
    channel: usize,
    prices: &[i64],
    cumulative: &[f64],
) -> Sale {
    let pick: f64 = rng.random();
    let product = cumulative.partition_point(|c| *c < pick).min(PRODUCTS - 1);
    // Mostly one to three, with a long tail.
    let quantity = match rng.random_range(0..100) {
        0..=59 => 1,
        60..=84 => 2,
        85..=94 => 3,
        _ => rng.random_range(4..9),
    };
    // Prices vary a little around the product's base price.
    let price_cents = prices[product]
        + if rng.random_bool(0.1) {
            rng.random_range(-5..6)
        } else {
            0
        };
    let id = *next_id;
    *next_id += 1;
    Sale {
        id,
        day: if rng.random_bool(0.01) { 0 } else { 1 },
        channel: channel as u8,
        product: product as u32,
        quantity,
        price_cents,
    }
}

/// Appends the CSV line of `sale` (no line ending) to `out`.
fn write_sale(
    out: &mut String,
    sale: &Sale,
    channel: usize,
    days: &[NaiveDate; 2],
    ids: IdOrder,
    rng: &mut Xoshiro256PlusPlus,
) {
    use std::fmt::Write as _;
    let (name, _) = CHANNELS[channel];
    let seconds = rng.random_range(0..86_400);
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let date = days[sale.day as usize];
    // Ids carry the export's day, so that days generated apart never share one.
    let export = days[1];
    let tag = export.year() * 10_000 + export.month() as i32 * 100 + export.day() as i32;
    let letter = name.as_bytes()[0].to_ascii_uppercase() as char;
    let customer = CUSTOMERS[rng.random_range(0..CUSTOMERS.len())];
    // Writing to a String cannot fail.
    let _ = match ids {
        IdOrder::Sequential => write!(out, "{letter}-{tag}-{}", sale.id),
        IdOrder::Random => write!(
            out,
            "{letter}{:015}",
            ids.shown(export.num_days_from_ce(), sale.id)
        ),
    };
    let _ = match name {
        "web" => write!(out, ",{date}T{h:02}:{m:02}:{s:02}Z,{name},,"),
        "mobile" => write!(
            out,
            ",{date}T{h:02}:{m:02}:{s:02}.{:03}Z,{name},,",
            rng.random_range(0..1000)
        ),
        _ => write!(
            out,
            ",{date} {h:02}:{m:02}:{s:02},{name},ST-{:03},",
            sale.product % 40
        ),
    };
    let _ = write!(
        out,
        "{customer},SKU-{:05},{},{}.{:02}",
        sale.product,
        sale.quantity,
        sale.price_cents / 100,
        sale.price_cents % 100
    );
}

/// The line with exactly `reason` broken. Fields are split naively: only
/// the customer field may hold commas, and it is never the one broken.
fn break_rule(line: &str, reason: &str, rng: &mut Xoshiro256PlusPlus) -> String {
    let (head, rest) = line.split_once(',').expect("a sale line has fields");
    let (timestamp, rest) = rest.split_once(',').expect("timestamp");
    let (channel, rest) = rest.split_once(',').expect("channel");
    let (store, rest) = rest.split_once(',').expect("store");
    let mut tail: Vec<&str> = rest.rsplitn(4, ',').collect();
    tail.reverse(); // customer, product, quantity, price
    let (customer, product, quantity, price) = (tail[0], tail[1], tail[2], tail[3]);
    let pick = |options: &[&'static str], rng: &mut Xoshiro256PlusPlus| {
        options[rng.random_range(0..options.len())]
    };
    let mut fields = [
        head, timestamp, channel, store, customer, product, quantity, price,
    ]
    .map(str::to_owned);
    match reason {
        "ragged_row" => {
            return if rng.random_bool(0.5) {
                fields[..6].join(",")
            } else {
                format!("{},extra", fields.join(","))
            };
        }
        "missing_transaction_id" => fields[0] = pick(&["", "  "], rng).into(),
        "missing_timestamp" => fields[1] = String::new(),
        "missing_channel" => fields[2] = String::new(),
        "missing_product_id" => fields[5] = String::new(),
        "missing_quantity" => fields[6] = " ".into(),
        "missing_unit_price" => fields[7] = String::new(),
        "bad_quantity" => fields[6] = pick(&["two", "1.5", "3e2"], rng).into(),
        "bad_unit_price" => fields[7] = pick(&["\"1,299.00\"", "$5.00", "1e3", "NaN"], rng).into(),
        "bad_timestamp" => {
            fields[1] = pick(
                &["25/11/2026 10:00", "2026-02-30 10:00:00", "yesterday"],
                rng,
            )
            .into()
        }
        "bad_channel" => fields[2] = pick(&["fax", "phone", "webshop"], rng).into(),
        "nonpositive_quantity" => fields[6] = pick(&["0", "-1", "-12"], rng).into(),
        "negative_unit_price" => fields[7] = format!("-{}", fields[7]),
        _ => {}
    }
    fields.join(",")
}

fn truth(
    rows: u64,
    survivors: &[Sale],
    invalid_reasons: BTreeMap<&'static str, u64>,
    duplicates: u64,
    days: &[NaiveDate; 2],
) -> Truth {
    let fences_of = |quantities: &mut Vec<i64>| {
        quantities.sort_unstable();
        (!quantities.is_empty()).then(|| {
            let q1 = quantile(quantities, 0.25);
            let q3 = quantile(quantities, 0.75);
            (q1 - 3.0 * (q3 - q1), q3 + 3.0 * (q3 - q1))
        })
    };
    let mut quantities: Vec<i64> = survivors.iter().map(|s| s.quantity).collect();
    let fences = fences_of(&mut quantities);
    let outside = |q: i64, fences: Option<(f64, f64)>| {
        fences.is_some_and(|(lower, upper)| (q as f64) < lower || (q as f64) > upper)
    };
    let run = verdicts(survivors, days, |sale| outside(sale.quantity, fences));

    // `--outliers per-product`: a product with at least
    // PER_PRODUCT_MIN_ROWS survivors has fences of its own.
    let mut by_product: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
    for sale in survivors {
        by_product
            .entry(sale.product)
            .or_default()
            .push(sale.quantity);
    }
    let own: BTreeMap<u32, Option<(f64, f64)>> = by_product
        .into_iter()
        .filter(|(_, q)| q.len() as u64 >= PER_PRODUCT_MIN_ROWS)
        .map(|(product, mut q)| (product, fences_of(&mut q)))
        .collect();
    let per_product = verdicts(survivors, days, |sale| {
        outside(
            sale.quantity,
            own.get(&sale.product).copied().unwrap_or(fences),
        )
    });

    let invalid: u64 = invalid_reasons.values().sum();
    Truth {
        rows,
        dispositions: BTreeMap::from([
            ("valid", survivors.len() as u64 - run.outliers),
            ("invalid", invalid),
            ("duplicate", duplicates),
            ("outlier", run.outliers),
        ]),
        invalid_reasons,
        daily_sales: run.daily_sales,
        held_back: run.held_back,
        top5_products: run.top5_products,
        per_product: TruthPerProduct {
            min_rows: PER_PRODUCT_MIN_ROWS,
            products: own.len() as u64,
            valid: survivors.len() as u64 - per_product.outliers,
            outlier: per_product.outliers,
            daily_sales: per_product.daily_sales,
            held_back: per_product.held_back,
            top5_products: per_product.top5_products,
        },
    }
}

/// The fewest rows for fences of a product's own in the truth, as
/// `--outlier-min-rows`' default.
const PER_PRODUCT_MIN_ROWS: u64 = 100;

/// The reports of the survivors that `is_outlier` keeps.
struct Verdicts {
    outliers: u64,
    daily_sales: Vec<TruthDaily>,
    held_back: Vec<TruthHeldBack>,
    top5_products: BTreeMap<String, Vec<TruthTop>>,
}

fn verdicts(
    survivors: &[Sale],
    days: &[NaiveDate; 2],
    is_outlier: impl Fn(&Sale) -> bool,
) -> Verdicts {
    let mut daily: BTreeMap<(u8, u8), (u64, i64, i128)> = BTreeMap::new();
    let mut products: BTreeMap<(u8, u32), (i64, i128)> = BTreeMap::new();
    let mut outliers = 0u64;
    let mut held: BTreeMap<(u8, u8), (u64, i64, i128)> = BTreeMap::new();
    for sale in survivors {
        let cents = i128::from(sale.quantity) * i128::from(sale.price_cents);
        if is_outlier(sale) {
            outliers += 1;
            let h = held.entry((sale.day, sale.channel)).or_default();
            h.0 += 1;
            h.1 += sale.quantity;
            h.2 += cents;
            continue;
        }
        let d = daily.entry((sale.day, sale.channel)).or_default();
        d.0 += 1;
        d.1 += sale.quantity;
        d.2 += cents;
        let p = products.entry((sale.day, sale.product)).or_default();
        p.0 += sale.quantity;
        p.1 += cents;
    }
    let daily_sales = daily
        .into_iter()
        .map(|((day, channel), (orders, units, cents))| TruthDaily {
            date: days[day as usize].to_string(),
            channel: CHANNELS[channel as usize].0,
            orders,
            units,
            revenue: Cents(cents),
        })
        .collect();
    let held_back = held
        .into_iter()
        .map(|((day, channel), (rows, units, cents))| TruthHeldBack {
            date: days[day as usize].to_string(),
            channel: CHANNELS[channel as usize].0,
            rows,
            units,
            revenue: Cents(cents),
        })
        .collect();
    let mut top5_products: BTreeMap<String, Vec<TruthTop>> = BTreeMap::new();
    for day in 0..2u8 {
        let mut ranked: Vec<(String, i64, i128)> = products
            .iter()
            .filter(|((d, _), _)| *d == day)
            .map(|((_, product), (units, cents))| (format!("SKU-{product:05}"), *units, *cents))
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
        if !ranked.is_empty() {
            top5_products.insert(
                days[day as usize].to_string(),
                ranked
                    .into_iter()
                    .take(5)
                    .enumerate()
                    .map(|(i, (product_id, units, cents))| TruthTop {
                        rank: i as u32 + 1,
                        product_id,
                        units,
                        revenue: Cents(cents),
                    })
                    .collect(),
            );
        }
    }
    Verdicts {
        outliers,
        daily_sales,
        held_back,
        top5_products,
    }
}

/// Linear interpolation between closest ranks, as numpy's default.
fn quantile(sorted: &[i64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    sorted[below] as f64 + (sorted[above] - sorted[below]) as f64 * fraction
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_linearly() {
        assert_eq!(quantile(&[1, 2, 3, 4], 0.25), 1.75);
        assert_eq!(quantile(&[1, 2, 3, 4, 5, 6, 7, 8, 100], 0.75), 7.0);
        assert_eq!(quantile(&[5], 0.75), 5.0);
    }

    #[test]
    fn same_seed_same_files() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let options = |out: &Path| Options {
            rows: 2_000,
            date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            out: out.to_path_buf(),
            seed: 7,
            defect_rate: 0.1,
            id_order: IdOrder::Random,
        };
        let truth = generate(&options(a.path())).unwrap();
        assert_eq!(generate(&options(b.path())).unwrap(), truth);
        for name in [
            "mobile_2026-11-25.csv",
            "store_2026-11-25.csv",
            "web_2026-11-25.csv",
            "_truth.json",
        ] {
            assert_eq!(
                std::fs::read(a.path().join(name)).unwrap(),
                std::fs::read(b.path().join(name)).unwrap(),
                "{name}"
            );
        }
        let counted: u64 = truth.dispositions.values().sum();
        assert_eq!(counted, 2_000);
    }

    #[test]
    fn random_ids_are_a_permutation_that_differs_by_day() {
        let shown = |tag, id| IdOrder::Random.shown(tag, id);
        let day = NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .num_days_from_ce();
        let ids: std::collections::HashSet<u64> = (1..=100_000)
            .flat_map(|id| [shown(day, id), shown(day + 1, id)])
            .collect();
        assert_eq!(ids.len(), 200_000, "two sales share an id");
        // Not in order: about half of neighbours step down.
        let down = (1..10_000)
            .filter(|id| shown(day, id + 1) < shown(day, *id))
            .count();
        assert!((4_000..6_000).contains(&down), "{down} of 9,999 step down");
        assert!(ids.iter().all(|id| *id < 1 << 48));
        assert_eq!(IdOrder::Sequential.shown(day, 548), 548);
    }
}
