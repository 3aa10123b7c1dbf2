//! Stage benchmarks on a generated day: `cargo bench --bench stages`.
//! Each benchmark runs the code a real run runs: the two passes with no
//! sink, a batch writing its files, and a batch loading into a fresh SQLite
//! file. Whole-program figures are in `benches/quick.sh`,
//! `benches/compare.sh` and `benches/load.sh`; BENCHMARKS.md records them.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use sales_etl::db::load::LoadOptions;
use sales_etl::db::{mysql::LoadMethod, Target};
use sales_etl::generate;
use sales_etl::judge::validate;
use sales_etl::messages::Messages;
use sales_etl::run::batch::{self, Outputs};
use sales_etl::run::pipeline::{self, Config};

/// Rows of the generated day; `STAGE_ROWS` overrides.
fn rows() -> u64 {
    std::env::var("STAGE_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200_000)
}

/// The generated day's folder, made once.
fn day() -> &'static PathBuf {
    static DAY: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DAY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("day");
        generate::generate(&generate::Options {
            rows: rows(),
            date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            out: out.clone(),
            seed: 1,
            defect_rate: 0.02,
            id_order: generate::IdOrder::Random,
        })
        .unwrap();
        (dir, out)
    })
    .1
}

fn config(out: &std::path::Path) -> Config {
    Config {
        input_dir: day().clone(),
        errors_dir: out.join("errors"),
        reports_dir: out.join("reports"),
        top: 5,
        rules: validate::Options::default(),
        skip_bad_files: false,
        batch_rows: pipeline::DEFAULT_BATCH_ROWS,
        threads: 1,
        range_bytes: pipeline::DEFAULT_RANGE_BYTES,
        limits: Default::default(),
        files: None,
        max_reject_rate: 1.0,
        sources: Default::default(),
    }
}

fn main() {
    day();
    divan::main();
}

/// Both passes, every rule, no output.
#[divan::bench(sample_count = 10)]
fn passes_without_sinks(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| tempfile::tempdir().unwrap())
        .bench_values(|dir| {
            pipeline::run(&config(dir.path()), &Messages::silent(), &mut []).unwrap();
            dir
        });
}

/// A run with `--no-db`: the passes, the rejected rows and the reports.
#[divan::bench(sample_count = 10)]
fn batch_writing_files(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| tempfile::tempdir().unwrap())
        .bench_values(|dir| {
            let outputs = Outputs::default();
            batch::run(&config(dir.path()), &outputs, &Messages::silent()).unwrap();
            dir
        });
}

/// The default run: files and a load into a fresh SQLite file.
#[divan::bench(sample_count = 5)]
fn batch_loading_sqlite(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| tempfile::tempdir().unwrap())
        .bench_values(|dir| {
            let outputs = Outputs {
                load: Some(LoadOptions {
                    target: Target::Sqlite(dir.path().join("bench.db")),
                    from: sales_etl::db::target::UrlSource::Flag,
                    method: LoadMethod::Auto,
                    top: 5,
                    folder: day().display().to_string(),
                    reload: false,
                }),
                ..Outputs::default()
            };
            let (_, failed) =
                batch::run(&config(dir.path()), &outputs, &Messages::silent()).unwrap();
            assert!(failed.is_none(), "{failed:?}");
            dir
        });
}
