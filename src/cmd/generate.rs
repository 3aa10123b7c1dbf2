//! `sales-etl generate`: write a realistic synthetic day of exports and the
//! truth the rules must find in it.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use crate::error::{Error, Result};
use crate::generate::{self, IdOrder, Options};
use crate::money::grouped;

pub const EXAMPLES: &str = "\
Examples:
  sales-etl generate --rows 1000000 --date 2026-11-25 --out data/raw
  sales-etl generate --rows 10000000 --date 2026-11-25 --out /tmp/day --seed 7 --defect-rate 0.05
  sales-etl generate --rows 1000000 --date 2026-11-25 --out /tmp/sorted --id-order sequential
  sales-etl run data/raw --format json | jq .totals   # compare with data/raw/_truth.json";

/// Write a synthetic sales day (web, mobile, store files) and its truth.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct GenerateArgs {
    /// Data rows in all, split about 50/30/20 over web, mobile and store.
    #[arg(long, value_name = "N")]
    pub rows: u64,

    /// The day, YYYY-MM-DD; about 1% of rows arrive late from the day before.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub date: NaiveDate,

    /// Folder for the files and `_truth.json`; created when missing.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Seed: the same seed gives byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Share of rows with a defect: each invalid reason, exact and
    /// conflicting duplicates, absurd quantities.
    #[arg(long, default_value_t = 0.02, value_name = "R", value_parser = parse_rate)]
    pub defect_rate: f64,

    /// How transaction ids follow each other: `random` (hashed, as POS and
    /// app exports carry them) or `sequential` (a counter per day, as web
    /// shop order numbers). Benchmarks run both: the warehouse's speed
    /// depends on the order ids reach its key.
    #[arg(long, value_enum, default_value_t = IdOrder::Random, value_name = "ORDER")]
    pub id_order: IdOrder,

    /// Write into a folder that already holds a generated day, replacing
    /// its `_truth.json` (which then covers only this day).
    ///
    /// Without it such a folder is refused (exit 2): a run's outlier
    /// fences cover every file of the run, so two days' truths do not add
    /// up. Generate each day into its own `DIR/YYYY-MM-DD/` folder and
    /// backfill them (`run DIR --from … --to …`), one batch a day.
    #[arg(long)]
    pub force: bool,
}

fn parse_rate(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("`{text}` is not a rate from 0 to 1")),
    }
}

pub fn run(args: &GenerateArgs) -> Result<()> {
    let truth_file = args.out.join("_truth.json");
    if truth_file.exists() && !args.force {
        return Err(Error::AlreadyGenerated { path: truth_file });
    }
    let start = std::time::Instant::now();
    let truth = generate::generate(&Options {
        rows: args.rows,
        date: args.date,
        out: args.out.clone(),
        seed: args.seed,
        defect_rate: args.defect_rate,
        id_order: args.id_order,
    })?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "wrote {} rows to {} in {seconds:.1} s ({} rows/s); truth in _truth.json: {} valid, {} invalid, {} duplicate, {} outlier",
        grouped(truth.rows),
        args.out.display(),
        grouped((truth.rows as f64 / seconds.max(1e-9)) as u64),
        grouped(truth.dispositions["valid"]),
        grouped(truth.dispositions["invalid"]),
        grouped(truth.dispositions["duplicate"]),
        grouped(truth.dispositions["outlier"]),
    );
    Ok(())
}
