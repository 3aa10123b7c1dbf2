//! `sales-etl report`: a day's reports from the warehouse alone, equal to
//! the run's own.

use serde_json::Value;

use crate::util::Test;

pub(crate) fn samples() -> String {
    format!("{}/samples", env!("CARGO_MANIFEST_DIR"))
}

/// `run` into `db`, then `report --date 2026-11-25` from it alone: the same
/// report files byte for byte, and the same JSON as the run's for that date.
pub(crate) fn report_equals_run(db: &str) {
    let test = Test::new();
    let run = test
        .clone()
        .args(&["run", &samples(), "--db", db, "--format", "json", "-q"])
        .run()
        .code(0)
        .json();
    let report = test
        .clone()
        .args(&[
            "report",
            "--date",
            "2026-11-25",
            "--db",
            db,
            "--out",
            "again",
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .json();
    let on_day = |rows: &Value| -> Vec<Value> {
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["date"] == "2026-11-25")
            .cloned()
            .collect()
    };
    assert_eq!(on_day(&report["daily_sales"]), on_day(&run["daily_sales"]));
    assert_eq!(
        on_day(&report["top_products"]),
        on_day(&run["top_products"])
    );
    assert_eq!(report["daily_sales"].as_array().unwrap().len(), 3);
    // What the outlier rule held back is kept in the warehouse too.
    let held = on_day(&report["held_back"]);
    assert_eq!(held, on_day(&run["held_back"]));
    assert_eq!(
        held,
        [
            serde_json::json!({"date": "2026-11-25", "channel": "web", "rows": 1, "units": 250, "revenue": "2247.50"})
        ]
    );
    // `again/` and `reports/` are both written from the warehouse by the
    // same writer, so they could agree on a wrong figure: the files are
    // also held to the samples' figures worked out by hand (issue "checks
    // that can fail").
    for name in ["daily_sales_2026-11-25.csv", "top5_products_2026-11-25.csv"] {
        let read = |dir: &str| std::fs::read(test.dir().join(dir).join(name)).unwrap();
        assert_eq!(read("again"), read("reports"), "{name}");
    }
    let mut daily = String::from("date,channel,orders,units,revenue\n");
    for row in crate::db::SAMPLES_DAILY
        .iter()
        .filter(|r| r[0] == "2026-11-25")
    {
        daily.push_str(&row.join(","));
        daily.push('\n');
    }
    let read = |name: &str| std::fs::read_to_string(test.dir().join("again").join(name)).unwrap();
    assert_eq!(read("daily_sales_2026-11-25.csv"), daily);
    assert_eq!(
        read("top5_products_2026-11-25.csv"),
        "date,rank,product_id,units,revenue\n\
         2026-11-25,1,SKU-MUG-07,16,143.84\n\
         2026-11-25,2,SKU-LAMP-02,9,310.50\n\
         2026-11-25,3,SKU-CHAIR-01,5,745.00\n\
         2026-11-25,4,SKU-DESK-03,2,658.00\n\
         2026-11-25,5,SKU-RUG-05,1,89.00\n"
    );
}

#[test]
fn report_from_sqlite_equals_the_run() {
    report_equals_run("sqlite://w.db");
}

#[test]
fn report_formats_and_ranges() {
    let test = Test::new();
    test.clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    let report_table = |format: &str, table: &[&str]| {
        let mut args = vec![
            "report",
            "--from",
            "2026-11-24",
            "--to",
            "2026-11-25",
            "--db",
            "sqlite://w.db",
            "--no-files",
            "--format",
            format,
        ];
        args.extend(table);
        test.clone().args(&args).run().code(0).stdout
    };
    let report = |format: &str| report_table(format, &[]);
    // One CSV table, parseable as one: daily sales unless --table says.
    let csv = report("csv");
    assert!(
        csv.starts_with("date,channel,orders,units,revenue\n2026-11-24,web,1,1,329.00\n"),
        "{csv}"
    );
    assert!(!csv.contains("\n\n"), "{csv}");
    let top = report_table("csv", &["--table", "top_products"]);
    assert!(
        top.starts_with("date,rank,product_id,units,revenue\n"),
        "{top}"
    );
    let held = report_table("csv", &["--table", "held_back"]);
    assert_eq!(
        held,
        "date,channel,rows,units,revenue\n2026-11-25,web,1,250,2247.50\n"
    );
    let markdown = report("markdown");
    assert!(
        markdown.starts_with("## Daily sales\n\n| date | channel |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| 2026-11-25 | 1 | SKU-MUG-07 | 16 | 143.84 |"),
        "{markdown}"
    );
    // The same column names as the CSV files.
    assert!(
        markdown.contains("| date | rank | product_id | units | revenue |"),
        "{markdown}"
    );
    // What the outliers held back: a third table.
    assert!(
        markdown.contains(
            "## Held back as outliers\n\n| date | channel | rows | units | revenue |\n|---|---|---:|---:|---:|\n| 2026-11-25 | web | 1 | 250 | 2247.50 |\n"
        ),
        "{markdown}"
    );
    let table = report("table");
    assert!(table.contains("SKU-MUG-07"), "{table}");

    // A range with nothing stored: a warning, no file, exit 0.
    let empty = test
        .clone()
        .args(&[
            "report",
            "--date",
            "2020-01-01",
            "--db",
            "sqlite://w.db",
            "--out",
            "none",
        ])
        .run()
        .code(0);
    empty.stderr_has("holds no report for 2020-01-01");
    assert!(!test.dir().join("none").exists());

    // Without --out, a report only prints: no reports/ appears; the old
    // --reports-dir still names the folder.
    let printed = Test::new();
    printed
        .clone()
        .args(&[
            "run",
            &samples(),
            "--db",
            "sqlite://w.db",
            "-q",
            "--reports-dir",
            "by-run",
        ])
        .run()
        .code(0);
    let day = ["report", "--date", "2026-11-25", "--db", "sqlite://w.db"];
    let shown = printed.clone().args(&day).run().code(0).stdout.clone();
    assert!(shown.contains("SKU-MUG-07"), "{shown}");
    assert!(!printed.dir().join("reports").exists());
    let mut old = day.to_vec();
    old.extend(["--reports-dir", "old"]);
    printed.clone().args(&old).run().code(0);
    assert!(printed
        .dir()
        .join("old/daily_sales_2026-11-25.csv")
        .is_file());
}

#[test]
fn report_without_a_warehouse_exits_6_and_creates_nothing() {
    let out = Test::new()
        .args(&[
            "report",
            "--date",
            "2026-11-25",
            "--db",
            "sqlite://missing.db",
        ])
        .run()
        .code(6);
    out.stderr_has("sqlite://missing.db");
    assert!(!out.exists("missing.db"));
    // Without a date, the latest complete day: from no warehouse, exit 6.
    Test::new()
        .args(&["report"])
        .run()
        .code(6)
        .stderr_has("sqlite://sales.db");
}

/// A warehouse made before `held_back_sales` existed still reports, with
/// nothing held back; the next run adds the table.
#[test]
fn report_from_a_warehouse_without_held_back_sales() {
    let test = Test::new();
    test.clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    let conn = rusqlite::Connection::open(test.dir().join("w.db")).unwrap();
    conn.execute_batch("DROP TABLE held_back_sales").unwrap();
    drop(conn);
    let day = ["report", "--date", "2026-11-25", "--db", "sqlite://w.db"];
    let mut json = day.to_vec();
    json.extend(["--format", "json"]);
    let report = test.clone().args(&json).run().code(0).json();
    assert_eq!(report["held_back"], serde_json::json!([]));
    assert_eq!(report["daily_sales"].as_array().unwrap().len(), 3);
    test.clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    let report = test.clone().args(&json).run().code(0).json();
    assert_eq!(report["held_back"].as_array().unwrap().len(), 1);
    let table = test.clone().args(&day).run().code(0).stdout;
    assert!(
        table.contains("Held back as outliers: 1 row, 250 units"),
        "{table}"
    );
    assert!(table.contains("held back"), "{table}");
}
