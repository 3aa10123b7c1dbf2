//! `generate` writes days whose `_truth.json` `run` must match exactly.

use serde_json::{json, Value};

use crate::util::Test;

#[track_caller]
fn matches_truth(rows: u64, seed: u64, defect_rate: &str) {
    let rows_text = rows.to_string();
    let seed_text = seed.to_string();
    let test = Test::new().args(&[
        "generate",
        "--rows",
        &rows_text,
        "--date",
        "2026-11-25",
        "--out",
        "day",
        "--seed",
        &seed_text,
        "--defect-rate",
        defect_rate,
    ]);
    let generated = test.run().code(0);
    let truth: Value = serde_json::from_str(&generated.read("day/_truth.json")).unwrap();
    let day = generated.dir.join("day");
    let out = Test::new().args(&[
        "run",
        day.to_str().unwrap(),
        "--format",
        "json",
        "--no-db",
        "--dry-run",
    ]);
    let run = out.clone().run().code(0).json();
    let context = format!("rows {rows}, seed {seed}, defect rate {defect_rate}");
    assert_eq!(truth["rows"], rows, "{context}");
    assert_eq!(run["totals"]["data_rows"], rows, "{context}");
    for disposition in ["valid", "invalid", "duplicate", "outlier"] {
        assert_eq!(
            run["totals"][disposition], truth["dispositions"][disposition],
            "{disposition}: {context}"
        );
    }
    for (reason, count) in truth["invalid_reasons"].as_object().unwrap() {
        assert_eq!(&run["reasons"][reason], count, "{reason}: {context}");
    }
    assert_eq!(run["daily_sales"], truth["daily_sales"], "{context}");
    assert_eq!(run["held_back"], truth["held_back"], "{context}");
    let held_rows: u64 = run["held_back"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(
        held_rows,
        run["totals"]["outlier"].as_u64().unwrap(),
        "{context}"
    );
    assert_eq!(tops(&run), truth["top5_products"], "{context}");

    // With fences per product, the truth's per_product section.
    let per_product = out
        .clone()
        .args(&["--outliers", "per-product"])
        .run()
        .code(0)
        .json();
    let want = &truth["per_product"];
    let context = format!("{context}, --outliers per-product");
    assert_eq!(
        per_product["fences_per_product"],
        json!({"min_rows": want["min_rows"], "products": want["products"]}),
        "{context}"
    );
    assert_eq!(per_product["totals"]["valid"], want["valid"], "{context}");
    assert_eq!(
        per_product["totals"]["outlier"], want["outlier"],
        "{context}"
    );
    assert_eq!(per_product["daily_sales"], want["daily_sales"], "{context}");
    assert_eq!(per_product["held_back"], want["held_back"], "{context}");
    assert_eq!(tops(&per_product), want["top5_products"], "{context}");
}

/// The top products of a run's JSON by date, as the truth has them.
fn tops(run: &Value) -> Value {
    let mut top = serde_json::Map::new();
    for product in run["top_products"].as_array().unwrap() {
        let entry = top
            .entry(product["date"].as_str().unwrap())
            .or_insert_with(|| json!([]));
        let mut product = product.clone();
        product.as_object_mut().unwrap().remove("date");
        entry.as_array_mut().unwrap().push(product);
    }
    Value::Object(top)
}

#[test]
fn run_matches_the_truth_across_sizes_and_seeds() {
    matches_truth(1_000, 1, "0.3");
    matches_truth(20_000, 2, "0.1");
    matches_truth(100_000, 3, "0.02");
}

#[test]
fn generate_is_deterministic_and_checks_its_arguments() {
    let generate = || {
        Test::new()
            .args(&[
                "generate",
                "--rows",
                "500",
                "--date",
                "2026-11-25",
                "--out",
                "d",
                "--seed",
                "9",
            ])
            .run()
            .code(0)
    };
    let (a, b) = (generate(), generate());
    assert_eq!(
        a.read("d/web_2026-11-25.csv"),
        b.read("d/web_2026-11-25.csv")
    );
    assert!(a.read("d/web_2026-11-25.csv").starts_with('\u{feff}'));
    assert!(a.read("d/mobile_2026-11-25.csv").contains("\r\n"));
    Test::new()
        .args(&[
            "generate",
            "--rows",
            "5",
            "--date",
            "2026-13-01",
            "--out",
            "d",
        ])
        .run()
        .code(2);
    Test::new()
        .args(&[
            "generate",
            "--rows",
            "5",
            "--date",
            "2026-11-25",
            "--out",
            "d",
            "--defect-rate",
            "2",
        ])
        .run()
        .code(2);
}

#[test]
fn a_folder_that_holds_a_generated_day_is_refused_unless_forced() {
    fn generate<'a>(date: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["generate", "--rows", "200", "--date", date, "--out", "raw"];
        args.extend(extra);
        args
    }
    let test = Test::new();
    test.clone()
        .args(&generate("2026-11-24", &[]))
        .run()
        .code(0);
    let first = std::fs::read_to_string(test.dir().join("raw/_truth.json")).unwrap();
    let out = test.clone().args(&generate("2026-11-25", &[])).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    out.stderr_has("raw/_truth.json` already holds a generated day");
    out.stderr_has("--force");
    assert!(!out.exists("raw/web_2026-11-25.csv"), "nothing written");
    let kept = std::fs::read_to_string(test.dir().join("raw/_truth.json")).unwrap();
    assert_eq!(kept, first);
    test.clone()
        .args(&generate("2026-11-25", &["--force"]))
        .run()
        .code(0);
    assert!(test.dir().join("raw/web_2026-11-25.csv").exists());
}
