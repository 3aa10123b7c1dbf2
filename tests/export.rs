//! `run --export`: the valid rows as Parquet or Arrow files, read back and
//! compared with the warehouse's rows (issue "the analyst's terminal").

use std::path::Path;

use polars::prelude::*;

use crate::report::samples;
use crate::util::Test;

/// Every row of a dataset under `dir`: `date=…` folders of files (or the
/// files themselves), as `transaction_id,date,line_revenue,source_file,source_line`,
/// sorted — a multiset: a row exported twice, or left behind by a re-run
/// beside its new copy, counts twice (issue "checks that can fail": a set
/// hid both).
fn rows_of(dir: &Path, arrow: bool) -> Vec<String> {
    let mut rows = Vec::new();
    for partition in std::fs::read_dir(dir).unwrap().flatten() {
        let name = partition.file_name().to_string_lossy().into_owned();
        let date = name
            .strip_prefix("date=")
            .expect("a date= folder")
            .to_owned();
        for file in std::fs::read_dir(partition.path()).unwrap().flatten() {
            let handle = std::fs::File::open(file.path()).unwrap();
            let frame = if arrow {
                IpcReader::new(handle).finish().unwrap()
            } else {
                ParquetReader::new(handle).finish().unwrap()
            };
            assert!(frame.column("date").is_err(), "date is in the path only");
            // Issue "a warehouse you can trust": a missing store or
            // customer id is null in the export (it was `''`).
            for column in ["store_id", "customer_id"] {
                let ids = frame.column(column).unwrap().str().unwrap().clone();
                assert!(
                    ids.iter()
                        .all(|id| id.is_none_or(|id| !id.trim().is_empty())),
                    "{column} holds an empty id"
                );
            }
            let text = |column: &str| -> Vec<String> {
                let c = frame
                    .column(column)
                    .unwrap()
                    .cast(&DataType::String)
                    .unwrap();
                c.str()
                    .unwrap()
                    .iter()
                    .map(|v| v.unwrap_or("").to_owned())
                    .collect()
            };
            let (ids, revenue, files, lines) = (
                text("transaction_id"),
                text("line_revenue"),
                text("source_file"),
                text("source_line"),
            );
            for i in 0..frame.height() {
                rows.push(format!(
                    "{},{date},{},{},{}",
                    ids[i],
                    money(&revenue[i]),
                    files[i],
                    lines[i]
                ));
            }
        }
    }
    rows.sort();
    rows
}

/// An amount without trailing zeros after its second decimal.
fn money(text: &str) -> String {
    match text.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            format!("{whole}.{fraction:0<2}")
        }
        None => format!("{text}.00"),
    }
}

#[test]
fn export_parquet_and_arrow_equal_the_warehouse() {
    let test = Test::new();
    let samples = samples();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", &samples, "--db", "sqlite://w.db", "-q"];
        args.extend(extra);
        test.clone().args(&args).run().code(0)
    };
    run(&["--export", "lake", "--export-rejected"]);
    let mut warehouse: Vec<String> = test
        .clone()
        .args(&[
            "query",
            "SELECT transaction_id, date, line_revenue, source_file, source_line FROM sales",
            "--db",
            "sqlite://w.db",
            "--format",
            "csv",
        ])
        .run()
        .code(0)
        .stdout
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            format!("{},{},{},{},{}", f[0], f[1], money(f[2]), f[3], f[4])
        })
        .collect();
    warehouse.sort();
    assert_eq!(warehouse.len(), 19);
    let lake = test.dir().join("lake");
    assert_eq!(rows_of(&lake.join("sales"), false), warehouse);
    // The day's and the late day's partitions.
    assert!(lake
        .join("sales/date=2026-11-24/web_2026-11-25.parquet")
        .is_file());
    // Rejected rows: the columns of an errors/ file, 20 rows in three files.
    let mut rejected = 0;
    for file in std::fs::read_dir(lake.join("rejected")).unwrap().flatten() {
        let frame = ParquetReader::new(std::fs::File::open(file.path()).unwrap())
            .finish()
            .unwrap();
        assert!(frame.column("reason").is_ok());
        rejected += frame.height();
    }
    assert_eq!(rejected, 20);

    // Arrow IPC, into another folder: the same rows.
    run(&["--export", "feather", "--export-format", "arrow"]);
    assert_eq!(rows_of(&test.dir().join("feather/sales"), true), warehouse);

    // A re-run replaces its parts and leaves no temporary file.
    run(&["--export", "lake"]);
    assert_eq!(rows_of(&lake.join("sales"), false), warehouse);
    let left: Vec<String> = std::fs::read_dir(&lake)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".export"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Without --export-rejected the rejected parts of these files go.
    assert_eq!(std::fs::read_dir(lake.join("rejected")).unwrap().count(), 0);

    // A dry run exports nothing; --export-format needs --export.
    run(&["--export", "dry", "--dry-run"]);
    assert!(!test.dir().join("dry").exists());
    test.clone()
        .args(&["run", &samples, "--export-format", "arrow"])
        .run()
        .code(2);
}
