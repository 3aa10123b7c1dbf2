//! Stage benchmarks on a generated day: `cargo bench --bench stages`.
//! Each stage runs on the output of the one before, prepared once outside
//! the timing. Whole-program figures are in `benches/quick.sh` and
//! `benches/load.sh`; BENCHMARKS.md records both.

use std::sync::OnceLock;

use chrono::NaiveDate;
use indicatif::ProgressBar;
use polars::prelude::DataFrame;
use sales_etl::discover::{self, InputFile};
use sales_etl::split::Split;
use sales_etl::{aggregate, db, extract, generate, output, split, validate};

/// Rows of the generated day; `STAGE_ROWS` overrides.
fn rows() -> u64 {
    std::env::var("STAGE_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200_000)
}

struct Day {
    _dir: tempfile::TempDir,
    files: Vec<InputFile>,
    raw: DataFrame,
    judged: DataFrame,
    split: Split,
    names: Vec<String>,
}

fn day() -> &'static Day {
    static DAY: OnceLock<Day> = OnceLock::new();
    DAY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("day");
        generate::generate(&generate::Options {
            rows: rows(),
            date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            out: out.clone(),
            seed: 1,
            defect_rate: 0.02,
        })
        .unwrap();
        let files = discover::discover(&out).unwrap().files;
        let (raw, data_rows) = read(&files);
        let judged = validate::judge(raw.clone(), validate::Options::default())
            .unwrap()
            .rows;
        let split = split::split(&judged, &data_rows).unwrap();
        let names = files.iter().map(|f| f.name.clone()).collect();
        Day {
            _dir: dir,
            files,
            raw,
            judged,
            split,
            names,
        }
    })
}

/// The run's raw rows and the data rows of each file.
fn read(files: &[InputFile]) -> (DataFrame, Vec<u64>) {
    let mut counts = Vec::new();
    let mut frames = extract::read_all(files, &ProgressBar::hidden())
        .into_iter()
        .map(|r| {
            let rows = r.unwrap();
            counts.push(rows.data_rows);
            rows.frame
        });
    let mut all = frames.next().unwrap();
    for frame in frames {
        all.vstack_mut_owned(frame).unwrap();
    }
    (all, counts)
}

fn main() {
    day();
    divan::main();
}

#[divan::bench(sample_count = 10)]
fn extract_files() -> (DataFrame, Vec<u64>) {
    read(&day().files)
}

#[divan::bench(sample_count = 10)]
fn validate_rules_dedup_iqr(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| day().raw.clone())
        .bench_values(|raw| validate::judge(raw, validate::Options::default()).unwrap());
}

#[divan::bench(sample_count = 10)]
fn split_and_account() -> Split {
    let counts: Vec<u64> = day().split.files.iter().map(|f| f.data_rows).collect();
    split::split(&day().judged, &counts).unwrap()
}

#[divan::bench(sample_count = 10)]
fn aggregate_reports() -> usize {
    let valid = &day().split.valid;
    aggregate::daily_sales(valid).unwrap().len() + aggregate::top_products(valid, 5).unwrap().len()
}

#[divan::bench(sample_count = 10)]
fn write_csv_outputs(bencher: divan::Bencher) {
    let day = day();
    let rejected: Vec<u64> = day.split.files.iter().map(|f| f.rejected()).collect();
    bencher
        .with_inputs(|| tempfile::tempdir().unwrap())
        .bench_values(|dir| {
            output::write_rejected(
                &dir.path().join("errors"),
                &day.split.rejected,
                &day.names,
                &rejected,
            )
            .unwrap();
            dir
        });
}

#[divan::bench(sample_count = 5)]
fn load_sqlite(bencher: divan::Bencher) {
    let day = day();
    let run = db::Run {
        started_at: db::now_utc(),
        files: Vec::new(),
        names: day.names.clone(),
        totals: day.split.totals.clone(),
        top: 5,
    };
    bencher
        .with_inputs(|| tempfile::tempdir().unwrap())
        .bench_values(|dir| {
            let target = db::Target::Sqlite(dir.path().join("bench.db"));
            db::load(&target, &day.split, &run, db::mysql::LoadMethod::Auto).unwrap();
            dir
        });
}
