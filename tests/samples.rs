//! The README tour: `sales-etl run samples` and its exact figures.

use crate::util::{assert_text, Test};

fn samples() -> String {
    format!("{}/samples", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn sample_accounting_reasons_and_fences() {
    let out = Test::new()
        .args(&["run", &samples(), "--format", "json"])
        .run()
        .code(0);
    let json = out.json();
    assert_eq!(
        json["totals"],
        serde_json::json!({"data_rows": 39, "valid": 19, "invalid": 16, "duplicate": 3, "outlier": 1})
    );
    let files: Vec<(String, u64)> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["data_rows"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("mobile_2026-11-25.csv".to_owned(), 14),
            ("store_2026-11-25.csv".to_owned(), 10),
            ("web_2026-11-25.csv".to_owned(), 15)
        ]
    );
    // Every defect class of the issue appears in the samples at least once.
    for reason in [
        "ragged_row",
        "missing_transaction_id",
        "missing_timestamp",
        "missing_channel",
        "missing_product_id",
        "missing_quantity",
        "missing_unit_price",
        "bad_quantity",
        "bad_unit_price",
        "bad_timestamp",
        "bad_channel",
        "nonpositive_quantity",
        "negative_unit_price",
        "duplicate",
        "conflicting_duplicate",
        "outlier",
    ] {
        assert!(
            json["reasons"][reason].as_u64().unwrap_or(0) >= 1,
            "no {reason} in samples"
        );
    }
    assert_eq!(
        json["fences"],
        serde_json::json!({"q1": 1.0, "q3": 2.0, "lower": -2.0, "upper": 5.0})
    );
    assert_eq!(
        json["daily_sales"][0],
        serde_json::json!({"date": "2026-11-24", "channel": "web", "orders": 1, "units": 1, "revenue": "329.00"})
    );
}

#[test]
fn sample_reports_and_rejects_on_disk() {
    let out = Test::new().args(&["run", &samples()]).run().code(0);
    assert_text(
        &out.read("reports/daily_sales_2026-11-25.csv"),
        "date,channel,orders,units,revenue\n\
         2026-11-25,mobile,4,6,270.48\n\
         2026-11-25,store,8,14,1062.43\n\
         2026-11-25,web,6,13,613.43\n",
    );
    assert_text(
        &out.read("reports/top5_products_2026-11-25.csv"),
        "date,rank,product_id,units,revenue\n\
         2026-11-25,1,SKU-MUG-07,16,143.84\n\
         2026-11-25,2,SKU-LAMP-02,9,310.50\n\
         2026-11-25,3,SKU-CHAIR-01,5,745.00\n\
         2026-11-25,4,SKU-DESK-03,2,658.00\n\
         2026-11-25,5,SKU-RUG-05,1,89.00\n",
    );
    // A late row for yesterday gets yesterday's report.
    assert!(out.exists("reports/daily_sales_2026-11-24.csv"));
    let web = out.read("errors/web_2026-11-25.rejected.csv");
    assert!(web.starts_with(
        "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price,source_file,source_line,disposition,reason,reasons\n"
    ));
    // Physical lines: the BOM'd comment is line 1, the header line 2; the
    // re-sent W-1010 sits after a quoted two-line field and a comment.
    assert!(web.contains("W-1005,2026-11-25 10:30:00,web,,C-2231,SKU-MUG-07,3,8.990,web_2026-11-25.csv,9,duplicate,duplicate,duplicate\n"), "{web}");
    assert!(
        web.contains(
            ",web_2026-11-25.csv,19,duplicate,conflicting_duplicate,conflicting_duplicate\n"
        ),
        "{web}"
    );
    assert!(web.contains("W-1012,2026-11-25 15:01:00,web,,C-2231,SKU-MUG-07,250,8.99,web_2026-11-25.csv,17,outlier,outlier,outlier\n"), "{web}");
    // CRLF file: lines count from the header, the comment and the blank line.
    let mobile = out.read("errors/mobile_2026-11-25.rejected.csv");
    assert!(mobile.contains("M-5009,2026-11-25T12:45:30Z,mobile,,C-3003,SKU-DESK-03,1,329.00,mobile_2026-11-25.csv,13,invalid,ragged_row,ragged_row\n"), "{mobile}");
    let rejected_rows: usize = ["mobile", "store", "web"]
        .iter()
        .map(|f| {
            out.read(&format!("errors/{f}_2026-11-25.rejected.csv"))
                .lines()
                .count()
                - 1
        })
        .sum();
    assert_eq!(rejected_rows, 20);
}

/// Chunks of two rows (so every file spans several chunks, and chunks end
/// mid-duplicate and mid-file) give byte-identical outputs and the same
/// summary as the default.
#[test]
fn sample_outputs_do_not_depend_on_the_chunk_size() {
    let test = Test::new();
    let samples = samples();
    let run = |dir: &str, extra: &[&str]| {
        let mut args = vec![
            "run",
            samples.as_str(),
            "--no-db",
            "--format",
            "json",
            "--errors-dir",
        ];
        let errors = format!("{dir}/errors");
        let reports = format!("{dir}/reports");
        args.extend([errors.as_str(), "--reports-dir", reports.as_str()]);
        args.extend(extra);
        let out = test.clone().args(&args).run().code(0);
        let mut json = out.json();
        for volatile in ["timings", "started_at", "written"] {
            json.as_object_mut().unwrap().remove(volatile);
        }
        json
    };
    let whole = run("whole", &[]);
    let small = run("small", &["--batch-rows", "2"]);
    assert_eq!(whole, small);
    for name in [
        "errors/web_2026-11-25.rejected.csv",
        "errors/mobile_2026-11-25.rejected.csv",
        "errors/store_2026-11-25.rejected.csv",
        "reports/daily_sales_2026-11-25.csv",
        "reports/top5_products_2026-11-25.csv",
    ] {
        let read = |dir: &str| std::fs::read(test.dir().join(dir).join(name)).unwrap();
        assert_eq!(read("whole"), read("small"), "{name}");
    }
}

#[test]
fn batch_rows_must_be_positive() {
    Test::new()
        .args(&["run", &samples(), "--batch-rows", "0"])
        .run()
        .code(2);
}
