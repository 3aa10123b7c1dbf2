//! Backfills: `run --date` and `run --from … --to …` take each day as a batch
//! of its own, loaded once however often it is repeated.

use std::path::Path;

use serde_json::Value;

use crate::db::{sqlite_rows, SQLITE_DAILY, SQLITE_TOP};
use crate::util::Test;

const DAYS: [&str; 3] = ["2026-11-23", "2026-11-24", "2026-11-25"];

/// Generated days: 23 and 24 as `*_DATE.csv` in `input/`, 25 in the folder
/// `input/2026-11-25/`; each day's truth stays in `gen/DATE/_truth.json`.
fn generated_days() -> Test {
    let test = Test::new();
    for (i, day) in DAYS.iter().enumerate() {
        let out = format!("gen/{day}");
        let seed = (i + 3).to_string();
        test.clone()
            .args(&[
                "generate", "--rows", "3000", "--date", day, "--out", &out, "--seed", &seed,
            ])
            .run()
            .code(0);
        let target = if *day == "2026-11-25" {
            test.dir().join("input").join(day)
        } else {
            test.dir().join("input")
        };
        std::fs::create_dir_all(&target).unwrap();
        for channel in ["web", "mobile", "store"] {
            let name = format!("{channel}_{day}.csv");
            std::fs::copy(test.dir().join(&out).join(&name), target.join(&name)).unwrap();
        }
    }
    test
}

fn truth_of(test: &Test, day: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(test.dir().join(format!("gen/{day}/_truth.json"))).unwrap(),
    )
    .unwrap()
}

/// An amount of two decimals (`1062.43`) in cents, read without the
/// crate's money code.
fn cents(amount: &str) -> u64 {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
    let fraction = format!("{fraction:0<2}");
    whole.parse::<u64>().unwrap() * 100 + fraction[..2].parse::<u64>().unwrap()
}

fn backfill(test: &Test, range: &[&str]) -> Value {
    let mut args = vec!["run", "input", "--db", "sqlite://w.db", "--format", "json"];
    args.extend(range);
    test.clone().args(&args).run().code(0).json()
}

fn tables(path: &Path) -> Vec<Vec<Vec<String>>> {
    vec![
        sqlite_rows(path, "SELECT transaction_id, source_file, source_line FROM staging_sales ORDER BY transaction_id, source_file"),
        sqlite_rows(path, SQLITE_DAILY),
        sqlite_rows(path, SQLITE_TOP),
    ]
}

#[test]
fn each_day_is_its_own_batch_and_loads_once() {
    let test = generated_days();
    let json = backfill(&test, &["--from", "2026-11-22", "--to", "2026-11-25"]);
    let days = json["days"].as_array().unwrap();
    assert_eq!(days.len(), 4);
    assert_eq!(days[0]["date"], "2026-11-22");
    assert_eq!(days[0]["status"], "no_files");
    let mut valid = 0;
    for (day, result) in DAYS.iter().zip(&days[1..]) {
        assert_eq!(result["status"], "done", "{day}");
        assert_eq!(result["files"], 3, "{day}");
        // Its own fences: each day's dispositions are exactly its truth's.
        let totals = &result["summary"]["totals"];
        let truth = truth_of(&test, day);
        for disposition in ["valid", "invalid", "duplicate", "outlier"] {
            assert_eq!(
                totals[disposition], truth["dispositions"][disposition],
                "{day} {disposition}"
            );
        }
        valid += totals["valid"].as_u64().unwrap();
        // Its report file is the whole day, late rows that a later day's
        // files brought included (issue "hardening": a report file is never
        // replaced by part of a day). The expected file comes from the
        // generator's truths, this day's and the next day's (issue "checks
        // that can fail": it came from the table the file is read from).
        let mut whole: std::collections::BTreeMap<String, (u64, u64, u64)> = Default::default();
        let next = DAYS
            .iter()
            .position(|d| d == day)
            .and_then(|i| DAYS.get(i + 1));
        for truth in std::iter::once(truth.clone()).chain(next.map(|n| truth_of(&test, n))) {
            for row in truth["daily_sales"].as_array().unwrap() {
                if row["date"] != *day {
                    continue;
                }
                let sums = whole
                    .entry(row["channel"].as_str().unwrap().to_owned())
                    .or_default();
                sums.0 += row["orders"].as_u64().unwrap();
                sums.1 += row["units"].as_u64().unwrap();
                sums.2 += cents(row["revenue"].as_str().unwrap());
            }
        }
        let mut expected = String::from("date,channel,orders,units,revenue\n");
        for (channel, (orders, units, revenue)) in whole {
            expected.push_str(&format!(
                "{day},{channel},{orders},{units},{}.{:02}\n",
                revenue / 100,
                revenue % 100
            ));
        }
        let report = test.dir().join(format!("reports/daily_sales_{day}.csv"));
        assert_eq!(std::fs::read_to_string(report).unwrap(), expected);
    }
    // The day folder's rejects are named after the folder.
    assert!(test
        .dir()
        .join("errors/2026-11-25_web_2026-11-25.rejected.csv")
        .exists());

    let db = test.dir().join("w.db");
    let count = sqlite_rows(&db, "SELECT COUNT(*) FROM staging_sales");
    assert_eq!(count, [[valid.to_string()]]);
    // The warehouse's 23rd holds day 23's rows and day 24's late ones.
    let orders_23 = |t: &Value| -> u64 {
        t["daily_sales"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["date"] == "2026-11-23")
            .map(|d| d["orders"].as_u64().unwrap())
            .sum()
    };
    let expected_23 =
        orders_23(&truth_of(&test, "2026-11-23")) + orders_23(&truth_of(&test, "2026-11-24"));
    assert_eq!(
        sqlite_rows(
            &db,
            "SELECT SUM(orders) FROM reporting_daily_sales WHERE date = '2026-11-23'"
        ),
        [[expected_23.to_string()]]
    );

    // Repeating the backfill, or one day of it, changes nothing.
    let before = tables(&db);
    backfill(&test, &["--from", "2026-11-23", "--to", "2026-11-25"]);
    assert_eq!(tables(&db), before);
    let again = backfill(&test, &["--date", "2026-11-24"]);
    assert_eq!(again["days"].as_array().unwrap().len(), 1);
    assert_eq!(tables(&db), before);
}

#[test]
fn a_failed_day_does_not_stop_the_others() {
    let good = "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price\nT1,2026-11-23 10:00:00,web,,C1,P1,1,2.50\n";
    let out = Test::new()
        .file("input/web_2026-11-23.csv", good)
        .file(
            "input/web_2026-11-24.csv",
            "transaction_id,timestamp\nT2,2026-11-24 10:00:00\n",
        )
        .file(
            "input/web_2026-11-25.csv",
            good.replace("T1,2026-11-23", "T3,2026-11-25"),
        )
        .file("input/notes.csv", good)
        .args(&[
            "run",
            "input",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-25",
            "--no-db",
            "--format",
            "json",
        ])
        .run()
        .code(3);
    let json = out.json();
    let status: Vec<&str> = json["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["done", "failed", "done"]);
    assert!(json["days"][1]["error"]
        .as_str()
        .unwrap()
        .contains("web_2026-11-24.csv"));
    out.stderr_has("notes.csv");
    assert!(out.exists("reports/daily_sales_2026-11-25.csv"));
}

#[test]
fn from_after_to_is_a_usage_error() {
    Test::new()
        .args(&["run", "input", "--from", "2026-11-25", "--to", "2026-11-24"])
        .run()
        .code(2)
        .stderr_has("--from 2026-11-25 is after --to 2026-11-24");
    Test::new()
        .args(&["run", "input", "--from", "2026-11-25"])
        .run()
        .code(2);
}
